"""Control tables every rate refers to (spec/10 §2.1–§2.4): currency, frequency, units of
measure, time-of-use periods, TOU groups, service quantity identifiers, register rules and
service quantity (SQ) rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from typing import NamedTuple

from .enums import SqQtyToUse, SqRuleProcessing


class SqKey(NamedTuple):
    """Identity of a service quantity: unit of measure, time of use, service quantity id.

    Any member may be ``None`` (``SqKey("KWH", "PEAK", None)``, ``SqKey(None, None, "DAYS")``).
    """

    uom: str | None = None
    tou: str | None = None
    sqi: str | None = None

    def label(self) -> str:
        return "/".join(part or "–" for part in self)


@dataclass(frozen=True)
class Currency:
    code: str
    decimals: int = 2
    symbol: str = "$"

    @property
    def unit(self) -> Decimal:
        """The currency unit ``cu``: 0.01 for two decimals, 1 for none."""
        return Decimal(1).scaleb(-self.decimals)


@dataclass(frozen=True)
class Frequency:
    code: str
    description: str
    periods_per_year: int
    min_days_offset: int = 0
    max_days_offset: int = 0


@dataclass(frozen=True)
class UnitOfMeasure:
    code: str
    description: str
    decimal_positions: int = 0
    measures_peak: bool = False


@dataclass(frozen=True)
class TimeOfUse:
    code: str
    description: str


@dataclass(frozen=True)
class TouGroup:
    code: str
    description: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class TouMapPeriod:
    """The part of each day from ``start`` (inclusive) to ``end`` (exclusive) that belongs to
    ``tou``; an end at or before the start wraps past midnight (20:00–08:00)."""

    start: time
    end: time
    tou: str

    def contains(self, at: time) -> bool:
        if self.start < self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end


@dataclass(frozen=True)
class TouMap:
    """Maps interval timestamps to TOU periods (spec/30 §10)."""

    code: str
    description: str
    periods: tuple[TouMapPeriod, ...]

    def tou_at(self, at: time) -> str | None:
        for p in self.periods:
            if p.contains(at):
                return p.tou
        return None


@dataclass(frozen=True)
class ServiceQuantityIdentifier:
    code: str
    description: str
    decimal_positions: int = 0


@dataclass(frozen=True)
class RegisterRule:
    """A register rule: an algorithm code plus its positional parameters (P1 is ``params[0]``)."""

    code: str
    description: str
    algorithm: str
    params: tuple[str | None, ...] = ()
    comments: str = ""

    def p(self, n: int) -> str | None:
        """Parameter ``Pn`` (1-based); ``None`` when blank or not given."""
        return self.params[n - 1] if 0 < n <= len(self.params) else None


@dataclass(frozen=True)
class SqRule:
    """A service quantity rule (spec/10 §2.4)."""

    code: str
    description: str
    algorithm: str
    params: tuple[str | None, ...] = ()
    output: SqKey = SqKey()
    qty_to_use: SqQtyToUse = SqQtyToUse.BILLABLE
    create_billing_error: bool = True
    processing: SqRuleProcessing = SqRuleProcessing.ALWAYS
    long_description: str = ""

    def p(self, n: int) -> str | None:
        return self.params[n - 1] if 0 < n <= len(self.params) else None
