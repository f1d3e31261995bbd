"""The "Merge parties" dialog: both parties side by side, checked numbers, a required reason,
a confirmation, and supervisors only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.db import Database
from app.models import Party
from app.models.enums import PartyStatus
from app.services import audit, parties
from app.services.parties import MailingAddress, PersonForm
from app.views.merge_dialog import WHO_MAY_MERGE, MergeDialog, open_merge_dialog
from tests.conftest import CSR, SUPERVISOR
from tests.views.conftest import COMPANY, activate, settle

REASON = "Same person, registered twice"


def _number_of(db: Database, name: str) -> str:
    with db.sessions() as s:
        number = s.scalar(select(Party.number).where(Party.display_name == name))
    assert number is not None
    return number


def _duplicate(db: Database) -> str:
    return parties.create_person(db, CSR, PersonForm(
        "Okafor", "Ngozi", phone="555 555 0123", email="ngozi@work.example",
        address=MailingAddress("14 Elm St", city="Springfield", postal_code="62701"))).number


def _dialog(qtbot: QtBot, db: Database, actor=SUPERVISOR, **numbers: str) -> MergeDialog:  # type: ignore[no-untyped-def]
    dialog = MergeDialog(db, actor, None, **numbers)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    settle(qtbot)
    return dialog


def test_a_supervisor_merges_after_comparing_and_confirming(
        qtbot: QtBot, small_db: Database) -> None:
    keep = _number_of(small_db, "Okafor, Ngozi")
    dup = _duplicate(small_db)
    dialog = _dialog(qtbot, small_db, survivor_number=keep)
    assert dialog.survivor.name.text() == "Okafor, Ngozi"
    assert "Customer " in dialog.survivor.facts.text()
    assert dialog.survivor.roles.rowCount() == 1
    assert dialog.survivor.roles.item(0, 0).text() == "Owner"
    assert dialog.focusWidget() is dialog.duplicate.number
    qtbot.keyClicks(dialog.duplicate.number, dup)
    settle(qtbot)
    assert dialog.duplicate.name.text() == "Okafor, Ngozi"
    facts = dialog.duplicate.facts.text()
    assert "Not a customer" in facts and "E-mail (primary): ngozi@work.example" in facts
    assert "Address: 14 Elm St, Springfield, 62701" in facts
    assert dialog.duplicate.roles_caption.text() == "No roles."
    qtbot.keyClick(dialog.duplicate.number, Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)     # past "Swap sides"
    assert dialog.focusWidget() is dialog.reason
    qtbot.keyClicks(dialog.reason, REASON)
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    box = dialog.confirm_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text() == f"Merge Okafor, Ngozi ({dup}) into Okafor, Ngozi ({keep})?"
    assert box.defaultButton() is box.escapeButton()           # Enter alone does not merge
    merge_button = next(b for b in box.buttons()
                        if box.buttonRole(b) is QMessageBox.ButtonRole.AcceptRole)
    merge_button.setFocus()
    with qtbot.waitSignal(dialog.merged, timeout=10_000) as merged:
        qtbot.keyClick(merge_button, Qt.Key.Key_Space)
    assert merged.args == [keep, dup]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert parties.get_party(small_db, dup).status is PartyStatus.MERGED
    values = {c.value for c in parties.get_party(small_db, keep).contacts}
    assert {"+15555550123", "ngozi@work.example"} <= values
    with small_db.sessions() as s:
        dup_id = s.scalar(select(Party.id).where(Party.number == dup))
    trail = audit.history(small_db, "Party", dup_id or 0)
    assert any(e.field == "status" and e.new_value == "MERGED" and e.reason == REASON
               and e.changed_by == SUPERVISOR.username for e in trail)


def test_cancelling_the_confirmation_merges_nothing(qtbot: QtBot, small_db: Database) -> None:
    keep = _number_of(small_db, "Okafor, Ngozi")
    dup = _duplicate(small_db)
    dialog = _dialog(qtbot, small_db, survivor_number=keep, duplicate_number=dup)
    assert dialog.focusWidget() is dialog.reason
    qtbot.keyClicks(dialog.reason, REASON)
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    box = dialog.confirm_box
    assert box is not None
    with qtbot.assertNotEmitted(dialog.merged):
        qtbot.keyClick(box, Qt.Key.Key_Escape)
        settle(qtbot)
    assert dialog.confirm_box is None and dialog.isVisible()
    assert parties.get_party(small_db, dup).status is PartyStatus.ACTIVE


def test_numbers_and_reason_are_checked_inline(qtbot: QtBot, small_db: Database) -> None:
    keep = _number_of(small_db, "Okafor, Ngozi")
    dup = _duplicate(small_db)
    dialog = _dialog(qtbot, small_db, survivor_number=keep)
    typo = dup[:-1] + str((int(dup[-1]) + 1) % 10)
    qtbot.keyClicks(dialog.duplicate.number, typo)
    settle(qtbot)
    shown = dialog.errors.shown()
    assert list(shown) == ["duplicate"] and "check digit does not match" in shown["duplicate"]
    assert dialog.duplicate.side is None
    qtbot.keyClick(dialog.duplicate.number, Qt.Key.Key_Backspace)
    assert dialog.errors.shown() == {}                      # editing clears the message
    qtbot.keyClicks(dialog.duplicate.number, dup[-1])
    settle(qtbot)
    assert dialog.duplicate.name.text() == "Okafor, Ngozi"
    dialog.reason.setFocus()
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)       # no reason yet
    assert dialog.errors.shown() == {
        "reason": "Say why these two are the same party; the reason is kept in the history."}
    assert dialog.confirm_box is None
    qtbot.keyClicks(dialog.reason, REASON)
    assert dialog.errors.shown() == {}
    dialog.duplicate.number.selectAll()
    qtbot.keyClicks(dialog.duplicate.number, keep)          # the same party twice
    settle(qtbot)
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert dialog.confirm_box is None
    assert dialog.errors.shown() == {"duplicate": (
        f"{keep} is the party kept: a party cannot be merged into itself. Enter the number of "
        "the duplicate record.")}
    assert dialog.isVisible()


def test_a_person_cannot_be_merged_with_a_company(qtbot: QtBot, small_db: Database) -> None:
    dialog = _dialog(qtbot, small_db, survivor_number=_number_of(small_db, "Okafor, Ngozi"),
                     duplicate_number=_number_of(small_db, COMPANY))
    qtbot.keyClicks(dialog.reason, REASON)
    dialog.merge()                    # as after the confirmation
    settle(qtbot)
    assert "only two persons or two organisations" in dialog.errors.shown()["duplicate"]
    assert dialog.merge_button.isEnabled()


def test_swap_keeps_the_other_party(qtbot: QtBot, small_db: Database) -> None:
    keep = _number_of(small_db, "Okafor, Ngozi")
    dup = _duplicate(small_db)
    dialog = _dialog(qtbot, small_db, survivor_number=keep, duplicate_number=dup)
    qtbot.keyClick(dialog, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)     # S&wap sides
    qtbot.waitUntil(lambda: dialog.survivor.number.text() == dup)
    assert dialog.duplicate.number.text() == keep
    assert "Not a customer" in dialog.survivor.facts.text()
    assert "Customer " in dialog.duplicate.facts.text()


def test_only_supervisors_may_merge(qtbot: QtBot, small_db: Database) -> None:
    keep = _number_of(small_db, "Okafor, Ngozi")
    dup = _duplicate(small_db)
    dialog = _dialog(qtbot, small_db, CSR, survivor_number=keep, duplicate_number=dup)
    assert dialog.survivor.name.text() == "Okafor, Ngozi"      # a CSR may look
    assert not dialog.merge_button.isEnabled()
    assert dialog.merge_button.toolTip() == WHO_MAY_MERGE
    assert dialog.permission_note.isVisible()
    assert "supervisor" in dialog.permission_note.text()
    qtbot.keyClicks(dialog.reason, REASON)
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert dialog.confirm_box is None
    assert parties.get_party(small_db, dup).status is PartyStatus.ACTIVE


def test_open_merge_dialog_prefills_the_numbers(qtbot: QtBot, small_db: Database) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    keep = _number_of(small_db, "Okafor, Ngozi")
    dialog = open_merge_dialog(parent, small_db, SUPERVISOR, survivor_number=keep)
    settle(qtbot)
    assert isinstance(dialog, MergeDialog) and dialog.isVisible()
    assert dialog.survivor.number.text() == keep
    assert dialog.survivor.name.text() == "Okafor, Ngozi"
    assert dialog.duplicate.number.text() == ""
    dialog.reject()
