"""Cases and To Dos in Control Central (spec/50 §5.3, spec/60 §A8.4 "Tasks & cases", §A10):
the account's "Cases" zone — its open cases, newest first — and two alerts:

* AL-CASE "Open case: High-bill complaint — Investigating" for each open case of the person,
  account or premise in context whose status is alertable (CS-T05); the drill opens the case;
* AL-TODO "2 open To Dos" when open To Do entries concern the account; the drill opens the
  case of the most urgent one (or the To Do list when it has no case).

Nothing shows while the Cases module is off. Registered with Control Central when this module
is imported (control_central imports it). Every query is bounded and index-driven: cases by
(account_id, opened_at), person_id and premise_id; To Dos by account_id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from app.models import AppUser, Case, CaseType, CaseTypeStatus, Customer, Premise, TodoEntry
from app.models.enums import TodoStatus
from app.services import case_rules  # noqa: F401  (registers the cases' party-merge step)
from app.services.alerts import Alert, AlertFacts, register_alert
from app.services.control_central import register_zone
from app.services.dashboard_dto import DashboardZone
from app.services.installation import Module, module_enabled_in

#: Open cases the zone lists, newest first.
ZONE_ROWS = 20
#: AL-CASE alerts shown at most (the last one says how many more there are).
MAX_CASE_ALERTS = 5
#: Alertable cases read at most (to say how many more there are).
ALERTABLE_READ = 50
#: The record kind the zone's rows and the alerts drill to (the Cases pane).
CASE = "Case"
#: The record kind of the To Do list (an AL-TODO whose To Dos have no case).
TODO = "To Do"
#: To Do statuses still waiting for someone.
UNFINISHED = (TodoStatus.OPEN, TodoStatus.BEING_WORKED)


def _status_join() -> ColumnElement[bool]:
    return and_(CaseTypeStatus.case_type_code == Case.case_type_code,
                CaseTypeStatus.status_code == Case.status_code)


def open_cases(session: Session, account_id: int,
               limit: int = ZONE_ROWS) -> list[tuple[str, str, str, dt.datetime, str]]:
    """(number, type description, status description, opened at, responsible user's name)
    of the account's open cases, newest first."""
    return [(number, kind, status, opened, name or "")
            for number, kind, status, opened, name in session.execute(
                select(Case.number, CaseType.description, CaseTypeStatus.description,
                       Case.opened_at, AppUser.display_name)
                .join(CaseType, CaseType.code == Case.case_type_code)
                .join(CaseTypeStatus, _status_join())
                .outerjoin(AppUser, AppUser.id == Case.responsible_user_id)
                .where(Case.account_id == account_id, Case.closed_at.is_(None))
                .order_by(Case.opened_at.desc(), Case.id.desc())
                .limit(limit))]


def cases_zone(session: Session, account_id: int, _today: dt.date) -> DashboardZone | None:
    """The account's open cases, newest first; nothing when it has none (or the Cases module
    is off). The first column is the case number: Enter opens the case."""
    if not module_enabled_in(session, Module.CASES):
        return None
    rows = open_cases(session, account_id)
    if not rows:
        return None
    return DashboardZone(
        "cases", "Cases", ("Case", "Type", "Status", "Opened", "Responsible"),
        tuple((number, kind, status, f"{opened:%Y-%m-%d %H:%M}", name or "—")
              for number, kind, status, opened, name in rows),
        "No open case.", link_kind=CASE)


def alertable_cases(facts: AlertFacts,
                    limit: int = ALERTABLE_READ) -> list[tuple[str, str, str]]:
    """(number, type description, status description) of the open cases in an alertable
    status whose account is the account in context, whose person is its customer's party or
    whose premise is one of its premises; newest first."""
    person = (select(Customer.legal_party_id)
              .where(Customer.number == facts.customer_number).scalar_subquery())
    concerns = [Case.account_id == facts.account_id, Case.person_id == person]
    premises = [p.number for p in facts.premises]
    if premises:
        concerns.append(Case.premise_id.in_(
            select(Premise.id).where(Premise.number.in_(premises)).scalar_subquery()))
    return [(number, kind, status) for number, kind, status in facts.session.execute(
        select(Case.number, CaseType.description, CaseTypeStatus.description)
        .join(CaseType, CaseType.code == Case.case_type_code)
        .join(CaseTypeStatus, _status_join())
        .where(or_(*concerns), Case.closed_at.is_(None), CaseTypeStatus.alertable.is_(True))
        .order_by(Case.opened_at.desc(), Case.id.desc())
        .limit(limit))]


def case_alerts(facts: AlertFacts) -> Iterable[Alert]:
    """AL-CASE (CS-T05): "Open case: <type> — <status>" for each case in an alertable status;
    each drills to its case."""
    if not module_enabled_in(facts.session, Module.CASES):
        return []
    found = alertable_cases(facts)
    alerts = [Alert("AL-CASE", "medium", f"Open case: {kind} — {status}", (CASE, number))
              for number, kind, status in found[:MAX_CASE_ALERTS]]
    if len(found) > MAX_CASE_ALERTS:
        rest = len(found) - MAX_CASE_ALERTS
        more = f"{rest}{'+' if len(found) == ALERTABLE_READ else ''} more"
        last = alerts[-1]
        alerts[-1] = Alert(last.code, last.severity, f"{last.text} (and {more})", last.drill)
    return alerts


def todo_alerts(facts: AlertFacts) -> Iterable[Alert]:
    """AL-TODO (spec/60 §A10): "n open To Dos" concern the account; the drill opens the case
    of the most urgent one, else the To Do list."""
    if not module_enabled_in(facts.session, Module.CASES):
        return []
    session = facts.session
    count = session.scalar(
        select(func.count()).select_from(TodoEntry)
        .where(TodoEntry.account_id == facts.account_id, TodoEntry.status.in_(UNFINISHED))) or 0
    if not count:
        return []
    case_number = session.scalar(
        select(Case.number).select_from(TodoEntry).outerjoin(Case, Case.id == TodoEntry.case_id)
        .where(TodoEntry.account_id == facts.account_id, TodoEntry.status.in_(UNFINISHED))
        .order_by(TodoEntry.priority, TodoEntry.created_at, TodoEntry.id).limit(1))
    drill = (CASE, case_number) if case_number else (TODO, facts.account_number)
    noun = "To Do" if count == 1 else "To Dos"
    return [Alert("AL-TODO", "info", f"{count} open {noun}", drill)]


register_zone("cases", cases_zone)
register_alert("AL-CASE", case_alerts)
register_alert("AL-TODO", todo_alerts)

__all__ = ["CASE", "MAX_CASE_ALERTS", "TODO", "ZONE_ROWS", "alertable_cases", "case_alerts",
           "cases_zone", "open_cases", "todo_alerts"]
