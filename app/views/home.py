"""The Overview pane: what is in this database, or a first-run state when it holds nothing yet."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.overview import DatabaseOverview, database_overview
from app.views import demo_loader
from app.views.panes import PaneContext, PaneSpec, register
from app.views.widgets import label
from app.views.worker import run_task

#: (attribute of DatabaseOverview, label on the tile), in reading order.
TILES: tuple[tuple[str, str], ...] = (
    ("customers", "Customers"),
    ("accounts", "Accounts"),
    ("premises", "Premises"),
    ("service_points", "Service points"),
    ("service_agreements", "Service agreements"),
    ("meters", "Meters"),
)
TILE_COLUMNS = 3


class CountTile(QFrame):
    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setObjectName("tile")
        self.setMinimumSize(200, 104)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 14)
        layout.setSpacing(2)
        self.value = label("–", "tileValue")
        self.caption = label(caption, "tileLabel")
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set_count(self, count: int) -> None:
        self.value.setText(f"{count:,}")


class HomePane(QWidget):
    """Counts at a glance; on an empty database, a first-run state with real next steps."""

    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.overview: DatabaseOverview | None = None
        self._loading = False

        self.stack = QStackedWidget()
        self.loading_page = self._message_page("Reading the database…")
        self.error_label = label("", "inlineError", wrap=True)
        self.counts_page = self._build_counts_page()
        self.empty_page = self._build_empty_page()
        for page in (self.loading_page, self.counts_page, self.empty_page):
            self.stack.addWidget(page)
        error_page = QWidget()
        error_layout = QVBoxLayout(error_page)
        error_layout.setContentsMargins(32, 28, 32, 28)
        error_layout.addWidget(self.error_label)
        retry = QPushButton("Try again")
        retry.clicked.connect(self.refresh)
        error_layout.addWidget(retry, 0, Qt.AlignmentFlag.AlignLeft)
        error_layout.addStretch(1)
        self.error_page = error_page
        self.stack.addWidget(error_page)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.refresh()

    # ------------------------------------------------------------------------------ building

    def _message_page(self, text: str) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.addWidget(label(text, "hint"))
        layout.addStretch(1)
        return page

    def _build_counts_page(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(32, 28, 32, 28)
        outer.setSpacing(6)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(4)
        titles.addWidget(label("Overview", "pageTitle"))
        self.subtitle = label("", "pageSubtitle", wrap=True)
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        titles.addWidget(self.subtitle)
        header.addLayout(titles, 1)
        refresh = QPushButton("Refresh")
        refresh.setToolTip("Count again (F5)")
        refresh.setShortcut("F5")
        refresh.clicked.connect(self.refresh)
        header.addWidget(refresh, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(header)
        outer.addSpacing(18)

        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(16)
        self.tiles: dict[str, CountTile] = {}
        for index, (field, caption) in enumerate(TILES):
            tile = CountTile(caption)
            self.tiles[field] = tile
            grid.addWidget(tile, index // TILE_COLUMNS, index % TILE_COLUMNS)
        for column in range(TILE_COLUMNS):
            grid.setColumnStretch(column, 1)
        outer.addLayout(grid)
        outer.addSpacing(18)
        self.signed_in = label("", "hint", wrap=True)
        outer.addWidget(self.signed_in)
        outer.addStretch(1)
        return page

    def _build_empty_page(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(32, 28, 32, 28)
        outer.addStretch(1)
        card = QFrame()
        card.setObjectName("emptyCard")
        card.setMaximumWidth(640)
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(36, 32, 36, 32)
        inner.setSpacing(12)
        self.empty_heading = label("This database has no customers yet", "emptyHeading", wrap=True)
        inner.addWidget(self.empty_heading)
        inner.addWidget(label(
            "Load a demo utility — customers, accounts, premises, meters and two years of bills — "
            "to explore Switchboard, or switch to your utility's database.",
            "emptyText", wrap=True,
        ))
        self.empty_database = label("", "hint", wrap=True)
        inner.addWidget(self.empty_database)
        inner.addSpacing(8)
        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        self.load_demo_button = QPushButton("Load demo utility…")
        self.load_demo_button.setObjectName("primary")
        self.load_demo_button.clicked.connect(self.load_demo)
        self.switch_button = QPushButton("Switch database…")
        self.switch_button.clicked.connect(self._ctx.host.open_settings)
        buttons.addWidget(self.load_demo_button)
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        inner.addLayout(buttons)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        return page

    # ------------------------------------------------------------------------------- loading

    def refresh(self) -> None:
        if self._loading:
            return
        self._loading = True
        if self.overview is None:
            self.stack.setCurrentWidget(self.loading_page)
        run_task(database_overview, self._ctx.db, on_result=self._show, on_error=self._failed)

    def _show(self, overview: DatabaseOverview) -> None:
        self._loading = False
        self.overview = overview
        schema = overview.schema_revision or "(none)"
        where = f"{overview.description} · schema {schema}"
        if overview.is_empty:
            self.empty_database.setText(f"Database: {where}")
            self.stack.setCurrentWidget(self.empty_page)
            return
        self.subtitle.setText(where)
        for field, tile in self.tiles.items():
            tile.set_count(int(getattr(overview, field)))
        actor = self._ctx.actor
        self.signed_in.setText(f"Signed in as {actor.display_name} ({actor.username}).")
        self.stack.setCurrentWidget(self.counts_page)

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        message = getattr(exc, "message", None) or f"The database could not be read: {exc}"
        self.error_label.setText(str(message))
        self.stack.setCurrentWidget(self.error_page)

    # --------------------------------------------------------------------------- first run

    def load_demo(self) -> None:
        accounts = demo_loader.ask_account_count(self)
        if accounts is None:
            return
        self.load_demo_button.setEnabled(False)
        demo_loader.load_demo(self._ctx.db, accounts, self, self._demo_done)

    def _demo_done(self, summary: Any, exc: BaseException | None) -> None:
        self.load_demo_button.setEnabled(True)
        if exc is not None:
            QMessageBox.warning(self, "Load demo utility", demo_loader.describe_failure(exc))
        else:
            accounts = getattr(summary, "accounts", None)
            if accounts is not None:
                self._ctx.host.show_status(f"Demo utility loaded: {accounts:,} accounts.")
        self.refresh()


def _make(ctx: PaneContext) -> QWidget:
    return HomePane(ctx)


HOME = register(PaneSpec("home", "Overview", "Ctrl+1", _make))

__all__ = ["HOME", "HomePane"]
