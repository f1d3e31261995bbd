"""Control Central (spec/60 §A8): search for a customer, then the 360° view of an account.

    pane = host.open_pane("control-central")
    pane.search_for("okafor, ng")              # the main window's Ctrl+F field calls this
    pane.load_account("2000000017")

Loading an account makes it the application-wide current account (`ctx.current`); the caller
combo sets who is calling (R-A8). Every search and every account loaded is a Back/Forward step.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import UserRole
from app.services.control_central import AccountDashboard, Caller
from app.services.errors import DomainError
from app.services.installation import Module
from app.services.search import PAGE_SIZE, SearchHit, SearchKind, SearchPage, search
from app.views.appointment_booking import BookingDialog, open_booking_dialog
from app.views.current_context import CurrentAccount
from app.views.dashboard import (
    NO_AUTHORITY,
    AccountHeader,
    Cell,
    DashboardView,
    LoadedAccount,
    ZoneTable,
    fetch_account,
)
from app.views.panes import PaneContext, PaneSpec, register
from app.views.record import open_record
from app.views.widgets import FieldMessage, label, pane_shortcuts
from app.views.worker import run_task

CONTROL_CENTRAL = "control-central"
ACCOUNT_TREE = "account-tree"

KIND_LABELS: dict[SearchKind, str] = {
    SearchKind.NAME: "Name",
    SearchKind.ACCOUNT_ID: "Account ID",
    SearchKind.PERSON_ID: "Person ID",
    SearchKind.CUSTOMER_ID: "Customer ID",
    SearchKind.PREMISE_ID: "Premise ID",
    SearchKind.ADDRESS: "Address",
    SearchKind.POSTAL_CODE: "Postal code",
    SearchKind.PHONE: "Phone number",
    SearchKind.EMAIL: "E-mail",
    SearchKind.METER_BADGE: "Meter badge / POD",
    SearchKind.SA_ID: "Service agreement ID",
    SearchKind.SP_ID: "Service point ID",
    SearchKind.ANY_ID: "Any 10-digit ID",
}

HINTS: tuple[tuple[str, str], ...] = (
    ("Name", "Okafor  ·  okafor, ng  (last name first)  ·  Ngozi Okafor  (first name first)"),
    ("10-digit ID", "account, person, customer, premise, service agreement or service "
                    "point number"),
    ("Address", "12 Elm St  ·  postal code 62701"),
    ("Phone", "+1 555 555 0101  ·  555-555-0101  ·  the last 7 digits are enough"),
    ("E-mail", "ngozi.okafor@example.com  (subscribers are found too)"),
    ("Meter badge", "the number on the meter, or the POD reference"),
)

COLUMNS: tuple[str, ...] = ("Person", "Role", "Account", "Status", "Premise", "Matched")


@dataclass(frozen=True)
class SearchRequest:
    text: str
    kind: SearchKind | None
    include_history: bool
    page: int = 0


@dataclass(frozen=True)
class PaneState:
    """What Back/Forward brings back: the search (with its page of results) and the account."""

    view: str                            # "empty" | "results" | "account"
    request: SearchRequest | None = None
    results: SearchPage | None = None
    account_number: str | None = None


def single_account(page: SearchPage) -> str | None:
    """The account to load at once: page 0 holds one account and nothing else."""
    if page.page != 0 or page.has_more or not page.hits:
        return None
    numbers = {hit.account_number for hit in page.hits}
    return numbers.pop() if len(numbers) == 1 and None not in numbers else None


def hit_row(hit: SearchHit) -> tuple[Cell, ...]:
    """A result row: Person, Role, Account, Status, Premise, Matched."""
    person = (f"{hit.party_kind} {hit.party_number}" if hit.party_number
              else "Nobody has a role on this premise's agreements")
    return (Cell(hit.party_name or "— no customer —", tooltip=person),
            Cell(hit.role or "—"),
            Cell(hit.account_number or "—", tooltip=f"Customer {hit.customer_number}"
                 if hit.customer_number else "No account"),
            Cell(hit.account_status or "—"),
            Cell(hit.premise_address or "—", tooltip=f"Premise {hit.premise_number}"
                 if hit.premise_number else "No premise"),
            Cell(hit.matched))


class ControlCentralPane(QWidget):
    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self._ctx = ctx
        self._serial = 0
        self.request: SearchRequest | None = None
        self.results: SearchPage | None = None
        self.dashboard: AccountDashboard | None = None
        self.account_number: str | None = None   # loaded, or being loaded
        self.hits: tuple[SearchHit, ...] = ()
        self._premise_hint: str | None = None
        self._pending_account: str | None = None
        #: Rows per page of results.
        self.page_size = PAGE_SIZE

        self._build_search_bar()
        self.stack = QStackedWidget()
        self.empty_page = self._build_empty_page()
        self.results_page = self._build_results_page()
        self.account_page = self._build_account_page()
        for page in (self.empty_page, self.results_page, self.account_page):
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 8)
        layout.setSpacing(6)
        layout.addLayout(self.search_bar)
        layout.addLayout(self.status_row)
        layout.addWidget(self.stack, 1)
        self.search_message = FieldMessage(self.field, self)
        self._shortcuts()
        ctx.current.changed.connect(self._context_changed)
        ctx.current.saved.connect(self._data_saved)
        #: The shown account was changed elsewhere while this pane was hidden.
        self._stale = False
        self._show_page(self.empty_page)

    # ------------------------------------------------------------------------------ building

    def _build_search_bar(self) -> None:
        self.field = QLineEdit()
        self.field.setObjectName("controlCentralSearch")
        self.field.setStyleSheet("QLineEdit { padding: 4px 6px; min-height: 22px; }")
        self.field.setPlaceholderText("Name, 10-digit ID, address, postal code, phone, e-mail "
                                      "or meter badge")
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName("Search for a customer")
        self.field.returnPressed.connect(self.run_search)
        self.field.textEdited.connect(lambda _t: self.search_message.clear())
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Kind of search")
        self.kind_combo.addItem("Recognise automatically", None)
        for kind, text in KIND_LABELS.items():
            self.kind_combo.addItem(text, kind.value)  # Qt keeps a plain str
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.search_message.clear())
        self.history_box = QCheckBox("Include history")
        self.history_box.setToolTip("Also find closed roles and stopped service agreements")
        self.search_button = QPushButton("Search")
        self.search_button.setObjectName("primary")
        self.search_button.clicked.connect(self.run_search)
        self.new_button = QPushButton("New customer…")
        self.new_button.setToolTip("Create a person or organisation and its account (Ctrl+N)")
        self.new_button.clicked.connect(self.new_customer)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(self.field, 1)
        bar.addWidget(label("Kind", "hint"))
        bar.addWidget(self.kind_combo)
        bar.addWidget(self.history_box)
        bar.addWidget(self.search_button)
        bar.addSpacing(16)
        bar.addWidget(self.new_button)
        self.search_bar: QHBoxLayout = bar

        self.note = label("", "hint")
        self.error_line = label("", "inlineError", wrap=True)
        self.error_line.hide()
        self.busy_label = label("", "hint")
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedSize(90, 8)
        self.busy_bar.hide()
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.note)
        row.addWidget(self.error_line, 1)
        row.addStretch(0)
        row.addWidget(self.busy_label)
        row.addWidget(self.busy_bar)
        self.status_row: QHBoxLayout = row

    def _build_empty_page(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 24, 0, 0)
        card = QFrame()
        card.setObjectName("emptyCard")
        card.setMaximumWidth(760)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 26, 32, 28)
        inner.setSpacing(10)
        inner.addWidget(label("Find a customer", "emptyHeading"))
        inner.addWidget(label("Type any of these in the search field and press Enter; the kind "
                              "is recognised automatically, or pick it in Kind.",
                              "emptyText", wrap=True))
        for name, example in HINTS:
            line = QHBoxLayout()
            caption = label(name, "sectionHeading")
            caption.setFixedWidth(130)
            line.addWidget(caption, 0, Qt.AlignmentFlag.AlignTop)
            line.addWidget(label(example, "hint", wrap=True), 1)
            inner.addLayout(line)
        inner.addSpacing(6)
        inner.addWidget(label("One match opens its 360° view at once. Not a customer yet? "
                              "New customer… (Ctrl+N).", "hint", wrap=True))
        row = QHBoxLayout()
        row.addWidget(card, 1)
        row.addStretch(0)
        outer.addLayout(row)
        outer.addStretch(1)
        return page

    def _build_results_page(self) -> QWidget:
        self.table = ZoneTable(COLUMNS, max_rows=None, stretch=COLUMNS.index("Premise"))
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.min_column_width, self.table.max_column_width = 110, 340
        self.table.row_activated.connect(lambda key: self._open_hit(self.hits[int(key)]))
        self.table.selectionModel().selectionChanged.connect(self._update_row_actions)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._row_menu)
        self.results_title = label("", "sectionHeading")
        self.no_results = label("", "emptyText", wrap=True)
        self.previous_button = QPushButton("Previous")
        self.previous_button.setToolTip("Previous page (Ctrl+PgUp)")
        self.previous_button.clicked.connect(self.previous_page)
        self.next_button = QPushButton("Next")
        self.next_button.setToolTip("Next page (Ctrl+PgDown)")
        self.next_button.clicked.connect(self.next_page)
        self.page_label = label("", "hint")
        self.merge_button = QPushButton("Merge into…")
        self.merge_button.setToolTip("Merge the selected person into another (supervisors)")
        self.merge_button.clicked.connect(self.merge_selected)
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Open the selected row's account (Enter)")
        self.open_button.clicked.connect(self.open_selected)
        paging = QHBoxLayout()
        paging.setSpacing(8)
        for widget in (self.previous_button, self.page_label, self.next_button):
            paging.addWidget(widget)
        paging.addStretch(1)
        paging.addWidget(self.merge_button)
        paging.addWidget(self.open_button)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.results_title)
        layout.addWidget(self.no_results)
        layout.addWidget(self.table, 1)
        layout.addLayout(paging)
        # merging parties is for supervisors (the service checks it again)
        self.merge_button.setHidden(not self._ctx.actor.has_any(UserRole.SUPERVISOR))
        return page

    def _build_account_page(self) -> QWidget:
        self.header = AccountHeader()
        self.header.back_button.clicked.connect(self.back_to_results)
        self.header.tree_button.clicked.connect(self.open_in_tree)
        self.header.refresh_button.clicked.connect(self.refresh)
        self.header.caller_chosen.connect(self._caller_chosen)
        self.view = DashboardView()
        self.view.open_record.connect(self._open_record)
        # P-AP1: "Book appointment…" on the selected premise (the Appointments module)
        self.book_button = QPushButton("Book appointment…")
        self.book_button.setToolTip("Book field work at the selected premise, else the "
                                    "account's first (Ctrl+B)")
        self.book_button.clicked.connect(lambda: self.book_appointment())
        self.view.premises.header.addWidget(self.book_button)
        self.book_button.setHidden(Module.APPOINTMENTS not in self._ctx.modules)
        self.view.load_account.connect(self.load_account)
        # Issue 10: the Meter cell of the premises zone opens the meter's location history
        # (double-click or Enter); the rest of the row still opens the premise.
        premises = self.view.premises.table
        premises.row_activated.disconnect()
        premises.row_activated.connect(self._premise_row_activated)
        self.meter_button = QPushButton("Meter history…")
        self.meter_button.setToolTip("Where the selected row's meter is and has been "
                                     "(double-click its badge)")
        self.meter_button.clicked.connect(lambda: self.open_meter_history())
        self.view.premises.header.addWidget(self.meter_button)
        # Issue 11: "New case…" on the account shown (the Cases module)
        self.new_case_button = QPushButton("New case…")
        self.new_case_button.setToolTip("Open a case for this account (Ctrl+Shift+N)")
        self.new_case_button.clicked.connect(lambda: self.new_case())
        header = self.header.layout()
        if isinstance(header, QHBoxLayout):
            header.insertWidget(header.indexOf(self.header.tree_button), self.new_case_button,
                                0, Qt.AlignmentFlag.AlignTop)
        self.new_case_button.setHidden(Module.CASES not in self._ctx.modules)
        self.case_dialog: QWidget | None = None
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.header)
        layout.addWidget(self.view, 1)
        return page

    def _shortcuts(self) -> None:
        pane_shortcuts(self, (("Ctrl+PgDown", self.next_page), ("Ctrl+PgUp", self.previous_page),
                              ("Alt+Up", self.back_to_results), ("Ctrl+N", self.new_customer),
                              ("Ctrl+T", self.open_in_tree), ("F5", self.refresh),
                              ("Ctrl+B", self.book_appointment),
                              ("Ctrl+Shift+N", self.new_case)))

    # -------------------------------------------------------------------------------- search

    def search_for(self, text: str, kind: SearchKind | None = None) -> None:
        """Search as if `text` was typed in the field (with `kind`, or recognised)."""
        self.field.setText(text)
        index = self.kind_combo.findData(kind.value) if kind is not None else 0
        self.kind_combo.setCurrentIndex(max(index, 0))
        self.run_search()

    def run_search(self) -> None:
        text = self.field.text()
        self.search_message.clear()
        self.note.clear()
        if not text.strip():
            self.search_message.show_message("Type what to search for: a name, an ID, an "
                                              "address, a phone number…")
            return
        kind = self.kind_combo.currentData()
        self._run(SearchRequest(text.strip(), SearchKind(kind) if kind else None,
                                self.history_box.isChecked()))

    def next_page(self) -> None:
        if self.stack.currentWidget() is self.results_page and self.request is not None \
                and self.results is not None and self.results.has_more:
            self._run(replace(self.request, page=self.results.page + 1))

    def previous_page(self) -> None:
        if self.stack.currentWidget() is self.results_page and self.request is not None \
                and self.results is not None and self.results.page > 0:
            self._run(replace(self.request, page=self.results.page - 1))

    def _run(self, request: SearchRequest) -> None:
        serial = self._begin(f"Searching for '{request.text}'…")
        run_task(search, self._ctx.db, request.text, request.kind,
                 include_history=request.include_history, page=request.page,
                 page_size=self.page_size,
                 on_result=lambda page: self._search_done(serial, request, page),
                 on_error=lambda exc: self._search_failed(serial, exc))

    def _search_done(self, serial: int, request: SearchRequest, page: SearchPage) -> None:
        if serial != self._serial:
            return  # a newer search or account has been asked for
        self._end()
        self.request, self.results = request, page
        self.note.setText(self._note(page))
        account = single_account(page)
        if account is not None:
            hint = next((h.premise_number for h in page.hits if h.premise_number), None)
            self._load(account, premise_hint=hint)
            return
        self._show_results()
        self._ctx.host.record_visit(CONTROL_CENTRAL)

    @staticmethod
    def _note(page: SearchPage) -> str:
        """What the search took the text for: "'okafor' recognised as a name"."""
        if not page.note or page.note.startswith("as chosen"):
            kind = KIND_LABELS.get(page.kind, page.kind.label).lower()
            return f"'{page.query}' searched as {kind}{page.note[len('as chosen'):]}"
        return f"'{page.query}' {page.note}"

    def _search_failed(self, serial: int, exc: BaseException) -> None:
        if serial != self._serial:
            return
        self._end()
        self.search_message.show_message(
            exc.message if isinstance(exc, DomainError) else f"The search could not run: {exc}")
        self.field.setFocus()

    def _show_results(self) -> None:
        page = self.results
        if page is None:
            self._show_page(self.empty_page)
            return
        self.hits = page.hits
        self.table.set_rows([hit_row(hit) for hit in page.hits],
                            [str(i) for i in range(len(page.hits))])
        for column, least in ((0, 220), (5, 200)):  # names and what matched read in full
            self.table.setColumnWidth(column, max(self.table.columnWidth(column), least))
        count = len(page.hits)
        rows = f"{count} {'row' if count == 1 else 'rows'}"
        self.results_title.setText(f"{rows} for '{page.query}'" + (
            " · Enter opens the account of the selected row" if count else ""))
        self.page_label.setText(f"Page {page.page + 1} · {rows}"
                                + (" · more…" if page.has_more else ""))
        self.previous_button.setEnabled(page.page > 0)
        self.next_button.setEnabled(page.has_more)
        self.no_results.setVisible(not page.hits)
        self.table.setVisible(bool(page.hits))
        if not page.hits:
            history = "" if self.request is not None and self.request.include_history else (
                " Tick Include history to find closed roles and stopped agreements too.")
            self.no_results.setText(
                f"Nothing matches '{page.query}'. Check the spelling, type fewer letters, or "
                f"pick the kind of search in Kind.{history}")
        self._show_page(self.results_page)
        if page.hits:
            self.table.selectRow(0)
            self.table.setFocus()
        else:
            self.field.setFocus()
        self._update_row_actions()

    def selected_hit(self) -> SearchHit | None:
        rows = self.table.selectionModel().selectedRows()
        return self.hits[int(self.table.key_at(rows[0]))] if rows else None

    def _update_row_actions(self) -> None:
        hit = self.selected_hit() if self.table.isVisible() else None
        self.open_button.setEnabled(hit is not None)
        self.merge_button.setEnabled(hit is not None and bool(hit.party_number))

    def open_selected(self) -> None:
        hit = self.selected_hit()
        if hit is not None:
            self._open_hit(hit)

    def _open_hit(self, hit: SearchHit) -> None:
        if hit.account_number:
            self._load(hit.account_number, premise_hint=hit.premise_number)
        elif hit.party_number:
            open_record(self._ctx.host, hit.party_kind or "Person", hit.party_number)
        elif hit.premise_number:
            open_record(self._ctx.host, "Premise", hit.premise_number)

    def _row_menu(self, position: QPoint) -> None:
        index = self.table.indexAt(position)
        if not index.isValid():
            return
        hit = self.hits[int(self.table.key_at(index))]
        menu = QMenu(self)
        if hit.account_number:
            menu.addAction(f"Open account {hit.account_number}", lambda: self._open_hit(hit))
        if hit.party_number:
            menu.addAction(f"Open {hit.party_kind.lower()} record",
                           lambda: open_record(self._ctx.host, hit.party_kind, hit.party_number))
        if hit.premise_number:
            number = hit.premise_number
            menu.addAction("Open premise record",
                           lambda: open_record(self._ctx.host, "Premise", number))
        if not self.merge_button.isHidden() and hit.party_number:
            menu.addSeparator()
            menu.addAction("Merge into…", lambda: self._merge(hit))
        menu.popup(self.table.viewport().mapToGlobal(position))

    # ------------------------------------------------------------------------------- account

    def load_account(self, account_number: str) -> None:
        """Show the 360° view of an account and make it the current account."""
        self._load(account_number)

    def refresh(self) -> None:
        if self.account_number is not None and self.stack.currentWidget() is self.account_page:
            self._load(self.account_number, caller=self.header.caller(), remember=False,
                       premise_hint=self._premise_hint)

    def _load(self, number: str, *, premise_hint: str | None = None,
              caller: Caller | None = None, remember: bool = True) -> None:
        self._pending_account = None
        self.account_number = number
        self._premise_hint = premise_hint
        context = self._ctx.current.account
        if caller is None and context is not None and context.account_number == number:
            caller = context.caller  # coming back to the account keeps who is calling
        serial = self._begin(f"Loading account {number}…")
        run_task(fetch_account, self._ctx.db, number, caller.party_number if caller else None,
                 on_result=lambda loaded: self._account_done(serial, loaded, caller, remember),
                 on_error=lambda exc: self._account_failed(serial, exc))

    def _account_done(self, serial: int, loaded: LoadedAccount, caller: Caller | None,
                      remember: bool) -> None:
        if serial != self._serial:
            return
        self._end()
        self.header.set_callers(loaded.callers, caller.party_number if caller else None)
        self._show_dashboard(loaded)
        s = loaded.dashboard.summary
        premise = self._premise_hint or next((p.number for p in loaded.dashboard.premises), None)
        described = f" ({s.description})" if s.description else ""
        self._ctx.current.set_account(CurrentAccount(
            s.account_number, f"{s.customer_name} · account {s.account_number}{described}",
            s.main_party_number, premise, self.header.caller()))
        self._show_page(self.account_page)
        self.view.setFocus()
        if remember:
            self._ctx.host.record_visit(CONTROL_CENTRAL)

    def _show_dashboard(self, loaded: LoadedAccount) -> None:
        self.dashboard = loaded.dashboard
        self.header.set_account(loaded.dashboard.summary, self.results is not None)
        self.view.set_dashboard(loaded.dashboard)
        self.header.show_authority(loaded.authority)

    def _account_failed(self, serial: int, exc: BaseException) -> None:
        if serial != self._serial:
            return
        self._end()
        self.error_line.setText(exc.message if isinstance(exc, DomainError) else (
            f"The account could not be read: {exc}"))
        self.error_line.show()

    def select_caller(self, party_number: str | None) -> None:
        """Choose who is calling by party number (None: unknown caller), as the combo does."""
        self.header.select_caller(party_number)

    def _caller_chosen(self, caller: Caller | None) -> None:
        """The context learns the caller; the dashboard is read again for its AL-CALLER."""
        self._ctx.current.set_caller(caller)
        self.header.show_authority(None)
        number = self.account_number
        if number is None:
            return
        serial = self._begin("Checking the caller's authority…")
        run_task(fetch_account, self._ctx.db, number, caller.party_number if caller else None,
                 False, on_result=lambda loaded: self._caller_done(serial, loaded),
                 on_error=lambda exc: self._account_failed(serial, exc))

    def _caller_done(self, serial: int, loaded: LoadedAccount) -> None:
        if serial == self._serial:
            self._end()
            self._show_dashboard(loaded)

    # --------------------------------------------------------------------------- navigation

    def back_to_results(self) -> None:
        if self.results is None or self.stack.currentWidget() is not self.account_page:
            return
        self._show_results()
        self._ctx.host.record_visit(CONTROL_CENTRAL)

    def _show_page(self, page: QWidget) -> None:
        self.error_line.hide()
        self.stack.setCurrentWidget(page)

    def current_view(self) -> str:
        page = self.stack.currentWidget()
        return "account" if page is self.account_page else (
            "results" if page is self.results_page else "empty")

    def pane_state(self) -> object:
        view = self.current_view()
        return PaneState(view, self.request, self.results,
                         self.account_number if view == "account" else None)

    def history_key(self) -> str:
        view = self.current_view()
        if view == "account":
            return f"account:{self.account_number}"
        if view == "results" and self.request is not None and self.results is not None:
            r = self.request
            return f"search:{r.kind}:{r.include_history}:{self.results.page}:{r.text}"
        return ""

    def restore_state(self, state: object) -> None:
        if not isinstance(state, PaneState):
            return
        self.request, self.results = state.request, state.results
        if state.request is not None:
            self.field.setText(state.request.text)
            kind = state.request.kind
            index = self.kind_combo.findData(kind.value) if kind is not None else 0
            self.kind_combo.setCurrentIndex(max(index, 0))
            self.history_box.setChecked(state.request.include_history)
        if state.view == "account" and state.account_number:
            if state.account_number == self.account_number and self.dashboard is not None \
                    and self.dashboard.summary.account_number == state.account_number:
                self._serial += 1  # forget a load still on its way
                self._end()
                self._show_page(self.account_page)
                self.header.back_button.setHidden(self.results is None)
            else:
                self._load(state.account_number, remember=False)
        elif state.view == "results":
            self._serial += 1
            self._end()
            self._show_results()
        else:
            self._show_page(self.empty_page)

    # ---------------------------------------------------------------------- current context

    def _context_changed(self, account: CurrentAccount | None) -> None:
        if account is None or account.account_number == self.account_number:
            return
        self._pending_account = account.account_number
        if self.isVisible():
            self._load(account.account_number)

    def _data_saved(self, account_number: str | None) -> None:
        """Another pane or dialog saved something: re-read the 360° view if it shows it."""
        if self.account_number is None or account_number not in (None, self.account_number):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._pending_account is not None:
            self._load(self._pending_account)
        elif self._stale:
            self._stale = False
            self.refresh()

    # ------------------------------------------------------------------------------ actions

    def open_in_tree(self) -> None:
        if self.account_number is None or self.dashboard is None:
            self._ctx.host.show_status("Load an account first, then open it in the tree.")
            return
        try:
            self._ctx.host.open_pane(ACCOUNT_TREE)
        except KeyError:
            self._ctx.host.show_status("The account tree is not available in this version.")

    def _open_record(self, kind: str, number: str) -> None:
        """A zone row or alert drilled: appointments open the booking dialog on the premise,
        cases the Cases pane on the case, To Dos the To Do list."""
        if kind == "Appointment":
            self.book_appointment(number)
        elif kind == "Case":
            self.open_case(number)
        elif kind == "To Do":
            self.open_todos()
        else:
            open_record(self._ctx.host, kind, number)

    def selected_meter(self) -> str | None:
        """The meter badge on the premises zone's current row (None: no meter there)."""
        table = self.view.premises.table
        index = table.currentIndex()
        if not index.isValid():
            return None
        badge = table.cell_text(index.row(), table.columns.index("Meter")).strip()
        return badge if badge and badge != "—" else None

    def _premise_row_activated(self, premise_number: str) -> None:
        table = self.view.premises.table
        badge = self.selected_meter()
        if badge and table.currentIndex().column() == table.columns.index("Meter"):
            self.open_meter_history(badge)
        else:
            self._open_record("Premise", premise_number)

    def open_meter_history(self, badge: str | None = None) -> None:
        """The Stock Locations pane on the meter's history (issue 10)."""
        badge = badge or self.selected_meter()
        if not badge:
            self._ctx.host.show_status("Select a service point row with a meter first.")
            return
        from app.views.stock_locations import open_asset_history

        open_asset_history(self._ctx.host, badge)

    def book_appointment(self, premise_number: str | None = None) -> BookingDialog | None:
        """P-AP1 on `premise_number`, else the premise selected in the premises zone, else the
        account's first premise."""
        if Module.APPOINTMENTS not in self._ctx.modules or self.dashboard is None \
                or self.stack.currentWidget() is not self.account_page:
            return None
        if premise_number is None:
            table = self.view.premises.table
            rows = table.selectionModel().selectedRows()
            premise_number = table.key_at(rows[0]) if rows else next(
                (p.number for p in self.dashboard.premises), None)
        if not premise_number:
            self._ctx.host.show_status("The account has no premise to book an appointment at.")
            return None
        dialog = open_booking_dialog(self, self._ctx.db, self._ctx.actor, premise_number)
        account = self.account_number
        dialog.changed.connect(lambda _text: self._ctx.current.notify_saved(account))
        return dialog

    def open_case(self, number: str, auto_message: str | None = None) -> None:
        """The Cases pane on case `number` (issue 11), with the auto-transition message of a
        case just opened here."""
        from app.views.cases import open_case

        try:
            open_case(self._ctx.host, number, auto_message)
        except KeyError:
            self._ctx.host.show_status(f"Case {number}: the Cases pane is not available here.")

    def open_todos(self) -> None:
        try:
            self._ctx.host.open_pane("todo")
        except KeyError:
            self._ctx.host.show_status("The To Do list is not available here.")

    def new_case(self) -> None:
        """The Cases pane's new-case dialog on the account shown (its person, account and
        premise filled in); once the case is opened, the Cases pane shows it."""
        if Module.CASES not in self._ctx.modules or self.dashboard is None \
                or self.stack.currentWidget() is not self.account_page:
            return
        from app.views.cases import load_screen

        account = self.account_number
        self._ctx.host.show_status("Reading the case types…")
        run_task(load_screen, self._ctx.db, self._ctx.actor,
                 on_result=lambda screen: self._new_case_dialog(screen, account),
                 on_error=lambda exc: self._ctx.host.show_status(
                     getattr(exc, "message", None) or f"The case types could not be read: "
                                                      f"{exc}"))

    def _new_case_dialog(self, screen: object, account: str | None) -> None:
        from app.views.case_dialogs import NewCaseDialog

        choices, people = getattr(screen, "choices", ()), getattr(screen, "users", ())
        if not choices:
            self._ctx.host.show_status("You may not open any kind of case; ask an "
                                       "administrator.")
            return
        dialog = NewCaseDialog(self._ctx, self, choices, people, account_number=account)
        dialog.saved.connect(lambda _text: self._case_created(dialog.result_value, account))
        self.case_dialog = dialog
        dialog.open()

    def _case_created(self, result: object, account: str | None) -> None:
        number = getattr(result, "number", None)
        if not number:
            return
        self._ctx.current.notify_saved(account)
        moved = getattr(result, "auto_message", None)
        self.open_case(number, moved)
        self._ctx.host.show_status(f"Case {number} opened.")

    def new_customer(self) -> None:
        try:
            from app.views.party_dialog import open_new_customer_dialog
        except ImportError:
            self._ctx.host.show_status("Creating customers is not available in this version.")
            return
        dialog = open_new_customer_dialog(self, self._ctx.db, self._ctx.actor)
        dialog.created.connect(self._customer_created)
        dialog.use_existing.connect(lambda party: self.search_for(party, SearchKind.PERSON_ID))

    def _customer_created(self, party_number: str, account_number: str | None) -> None:
        """Show what was just made: its account, or the party when it has no account yet."""
        if account_number:
            self.load_account(account_number)
        else:
            self.search_for(party_number, SearchKind.PERSON_ID)

    def merge_selected(self) -> None:
        hit = self.selected_hit()
        if hit is not None:
            self._merge(hit)

    def _merge(self, hit: SearchHit) -> None:
        try:
            from app.views.merge_dialog import open_merge_dialog
        except ImportError:
            self._ctx.host.show_status("Merging parties is not available in this version.")
            return
        # the selected row is the duplicate; the dialog asks for the party it is merged into
        dialog = open_merge_dialog(self, self._ctx.db, self._ctx.actor,
                                   duplicate_number=hit.party_number)
        dialog.merged.connect(lambda survivor, _duplicate: self.search_for(
            survivor, SearchKind.PERSON_ID))

    # --------------------------------------------------------------------------------- busy

    def _begin(self, text: str) -> int:
        self._serial += 1
        self.busy_label.setText(text)
        self.busy_label.show()
        self.busy_bar.show()
        self.error_line.hide()
        return self._serial

    def _end(self) -> None:
        self.busy_label.setText("")
        self.busy_bar.hide()

    @property
    def busy(self) -> bool:
        return self.busy_bar.isVisible()


def _make(ctx: PaneContext) -> QWidget:
    return ControlCentralPane(ctx)


CONTROL_CENTRAL_SPEC = register(PaneSpec(CONTROL_CENTRAL, "Control Central", "Ctrl+2", _make))

__all__ = ["CONTROL_CENTRAL_SPEC", "NO_AUTHORITY", "ControlCentralPane", "PaneState",
           "SearchRequest", "single_account"]
