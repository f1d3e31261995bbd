"""Appending to a case's log (spec/50 §5.2): the one place a row is added to `case_log`.

    append_case_log(session, case, CaseLogType.SYSTEM, "To Do 12 taken by Sam Pike",
                    related_object_type="TODO", related_object_id="12")

The log is insert-only (the database refuses UPDATE and DELETE). Rows are numbered 1, 2, 3…
per case; the caller holds the case row locked (`SELECT … FOR UPDATE`) for the transaction,
so two workstations never take the same number.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Case, CaseLog
from app.models.enums import CaseLogType
from app.services.context import now


def append_case_log(session: Session, case: Case, log_type: CaseLogType, details: str, *,
                    user_name: str | None = None, related_object_type: str | None = None,
                    related_object_id: str | None = None, from_status: str | None = None,
                    to_status: str | None = None, algorithm_code: str | None = None) -> CaseLog:
    """Add the case's next log row (by the session's acting user unless `user_name` says)."""
    session.flush()
    seq = (session.scalar(select(func.max(CaseLog.seq)).where(CaseLog.case_id == case.id))
           or 0) + 1
    row = CaseLog(case_id=case.id, seq=seq, log_at=now(), log_type=log_type, details=details,
                  user_name=(user_name or str(session.info.get("actor") or "system"))[:64],
                  related_object_type=related_object_type, related_object_id=related_object_id,
                  from_status=from_status, to_status=to_status, algorithm_code=algorithm_code)
    session.add(row)
    session.flush()
    return row
