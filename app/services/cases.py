"""Cases (spec/50 §5): open a case of a configured type (CS-T01), move it through the type's
lifecycle (`transition_case`: the action must be configured and the user must hold its role,
else `TransitionNotAllowed`; the characteristics the new status requires must be present,
else `MissingRequiredChar` with the prompts for the pop-up), note it, change an open case's
details (`CaseClosed` once final; every change is logged), and link it to what it is about.

How a case moves and the background job are `app.services.case_transitions`; who may and the
log writer `app.services.case_rules`; reading a case `app.services.case_detail`; finding cases
`app.services.case_search`. This module re-exports what the panes need of them, so
`from app.services import cases` is the one import a pane makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine import cases as engine
from app.models import (
    Account,
    AppUser,
    Bill,
    Case,
    CaseLink,
    CaseType,
    FieldActivity,
    Party,
    Premise,
    Quote,
    ServiceAgreement,
)
from app.models.enums import (
    CaseAlgorithmKind,
    CaseLinkKind,
    CaseLogType,
    CaseUsage,
    ContactMethod,
)
from app.services import context
from app.services.case_detail import (
    AccountRef,
    CaseAction,
    CaseCharView,
    CaseDetail,
    CaseLinkView,
    CaseLogView,
    CaseUsages,
    PartyRef,
    PremiseRef,
    load_case,
)
from app.services.case_rules import (
    MAX_TEXT,
    AlgorithmFailed,
    CaseClosed,
    CharPrompt,
    MissingRequiredChar,
    TransitionNotAllowed,
    accessible_types,
    actor_roles,
    allowed_char_codes,
    append_log,
    case_chars,
    case_type_of,
    char_prompts,
    lock_case,
    may_access,
    require_access,
    require_chars,
    require_open,
    role_label,
    set_chars,
)
from app.services.case_search import CaseRow, CaseSearch, search_cases
from app.services.case_transitions import (
    CaseRun,
    TransitionJobResult,
    auto_chain,
    move_case,
    run_algorithms,
    run_auto_chain,
    run_case_transitions,
)
from app.services.case_types import lifecycle_of
from app.services.common import (
    check_version,
    get_by_number,
    new_number,
    normalise_phone,
    optional_text,
    required_text,
)
from app.services.context import Actor, read_only, transaction
from app.services.errors import NotFound, ValidationError
from app.services.users import user_named

T = TypeVar("T")

__all__ = [
    "AccountRef", "AlgorithmFailed", "CaseAction", "CaseChanges", "CaseCharView", "CaseClosed",
    "CaseDetail", "CaseLinkView", "CaseLogView", "CaseResult", "CaseRow", "CaseSearch",
    "CaseTypeChoice", "CaseUsages", "CharPrompt", "MissingRequiredChar", "NewCase", "PartyRef",
    "PremiseRef", "TransitionJobResult", "TransitionNotAllowed", "add_log_entry",
    "case_type_choices", "create_case", "link_object", "load_case", "may_access",
    "new_case_defaults", "run_auto_chain", "run_case_transitions", "search_cases",
    "transition_case", "update_case",
]


# ----------------------------------------------------------------------------- DTOs


@dataclass(frozen=True)
class CaseTypeChoice:
    code: str
    description: str
    person_usage: CaseUsage
    account_usage: CaseUsage
    premise_usage: CaseUsage
    responsible_user_usage: CaseUsage
    contact_info_usage: CaseUsage
    uses_characteristics: bool
    char_types: tuple[CharPrompt, ...]


@dataclass(frozen=True)
class NewCase:
    case_type: str
    person_number: str | None = None
    account_number: str | None = None
    premise_number: str | None = None
    responsible_username: str | None = None
    comments: str = ""
    contact_person_number: str | None = None
    preferred_contact_method: ContactMethod | None = None
    contact_instructions: str = ""
    callback_phone_type: str = ""
    callback_phone: str = ""
    callback_ext: str = ""
    characteristics: tuple[tuple[str, str], ...] = ()
    clob_data: str | None = None


@dataclass(frozen=True)
class CaseResult:
    number: str
    status: str
    #: What the automatic transitions did right after, e.g. "Moved on automatically to Sent
    #: (AUTO-IF-CHAR)", or why one failed; None when none ran.
    auto_message: str | None = None


@dataclass(frozen=True)
class CaseChanges:
    """What to change on an open case: None leaves a field as it is, "" clears a text field.
    `characteristics` sets the values given ("" removes one); the others stay. The case type
    is not here: it cannot change after the case is added (CS-T12)."""

    comments: str | None = None
    person_number: str | None = None
    account_number: str | None = None
    premise_number: str | None = None
    responsible_username: str | None = None
    contact_person_number: str | None = None
    preferred_contact_method: ContactMethod | None = None
    contact_instructions: str | None = None
    callback_phone_type: str | None = None
    callback_phone: str | None = None
    callback_ext: str | None = None
    characteristics: tuple[tuple[str, str], ...] | None = None


# ----------------------------------------------------------------------------- choices


def case_type_choices(db: Database, actor: Actor) -> tuple[CaseTypeChoice, ...]:
    """The case types the actor may open, with what each asks for."""
    with read_only(db) as session:
        return tuple(CaseTypeChoice(
            t.code, t.description, t.person_usage, t.account_usage, t.premise_usage,
            t.responsible_user_usage, t.contact_info_usage, t.uses_characteristics,
            char_prompts(session, allowed_char_codes(session, t.code))
            if t.uses_characteristics else ())
            for t in accessible_types(session, actor))


def first_premise(session: Session, account_id: int) -> Premise | None:
    """The account's main premise (as search and Control Central show it), counting its
    stopped and closed agreements too (proposals and canceled ones never)."""
    from app.services.search import HISTORY_SA, main_premise_ids

    found = main_premise_ids(session, {account_id}, HISTORY_SA)
    return session.get(Premise, found[account_id]) if account_id in found else None


def new_case_defaults(db: Database, actor: Actor, case_type: str,
                      account_number: str | None) -> NewCase:
    """A new case of the type for the account in context: its customer as the person (and
    contact person) and its premise, each only where the type uses it (CS-T02)."""
    with read_only(db) as session:
        kind = case_type_of(session, case_type)
        require_access(actor, kind, "open this kind of case")
        account = _numbered(session, Account, account_number, "account", "account")
        if account is None:
            return NewCase(kind.code)
        party = session.get(Party, account.customer.legal_party_id)
        person = party.number if party and kind.person_usage is not CaseUsage.NOT_ALLOWED \
            else None
        premise = first_premise(session, account.id) \
            if kind.premise_usage is not CaseUsage.NOT_ALLOWED else None
        contact = person if kind.contact_info_usage is not CaseUsage.NOT_ALLOWED else None
        return NewCase(
            kind.code, person_number=person,
            account_number=account.number if kind.account_usage is not CaseUsage.NOT_ALLOWED
            else None,
            premise_number=premise.number if premise else None,
            contact_person_number=contact)


# ----------------------------------------------------------------------------- fields


def _usage(usage: CaseUsage, present: bool, field_name: str, what: str,
           type_text: str) -> None:
    if usage is CaseUsage.REQUIRED and not present:
        raise ValidationError(f"A {type_text} case needs {what}. Enter it.", field_name)
    if usage is CaseUsage.NOT_ALLOWED and present:
        raise ValidationError(f"A {type_text} case has no {what}; leave it empty.", field_name)


def _contact_usage(kind: CaseType, given: bool, method: ContactMethod | None) -> None:
    """Contact information: none at all when NOT_ALLOWED; a preferred method when REQUIRED."""
    if kind.contact_info_usage is CaseUsage.NOT_ALLOWED and given:
        raise ValidationError(f"A {kind.description} case has no contact information; leave "
                              "it empty.", "contact_person")
    if kind.contact_info_usage is CaseUsage.REQUIRED and method is None:
        raise ValidationError(f"A {kind.description} case needs a preferred contact method. "
                              "Choose one.", "preferred_contact_method")


def _numbered(session: Session, model: type[T], number: str | None, label: str,
              field_name: str) -> T | None:
    """The row with this number; None when no number is given."""
    text = (number or "").strip()
    return get_by_number(session, model, text, label, field_name) if text else None


def _party(session: Session, number: str | None, field_name: str) -> Party | None:
    return _numbered(session, Party, number, "person", field_name)


def _user(session: Session, username: str | None) -> AppUser | None:
    name = (username or "").strip()
    if not name:
        return None
    user = user_named(session, name)
    if user is None or not user.is_active:
        raise ValidationError(f"There is no active user called '{name}'.", "responsible_user")
    return user


def _text(value: str | None, field_name: str, what: str, length: int) -> str | None:
    return optional_text(value, field_name, what, length)


def _phone(value: str | None) -> str | None:
    text = (value or "").strip()
    return normalise_phone(text, "callback_phone") if text else None


def _ext(value: str | None) -> str | None:
    text = (value or "").strip()
    if text and (not text.isdigit() or len(text) > 8):
        raise ValidationError("An extension is up to 8 digits.", "callback_ext")
    return text or None


# ----------------------------------------------------------------------------- create


def create_case(db: Database, actor: Actor, new: NewCase) -> CaseResult:
    """Open a case in its type's initial status (CS-T01), run the status's ENTER algorithms and
    then the automatic transitions (CS-T09)."""
    with transaction(db, actor) as session:
        kind = case_type_of(session, new.case_type)
        require_access(actor, kind, "open this kind of case")
        text = kind.description
        person = _party(session, new.person_number, "person")
        account = _numbered(session, Account, new.account_number, "account", "account")
        premise = _numbered(session, Premise, new.premise_number, "premise", "premise")
        responsible = _user(session, new.responsible_username)
        contact = _party(session, new.contact_person_number, "contact_person")
        contact_given = bool(contact or new.preferred_contact_method or
                             new.contact_instructions.strip() or new.callback_phone.strip()
                             or new.callback_phone_type.strip() or new.callback_ext.strip())
        _usage(kind.person_usage, person is not None, "person", "a person", text)
        _usage(kind.account_usage, account is not None, "account", "an account", text)
        _usage(kind.premise_usage, premise is not None, "premise", "a premise", text)
        _usage(kind.responsible_user_usage, responsible is not None, "responsible_user",
               "a responsible user", text)
        _contact_usage(kind, contact_given, new.preferred_contact_method)
        if kind.contact_info_usage is not CaseUsage.NOT_ALLOWED and contact is None:
            contact = person                       # the contact person defaults to the person
        lc = lifecycle_of(session, kind.code)
        initial = lc.initial()
        now = context.now()
        case = Case(
            number=new_number(session, Case), case_type_code=kind.code,
            status_code=initial.code, opened_at=now, status_entered_at=now,
            closed_at=now if initial.is_final else None,
            comments=_text(new.comments, "comments", "the comments", MAX_TEXT),
            person_id=person.id if person else None, account_id=account.id if account else None,
            premise_id=premise.id if premise else None,
            responsible_user_id=responsible.id if responsible else None,
            contact_person_id=contact.id if contact else None,
            preferred_contact_method=new.preferred_contact_method,
            contact_instructions=_text(new.contact_instructions, "contact_instructions",
                                       "the contact instructions", 254),
            callback_phone_type=_text(new.callback_phone_type, "callback_phone_type",
                                      "the phone type", 20),
            callback_phone=_phone(new.callback_phone), callback_ext=_ext(new.callback_ext),
            clob_data=new.clob_data or None)
        session.add(case)
        session.flush()
        set_chars(session, case, kind, new.characteristics)
        require_chars(session, case, lc, initial.code)
        append_log(session, case, CaseLogType.CREATED,
                   f"Case created ({kind.description}, {initial.description})",
                   actor.username, to_status=initial.code)
        run = CaseRun(session, kind, lc, actor.username, now)
        run_algorithms(run, case, initial.code, CaseAlgorithmKind.ENTER)
        message = auto_chain(run, case).message(lc)
        return CaseResult(case.number, case.status_code, message)


def transition_case(db: Database, actor: Actor, number: str, to_status: str,
                    version: int | None,
                    characteristics: tuple[tuple[str, str], ...] = ()) -> CaseResult:
    """Move the case to `to_status` by one of its status's actions (CS-T04, CS-T06).
    `characteristics` are stored first (the pop-up's answers)."""
    with transaction(db, actor) as session:
        case = lock_case(session, number)
        check_version(case, version, f"Case {case.number}")
        kind = session.get(CaseType, case.case_type_code)
        assert kind is not None
        require_access(actor, kind, "work this case")
        lc = lifecycle_of(session, kind.code)
        target = (to_status or "").strip().upper()
        transition = next((t for t in lc.transitions
                           if t.from_status == case.status_code and t.to_status == target),
                          None)
        here = lc.status(case.status_code).description
        if transition is None:
            there = next((s.description for s in lc.statuses if s.code == target), target)
            raise TransitionNotAllowed(
                f"A {kind.description} case in {here} cannot go to {there}: the case type "
                "has no such action.", "status")
        if not engine.may_take(transition, actor_roles(actor)):
            raise TransitionNotAllowed(
                f"Only a user with the {role_label(transition.access_role or '')} role can "
                f"{transition.action_label} a {kind.description} case.", "status")
        changes = set_chars(session, case, kind, characteristics)
        require_chars(session, case, lc, target)
        now = context.now()
        run = CaseRun(session, kind, lc, actor.username, now)
        note = f" ({'; '.join(changes)})" if changes else ""
        move_case(run, case, target, note=note)
        message = auto_chain(run, case).message(lc)
        return CaseResult(case.number, case.status_code, message)


# ----------------------------------------------------------------------------- notes, edits


def add_log_entry(db: Database, actor: Actor, number: str, details: str) -> None:
    """A note on the case's log (USER_DETAILS); it can never be changed afterwards (CS-T11)."""
    text = required_text(details, "details", "the note", MAX_TEXT)
    with transaction(db, actor) as session:
        case = lock_case(session, number)
        kind = session.get(CaseType, case.case_type_code)
        assert kind is not None
        require_access(actor, kind, "add to this case's log")
        append_log(session, case, CaseLogType.USER_DETAILS, text, actor.username)


def _name(party: Party | None) -> str:
    return f"{party.display_name} ({party.number})" if party else "nobody"


def update_case(db: Database, actor: Actor, number: str, version: int | None,
                changes: CaseChanges) -> str | None:
    """Change an open case's details; each change is logged (USER_DETAILS). A closed case
    refuses (`CaseClosed`, CS-T06). The automatic transitions run after (a characteristic
    entered may move the case on, e.g. LIT-REQ's SENT-DT): their message, None when none."""
    with transaction(db, actor) as session:
        case = lock_case(session, number)
        check_version(case, version, f"Case {case.number}")
        kind = session.get(CaseType, case.case_type_code)
        assert kind is not None
        require_access(actor, kind, "change this case")
        require_open(session, case)
        text = kind.description
        notes: list[str] = []
        c = changes
        if c.comments is not None:
            value = _text(c.comments, "comments", "the comments", MAX_TEXT)
            if value != case.comments:
                case.comments = value
                notes.append("Comments changed")
        if c.person_number is not None:
            person = _party(session, c.person_number, "person")
            _usage(kind.person_usage, person is not None, "person", "a person", text)
            if (person.id if person else None) != case.person_id:
                old = session.get(Party, case.person_id) if case.person_id else None
                case.person_id = person.id if person else None
                notes.append(f"Person changed from {_name(old)} to {_name(person)}")
        if c.contact_person_number is not None:
            contact = _party(session, c.contact_person_number, "contact_person")
            _contact_usage(kind, contact is not None, case.preferred_contact_method)
            if (contact.id if contact else None) != case.contact_person_id:
                old = session.get(Party, case.contact_person_id) \
                    if case.contact_person_id else None
                case.contact_person_id = contact.id if contact else None
                notes.append(f"Contact person changed from {_name(old)} to {_name(contact)}")
        if c.account_number is not None:
            account = _numbered(session, Account, c.account_number, "account", "account")
            _usage(kind.account_usage, account is not None, "account", "an account", text)
            if (account.id if account else None) != case.account_id:
                old_account = session.get(Account, case.account_id) if case.account_id else None
                case.account_id = account.id if account else None
                notes.append(f"Account changed from {old_account.number if old_account else 'none'}"
                             f" to {account.number if account else 'none'}")
        if c.premise_number is not None:
            premise = _numbered(session, Premise, c.premise_number, "premise", "premise")
            _usage(kind.premise_usage, premise is not None, "premise", "a premise", text)
            if (premise.id if premise else None) != case.premise_id:
                old_premise = session.get(Premise, case.premise_id) if case.premise_id else None
                case.premise_id = premise.id if premise else None
                notes.append(f"Premise changed from {old_premise.number if old_premise else 'none'}"
                             f" to {premise.number if premise else 'none'}")
        if c.responsible_username is not None:
            user = _user(session, c.responsible_username)
            _usage(kind.responsible_user_usage, user is not None, "responsible_user",
                   "a responsible user", text)
            if (user.id if user else None) != case.responsible_user_id:
                old_user = session.get(AppUser, case.responsible_user_id) \
                    if case.responsible_user_id else None
                case.responsible_user_id = user.id if user else None
                notes.append(f"Responsible user changed from "
                             f"{old_user.username if old_user else 'nobody'} to "
                             f"{user.username if user else 'nobody'}")
        contact_fields = (
            ("preferred_contact_method", c.preferred_contact_method, "Preferred contact method"),
            ("contact_instructions", None if c.contact_instructions is None else
             _text(c.contact_instructions, "contact_instructions", "the contact instructions",
                   254), "Contact instructions"),
            ("callback_phone_type", None if c.callback_phone_type is None else
             _text(c.callback_phone_type, "callback_phone_type", "the phone type", 20),
             "Callback phone type"),
            ("callback_phone", None if c.callback_phone is None else _phone(c.callback_phone),
             "Callback phone"),
            ("callback_ext", None if c.callback_ext is None else _ext(c.callback_ext),
             "Callback extension"))
        given_fields = {"preferred_contact_method": c.preferred_contact_method,
                        "contact_instructions": c.contact_instructions,
                        "callback_phone_type": c.callback_phone_type,
                        "callback_phone": c.callback_phone, "callback_ext": c.callback_ext}
        for attr, value, label in contact_fields:
            if given_fields[attr] is None or value == getattr(case, attr):
                continue
            if kind.contact_info_usage is CaseUsage.NOT_ALLOWED and value:
                _usage(CaseUsage.NOT_ALLOWED, True, attr, "contact information", text)
            setattr(case, attr, value)
            shown = value.label if isinstance(value, ContactMethod) else value
            notes.append(f"{label} changed" + (f" to {shown}" if shown else " (cleared)"))
        if c.characteristics is not None:
            notes += set_chars(session, case, kind, c.characteristics, removing=True)
            lc = lifecycle_of(session, kind.code)
            gone = engine.missing_chars(lc, case.status_code, case_chars(session, case.id))
            if gone:
                names = ", ".join(p.description for p in char_prompts(session, gone))
                raise ValidationError(f"The case's status needs {names}; it cannot be removed.",
                                      "characteristics")
        for note in notes:
            append_log(session, case, CaseLogType.USER_DETAILS, note, actor.username)
        if not notes:
            return None
        return run_auto_chain(session, case, actor)


# ----------------------------------------------------------------------------- links


LINK_LABELS = {CaseLinkKind.BILL: "bill", CaseLinkKind.SERVICE_AGREEMENT: "service agreement",
               CaseLinkKind.FIELD_ACTIVITY: "field activity", CaseLinkKind.QUOTE: "quote",
               CaseLinkKind.PREMISE: "premise"}
_NUMBERED = {CaseLinkKind.SERVICE_AGREEMENT: ServiceAgreement,
             CaseLinkKind.FIELD_ACTIVITY: FieldActivity, CaseLinkKind.QUOTE: Quote,
             CaseLinkKind.PREMISE: Premise}


def linked_object_number(session: Session, kind: CaseLinkKind, object_number: str) -> str:
    """The number under which the object is linked, after checking it exists. Bills have no
    10-digit number: a bill is named by its bill ID (the row id)."""
    text = (object_number or "").strip()
    if kind is CaseLinkKind.BILL:
        if not text.isdigit() or session.get(Bill, int(text)) is None:
            raise NotFound(f"There is no bill {text}. Check the bill ID.", "object_number")
        return str(int(text))
    found = get_by_number(session, _NUMBERED[kind], text, LINK_LABELS[kind], "object_number")
    return str(found.number)  # type: ignore[attr-defined]


def link_object(db: Database, actor: Actor, number: str, kind: CaseLinkKind,
                object_number: str) -> None:
    """Link the case to a bill, agreement, field activity, quote or premise (which must
    exist); a SYSTEM log row points to it."""
    with transaction(db, actor) as session:
        case = lock_case(session, number)
        case_type = session.get(CaseType, case.case_type_code)
        assert case_type is not None
        require_access(actor, case_type, "change this case")
        require_open(session, case)
        linked = linked_object_number(session, kind, object_number)
        if session.scalar(select(CaseLink.id).where(
                CaseLink.case_id == case.id, CaseLink.kind == kind,
                CaseLink.object_number == linked)) is not None:
            raise ValidationError(f"The case is already linked to {LINK_LABELS[kind]} {linked}.",
                                  "object_number")
        now = context.now()
        session.add(CaseLink(case_id=case.id, kind=kind, object_number=linked, created_at=now,
                             created_by=actor.username))
        append_log(session, case, CaseLogType.SYSTEM,
                   f"Linked to {LINK_LABELS[kind]} {linked}", actor.username,
                   related=(kind.value, linked))
