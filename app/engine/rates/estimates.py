"""Estimated consumption of unmetered items such as streetlights (spec/20 §11).

D-23 (adopted): for every day of the consumption period, count × the daily quantity in effect
for the item type that day; the sum becomes the service quantity (item type's UOM, no TOU, no
SQI), priced by an ordinary SQ component."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .agreements import ItemCount
from .context import each_day
from .controls import SqKey


@dataclass(frozen=True)
class ItemTypeEstimate:
    item_type: str
    uom: str
    effective: date
    daily_quantity: Decimal


def estimate_item_quantities(items: Sequence[ItemCount], estimates: Sequence[ItemTypeEstimate],
                             start: date, end: date) -> dict[SqKey, Decimal]:
    out: dict[SqKey, Decimal] = {}
    by_type: dict[str, list[ItemTypeEstimate]] = {}
    for e in sorted(estimates, key=lambda e: e.effective):
        by_type.setdefault(e.item_type, []).append(e)
    for day in each_day(start, end):
        for item in items:
            if item.start > day or (item.end is not None and item.end < day):
                continue
            rates = [e for e in by_type.get(item.item_type, ()) if e.effective <= day]
            if not rates:
                continue
            e = rates[-1]
            key = SqKey(e.uom)
            out[key] = out.get(key, Decimal(0)) + item.count * e.daily_quantity
    return out
