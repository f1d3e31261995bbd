""""Description on Bill" substitution (spec/10 §7).

A rate version's description may hold ``%D``; a rate component's may hold ``%A %B %C %D %E %F
%I %O %Q %R %S %T``. The codes expand from a :class:`LineText`, built by the engine for every
calculation line; system messages 10101–10104 supply the proration, exemption and "not seen"
texts.

Formatting rules (spec/10 §7.2 and the choices recorded in docs/decisions.md):

* money (``%A``, ``%I``/``%R`` when not a percent, ``%S``): currency symbol after the sign
  (``-$1.50``), thousands separators (``$1,123.23``), at least the currency's decimals and
  more only when the value has non-zero digits there (``$0.12349``); an FCPO ``%A`` shows as
  many decimals as the component's precision increment (0.0001 → 4), rounded half-up;
  ``0.`` is written when −1 < v < 1;
* percent ``%I``/``%R``: no trailing zeros, ``0.5%`` for values below 1 (AMBIG-22);
* message arguments (the factor of ``%F``, the percent of ``%T``) drop their leading zero
  (``.3333``, ``.5``), as EX-16 prints them; the factor always has 4 decimals;
* dates (``%B``, ``%E``): ISO ``YYYY-MM-DD``;
* ``%C`` and ``%Q`` are grouped by thousands; ``%Q`` is rounded half-up to the unit of
  measure's decimal positions and loses trailing zeros only with zero suppression on;
* codes whose value is absent expand to ""; whitespace runs collapse to one space and the
  result is trimmed; a line that does not print gets `` NOT SEEN BY CUSTOMER!`` (msg 10104).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from functools import lru_cache

from .controls import Currency
from .rounding import decimals_of

MSG_PRORATED_DAYS = 10101
MSG_PRORATED_BY = 10102
MSG_EXEMPT = 10103
MSG_NOT_SEEN = 10104

#: System messages (category 4) by (language, number); other languages fall back to ENG.
MESSAGES: dict[tuple[str, int], str] = {
    ("ENG", MSG_PRORATED_DAYS): "(prorated for %1 of %2 days)",
    ("ENG", MSG_PRORATED_BY): "(prorated by %1)",
    ("ENG", MSG_EXEMPT): "(%1% exempt)",
    ("ENG", MSG_NOT_SEEN): "NOT SEEN BY CUSTOMER!",
}

_CODE = re.compile(r"(%[ABCDEFIOQRST])")
_MSG_ARG = re.compile(r"%([1-9])")
_FACTOR_PLACES = Decimal("0.0001")
#: Wide enough that quantizing a huge amount to a few decimals never overflows.
_WIDE = Context(prec=200)


def message(number: int, language: str = "ENG") -> str:
    """The text of system message ``number`` in ``language`` (ENG when it has none)."""
    text = MESSAGES.get((language, number))
    if text is None:
        text = MESSAGES[("ENG", number)]
    return text


def fill_message(number: int, args: tuple[str, ...], language: str = "ENG") -> str:
    """Message ``number`` with ``%1``… replaced by ``args``; a missing argument is ""."""
    def arg(m: re.Match[str]) -> str:
        i = int(m.group(1)) - 1
        return args[i] if i < len(args) else ""

    return _MSG_ARG.sub(arg, message(number, language))


@dataclass(frozen=True, slots=True)
class LineText:
    """Everything the substitution codes of one calculation line need."""

    amount: Decimal
    currency: Currency
    fcpo: bool
    #: The component's rounding increment (0.0001); FCPO ``%A`` shows its decimals.
    precision: Decimal
    start: date
    end: date
    item_count: int | None = None
    prorated: bool = False
    prorate_days: int | None = None
    normal_days: int | None = None
    prorate_factor: Fraction | Decimal | None = None
    #: The value as written on the component or bill factor (``%I``).
    value_defined: Decimal | None = None
    #: The value after proration (``%R``).
    value_applied: Decimal | None = None
    is_percent: bool = False
    tou_description: str | None = None
    quantity: Decimal | None = None
    #: The unit of measure's decimal positions; None shows the quantity as it is.
    quantity_decimals: int | None = None
    summed_amount: Decimal | None = None
    #: The customer's exemption percent; ``%T`` renders only when it is > 0.
    exempt_percent: Decimal | None = None
    print: bool = True
    language: str = "ENG"
    #: Feature option "Allow Consumption Zero Suppression In Bill Description".
    zero_suppress_quantity: bool = False


# -- number formatting ----------------------------------------------------------------------

def _grouped(v: Decimal) -> str:
    """``v`` in fixed notation with thousands separators, as many decimals as it has."""
    return format(v, ",f")


def _strip_zeros(v: Decimal, keep: int = 0) -> Decimal:
    """``v`` without trailing zeros beyond ``keep`` decimals."""
    exp = v.normalize().as_tuple().exponent
    assert isinstance(exp, int)
    return v.quantize(Decimal(1).scaleb(-max(keep, -exp)), context=_WIDE)


def format_money(v: Decimal, currency: Currency, decimals: int | None = None) -> str:
    """Money as a bill line prints it: ``$1,123.23``, ``$0.12349``, ``-$1.50``.

    ``decimals`` None keeps at least the currency's decimals and drops further trailing zeros;
    an int rounds half-up to exactly that many."""
    if decimals is None:
        q = _strip_zeros(v, currency.decimals)
    else:
        q = v.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_WIDE)
    sign = "-" if q < 0 else ""
    return f"{sign}{currency.symbol}{_grouped(q.copy_abs())}"


def format_percent(v: Decimal) -> str:
    """A percent value without trailing zeros, ``0.5%`` below 1 (AMBIG-22)."""
    q = _strip_zeros(v)
    return f"{'-' if q < 0 else ''}{_grouped(q.copy_abs())}%"


def _no_leading_zero(text: str) -> str:
    """Message arguments drop the zero before the point: ``0.3333`` → ``.3333``."""
    if text.startswith("0."):
        return text[1:]
    if text.startswith("-0."):
        return "-" + text[2:]
    return text


def format_factor(f: Fraction | Decimal) -> str:
    """A proration factor as message 10102 prints it: 4 decimals, no leading zero (.3333)."""
    d = Decimal(f.numerator) / Decimal(f.denominator) if isinstance(f, Fraction) else f
    return _no_leading_zero(_grouped(d.quantize(_FACTOR_PLACES, rounding=ROUND_HALF_UP,
                                                context=_WIDE)))


def format_quantity(q: Decimal, decimals: int | None, zero_suppress: bool = False) -> str:
    """A service quantity: rounded half-up to ``decimals`` (None: as it is), grouped by
    thousands, trailing zeros dropped only with ``zero_suppress``."""
    if decimals is not None:
        q = q.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_WIDE)
    if zero_suppress:
        q = _strip_zeros(q)
    return _grouped(q)


def format_date(d: date) -> str:
    return d.isoformat()


# -- substitution ---------------------------------------------------------------------------

def _value(v: Decimal | None, line: LineText) -> str:
    if v is None:
        return ""
    return format_percent(v) if line.is_percent else format_money(v, line.currency)


def _sub_a(line: LineText) -> str:
    decimals = decimals_of(line.precision) if line.fcpo else None
    return format_money(line.amount, line.currency, decimals)


def _sub_c(line: LineText) -> str:
    return "" if line.item_count is None else f"{line.item_count:,d}"


def _sub_d(line: LineText) -> str:
    if not line.prorated:
        return ""
    return fill_message(MSG_PRORATED_DAYS, (
        "" if line.prorate_days is None else str(line.prorate_days),
        "" if line.normal_days is None else str(line.normal_days)), line.language)


def _sub_f(line: LineText) -> str:
    if not line.prorated:
        return ""
    f = line.prorate_factor
    return fill_message(MSG_PRORATED_BY, ("" if f is None else format_factor(f),),
                        line.language)


def _sub_q(line: LineText) -> str:
    if line.quantity is None:
        return ""
    return format_quantity(line.quantity, line.quantity_decimals, line.zero_suppress_quantity)


def _sub_s(line: LineText) -> str:
    return "" if line.summed_amount is None else format_money(line.summed_amount, line.currency)


def _sub_t(line: LineText) -> str:
    p = line.exempt_percent
    if p is None or p <= 0:
        return ""
    text = _no_leading_zero(_grouped(_strip_zeros(p)))
    return fill_message(MSG_EXEMPT, (text,), line.language)


_SUBS: dict[str, Callable[[LineText], str]] = {
    "%A": _sub_a,
    "%B": lambda line: format_date(line.start),
    "%C": _sub_c,
    "%D": _sub_d,
    "%E": lambda line: format_date(line.end),
    "%F": _sub_f,
    "%I": lambda line: _value(line.value_defined, line),
    "%O": lambda line: line.tou_description or "",
    "%Q": _sub_q,
    "%R": lambda line: _value(line.value_applied, line),
    "%S": _sub_s,
    "%T": _sub_t,
}


@lru_cache(maxsize=4096)
def _parse(template: str) -> tuple[str, ...]:
    """The template split into literal text (even indexes) and codes (odd indexes); a
    template without codes is returned already collapsed, as one literal."""
    parts = tuple(_CODE.split(template))
    if len(parts) == 1:
        return (_collapse(template),)
    return parts


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _not_seen(text: str, language: str) -> str:
    suffix = message(MSG_NOT_SEEN, language)
    return f"{text} {suffix}" if text else suffix


def render_component_description(template: str, line: LineText) -> str:
    """A rate component's description on bill for one calculation line (spec/10 §7.2)."""
    parts = _parse(template)
    if len(parts) == 1:
        out = parts[0]
    else:
        pieces = list(parts)
        for i in range(1, len(pieces), 2):
            pieces[i] = _SUBS[pieces[i]](line)
        out = _collapse("".join(pieces))
    return out if line.print else _not_seen(out, line.language)


def render_version_description(template: str, *, prorated: bool, prorate_days: int | None,
                               normal_days: int | None, language: str = "ENG") -> str:
    """A rate version's description on bill (spec/10 §7.1): only ``%D`` is expanded (message
    10101 when the version is prorated, else ""); other ``%`` codes stay as written."""
    if "%D" not in template:
        return _collapse(template)
    text = ""
    if prorated:
        text = fill_message(MSG_PRORATED_DAYS, (
            "" if prorate_days is None else str(prorate_days),
            "" if normal_days is None else str(normal_days)), language)
    return _collapse(template.replace("%D", text))
