"""The week grid of the Appointments pane: seven day columns, each period of the dispatch
group a block with its time band and a bar "booked / max" (a full period's bar is red,
periods already over are dimmed). Clicking a day's heading selects the day, clicking a block
selects that period; double-click (or Enter) asks to edit it. Left/Right move between days,
Up/Down between a day's periods.

    grid = WeekGrid()
    grid.show_week(view, now)            # a `WeekView` from app.services.appointment_week
    grid.selection_changed.connect(...)  # grid.selected_day, grid.selected_period
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.services.appointment_week import DaySchedule, WeekView, time_band
from app.services.appointments import PeriodSlot

BLOCK_HEIGHT = 52
FULL = QColor("#c0392b")
NEARLY = QColor("#d68910")
OPEN = QColor("#2e86c1")


def bar_text(slot: PeriodSlot) -> str:
    return f"{slot.booked} / {slot.max_appointments}"


def slot_description(slot: PeriodSlot) -> str:
    """What a screen reader says of a block, e.g. "Mon 3 Mar 08:00–10:00: 2 of 2 booked, full"."""
    state = ", full" if slot.max_appointments and slot.remaining == 0 else ""
    return (f"{slot.start:%a} {slot.start.day} {slot.start:%b} {time_band(slot.start, slot.end)}:"
            f" {slot.booked} of {slot.max_appointments} booked{state}")


def bar_colour(slot: PeriodSlot) -> QColor:
    if slot.booked >= slot.max_appointments:
        return FULL
    if slot.booked * 5 >= slot.max_appointments * 4:
        return NEARLY
    return OPEN


class PeriodBlock(QWidget):
    """One appointment period: its time band, and a bar of how full it is."""

    clicked = Signal(int)
    double_clicked = Signal(int)

    def __init__(self, slot: PeriodSlot, past: bool) -> None:
        super().__init__()
        self.slot = slot
        self.past = past
        self.selected = False
        self.setFixedHeight(BLOCK_HEIGHT)
        self.setMinimumWidth(90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName(slot_description(slot) + (" (over)" if past else ""))
        self.setToolTip(self.accessibleName() + ". Double-click to edit the period.")

    @property
    def text(self) -> str:
        return bar_text(self.slot)

    def set_selected(self, selected: bool) -> None:
        self.selected = selected
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.slot.period_id)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            self.double_clicked.emit(self.slot.period_id)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.past:
            painter.setOpacity(0.5)
        box = QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5)
        border = palette.highlight().color() if self.selected else palette.mid().color()
        painter.setPen(QPen(border, 2.4 if self.selected else 1.0))
        painter.setBrush(palette.base())
        painter.drawRoundedRect(box, 5, 5)
        slot = self.slot
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(palette.text().color())
        painter.drawText(box.adjusted(8, 4, -8, 0), Qt.AlignmentFlag.AlignLeft |
                         Qt.AlignmentFlag.AlignTop, time_band(slot.start, slot.end))
        font.setBold(False)
        painter.setFont(font)
        full = slot.max_appointments > 0 and slot.remaining == 0
        painter.setPen(FULL if full else palette.text().color())
        label = bar_text(slot) + (" full" if full else "")
        painter.drawText(box.adjusted(8, 4, -8, 0), Qt.AlignmentFlag.AlignRight |
                         Qt.AlignmentFlag.AlignTop, label)
        track = QRectF(box.left() + 8, box.bottom() - 16, box.width() - 16, 9)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.mid().color())
        painter.drawRoundedRect(track, 4, 4)
        share = 1.0 if slot.max_appointments == 0 and slot.booked else \
            min(1.0, slot.booked / slot.max_appointments) if slot.max_appointments else 0.0
        if share > 0:
            fill = QRectF(track)
            fill.setWidth(max(track.height(), track.width() * share))
            painter.setBrush(bar_colour(slot))
            painter.drawRoundedRect(fill, 4, 4)
        painter.end()


class DayColumn(QFrame):
    """A day's heading (click to select the day) over its period blocks."""

    def __init__(self, schedule: DaySchedule, today: dt.date, now: dt.datetime) -> None:
        super().__init__()
        self.schedule = schedule
        self.setObjectName("dayColumn")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(3, 3, 3, 3)
        layout.setSpacing(4)
        day = schedule.day
        self.heading = QPushButton(f"{day:%a} {day.day} {day:%b}\n"
                                   + (f"{schedule.booked} / {schedule.capacity} booked"
                                      if schedule.periods else "no periods"))
        self.heading.setCheckable(True)
        self.heading.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.heading.setAccessibleName(f"{day:%A} {day.day} {day:%B}")
        self.heading.setToolTip("Show this day's appointments")
        if day == today:
            font = self.heading.font()
            font.setBold(True)
            self.heading.setFont(font)
            self.heading.setText("Today · " + self.heading.text())
        layout.addWidget(self.heading)
        self.blocks = [PeriodBlock(slot, slot.end <= now) for slot in schedule.periods]
        for block in self.blocks:
            layout.addWidget(block)
        if not self.blocks:
            empty = QLabel("—")
            empty.setObjectName("hint")
            empty.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            layout.addWidget(empty)
        layout.addStretch(1)


class WeekGrid(QScrollArea):
    """The week: one column a day."""

    selection_changed = Signal()
    period_activated = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Appointment periods of the week")
        self.view: WeekView | None = None
        self.columns: list[DayColumn] = []
        self.selected_day: dt.date | None = None
        self.selected_period: int | None = None
        self.setWidget(QWidget())

    def show_week(self, view: WeekView, now: dt.datetime) -> None:
        """Draw the week; keep the selected day's weekday (and the period, if still shown)."""
        previous_day, previous_period = self.selected_day, self.selected_period
        self.view = view
        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.columns = []
        for schedule in view.days:
            column = DayColumn(schedule, now.date(), now)
            column.heading.clicked.connect(
                lambda _c=False, d=schedule.day: self.select(d, None))
            for block in column.blocks:
                block.clicked.connect(lambda pid, d=schedule.day: self.select(d, pid))
                block.double_clicked.connect(lambda pid, d=schedule.day: self._activate(d, pid))
            row.addWidget(column, 1)
            self.columns.append(column)
        self.setWidget(body)
        if previous_period is not None and view.period(previous_period) is not None:
            day = view.period(previous_period).start.date()  # type: ignore[union-attr]
            self.select(day, previous_period)
        elif previous_day is not None and view.days:
            self.select(view.first_day + dt.timedelta(
                days=(previous_day - view.first_day).days % len(view.days)), None)
        else:
            today = now.date()
            self.select(today if view.day(today) else view.first_day, None)

    def _activate(self, day: dt.date, period_id: int) -> None:
        if self.selected_period != period_id:
            self.select(day, period_id)
        self.period_activated.emit(period_id)

    def needed_height(self) -> int:
        """The height that shows every period of the fullest day without scrolling."""
        widget = self.widget()
        return (widget.sizeHint().height() if widget is not None else 0) + 4

    def blocks(self) -> list[PeriodBlock]:
        return [b for c in self.columns for b in c.blocks]

    def block(self, period_id: int) -> PeriodBlock | None:
        return next((b for b in self.blocks() if b.slot.period_id == period_id), None)

    def column(self, day: dt.date) -> DayColumn | None:
        return next((c for c in self.columns if c.schedule.day == day), None)

    def select(self, day: dt.date, period_id: int | None) -> None:
        self.selected_day, self.selected_period = day, period_id
        for column in self.columns:
            column.heading.setChecked(column.schedule.day == day and period_id is None)
            for block in column.blocks:
                block.set_selected(block.slot.period_id == period_id)
        chosen = self.block(period_id) if period_id is not None else None
        if chosen is not None:
            self.ensureWidgetVisible(chosen)
        self.selection_changed.emit()

    def selected_slot(self) -> PeriodSlot | None:
        if self.view is None or self.selected_period is None:
            return None
        return self.view.period(self.selected_period)

    # ---------------------------------------------------------------------------- keys

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key = event.key()
        if self.view is None or self.selected_day is None or not self.columns:
            super().keyPressEvent(event)
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = -1 if key == Qt.Key.Key_Left else 1
            day = self.selected_day + dt.timedelta(days=step)
            if self.view.day(day) is not None:
                self.select(day, None)
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            column = self.column(self.selected_day)
            ids = [b.slot.period_id for b in column.blocks] if column else []
            if not ids:
                return
            if self.selected_period in ids:
                at = ids.index(self.selected_period) + (1 if key == Qt.Key.Key_Down else -1)
                self.select(self.selected_day, ids[at] if 0 <= at < len(ids) else None)
            else:
                self.select(self.selected_day, ids[0] if key == Qt.Key.Key_Down else ids[-1])
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.selected_period is not None:
            self.period_activated.emit(self.selected_period)
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt's name
        super().focusInEvent(event)
        self.viewport().update()


__all__ = ["DayColumn", "PeriodBlock", "WeekGrid", "bar_text", "slot_description"]
