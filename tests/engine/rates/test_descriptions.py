"""Description on Bill substitution: spec/10 §7, EX-15, EX-16 a–i and the adopted choices."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.engine.rates import descriptions
from app.engine.rates.controls import Currency
from app.engine.rates.descriptions import (
    MESSAGES,
    LineText,
    format_factor,
    format_money,
    format_percent,
    format_quantity,
    message,
    render_component_description,
    render_version_description,
)

D = Decimal
USD = Currency("USD", 2, "$")


def line(**kw: object) -> LineText:
    base = LineText(amount=D("0"), currency=USD, fcpo=False, precision=D("0.01"),
                    start=date(2020, 1, 1), end=date(2020, 1, 31))
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


# -- EX-15 ----------------------------------------------------------------------------------

def test_ex15_version_prorated() -> None:
    assert render_version_description(
        "Gas service %D", prorated=True, prorate_days=10, normal_days=30,
    ) == "Gas service (prorated for 10 of 30 days)"


def test_ex15_version_not_prorated_expands_to_nothing() -> None:
    assert render_version_description(
        "Gas service %D", prorated=False, prorate_days=None, normal_days=None,
    ) == "Gas service"


def test_version_supports_only_d() -> None:
    assert render_version_description(
        "Gas %A %D", prorated=True, prorate_days=5, normal_days=31,
    ) == "Gas %A (prorated for 5 of 31 days)"
    assert render_version_description(
        "Gas   service ", prorated=True, prorate_days=5, normal_days=31) == "Gas service"


# -- EX-16 (per-row fixtures, as the notes for test authors say) ----------------------------

THIRD = Fraction(1, 3)
EX16 = [
    ("a", "%C lamp pole(s) at %I per pole %F",
     line(item_count=1234, value_defined=D("5.00"), prorated=True, prorate_days=10,
          normal_days=30, prorate_factor=THIRD),
     "1,234 lamp pole(s) at $5.00 per pole (prorated by .3333)"),
    # (b) is inconsistent with (a) in the source: its own fixture, value_applied = 1.50.
    ("b", "%C lamp pole(s) at %R per pole %D",
     line(item_count=1234, value_defined=D("5.00"), value_applied=D("1.50"), prorated=True,
          prorate_days=10, normal_days=30, prorate_factor=THIRD),
     "1,234 lamp pole(s) at $1.50 per pole (prorated for 10 of 30 days)"),
    ("c", "First %Q kWh at %I per kWh %F",
     line(quantity=D("100.32"), quantity_decimals=2, value_defined=D("0.12349"),
          prorated=True, prorate_days=10, normal_days=30, prorate_factor=THIRD),
     "First 100.32 kWh at $0.12349 per kWh (prorated by .3333)"),
    # (d) stepped SQ: proration moves the step boundaries, not the price.
    ("d", "First %Q kWh at %R per kWh %D",
     line(quantity=D("100.32"), quantity_decimals=2, value_defined=D("0.12349"),
          value_applied=D("0.12349"), prorated=True, prorate_days=10, normal_days=30,
          prorate_factor=THIRD),
     "First 100.32 kWh at $0.12349 per kWh (prorated for 10 of 30 days)"),
    ("e", "%Q kWh at %I per kWh",
     line(quantity=D("100.32"), quantity_decimals=2, value_defined=D("0.12349")),
     "100.32 kWh at $0.12349 per kWh"),
    ("f", "State sales tax %R %T",
     line(is_percent=True, value_defined=D("6.25"), value_applied=D("6.250"),
          exempt_percent=D("50")),
     "State sales tax 6.25% (50% exempt)"),
    ("g", "Minimum charge of %I %F",
     line(value_defined=D("10"), prorated=True, prorate_days=10, normal_days=30,
          prorate_factor=THIRD),
     "Minimum charge of $10.00 (prorated by .3333)"),
    ("h", "Subtotal of %S", line(summed_amount=D("1123.23")), "Subtotal of $1,123.23"),
    ("i", "Charges for %O: %Q kW at %I per kW",
     line(tou_description="Off Peak Winter", quantity=D("234.43"), quantity_decimals=2,
          value_defined=D("0.05")),
     "Charges for Off Peak Winter: 234.43 kW at $0.05 per kW"),
]


@pytest.mark.parametrize(("row", "template", "fixture", "expected"), EX16,
                         ids=[r[0] for r in EX16])
def test_ex16(row: str, template: str, fixture: LineText, expected: str) -> None:
    assert render_component_description(template, fixture) == expected


@pytest.mark.parametrize(("row", "template", "fixture", "expected"), EX16,
                         ids=[r[0] for r in EX16])
def test_ex16_not_printed(row: str, template: str, fixture: LineText, expected: str) -> None:
    hidden = dataclasses.replace(fixture, print=False)
    assert render_component_description(template, hidden) == expected + " NOT SEEN BY CUSTOMER!"


# -- codes one by one -----------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "expected"), [
    ("12.5", "$12.50"), ("12.345", "$12.345"), ("12.3450", "$12.345"), ("5", "$5.00"),
    ("0.5", "$0.50"), ("-1.5", "-$1.50"), ("-0.05", "-$0.05"), ("0", "$0.00"),
    ("1234567.891", "$1,234,567.891"), ("1E+3", "$1,000.00"),
])
def test_amount_non_fcpo(amount: str, expected: str) -> None:
    assert render_component_description("%A", line(amount=D(amount))) == expected


@pytest.mark.parametrize(("amount", "precision", "expected"), [
    ("0.123456", "0.0001", "$0.1235"), ("0.12", "0.0001", "$0.1200"),
    ("-2.00005", "0.0001", "-$2.0001"), ("1234.5", "0.05", "$1,234.50"),
    ("17.6", "1", "$18"), ("17.6", "10", "$18"),
])
def test_amount_fcpo_uses_precision_increment(amount: str, precision: str,
                                              expected: str) -> None:
    fixture = line(amount=D(amount), fcpo=True, precision=D(precision))
    assert render_component_description("%A", fixture) == expected


def test_currency_without_decimals_and_other_symbol() -> None:
    yen = Currency("JPY", 0, "¥")
    assert format_money(D("1500"), yen) == "¥1,500"
    assert format_money(D("0.25"), yen) == "¥0.25"


def test_dates_are_iso() -> None:
    fixture = line(start=date(2020, 3, 5), end=date(2020, 4, 4))
    assert render_component_description("From %B to %E", fixture) == (
        "From 2020-03-05 to 2020-04-04")


@pytest.mark.parametrize(("value", "expected"), [
    ("6.25", "6.25%"), ("6.2500", "6.25%"), ("50", "50%"), ("100.00", "100%"),
    ("0.5", "0.5%"), ("0.050", "0.05%"), ("-2.5", "-2.5%"), ("0", "0%"),
])
def test_percent_values(value: str, expected: str) -> None:
    assert format_percent(D(value)) == expected
    fixture = line(is_percent=True, value_defined=D(value), value_applied=D(value))
    assert render_component_description("%I/%R", fixture) == f"{expected}/{expected}"


def test_values_absent_expand_to_nothing() -> None:
    assert render_component_description("at %I %R %S %C %Q %O each", line()) == "at each"


def test_proration_codes_only_when_prorated() -> None:
    fixture = line(value_defined=D("5"), prorate_days=10, normal_days=30,
                   prorate_factor=THIRD)
    assert render_component_description("Charge %I %F %D", fixture) == "Charge $5.00"


def test_proration_message_arguments_may_be_empty() -> None:
    fixture = line(prorated=True)
    assert render_component_description("X %D %F", fixture) == (
        "X (prorated for of days) (prorated by )")


@pytest.mark.parametrize(("factor", "expected"), [
    (Fraction(1, 3), ".3333"), (Fraction(2, 3), ".6667"), (D("0.5"), ".5000"),
    (Fraction(1), "1.0000"), (Fraction(3, 2), "1.5000"), (D("0.00004"), ".0000"),
])
def test_factor_format(factor: Fraction | Decimal, expected: str) -> None:
    assert format_factor(factor) == expected


@pytest.mark.parametrize(("exempt", "expected"), [
    (None, "Tax"), (D("0"), "Tax"), (D("-5"), "Tax"), (D("50"), "Tax (50% exempt)"),
    (D("12.50"), "Tax (12.5% exempt)"), (D("0.5"), "Tax (.5% exempt)"),
    (D("100"), "Tax (100% exempt)"),
])
def test_exemption_message(exempt: Decimal | None, expected: str) -> None:
    assert render_component_description("Tax %T", line(exempt_percent=exempt)) == expected


@pytest.mark.parametrize(("qty", "decimals", "suppress", "expected"), [
    ("100.32", 2, False, "100.32"), ("100.5", 2, False, "100.50"), ("100.5", 2, True, "100.5"),
    ("100.00", 2, True, "100"), ("100.5", 0, False, "101"), ("100.325", 2, False, "100.33"),
    ("1234.5", 1, False, "1,234.5"), ("007.10", None, False, "7.10"),
    ("7.10", None, True, "7.1"), ("-3.5", 0, False, "-4"),
])
def test_quantity(qty: str, decimals: int | None, suppress: bool, expected: str) -> None:
    assert format_quantity(D(qty), decimals, suppress) == expected
    fixture = line(quantity=D(qty), quantity_decimals=decimals, zero_suppress_quantity=suppress)
    assert render_component_description("%Q", fixture) == expected


def test_item_count_grouped() -> None:
    assert render_component_description("%C", line(item_count=1234567)) == "1,234,567"
    assert render_component_description("%C", line(item_count=0)) == "0"


def test_summed_amount_negative() -> None:
    assert render_component_description("Subtotal %S", line(summed_amount=D("-1123.2"))) == (
        "Subtotal -$1,123.20")


def test_spaces_collapse_and_trim() -> None:
    assert render_component_description("  Flat   %A  %D  ", line(amount=D("3"))) == (
        "Flat $3.00")
    assert render_component_description("  no   codes  ", line()) == "no codes"


def test_literal_percent_and_unknown_codes_stay() -> None:
    assert render_component_description("50% off %X %%A", line(amount=D("1"))) == (
        "50% off %X %$1.00")


def test_non_printing_empty_line_is_just_the_message() -> None:
    assert render_component_description("%O", line(print=False)) == "NOT SEEN BY CUSTOMER!"


def test_messages_and_language_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    assert MESSAGES[("ENG", 10101)] == "(prorated for %1 of %2 days)"
    assert MESSAGES[("ENG", 10102)] == "(prorated by %1)"
    assert MESSAGES[("ENG", 10103)] == "(%1% exempt)"
    assert MESSAGES[("ENG", 10104)] == "NOT SEEN BY CUSTOMER!"
    assert message(10104, "FRA") == "NOT SEEN BY CUSTOMER!"
    monkeypatch.setitem(MESSAGES, ("FRA", 10101), "(au prorata : %1 jours sur %2)")
    monkeypatch.setitem(MESSAGES, ("FRA", 10104), "NON VU PAR LE CLIENT !")
    fixture = line(prorated=True, prorate_days=10, normal_days=30, language="FRA",
                   print=False)
    assert render_component_description("Gaz %D", fixture) == (
        "Gaz (au prorata : 10 jours sur 30) NON VU PAR LE CLIENT !")
    assert render_version_description("Gaz %D", prorated=True, prorate_days=10,
                                      normal_days=30, language="FRA") == (
        "Gaz (au prorata : 10 jours sur 30)")


def test_templates_are_parsed_once() -> None:
    descriptions._parse.cache_clear()
    fixture = line(amount=D("2"))
    for _ in range(50):
        render_component_description("Flat %A", fixture)
        render_component_description("Flat", fixture)
    info = descriptions._parse.cache_info()
    assert info.misses == 2
    assert info.hits == 98


# -- properties -----------------------------------------------------------------------------

_MONEY = re.compile(r"^(-?)\$([0-9,]+\.[0-9]+)$")


@given(st.decimals(min_value=D("-1e9"), max_value=D("1e9"), places=6, allow_nan=False,
                   allow_infinity=False))
def test_money_round_trips(v: Decimal) -> None:
    text = format_money(v, USD)
    m = _MONEY.match(text)
    assert m, text
    back = D(m.group(2).replace(",", ""))
    assert (-back if m.group(1) else back) == v
    assert len(m.group(2).split(".")[1]) >= 2


_CODES = st.sampled_from(["%A", "%B", "%C", "%D", "%E", "%F", "%I", "%O", "%Q", "%R", "%S",
                          "%T", " ", "  ", "x", "%", "\t"])


@given(st.lists(_CODES, max_size=12).map("".join), st.booleans(), st.booleans(),
       st.booleans())
def test_rendered_text_has_no_space_runs(template: str, prorated: bool, printed: bool,
                                         pct: bool) -> None:
    fixture = line(amount=D("-0.5"), item_count=3, prorated=prorated, prorate_days=3,
                   normal_days=30, prorate_factor=Fraction(1, 10), value_defined=D("0.5"),
                   value_applied=D("0.05"), is_percent=pct, quantity=D("3.25"),
                   summed_amount=D("12"), exempt_percent=D("10"), print=printed)
    out = render_component_description(template, fixture)
    assert "  " not in out
    assert out == out.strip()
    assert not re.search(r"%[ABCDEFIOQRST]", out)
