"""The Umbrella Agreements pane (spec/60 §B2.8) driven as a rate analyst would: a contract
with one terms of service on a template agreement, a real agreement linked, the terms
activated and the contract completed — after which a rate check of the linked agreement
rates it with the template's rate. Refusals show beside the field or status they concern; a
CSR only reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from app.db import Database
from app.models.enums import ServiceType, TosStatus, UmbrellaStatus, UserRole
from app.services import rate_check as RC
from app.services import rates
from app.services import service_agreements as sas
from app.services import umbrella as U
from app.services.context import Actor
from app.services.installation import Module
from app.views.current_context import CurrentContext
from app.views.panes import PaneContext, pane_spec
from app.views.umbrella import UmbrellaPane, cell
from tests.conftest import CSR
from tests.services.builders import household
from tests.views.conftest import RecordingHost, settle

ANALYST = Actor("rana", "Rita Analyst", frozenset({UserRole.RATE_ANALYST}))
LEFT = Qt.MouseButton.LeftButton
JULY = (dt.date(2025, 7, 1), dt.date(2025, 7, 31))


@dataclass
class Setting:
    db: Database
    customer: str
    template: str


@pytest.fixture
def setting(empty_db: Database) -> Setting:
    rates.load_shipped_rates(empty_db, ANALYST)
    numbers = []
    for (last, first, street), rate in ((("Okafor", "Ngozi", "12 Elm St"), "E-RES-1"),
                                        (("Template", "Acme", "1 Contract Way"), "RX-10")):
        home = household(empty_db, last, first, street)
        numbers.append(sas.create_service_agreement(empty_db, CSR, sas.ServiceAgreementForm(
            home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,),
            dt.date(2025, 1, 1), rate)).number)
    return Setting(empty_db, *numbers)


def _pane(qtbot: QtBot, db: Database, actor: Actor = ANALYST) -> UmbrellaPane:
    pane = UmbrellaPane(PaneContext(db, actor, RecordingHost(), CurrentContext()))
    qtbot.addWidget(pane)
    pane.resize(1400, 900)
    pane.show()
    qtbot.waitExposed(pane)
    settle(qtbot)
    return pane


def _click(qtbot: QtBot, button: object) -> None:
    qtbot.mouseClick(button, LEFT)  # type: ignore[arg-type]
    settle(qtbot)


def _type(qtbot: QtBot, field: object, text: str) -> None:
    field.clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(field, text)  # type: ignore[arg-type]


def test_the_pane_is_registered_with_its_shortcut() -> None:
    spec = pane_spec("umbrella-agreements")
    assert spec is not None and (spec.title, spec.shortcut, spec.module) == (
        "Umbrella Agreements", "Ctrl+0", Module.CONTRACT_MANAGEMENT)


def test_a_rate_analyst_sets_up_a_contract_and_the_linked_agreement_is_rated_by_it(
        qtbot: QtBot, setting: Setting, tmp_path: Path) -> None:
    db = setting.db
    pane = _pane(qtbot, db)
    assert pane.empty.isVisible() and not pane.body.isVisible()
    _click(qtbot, pane.new_button)
    # a description is required: said beside the field, nothing saved
    _click(qtbot, pane.save_button)
    assert "Enter a description" in pane.error_text("description")
    assert U.list_umbrella_agreements(db) == []
    _type(qtbot, pane.description, "Acme contract")
    pane.start.setDate(QDate(2025, 1, 1))
    pane.end.setDate(QDate(2025, 12, 31))
    qtbot.keyClicks(pane.comments, "Negotiated 2024-12")
    _click(qtbot, pane.save_button)
    assert pane.view is not None and pane.view.status is UmbrellaStatus.PENDING
    number = pane.view.number
    assert pane.number.text() == number and pane.status.text() == "Pending"
    assert pane.list.count() == 1 and number in pane.list.item(0).text()

    # one terms of service on the template agreement
    _type(qtbot, pane.terms_description, "Electric terms")
    _type(qtbot, pane.template, setting.template)
    _click(qtbot, pane.save_terms_button)
    assert pane.terms.rowCount() == 1
    tos = cell(pane.terms, 0, 0)
    assert [cell(pane.terms, 0, c) for c in range(1, 7)] == [
        "Electric terms", "Pending", setting.template, "RX-10", "Yes", "0"]

    # a mistyped SA ID is refused beside the field; then the real agreement is linked
    _type(qtbot, pane.sa_number, "1234567890")
    _click(qtbot, pane.link_button)
    assert "1234567890" in pane.error_text("sa_number")
    assert pane.sa_number.text() == "1234567890"        # kept, to be corrected
    _type(qtbot, pane.sa_number, setting.customer)
    _click(qtbot, pane.link_button)
    assert pane.agreements.rowCount() == 1 and pane.sa_number.text() == ""
    assert cell(pane.agreements, 0, 0) == setting.customer
    assert cell(pane.agreements, 0, 3) == "Pending start"

    # the contract cannot complete while its terms are pending: said beside the status
    _click(qtbot, pane.complete_button)
    assert "still pending" in pane.error_text("status")
    _click(qtbot, pane.activate_button)
    assert cell(pane.terms, 0, 2) == "Active"
    assert pane.pend_button.isEnabled() and not pane.activate_button.isEnabled()
    _click(qtbot, pane.complete_button)
    assert pane.status.text() == "Complete"
    assert pane.reopen_button.isVisible() and not pane.complete_button.isVisible()
    assert not pane.pend_button.isEnabled()          # not while the contract is complete
    assert not pane.delete_button.isEnabled()
    view = U.get_umbrella_agreement(db, number)
    assert view.status is UmbrellaStatus.COMPLETE
    assert view.terms[0].number == tos and view.terms[0].status is TosStatus.ACTIVE
    pane.grab().save(str(tmp_path / "umbrella.png"))

    # the linked agreement's rate check uses the template's rate
    outcome = RC.check(db, RC.RateCheckRequest(
        sa_number=setting.customer, start=JULY[0], end=JULY[1],
        quantities=(RC.QuantityInput("KWH", None, None, "1000"),)))
    assert outcome.result.rate_schedule == "RX-10"
    assert outcome.result.total > 0


def test_a_csr_reads_only(qtbot: QtBot, setting: Setting) -> None:
    ua = U.create_umbrella_agreement(setting.db, ANALYST, U.UmbrellaForm(
        "Acme contract", dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    U.add_terms(setting.db, ANALYST, ua.number, U.TermsForm("Electric terms", setting.template))
    pane = _pane(qtbot, setting.db, CSR)
    assert pane.banner.isVisible() and not pane.new_button.isEnabled()
    pane.open_umbrella(ua.number)
    settle(qtbot)
    assert pane.description.text() == "Acme contract" and pane.description.isReadOnly()
    assert pane.terms.rowCount() == 1
    for button in (pane.save_button, pane.complete_button, pane.delete_button,
                   pane.activate_button, pane.save_terms_button, pane.link_button):
        assert not button.isEnabled()


def test_a_lost_race_says_who_won_and_reloads(qtbot: QtBot, setting: Setting) -> None:
    ua = U.create_umbrella_agreement(setting.db, ANALYST, U.UmbrellaForm(
        "Acme contract", dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    pane = _pane(qtbot, setting.db)
    pane.open_umbrella(ua.number)
    settle(qtbot)
    other = Actor("rob", "Rob Other", frozenset({UserRole.SUPERVISOR}))
    U.update_umbrella_agreement(setting.db, other, ua.number, ua.version, U.UmbrellaForm(
        "Acme contract 2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    _type(qtbot, pane.description, "Mine")
    _click(qtbot, pane.save_button)
    settle(qtbot)
    assert "changed by rob" in pane.error_text("message")
    assert pane.description.text() == "Acme contract 2025"


def test_removals_take_a_second_press_and_new_terms_are_selected(qtbot: QtBot,
                                                                 setting: Setting) -> None:
    ua = U.create_umbrella_agreement(setting.db, ANALYST, U.UmbrellaForm(
        "Acme contract", dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    U.add_terms(setting.db, ANALYST, ua.number, U.TermsForm("Electric terms"))
    pane = _pane(qtbot, setting.db)
    pane.open_umbrella(ua.number)
    settle(qtbot)
    _click(qtbot, pane.new_terms_button)
    _type(qtbot, pane.terms_description, "Gas terms")
    _click(qtbot, pane.save_terms_button)
    assert pane.terms.rowCount() == 2
    assert pane.selected_terms() is not None
    assert pane.selected_terms().description == "Gas terms"  # type: ignore[union-attr]
    _click(qtbot, pane.delete_terms_button)
    assert "Press Delete Terms again" in pane.error_text("message")
    assert pane.terms.rowCount() == 2
    _click(qtbot, pane.delete_terms_button)
    assert pane.terms.rowCount() == 1
    _click(qtbot, pane.delete_button)
    assert "Press Delete again" in pane.error_text("message")
    _click(qtbot, pane.delete_button)
    assert pane.view is None and pane.empty.isVisible() and pane.list.count() == 0
    assert U.list_umbrella_agreements(setting.db) == []
