"""Every shipped case type, table-driven (issue 11): for each type of `app.demo.cases`, a case
is brought into each of its statuses and every configured transition from there is taken (by
a user holding its role, with the characteristics the target requires; a user without the
role is refused first), and every other (from, to) pair — to itself included — is refused
with `TransitionNotAllowed`, leaving the case and its log as they were. SQLite and
PostgreSQL."""

from __future__ import annotations

from collections import deque

import pytest
from sqlalchemy import select

from app.db import Database
from app.demo.cases import DEMO_CASE_TYPES, DEMO_CHAR_TYPES, install_case_configuration
from app.engine.cases import auto_target, lifecycle_problems
from app.models import Case
from app.models.enums import (
    CaseAlgorithmKind,
    CaseLogType,
    CaseUsage,
    CharacteristicValueKind,
    UserRole,
)
from app.services import cases
from app.services.case_types import CaseTypeDefinition
from app.services.cases import NewCase, TransitionNotAllowed
from app.services.context import SYSTEM, Actor, transaction
from tests.conftest import ADMIN, CSR, SUPERVISOR
from tests.services.builders import Household, household
from tests.services.case_fixtures import case_row, log_of

#: A value of each kind of characteristic the demo's cases carry.
SAMPLE_VALUE = {CharacteristicValueKind.NUMBER: "30", CharacteristicValueKind.ADHOC: "2026-01-15"}


def _value(code: str) -> str:
    char = next(c for c in DEMO_CHAR_TYPES if c.code == code)
    return char.values[0][0] if char.values else SAMPLE_VALUE[char.kind]


def _chars_for(d: CaseTypeDefinition, status: str) -> tuple[tuple[str, str], ...]:
    return tuple((char, _value(char)) for s, char in d.required_chars if s == status)


def _actor_for(d: CaseTypeDefinition, role: str | None) -> Actor:
    """Who takes a transition: its role's holder, else a CSR when the type is theirs."""
    if role is not None:
        return {UserRole.SUPERVISOR.value: SUPERVISOR}.get(role, ADMIN)
    return CSR if not d.access_roles or UserRole.CSR in d.access_roles else ADMIN


def _path(d: CaseTypeDefinition, to: str) -> list[str] | None:
    """The statuses to walk through, by configured transitions, from the initial one."""
    start = d.lifecycle().initial().code
    came: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        at = queue.popleft()
        for t in sorted(d.transitions, key=lambda t: t.seq):
            if t.from_status == at and t.to_status not in came:
                came[t.to_status] = at
                queue.append(t.to_status)
    if to not in came:
        return None
    path = [to]
    while (back := came[path[-1]]) is not None:
        path.append(back)
    return path[::-1][1:]


def _case_in(db: Database, d: CaseTypeDefinition, home: Household, status: str) -> str:
    """A new case of the type, moved into `status` along configured transitions (a status
    only an automatic transition leads to is set directly)."""
    number = cases.create_case(db, ADMIN, NewCase(
        d.code, person_number=home.party,
        account_number=home.account if d.account_usage is not CaseUsage.NOT_ALLOWED else None,
        premise_number=home.premise if d.premise_usage is not CaseUsage.NOT_ALLOWED
        else None)).number
    path = _path(d, status)
    if path is None:
        final = next(s for s in d.statuses if s.code == status).is_final
        with transaction(db, ADMIN) as session:
            case = session.scalar(select(Case).where(Case.number == number))
            assert case is not None
            case.status_code = status
            case.closed_at = case.opened_at if final else None
        return number
    for step in path:
        cases.transition_case(db, ADMIN, number, step, case_row(db, number).version,
                              _chars_for(d, step))
    assert case_row(db, number).status_code == status
    return number


@pytest.mark.parametrize("definition", DEMO_CASE_TYPES, ids=lambda d: d.code)
def test_every_transition_of_a_shipped_type_is_taken_and_every_other_refused(
        db: Database, definition: CaseTypeDefinition) -> None:
    install_case_configuration(db, SYSTEM)
    home = household(db)
    d = definition
    auto_moves = [(a.status_code, auto_target(a.algorithm_code, a.parameter))
                  for a in d.algorithms if a.kind is CaseAlgorithmKind.AUTO]
    assert lifecycle_problems(d.lifecycle(), auto_moves) == ()
    codes = [s.code for s in d.statuses]
    configured = {(t.from_status, t.to_status): t for t in d.transitions}
    refused = taken = 0
    for status in codes:
        number = _case_in(db, d, home, status)
        before = (case_row(db, number).version, len(log_of(db, number)))
        for target in codes:
            if (status, target) in configured:
                continue
            with pytest.raises(TransitionNotAllowed):
                cases.transition_case(db, ADMIN, number, target, None, _chars_for(d, target))
            refused += 1
        assert case_row(db, number).status_code == status
        assert (case_row(db, number).version, len(log_of(db, number))) == before
        shown = [(a.to_status, a.label) for a in cases.load_case(db, ADMIN, number).actions]
        assert shown == [(t.to_status, t.action_label)
                         for t in sorted(d.transitions, key=lambda t: (t.seq, t.action_label))
                         if t.from_status == status]

        for (start, end), t in configured.items():
            if start != status:
                continue
            number = _case_in(db, d, home, status)
            if t.access_role is not None and (not d.access_roles
                                              or UserRole.CSR in d.access_roles):
                with pytest.raises(TransitionNotAllowed):
                    cases.transition_case(db, CSR, number, end, None, _chars_for(d, end))
            seen = len(log_of(db, number))
            cases.transition_case(db, _actor_for(d, t.access_role), number, end,
                                  case_row(db, number).version, _chars_for(d, end))
            moves = [(r.from_status, r.to_status) for r in log_of(db, number)[seen:]
                     if r.log_type is CaseLogType.STATUS_TRANSITION]
            assert moves[0] == (start, end)
            row = case_row(db, number)
            final = {s.code for s in d.statuses if s.is_final}
            assert (row.closed_at is not None) == (row.status_code in final)
            taken += 1
    assert taken == len(d.transitions)
    assert refused == len(codes) ** 2 - len(d.transitions)
