"""What bills already used stays priced as it was billed (services/rate_billing_guard.py): a
version becomes Finished — by a status change, a save, an import, a merge, or a primary
starting to invoke its sub-rate — only when it takes effect after the last billed day. And the
rate cache reads one consistent library (services/context.snapshot), with two real
connections, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text

from app.cli import main
from app.db import Database, open_database
from app.engine.rates import RateLibrary, load_shipped_library
from app.engine.rates.enums import RateVersionStatus
from app.engine.rates.merge import MergeRow
from app.engine.rates.rate_files import dump_library
from app.engine.rates.schedules import RateVersion, RuleLink
from app.models.audit import AuditEvent
from app.models.enums import ServiceType, UserRole
from app.services import financials, rate_store, rates
from app.services import service_agreements as sas
from app.services.context import Actor, read_only, snapshot, transaction
from app.services.errors import ValidationError
from app.services.financials import BillSegmentForm
from app.services.rate_billing_guard import FieldProblem
from app.services.rates import RateValidationFailed
from app.services.service_agreements import ServiceAgreementForm
from tests.conftest import CSR, SUPERVISOR
from tests.services.builders import household

ANALYST = Actor("rana", "Rita Analyst", frozenset({UserRole.RATE_ANALYST}))
OTHER_ANALYST = Actor("rbo", "Bo Rater", frozenset({UserRole.RATE_ANALYST}))
IP, VAL, FIN = (RateVersionStatus.IN_PROGRESS, RateVersionStatus.VALIDATED,
                RateVersionStatus.FINISHED)
JULY_2025 = dt.date(2025, 7, 1)
D = Decimal


@pytest.fixture
def shipped(db: Database) -> Database:
    rates.load_shipped_rates(db, ANALYST)
    return db


def _bill(db: Database, code: str, start: dt.date, end: dt.date) -> None:
    """One posted bill of an agreement on ``code`` (since 2025-01-01) for ``start``–``end``."""
    home = household(db)
    sa = sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,), dt.date(2025, 1, 1),
        code))
    financials.post_bill(db, SUPERVISOR, home.account, end + dt.timedelta(days=3),
                         end + dt.timedelta(days=24),
                         [BillSegmentForm(sa.number, start, end, D("500"), "KWH", D("60.00"))])


def _state(db: Database, code: str, effective: dt.date) -> rates.VersionState:
    return rates.open_schedule(db, ANALYST, code).version_state(effective)


def _add(db: Database, code: str, effective: dt.date, copy_from: dt.date) -> int:
    rates.add_version(db, ANALYST, code, effective, copy_from=copy_from)
    return _state(db, code, effective).row_version


def _status_audits(db: Database, entity_id: str) -> list[tuple[str | None, str | None]]:
    with db.sessions() as session:
        return [(old, new) for old, new in session.execute(
            select(AuditEvent.old_value, AuditEvent.new_value).where(
                AuditEvent.entity_id == entity_id, AuditEvent.field == "status")
            .order_by(AuditEvent.id))]


# --- a status change ---------------------------------------------------------------------------


def test_finishing_a_version_inside_or_before_the_billed_days_is_refused(
        shipped: Database) -> None:
    _bill(shipped, "E-RES-1", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    expected = ("Bills on E-RES-1 already cover up to 2026-10-31: a Finished version must "
                "take effect on 2026-11-01 or later. Choose a later effective date, or keep "
                "it In Progress/Validated to check it.")
    for effective in (dt.date(2026, 10, 31), dt.date(2026, 10, 15), dt.date(2026, 6, 1)):
        row_version = _add(shipped, "E-RES-1", effective, JULY_2025)
        with pytest.raises(RateValidationFailed) as caught:       # straight from In Progress
            rates.set_version_status(shipped, ANALYST, "E-RES-1", effective, FIN, row_version)
        assert caught.value.message == expected
        assert caught.value.field == "effective"
        assert caught.value.problems == (FieldProblem(expected, version=effective),)
        # Validated is free: rate check may use it, billing does not
        validated = rates.set_version_status(shipped, ANALYST, "E-RES-1", effective, VAL,
                                             row_version)
        row_version = validated.version_state(effective).row_version
        with pytest.raises(RateValidationFailed, match="2026-11-01 or later"):
            rates.set_version_status(shipped, ANALYST, "E-RES-1", effective, FIN, row_version)
        state = _state(shipped, "E-RES-1", effective)
        assert (state.status, state.row_version) == (VAL, row_version)    # nothing saved
        assert _status_audits(shipped, f"E-RES-1/{effective.isoformat()}") == [
            ("In Progress", "Validated")]
    # the day after the last billed day is fine
    november = dt.date(2026, 11, 1)
    row_version = _add(shipped, "E-RES-1", november, JULY_2025)
    done = rates.set_version_status(shipped, ANALYST, "E-RES-1", november, FIN, row_version)
    assert done.version_state(november).status is FIN


def test_a_bill_of_an_agreement_that_left_the_rate_does_not_count(shipped: Database) -> None:
    """The same notion as "used by a bill": a segment counts for the rate its agreement was on
    at the time."""
    home = household(shipped)
    sa = sas.create_service_agreement(shipped, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,), dt.date(2025, 1, 1),
        "E-COM-1"))
    sas.change_rate(shipped, CSR, sa.number, dt.date(2026, 6, 1), "E-RES-1")
    financials.post_bill(shipped, SUPERVISOR, home.account, dt.date(2026, 7, 3),
                         dt.date(2026, 7, 24),
                         [BillSegmentForm(sa.number, dt.date(2026, 6, 1), dt.date(2026, 6, 30),
                                          D("500"), "KWH", D("60.00"))])
    # E-COM-1 was left before June: a version from 2026-01-01 prices nothing billed
    row_version = _add(shipped, "E-COM-1", dt.date(2026, 1, 1), dt.date(2020, 1, 1))
    rates.set_version_status(shipped, ANALYST, "E-COM-1", dt.date(2026, 1, 1), FIN,
                             row_version)
    row_version = _add(shipped, "E-RES-1", dt.date(2026, 6, 15), JULY_2025)
    with pytest.raises(RateValidationFailed, match="Bills on E-RES-1 already cover up to "
                       "2026-06-30"):
        rates.set_version_status(shipped, ANALYST, "E-RES-1", dt.date(2026, 6, 15), FIN,
                                 row_version)


def test_a_sub_rate_is_judged_by_the_bills_of_the_primaries_that_invoke_it(
        shipped: Database) -> None:
    _bill(shipped, "ERES1", dt.date(2025, 7, 1), dt.date(2025, 7, 31))
    mid_july = dt.date(2025, 7, 15)
    row_version = _add(shipped, "ERES-TAX", mid_july, dt.date(2000, 1, 1))
    with pytest.raises(RateValidationFailed) as caught:
        rates.set_version_status(shipped, ANALYST, "ERES-TAX", mid_july, FIN, row_version)
    assert caught.value.message == (
        "Bills on ERES1, which invokes ERES-TAX, already cover up to 2025-07-31: a Finished "
        "version of ERES-TAX must take effect on 2025-08-01 or later. Choose a later "
        "effective date, or keep it In Progress/Validated to check it.")
    assert caught.value.field == "effective"
    august = dt.date(2025, 8, 1)
    row_version = _add(shipped, "ERES-TAX", august, dt.date(2000, 1, 1))
    rates.set_version_status(shipped, ANALYST, "ERES-TAX", august, FIN, row_version)


def test_a_version_already_finished_is_not_judged_again(shipped: Database) -> None:
    """Editing a Finished version no bill used keeps working, although it takes effect
    before the billed days; and a Finished version bills used still cannot change."""
    _bill(shipped, "E-RES-1", JULY_2025, dt.date(2025, 7, 31))
    opened = rates.open_schedule(shipped, ANALYST, "E-RES-1")
    old = opened.schedule.version(dt.date(2020, 1, 1))
    assert old is not None and old.status is FIN
    state = opened.version_state(old.effective)
    assert not state.used_by_bill
    edited = replace(old, description_on_bill="Residential (%D)")
    saved = rates.save_version(shipped, ANALYST, "E-RES-1", edited, state.row_version)
    assert saved.version_state(old.effective).status is FIN
    billed, billed_state = opened.schedule.version(JULY_2025), opened.version_state(JULY_2025)
    assert billed is not None and billed_state.used_by_bill
    with pytest.raises(ValidationError, match="bills were calculated with it"):
        rates.save_version(shipped, ANALYST, "E-RES-1",
                           replace(billed, description_on_bill="x"), billed_state.row_version)


# --- merges --------------------------------------------------------------------------------------


def test_merges_never_make_a_version_finished_and_still_work_on_a_billed_rate(
        shipped: Database) -> None:
    _bill(shipped, "E-RES-1", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    june = dt.date(2026, 6, 1)
    row_version = _add(shipped, "E-RES-1", june, JULY_2025)
    validated = rates.set_version_status(shipped, ANALYST, "E-RES-1", june, VAL, row_version)
    target = validated.schedule.version(june)
    assert target is not None
    rows = [MergeRow("ORIGINAL", rc) for rc in reversed(target.components)
            if rc.sequence in (10, 20)] + [MergeRow("ORIGINAL", rc) for rc in target.components
                                          if rc.sequence not in (10, 20)]
    merged = rates.merge_versions(shipped, ANALYST, "E-RES-1", june, rows,
                                  expected_version=validated.version_state(june).row_version)
    assert merged.version_state(june).status is IP      # a changed Validated target goes back
    with pytest.raises(RateValidationFailed, match="2026-11-01 or later"):
        rates.set_version_status(shipped, ANALYST, "E-RES-1", june, FIN,
                                 merged.version_state(june).row_version)
    # a schedule merge copies collections only: nothing Finished changes, so it is not judged
    opened = rates.open_schedule(shipped, ANALYST, "E-RES-1")
    after = rates.merge_schedules(shipped, ANALYST, "E-RES-1", "E-COM-1",
                                  expected_version=opened.row_version)
    assert after.schedule.versions == merged.schedule.versions


# --- a primary that starts to invoke a sub-rate ------------------------------------------------


def test_linking_a_sub_rate_with_finished_versions_to_a_billed_rate_is_refused(
        shipped: Database) -> None:
    _bill(shipped, "E-RES-1", JULY_2025, dt.date(2025, 7, 31))
    opened = rates.open_schedule(shipped, ANALYST, "E-RES-1")
    linked = replace(opened.schedule, sub_rates=(RuleLink(10, "ERES-TAX"),))
    with pytest.raises(ValidationError) as caught:
        rates.save_schedule(shipped, ANALYST, linked, opened.row_version)
    assert caught.value.field == "sub_rates"
    assert caught.value.message == (
        "Bills on E-RES-1 already cover up to 2025-07-31, so E-RES-1 cannot start to invoke "
        "ERES-TAX: its Finished version 2000-01-01 would re-price them. Link a sub-rate whose "
        "Finished versions take effect on 2025-08-01 or later.")
    again = rates.open_schedule(shipped, ANALYST, "E-RES-1")
    assert again.schedule.sub_rates == () and again.row_version == opened.row_version


# --- imports -----------------------------------------------------------------------------------


def _with_versions(code: str, *versions: RateVersion) -> RateLibrary:
    rs = load_shipped_library().rate_schedules[code]
    return RateLibrary(rate_schedules={code: replace(rs, versions=versions)})


def test_an_import_cannot_bring_or_move_a_finished_version_into_the_billed_days(
        shipped: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _bill(shipped, "E-RES-1", JULY_2025, dt.date(2025, 7, 31))
    before = rates.rate_library(shipped)
    first, billed = load_shipped_library().rate_schedules["E-RES-1"].versions
    backdated = replace(billed, effective=dt.date(2025, 7, 20))
    with pytest.raises(ValidationError) as caught:
        rates.import_library(shipped, ANALYST, _with_versions("E-RES-1", first, billed,
                                                               backdated),
                             replace_existing=True)
    assert caught.value.message == (
        "Rate version 2025-07-20 of E-RES-1 is Finished in the file. Bills on E-RES-1 already "
        "cover up to 2025-07-31: a Finished version must take effect on 2025-08-01 or later. "
        "Choose a later effective date, or keep it In Progress/Validated to check it. Nothing "
        "was imported.")
    assert caught.value.field == "effective"
    # a Finished version no bill used may not move into the billed days either
    moved = replace(first, effective=dt.date(2021, 1, 1))
    with pytest.raises(ValidationError, match="Rate version 2021-01-01 of E-RES-1 is Finished"):
        rates.import_library(shipped, ANALYST, _with_versions("E-RES-1", moved, billed),
                             replace_existing=True)
    rates.forget_cache()
    assert rates.rate_library(shipped) == before                   # nothing was imported
    # the same file through `switchboard rate import --replace`
    path = tmp_path / "backdated.yaml"
    path.write_text(dump_library(_with_versions("E-RES-1", first, billed, backdated)),
                    encoding="utf-8")
    url = shipped.engine.url.render_as_string(hide_password=False)
    assert main(["rate", "import", str(path), "--replace", "--database", url]) == 2
    assert "Bills on E-RES-1 already cover up to 2025-07-31" in capsys.readouterr().err
    # Validated in the file is fine, and so is Finished after the billed days
    ok = rates.import_library(shipped, ANALYST, _with_versions(
        "E-RES-1", first, billed, replace(backdated, status=VAL),
        replace(billed, effective=dt.date(2025, 8, 1))), replace_existing=True)
    assert ok.replaced == ("E-RES-1",)
    versions = rates.rate_library(shipped).rate_schedules["E-RES-1"].versions
    assert [(v.effective, v.status) for v in versions] == [
        (dt.date(2020, 1, 1), FIN), (JULY_2025, FIN), (dt.date(2025, 7, 20), VAL),
        (dt.date(2025, 8, 1), FIN)]


def test_an_import_of_a_billed_sub_rate_is_judged_through_its_primary(
        shipped: Database) -> None:
    _bill(shipped, "ERES1", JULY_2025, dt.date(2025, 7, 31))
    (tax,) = load_shipped_library().rate_schedules["ERES-TAX"].versions
    with pytest.raises(ValidationError, match="Bills on ERES1, which invokes ERES-TAX, "
                       "already cover up to 2025-07-31"):
        rates.import_library(shipped, ANALYST, _with_versions(
            "ERES-TAX", tax, replace(tax, effective=dt.date(2025, 6, 1))),
            replace_existing=True)


# --- one snapshot ------------------------------------------------------------------------------


@pytest.fixture
def other(shipped: Database) -> Iterator[Database]:
    """Another workstation on the same database (its own engine and connections)."""
    second = open_database(shipped.url)
    yield second
    second.dispose()


def _save_other_price(other: Database, value: str) -> None:
    """Another analyst changes E-RES-1's customer charge of July 2025 (and so the revision)."""
    opened = rates.open_schedule(other, OTHER_ANALYST, "E-RES-1")
    rv = opened.schedule.version(JULY_2025)
    assert rv is not None
    rv = replace(rv, components=tuple(replace(rc, value=D(value)) if rc.sequence == 10 else rc
                                      for rc in rv.components))
    rates.save_version(other, OTHER_ANALYST, "E-RES-1", rv,
                       opened.version_state(JULY_2025).row_version)


def _charge(lib: RateLibrary) -> Decimal | None:
    rv = lib.rate_schedules["E-RES-1"].version(JULY_2025)
    assert rv is not None
    component = rv.component(10)
    assert component is not None
    return component.value


def test_a_snapshot_does_not_see_what_another_connection_commits(
        shipped: Database, other: Database) -> None:
    with snapshot(shipped) as session:
        first = rates._revision(session)
        with transaction(other, OTHER_ANALYST) as theirs:
            rates._bump(theirs)
        assert rates._revision(session) == first                    # still the same snapshot
        raw: Any = session.connection().connection.dbapi_connection
        if not shipped.is_sqlite:
            assert session.execute(text("SHOW transaction_isolation")).scalar() == \
                "repeatable read"
            assert session.execute(text("SHOW transaction_read_only")).scalar() == "on"
    if not shipped.is_sqlite:
        # the connection goes back to the pool as it came: READ COMMITTED, read-write
        import psycopg

        assert not raw.read_only
        assert raw.isolation_level in (None, psycopg.IsolationLevel.READ_COMMITTED)
    with read_only(shipped) as session:
        assert rates._revision(session) == first + 1
        if not shipped.is_sqlite:
            # where each statement sees what was committed before it: why `snapshot` exists
            with transaction(other, OTHER_ANALYST) as theirs:
                rates._bump(theirs)
            assert rates._revision(session) == first + 2


def test_a_library_read_in_a_snapshot_is_wholly_old_while_a_save_commits(
        shipped: Database, other: Database) -> None:
    shipped_lib = load_shipped_library()
    with snapshot(shipped) as session:
        revision = rates._revision(session)
        controls = rate_store.read_controls(session)     # part of the library read, then …
        _save_other_price(other, "12.99")                 # … another workstation commits
        lib = rate_store.read_library(session)
        assert rates._revision(session) == revision
    assert RateLibrary(**controls) == replace(lib, bill_factors={}, rate_schedules={})
    assert lib == shipped_lib and _charge(lib) == D("12.75")          # wholly old
    with snapshot(shipped) as session:
        assert rates._revision(session) > revision
        assert _charge(rate_store.read_library(session)) == D("12.99")  # wholly new


def test_the_cache_keeps_a_library_wholly_old_under_the_old_revision(
        shipped: Database, other: Database) -> None:
    """The cache reads the revision, then the library table by table; another workstation's
    save commits right after the revision was read (from an engine hook on this workstation's
    connection — the database itself is real). The library cached is the old one, under the
    old revision, so the next use sees the new revision and reloads the new library."""
    with read_only(shipped) as session:
        revision = rates._revision(session)
    fired: list[str] = []

    def save_midway(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not fired and "rate_library_revision" not in statement and "rate_" in statement:
            fired.append(statement)
            _save_other_price(other, "12.99")

    event.listen(shipped.engine, "before_cursor_execute", save_midway)
    try:
        lib = rates.rate_library(shipped)
    finally:
        event.remove(shipped.engine, "before_cursor_execute", save_midway)
    assert fired, "the save ran in the middle of the library read"
    assert lib == load_shipped_library() and _charge(lib) == D("12.75")
    assert rates._cache[str(shipped.url)].revision == revision
    fresh = rates.rate_library(shipped)
    assert _charge(fresh) == D("12.99")
    assert rates._cache[str(shipped.url)].revision > revision
    assert rates.rate_library(shipped) is fresh                        # cached again


def test_an_unfinished_version_in_between_does_not_end_a_billed_versions_period(
        shipped: Database) -> None:
    """Billing skips In Progress and Validated versions, so a bill after one of them was
    still rated with the Finished version before it: that version stays protected."""
    _bill(shipped, "E-RES-1", dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    february = dt.date(2026, 2, 1)
    _add(shipped, "E-RES-1", february, JULY_2025)               # In Progress, not billed
    assert _state(shipped, "E-RES-1", JULY_2025).used_by_bill   # March was billed with it
    row_version = _state(shipped, "E-RES-1", JULY_2025).row_version
    with pytest.raises(ValidationError, match="bills were calculated with it"):
        rates.set_version_status(shipped, ANALYST, "E-RES-1", JULY_2025, IP, row_version)
