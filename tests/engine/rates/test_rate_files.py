"""Rate files (docs/rate-files.md): loading, dumping, the round trip and validation messages."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.rates.bill_factors import (
    BillFactor,
    BillFactorCharacteristic,
    BillFactorTouValue,
    BillFactorValue,
    IntervalValue,
    IntervalValueSet,
)
from app.engine.rates.controls import (
    Currency,
    Frequency,
    RegisterRule,
    ServiceQuantityIdentifier,
    SqKey,
    SqRule,
    TimeOfUse,
    TouGroup,
    UnitOfMeasure,
)
from app.engine.rates.enums import (
    BillFactorType,
    CharEntity,
    CharSource,
    Comparison,
    ComponentType,
    CriteriaField,
    CriterionAction,
    FcpoResultType,
    FcpoRetention,
    GroupAction,
    RateScheduleType,
    RateVersionStatus,
    RoundingMethod,
    RvSelectionDate,
    SeasonalMethod,
    SqQtyToUse,
    SqRuleProcessing,
    TosUsage,
    ValueSource,
    ValueType,
)
from app.engine.rates.errors import RateDefinitionError
from app.engine.rates.library import RateLibrary
from app.engine.rates.rate_file_schema import (
    ALLOWED_VALUE_TYPES,
    NEEDS_XREFS,
    PRICED_TYPES,
    SECTIONS,
)
from app.engine.rates.rate_files import (
    dump_library,
    dump_rate_schedule,
    load_file,
    load_library,
    loads,
    rate_file_paths,
    rate_schedule_library,
)
from app.engine.rates.schedules import (
    AlgorithmRef,
    BillMessageLink,
    EligibilityCriterion,
    EligibilityGroup,
    GlDistribution,
    RateComponent,
    RateSchedule,
    RateVersion,
    RuleLink,
    Season,
    Step,
)
from app.engine.rates.yaml_kinds import Obj

DOCS = Path(__file__).resolve().parents[3] / "docs" / "rate-files.md"

# ---------------------------------------------------------------------------------------------
# A hand-written library that gives every field of every definition a non-default value
# ---------------------------------------------------------------------------------------------

RICH = """\
currencies:
  USD: {}
  JPY: {decimals: 0, symbol: "¥"}
frequencies:
  MONTHLY: {description: Monthly, periods_per_year: 12, min_days_offset: 3, max_days_offset: 4}
uoms:
  KWH: {description: Kilowatt-hours}
  KW: {description: Kilowatts, decimal_positions: 1, measures_peak: true}
tous:
  PEAK: {description: On peak}
  OFFPEAK: {description: Off peak}
tou_groups:
  TOU2: {description: Two-part map, members: [PEAK, OFFPEAK]}
tou_maps:
  DAY2:
    description: Weekday peak hours
    periods:
      - {start: "08:00", end: "20:00", tou: PEAK}
      - {start: "20:00", end: "08:00", tou: OFFPEAK}
sqis:
  DAYS: {description: Days of service}
  ANNHIGH: {description: Annual high, decimal_positions: 2}
register_rules:
  BU-KW:
    description: Build up kW
    algorithm: BU
    params: [KW, null, "1.5"]
    comments: Converts kW.
sq_rules:
  SUM-KWH:
    description: Sum kWh
    algorithm: SU
    params: [KWH, PEAK, null]
    output: {uom: KWH, tou: PEAK, sqi: DAYS}
    qty_to_use: INITIAL
    create_billing_error: false
    processing: INITIAL_SQ_CALC_ONLY
    long_description: Adds up every kWh.
bill_factors:
  STTAX:
    description: State sales tax
    char_type: STATE
    char_source: PREMISE
    currency: JPY
    value_type: PERCENT
    error_if_no_value: true
    tax_exemption: true
    value_in_contract_term: true
    contract_rider_applicability: true
    allow_proration: false
    rate_selection_date: ACCOUNTING_DATE
    use_sub_sa_contract_terms: true
    tos_usage: CHECK_TOS_FIRST_THEN_SA
    values:
      NV: [{effective: 2011-07-01, value: "6.85"}, {effective: 2008-01-01, value: 7.25}]
      UT:
        values: [{effective: 2008-01-01, value: "4.70"}]
        gl_distribution: {RES: TAX-UT-RES}
        external_id: UT-FEED
      "NO": []
  TOUPRICE:
    description: TOU prices
    type: TOU
    char_type: N/A
    values:
      N/A:
        tou_values:
          - {tou_group: TOU2, effective: 2023-01-01, values: {PEAK: "0.21", OFFPEAK: "0.08"}}
  RTP:
    description: Real-time price
    type: INTERVAL
    char_type: N/A
    values:
      N/A:
        minutes_per_interval: 15
        interval_sets:
          - set_id: A7F2
            set_at: 2023-01-02T06:00:00
            complete: false
            values: {2023-01-01T00:00:00: "0.031", 2023-01-01 00:15:00: 0.029}
rate_schedules:
  E-COM1:
    description: Commercial electric
    service_type: ELECTRIC
    frequency: MONTHLY
    currency: USD
    allow_estimates: true
    allow_rv_proration: false
    rv_selection_date: BILL_START_DATE
    sq_rules: [{sequence: 10, rule: SUM-KWH}]
    register_rules: [{sequence: 10, rule: BU-KW}]
    sub_rates: [{sequence: 10, rule: E-TAX}]
    bill_messages:
      - {message: RATECHG, start: 2023-01-01, end: 2023-03-31}
      - {message: WELCOME, start: 2023-01-01}
    meter_config_types: [SINGLE, DUAL]
    versions:
      - effective: 2022-01-01
        status: IN_PROGRESS
      - effective: 2023-01-01
        status: FINISHED
        description_on_bill: Commercial service %D
        components:
          - sequence: 10
            type: SQ
            description: Energy
            description_on_bill: "%Q kWh at %I"
            print: true
            print_if_zero: true
            value_type: UNIT_RATE
            value: 0.10
            uom: KWH
            tou: PEAK
            sqi: DAYS
            measures_peak: false
            gl_statistical_qty: true
            error_if_no_value: true
            step: {low: "0", high: "1000"}
            step_rc: 5
            step_algorithm: {code: STEP-X, params: {factor: "2"}}
            rounding: UP
            precision: "0.05"
            season: {start: "05-01", end: "10-31", method: PRORATE}
            gl: {by_revenue_class: {COM: REV-COM, IND: REV-IND}}
            characteristics: {TAXCAT: STATE, "NO": "010"}
            eligibility:
              - sequence: 10
                description: Low income or big user
                if_true: APPLY_RC
                if_false: CHECK_NEXT_GROUP
                criteria:
                  - sequence: 10
                    field: CHARACTERISTIC
                    char_entity: MAIN_PERSON
                    char_type: LOW_INCOME
                    comparison: EQ
                    value: YES
                    if_true: GROUP_TRUE
                    if_false: CHECK_NEXT
                    if_insufficient: GROUP_TRUE
                    description: Low income
                  - {sequence: 20, field: RC_VALUE, rc: 5, comparison: BETWEEN, value: "1,9"}
                  - {sequence: 30, field: SQ, sq: {uom: KWH}, comparison: IN, value: "1,3,9"}
                  - sequence: 40
                    field: ALGORITHM
                    field_algorithm: RECF-SRVTY
                    comparison: ALGORITHM
                    comparison_algorithm: {code: RECC-TIMESPN, params: {years: "65"}}
          - sequence: 20
            type: FLAT
            print: false
            value_type: CHARGE
            value_source: VALUE_ALGORITHM
            value_algorithm: {code: RCVL-RNDXREF, params: {inc: 0.05}}
            gl: {code: REV-ELEC}
          - sequence: 30
            type: ITEM
            value_type: UNIT_RATE
            value_source: OTHER_RC
            value_rc: 5
            item_type: LAMP
          - sequence: 40
            type: CALC_ALG
            value_source: BILL_FACTOR
            bill_factor: TOUPRICE
            calc_algorithm: TOU-MAP
            audit_algorithm: TOU-AUDIT
            derive_sq: true
            xrefs: [10, 20]
            fcpo: true
            result_type: STEP_MULTIPLIER
            create_bill_line: true
            fcpo_retention: RETAIN
            precision: "0.00001"
          - {sequence: 50, type: SUMMARY, xrefs: [10, 20, 30]}
          - {sequence: 60, type: TOU_PRICING, uom: KWH, tou_map: DAY2, value_source: BILL_FACTOR, bill_factor: TOUPRICE}
  E-TAX:
    description: Taxes
    type: SUBSIDIARY
    versions:
      - effective: 2008-01-01
        status: VALIDATED
        components:
          - sequence: 10
            type: APPLY_TO
            value_type: PERCENT
            value_source: BILL_FACTOR
            bill_factor: STTAX
            xrefs: [5]
"""


def rich() -> RateLibrary:
    return loads(RICH, "rich.yaml")


def test_rich_library_loads_every_field() -> None:
    lib = rich()
    rs = lib.rate_schedules["E-COM1"]
    assert rs.allow_rv_proration is False
    assert rs.rv_selection_date is RvSelectionDate.BILL_START_DATE
    assert rs.sub_rates == (RuleLink(10, "E-TAX"),)
    assert rs.bill_messages[1] == BillMessageLink("WELCOME", date(2023, 1, 1))
    rc = rs.version(date(2023, 1, 1)).components[0]  # type: ignore[union-attr]
    assert rc.value == Decimal("0.10") and str(rc.value) == "0.10"  # as written, not a float
    assert rc.step == Step(Decimal(0), Decimal(1000))
    assert rc.season == Season((5, 1), (10, 31), SeasonalMethod.PRORATE)
    assert rc.gl == GlDistribution(by_revenue_class={"COM": "REV-COM", "IND": "REV-IND"})
    assert rc.characteristics == (("TAXCAT", "STATE"), ("NO", "010"))
    assert rc.step_algorithm == AlgorithmRef("STEP-X", {"factor": "2"})
    low_income = rc.eligibility[0].criteria[0]
    assert low_income.value == "YES"  # not the YAML 1.1 boolean
    assert rc.eligibility[0].criteria[3].field_algorithm == AlgorithmRef("RECF-SRVTY")
    flat = rs.versions[1].components[1]
    assert flat.value_algorithm == AlgorithmRef("RCVL-RNDXREF", {"inc": "0.05"})
    sttax = lib.bill_factors["STTAX"]
    assert [v.effective for v in sttax.characteristics["NV"].values] == [
        date(2008, 1, 1), date(2011, 7, 1)]  # sorted by date
    assert sttax.value_on("NV", date(2010, 1, 1)) == Decimal("7.25")
    assert set(sttax.characteristics) == {"NV", "UT", "NO"}
    rtp = lib.bill_factors["RTP"].characteristics["N/A"].interval_sets[0]
    assert rtp.values == (IntervalValue(datetime(2023, 1, 1), Decimal("0.031")),
                          IntervalValue(datetime(2023, 1, 1, 0, 15), Decimal("0.029")))
    assert lib.sq_rules["SUM-KWH"].params == ("KWH", "PEAK", None)
    assert lib.register_rules["BU-KW"].params == ("KW", None, "1.5")
    assert lib.currencies["USD"] == Currency("USD")
    assert lib.tou_groups["TOU2"].members == ("PEAK", "OFFPEAK")


def _instances(value: Any) -> list[Any]:
    out: list[Any] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            out.append(v)
            stack.extend(getattr(v, f.name) for f in dataclasses.fields(v))
        elif isinstance(v, SqKey):
            out.append(v)
        elif isinstance(v, tuple | list):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
    return out


def _specs() -> list[Obj]:
    """Every object spec reachable from the sections."""
    from app.engine.rates import rate_file_schema as schema

    return [v for v in vars(schema).values() if isinstance(v, Obj)] + [
        schema.ALGORITHM.full]


def test_rich_library_covers_every_field() -> None:
    """Guards the round-trip test below: each field is away from its default somewhere."""
    seen: dict[type, set[str]] = {}
    specs = _specs_by_class()
    for obj in _instances(rich()):
        if type(obj) not in specs:  # the library itself
            continue
        defaults = specs[type(obj)].defaults
        names = obj._fields if isinstance(obj, SqKey) else [
            f.name for f in dataclasses.fields(obj)]
        for name in names:
            if name not in defaults or getattr(obj, name) != defaults[name]:
                seen.setdefault(type(obj), set()).add(name)
    for cls, spec in specs.items():
        missing = {f.name for f in spec.fields} - seen.get(cls, set())
        assert not missing, f"{cls.__name__}: {missing}"


def _specs_by_class() -> dict[type, Obj]:
    return {spec.cls: spec for spec in _specs()}


def test_rich_library_round_trips() -> None:
    lib = rich()
    text = dump_library(lib)
    assert loads(text) == lib
    assert dump_library(loads(text)) == text


def test_dump_is_tidy() -> None:
    text = dump_library(rich())
    assert 'value: "0.10"' in text  # decimals as quoted strings, exactly
    assert "start: \"05-01\"" in text
    assert "effective: 2023-01-01" in text
    assert "  USD: {}\n" in text
    assert "step: {low: \"0\", high: \"1000\"}" in text
    assert "sq_rules: [{sequence: 10, rule: SUM-KWH}]" in text
    assert "value_algorithm: {code: RCVL-RNDXREF, params: {inc: \"0.05\"}}" in text
    assert "field_algorithm: RECF-SRVTY\n" in text  # short form without params
    assert "value: \"YES\"" in text  # quoted so other YAML readers see text too
    assert "type: PRIMARY" not in text and "print: true" not in text  # defaults left out
    assert "!!" not in text and "&id" not in text


def test_plain_numbers_are_read_from_their_text() -> None:
    lib = loads(dedent("""\
        bill_factors:
          BF:
            description: d
            char_type: N/A
            values:
              N/A:
                - {effective: 2020-01-01, value: 0.1}
                - {effective: 2021-01-01, value: 1.50}
                - {effective: 2022-01-01, value: 7}
                - {effective: 2023-01-01, value: "-0.000001"}
        """))
    values = [v.value for v in lib.bill_factors["BF"].characteristics["N/A"].values]
    assert [str(v) for v in values] == ["0.1", "1.50", "7", "-0.000001"]


def test_empty_documents() -> None:
    assert loads("") == RateLibrary()
    assert loads("# nothing\n") == RateLibrary()
    assert loads("rate_schedules:\n") == RateLibrary()
    assert dump_library(RateLibrary()) == "{}\n"
    assert loads(dump_library(RateLibrary())) == RateLibrary()


def test_anchors_and_merge_keys() -> None:
    lib = loads(dedent("""\
        rate_schedules:
          S:
            description: d
            type: SUBSIDIARY
            versions:
              - effective: 2020-01-01
                status: FINISHED
                components:
                  - &energy {sequence: 10, type: SQ, value_type: UNIT_RATE, value: "0.05", uom: KWH}
                  - <<: *energy
                    sequence: 20
                    value: "0.07"
        """))
    first, second = lib.rate_schedules["S"].versions[0].components
    assert second == replace(first, sequence=20, value=Decimal("0.07"))
    lib = loads(dedent("""\
        uoms:
          A: &a {description: first, decimal_positions: 2}
          B: &b {description: second, measures_peak: true}
          C:
            <<: [*a, *b]
            decimal_positions: 3
        """))
    assert lib.uoms["C"] == UnitOfMeasure("C", "first", 3, True)  # the first merge wins


# ---------------------------------------------------------------------------------------------
# The worked example of the docs
# ---------------------------------------------------------------------------------------------


def _doc_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)


def test_docs_worked_example_loads() -> None:
    example = max(_doc_blocks(), key=len)
    lib = loads(example, "rate-files.md")
    assert set(lib.rate_schedules) == {"E-COM1", "E-TAX"}
    assert lib.rate_schedules["E-COM1"].sub_rates == (RuleLink(10, "E-TAX"),)
    assert lib.bill_factors["STTAX"].value_on("NV", date(2012, 1, 1)) == Decimal("6.85")
    group = lib.rate_schedules["E-COM1"].versions[0].components[4].eligibility[0]
    assert group.criteria[1].sq == SqKey("KWH")
    assert loads(dump_library(lib)) == lib


def test_docs_bill_factor_examples_load() -> None:
    block = next(b for b in _doc_blocks() if "PEAKPRICE" in b)
    lib = loads("bill_factors:\n" + block)
    assert lib.bill_factors["RTP"].characteristics["N/A"].minutes_per_interval == 15


def test_docs_name_every_field() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for spec in _specs():
        for f in spec.fields:
            assert f"`{f.key}`" in text, f"{spec.cls.__name__}.{f.key} is not documented"
    for section in SECTIONS:
        assert f"`{section}`" in text


# ---------------------------------------------------------------------------------------------
# Round trip of generated libraries
# ---------------------------------------------------------------------------------------------

_TRICKY_CODES = ["10", "NO", "yes", "null", "~", "0.5", "2023-01-01", "<<", "a b", "x: y",
                 "#c", "-", "É", "'q'", '"', "[x]", "05-01", "1_000", "0x1F", ".inf"]
codes = st.one_of(st.from_regex(r"[A-Z][A-Z0-9_-]{0,7}", fullmatch=True),
                  st.sampled_from(_TRICKY_CODES))
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
opt_codes = st.none() | codes
decimals = st.decimals(allow_nan=False, allow_infinity=False)
positive = decimals.filter(lambda d: d > 0)
sequences = st.integers(0, 10_000)
params_lists = st.lists(st.none() | texts, max_size=3).map(tuple)


def _enum(cls: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(list(cls))


algorithms = st.builds(AlgorithmRef, codes, st.dictionaries(codes, texts, max_size=2))
sq_keys = st.builds(SqKey, opt_codes, opt_codes, opt_codes).filter(any)
month_days = st.dates(date(2000, 1, 1), date(2000, 12, 31)).map(lambda d: (d.month, d.day))
seasons = st.builds(Season, month_days, month_days, _enum(SeasonalMethod))
gls = st.one_of(st.builds(GlDistribution, codes),
                st.builds(GlDistribution, by_revenue_class=st.dictionaries(codes, codes,
                                                                            min_size=1,
                                                                            max_size=2)))


@st.composite
def steps(draw: st.DrawFn) -> Step:
    low = abs(draw(decimals))
    high = draw(st.none() | positive.map(lambda d: low + d))
    return Step(low, high if high is None or high > low else None)


@st.composite
def criteria(draw: st.DrawFn, sequence: int) -> EligibilityCriterion:
    field = draw(_enum(CriteriaField))
    comparison = draw(_enum(Comparison))
    kw: dict[str, Any] = {}
    if field is CriteriaField.CHARACTERISTIC:
        kw.update(char_entity=draw(_enum(CharEntity)), char_type=draw(codes))
    elif field is CriteriaField.RC_VALUE:
        kw.update(rc=draw(sequences))
    elif field is CriteriaField.SQ:
        kw.update(sq=draw(sq_keys))
    else:
        kw.update(field_algorithm=draw(algorithms))
    if comparison is Comparison.ALGORITHM:
        kw.update(comparison_algorithm=draw(algorithms), value=draw(texts))
    elif comparison is Comparison.BETWEEN:
        kw.update(value=f"{draw(decimals)},{draw(decimals)}")
    elif comparison is Comparison.IN:
        kw.update(value=",".join(draw(st.lists(codes, min_size=1, max_size=3))))
    else:
        kw.update(value=draw(texts))
    return EligibilityCriterion(
        sequence, field, comparison, if_true=draw(_enum(CriterionAction)),
        if_false=draw(_enum(CriterionAction)), if_insufficient=draw(_enum(CriterionAction)),
        description=draw(texts), **kw)


@st.composite
def groups(draw: st.DrawFn, sequence: int) -> EligibilityGroup:
    seqs = draw(st.lists(sequences, min_size=1, max_size=2, unique=True))
    return EligibilityGroup(sequence, draw(_enum(GroupAction)), draw(_enum(GroupAction)),
                            tuple(draw(criteria(s)) for s in seqs), description=draw(texts))


def _other(draw: st.DrawFn, sequence: int) -> int:
    return draw(sequences.filter(lambda s: s != sequence))


@st.composite
def components(draw: st.DrawFn, sequence: int) -> RateComponent:
    t = draw(_enum(ComponentType))
    kw: dict[str, Any] = {}
    if draw(st.booleans()):
        kw.update(fcpo=True, result_type=draw(_enum(FcpoResultType)))
        if draw(st.booleans()):
            kw.update(create_bill_line=True, fcpo_retention=draw(_enum(FcpoRetention)))
    precision = draw(st.none() | positive)
    if precision is not None and not (kw.get("fcpo") and precision < Decimal("0.00001")):
        kw["precision"] = precision
    printed = draw(st.booleans())
    kw.update(print=printed, print_if_zero=printed and draw(st.booleans()))
    if t is not ComponentType.SUMMARY:
        allowed = ALLOWED_VALUE_TYPES.get(t)
        kw["value_type"] = draw(st.sampled_from(allowed) if allowed
                                else st.none() | _enum(ValueType))
        source = kw["value_source"] = draw(_enum(ValueSource))
        if source is ValueSource.VALUE:
            if t in PRICED_TYPES or draw(st.booleans()):
                kw["value"] = draw(decimals)
        elif source is ValueSource.BILL_FACTOR:
            kw["bill_factor"] = draw(codes)
        elif source is ValueSource.OTHER_RC:
            kw["value_rc"] = _other(draw, sequence)
        else:
            kw["value_algorithm"] = draw(algorithms)
    if t is ComponentType.SQ:
        kw.update(zip(("uom", "tou", "sqi"), draw(sq_keys), strict=True))
        kw.update(measures_peak=draw(st.none() | st.booleans()),
                  gl_statistical_qty=draw(st.booleans()))
        if draw(st.booleans()):
            kw["step"] = draw(steps())
            if draw(st.booleans()):
                kw["step_rc"] = _other(draw, sequence)
            kw["step_algorithm"] = draw(st.none() | algorithms)
    if t is ComponentType.ITEM:
        kw["item_type"] = draw(codes)
    if t is ComponentType.CALC_ALG:
        kw.update(calc_algorithm=draw(algorithms), audit_algorithm=draw(st.none() | algorithms),
                  derive_sq=draw(st.booleans()), uom=draw(opt_codes))
    if t in NEEDS_XREFS or (t is ComponentType.CALC_ALG and draw(st.booleans())):
        kw["xrefs"] = tuple(draw(st.lists(sequences.filter(lambda s: s != sequence),
                                          min_size=1, max_size=3, unique=True)))
    group_seqs = draw(st.lists(sequences, max_size=2, unique=True))
    return RateComponent(
        sequence, t, description=draw(texts), description_on_bill=draw(texts),
        rounding=draw(_enum(RoundingMethod)), error_if_no_value=draw(st.booleans()),
        season=draw(st.none() | seasons), gl=draw(st.none() | gls),
        characteristics=tuple(draw(st.dictionaries(codes, texts, max_size=2)).items()),
        eligibility=tuple(draw(groups(s)) for s in group_seqs), **kw)


@st.composite
def versions(draw: st.DrawFn, effective: date) -> RateVersion:
    seqs = draw(st.lists(sequences, max_size=3, unique=True))
    return RateVersion(effective, draw(_enum(RateVersionStatus)),
                       tuple(draw(components(s)) for s in seqs), draw(texts))


rule_links = st.lists(sequences, max_size=2, unique=True).flatmap(
    lambda seqs: st.tuples(*(st.builds(RuleLink, st.just(s), codes) for s in seqs)))


@st.composite
def schedules(draw: st.DrawFn, code: str) -> RateSchedule:
    primary = draw(st.booleans())
    kw: dict[str, Any] = {}
    if primary:
        kw.update(service_type=draw(codes), frequency=draw(codes), currency=draw(codes),
                  allow_estimates=draw(st.booleans()), register_rules=draw(rule_links),
                  sub_rates=draw(rule_links),
                  meter_config_types=tuple(draw(st.lists(codes, max_size=2, unique=True))))
    else:
        kw["type"] = RateScheduleType.SUBSIDIARY
    prorate = draw(st.booleans())
    selection = draw((st.none() if prorate else st.nothing()) | _enum(RvSelectionDate))
    messages = draw(st.lists(st.tuples(codes, st.dates(), st.none() | st.dates()), max_size=2,
                             unique_by=lambda m: m[:2]))
    dates = draw(st.lists(st.dates(), max_size=2, unique=True))
    return RateSchedule(
        code, draw(texts), allow_rv_proration=prorate, rv_selection_date=selection,
        sq_rules=draw(rule_links),
        bill_messages=tuple(BillMessageLink(m, s, e if e is None or e >= s else None)
                            for m, s, e in messages),
        versions=tuple(draw(versions(d)) for d in dates), **kw)


@st.composite
def characteristics(draw: st.DrawFn, char_value: str, bf_type: BillFactorType,
                    ) -> BillFactorCharacteristic:
    kw: dict[str, Any] = {}
    if bf_type is BillFactorType.REGULAR:
        dates = sorted(draw(st.lists(st.dates(), max_size=3, unique=True)))
        kw["values"] = tuple(BillFactorValue(d, draw(decimals)) for d in dates)
    elif bf_type is BillFactorType.TOU:
        keys = draw(st.lists(st.tuples(codes, st.dates()), max_size=2, unique=True))
        kw["tou_values"] = tuple(
            BillFactorTouValue(g, d, draw(st.dictionaries(codes, decimals, min_size=1,
                                                           max_size=2)))
            for g, d in keys)
    else:
        ids = draw(st.lists(codes, max_size=2, unique=True))
        kw["interval_sets"] = tuple(
            IntervalValueSet(i, draw(st.datetimes()), tuple(
                IntervalValue(at, draw(decimals))
                for at in draw(st.lists(st.datetimes(), min_size=1, max_size=3, unique=True))),
                complete=draw(st.booleans()))
            for i in ids)
        kw["minutes_per_interval"] = draw(st.none() | st.integers(1, 60))
    return BillFactorCharacteristic(
        char_value, gl_distribution=draw(st.dictionaries(codes, codes, max_size=2)),
        external_id=draw(opt_codes), **kw)


@st.composite
def bill_factors(draw: st.DrawFn, code: str) -> BillFactor:
    bf_type = draw(_enum(BillFactorType))
    flags = draw(st.tuples(st.booleans(), st.booleans(), st.booleans()))
    chars = draw(st.lists(codes, max_size=2, unique=True))
    return BillFactor(
        code, draw(texts), draw(codes), draw(_enum(CharSource)), bf_type, draw(codes),
        draw(_enum(ValueType)), draw(st.booleans()), *flags, draw(st.booleans()),
        draw(codes), draw(st.booleans()),
        draw(st.none() | _enum(TosUsage)) if any(flags) else None,
        {c: draw(characteristics(c, bf_type)) for c in chars})


def _section(build: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.lists(codes, max_size=2, unique=True).flatmap(
        lambda cs: st.fixed_dictionaries({c: build(c) for c in cs}))


libraries = st.builds(
    RateLibrary,
    currencies=_section(lambda c: st.builds(Currency, st.just(c), st.integers(0, 4), texts)),
    frequencies=_section(lambda c: st.builds(Frequency, st.just(c), texts, st.integers(1, 52),
                                             st.integers(0, 9), st.integers(0, 9))),
    uoms=_section(lambda c: st.builds(UnitOfMeasure, st.just(c), texts, st.integers(0, 6),
                                      st.booleans())),
    tous=_section(lambda c: st.builds(TimeOfUse, st.just(c), texts)),
    tou_groups=_section(lambda c: st.builds(
        TouGroup, st.just(c), texts, st.lists(codes, min_size=1, max_size=3,
                                              unique=True).map(tuple))),
    sqis=_section(lambda c: st.builds(ServiceQuantityIdentifier, st.just(c), texts,
                                      st.integers(0, 6))),
    register_rules=_section(lambda c: st.builds(RegisterRule, st.just(c), texts, codes,
                                                params_lists, texts)),
    sq_rules=_section(lambda c: st.builds(
        SqRule, st.just(c), texts, codes, params_lists,
        st.builds(SqKey, opt_codes, opt_codes, opt_codes), _enum(SqQtyToUse), st.booleans(),
        _enum(SqRuleProcessing), texts)),
    bill_factors=_section(bill_factors),
    rate_schedules=_section(schedules),
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(libraries)
def test_generated_libraries_round_trip(lib: RateLibrary) -> None:
    text = dump_library(lib)
    assert loads(text) == lib
    assert dump_library(loads(text)) == text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_schedule_documents_round_trip(data: st.DataObject) -> None:
    lib = data.draw(libraries.filter(lambda lib: bool(lib.rate_schedules)))
    code = data.draw(st.sampled_from(sorted(lib.rate_schedules)))
    alone = loads(dump_rate_schedule(lib, code, dependencies=False))
    assert alone == RateLibrary(rate_schedules={code: lib.rate_schedules[code]})
    assert loads(dump_rate_schedule(lib, code)) == rate_schedule_library(lib, code)


# ---------------------------------------------------------------------------------------------
# dump_rate_schedule
# ---------------------------------------------------------------------------------------------


def test_rate_schedule_document_holds_what_the_schedule_uses() -> None:
    lib = rich().merged(loads(dedent("""\
        uoms: {THRM: {description: Therms}}
        bill_factors: {UNUSED: {description: d, char_type: N/A}}
        """)))
    part = loads(dump_rate_schedule(lib, "E-COM1"), "e-com1.yaml")
    assert set(part.rate_schedules) == {"E-COM1", "E-TAX"}
    assert set(part.bill_factors) == {"STTAX", "TOUPRICE"}  # RTP and UNUSED are not used
    assert set(part.sq_rules) == {"SUM-KWH"} and set(part.register_rules) == {"BU-KW"}
    assert set(part.currencies) == {"USD", "JPY"}  # the schedule's, and STTAX's
    # KWH from the components and the SQ rule output, KW from P1 of register rule BU-KW
    # (the BU plug-in declares it a unit of measure)
    assert set(part.uoms) == {"KWH", "KW"}
    assert set(part.tous) == {"PEAK", "OFFPEAK"}  # PEAK directly, OFFPEAK via TOU2
    assert set(part.tou_groups) == {"TOU2"} and set(part.sqis) == {"DAYS"}
    assert part.rate_schedules["E-COM1"] == lib.rate_schedules["E-COM1"]
    alone = loads(dump_rate_schedule(lib, "E-TAX", dependencies=False))
    assert set(alone.rate_schedules) == {"E-TAX"} and not alone.bill_factors
    with pytest.raises(RateDefinitionError, match="no rate schedule 'NOPE'"):
        dump_rate_schedule(lib, "NOPE")


# ---------------------------------------------------------------------------------------------
# Files and directories
# ---------------------------------------------------------------------------------------------

CONTROLS = """\
currencies:
  USD: {}
uoms:
  KWH: {description: Kilowatt-hours}
"""
SCHEDULE = """\
rate_schedules:
  {code}:
    description: Residential
    service_type: ELECTRIC
    frequency: MONTHLY
    currency: USD
"""


def test_load_a_directory_of_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "e-res.yml").write_text(SCHEDULE.format(code="E-RES"), encoding="utf-8")
    (tmp_path / "a-controls.yaml").write_text(CONTROLS, encoding="utf-8")
    (tmp_path / "c.yaml").write_text(SCHEDULE.format(code="E-RES2"), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a rate file", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.yaml").write_text("bad: [", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in rate_file_paths(tmp_path)] == [
        "a-controls.yaml", "b/e-res.yml", "c.yaml"]
    lib = load_library(tmp_path)
    assert set(lib.rate_schedules) == {"E-RES", "E-RES2"}
    assert set(lib.uoms) == {"KWH"} and set(lib.currencies) == {"USD"}
    # a file and its directory together read the file once
    assert load_library(tmp_path / "c.yaml", tmp_path) == lib
    assert load_file(tmp_path / "c.yaml") == loads(SCHEDULE.format(code="E-RES2"))
    with pytest.raises(FileNotFoundError):
        load_library(tmp_path / "missing")


def test_a_code_defined_in_two_files_names_both(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(SCHEDULE.format(code="E-RES"), encoding="utf-8")
    second.write_text(CONTROLS + SCHEDULE.format(code="E-RES"), encoding="utf-8")
    with pytest.raises(RateDefinitionError) as info:
        load_library(tmp_path)
    e = info.value
    assert e.where == f"{second}:6" and e.field == "rate_schedules.E-RES"
    assert f"rate schedule 'E-RES' is already defined at {first}:2" in e.detail
    # the same code in different sections is no clash; merged() lays one file over another
    second.write_text("bill_factors: {E-RES: {description: d, char_type: N/A}}",
                      encoding="utf-8")
    assert set(load_library(tmp_path).bill_factors) == {"E-RES"}
    second.write_text(SCHEDULE.format(code="E-RES").replace("Residential", "New"),
                      encoding="utf-8")
    merged = load_file(first).merged(load_file(second))
    assert merged.rate_schedules["E-RES"].description == "New"


def test_syntax_error_in_a_file_gives_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("uoms:\n  KWH: {description: x\n  KW: {description: y}\n", encoding="utf-8")
    with pytest.raises(RateDefinitionError) as info:
        load_library(tmp_path)
    assert info.value.where == f"{path}:3"
    assert info.value.detail.startswith("YAML syntax error: ")


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("uoms: {KWH: {description: caf\xe9}}".encode("latin-1"))
    with pytest.raises(RateDefinitionError, match="not a UTF-8 text file") as info:
        load_file(path)
    assert info.value.where == str(path)


# ---------------------------------------------------------------------------------------------
# Validation: each error names the file, the line and the field
# ---------------------------------------------------------------------------------------------

#: Lines 1-8; a component written after it starts on line 9.
VERSION_HEAD = """\
rate_schedules:
  E-COM1:
    description: Commercial electric
    type: SUBSIDIARY
    versions:
      - effective: 2009-08-17
        status: FINISHED
        components:
"""
RC = "rate_schedules.E-COM1.versions[2009-08-17].components"


def error(text: str, name: str = "rates.yaml") -> RateDefinitionError:
    with pytest.raises(RateDefinitionError) as info:
        loads(text, name)
    return info.value


def component_error(lines: str) -> RateDefinitionError:
    return error(VERSION_HEAD + lines)


def check(e: RateDefinitionError, line: int, field: str | None, *fragments: str) -> None:
    assert (e.where, e.field) == (f"rates.yaml:{line}", field), str(e)
    for fragment in fragments:
        assert fragment in e.detail, e.detail
    assert str(e).startswith(f"rates.yaml:{line}: ")


def test_yaml_syntax_errors_give_the_line() -> None:
    e = error("uoms:\n  KWH: {description: [x}\n")
    check(e, 2, None, "YAML syntax error")
    e = error("uoms:\n  KWH:\n\tdescription: x\n")
    check(e, 3, None, "YAML syntax error", "cannot start any token")
    e = error("uoms: {}\n---\ntous: {}\n")
    check(e, 2, None, "YAML syntax error", "single document")


def test_text_that_is_not_yaml() -> None:
    check(error("uoms:\n  K: {description: a\x01b}\n"), 2, None,
          "not a YAML text file: control characters are not allowed (U+0001)")
    check(error("uoms:\n  K: &a\n    description: x\n    <<: *a\n"), 2, "uoms.K",
          "'<<' merges a mapping into itself")
    check(error("uoms:\n  K:\n    <<: [x]\n"), 3, "uoms.K", "'<<' merges mappings only")


def test_not_a_mapping() -> None:
    check(error("- uoms\n"), 1, None, "expected a mapping of sections")
    check(error("uoms: [KWH]\n"), 1, "uoms", "expected a mapping of unit of measure codes")
    check(error("uoms:\n  KWH: Kilowatt hours\n"), 2, "uoms.KWH",
          "expected a mapping of fields, found 'Kilowatt hours'")


def test_unknown_section_and_field_suggest_the_closest() -> None:
    check(error("uoms: {}\nrate_schedule: {}\n"), 2, "rate_schedule",
          "unknown section 'rate_schedule'", "did you mean 'rate_schedules'?")
    e = component_error("""\
          - sequence: 20
            type: FLAT
            value_type: CHARGE
            value: "1"
            precison: "0.01"
        """)
    check(e, 13, f"{RC}[20].precison", "unknown field 'precison'", "did you mean 'precision'?")
    e = error("uoms:\n  KWH: {description: x, colour: red}\n")
    check(e, 2, "uoms.KWH.colour", "unknown field 'colour'",
          "known fields: description, decimal_positions, measures_peak")


def test_missing_required_fields() -> None:
    e = error(VERSION_HEAD.replace("        status: FINISHED\n", ""))
    check(e, 6, "rate_schedules.E-COM1.versions[2009-08-17].status",
          "missing required field 'status'")
    check(error("frequencies:\n  M:\n    description: Monthly\n"), 2,
          "frequencies.M.periods_per_year", "missing required field 'periods_per_year'")
    check(error("frequencies:\n  M:\n    description: Monthly\n    periods_per_year:\n"), 4,
          "frequencies.M.periods_per_year", "'periods_per_year' needs a value")
    e = component_error("""\
          - sequence: 20
            type: SQ
            uom: KWH
            value_type: UNIT_RATE
            value: "1"
            step: {high: "5"}
        """)
    check(e, 14, f"{RC}[20].step.low", "missing required field 'low'")
    e = component_error("          - {type: FLAT}\n")
    check(e, 9, f"{RC}[0].sequence", "missing required field 'sequence'")


@pytest.mark.parametrize(("value", "field", "message"), [
    ('precision: "1.2.3"', "precision", "expected a number, found '1.2.3'"),
    ("precision: yes", "precision", "expected a number, found 'yes'"),
    ("precision: .inf", "precision", "expected a number, found '.inf'"),
    ("precision: [1]", "precision", "expected a number, found a list"),
    ("print: maybe", "print", "expected true or false, found 'maybe'"),
    ('print: "true"', "print", "expected true or false, found 'true'"),
    ("value_rc: 1.5", "value_rc", "expected a whole number, found '1.5'"),
    ("value_rc: -1", "value_rc", "must be at least 0, found -1"),
    ("xrefs: 5", "xrefs", "expected a list, found '5'"),
    ("xrefs: [5, x]", "xrefs[1]", "expected a whole number, found 'x'"),
    ("season: {start: 5/1, end: 10-31, method: PRORATE}", "season.start",
     "expected a month and day (MM-DD"),
    ('season: {start: "02-30", end: "10-31", method: PRORATE}', "season.start",
     "'02-30' is not a day of the year"),
    ("season: {start: 13-01, end: 10-31, method: PRORATE}", "season.start",
     "'13-01' is not a day of the year"),
    ("value_algorithm: {code: [A]}", "value_algorithm.code", "expected a code, found a list"),
    ("rounding: HALF_UP", "rounding",
     "unknown code 'HALF_UP'; allowed: UP, DOWN, NEAREST"),
    ("gl: REV", "gl", "expected a mapping of fields, found 'REV'"),
])
def test_wrong_types(value: str, field: str, message: str) -> None:
    e = component_error(f"""\
          - sequence: 20
            type: FLAT
            value_type: CHARGE
            value: "1"
            {value}
        """)
    check(e, 13, f"{RC}[20].{field}", message)


def test_wrong_dates() -> None:
    e = error(VERSION_HEAD.replace("2009-08-17", "2009-02-30"))
    check(e, 6, "rate_schedules.E-COM1.versions[2009-02-30].effective",
          "'2009-02-30' is not a valid date")
    e = error(VERSION_HEAD.replace("2009-08-17", "17/08/2009"))
    check(e, 6, "rate_schedules.E-COM1.versions[17/08/2009].effective",
          "expected a date (YYYY-MM-DD), found '17/08/2009'")
    e = error(dedent("""\
        bill_factors:
          RTP:
            description: d
            type: INTERVAL
            char_type: N/A
            values:
              N/A:
                interval_sets:
                  - set_id: A
                    set_at: 2023-01-01T00:00:00
                    values: {2023-01-01T00:00:00: "1", yesterday: "2"}
        """))
    check(e, 11, "bill_factors.RTP.values.N/A.interval_sets[A].values.yesterday",
          "expected a date and time")


def test_unknown_enum_codes_list_the_allowed_ones() -> None:
    e = component_error("""\
          - sequence: 20
            type: FLAT
            value_type: UNITRATE
        """)
    check(e, 11, f"{RC}[20].value_type",
          "unknown code 'UNITRATE'; allowed: CHARGE, PERCENT, UNIT_RATE",
          "(did you mean UNIT_RATE?)")
    e = error(VERSION_HEAD.replace("FINISHED", "Finished"))
    check(e, 7, "rate_schedules.E-COM1.versions[2009-08-17].status",
          "allowed: IN_PROGRESS, VALIDATED, FINISHED", "did you mean FINISHED?")


def test_duplicates() -> None:
    e = component_error("""\
          - {sequence: 10, type: FLAT, value_type: CHARGE, value: "1"}
          - {sequence: 20, type: FLAT, value_type: CHARGE, value: "1"}
          - {sequence: 10, type: FLAT, value_type: CHARGE, value: "2"}
        """)
    check(e, 11, f"{RC}[10].sequence", "duplicate sequence 10 (first at line 9)")
    e = error(VERSION_HEAD + "      - effective: 2009-08-17\n        status: VALIDATED\n")
    check(e, 9, "rate_schedules.E-COM1.versions[2009-08-17].effective",
          "duplicate effective 2009-08-17 (first at line 6)")
    e = error("uoms:\n  KWH: {description: a}\n  KW: {description: b}\n  KWH: {description: c}\n")
    check(e, 4, "uoms.KWH", "'KWH' is given twice in this mapping (first at line 2)")
    e = error("uoms:\n  KWH: {description: a, description: b}\n")
    check(e, 2, "uoms.KWH.description", "'description' is given twice")
    e = error("uoms: {}\ntous: {}\nuoms: {}\n")
    check(e, 3, "uoms", "'uoms' is given twice in this mapping (first at line 1)")
    e = error("tou_groups:\n  G:\n    description: d\n    members:\n      - PEAK\n      - PEAK\n")
    check(e, 6, "tou_groups.G.members[1]", "duplicate value 'PEAK' (first at line 5)")
    e = error(dedent("""\
        bill_factors:
          BF:
            description: d
            char_type: N/A
            values:
              N/A:
                - {effective: 2020-01-01, value: "1"}
                - {effective: 2020-01-01, value: "2"}
        """))
    check(e, 8, "bill_factors.BF.values.N/A[2020-01-01].effective",
          "duplicate effective 2020-01-01 (first at line 7)")


def test_step_bounds() -> None:
    base = """\
          - sequence: 20
            type: SQ
            uom: KWH
            value_type: UNIT_RATE
            value: "1"
            step: {step}
        """
    e = component_error(base.format(step='{low: "100", high: "100"}'))
    check(e, 14, f"{RC}[20].step.high",
          "a step's high bound must be greater than its low bound (100 <= 100)")
    e = component_error(base.format(step='{low: "-1"}'))
    check(e, 14, f"{RC}[20].step.low", "must not be negative")
    e = component_error(base.replace("step: {step}", "step_rc: 10"))
    check(e, 14, f"{RC}[20].step_rc", "'step_rc' and 'step_algorithm' adjust a step")


def test_precision() -> None:
    base = """\
          - sequence: 20
            type: FLAT
            value_type: CHARGE
            value: "1"
            precision: {precision}
        """
    e = component_error(base.format(precision='"0"'))
    check(e, 13, f"{RC}[20].precision", "must be greater than 0, found 0")
    e = component_error(base.format(precision="-0.01"))
    check(e, 13, f"{RC}[20].precision", "must be greater than 0, found -0.01")
    e = component_error(base.format(precision='"0.000001"').rstrip(" ")
                        + "            fcpo: true\n            result_type: CHARGE\n")
    check(e, 13, f"{RC}[20].precision", "FCPO component's precision must be at least 0.00001")


#: The component starts on line 9, so the n-th of ``lines`` is on line 9 + n; a rule about a
#: field that is missing points at the component's first line, 9.
@pytest.mark.parametrize(("lines", "line", "field", "message"), [
    # what a type needs
    ("type: SQ\nvalue_type: UNIT_RATE\nvalue: '1'", 9, "uom",
     "an SQ component needs at least one of uom, tou or sqi"),
    ("type: APPLY_TO\nvalue_type: PERCENT\nvalue: '1'", 9, "xrefs",
     "a APPLY_TO component needs 'xrefs'"),
    ("type: SUMMARY", 9, "xrefs", "a SUMMARY component needs 'xrefs'"),
    ("type: MIN\nvalue_type: CHARGE\nvalue: '1'\nxrefs: []", 13, "xrefs",
     "a MIN component needs 'xrefs'"),
    ("type: ITEM\nvalue_type: UNIT_RATE\nvalue: '1'", 9, "item_type",
     "an ITEM component needs 'item_type'"),
    ("type: CALC_ALG", 9, "calc_algorithm", "a CALC_ALG component needs 'calc_algorithm'"),
    ("type: FLAT\nvalue: '1'", 9, "value_type",
     "a FLAT component needs 'value_type' (CHARGE)"),
    ("type: FLAT\nvalue_type: PERCENT\nvalue: '1'", 11, "value_type",
     "a FLAT component's value_type is CHARGE, found PERCENT"),
    ("type: FLAT\nvalue_type: CHARGE", 9, "value", "value_source VALUE needs 'value'"),
    ("type: FLAT\nvalue_type: CHARGE\nvalue_source: BILL_FACTOR", 9, "bill_factor",
     "value_source BILL_FACTOR needs 'bill_factor'"),
    ("type: FLAT\nvalue_type: CHARGE\nbill_factor: BF", 12, "bill_factor",
     "'bill_factor' is used only with value_source: BILL_FACTOR, and this component's "
     "value_source is VALUE"),
    ("type: FLAT\nvalue_type: CHARGE\nvalue_source: OTHER_RC\nvalue_rc: 20", 13, "value_rc",
     "a component cannot refer to itself (value_rc 20)"),
    # what a type does not use
    ("type: SUMMARY\nxrefs: [10]\nvalue_type: CHARGE", 12, "value_type",
     "a SUMMARY component has no value"),
    ("type: FLAT\nvalue_type: CHARGE\nvalue: '1'\nstep: {low: '0'}", 13, "step",
     "'step' is used only by SQ components; this one is FLAT"),
    ("type: FLAT\nvalue_type: CHARGE\nvalue: '1'\nxrefs: [10]", 13, "xrefs",
     "'xrefs' is used only by APPLY_TO, CALC_ALG, EXACT, MAX, MIN, SUMMARY components"),
    ("type: SUMMARY\nxrefs: [10, 20]", 11, "xrefs", "cannot refer to itself (xref 20)"),
    ("type: SUMMARY\nxrefs: [10, 10]", 11, "xrefs[1]", "duplicate value 10"),
    ("type: SUMMARY\nxrefs: [10]\nitem_type: LAMP", 12, "item_type",
     "'item_type' is used only by ITEM components"),
    ("type: SUMMARY\nxrefs: [10]\nderive_sq: true", 12, "derive_sq",
     "'derive_sq' is used only by CALC_ALG components"),
    # FCPO and printing
    ("type: SUMMARY\nxrefs: [10]\nfcpo: true", 9, "result_type",
     "an FCPO component needs 'result_type'"),
    ("type: SUMMARY\nxrefs: [10]\nresult_type: CHARGE", 12, "result_type",
     "'result_type' is used only by FCPO components"),
    ("type: SUMMARY\nxrefs: [10]\nfcpo: true\nresult_type: CHARGE\ncreate_bill_line: true",
     9, "fcpo_retention", "needs 'fcpo_retention' (ZERO or RETAIN)"),
    ("type: SUMMARY\nxrefs: [10]\nfcpo: true\nresult_type: CHARGE\nfcpo_retention: ZERO",
     14, "fcpo_retention", "'fcpo_retention' is used only with create_bill_line: true"),
    ("type: SUMMARY\nxrefs: [10]\nprint: false\nprint_if_zero: true", 13, "print_if_zero",
     "'print_if_zero' needs print: true"),
    # nested objects
    ("type: SUMMARY\nxrefs: [10]\ngl: {}", 12, "gl.code",
     "either 'code' or 'by_revenue_class'"),
    ("type: SUMMARY\nxrefs: [10]\nseason: {start: '05-01', end: '10-31'}", 12,
     "season.method", "missing required field 'method'"),
])
def test_component_rules(lines: str, line: int, field: str, message: str) -> None:
    body = "          - sequence: 20\n" + "".join(
        f"            {x}\n" for x in lines.splitlines())
    check(component_error(body), line, f"{RC}[20].{field}", message)


#: Every criterion is written on one line, line 17.
@pytest.mark.parametrize(("criterion", "line", "field", "message"), [
    ("{sequence: 5, field: CHARACTERISTIC, char_type: LOW_INCOME, comparison: EQ, value: Y}",
     17, "char_entity", "a CHARACTERISTIC criterion needs 'char_entity'"),
    ("{sequence: 5, field: SQ, comparison: GT, value: '5'}", 17, "sq",
     "a SQ criterion needs 'sq'"),
    ("{sequence: 5, field: SQ, sq: {}, comparison: GT, value: '5'}", 17, "sq",
     "at least one of uom, tou or sqi"),
    ("{sequence: 5, field: RC_VALUE, rc: 10, sq: {uom: KWH}, comparison: GT}", 17, "sq",
     "'sq' is used only by a SQ criterion; this one's field is RC_VALUE"),
    ("{sequence: 5, field: RC_VALUE, rc: 10, comparison: ALGORITHM}", 17,
     "comparison_algorithm", "comparison ALGORITHM needs 'comparison_algorithm'"),
    ("{sequence: 5, field: RC_VALUE, rc: 10, comparison: BETWEEN, value: '5'}", 17, "value",
     "BETWEEN compares with 'low,high', found '5'"),
    ("{sequence: 5, field: RC_VALUE, rc: 10, comparison: GT, if_true: APPLY_RC}", 17,
     "if_true", "allowed: GROUP_TRUE, GROUP_FALSE, CHECK_NEXT"),
])
def test_eligibility_rules(criterion: str, line: int, field: str, message: str) -> None:
    e = component_error(f"""\
          - sequence: 20
            type: SUMMARY
            xrefs: [10]
            eligibility:
              - sequence: 10
                if_true: APPLY_RC
                if_false: SKIP_RC
                criteria:
                  - {criterion}
        """)
    check(e, line, f"{RC}[20].eligibility[10].criteria[5].{field}", message)


def test_eligibility_group_needs_criteria() -> None:
    e = component_error("""\
          - sequence: 20
            type: SUMMARY
            xrefs: [10]
            eligibility:
              - {sequence: 10, if_true: APPLY_RC, if_false: SKIP_RC, criteria: []}
        """)
    check(e, 13, f"{RC}[20].eligibility[10].criteria", "needs at least 1 criterion")


def test_schedule_rules() -> None:
    e = error("rate_schedules:\n  R:\n    description: d\n    currency: USD\n")
    check(e, 2, "rate_schedules.R.service_type", "a PRIMARY rate schedule needs 'service_type'")
    e = error("rate_schedules:\n  R:\n    description: d\n    type: SUBSIDIARY\n"
              "    frequency: MONTHLY\n")
    check(e, 5, "rate_schedules.R.frequency",
          "'frequency' is not allowed on a SUBSIDIARY rate schedule")
    e = error("rate_schedules:\n  R:\n    description: d\n    type: SUBSIDIARY\n"
              "    allow_rv_proration: false\n")
    check(e, 2, "rate_schedules.R.rv_selection_date",
          "with allow_rv_proration: false a rate schedule needs 'rv_selection_date'")
    e = error("rate_schedules:\n  R:\n    description: d\n    type: SUBSIDIARY\n"
              "    bill_messages:\n      - {message: M, start: 2023-02-01, end: 2023-01-31}\n")
    check(e, 6, "rate_schedules.R.bill_messages[M,2023-02-01].end",
          "a bill message's end (2023-01-31) is before its start (2023-02-01)")


def test_bill_factor_rules() -> None:
    head = "bill_factors:\n  BF:\n    description: d\n    char_type: N/A\n"
    e = error(head + "    type: TOU\n    values:\n      N/A: [{effective: 2020-01-01, value: 1}]\n")
    check(e, 7, "bill_factors.BF.values.N/A",
          "a list of values is for REGULAR bill factors and this one is TOU",
          "write N/A: {tou_values: [...]}")
    e = error(head + "    values:\n      N/A:\n        minutes_per_interval: 15\n")
    check(e, 7, "bill_factors.BF.values.N/A.minutes_per_interval",
          "'minutes_per_interval' is for INTERVAL bill factors and this one is REGULAR")
    e = error(head + "    tos_usage: CHECK_SA_ONLY\n")
    check(e, 5, "bill_factors.BF.tos_usage", "'tos_usage' applies only with tax_exemption")
    e = error(head + "    type: TOU\n    values:\n      N/A:\n        tou_values:\n"
              "          - {tou_group: G, effective: 2020-01-01, values: {}}\n")
    check(e, 9, "bill_factors.BF.values.N/A.tou_values[G,2020-01-01].values",
          "needs at least 1 TOU value")
    e = error(head + "    values:\n      N/A: [{effective: 2020-01-01, value: lots}]\n")
    check(e, 6, "bill_factors.BF.values.N/A[2020-01-01].value",
          "expected a number, found 'lots'")


def test_error_path_labels_entries_without_a_readable_key_by_position() -> None:
    e = component_error("""\
          - sequence: 10
            type: SUMMARY
            xrefs: [5]
          - sequence: [20]
            type: SUMMARY
        """)
    check(e, 12, f"{RC}[1].sequence", "expected a whole number, found a list")


def test_docs_error_example_is_real() -> None:
    """The sample message in docs/rate-files.md is the one the loader gives."""
    e = component_error("""\
          - sequence: 20
            type: FLAT
            value_type: CHARGE
            value: "1"
            precision: "0"
        """)
    sample = re.search(r"precision: (precision is a rounding increment[^\n]*)",
                       DOCS.read_text(encoding="utf-8"))
    assert sample is not None and sample[1] == e.detail
