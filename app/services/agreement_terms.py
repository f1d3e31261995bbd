"""A service agreement as the rating engine sees it: its characteristics (and those of its
account, premise and service points), its pricing terms (contract values, riders, tax
exemptions, contract quantities), its revenue class and its rate history.

Rate Check and Compare Rates read agreements through here (later: quote simulations), so the
engine gets the same snapshot whoever asks. Reads are batched: an agreement costs six queries
whatever number of service points and characteristics it has.

An agreement covered by terms of service (spec/60 §B2.5) is rated with the terms' template
agreement where the contract says: `effective_rate` picks the template's rate while the terms
are active, override the rate and the umbrella agreement is effective on the day — every
consumer of an agreement's rate asks it — and the snapshot carries the template's pricing
terms with the umbrella agreement's period, for the bill factors whose ``tos_usage`` looks at
the template. An agreement that is not covered costs no extra query.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.engine.rates import agreements as A
from app.models.accounts import Account, Customer
from app.models.characteristics import CharacteristicValue
from app.models.enums import CustomerClass, TosStatus, UmbrellaStatus
from app.models.premises import Premise
from app.models.rates import SaContractQuantity, SaContractRider, SaContractValue, SaTaxExemption
from app.models.service_agreements import (
    ServiceAgreement,
    ServiceAgreementRate,
    ServiceAgreementServicePoint,
)
from app.models.service_points import ServicePoint
from app.models.umbrella import TermsOfService, UmbrellaAgreement
from app.services.errors import NotFound, ValidationError
from app.services.lookup import check_identifier
from app.services.umbrella import effective_on

#: The revenue class of a customer class (GL distribution by revenue class, spec/20 §2.2).
REVENUE_CLASSES: dict[str, str] = {"RES": "Residential", "COM": "Commercial",
                                   "IND": "Industrial"}
_BY_CUSTOMER_CLASS = {CustomerClass.RESIDENTIAL: "RES", CustomerClass.COMMERCIAL: "COM",
                      CustomerClass.INDUSTRIAL: "IND"}
#: A premise's region (state) is its STATE characteristic unless one is recorded.
STATE = "STATE"


def revenue_class_of(sa_type: str, customer_class: CustomerClass | None) -> str | None:
    """The revenue class of an agreement: its SA type's (E-RES → RES, G-COM → COM), else its
    customer's class."""
    for code in REVENUE_CLASSES:
        if code in sa_type.upper().split("-"):
            return code
    return _BY_CUSTOMER_CLASS.get(customer_class) if customer_class else None


def find_agreement(session: Session, number: str, field: str = "sa_number"
                   ) -> tuple[ServiceAgreement, CustomerClass | None]:
    """The agreement with this ID and its customer's class (one query)."""
    digits = check_identifier(number, field)
    row = session.execute(
        select(ServiceAgreement, Customer.customer_class)
        .join(Account, Account.id == ServiceAgreement.account_id)
        .join(Customer, Customer.id == Account.customer_id)
        .where(ServiceAgreement.number == digits)).first()
    if row is None:
        raise NotFound(f"There is no service agreement {digits}. Check the number.", field)
    return row[0], row[1]


def rate_history(session: Session, sa: ServiceAgreement) -> list[tuple[dt.date, str]]:
    """The agreement's rates as (effective from, rate schedule code), oldest first."""
    return [(day, code) for day, code in session.execute(
        select(ServiceAgreementRate.effective_from, ServiceAgreementRate.rate_schedule_code)
        .where(ServiceAgreementRate.service_agreement_id == sa.id)
        .order_by(ServiceAgreementRate.effective_from)).all()]


def rate_on(history: list[tuple[dt.date, str]], day: dt.date) -> str | None:
    """The rate in force on ``day`` (before the first entry: the first one)."""
    in_effect = [code for effective, code in history if effective <= day]
    return in_effect[-1] if in_effect else (history[0][1] if history else None)


def governing_terms(session: Session, sa: ServiceAgreement
                    ) -> tuple[TermsOfService, UmbrellaAgreement] | None:
    """The terms of service that may rate ``sa`` with their template: ACTIVE, with a
    template agreement, under a COMPLETE umbrella agreement (whether it is effective is a
    question of the day: `effective_on`). None for an agreement not covered (no query)."""
    if sa.terms_of_service_id is None:
        return None
    row = session.execute(
        select(TermsOfService, UmbrellaAgreement)
        .join(UmbrellaAgreement, UmbrellaAgreement.id == TermsOfService.umbrella_agreement_id)
        .where(TermsOfService.id == sa.terms_of_service_id,
               TermsOfService.status == TosStatus.ACTIVE,
               TermsOfService.template_sa_id.is_not(None),
               UmbrellaAgreement.status == UmbrellaStatus.COMPLETE)).first()
    return (row[0], row[1]) if row is not None else None


def effective_rate(session: Session, sa: ServiceAgreement, history: list[tuple[dt.date, str]],
                   day: dt.date) -> tuple[str | None, str]:
    """The rate that rates ``sa`` on ``day`` and whose it is: ("E-COM-1", "SA") — the
    agreement's own, from its ``history`` (`rate_history`) — or the template's, ("RX-10",
    "TOS 1234567890"), when the agreement's terms of service are ACTIVE, have a template and
    override the rate, and their umbrella agreement is effective on ``day`` (spec/60 §B2.5).
    Every consumer of an agreement's rate asks here (rate check, compare rates, quotes)."""
    own = rate_on(history, day)
    found = governing_terms(session, sa)
    if found is None:
        return own, "SA"
    tos, ua = found
    if not tos.overrides_rate or not effective_on(ua, day):
        return own, "SA"
    template = session.get(ServiceAgreement, tos.template_sa_id)
    code = rate_on(rate_history(session, template), day) if template is not None else None
    if code is None:                  # a template without a rate overrides nothing
        return own, "SA"
    return code, f"TOS {tos.number}"


def agreement_points(session: Session, sa: ServiceAgreement
                     ) -> list[tuple[ServicePoint, Premise]]:
    """The agreement's service points with their premises, the newest link first."""
    rows = session.execute(
        select(ServicePoint, Premise)
        .join(ServiceAgreementServicePoint,
              ServiceAgreementServicePoint.service_point_id == ServicePoint.id)
        .join(Premise, Premise.id == ServicePoint.premise_id)
        .where(ServiceAgreementServicePoint.service_agreement_id == sa.id)
        .order_by(ServiceAgreementServicePoint.start_date.desc())).all()
    return [(sp, premise) for sp, premise in rows]


_CharKey = tuple[str, int]


def _characteristics(session: Session, *, agreement: int | None = None,
                     account: int | None = None, premises: Iterable[int] = (),
                     points: Iterable[int] = ()
                     ) -> dict[_CharKey, tuple[A.CharacteristicValue, ...]]:
    """Every characteristic value of the given objects in one query, keyed by
    ("sa" | "account" | "premise" | "sp", row id), oldest first."""
    premise_ids, point_ids = sorted(set(premises)), sorted(set(points))
    conditions = []
    if agreement is not None:
        conditions.append(CharacteristicValue.service_agreement_id == agreement)
    if account is not None:
        conditions.append(CharacteristicValue.account_id == account)
    if premise_ids:
        conditions.append(CharacteristicValue.premise_id.in_(premise_ids))
    if point_ids:
        conditions.append(CharacteristicValue.service_point_id.in_(point_ids))
    found: dict[_CharKey, list[A.CharacteristicValue]] = defaultdict(list)
    if not conditions:
        return {}
    for r in session.scalars(select(CharacteristicValue).where(or_(*conditions)).order_by(
            CharacteristicValue.effective_from, CharacteristicValue.id)):
        value = A.CharacteristicValue(r.characteristic_type_code, r.value, r.effective_from)
        if r.service_agreement_id is not None:
            found["sa", r.service_agreement_id].append(value)
        elif r.account_id is not None:
            found["account", r.account_id].append(value)
        elif r.premise_id is not None:
            found["premise", r.premise_id].append(value)
        elif r.service_point_id is not None:
            found["sp", r.service_point_id].append(value)
    return {key: tuple(values) for key, values in found.items()}


def _premise_chars(chars: dict[_CharKey, tuple[A.CharacteristicValue, ...]],
                   premise: Premise) -> tuple[A.CharacteristicValue, ...]:
    own = chars.get(("premise", premise.id), ())
    if premise.region and not any(c.char_type == STATE for c in own):
        return (A.CharacteristicValue(STATE, premise.region.upper()), *own)
    return own


def _engine_points(chars: dict[_CharKey, tuple[A.CharacteristicValue, ...]],
                   located: list[tuple[ServicePoint, Premise]]) -> tuple[A.ServicePoint, ...]:
    return tuple(A.ServicePoint(sp.number, chars.get(("sp", sp.id), ()), premise_id=p.number,
                                premise_characteristics=_premise_chars(chars, p))
                 for sp, p in located)


def agreement_snapshot(session: Session, sa: ServiceAgreement,
                       customer_class: CustomerClass | None,
                       located: list[tuple[ServicePoint, Premise]] | None = None
                       ) -> A.ServiceAgreement:
    """What the engine knows of an agreement: characteristics of the SA, its account,
    premise and service points, and its pricing terms — with its terms of service's template's
    and the umbrella agreement's period while the terms are ACTIVE and the umbrella agreement
    COMPLETE (the engine checks the day). ``located`` are its service points when the caller
    has read them already."""
    points = agreement_points(session, sa) if located is None else located
    premise = points[0][1] if points else None
    chars = _characteristics(session, agreement=sa.id, account=sa.account_id,
                             premises=[p.id for _sp, p in points],
                             points=[sp.id for sp, _p in points])

    own = pricing_terms(session, sa)
    template: A.ServiceAgreement | None = None
    period = (dt.date.min, dt.date.max)
    found = governing_terms(session, sa)
    if found is not None:
        tos, ua = found
        template_sa = session.get(ServiceAgreement, tos.template_sa_id)
        if template_sa is not None:
            template = pricing_terms(session, template_sa)
            period = (ua.start_date, ua.end_date)
    return A.ServiceAgreement(
        id=sa.number, revenue_class=revenue_class_of(sa.sa_type, customer_class),
        service_type=sa.service_type.value,
        customer_class=customer_class.value if customer_class else None,
        characteristics=chars.get(("sa", sa.id), ()),
        account_characteristics=chars.get(("account", sa.account_id), ()),
        premise_characteristics=_premise_chars(chars, premise) if premise else (),
        service_points=_engine_points(chars, points),
        contract_values=own.contract_values, contract_riders=own.contract_riders,
        tax_exemptions=own.tax_exemptions,
        contract_quantities=tuple(
            A.ContractQuantity(r.contract_quantity_type, r.effective, r.value)
            for r in session.scalars(select(SaContractQuantity).where(
                SaContractQuantity.service_agreement_id == sa.id))),
        template=template, template_start=period[0], template_end=period[1])


def pricing_terms(session: Session, sa: ServiceAgreement) -> A.ServiceAgreement:
    """Only the pricing terms of an agreement — contract values, riders and tax exemptions:
    what a terms of service's template lends the agreements it covers."""
    def rows(model: type) -> list:
        return list(session.scalars(select(model).where(
            model.service_agreement_id == sa.id)))  # type: ignore[attr-defined]

    return A.ServiceAgreement(
        id=sa.number, service_type=sa.service_type.value,
        contract_values=tuple(A.ContractValue(r.bill_factor, r.effective, r.value, r.tou)
                              for r in rows(SaContractValue)),
        contract_riders=tuple(A.ContractRider(r.bill_factor, r.start, r.end)
                              for r in rows(SaContractRider)),
        tax_exemptions=tuple(A.TaxExemption(r.bill_factor, r.effective, r.exempt_percent)
                             for r in rows(SaTaxExemption)))


def named_service_points(session: Session, numbers: dict[str, int],
                         agreement: A.ServiceAgreement | None) -> tuple[A.ServicePoint, ...]:
    """Service points typed beside quantities (number → row of the quantity grid) that are
    not the agreement's: with their own and their premise's characteristics, so a register
    rule can read them (spec/20 §9.1: any SP may be picked, to experiment). An ID that is not
    a service point's is the quantity row's error."""
    own = {sp.id for sp in agreement.service_points} if agreement else set()
    wanted: dict[str, int] = {}
    for typed, row in numbers.items():
        if typed in own:
            continue
        try:
            wanted[check_identifier(typed, "quantities")] = row
        except ValidationError as exc:
            raise ValidationError(f"Quantity row {row}: {exc.message}", "quantities") from None
    if not wanted:
        return ()
    located = [(sp, p) for sp, p in session.execute(
        select(ServicePoint, Premise).join(Premise, Premise.id == ServicePoint.premise_id)
        .where(ServicePoint.number.in_(sorted(wanted))).order_by(ServicePoint.number)).all()]
    missing = sorted(set(wanted) - {sp.number for sp, _p in located}, key=wanted.__getitem__)
    if missing:
        raise NotFound(f"Quantity row {wanted[missing[0]]}: there is no service point "
                       f"{missing[0]}. Pick one of the agreement's, or check the number.",
                       "quantities")
    chars = _characteristics(session, premises=[p.id for _sp, p in located],
                             points=[sp.id for sp, _p in located])
    return _engine_points(chars, located)


__all__ = ["REVENUE_CLASSES", "STATE", "agreement_points", "agreement_snapshot",
           "effective_rate", "find_agreement", "governing_terms", "named_service_points",
           "pricing_terms", "rate_history", "rate_on", "revenue_class_of"]
