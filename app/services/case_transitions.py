"""How a case moves (spec/50 §5.2): a move runs the EXIT algorithms of the old status, changes
the status (a final status closes the case), logs STATUS_TRANSITION and runs the ENTER
algorithms of the new one; the auto-transition chain then asks the AUTO algorithms of each
status in turn for a next status. Each automatic step runs in a SAVEPOINT: a failing step is
rolled back alone and the chain stops — online, `Chain.message` says why (the pane's
auto-transition message area); the background job (`run_case_transitions`, CS-T10) logs
TRANSITION_ERROR (from/to, algorithm) and EXCEPTION (the reason) rows and leaves the case.
A chain that would come back to a status it left, or runs more than MAX_AUTO_STEPS moves,
stops with a message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.db import Database
from app.engine import cases as engine
from app.models import Case, CaseLog, CaseType, CaseTypeAlgorithm, CaseTypeStatus
from app.models.enums import CaseAlgorithmKind, CaseLogType, UserRole
from app.services import context
from app.services.case_algorithms import AlgorithmCall, case_algorithm
from app.services.case_rules import AlgorithmFailed, append_log, require_chars
from app.services.case_types import lifecycle_of
from app.services.context import SYSTEM, Actor, read_only, transaction
from app.services.errors import DomainError

#: An automatic chain stops (and says so) after this many moves: a guard against types whose
#: auto-transitions go round in a circle.
MAX_AUTO_STEPS = 10
#: How long a status code is (an AUTO algorithm may name a longer, unknown one).
STATUS_WIDTH: int = CaseLog.__table__.c.to_status.type.length  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------- transitions


@dataclass
class CaseRun:
    """One service call's context for the lifecycle: where, which type, who, when."""

    session: Session
    case_type: CaseType
    lc: engine.CaseLifecycle
    user_name: str
    now: dt.datetime


def _algorithms(session: Session, case_type: str, status: str,
                kind: CaseAlgorithmKind) -> list[CaseTypeAlgorithm]:
    return list(session.scalars(
        select(CaseTypeAlgorithm)
        .where(CaseTypeAlgorithm.case_type_code == case_type,
               CaseTypeAlgorithm.status_code == status, CaseTypeAlgorithm.kind == kind)
        .order_by(CaseTypeAlgorithm.seq, CaseTypeAlgorithm.id)))


def _call(run: CaseRun, case: Case, row: CaseTypeAlgorithm) -> str | None:
    """Run one configured algorithm; any failure becomes AlgorithmFailed naming it."""
    algorithm = case_algorithm(row.algorithm_code, row.kind)

    def log(details: str, related: tuple[str, str] | None = None) -> None:
        append_log(run.session, case, CaseLogType.SYSTEM, details, run.user_name,
                   related=related, algorithm_code=row.algorithm_code)

    call = AlgorithmCall(run.session, case, row.algorithm_code, row.parameter or "",
                         run.user_name, run.now, log)
    try:
        return algorithm.fn(call)
    except (StaleDataError, AlgorithmFailed):
        raise
    except Exception as exc:  # noqa: BLE001 — whatever a plug-in raises is reported, named
        reason = exc.message if isinstance(exc, DomainError) else (str(exc) or
                                                                   type(exc).__name__)
        status = run.lc.status(row.status_code).description
        raise AlgorithmFailed(
            row.algorithm_code, reason,
            f"The {row.kind.value.lower()} algorithm {row.algorithm_code} of status {status} "
            f"failed: {reason} Nothing was saved.") from exc


def run_algorithms(run: CaseRun, case: Case, status: str, kind: CaseAlgorithmKind) -> None:
    for row in _algorithms(run.session, case.case_type_code, status, kind):
        _call(run, case, row)


def move_case(run: CaseRun, case: Case, to_status: str, *, algorithm_code: str | None = None,
              note: str = "") -> None:
    """EXIT algorithms, the status change (closing on a final status), the STATUS_TRANSITION
    row, ENTER algorithms."""
    lc = run.lc
    before = lc.status(case.status_code)
    after = lc.status(to_status)
    run_algorithms(run, case, before.code, CaseAlgorithmKind.EXIT)
    case.status_code = after.code
    case.status_entered_at = run.now
    case.closed_at = run.now if after.is_final else None
    how = f" automatically ({algorithm_code})" if algorithm_code else ""
    append_log(run.session, case, CaseLogType.STATUS_TRANSITION,
               f"Status changed from {before.description} to {after.description}{how}{note}",
               run.user_name, from_status=before.code, to_status=after.code,
               algorithm_code=algorithm_code)
    run_algorithms(run, case, after.code, CaseAlgorithmKind.ENTER)


@dataclass
class Chain:
    """What an auto-transition chain did: its moves ((to status, algorithm)) and, when a step
    failed, (from status, to status or None, algorithm, reason)."""

    moves: list[tuple[str, str]]
    error: tuple[str, str | None, str, str] | None = None

    def message(self, lc: engine.CaseLifecycle) -> str | None:
        parts = []
        if self.moves:
            steps = [f"to {lc.status(to).description} ({algorithm})"
                     for to, algorithm in self.moves]
            parts.append("Moved on automatically " + ", then ".join(steps) + ".")
        if self.error:
            start, _, algorithm, reason = self.error
            parts.append(f"The automatic transition from {lc.status(start).description} "
                         f"({algorithm}) did not run: {reason} The case stays in "
                         f"{lc.status(start).description}.")
        return " ".join(parts) or None


class _Loop(Exception):
    pass


def auto_chain(run: CaseRun, case: Case) -> Chain:
    """Ask the AUTO algorithms of the case's status for a next status and move there, again
    and again, each move in its own SAVEPOINT; stop when none answers, at a final status, on
    an error (that step rolled back) or when the chain would come back to a status it left."""
    session, lc = run.session, run.lc
    chain = Chain([])
    visited = {case.status_code}
    for _ in range(MAX_AUTO_STEPS):
        start = case.status_code
        if lc.status(start).is_final:
            return chain
        autos = _algorithms(session, case.case_type_code, start, CaseAlgorithmKind.AUTO)
        if not autos:
            return chain
        algorithm, target = autos[0].algorithm_code, None
        try:
            with session.begin_nested():
                for row in autos:
                    algorithm = row.algorithm_code
                    target = _call(run, case, row)
                    if target is not None:
                        break
                if target is not None:
                    target = target.strip().upper()
                    if target in visited:
                        raise _Loop
                    try:
                        lc.status(target)
                    except ValueError as exc:
                        raise DomainError(f"{exc} Ask an administrator to correct the case "
                                          "type.") from None
                    require_chars(session, case, lc, target)
                    move_case(run, case, target, algorithm_code=algorithm)
        except _Loop:
            back = lc.status(target or start).description
            chain.error = (start, target, algorithm,
                           f"it would move the case back to {back} (the case type's automatic "
                           "transitions go round in a circle).")
            return chain
        except StaleDataError:
            raise
        except Exception as exc:  # noqa: BLE001 — the step is rolled back and reported
            if isinstance(exc, AlgorithmFailed):
                algorithm, reason = exc.algorithm_code, exc.reason
            elif isinstance(exc, DomainError):
                reason = exc.message
            else:
                reason = str(exc) or type(exc).__name__
            chain.error = (start, target, algorithm, reason if reason.endswith(".")
                           else reason + ".")
            return chain
        if target is None:
            return chain
        chain.moves.append((target, algorithm))
        visited.add(target)
    chain.error = (case.status_code, None, chain.moves[-1][1] if chain.moves else "",
                   f"more than {MAX_AUTO_STEPS} automatic moves in a row.")
    return chain


def run_auto_chain(session: Session, case: Case, actor: Actor,
                   now: dt.datetime | None = None) -> str | None:
    """Inside an open transaction that holds the case row locked (e.g. completing the case's
    last To Do): run the case's auto-transition chain; the auto message, None when nothing
    happened."""
    kind = session.get(CaseType, case.case_type_code)
    assert kind is not None
    lc = lifecycle_of(session, kind.code)
    return auto_chain(CaseRun(session, kind, lc, actor.username, now or context.now()),
                      case).message(lc)


@dataclass(frozen=True)
class TransitionJobResult:
    """What the background job did: cases looked at, cases moved, moves made, cases whose
    automatic transition failed (they stay), and one line per case moved or failed."""

    examined: int
    moved: int
    transitions: int
    failed: int
    lines: tuple[str, ...] = field(default=())


# ----------------------------------------------------------------------------- background job


def _auto_statuses(session: Session) -> list[tuple[str, str]]:
    """(case type, status) pairs that are not final and have AUTO algorithms."""
    return list(session.execute(
        select(CaseTypeAlgorithm.case_type_code, CaseTypeAlgorithm.status_code).distinct()
        .join(CaseTypeStatus, and_(
            CaseTypeStatus.case_type_code == CaseTypeAlgorithm.case_type_code,
            CaseTypeStatus.status_code == CaseTypeAlgorithm.status_code))
        .where(CaseTypeAlgorithm.kind == CaseAlgorithmKind.AUTO,
               CaseTypeStatus.is_final.is_(False))
        .order_by(CaseTypeAlgorithm.case_type_code, CaseTypeAlgorithm.status_code))
        .all())


def _already_logged(session: Session, case: Case, status: str, algorithm: str,
                    reason: str) -> bool:
    """Whether the case's last log entry is this very failure: a case that cannot move is
    logged once, not on every run of the job (log entries are never removed)."""
    last = session.scalar(select(CaseLog).where(CaseLog.case_id == case.id)
                          .order_by(CaseLog.seq.desc()).limit(1))
    return (last is not None and last.log_type is CaseLogType.EXCEPTION
            and (last.from_status, last.algorithm_code, last.details)
            == (status, algorithm, reason))


def run_case_transitions(db: Database, actor: Actor = SYSTEM, *,
                         now: dt.datetime | None = None) -> TransitionJobResult:
    """The periodic case-transition job (spec/50 §5.2, CS-T10): every case in a non-final status
    with AUTO algorithms runs its auto-transition chain, one transaction per case. A failing
    step leaves the case where it was and logs TRANSITION_ERROR (from/to, algorithm) and
    EXCEPTION (the reason)."""
    actor.require("run the case transition job", UserRole.ADMIN)
    clock = now or context.now()
    with read_only(db) as session:
        pairs = _auto_statuses(session)
        ids: list[int] = []
        for case_type, status in pairs:       # each by the (type, status, opened) index
            ids += session.scalars(select(Case.id).where(Case.case_type_code == case_type,
                                                         Case.status_code == status))
    examined = moved = steps = failed = 0
    lines: list[str] = []
    lifecycles: dict[str, engine.CaseLifecycle] = {}
    for case_id in sorted(ids):
        examined += 1
        try:
            with transaction(db, actor) as session:
                case = session.scalar(select(Case).where(Case.id == case_id).with_for_update())
                if case is None:
                    continue
                kind = session.get(CaseType, case.case_type_code)
                assert kind is not None
                if kind.code not in lifecycles:
                    lifecycles[kind.code] = lifecycle_of(session, kind.code)
                lc = lifecycles[kind.code]
                chain = auto_chain(CaseRun(session, kind, lc, actor.username, clock), case)
                if chain.moves:
                    moved += 1
                    steps += len(chain.moves)
                    path = " → ".join(lc.status(to).description for to, _ in chain.moves)
                    lines.append(f"Case {case.number}: moved to {path} "
                                 f"({', '.join(a for _, a in chain.moves)})")
                if chain.error:
                    failed += 1
                    start, target, algorithm, reason = chain.error
                    to_text = lc.status(target).description if target and any(
                        s.code == target for s in lc.statuses) else (target or "a next status")
                    if _already_logged(session, case, start, algorithm, reason):
                        lines.append(f"Case {case.number}: still stays in "
                                     f"{lc.status(start).description} — {algorithm}: {reason}")
                        continue
                    append_log(session, case, CaseLogType.TRANSITION_ERROR,
                               f"Automatic transition from {lc.status(start).description} to "
                               f"{to_text} failed ({algorithm})", actor.username,
                               from_status=start, to_status=target and target[:STATUS_WIDTH],
                               algorithm_code=algorithm)
                    append_log(session, case, CaseLogType.EXCEPTION, reason, actor.username,
                               from_status=start, to_status=target and target[:STATUS_WIDTH],
                               algorithm_code=algorithm)
                    lines.append(f"Case {case.number}: stays in {lc.status(start).description}"
                                 f" — {algorithm}: {reason}")
        except Exception as exc:  # noqa: BLE001 — one case's trouble never stops the job
            failed += 1
            reason = exc.message if isinstance(exc, DomainError) else str(exc)
            lines.append(f"Case (id {case_id}) not examined: {reason}")
    return TransitionJobResult(examined, moved, steps, failed, tuple(lines))
