"""Compare Rates — beyond what the source offers: the same consumption (typed in, or the
agreement's last 12 billed periods) priced through several rate schedules side by side, with the
annual cost of each, the difference to the current rate, and the cheapest eligible one marked.
A CSR answers "am I on the best rate?" in one screen.

It prices through the same engine call as a rate check (`price_periods`, amounts only), with
the rate versions billing would use: Finished ones only. A Validated version is not billed yet,
so a rate that has only such a version for the periods is not eligible.

A time-of-use rate cannot price consumption without a time of use (billing history keeps plain
kWh). It is priced from an assumed split of that consumption over its TOU codes
(`CompareRequest.tou_shares`, by default `DEFAULT_TOU_SHARES`; `engine.rates.tou_split`), and
its row says so (`ComparedRate.assumption`), so an assumed split is never presented as fact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine.rates.agreements import ServiceAgreement as EngineAgreement
from app.engine.rates.check import BillPeriod, price_periods
from app.engine.rates.compiled import CompiledRate
from app.engine.rates.enums import ComponentType, RateScheduleType, RateVersionStatus
from app.engine.rates.errors import BillingError, RateError
from app.engine.rates.library import RateLibrary
from app.engine.rates.schedules import RateSchedule
from app.engine.rates.tou_split import (
    PricedKey,
    TouSplit,
    UnsplittableQuantity,
    split_untimed,
    tou_splits,
)
from app.models.service_agreements import ServiceAgreement, ServiceAgreementRate
from app.services.agreement_terms import (
    agreement_points,
    agreement_snapshot,
    effective_rate,
    find_agreement,
    rate_history,
)
from app.services.context import read_only
from app.services.errors import NotFound, ValidationError
from app.services.rate_check import QuantityInput, billed_segments, parse_quantities
from app.services.rates import compiled_rate, rate_library

#: The assumed time-of-use split of consumption without a time of use, in percent, from a
#: typical residential load profile: about 30 % of a home's kWh fall in the on-peak hours of a
#: two-part map (ON/OFF), and 25 % peak, 20 % shoulder and 55 % off-peak in a three-part map
#: (PEAK/SHOULDER/OFFPEAK). Only the codes a rate prices count, normalised to 100 %.
DEFAULT_TOU_SHARES: tuple[tuple[str, Decimal], ...] = (
    ("ON", Decimal(30)), ("OFF", Decimal(70)),
    ("PEAK", Decimal(25)), ("SHOULDER", Decimal(20)), ("OFFPEAK", Decimal(55)))
ZERO = Decimal(0)
TENTH = Decimal("0.1")

# --- DTOs ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UsageMonth:
    start: dt.date
    end: dt.date
    quantities: tuple[QuantityInput, ...]


@dataclass(frozen=True)
class CompareRequest:
    rate_schedules: tuple[str, ...]
    months: tuple[UsageMonth, ...]
    sa_number: str | None = None
    characteristics: tuple[tuple[str, str], ...] = ()
    revenue_class: str | None = None
    #: How consumption without a time of use is split for a rate that prices it only by time
    #: of use: (TOU code, share) with shares of 0 or more, as numbers or as typed ("30",
    #: "30 %"; blank is 0). Only the codes a rate prices count, normalised over them.
    tou_shares: tuple[tuple[str, Decimal | str], ...] = DEFAULT_TOU_SHARES


@dataclass(frozen=True)
class ComparedRate:
    code: str
    description: str
    eligible: bool
    problem: str | None
    annual: Decimal | None
    #: Annual cost minus the current rate's (or the cheapest's when there is no current).
    difference: Decimal | None
    monthly: tuple[Decimal | None, ...]
    current: bool
    cheapest: bool
    #: What the cost assumes that the consumption does not say: the time-of-use split of
    #: untimed consumption ("KWH split ON 30 % / OFF 70 % (assumed; …)"), else None.
    assumption: str | None = None


@dataclass(frozen=True)
class RateComparison:
    months: tuple[UsageMonth, ...]
    rates: tuple[ComparedRate, ...]
    cheapest: str | None
    current: str | None
    currency: str


# --- comparing -------------------------------------------------------------------------------


def usage_history(db: Database, sa_number: str, months: int = 12) -> tuple[UsageMonth, ...]:
    """The agreement's last ``months`` billed periods, oldest first."""
    with read_only(db) as session:
        sa, _class = find_agreement(session, sa_number)
        points = [sp.number for sp, _p in agreement_points(session, sa)]
        segments = billed_segments(session, sa, points[0] if points else None, months)
        usage = tuple(UsageMonth(s.start, s.end, s.quantities) for s in reversed(segments))
    if not usage:
        raise ValidationError(f"Service agreement {sa_number} has no bills yet: type the "
                              "consumption in instead.", "sa_number")
    return usage


def _offered(session: Session, sa: ServiceAgreement) -> set[str]:
    """The rates offered to the agreement's SA type: those its agreements are on."""
    return set(session.scalars(
        select(ServiceAgreementRate.rate_schedule_code).distinct()
        .join(ServiceAgreement, ServiceAgreement.id == ServiceAgreementRate.service_agreement_id)
        .where(ServiceAgreement.sa_type == sa.sa_type)))


def comparable_rates(db: Database, sa_number: str | None) -> tuple[str, ...]:
    """Primary rates a customer could be on: with an agreement, the rates offered to its SA
    type (those agreements of that type are on); without one, every primary rate."""
    offered = None
    if sa_number:
        with read_only(db) as session:
            offered = _offered(session, find_agreement(session, sa_number)[0])
    lib = rate_library(db)
    return tuple(code for code, rs in sorted(lib.rate_schedules.items())
                 if rs.type is RateScheduleType.PRIMARY and rs.versions
                 and (offered is None or code in offered))


def _tou_shares(given: Sequence[tuple[str, Decimal | str]]) -> dict[str, Decimal]:
    """The request's time-of-use shares by TOU code, checked: numbers of 0 or more, each code
    once; a blank share is 0."""
    shares: dict[str, Decimal] = {}
    for code, value in given:
        tou = code.strip().upper()
        if not tou:
            raise ValidationError("Each share of the time-of-use split needs its TOU code.",
                                  "tou_shares")
        if tou in shares:
            raise ValidationError(f"The time-of-use split gives {tou} twice: give each time "
                                  "of use once.", "tou_shares")
        shares[tou] = _share(tou, value)
    return shares


def _share(tou: str, value: Decimal | str) -> Decimal:
    if isinstance(value, Decimal):
        number = value
    else:
        text = value.strip().removesuffix("%").strip()
        if not text:
            return ZERO
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
    if not number.is_finite():
        raise ValidationError(f"The {tou} share of the time-of-use split must be a number "
                              f"(a percentage such as 30), not “{value}”.", "tou_shares")
    if number < 0:
        raise ValidationError(f"The {tou} share of the time-of-use split cannot be negative "
                              f"({number:f}): enter 0 or more.", "tou_shares")
    return number


def _schedules(lib: RateLibrary, rs: RateSchedule) -> list[RateSchedule]:
    """The rate schedule and the sub-rates it invokes."""
    return [rs, *(lib.rate_schedules[link.rule] for link in rs.sub_rates
                  if link.rule in lib.rate_schedules)]


def _priced_keys(lib: RateLibrary, rs: RateSchedule) -> set[PricedKey]:
    """The UOM/TOU/SQI keys the SQ components of the rate (and its sub-rates) price."""
    return {(rc.uom, rc.tou, rc.sqi) for s in _schedules(lib, rs) for rv in s.versions
            for rc in rv.components if rc.type is ComponentType.SQ}


def _unpriced(lib: RateLibrary, rs: RateSchedule, priced: set[PricedKey],
              keys: set[PricedKey]) -> list[str]:
    """The consumption keys no SQ component of the rate prices (a gas rate does not price
    kWh). A rate with SQ or register rules may derive its own quantities, so nothing is
    reported for it."""
    if any(s.sq_rules or s.register_rules for s in _schedules(lib, rs)):
        return []
    return ["/".join(p for p in key if p) for key in sorted(keys - priced, key=str)]


def tou_split_codes(db: Database, rate_schedules: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """For each rate, the TOU codes it splits consumption without a time of use over (none for
    a rate that prices untimed consumption): what the Compare tab asks a split for."""
    lib = rate_library(db)
    order = dict(DEFAULT_TOU_SHARES)
    out: dict[str, tuple[str, ...]] = {}
    for code in rate_schedules:
        rs = lib.rate_schedules.get(code)
        if rs is not None:
            splits = tou_splits(_priced_keys(lib, rs), order).values()
            out[code] = tuple(dict.fromkeys(c for split in splits for c in split.codes))
    return out


def _percent(value: Decimal) -> str:
    return f"{value.quantize(TENTH, rounding=ROUND_HALF_UP).normalize():f}"


def _assumption(splits: Sequence[TouSplit]) -> str:
    """The row's note for the splits used: "KWH split ON 30 % / OFF 70 % (assumed; …)"."""
    parts = []
    for split in splits:
        what = split.uom if split.sqi is None else f"{split.uom}/{split.sqi}"
        shares = " / ".join(f"{code} {_percent(pct)} %" for code, pct in split.percentages())
        parts.append(f"{what} split {shares}")
    return "; ".join(parts) + " (assumed; the consumption has no time of use)"


def _unsplittable(split: TouSplit) -> str:
    what = split.uom if split.sqi is None else f"{split.uom}/{split.sqi}"
    return (f"needs a time-of-use split: the shares of {', '.join(split.codes)} sum to 0 — "
            f"enter how much of the {what} falls in each")


def _not_billed_yet(rate: CompiledRate, periods: Sequence[BillPeriod]) -> str:
    """Why billing cannot price periods that a rate check can: the first day the rate (or a
    sub-rate) has no Finished version in effect, and the status of the version that is."""
    for cs in (rate.primary, *rate.subs):
        of = "" if cs is rate.primary else f" of {cs.code}"
        for p in periods:
            day = p.start if cs is rate.primary else p.end
            if any(v.version.status is RateVersionStatus.FINISHED and v.effective <= day
                   for v in cs.versions):
                continue
            pending = [v for v in cs.versions if v.effective <= p.end]
            tail = f" — a {pending[-1].version.status.label} version is not billed yet" \
                if pending else ""
            return f"no Finished version{of} in effect on {day.isoformat()}{tail}"
    return "no Finished version for these periods — a version that is not Finished is not " \
        "billed yet"


def _split_periods(periods: Sequence[BillPeriod], priced: set[PricedKey],
                   shares: Mapping[str, Decimal], decimals: Mapping[str, int]
                   ) -> tuple[list[BillPeriod], list[TouSplit]]:
    """The periods with their consumption without a time of use split for a rate that prices
    ``priced``, and the splits that were used. Raises UnsplittableQuantity when a split is
    needed and the shares of its codes sum to 0."""
    untimed = {(q.uom, q.sqi) for p in periods for q in p.quantities if q.tou is None}
    used = [split for key, split in tou_splits(priced, shares).items() if key in untimed]
    if not used:
        return list(periods), []
    return [BillPeriod(p.start, p.end, split_untimed(p.quantities, shares, priced, decimals),
                       p.accounting_date, p.characteristics, p.intervals)
            for p in periods], used


def _checkable(rate: CompiledRate, periods: Sequence[BillPeriod], chars: Mapping[str, str],
               agreement: EngineAgreement | None, revenue_class: str | None) -> bool:
    """Whether a rate check (Validated versions too) prices the periods that billing cannot:
    then what stops billing is a version that is not Finished yet."""
    try:
        price_periods(rate, periods, characteristics=chars, agreement=agreement,
                      revenue_class=revenue_class, billing=False, detail=False)
    except (RateError, ValidationError):
        return False
    return True


def _price(db: Database, code: str, periods: Sequence[BillPeriod], chars: Mapping[str, str],
           agreement: EngineAgreement | None, revenue_class: str | None
           ) -> tuple[tuple[Decimal | None, ...], Decimal | None, str | None, str | None]:
    """The rate's cost of each period and in all as billing would charge it (Finished
    versions only), or why it cannot be priced; and the rate's currency."""
    rate: CompiledRate | None = None
    try:
        rate = compiled_rate(db, code)
        priced = price_periods(rate, periods, characteristics=chars, agreement=agreement,
                               revenue_class=revenue_class, billing=True, detail=False)
    except BillingError as exc:
        problem = exc.message
        if rate is not None and _checkable(rate, periods, chars, agreement, revenue_class):
            problem = _not_billed_yet(rate, periods)
        return tuple(None for _ in periods), None, problem, rate.currency.code if rate else None
    except (RateError, ValidationError) as exc:
        return (tuple(None for _ in periods), None, str(getattr(exc, "message", exc)),
                rate.currency.code if rate else None)
    return (tuple(p.total for p in priced), sum((p.total for p in priced), ZERO), None,
            rate.currency.code)


def compare_rates(db: Database, request: CompareRequest) -> RateComparison:
    """Price the same consumption through each rate; the cheapest eligible one is marked.

    A rate is eligible when it prices the consumption's units (a gas rate does not price
    kWh), is for the agreement's service type, and every period prices without an error with
    the versions billing uses (Finished only). Consumption without a time of use is split by
    ``request.tou_shares`` for a rate that prices its UOM only by time of use; the rate's
    ``assumption`` says so. Quantities that carry a time of use are priced as given."""
    if not request.months:
        raise ValidationError("Enter the consumption to compare: quantities for a period, or "
                              "the agreement's last 12 months.", "quantities")
    if not request.rate_schedules:
        raise ValidationError("Tick at least one rate schedule to compare.", "rate_schedule")
    lib = rate_library(db)
    agreement = None
    current = None
    service_type = None
    offered: set[str] | None = None
    sa_type = ""
    if request.sa_number:
        with read_only(db) as session:
            sa, customer_class = find_agreement(session, request.sa_number)
            agreement = agreement_snapshot(session, sa, customer_class)
            current, _source = effective_rate(session, sa, rate_history(session, sa),
                                              request.months[-1].end)
            service_type = sa.service_type.value
            offered = _offered(session, sa)
            sa_type = sa.sa_type
    shares = _tou_shares(request.tou_shares)
    periods = []
    for m in request.months:
        if m.end < m.start:
            raise ValidationError(f"The period {m.start.isoformat()} – {m.end.isoformat()} "
                                  "ends before it starts.", "end")
        periods.append(BillPeriod(m.start, m.end, parse_quantities(m.quantities)))
    chars = {t.strip().upper(): v.strip() for t, v in request.characteristics if t.strip()}
    decimals = {code: uom.decimal_positions for code, uom in lib.uoms.items()}
    rows: list[ComparedRate] = []
    currency = "USD"
    for code in dict.fromkeys(request.rate_schedules):
        rs = lib.rate_schedules.get(code)
        if rs is None:
            raise NotFound(f"There is no rate schedule {code}.", "rate_schedule")
        problem = None
        assumption = None
        if service_type is not None and rs.service_type not in (None, service_type):
            problem = f"for {rs.service_type.lower()} service, not {service_type.lower()}"
        elif offered is not None and code not in offered:
            problem = f"not offered to {sa_type} agreements"
        keys = _priced_keys(lib, rs)
        try:
            rate_periods, splits = _split_periods(periods, keys, shares, decimals)
        except UnsplittableQuantity as exc:
            rows.append(ComparedRate(code, rs.description, False,
                                     problem or _unsplittable(exc.split), None, None,
                                     tuple(None for _ in periods), code == current, False))
            continue
        if splits:
            assumption = _assumption(splits)
        used = {(q.uom, q.tou, q.sqi) for p in rate_periods for q in p.quantities}
        if problem is None and (missing := _unpriced(lib, rs, keys, used)):
            problem = f"does not price {', '.join(missing)}"
        monthly, annual, failure, rate_currency = _price(
            db, code, rate_periods, chars, agreement, request.revenue_class)
        problem = problem or failure
        currency = rate_currency or currency
        rows.append(ComparedRate(code, rs.description, problem is None, problem, annual, None,
                                 monthly, code == current, False, assumption))
    eligible = [r for r in rows if r.eligible and r.annual is not None]
    cheapest = min(eligible, key=lambda r: (r.annual, r.code)).code if eligible else None
    base_row = next((r for r in rows if r.current and r.annual is not None), None) or \
        next((r for r in rows if r.code == cheapest), None)
    base = base_row.annual if base_row else None
    final = tuple(
        ComparedRate(r.code, r.description, r.eligible, r.problem, r.annual,
                     r.annual - base if r.annual is not None and base is not None else None,
                     r.monthly, r.current, r.code == cheapest, r.assumption) for r in rows)
    return RateComparison(tuple(request.months), final, cheapest, current, currency)
