"""Control Central's 360° view of one account (spec/60 §A8.4): a header with the caller combo
(R-A8) and the zones of an `AccountDashboard` laid out as cards. Amounts come from the DTO;
this module only formats them.

    loaded = fetch_account(db, "2000000017", caller_party_number=None)   # in a worker
    header.set_account(loaded.dashboard.summary); header.set_callers(loaded.callers, None)
    view = DashboardView()
    view.open_record.connect(lambda kind, number: open_record(host, kind, number))
    view.set_dashboard(loaded.dashboard)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.services.control_central import (
    AccountDashboard,
    AccountSummary,
    Alert,
    Authority,
    Caller,
    DashboardZone,
    MonthlyFinancials,
    RoleRow,
    account_dashboard,
    caller_authority,
    callers_of,
)
from app.views.financial_chart import FinancialHistory, day, money
from app.views.widgets import label

ROW_HEIGHT = 26
NO_AUTHORITY = ("Caller has no authority on this account: actions will ask for an override "
                "reason")
UNKNOWN_CALLER = "Unknown caller"
#: A column that does not stretch is at most this wide; the full text is in its tooltip.
MAX_COLUMN_WIDTH = 190
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SEVERITY_ORDER = {"high": 0, "medium": 1, "info": 2}
SEVERITY_COLOURS = {"high": "#d0453a", "medium": "#d98c1f", "info": "#3b82c4"}
SEVERITY_NAMES = {"high": "High", "medium": "Medium", "info": "Info"}

#: The cards' look; colours come from the palette so light and dark themes both read.
STYLE = """
QFrame#zoneCard { background: palette(base); border: 1px solid palette(mid); border-radius: 8px; }
QLabel#zoneTitle { font-size: 11.5pt; font-weight: 600; }
QLabel#zoneCount { color: palette(placeholder-text); }
QLabel#balance { font-size: 17pt; font-weight: 600; }
QLabel#factLabel { color: palette(placeholder-text); }
QFrame#zoneCard QTableView { border: none; }
"""


# ------------------------------------------------------------------------------------ tables

@dataclass(frozen=True)
class Cell:
    text: str
    #: What the column sorts by (a number or an ISO date); the text when None.
    sort: object = None
    right: bool = False
    tooltip: str = ""


#: Rows whose text sizes a zone table's columns.
MEASURED_ROWS = 100


class ZoneTable(QTableView):
    """A read-only, sortable table sized to its rows (up to `max_rows`; None: it fills its
    space); Enter, a double-click (or a single click when `single_click`) emits
    `row_activated` with the row's key."""

    row_activated = Signal(str)

    def __init__(self, columns: Sequence[str], *, max_rows: int | None = 8,
                 single_click: bool = False, stretch: int | None = None) -> None:
        super().__init__()
        self.columns = tuple(columns)
        self.max_rows = max_rows
        self.stretch = stretch
        self.keys: list[str] = []
        #: Column widths (from the contents) stay within these.
        self.min_column_width, self.max_column_width = 60, MAX_COLUMN_WIDTH
        self.source = QStandardItemModel(0, len(self.columns), self)
        self.source.setHorizontalHeaderLabels(list(self.columns))
        self.source.setSortRole(SORT_ROLE)
        self.setModel(self.source)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(False)
        self.activated.connect(self._emit)
        if single_click:
            self.clicked.connect(self._emit)

    def set_rows(self, rows: Sequence[Sequence[Cell | str]], keys: Sequence[str] = ()) -> None:
        self.setSortingEnabled(False)
        self.source.removeRows(0, self.source.rowCount())
        self.keys = list(keys)
        right_columns: set[int] = set()
        for r, row in enumerate(rows):
            items = []
            for c, value in enumerate(row):
                cell = value if isinstance(value, Cell) else Cell(value)
                item = QStandardItem(cell.text)     # read-only: the view has no edit triggers
                item.setData(cell.sort if cell.sort is not None else cell.text.casefold(),
                             SORT_ROLE)
                if c == 0:
                    item.setData(r, Qt.ItemDataRole.UserRole)     # the row's key (key_at)
                item.setToolTip(cell.tooltip or cell.text)
                if cell.right:
                    right_columns.add(c)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                items.append(item)
            self.source.appendRow(items)
        header = self.horizontalHeader()
        for c in right_columns:
            self.source.horizontalHeaderItem(c).setTextAlignment(
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the service's order
        self.setSortingEnabled(True)
        widths = self._content_widths(rows)
        stretch = self.stretch if self.stretch is not None else len(self.columns) - 1
        for c in range(len(self.columns)):
            limit = 360 if c == stretch else self.max_column_width
            self.setColumnWidth(c, min(max(widths[c] + 12, self.min_column_width), limit))
        for c in range(len(self.columns)):
            header.setSectionResizeMode(
                c, QHeaderView.ResizeMode.Stretch if c == stretch
                else QHeaderView.ResizeMode.Interactive)
        if self.max_rows is not None:
            visible = max(1, min(len(rows), self.max_rows))
            self.setFixedHeight(header.sizeHint().height() + visible * ROW_HEIGHT + 4)

    def _content_widths(self, rows: Sequence[Sequence[Cell | str]]) -> list[int]:
        """Each column's width for its header and the text of its first `MEASURED_ROWS`
        rows. `resizeColumnsToContents` asks every row's size hint (100 ms for 500 rows);
        the columns are capped anyway, so the first screens decide."""
        metrics = self.fontMetrics()
        header = self.horizontalHeader().fontMetrics()
        widths = [header.horizontalAdvance(title) + 24 for title in self.columns]
        for row in rows[:MEASURED_ROWS]:
            for c, value in enumerate(row):
                text = value.text if isinstance(value, Cell) else value
                widths[c] = max(widths[c], metrics.horizontalAdvance(text) + 8)
        return widths

    def key_at(self, index: QModelIndex) -> str:
        row = self.source.index(index.row(), 0).data(Qt.ItemDataRole.UserRole)
        return self.keys[int(row)] if row is not None and int(row) < len(self.keys) else ""

    def cell_text(self, row: int, column: int) -> str:
        return str(self.source.index(row, column).data() or "")

    def _emit(self, index: QModelIndex) -> None:
        key = self.key_at(index)
        if key:
            self.row_activated.emit(key)


class TickedTable(ZoneTable):
    """A ZoneTable that fills its space with a tick in its first column: Space ticks the
    current row, sorting by that column groups the ticked rows, and every change of the ticks
    emits `ticks_changed`. When not `checkable` the rows show no tick and cannot be ticked."""

    ticks_changed = Signal()
    TICK_TIP = "Space ticks or unticks the row"

    def __init__(self, columns: Sequence[str], *, stretch: int, tick_width: int) -> None:
        super().__init__(columns, max_rows=None, stretch=stretch)
        self.tick_width = tick_width
        self.checkable = True
        self._filling = False
        self.source.itemChanged.connect(self._item_changed)

    def set_ticked_rows(self, rows: Sequence[Sequence[Cell | str]], keys: Sequence[str], *,
                        ticked: Collection[str] = (), checkable: bool = True,
                        tooltip: str = TICK_TIP) -> None:
        """Show `rows`; those whose key is in `ticked` start ticked."""
        self._filling = True
        self.checkable = checkable
        self.set_rows(rows, keys)
        for r, key in enumerate(keys):
            item = self.source.item(r, 0)
            item.setCheckable(checkable)
            item.setToolTip(tooltip)
            self._show_tick(item, checkable and key in ticked)
        self._filling = False
        self.setColumnWidth(0, self.tick_width)
        self.ticks_changed.emit()

    def is_ticked(self, row: int) -> bool:
        item = self.source.item(row, 0)
        return item is not None and item.checkState() is Qt.CheckState.Checked

    def ticked_keys(self) -> list[str]:
        return [self.key_at(self.source.index(r, 0)) for r in range(self.source.rowCount())
                if self.is_ticked(r)]

    def set_ticked(self, row: int, ticked: bool) -> None:
        item = self.source.item(row, 0)
        if item is not None and self.checkable:
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def tick_rows(self, rows: Iterable[int]) -> None:
        """Tick exactly these rows (in the grid's order), untick the others; one signal."""
        wanted = set(rows)
        self._filling = True
        for r in range(self.source.rowCount()):
            item = self.source.item(r, 0)
            if item is not None and self.checkable:
                self._show_tick(item, r in wanted)
        self._filling = False
        self.ticks_changed.emit()

    @staticmethod
    def _show_tick(item: QStandardItem, ticked: bool) -> None:
        item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        item.setData(int(ticked), SORT_ROLE)

    def _item_changed(self, item: QStandardItem) -> None:
        if item.column() == 0 and not self._filling:
            ticked = int(item.checkState() is Qt.CheckState.Checked)
            if item.data(SORT_ROLE) != ticked:
                item.setData(ticked, SORT_ROLE)
            self.ticks_changed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() == Qt.Key.Key_Space and mods == Qt.KeyboardModifier.NoModifier:
            row = self.currentIndex().row()
            if row >= 0:
                self.set_ticked(row, not self.is_ticked(row))
            event.accept()
            return
        super().keyPressEvent(event)


# ------------------------------------------------------------------------------------- cards

class ZoneCard(QFrame):
    """A titled card: a heading with a count, then a body or an empty-state line."""

    def __init__(self, title: str, empty_text: str = "None.") -> None:
        super().__init__()
        self.setObjectName("zoneCard")
        self.title = label(title, "zoneTitle")
        self.count = label("", "zoneCount")
        self.empty = label(empty_text, "hint", wrap=True)
        self.header = QHBoxLayout()
        self.header.setSpacing(8)
        self.header.addWidget(self.title)
        self.header.addWidget(self.count)
        self.header.addStretch(1)
        self.body = QVBoxLayout()
        self.body.setSpacing(6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(8)
        layout.addLayout(self.header)
        layout.addWidget(self.empty)
        layout.addLayout(self.body)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def set_count(self, count: int | None, empty: bool) -> None:
        self.count.setText("" if not count else f"({count})")
        self.empty.setVisible(empty)


class TableCard(ZoneCard):
    def __init__(self, title: str, columns: Sequence[str], empty_text: str = "None.", *,
                 max_rows: int = 8, single_click: bool = False,
                 stretch: int | None = None) -> None:
        super().__init__(title, empty_text)
        self.table = ZoneTable(columns, max_rows=max_rows, single_click=single_click,
                               stretch=stretch)
        self.body.addWidget(self.table)

    def set_rows(self, rows: Sequence[Sequence[Cell | str]], keys: Sequence[str] = ()) -> None:
        self.table.set_rows(rows, keys)
        self.table.setVisible(bool(rows))
        self.set_count(len(rows), not rows)


class SummaryCard(ZoneCard):
    """Customer, account, status, billing, the balance (large, right-aligned) and the last bill
    and payment, amounts in their own right-aligned column."""

    ROWS = ("Customer", "Account", "Status", "Invoicing", "Billing", "Balance", "Last bill",
            "Next bill", "Last payment")
    AMOUNT_ROWS = frozenset({"Balance", "Last bill", "Last payment"})

    def __init__(self) -> None:
        super().__init__("Account summary")
        self.empty.hide()
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 1)
        self.values: dict[str, QLabel] = {}
        self.amounts: dict[str, QLabel] = {}
        for r, name in enumerate(self.ROWS):
            caption = label(name, "factLabel")
            value = label("", wrap=name not in self.AMOUNT_ROWS)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[name] = value
            if name in self.AMOUNT_ROWS:
                amount = label("", "balance" if name == "Balance" else "")
                amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                amount.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.amounts[name] = amount
                grid.addWidget(caption, r, 0, Qt.AlignmentFlag.AlignVCenter)
                grid.addWidget(value, r, 1)
                grid.addWidget(amount, r, 2)
            else:
                grid.addWidget(caption, r, 0, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(value, r, 1, 1, 2)
        self.body.addLayout(grid)
        self.balance = self.amounts["Balance"]

    def set_summary(self, s: AccountSummary) -> None:
        v, a = self.values, self.amounts
        v["Customer"].setText(f"{s.customer_name}\n{s.customer_class} · customer "
                              f"{s.customer_number}")
        v["Account"].setText(s.account_number + (f"\n{s.description}" if s.description
                                                 else ""))
        v["Status"].setText(f"{s.status} · set up {day(s.setup_date)}")
        v["Invoicing"].setText(s.invoicing_mode)
        v["Billing"].setText(s.billing_frequency)
        a["Balance"].setText(money(s.balance, s.currency))
        v["Balance"].setText("owed" if s.balance > 0 else "in credit" if s.balance < 0
                             else "nothing owed")
        v["Last bill"].setText(day(s.last_bill_date) if s.last_bill_date else "no bill yet")
        a["Last bill"].setText(money(s.last_bill_amount, s.currency)
                               if s.last_bill_amount is not None else "")
        v["Next bill"].setText(day(s.next_bill_date) if s.next_bill_date else "not planned")
        v["Last payment"].setText(day(s.last_payment_date) if s.last_payment_date
                                  else "no payment yet")
        a["Last payment"].setText(money(s.last_payment_amount, s.currency)
                                  if s.last_payment_amount is not None else "")


class AlertRow(QFrame):
    """One alert: a severity badge and its text; Enter, Space or a click opens its drill."""

    drill = Signal(str, str)

    def __init__(self, alert: Alert) -> None:
        super().__init__()
        self.alert = alert
        colour = SEVERITY_COLOURS.get(alert.severity, SEVERITY_COLOURS["info"])
        self.setObjectName("alertRow")
        tint = QColor(colour)
        tint_css = f"rgba({tint.red()}, {tint.green()}, {tint.blue()}, 0.12)"
        self.setStyleSheet(
            f"QFrame#alertRow {{ border: none; border-left: 4px solid {colour};"
            f" border-radius: 3px; background: {tint_css}; }}"
            f"QFrame#alertRow:focus {{ border: 1px solid {colour}; border-left-width: 4px; }}"
        )
        badge = label(SEVERITY_NAMES.get(alert.severity, alert.severity.title()))
        badge.setStyleSheet(f"color: {colour}; font-weight: 600;")
        badge.setFixedWidth(58)
        self.text = label(alert.text, wrap=True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 5, 8, 5)
        layout.setSpacing(6)
        layout.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        if alert.drill is not None:
            kind, number = alert.drill
            layout.addWidget(label("Open ›", "hint"), 0, Qt.AlignmentFlag.AlignTop)
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.setToolTip(f"Opens {kind.lower()} {number}")
        self.setAccessibleName(f"{badge.text()} alert: {alert.text}")

    def activate(self) -> None:
        if self.alert.drill is not None:
            self.drill.emit(*self.alert.drill)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.activate()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activate()
            return
        super().keyPressEvent(event)


class AlertsCard(ZoneCard):
    drill = Signal(str, str)

    def __init__(self) -> None:
        super().__init__("Alerts", "No alerts on this account.")
        self.rows: list[AlertRow] = []

    def set_alerts(self, alerts: Sequence[Alert]) -> None:
        for row in self.rows:
            self.body.removeWidget(row)
            row.deleteLater()
        ordered = sorted(alerts, key=lambda a: SEVERITY_ORDER.get(a.severity, 3))
        self.rows = [AlertRow(alert) for alert in ordered]
        for row in self.rows:
            row.drill.connect(self.drill.emit)
            self.body.addWidget(row)
        self.set_count(len(self.rows), not self.rows)

    def texts(self) -> list[str]:
        return [row.alert.text for row in self.rows]


# -------------------------------------------------------------------------- header and caller

@dataclass(frozen=True)
class LoadedAccount:
    dashboard: AccountDashboard
    callers: tuple[Caller, ...]
    authority: Authority | None = None


def fetch_account(db: Database, number: str, caller_party_number: str | None,
                  with_callers: bool = True) -> LoadedAccount:
    """Runs in a worker: the dashboard (for the caller), the callers list, the authority."""
    dashboard = account_dashboard(db, number, caller_party_number)
    callers = tuple(callers_of(db, number)) if with_callers else ()
    authority = (caller_authority(db, number, caller_party_number)
                 if caller_party_number is not None else None)
    return LoadedAccount(dashboard, callers, authority)


class AccountHeader(QWidget):
    """Back to the results, whose account this is, who is calling (with a warning when the
    caller has no authority), and the account's actions."""

    caller_chosen = Signal(object)     # Caller, or None for "Unknown caller"

    def __init__(self) -> None:
        super().__init__()
        self.back_button = QPushButton("‹ Results")
        self.back_button.setToolTip("Back to the search results (Alt+Up)")
        self.title = label("", "pageTitle")
        self.subtitle = label("", "pageSubtitle", wrap=True)
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        self.caller_combo = QComboBox()
        self.caller_combo.setAccessibleName("Caller")
        self.caller_combo.setMinimumWidth(260)
        self.caller_combo.activated.connect(lambda _i: self.caller_chosen.emit(self.caller()))
        self.caller_warning = label("", "inlineError", wrap=True)
        self.caller_warning.setMaximumWidth(460)
        self.caller_warning.hide()
        caller_row = QHBoxLayout()
        caller_row.setSpacing(8)
        caller_row.addWidget(label("Caller", "factLabel"))
        caller_row.addWidget(self.caller_combo, 1)
        caller_box = QVBoxLayout()
        caller_box.setSpacing(2)
        caller_box.addLayout(caller_row)
        caller_box.addWidget(self.caller_warning)
        self.tree_button = QPushButton("Open in account tree")
        self.tree_button.setToolTip("Show this account in the account tree (Ctrl+T)")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Read the account again (F5)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        top = Qt.AlignmentFlag.AlignTop
        layout.addWidget(self.back_button, 0, top)
        layout.addLayout(titles, 1)
        layout.addLayout(caller_box)
        layout.addWidget(self.tree_button, 0, top)
        layout.addWidget(self.refresh_button, 0, top)

    def set_account(self, s: AccountSummary, can_go_back: bool) -> None:
        self.title.setText(s.customer_name)
        described = f" · {s.description}" if s.description else ""
        self.subtitle.setText(f"Account {s.account_number}{described} · {s.status}")
        self.back_button.setHidden(not can_go_back)

    def set_callers(self, callers: Sequence[Caller], chosen: str | None) -> None:
        """Fill the combo ("Unknown caller" first) and choose the party `chosen`, if listed."""
        self.caller_combo.clear()
        self.caller_combo.addItem(UNKNOWN_CALLER, None)
        for c in callers:
            self.caller_combo.addItem(f"{c.party_name} — {c.roles}" + (
                "" if c.has_authority else " (no authority)"), c)
        self.caller_combo.setCurrentIndex(next(
            (i + 1 for i, c in enumerate(callers) if c.party_number == chosen), 0))

    def caller(self) -> Caller | None:
        data = self.caller_combo.currentData()
        return data if isinstance(data, Caller) else None

    def select_caller(self, party_number: str | None) -> Caller | None:
        """Choose the caller as the combo does (None: unknown); KeyError when not listed."""
        index = 0 if party_number is None else next(
            (i for i in range(1, self.caller_combo.count())
             if self.caller_combo.itemData(i).party_number == party_number), -1)
        if index < 0:
            raise KeyError(party_number)
        self.caller_combo.setCurrentIndex(index)
        self.caller_chosen.emit(self.caller())
        return self.caller()

    def show_authority(self, authority: Authority | None) -> None:
        """The warning line when the chosen caller may not ask for changes (R-A8)."""
        caller = self.caller()
        if caller is not None and not caller.has_authority:
            self.caller_warning.setText(NO_AUTHORITY)
            self.caller_warning.setToolTip(authority.reason if authority else "")
            self.caller_warning.show()
        else:
            self.caller_warning.hide()


# ---------------------------------------------------------------------------------- the view

class DashboardView(QScrollArea):
    """Every zone of an AccountDashboard as cards in a scrolling page."""

    open_record = Signal(str, str)     # record kind, number
    load_account = Signal(str)         # another account of the customer

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dashboard: AccountDashboard | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        page = QWidget()
        page.setObjectName("dashboardPage")
        self.setStyleSheet(STYLE)
        self.summary = SummaryCard()
        self.alerts = AlertsCard()
        self.alerts.drill.connect(self.open_record.emit)
        self.roles = TableCard("Parties & roles", ("Party", "Role", "On", "Period",
                                                   "Authority"),
                               "No open roles.", max_rows=6, stretch=0)
        self.roles.table.row_activated.connect(lambda n: self.open_record.emit("Person", n))
        self.premises = TableCard("Premises & service points",
                                  ("Premise", "SP type", "POD", "Meter", "Current SA",
                                   "Status"), "No premise is linked to this account.",
                                  max_rows=8, stretch=0)
        self.premises.table.row_activated.connect(
            lambda n: self.open_record.emit("Premise", n))
        self.agreements = TableCard("Service agreements",
                                    ("SA", "Type", "Status", "Rate", "Start", "End",
                                     "Premise"), "No service agreements.", max_rows=8)
        self.agreements.table.row_activated.connect(
            lambda n: self.open_record.emit("Service agreement", n))
        self.financial = ZoneCard("Financial history", "No bills, payments or adjustments "
                                  "in the last 24 months.")
        self.history = FinancialHistory()
        self.chart, self.months = self.history.chart, self.history.table
        self.financial.body.addWidget(self.history)
        self.others = TableCard("Other accounts of the customer", ("Account", "Description"),
                                "The customer has no other account.", max_rows=6,
                                single_click=True)
        self.others.table.row_activated.connect(self.load_account.emit)
        self.extra_cards: list[TableCard] = []

        left = QVBoxLayout()
        left.setSpacing(14)
        for card in (self.summary, self.alerts, self.others):
            left.addWidget(card)
        left.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(14)
        for card in (self.roles, self.premises, self.agreements):
            right.addWidget(card)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.setSpacing(14)
        columns.addLayout(left, 3)
        columns.addLayout(right, 5)
        #: Zones other features add (cases, quotes, …), two a row under the financial history.
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(14)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 2, 8, 12)
        outer.setSpacing(14)
        outer.addLayout(columns)
        outer.addWidget(self.financial)
        outer.addLayout(self.grid)
        outer.addStretch(1)
        self.setWidget(page)

    def set_dashboard(self, dashboard: AccountDashboard) -> None:
        self.dashboard = dashboard
        s = dashboard.summary
        self.summary.set_summary(s)
        self.alerts.set_alerts(dashboard.alerts)
        self.roles.set_rows([self._role_row(r) for r in dashboard.roles],
                            [r.party_number for r in dashboard.roles])
        self._set_premises(dashboard)
        self.agreements.set_rows(
            [(r.number, Cell(r.sa_type, tooltip=r.service_type), r.status,
              r.rate_schedule_code, Cell(day(r.start_date), r.start_date.isoformat()),
              Cell(day(r.end_date) if r.end_date else "—",
                   r.end_date.isoformat() if r.end_date else "9999"), r.premise_address)
             for r in dashboard.agreements],
            [r.number for r in dashboard.agreements])
        shown, total = len(dashboard.agreements), dashboard.agreement_count
        if total > shown:
            self.agreements.count.setText(f"({shown} of {total}: current first, then the most "
                                          "recent)")
        self._set_financials(dashboard.financials, s.currency)
        self.others.set_rows([(n, d) for n, d in dashboard.other_accounts],
                             [n for n, _d in dashboard.other_accounts])
        self._set_zones(dashboard.zones)
        self.verticalScrollBar().setValue(0)

    @staticmethod
    def _role_row(r: RoleRow) -> tuple[Cell | str, ...]:
        on = r.target.replace("Service agreement ", "SA ")
        until = f" → {day(r.effective_to)}" if r.effective_to else ""
        period = f"{day(r.effective_from)}{until}" if until else f"since {day(r.effective_from)}"
        if r.has_authority:
            authority = f"✔ granted by {r.granted_by}" if r.granted_by else "✔ can act"
        else:
            authority = "no authority"
        return (Cell(r.party_name, tooltip=f"Party {r.party_number}"),
                Cell(r.role, tooltip=f"Granted by {r.granted_by}" if r.granted_by else ""),
                Cell(on, tooltip=r.target), Cell(period, r.effective_from.isoformat()),
                Cell(authority, int(r.has_authority), tooltip=(
                    "Owner or administrator today: may ask for changes" if r.has_authority
                    else "Not owner or administrator: changes need an override reason")))

    def _set_premises(self, dashboard: AccountDashboard) -> None:
        rows: list[tuple[Cell | str, ...]] = []
        keys: list[str] = []
        for p in dashboard.premises:
            extra = [f"Premise {p.number}", p.premise_type]
            if p.parent_address:
                extra.append(f"Parent premise: {p.parent_address}")
            if p.child_count:
                extra.append(f"{p.child_count} child premises")
            if p.landlord:
                extra.append(f"Landlord: {p.landlord}")
            premise = Cell(p.address, tooltip="\n".join(extra))
            for sp in p.service_points or (None,):
                keys.append(p.number)
                if sp is None:
                    rows.append((premise, Cell("no service point", ""), "", "", "", ""))
                    continue
                rows.append((premise, Cell(sp.service_type, tooltip=f"Service point "
                                           f"{sp.number} · {sp.consumer_kind}"),
                             sp.pod_ref, sp.meter_badge or "—", sp.current_sa_number or "—",
                             sp.current_sa_status or "No SA"))
        self.premises.set_rows(rows, keys)
        self.premises.set_count(len(dashboard.premises), not dashboard.premises)

    def _set_financials(self, months: Sequence[MonthlyFinancials], currency: str) -> None:
        active = any(m.billed or m.paid or m.adjusted or m.consumption for m in months)
        self.financial.set_count(None, not active)
        self.history.set_months(months, currency)
        self.history.setVisible(active)

    def _set_zones(self, zones: Sequence[DashboardZone]) -> None:
        for card in self.extra_cards:
            self.grid.removeWidget(card)
            card.deleteLater()
        self.extra_cards = []
        for i, zone in enumerate(zones):
            card = TableCard(zone.title, zone.columns, zone.empty_text, max_rows=6)
            card.setObjectName("zoneCard")
            card.setProperty("zoneKey", zone.key)
            card.set_rows([tuple(row) for row in zone.rows], [row[0] if row else ""
                                                              for row in zone.rows])
            if zone.link_kind:
                kind = zone.link_kind
                card.table.row_activated.connect(
                    lambda number, k=kind: self.open_record.emit(k, number))
            self.grid.addWidget(card, i // 2, i % 2, Qt.AlignmentFlag.AlignTop)
            self.extra_cards.append(card)

    def zone_card(self, key: str) -> TableCard | None:
        return next((c for c in self.extra_cards if c.property("zoneKey") == key), None)


__all__ = ["AccountHeader", "Cell", "DashboardView", "LoadedAccount", "NO_AUTHORITY",
           "ZoneTable", "fetch_account"]
