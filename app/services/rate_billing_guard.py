"""What bills have already used of a rate, and the rules that keep history priced as it was
billed (docs/decisions.md, "Rates in the database"). Billing uses Finished versions only.

A bill segment was *rated with* a rate schedule when its agreement was on that rate at the time
(an agreement that moved to another rate before the segment began no longer counts) — or, for
a sub-rate, on a primary rate that invokes it.

* A Finished version that a rated segment falls in (`used_by_bill`) cannot change or go:
  `refuse_if_billed`, and `refuse_replacing_billed` for an import.
* A version may only *become* Finished — by a status change, a save, an import or a merge; or,
  for a sub-rate, by a primary starting to invoke it — when it takes effect after the last
  day any segment rated with it covers (`finished_in_billed_period`). A version that was
  already Finished with the same effective date, for the same rates, is not judged again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from app.engine.rates import RateLibrary
from app.engine.rates.compiled import ValidationProblem
from app.engine.rates.enums import RateVersionStatus
from app.engine.rates.schedules import RateVersion
from app.models import rates as M
from app.models.financials import BillSegment
from app.models.service_agreements import ServiceAgreementRate
from app.services import rate_store
from app.services.errors import ValidationError

FINISHED = RateVersionStatus.FINISHED


@dataclass(frozen=True)
class FieldProblem(ValidationProblem):
    """A problem with a field of the rate version itself (not with one of its components);
    the editor shows it beside that field."""

    field: str = "effective"
    #: The effective date of the version concerned.
    version: dt.date | None = None


@dataclass(frozen=True)
class Exposure:
    """What billing reaches of one rate schedule: the effective dates of its Finished versions
    (those a change concerns), and the rates whose bill segments price with it — its own code
    and every primary rate that invokes it as a sub-rate."""

    finished: frozenset[dt.date]
    billed_through: frozenset[str]


# --- reading what was billed -----------------------------------------------------------------


def invoking_primaries(session: Session, code: str) -> set[str]:
    """The rate schedules that invoke ``code`` as a sub-rate."""
    return set(session.scalars(select(M.RateScheduleRow.code).join(
        M.RateScheduleLink, M.RateScheduleLink.schedule_id == M.RateScheduleRow.id).where(
        M.RateScheduleLink.kind == rate_store.SUB_RATE, M.RateScheduleLink.rule == code)))


def _rated_segments(codes: Collection[str], *columns: Any) -> Select[Any]:
    """``columns`` of every bill segment rated with one of ``codes``, joined to the rate
    history row that put its agreement on that rate."""
    later = aliased(ServiceAgreementRate)
    moved_off = select(later.id).where(
        later.service_agreement_id == ServiceAgreementRate.service_agreement_id,
        later.effective_from > ServiceAgreementRate.effective_from,
        later.effective_from <= BillSegment.start_date).exists()
    return (select(*columns).select_from(BillSegment)
            .join(ServiceAgreementRate, ServiceAgreementRate.service_agreement_id
                  == BillSegment.service_agreement_id)
            .where(ServiceAgreementRate.rate_schedule_code.in_(sorted(codes)),
                   ServiceAgreementRate.effective_from <= BillSegment.end_date, ~moved_off))


def used_by_bill(session: Session, code: str, effective: dt.date,
                 next_effective: dt.date | None) -> bool:
    """Whether a bill segment rated with ``code`` falls in the version's period (from
    ``effective`` up to ``next_effective``)."""
    stmt = _rated_segments({code, *invoking_primaries(session, code)}, BillSegment.id).where(
        BillSegment.end_date >= effective).limit(1)
    if next_effective is not None:
        stmt = stmt.where(BillSegment.start_date < next_effective)
    return session.scalar(stmt) is not None


def last_billed(session: Session, codes: Iterable[str]) -> dict[str, dt.date]:
    """The last day billed with each of ``codes`` (one query; codes never billed are left
    out)."""
    wanted = set(codes)
    if not wanted:
        return {}
    rate = ServiceAgreementRate.rate_schedule_code
    rows = session.execute(_rated_segments(wanted, rate, func.max(BillSegment.end_date))
                           .group_by(rate))
    return {code: day for code, day in rows}


# --- the rule --------------------------------------------------------------------------------


def finished_in_billed_period(code: str, before: Exposure | None, after: Exposure,
                              billed: dict[str, dt.date]) -> FieldProblem | None:
    """The first Finished version of ``after`` that would take effect on or before a day
    already billed with it (``billed``: `last_billed` of at least ``after.billed_through``).
    A version Finished in ``before`` as well is judged only against the rates that newly
    bill with it."""
    for effective in sorted(after.finished):
        was = before.billed_through if before and effective in before.finished else None
        rates = after.billed_through - (was or frozenset())
        days = [(billed[c], c == code, c) for c in rates if c in billed]
        if not days:
            continue
        last, _own, by = max(days)          # on a tie, name the rate itself
        if effective > last:
            continue
        first_free = (last + dt.timedelta(days=1)).isoformat()
        if was is not None:              # already Finished: a primary starts to invoke it
            return FieldProblem(
                f"Bills on {by} already cover up to {last.isoformat()}, so {by} cannot start "
                f"to invoke {code}: its Finished version {effective.isoformat()} would "
                f"re-price them. Link a sub-rate whose Finished versions take effect on "
                f"{first_free} or later.", field="sub_rates", version=effective)
        whose, of = (by, "") if by == code else (f"{by}, which invokes {code},", f" of {code}")
        return FieldProblem(
            f"Bills on {whose} already cover up to {last.isoformat()}: a Finished version{of} "
            f"must take effect on {first_free} or later. Choose a later effective date, or "
            "keep it In Progress/Validated to check it.", version=effective)
    return None


def version_in_billed_period(session: Session, code: str, before: RateVersion | None,
                             after: RateVersion) -> FieldProblem | None:
    """`finished_in_billed_period` for one version of ``code`` changing from ``before`` (None:
    new) to ``after``: nothing to judge unless it becomes Finished or moves its date."""
    if after.status is not FINISHED or (before is not None and before.status is FINISHED
                                        and before.effective == after.effective):
        return None
    through = frozenset({code, *invoking_primaries(session, code)})
    return finished_in_billed_period(code, None, Exposure(frozenset({after.effective}),
                                                          through),
                                     last_billed(session, through))


def refuse_invoking_finished_in_billed_period(session: Session, code: str,
                                              sub_rates: Collection[str]) -> None:
    """Sub-rates newly linked to ``code`` bring their Finished versions into the periods
    already billed with ``code``: each must take effect after the last day billed."""
    billed = last_billed(session, [code]) if sub_rates else {}
    for sub in sorted(sub_rates) if billed else ():
        finished = frozenset(session.scalars(select(M.RateVersionRow.effective).join(
            M.RateScheduleRow, M.RateScheduleRow.id == M.RateVersionRow.schedule_id).where(
            M.RateScheduleRow.code == sub, M.RateVersionRow.status == FINISHED.value)))
        through = frozenset({sub, *invoking_primaries(session, sub)})
        problem = finished_in_billed_period(sub, Exposure(finished, through),
                                            Exposure(finished, through | {code}), billed)
        if problem is not None:
            raise ValidationError(problem.message, problem.field)


# --- imports ---------------------------------------------------------------------------------


def _exposure(library: RateLibrary, code: str) -> Exposure | None:
    rs = library.rate_schedules.get(code)
    if rs is None:
        return None
    return Exposure(frozenset(v.effective for v in rs.versions if v.status is FINISHED),
                    frozenset({code, *(p for p, other in library.rate_schedules.items()
                                       if any(link.rule == code for link in other.sub_rates))}))


def refuse_imported_finished_in_billed_period(session: Session, have: RateLibrary,
                                              merged: RateLibrary, lib: RateLibrary) -> None:
    """The Finished versions an import brings (``lib``, turning ``have`` into ``merged``),
    and the sub-rates its primaries start to invoke, must take effect after the last day
    billed."""
    codes = set(lib.rate_schedules) | {link.rule for rs in lib.rate_schedules.values()
                                       for link in rs.sub_rates}
    pairs = [(code, _exposure(have, code), _exposure(merged, code)) for code in sorted(codes)]
    billed = last_billed(session, {c for _code, _before, after in pairs if after is not None
                                   for c in after.billed_through})
    for code, before, after in pairs if billed else ():
        problem = None if after is None else finished_in_billed_period(code, before, after,
                                                                      billed)
        if problem is not None:
            what = (f"Rate version {problem.version.isoformat()} of {code} is Finished in the "
                    "file. " if problem.version and problem.field == "effective" else "")
            raise ValidationError(f"{what}{problem.message} Nothing was imported.",
                                  problem.field)


def next_finished(versions: Sequence[tuple[dt.date, str]], index: int) -> dt.date | None:
    """Where billing stops using version ``index`` of (effective, status) pairs sorted by
    date: the next Finished version's date. Billing ignores In Progress and Validated
    versions, so one of those in between does not end the Finished version's period."""
    for effective, status in versions[index + 1:]:
        if status == FINISHED.value:
            return effective
    return None


def refuse_replacing_billed(session: Session, have: RateLibrary, lib: RateLibrary) -> None:
    """Replacing a schedule may not change a Finished version that bills were calculated
    with, exactly as an edit may not."""
    for code, incoming in lib.rate_schedules.items():
        stored = have.rate_schedules.get(code)
        if stored is None:
            continue
        kept = {v.effective: v for v in incoming.versions}
        old = sorted(stored.versions, key=lambda v: v.effective)
        dated = [(v.effective, v.status.value) for v in old]
        for i, v in enumerate(old):
            nxt = next_finished(dated, i)
            if kept.get(v.effective) != v and v.status is FINISHED \
                    and used_by_bill(session, code, v.effective, nxt):
                raise ValidationError(
                    f"Rate version {v.effective.isoformat()} of {code} is Finished and bills "
                    "were calculated with it, so the import cannot change it. Nothing was "
                    "imported; keep that version as it is and add a new version with a later "
                    "effective date.", "file")


def refuse_if_billed(session: Session, code: str, version: RateVersion,
                     next_effective: dt.date | None) -> None:
    """A Finished version that bills were calculated with cannot be changed or deleted."""
    if version.status is FINISHED and used_by_bill(session, code, version.effective,
                                                   next_effective):
        raise ValidationError(
            f"Rate version {version.effective.isoformat()} of {code} is Finished and bills "
            "were calculated with it, so it cannot be changed. Add a new version with a later "
            "effective date to supersede it.", "status")
