"""Eligibility (spec/20 §7, §13.4) and the built-in eligibility plug-ins (§6.12)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.rates.agreements import CharacteristicValue, ServiceAgreement, ServicePoint
from app.engine.rates.context import RatingContext
from app.engine.rates.controls import Currency, Frequency, SqKey
from app.engine.rates.eligibility import (
    MISSING,
    compare,
    evaluate_criterion,
    fetch_field,
    is_eligible,
    span_end,
)
from app.engine.rates.enums import (
    CharEntity,
    Comparison,
    ComponentStatus,
    ComponentType,
    CriteriaField,
    CriterionAction,
    GroupAction,
    Truth,
)
from app.engine.rates.errors import RateDefinitionError
from app.engine.rates.plugins import (
    ELIGIBILITY_COMPARISON,
    ELIGIBILITY_FIELD,
    REGISTRY,
    register_eligibility_comparison,
    register_eligibility_field,
)
from app.engine.rates.quantities import ServiceQty, ServiceQuantities
from app.engine.rates.results import ComponentResult
from app.engine.rates.schedules import (
    AlgorithmRef,
    EligibilityCriterion,
    EligibilityGroup,
    RateComponent,
)

D = Decimal
GT, GE, EQ, IN, BETWEEN = (Comparison.GT, Comparison.GE, Comparison.EQ, Comparison.IN,
                           Comparison.BETWEEN)
NEXT, G_TRUE, G_FALSE = (CriterionAction.CHECK_NEXT, CriterionAction.GROUP_TRUE,
                         CriterionAction.GROUP_FALSE)
APPLY, SKIP, NEXT_GROUP = GroupAction.APPLY_RC, GroupAction.SKIP_RC, GroupAction.CHECK_NEXT_GROUP
KWH = SqKey("KWH")
REF = date(2020, 6, 1)
NO_RESULTS: Mapping[int, ComponentResult] = {}


# -- builders (real objects, no mocks) ------------------------------------------------------

def ctx(agreement: ServiceAgreement | None = None, *, input_chars: Mapping[str, str] = {},
        chars: Mapping[str, str] = {}, start: date = REF) -> RatingContext:
    return RatingContext(
        start=start, end=start + timedelta(days=29), accounting_date=start,
        currency=Currency("USD"), frequency=Frequency("MO", "Monthly", 12),
        bill_factors={}, uoms={}, sqis={}, agreement=agreement,
        input_chars=dict(input_chars), chars=dict(chars))


def sa(**kw: object) -> ServiceAgreement:
    return ServiceAgreement(id="SA1", **kw)  # type: ignore[arg-type]


def person(**chars: str) -> ServiceAgreement:
    return sa(main_person_characteristics=tuple(
        CharacteristicValue(k, v) for k, v in chars.items()))


def sqs(**quantities: str) -> ServiceQuantities:
    return ServiceQuantities({
        SqKey(uom.upper()): ServiceQty(SqKey(uom.upper()), D(q), D(q))
        for uom, q in quantities.items()})


def char(seq: int, char_type: str, op: Comparison, value: str, *,
         entity: CharEntity = CharEntity.MAIN_PERSON, if_true: CriterionAction = NEXT,
         if_false: CriterionAction = G_FALSE,
         if_insufficient: CriterionAction = G_FALSE) -> EligibilityCriterion:
    return EligibilityCriterion(seq, CriteriaField.CHARACTERISTIC, op, value, if_true=if_true,
                                if_false=if_false, if_insufficient=if_insufficient,
                                char_entity=entity, char_type=char_type)


def sq_crit(seq: int, op: Comparison, value: str, *, key: SqKey = KWH,
            if_true: CriterionAction = G_TRUE) -> EligibilityCriterion:
    return EligibilityCriterion(seq, CriteriaField.SQ, op, value, if_true=if_true,
                                if_false=G_FALSE, if_insufficient=G_FALSE, sq=key)


def alg_field(seq: int, code: str, *, if_true: CriterionAction = NEXT,
              **params: str) -> EligibilityCriterion:
    return EligibilityCriterion(seq, CriteriaField.ALGORITHM, EQ, "TRUE", if_true=if_true,
                                if_false=G_FALSE, if_insufficient=G_FALSE,
                                field_algorithm=AlgorithmRef(code, params))


def group(seq: int, if_true: GroupAction, if_false: GroupAction,
          *criteria: EligibilityCriterion) -> EligibilityGroup:
    return EligibilityGroup(seq, if_true, if_false, tuple(criteria))


def component(*groups: EligibilityGroup) -> RateComponent:
    return RateComponent(sequence=50, type=ComponentType.APPLY_TO, value=D("-2.532"),
                         eligibility=tuple(groups))


def eligible(rc: RateComponent, c: RatingContext, q: ServiceQuantities | None = None,
             results: Mapping[int, ComponentResult] = NO_RESULTS, day: date = REF) -> bool:
    return is_eligible(rc, c, results, q if q is not None else sqs(), day)


# -- D-ELIG-00 ------------------------------------------------------------------------------

def test_d_elig_00_no_groups_is_eligible() -> None:
    assert eligible(component(), ctx()) is True


# -- §7.5 #1: two groups with OR logic (S-ELIG-2G-*) ----------------------------------------

def two_group_rule(kwh_op: Comparison = GT) -> RateComponent:
    return component(
        group(1, APPLY, NEXT_GROUP,
              char(10, "LOW_INCOME", EQ, "YES"),
              sq_crit(20, kwh_op, "1,000")),
        group(2, APPLY, SKIP,
              char(10, "LOW_INCOME", EQ, "NO"),
              sq_crit(20, kwh_op, "500")),
    )


def _li_ctx(li: str | None) -> RatingContext:
    return ctx(person(LOW_INCOME=li) if li is not None else sa())


def _kwh(kwh: str | None) -> ServiceQuantities:
    return sqs(kwh=kwh) if kwh is not None else sqs()


@pytest.mark.parametrize(("case", "li", "kwh", "expected"), [
    ("S-ELIG-2G-01", "YES", "1200", True),
    ("S-ELIG-2G-02", "YES", "800", False),
    ("S-ELIG-2G-03", "NO", "800", True),
    ("S-ELIG-2G-04", "NO", "400", False),
    ("S-ELIG-2G-05", None, "5000", False),
    ("S-ELIG-2G-06", "YES", None, False),
    ("S-ELIG-2G-07", "YES", "1000", False),
])
def test_two_groups_or(case: str, li: str | None, kwh: str | None, expected: bool) -> None:
    assert eligible(two_group_rule(), _li_ctx(li), _kwh(kwh)) is expected


def test_groups_and_criteria_run_in_sequence_not_in_list_order() -> None:
    rc = two_group_rule()
    g1, g2 = rc.eligibility
    shuffled = component(g2, EligibilityGroup(g1.sequence, g1.if_true, g1.if_false,
                                              tuple(reversed(g1.criteria))))
    for li, kwh in [("YES", "1200"), ("YES", "800"), ("NO", "800"), ("NO", "400")]:
        assert eligible(shuffled, _li_ctx(li), _kwh(kwh)) is eligible(rc, _li_ctx(li), _kwh(kwh))


# -- §7.5 #2: SQ comparison (S-ELIG-SQ-*) ---------------------------------------------------

def sq_rule() -> RateComponent:
    return component(group(1, APPLY, SKIP,
                           char(10, "LOW_INCOME", EQ, "YES"),
                           sq_crit(20, GE, "1,000")))


@pytest.mark.parametrize(("case", "li", "kwh", "expected"), [
    ("S-ELIG-SQ-01", "YES", "1000", True),
    ("S-ELIG-SQ-02", "YES", "999.99", False),
    ("S-ELIG-SQ-03", "NO", "5000", False),
    ("S-ELIG-SQ-04", "YES", None, False),
])
def test_sq_rule(case: str, li: str, kwh: str | None, expected: bool) -> None:
    assert eligible(sq_rule(), _li_ctx(li), _kwh(kwh)) is expected


def test_sq_uses_billable_quantity() -> None:
    q = ServiceQuantities({KWH: ServiceQty(KWH, D("2000"), D("900"))})
    assert eligible(sq_rule(), _li_ctx("YES"), q) is False
    q.set_billable(KWH, D("1000"))
    assert eligible(sq_rule(), _li_ctx("YES"), q) is True


# -- §7.5 #3: senior rule, RECC-TIMESPN (S-ELIG-SR-*, D-ELIG-SR-04 pinned by D-25) ----------

def senior_rule(params: Mapping[str, str] | None = None) -> RateComponent:
    crit = EligibilityCriterion(
        10, CriteriaField.CHARACTERISTIC, Comparison.ALGORITHM, "", if_true=G_TRUE,
        if_false=G_FALSE, if_insufficient=G_FALSE, char_entity=CharEntity.MAIN_PERSON,
        char_type="DATE_OF_BIRTH",
        comparison_algorithm=AlgorithmRef(
            "RECC-TIMESPN", {"span": "65", "unit": "YEARS"} if params is None else params))
    return component(group(1, APPLY, SKIP, crit))


def _dob_ctx(dob: str | None, start: date = REF) -> RatingContext:
    return ctx(person(DATE_OF_BIRTH=dob) if dob is not None else sa(), start=start)


@pytest.mark.parametrize(("case", "dob", "expected"), [
    ("S-ELIG-SR-01", "1950-03-01", True),     # 70 years
    ("S-ELIG-SR-02", "1960-03-01", False),    # 60 years
    ("S-ELIG-SR-03", None, False),            # INSUFFICIENT -> group false
    ("D-ELIG-SR-04", "1955-03-01", True),     # 65 y 3 m is more than 65 years (D-25)
])
def test_senior_rule(case: str, dob: str | None, expected: bool) -> None:
    assert eligible(senior_rule(), _dob_ctx(dob), day=REF) is expected


@pytest.mark.parametrize(("dob", "op", "expected"), [
    ("1955-06-01", "GT", False),   # exactly 65 years on the reference day: not "more than"
    ("1955-06-01", "GE", True),
    ("1955-05-31", "GT", True),
    ("1955-06-02", "GT", False),
    ("1955-06-02", "LT", True),
    ("1955-06-01", "EQ", True),
    ("1955-06-01", "LE", True),
    ("1955-06-01", "NE", False),
])
def test_timespan_is_exact_and_strict(dob: str, op: str, expected: bool) -> None:
    rc = senior_rule({"span": "65", "unit": "YEARS", "op": op})
    assert eligible(rc, _dob_ctx(dob), day=REF) is expected


def test_timespan_reference_is_the_calc_period_start() -> None:
    rc = senior_rule()
    c = _dob_ctx("1955-06-01", start=date(2020, 5, 1))
    assert eligible(rc, c, day=date(2020, 6, 1)) is False
    assert eligible(rc, c, day=date(2020, 6, 2)) is True


@pytest.mark.parametrize(("start", "span", "unit", "end"), [
    (date(2000, 2, 29), 1, "YEARS", date(2001, 2, 28)),
    (date(2000, 2, 29), 4, "YEARS", date(2004, 2, 29)),
    (date(2020, 1, 31), 1, "MONTHS", date(2020, 2, 29)),
    (date(2020, 11, 30), 3, "MONTHS", date(2021, 2, 28)),
    (date(2020, 1, 1), 2, "WEEKS", date(2020, 1, 15)),
    (date(2020, 1, 1), 31, "DAYS", date(2020, 2, 1)),
    (date(9999, 1, 1), 1, "YEARS", None),
    (date(9999, 12, 1), 40, "DAYS", None),
])
def test_span_end(start: date, span: int, unit: str, end: date | None) -> None:
    assert span_end(start, span, unit) == end


@pytest.mark.parametrize(("value", "ref", "params", "expected"), [
    ("2000-02-29", date(2001, 2, 28), {"span": "1"}, Truth.FALSE),   # the span ends on 02-28
    ("2000-02-29", date(2001, 3, 1), {"span": "1"}, Truth.TRUE),
    ("2000-02-28", date(2001, 2, 28), {"span": "1", "op": "EQ"}, Truth.TRUE),
    (date(2020, 5, 1), REF, {"span": "30", "unit": "DAYS"}, Truth.TRUE),
    (date(2020, 5, 2), REF, {"span": "30", "unit": "DAYS"}, Truth.FALSE),
    (datetime(2020, 5, 18, 8, 0), REF, {"span": "2", "unit": "WEEKS"}, Truth.FALSE),
    (date(2020, 5, 18), REF, {"span": "2", "unit": "WEEKS", "op": "GE"}, Truth.TRUE),
    ("2020-02-29", REF, {"span": "3", "unit": "months"}, Truth.TRUE),  # ends 2020-05-29
    ("2020-03-01", REF, {"span": "3", "unit": "MONTHS"}, Truth.FALSE),  # ends 2020-06-01
    ("2020-06-01", REF, {"span": "0", "unit": "DAYS", "op": "EQ"}, Truth.TRUE),
    ("not a date", REF, {"span": "1"}, Truth.INSUFFICIENT),
    (D("19550301"), REF, {"span": "1"}, Truth.INSUFFICIENT),
    (MISSING, REF, {"span": "1"}, Truth.INSUFFICIENT),
    ("9999-12-31", REF, {"span": "1"}, Truth.FALSE),
    ("9999-12-31", REF, {"span": "1", "op": "LT"}, Truth.TRUE),
])
def test_timespan_plugin(value: object, ref: date, params: dict[str, str],
                         expected: Truth) -> None:
    crit = EligibilityCriterion(10, CriteriaField.CHARACTERISTIC, Comparison.ALGORITHM,
                                char_entity=CharEntity.MAIN_PERSON, char_type="DOB",
                                comparison_algorithm=AlgorithmRef("RECC-TIMESPN", params))
    fn = REGISTRY.get(ELIGIBILITY_COMPARISON, "RECC-TIMESPN").function
    assert fn(value, crit, ctx(), ref) is expected


@pytest.mark.parametrize("params", [
    {}, {"span": "x"}, {"span": "-1"}, {"span": "1.5"}, {"span": "65", "unit": "DECADES"},
    {"span": "65", "op": "BETWEEN"},
])
def test_timespan_bad_parameters(params: dict[str, str]) -> None:
    with pytest.raises(RateDefinitionError):
        eligible(senior_rule(params), _dob_ctx("1950-01-01"))


# -- §7.5 #4: service types, RECF-SRVTY (S-ELIG-ST-*, D-ELIG-ST-04) -------------------------

def service_type_rule() -> RateComponent:
    return component(group(1, APPLY, SKIP,
                           alg_field(10, "RECF-SRVTY", service_types="GAS"),
                           alg_field(20, "RECF-SRVTY", if_true=G_TRUE,
                                     service_types="ELECTRIC")))


@pytest.mark.parametrize(("case", "active", "expected"), [
    ("S-ELIG-ST-01", ("GAS", "ELECTRIC"), True),
    ("S-ELIG-ST-02", ("GAS",), False),
    ("S-ELIG-ST-03", (), False),
    # D-ELIG-ST-04: the GAS agreement is CLOSED, so the snapshot lists only ELECTRIC.
    ("D-ELIG-ST-04", ("ELECTRIC",), False),
])
def test_service_types(case: str, active: tuple[str, ...], expected: bool) -> None:
    c = ctx(sa(service_type="ELECTRIC", account_active_service_types=active))
    assert eligible(service_type_rule(), c) is expected


def test_service_types_param_is_a_list() -> None:
    crit = alg_field(10, "RECF-SRVTY", service_types=" WATER , GAS ")
    c = ctx(sa(account_active_service_types=("GAS",)))
    assert fetch_field(crit, c, NO_RESULTS, sqs(), REF) == "TRUE"
    c = ctx(sa(account_active_service_types=("gas",)))
    assert fetch_field(crit, c, NO_RESULTS, sqs(), REF) == "FALSE"   # case-sensitive


def test_service_types_without_agreement_is_insufficient() -> None:
    crit = alg_field(10, "RECF-SRVTY", service_types="GAS")
    assert fetch_field(crit, ctx(), NO_RESULTS, sqs(), REF) is MISSING
    assert evaluate_criterion(crit, ctx(), NO_RESULTS, sqs(), REF) is Truth.INSUFFICIENT


def test_service_types_needs_its_parameter() -> None:
    with pytest.raises(RateDefinitionError):
        fetch_field(alg_field(10, "RECF-SRVTY"), ctx(sa()), NO_RESULTS, sqs(), REF)


# -- RECF-AUTOPAY ---------------------------------------------------------------------------

def _account(*values: CharacteristicValue) -> ServiceAgreement:
    return sa(account_characteristics=values)


@pytest.mark.parametrize(("agreement", "input_chars", "expected"), [
    (_account(CharacteristicValue("AUTOPAY", "Y")), {}, "TRUE"),
    (_account(CharacteristicValue("AUTOPAY", "N")), {}, "FALSE"),
    (_account(), {}, "FALSE"),
    (_account(CharacteristicValue("AUTOPAY", "N"),
              CharacteristicValue("AUTOPAY", "Y", date(2020, 6, 2))), {}, "FALSE"),
    (_account(CharacteristicValue("AUTOPAY", "N"),
              CharacteristicValue("AUTOPAY", "Y", date(2020, 6, 1))), {}, "TRUE"),
    (_account(CharacteristicValue("AUTOPAY", "N")), {"AUTOPAY": "Y"}, "TRUE"),
    (None, {"AUTOPAY": "Y"}, "TRUE"),
    (None, {}, MISSING),
])
def test_autopay(agreement: ServiceAgreement | None, input_chars: dict[str, str],
                 expected: object) -> None:
    crit = alg_field(10, "RECF-AUTOPAY")
    c = ctx(agreement, input_chars=input_chars)
    assert fetch_field(crit, c, NO_RESULTS, sqs(), REF) == expected


def test_autopay_in_a_rule() -> None:
    rc = component(group(1, APPLY, SKIP, alg_field(10, "RECF-AUTOPAY", if_true=G_TRUE)))
    assert eligible(rc, ctx(_account(CharacteristicValue("AUTOPAY", "Y")))) is True
    assert eligible(rc, ctx(_account())) is False
    assert eligible(rc, ctx()) is False


def test_builtins_are_registered() -> None:
    assert REGISTRY.get(ELIGIBILITY_COMPARISON, "RECC-TIMESPN").builtin
    assert REGISTRY.get(ELIGIBILITY_FIELD, "RECF-SRVTY").builtin
    assert REGISTRY.get(ELIGIBILITY_FIELD, "RECF-AUTOPAY").builtin


# -- comparison operators (S-CMP-*, D-CMP-BT-03) --------------------------------------------

@pytest.mark.parametrize(("case", "v", "op", "operand", "expected"), [
    ("S-CMP-IN-01", "3", IN, "1,3,9", True),
    ("S-CMP-IN-02", "4", IN, "1,3,9", False),
    ("S-CMP-BT-01", "1", BETWEEN, "1,9", True),
    ("S-CMP-BT-02", "9", BETWEEN, "1,9", True),
    ("D-CMP-BT-03", "9.01", BETWEEN, "1,9", False),
    ("S-CMP-DEC-01", "2.5", BETWEEN, "1.5,2.5", True),
])
def test_source_comparisons(case: str, v: str, op: Comparison, operand: str,
                            expected: bool) -> None:
    assert compare(v, op, operand) is expected


@pytest.mark.parametrize(("v", "op", "operand", "expected"), [
    ("10", GT, "9", True),                 # numeric, not text ("10" < "9" as text)
    ("1.0", EQ, "1", True),
    (D("1000"), GE, "1,000", True),        # thousands separator in a single operand
    (D("999.99"), GE, "1,000", False),
    (D("1000"), GT, " 1,000 ", False),
    ("1,200", GT, "1000", True),           # a grouped characteristic value is a number too
    (D("3"), IN, "1, 3 ,9", True),
    (D("1000"), IN, "1,000", False),       # IN is always a list: 1 and 000 (= 0)
    (D("0"), IN, "1,000", True),
    ("abc", EQ, "abc", True),
    ("ABC", EQ, "abc", False),             # case-sensitive
    ("abc", Comparison.NE, "ABC", True),
    ("abc", Comparison.LT, "abd", True),
    ("10", GT, "9x", False),               # one side is text: "10" < "9x"
    ("B", IN, "A,B,C", True),
    ("b", IN, "A,B,C", False),
    ("B", BETWEEN, "A,C", True),
    ("2020-06-01", GT, "2020-05-31", True),   # ISO dates compare as text
    (date(2020, 6, 1), EQ, "2020-06-01", True),
    (True, EQ, "TRUE", True),
    (7, Comparison.LE, "7", True),
    (7.5, Comparison.LT, "7.6", True),
    ("1_000", EQ, "1000", False),          # underscores are not a number
    ("1e3", EQ, "1000", False),            # nor is exponent notation
    ("NaN", EQ, "NaN", True),              # text, compared as text
    ("1,2", GT, "1", True),                # not grouped: text "1,2" > "1"
    ("", EQ, "", True),
    ("-5", Comparison.LT, "-4.5", True),
    (".5", EQ, "0.5", True),
])
def test_compare_typing(v: object, op: Comparison, operand: str, expected: bool) -> None:
    assert compare(v, op, operand) is expected


@pytest.mark.parametrize(("op", "operand"), [(BETWEEN, "1"), (BETWEEN, "1,2,3"),
                                             (Comparison.ALGORITHM, "x")])
def test_compare_rejects_bad_operands(op: Comparison, operand: str) -> None:
    with pytest.raises(RateDefinitionError):
        compare("1", op, operand)


# -- fetching fields ------------------------------------------------------------------------

def test_characteristic_entities() -> None:
    agreement = sa(
        characteristics=(CharacteristicValue("C", "sa"),),
        account_characteristics=(CharacteristicValue("C", "account"),),
        main_person_characteristics=(CharacteristicValue("C", "person"),),
        premise_characteristics=(CharacteristicValue("C", "premise"),),
        service_points=(ServicePoint("SP2", characteristics=(CharacteristicValue("C", "sp2"),)),
                        ServicePoint("SP1")),
    )
    c = ctx(agreement, chars={"C": "collection"})
    expected = {CharEntity.SA: "sa", CharEntity.ACCOUNT: "account",
                CharEntity.MAIN_PERSON: "person", CharEntity.CHAR_PREMISE: "premise",
                CharEntity.SERVICE_POINT: "sp2", CharEntity.BILL: "collection",
                CharEntity.RATE_CALC: "collection"}
    for entity, value in expected.items():
        crit = char(10, "C", EQ, "x", entity=entity)
        assert fetch_field(crit, c, NO_RESULTS, sqs(), REF) == value, entity
        assert fetch_field(char(10, "OTHER", EQ, "x", entity=entity), c, NO_RESULTS, sqs(),
                           REF) is MISSING


def test_service_point_is_the_lowest_id_with_the_type() -> None:
    agreement = sa(service_points=(
        ServicePoint("SP3", characteristics=(CharacteristicValue("C", "three"),)),
        ServicePoint("SP2", characteristics=(CharacteristicValue("C", "two"),)),
        ServicePoint("SP1", characteristics=(CharacteristicValue("OTHER", "one"),)),
    ))
    crit = char(10, "C", EQ, "x", entity=CharEntity.SERVICE_POINT)
    assert fetch_field(crit, ctx(agreement), NO_RESULTS, sqs(), REF) == "two"


def test_input_characteristics_win_except_for_rate_calc() -> None:
    agreement = sa(main_person_characteristics=(CharacteristicValue("LOW_INCOME", "YES"),))
    c = ctx(agreement, input_chars={"LOW_INCOME": "NO"}, chars={"LOW_INCOME": "RULE"})
    for entity in (CharEntity.SA, CharEntity.ACCOUNT, CharEntity.MAIN_PERSON,
                   CharEntity.CHAR_PREMISE, CharEntity.SERVICE_POINT, CharEntity.BILL):
        crit = char(10, "LOW_INCOME", EQ, "x", entity=entity)
        assert fetch_field(crit, c, NO_RESULTS, sqs(), REF) == "NO", entity
    crit = char(10, "LOW_INCOME", EQ, "x", entity=CharEntity.RATE_CALC)
    assert fetch_field(crit, c, NO_RESULTS, sqs(), REF) == "RULE"
    assert eligible(sq_rule(), c, sqs(kwh="5000")) is False


def test_input_characteristics_work_without_agreement() -> None:
    c = ctx(input_chars={"LOW_INCOME": "YES"})
    assert eligible(sq_rule(), c, sqs(kwh="5000")) is True


def test_characteristics_are_read_on_the_day() -> None:
    agreement = sa(main_person_characteristics=(
        CharacteristicValue("LOW_INCOME", "NO", date(2019, 1, 1)),
        CharacteristicValue("LOW_INCOME", "YES", date(2020, 6, 15)),
    ))
    crit = char(10, "LOW_INCOME", EQ, "YES")
    c = ctx(agreement)
    assert fetch_field(crit, c, NO_RESULTS, sqs(), date(2020, 6, 1)) == "NO"
    assert fetch_field(crit, c, NO_RESULTS, sqs(), date(2020, 6, 15)) == "YES"
    assert fetch_field(crit, c, NO_RESULTS, sqs(), date(2018, 12, 31)) is MISSING
    assert eligible(sq_rule(), c, sqs(kwh="5000"), day=date(2020, 6, 1)) is False
    assert eligible(sq_rule(), c, sqs(kwh="5000"), day=date(2020, 7, 1)) is True


def _rc_value_rule() -> RateComponent:
    crit = EligibilityCriterion(10, CriteriaField.RC_VALUE, GT, "40", if_true=G_TRUE,
                                if_false=G_FALSE, if_insufficient=G_TRUE, rc=10)
    return component(group(1, APPLY, SKIP, crit))


@pytest.mark.parametrize(("results", "truth"), [
    ({10: ComponentResult(ComponentStatus.CALCULATED, D("50"))}, Truth.TRUE),
    ({10: ComponentResult(ComponentStatus.CALCULATED, D("40"))}, Truth.FALSE),
    ({10: ComponentResult(ComponentStatus.INELIGIBLE)}, Truth.INSUFFICIENT),
    ({10: ComponentResult(ComponentStatus.NO_VALUE, D("50"))}, Truth.INSUFFICIENT),
    ({10: ComponentResult(ComponentStatus.CALCULATED, None)}, Truth.INSUFFICIENT),
    ({}, Truth.INSUFFICIENT),
])
def test_rc_value(results: Mapping[int, ComponentResult], truth: Truth) -> None:
    (crit,) = _rc_value_rule().eligibility[0].criteria
    assert evaluate_criterion(crit, ctx(), results, sqs(), REF) is truth
    assert eligible(_rc_value_rule(), ctx(), results=results) is (truth is not Truth.FALSE)


@pytest.mark.parametrize("crit", [
    EligibilityCriterion(1, CriteriaField.CHARACTERISTIC, EQ, "x", char_type="C"),
    EligibilityCriterion(1, CriteriaField.CHARACTERISTIC, EQ, "x",
                         char_entity=CharEntity.SA),
    EligibilityCriterion(1, CriteriaField.RC_VALUE, EQ, "x"),
    EligibilityCriterion(1, CriteriaField.SQ, EQ, "x"),
    EligibilityCriterion(1, CriteriaField.ALGORITHM, EQ, "x"),
    EligibilityCriterion(1, CriteriaField.SQ, Comparison.ALGORITHM, "x", sq=KWH),
])
def test_incomplete_criteria_are_definition_errors(crit: EligibilityCriterion) -> None:
    with pytest.raises(RateDefinitionError):
        evaluate_criterion(crit, ctx(sa()), NO_RESULTS, sqs(kwh="1"), REF)


def test_unknown_plugin_is_a_definition_error() -> None:
    with pytest.raises(RateDefinitionError, match="RECF-NOPE"):
        fetch_field(alg_field(1, "RECF-NOPE"), ctx(), NO_RESULTS, sqs(), REF)


@pytest.fixture
def site_plugins() -> Iterator[list[tuple[object, ...]]]:
    calls: list[tuple[object, ...]] = []

    @register_eligibility_field("XX-FLAG")
    def flag(criterion: EligibilityCriterion, c: RatingContext,
             results: Mapping[int, ComponentResult], q: ServiceQuantities,
             day: date) -> object:
        calls.append(("field", criterion.sequence, day))
        return {"T": True, "F": False, "N": None}[criterion.field_algorithm.params["say"]]  # type: ignore[union-attr]

    @register_eligibility_comparison("XX-EVEN")
    def even(value: object, criterion: EligibilityCriterion, c: RatingContext,
             day: date) -> object:
        calls.append(("compare", value, day))
        if value is MISSING:
            return "INSUFFICIENT"
        return int(str(value)) % 2 == 0

    yield calls
    REGISTRY.unregister(ELIGIBILITY_FIELD, "XX-FLAG")
    REGISTRY.unregister(ELIGIBILITY_COMPARISON, "XX-EVEN")


def test_site_field_plugin(site_plugins: list[tuple[object, ...]]) -> None:
    c = ctx()
    assert fetch_field(alg_field(3, "XX-FLAG", say="T"), c, NO_RESULTS, sqs(), REF) == "TRUE"
    assert fetch_field(alg_field(3, "XX-FLAG", say="F"), c, NO_RESULTS, sqs(), REF) == "FALSE"
    assert fetch_field(alg_field(3, "XX-FLAG", say="N"), c, NO_RESULTS, sqs(), REF) is MISSING
    assert site_plugins[0] == ("field", 3, REF)


def test_site_comparison_plugin(site_plugins: list[tuple[object, ...]]) -> None:
    crit = EligibilityCriterion(1, CriteriaField.SQ, Comparison.ALGORITHM, sq=KWH,
                                comparison_algorithm=AlgorithmRef("XX-EVEN"))
    assert evaluate_criterion(crit, ctx(), NO_RESULTS, sqs(kwh="4"), REF) is Truth.TRUE
    assert evaluate_criterion(crit, ctx(), NO_RESULTS, sqs(kwh="5"), REF) is Truth.FALSE
    assert evaluate_criterion(crit, ctx(), NO_RESULTS, sqs(), REF) is Truth.INSUFFICIENT
    assert site_plugins[-1] == ("compare", MISSING, REF)


def test_comparison_plugin_must_return_a_truth() -> None:
    @register_eligibility_comparison("XX-BAD")
    def bad(value: object, criterion: EligibilityCriterion, c: RatingContext,
            day: date) -> object:
        return "MAYBE"

    crit = EligibilityCriterion(1, CriteriaField.SQ, Comparison.ALGORITHM, sq=KWH,
                                comparison_algorithm=AlgorithmRef("XX-BAD"))
    try:
        with pytest.raises(RateDefinitionError, match="XX-BAD"):
            evaluate_criterion(crit, ctx(), NO_RESULTS, sqs(kwh="4"), REF)
    finally:
        REGISTRY.unregister(ELIGIBILITY_COMPARISON, "XX-BAD")


# -- fall-through (D-5) ---------------------------------------------------------------------

def test_falling_off_the_last_group_is_ineligible() -> None:
    rc = component(group(1, NEXT_GROUP, NEXT_GROUP, char(10, "LOW_INCOME", EQ, "YES")))
    assert eligible(rc, _li_ctx("YES")) is False


def test_falling_off_the_last_criterion_makes_the_group_false() -> None:
    rc = component(group(1, SKIP, APPLY,
                         char(10, "LOW_INCOME", EQ, "YES", if_true=NEXT, if_false=NEXT,
                              if_insufficient=NEXT)))
    assert eligible(rc, _li_ctx("YES")) is True
    assert eligible(rc, _li_ctx(None)) is True


def test_empty_group_is_false() -> None:
    assert eligible(component(group(1, SKIP, APPLY)), ctx()) is True


# -- property: a rule whose groups never say APPLY_RC is never eligible ---------------------

_ACTIONS = st.sampled_from(list(CriterionAction))
_TEXT = st.sampled_from(["YES", "NO", "1,000", "500", "0", "2.5", "", "1950-03-01",
                         "TRUE", "FALSE", "abc", "-1"])
_CHAR_TYPES = st.sampled_from(["LOW_INCOME", "DATE_OF_BIRTH", "AUTOPAY"])


@st.composite
def criteria(draw: st.DrawFn, seq: int) -> EligibilityCriterion:
    kind = draw(st.sampled_from(["char", "rc", "sq", "srvty", "autopay", "timespan"]))
    op = draw(st.sampled_from([c for c in Comparison if c is not Comparison.ALGORITHM]))
    if op is BETWEEN:
        value = f"{draw(_TEXT).replace(',', '')},{draw(_TEXT).replace(',', '')}"
    else:
        value = draw(_TEXT)
    if kind == "char":
        crit = EligibilityCriterion(seq, CriteriaField.CHARACTERISTIC, op, value,
                                    char_entity=draw(st.sampled_from(list(CharEntity))),
                                    char_type=draw(_CHAR_TYPES))
    elif kind == "rc":
        crit = EligibilityCriterion(seq, CriteriaField.RC_VALUE, op, value,
                                    rc=draw(st.integers(1, 3)))
    elif kind == "sq":
        crit = EligibilityCriterion(seq, CriteriaField.SQ, op, value,
                                    sq=draw(st.sampled_from([KWH, SqKey("KW")])))
    elif kind == "timespan":
        params = {"span": str(draw(st.integers(0, 100))),
                  "unit": draw(st.sampled_from(["YEARS", "MONTHS", "WEEKS", "DAYS"])),
                  "op": draw(st.sampled_from(["GT", "GE", "LT", "LE", "EQ", "NE"]))}
        crit = EligibilityCriterion(seq, CriteriaField.CHARACTERISTIC, Comparison.ALGORITHM,
                                    char_entity=CharEntity.MAIN_PERSON,
                                    char_type=draw(_CHAR_TYPES),
                                    comparison_algorithm=AlgorithmRef("RECC-TIMESPN", params))
    else:
        code = "RECF-SRVTY" if kind == "srvty" else "RECF-AUTOPAY"
        params = {"service_types": "GAS,ELECTRIC"} if kind == "srvty" else {}
        crit = EligibilityCriterion(seq, CriteriaField.ALGORITHM, op, value,
                                    field_algorithm=AlgorithmRef(code, params))
    return dataclasses.replace(crit, if_true=draw(_ACTIONS), if_false=draw(_ACTIONS),
                               if_insufficient=draw(_ACTIONS))


@st.composite
def groups(draw: st.DrawFn, actions: st.SearchStrategy[GroupAction]) -> EligibilityGroup:
    seq = draw(st.integers(0, 50))
    n = draw(st.integers(0, 4))
    crits = tuple(draw(criteria(draw(st.integers(0, 50)))) for _ in range(n))
    return EligibilityGroup(seq, draw(actions), draw(actions), crits)


@st.composite
def situations(draw: st.DrawFn) -> tuple[RatingContext, ServiceQuantities,
                                         dict[int, ComponentResult], date]:
    chars = st.dictionaries(_CHAR_TYPES, _TEXT, max_size=3)

    def values() -> tuple[CharacteristicValue, ...]:
        return tuple(CharacteristicValue(k, v) for k, v in draw(chars).items())

    agreement = None
    if draw(st.booleans()):
        agreement = sa(
            characteristics=values(), account_characteristics=values(),
            main_person_characteristics=values(), premise_characteristics=values(),
            service_points=(ServicePoint("SP1", characteristics=values()),),
            account_active_service_types=tuple(draw(st.lists(
                st.sampled_from(["GAS", "ELECTRIC", "WATER"]), max_size=3))))
    c = ctx(agreement, input_chars=draw(chars), chars=draw(chars))
    q = ServiceQuantities({k: ServiceQty(k, None, D(v)) for k, v in draw(st.dictionaries(
        st.sampled_from([KWH, SqKey("KW")]), st.sampled_from(["0", "500", "1000", "-3"]),
        max_size=2)).items()})
    results = draw(st.dictionaries(st.integers(1, 3), st.builds(
        ComponentResult, st.sampled_from(list(ComponentStatus)),
        st.sampled_from([None, D("0"), D("40"), D("1000")])), max_size=3))
    day = draw(st.dates(date(1900, 1, 1), date(2100, 12, 31)))
    return c, q, results, day


@settings(max_examples=300, deadline=None)
@given(st.lists(groups(st.just(SKIP)), min_size=1, max_size=4), situations())
def test_all_skip_groups_are_never_eligible(
        gs: list[EligibilityGroup],
        situation: tuple[RatingContext, ServiceQuantities, dict[int, ComponentResult], date],
) -> None:
    c, q, results, day = situation
    assert is_eligible(component(*gs), c, results, q, day) is False


@settings(max_examples=200, deadline=None)
@given(st.lists(groups(st.sampled_from([SKIP, NEXT_GROUP])), min_size=1, max_size=4),
       situations())
def test_groups_without_apply_are_never_eligible(
        gs: list[EligibilityGroup],
        situation: tuple[RatingContext, ServiceQuantities, dict[int, ComponentResult], date],
) -> None:
    c, q, results, day = situation
    assert is_eligible(component(*gs), c, results, q, day) is False


@settings(max_examples=200, deadline=None)
@given(st.lists(groups(st.sampled_from(list(GroupAction))), min_size=0, max_size=4),
       situations())
def test_a_leading_apply_group_is_always_eligible(
        gs: list[EligibilityGroup],
        situation: tuple[RatingContext, ServiceQuantities, dict[int, ComponentResult], date],
) -> None:
    c, q, results, day = situation
    first = EligibilityGroup(-1, APPLY, APPLY, ())
    assert is_eligible(component(first, *gs), c, results, q, day) is True
