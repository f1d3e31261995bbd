"""Proration: how a bill period that is not one normal period, a rate version change, a bill
factor value change or a season boundary scales quantities, step bounds and values
(spec/30 §2–§6, §9). Everything here is exact: factors are ``Fraction``s and are applied to
``Decimal``s by one multiplication and one division, so a factor of 2/3 on 1200 gives 800.

Day counting (one convention everywhere, spec/30 §0.1, D2): a period is a closed range
[start, end] and has ``(end - start).days + 1`` days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from .context import days_in, each_day
from .controls import Frequency
from .enums import SeasonalMethod
from .schedules import Season

ONE = Fraction(1)


def normal_days(frequency: Frequency) -> int:
    """Normal days of a frequency: 365 // periods per year (30 monthly, 91 quarterly; D1)."""
    return 365 // frequency.periods_per_year


def proration_window(frequency: Frequency) -> tuple[int, int]:
    """Bill lengths from ``lo`` to ``hi`` (inclusive) need no consumption proration."""
    n = normal_days(frequency)
    return n - frequency.min_days_offset, n + frequency.max_days_offset


def needs_proration(bill_days: int, frequency: Frequency) -> bool:
    lo, hi = proration_window(frequency)
    return bill_days < lo or bill_days > hi


@dataclass(frozen=True)
class PeriodFactors:
    """Consumption-period factor and calculation-period factor of one calculation period."""

    normal_days: int
    consumption_days: int
    days: int
    cpf: Fraction
    kpf: Fraction
    #: False when a proration override switches the seasonal factor off too (OVPF-NOPROR).
    seasonal: bool = True


def period_factors(frequency: Frequency, consumption_days: int, days: int) -> PeriodFactors:
    """CPF = N/C when C is outside the frequency's window, else 1; KPF = d/N when the CPF
    applies, else d/C (spec/30 §2.2–§2.3). CPF × KPF summed over the calculation periods is
    always 1, so proration never creates or loses consumption."""
    n = normal_days(frequency)
    if needs_proration(consumption_days, frequency):
        return PeriodFactors(n, consumption_days, days, Fraction(n, consumption_days),
                             fraction(days, n))
    return PeriodFactors(n, consumption_days, days, ONE, fraction(days, consumption_days))


def fraction(numerator: int, denominator: int) -> Fraction:
    """``numerator/denominator``, as the shared ``ONE`` object when it is 1 — factors are
    compared with ``is ONE`` on the hot path, which is much cheaper than ``== 1``."""
    return ONE if numerator == denominator else Fraction(numerator, denominator)


def product(*factors: Fraction) -> Fraction:
    """The product of factors: ``ONE`` itself only when every factor is ``ONE``, so that
    ``product(...) is not ONE`` says "a factor was applied" even when they cancel out
    (CPF 2/3 × KPF 3/2 is a ``Fraction(1)`` that is not ``ONE``)."""
    out = ONE
    for f in factors:
        if f is not ONE:
            out = f if out is ONE else out * f
    return out


def apply(x: Decimal, factor: Fraction) -> Decimal:
    """``x × factor`` exactly when the result is a terminating decimal (one division)."""
    if factor is ONE or factor == 1:
        return x
    return x * factor.numerator / factor.denominator


@dataclass(frozen=True)
class SeasonGate:
    """Whether a seasonal component applies in a calculation period, and by how much:
    ``sf`` scales values and quantities (PRORATE); ``msf`` scales quantities of
    PRORATE_SEASONAL_SQ components (spec/30 §9.2)."""

    applies: bool
    sf: Fraction = ONE
    msf: Fraction | None = None


ALWAYS = SeasonGate(True)
SKIP = SeasonGate(False, Fraction(0))


def season_days(season: Season, start: date, end: date) -> int:
    """Days of [start, end] whose month-day falls in the season (29 Feb counts when the
    season contains both 28 Feb and 1 Mar, D17)."""
    count = 0
    for day in each_day(start, end):
        if day.month == 2 and day.day == 29:
            if season.contains(date(2001, 2, 28)) and season.contains(date(2001, 3, 1)):
                count += 1
        elif season.contains(day):
            count += 1
    return count


def season_gate(season: Season | None, calc_start: date, calc_end: date, *,
                consumption_start: date, consumption_end: date,
                accounting_date: date) -> SeasonGate:
    """spec/20 §6.10 and spec/30 §9: the date-based methods apply fully or not at all; the
    prorating methods give the share of the calculation period's days inside the season."""
    if season is None:
        return ALWAYS
    method = season.method
    if method is SeasonalMethod.ACCOUNTING_DATE:
        return ALWAYS if season.contains(accounting_date) else SKIP
    if method is SeasonalMethod.BILL_END:
        return ALWAYS if season.contains(consumption_end) else SKIP
    if method is SeasonalMethod.BILL_START:
        return ALWAYS if season.contains(consumption_start) else SKIP
    inside = season_days(season, calc_start, calc_end)
    if inside == 0:
        return SKIP
    sf = fraction(inside, days_in(calc_start, calc_end))
    if method is SeasonalMethod.PRORATE:
        return SeasonGate(True, sf)
    in_cp = season_days(season, consumption_start, consumption_end)
    msf = sf * Fraction(days_in(consumption_start, consumption_end), in_cp)
    return SeasonGate(True, sf, msf)
