"""Rate Check (spec/20 §9): the pane's service.

`check(db, request)` loads the compiled rate (cached, `services.rates`) and, when an SA is
given, its pricing terms and characteristics, then calls the engine's `check_rate` — nothing is
saved. Errors carry the input they concern in `field`, so the pane shows them beside it.
Compare Rates, which prices the same consumption through several rates, is
`services.rate_compare`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine.rates import Quantity, RateCheckResult, RateLibrary, check_rate
from app.engine.rates import agreements as A
from app.engine.rates.enums import RateScheduleType
from app.engine.rates.errors import RateError
from app.models.accounts import Account, Customer
from app.models.characteristics import CharacteristicType, CharacteristicValue
from app.models.enums import CustomerClass
from app.models.financials import BillSegment
from app.models.premises import Premise
from app.models.rates import SaContractQuantity, SaContractRider, SaContractValue, SaTaxExemption
from app.models.service_agreements import (
    ServiceAgreement,
    ServiceAgreementRate,
    ServiceAgreementServicePoint,
)
from app.models.service_points import ServicePoint
from app.services.context import read_only, today
from app.services.errors import NotFound, ValidationError
from app.services.lookup import check_identifier
from app.services.rates import compiled_rate, rate_library

#: The revenue class of a customer class (GL distribution by revenue class, spec/20 §2.2).
REVENUE_CLASSES: dict[str, str] = {"RES": "Residential", "COM": "Commercial",
                                   "IND": "Industrial"}
_BY_CUSTOMER_CLASS = {CustomerClass.RESIDENTIAL: "RES", CustomerClass.COMMERCIAL: "COM",
                      CustomerClass.INDUSTRIAL: "IND"}
LANGUAGES = (("ENG", "English"),)
#: A premise's region (state) is its STATE characteristic unless one is recorded.
STATE = "STATE"


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
    characteristics: tuple[tuple[str, str], ...] = ()
    revenue_class: str | None = None
    language: str = "ENG"


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
class AgreementDefaults:
    sa_number: str
    description: str
    rate_schedule: str | None
    revenue_class: str | None
    characteristics: tuple[tuple[str, str], ...]
    service_points: tuple[str, ...]
    quantities: tuple[QuantityInput, ...]
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class RateCheckOutcome:
    result: RateCheckResult
    rate_description: str
    revenue_class_description: str | None
    request: RateCheckRequest


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


# --- the service agreement -------------------------------------------------------------------


def _agreement(session: Session, number: str) -> ServiceAgreement:
    digits = check_identifier(number, "sa_number")
    sa = session.scalar(select(ServiceAgreement).where(ServiceAgreement.number == digits))
    if sa is None:
        raise NotFound(f"There is no service agreement {digits}. Check the number.",
                       "sa_number")
    return sa


def _rate_history(session: Session, sa: ServiceAgreement) -> list[ServiceAgreementRate]:
    return list(session.scalars(select(ServiceAgreementRate).where(
        ServiceAgreementRate.service_agreement_id == sa.id).order_by(
        ServiceAgreementRate.effective_from)))


def _rate_on(history: list[ServiceAgreementRate], day: dt.date) -> str | None:
    in_effect = [h for h in history if h.effective_from <= day]
    chosen = in_effect[-1] if in_effect else (history[0] if history else None)
    return chosen.rate_schedule_code if chosen else None


def _chars(session: Session, **target: int) -> tuple[A.CharacteristicValue, ...]:
    (column, value), = target.items()
    rows = session.scalars(select(CharacteristicValue).where(
        getattr(CharacteristicValue, column) == value).order_by(
        CharacteristicValue.effective_from))
    return tuple(A.CharacteristicValue(r.characteristic_type_code, r.value, r.effective_from)
                 for r in rows)


def _points(session: Session, sa: ServiceAgreement) -> list[tuple[ServicePoint, Premise]]:
    rows = session.execute(
        select(ServicePoint, Premise)
        .join(ServiceAgreementServicePoint,
              ServiceAgreementServicePoint.service_point_id == ServicePoint.id)
        .join(Premise, Premise.id == ServicePoint.premise_id)
        .where(ServiceAgreementServicePoint.service_agreement_id == sa.id)
        .order_by(ServiceAgreementServicePoint.start_date.desc())).all()
    return [(sp, premise) for sp, premise in rows]


def _premise_chars(session: Session, premise: Premise) -> tuple[A.CharacteristicValue, ...]:
    chars = _chars(session, premise_id=premise.id)
    if premise.region and not any(c.char_type == STATE for c in chars):
        chars = (A.CharacteristicValue(STATE, premise.region.upper()), *chars)
    return chars


def revenue_class_of(sa_type: str, customer_class: CustomerClass | None) -> str | None:
    """The revenue class of an agreement: its SA type's (E-RES → RES, G-COM → COM), else its
    customer's class."""
    for code in REVENUE_CLASSES:
        if code in sa_type.upper().split("-"):
            return code
    return _BY_CUSTOMER_CLASS.get(customer_class) if customer_class else None


def _customer_class(session: Session, sa: ServiceAgreement) -> CustomerClass | None:
    return session.scalar(select(Customer.customer_class).join(
        Account, Account.customer_id == Customer.id).where(Account.id == sa.account_id))


def agreement_snapshot(session: Session, sa: ServiceAgreement) -> A.ServiceAgreement:
    """What the engine knows of an agreement: characteristics of the SA, its account and
    premise, its service points, and its pricing terms."""
    points = _points(session, sa)
    premise = points[0][1] if points else None
    cls = _customer_class(session, sa)

    def rows(model: type) -> list:
        return list(session.scalars(select(model).where(
            model.service_agreement_id == sa.id)))  # type: ignore[attr-defined]

    return A.ServiceAgreement(
        id=sa.number, revenue_class=revenue_class_of(sa.sa_type, cls),
        service_type=sa.service_type.value, customer_class=cls.value if cls else None,
        characteristics=_chars(session, service_agreement_id=sa.id),
        account_characteristics=_chars(session, account_id=sa.account_id),
        premise_characteristics=_premise_chars(session, premise) if premise else (),
        service_points=tuple(A.ServicePoint(
            sp.number, _chars(session, service_point_id=sp.id), premise_id=p.number,
            premise_characteristics=_premise_chars(session, p)) for sp, p in points),
        contract_values=tuple(A.ContractValue(r.bill_factor, r.effective, r.value, r.tou)
                              for r in rows(SaContractValue)),
        contract_riders=tuple(A.ContractRider(r.bill_factor, r.start, r.end)
                              for r in rows(SaContractRider)),
        tax_exemptions=tuple(A.TaxExemption(r.bill_factor, r.effective, r.exempt_percent)
                             for r in rows(SaTaxExemption)),
        contract_quantities=tuple(A.ContractQuantity(r.contract_quantity_type, r.effective,
                                                     r.value)
                                  for r in rows(SaContractQuantity)))


def _segments(session: Session, sa: ServiceAgreement, limit: int) -> list[BillSegment]:
    return list(session.scalars(select(BillSegment).where(
        BillSegment.service_agreement_id == sa.id).order_by(
        BillSegment.end_date.desc()).limit(limit)))


def _segment_quantity(seg: BillSegment, sp: str | None) -> QuantityInput:
    return QuantityInput(seg.uom, None, None, f"{seg.quantity.normalize():f}", sp)


def agreement_defaults(db: Database, sa_number: str) -> AgreementDefaults:
    """What the Rate Check pane fills in for an agreement: its current rate, revenue class,
    characteristics (SA, premise and account, newest value of each), service points, and the
    quantities and period of its last bill segment (or this month, with no quantity)."""
    with read_only(db) as session:
        sa = _agreement(session, sa_number)
        snapshot = agreement_snapshot(session, sa)
        history = _rate_history(session, sa)
        last = _segments(session, sa, 1)
        located = _points(session, sa)
        points = [sp.number for sp, _p in located]
        premise = located[0][1] if located else None
        where = f" at {premise.address_line1}, {premise.city}" if premise else ""
        description = f"{sa.service_type.value.title()} {sa.sa_type}{where} ({sa.status.value})"
        number = sa.number
        on = today()
        if last:
            start, end = last[0].start_date, last[0].end_date
            quantities: tuple[QuantityInput, ...] = (
                _segment_quantity(last[0], points[0] if points else None),)
        else:
            start = on.replace(day=1)
            end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            quantities = ()
        rate = _rate_on(history, end)
    chars: dict[str, str] = {}
    for group in (snapshot.account_characteristics, snapshot.premise_characteristics,
                  snapshot.characteristics):
        for cv in sorted(group, key=lambda c: c.effective):
            if cv.effective <= end:
                chars[cv.char_type] = cv.value
    return AgreementDefaults(
        sa_number=number, description=description,
        rate_schedule=rate, revenue_class=snapshot.revenue_class,
        characteristics=tuple(sorted(chars.items())), service_points=tuple(points),
        quantities=quantities, start=start, end=end)


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


def _quantities(rows: tuple[QuantityInput, ...]) -> list[Quantity]:
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
    agreement = None
    code = (request.rate_schedule or "").strip().upper() or None
    if request.sa_number and request.sa_number.strip():
        with read_only(db) as session:
            sa = _agreement(session, request.sa_number)
            agreement = agreement_snapshot(session, sa)
            if code is None:
                code = _rate_on(_rate_history(session, sa), request.end)
                if code is None:
                    raise ValidationError(f"Service agreement {sa.number} has no rate: pick "
                                          "a rate schedule.", "rate_schedule")
    if code is None:
        raise ValidationError("Pick a rate schedule, or enter a service agreement to use its "
                              "current rate.", "rate_schedule")
    lib = rate_library(db)
    schedule = lib.rate_schedules.get(code)
    if schedule is None:
        raise NotFound(f"There is no rate schedule {code}. Pick one from the list.",
                       "rate_schedule")
    if schedule.type is RateScheduleType.SUBSIDIARY:
        raise ValidationError(f"{code} is a sub-rate: check the primary rate that uses it.",
                              "rate_schedule")
    quantities = _quantities(request.quantities)
    chars = {}
    for i, (ctype, value) in enumerate(request.characteristics, start=1):
        if ctype.strip() and not value.strip():
            raise ValidationError(f"Characteristic row {i}: enter a value for {ctype}, or "
                                  "remove the row.", "characteristics")
        if ctype.strip():
            chars[ctype.strip().upper()] = value.strip()
    if request.revenue_class and request.revenue_class not in _revenue_classes(lib):
        raise ValidationError(f"There is no revenue class {request.revenue_class}.",
                              "revenue_class")
    rate = compiled_rate(db, code)
    try:
        result = check_rate(rate, start=request.start, end=request.end,
                            quantities=quantities, characteristics=chars, agreement=agreement,
                            revenue_class=request.revenue_class or None,
                            accounting_date=request.accounting_date,
                            language=request.language)
    except RateError as exc:
        message = str(exc)
        raise ValidationError(message[0].upper() + message[1:] + ("" if message.endswith(".")
                                                                  else "."),
                              _field_of(message)) from None
    revenue = result.revenue_class
    return RateCheckOutcome(result, schedule.description,
                            REVENUE_CLASSES.get(revenue, revenue) if revenue else None,
                            request)


def today_period() -> tuple[dt.date, dt.date]:
    start = today().replace(day=1)
    return start, (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
