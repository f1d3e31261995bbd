"""Receive a shipment of new meters or items into a stock location (issue 10 item 2): by a
badge-number range, by scanning badges one per line, or from a CSV file.

The dialog shows how many assets the input makes before anything is sent; Receive runs
`asset_receiving.receive_shipment` in the worker. When the service refuses the shipment, every
bad line is listed in the dialog's problem table (line, badge, what is wrong) and nothing is
saved; fix the lines and Receive again. On success it emits `saved(status text)` and closes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import AssetKind
from app.services import stock_locations
from app.services.asset_receiving import (
    BadgeRange,
    ReceivingResult,
    ScannedBadges,
    ShipmentFile,
    ShipmentRejected,
    ShipmentRequest,
    history_source,
    parse_csv,
    parse_scanned,
    range_badges,
    read_shipment_file,
    receive_shipment,
)
from app.services.context import Actor, now
from app.services.errors import DomainError, ValidationError
from app.services.stock_locations import AssetTypeRow, LocationRow
from app.views.panes import PaneContext
from app.views.tree_dialogs import ActionDialog, date_field, parse_date, parse_time, time_field
from app.views.widgets import label, push_button
from app.views.worker import run_task

RANGE, SCAN, CSV_FILE = 0, 1, 2
#: Problems shown in the table at most (the count says how many there are).
MOST_SHOWN = 2_000
CSV_HELP = ("One asset per line after a header line: badge_number,type[,serial_number,"
            "manufacturer,model][,kind]. Only badge_number is required; lines without a type "
            "take the type chosen above; kind (METER or ITEM) only when a code is both.")


class ReceivingDialog(ActionDialog):
    """Receive new meters or items into a location; all of them, or none and every problem."""

    def __init__(self, parent: QWidget | None, ctx: PaneContext,
                 location: str | None = None) -> None:
        super().__init__(ctx, parent, "Receive Shipment…", "Receive",
                         "New meters and items go into stock at the location. Every line is "
                         "checked first: if any is wrong, nothing is received and the problems "
                         "are listed below.")
        self.setMinimumWidth(660)
        self.preferred_location = location
        self.types: list[AssetTypeRow] = []
        self._csv_cache: tuple[str, float, int, int] | None = None

        self.location_combo = self.add_row("location", "Into location", QComboBox())
        when = QWidget()
        row = QHBoxLayout(when)
        row.setContentsMargins(0, 0, 0, 0)
        stamp = now()
        self.received_on = date_field(stamp.date())
        self.received_time = time_field(stamp.time())
        row.addWidget(self.received_on)
        row.addWidget(self.received_time)
        row.addStretch(1)
        self.add_row("located_at", "Received", when, "received_on", "received_time")
        self.type_combo = self.add_row("type", "Type", QComboBox(), "type_code", "kind")

        self.tabs = QTabWidget()
        self.tabs.addTab(self._range_tab(), "Range")
        self.tabs.addTab(self._scan_tab(), "Scan")
        self.tabs.addTab(self._csv_tab(), "CSV file")
        self.body.addWidget(self.tabs)
        self.preview = label("", "calcResult", wrap=True)
        self.body.addWidget(self.preview)
        self.problem_heading = label("", "inlineError", wrap=True)
        self.problems = QTableWidget(0, 3)
        self.problems.setHorizontalHeaderLabels(["Line", "Badge", "Problem"])
        self.problems.verticalHeader().hide()
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems.horizontalHeader().setStretchLastSection(True)
        self.problems.setMinimumHeight(150)
        self.problem_heading.hide()
        self.problems.hide()
        self.body.addWidget(self.problem_heading)
        self.body.addWidget(self.problems)
        self.finish_layout()

        for field in (self.prefix, self.first_badge, self.last_badge, self.csv_path):
            field.textChanged.connect(lambda _t: self.update_preview())
        self.scanned.textChanged.connect(self.update_preview)
        self.tabs.currentChanged.connect(lambda _i: self._mode_changed())
        self.type_combo.currentIndexChanged.connect(lambda _i: self.update_preview())
        self.location_combo.currentIndexChanged.connect(lambda _i: self.update_preview())
        self._mode_changed()
        self.refresh_submit()
        run_task(_choices, ctx.db, on_result=self._choices_loaded, on_error=self._load_failed)

    # ------------------------------------------------------------------------------ tabs

    def _tab(self) -> tuple[QWidget, QFormLayout]:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(12, 12, 12, 12)
        form.setVerticalSpacing(8)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return page, form

    def _range_tab(self) -> QWidget:
        page, form = self._tab()
        self.prefix = QLineEdit()
        self.prefix.setPlaceholderText("letters before the number, e.g. AB (optional)")
        self.first_badge = QLineEdit()
        self.first_badge.setPlaceholderText("e.g. 000100 or AB000100")
        self.last_badge = QLineEdit()
        self.last_badge.setPlaceholderText("e.g. 000199 or AB000199")
        form.addRow("Prefix", self._error_box("prefix", self.prefix))
        form.addRow("First badge", self._error_box("first_badge", self.first_badge))
        form.addRow("Last badge", self._error_box("last_badge", self.last_badge))
        form.addRow("", label("Zero padding is kept: 000098 to 000102 gives 000098, 000099, "
                              "000100, 000101, 000102. At most 100,000 at a time.", "hint",
                              wrap=True))
        return page

    def _scan_tab(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(12, 12, 12, 12)
        column.addWidget(label("Scan or type badge numbers, one per line.", "hint"))
        self.scanned = QPlainTextEdit()
        self.scanned.setPlaceholderText("AB000100\nAB000101\n…")
        self.scanned.setMinimumHeight(120)
        column.addWidget(self._error_box("badges", self.scanned))
        return page

    def _csv_tab(self) -> QWidget:
        page, form = self._tab()
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.csv_path = QLineEdit()
        self.csv_path.setPlaceholderText("path of the shipment's CSV file")
        self.browse_button = push_button("Browse…", "Choose the shipment's CSV file",
                                         self.browse)
        row.addWidget(self.csv_path, 1)
        row.addWidget(self.browse_button)
        form.addRow("File", self._error_box("csv_path", box))
        self.fields["csv_path"] = self.csv_path
        form.addRow("", label(CSV_HELP, "hint", wrap=True))
        return page

    def browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Shipment file", self.csv_path.text() or str(Path.home()),
            "CSV files (*.csv *.txt);;All files (*)")
        if path:
            self.csv_path.setText(path)

    # ---------------------------------------------------------------------------- loading

    def _choices_loaded(self, choices: tuple[list[LocationRow], list[AssetTypeRow]]) -> None:
        locations, types = choices
        self.location_combo.blockSignals(True)
        self.location_combo.clear()
        for row in locations:
            if row.hold_inventory:
                self.location_combo.addItem(f"{'   ' * row.depth}{row.code} — {row.description}",
                                            row.code)
        wanted = self.location_combo.findData(self.preferred_location or "")
        self.location_combo.setCurrentIndex(max(wanted, 0))
        self.location_combo.blockSignals(False)
        self.types = types
        self.type_combo.blockSignals(True)
        self.type_combo.clear()
        self.type_combo.addItem("", None)
        for t in types:
            kind = "Meter" if t.kind is AssetKind.METER else "Item"
            untracked = "" if t.track_stock_location else " (location not tracked)"
            self.type_combo.addItem(f"{kind} · {t.code} — {t.description}{untracked}",
                                    type_key(t.kind, t.code))
        self.type_combo.blockSignals(False)
        self._mode_changed()

    def _load_failed(self, exc: BaseException) -> None:
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        self.show_error("", f"The locations and types could not be read: {message}")

    def _mode_changed(self) -> None:
        csv_mode = self.tabs.currentIndex() == CSV_FILE
        self.type_combo.setItemText(0, "(as each line of the file says)" if csv_mode
                                    else "Choose the meter or item type")
        self.update_preview()

    # ---------------------------------------------------------------------------- preview

    def chosen_type(self) -> AssetTypeRow | None:
        data = self.type_combo.currentData()
        if not data:
            return None
        return next((t for t in self.types if type_key(t.kind, t.code) == data), None)

    def update_preview(self) -> None:
        self.preview.setText(self.preview_text())
        self.refresh_submit()

    def preview_text(self) -> str:
        """How many assets the input makes, and what their history will say."""
        mode = self.tabs.currentIndex()
        if mode == RANGE:
            if not self.first_badge.text().strip() or not self.last_badge.text().strip():
                return "Enter the first and last badge numbers of the range."
            try:
                badges = range_badges(self._badge_range())
            except ShipmentRejected as exc:
                return exc.problems[0].message
            count, what = len(badges), f"{badges[0]} … {badges[-1]}" if len(badges) > 1 \
                else badges[0]
        elif mode == SCAN:
            lines = parse_scanned(self.scanned.toPlainText()).lines
            if not lines:
                return "No badge numbers scanned yet."
            twice = len(lines) - len({ln.badge_number for ln in lines})
            count = len(lines)
            what = f"last scanned {lines[-1].badge_number}" + (
                f"; {twice} scanned twice" if twice else "")
        else:
            counted = self._csv_count()
            if isinstance(counted, str):
                return counted
            count, bad = counted
            what = Path(self.csv_path.text().strip()).name + (
                f"; {bad} line(s) already look wrong" if bad else "")
        return f"{count:,} to receive ({what}){self._type_note()}."

    def _type_note(self) -> str:
        chosen = self.chosen_type()
        place = self.location_combo.currentData() or "the location"
        if chosen is None:
            return ""
        if self.tabs.currentIndex() == CSV_FILE:
            return f" — lines without a type are {chosen.code}"
        if not chosen.track_stock_location:
            return f" — {chosen.code} does not track its location: no location history"
        source = history_source(self._badge_range() if self.tabs.currentIndex() == RANGE
                                else ScannedBadges(""))
        article = "an" if source.value[0] in "AEIOU" else "a"
        return f" — each gets {article} {source.value} location row at {place}"

    def _csv_count(self) -> tuple[int, int] | str:
        text = self.csv_path.text().strip()
        if not text:
            return "Choose the shipment's CSV file."
        path = Path(text)
        try:
            stat = path.stat()
        except OSError:
            return f"There is no file {text}."
        key = (str(path), stat.st_mtime)
        if self._csv_cache is None or self._csv_cache[:2] != key:
            try:
                parsed = parse_csv(read_shipment_file(path))
            except OSError as exc:
                return f"{path.name} cannot be read: {exc.strerror}."
            self._csv_cache = (*key, len(parsed.lines), len(parsed.problems))
        return self._csv_cache[2], self._csv_cache[3]

    def _badge_range(self) -> BadgeRange:
        return BadgeRange(self.first_badge.text(), self.last_badge.text(), self.prefix.text())

    # ----------------------------------------------------------------------------- saving

    def can_submit(self) -> bool:
        return self.location_combo.count() > 0

    def prepare(self) -> Callable[[], Any]:
        self.show_problems(())
        location = self.location_combo.currentData()
        if not location:
            raise ValidationError("Choose the location the shipment goes into.", "location")
        day = parse_date(self.received_on.text(), "located_at", "received date")
        at = dt.datetime.combine(day, parse_time(self.received_time.text(), "located_at",
                                                 "received time"))
        chosen = self.chosen_type()
        mode = self.tabs.currentIndex()
        if chosen is None and mode != CSV_FILE:
            raise ValidationError("Choose the type of the meters or items received.", "type")
        kind = chosen.kind if chosen else None
        code = chosen.code if chosen else ""
        if mode == CSV_FILE:
            path = self.csv_path.text().strip()
            if not path:
                raise ValidationError("Choose the shipment's CSV file.", "csv_path")
            request = ShipmentRequest(location, at, ShipmentFile(""), kind, code)
            return lambda: _receive_file(self.ctx.db, self.ctx.actor, request, path)
        source: BadgeRange | ScannedBadges = (
            self._badge_range() if mode == RANGE else ScannedBadges(self.scanned.toPlainText()))
        request = ShipmentRequest(location, at, source, kind, code)
        db, actor = self.ctx.db, self.ctx.actor
        return lambda: receive_shipment(db, actor, request)

    def refused(self, exc: DomainError) -> None:
        if isinstance(exc, ShipmentRejected):
            self.show_problems(exc.problems)
            if exc.field:
                self.show_error(exc.field, exc.problems[0].message)
            return
        super().refused(exc)

    def show_problems(self, problems: tuple[Any, ...] | list[Any]) -> None:
        """List every bad line in the table (or hide it when there is none)."""
        self.problems.setRowCount(0)
        if not problems:
            self.problem_heading.hide()
            self.problems.hide()
            return
        shown = problems[:MOST_SHOWN]
        more = f" (the first {MOST_SHOWN:,} shown)" if len(problems) > MOST_SHOWN else ""
        count = len(problems)
        self.problem_heading.setText(
            f"Nothing was received: {count:,} problem{'s' if count != 1 else ''}{more}. Fix "
            f"{'them' if count != 1 else 'it'} and Receive again.")
        self.problems.setRowCount(len(shown))
        for n, problem in enumerate(shown):
            line = QTableWidgetItem("" if problem.line is None else str(problem.line))
            line.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.problems.setItem(n, 0, line)
            self.problems.setItem(n, 1, QTableWidgetItem(problem.badge_number))
            text = problem.message
            self.problems.setItem(n, 2, QTableWidgetItem(text[:1].upper() + text[1:]))
        header = self.problems.horizontalHeader()
        self.problems.resizeColumnsToContents()      # once, after filling
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.problem_heading.show()
        self.problems.show()
        self.fit()

    def problem_rows(self) -> list[tuple[str, str, str]]:
        """What the problem table shows (for tests and screen readers)."""
        if self.problems.isHidden():
            return []
        rows = []
        for r in range(self.problems.rowCount()):
            cells = [self.problems.item(r, c) for c in range(3)]
            line, badge, problem = (cell.text() if cell is not None else "" for cell in cells)
            rows.append((line, badge, problem))
        return rows

    def success_message(self, result: Any) -> str:
        assert isinstance(result, ReceivingResult)
        parts = [f"{result.meters:,} meter{'s' if result.meters != 1 else ''}"] \
            if result.meters else []
        if result.items:
            parts.append(f"{result.items:,} item{'s' if result.items != 1 else ''}")
        notes = (" " + " ".join(result.notes)) if result.notes else ""
        return (f"Received {' and '.join(parts)} into {result.location} "
                f"({result.location_description}) at {result.at:%Y-%m-%d %H:%M}.{notes}")


def type_key(kind: AssetKind, code: str) -> str:
    """The type combo's data for a type: "METER:E1"."""
    return f"{kind.value}:{code}"


def _choices(db: Any) -> tuple[list[LocationRow], list[AssetTypeRow]]:
    return stock_locations.stock_locations(db), stock_locations.asset_types(db)


def _receive_file(db: Any, actor: Actor, request: ShipmentRequest, path: str
                  ) -> ReceivingResult:
    """Read the file in the worker, then receive it."""
    try:
        file = read_shipment_file(path)
    except OSError as exc:
        raise ValidationError(f"{path} cannot be read: {exc.strerror}.", "csv_path") from None
    return receive_shipment(db, actor, replace(request, source=file))
