"""A rate library: every definition rating can refer to, by code. Rate files load into one;
the database layer builds one; :meth:`RateLibrary.compile` turns one rate schedule into a
:class:`~app.engine.rates.compiled.CompiledRate` that is applied many times."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .bill_factors import BillFactor
from .controls import (
    Currency,
    Frequency,
    RegisterRule,
    ServiceQuantityIdentifier,
    SqRule,
    TimeOfUse,
    TouGroup,
    TouMap,
    UnitOfMeasure,
)
from .schedules import RateSchedule

if TYPE_CHECKING:
    from .compiled import CompiledRate


@dataclass(frozen=True)
class RateLibrary:
    currencies: Mapping[str, Currency] = field(default_factory=dict)
    frequencies: Mapping[str, Frequency] = field(default_factory=dict)
    uoms: Mapping[str, UnitOfMeasure] = field(default_factory=dict)
    tous: Mapping[str, TimeOfUse] = field(default_factory=dict)
    tou_groups: Mapping[str, TouGroup] = field(default_factory=dict)
    tou_maps: Mapping[str, TouMap] = field(default_factory=dict)
    sqis: Mapping[str, ServiceQuantityIdentifier] = field(default_factory=dict)
    register_rules: Mapping[str, RegisterRule] = field(default_factory=dict)
    sq_rules: Mapping[str, SqRule] = field(default_factory=dict)
    bill_factors: Mapping[str, BillFactor] = field(default_factory=dict)
    rate_schedules: Mapping[str, RateSchedule] = field(default_factory=dict)

    SECTIONS = ("currencies", "frequencies", "uoms", "tous", "tou_groups", "tou_maps", "sqis",
                "register_rules", "sq_rules", "bill_factors", "rate_schedules")

    def merged(self, other: RateLibrary) -> RateLibrary:
        """This library with every definition of ``other`` added; ``other`` wins on a clash."""
        changes: dict[str, Any] = {}
        for name in self.SECTIONS:
            mine: Mapping[str, object] = getattr(self, name)
            theirs: Mapping[str, object] = getattr(other, name)
            if theirs:
                changes[name] = {**mine, **theirs}
        return replace(self, **changes) if changes else self

    def schedule(self, code: str) -> RateSchedule:
        from .errors import RateDefinitionError

        try:
            return self.rate_schedules[code]
        except KeyError:
            raise RateDefinitionError(f"there is no rate schedule {code!r}") from None

    def compile(self, code: str) -> CompiledRate:
        """Resolve every reference of rate schedule ``code`` (sub-rates, rules, bill factors,
        units) and index it for fast application. Raises RateDefinitionError naming the first
        problem."""
        from .compiled import compile_rate

        return compile_rate(self, code)
