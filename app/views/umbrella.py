"""The Umbrella Agreements pane (spec/60 §B2.8): a negotiated contract, its terms of service
and the agreements each covers.

    pane = host.open_pane("umbrella-agreements")
    pane.open_umbrella("4178654779")

Left: the umbrella agreements, with a filter. Right: the umbrella agreement (description,
period, comments; status with Complete / Reopen / Delete), its terms of service (grid; a form
for the selected or a new one: description, template agreement, whether the template's rate
replaces the agreements' own; Activate / Pend / Cancel / Delete) and the agreements the
selected terms cover (Link SA with a typed 10-digit ID, Unlink). Every step is one call of
`services.umbrella` in a worker; a refused step says why beside the field or status it
concerns and changes nothing; a lost race says who won and reloads. Users without the Rate
Analyst or Supervisor role read only. The pane belongs to the Contract Management module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import TosStatus, UmbrellaStatus
from app.services import umbrella
from app.services.context import today
from app.services.errors import ConcurrentChange, DomainError
from app.services.installation import Module
from app.services.umbrella import TermsForm, TermsView, UmbrellaForm, UmbrellaSummary, UmbrellaView
from app.views.panes import PaneContext, PaneHost, PaneSpec, register
from app.views.tree_dialogs import BANNER_STYLE
from app.views.widgets import FieldMessage, error_label, label, push_button, say
from app.views.worker import run_task

UMBRELLA = "umbrella-agreements"
TERMS_COLUMNS = ("Terms ID", "Description", "Status", "Template SA", "Template rate",
                 "Overrides rate", "Agreements")
AGREEMENT_COLUMNS = ("SA ID", "Account", "SA type", "Status", "Proposal", "Start")




def _grid(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.blockSignals(True)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.blockSignals(False)


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setAccessibleName(name)
    edit.setMinimumWidth(120)
    return edit


def _day(edit: QDateEdit) -> dt.date:
    d = edit.date()
    return dt.date(d.year(), d.month(), d.day())


class UmbrellaPane(QWidget):
    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.can_edit = umbrella.can_change(ctx.actor)
        self.view: UmbrellaView | None = None
        self.is_new = False
        self.busy = False
        self.current_terms: str | None = None
        self.summaries: list[UmbrellaSummary] = []
        self._armed: str | None = None
        self._select_last = False
        self._clear_link = False
        self._build()
        shortcut = QShortcut(QKeySequence("F5"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.reload)
        self._set_enabled()
        self.refresh_list()

    # ---------------------------------------------------------------------------- building

    def _build(self) -> None:
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by ID, description or status")
        self.filter.setAccessibleName("Filter umbrella agreements")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(lambda _t: self._fill_list())
        self.list = QListWidget()
        self.list.setAccessibleName("Umbrella agreements")
        self.list.setSpacing(1)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentItemChanged.connect(self._list_chosen)
        self.list_empty = label("", "hint", wrap=True)
        self.new_button = push_button("New Umbrella Agreement", "Start a new contract", self.new)
        side = QWidget()
        side.setMaximumWidth(330)
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        for widget in (self.filter, self.list, self.list_empty, self.new_button):
            column.addWidget(widget)
        column.setStretchFactor(self.list, 1)

        self.title = label("Umbrella Agreements", "pageTitle")
        self.subtitle = label("Choose an umbrella agreement on the left, or start a new one.",
                              "pageSubtitle", wrap=True)
        self.banner = label(umbrella.READ_ONLY_NOTE, "authorityBanner", wrap=True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setVisible(not self.can_edit)
        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self._build_umbrella())
        body.addWidget(self._build_terms(), 3)
        body.addWidget(self._build_agreements(), 2)
        self.empty = QFrame()
        self.empty.setObjectName("emptyCard")
        self.empty.setMaximumWidth(760)
        card = QVBoxLayout(self.empty)
        card.setContentsMargins(28, 22, 28, 24)
        card.addWidget(label("No umbrella agreement open", "emptyHeading"))
        card.addWidget(label(
            "Pick one in the list, or press New Umbrella Agreement to record a negotiated "
            "contract. Its terms of service name the agreements they cover and may name a "
            "template agreement whose rate and pricing terms apply to them while the contract "
            "is complete and in its period.", "emptyText", wrap=True))
        self.filler = QWidget()
        self.message = label("", "inlineOk", wrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        main = QVBoxLayout()
        main.setSpacing(8)
        shown: tuple[QWidget, ...] = (self.title, self.subtitle, self.banner, self.body,
                                      self.empty, self.filler, self.message)
        for part in shown:
            main.addWidget(part)
        main.setStretchFactor(self.body, 1)
        main.setStretchFactor(self.filler, 1)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 12)
        outer.setSpacing(18)
        outer.addWidget(side)
        outer.addLayout(main, 1)
        self.body.hide()

    def _build_umbrella(self) -> QGroupBox:
        box = QGroupBox("Umbrella agreement")
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        self.number = QLabel("—")
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel("")
        self.status.setObjectName("sectionHeading")
        self.complete_button = push_button("Complete", "Put the contract in effect for its period",
                                       lambda: self._step("complete"), "primary")
        self.reopen_button = push_button("Reopen", "Take the contract out of effect to correct it",
                                     lambda: self._step("reopen"))
        self.delete_button = push_button("Delete", "Remove the pending contract and its terms",
                                     lambda: self._step("delete"))
        status_line = QHBoxLayout()
        status_line.addWidget(self.status)
        status_line.addStretch(1)
        for button in (self.complete_button, self.reopen_button, self.delete_button):
            status_line.addWidget(button)
        self.description = QLineEdit()
        self.description.setMaxLength(100)
        self.description.setAccessibleName("Description")
        self.start = _date_edit("Start date")
        self.end = _date_edit("End date")
        self.comments = QPlainTextEdit()
        self.comments.setAccessibleName("Comments")
        self.comments.setFixedHeight(52)
        self.save_button = push_button("Save", "Save the umbrella agreement (Ctrl+S)", self.save,
                                   "primary")
        save_shortcut = QShortcut(QKeySequence("Ctrl+S"), self)
        save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_shortcut.activated.connect(self.save)
        grid.addWidget(QLabel("ID"), 0, 0)
        grid.addWidget(self.number, 0, 1)
        grid.addWidget(QLabel("Status"), 0, 2)
        grid.addLayout(status_line, 0, 3)
        grid.addWidget(QLabel("Description"), 1, 0)
        grid.addWidget(self.description, 1, 1, 1, 3)
        grid.addWidget(QLabel("Start date"), 2, 0)
        starts = QHBoxLayout()
        starts.addWidget(self.start)
        starts.addStretch(1)
        grid.addLayout(starts, 2, 1)
        grid.addWidget(QLabel("End date"), 2, 2)
        dates = QHBoxLayout()
        dates.addWidget(self.end)
        dates.addStretch(1)
        grid.addLayout(dates, 2, 3)
        grid.addWidget(QLabel("Comments"), 3, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.comments, 3, 1, 1, 3)
        self.status_error = error_label()
        grid.addWidget(self.status_error, 4, 0, 1, 3)
        grid.addWidget(self.save_button, 4, 3, Qt.AlignmentFlag.AlignRight)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 2)
        self.field_messages = {name: FieldMessage(widget, self) for name, widget in (
            ("description", self.description), ("start_date", self.start),
            ("end_date", self.end), ("comments", self.comments))}
        for widget in (self.description, self.start, self.end):
            widget.setMinimumHeight(26)
        return box

    def _build_terms(self) -> QGroupBox:
        box = QGroupBox("Terms of service")
        column = QVBoxLayout(box)
        self.terms = _grid(TERMS_COLUMNS)
        self.terms.setAccessibleName("Terms of service")
        self.terms.itemSelectionChanged.connect(self._terms_chosen)
        self.terms_empty = label("No terms of service yet: describe the first below and press "
                                 "Save Terms.", "hint", wrap=True)
        self.activate_button = push_button("Activate", "The terms apply while the contract is in "
                                       "effect", lambda: self._terms_step("activate"))
        self.pend_button = push_button("Pend", "Set the terms back to pending (only while the "
                                   "contract is pending)", lambda: self._terms_step("pend"))
        self.cancel_button = push_button("Cancel Terms", "Cancel the terms: every agreement is "
                                     "unlinked, the record is kept",
                                     lambda: self._terms_step("cancel"))
        self.delete_terms_button = push_button("Delete Terms", "Remove the terms",
                                           lambda: self._terms_step("delete"))
        steps = QHBoxLayout()
        self.terms_status = QLabel("")
        steps.addWidget(self.terms_status)
        steps.addStretch(1)
        for button in (self.activate_button, self.pend_button, self.cancel_button,
                       self.delete_terms_button):
            steps.addWidget(button)
        self.terms_error = error_label()
        form = QGridLayout()
        form.setHorizontalSpacing(10)
        self.terms_description = QLineEdit()
        self.terms_description.setMaxLength(100)
        self.terms_description.setAccessibleName("Terms description")
        self.template = QLineEdit()
        self.template.setPlaceholderText("10-digit SA ID, or blank")
        self.template.setAccessibleName("Template SA")
        self.template.setMaxLength(14)
        self.overrides = QCheckBox("The template's rate replaces the agreements' own")
        self.overrides.setChecked(True)
        self.save_terms_button = push_button("Save Terms", "Save these terms of service",
                                         self.save_terms, "primary")
        self.new_terms_button = push_button("New Terms", "Describe new terms of service",
                                        self.new_terms)
        form.addWidget(QLabel("Description"), 0, 0)
        form.addWidget(self.terms_description, 0, 1)
        form.addWidget(QLabel("Template SA"), 0, 2)
        form.addWidget(self.template, 0, 3)
        form.addWidget(self.overrides, 1, 1, 1, 3)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_terms_button)
        buttons.addWidget(self.save_terms_button)
        form.addLayout(buttons, 1, 3, Qt.AlignmentFlag.AlignRight)
        form.setColumnStretch(1, 3)
        form.setColumnStretch(3, 1)
        for item in (self.terms, self.terms_empty):
            column.addWidget(item)
        column.addLayout(steps)
        column.addWidget(self.terms_error)
        column.addLayout(form)
        column.setStretchFactor(self.terms, 1)
        self.field_messages.update({"terms_description": FieldMessage(self.terms_description,
                                                                      self),
                                    "template_sa_number": FieldMessage(self.template, self)})
        return box

    def _build_agreements(self) -> QGroupBox:
        self.agreements_box = QGroupBox("Agreements covered")
        column = QVBoxLayout(self.agreements_box)
        self.agreements = _grid(AGREEMENT_COLUMNS)
        self.agreements.setAccessibleName("Agreements covered")
        self.agreements.itemSelectionChanged.connect(self._set_enabled)
        self.agreements_empty = label("", "hint", wrap=True)
        self.sa_number = QLineEdit()
        self.sa_number.setPlaceholderText("10-digit SA ID")
        self.sa_number.setAccessibleName("SA to link")
        self.sa_number.setMaxLength(14)
        self.sa_number.setMaximumWidth(200)
        self.sa_number.returnPressed.connect(self.link)
        self.link_button = push_button("Link SA…", "Cover the agreement whose ID is typed",
                                   self.link)
        self.unlink_button = push_button("Unlink", "Stop covering the selected agreement",
                                     self.unlink)
        line = QHBoxLayout()
        line.addWidget(QLabel("SA ID"))
        line.addWidget(self.sa_number)
        line.addWidget(self.link_button)
        line.addStretch(1)
        line.addWidget(self.unlink_button)
        column.addWidget(self.agreements, 1)
        column.addWidget(self.agreements_empty)
        column.addLayout(line)
        self.field_messages["sa_number"] = FieldMessage(self.sa_number, self)
        return self.agreements_box

    # ----------------------------------------------------------------------------- listing

    def refresh_list(self) -> None:
        run_task(umbrella.list_umbrella_agreements, self.ctx.db, on_result=self._listed,
                 on_error=lambda exc: self._say(getattr(exc, "message", str(exc)), ok=False))

    def _listed(self, summaries: list[UmbrellaSummary]) -> None:
        self.summaries = summaries
        self._fill_list()

    def _fill_list(self) -> None:
        text = self.filter.text().strip().lower()
        current = self.view.number if self.view else None
        self.list.blockSignals(True)
        self.list.clear()
        for s in self.summaries:
            shown = (f"{s.number} — {s.description}\n{s.status.label} · {s.start_date:%Y-%m-%d}"
                     f" → {s.end_date:%Y-%m-%d}")
            if text and text not in shown.lower():
                continue
            item = QListWidgetItem(shown)
            item.setData(Qt.ItemDataRole.UserRole, s.number)
            item.setToolTip(f"{s.description}: {s.terms_count} terms of service covering "
                            f"{s.agreements_count} agreement"
                            f"{'' if s.agreements_count == 1 else 's'}")
            self.list.addItem(item)
            if s.number == current:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.list_empty.setText("" if self.list.count() else
                                "No umbrella agreement matches the filter." if self.summaries
                                else "There are no umbrella agreements yet.")
        self.list_empty.setVisible(not self.list.count())

    def _list_chosen(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is not None:
            self.open_umbrella(str(item.data(Qt.ItemDataRole.UserRole)))

    # ----------------------------------------------------------------------------- loading

    def open_umbrella(self, number: str, note: str = "", ok: bool = True) -> None:
        self._say("Loading…", ok=True)
        run_task(umbrella.get_umbrella_agreement, self.ctx.db, number,
                 on_result=lambda view: self._show(view, note, ok),
                 on_error=lambda exc: self._say(getattr(exc, "message", str(exc)), ok=False))

    def reload(self) -> None:
        if self.view is not None:
            self.open_umbrella(self.view.number)

    def new(self) -> None:
        if not self.can_edit:
            return
        self.view, self.is_new, self.current_terms = None, True, None
        self.list.clearSelection()
        first = today().replace(day=1)
        self.title.setText("New umbrella agreement")
        self.subtitle.setText("Describe the contract and its period, then Save; add its terms "
                              "of service after that.")
        self.number.setText("assigned when saved")
        self.status.setText(UmbrellaStatus.PENDING.label)
        self.description.clear()
        self.start.setDate(QDate(first.year, first.month, first.day))
        end = first.replace(year=first.year + 1) - dt.timedelta(days=1)
        self.end.setDate(QDate(end.year, end.month, end.day))
        self.comments.clear()
        _fill(self.terms, [])
        _fill(self.agreements, [])
        self._clear_form_terms()
        self._clear_errors()
        self._say("", ok=True)
        self._reveal()
        self.description.setFocus()

    def _reveal(self) -> None:
        self.body.show()
        self.empty.hide()
        self.filler.hide()
        self._set_enabled()

    def _show(self, view: UmbrellaView, note: str = "", ok: bool = True) -> None:
        self.view, self.is_new, self._armed = view, False, None
        self.busy = False
        self.title.setText(f"{view.number} — {view.description}")
        effective = "in effect today" if view.effective_on(today()) else "not in effect today"
        self.subtitle.setText(f"{view.status.label} · {view.start_date:%Y-%m-%d} → "
                              f"{view.end_date:%Y-%m-%d} · {effective} · last changed by "
                              f"{view.updated_by}")
        self.number.setText(view.number)
        self.status.setText(view.status.label)
        self.description.setText(view.description)
        self.start.setDate(QDate(view.start_date.year, view.start_date.month,
                                 view.start_date.day))
        self.end.setDate(QDate(view.end_date.year, view.end_date.month, view.end_date.day))
        self.comments.setPlainText(view.comments or "")
        _fill(self.terms, [[t.number, t.description, t.status.label,
                            t.template_sa_number or "—", t.template_rate or "—",
                            "Yes" if t.overrides_rate else "No", str(len(t.agreements))]
                           for t in view.terms])
        self.terms_empty.setVisible(not view.terms)
        self._clear_errors()
        keep = self.current_terms if view.terms_numbered(self.current_terms or "") else None
        if self._select_last and view.terms:
            keep = view.terms[-1].number
        self._select_last = False
        if keep is None and view.terms:
            keep = view.terms[0].number
        self.current_terms = None
        if keep is not None:
            row = [t.number for t in view.terms].index(keep)
            self.terms.selectRow(row)
            self.current_terms = keep
        self._terms_chosen()
        self._say(note, ok=ok)
        self._reveal()
        self._fill_list()
        self.ctx.host.record_visit(UMBRELLA)

    def selected_terms(self) -> TermsView | None:
        if self.view is None or self.current_terms is None:
            return None
        return self.view.terms_numbered(self.current_terms)

    def _terms_chosen(self) -> None:
        rows = self.terms.selectionModel().selectedRows()
        number = cell(self.terms, rows[0].row(), 0) if rows else None
        if self.view is not None and number is not None:
            self.current_terms = number
        tos = self.selected_terms()
        self._armed = None
        if tos is None:
            self._clear_form_terms()
        else:
            self.terms_description.setText(tos.description)
            self.template.setText(tos.template_sa_number or "")
            self.overrides.setChecked(tos.overrides_rate)
            self.terms_status.setText(f"Terms {tos.number}: {tos.status.label}")
            _fill(self.agreements, [[a.number, a.account_number, a.sa_type, a.status.label,
                                     "Yes" if a.is_proposal else "", f"{a.start_date:%Y-%m-%d}"]
                                    for a in tos.agreements])
            self.agreements_box.setTitle(f"Agreements covered by terms {tos.number}")
            self.agreements_empty.setText("" if tos.agreements else
                                          "No agreement is linked yet: type an SA ID and "
                                          "press Link SA…." if tos.status is not
                                          TosStatus.CANCELED else
                                          "Canceled terms cover no agreements.")
            self.agreements_empty.setVisible(not tos.agreements)
        self.terms_error.hide()
        self._set_enabled()

    def _clear_form_terms(self) -> None:
        self.current_terms = None
        self.terms.clearSelection()
        self.terms_description.clear()
        self.template.clear()
        self.overrides.setChecked(True)
        self.terms_status.setText("New terms" if self.view is not None else "")
        _fill(self.agreements, [])
        self.agreements_box.setTitle("Agreements covered")
        self.agreements_empty.setText("Save the terms, then link agreements to them."
                                      if self.view is not None else "")
        self.agreements_empty.setVisible(self.view is not None)

    def new_terms(self) -> None:
        self._clear_form_terms()
        self._clear_errors()
        self._set_enabled()
        self.terms_description.setFocus()

    # ----------------------------------------------------------------------------- enabling

    def _set_enabled(self) -> None:
        on = self.can_edit and not self.busy
        view, tos = self.view, self.selected_terms()
        pending = view is not None and view.status is UmbrellaStatus.PENDING
        for edit in (self.description, self.terms_description, self.template, self.sa_number):
            edit.setReadOnly(not on)
        self.comments.setReadOnly(not on)
        for widget in (self.start, self.end, self.overrides):
            widget.setEnabled(on)
        self.save_button.setEnabled(on)
        self.new_button.setEnabled(on)
        self.complete_button.setVisible(view is None or pending)
        self.reopen_button.setVisible(view is not None and not pending)
        self.complete_button.setEnabled(on and pending)
        self.reopen_button.setEnabled(on and view is not None and not pending)
        self.delete_button.setEnabled(on and pending)
        status = tos.status if tos is not None else None
        self.activate_button.setEnabled(on and status is TosStatus.PENDING)
        self.pend_button.setEnabled(on and status is TosStatus.ACTIVE and pending)
        self.cancel_button.setEnabled(on and status in (TosStatus.PENDING, TosStatus.ACTIVE))
        self.delete_terms_button.setEnabled(on and (status is TosStatus.PENDING or (
            status is TosStatus.ACTIVE and pending)))
        self.save_terms_button.setEnabled(on and view is not None
                                          and status is not TosStatus.CANCELED)
        self.new_terms_button.setEnabled(on and view is not None)
        linkable = on and status in (TosStatus.PENDING, TosStatus.ACTIVE)
        self.sa_number.setEnabled(linkable)
        self.link_button.setEnabled(linkable)
        self.unlink_button.setEnabled(linkable and bool(
            self.agreements.selectionModel().selectedRows()))
        if not self.can_edit:
            for button in (self.complete_button, self.reopen_button, self.delete_button,
                           self.activate_button, self.pend_button, self.cancel_button,
                           self.delete_terms_button, self.link_button, self.unlink_button):
                button.setToolTip(umbrella.READ_ONLY_NOTE)

    # ------------------------------------------------------------------------------ acting

    def _run(self, fn: Callable[..., Any], *args: Any, done: str) -> None:
        self.busy = True
        self._set_enabled()
        self._clear_errors()
        self._say("Saving…", ok=True)
        db, actor = self.ctx.db, self.ctx.actor
        run_task(fn, db, actor, *args, on_result=lambda view: self._done(view, done),
                 on_error=self._failed)

    def _done(self, view: UmbrellaView | None, done: str) -> None:
        self.busy = False
        if self._clear_link:            # the typed ID stays when the link was refused
            self.sa_number.clear()
            self._clear_link = False
        self.ctx.host.show_status(done)
        self.refresh_list()
        if view is None:
            self.view, self.is_new = None, False
            self.body.hide()
            self.empty.show()
            self.filler.show()
            self.title.setText("Umbrella Agreements")
            self.subtitle.setText("Choose an umbrella agreement on the left, or start a new "
                                  "one.")
            self._say(done, ok=True)
            return
        self._show(view, done)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self._clear_link = False
        self._set_enabled()
        if isinstance(exc, ConcurrentChange):
            if self.view is not None:
                self.open_umbrella(self.view.number, exc.message + " It was reloaded.",
                                   ok=False)
            else:
                self._say(exc.message, ok=False)
        elif isinstance(exc, DomainError):
            self._show_error(exc)
        else:
            self._say(f"That did not work: {exc}", ok=False)

    def form(self) -> UmbrellaForm:
        return UmbrellaForm(self.description.text(), _day(self.start), _day(self.end),
                            self.comments.toPlainText())

    def save(self) -> None:
        if self.busy or not self.can_edit or not self.body.isVisible():
            return
        if self.is_new or self.view is None:
            self._run(umbrella.create_umbrella_agreement, self.form(),
                      done="Umbrella agreement saved.")
        else:
            self._run(umbrella.update_umbrella_agreement, self.view.number, self.view.version,
                      self.form(), done=f"Umbrella agreement {self.view.number} saved.")

    def _confirmed(self, key: str, question: str) -> bool:
        """A second press of the same button confirms a removal."""
        if self._armed == key:
            self._armed = None
            return True
        self._armed = key
        self._say(question, ok=False)
        return False

    def _step(self, action: str) -> None:
        view = self.view
        if self.busy or not self.can_edit or view is None:
            return
        if action == "delete" and not self._confirmed(
                f"ua:{view.number}", f"Press Delete again to remove umbrella agreement "
                f"{view.number} with its terms of service (their agreements are unlinked)."):
            return
        fn = {"complete": umbrella.complete_umbrella_agreement,
              "reopen": umbrella.reopen_umbrella_agreement,
              "delete": umbrella.delete_umbrella_agreement}[action]
        done = {"complete": "completed: it is in effect for its period",
                "reopen": "reopened: it is no longer in effect", "delete": "deleted"}[action]
        self._run(fn, view.number, view.version,
                  done=f"Umbrella agreement {view.number} {done}.")

    def save_terms(self) -> None:
        view, tos = self.view, self.selected_terms()
        if self.busy or not self.can_edit or view is None:
            return
        form = TermsForm(self.terms_description.text(), self.template.text(),
                         self.overrides.isChecked())
        if tos is None:
            self._select_last = True
            self._run(umbrella.add_terms, view.number, form, done="Terms of service saved.")
        else:
            self._run(umbrella.update_terms, tos.number, tos.version, form,
                      done=f"Terms {tos.number} saved.")

    def _terms_step(self, action: str) -> None:
        tos = self.selected_terms()
        if self.busy or not self.can_edit or tos is None:
            return
        if action == "delete" and not self._confirmed(
                f"tos:{tos.number}", f"Press Delete Terms again to remove terms {tos.number} "
                "(their agreements are unlinked)."):
            return
        if action == "cancel" and tos.agreements and not self._confirmed(
                f"cancel:{tos.number}", f"Press Cancel Terms again: every agreement of terms "
                f"{tos.number} will be unlinked; the terms are kept as a record."):
            return
        fn = {"activate": umbrella.activate_terms, "pend": umbrella.pend_terms,
              "cancel": umbrella.cancel_terms, "delete": umbrella.delete_terms}[action]
        done = {"activate": "activated", "pend": "set back to pending", "cancel": "canceled",
                "delete": "deleted"}[action]
        self._run(fn, tos.number, tos.version, done=f"Terms {tos.number} {done}.")

    def link(self) -> None:
        tos = self.selected_terms()
        if self.busy or not self.can_edit or tos is None:
            return
        number = self.sa_number.text()
        self._clear_link = True
        self._run(umbrella.link_agreement, tos.number, number,
                  done=f"Agreement {number.strip()} linked to terms {tos.number}.")

    def unlink(self) -> None:
        tos = self.selected_terms()
        rows = self.agreements.selectionModel().selectedRows()
        if self.busy or not self.can_edit or tos is None or not rows:
            return
        number = cell(self.agreements, rows[0].row(), 0)
        self._run(umbrella.unlink_agreement, tos.number, number,
                  done=f"Agreement {number} unlinked from terms {tos.number}.")

    # ---------------------------------------------------------------------------- messages

    def _show_error(self, exc: DomainError) -> None:
        self._say("Nothing was saved.", ok=False)
        message = self.field_messages.get(exc.field or "")
        if message is not None:
            message.show_message(exc.message)
        elif exc.field == "status":
            self.status_error.setText(exc.message)
            self.status_error.show()
        elif exc.field == "terms_status":
            self.terms_error.setText(exc.message)
            self.terms_error.show()
        else:
            self._say(exc.message, ok=False)

    def error_text(self, where: str) -> str:
        """The error shown beside a field ('description', 'sa_number', …), 'status',
        'terms_status' or 'message' (tests and screen readers)."""
        shown: QLabel = {"status": self.status_error, "terms_status": self.terms_error,
                         "message": self.message}.get(where) or self.field_messages[where]
        return shown.text() if not shown.isHidden() else ""

    def _clear_errors(self) -> None:
        for message in self.field_messages.values():
            message.clear()
        self.status_error.hide()
        self.terms_error.hide()

    def _say(self, text: str, ok: bool) -> None:
        say(self.message, text, ok)

    # -------------------------------------------------------------------------- navigation

    def pane_state(self) -> object:
        return self.view.number if self.view is not None else None

    def history_key(self) -> str:
        state = self.pane_state()
        return f"umbrella:{state}" if state else ""

    def restore_state(self, state: object) -> None:
        if isinstance(state, str) and state:
            self.open_umbrella(state)


def open_umbrella(host: PaneHost, number: str) -> None:
    """Show umbrella agreement ``number`` in the Umbrella Agreements pane."""
    pane = host.open_pane(UMBRELLA)
    if isinstance(pane, UmbrellaPane):
        pane.open_umbrella(number)


def _make(ctx: PaneContext) -> QWidget:
    return UmbrellaPane(ctx)


UMBRELLA_SPEC = register(PaneSpec(UMBRELLA, "Umbrella Agreements", "Ctrl+0", _make,
                                  Module.CONTRACT_MANAGEMENT))

__all__ = ["UMBRELLA", "UMBRELLA_SPEC", "UmbrellaPane", "open_umbrella"]
