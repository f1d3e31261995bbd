"""Field activities at a premise (spec/50 §1.2–§1.4; the field-order spec owns them): the rule
that gives an activity its dispatch group, creating and canceling activities, attaching them
to field orders (AP-R3), completing them (with the missed-appointment credit of AP-R16), and
the implicit cancel when a pending agreement's start date moves (AP-R6).

    fa = create_field_activity(db, actor, FieldActivityForm(premise, "METER-EXCH", on=date))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import (
    Account,
    Adjustment,
    AppointmentPeriod,
    DispatchGroupRule,
    FieldActivity,
    FieldActivityPenaltyAdjustment,
    FieldActivityType,
    FieldOrder,
    OperationsAreaPostalCode,
    Premise,
    ServiceAgreement,
    ServiceAgreementServicePoint,
    ServicePoint,
)
from app.models.enums import (
    AdjustmentType,
    AppointmentBooking,
    FieldActivityStatus,
    FieldActivityTrigger,
    FieldOrderStatus,
    SAStatus,
    ServiceType,
    UserRole,
)
from app.services import context
from app.services.common import (
    check_version,
    get_by_number,
    longest_prefix,
    new_number,
    optional_text,
)
from app.services.context import Actor, read_only, transaction
from app.services.errors import NotFound, ValidationError

#: Who creates, cancels and completes field work.
FIELD_STAFF = (UserRole.CSR, UserRole.DISPATCHER, UserRole.SUPERVISOR)
#: Agreements whose service points still get field work.
OPEN_AGREEMENT = (SAStatus.PENDING_START, SAStatus.ACTIVE, SAStatus.PENDING_STOP)
#: Activity states in which the work is still to be done.
OPEN_ACTIVITY = (FieldActivityStatus.PENDING, FieldActivityStatus.DISPATCHED)


def takes_appointments(dispatchable: bool, booking: AppointmentBooking) -> bool:
    """Work of a type can be booked (AP-R1, AP-R2: never on the booking pane if not)."""
    return dispatchable and booking is not AppointmentBooking.NOT_APPLICABLE


@dataclass(frozen=True)
class FieldActivityForm:
    premise_number: str
    type_code: str
    on: dt.date
    service_point_number: str | None = None
    instructions: str | None = None


@dataclass(frozen=True)
class FieldActivityTypeRow:
    code: str
    description: str
    appointment_booking: AppointmentBooking
    dispatchable: bool

    @property
    def takes_appointments(self) -> bool:
        return takes_appointments(self.dispatchable, self.appointment_booking)


@dataclass(frozen=True)
class Completion:
    """What completing work did: the activities completed and the credit given for a missed
    appointment, if any."""

    numbers: tuple[str, ...]
    credit: Decimal | None = None
    adjustment_id: int | None = None


def field_activity_types(db: Database) -> list[FieldActivityTypeRow]:
    with read_only(db) as session:
        rows = session.scalars(select(FieldActivityType).order_by(FieldActivityType.description))
        return [FieldActivityTypeRow(t.code, t.description, t.appointment_booking,
                                     t.dispatchable) for t in rows]


def operations_area_of(session: Session, postal_code: str) -> str | None:
    """The operations area serving a postal code: the longest matching prefix."""
    return longest_prefix(session, OperationsAreaPostalCode.postal_prefix,
                          OperationsAreaPostalCode.operations_area_code, postal_code)


def dispatch_group_for(session: Session, type_code: str, service_type: ServiceType | None,
                       area: str | None) -> str | None:
    """The dispatch group an activity gets (spec/50 §1.1): the rule matching the most of its
    type, service and operations area wins (a blank column matches anything); None when no
    rule matches."""
    best: tuple[int, int, str] | None = None
    for rule in session.scalars(select(DispatchGroupRule)):
        wanted = ((rule.field_activity_type_code, type_code),
                  (rule.service_type, service_type), (rule.operations_area_code, area))
        if any(have is not None and have != value for have, value in wanted):
            continue
        score = sum(have is not None for have, _value in wanted)
        if best is None or (score, -rule.id) > best[:2]:
            best = (score, -rule.id, rule.dispatch_group_code)
    return None if best is None else best[2]


def create_in(session: Session, premise: Premise, fa_type: FieldActivityType, on: dt.date,
              service_point: ServicePoint | None = None,
              agreement: ServiceAgreement | None = None,
              instructions: str | None = None) -> FieldActivity:
    service = service_point.service_type if service_point is not None else fa_type.service_type
    activity = FieldActivity(
        number=new_number(session, FieldActivity), premise_id=premise.id,
        service_point_id=service_point.id if service_point is not None else None,
        service_agreement_id=agreement.id if agreement is not None else None,
        field_activity_type_code=fa_type.code, status=FieldActivityStatus.PENDING,
        scheduled_on=on, instructions=instructions,
        dispatch_group_code=dispatch_group_for(session, fa_type.code, service,
                                               operations_area_of(session, premise.postal_code)))
    session.add(activity)
    session.flush()
    return activity


def _fa_type(session: Session, code: str) -> FieldActivityType:
    fa_type = session.get(FieldActivityType, code)
    if fa_type is None:
        raise ValidationError(f"There is no field activity type {code!r}. Choose one from the "
                              "list.", "type_code")
    return fa_type


def create_field_activity(db: Database, actor: Actor, form: FieldActivityForm) -> str:
    """A new pending activity at a premise (on one of its service points when given); its
    dispatch group comes from the rules. Returns its number."""
    actor.require("create field activities", *FIELD_STAFF)
    instructions = optional_text(form.instructions, "instructions", "the instructions", 254)
    with transaction(db, actor) as session:
        premise = get_by_number(session, Premise, form.premise_number, "premise", "premise")
        fa_type = _fa_type(session, form.type_code)
        point = None
        if form.service_point_number:
            point = get_by_number(session, ServicePoint, form.service_point_number,
                                  "service point", "service_point_number")
            if point.premise_id != premise.id:
                raise ValidationError(f"Service point {point.number} is not at premise "
                                      f"{premise.number}. Choose one of its own.",
                                      "service_point_number")
        if fa_type.service_type is not None and point is not None \
                and point.service_type != fa_type.service_type:
            raise ValidationError(f"{fa_type.description} is for {fa_type.service_type.label.lower()} "
                                  f"service points; {point.number} is "
                                  f"{point.service_type.label.lower()}.", "service_point_number")
        agreement = None
        if point is not None:
            agreement = session.scalar(
                select(ServiceAgreement)
                .join(ServiceAgreementServicePoint,
                      ServiceAgreementServicePoint.service_agreement_id == ServiceAgreement.id)
                .where(ServiceAgreementServicePoint.service_point_id == point.id,
                       ServiceAgreement.status.in_(OPEN_AGREEMENT))
                .order_by(ServiceAgreement.start_date.desc()).limit(1))
        return create_in(session, premise, fa_type, form.on, point, agreement,
                         instructions).number


def _activity(session: Session, number: str, *, lock: bool = False) -> FieldActivity:
    return get_by_number(session, FieldActivity, number, "field activity", "activity",
                         lock=lock)


def cancel_activity(db: Database, actor: Actor, number: str, expected_version: int) -> None:
    """The work is no longer wanted. The activity keeps its period for the record (§6 Q8) but
    no longer counts against it."""
    actor.require("cancel field activities", *FIELD_STAFF)
    with transaction(db, actor) as session:
        activity = _activity(session, number, lock=True)
        check_version(activity, expected_version, f"Field activity {number}")
        if activity.status not in OPEN_ACTIVITY:
            raise ValidationError(f"Field activity {number} is {activity.status.label.lower()}; "
                                  "only pending or dispatched work can be canceled.")
        activity.status = FieldActivityStatus.CANCELED
        session.flush()
        if activity.field_order_id is not None:
            refresh_field_order_schedule(session, activity.field_order_id)


def requires_appointment(session: Session, activity: FieldActivity, doing: str) -> None:
    """AP-R3: an activity whose type requires an appointment is on a field order only with
    one. `doing` says what the refused action would break ("join", "keep", "dispatch")."""
    fa_type = session.get(FieldActivityType, activity.field_activity_type_code)
    assert fa_type is not None
    if fa_type.appointment_booking is not AppointmentBooking.REQUIRED:
        return
    if doing == "keep":
        raise ValidationError(
            f"Field activity {activity.number} ({fa_type.description}) is on a field order and "
            "needs an appointment there; re-book it to another period instead of canceling.",
            "activities")
    if activity.appointment_period_id is None:
        raise ValidationError(
            f"Field activity {activity.number} ({fa_type.description}) needs an appointment "
            "before it can be dispatched. Book one first.", "activity")


def attach_to_field_order(db: Database, actor: Actor, activity_numbers: Sequence[str],
                          field_order_number: str | None = None) -> str:
    """Put activities of one premise on a field order (a new one unless given); they stay
    pending, so their appointment can still change, until the order is sent to the crew
    (`dispatch_field_order`). AP-R3: an activity whose type requires an appointment must have
    one first."""
    actor.require("dispatch field work", UserRole.DISPATCHER, UserRole.SUPERVISOR)
    with transaction(db, actor) as session:
        activities = [_activity(session, n, lock=True) for n in activity_numbers]
        if not activities:
            raise ValidationError("Choose at least one field activity.", "activity")
        if len({a.premise_id for a in activities}) > 1:
            raise ValidationError("A field order is for one premise; the activities chosen "
                                  "are at several.", "activity")
        for activity in activities:
            requires_appointment(session, activity, "join")
            if activity.status is not FieldActivityStatus.PENDING:
                raise ValidationError(f"Field activity {activity.number} is "
                                      f"{activity.status.label.lower()}; only pending work "
                                      "can be dispatched.", "activity")
        if field_order_number:
            order = get_by_number(session, FieldOrder, field_order_number, "field order",
                                  "field_order")
            if order.premise_id != activities[0].premise_id:
                raise ValidationError(f"Field order {order.number} is for another premise.",
                                      "field_order")
        else:
            order = FieldOrder(number=new_number(session, FieldOrder),
                               premise_id=activities[0].premise_id,
                               dispatch_group_code=activities[0].dispatch_group_code,
                               status=FieldOrderStatus.OPEN)
            session.add(order)
            session.flush()
        for activity in activities:
            activity.field_order_id = order.id
        refresh_field_order_schedule(session, order.id)
        return order.number


def dispatch_field_order(db: Database, actor: Actor, field_order_number: str) -> int:
    """Send a field order to its crew: its pending activities become dispatched, and their
    appointments can no longer be moved or canceled here (AP-R1). Returns how many."""
    actor.require("dispatch field work", UserRole.DISPATCHER, UserRole.SUPERVISOR)
    with transaction(db, actor, reason=f"Field order {field_order_number} dispatched") as session:
        order = get_by_number(session, FieldOrder, field_order_number, "field order",
                              "field_order", lock=True)
        if order.status is not FieldOrderStatus.OPEN:
            raise ValidationError(f"Field order {order.number} is "
                                  f"{order.status.label.lower()}; only an open order can be "
                                  "dispatched.", "field_order")
        pending = session.scalars(select(FieldActivity).where(
            FieldActivity.field_order_id == order.id,
            FieldActivity.status == FieldActivityStatus.PENDING).with_for_update()).all()
        if not pending:
            raise ValidationError(f"Field order {order.number} has no pending work to send.",
                                  "field_order")
        for activity in pending:
            requires_appointment(session, activity, "dispatch")
            activity.status = FieldActivityStatus.DISPATCHED
        return len(pending)


def lock_period(session: Session, period_id: int) -> AppointmentPeriod:
    """The period, locked against other workstations' bookings and changes until commit."""
    period = session.scalar(select(AppointmentPeriod).where(AppointmentPeriod.id == period_id)
                            .with_for_update())
    if period is None:
        raise NotFound("That appointment period no longer exists (someone deleted it). "
                       "Search again.")
    return period


def refresh_field_order_schedule(session: Session, field_order_id: int) -> None:
    """AP-R4 (4): a field order is scheduled at the earliest period of its open activities."""
    order = session.get(FieldOrder, field_order_id)
    if order is None:
        return
    order.scheduled_at = session.scalar(
        select(func.min(AppointmentPeriod.start_at))
        .join(FieldActivity, FieldActivity.appointment_period_id == AppointmentPeriod.id)
        .where(FieldActivity.field_order_id == field_order_id,
               FieldActivity.status.in_(OPEN_ACTIVITY)))


def complete_activity(db: Database, actor: Actor, number: str, arrived_at: dt.datetime,
                      expected_version: int | None = None, *,
                      now: dt.datetime | None = None) -> Completion:
    """The crew did the work, arriving at `arrived_at`. When the activity had an appointment
    and the crew arrived after its period ended, the account is credited the type's missed
    appointment credit (AP-R16), linked to the activity and written to the audit trail — once
    per visit: another activity of the same appointment completed late credits nothing more."""
    actor.require("complete field activities", *FIELD_STAFF)
    with transaction(db, actor, reason=f"Field activity {number} completed") as session:
        activity = _activity(session, number, lock=True)
        check_version(activity, expected_version, f"Field activity {number}")
        return _complete_in(session, [activity], arrived_at, now)


def complete_visit(db: Database, actor: Actor, premise_number: str, period_id: int,
                   arrived_at: dt.datetime, *, now: dt.datetime | None = None) -> Completion:
    """Every open activity of one appointment (a premise in a period) done in one visit, with
    at most one missed-appointment credit (the largest of their types')."""
    actor.require("complete field activities", *FIELD_STAFF)
    with transaction(db, actor, reason="Appointment completed") as session:
        premise = get_by_number(session, Premise, premise_number, "premise", "premise")
        activities = list(session.scalars(
            select(FieldActivity).where(FieldActivity.premise_id == premise.id,
                                        FieldActivity.appointment_period_id == period_id,
                                        FieldActivity.status.in_(OPEN_ACTIVITY))
            .order_by(FieldActivity.id).with_for_update()))
        if not activities:
            raise ValidationError("This appointment has no open work left to complete; reload "
                                  "to see who completed it.")
        return _complete_in(session, activities, arrived_at, now)


def _complete_in(session: Session, activities: list[FieldActivity],
                 arrived_at: dt.datetime, now: dt.datetime | None) -> Completion:
    if arrived_at > (now or context.now()):
        raise ValidationError(f"The arrival {arrived_at:%Y-%m-%d %H:%M} is in the future; enter "
                              "when the crew actually arrived.", "arrival_day")
    for activity in activities:
        if activity.status not in OPEN_ACTIVITY:
            raise ValidationError(f"Field activity {activity.number} is "
                                  f"{activity.status.label.lower()}; only pending or "
                                  "dispatched work can be completed.")
        activity.status = FieldActivityStatus.COMPLETE
        activity.arrived_at = arrived_at
    numbers = tuple(a.number for a in activities)
    session.flush()
    for order in {a.field_order_id for a in activities if a.field_order_id is not None}:
        refresh_field_order_schedule(session, order)
    first = activities[0]
    # Locked, so two dispatchers completing the same late visit credit it once.
    period = (lock_period(session, first.appointment_period_id)
              if first.appointment_period_id is not None else None)
    if period is not None and arrived_at < period.start_at - dt.timedelta(days=1):
        raise ValidationError(f"The crew cannot have arrived on {arrived_at:%Y-%m-%d}, a day or "
                              f"more before the appointment ({period.start_at:%Y-%m-%d}). Check "
                              "the date.", "arrival_day")
    if period is None or arrived_at <= period.end_at:
        return Completion(numbers)
    late = [a for a in activities if a.appointment_period_id == period.id]
    credits = [(t.missed_appointment_credit, a) for a in late
               if (t := session.get(FieldActivityType, a.field_activity_type_code)) is not None
               and t.missed_appointment_credit]
    if not credits or _visit_credited(session, first.premise_id, period.id):
        return Completion(numbers)
    credit, owner = max(credits, key=lambda pair: pair[0] or 0)
    assert credit is not None
    account_id = _account_of(session, owner)
    if account_id is None:
        return Completion(numbers)
    adjustment = Adjustment(
        account_id=account_id, service_agreement_id=owner.service_agreement_id,
        adjustment_date=arrived_at.date(), adjustment_type=AdjustmentType.CREDIT,
        amount=-credit,
        reason=(f"Missed appointment {period.start_at:%Y-%m-%d %H:%M}–{period.end_at:%H:%M}: "
                f"crew arrived {arrived_at:%Y-%m-%d %H:%M} (field activity "
                f"{', '.join(a.number for a in late)})"))
    session.add(adjustment)
    session.flush()
    for activity in late:
        session.add(FieldActivityPenaltyAdjustment(field_activity_id=activity.id,
                                                   adjustment_id=adjustment.id))
    return Completion(numbers, credit, adjustment.id)


def _visit_credited(session: Session, premise_id: int, period_id: int) -> bool:
    return session.scalar(
        select(FieldActivityPenaltyAdjustment.adjustment_id)
        .join(FieldActivity,
              FieldActivity.id == FieldActivityPenaltyAdjustment.field_activity_id)
        .where(FieldActivity.premise_id == premise_id,
               FieldActivity.appointment_period_id == period_id).limit(1)) is not None


def _account_of(session: Session, activity: FieldActivity) -> int | None:
    """The account a credit for the activity goes to: its agreement's, else the account of the
    newest open agreement at the premise."""
    if activity.service_agreement_id is not None:
        return session.scalar(select(ServiceAgreement.account_id)
                              .where(ServiceAgreement.id == activity.service_agreement_id))
    return session.scalar(
        select(Account.id).join(ServiceAgreement, ServiceAgreement.account_id == Account.id)
        .join(ServiceAgreementServicePoint,
              ServiceAgreementServicePoint.service_agreement_id == ServiceAgreement.id)
        .join(ServicePoint, ServicePoint.id == ServiceAgreementServicePoint.service_point_id)
        .where(ServicePoint.premise_id == activity.premise_id,
               ServiceAgreement.status.in_(OPEN_AGREEMENT))
        .order_by(ServiceAgreement.start_date.desc()).limit(1))


def create_for_agreement(session: Session, agreement: ServiceAgreement,
                         trigger: FieldActivityTrigger, on: dt.date) -> list[FieldActivity]:
    """The activities the system creates when service starts or stops on the agreement's
    service points: one per point for each type configured to be created then."""
    types = list(session.scalars(select(FieldActivityType)
                                 .where(FieldActivityType.created_on == trigger)))
    if not types:
        return []
    points = session.scalars(
        select(ServicePoint).join(ServiceAgreementServicePoint,
                                  ServiceAgreementServicePoint.service_point_id == ServicePoint.id)
        .where(ServiceAgreementServicePoint.service_agreement_id == agreement.id)).all()
    made = []
    for point in points:
        premise = session.get(Premise, point.premise_id)
        assert premise is not None
        for fa_type in types:
            if fa_type.service_type in (None, point.service_type):
                made.append(create_in(session, premise, fa_type, on, point, agreement))
    return made


def change_start_date(db: Database, actor: Actor, agreement_number: str, new_start: dt.date,
                      expected_version: int | None = None) -> list[str]:
    """Move a pending agreement's start date (AP-R6 a): its pending activities are canceled
    and new ones made for the new date, without an appointment, so the customer must book
    again. Returns the new activities' numbers."""
    actor.require("change a service start date", UserRole.CSR, UserRole.SUPERVISOR)
    with transaction(db, actor, reason="Service start date changed") as session:
        agreement = get_by_number(session, ServiceAgreement, agreement_number,
                                  "service agreement", "agreement", lock=True)
        check_version(agreement, expected_version, f"Service agreement {agreement_number}")
        if agreement.status is not SAStatus.PENDING_START:
            raise ValidationError(f"Service agreement {agreement.number} is "
                                  f"{agreement.status.label.lower()}; only a pending start "
                                  "can move its start date.", "start_date")
        if agreement.end_date is not None and new_start > agreement.end_date:
            raise ValidationError(f"The start date {new_start:%Y-%m-%d} is after the end date "
                                  f"{agreement.end_date:%Y-%m-%d}.", "start_date")
        agreement.start_date = new_start
        pending = session.scalars(
            select(FieldActivity).where(FieldActivity.service_agreement_id == agreement.id,
                                        FieldActivity.status == FieldActivityStatus.PENDING)
            .with_for_update()).all()
        made = []
        orders = {old.field_order_id for old in pending if old.field_order_id is not None}
        for old in pending:
            old.status = FieldActivityStatus.CANCELED
            fa_type = session.get(FieldActivityType, old.field_activity_type_code)
            premise = session.get(Premise, old.premise_id)
            point = (session.get(ServicePoint, old.service_point_id)
                     if old.service_point_id is not None else None)
            if fa_type is None or premise is None:
                raise NotFound(f"Field activity {old.number} refers to a missing row.")
            made.append(create_in(session, premise, fa_type, new_start, point, agreement,
                                  old.instructions).number)
        for order in orders:
            refresh_field_order_schedule(session, order)
        return made
