"""What the engine knows about a service agreement when it rates one: its characteristics,
contract terms (contract values, riders, tax exemptions, contract quantities), service
points and items, relationships and history. Everything is an immutable snapshot built by the
service layer (or by a test); a rate check may also run with no agreement at all.

An agreement covered by terms of service (spec/60 §B2.5) carries the terms' *template*
agreement and the umbrella agreement's effective period. On a day inside that period each
bill factor's ``tos_usage`` says whose contract value, rider or tax exemption counts: the
agreement's own (``CHECK_SA_ONLY``, the default), only the template's (``CHECK_TOS_ONLY``), or
the template's and, where it has none, the agreement's (``CHECK_TOS_FIRST_THEN_SA``). Outside
the period, or with no template, the agreement's own terms count whatever the usage says.
The rating context binds its bill factors' usages to the snapshot (:meth:`ServiceAgreement.
bound_to`), so every lookup honours them without being told.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from .controls import SqKey
from .enums import RvSelectionDate, TosUsage, selection_day


@dataclass(frozen=True)
class CharacteristicValue:
    char_type: str
    value: str
    effective: date = date.min


def characteristic_on(values: tuple[CharacteristicValue, ...], char_type: str,
                      day: date) -> str | None:
    """The value of ``char_type`` effective on ``day`` among ``values``, or None."""
    best: CharacteristicValue | None = None
    for cv in values:
        if cv.char_type == char_type and cv.effective <= day and (
            best is None or cv.effective >= best.effective
        ):
            best = cv
    return best.value if best else None


@dataclass(frozen=True)
class ContractValue:
    """A customer's own value of a bill factor (``value_in_contract_term``)."""

    bill_factor: str
    effective: date
    value: Decimal
    tou: str | None = None


@dataclass(frozen=True)
class ContractRider:
    """While a rider covers a day, the bill factor applies on that day."""

    bill_factor: str
    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class TaxExemption:
    bill_factor: str
    effective: date
    exempt_percent: Decimal


@dataclass(frozen=True)
class ContractQuantity:
    contract_quantity_type: str
    effective: date
    value: Decimal


@dataclass(frozen=True)
class ItemCount:
    """``count`` items of ``item_type`` on the agreement's service points from start to end."""

    item_type: str
    count: int
    start: date
    end: date | None = None


@dataclass(frozen=True)
class ServicePoint:
    id: str
    characteristics: tuple[CharacteristicValue, ...] = ()
    items: tuple[ItemCount, ...] = ()
    premise_id: str | None = None
    premise_characteristics: tuple[CharacteristicValue, ...] = ()
    meter_count: int = 1


@dataclass(frozen=True)
class Relationship:
    """An SA relationship with a service provider (ESP, meter reader, consolidated biller…)."""

    relationship_type: str
    provider: str
    #: ``BILL_READY``, ``RATE_READY`` or None: how the provider bills consolidated.
    billing_option: str | None = None
    #: The provider bills the utility's charges ("they bill for us").
    bills_for_utility: bool = False
    #: Service types the provider serves for this customer.
    service_types: tuple[str, ...] = ()
    #: The provider (not the utility) owns the meters.
    third_party_owner: bool = False


@dataclass(frozen=True)
class PriorSegment:
    """An earlier bill segment of the agreement, for history-based SQ rules."""

    start: date
    end: date
    quantities: Mapping[SqKey, Decimal] = field(default_factory=dict)
    bill_date: date | None = None
    due_date: date | None = None
    #: (amount, characteristics of the line) for each bill line of the segment.
    lines: tuple[tuple[Decimal, tuple[tuple[str, str], ...]], ...] = ()


@dataclass(frozen=True)
class Payment:
    paid_on: date
    amount: Decimal


@dataclass(frozen=True)
class ServiceAgreement:
    id: str
    revenue_class: str | None = None
    service_type: str | None = None
    customer_class: str | None = None
    characteristics: tuple[CharacteristicValue, ...] = ()
    account_characteristics: tuple[CharacteristicValue, ...] = ()
    main_person_characteristics: tuple[CharacteristicValue, ...] = ()
    premise_characteristics: tuple[CharacteristicValue, ...] = ()
    service_points: tuple[ServicePoint, ...] = ()
    contract_values: tuple[ContractValue, ...] = ()
    contract_riders: tuple[ContractRider, ...] = ()
    tax_exemptions: tuple[TaxExemption, ...] = ()
    contract_quantities: tuple[ContractQuantity, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    #: Service types of the account's active agreements (for RECF-SRVTY).
    account_active_service_types: tuple[str, ...] = ()
    #: Earlier bill segments, newest first.
    history: tuple[PriorSegment, ...] = ()
    payments: tuple[Payment, ...] = ()
    #: Account balance on a date, as (date, balance) points; the latest on or before wins.
    balances: tuple[tuple[date, Decimal], ...] = ()
    #: The template agreement of the agreement's terms of service (spec/60 §B2.5): only its
    #: pricing terms matter. Set while the terms are active and the umbrella agreement is
    #: complete; it counts on the days of [template_start, template_end] (the umbrella
    #: agreement's effective period).
    template: ServiceAgreement | None = None
    template_start: date = date.min
    template_end: date = date.max
    #: (bill factor, tos_usage) of the rate being applied, bound by the rating context.
    tos_usages: tuple[tuple[str, TosUsage], ...] = ()

    @property
    def items(self) -> tuple[ItemCount, ...]:
        """Item counts of every service point of the agreement."""
        return tuple(i for sp in self.service_points for i in sp.items)

    # -- terms of service -------------------------------------------------------------
    def template_on(self, day: date) -> ServiceAgreement | None:
        """The terms of service's template agreement when it counts on ``day``."""
        t = self.template
        return t if t is not None and self.template_start <= day <= self.template_end else None

    def bound_to(self, usages: Mapping[str, TosUsage | None]) -> ServiceAgreement:
        """This snapshot with the ``tos_usage`` of each bill factor (code → usage) of the
        rate being applied; the lookups then honour them. Without a template: itself."""
        if self.template is None:
            return self
        bound = tuple(sorted((code, usage) for code, usage in usages.items()
                             if usage is not None and usage is not TosUsage.CHECK_SA_ONLY))
        return self if bound == self.tos_usages else replace(self, tos_usages=bound)

    def usage_of(self, bill_factor: str) -> TosUsage:
        for code, usage in self.tos_usages:
            if code == bill_factor:
                return usage
        return TosUsage.CHECK_SA_ONLY

    def term_sources(self, bill_factor: str, day: date, usage: TosUsage | None = None
                     ) -> tuple[ServiceAgreement, ...]:
        """Whose pricing terms count for ``bill_factor`` on ``day``, in the order they are
        looked at: the agreement, the template, or the template and then the agreement.
        ``usage`` is the bill factor's (None: the one bound, else CHECK_SA_ONLY)."""
        template = self.template_on(day)
        if template is None:
            return (self,)
        usage = usage or self.usage_of(bill_factor)
        if usage is TosUsage.CHECK_TOS_ONLY:
            return (template,)
        if usage is TosUsage.CHECK_TOS_FIRST_THEN_SA:
            return (template, self)
        return (self,)

    # -- effective-dated lookups -------------------------------------------------------
    def contract_value_on(self, bill_factor: str, day: date, tou: str | None = None, *,
                          usage: TosUsage | None = None) -> Decimal | None:
        for sa in self.term_sources(bill_factor, day, usage):
            value = _latest([(c.effective, c.value) for c in sa.contract_values
                             if c.bill_factor == bill_factor and c.tou == tou], day)
            if value is not None:
                return value
        return None

    def rider_covers(self, bill_factor: str, day: date, *,
                     usage: TosUsage | None = None) -> bool:
        return any(r.bill_factor == bill_factor and r.covers(day)
                   for sa in self.term_sources(bill_factor, day, usage)
                   for r in sa.contract_riders)

    def exemption_on(self, bill_factor: str, day: date, *,
                     usage: TosUsage | None = None) -> Decimal | None:
        for sa in self.term_sources(bill_factor, day, usage):
            value = _latest([(t.effective, t.exempt_percent) for t in sa.tax_exemptions
                             if t.bill_factor == bill_factor], day)
            if value is not None:
                return value
        return None

    def balance_on(self, day: date) -> Decimal | None:
        return _latest(list(self.balances), day)

    def change_dates(self, bill_factor: str, *, usage: TosUsage | None = None) -> set[date]:
        """Dates on which a contract value, rider or exemption for ``bill_factor`` changes
        (the template's too, and the bounds of its period, when the factor looks at it)."""
        out = _own_change_dates(self, bill_factor)
        template = self.template
        if template is not None and (usage or self.usage_of(bill_factor)) \
                is not TosUsage.CHECK_SA_ONLY:
            out |= {d for d in _own_change_dates(template, bill_factor)
                    if self.template_start <= d <= self.template_end}
            if self.template_start > date.min:
                out.add(self.template_start)
            if self.template_end < date.max:
                out.add(self.template_end + timedelta(days=1))
        return out


def _own_change_dates(sa: ServiceAgreement, bill_factor: str) -> set[date]:
    out: set[date] = set()
    for c in sa.contract_values:
        if c.bill_factor == bill_factor:
            out.add(c.effective)
    for t in sa.tax_exemptions:
        if t.bill_factor == bill_factor:
            out.add(t.effective)
    for r in sa.contract_riders:
        if r.bill_factor == bill_factor:
            out.add(r.start)
            if r.end is not None and r.end < date.max:
                out.add(r.end + timedelta(days=1))
    return out


def _latest(points: list[tuple[date, Decimal]], day: date) -> Decimal | None:
    if not points:
        return None
    points.sort(key=lambda p: p[0])
    i = bisect_right([p[0] for p in points], day)
    return points[i - 1][1] if i else None


@dataclass(frozen=True)
class SaRate:
    """One entry of an agreement's rate history: ``rate_schedule`` from ``effective`` on."""

    rate_schedule: str
    effective: date


def select_rate_schedule(history: tuple[SaRate, ...] | list[SaRate], start: date, end: date,
                         *, accounting_date: date, selection: RvSelectionDate) -> str:
    """The one rate schedule that rates the whole bill period (spec/30 §1.4): an agreement's
    rate change is never prorated; the SA type's rate selection date picks the rate in effect.
    """
    from .errors import BillingError

    day = selection_day(selection, start=start, end=end, accounting_date=accounting_date)
    in_effect = [h for h in history if h.effective <= day]
    if not in_effect:
        raise BillingError(f"the service agreement has no rate in effect on {day.isoformat()}")
    return max(in_effect, key=lambda h: h.effective).rate_schedule
