"""The Transfer dialog (spec/50 §4.2 INV-R6, P-INV2 "Transfer Location…"; issue 10 scope 3):
move assets from a source location to another location at a location date/time.

The list of assets starts with the badges selected in the inventory grid. The warehouse user
adds more by scanning (the scan field: each Enter adds the badge and shows it), by filter (a
type and/or the start of the badge numbers: every asset of it at the source now) or by range
(prefix + first..last number). Each badge is checked in a worker (`transfer_checks`): one that
cannot be moved shows as a red row with the reason — no sound — and can be removed (Del) or
fixed (edit the badge in place, F2 or double-click). Transfer is enabled only when every row
is ready; it runs `asset_locations.transfer` in a worker, which checks again under lock: a
refusal (someone moved an asset meanwhile, a bad date …) is shown inline and nothing moves.
After the transfer the dialog offers "Print manifest…" (Ctrl+P): the PDF for signing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from app.models.enums import AssetKind
from app.reports.transfer_manifest import render_transfer_manifest
from app.services import context, transfer_checks
from app.services.asset_locations import TransferRequest, TransferResult, transfer
from app.services.errors import DomainError, ValidationError
from app.services.transfer_checks import BadgeCheck
from app.views.panes import PaneContext
from app.views.tree_dialogs import ActionDialog, date_field, parse_date, parse_time, time_field
from app.views.widgets import label, push_button, say
from app.views.worker import run_task

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Badge", "Type", "Check")
BAD_SHADE = QColor("#fde8ea")
BAD_TEXT = QColor("#b00020")
PENDING_TEXT = QColor("#6b7078")
ALL_TYPES = "(any type)"


@dataclass
class BadgeRow:
    badge: str
    #: None while the check runs.
    ok: bool | None = None
    message: str = "checking…"
    type_code: str = ""


class BadgeListModel(QAbstractTableModel):
    """The assets to move: badge, type and what the check said (red when it cannot move)."""

    def __init__(self, on_edit: Callable[[BadgeRow], None]) -> None:
        super().__init__()
        self.rows: list[BadgeRow] = []
        self.on_edit = on_edit
        self.locked = False

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation is Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return (row.badge, row.type_code, row.message)[column]
        if role == Qt.ItemDataRole.BackgroundRole and row.ok is False:
            return BAD_SHADE
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.ok is False:
                return BAD_TEXT
            if row.ok is None:
                return PENDING_TEXT
        if role == Qt.ItemDataRole.FontRole and row.ok is False and column != 1:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and row.ok is False:
            return f"{row.badge}: {row.message} Press Del to remove it, or F2 to correct it."
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0 and not self.locked:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        badge = str(value).strip().upper()
        row = self.rows[index.row()]
        if role != Qt.ItemDataRole.EditRole or not badge or badge == row.badge:
            return False
        if any(r.badge == badge for r in self.rows):
            row.ok, row.message = False, f"{badge} is already in the list."
        else:
            row.badge, row.ok, row.message, row.type_code = badge, None, "checking…", ""
            self.on_edit(row)
        self._changed(index.row())
        return True

    # ---------------------------------------------------------------------------- changes

    def badges(self) -> list[str]:
        return [r.badge for r in self.rows]

    def find(self, badge: str) -> int:
        return next((n for n, r in enumerate(self.rows) if r.badge == badge), -1)

    def add(self, rows: Sequence[BadgeRow]) -> list[BadgeRow]:
        """Append the rows whose badges are not listed yet; returns those appended."""
        seen = {r.badge for r in self.rows}
        fresh: list[BadgeRow] = []
        for row in rows:
            if row.badge and row.badge not in seen:
                seen.add(row.badge)
                fresh.append(row)
        if fresh:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self.rows.extend(fresh)
            self.endInsertRows()
        return fresh

    def apply(self, checks: Sequence[BadgeCheck]) -> None:
        verdicts = {c.badge: c for c in checks}
        for n, row in enumerate(self.rows):
            check = verdicts.get(row.badge)
            if check is not None:
                row.ok, row.message = check.ok, check.message
                row.type_code = check.type_code or row.type_code
                self._changed(n)

    def recheck_all(self) -> None:
        for row in self.rows:
            row.ok, row.message = None, "checking…"
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 2))

    def remove(self, numbers: Sequence[int]) -> None:
        for n in sorted(set(numbers), reverse=True):
            self.beginRemoveRows(QModelIndex(), n, n)
            del self.rows[n]
            self.endRemoveRows()

    def _changed(self, n: int) -> None:
        self.dataChanged.emit(self.index(n, 0), self.index(n, len(COLUMNS) - 1))

    @property
    def bad(self) -> int:
        return sum(1 for r in self.rows if r.ok is False)

    @property
    def pending(self) -> int:
        return sum(1 for r in self.rows if r.ok is None)


class ScanField(QLineEdit):
    """The scan field: Enter adds the badge and goes no further (a scanner ends each badge
    with Enter; it must never press the dialog's default button)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


def _line(*widgets: QWidget) -> QWidget:
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(8)
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    return box


class TransferDialog(ActionDialog):
    """Move assets from `source` (fixed; or chosen here when empty) to another location."""

    def __init__(self, parent: QWidget | None, ctx: PaneContext, source: str,
                 badges: Sequence[str] = ()) -> None:
        super().__init__(ctx, parent, "Transfer assets…", "Transfer",
                         "Scan or type each badge number and press Enter; assets that cannot "
                         "move are shown in red with the reason.")
        self.setMinimumWidth(680)
        self.result_transfer: TransferResult | None = None
        self.manifest_path: Path | None = None
        now = context.now()
        self.fixed_source = source.strip().upper()
        self.source_combo = QComboBox()
        if self.fixed_source:
            self.source_label = self.add_fixed("From", self.fixed_source)
        else:
            self.add_row("source", "From", self.source_combo)
            self.source_combo.currentIndexChanged.connect(lambda _n: self._source_changed())
        self.target = self.add_row("target", "To", QComboBox())
        self.target.setMinimumWidth(320)
        self.date = date_field(now.date())
        self.time = time_field(now.time())
        self.add_row("located_at", "Location date/time", _line(self.date, self.time), "at")
        self.fields["located_at"] = self.date
        self.scan = ScanField()
        self.scan.setPlaceholderText("Scan or type a badge number, then Enter")
        self.scan.setMaxLength(30)
        self.scan.returnPressed.connect(self.scan_entered)
        self.add_row("badges", "Scan badge", self.scan, "badge_number")
        self.type_filter = QComboBox()
        self.type_filter.setMinimumWidth(200)
        self.prefix_filter = QLineEdit()
        self.prefix_filter.setPlaceholderText("badge starts with (optional)")
        self.prefix_filter.setMaximumWidth(190)
        self.add_filter_button = push_button(
            "Add all", "Add every asset of this type (and badge start) at the source now",
            self.add_by_filter)
        self.add_row("filter", "Add by filter", _line(self.type_filter, self.prefix_filter,
                                                      self.add_filter_button))
        self.range_prefix = QLineEdit()
        self.range_prefix.setPlaceholderText("prefix")
        self.range_prefix.setMaximumWidth(80)
        self.range_from = QLineEdit()
        self.range_from.setPlaceholderText("from")
        self.range_from.setMaximumWidth(90)
        self.range_to = QLineEdit()
        self.range_to.setPlaceholderText("to")
        self.range_to.setMaximumWidth(90)
        self.add_range_button = push_button("Add range", "Add prefix+from … prefix+to",
                                            self.add_by_range)
        self.add_row("range_from", "Add by range",
                     _line(self.range_prefix, self.range_from, label("…"), self.range_to,
                           self.add_range_button), "range_to")
        self.model = BadgeListModel(on_edit=lambda row: self._check([row.badge]))
        for button in (self.add_filter_button, self.add_range_button):
            button.setAutoDefault(False)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 150)
        self.table.setColumnWidth(1, 90)
        self.table.setMinimumHeight(240)
        self.body.addWidget(self.table)
        self.count = label("", "hint")
        self.body.addWidget(self.count)
        self.notice = label("", "inlineOk", wrap=True)
        self.notice.hide()
        self.body.addWidget(self.notice)
        self.remove_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table,
                                         self.remove_selected)
        self.remove_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.print_button = QPushButton("Print manifest…")
        self.print_button.setToolTip("Write the transfer manifest PDF for signing (Ctrl+P)")
        self.print_button.clicked.connect(self.print_dialog)
        self.print_button.setAutoDefault(False)
        self.buttons.addButton(self.print_button, self.buttons.ButtonRole.ActionRole)
        self.print_button.hide()
        self.print_shortcut = QShortcut(QKeySequence.StandardKey.Print, self, self.print_dialog)
        self.finish_layout()
        self.model.rowsInserted.connect(lambda *_a: self._count())
        self.model.rowsRemoved.connect(lambda *_a: self._count())
        self.model.dataChanged.connect(lambda *_a: self._count())
        if badges:
            self.model.add([BadgeRow(b.strip().upper()) for b in badges])
        self._count()
        run_task(transfer_checks.transfer_locations, ctx.db, on_result=self._locations,
                 on_error=self._read_failed)
        if self.fixed_source:
            self._source_changed()
        self.scan.setFocus()

    # ---------------------------------------------------------------------------- reading

    def source(self) -> str:
        return self.fixed_source or str(self.source_combo.currentData() or "")

    def _locations(self, choices: list[transfer_checks.LocationChoice]) -> None:
        holding = [c for c in choices if c.hold_inventory]
        if not self.fixed_source:
            self.source_combo.blockSignals(True)
            for choice in holding:
                self.source_combo.addItem(choice.label, choice.code)
            self.source_combo.blockSignals(False)
        else:
            known = next((c for c in choices if c.code == self.fixed_source), None)
            if known is not None:
                self.source_label.setText(known.label)
        self._holding = holding
        self._fill_targets()
        if not self.fixed_source:
            self._source_changed()

    def _fill_targets(self) -> None:
        chosen = self.target.currentData()
        self.target.clear()
        self.target.addItem("Choose the location to move to…", "")
        for choice in getattr(self, "_holding", []):
            if choice.code != self.source():
                self.target.addItem(choice.label, choice.code)
        at = self.target.findData(chosen) if chosen else -1
        self.target.setCurrentIndex(max(at, 0))

    def _source_changed(self) -> None:
        source = self.source()
        if not source:
            return
        self._fill_targets()
        run_task(transfer_checks.types_at, self.ctx.db, source, on_result=self._types,
                 on_error=self._read_failed)
        self.model.recheck_all()
        self._check(self.model.badges())

    def _types(self, types: list[tuple[AssetKind, str, str]]) -> None:
        self.type_filter.clear()
        self.type_filter.addItem(ALL_TYPES, None)
        for kind, code, description in types:
            word = "Meter" if kind is AssetKind.METER else "Item"
            self.type_filter.addItem(f"{word} {code} — {description}", (kind, code))

    def _read_failed(self, exc: BaseException) -> None:
        text = exc.message if isinstance(exc, DomainError) else f"Could not read: {exc}"
        self.show_error("", text, focus=False)

    # ---------------------------------------------------------------------------- adding

    def scan_entered(self) -> None:
        """Enter in the scan field: add the badge (shown at once, checked in a worker)."""
        badge = self.scan.text().strip().upper()
        self.scan.clear()
        self.errors["badges"].hide()
        if not badge or self.result_transfer is not None:
            return
        listed = self.model.find(badge)
        if listed >= 0:
            self.table.selectRow(listed)
            self.table.scrollTo(self.model.index(listed, 0))
            say(self.notice, f"{badge} is already in the list (row {listed + 1}).", False)
            return
        self.notice.hide()
        self.model.add([BadgeRow(badge)])
        self.table.scrollToBottom()
        self._check([badge])

    def add_by_filter(self) -> None:
        if not self.source() or self.result_transfer is not None:
            return
        chosen = self.type_filter.currentData()
        kind, code = chosen if chosen else (None, None)
        self.errors["filter"].hide()
        run_task(transfer_checks.assets_at, self.ctx.db, self.source(), type_code=code,
                 kind=kind, badge_prefix=self.prefix_filter.text(),
                 on_result=partial(self._add_checked, "filter"),
                 on_error=partial(self._add_failed, "filter"))

    def add_by_range(self) -> None:
        if not self.source() or self.result_transfer is not None:
            return
        for name in ("range_from",):
            self.errors[name].hide()
        try:
            transfer_checks.badge_range(self.range_prefix.text(), self.range_from.text(),
                                        self.range_to.text())
        except ValidationError as exc:
            self.show_error(exc.field, exc.message)
            return
        run_task(transfer_checks.check_range, self.ctx.db, self.source(),
                 self.range_prefix.text(), self.range_from.text(), self.range_to.text(),
                 on_result=partial(self._add_checked, "range_from"),
                 on_error=partial(self._add_failed, "range_from"))

    def _add_checked(self, field: str, checks: list[BadgeCheck]) -> None:
        rows = [BadgeRow(c.badge, c.ok, c.message, c.type_code or "") for c in checks]
        added = self.model.add(rows)
        if not checks:
            self.show_error(field, "No asset at the source matches.", focus=False)
            return
        skipped = len(rows) - len(added)
        note = f" ({skipped} already listed)" if skipped else ""
        say(self.notice, f"Added {len(added)} badge(s){note}.", True)

    def _add_failed(self, field: str, exc: BaseException) -> None:
        if isinstance(exc, DomainError):
            self.show_error(exc.field or field, exc.message)
        else:
            self.show_error(field, f"Could not add: {exc}")

    def _check(self, badges: list[str]) -> None:
        source = self.source()
        if not badges or not source:
            return
        run_task(transfer_checks.check_badges, self.ctx.db, source, badges,
                 on_result=self.model.apply, on_error=self._read_failed)

    def remove_selected(self) -> None:
        if self.result_transfer is not None:
            return
        rows = [i.row() for i in self.table.selectionModel().selectedRows()]
        if rows:
            self.model.remove(rows)
            self.notice.hide()

    # ---------------------------------------------------------------------------- state

    def _count(self) -> None:
        rows = self.model.rows
        total, bad, pending = len(rows), self.model.bad, self.model.pending
        parts = [f"{total:,} asset{'s' if total != 1 else ''} listed"]
        if total:
            parts.append(f"{total - bad - pending:,} ready")
        if bad:
            parts.append(f"{bad:,} to fix (Del removes, F2 corrects)")
        if pending:
            parts.append(f"{pending:,} being checked")
        self.count.setText(" · ".join(parts))
        self.refresh_submit()

    def can_submit(self) -> bool:
        return (self.result_transfer is None and bool(self.model.rows)
                and self.model.bad == 0 and self.model.pending == 0)

    # ---------------------------------------------------------------------------- transfer

    def located_at(self) -> dt.datetime:
        day = parse_date(self.date.text(), "located_at", "location date")
        return dt.datetime.combine(day, parse_time(self.time.text(), "located_at",
                                                   "location time"))

    def prepare(self) -> Callable[[], Any]:
        target = str(self.target.currentData() or "")
        if not target:
            raise ValidationError("Choose the location the assets go to.", "target")
        request = TransferRequest(self.source(), target, tuple(self.model.badges()),
                                  self.located_at())
        return partial(transfer, self.ctx.db, self.ctx.actor, request)

    def success_message(self, result: Any) -> str:
        assert isinstance(result, TransferResult)
        return (f"Transferred {len(result.lines):,} asset(s) from {result.source} to "
                f"{result.target} at {result.at:%Y-%m-%d %H:%M}.")

    def after_saved(self, result: Any) -> None:
        """Unlike other action dialogs this one stays open: the manifest is printed next."""
        self.result_transfer = result
        self.model.locked = True
        self.model.apply([BadgeCheck(x.badge_number, True, f"Moved to {result.target}")
                          for x in result.lines])
        for widget in (self.scan, self.type_filter, self.prefix_filter, self.add_filter_button,
                       self.range_prefix, self.range_from, self.range_to,
                       self.add_range_button, self.target, self.date, self.time,
                       self.source_combo):
            widget.setEnabled(False)
        self.submit_button.hide()
        self.cancel_button.setText("Close")
        self.print_button.show()
        self.print_button.setDefault(True)
        self.print_button.setFocus()
        say(self.notice, self.message + " Print the manifest for signing (Ctrl+P).", True)

    def reload(self) -> None:
        """Someone moved some of the assets meanwhile: check every row again."""
        self.model.recheck_all()
        self._check(self.model.badges())

    # ---------------------------------------------------------------------------- manifest

    def print_dialog(self) -> None:
        result = self.result_transfer
        if result is None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self, "Print transfer manifest to PDF",
            f"transfer-{result.source}-{result.target}-{result.at:%Y%m%d-%H%M}.pdf",
            "PDF (*.pdf)")
        if name:
            self.print_manifest(Path(name))

    def print_manifest(self, path: Path) -> None:
        result = self.result_transfer
        if result is None:
            return
        db, name = self.ctx.db, self.ctx.actor.display_name

        def write() -> Path:
            return render_transfer_manifest(
                transfer_checks.manifest_view(db, result, by_name=name), path)

        self.print_button.setEnabled(False)
        run_task(write, on_result=self._printed, on_error=self._print_failed)

    def _printed(self, path: Path) -> None:
        self.print_button.setEnabled(True)
        self.manifest_path = path
        text = f"Manifest printed to {path}."
        say(self.notice, text, True)
        self.ctx.host.show_status(text)

    def _print_failed(self, exc: BaseException) -> None:
        self.print_button.setEnabled(True)
        say(self.notice, f"The manifest could not be written: {exc}", False)
