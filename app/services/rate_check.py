"""Rate Check (spec/20 §9): the pane's service.

`check(db, request)` loads the compiled rate (cached, `services.rates`) and, when an SA is
given, its pricing terms and characteristics (`services.agreement_terms`), then calls the
engine's `check_rate` — nothing is saved. Errors carry the input they concern in `field`, so
the pane shows them beside it.

`agreement_defaults` is what the pane fills in for an agreement (or for one of its bill
segments, spec/20 §9.1 Bill Seg ID): rate, revenue class, period, accounting date, quantities
with their service point, and the SA's characteristics as hints. A check of a bill segment
carries what that segment billed, so a CSR sees "billed $X, the rate gives $Y".

Compare Rates, which prices the same consumption through several rates, is
`services.rate_compare`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine.rates import Quantity, RateCheckResult, RateLibrary, check_rate
from app.engine.rates import agreements as A
from app.engine.rates.enums import RateScheduleType
from app.engine.rates.errors import RateError
from app.models.characteristics import CharacteristicType
from app.models.enums import SAStatus
from app.models.financials import Bill, BillSegment
from app.models.service_agreements import ServiceAgreement, ServiceAgreementRate
from app.services import agreement_terms
from app.services.agreement_terms import (
    REVENUE_CLASSES,
    agreement_points,
    effective_rate,
    find_agreement,
    named_service_points,
    rate_history,
)
from app.services.context import read_only, today
from app.services.errors import NotFound, ValidationError
from app.services.financials import bill_segment_id, bill_segment_number
from app.services.lookup import check_identifier
from app.services.rates import rate_library, rates_in_force

LANGUAGES = (("ENG", "English"),)
#: How many of an agreement's bill segments the pane offers.
SEGMENTS_OFFERED = 24


# --- DTOs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuantityInput:
    uom: str | None
    tou: str | None
    sqi: str | None
    #: As typed ("1,200.5"); checked by the service.
    quantity: str
    service_point: str | None = None


@dataclass(frozen=True)
class RateCheckRequest:
    rate_schedule: str | None = None
    sa_number: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    accounting_date: dt.date | None = None
    quantities: tuple[QuantityInput, ...] = ()
    #: Typed in; they win over the agreement's for the whole period (spec/20 §9.1).
    characteristics: tuple[tuple[str, str], ...] = ()
    #: Blank: the agreement's. Required without an agreement.
    revenue_class: str | None = None
    language: str = "ENG"
    #: A bill segment ID: the check is of that segment (its agreement; what it billed).
    bill_segment: str | None = None


@dataclass(frozen=True)
class RateCheckChoices:
    rate_schedules: tuple[tuple[str, str], ...]
    revenue_classes: tuple[tuple[str, str], ...]
    uoms: tuple[tuple[str, str], ...]
    tous: tuple[tuple[str, str], ...]
    sqis: tuple[tuple[str, str], ...]
    languages: tuple[tuple[str, str], ...]
    characteristic_types: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class BilledSegment:
    """A bill segment of an agreement: what billing rated and charged for one period."""

    number: str
    sa_number: str
    start: dt.date
    end: dt.date
    bill_date: dt.date
    quantity: Decimal
    uom: str
    amount: Decimal
    #: The agreement's service point the reads came from.
    service_point: str | None

    @property
    def quantities(self) -> tuple[QuantityInput, ...]:
        return (QuantityInput(self.uom, None, None, f"{self.quantity.normalize():f}",
                              self.service_point),)


@dataclass(frozen=True)
class AgreementDefaults:
    sa_number: str
    description: str
    rate_schedule: str | None
    revenue_class: str | None
    #: The agreement's characteristics (SA, premise, account; the newest value of each on
    #: the end date): hints — the engine reads them day by day from the agreement itself.
    characteristics: tuple[tuple[str, str], ...]
    service_points: tuple[str, ...]
    quantities: tuple[QuantityInput, ...]
    start: dt.date
    end: dt.date
    #: The bill segment the period and quantities come from (None: no bill yet).
    bill_segment: BilledSegment | None = None
    #: The agreement's bill segments, newest first (at most SEGMENTS_OFFERED).
    bill_segments: tuple[BilledSegment, ...] = ()

    @property
    def accounting_date(self) -> dt.date | None:
        return self.bill_segment.bill_date if self.bill_segment else None


@dataclass(frozen=True)
class RateCheckOutcome:
    result: RateCheckResult
    rate_description: str
    revenue_class_description: str | None
    request: RateCheckRequest
    #: The bill segment checked, with what it billed.
    billed: BilledSegment | None = None

    @property
    def billed_difference(self) -> Decimal | None:
        """The check's total minus what the bill segment charged."""
        return self.result.total - self.billed.amount if self.billed else None


# --- choices ---------------------------------------------------------------------------------


def _revenue_classes(lib: RateLibrary) -> dict[str, str]:
    """The customer classes' revenue classes and every one a rate's GL distribution names."""
    classes = dict(REVENUE_CLASSES)
    for rs in lib.rate_schedules.values():
        for rv in rs.versions:
            for rc in rv.components:
                if rc.gl is not None:
                    for code in rc.gl.by_revenue_class:
                        classes.setdefault(code, code)
    return classes


def rate_check_choices(db: Database) -> RateCheckChoices:
    lib = rate_library(db)
    classes = _revenue_classes(lib)
    with read_only(db) as session:
        types = tuple((t.code, t.description) for t in session.scalars(
            select(CharacteristicType).order_by(CharacteristicType.code)))
    bf_types = {bf.char_type for bf in lib.bill_factors.values() if bf.char_type != "N/A"}
    known = {code for code, _ in types}
    types += tuple((code, code) for code in sorted(bf_types - known))
    return RateCheckChoices(
        rate_schedules=tuple((code, rs.description) for code, rs in sorted(
            lib.rate_schedules.items()) if rs.type is RateScheduleType.PRIMARY),
        revenue_classes=tuple(sorted(classes.items())),
        uoms=tuple((u.code, u.description) for u in lib.uoms.values()),
        tous=tuple((t.code, t.description) for t in lib.tous.values()),
        sqis=tuple((s.code, s.description) for s in lib.sqis.values()),
        languages=LANGUAGES,
        characteristic_types=tuple(sorted(types)))


# --- the service agreement and its bill segments ---------------------------------------------


def _segment_rows(session: Session, *where: ColumnElement[bool], limit: int
                  ) -> list[tuple[BillSegment, dt.date, str]]:
    return [(seg, bill_date, number) for seg, bill_date, number in session.execute(
        select(BillSegment, Bill.bill_date, ServiceAgreement.number)
        .join(Bill, Bill.id == BillSegment.bill_id)
        .join(ServiceAgreement, ServiceAgreement.id == BillSegment.service_agreement_id)
        .where(*where).order_by(BillSegment.end_date.desc(), BillSegment.id.desc())
        .limit(limit)).all()]


def _billed(row: tuple[BillSegment, dt.date, str], point: str | None) -> BilledSegment:
    seg, bill_date, sa_number = row
    return BilledSegment(bill_segment_number(seg.id), sa_number, seg.start_date, seg.end_date,
                         bill_date, seg.quantity, seg.uom, seg.amount, point)


def billed_segments(session: Session, sa: ServiceAgreement, point: str | None,
                    limit: int = SEGMENTS_OFFERED) -> tuple[BilledSegment, ...]:
    """The agreement's bill segments, newest first."""
    return tuple(_billed(row, point) for row in _segment_rows(
        session, BillSegment.service_agreement_id == sa.id, limit=limit))


def find_bill_segment(session: Session, number: str, point: str | None = None
                      ) -> BilledSegment:
    digits = check_identifier(number, "bill_segment")
    row_id = bill_segment_id(digits)
    rows = _segment_rows(session, BillSegment.id == row_id, limit=1) if row_id else []
    if not rows:
        raise NotFound(f"There is no bill segment {digits}. Pick one of the agreement's "
                       "bills from the list.", "bill_segment")
    return _billed(rows[0], point)


def _hints(snapshot: A.ServiceAgreement, on: dt.date) -> tuple[tuple[str, str], ...]:
    chars: dict[str, str] = {}
    for group in (snapshot.account_characteristics, snapshot.premise_characteristics,
                  snapshot.characteristics):
        for cv in sorted(group, key=lambda c: c.effective):
            if cv.effective <= on:
                chars[cv.char_type] = cv.value
    return tuple(sorted(chars.items()))


def agreement_defaults(db: Database, sa_number: str | None = None,
                       bill_segment: str | None = None) -> AgreementDefaults:
    """What the Rate Check pane fills in for an agreement — or for one of its bill segments
    (spec/20 §9.1: the segment gives the agreement, period, accounting date and quantities):
    its rate on the period's end, revenue class, characteristics as hints, service points,
    and the period and quantities of the segment (by default its last; none yet: this month,
    with no quantity)."""
    with read_only(db) as session:
        chosen = find_bill_segment(session, bill_segment) if bill_segment else None
        if chosen is not None and sa_number and sa_number.strip() \
                and sa_number.replace(" ", "") != chosen.sa_number:
            raise ValidationError(f"Bill segment {chosen.number} is of service agreement "
                                  f"{chosen.sa_number}, not {sa_number}.", "bill_segment")
        number = chosen.sa_number if chosen else (sa_number or "")
        sa, customer_class = find_agreement(session, number)
        located = agreement_points(session, sa)
        snapshot = agreement_terms.agreement_snapshot(session, sa, customer_class, located)
        points = [sp.number for sp, _p in located]
        point = points[0] if points else None
        segments = billed_segments(session, sa, point)
        last = chosen or (segments[0] if segments else None)
        rate, _source = effective_rate(session, sa, rate_history(session, sa),
                                       last.end if last else today_period()[1])
        premise = located[0][1] if located else None
        where = f" at {premise.address_line1}, {premise.city}" if premise else ""
        description = f"{sa.service_type.value.title()} {sa.sa_type}{where} ({sa.status.value})"
        number = sa.number
    segment = chosen or (segments[0] if segments else None)
    if segment is not None:
        segment = replace(segment, service_point=point)
        start, end, quantities = segment.start, segment.end, segment.quantities
    else:
        start, end = today_period()
        quantities = ()
    return AgreementDefaults(
        sa_number=number, description=description,
        rate_schedule=rate,
        revenue_class=snapshot.revenue_class, characteristics=_hints(snapshot, end),
        service_points=tuple(points), quantities=quantities, start=start, end=end,
        bill_segment=segment, bill_segments=segments)


# --- checking --------------------------------------------------------------------------------


def parse_quantity(text: str, row: int) -> Decimal:
    cleaned = (text or "").strip().replace(",", "")
    if not cleaned:
        raise ValidationError(f"Quantity row {row}: enter a quantity, or remove the row.",
                              "quantities")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(f"Quantity row {row}: '{text}' is not a number. Type digits, "
                              "for example 1200 or 1,200.5.", "quantities") from None
    if not value.is_finite() or abs(value) >= Decimal("1e15"):
        raise ValidationError(f"Quantity row {row}: '{text}' is not a usable quantity.",
                              "quantities")
    return value


def parse_quantities(rows: tuple[QuantityInput, ...]) -> list[Quantity]:
    out = []
    for i, q in enumerate(rows, start=1):
        if not (q.uom or q.tou or q.sqi):
            raise ValidationError(f"Quantity row {i}: pick a unit of measure (or a TOU or "
                                  "SQI) for the quantity.", "quantities")
        out.append(Quantity(q.uom or None, parse_quantity(q.quantity, i), q.tou or None,
                            q.sqi or None, q.service_point or None))
    return out


def _field_of(message: str) -> str | None:
    text = message.lower()
    if "characteristic" in text:
        return "characteristics"
    if "service quantity" in text or "quantity" in text:
        return "quantities"
    if "revenue class" in text:
        return "revenue_class"
    if "end date" in text:
        return "end"
    if "rate version" in text or "version" in text:
        return "rate_schedule"
    return None


def check(db: Database, request: RateCheckRequest) -> RateCheckOutcome:
    """Rate the period with the request's rate (or the SA's current rate); nothing is saved."""
    if request.start is None:
        raise ValidationError("Enter the start date of the bill period.", "start")
    if request.end is None:
        raise ValidationError("Enter the end date of the bill period.", "end")
    if request.end < request.start:
        raise ValidationError(
            f"The end date {request.end.isoformat()} is before the start date "
            f"{request.start.isoformat()}: the period runs from start to end.", "end")
    if (request.end - request.start).days > 366:
        raise ValidationError("A bill period is at most a year: shorten the period.", "end")
    if request.language not in dict(LANGUAGES):
        raise ValidationError(f"Bills are printed in {', '.join(n for _c, n in LANGUAGES)} "
                              "only.", "language")
    code = (request.rate_schedule or "").strip().upper() or None
    sa_number = (request.sa_number or "").replace(" ", "").strip() or None
    agreement: A.ServiceAgreement | None = None
    billed: BilledSegment | None = None
    typed_points = {q.service_point.strip(): i for i, q in enumerate(request.quantities, 1)
                    if q.service_point and q.service_point.strip()}
    with read_only(db) as session:
        if request.bill_segment and request.bill_segment.strip():
            billed = find_bill_segment(session, request.bill_segment)
            if sa_number and sa_number != billed.sa_number:
                raise ValidationError(f"Bill segment {billed.number} is of service agreement "
                                      f"{billed.sa_number}, not {sa_number}: clear the bill "
                                      "segment to check another agreement.", "bill_segment")
            sa_number = billed.sa_number
        if sa_number:
            sa, customer_class = find_agreement(session, sa_number)
            agreement = agreement_terms.agreement_snapshot(session, sa, customer_class)
            if billed is not None and agreement.service_points:
                billed = replace(billed, service_point=agreement.service_points[0].id)
            if code is None:
                code, _source = effective_rate(session, sa, rate_history(session, sa),
                                               request.end)
                if code is None:
                    raise ValidationError(f"Service agreement {sa.number} has no rate: pick "
                                          "a rate schedule.", "rate_schedule")
        named = named_service_points(session, typed_points, agreement)
    if code is None:
        raise ValidationError("Pick a rate schedule, or enter a service agreement to use its "
                              "current rate.", "rate_schedule")
    rates = rates_in_force(db)
    lib = rates.library
    schedule = lib.rate_schedules.get(code)
    if schedule is None:
        raise NotFound(f"There is no rate schedule {code}. Pick one from the list.",
                       "rate_schedule")
    if schedule.type is RateScheduleType.SUBSIDIARY:
        raise ValidationError(f"{code} is a sub-rate: check the primary rate that uses it.",
                              "rate_schedule")
    quantities = parse_quantities(request.quantities)
    chars = {}
    for i, (ctype, value) in enumerate(request.characteristics, start=1):
        if ctype.strip() and not value.strip():
            raise ValidationError(f"Characteristic row {i}: enter a value for {ctype}, or "
                                  "remove the row.", "characteristics")
        if ctype.strip():
            chars[ctype.strip().upper()] = value.strip()
    revenue_class = (request.revenue_class or "").strip().upper() or (
        agreement.revenue_class if agreement else None)
    if revenue_class is None:
        raise ValidationError(
            "Pick the revenue class: it chooses the GL distribution code of every line"
            + (f" (service agreement {agreement.id} has none)." if agreement else "."),
            "revenue_class")
    if revenue_class not in _revenue_classes(lib):
        raise ValidationError(f"There is no revenue class {revenue_class}. Pick one from the "
                              "list.", "revenue_class")
    rate = rates.rate(code)
    try:
        result = check_rate(rate, start=request.start, end=request.end,
                            quantities=quantities, characteristics=chars, agreement=agreement,
                            revenue_class=revenue_class,
                            accounting_date=request.accounting_date,
                            language=request.language, service_points=named)
    except RateError as exc:
        message = str(exc)
        raise ValidationError(message[0].upper() + message[1:] + ("" if message.endswith(".")
                                                                  else "."),
                              _field_of(message)) from None
    return RateCheckOutcome(result, schedule.description,
                            REVENUE_CLASSES.get(revenue_class, revenue_class), request, billed)


def today_period() -> tuple[dt.date, dt.date]:
    start = today().replace(day=1)
    return start, (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def showcase_agreement(db: Database, rate_schedule: str = "E-RES-1") -> str | None:
    """An active agreement on ``rate_schedule`` with a few bills (screenshots, benchmarks)."""
    with read_only(db) as session:
        billed = select(BillSegment.service_agreement_id).group_by(
            BillSegment.service_agreement_id).having(func.count() >= 3)
        current = select(ServiceAgreementRate.service_agreement_id).where(
            ServiceAgreementRate.rate_schedule_code == rate_schedule)
        return session.scalar(
            select(ServiceAgreement.number).where(
                ServiceAgreement.status == SAStatus.ACTIVE,
                ServiceAgreement.id.in_(billed), ServiceAgreement.id.in_(current))
            .order_by(ServiceAgreement.id).limit(1))
