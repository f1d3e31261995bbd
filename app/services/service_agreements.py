"""Service agreements: an account's contract on service points, its lifecycle and rate history.

Capacity rule: two agreements that are not canceled never overlap on one service point. The
service point rows are locked (SELECT … FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite)
before the check, so two workstations starting service on one point cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from app.db import Database
from app.models import (
    Account,
    Customer,
    LoanAgreement,
    Party,
    PartyRole,
    ServiceAgreement,
    ServiceAgreementRate,
    ServiceAgreementServicePoint,
    ServicePoint,
)
from app.models.enums import RoleTarget, RoleType, SAStatus, ServiceType, UserRole
from app.services.common import (
    check_period,
    check_version,
    get_by_number,
    new_number,
    periods_overlap,
    required_text,
)
from app.services.context import Actor, read_only, transaction
from app.services.errors import ValidationError
from app.services.roles import add_role_in

EDITORS = (UserRole.CSR, UserRole.SUPERVISOR)


@dataclass(frozen=True)
class ServiceAgreementForm:
    account_number: str
    sa_type: str
    service_type: ServiceType
    service_point_numbers: tuple[str, ...]
    start_date: dt.date
    rate_schedule_code: str
    end_date: dt.date | None = None
    holder_party_number: str | None = None


@dataclass(frozen=True)
class RatePeriod:
    effective_from: dt.date
    rate_schedule_code: str


@dataclass(frozen=True)
class ServiceAgreementView:
    number: str
    account_number: str
    sa_type: str
    service_type: ServiceType
    status: SAStatus
    start_date: dt.date
    end_date: dt.date | None
    service_point_numbers: tuple[str, ...]
    rate_history: tuple[RatePeriod, ...]
    version: int

    def rate_on(self, day: dt.date) -> str | None:
        current = None
        for period in self.rate_history:
            if period.effective_from <= day:
                current = period.rate_schedule_code
        return current


def view_in(session: Session, sa: ServiceAgreement) -> ServiceAgreementView:
    account = session.get(Account, sa.account_id)
    assert account is not None
    sps = session.scalars(
        select(ServicePoint.number)
        .join(
            ServiceAgreementServicePoint,
            ServiceAgreementServicePoint.service_point_id == ServicePoint.id,
        )
        .where(ServiceAgreementServicePoint.service_agreement_id == sa.id)
        .order_by(ServicePoint.number)
    )
    rates = session.scalars(
        select(ServiceAgreementRate)
        .where(ServiceAgreementRate.service_agreement_id == sa.id)
        .order_by(ServiceAgreementRate.effective_from)
    )
    return ServiceAgreementView(
        sa.number,
        account.number,
        sa.sa_type,
        sa.service_type,
        sa.status,
        sa.start_date,
        sa.end_date,
        tuple(sps),
        tuple(RatePeriod(r.effective_from, r.rate_schedule_code) for r in rates),
        sa.version,
    )


def _check_no_overlap(
    session: Session, sp: ServicePoint, start: dt.date, end: dt.date | None, own_id: int | None
) -> None:
    others = session.execute(
        select(ServiceAgreement, Account.number)
        .join(
            ServiceAgreementServicePoint,
            ServiceAgreementServicePoint.service_agreement_id == ServiceAgreement.id,
        )
        .join(Account, ServiceAgreement.account_id == Account.id)
        .where(
            ServiceAgreementServicePoint.service_point_id == sp.id,
            ServiceAgreement.is_proposal.is_(False),
            ServiceAgreement.status != SAStatus.CANCELED,
        )
    )
    for other, account_number in others:
        if other.id != own_id and periods_overlap(start, end, other.start_date, other.end_date):
            until = f" to {other.end_date:%Y-%m-%d}" if other.end_date else " with no end date"
            raise ValidationError(
                f"Service point {sp.number} is already supplied by agreement {other.number} "
                f"(account {account_number}) from {other.start_date:%Y-%m-%d}{until}. Stop that "
                "agreement first, or start this one after it ends.",
                "start_date",
            )


def create_in(session: Session, form: ServiceAgreementForm) -> ServiceAgreement:
    """Start service inside an open transaction: a pending-start agreement on the given service
    points, its first rate and its holder (the account owner unless one is named). The service
    points are locked before the no-overlap check (start/stop reuses this)."""
    sa_type = required_text(form.sa_type, "sa_type", "the agreement type", 30).upper()
    rate = required_text(form.rate_schedule_code, "rate_schedule_code", "the rate", 30).upper()
    check_period(form.start_date, form.end_date, "end_date", "stop date")
    if not form.service_point_numbers:
        raise ValidationError("Choose at least one service point to supply.", "service_points")
    account = get_by_number(session, Account, form.account_number, "account", "account")
    sps = [
        get_by_number(session, ServicePoint, n, "service point", "service_points", lock=True)
        for n in sorted(set(form.service_point_numbers))
    ]
    for sp in sps:
        if sp.service_type is not form.service_type:
            raise ValidationError(
                f"Service point {sp.number} is {sp.service_type.label.lower()}, but this is a "
                f"{form.service_type.label.lower()} agreement.",
                "service_points",
            )
        _check_no_overlap(session, sp, form.start_date, form.end_date, None)
    sa = ServiceAgreement(
        number=new_number(session, ServiceAgreement),
        account_id=account.id,
        sa_type=sa_type,
        service_type=form.service_type,
        start_date=form.start_date,
        end_date=form.end_date,
        status=SAStatus.PENDING_START,
    )
    session.add(sa)
    session.flush()
    for sp in sps:
        session.add(
            ServiceAgreementServicePoint(
                service_agreement_id=sa.id,
                service_point_id=sp.id,
                start_date=form.start_date,
                end_date=form.end_date,
            )
        )
    session.add(
        ServiceAgreementRate(
            service_agreement_id=sa.id, effective_from=form.start_date, rate_schedule_code=rate
        )
    )
    if form.holder_party_number:
        holder = get_by_number(
            session, Party, form.holder_party_number, "person or organisation", "holder"
        )
    else:
        customer = session.get(Customer, account.customer_id)
        assert customer is not None
        holder = session.get(Party, customer.legal_party_id)  # type: ignore[assignment]
        assert holder is not None
    add_role_in(
        session,
        holder,
        RoleType.HOLDER,
        RoleTarget.SERVICE_AGREEMENT,
        sa,
        form.start_date,
        form.end_date,
    )
    session.flush()
    return sa


def create_service_agreement(
    db: Database, actor: Actor, form: ServiceAgreementForm
) -> ServiceAgreementView:
    """Start service: a pending-start agreement on the given service points."""
    actor.require("start service", *EDITORS)
    with transaction(db, actor) as session:
        return view_in(session, create_in(session, form))


_TRANSITIONS: dict[SAStatus, frozenset[SAStatus]] = {
    SAStatus.PENDING_START: frozenset({SAStatus.ACTIVE, SAStatus.CANCELED}),
    SAStatus.ACTIVE: frozenset({SAStatus.PENDING_STOP}),
    SAStatus.PENDING_STOP: frozenset({SAStatus.STOPPED, SAStatus.ACTIVE}),
    SAStatus.STOPPED: frozenset({SAStatus.CLOSED}),
    SAStatus.CLOSED: frozenset(),
    SAStatus.CANCELED: frozenset(),
}


def _refuse_loan(sa: ServiceAgreement) -> None:
    """A loan moves through its own lifecycle (principal booked on activation, a final bill on
    the stop), never through the generic one."""
    session = object_session(sa)
    if session is not None and session.get(LoanAgreement, sa.id) is not None:
        raise ValidationError(
            f"Agreement {sa.number} is a loan: activate, pay off, stop or cancel it on the "
            "Loans pane.", "status")


def _transition(sa: ServiceAgreement, to: SAStatus) -> None:
    _refuse_loan(sa)
    if sa.is_proposal:
        raise ValidationError(
            f"Agreement {sa.number} is a proposal: it moves through its quote (Make Quotable, "
            "Accept, Decline, Cancel), not through start and stop.", "status")
    if to not in _TRANSITIONS.get(sa.status, frozenset()):
        raise ValidationError(
            f"Agreement {sa.number} is {sa.status.label.lower()}; it cannot become "
            f"{to.label.lower()}.",
            "status",
        )
    sa.status = to


def _move(
    db: Database, actor: Actor, number: str, expected_version: int, to: SAStatus, action: str
) -> ServiceAgreementView:
    """A lifecycle step that changes nothing but the status."""
    actor.require(action, *EDITORS)
    with transaction(db, actor) as session:
        sa = get_by_number(
            session, ServiceAgreement, number, "service agreement", "service_agreement"
        )
        check_version(sa, expected_version, f"Agreement {sa.number}")
        _transition(sa, to)
        session.flush()
        return view_in(session, sa)


def activate(
    db: Database, actor: Actor, number: str, expected_version: int
) -> ServiceAgreementView:
    return _move(db, actor, number, expected_version, SAStatus.ACTIVE, "activate service")


def complete_stop(
    db: Database, actor: Actor, number: str, expected_version: int
) -> ServiceAgreementView:
    return _move(db, actor, number, expected_version, SAStatus.STOPPED, "stop service")


def cancel(db: Database, actor: Actor, number: str, expected_version: int) -> ServiceAgreementView:
    return _move(db, actor, number, expected_version, SAStatus.CANCELED, "cancel service")


def request_stop_in(session: Session, sa: ServiceAgreement, stop_date: dt.date) -> None:
    """Stop service inside an open transaction: the stop date goes on the agreement, its
    service point links and its holder role. An active agreement becomes pending stop; a
    pending-start one keeps its status and simply gets its end date (as if it had been started
    with one), so it stops on that date once activated. A pending-stop one may be stopped
    earlier than planned (a back-to-back start, spec/60 §B1.6), never later."""
    check_period(sa.start_date, stop_date, "stop_date", "stop date")
    if sa.status is SAStatus.PENDING_STOP:
        if sa.end_date is not None and stop_date > sa.end_date:
            raise ValidationError(
                f"Agreement {sa.number} already stops on {sa.end_date:%Y-%m-%d}; it cannot be "
                "stopped later than that.",
                "stop_date",
            )
    elif sa.status is not SAStatus.PENDING_START:
        _transition(sa, SAStatus.PENDING_STOP)
    sa.end_date = stop_date
    for link in session.scalars(
        select(ServiceAgreementServicePoint).where(
            ServiceAgreementServicePoint.service_agreement_id == sa.id
        )
    ):
        if link.end_date is None or link.end_date > stop_date:
            link.end_date = max(stop_date, link.start_date)
    for role in session.scalars(
        select(PartyRole).where(
            PartyRole.service_agreement_id == sa.id, PartyRole.role_type == RoleType.HOLDER
        )
    ):
        if role.effective_to is None or role.effective_to > stop_date:
            role.effective_to = max(stop_date, role.effective_from)
    session.flush()


def request_stop(
    db: Database, actor: Actor, number: str, expected_version: int, stop_date: dt.date
) -> ServiceAgreementView:
    """Stop service: pending stop with an end date on the agreement and its service points."""
    actor.require("stop service", *EDITORS)
    with transaction(db, actor) as session:
        sa = get_by_number(
            session, ServiceAgreement, number, "service agreement", "service_agreement"
        )
        check_version(sa, expected_version, f"Agreement {sa.number}")
        request_stop_in(session, sa, stop_date)
        return view_in(session, sa)


def change_rate(
    db: Database, actor: Actor, number: str, effective_from: dt.date, rate_schedule_code: str
) -> ServiceAgreementView:
    actor.require("change rates", UserRole.CSR, UserRole.SUPERVISOR, UserRole.RATE_ANALYST)
    code = required_text(rate_schedule_code, "rate_schedule_code", "the rate", 30).upper()
    with transaction(db, actor) as session:
        sa = get_by_number(
            session, ServiceAgreement, number, "service agreement", "service_agreement", lock=True
        )
        if effective_from < sa.start_date:
            raise ValidationError(
                f"The agreement starts on {sa.start_date:%Y-%m-%d}; a rate change cannot take "
                "effect before that.",
                "effective_from",
            )
        if sa.end_date is not None and effective_from > sa.end_date:
            raise ValidationError(
                f"The agreement ends on {sa.end_date:%Y-%m-%d}; a rate change cannot take "
                "effect after that.",
                "effective_from",
            )
        if session.scalar(
            select(ServiceAgreementRate.id).where(
                ServiceAgreementRate.service_agreement_id == sa.id,
                ServiceAgreementRate.effective_from == effective_from,
            )
        ):
            raise ValidationError(
                f"The agreement already has a rate from {effective_from:%Y-%m-%d}.",
                "effective_from",
            )
        session.add(
            ServiceAgreementRate(
                service_agreement_id=sa.id, effective_from=effective_from, rate_schedule_code=code
            )
        )
        session.flush()
        return view_in(session, sa)


def rates_on(session: Session, agreements: list[ServiceAgreement], on: dt.date) -> dict[int, str]:
    """Agreement id → its rate on `on` (on its end date when it ended earlier, its first rate
    when it starts later), read in one query; the account tree labels agreements with it."""
    if not agreements:
        return {}
    history: dict[int, list[tuple[dt.date, str]]] = {}
    for sa_id, start, code in session.execute(
        select(ServiceAgreementRate.service_agreement_id, ServiceAgreementRate.effective_from,
               ServiceAgreementRate.rate_schedule_code)
        .where(ServiceAgreementRate.service_agreement_id.in_([sa.id for sa in agreements]))
        .order_by(ServiceAgreementRate.service_agreement_id, ServiceAgreementRate.effective_from)
    ):
        history.setdefault(sa_id, []).append((start, code))
    rates = {}
    for sa in agreements:
        periods = history.get(sa.id, [])
        day = min(on, sa.end_date) if sa.end_date else on
        current = [code for start, code in periods if start <= day]
        if current or periods:
            rates[sa.id] = current[-1] if current else periods[0][1]
    return rates


def get_service_agreement(db: Database, number: str) -> ServiceAgreementView:
    with read_only(db) as session:
        return view_in(
            session,
            get_by_number(
                session, ServiceAgreement, number, "service agreement", "service_agreement"
            ),
        )


def agreements_of_account(db: Database, account_number: str) -> list[ServiceAgreementView]:
    with read_only(db) as session:
        account = get_by_number(session, Account, account_number, "account", "account")
        sas = session.scalars(
            select(ServiceAgreement)
            .where(ServiceAgreement.account_id == account.id,
                   ServiceAgreement.is_proposal.is_(False))
            .order_by(ServiceAgreement.start_date, ServiceAgreement.id)
        )
        return [view_in(session, sa) for sa in sas]
