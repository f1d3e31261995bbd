"""Control Central's financial history zone: a chart of the amount billed each month (bars) and
the consumption billed (a line on a second axis), beside a table of the months; and how money,
dates and quantities read. Colours follow the palette (light and dark). Amounts come from the
DTOs: they are formatted here, never computed.

    history = FinancialHistory()
    history.set_months(dashboard.financials, currency="USD")
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.control_central import MonthlyFinancials
from app.views.plot_style import bar_colour, is_dark, style_plot
from app.views.widgets import label

LINE_COLOUR = "#e8892b"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: How units of measure read on an axis.
UNIT_LABELS = {"KWH": "kWh", "MWH": "MWh", "THERM": "therm", "THERMS": "therms", "GAL": "gal",
               "M3": "m³", "CCF": "ccf", "KW": "kW", "KVARH": "kvarh"}


SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def unit_label(code: str) -> str:
    return UNIT_LABELS.get(code.upper(), code.lower())


def money(value: Decimal | None, currency: str = "") -> str:
    """1234.5 -> "1,234.50 USD"; None -> "—". Formatting only: the amount is the service's."""
    if value is None:
        return "—"
    text = f"{value:,.2f}"
    return f"{text} {currency}" if currency else text


def day(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else "—"


def month_name(value: dt.date) -> str:
    return f"{MONTHS[value.month - 1]} {value.year}"


def quantity(value: Decimal, unit: str) -> str:
    shown = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    return f"{shown} {unit_label(unit)}"


def consumption_text(month: MonthlyFinancials) -> str:
    return " · ".join(quantity(q, unit) for unit, q in month.consumption if q) or "—"


def _plot_value(value: Decimal) -> float:
    """Bars and lines are drawn in floats; every amount shown as text stays a Decimal."""
    return float(value)


class FinancialChart(QWidget):
    """Billed amount per month (bars, left axis) and consumption (line, right axis)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.months: tuple[MonthlyFinancials, ...] = ()
        self.currency = ""
        self.units: list[str] = []

        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(240)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setAccessibleName("Billed amount and consumption per month")
        item = self.plot.getPlotItem()
        item.showGrid(x=False, y=True, alpha=0.16)
        for name in ("left", "right"):
            item.getAxis(name).setStyle(maxTickLevel=0)  # grid lines at the labelled values only
        item.getAxis("right").setGrid(False)
        item.showAxis("right")
        self.consumption_view = pg.ViewBox()
        self.consumption_view.setMouseEnabled(x=False, y=False)
        self.consumption_view.enableAutoRange(axis=pg.ViewBox.YAxis, enable=False)
        item.scene().addItem(self.consumption_view)
        self.consumption_view.setZValue(item.vb.zValue() + 10)  # the line over the bars
        item.getAxis("right").linkToView(self.consumption_view)
        self.consumption_view.setXLink(item)
        item.vb.sigResized.connect(self._sync_views)

        self.bars = pg.BarGraphItem(x=[], height=[], width=0.62)
        item.addItem(self.bars)
        self.line = pg.PlotDataItem([], [], symbol="o", symbolSize=6)
        self.consumption_view.addItem(self.line)
        self.plot.scene().sigMouseMoved.connect(self._hover)

        self.unit_combo = QComboBox()
        self.unit_combo.setAccessibleName("Consumption unit shown on the chart")
        self.unit_combo.currentIndexChanged.connect(lambda _i: self._draw_line())
        self.legend = label("", "hint")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.legend, 1)
        self.unit_caption = label("Consumption in", "hint")
        top.addWidget(self.unit_caption)
        top.addWidget(self.unit_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        self._apply_palette()

    # ----------------------------------------------------------------------------- data

    def set_months(self, months: Sequence[MonthlyFinancials], currency: str = "") -> None:
        self.months = tuple(months)
        self.currency = currency
        totals: dict[str, Decimal] = {}
        for month in self.months:
            for unit, quantity in month.consumption:
                totals[unit] = totals.get(unit, Decimal(0)) + quantity
        # the unit with most consumption first; a unit never consumed is not offered
        self.units = [u for u, _t in sorted(totals.items(), key=lambda kv: -kv[1]) if _t]
        self.unit_combo.blockSignals(True)
        self.unit_combo.clear()
        for unit in self.units:
            self.unit_combo.addItem(unit_label(unit), unit)
        self.unit_combo.blockSignals(False)
        several = len(self.units) > 1
        self.unit_combo.setVisible(several)
        self.unit_caption.setVisible(several)

        xs = list(range(len(self.months)))
        self.bars.setOpts(x=xs, height=[_plot_value(m.billed) for m in self.months], width=0.62)
        item = self.plot.getPlotItem()
        item.getAxis("bottom").setTicks(self._month_ticks())
        item.setLabel("left", f"Billed ({currency})" if currency else "Billed")
        item.setXRange(-0.6, max(len(xs) - 0.4, 0.6), padding=0)
        heights = [_plot_value(m.billed) for m in self.months] or [0.0]
        low, high = min(0.0, min(heights)), max(heights) or 1.0
        item.setYRange(low, high * 1.12, padding=0)  # bars stand on zero
        self._draw_line()

    def _month_ticks(self) -> list[list[tuple[float, str]]]:
        """A label at each quarter (with the year in January), a small tick every month."""
        major: list[tuple[float, str]] = []
        minor: list[tuple[float, str]] = []
        for i, month in enumerate(self.months):
            number = month.month.month
            if number in (1, 4, 7, 10):
                name = MONTHS[number - 1]
                major.append((i, f"{name} {month.month.year}" if number == 1 else name))
            else:
                minor.append((i, ""))
        return [major, minor]

    def current_unit(self) -> str | None:
        data = self.unit_combo.currentData()
        return str(data) if data else None

    def consumption_values(self) -> list[float]:
        """The chosen unit's consumption per month; NaN (a gap) where none was billed yet."""
        unit = self.current_unit()
        if unit is None:
            return []
        values = (dict(m.consumption).get(unit) for m in self.months)
        return [math.nan if v is None else _plot_value(v) for v in values]

    def point_count(self) -> int:
        """How many months the chart draws (bars)."""
        return len(self.months)

    def _draw_line(self) -> None:
        values = self.consumption_values()
        unit = self.current_unit()
        axis = self.plot.getPlotItem().getAxis("right")
        if not values:
            self.line.setData([], [])
            axis.setLabel("Consumption")
        else:
            self.line.setData(list(range(len(values))), values, connect="finite")
            axis.setLabel(f"Consumption ({unit_label(unit or '')})")
            top = max((v for v in values if not math.isnan(v)), default=0.0) or 1.0
            self.consumption_view.setYRange(0, top * 1.12, padding=0)
        self._update_legend()

    # ------------------------------------------------------------------------- painting

    def _sync_views(self) -> None:
        item = self.plot.getPlotItem()
        self.consumption_view.setGeometry(item.vb.sceneBoundingRect())
        self.consumption_view.linkedViewChanged(item.vb, self.consumption_view.XAxis)

    def _apply_palette(self) -> None:
        base, _text = style_plot(self.plot, self.palette(), ("left", "bottom", "right"))
        bar = bar_colour(base)
        fill = QColor(bar)
        fill.setAlpha(200)
        self.bars.setOpts(brush=pg.mkBrush(fill), pen=pg.mkPen(bar))
        line = QColor("#f0a04b" if is_dark(base) else LINE_COLOUR)
        self.line.setPen(pg.mkPen(line, width=2.4))
        self.line.setSymbolBrush(pg.mkBrush(line))
        self.line.setSymbolPen(pg.mkPen(base, width=1.2))
        self._bar_colour, self._line_colour = bar, line
        self._update_legend()

    def _update_legend(self) -> None:
        if not hasattr(self, "_bar_colour"):
            return
        unit = self.current_unit()
        parts = [f"<span style='color:{self._bar_colour.name()}'>■</span> Billed per month"]
        if unit:
            parts.append(f"<span style='color:{self._line_colour.name()}'>━●━</span> "
                         f"Consumption ({unit_label(unit)})")
        self.legend.setText("&nbsp;&nbsp;&nbsp;".join(parts))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "line"):
            self._apply_palette()

    def _hover(self, position: QPointF) -> None:
        """A tooltip with the month's figures under the mouse pointer."""
        item = self.plot.getPlotItem()
        if not self.months or not item.vb.sceneBoundingRect().contains(position):
            self.plot.setToolTip("")
            return
        index = round(item.vb.mapSceneToView(position).x())
        if not 0 <= index < len(self.months):
            self.plot.setToolTip("")
            return
        month = self.months[index]
        lines = [f"{MONTHS[month.month.month - 1]} {month.month.year}",
                 f"Billed {month.billed:,.2f} {self.currency}".rstrip(),
                 f"Paid {month.paid:,.2f}", f"Adjusted {month.adjusted:,.2f}"]
        lines += [f"{amount:,.0f} {unit_label(unit)}" for unit, amount in month.consumption]
        self.plot.setToolTip("\n".join(lines))


class MonthTable(QTableView):
    """The months, newest first: billed, paid, adjusted (right-aligned) and consumption."""

    COLUMNS = ("Month", "Billed", "Paid", "Adjusted", "Consumption")

    def __init__(self) -> None:
        super().__init__()
        self.source = QStandardItemModel(0, len(self.COLUMNS), self)
        self.source.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.source.setSortRole(SORT_ROLE)
        for column in (1, 2, 3):
            self.source.horizontalHeaderItem(column).setTextAlignment(RIGHT)
        self.setModel(self.source)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(26)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(len(self.COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)

    def set_months(self, months: Sequence[MonthlyFinancials]) -> None:
        self.setSortingEnabled(False)
        self.source.removeRows(0, self.source.rowCount())
        for m in sorted(months, key=lambda m: m.month, reverse=True):
            cells: list[tuple[str, object]] = [(month_name(m.month), m.month.isoformat())]
            cells += [(money(v), float(v)) for v in (m.billed, m.paid, m.adjusted)]
            cells.append((consumption_text(m), consumption_text(m)))
            items = []
            for column, (text, key) in enumerate(cells):
                item = QStandardItem(text)
                item.setData(key, SORT_ROLE)
                if column in (1, 2, 3):
                    item.setTextAlignment(RIGHT)
                items.append(item)
            self.source.appendRow(items)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self.resizeColumnsToContents()
        for column in range(len(self.COLUMNS) - 1):  # room between amounts and the text after
            self.setColumnWidth(column, self.columnWidth(column) + (12 if column == 0 else 22))

    def cell_text(self, row: int, column: int) -> str:
        return str(self.source.index(row, column).data() or "")


class FinancialHistory(QWidget):
    """The chart and, beside it as tall, the table of the same months."""

    def __init__(self) -> None:
        super().__init__()
        self.chart = FinancialChart()
        self.table = MonthTable()
        self.chart.setFixedHeight(300)
        self.table.setFixedHeight(300)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(16)
        layout.addWidget(self.chart, 3)
        layout.addWidget(self.table, 2)

    def set_months(self, months: Sequence[MonthlyFinancials], currency: str) -> None:
        self.chart.set_months(months, currency)
        self.table.set_months(months)
        self.table.setToolTip(f"Amounts in {currency}" if currency else "")


__all__ = ["FinancialChart", "FinancialHistory", "MonthTable", "consumption_text", "day",
           "money", "month_name", "quantity", "unit_label"]
