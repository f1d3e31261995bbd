"""Rates in the database: load, cache, import and export, edit, and the rate version lifecycle
(spec/10 §6, spec/20 §2.3 and §8).

* `rate_library(db)` / `compiled_rate(db, code)` give the engine's model, cached per database
  and reloaded when `rate_library_revision` moves (every save bumps it, on every workstation).
* Editing is by whole definitions: the editor holds an engine `RateVersion` (or `RateSchedule`,
  `BillFactor`), changes it with `dataclasses.replace`, and saves it with the row version it
  loaded; a save that lost a race names the other user. Each save writes one audit row per
  changed field (`component 20.value: 0.1 → 0.12`).
* Lifecycle: every status may move to every other; to Validated or Finished only when the
  cross-validation of spec/20 §2.3 passes. A Finished version that a bill used cannot be
  changed, only superseded by a newer version; and a version becomes Finished only when it
  takes effect after the last day already billed with its rate (`rate_billing_guard`).
* Everyone may read; only rate analysts (and administrators) may change anything.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, insert, select, update
from sqlalchemy.orm import Session

from app.db import Database
from app.engine.rates import RateLibrary
from app.engine.rates.bill_factors import BillFactor
from app.engine.rates.compiled import CompiledRate, ValidationProblem, validate_version
from app.engine.rates.enums import ComponentType, RateScheduleType, RateVersionStatus
from app.engine.rates.errors import RateDefinitionError, RateError
from app.engine.rates.merge import MergeRow, merge_schedule_collections, save_merge
from app.engine.rates.rate_files import dump_library, dump_rate_schedule, load_library, loads
from app.engine.rates.schedules import RateComponent, RateSchedule, RateVersion
from app.models import rates as M
from app.models.audit import AuditEvent
from app.models.enums import UserRole
from app.models.service_agreements import ServiceAgreementRate
from app.services import rate_billing_guard as guard
from app.services import rate_store
from app.services.context import Actor, read_only, snapshot, transaction
from app.services.errors import ConcurrentChange, NotFound, ValidationError

EDIT_ROLES = (UserRole.RATE_ANALYST,)


# --- DTOs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateScheduleSummary:
    code: str
    description: str
    type: RateScheduleType
    service_type: str | None
    version_count: int
    #: The newest version's effective date and status, if any.
    latest: tuple[dt.date, RateVersionStatus] | None


@dataclass(frozen=True)
class VersionState:
    effective: dt.date
    status: RateVersionStatus
    row_version: int
    updated_by: str
    updated_at: dt.datetime | None
    #: A bill segment was rated in this version's period (only for Finished versions).
    used_by_bill: bool


@dataclass(frozen=True)
class ScheduleForEdit:
    schedule: RateSchedule
    row_version: int
    updated_by: str
    versions: tuple[VersionState, ...]
    can_edit: bool

    def version_state(self, effective: dt.date) -> VersionState:
        for v in self.versions:
            if v.effective == effective:
                return v
        raise NotFound(f"Rate schedule {self.schedule.code} has no version effective "
                       f"{effective.isoformat()}.")


@dataclass(frozen=True)
class BillFactorForEdit:
    bill_factor: BillFactor
    row_version: int
    updated_by: str
    can_edit: bool


@dataclass(frozen=True)
class ImportSummary:
    added: tuple[str, ...]
    replaced: tuple[str, ...]

    @property
    def text(self) -> str:
        parts = []
        if self.added:
            parts.append(f"{len(self.added)} added")
        if self.replaced:
            parts.append(f"{len(self.replaced)} replaced")
        return ", ".join(parts) or "nothing to import"


class RateValidationFailed(ValidationError):
    """The rate version does not pass validation; ``problems`` lists every finding."""

    def __init__(self, message: str, problems: Sequence[ValidationProblem],
                 field: str | None = None) -> None:
        super().__init__(message, field)
        self.problems = tuple(problems)


class RatesAlreadyStored(ValidationError):
    """An import brings codes the database already has (``codes``); nothing was imported.
    Importing again with ``replace_existing`` swaps the stored definitions."""

    def __init__(self, codes: Sequence[str]) -> None:
        self.codes = tuple(codes)
        more = f" and {len(self.codes) - 8} more" if len(self.codes) > 8 else ""
        self.shown = ", ".join(self.codes[:8]) + more
        super().__init__(f"The database already has {self.shown}. Nothing was imported; "
                         "import with --replace to overwrite them.", "file")


# --- the cache -------------------------------------------------------------------------------


@dataclass
class CachedRates:
    """The rate library of one revision and the rates compiled from it so far."""

    revision: int
    library: RateLibrary
    compiled: dict[str, CompiledRate]

    def rate(self, code: str) -> CompiledRate:
        """Rate schedule ``code`` compiled (once per revision). A definition the engine
        refuses raises ValidationError with the engine's sentence."""
        found = self.compiled.get(code)
        if found is not None:
            return found
        if code not in self.library.rate_schedules:
            raise NotFound(f"There is no rate schedule {code}. Pick one from the list.",
                           "rate_schedule")
        try:
            compiled = self.library.compile(code)
        except RateError as exc:
            raise ValidationError(str(exc), "rate_schedule") from None
        with _lock:
            self.compiled[code] = compiled
        return compiled


_cache: dict[str, CachedRates] = {}
_lock = threading.Lock()


def _revision(session: Session) -> int:
    return session.scalar(select(M.RateLibraryRevision.revision)
                          .where(M.RateLibraryRevision.id == 1)) or 0


def _bump(session: Session) -> None:
    done = cast("CursorResult[Any]", session.execute(
        update(M.RateLibraryRevision).where(M.RateLibraryRevision.id == 1)
        .values(revision=M.RateLibraryRevision.revision + 1)))
    if done.rowcount == 0:               # the row is gone (a restored or truncated database)
        session.execute(insert(M.RateLibraryRevision).values(id=1, revision=1))


def _cached(db: Database) -> CachedRates:
    """The cached library while the revision has not moved (one query); otherwise the library
    read afresh. The revision and every row of the library are read in one snapshot, so a
    save committed meanwhile is either wholly in the library or wholly out of it — and then
    its revision is newer than the one cached, and the next use reloads."""
    key = str(db.url)
    with snapshot(db) as session:
        revision = _revision(session)
        with _lock:
            hit = _cache.get(key)
        if hit is not None and hit.revision == revision:
            return hit
        library = rate_store.read_library(session)
    fresh = CachedRates(revision, library, {})
    with _lock:
        _cache[key] = fresh
    return fresh


def rate_library(db: Database) -> RateLibrary:
    """Every rate definition of the database (cached until a rate definition changes)."""
    return _cached(db).library


def compiled_rate(db: Database, code: str) -> CompiledRate:
    """Rate schedule ``code`` compiled for rating (cached until a rate definition changes).
    A definition the engine refuses raises ValidationError with the engine's sentence."""
    return _cached(db).rate(code)


def rates_in_force(db: Database) -> CachedRates:
    """The library and its compiled rates after one revision check: a caller that needs both
    (a rate check) reads the revision once."""
    return _cached(db)


def forget_cache() -> None:
    with _lock:
        _cache.clear()


# --- reading for the editors -----------------------------------------------------------------


def list_schedules(db: Database) -> list[RateScheduleSummary]:
    lib = rate_library(db)
    out = []
    for code in sorted(lib.rate_schedules):
        rs = lib.rate_schedules[code]
        newest = max(rs.versions, key=lambda v: v.effective, default=None)
        out.append(RateScheduleSummary(
            code, rs.description, rs.type, rs.service_type, len(rs.versions),
            (newest.effective, newest.status) if newest else None))
    return out


def list_bill_factors(db: Database) -> list[tuple[str, str]]:
    lib = rate_library(db)
    return [(code, lib.bill_factors[code].description) for code in sorted(lib.bill_factors)]


def _schedule_row(session: Session, code: str, *, lock: bool = False) -> M.RateScheduleRow:
    stmt = select(M.RateScheduleRow).where(M.RateScheduleRow.code == code)
    if lock:
        stmt = stmt.with_for_update()
    row = session.scalar(stmt)
    if row is None:
        raise NotFound(f"There is no rate schedule {code}.", "rate_schedule")
    return row


def _version_rows(session: Session, schedule_id: int) -> list[M.RateVersionRow]:
    return list(session.scalars(select(M.RateVersionRow).where(
        M.RateVersionRow.schedule_id == schedule_id).order_by(M.RateVersionRow.effective)))


def _states(session: Session, code: str, rows: list[M.RateVersionRow]) -> tuple[VersionState,
                                                                                 ...]:
    out = []
    dated = [(v.effective, v.status) for v in rows]
    for i, v in enumerate(rows):
        nxt = guard.next_finished(dated, i)
        used = v.status == RateVersionStatus.FINISHED.value and guard.used_by_bill(
            session, code, v.effective, nxt)
        out.append(VersionState(v.effective, RateVersionStatus(v.status), v.version,
                                v.updated_by, v.updated_at, used))
    return tuple(out)


def _for_edit(session: Session, actor: Actor, code: str) -> ScheduleForEdit:
    row = _schedule_row(session, code)
    versions = _version_rows(session, row.id)
    comps = rate_store.read_components(session, [v.id for v in versions])
    links = list(session.scalars(select(M.RateScheduleLink).where(
        M.RateScheduleLink.schedule_id == row.id).order_by(M.RateScheduleLink.sequence)))
    messages = list(session.scalars(select(M.RateScheduleBillMessage).where(
        M.RateScheduleBillMessage.schedule_id == row.id).order_by(
        M.RateScheduleBillMessage.position)))
    configs = list(session.scalars(select(M.RateScheduleMeterConfig).where(
        M.RateScheduleMeterConfig.schedule_id == row.id).order_by(
        M.RateScheduleMeterConfig.position)))
    schedule = rate_store.schedule_from_rows(
        row, links, messages, configs,
        tuple(RateVersion(v.effective, RateVersionStatus(v.status), tuple(comps.get(v.id, ())),
                          v.description_on_bill) for v in versions))
    return ScheduleForEdit(schedule, row.version, row.updated_by,
                           _states(session, code, versions), actor.has_any(*EDIT_ROLES))


def open_schedule(db: Database, actor: Actor, code: str) -> ScheduleForEdit:
    """A rate schedule with every version and component, as the editor shows it."""
    with read_only(db) as session:
        return _for_edit(session, actor, code)


def open_bill_factor(db: Database, actor: Actor, code: str) -> BillFactorForEdit:
    with read_only(db) as session:
        row = session.scalar(select(M.BillFactorRow).where(M.BillFactorRow.code == code))
        if row is None:
            raise NotFound(f"There is no bill factor {code}.", "bill_factor")
        bf = rate_store.read_bill_factors(session, [code])[code]
        return BillFactorForEdit(bf, row.version, row.updated_by, actor.has_any(*EDIT_ROLES))


# --- checks ----------------------------------------------------------------------------------


def _check_fields(schedule: RateSchedule, version: RateVersion | None = None) -> None:
    """The checks a rate file gets, on one schedule (and one of its versions): every field
    on its own and the fields of one component together (spec/20 §2.1)."""
    probe = replace(schedule, versions=(version,) if version else ())
    try:
        loads(dump_rate_schedule(RateLibrary(rate_schedules={schedule.code: probe}),
                                 schedule.code, dependencies=False), "edit")
    except RateDefinitionError as exc:
        field = (exc.field or "").rsplit(".", 1)[-1] or None
        text = exc.detail[:1].upper() + exc.detail[1:]
        where = exc.field or ""
        seq = None
        if ".components[" in where:
            seq = int(where.split(".components[", 1)[1].split("]", 1)[0])
        raise RateValidationFailed(text, [ValidationProblem(text, seq)], field) from None


def _cross_validate(session: Session, schedule: RateSchedule, version: RateVersion) -> None:
    lib = RateLibrary(**rate_store.read_controls(session),
                      bill_factors=rate_store.read_bill_factors(session))
    currency_code = schedule.currency or "USD"
    currency = lib.currencies.get(currency_code)
    if currency is None:
        raise ValidationError(f"Rate schedule {schedule.code} uses currency {currency_code}, "
                              "which is not defined.", "currency")
    # The engine only warns about a missing GL distribution (a rate file can be checked while
    # it is built, docs/decisions.md); a stored version that rate check or billing may use
    # needs one (spec/20 §2.3 rule 6).
    no_gl = {rc.sequence for rc in version.components if rc.gl is None and not rc.fcpo
             and rc.type is not ComponentType.SUMMARY}
    problems = [p for p in validate_version(lib, schedule, version, currency)
                if not p.warning or p.sequence in no_gl]
    if problems:
        label = f"rate version {version.effective.isoformat()} of {schedule.code}"
        raise RateValidationFailed(
            f"{label} does not validate ({len(problems)} problem"
            f"{'s' if len(problems) > 1 else ''}): {problems[0].message}", problems)


def _references(version: RateVersion) -> set[int]:
    refs: set[int] = set()
    for rc in version.components:
        refs.update(rc.xrefs)
        refs.update(r for r in (rc.value_rc, rc.step_rc) if r is not None)
        refs.update(c.rc for g in rc.eligibility for c in g.criteria if c.rc is not None)
    return refs


def _refuse_retyping_referenced(current: RateVersion, new: RateVersion) -> None:
    """spec/20 §2.3 rule 9: a component's type and value type cannot change while another
    component refers to it; an APPLY_TO's value type not while it has cross references."""
    before = {rc.sequence: rc for rc in current.components}
    referenced = _references(current)
    for rc in new.components:
        old = before.get(rc.sequence)
        if old is None:
            continue
        locked = rc.sequence in referenced
        for name in ("type", "value_type"):
            if getattr(old, name) == getattr(rc, name):
                continue
            if locked or (name == "value_type" and old.xrefs):
                why = ("other components refer to it" if locked
                       else "it applies to other components")
                problem = (f"Component {rc.sequence}: its {name.replace('_', ' ')} cannot "
                           f"change while {why}; remove those references first.")
                raise RateValidationFailed(problem, [ValidationProblem(problem, rc.sequence)],
                                           name)


def _require_editor(actor: Actor) -> None:
    actor.require("change rates", *EDIT_ROLES)


def _expect(row: Any, expected: int | None, label: str) -> None:
    if expected is not None and row.version != expected:
        when = row.updated_at.strftime("%Y-%m-%d %H:%M") if row.updated_at else "just now"
        raise ConcurrentChange(
            f"{label} was changed by {row.updated_by} at {when} while you were editing it. "
            "Your changes were not saved; reload to see theirs, then make yours again.")


def _touch(row: Any, actor: Actor) -> None:
    """Mark a parent row changed when only its children were rewritten: the flush bumps its
    version (and refuses a stale one)."""
    row.updated_by = actor.username
    row.updated_at = dt.datetime.now(dt.UTC)


def _audit(session: Session, actor: Actor, entity_type: str, entity_id: str,
           changes: Iterable[tuple[str, Any, Any]]) -> None:
    now = dt.datetime.now(dt.UTC)
    rows = [dict(changed_at=now, changed_by=actor.username, entity_type=entity_type,
                 entity_id=entity_id[:40], field=field[:60],
                 old_value=None if old is None else str(old),
                 new_value=None if new is None else str(new), reason=None)
            for field, old, new in changes]
    if rows:
        session.execute(insert(AuditEvent), rows)


def _component_changes(old: Sequence[RateComponent], new: Sequence[RateComponent]
                       ) -> list[tuple[str, Any, Any]]:
    before = {rc.sequence: rc for rc in old}
    after = {rc.sequence: rc for rc in new}
    out: list[tuple[str, Any, Any]] = []
    for seq in sorted(before.keys() | after.keys()):
        a, b = before.get(seq), after.get(seq)
        if a is None:
            out.append((f"component {seq}", None, f"added ({b.type.value})"))  # type: ignore
        elif b is None:
            out.append((f"component {seq}", f"{a.type.value}", "deleted"))
        elif a != b:
            out += [(f"component {seq}.{f.name}", getattr(a, f.name), getattr(b, f.name))
                    for f in fields(a) if getattr(a, f.name) != getattr(b, f.name)]
    return out


def _locked_version(session: Session, code: str, effective: dt.date, expected: int | None
                    ) -> tuple[M.RateScheduleRow, M.RateVersionRow, RateVersion, dt.date | None]:
    row = _schedule_row(session, code)
    versions = _version_rows(session, row.id)
    for i, v in enumerate(versions):
        if v.effective == effective:
            # populate_existing: the row is already in the session (unlocked, read above);
            # the locked read must see what a save that won the race left in it.
            vrow = session.scalar(select(M.RateVersionRow).where(M.RateVersionRow.id == v.id)
                                  .with_for_update().execution_options(populate_existing=True))
            assert vrow is not None
            label = f"Rate version {effective.isoformat()} of {code}"
            _expect(vrow, expected, label)
            comps = rate_store.read_components(session, [vrow.id]).get(vrow.id, [])
            current = RateVersion(vrow.effective, RateVersionStatus(vrow.status), tuple(comps),
                                  vrow.description_on_bill)
            nxt = guard.next_finished([(x.effective, x.status) for x in versions], i)
            return row, vrow, current, nxt
    raise NotFound(f"Rate schedule {code} has no version effective {effective.isoformat()}.")


def _refuse_finished_in_billed_period(session: Session, code: str, before: RateVersion | None,
                                      after: RateVersion) -> None:
    """The one check every path that can make a version Finished goes through: it must take
    effect after the last day billed with the rate (rate_billing_guard)."""
    problem = guard.version_in_billed_period(session, code, before, after)
    if problem is not None:
        raise RateValidationFailed(problem.message, [problem], problem.field)


# --- edits -----------------------------------------------------------------------------------


def save_schedule(db: Database, actor: Actor, schedule: RateSchedule,
                  expected_version: int | None) -> ScheduleForEdit:
    """Create (``expected_version`` None) or change a rate schedule's main fields and its
    collections (SQ rules, register rules, bill messages, meter configurations, sub-rates).
    Its versions are saved one at a time with `save_version`."""
    _require_editor(actor)
    code = (schedule.code or "").strip().upper()
    if not code:
        raise ValidationError("Enter a code for the rate schedule.", "code")
    if not schedule.description.strip():
        raise ValidationError("Enter a description for the rate schedule.", "description")
    schedule = replace(schedule, code=code, versions=())
    _check_fields(schedule)
    with transaction(db, actor) as session:
        row = session.scalar(select(M.RateScheduleRow).where(M.RateScheduleRow.code == code)
                             .with_for_update())
        header = rate_store.schedule_header(schedule)
        invoked: set[str] = set()
        if expected_version is None:
            if row is not None:
                raise ValidationError(f"There is already a rate schedule {code}. Choose "
                                      "another code, or open it to change it.", "code")
            row = M.RateScheduleRow(**header)
            session.add(row)
            session.flush()
            _audit(session, actor, "RateSchedule", code, [("created", None, code)])
        else:
            if row is None:
                raise NotFound(f"There is no rate schedule {code}.", "code")
            _expect(row, expected_version, f"Rate schedule {code}")
            old = _for_edit(session, actor, code).schedule
            invoked = {link.rule for link in old.sub_rates}
            if old.service_type != schedule.service_type and _sa_types_use(session, code):
                raise ValidationError(
                    f"The service type of {code} cannot change: service agreements are on "
                    "this rate.", "service_type")
            for key, value in header.items():
                setattr(row, key, value)
            _touch(row, actor)           # only collections may change: bump the version anyway
            _audit(session, actor, "RateSchedule", code, [
                (f.name, getattr(old, f.name), getattr(schedule, f.name)) for f in fields(old)
                if f.name != "versions" and getattr(old, f.name) != getattr(schedule, f.name)])
        guard.refuse_invoking_finished_in_billed_period(
            session, code, {link.rule for link in schedule.sub_rates} - invoked)
        rate_store.write_schedule_collections(session, row.id, schedule)
        session.flush()
        _refuse_uncompilable(session, code)
        _bump(session)
        return _for_edit(session, actor, code)


def _refuse_uncompilable(session: Session, code: str) -> None:
    """After a schedule's main fields or collections changed, it (and every primary rate that
    invokes it) must still compile, or the change is refused (nothing is saved)."""
    lib = rate_store.read_library(session)
    users = [c for c, rs in lib.rate_schedules.items() if any(
        link.rule == code for link in rs.sub_rates)]
    for target in [code, *users]:
        rs = lib.rate_schedules[target]
        if not rs.is_primary or not rs.versions:
            continue
        try:
            lib.compile(target)
        except RateError as exc:
            message = str(exc)
            field = next((f for f, word in (("sub_rates", "sub-rate"), ("currency", "currency"),
                                            ("frequency", "frequency"), ("sq_rules", "SQ rule"),
                                            ("register_rules", "register rule"))
                          if word in message), None)
            raise ValidationError(f"{message[:1].upper()}{message[1:]}. Nothing was saved.",
                                  field) from None


def _sa_types_use(session: Session, code: str) -> bool:
    return session.scalar(select(ServiceAgreementRate.id).where(
        ServiceAgreementRate.rate_schedule_code == code).limit(1)) is not None


def add_version(db: Database, actor: Actor, code: str, effective: dt.date,
                copy_from: dt.date | None = None, description_on_bill: str = ""
                ) -> ScheduleForEdit:
    """A new In Progress version; with ``copy_from`` it starts with that version's
    components (Duplicate)."""
    _require_editor(actor)
    with transaction(db, actor) as session:
        row = _schedule_row(session, code, lock=True)
        existing = {v.effective: v for v in _version_rows(session, row.id)}
        if effective in existing:
            raise ValidationError(f"{code} already has a version effective "
                                  f"{effective.isoformat()}. Pick another date.", "effective")
        components: tuple[RateComponent, ...] = ()
        if copy_from is not None:
            source = existing.get(copy_from)
            if source is None:
                raise NotFound(f"{code} has no version effective {copy_from.isoformat()} to "
                               "copy.", "copy_from")
            components = tuple(rate_store.read_components(session, [source.id])
                               .get(source.id, []))
            description_on_bill = description_on_bill or source.description_on_bill
        vrow = M.RateVersionRow(schedule_id=row.id, effective=effective,
                                status=RateVersionStatus.IN_PROGRESS.value,
                                description_on_bill=description_on_bill)
        session.add(vrow)
        session.flush()
        rate_store.write_components(session, vrow.id, components)
        _audit(session, actor, "RateVersion", f"{code}/{effective.isoformat()}",
               [("created", None, f"copy of {copy_from.isoformat()}" if copy_from
                 else "In Progress")])
        _bump(session)
        return _for_edit(session, actor, code)


def save_version(db: Database, actor: Actor, code: str, version: RateVersion,
                 expected_version: int) -> ScheduleForEdit:
    """Save a version's components and description on bill (its status is changed with
    `set_version_status`). In Progress: each component's own checks; Validated or Finished:
    the cross-validation as well, and a failure saves nothing."""
    _require_editor(actor)
    with transaction(db, actor) as session:
        row, vrow, current, nxt = _locked_version(session, code, version.effective,
                                                  expected_version)
        guard.refuse_if_billed(session, code, current, nxt)
        version = replace(version, status=current.status,
                          components=tuple(sorted(version.components,
                                                  key=lambda c: c.sequence)))
        schedule = _for_edit(session, actor, code).schedule
        _check_fields(schedule, version)
        _refuse_retyping_referenced(current, version)
        if current.status is not RateVersionStatus.IN_PROGRESS:
            _cross_validate(session, schedule, version)
        _refuse_finished_in_billed_period(session, code, current, version)
        changes = _component_changes(current.components, version.components)
        if version.description_on_bill != current.description_on_bill:
            changes.append(("description_on_bill", current.description_on_bill,
                            version.description_on_bill))
        vrow.description_on_bill = version.description_on_bill
        rate_store.write_components(session, vrow.id, version.components)
        _touch(vrow, actor)
        _audit(session, actor, "RateVersion", f"{code}/{version.effective.isoformat()}",
               changes)
        _bump(session)
        session.flush()
        return _for_edit(session, actor, code)


def set_version_status(db: Database, actor: Actor, code: str, effective: dt.date,
                       status: RateVersionStatus, expected_version: int) -> ScheduleForEdit:
    """Move a version to ``status`` (spec/10 §6.1). Validated and Finished need the version to
    pass validation; on failure the status stays and RateValidationFailed lists why."""
    _require_editor(actor)
    with transaction(db, actor) as session:
        _row, vrow, current, nxt = _locked_version(session, code, effective, expected_version)
        if current.status is status:
            return _for_edit(session, actor, code)
        guard.refuse_if_billed(session, code, current, nxt)
        _refuse_finished_in_billed_period(session, code, current, replace(current,
                                                                          status=status))
        if status is not RateVersionStatus.IN_PROGRESS:
            schedule = _for_edit(session, actor, code).schedule
            _check_fields(schedule, current)
            _cross_validate(session, schedule, current)
        vrow.status = status.value
        _touch(vrow, actor)
        _audit(session, actor, "RateVersion", f"{code}/{effective.isoformat()}",
               [("status", current.status.label, status.label)])
        _bump(session)
        session.flush()
        return _for_edit(session, actor, code)


def delete_version(db: Database, actor: Actor, code: str, effective: dt.date,
                   expected_version: int) -> ScheduleForEdit:
    _require_editor(actor)
    with transaction(db, actor) as session:
        _row, vrow, current, nxt = _locked_version(session, code, effective, expected_version)
        guard.refuse_if_billed(session, code, current, nxt)
        session.execute(delete(M.RateVersionRow).where(M.RateVersionRow.id == vrow.id))
        _audit(session, actor, "RateVersion", f"{code}/{effective.isoformat()}",
               [("deleted", current.status.label, None)])
        _bump(session)
        return _for_edit(session, actor, code)


def merge_versions(db: Database, actor: Actor, code: str, effective: dt.date,
                   rows: Sequence[MergeRow], *, start: int = 10, increment: int = 10,
                   expected_version: int) -> ScheduleForEdit:
    """Save a Rate Version Merge (spec/20 §8): the rows in order, renumbered, references
    remapped; a Validated target goes back to In Progress."""
    _require_editor(actor)
    with transaction(db, actor) as session:
        _row, vrow, current, nxt = _locked_version(session, code, effective, expected_version)
        try:
            merged = save_merge(current, rows, start=start, increment=increment)
        except RateDefinitionError as exc:
            raise ValidationError(str(exc), "merge") from None
        schedule = _for_edit(session, actor, code).schedule
        _check_fields(schedule, merged)
        _refuse_finished_in_billed_period(session, code, current, merged)
        changes = _component_changes(current.components, merged.components)
        if current.status is RateVersionStatus.VALIDATED and changes:
            vrow.status = RateVersionStatus.IN_PROGRESS.value
            changes.append(("status", current.status.label, "In Progress"))
        rate_store.write_components(session, vrow.id, merged.components)
        _touch(vrow, actor)
        _audit(session, actor, "RateVersion", f"{code}/{effective.isoformat()}", changes)
        _bump(session)
        session.flush()
        return _for_edit(session, actor, code)


def merge_schedules(db: Database, actor: Actor, target: str, source: str, *,
                    sq_rules: bool = True, register_rules: bool = True,
                    bill_messages: bool = True, meter_config_types: bool = True,
                    expected_version: int) -> ScheduleForEdit:
    """Rate Schedule Merge (spec/10 §9): copy the chosen collections of ``source``."""
    _require_editor(actor)
    with read_only(db) as session:
        theirs = _for_edit(session, actor, source).schedule
        mine = _for_edit(session, actor, target).schedule
    try:
        merged = merge_schedule_collections(mine, theirs, sq_rules=sq_rules,
                                            register_rules=register_rules,
                                            bill_messages=bill_messages,
                                            meter_config_types=meter_config_types)
    except RateDefinitionError as exc:
        raise ValidationError(str(exc), "merge") from None
    return save_schedule(db, actor, merged, expected_version)


def save_bill_factor(db: Database, actor: Actor, bf: BillFactor,
                     expected_version: int | None) -> BillFactorForEdit:
    """Create or change a bill factor with its characteristics and values."""
    _require_editor(actor)
    code = (bf.code or "").strip().upper()
    if not code:
        raise ValidationError("Enter a code for the bill factor.", "code")
    bf = replace(bf, code=code)
    try:
        loads(dump_library(RateLibrary(bill_factors={bf.code: bf})), "edit")
    except RateDefinitionError as exc:
        field = (exc.field or "").rsplit(".", 1)[-1] or None
        raise ValidationError(exc.detail[:1].upper() + exc.detail[1:], field) from None
    with transaction(db, actor) as session:
        row = session.scalar(select(M.BillFactorRow).where(M.BillFactorRow.code == code)
                             .with_for_update())
        header = rate_store.bill_factor_header(bf)
        if expected_version is None:
            if row is not None:
                raise ValidationError(f"There is already a bill factor {code}.", "code")
            row = M.BillFactorRow(**header)
            session.add(row)
            session.flush()
            changes: list[tuple[str, Any, Any]] = [("created", None, code)]
        else:
            if row is None:
                raise NotFound(f"There is no bill factor {code}.", "code")
            _expect(row, expected_version, f"Bill factor {code}")
            old = rate_store.read_bill_factors(session, [code])[code]
            _refuse_locked_bill_factor_fields(session, old, bf)
            changes = [(f.name, getattr(old, f.name), getattr(bf, f.name))
                       for f in fields(old) if f.name != "characteristics"
                       and getattr(old, f.name) != getattr(bf, f.name)]
            changes += _value_changes(old, bf)
            for key, value in header.items():
                setattr(row, key, value)
            _touch(row, actor)
        rate_store.write_bill_factor_values(session, row.id, bf)
        _audit(session, actor, "BillFactor", code, changes)
        _bump(session)
        session.flush()
        return BillFactorForEdit(rate_store.read_bill_factors(session, [code])[code],
                                 row.version, row.updated_by, True)


def _refuse_locked_bill_factor_fields(session: Session, old: BillFactor,
                                      new: BillFactor) -> None:
    """spec/10 §6.3: fields rates and agreements rely on are locked once they are used."""
    code = old.code
    used_by_rc = session.scalar(select(M.RateComponentRow.id).where(
        M.RateComponentRow.bill_factor == code).limit(1)) is not None

    def sa_rows(model: Any) -> bool:
        return session.scalar(select(model.id).where(model.bill_factor == code).limit(1)) \
            is not None

    has_values = any(c.values or c.tou_values or c.interval_sets
                     for c in old.characteristics.values())
    locks = [
        ("currency", used_by_rc, "rate components use it"),
        ("value_type", used_by_rc or has_values,
         "rate components use it" if used_by_rc else "it has values"),
        ("char_type", bool(old.characteristics), "it has characteristic values"),
        ("tax_exemption", sa_rows(M.SaTaxExemption), "agreements have exemptions from it"),
        ("value_in_contract_term", sa_rows(M.SaContractValue),
         "agreements have contract values for it"),
        ("contract_rider_applicability", sa_rows(M.SaContractRider),
         "agreements have riders for it"),
    ]
    for name, locked, why in locks:
        if locked and getattr(old, name) != getattr(new, name):
            raise ValidationError(
                f"The {name.replace('_', ' ')} of bill factor {code} cannot change because "
                f"{why}. Create a new bill factor instead.", name)


def _value_changes(old: BillFactor, new: BillFactor) -> list[tuple[str, Any, Any]]:
    out: list[tuple[str, Any, Any]] = []
    for cv in sorted(old.characteristics.keys() | new.characteristics.keys()):
        a, b = old.characteristics.get(cv), new.characteristics.get(cv)
        before = {v.effective: v.value for v in a.values} if a else {}
        after = {v.effective: v.value for v in b.values} if b else {}
        for day in sorted(before.keys() | after.keys()):
            if before.get(day) != after.get(day):
                out.append((f"{cv} {day.isoformat()}", before.get(day), after.get(day)))
        if a is not None and b is not None and replace(a, values=()) != replace(b, values=()):
            out.append((f"{cv} TOU/interval values", "changed", "changed"))
    return out


# --- import and export -----------------------------------------------------------------------


def import_library(db: Database, actor: Actor, lib: RateLibrary, *, replace_existing: bool = False
                   ) -> ImportSummary:
    """Store every definition of ``lib``. A code the database already has is refused unless
    ``replace_existing``, which swaps the stored definition for the imported one."""
    _require_editor(actor)
    with transaction(db, actor) as session:
        have = rate_store.read_library(session)
        clashes = [f"{section}.{code}" for section in RateLibrary.SECTIONS
                   for code in getattr(lib, section) if code in getattr(have, section)]
        if clashes and not replace_existing:
            raise RatesAlreadyStored([c.split(".", 1)[1] for c in clashes])
        guard.refuse_replacing_billed(session, have, lib)
        merged = have.merged(lib)
        guard.refuse_imported_finished_in_billed_period(session, have, merged, lib)
        _refuse_unusable(merged, lib if not clashes else None)
        if clashes:
            before = _row_versions(session)
            rate_store.clear_library(session)
            rate_store.write_library(session, merged, by=actor.username)
            _carry_row_versions(session, before, {c.split(".", 1)[1] for c in clashes})
        else:
            rate_store.write_library(session, lib, by=actor.username)
        added = tuple(c for section in RateLibrary.SECTIONS for c in getattr(lib, section)
                      if f"{section}.{c}" not in clashes)
        _audit(session, actor, "RateLibrary", "import",
               [("imported", None, ", ".join(added + tuple(clashes))[:2000])])
        _bump(session)
        return ImportSummary(added, tuple(c.split(".", 1)[1] for c in clashes))


_RowKey = tuple[str, str, str]


def _row_versions(session: Session) -> dict[_RowKey, tuple[int, str, Any]]:
    """Row version, last changer and time of every schedule, version and bill factor."""
    out: dict[_RowKey, tuple[int, str, Any]] = {}
    for r in session.scalars(select(M.RateScheduleRow)):
        out[("schedule", r.code, "")] = (r.version, r.updated_by, r.updated_at)
    for v, code in session.execute(select(M.RateVersionRow, M.RateScheduleRow.code).join(
            M.RateScheduleRow, M.RateScheduleRow.id == M.RateVersionRow.schedule_id)):
        out[("version", code, v.effective.isoformat())] = (v.version, v.updated_by,
                                                           v.updated_at)
    for b in session.scalars(select(M.BillFactorRow)):
        out[("bill_factor", b.code, "")] = (b.version, b.updated_by, b.updated_at)
    session.expunge_all()
    return out


def _carry_row_versions(session: Session, before: dict[_RowKey, tuple[int, str, Any]],
                        replaced: set[str]) -> None:
    """After an import rewrote the rows, every row keeps counting from its old version: a
    replaced definition moves one on (so an editor's stale copy is refused), the others keep
    their version and who changed them last."""
    tables: dict[str, Any] = {"schedule": M.RateScheduleRow, "bill_factor": M.BillFactorRow}
    for (kind, code, effective), (version, by, at) in before.items():
        new = version + 1 if code in replaced else version
        keep = {} if code in replaced else {"updated_by": by, "updated_at": at}
        if kind == "version":
            sid = select(M.RateScheduleRow.id).where(M.RateScheduleRow.code == code)
            session.execute(update(M.RateVersionRow).where(
                M.RateVersionRow.schedule_id == sid.scalar_subquery(),
                M.RateVersionRow.effective == dt.date.fromisoformat(effective))
                .values(version=new, **keep))
        else:
            table = tables[kind]
            session.execute(update(table).where(table.code == code).values(version=new,
                                                                             **keep))


def _refuse_unusable(merged: RateLibrary, incoming: RateLibrary | None) -> None:
    """Every primary rate schedule the import brings (after a replacement: every one) must
    compile with what the database will hold, as `switchboard rate validate` checks a file."""
    codes = [code for code, rs in merged.rate_schedules.items() if rs.is_primary and (
        incoming is None or code in incoming.rate_schedules)]
    for code in sorted(codes):
        try:
            merged.compile(code)
        except RateError as exc:
            raise ValidationError(
                f"Rate schedule {code} could not be used after this import: {exc}. Nothing was "
                "imported; import the files it needs together with it.", "file") from None


def import_rate_files(db: Database, actor: Actor, paths: Sequence[Path | str], *,
                      replace_existing: bool = False) -> ImportSummary:
    """Load rate files (YAML, docs/rate-files.md) and store them. Files that do not load raise
    ValidationError with the file, line and field."""
    try:
        lib = load_library(*paths)
    except RateDefinitionError as exc:
        raise ValidationError(str(exc), "file") from None
    except OSError as exc:
        raise ValidationError(f"{exc.filename}: {exc.strerror}", "file") from None
    return import_library(db, actor, lib, replace_existing=replace_existing)


def export_rate_schedule(db: Database, code: str, *, dependencies: bool = True) -> str:
    """Rate schedule ``code`` as a rate file; with ``dependencies`` it loads on its own."""
    lib = rate_library(db)
    if code not in lib.rate_schedules:
        raise NotFound(f"There is no rate schedule {code}.", "rate_schedule")
    return dump_rate_schedule(lib, code, dependencies=dependencies)


def rate_count(db: Database) -> int:
    with read_only(db) as session:
        return session.scalar(select(func.count()).select_from(M.RateScheduleRow)) or 0


def load_shipped_rates(db: Database, actor: Actor) -> ImportSummary:
    """Store the shipped rate library (app/resources/rates): every definition whose code the
    database does not have yet. The demo utility calls it; running it twice adds nothing."""
    from app.engine.rates import load_shipped_library

    shipped = load_shipped_library()
    have = rate_library(db)
    missing = RateLibrary(**{section: {code: d for code, d in getattr(shipped, section).items()
                                       if code not in getattr(have, section)}
                             for section in RateLibrary.SECTIONS})
    if not any(getattr(missing, section) for section in RateLibrary.SECTIONS):
        return ImportSummary((), ())
    return import_library(db, actor, missing)
