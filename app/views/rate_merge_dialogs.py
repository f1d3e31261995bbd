"""Rate Version Merge (spec/20 §8) and Rate Schedule Merge (spec/10 §6.2, §9) dialogs.

    dialog = RateVersionMergeDialog(ctx, "E-COM-1", date(2026, 1, 1), parent)
    dialog.saved.connect(editor.reload)          # the saved ScheduleForEdit
    dialog.open()

The version merge holds the target's rows (`MergeRow`) in the left grid's order; Save hands them
to `services.rates.merge_versions`, which renumbers them and remaps every reference. The schedule
merge previews what `merge_schedules` will store. Both load and save off the UI thread; errors
stay in the dialog, beside the grids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.engine.rates.enums import RateScheduleType, RateVersionStatus
from app.engine.rates.errors import RateDefinitionError
from app.engine.rates.merge import MergeRow, copy_warnings, merge_schedule_collections
from app.engine.rates.schedules import RateComponent, RateSchedule, RateVersion
from app.services import rates
from app.services.errors import ConcurrentChange, DomainError
from app.services.rates import RateScheduleSummary, RateValidationFailed, ScheduleForEdit
from app.views.panes import PaneContext
from app.views.tree_dialogs import BANNER_STYLE
from app.views.widgets import label, push_button
from app.views.worker import run_task

MERGE_BACKGROUND = QColor("#dcebfb")
MERGE_TEXT = QColor("#123a66")
FINISHED_STYLE = "QLabel { color: #c0392b; font-weight: 600; }"
WARNING_STYLE = BANNER_STYLE
NO_ROLE = "You can look at this merge, but saving it needs the Rate Analyst role."
SWITCH_LOCKED = ("Save the merge (or un-copy the copied rows with →) before choosing another "
                 "Merge From version: there is one Merge From version at a time.")
LEFT_COLUMNS = ("Seq", "New seq", "Type", "Description", "Merge type", "Refers to")
RIGHT_COLUMNS = ("Seq", "Type", "Description", "Refers to")


TYPE_LABELS = {"SQ": "SQ", "APPLY_TO": "Apply To", "CALC_ALG": "Calc Alg",
               "INTERVAL_PRICING": "Interval", "TOU_PRICING": "TOU Pricing"}


def type_label(rc: RateComponent) -> str:
    return TYPE_LABELS.get(rc.type.value, rc.type.value.title())


def describe(rc: RateComponent) -> str:
    return rc.description or rc.description_on_bill or "—"


def references(rc: RateComponent) -> list[int]:
    """Every sequence a component points at: xrefs, value and step components, eligibility."""
    refs = list(rc.xrefs)
    refs += [s for s in (rc.value_rc, rc.step_rc) if s is not None]
    refs += [c.rc for g in rc.eligibility for c in g.criteria if c.rc is not None]
    return list(dict.fromkeys(refs))


def version_text(code: str, version: RateVersion) -> str:
    return f"{code} · {version.effective.isoformat()} · {version.status.label}"


def _table(columns: Sequence[str], stretch: int, multi: bool = False) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multi
                           else QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return table


def _item(text: str, *, right: bool = False, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if tip:
        item.setToolTip(tip)
    return item


def _text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def _sequence(table: QTableWidget, row: int) -> int:
    item = table.item(row, 0)
    return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else -1


def _button(text: str, tip: str, slot: Callable[[], object], name: str = "") -> QPushButton:
    button = push_button(text, tip, slot, name)
    button.setAccessibleName(tip.split(" (")[0])
    return button


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, RateValidationFailed) and len(exc.problems) > 1:
        more = "\n".join(f"• {p.message}" for p in exc.problems[1:6])
        return f"{exc.message}\n{more}"
    if isinstance(exc, DomainError):
        return exc.message
    return f"The merge could not be saved: {exc}"


class _MergeDialogBase(QDialog):
    """Shared frame: a read-only banner, a warning line, an error line and Save / Cancel."""

    #: The saved schedule (`ScheduleForEdit`) after a successful save.
    saved = Signal(object)

    def __init__(self, ctx: PaneContext, parent: QWidget | None, title: str) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.busy = False
        self.result_value: ScheduleForEdit | None = None
        self.schedules: list[RateScheduleSummary] = []
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(20, 16, 20, 14)
        self.layout_.setSpacing(8)
        self.heading = label(title, "sectionHeading")
        self.layout_.addWidget(self.heading)
        self.banner = label("", "authorityBanner", wrap=True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        self.layout_.addWidget(self.banner)
        self.warning = label("", "mergeWarning", wrap=True)
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.hide()
        self.error = label("", "inlineError", wrap=True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.status = label("Loading…", "hint")
        self.save_button = _button("Save", "Save the merge", self.save, "primary")
        self.save_button.setEnabled(False)
        self.cancel_button = _button("Cancel", "Close without saving", self.reject)
        self.reload_button = _button("Reload", "Load what is saved now (your merge is "
                                     "dropped)", self.reload)
        self.reload_button.hide()

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.warning)
        self.layout_.addWidget(self.error)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        for button in (self.reload_button, self.save_button, self.cancel_button):
            bottom.addWidget(button)
        self.layout_.addLayout(bottom)

    # -------------------------------------------------------------------------- messages

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def error_text(self) -> str:
        return self.error.text() if not self.error.isHidden() else ""

    def warning_text(self) -> str:
        return self.warning.text() if not self.warning.isHidden() else ""

    def _load_failed(self, exc: BaseException) -> None:
        self.status.setText("")
        self.show_error(exc.message if isinstance(exc, DomainError)
                        else f"The rates could not be read: {exc}")

    # ---------------------------------------------------------------------------- saving

    def can_save(self) -> bool:
        raise NotImplementedError

    def prepare(self) -> Callable[[], Any]:
        raise NotImplementedError

    def reload(self) -> None:
        raise NotImplementedError

    def refresh_save(self) -> None:
        self.save_button.setEnabled(not self.busy and self.can_save())

    def save(self) -> None:
        if self.busy or not self.can_save():
            return
        self.show_error("")
        try:
            call = self.prepare()
        except DomainError as exc:
            self.show_error(exc.message)
            return
        self.busy = True
        self.refresh_save()
        self.status.setText("Saving…")
        run_task(call, on_result=self._saved, on_error=self._save_failed)

    def _saved(self, result: ScheduleForEdit) -> None:
        self.busy = False
        self.status.setText("")
        self.result_value = result
        self.saved.emit(result)
        self.ctx.host.show_status(f"Merge saved into {result.schedule.code}.")
        self.accept()

    def _save_failed(self, exc: BaseException) -> None:
        self.busy = False
        self.status.setText("")
        self.show_error(_error_text(exc))
        self.reload_button.setVisible(isinstance(exc, ConcurrentChange))
        self.refresh_save()


# ----------------------------------------------------------------------- Rate Version Merge

class RateVersionMergeDialog(_MergeDialogBase):
    """Left: the target ("Original") version's rows; right: the Merge From version's."""

    def __init__(self, ctx: PaneContext, code: str, effective: dt.date,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent, f"Rate Version Merge — {code} {effective.isoformat()}")
        self.code, self.effective = code, effective
        self.target: ScheduleForEdit | None = None
        self.version: RateVersion | None = None
        self.rows: list[MergeRow] = []
        self.source: ScheduleForEdit | None = None
        self.source_version: RateVersion | None = None
        self.changed = False
        self._serial = 0
        self._wanted_effective: dt.date | None = None
        self.setMinimumSize(1180, 620)
        self.resize(1320, 660)

        self.original_label = label("", "targetDescription", wrap=True)
        self.left = _table(LEFT_COLUMNS, LEFT_COLUMNS.index("Description"))
        self.left.setAccessibleName("Original version's components")
        self.right = _table(RIGHT_COLUMNS, RIGHT_COLUMNS.index("Description"), multi=True)
        self.right.setAccessibleName("Merge From version's components")
        self.schedule_combo = QComboBox()
        self.schedule_combo.setAccessibleName("Merge From rate schedule")
        self.schedule_combo.setMinimumWidth(200)
        self.version_combo = QComboBox()
        self.version_combo.setAccessibleName("Merge From rate version")
        self.version_combo.setMinimumWidth(190)
        self.start = QSpinBox()
        self.increment = QSpinBox()
        for box, name in ((self.start, "Start from"), (self.increment, "Increment by")):
            box.setRange(1, 99_990)
            box.setValue(10)
            box.setAccessibleName(name)
            box.valueChanged.connect(self._renumbered)
        self.copy_all_button = _button("Copy All", "Append every Merge From component to the "
                                       "end of the original", self.copy_all)
        self.copy_button = _button("←", "Copy the selected Merge From components "
                                   "(merge type Merge)", self.copy_selected)
        self.uncopy_button = _button("→", "Un-copy the selected Merge row (not saved yet)",
                                     self.uncopy)
        self.delete_button = _button("−", "Delete the selected Original component on save",
                                     self.delete_original)
        self.up_button = _button("↑", "Move the selected row up", lambda: self.move_row(-1))
        self.down_button = _button("↓", "Move the selected row down", lambda: self.move_row(1))
        self.tools = (self.copy_all_button, self.copy_button, self.uncopy_button,
                      self.delete_button, self.up_button, self.down_button)
        for button in self.tools[1:]:
            button.setFixedWidth(48)
            button.setStyleSheet("QPushButton { font-size: 13pt; padding: 2px 6px; }")
        self.copy_all_button.setFixedWidth(96)
        self._build()
        self.schedule_combo.currentIndexChanged.connect(self._schedule_chosen)
        self.version_combo.currentIndexChanged.connect(self._version_chosen)
        self.left.itemSelectionChanged.connect(self._update_actions)
        self.right.itemSelectionChanged.connect(self._update_actions)
        self.right.itemDoubleClicked.connect(lambda _i: self.copy_selected())
        self._update_actions()
        self.reload()

    def _build(self) -> None:
        layout = self.layout_
        layout.addWidget(self.original_label)
        grids = QHBoxLayout()
        grids.setSpacing(10)
        left = QVBoxLayout()
        heading = QHBoxLayout()
        original = label("Original", "sectionHeading")
        original.setMinimumHeight(self.schedule_combo.sizeHint().height())  # rows line up
        heading.addWidget(original)
        heading.addStretch(1)
        heading.addWidget(label("Blue rows are copied (merge type Merge), not saved yet",
                                "hint"))
        left.addLayout(heading)
        left.addWidget(self.left, 1)
        numbering = QHBoxLayout()
        numbering.addWidget(QLabel("Start from"))
        numbering.addWidget(self.start)
        numbering.addSpacing(12)
        numbering.addWidget(QLabel("Increment by"))
        numbering.addWidget(self.increment)
        numbering.addStretch(1)
        left.addLayout(numbering)
        middle = QVBoxLayout()
        middle.addStretch(1)
        for button in self.tools:
            middle.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        middle.addStretch(1)
        right = QVBoxLayout()
        chooser = QHBoxLayout()
        chooser.addWidget(label("Merge From", "sectionHeading"))
        chooser.addSpacing(8)
        chooser.addWidget(self.schedule_combo, 1)
        chooser.addWidget(self.version_combo, 1)
        right.addLayout(chooser)
        right.addWidget(self.right, 1)
        self.right_hint = label("Choose a rate schedule and version to copy components from.",
                                "hint", wrap=True)
        right.addWidget(self.right_hint)
        grids.addLayout(left, 3)
        grids.addLayout(middle, 0)
        grids.addLayout(right, 2)
        layout.addLayout(grids, 1)
        self.finish_layout()

    # ---------------------------------------------------------------------------- loading

    def reload(self) -> None:
        """(Re)load the target version; an unsaved merge is dropped."""
        self.status.setText("Loading…")
        self.reload_button.hide()
        self.show_error("")
        run_task(_load_target, self.ctx.db, self.ctx.actor, self.code,
                 on_result=self._target_loaded, on_error=self._load_failed)

    def _target_loaded(self, loaded: tuple[ScheduleForEdit, list[RateScheduleSummary]]) -> None:
        target, schedules = loaded
        self.status.setText("")
        self.target, self.schedules = target, schedules
        version = next((v for v in target.schedule.versions if v.effective == self.effective),
                       None)
        if version is None:
            self.version = None
            self.show_error(f"Rate schedule {self.code} has no version effective "
                            f"{self.effective.isoformat()}.")
            self._update_actions()
            return
        self.version = version
        self.rows = [MergeRow("ORIGINAL", rc) for rc in version.components]
        self.changed = False
        described = version.description_on_bill or target.schedule.description
        finished = version.status is RateVersionStatus.FINISHED
        note = ("  —  Finished: read-only. Set it to In Progress on the rate version page to "
                "merge into it." if finished else
                "  —  Saving a change sets it back to In Progress."
                if version.status is RateVersionStatus.VALIDATED else "")
        self.original_label.setText(f"{version_text(self.code, version)} · {described}{note}")
        self.original_label.setStyleSheet(FINISHED_STYLE if finished else "")
        self.banner.setText(NO_ROLE)
        self.banner.setVisible(not target.can_edit)
        self._fill_schedules()
        self._fill_left()
        self._fill_right()

    def _fill_schedules(self) -> None:
        current = self.schedule_combo.currentData()
        self.schedule_combo.blockSignals(True)
        self.schedule_combo.clear()
        self.schedule_combo.addItem("Choose a rate schedule…", None)
        for s in self.schedules:
            self.schedule_combo.addItem(f"{s.code} — {s.description}", s.code)
        self.schedule_combo.blockSignals(False)
        index = self.schedule_combo.findData(current) if current else -1
        if index > 0:
            self.schedule_combo.setCurrentIndex(index)
            self._schedule_chosen()

    @property
    def read_only(self) -> bool:
        return (self.target is None or not self.target.can_edit or self.version is None
                or self.version.status is RateVersionStatus.FINISHED)

    def choose_source(self, code: str, effective: dt.date | None = None) -> None:
        """Pick the Merge From schedule (and version), as the user would in the combos."""
        self._wanted_effective = effective
        self.schedule_combo.setCurrentIndex(self.schedule_combo.findData(code))

    def _schedule_chosen(self) -> None:
        code = self.schedule_combo.currentData()
        self._serial += 1
        serial = self._serial
        self.source, self.source_version = None, None
        self.version_combo.blockSignals(True)
        self.version_combo.clear()
        self.version_combo.blockSignals(False)
        self._fill_right()
        if not code:
            return
        if self.target is not None and code == self.code:
            self._source_loaded(serial, self.target)
            return
        self.right_hint.setText(f"Loading {code}…")
        run_task(rates.open_schedule, self.ctx.db, self.ctx.actor, code,
                 on_result=lambda s: self._source_loaded(serial, s),
                 on_error=self._load_failed)

    def _source_loaded(self, serial: int, source: ScheduleForEdit) -> None:
        if serial != self._serial:
            return
        self.source = source
        wanted, self._wanted_effective = self._wanted_effective, None
        self.version_combo.blockSignals(True)
        for v in sorted(source.schedule.versions, key=lambda v: v.effective, reverse=True):
            same = source.schedule.code == self.code and v.effective == self.effective
            self.version_combo.addItem(f"{v.effective.isoformat()} · {v.status.label}"
                                       f"{' (this version)' if same else ''}",
                                       v.effective)
        self.version_combo.blockSignals(False)
        index = self.version_combo.findData(wanted) if wanted else 0
        self.version_combo.setCurrentIndex(max(index, 0))
        self._version_chosen()

    def _version_chosen(self) -> None:
        effective = self.version_combo.currentData()
        self.source_version = None if self.source is None or effective is None else next(
            (v for v in self.source.schedule.versions if v.effective == effective), None)
        self._fill_right()

    # ----------------------------------------------------------------------------- grids

    def new_sequences(self) -> dict[tuple[str, int], int]:
        start, step = self.start.value(), self.increment.value()
        return {(r.origin, r.component.sequence): start + i * step
                for i, r in enumerate(self.rows)}

    def _fill_left(self) -> None:
        new = self.new_sequences()
        self.left.setRowCount(len(self.rows))
        bold = QFont(self.left.font())
        bold.setBold(True)
        for i, row in enumerate(self.rows):
            rc = row.component
            refs = [f"{new[(row.origin, s)]}" if (row.origin, s) in new else f"{s} (dropped)"
                    for s in references(rc)]
            merge = row.origin == "MERGE"
            cells = (_item(str(rc.sequence), right=True,
                           tip="The component's sequence in "
                           f"{'the Merge From version' if merge else 'the original'}"),
                     _item(str(new[(row.origin, rc.sequence)]), right=True,
                           tip="Its sequence after Save"),
                     _item(type_label(rc)), _item(describe(rc), tip=describe(rc)),
                     _item("Merge" if merge else "Original"),
                     _item(", ".join(refs) or "—",
                           tip="Components it refers to, by their sequence after Save"))
            for c, cell in enumerate(cells):
                if merge:
                    cell.setBackground(QBrush(MERGE_BACKGROUND))
                    cell.setForeground(QBrush(MERGE_TEXT))
                    if c == 4:
                        cell.setFont(bold)
                self.left.setItem(i, c, cell)
        self._update_actions()

    def _copied(self) -> list[int]:
        return [r.component.sequence for r in self.rows if r.origin == "MERGE"]

    def _remaining(self) -> list[RateComponent]:
        if self.source_version is None:
            return []
        copied = set(self._copied())
        return [rc for rc in self.source_version.components if rc.sequence not in copied]

    def _fill_right(self) -> None:
        remaining = self._remaining()
        self.right.clearSelection()
        self.right.setRowCount(len(remaining))
        for i, rc in enumerate(remaining):
            for c, cell in enumerate((_item(str(rc.sequence), right=True), _item(type_label(rc)),
                                      _item(describe(rc), tip=describe(rc)),
                                      _item(", ".join(map(str, references(rc))) or "—"))):
                cell.setData(Qt.ItemDataRole.UserRole, rc.sequence)
                self.right.setItem(i, c, cell)
        if self.source_version is None:
            self.right_hint.setText("Choose a rate schedule and version to copy components "
                                    "from." if self.source is None else
                                    f"{self.source.schedule.code} has no versions.")
        elif not self.source_version.components:
            self.right_hint.setText("This version has no components.")
        elif not remaining:
            self.right_hint.setText("Every component of this version is copied.")
        else:
            self.right_hint.setText(f"{len(remaining)} of "
                                    f"{len(self.source_version.components)} components not "
                                    "copied yet. Select rows (Ctrl or Shift for several), "
                                    "then ←.")
        self._show_warnings()
        self._update_actions()

    def _show_warnings(self) -> None:
        copied = self._copied()
        found = copy_warnings(self.source_version, copied) \
            if self.source_version is not None and copied else []
        text = ("Warning: " + "; ".join(found) + ". Those references are dropped on save."
                if found else "")
        self.warning.setText(text)
        self.warning.setVisible(bool(text))

    def _update_actions(self) -> None:
        editable = not self.read_only and not self.busy
        left = self._left_row()
        right_rows = self._right_selection()
        has_source = self.source_version is not None
        origin = self.rows[left].origin if left is not None else None
        self.copy_all_button.setEnabled(editable and has_source and bool(self._remaining()))
        self.copy_button.setEnabled(editable and bool(right_rows))
        self.uncopy_button.setEnabled(editable and origin == "MERGE")
        self.delete_button.setEnabled(editable and origin == "ORIGINAL")
        self.up_button.setEnabled(editable and left is not None and left > 0)
        self.down_button.setEnabled(editable and left is not None
                                    and left < len(self.rows) - 1)
        for box in (self.start, self.increment):
            box.setEnabled(editable)
        locked = bool(self._copied())
        for combo in (self.schedule_combo, self.version_combo):
            combo.setEnabled(not locked and self.target is not None)
            combo.setToolTip(SWITCH_LOCKED if locked else "")
        self.refresh_save()

    def _left_row(self) -> int | None:
        rows = self.left.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _right_selection(self) -> list[int]:
        rows = sorted({i.row() for i in self.right.selectionModel().selectedRows()})
        return [_sequence(self.right, r) for r in rows]

    def select_left(self, row: int) -> None:
        self.left.selectRow(row)

    def select_right(self, *sequences: int) -> None:
        """Select the Merge From rows with these sequences (as a Ctrl+click would)."""
        self.right.clearSelection()
        model = self.right.selectionModel()
        for r in range(self.right.rowCount()):
            if _sequence(self.right, r) in sequences:
                model.select(self.right.model().index(r, 0),
                             model.SelectionFlag.Select | model.SelectionFlag.Rows)

    # ---------------------------------------------------------------------------- actions

    def _changed_rows(self, select: int | None = None) -> None:
        self.changed = True
        self._fill_left()
        self._fill_right()
        if select is not None and 0 <= select < len(self.rows):
            self.left.selectRow(select)

    def copy_all(self) -> None:
        remaining = self._remaining()
        if self.read_only or not remaining:
            return
        self.rows += [MergeRow("MERGE", rc) for rc in remaining]
        self._changed_rows(len(self.rows) - 1)

    def copy_selected(self) -> None:
        """Copy the selected Merge From rows below the selected original row (or at the end)."""
        chosen = set(self._right_selection())
        if self.read_only or not chosen:
            return
        at = self._left_row()
        at = len(self.rows) if at is None else at + 1
        copies = [MergeRow("MERGE", rc) for rc in self._remaining() if rc.sequence in chosen]
        self.rows[at:at] = copies
        self._changed_rows(at + len(copies) - 1)

    def uncopy(self) -> None:
        row = self._left_row()
        if self.read_only or row is None or self.rows[row].origin != "MERGE":
            return
        del self.rows[row]
        self._changed_rows(min(row, len(self.rows) - 1))

    def delete_original(self) -> None:
        row = self._left_row()
        if self.read_only or row is None or self.rows[row].origin != "ORIGINAL":
            return
        del self.rows[row]
        self._changed_rows(min(row, len(self.rows) - 1))

    def move_row(self, step: int) -> None:
        row = self._left_row()
        if self.read_only or row is None or not 0 <= row + step < len(self.rows):
            return
        self.rows[row], self.rows[row + step] = self.rows[row + step], self.rows[row]
        self._changed_rows(row + step)

    def _renumbered(self, _value: int) -> None:
        if self.version is not None:
            self.changed = True          # renumbering alone is a change worth saving
            self._fill_left()

    # ----------------------------------------------------------------------------- saving

    def can_save(self) -> bool:
        return not self.read_only and self.changed and bool(self.rows)

    def prepare(self) -> Callable[[], Any]:
        assert self.target is not None and self.version is not None
        expected = self.target.version_state(self.effective).row_version
        rows = tuple(self.rows)
        start, increment = self.start.value(), self.increment.value()
        db, actor, code, effective = self.ctx.db, self.ctx.actor, self.code, self.effective

        def call() -> ScheduleForEdit:
            return rates.merge_versions(db, actor, code, effective, rows, start=start,
                                        increment=increment, expected_version=expected)
        return call

    def left_texts(self, column: str = "Description") -> list[str]:
        c = LEFT_COLUMNS.index(column)
        return [_text(self.left, r, c) for r in range(self.left.rowCount())]

    def right_sequences(self) -> list[int]:
        return [_sequence(self.right, r) for r in range(self.right.rowCount())]


def _load_target(db: Any, actor: Any, code: str
                 ) -> tuple[ScheduleForEdit, list[RateScheduleSummary]]:
    return rates.open_schedule(db, actor, code), rates.list_schedules(db)


# ---------------------------------------------------------------------- Rate Schedule Merge

COLLECTIONS = (("sq_rules", ("SQ rule", "SQ rules"), ("Seq", "SQ rule", "From"), 1),
               ("register_rules", ("register rule", "Register rules"),
                ("Seq", "Register rule", "From"), 1),
               ("bill_messages", ("bill message", "Bill messages"),
                ("Message", "Start", "End", "From"), 0),
               ("meter_config_types", ("meter configuration type", "Meter configuration types"),
                ("Type", "From"), 0))


def _count(n: int, singular: str) -> str:
    return f"{n} {singular}{'' if n == 1 else 's'}"


def collection_rows(schedule: RateSchedule, name: str) -> list[tuple[str, ...]]:
    if name in ("sq_rules", "register_rules"):
        return [(str(link.sequence), link.rule) for link in getattr(schedule, name)]
    if name == "bill_messages":
        return [(m.message, m.start.isoformat(), m.end.isoformat() if m.end else "—")
                for m in schedule.bill_messages]
    return [(m,) for m in schedule.meter_config_types]


class RateScheduleMergeDialog(_MergeDialogBase):
    """Copy a schedule's SQ rules, register rules, bill messages and meter configuration types
    onto this one; the grids preview the result (copied rows highlighted)."""

    def __init__(self, ctx: PaneContext, code: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent, f"Rate Schedule Merge — {code}")
        self.code = code
        self.target: ScheduleForEdit | None = None
        self.source: ScheduleForEdit | None = None
        self.preview: RateSchedule | None = None
        self.added: list[str] = []
        self._serial = 0
        self.setMinimumSize(1000, 600)
        self.original_label = label("", "targetDescription", wrap=True)
        self.source_combo = QComboBox()
        self.source_combo.setAccessibleName("Merge From rate schedule")
        self.source_combo.setMinimumWidth(320)
        self.ticks: dict[str, QCheckBox] = {}
        self.grids: dict[str, QTableWidget] = {}
        self.groups: dict[str, QGroupBox] = {}
        self.layout_.addWidget(self.original_label)
        chooser = QHBoxLayout()
        chooser.addWidget(label("Merge From", "sectionHeading"))
        chooser.addSpacing(8)
        chooser.addWidget(self.source_combo, 1)
        chooser.addStretch(1)
        self.layout_.addLayout(chooser)
        chooser = QHBoxLayout()
        chooser.addWidget(QLabel("Copy"))
        chooser.addSpacing(6)
        for name, (_one, title), _columns, _stretch in COLLECTIONS:
            box = QCheckBox(title)
            box.setChecked(True)
            box.setToolTip(f"Copy the Merge From schedule's {title.lower()} (entries this "
                           "schedule already has are skipped)")
            box.toggled.connect(lambda _on: self._update_preview())
            self.ticks[name] = box
            chooser.addWidget(box)
            chooser.addSpacing(10)
        chooser.addStretch(1)
        self.layout_.addLayout(chooser)
        grid = QGridLayout()
        grid.setSpacing(10)
        for i, (name, (_one, title), columns, stretch) in enumerate(COLLECTIONS):
            group = QGroupBox(title)
            self.groups[name] = group
            inner = QVBoxLayout(group)
            table = _table(columns, stretch)
            table.setAccessibleName(f"{title} after the merge")
            inner.addWidget(table)
            self.grids[name] = table
            grid.addWidget(group, i // 2, i % 2)
        self.layout_.addLayout(grid, 1)
        self.summary = label("", "hint", wrap=True)
        self.layout_.addWidget(self.summary)
        self.finish_layout()
        self.source_combo.currentIndexChanged.connect(self._source_chosen)
        self.reload()

    def reload(self) -> None:
        self.status.setText("Loading…")
        self.reload_button.hide()
        self.show_error("")
        run_task(_load_target, self.ctx.db, self.ctx.actor, self.code,
                 on_result=self._target_loaded, on_error=self._load_failed)

    def _target_loaded(self, loaded: tuple[ScheduleForEdit, list[RateScheduleSummary]]) -> None:
        self.target, self.schedules = loaded
        self.status.setText("")
        schedule = self.target.schedule
        self.original_label.setText(f"Original: {schedule.code} — {schedule.description} "
                                    f"({schedule.type.value.title()})")
        self.banner.setText("You can preview this merge, but saving it needs the Rate "
                            "Analyst role.")
        self.banner.setVisible(not self.target.can_edit)
        subsidiary = schedule.type is RateScheduleType.SUBSIDIARY
        for name in ("register_rules", "meter_config_types"):
            self.ticks[name].setChecked(not subsidiary)
            self.ticks[name].setEnabled(not subsidiary)
            if subsidiary:
                self.ticks[name].setToolTip("A subsidiary rate schedule has no register rules "
                                            "or meter configuration types")
        current = self.source_combo.currentData()
        self.source_combo.blockSignals(True)
        self.source_combo.clear()
        self.source_combo.addItem("Choose a rate schedule…", None)
        for s in self.schedules:
            if s.code != self.code:
                self.source_combo.addItem(f"{s.code} — {s.description}", s.code)
        self.source_combo.blockSignals(False)
        index = self.source_combo.findData(current) if current else -1
        if index > 0:
            self.source_combo.setCurrentIndex(index)
        self._source_chosen()

    def choose_source(self, code: str) -> None:
        self.source_combo.setCurrentIndex(self.source_combo.findData(code))

    def _source_chosen(self) -> None:
        code = self.source_combo.currentData()
        self._serial += 1
        serial = self._serial
        self.source = None
        self._update_preview()
        if not code:
            return
        self.status.setText(f"Loading {code}…")

        def loaded(source: ScheduleForEdit) -> None:
            if serial == self._serial:
                self.status.setText("")
                self.source = source
                self._update_preview()
        run_task(rates.open_schedule, self.ctx.db, self.ctx.actor, code, on_result=loaded,
                 on_error=self._load_failed)

    def flags(self) -> dict[str, bool]:
        return {name: box.isChecked() for name, box in self.ticks.items()}

    def _update_preview(self) -> None:
        self.show_error("")
        self.preview = None
        if self.target is None:
            return
        mine = self.target.schedule
        if self.source is not None:
            try:
                self.preview = merge_schedule_collections(mine, self.source.schedule,
                                                          **self.flags())
            except RateDefinitionError as exc:
                self.show_error(str(exc))
        shown = self.preview or mine
        added: list[str] = []
        for name, (one, title), _columns, _stretch in COLLECTIONS:
            before = collection_rows(mine, name)
            after = collection_rows(shown, name)
            table = self.grids[name]
            table.setRowCount(len(after))
            for r, row in enumerate(after):
                new = r >= len(before)
                cells = [*row, self.source.schedule.code if new and self.source else "Original"]
                for c, text in enumerate(cells):
                    item = _item(text, right=c == 0 and name in ("sq_rules", "register_rules"))
                    if new:
                        item.setBackground(QBrush(MERGE_BACKGROUND))
                        item.setForeground(QBrush(MERGE_TEXT))
                    table.setItem(r, c, item)
            if len(after) > len(before):
                added.append(_count(len(after) - len(before), one))
            self.groups[name].setTitle(f"{title} ({len(after)})" if after
                                       else f"{title} — none")
        if self.source is None:
            self.summary.setText("Choose the rate schedule to copy from; the grids show what "
                                 "this schedule will hold after Save.")
        else:
            self.summary.setText(("Save adds " + ", ".join(added) + " (highlighted).")
                                 if added else f"{self.source.schedule.code} has nothing of the "
                                 "ticked kinds that this schedule does not already have.")
        self.added = added
        self.refresh_save()

    def can_save(self) -> bool:
        return (self.target is not None and self.target.can_edit and self.preview is not None
                and bool(self.added))

    def prepare(self) -> Callable[[], Any]:
        assert self.target is not None and self.source is not None
        db, actor, flags = self.ctx.db, self.ctx.actor, self.flags()
        target, source = self.code, self.source.schedule.code
        expected = self.target.row_version

        def call() -> ScheduleForEdit:
            return rates.merge_schedules(db, actor, target, source, expected_version=expected,
                                         **flags)
        return call

    def grid_texts(self, name: str, column: int = 1) -> list[str]:
        table = self.grids[name]
        return [_text(table, r, column) for r in range(table.rowCount())]


__all__ = ["RateScheduleMergeDialog", "RateVersionMergeDialog", "collection_rows",
           "references"]
