"""Pricing terms from a terms of service's template agreement (spec/60 §B2.5): each bill
factor's ``tos_usage`` says whose contract value, rider and tax exemption count — the
agreement's own (CHECK_SA_ONLY, also when the factor says nothing), only the template's
(CHECK_TOS_ONLY), or the template's and, where it has none, the agreement's
(CHECK_TOS_FIRST_THEN_SA). Only inside the umbrella agreement's effective period; outside it,
or with no template, the agreement's own terms count whatever the usage says.

Worked numbers (April 2023, 30 days): KWHCUST's standard price is 0.10 per kWh, the
template's contract price 0.09 and the customer's 0.11; 1,000 kWh cost 100.00, 90.00 and
110.00."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from app.engine.rates import (
    ComponentType,
    ContractRider,
    ContractValue,
    RateCheckResult,
    RateLibrary,
    ServiceAgreement,
    TaxExemption,
    ValueSource,
    ValueType,
    check_rate,
)
from app.engine.rates.check import make_context
from app.engine.rates.enums import TosUsage
from tests.engine.rates.builders import APRIL, bill_factor, kwh, library, rc

D = Decimal
T = ComponentType
BF = ValueSource.BILL_FACTOR
JAN = date(2023, 1, 1)
SA_ONLY, TOS_ONLY, TOS_FIRST = (TosUsage.CHECK_SA_ONLY, TosUsage.CHECK_TOS_ONLY,
                                TosUsage.CHECK_TOS_FIRST_THEN_SA)

TEMPLATE_PRICE = ServiceAgreement("TEMPLATE", contract_values=(
    ContractValue("KWHCUST", JAN, D("0.09")),))
CUSTOMER_PRICE = (ContractValue("KWHCUST", JAN, D("0.11")),)


def customer(template: ServiceAgreement | None = TEMPLATE_PRICE, *,
             start: date = date.min, end: date = date.max, **kw: object) -> ServiceAgreement:
    """The customer's agreement under terms of service whose umbrella agreement is effective
    from ``start`` to ``end``."""
    kw.setdefault("contract_values", CUSTOMER_PRICE)
    return ServiceAgreement("SA1", template=template, template_start=start,  # type: ignore[arg-type]
                            template_end=end, **kw)


def _kwhcust(usage: TosUsage | None) -> RateLibrary:
    return library([rc(10, T.SQ, uom="KWH", value_source=BF, bill_factor="KWHCUST")],
                   bill_factors=[bill_factor("KWHCUST", {"N/A": [(date(2000, 1, 1), "0.10")]},
                                             value_type=ValueType.UNIT_RATE,
                                             value_in_contract_term=True, tos_usage=usage)])


def _rx09(usage: TosUsage | None) -> RateLibrary:
    """RX-09: Flat 8.00; 0.10 per kWh; −25 % employee discount on both, only with a rider."""
    return library([rc(10, T.FLAT, value="8.00"), rc(20, T.SQ, uom="KWH", value="0.10"),
                    rc(30, T.APPLY_TO, value_source=BF, bill_factor="EMPDISC", xrefs=(10, 20))],
                   bill_factors=[bill_factor("EMPDISC", {"N/A": [(date(2000, 1, 1), "-25")]},
                                             value_type=ValueType.PERCENT,
                                             contract_rider_applicability=True,
                                             tos_usage=usage)])


def _taxed(usage: TosUsage | None) -> RateLibrary:
    """Flat 100.00 and 6 % state tax on it, which an exemption may reduce."""
    return library([rc(10, T.FLAT, value="100.00"),
                    rc(20, T.APPLY_TO, value_source=BF, bill_factor="STTAX", xrefs=(10,))],
                   bill_factors=[bill_factor("STTAX", {"N/A": [(date(2000, 1, 1), "6")]},
                                             value_type=ValueType.PERCENT, tax_exemption=True,
                                             tos_usage=usage)])


def run(lib: RateLibrary, sa: ServiceAgreement, *quantities: object) -> RateCheckResult:
    return check_rate(lib.compile("TEST"), start=APRIL[0], end=APRIL[1],
                      quantities=list(quantities), agreement=sa)  # type: ignore[arg-type]


def lines(result: RateCheckResult, seq: int) -> list[tuple[date, date, Decimal, Decimal]]:
    """(start, end, value defined, amount) of the RC's lines."""
    return [(x.start_date, x.end_date, x.value_defined, x.amount)
            for x in result.lines if x.rc_seq == seq]


# -- contract values ------------------------------------------------------------------------

@pytest.mark.parametrize(("usage", "price", "total"), [
    (None, "0.11", "110.00"),          # a factor that says nothing: the agreement's own
    (SA_ONLY, "0.11", "110.00"),
    (TOS_ONLY, "0.09", "90.00"),
    (TOS_FIRST, "0.09", "90.00"),
])
def test_the_contract_value_comes_from_where_the_usage_says(
        usage: TosUsage | None, price: str, total: str) -> None:
    r = run(_kwhcust(usage), customer(), kwh(1000))
    assert lines(r, 10) == [(*APRIL, D(price), D(total))]
    assert r.total == D(total)


@pytest.mark.parametrize(("usage", "total"), [
    (SA_ONLY, "110.00"),
    (TOS_ONLY, "100.00"),      # the template has no price: the factor's standard 0.10
    (TOS_FIRST, "110.00"),     # the template has none: then the customer's 0.11
])
def test_a_template_without_the_contract_value(usage: TosUsage, total: str) -> None:
    template = ServiceAgreement("TEMPLATE")
    assert run(_kwhcust(usage), customer(template), kwh(1000)).total == D(total)


@pytest.mark.parametrize("usage", [SA_ONLY, TOS_ONLY, TOS_FIRST])
def test_outside_the_umbrella_agreements_period_the_agreements_own_terms_count(
        usage: TosUsage) -> None:
    ended = customer(start=date(2022, 1, 1), end=date(2023, 3, 31))
    later = customer(start=date(2023, 5, 1), end=date(2023, 12, 31))
    no_terms = customer(None)
    for sa in (ended, later, no_terms):
        assert run(_kwhcust(usage), sa, kwh(1000)).total == D("110.00")


def test_a_period_the_umbrella_agreement_ends_in_is_prorated_at_its_end() -> None:
    # effective to 04-15: 1,000 × 0.09 × 15/30 = 45.00, then 1,000 × 0.11 × 15/30 = 55.00
    sa = customer(start=date(2022, 1, 1), end=date(2023, 4, 15))
    r = run(_kwhcust(TOS_ONLY), sa, kwh(1000))
    assert lines(r, 10) == [
        (date(2023, 4, 1), date(2023, 4, 15), D("0.09"), D("45.00")),
        (date(2023, 4, 16), date(2023, 4, 30), D("0.11"), D("55.00"))]
    assert r.total == D("100.00")
    # the customer's own price all month: the period's bounds do not split its line
    assert lines(run(_kwhcust(SA_ONLY), sa, kwh(1000)), 10) == [(*APRIL, D("0.11"),
                                                                  D("110.00"))]


def test_a_template_price_change_inside_the_period_splits_the_line() -> None:
    # template 0.09, 0.08 from 04-21: 1,000 × 0.09 × 20/30 = 60.00 + 1,000 × 0.08 × 10/30
    # = 26.67 (26.666…)
    template = ServiceAgreement("TEMPLATE", contract_values=(
        ContractValue("KWHCUST", JAN, D("0.09")), ContractValue("KWHCUST", date(2023, 4, 21),
                                                                D("0.08"))))
    r = run(_kwhcust(TOS_FIRST), customer(template), kwh(1000))
    assert lines(r, 10) == [
        (date(2023, 4, 1), date(2023, 4, 20), D("0.09"), D("60.00")),
        (date(2023, 4, 21), date(2023, 4, 30), D("0.08"), D("26.67"))]


# -- riders -----------------------------------------------------------------------------------

RIDER = (ContractRider("EMPDISC", date(2020, 1, 1)),)


@pytest.mark.parametrize(("usage", "on_template", "on_customer", "total"), [
    # 500 kWh: 8.00 + 50.00 = 58.00; with the rider −25 % of 58.00 = −14.50 → 43.50
    (SA_ONLY, True, False, "58.00"),
    (TOS_ONLY, True, False, "43.50"),
    (TOS_FIRST, True, False, "43.50"),
    (SA_ONLY, False, True, "43.50"),
    (TOS_ONLY, False, True, "58.00"),
    (TOS_FIRST, False, True, "43.50"),
    (None, True, False, "58.00"),
])
def test_a_rider_counts_where_the_usage_says(usage: TosUsage | None, on_template: bool,
                                             on_customer: bool, total: str) -> None:
    template = ServiceAgreement("TEMPLATE", contract_riders=RIDER if on_template else ())
    sa = customer(template, contract_values=(), contract_riders=RIDER if on_customer else ())
    r = run(_rx09(usage), sa, kwh(500))
    assert r.total == D(total)
    assert [x.amount for x in r.lines if x.rc_seq == 30] == (
        [D("-14.50")] if total == "43.50" else [])


# -- tax exemptions ---------------------------------------------------------------------------

@pytest.mark.parametrize(("usage", "template_percent", "amount", "exempt"), [
    # 6 % of 100.00 = 6.00; the template exempts 50 % (3.00 exempt), the customer 100 %
    (SA_ONLY, "50", "0.00", "6.00"),
    (TOS_ONLY, "50", "3.00", "3.00"),
    (TOS_FIRST, "50", "3.00", "3.00"),
    (TOS_FIRST, None, "0.00", "6.00"),      # the template has none: the customer's
    (TOS_ONLY, None, "6.00", None),         # only the template's, which has none
])
def test_a_tax_exemption_counts_where_the_usage_says(
        usage: TosUsage, template_percent: str | None, amount: str, exempt: str | None) -> None:
    template = ServiceAgreement("TEMPLATE", tax_exemptions=(
        (TaxExemption("STTAX", JAN, D(template_percent)),) if template_percent else ()))
    sa = customer(template, contract_values=(),
                  tax_exemptions=(TaxExemption("STTAX", JAN, D(100)),))
    tax = next(x for x in run(_taxed(usage), sa).lines if x.rc_seq == 20)
    assert tax.amount == D(amount)
    assert tax.exempt_amount == (D(exempt) if exempt else None)


# -- the lookups themselves -------------------------------------------------------------------

def test_the_lookups_take_the_usage_or_the_one_the_rating_context_bound() -> None:
    sa = customer(tax_exemptions=(TaxExemption("STTAX", JAN, D(100)),),
                  contract_riders=RIDER)
    day = date(2023, 4, 10)
    assert sa.contract_value_on("KWHCUST", day) == D("0.11")
    assert sa.contract_value_on("KWHCUST", day, usage=TOS_ONLY) == D("0.09")
    assert sa.contract_value_on("KWHCUST", day, usage=TOS_FIRST) == D("0.09")
    assert sa.rider_covers("EMPDISC", day) and not sa.rider_covers("EMPDISC", day,
                                                                   usage=TOS_ONLY)
    assert sa.exemption_on("STTAX", day, usage=TOS_ONLY) is None
    assert sa.exemption_on("STTAX", day, usage=TOS_FIRST) == D(100)
    bound = sa.bound_to({"KWHCUST": TOS_ONLY, "STTAX": SA_ONLY, "OTHER": None})
    assert bound.tos_usages == (("KWHCUST", TOS_ONLY),)
    assert bound.contract_value_on("KWHCUST", day) == D("0.09")
    assert bound.contract_value_on("KWHCUST", day, usage=SA_ONLY) == D("0.11")
    assert bound.bound_to({"KWHCUST": TOS_ONLY}) is bound
    plain = ServiceAgreement("SA2", contract_values=CUSTOMER_PRICE)
    assert plain.bound_to({"KWHCUST": TOS_ONLY}) is plain
    assert plain.contract_value_on("KWHCUST", day, usage=TOS_ONLY) == D("0.11")


def test_change_dates_add_the_templates_and_the_periods_bounds_when_the_factor_looks_there(
        ) -> None:
    template = replace(TEMPLATE_PRICE, contract_values=(
        *TEMPLATE_PRICE.contract_values, ContractValue("KWHCUST", date(2023, 4, 21), D("0.08")),
        ContractValue("KWHCUST", date(2024, 1, 1), D("0.07"))))
    sa = customer(template, start=date(2023, 2, 1), end=date(2023, 6, 30))
    assert sa.change_dates("KWHCUST") == {JAN}
    assert sa.change_dates("KWHCUST", usage=TOS_ONLY) == {
        JAN, date(2023, 2, 1), date(2023, 4, 21), date(2023, 7, 1)}


def test_the_rating_context_binds_its_bill_factors_usages() -> None:
    rate = _kwhcust(TOS_ONLY).compile("TEST")
    ctx = make_context(rate, start=APRIL[0], end=APRIL[1], agreement=customer())
    assert ctx.agreement is not None and ctx.agreement.tos_usages == (("KWHCUST", TOS_ONLY),)
    assert ctx.bill_factor_value("KWHCUST", date(2023, 4, 10)) == D("0.09")
    sa_only = make_context(_kwhcust(None).compile("TEST"), start=APRIL[0], end=APRIL[1],
                           agreement=customer())
    assert sa_only.bill_factor_value("KWHCUST", date(2023, 4, 10)) == D("0.11")
