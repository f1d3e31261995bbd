"""Bill factor values, interval value sets and TOU values: spec/10 §8 EX-1, EX-3, EX-10–EX-13."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.engine.rates import (
    BillFactor,
    BillFactorCharacteristic,
    BillFactorTouValue,
    BillFactorType,
    BillingError,
    CharSource,
    ComponentType,
    IntervalValue,
    IntervalValueSet,
    SqKey,
    ValueSource,
    ValueType,
    check_rate,
)
from app.engine.rates.bill_factors import interval_value_in_set, interval_values

from .builders import amounts, bill_factor, compiled, kwh, rc

D = Decimal
T = ComponentType


def ex1_state_tax(error_if_no_value: bool) -> BillFactor:
    """EX-1's State Tax: Nevada and California rows, no row for Utah."""
    return bill_factor("STTAX", {
        "NV": [(date(2008, 1, 1), "7.25"), (date(2008, 11, 1), "7.5"), (date(2009, 3, 1), "8")],
        "CA": [(date(2008, 3, 15), "7.25"), (date(2009, 12, 20), "8.25")]},   # CA values assumed
        char_type="STATE", char_source=CharSource.PREMISE, value_type=ValueType.PERCENT,
        error_if_no_value=error_if_no_value)


@pytest.mark.parametrize("error", [False, True])
def test_ex1_utah_has_no_row(error: bool) -> None:
    rate = compiled([rc(10, T.FLAT, value="100.00"),
                     rc(20, T.APPLY_TO, value_source=ValueSource.BILL_FACTOR,
                        bill_factor="STTAX", xrefs=(10,))], bill_factors=[ex1_state_tax(error)])
    period = dict(start=date(2009, 9, 1), end=date(2009, 9, 30))
    assert amounts(check_rate(rate, **period, characteristics={"STATE": "NV"})) == [
        (10, "100.00"), (20, "8.00")]
    if error:
        with pytest.raises(BillingError, match="bill factor STTAX has no value for STATE=UT"):
            check_rate(rate, **period, characteristics={"STATE": "UT"})
    else:
        assert amounts(check_rate(rate, **period, characteristics={"STATE": "UT"})) == [
            (10, "100.00")]


@pytest.mark.parametrize("uom,tou,sqi", [
    ("KW", "PEAK", "ANNHIGH"), ("KW", None, "PEAKANHI"), (None, None, "ANHIPKKW"),
    ("KWAP", None, None), ("KW", "AHPEAK", None)])
def test_ex3_every_encoding_of_annual_highest_peak_kw_is_priced(uom: str | None, tou: str | None,
                                                                sqi: str | None) -> None:
    from app.engine.rates import Quantity
    rate = compiled([rc(10, T.SQ, uom=uom, tou=tou, sqi=sqi, value="2.00")])
    r = check_rate(rate, start=date(2023, 4, 1), end=date(2023, 4, 30),
                   quantities=[Quantity(uom, D(150), tou=tou, sqi=sqi)])
    assert (r.lines[0].uom, r.lines[0].tou, r.lines[0].sqi) == SqKey(uom, tou, sqi)
    assert r.total == D("300.00")


def market(values: dict[str, list[tuple[str, str]]], set_at: str = "1996-12-01T00:00"
           ) -> dict[str, BillFactorCharacteristic]:
    return {m: BillFactorCharacteristic(m, interval_sets=(IntervalValueSet(
        f"S-{m}", datetime.fromisoformat(set_at),
        tuple(IntervalValue(datetime.fromisoformat(t), D(v)) for t, v in rows)),))
        for m, rows in values.items()}


def test_ex10_interval_values_by_market() -> None:
    chars = market({"A": [("1996-12-01T02:00", "0.043"), ("1996-12-01T03:00", "0.049")],
                    "B": [("1996-12-01T02:00", "0.025"), ("1996-12-01T03:00", "0.031"),
                          ("1996-12-01T04:00", "0.027")]})
    bf = BillFactor("MKTPRICE", "Market Prices", "MARKET", type=BillFactorType.INTERVAL,
                    characteristics=chars)
    a = interval_values(bf.characteristics["A"])
    b = interval_values(bf.characteristics["B"], start=datetime(1996, 12, 1, 3))
    assert a == {datetime(1996, 12, 1, 2): D("0.043"), datetime(1996, 12, 1, 3): D("0.049")}
    assert list(b.values()) == [D("0.031"), D("0.027")]  # type: ignore[union-attr]


def wap_sets() -> BillFactorCharacteristic:
    def week_set(set_day: str, rows: list[tuple[str, str]]) -> IntervalValueSet:
        return IntervalValueSet(f"WAP-{set_day}", datetime.fromisoformat(set_day),
                                tuple(IntervalValue(datetime.fromisoformat(d), D(v))
                                      for d, v in rows))
    newer = week_set("2001-09-17", [
        ("2001-08-19", "0.03432"), ("2001-08-12", "0.04594"), ("2001-08-05", "0.02302"),
        ("2001-07-29", "0.06039"), ("2001-07-22", "0.02981"), ("2001-07-15", "0.01921"),
        ("2001-07-08", "0.05010"), ("2001-07-01", "0.060929"), ("2001-06-24", "0.03939")])
    older = week_set("2001-09-10", [("2001-08-12", "0.02332"), ("2001-08-05", "0.0424")])
    return BillFactorCharacteristic("RESID", interval_sets=(older, newer))


def test_ex11_weighted_average_prices_by_set() -> None:
    resid = wap_sets()
    assert interval_value_in_set(resid, datetime(2001, 9, 17), datetime(2001, 8, 12)) == \
        D("0.04594")
    assert interval_value_in_set(resid, datetime(2001, 9, 10), datetime(2001, 8, 12)) == \
        D("0.02332")
    starts = sorted(iv.at for iv in resid.interval_sets[1].values)
    assert {(b - a).days for a, b in zip(starts, starts[1:], strict=False)} == {7}
    # the newest set wins where both hold a week; the history keeps every row with its set
    assert interval_values(resid)[datetime(2001, 8, 12)] == D("0.04594")  # type: ignore[index]
    assert interval_values(resid, as_of=datetime(2001, 9, 11))[  # type: ignore[index]
        datetime(2001, 8, 12)] == D("0.02332")
    history = interval_values(resid, history=True)
    assert len(history) == 11


def tou_prices() -> BillFactor:
    return BillFactor("TOUPRICE", "TOU Prices", "STATE", CharSource.PREMISE,
                      BillFactorType.TOU, value_type=ValueType.UNIT_RATE, characteristics={
        "CA": BillFactorCharacteristic("CA", tou_values=(
            BillFactorTouValue("G2", date(1999, 7, 1), {"ON": D("0.98"), "OFF": D("0.74")}),
            BillFactorTouValue("G2", date(2000, 7, 1), {"ON": D("1.03"), "OFF": D("0.74")}),
        ))})


def test_ex12_ex13_tou_values_price_each_tou_and_change_as_a_complete_set() -> None:
    bf = tou_prices()
    rate = compiled([rc(10, T.SQ, uom="KWH", tou="ON", value_source=ValueSource.BILL_FACTOR,
                        bill_factor="TOUPRICE"),
                     rc(20, T.SQ, uom="KWH", tou="OFF", value_source=ValueSource.BILL_FACTOR,
                        bill_factor="TOUPRICE")], bill_factors=[bf])
    q = [kwh(100, tou="ON"), kwh(100, tou="OFF")]
    before = check_rate(rate, start=date(1999, 8, 1), end=date(1999, 8, 31), quantities=q,
                        characteristics={"STATE": "CA"})
    assert amounts(before) == [(10, "98.00"), (20, "74.00")]
    # a new set effective mid-period splits the period (the TOU factor is proratable)
    across = check_rate(rate, start=date(2000, 6, 16), end=date(2000, 7, 15), quantities=q,
                        characteristics={"STATE": "CA"})
    assert [(x.rc_seq, x.value_defined) for x in across.lines] == [
        (10, D("0.98")), (10, D("1.03")), (20, D("0.74"))]
    assert across.total == D("49.00") + D("51.50") + D("74.00")


def test_ex13_a_tou_set_must_cover_its_whole_group() -> None:
    from app.engine.rates import RateDefinitionError
    partial = BillFactor("TOUPRICE", "TOU Prices", "STATE", CharSource.PREMISE,
                         BillFactorType.TOU, characteristics={"CA": BillFactorCharacteristic(
                             "CA", tou_values=(BillFactorTouValue("G2", date(2000, 7, 1),
                                                                  {"ON": D("1.03")}),))})
    with pytest.raises(RateDefinitionError, match="values effective 2000-07-01 has no value "
                                                  "for OFF; a TOU group's values change as a "
                                                  "complete set"):
        compiled([rc(10, T.SQ, uom="KWH", tou="ON", value_source=ValueSource.BILL_FACTOR,
                     bill_factor="TOUPRICE")], bill_factors=[partial])
