"""The Rate Editor pane driven like a rate analyst (and a CSR): type into the forms and the
grid, press Ins / Ctrl+S / Validate / Finish, read what the pane says; what was saved is read
back through the services and rated with the engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.db import Database
from app.engine.rates import Quantity, check_rate
from app.engine.rates.enums import RateVersionStatus
from app.engine.rates.schedules import RateComponent, RateVersion
from app.models.enums import ServiceType, UserRole
from app.services import financials, rates
from app.services import service_agreements as sas
from app.services.context import Actor
from app.services.financials import BillSegmentForm
from app.services.service_agreements import ServiceAgreementForm
from app.views.main_window import MainWindow
from app.views.rate_component_editor import ComponentEditor
from app.views.rate_editor import READ_ONLY, RateEditorPane, problem_text
from app.views.rate_editor_widgets import RecordTable
from tests.conftest import CSR, SUPERVISOR
from tests.services.builders import household
from tests.views.conftest import activate, settle

ANALYST = Actor("rana", "Rita Analyst", frozenset({UserRole.RATE_ANALYST}))
OTHER_ANALYST = Actor("rbo", "Bo Rater", frozenset({UserRole.RATE_ANALYST}))
JAN = dt.date(2026, 1, 1)
D = Decimal




@pytest.fixture
def shipped(empty_db: Database) -> Database:
    rates.load_shipped_rates(empty_db, ANALYST)
    return empty_db


# ---------------------------------------------------------------------------------- helpers

def _pane(qtbot: QtBot, db: Database, actor: Actor = ANALYST) -> RateEditorPane:
    window = MainWindow(db, actor)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    activate(qtbot, window)
    settle(qtbot)
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    pane = window.tabs.currentWidget()
    assert isinstance(pane, RateEditorPane)
    settle(qtbot)
    pane.confirm = lambda _text: True
    return pane


def _open(qtbot: QtBot, pane: RateEditorPane, code: str,
          effective: dt.date | None = None) -> None:
    pane.open_schedule(code, effective)
    settle(qtbot)
    assert pane.loaded is not None and pane.loaded.schedule.code == code


def _type(qtbot: QtBot, field: QWidget, text: str) -> None:
    """Replace what a line edit holds, as typed, and press Enter."""
    assert isinstance(field, QLineEdit) and field.isEnabled(), field.accessibleName()
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def _choose(qtbot: QtBot, combo: QWidget, text: str) -> None:
    """Move through a combo with the arrow keys until `text` is shown."""
    assert isinstance(combo, QComboBox) and combo.isEnabled()
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText() == text:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == text


def _field(editor: ComponentEditor, key: str) -> QWidget:
    """The form input of component field `key`, with its tab opened."""
    for i, form in enumerate(editor.forms):
        if key in form.widgets:
            editor.tabs.setCurrentIndex(i)
            return form.widgets[key]
    raise KeyError(key)


def _type_in_cell(qtbot: QtBot, table: RecordTable, row: int, key: str, text: str) -> None:
    """Select a cell, type over it (the first key opens the editor) and press Enter."""
    table.setCurrentIndex(table.proxy.mapFromSource(
        table.source.index(row, table.source.column_of(key))))
    table.setFocus()
    qtbot.keyClick(table, text[0])
    editor = QApplication.focusWidget()
    assert editor is not None and editor is not table
    qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() is not QAbstractItemView.State.EditingState)


def _grid(editor: ComponentEditor, *keys: str) -> list[tuple[str, ...]]:
    return [tuple(editor.grid.cell_text(r, k) for k in keys)
            for r in range(editor.grid.source.rowCount())]


def _click(qtbot: QtBot, button: QWidget) -> None:
    assert button.isEnabled(), button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(qtbot)


def _stored(db: Database, code: str, effective: dt.date) -> tuple[RateVersion, int]:
    opened = rates.open_schedule(db, ANALYST, code)
    version = opened.schedule.version(effective)
    assert version is not None
    return version, opened.version_state(effective).row_version


def _component(rv: RateVersion, seq: int) -> RateComponent:
    found = rv.component(seq)
    assert found is not None
    return found


# ------------------------------------------------------------------------------------ tests

def test_an_analyst_builds_a_rate_from_nothing_and_the_engine_rates_it(
        qtbot: QtBot, shipped: Database) -> None:
    pane = _pane(qtbot, shipped)
    assert not pane.banner.isVisible()
    _click(qtbot, pane.new_schedule_button)
    form = pane.schedule_page.form
    for key, text in (("code", "newres"), ("description", "New residential rate"),
                      ("service_type", "ELECTRIC"), ("frequency", "MONTHLY"),
                      ("currency", "USD")):
        _type(qtbot, form.widgets[key], text)
    qtbot.keyClick(pane, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert pane.message_text() == "Saved rate schedule NEWRES."
    assert pane.title.text() == "NEWRES — New residential rate"
    assert pane.tree_texts("NEWRES")[0] == "NEWRES · New residential rate"

    dialog = pane.new_version_dialog()
    assert dialog is not None
    dialog.set_effective(JAN)
    dialog.accept()
    settle(qtbot)
    assert pane.message_text() == "Added rate version 2026-01-01 (In Progress)."
    assert pane.status_label.text() == "In Progress"

    editor = pane.components
    qtbot.keyClick(editor.grid, Qt.Key.Key_Insert)
    _choose(qtbot, _field(editor, "type"), "SQ")
    _choose(qtbot, _field(editor, "value_type"), "UNIT_RATE")
    _type(qtbot, _field(editor, "value"), "0.1")
    _type(qtbot, _field(editor, "uom"), "KWH")
    _type(qtbot, _field(editor, "description_on_bill"), "%Q kWh at %I")
    _type(qtbot, _field(editor, "gl"), "REV-RES")
    qtbot.keyClick(editor.grid, Qt.Key.Key_Insert)
    assert editor.current_sequence() == 20
    _type(qtbot, _field(editor, "value"), "7.50")
    _type(qtbot, _field(editor, "description_on_bill"), "Customer charge")
    _type(qtbot, _field(editor, "gl"), "REV-RES")
    assert _grid(editor, "sequence", "type", "value_type", "value", "uom", "gl") == [
        ("10", "SQ", "UNIT_RATE", "0.1", "KWH", "REV-RES"),
        ("20", "FLAT", "CHARGE", "7.50", "", "REV-RES")]
    assert pane.save_button.isEnabled()

    _click(qtbot, pane.status_buttons[RateVersionStatus.VALIDATED])
    assert pane.message_text() == "Rate version 2026-01-01 of NEWRES is Validated."
    assert pane.status_label.text() == "Validated"
    _click(qtbot, pane.status_buttons[RateVersionStatus.FINISHED])
    assert pane.status_label.text() == "Finished"
    assert not pane.dirty()
    assert "2026-01-01 · Finished" in [t.strip() for t in pane.tree_texts("NEWRES")]

    result = check_rate(rates.compiled_rate(shipped, "NEWRES"), start=JAN,
                        end=dt.date(2026, 1, 31), quantities=[Quantity("KWH", D(100))])
    assert [(line.rc_seq, line.amount) for line in result.lines] == [(10, D("10.00")),
                                                                      (20, D("7.50"))]
    assert sum(line.amount for line in result.lines if line.in_total) == D("17.50")


def test_a_failed_validation_lists_the_problems_beside_the_components(
        qtbot: QtBot, shipped: Database) -> None:
    rates.add_version(shipped, ANALYST, "E-RES-1", JAN, copy_from=dt.date(2025, 7, 1))
    pane = _pane(qtbot, shipped)
    _open(qtbot, pane, "E-RES-1", JAN)
    editor = pane.components
    assert editor.select_sequence(20)
    _type(qtbot, _field(editor, "gl"), "")
    assert editor.select_sequence(50)
    _type(qtbot, _field(editor, "xrefs"), "10, 20, 30, 60")    # 60 comes after 50
    _click(qtbot, pane.status_buttons[RateVersionStatus.VALIDATED])

    assert pane.problem_texts() == [
        "Component 20: Has no GL distribution code; its lines will carry none",
        "Component 50: Cross reference 60 must come before it (a lower sequence)"]
    assert pane.message_text() == ("Not saved: 2 problems to fix (listed below; click one to "
                                   "go to its component).")
    assert pane.status_label.text() == "In Progress"        # the status stays
    assert editor.current_sequence() == 20
    assert set(editor.grid.source.problems) == {20, 50}
    assert editor.grid_message is not None and editor.grid_message.isVisible()
    assert editor.grid_message.text() == \
        "Has no GL distribution code; its lines will carry none"
    # clicking a problem goes to its component
    pane.problems.itemClicked.emit(pane.problems.item(1))
    assert editor.current_sequence() == 50
    stored, _ = _stored(shipped, "E-RES-1", JAN)
    assert stored.status is RateVersionStatus.IN_PROGRESS
    assert _component(stored, 50).xrefs == (10, 20, 30, 60)   # saved In Progress first

    # a component's own field check refuses the save and says so under that field
    assert editor.select_sequence(30)
    _type(qtbot, _field(editor, "uom"), "")
    qtbot.keyClick(pane, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert editor.current_sequence() == 30
    assert editor.field_error("uom") == "An SQ component needs at least one of uom, tou or sqi"
    assert pane.message_text() == \
        "Not saved: An SQ component needs at least one of uom, tou or sqi"
    assert _component(_stored(shipped, "E-RES-1", JAN)[0], 30).uom == "KWH"   # not saved
    assert pane.dirty()


def test_finishing_inside_the_billed_days_is_refused_beside_the_effective_date(
        qtbot: QtBot, shipped: Database) -> None:
    home = household(shipped)
    sa = sas.create_service_agreement(shipped, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,), dt.date(2025, 1, 1),
        "E-RES-1"))
    financials.post_bill(shipped, SUPERVISOR, home.account, dt.date(2026, 2, 3),
                         dt.date(2026, 2, 24), [BillSegmentForm(
                             sa.number, JAN, dt.date(2026, 1, 31), D("500"), "KWH", D("60"))])
    rates.add_version(shipped, ANALYST, "E-RES-1", JAN, copy_from=dt.date(2025, 7, 1))
    pane = _pane(qtbot, shipped)
    _open(qtbot, pane, "E-RES-1", JAN)
    page = pane.version_page
    assert page.field_error("effective") == ""
    _click(qtbot, pane.status_buttons[RateVersionStatus.FINISHED])

    said = ("Bills on E-RES-1 already cover up to 2026-01-31: a Finished version must take "
            "effect on 2026-02-01 or later. Choose a later effective date, or keep it In "
            "Progress/Validated to check it.")
    assert page.field_error("effective") == said            # right under the effective date
    assert page.effective_error.isVisible()
    assert page.effective_error.geometry().top() >= page.effective_field.geometry().bottom()
    assert pane.message_text() == f"Not saved: {said}"
    assert pane.problem_texts() == [] and not pane.problems.isVisible()
    assert pane.status_label.text() == "In Progress"
    assert _stored(shipped, "E-RES-1", JAN)[0].status is RateVersionStatus.IN_PROGRESS
    # Validated may be backdated (billing ignores it); the message goes with the success
    _click(qtbot, pane.status_buttons[RateVersionStatus.VALIDATED])
    assert pane.status_label.text() == "Validated"
    assert page.field_error("effective") == "" and not page.effective_error.isVisible()


def test_a_typed_value_that_is_no_number_is_refused_where_it_was_typed(
        qtbot: QtBot, shipped: Database) -> None:
    pane = _pane(qtbot, shipped)
    _open(qtbot, pane, "E-RES-1", dt.date(2025, 7, 1))
    editor = pane.components
    rates.add_version(shipped, ANALYST, "E-RES-1", JAN, copy_from=dt.date(2025, 7, 1))
    _open(qtbot, pane, "E-RES-1", JAN)
    assert editor.select_sequence(10)
    _type(qtbot, _field(editor, "value"), "12,80")
    assert editor.field_error("value").startswith("Value: “12,80” is not a number")
    assert not pane.dirty()
    # in place in the grid: select the cell, type, Enter
    grid = editor.grid
    _type_in_cell(qtbot, grid, 0, "value", "13.05")
    assert grid.cell_text(0, "value") == "13.05"
    assert pane.dirty() and pane.save_button.isEnabled()
    qtbot.keyClick(pane, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert pane.message_text() == "Saved rate version 2026-01-01 of E-RES-1."
    assert _component(_stored(shipped, "E-RES-1", JAN)[0], 10).value == D("13.05")


def test_del_asks_first_and_eligibility_and_steps_are_edited_for_the_selected_component(
        qtbot: QtBot, shipped: Database) -> None:
    rates.add_version(shipped, ANALYST, "E-RES-1", JAN, copy_from=dt.date(2025, 7, 1))
    pane = _pane(qtbot, shipped)
    _open(qtbot, pane, "E-RES-1", JAN)
    editor = pane.components
    asked: list[str] = []
    pane.confirm = lambda text: asked.append(text) is not None   # says No
    assert editor.select_sequence(40)
    editor.grid.setFocus()
    qtbot.keyClick(editor.grid, Qt.Key.Key_Delete)
    assert asked == ["Delete component 40 · SUMMARY · Energy subtotal?"]
    assert len(editor.components()) == 6
    pane.confirm = lambda _text: True
    qtbot.keyClick(editor.grid, Qt.Key.Key_Delete)
    assert [rc.sequence for rc in editor.components()] == [10, 20, 30, 50, 60]

    assert editor.select_sequence(30)
    _type(qtbot, _field(editor, "step_low"), "600")
    assert editor.grid.cell_text(editor.grid.current_row(), "step_low") == "600"
    assert editor.select_sequence(10)
    editor.tabs.setCurrentIndex(4)
    _click(qtbot, editor.eligibility.add_group_button)
    _click(qtbot, editor.eligibility.add_criterion_button)
    criteria = editor.eligibility.criteria
    _type_in_cell(qtbot, criteria, 0, "char_type", "STATE")
    _type_in_cell(qtbot, criteria, 0, "value", "CA")
    assert editor.grid.cell_text(editor.grid.current_row(), "eligibility") == "1 group"
    qtbot.keyClick(pane, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert pane.message_text() == "Saved rate version 2026-01-01 of E-RES-1.", \
        pane.problem_texts()
    stored, _ = _stored(shipped, "E-RES-1", JAN)
    assert [rc.sequence for rc in stored.components] == [10, 20, 30, 50, 60]
    assert _component(stored, 30).step is not None
    assert _component(stored, 30).step.low == D("600")  # type: ignore[union-attr]
    (group,) = _component(stored, 10).eligibility
    (criterion,) = group.criteria
    assert (criterion.char_type, criterion.value, criterion.char_entity.value  # type: ignore
            ) == ("STATE", "CA", "SA")


def test_a_csr_sees_every_rate_but_cannot_change_anything(
        qtbot: QtBot, shipped: Database) -> None:
    pane = _pane(qtbot, shipped, CSR)
    assert pane.banner.isVisible() and pane.banner.text() == READ_ONLY
    _open(qtbot, pane, "COM-TOU")
    editor = pane.components
    assert pane.tabs.tabText(1) == "Version 2009-08-17"
    assert len(editor.components()) == 12
    assert _grid(editor, "sequence", "value", "tou")[:3] == [
        ("10", "35.00", ""), ("20", "0.311", "PEAK"), ("30", "0.123", "OFFPEAK")]
    for button in (pane.new_schedule_button, pane.new_version_button,
                   pane.delete_version_button, pane.save_button, editor.add_button,
                   editor.duplicate_button, editor.delete_button,
                   *pane.status_buttons.values()):
        assert not button.isEnabled(), button.text()
    assert not pane.description_on_bill.isEnabled()
    assert all(not w.isEnabled() for form in editor.forms for key, w in form.widgets.items()
               if key != "eligibility")
    assert not any(w.isEnabled() for w in pane.schedule_page.form.widgets.values())
    assert not pane.schedule_page.boxes["sq_rules"].add_button.isEnabled()
    value = editor.grid.proxy.mapFromSource(
        editor.grid.source.index(0, editor.grid.source.column_of("value")))
    assert not editor.grid.model().flags(value) & Qt.ItemFlag.ItemIsEditable
    qtbot.keyClick(editor.grid, Qt.Key.Key_Insert)
    qtbot.keyClick(editor.grid, Qt.Key.Key_Delete)
    assert len(editor.components()) == 12
    # reading works everywhere: the tree lists the versions and the filter finds the rate
    pane.filter.setText("time of use")
    shown = [pane.tree.topLevelItem(i).text(0) for i in range(pane.tree.topLevelItemCount())
             if not pane.tree.topLevelItem(i).isHidden()]
    assert "COM-TOU · Commercial – Time of Use (spec/10 §1)" in shown
    assert not any(text.startswith("E-RES-1 ") for text in shown)


def test_a_save_that_lost_a_race_names_the_other_user_and_reloads(
        qtbot: QtBot, shipped: Database) -> None:
    rates.add_version(shipped, ANALYST, "E-RES-1", JAN, copy_from=dt.date(2025, 7, 1))
    pane = _pane(qtbot, shipped)
    _open(qtbot, pane, "E-RES-1", JAN)
    editor = pane.components
    assert editor.select_sequence(10)
    _type(qtbot, _field(editor, "value"), "13.00")
    theirs, row_version = _stored(shipped, "E-RES-1", JAN)
    rates.save_version(shipped, OTHER_ANALYST, "E-RES-1", replace(theirs, components=tuple(
        replace(rc, value=D("14.25")) if rc.sequence == 10 else rc
        for rc in theirs.components)), row_version)

    qtbot.keyClick(pane, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    text = pane.message_text()
    assert text.startswith("Rate version 2026-01-01 of E-RES-1 was changed by rbo at ")
    assert text.endswith("Your changes were not saved; reload to see theirs, then make "
                         "yours again.")
    assert editor.grid.cell_text(0, "value") == "14.25"       # reloaded: theirs
    assert not pane.dirty()
    assert _component(_stored(shipped, "E-RES-1", JAN)[0], 10).value == D("14.25")


def test_problem_text_drops_the_engine_path() -> None:
    assert problem_text("rate_schedules.X.versions[2026-01-01].components[30].uom: an SQ "
                        "component needs at least one of uom, tou or sqi") == \
        "An SQ component needs at least one of uom, tou or sqi"
    assert problem_text("rate version 2026-01-01 of X, component 50: cross reference 60 "
                        "must come before it") == "Cross reference 60 must come before it"
