"""Rounding of amounts to a component's precision (spec/20 §5.2).

Decisions (D-1, D-18): NEAREST breaks ties upward (half-up, away from zero); UP is a ceiling
and DOWN a floor on the signed value, matching the signed comparisons of MIN/MAX."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from .enums import RoundingMethod

ROUNDING_MODES = _MODE = {
    RoundingMethod.UP: ROUND_CEILING,
    RoundingMethod.DOWN: ROUND_FLOOR,
    RoundingMethod.NEAREST: ROUND_HALF_UP,
}
_ONE = Decimal(1)
#: Interim precision of APPLY_TO (spec/20 §5.4 step 2, D-4: rounded half-up).
INTERIM = Decimal("0.00001")


def round_to(x: Decimal, increment: Decimal,
             method: RoundingMethod = RoundingMethod.NEAREST) -> Decimal:
    """``x`` rounded to a multiple of ``increment`` (0.01, 0.05, 1.00, 0.00001…)."""
    mode = _MODE[method]
    if increment.as_tuple().digits == (1,):          # 0.01, 1, 0.00001: quantize directly
        return x.quantize(increment, rounding=mode)
    n = (x / increment).to_integral_value(rounding=mode)
    return (n * increment).quantize(increment)


def decimals_of(increment: Decimal) -> int:
    """How many decimals an increment has: 0.0001 → 4, 0.05 → 2, 1 → 0."""
    exp = increment.normalize().as_tuple().exponent
    assert isinstance(exp, int)
    return max(0, -exp)
