"""The history trace: every flush through a service session writes one audit row per changed
field of every audited row (`__audited__ = True`), stamped with the acting user."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session

from app.db import Database
from app.models.audit import AuditEvent

#: Bookkeeping columns, and search keys derived from audited columns.
_SKIPPED = frozenset({"version", "updated_at", "updated_by", "search_name", "search_address",
                      "search_street", "phone_suffix"})
_ATTACHED = "audit_attached"


def attach(session: Session) -> None:
    if session.info.get(_ATTACHED):
        return
    event.listen(session, "before_flush", _stamp)
    event.listen(session, "after_flush", _record)
    session.info[_ATTACHED] = True


def _audited(obj: object) -> bool:
    return bool(getattr(type(obj), "__audited__", False))


def _stamp(session: Session, _ctx: Any, _instances: Any) -> None:
    actor = session.info.get("actor", "system")
    now = dt.datetime.now(dt.UTC)
    for obj in list(session.new) + list(session.dirty):
        if not hasattr(obj, "updated_by"):
            continue
        if obj in session.new or session.is_modified(obj):
            obj.updated_by = actor
            obj.updated_at = now


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _entity_id(obj: object) -> str:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return "/".join(str(part) for part in key)


def _record(session: Session, _ctx: Any) -> None:
    actor = session.info.get("actor", "system")
    reason = session.info.get("reason")
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []

    def row(obj: object, field: str, old: Any, new: Any) -> None:
        rows.append(
            {
                "changed_at": now,
                "changed_by": actor,
                "entity_type": type(obj).__name__,
                "entity_id": _entity_id(obj),
                "field": field,
                "old_value": _text(old),
                "new_value": _text(new),
                "reason": reason,
            }
        )

    for obj in session.new:
        if not _audited(obj):
            continue
        state = inspect(obj)
        row(obj, "*", None, "created")
        for attr in state.mapper.column_attrs:
            if attr.key in _SKIPPED:
                continue
            value = getattr(obj, attr.key)
            if value is not None and attr.key != "id":
                row(obj, attr.key, None, value)
    for obj in session.dirty:
        if not _audited(obj):
            continue
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            if attr.key in _SKIPPED:
                continue
            history = state.attrs[attr.key].history
            if history.has_changes():
                old = history.deleted[0] if history.deleted else None
                new = history.added[0] if history.added else None
                if old != new:
                    row(obj, attr.key, old, new)
    for obj in session.deleted:
        if _audited(obj):
            row(obj, "*", "existed", "deleted")
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


def record_inserts(session: Session, model: type, rows: Sequence[dict[str, Any]]) -> None:
    """The audit rows the session writes for new objects ("created", then each value set),
    for rows a service inserted in bulk with Core (which the flush hook does not see)."""
    if not getattr(model, "__audited__", False) or not rows:
        return
    actor = session.info.get("actor", "system")
    reason = session.info.get("reason")
    now = dt.datetime.now(dt.UTC)
    entity = model.__name__
    mapper: Any = inspect(model)
    keys: list[str] = [str(column.key) for column in mapper.primary_key]
    out: list[dict[str, Any]] = []
    for values in rows:
        entity_id = "/".join(str(_text(values[k])) for k in keys)
        base = {"changed_at": now, "changed_by": actor, "entity_type": entity,
                "entity_id": entity_id, "old_value": None, "reason": reason}
        out.append({**base, "field": "*", "new_value": "created"})
        out.extend({**base, "field": column, "new_value": _text(value)}
                   for column, value in values.items()
                   if value is not None and column != "id" and column not in _SKIPPED)
    session.connection().execute(insert(AuditEvent), out)


@dataclass(frozen=True)
class AuditEntry:
    changed_at: dt.datetime
    changed_by: str
    entity_type: str
    entity_id: str
    field: str
    old_value: str | None
    new_value: str | None
    reason: str | None


def history(db: Database, entity_type: str, entity_id: int | str, limit: int = 500) -> list[AuditEntry]:
    """What changed on one object, newest first."""
    with db.sessions() as session:
        found = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        ).all()
        return [
            AuditEntry(
                e.changed_at, e.changed_by, e.entity_type, e.entity_id, e.field,
                e.old_value, e.new_value, e.reason,
            )
            for e in found
        ]
