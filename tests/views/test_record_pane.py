"""Opening a record from the search results, following its links, and going back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.db import Database, open_database
from app.demo import generate
from app.services import financials
from app.views.main_window import MainWindow
from app.views.record import RecordPane, open_record
from tests.views.conftest import settle

Opener = Callable[[Database], MainWindow]


@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path}/demo.sqlite")
    generate(db, 60, seed=3)
    yield db
    db.dispose()


def _open_account(qtbot: QtBot, window: MainWindow, number: str) -> RecordPane:
    """Open the account's record the way the tree's Enter and Control Central's links do."""
    open_record(window, "Account", number)
    settle(qtbot)
    pane = window.tabs.currentWidget()
    assert isinstance(pane, RecordPane)
    return pane


def test_account_opened_by_id_shows_its_balance_roles_and_agreements(
    qtbot: QtBot, open_window: Opener, demo_db: Database
) -> None:
    with demo_db.engine.connect() as conn:
        number = conn.execute(text("SELECT number FROM account ORDER BY id LIMIT 1")).scalar_one()
    balance = financials.account_balance(demo_db, number)
    window = open_window(demo_db)
    pane = _open_account(qtbot, window, number)
    assert pane.subtitle.text() == f"Account {number}"
    assert pane.record is not None
    facts = dict(pane.record.facts)
    assert facts["Balance"].startswith(f"{abs(balance):,.2f} USD".replace("-", ""))
    titles = [s.title for s in pane.record.sections]
    assert titles[:2] == ["Parties and roles", "Service agreements"]
    owner_rows = [row for row in pane.record.sections[0].rows if row[2] == "Owner"]
    assert len(owner_rows) == 1


def test_following_a_link_then_back_returns_to_the_account(
    qtbot: QtBot, open_window: Opener, demo_db: Database
) -> None:
    with demo_db.engine.connect() as conn:
        number = conn.execute(text("SELECT number FROM account ORDER BY id LIMIT 1")).scalar_one()
    window = open_window(demo_db)
    pane = _open_account(qtbot, window, number)
    agreements = next(t for t in pane.tables if t.section.title == "Service agreements")
    first_sa = agreements.model().index(0, 0).data()
    agreements.setFocus()
    agreements.selectRow(0)
    qtbot.keyClick(agreements, Qt.Key.Key_Return)
    settle(qtbot)
    assert pane.subtitle.text() == f"Service agreement {first_sa}"
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    settle(qtbot)
    assert pane.subtitle.text() == f"Account {number}"
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    settle(qtbot)
    assert pane.subtitle.text() == f"Service agreement {first_sa}"


def test_person_found_by_name_lists_roles(qtbot: QtBot, open_window: Opener,
                                          demo_db: Database) -> None:
    with demo_db.engine.connect() as conn:
        number = conn.execute(text(
            "SELECT p.number FROM party p JOIN customer c ON c.legal_party_id = p.id "
            "WHERE p.kind = 'PERSON' ORDER BY p.id LIMIT 1")).scalar_one()
    window = open_window(demo_db)
    open_record(window, "Person", number)
    settle(qtbot)
    pane = window.tabs.currentWidget()
    assert isinstance(pane, RecordPane)
    assert pane.record is not None and pane.record.kind == "Person"
    roles = pane.record.sections[0]
    assert any(row[2] == "Owner" for row in roles.rows)
