"""The Log and Portal tabs of a case in the Case pane (spec/50 §5.4 P-CS1): the log newest
first — date/time, details, related object (a link when it can be opened), user and type, the
chosen entry in full below, + to add a note — and the portal view: Case ID, Case Info, the
case's data read-only and pretty-printed, and the summary of the case's account that Control
Central shows."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.services.cases import CaseDetail, CaseLogView
from app.services.control_central import AccountSummary
from app.views.case_dialogs import LOG_TYPE_LABELS
from app.views.case_tabs import (
    CLOSED_STYLE,
    related_target,
    related_text,
    section,
    selectable,
    when,
)
from app.views.dashboard import STYLE as CARD_STYLE
from app.views.dashboard import Cell, SummaryCard, ZoneTable
from app.views.widgets import label

LOG_COLUMNS = ("Date/time", "Details", "Related object", "User", "Type")
RELATED_COLUMN = LOG_COLUMNS.index("Related object")


class LogTab(QWidget):
    """The case log, newest first: date/time, details, related object (a link when it can be
    opened), user and type; + adds a note."""

    add_clicked = Signal()
    related_activated = Signal(str, str)      # related object type, id

    def __init__(self) -> None:
        super().__init__()
        self.rows: tuple[CaseLogView, ...] = ()
        self.add_button = QPushButton("+ Add note")
        self.add_button.setObjectName("primary")
        self.add_button.setToolTip("Add a note to the case's log (Ctrl+L)")
        self.add_button.setAccessibleName("Add note")
        self.add_button.clicked.connect(lambda _c=False: self.add_clicked.emit())
        self.count = label("", "hint")
        top = QHBoxLayout()
        top.addWidget(self.add_button)
        top.addSpacing(8)
        top.addWidget(self.count)
        top.addStretch(1)
        self.table = ZoneTable(LOG_COLUMNS, max_rows=None, stretch=1)
        self.table.setAccessibleName("Case log")
        self.table.max_column_width = 160
        self.table.clicked.connect(self._clicked)
        self.table.row_activated.connect(self._activated)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _before: self._show_entry(current))
        #: The chosen entry in full (a row shows one line of it).
        self.entry = selectable(label("", wrap=True))
        self.entry.setAccessibleName("Log entry")
        self.entry.setStyleSheet(CLOSED_STYLE)
        self.entry.setMinimumHeight(64)
        self.entry.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.entry)

    def set_log(self, rows: Sequence[CaseLogView]) -> None:
        self.rows = tuple(rows)
        count = len(self.rows)
        self.count.setText(f"{count} entr{'y' if count == 1 else 'ies'}, newest first · "
                           "entries cannot be changed or removed")
        cells = [(Cell(when(r.at), sort=(r.at.isoformat(), r.seq)),
                  Cell(r.details, tooltip=r.details),
                  Cell(related_text(r.related_type, r.related_id),
                       tooltip=("Click to open " if related_target(r.related_type, r.related_id)
                                else "") + related_text(r.related_type, r.related_id)),
                  r.user_name, LOG_TYPE_LABELS.get(r.log_type, str(r.log_type)))
                 for r in self.rows]
        self.table.set_rows(cells, [str(r.seq) for r in self.rows])
        link = self.palette().color(QPalette.ColorRole.Link)
        for n, r in enumerate(self.rows):
            if related_target(r.related_type, r.related_id):
                item = self.table.source.item(n, RELATED_COLUMN)
                item.setForeground(QBrush(link))
                font = QFont(item.font())
                font.setUnderline(True)
                item.setFont(font)

        if self.rows:
            self.table.selectRow(0)
        else:
            self.entry.setText("Nothing is on the log yet.")

    def _show_entry(self, index: QModelIndex) -> None:
        r = self.row(self.table.key_at(index)) if index.isValid() else None
        if r is None:
            self.entry.setText("")
            return
        head = [when(r.at), LOG_TYPE_LABELS.get(r.log_type, str(r.log_type)), r.user_name]
        if r.from_status or r.to_status:
            head.append(f"{r.from_status or '—'} → {r.to_status or '—'}")
        if r.algorithm_code:
            head.append(r.algorithm_code)
        if r.related_type:
            head.append(related_text(r.related_type, r.related_id))
        self.entry.setText(" · ".join(head) + "\n" + r.details)

    def row(self, seq: str) -> CaseLogView | None:
        return next((r for r in self.rows if str(r.seq) == seq), None)

    def _clicked(self, index: QModelIndex) -> None:
        if index.column() == RELATED_COLUMN:
            self._activated(self.table.key_at(index))

    def _activated(self, seq: str) -> None:
        r = self.row(seq)
        if r is not None and r.related_type and r.related_id and \
                related_target(r.related_type, r.related_id):
            self.related_activated.emit(r.related_type, r.related_id)

    def cell_texts(self) -> list[list[str]]:
        return [[self.table.cell_text(r, c) for c in range(len(LOG_COLUMNS))]
                for r in range(self.table.source.rowCount())]


class PortalTab(QScrollArea):
    """Case ID and Case Info, the case's data read-only and pretty-printed, and a summary of
    the case's account (what Control Central shows at its top left)."""

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setStyleSheet(CARD_STYLE)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(14, 12, 14, 14)
        layout.setSpacing(8)
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        self.case_id = selectable(label(""))
        self.case_info = selectable(label("", wrap=True))
        form.addRow(label("Case ID", "hint"), self.case_id)
        form.addRow(label("Case Info", "hint"), self.case_info)
        layout.addLayout(form)
        layout.addWidget(section("Case data"))
        self.data = QPlainTextEdit()
        self.data.setReadOnly(True)
        self.data.setAccessibleName("Case data")
        self.data.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.data.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.data.setMinimumHeight(160)
        self.data.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.data, 2)
        self.no_data = label("The case carries no portal data (nothing was sent with it).",
                             "hint", wrap=True)
        layout.addWidget(self.no_data)
        self.summary = SummaryCard()
        layout.addWidget(self.summary)
        self.no_account = label("", "hint", wrap=True)
        layout.addWidget(self.no_account)
        layout.addStretch(1)
        self.page_layout = layout
        self.setWidget(page)
        self.account_number: str | None = None

    def set_case(self, detail: CaseDetail) -> None:
        self.case_id.setText(detail.number)
        self.case_info.setText(detail.case_info)
        self.data.setPlainText(detail.portal_text)
        self.data.setVisible(bool(detail.portal_text))
        self.no_data.setVisible(not detail.portal_text)
        # the data takes the room left (the summary stays at the top when there is none)
        self.page_layout.setStretch(self.page_layout.count() - 1, 0 if detail.portal_text else 1)
        number = detail.account.number if detail.account else None
        if number != self.account_number or number is None:
            self.summary.hide()
            self.no_account.setText("Loading the account's summary…" if number else
                                    "The case is not about an account.")
            self.no_account.show()
        self.account_number = number

    def set_summary(self, summary: AccountSummary) -> None:
        if summary.account_number != self.account_number:
            return
        self.summary.set_summary(summary)
        self.summary.show()
        self.no_account.hide()

    def summary_failed(self, text: str) -> None:
        self.summary.hide()
        self.no_account.setText(text)
        self.no_account.show()


__all__ = ["LOG_COLUMNS", "LogTab", "PortalTab"]
