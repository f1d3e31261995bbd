"""Register quantities and service quantities: what register rules and SQ rules work on
(spec/10 §2.14, §3.1)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from .controls import SqKey, SqRule
from .enums import SqQtyToUse
from .errors import CannotExecute


@dataclass(frozen=True)
class Quantity:
    """One input quantity of a rate check or a bill: a register read (UOM/TOU/SQI and amount),
    optionally with the service point whose characteristics register rules use and the
    read's start and end (for real-time pricing)."""

    uom: str | None
    quantity: Decimal
    tou: str | None = None
    sqi: str | None = None
    service_point: str | None = None
    read_start: datetime | None = None
    read_end: datetime | None = None

    @property
    def key(self) -> SqKey:
        return SqKey(self.uom, self.tou, self.sqi)


@dataclass(frozen=True)
class IntervalQuantity:
    """One interval of interval data: ``quantity`` of ``uom`` in the interval starting at
    ``at`` (for interval and TOU pricing components, spec/30 §10)."""

    uom: str
    at: datetime
    quantity: Decimal


@dataclass
class RegisterQty:
    """A register row while register rules run. Measured rows come in with
    ``measured_qty == final_qty``; rows a rule adds have ``measured_qty`` None."""

    uom: str | None
    tou: str | None
    sqi: str | None
    measured_qty: Decimal | None
    final_qty: Decimal
    service_point: str | None = None
    read_start: datetime | None = None
    read_end: datetime | None = None
    #: Index of the input quantity this row came from (the measured key of the Register Read tab).
    source: int = 0

    @property
    def key(self) -> SqKey:
        return SqKey(self.uom, self.tou, self.sqi)

    def derive(self, *, uom: str | None, tou: str | None, sqi: str | None,
               final_qty: Decimal) -> RegisterQty:
        """A new row for the same register (same SP, read times and source)."""
        return replace(self, uom=uom, tou=tou, sqi=sqi, measured_qty=None, final_qty=final_qty)


class ServiceQty(NamedTuple):
    """An SQ entry: ``initial`` is metered consumption (None for entries a rule created) and is
    never changed by SQ rules; ``billable`` is what rate components price. (An immutable
    record; a NamedTuple because every bill makes several.)"""

    key: SqKey
    initial: Decimal | None
    billable: Decimal


class ServiceQuantities:
    """The SQ collection SQ rules read and write. Rules only change billable quantities."""

    def __init__(self, entries: dict[SqKey, ServiceQty] | None = None) -> None:
        self._entries: dict[SqKey, ServiceQty] = dict(entries or {})

    # -- reading ------------------------------------------------------------------------
    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[ServiceQty]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: SqKey) -> ServiceQty | None:
        return self._entries.get(key)

    def billable(self, key: SqKey) -> Decimal | None:
        e = self._entries.get(key)
        return e.billable if e else None

    def optional(self, rule: SqRule, key: SqKey) -> Decimal | None:
        """The rule's input quantity for ``key`` (initial or billable, as the rule says), or
        None when the entry is missing."""
        e = self._entries.get(key)
        if e is None:
            return None
        if rule.qty_to_use is SqQtyToUse.INITIAL:
            return e.initial if e.initial is not None else e.billable
        return e.billable

    def read(self, rule: SqRule, key: SqKey) -> Decimal:
        """Like :meth:`optional` but a missing entry means the rule cannot execute."""
        v = self.optional(rule, key)
        if v is None:
            raise CannotExecute(f"SQ rule {rule.code} needs service quantity {key.label()}")
        return v

    # -- writing ------------------------------------------------------------------------
    def write(self, rule: SqRule, value: Decimal) -> None:
        """Write the rule's output: replace the billable quantity of its output entry, or add
        the entry with no initial quantity."""
        self.set_billable(rule.output, value)

    def set_billable(self, key: SqKey, value: Decimal) -> None:
        e = self._entries.get(key)
        self._entries[key] = ServiceQty(key, e.initial if e else None, value)

    def add_measured(self, key: SqKey, qty: Decimal) -> None:
        """Add measured consumption (initial and billable) — used when summarising registers."""
        e = self._entries.get(key)
        if e is None:
            self._entries[key] = ServiceQty(key, qty, qty)
        else:
            self._entries[key] = ServiceQty(
                key, (e.initial or Decimal(0)) + qty, e.billable + qty)

    def remove(self, key: SqKey) -> None:
        self._entries.pop(key, None)

    def replace_entry(self, entry: ServiceQty) -> None:
        self._entries[entry.key] = entry

    def snapshot(self) -> dict[SqKey, ServiceQty]:
        return dict(self._entries)
