"""Quote simulation (spec/40 §3): each billing scenario of a proposal SA priced as a bill
would price it — the same `check_rate` call a rate check makes, with the scenario's template
consumption in place of meter reads and Finished rate versions only (``billing=True``).

A scenario that cannot be priced is an ERROR segment carrying the engine's sentence; the
others are OK. Nothing here knows a database:

    >>> bills = simulate([PricedScenario(rate, Scenario(1, jan1, jan31, (Quantity("KWH", D(900)),)))],
    ...                  agreement=snapshot, revenue_class="COM")       # doctest: +SKIP
    >>> bills[0].amount                                                   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.engine.rates import Quantity, RateCheckResult, check_rate
from app.engine.rates.agreements import ServiceAgreement
from app.engine.rates.compiled import CompiledRate
from app.engine.rates.errors import RateError

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Scenario:
    """One simulated bill period with its template consumption (spec/40 §1.8); ``key`` is
    the caller's name for it (the billing scenario's row)."""

    key: int
    start: date
    end: date
    quantities: tuple[Quantity, ...] = ()


@dataclass(frozen=True)
class PricedScenario:
    """A scenario and the rate in force for it (the proposal's rate on the period's end)."""

    rate: CompiledRate | None
    scenario: Scenario
    #: Why there is no rate (no rate on the proposal, a rate that does not compile).
    problem: str | None = None


@dataclass(frozen=True)
class SimulatedBill:
    """What a bill would charge for one scenario, or why it cannot be priced."""

    scenario: Scenario
    result: RateCheckResult | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def amount(self) -> Decimal:
        """The segment's amount: the sum of its headers (an ERROR segment counts 0)."""
        if self.result is None:
            return ZERO
        return sum((h.amount for h in self.result.headers), ZERO)


def simulate(scenarios: Sequence[PricedScenario], *, agreement: ServiceAgreement | None,
             revenue_class: str | None,
             characteristics: dict[str, str] | None = None) -> tuple[SimulatedBill, ...]:
    """Price every scenario, oldest first; each is independent of the others."""
    out = []
    for priced in sorted(scenarios, key=lambda p: (p.scenario.start, p.scenario.end, p.scenario.key)):
        sc = priced.scenario
        if priced.rate is None:
            out.append(SimulatedBill(sc, None, priced.problem or "there is no rate to price "
                                                                 "this period"))
            continue
        try:
            result = check_rate(priced.rate, start=sc.start, end=sc.end,
                                quantities=sc.quantities, characteristics=characteristics,
                                agreement=agreement, revenue_class=revenue_class,
                                billing=True)
        except RateError as exc:
            out.append(SimulatedBill(sc, None, str(exc)))
            continue
        out.append(SimulatedBill(sc, result))
    return tuple(out)


def detail_total(bills: Sequence[SimulatedBill]) -> Decimal:
    """A quote detail's total: the sum of its segments (ERROR segments count 0)."""
    return sum((b.amount for b in bills), ZERO)


__all__ = ["PricedScenario", "Scenario", "SimulatedBill", "detail_total", "simulate"]
