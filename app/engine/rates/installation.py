"""Installation-wide rating options (spec/30 §0.4, §3, §9.2): the proration-factor override,
the seasonal-proration override and the "adjust step values after proration" feature option.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .charges import CalcState
from .compiled import CompiledComponent
from .context import RatingContext
from .errors import RateDefinitionError
from .plugins import (
    PRORATION_OVERRIDE,
    SEASONAL_OVERRIDE,
    ParamSpec,
    register_proration_override,
)
from .proration import ONE, PeriodFactors, SeasonGate
from .schedules import AlgorithmRef, RateComponent


@dataclass(frozen=True)
class Installation:
    #: Replaces CPF/KPF (and may force the seasonal factor) per component and calculation
    #: period: ``fn(rc, ctx, calc, factors) -> PeriodFactors | None`` (None = keep).
    proration_override: AlgorithmRef | None = None
    #: Replaces the seasonal gate of seasonal components: ``fn(rc, ctx, calc) -> SeasonGate``.
    seasonal_override: AlgorithmRef | None = None
    #: Feature option "Adjust RC Step Values After Proration" (spec/20 §6.2, spec/30 §4.3).
    adjust_steps_after_proration: bool = False


def overridden_factors(inst: Installation, cc: CompiledComponent, ctx: RatingContext,
                       calc: CalcState) -> PeriodFactors | None:
    """The override's factors for this component and period, or None to keep the standard."""
    ref = inst.proration_override
    assert ref is not None
    from .plugins import REGISTRY

    result: PeriodFactors | None = REGISTRY.get(PRORATION_OVERRIDE, ref.code).function(
        cc.rc, ctx, calc, calc.factors)
    return result


def overridden_season(inst: Installation, cc: CompiledComponent, ctx: RatingContext,
                      calc: CalcState) -> SeasonGate:
    ref = inst.seasonal_override
    assert ref is not None
    from .plugins import REGISTRY

    gate: SeasonGate = REGISTRY.get(SEASONAL_OVERRIDE, ref.code).function(cc.rc, ctx, calc)
    return gate


@register_proration_override(
    "OVPF-NOPROR", builtin=True,
    params=(ParamSpec("char_type", "char_type"), ParamSpec("char_value", "char_value", False)),
    description="No proration for components that carry a characteristic (spec/30 §3)")
def no_proration(rc: RateComponent, ctx: RatingContext, calc: CalcState,
                 factors: PeriodFactors) -> PeriodFactors | None:
    """D10: a component carrying the characteristic gets CPF = KPF = 1 (and SF = 1, applied
    by the caller); bill factor value splitting (BFF) stays as it is."""
    ref = ctx.installation.proration_override if ctx.installation else None
    params = ref.params if ref else {}
    char_type = params.get("char_type")
    if not char_type:
        raise RateDefinitionError("proration override OVPF-NOPROR needs a char_type parameter")
    wanted = params.get("char_value")
    if any(t == char_type and (wanted is None or v == wanted) for t, v in rc.characteristics):
        if calc.start != ctx.start or calc.end != ctx.end:
            ctx.warnings.append(
                f"component {rc.sequence} carries {char_type}"
                f"{'=' + wanted if wanted else ''} and is not prorated, but the bill has "
                f"several calculation periods: its full charge is billed in each "
                f"({calc.start.isoformat()} to {calc.end.isoformat()}), spec/30 D10")
        return replace(factors, cpf=ONE, kpf=ONE, seasonal=False)
    return None
