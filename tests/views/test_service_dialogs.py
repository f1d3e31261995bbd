"""Start and stop service from the account tree's context menu, typed like a CSR would: the
proposal per service point, blocked points, the caller's authority and inline errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.db import Database
from app.models.enums import SAStatus
from app.services import service_agreements as sas
from app.services.account_tree import NodeKind
from app.services.context import today
from app.views.main_window import MainWindow
from app.views.service_dialogs import StartServiceDialog, StopServiceDialog
from app.views.tree_dialogs import OVERRIDE_FIELD
from tests.views.test_account_tree import (
    Utility,
    build_utility,
    current,
    down_to,
    expand_to,
    index_of,
    key,
    menu_choose,
    open_tree,
    owner_caller,
    type_into,
    visible_nodes,
)

Opener = Callable[[Database], MainWindow]


@pytest.fixture
def utility(empty_db: Database) -> Utility:
    return build_utility(empty_db)


def _agreements(db: Database, account: str) -> list[sas.ServiceAgreementView]:
    return sas.agreements_of_account(db, account)


def _open_start_dialog(qtbot: QtBot, window: MainWindow, u: Utility,
                       authority: bool) -> StartServiceDialog:
    pane = open_tree(qtbot, window, u.home, owner_caller(u.home) if authority else None)
    down_to(qtbot, pane, NodeKind.PREMISE, "12 Elm St")
    key(qtbot, pane.tree, Qt.Key.Key_Menu)
    menu_choose(qtbot, pane, "Start service…")
    dialog = pane.dialog
    assert isinstance(dialog, StartServiceDialog) and dialog.isVisible()
    return dialog


def test_start_service_on_the_free_point_adds_a_pending_start_agreement(
        qtbot: QtBot, open_window: Opener, utility: Utility, empty_db: Database) -> None:
    u = utility
    window = open_window(empty_db)
    dialog = _open_start_dialog(qtbot, window, u, authority=True)
    assert not dialog.banner.isVisible()
    assert dialog.form.indexOf(dialog.override) < 0
    # electric is supplied by the active agreement: unticked, disabled, with the reason
    rows = {dialog.points.topLevelItem(i).text(0): dialog.points.topLevelItem(i)  # type: ignore[union-attr]
            for i in range(dialog.points.topLevelItemCount())}
    electric, gas = rows[u.home.electric_sp], rows[u.home.gas_sp]
    assert electric.isDisabled() and electric.checkState(0) is Qt.CheckState.Unchecked
    assert f"supplied by agreement {u.electric_sa}" in electric.text(5)
    assert gas.checkState(0) is Qt.CheckState.Checked and not gas.isDisabled()
    assert (gas.text(1), gas.text(3), gas.text(4)) == ("Gas", "G-RES", "G-RES-1")
    assert gas.text(5) == f"as agreement {u.gas_sa}"
    start = today() + dt.timedelta(days=6)
    type_into(qtbot, dialog.start_date, f"{start:%Y-%m-%d}")
    assert dialog.summary.text().startswith(
        "1 service agreement will be created for 1 service point.")
    type_into(qtbot, dialog.requested_by, "Ngozi Okafor, by phone")
    key(qtbot, dialog.requested_by, Qt.Key.Key_Return)  # Start is the default button
    assert not dialog.isVisible()
    message = f"1 service agreement created, pending start {start:%Y-%m-%d}"
    assert window.statusBar().currentMessage() == message
    pane = window.panes["account-tree"]
    assert pane.message.text() == message  # type: ignore[attr-defined]
    created = [a for a in _agreements(empty_db, u.home.account)
               if a.status is SAStatus.PENDING_START]
    assert len(created) == 1 and created[0].service_point_numbers == (u.home.gas_sp,)
    # the premise's branch was fetched again and the gas point opened on the new agreement
    shown = {n.key: n for n in visible_nodes(pane)}  # type: ignore[arg-type]
    node = shown[created[0].number]
    assert node.status == "Pending start" and node.kind is NodeKind.SERVICE_AGREEMENT
    assert pane.tree.isExpanded(index_of(pane, u.home.gas_sp))  # type: ignore[arg-type]


def test_stop_date_before_the_start_is_shown_beside_the_date(
        qtbot: QtBot, open_window: Opener, utility: Utility, empty_db: Database) -> None:
    u = utility
    window = open_window(empty_db)
    pane = open_tree(qtbot, window, u.home, owner_caller(u.home))
    expand_to(qtbot, pane, (NodeKind.PREMISE, "12 Elm St"), (NodeKind.SERVICE_POINT, "Electric"))
    assert down_to(qtbot, pane, NodeKind.SERVICE_AGREEMENT).key == u.electric_sa
    key(qtbot, pane.tree, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    menu_choose(qtbot, pane, "Stop service…")
    dialog = pane.dialog
    assert isinstance(dialog, StopServiceDialog)
    assert dialog.stop_date.text() == f"{today():%Y-%m-%d}"
    type_into(qtbot, dialog.stop_date, "2024-12-01")
    key(qtbot, dialog.stop_date, Qt.Key.Key_Return)
    assert dialog.isVisible()
    error = dialog.error_text("stop_date")
    assert "the stop date 2024-12-01 is before that" in error
    assert dialog.errors["stop_date"].isVisible()
    assert sas.get_service_agreement(empty_db, u.electric_sa).status is SAStatus.ACTIVE
    # a date the agreement can stop on: it goes into pending stop and the branch refreshes
    type_into(qtbot, dialog.stop_date, "2026-01-31")
    key(qtbot, dialog.stop_date, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert window.statusBar().currentMessage() == \
        "1 service agreement stopping on 2026-01-31 (pending stop)"
    assert current(pane).key == u.electric_sa
    assert current(pane).status == "Pending stop"


def test_unknown_caller_needs_an_override_reason(
        qtbot: QtBot, open_window: Opener, utility: Utility, empty_db: Database) -> None:
    u = utility
    window = open_window(empty_db)
    dialog = _open_start_dialog(qtbot, window, u, authority=False)
    assert dialog.banner.isVisible()
    assert dialog.banner.text().startswith(
        "Caller unknown — not identified as owner or administrator of this account.")
    assert dialog.override.isVisible()
    before = len(_agreements(empty_db, u.home.account))
    key(qtbot, dialog.start_date, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.error_text(OVERRIDE_FIELD).startswith("Enter an override reason")
    assert len(_agreements(empty_db, u.home.account)) == before  # nothing saved
    type_into(qtbot, dialog.override, "Tenant's signed move-in letter on file")
    key(qtbot, dialog.override, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert len(_agreements(empty_db, u.home.account)) == before + 1


def test_a_caller_without_authority_is_named_in_the_banner(
        qtbot: QtBot, open_window: Opener, utility: Utility, empty_db: Database) -> None:
    from app.services.control_central import Caller
    from app.views.current_context import CurrentAccount

    u = utility
    window = open_window(empty_db)
    pane = open_tree(qtbot, window, u.home)
    window.current.set_account(CurrentAccount(
        u.home.account, "Okafor", u.home.party, u.home.premise,
        Caller(u.other.party, "Lindqvist, Maja", "", False)))
    pane.tree.setFocus()
    expand_to(qtbot, pane, (NodeKind.PREMISE, "12 Elm St"), (NodeKind.SERVICE_POINT, "Electric"))
    down_to(qtbot, pane, NodeKind.SERVICE_AGREEMENT)
    key(qtbot, pane.tree, Qt.Key.Key_Menu)
    menu_choose(qtbot, pane, "Stop service…")
    dialog = pane.dialog
    assert isinstance(dialog, StopServiceDialog)
    assert dialog.banner.text().startswith(
        "Caller Lindqvist, Maja is not owner or administrator of this account")
    key(qtbot, dialog.stop_date, Qt.Key.Key_Return)
    assert dialog.error_text(OVERRIDE_FIELD)
    assert sas.get_service_agreement(empty_db, u.electric_sa).status is SAStatus.ACTIVE
