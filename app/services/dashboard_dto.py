"""What Control Central's 360° view of an account shows (spec/60 §A8.4): frozen DTOs, no queries.

`app.services.dashboard_queries` loads most of them and `app.services.control_central` assembles
the `AccountDashboard` (and re-exports every DTO: import them from there).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from app.services.alerts import Alert


@dataclass(frozen=True)
class AccountSummary:
    customer_number: str
    customer_name: str
    customer_class: str
    main_party_number: str
    account_number: str
    description: str
    status: str
    invoicing_mode: str
    billing_frequency: str
    currency: str
    setup_date: dt.date
    balance: Decimal
    last_bill_date: dt.date | None
    last_bill_amount: Decimal | None
    next_bill_date: dt.date | None
    last_payment_date: dt.date | None
    last_payment_amount: Decimal | None


@dataclass(frozen=True)
class RoleRow:
    party_number: str
    party_name: str
    role: str                    # label, e.g. "Owner"
    target: str                  # "Account" / "Service agreement 1234…" / "Premise …"
    effective_from: dt.date
    effective_to: dt.date | None
    granted_by: str              # administrator: the granting owner's name, else ""
    has_authority: bool          # owner or administrator on the account today (R-A8)


@dataclass(frozen=True)
class ServicePointRow:
    number: str
    service_type: str
    consumer_kind: str
    pod_ref: str
    meter_badge: str             # the meter installed today, "" when none
    current_sa_number: str       # the SA supplying it today, "" when none
    current_sa_status: str


@dataclass(frozen=True)
class PremiseRow:
    number: str
    address: str
    premise_type: str
    parent_address: str          # "" when no parent
    landlord: str                # landlord agreement description, "" when none
    child_count: int
    service_points: tuple[ServicePointRow, ...]
    parent_number: str = ""      # "" when no parent


@dataclass(frozen=True)
class AgreementRow:
    number: str
    sa_type: str
    service_type: str
    status: str
    rate_schedule_code: str      # the rate today (or at start for a pending start)
    start_date: dt.date
    end_date: dt.date | None
    premise_address: str


@dataclass(frozen=True)
class MonthlyFinancials:
    month: dt.date               # first day of the month
    billed: Decimal
    paid: Decimal
    adjusted: Decimal
    #: Consumption billed that month per unit of measure, e.g. {"KWH": Decimal("812.000")}
    consumption: tuple[tuple[str, Decimal], ...]


@dataclass(frozen=True)
class DashboardZone:
    """A zone a later feature adds (cases, appointments, quotes, loans): a titled table."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty_text: str = "None."
    #: Record kind that the first column's number opens, if any.
    link_kind: str | None = None


@dataclass(frozen=True)
class AccountDashboard:
    summary: AccountSummary
    alerts: tuple[Alert, ...]
    roles: tuple[RoleRow, ...]
    premises: tuple[PremiseRow, ...]
    agreements: tuple[AgreementRow, ...]
    financials: tuple[MonthlyFinancials, ...]   # FINANCIAL_MONTHS months, oldest first
    other_accounts: tuple[tuple[str, str], ...]  # (account number, description) of the customer
    zones: tuple[DashboardZone, ...]
    #: The caller chosen (None: none given); see also the AL-CALLER alert.
    caller: Caller | None = None
    #: How many agreements (not canceled) the account has; `agreements` shows at most
    #: MAX_AGREEMENTS of them, current first, then the most recent.
    agreement_count: int = 0


@dataclass(frozen=True)
class Caller:
    party_number: str
    party_name: str
    roles: str                   # "Owner", "Administrator", "Payer"…
    has_authority: bool


@dataclass(frozen=True)
class Authority:
    allowed: bool
    #: Why not, in a sentence a CSR can read out; "" when allowed.
    reason: str

