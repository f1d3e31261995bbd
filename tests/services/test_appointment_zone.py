"""Appointments in Control Central: the zone lists the account's upcoming and missed
appointments, the alerts say one exists or was missed and drill to the booking dialog of the
premise; nothing shows while the Appointments module is off.

The zone gets the dashboard's day (`on`); for a day other than today it compares periods with
the start of that day (app.services.appointment_zone.zone_clock), so these tests freeze the
clock by asking for the dashboard of 2003-01-10."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.db import Database
from app.models import Account
from app.models.enums import ServiceType
from app.services import appointments, field_activities
from app.services import control_central as cc
from app.services import service_agreements as sas
from app.services.appointment_zone import appointments_at, zone_clock
from app.services.installation import Module, set_module_enabled
from app.services.service_agreements import ServiceAgreementForm
from tests.conftest import ADMIN, CSR
from tests.services.builders import household
from tests.services.test_appointment_booking import activity, period, utility

ON = dt.date(2003, 1, 10)
DAY = dt.date(2003, 1, 15)


def _account_with_appointments(db: Database) -> tuple[str, str, tuple[str, str, str]]:
    """A household supplied from 2003-01-01 with an appointment on 2003-01-08 (booked on the
    6th; the crew never came) and one on 2003-01-15, plus a canceled one on the 16th.
    Returns (account, premise, (missed, upcoming, canceled) activities)."""
    utility(db, "METER-N")
    home = household(db)
    sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,),
        dt.date(2003, 1, 1), "E-RES-1"))
    past = period(db, "METER-N", dt.date(2003, 1, 8), 8, 12, 3)
    coming = period(db, "METER-N", DAY, 13, 17, 3)
    dropped = period(db, "METER-N", dt.date(2003, 1, 16), 8, 12, 3)
    missed = activity(db, home.premise, "METER-EXCH", dt.date(2003, 1, 8), home.electric_sp)
    upcoming = activity(db, home.premise, "INVESTIGATE", DAY, home.electric_sp)
    connect = activity(db, home.premise, "CONNECT", DAY, home.electric_sp)
    canceled = activity(db, home.premise, "DISCONNECT", dt.date(2003, 1, 16))
    appointments.book(db, CSR, home.premise, [missed], past,
                      now=dt.datetime(2003, 1, 6, 9, 0))
    appointments.book(db, CSR, home.premise, [upcoming, connect], coming,
                      now=dt.datetime(2003, 1, 10, 8, 0))
    appointments.book(db, CSR, home.premise, [canceled], dropped,
                      now=dt.datetime(2003, 1, 10, 8, 0))
    row = next(r for r in appointments.premise_appointments(db, home.premise).existing
               if r.number == canceled)
    field_activities.cancel_activity(db, CSR, canceled, row.version)
    return home.account, home.premise, (missed, upcoming, canceled)


def test_zone_lists_missed_then_upcoming_appointments_and_alerts_drill_to_booking(
        db: Database) -> None:
    account, premise, _numbers = _account_with_appointments(db)
    view = cc.account_dashboard(db, account, on=ON)
    (zone,) = [z for z in view.zones if z.key == "appointments"]
    assert zone.link_kind == "Appointment"
    assert zone.columns == ("Premise", "Date", "Time", "Activities", "Dispatch group",
                            "Status")
    assert zone.rows == (
        (premise, "Wed 08 Jan 2003", "08:00–12:00", "Meter exchange", "METER-N", "Missed"),
        (premise, "Wed 15 Jan 2003", "13:00–17:00", "High-bill investigation, Turn on service",
         "METER-N", "Upcoming"),
    )
    alerts = {a.code: a for a in view.alerts}
    assert alerts["AL-APPT-MISSED"].severity == "medium"
    assert alerts["AL-APPT-MISSED"].text == (
        "Missed appointment: Wed 08 Jan 2003 08:00–12:00 at 12 Elm St, Springfield")
    assert alerts["AL-APPT-MISSED"].drill == ("Appointment", premise)
    assert alerts["AL-APPT"].text == (
        "Appointment exists: Wed 15 Jan 2003 13:00–17:00 at 12 Elm St, Springfield")
    assert alerts["AL-APPT"].drill == ("Appointment", premise)


def test_the_clock_decides_upcoming_under_way_and_missed(db: Database) -> None:
    account, premise, (missed, upcoming, _canceled) = _account_with_appointments(db)
    assert zone_clock(ON) == dt.datetime(2003, 1, 10, 0, 0)
    with db.sessions() as session:
        account_id = session.scalar(select(Account.id).where(Account.number == account))
        assert account_id is not None
        during = appointments_at(session, account_id, dt.datetime(2003, 1, 15, 14, 0))
        after = appointments_at(session, account_id, dt.datetime(2003, 1, 15, 17, 1))
    assert [(a.start.day, a.status) for a in during] == [(8, "Missed"), (15, "Under way")]
    assert [(a.start.day, a.status) for a in after] == [(15, "Missed"), (8, "Missed")]
    field_activities.complete_activity(db, CSR, missed, dt.datetime(2003, 1, 9, 9, 0))
    view = cc.account_dashboard(db, account, on=ON)
    (zone,) = [z for z in view.zones if z.key == "appointments"]
    assert [row[-1] for row in zone.rows] == ["Upcoming"]
    assert "AL-APPT-MISSED" not in {a.code for a in view.alerts}
    assert upcoming and premise


def test_nothing_shows_without_appointments_or_with_the_module_off(db: Database) -> None:
    home = household(db, "Lindqvist", "Maja", "77 Birch Rd")
    view = cc.account_dashboard(db, home.account, on=ON)
    assert not any(z.key == "appointments" for z in view.zones)
    assert not {"AL-APPT", "AL-APPT-MISSED"} & {a.code for a in view.alerts}
    account, _premise, _numbers = _account_with_appointments(db)
    assert any(z.key == "appointments" for z in cc.account_dashboard(db, account, on=ON).zones)
    set_module_enabled(db, ADMIN, Module.APPOINTMENTS, False)
    view = cc.account_dashboard(db, account, on=ON)
    assert not any(z.key == "appointments" for z in view.zones)
    assert not {"AL-APPT", "AL-APPT-MISSED"} & {a.code for a in view.alerts}

