"""The Appointments pane (spec/50 P-AP2 with its week view [DES]): a dispatcher's week of one
dispatch group — each period a block with a bar "booked / max" — and, below, the appointments
of the day or period chosen: time band, premise, address, activities, customer, phone and
status (missed ones in red).

    pane = host.open_pane("appointments")
    pane.open_week("METER-N", dt.date(2025, 3, 4))

PgUp / PgDn step a week back or forward (Alt+Left / Alt+Right stay the window's history),
Ctrl+T goes to this week, F5 reloads, Ctrl+P prints the selected day's sheet for the crew.
Period maintenance — Add, Edit (double-click a block), Delete, Copy periods and Update max —
opens the period dialogs; Copy and Update max are off for a group whose periods an external
system owns (AP-R14). Every database call runs in a worker. The pane belongs to the
Appointments module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.reports.day_sheet import phone_text, render_day_sheet
from app.services import appointment_periods, context
from app.services import appointment_week as week_service
from app.services.appointment_week import Appointment, WeekView, week_start
from app.services.dispatch_groups import DispatchGroupRow
from app.services.field_activities import FIELD_STAFF
from app.services.installation import Module
from app.views.appointment_completion import CompleteVisitDialog, open_work
from app.views.appointment_period_dialogs import CopyPeriodsDialog, PeriodDialog
from app.views.appointment_week import WeekGrid
from app.views.panes import PaneContext, PaneHost, PaneSpec, register
from app.views.widgets import (
    EmptyCard,
    arrow_icon,
    label,
    pane_message,
    pane_shortcuts,
    push_button,
    say,
    say_failure,
)
from app.views.worker import run_task

APPOINTMENTS = "appointments"
COLUMNS = ("Time", "Premise", "Address", "Activities", "Customer", "Phone", "Status")
MISSED = QColor("#c0392b")


def appointment_cells(a: Appointment) -> list[str]:
    return [a.time_band, a.premise_number, a.address,
            "; ".join(f"{x.type_description} ({x.status.label})" for x in a.activities),
            a.customer or "—", phone_text(a.phone), a.status_text]


class AppointmentsTable(QTableWidget):
    def __init__(self) -> None:
        super().__init__(0, len(COLUMNS))
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.setAccessibleName("Appointments")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        # Columns are fitted once per fill: ResizeToContents would measure every row again on
        # each setItem (a day of 60 appointments took half a second).
        self.horizontalHeader().setSectionResizeMode(COLUMNS.index("Activities"),
                                                     QHeaderView.ResizeMode.Stretch)

    def show_appointments(self, rows: tuple[Appointment, ...]) -> None:
        self.rows = rows
        self.setUpdatesEnabled(False)
        self.setRowCount(len(rows))
        for n, appointment in enumerate(rows):
            for column, text in enumerate(appointment_cells(appointment)):
                item = QTableWidgetItem(text)
                if column == COLUMNS.index("Activities"):
                    item.setToolTip("\n".join(
                        f"{x.number} {x.type_description} ({x.status.label})"
                        + (f" — {x.instructions}" if x.instructions else "")
                        for x in appointment.activities))
                if appointment.missed and column == COLUMNS.index("Status"):
                    item.setForeground(QBrush(MISSED))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.setItem(n, column, item)
        for column in range(len(COLUMNS)):
            if column != COLUMNS.index("Activities"):        # that one takes the rest
                self.resizeColumnToContents(column)
        self.setUpdatesEnabled(True)

    def selected(self) -> Appointment | None:
        row = self.currentRow()
        rows = getattr(self, "rows", ())
        return rows[row] if 0 <= row < len(rows) and self.selectionModel().hasSelection() \
            else None

    def cell_texts(self) -> list[list[str]]:
        return [[(self.item(r, c) or QTableWidgetItem()).text() for c in range(self.columnCount())]
                for r in range(self.rowCount())]


class AppointmentsPane(QWidget):
    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self.ctx = ctx
        #: The business clock (tests freeze it).
        self.clock: Callable[[], dt.datetime] = context.now
        self.groups: list[DispatchGroupRow] = []
        self.view: WeekView | None = None
        self.first_day = week_start(self.clock().date())
        self.can_edit = ctx.actor.has_any(*appointment_periods.PERIOD_STAFF)
        self._wanted: tuple[str, dt.date] | None = None
        self._build()
        pane_shortcuts(self, (("PgUp", lambda: self.step_week(-1)),
                              ("PgDown", lambda: self.step_week(1)),
                              ("Ctrl+T", self.this_week), ("F5", self.reload),
                              ("Ctrl+P", self.print_dialog), ("Ctrl+N", self.add_period)))
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.grid)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete_period)
        self.load_groups()

    # ---------------------------------------------------------------------------- building

    def _build(self) -> None:
        self.title = label("Appointments", "pageTitle")
        self.subtitle = label("", "pageSubtitle", wrap=True)
        self.group_combo = QComboBox()
        self.group_combo.setAccessibleName("Dispatch group")
        self.group_combo.setMinimumWidth(280)
        self.group_combo.activated.connect(lambda _i: self._group_chosen())
        colour = self.palette().buttonText().color()
        self.previous_button = QPushButton(arrow_icon("back", colour), "")
        self.previous_button.setToolTip("Previous week (PgUp)")
        self.previous_button.setAccessibleName("Previous week")
        self.previous_button.clicked.connect(lambda _c=False: self.step_week(-1))
        self.next_button = QPushButton(arrow_icon("forward", colour), "")
        self.next_button.setToolTip("Next week (PgDn)")
        self.next_button.setAccessibleName("Next week")
        self.next_button.clicked.connect(lambda _c=False: self.step_week(1))
        self.this_week_button = push_button("This week", "Go to this week (Ctrl+T)",
                                            self.this_week)
        self.date_picker = QDateEdit()
        self.date_picker.setCalendarPopup(True)
        self.date_picker.setDisplayFormat("ddd d MMM yyyy")
        self.date_picker.setAccessibleName("Show the week of")
        self.date_picker.setToolTip("Show the week of this date")
        self.date_picker.dateChanged.connect(self._date_picked)
        self.week_label = label("", "sectionHeading")
        top = QHBoxLayout()
        top.addWidget(QLabel("Dispatch group"))
        top.addWidget(self.group_combo)
        top.addSpacing(16)
        top.addWidget(self.previous_button)
        top.addWidget(self.this_week_button)
        top.addWidget(self.next_button)
        top.addWidget(self.date_picker)
        top.addSpacing(12)
        top.addWidget(self.week_label)
        top.addStretch(1)

        self.add_button = push_button("Add period…", "A new appointment period on the selected "
                                      "day (Ctrl+N)", self.add_period)
        self.edit_button = push_button("Edit period…", "Change the selected period's times or "
                                       "maximum (double-click a period)", self.edit_period)
        self.delete_button = push_button("Delete period", "Delete the selected period (only "
                                         "while nothing is booked in it)", self.delete_period)
        self.copy_button = push_button("Copy periods…", "Copy a template week or day's periods "
                                       "to a range of days", lambda: self.copy_periods("copy"))
        self.update_max_button = push_button("Update max…", "Set the maximum appointments of "
                                             "existing periods from a template",
                                             lambda: self.copy_periods("update_max"))
        self.complete_button = push_button(
            "Complete visit…", "Record that the crew did the selected appointment's work and "
            "when it arrived (double-click an appointment)", self.complete_visit)
        self.print_button = push_button("Print day sheet…", "The selected day's appointments "
                                        "as a PDF for the crew (Ctrl+P)", self.print_dialog)
        actions = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button, self.copy_button,
                       self.update_max_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.complete_button)
        actions.addWidget(self.print_button)

        self.grid = WeekGrid()
        self.grid.selection_changed.connect(self._show_selection)
        self.grid.period_activated.connect(lambda _pid: self.edit_period())
        self.list_heading = label("", "sectionHeading")
        self.table = AppointmentsTable()
        self.table.itemSelectionChanged.connect(self._set_enabled)
        self.table.doubleClicked.connect(lambda _index: self.complete_visit())
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 4, 0, 0)
        lower_layout.addWidget(self.list_heading)
        lower_layout.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.grid)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([330, 420])

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(top)
        body.addLayout(actions)
        body.addWidget(self.splitter, 1)
        self.empty = EmptyCard(
            "No dispatch groups yet",
            "Appointments are booked into the appointment periods of a dispatch group: a "
            "group of crews at an operations area. To use this pane, a supervisor first sets "
            "up an operations area (with the postal codes it serves) and a dispatch group that "
            "takes appointments; then add the group's periods here (Add period, Copy "
            "periods).")
        self.empty_heading, self.empty_text = self.empty.heading, self.empty.text
        self.filler = QWidget()
        self.message = pane_message()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 12)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.filler, 1)
        layout.addWidget(self.message)
        self.body.hide()
        self.empty.hide()
        self._set_enabled()

    # ---------------------------------------------------------------------------- loading

    def load_groups(self) -> None:
        run_task(week_service.dispatch_group_choices, self.ctx.db,
                 on_result=self._groups_loaded, on_error=self._failed)

    def _groups_loaded(self, groups: list[DispatchGroupRow]) -> None:
        shown = self.group()
        self.groups = groups
        self.group_combo.blockSignals(True)
        self.group_combo.clear()
        for g in groups:
            extra = f" · external ({g.external_system})" if g.external_system else ""
            self.group_combo.addItem(f"{g.code} · {g.description}{extra}", g.code)
        self.group_combo.blockSignals(False)
        if not groups:
            self.view = None
            self.body.hide()
            self.empty.show()
            self.filler.show()
            self.subtitle.setText("")
            self._set_enabled()
            return
        self.empty.hide()
        self.filler.hide()
        self.body.show()
        wanted = self._wanted[0] if self._wanted else shown
        index = self.group_combo.findData(wanted) if wanted else -1
        self.group_combo.setCurrentIndex(max(0, index))
        if self._wanted:
            self.first_day = week_start(self._wanted[1])
        self.reload()

    def group(self) -> str | None:
        code = self.group_combo.currentData()
        return str(code) if code else None

    def group_row(self) -> DispatchGroupRow | None:
        return next((g for g in self.groups if g.code == self.group()), None)

    def open_week(self, dispatch_group: str, day: dt.date) -> None:
        """Show `dispatch_group`'s week holding `day` (and select that day)."""
        self._wanted = (dispatch_group, day)
        if self.groups:
            index = self.group_combo.findData(dispatch_group)
            if index >= 0:
                self.group_combo.setCurrentIndex(index)
            self.first_day = week_start(day)
            self.grid.selected_day, self.grid.selected_period = day, None
            self.reload()
        else:
            self.load_groups()

    def reload(self) -> None:
        group = self.group()
        if group is None:
            return
        self._sync_picker()
        run_task(week_service.week_view, self.ctx.db, group, self.first_day,
                 now=self.clock(), on_result=self.show_week, on_error=self._failed)

    def show_week(self, view: WeekView) -> None:
        if view.dispatch_group != self.group() or view.first_day != self.first_day:
            return          # an older answer: the user moved on
        self.view = view
        wanted_day = self._wanted[1] if self._wanted else None
        self._wanted = None
        if wanted_day is not None:
            self.grid.selected_day, self.grid.selected_period = wanted_day, None
        booked = sum(d.booked for d in view.days)
        capacity = sum(d.capacity for d in view.days)
        missed = sum(1 for d in view.days for a in d.appointments if a.missed)
        self.week_label.setText(f"{view.first_day:%d %b} – {view.last_day:%d %b %Y}")
        self.subtitle.setText(
            f"{view.dispatch_group} · {view.description} · {booked} of {capacity} appointments "
            f"booked this week" + (f" · {missed} missed" if missed else "")
            + (f" · periods kept by {view.external_system}" if view.external_system else ""))
        self.grid.show_week(view, self.clock())
        self._fit_grid()
        self._set_enabled()

    def _fit_grid(self) -> None:
        """Give the week grid the height its fullest day needs (the list keeps the rest,
        at least a few rows)."""
        total = sum(self.splitter.sizes())
        if total <= 0:
            return
        needed = self.grid.needed_height()
        grid = max(120, min(needed, total - 180))
        self.splitter.setSizes([grid, total - grid])

    def _sync_picker(self) -> None:
        self.date_picker.blockSignals(True)
        day = self.grid.selected_day or self.first_day
        if not self.first_day <= day < self.first_day + dt.timedelta(days=7):
            day = self.first_day
        self.date_picker.setDate(QDate(day.year, day.month, day.day))
        self.date_picker.blockSignals(False)

    def _group_chosen(self) -> None:
        self.grid.selected_period = None
        self.reload()

    def _date_picked(self, value: QDate) -> None:
        day = dt.date(value.year(), value.month(), value.day())
        self.first_day = week_start(day)
        self.grid.selected_day, self.grid.selected_period = day, None
        self._wanted = (self.group() or "", day)
        self.reload()

    def step_week(self, weeks: int) -> None:
        if self.group() is None:
            return
        self.first_day += dt.timedelta(days=7 * weeks)
        self.grid.selected_period = None
        self.reload()

    def this_week(self) -> None:
        if self.group() is None:
            return
        today = self.clock().date()
        self.first_day = week_start(today)
        self._wanted = (self.group() or "", today)
        self.reload()

    # ---------------------------------------------------------------------------- selection

    def _show_selection(self) -> None:
        view, day = self.view, self.grid.selected_day
        schedule = view.day(day) if view and day else None
        if schedule is None:
            self.list_heading.setText("")
            self.table.show_appointments(())
            self._set_enabled()
            return
        slot = self.grid.selected_slot()
        rows = schedule.of_period(slot.period_id) if slot else schedule.appointments
        when = f"{schedule.day:%A} {schedule.day.day} {schedule.day:%B %Y}"
        if slot is not None:
            when += f", {slot.start:%H:%M}–{slot.end:%H:%M} ({slot.booked} / " \
                    f"{slot.max_appointments} booked)"
        count = len(rows)
        self.list_heading.setText(
            f"{count} appointment{'' if count == 1 else 's'} on {when}" if count
            else f"No appointments on {when}")
        self.table.show_appointments(rows)
        self._sync_picker()
        self._set_enabled()

    def _set_enabled(self) -> None:
        group = self.group_row()
        has_group = group is not None and self.view is not None
        slot = self.grid.selected_slot()
        external = group is not None and group.external_system is not None
        self.add_button.setEnabled(has_group and self.can_edit and not external)
        self.edit_button.setEnabled(slot is not None and self.can_edit and not external)
        self.delete_button.setEnabled(slot is not None and self.can_edit and not external)
        why = (f"{group.code}'s periods are kept by {group.external_system}: they cannot be "
               "copied or updated here." if external and group else None)
        for button, tip in ((self.copy_button, "Copy a template week or day's periods to a "
                             "range of days"),
                            (self.update_max_button, "Set the maximum appointments of "
                             "existing periods from a template")):
            button.setEnabled(has_group and self.can_edit and not external)
            button.setToolTip(why or tip)
        self.print_button.setEnabled(has_group and self.grid.selected_day is not None)
        chosen = self.table.selected()
        self.complete_button.setEnabled(
            chosen is not None and open_work(chosen) and chosen.start <= self.clock()
            and self.ctx.actor.has_any(*FIELD_STAFF))
        for widget in (self.previous_button, self.next_button, self.this_week_button,
                       self.date_picker):
            widget.setEnabled(group is not None)

    # ---------------------------------------------------------------------------- periods

    def _dialog(self, dialog: Any) -> Any:
        dialog.finished.connect(lambda _result: self.reload())
        dialog.open()
        return dialog

    def add_period(self) -> Any:
        group = self.group()
        if group is None or not self.add_button.isEnabled():
            return None
        return self._dialog(PeriodDialog(self, self.ctx, group, None,
                                         self.grid.selected_day))

    def edit_period(self) -> Any:
        group, slot = self.group(), self.grid.selected_slot()
        if group is None or slot is None or not self.edit_button.isEnabled():
            return None
        return self._dialog(PeriodDialog(self, self.ctx, group, slot,
                                         slot.start.date()))

    def copy_periods(self, mode: str) -> Any:
        group = self.group()
        button = self.copy_button if mode == "copy" else self.update_max_button
        if group is None or not button.isEnabled():
            return None
        return self._dialog(CopyPeriodsDialog(self, self.ctx, group, mode))

    def delete_period(self, confirm: bool = True) -> None:
        slot = self.grid.selected_slot()
        if slot is None or not self.delete_button.isEnabled():
            return
        if confirm and QMessageBox.question(
                self, "Delete period", f"Delete the period {slot.label} of "
                f"{slot.dispatch_group}?") != QMessageBox.StandardButton.Yes:
            return
        def refused(exc: BaseException) -> None:
            self._failed(exc)
            self.reload()

        def deleted(_result: object) -> None:
            self.grid.selected_period = None
            self._done(f"Period {slot.label} deleted.")

        run_task(appointment_periods.delete_period, self.ctx.db, self.ctx.actor,
                 slot.period_id, slot.version, on_result=deleted, on_error=refused)

    def complete_visit(self) -> CompleteVisitDialog | None:
        chosen = self.table.selected()
        if chosen is None or not self.complete_button.isEnabled():
            return None
        dialog = CompleteVisitDialog(self.ctx, self, chosen, self.clock())
        dialog.saved.connect(self._done)
        dialog.open()
        return dialog

    # ---------------------------------------------------------------------------- output

    def print_day_sheet(self, path: Path) -> None:
        """Write the selected day's sheet (every period of the group that day) as a PDF."""
        group, day = self.group(), self.grid.selected_day
        if group is None or day is None:
            return

        now = self.clock()

        def write(db: Any) -> Path:
            return render_day_sheet(week_service.day_sheet(db, group, day, now=now), path)

        run_task(write, self.ctx.db, on_result=lambda p: self._done(f"Day sheet printed to {p}."),
                 on_error=self._failed)

    def print_dialog(self) -> None:
        group, day = self.group(), self.grid.selected_day
        if group is None or day is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, "Print day sheet to PDF",
                                              f"day-sheet-{group}-{day.isoformat()}.pdf",
                                              "PDF (*.pdf)")
        if name:
            self.print_day_sheet(Path(name))

    # ---------------------------------------------------------------------------- messages

    def _done(self, text: str) -> None:
        say(self.message, text, True)
        self.ctx.host.show_status(text)
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        say_failure(self.message, exc)

    # ---------------------------------------------------------------------------- history

    def pane_state(self) -> object:
        group = self.group()
        return (group, self.grid.selected_day or self.first_day) if group else None

    def restore_state(self, state: object) -> None:
        if isinstance(state, tuple) and len(state) == 2 and isinstance(state[1], dt.date):
            self.open_week(str(state[0]), state[1])


def _make(ctx: PaneContext) -> QWidget:
    return AppointmentsPane(ctx)


APPOINTMENTS_SPEC = register(PaneSpec(APPOINTMENTS, "Appointments", "Ctrl+Shift+D", _make,
                                      Module.APPOINTMENTS))


def open_appointments(host: PaneHost, dispatch_group: str, day: dt.date) -> None:
    pane = host.open_pane(APPOINTMENTS)
    if isinstance(pane, AppointmentsPane):
        pane.open_week(dispatch_group, day)


__all__ = ["APPOINTMENTS", "APPOINTMENTS_SPEC", "AppointmentsPane", "open_appointments"]
