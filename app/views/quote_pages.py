"""The Quote pane's Main and Quote Details tabs (spec/40 §7).

Main ("Quote – Main"): the quote's header with Display
Quote and Print, the three button groups of the §2.6 matrix, the ticked details with their
totals and the outcome of the last action, and the options side by side in a chart — for
each billing scenario (bill period) a group of bars, one per option (quote detail), with a
legend naming each option by its rate and its total. Bars are drawn in floats; every amount
shown as text is the service's Decimal, formatted. The pane (`app.views.quotes`) wires the
buttons to its actions and enables them.

Quote Details: one detail at a time with its facts, its simulated segments, and the calc
lines and SQ details of the segment selected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import SimulatedSegmentStatus
from app.reports.formatting import DASH, day_text, flag_text, key_text, money_text, quantity_text
from app.services.quote_dto import QuoteDetailView, QuoteView, SimulatedSegmentView
from app.views.dashboard import Cell
from app.views.plot_style import style_plot
from app.views.quote_widgets import (
    DetailGrid,
    FactsPanel,
    MessageArea,
    empty_label,
    option_name,
    stack_of,
    status_text,
    when_text,
)
from app.views.rate_check_results import ResultGrid
from app.views.widgets import label, push_button

COLOURS = ("#4a86d4", "#e8892b", "#2e9e57", "#8e5cc4", "#c0473a", "#17a2a2", "#b8860b")
EMPTY = "Generate the quote to compare its options here: one bar per option for every bill " \
        "period of its billing scenarios."
GROUP_WIDTH = 0.8


def period_label(start: dt.date, end: dt.date) -> str:
    """A bill period under a bar: its month ("Jan 26" for 2026-01-01 – 2026-01-31, and for a
    billing cycle the month it ends in, as the customer knows the bill); longer periods show
    both months ("Nov 25–Jan 26")."""
    if (end - start).days > 40:
        return f"{start:%b %y}–{end:%b %y}"
    return f"{end:%b %y}"


class OptionChart(QWidget):
    """Grouped bars: x = bill period, one bar per option; a legend with the options."""

    def __init__(self) -> None:
        super().__init__()
        self.periods: list[tuple[dt.date, dt.date]] = []
        self.series: list[tuple[str, list[float | None]]] = []
        self.bars: list[pg.BarGraphItem] = []
        self.amount_labels: list[pg.TextItem] = []
        self.title = label("Options compared, bill period by bill period", "sectionHeading")
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setAccessibleName("Amount of each option per bill period")
        item = self.plot.getPlotItem()
        item.showGrid(x=False, y=True, alpha=0.12)
        item.getAxis("left").setZValue(-1000)   # the grid lines behind the bars
        item.getAxis("bottom").setStyle(tickLength=0)
        self.legend = item.addLegend(offset=(-10, 8), labelTextSize="9pt", colCount=1)
        self.empty = label(EMPTY, "hint", wrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.plot)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.stack, 1)
        self._apply_palette()

    def set_quote(self, quote: QuoteView | None) -> None:
        item = self.plot.getPlotItem()
        for bar in self.bars:
            item.removeItem(bar)
            self.legend.removeItem(bar)
        for text in self.amount_labels:
            item.removeItem(text)
        self.bars, self.amount_labels = [], []
        details = [d for d in (quote.details if quote else ()) if d.segments]
        periods = sorted({(s.start, s.end) for d in details for s in d.segments})
        self.periods = periods
        self.series = []
        self.stack.setCurrentIndex(1 if details else 0)
        if not details:
            return
        index = {p: i for i, p in enumerate(periods)}
        count = len(details)
        width = GROUP_WIDTH / count
        currency = quote.currency if quote else ""
        #: the amounts written on the bars when they have room
        labelled = len(periods) * count <= 12
        text_colour = self.palette().color(QPalette.ColorRole.WindowText)
        for n, detail in enumerate(details):
            heights: list[float | None] = [None] * len(periods)
            for seg in detail.segments:
                if seg.status is SimulatedSegmentStatus.OK:
                    i = index[(seg.start, seg.end)]
                    heights[i] = float(seg.amount)
                    if labelled:
                        text = pg.TextItem(money_text(seg.amount, quote.currency if quote
                                                      else ""), color=text_colour,
                                           anchor=(0.5, 1))
                        text.setPos(i - GROUP_WIDTH / 2 + width * (n + 0.5), float(seg.amount))
                        item.addItem(text)
                        self.amount_labels.append(text)
            name = f"{option_name(detail)} — {money_text(detail.total, currency)}"
            self.series.append((name, heights))
            xs = [i - GROUP_WIDTH / 2 + width * (n + 0.5) for i, h in enumerate(heights)
                  if h is not None]
            ys = [h for h in heights if h is not None]
            colour = QColor(COLOURS[n % len(COLOURS)])
            colour.setAlpha(220)
            bar = pg.BarGraphItem(x=xs, height=ys, width=width * 0.92, brush=pg.mkBrush(colour),
                                  pen=pg.mkPen(colour))
            bar.setZValue(5)
            item.addItem(bar)
            self.legend.addItem(bar, name)
            self.bars.append(bar)
        axis = item.getAxis("bottom")
        step = max(1, len(periods) // 12)
        axis.setTicks([[(i, period_label(*p)) for i, p in enumerate(periods) if i % step == 0]])
        item.setLabel("left", f"Amount ({currency})" if currency else "Amount")
        high = max([h for _n, hs in self.series for h in hs if h is not None] or [1.0])
        item.setXRange(-0.6, len(periods) - 0.4, padding=0)
        # head room for the legend above the tallest bars
        item.setYRange(min(0.0, *[h for _n, hs in self.series for h in hs if h is not None]),
                       high * (1.18 + 0.1 * count), padding=0)

    def option_count(self) -> int:
        return len(self.series)

    def _apply_palette(self) -> None:
        base, text = style_plot(self.plot, self.palette())
        self.legend.setLabelTextColor(text)
        back = QColor(base)
        back.setAlpha(210)
        self.legend.setBrush(pg.mkBrush(back))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "legend"):
            self._apply_palette()


# ------------------------------------------------------------------------------ main tab

#: Button name → (text, tooltip), by group, in the order of spec/40 §2.6.
GROUPS: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    ("Quote", (
        ("generate", "Generate…", "Price the account's quotable proposals (Ctrl+G)"),
        ("complete", "Complete", "Every detail OK: the quote is ready to send; its copies "
                                 "are routed"),
        ("close", "Close…", "Close the complete quote (and decline or cancel its proposals)"),
        ("reopen", "Reopen", "Back to pending, to fix it before sending"),
        ("cancel", "Cancel", "Cancel the pending quote; its proposals stay as they are (to "
                             "cancel them too: Close, Proposal SA ▸ Cancel, or each proposal "
                             "in its editor)"),
        ("delete", "Delete", "Delete the pending quote and its details"))),
    ("Quote Detail", (
        ("regenerate", "Regenerate", "Price the ticked details again"),
        ("delete_details", "Delete", "Delete the ticked details"))),
    ("Proposal SA", (
        ("accept", "Accept…", "Accept the ticked options: real agreements in pending start"),
        ("decline", "Decline…", "Decline the ticked options (a reason is required)"),
        ("cancel_proposals", "Cancel", "Cancel (withdraw) the ticked options' proposals"))),
)
TICK_BUTTONS = (("select_all", "Select All", "Tick the first 100 details"),
                ("clear_all", "Clear All", "Untick every detail"))



class MainPage(QWidget):
    """The Main tab; `actions` maps each button name (GROUPS, TICK_BUTTONS, "display",
    "print", "new_proposal", "edit_proposal") to what it does."""

    def __init__(self, actions: Mapping[str, Callable[[], object]], empty_text: str) -> None:
        super().__init__()
        self.title = label("No quote open", "sectionHeading")
        self.title.setAccessibleName("Quote")
        self.info = label("", "", wrap=True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.display_button = push_button("Display Quote", "Show the quote as it prints (a PDF)",
                                      actions["display"])
        self.detail_level = QComboBox()
        self.detail_level.addItem("With calc lines", "detail")
        self.detail_level.addItem("Summary", "summary")
        self.detail_level.setToolTip("What Display Quote and Print show of each option")
        self.print_button = push_button("Print…", "Save the printed quote as a PDF (Ctrl+P)",
                                    actions["print"])
        head = QGridLayout()
        head.setContentsMargins(12, 8, 12, 8)
        head.addWidget(self.title, 0, 0)
        head.addWidget(self.info, 1, 0)
        head.setColumnStretch(0, 1)
        head_buttons = QHBoxLayout()
        for widget in (self.display_button, self.detail_level, self.print_button):
            head_buttons.addWidget(widget)
        head.addLayout(head_buttons, 0, 1, 2, 1, Qt.AlignmentFlag.AlignTop)
        header = QFrame()
        header.setObjectName("quoteHeader")
        header.setStyleSheet("QFrame#quoteHeader { background: palette(base); border: 1px "
                             "solid palette(mid); border-radius: 6px; }")
        header.setLayout(head)

        self.buttons: dict[str, QPushButton] = {}
        boxes = {}
        for title, names in GROUPS:
            box = QGroupBox(title)
            box_layout = QHBoxLayout(box)
            box_layout.setContentsMargins(6, 2, 6, 4)
            box_layout.setSpacing(3)
            for name, text, tip in names:
                self.buttons[name] = push_button(text, tip, actions[name])
                box_layout.addWidget(self.buttons[name])
            boxes[title] = box
        # two rows, so that the search beside the tab keeps its width: the quote's and its
        # details' actions; then the proposal actions with the ticks they act on
        quote_row = QHBoxLayout()
        quote_row.setSpacing(6)
        quote_row.addWidget(boxes["Quote"], 6)
        quote_row.addWidget(boxes["Quote Detail"], 2)
        ticks = QHBoxLayout()
        ticks.setSpacing(6)
        ticks.addWidget(boxes["Proposal SA"])
        for name, text, tip in TICK_BUTTONS:
            self.buttons[name] = push_button(text, tip, actions[name])
            ticks.addWidget(self.buttons[name], 0, Qt.AlignmentFlag.AlignBottom)
        self.tick_count = label("", "hint", wrap=True)
        ticks.addWidget(self.tick_count, 1, Qt.AlignmentFlag.AlignBottom)
        self.new_proposal_button = push_button("New proposal…", "A new option to price for this "
                                           "account", actions["new_proposal"])
        self.edit_proposal_button = push_button("Edit proposal…", "Open the selected detail's "
                                            "proposal SA", actions["edit_proposal"])
        ticks.addWidget(self.new_proposal_button, 0, Qt.AlignmentFlag.AlignBottom)
        ticks.addWidget(self.edit_proposal_button, 0, Qt.AlignmentFlag.AlignBottom)

        self.details = DetailGrid()
        self.empty = empty_label(empty_text)
        self.grid_stack = QStackedWidget()
        self.grid_stack.addWidget(self.empty)
        self.grid_stack.addWidget(self.details)
        self.totals = label("", "")
        self.totals.setAccessibleName("Totals")
        self.totals.setTextFormat(Qt.TextFormat.RichText)
        self.totals.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.message = MessageArea()
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.grid_stack, 1)
        top_layout.addWidget(self.totals)
        top_layout.addWidget(self.message)
        self.chart = OptionChart()
        self.chart.setMinimumHeight(200)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.chart)
        split.setChildrenCollapsible(False)
        split.setSizes([260, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(header)
        layout.addLayout(quote_row)
        layout.addLayout(ticks)
        layout.addWidget(split, 1)


# --------------------------------------------------------------------------- details tab

SEGMENT_COLUMNS = ("Period", "Status", "Amount", "Remarks / error", "Scenario", "Rate")
LINE_COLUMNS = ("Header", "Description on bill", "Quantity", "Amount", "In total")
SQ_COLUMNS = ("UOM", "TOU", "SQI", "Initial quantity", "Billable quantity")
DETAIL_FACTS = ("Detail", "Status", "Total", "Created", "SA version", "Premise", "SA info",
                "Remarks", "Terms")


class DetailPage(QWidget):
    """One quote detail at a time (spec/40 §7 "Quote – Quote Details"): its facts, its
    simulated segments, and the calc lines and quantities of the segment selected."""

    def __init__(self) -> None:
        super().__init__()
        self.quote: QuoteView | None = None
        self.index = 0
        self.prev_button = QPushButton("◀ Previous")
        self.prev_button.setToolTip("Previous quote detail (Ctrl+PgUp)")
        self.next_button = QPushButton("Next ▶")
        self.next_button.setToolTip("Next quote detail (Ctrl+PgDn)")
        self.prev_button.clicked.connect(lambda _=False: self.step(-1))
        self.next_button.clicked.connect(lambda _=False: self.step(1))
        self.position = label("", "sectionHeading")
        nav = QHBoxLayout()
        nav.addWidget(self.position, 1)
        nav.addWidget(self.prev_button)
        nav.addWidget(self.next_button)
        self.facts = FactsPanel(DETAIL_FACTS, columns=1)
        self.segments = ResultGrid(SEGMENT_COLUMNS, stretch=3, name="Simulated segments")
        self.segments.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self._segment_chosen(current))
        self.segment_title = label("Select a segment to see its calc lines.", "hint")
        self.lines = ResultGrid(LINE_COLUMNS, stretch=1, name="Calc lines")
        self.sq = ResultGrid(SQ_COLUMNS, name="SQ details", fit_rows=True)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(nav)
        top_layout.addWidget(self.facts)
        top_layout.addWidget(label("Simulated bill segments", "sectionHeading"))
        top_layout.addWidget(self.segments, 1)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.segment_title)
        bottom_layout.addWidget(self.lines, 1)
        bottom_layout.addWidget(label("SQ details", "sectionHeading"))
        bottom_layout.addWidget(self.sq)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([360, 420])
        self.empty = empty_label("")
        self.stack = stack_of(self.empty, splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.stack)

    def set_quote(self, quote: QuoteView | None, empty_text: str) -> None:
        shown = self.current()
        keep = shown.number if shown else None
        self.quote = quote
        numbers = [d.number for d in quote.details] if quote else []
        self.index = numbers.index(keep) if keep in numbers else 0
        self.empty.setText(empty_text if quote is None else
                           "This quote has no details yet: Generate (Ctrl+G) on the Main tab "
                           "prices each quotable proposal of the account.")
        self.show_index(self.index)

    def current(self) -> QuoteDetailView | None:
        details = self.quote.details if self.quote else ()
        return details[self.index] if 0 <= self.index < len(details) else None

    def show_detail(self, number: str) -> None:
        numbers = [d.number for d in self.quote.details] if self.quote else []
        if number in numbers:
            self.show_index(numbers.index(number))

    def step(self, delta: int) -> None:
        self.show_index(self.index + delta)

    def show_index(self, index: int) -> None:
        details = self.quote.details if self.quote else ()
        if not details:
            self.stack.setCurrentIndex(0)
            self.prev_button.setEnabled(False)
            self.next_button.setEnabled(False)
            return
        assert self.quote is not None
        self.index = max(0, min(index, len(details) - 1))
        self.stack.setCurrentIndex(1)
        self.prev_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < len(details) - 1)
        d = details[self.index]
        p = d.proposal
        currency = self.quote.currency
        self.position.setText(f"Option {self.index + 1} of {len(details)}: "
                              f"{p.rate_schedule or 'no rate'} — {p.rate_description}")
        self.facts.set("Detail", d.number)
        self.facts.set("Status", status_text(d.status))
        self.facts.set("Total", money_text(d.total, currency))
        self.facts.set("Created", when_text(d.created_at))
        changed = " — the proposal changed since: regenerate" if d.proposal_changed else ""
        self.facts.set("SA version", f"{d.sa_version} when generated · {p.version} now"
                                     f"{changed}")
        self.facts.set("Premise", f"{p.premise_number or DASH} — {p.premise_address or DASH}")
        self.facts.set("SA info", f"Proposal {p.number} · {p.sa_type} · {p.service_type.label}"
                                  f" · {p.status.label} · starts {day_text(p.start_date)}")
        self.facts.set("Remarks", "\n".join(d.remarks) or "None")
        self.facts.set("Terms", ", ".join(f"{t.description} ({t.code})" for t in d.terms)
                       or "None")
        self.segments.set_rows([[
            Cell(f"{day_text(s.start)} – {day_text(s.end)}", s.start.isoformat()),
            Cell(status_text(s.status)),
            Cell(money_text(s.amount, currency), float(s.amount), right=True),
            Cell(s.error_message or ""),
            Cell(str(s.scenario) if s.scenario is not None else DASH, s.scenario or 0,
                 right=True),
            Cell(s.rate_schedule or DASH)] for s in d.segments],
            muted=[i for i, s in enumerate(d.segments)
                   if s.status is SimulatedSegmentStatus.ERROR])
        if d.segments:
            self.segments.selectRow(0)
            self._segment_chosen(self.segments.proxy.index(0, 0))
        else:
            self._show_segment(None)

    def _segment_chosen(self, index: QModelIndex) -> None:
        detail = self.current()
        if detail is None or not index.isValid():
            self._show_segment(None)
            return
        row = self.segments.proxy.mapToSource(index).row()
        self._show_segment(detail.segments[row] if row < len(detail.segments) else None)

    def _show_segment(self, seg: SimulatedSegmentView | None) -> None:
        currency = self.quote.currency if self.quote else ""
        if seg is None:
            self.segment_title.setText("No segment selected.")
            self.lines.set_rows([])
            self.sq.set_rows([])
            return
        self.segment_title.setText(
            f"Calc lines of {day_text(seg.start)} – {day_text(seg.end)}"
            + (f": {seg.error_message}" if seg.error_message else ""))
        rows: list[list[Cell]] = []
        muted = []
        for h in seg.headers:
            for ln in h.lines:
                if not ln.in_total:
                    muted.append(len(rows))
                key = key_text(ln.uom, ln.tou, ln.sqi) if ln.uom or ln.tou or ln.sqi else ""
                quantity = ("" if ln.billable_sq is None else
                            f"{quantity_text(ln.billable_sq)} {key}".strip())
                rows.append([Cell(f"{h.sequence} · {h.rate_schedule}", h.sequence),
                             Cell(ln.description_on_bill),
                             Cell(quantity, float(ln.billable_sq or 0), right=True),
                             Cell(money_text(ln.amount, currency), float(ln.amount), right=True),
                             Cell(flag_text(ln.in_total), int(ln.in_total))])
        rows.append([Cell(""), Cell("Total of this segment"), Cell(""),
                     Cell(money_text(seg.amount, currency), float(seg.amount), right=True),
                     Cell("")])
        self.lines.set_rows(rows, pinned=[len(rows) - 1], muted=muted)
        self.sq.set_rows([[Cell(q.uom or DASH), Cell(q.tou or DASH), Cell(q.sqi or DASH),
                           Cell(quantity_text(q.initial), float(q.initial), right=True),
                           Cell(quantity_text(q.billable), float(q.billable), right=True)]
                          for q in seg.quantities])


def series_names(chart: OptionChart) -> Sequence[str]:
    return [name for name, _h in chart.series]


__all__ = ["GROUPS", "DetailPage", "MainPage", "OptionChart", "period_label",
           "series_names"]
