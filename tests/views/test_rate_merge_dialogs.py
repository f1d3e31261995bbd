"""Rate Version Merge and Rate Schedule Merge dialogs (spec/20 §8, spec/10 §6.2): copy rows as a
rate analyst would, save, and read the stored version back through the service."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.db import Database
from app.engine.rates.schedules import RateComponent, RateVersion
from app.models.enums import UserRole
from app.services import rates
from app.services.context import Actor
from app.views.current_context import CurrentContext
from app.views.panes import PaneContext
from app.views.rate_merge_dialogs import RateScheduleMergeDialog, RateVersionMergeDialog
from tests.views.conftest import RecordingHost, settle

ANALYST = Actor("rana", "Rita Analyst", frozenset({UserRole.RATE_ANALYST}))
OTHER = Actor("rbo", "Bo Rater", frozenset({UserRole.RATE_ANALYST}))
CSR = Actor("csr1", "Casey Reed", frozenset({UserRole.CSR}))
NEW = dt.date(2026, 1, 1)
LEFT = Qt.MouseButton.LeftButton






@pytest.fixture
def shipped(empty_db: Database) -> Database:
    """The shipped rates, and an In Progress copy of E-COM-1 to merge into."""
    rates.load_shipped_rates(empty_db, ANALYST)
    rates.add_version(empty_db, ANALYST, "E-COM-1", NEW, copy_from=dt.date(2020, 1, 1))
    return empty_db


def _dialog(qtbot: QtBot, db: Database, effective: dt.date = NEW, actor: Actor = ANALYST,
            code: str = "E-COM-1") -> RateVersionMergeDialog:
    dialog = RateVersionMergeDialog(PaneContext(db, actor, RecordingHost(), CurrentContext()), code,
                                    effective, None)
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot)
    return dialog


def _stored(db: Database, code: str, effective: dt.date) -> RateVersion:
    schedule = rates.open_schedule(db, ANALYST, code).schedule
    return next(v for v in schedule.versions if v.effective == effective)


def _rc(version: RateVersion, sequence: int) -> RateComponent:
    return next(rc for rc in version.components if rc.sequence == sequence)


def test_merge_copies_renumbers_and_remaps_cross_references(qtbot: QtBot,
                                                            shipped: Database) -> None:
    dialog = _dialog(qtbot, shipped)
    assert dialog.left_texts("Seq") == ["10", "20", "30", "40", "50"]
    assert not dialog.save_button.isEnabled()
    dialog.choose_source("E-RES-1", dt.date(2025, 7, 1))
    settle(qtbot)
    assert dialog.right_sequences() == [10, 20, 30, 40, 50, 60]
    # copy the two energy steps, their subtotal and the state tax (its xref 10 stays behind)
    dialog.select_right(20, 30, 40, 50)
    qtbot.mouseClick(dialog.copy_button, LEFT)
    assert dialog.left_texts("Merge type") == ["Original"] * 5 + ["Merge"] * 4
    assert dialog.right_sequences() == [10, 60]
    assert "component 50" in dialog.warning_text()
    assert "refers to 10, which is not being copied" in dialog.warning_text()
    assert not dialog.schedule_combo.isEnabled()          # one Merge From version at a time
    # delete the original county tax (50) and renumber from 100 by 5
    dialog.select_left(4)
    assert dialog.delete_button.isEnabled() and not dialog.uncopy_button.isEnabled()
    qtbot.mouseClick(dialog.delete_button, LEFT)
    dialog.start.setValue(100)
    dialog.increment.setValue(5)
    assert dialog.left_texts("New seq") == [str(100 + 5 * i) for i in range(8)]
    assert dialog.left_texts("Refers to")[3] == "100, 105, 110"   # the original state tax
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10_000)
    assert dialog.error_text() == ""

    stored = _stored(shipped, "E-COM-1", NEW)
    assert [(rc.sequence, rc.type.value) for rc in stored.components] == [
        (100, "FLAT"), (105, "SQ"), (110, "MIN"), (115, "APPLY_TO"), (120, "SQ"), (125, "SQ"),
        (130, "SUMMARY"), (135, "APPLY_TO")]
    assert _rc(stored, 110).xrefs == (100, 105)            # minimum: was 10, 20
    assert _rc(stored, 115).xrefs == (100, 105, 110)       # original state tax: was 10, 20, 30
    assert _rc(stored, 130).xrefs == (120, 125)            # copied subtotal: was 20, 30
    assert _rc(stored, 135).xrefs == (120, 125)            # copied tax: 10 was not copied
    assert _rc(stored, 135).bill_factor == "STTAX"
    assert str(_rc(stored, 120).value) == "0.1243"         # the copy carries its values
    assert not any("County" in rc.description_on_bill for rc in stored.components)
    # the Finished source is untouched
    assert [rc.sequence for rc in _stored(shipped, "E-RES-1", dt.date(2025, 7, 1)).components] \
        == [10, 20, 30, 40, 50, 60]


def test_uncopy_moves_the_row_back_and_clears_its_warning(qtbot: QtBot,
                                                          shipped: Database) -> None:
    dialog = _dialog(qtbot, shipped)
    dialog.choose_source("E-RES-1", dt.date(2025, 7, 1))
    settle(qtbot)
    dialog.select_right(50)
    qtbot.mouseClick(dialog.copy_button, LEFT)
    assert dialog.left_texts("Merge type")[-1] == "Merge"
    assert "refers to 10, 20, 30, which are not being copied" in dialog.warning_text()
    assert 50 not in dialog.right_sequences()
    dialog.select_left(5)
    assert dialog.uncopy_button.isEnabled() and not dialog.delete_button.isEnabled()
    qtbot.mouseClick(dialog.uncopy_button, LEFT)
    assert dialog.left_texts("Seq") == ["10", "20", "30", "40", "50"]
    assert dialog.left_texts("Merge type") == ["Original"] * 5
    assert dialog.right_sequences() == [10, 20, 30, 40, 50, 60]
    assert dialog.warning_text() == ""
    assert dialog.schedule_combo.isEnabled()
    # Copy All appends every component, in the source's order, at the end
    qtbot.mouseClick(dialog.copy_all_button, LEFT)
    assert dialog.left_texts("Seq") == ["10", "20", "30", "40", "50",
                                        "10", "20", "30", "40", "50", "60"]
    assert dialog.right_sequences() == [] and dialog.warning_text() == ""


def test_reorder_moves_a_row_and_its_references_follow(qtbot: QtBot, shipped: Database) -> None:
    dialog = _dialog(qtbot, shipped)
    dialog.select_left(0)                   # the customer charge to the end
    for _ in range(4):
        qtbot.mouseClick(dialog.down_button, LEFT)
    assert dialog.left_texts("Seq") == ["20", "30", "40", "50", "10"]
    assert not dialog.down_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10_000)
    stored = _stored(shipped, "E-COM-1", NEW)
    assert _rc(stored, 50).description_on_bill.startswith("Customer charge")
    assert _rc(stored, 20).xrefs == (50, 10)               # the minimum: was 10, 20
    assert _rc(stored, 30).xrefs == (50, 10, 20)           # the state tax: was 10, 20, 30


def test_a_finished_target_is_read_only_in_red(qtbot: QtBot, shipped: Database) -> None:
    dialog = _dialog(qtbot, shipped, effective=dt.date(2020, 1, 1))
    assert "Finished" in dialog.original_label.text()
    assert "#c0392b" in dialog.original_label.styleSheet()
    dialog.choose_source("E-RES-1")
    settle(qtbot)
    dialog.select_right(10)
    for button in (dialog.copy_all_button, dialog.copy_button, dialog.save_button,
                   dialog.up_button):
        assert not button.isEnabled()
    dialog.copy_all()                                      # refused, not only greyed
    assert dialog.left_texts("Merge type") == ["Original"] * 5


def test_a_lost_race_names_the_other_user_and_saves_nothing(qtbot: QtBot,
                                                            shipped: Database) -> None:
    dialog = _dialog(qtbot, shipped)
    dialog.choose_source("E-RES-1")
    settle(qtbot)
    dialog.select_right(10)
    qtbot.mouseClick(dialog.copy_button, LEFT)
    state = rates.open_schedule(shipped, OTHER, "E-COM-1").version_state(NEW)
    rates.save_version(shipped, OTHER, "E-COM-1", _stored(shipped, "E-COM-1", NEW),
                       state.row_version)
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: bool(dialog.error_text()), timeout=10_000)
    assert "changed by rbo" in dialog.error_text()
    assert dialog.isVisible() and dialog.reload_button.isVisible()
    assert len(_stored(shipped, "E-COM-1", NEW).components) == 5


def test_a_csr_sees_the_merge_but_cannot_save(qtbot: QtBot, shipped: Database) -> None:
    dialog = _dialog(qtbot, shipped, actor=CSR)
    assert dialog.banner.isVisible() and "Rate Analyst" in dialog.banner.text()
    dialog.choose_source("E-RES-1")
    settle(qtbot)
    assert not dialog.copy_all_button.isEnabled() and not dialog.save_button.isEnabled()


def test_schedule_merge_previews_and_copies_the_ticked_collections(qtbot: QtBot,
                                                                   shipped: Database) -> None:
    dialog = RateScheduleMergeDialog(PaneContext(shipped, ANALYST, RecordingHost(), CurrentContext()),
                                     "E-COM-1", None)
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot)
    assert dialog.grid_texts("sq_rules") == [] and not dialog.save_button.isEnabled()
    dialog.choose_source("RX-02")
    settle(qtbot)
    assert dialog.grid_texts("sq_rules") == ["SUM-KWH"]
    assert dialog.grid_texts("sq_rules", 2) == ["RX-02"]
    assert "adds 1 SQ rule" in dialog.summary.text()
    dialog.ticks["sq_rules"].setChecked(False)
    assert dialog.grid_texts("sq_rules") == [] and not dialog.save_button.isEnabled()
    dialog.ticks["sq_rules"].setChecked(True)
    before = rates.open_schedule(shipped, ANALYST, "E-COM-1")
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10_000)
    after = rates.open_schedule(shipped, ANALYST, "E-COM-1")
    assert [(link.sequence, link.rule) for link in after.schedule.sq_rules] == [(10, "SUM-KWH")]
    assert after.schedule.versions == before.schedule.versions
    assert after.row_version == before.row_version + 1
