"""A small utility built through the real services, for tests that need one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.db import Database
from app.models.enums import CustomerClass, PremiseType, ServiceType
from app.services import accounts, parties, premises, service_points
from app.services.accounts import AccountForm
from app.services.parties import MailingAddress, OrganisationForm, PersonForm
from app.services.premises import PremiseForm
from tests.conftest import CSR

START = dt.date(2025, 1, 1)


@dataclass
class Household:
    party: str
    customer: str
    account: str
    premise: str
    electric_sp: str
    gas_sp: str


def household(db: Database, last: str = "Okafor", first: str = "Ngozi", street: str = "12 Elm St") -> Household:
    person = parties.create_person(
        db, CSR,
        PersonForm(last_name=last, first_name=first, phone="(555) 555-0101",
                   email=f"{first}.{last}@example.com",
                   address=MailingAddress(line1=street, city="Springfield", postal_code="62701")),
    )
    customer = accounts.create_customer(db, CSR, person.number, CustomerClass.RESIDENTIAL)
    account = accounts.open_account(db, CSR, AccountForm(customer.number, START, "Home"))
    premise = premises.create_premise(
        db, CSR, PremiseForm(PremiseType.HOUSE, street, "Springfield", "62701")
    )
    electric = service_points.create_service_point(db, CSR, premise.number, ServiceType.ELECTRIC)
    gas = service_points.create_service_point(db, CSR, premise.number, ServiceType.GAS)
    return Household(person.number, customer.number, account.number, premise.number,
                     electric.number, gas.number)


def company(db: Database, name: str) -> tuple[str, str]:
    """(party number, customer number) of a new commercial customer."""
    org = parties.create_organisation(db, CSR, OrganisationForm(legal_name=name))
    customer = accounts.create_customer(db, CSR, org.number, CustomerClass.COMMERCIAL)
    return org.number, customer.number
