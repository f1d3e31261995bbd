"""``switchboard loan schedule`` prints the engine's forecast, with no database."""

from __future__ import annotations

import json

import pytest

from app.cli import main

BASE = ["loan", "schedule", "--principal", "10000", "--annual-rate", "6", "--start",
        "2025-01-10"]


def test_schedule_from_a_term_prints_the_spec_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*BASE, "--periods", "12"]) == 0
    out = capsys.readouterr().out
    assert "12 payments of 860.67 (last 860.59), paid off 09 Jan 2026" in out
    assert "Total interest 327.96; total paid 10,327.96" in out
    lines = out.splitlines()
    assert lines[5].split()[:7] == ["1", "10", "Jan", "2025", "–", "09", "Feb"]
    assert lines[5].split()[-6:] == ["860.67", "50.00", "810.67", "50.00", "810.67",
                                     "9,189.33"]


def test_json_with_a_payment_and_an_extra(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*BASE, "--payment", "500", "--extra", "100", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["payment"], data["payments"], data["total_interest"]) == ("500.00", 22,
                                                                          "562.52")
    what_if = data["what_if"]
    assert what_if["payments"] < 22 and what_if["payments_saved"] == 22 - what_if["payments"]
    assert what_if["rows"][1]["amount"] == "600.00" and what_if["rows"][1]["extra"] == "100.00"
    assert what_if["rows"][-1]["balance"] == "0.00"


@pytest.mark.parametrize(("extra", "message"), [
    (["--periods", "0"], "number of payments must be between 1 and 5000. (--periods)"),
    (["--periods", "12", "--annual-rate", "101"], "between 0 and 100 %. (--annual-rate)"),
    (["--payment", "49.99"], "does not cover the interest 50.00"),
])
def test_bad_input_is_one_sentence_and_status_2(extra: list[str], message: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*BASE, *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_periods_and_payment_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([*BASE, "--periods", "12", "--payment", "500"])
    assert "not allowed with argument" in capsys.readouterr().err
