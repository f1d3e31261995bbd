"""Control Central search (spec/60 §A8.1): every kind of key a CSR types, on real rows built
through the services, one row per (party, account), bounded pages, literal wildcards."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select, update

from app.db import Database
from app.demo import generate
from app.engine.identifiers import from_body
from app.engine.search_keys import fold
from app.models import Account, Party, Premise
from app.models.enums import (
    CorrespondenceType,
    PartyStatus,
    PremiseType,
    RoleTarget,
    RoleType,
    ServiceType,
)
from app.services import (
    accounts,
    parties,
    premises,
    roles,
    service_agreements,
    service_points,
)
from app.services.accounts import AccountForm
from app.services.errors import ValidationError
from app.services.parties import OrganisationForm, PersonForm
from app.services.premises import PremiseForm
from app.services.roles import RoleForm
from app.services.search import SearchKind, SearchPage, detect_kind, search
from app.services.service_agreements import ServiceAgreementForm
from app.services.service_points import MeterForm, RegisterForm
from tests.conftest import CSR, WAREHOUSE
from tests.services.builders import START, Household, household

K = SearchKind
VALID_ID = from_body(200000001)


def _agreement(db: Database, account: str, sp: str, holder: str | None = None,
               service: ServiceType = ServiceType.ELECTRIC) -> str:
    sa_type = "E-RES" if service is ServiceType.ELECTRIC else "G-RES"
    sa = service_agreements.create_service_agreement(db, CSR, ServiceAgreementForm(
        account, sa_type, service, (sp,), START, "RES-1", holder_party_number=holder))
    return service_agreements.activate(db, CSR, sa.number, sa.version).number


def _stop(db: Database, number: str, on: dt.date) -> None:
    sa = service_agreements.get_service_agreement(db, number)
    sa = service_agreements.request_stop(db, CSR, number, sa.version, on)
    service_agreements.complete_stop(db, CSR, number, sa.version)


def _rows(page: SearchPage) -> list[tuple[str, str, str | None]]:
    return [(h.party_name, h.role, h.account_number) for h in page.hits]


def _supplied(db: Database, last: str = "Okafor", first: str = "Ngozi",
              street: str = "12 Elm St") -> tuple[Household, str]:
    """A household whose electricity is supplied: (household, agreement number)."""
    home = household(db, last, first, street)
    return home, _agreement(db, home.account, home.electric_sp)


# ----------------------------------------------------------------------------- kind detection


@pytest.mark.parametrize(("text", "kind"), [
    ("okafor, ng", K.NAME),
    ("Muñoz", K.NAME),
    ("O'Brien-Smith", K.NAME),
    ("Ames & Co.", K.NAME),
    ("ngozi.okafor@example.com", K.EMAIL),
    ("(555) 555-0101", K.PHONE),
    ("+44 20 7946 0958", K.PHONE),
    ("555-0101", K.PHONE),
    ("5550101", K.PHONE),
    ("555.555.0101", K.PHONE),
    ("62701", K.POSTAL_CODE),
    ("62701-1234", K.POSTAL_CODE),
    ("SW1A 1AA", K.POSTAL_CODE),
    ("sw1a1aa", K.POSTAL_CODE),
    ("12 Elm", K.ADDRESS),
    ("12B Rue de l'Église", K.ADDRESS),
    (VALID_ID, K.ANY_ID),
    (f"{VALID_ID[:3]} {VALID_ID[3:6]}-{VALID_ID[6:]}", K.ANY_ID),
    ("E-4711", None),
    ("100% Solar", None),
    ("627", None),
    ("", None),
])
def test_the_kind_is_recognised_from_the_text(text: str, kind: SearchKind | None) -> None:
    assert detect_kind(text) is kind


def test_a_ten_digit_number_with_a_bad_check_digit_is_refused_before_any_search() -> None:
    bad = VALID_ID[:-1] + str((int(VALID_ID[-1]) + 1) % 10)
    with pytest.raises(ValidationError, match="check digit does not match") as caught:
        detect_kind(bad)
    assert "kind Phone" in caught.value.message
    with pytest.raises(ValidationError, match="check digit does not match"):
        detect_kind(f"{bad[:5]} {bad[5:]}")  # not grouped the way phone numbers are


@pytest.mark.parametrize("typed", ["555-555-0102", "555 555 0102", "555.555.0102",
                                   "555 555-0102"])
def test_ten_digits_grouped_like_a_phone_number_are_one_whatever_the_check_digit(
        typed: str) -> None:
    assert detect_kind(typed) is K.PHONE


def test_a_grouped_number_that_is_no_ones_phone_says_so_and_why_it_is_no_id(
        db: Database) -> None:
    parties.create_person(db, CSR, PersonForm("Adeyemi", "Tola", phone="(555) 555-0102"))
    page = search(db, "555-555-0102")  # 5555550102 has no valid check digit: not an ID
    assert page.kind is K.PHONE and page.note == "recognised as a phone number"
    assert [h.party_name for h in page.hits] == ["Adeyemi, Tola"]
    with pytest.raises(ValidationError) as caught:
        search(db, "555-555-0199")
    assert caught.value.message.startswith(
        "No customer has the phone number 555-555-0199; read as an ID, 5555550199 is not a "
        "valid ID: its check digit does not match.")


def test_a_pod_reference_finds_the_service_point_like_a_meter_badge(db: Database) -> None:
    home = household(db)
    sp = service_points.create_service_point(db, CSR, home.premise, ServiceType.WATER,
                                             external_pod_ref="NZ-0001234567")
    (hit,) = search(db, "NZ-0001234567", K.METER_BADGE).hits
    assert (hit.premise_number, hit.matched) == (home.premise, "POD NZ-0001234567")
    assert sp.number


# -------------------------------------------------------------------------------------- names


def test_names_are_case_and_accent_insensitive_and_ordered(db: Database) -> None:
    for last, first in (("Muñoz", "Ana"), ("Munoz", "Jose"), ("MUÑOZ", "Zoe"), ("Munro", "Al")):
        parties.create_person(db, CSR, PersonForm(last_name=last, first_name=first))
    page = search(db, "muñoz")
    assert page.kind is K.NAME and page.note == "recognised as a name"
    assert [h.party_name for h in page.hits] == ["Muñoz, Ana", "Munoz, Jose", "MUÑOZ, Zoe"]
    assert [h.party_name for h in search(db, "MUNOZ").hits] == [
        "Muñoz, Ana", "Munoz, Jose", "MUÑOZ, Zoe"]
    assert {h.party_kind for h in page.hits} == {"Person"}
    assert all(h.account_number is None and h.role == "" for h in page.hits)


def test_first_last_and_last_comma_first_find_the_same_person(db: Database) -> None:
    home, _ = _supplied(db)
    household(db, "Okafor", "Chidi", "14 Elm St")
    (hit,) = search(db, "Ngozi Okafor").hits
    assert search(db, "okafor, ng").hits == (hit,)
    assert search(db, "OKAFOR,NGOZI").hits == (hit,)
    assert (hit.party_number, hit.party_name, hit.role, hit.account_number) == (
        home.party, "Okafor, Ngozi", "Owner, Holder", home.account)
    assert (hit.customer_number, hit.account_status, hit.premise_number, hit.premise_address) == (
        home.customer, "Active", home.premise, "12 Elm St, Springfield 62701")
    assert [h.party_name for h in search(db, "okafor").hits] == ["Okafor, Chidi", "Okafor, Ngozi"]


def test_percent_underscore_backslash_and_quotes_are_literal(db: Database) -> None:
    for name in ("100% Solar Ltd", "1000 Lakes Dairy", "A_B Widgets", "AXB Widgets",
                 "A\\B Trading", "AB Trading", "O'Brien Farms", "OBrien Farms"):
        parties.create_organisation(db, CSR, OrganisationForm(name))
    assert [h.party_name for h in search(db, "100%", K.NAME).hits] == ["100% Solar Ltd"]
    assert [h.party_name for h in search(db, "a_b", K.NAME).hits] == ["A_B Widgets"]
    assert [h.party_name for h in search(db, "a\\b", K.NAME).hits] == ["A\\B Trading"]
    assert [h.party_name for h in search(db, "o'brien").hits] == ["O'Brien Farms"]
    assert search(db, "100%", K.NAME).hits[0].party_kind == "Organisation"


def test_one_row_per_party_and_account_with_roles_together(db: Database) -> None:
    home, _ = _supplied(db)
    second = accounts.open_account(db, CSR, AccountForm(home.customer, START, "Cabin"))
    roles.add_role(db, CSR, RoleForm(home.party, RoleType.PAYER, RoleTarget.ACCOUNT,
                                     home.account, START))
    helper = parties.create_person(db, CSR, PersonForm(last_name="Okonkwo", first_name="Ada"))
    roles.add_role(db, CSR, RoleForm(helper.number, RoleType.ADMINISTRATOR, RoleTarget.ACCOUNT,
                                     home.account, START))
    _agreement(db, second.number, household(db, "Other", "Ann", "3 Oak Rd").gas_sp,
               holder=helper.number, service=ServiceType.GAS)
    rows = _rows(search(db, "okafor, ngozi"))
    assert rows == sorted(rows, key=lambda r: r[2] or "")
    assert set(rows) == {("Okafor, Ngozi", "Owner, Payer, Holder", home.account),
                         ("Okafor, Ngozi", "Owner", second.number)}
    # reached through a role on the account, and through a role on one of its agreements
    assert set(_rows(search(db, "okonkwo"))) == {("Okonkwo, Ada", "Administrator", home.account),
                                                 ("Okonkwo, Ada", "Holder", second.number)}


# ---------------------------------------------------------------------------------------- IDs


def test_every_kind_of_id(db: Database) -> None:
    home, sa = _supplied(db)
    helper = parties.create_person(db, CSR, PersonForm(last_name="Adler", first_name="Ada"))
    roles.add_role(db, CSR, RoleForm(helper.number, RoleType.ADMINISTRATOR, RoleTarget.ACCOUNT,
                                     home.account, START))
    by_account = search(db, home.account, K.ACCOUNT_ID)
    assert by_account.note == "as chosen"
    assert _rows(by_account) == [("Adler, Ada", "Administrator", home.account),
                                 ("Okafor, Ngozi", "Owner, Holder", home.account)]
    assert {h.matched for h in by_account.hits} == {f"Account ID {home.account}"}
    # a party ID shows every account the party acts on; a customer ID only the customer's own
    other = household(db, "Bello", "Tunde", "3 Oak Rd")
    roles.add_role(db, CSR, RoleForm(home.party, RoleType.ADMINISTRATOR, RoleTarget.ACCOUNT,
                                     other.account, START))
    assert _rows(search(db, home.party, K.PERSON_ID)) == sorted(
        [("Okafor, Ngozi", "Owner, Holder", home.account),
         ("Okafor, Ngozi", "Administrator", other.account)], key=lambda r: r[2] or "")
    assert _rows(search(db, home.customer, K.CUSTOMER_ID)) == [
        ("Okafor, Ngozi", "Owner, Holder", home.account)]
    assert _rows(search(db, sa, K.SA_ID)) == _rows(by_account)
    for number, kind in ((home.premise, K.PREMISE_ID), (home.electric_sp, K.SP_ID)):
        (hit,) = search(db, number, kind).hits
        assert (hit.party_name, hit.role, hit.account_number, hit.premise_number) == (
            "Okafor, Ngozi", "Owner, Holder", home.account, home.premise)
    # the gas point has no agreement: the premise is shown without party or account
    (gas,) = search(db, home.gas_sp, K.SP_ID).hits
    assert (gas.party_number, gas.account_number, gas.premise_number, gas.matched) == (
        "", None, home.premise, f"Service point {home.gas_sp}")
    # a typed ID is tried as every kind; the note says so
    any_id = search(db, home.account)
    assert (any_id.kind, any_id.note) == (K.ANY_ID, "searched as an ID")
    assert _rows(any_id) == _rows(by_account)
    assert search(db, home.account, K.PREMISE_ID).hits == ()
    with pytest.raises(ValidationError, match="check digit does not match"):
        search(db, home.account[:-1] + str((int(home.account[-1]) + 1) % 10), K.ACCOUNT_ID)


def test_an_id_that_matches_nothing_but_is_a_phone_number_is_searched_as_one(
        db: Database) -> None:
    number = from_body(555555010)
    parties.create_person(db, CSR, PersonForm(last_name="Caller", first_name="Cal",
                                              phone=number))
    page = search(db, number)
    assert (page.kind, page.note) == (K.PHONE, "no ID matched, so searched as a phone number")
    assert [(h.party_name, h.matched) for h in page.hits] == [("Caller, Cal", f"Phone +1{number}")]


# ------------------------------------------------------------------------- phone and e-mail


def test_phone_numbers_match_on_their_last_digits(db: Database) -> None:
    household(db)                                              # (555) 555-0101
    parties.create_person(db, CSR, PersonForm(last_name="Far", first_name="Away",
                                              phone="+44 20 555 0101"))
    parties.create_person(db, CSR, PersonForm(last_name="Near", first_name="Miss",
                                              phone="(555) 555-0102"))
    for typed in ("555-0101", "5550101"):
        page = search(db, typed)
        assert (page.kind, page.note) == (K.PHONE, "recognised as a phone number")
        assert [(h.party_name, h.matched) for h in page.hits] == [
            ("Far, Away", "Phone +44205550101"), ("Okafor, Ngozi", "Phone +15555550101")]
    for typed in ("(555) 555-0101", "+1 555 555 0101", "1-555-555-0101"):
        assert [h.party_name for h in search(db, typed).hits] == ["Okafor, Ngozi"]
    assert [h.party_name for h in search(db, "0044 20 555 0101").hits] == ["Far, Away"]
    assert search(db, "+33 555 555 0101").hits == ()


def test_email_finds_parties_and_subscribers_without_authority(db: Database) -> None:
    home = household(db)
    accounts.add_subscription(db, CSR, home.account, "Copy.Reader@Example.com",
                              {CorrespondenceType.BILL}, START, display_name="Aunt Bea")
    accounts.add_subscription(db, CSR, home.account, "old.reader@example.com",
                              {CorrespondenceType.BILL}, START, dt.date(2025, 3, 31))
    (party_hit,) = search(db, "NGOZI.OKAFOR@example.com").hits
    assert (party_hit.party_name, party_hit.account_number, party_hit.matched) == (
        "Okafor, Ngozi", home.account, "E-mail ngozi.okafor@example.com")
    page = search(db, "copy.reader@EXAMPLE.com")
    assert (page.kind, page.note) == (K.EMAIL, "recognised as an e-mail address")
    (sub,) = page.hits
    assert (sub.party_number, sub.party_name, sub.party_kind, sub.role) == (
        "", "Aunt Bea", "Subscriber", "")
    assert (sub.account_number, sub.customer_number, sub.matched) == (
        home.account, home.customer, "Subscriber copy.reader@example.com — no authority")
    assert search(db, "old.reader@example.com").hits == ()
    (old,) = search(db, "old.reader@example.com", include_history=True).hits
    assert old.party_name == "old.reader@example.com"


# ------------------------------------------------------------------- addresses and postal codes


def test_addresses_by_house_number_street_and_city(db: Database) -> None:
    home, _ = _supplied(db)
    _supplied(db, "Bello", "Tunde", "120 Elm St")
    empty = premises.create_premise(
        db, CSR, PremiseForm(PremiseType.HOUSE, "12 Elmwood Ave", "Shelbyville", "62565"))
    page = search(db, "12 elm")
    assert (page.kind, page.note) == (K.ADDRESS, "recognised as an address")
    assert [h.premise_address for h in page.hits] == [
        "12 Elm St, Springfield 62701", "12 Elmwood Ave, Shelbyville 62565"]
    assert page.hits[0].account_number == home.account
    vacant = page.hits[1]
    assert (vacant.party_number, vacant.account_number, vacant.premise_number) == (
        "", None, empty.number)
    assert len(search(db, "ELM ST", K.ADDRESS).hits) == 2
    assert [h.premise_number for h in search(db, "elm, shelby", K.ADDRESS).hits] == [
        empty.number]
    assert search(db, "elm st, spr_ngfield", K.ADDRESS).hits == ()   # "_" is literal
    assert search(db, "elm st, chicago", K.ADDRESS).hits == ()


def test_postal_codes_by_prefix_in_postal_and_address_order(db: Database) -> None:
    _supplied(db, street="20 Oak St")
    _supplied(db, "Bello", "Tunde", "10 Pine St")
    premises.create_premise(db, CSR, PremiseForm(PremiseType.HOUSE, "5 Ash Rd", "Peoria",
                                                 "61602"))
    london = premises.create_premise(
        db, CSR, PremiseForm(PremiseType.COMMERCIAL, "10 Downing St", "London", "sw1a 2aa",
                             country="GB"))
    page = search(db, "62701")
    assert (page.kind, page.note) == (K.POSTAL_CODE, "recognised as a postal code")
    assert [h.premise_address for h in page.hits] == [
        "10 Pine St, Springfield 62701", "20 Oak St, Springfield 62701"]
    assert [h.premise_address for h in search(db, "616", K.POSTAL_CODE).hits] == [
        "5 Ash Rd, Peoria 61602"]
    assert len(search(db, "627", K.POSTAL_CODE).hits) == 2
    assert len(search(db, "62701-4455").hits) == 2
    assert [h.premise_number for h in search(db, "SW1A 2AA").hits] == [london.number]


def test_a_meter_badge_finds_the_agreements_on_its_service_point(db: Database) -> None:
    home, sa = _supplied(db)
    for badge in ("M-4711", "M-4712"):
        service_points.register_meter(db, WAREHOUSE, MeterForm(
            badge, "SMART", ServiceType.ELECTRIC, (RegisterForm("KWH", 6),)))
    service_points.install_device(db, CSR, home.electric_sp, "M-4711", START)
    (hit,) = search(db, "m-4711", K.METER_BADGE).hits
    assert (hit.party_name, hit.role, hit.account_number, hit.premise_number, hit.matched) == (
        "Okafor, Ngozi", "Owner, Holder", home.account, home.premise, "Meter M-4711")
    _stop(db, sa, dt.date(2025, 6, 30))
    (vacant,) = search(db, "M-4711", K.METER_BADGE).hits
    assert (vacant.account_number, vacant.premise_number) == (None, home.premise)
    assert search(db, "M-4711", K.METER_BADGE, include_history=True).hits[0].account_number == (
        home.account)
    idle = search(db, "M-4712", K.METER_BADGE)
    assert idle.hits == () and "not installed" in idle.note
    assert search(db, "M-9999", K.METER_BADGE).hits == ()


# ------------------------------------------------------------------------- history and merges


def test_closed_roles_and_stopped_agreements_only_with_history(db: Database) -> None:
    home, sa = _supplied(db)
    helper = parties.create_person(db, CSR, PersonForm(last_name="Adler", first_name="Ada"))
    roles.add_role(db, CSR, RoleForm(helper.number, RoleType.ADMINISTRATOR, RoleTarget.ACCOUNT,
                                     home.account, START, dt.date(2025, 6, 30)))
    assert _rows(search(db, "adler")) == [("Adler, Ada", "", None)]
    assert _rows(search(db, "adler", include_history=True)) == [
        ("Adler, Ada", "Administrator", home.account)]
    _stop(db, sa, dt.date(2025, 6, 30))
    assert _rows(search(db, "okafor")) == [("Okafor, Ngozi", "Owner", home.account)]
    assert search(db, "okafor").hits[0].premise_address == ""
    history = search(db, "okafor", include_history=True).hits
    assert [(h.role, h.premise_number) for h in history] == [("Owner, Holder", home.premise)]
    (vacant,) = search(db, home.premise, K.PREMISE_ID).hits
    assert (vacant.party_number, vacant.account_number) == ("", None)
    assert _rows(search(db, home.premise, K.PREMISE_ID, include_history=True)) == [
        ("Okafor, Ngozi", "Owner, Holder", home.account)]


def test_merged_parties_never_appear(db: Database) -> None:
    home = household(db)
    twin = parties.create_person(db, CSR, PersonForm(last_name="Okafor", first_name="Ngozi",
                                                     phone="(555) 555-0101"))
    roles.add_role(db, CSR, RoleForm(twin.number, RoleType.PAYER, RoleTarget.ACCOUNT,
                                     home.account, START))
    assert len(search(db, "okafor, ngozi").hits) == 2
    with db.sessions() as s:
        survivor = s.scalar(select(Party.id).where(Party.number == home.party))
        s.execute(update(Party).where(Party.number == twin.number)
                  .values(status=PartyStatus.MERGED, merged_into_party_id=survivor))
        s.commit()
    assert [h.party_number for h in search(db, "okafor, ngozi").hits] == [home.party]
    assert [h.party_number for h in search(db, "555-0101").hits] == [home.party]
    assert [h.party_number for h in search(db, home.account).hits] == [home.party]
    assert search(db, twin.number, K.PERSON_ID).hits == ()


# ----------------------------------------------------------------------- refusals and paging


@pytest.mark.parametrize(("text", "kind", "message", "field"), [
    ("", None, "Type what to look for", "search"),
    ("  ", K.NAME, "Type what to look for", "search"),
    ("*", None, "would match every customer", "search"),
    ("%", K.NAME, "would match every customer", "search"),
    ("%%_", None, "would match every customer", "search"),
    ("O", None, "at least 2 letters of the name", "search"),
    ("12", K.ADDRESS, "at least 3 characters of the address", "search"),
    ("62", K.POSTAL_CODE, "at least 3 characters of the postal code", "search"),
    ("555-01", K.PHONE, "at least 7 digits", "search"),
    ("okafor", K.EMAIL, "is not an e-mail address", "search"),
    ("12345", K.ACCOUNT_ID, "has 5 digits; IDs have 10", "search"),
    ("E-4711", None, "pick what kind of key it is", "kind"),
])
def test_searches_that_would_match_everything_or_nothing_are_refused_with_a_hint(
        db: Database, text: str, kind: SearchKind | None, message: str, field: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        search(db, text, kind)
    assert caught.value.field == field


def test_pages_are_bounded_and_do_not_overlap(db: Database) -> None:
    home, _ = _supplied(db, "Pager", "Anna")
    accounts.open_account(db, CSR, AccountForm(home.customer, START, "Second home"))
    for first in ("Bob", "Cleo", "Dan", "Eve", "Finn"):
        parties.create_person(db, CSR, PersonForm(last_name="Pager", first_name=first))
    pages = [search(db, "pager", page=n, page_size=3) for n in range(3)]
    assert [len(p.hits) for p in pages] == [3, 3, 1]
    assert [p.has_more for p in pages] == [True, True, False]
    rows = [(h.party_name, h.account_number) for p in pages for h in p.hits]
    assert len(set(rows)) == 7                         # Anna's two accounts are two rows
    assert [name for name, _ in rows] == sorted(name for name, _ in rows)
    assert search(db, "pager", page=3, page_size=3).hits == ()
    with pytest.raises(ValidationError, match="first 1,000 matches"):
        search(db, "pager", page=20)
    with pytest.raises(ValidationError, match="numbered from 0"):
        search(db, "pager", page=-1)


def test_every_kind_on_a_demo_utility(db: Database) -> None:
    generate(db, 60, seed=5)
    with db.sessions() as s:
        account = s.scalars(select(Account.number).order_by(Account.id)).first()
        premise = s.scalars(select(Premise).order_by(Premise.id)).first()
        names = s.scalars(select(Party.search_name).order_by(Party.id)).all()
    assert account and premise
    assert search(db, account).hits[0].account_number == account
    assert premise.number in {h.premise_number for h in search(db, premise.postal_code).hits}
    assert premise.number in {
        h.premise_number for h in search(db, premise.address_line1, K.ADDRESS).hits}
    prefix = max({n[:2] for n in names}, key=lambda p: sum(n.startswith(p) for n in names))
    first = search(db, prefix, K.NAME, page_size=2)
    second = search(db, prefix, K.NAME, page=1, page_size=2)
    assert first.has_more and len(second.hits) == 2
    assert not {(h.party_number, h.account_number) for h in first.hits} & {
        (h.party_number, h.account_number) for h in second.hits}
    keys = [fold(h.party_name) for h in (*first.hits, *second.hits)]
    assert keys == sorted(keys)


def test_a_page_takes_a_bounded_number_of_queries_whatever_its_size(db: Database) -> None:
    generate(db, 60, seed=5)
    with db.sessions() as s:
        premise = s.scalars(select(Premise).order_by(Premise.id)).first()
        names = s.scalars(select(Party.search_name)).all()
    assert premise is not None
    prefix = max({n[:2] for n in names}, key=lambda p: sum(n.startswith(p) for n in names))
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for text, kind, most in ((prefix, K.NAME, 6),
                                 (premise.postal_code[:3], K.POSTAL_CODE, 7)):
            counts = []
            for size in (1, 50):
                statements.clear()
                hits = search(db, text, kind, page_size=size).hits
                counts.append(len(statements))
            assert len(hits) > 1 and counts[0] == counts[1] <= most   # not a query per row
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
