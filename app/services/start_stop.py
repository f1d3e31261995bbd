"""Start and stop service (spec/60 §B1.6–§B1.7, R-A8, R-A11).

`start_service` creates pending-start agreements on chosen service points of a premise under an
account, in one transaction; `stop_service` puts agreements into pending stop with a date. Both
validate (no two agreements of one service type overlapping on a service point; stop date not
before start), check the caller's authority (an override reason is required when the caller is
not owner or administrator; it is written to the audit trail) and write audit rows.

Audit: every row either action writes carries one reason text, e.g. "Start service requested
by Ngozi Okafor; override (caller is not owner or administrator): tenant's letter on file".
There is no column for "requested by"; the reason text is where it is kept.

Concurrency: the service points (start) or agreements (stop) are locked before the checks —
SELECT … FOR UPDATE on PostgreSQL; on SQLite the write transaction already holds the database's
write lock (BEGIN IMMEDIATE) — so two workstations starting service on one point queue behind
each other and the second sees the first's agreement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import (
    Account,
    Customer,
    Premise,
    ServiceAgreement,
    ServiceAgreementRate,
    ServiceAgreementServicePoint,
    ServicePoint,
)
from app.models.enums import (
    AccountStatus,
    CustomerClass,
    FieldActivityTrigger,
    SAStatus,
    ServiceType,
    UserRole,
)
from app.services.authority import OnCall, OverrideReasonRequired, audit_reason
from app.services.common import get_by_number
from app.services.context import Actor, read_only, transaction
from app.services.errors import ValidationError
from app.services.field_activities import create_for_agreement
from app.services.service_agreements import (
    ServiceAgreementForm,
    ServiceAgreementView,
    create_in,
    request_stop_in,
    view_in,
)

EDITORS = (UserRole.CSR, UserRole.SUPERVISOR)
__all__ = ["OverrideReasonRequired", "StartServiceForm", "StopServiceForm", "start_options",
           "start_service", "stop_service"]

#: What a new occupant gets when the service point had nobody before: (agreement type, rate)
#: per service type and customer class. These are the demo utility's rate codes.
_RESIDENTIAL = {
    ServiceType.ELECTRIC: ("E-RES", "E-RES-1"),
    ServiceType.GAS: ("G-RES", "G-RES-1"),
    ServiceType.WATER: ("W-RES", "W-RES-1"),
}
_BUSINESS = {
    ServiceType.ELECTRIC: ("E-COM", "E-COM-1"),
    ServiceType.GAS: ("G-COM", "G-COM-1"),
    ServiceType.WATER: ("W-COM", "W-COM-1"),
}
DEFAULT_AGREEMENTS: dict[tuple[ServiceType, CustomerClass], tuple[str, str]] = {
    (service, cls): (_RESIDENTIAL if cls is CustomerClass.RESIDENTIAL else _BUSINESS)[service]
    for service in ServiceType
    for cls in CustomerClass
}

STOPPABLE = (SAStatus.PENDING_START, SAStatus.ACTIVE)


@dataclass(frozen=True)
class StartOption:
    """What starting service on one service point would create (for the dialog)."""

    service_point_number: str
    service_type: str
    pod_ref: str
    sa_type: str                 # proposed: what the previous occupant had, else the default
    rate_schedule_code: str
    #: "" when it can start; otherwise why not (e.g. "supplied by SA … until …").
    blocked_reason: str
    #: The agreement the proposal was copied from; "" when it is the default.
    previous_sa_number: str = ""
    premise_number: str = ""


@dataclass(frozen=True)
class StartServiceForm:
    account_number: str
    premise_number: str
    service_point_numbers: tuple[str, ...]
    start_date: dt.date
    requested_by: str = ""
    caller_party_number: str | None = None
    override_reason: str = ""


@dataclass(frozen=True)
class StopServiceForm:
    account_number: str
    service_agreement_numbers: tuple[str, ...]
    stop_date: dt.date
    requested_by: str = ""
    caller_party_number: str | None = None
    override_reason: str = ""


# ------------------------------------------------------------------------------ start


def options_in(session: Session, account: Account, premises: Sequence[Premise],
               start_date: dt.date) -> list[StartOption]:
    """One option per service point of the premises (in the premises' order, then service
    type and number): the previous occupant's agreement type and latest rate (else the default
    for the customer class), and why it cannot start, if so."""
    customer_class = session.scalar(
        select(Customer.customer_class).where(Customer.id == account.customer_id)
    )
    assert customer_class is not None
    order = {p.id: i for i, p in enumerate(premises)}
    numbers = {p.id: p.number for p in premises}
    points = sorted(session.scalars(
        select(ServicePoint).where(ServicePoint.premise_id.in_(list(order)))
    ), key=lambda sp: (order[sp.premise_id], sp.service_type, sp.number))
    if not points:
        return []
    found = session.execute(
        select(ServiceAgreementServicePoint.service_point_id, ServiceAgreement, Account.number)
        .join(ServiceAgreement,
              ServiceAgreement.id == ServiceAgreementServicePoint.service_agreement_id)
        .join(Account, Account.id == ServiceAgreement.account_id)
        .where(ServiceAgreementServicePoint.service_point_id.in_([sp.id for sp in points]),
               ServiceAgreement.is_proposal.is_(False),
               ServiceAgreement.status != SAStatus.CANCELED)
        .order_by(ServiceAgreement.start_date, ServiceAgreement.id)
    ).all()
    previous: dict[int, ServiceAgreement] = {}
    blocking: dict[int, tuple[ServiceAgreement, str]] = {}
    for sp_id, sa, account_number in found:
        if sa.start_date < start_date:
            previous[sp_id] = sa  # rows are oldest first: the last one wins
        if (sa.end_date is None or sa.end_date >= start_date) and sp_id not in blocking:
            blocking[sp_id] = (sa, account_number)
    latest_rate: dict[int, str] = {}
    if previous:
        for sa_id, code in session.execute(
            select(ServiceAgreementRate.service_agreement_id,
                   ServiceAgreementRate.rate_schedule_code)
            .where(ServiceAgreementRate.service_agreement_id.in_(
                [sa.id for sa in previous.values()]))
            .order_by(ServiceAgreementRate.effective_from)
        ):
            latest_rate[sa_id] = code
    options = []
    for sp in points:
        sa_type, rate = DEFAULT_AGREEMENTS[(sp.service_type, customer_class)]
        before = previous.get(sp.id)
        if before is not None and before.service_type is sp.service_type:
            sa_type, rate = before.sa_type, latest_rate.get(before.id, rate)
        reason = ""
        if sp.id in blocking:
            other, other_account = blocking[sp.id]
            until = (f"to {other.end_date:%Y-%m-%d}" if other.end_date else "with no end date")
            reason = (f"supplied by agreement {other.number} (account {other_account}, "
                      f"{other.status.label.lower()}) from {other.start_date:%Y-%m-%d} {until}")
        options.append(StartOption(
            sp.number, sp.service_type, sp.external_pod_ref or "", sa_type, rate, reason,
            before.number if before is not None and before.service_type is sp.service_type
            else "",
            numbers[sp.premise_id],
        ))
    return options


def start_options(db: Database, account_number: str, premise_number: str,
                  start_date: dt.date) -> list[StartOption]:
    """What starting service at the premise on `start_date` would create, per service point."""
    with read_only(db) as session:
        account = get_by_number(session, Account, account_number, "account", "account")
        premise = get_by_number(session, Premise, premise_number, "premise", "premise")
        return options_in(session, account, [premise], start_date)


def start_service(db: Database, actor: Actor, form: StartServiceForm) -> list[ServiceAgreementView]:
    """One pending-start agreement per chosen service point, all or nothing (§B1.6); returned
    in the order of `start_options` (service type, then service point number)."""
    actor.require("start service", *EDITORS)
    if not form.service_point_numbers:
        raise ValidationError("Choose at least one service point to start.", "service_points")
    reason = audit_reason(db, form.account_number, OnCall(
        form.caller_party_number, form.override_reason, form.requested_by), "start service")
    with transaction(db, actor, reason=reason) as session:
        account = get_by_number(session, Account, form.account_number, "account", "account")
        if account.status is AccountStatus.CLOSED:
            raise ValidationError(
                f"Account {account.number} is closed; open a new account for the customer to "
                "start service.",
                "account",
            )
        premise = get_by_number(session, Premise, form.premise_number, "premise", "premise")
        points = [  # locked, in number order, before anything is checked
            get_by_number(session, ServicePoint, n, "service point", "service_points", lock=True)
            for n in sorted(set(form.service_point_numbers))
        ]
        for sp in points:
            if sp.premise_id != premise.id:
                raise ValidationError(
                    f"Service point {sp.number} is not at premise {premise.number}; choose the "
                    "premise's own service points. Nothing was started.",
                    "service_points",
                )
        options = {o.service_point_number: o
                   for o in options_in(session, account, [premise], form.start_date)}
        blocked = [options[sp.number] for sp in points if options[sp.number].blocked_reason]
        if blocked:
            raise ValidationError(
                "Nothing was started: "
                + "; ".join(f"service point {o.service_point_number} "
                            f"({ServiceType(o.service_type).label.lower()}) is "
                            f"{o.blocked_reason}" for o in blocked)
                + ". Stop those agreements first or start after they end.",
                "service_points",
            )
        created = [
            create_in(session, ServiceAgreementForm(
                account.number, options[sp.number].sa_type, sp.service_type, (sp.number,),
                form.start_date, options[sp.number].rate_schedule_code,
            ))
            for sp in sorted(points, key=lambda p: (p.service_type, p.number))
        ]
        for sa in created:       # the field work starting service needs, where configured
            create_for_agreement(session, sa, FieldActivityTrigger.START, form.start_date)
        return [view_in(session, sa) for sa in created]


# ------------------------------------------------------------------------------ stop


def stop_service(db: Database, actor: Actor, form: StopServiceForm) -> list[ServiceAgreementView]:
    """Stop the account's pending-start or active agreements on one date, all or nothing
    (§B1.7): active ones become pending stop; pending-start ones keep their status and get the
    stop date as their end date."""
    actor.require("stop service", *EDITORS)
    if not form.service_agreement_numbers:
        raise ValidationError("Choose at least one agreement to stop.", "service_agreements")
    reason = audit_reason(db, form.account_number, OnCall(
        form.caller_party_number, form.override_reason, form.requested_by), "stop service")
    with transaction(db, actor, reason=reason) as session:
        account = get_by_number(session, Account, form.account_number, "account", "account")
        stopped = []
        for number in sorted(set(form.service_agreement_numbers)):
            sa = get_by_number(session, ServiceAgreement, number, "service agreement",
                               "service_agreements", lock=True)
            if sa.account_id != account.id:
                owner = session.get(Account, sa.account_id)
                assert owner is not None
                raise ValidationError(
                    f"Agreement {sa.number} belongs to account {owner.number}, not "
                    f"{account.number}. Nothing was stopped.",
                    "service_agreements",
                )
            if sa.status not in STOPPABLE:
                raise ValidationError(
                    f"Agreement {sa.number} is {sa.status.label.lower()}; only pending-start "
                    "and active agreements can be stopped. Nothing was stopped.",
                    "service_agreements",
                )
            if form.stop_date < sa.start_date:
                raise ValidationError(
                    f"Agreement {sa.number} starts on {sa.start_date:%Y-%m-%d}; the stop date "
                    f"{form.stop_date:%Y-%m-%d} is before that. Choose a stop date on or after "
                    "the start. Nothing was stopped.",
                    "stop_date",
                )
            request_stop_in(session, sa, form.stop_date)
            create_for_agreement(session, sa, FieldActivityTrigger.STOP, form.stop_date)
            stopped.append(sa)
        return [view_in(session, sa) for sa in stopped]
