"""Umbrella agreements and their terms of service (spec/60 §B2): a negotiated contract whose
terms of service group agreements — real and proposal ones — and may name a template
agreement whose rate and pricing terms apply to them while the contract is in effect
(`services.agreement_terms.effective_rate` and `agreement_snapshot`).

Lifecycles (§B2.3, §B2.4), each step one transaction:

* umbrella agreement: created PENDING; Complete (≥ 1 terms, none pending, ≥ 1 active) →
  COMPLETE; Reopen → PENDING; Delete (PENDING only) removes it and its terms, unlinking
  their agreements first.
* terms of service: created PENDING; Activate → ACTIVE; Pend → PENDING (only while the
  umbrella agreement is PENDING); Cancel → CANCELED (unlinks every agreement, the record is
  kept); Delete (PENDING, or ACTIVE while the umbrella agreement is PENDING).

An agreement belongs to at most one terms of service; a template is never covered by terms
itself. Everyone may read; rate analysts and supervisors (and admins) change. Every step
locks the umbrella agreement's row first (then its terms, then agreements), so a Complete
and a Pend or a Link racing on another workstation cannot both pass their guards; a save
over another user's newer one is refused and names who saved it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Account, ServiceAgreement, ServiceAgreementRate
from app.models.enums import SAStatus, TosStatus, UmbrellaStatus, UserRole
from app.models.umbrella import TermsOfService, UmbrellaAgreement
from app.services.common import (
    check_period,
    check_version,
    get_by_number,
    new_number,
    optional_text,
    required_text,
)
from app.services.context import Actor, read_only, today, transaction
from app.services.errors import NotFound, ValidationError
from app.services.lookup import check_identifier

EDITORS = (UserRole.RATE_ANALYST, UserRole.SUPERVISOR)
READ_ONLY_NOTE = ("You can read umbrella agreements; changing them needs the Rate Analyst or "
                  "Supervisor role.")
COMMENTS_MAX = 2000


# --- DTOs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UmbrellaForm:
    description: str
    start_date: dt.date | None
    end_date: dt.date | None
    comments: str | None = None


@dataclass(frozen=True)
class TermsForm:
    description: str
    #: The template agreement's ID; blank: the terms only group agreements.
    template_sa_number: str | None = None
    #: The template's rate replaces the covered agreements' own (spec/60 §B2.5).
    overrides_rate: bool = True


@dataclass(frozen=True)
class LinkedAgreement:
    number: str
    account_number: str
    sa_type: str
    status: SAStatus
    is_proposal: bool
    start_date: dt.date


@dataclass(frozen=True)
class TermsView:
    number: str
    description: str
    status: TosStatus
    template_sa_number: str | None
    #: The template's rate today (None: no template, or it has no rate).
    template_rate: str | None
    overrides_rate: bool
    agreements: tuple[LinkedAgreement, ...]
    version: int
    updated_by: str


@dataclass(frozen=True)
class UmbrellaView:
    number: str
    description: str
    status: UmbrellaStatus
    start_date: dt.date
    end_date: dt.date
    comments: str | None
    terms: tuple[TermsView, ...]
    version: int
    updated_by: str

    def effective_on(self, day: dt.date) -> bool:
        return effective_on(self, day)

    def terms_numbered(self, number: str) -> TermsView | None:
        return next((t for t in self.terms if t.number == number), None)


@dataclass(frozen=True)
class UmbrellaSummary:
    """One row of the umbrella agreement list."""

    number: str
    description: str
    status: UmbrellaStatus
    start_date: dt.date
    end_date: dt.date
    terms_count: int
    agreements_count: int


class _Dated(Protocol):
    @property
    def status(self) -> UmbrellaStatus: ...

    @property
    def start_date(self) -> dt.date: ...

    @property
    def end_date(self) -> dt.date: ...


def effective_on(ua: _Dated, day: dt.date) -> bool:
    """An umbrella agreement is effective on ``day`` when it is COMPLETE and ``day`` falls in
    its period (spec/60 §B2.3); only then do its terms matter for rating."""
    return ua.status is UmbrellaStatus.COMPLETE and ua.start_date <= day <= ua.end_date


def can_change(actor: Actor) -> bool:
    return actor.has_any(*EDITORS)


# --- reading ---------------------------------------------------------------------------------


def _rates_today(session: Session, sa_ids: list[int]) -> dict[int, str]:
    """Agreement id → its rate today (its first one when it starts later)."""
    found: dict[int, str] = {}
    if not sa_ids:
        return found
    day = today()
    for sa_id, effective, code in session.execute(
            select(ServiceAgreementRate.service_agreement_id, ServiceAgreementRate.effective_from,
                   ServiceAgreementRate.rate_schedule_code)
            .where(ServiceAgreementRate.service_agreement_id.in_(sa_ids))
            .order_by(ServiceAgreementRate.service_agreement_id,
                      ServiceAgreementRate.effective_from)):
        if effective <= day or sa_id not in found:
            found[sa_id] = code
    return found


def view_in(session: Session, ua: UmbrellaAgreement) -> UmbrellaView:
    terms = list(session.scalars(select(TermsOfService)
                                 .where(TermsOfService.umbrella_agreement_id == ua.id)
                                 .order_by(TermsOfService.id)))
    linked: dict[int, list[LinkedAgreement]] = {t.id: [] for t in terms}
    if terms:
        for sa, account_number in session.execute(
                select(ServiceAgreement, Account.number)
                .join(Account, Account.id == ServiceAgreement.account_id)
                .where(ServiceAgreement.terms_of_service_id.in_(list(linked)))
                .order_by(ServiceAgreement.is_proposal, ServiceAgreement.number)):
            assert sa.terms_of_service_id is not None
            linked[sa.terms_of_service_id].append(LinkedAgreement(
                sa.number, account_number, sa.sa_type, sa.status, sa.is_proposal,
                sa.start_date))
    template_ids = sorted({t.template_sa_id for t in terms if t.template_sa_id is not None})
    numbers = {sa_id: number for sa_id, number in session.execute(
        select(ServiceAgreement.id, ServiceAgreement.number)
        .where(ServiceAgreement.id.in_(template_ids)))} if template_ids else {}
    rates = _rates_today(session, template_ids)
    return UmbrellaView(
        ua.number, ua.description, ua.status, ua.start_date, ua.end_date, ua.comments,
        tuple(TermsView(t.number, t.description, t.status,
                        numbers.get(t.template_sa_id) if t.template_sa_id else None,
                        rates.get(t.template_sa_id) if t.template_sa_id else None,
                        t.overrides_rate, tuple(linked[t.id]), t.version, t.updated_by)
              for t in terms),
        ua.version, ua.updated_by)


def get_umbrella_agreement(db: Database, number: str) -> UmbrellaView:
    with read_only(db) as session:
        return view_in(session, _umbrella(session, number))


def list_umbrella_agreements(db: Database, text: str = "") -> list[UmbrellaSummary]:
    """Umbrella agreements whose ID starts with, or description or status contains, ``text``
    (all of them when blank), the latest start first."""
    terms_count = (select(func.count(TermsOfService.id))
                   .where(TermsOfService.umbrella_agreement_id == UmbrellaAgreement.id)
                   .correlate(UmbrellaAgreement).scalar_subquery())
    agreements_count = (select(func.count(ServiceAgreement.id))
                        .join(TermsOfService,
                              TermsOfService.id == ServiceAgreement.terms_of_service_id)
                        .where(TermsOfService.umbrella_agreement_id == UmbrellaAgreement.id)
                        .correlate(UmbrellaAgreement).scalar_subquery())
    query = select(UmbrellaAgreement, terms_count, agreements_count)
    wanted = (text or "").strip()
    if wanted:
        digits = wanted.replace(" ", "")
        statuses = [s for s in UmbrellaStatus if wanted.lower() in s.label.lower()]
        conditions = [func.lower(UmbrellaAgreement.description).contains(wanted.lower()),
                      UmbrellaAgreement.number.startswith(digits)]
        if statuses:
            conditions.append(UmbrellaAgreement.status.in_(statuses))
        query = query.where(or_(*conditions))
    with read_only(db) as session:
        return [UmbrellaSummary(ua.number, ua.description, ua.status, ua.start_date, ua.end_date,
                                int(n_terms or 0), int(n_sas or 0))
                for ua, n_terms, n_sas in session.execute(
                    query.order_by(UmbrellaAgreement.start_date.desc(),
                                   UmbrellaAgreement.number))]


# --- helpers ---------------------------------------------------------------------------------


def _umbrella(session: Session, number: str, *, lock: bool = False) -> UmbrellaAgreement:
    return get_by_number(session, UmbrellaAgreement, number, "umbrella agreement",
                         "umbrella_agreement", lock=lock)


def _locked_terms(session: Session, number: str) -> tuple[TermsOfService, UmbrellaAgreement]:
    """The terms and their umbrella agreement, both locked — the umbrella agreement first, as
    every change here does, so two workstations never wait on each other in a circle."""
    digits = check_identifier(number, "terms_of_service")
    ua_id = session.scalar(select(TermsOfService.umbrella_agreement_id)
                           .where(TermsOfService.number == digits))
    if ua_id is None:
        raise NotFound(f"There are no terms of service {digits}. Check the number.",
                       "terms_of_service")
    ua = session.scalar(select(UmbrellaAgreement).where(UmbrellaAgreement.id == ua_id)
                        .with_for_update())
    tos = session.scalar(select(TermsOfService).where(TermsOfService.number == digits)
                         .with_for_update())
    if ua is None or tos is None:       # deleted in between
        raise NotFound(f"Terms of service {digits} were just deleted by another user. Reload.",
                       "terms_of_service")
    return tos, ua


def _period(form: UmbrellaForm) -> tuple[dt.date, dt.date]:
    if form.start_date is None:
        raise ValidationError("Enter the start date of the umbrella agreement.", "start_date")
    if form.end_date is None:
        raise ValidationError("Enter the end date of the umbrella agreement: it is required "
                              "even when the contract is renewed.", "end_date")
    check_period(form.start_date, form.end_date)
    return form.start_date, form.end_date


def _fill_umbrella(ua: UmbrellaAgreement, form: UmbrellaForm) -> None:
    description = required_text(form.description, "description", "a description", 100)
    start, end = _period(form)
    comments = optional_text(form.comments, "comments", "the comments", COMMENTS_MAX)
    ua.description, ua.start_date, ua.end_date, ua.comments = description, start, end, comments


def _covering(session: Session, sa: ServiceAgreement) -> TermsOfService | None:
    """The terms of service that cover ``sa`` (a link to canceled terms does not count)."""
    if sa.terms_of_service_id is None:
        return None
    tos = session.get(TermsOfService, sa.terms_of_service_id)
    return tos if tos is not None and tos.status is not TosStatus.CANCELED else None


def _umbrella_number(session: Session, tos: TermsOfService) -> str:
    return session.scalar(select(UmbrellaAgreement.number)
                          .where(UmbrellaAgreement.id == tos.umbrella_agreement_id)) or "?"


def _template(session: Session, number: str | None) -> ServiceAgreement | None:
    """The template agreement a form names: any agreement (a real or a proposal one) that
    is not covered by terms itself."""
    if number is None or not number.strip():
        return None
    sa = get_by_number(session, ServiceAgreement, number, "service agreement",
                       "template_sa_number", lock=True)
    covering = _covering(session, sa)
    if covering is not None:
        raise ValidationError(
            f"Agreement {sa.number} is covered by terms of service {covering.number} (umbrella "
            f"agreement {_umbrella_number(session, covering)}); a template holds the terms "
            "for others and cannot be covered itself. Pick a non-billing agreement.",
            "template_sa_number")
    return sa


def _unlink_all(session: Session, tos: TermsOfService) -> None:
    for sa in session.scalars(select(ServiceAgreement)
                              .where(ServiceAgreement.terms_of_service_id == tos.id)
                              .order_by(ServiceAgreement.id).with_for_update()):
        sa.terms_of_service_id = None


def _tos_label(tos: TermsOfService) -> str:
    return f"Terms of service {tos.number}"


# --- umbrella agreements ---------------------------------------------------------------------


def create_umbrella_agreement(db: Database, actor: Actor, form: UmbrellaForm) -> UmbrellaView:
    """Save a new umbrella agreement: PENDING, with a new ID."""
    actor.require("create umbrella agreements", *EDITORS)
    with transaction(db, actor) as session:
        ua = UmbrellaAgreement(status=UmbrellaStatus.PENDING)
        _fill_umbrella(ua, form)
        ua.number = new_number(session, UmbrellaAgreement)
        session.add(ua)
        session.flush()
        return view_in(session, ua)


def update_umbrella_agreement(db: Database, actor: Actor, number: str, expected_version: int,
                              form: UmbrellaForm) -> UmbrellaView:
    actor.require("change umbrella agreements", *EDITORS)
    with transaction(db, actor) as session:
        ua = _umbrella(session, number, lock=True)
        check_version(ua, expected_version, f"Umbrella agreement {ua.number}")
        _fill_umbrella(ua, form)
        session.flush()
        return view_in(session, ua)


def complete_umbrella_agreement(db: Database, actor: Actor, number: str,
                                expected_version: int) -> UmbrellaView:
    """PENDING → COMPLETE: the contract takes effect for its period. It needs terms of
    service, none of them pending, at least one active (spec/60 §B2.3)."""
    actor.require("complete umbrella agreements", *EDITORS)
    with transaction(db, actor, "Complete umbrella agreement") as session:
        ua = _umbrella(session, number, lock=True)
        check_version(ua, expected_version, f"Umbrella agreement {ua.number}")
        if ua.status is not UmbrellaStatus.PENDING:
            raise ValidationError(f"Umbrella agreement {ua.number} is already complete.",
                                  "status")
        terms = list(session.scalars(select(TermsOfService)
                                     .where(TermsOfService.umbrella_agreement_id == ua.id)
                                     .order_by(TermsOfService.number).with_for_update()))
        if not terms:
            raise ValidationError("Add terms of service before completing: an umbrella "
                                  "agreement states its terms through them.", "status")
        pending = [t.number for t in terms if t.status is TosStatus.PENDING]
        if pending:
            raise ValidationError(
                f"Terms of service {', '.join(pending)} {'is' if len(pending) == 1 else 'are'} "
                "still pending: activate or cancel them before completing.", "status")
        if not any(t.status is TosStatus.ACTIVE for t in terms):
            raise ValidationError("Every terms of service is canceled: at least one must be "
                                  "active to complete the umbrella agreement.", "status")
        ua.status = UmbrellaStatus.COMPLETE
        session.flush()
        return view_in(session, ua)


def reopen_umbrella_agreement(db: Database, actor: Actor, number: str,
                              expected_version: int) -> UmbrellaView:
    """COMPLETE → PENDING (to correct an error): the contract stops being effective."""
    actor.require("reopen umbrella agreements", *EDITORS)
    with transaction(db, actor, "Reopen umbrella agreement") as session:
        ua = _umbrella(session, number, lock=True)
        check_version(ua, expected_version, f"Umbrella agreement {ua.number}")
        if ua.status is not UmbrellaStatus.COMPLETE:
            raise ValidationError(f"Umbrella agreement {ua.number} is pending; only a complete "
                                  "one can be reopened.", "status")
        ua.status = UmbrellaStatus.PENDING
        session.flush()
        return view_in(session, ua)


def delete_umbrella_agreement(db: Database, actor: Actor, number: str,
                              expected_version: int) -> None:
    """Remove a PENDING umbrella agreement with its terms of service; their agreements are
    unlinked first (the audit trail keeps the links)."""
    actor.require("delete umbrella agreements", *EDITORS)
    with transaction(db, actor, "Delete umbrella agreement") as session:
        ua = _umbrella(session, number, lock=True)
        check_version(ua, expected_version, f"Umbrella agreement {ua.number}")
        if ua.status is not UmbrellaStatus.PENDING:
            raise ValidationError(f"Umbrella agreement {ua.number} is complete: reopen it "
                                  "before deleting it.", "status")
        for tos in session.scalars(select(TermsOfService)
                                   .where(TermsOfService.umbrella_agreement_id == ua.id)
                                   .order_by(TermsOfService.id).with_for_update()):
            _unlink_all(session, tos)
            session.flush()
            session.delete(tos)
        session.flush()
        session.delete(ua)
        session.flush()


# --- terms of service ------------------------------------------------------------------------


def _fill_terms(session: Session, tos: TermsOfService, form: TermsForm) -> None:
    tos.description = required_text(form.description, "terms_description",
                                     "a description of the terms", 100)
    template = _template(session, form.template_sa_number)
    tos.template_sa_id = template.id if template is not None else None
    tos.overrides_rate = bool(form.overrides_rate)


def add_terms(db: Database, actor: Actor, ua_number: str, form: TermsForm) -> UmbrellaView:
    """New PENDING terms of service under an umbrella agreement (of any status)."""
    actor.require("add terms of service", *EDITORS)
    with transaction(db, actor) as session:
        ua = _umbrella(session, ua_number, lock=True)
        tos = TermsOfService(umbrella_agreement_id=ua.id, status=TosStatus.PENDING)
        _fill_terms(session, tos, form)
        tos.number = new_number(session, TermsOfService)
        session.add(tos)
        session.flush()
        return view_in(session, ua)


def update_terms(db: Database, actor: Actor, tos_number: str, expected_version: int,
                 form: TermsForm) -> UmbrellaView:
    actor.require("change terms of service", *EDITORS)
    with transaction(db, actor) as session:
        tos, ua = _locked_terms(session, tos_number)
        check_version(tos, expected_version, _tos_label(tos))
        if tos.status is TosStatus.CANCELED:
            raise ValidationError(f"{_tos_label(tos)} are canceled: they are kept as a record "
                                  "and cannot change.", "terms_status")
        _fill_terms(session, tos, form)
        session.flush()
        return view_in(session, ua)


#: action → (the statuses it starts from, the status it leads to, the verb in messages).
TOS_MOVES: dict[str, tuple[frozenset[TosStatus], TosStatus, str]] = {
    "activate": (frozenset({TosStatus.PENDING}), TosStatus.ACTIVE, "activated"),
    "pend": (frozenset({TosStatus.ACTIVE}), TosStatus.PENDING, "set back to pending"),
    "cancel": (frozenset({TosStatus.PENDING, TosStatus.ACTIVE}), TosStatus.CANCELED,
               "canceled"),
}


def _move_terms(db: Database, actor: Actor, tos_number: str, expected_version: int,
                action: str) -> UmbrellaView:
    starts, to, verb = TOS_MOVES[action]
    actor.require(f"{action} terms of service", *EDITORS)
    with transaction(db, actor, f"{action.capitalize()} terms of service") as session:
        tos, ua = _locked_terms(session, tos_number)
        check_version(tos, expected_version, _tos_label(tos))
        if tos.status not in starts:
            raise ValidationError(f"{_tos_label(tos)} are {tos.status.label.lower()}; they "
                                  f"cannot be {verb}.", "terms_status")
        if action == "pend" and ua.status is not UmbrellaStatus.PENDING:
            raise ValidationError(
                f"Umbrella agreement {ua.number} is complete, so its terms cannot be set back "
                "to pending: reopen it first, or cancel these terms.", "terms_status")
        if to is TosStatus.CANCELED:
            _unlink_all(session, tos)
        tos.status = to
        session.flush()
        return view_in(session, ua)


def activate_terms(db: Database, actor: Actor, tos_number: str,
                   expected_version: int) -> UmbrellaView:
    """PENDING → ACTIVE: the terms apply while the umbrella agreement is effective."""
    return _move_terms(db, actor, tos_number, expected_version, "activate")


def pend_terms(db: Database, actor: Actor, tos_number: str,
               expected_version: int) -> UmbrellaView:
    """ACTIVE → PENDING, only while the umbrella agreement is PENDING."""
    return _move_terms(db, actor, tos_number, expected_version, "pend")


def cancel_terms(db: Database, actor: Actor, tos_number: str,
                 expected_version: int) -> UmbrellaView:
    """PENDING or ACTIVE → CANCELED: every agreement is unlinked; the record is kept."""
    return _move_terms(db, actor, tos_number, expected_version, "cancel")


def delete_terms(db: Database, actor: Actor, tos_number: str,
                 expected_version: int) -> UmbrellaView:
    """Remove PENDING terms, or ACTIVE ones while the umbrella agreement is PENDING (else
    they must be canceled); their agreements are unlinked first."""
    actor.require("delete terms of service", *EDITORS)
    with transaction(db, actor, "Delete terms of service") as session:
        tos, ua = _locked_terms(session, tos_number)
        check_version(tos, expected_version, _tos_label(tos))
        if tos.status is TosStatus.CANCELED:
            raise ValidationError(f"{_tos_label(tos)} are canceled and kept as a record; they "
                                  "cannot be deleted.", "terms_status")
        if tos.status is TosStatus.ACTIVE and ua.status is not UmbrellaStatus.PENDING:
            raise ValidationError(f"{_tos_label(tos)} are active under complete umbrella "
                                  f"agreement {ua.number}: cancel them instead (the record is "
                                  "kept), or reopen the umbrella agreement first.",
                                  "terms_status")
        _unlink_all(session, tos)
        session.flush()
        session.delete(tos)
        session.flush()
        return view_in(session, ua)


# --- linking agreements ----------------------------------------------------------------------


def link_agreement(db: Database, actor: Actor, tos_number: str, sa_number: str) -> UmbrellaView:
    """Cover an agreement (real or proposal) by the terms. It may not be covered by other
    terms that are not canceled, nor be a template; canceled terms take no agreements."""
    actor.require("link agreements to terms of service", *EDITORS)
    with transaction(db, actor, f"Link to terms of service {tos_number.strip()}") as session:
        tos, ua = _locked_terms(session, tos_number)
        if tos.status is TosStatus.CANCELED:
            raise ValidationError(f"{_tos_label(tos)} are canceled: agreements can no longer be "
                                  "linked to them.", "sa_number")
        sa = get_by_number(session, ServiceAgreement, sa_number, "service agreement",
                           "sa_number", lock=True)
        if sa.terms_of_service_id == tos.id:
            raise ValidationError(f"Agreement {sa.number} is already linked to these terms.",
                                  "sa_number")
        covering = _covering(session, sa)
        if covering is not None:
            raise ValidationError(
                f"Agreement {sa.number} is already covered by terms of service "
                f"{covering.number} (umbrella agreement {_umbrella_number(session, covering)})"
                ": unlink it there first.", "sa_number")
        template_of = session.scalar(
            select(TermsOfService.number).where(TermsOfService.template_sa_id == sa.id,
                                                TermsOfService.status != TosStatus.CANCELED)
            .order_by(TermsOfService.number).limit(1))
        if template_of is not None:
            raise ValidationError(f"Agreement {sa.number} is the template of terms of service "
                                  f"{template_of}; a template cannot be covered by terms.",
                                  "sa_number")
        sa.terms_of_service_id = tos.id
        session.flush()
        return view_in(session, ua)


def unlink_agreement(db: Database, actor: Actor, tos_number: str,
                     sa_number: str) -> UmbrellaView:
    actor.require("unlink agreements from terms of service", *EDITORS)
    with transaction(db, actor, f"Unlink from terms of service {tos_number.strip()}") as session:
        tos, ua = _locked_terms(session, tos_number)
        sa = get_by_number(session, ServiceAgreement, sa_number, "service agreement",
                           "sa_number", lock=True)
        if sa.terms_of_service_id != tos.id:
            raise ValidationError(f"Agreement {sa.number} is not linked to terms of service "
                                  f"{tos.number}.", "sa_number")
        sa.terms_of_service_id = None
        session.flush()
        return view_in(session, ua)


__all__ = [
    "EDITORS", "READ_ONLY_NOTE", "TOS_MOVES", "LinkedAgreement", "TermsForm", "TermsView",
    "UmbrellaForm", "UmbrellaSummary", "UmbrellaView", "activate_terms", "add_terms",
    "can_change", "cancel_terms", "complete_umbrella_agreement", "create_umbrella_agreement",
    "delete_terms", "delete_umbrella_agreement", "effective_on", "get_umbrella_agreement",
    "link_agreement", "list_umbrella_agreements", "pend_terms", "reopen_umbrella_agreement",
    "unlink_agreement", "update_terms", "update_umbrella_agreement", "view_in",
]
