"""The plug-in registry: every algorithm a rate names by code (register rules, SQ rules,
value, step and calculation algorithms, eligibility fields and comparisons, rate selection
dates, proration and seasonal overrides) is looked up here (spec/10 §2.3, spec/30 §12).

Built-in algorithms register themselves when :mod:`app.engine.rates` is imported. A site adds
its own with the decorators::

    from app.engine.rates.plugins import register_sq_rule, ParamSpec

    @register_sq_rule("X1", params=(ParamSpec("uom", "uom"),), description="Double kWh")
    def double_kwh(rule, sq, ctx):
        sq.write(rule, sq.read(rule, SqKey(rule.p(1))) * 2)

Register and SQ rule codes are two characters; codes starting with X or Y are reserved for
site plug-ins and built-ins never use them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import RateDefinitionError

REGISTER_RULE = "register_rule"
SQ_RULE = "sq_rule"
RC_VALUE = "rc_value"
STEP = "step"
CALCULATION = "calculation"
ELIGIBILITY_FIELD = "eligibility_field"
ELIGIBILITY_COMPARISON = "eligibility_comparison"
RATE_SELECTION_DATE = "rate_selection_date"
PRORATION_OVERRIDE = "proration_override"
SEASONAL_OVERRIDE = "seasonal_override"

KINDS = (REGISTER_RULE, SQ_RULE, RC_VALUE, STEP, CALCULATION, ELIGIBILITY_FIELD,
         ELIGIBILITY_COMPARISON, RATE_SELECTION_DATE, PRORATION_OVERRIDE, SEASONAL_OVERRIDE)

_KIND_LABEL = {
    REGISTER_RULE: "register rule algorithm", SQ_RULE: "SQ rule algorithm",
    RC_VALUE: "value algorithm", STEP: "step algorithm", CALCULATION: "calculation algorithm",
    ELIGIBILITY_FIELD: "eligibility field algorithm",
    ELIGIBILITY_COMPARISON: "eligibility comparison algorithm",
    RATE_SELECTION_DATE: "rate selection date algorithm",
    PRORATION_OVERRIDE: "proration override algorithm",
    SEASONAL_OVERRIDE: "seasonal proration override algorithm",
}
_RULE_CODE = re.compile(r"^[A-Z0-9]{2}$")

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ParamSpec:
    """One parameter an algorithm takes; ``kind`` says what the rate editor offers for it
    (uom, tou, sqi, bill_factor, char_type, char_value, contract_qty_type, decimal, int,
    mmdd, code, flag, text)."""

    name: str
    kind: str = "text"
    required: bool = True


@dataclass(frozen=True)
class Plugin:
    kind: str
    code: str
    function: Callable[..., Any]
    params: tuple[ParamSpec, ...] = ()
    description: str = ""
    builtin: bool = False
    #: Value algorithms: the value is already prorated (it adds up prorated amounts, as
    #: RCVL-RNDXREF does), so it is used like a value from another component (spec/30 §5.1).
    prorated: bool = False


class PluginRegistry:
    def __init__(self) -> None:
        self._plugins: dict[tuple[str, str], Plugin] = {}

    def register(self, kind: str, code: str, function: Callable[..., Any], *,
                 params: tuple[ParamSpec, ...] = (), description: str = "",
                 builtin: bool = False, prorated: bool = False) -> Plugin:
        if kind not in KINDS:
            raise ValueError(f"unknown plug-in kind {kind!r}")
        if kind in (REGISTER_RULE, SQ_RULE):
            if not _RULE_CODE.match(code):
                raise RateDefinitionError(
                    f"{_KIND_LABEL[kind]} code {code!r} must be two letters or digits")
            custom = code[0] in "XY"
            if builtin and custom:
                raise RateDefinitionError(
                    f"{_KIND_LABEL[kind]} code {code!r}: codes starting with X or Y are "
                    "reserved for site plug-ins")
            if not builtin and not custom:
                raise RateDefinitionError(
                    f"{_KIND_LABEL[kind]} code {code!r}: a site plug-in's code must start "
                    "with X or Y")
        plugin = Plugin(kind, code, function, tuple(params), description, builtin, prorated)
        self._plugins[(kind, code)] = plugin
        return plugin

    def unregister(self, kind: str, code: str) -> None:
        self._plugins.pop((kind, code), None)

    def get(self, kind: str, code: str) -> Plugin:
        try:
            return self._plugins[(kind, code)]
        except KeyError:
            known = ", ".join(self.codes(kind)) or "none"
            raise RateDefinitionError(
                f"there is no {_KIND_LABEL[kind]} {code!r} (known: {known})") from None

    def has(self, kind: str, code: str) -> bool:
        return (kind, code) in self._plugins

    def codes(self, kind: str) -> list[str]:
        return sorted(code for (k, code) in self._plugins if k == kind)


REGISTRY = PluginRegistry()


def named_codes(kind: str, algorithm: str,
                params: tuple[str | None, ...] | Mapping[str, str]) -> list[tuple[str, str]]:
    """(parameter kind, code) for each parameter of an algorithm that names a definition
    (a bill factor, UOM, TOU, SQI…), as its plug-in's ParamSpecs say; [] for an unknown code."""
    if not REGISTRY.has(kind, algorithm):
        return []
    specs = REGISTRY.get(kind, algorithm).params
    pairs = ([(spec, params.get(spec.name)) for spec in specs] if isinstance(params, Mapping)
             else list(zip(specs, params, strict=False)))
    return [(spec.kind, value) for spec, value in pairs if value]


def _decorator(kind: str, code: str, params: tuple[ParamSpec, ...], description: str,
               builtin: bool, prorated: bool = False) -> Callable[[F], F]:
    def wrap(fn: F) -> F:
        REGISTRY.register(kind, code, fn, params=params, description=description,
                          builtin=builtin, prorated=prorated)
        return fn
    return wrap


def register_register_rule(code: str, *, params: tuple[ParamSpec, ...] = (),
                           description: str = "", builtin: bool = False) -> Callable[[F], F]:
    """``fn(rule: RegisterRule, rows: list[RegisterQty], ctx: RatingContext) -> None``."""
    return _decorator(REGISTER_RULE, code, params, description, builtin)


def register_sq_rule(code: str, *, params: tuple[ParamSpec, ...] = (),
                     description: str = "", builtin: bool = False) -> Callable[[F], F]:
    """``fn(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None``."""
    return _decorator(SQ_RULE, code, params, description, builtin)


def register_value_algorithm(code: str, *, params: tuple[ParamSpec, ...] = (),
                             description: str = "", builtin: bool = False,
                             prorated: bool = False) -> Callable[[F], F]:
    """``fn(rc: RateComponent, ctx: RatingContext, calc: CalcState) -> Decimal | None``.

    ``prorated=True`` when the value is already prorated (it adds up prorated amounts): the
    engine then applies no proration factor to it."""
    return _decorator(RC_VALUE, code, params, description, builtin, prorated)


def register_step_algorithm(code: str, *, params: tuple[ParamSpec, ...] = (),
                            description: str = "", builtin: bool = False) -> Callable[[F], F]:
    """``fn(rc, low, high, ctx, calc) -> (low, high)``."""
    return _decorator(STEP, code, params, description, builtin)


def register_calculation_algorithm(code: str, *, params: tuple[ParamSpec, ...] = (),
                                   description: str = "",
                                   builtin: bool = False) -> Callable[[F], F]:
    """``fn(rc, ctx, calc, sq: Decimal | None) -> CalcOutput``."""
    return _decorator(CALCULATION, code, params, description, builtin)


def register_eligibility_field(code: str, *, params: tuple[ParamSpec, ...] = (),
                               description: str = "",
                               builtin: bool = False) -> Callable[[F], F]:
    """``fn(criterion, ctx, results, sq, day) -> object`` (``MISSING`` when unavailable)."""
    return _decorator(ELIGIBILITY_FIELD, code, params, description, builtin)


def register_eligibility_comparison(code: str, *, params: tuple[ParamSpec, ...] = (),
                                    description: str = "",
                                    builtin: bool = False) -> Callable[[F], F]:
    """``fn(value, criterion, ctx, day) -> Truth``."""
    return _decorator(ELIGIBILITY_COMPARISON, code, params, description, builtin)


def register_rate_selection_date(code: str, *, description: str = "",
                                 builtin: bool = False) -> Callable[[F], F]:
    """``fn(bill_factor, ctx, start, end) -> date``."""
    return _decorator(RATE_SELECTION_DATE, code, (), description, builtin)


def register_proration_override(code: str, *, params: tuple[ParamSpec, ...] = (),
                                description: str = "",
                                builtin: bool = False) -> Callable[[F], F]:
    """``fn(rc, ctx, calc, factors: PeriodFactors) -> PeriodFactors | None`` (None keeps them)."""
    return _decorator(PRORATION_OVERRIDE, code, params, description, builtin)


def register_seasonal_override(code: str, *, params: tuple[ParamSpec, ...] = (),
                               description: str = "",
                               builtin: bool = False) -> Callable[[F], F]:
    """``fn(rc, ctx, calc) -> SeasonGate``."""
    return _decorator(SEASONAL_OVERRIDE, code, params, description, builtin)
