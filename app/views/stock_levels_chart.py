"""The Stock levels tab of the Stock Locations pane: how many of each meter and item type the
location held at the end of each day (a step line per type, pyqtgraph), over a window of
days (the last year by default).

    tab = StockLevelsTab(ctx)
    tab.set_location("WH-NORTH")
    tab.curves["Meter E1"]              # the drawn line of a type
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.services import context
from app.services.stock_levels import StockLevels, stock_levels
from app.views.panes import PaneContext
from app.views.plot_style import style_plot
from app.views.widgets import label, pane_message, push_button, say, say_failure
from app.views.worker import run_task

CURVE_COLOURS = ("#2f6fd0", "#e8892b", "#1e7d3a", "#b0413e", "#7b4fc4", "#0f8b8d", "#a0522d",
                 "#c2185b", "#5d6d7e", "#9a7d0a")
DEFAULT_DAYS = 365


def _timestamp(day: dt.date) -> float:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class StockLevelsTab(QWidget):
    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.clock: Callable[[], dt.datetime] = context.now
        self.location: str | None = None
        self.levels: StockLevels | None = None
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._serial = 0
        today = self.clock().date()
        self.first_field = QDateEdit(_qdate(today - dt.timedelta(days=DEFAULT_DAYS - 1)))
        self.last_field = QDateEdit(_qdate(today))
        for field, name in ((self.first_field, "From"), (self.last_field, "To")):
            field.setCalendarPopup(True)
            field.setDisplayFormat("yyyy-MM-dd")
            field.setAccessibleName(name)
        self.show_button = push_button("Show", "Chart the stock between these days",
                                       self.reload)
        top = QHBoxLayout()
        top.addWidget(QLabel("From"))
        top.addWidget(self.first_field)
        top.addWidget(QLabel("to"))
        top.addWidget(self.last_field)
        top.addWidget(self.show_button)
        top.addStretch(1)
        self.heading = label("", "sectionHeading")
        self.legend = label("", "hint", wrap=True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.plot.setAccessibleName("Stock levels chart")
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.showGrid(y=True, alpha=0.15)
        self.plot.setLabel("left", "In stock at the end of the day")
        self.plot.getPlotItem().getAxis("left").setWidth(58)
        style_plot(self.plot, self.palette())
        self.nothing = label("", "hint", wrap=True)
        self.nothing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.nothing.hide()
        self.message = pane_message()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(top)
        layout.addWidget(self.heading)
        layout.addWidget(self.legend)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.nothing, 1)
        layout.addWidget(self.message)

    def set_location(self, code: str) -> None:
        self.location = code
        self.reload()

    def reload(self) -> None:
        if self.location is None:
            return
        self._serial += 1
        serial = self._serial
        say(self.message, "", True)
        run_task(stock_levels, self.ctx.db, self.location, _day(self.first_field.date()),
                 _day(self.last_field.date()),
                 on_result=lambda levels: self._loaded(serial, levels),
                 on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        say_failure(self.message, exc)

    def _loaded(self, serial: int, levels: StockLevels) -> None:
        if serial != self._serial:
            return
        self.levels = levels
        self.plot.clear()
        self.curves = {}
        span = f"{levels.first:%d %b %Y} – {levels.last:%d %b %Y}"
        self.heading.setText(f"{levels.location} · {levels.description} — stock per type, "
                             f"{span}")
        if levels.empty:
            self.legend.setText("")
            self.nothing.setText(f"Nothing was at {levels.location} between {span}.")
            self.plot.hide()
            self.nothing.show()
            return
        self.nothing.hide()
        self.plot.show()
        xs = [_timestamp(d) for d in levels.days] + [
            _timestamp(levels.last + dt.timedelta(days=1))]
        swatches = []
        top = 0
        for i, series in enumerate(levels.series):
            colour = CURVE_COLOURS[i % len(CURVE_COLOURS)]
            curve = pg.PlotDataItem(xs, list(series.levels), stepMode="center",
                                    pen=pg.mkPen(colour, width=2), name=series.label)
            self.plot.addItem(curve)
            self.curves[series.label] = curve
            top = max(top, *series.levels)
            swatches.append(f'<span style="color:{colour}; font-weight:bold">━━</span>&nbsp;'
                            f"{series.label} ({series.description}): {series.levels[-1]:,}")
        self.legend.setText("&nbsp;&nbsp; ".join(swatches))
        self.plot.setXRange(xs[0], xs[-1], padding=0.01)
        self.plot.setYRange(-max(1, top) * 0.03, max(1, top) * 1.08, padding=0)


__all__ = ["StockLevelsTab"]
