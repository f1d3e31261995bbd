"""The crew's day sheet PDF: generated from the service's `DaySheet`, read back with pypdf."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pypdf import PdfReader

from app.db import Database
from app.reports.day_sheet import phone_text, render_day_sheet
from app.services.appointment_week import day_sheet
from tests.services.test_appointment_week import BOOKED_AT, GROUP, MONDAY, build_week


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_day_sheet_lists_each_period_with_premise_customer_phone_and_work(
        db: Database, tmp_path: Path) -> None:
    week = build_week(db)
    noon = dt.datetime(2025, 3, 3, 12, 0)
    out = render_day_sheet(day_sheet(db, GROUP, MONDAY, now=noon), tmp_path / "monday.pdf")
    text = _text(out)
    assert "Day sheet · Monday 3 March 2025" in text
    assert "METER-N · Meter crew north" in text
    assert "08:00–10:00" in text and "2 / 2 booked · full · 2 appointments" in text
    assert "10:00–12:00" in text and "0 / 2 booked · 0 appointments" in text
    assert "13:00–17:00" in text
    assert f"Premise {week.premises[0]}" in text and "12 Elm St, Springfield, 62701" in text
    assert f"Premise {week.premises[1]}" in text
    assert "Okafor, Ngozi" in text and "Okonkwo, Chidi" in text
    assert "(555) 555-0101" in text
    assert "Meter exchange (Pending)" in text and "High-bill investigation (Pending)" in text
    assert f"FA {week.activities['exchange']}" in text
    assert "MISSED: period ended, work not done" in text
    assert "Signature" in text and "Page 1 of 1" in text


def test_day_sheet_prints_instructions_and_a_customer_less_premise(
        db: Database, tmp_path: Path) -> None:
    week = build_week(db)
    sheet = day_sheet(db, GROUP, MONDAY + dt.timedelta(days=1), now=BOOKED_AT)
    text = _text(render_day_sheet(sheet, tmp_path / "tuesday.pdf"))
    assert "Tuesday 4 March 2025" in text
    assert f"Premise {week.premises[2]}" in text and "77 Birch Rd" in text
    assert "No customer on record" in text
    assert "Turn on service (Pending)" in text
    assert "Instructions: Dog in the yard; key under the mat." in text
    assert "MISSED" not in text


def test_a_day_without_periods_says_so(db: Database, tmp_path: Path) -> None:
    build_week(db)
    sheet = day_sheet(db, GROUP, dt.date(2025, 3, 8), now=BOOKED_AT)
    text = _text(render_day_sheet(sheet, tmp_path / "saturday.pdf"))
    assert "METER-N has no appointment periods on this day." in text


def test_phone_text() -> None:
    assert phone_text("+15555550101") == "(555) 555-0101"
    assert phone_text("+442079460958") == "+442079460958"
    assert phone_text(None) == "—"
