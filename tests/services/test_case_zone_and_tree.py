"""Cases in Control Central (the "Cases" zone, the AL-CASE and AL-TODO alerts) and in the
account tree (a "Cases" folder under the account), with the demo's case configuration:
CS-T05 — an account in context with a case in an alertable status shows the alert, which goes
once the case is resolved; nothing shows while the Cases module is off."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.db import Database
from app.demo.cases import INVESTIGATING, install_case_configuration
from app.models.enums import ContactMethod, ServiceType
from app.services import account_tree as tree
from app.services import cases, users
from app.services import control_central as cc
from app.services import service_agreements as sas
from app.services.case_zone import MAX_CASE_ALERTS
from app.services.cases import NewCase
from app.services.context import Actor
from app.services.installation import Module, set_module_enabled
from app.services.service_agreements import ServiceAgreementForm
from tests.conftest import ADMIN, CSR, SUPERVISOR
from tests.services.builders import Household, household

PASSWORD = "correct horse"
HIGH_BILL = "Open case: High-bill complaint — Investigating"


@dataclass(frozen=True)
class World:
    home: Household
    other: Household


def world(db: Database) -> World:
    """The demo's case configuration, the users CSR and SUPERVISOR, and two households; the
    first one supplied with electricity at its premise since 2024-01-01."""
    for actor in (CSR, SUPERVISOR):
        users.create_user(db, ADMIN, actor.username, actor.display_name, set(actor.roles),
                          PASSWORD, PASSWORD)
    install_case_configuration(db, ADMIN)
    home = household(db)
    sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,),
        dt.date(2024, 1, 1), "E-RES-1"))
    return World(home, household(db, "Baptiste", "Marie", "4 Oak Ave"))


def open_case(db: Database, case_type: str, home: Household, *, account: bool = True,
              premise: bool = False, responsible: str | None = None,
              chars: tuple[tuple[str, str], ...] = ()) -> str:
    new = NewCase(case_type, person_number=home.party,
                  account_number=home.account if account else None,
                  premise_number=home.premise if premise else None,
                  responsible_username=responsible, comments="Called in",
                  preferred_contact_method=ContactMethod.PHONE, characteristics=chars)
    return cases.create_case(db, CSR, new).number


def move(db: Database, number: str, to: str, *chars: tuple[str, str],
         actor: Actor = CSR) -> str:
    version = cases.load_case(db, SUPERVISOR, number).version
    return cases.transition_case(db, actor, number, to, version, tuple(chars)).status


def dashboard(db: Database, account: str) -> cc.AccountDashboard:
    return cc.account_dashboard(db, account)


def alerts(db: Database, account: str, code: str) -> list[tuple[str, tuple[str, str] | None]]:
    return [(a.text, a.drill) for a in dashboard(db, account).alerts if a.code == code]


def zone(db: Database, account: str) -> cc.DashboardZone | None:
    return next((z for z in dashboard(db, account).zones if z.key == "cases"), None)


# ------------------------------------------------------------------------------ the zone


def test_zone_lists_the_open_cases_newest_first(db: Database) -> None:
    w = world(db)
    assert zone(db, w.home.account) is None                       # no case: no zone
    lodged = open_case(db, "HIGH-BILL", w.home)
    dispute = open_case(db, "BILL-DISP", w.home, responsible=CSR.username)
    move(db, dispute, "REVIEW", ("DISP-AMT", "64.18"))
    open_case(db, "LIT-REQ", w.home, chars=(("SENT-DT", "2025-06-02"),))   # closed at once
    open_case(db, "PAY-EXT", w.other)                                      # someone else's
    found = zone(db, w.home.account)
    assert found is not None
    assert (found.title, found.columns, found.link_kind) == (
        "Cases", ("Case", "Type", "Status", "Opened", "Responsible"), "Case")
    assert [r[:3] + r[4:] for r in found.rows] == [
        (dispute, "Billing dispute", "Under review by billing", "Casey Reed"),
        (lodged, "High-bill complaint", "Lodged", "—")]
    opened = cases.load_case(db, CSR, dispute).opened_at
    assert found.rows[0][3] == f"{opened:%Y-%m-%d %H:%M}"


# ------------------------------------------------------------------------------ CS-T05


def test_alert_while_investigating_and_gone_once_resolved(db: Database) -> None:
    """CS-T05, and AL-TODO for the To Do INVESTIGATING raised."""
    w = world(db)
    number = open_case(db, "HIGH-BILL", w.home)
    assert alerts(db, w.home.account, "AL-CASE") == []           # LODGED is not alertable
    assert alerts(db, w.home.account, "AL-TODO") == []
    assert move(db, number, INVESTIGATING, ("READ-CHK", "Y")) == INVESTIGATING
    assert alerts(db, w.home.account, "AL-CASE") == [(HIGH_BILL, ("Case", number))]
    assert alerts(db, w.home.account, "AL-TODO") == [("1 open To Do", ("Case", number))]
    (alert,) = [a for a in dashboard(db, w.home.account).alerts if a.code == "AL-CASE"]
    assert alert.severity == "medium"
    assert alerts(db, w.other.account, "AL-CASE") == []          # not the other household's
    assert move(db, number, "RESOLVED", actor=SUPERVISOR) == "RESOLVED"
    assert alerts(db, w.home.account, "AL-CASE") == []
    assert alerts(db, w.home.account, "AL-TODO") == []           # the exit completed it
    assert zone(db, w.home.account) is None


def test_alert_for_the_person_and_the_premise_in_context(db: Database) -> None:
    """A case without the account still alerts when its person is the account's customer or
    its premise one of the account's premises."""
    w = world(db)
    person_only = open_case(db, "HIGH-BILL", w.home, account=False)
    move(db, person_only, INVESTIGATING, ("READ-CHK", "N"))
    # the other household's person reports a meter at this household's premise
    meter = cases.create_case(db, CSR, NewCase(
        "METER-INV", person_number=w.other.party, premise_number=w.home.premise)).number
    move(db, meter, "TESTING", ("METER-NO", "E1234567"))
    at_premise = ("Open case: Meter investigation — Meter test in progress", ("Case", meter))
    assert alerts(db, w.home.account, "AL-CASE") == [at_premise, (HIGH_BILL, ("Case", person_only))]
    assert alerts(db, w.other.account, "AL-CASE") == [at_premise]          # its person
    # neither is the account's: no zone row, and their To Dos concern no account
    assert zone(db, w.home.account) is None
    assert alerts(db, w.home.account, "AL-TODO") == []


def test_many_alertable_cases_are_summed_up(db: Database) -> None:
    w = world(db)
    numbers = [open_case(db, "PAY-EXT", w.home) for _ in range(MAX_CASE_ALERTS + 2)]
    for number in numbers:
        move(db, number, "GRANTED", ("EXT-DAYS", "14"))
    found = alerts(db, w.home.account, "AL-CASE")
    assert len(found) == MAX_CASE_ALERTS
    assert found[0] == ("Open case: Payment extension request — Extension granted",
                        ("Case", numbers[-1]))
    assert found[-1][0].endswith("(and 2 more)")
    # each REQUESTED raised a To Do that granting completed: none open
    assert alerts(db, w.home.account, "AL-TODO") == []


def test_module_off_hides_zone_alerts_and_folder(db: Database) -> None:
    w = world(db)
    number = open_case(db, "HIGH-BILL", w.home)
    move(db, number, INVESTIGATING, ("READ-CHK", "Y"))
    set_module_enabled(db, ADMIN, Module.CASES, False)
    view = dashboard(db, w.home.account)
    assert not any(z.key == "cases" for z in view.zones)
    assert not any(a.code in ("AL-CASE", "AL-TODO") for a in view.alerts)
    assert tree.NodeKind.CASES not in {n.kind for n in tree.children(db, _account_node(db, w))}
    set_module_enabled(db, ADMIN, Module.CASES, True)
    assert alerts(db, w.home.account, "AL-CASE") == [(HIGH_BILL, ("Case", number))]


# ------------------------------------------------------------------------------ the tree


def _account_node(db: Database, w: World, history: bool = False) -> tree.TreeNode:
    (root,) = tree.tree_roots(db, account_number=w.home.account)
    return next(n for n in tree.children(db, root, show_history=history)
                if n.kind is tree.NodeKind.ACCOUNT)


def test_account_tree_lists_cases_under_a_cases_folder(db: Database) -> None:
    w = world(db)
    without = _account_node(db, w).child_count
    assert tree.NodeKind.CASES not in {n.kind for n in tree.children(db, _account_node(db, w))}
    lodged = open_case(db, "HIGH-BILL", w.home)
    sent = open_case(db, "LIT-REQ", w.home, chars=(("SENT-DT", "2025-06-02"),))
    granted = open_case(db, "PAY-EXT", w.home)
    move(db, granted, "GRANTED", ("EXT-DAYS", "21"))

    account = _account_node(db, w)
    assert account.child_count == without + 1
    folder = next(n for n in tree.children(db, account) if n.kind is tree.NodeKind.CASES)
    assert (folder.label, folder.child_count, folder.account_number) == (
        "Cases", 2, w.home.account)
    nodes = tree.children(db, folder)
    assert [(n.kind, n.key, n.status, n.record, n.historic) for n in nodes] == [
        (tree.NodeKind.CASE, granted, "Extension granted", ("Case", granted), False),
        (tree.NodeKind.CASE, lodged, "Lodged", ("Case", lodged), False)]
    opened = cases.load_case(db, CSR, lodged).opened_at
    assert nodes[1].label == f"High-bill complaint {lodged} — opened {opened:%Y-%m-%d}"
    assert all(n.account_number == w.home.account and n.child_count == 0 for n in nodes)

    # with history: the closed literature request too, greyed, with its closing day
    account = _account_node(db, w, history=True)
    folder = next(n for n in tree.children(db, account, show_history=True)
                  if n.kind is tree.NodeKind.CASES)
    assert folder.child_count == 3
    nodes = tree.children(db, folder, show_history=True)
    assert {n.key for n in nodes} == {lodged, sent, granted}
    closed = next(n for n in nodes if n.key == sent)
    assert closed.historic and closed.status == "Sent"
    assert closed.label.startswith(f"Literature request {sent} — opened ")
    assert ", closed " in closed.label

    # only closed cases: no folder unless history is shown
    move(db, lodged, "REJECTED")
    move(db, granted, "PAID")
    assert tree.NodeKind.CASES not in {n.kind for n in tree.children(db, _account_node(db, w))}
    assert _account_node(db, w).child_count == without
