"""Parties, customers, accounts and roles: the Flux / efluid model through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, PartyRole
from app.models.enums import (
    BillingFrequency,
    ContactKind,
    CorrespondenceType,
    IdentifierKind,
    InvoicingMode,
    RoleTarget,
    RoleType,
)
from app.services import accounts, audit, parties, roles
from app.services.accounts import AccountForm
from app.services.errors import ConcurrentChange, NotFound, PermissionDenied, ValidationError
from app.services.parties import PersonForm
from app.services.roles import RoleForm
from tests.conftest import CSR, SUPERVISOR, WAREHOUSE
from tests.services.builders import START, company, household


def _role_count(db) -> int:  # type: ignore[no-untyped-def]
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(PartyRole)) or 0


def test_person_gets_a_checked_number_and_normalised_contacts(db) -> None:  # type: ignore[no-untyped-def]
    view = parties.create_person(
        db, CSR, PersonForm(last_name=" García ", first_name="Lucía", phone="555 555 0199",
                            email="Lucia.Garcia@Example.COM"),
    )
    assert view.display_name == "García, Lucía"
    assert len(view.number) == 10
    contacts = {(c.kind, c.value) for c in view.contacts}
    assert contacts == {(ContactKind.PHONE, "+15555550199"),
                        (ContactKind.EMAIL, "lucia.garcia@example.com")}
    assert parties.get_party(db, view.number).display_name == "García, Lucía"


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (PersonForm(last_name="  "), "last_name"),
        (PersonForm(last_name="Ng", phone="12"), "phone"),
        (PersonForm(last_name="Ng", email="not-an-email"), "email"),
        (PersonForm(last_name="Ng", date_of_birth=dt.date(2999, 1, 1)), "date_of_birth"),
    ],
)
def test_bad_person_input_names_the_field_and_saves_nothing(db, form, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        parties.create_person(db, CSR, form)
    assert caught.value.field == field
    with db.sessions() as s:
        from app.models import Party

        assert s.scalar(select(func.count()).select_from(Party)) == 0


def test_invalid_check_digit_is_caught_before_any_search(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    typo = home.account[:3] + home.account[4] + home.account[3] + home.account[5:]
    if typo == home.account:
        typo = home.account[:-1] + str((int(home.account[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as caught:
        accounts.get_account(db, typo)
    assert "check digit does not match" in caught.value.message
    from app.engine.identifiers import from_body

    unused = from_body(123456789)
    assert unused != home.account
    with pytest.raises(NotFound, match=f"There is no account {unused}"):
        accounts.get_account(db, unused)


def test_opening_an_account_makes_the_customer_its_owner(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    owners = [r for r in roles.roles_on(db, RoleTarget.ACCOUNT, home.account)
              if r.role_type is RoleType.OWNER]
    assert [(o.party_number, o.effective_from, o.effective_to) for o in owners] == [
        (home.party, START, None)
    ]
    view = accounts.get_account(db, home.account)
    assert view.customer_number == home.customer
    assert view.invoicing_mode is InvoicingMode.CONSOLIDATED


def test_a_party_is_customer_once(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    from app.models.enums import CustomerClass

    with pytest.raises(ValidationError, match=f"already customer {home.customer}"):
        accounts.create_customer(db, CSR, home.party, CustomerClass.RESIDENTIAL)


def test_statement_accounts_need_a_statement_day(db) -> None:  # type: ignore[no-untyped-def]
    _org, customer = company(db, "Harbour Foods Ltd")
    with pytest.raises(ValidationError) as caught:
        accounts.open_account(db, CSR, AccountForm(customer, START, "All sites",
                                                   invoicing_mode=InvoicingMode.STATEMENT))
    assert caught.value.field == "statement_day"
    view = accounts.open_account(
        db, CSR, AccountForm(customer, START, "All sites", BillingFrequency.MONTHLY,
                             InvoicingMode.STATEMENT, statement_day=15)
    )
    assert view.statement_day == 15


def test_consultant_administers_unrelated_companies(db) -> None:  # type: ignore[no-untyped-def]
    """Flux: one person party holds the administrator role on each company's accounts."""
    consultant = parties.create_person(db, CSR, PersonForm(last_name="Brandt", first_name="Ilse"))
    held = []
    for name in ("Harbour Foods Ltd", "Quarry Lane Dairy", "Northgate Motors"):
        _org, customer = company(db, name)
        account = accounts.open_account(db, CSR, AccountForm(customer, START, name))
        role = roles.add_role(db, CSR, RoleForm(consultant.number, RoleType.ADMINISTRATOR,
                                                RoleTarget.ACCOUNT, account.number,
                                                dt.date(2025, 3, 1)))
        held.append(role)
    mine = roles.roles_of_party(db, consultant.number)
    assert sorted(r.target_number for r in mine) == sorted(r.target_number for r in held)
    assert {r.role_type for r in mine} == {RoleType.ADMINISTRATOR}


def test_administrator_before_the_account_has_an_owner_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    helper = parties.create_person(db, CSR, PersonForm(last_name="Okafor", first_name="Chidi"))
    with pytest.raises(ValidationError, match="has no owner on 2024-06-01"):
        roles.add_role(db, CSR, RoleForm(helper.number, RoleType.ADMINISTRATOR,
                                         RoleTarget.ACCOUNT, home.account, dt.date(2024, 6, 1)))


def test_role_end_date_before_start_is_refused_and_nothing_saved(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    payer = parties.create_person(db, CSR, PersonForm(last_name="Adeyemi", first_name="Tunde"))
    before = _role_count(db)
    with pytest.raises(ValidationError) as caught:
        roles.add_role(db, CSR, RoleForm(payer.number, RoleType.PAYER, RoleTarget.ACCOUNT,
                                         home.account, dt.date(2025, 6, 1), dt.date(2025, 5, 31)))
    assert caught.value.field == "effective_to"
    assert "2025-05-31 is before the start date 2025-06-01" in caught.value.message
    assert _role_count(db) == before


def test_same_role_twice_at_once_is_refused_but_after_it_ends_is_fine(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    payer = parties.create_person(db, CSR, PersonForm(last_name="Adeyemi", first_name="Tunde"))
    first = roles.add_role(db, CSR, RoleForm(payer.number, RoleType.PAYER, RoleTarget.ACCOUNT,
                                             home.account, dt.date(2025, 2, 1)))
    with pytest.raises(ValidationError, match="already payer"):
        roles.add_role(db, CSR, RoleForm(payer.number, RoleType.PAYER, RoleTarget.ACCOUNT,
                                         home.account, dt.date(2025, 4, 1)))
    roles.end_role(db, CSR, first.id, first.version, dt.date(2025, 3, 31))
    again = roles.add_role(db, CSR, RoleForm(payer.number, RoleType.PAYER, RoleTarget.ACCOUNT,
                                             home.account, dt.date(2025, 4, 1)))
    assert again.effective_from == dt.date(2025, 4, 1)


def test_role_on_the_wrong_kind_of_object_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    with pytest.raises(ValidationError, match="held on a premise"):
        roles.add_role(db, CSR, RoleForm(home.party, RoleType.PROPERTY_OWNER, RoleTarget.ACCOUNT,
                                         home.account, START))


def test_only_the_customer_owns_the_account(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    other = parties.create_person(db, CSR, PersonForm(last_name="Stranger"))
    with pytest.raises(ValidationError, match="owner of account"):
        roles.add_role(db, CSR, RoleForm(other.number, RoleType.OWNER, RoleTarget.ACCOUNT,
                                         home.account, dt.date(2025, 2, 1)))


def test_registration_number_names_one_company(db) -> None:  # type: ignore[no-untyped-def]
    from app.services.parties import OrganisationForm

    first = parties.create_organisation(db, CSR, OrganisationForm("Acme Power", registration_number="RC-1001"))
    with pytest.raises(ValidationError, match=f"already belongs to Acme Power \\({first.number}\\)"):
        parties.create_organisation(db, CSR, OrganisationForm("ACME Power Inc", registration_number="RC-1001"))
    person = parties.create_person(db, CSR, PersonForm(last_name="Roe"))
    parties.add_identifier(db, CSR, person.number, IdentifierKind.DRIVERS_LICENSE, "d123-456")
    assert parties.get_party(db, person.number).identifiers == (
        (IdentifierKind.DRIVERS_LICENSE, "D123-456"),)


def test_lost_race_names_the_other_user_and_keeps_their_change(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    loaded = parties.get_party(db, home.party)  # both CSRs open the record
    from app.services.parties import MailingAddress

    parties.update_mailing_address(db, SUPERVISOR, home.party, loaded.version,
                                   MailingAddress(line1="1 New Rd", city="Shelbyville",
                                                  postal_code="62565"))
    with pytest.raises(ConcurrentChange) as caught:
        parties.update_mailing_address(db, CSR, home.party, loaded.version,
                                       MailingAddress(line1="9 Other Way", city="Ogdenville",
                                                      postal_code="62999"))
    assert "changed by sup1" in caught.value.message
    assert parties.get_party(db, home.party).mailing_address.startswith("1 New Rd")


def test_every_change_is_audited_with_who_and_old_and_new(db) -> None:  # type: ignore[no-untyped-def]
    person = parties.create_person(db, CSR, PersonForm(last_name="Smith", first_name="Jo"))
    parties.rename_person(db, SUPERVISOR, person.number, person.version, "Joanna", "Smith")
    from app.models import Party

    with db.sessions() as s:
        party_id = s.scalar(select(Party.id).where(Party.number == person.number))
    entries = audit.history(db, "Party", party_id)
    first_name = [e for e in entries if e.field == "first_name"]
    assert (first_name[0].changed_by, first_name[0].old_value, first_name[0].new_value) == (
        "sup1", "Jo", "Joanna")
    created = [e for e in entries if e.field == "*"]
    assert created[0].changed_by == "csr1"
    with db.sessions() as s:
        stamped = s.scalar(select(Party.updated_by).where(Party.id == party_id))
        assert stamped == "sup1"
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.entity_type == "Party",
                               AuditEvent.field == "last_name")) == 1


def test_subscriptions_copy_correspondence(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    accounts.add_subscription(db, CSR, home.account, "Bookkeeper@Example.com",
                              {CorrespondenceType.BILL, CorrespondenceType.STATEMENT}, START)
    (sub,) = accounts.subscriptions_of(db, home.account)
    assert sub.email == "bookkeeper@example.com"
    assert sub.correspondence_types == (CorrespondenceType.BILL, CorrespondenceType.STATEMENT)
    with pytest.raises(ValidationError):
        accounts.add_subscription(db, CSR, home.account, "x@example.com", set(), START)


def test_warehouse_staff_cannot_add_people(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied, match="needs the Csr or Supervisor role"):
        parties.create_person(db, WAREHOUSE, PersonForm(last_name="Nope"))
