"""Quick search behind the global search field: an ID (checked before any query) or a name.

Control Central (a later issue) brings the full search; this finds an object by its
people-facing number, or parties by the start of their name, always bounded.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select

from app.db import Database
from app.engine.identifiers import ID_LENGTH, is_valid
from app.models import Account, Customer, Party, Premise, ServiceAgreement, ServicePoint
from app.models.enums import PartyKind
from app.services.errors import ValidationError

MIN_NAME_CHARS = 2


@dataclass(frozen=True)
class Found:
    kind: str
    number: str
    label: str
    detail: str


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def check_identifier(text: str, field: str = "search") -> str:
    """Return the 10-digit ID typed, or explain what is wrong with it."""
    digits = text.strip().replace(" ", "").replace("-", "")
    if not digits.isdigit():
        raise ValidationError(f"'{text}' is not an ID: IDs are 10 digits.", field)
    if len(digits) != ID_LENGTH:
        raise ValidationError(
            f"'{text}' has {len(digits)} digits; IDs have {ID_LENGTH}. Check the number.", field
        )
    if not is_valid(digits):
        raise ValidationError(
            f"{digits} is not a valid ID: its check digit does not match. Check the number "
            "for a typo or two swapped digits.",
            field,
        )
    return digits


def quick_search(db: Database, text: str, limit: int = 50) -> list[Found]:
    query = text.strip()
    compact = query.replace(" ", "").replace("-", "")
    if compact.isdigit():  # digits only: an ID, checked before any query
        return _by_number(db, check_identifier(query))
    if len(query) < MIN_NAME_CHARS:
        raise ValidationError(
            f"Type at least {MIN_NAME_CHARS} letters of a name, or a 10-digit ID.", "search"
        )
    return _by_name(db, query, limit)


def _by_number(db: Database, number: str) -> list[Found]:
    found: list[Found] = []
    with db.sessions() as s:
        for party in s.scalars(select(Party).where(Party.number == number)):
            kind = "Person" if party.kind is PartyKind.PERSON else "Organisation"
            found.append(Found(kind, party.number, party.display_name, party.status.label))
        for cust, name in s.execute(
            select(Customer, Party.display_name)
            .join(Party, Customer.legal_party_id == Party.id)
            .where(Customer.number == number)
        ):
            found.append(Found("Customer", cust.number, name, cust.customer_class.label))
        for acct, name in s.execute(
            select(Account, Party.display_name)
            .join(Customer, Account.customer_id == Customer.id)
            .join(Party, Customer.legal_party_id == Party.id)
            .where(Account.number == number)
        ):
            found.append(Found("Account", acct.number, name, acct.description or acct.status.label))
        for prem in s.scalars(select(Premise).where(Premise.number == number)):
            found.append(
                Found("Premise", prem.number, f"{prem.address_line1}, {prem.city}",
                      prem.premise_type.label)
            )
        for sp, prem in s.execute(
            select(ServicePoint, Premise)
            .join(Premise, ServicePoint.premise_id == Premise.id)
            .where(ServicePoint.number == number)
        ):
            found.append(
                Found("Service point", sp.number, f"{sp.service_type.label} at {prem.address_line1}",
                      sp.external_pod_ref or "")
            )
        for sa in s.scalars(select(ServiceAgreement).where(ServiceAgreement.number == number)):
            found.append(
                Found("Service agreement", sa.number, f"{sa.sa_type} {sa.service_type.label}",
                      sa.status.label)
            )
    return found


def _by_name(db: Database, text: str, limit: int) -> list[Found]:
    """Parties whose name starts with *text*, in name order, read from the prefix index
    (migration 0002): byte order on both databases, so the index gives filter and order."""
    prefix = text.lower()
    name: ColumnElement[str] = func.lower(Party.display_name)
    if not db.is_sqlite:
        name = name.collate("C")
    condition: ColumnElement[bool] = name.like(_escape_like(prefix) + "%", escape="\\")
    if db.is_sqlite:  # SQLite range-scans an expression index, but not for LIKE
        condition = condition & (name >= prefix) & (name < prefix + "\U0010ffff")
    with db.sessions() as s:
        parties = s.scalars(
            select(Party)
            .where(condition)
            .order_by(name, Party.id)
            .limit(limit)
        ).all()
        return [
            Found(
                "Person" if p.kind is PartyKind.PERSON else "Organisation",
                p.number,
                p.display_name,
                ", ".join(x for x in (p.mailing_line1, p.mailing_city) if x),
            )
            for p in parties
        ]
