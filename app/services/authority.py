"""R-A8 in the services: an action taken for a caller must be wanted by someone with authority
on the account (its owner or an administrator today), or the CSR gives an override reason that
goes to the audit trail.

    on_call = OnCall(caller_party_number="3000000015", override_reason="")
    reason = audit_reason(db, "2000000017", on_call, "add a role")   # may raise

A call made without `OnCall` (back-office work, batch jobs) is not checked here.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.db import Database
from app.services.common import optional_text
from app.services.control_central import caller_authority
from app.services.errors import DomainError


class OverrideReasonRequired(DomainError):
    """The caller has no authority on the account and no override reason was given."""


@dataclass(frozen=True)
class OnCall:
    """Who is on the line: the caller (None = unknown caller), the CSR's override reason when
    the caller has no authority, and who asked for the change (free text)."""

    caller_party_number: str | None
    override_reason: str = ""
    requested_by: str = ""


def audit_reason(db: Database, account_number: str, on_call: OnCall, action: str) -> str | None:
    """The audit reason of an action on the account for this caller (None when nothing to
    say); raises OverrideReasonRequired when the caller has no authority and no reason was
    typed."""
    override = optional_text(on_call.override_reason, "override_reason",
                             "the override reason", 200)
    requester = optional_text(on_call.requested_by, "requested_by", "who requested it", 100)
    caller = on_call.caller_party_number or None
    authority = caller_authority(db, account_number, caller)
    if not authority.allowed and override is None:
        raise OverrideReasonRequired(
            f"{authority.reason.rstrip('.')}. Type the reason for the override to {action} "
            "anyway; it is written to the audit trail.",
            "override_reason",
        )
    parts = []
    if requester:
        parts.append(f"{action[0].upper()}{action[1:]} requested by {requester}")
    if not authority.allowed:
        who = f"caller {caller}" if caller else "unknown caller"
        parts.append(f"override, {who} has no authority: {override}")
    return "; ".join(parts)[:254] or None
