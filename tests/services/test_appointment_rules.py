"""Booking rules at their edges (spec/50 §1.4): a group chosen by hand must be able to do the
work; a group counting activities offers only periods the activities fit in, and a full one
offers a later period, never itself; a group whose periods a workforce system keeps hands over
to its local alternate; AP-R3 holds after booking (a required activity on a field order keeps
its appointment); a field order's time follows its activities; arrivals are not in the future.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.db import Database
from app.models import FieldOrder
from app.models.enums import CapacityUnit
from app.services import appointments, dispatch_groups, field_activities
from app.services.appointments import PeriodFull
from app.services.errors import ValidationError
from tests.conftest import ADMIN, CSR
from tests.services.test_appointment_booking import (
    DAY,
    DISPATCHER,
    NOW,
    activity,
    period,
    premise,
    utility,
)


def test_a_group_chosen_by_hand_must_be_able_to_do_the_work(db: Database) -> None:
    utility(db, "METER-N", "OTHER")
    period(db, "OTHER", DAY, 8, 10, 3)
    place = premise(db, "12 Elm St")
    work = activity(db, place)
    with pytest.raises(ValidationError) as refused:
        appointments.find_availability(db, place, [work], dispatch_group="OTHER", now=NOW)
    assert refused.value.message == ("Dispatch group OTHER cannot do this field activity; "
                                     "choose METER-N, or leave the group blank.")
    assert refused.value.field == "dispatch_group"
    dispatch_groups.set_alternates(db, ADMIN, "METER-N", ["OTHER"])
    found = appointments.find_availability(db, place, [work], dispatch_group="OTHER", now=NOW)
    assert [s.dispatch_group for s in found.slots] == ["OTHER"]


def test_counting_activities_offers_only_periods_the_work_fits_in(db: Database) -> None:
    dispatch_groups.create_operations_area(db, ADMIN, "NORTH", "North", ["627"])
    dispatch_groups.create_dispatch_group(db, ADMIN, "GAS", "Gas crew", "NORTH",
                                          capacity_unit=CapacityUnit.ACTIVITIES)
    dispatch_groups.add_dispatch_rule(db, ADMIN, "GAS")
    tight = period(db, "GAS", DAY, 8, 10, 3)
    later = period(db, "GAS", DAY, 13, 15, 3)
    first, second = premise(db, "1 Gas St"), premise(db, "2 Gas St")
    appointments.book(db, CSR, first, [activity(db, first)], tight, now=NOW)   # 1 of 3 left 2
    two = [activity(db, second), activity(db, second, "INVESTIGATE")]
    three = [*two, activity(db, second, "CONNECT")]
    fits = appointments.find_availability(db, second, two, now=NOW)
    assert [s.period_id for s in fits.slots] == [tight, later]
    too_many = appointments.find_availability(db, second, three, now=NOW)
    assert [s.period_id for s in too_many.slots] == [later]     # 1 + 3 > 3 in the morning
    with pytest.raises(PeriodFull) as refused:
        appointments.book(db, CSR, second, three, tight, now=NOW)
    offer = refused.value.next_available
    assert offer is not None and offer.period_id == later
    assert "next available: Wed 15 Jan 2003 13:00–15:00 (GAS)" in refused.value.message


def test_an_externally_kept_best_group_hands_over_to_its_local_alternate(db: Database) -> None:
    dispatch_groups.create_operations_area(db, ADMIN, "NORTH", "North", ["627"])
    dispatch_groups.create_dispatch_group(db, ADMIN, "WFM", "Contractors", "NORTH",
                                          external_system="WFM")
    dispatch_groups.create_dispatch_group(db, ADMIN, "LOCAL", "Own crew", "NORTH")
    dispatch_groups.set_alternates(db, ADMIN, "WFM", ["LOCAL"])
    dispatch_groups.add_dispatch_rule(db, ADMIN, "WFM")
    local = period(db, "LOCAL", DAY, 8, 10, 2)
    place = premise(db, "12 Elm St")
    found = appointments.find_availability(db, place, [activity(db, place)], now=NOW)
    assert found.dispatch_groups == ("LOCAL",)
    assert [s.period_id for s in found.slots] == [local]


def test_a_required_activity_on_a_field_order_keeps_its_appointment(db: Database) -> None:
    utility(db, "METER-N")
    morning = period(db, "METER-N", DAY, 8, 10, 3)
    afternoon = period(db, "METER-N", DAY, 13, 17, 3)
    place = premise(db, "12 Elm St")
    exchange = activity(db, place)                      # METER-EXCH: appointment required
    check = activity(db, place, "INVESTIGATE")          # optional
    appointments.book(db, CSR, place, [exchange], morning, now=NOW)
    appointments.book(db, CSR, place, [check], afternoon, now=NOW)
    order = field_activities.attach_to_field_order(db, DISPATCHER, [exchange, check])
    with pytest.raises(ValidationError, match="re-book it to another period instead"):
        appointments.cancel_appointment(db, CSR, place, [exchange])
    appointments.cancel_appointment(db, CSR, place, [check])          # optional: it may go
    with db.sessions() as session:
        fo = session.scalar(select(FieldOrder).where(FieldOrder.number == order))
        assert fo is not None and fo.scheduled_at == dt.datetime(2003, 1, 15, 8, 0)
    [row] = [r for r in appointments.premise_appointments(db, place).existing
             if r.number == exchange]
    field_activities.cancel_activity(db, CSR, exchange, row.version)   # the work is dropped
    with db.sessions() as session:
        fo = session.scalar(select(FieldOrder).where(FieldOrder.number == order))
        assert fo is not None and fo.scheduled_at is None              # nothing booked left


def test_an_arrival_in_the_future_is_refused(db: Database) -> None:
    utility(db, "METER-N")
    slot = period(db, "METER-N", DAY, 8, 10, 3)
    place = premise(db, "12 Elm St")
    work = activity(db, place)
    appointments.book(db, CSR, place, [work], slot, now=NOW)
    with pytest.raises(ValidationError, match="is in the future"):
        field_activities.complete_visit(db, DISPATCHER, place, slot,
                                        dt.datetime(2003, 1, 15, 9, 0),
                                        now=dt.datetime(2003, 1, 15, 8, 30))
    with pytest.raises(ValidationError, match="a day or more before the appointment"):
        field_activities.complete_visit(db, DISPATCHER, place, slot,
                                        dt.datetime(2003, 1, 13, 9, 0),
                                        now=dt.datetime(2003, 1, 15, 8, 30))
    done = field_activities.complete_visit(db, DISPATCHER, place, slot,
                                           dt.datetime(2003, 1, 15, 9, 0))
    assert done.numbers == (work,) and done.credit is None
