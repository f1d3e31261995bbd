"""`switchboard rate import` and `rate export`: rate files in and out of a database, and
one-sentence errors with exit status 2."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from app.cli import main
from app.db import Database, open_database
from app.demo import generate
from app.engine.rates import Quantity, RateCheckResult, check_rate, load_shipped_library
from app.engine.rates.rate_files import loads
from app.models.enums import UserRole
from app.services import rates, users
from app.services.context import SYSTEM

D = Decimal


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)




@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    generate(db, 3, seed=1, as_of=dt.date(2025, 6, 1))
    yield db
    db.dispose()


def _check(db: Database, code: str) -> RateCheckResult:
    return check_rate(rates.compiled_rate(db, code), start=dt.date(2025, 7, 1),
                      end=dt.date(2025, 7, 31), quantities=[Quantity("KWH", D(812))],
                      characteristics={"STATE": "CA"})


def test_export_from_a_demo_database_import_into_a_fresh_one_checks_the_same(
        demo_db: Database, db: Database, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "e-res-1.yaml"
    assert main(["rate", "export", "e-res-1", "--out", str(out), "--database",
                 _url(demo_db)]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    assert rates.rate_count(db) == 0
    assert main(["rate", "import", str(out), "--database", _url(db)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"{db.description}: {len(printed[1].split(', '))} added"
    assert printed[1].startswith("  added: ") and "E-RES-1" in printed[1]
    assert set(rates.rate_library(db).rate_schedules) == {"E-RES-1"}
    there, here = _check(demo_db, "E-RES-1"), _check(db, "E-RES-1")
    assert here.total == there.total == D("132.25")
    assert [(line.rc_seq, line.amount, line.description_on_bill) for line in here.lines] == \
        [(line.rc_seq, line.amount, line.description_on_bill) for line in there.lines]
    assert rates.rate_library(db).rate_schedules["E-RES-1"] == \
        load_shipped_library().rate_schedules["E-RES-1"]
    # the import was made by the system (the fresh database has no users)
    assert rates.open_schedule(db, SYSTEM, "E-RES-1").updated_by == "system"


def test_export_to_standard_output_with_and_without_dependencies(
        demo_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rate", "export", "ERES1", "--database", _url(demo_db)]) == 0
    full = loads(capsys.readouterr().out)
    assert {"ERES1", "ERES-TAX"} <= set(full.rate_schedules)
    assert {"CITYTAX", "STTAX", "CNTYTAX"} <= set(full.bill_factors)
    assert main(["rate", "export", "ERES1", "--no-dependencies", "--database",
                 _url(demo_db)]) == 0
    bare = loads(capsys.readouterr().out)
    assert set(bare.rate_schedules) == {"ERES1"} and not bare.bill_factors


def test_import_clash_needs_replace(db: Database, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    rates.load_shipped_rates(db, SYSTEM)
    rs = rates.rate_library(db)
    text = rates.export_rate_schedule(db, "E-COM-1", dependencies=False).replace(
        "Small commercial electric service", "Small commercial, revised")
    path = tmp_path / "revised.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["rate", "import", str(path), "--database", _url(db)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("switchboard: The database already has E-COM-1. Nothing was "
                            "imported; import with --replace to overwrite them.\n")
    assert rates.rate_library(db) == rs
    assert main(["rate", "import", str(path), "--replace", "--database", _url(db)]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["  replaced: E-COM-1"]
    assert rates.rate_library(db).rate_schedules["E-COM-1"].description == \
        "Small commercial, revised"


def test_import_of_a_folder_and_of_what_does_not_load(
        db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.engine.rates import SHIPPED_RATES

    assert main(["rate", "import", str(SHIPPED_RATES), "--database", _url(db)]) == 0
    assert rates.rate_library(db) == load_shipped_library()
    capsys.readouterr()
    bad = tmp_path / "bad.yaml"
    bad.write_text("rate_schedules:\n  X-1:\n    description: Broken\n    versions:\n"
                   "      - effective: 2024-13-01\n        status: FINISHED\n", encoding="utf-8")
    assert main(["rate", "import", str(bad), "--database", _url(db)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"switchboard: {bad}:5") and err.count("\n") == 1
    assert main(["rate", "import", str(tmp_path / "none.yaml"), "--database", _url(db)]) == 2
    assert "no such rate file" in capsys.readouterr().err


def test_import_of_a_schedule_without_what_it_needs_is_refused(
        demo_db: Database, db: Database, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bare.yaml"
    assert main(["rate", "export", "E-RES-1", "--no-dependencies", "--out", str(out),
                 "--database", _url(demo_db)]) == 0
    capsys.readouterr()
    assert main(["rate", "import", str(out), "--database", _url(db)]) == 2
    err = capsys.readouterr().err
    assert "Rate schedule E-RES-1 could not be used after this import" in err
    assert "frequency 'MONTHLY'" in err
    assert rates.rate_count(db) == 0


def test_export_errors_are_one_sentence(demo_db: Database, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rate", "export", "NOPE", "--database", _url(demo_db)]) == 2
    assert capsys.readouterr().err == "switchboard: There is no rate schedule NOPE.\n"
    assert main(["rate", "export", "E-RES-1", "--out", str(tmp_path), "--database",
                 _url(demo_db)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main(["rate", "export", "E-RES-1", "--out", str(tmp_path / "no" / "such.yaml"),
                 "--database", _url(demo_db)]) == 2
    assert capsys.readouterr().err.startswith("switchboard: cannot write ")


def test_import_into_a_database_with_users_runs_as_the_user(
        db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    if db.is_networked:
        pytest.skip("a shared database asks for a log-in")
    users.create_user(db, SYSTEM, "clerk", "Clerk", {UserRole.CSR}, None, None)
    monkeypatch.setattr("app.config.os_username", lambda: "clerk")
    path = tmp_path / "eres.yaml"
    path.write_text((Path(__file__).parents[2] / "app/resources/rates/controls.yaml")
                    .read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["rate", "import", str(path), "--database", _url(db)]) == 2
    assert "needs the Rate analyst role" in capsys.readouterr().err
