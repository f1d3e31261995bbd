"""`switchboard rate …` on the shipped library: what a rate analyst types and reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["rate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_check_prints_the_calc_lines_and_total(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--rate", "E-COM1", "--from", "2023-03-17",
                       "--to", "2023-04-30", "--quantity", "KWH=1200", "--quantity", "kW=20")
    assert code == 0
    assert "Total 101.50 USD" in out
    assert "800 kWh at $0.035 per kWh (prorated for 15 of 30 days)" in out
    assert "[2] E-COM1 version 2023-04-01, 2023-04-01 to 2023-04-30: 71.50 USD" in out


def test_check_as_json_has_every_result_field(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--rate", "E-RES-1", "--from", "2026-04-01",
                       "--to", "2026-04-30", "--quantity", "kWh=1200", "--char", "STATE=CA",
                       "--revenue-class", "RES", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["total"] == "195.26"
    assert set(data) >= {"rate_schedule", "headers", "sq_details", "register_reads",
                         "characteristics", "total", "revenue_class", "warnings"}
    lines = data["headers"][0]["lines"]
    assert [(x["rc_seq"], x["amount"]) for x in lines] == [
        (10, "12.75"), (20, "62.15"), (30, "104.37"), (40, "166.52"), (50, "14.79"),
        (60, "1.20")]
    assert lines[4]["base_amount"] == "179.27"
    assert lines[3]["in_total"] is False
    assert data["characteristics"] == {"STATE": "CA"}
    assert data["sq_details"] == [{"uom": "KWH", "tou": None, "sqi": None,
                                   "initial": "1200", "billable": "1200"}]


def test_tou_and_sqi_quantities(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--rate", "E-RES-TOU", "--from", "2026-04-01",
                       "--to", "2026-04-30", "--quantity", "KWH/ON=400",
                       "--quantity", "KWH/OFF=800", "--char", "STATE=NV")
    assert code == 0
    assert "On Peak: 400 kWh at $0.2387 per kWh" in out
    assert "Off Peak: 800 kWh at $0.0943 per kWh" in out


@pytest.mark.parametrize("argv,message", [
    (["--rate", "NOPE"], "there is no rate 'NOPE' in the library"),
    (["--rate", "E-RES-1", "--quantity", "KWHH=5", "--char", "STATE=CA"],
     "there is no unit of measure 'KWHH'"),
    (["--rate", "E-RES-1", "--quantity", "KWH=abc"], "'abc' is not an amount"),
    (["--rate", "E-RES-1", "--quantity", "KWH"], "must look like UOM[/TOU[/SQI]]=AMOUNT"),
    (["--rate", "E-RES-1", "--quantity", "KWH=5"], "needs characteristic STATE"),
    (["--rate", "E-RES-1", "--char", "STATE"], "--char 'STATE' must look like TYPE=VALUE"),
    (["--rate", "ERES-TAX"], "sub rates cannot be checked directly"),
    (["--rate", "G-CCF-TH", "--quantity", "CCF=1000"], "needs characteristic TAKEPT"),
    (["--rate", "missing.yaml"], "there is no rate file missing.yaml"),
])
def test_bad_input_is_a_message_and_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                                           message: str) -> None:
    code, out, err = run(capsys, "check", "--from", "2026-04-01", "--to", "2026-04-30", *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and out == ""


def test_bad_dates_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["rate", "check", "--rate", "E-RES-1", "--from", "2026-04-31", "--to", "2026-05-30"])
    assert exc.value.code == 2
    assert "'2026-04-31' is not a date; write it as YYYY-MM-DD" in capsys.readouterr().err
    code, _, err = run(capsys, "check", "--rate", "E-RES-1", "--from", "2026-05-01",
                       "--to", "2026-04-01", "--char", "STATE=CA")
    assert code == 2 and "is before the start date" in err


def test_a_rate_file_on_top_of_the_shipped_library(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "my-rate.yaml"
    f.write_text("""
rate_schedules:
  MY-RATE:
    description: Trial rate
    service_type: ELECTRIC
    frequency: MONTHLY
    currency: USD
    versions:
      - effective: 2026-01-01
        status: VALIDATED
        components:
          - {sequence: 10, type: SQ, value_type: UNIT_RATE, value: "0.10", uom: KWH, gl: {code: REV}}
          - {sequence: 20, type: APPLY_TO, value_type: UNIT_RATE, value_source: BILL_FACTOR, bill_factor: COUNTYTAX, xrefs: [10], gl: {code: TAX}}
""")
    code, out, _ = run(capsys, "check", "--rate", str(f), "--from", "2026-04-01",
                       "--to", "2026-04-30", "--quantity", "KWH=1000")
    assert code == 0 and "Total 101.00 USD" in out


def test_a_broken_rate_file_names_file_line_and_field(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "broken.yaml"
    f.write_text("rate_schedules:\n  BAD:\n    description: x\n    frequency: MONTHLY\n"
                 "    currency: USD\n    versions:\n      - effective: 2026-01-01\n"
                 "        status: DONE\n")
    code, out, err = run(capsys, "check", "--rate", str(f), "--from", "2026-04-01",
                         "--to", "2026-04-30")
    assert code == 2
    assert f"{f}:8" in err and "status" in err and "DONE" in err
    assert "Traceback" not in err


def test_list_and_validate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0
    for rate in ("E-COM1", "COM-TOU", "ERES-TAX", "G-CCF-TH", "E-RES-1", "W-COM-1"):
        assert rate in out
    from app.engine.rates import SHIPPED_RATES
    code, out, _ = run(capsys, "validate", str(SHIPPED_RATES))
    assert code == 0 and "compile without errors" in out


@pytest.mark.parametrize("amount,message", [
    ("1e400000", "is not an amount"), ("1,5", "is not an amount"),
    ("99999999999999999", "too large for a quantity")])
def test_odd_amounts_are_refused(capsys: pytest.CaptureFixture[str], amount: str,
                                 message: str) -> None:
    code, out, err = run(capsys, "check", "--rate", "E-RES-1", "--from", "2026-04-01",
                         "--to", "2026-04-30", "--char", "STATE=CA", "--quantity",
                         f"KWH={amount}")
    assert code == 2 and message in err and "Traceback" not in err


def test_grouped_thousands_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--rate", "E-RES-1", "--from", "2026-04-01",
                       "--to", "2026-04-30", "--char", "STATE=CA", "--quantity", "KWH=1,200",
                       "--json")
    assert code == 0 and json.loads(out)["total"] == "195.26"


def test_a_missing_quantity_the_rate_needs_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "--rate", "RX-11", "--from", "2023-04-01",
                       "--to", "2023-04-30", "--quantity", "KWH=1000")
    assert code == 2 and "needs service quantity KW/–/–, which is missing" in err
