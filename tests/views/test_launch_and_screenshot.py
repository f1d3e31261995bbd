"""Start-up checks and `switchboard screenshot`."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.cli import main
from app.db import Database, open_database
from app.services.search import search
from app.views.account_tree import AccountTreePane
from app.views.current_context import CurrentAccount
from app.views.history import NavigationHistory, Visit
from app.views.launch import is_new_local_database, run_gui
from app.views.screenshot import take_screenshot


def test_screenshot_of_the_main_window(qtbot: QtBot, small_db: Database, db_url: str,
                                       tmp_path: Path) -> None:
    out = tmp_path / "shots" / "main.png"
    assert take_screenshot("main", out, db_url) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1400, 900)


def test_screenshot_of_one_pane(qtbot: QtBot, small_db: Database, db_url: str,
                                tmp_path: Path) -> None:
    out = tmp_path / "record.png"
    assert main(["screenshot", "record", "--out", str(out), "--database", db_url]) == 0
    image = QImage(str(out))
    assert image.width() == 1400 and 600 < image.height() < 900  # the pane, not the window


@pytest.mark.parametrize("pane", ["control-central", "account-tree"])
def test_screenshot_of_an_account_pane_shows_the_account_asked_for(
    qtbot: QtBot, small_db: Database, db_url: str, tmp_path: Path, pane: str
) -> None:
    (hit,) = [h for h in search(small_db, "Lindqvist").hits if h.account_number]
    assert hit.account_number is not None
    shown: list[str] = []
    out = tmp_path / f"{pane}.png"
    original = AccountTreePane.on_context_changed

    def spy(self: AccountTreePane, account: CurrentAccount | None) -> None:
        if account is not None:
            shown.append(account.account_number)
        original(self, account)

    AccountTreePane.on_context_changed = spy  # type: ignore[method-assign]
    try:
        assert main(["screenshot", pane, "--account", hit.account_number, "--out", str(out),
                     "--database", db_url]) == 0
    finally:
        AccountTreePane.on_context_changed = original  # type: ignore[method-assign]
    assert QImage(str(out)).width() == 1400
    if pane == "account-tree":
        assert shown[-1] == hit.account_number


def test_screenshot_with_a_mistyped_account_exits_2(qtbot: QtBot, small_db: Database,
                                                    db_url: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cc.png"
    assert main(["screenshot", "control-central", "--account", "1234567890", "--out", str(out),
                 "--database", db_url]) == 2
    assert "check digit" in capsys.readouterr().err
    assert not out.exists()


def test_screenshot_of_an_unknown_pane(qtbot: QtBot, db_url: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nope.png"
    assert take_screenshot("nope", out, db_url) == 2
    err = capsys.readouterr().err
    assert "'nope'" in err and "main, home, control-central, account-tree, record" in err
    assert not out.exists()


def test_new_local_database_is_recognised(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fresh.sqlite"
    assert is_new_local_database(url)
    open_database(url).dispose()
    assert not is_new_local_database(url)
    assert not is_new_local_database("postgresql://csr@db.example/cis")


def test_start_with_a_broken_database_reports_and_exits_2(
    qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "letter.sqlite"
    bogus.write_text("Dear customer, " * 300)
    assert run_gui(f"sqlite:///{bogus}", empty=True) == 2
    assert "switchboard: The file" in capsys.readouterr().err


def test_history_keeps_one_line_of_visits() -> None:
    history = NavigationHistory()
    history.visit(Visit("home"))
    history.visit(Visit("home"))
    assert len(history) == 1
    history.visit(Visit("search", ("ok", ()), "'ok'"))
    history.visit(Visit("search", ("li", ()), "'li'"))
    assert history.back() == Visit("search", None, "'ok'")
    history.visit(Visit("home"))
    assert not history.can_go_forward and len(history) == 3


def test_first_start_fills_a_new_local_database_then_logs_in(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services.overview import database_overview
    from app.views import demo_loader, launch
    from tests.services.builders import household

    asked: list[int] = []

    def fake_generate(db: Database, accounts: int, progress: object) -> object:
        asked.append(accounts)
        household(db, "Demo", "Pat")
        return None

    monkeypatch.setattr(demo_loader, "_generate", fake_generate)
    monkeypatch.setattr(launch, "os_username", lambda: "opal")
    url = f"sqlite:///{tmp_path}/first.sqlite"
    workstation = launch.start_workstation(url, fill_demo=True)
    assert workstation is not None
    try:
        assert asked == [300]
        assert workstation.actor.username == "opal"
        assert database_overview(workstation.db).accounts == 1
    finally:
        workstation.db.dispose()
    # an existing database is never filled again
    again = launch.start_workstation(url, fill_demo=True)
    assert again is not None
    again.db.dispose()
    assert asked == [300]


def test_screenshot_of_the_quotes_pane_opens_a_complete_quote(
        qtbot: QtBot, empty_db: Database, db_url: str, tmp_path: Path) -> None:
    from app.services import quotes
    from app.views.quotes import QuotesPane
    from tests.conftest import CSR
    from tests.services.quote_fixtures import make_prospect

    prospect = make_prospect(empty_db)
    quote = quotes.generate(empty_db, CSR, prospect.account).quote
    assert quote is not None
    quotes.complete(empty_db, CSR, quote.number, quote.version)
    shown: list[str] = []
    original = QuotesPane.show_quote

    def spy(self: QuotesPane, view: object) -> None:
        shown.append(getattr(view, "number", ""))
        original(self, view)  # type: ignore[arg-type]

    QuotesPane.show_quote = spy  # type: ignore[method-assign]
    try:
        out = tmp_path / "quotes.png"
        assert main(["screenshot", "quotes", "--out", str(out), "--database", db_url]) == 0
    finally:
        QuotesPane.show_quote = original  # type: ignore[method-assign]
    assert shown[-1] == quote.number and QImage(str(out)).width() == 1400
