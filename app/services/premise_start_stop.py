"""Start and stop service for many premises at once (spec/60 §B1.6–§B1.7): the "Start SA Groups"
and "Stop SA Groups" confirmations of Premise Management.

    request = MassStartRequest("<account>", dt.date(2026, 12, 1), refs, include_children=True)
    plan = start_plan(db, request)                  # "Show SA Groups"
    chosen = [g.key for g in plan.groups if g.default_on]
    result = mass_start(db, actor, request, chosen)

An SA group is (service type, agreement type): every service point of the premise set gets the
agreement type the start logic proposes for it (what the previous occupant had, else the default
for the customer class), and the points with the same proposal form one group. A group is on by
default when none of its premises had a previous customer, or when a previous customer of its
premises used its agreement type (L10952–10958).

Starting creates one pending-start agreement per service point of the ticked groups, with the
point's proposed rate, and stops back to back any other account's live agreement on the point:
its last day becomes the day before the new start (periods are inclusive, so this is CCB's "stop
date = start date"). Stopping puts every pending-start or active agreement of the ticked groups
on the premises' service points into pending stop. Both run in one transaction; any problem
lists the premises and service points it concerns and saves nothing.

Mass actions are back-office work, not a call: there is no caller to check (R-A8); "requested
by" goes to the audit reason of every row written.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import (
    Account,
    Premise,
    ServiceAgreement,
    ServiceAgreementServicePoint,
    ServicePoint,
)
from app.models.enums import AccountStatus, SAStatus, ServiceType, UserRole
from app.services.common import get_by_number, optional_text
from app.services.context import Actor, read_only, transaction
from app.services.errors import ValidationError
from app.services.premise_management import PremiseRef, chosen_premises
from app.services.premises import address_summary
from app.services.service_agreements import ServiceAgreementForm, create_in, request_stop_in
from app.services.start_stop import STOPPABLE, StartOption, options_in

EDITORS = (UserRole.CSR, UserRole.SUPERVISOR)
#: Agreements another account can be stopped out of by a back-to-back start.
LIVE = (SAStatus.PENDING_START, SAStatus.ACTIVE, SAStatus.PENDING_STOP)

GroupKey = tuple[ServiceType, str]


@dataclass(frozen=True)
class MassStartRequest:
    account_number: str
    start_date: dt.date
    premises: tuple[PremiseRef, ...]
    include_children: bool = False
    #: Service point types the CSR unticked: their points are left out of the groups.
    excluded_service_types: frozenset[ServiceType] = frozenset()
    requested_by: str = ""


@dataclass(frozen=True)
class MassStopRequest:
    stop_date: dt.date
    premises: tuple[PremiseRef, ...]
    include_children: bool = False
    #: Only this account's agreements are stopped; "" = every account's.
    restrict_to_account: str = ""
    requested_by: str = ""


@dataclass(frozen=True)
class ServicePointTypeCount:
    service_type: ServiceType
    count: int
    included: bool


@dataclass(frozen=True)
class BackToBack:
    """Another account's agreement a start would stop the day before."""

    sa_number: str
    account_number: str
    service_point_number: str
    premise_number: str


@dataclass(frozen=True)
class StartGroup:
    service_type: ServiceType
    sa_type: str
    #: (service point, proposed rate) of every point the group would start.
    starts: tuple[tuple[str, str], ...]
    premise_count: int
    default_on: bool
    #: Why it is on or off, premise by premise (the row's tooltip).
    detail: str
    #: Service points of the group that cannot start, each with why.
    problems: tuple[str, ...] = ()
    back_to_back: tuple[BackToBack, ...] = ()

    @property
    def key(self) -> GroupKey:
        return (self.service_type, self.sa_type)

    @property
    def service_points(self) -> tuple[str, ...]:
        return tuple(point for point, _rate in self.starts)

    @property
    def rates(self) -> tuple[str, ...]:
        return tuple(sorted({rate for _point, rate in self.starts}))

    @property
    def summary(self) -> str:
        """"3 service agreements will be created for 3 service points" (one per point)."""
        n = len(self.starts)
        return (f"{_plural(n, 'service agreement')} will be created for "
                f"{_plural(n, 'service point')}")


@dataclass(frozen=True)
class StartPlan:
    premise_count: int
    service_point_types: tuple[ServicePointTypeCount, ...]
    groups: tuple[StartGroup, ...]


@dataclass(frozen=True)
class StopGroup:
    service_type: ServiceType
    sa_type: str
    agreements: tuple[str, ...]
    account_count: int
    problems: tuple[str, ...] = ()

    @property
    def key(self) -> GroupKey:
        return (self.service_type, self.sa_type)


@dataclass(frozen=True)
class StopPlan:
    premise_count: int
    groups: tuple[StopGroup, ...]


@dataclass(frozen=True)
class MassServiceResult:
    agreements: tuple[str, ...]
    back_to_back: tuple[str, ...] = field(default=())
    message: str = ""


def _reason(requested_by: str, action: str) -> str | None:
    who = optional_text(requested_by, "requested_by", "who requested it", 100)
    return f"{action} requested by {who} (Premise Management)" if who else None


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


G = TypeVar("G", StartGroup, StopGroup)


def _chosen_groups(plan: Sequence[G], chosen: Sequence[GroupKey], done: str, advice: str,
                   field: str) -> list[G]:
    """The ticked groups as the plan now reads them, inside the saving transaction: refused
    when one no longer exists (someone else started or stopped service meanwhile) or when any
    of them has a problem, every problem listed."""
    by_key = {g.key: g for g in plan}
    if any(key not in by_key for key in chosen):
        raise ValidationError(
            "The SA groups changed since they were shown (someone else started or stopped "
            f"service here). Nothing was {done}; press Show SA Groups again.", "groups")
    groups = [by_key[key] for key in sorted(set(chosen))]
    problems = [p for g in groups for p in g.problems]
    if problems:
        raise ValidationError(f"Nothing was {done}: " + "; ".join(problems) + advice, field)
    return groups


# ------------------------------------------------------------------------------ start


def _start_account(session: Session, number: str) -> Account:
    account = get_by_number(session, Account, number, "account", "account")
    if account.status is AccountStatus.CLOSED:
        raise ValidationError(f"Account {account.number} is closed; open a new account for the "
                              "customer to start service.", "account")
    return account


def _plan_in(session: Session, account: Account, premises: list[Premise],
             request: MassStartRequest) -> StartPlan:
    day = request.start_date
    options = options_in(session, account, premises, day)
    type_counts = Counter(ServiceType(o.service_type) for o in options)
    included = [o for o in options
                if ServiceType(o.service_type) not in request.excluded_service_types]
    by_number = {p.number: p for p in premises}
    sp_ids = dict(session.execute(select(ServicePoint.number, ServicePoint.id).where(
        ServicePoint.number.in_([o.service_point_number for o in included])))
        .all()) if included else {}
    overlapping: dict[int, list[tuple[ServiceAgreement, str]]] = defaultdict(list)
    if sp_ids:
        for sp_id, sa, account_number in session.execute(
            select(ServiceAgreementServicePoint.service_point_id, ServiceAgreement,
                   Account.number)
            .join(ServiceAgreement,
                  ServiceAgreement.id == ServiceAgreementServicePoint.service_agreement_id)
            .join(Account, Account.id == ServiceAgreement.account_id)
            .where(ServiceAgreementServicePoint.service_point_id.in_(list(sp_ids.values())),
                   ServiceAgreement.is_proposal.is_(False),
                   ServiceAgreement.status != SAStatus.CANCELED)
        ):
            if sa.end_date is None or sa.end_date >= day:
                overlapping[sp_id].append((sa, account_number))
    #: Per premise, the agreement types its previous customers had (none: no previous one).
    used: dict[str, set[str]] = defaultdict(set)
    for o in options:
        if o.previous_sa_number:
            used[o.premise_number].add(o.sa_type)
    grouped: dict[GroupKey, list[StartOption]] = defaultdict(list)
    for option in included:
        grouped[(ServiceType(option.service_type), option.sa_type)].append(option)
    groups = []
    for key in sorted(grouped):
        opts = grouped[key]
        problems, stops = [], []
        for o in opts:
            for sa, other_account in overlapping[sp_ids[o.service_point_number]]:
                where = f"premise {o.premise_number}, service point {o.service_point_number}"
                if sa.account_id == account.id:
                    problems.append(f"{where} is already supplied by this account's agreement "
                                    f"{sa.number} ({sa.status.label.lower()})")
                elif sa.status not in LIVE or sa.start_date >= day:
                    problems.append(
                        f"{where}: agreement {sa.number} of account {other_account} "
                        f"({sa.status.label.lower()}, from {sa.start_date:%Y-%m-%d}) cannot be "
                        "stopped the day before; start after it ends")
                else:
                    stops.append(BackToBack(sa.number, other_account, o.service_point_number,
                                            o.premise_number))
        premise_numbers = sorted({o.premise_number for o in opts})
        # On when one of its premises qualifies: no previous customer, or one who had this type.
        on = any(n not in used or key[1] in used[n] for n in premise_numbers)
        groups.append(StartGroup(
            key[0], key[1], tuple((o.service_point_number, o.rate_schedule_code) for o in opts),
            len(premise_numbers), on, _group_detail(opts, by_number, on),
            tuple(problems), tuple(stops)))
    types = tuple(ServicePointTypeCount(t, type_counts[t], t not in request.excluded_service_types)
                  for t in sorted(type_counts))
    return StartPlan(len(premises), types, tuple(groups))


def _group_detail(opts: list[StartOption], premises: dict[str, Premise], on: bool) -> str:
    """Premise by premise, what the previous customer had (the group row's tooltip)."""
    previous: dict[str, str] = {}
    for o in opts:
        if o.previous_sa_number:
            previous.setdefault(o.premise_number, o.sa_type)
    numbers = sorted({o.premise_number for o in opts})
    lines = [f"{address_summary(premises[n])}: "
             + (f"previous customer had {previous[n]}" if n in previous
                else "no previous customer") for n in numbers[:20]]
    if len(numbers) > 20:
        lines.append(f"… and {len(numbers) - 20:,} more premises")
    if not on:
        lines.append("Off by default: the previous customers here had other agreement types. "
                     "Tick it to start it anyway.")
    return "\n".join(lines)


def start_plan(db: Database, request: MassStartRequest) -> StartPlan:
    """"Show SA Groups": the service point types of the premise set with their counts, and the
    agreement groups a start would create (§B1.6)."""
    with read_only(db) as session:
        account = _start_account(session, request.account_number)
        premises = chosen_premises(session, request.premises,
                                   include_children=request.include_children, lock=False)
        return _plan_in(session, account, premises, request)


def mass_start(db: Database, actor: Actor, request: MassStartRequest,
               chosen: Sequence[GroupKey]) -> MassServiceResult:
    """Start the ticked groups: one pending-start agreement per service point, other accounts'
    live agreements on those points stopped back to back; all or nothing."""
    actor.require("start service", *EDITORS)
    if not chosen:
        raise ValidationError("Tick at least one SA group to start.", "groups")
    with transaction(db, actor, reason=_reason(request.requested_by, "Start service")) as session:
        account = _start_account(session, request.account_number)
        premises = chosen_premises(session, request.premises,
                                   include_children=request.include_children)
        # The service points are locked before anything is checked (two CSRs, one point).
        list(session.scalars(select(ServicePoint.id).where(
            ServicePoint.premise_id.in_([p.id for p in premises]))
            .order_by(ServicePoint.id).with_for_update()))
        groups = _chosen_groups(_plan_in(session, account, premises, request).groups, chosen,
                                "started", ".", "groups")
        stopped = []
        for group in groups:
            for stop in group.back_to_back:
                sa = get_by_number(session, ServiceAgreement, stop.sa_number,
                                   "service agreement", "groups", lock=True)
                request_stop_in(session, sa, request.start_date - dt.timedelta(days=1))
                stopped.append(sa.number)
        created = []
        for group in groups:
            for sp_number, rate in group.starts:
                sa = create_in(session, ServiceAgreementForm(
                    account.number, group.sa_type, group.service_type, (sp_number,),
                    request.start_date, rate))
                created.append(sa.number)
        message = (f"{_plural(len(created), 'agreement')} pending start on "
                   f"{request.start_date:%Y-%m-%d} for account {account.number}")
        if stopped:
            message += (f"; {_plural(len(stopped), 'agreement')} of other accounts stop on "
                        f"{request.start_date - dt.timedelta(days=1):%Y-%m-%d}")
        return MassServiceResult(tuple(created), tuple(stopped), message + ".")


# ------------------------------------------------------------------------------ stop


def _stop_plan_in(session: Session, premises: list[Premise], request: MassStopRequest
                  ) -> StopPlan:
    account_id = (get_by_number(session, Account, request.restrict_to_account, "account",
                                "restrict_to_account").id
                  if request.restrict_to_account.strip() else None)
    query = (
        select(ServiceAgreement, ServicePoint.number, Premise.number)
        .join(ServiceAgreementServicePoint,
              ServiceAgreementServicePoint.service_agreement_id == ServiceAgreement.id)
        .join(ServicePoint, ServicePoint.id == ServiceAgreementServicePoint.service_point_id)
        .join(Premise, Premise.id == ServicePoint.premise_id)
        .where(ServicePoint.premise_id.in_([p.id for p in premises]),
               ServiceAgreement.status.in_(STOPPABLE),
               # one that already ends by the stop date has nothing to stop
               or_(ServiceAgreement.end_date.is_(None),
                   ServiceAgreement.end_date > request.stop_date))
        .order_by(ServiceAgreement.number)
    )
    if account_id is not None:
        query = query.where(ServiceAgreement.account_id == account_id)
    grouped: dict[GroupKey, dict[str, ServiceAgreement]] = defaultdict(dict)
    where: dict[str, str] = {}
    for sa, sp_number, premise_number in session.execute(query):
        grouped[(sa.service_type, sa.sa_type)][sa.number] = sa
        where.setdefault(sa.number, f"premise {premise_number}, service point {sp_number}")
    groups = []
    for key in sorted(grouped):
        agreements = grouped[key]
        problems = tuple(
            f"{where[n]}: agreement {n} starts on {sa.start_date:%Y-%m-%d}, after the stop date"
            for n, sa in agreements.items() if sa.start_date > request.stop_date)
        groups.append(StopGroup(key[0], key[1], tuple(agreements),
                                len({sa.account_id for sa in agreements.values()}), problems))
    return StopPlan(len(premises), tuple(groups))


def stop_plan(db: Database, request: MassStopRequest) -> StopPlan:
    """"Show SA Groups" of the stop dialog: the pending-start and active agreements on the
    premises' service points that do not already end by the stop date, grouped by (service
    type, agreement type), §B1.7."""
    with read_only(db) as session:
        premises = chosen_premises(session, request.premises,
                                   include_children=request.include_children, lock=False)
        return _stop_plan_in(session, premises, request)


def mass_stop(db: Database, actor: Actor, request: MassStopRequest,
              chosen: Sequence[GroupKey]) -> MassServiceResult:
    """Stop every agreement of the ticked groups on the stop date; all or nothing."""
    actor.require("stop service", *EDITORS)
    if not chosen:
        raise ValidationError("Tick at least one SA group to stop.", "groups")
    with transaction(db, actor, reason=_reason(request.requested_by, "Stop service")) as session:
        premises = chosen_premises(session, request.premises,
                                   include_children=request.include_children)
        groups = _chosen_groups(_stop_plan_in(session, premises, request).groups, chosen,
                                "stopped", ". Choose a later stop date or untick that group.",
                                "stop_date")
        stopped = []
        for number in sorted(n for g in groups for n in g.agreements):
            sa = get_by_number(session, ServiceAgreement, number, "service agreement",
                               "groups", lock=True)
            if sa.status not in STOPPABLE:  # changed under us since the plan was read
                raise ValidationError(
                    f"Agreement {sa.number} became {sa.status.label.lower()} meanwhile. Nothing "
                    "was stopped; press Show SA Groups again.", "groups")
            request_stop_in(session, sa, request.stop_date)
            stopped.append(sa.number)
        return MassServiceResult(
            tuple(stopped), (),
            f"{_plural(len(stopped), 'agreement')} stop on {request.stop_date:%Y-%m-%d}.")
