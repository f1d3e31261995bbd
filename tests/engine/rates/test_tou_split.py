"""The time-of-use split of untimed consumption (engine.rates.tou_split): worked examples and
the invariants — the parts sum exactly to the whole, none is negative for a quantity that is
not, each is a multiple of the UOM's unit but the last, and each is within one unit of its
exact share."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.engine.rates.errors import RateError
from app.engine.rates.quantities import Quantity
from app.engine.rates.tou_split import (
    TouSplit,
    UnsplittableQuantity,
    split_untimed,
    tou_splits,
)

D = Decimal
TWO_PART = {("KWH", "ON", None), ("KWH", "OFF", None)}
THREE_PART = {("KWH", "PEAK", None), ("KWH", "SHOULDER", None), ("KWH", "OFFPEAK", None),
              ("KW", None, None)}
DEFAULTS = {"ON": D(30), "OFF": D(70), "PEAK": D(25), "SHOULDER": D(20), "OFFPEAK": D(55)}
DECIMALS = {"KWH": 0, "KW": 1}


def _parts(quantities: tuple[Quantity, ...]) -> list[tuple[str | None, str | None, Decimal]]:
    return [(q.uom, q.tou, q.quantity) for q in quantities]


# --- worked examples -------------------------------------------------------------------------


def test_750_kwh_split_30_70_over_on_and_off() -> None:
    out = split_untimed([Quantity("KWH", D(750))], DEFAULTS, TWO_PART, DECIMALS)
    # 750 × 30 % = 225 ON; the last (OFF) takes the rest, 525 (= 750 × 70 %)
    assert _parts(out) == [("KWH", "ON", D(225)), ("KWH", "OFF", D(525))]


def test_only_the_rates_codes_count_and_are_normalised() -> None:
    # PEAK/SHOULDER/OFFPEAK shares 25/20/55 are ignored by an ON/OFF rate; ON 1, OFF 3 is
    # 25 % / 75 %: 101 × 25 % = 25.25 → 25 ON, 76 OFF
    out = split_untimed([Quantity("KWH", D(101))], {**DEFAULTS, "ON": D(1), "OFF": D(3)},
                        TWO_PART, DECIMALS)
    assert _parts(out) == [("KWH", "ON", D(25)), ("KWH", "OFF", D(76))]


def test_three_part_map_rounds_on_the_running_total() -> None:
    # 1001 kWh at 25/20/55: running 250.25 → 250 (PEAK 250); 450.45 → 450 (SHOULDER 200);
    # OFFPEAK the rest, 551. Plain KW (priced untimed) passes through.
    out = split_untimed([Quantity("KWH", D(1001)), Quantity("KW", D("12.5"))], DEFAULTS,
                        THREE_PART, DECIMALS)
    assert _parts(out) == [("KWH", "PEAK", D(250)), ("KWH", "SHOULDER", D(200)),
                           ("KWH", "OFFPEAK", D(551)), ("KW", None, D("12.5"))]


def test_halves_never_leave_the_last_part_negative() -> None:
    # 1 kWh at 50/50/0: rounding each part alone would give 1, 1 and −1; on the running total
    # the parts are 1 (0.5 → 1), 0 (1.0 → 1) and 0
    split = TouSplit("KWH", None, (("A", D(50)), ("B", D(50)), ("C", D(0))))
    assert split.parts(D(1), 0) == (D(1), D(0), D(0))


def test_the_last_part_keeps_digits_beyond_the_uoms() -> None:
    out = split_untimed([Quantity("KWH", D("750.4"))], DEFAULTS, TWO_PART, DECIMALS)
    assert _parts(out) == [("KWH", "ON", D(225)), ("KWH", "OFF", D("525.4"))]
    # and a cut never passes the quantity: 0.6 kWh all ON is 0 ON (0.6 → 1 is past 0.6) and
    # 0.6 OFF, not 1 and −0.4
    split = TouSplit("KWH", None, (("ON", D(100)), ("OFF", D(0))))
    assert split.parts(D("0.6"), 0) == (D(0), D("0.6"))


def test_timed_and_other_consumption_is_kept_as_given() -> None:
    given_ = [Quantity("KWH", D(300), tou="ON"), Quantity("KWH", D(100)),
              Quantity("KWH", D(50), sqi="DAYS"), Quantity("TH", D(20))]
    out = split_untimed(given_, DEFAULTS, TWO_PART, DECIMALS)
    # only plain KWH is split (KWH with an SQI the rate does not price by TOU is not)
    assert _parts(out) == [("KWH", "ON", D(300)), ("KWH", "ON", D(30)), ("KWH", "OFF", D(70)),
                           ("KWH", None, D(50)), ("TH", None, D(20))]
    assert out[3].sqi == "DAYS"


def test_a_rate_that_prices_untimed_kwh_is_not_split() -> None:
    priced = TWO_PART | {("KWH", None, None)}
    assert tou_splits(priced, DEFAULTS) == {}
    q = [Quantity("KWH", D(750))]
    assert split_untimed(q, DEFAULTS, priced, DECIMALS) == tuple(q)


def test_codes_follow_the_shares_then_those_without_a_share() -> None:
    splits = tou_splits(TWO_PART | {("KWH", "SUPER", None)}, DEFAULTS)
    assert splits[("KWH", None)].shares == (("ON", D(30)), ("OFF", D(70)), ("SUPER", D(0)))
    assert [pct for _c, pct in splits[("KWH", None)].percentages()] == [D(30), D(70), D(0)]


def test_shares_that_sum_to_0_cannot_split() -> None:
    with pytest.raises(UnsplittableQuantity, match="shares of ON, OFF sum to 0") as caught:
        split_untimed([Quantity("KWH", D(750))], {"ON": D(0), "PEAK": D(100)}, TWO_PART,
                      DECIMALS)
    assert caught.value.split.codes == ("ON", "OFF")
    # nothing to split: no error
    assert split_untimed([Quantity("KWH", D(5), tou="ON")], {}, TWO_PART, DECIMALS)


def test_a_negative_share_is_refused() -> None:
    with pytest.raises(RateError, match="cannot be negative"):
        tou_splits(TWO_PART, {"ON": D(-5), "OFF": D(70)})


# --- invariants ------------------------------------------------------------------------------

CODES = ("A", "B", "C", "D")
shares_st = st.lists(st.decimals(min_value=0, max_value=1000, places=2), min_size=1,
                     max_size=len(CODES)).filter(lambda xs: sum(xs) > 0)


@given(quantity=st.decimals(min_value=0, max_value=10**9, places=3), shares=shares_st,
       decimals=st.integers(min_value=0, max_value=3))
def test_parts_sum_exactly_to_the_whole_and_none_is_negative(
        quantity: Decimal, shares: list[Decimal], decimals: int) -> None:
    split = TouSplit("KWH", None, tuple(zip(CODES, shares, strict=False)))
    parts = split.parts(quantity, decimals)
    assert len(parts) == len(shares)
    assert sum(parts, D(0)) == quantity
    assert all(p >= 0 for p in parts)
    unit = D(1).scaleb(-decimals)
    assert all(p % unit == 0 for p in parts[:-1])
    # within one unit of the exact share (two when the quantity has more digits than the UOM)
    slack = unit if quantity % unit == 0 else 2 * unit
    total = sum(shares, D(0))
    for share, part in zip(shares, parts, strict=True):
        assert abs(part - quantity * share / total) <= slack


@given(quantity=st.decimals(min_value=-10**6, max_value=10**6, places=0), shares=shares_st)
def test_split_untimed_keeps_the_total_of_each_uom(quantity: Decimal, shares: list[Decimal]
                                                   ) -> None:
    priced = {("KWH", code, None) for code in CODES[:len(shares)]}
    out = split_untimed([Quantity("KWH", quantity), Quantity("KW", D(3))],
                        dict(zip(CODES, shares, strict=False)), priced, DECIMALS)
    assert sum((q.quantity for q in out if q.uom == "KWH"), D(0)) == quantity
    assert {q.tou for q in out if q.uom == "KWH"} == {c for c in CODES[:len(shares)]}
    assert all(q.tou is not None for q in out if q.uom == "KWH")
    if quantity <= 0:
        assert all(q.quantity <= 0 for q in out if q.uom == "KWH")
