"""What a rate application returns: the Rate Check result of spec/20 §9 — bill segment
headers per rate version and calculation period with their calc lines, SQ details, register
reads, final characteristics and the total."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from .context import ToDo
from .enums import ComponentStatus
from .proration import ONE


class CalcLine(NamedTuple):
    """One bill calculation line (spec/20 §9.3 columns, spec/30 §0.5 proration fields).

    An immutable record like the engine's frozen dataclasses, but a NamedTuple: a rating
    makes one per line, thousands per second, and a tuple is built several times faster."""

    seq: int
    rc_seq: int
    description_on_bill: str
    amount: Decimal
    print: bool
    app_in_summary: bool
    uom: str | None
    tou: str | None
    sqi: str | None
    billable_sq: Decimal | None
    base_amount: Decimal | None
    measures_peak: bool
    exempt_amount: Decimal | None
    distribution_code: str | None
    #: False for FCPO and SUMMARY lines: they never count in the total.
    in_total: bool
    #: Printing is on, the amount is zero and "print if zero" is off: the extract leaves it out.
    suppress_print_zero: bool
    fcpo: bool
    start_date: date
    end_date: date
    item_count: int | None = None
    #: The value as written on the component, bill factor or contract (never prorated).
    value_defined: Decimal | None = None
    #: The value after proration factors.
    value_applied: Decimal | None = None
    step_low: Decimal | None = None
    step_high: Decimal | None = None
    cpf: Fraction = ONE
    kpf: Fraction = ONE
    bff: Fraction = ONE
    sf: Fraction = ONE
    #: Modified seasonal factor applied to the quantity (PRORATE_SEASONAL_SQ only).
    msf: Fraction | None = None
    normal_days: int | None = None
    statistical_qty: Decimal | None = None
    characteristics: tuple[tuple[str, str], ...] = ()

    @property
    def prorated(self) -> bool:
        return (self.cpf * self.kpf * self.bff * self.sf) != 1


@dataclass(frozen=True)
class CalcHeader:
    """A "Bill Seg Hdr": one rate version of one rate schedule over one calculation period."""

    seq: int
    rate_schedule: str
    rate_version: date
    start_date: date
    end_date: date
    amount: Decimal
    description_on_bill: str
    lines: tuple[CalcLine, ...]


@dataclass(frozen=True)
class SqDetail:
    uom: str | None
    tou: str | None
    sqi: str | None
    initial: Decimal | None
    billable: Decimal


@dataclass(frozen=True)
class RegisterReadRow:
    uom: str | None
    tou: str | None
    sqi: str | None
    measured: Decimal | None
    final_uom: str | None
    final_tou: str | None
    final_sqi: str | None
    register_qty: Decimal
    service_point: str | None


class ComponentResult(NamedTuple):
    """What one component produced in one calculation period; later components read it
    (cross references, value from another RC, step multipliers, eligibility RC_VALUE)."""

    status: ComponentStatus
    value: Decimal | None = None
    quantity: Decimal | None = None

    @property
    def calculated(self) -> bool:
        return self.status is ComponentStatus.CALCULATED


@dataclass(frozen=True)
class RateCheckResult:
    rate_schedule: str
    description: str
    revenue_class: str | None
    start: date
    end: date
    headers: tuple[CalcHeader, ...]
    sq_details: tuple[SqDetail, ...]
    register_reads: tuple[RegisterReadRow, ...]
    characteristics: Mapping[str, str]
    total: Decimal
    currency: str
    todos: tuple[ToDo, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def lines(self) -> list[CalcLine]:
        return [line for h in self.headers for line in h.lines]
