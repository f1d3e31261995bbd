"""Rate Version Merge (spec/20 §8) and Rate Schedule Merge (spec/10 §6.2): copying
components or collections from one rate into another, renumbering, and keeping every
reference pointing at the same component after the move."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from .enums import RateScheduleType, RateVersionStatus
from .errors import RateDefinitionError
from .schedules import EligibilityGroup, RateComponent, RateSchedule, RateVersion, RuleLink

Origin = Literal["ORIGINAL", "MERGE"]


@dataclass(frozen=True)
class MergeRow:
    """A row of the Original grid: a component already on the target (ORIGINAL) or copied
    from the Merge-From version and not saved yet (MERGE)."""

    origin: Origin
    component: RateComponent


def copy_warnings(source: RateVersion, copied: Sequence[int]) -> list[str]:
    """Warn when a copied component references components that are not being copied."""
    chosen = set(copied)
    out = []
    for rc in source.components:
        if rc.sequence not in chosen:
            continue
        refs = set(rc.xrefs)
        refs.update(s for s in (rc.value_rc, rc.step_rc) if s is not None)
        refs.update(c.rc for g in rc.eligibility for c in g.criteria if c.rc is not None)
        missing = sorted(refs - chosen)
        if missing:
            out.append(f"component {rc.sequence} ({rc.description or rc.type.value}) refers "
                       f"to {', '.join(map(str, missing))}, which "
                       f"{'is' if len(missing) == 1 else 'are'} not being copied")
    return out


def save_merge(target: RateVersion, rows: Sequence[MergeRow], *, start: int = 10,
               increment: int = 10) -> RateVersion:
    """The target version after saving the merge: rows in the given order, renumbered from
    ``start`` by ``increment``; references follow the components they point at; cross
    references to components not in the rows are dropped. Components of the target missing
    from ``rows`` were removed with "−" and are deleted."""
    if target.status is RateVersionStatus.FINISHED:
        raise RateDefinitionError(
            f"rate version {target.effective.isoformat()} is Finished and cannot be changed; "
            "set it to In Progress first")
    if start <= 0 or increment <= 0:
        raise RateDefinitionError("start from and increment by must be positive numbers")
    new_seq = {(r.origin, r.component.sequence): start + i * increment
               for i, r in enumerate(rows)}
    if len(new_seq) != len(rows):
        raise RateDefinitionError("a component appears twice in the merge")
    blocked: list[str] = []
    out: list[RateComponent] = []
    for r in rows:
        rc = r.component

        def remap(seq: int | None, origin: Origin = r.origin) -> int | None:
            return None if seq is None else new_seq.get((origin, seq))

        for what, seq in (("value component", rc.value_rc),
                          ("step multiplier component", rc.step_rc)):
            if seq is not None and remap(seq) is None:
                blocked.append(f"component {rc.sequence}'s {what} {seq}")
        groups = []
        for g in rc.eligibility:
            criteria = []
            for c in g.criteria:
                if c.rc is not None and remap(c.rc) is None:
                    blocked.append(f"component {rc.sequence}'s eligibility criterion "
                                   f"{c.sequence} (component {c.rc})")
                criteria.append(replace(c, rc=remap(c.rc)) if c.rc is not None else c)
            groups.append(EligibilityGroup(g.sequence, g.if_true, g.if_false, tuple(criteria),
                                           g.description))
        xrefs = tuple(s for s in (remap(x) for x in rc.xrefs) if s is not None)
        out.append(replace(rc, sequence=new_seq[(r.origin, rc.sequence)], xrefs=xrefs,
                           value_rc=remap(rc.value_rc), step_rc=remap(rc.step_rc),
                           eligibility=tuple(groups)))
    if blocked:
        raise RateDefinitionError(
            "the merge cannot be saved because these references point at components that are "
            "not in the version: " + "; ".join(blocked))
    changed = tuple(out) != target.components
    status = target.status
    if changed and status is RateVersionStatus.VALIDATED:
        status = RateVersionStatus.IN_PROGRESS
    return replace(target, components=tuple(out), status=status)


def merge_schedule_collections(target: RateSchedule, source: RateSchedule, *,
                               sq_rules: bool = True, register_rules: bool = True,
                               bill_messages: bool = True,
                               meter_config_types: bool = True) -> RateSchedule:
    """Rate Schedule Merge (spec/10 EX-14): copy the chosen collections of ``source`` onto
    ``target`` (entries it already has are skipped). Only collections change — never the
    frequency, currency or versions. Register rules and meter configuration types cannot go
    on a subsidiary schedule."""
    def extend(mine: tuple[RuleLink, ...], theirs: tuple[RuleLink, ...]) -> tuple[RuleLink, ...]:
        have = {link.rule for link in mine}
        nxt = max((link.sequence for link in mine), default=0)
        out = list(mine)
        for link in sorted(theirs, key=lambda x: x.sequence):
            if link.rule not in have:
                nxt += 10
                out.append(RuleLink(nxt, link.rule))
                have.add(link.rule)
        return tuple(out)

    subsidiary = target.type is RateScheduleType.SUBSIDIARY
    if subsidiary and ((register_rules and source.register_rules) or
                       (meter_config_types and source.meter_config_types)):
        raise RateDefinitionError(
            f"{target.code} is a subsidiary rate schedule: it cannot take register rules or "
            "meter configuration types")
    changes: dict[str, object] = {}
    if sq_rules:
        changes["sq_rules"] = extend(target.sq_rules, source.sq_rules)
    if register_rules:
        changes["register_rules"] = extend(target.register_rules, source.register_rules)
    if bill_messages:
        have = {(m.message, m.start) for m in target.bill_messages}
        changes["bill_messages"] = target.bill_messages + tuple(
            m for m in source.bill_messages if (m.message, m.start) not in have)
    if meter_config_types:
        changes["meter_config_types"] = target.meter_config_types + tuple(
            m for m in source.meter_config_types if m not in target.meter_config_types)
    return replace(target, **changes)  # type: ignore[arg-type]
