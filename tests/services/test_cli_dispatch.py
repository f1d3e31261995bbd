"""``switchboard dispatch``: the dispatch groups as a list, and a work calendar filled with a
country's public holidays — refused whole, with a sentence, for an unknown country."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.cli import main
from app.db import open_database
from app.services import appointment_periods, dispatch_groups
from tests.conftest import ADMIN


def test_groups_and_a_calendar_of_illinois_holidays(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite'}"
    db = open_database(url)
    try:
        dispatch_groups.create_operations_area(db, ADMIN, "NORTH", "North", ["627"])
        dispatch_groups.create_dispatch_group(db, ADMIN, "METER-N", "Meter crew north", "NORTH")
        dispatch_groups.create_dispatch_group(db, ADMIN, "NEW-SVC", "New service", "NORTH")
        dispatch_groups.set_alternates(db, ADMIN, "NEW-SVC", ["METER-N"])
    finally:
        db.dispose()
    assert main(["dispatch", "groups", "--database", url]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "METER-N      Meter crew north (NORTH, counts premises)",
        "NEW-SVC      New service (NORTH, counts premises); alternates METER-N"]

    assert main(["dispatch", "calendar", "us-il", "--country", "US", "--subdivision", "IL",
                 "--year", "2004", "--database", url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Work calendar US-IL: ") and out.endswith(" in all.\n")
    db = open_database(url)
    try:
        days = {h.day for h in appointment_periods.holidays_between(
            db, "US-IL", dt.date(2004, 1, 1), dt.date(2004, 1, 31))}
        assert days == {dt.date(2004, 1, 1), dt.date(2004, 1, 19)}   # AP-T09's two
    finally:
        db.dispose()

    assert main(["dispatch", "calendar", "XX", "--country", "ZZ", "--year", "2004",
                 "--database", url]) == 2
    assert "No public holidays are known for 'ZZ'" in capsys.readouterr().err
    db = open_database(url)
    try:
        assert [c.code for c in appointment_periods.calendars(db)] == ["US-IL"]  # no XX
    finally:
        db.dispose()
