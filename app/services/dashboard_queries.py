"""The set-based queries behind Control Central's 360° view of one account (spec/60 §A8.4).

`app.services.control_central.account_dashboard` runs them in its read-only session:

* `load_head`: the account, its customer and legal party, balance and totals (one query);
* `load_financials`: FINANCIAL_MONTHS months of billed, paid, adjusted and consumption;
* `load_agreements`: the agreements (at most MAX_AGREEMENTS) with their premises and rate;
* `load_premises` / `load_service_points`: the zone's premises and their service points.

Each is an index look-up or range on the account, its agreements or their premises; every list
is bounded. The date helpers `add_months` and `as_date` are shared with `control_central`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Numeric,
    and_,
    case,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from app.models import (
    Account,
    Adjustment,
    Bill,
    BillSegment,
    Customer,
    DeviceInstallation,
    LandlordAgreement,
    Meter,
    Party,
    Payment,
    Premise,
    ServiceAgreement,
    ServiceAgreementRate,
    ServiceAgreementServicePoint,
    ServicePoint,
    Subscription,
)
from app.models.enums import AccountStatus, BillStatus, SAStatus
from app.services.alerts import CURRENT_STATUSES, AgreementFact
from app.services.dashboard_dto import (
    AccountSummary,
    MonthlyFinancials,
    PremiseRow,
    ServicePointRow,
)
from app.services.errors import NotFound
from app.services.lookup import check_identifier

FINANCIAL_MONTHS = 24
#: Bounds of the lists the view shows (current / newest first).
MAX_AGREEMENTS = 200
MAX_SERVICE_POINT_ROWS = 2000
CENT = Decimal("0.01")
MILLI = Decimal("0.001")
#: Aliases made once: a new alias per call costs SQLAlchemy milliseconds of column adaptation.
_SIBLING = aliased(Account, name="sibling")
_PARENT = aliased(Premise, name="parent_premise")
_CHILD = aliased(Premise, name="child_premise")


def _decimal(value: Any, exp: Decimal = CENT) -> Decimal:
    """An exact amount from what the database returns (SQLite sums numeric columns as floats)."""
    return Decimal(str(value if value is not None else 0)).quantize(exp)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day *months* later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _address(*parts: str | None) -> str:
    return ", ".join(p for p in parts if p)


def as_date(value: Any) -> dt.date:
    """A date from a UNION column (SQLite may hand back the ISO text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@dataclass(frozen=True)
class AccountHead:
    summary: AccountSummary
    account_id: int
    customer_id: int
    open_accounts: int
    subscribers: int
    agreement_count: int
    frequency_months: int


def load_head(session: Session, account_number: str, on: dt.date) -> AccountHead:
    """Account, customer, legal party and the account's totals in one query; each total is a
    correlated aggregate over an index on account_id. The balance is the one of
    `app.services.financials.account_balance`: Σ complete bills − Σ payments + Σ adjustments."""
    digits = check_identifier(account_number, "account")

    def total(column: Any, *where: ColumnElement[bool]) -> Any:
        return select(func.coalesce(func.sum(column), 0)).where(*where).scalar_subquery()

    def count(model: Any, *where: ColumnElement[bool]) -> Any:
        return select(func.count()).select_from(model).where(*where).scalar_subquery()

    def last_payment(column: Any) -> Any:
        return (select(column).where(Payment.account_id == Account.id)
                .order_by(Payment.payment_date.desc(), Payment.id.desc()).limit(1)
                .scalar_subquery())

    sibling = _SIBLING
    row = session.execute(
        select(
            Account, Customer.id, Customer.number, Customer.customer_class, Party.number,
            Party.display_name,
            total(Bill.amount, Bill.account_id == Account.id, Bill.status == BillStatus.COMPLETE),
            total(Payment.amount, Payment.account_id == Account.id),
            total(Adjustment.amount, Adjustment.account_id == Account.id),
            last_payment(Payment.payment_date),
            last_payment(Payment.amount),
            count(sibling, sibling.customer_id == Account.customer_id,
                  sibling.status == AccountStatus.ACTIVE),
            count(Subscription, Subscription.account_id == Account.id,
                  Subscription.active_from <= on,
                  or_(Subscription.active_to.is_(None), Subscription.active_to >= on)),
            count(ServiceAgreement, ServiceAgreement.account_id == Account.id,
                  ServiceAgreement.is_proposal.is_(False),
                  ServiceAgreement.status != SAStatus.CANCELED),
        )
        .join(Customer, Account.customer_id == Customer.id)
        .join(Party, Customer.legal_party_id == Party.id)
        .where(Account.number == digits)
    ).one_or_none()
    if row is None:
        raise NotFound(f"There is no account {digits}. Check the number.")
    (account, customer_id, customer_number, customer_class, party_number, party_name,
     billed, paid, adjusted, paid_on, last_paid, open_accounts, subscribers, agreements) = row
    summary = AccountSummary(
        customer_number=customer_number, customer_name=party_name,
        customer_class=customer_class.label, main_party_number=party_number,
        account_number=account.number, description=account.description or "",
        status=account.status.label, invoicing_mode=account.invoicing_mode.label,
        billing_frequency=account.billing_frequency.label, currency=account.currency,
        setup_date=account.setup_date,
        balance=_decimal(billed) - _decimal(paid) + _decimal(adjusted),
        last_bill_date=None, last_bill_amount=None, next_bill_date=None,
        last_payment_date=paid_on,
        last_payment_amount=None if last_paid is None else _decimal(last_paid),
    )
    return AccountHead(summary, account.id, customer_id, int(open_accounts or 0),
                       int(subscribers or 0), int(agreements or 0),
                       account.billing_frequency.months)


def load_financials(session: Session, account_id: int,
                    on: dt.date) -> tuple[MonthlyFinancials, ...]:
    """FINANCIAL_MONTHS months ending with the current one: billed (complete bills by bill
    date), paid, adjusted, and billed consumption per unit. One UNION of four sums per day, each
    a range on its table's (account_id, date) index; days are bucketed into months here, which
    works the same on both databases."""
    first = add_months(on.replace(day=1), 1 - FINANCIAL_MONTHS)
    end = add_months(on.replace(day=1), 1)

    def per_day(kind: str, day: Any, uom: Any, value: Any, *where: Any) -> Any:
        return (select(literal_column(f"'{kind}'"), day,
                       literal_column("''") if uom is None else uom,
                       type_coerce(func.sum(value), Numeric(18, 3)))
                .where(*where, day >= first, day < end)
                .group_by(day, *(() if uom is None else (uom,))))

    complete = (Bill.account_id == account_id, Bill.status == BillStatus.COMPLETE)
    parts = (
        per_day("B", Bill.bill_date, None, Bill.amount, *complete),
        per_day("P", Payment.payment_date, None, Payment.amount,
                Payment.account_id == account_id),
        per_day("A", Adjustment.adjustment_date, None, Adjustment.amount,
                Adjustment.account_id == account_id),
        per_day("S", Bill.bill_date, BillSegment.uom, BillSegment.quantity,
                BillSegment.bill_id == Bill.id, *complete),
    )
    months = [add_months(first, i) for i in range(FINANCIAL_MONTHS)]
    money: dict[tuple[str, dt.date], Decimal] = {}
    units: dict[dt.date, dict[str, Decimal]] = {m: {} for m in months}
    for kind, day, uom, value in session.execute(union_all(*parts)):
        month, amount = as_date(day).replace(day=1), Decimal(str(value or 0))
        if kind == "S":
            units[month][uom] = units[month].get(uom, Decimal(0)) + amount
        else:
            money[(kind, month)] = money.get((kind, month), Decimal(0)) + amount
    return tuple(
        MonthlyFinancials(
            m, _month(money, "B", m), _month(money, "P", m), _month(money, "A", m),
            tuple((u, q.quantize(MILLI)) for u, q in sorted(units[m].items())),
        )
        for m in months
    )


def _month(money: dict[tuple[str, dt.date], Decimal], kind: str, month: dt.date) -> Decimal:
    return money.get((kind, month), Decimal(0)).quantize(CENT)


@dataclass(frozen=True)
class LoadedAgreement:
    id: int
    fact: AgreementFact
    #: (premise id, premise number, address) of its service points' premises, in SP order.
    premises: tuple[tuple[int, str, str], ...]
    rate: str

    @property
    def is_current(self) -> bool:
        return self.fact.status in CURRENT_STATUSES


def load_agreements(session: Session, account_id: int, on: dt.date) -> list[LoadedAgreement]:
    """The account's agreements (not canceled), current first, then the most recent; with the
    premises they supply and the rate in force (for a pending start, the first rate)."""
    current_first = case((ServiceAgreement.status.in_(CURRENT_STATUSES), 0), else_=1)
    sa = ServiceAgreement
    rows = session.execute(
        select(sa.id, sa.number, sa.sa_type, sa.service_type, sa.status, sa.start_date,
               sa.end_date)
        .where(sa.account_id == account_id, sa.status != SAStatus.CANCELED)
        .order_by(current_first, sa.start_date.desc(), sa.id.desc())
        .limit(MAX_AGREEMENTS)
    ).all()
    ids = [r[0] for r in rows]
    if not ids:
        return []
    link = ServiceAgreementServicePoint
    premises: dict[int, list[tuple[int, str, str]]] = {}
    for sa_id, premise_id, number, line1, line2, city in session.execute(
        select(link.service_agreement_id, Premise.id, Premise.number, Premise.address_line1,
               Premise.address_line2, Premise.city)
        .join(ServicePoint, ServicePoint.id == link.service_point_id)
        .join(Premise, Premise.id == ServicePoint.premise_id)
        .where(link.service_agreement_id.in_(ids))
        .order_by(link.service_agreement_id, ServicePoint.id)
    ):
        found = premises.setdefault(sa_id, [])
        if all(p[0] != premise_id for p in found):
            found.append((premise_id, number, _address(line1, line2, city)))
    first_rate: dict[int, str] = {}
    rate_today: dict[int, str] = {}
    rate = ServiceAgreementRate
    for sa_id, effective_from, code in session.execute(
        select(rate.service_agreement_id, rate.effective_from, rate.rate_schedule_code)
        .where(rate.service_agreement_id.in_(ids))
        .order_by(rate.service_agreement_id, rate.effective_from)
    ):
        first_rate.setdefault(sa_id, code)
        if effective_from <= on:
            rate_today[sa_id] = code
    return [
        LoadedAgreement(
            sa_id, AgreementFact(number, sa_type, service.label, status, start, end),
            tuple(premises.get(sa_id, ())),
            (rate_today.get(sa_id) if status is not SAStatus.PENDING_START else None)
            or first_rate.get(sa_id, ""),
        )
        for sa_id, number, sa_type, service, status, start, end in rows
    ]


def load_premises(session: Session, premise_ids: list[int],
                  on: dt.date) -> list[tuple[int, PremiseRow]]:
    """The premises in order, each with its parent, landlord, number of direct children and
    service points."""
    if not premise_ids:
        return []
    parent, child = _PARENT, _CHILD
    children = (select(func.count()).select_from(child)
                .where(child.parent_premise_id == Premise.id).scalar_subquery())
    heads = {
        r[0]: r
        for r in session.execute(
            select(Premise.id, Premise.number, Premise.premise_type, Premise.address_line1,
                   Premise.address_line2, Premise.city, parent.number, parent.address_line1,
                   parent.address_line2, parent.city, LandlordAgreement.description, children)
            .outerjoin(parent, parent.id == Premise.parent_premise_id)
            .outerjoin(LandlordAgreement, LandlordAgreement.id == Premise.landlord_agreement_id)
            .where(Premise.id.in_(premise_ids))
        )
    }
    points = load_service_points(session, premise_ids, on)
    rows = []
    for premise_id in premise_ids:
        if premise_id not in heads:
            continue
        (_id, number, ptype, line1, line2, city, p_number, p_line1, p_line2, p_city,
         landlord, count) = heads[premise_id]
        rows.append((premise_id, PremiseRow(
            number=number, address=_address(line1, line2, city), premise_type=ptype.label,
            parent_address=_address(p_line1, p_line2, p_city) if p_number else "",
            landlord=landlord or "", child_count=int(count or 0),
            service_points=tuple(points.get(premise_id, ())), parent_number=p_number or "",
        )))
    return rows


def load_service_points(session: Session, premise_ids: list[int],
                        on: dt.date) -> dict[int, list[ServicePointRow]]:
    """Every service point of the premises with the meter installed on *on* and the agreement
    supplying it (active or pending stop, else pending start): one query, two outer joins."""
    install, link, sa = DeviceInstallation, ServiceAgreementServicePoint, ServiceAgreement
    installed = and_(install.service_point_id == ServicePoint.id, install.meter_id.is_not(None),
                     install.installed_on <= on,
                     or_(install.removed_on.is_(None), install.removed_on > on))
    linked = and_(link.service_point_id == ServicePoint.id,
                  or_(link.end_date.is_(None), link.end_date >= on))
    supplying = and_(sa.id == link.service_agreement_id, sa.status.in_(CURRENT_STATUSES))
    rows = session.execute(
        select(ServicePoint.premise_id, ServicePoint.id, ServicePoint.number,
               ServicePoint.service_type, ServicePoint.consumer_kind,
               ServicePoint.external_pod_ref, Meter.badge_number, sa.number, sa.status,
               sa.start_date)
        .outerjoin(install, installed)
        .outerjoin(Meter, Meter.id == install.meter_id)
        .outerjoin(link, linked)
        .outerjoin(sa, supplying)
        .where(ServicePoint.premise_id.in_(premise_ids))
        .order_by(ServicePoint.premise_id, ServicePoint.service_type, ServicePoint.id)
        .limit(MAX_SERVICE_POINT_ROWS)
    )
    found: dict[int, dict[str, Any]] = {}
    order: list[tuple[int, int]] = []
    for premise_id, sp_id, number, service, kind, pod, badge, sa_number, status, start in rows:
        entry = found.get(sp_id)
        if entry is None:
            entry = found[sp_id] = {"number": number, "service": service.label,
                                    "kind": kind.label, "pod": pod or "", "badge": "", "sa": "",
                                    "status": "", "rank": 9}
            order.append((premise_id, sp_id))
        if badge and not entry["badge"]:
            entry["badge"] = badge
        # Supplying today (active, pending stop) before about to (pending start).
        rank = 1 if status is SAStatus.PENDING_START or (start and start > on) else 0
        if sa_number and rank < entry["rank"]:
            entry.update(sa=sa_number, status=status.label, rank=rank)
    result: dict[int, list[ServicePointRow]] = {}
    for premise_id, sp_id in order:
        e = found[sp_id]
        result.setdefault(premise_id, []).append(ServicePointRow(
            e["number"], e["service"], e["kind"], e["pod"], e["badge"], e["sa"], e["status"]))
    return result
