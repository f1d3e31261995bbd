"""R-A8: an action taken for a caller without authority carries the CSR's override reason into
the audit trail, for roles and subscriptions as for start and stop service."""

from __future__ import annotations

import datetime as dt

import pytest

from app.db import Database
from app.models.enums import CorrespondenceType, RoleTarget, RoleType
from app.services import accounts, audit, roles
from app.services.authority import OnCall, OverrideReasonRequired
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


def test_the_services_check_the_callers_authority_themselves(db: Database) -> None:
    """R-A8 in the service, not only in the dialog: a caller who is neither owner nor
    administrator needs the CSR's override reason, which becomes the audit reason."""
    okafor = household(db)
    other = household(db, "Lindqvist", "Maja", "77 Birch Rd")
    form = RoleForm(other.party, RoleType.PAYER, RoleTarget.ACCOUNT, okafor.account,
                    dt.date(2025, 3, 1))
    with pytest.raises(OverrideReasonRequired, match="Type the reason for the override to add "
                                                     "a role anyway"):
        roles.add_role(db, CSR, form, on_call=OnCall(other.party))
    with pytest.raises(OverrideReasonRequired, match="Unknown caller"):
        accounts.add_subscription(db, CSR, okafor.account, "x@example.net",
                                  {CorrespondenceType.BILL}, dt.date(2025, 3, 1),
                                  on_call=OnCall(None))
    assert roles.roles_on(db, RoleTarget.ACCOUNT, okafor.account)[-1].role_type is RoleType.OWNER
    view = roles.add_role(db, CSR, form, on_call=OnCall(other.party, REASON))
    assert {e.reason for e in audit.history(db, "PartyRole", view.id)} == {
        f"override, caller {other.party} has no authority: {REASON}"}
    sub = accounts.add_subscription(db, CSR, okafor.account, "y@example.net",
                                    {CorrespondenceType.BILL}, dt.date(2025, 3, 1),
                                    on_call=OnCall(okafor.party))  # the owner: no reason
    assert {e.reason for e in audit.history(db, "Subscription", sub.id)} == {None}
