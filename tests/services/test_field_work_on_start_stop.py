"""Field work that starting and stopping service creates, where a field activity type is set
up for it, and the implicit cancel when a pending start date moves (spec/50 AP-R6, AP-T06):
the booked activity is canceled and stops counting against its period, and a new one without
an appointment is made for the new date."""

from __future__ import annotations

import datetime as dt

import pytest

from app.db import Database
from app.models import AppointmentPeriod
from app.models.enums import FieldActivityStatus, FieldActivityTrigger
from app.services import appointments, dispatch_groups, field_activities, service_agreements
from app.services.context import transaction
from app.services.errors import ValidationError
from app.services.start_stop import StartServiceForm, StopServiceForm, start_service, stop_service
from tests.conftest import ADMIN, CSR
from tests.services.builders import household

START_ON = dt.date(2003, 1, 20)
NOW = dt.datetime(2003, 1, 10, 8, 0)


def _dispatch(db: Database) -> int:
    """NEW-SVC turns service on and off in the north; one period on 2003-01-20 morning."""
    dispatch_groups.create_operations_area(db, ADMIN, "NORTH", "North", ["627"])
    dispatch_groups.create_dispatch_group(db, ADMIN, "NEW-SVC", "New service", "NORTH")
    dispatch_groups.add_dispatch_rule(db, ADMIN, "NEW-SVC", operations_area="NORTH")
    for code, trigger in (("CONNECT", FieldActivityTrigger.START),
                          ("DISCONNECT", FieldActivityTrigger.STOP)):
        dispatch_groups.configure_field_activity_type(db, ADMIN, code, created_on=trigger)
    with transaction(db, ADMIN) as session:
        period = AppointmentPeriod(dispatch_group_code="NEW-SVC",
                                   start_at=dt.datetime(2003, 1, 20, 8),
                                   end_at=dt.datetime(2003, 1, 20, 12), max_appointments=2)
        session.add(period)
        session.flush()
        return period.id


def test_starting_service_makes_a_connect_activity_per_point_and_a_date_change_cancels_it(
        db: Database) -> None:
    period = _dispatch(db)
    home = household(db)
    made = start_service(db, CSR, StartServiceForm(
        home.account, home.premise, (home.electric_sp, home.gas_sp), START_ON,
        caller_party_number=home.party))
    plan = appointments.premise_appointments(db, home.premise)
    assert sorted((r.type_code, r.service_point, r.scheduled_on, r.dispatch_group)
                  for r in plan.without) == sorted([
        ("CONNECT", home.electric_sp, START_ON, "NEW-SVC"),
        ("CONNECT", home.gas_sp, START_ON, "NEW-SVC")])
    numbers = [r.number for r in plan.without]
    appointments.book(db, CSR, home.premise, numbers, period, now=NOW)
    assert appointments.period_slots(db, "NEW-SVC", START_ON, START_ON)[0].booked == 1

    electric = next(m for m in made if m.service_point_numbers == (home.electric_sp,))
    renewed = field_activities.change_start_date(db, CSR, electric.number,
                                                 dt.date(2003, 1, 27))
    plan = appointments.premise_appointments(db, home.premise)
    old = next(r for r in plan.existing if r.service_point == home.electric_sp)
    assert old.status is FieldActivityStatus.CANCELED and not old.can_cancel
    [new] = [r for r in plan.without if r.number in renewed]
    assert (new.service_point, new.scheduled_on, new.period_id) == (
        home.electric_sp, dt.date(2003, 1, 27), None)
    # The gas activity still holds the appointment: one premise, still one booked.
    assert appointments.period_slots(db, "NEW-SVC", START_ON, START_ON)[0].booked == 1


def test_stopping_service_makes_a_disconnect_activity(db: Database) -> None:
    _dispatch(db)
    home = household(db)
    [sa] = start_service(db, CSR, StartServiceForm(
        home.account, home.premise, (home.electric_sp,), START_ON,
        caller_party_number=home.party))
    stop_service(db, CSR, StopServiceForm(home.account, (sa.number,), dt.date(2003, 3, 31),
                                          caller_party_number=home.party))
    plan = appointments.premise_appointments(db, home.premise)
    assert sorted((r.type_code, r.scheduled_on) for r in plan.without) == [
        ("CONNECT", START_ON), ("DISCONNECT", dt.date(2003, 3, 31))]


def test_only_a_pending_start_can_move_its_date(db: Database) -> None:
    _dispatch(db)
    home = household(db)
    [sa] = start_service(db, CSR, StartServiceForm(
        home.account, home.premise, (home.electric_sp,), START_ON,
        caller_party_number=home.party))
    service_agreements.activate(db, CSR, sa.number, sa.version)
    with pytest.raises(ValidationError, match="only a pending start"):
        field_activities.change_start_date(db, CSR, sa.number, dt.date(2003, 2, 1))
