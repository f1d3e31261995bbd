"""Finding cases (spec/50 §5.4, the Case pane's search): by type, status, open or all, account,
responsible user and age, newest first, among the case types the user may see.

Fast on a million cases: every query reads an index in opened-at order and stops after
`limit + 1` rows (the extra row says whether there are more); nothing counts all matches.

* by account — (account_id, opened_at); by responsible user — (responsible_user_id,
  opened_at): few rows each, the other criteria filter them;
* by type and/or status, or open cases only — one (case_type_code, status_code, opened_at)
  range per matching (type, status) pair, each newest first and cut at `limit + 1`, merged
  (UNION ALL) and cut again: never more than pairs × (limit + 1) index entries;
* everything — (opened_at) backwards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select, union_all
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Account, AppUser, Case, CaseType, CaseTypeStatus, Party
from app.services import context
from app.services.case_rules import may_access
from app.services.common import chunks, get_by_number
from app.services.context import Actor, snapshot
from app.services.errors import PermissionDenied, ValidationError
from app.services.users import user_named

#: The most rows one search returns.
MAX_LIMIT = 1000


@dataclass(frozen=True)
class CaseSearch:
    case_type: str | None = None
    status: str | None = None
    open_only: bool = True
    account_number: str | None = None
    responsible_username: str | None = None
    #: Opened at least / at most this many days ago.
    older_than_days: int | None = None
    newer_than_days: int | None = None
    limit: int = 200


@dataclass(frozen=True)
class CaseRow:
    number: str
    case_type: str
    case_type_description: str
    status: str
    status_description: str
    is_final: bool
    opened_at: dt.datetime
    age_days: int
    account_number: str | None
    person_name: str
    responsible_name: str


def _newest(query: Any, limit: int) -> Any:
    return query.order_by(Case.opened_at.desc(), Case.id.desc()).limit(limit)


def _ids(session: Session, criteria: CaseSearch, pairs: list[tuple[str, str]],
         every_pair: bool, age: list[Any], limit: int) -> list[int]:
    """The ids of the matching cases, newest first, at most `limit`."""
    account_id = user_id = None
    if (criteria.account_number or "").strip():
        account_id = get_by_number(session, Account, (criteria.account_number or "").strip(),
                                   "account", "account").id
    if (criteria.responsible_username or "").strip():
        name = (criteria.responsible_username or "").strip()
        user = user_named(session, name)
        user_id = user.id if user is not None else None
        if user_id is None:
            raise ValidationError(f"There is no user called '{name}'.", "responsible_user")
    pair_filter = or_(*(and_(Case.case_type_code == t, Case.status_code == s)
                        for t, s in pairs))
    if account_id is not None or user_id is not None:
        query = select(Case.id).where(*age)
        if account_id is not None:
            query = query.where(Case.account_id == account_id)
        if user_id is not None:
            query = query.where(Case.responsible_user_id == user_id)
        if not every_pair:
            query = query.where(pair_filter)
        return list(session.scalars(_newest(query, limit)))
    if every_pair:
        return list(session.scalars(_newest(select(Case.id).where(*age), limit)))
    parts = []
    for t, s in pairs:
        sub = _newest(select(Case.id, Case.opened_at)
                      .where(Case.case_type_code == t, Case.status_code == s, *age),
                      limit).subquery()
        parts.append(select(sub.c.id, sub.c.opened_at))
    merged = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()
    return list(session.scalars(
        select(merged.c.id)
        .order_by(merged.c.opened_at.desc(), merged.c.id.desc())
        .limit(limit)))


def search_cases(db: Database, actor: Actor,
                 criteria: CaseSearch) -> tuple[tuple[CaseRow, ...], bool]:
    """The matching cases the user may see, newest first, at most `criteria.limit`; and
    whether there are more."""
    limit = max(1, min(criteria.limit, MAX_LIMIT))
    for value, name in ((criteria.older_than_days, "older_than_days"),
                        (criteria.newer_than_days, "newer_than_days")):
        if value is not None and value < 0:
            raise ValidationError("An age is a number of days, 0 or more.", name)
    with snapshot(db) as session:
        types = {t.code: t for t in session.scalars(select(CaseType))}
        allowed = {code for code, t in types.items() if may_access(actor, t.access_roles)}
        wanted = sorted(allowed)
        if (criteria.case_type or "").strip():
            code = (criteria.case_type or "").strip().upper()
            if code not in types:
                raise ValidationError(f"There is no case type {code}.", "case_type")
            if code not in allowed:
                raise PermissionDenied(f"You cannot search {types[code].description} cases: "
                                       "they are not among the case types you work.")
            wanted = [code]
        statuses = {(t, s): (text, final) for t, s, text, final in session.execute(
            select(CaseTypeStatus.case_type_code, CaseTypeStatus.status_code,
                   CaseTypeStatus.description, CaseTypeStatus.is_final)
            .where(CaseTypeStatus.case_type_code.in_(wanted)))}
        status = (criteria.status or "").strip().upper() or None
        pairs = sorted(p for p, (_, final) in statuses.items()
                       if (status is None or p[1] == status)
                       and not (criteria.open_only and final))
        if not pairs:
            return (), False
        every_pair = len(pairs) == len(statuses) and len(wanted) == len(types)
        now = context.now()
        age = []
        if criteria.older_than_days is not None:
            age.append(Case.opened_at <= now - dt.timedelta(days=criteria.older_than_days))
        if criteria.newer_than_days is not None:
            age.append(Case.opened_at >= now - dt.timedelta(days=criteria.newer_than_days))
        ids = _ids(session, criteria, pairs, every_pair, age, limit + 1)
        more = len(ids) > limit
        ids = ids[:limit]
        found: dict[int, Any] = {}
        for chunk in chunks(ids):
            found.update((row[0], row) for row in session.execute(
                select(Case.id, Case.number, Case.case_type_code, Case.status_code,
                       Case.opened_at, Account.number, Party.display_name,
                       AppUser.display_name)
                .outerjoin(Account, Account.id == Case.account_id)
                .outerjoin(Party, Party.id == Case.person_id)
                .outerjoin(AppUser, AppUser.id == Case.responsible_user_id)
                .where(Case.id.in_(chunk))))
        today = now.date()
        rows = []
        for case_id in ids:
            _, number, t, s, opened, account, person, responsible = found[case_id]
            text, final = statuses.get((t, s), (s, False))
            rows.append(CaseRow(number, t, types[t].description, s, text, final, opened,
                                max((today - opened.date()).days, 0), account, person or "",
                                responsible or ""))
        return tuple(rows), more
