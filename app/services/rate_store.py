"""Rate definitions between the database rows (`app.models.rates`) and the engine's model.

`read_library(session)` builds the whole `RateLibrary` in a fixed number of queries (one per
table, whatever the number of schedules); the `write_*` functions insert one definition's rows
with bulk inserts. Both directions are exact: `read_library` after `write_library(lib)` gives a
library equal to `lib` (tested on the shipped library).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.engine.rates import enums as E
from app.engine.rates.bill_factors import (
    BillFactor,
    BillFactorCharacteristic,
    BillFactorTouValue,
    BillFactorValue,
    IntervalValue,
    IntervalValueSet,
)
from app.engine.rates.controls import (
    Currency,
    Frequency,
    RegisterRule,
    ServiceQuantityIdentifier,
    SqKey,
    SqRule,
    TimeOfUse,
    TouGroup,
    TouMap,
    TouMapPeriod,
    UnitOfMeasure,
)
from app.engine.rates.library import RateLibrary
from app.engine.rates.schedules import (
    AlgorithmRef,
    BillMessageLink,
    EligibilityCriterion,
    EligibilityGroup,
    GlDistribution,
    RateComponent,
    RateSchedule,
    RateVersion,
    RuleLink,
    Season,
    Step,
)
from app.models import rates as M

SQ_RULE, REGISTER_RULE, SUB_RATE = "SQ_RULE", "REGISTER_RULE", "SUB_RATE"


# --- small conversions -----------------------------------------------------------------------


def _md(value: tuple[int, int] | None) -> str | None:
    return None if value is None else f"{value[0]:02d}-{value[1]:02d}"


def _parse_md(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    month, day = text.split("-")
    return int(month), int(day)


def _alg(ref: AlgorithmRef | None) -> tuple[str | None, dict[str, str] | None]:
    return (None, None) if ref is None else (ref.code, dict(ref.params))


def _ref(code: str | None, params: Mapping[str, str] | None) -> AlgorithmRef | None:
    return None if code is None else AlgorithmRef(code, dict(params or {}))


def _enum(cls: type[E.StrEnum], value: str | None) -> Any:
    return None if value is None else cls(value)


def _value(v: Any) -> str | None:
    return None if v is None else str(v.value)


# --- writing ---------------------------------------------------------------------------------


def clear_library(session: Session) -> None:
    """Delete every rate definition (children first, so it works without cascades)."""
    for table in (M.RateEligibilityCriterion, M.RateEligibilityGroup, M.RateComponentXref,
                  M.RateComponentGl, M.RateComponentCharacteristic, M.RateComponentRow,
                  M.RateVersionRow, M.RateScheduleLink, M.RateScheduleBillMessage,
                  M.RateScheduleMeterConfig, M.RateScheduleRow, M.BillFactorIntervalValue,
                  M.BillFactorIntervalSet, M.BillFactorTouValueRow, M.BillFactorValueRow,
                  M.BillFactorGl, M.BillFactorCharacteristicRow, M.BillFactorRow,
                  M.RateSqRule, M.RateRegisterRule, M.RateTouMapPeriod, M.RateTouMap,
                  M.RateTouGroupMember, M.RateTouGroup, M.RateTou, M.RateSqi, M.RateUom,
                  M.RateFrequency, M.RateCurrency):
        session.execute(delete(table))


def _new_id(session: Session, table: Any, row: dict[str, Any]) -> int:
    return int(session.execute(insert(table).values(**row).returning(table.id)).scalar_one())


def _bulk(session: Session, table: type, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(table), rows)


def write_controls(session: Session, lib: RateLibrary) -> None:
    """Insert the control tables and rules of ``lib`` (codes must not exist yet)."""
    _bulk(session, M.RateCurrency, [dict(code=c.code, decimals=c.decimals, symbol=c.symbol)
                                    for c in lib.currencies.values()])
    _bulk(session, M.RateFrequency, [
        dict(code=f.code, description=f.description, periods_per_year=f.periods_per_year,
             min_days_offset=f.min_days_offset, max_days_offset=f.max_days_offset)
        for f in lib.frequencies.values()])
    _bulk(session, M.RateUom, [dict(code=u.code, description=u.description,
                                    decimal_positions=u.decimal_positions,
                                    measures_peak=u.measures_peak) for u in lib.uoms.values()])
    _bulk(session, M.RateTou, [dict(code=t.code, description=t.description)
                               for t in lib.tous.values()])
    _bulk(session, M.RateTouGroup, [dict(code=g.code, description=g.description)
                                    for g in lib.tou_groups.values()])
    _bulk(session, M.RateTouGroupMember, [dict(group_code=g.code, position=i, tou=t)
                                          for g in lib.tou_groups.values()
                                          for i, t in enumerate(g.members)])
    _bulk(session, M.RateTouMap, [dict(code=m.code, description=m.description)
                                  for m in lib.tou_maps.values()])
    _bulk(session, M.RateTouMapPeriod, [dict(map_code=m.code, position=i, start=p.start,
                                             end=p.end, tou=p.tou)
                                        for m in lib.tou_maps.values()
                                        for i, p in enumerate(m.periods)])
    _bulk(session, M.RateSqi, [dict(code=s.code, description=s.description,
                                    decimal_positions=s.decimal_positions)
                               for s in lib.sqis.values()])
    _bulk(session, M.RateRegisterRule, [
        dict(code=r.code, description=r.description, algorithm=r.algorithm,
             params=list(r.params), comments=r.comments) for r in lib.register_rules.values()])
    _bulk(session, M.RateSqRule, [
        dict(code=r.code, description=r.description, algorithm=r.algorithm,
             params=list(r.params), output_uom=r.output.uom, output_tou=r.output.tou,
             output_sqi=r.output.sqi, qty_to_use=r.qty_to_use.value,
             create_billing_error=r.create_billing_error, processing=r.processing.value,
             long_description=r.long_description) for r in lib.sq_rules.values()])


def schedule_header(rs: RateSchedule) -> dict[str, Any]:
    return dict(code=rs.code, description=rs.description, type=rs.type.value,
                service_type=rs.service_type, frequency=rs.frequency, currency=rs.currency,
                allow_estimates=rs.allow_estimates, allow_rv_proration=rs.allow_rv_proration,
                rv_selection_date=_value(rs.rv_selection_date))


def write_schedule_collections(session: Session, schedule_id: int, rs: RateSchedule) -> None:
    """Replace the rule links, bill messages and meter configurations of a schedule."""
    for table in (M.RateScheduleLink, M.RateScheduleBillMessage, M.RateScheduleMeterConfig):
        session.execute(delete(table).where(table.schedule_id == schedule_id))
    links = [(SQ_RULE, rs.sq_rules), (REGISTER_RULE, rs.register_rules),
             (SUB_RATE, rs.sub_rates)]
    _bulk(session, M.RateScheduleLink, [dict(schedule_id=schedule_id, kind=kind,
                                             sequence=link.sequence, rule=link.rule)
                                        for kind, items in links for link in items])
    _bulk(session, M.RateScheduleBillMessage, [
        dict(schedule_id=schedule_id, position=i, message=m.message, start=m.start, end=m.end)
        for i, m in enumerate(rs.bill_messages)])
    _bulk(session, M.RateScheduleMeterConfig, [
        dict(schedule_id=schedule_id, position=i, meter_config_type=t)
        for i, t in enumerate(rs.meter_config_types)])


def component_row(version_id: int, rc: RateComponent) -> dict[str, Any]:
    value_alg, value_params = _alg(rc.value_algorithm)
    step_alg, step_params = _alg(rc.step_algorithm)
    calc_alg, calc_params = _alg(rc.calc_algorithm)
    audit_alg, audit_params = _alg(rc.audit_algorithm)
    return dict(
        version_id=version_id, sequence=rc.sequence, type=rc.type.value,
        description=rc.description, description_on_bill=rc.description_on_bill,
        print=rc.print, print_if_zero=rc.print_if_zero, rounding=rc.rounding.value,
        precision=rc.precision, fcpo=rc.fcpo, result_type=_value(rc.result_type),
        create_bill_line=rc.create_bill_line, fcpo_retention=_value(rc.fcpo_retention),
        value_type=_value(rc.value_type), value_source=rc.value_source.value, value=rc.value,
        bill_factor=rc.bill_factor, value_rc=rc.value_rc, value_algorithm=value_alg,
        value_algorithm_params=value_params,
        season_start=_md(rc.season.start) if rc.season else None,
        season_end=_md(rc.season.end) if rc.season else None,
        season_method=rc.season.method.value if rc.season else None,
        uom=rc.uom, tou=rc.tou, sqi=rc.sqi, error_if_no_value=rc.error_if_no_value,
        stepped=rc.step is not None, step_low=rc.step.low if rc.step else None,
        step_high=rc.step.high if rc.step else None, step_rc=rc.step_rc,
        step_algorithm=step_alg, step_algorithm_params=step_params,
        gl_statistical_qty=rc.gl_statistical_qty, measures_peak=rc.measures_peak,
        item_type=rc.item_type, tou_map=rc.tou_map, calc_algorithm=calc_alg,
        calc_algorithm_params=calc_params, audit_algorithm=audit_alg,
        audit_algorithm_params=audit_params, derive_sq=rc.derive_sq,
        has_gl=rc.gl is not None, gl_code=rc.gl.code if rc.gl else None)


def write_components(session: Session, version_id: int,
                     components: Iterable[RateComponent]) -> None:
    """Replace the components of one rate version (with every child row)."""
    session.execute(delete(M.RateComponentRow).where(M.RateComponentRow.version_id == version_id))
    comps = list(components)
    if not comps:
        return
    ids = session.execute(
        insert(M.RateComponentRow).returning(M.RateComponentRow.id,
                                             M.RateComponentRow.sequence),
        [component_row(version_id, rc) for rc in comps]).all()
    id_of = {seq: cid for cid, seq in ids}
    xrefs, gls, chars, groups = [], [], [], []
    for rc in comps:
        cid = id_of[rc.sequence]
        xrefs += [dict(component_id=cid, position=i, ref_sequence=s)
                  for i, s in enumerate(rc.xrefs)]
        if rc.gl is not None:
            gls += [dict(component_id=cid, revenue_class=k, distribution_code=v)
                    for k, v in rc.gl.by_revenue_class.items()]
        chars += [dict(component_id=cid, position=i, char_type=t, char_value=v)
                  for i, (t, v) in enumerate(rc.characteristics)]
        groups += [(cid, g) for g in rc.eligibility]
    _bulk(session, M.RateComponentXref, xrefs)
    _bulk(session, M.RateComponentGl, gls)
    _bulk(session, M.RateComponentCharacteristic, chars)
    for cid, g in groups:
        gid = _new_id(session, M.RateEligibilityGroup, dict(component_id=cid, sequence=g.sequence,
                                   if_true=g.if_true.value, if_false=g.if_false.value,
                                   description=g.description))
        crits = []
        for c in g.criteria:
            f_alg, f_params = _alg(c.field_algorithm)
            c_alg, c_params = _alg(c.comparison_algorithm)
            crits.append(dict(
                group_id=gid, sequence=c.sequence, field=c.field.value,
                comparison=c.comparison.value, value=c.value, if_true=c.if_true.value,
                if_false=c.if_false.value, if_insufficient=c.if_insufficient.value,
                char_entity=_value(c.char_entity), char_type=c.char_type, rc=c.rc,
                has_sq=c.sq is not None, sq_uom=c.sq.uom if c.sq else None,
                sq_tou=c.sq.tou if c.sq else None, sq_sqi=c.sq.sqi if c.sq else None,
                field_algorithm=f_alg, field_algorithm_params=f_params,
                comparison_algorithm=c_alg, comparison_algorithm_params=c_params,
                description=c.description))
        _bulk(session, M.RateEligibilityCriterion, crits)


def bill_factor_header(bf: BillFactor) -> dict[str, Any]:
    return dict(code=bf.code, description=bf.description, char_type=bf.char_type,
                char_source=bf.char_source.value, type=bf.type.value, currency=bf.currency,
                value_type=bf.value_type.value, error_if_no_value=bf.error_if_no_value,
                tax_exemption=bf.tax_exemption, value_in_contract_term=bf.value_in_contract_term,
                contract_rider_applicability=bf.contract_rider_applicability,
                allow_proration=bf.allow_proration, rate_selection_date=bf.rate_selection_date,
                use_sub_sa_contract_terms=bf.use_sub_sa_contract_terms,
                tos_usage=_value(bf.tos_usage))


def write_bill_factor_values(session: Session, bill_factor_id: int, bf: BillFactor) -> None:
    """Replace the characteristics of a bill factor with every value they hold."""
    session.execute(delete(M.BillFactorCharacteristicRow)
                    .where(M.BillFactorCharacteristicRow.bill_factor_id == bill_factor_id))
    values, tous, gls = [], [], []
    for char_value, bfc in bf.characteristics.items():
        cid = _new_id(session, M.BillFactorCharacteristicRow, dict(bill_factor_id=bill_factor_id, char_value=char_value,
                  minutes_per_interval=bfc.minutes_per_interval, external_id=bfc.external_id))
        values += [dict(characteristic_id=cid, effective=v.effective, value=v.value)
                   for v in bfc.values]
        tous += [dict(characteristic_id=cid, tou_group=t.tou_group, effective=t.effective,
                      position=i, tou=tou, value=value)
                 for t in bfc.tou_values for i, (tou, value) in enumerate(t.values.items())]
        gls += [dict(characteristic_id=cid, revenue_class=k, distribution_code=v)
                for k, v in bfc.gl_distribution.items()]
        for i, s in enumerate(bfc.interval_sets):
            sid = _new_id(session, M.BillFactorIntervalSet, dict(characteristic_id=cid, position=i, set_id=s.set_id, set_at=s.set_at,
                      complete=s.complete))
            _bulk(session, M.BillFactorIntervalValue, [
                dict(set_row_id=sid, position=j, at=iv.at, value=iv.value)
                for j, iv in enumerate(s.values)])
    _bulk(session, M.BillFactorValueRow, values)
    _bulk(session, M.BillFactorTouValueRow, tous)
    _bulk(session, M.BillFactorGl, gls)


def write_library(session: Session, lib: RateLibrary, *, by: str) -> None:
    """Insert every definition of ``lib`` (none of its codes may exist yet)."""
    write_controls(session, lib)
    for bf in lib.bill_factors.values():
        bid = _new_id(session, M.BillFactorRow, dict(bill_factor_header(bf), version=1, updated_by=by))
        assert bid is not None
        write_bill_factor_values(session, bid, bf)
    for rs in lib.rate_schedules.values():
        sid = _new_id(session, M.RateScheduleRow, dict(schedule_header(rs), version=1, updated_by=by))
        assert sid is not None
        write_schedule_collections(session, sid, rs)
        for rv in rs.versions:
            vid = _new_id(session, M.RateVersionRow, dict(schedule_id=sid, effective=rv.effective,
                                       status=rv.status.value,
                                       description_on_bill=rv.description_on_bill, version=1,
                                       updated_by=by))
            assert vid is not None
            write_components(session, vid, rv.components)


# --- reading ---------------------------------------------------------------------------------


def _all(session: Session, table: type, *order: Any) -> list[Any]:
    return list(session.scalars(select(table).order_by(*order)))


def read_controls(session: Session) -> dict[str, Any]:
    members: dict[str, list[str]] = defaultdict(list)
    for m in _all(session, M.RateTouGroupMember, M.RateTouGroupMember.group_code,
                  M.RateTouGroupMember.position):
        members[m.group_code].append(m.tou)
    periods: dict[str, list[TouMapPeriod]] = defaultdict(list)
    for p in _all(session, M.RateTouMapPeriod, M.RateTouMapPeriod.map_code,
                  M.RateTouMapPeriod.position):
        periods[p.map_code].append(TouMapPeriod(p.start, p.end, p.tou))
    return dict(
        currencies={c.code: Currency(c.code, c.decimals, c.symbol)
                    for c in _all(session, M.RateCurrency, M.RateCurrency.code)},
        frequencies={f.code: Frequency(f.code, f.description, f.periods_per_year,
                                       f.min_days_offset, f.max_days_offset)
                     for f in _all(session, M.RateFrequency, M.RateFrequency.code)},
        uoms={u.code: UnitOfMeasure(u.code, u.description, u.decimal_positions,
                                    u.measures_peak)
              for u in _all(session, M.RateUom, M.RateUom.code)},
        tous={t.code: TimeOfUse(t.code, t.description)
              for t in _all(session, M.RateTou, M.RateTou.code)},
        tou_groups={g.code: TouGroup(g.code, g.description, tuple(members[g.code]))
                    for g in _all(session, M.RateTouGroup, M.RateTouGroup.code)},
        tou_maps={m.code: TouMap(m.code, m.description, tuple(periods[m.code]))
                  for m in _all(session, M.RateTouMap, M.RateTouMap.code)},
        sqis={s.code: ServiceQuantityIdentifier(s.code, s.description, s.decimal_positions)
              for s in _all(session, M.RateSqi, M.RateSqi.code)},
        register_rules={r.code: RegisterRule(r.code, r.description, r.algorithm,
                                             tuple(r.params), r.comments)
                        for r in _all(session, M.RateRegisterRule, M.RateRegisterRule.code)},
        sq_rules={r.code: SqRule(r.code, r.description, r.algorithm, tuple(r.params),
                                 SqKey(r.output_uom, r.output_tou, r.output_sqi),
                                 E.SqQtyToUse(r.qty_to_use), r.create_billing_error,
                                 E.SqRuleProcessing(r.processing), r.long_description)
                  for r in _all(session, M.RateSqRule, M.RateSqRule.code)},
    )


def _component(r: M.RateComponentRow, xrefs: list[int], gl: dict[str, str],
               chars: list[tuple[str, str]], groups: list[EligibilityGroup]) -> RateComponent:
    season = None
    if r.season_start is not None and r.season_end is not None and r.season_method:
        start, end = _parse_md(r.season_start), _parse_md(r.season_end)
        assert start is not None and end is not None
        season = Season(start, end, E.SeasonalMethod(r.season_method))
    return RateComponent(
        sequence=r.sequence, type=E.ComponentType(r.type), description=r.description,
        description_on_bill=r.description_on_bill, print=r.print,
        print_if_zero=r.print_if_zero, rounding=E.RoundingMethod(r.rounding),
        precision=r.precision, fcpo=r.fcpo, result_type=_enum(E.FcpoResultType, r.result_type),
        create_bill_line=r.create_bill_line,
        fcpo_retention=_enum(E.FcpoRetention, r.fcpo_retention),
        value_type=_enum(E.ValueType, r.value_type), value_source=E.ValueSource(r.value_source),
        value=r.value, bill_factor=r.bill_factor, value_rc=r.value_rc,
        value_algorithm=_ref(r.value_algorithm, r.value_algorithm_params), season=season,
        uom=r.uom, tou=r.tou, sqi=r.sqi, error_if_no_value=r.error_if_no_value,
        step=Step(r.step_low if r.step_low is not None else Decimal(0), r.step_high)
        if r.stepped else None,
        step_rc=r.step_rc, step_algorithm=_ref(r.step_algorithm, r.step_algorithm_params),
        gl_statistical_qty=r.gl_statistical_qty, measures_peak=r.measures_peak,
        item_type=r.item_type, tou_map=r.tou_map,
        calc_algorithm=_ref(r.calc_algorithm, r.calc_algorithm_params),
        audit_algorithm=_ref(r.audit_algorithm, r.audit_algorithm_params),
        derive_sq=r.derive_sq, xrefs=tuple(xrefs),
        gl=GlDistribution(r.gl_code, gl) if r.has_gl else None,
        characteristics=tuple(chars), eligibility=tuple(groups))


def read_components(session: Session, version_ids: list[int] | None = None
                    ) -> dict[int, list[RateComponent]]:
    """Components by rate version id, in sequence order (every version, or those given)."""
    def q(table: Any, *order: Any) -> list[Any]:
        stmt = select(table)
        if version_ids is not None:
            if table is M.RateComponentRow:
                stmt = stmt.where(M.RateComponentRow.version_id.in_(version_ids))
            elif table is M.RateEligibilityCriterion:
                stmt = stmt.join(M.RateEligibilityGroup).join(
                    M.RateComponentRow,
                    M.RateComponentRow.id == M.RateEligibilityGroup.component_id).where(
                    M.RateComponentRow.version_id.in_(version_ids))
            else:
                stmt = stmt.join(M.RateComponentRow,
                                 M.RateComponentRow.id == table.component_id).where(
                    M.RateComponentRow.version_id.in_(version_ids))
        return list(session.scalars(stmt.order_by(*order)))

    xrefs: dict[int, list[int]] = defaultdict(list)
    for x in q(M.RateComponentXref, M.RateComponentXref.component_id,
               M.RateComponentXref.position):
        xrefs[x.component_id].append(x.ref_sequence)
    gls: dict[int, dict[str, str]] = defaultdict(dict)
    for g in q(M.RateComponentGl, M.RateComponentGl.component_id,
               M.RateComponentGl.revenue_class):
        gls[g.component_id][g.revenue_class] = g.distribution_code
    chars: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for c in q(M.RateComponentCharacteristic, M.RateComponentCharacteristic.component_id,
               M.RateComponentCharacteristic.position):
        chars[c.component_id].append((c.char_type, c.char_value))
    criteria: dict[int, list[EligibilityCriterion]] = defaultdict(list)
    for c in q(M.RateEligibilityCriterion, M.RateEligibilityCriterion.group_id,
               M.RateEligibilityCriterion.sequence):
        criteria[c.group_id].append(EligibilityCriterion(
            sequence=c.sequence, field=E.CriteriaField(c.field),
            comparison=E.Comparison(c.comparison), value=c.value,
            if_true=E.CriterionAction(c.if_true), if_false=E.CriterionAction(c.if_false),
            if_insufficient=E.CriterionAction(c.if_insufficient),
            char_entity=_enum(E.CharEntity, c.char_entity), char_type=c.char_type, rc=c.rc,
            sq=SqKey(c.sq_uom, c.sq_tou, c.sq_sqi) if c.has_sq else None,
            field_algorithm=_ref(c.field_algorithm, c.field_algorithm_params),
            comparison_algorithm=_ref(c.comparison_algorithm, c.comparison_algorithm_params),
            description=c.description))
    groups: dict[int, list[EligibilityGroup]] = defaultdict(list)
    for g in q(M.RateEligibilityGroup, M.RateEligibilityGroup.component_id,
               M.RateEligibilityGroup.sequence):
        groups[g.component_id].append(EligibilityGroup(
            g.sequence, E.GroupAction(g.if_true), E.GroupAction(g.if_false),
            tuple(criteria[g.id]), g.description))
    out: dict[int, list[RateComponent]] = defaultdict(list)
    for r in q(M.RateComponentRow, M.RateComponentRow.version_id, M.RateComponentRow.sequence):
        out[r.version_id].append(_component(r, xrefs[r.id], gls[r.id], chars[r.id],
                                            groups[r.id]))
    return out


def schedule_from_rows(r: M.RateScheduleRow, links: list[M.RateScheduleLink],
                       messages: list[M.RateScheduleBillMessage],
                       configs: list[M.RateScheduleMeterConfig],
                       versions: tuple[RateVersion, ...]) -> RateSchedule:
    def kind(k: str) -> tuple[RuleLink, ...]:
        return tuple(RuleLink(link.sequence, link.rule) for link in links if link.kind == k)

    return RateSchedule(
        code=r.code, description=r.description, type=E.RateScheduleType(r.type),
        service_type=r.service_type, frequency=r.frequency, currency=r.currency,
        allow_estimates=r.allow_estimates, allow_rv_proration=r.allow_rv_proration,
        rv_selection_date=_enum(E.RvSelectionDate, r.rv_selection_date),
        sq_rules=kind(SQ_RULE), register_rules=kind(REGISTER_RULE),
        bill_messages=tuple(BillMessageLink(m.message, m.start, m.end) for m in messages),
        meter_config_types=tuple(c.meter_config_type for c in configs),
        sub_rates=kind(SUB_RATE), versions=versions)


def read_schedules(session: Session) -> dict[str, RateSchedule]:
    comps = read_components(session)
    versions: dict[int, list[RateVersion]] = defaultdict(list)
    for v in _all(session, M.RateVersionRow, M.RateVersionRow.schedule_id,
                  M.RateVersionRow.effective):
        versions[v.schedule_id].append(RateVersion(
            v.effective, E.RateVersionStatus(v.status), tuple(comps.get(v.id, ())),
            v.description_on_bill))
    links: dict[int, list[Any]] = defaultdict(list)
    for link in _all(session, M.RateScheduleLink, M.RateScheduleLink.schedule_id,
                     M.RateScheduleLink.sequence):
        links[link.schedule_id].append(link)
    messages: dict[int, list[Any]] = defaultdict(list)
    for m in _all(session, M.RateScheduleBillMessage, M.RateScheduleBillMessage.schedule_id,
                  M.RateScheduleBillMessage.position):
        messages[m.schedule_id].append(m)
    configs: dict[int, list[Any]] = defaultdict(list)
    for c in _all(session, M.RateScheduleMeterConfig, M.RateScheduleMeterConfig.schedule_id,
                  M.RateScheduleMeterConfig.position):
        configs[c.schedule_id].append(c)
    return {r.code: schedule_from_rows(r, links[r.id], messages[r.id], configs[r.id],
                                       tuple(versions[r.id]))
            for r in _all(session, M.RateScheduleRow, M.RateScheduleRow.code)}


def read_bill_factors(session: Session, codes: list[str] | None = None
                      ) -> dict[str, BillFactor]:
    bf_stmt = select(M.BillFactorRow).order_by(M.BillFactorRow.code)
    if codes is not None:
        bf_stmt = bf_stmt.where(M.BillFactorRow.code.in_(codes))
    rows = list(session.scalars(bf_stmt))
    ids = [r.id for r in rows]
    chars = list(session.scalars(select(M.BillFactorCharacteristicRow).where(
        M.BillFactorCharacteristicRow.bill_factor_id.in_(ids)).order_by(
        M.BillFactorCharacteristicRow.id)))
    cids = [c.id for c in chars]

    def by_char(table: Any, *order: Any) -> dict[int, list[Any]]:
        out: dict[int, list[Any]] = defaultdict(list)
        for row in session.scalars(select(table).where(table.characteristic_id.in_(cids))
                                   .order_by(*order)):
            out[row.characteristic_id].append(row)
        return out

    values = by_char(M.BillFactorValueRow, M.BillFactorValueRow.effective)
    tou_rows = by_char(M.BillFactorTouValueRow, M.BillFactorTouValueRow.tou_group,
                       M.BillFactorTouValueRow.effective, M.BillFactorTouValueRow.position)
    gls = by_char(M.BillFactorGl, M.BillFactorGl.revenue_class)
    sets = by_char(M.BillFactorIntervalSet, M.BillFactorIntervalSet.position)
    set_ids = [s.id for ss in sets.values() for s in ss]
    ivalues: dict[int, list[IntervalValue]] = defaultdict(list)
    if set_ids:
        for iv in session.scalars(select(M.BillFactorIntervalValue).where(
                M.BillFactorIntervalValue.set_row_id.in_(set_ids)).order_by(
                M.BillFactorIntervalValue.set_row_id, M.BillFactorIntervalValue.position)):
            ivalues[iv.set_row_id].append(IntervalValue(iv.at, iv.value))
    per_bf: dict[int, dict[str, BillFactorCharacteristic]] = defaultdict(dict)
    for c in chars:
        tous: dict[tuple[str, dt.date], dict[str, Decimal]] = {}
        for t in tou_rows[c.id]:
            tous.setdefault((t.tou_group, t.effective), {})[t.tou] = t.value
        per_bf[c.bill_factor_id][c.char_value] = BillFactorCharacteristic(
            char_value=c.char_value,
            values=tuple(BillFactorValue(v.effective, v.value) for v in values[c.id]),
            tou_values=tuple(BillFactorTouValue(g, eff, vals)
                             for (g, eff), vals in tous.items()),
            interval_sets=tuple(IntervalValueSet(s.set_id, s.set_at, tuple(ivalues[s.id]),
                                                 s.complete) for s in sets[c.id]),
            gl_distribution={g.revenue_class: g.distribution_code for g in gls[c.id]},
            minutes_per_interval=c.minutes_per_interval, external_id=c.external_id)
    return {r.code: BillFactor(
        code=r.code, description=r.description, char_type=r.char_type,
        char_source=E.CharSource(r.char_source), type=E.BillFactorType(r.type),
        currency=r.currency, value_type=E.ValueType(r.value_type),
        error_if_no_value=r.error_if_no_value, tax_exemption=r.tax_exemption,
        value_in_contract_term=r.value_in_contract_term,
        contract_rider_applicability=r.contract_rider_applicability,
        allow_proration=r.allow_proration, rate_selection_date=r.rate_selection_date,
        use_sub_sa_contract_terms=r.use_sub_sa_contract_terms,
        tos_usage=_enum(E.TosUsage, r.tos_usage), characteristics=per_bf[r.id])
        for r in rows}


def read_library(session: Session) -> RateLibrary:
    """Every rate definition in the database as one library."""
    return RateLibrary(**read_controls(session), bill_factors=read_bill_factors(session),
                       rate_schedules=read_schedules(session))
