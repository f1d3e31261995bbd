"""Bill factors (spec/10 §2.8–§2.13): values shared by many rates, selected by a
characteristic value and effective-dated."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from .enums import BillFactorType, CharSource, TosUsage, ValueType


@dataclass(frozen=True)
class BillFactorValue:
    effective: date
    value: Decimal


@dataclass(frozen=True)
class BillFactorTouValue:
    """One complete set of TOU values of a TOU group, effective from a date (spec/10 §2.12)."""

    tou_group: str
    effective: date
    values: Mapping[str, Decimal]


@dataclass(frozen=True)
class IntervalValue:
    at: datetime
    value: Decimal


@dataclass(frozen=True)
class IntervalValueSet:
    set_id: str
    set_at: datetime
    values: tuple[IntervalValue, ...]
    complete: bool = True


@dataclass(frozen=True)
class BillFactorCharacteristic:
    """The values of a bill factor for one characteristic value (e.g. STATE = NV)."""

    char_value: str
    values: tuple[BillFactorValue, ...] = ()
    tou_values: tuple[BillFactorTouValue, ...] = ()
    interval_sets: tuple[IntervalValueSet, ...] = ()
    gl_distribution: Mapping[str, str] = field(default_factory=dict)
    minutes_per_interval: int | None = None
    external_id: str | None = None

    def value_on(self, day: date) -> Decimal | None:
        """The value effective on ``day`` (latest effective date on or before it), or None."""
        values = self.values
        if not values:
            return None
        i = bisect_right([v.effective for v in values], day)
        return values[i - 1].value if i else None


@dataclass(frozen=True)
class BillFactor:
    code: str
    description: str
    char_type: str
    char_source: CharSource = CharSource.NA
    type: BillFactorType = BillFactorType.REGULAR
    currency: str = "USD"
    value_type: ValueType = ValueType.CHARGE
    error_if_no_value: bool = False
    tax_exemption: bool = False
    value_in_contract_term: bool = False
    contract_rider_applicability: bool = False
    allow_proration: bool = True
    #: Date that picks one value when proration is off: BILL_END_DATE, BILL_START_DATE,
    #: ACCOUNTING_DATE, or the code of a registered rate-selection-date algorithm.
    rate_selection_date: str = "BILL_END_DATE"
    use_sub_sa_contract_terms: bool = False
    tos_usage: TosUsage | None = None
    characteristics: Mapping[str, BillFactorCharacteristic] = field(default_factory=dict)

    def characteristic(self, char_value: str | None) -> BillFactorCharacteristic | None:
        if char_value is None:
            return None
        return self.characteristics.get(char_value)

    def value_on(self, char_value: str | None, day: date) -> Decimal | None:
        bfc = self.characteristic(char_value)
        return bfc.value_on(day) if bfc else None


def interval_values(bfc: BillFactorCharacteristic, start: datetime | None = None,
                    end: datetime | None = None, *, as_of: datetime | None = None,
                    history: bool = False) -> dict[datetime, Decimal] | list[
                        tuple[datetime, Decimal, IntervalValueSet]]:
    """Interval values of one bill factor characteristic between ``start`` and ``end``
    (inclusive), from the sets received before ``as_of`` (spec/10 §3.6).

    * Most recent complete (the default): one value per timestamp, a newer set overriding an
      older one for the timestamps both hold; returns ``{timestamp: value}``.
    * ``history=True``: every row of every set, any status, as (timestamp, value, set).
    """
    sets = [s for s in bfc.interval_sets if as_of is None or s.set_at < as_of]

    def wanted(at: datetime) -> bool:
        return (start is None or at >= start) and (end is None or at <= end)

    if history:
        return [(iv.at, iv.value, s) for s in sorted(sets, key=lambda s: s.set_at)
                for iv in s.values if wanted(iv.at)]
    latest: dict[datetime, Decimal] = {}
    for s in sorted((s for s in sets if s.complete), key=lambda s: s.set_at):
        for iv in s.values:
            if wanted(iv.at):
                latest[iv.at] = iv.value
    return latest


def interval_value_in_set(bfc: BillFactorCharacteristic, set_at: datetime,
                          at: datetime) -> Decimal | None:
    """The value a given set holds for timestamp ``at`` (e.g. the weighted average price of
    bills ending in the week of ``set_at`` and starting in the week of ``at``, spec/10 EX-11)."""
    for s in bfc.interval_sets:
        if s.set_at == set_at:
            for iv in s.values:
                if iv.at == at:
                    return iv.value
    return None


def interval_value_at(bfc: BillFactorCharacteristic, at: datetime) -> Decimal | None:
    """The interval value in effect at ``at``: the value of the latest interval that starts on
    or before ``at`` (newest complete set winning). When the characteristic says how long an
    interval is (``minutes_per_interval``), that interval must still be running at ``at``, so
    a gap in the data is a missing price rather than an old one."""
    latest = interval_values(bfc, end=at)
    assert isinstance(latest, dict)
    if not latest:
        return None
    start = max(latest)
    minutes = bfc.minutes_per_interval
    if minutes is not None and at >= start + timedelta(minutes=minutes):
        return None
    return latest[start]
