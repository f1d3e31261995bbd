"""Rates in the database (services/rates.py, services/rate_store.py): the shipped library
round trip, exact decimals, the rate version lifecycle (spec/10 §6, spec/20 §2.3), merges
(spec/20 §8), lost races, the cache across workstations, permissions, import and audit."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db import Database, open_database
from app.engine.rates import (
    Quantity,
    RateCheckResult,
    RateLibrary,
    check_rate,
    load_shipped_library,
)
from app.engine.rates.enums import ComponentType, RateVersionStatus, ValueType
from app.engine.rates.errors import BillingError
from app.engine.rates.merge import MergeRow
from app.engine.rates.rate_files import loads
from app.engine.rates.schedules import GlDistribution, RateComponent, RateVersion, RuleLink
from app.models.audit import AuditEvent
from app.models.enums import ServiceType, UserRole
from app.services import financials, rates
from app.services import service_agreements as sas
from app.services.context import Actor
from app.services.errors import ConcurrentChange, PermissionDenied, ValidationError
from app.services.financials import BillSegmentForm
from app.services.rates import RateValidationFailed
from app.services.service_agreements import ServiceAgreementForm
from tests.conftest import CSR, PG_URL, SUPERVISOR, pg_test_url
from tests.services.builders import household

ANALYST = Actor("rana", "Rita Analyst", frozenset({UserRole.RATE_ANALYST}))
OTHER_ANALYST = Actor("rbo", "Bo Rater", frozenset({UserRole.RATE_ANALYST}))

IP, VAL, FIN = (RateVersionStatus.IN_PROGRESS, RateVersionStatus.VALIDATED,
                RateVersionStatus.FINISHED)
NEW = dt.date(2026, 1, 1)

D = Decimal




@pytest.fixture
def shipped(db: Database) -> Database:
    summary = rates.load_shipped_rates(db, ANALYST)
    assert summary.added and not summary.replaced
    return db


def _check(rate, code: str) -> RateCheckResult:  # type: ignore[no-untyped-def]
    """One bill period for each rate of the round-trip test."""
    if code == "COM-TOU":
        q = [Quantity("KWH", D(400), tou="PEAK"), Quantity("KWH", D(700), tou="OFFPEAK"),
             Quantity("KWH", D(250), tou="SHOULDER"), Quantity("KW", D(140))]
        return check_rate(rate, start=dt.date(2009, 8, 1), end=dt.date(2009, 8, 31),
                          quantities=q, characteristics={"STATE": "NV", "CITY": "RENO"})
    if code == "ERES1":
        return check_rate(rate, start=dt.date(2023, 4, 1), end=dt.date(2023, 4, 30),
                          quantities=[Quantity("KWH", D(500))], characteristics={"STATE": "NV"})
    return check_rate(rate, start=dt.date(2025, 7, 1), end=dt.date(2025, 7, 31),
                      quantities=[Quantity("KWH", D(812))], characteristics={"STATE": "CA"})


def _lines(result: RateCheckResult) -> list[tuple[str, int, Decimal, str, bool]]:
    return [(h.rate_schedule, line.rc_seq, line.amount, line.description_on_bill, line.in_total)
            for h in result.headers for line in h.lines]


def _version(db: Database, code: str, effective: dt.date) -> tuple[RateVersion, int]:
    opened = rates.open_schedule(db, ANALYST, code)
    rv = next(v for v in opened.schedule.versions if v.effective == effective)
    return rv, opened.version_state(effective).row_version


def _component(rv: RateVersion, seq: int) -> RateComponent:
    return next(rc for rc in rv.components if rc.sequence == seq)


def _with(rv: RateVersion, seq: int, **changes: object) -> RateVersion:
    return replace(rv, components=tuple(replace(rc, **changes) if rc.sequence == seq else rc
                                        for rc in rv.components))


def _new_version(db: Database, code: str = "E-RES-1", copy_from: dt.date = dt.date(2025, 7, 1)
                 ) -> tuple[RateVersion, int]:
    rates.add_version(db, ANALYST, code, NEW, copy_from=copy_from)
    return _version(db, code, NEW)


# --- the shipped library in the database -----------------------------------------------------


def test_shipped_library_stored_and_read_back_is_the_yaml_library(shipped: Database) -> None:
    lib = load_shipped_library()
    stored = rates.rate_library(shipped)
    for section in RateLibrary.SECTIONS:
        assert getattr(stored, section) == getattr(lib, section), section
    assert stored == lib
    assert rates.rate_count(shipped) == len(lib.rate_schedules) == 31
    # a second load adds nothing
    assert rates.load_shipped_rates(shipped, ANALYST).text == "nothing to import"


@pytest.mark.parametrize("code", ["E-RES-1", "COM-TOU", "ERES1"])
def test_rate_check_from_the_database_equals_the_rate_file(shipped: Database, code: str) -> None:
    from_file = _check(load_shipped_library().compile(code), code)
    from_db = _check(rates.compiled_rate(shipped, code), code)
    assert _lines(from_db) == _lines(from_file)
    assert [(h.rate_schedule, h.rate_version, h.amount) for h in from_db.headers] == \
        [(h.rate_schedule, h.rate_version, h.amount) for h in from_file.headers]
    assert from_db.total == from_file.total
    # real numbers, so an empty result cannot pass
    expected = {"E-RES-1": ("E-RES-1", 6), "COM-TOU": ("COM-TOU", 12),
                "ERES1": ("ERES-TAX", 4)}[code]
    assert from_db.headers[-1].rate_schedule == expected[0]
    assert len(from_db.lines) >= expected[1]
    assert from_db.total > 0
    assert rates.compiled_rate(shipped, code) is rates.compiled_rate(shipped, code)


def test_eres1_with_its_tax_sub_rate_in_numbers(shipped: Database) -> None:
    result = _check(rates.compiled_rate(shipped, "ERES1"), "ERES1")
    assert [h.rate_schedule for h in result.headers] == ["ERES1", "ERES-TAX"]
    first = [(line.rc_seq, line.amount) for line in result.headers[0].lines]
    assert first == [(10, D("10.00")), (20, D("12.00")), (30, D("14.00")), (40, D("26.00"))]
    assert result.headers[0].amount == D("36.00")
    assert result.headers[1].lines[0].base_amount == D("36.00")


def test_e_res_1_july_2025_in_numbers(shipped: Database) -> None:
    result = _check(rates.compiled_rate(shipped, "E-RES-1"), "E-RES-1")
    amounts = {line.rc_seq: line.amount for line in result.lines}
    assert amounts[10] == D("12.75")
    assert amounts[20] == D("62.15")                     # 500 × 0.1243
    assert amounts[30] == D("46.52")                     # 312 × 0.1491 = 46.5192
    assert amounts[40] == D("108.67")                    # summary, not in the total


def test_exact_decimals_keep_their_digits(shipped: Database) -> None:
    rv, row_version = _new_version(shipped)
    rv = _with(rv, 20, value=D("0.0123400"))
    rates.save_version(shipped, ANALYST, "E-RES-1", rv, row_version)
    rates.forget_cache()
    stored = rates.rate_library(shipped).rate_schedules["E-RES-1"]
    value = _component(next(v for v in stored.versions if v.effective == NEW), 20).value
    assert value is not None
    assert str(value) == "0.0123400"
    assert value.as_tuple() == D("0.0123400").as_tuple()
    # and the shipped prices are exact too (no float on the way)
    old = next(v for v in stored.versions if v.effective == dt.date(2025, 7, 1))
    assert str(_component(old, 30).value) == "0.1491"
    tou = rates.rate_library(shipped).rate_schedules["COM-TOU"].versions[0]
    assert str(_component(tou, 100).value) == "-2.532"
    assert str(_component(tou, 20).value) == "0.21211"


# --- lifecycle -------------------------------------------------------------------------------


def test_a_broken_version_does_not_validate_and_keeps_its_status(shipped: Database) -> None:
    rv, row_version = _new_version(shipped)
    rv = _with(rv, 50, xrefs=(10, 20, 30, 60))            # 60 comes after 50
    rv = _with(rv, 10, precision=D("0.001"))              # finer than the cent, not FCPO
    rv = _with(rv, 20, gl=None)                           # no GL distribution
    saved = rates.save_version(shipped, ANALYST, "E-RES-1", rv, row_version)   # In Progress: ok
    state = saved.version_state(NEW)
    assert state.status is IP
    for target in (VAL, FIN):
        with pytest.raises(RateValidationFailed) as caught:
            rates.set_version_status(shipped, ANALYST, "E-RES-1", NEW, target, state.row_version)
        messages = [p.message for p in caught.value.problems]
        label = "rate version 2026-01-01 of E-RES-1"
        assert f"{label}, component 50: cross reference 60 must come before it (a lower " \
               "sequence)" in messages
        assert f"{label}, component 10: precision 0.001 must be a multiple of the currency " \
               "unit 0.01 of USD" in messages
        assert f"{label}, component 20: has no GL distribution code; its lines will carry " \
               "none" in messages
        assert len(messages) == 3
        assert caught.value.message.startswith(f"{label} does not validate (3 problems): ")
        assert {p.sequence for p in caught.value.problems} == {10, 20, 50}
    after = rates.open_schedule(shipped, ANALYST, "E-RES-1").version_state(NEW)
    assert after.status is IP and after.row_version == state.row_version


def test_lifecycle_in_progress_validated_finished_and_back(shipped: Database) -> None:
    _rv, row_version = _new_version(shipped)
    v = rates.set_version_status(shipped, ANALYST, "E-RES-1", NEW, VAL, row_version)
    assert v.version_state(NEW).status is VAL
    v = rates.set_version_status(shipped, ANALYST, "E-RES-1", NEW, FIN,
                                 v.version_state(NEW).row_version)
    assert v.version_state(NEW).status is FIN
    v = rates.set_version_status(shipped, ANALYST, "E-RES-1", NEW, IP,
                                 v.version_state(NEW).row_version)
    assert v.version_state(NEW).status is IP
    with shipped.sessions() as session:
        trail = session.execute(select(AuditEvent.old_value, AuditEvent.new_value).where(
            AuditEvent.entity_type == "RateVersion", AuditEvent.entity_id == "E-RES-1/2026-01-01",
            AuditEvent.field == "status").order_by(AuditEvent.id)).all()
        # one audit row per change, under the version's code and date (no second row under
        # the database row id)
        assert session.scalar(select(AuditEvent.id).where(
            AuditEvent.entity_type.in_(("RateVersionRow", "RateScheduleRow")))) is None
    assert [tuple(t) for t in trail] == [("In Progress", "Validated"), ("Validated", "Finished"),
                                         ("Finished", "In Progress")]


def test_a_validated_version_refuses_a_change_that_breaks_it(shipped: Database) -> None:
    _rv, row_version = _new_version(shipped)
    v = rates.set_version_status(shipped, ANALYST, "E-RES-1", NEW, VAL, row_version)
    rv, row_version = _version(shipped, "E-RES-1", NEW)
    with pytest.raises(RateValidationFailed, match="cross reference 70 does not exist"):
        rates.save_version(shipped, ANALYST, "E-RES-1", _with(rv, 50, xrefs=(10, 70)),
                           row_version)
    assert _version(shipped, "E-RES-1", NEW) == (rv, row_version)
    assert v.version_state(NEW).status is VAL


def test_rate_check_ignores_in_progress_versions_and_uses_validated_ones(
        shipped: Database) -> None:
    rv, row_version = _new_version(shipped)
    rv = _with(rv, 10, value=D("99.00"))
    saved = rates.save_version(shipped, ANALYST, "E-RES-1", rv, row_version)
    january = dict(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31),
                   quantities=[Quantity("KWH", D(300))], characteristics={"STATE": "CA"})
    result = check_rate(rates.compiled_rate(shipped, "E-RES-1"), **january)  # type: ignore[arg-type]
    assert {h.rate_version for h in result.headers} == {dt.date(2025, 7, 1)}
    assert result.lines[0].amount == D("12.75")
    rates.set_version_status(shipped, ANALYST, "E-RES-1", NEW, VAL,
                             saved.version_state(NEW).row_version)
    result = check_rate(rates.compiled_rate(shipped, "E-RES-1"), **january)  # type: ignore[arg-type]
    assert {h.rate_version for h in result.headers} == {NEW}
    assert result.lines[0].amount == D("99.00")


def test_a_schedule_whose_only_version_is_in_progress_cannot_be_checked(
        shipped: Database) -> None:
    for rv in rates.open_schedule(shipped, ANALYST, "E-COM-1").schedule.versions:
        state = rates.open_schedule(shipped, ANALYST, "E-COM-1").version_state(rv.effective)
        rates.set_version_status(shipped, ANALYST, "E-COM-1", rv.effective, IP,
                                 state.row_version)
    with pytest.raises(BillingError):
        check_rate(rates.compiled_rate(shipped, "E-COM-1"), start=dt.date(2025, 1, 1),
                   end=dt.date(2025, 1, 31), quantities=[Quantity("KWH", D(100))],
                   characteristics={"STATE": "CA"})


# --- a Finished version a bill used ----------------------------------------------------------


def _bill_on_e_res_1(db: Database, start: dt.date, end: dt.date) -> None:
    home = household(db)
    sa = sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,), dt.date(2025, 1, 1),
        "E-RES-1"))
    financials.post_bill(db, SUPERVISOR, home.account, end + dt.timedelta(days=3),
                         end + dt.timedelta(days=24),
                         [BillSegmentForm(sa.number, start, end, D("812"), "KWH", D("121.42"))])


def test_a_finished_version_a_bill_used_cannot_be_changed(shipped: Database) -> None:
    _bill_on_e_res_1(shipped, dt.date(2025, 7, 1), dt.date(2025, 7, 31))
    july = dt.date(2025, 7, 1)
    opened = rates.open_schedule(shipped, ANALYST, "E-RES-1")
    assert opened.version_state(july).used_by_bill
    assert not opened.version_state(dt.date(2020, 1, 1)).used_by_bill    # the bill is after it
    rv, row_version = _version(shipped, "E-RES-1", july)
    edit = _with(rv, 10, value=D("13.00"))
    with pytest.raises(ValidationError) as caught:
        rates.save_version(shipped, ANALYST, "E-RES-1", edit, row_version)
    assert "bills were calculated with it" in caught.value.message
    assert "Add a new version with a later effective date" in caught.value.message
    with pytest.raises(ValidationError, match="Add a new version"):
        rates.set_version_status(shipped, ANALYST, "E-RES-1", july, IP, row_version)
    with pytest.raises(ValidationError, match="Add a new version"):
        rates.delete_version(shipped, ANALYST, "E-RES-1", july, row_version)
    assert _version(shipped, "E-RES-1", july) == (rv, row_version)
    assert _component(rv, 10).value == D("12.75")
    # nor can an import replace it with something else
    from app.engine.rates.rate_files import dump_library

    lib = load_shipped_library()
    rs = lib.rate_schedules["E-RES-1"]
    billed = replace(rs, versions=tuple(_with(v, 10, value=D("13.00")) if v.effective == july
                                        else v for v in rs.versions))
    with pytest.raises(ValidationError, match="the import cannot change it"):
        rates.import_library(shipped, ANALYST, RateLibrary(rate_schedules={"E-RES-1": billed}),
                             replace_existing=True)
    assert _version(shipped, "E-RES-1", july) == (rv, row_version)
    other = replace(rs, description="Residential, renamed")
    assert rates.import_library(shipped, ANALYST, loads(dump_library(RateLibrary(
        rate_schedules={"E-RES-1": other}))), replace_existing=True).replaced == ("E-RES-1",)
    rv, row_version = _version(shipped, "E-RES-1", july)
    # the version before the bill's period may still change
    old, old_row_version = _version(shipped, "E-RES-1", dt.date(2020, 1, 1))
    rates.save_version(shipped, ANALYST, "E-RES-1", _with(old, 10, value=D("11.55")),
                       old_row_version)
    # and a new version supersedes the billed one
    rates.add_version(shipped, ANALYST, "E-RES-1", NEW, copy_from=july)
    assert rates.open_schedule(shipped, ANALYST, "E-RES-1").version_state(NEW).status is IP


# --- merges ----------------------------------------------------------------------------------

MERGE_RATES = """
rate_schedules:
  T-MERGE:
    description: Merge target
    service_type: ELECTRIC
    frequency: MONTHLY
    currency: USD
    sq_rules: [{sequence: 10, rule: BILLDAYS}]
    versions:
      - effective: 2024-01-01
        status: VALIDATED
        components:
          - {sequence: 10, type: FLAT, value_type: CHARGE, value: "5.00", gl: {code: REV-RES}, description_on_bill: Customer charge}
          - {sequence: 20, type: SQ, value_type: UNIT_RATE, value: "0.10", uom: KWH, gl: {code: REV-RES}, description_on_bill: Energy}
          - {sequence: 30, type: FLAT, value_type: CHARGE, value: "2.00", fcpo: true, result_type: CHARGE, description: Credit amount}
          - {sequence: 40, type: FLAT, value_type: CHARGE, value_source: OTHER_RC, value_rc: 30, gl: {code: REV-RES}, description_on_bill: Credit}
          - sequence: 50
            type: APPLY_TO
            value_type: PERCENT
            value: "5"
            xrefs: [10, 20]
            gl: {code: TAX-STATE}
            description_on_bill: Tax
            eligibility:
              - sequence: 10
                if_true: APPLY_RC
                if_false: SKIP_RC
                criteria:
                  - {sequence: 10, field: RC_VALUE, rc: 20, comparison: GT, value: "1", if_true: GROUP_TRUE, if_false: GROUP_FALSE, if_insufficient: GROUP_FALSE}
  T-SOURCE:
    description: Merge source
    service_type: ELECTRIC
    frequency: MONTHLY
    currency: USD
    bill_messages: [{message: WINTER, start: 2024-01-01}]
    meter_config_types: [SINGLE]
    versions:
      - effective: 2024-01-01
        status: FINISHED
        components:
          - {sequence: 10, type: FLAT, value_type: CHARGE, value: "1.50", gl: {code: REV-RES}, description_on_bill: Meter charge}
"""


def test_merge_versions_remaps_every_reference(db: Database) -> None:
    rates.load_shipped_rates(db, ANALYST)
    rates.import_library(db, ANALYST, loads(MERGE_RATES, "merge.yaml"))
    target, row_version = _version(db, "T-MERGE", dt.date(2024, 1, 1))
    source, _ = _version(db, "T-SOURCE", dt.date(2024, 1, 1))
    by = {rc.sequence: rc for rc in target.components}
    # new order: the copied meter charge first, then 20, 10, 30, 40, 50; renumbered 100, 110…
    rows = [MergeRow("MERGE", source.components[0])] + [
        MergeRow("ORIGINAL", by[s]) for s in (20, 10, 30, 40, 50)]
    merged = rates.merge_versions(db, ANALYST, "T-MERGE", dt.date(2024, 1, 1), rows, start=100,
                                  increment=10, expected_version=row_version)
    state = merged.version_state(dt.date(2024, 1, 1))
    assert state.status is IP                               # a Validated target goes back
    rv = next(v for v in merged.schedule.versions if v.effective == dt.date(2024, 1, 1))
    assert [(rc.sequence, rc.description_on_bill or rc.description) for rc in rv.components] == [
        (100, "Meter charge"), (110, "Energy"), (120, "Customer charge"),
        (130, "Credit amount"), (140, "Credit"), (150, "Tax")]
    assert _component(rv, 150).xrefs == (120, 110)          # were 10, 20
    assert _component(rv, 140).value_rc == 130              # was 30
    assert _component(rv, 150).eligibility[0].criteria[0].rc == 110   # was 20
    assert _component(rv, 100).value == D("1.50")
    # the result validates again
    rates.set_version_status(db, ANALYST, "T-MERGE", dt.date(2024, 1, 1), VAL,
                             state.row_version)


def test_merge_that_drops_a_referenced_component_is_refused(db: Database) -> None:
    rates.load_shipped_rates(db, ANALYST)
    rates.import_library(db, ANALYST, loads(MERGE_RATES, "merge.yaml"))
    target, row_version = _version(db, "T-MERGE", dt.date(2024, 1, 1))
    rows = [MergeRow("ORIGINAL", rc) for rc in target.components if rc.sequence != 30]
    with pytest.raises(ValidationError, match="value component 30"):
        rates.merge_versions(db, ANALYST, "T-MERGE", dt.date(2024, 1, 1), rows,
                             expected_version=row_version)
    assert _version(db, "T-MERGE", dt.date(2024, 1, 1)) == (target, row_version)
    # D-MERGE-03: a Finished target cannot be merged into
    source, source_row_version = _version(db, "T-SOURCE", dt.date(2024, 1, 1))
    with pytest.raises(ValidationError, match="is Finished and cannot be changed"):
        rates.merge_versions(db, ANALYST, "T-SOURCE", dt.date(2024, 1, 1),
                             [MergeRow("ORIGINAL", source.components[0]),
                              MergeRow("MERGE", target.components[0])],
                             expected_version=source_row_version)


def test_merge_schedules_copies_the_collections(db: Database) -> None:
    rates.load_shipped_rates(db, ANALYST)
    rates.import_library(db, ANALYST, loads(MERGE_RATES, "merge.yaml"))
    opened = rates.open_schedule(db, ANALYST, "T-MERGE")
    merged = rates.merge_schedules(db, ANALYST, "T-MERGE", "T-SOURCE",
                                   expected_version=opened.row_version)
    schedule = merged.schedule
    assert [(m.message, m.start) for m in schedule.bill_messages] == [
        ("WINTER", dt.date(2024, 1, 1))]
    assert schedule.meter_config_types == ("SINGLE",)
    assert [link.rule for link in schedule.sq_rules] == ["BILLDAYS"]
    assert merged.row_version == opened.row_version + 1
    # versions untouched, and it is stored, not only returned
    rates.forget_cache()
    stored = rates.rate_library(db).rate_schedules["T-MERGE"]
    assert stored.bill_messages == schedule.bill_messages
    assert stored.versions == opened.schedule.versions


# --- lost races ------------------------------------------------------------------------------


def test_second_save_of_the_same_version_loses_and_names_the_first_user(
        shipped: Database) -> None:
    mine, row_version = _new_version(shipped)
    theirs, their_row_version = _version(shipped, "E-RES-1", NEW)
    assert row_version == their_row_version
    rates.save_version(shipped, ANALYST, "E-RES-1", _with(mine, 10, value=D("13.10")),
                       row_version)
    with pytest.raises(ConcurrentChange) as caught:
        rates.save_version(shipped, OTHER_ANALYST, "E-RES-1",
                           _with(theirs, 20, value=D("0.2000")), their_row_version)
    assert "changed by rana" in caught.value.message
    assert "Your changes were not saved" in caught.value.message
    stored, _ = _version(shipped, "E-RES-1", NEW)
    assert _component(stored, 10).value == D("13.10")
    assert _component(stored, 20).value == D("0.1243")
    with shipped.sessions() as session:
        assert session.scalar(select(AuditEvent.id).where(
            AuditEvent.changed_by == "rbo")) is None
    # the status change of a stale copy loses too
    with pytest.raises(ConcurrentChange, match="rana"):
        rates.set_version_status(shipped, OTHER_ANALYST, "E-RES-1", NEW, VAL,
                                 their_row_version)


def test_second_save_of_the_same_schedule_loses(shipped: Database) -> None:
    a = rates.open_schedule(shipped, ANALYST, "E-RES-1")
    b = rates.open_schedule(shipped, OTHER_ANALYST, "E-RES-1")
    rates.save_schedule(shipped, ANALYST, replace(a.schedule, description="Residential (A)"),
                        a.row_version)
    with pytest.raises(ConcurrentChange, match="rana"):
        rates.save_schedule(shipped, OTHER_ANALYST,
                            replace(b.schedule, description="Residential (B)"), b.row_version)
    assert rates.rate_library(shipped).rate_schedules["E-RES-1"].description == \
        "Residential (A)"


@pytest.mark.pg
@pytest.mark.skipif(not PG_URL, reason="PostgreSQL tests need SWITCHBOARD_TEST_PG_URL")
def test_two_connections_saving_the_same_version_at_once(db: Database) -> None:
    """Both analysts read the same row version and save at the same moment on PostgreSQL: the
    row lock serialises them, exactly one save wins, the other is told who won."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL row-lock race")
    rates.load_shipped_rates(db, ANALYST)
    base, row_version = _new_version(db)
    url = pg_test_url()
    assert url
    second = open_database(url)                       # another workstation
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def save(who: Actor, target: Database, value: str) -> None:
        barrier.wait()
        try:
            rates.save_version(target, who, "E-RES-1", _with(base, 10, value=D(value)),
                               row_version)
            outcome[who.username] = "saved"
        except ConcurrentChange as exc:
            outcome[who.username] = exc
    try:
        threads = [threading.Thread(target=save, args=(ANALYST, db, "13.01")),
                   threading.Thread(target=save, args=(OTHER_ANALYST, second, "13.02"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        second.dispose()
    winners = [who for who, result in outcome.items() if result == "saved"]
    losers = [result for result in outcome.values() if isinstance(result, ConcurrentChange)]
    assert len(winners) == 1 and len(losers) == 1, outcome
    assert f"changed by {winners[0]}" in losers[0].message
    stored, stored_row_version = _version(db, "E-RES-1", NEW)
    assert _component(stored, 10).value == D("13.01" if winners[0] == "rana" else "13.02")
    assert stored_row_version == row_version + 1


# --- the cache across workstations -----------------------------------------------------------


def test_cache_reloads_after_another_workstation_saves(shipped: Database) -> None:
    before = rates.compiled_rate(shipped, "E-RES-1")
    assert rates.rate_library(shipped) is rates.rate_library(shipped)      # cached
    other = open_database(shipped.url)
    try:
        rv, row_version = _version(other, "E-RES-1", dt.date(2025, 7, 1))
        rates.save_version(other, OTHER_ANALYST, "E-RES-1", _with(rv, 10, value=D("12.99")),
                           row_version)
    finally:
        other.dispose()
    after = rates.compiled_rate(shipped, "E-RES-1")
    assert after is not before
    result = _check(after, "E-RES-1")
    assert result.lines[0].amount == D("12.99")
    assert _check(before, "E-RES-1").lines[0].amount == D("12.75")


def test_cache_reloads_when_another_process_writes_behind_its_back(shipped: Database) -> None:
    """What another workstation's save leaves in the database (new rows, a bumped revision) is
    enough: this process's cache holds nothing that says otherwise."""
    assert rates.compiled_rate(shipped, "E-RES-1").code == "E-RES-1"
    other = open_database(shipped.url)
    try:
        rates.import_library(other, OTHER_ANALYST, loads(MERGE_RATES, "merge.yaml"))
    finally:
        other.dispose()
    assert "T-MERGE" in rates.rate_library(shipped).rate_schedules
    assert rates.compiled_rate(shipped, "T-MERGE").code == "T-MERGE"


def test_cache_reloads_even_when_the_revision_row_was_lost(shipped: Database) -> None:
    """A database restored or truncated without its one revision row: the next save puts it
    back, so caches still see the change."""
    from sqlalchemy import delete

    from app.models.rates import RateLibraryRevision

    with shipped.engine.begin() as conn:
        conn.execute(delete(RateLibraryRevision))
    rates.forget_cache()
    assert _check(rates.compiled_rate(shipped, "E-RES-1"), "E-RES-1").lines[0].amount == \
        D("12.75")
    rv, row_version = _version(shipped, "E-RES-1", dt.date(2025, 7, 1))
    rates.save_version(shipped, ANALYST, "E-RES-1", _with(rv, 10, value=D("12.80")),
                       row_version)
    assert _check(rates.compiled_rate(shipped, "E-RES-1"), "E-RES-1").lines[0].amount == \
        D("12.80")


# --- permissions -----------------------------------------------------------------------------


def test_a_csr_reads_rates_but_cannot_change_them(shipped: Database) -> None:
    opened = rates.open_schedule(shipped, CSR, "E-RES-1")
    assert not opened.can_edit
    assert rates.open_schedule(shipped, ANALYST, "E-RES-1").can_edit
    assert any(s.code == "E-RES-1" for s in rates.list_schedules(shipped))
    assert rates.compiled_rate(shipped, "E-RES-1").code == "E-RES-1"
    rv = opened.schedule.versions[-1]
    row_version = opened.version_state(rv.effective).row_version
    attempts = [
        lambda: rates.save_version(shipped, CSR, "E-RES-1", _with(rv, 10, value=D("1.00")),
                                   row_version),
        lambda: rates.save_schedule(shipped, CSR, opened.schedule, opened.row_version),
        lambda: rates.set_version_status(shipped, CSR, "E-RES-1", rv.effective, IP,
                                         row_version),
        lambda: rates.add_version(shipped, CSR, "E-RES-1", NEW),
        lambda: rates.import_library(shipped, CSR, loads(MERGE_RATES, "merge.yaml")),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match="needs the Rate analyst role"):
            attempt()
    assert _version(shipped, "E-RES-1", rv.effective) == (rv, row_version)


# --- import ----------------------------------------------------------------------------------


def test_import_clash_is_refused_without_replace_and_replaces_with_it(
        shipped: Database, tmp_path: Path) -> None:
    lib = load_shipped_library()
    changed = replace(lib.rate_schedules["E-COM-1"], description="Small commercial, revised")
    text = loads(MERGE_RATES).merged(RateLibrary(rate_schedules={"E-COM-1": changed}))
    from app.engine.rates.rate_files import dump_library

    path = tmp_path / "revised.yaml"
    path.write_text(dump_library(RateLibrary(rate_schedules=dict(text.rate_schedules))),
                    encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        rates.import_rate_files(shipped, ANALYST, [path])
    assert caught.value.message == ("The database already has E-COM-1. Nothing was imported; "
                                    "import with --replace to overwrite them.")
    assert "T-MERGE" not in rates.rate_library(shipped).rate_schedules
    summary = rates.import_rate_files(shipped, ANALYST, [path], replace_existing=True)
    assert summary.replaced == ("E-COM-1",)
    assert set(summary.added) == {"T-MERGE", "T-SOURCE"}
    assert summary.text == "2 added, 1 replaced"
    stored = rates.rate_library(shipped)
    assert stored.rate_schedules["E-COM-1"].description == "Small commercial, revised"
    assert stored.rate_schedules["E-COM-1"].versions == lib.rate_schedules["E-COM-1"].versions
    assert stored.rate_schedules["E-RES-1"] == lib.rate_schedules["E-RES-1"]
    assert len(stored.rate_schedules) == 33


def test_a_bad_rate_file_names_file_and_line(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("rate_schedules:\n  X-1:\n    description: Broken\n    frequency: MONTHLY\n"
                    "    versions:\n      - effective: 2024-13-01\n        status: FINISHED\n",
                    encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        rates.import_rate_files(db, ANALYST, [path])
    assert f"{path}:6" in caught.value.message
    assert rates.rate_count(db) == 0
    with pytest.raises(ValidationError, match="no such rate file"):
        rates.import_rate_files(db, ANALYST, [tmp_path / "missing.yaml"])


def test_export_loads_on_its_own_and_checks_the_same(shipped: Database) -> None:
    text = rates.export_rate_schedule(shipped, "ERES1")
    alone = loads(text, "export.yaml")
    assert set(alone.rate_schedules) == {"ERES1", "ERES-TAX"}
    assert _lines(_check(alone.compile("ERES1"), "ERES1")) == \
        _lines(_check(rates.compiled_rate(shipped, "ERES1"), "ERES1"))
    bare = loads(rates.export_rate_schedule(shipped, "ERES1", dependencies=False))
    assert set(bare.rate_schedules) == {"ERES1"} and not bare.bill_factors


# --- audit -----------------------------------------------------------------------------------


def test_a_component_value_change_is_audited(shipped: Database) -> None:
    rv, row_version = _version(shipped, "E-RES-1", dt.date(2025, 7, 1))
    edit = _with(rv, 20, value=D("0.1250"))
    edit = _with(edit, 10, gl=GlDistribution("REV-RES2"))
    rates.save_version(shipped, ANALYST, "E-RES-1", edit, row_version)
    with shipped.sessions() as session:
        rows = session.execute(select(AuditEvent.changed_by, AuditEvent.entity_type,
                                      AuditEvent.entity_id, AuditEvent.field,
                                      AuditEvent.old_value, AuditEvent.new_value).where(
            AuditEvent.field.like("component%"))).all()
    assert sorted(tuple(r) for r in rows) == sorted([
        ("rana", "RateVersion", "E-RES-1/2025-07-01", "component 20.value", "0.1243", "0.1250"),
        ("rana", "RateVersion", "E-RES-1/2025-07-01", "component 10.gl",
         str(GlDistribution("REV-RES")), str(GlDistribution("REV-RES2"))),
    ])


# --- what the review found --------------------------------------------------------------------


def test_a_billed_sub_rate_version_is_protected_through_its_primary(shipped: Database) -> None:
    home = household(shipped)
    sa = sas.create_service_agreement(shipped, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,), dt.date(2025, 1, 1),
        "ERES1"))
    financials.post_bill(shipped, SUPERVISOR, home.account, dt.date(2025, 8, 3),
                         dt.date(2025, 8, 24),
                         [BillSegmentForm(sa.number, dt.date(2025, 7, 1), dt.date(2025, 7, 31),
                                          D("500"), "KWH", D("60.00"))])
    opened = rates.open_schedule(shipped, ANALYST, "ERES-TAX")
    finished = [v for v in opened.versions if v.status is RateVersionStatus.FINISHED]
    assert finished and finished[-1].used_by_bill
    with pytest.raises(ValidationError, match="Add a new version"):
        rates.delete_version(shipped, ANALYST, "ERES-TAX", finished[-1].effective,
                             finished[-1].row_version)


def test_a_stale_copy_cannot_overwrite_a_replacing_import(shipped: Database) -> None:
    rv, row_version = _version(shipped, "E-RES-1", dt.date(2025, 7, 1))
    lib = load_shipped_library()
    rs = lib.rate_schedules["E-RES-1"]
    imported = replace(rs, versions=tuple(
        _with(v, 10, value=D("99.99")) if v.effective == dt.date(2025, 7, 1) else v
        for v in rs.versions))
    rates.import_library(shipped, OTHER_ANALYST, RateLibrary(rate_schedules={
        "E-RES-1": imported}), replace_existing=True)
    with pytest.raises(ConcurrentChange, match="rbo"):
        rates.save_version(shipped, ANALYST, "E-RES-1", _with(rv, 20, value=D("0.2")),
                           row_version)
    assert _component(_version(shipped, "E-RES-1", dt.date(2025, 7, 1))[0], 10).value \
        == D("99.99")
    # definitions the import did not bring keep their row version and last changer
    untouched = rates.open_schedule(shipped, ANALYST, "G-RES-1")
    assert untouched.updated_by != "rbo"


def test_a_referenced_components_type_cannot_change(shipped: Database) -> None:
    rv, row_version = _version(shipped, "E-RES-1", dt.date(2025, 7, 1))
    retyped = _with(rv, 10, type=ComponentType.SQ, uom="KWH", value_type=ValueType.UNIT_RATE)
    with pytest.raises(RateValidationFailed) as caught:
        rates.save_version(shipped, ANALYST, "E-RES-1", retyped, row_version)
    assert caught.value.field == "type"
    assert "Component 10: its type cannot change while other components refer to it" \
        in caught.value.message
    assert _version(shipped, "E-RES-1", dt.date(2025, 7, 1)) == (rv, row_version)


def test_bill_factor_fields_lock_once_used(shipped: Database) -> None:
    opened = rates.open_bill_factor(shipped, ANALYST, "STTAX")
    for field, value in (("value_type", ValueType.CHARGE), ("char_type", "ZIP")):
        with pytest.raises(ValidationError) as caught:
            rates.save_bill_factor(shipped, ANALYST, replace(opened.bill_factor,
                                                             **{field: value}),
                                   opened.row_version)
        assert caught.value.field == field
        assert "cannot change because" in caught.value.message
    assert rates.open_bill_factor(shipped, ANALYST, "STTAX") == opened


def test_a_schedule_change_that_breaks_its_rate_is_refused(shipped: Database) -> None:
    opened = rates.open_schedule(shipped, ANALYST, "E-RES-1")
    broken = replace(opened.schedule, sub_rates=(RuleLink(10, "NOPE"),))
    with pytest.raises(ValidationError) as caught:
        rates.save_schedule(shipped, ANALYST, broken, opened.row_version)
    assert caught.value.field == "sub_rates"
    assert "NOPE" in caught.value.message and "Nothing was saved" in caught.value.message
    assert rates.open_schedule(shipped, ANALYST, "E-RES-1").schedule.sub_rates == ()
