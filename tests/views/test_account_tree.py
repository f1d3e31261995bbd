"""The Account tree pane driven from the keyboard: it follows the current account, expands level
by level, shows history on request, opens records, offers context menus and remembers trees for
Back/Forward. Dialogs for roles, subscriptions and premises are driven here too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.db import Database, open_database
from app.demo import generate
from app.models.enums import RoleTarget, RoleType, ServiceType
from app.services import premises, roles
from app.services import service_agreements as sas
from app.services.account_tree import NodeKind, TreeNode
from app.services.control_central import Caller
from app.services.service_agreements import ServiceAgreementForm
from app.views.account_tree import AccountTreePane
from app.views.account_tree_model import HISTORIC_COLOUR, NODE_ROLE
from app.views.current_context import CurrentAccount
from app.views.main_window import MainWindow
from app.views.record import RecordPane
from app.views.tree_dialogs import (
    AddRoleDialog,
    AddSubscriptionDialog,
    AssignLandlordDialog,
    AssignParentDialog,
)
from tests.conftest import CSR
from tests.services.builders import START, Household, household
from tests.views.conftest import settle

Opener = Callable[[Database], MainWindow]
STOPPED_ON = dt.date(2025, 6, 30)


@dataclass
class Utility:
    home: Household          # Okafor: active electric agreement, stopped gas agreement
    other: Household         # Lindqvist: nothing supplied yet
    electric_sa: str
    gas_sa: str


def _agreement(db: Database, h: Household, service: ServiceType, sp: str, code: str) -> str:
    view = sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        h.account, code, service, (sp,), START, f"{code}-1"))
    return sas.activate(db, CSR, view.number, view.version).number


def build_utility(empty_db: Database) -> Utility:
    """Two households; Okafor's electricity is supplied, its gas agreement stopped."""
    home = household(empty_db, "Okafor", "Ngozi", "12 Elm St")
    other = household(empty_db, "Lindqvist", "Maja", "77 Birch Rd")
    electric = _agreement(empty_db, home, ServiceType.ELECTRIC, home.electric_sp, "E-RES")
    gas = _agreement(empty_db, home, ServiceType.GAS, home.gas_sp, "G-RES")
    view = sas.get_service_agreement(empty_db, gas)
    view = sas.request_stop(empty_db, CSR, gas, view.version, STOPPED_ON)
    sas.complete_stop(empty_db, CSR, gas, view.version)
    return Utility(home, other, electric, gas)


@pytest.fixture
def utility(empty_db: Database) -> Utility:
    return build_utility(empty_db)


def owner_caller(h: Household) -> Caller:
    return Caller(h.party, "Okafor, Ngozi", "Owner", True)


def open_tree(qtbot: QtBot, window: MainWindow, h: Household | None,
              caller: Caller | None = None) -> AccountTreePane:
    """The Account tree tab, with `h`'s account as the current account (like Control Central
    sets it)."""
    pane = window.open_pane("account-tree")
    assert isinstance(pane, AccountTreePane)
    if h is not None:
        window.current.set_account(CurrentAccount(
            h.account, f"Okafor, Ngozi · account {h.account}", h.party, h.premise, caller))
    settle(qtbot)
    pane.tree.setFocus()
    return pane


def current(pane: AccountTreePane) -> TreeNode:
    node = pane.tree.currentIndex().siblingAtColumn(0).data(NODE_ROLE)
    assert isinstance(node, TreeNode)
    return node


def key(qtbot: QtBot, widget: QWidget, k: Qt.Key,
        modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(widget, k, modifier)
    settle(qtbot)


def down_to(qtbot: QtBot, pane: AccountTreePane, kind: NodeKind, text: str = "") -> TreeNode:
    """Press Down until the current node is of `kind` (and its label contains `text`)."""
    for _ in range(40):
        node = current(pane)
        if node.kind is kind and text in node.label:
            return node
        key(qtbot, pane.tree, Qt.Key.Key_Down)
    raise AssertionError(f"no {kind} node containing {text!r} below")


def expand_to(qtbot: QtBot, pane: AccountTreePane, *steps: tuple[NodeKind, str]) -> TreeNode:
    """Walk down to each (kind, text) in turn and open it with Right."""
    node = current(pane)
    for kind, text in steps:
        node = down_to(qtbot, pane, kind, text)
        key(qtbot, pane.tree, Qt.Key.Key_Right)
    return node


def visible_nodes(pane: AccountTreePane) -> list[TreeNode]:
    nodes: list[TreeNode] = []

    def walk(parent: QModelIndex) -> None:
        for row in range(pane.model.rowCount(parent)):
            index = pane.model.index(row, 0, parent)
            node = index.data(NODE_ROLE)
            if node is not None:
                nodes.append(node)
                if pane.tree.isExpanded(index):
                    walk(index)

    walk(QModelIndex())
    return nodes


def index_of(pane: AccountTreePane, number: str) -> QModelIndex:
    for index in pane.model.walk():
        if index.data(NODE_ROLE).key == number:
            return index
    raise AssertionError(f"{number} is not in the tree")


def menu_choose(qtbot: QtBot, pane: AccountTreePane, entry: str) -> None:
    """With the context menu open, move to `entry` with the arrow keys and press Enter."""
    menu = pane.context_menu
    assert menu is not None and menu.isVisible()
    for _ in range(len(menu.actions()) + 2):
        active = menu.activeAction()
        if active is not None and active.text() == entry:
            break
        qtbot.keyClick(menu, Qt.Key.Key_Down)
    assert menu.activeAction() is not None and menu.activeAction().text() == entry
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    settle(qtbot)


def type_into(qtbot: QtBot, field: QWidget, text: str) -> None:
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)
    settle(qtbot)


# ---------------------------------------------------------------------------------- tests


def test_without_an_account_the_pane_says_how_to_pick_one(
        qtbot: QtBot, open_window: Opener, utility: Utility, empty_db: Database) -> None:
    window = open_window(empty_db)
    pane = open_tree(qtbot, window, None)
    assert pane.stack.currentIndex() == 0
    assert "Control Central (Ctrl+2)" in pane.empty_text.text()
    assert pane.model.rowCount() == 0


def test_tree_follows_the_context_and_expands_with_the_keyboard(
        qtbot: QtBot, open_window: Opener, utility: Utility, empty_db: Database) -> None:
    h = utility.home
    window = open_window(empty_db)
    pane = open_tree(qtbot, window, h)
    # expanded down to the account, which is the current node
    account = current(pane)
    assert account.kind is NodeKind.ACCOUNT and account.key == h.account
    assert account.status == "Active"
    labels = [n.label for n in visible_nodes(pane)]
    assert labels[0].startswith("Customer ") and labels[0].endswith("Okafor, Ngozi")
    assert labels[2] == "Parties & roles"
    assert any(label.startswith("Premise 12 Elm St") for label in labels)
    # Right opens the premise ("Loading…" until its level arrives), then its electric
    # service point, down to the agreement
    down_to(qtbot, pane, NodeKind.PREMISE, "12 Elm St")
    qtbot.keyClick(pane.tree, Qt.Key.Key_Right)
    assert pane.model.index(0, 0, pane.tree.currentIndex()).data() == "Loading…"
    settle(qtbot)
    assert pane.model.index(0, 0, pane.tree.currentIndex()).data().startswith("SP Electric")
    expand_to(qtbot, pane, (NodeKind.SERVICE_POINT, "Electric"))
    sa = down_to(qtbot, pane, NodeKind.SERVICE_AGREEMENT)
    assert sa.key == utility.electric_sa
    assert sa.status == "Active" and "E-RES" in sa.label and not sa.historic
    status_index = pane.tree.currentIndex().siblingAtColumn(1)
    assert status_index.data() == "Active"
    # the stopped gas agreement stays hidden without history
    assert utility.gas_sa not in {n.key for n in visible_nodes(pane)}
    # Left closes the service point again
    key(qtbot, pane.tree, Qt.Key.Key_Left)
    assert current(pane).kind is NodeKind.SERVICE_POINT
    key(qtbot, pane.tree, Qt.Key.Key_Left)
    assert not pane.tree.isExpanded(pane.tree.currentIndex())


def test_show_history_reveals_the_stopped_agreement_greyed(
        qtbot: QtBot, open_window: Opener, utility: Utility, empty_db: Database) -> None:
    h = utility.home
    window = open_window(empty_db)
    pane = open_tree(qtbot, window, h)
    expand_to(qtbot, pane, (NodeKind.PREMISE, "12 Elm St"), (NodeKind.SERVICE_POINT, "Gas"))
    assert utility.gas_sa not in {n.key for n in visible_nodes(pane)}
    pane.history_box.setFocus()
    key(qtbot, pane.history_box, Qt.Key.Key_Space)
    assert pane.history_box.isChecked()
    # the tree reloads and opens again what was open; the gas point now has an agreement
    assert current(pane).kind is NodeKind.SERVICE_POINT and "Gas" in current(pane).label
    assert pane.tree.isExpanded(index_of(pane, h.premise))
    key(qtbot, pane.tree, Qt.Key.Key_Right)
    shown = {n.key: n for n in visible_nodes(pane)}
    stopped = shown[utility.gas_sa]
    assert stopped.status == "Stopped" and stopped.historic
    index = index_of(pane, utility.gas_sa)
    assert index.data(Qt.ItemDataRole.ForegroundRole).name() == HISTORIC_COLOUR
    assert utility.home.electric_sp in shown
    key(qtbot, pane.history_box, Qt.Key.Key_Space)
    assert utility.gas_sa not in {n.key for n in visible_nodes(pane)}


def test_enter_opens_the_node_record(qtbot: QtBot, open_window: Opener, utility: Utility,
                                     empty_db: Database) -> None:
    window = open_window(empty_db)
    pane = open_tree(qtbot, window, utility.home)
    expand_to(qtbot, pane, (NodeKind.PREMISE, "12 Elm St"), (NodeKind.SERVICE_POINT, "Electric"))
    down_to(qtbot, pane, NodeKind.SERVICE_AGREEMENT)
    key(qtbot, pane.tree, Qt.Key.Key_Return)
    record = window.tabs.currentWidget()
    assert isinstance(record, RecordPane)
    assert record.subtitle.text() == f"Service agreement {utility.electric_sa}"


def test_context_menu_opens_from_the_keyboard_with_the_node_actions(
        qtbot: QtBot, open_window: Opener, utility: Utility, empty_db: Database) -> None:
    window = open_window(empty_db)
    pane = open_tree(qtbot, window, utility.home)
    key(qtbot, pane.tree, Qt.Key.Key_Menu)
    menu = pane.context_menu
    assert menu is not None and menu.isVisible()
    assert [a.text() for a in menu.actions() if a.text()] == [
        "Open account", "Open in Control Central", "Add role…", "Add subscription…", "Refresh"]
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    down_to(qtbot, pane, NodeKind.PREMISE)
    key(qtbot, pane.tree, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    premise_menu = pane.context_menu
    assert premise_menu is not None and premise_menu is not menu
    texts = [a.text() for a in premise_menu.actions() if a.text()]
    assert texts[:4] == ["Open premise", "Start service…", "Assign parent premise…",
                         "Assign landlord…"]
    qtbot.keyClick(premise_menu, Qt.Key.Key_Escape)


def test_open_in_control_central_keeps_the_account(
        qtbot: QtBot, open_window: Opener, utility: Utility, empty_db: Database) -> None:
    window = open_window(empty_db)
    pane = open_tree(qtbot, window, utility.home)
    key(qtbot, pane.tree, Qt.Key.Key_Menu)
    menu_choose(qtbot, pane, "Open in Control Central")
    assert window.current_pane_name() == "control-central"
    assert window.current.account is not None
    assert window.current.account.account_number == utility.home.account


def test_party_number_shows_every_account_of_the_party(
        qtbot: QtBot, open_window: Opener, utility: Utility, empty_db: Database) -> None:
    window = open_window(empty_db)
    pane = open_tree(qtbot, window, None)
    type_into(qtbot, pane.party_field, "1234567890")
    key(qtbot, pane.party_field, Qt.Key.Key_Return)
    assert "check digit" in pane.field_error.text() and pane.field_error.isVisible()
    type_into(qtbot, pane.party_field, utility.other.party)
    key(qtbot, pane.party_field, Qt.Key.Key_Return)
    assert not pane.field_error.isVisible()
    nodes = visible_nodes(pane)
    assert nodes[0].kind is NodeKind.PARTY and "Lindqvist" in nodes[0].label
    accounts = [n for n in nodes if n.kind is NodeKind.ACCOUNT]
    assert [a.key for a in accounts] == [utility.other.account]
    assert "Owner" in accounts[0].label


def test_a_level_that_cannot_be_read_shows_a_red_row_and_a_status(
        qtbot: QtBot, open_window: Opener, utility: Utility, empty_db: Database) -> None:
    from app.engine.identifiers import from_body

    missing = from_body(999_999_999)
    window = open_window(empty_db)
    pane = open_tree(qtbot, window, None)
    type_into(qtbot, pane.party_field, missing)
    key(qtbot, pane.party_field, Qt.Key.Key_Return)
    row = pane.model.index(0, 0)
    assert row.data(NODE_ROLE) is None
    assert row.data() == f"There is no person or organisation {missing}. Check the number."
    assert row.data(Qt.ItemDataRole.ForegroundRole).name() == "#c0392b"
    assert window.statusBar().currentMessage().endswith(row.data())


def test_back_returns_to_the_tree_of_the_previous_account(
        qtbot: QtBot, open_window: Opener, utility: Utility, empty_db: Database) -> None:
    window = open_window(empty_db)
    pane = open_tree(qtbot, window, utility.home)
    other = utility.other
    window.current.set_account(CurrentAccount(other.account, "Lindqvist, Maja", other.party))
    settle(qtbot)
    assert pane.root == ("account", other.account)
    assert current(pane).key == other.account
    key(qtbot, window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert pane.root == ("account", utility.home.account)
    assert current(pane).key == utility.home.account
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert pane.root == ("account", other.account)


def test_add_role_checks_the_party_number_then_adds_the_role(
        qtbot: QtBot, open_window: Opener, utility: Utility, empty_db: Database) -> None:
    h = utility.home
    window = open_window(empty_db)
    pane = open_tree(qtbot, window, h, owner_caller(h))
    key(qtbot, pane.tree, Qt.Key.Key_Menu)
    menu_choose(qtbot, pane, "Add role…")
    dialog = pane.dialog
    assert isinstance(dialog, AddRoleDialog) and dialog.isVisible()
    assert not dialog.banner.isVisible()  # the owner is calling
    type_into(qtbot, dialog.party, "1234567890")
    key(qtbot, dialog.party, Qt.Key.Key_Return)
    assert "check digit" in dialog.error_text("party")
    assert dialog.isVisible()
    type_into(qtbot, dialog.party, utility.other.party)
    dialog.role_type.setCurrentIndex(dialog.role_type.findText("Payer"))
    key(qtbot, dialog.party, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert "Lindqvist, Maja is now payer of account" in window.statusBar().currentMessage()
    held = roles.roles_on(empty_db, RoleTarget.ACCOUNT, h.account)
    assert any(r.party_number == utility.other.party and r.role_type is RoleType.PAYER
               for r in held)
    # the account's branch was fetched again: the roles folder counts three
    folder = next(n for n in visible_nodes(pane) if n.kind is NodeKind.ROLES)
    folder_index = index_of(pane, folder.key)
    assert folder_index.siblingAtColumn(2).data() == "(3)"


def test_add_subscription_shows_the_service_error_beside_the_email(
        qtbot: QtBot, open_window: Opener, utility: Utility, empty_db: Database) -> None:
    h = utility.home
    window = open_window(empty_db)
    pane = open_tree(qtbot, window, h, owner_caller(h))
    key(qtbot, pane.tree, Qt.Key.Key_Menu)
    menu_choose(qtbot, pane, "Add subscription…")
    dialog = pane.dialog
    assert isinstance(dialog, AddSubscriptionDialog)
    type_into(qtbot, dialog.email, "not-an-address")
    key(qtbot, dialog.email, Qt.Key.Key_Return)
    assert "is not an e-mail address" in dialog.error_text("email")
    assert dialog.isVisible()
    type_into(qtbot, dialog.email, "ngozi.copies@example.com")
    key(qtbot, dialog.email, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    folder = next(n for n in visible_nodes(pane) if n.kind is NodeKind.SUBSCRIPTIONS)
    assert folder.child_count == 1


def test_assign_and_remove_parent_premise(qtbot: QtBot, open_window: Opener,
                                         utility: Utility, empty_db: Database) -> None:
    h = utility.home
    window = open_window(empty_db)
    pane = open_tree(qtbot, window, h, owner_caller(h))
    down_to(qtbot, pane, NodeKind.PREMISE)
    key(qtbot, pane.tree, Qt.Key.Key_Menu)
    menu_choose(qtbot, pane, "Assign parent premise…")
    dialog = pane.dialog
    assert isinstance(dialog, AssignParentDialog)
    assert dialog.current.text() == "None"
    type_into(qtbot, dialog.parent_number, h.premise)
    key(qtbot, dialog.parent_number, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.error_text("parent_premise")  # its own parent: refused
    type_into(qtbot, dialog.parent_number, utility.other.premise)
    key(qtbot, dialog.parent_number, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    premise = down_to(qtbot, pane, NodeKind.PREMISE)
    assert "[parent: 77 Birch Rd]" in premise.label
    key(qtbot, pane.tree, Qt.Key.Key_Menu)
    menu_choose(qtbot, pane, "Remove parent premise…")
    assert pane.dialog is not None
    key(qtbot, pane.dialog.submit_button, Qt.Key.Key_Space)
    assert premises.get_premise(empty_db, h.premise).parent_premise_number is None
    assert "[parent:" not in down_to(qtbot, pane, NodeKind.PREMISE).label


def test_landlord_saved_by_someone_else_meanwhile_is_reported_and_reloaded(
        qtbot: QtBot, open_window: Opener, utility: Utility, empty_db: Database) -> None:
    h = utility.home
    agreement = premises.create_landlord_agreement(
        empty_db, CSR, utility.other.party, utility.other.account, "Birch Rd landlord")
    window = open_window(empty_db)
    pane = open_tree(qtbot, window, h, owner_caller(h))
    down_to(qtbot, pane, NodeKind.PREMISE)
    key(qtbot, pane.tree, Qt.Key.Key_Menu)
    menu_choose(qtbot, pane, "Assign landlord…")
    dialog = pane.dialog
    assert isinstance(dialog, AssignLandlordDialog)
    seen = premises.get_premise(empty_db, h.premise)
    premises.set_parent_premise(empty_db, CSR, h.premise, seen.version, utility.other.premise)
    type_into(qtbot, dialog.agreement, agreement.number)
    key(qtbot, dialog.agreement, Qt.Key.Key_Return)
    assert "while you were editing it" in dialog.error_text()
    assert dialog.isVisible()
    assert premises.get_premise(empty_db, h.premise).landlord_agreement_number is None
    # the dialog re-read the premise: trying again saves
    key(qtbot, dialog.agreement, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert premises.get_premise(empty_db, h.premise).landlord_agreement_number == \
        agreement.number
    assert "[landlord: Birch Rd landlord]" in down_to(qtbot, pane, NodeKind.PREMISE).label


@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path}/demo.sqlite")
    generate(db, 60, seed=3)
    yield db
    db.dispose()


def test_demo_account_expands_several_levels_and_f5_refreshes(
        qtbot: QtBot, open_window: Opener, demo_db: Database) -> None:
    from sqlalchemy import text
    with demo_db.engine.connect() as conn:
        number = conn.execute(text(
            "SELECT a.number FROM account a JOIN service_agreement sa ON sa.account_id = a.id "
            "WHERE sa.status = 'ACTIVE' ORDER BY a.id LIMIT 1")).scalar_one()
    window = open_window(demo_db)
    pane = window.open_pane("account-tree")
    assert isinstance(pane, AccountTreePane)
    window.current.set_account(CurrentAccount(number, f"account {number}"))
    settle(qtbot)
    pane.tree.setFocus()
    expand_to(qtbot, pane, (NodeKind.PREMISE, ""), (NodeKind.SERVICE_POINT, ""))
    node = down_to(qtbot, pane, NodeKind.SERVICE_AGREEMENT)
    assert node.account_number == number and node.status
    before = [n.key for n in visible_nodes(pane)]
    key(qtbot, pane.tree, Qt.Key.Key_F5)
    assert [n.key for n in visible_nodes(pane)] == before
    assert current(pane).key == node.key
    assert QApplication.focusWidget() is pane.tree
