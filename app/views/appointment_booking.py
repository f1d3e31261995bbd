"""P-AP1 Appointment Booking (spec/50 §1.6): one premise's appointments, the field activities
still without one, and the search for a period to book them in.

    dialog = BookingDialog(parent, db, actor, "3000000013")
    dialog.open()

On open every activity without an appointment is ticked and the search runs at once, showing
the next available periods first (AP-R11); an error (e.g. no dispatch group common to the
ticked activities) shows beside the search, never in a box. Keyboard: Enter in the Available
Appointments grid books the selected period (or moves the appointment being re-booked), Del in
the Existing grid cancels the selected activity's appointment (after a confirmation),
Ctrl+PgUp / Ctrl+PgDown move the From/To window (AP-R12), Esc stops a re-booking, then closes.
A period that filled meanwhile says so beside the search, the grid is read again and the next
available period is selected, so Enter books it. Every database call runs in the worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.services import appointments, field_activities
from app.services.appointments import (
    ActivityRow,
    Availability,
    Booking,
    PeriodFull,
    PeriodSlot,
    PremiseAppointments,
    period_label,
)
from app.services.context import Actor, today
from app.services.errors import DomainError
from app.services.field_activities import FieldActivityForm, FieldActivityTypeRow
from app.views.dashboard import STYLE, Cell, TickedTable, ZoneTable
from app.views.tree_dialogs import date_field, parse_date
from app.views.widgets import error_label, label, say
from app.views.worker import run_task

Clock = Callable[[], dt.datetime]

EXISTING_COLUMNS = ("Field activity", "Type", "Status", "Dispatch group", "Period")
WITHOUT_COLUMNS = ("", "Field activity", "Type", "Scheduled", "Dispatch group",
                   "Service point")
AVAILABLE_COLUMNS = ("Dispatch group", "Date", "Start", "End", "Remaining")
AUTOMATIC = "Automatic (common to the ticked activities)"


def _button(text: str, tip: str, slot: Callable[[], object]) -> QPushButton:
    """A dialog button that never becomes the default: Enter belongs to the grids."""
    button = QPushButton(text)
    button.setToolTip(tip)
    button.setAutoDefault(False)
    button.setDefault(False)
    button.clicked.connect(lambda _=False: slot())
    return button


def _caption(text: str, buddy: QWidget) -> QLabel:
    caption = label(text, "sectionHeading")
    caption.setBuddy(buddy)
    return caption


def _time(value: dt.datetime, day: dt.date) -> str:
    return f"{value:%H:%M}" if value.date() == day else f"{value:%a %d %b %H:%M}"


class NewFieldActivityDialog(QDialog):
    """The work to book: a type that takes appointments, a date and, optionally, one of the
    premise's service points. Errors show beside their field."""

    created = Signal(str)

    def __init__(self, parent: QWidget, db: Database, actor: Actor, premise_number: str,
                 on: dt.date) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Field Activity")
        self.db, self.actor, self.premise_number = db, actor, premise_number
        self.type_combo = QComboBox()
        self.type_combo.setAccessibleName("Field activity type")
        self.type_combo.setMinimumWidth(260)
        self.on = date_field(on)
        self.point = QLineEdit()
        self.point.setPlaceholderText("optional: service point ID")
        self.point.setMaximumWidth(200)
        self.error = error_label()
        form = QFormLayout()
        for text, widget in (("&Type", self.type_combo), ("&Date", self.on),
                             ("&Service point", self.point)):
            form.addRow(_caption(text, widget), widget)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("C&reate")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label(f"A pending field activity at premise {premise_number}; book "
                               "it once it shows under Field activities without "
                               "appointments.", "hint", wrap=True))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.ok_button.setEnabled(False)
        run_task(field_activities.field_activity_types, db, on_result=self._types,
                 on_error=self._failed)

    def _types(self, types: Sequence[FieldActivityTypeRow]) -> None:
        for t in types:
            if t.takes_appointments:
                self.type_combo.addItem(f"{t.description} ({t.code})", t.code)
        self.ok_button.setEnabled(self.type_combo.count() > 0)
        self.type_combo.setFocus()

    def submit(self) -> None:
        self.error.hide()
        try:
            day = parse_date(self.on.text(), "on", "date")
        except DomainError as exc:
            self._failed(exc)
            return
        form = FieldActivityForm(self.premise_number, str(self.type_combo.currentData()), day,
                                 self.point.text().strip() or None)
        self.ok_button.setEnabled(False)
        run_task(field_activities.create_field_activity, self.db, self.actor, form,
                 on_result=self._done, on_error=self._failed)

    def _done(self, number: str) -> None:
        self.created.emit(number)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(self.type_combo.count() > 0)
        say(self.error, exc.message if isinstance(exc, DomainError)
            else f"The field activity could not be created: {exc}", False)


class BookingDialog(QDialog):
    """P-AP1 for one premise. `changed(text)` is emitted after every booking, re-booking,
    cancel or new activity (Control Central reads the account again)."""

    changed = Signal(str)

    def __init__(self, parent: QWidget | None, db: Database, actor: Actor,
                 premise_number: str, *, clock: Clock | None = None) -> None:
        super().__init__(parent)
        self.db, self.actor, self.premise_number = db, actor, premise_number
        #: The business clock; None: the real one (the services read it).
        self.clock = clock
        self.premise: PremiseAppointments | None = None
        self._filling = False
        self.availability: Availability | None = None
        #: The activities being re-booked (moved to another period), or None.
        self.rebooking: tuple[str, ...] | None = None
        self.busy = False
        self.confirm_box: QMessageBox | None = None
        self.new_dialog: NewFieldActivityDialog | None = None
        self._groups_filled = False
        self.setWindowTitle(f"Appointment Booking — premise {premise_number}")
        self.setStyleSheet(STYLE)
        self.resize(980, 820)
        self._build()
        self._shortcuts()
        self.load(search=True)

    # ---------------------------------------------------------------------------- building

    def _build(self) -> None:
        self.title = label("Appointment Booking", "pageTitle")
        self.header = label(f"Premise {self.premise_number}", "pageSubtitle", wrap=True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.existing = ZoneTable(EXISTING_COLUMNS, max_rows=4, stretch=4)
        self.existing.setAccessibleName("Existing appointments")
        self.existing.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.cancel_button = _button("&Cancel Appointment", "Take the selected field activity "
                                     "off its appointment (Del)", self.cancel_selected)
        self.rebook_button = _button("&Re-book…", "Move the selected appointment to another "
                                     "period: pick it below and press Enter", self.start_rebook)
        existing_bar = QHBoxLayout()
        existing_bar.addWidget(_caption("E&xisting appointments", self.existing))
        existing_bar.addStretch(1)
        existing_bar.addWidget(self.rebook_button)
        existing_bar.addWidget(self.cancel_button)
        self.existing_empty = label("No appointment at this premise yet.", "hint")

        self.without = TickedTable(WITHOUT_COLUMNS, stretch=2, tick_width=34)
        self.without.setAccessibleName("Field activities without appointments")
        self.without.ticks_changed.connect(self._ticks_changed)
        self.new_button = _button("&New Field Activity…", "Create the work to book at this "
                                  "premise", self.new_field_activity)
        without_bar = QHBoxLayout()
        without_bar.addWidget(_caption("Field activities &without appointments", self.without))
        without_bar.addStretch(1)
        without_bar.addWidget(self.new_button)
        self.without_empty = label("Nothing at this premise needs an appointment. New Field "
                                   "Activity… creates the work to book.", "hint", wrap=True)

        search = QGroupBox("Search for an Appointment")
        self.group_combo = QComboBox()
        self.group_combo.setAccessibleName("Dispatch group")
        self.group_combo.addItem(AUTOMATIC, None)
        self.group_combo.setMinimumWidth(300)
        self.around = QLineEdit()
        self.around.setPlaceholderText("earliest scheduled")
        self.around.setAccessibleName("On or around date (YYYY-MM-DD)")
        self.around.setMaximumWidth(150)
        self.around.returnPressed.connect(lambda: self.search())
        self.alternates = QCheckBox("A&ll alternates")
        self.alternates.setToolTip("Search every dispatch group common to the activities, not "
                                   "only the best one")
        self.show_button = _button("&Show Appointments", "Search the window for periods with "
                                   "room", lambda: self.search())
        criteria = QHBoxLayout()
        criteria.setSpacing(8)
        criteria.addWidget(_caption("&Dispatch group", self.group_combo))
        criteria.addWidget(self.group_combo)
        criteria.addSpacing(10)
        criteria.addWidget(_caption("&On/Around", self.around))
        criteria.addWidget(self.around)
        criteria.addSpacing(10)
        criteria.addWidget(self.alternates)
        criteria.addStretch(1)
        criteria.addWidget(self.show_button)
        self.search_error = error_label()
        self.search_note = label("", "hint", wrap=True)
        self.search_note.hide()
        self.rebook_banner = label("", "inlineOk", wrap=True)
        self.rebook_banner.hide()

        self.available = ZoneTable(AVAILABLE_COLUMNS, max_rows=None, stretch=1)
        self.available.setAccessibleName("Available appointments")
        self.available.setMinimumHeight(170)
        self.available.row_activated.connect(lambda _key: self.book_selected())
        self.available.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.previous_button = _button("<", "The window before (Ctrl+PgUp)",
                                       lambda: self.page(-1))
        self.next_button = _button(">", "The window after (Ctrl+PgDown)", lambda: self.page(1))
        for b in (self.previous_button, self.next_button):
            b.setFixedWidth(36)
        self.window_label = label("", "fieldValue")
        self.window_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.window_label.setMinimumWidth(340)
        self.book_button = _button("&Book", "Book the ticked activities into the selected "
                                   "period (Enter)", self.book_selected)
        self.book_button.setObjectName("primary")
        paging = QHBoxLayout()
        paging.addWidget(_caption("Available &appointments", self.available))
        paging.addStretch(1)
        paging.addWidget(self.previous_button)
        paging.addWidget(self.window_label)
        paging.addWidget(self.next_button)
        paging.addStretch(1)
        paging.addWidget(self.book_button)
        box = QVBoxLayout(search)
        box.setSpacing(6)
        box.addLayout(criteria)
        box.addWidget(self.search_error)
        box.addWidget(self.search_note)
        box.addWidget(self.rebook_banner)
        box.addLayout(paging)
        box.addWidget(self.available, 1)

        self.message = label("", "inlineOk", wrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.close_button = _button("Close", "Close the dialog (Esc)", self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.header)
        layout.addLayout(existing_bar)
        layout.addWidget(self.existing)
        layout.addWidget(self.existing_empty)
        layout.addLayout(without_bar)
        layout.addWidget(self.without)
        layout.addWidget(self.without_empty)
        layout.addWidget(search, 1)
        layout.addLayout(bottom)
        self._enable()

    def _shortcuts(self) -> None:
        delete = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.existing)
        delete.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        delete.activated.connect(self.cancel_selected)
        for keys, step in (("Ctrl+PgUp", -1), ("Ctrl+PgDown", 1)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(lambda s=step: self.page(s))

    # ---------------------------------------------------------------------------- clock

    def _now(self) -> dt.datetime | None:
        return self.clock() if self.clock is not None else None

    def _today(self) -> dt.date:
        return self.clock().date() if self.clock is not None else today()

    # ---------------------------------------------------------------------------- loading

    def load(self, search: bool = False, select_period: int | None = None,
             keep_error: bool = False) -> None:
        """Read the premise's grids; with `search`, run the search after (AP-R11)."""
        run_task(appointments.premise_appointments, self.db, self.premise_number,
                 on_result=partial(self._loaded, search=search, select_period=select_period,
                                   keep_error=keep_error),
                 on_error=self._failed)

    def _loaded(self, premise: PremiseAppointments, search: bool,
                select_period: int | None, keep_error: bool = False) -> None:
        self.premise = premise
        self.header.setText(f"Premise {premise.premise_number} · {premise.address}")
        if not self._groups_filled:
            for code, description in premise.dispatch_groups:
                self.group_combo.addItem(f"{code} — {description}", code)
            self._groups_filled = True
        self.existing.set_rows([self._existing_row(r) for r in premise.existing],
                               [r.number for r in premise.existing])
        self.existing.setVisible(bool(premise.existing))
        self.existing_empty.setVisible(not premise.existing)
        if premise.existing:
            self.existing.selectRow(0)
        keys = [r.number for r in premise.without]
        self._filling = True
        self.without.set_ticked_rows([self._without_row(r) for r in premise.without], keys,
                                     ticked=keys)            # AP-R11: every row ticked
        self._filling = False
        shown = max(1, min(len(keys), 5))       # sized to its rows, up to five
        self.without.setFixedHeight(self.without.horizontalHeader().sizeHint().height()
                                    + shown * self.without.verticalHeader().defaultSectionSize()
                                    + 4)
        self.without.setVisible(bool(keys))
        self.without_empty.setVisible(not keys)
        self._enable()
        if search:
            self.search(next_available=True, select_period=select_period,
                        keep_error=keep_error)

    @staticmethod
    def _existing_row(r: ActivityRow) -> tuple[Cell | str, ...]:
        assert r.period_start is not None and r.period_end is not None
        return (Cell(r.number, tooltip=("" if r.can_cancel else "Cannot be canceled: ")
                     + f"{r.type_description}, {r.status.label.lower()}"),
                r.type_description, r.status.label, r.dispatch_group or "—",
                Cell(period_label(r.period_start, r.period_end), r.period_start.isoformat()))

    @staticmethod
    def _without_row(r: ActivityRow) -> tuple[Cell | str, ...]:
        return (Cell(""), r.number, r.type_description,
                Cell(f"{r.scheduled_on:%a %d %b %Y}", r.scheduled_on.isoformat()),
                r.dispatch_group or "— no rule —", r.service_point or "—")

    def selected_existing(self) -> ActivityRow | None:
        rows = self.existing.selectionModel().selectedRows()
        if not rows or self.premise is None:
            return None
        number = self.existing.key_at(rows[0])
        return next((r for r in self.premise.existing if r.number == number), None)

    def selected_slot(self) -> PeriodSlot | None:
        rows = self.available.selectionModel().selectedRows()
        if not rows or self.availability is None:
            return None
        key = self.available.key_at(rows[0])
        return next((s for s in self.availability.slots if str(s.period_id) == key), None)

    def _enable(self) -> None:
        row = self.selected_existing()
        idle = not self.busy
        self.cancel_button.setEnabled(idle and row is not None and row.can_cancel)
        self.rebook_button.setEnabled(idle and row is not None and row.can_cancel)
        self.book_button.setEnabled(idle and self.selected_slot() is not None
                                    and bool(self._numbers()))
        self.book_button.setText("Move &Here" if self.rebooking else "&Book")
        first = self.availability.first if self.availability else None
        self.previous_button.setEnabled(idle and first is not None and first > self._today())
        self.next_button.setEnabled(idle and first is not None)

    def _ticks_changed(self) -> None:
        """Other activities ticked: what was found was for the old ones, so search again."""
        if self._filling or self.rebooking or self.premise is None:
            self._enable()
            return
        self.search(next_available=True)

    # ---------------------------------------------------------------------------- search

    def _numbers(self) -> list[str]:
        return list(self.rebooking) if self.rebooking else self.without.ticked_keys()

    def search(self, *, next_available: bool = False, around: dt.date | None = None,
               select_period: int | None = None, keep_error: bool = False) -> None:
        """Run the availability search for the ticked activities (or those being re-booked)."""
        if not keep_error:
            self.search_error.hide()
        numbers = self._numbers()
        if not numbers:
            self._show_slots(None)
            say(self.search_note, "Tick the field activities to book, then Show Appointments."
                if self.premise and self.premise.without else "", True)
            return
        if around is None:
            try:
                text = self.around.text().strip()
                around = parse_date(text, "around", "on/around date") if text else None
            except DomainError as exc:
                say(self.search_error, exc.message, False)
                return
        group = self.group_combo.currentData()
        run_task(appointments.find_availability, self.db, self.premise_number, numbers,
                 group, around, all_alternates=self.alternates.isChecked(),
                 next_available=next_available, now=self._now(),
                 on_result=partial(self._found, select_period=select_period),
                 on_error=self._search_failed)

    def _found(self, found: Availability, select_period: int | None) -> None:
        self._show_slots(found)
        note = ""
        if found.moved:
            note = "Nothing had room sooner: the next available periods are shown first."
        elif not found.slots:
            note = "No period has room in this window: > shows the next one."
        say(self.search_note, note, True)
        if found.slots:
            keys = [str(s.period_id) for s in found.slots]
            wanted = str(select_period) if select_period is not None else keys[0]
            self.available.selectRow(keys.index(wanted) if wanted in keys else 0)
        self._enable()

    def _show_slots(self, found: Availability | None) -> None:
        self.availability = found
        slots = found.slots if found else ()
        self.available.set_rows(
            [(s.dispatch_group, Cell(f"{s.start:%a %d %b %Y}", s.start.isoformat()),
              Cell(f"{s.start:%H:%M}", s.start.isoformat()), _time(s.end, s.start.date()),
              Cell(f"{s.remaining} of {s.max_appointments}" + (" · joins" if s.joins else ""),
                   s.remaining, right=True,
                   tooltip="The premise already has an appointment in it: this joins it"
                   if s.joins else f"{s.remaining} appointments left"))
             for s in slots], [str(s.period_id) for s in slots])
        self.window_label.setText(f"From {found.first:%a %d %b %Y}  To {found.last:%a %d %b %Y}"
                                  if found else "")
        self._enable()

    def _search_failed(self, exc: BaseException) -> None:
        self._show_slots(None)
        self.search_note.hide()
        say(self.search_error, exc.message if isinstance(exc, DomainError)
            else f"The search could not run: {exc}", False)

    def page(self, step: int) -> None:
        """AP-R12: move the From/To window one width back or forward."""
        found = self.availability
        if found is None or self.busy:
            return
        width = (found.last - found.first).days + 1
        anchor = max(found.first + dt.timedelta(days=width * step), self._today())
        if step < 0 and found.first <= self._today():
            return
        self.search(around=anchor)

    # ---------------------------------------------------------------------------- booking

    def book_selected(self) -> None:
        slot = self.selected_slot()
        if slot is None or self.busy:
            return
        numbers = self._numbers()
        self.busy = True
        self._enable()
        self.search_error.hide()
        action = appointments.rebook if self.rebooking else appointments.book
        run_task(action, self.db, self.actor, self.premise_number, numbers, slot.period_id,
                 now=self._now(), on_result=self._booked,
                 on_error=partial(self._book_failed, slot=slot))

    def _booked(self, booking: Booking) -> None:
        self.busy = False
        self.stop_rebook()
        say(self.message, booking.message, True)
        self.changed.emit(booking.message)
        self.load(search=True)

    def _book_failed(self, exc: BaseException, slot: PeriodSlot) -> None:
        self.busy = False
        self._enable()
        if isinstance(exc, PeriodFull):
            say(self.search_error, exc.message, False)
            offer = exc.next_available
            found = self.availability
            around = None
            if offer is not None and found is not None \
                    and not found.first <= offer.start.date() <= found.last:
                around = offer.start.date()
            elif found is not None:
                around = found.first
            self.search(around=around, keep_error=True,
                        select_period=offer.period_id if offer else None)
        else:
            say(self.search_error, exc.message if isinstance(exc, DomainError)
                else f"The booking could not be saved: {exc}", False)
            self.load(search=True, keep_error=True)    # show what is there now
        self.available.setFocus()

    # ---------------------------------------------------------------------------- re-book

    def start_rebook(self) -> None:
        """Re-book the selected appointment: its activities that can still move (those of the
        premise in the same period) go to the period chosen next."""
        row = self.selected_existing()
        if row is None or not row.can_cancel or self.premise is None:
            return
        self.rebooking = tuple(r.number for r in self.premise.existing
                               if r.period_id == row.period_id and r.can_cancel)
        assert row.period_start is not None and row.period_end is not None
        say(self.rebook_banner, f"Re-booking {', '.join(self.rebooking)} (now "
            f"{period_label(row.period_start, row.period_end)}): select the new period and "
            "press Enter. Esc stops re-booking.", True)
        self.search(next_available=True)
        self.available.setFocus()

    def stop_rebook(self) -> None:
        self.rebooking = None
        self.rebook_banner.hide()
        self._enable()

    # ---------------------------------------------------------------------------- cancel

    def cancel_selected(self) -> None:
        row = self.selected_existing()
        if row is None or self.busy:
            return
        if not row.can_cancel:
            say(self.message, f"Field activity {row.number} is {row.status.label.lower()}: "
                "its appointment can no longer be canceled.", False)
            return
        assert row.period_start is not None and row.period_end is not None
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Cancel appointment")
        box.setText(f"Cancel the appointment of field activity {row.number} "
                    f"({row.type_description}) on "
                    f"{period_label(row.period_start, row.period_end)}?")
        box.setInformativeText("The activity stays pending and can be booked again.")
        yes = box.addButton("Cancel &Appointment", QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton("&Keep It", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.finished.connect(lambda _r: self._confirmed(box.clickedButton() is yes, row))
        self.confirm_box = box
        box.open()

    def confirm_button(self) -> QAbstractButton | None:
        """The confirmation's "Cancel Appointment" button, while it is open (tests press it)."""
        box = self.confirm_box
        if box is None:
            return None
        return next((b for b in box.buttons()
                     if box.buttonRole(b) is QMessageBox.ButtonRole.AcceptRole), None)

    def _confirmed(self, yes: bool, row: ActivityRow) -> None:
        box, self.confirm_box = self.confirm_box, None
        if box is not None:
            box.deleteLater()
        if not yes:
            self.existing.setFocus()
            return
        self.busy = True
        self._enable()
        run_task(appointments.cancel_appointment, self.db, self.actor, self.premise_number,
                 [row.number], on_result=self._canceled, on_error=self._failed)

    def _canceled(self, text: str) -> None:
        self.busy = False
        say(self.message, text, True)
        self.changed.emit(text)
        self.load(search=True)
        self.existing.setFocus()

    # ---------------------------------------------------------------------------- new work

    def new_field_activity(self) -> NewFieldActivityDialog:
        dialog = NewFieldActivityDialog(self, self.db, self.actor, self.premise_number,
                                        self._today())
        dialog.created.connect(self._created)
        self.new_dialog = dialog
        dialog.open()
        return dialog

    def _created(self, number: str) -> None:
        text = f"Field activity {number} created."
        say(self.message, text, True)
        self.changed.emit(text)
        self.load(search=True)

    # ---------------------------------------------------------------------------- misc

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self._enable()
        say(self.message, exc.message if isinstance(exc, DomainError)
            else f"Something went wrong: {exc}. Nothing was changed.", False)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape and self.rebooking:
            self.stop_rebook()
            say(self.message, "Re-booking stopped; the appointment is unchanged.", True)
            self.search(next_available=True)
            event.accept()
            return
        super().keyPressEvent(event)

    def texts(self, table: ZoneTable) -> list[list[str]]:
        """A grid's cells as shown (tests and screenshots read them)."""
        return [[table.cell_text(r, c) for c in range(len(table.columns))]
                for r in range(table.source.rowCount())]


def open_booking_dialog(parent: QWidget, db: Database, actor: Actor,
                        premise_number: str, **kwargs: Any) -> BookingDialog:
    """Open P-AP1 on a premise (Control Central, the account tree)."""
    dialog = BookingDialog(parent, db, actor, premise_number, **kwargs)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


__all__ = ["BookingDialog", "NewFieldActivityDialog", "open_booking_dialog"]
