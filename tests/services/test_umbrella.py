"""Umbrella agreements and terms of service (spec/60 §B2) through the service, on SQLite and
PostgreSQL: the two lifecycles (every allowed and forbidden step), linking agreements, the
lost race, permissions and audit — and rating with a terms of service's template (§B2.5):
`effective_rate` switches to the template's rate only while the terms are active and the
umbrella agreement is effective on the day, and a rate check uses the template's rate and,
as each bill factor's tos_usage says, its pricing terms."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest
from sqlalchemy import event, select, update

from app.db import Database
from app.engine.rates.enums import TosUsage
from app.models import ServiceAgreement
from app.models.enums import SAStatus, ServiceType, TosStatus, UmbrellaStatus, UserRole
from app.models.rates import SaContractValue
from app.models.umbrella import TermsOfService, UmbrellaAgreement
from app.services import audit, rates
from app.services import rate_check as RC
from app.services import service_agreements as sas
from app.services import umbrella as U
from app.services.agreement_terms import effective_rate, find_agreement, rate_history
from app.services.context import Actor, read_only, transaction
from app.services.errors import ConcurrentChange, NotFound, PermissionDenied, ValidationError
from app.services.rate_compare import CompareRequest, UsageMonth, compare_rates
from tests.conftest import ADMIN, CSR, SUPERVISOR
from tests.services.builders import household

ANALYST = Actor("rana", "Rita Analyst", frozenset({UserRole.RATE_ANALYST}))
OTHER = Actor("rob", "Rob Other", frozenset({UserRole.RATE_ANALYST}))
YEAR = U.UmbrellaForm("Acme contract", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "Signed")
JULY = (dt.date(2025, 7, 1), dt.date(2025, 7, 31))
KWH_1000 = (RC.QuantityInput("KWH", None, None, "1000"),)
D = Decimal


def _ua(db: Database, form: U.UmbrellaForm = YEAR) -> U.UmbrellaView:
    return U.create_umbrella_agreement(db, ANALYST, form)


def _terms(db: Database, ua: U.UmbrellaView, description: str = "Electric terms",
           template: str | None = None, overrides: bool = True) -> U.TermsView:
    view = U.add_terms(db, ANALYST, ua.number, U.TermsForm(description, template, overrides))
    return view.terms[-1]


def _fresh(db: Database, number: str) -> U.UmbrellaView:
    return U.get_umbrella_agreement(db, number)


def _tos(db: Database, ua: str, tos: str) -> U.TermsView:
    found = _fresh(db, ua).terms_numbered(tos)
    assert found is not None
    return found


def _agreement(db: Database, account: str, sp: str, rate: str, sa_type: str = "E-RES",
               start: dt.date = dt.date(2025, 1, 1)) -> str:
    return sas.create_service_agreement(db, CSR, sas.ServiceAgreementForm(
        account, sa_type, ServiceType.ELECTRIC, (sp,), start, rate)).number


@dataclass
class Agreements:
    customer: str
    neighbour: str
    template: str


@pytest.fixture
def agreements(db: Database) -> Agreements:
    """Two customers' agreements on E-RES-1 and a non-billing template on RX-10."""
    homes = [household(db, last, first, street) for last, first, street in (
        ("Okafor", "Ngozi", "12 Elm St"), ("Okonkwo", "Chidi", "3 Oak Ave"),
        ("Template", "Acme", "1 Contract Way"))]
    numbers = [_agreement(db, h.account, h.electric_sp, rate)
               for h, rate in zip(homes, ("E-RES-1", "E-RES-1", "RX-10"), strict=True)]
    return Agreements(*numbers)


# --- umbrella agreements: saving -------------------------------------------------------------


def test_a_new_umbrella_agreement_is_pending_with_an_id(db: Database) -> None:
    ua = _ua(db)
    assert ua.status is UmbrellaStatus.PENDING
    assert len(ua.number) == 10 and ua.number.isdigit()
    assert (ua.description, ua.start_date, ua.end_date, ua.comments) == (
        "Acme contract", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "Signed")
    assert ua.terms == () and ua.updated_by == "rana"
    assert [s.number for s in U.list_umbrella_agreements(db)] == [ua.number]


@pytest.mark.parametrize(("form", "field", "words"), [
    (replace(YEAR, description="  "), "description", "Enter a description"),
    (replace(YEAR, description="x" * 101), "description", "too long"),
    (replace(YEAR, start_date=None), "start_date", "Enter the start date"),
    (replace(YEAR, end_date=None), "end_date", "Enter the end date"),
    (replace(YEAR, end_date=dt.date(2024, 12, 31)), "end_date", "before the start date"),
])
def test_required_fields_and_the_period_are_checked(db: Database, form: U.UmbrellaForm,
                                                    field: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _ua(db, form)
    assert caught.value.field == field and words in caught.value.message
    assert U.list_umbrella_agreements(db) == []


def test_an_update_over_another_users_newer_save_names_them(db: Database) -> None:
    ua = _ua(db)
    changed = U.update_umbrella_agreement(db, OTHER, ua.number, ua.version,
                                          replace(YEAR, description="Acme contract 2025"))
    assert changed.description == "Acme contract 2025" and changed.version == ua.version + 1
    with pytest.raises(ConcurrentChange) as caught:
        U.update_umbrella_agreement(db, ANALYST, ua.number, ua.version,
                                    replace(YEAR, comments="mine"))
    assert "changed by rob" in caught.value.message
    assert _fresh(db, ua.number).comments == "Signed"


def test_the_list_filters_by_id_description_and_status(db: Database) -> None:
    acme = _ua(db)
    other = _ua(db, replace(YEAR, description="Springfield housing",
                            start_date=dt.date(2025, 2, 1)))
    assert [s.number for s in U.list_umbrella_agreements(db)] == [other.number, acme.number]
    assert [s.number for s in U.list_umbrella_agreements(db, "housing")] == [other.number]
    assert [s.number for s in U.list_umbrella_agreements(db, acme.number[:6])] == [acme.number]
    assert len(U.list_umbrella_agreements(db, "pending")) == 2
    assert U.list_umbrella_agreements(db, "complete") == []


@pytest.mark.parametrize("actor", [ANALYST, SUPERVISOR, ADMIN])
def test_rate_analysts_supervisors_and_admins_change(db: Database, actor: Actor) -> None:
    ua = U.create_umbrella_agreement(db, actor, YEAR)
    assert U.can_change(actor)
    U.add_terms(db, actor, ua.number, U.TermsForm("Terms"))


def test_everyone_reads_only_the_roles_change(db: Database) -> None:
    ua = _ua(db)
    tos = _terms(db, ua)
    assert not U.can_change(CSR)
    assert U.get_umbrella_agreement(db, ua.number).number == ua.number     # a CSR reads
    calls = [lambda: U.create_umbrella_agreement(db, CSR, YEAR),
             lambda: U.update_umbrella_agreement(db, CSR, ua.number, ua.version, YEAR),
             lambda: U.complete_umbrella_agreement(db, CSR, ua.number, ua.version),
             lambda: U.delete_umbrella_agreement(db, CSR, ua.number, ua.version),
             lambda: U.add_terms(db, CSR, ua.number, U.TermsForm("x")),
             lambda: U.activate_terms(db, CSR, tos.number, tos.version),
             lambda: U.link_agreement(db, CSR, tos.number, ua.number)]
    for call in calls:
        with pytest.raises(PermissionDenied, match="Rate analyst or Supervisor"):
            call()


# --- umbrella agreement lifecycle ------------------------------------------------------------

#: (terms of service statuses, umbrella status, action, outcome: the new status or the
#: words of the refusal)
UA_STEPS = [
    ((), UmbrellaStatus.PENDING, "complete", "Add terms of service before completing"),
    ((TosStatus.PENDING,), UmbrellaStatus.PENDING, "complete", "still pending"),
    ((TosStatus.ACTIVE, TosStatus.PENDING), UmbrellaStatus.PENDING, "complete",
     "still pending"),
    ((TosStatus.CANCELED,), UmbrellaStatus.PENDING, "complete", "at least one must be active"),
    ((TosStatus.ACTIVE,), UmbrellaStatus.PENDING, "complete", UmbrellaStatus.COMPLETE),
    ((TosStatus.ACTIVE, TosStatus.CANCELED), UmbrellaStatus.PENDING, "complete",
     UmbrellaStatus.COMPLETE),
    ((TosStatus.ACTIVE,), UmbrellaStatus.COMPLETE, "complete", "already complete"),
    ((TosStatus.ACTIVE,), UmbrellaStatus.COMPLETE, "reopen", UmbrellaStatus.PENDING),
    ((TosStatus.ACTIVE,), UmbrellaStatus.PENDING, "reopen", "only a complete one"),
    ((TosStatus.ACTIVE,), UmbrellaStatus.COMPLETE, "delete", "reopen it before deleting"),
    ((TosStatus.ACTIVE, TosStatus.CANCELED, TosStatus.PENDING), UmbrellaStatus.PENDING,
     "delete", None),
    ((), UmbrellaStatus.PENDING, "delete", None),
]
UA_ACTIONS = {"complete": U.complete_umbrella_agreement, "reopen": U.reopen_umbrella_agreement,
              "delete": U.delete_umbrella_agreement}


def _set_up(db: Database, terms: tuple[TosStatus, ...], status: UmbrellaStatus
            ) -> tuple[U.UmbrellaView, list[str]]:
    """An umbrella agreement whose terms are in ``terms`` and itself in ``status``."""
    ua = _ua(db)
    numbers = [_terms(db, ua, f"Terms {i}").number for i in range(len(terms))]
    for number, wanted in zip(numbers, terms, strict=True):
        version = _tos(db, ua.number, number).version
        if wanted is not TosStatus.PENDING:
            view = (U.activate_terms if wanted is TosStatus.ACTIVE else U.cancel_terms)(
                db, ANALYST, number, version)
            assert view.terms_numbered(number).status is wanted  # type: ignore[union-attr]
    if status is UmbrellaStatus.COMPLETE:
        U.complete_umbrella_agreement(db, ANALYST, ua.number, _fresh(db, ua.number).version)
    return _fresh(db, ua.number), numbers


@pytest.mark.parametrize(("terms", "status", "action", "outcome"), UA_STEPS)
def test_umbrella_agreement_lifecycle(db: Database, terms: tuple[TosStatus, ...],
                                      status: UmbrellaStatus, action: str,
                                      outcome: UmbrellaStatus | str | None) -> None:
    ua, numbers = _set_up(db, terms, status)
    call = UA_ACTIONS[action]
    if isinstance(outcome, UmbrellaStatus):
        assert call(db, ANALYST, ua.number, ua.version).status is outcome
    elif outcome is None:
        assert call(db, ANALYST, ua.number, ua.version) is None
        with pytest.raises(NotFound):
            _fresh(db, ua.number)
        with read_only(db) as session:
            assert session.scalar(select(TermsOfService.id)) is None
    else:
        with pytest.raises(ValidationError) as caught:
            call(db, ANALYST, ua.number, ua.version)
        assert caught.value.field == "status" and outcome in caught.value.message
        assert _fresh(db, ua.number).status is status


def test_a_new_terms_may_start_pending_under_a_complete_umbrella_agreement(db: Database
                                                                         ) -> None:
    ua, _ = _set_up(db, (TosStatus.ACTIVE,), UmbrellaStatus.COMPLETE)
    later = _terms(db, ua, "Gas terms")
    assert later.status is TosStatus.PENDING
    assert _fresh(db, ua.number).status is UmbrellaStatus.COMPLETE


def test_deleting_an_umbrella_agreement_unlinks_its_agreements(db: Database,
                                                               agreements: Agreements) -> None:
    ua = _ua(db)
    tos = _terms(db, ua)
    U.link_agreement(db, ANALYST, tos.number, agreements.customer)
    U.delete_umbrella_agreement(db, ANALYST, ua.number, _fresh(db, ua.number).version)
    with read_only(db) as session:
        sa = session.scalar(select(ServiceAgreement)
                            .where(ServiceAgreement.number == agreements.customer))
        assert sa is not None and sa.terms_of_service_id is None
        assert session.scalar(select(UmbrellaAgreement.id)) is None


# --- terms of service lifecycle --------------------------------------------------------------

A, P, C = TosStatus.ACTIVE, TosStatus.PENDING, TosStatus.CANCELED
UP, UC = UmbrellaStatus.PENDING, UmbrellaStatus.COMPLETE
DELETED = "deleted"
#: (the terms' status, the umbrella agreement's, action, the new status / DELETED / refusal)
TOS_STEPS = [
    (P, UP, "activate", A), (P, UC, "activate", A),
    (A, UP, "activate", "cannot be activated"), (A, UC, "activate", "cannot be activated"),
    (C, UP, "activate", "cannot be activated"), (C, UC, "activate", "cannot be activated"),
    (A, UP, "pend", P), (A, UC, "pend", "reopen it first"),
    (P, UP, "pend", "cannot be set back"), (P, UC, "pend", "cannot be set back"),
    (C, UP, "pend", "cannot be set back"), (C, UC, "pend", "cannot be set back"),
    (P, UP, "cancel", C), (P, UC, "cancel", C), (A, UP, "cancel", C), (A, UC, "cancel", C),
    (C, UP, "cancel", "cannot be canceled"), (C, UC, "cancel", "cannot be canceled"),
    (P, UP, "delete", DELETED), (P, UC, "delete", DELETED), (A, UP, "delete", DELETED),
    (A, UC, "delete", "cancel them instead"), (C, UP, "delete", "kept as a record"),
    (C, UC, "delete", "kept as a record"),
]
TOS_ACTIONS = {"activate": U.activate_terms, "pend": U.pend_terms, "cancel": U.cancel_terms,
               "delete": U.delete_terms}


@pytest.mark.parametrize(("from_", "ua_status", "action", "outcome"), TOS_STEPS)
def test_terms_of_service_lifecycle(db: Database, from_: TosStatus, ua_status: UmbrellaStatus,
                                    action: str, outcome: TosStatus | str) -> None:
    # an active anchor lets the umbrella agreement complete; the terms under test come after
    ua, (anchor,) = _set_up(db, (A,), ua_status)
    tos = _terms(db, ua, "Under test")
    if from_ is not P:
        (U.activate_terms if from_ is A else U.cancel_terms)(db, ANALYST, tos.number,
                                                             tos.version)
    tos = _tos(db, ua.number, tos.number)
    assert (tos.status, _fresh(db, ua.number).status) == (from_, ua_status)
    call = TOS_ACTIONS[action]
    if outcome is DELETED:
        view = call(db, ANALYST, tos.number, tos.version)
        assert [t.number for t in view.terms] == [anchor]
    elif isinstance(outcome, TosStatus):
        view = call(db, ANALYST, tos.number, tos.version)
        assert view.terms_numbered(tos.number).status is outcome  # type: ignore[union-attr]
    else:
        with pytest.raises(ValidationError) as caught:
            call(db, ANALYST, tos.number, tos.version)
        assert caught.value.field == "terms_status" and outcome in caught.value.message
        assert _tos(db, ua.number, tos.number).status is from_


def test_a_terms_step_over_a_newer_save_is_refused(db: Database) -> None:
    ua = _ua(db)
    tos = _terms(db, ua)
    U.update_terms(db, OTHER, tos.number, tos.version, U.TermsForm("Renamed"))
    with pytest.raises(ConcurrentChange, match="changed by rob"):
        U.activate_terms(db, ANALYST, tos.number, tos.version)
    assert _tos(db, ua.number, tos.number).status is TosStatus.PENDING


def test_canceling_unlinks_every_agreement_and_keeps_the_record(
        db: Database, agreements: Agreements) -> None:
    ua = _ua(db)
    tos = _terms(db, ua, template=agreements.template)
    U.link_agreement(db, ANALYST, tos.number, agreements.customer)
    U.link_agreement(db, ANALYST, tos.number, agreements.neighbour)
    tos = _tos(db, ua.number, tos.number)
    assert [a.number for a in tos.agreements] == sorted([agreements.customer,
                                                          agreements.neighbour])
    view = U.cancel_terms(db, ANALYST, tos.number, tos.version)
    kept = view.terms_numbered(tos.number)
    assert kept is not None and kept.status is TosStatus.CANCELED and kept.agreements == ()
    assert kept.template_sa_number == agreements.template
    with pytest.raises(ValidationError, match="canceled: they are kept as a record"):
        U.update_terms(db, ANALYST, tos.number, kept.version, U.TermsForm("Again"))
    with pytest.raises(ValidationError, match="canceled: agreements can no longer be linked"):
        U.link_agreement(db, ANALYST, tos.number, agreements.customer)
    # the agreement is free for other terms
    other = _terms(db, ua, "Replacement")
    assert [a.number for a in U.link_agreement(db, ANALYST, other.number, agreements.customer)
            .terms_numbered(other.number).agreements] == [agreements.customer]  # type: ignore[union-attr]


def test_deleting_terms_unlinks_their_agreements(db: Database, agreements: Agreements) -> None:
    ua = _ua(db)
    tos = _terms(db, ua)
    U.link_agreement(db, ANALYST, tos.number, agreements.customer)
    U.delete_terms(db, ANALYST, tos.number, tos.version)
    again = _terms(db, ua, "Again")
    U.link_agreement(db, ANALYST, again.number, agreements.customer)     # free again


# --- linking ---------------------------------------------------------------------------------


def test_linked_agreements_show_account_status_proposal_and_start(
        db: Database, agreements: Agreements) -> None:
    with transaction(db, ANALYST) as session:        # a proposal SA (spec/40) may be linked
        session.execute(update(ServiceAgreement)
                        .where(ServiceAgreement.number == agreements.neighbour)
                        .values(is_proposal=True))
    ua = _ua(db)
    tos = _terms(db, ua, template=agreements.template)
    U.link_agreement(db, ANALYST, tos.number, agreements.neighbour)
    view = U.link_agreement(db, ANALYST, tos.number, agreements.customer)
    linked = view.terms_numbered(tos.number)
    assert linked is not None and linked.template_rate == "RX-10"
    customer = sas.get_service_agreement(db, agreements.customer)
    assert [(a.number, a.account_number, a.status, a.is_proposal, a.start_date)
            for a in linked.agreements] == [
        (agreements.customer, customer.account_number, SAStatus.PENDING_START, False,
         dt.date(2025, 1, 1)),
        (agreements.neighbour, linked.agreements[1].account_number, SAStatus.PENDING_START,
         True, dt.date(2025, 1, 1))]
    summary = U.list_umbrella_agreements(db)[0]
    assert (summary.terms_count, summary.agreements_count) == (1, 2)


def test_linking_rules(db: Database, agreements: Agreements) -> None:
    ua = _ua(db)
    first = _terms(db, ua, "First", template=agreements.template)
    other_ua = _ua(db, replace(YEAR, description="Other contract"))
    second = _terms(db, other_ua, "Second")
    U.link_agreement(db, ANALYST, first.number, agreements.customer)

    def refused(tos: str, sa: str) -> str:
        with pytest.raises(ValidationError) as caught:
            U.link_agreement(db, ANALYST, tos, sa)
        assert caught.value.field == "sa_number"
        return caught.value.message

    assert "already linked to these terms" in refused(first.number, agreements.customer)
    assert (f"already covered by terms of service {first.number} (umbrella agreement "
            f"{ua.number})") in refused(second.number, agreements.customer)
    assert "is the template of terms of service" in refused(second.number, agreements.template)
    with pytest.raises(ValidationError) as caught:
        U.link_agreement(db, ANALYST, second.number, "1234567890")
    assert caught.value.field == "sa_number" and "1234567890" in caught.value.message
    with pytest.raises(ValidationError, match="is not linked to terms of service"):
        U.unlink_agreement(db, ANALYST, second.number, agreements.customer)
    # a covered agreement cannot be a template
    with pytest.raises(ValidationError) as caught:
        U.update_terms(db, ANALYST, second.number, second.version,
                       U.TermsForm("Second", agreements.customer))
    assert caught.value.field == "template_sa_number"
    assert "cannot be covered itself" in caught.value.message
    view = U.unlink_agreement(db, ANALYST, first.number, agreements.customer)
    assert view.terms_numbered(first.number).agreements == ()  # type: ignore[union-attr]
    U.link_agreement(db, ANALYST, second.number, agreements.customer)


def test_links_and_steps_are_in_the_audit_trail(db: Database, agreements: Agreements) -> None:
    ua = _ua(db)
    tos = _terms(db, ua)
    U.link_agreement(db, ANALYST, tos.number, agreements.customer)
    U.activate_terms(db, ANALYST, tos.number, tos.version)
    with read_only(db) as session:
        sa_id = session.scalar(select(ServiceAgreement.id)
                               .where(ServiceAgreement.number == agreements.customer))
        tos_id = session.scalar(select(TermsOfService.id)
                                .where(TermsOfService.number == tos.number))
        ua_id = session.scalar(select(UmbrellaAgreement.id)
                               .where(UmbrellaAgreement.number == ua.number))
    link = [e for e in audit.history(db, "ServiceAgreement", str(sa_id))
            if e.field == "terms_of_service_id"]
    assert [(e.changed_by, e.new_value, e.reason) for e in link] == [
        ("rana", str(tos_id), f"Link to terms of service {tos.number}")]
    steps = [(e.field, e.old_value, e.new_value)
             for e in audit.history(db, "TermsOfService", str(tos_id)) if e.field == "status"]
    assert steps[0] == ("status", "PENDING", "ACTIVE")
    assert any(e.field == "*" and e.new_value == "created"
               for e in audit.history(db, "UmbrellaAgreement", str(ua_id)))


def test_two_workstations_cannot_link_one_agreement_to_two_terms(
        db: Database, agreements: Agreements) -> None:
    """Workstation A is mid-link of the agreement; B's link to other terms (of another
    umbrella agreement) waits for it and then sees A's link."""
    first = _terms(db, _ua(db), "First")
    second = _terms(db, _ua(db, replace(YEAR, description="Other")), "Second")
    outcome: dict[str, object] = {}
    b_started = threading.Event()

    def workstation_b() -> None:
        b_started.set()
        try:
            outcome["b"] = U.link_agreement(db, OTHER, second.number, agreements.customer)
        except ValidationError as exc:
            outcome["b"] = exc

    with transaction(db, ANALYST) as session:            # workstation A
        sa = session.scalar(select(ServiceAgreement)
                            .where(ServiceAgreement.number == agreements.customer)
                            .with_for_update())
        tos_id = session.scalar(select(TermsOfService.id)
                                .where(TermsOfService.number == first.number))
        assert sa is not None
        thread = threading.Thread(target=workstation_b)
        thread.start()
        b_started.wait()
        time.sleep(0.5)          # give B every chance to run ahead if the lock did not hold it
        sa.terms_of_service_id = tos_id
    thread.join(timeout=60)
    assert isinstance(outcome["b"], ValidationError)
    assert f"already covered by terms of service {first.number}" in outcome["b"].message


def test_a_pend_racing_a_complete_waits_and_is_refused(db: Database) -> None:
    ua, (anchor,) = _set_up(db, (A,), UP)
    tos = _tos(db, ua.number, anchor)
    outcome: dict[str, object] = {}
    b_started = threading.Event()

    def workstation_b() -> None:
        b_started.set()
        try:
            outcome["b"] = U.pend_terms(db, OTHER, tos.number, tos.version)
        except ValidationError as exc:
            outcome["b"] = exc

    with transaction(db, ANALYST) as session:            # workstation A completes
        row = session.scalar(select(UmbrellaAgreement)
                             .where(UmbrellaAgreement.number == ua.number).with_for_update())
        assert row is not None
        thread = threading.Thread(target=workstation_b)
        thread.start()
        b_started.wait()
        time.sleep(0.5)
        row.status = UmbrellaStatus.COMPLETE
    thread.join(timeout=60)
    assert isinstance(outcome["b"], ValidationError)
    assert "is complete, so its terms cannot be set back" in outcome["b"].message
    assert _tos(db, ua.number, anchor).status is TosStatus.ACTIVE


# --- rating with the template (§B2.5) --------------------------------------------------------


def _rate(db: Database, sa_number: str, day: dt.date) -> tuple[str | None, str]:
    with read_only(db) as session:
        sa, _class = find_agreement(session, sa_number)
        return effective_rate(session, sa, rate_history(session, sa), day)


def _contract(db: Database, agreements: Agreements, *, overrides: bool = True
              ) -> tuple[U.UmbrellaView, U.TermsView]:
    """A complete umbrella agreement for 2025 whose active terms cover the customer with
    the RX-10 template."""
    ua = _ua(db)
    tos = _terms(db, ua, template=agreements.template, overrides=overrides)
    U.link_agreement(db, ANALYST, tos.number, agreements.customer)
    U.activate_terms(db, ANALYST, tos.number, tos.version)
    ua = U.complete_umbrella_agreement(db, ANALYST, ua.number, _fresh(db, ua.number).version)
    tos = ua.terms[0]
    return ua, tos


def test_the_templates_rate_applies_only_in_the_effective_period(
        db: Database, agreements: Agreements) -> None:
    ua = _ua(db)
    tos = _terms(db, ua, template=agreements.template)
    U.link_agreement(db, ANALYST, tos.number, agreements.customer)
    mid = dt.date(2025, 7, 15)
    own = ("E-RES-1", "SA")
    assert _rate(db, agreements.customer, mid) == own           # terms pending
    tos = U.activate_terms(db, ANALYST, tos.number, tos.version).terms[0]
    assert _rate(db, agreements.customer, mid) == own           # umbrella agreement pending
    ua = U.complete_umbrella_agreement(db, ANALYST, ua.number, _fresh(db, ua.number).version)
    by_terms = ("RX-10", f"TOS {tos.number}")
    for day, expected in ((dt.date(2024, 12, 31), own), (dt.date(2025, 1, 1), by_terms),
                          (mid, by_terms), (dt.date(2025, 12, 31), by_terms),
                          (dt.date(2026, 1, 1), own)):
        assert _rate(db, agreements.customer, day) == expected, day
    assert _rate(db, agreements.neighbour, mid) == own          # not covered
    assert _rate(db, agreements.template, mid) == ("RX-10", "SA")
    # reopened: no longer effective; completed again: effective again
    ua = U.reopen_umbrella_agreement(db, ANALYST, ua.number, ua.version)
    assert _rate(db, agreements.customer, mid) == own
    tos = U.pend_terms(db, ANALYST, tos.number, ua.terms[0].version).terms[0]
    assert _rate(db, agreements.customer, mid) == own
    tos = U.activate_terms(db, ANALYST, tos.number, tos.version).terms[0]
    ua = U.complete_umbrella_agreement(db, ANALYST, ua.number, _fresh(db, ua.number).version)
    assert _rate(db, agreements.customer, mid) == by_terms
    # terms that do not override the rate, and canceled terms, leave the agreement's own
    U.update_terms(db, ANALYST, tos.number, tos.version,
                   U.TermsForm("Electric terms", agreements.template, overrides_rate=False))
    assert _rate(db, agreements.customer, mid) == own
    tos = _tos(db, ua.number, tos.number)
    U.update_terms(db, ANALYST, tos.number, tos.version,
                   U.TermsForm("Electric terms", agreements.template))
    assert _rate(db, agreements.customer, mid) == by_terms
    U.cancel_terms(db, ANALYST, tos.number, _tos(db, ua.number, tos.number).version)
    assert _rate(db, agreements.customer, mid) == own


def test_terms_without_a_template_only_group(db: Database, agreements: Agreements) -> None:
    ua = _ua(db)
    tos = _terms(db, ua)
    U.link_agreement(db, ANALYST, tos.number, agreements.customer)
    U.activate_terms(db, ANALYST, tos.number, tos.version)
    U.complete_umbrella_agreement(db, ANALYST, ua.number, _fresh(db, ua.number).version)
    assert _rate(db, agreements.customer, dt.date(2025, 7, 15)) == ("E-RES-1", "SA")


def _set_contract_value(db: Database, sa_number: str, value: str) -> None:
    with transaction(db, ANALYST) as session:
        sa_id = session.scalar(select(ServiceAgreement.id)
                               .where(ServiceAgreement.number == sa_number))
        session.add(SaContractValue(service_agreement_id=sa_id, bill_factor="KWHCUST",
                                    effective=dt.date(2020, 1, 1), value=D(value)))


def _usage(db: Database, usage: TosUsage | None) -> None:
    edit = rates.open_bill_factor(db, ANALYST, "KWHCUST")
    rates.save_bill_factor(db, ANALYST, replace(edit.bill_factor, tos_usage=usage),
                           edit.row_version)


def test_a_rate_check_uses_the_templates_rate_and_terms(
        db: Database, agreements: Agreements, monkeypatch: pytest.MonkeyPatch) -> None:
    rates.load_shipped_rates(db, ANALYST)
    _set_contract_value(db, agreements.template, "0.07")
    _ua_view, _tos_view = _contract(db, agreements)
    request = RC.RateCheckRequest(sa_number=agreements.customer, start=JULY[0], end=JULY[1],
                                  quantities=KWH_1000)
    # RX-10 prices KWHCUST: the customer has no contract value of its own, so the standard
    # 0.09 unless the bill factor looks at the template (0.07): 1,000 kWh → 90.00 / 70.00
    outcome = RC.check(db, request)
    assert outcome.result.rate_schedule == "RX-10"
    assert outcome.result.total == D("90.00")
    _usage(db, TosUsage.CHECK_TOS_ONLY)
    assert RC.check(db, request).result.total == D("70.00")
    _set_contract_value(db, agreements.customer, "0.11")
    assert RC.check(db, request).result.total == D("70.00")
    _usage(db, TosUsage.CHECK_SA_ONLY)
    assert RC.check(db, request).result.total == D("110.00")
    # the pane's defaults (this month: July 2025) and Compare Rates name the template's rate
    monkeypatch.setattr(RC, "today", lambda: dt.date(2025, 7, 10))
    assert RC.agreement_defaults(db, agreements.customer).rate_schedule == "RX-10"
    comparison = compare_rates(db, CompareRequest(
        months=(UsageMonth(JULY[0], JULY[1], KWH_1000),),
        rate_schedules=("RX-10", "E-RES-1"), sa_number=agreements.customer,
        characteristics=(("STATE", "IL"),)))
    assert comparison.current == "RX-10"
    # after the contract's end the customer's own rate rates it
    after = RC.check(db, replace(request, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31),
                                 characteristics=(("STATE", "IL"),)))
    assert after.result.rate_schedule == "E-RES-1"


def test_template_first_then_the_agreements_own(db: Database, agreements: Agreements) -> None:
    rates.load_shipped_rates(db, ANALYST)
    _set_contract_value(db, agreements.customer, "0.11")
    _contract(db, agreements)
    _usage(db, TosUsage.CHECK_TOS_FIRST_THEN_SA)
    check = RC.RateCheckRequest(sa_number=agreements.customer, start=JULY[0], end=JULY[1],
                                quantities=KWH_1000)
    assert RC.check(db, check).result.total == D("110.00")      # the template has none
    _set_contract_value(db, agreements.template, "0.07")
    assert RC.check(db, check).result.total == D("70.00")


def test_a_rate_check_on_a_day_the_contract_does_not_cover(db: Database,
                                                           agreements: Agreements) -> None:
    """A month the umbrella agreement's end cuts: the rate is picked on the period's end,
    the template's terms count only to the end of the contract."""
    rates.load_shipped_rates(db, ANALYST)
    _set_contract_value(db, agreements.template, "0.07")
    _set_contract_value(db, agreements.customer, "0.11")
    ua, _tos = _contract(db, agreements)
    U.reopen_umbrella_agreement(db, ANALYST, ua.number, ua.version)
    ua = U.update_umbrella_agreement(db, ANALYST, ua.number, _fresh(db, ua.number).version,
                                     replace(YEAR, end_date=dt.date(2025, 7, 15)))
    U.complete_umbrella_agreement(db, ANALYST, ua.number, ua.version)
    _usage(db, TosUsage.CHECK_TOS_ONLY)
    # RX-10 typed in for July: 1,000 × 0.07 × 15/31 + 1,000 × 0.11 × 16/31
    # = 33.87 + 56.77 = 90.64
    outcome = RC.check(db, RC.RateCheckRequest(
        rate_schedule="RX-10", sa_number=agreements.customer, start=JULY[0], end=JULY[1],
        quantities=KWH_1000))
    lines = [(x.start_date, x.end_date, x.value_defined, x.amount)
             for h in outcome.result.headers for x in h.lines]
    assert lines == [(dt.date(2025, 7, 1), dt.date(2025, 7, 15), D("0.07"), D("33.87")),
                     (dt.date(2025, 7, 16), dt.date(2025, 7, 31), D("0.11"), D("56.77"))]
    # without a rate typed, the rate on the period's end is the customer's own
    own = RC.check(db, RC.RateCheckRequest(
        sa_number=agreements.customer, start=JULY[0], end=JULY[1], quantities=KWH_1000,
        characteristics=(("STATE", "IL"),)))
    assert own.result.rate_schedule == "E-RES-1"


def test_an_uncovered_agreement_costs_no_extra_statement(db: Database,
                                                         agreements: Agreements) -> None:
    _contract(db, agreements)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    def rate_of(number: str) -> tuple[str | None, str]:
        with read_only(db) as session:
            sa, _class = find_agreement(session, number)
            history = rate_history(session, sa)
            statements.clear()
            event.listen(db.engine, "before_cursor_execute", count)
            try:
                return effective_rate(session, sa, history, dt.date(2025, 7, 1))
            finally:
                event.remove(db.engine, "before_cursor_execute", count)

    assert rate_of(agreements.neighbour) == ("E-RES-1", "SA")
    assert statements == []
    assert rate_of(agreements.customer)[0] == "RX-10"
    assert len(statements) <= 3      # the terms with their umbrella, the template, its rates
