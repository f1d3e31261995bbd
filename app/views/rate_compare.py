"""Compare Rates — "Am I on the best rate?": the same consumption priced through several rate
schedules (`services.rate_compare.compare_rates`), the cheapest eligible one highlighted, a
sentence that says what it would have saved, and a bar chart of the cost per rate.

The consumption is either the quantities typed on the Rate Check pane for its period, or the
agreement's last 12 billed months (`usage_history`). The pane supplies both through `UsageSource`.

Billing history has no time of use, so a TOU rate is priced from an assumed split of the kWh
(the "Time-of-use split" inputs, defaulted from `DEFAULT_TOU_SHARES`, one per TOU code of the
ticked rates). Every cost that rests on it is marked "≈", its row says what was assumed, and so
does the sentence: a CSR never presents an assumed split as fact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.reports.formatting import money_text
from app.services.errors import DomainError
from app.services.rate_compare import (
    DEFAULT_TOU_SHARES,
    ComparedRate,
    CompareRequest,
    RateComparison,
    UsageMonth,
    comparable_rates,
    compare_rates,
    tou_split_codes,
    usage_history,
)
from app.views.dashboard import Cell
from app.views.rate_check_results import (
    CURRENT_COLOUR,
    HIGHLIGHT_COLOUR,
    BarChart,
    ResultGrid,
    _decimal_key,
)
from app.views.tree_dialogs import BANNER_STYLE
from app.views.widgets import label
from app.views.worker import run_task

FIXED_COLUMNS = ("Rate", "Description", "Cost", "Difference", "Eligible", "Problem",
                 "Assumption")
#: Marks a cost that rests on an assumption (the row's Assumption says which).
ASSUMED = "≈ "
ASSUMPTION_COLUMN = FIXED_COLUMNS.index("Assumption")
#: Share inputs on one line of the split (label, field, "%"): three fit half the tab.
SHARES_PER_LINE = 3
SPLIT_TIP = ("An assumption, not a measurement: billing history (and kWh typed without a TOU) "
             "has no time of use, so a time-of-use rate is priced as if this share of the kWh "
             "had been used in that time of use. Shares are percentages, normalised over the "
             "codes each rate uses; kWh typed with a TOU is priced as typed.")
LEFT_INPUTS, LAST_12 = 0, 1
CODE_ROLE = Qt.ItemDataRole.UserRole + 3


@dataclass(frozen=True)
class CompareInputs:
    """What the pane gives the comparison: its period's consumption (or the error that stops
    reading it), the agreement, characteristics and revenue class."""

    months: tuple[UsageMonth, ...]
    sa_number: str | None
    characteristics: tuple[tuple[str, str], ...]
    revenue_class: str | None
    #: The rate on the form: what the sentence compares with when there is no current rate.
    reference: str | None = None


#: Reads the pane's inputs (the period only when `True`: the SA's history brings its own);
#: raises DomainError (with its field) when they cannot be read.
UsageSource = Callable[[bool], CompareInputs]
#: Shows a message beside a pane input; returns False when there is no such input.
FieldErrorSink = Callable[[str, str], bool]


def month_heading(month: UsageMonth, single: bool) -> str:
    if single:
        return f"{month.start.isoformat()} – {month.end.isoformat()}"
    return f"{month.end:%b %Y}"


def span_text(months: Sequence[UsageMonth]) -> str:
    if len(months) == 1:
        return f"this period ({months[0].start.isoformat()} – {months[0].end.isoformat()})"
    return f"these {len(months)} months"


def verdict(comparison: RateComparison, reference: str | None = None) -> str:
    """The sentence under the grid, from the service's figures only, followed by what the
    eligible rates' costs assume (a time-of-use split). Without a current rate (no SA) the
    differences are against the cheapest, and `reference` (the rate checked on the form) is
    named when it is not the cheapest."""
    sentence = _verdict(comparison, reference)
    for rate in comparison.rates:
        if rate.eligible and rate.assumption:
            sentence += f" {rate.code} is priced on a {rate.assumption}."
    return sentence


def _verdict(comparison: RateComparison, reference: str | None) -> str:
    rates = {r.code: r for r in comparison.rates}
    cur = comparison.currency
    span = span_text(comparison.months)
    cheapest = rates.get(comparison.cheapest or "")
    if cheapest is None:
        return "None of the ticked rates could price this consumption: see the problems."
    current = rates.get(comparison.current or "")
    if current is None or current.annual is None:
        sentence = (f"{cheapest.code} is the cheapest of the eligible rates: "
                    f"{money_text(cheapest.annual, cur)} over {span}.")
        other = rates.get(reference or "")
        if other is not None and other.code != cheapest.code and other.difference:
            sentence += (f" {other.code} (the rate on the left) would have cost "
                         f"{money_text(other.difference, cur)} more.")
        return sentence
    if cheapest.code == current.code:
        others = sorted((r for r in comparison.rates if r.eligible and r.code != current.code
                         and r.difference is not None), key=lambda r: r.difference or 0)
        if not others:
            return f"{current.code} (current) is the only eligible rate ticked."
        runner = others[0]
        return (f"{current.code} (current) is already the cheapest over {span}: "
                f"{runner.code}, the next cheapest, would have cost "
                f"{money_text(runner.difference, cur)} more.")
    saving = cheapest.difference
    if saving is None or saving == 0:
        return f"{cheapest.code} would have cost the same as {current.code} (current)."
    return (f"{cheapest.code} would have cost {money_text(abs(saving), cur)} less over {span} "
            f"than {current.code} (current).")


def compared_cells(rate: ComparedRate, currency: str) -> list[Cell]:
    tags = [t for t, on in (("current", rate.current), ("cheapest", rate.cheapest)) if on]
    code = f"{rate.code} ({', '.join(tags)})" if tags else rate.code
    difference = ""
    if rate.difference is not None:
        difference = money_text(rate.difference, currency)
        if rate.difference > 0:
            difference = "+" + difference
    mark = ASSUMED if rate.assumption and rate.annual is not None else ""
    tip = rate.assumption or ""
    cells = [Cell(code, rate.code), Cell(rate.description),
             Cell(mark + money_text(rate.annual, currency), _decimal_key(rate.annual),
                  right=True, tooltip=tip),
             Cell(difference, _decimal_key(rate.difference), right=True),
             Cell("Yes" if rate.eligible else "No", int(rate.eligible)),
             Cell(rate.problem or "", tooltip=rate.problem or ""),
             Cell(rate.assumption or "", tooltip=tip)]
    cells += [Cell(mark + money_text(v, currency) if v is not None else "", _decimal_key(v),
                   right=True, tooltip=tip) for v in rate.monthly]
    return cells


class CompareView(QWidget):
    """The Compare Rates tab."""

    def __init__(self, db: Database, usage: UsageSource, field_error: FieldErrorSink,
                 clear_field_errors: Callable[[], None] = lambda: None) -> None:
        super().__init__()
        self.db = db
        self._usage = usage
        self._field_error = field_error
        self._clear_field_errors = clear_field_errors
        self.comparison: RateComparison | None = None
        self.reference: str | None = None
        self.busy = False
        self.choices: tuple[tuple[str, str], ...] = ()

        self.from_inputs = QRadioButton("The quantities and period entered on the left")
        self.last_12 = QRadioButton("The SA's last 12 billed months")
        self.from_inputs.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.from_inputs, LEFT_INPUTS)
        group.addButton(self.last_12, LAST_12)
        self.rates = QListWidget()
        self.rates.setAccessibleName("Rates to compare")
        self.rates.setMaximumHeight(150)
        self.rate_error = label("", "inlineError", wrap=True)
        self.rate_error.hide()
        #: Rate code -> the TOU codes it splits kWh without a time of use over.
        self.split_codes: dict[str, tuple[str, ...]] = {}
        #: The split as typed, by TOU code (kept when a code is hidden and shown again).
        self.share_texts = {code: f"{share:f}" for code, share in DEFAULT_TOU_SHARES}
        self.shares: dict[str, QLineEdit] = {}
        self.split_heading = label("Time-of-use split (assumed)", "sectionHeading")
        self.split_heading.setToolTip(SPLIT_TIP)
        self.split_row = QWidget()
        self.split_error = label("", "inlineError", wrap=True)
        self.split_error.hide()
        self.split_box = QWidget()
        self.split_layout = QVBoxLayout(self.split_box)
        self.split_layout.setContentsMargins(0, 6, 0, 0)
        self.split_layout.setSpacing(2)
        self.split_layout.addWidget(self.split_heading)
        self.split_layout.addWidget(self.split_row)
        self.split_layout.addWidget(self.split_error)
        self.split_box.hide()
        self.rates.itemChanged.connect(lambda _item: self._show_split())
        self.default_button = QPushButton("Default list")
        self.default_button.setToolTip("Tick the rates of the SA's service type")
        self.default_button.clicked.connect(lambda _=False: self.tick_defaults())
        self.compare_button = QPushButton("Compare")
        self.compare_button.setObjectName("primary")
        self.compare_button.setToolTip("Price the consumption with every ticked rate (Enter)")
        self.compare_button.clicked.connect(lambda _=False: self.compare())
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        self.sentence = label("Tick the rates to compare and press Compare. The cheapest "
                              "eligible rate is highlighted.", "hint", wrap=True)
        self.sentence.setAccessibleName("Comparison result")
        self.grid = ResultGrid(FIXED_COLUMNS, stretch=1, name="Compared rates")
        self.chart = BarChart("Cost per rate over the period", "Cost per rate")
        self.chart.setMinimumHeight(140)

        usage_box = QVBoxLayout()
        usage_box.setSpacing(2)
        usage_box.addWidget(label("Consumption", "sectionHeading"))
        usage_box.addWidget(self.from_inputs)
        usage_box.addWidget(self.last_12)
        usage_box.addWidget(self.split_box)
        usage_box.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.default_button)
        buttons.addStretch(1)
        buttons.addWidget(self.compare_button)
        usage_box.addLayout(buttons)
        rate_box = QVBoxLayout()
        rate_box.setSpacing(2)
        rate_box.addWidget(label("Rates", "sectionHeading"))
        rate_box.addWidget(self.rates)
        rate_box.addWidget(self.rate_error)
        top = QHBoxLayout()
        top.addLayout(usage_box, 1)
        top.addLayout(rate_box, 1)
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addWidget(self.sentence)
        results_layout.addWidget(self.grid, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(results)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        self.set_agreement(None)

    # --------------------------------------------------------------------------- inputs

    def set_rates(self, rates: Sequence[tuple[str, str]]) -> None:
        ticked = set(self.ticked()) if self.rates.count() else None
        self.choices = tuple(rates)
        self.rates.clear()
        for code, description in rates:
            item = QListWidgetItem(f"{code} — {description}")
            item.setData(CODE_ROLE, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if ticked and code in ticked
                               else Qt.CheckState.Unchecked)
            self.rates.addItem(item)
        run_task(tou_split_codes, self.db, [code for code, _d in rates],
                 on_result=self._split_codes_loaded, on_error=lambda exc: None)
        if ticked is None:
            self.tick_defaults()

    def _split_codes_loaded(self, codes: dict[str, tuple[str, ...]]) -> None:
        self.split_codes = codes
        self._show_split()

    def split_lines(self) -> tuple[tuple[str, ...], ...]:
        """The TOU codes of the ticked rates that split kWh without a time of use, one line
        per rate's codes (ON, OFF / PEAK, SHOULDER, OFFPEAK), each code once."""
        lines: list[tuple[str, ...]] = []
        seen: set[str] = set()
        for code in self.ticked():
            new = tuple(tou for tou in self.split_codes.get(code, ()) if tou not in seen)
            seen.update(new)
            lines += [new[i:i + SHARES_PER_LINE] for i in range(0, len(new), SHARES_PER_LINE)]
        return tuple(lines)

    def _show_split(self) -> None:
        """One share input per TOU code the ticked rates use; none when no TOU rate is
        ticked."""
        lines = self.split_lines()
        codes = tuple(tou for line in lines for tou in line)
        self.split_box.setVisible(bool(codes))
        if codes == tuple(self.shares):
            return
        row = QWidget()
        fields = QGridLayout(row)
        fields.setContentsMargins(0, 0, 0, 0)
        fields.setHorizontalSpacing(4)
        fields.setVerticalSpacing(2)
        self.shares = {}
        for line, at, code in ((n, i, tou) for n, group in enumerate(lines)
                               for i, tou in enumerate(group)):
            edit = QLineEdit(self.share_texts.get(code, ""))
            edit.setPlaceholderText("0")
            edit.setFixedWidth(44)
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setAccessibleName(f"Assumed {code} share of the kWh, percent")
            edit.setToolTip(f"The share of the kWh priced as {code} on a time-of-use rate. "
                            + SPLIT_TIP)
            edit.textEdited.connect(lambda text, tou=code: self._share_edited(tou, text))
            name = QLabel(code)
            name.setBuddy(edit)
            fields.addWidget(name, line, 3 * at)
            fields.addWidget(edit, line, 3 * at + 1)
            fields.addWidget(QLabel("%  "), line, 3 * at + 2)
            self.shares[code] = edit
        fields.setColumnStretch(3 * SHARES_PER_LINE, 1)
        self.split_layout.replaceWidget(self.split_row, row)
        self.split_row.hide()
        self.split_row.deleteLater()
        self.split_row = row

    def _share_edited(self, code: str, text: str) -> None:
        self.share_texts[code] = text
        self.split_error.hide()

    def tou_shares(self) -> tuple[tuple[str, str], ...]:
        """The split to compare with: the shares shown as typed, the defaults for the rest."""
        shown = tuple(self.shares)
        return (*((code, self.share_texts.get(code, "")) for code in shown),
                *((code, f"{share:f}") for code, share in DEFAULT_TOU_SHARES
                  if code not in shown))

    def set_agreement(self, sa_number: str | None) -> None:
        """The SA on the pane changed: its history can be used, its rates are the default."""
        self.sa_number = sa_number
        self.last_12.setEnabled(bool(sa_number))
        self.last_12.setToolTip("" if sa_number else "Enter an SA ID on the left first")
        if not sa_number:
            self.from_inputs.setChecked(True)
        if self.rates.count():
            self.tick_defaults()

    def tick(self, codes: Sequence[str]) -> None:
        wanted = set(codes)
        for i in range(self.rates.count()):
            item = self.rates.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(CODE_ROLE) in wanted
                               else Qt.CheckState.Unchecked)

    def ticked(self) -> list[str]:
        return [str(self.rates.item(i).data(CODE_ROLE)) for i in range(self.rates.count())
                if self.rates.item(i).checkState() == Qt.CheckState.Checked]

    def tick_defaults(self) -> None:
        run_task(comparable_rates, self.db, self.sa_number, on_result=self.tick,
                 on_error=lambda exc: self.tick([code for code, _d in self.choices]))

    # -------------------------------------------------------------------------- compare

    def compare(self) -> None:
        if self.busy:
            return
        self._clear_errors()
        use_history = self.last_12.isChecked() and bool(self.sa_number)
        try:
            inputs = self._usage(not use_history)
        except DomainError as exc:
            self._show_error(exc)
            return
        use_history = use_history and bool(inputs.sa_number)
        self.reference = inputs.reference
        codes = tuple(self.ticked())
        shares = self.tou_shares()
        db = self.db

        def call() -> RateComparison:
            months = usage_history(db, inputs.sa_number or "") if use_history \
                else inputs.months
            return compare_rates(db, CompareRequest(
                codes, months, inputs.sa_number, inputs.characteristics,
                inputs.revenue_class, shares))

        self.busy = True
        self.compare_button.setEnabled(False)
        self.sentence.setText("Comparing…")
        run_task(call, on_result=self.show_comparison, on_error=self._failed)

    def show_comparison(self, comparison: RateComparison) -> None:
        self.busy = False
        self.compare_button.setEnabled(True)
        self.setEnabled(True)
        self.comparison = comparison
        single = len(comparison.months) == 1
        columns = (*FIXED_COLUMNS, *(month_heading(m, single) for m in comparison.months))
        self.grid.columns = columns
        self.grid.source.setColumnCount(len(columns))
        self.grid.source.setHorizontalHeaderLabels(list(columns))
        cur = comparison.currency
        rows = [compared_cells(r, cur) for r in comparison.rates]
        highlighted = [i for i, r in enumerate(comparison.rates) if r.cheapest]
        muted = [i for i, r in enumerate(comparison.rates) if not r.eligible]
        self.grid.set_rows(rows, highlighted=highlighted, muted=muted)
        if any(r.assumption for r in comparison.rates):      # never elided: the grid scrolls
            width = max(self.grid.fontMetrics().horizontalAdvance(r.assumption or "")
                        for r in comparison.rates) + 18
            self.grid.setColumnWidth(ASSUMPTION_COLUMN,
                                     max(width, self.grid.columnWidth(ASSUMPTION_COLUMN)))
        self.sentence.setObjectName("sectionHeading")
        self.sentence.style().unpolish(self.sentence)
        self.sentence.style().polish(self.sentence)
        self.sentence.setText(verdict(comparison, self.reference))
        priced = [r for r in comparison.rates if r.annual is not None and r.eligible]
        colours = [HIGHLIGHT_COLOUR if r.cheapest else CURRENT_COLOUR if r.current else None
                   for r in priced]
        self.chart.set_bars([(f"{r.code} (assumed split)" if r.assumption else r.code, r.annual)
                             for r in priced if r.annual is not None], cur, colours)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.compare_button.setEnabled(True)
        self.sentence.setText("Not compared.")
        if self.comparison is not None:
            self.grid.setEnabled(False)
            self.chart.setEnabled(False)
        if isinstance(exc, DomainError):
            self._show_error(exc)
        else:
            self.banner.setText(f"The rates could not be compared: {exc}")
            self.banner.show()

    def _show_error(self, exc: DomainError) -> None:
        if exc.field == "rate_schedule":
            self.rate_error.setText(exc.message)
            self.rate_error.show()
            return
        if exc.field == "tou_shares" and self.shares:
            self.split_error.setText(exc.message)
            self.split_error.show()
            return
        shown = exc.field is not None and self._field_error(exc.field, exc.message)
        self.banner.setText(exc.message + (" (see the field on the left)" if shown else ""))
        self.banner.show()

    def _clear_errors(self) -> None:
        self._clear_field_errors()
        self.rate_error.hide()
        self.split_error.hide()
        self.banner.hide()
        self.grid.setEnabled(True)
        self.chart.setEnabled(True)

    def highlighted_code(self) -> str | None:
        """The rate the grid highlights (the cheapest eligible one)."""
        for r in range(self.grid.row_count()):
            if self.grid.is_bold(r):
                return self.grid.cell_text(r, 0).split(" ", 1)[0]
        return None


__all__ = ["CompareInputs", "CompareView", "compared_cells", "verdict"]
