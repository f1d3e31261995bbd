"""Booking appointments through the services (spec/50 §1.7): AP-T02 capacity, AP-T03 side
effects, AP-T04 eligibility grids, AP-T05 dispatch guard, AP-T06 implicit cancel, AP-T15 no
common dispatch group, the missed-appointment credit (AP-R16) and a re-book that keeps the old
appointment when the new period is full. The business clock is frozen at 2003-01-10 08:00."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.models import Adjustment, AppointmentPeriod, FieldActivity, FieldOrder
from app.models.audit import AuditEvent
from app.models.enums import (
    FieldActivityStatus,
    FieldOrderStatus,
    PremiseType,
    ServiceType,
    UserRole,
)
from app.services import appointments, dispatch_groups, field_activities, premises
from app.services import service_agreements as sas
from app.services.appointments import PeriodFull
from app.services.context import Actor, transaction
from app.services.errors import ValidationError
from app.services.field_activities import FieldActivityForm
from app.services.premises import PremiseForm
from app.services.service_agreements import ServiceAgreementForm
from tests.conftest import ADMIN, CSR
from tests.services.builders import household

NOW = dt.datetime(2003, 1, 10, 8, 0)
DAY = dt.date(2003, 1, 15)
DISPATCHER = Actor("disp1", "Dana Dispatch", frozenset({UserRole.DISPATCHER}))


def utility(db: Database, *groups: str) -> None:
    """Operations area NORTH (postal 627…) with the given dispatch groups; the first one gets
    every activity (a catch-all rule)."""
    dispatch_groups.create_operations_area(db, ADMIN, "NORTH", "North", ["627"])
    for code in groups:
        dispatch_groups.create_dispatch_group(db, ADMIN, code, f"{code} crew", "NORTH")
    dispatch_groups.add_dispatch_rule(db, ADMIN, groups[0])


def period(db: Database, group: str, day: dt.date, start: int, end: int, room: int) -> int:
    with transaction(db, ADMIN) as session:
        row = AppointmentPeriod(dispatch_group_code=group,
                                start_at=dt.datetime.combine(day, dt.time(start)),
                                end_at=dt.datetime.combine(day, dt.time(end)),
                                max_appointments=room)
        session.add(row)
        session.flush()
        return row.id


def premise(db: Database, street: str) -> str:
    return premises.create_premise(
        db, CSR, PremiseForm(PremiseType.HOUSE, street, "Springfield", "62701")).number


def activity(db: Database, premise_number: str, type_code: str = "METER-EXCH",
             on: dt.date = DAY, point: str | None = None) -> str:
    return field_activities.create_field_activity(
        db, CSR, FieldActivityForm(premise_number, type_code, on, point))


def scheduled(db: Database, period_id: int) -> int:
    """The period's "Scheduled Appointments": linked, non-canceled activities."""
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(FieldActivity).where(
            FieldActivity.appointment_period_id == period_id,
            FieldActivity.status != FieldActivityStatus.CANCELED)) or 0


def booked(db: Database, period_id: int) -> int:
    (slot,) = [s for s in appointments.period_slots(db, "METER-N", DAY, DAY)
               if s.period_id == period_id]
    return slot.booked


def _activity_row(db: Database, number: str) -> FieldActivity:
    with db.sessions() as session:
        row = session.scalar(select(FieldActivity).where(FieldActivity.number == number))
        assert row is not None
        session.expunge(row)
        return row


def test_ap_t02_capacity_counts_distinct_premises(db: Database) -> None:
    utility(db, "METER-N")
    slot = period(db, "METER-N", DAY, 13, 17, 3)
    p1, p2, p3, p4 = (premise(db, f"{n} Elm St") for n in (1, 2, 3, 4))
    fa1, fa2 = activity(db, p1), activity(db, p1, "INVESTIGATE")
    fa3, fa4, fa5 = activity(db, p2), activity(db, p3), activity(db, p4)
    first = appointments.book(db, CSR, p1, [fa1, fa2], slot, now=NOW)
    assert (first.period.booked, first.period.remaining) == (1, 2)
    assert scheduled(db, slot) == 2
    appointments.book(db, CSR, p2, [fa3], slot, now=NOW)
    appointments.book(db, CSR, p3, [fa4], slot, now=NOW)
    assert (scheduled(db, slot), booked(db, slot)) == (4, 3)
    with pytest.raises(PeriodFull) as full:
        appointments.book(db, CSR, p4, [fa5], slot, now=NOW)
    assert "Wed 15 Jan 2003 13:00–17:00 just filled" in full.value.message
    assert full.value.next_available is None
    assert _activity_row(db, fa5).appointment_period_id is None
    fa6 = activity(db, p1, "CONNECT")
    joined = appointments.book(db, CSR, p1, [fa6], slot, now=NOW)   # joins P1's appointment
    assert joined.period.booked == 3 and joined.period.joins
    assert scheduled(db, slot) == 5
    appointments.cancel_appointment(db, CSR, p2, [fa3])
    assert booked(db, slot) == 2
    assert appointments.book(db, CSR, p4, [fa5], slot, now=NOW).period.booked == 3


def test_ap_t03_booking_sets_date_group_and_field_order_schedule(db: Database) -> None:
    utility(db, "METER-N", "NEW-SVC")
    dispatch_groups.set_alternates(db, ADMIN, "METER-N", ["NEW-SVC"])
    place = premise(db, "12 Elm St")
    early = period(db, "METER-N", dt.date(2003, 1, 16), 8, 10, 3)
    target = period(db, "NEW-SVC", DAY, 13, 17, 3)
    fa1 = activity(db, place, "CONNECT", dt.date(2003, 1, 20))
    fa2 = activity(db, place, "METER-EXCH", dt.date(2003, 1, 16))
    appointments.book(db, CSR, place, [fa2], early, now=NOW)
    order = field_activities.attach_to_field_order(db, DISPATCHER, [fa1, fa2])
    with db.sessions() as session:
        fo = session.scalar(select(FieldOrder).where(FieldOrder.number == order))
        assert fo is not None and fo.scheduled_at == dt.datetime(2003, 1, 16, 8, 0)
    before = _activity_row(db, fa1)
    assert (before.scheduled_on, before.dispatch_group_code) == (dt.date(2003, 1, 20), "METER-N")
    booking = appointments.book(db, CSR, place, [fa1], target, now=NOW)
    assert booking.period.dispatch_group == "NEW-SVC"
    after = _activity_row(db, fa1)
    assert after.scheduled_on == DAY
    assert after.dispatch_group_code == "NEW-SVC"
    assert after.appointment_period_id == target
    with db.sessions() as session:
        fo = session.scalar(select(FieldOrder).where(FieldOrder.number == order))
        assert fo is not None and fo.scheduled_at == dt.datetime(2003, 1, 15, 13, 0)


def test_ap_t04_eligibility_grids(db: Database) -> None:
    utility(db, "METER-N")
    slot = period(db, "METER-N", DAY, 13, 17, 5)
    place = premise(db, "12 Elm St")
    optional = activity(db, place, "INVESTIGATE")
    not_applicable = activity(db, place, "READ-CHECK")
    on_wdnr = activity(db, place, "CONNECT")
    completed = activity(db, place, "DISCONNECT")
    booked_pending = activity(db, place, "METER-EXCH")
    booked_done = activity(db, place, "METER-INSTALL")
    appointments.book(db, CSR, place, [booked_pending, booked_done], slot, now=NOW)
    field_activities.complete_activity(db, CSR, completed, dt.datetime(2003, 1, 9, 10))
    field_activities.complete_activity(db, CSR, booked_done, dt.datetime(2003, 1, 15, 14))
    order = field_activities.attach_to_field_order(db, DISPATCHER, [on_wdnr])
    with transaction(db, ADMIN) as session:
        fo = session.scalar(select(FieldOrder).where(FieldOrder.number == order))
        assert fo is not None
        fo.status = FieldOrderStatus.WORK_DONE_NOT_RECORDED

    pane = appointments.premise_appointments(db, place)
    assert [r.number for r in pane.without] == [optional]
    existing = {r.number: r for r in pane.existing}
    assert set(existing) == {booked_pending, booked_done}
    assert existing[booked_pending].can_cancel is True
    assert existing[booked_done].can_cancel is False
    assert existing[booked_done].status is FieldActivityStatus.COMPLETE
    shown = {r.number for r in (*pane.without, *pane.existing)}
    assert not_applicable not in shown and on_wdnr not in shown and completed not in shown
    assert pane.address == "12 Elm St, Springfield, 62701"


def test_ap_t05_required_activity_without_appointment_cannot_be_dispatched(
        db: Database) -> None:
    utility(db, "METER-N")
    slot = period(db, "METER-N", DAY, 13, 17, 3)
    place = premise(db, "12 Elm St")
    exchange = activity(db, place, "METER-EXCH")
    with pytest.raises(ValidationError) as refused:
        field_activities.attach_to_field_order(db, DISPATCHER, [exchange])
    assert "needs an appointment before it can be dispatched" in refused.value.message
    appointments.book(db, CSR, place, [exchange], slot, now=NOW)
    assert field_activities.attach_to_field_order(db, DISPATCHER, [exchange])


def test_ap_t06_start_date_change_cancels_the_booked_activity(db: Database) -> None:
    utility(db, "METER-N")
    slot = period(db, "METER-N", DAY, 13, 17, 3)
    home = household(db)
    agreement = sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,), DAY, "E-RES-1"))
    fa1 = activity(db, home.premise, "CONNECT", DAY, home.electric_sp)
    appointments.book(db, CSR, home.premise, [fa1], slot, now=NOW)
    assert booked(db, slot) == 1
    (fa7,) = field_activities.change_start_date(db, CSR, agreement.number,
                                                dt.date(2003, 1, 22))
    old, new = _activity_row(db, fa1), _activity_row(db, fa7)
    assert old.status is FieldActivityStatus.CANCELED
    assert old.appointment_period_id == slot                 # kept for the record (§6 Q8)
    assert new.status is FieldActivityStatus.PENDING
    assert new.appointment_period_id is None and new.scheduled_on == dt.date(2003, 1, 22)
    assert booked(db, slot) == 0
    pane = appointments.premise_appointments(db, home.premise)
    assert [r.number for r in pane.without] == [fa7]
    assert [(r.number, r.can_cancel) for r in pane.existing] == [(fa1, False)]


def test_ap_t15_no_common_dispatch_group(db: Database) -> None:
    utility(db, "METER-N", "GAS-S")
    dispatch_groups.add_dispatch_rule(db, ADMIN, "GAS-S", type_code="INVESTIGATE")
    period(db, "METER-N", DAY, 13, 17, 3)
    place = premise(db, "12 Elm St")
    meter, gas = activity(db, place, "METER-EXCH"), activity(db, place, "INVESTIGATE")
    with pytest.raises(ValidationError) as refused:
        appointments.find_availability(db, place, [meter, gas], next_available=True, now=NOW)
    assert refused.value.message.startswith(
        "No dispatch group is common to the selected field activities.")
    assert refused.value.field == "dispatch_group"
    found = appointments.find_availability(db, place, [meter], next_available=True, now=NOW)
    assert found.dispatch_groups == ("METER-N",) and len(found.slots) == 1


def test_missed_appointment_credits_the_account_and_is_audited(db: Database) -> None:
    utility(db, "METER-N")
    slot = period(db, "METER-N", DAY, 13, 17, 3)
    home = household(db)
    sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,), DAY, "E-RES-1"))
    on_time = activity(db, home.premise, "METER-EXCH", DAY, home.electric_sp)
    late = activity(db, home.premise, "INVESTIGATE", DAY, home.electric_sp)
    appointments.book(db, CSR, home.premise, [on_time, late], slot, now=NOW)
    kept = field_activities.complete_activity(db, CSR, on_time, dt.datetime(2003, 1, 15, 16, 59))
    assert kept.credit is None and kept.adjustment_id is None
    missed = field_activities.complete_activity(db, CSR, late, dt.datetime(2003, 1, 15, 17, 40))
    assert missed.credit == Decimal("25.00") and missed.adjustment_id is not None
    with db.sessions() as session:
        adjustment = session.get(Adjustment, missed.adjustment_id)
        assert adjustment is not None
        assert adjustment.amount == Decimal("-25.00")
        assert adjustment.adjustment_date == DAY
        assert "Missed appointment 2003-01-15 13:00–17:00" in (adjustment.reason or "")
        audited = session.scalars(select(AuditEvent).where(
            AuditEvent.entity_type == "Adjustment",
            AuditEvent.entity_id == str(missed.adjustment_id))).all()
        assert audited and {a.changed_by for a in audited} == {CSR.username}
        assert session.scalar(select(func.count()).select_from(Adjustment)) == 1


def test_rebook_keeps_the_old_appointment_when_the_new_period_is_full(db: Database) -> None:
    utility(db, "METER-N")
    morning = period(db, "METER-N", DAY, 8, 12, 3)
    afternoon = period(db, "METER-N", DAY, 13, 17, 1)
    mine, theirs = premise(db, "12 Elm St"), premise(db, "14 Elm St")
    fa1, fa2 = activity(db, mine), activity(db, mine, "INVESTIGATE")
    other = activity(db, theirs)
    appointments.book(db, CSR, mine, [fa1, fa2], morning, now=NOW)
    appointments.book(db, CSR, theirs, [other], afternoon, now=NOW)
    with pytest.raises(PeriodFull) as full:
        appointments.rebook(db, CSR, mine, [fa1, fa2], afternoon, now=NOW)
    assert "Wed 15 Jan 2003 13:00–17:00 just filled" in full.value.message
    assert {_activity_row(db, n).appointment_period_id for n in (fa1, fa2)} == {morning}
    assert booked(db, morning) == 1 and booked(db, afternoon) == 1
    later = period(db, "METER-N", dt.date(2003, 1, 16), 8, 12, 2)
    moved = appointments.rebook(db, CSR, mine, [fa1, fa2], later, now=NOW)
    assert moved.message == ("Moved 2 field activities from Wed 15 Jan 2003 08:00–12:00 to "
                             "Thu 16 Jan 2003 08:00–12:00.")
    assert booked(db, morning) == 0
    assert {_activity_row(db, n).scheduled_on for n in (fa1, fa2)} == {dt.date(2003, 1, 16)}


def test_an_order_sent_to_the_crew_freezes_its_appointments(db: Database) -> None:
    utility(db, "METER-N")
    slot = period(db, "METER-N", DAY, 13, 17, 3)
    later = period(db, "METER-N", DAY + dt.timedelta(days=1), 13, 17, 3)
    place = premise(db, "12 Elm St")
    exchange = activity(db, place, "METER-EXCH")
    appointments.book(db, CSR, place, [exchange], slot, now=NOW)
    order = field_activities.attach_to_field_order(db, DISPATCHER, [exchange])
    moved = appointments.rebook(db, CSR, place, [exchange], later, now=NOW)  # still pending
    assert moved.period.period_id == later
    assert field_activities.dispatch_field_order(db, DISPATCHER, order) == 1
    [row] = appointments.premise_appointments(db, place).existing
    assert row.status is FieldActivityStatus.DISPATCHED and row.can_cancel is False
    with pytest.raises(ValidationError, match="it is dispatched"):
        appointments.cancel_appointment(db, CSR, place, [exchange])
    with db.sessions() as session:
        fo = session.scalar(select(FieldOrder).where(FieldOrder.number == order))
        assert fo is not None and fo.scheduled_at == dt.datetime(2003, 1, 16, 13, 0)


def test_a_late_visit_with_two_activities_is_credited_once(db: Database) -> None:
    utility(db, "METER-N")
    slot = period(db, "METER-N", DAY, 13, 17, 3)
    home = household(db)
    sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,), DAY, "E-RES-1"))
    first = activity(db, home.premise, "METER-EXCH", DAY, home.electric_sp)
    second = activity(db, home.premise, "INVESTIGATE", DAY, home.electric_sp)
    appointments.book(db, CSR, home.premise, [first, second], slot, now=NOW)
    done = field_activities.complete_visit(db, CSR, home.premise, slot,
                                           dt.datetime(2003, 1, 15, 18, 5))
    assert sorted(done.numbers) == sorted([first, second]) and done.credit == Decimal("25.00")
    with pytest.raises(ValidationError, match="no open work left"):
        field_activities.complete_visit(db, CSR, home.premise, slot,
                                        dt.datetime(2003, 1, 15, 18, 5))
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Adjustment)) == 1
