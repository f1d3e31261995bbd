"""The "New customer" dialog, driven from the keyboard: duplicates shown before saving, inline
errors, and what is saved."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.db import Database
from app.models import Party
from app.models.enums import CustomerClass, RoleTarget
from app.services import accounts, parties, records, roles
from app.services.parties import OrganisationForm
from app.views.party_dialog import PartyDialog, open_new_customer_dialog
from tests.conftest import CSR
from tests.views.conftest import activate, settle


def _dialog(qtbot: QtBot, db: Database) -> PartyDialog:
    dialog = PartyDialog(db, CSR)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    return dialog


def _type(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    field.setFocus()
    qtbot.keyClicks(field, text)


def _party_count(db: Database) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(Party)) or 0


def _number_of(db: Database, name: str) -> str:
    with db.sessions() as s:
        number = s.scalar(select(Party.number).where(Party.display_name == name))
    assert number is not None
    return number


def test_a_new_person_without_duplicates_is_saved_with_a_first_account(
        qtbot: QtBot, small_db: Database) -> None:
    dialog = _dialog(qtbot, small_db)
    assert dialog.focusWidget() is dialog.last_name
    _type(qtbot, dialog.last_name, "Achebe")
    _type(qtbot, dialog.first_name, "Chinua")
    _type(qtbot, dialog.date_of_birth, "1960-11-16")
    _type(qtbot, dialog.phone, "(555) 555-0177")
    _type(qtbot, dialog.line1, "8 Cedar Ct")
    _type(qtbot, dialog.city, "Springfield")
    _type(qtbot, dialog.postal_code, "62704")
    _type(qtbot, dialog.description, "Home")
    with qtbot.waitSignal(dialog.created, timeout=10_000) as created:
        qtbot.keyClick(dialog.description, Qt.Key.Key_Return)
    party_number, account_number = created.args
    assert dialog.result() == QDialog.DialogCode.Accepted
    party = parties.get_party(small_db, party_number)
    assert (party.display_name, str(party.date_of_birth), party.mailing_address) == (
        "Achebe, Chinua", "1960-11-16", "8 Cedar Ct, Springfield, 62704")
    assert [c.value for c in party.contacts] == ["+15555550177"]
    account = accounts.get_account(small_db, account_number)
    assert (account.customer_name, account.description) == ("Achebe, Chinua", "Home")
    assert [r.party_number for r in roles.roles_on(small_db, RoleTarget.ACCOUNT,
                                                  account_number)] == [party_number]


def test_likely_duplicates_appear_before_saving_and_use_selected_opens_the_existing_one(
        qtbot: QtBot, small_db: Database) -> None:
    before = _party_count(small_db)
    existing = _number_of(small_db, "Okafor, Ngozi")
    dialog = _dialog(qtbot, small_db)
    _type(qtbot, dialog.last_name, "okafor")
    _type(qtbot, dialog.first_name, "ngozi")
    _type(qtbot, dialog.phone, "555 555 0101")
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.duplicates_panel.isVisible(), timeout=10_000)
    table = dialog.duplicates_table
    rows = [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]
    assert len(rows) == 1
    name, number, why, accounts_text = rows[0]
    assert (name, number, why) == ("Okafor, Ngozi", existing, "same phone +15555550101")
    assert len(accounts_text) == 10 and accounts_text.isdigit()
    assert not dialog.save_button.isEnabled()
    assert dialog.create_anyway_button.isEnabled()
    assert "same person" in dialog.duplicates_heading.text()
    with qtbot.waitSignal(dialog.use_existing) as used, \
            qtbot.assertNotEmitted(dialog.created):
        qtbot.keyClick(table, Qt.Key.Key_Return)     # Enter = Use selected
    assert used.args == [existing]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert _party_count(small_db) == before


def test_create_anyway_saves_a_second_party_of_the_same_name(
        qtbot: QtBot, small_db: Database) -> None:
    before = _party_count(small_db)
    dialog = _dialog(qtbot, small_db)
    _type(qtbot, dialog.last_name, "Okafor")
    _type(qtbot, dialog.first_name, "Ngozi")
    _type(qtbot, dialog.line1, "12 elm st")
    _type(qtbot, dialog.postal_code, "62701")
    dialog.open_account.setFocus()
    qtbot.keyClick(dialog.open_account, Qt.Key.Key_Space)       # no first account
    assert not dialog.open_account.isChecked() and not dialog.description.isEnabled()
    qtbot.keyClick(dialog.postal_code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.duplicates_panel.isVisible(), timeout=10_000)
    assert dialog.duplicates_table.item(0, 2).text() == "same address 12 Elm St 62701"
    dialog.create_anyway_button.setFocus()
    with qtbot.waitSignal(dialog.created, timeout=10_000) as created:
        qtbot.keyClick(dialog.create_anyway_button, Qt.Key.Key_Space)
    party_number, account_number = created.args
    assert account_number is None
    assert _party_count(small_db) == before + 1
    assert parties.get_party(small_db, party_number).display_name == "Okafor, Ngozi"


def test_editing_after_the_check_hides_the_candidates_and_checks_again(
        qtbot: QtBot, small_db: Database) -> None:
    dialog = _dialog(qtbot, small_db)
    _type(qtbot, dialog.last_name, "Okafor")
    _type(qtbot, dialog.first_name, "Ngozi")
    _type(qtbot, dialog.phone, "555 555 0101")
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.duplicates_panel.isVisible(), timeout=10_000)
    dialog.phone.setFocus()
    dialog.phone.selectAll()
    qtbot.keyClicks(dialog.phone, "555 555 0188")
    assert not dialog.duplicates_panel.isVisible()
    assert dialog.save_button.isEnabled() and dialog.save_button.isDefault()
    with qtbot.waitSignal(dialog.created, timeout=10_000):
        qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)          # no candidate now: saved


def test_a_bad_phone_is_shown_beside_the_field_and_nothing_is_saved(
        qtbot: QtBot, small_db: Database) -> None:
    before = _party_count(small_db)
    dialog = _dialog(qtbot, small_db)
    _type(qtbot, dialog.last_name, "Achebe")
    _type(qtbot, dialog.phone, "12")
    _type(qtbot, dialog.date_of_birth, "1960-13-01")
    with qtbot.assertNotEmitted(dialog.created):
        qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
        settle(qtbot)
    shown = dialog.errors.shown()
    assert shown == {"date_of_birth": "'1960-13-01' is not a date: type the date of birth as "
                                      "year-month-day, e.g. 1980-02-01."}
    assert dialog.focusWidget() is dialog.date_of_birth
    dialog.date_of_birth.selectAll()
    qtbot.keyClicks(dialog.date_of_birth, "1960-11-16")
    assert dialog.errors.shown() == {}
    qtbot.keyClick(dialog.date_of_birth, Qt.Key.Key_Return)
    settle(qtbot)
    shown = dialog.errors.shown()
    assert list(shown) == ["phone"]
    assert shown["phone"].startswith("'12' is not a phone number.")
    assert dialog.errors.labels["phone"].isVisible()
    assert dialog.focusWidget() is dialog.phone
    assert dialog.isVisible() and _party_count(small_db) == before


def test_a_registration_number_already_used_blocks_create_anyway(
        qtbot: QtBot, small_db: Database) -> None:
    acme = parties.create_organisation(small_db, CSR, OrganisationForm(
        "Acme Power", registration_number="IL-777"))
    dialog = _dialog(qtbot, small_db)
    qtbot.keyClick(dialog, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)  # &Organisation
    qtbot.waitUntil(dialog.org_radio.isChecked)       # a mnemonic clicks after a short animation
    assert dialog.focusWidget() is dialog.legal_name
    assert dialog.chosen_class() is CustomerClass.COMMERCIAL
    assert not dialog.last_name.isVisible() and dialog.legal_name.isVisible()
    _type(qtbot, dialog.legal_name, "Totally Other Corp")
    _type(qtbot, dialog.registration_number, "il-777")
    qtbot.keyClick(dialog.registration_number, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.duplicates_panel.isVisible(), timeout=10_000)
    table = dialog.duplicates_table
    assert (table.item(0, 0).text(), table.item(0, 1).text(), table.item(0, 2).text()) == (
        "Acme Power", acme.number, "Blocking: same registration number IL-777")
    assert not dialog.create_anyway_button.isEnabled()
    assert "already registered" in dialog.duplicates_heading.text()
    dialog.create_anyway()                                  # even if called: nothing happens
    settle(qtbot)
    assert dialog.isVisible()


def test_escape_closes_without_saving_and_tab_follows_the_form(
        qtbot: QtBot, small_db: Database) -> None:
    before = _party_count(small_db)
    dialog = _dialog(qtbot, small_db)
    order: list[QWidget | None] = []
    dialog.last_name.setFocus()
    for _ in range(7):
        order.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert order == [dialog.last_name, dialog.first_name, dialog.date_of_birth, dialog.phone,
                     dialog.email, dialog.line1, dialog.line2]
    _type(qtbot, dialog.last_name, "Achebe")
    qtbot.keyClick(dialog.last_name, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.isVisible()
    assert _party_count(small_db) == before


def test_open_new_customer_dialog_shows_it(qtbot: QtBot, small_db: Database) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = open_new_customer_dialog(parent, small_db, CSR)
    assert isinstance(dialog, PartyDialog) and dialog.isVisible()
    assert dialog.parent() is parent
    dialog.reject()


def test_an_organisation_is_saved_with_its_category_class_and_registration(
        qtbot: QtBot, small_db: Database) -> None:
    dialog = _dialog(qtbot, small_db)
    dialog.org_radio.setFocus()
    qtbot.keyClick(dialog.org_radio, Qt.Key.Key_Space)
    assert dialog.org_radio.isChecked()
    _type(qtbot, dialog.legal_name, "Springfield Water Board")
    dialog.category.setFocus()
    qtbot.keyClick(dialog.category, Qt.Key.Key_Down)             # Company → Local authority
    _type(qtbot, dialog.registration_number, "il-4242")
    dialog.customer_class.setFocus()
    qtbot.keyClick(dialog.customer_class, Qt.Key.Key_Down)       # Commercial → Industrial
    _type(qtbot, dialog.description, "Pumping station")
    with qtbot.waitSignal(dialog.created, timeout=10_000) as created:
        qtbot.keyClick(dialog.description, Qt.Key.Key_Return)
    party_number, account_number = created.args
    with small_db.sessions() as s:
        party = s.scalar(select(Party).where(Party.number == party_number))
        assert party is not None
        assert (party.legal_name, party.org_category.value if party.org_category else None) == (
            "Springfield Water Board", "LOCAL_AUTHORITY")
    assert parties.get_party(small_db, party_number).identifiers[0][1] == "IL-4242"
    customer = accounts.get_account(small_db, account_number).customer_number
    facts = dict(records.describe(small_db, "Customer", customer).facts)
    assert facts["Class"] == "Industrial"
