"""The rules every case service shares (spec/50 §5): who may work a case type, the case
row lock and the append-only log, the characteristics a case carries and a status requires,
and the errors a CSR can run into. `app.services.cases` re-exports the errors and `CharPrompt`.

Who may: a case type's `access_roles` (ADMIN always; "" = every user) see, open and work its
cases; a transition with an access role needs that role too.

The case log is append-only (the database refuses UPDATE and DELETE, migration 0010). Every
row takes the next `seq` of its case while the case row is locked (SELECT … FOR UPDATE on
PostgreSQL; on SQLite the write transaction's BEGIN IMMEDIATE already serialises writers).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.engine import cases as engine
from app.models import (
    Case,
    CaseChar,
    CaseLog,
    CaseType,
    CaseTypeCharType,
    CaseTypeStatus,
    CharacteristicAllowedValue,
    CharacteristicType,
    Party,
)
from app.models.enums import CaseLogType, UserRole
from app.services.case_log import append_case_log
from app.services.characteristics import checked_value
from app.services.common import get_by_number
from app.services.context import Actor
from app.services.errors import DomainError, PermissionDenied, ValidationError
from app.services.merge_steps import register_merge_step

#: How long a log note or the comments may be.
MAX_TEXT = 4000


# ----------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class CharPrompt:
    """A characteristic to ask for: its type, name and allowed values ((value, description);
    () = free text)."""

    code: str
    description: str
    allowed_values: tuple[tuple[str, str], ...] = ()


class MissingRequiredChar(DomainError):
    """The status needs characteristics the case does not have (CS-T03): `missing` are the
    prompts of the pop-up that collects them."""

    def __init__(self, message: str, missing: tuple[CharPrompt, ...]) -> None:
        super().__init__(message, "characteristics")
        self.missing = missing


class TransitionNotAllowed(DomainError):
    """No such action from the case's status, or the user lacks its role (CS-T07, CS-T08)."""


class CaseClosed(DomainError):
    """The case is in a final status: its details are read-only (CS-T06)."""


class AlgorithmFailed(DomainError):
    """An algorithm of the case type failed; nothing of the step was saved."""

    def __init__(self, algorithm_code: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.algorithm_code = algorithm_code
        self.reason = reason


# ----------------------------------------------------------------------------- access


def actor_roles(actor: Actor) -> frozenset[str]:
    return frozenset(r.value for r in actor.roles)


def may_access(actor: Actor, access_roles: str) -> bool:
    """Whether the actor may see, open and work cases of a type with these access roles."""
    roles = engine.parse_roles(access_roles)
    return UserRole.ADMIN in actor.roles or not roles or bool(roles & actor_roles(actor))


def require_access(actor: Actor, case_type: CaseType, action: str) -> None:
    if not may_access(actor, case_type.access_roles):
        needed = " or ".join(UserRole(r).label if r in UserRole.__members__ else r
                             for r in sorted(engine.parse_roles(case_type.access_roles)))
        raise PermissionDenied(f"You cannot {action}: {case_type.description} cases are for the "
                               f"{needed} role. Ask an administrator.")


def role_label(role: str) -> str:
    return UserRole(role).label if role in UserRole.__members__ else role


def case_type_of(session: Session, code: str) -> CaseType:
    found = session.get(CaseType, (code or "").strip().upper())
    if found is None:
        raise ValidationError(f"There is no case type {code}. Choose one from the list.",
                              "case_type")
    return found


def accessible_types(session: Session, actor: Actor) -> list[CaseType]:
    """The case types the actor may work, by description."""
    return [t for t in session.scalars(select(CaseType).order_by(CaseType.description,
                                                                   CaseType.code))
            if may_access(actor, t.access_roles)]


# ----------------------------------------------------------------------------- rows


def lock_case(session: Session, number: str) -> Case:
    """The case with this number, its row locked for the rest of the transaction."""
    return get_by_number(session, Case, number, "case", "number", lock=True)


def append_log(session: Session, case: Case, log_type: CaseLogType, details: str,
               user_name: str, *, related: tuple[str, str] | None = None,
               from_status: str | None = None, to_status: str | None = None,
               algorithm_code: str | None = None) -> CaseLog:
    """Append the case's next log row (`app.services.case_log`, the one writer of the log).
    The caller holds the case row's lock (`lock_case`), so two writers never take the same
    seq. Rows are never changed after."""
    return append_case_log(session, case, log_type, details, user_name=user_name,
                           related_object_type=related[0] if related else None,
                           related_object_id=related[1][:30] if related else None,
                           from_status=from_status, to_status=to_status,
                           algorithm_code=algorithm_code)


def char_prompts(session: Session, codes: Iterable[str]) -> tuple[CharPrompt, ...]:
    """The prompts for these characteristic types, in the order given."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return ()
    described = dict(session.execute(
        select(CharacteristicType.code, CharacteristicType.description)
        .where(CharacteristicType.code.in_(wanted))).all())
    values: dict[str, list[tuple[str, str]]] = {}
    for code, value, text in session.execute(
            select(CharacteristicAllowedValue.characteristic_type_code,
                   CharacteristicAllowedValue.value, CharacteristicAllowedValue.description)
            .where(CharacteristicAllowedValue.characteristic_type_code.in_(wanted))
            .order_by(CharacteristicAllowedValue.characteristic_type_code,
                      CharacteristicAllowedValue.value)):
        values.setdefault(code, []).append((value, text))
    return tuple(CharPrompt(c, described.get(c, c), tuple(values.get(c, ()))) for c in wanted)


def allowed_char_codes(session: Session, case_type_code: str) -> list[str]:
    return list(session.scalars(select(CaseTypeCharType.char_type_code)
                                .where(CaseTypeCharType.case_type_code == case_type_code)
                                .order_by(CaseTypeCharType.char_type_code)))


def case_chars(session: Session, case_id: int) -> dict[str, CaseChar]:
    return {c.char_type_code: c for c in session.scalars(
        select(CaseChar).where(CaseChar.case_id == case_id))}


def set_chars(session: Session, case: Case, case_type: CaseType,
               pairs: Sequence[tuple[str, str]], *, removing: bool = False) -> list[str]:
    """Store characteristic values on the case; returns a sentence per change. A value of ""
    removes the characteristic when `removing`, else is skipped."""
    if not pairs:
        return []
    if not case_type.uses_characteristics:
        raise ValidationError(f"{case_type.description} cases carry no characteristics.",
                              "characteristics")
    allowed = set(allowed_char_codes(session, case_type.code))
    have = case_chars(session, case.id) if case.id is not None else {}
    changes = []
    for raw_code, raw_value in pairs:
        code = raw_code.strip().upper()
        char_type = session.get(CharacteristicType, code)
        if char_type is None or code not in allowed:
            raise ValidationError(f"{code} is not a characteristic of {case_type.description} "
                                  "cases.", "characteristics")
        existing = have.get(code)
        if not (raw_value or "").strip():
            if removing and existing is not None:
                session.delete(existing)
                del have[code]
                changes.append(f"Characteristic {char_type.description} removed")
            continue
        try:
            value = checked_value(session, char_type, raw_value)
        except ValidationError as exc:
            raise ValidationError(exc.message, "characteristics") from None
        if existing is None:
            have[code] = CaseChar(case_id=case.id, char_type_code=code, value=value)
            session.add(have[code])
            changes.append(f"Characteristic {char_type.description} set to {value}")
        elif existing.value != value:
            changes.append(f"Characteristic {char_type.description} changed from "
                           f"{existing.value} to {value}")
            existing.value = value
    session.flush()
    return changes


def require_chars(session: Session, case: Case, lc: engine.CaseLifecycle,
                  to_status: str) -> None:
    """MissingRequiredChar (with the prompts) unless the case has every characteristic
    `to_status` requires (CS-T03)."""
    missing = engine.missing_chars(lc, to_status, case_chars(session, case.id))
    if missing:
        prompts = char_prompts(session, missing)
        names = ", ".join(p.description for p in prompts)
        raise MissingRequiredChar(
            f"Enter {names} before the case moves to {lc.status(to_status).description}.",
            prompts)


def require_open(session: Session, case: Case) -> None:
    """CaseClosed when the case is in a final status (its details are read-only)."""
    status = session.get(CaseTypeStatus, (case.case_type_code, case.status_code))
    if status is not None and status.is_final:
        raise CaseClosed(f"Case {case.number} is closed ({status.description}); its details can "
                         "no longer be changed. Add a note to its log instead.")


# ----------------------------------------------------------------------------- party merge


def move_cases_to_survivor(session: Session, survivor: Party, duplicate: Party) -> None:
    """Merging duplicate persons (`services.duplicates.merge`): the duplicate's cases and
    customer contacts now name the survivor, and each case's log says so."""
    from app.models import CustomerContact

    for case in session.scalars(
            select(Case).where(or_(Case.person_id == duplicate.id,
                                   Case.contact_person_id == duplicate.id))
            .order_by(Case.id).with_for_update()):
        if case.person_id == duplicate.id:
            case.person_id = survivor.id
        if case.contact_person_id == duplicate.id:
            case.contact_person_id = survivor.id
        append_log(session, case, CaseLogType.SYSTEM,
                   f"Person {duplicate.number} was merged into {survivor.number} "
                   f"({survivor.display_name}); the case now names {survivor.number}.",
                   str(session.info.get("actor") or "system"),
                   related=("PARTY", survivor.number))
    for contact in session.scalars(select(CustomerContact)
                                   .where(CustomerContact.party_id == duplicate.id)):
        contact.party_id = survivor.id


register_merge_step(move_cases_to_survivor)
