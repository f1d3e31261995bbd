"""Each stakeholder is unique (spec/60 R-A1): likely duplicates before saving, and merging two
parties into one with every role, preference and agreement, under an audit reason."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.db import Database
from app.models import AuditEvent, Customer, LandlordAgreement, Party, PartyRole
from app.models.enums import (
    Channel,
    ContactKind,
    CorrespondenceType,
    CustomerClass,
    CustomerStatus,
    IdentifierKind,
    PartyStatus,
    PremiseType,
    RoleTarget,
    RoleType,
)
from app.services import accounts, duplicates, parties, premises, roles
from app.services.accounts import AccountForm
from app.services.duplicates import likely_duplicates, merge_parties
from app.services.errors import (
    ConcurrentChange,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from app.services.parties import MailingAddress, OrganisationForm, PersonForm
from app.services.premises import PremiseForm
from app.services.roles import RoleForm
from tests.conftest import ADMIN, CSR, SUPERVISOR
from tests.services.builders import START, company, household

REASON = "Same person registered twice (phone call 2025-03-02)"


def _person(db: Database, last: str, first: str = "", **kw: object) -> str:
    return parties.create_person(db, CSR, PersonForm(last_name=last, first_name=first,
                                                     **kw)).number  # type: ignore[arg-type]


def _role(db: Database, party: str, role: RoleType, target: RoleTarget, number: str,
          start: dt.date, end: dt.date | None = None) -> None:
    roles.add_role(db, CSR, RoleForm(party, role, target, number, start, end))


def _premise(db: Database, street: str) -> str:
    return premises.create_premise(
        db, CSR, PremiseForm(PremiseType.HOUSE, street, "Springfield", "62701")).number


# ----------------------------------------------------------------------------- candidates


def test_same_name_and_phone_is_a_likely_duplicate_with_its_accounts(db: Database) -> None:
    home = household(db)  # Okafor, Ngozi; (555) 555-0101; 12 Elm St 62701
    found = likely_duplicates(db, PersonForm("okafor", "NGOZI", phone="555.555.0101"))
    assert [(c.party_number, c.display_name, c.party_kind, c.reasons, c.blocking, c.accounts,
             c.account_count) for c in found] == [
        (home.party, "Okafor, Ngozi", "Person", ("same phone +15555550101",), False,
         (home.account,), 1)]


def test_e_mail_address_and_date_of_birth_each_make_a_candidate(db: Database) -> None:
    home = household(db)
    by_mail = likely_duplicates(db, PersonForm("Okafor", "Ngozi",
                                               email=" Ngozi.OKAFOR@example.com "))
    assert [c.reasons for c in by_mail] == [("same e-mail ngozi.okafor@example.com",)]
    by_address = likely_duplicates(db, PersonForm(
        "Okafor", "Ngozi", address=MailingAddress(line1="12  ELM st", postal_code="62701")))
    assert [c.reasons for c in by_address] == [("same address 12 Elm St 62701",)]
    by_postal = likely_duplicates(db, PersonForm(
        "Okafor", "Ngozi", address=MailingAddress(line1="9 Pine Rd", postal_code="62 701")))
    assert [c.reasons for c in by_postal] == [("same postal code 62701",)]
    born = _person(db, "Lindqvist", "Maja", date_of_birth=dt.date(1980, 2, 1))
    by_birth = likely_duplicates(db, PersonForm("Lindqvist", "Maja",
                                                date_of_birth=dt.date(1980, 2, 1)))
    assert [(c.party_number, c.reasons, c.accounts) for c in by_birth] == [
        (born, ("same date of birth 1980-02-01",), ())]
    everything = likely_duplicates(db, PersonForm(
        "Okafor", "Ngozi", phone="+1 555 555 0101", email="ngozi.okafor@example.com",
        address=MailingAddress(line1="12 Elm St", postal_code="62701")))
    assert [c.party_number for c in everything] == [home.party]
    assert everything[0].reasons == ("same phone +15555550101",
                                     "same e-mail ngozi.okafor@example.com",
                                     "same address 12 Elm St 62701")


def test_a_name_alone_or_data_without_the_name_is_no_candidate(db: Database) -> None:
    household(db)
    _person(db, "Lindqvist", "Maja", date_of_birth=dt.date(1980, 2, 1))
    assert likely_duplicates(db, PersonForm("Okafor", "Ngozi")) == []
    assert likely_duplicates(db, PersonForm("Okafor", "Ngozi", phone="555 555 0199",
                                            email="other@example.com",
                                            date_of_birth=dt.date(1990, 1, 1))) == []
    # same phone, e-mail and address under another name: not the same stakeholder
    assert likely_duplicates(db, PersonForm(
        "Okonkwo", "Chidi", phone="555 555 0101", email="ngozi.okafor@example.com",
        address=MailingAddress(line1="12 Elm St", postal_code="62701"))) == []
    # the date of birth of a different Maja does not match
    assert likely_duplicates(db, PersonForm("Lindqvist", "Maja",
                                            date_of_birth=dt.date(1981, 2, 1))) == []


def test_names_match_whatever_the_accents_and_case(db: Database) -> None:
    number = _person(db, "Muñoz", "José", phone="(555) 555-0142")
    found = likely_duplicates(db, PersonForm("MUNOZ", "jose", phone="555-555-0142"))
    assert [(c.party_number, c.display_name) for c in found] == [(number, "Muñoz, José")]
    again = likely_duplicates(db, PersonForm("Munoz", "Jose", phone="+44 20 555 0142"))
    assert [c.reasons for c in again] == [("same phone +15555550142",)]  # same last 7 digits


def test_people_and_companies_are_not_compared_and_merged_parties_are_left_out(
        db: Database) -> None:
    org = parties.create_organisation(db, CSR, OrganisationForm("Okafor", phone="555 555 0101"))
    assert likely_duplicates(db, PersonForm("Okafor", phone="555 555 0101")) == []
    found = likely_duplicates(db, OrganisationForm("OKAFOR", phone="555 555 0101"))
    assert [(c.party_number, c.party_kind, c.blocking) for c in found] == [
        (org.number, "Organisation", False)]
    twin = parties.create_organisation(db, CSR, OrganisationForm("Okafor", phone="555 555 0101"))
    merge_parties(db, SUPERVISOR, org.number, twin.number, REASON)
    found = likely_duplicates(db, OrganisationForm("Okafor", phone="555 555 0101"))
    assert [c.party_number for c in found] == [org.number]


def test_same_registration_number_blocks_whatever_the_name(db: Database) -> None:
    acme = parties.create_organisation(db, CSR, OrganisationForm(
        "Acme Bakery Ltd", registration_number="IL-123", email="office@acme.example"))
    found = likely_duplicates(db, OrganisationForm("Totally Other Corp",
                                                   registration_number=" il-123 "))
    assert [(c.party_number, c.reasons, c.blocking) for c in found] == [
        (acme.number, ("same registration number IL-123",), True)]
    both = likely_duplicates(db, OrganisationForm("ACME Bakery Ltd", registration_number="IL-123",
                                                  email="office@acme.example"))
    assert both[0].reasons == ("same registration number IL-123", "same e-mail office@acme.example")
    with pytest.raises(ValidationError) as refused:
        parties.create_organisation(db, CSR, OrganisationForm("Totally Other Corp",
                                                              registration_number="il-123"))
    assert refused.value.field == "registration_number"
    assert f"already belongs to Acme Bakery Ltd ({acme.number})" in refused.value.message
    with db.sessions() as s:
        assert s.scalar(select(Party).where(Party.display_name == "Totally Other Corp")) is None


def test_blocking_candidates_come_first_and_the_list_is_bounded(db: Database) -> None:
    parties.create_organisation(db, CSR, OrganisationForm("Grid Co", registration_number="R-9",
                                                          phone="555 555 0123"))
    for n in range(4):
        parties.create_organisation(db, CSR, OrganisationForm("Grid Co", phone="555 555 0123",
                                                              email=f"x{n}@grid.example"))
    found = likely_duplicates(db, OrganisationForm("Grid Co", phone="555 555 0123",
                                                   registration_number="R-9"), limit=3)
    assert len(found) == 3
    assert [c.blocking for c in found] == [True, False, False]


def test_accounts_shown_are_bounded_and_counted(db: Database) -> None:
    home = household(db)
    for _ in range(duplicates.MAX_ACCOUNTS + 1):
        accounts.open_account(db, CSR, AccountForm(home.customer, START, "Extra"))
    [candidate] = likely_duplicates(db, PersonForm("Okafor", "Ngozi", phone="555 555 0101"))
    assert len(candidate.accounts) == duplicates.MAX_ACCOUNTS
    assert candidate.account_count == duplicates.MAX_ACCOUNTS + 2
    assert candidate.accounts == tuple(sorted(candidate.accounts))


@pytest.mark.parametrize(("form", "field"), [
    (PersonForm("Okafor", phone="12"), "phone"),
    (PersonForm("Okafor", email="nope"), "email"),
    (PersonForm("  ", phone="555 555 0101"), "last_name"),
    (OrganisationForm("", registration_number="X"), "legal_name"),
])
def test_bad_input_is_named_before_any_search(db: Database, form: PersonForm, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        likely_duplicates(db, form)
    assert caught.value.field == field


# ------------------------------------------------------------------------ new customer


def test_new_customer_saves_party_customer_and_first_account(db: Database) -> None:
    made = parties.create_customer_party(
        db, CSR, PersonForm("Achebe", "Chinua", phone="555 555 0177"), CustomerClass.RESIDENTIAL,
        account_description="Home", setup_date=dt.date(2025, 4, 1))
    assert made.party.display_name == "Achebe, Chinua"
    assert made.account_number is not None
    account = accounts.get_account(db, made.account_number)
    assert (account.customer_number, account.description, account.setup_date) == (
        made.customer_number, "Home", dt.date(2025, 4, 1))
    owners = roles.roles_on(db, RoleTarget.ACCOUNT, made.account_number)
    assert [(r.party_number, r.role_type) for r in owners] == [(made.party.number, RoleType.OWNER)]
    no_account = parties.create_customer_party(
        db, CSR, OrganisationForm("Kiln Works"), CustomerClass.INDUSTRIAL,
        open_first_account=False)
    assert no_account.account_number is None


def test_new_customer_refuses_bad_input_before_saving_anything(db: Database) -> None:
    with pytest.raises(ValidationError) as caught:
        parties.create_customer_party(db, CSR, PersonForm("Achebe"), CustomerClass.RESIDENTIAL,
                                      account_description="x" * 101)
    assert caught.value.field == "description"
    with db.sessions() as s:
        assert s.scalar(select(Party.id)) is None


def test_new_customer_is_all_or_nothing_when_a_later_step_fails(db: Database) -> None:
    """The account's description is only checked at the last step: nothing is kept."""
    with pytest.raises(ValidationError) as caught:
        parties.create_customer_party(db, CSR, PersonForm("Achebe", "Chinua"),
                                      CustomerClass.RESIDENTIAL, account_description="x" * 101)
    assert caught.value.field == "description"
    with db.sessions() as s:
        assert s.scalar(select(Party.id)) is None
    made = parties.create_customer_party(db, CSR, PersonForm("Achebe", "Chinua"),
                                         CustomerClass.RESIDENTIAL, account_description="Home")
    assert made.account_number is not None and made.party.display_name == "Achebe, Chinua"


# ------------------------------------------------------------------------------- merging


def _ids(db: Database, *numbers: str) -> list[int]:
    with db.sessions() as s:
        return [s.scalar(select(Party.id).where(Party.number == n)) or 0 for n in numbers]


def test_merge_moves_customer_roles_grants_preferences_agreements_and_contacts(
        db: Database) -> None:
    dup = household(db)  # the customer, registered first with the old phone
    keep = _person(db, "Okafor", "Ngozi", phone="555 555 0199", email="ngozi.okafor@example.com",
                   address=MailingAddress(line1="1 New Rd", city="Springfield",
                                          postal_code="62701"))
    maja = _person(db, "Lindqvist", "Maja")
    roles.add_role(db, CSR, RoleForm(maja, RoleType.ADMINISTRATOR, RoleTarget.ACCOUNT,
                                     dup.account, START, granted_by_party_number=dup.party))
    _role(db, dup.party, RoleType.TENANT, RoleTarget.PREMISE, dup.premise, START)
    parties.set_communication_preference(db, CSR, dup.party, CorrespondenceType.BILL,
                                         Channel.EMAIL)
    parties.add_identifier(db, CSR, dup.party, IdentifierKind.DRIVERS_LICENSE, "D-55")
    agreement = premises.create_landlord_agreement(db, CSR, dup.party, dup.account, "Elm flats")
    keep_id, dup_id, maja_id = _ids(db, keep, dup.party, maja)

    view = merge_parties(db, SUPERVISOR, keep, dup.party, REASON)

    assert view.number == keep
    assert {(c.kind, c.value, c.is_primary) for c in view.contacts} == {
        (ContactKind.PHONE, "+15555550199", True),
        (ContactKind.PHONE, "+15555550101", False),
        (ContactKind.EMAIL, "ngozi.okafor@example.com", True)}   # the same e-mail once
    assert view.identifiers == ((IdentifierKind.DRIVERS_LICENSE, "D-55"),)
    with db.sessions() as s:
        customer = s.scalar(select(Customer).where(Customer.number == dup.customer))
        assert customer is not None and customer.legal_party_id == keep_id
        held = {(r.party_id, r.role_type, r.granted_by_party_id)
                for r in s.scalars(select(PartyRole))}
        assert held == {(keep_id, RoleType.OWNER, None),
                        (maja_id, RoleType.ADMINISTRATOR, keep_id),
                        (keep_id, RoleType.TENANT, None)}
        landlord = s.scalar(select(LandlordAgreement)
                            .where(LandlordAgreement.number == agreement.number))
        assert landlord is not None and landlord.landlord_party_id == keep_id
        merged = s.get(Party, dup_id)
        assert merged is not None
        assert (merged.status, merged.merged_into_party_id) == (PartyStatus.MERGED, keep_id)
        assert merged.contacts == [] and merged.identifiers == []
        reasons = set(s.scalars(select(AuditEvent.reason)
                                .where(AuditEvent.changed_by == SUPERVISOR.username)))
        assert reasons == {REASON}
        moved = {(e.entity_type, e.field, e.old_value, e.new_value) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.reason == REASON))}
    assert ("Customer", "legal_party_id", str(dup_id), str(keep_id)) in moved
    assert ("PartyRole", "party_id", str(dup_id), str(keep_id)) in moved
    assert ("PartyRole", "granted_by_party_id", str(dup_id), str(keep_id)) in moved
    assert ("CommunicationPreference", "party_id", str(dup_id), str(keep_id)) in moved
    assert ("LandlordAgreement", "landlord_party_id", str(dup_id), str(keep_id)) in moved
    assert ("PartyContact", "party_id", str(dup_id), str(keep_id)) in moved
    assert ("Party", "status", "ACTIVE", "MERGED") in moved
    assert ("PartyContact", "*", "existed", "deleted") in moved   # the e-mail both had
    owner = roles.roles_on(db, RoleTarget.ACCOUNT, dup.account)
    assert [(r.party_number, r.role_type.label) for r in owner] == [
        (keep, "Owner"), (maja, "Administrator")]


def test_merge_keeps_one_of_each_role_per_period_r_a4(db: Database) -> None:
    keep, dup = _person(db, "Roe", "Jane", phone="555 555 0111"), _person(db, "Roe", "Jane")
    covered, earlier, later, inside = (_premise(db, f"{n} Elm St") for n in (1, 2, 3, 4))
    day = dt.date
    # covered: the survivor holds it the whole time → the duplicate's role is dropped
    _role(db, keep, RoleType.CONTACT, RoleTarget.PREMISE, covered, day(2024, 1, 1))
    _role(db, dup, RoleType.CONTACT, RoleTarget.PREMISE, covered, day(2024, 6, 1),
          day(2024, 12, 31))
    # earlier: the duplicate held it first → end-dated the day before the survivor's starts
    _role(db, keep, RoleType.TENANT, RoleTarget.PREMISE, earlier, day(2024, 3, 1))
    _role(db, dup, RoleType.TENANT, RoleTarget.PREMISE, earlier, day(2023, 1, 1))
    # later: the duplicate holds it after the survivor's ended → starts the day after
    _role(db, keep, RoleType.PROPERTY_OWNER, RoleTarget.PREMISE, later, day(2020, 1, 1),
          day(2022, 6, 30))
    _role(db, dup, RoleType.PROPERTY_OWNER, RoleTarget.PREMISE, later, day(2021, 1, 1))
    # inside: the survivor's role lies within the duplicate's → before and after are kept
    _role(db, keep, RoleType.CONTACT, RoleTarget.PREMISE, inside, day(2023, 1, 1),
          day(2023, 12, 31))
    _role(db, dup, RoleType.CONTACT, RoleTarget.PREMISE, inside, day(2022, 1, 1))
    # another role on the same premise is no overlap: moved as it is
    _role(db, dup, RoleType.TENANT, RoleTarget.PREMISE, inside, day(2022, 1, 1))

    merge_parties(db, SUPERVISOR, keep, dup, REASON)

    def periods(premise: str) -> list[tuple[str, str, dt.date, dt.date | None]]:
        return [(r.party_number, r.role_type.value, r.effective_from, r.effective_to)
                for r in roles.roles_on(db, RoleTarget.PREMISE, premise)]

    assert periods(covered) == [(keep, "CONTACT", day(2024, 1, 1), None)]
    assert periods(earlier) == [(keep, "TENANT", day(2023, 1, 1), day(2024, 2, 29)),
                                (keep, "TENANT", day(2024, 3, 1), None)]
    assert periods(later) == [(keep, "PROPERTY_OWNER", day(2020, 1, 1), day(2022, 6, 30)),
                              (keep, "PROPERTY_OWNER", day(2022, 7, 1), None)]
    assert sorted(periods(inside), key=lambda p: (p[1], p[2])) == [
        (keep, "CONTACT", day(2022, 1, 1), day(2022, 12, 31)),
        (keep, "CONTACT", day(2023, 1, 1), day(2023, 12, 31)),
        (keep, "CONTACT", day(2024, 1, 1), None),
        (keep, "TENANT", day(2022, 1, 1), None)]


def test_merge_fills_the_survivors_blanks_and_repoints_earlier_merges(db: Database) -> None:
    keep = _person(db, "Roe", "Jane")
    dup = _person(db, "Roe", "Jane", date_of_birth=dt.date(1970, 5, 4),
                  address=MailingAddress(line1="5 Oak Ave", city="Springfield",
                                         postal_code="62702"))
    older = _person(db, "Roe", "J.")
    merge_parties(db, ADMIN, dup, older, REASON)   # an administrator may merge too
    merge_parties(db, SUPERVISOR, keep, dup, REASON)
    view = parties.get_party(db, keep)
    assert view.date_of_birth == dt.date(1970, 5, 4)
    assert view.mailing_address == "5 Oak Ave, Springfield, 62702"
    keep_id, older_id = _ids(db, keep, older)
    with db.sessions() as s:
        again = s.get(Party, older_id)
        assert again is not None and again.merged_into_party_id == keep_id


def test_both_customers_merge_only_once_the_duplicates_accounts_are_gone(db: Database) -> None:
    keep = household(db)
    dup_org = company(db, "Okafor Holdings")
    twin_org = company(db, "Okafor Holdings")
    # neither company has an account yet: the duplicate's customer is closed and kept
    merge_parties(db, SUPERVISOR, dup_org[0], twin_org[0], REASON)
    with db.sessions() as s:
        left = s.scalar(select(Customer).where(Customer.number == twin_org[1]))
        assert left is not None and left.status is CustomerStatus.INACTIVE
    other = household(db, "Okafor", "Ngozi", "3 Oak Ave")
    with pytest.raises(ValidationError) as caught:
        merge_parties(db, SUPERVISOR, keep.party, other.party, REASON)
    assert caught.value.message == (
        f"Both are customers: Okafor, Ngozi ({keep.party}) is customer {keep.customer} and "
        f"Okafor, Ngozi ({other.party}) is customer {other.customer}. Move the accounts of "
        f"customer {other.customer} to customer {keep.customer} first, then merge.")
    assert parties.get_party(db, other.party).status is PartyStatus.ACTIVE


def test_merge_refusals_say_why_and_change_nothing(db: Database) -> None:
    keep = _person(db, "Roe", "Jane")
    dup = _person(db, "Roe", "Jane")
    org = parties.create_organisation(db, CSR, OrganisationForm("Roe Ltd",
                                                                registration_number="R-1"))
    org2 = parties.create_organisation(db, CSR, OrganisationForm("Roe Ltd",
                                                                 registration_number="R-2"))
    with pytest.raises(PermissionDenied, match="Supervisor"):
        merge_parties(db, CSR, keep, dup, REASON)
    with pytest.raises(ValidationError) as blank:
        merge_parties(db, SUPERVISOR, keep, dup, "   ")
    assert blank.value.field == "reason"
    with pytest.raises(ValidationError) as itself:
        merge_parties(db, SUPERVISOR, keep, keep, REASON)
    assert itself.value.field == "duplicate" and "into itself" in itself.value.message
    with pytest.raises(ValidationError, match="only two persons or two organisations"):
        merge_parties(db, SUPERVISOR, keep, org.number, REASON)
    with pytest.raises(ValidationError, match="company registration R-1 and .* has R-2"):
        merge_parties(db, SUPERVISOR, org.number, org2.number, REASON)
    with pytest.raises(ValidationError) as typo:
        merge_parties(db, SUPERVISOR, keep[:-1] + str((int(keep[-1]) + 1) % 10), dup, REASON)
    assert typo.value.field == "survivor" and "check digit" in typo.value.message
    stale = parties.get_party(db, dup).version  # the supervisor loads both parties…
    parties.rename_person(db, CSR, dup, stale, "Jayne", "Roe")  # …and a CSR renames one
    with pytest.raises(ConcurrentChange):
        merge_parties(db, SUPERVISOR, keep, dup, REASON,
                      duplicate_version=stale)
    assert parties.get_party(db, dup).status is PartyStatus.ACTIVE
    merge_parties(db, SUPERVISOR, keep, dup, REASON)
    with pytest.raises(ValidationError,
                       match=f"Roe, Jayne \\({dup}\\) was already merged into Roe, Jane \\({keep}\\)"):
        merge_parties(db, SUPERVISOR, keep, dup, REASON)
    third = _person(db, "Roe", "Jane")
    with pytest.raises(ValidationError, match=f"merge into {keep} instead"):
        merge_parties(db, SUPERVISOR, dup, third, REASON)
    from app.engine.identifiers import from_body

    with pytest.raises(NotFound):
        merge_parties(db, SUPERVISOR, keep, from_body(999_999_999), REASON)


def test_merge_side_shows_a_party_for_the_dialog(db: Database) -> None:
    home = household(db)
    side = duplicates.merge_side(db, home.party)
    assert side.party.display_name == "Okafor, Ngozi"
    assert side.customer_number == home.customer
    assert side.merged_into is None
    assert side.roles == (("Owner", f"Account {home.account}", START.isoformat(), ""),)
    assert side.role_count == 1
    with pytest.raises(ValidationError) as caught:
        duplicates.merge_side(db, "12345", "duplicate")
    assert caught.value.field == "duplicate"
