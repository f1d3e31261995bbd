"""Many workstations booking one appointment period at once (issue 9, spec/50 §1.4 AP-R8):
each worker has its own connection (its own engine), they start together, and exactly as many
succeed as the period has room for; every other one is told the period just filled and which
period is next available; the database never holds more than the maximum."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from app.db import Database, open_database
from app.models import AppointmentPeriod, FieldActivity
from app.models.enums import CapacityUnit, FieldActivityStatus, PremiseType
from app.services import appointments, dispatch_groups, field_activities, premises
from app.services.appointments import Booking, PeriodFull
from app.services.context import transaction
from app.services.premises import PremiseForm
from tests.conftest import ADMIN, CSR

NOW = dt.datetime(2003, 1, 10, 8, 0)
DAY = dt.date(2003, 1, 15)
WORKERS = 8
ROOM = 3


def _utility(db: Database, unit: CapacityUnit) -> tuple[int, int, list[tuple[str, str]]]:
    """A dispatch group with a full-day period of ROOM appointments and a later one, and
    WORKERS premises each with one pending meter exchange. Returns (period, later period,
    [(premise, activity)])."""
    dispatch_groups.create_operations_area(db, ADMIN, "NORTH", "North", ["627"])
    dispatch_groups.create_dispatch_group(db, ADMIN, "METER-N", "Meter crew north", "NORTH",
                                          capacity_unit=unit)
    dispatch_groups.add_dispatch_rule(db, ADMIN, "METER-N")
    with transaction(db, ADMIN) as session:
        periods = [AppointmentPeriod(dispatch_group_code="METER-N",
                                     start_at=dt.datetime.combine(day, dt.time(13)),
                                     end_at=dt.datetime.combine(day, dt.time(17)),
                                     max_appointments=ROOM)
                   for day in (DAY, DAY + dt.timedelta(days=1))]
        session.add_all(periods)
        session.flush()
        ids = (periods[0].id, periods[1].id)
    work = []
    for n in range(WORKERS):
        premise = premises.create_premise(
            db, CSR, PremiseForm(PremiseType.HOUSE, f"{n + 1} Race St", "Springfield", "62701"))
        activity = field_activities.create_field_activity(
            db, CSR, field_activities.FieldActivityForm(premise.number, "METER-EXCH", DAY))
        work.append((premise.number, activity))
    return ids[0], ids[1], work


@pytest.mark.parametrize("unit", [CapacityUnit.PREMISES, CapacityUnit.ACTIVITIES])
def test_n_workers_race_for_m_free_slots_and_exactly_m_win(db: Database,
                                                           unit: CapacityUnit) -> None:
    period, later, work = _utility(db, unit)
    barrier = threading.Barrier(WORKERS)
    results: list[Booking | Exception] = []
    lock = threading.Lock()

    def race(premise: str, activity: str) -> None:
        own = open_database(db.url, migrate=False)      # a workstation: its own connection
        try:
            barrier.wait(30)
            outcome: Booking | Exception = appointments.book(own, CSR, premise, [activity],
                                                             period, now=NOW)
        except Exception as exc:  # noqa: BLE001 — the test reports what each worker got
            outcome = exc
        finally:
            own.dispose()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=race, args=pair) for pair in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    won = [r for r in results if isinstance(r, Booking)]
    lost = [r for r in results if isinstance(r, PeriodFull)]
    assert len(results) == WORKERS
    assert len(won) == ROOM and len(lost) == WORKERS - ROOM, results
    for refusal in lost:
        assert "Wed 15 Jan 2003 13:00–17:00 just filled" in refusal.message
        assert "next available: Thu 16 Jan 2003 13:00–17:00 (METER-N)" in refusal.message
        assert refusal.next_available is not None
        assert refusal.next_available.period_id == later
    with db.sessions() as session:
        booked = session.scalar(select(func.count(func.distinct(FieldActivity.premise_id)))
                                .where(FieldActivity.appointment_period_id == period,
                                       FieldActivity.status != FieldActivityStatus.CANCELED))
        maximum = session.scalar(select(AppointmentPeriod.max_appointments)
                                 .where(AppointmentPeriod.id == period))
    assert booked == maximum == ROOM
    slot = appointments.period_slots(db, "METER-N", DAY, DAY)[0]
    assert (slot.booked, slot.remaining) == (ROOM, 0)


def test_a_loser_books_the_offered_period_and_a_cancel_frees_a_slot(db: Database) -> None:
    period, later, work = _utility(db, CapacityUnit.PREMISES)
    for premise, activity in work[:ROOM]:
        appointments.book(db, CSR, premise, [activity], period, now=NOW)
    premise, activity = work[ROOM]
    with pytest.raises(PeriodFull) as refused:
        appointments.book(db, CSR, premise, [activity], period, now=NOW)
    offer = refused.value.next_available
    assert offer is not None and offer.period_id == later
    booking = appointments.book(db, CSR, premise, [activity], offer.period_id, now=NOW)
    assert booking.period.booked == 1
    first_premise, first_activity = work[0]
    appointments.cancel_appointment(db, CSR, first_premise, [first_activity])
    slot = appointments.period_slots(db, "METER-N", DAY, DAY)[0]
    assert (slot.booked, slot.remaining) == (ROOM - 1, 1)
    moved = appointments.rebook(db, CSR, premise, [activity], period, now=NOW)
    assert moved.period.booked == ROOM
    assert "from Thu 16 Jan 2003 13:00–17:00 to Wed 15 Jan 2003 13:00–17:00" in moved.message
