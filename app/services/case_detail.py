"""A case as the Case pane shows it (spec/50 §5.4, P-CS1): the Main tab's fields and action
buttons (each enabled or greyed with the reason, for the user looking), the To Do summary, the
characteristics and links, the Log tab (newest first) and the Portal tab's pretty-printed data.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from xml.dom import minidom

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine import cases as engine
from app.models import (
    Account,
    AppUser,
    Bill,
    Case,
    CaseChar,
    CaseLink,
    CaseLog,
    CaseType,
    CharacteristicType,
    FieldActivity,
    Party,
    PartyContact,
    Premise,
    Quote,
    ServiceAgreement,
)
from app.models.enums import (
    CaseLinkKind,
    CaseLogType,
    CaseUsage,
    ContactKind,
    ContactMethod,
)
from app.services.case_rules import (
    CharPrompt,
    actor_roles,
    allowed_char_codes,
    char_prompts,
    require_access,
    role_label,
)
from app.services.case_types import lifecycle_of
from app.services.common import get_by_number
from app.services.context import Actor, snapshot
from app.services.premises import address_summary
from app.services.todos import todo_counts_for_case


@dataclass(frozen=True)
class PartyRef:
    number: str
    name: str


@dataclass(frozen=True)
class AccountRef:
    number: str
    description: str


@dataclass(frozen=True)
class PremiseRef:
    number: str
    address: str


@dataclass(frozen=True)
class CaseAction:
    """An action button of the case's status. Disabled (greyed, `why_disabled` as tooltip)
    when the user lacks the transition's role (CS-T08). `needs` are the characteristics the
    target status requires that the case does not have yet: the pane asks for them first."""

    to_status: str
    label: str
    enabled: bool
    why_disabled: str
    is_default: bool
    to_description: str = ""
    needs: tuple[CharPrompt, ...] = ()


@dataclass(frozen=True)
class CaseUsages:
    """Which fields the case type asks for (NOT_ALLOWED: hidden)."""

    person: CaseUsage
    account: CaseUsage
    premise: CaseUsage
    responsible: CaseUsage
    contact: CaseUsage


@dataclass(frozen=True)
class CaseCharView:
    code: str
    description: str
    value: str


@dataclass(frozen=True)
class CaseLinkView:
    kind: CaseLinkKind
    object_number: str
    label: str


@dataclass(frozen=True)
class CaseLogView:
    seq: int
    at: dt.datetime
    log_type: CaseLogType
    details: str
    user_name: str
    related_type: str | None
    related_id: str | None
    from_status: str | None
    to_status: str | None
    algorithm_code: str | None


@dataclass(frozen=True)
class CaseDetail:
    number: str
    version: int
    case_type: str
    case_type_description: str
    status: str
    status_description: str
    is_final: bool
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    case_info: str
    todo_summary: str
    todo_counts: tuple[int, int, int]          # open, being worked on, complete
    script: str | None
    actions: tuple[CaseAction, ...]
    comments: str
    person: PartyRef | None
    account: AccountRef | None
    premise: PremiseRef | None
    usages: CaseUsages
    uses_characteristics: bool
    responsible_username: str | None
    responsible_name: str
    contact_person: PartyRef | None
    preferred_contact_method: ContactMethod | None
    #: The contact person's e-mail, phone, fax or address for the preferred method ("" if none).
    contact_detail: str
    contact_instructions: str
    callback_phone_type: str
    callback_phone: str
    callback_ext: str
    characteristics: tuple[CaseCharView, ...]
    char_types: tuple[CharPrompt, ...]
    links: tuple[CaseLinkView, ...]
    log: tuple[CaseLogView, ...]                # newest first
    portal_text: str
    #: The case's details may be edited (it is not closed); notes can always be added.
    may_work: bool
    alertable: bool = False


def _party_ref(session: Session, party_id: int | None) -> PartyRef | None:
    party = session.get(Party, party_id) if party_id else None
    return PartyRef(party.number, party.display_name) if party else None


def contact_detail(session: Session, party_id: int | None, method: ContactMethod | None) -> str:
    """The contact person's address for the preferred method: e-mail, phone (SMS prefers a
    mobile), fax (a phone labelled fax), or the mailing address; "" when there is none."""
    if party_id is None or method is None or method is ContactMethod.NOT_APPLICABLE:
        return ""
    party = session.get(Party, party_id)
    if party is None:
        return ""
    if method is ContactMethod.POSTAL:
        return ", ".join(x for x in (party.mailing_line1, party.mailing_line2, party.mailing_city,
                                     party.mailing_region, party.mailing_postal_code) if x)
    kind = ContactKind.EMAIL if method is ContactMethod.EMAIL else ContactKind.PHONE
    contacts = list(session.scalars(select(PartyContact).where(
        PartyContact.party_id == party_id, PartyContact.kind == kind)
        .order_by(PartyContact.is_primary.desc(), PartyContact.id)))

    def labelled(*words: str) -> list[PartyContact]:
        return [c for c in contacts if any(w in (c.label or "").lower() for w in words)]

    if method is ContactMethod.FAX:
        chosen = labelled("fax")
    elif method is ContactMethod.SMS:
        chosen = labelled("mobile", "cell", "sms") or \
            [c for c in contacts if c not in labelled("fax")]
    elif method is ContactMethod.PHONE:
        chosen = [c for c in contacts if c not in labelled("fax")]
    else:
        chosen = contacts
    return chosen[0].value if chosen else ""


def link_label(session: Session, kind: CaseLinkKind, number: str) -> str:
    """What a linked object is, in a few words."""
    if kind is CaseLinkKind.BILL:
        bill = session.get(Bill, int(number)) if number.isdigit() else None
        return f"Bill {number} of {bill.bill_date:%Y-%m-%d}, {bill.amount}" if bill \
            else f"Bill {number}"
    if kind is CaseLinkKind.SERVICE_AGREEMENT:
        sa = session.scalar(select(ServiceAgreement).where(ServiceAgreement.number == number))
        return f"Agreement {number} ({sa.sa_type}, {sa.status.label})" if sa \
            else f"Agreement {number}"
    if kind is CaseLinkKind.FIELD_ACTIVITY:
        fa = session.scalar(select(FieldActivity).where(FieldActivity.number == number))
        return (f"Field activity {number} ({fa.field_activity_type_code} on "
                f"{fa.scheduled_on:%Y-%m-%d}, {fa.status.label})") if fa \
            else f"Field activity {number}"
    if kind is CaseLinkKind.QUOTE:
        quote = session.scalar(select(Quote).where(Quote.number == number))
        return f"Quote {number} ({quote.status.label})" if quote else f"Quote {number}"
    premise = session.scalar(select(Premise).where(Premise.number == number))
    return f"Premise {number} ({address_summary(premise)})" if premise else f"Premise {number}"


def portal_text(data: str | None) -> str:
    """`clob_data` pretty-printed: JSON indented, XML indented, anything else as it is."""
    text = (data or "").strip()
    if not text:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        pass
    if text.startswith("<"):
        try:
            pretty = minidom.parseString(text).toprettyxml(indent="  ")
            return "\n".join(line for line in pretty.splitlines() if line.strip())
        except Exception:  # noqa: BLE001 — not XML after all: shown as stored
            return text
    return text


def load_case(db: Database, actor: Actor, number: str) -> CaseDetail:
    """Everything the Case pane shows of one case, for this user (PermissionDenied when the
    case type is not theirs)."""
    with snapshot(db) as session:
        case = get_by_number(session, Case, number, "case", "number")
        kind = session.get(CaseType, case.case_type_code)
        assert kind is not None
        require_access(actor, kind, "see this case")
        lc = lifecycle_of(session, kind.code)
        status = lc.status(case.status_code)
        roles = actor_roles(actor)
        present = {c.char_type_code: c.value for c in session.scalars(
            select(CaseChar).where(CaseChar.case_id == case.id))}
        actions = []
        for t in engine.transitions_from(lc, status.code):
            allowed = engine.may_take(t, roles)
            why = "" if allowed else (f"Only a user with the {role_label(t.access_role or '')} "
                                      f"role can {t.action_label}.")
            needs = char_prompts(session, engine.missing_chars(lc, t.to_status, present))
            actions.append(CaseAction(t.to_status, t.action_label, allowed, why, t.is_default,
                                      lc.status(t.to_status).description, needs))
        counts = todo_counts_for_case(session, case.id)
        person = _party_ref(session, case.person_id)
        account = session.get(Account, case.account_id) if case.account_id else None
        premise = session.get(Premise, case.premise_id) if case.premise_id else None
        responsible = session.get(AppUser, case.responsible_user_id) \
            if case.responsible_user_id else None
        char_types = char_prompts(session, allowed_char_codes(session, kind.code)) \
            if kind.uses_characteristics else ()
        described = {p.code: p.description for p in char_types}
        if missing := set(present) - set(described):
            described.update(session.execute(
                select(CharacteristicType.code, CharacteristicType.description)
                .where(CharacteristicType.code.in_(missing))).all())
        links = tuple(CaseLinkView(link.kind, link.object_number,
                                   link_label(session, link.kind, link.object_number))
                      for link in session.scalars(select(CaseLink)
                                                  .where(CaseLink.case_id == case.id)
                                                  .order_by(CaseLink.id)))
        log = tuple(CaseLogView(r.seq, r.log_at, r.log_type, r.details, r.user_name,
                                r.related_object_type, r.related_object_id, r.from_status,
                                r.to_status, r.algorithm_code)
                    for r in session.scalars(select(CaseLog).where(CaseLog.case_id == case.id)
                                             .order_by(CaseLog.seq.desc())))
        info = [f"{kind.description} — {status.description}"]
        if person:
            info.append(person.name)
        if account:
            info.append(f"account {account.number}")
        info.append(f"opened {case.opened_at:%Y-%m-%d}")
        if case.closed_at:
            info.append(f"closed {case.closed_at:%Y-%m-%d}")
        return CaseDetail(
            number=case.number, version=case.version, case_type=kind.code,
            case_type_description=kind.description, status=status.code,
            status_description=status.description, is_final=status.is_final,
            opened_at=case.opened_at, closed_at=case.closed_at, case_info=", ".join(info),
            todo_summary=engine.todo_summary(counts.open, counts.being_worked, counts.complete),
            todo_counts=(counts.open, counts.being_worked, counts.complete),
            script=status.script, actions=tuple(actions), comments=case.comments or "",
            person=person,
            account=AccountRef(account.number, account.description or "") if account else None,
            premise=PremiseRef(premise.number, address_summary(premise)) if premise else None,
            usages=CaseUsages(kind.person_usage, kind.account_usage, kind.premise_usage,
                              kind.responsible_user_usage, kind.contact_info_usage),
            uses_characteristics=kind.uses_characteristics,
            responsible_username=responsible.username if responsible else None,
            responsible_name=responsible.display_name if responsible else "",
            contact_person=_party_ref(session, case.contact_person_id),
            preferred_contact_method=case.preferred_contact_method,
            contact_detail=contact_detail(session, case.contact_person_id,
                                          case.preferred_contact_method),
            contact_instructions=case.contact_instructions or "",
            callback_phone_type=case.callback_phone_type or "",
            callback_phone=case.callback_phone or "", callback_ext=case.callback_ext or "",
            characteristics=tuple(CaseCharView(code, described.get(code, code), value)
                                  for code, value in sorted(present.items())),
            char_types=char_types, links=links, log=log, portal_text=portal_text(case.clob_data),
            may_work=not status.is_final, alertable=status.alertable)

