"""The loan forecast chart (P-LN1 §5): the principal balance and the interest paid so far, by
payment number, with the what-if schedule (planned extra payments) drawn dashed beside the
plan; under it, each payment split into interest and principal (stacked bars). The to-date row
is plotted just before the first future payment. Amounts come from the DTOs and are only
drawn here.

    chart = LoanChart()
    chart.show_forecast(what_if)        # a services.loans.WhatIf
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.services.loans import Forecast, WhatIf
from app.views.plot_style import bar_colour, is_dark, style_plot
from app.views.widgets import label

INTEREST_COLOUR = "#e8892b"
WHAT_IF_COLOUR = "#2e9d4a"
#: The balance plot's lines: (name, colour, dashed); the plan's balance takes the palette's
#: bar colour when drawn.
LINES = (("Balance", "#4a86d4", False), ("Interest paid", INTEREST_COLOUR, False),
         ("Balance with extra payments", WHAT_IF_COLOUR, True),
         ("Interest paid with extra payments", INTEREST_COLOUR, True))


def _swatch(colour: str, text: str, dashed: bool = False) -> str:
    mark = "╍╍" if dashed else "━━"
    return f'<span style="color:{colour}; font-weight:bold">{mark}</span>&nbsp;{text}'


def legend_html(plan_colour: str, with_extras: bool) -> str:
    """Top: balance and interest paid (dashed: with the extra payments); bottom: each
    payment's principal and interest."""
    parts = [_swatch(plan_colour, "Balance"), _swatch(INTEREST_COLOUR, "Interest paid")]
    if with_extras:
        parts += [_swatch(WHAT_IF_COLOUR, "Balance with extra payments", True),
                  _swatch(INTEREST_COLOUR, "Interest paid with extra payments", True)]
    bars = (f'<span style="color:{plan_colour}">■</span>&nbsp;Principal&nbsp;&nbsp;'
            f'<span style="color:{INTEREST_COLOUR}">■</span>&nbsp;Interest of each payment')
    return "&nbsp;&nbsp; ".join(parts) + "<br>" + bars


def _xs(forecast: Forecast) -> list[float]:
    first = next((r.number for r in forecast.rows if r.number is not None), 1)
    return [float(first - 1 if r.number is None else r.number) for r in forecast.rows]


class LoanChart(QWidget):
    """Balance and cumulative interest lines over stacked interest / principal bars."""

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName("Loan forecast chart")
        self.balance_plot = pg.PlotWidget()
        self.payment_plot = pg.PlotWidget()
        self.payment_plot.setXLink(self.balance_plot)
        for plot in (self.balance_plot, self.payment_plot):
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.showGrid(y=True, alpha=0.15)
            plot.getPlotItem().getAxis("left").setWidth(58)
        self.payment_plot.setLabel("bottom", "Payment number")
        #: The legend, above the plots so it never covers a line or a bar.
        self.legend = label("", "hint", wrap=True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.legend)
        layout.addWidget(self.balance_plot, 3)
        layout.addWidget(self.payment_plot, 2)
        self.shown: WhatIf | None = None
        #: Series drawn, by name (for tests): name -> (xs, ys).
        self.series: dict[str, tuple[list[float], list[float]]] = {}
        self._style()
        self._make_items()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.PaletteChange:
            self._style()
            if self.shown is not None:
                self.show_forecast(self.shown)
        super().changeEvent(event)

    def _style(self) -> None:
        base = QColor()
        for plot in (self.balance_plot, self.payment_plot):
            base, _text = style_plot(plot, self.palette())
        self._bars = bar_colour(base)
        self._dark = is_dark(base)

    def _make_items(self) -> None:
        """The four lines and two bar series, made once and refilled on every redraw (adding
        and removing plot items costs far more than new data)."""
        self.lines: dict[str, pg.PlotDataItem] = {}
        for name, colour, dashed in LINES:
            item = pg.PlotDataItem([], [], pen=pg.mkPen(
                colour, width=2,
                style=Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine))
            self.balance_plot.addItem(item)
            self.lines[name] = item
        self.principal_bars = pg.BarGraphItem(x=[], height=[], width=0.8, pen=pg.mkPen(None))
        self.interest_bars = pg.BarGraphItem(x=[], height=[], width=0.8, pen=pg.mkPen(None),
                                             brush=QColor(INTEREST_COLOUR))
        self.payment_plot.addItem(self.principal_bars)
        self.payment_plot.addItem(self.interest_bars)

    def clear(self) -> None:
        self.legend.setText("")
        self.shown = None
        self.series = {}
        for item in self.lines.values():
            item.setData([], [])
        self.principal_bars.setOpts(x=[], height=[], y0=0)
        self.interest_bars.setOpts(x=[], height=[], y0=0)

    def _line(self, name: str, forecast: Forecast, attr: str) -> None:
        xs = _xs(forecast)
        ys = [float(getattr(r, attr)) for r in forecast.rows]
        self.series[name] = (xs, ys)
        self.lines[name].setData(xs, ys)

    def show_forecast(self, shown: WhatIf) -> None:
        """Draw ``shown``: nothing when its plan has no forecast (negative amortization)."""
        self.clear()
        self.shown = shown
        if not shown.plan.ok:
            return
        plan_colour = self._bars.name()
        self.lines["Balance"].setPen(pg.mkPen(plan_colour, width=2))
        self._line("Balance", shown.plan, "balance")
        self._line("Interest paid", shown.plan, "cumulative_interest")
        extra = shown.with_extras
        drawn = shown.plan
        if extra is not shown.plan and extra.ok:
            self._line("Balance with extra payments", extra, "balance")
            self._line("Interest paid with extra payments", extra, "cumulative_interest")
            drawn = extra
        rows = [r for r in drawn.rows if r.number is not None]
        xs = [float(r.number or 0) for r in rows]
        principal = [float(r.principal) for r in rows]
        interest = [float(r.interest) for r in rows]
        self.series["Principal part"] = (xs, principal)
        self.series["Interest part"] = (xs, interest)
        width = 0.8 if len(rows) < 120 else 1.0
        self.principal_bars.setOpts(x=xs, height=principal, width=width, y0=0,
                                    brush=self._bars)
        self.interest_bars.setOpts(x=xs, y0=principal, height=interest, width=width)
        self.legend.setText(legend_html(plan_colour, extra is not shown.plan and extra.ok))
        first = min((x for xs, _ys in self.series.values() for x in xs), default=0.0)
        last = max((x for xs, _ys in self.series.values() for x in xs), default=1.0)
        top = max((max(ys, default=0.0) for name, (_x, ys) in self.series.items()
                   if not name.endswith("part")), default=1.0)
        bars = max((p + i for p, i in zip(principal, interest, strict=True)), default=1.0)
        self.balance_plot.setXRange(first - 0.5, last + 0.5, padding=0)
        self.balance_plot.setYRange(0, (top or 1.0) * 1.05, padding=0)
        self.payment_plot.setYRange(0, (bars or 1.0) * 1.1, padding=0)
