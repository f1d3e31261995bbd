"""The main window: a tab host for the registered panes, menus, global search, history, status."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QMainWindow,
    QSizePolicy,
    QTabWidget,
    QToolBar,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from app.db import Database
from app.models.enums import UserRole
from app.services.context import Actor
from app.services.errors import DomainError
from app.services.installation import Module, enabled_modules
from app.services.overview import DatabaseOverview, database_overview
from app.services.search import detect_kind
from app.views.about import AboutDialog
from app.views.control_central import CONTROL_CENTRAL, ControlCentralPane
from app.views.current_context import ContextBar, CurrentContext
from app.views.history import NavigationHistory, Visit
from app.views.panes import DEFAULT_PANE, PaneContext, pane_spec, pane_specs
from app.views.settings_dialog import SettingsDialog
from app.views.widgets import FieldMessage, arrow_icon
from app.views.worker import run_task

SEARCH_PLACEHOLDER = "Search: name, ID, address, phone, e-mail, meter (Ctrl+F)"


def read_modules(db: Database) -> frozenset[Module]:
    """The optional modules switched on (one small read); all of them if it cannot be read."""
    try:
        return enabled_modules(db)
    except (SQLAlchemyError, DomainError):
        return frozenset(Module)


def role_names(actor: Actor) -> str:
    names = ["CSR" if r is UserRole.CSR else r.label for r in actor.roles]
    return ", ".join(sorted(names))


class MainWindow(QMainWindow):
    """One window, many panes. Panes ask it to open other panes and to show status text."""

    #: Emitted with the database URL the user chose in Settings and asked to open now.
    database_switch_requested = Signal(str)

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.current = CurrentContext()
        #: Optional modules are read once: switching one takes effect in the next window.
        self.modules = read_modules(db)
        self.context = PaneContext(db, actor, self, self.current, self.modules)
        self.history = NavigationHistory()
        self.panes: dict[str, QWidget] = {}
        self.overview: DatabaseOverview | None = None
        self._navigating = False

        self.setWindowTitle(f"Switchboard — {db.description}")
        self.resize(1400, 900)
        self.setMinimumSize(960, 640)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.setCentralWidget(self.tabs)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self.search_message = FieldMessage(self.search_field, self)
        self.open_pane(DEFAULT_PANE)
        self._load_status()

    # ----------------------------------------------------------------------------- building

    def _build_actions(self) -> None:
        self.back_action = QAction("Back", self)
        self.back_action.setShortcut(QKeySequence("Alt+Left"))
        self.back_action.setToolTip("Back (Alt+Left)")
        self.back_action.triggered.connect(self.go_back)
        self.forward_action = QAction("Forward", self)
        self.forward_action.setShortcut(QKeySequence("Alt+Right"))
        self.forward_action.setToolTip("Forward (Alt+Right)")
        self.forward_action.triggered.connect(self.go_forward)
        self.find_action = QAction("Search…", self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self.focus_search)
        for action in (self.back_action, self.forward_action, self.find_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
        self._paint_icons()
        self._update_history_actions()

    def _paint_icons(self) -> None:
        colour = self.palette().color(QPalette.ColorRole.WindowText)
        self.back_action.setIcon(arrow_icon("back", colour))
        self.forward_action.setIcon(arrow_icon("forward", colour))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "back_action"):
            self._paint_icons()

    def _build_menus(self) -> None:
        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu("&File")
        settings = file_menu.addAction("&Settings…")
        settings.setMenuRole(QAction.MenuRole.PreferencesRole)
        settings.triggered.connect(self.open_settings)
        switch = file_menu.addAction("S&witch database…")
        switch.triggered.connect(self.open_settings)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)

        view_menu = menu_bar.addMenu("&View")
        self.view_actions: dict[str, QAction] = {}
        for spec in pane_specs():
            if not self.pane_available(spec.name):
                continue
            action = view_menu.addAction(spec.title)
            if spec.shortcut:
                action.setShortcut(QKeySequence(spec.shortcut))
            action.triggered.connect(lambda _=False, name=spec.name: self.open_pane(name))
            self.view_actions[spec.name] = action

        go_menu = menu_bar.addMenu("&Go")
        go_menu.addAction(self.back_action)
        go_menu.addAction(self.forward_action)
        go_menu.addSeparator()
        go_menu.addAction(self.find_action)

        help_menu = menu_bar.addMenu("&Help")
        about = help_menu.addAction("&About Switchboard")
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.show_about)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Navigation")
        toolbar.setObjectName("navigation")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        toolbar.addAction(self.back_action)
        toolbar.addAction(self.forward_action)
        toolbar.addSeparator()
        self.search_field = QLineEdit()
        self.search_field.setObjectName("globalSearch")
        self.search_field.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setMinimumWidth(320)
        self.search_field.setMaximumWidth(520)
        self.search_field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.search_field.setAccessibleName("Global search")
        self.search_field.returnPressed.connect(self.run_search)
        self.search_field.textEdited.connect(lambda _text: self.search_message.clear())
        toolbar.addWidget(self.search_field)
        self.addToolBar(toolbar)
        self.toolbar = toolbar
        self.addToolBarBreak()
        context = QToolBar("Current context")
        context.setObjectName("context")
        context.setMovable(False)
        self.context_bar = ContextBar(self.current)
        context.addWidget(self.context_bar)
        self.addToolBar(context)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.user_label = QLabel(f"{self.actor.display_name} · {role_names(self.actor)}")
        self.user_label.setToolTip(f"Signed in as {self.actor.username}")
        self.database_label = QLabel(self.db.description)
        self.schema_label = QLabel("schema …")
        for widget in (self.user_label, self.database_label, self.schema_label):
            bar.addPermanentWidget(widget)

    def _load_status(self) -> None:
        run_task(database_overview, self.db, on_result=self._show_overview,
                 on_error=lambda exc: self.schema_label.setText("schema unknown"))

    def _show_overview(self, overview: DatabaseOverview) -> None:
        self.overview = overview
        self.schema_label.setText(f"schema {overview.schema_revision or '(none)'}")

    # -------------------------------------------------------------------------------- panes

    def open_pane(self, name: str) -> QWidget:
        """Show the pane called `name`, creating its tab the first time."""
        pane = self.panes.get(name)
        if pane is None:
            spec = pane_spec(name)
            if spec is None or not self.pane_available(name):
                raise KeyError(name)
            pane = spec.factory(self.context)
            pane.setProperty("paneName", name)
            self.panes[name] = pane
            self.tabs.addTab(pane, spec.title)
        self.tabs.setCurrentWidget(pane)
        return pane

    def pane_available(self, name: str) -> bool:
        """A pane exists and its optional module, if any, is switched on."""
        spec = pane_spec(name)
        return spec is not None and (spec.module is None or spec.module in self.modules)

    def current_pane_name(self) -> str | None:
        widget = self.tabs.currentWidget()
        return None if widget is None else str(widget.property("paneName"))

    def _close_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is None:
            return
        name = str(widget.property("paneName"))
        self.tabs.removeTab(index)
        self.panes.pop(name, None)
        widget.deleteLater()

    def _tab_changed(self, _index: int) -> None:
        name = self.current_pane_name()
        if name is not None and not self._navigating:
            self.record_visit(name)

    # ------------------------------------------------------------------------------ history

    def record_visit(self, name: str) -> None:
        pane = self.panes.get(name)
        state = pane.pane_state() if pane is not None and hasattr(pane, "pane_state") else None
        if pane is not None and hasattr(pane, "history_key"):
            key = str(pane.history_key())
        else:
            key = repr(state[0]) if isinstance(state, tuple) and state else ""
        self.history.visit(Visit(name, state, key))
        self._update_history_actions()

    def go_back(self) -> None:
        self._go(self.history.back())

    def go_forward(self) -> None:
        self._go(self.history.forward())

    def _go(self, visit: Visit | None) -> None:
        if visit is None:
            return
        self._navigating = True
        try:
            pane = self.open_pane(visit.pane)
            if visit.state is not None and hasattr(pane, "restore_state"):
                pane.restore_state(visit.state)
        finally:
            self._navigating = False
        self._update_history_actions()

    def _update_history_actions(self) -> None:
        self.back_action.setEnabled(self.history.can_go_back)
        self.forward_action.setEnabled(self.history.can_go_forward)

    # ------------------------------------------------------------------------------- search

    def focus_search(self) -> None:
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

    def run_search(self) -> None:
        """Search from the global field: a key that cannot be searched (a mistyped ID, nothing to
        recognise) is explained under this field; anything else runs in Control Central."""
        text = self.search_field.text().strip()
        self.search_message.clear()
        if not text:
            return
        try:
            detect_kind(text)
        except DomainError as exc:
            self.search_message.show_message(exc.message)
            self.search_field.setFocus()
            return
        pane = self.open_pane(CONTROL_CENTRAL)
        if isinstance(pane, ControlCentralPane):
            pane.search_for(text)

    # ------------------------------------------------------------------------------ dialogs

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def open_settings(self) -> SettingsDialog:
        url = self.db.url.set(password=None).render_as_string(hide_password=False)
        dialog = SettingsDialog(self, current_url=url, db=self.db, actor=self.actor)
        dialog.switch_requested.connect(self.database_switch_requested.emit)
        dialog.open()
        return dialog

    def show_about(self) -> AboutDialog:
        schema = self.overview.schema_revision if self.overview else None
        dialog = AboutDialog(self, self.db.description, schema)
        dialog.open()
        return dialog
