"""The `record` pane: one account, party, customer, premise, service point or agreement, as
facts and tables. Search results open it with Enter; a row's number opens that record in turn,
and Back/Forward walk the trail."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import DomainError
from app.services.records import RecordSection, RecordView, describe
from app.views.panes import PaneContext, PaneHost, PaneSpec, register
from app.views.widgets import label
from app.views.worker import run_task

RECORD_PANE = "record"
#: Columns whose values are amounts: right-aligned so the decimal points line up.
RIGHT_ALIGNED = frozenset({"Amount", "Balance after"})
ROW_HEIGHT = 26
MAX_VISIBLE_ROWS = 12


#: Record kinds a feature's own pane shows instead of the record pane ("Quote" → the Quotes
#: pane); a pane module adds its kind with `register_record_opener` when imported.
_OPENERS: dict[str, Callable[[PaneHost, str], None]] = {}


def register_record_opener(kind: str, opener: Callable[[PaneHost, str], None]) -> None:
    _OPENERS[kind] = opener


def open_record(host: PaneHost, kind: str, number: str) -> None:
    """Show a record — in its feature's pane, else in the record pane — and remember it for
    Back/Forward."""
    opener = _OPENERS.get(kind)
    if opener is not None:
        opener(host, number)
        return
    pane = host.open_pane(RECORD_PANE)
    if isinstance(pane, RecordPane):
        pane.load(kind, number)


class SectionTable(QTableView):
    """A read-only, sortable table sized to its rows (up to a limit), inside the page scroll."""

    def __init__(self, section: RecordSection) -> None:
        super().__init__()
        self.section = section
        model = QStandardItemModel(len(section.rows), len(section.columns), self)
        model.setHorizontalHeaderLabels(list(section.columns))
        for r, row in enumerate(section.rows):
            for c, value in enumerate(row):
                item = QStandardItem(value)
                item.setEditable(False)
                if section.columns[c] in RIGHT_ALIGNED:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if c == 0 and section.link_kind:
                    item.setToolTip(
                        f"Enter or double-click opens {section.link_kind.lower()} {value}"
                    )
                model.setItem(r, c, item)
        self.setModel(model)
        self.setSortingEnabled(True)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = self.horizontalHeader()
        # Amounts stay next to their labels: only a text column may stretch.
        header.setStretchLastSection(section.columns[-1] not in RIGHT_ALIGNED)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.resizeColumnsToContents()
        last = len(section.columns) - (0 if section.columns[-1] in RIGHT_ALIGNED else 1)
        for column in range(last):
            self.setColumnWidth(column, min(max(self.columnWidth(column) + 20, 90), 320))
        visible = max(1, min(len(section.rows), MAX_VISIBLE_ROWS))
        self.setFixedHeight(header.sizeHint().height() + visible * ROW_HEIGHT + 4)


class RecordPane(QWidget):
    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.record: RecordView | None = None
        self.key: tuple[str, str] | None = None
        self._serial = 0
        self.tables: list[SectionTable] = []

        self.title = label("No record open", "pageTitle", wrap=True)
        self.subtitle = label(
            "Search (Ctrl+F) and press Enter on a result to open it here.",
            "pageSubtitle",
            wrap=True,
        )
        self.error = label("", "inlineError", wrap=True)
        self.error.hide()
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        self.body_layout.setSpacing(8)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.error)
        layout.addSpacing(10)
        layout.addWidget(self.body)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def load(self, kind: str, number: str, *, remember: bool = True) -> None:
        self._serial += 1
        serial = self._serial
        self.key = (kind, number)
        self.subtitle.setText(f"Opening {kind.lower()} {number}…")
        self.error.hide()
        run_task(
            describe,
            self._ctx.db,
            kind,
            number,
            on_result=lambda record: self._show(serial, record, remember),
            on_error=lambda exc: self._failed(serial, exc),
        )

    def _failed(self, serial: int, exc: BaseException) -> None:
        if serial != self._serial:
            return
        self.error.setText(
            exc.message if isinstance(exc, DomainError) else f"The record could not be read: {exc}"
        )
        self.error.show()

    def _show(self, serial: int, record: RecordView, remember: bool) -> None:
        if serial != self._serial:
            return
        self.record = record
        self.title.setText(record.title)
        self.subtitle.setText(f"{record.kind} {record.number}")
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.tables = []
        facts = QFormLayout()
        facts.setHorizontalSpacing(24)
        facts.setVerticalSpacing(6)
        facts.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        for name, value in record.facts:
            shown = label(value, wrap=True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            facts.addRow(label(name, "hint"), shown)
        fact_box = QWidget()
        fact_box.setLayout(facts)
        self.body_layout.addWidget(fact_box)
        for section in record.sections:
            self.body_layout.addSpacing(14)
            self.body_layout.addWidget(
                label(
                    section.title
                    if "," in section.title
                    else f"{section.title} ({len(section.rows)})",
                    "sectionHeading",
                )
            )
            if not section.rows:
                self.body_layout.addWidget(label(section.empty_text, "hint"))
                continue
            table = SectionTable(section)
            if section.link_kind:
                table.activated.connect(lambda index, t=table: self._follow(t, index))
            self.tables.append(table)
            self.body_layout.addWidget(table)
        if remember:
            self._ctx.host.record_visit(RECORD_PANE)

    def _follow(self, table: SectionTable, index: QModelIndex) -> None:
        number = table.model().index(index.row(), 0).data()
        if table.section.link_kind and number:
            self.load(table.section.link_kind, str(number))

    # navigation history: the state is the record's (kind, number)

    def pane_state(self) -> object:
        return self.key

    def history_key(self) -> str:
        return "" if self.key is None else f"{self.key[0]}:{self.key[1]}"

    def restore_state(self, state: object) -> None:
        if isinstance(state, tuple) and len(state) == 2 and state != self.key:
            self.load(str(state[0]), str(state[1]), remember=False)


def _make(ctx: PaneContext) -> QWidget:
    return RecordPane(ctx)


RECORD = register(PaneSpec(RECORD_PANE, "Record", "Ctrl+4", _make))

__all__ = ["RECORD", "RecordPane", "open_record", "register_record_opener"]
