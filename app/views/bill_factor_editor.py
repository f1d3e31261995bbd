"""The Bill Factors pane (spec/10 §2.8–§2.12, §6.3, §9): find a bill factor, edit its main
fields, its characteristic values, and for the selected characteristic the effective-dated
values (with a step chart of the values over time), the TOU values and the GL distribution.

    pane = host.open_pane("bill-factors")
    pane.open_bill_factor("STTAX")

The grids hold what is typed; Save (Ctrl+S) reads every grid, and a bad entry (a value that is
not a number, a missing or repeated effective date) is shown beside its grid and nothing is
saved. The editor changes the loaded engine `BillFactor` with `dataclasses.replace` and saves it
through `services.rates.save_bill_factor` with the row version it loaded. F5 reloads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.engine.rates.bill_factors import (
    BillFactor,
    BillFactorCharacteristic,
    BillFactorTouValue,
    BillFactorValue,
)
from app.engine.rates.enums import BillFactorType, CharSource, TosUsage, ValueType
from app.services import rates
from app.services.errors import ConcurrentChange, DomainError, ValidationError
from app.services.rates import BillFactorForEdit
from app.views.panes import PaneContext, PaneHost, PaneSpec, register
from app.views.tree_dialogs import BANNER_STYLE
from app.views.widgets import FieldMessage, error_label, label, pane_shortcuts, push_button, say
from app.views.worker import run_task

BILL_FACTORS = "bill-factors"
NO_ROLE = "You can read bill factors; changing them needs the Rate Analyst role."
#: The service's field names (rate file keys) and the grid each is shown beside.
GRID_FIELDS = {"tou_values": "tou", "gl_distribution": "gl", "minutes_per_interval":
               "characteristics", "external_id": "characteristics"}
RATE_DATES = ("BILL_END_DATE", "BILL_START_DATE", "ACCOUNTING_DATE")
CURVE_COLOURS = ("#2f6fd0", "#e8892b", "#1e7d3a", "#b0413e", "#7b4fc4", "#0f8b8d", "#a0522d")
Rows = list[list[str]]
ENUM_LABELS = {"NA": "N/A (same for everyone)", "CHAR_COLLECTION": "Char collection",
               "SA": "SA", "SP": "SP", "TOU": "TOU", "CHECK_SA_ONLY": "Check SA only",
               "CHECK_TOS_ONLY": "Check TOS only",
               "CHECK_TOS_FIRST_THEN_SA": "Check TOS first, then SA"}
FLAGS = (("error_if_no_value", "Error if no value"), ("tax_exemption", "Tax exemption"),
         ("value_in_contract_term", "Value in contract term"),
         ("contract_rider_applicability", "Contract rider applicability"),
         ("allow_proration", "Allow proration"),
         ("use_sub_sa_contract_terms", "Use sub SA contract terms"))


# ------------------------------------------------------------------------ reading the grids

def parse_day(text: str, where: str, grid: str) -> dt.date:
    value = text.strip()
    if not value:
        raise ValidationError(f"{where}: enter the effective date as YYYY-MM-DD.", grid)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{where}: '{value}' is not a date. Type it as YYYY-MM-DD, e.g. "
                              "2024-01-01.", grid) from None


def parse_number(text: str, where: str, grid: str, default: Decimal | None = None) -> Decimal:
    value = text.strip().replace(",", "")
    if not value and default is not None:
        return default
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        shown = f"'{text.strip()}' is not a number" if value else "the value is empty"
        raise ValidationError(f"{where}: {shown}. Type digits, e.g. 7.25 or -0.015.", grid)
    return number


def parse_values(rows: Rows, char_value: str) -> tuple[BillFactorValue, ...]:
    """The (effective date, value) grid; a blank value is 0 (spec/10 §2.10)."""
    out: dict[dt.date, BillFactorValue] = {}
    for i, (day_text, value_text) in enumerate(rows, 1):
        if not day_text.strip() and not value_text.strip():
            continue
        where = f"{char_value}, row {i}"
        day = parse_day(day_text, where, "values")
        if day in out:
            raise ValidationError(f"{where}: {day.isoformat()} is there twice. Each effective "
                                  "date has one value; change or delete one of the rows.",
                                  "values")
        out[day] = BillFactorValue(day, parse_number(value_text, where, "values", Decimal(0)))
    return tuple(sorted(out.values(), key=lambda v: v.effective))


def parse_tou(rows: Rows, char_value: str, group: str, members: Sequence[str]
              ) -> list[BillFactorTouValue]:
    out: dict[dt.date, BillFactorTouValue] = {}
    for i, row in enumerate(rows, 1):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{char_value}, {group} row {i}"
        day = parse_day(row[0], where, "tou")
        if day in out:
            raise ValidationError(f"{where}: {day.isoformat()} is there twice. A TOU group has "
                                  "one set of values per effective date.", "tou")
        values = {tou: parse_number(row[c + 1] if c + 1 < len(row) else "",
                                    f"{where} ({tou})", "tou")
                  for c, tou in enumerate(members)}
        out[day] = BillFactorTouValue(group, day, values)
    return sorted(out.values(), key=lambda v: v.effective)


def parse_gl(rows: Rows, char_value: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, (revenue_class, code) in enumerate(rows, 1):
        revenue_class, code = revenue_class.strip().upper(), code.strip().upper()
        if not revenue_class and not code:
            continue
        where = f"{char_value}, row {i}"
        if not revenue_class or not code:
            raise ValidationError(f"{where}: enter both the revenue class and the distribution "
                                  "code (or clear the row).", "gl")
        if revenue_class in out:
            raise ValidationError(f"{where}: revenue class {revenue_class} is there twice.",
                                  "gl")
        out[revenue_class] = code
    return out


@dataclass
class CharDraft:
    """What the grids hold for one characteristic value, as typed."""

    original: BillFactorCharacteristic | None
    minutes: str = ""
    external_id: str = ""
    values: Rows = field(default_factory=list)
    tou: dict[str, Rows] = field(default_factory=dict)
    gl: Rows = field(default_factory=list)

    @classmethod
    def of(cls, bfc: BillFactorCharacteristic) -> CharDraft:
        return cls(bfc, "" if bfc.minutes_per_interval is None else str(bfc.minutes_per_interval),
                   bfc.external_id or "",
                   [[v.effective.isoformat(), str(v.value)] for v in bfc.values], {},
                   [[rc, code] for rc, code in bfc.gl_distribution.items()])

    def stored_tou(self) -> tuple[BillFactorTouValue, ...]:
        return self.original.tou_values if self.original is not None else ()

    def tou_rows(self, group: str, members: Sequence[str]) -> Rows:
        """The rows of one TOU group, one column per member (read from the stored sets the
        first time the group is shown)."""
        if group not in self.tou:
            self.tou[group] = [[tv.effective.isoformat(),
                                *(str(tv.values.get(m, "")) for m in members)]
                               for tv in self.stored_tou() if tv.tou_group == group]
        return self.tou[group]

    def build(self, char_value: str, groups: dict[str, tuple[str, ...]]
              ) -> BillFactorCharacteristic:
        minutes = None
        if self.minutes.strip():
            if not self.minutes.strip().isdigit():
                raise ValidationError(f"{char_value}: minutes per interval must be a whole "
                                      "number.", "characteristics")
            minutes = int(self.minutes)
        order = list(dict.fromkeys([tv.tou_group for tv in self.stored_tou()] + list(self.tou)))
        tou: list[BillFactorTouValue] = []
        for group in order:      # a group never shown keeps its stored sets as they are
            tou += parse_tou(self.tou[group], char_value, group, groups.get(group, ())) \
                if group in self.tou else [tv for tv in self.stored_tou() if tv.tou_group == group]
        base = self.original or BillFactorCharacteristic(char_value)
        return replace(base, char_value=char_value, values=parse_values(self.values, char_value),
                       tou_values=tuple(tou), gl_distribution=parse_gl(self.gl, char_value),
                       minutes_per_interval=minutes, external_id=self.external_id.strip() or None)


def lenient_values(rows: Rows) -> list[tuple[dt.date, float]]:
    """The rows that read as (date, number), by date, for the chart (which draws floats)."""
    points: dict[dt.date, float] = {}
    for row in rows:
        try:
            day = dt.date.fromisoformat(row[0].strip())
            points[day] = float(Decimal(row[1].strip().replace(",", "") or "0"))
        except (ValueError, InvalidOperation):
            continue
    return sorted(points.items())


@dataclass(frozen=True)
class Loaded:
    edit: BillFactorForEdit
    #: Rate components that use the bill factor ("E-RES-1 2020-01-01 #50").
    used_by: tuple[str, ...]
    tou_groups: dict[str, tuple[str, ...]]


def load_bill_factor(db: Any, actor: Any, code: str) -> Loaded:
    edit = rates.open_bill_factor(db, actor, code)
    lib = rates.rate_library(db)
    used = tuple(f"{rs.code} {v.effective.isoformat()} #{rc.sequence}"
                 for rs in lib.rate_schedules.values() for v in rs.versions
                 for rc in v.components if rc.bill_factor == code)
    return Loaded(edit, used, {g.code: tuple(g.members) for g in lib.tou_groups.values()})


def _grid(columns: Sequence[str], stretch: int = -1) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch if stretch < 0
                                else QHeaderView.ResizeMode.Interactive)
    if stretch >= 0:
        header.setStretchLastSection(False)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def _rows(table: QTableWidget) -> Rows:
    return [[cell(table, r, c) for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def _fill(table: QTableWidget, rows: Rows, locked_columns: Sequence[int] = ()) -> None:
    table.blockSignals(True)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c in range(table.columnCount()):
            item = QTableWidgetItem(row[c] if c < len(row) else "")
            if c in locked_columns:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            table.setItem(r, c, item)
    table.blockSignals(False)




def _timestamp(day: dt.date) -> float:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()


class BillFactorEditorPane(QWidget):
    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.loaded: Loaded | None = None
        self.is_new = False
        self.dirty = False
        self.busy = False
        self._filling = False
        self._discard_armed = False
        self.drafts: dict[str, CharDraft] = {}
        self.current_char: str | None = None
        self.current_group: str | None = None
        self.tou_groups: dict[str, tuple[str, ...]] = {}
        self.factors: list[tuple[str, str]] = []
        self.can_edit = False
        self._build()
        pane_shortcuts(self, (("Ctrl+S", self.save), ("F5", self.reload)))
        self._set_editable()
        self.refresh_list()

    # ---------------------------------------------------------------------------- building

    def _build(self) -> None:
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by code or description")
        self.filter.setAccessibleName("Filter bill factors")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(lambda _t: self._fill_list())
        self.list = QListWidget()
        self.list.setAccessibleName("Bill factors")
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSpacing(1)
        self.list.currentItemChanged.connect(self._list_chosen)
        self.list_empty = label("", "hint", wrap=True)
        self.new_button = push_button("New Bill Factor…", "Start a new bill factor", self.new)
        side = QWidget()
        side.setMaximumWidth(330)
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        for item in (self.filter, self.list, self.list_empty, self.new_button):
            column.addWidget(item)
        column.setStretchFactor(self.list, 1)

        self.title = label("Bill Factors", "pageTitle")
        self.subtitle = label("Choose a bill factor on the left, or start a new one.",
                              "pageSubtitle", wrap=True)
        self.banner = label(NO_ROLE, "authorityBanner", wrap=True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self._build_main())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_characteristics())
        splitter.addWidget(self._build_tabs())
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([360, 900])
        splitter.setChildrenCollapsible(False)
        body.addWidget(splitter, 1)
        self.message = label("", "inlineOk", wrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.save_button = push_button("Save", "Save the bill factor (Ctrl+S)", self.save,
                                       "primary")
        self.reload_button = push_button("Reload", "Load what is saved now (F5)", self.reload)
        bar = QHBoxLayout()
        bar.addWidget(self.message, 10)
        bar.addStretch(1)
        bar.addWidget(self.reload_button)
        bar.addWidget(self.save_button)
        main = QVBoxLayout()
        main.setSpacing(8)
        self.empty = QFrame()
        self.empty.setObjectName("emptyCard")
        self.empty.setMaximumWidth(760)
        card = QVBoxLayout(self.empty)
        card.setContentsMargins(28, 22, 28, 24)
        card.addWidget(label("No bill factor open", "emptyHeading"))
        card.addWidget(label("Pick one in the list (type in the filter to narrow it), or press "
                             "New Bill Factor… to start one. A bill factor holds values shared "
                             "by many rates — a tax percent per state, a price per kWh — each "
                             "effective from a date.", "emptyText", wrap=True))
        self.filler = QWidget()
        shown: tuple[QWidget, ...] = (self.title, self.subtitle, self.banner, self.body,
                                      self.empty, self.filler)
        for widget in shown:
            main.addWidget(widget)
        main.setStretchFactor(self.body, 1)
        main.setStretchFactor(self.filler, 1)
        main.addLayout(bar)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 12)
        outer.setSpacing(18)
        outer.addWidget(side)
        outer.addLayout(main, 1)
        self.body.hide()
        for button in (self.save_button, self.reload_button):
            button.hide()

    def _build_main(self) -> QGroupBox:
        box = QGroupBox("Main")
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        self.code = QLineEdit()
        self.code.setMaxLength(8)
        self.description = QLineEdit()
        self.description.setMaxLength(60)
        self.type_combo = self._combo(BillFactorType)
        self.currency = QLineEdit()
        self.currency.setMaxLength(3)
        self.value_type = self._combo(ValueType)
        self.char_type = QLineEdit()
        self.char_type.setMaxLength(8)
        self.char_source = self._combo(CharSource)
        self.rate_date = QComboBox()
        self.rate_date.setEditable(True)
        self.rate_date.addItems(RATE_DATES)
        self.tos_usage = self._combo(TosUsage, blank="—")
        fields: tuple[tuple[str, QLineEdit | QComboBox], ...] = (("Code", self.code), ("Description", self.description),
                  ("Type", self.type_combo), ("Currency", self.currency),
                  ("Value type", self.value_type), ("Char type", self.char_type),
                  ("Char source", self.char_source), ("Rate selection date", self.rate_date),
                  ("TOS usage", self.tos_usage))
        for i, (caption, widget) in enumerate(fields):
            widget.setAccessibleName(caption)
            row, col = divmod(i, 3)
            grid.addWidget(QLabel(caption), row, col * 2)
            grid.addWidget(widget, row, col * 2 + 1)
            grid.setColumnStretch(col * 2 + 1, 1)
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(lambda _t: self._mark_dirty())
            else:
                widget.currentIndexChanged.connect(lambda _i: self._mark_dirty())
        self.rate_date.editTextChanged.connect(lambda _t: self._mark_dirty())
        self.type_combo.currentIndexChanged.connect(lambda _i: self._type_changed())
        self.flags: dict[str, QCheckBox] = {}
        for i, (name, caption) in enumerate(FLAGS):
            check = QCheckBox(caption)
            check.toggled.connect(lambda _on: self._mark_dirty())
            self.flags[name] = check
            grid.addWidget(check, 3 + i // 3, (i % 3) * 2, 1, 2)
        self.code_message = FieldMessage(self.code, self)
        self.description_message = FieldMessage(self.description, self)
        self.lock_hint = label("Greyed fields are locked (spec/10 §6.3); hover over one to "
                               "see why.", "hint")
        self.lock_hint.hide()
        grid.addWidget(self.lock_hint, 5, 0, 1, 6)
        self.main_error = error_label()
        grid.addWidget(self.main_error, 6, 0, 1, 6)
        return box

    def _combo(self, enum: Any, blank: str = "") -> QComboBox:
        combo = QComboBox()
        if blank:
            combo.addItem(blank, None)
        for member in enum:
            combo.addItem(ENUM_LABELS.get(member.value,
                                          member.value.replace("_", " ").capitalize()),
                          member.value)
        return combo

    def _build_characteristics(self) -> QGroupBox:
        box = QGroupBox("Characteristic values")
        column = QVBoxLayout(box)
        self.chars = _grid(("Value", "Min./interval", "External ID"), stretch=0)
        self.chars.setMinimumWidth(330)
        self.chars.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents)
        self.chars.setColumnWidth(2, 110)
        header_item = self.chars.horizontalHeaderItem(1)
        if header_item is not None:
            header_item.setToolTip("Minutes per interval (interval bill factors only)")
        self.chars.setAccessibleName("Characteristic values")
        self.chars.itemSelectionChanged.connect(self._char_chosen)
        self.chars.itemChanged.connect(lambda _i: self._mark_dirty())
        self.new_char = QLineEdit()
        self.new_char.setPlaceholderText("New value, e.g. NV")
        self.new_char.setMaxLength(16)
        self.new_char.setAccessibleName("New characteristic value")
        self.new_char.returnPressed.connect(self.add_characteristic)
        self.add_char_button = push_button("Add", "Add the characteristic value",
                                       self.add_characteristic)
        self.delete_char_button = push_button("Delete", "Delete the selected characteristic value "
                                          "with all its values", self.delete_characteristic)
        line = QHBoxLayout()
        for widget in (self.new_char, self.add_char_button, self.delete_char_button):
            line.addWidget(widget)
        self.chars_error = error_label()
        column.addWidget(self.chars, 1)
        column.addLayout(line)
        column.addWidget(self.chars_error)
        return box

    def _build_tabs(self) -> QTabWidget:
        self.tabs = QTabWidget()
        # values
        page = QWidget()
        column = QVBoxLayout(page)
        self.values = _grid(("Effective date", "Value"))
        self.values.setAccessibleName("Effective-dated values")
        self.values.itemChanged.connect(self._values_edited)
        self.add_value_button = push_button("Add Row", "Add an effective date (value 0)",
                                        self.add_value_row)
        self.delete_value_button = push_button("Delete Row", "Delete the selected row",
                                           lambda: self._delete_row(self.values))
        self.show_all = QCheckBox("Show all characteristic values")
        self.show_all.toggled.connect(lambda _on: self.draw_chart())
        self.values_error = error_label()
        self.values_hint = label("", "hint", wrap=True)
        line = QHBoxLayout()
        for widget in (self.add_value_button, self.delete_value_button):
            line.addWidget(widget)
        line.addStretch(1)
        self.values.setMaximumWidth(340)
        left = QVBoxLayout()
        left.addWidget(self.values, 1)
        left.addLayout(line)
        self.chart = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.chart.setMinimumHeight(200)
        self.chart.setMenuEnabled(False)
        self.chart.hideButtons()
        self.chart.setBackground(None)
        self.chart.showGrid(x=False, y=True, alpha=0.16)
        self.chart.setAccessibleName("Values over time")
        self.legend = self.chart.addLegend(offset=(8, 4))
        self.curves: list[pg.PlotDataItem] = []
        right = QVBoxLayout()
        caption = QHBoxLayout()
        caption.addWidget(label("Values over time", "sectionHeading"))
        caption.addStretch(1)
        caption.addWidget(self.show_all)
        right.addLayout(caption)
        right.addWidget(self.chart, 1)
        top = QHBoxLayout()
        top.addLayout(left, 0)
        top.addLayout(right, 1)
        column.addLayout(top, 1)
        column.addWidget(self.values_error)
        self.values_type_hint = label("Only a Regular bill factor has effective-dated values "
                                      "(TOU factors have TOU values, interval factors interval "
                                      "value sets).", "hint", wrap=True)
        column.addWidget(self.values_type_hint)
        column.addWidget(self.values_hint)
        self.tabs.addTab(page, "Values")
        # TOU values
        page = QWidget()
        column = QVBoxLayout(page)
        self.group_combo = QComboBox()
        self.group_combo.setAccessibleName("TOU group")
        self.group_combo.currentIndexChanged.connect(self._group_chosen)
        self.tou = _grid(("Effective date",))
        self.tou.setAccessibleName("TOU values")
        self.tou.itemChanged.connect(lambda _i: self._mark_dirty())
        self.add_tou_button = push_button("Add Row", "A complete new set of values under a new "
                                      "effective date", self.add_tou_row)
        self.delete_tou_button = push_button("Delete Row", "Delete the selected set",
                                         lambda: self._delete_row(self.tou))
        line = QHBoxLayout()
        line.addWidget(QLabel("TOU group"))
        line.addWidget(self.group_combo)
        line.addStretch(1)
        line.addWidget(self.add_tou_button)
        line.addWidget(self.delete_tou_button)
        self.tou_error = error_label()
        self.tou_empty = label("", "hint", wrap=True)
        self.tou_type_hint = label("Only a TOU bill factor has TOU values; set Type to TOU to "
                                   "enter them.", "hint", wrap=True)
        column.addWidget(self.tou_type_hint)
        column.addLayout(line)
        column.addWidget(self.tou, 1)
        column.addWidget(self.tou_error)
        column.addWidget(self.tou_empty)
        column.addWidget(label("Every TOU of the group shares the row's effective date: a "
                               "change to one value is a new row with the whole set.", "hint",
                               wrap=True))
        self.tabs.addTab(page, "TOU Values")
        # GL distribution
        page = QWidget()
        column = QVBoxLayout(page)
        self.gl = _grid(("Revenue class", "Distribution code"))
        self.gl.setAccessibleName("GL distribution")
        self.gl.itemChanged.connect(lambda _i: self._mark_dirty())
        line = QHBoxLayout()
        self.gl_buttons = [push_button("Add Row", "Add a revenue class", self.add_gl_row),
                           push_button("Delete Row", "Delete the selected row",
                                   lambda: self._delete_row(self.gl))]
        for button in self.gl_buttons:
            line.addWidget(button)
        line.addStretch(1)
        self.gl_error = error_label()
        column.addWidget(self.gl, 1)
        column.addLayout(line)
        column.addWidget(self.gl_error)
        column.addWidget(label("Optional: only when the GL account depends on the "
                               "characteristic value (e.g. city tax payable per city). "
                               "Otherwise the rate component's distribution is used.", "hint",
                               wrap=True))
        self.tabs.addTab(page, "GL Distribution")
        self.grid_errors = {"values": (self.values_error, 0), "tou": (self.tou_error, 1),
                            "gl": (self.gl_error, 2), "characteristics": (self.chars_error, 0)}
        return self.tabs

    # ----------------------------------------------------------------------------- listing

    def refresh_list(self) -> None:
        run_task(rates.list_bill_factors, self.ctx.db, on_result=self._listed,
                 on_error=lambda exc: self._say(str(getattr(exc, "message", exc)), ok=False))

    def _listed(self, factors: list[tuple[str, str]]) -> None:
        self.factors = factors
        self._fill_list()

    def _fill_list(self) -> None:
        text = self.filter.text().strip().lower()
        current = self.loaded.edit.bill_factor.code if self.loaded else None
        self.list.blockSignals(True)
        self.list.clear()
        for code, description in self.factors:
            if text and text not in code.lower() and text not in description.lower():
                continue
            item = QListWidgetItem(f"{code} — {description}")
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setToolTip(description)
            self.list.addItem(item)
            if code == current:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.list_empty.setText("" if self.list.count() else
                                "No bill factor matches the filter." if self.factors else
                                "There are no bill factors yet. Load the shipped rates or "
                                "start one with New Bill Factor…")
        self.list_empty.setVisible(not self.list.count())

    def _list_chosen(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is not None:
            self.open_bill_factor(str(item.data(Qt.ItemDataRole.UserRole)))

    # ----------------------------------------------------------------------------- loading

    def open_bill_factor(self, code: str) -> None:
        """Show bill factor ``code`` (unsaved changes to another are kept until confirmed)."""
        if self.dirty and not self._discard_armed:
            self._discard_armed = True
            self._say("There are unsaved changes: save them (Ctrl+S), or choose again to "
                      "discard them.", ok=False)
            return
        self._discard_armed = False
        self._say("Loading…", ok=True)
        run_task(load_bill_factor, self.ctx.db, self.ctx.actor, code.strip().upper(),
                 on_result=self._loaded,
                 on_error=lambda exc: self._say(getattr(exc, "message", str(exc)), ok=False))

    def reload(self) -> None:
        if self.loaded is not None and not self.is_new:
            self.open_bill_factor(self.loaded.edit.bill_factor.code)

    def _loaded(self, loaded: Loaded, saved: bool = False) -> None:
        self.loaded, self.is_new = loaded, False
        self.tou_groups = loaded.tou_groups
        self._show(loaded.edit.bill_factor, loaded.edit.can_edit)
        bf = loaded.edit.bill_factor
        self.subtitle.setText(f"Last changed by {loaded.edit.updated_by or '—'} · used by "
                              f"{len(loaded.used_by)} rate component"
                              f"{'' if len(loaded.used_by) == 1 else 's'}")
        self._say(f"Saved {bf.code}." if saved else "", ok=True)
        self.ctx.host.record_visit(BILL_FACTORS)
        self._fill_list()

    def new(self) -> None:
        if not self.can_edit_now():
            return
        if self.dirty and not self._discard_armed:
            self._discard_armed = True
            self._say("There are unsaved changes: save them (Ctrl+S), or press New again to "
                      "discard them.", ok=False)
            return
        self._discard_armed = False
        self.loaded, self.is_new = None, True
        self.list.clearSelection()
        self._show(BillFactor("", "", "N/A", characteristics={
            "N/A": BillFactorCharacteristic("N/A")}), True)
        self.subtitle.setText("A factor that does not depend on a characteristic keeps the "
                              "dummy type and value N/A.")
        self._say("", ok=True)
        self.code.setFocus()
        run_task(rates.rate_library, self.ctx.db, on_result=self._groups_known)

    def can_edit_now(self) -> bool:
        return self.ctx.actor.has_any(*rates.EDIT_ROLES)

    def _groups_known(self, lib: Any) -> None:
        self.tou_groups = {g.code: tuple(g.members) for g in lib.tou_groups.values()}
        self._fill_groups()

    def _show(self, bf: BillFactor, can_edit: bool) -> None:
        self._filling = True
        self.can_edit = can_edit
        self.title.setText(f"{bf.code} — {bf.description}" if bf.code else "New bill factor")
        self.code.setText(bf.code)
        self.description.setText(bf.description)
        for combo, value in ((self.type_combo, bf.type), (self.value_type, bf.value_type),
                             (self.char_source, bf.char_source), (self.tos_usage, bf.tos_usage)):
            combo.setCurrentIndex(max(combo.findData(value.value if value else None), 0))
        self.currency.setText(bf.currency)
        self.char_type.setText(bf.char_type)
        self.rate_date.setCurrentText(bf.rate_selection_date)
        for name, check in self.flags.items():
            check.setChecked(bool(getattr(bf, name)))
        self.drafts = {cv: CharDraft.of(bfc) for cv, bfc in bf.characteristics.items()}
        self.current_char = None
        self.chars.clearSelection()        # row 0 of the last factor must not stay selected
        _fill(self.chars, [[cv, d.minutes, d.external_id] for cv, d in self.drafts.items()],
              locked_columns=(0,))
        self._filling = False
        self.dirty = False
        self._clear_errors()
        self.body.show()
        for widget in (self.empty, self.filler):
            widget.hide()
        for button in (self.save_button, self.reload_button):
            button.show()
        self.banner.setVisible(not can_edit)
        self._set_editable()
        self._fill_groups()
        if self.chars.rowCount():
            self.chars.selectRow(0)
        else:
            self._char_chosen()

    def _set_editable(self) -> None:
        on = self.can_edit and not self.busy
        loaded = self.loaded.edit.bill_factor if self.loaded else None
        used = self.loaded.used_by if self.loaded else ()
        has_values = loaded is not None and any(
            c.values or c.tou_values for c in loaded.characteristics.values())
        locks = {self.currency: (f"Locked: {len(used)} rate component"
                                 f"{' uses' if len(used) == 1 else 's use'} this bill factor ("
                                 + ", ".join(used[:4]) + ("…" if len(used) > 4 else "") + ")")
                 if used else "",
                 self.value_type: "Locked: rate components use this bill factor, or it has "
                                  "values" if used or has_values else "",
                 self.char_type: "Locked: characteristic values exist"
                                 if loaded is not None and loaded.characteristics else "",
                 self.code: "" if self.is_new else "The code cannot change once saved"}
        for widget in (self.code, self.description, self.type_combo, self.currency,
                       self.value_type, self.char_type, self.char_source, self.rate_date,
                       self.tos_usage, *self.flags.values()):
            lock = locks.get(widget, "")
            if isinstance(widget, QLineEdit):     # read-only text stays readable
                widget.setReadOnly(not on)
                widget.setEnabled(not (on and lock))
            else:
                widget.setEnabled(on and not lock)
            widget.setToolTip(lock if on else NO_ROLE if not self.can_edit else "")
        self.lock_hint.setVisible(on and any(locks[w] for w in (self.currency, self.value_type,
                                                                 self.char_type)))
        triggers = (QAbstractItemView.EditTrigger.DoubleClicked
                    | QAbstractItemView.EditTrigger.EditKeyPressed
                    | QAbstractItemView.EditTrigger.AnyKeyPressed) if on \
            else QAbstractItemView.EditTrigger.NoEditTriggers
        for grid in (self.chars, self.values, self.tou, self.gl):
            grid.setEditTriggers(triggers)
        for button in (self.add_char_button, self.delete_char_button, self.add_value_button,
                       self.delete_value_button, self.add_tou_button, self.delete_tou_button,
                       self.save_button, *self.gl_buttons):
            button.setEnabled(on)
        self.new_char.setEnabled(on)
        self.new_button.setEnabled(self.can_edit_now() and not self.busy)
        self._type_changed()
        self.reload_button.setEnabled(self.loaded is not None and not self.busy)

    # --------------------------------------------------------------------- characteristics

    def _stash(self) -> None:
        """Keep what the grids hold in the current characteristic's draft."""
        for r in range(self.chars.rowCount()):
            found = self.drafts.get(cell(self.chars, r, 0))
            if found is not None:
                found.minutes = cell(self.chars, r, 1)
                found.external_id = cell(self.chars, r, 2)
        draft = self.drafts.get(self.current_char or "")
        if draft is None:
            return
        draft.values = _rows(self.values)
        draft.gl = _rows(self.gl)
        if self.current_group is not None:
            draft.tou[self.current_group] = _rows(self.tou)

    def _char_chosen(self) -> None:
        self._stash()
        rows = self.chars.selectionModel().selectedRows()
        cv = cell(self.chars, rows[0].row(), 0) if rows else None
        self.current_char = cv if cv in self.drafts else None
        draft = self.drafts.get(self.current_char or "")
        _fill(self.values, draft.values if draft else [])
        _fill(self.gl, draft.gl if draft else [])
        self._fill_tou()
        enabled = draft is not None
        for widget in (self.values, self.tou, self.gl):
            widget.setEnabled(enabled)
        bfc = draft.original if draft else None
        sets = len(bfc.interval_sets) if bfc is not None else 0
        self.values_hint.setText(
            "Choose a characteristic value on the left." if draft is None else
            f"{sets} interval value set(s) are kept as they are; this grid holds regular "
            "values only." if sets else
            "A blank value is 0. Values take effect on their date until the next row's date.")
        self.draw_chart()

    def add_characteristic(self) -> None:
        cv = self.new_char.text().strip().upper()
        self.chars_error.hide()
        if not self.can_edit or not cv:
            return
        if cv in self.drafts:
            self._grid_error("characteristics", f"{cv} is already a characteristic value.")
            return
        self._stash()
        self.drafts[cv] = CharDraft(None)
        row = self.chars.rowCount()
        self.chars.blockSignals(True)
        self.chars.insertRow(row)
        item = QTableWidgetItem(cv)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.chars.setItem(row, 0, item)
        for c in (1, 2):
            self.chars.setItem(row, c, QTableWidgetItem(""))
        self.chars.blockSignals(False)
        self.new_char.clear()
        self._mark_dirty()
        self.chars.selectRow(row)

    def delete_characteristic(self) -> None:
        rows = self.chars.selectionModel().selectedRows()
        if not self.can_edit or not rows:
            return
        row = rows[0].row()
        cv = cell(self.chars, row, 0)
        self.drafts.pop(cv, None)
        self.current_char = None
        self.chars.removeRow(row)
        self._mark_dirty()
        if self.chars.rowCount():
            self.chars.selectRow(min(row, self.chars.rowCount() - 1))
        else:
            self._char_chosen()

    # ------------------------------------------------------------------------------ grids

    def _add_row(self, table: QTableWidget, cells: Sequence[str]) -> None:
        if not self.can_edit or self.current_char is None:
            return
        row = table.rowCount()
        table.blockSignals(True)
        table.insertRow(row)
        for c in range(table.columnCount()):
            table.setItem(row, c, QTableWidgetItem(cells[c] if c < len(cells) else ""))
        table.blockSignals(False)
        table.selectRow(row)
        table.setCurrentCell(row, 0)
        self._mark_dirty()
        self.draw_chart()

    def add_value_row(self) -> None:
        self._add_row(self.values, ["", "0"])

    def add_tou_row(self) -> None:
        self._add_row(self.tou, [""] + ["0"] * (self.tou.columnCount() - 1))

    def add_gl_row(self) -> None:
        self._add_row(self.gl, [])

    def _delete_row(self, table: QTableWidget) -> None:
        rows = table.selectionModel().selectedRows()
        if self.can_edit and rows:
            table.removeRow(rows[0].row())
            self._mark_dirty()
            self.draw_chart()

    def bf_type(self) -> BillFactorType:
        return BillFactorType(self.type_combo.currentData())

    def _type_changed(self) -> None:
        """Regular factors hold effective-dated values, TOU factors TOU values and interval
        factors interval sets (and minutes per interval); the other grids only read."""
        kind = self.bf_type()
        on = self.can_edit and not self.busy and self.current_char is not None
        members = self.tou_groups.get(self.current_group or "", ())
        self.add_value_button.setEnabled(on and kind is BillFactorType.REGULAR)
        self.add_tou_button.setEnabled(on and kind is BillFactorType.TOU and bool(members))
        self.tou_type_hint.setVisible(kind is not BillFactorType.TOU)
        self.values_type_hint.setVisible(kind is not BillFactorType.REGULAR)

    def _values_edited(self, _item: QTableWidgetItem) -> None:
        self._mark_dirty()
        self.values_error.hide()
        self.draw_chart()

    def _fill_groups(self) -> None:
        self._stash()
        current = self.current_group
        self.group_combo.blockSignals(True)
        self.group_combo.clear()
        for code, members in self.tou_groups.items():
            self.group_combo.addItem(f"{code} ({', '.join(members)})", code)
        self.group_combo.blockSignals(False)
        index = self.group_combo.findData(current) if current else 0
        self.group_combo.setCurrentIndex(max(index, 0))
        self.current_group = self.group_combo.currentData()
        self._fill_tou()

    def _group_chosen(self) -> None:
        draft = self.drafts.get(self.current_char or "")
        if draft is not None and self.current_group is not None:
            draft.tou[self.current_group] = _rows(self.tou)
        self.current_group = self.group_combo.currentData()
        self._fill_tou()

    def _fill_tou(self) -> None:
        group = self.current_group
        members = self.tou_groups.get(group or "", ())
        self.tou.setColumnCount(1 + len(members))
        self.tou.setHorizontalHeaderLabels(["Effective date", *members])
        draft = self.drafts.get(self.current_char or "")
        _fill(self.tou, draft.tou_rows(group, members)
              if draft is not None and group is not None else [])
        self.tou_empty.setText("" if self.tou.rowCount() else
                               "No TOU groups are defined." if not self.tou_groups else
                               f"{self.current_char} has no {group} values. Add Row starts a "
                               "set." if draft is not None else "")
        self.tou_empty.setVisible(bool(self.tou_empty.text()))
        self._type_changed()

    # ------------------------------------------------------------------------------ chart

    def draw_chart(self) -> None:
        """A step line of the values over time: the selected value, or all of them."""
        self._stash()
        for curve in self.curves:
            self.chart.removeItem(curve)
        self.curves = []
        self.legend.clear()
        shown = list(self.drafts) if self.show_all.isChecked() else \
            [self.current_char] if self.current_char else []
        series = [(cv, lenient_values(self.drafts[cv].values)) for cv in shown]
        series = [(cv, points) for cv, points in series if points]
        if not series:
            return
        last = max(day for _cv, points in series for day, _v in points)
        end = max(last, dt.date.today()) + dt.timedelta(days=180)
        for i, (cv, points) in enumerate(series):
            xs = [_timestamp(day) for day, _v in points] + [_timestamp(end)]
            ys = [v for _day, v in points]
            width = 3.0 if cv == self.current_char and len(series) > 1 else 2.0
            pen = pg.mkPen(CURVE_COLOURS[i % len(CURVE_COLOURS)], width=width)
            curve = pg.PlotDataItem(xs, ys, stepMode="center", pen=pen, name=cv)
            self.chart.addItem(curve)
            self.curves.append(curve)
        self.chart.getPlotItem().setLabel("left", self.value_type.currentText())
        values = [v for _cv, points in series for _d, v in points]
        low, high = min(0.0, *values), max(0.0, *values)
        span = (high - low) or 1.0
        self.chart.setYRange(low - span * 0.04, high + span * 0.1, padding=0)
        self.chart.setXRange(_timestamp(min(d for _cv, p in series for d, _v in p)),
                             _timestamp(end), padding=0.02)

    def chart_series(self) -> list[tuple[str, int]]:
        """(characteristic value, steps drawn) per curve: for tests and screen readers."""
        return [(str(c.name()), len(c.yData) if c.yData is not None else 0) for c in self.curves]

    # ----------------------------------------------------------------------------- saving

    def _mark_dirty(self) -> None:
        if not self._filling:
            self.dirty = True
            self._discard_armed = False

    def build(self) -> BillFactor:
        """The bill factor as the form and grids hold it; ValidationError names the grid."""
        self._stash()
        base = self.loaded.edit.bill_factor if self.loaded and not self.is_new else \
            BillFactor("", "", "N/A")
        characteristics = {cv: draft.build(cv, self.tou_groups)
                           for cv, draft in self.drafts.items()}
        kind = self.bf_type()
        for cv, bfc in characteristics.items():
            if bfc.values and kind is not BillFactorType.REGULAR:
                raise ValidationError(f"{cv}: effective-dated values are for Regular bill "
                                      "factors; delete them or set Type back to Regular.",
                                      "values")
            if bfc.tou_values and kind is not BillFactorType.TOU:
                raise ValidationError(f"{cv}: TOU values are for TOU bill factors; delete them "
                                      "or set Type back to TOU.", "tou")
        tos = self.tos_usage.currentData()
        if not self.description.text().strip():
            raise ValidationError("Enter a description for the bill factor.", "description")
        return replace(
            base, code=self.code.text().strip().upper(),
            description=self.description.text().strip(),
            type=BillFactorType(self.type_combo.currentData()),
            currency=self.currency.text().strip().upper() or "USD",
            value_type=ValueType(self.value_type.currentData()),
            char_type=self.char_type.text().strip().upper(),
            char_source=CharSource(self.char_source.currentData()),
            rate_selection_date=self.rate_date.currentText().strip().upper() or RATE_DATES[0],
            tos_usage=TosUsage(tos) if tos else None,
            characteristics=characteristics,
            **{name: check.isChecked() for name, check in self.flags.items()})

    def save(self) -> None:
        if self.busy or not self.can_edit or not self.body.isVisible():
            return
        self._clear_errors()
        try:
            bf = self.build()
        except DomainError as exc:
            self._show_error(exc)
            return
        expected = None if self.is_new or self.loaded is None else self.loaded.edit.row_version
        self.busy = True
        self._set_editable()
        self._say("Saving…", ok=True)
        db, actor = self.ctx.db, self.ctx.actor

        def call() -> Loaded:
            saved = rates.save_bill_factor(db, actor, bf, expected)
            return load_bill_factor(db, actor, saved.bill_factor.code)
        run_task(call, on_result=self._saved, on_error=self._save_failed)

    def _saved(self, loaded: Loaded) -> None:
        self.busy = False
        self._loaded(loaded, saved=True)
        self.ctx.host.show_status(f"Bill factor {loaded.edit.bill_factor.code} saved.")
        self.refresh_list()

    def _save_failed(self, exc: BaseException) -> None:
        self.busy = False
        self._set_editable()
        if isinstance(exc, ConcurrentChange):
            self._say(exc.message + " Press F5 to reload.", ok=False)
        elif isinstance(exc, DomainError):
            self._show_error(exc)
        else:
            self._say(f"The bill factor could not be saved: {exc}", ok=False)

    # ---------------------------------------------------------------------------- messages

    def _show_error(self, exc: DomainError) -> None:
        self._say("Nothing was saved.", ok=False)
        if exc.field == "code":
            self.code_message.show_message(exc.message)
        elif exc.field == "description":
            self.description_message.show_message(exc.message)
        elif GRID_FIELDS.get(exc.field or "", exc.field) in self.grid_errors:
            self._grid_error(GRID_FIELDS.get(exc.field or "", exc.field or ""), exc.message)
        else:
            self.main_error.setText(exc.message)
            self.main_error.show()

    def _grid_error(self, grid: str, text: str) -> None:
        """Show the message beside its grid, on the characteristic value it is about."""
        error, tab = self.grid_errors[grid]
        cv = text.split(",", 1)[0].split(":", 1)[0]
        if cv in self.drafts and cv != self.current_char:
            for r in range(self.chars.rowCount()):
                if cell(self.chars, r, 0) == cv:
                    self.chars.selectRow(r)
        if grid != "characteristics":
            self.tabs.setCurrentIndex(tab)
        error.setText(text)
        error.show()

    def error_text(self, grid: str) -> str:
        places = {**{k: v[0] for k, v in self.grid_errors.items()}, "main": self.main_error,
                  "code": self.code_message, "description": self.description_message}
        shown = places[grid]
        return shown.text() if not shown.isHidden() else ""

    def _clear_errors(self) -> None:
        for error, _tab in self.grid_errors.values():
            error.hide()
        self.main_error.hide()
        self.code_message.clear()
        self.description_message.clear()

    def _say(self, text: str, ok: bool) -> None:
        say(self.message, text, ok)

    # -------------------------------------------------------------------------- navigation

    def pane_state(self) -> object:
        return self.loaded.edit.bill_factor.code if self.loaded and not self.is_new else None

    def history_key(self) -> str:
        state = self.pane_state()
        return f"bill-factor:{state}" if state else ""

    def restore_state(self, state: object) -> None:
        if isinstance(state, str) and state:
            self.open_bill_factor(state)


def open_bill_factor(host: PaneHost, code: str) -> None:
    """Show bill factor ``code`` in the Bill Factors pane."""
    pane = host.open_pane(BILL_FACTORS)
    if isinstance(pane, BillFactorEditorPane):
        pane.open_bill_factor(code)


def _make(ctx: PaneContext) -> QWidget:
    return BillFactorEditorPane(ctx)


BILL_FACTORS_SPEC = register(PaneSpec(BILL_FACTORS, "Bill Factors", "Ctrl+8", _make))

__all__ = ["BILL_FACTORS", "BILL_FACTORS_SPEC", "BillFactorEditorPane", "CharDraft",
           "open_bill_factor", "parse_values"]
