"""R-A8: an action taken for a caller without authority carries the CSR's override reason into
the audit trail, for roles and subscriptions as for start and stop service."""

from __future__ import annotations

import datetime as dt

from app.db import Database
from app.models.enums import CorrespondenceType, RoleTarget, RoleType
from app.services import accounts, audit, roles
from app.services.roles import RoleForm
from tests.conftest import CSR
from tests.services.builders import household

REASON = "Caller is the owner's son; owner on the line confirmed"


def test_role_added_with_an_override_reason_is_audited_with_it(db: Database) -> None:
    okafor = household(db)
    other = household(db, "Lindqvist", "Maja", "77 Birch Rd")
    view = roles.add_role(db, CSR, RoleForm(other.party, RoleType.PAYER, RoleTarget.ACCOUNT,
                                            okafor.account, dt.date(2025, 3, 1)), reason=REASON)
    entries = audit.history(db, "PartyRole", view.id)
    assert entries and {e.reason for e in entries} == {REASON}
    assert {e.changed_by for e in entries} == {CSR.username}


def test_subscription_added_with_an_override_reason_is_audited_with_it(db: Database) -> None:
    okafor = household(db)
    sub = accounts.add_subscription(db, CSR, okafor.account, "Family@Example.net",
                                    {CorrespondenceType.BILL}, dt.date(2025, 3, 1),
                                    reason=REASON)
    assert sub.email == "family@example.net"
    entries = audit.history(db, "Subscription", sub.id)
    assert entries and {e.reason for e in entries} == {REASON}


def test_without_a_reason_the_audit_has_none(db: Database) -> None:
    okafor = household(db)
    sub = accounts.add_subscription(db, CSR, okafor.account, "a@example.net",
                                    {CorrespondenceType.BILL}, dt.date(2025, 3, 1))
    assert {e.reason for e in audit.history(db, "Subscription", sub.id)} == {None}
