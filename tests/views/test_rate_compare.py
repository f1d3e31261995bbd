"""The Compare Rates tab with a time-of-use rate, driven as a CSR would: plain kWh typed on the
Rate Check pane, the TOU split shown for the TOU codes of the ticked rates (defaults filled),
changed by typing, compared; the TOU rate's cost is marked as assumed and its row and the
sentence say what was assumed. A negative share is shown beside the split."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from app.db import Database, open_database
from app.services.context import SYSTEM
from app.services.rate_check import QuantityInput
from app.services.rates import load_shipped_rates
from app.views.current_context import CurrentContext
from app.views.panes import PaneContext
from app.views.rate_check import COMPARE, RateCheckPane
from app.views.rate_compare import FIXED_COLUMNS
from tests.conftest import CSR
from tests.views.conftest import RecordingHost, settle

JULY = (dt.date(2026, 7, 1), dt.date(2026, 7, 31))
COST, ASSUMPTION = FIXED_COLUMNS.index("Cost"), FIXED_COLUMNS.index("Assumption")


@pytest.fixture(scope="module")
def rates_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The shipped rate library, nothing else: the consumption is typed in."""
    path = tmp_path_factory.mktemp("rate-compare") / "rates.sqlite"
    db = open_database(f"sqlite:///{path}")
    load_shipped_rates(db, SYSTEM)
    yield db
    db.dispose()


def _pane(qtbot: QtBot, db: Database) -> RateCheckPane:
    pane = RateCheckPane(PaneContext(db, CSR, RecordingHost(), CurrentContext()))
    qtbot.addWidget(pane)
    pane.resize(1400, 900)
    pane.show()
    qtbot.waitExposed(pane)
    settle(qtbot)
    pane.start.setDate(QDate(JULY[0].year, JULY[0].month, JULY[0].day))
    pane.end.setDate(QDate(JULY[1].year, JULY[1].month, JULY[1].day))
    pane.characteristics.set_rows([("STATE", "IL")])
    pane.quantities.set_rows([QuantityInput("KWH", None, None, "750")])
    pane.tabs.setCurrentIndex(COMPARE)
    settle(qtbot)
    return pane


def _type(qtbot: QtBot, pane: RateCheckPane, code: str, text: str) -> None:
    edit = pane.compare.shares[code]
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, text)


def _row(pane: RateCheckPane, code: str) -> int:
    grid = pane.compare.grid
    return next(r for r in range(grid.row_count())
                if grid.cell_text(r, 0).split(" ", 1)[0] == code)


def test_the_split_is_asked_for_the_ticked_tou_rates_and_priced(qtbot: QtBot, rates_db: Database
                                                                ) -> None:
    pane = _pane(qtbot, rates_db)
    compare = pane.compare
    compare.tick(["E-RES-1", "E-COM-1"])
    settle(qtbot)
    assert compare.split_box.isHidden()                  # no TOU rate ticked: nothing to ask
    compare.tick(["E-RES-1", "E-RES-TOU"])
    settle(qtbot)
    assert compare.split_box.isVisible()
    assert compare.split_lines() == (("ON", "OFF"),)
    assert {c: e.text() for c, e in compare.shares.items()} == {"ON": "30", "OFF": "70"}
    assert "assumption" in compare.shares["ON"].toolTip().lower()
    # the CSR's own split: half and half
    _type(qtbot, pane, "ON", "50")
    _type(qtbot, pane, "OFF", "50")
    qtbot.mouseClick(compare.compare_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    grid = compare.grid
    tou = _row(pane, "E-RES-TOU")
    # 375 kWh ON and OFF: 14.00 + 375 × 0.2387 = 89.5125 → 89.51 + 375 × 0.0943 = 35.3625
    # → 35.36 (= 138.87); state tax 6.25 % → 8.68; county tax 750 × 0.001 = 0.75: 148.30
    assert grid.cell_text(tou, COST) == "≈ $148.30"
    assumed = "KWH split ON 50 % / OFF 50 % (assumed; the consumption has no time of use)"
    assert grid.cell_text(tou, ASSUMPTION) == assumed
    assert grid.cell_text(_row(pane, "E-RES-1"), COST) == "$119.94"
    assert grid.cell_text(_row(pane, "E-RES-1"), ASSUMPTION) == ""
    assert compare.highlighted_code() == "E-RES-1"
    sentence = compare.sentence.text()
    assert sentence.startswith("E-RES-1 is the cheapest of the eligible rates")
    assert f"E-RES-TOU is priced on a {assumed}." in sentence
    # a three-part TOU rate adds its codes on a line of their own (in the list's order of
    # rates: COM-TOU comes first); the typed split stays
    compare.tick(["E-RES-1", "E-RES-TOU", "COM-TOU"])
    settle(qtbot)
    assert compare.split_lines() == (("PEAK", "SHOULDER", "OFFPEAK"), ("ON", "OFF"))
    assert [compare.shares[c].text() for c in ("ON", "OFF", "PEAK", "SHOULDER", "OFFPEAK")] \
        == ["50", "50", "25", "20", "55"]


def test_a_negative_share_is_shown_beside_the_split(qtbot: QtBot, rates_db: Database) -> None:
    pane = _pane(qtbot, rates_db)
    compare = pane.compare
    compare.tick(["E-RES-1", "E-RES-TOU"])
    settle(qtbot)
    _type(qtbot, pane, "ON", "-5")
    qtbot.mouseClick(compare.compare_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert compare.split_error.isVisible()
    assert compare.split_error.text() == ("The ON share of the time-of-use split cannot be "
                                          "negative (-5): enter 0 or more.")
    assert compare.banner.isHidden()
    assert compare.sentence.text() == "Not compared."
    _type(qtbot, pane, "ON", "30")                  # typing again clears the message
    assert compare.split_error.isHidden()


def test_no_eligible_rate_draws_no_bar_and_says_so(qtbot: QtBot, rates_db: Database) -> None:
    """kWh through gas rates only: nothing prices it, the chart is empty (not an error)."""
    pane = _pane(qtbot, rates_db)
    compare = pane.compare
    compare.tick(["G-RES-1", "G-COM-1"])
    qtbot.mouseClick(compare.compare_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert compare.comparison is not None and compare.comparison.cheapest is None
    assert compare.chart.bar_count() == 0
    assert compare.grid.row_count() == 2
    assert "No" in compare.sentence.text() or "none" in compare.sentence.text().lower()
