"""The Rate Check pane's result tabs (spec/20 §9.2–§9.6): the common header, Calc Lines (one
section per bill segment header with every §9.3 column and a total row), SQ Details, Register
Read, Characteristics, and a bar chart of the amounts by component.

Everything shown comes from the `RateCheckOutcome` the service returned: amounts are formatted
(`app.reports.formatting`, the same text the printed page uses), never computed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QPalette,
    QResizeEvent,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.engine.rates.results import CalcHeader, CalcLine, RateCheckResult
from app.reports.formatting import (
    DASH,
    day_text,
    flag_text,
    money_text,
    period_text,
    quantity_text,
)
from app.services.rate_check import RateCheckOutcome
from app.views.dashboard import SORT_ROLE, Cell
from app.views.plot_style import bar_colour, style_plot
from app.views.widgets import label

#: Marks a row that stays at the bottom whatever the sort (a grid's total row).
PINNED_ROLE = Qt.ItemDataRole.UserRole + 7
ROW_HEIGHT = 26
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
HIGHLIGHT_COLOUR = "#1e7d3a"
CURRENT_COLOUR = "#e8892b"

#: The Calc Lines grid, in the order of spec/20 §9.3 (and whether the line counts in the total).
CALC_COLUMNS = ("Seq", "Description on Bill", "Amount", "Print", "In\nSummary", "UOM", "TOU",
                "SQI", "Billable\nSQ", "Base\nAmount", "RC\nSeq", "Peak", "Exempt\nAmount",
                "Distribution\nCode", "In\nTotal")
CALC_TIPS = ("Sequence: the calc line id (system-assigned)",
             "Description on Bill: the rendered text", "Calculated Amount: the line amount",
             "Print: the line prints on the customer's bill",
             "App in Summary: a SUMMARY component covers this line",
             "UOM of the priced service quantity", "TOU of the priced service quantity",
             "SQI of the priced service quantity",
             "Billable Service Quantity: the quantity priced (after register and SQ rules)",
             "Base Amount: sum of the lines this line was calculated from (e.g. for taxes)",
             "Sequence (RC): the rate component on the rate version that made the line",
             "Meas Peak Qty: the unit of measure measures a peak",
             "Exempt Amount: the tax-exempt part (only when an SA ID was given)",
             "Distribution Code for the GL details of the financial transaction",
             "In Total: the line counts in the total (summary and FCPO lines do not)")
FLAG_COLUMNS = (3, 4, 11, 14)
AMOUNT_COLUMNS = (2, 9, 12)
QUANTITY_COLUMNS = (8,)
SQ_COLUMNS = ("UOM", "TOU", "SQI", "Initial Service Quantity", "Billable Service Quantity")
READ_COLUMNS = ("UOM", "TOU", "SQI", "Measured Quantity", "Final UOM", "Final TOU", "Final SQI",
                "Register Quantity", "Service Point ID")
CHAR_COLUMNS = ("Characteristic Type", "Characteristic Value", "Description")


def _decimal_key(value: Decimal | None) -> float:
    """Only the sort order: the text shown is the Decimal's."""
    return float(value) if value is not None else float("-inf")


def calc_line_cells(line: CalcLine, currency: str) -> list[Cell]:
    """One Calc Lines row: every §9.3 column, as the printed page shows it too."""
    return [
        Cell(str(line.seq), line.seq, right=True),
        Cell(line.description_on_bill, tooltip=line.description_on_bill
             + ("" if line.in_total else "\nNot in the total (a summary or FCPO line)")),
        Cell(money_text(line.amount, currency), _decimal_key(line.amount), right=True),
        Cell(flag_text(line.print), int(line.print)),
        Cell(flag_text(line.app_in_summary), int(line.app_in_summary)),
        Cell(line.uom or ""), Cell(line.tou or ""), Cell(line.sqi or ""),
        Cell(quantity_text(line.billable_sq) if line.billable_sq is not None else "",
             _decimal_key(line.billable_sq), right=True),
        Cell(money_text(line.base_amount, currency) if line.base_amount is not None else "",
             _decimal_key(line.base_amount), right=True),
        Cell(str(line.rc_seq), line.rc_seq, right=True),
        Cell(flag_text(line.measures_peak), int(line.measures_peak)),
        Cell(money_text(line.exempt_amount, currency) if line.exempt_amount is not None
             else "", _decimal_key(line.exempt_amount), right=True),
        Cell(line.distribution_code or ""),
        Cell(flag_text(line.in_total), int(line.in_total)),
    ]


HEADER_FACTS = ("Sequence", "Start – End", "Amount", "Desc on Bill", "Rate Version")


def header_facts(header: CalcHeader, currency: str) -> list[tuple[str, str]]:
    """The Bill Seg Hdr fields of §9.3, label → text."""
    return [("Sequence", str(header.seq)),
            ("Start – End", f"{day_text(header.start_date)} – {day_text(header.end_date)}"),
            ("Amount", money_text(header.amount, currency)),
            ("Desc on Bill", header.description_on_bill or DASH),
            ("Rate Version", f"{header.rate_schedule} effective "
                             f"{header.rate_version.isoformat()}")]


def component_bars(result: RateCheckResult) -> list[tuple[str, Decimal]]:
    """The chart's bars: each line that counts in the total, description → amount (summary
    and FCPO lines are left out: their amounts are already in the lines they cover)."""
    several = len(result.headers) > 1
    bars = []
    for header in result.headers:
        for line in header.lines:
            if line.in_total:
                name = line.description_on_bill or f"Component {line.rc_seq}"
                bars.append((f"{name} ({header.seq})" if several else name, line.amount))
    return bars


def header_text(outcome: RateCheckOutcome) -> str:
    """The common results header (§9.2): rate, revenue class, bill period."""
    result = outcome.result
    revenue = result.revenue_class or DASH
    if result.revenue_class and outcome.revenue_class_description \
            and outcome.revenue_class_description != result.revenue_class:
        revenue = f"{result.revenue_class} — {outcome.revenue_class_description}"
    return (f"<b>{result.rate_schedule}</b> — {outcome.rate_description}"
            f" &nbsp;·&nbsp; Revenue class <b>{revenue}</b>"
            f" &nbsp;·&nbsp; Bill period <b>{period_text(result.start, result.end)}</b>")


# ------------------------------------------------------------------------------------ grids

class _PinnedLast(QSortFilterProxyModel):
    """Sorts by SORT_ROLE; pinned rows (a total) stay last in either order."""

    def lessThan(self, left: QModelIndex | QPersistentModelIndex,  # noqa: N802 - Qt's name
                 right: QModelIndex | QPersistentModelIndex) -> bool:
        lp, rp = bool(left.data(PINNED_ROLE)), bool(right.data(PINNED_ROLE))
        if lp != rp:
            ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
            return rp if ascending else lp
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)


class ResultGrid(QTableView):
    """A read-only sortable grid of `Cell`s; `pinned` rows (totals) stay at the bottom and are
    bold; `muted` rows are grey and italic. With `fit_rows` it is exactly as tall as its rows
    (a section in a scrolling list); otherwise it fills its space."""

    def __init__(self, columns: Sequence[str], *, stretch: int | None = None,
                 fit_rows: bool = False, tips: Sequence[str] = (), name: str = "",
                 centre: Sequence[int] = ()) -> None:
        super().__init__()
        self.columns = tuple(columns)
        self.centre = set(centre)
        self.stretch = stretch
        self.fit_rows = fit_rows
        if name:
            self.setObjectName(name)
            self.setAccessibleName(name)
        self.source = QStandardItemModel(0, len(self.columns), self)
        self.source.setHorizontalHeaderLabels(list(self.columns))
        for c, tip in enumerate(tips):
            self.source.horizontalHeaderItem(c).setToolTip(tip)
        self.proxy = _PinnedLast(self)
        self.proxy.setSourceModel(self.source)
        self.setModel(self.proxy)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if fit_rows:
            self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.set_rows([])

    def set_rows(self, rows: Sequence[Sequence[Cell | str]], *, pinned: Sequence[int] = (),
                 muted: Sequence[int] = (), highlighted: Sequence[int] = ()) -> None:
        self.setSortingEnabled(False)
        self.source.removeRows(0, self.source.rowCount())
        right: set[int] = set()
        bold = QFont(self.font())
        bold.setBold(True)
        italic = QFont(self.font())
        italic.setItalic(True)
        grey = QBrush(self.palette().color(QPalette.ColorGroup.Disabled,
                                           QPalette.ColorRole.Text))
        green = QBrush(QColor(HIGHLIGHT_COLOUR))
        for r, row in enumerate(rows):
            items = []
            for c, value in enumerate(row):
                cell = value if isinstance(value, Cell) else Cell(value)
                item = QStandardItem(cell.text)
                item.setData(cell.sort if cell.sort is not None else cell.text.casefold(),
                             SORT_ROLE)
                item.setData(r in pinned, PINNED_ROLE)
                item.setToolTip(cell.tooltip or cell.text)
                if cell.right:
                    right.add(c)
                    item.setTextAlignment(RIGHT)
                elif c in self.centre:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if r in pinned or r in highlighted:
                    item.setFont(bold)
                if r in highlighted:
                    item.setForeground(green)
                if r in muted:
                    item.setFont(italic)
                    item.setForeground(grey)
                items.append(item)
            self.source.appendRow(items)
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        for c in range(len(self.columns)):
            self.source.horizontalHeaderItem(c).setTextAlignment(
                RIGHT if c in right else Qt.AlignmentFlag.AlignCenter if c in self.centre
                else left)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)
        self.setSortingEnabled(True)
        header = self.horizontalHeader()
        plain, strong = QFontMetrics(self.font()), QFontMetrics(bold)
        for c in range(len(self.columns)):
            heading = max(header.fontMetrics().horizontalAdvance(part)
                          for part in self.columns[c].split("\n"))
            cells = [(strong if r in pinned or r in highlighted else plain).horizontalAdvance(
                self.source.index(r, c).data() or "") for r in range(len(rows))]
            width = max([heading, *cells]) + 18
            width = min(width, 380 if c == self.stretch else 260)
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
            self.setColumnWidth(c, max(width, 36))
        header.setMinimumSectionSize(30)
        if self.stretch is not None:
            self._natural = max(self.columnWidth(self.stretch), 160)
            self._fit_stretch()
        if self.fit_rows:
            scroll = self.horizontalScrollBar().sizeHint().height()
            self.setFixedHeight(header.sizeHint().height() + max(1, len(rows)) * ROW_HEIGHT
                                + scroll + 4)

    def _fit_stretch(self) -> None:
        """The stretch column takes the spare width, but never less than its contents (the
        grid scrolls sideways instead of squeezing the descriptions)."""
        if self.stretch is None or not hasattr(self, "_natural"):
            return
        others = sum(self.columnWidth(c) for c in range(len(self.columns))
                     if c != self.stretch)
        spare = self.viewport().width() - others - 2
        self.setColumnWidth(self.stretch, max(self._natural, spare))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_stretch()

    def row_count(self) -> int:
        return self.proxy.rowCount()

    def cell_text(self, row: int, column: int) -> str:
        """The text shown at (row, column) in the grid's current (sorted) order."""
        return str(self.proxy.index(row, column).data() or "")

    def column_texts(self, column: int) -> list[str]:
        return [self.cell_text(r, column) for r in range(self.row_count())]

    def is_bold(self, row: int) -> bool:
        font = self.proxy.index(row, 0).data(Qt.ItemDataRole.FontRole)
        return bool(font is not None and font.bold())


# ------------------------------------------------------------------------------------ chart

class BarChart(QWidget):
    """Horizontal bars, one per named value (component amounts, cost per rate), with the
    names on the left axis (elided to fit) and each amount's text at its bar's end. Bars are
    drawn in floats; every amount shown as text is the service's Decimal, formatted."""

    MAX_AXIS_WIDTH = 380

    def __init__(self, title: str, accessible: str) -> None:
        super().__init__()
        self.names: list[str] = []
        self.values: list[Decimal] = []
        self.value_labels: list[pg.TextItem] = []
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setAccessibleName(accessible)
        item = self.plot.getPlotItem()
        item.showGrid(x=True, y=False, alpha=0.16)
        item.getAxis("bottom").setStyle(maxTickLevel=0)
        item.getAxis("left").setStyle(tickLength=0)
        self.bars = pg.BarGraphItem(x0=[], y=[], height=0.62, width=[])
        item.addItem(self.bars)
        self.title = label(title, "sectionHeading")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        self._apply_palette()

    def set_bars(self, bars: Sequence[tuple[str, Decimal]], currency: str = "",
                 colours: Sequence[str | None] = ()) -> None:
        self.names = [name for name, _v in bars]
        self.values = [value for _n, value in bars]
        item = self.plot.getPlotItem()
        for text in self.value_labels:
            item.removeItem(text)
        self.value_labels = []
        ys = [len(bars) - 1 - i for i in range(len(bars))]  # the first bar on top, as listed
        widths = [float(v) for v in self.values]
        brushes = []
        for i in range(len(bars)):
            colour = QColor(colours[i] if i < len(colours) and colours[i] else self._bar_colour)
            colour.setAlpha(210)
            brushes.append(pg.mkBrush(colour))
        self.bars.setVisible(bool(bars))
        if bars:  # pyqtgraph's BarGraphItem cannot draw an empty list
            self.bars.setOpts(x0=[0.0] * len(bars), y=ys, height=0.62, width=widths,
                              brushes=brushes, pens=[pg.mkPen(None)] * len(bars))
        axis = item.getAxis("left")
        font = self.font()
        axis.setStyle(tickFont=font)
        metrics = QFontMetrics(font)
        room = min(self.MAX_AXIS_WIDTH,
                   max([40, *(metrics.horizontalAdvance(n) + 40 for n in self.names)]))
        axis.setWidth(room)
        axis.setTicks([[(y, metrics.elidedText(name, Qt.TextElideMode.ElideRight, room - 34))
                        for y, name in zip(ys, self.names, strict=True)]])
        text_colour = self.palette().color(QPalette.ColorRole.WindowText)
        for y, value, width in zip(ys, self.values, widths, strict=True):
            text = pg.TextItem(money_text(value, currency), color=text_colour,
                               anchor=(0, 0.5) if width >= 0 else (1, 0.5))
            text.setPos(width, y)
            item.addItem(text)
            self.value_labels.append(text)
        item.setLabel("bottom", f"Amount ({currency})" if currency else "Amount")
        low = min([0.0, *widths])
        high = max([0.0, *widths]) or 1.0
        item.setXRange(low * 1.25, high * 1.22, padding=0)
        item.setYRange(-0.6, max(len(bars) - 0.4, 0.6), padding=0)

    def bar_count(self) -> int:
        return len(self.names)

    def _apply_palette(self) -> None:
        base, _text = style_plot(self.plot, self.palette())
        self._bar_colour = bar_colour(base)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "bars"):
            self._apply_palette()


# ------------------------------------------------------------------------------------- tabs

def _empty(text: str) -> QLabel:
    hint = label(text, "hint", wrap=True)
    hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return hint


class _ResultPage(QStackedWidget):
    """A result tab: a hint until the first check, then its content."""

    EMPTY = "Nothing checked yet. Fill in the rate and the quantities on the left and press " \
            "Check Rate (Enter)."

    def __init__(self, content: QWidget) -> None:
        super().__init__()
        self.hint = _empty(self.EMPTY)
        self.addWidget(self.hint)
        self.addWidget(content)

    def show_content(self, shown: bool) -> None:
        self.setCurrentIndex(1 if shown else 0)


@dataclass
class HeaderSection:
    """One Bill Seg Hdr on the Calc Lines tab."""

    frame: QFrame
    facts: dict[str, QLabel]
    grid: ResultGrid


class CalcLinesView(QWidget):
    """The Calc Lines tab: a section per header, the total, and the chart by component."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[HeaderSection] = []
        self._pool: list[HeaderSection] = []
        self.list_widget = QWidget()
        self.list_layout = QVBoxLayout(self.list_widget)
        self.list_layout.setContentsMargins(0, 0, 4, 0)
        self.list_layout.setSpacing(10)
        self.list_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.list_widget)
        self.total = label("", "tileValue")
        self.total.setAccessibleName("Total")
        self.total.setAlignment(RIGHT)
        self.total_caption = label("", "hint", wrap=True)
        totals = QHBoxLayout()
        totals.addWidget(self.total_caption, 1)
        totals.addWidget(label("Total", "sectionHeading"))
        totals.addWidget(self.total)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(scroll, 1)
        top_layout.addLayout(totals)
        self.chart = BarChart("Amount by component", "Amount of each calc line")
        self.chart.setMinimumHeight(140)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([520, 230])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(splitter)

    def show_result(self, result: RateCheckResult) -> None:
        # Sections are reused from one check to the next (a check usually has as many headers
        # as the one before): building a section's widgets is most of the time a check shows.
        while len(self._pool) < len(result.headers):
            section = self._section()
            self.list_layout.insertWidget(self.list_layout.count() - 1, section.frame)
            self._pool.append(section)
        for section, header in zip(self._pool, result.headers, strict=False):
            self._fill(section, header, result.currency)
            section.frame.show()
        for section in self._pool[len(result.headers):]:
            section.frame.hide()
        self.sections = self._pool[:len(result.headers)]
        self.total.setText(money_text(result.total, result.currency))
        muted = any(not line.in_total for line in result.lines)
        self.total_caption.setText(
            "Lines in grey italics (summary, FCPO) are shown but do not count in the total."
            if muted else "")
        self.chart.set_bars(component_bars(result), result.currency)
        if not result.headers:
            self.total_caption.setText("No rate version of this rate is in effect in the "
                                       "period, so there are no calc lines.")

    def _section(self) -> HeaderSection:
        frame = QFrame()
        frame.setObjectName("zoneCard")
        frame.setStyleSheet("QFrame#zoneCard { background: palette(base); border: 1px solid "
                            "palette(mid); border-radius: 6px; }")
        facts_grid = QGridLayout()
        facts_grid.setHorizontalSpacing(18)
        facts_grid.setVerticalSpacing(0)
        facts: dict[str, QLabel] = {}
        for c, name in enumerate(HEADER_FACTS):
            facts_grid.addWidget(label(name, "factLabel"), 0, c)
            value = label("")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setStyleSheet("font-weight: 600;")
            facts_grid.addWidget(value, 1, c)
            facts[name] = value
        facts_grid.setColumnStretch(3, 1)
        grid = ResultGrid(CALC_COLUMNS, stretch=1, fit_rows=True, tips=CALC_TIPS,
                          name="Calc lines", centre=FLAG_COLUMNS)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(6)
        layout.addLayout(facts_grid)
        layout.addWidget(grid)
        return HeaderSection(frame, facts, grid)

    def _fill(self, section: HeaderSection, header: CalcHeader, currency: str) -> None:
        for name, text in header_facts(header, currency):
            section.facts[name].setText(text)
        section.grid.setAccessibleName(f"Calc lines of header {header.seq}")
        rows = [calc_line_cells(line, currency) for line in header.lines]
        total = [Cell("")] * len(CALC_COLUMNS)
        total[1] = Cell("Total of this header")
        total[2] = Cell(money_text(header.amount, currency), right=True)
        rows.append(total)
        muted = [i for i, line in enumerate(header.lines) if not line.in_total]
        section.grid.set_rows(rows, pinned=[len(rows) - 1], muted=muted)


class ResultTabs:
    """The four result pages, each a hint until the first check."""

    def __init__(self) -> None:
        self.calc_lines = CalcLinesView()
        self.sq_details = ResultGrid(SQ_COLUMNS, name="SQ details")
        self.register_reads = ResultGrid(READ_COLUMNS, name="Register reads")
        self.characteristics = ResultGrid(CHAR_COLUMNS, stretch=2, name="Characteristics")
        self.char_hint = label("The final characteristics after every rate plug-in ran; they "
                               "start as the characteristics entered on the left (or the "
                               "SA's).", "hint", wrap=True)
        chars = QWidget()
        chars_layout = QVBoxLayout(chars)
        chars_layout.setContentsMargins(0, 4, 0, 0)
        chars_layout.addWidget(self.char_hint)
        chars_layout.addWidget(self.characteristics, 1)
        self.pages = [_ResultPage(self.calc_lines), _ResultPage(self.sq_details),
                      _ResultPage(self.register_reads), _ResultPage(chars)]
        self.char_descriptions: dict[str, str] = {}

    def _char_description(self, ctype: str) -> str:
        description = self.char_descriptions.get(ctype, "")
        return "" if description == ctype else description

    def show_outcome(self, outcome: RateCheckOutcome | None) -> None:
        for page in self.pages:
            page.show_content(outcome is not None)
        if outcome is None:
            return
        result = outcome.result
        self.calc_lines.show_result(result)
        self.sq_details.set_rows([
            [Cell(d.uom or ""), Cell(d.tou or ""), Cell(d.sqi or ""),
             Cell(quantity_text(d.initial), _decimal_key(d.initial), right=True),
             Cell(quantity_text(d.billable), _decimal_key(d.billable), right=True)]
            for d in result.sq_details])
        self.register_reads.set_rows([
            [Cell(r.uom or ""), Cell(r.tou or ""), Cell(r.sqi or ""),
             Cell(quantity_text(r.measured), _decimal_key(r.measured), right=True),
             Cell(r.final_uom or ""), Cell(r.final_tou or ""), Cell(r.final_sqi or ""),
             Cell(quantity_text(r.register_qty), _decimal_key(r.register_qty), right=True),
             Cell(r.service_point or DASH)]
            for r in result.register_reads])
        self.characteristics.set_rows([
            [Cell(ctype), Cell(value), Cell(self._char_description(ctype))]
            for ctype, value in sorted(result.characteristics.items())])


__all__ = ["CALC_COLUMNS", "BarChart", "CalcLinesView", "ResultGrid", "ResultTabs",
           "calc_line_cells", "component_bars", "header_facts", "header_text"]
