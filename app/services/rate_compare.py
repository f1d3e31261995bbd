"""Compare Rates — beyond what the source offers: the same consumption (typed in, or the
agreement's last 12 billed periods) priced through several rate schedules side by side, with the
annual cost of each, the difference to the current rate, and the cheapest eligible one marked.
A CSR answers "am I on the best rate?" in one screen.

It prices through the same engine call as a rate check (`price_periods`, amounts only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine.rates.check import BillPeriod, price_periods
from app.engine.rates.enums import ComponentType, RateScheduleType
from app.engine.rates.errors import BillingError, RateError
from app.models.service_agreements import ServiceAgreement, ServiceAgreementRate
from app.services.context import read_only
from app.services.errors import NotFound, ValidationError
from app.services.rate_check import (
    QuantityInput,
    _agreement,
    _points,
    _quantities,
    _rate_history,
    _rate_on,
    _segment_quantity,
    _segments,
    agreement_snapshot,
)
from app.services.rates import compiled_rate, rate_library

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
        sa = _agreement(session, sa_number)
        segments = _segments(session, sa, months)
        points = [sp.number for sp, _p in _points(session, sa)]
        usage = tuple(UsageMonth(s.start_date, s.end_date,
                                 (_segment_quantity(s, points[0] if points else None),))
                      for s in reversed(segments))
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
            offered = _offered(session, _agreement(session, sa_number))
    lib = rate_library(db)
    return tuple(code for code, rs in sorted(lib.rate_schedules.items())
                 if rs.type is RateScheduleType.PRIMARY and rs.versions
                 and (offered is None or code in offered))


def _unpriced(db: Database, code: str, keys: set[tuple[str | None, str | None, str | None]]
              ) -> list[str]:
    """The consumption keys no SQ component of the rate prices (a TOU rate does not price
    kWh without a time of use). A rate with SQ or register rules may derive its own
    quantities, so nothing is reported for it."""
    rs = rate_library(db).rate_schedules[code]
    if rs.sq_rules or rs.register_rules:
        return []
    priced = {(rc.uom, rc.tou, rc.sqi) for rv in rs.versions for rc in rv.components
              if rc.type is ComponentType.SQ}
    return ["/".join(p for p in key if p) for key in sorted(keys - priced, key=str)]


def compare_rates(db: Database, request: CompareRequest) -> RateComparison:
    """Price the same consumption through each rate; the cheapest eligible one is marked.

    A rate is eligible when it prices the consumption's units (a gas rate does not price
    kWh), is for the agreement's service type, and every period prices without an error."""
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
            sa = _agreement(session, request.sa_number)
            agreement = agreement_snapshot(session, sa)
            current = _rate_on(_rate_history(session, sa), request.months[-1].end)
            service_type = sa.service_type.value
            offered = _offered(session, sa)
            sa_type = sa.sa_type
    periods = []
    used: set[tuple[str | None, str | None, str | None]] = set()
    for m in request.months:
        if m.end < m.start:
            raise ValidationError(f"The period {m.start.isoformat()} – {m.end.isoformat()} "
                                  "ends before it starts.", "end")
        qs = _quantities(m.quantities)
        used.update((q.uom, q.tou, q.sqi) for q in qs)
        periods.append(BillPeriod(m.start, m.end, qs))
    chars = {t.strip().upper(): v.strip() for t, v in request.characteristics if t.strip()}
    rows: list[ComparedRate] = []
    currency = "USD"
    for code in dict.fromkeys(request.rate_schedules):
        rs = lib.rate_schedules.get(code)
        if rs is None:
            raise NotFound(f"There is no rate schedule {code}.", "rate_schedule")
        problem = None
        monthly: tuple[Decimal | None, ...] = tuple(None for _ in periods)
        annual = None
        if service_type is not None and rs.service_type not in (None, service_type):
            problem = f"for {rs.service_type.lower()} service, not {service_type.lower()}"
        elif offered is not None and code not in offered:
            problem = f"not offered to {sa_type} agreements"
        elif missing := _unpriced(db, code, used):
            problem = f"does not price {', '.join(missing)}"
        try:
            rate = compiled_rate(db, code)
            currency = rate.currency.code
            priced = price_periods(rate, periods, characteristics=chars, agreement=agreement,
                                   revenue_class=request.revenue_class, billing=False,
                                   detail=False)
            monthly = tuple(p.total for p in priced)
            annual = sum((p.total for p in priced), Decimal(0))
        except (RateError, BillingError, ValidationError) as exc:
            problem = problem or str(getattr(exc, "message", exc))
        rows.append(ComparedRate(code, rs.description, problem is None, problem, annual, None,
                                 monthly, code == current, False))
    eligible = [r for r in rows if r.eligible and r.annual is not None]
    cheapest = min(eligible, key=lambda r: (r.annual, r.code)).code if eligible else None
    base_row = next((r for r in rows if r.current and r.annual is not None), None) or \
        next((r for r in rows if r.code == cheapest), None)
    base = base_row.annual if base_row else None
    final = tuple(
        ComparedRate(r.code, r.description, r.eligible, r.problem, r.annual,
                     r.annual - base if r.annual is not None and base is not None else None,
                     r.monthly, r.current, r.code == cheapest) for r in rows)
    return RateComparison(tuple(request.months), final, cheapest, current, currency)
