"""Control Central's 360° view: what a CSR sees about an account, with real rows built through
the services, as of a fixed day (ON)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from app.db import Database
from app.engine.identifiers import from_sequence
from app.models.enums import (
    AdjustmentType,
    BillingFrequency,
    CharacteristicEntity,
    CharacteristicValueKind,
    CorrespondenceType,
    CustomerClass,
    PaymentMethod,
    PremiseType,
    RoleTarget,
    RoleType,
    ServiceType,
)
from app.services import (
    accounts,
    alerts,
    characteristics,
    financials,
    parties,
    premises,
    roles,
    service_points,
)
from app.services import control_central as cc
from app.services import service_agreements as sas
from app.services.errors import NotFound, ValidationError
from app.services.financials import BillSegmentForm
from app.services.parties import PersonForm
from app.services.premises import PremiseForm
from app.services.roles import RoleForm
from app.services.service_agreements import ServiceAgreementForm, ServiceAgreementView
from app.services.service_points import MeterForm, RegisterForm
from tests.conftest import CSR, SUPERVISOR
from tests.services.builders import START, Household, household

ON = dt.date(2026, 3, 15)


def _agreement(db: Database, home: Household, sp: str, service: ServiceType, sa_type: str,
               rate: str, start: dt.date = START, *, active: bool = True) -> ServiceAgreementView:
    view = sas.create_service_agreement(
        db, CSR, ServiceAgreementForm(home.account, sa_type, service, (sp,), start, rate))
    return sas.activate(db, CSR, view.number, view.version) if active else view


def _bill(db: Database, account: str, day: dt.date, due: dt.date,
          *segments: tuple[str, str, str, str]) -> None:
    """Segments are (agreement number, quantity, unit, amount)."""
    financials.post_bill(db, SUPERVISOR, account, day, due, [
        BillSegmentForm(sa, day - dt.timedelta(days=30), day - dt.timedelta(days=1),
                        Decimal(qty), uom, Decimal(amount))
        for sa, qty, uom, amount in segments
    ])


def _person(db: Database, first: str, last: str = "Okafor") -> str:
    return parties.create_person(db, CSR, PersonForm(last_name=last, first_name=first)).number


def _codes(view: cc.AccountDashboard) -> list[str]:
    return [a.code for a in view.alerts]


def _alert(view: cc.AccountDashboard, code: str) -> alerts.Alert:
    found = [a for a in view.alerts if a.code == code]
    assert len(found) == 1, (code, view.alerts)
    return found[0]


@pytest.fixture
def billed(db: Database) -> tuple[Household, ServiceAgreementView, ServiceAgreementView]:
    """A household with electricity and gas, three years of bills, payments and a charge."""
    home = household(db)
    elec = _agreement(db, home, home.electric_sp, ServiceType.ELECTRIC, "E-RES", "E-RES-1")
    gas = _agreement(db, home, home.gas_sp, ServiceType.GAS, "G-RES", "G-RES-1")
    account = home.account
    # Just before the 24-month window (April 2024 … March 2026): in the balance only.
    _bill(db, account, dt.date(2024, 3, 31), dt.date(2024, 4, 21), (elec.number, "50", "KWH", "10.00"))
    financials.post_payment(db, CSR, account, dt.date(2024, 4, 1), "10.00", PaymentMethod.CARD)
    _bill(db, account, dt.date(2025, 2, 3), dt.date(2025, 2, 24),
          (elec.number, "612.5", "KWH", "98.17"), (gas.number, "41", "THERM", "52.36"))
    financials.post_payment(db, CSR, account, dt.date(2025, 2, 20), "150.53", PaymentMethod.CARD)
    _bill(db, account, dt.date(2026, 2, 3), dt.date(2026, 2, 24), (elec.number, "500", "KWH", "80.00"))
    financials.post_payment(db, CSR, account, dt.date(2026, 2, 20), "50.00", PaymentMethod.CASH)
    financials.post_adjustment(db, SUPERVISOR, account, dt.date(2026, 3, 5), AdjustmentType.CHARGE,
                               "5.25", "Late payment charge")
    # Due after ON: not yet overdue.
    _bill(db, account, dt.date(2026, 3, 3), dt.date(2026, 3, 24),
          (elec.number, "400.25", "KWH", "70.10"), (gas.number, "20", "THERM", "30.00"))
    return home, elec, gas


# ------------------------------------------------------------------------------ summary, money


def test_summary_balance_last_and_next_bill(db, billed) -> None:  # type: ignore[no-untyped-def]
    home, _elec, _gas = billed
    view = cc.account_dashboard(db, home.account, on=ON)
    s = view.summary
    assert (s.customer_number, s.customer_name, s.customer_class) == (
        home.customer, "Okafor, Ngozi", "Residential")
    assert (s.account_number, s.description, s.status, s.invoicing_mode, s.billing_frequency,
            s.currency, s.setup_date) == (home.account, "Home", "Active", "Consolidated", "Monthly",
                                          "USD", START)
    assert s.main_party_number == home.party
    # 10.00 + 150.53 + 80.00 + 100.10 bills − 10.00 − 150.53 − 50.00 paid + 5.25 charged
    assert s.balance == Decimal("135.35") == financials.account_balance(db, home.account)
    assert (s.last_bill_date, s.last_bill_amount) == (dt.date(2026, 3, 3), Decimal("100.10"))
    assert s.next_bill_date == dt.date(2026, 4, 3)
    assert (s.last_payment_date, s.last_payment_amount) == (dt.date(2026, 2, 20), Decimal("50.00"))


def test_twenty_four_months_of_financials_oldest_first(db, billed) -> None:  # type: ignore[no-untyped-def]
    home, _elec, _gas = billed
    months = cc.account_dashboard(db, home.account, on=ON).financials
    assert len(months) == cc.FINANCIAL_MONTHS == 24
    assert months[0].month == dt.date(2024, 4, 1) and months[-1].month == dt.date(2026, 3, 1)
    by_month = {m.month: m for m in months}
    zero = Decimal("0.00")
    # The March 2024 bill is outside the window; its payment (1 April 2024) is inside.
    assert (by_month[dt.date(2024, 4, 1)].billed, by_month[dt.date(2024, 4, 1)].paid) == (
        zero, Decimal("10.00"))
    feb25 = by_month[dt.date(2025, 2, 1)]
    assert (feb25.billed, feb25.paid, feb25.adjusted) == (Decimal("150.53"), Decimal("150.53"), zero)
    assert feb25.consumption == (("KWH", Decimal("612.500")), ("THERM", Decimal("41.000")))
    feb26 = by_month[dt.date(2026, 2, 1)]
    assert (feb26.billed, feb26.paid, feb26.consumption) == (
        Decimal("80.00"), Decimal("50.00"), (("KWH", Decimal("500.000")),))
    mar26 = by_month[dt.date(2026, 3, 1)]
    assert (mar26.billed, mar26.paid, mar26.adjusted) == (Decimal("100.10"), zero, Decimal("5.25"))
    assert mar26.consumption == (("KWH", Decimal("400.250")), ("THERM", Decimal("20.000")))
    quiet = [m for m in months if m.month not in
             (dt.date(2024, 4, 1), dt.date(2025, 2, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1))]
    assert len(quiet) == 20
    assert all((m.billed, m.paid, m.adjusted, m.consumption) == (zero, zero, zero, ()) for m in quiet)


def test_debt_overdue_names_the_oldest_unpaid_bill(db, billed) -> None:  # type: ignore[no-untyped-def]
    home, _elec, _gas = billed
    view = cc.account_dashboard(db, home.account, on=ON)
    debt = _alert(view, "AL-DEBT")
    # 135.35 owed − 100.10 not yet due (due 24 March); the February bill is the oldest unpaid.
    assert debt.text == "Debt overdue: 35.25 USD (oldest unpaid bill due 2026-02-24)"
    assert debt.severity == "high" and debt.drill == ("Account", home.account)
    # Paying what is past due clears the alert (the March bill is not due yet).
    financials.post_payment(db, CSR, home.account, dt.date(2026, 3, 10), "35.25", PaymentMethod.CARD)
    assert "AL-DEBT" not in _codes(cc.account_dashboard(db, home.account, on=ON))
    # …until its due date passes.
    later = cc.account_dashboard(db, home.account, on=dt.date(2026, 3, 25))
    assert _alert(later, "AL-DEBT").text == (
        "Debt overdue: 100.10 USD (oldest unpaid bill due 2026-03-24)")


def test_next_bill_date_follows_the_billing_frequency(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    quarterly = accounts.open_account(db, CSR, accounts.AccountForm(
        home.customer, START, "Cabin", billing_frequency=BillingFrequency.QUARTERLY)).number
    view = cc.account_dashboard(db, quarterly, on=ON)
    assert view.summary.next_bill_date is None  # no bill, nothing supplied
    cabin = Household(home.party, home.customer, quarterly, home.premise, home.electric_sp,
                      home.gas_sp)
    sa = _agreement(db, cabin, home.electric_sp, ServiceType.ELECTRIC, "E-RES", "E-RES-1",
                    dt.date(2025, 11, 30))
    # No bill yet: one quarter after the service started, clamped to the month's end.
    assert cc.account_dashboard(db, quarterly, on=ON).summary.next_bill_date == dt.date(2026, 2, 28)
    _bill(db, quarterly, dt.date(2026, 1, 31), dt.date(2026, 2, 21), (sa.number, "10", "KWH", "3.00"))
    assert cc.account_dashboard(db, quarterly, on=ON).summary.next_bill_date == dt.date(2026, 4, 30)


# ------------------------------------------------------------------------------------- alerts


def test_service_alerts_follow_the_agreements(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    empty = cc.account_dashboard(db, home.account, on=ON)
    assert _alert(empty, "AL-NO-SERVICE").severity == "medium"
    assert not {"AL-PENDING-START", "AL-PENDING-STOP", "AL-DEBT"} & set(_codes(empty))

    gas = _agreement(db, home, home.gas_sp, ServiceType.GAS, "G-RES", "G-RES-1",
                     dt.date(2026, 4, 1), active=False)
    view = cc.account_dashboard(db, home.account, on=ON)
    assert "AL-NO-SERVICE" not in _codes(view)
    start = _alert(view, "AL-PENDING-START")
    assert start.text == f"Pending start: gas agreement {gas.number} starts 2026-04-01"
    assert start.drill == ("Service agreement", gas.number)
    assert "AL-PENDING-STOP" not in _codes(view)

    elec = _agreement(db, home, home.electric_sp, ServiceType.ELECTRIC, "E-RES", "E-RES-1")
    assert "AL-PENDING-STOP" not in _codes(cc.account_dashboard(db, home.account, on=ON))
    sas.request_stop(db, CSR, elec.number, elec.version, dt.date(2026, 3, 31))
    stop = _alert(cc.account_dashboard(db, home.account, on=ON), "AL-PENDING-STOP")
    assert stop.text == f"Pending stop: electric agreement {elec.number} stops 2026-03-31"


def test_multi_account_and_subscriber_alerts(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    view = cc.account_dashboard(db, home.account, on=ON)
    assert not {"AL-MULTI-ACCOUNT", "AL-SUBSCRIBERS"} & set(_codes(view))
    assert view.other_accounts == ()
    cabin = accounts.open_account(db, CSR, accounts.AccountForm(home.customer, START, "Cabin"))
    accounts.add_subscription(db, CSR, home.account, "gran@example.com", {CorrespondenceType.BILL},
                              dt.date(2026, 1, 1), display_name="Gran")
    view = cc.account_dashboard(db, home.account, on=ON)
    multi = _alert(view, "AL-MULTI-ACCOUNT")
    assert (multi.text, multi.severity, multi.drill) == (
        "Customer has 2 open accounts", "info", ("Customer", home.customer))
    assert _alert(view, "AL-SUBSCRIBERS").text == (
        "1 subscriber receives copies of correspondence (no authority)")
    assert view.other_accounts == ((cabin.number, "Cabin"),)


def test_life_support_and_medical_characteristics_in_effect_today(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    elec = _agreement(db, home, home.electric_sp, ServiceType.ELECTRIC, "E-RES", "E-RES-1")
    characteristics.define_characteristic_type(
        db, SUPERVISOR, "LIFESUPP", "Life support equipment", CharacteristicValueKind.PREDEFINED,
        {CharacteristicEntity.ACCOUNT, CharacteristicEntity.SERVICE_AGREEMENT}, {"Y": "Yes", "N": "No"})
    characteristics.define_characteristic_type(
        db, SUPERVISOR, "MEDOXY", "Oxygen concentrator", CharacteristicValueKind.ADHOC,
        {CharacteristicEntity.PREMISE})
    account, sa = CharacteristicEntity.ACCOUNT, CharacteristicEntity.SERVICE_AGREEMENT
    characteristics.set_characteristic(db, CSR, account, home.account, "LIFESUPP", dt.date(2026, 1, 1), "N")
    characteristics.set_characteristic(db, CSR, sa, elec.number, "LIFESUPP", dt.date(2026, 4, 1), "Y")
    assert "AL-LIFESUPP" not in _codes(cc.account_dashboard(db, home.account, on=ON))

    characteristics.set_characteristic(db, CSR, account, home.account, "LIFESUPP", dt.date(2026, 3, 1), "Y")
    view = cc.account_dashboard(db, home.account, on=ON)
    life = _alert(view, "AL-LIFESUPP")
    assert (life.severity, life.text, life.drill) == (
        "high", "Life support: Life support equipment (on the account)", ("Account", home.account))
    assert view.alerts[0].severity == "high"
    # From 1 April the agreement carries it too; a later "N" on the account ends that one.
    characteristics.set_characteristic(db, CSR, account, home.account, "LIFESUPP", dt.date(2026, 3, 20), "N")
    later = cc.account_dashboard(db, home.account, on=dt.date(2026, 4, 2))
    assert _alert(later, "AL-LIFESUPP").text == (
        f"Life support: Life support equipment (on agreement {elec.number})")

    characteristics.set_characteristic(db, CSR, CharacteristicEntity.PREMISE, home.premise, "MEDOXY",
                                       dt.date(2025, 6, 1), "Bedroom, 24h")
    medical = [a for a in cc.account_dashboard(db, home.account, on=ON).alerts
               if a.code == "AL-LIFESUPP"]
    assert [(a.text, a.drill) for a in medical] == [
        ("Life support: Life support equipment (on the account)", ("Account", home.account)),
        ("Medical: Oxygen concentrator (on premise 12 Elm St, Springfield)",
         ("Premise", home.premise)),
    ]


def test_premise_hierarchy_and_landlord_alerts(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    _agreement(db, home, home.electric_sp, ServiceType.ELECTRIC, "E-RES", "E-RES-1")
    view = cc.account_dashboard(db, home.account, on=ON)
    assert not {"AL-PREM-PARENT", "AL-PREM-CHILD", "AL-LANDLORD"} & set(_codes(view))

    tower = premises.create_premise(db, CSR, PremiseForm(
        PremiseType.APARTMENT_BUILDING, "1 Tower Rd", "Springfield", "62701"))
    own = premises.get_premise(db, home.premise)
    premises.set_parent_premise(db, CSR, home.premise, own.version, tower.number)
    for unit in ("Annex A", "Annex B"):
        premises.create_premise(db, CSR, PremiseForm(
            PremiseType.APARTMENT, "12 Elm St", "Springfield", "62701", address_line2=unit,
            parent_premise_number=home.premise))
    org = parties.create_organisation(db, CSR, parties.OrganisationForm("Tower Lettings")).number
    landlord_customer = accounts.create_customer(db, CSR, org, CustomerClass.COMMERCIAL)
    landlord_account = accounts.open_account(
        db, CSR, accounts.AccountForm(landlord_customer.number, START)).number
    agreement = premises.create_landlord_agreement(db, CSR, org, landlord_account, "Tower flats")
    own = premises.get_premise(db, home.premise)
    premises.assign_landlord(db, CSR, home.premise, own.version, agreement.number)

    view = cc.account_dashboard(db, home.account, on=ON)
    parent = _alert(view, "AL-PREM-PARENT")
    assert (parent.text, parent.drill) == ("Parent premise: 2 child premises", ("Premise", home.premise))
    child = _alert(view, "AL-PREM-CHILD")
    assert (child.text, child.drill) == ("Linked to parent premise 1 Tower Rd, Springfield",
                                         ("Premise", tower.number))
    assert _alert(view, "AL-LANDLORD").text == "Landlord agreement: Tower flats"
    (row,) = view.premises
    assert (row.parent_address, row.parent_number, row.landlord, row.child_count) == (
        "1 Tower Rd, Springfield", tower.number, "Tower flats", 2)


def test_caller_alert_only_for_a_caller_without_authority(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    payer = _person(db, "Chidi")
    roles.add_role(db, CSR, RoleForm(payer, RoleType.PAYER, RoleTarget.ACCOUNT, home.account, START))
    assert "AL-CALLER" not in _codes(cc.account_dashboard(db, home.account, on=ON))
    owner_view = cc.account_dashboard(db, home.account, home.party, on=ON)
    assert "AL-CALLER" not in _codes(owner_view)
    assert owner_view.caller == cc.Caller(home.party, "Okafor, Ngozi", "Owner", True)

    view = cc.account_dashboard(db, home.account, payer, on=ON)
    caller = _alert(view, "AL-CALLER")
    assert (caller.severity, caller.text) == (
        "high", "Caller Okafor, Chidi is not owner/administrator: actions need an override reason")
    assert view.caller == cc.Caller(payer, "Okafor, Chidi", "Payer", False)
    subscriber = cc.account_dashboard(db, home.account, "gran@example.com", on=ON)
    assert _alert(subscriber, "AL-CALLER").text == (
        "Caller gran@example.com is a subscriber, not owner/administrator: actions need an "
        "override reason")
    with pytest.raises(NotFound, match="no person or organisation"):
        cc.account_dashboard(db, home.account, from_sequence(987654), on=ON)


# ------------------------------------------------------------------------------ roles, callers


@pytest.fixture
def delegated(db: Database) -> tuple[Household, str, str, str, ServiceAgreementView]:
    """Owner Ngozi, administrator Adaeze, payer Chidi, an ended and a future role."""
    home = household(db)
    elec = _agreement(db, home, home.electric_sp, ServiceType.ELECTRIC, "E-RES", "E-RES-1")
    admin, payer, former = _person(db, "Adaeze"), _person(db, "Chidi"), _person(db, "Emeka")
    acct = RoleTarget.ACCOUNT
    roles.add_role(db, CSR, RoleForm(payer, RoleType.PAYER, acct, home.account, START))
    roles.add_role(db, CSR, RoleForm(admin, RoleType.ADMINISTRATOR, acct, home.account,
                                     dt.date(2025, 2, 1)))
    roles.add_role(db, CSR, RoleForm(former, RoleType.ADMINISTRATOR, acct, home.account, START,
                                     dt.date(2025, 12, 31)))
    roles.add_role(db, CSR, RoleForm(former, RoleType.PAYER, acct, home.account, dt.date(2026, 6, 1)))
    return home, admin, payer, former, elec


def test_open_roles_owner_first_with_granted_by_and_authority(db, delegated) -> None:  # type: ignore[no-untyped-def]
    home, admin, payer, _former, elec = delegated
    view = cc.account_dashboard(db, home.account, on=ON)
    assert [(r.party_number, r.role, r.target, r.granted_by, r.has_authority) for r in view.roles] == [
        (home.party, "Owner", "Account", "", True),
        (admin, "Administrator", "Account", "Okafor, Ngozi", True),
        (payer, "Payer", "Account", "", False),
        (home.party, "Holder", f"Service agreement {elec.number}", "", True),
    ]
    assert view.roles[1].effective_from == dt.date(2025, 2, 1) and view.roles[1].effective_to is None


def test_callers_of_lists_each_party_once_authority_first(db, delegated) -> None:  # type: ignore[no-untyped-def]
    home, admin, payer, _former, _elec = delegated
    assert cc.callers_of(db, home.account, on=ON) == [
        cc.Caller(admin, "Okafor, Adaeze", "Administrator", True),
        cc.Caller(home.party, "Okafor, Ngozi", "Owner, Holder", True),
        cc.Caller(payer, "Okafor, Chidi", "Payer", False),
    ]


def test_caller_authority_r_a8(db, delegated) -> None:  # type: ignore[no-untyped-def]
    home, admin, payer, former, _elec = delegated
    assert cc.caller_authority(db, home.account, home.party, on=ON) == cc.Authority(True, "")
    assert cc.caller_authority(db, home.account, admin, on=ON) == cc.Authority(True, "")
    refused = cc.caller_authority(db, home.account, payer, on=ON)
    assert not refused.allowed
    assert refused.reason == (f"Okafor, Chidi is not owner or administrator of account "
                              f"{home.account} today: actions need an override reason.")
    # The ended administrator had authority in 2025 only.
    assert not cc.caller_authority(db, home.account, former, on=ON).allowed
    assert cc.caller_authority(db, home.account, former, on=dt.date(2025, 6, 1)).allowed
    unknown = cc.caller_authority(db, home.account, None, on=ON)
    assert not unknown.allowed and unknown.reason.startswith("Unknown caller: ")
    subscriber = cc.caller_authority(db, home.account, "gran@example.com", on=ON)
    assert not subscriber.allowed and "subscriber" in subscriber.reason
    with pytest.raises(NotFound):
        cc.caller_authority(db, home.account, from_sequence(987654), on=ON)


# --------------------------------------------------------------------- premises and agreements


def test_premises_service_points_and_agreements_zones(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    service_points.register_meter(db, SUPERVISOR, MeterForm(
        "E100", "SMART", ServiceType.ELECTRIC, (RegisterForm("KWH", 6),)))
    service_points.install_device(db, CSR, home.electric_sp, "E100", dt.date(2024, 12, 1))
    elec = _agreement(db, home, home.electric_sp, ServiceType.ELECTRIC, "E-RES", "E-RES-1")
    sas.change_rate(db, CSR, elec.number, dt.date(2026, 1, 1), "E-RES-TOU")
    sas.change_rate(db, CSR, elec.number, dt.date(2026, 6, 1), "E-RES-2")
    canceled = _agreement(db, home, home.gas_sp, ServiceType.GAS, "G-RES", "G-RES-1",
                          dt.date(2025, 1, 1), active=False)
    sas.cancel(db, CSR, canceled.number, canceled.version)
    gas = _agreement(db, home, home.gas_sp, ServiceType.GAS, "G-RES", "G-RES-1",
                     dt.date(2026, 4, 1), active=False)

    view = cc.account_dashboard(db, home.account, on=ON)
    assert view.agreement_count == 2
    # The canceled agreement's holder role is not shown; the pending start's starts on 1 April.
    assert [r.target for r in view.roles] == ["Account", f"Service agreement {elec.number}"]
    assert [(a.number, a.status, a.rate_schedule_code, a.start_date, a.premise_address)
            for a in view.agreements] == [
        (gas.number, "Pending start", "G-RES-1", dt.date(2026, 4, 1), "12 Elm St, Springfield"),
        (elec.number, "Active", "E-RES-TOU", START, "12 Elm St, Springfield"),
    ]
    (premise,) = view.premises
    assert (premise.number, premise.address, premise.premise_type, premise.parent_address,
            premise.landlord, premise.child_count) == (
        home.premise, "12 Elm St, Springfield", "House", "", "", 0)
    assert [(sp.number, sp.service_type, sp.consumer_kind, sp.meter_badge, sp.current_sa_number,
             sp.current_sa_status) for sp in premise.service_points] == [
        (home.electric_sp, "Electric", "Import", "E100", elec.number, "Active"),
        (home.gas_sp, "Gas", "Import", "", gas.number, "Pending start"),
    ]


def test_with_nothing_current_the_last_years_premises_are_shown(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    old = household(db, "Adeyemi", "Tunde", "9 Oak Ave")
    gone = Household(home.party, home.customer, home.account, old.premise, old.electric_sp,
                     old.gas_sp)
    long_ago = _agreement(db, gone, old.electric_sp, ServiceType.ELECTRIC, "E-RES", "E-RES-1",
                          dt.date(2020, 1, 1))
    long_ago = sas.request_stop(db, CSR, long_ago.number, long_ago.version, dt.date(2024, 12, 31))
    sas.complete_stop(db, CSR, long_ago.number, long_ago.version)
    recent = _agreement(db, home, home.electric_sp, ServiceType.ELECTRIC, "E-RES", "E-RES-1",
                        dt.date(2025, 1, 1))
    recent = sas.request_stop(db, CSR, recent.number, recent.version, dt.date(2025, 9, 30))
    sas.complete_stop(db, CSR, recent.number, recent.version)

    view = cc.account_dashboard(db, home.account, on=ON)
    assert [p.number for p in view.premises] == [home.premise]
    assert [(sp.number, sp.current_sa_number) for sp in view.premises[0].service_points] == [
        (home.electric_sp, ""), (home.gas_sp, "")]
    assert [a.number for a in view.agreements] == [recent.number, long_ago.number]
    assert "AL-NO-SERVICE" in _codes(view)
    assert view.summary.next_bill_date is None


# ----------------------------------------------------------------------- registries, errors


def test_registered_zones_appear_and_none_zones_are_skipped(db, billed) -> None:  # type: ignore[no-untyped-def]
    home, _elec, _gas = billed
    seen: list[tuple[int, dt.date]] = []

    def cases(session: Session, account_id: int, day: dt.date) -> cc.DashboardZone:
        seen.append((account_id, day))
        return cc.DashboardZone("cases", "Open cases", ("Case", "Subject"),
                                (("4000000017", "High bill"),), link_kind="Case")

    def nothing(session: Session, account_id: int, day: dt.date) -> None:
        return None

    cc.register_zone("test-cases", cases)
    cc.register_zone("test-nothing", nothing)
    try:
        view = cc.account_dashboard(db, home.account, on=ON)
    finally:
        cc.unregister_zone("test-cases")
        cc.unregister_zone("test-nothing")
    assert [z.key for z in view.zones] == ["cases"]
    assert view.zones[0].rows == (("4000000017", "High bill"),)
    assert seen and seen[0][1] == ON
    assert cc.account_dashboard(db, home.account, on=ON).zones == ()


@pytest.fixture
def overdue_process_alert() -> Iterator[None]:
    def algorithm(facts: alerts.AlertFacts) -> list[alerts.Alert]:
        return [alerts.Alert("AL-TEST", "info", f"Checked {facts.account_number}"),
                alerts.Alert("AL-TEST", "high", "Urgent test")]

    alerts.register_alert("AL-TEST", algorithm)
    yield
    alerts.unregister_alert("AL-TEST")


def test_registered_alerts_join_and_are_ordered_by_severity(db, billed, overdue_process_alert) -> None:  # type: ignore[no-untyped-def]
    home, _elec, _gas = billed
    view = cc.account_dashboard(db, home.account, on=ON)
    severities = [a.severity for a in view.alerts]
    assert severities == sorted(severities, key=alerts.SEVERITIES.index)
    assert ("AL-TEST", "high", "Urgent test") in [(a.code, a.severity, a.text) for a in view.alerts]
    assert ("AL-TEST", "info", f"Checked {home.account}") in [
        (a.code, a.severity, a.text) for a in view.alerts]


def test_unknown_and_malformed_accounts(db) -> None:  # type: ignore[no-untyped-def]
    missing = from_sequence(123456)
    with pytest.raises(NotFound, match=f"There is no account {missing}"):
        cc.account_dashboard(db, missing)
    with pytest.raises(NotFound):
        cc.callers_of(db, missing)
    with pytest.raises(ValidationError) as caught:
        cc.account_dashboard(db, "12345")
    assert caught.value.field == "account"
    with pytest.raises(ValidationError):
        cc.caller_authority(db, "123", None)


def test_showcase_account(db) -> None:  # type: ignore[no-untyped-def]
    assert cc.showcase_account(db) is None
    plain = household(db)
    assert cc.showcase_account(db) == plain.account  # any account, nothing better yet
    elec = _agreement(db, plain, plain.electric_sp, ServiceType.ELECTRIC, "E-RES", "E-RES-1")
    _bill(db, plain.account, dt.date(2026, 2, 3), dt.date(2026, 2, 24), (elec.number, "1", "KWH", "1.00"))
    fancy = household(db, "Adeyemi", "Tunde", "9 Oak Ave")
    assert cc.showcase_account(db) == plain.account  # active with bills
    e = _agreement(db, fancy, fancy.electric_sp, ServiceType.ELECTRIC, "E-RES", "E-RES-1")
    _agreement(db, fancy, fancy.gas_sp, ServiceType.GAS, "G-RES", "G-RES-1")
    _bill(db, fancy.account, dt.date(2026, 2, 3), dt.date(2026, 2, 24), (e.number, "1", "KWH", "1.00"))
    payer = _person(db, "Kemi", "Adeyemi")
    roles.add_role(db, CSR, RoleForm(payer, RoleType.PAYER, RoleTarget.ACCOUNT, fancy.account, START))
    assert cc.showcase_account(db) == fancy.account
