"""The Case pane's search (spec/50 §5.4, issue 11 item 4): case type, status, open cases only,
account, responsible user and age, and the cases found — newest first, sortable by a click on
any heading. Choosing a row emits `case_chosen(number)`; the search runs in a worker and a
newer search makes an older answer moot.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.services import cases
from app.services.cases import CaseRow, CaseSearch, CaseTypeChoice
from app.services.todos import UserChoice
from app.views.case_dialogs import select_data
from app.views.dashboard import Cell, ZoneTable
from app.views.panes import PaneContext
from app.views.widgets import age_text, label, push_button
from app.views.worker import run_task

RESULT_COLUMNS = ("Case", "Type", "Status", "Opened", "Age", "Account", "Person",
                  "Responsible")
#: The age choices: (text, older than days, newer than days).
AGES: tuple[tuple[str, int | None, int | None], ...] = (
    ("Any age", None, None), ("Opened in the last 7 days", None, 7),
    ("Opened in the last 30 days", None, 30), ("Older than 7 days", 7, None),
    ("Older than 30 days", 30, None), ("Older than 90 days", 90, None))



def result_cells(row: CaseRow) -> tuple[Cell | str, ...]:
    return (row.number, Cell(row.case_type_description, tooltip=f"{row.case_type_description} "
                             f"({row.case_type})"),
            Cell(row.status_description + (" (closed)" if row.is_final else "")),
            Cell(f"{row.opened_at:%Y-%m-%d}", sort=row.opened_at.isoformat(),
                 tooltip=f"{row.opened_at:%Y-%m-%d %H:%M}"),
            Cell(age_text(row.age_days), sort=row.age_days, right=True),
            row.account_number or "—", row.person_name or "—", row.responsible_name or "—")


def nothing_found(criteria: CaseSearch) -> str:
    what = "open case" if criteria.open_only else "case"
    where = f" of account {criteria.account_number}" if criteria.account_number else ""
    return (f"No {what}{where} matches. Clear the account or choose another status or age "
            "to see more" + (", or open one with New case…" if where else "") + ".")


def found_summary(criteria: CaseSearch, count: int, more: bool) -> str:
    """What the pane's subtitle says, e.g. "3 open cases of account 1234567890"."""
    what = ("open " if criteria.open_only else "") + ("case" if count == 1 and not more
                                                       else "cases")
    where = f" of account {criteria.account_number}" if criteria.account_number else ""
    return f"{count}{'+' if more else ''} {what}{where}"


class CaseFinder(QWidget):
    """The search form and the grid of cases found."""

    #: A case was chosen in the grid (click, arrows, Enter).
    case_chosen = Signal(str)
    #: A search answered: (what was searched, how many found, more available).
    searched = Signal(object, int, bool)
    #: A search was refused (e.g. a mistyped account number).
    failed = Signal(object)

    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.ready = False
        self.rows: tuple[CaseRow, ...] = ()
        #: The case shown beside the grid: its row is selected when listed.
        self.current: str | None = None
        #: Status codes seen in results (and on cases) with their descriptions: the choices
        #: of the Status filter (any code may be typed).
        self.statuses: dict[str, str] = {}
        self._serial = 0
        self._selecting = False
        self._build()

    def _build(self) -> None:
        self.type_combo = QComboBox()
        self.type_combo.setAccessibleName("Case type")
        self.type_combo.addItem("Any type", None)
        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName("Status")
        self.status_combo.setEditable(True)
        self.status_combo.setToolTip("A status code (statuses of the cases found are listed)")
        status_line = self.status_combo.lineEdit()
        assert status_line is not None
        status_line.setPlaceholderText("Any status")
        self.open_only = QCheckBox("Open cases only")
        self.open_only.setChecked(True)
        self.account_field = QLineEdit()
        self.account_field.setAccessibleName("Account")
        self.account_field.setPlaceholderText("any account")
        self.account_field.setMaxLength(14)
        self.account_field.setClearButtonEnabled(True)
        self.user_combo = QComboBox()
        self.user_combo.setAccessibleName("Assigned to")
        self.user_combo.addItem("Anyone", None)
        self.age_combo = QComboBox()
        self.age_combo.setAccessibleName("Age")
        for text, older, newer in AGES:
            self.age_combo.addItem(text, (older, newer))
        self.search_button = push_button("Search", "Find the cases (Enter)", self.search,
                                         "primary")
        for combo in (self.type_combo, self.user_combo, self.age_combo):
            combo.activated.connect(lambda _i: self.search())
        self.open_only.toggled.connect(lambda _on: self.search())
        self.account_field.returnPressed.connect(self.search)
        status_line.returnPressed.connect(self.search)
        self.status_combo.activated.connect(lambda _i: self.search())
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        for r, (left, lw, right, rw) in enumerate((
                ("Type", self.type_combo, "Status", self.status_combo),
                ("Account", self.account_field, "Assigned to", self.user_combo),
                ("Age", self.age_combo, "", self.open_only))):
            grid.addWidget(QLabel(left), r, 0)
            grid.addWidget(lw, r, 1)
            if right:
                grid.addWidget(QLabel(right), r, 2)
            grid.addWidget(rw, r, 3)
        buttons = QHBoxLayout()
        self.found = label("", "hint", wrap=True)
        buttons.addWidget(self.found, 1)
        buttons.addWidget(self.search_button)
        self.results = ZoneTable(RESULT_COLUMNS, max_rows=None,
                                 stretch=RESULT_COLUMNS.index("Person"))
        self.results.setAccessibleName("Cases found")
        self.results.max_column_width = 150
        self.results.row_activated.connect(self.case_chosen.emit)
        self.results.selectionModel().currentRowChanged.connect(self._result_chosen)
        self.no_results = label("", "hint", wrap=True)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(8)
        column.addWidget(label("Find cases", "sectionHeading"))
        column.addLayout(grid)
        column.addLayout(buttons)
        column.addWidget(self.results, 1)
        column.addWidget(self.no_results)

    def set_choices(self, choices: tuple[CaseTypeChoice, ...],
                    users: tuple[UserChoice, ...]) -> None:
        """The case types the user may search and the users cases are assigned to; searching
        is possible from now on."""
        chosen = self.type_combo.currentData()
        self.type_combo.clear()
        self.type_combo.addItem("Any type", None)
        for choice in choices:
            self.type_combo.addItem(choice.description, choice.code)
        select_data(self.type_combo, chosen)
        user = self.user_combo.currentData()
        self.user_combo.clear()
        self.user_combo.addItem("Anyone", None)
        for u in users:
            self.user_combo.addItem(f"{u.display_name} ({u.username})", u.username)
        select_data(self.user_combo, user)
        self.ready = True

    def criteria(self) -> CaseSearch:
        older, newer = self.age_combo.currentData() or (None, None)
        typed = self.status_combo.currentText().split()   # "CODE · Description" or a code
        return CaseSearch(case_type=self.type_combo.currentData(),
                          status=typed[0].upper() if typed else None,
                          open_only=self.open_only.isChecked(),
                          account_number=self.account_field.text().strip() or None,
                          responsible_username=self.user_combo.currentData(),
                          older_than_days=older, newer_than_days=newer)

    def search(self) -> None:
        if not self.ready:
            return
        self._serial += 1
        serial = self._serial
        criteria = self.criteria()
        run_task(cases.search_cases, self.ctx.db, self.ctx.actor, criteria,
                 on_result=lambda found: self._found(serial, criteria, found),
                 on_error=lambda exc: self._failed(serial, exc))

    def _found(self, serial: int, criteria: CaseSearch,
               found: tuple[tuple[CaseRow, ...], bool]) -> None:
        if serial != self._serial:
            return                      # an older answer: the user searched again
        rows, more = found
        self.rows = rows
        self._selecting = True
        self.results.set_rows([result_cells(r) for r in rows], [r.number for r in rows])
        self._selecting = False
        self.results.setVisible(bool(rows))
        self.no_results.setVisible(not rows)
        self.no_results.setText(nothing_found(criteria))
        count = len(rows)
        self.found.setText(
            f"{count}{'+' if more else ''} case{'' if count == 1 else 's'} found, newest first"
            + (f" — only the newest {count} are listed; narrow the search" if more else "")
            if rows else "")
        for r in rows:
            self.statuses.setdefault(r.status, r.status_description)
        self._fill_statuses()
        self.mark(self.current)
        self.searched.emit(criteria, count, more)

    def _failed(self, serial: int, exc: BaseException) -> None:
        if serial == self._serial:
            self.failed.emit(exc)

    def note_status(self, code: str, description: str) -> None:
        self.statuses.setdefault(code, description)

    def _fill_statuses(self) -> None:
        text = self.status_combo.currentText()
        self.status_combo.blockSignals(True)
        self.status_combo.clear()
        self.status_combo.addItem("", None)
        for code, description in sorted(self.statuses.items(), key=lambda s: s[1]):
            self.status_combo.addItem(f"{code} · {description}", code)
        self.status_combo.setEditText(text)
        self.status_combo.blockSignals(False)

    def mark(self, number: str | None) -> None:
        """Select `number`'s row when it is listed (without choosing it again)."""
        self.current = number
        if number is None:
            return
        model = self.results.source
        for row in range(model.rowCount()):
            if self.results.key_at(model.index(row, 0)) == number:
                self._selecting = True
                self.results.selectionModel().setCurrentIndex(
                    model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows)
                self._selecting = False
                return

    def _result_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._selecting or not current.isValid():
            return
        number = self.results.key_at(current)
        if number and number != self.current:
            self.case_chosen.emit(number)


__all__ = ["AGES", "RESULT_COLUMNS", "CaseFinder", "found_summary", "nothing_found",
           "result_cells"]
