"""The Premise Management pane (spec/60 §B1.4–§B1.8): find premises by landlord, parent premise,
account and location, tick up to a page of them, and start or stop service, change their parent
premise or their landlord in one action.

    pane = host.open_pane("premise-management")
    pane.show_premise("2548573683")          # the account tree's "Premise Management" entry
    pane.search(PremiseCriteria(landlord=LinkFilter.LINKED_TO_ANY))

The grid is driven from the keyboard: arrows move, Space ticks, Ctrl+A ticks the page,
Ctrl+Shift+A clears, Enter opens the premise record. Every search is a Back/Forward step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import DomainError
from app.services.installation import Module
from app.services.premise_management import (
    ACCOUNT,
    COUNT_LIMIT,
    EDITORS,
    LANDLORD,
    MAX_SELECTION,
    PARENT,
    AddressCriteria,
    LinkFilter,
    LocationFilter,
    PremiseCriteria,
    PremisePage,
    PremiseRow,
    check_criteria,
    describe_criteria,
    find_premises,
)
from app.views import premise_dialogs as dialogs
from app.views.dashboard import Cell, TickedTable
from app.views.panes import PaneContext, PaneSpec, register
from app.views.premise_dialogs import MassDialog
from app.views.record import open_record
from app.views.widgets import label, pane_shortcuts, push_button, say
from app.views.worker import run_task

PREMISE_MANAGEMENT = "premise-management"
COLUMNS = ("Select", "Premise", "Account information", "Parent premise", "Landlord")
LOCATION_LABELS: dict[LocationFilter, str] = {
    LocationFilter.NOT_APPLICABLE: "Not applicable",
    LocationFilter.AT_ADDRESS: "Located at this address",
    LocationFilter.AT_GEOGRAPHIC_VALUE: "Located at this geographic type / value",
    LocationFilter.THIS_PREMISE: "Show this specific premise",
}
EXAMPLES = (
    ("A landlord's building", "Linked to this landlord + Linked to this parent premise"),
    ("Unsupplied condos", "Linked to this parent premise + Not linked to any account"),
    ("Stores of a mall", "Located at this address (street, city), or at a geographic type / "
                         "value such as LATLONG"))
NO_ROLE = "Mass actions need the CSR or Supervisor role."
DialogFactory = Callable[[PaneContext, QWidget, Sequence[PremiseRow]], MassDialog]
ACTIONS: tuple[tuple[str, DialogFactory], ...] = (
    ("Start Service…", dialogs.StartGroupsDialog), ("Stop Service…", dialogs.StopGroupsDialog),
    ("Assign Parent Premise…", dialogs.MassAssignParentDialog),
    ("Remove Parent Premise…", dialogs.MassRemoveParentDialog),
    ("Assign Landlord…", dialogs.MassAssignLandlordDialog),
    ("Remove Landlord…", dialogs.MassRemoveLandlordDialog))


@dataclass(frozen=True)
class PaneState:
    """What Back/Forward brings back: the criteria and the page searched."""

    criteria: PremiseCriteria | None
    page: int = 1


def premise_cells(row: PremiseRow) -> tuple[Cell, ...]:
    """A grid row: the tick (set by the grid), Premise, Account, Parent, Landlord."""
    children = (f"\n{row.child_count:,} child premise{'s' if row.child_count != 1 else ''}"
                if row.child_count else "")
    return (Cell(""),
            Cell(f"{row.address} · {row.premise_type.label} · {row.number}",
                 tooltip=f"Premise {row.number}: {row.address} ({row.premise_type.label})"
                         f"{children}\nEnter opens the premise record"),
            Cell(row.account_information or "—",
                 tooltip="\n".join(f"{link.text} · account {link.account_number}"
                                   for link in row.accounts) or "No account supplies it"),
            Cell(row.parent_address or "—", tooltip=f"Parent premise {row.parent_number}"
                 if row.parent_number else "No parent premise"),
            Cell(row.landlord_description or "—",
                 tooltip=f"Landlord agreement {row.landlord_agreement_number}"
                 if row.landlord_agreement_number else "No landlord"))


def page_text(page: PremisePage) -> str:
    """"Page 2 of 7 · 312 premises" (or "more than 10,000")."""
    if not page.count_is_exact:
        return f"Page {page.page} of {page.page_count:,}+ · more than {COUNT_LIMIT:,} premises"
    noun = "premise" if page.total == 1 else "premises"
    return f"Page {page.page} of {page.page_count:,} · {page.total:,} {noun}"



def _line(*items: QWidget | int, spacing: int = 8) -> QHBoxLayout:
    """A row of widgets; an int is a stretch."""
    row = QHBoxLayout()
    row.setSpacing(spacing)
    for item in items:
        if isinstance(item, int):
            row.addStretch(item)
        else:
            row.addWidget(item)
    return row


def _column(parent: QWidget, *widgets: QWidget, margins: tuple[int, int, int, int] = (0,) * 4,
            spacing: int = 4) -> QVBoxLayout:
    layout = QVBoxLayout(parent)
    layout.setContentsMargins(*margins)
    layout.setSpacing(spacing)
    for widget in widgets:
        layout.addWidget(widget)
    return layout


class PremiseGrid(TickedTable):
    """The result grid: a tick per row; Space ticks the current row."""

    #: Ctrl+A / Ctrl+Shift+A typed in the grid (also when the pane's shortcuts cannot fire).
    tick_all = Signal(bool)

    def __init__(self) -> None:
        super().__init__(COLUMNS, stretch=COLUMNS.index("Premise"), tick_width=64)
        self.min_column_width, self.max_column_width = 70, 360
        self.setAccessibleName("Premises found")

    def set_premises(self, rows: tuple[PremiseRow, ...]) -> None:
        self.set_ticked_rows([premise_cells(r) for r in rows], [r.number for r in rows])

    def set_all(self, ticked: bool) -> None:
        self.tick_rows(range(self.source.rowCount()) if ticked else ())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
        if event.key() == Qt.Key.Key_A and mods in (ctrl, ctrl | shift):
            self.tick_all.emit(mods == ctrl)
            event.accept()
            return
        super().keyPressEvent(event)


class LinkFilterBox(QWidget):
    """One of the landlord / parent premise / account filters: a combo and a number."""

    def __init__(self, title: str, what: str, placeholder: str) -> None:
        super().__init__()
        self.combo = QComboBox()
        self.combo.setAccessibleName(f"{title} filter")
        for choice in LinkFilter:
            self.combo.addItem(choice.label_for(what), choice.value)
        self.number = QLineEdit()
        self.number.setPlaceholderText(placeholder)
        self.number.setMaxLength(14)
        self.number.setAccessibleName(f"{title} number")
        self.error = label("", "inlineError", wrap=True)
        self.error.hide()
        _column(self, label(title, "sectionHeading"), self.combo, self.number,
                self.error).addStretch(1)
        self.combo.currentIndexChanged.connect(self._changed)
        self.number.textEdited.connect(lambda _t: self.error.hide())
        self._changed()

    def choice(self) -> LinkFilter:
        return LinkFilter(self.combo.currentData())

    def key(self) -> str:
        return self.number.text().strip() if self.choice().needs_key else ""

    def set(self, choice: LinkFilter, key: str) -> None:
        self.combo.setCurrentIndex(self.combo.findData(choice.value))
        self.number.setText(key)

    def _changed(self) -> None:
        self.number.setEnabled(self.choice().needs_key)
        self.error.hide()
        if self.choice().needs_key and self.combo.hasFocus():
            self.number.setFocus()


class LocationBox(QWidget):
    """The premise (location) filter: the inputs of the chosen kind only."""

    def __init__(self) -> None:
        super().__init__()
        self.combo = QComboBox()
        self.combo.setAccessibleName("Location filter")
        for choice, text in LOCATION_LABELS.items():
            self.combo.addItem(text, choice.value)
        (self.address_line, self.city, self.postal_code, self.region, self.country,
         self.geo_type, self.geo_value, self.premise_number) = (
            self._field(text) for text in ("Street or address line", "City", "Postal code",
                                           "Region", "Country", "Type, e.g. LATLONG", "Value",
                                           "Premise number"))
        self.country.setMaximumWidth(90)
        self.premise_number.setMaximumWidth(220)
        self.pages: dict[LocationFilter, QWidget] = {
            LocationFilter.NOT_APPLICABLE: QWidget(),
            LocationFilter.AT_ADDRESS: self._row((self.address_line, 3), (self.city, 2),
                                                 (self.postal_code, 1), (self.region, 1),
                                                 (self.country, 1)),
            LocationFilter.AT_GEOGRAPHIC_VALUE: self._row((self.geo_type, 1),
                                                          (self.geo_value, 2)),
            LocationFilter.THIS_PREMISE: self._row((self.premise_number, 0)),
        }
        self.error = label("", "inlineError", wrap=True)
        self.error.hide()
        line = _line(self.combo)
        for page in self.pages.values():
            line.addWidget(page, 1)
        layout = _column(self, label("Premise location", "sectionHeading"))
        layout.addLayout(line)
        layout.addWidget(self.error)
        self.combo.currentIndexChanged.connect(self._changed)
        self._changed()

    def _field(self, placeholder: str) -> QLineEdit:
        field = QLineEdit()
        field.setPlaceholderText(placeholder)
        field.setAccessibleName(placeholder)
        field.textEdited.connect(lambda _t: self.error.hide())
        return field

    @staticmethod
    def _row(*fields: tuple[QWidget, int]) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        for field, stretch in fields:
            row.addWidget(field, stretch)
        row.addStretch(0 if len(fields) > 1 else 1)
        return page

    def choice(self) -> LocationFilter:
        return LocationFilter(self.combo.currentData())

    def first_field(self) -> QLineEdit | None:
        return {LocationFilter.AT_ADDRESS: self.address_line,
                LocationFilter.AT_GEOGRAPHIC_VALUE: self.geo_type,
                LocationFilter.THIS_PREMISE: self.premise_number}.get(self.choice())

    def _changed(self) -> None:
        for choice, page in self.pages.items():
            page.setVisible(choice is self.choice())
        self.error.hide()
        first = self.first_field()
        if first is not None and self.combo.hasFocus():
            first.setFocus()

    def fill(self, criteria: PremiseCriteria) -> None:
        a = criteria.address
        for field, text in ((self.address_line, a.address_line), (self.city, a.city),
                            (self.postal_code, a.postal_code), (self.region, a.region),
                            (self.country, a.country), (self.geo_type, criteria.geo_type),
                            (self.geo_value, criteria.geo_value),
                            (self.premise_number, criteria.premise_number)):
            field.setText(text)
        self.combo.setCurrentIndex(self.combo.findData(criteria.location.value))

    def address(self) -> AddressCriteria:
        return AddressCriteria(self.address_line.text(), self.city.text(),
                               self.postal_code.text(), self.region.text(), self.country.text())


class PremiseManagementPane(QWidget):
    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self._ctx = ctx
        self._serial = 0
        self.criteria: PremiseCriteria | None = None
        self.page: PremisePage | None = None
        self.dialog: MassDialog | None = None
        self.can_edit = ctx.actor.has_any(*EDITORS)

        self.landlord = LinkFilterBox("Landlord", LANDLORD, "landlord agreement number")
        self.parent_filter = LinkFilterBox("Parent premise", PARENT, "parent premise number")
        self.account = LinkFilterBox("Account", ACCOUNT, "account number")
        self.location = LocationBox()
        self.filters = QFrame()
        grid = QGridLayout(self.filters)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(18)
        for column, box in enumerate((self.landlord, self.parent_filter, self.account)):
            grid.addWidget(box, 0, column)
            grid.setColumnStretch(column, 1)
        grid.addWidget(self.location, 1, 0, 1, 3)
        for field in self.filters.findChildren(QLineEdit):
            field.returnPressed.connect(self.run_search)
        self.criteria_error = label("", "inlineError", wrap=True)
        self.criteria_error.hide()
        loc = self.location
        #: Where a `DomainError.field` is shown, and the input it is about.
        self.error_places: dict[str, tuple[QLabel, QLineEdit | None]] = {
            "landlord": (self.landlord.error, self.landlord.number),
            "parent": (self.parent_filter.error, self.parent_filter.number),
            "account": (self.account.error, self.account.number),
            "address": (loc.error, loc.address_line), "geo": (loc.error, loc.geo_type),
            "premise": (loc.error, loc.premise_number), "criteria": (self.criteria_error, None)}

        self.search_button = push_button("Search", "Find the premises that match every filter "
                                     "(Enter)", self.run_search, "primary")
        self.busy_label = label("", "hint")
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedSize(90, 8)
        self.busy_bar.hide()
        self.stack = QStackedWidget()
        self.empty_page = self._build_empty_page()
        self.results_page = self._build_results_page()
        self.stack.addWidget(self.empty_page)
        self.stack.addWidget(self.results_page)
        layout = _column(self, label("Premise Management", "pageTitle"), label(
            "Find premises by landlord, parent premise, account and location, then act on up "
            f"to {MAX_SELECTION} of them at once.", "pageSubtitle", wrap=True),
            self.filters, margins=(24, 16, 24, 12), spacing=8)
        bar = _line(self.search_button, spacing=10)
        bar.addWidget(self.criteria_error, 1)
        bar.addStretch(0)
        for widget in (self.busy_label, self.busy_bar):
            bar.addWidget(widget)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        pane_shortcuts(self, (("Ctrl+PgDown", lambda: self.turn(1)),
                              ("Ctrl+PgUp", lambda: self.turn(-1)),
                              ("Ctrl+A", self.select_all), ("Ctrl+Shift+A", self.clear_all)))
        self._update_actions()

    # ------------------------------------------------------------------------------ building

    def _build_empty_page(self) -> QWidget:
        card = QFrame()
        card.setObjectName("emptyCard")
        card.setMaximumWidth(860)
        self.empty_text = label(
            "Choose at least one positive filter above — a “Linked to …” choice or a "
            "location — and press Enter. A “this …” choice needs the number typed under it. "
            "A premise must match every filter.", "emptyText", wrap=True)
        inner = _column(card, label("Find premises to work on", "emptyHeading"),
                        self.empty_text, margins=(28, 22, 28, 24), spacing=8)
        for name, example in EXAMPLES:
            caption = label(name, "sectionHeading")
            caption.setFixedWidth(190)
            inner.addLayout(_line(caption, label(example, "hint", wrap=True)))
        page = QWidget()
        _column(page, card, margins=(0, 10, 0, 0)).addStretch(1)
        return page

    def _build_results_page(self) -> QWidget:
        self.results_title = label("", "sectionHeading", wrap=True)
        self.message = label("", "inlineOk", wrap=True)
        self.message.hide()
        self.no_results = label("No premise matches every filter. Loosen one (for example "
                                "“Linked to any …” instead of “this”), check the numbers, or "
                                "type less of the address.", "emptyText", wrap=True)
        self.grid = PremiseGrid()
        self.grid.row_activated.connect(
            lambda number: open_record(self._ctx.host, "Premise", number))
        self.grid.ticks_changed.connect(self._update_actions)
        self.grid.tick_all.connect(lambda on: self.select_all() if on else self.clear_all())
        self.select_all_button = push_button("Select All", "Tick every premise of this page "
                                         "(Ctrl+A)", self.select_all)
        self.clear_all_button = push_button("Clear All", "Untick every premise (Ctrl+Shift+A)",
                                        self.clear_all)
        self.ticked_label = label("", "hint")
        self.previous_button = push_button("Previous", "Previous page (Ctrl+PgUp)",
                                       lambda: self.turn(-1))
        self.next_button = push_button("Next", "Next page (Ctrl+PgDown)", lambda: self.turn(1))
        self.page_label = label("", "hint")
        self.action_buttons = {
            text.rstrip("…"): push_button(text, "", partial(self.open_action, dialog))
            for text, dialog in ACTIONS}
        page = QWidget()
        self.filler = QWidget()  # keeps the lines at the top while the grid is hidden
        layout = _column(page, self.results_title, self.message, self.no_results, self.grid,
                         self.filler, margins=(0, 4, 0, 0), spacing=8)
        layout.setStretchFactor(self.grid, 1)
        layout.setStretchFactor(self.filler, 1)
        layout.addLayout(_line(self.select_all_button, self.clear_all_button,
                               self.ticked_label, 1, self.previous_button, self.page_label,
                               self.next_button))
        layout.addLayout(_line(*self.action_buttons.values(), 1))
        return page

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Enter on a filter combo searches (the line edits search on their own)."""
        focus = self.focusWidget()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and focus is not None \
                and self.filters.isAncestorOf(focus):
            self.run_search()
            return
        super().keyPressEvent(event)

    # -------------------------------------------------------------------------------- search

    def read_criteria(self) -> PremiseCriteria:
        loc = self.location
        return PremiseCriteria(
            self.landlord.choice(), self.landlord.key(), self.parent_filter.choice(),
            self.parent_filter.key(), self.account.choice(), self.account.key(), loc.choice(),
            loc.address(), loc.geo_type.text(), loc.geo_value.text(),
            loc.premise_number.text().strip())

    def set_criteria(self, criteria: PremiseCriteria) -> None:
        self.landlord.set(criteria.landlord, criteria.landlord_agreement_number)
        self.parent_filter.set(criteria.parent, criteria.parent_premise_number)
        self.account.set(criteria.account, criteria.account_number)
        self.location.fill(criteria)

    def search(self, criteria: PremiseCriteria, page: int = 1) -> None:
        """Fill the filters with `criteria` and search, as if typed."""
        self.set_criteria(criteria)
        self.run_search(page)

    def show_premise(self, premise_number: str) -> None:
        self.search(PremiseCriteria(location=LocationFilter.THIS_PREMISE,
                                    premise_number=premise_number))

    def run_search(self, page: int = 1) -> None:
        """Check the filters here (no query for criteria that cannot run), then search."""
        criteria = self.read_criteria()
        self.clear_errors()
        self.message.hide()
        try:
            check_criteria(criteria)
        except DomainError as exc:
            self.show_error(exc.field, exc.message)
            return
        self._run(criteria, page if isinstance(page, int) and page > 0 else 1)

    def _run(self, criteria: PremiseCriteria, page: int, remember: bool = True) -> None:
        self._serial += 1
        serial = self._serial
        self.busy_label.setText(f"Searching: {describe_criteria(criteria)}…")
        self.busy_bar.show()
        run_task(find_premises, self._ctx.db, criteria, page,
                 on_result=lambda found: self._search_done(serial, criteria, found, remember),
                 on_error=lambda exc: self._search_failed(serial, exc))

    def _search_done(self, serial: int, criteria: PremiseCriteria, found: PremisePage,
                     remember: bool) -> None:
        if serial != self._serial:
            return
        if not found.rows and found.page > found.page_count:  # the page emptied meanwhile
            self._run(criteria, found.page_count, remember)
            return
        self._end()
        self.criteria, self.page = criteria, found
        self._show_results()
        if remember:
            self._ctx.host.record_visit(PREMISE_MANAGEMENT)

    def _search_failed(self, serial: int, exc: BaseException) -> None:
        if serial == self._serial:
            self._end()
            self.show_error(exc.field if isinstance(exc, DomainError) else "criteria",
                            exc.message if isinstance(exc, DomainError)
                            else f"The search could not run: {exc}")

    def _end(self) -> None:
        self.busy_label.setText("")
        self.busy_bar.hide()

    def _show_results(self) -> None:
        page, criteria = self.page, self.criteria
        if page is None or criteria is None:
            self.stack.setCurrentWidget(self.empty_page)
            self._update_actions()
            return
        self.grid.set_premises(page.rows)
        described = describe_criteria(criteria)
        self.results_title.setText(described[:1].upper() + described[1:])
        self.page_label.setText(page_text(page))
        self.previous_button.setEnabled(page.page > 1)
        self.next_button.setEnabled(page.has_next)
        self.grid.setVisible(bool(page.rows))
        self.no_results.setVisible(not page.rows)
        self.filler.setVisible(not page.rows)
        self.stack.setCurrentWidget(self.results_page)
        if page.rows:
            self.grid.selectRow(0)
            self.grid.setFocus()
        self._update_actions()

    # --------------------------------------------------------------------------- errors

    def show_error(self, field: str | None, message: str) -> None:
        """Beside the filter the error names; anything else under the Search button."""
        error, focus = self.error_places.get(field or "", self.error_places["criteria"])
        error.setText(message)
        error.show()
        if focus is not None and focus.isEnabled():
            focus.setFocus()

    def error_text(self, field: str) -> str:
        """What is shown for `field` (empty when hidden): for tests and screen readers."""
        error = self.error_places.get(field, self.error_places["criteria"])[0]
        return error.text() if not error.isHidden() else ""

    def clear_errors(self) -> None:
        for error, _focus in self.error_places.values():
            error.hide()
            error.setText("")

    # ------------------------------------------------------------------------ ticks, pages

    def ticked_rows(self) -> list[PremiseRow]:
        by_number = {r.number: r for r in self.page.rows} if self.page is not None else {}
        return [by_number[n] for n in self.grid.ticked_keys() if n in by_number]

    def select_all(self) -> None:
        if self.stack.currentWidget() is self.results_page:
            self.grid.set_all(True)

    def clear_all(self) -> None:
        self.grid.set_all(False)

    def _update_actions(self) -> None:
        count = len(self.ticked_rows())
        rows = len(self.page.rows) if self.page is not None else 0
        self.ticked_label.setText(f"{count} of {rows} ticked (at most {MAX_SELECTION} per "
                                  "action)" if rows else "")
        for button in self.action_buttons.values():
            button.setEnabled(self.can_edit and count > 0)
            button.setToolTip(NO_ROLE if not self.can_edit else
                              "" if count else "Tick at least one premise first")
        self.select_all_button.setEnabled(rows > 0)
        self.clear_all_button.setEnabled(count > 0)

    def turn(self, step: int) -> None:
        """The next (1) or previous (-1) page of the same search."""
        page = self.page
        if self.criteria is None or page is None or self.stack.currentWidget() is not \
                self.results_page or (step > 0 and not page.has_next) or page.page + step < 1:
            return
        self.message.hide()
        self._run(self.criteria, page.page + step)

    # ------------------------------------------------------------------------------ actions

    def open_action(self, kind: DialogFactory) -> MassDialog | None:
        rows = self.ticked_rows()
        if not rows or not self.can_edit:
            return None
        dialog = kind(self._ctx, self, rows)
        dialog.saved.connect(self._action_saved)
        dialog.concurrent_change.connect(lambda: self._lost_race(dialog))
        dialog.finished.connect(lambda _code: self.grid.setFocus())
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()
        return dialog

    def _action_saved(self, text: str) -> None:
        self._ctx.host.show_status(text)
        self._say(text, ok=True)
        self.refresh()

    def _lost_race(self, dialog: MassDialog) -> None:
        """Someone changed a ticked premise since the search: say so here and search again."""
        text = dialog.error_text()
        dialog.reject()
        self._say(text, ok=False)
        self.refresh()

    def _say(self, text: str, ok: bool) -> None:
        say(self.message, text, ok)

    def refresh(self) -> None:
        """Search again for what is shown, keeping the page (the message stays)."""
        if self.criteria is not None and self.page is not None:
            self._run(self.criteria, self.page.page, remember=False)

    # --------------------------------------------------------------------------- navigation

    def pane_state(self) -> object:
        return PaneState(self.criteria, self.page.page if self.page is not None else 1)

    def history_key(self) -> str:
        return "" if self.criteria is None or self.page is None else \
            f"premises:{self.page.page}:{self.criteria!r}"

    def restore_state(self, state: object) -> None:
        if not isinstance(state, PaneState):
            return
        self.clear_errors()
        self.message.hide()
        if state.criteria is None:
            self._serial += 1  # forget a search still on its way
            self._end()
            self.criteria, self.page = None, None
            self._show_results()
            return
        self.set_criteria(state.criteria)
        self._run(state.criteria, state.page, remember=False)


def _make(ctx: PaneContext) -> QWidget:
    return PremiseManagementPane(ctx)


PREMISE_MANAGEMENT_SPEC = register(PaneSpec(PREMISE_MANAGEMENT, "Premise Management", "Ctrl+5",
                                            _make, Module.PREMISE_MANAGEMENT))


__all__ = ["PREMISE_MANAGEMENT", "PREMISE_MANAGEMENT_SPEC", "PaneState", "PremiseGrid",
           "PremiseManagementPane", "page_text", "premise_cells"]
