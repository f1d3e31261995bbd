"""Pieces the Quote pane and the proposal editor share: the ticked quote-detail grid, the
quote-search grid's rows, a facts panel, the outcome message area and a small editable grid.

Everything shown is formatted from the services' DTOs (`app.reports.formatting`); nothing
here adds or compares amounts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import QuoteDetailStatus, QuoteStatus, SAStatus, SimulatedSegmentStatus
from app.reports.formatting import DASH, day_text, money_text
from app.services.quote_dto import (
    QuoteDetailView,
    QuoteSummary,
    QuoteView,
)
from app.views.dashboard import Cell, TickedTable, ZoneTable
from app.views.editable_grid import Choices, EditableGrid, combo_code, set_combo_code
from app.views.tree_dialogs import parse_date
from app.views.widgets import FieldMessage, label

DETAIL_COLUMNS = ("Select", "Detail", "Option", "Premise", "Proposal", "Total", "Remarks")
TOTAL_COLUMN = DETAIL_COLUMNS.index("Total")
SEARCH_COLUMNS = ("Quote", "Account", "Name", "Status", "Expires", "Options", "Lowest")
MESSAGE_STYLE = ("QLabel { background: #eef4fb; color: #1d3557; border: 1px solid #c5d7ea;"
                 " border-radius: 4px; padding: 6px 10px; }")
WARNING_STYLE = ("QLabel { background: #fff8e6; color: #5c4300; border: 1px solid #ecd28f;"
                 " border-radius: 4px; padding: 6px 10px; }")


def status_text(status: QuoteStatus | SAStatus | QuoteDetailStatus | SimulatedSegmentStatus
                | None) -> str:
    if status is None:
        return "New"
    return "OK" if status.value == "OK" else status.label


def when_text(value: dt.datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else DASH


def option_name(detail: QuoteDetailView) -> str:
    """How an option is named in the chart and messages: its rate (and proposal)."""
    return f"{detail.proposal.rate_schedule or 'no rate'} ({detail.proposal.number})"


def detail_cells(detail: QuoteDetailView, currency: str) -> list[Cell]:
    p = detail.proposal
    premise = p.premise_address or DASH
    where = f"Premise {p.premise_number}: {premise}" if p.premise_number else premise
    remarks = "; ".join(detail.remarks)
    if detail.status is QuoteDetailStatus.ERROR and not remarks:
        remarks = "In error"
    return [
        Cell("", 0),
        Cell(detail.number),
        Cell(f"{p.rate_schedule or 'no rate'} · {p.sa_type}",
             tooltip=f"{p.rate_schedule or 'No rate'} — {p.rate_description or ''} · SA type "
                     f"{p.sa_type} ({p.service_type.label.lower()})"),
        Cell(premise, tooltip=where),
        Cell(f"{p.status.label} · {p.number}", p.status.value,
             tooltip=f"Proposal SA {p.number}, {p.status.label.lower()}, starts "
                     f"{day_text(p.start_date)}"),
        Cell(money_text(detail.total, currency), float(detail.total), right=True),
        Cell(remarks or "", tooltip=remarks or "No remarks"),
    ]


def summary_cells(row: QuoteSummary) -> list[Cell]:
    return [Cell(row.number), Cell(row.account_number), Cell(row.account_name),
            Cell(row.status.label, row.status.value),
            Cell(f"{row.expires_at:%Y-%m-%d}", row.expires_at.isoformat()),
            Cell(str(row.details), row.details, right=True),
            Cell(money_text(row.lowest, ""), float(row.lowest or 0), right=True)]


def quote_info(quote: QuoteView) -> str:
    """The "Quote Info" line (spec/40 §1.1): status, expiry and the account's name."""
    return (f"{quote.status.label} · expires {when_text(quote.expires_at)} · "
            f"{quote.account_name or 'account ' + quote.account_number}")


def stack_of(hint: QLabel, content: QWidget) -> QStackedWidget:
    stack = QStackedWidget()
    stack.addWidget(hint)
    stack.addWidget(content)
    return stack


def empty_label(text: str) -> QLabel:
    hint = label(text, "emptyText", wrap=True)
    hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return hint



# ----------------------------------------------------------------------------- search panel

STATUSES = (("Any status", None), *((s.label, s) for s in QuoteStatus))


class SearchPanel(QWidget):
    """Quote search (spec/40 §7): account, status, expiry range; the quotes found; New quote
    and New proposal for the current account. A refused input is shown under its field."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumWidth(380)
        self.account = QLineEdit()
        self.account.setPlaceholderText("account number (blank: every account)")
        self.account.setAccessibleName("Account number")
        self.status = QComboBox()
        for text, value in STATUSES:
            self.status.addItem(text, value)
        self.expires_from, self.expires_to = QLineEdit(), QLineEdit()
        for edit, name in ((self.expires_from, "Expires from"), (self.expires_to, "to")):
            edit.setPlaceholderText("YYYY-MM-DD")
            edit.setAccessibleName(name)
        self.search_button = QPushButton("Search")
        self.messages = {"account": FieldMessage(self.account, self),
                         "expires_from": FieldMessage(self.expires_from, self),
                         "expires_to": FieldMessage(self.expires_to, self)}
        form = QGridLayout()
        form.setHorizontalSpacing(8)
        form.addWidget(label("Account"), 0, 0)
        form.addWidget(self.account, 0, 1, 1, 3)
        form.addWidget(label("Status"), 1, 0)
        form.addWidget(self.status, 1, 1, 1, 3)
        form.addWidget(label("Expires"), 2, 0)
        form.addWidget(self.expires_from, 2, 1)
        form.addWidget(label("to"), 2, 2)
        form.addWidget(self.expires_to, 2, 3)
        form.addWidget(self.search_button, 3, 3)
        self.found = ZoneTable(SEARCH_COLUMNS, max_rows=None, stretch=2)
        self.found.setAccessibleName("Quotes found")
        self.found_hint = label("Search for quotes: Enter in any field.", "hint", wrap=True)
        self.current_hint = label("", "hint", wrap=True)
        for hint in (self.found_hint, self.current_hint):   # wrapped lines keep their height
            hint.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.new_quote_button = QPushButton("New quote")
        self.new_quote_button.setToolTip("Save a new, empty quote for the current account")
        self.new_proposal_button = QPushButton("New proposal…")
        self.new_proposal_button.setToolTip("A proposal SA (an option to price) for the "
                                            "current account")
        starts = QHBoxLayout()
        starts.addWidget(self.new_quote_button)
        starts.addWidget(self.new_proposal_button)
        starts.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 8, 0)
        column.addWidget(label("Find quotes", "sectionHeading"))
        column.addLayout(form)
        column.addWidget(self.found, 1)
        column.addWidget(self.found_hint)
        column.addWidget(self.current_hint)
        column.addLayout(starts)

    def criteria(self) -> dict[str, Any]:
        """What `search_quotes` is asked, as typed (a date that is not one is refused)."""
        for message in self.messages.values():
            message.clear()
        dates = {}
        for name, edit, what in (("expires_from", self.expires_from, "first expiry day"),
                                 ("expires_to", self.expires_to, "last expiry day")):
            dates[name] = parse_date(edit.text(), name, what) if edit.text().strip() else None
        return {"account_number": self.account.text().strip() or None,
                "status": self.status.currentData(), **dates}

    def show_results(self, rows: Sequence[QuoteSummary], account: str) -> None:
        self.found.set_rows([summary_cells(r) for r in rows], [r.number for r in rows])
        one = bool(account) and bool(rows)
        for column in (1, 2):     # one account searched: its number and name are the hint's
            self.found.setColumnHidden(column, one)
        if one:                   # the hidden name column no longer takes the spare width
            self.found.horizontalHeader().setSectionResizeMode(
                3, QHeaderView.ResizeMode.Stretch)
        if account and rows and rows[0].account_name:
            account = f"{account} ({rows[0].account_name})"
        who = f"account {account}" if account else "any account"
        self.found_hint.setText(
            f"{len(rows)} quote{'s' if len(rows) != 1 else ''} for {who}; Enter or a "
            "double-click opens one." if rows else
            f"No quotes for {who}." + (" New quote starts one." if account else ""))

    def show_message(self, field: str, text: str) -> bool:
        if field in self.messages:
            self.messages[field].show_message(text)
            return True
        return False


# ------------------------------------------------------------------------------ detail grid

class DetailGrid(TickedTable):
    """The Main tab's quote details: a tick per row; Space ticks the current row."""

    def __init__(self) -> None:
        super().__init__(DETAIL_COLUMNS, stretch=DETAIL_COLUMNS.index("Remarks"), tick_width=62)
        self.min_column_width, self.max_column_width = 56, 300
        self.setObjectName("quoteDetails")
        self.setAccessibleName("Quote details")

    def set_details(self, details: Sequence[QuoteDetailView], currency: str,
                    checkable: bool) -> None:
        """Show `details`; rows still shown stay ticked."""
        self.set_ticked_rows(
            [detail_cells(d, currency) for d in details], [d.number for d in details],
            ticked=set(self.ticked_keys()), checkable=checkable,
            tooltip=self.TICK_TIP if checkable else "A closed quote's details cannot be selected")

    def current_key(self) -> str:
        index = self.currentIndex()
        return self.key_at(index) if index.isValid() else ""


# ------------------------------------------------------------------------------ facts panel

class FactsPanel(QWidget):
    """Label: value pairs in `columns` columns; values are selectable text."""

    def __init__(self, names: Sequence[str], columns: int = 2) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(4)
        self.values: dict[str, QLabel] = {}
        rows = (len(names) + columns - 1) // columns
        for i, name in enumerate(names):
            column, row = divmod(i, rows)
            caption = label(name, "hint")
            caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            value = label(DASH, wrap=True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(name)
            grid.addWidget(caption, row, column * 2)
            grid.addWidget(value, row, column * 2 + 1)
            grid.setColumnStretch(column * 2 + 1, 1)
            self.values[name] = value

    def set(self, name: str, text: str) -> None:
        self.values[name].setText(text or DASH)

    def text(self, name: str) -> str:
        return self.values[name].text()


# ----------------------------------------------------------------------------- message area

class MessageArea(QLabel):
    """What the last action did, with a line for each row it skipped."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("quoteMessage")
        self.setAccessibleName("Outcome")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_outcome(self, message: str, skipped: Sequence[str] = (),
                     warning: bool = False) -> None:
        lines = [message, *(f"• {s}" for s in skipped)]
        self.setText("\n".join(line for line in lines if line))
        self.setStyleSheet(WARNING_STYLE if warning or skipped else MESSAGE_STYLE)
        self.setVisible(bool(self.text()))

    def clear_message(self) -> None:
        self.setText("")
        self.hide()

    def shown_text(self) -> str:
        return self.text() if not self.isHidden() else ""


# ------------------------------------------------------------------------------ edit grid

@dataclass(frozen=True)
class Column:
    title: str
    #: "text", "number" (right-aligned), or "combo" (an editable code combo of `choices`).
    kind: str = "text"
    width: int = 0


class EditGrid(EditableGrid):
    """A grid of `columns` under a tab or box that titles it. Rows are read back as tuples of
    the typed text (combo cells: the code); empty rows are left out."""

    def __init__(self, title: str, columns: Sequence[Column], name: str,
                 empty_hint: str = "") -> None:
        super().__init__(title, [c.title for c in columns], name, hint=empty_hint)
        self.columns = tuple(columns)
        self.choices: dict[int, Choices] = {}
        header = self.table.horizontalHeader()
        for c, column in enumerate(self.columns):
            if column.width:
                header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
                self.table.setColumnWidth(c, column.width)
            else:
                header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch)

    def set_choices(self, column: int, choices: Choices) -> None:
        self.choices[column] = tuple(choices)
        for row in range(self.table.rowCount()):
            widget = self.table.cellWidget(row, column)
            if isinstance(widget, QComboBox):
                self._put_combo(row, column, self.choices[column], combo_code(widget),
                                editable=True)

    def add_row(self, values: Sequence[str] = ()) -> int:
        row = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.insertRow(row)
        for c, column in enumerate(self.columns):
            text = values[c] if c < len(values) else ""
            if column.kind == "combo":
                self._put_combo(row, c, self.choices.get(c, ()), text, editable=True)
            else:
                item = QTableWidgetItem(text)
                if column.kind == "number":
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, c, item)
        self.table.blockSignals(False)
        if not values:
            self.table.setCurrentCell(row, 0)
        self.changed.emit()
        return row

    def set_rows(self, rows: Sequence[Sequence[str]]) -> None:
        self.clear_rows()
        for values in rows:
            self.add_row(values)

    def cell(self, row: int, column: int) -> str:
        widget = self.table.cellWidget(row, column)
        return combo_code(widget) if isinstance(widget, QComboBox) else self._text(row, column)

    def set_cell(self, row: int, column: int, text: str) -> None:
        widget = self.table.cellWidget(row, column)
        if isinstance(widget, QComboBox):
            set_combo_code(widget, text)
            return
        item = self.table.item(row, column)
        if item is not None:
            item.setText(text)

    def rows(self) -> list[tuple[int, tuple[str, ...]]]:
        """(grid row number from 1, the row's texts) of every row holding something."""
        out = []
        for row in range(self.table.rowCount()):
            values = tuple(self.cell(row, c) for c in range(len(self.columns)))
            if any(values):
                out.append((row + 1, values))
        return out

    def set_editable(self, editable: bool) -> None:
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers if editable
                                   else QAbstractItemView.EditTrigger.NoEditTriggers)
        for row in range(self.table.rowCount()):
            for c in range(len(self.columns)):
                widget = self.table.cellWidget(row, c)
                if widget is not None:
                    widget.setEnabled(editable)
        self.add_button.setEnabled(editable)
        self.remove_button.setEnabled(editable)


__all__ = ["DETAIL_COLUMNS", "SEARCH_COLUMNS", "Column", "DetailGrid", "EditGrid",
           "FactsPanel", "MessageArea", "SearchPanel", "detail_cells", "empty_label",
           "option_name", "quote_info", "stack_of", "status_text", "summary_cells",
           "when_text"]
