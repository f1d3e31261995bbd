"""Rates in the database (spec/10 §2, spec/20 §2): control tables, rules, rate schedules,
versions and components with their children, and bill factors with their values.

The rows mirror the engine's model (`app.engine.rates`) field for field, so that
`services/rates.py` turns them into a `RateLibrary` and back without loss. Prices, values and
step bounds are exact decimals (`ExactDecimal`): a rate keeps the precision it was given.

Concurrency: a rate schedule, a rate version and a bill factor are each the unit a person
edits; their `version` column refuses a save that lost a race. Child rows (components and
their steps, eligibility, characteristics, GL codes; bill factor values) are rewritten with the
parent, so they carry no version of their own and are audited through the parent's diff.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, ExactDecimal, Versioned

Code = String(30)


class RateLibraryRevision(Base):
    """One row: bumped by every save of a rate definition, so every workstation's cache of
    compiled rates knows when to reload."""

    __tablename__ = "rate_library_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


# --- control tables --------------------------------------------------------------------------


class RateCurrency(Base):
    __tablename__ = "rate_currency"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    decimals: Mapped[int] = mapped_column(Integer, nullable=False)
    symbol: Mapped[str] = mapped_column(String(8), nullable=False)


class RateFrequency(Base):
    __tablename__ = "rate_frequency"

    code: Mapped[str] = mapped_column(Code, primary_key=True)
    description: Mapped[str] = mapped_column(String(254), nullable=False)
    periods_per_year: Mapped[int] = mapped_column(Integer, nullable=False)
    min_days_offset: Mapped[int] = mapped_column(Integer, nullable=False)
    max_days_offset: Mapped[int] = mapped_column(Integer, nullable=False)


class RateUom(Base):
    __tablename__ = "rate_uom"

    code: Mapped[str] = mapped_column(Code, primary_key=True)
    description: Mapped[str] = mapped_column(String(254), nullable=False)
    decimal_positions: Mapped[int] = mapped_column(Integer, nullable=False)
    measures_peak: Mapped[bool] = mapped_column(Boolean, nullable=False)


class RateTou(Base):
    __tablename__ = "rate_tou"

    code: Mapped[str] = mapped_column(Code, primary_key=True)
    description: Mapped[str] = mapped_column(String(254), nullable=False)


class RateTouGroup(Base):
    __tablename__ = "rate_tou_group"

    code: Mapped[str] = mapped_column(Code, primary_key=True)
    description: Mapped[str] = mapped_column(String(254), nullable=False)


class RateTouGroupMember(Base):
    __tablename__ = "rate_tou_group_member"

    group_code: Mapped[str] = mapped_column(ForeignKey("rate_tou_group.code"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    tou: Mapped[str] = mapped_column(Code, nullable=False)


class RateTouMap(Base):
    __tablename__ = "rate_tou_map"

    code: Mapped[str] = mapped_column(Code, primary_key=True)
    description: Mapped[str] = mapped_column(String(254), nullable=False)


class RateTouMapPeriod(Base):
    __tablename__ = "rate_tou_map_period"

    map_code: Mapped[str] = mapped_column(ForeignKey("rate_tou_map.code"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    start: Mapped[dt.time] = mapped_column(Time, nullable=False)
    end: Mapped[dt.time] = mapped_column(Time, nullable=False)
    tou: Mapped[str] = mapped_column(Code, nullable=False)


class RateSqi(Base):
    __tablename__ = "rate_sqi"

    code: Mapped[str] = mapped_column(Code, primary_key=True)
    description: Mapped[str] = mapped_column(String(254), nullable=False)
    decimal_positions: Mapped[int] = mapped_column(Integer, nullable=False)


class RateRegisterRule(Base):
    __tablename__ = "rate_register_rule"

    code: Mapped[str] = mapped_column(Code, primary_key=True)
    description: Mapped[str] = mapped_column(String(254), nullable=False)
    algorithm: Mapped[str] = mapped_column(Code, nullable=False)
    #: Positional parameters P1…Pn of the algorithm (a JSON list; blanks are null).
    params: Mapped[list[str | None]] = mapped_column(JSON, nullable=False)
    comments: Mapped[str] = mapped_column(Text, nullable=False, default="")


class RateSqRule(Base):
    __tablename__ = "rate_sq_rule"

    code: Mapped[str] = mapped_column(Code, primary_key=True)
    description: Mapped[str] = mapped_column(String(254), nullable=False)
    algorithm: Mapped[str] = mapped_column(Code, nullable=False)
    params: Mapped[list[str | None]] = mapped_column(JSON, nullable=False)
    output_uom: Mapped[str | None] = mapped_column(Code)
    output_tou: Mapped[str | None] = mapped_column(Code)
    output_sqi: Mapped[str | None] = mapped_column(Code)
    qty_to_use: Mapped[str] = mapped_column(String(20), nullable=False)
    create_billing_error: Mapped[bool] = mapped_column(Boolean, nullable=False)
    processing: Mapped[str] = mapped_column(String(20), nullable=False)
    long_description: Mapped[str] = mapped_column(Text, nullable=False, default="")


# --- rate schedules, versions, components ----------------------------------------------------


class RateScheduleRow(Versioned, Base):
    #: Audited by services/rates.py field by field under its code (not its row id).
    __audited__ = False
    __tablename__ = "rate_schedule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(Code, nullable=False, unique=True)
    description: Mapped[str] = mapped_column(String(254), nullable=False)
    type: Mapped[str] = mapped_column(String(12), nullable=False)
    service_type: Mapped[str | None] = mapped_column(Code)
    frequency: Mapped[str | None] = mapped_column(Code)
    currency: Mapped[str | None] = mapped_column(String(3))
    allow_estimates: Mapped[bool] = mapped_column(Boolean, nullable=False)
    allow_rv_proration: Mapped[bool] = mapped_column(Boolean, nullable=False)
    rv_selection_date: Mapped[str | None] = mapped_column(String(20))


class RateScheduleLink(Base):
    """SQ rules, register rules and sub-rates of a schedule, in execution order."""

    __tablename__ = "rate_schedule_link"

    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("rate_schedule.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(14), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(Code, nullable=False)


class RateScheduleBillMessage(Base):
    __tablename__ = "rate_schedule_bill_message"

    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("rate_schedule.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    message: Mapped[str] = mapped_column(Code, nullable=False)
    start: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end: Mapped[dt.date | None] = mapped_column(Date)


class RateScheduleMeterConfig(Base):
    __tablename__ = "rate_schedule_meter_config"

    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("rate_schedule.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    meter_config_type: Mapped[str] = mapped_column(Code, nullable=False)


class RateVersionRow(Versioned, Base):
    #: Audited by services/rates.py field by field under its code (not its row id).
    __audited__ = False
    __tablename__ = "rate_version"
    __table_args__ = (UniqueConstraint("schedule_id", "effective"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("rate_schedule.id", ondelete="CASCADE"), nullable=False, index=True)
    effective: Mapped[dt.date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    description_on_bill: Mapped[str] = mapped_column(Text, nullable=False, default="")


class RateComponentRow(Base):
    """Every field of spec/20 §2.1. An algorithm is its code plus its parameters (JSON)."""

    __tablename__ = "rate_component"
    __table_args__ = (UniqueConstraint("version_id", "sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("rate_version.id", ondelete="CASCADE"), nullable=False, index=True)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    type: Mapped[str] = mapped_column(String(20), nullable=False)
    description: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    description_on_bill: Mapped[str] = mapped_column(Text, nullable=False, default="")
    print: Mapped[bool] = mapped_column(Boolean, nullable=False)
    print_if_zero: Mapped[bool] = mapped_column(Boolean, nullable=False)
    rounding: Mapped[str] = mapped_column(String(12), nullable=False)
    precision: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    fcpo: Mapped[bool] = mapped_column(Boolean, nullable=False)
    result_type: Mapped[str | None] = mapped_column(String(20))
    create_bill_line: Mapped[bool] = mapped_column(Boolean, nullable=False)
    fcpo_retention: Mapped[str | None] = mapped_column(String(20))
    value_type: Mapped[str | None] = mapped_column(String(20))
    value_source: Mapped[str] = mapped_column(String(20), nullable=False)
    value: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    bill_factor: Mapped[str | None] = mapped_column(Code)
    value_rc: Mapped[int | None] = mapped_column(Integer)
    value_algorithm: Mapped[str | None] = mapped_column(Code)
    value_algorithm_params: Mapped[dict[str, str] | None] = mapped_column(JSON)
    season_start: Mapped[str | None] = mapped_column(String(5))
    season_end: Mapped[str | None] = mapped_column(String(5))
    season_method: Mapped[str | None] = mapped_column(String(20))
    uom: Mapped[str | None] = mapped_column(Code)
    tou: Mapped[str | None] = mapped_column(Code)
    sqi: Mapped[str | None] = mapped_column(Code)
    error_if_no_value: Mapped[bool] = mapped_column(Boolean, nullable=False)
    #: A stepped component prices the quantity between step_low and step_high (None: open).
    stepped: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    step_low: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    step_high: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    step_rc: Mapped[int | None] = mapped_column(Integer)
    step_algorithm: Mapped[str | None] = mapped_column(Code)
    step_algorithm_params: Mapped[dict[str, str] | None] = mapped_column(JSON)
    gl_statistical_qty: Mapped[bool] = mapped_column(Boolean, nullable=False)
    measures_peak: Mapped[bool | None] = mapped_column(Boolean)
    item_type: Mapped[str | None] = mapped_column(Code)
    tou_map: Mapped[str | None] = mapped_column(Code)
    calc_algorithm: Mapped[str | None] = mapped_column(Code)
    calc_algorithm_params: Mapped[dict[str, str] | None] = mapped_column(JSON)
    audit_algorithm: Mapped[str | None] = mapped_column(Code)
    audit_algorithm_params: Mapped[dict[str, str] | None] = mapped_column(JSON)
    derive_sq: Mapped[bool] = mapped_column(Boolean, nullable=False)
    #: GL distribution: one code (gl_code) or one per revenue class (rate_component_gl rows);
    #: has_gl False means the component has no GL distribution at all.
    has_gl: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    gl_code: Mapped[str | None] = mapped_column(Code)


class RateComponentXref(Base):
    __tablename__ = "rate_component_xref"

    component_id: Mapped[int] = mapped_column(
        ForeignKey("rate_component.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref_sequence: Mapped[int] = mapped_column(Integer, nullable=False)


class RateComponentGl(Base):
    __tablename__ = "rate_component_gl"

    component_id: Mapped[int] = mapped_column(
        ForeignKey("rate_component.id", ondelete="CASCADE"), primary_key=True)
    revenue_class: Mapped[str] = mapped_column(Code, primary_key=True)
    distribution_code: Mapped[str] = mapped_column(Code, nullable=False)


class RateComponentCharacteristic(Base):
    __tablename__ = "rate_component_characteristic"

    component_id: Mapped[int] = mapped_column(
        ForeignKey("rate_component.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    char_type: Mapped[str] = mapped_column(Code, nullable=False)
    char_value: Mapped[str] = mapped_column(String(254), nullable=False)


class RateEligibilityGroup(Base):
    __tablename__ = "rate_eligibility_group"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    component_id: Mapped[int] = mapped_column(
        ForeignKey("rate_component.id", ondelete="CASCADE"), nullable=False, index=True)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    if_true: Mapped[str] = mapped_column(String(20), nullable=False)
    if_false: Mapped[str] = mapped_column(String(20), nullable=False)
    description: Mapped[str] = mapped_column(String(254), nullable=False, default="")


class RateEligibilityCriterion(Base):
    __tablename__ = "rate_eligibility_criterion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("rate_eligibility_group.id", ondelete="CASCADE"), nullable=False, index=True)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    field: Mapped[str] = mapped_column(String(20), nullable=False)
    comparison: Mapped[str] = mapped_column(String(20), nullable=False)
    value: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    if_true: Mapped[str] = mapped_column(String(20), nullable=False)
    if_false: Mapped[str] = mapped_column(String(20), nullable=False)
    if_insufficient: Mapped[str] = mapped_column(String(20), nullable=False)
    char_entity: Mapped[str | None] = mapped_column(String(20))
    char_type: Mapped[str | None] = mapped_column(Code)
    rc: Mapped[int | None] = mapped_column(Integer)
    has_sq: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    sq_uom: Mapped[str | None] = mapped_column(Code)
    sq_tou: Mapped[str | None] = mapped_column(Code)
    sq_sqi: Mapped[str | None] = mapped_column(Code)
    field_algorithm: Mapped[str | None] = mapped_column(Code)
    field_algorithm_params: Mapped[dict[str, str] | None] = mapped_column(JSON)
    comparison_algorithm: Mapped[str | None] = mapped_column(Code)
    comparison_algorithm_params: Mapped[dict[str, str] | None] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(String(254), nullable=False, default="")


# --- bill factors ----------------------------------------------------------------------------


class BillFactorRow(Versioned, Base):
    #: Audited by services/rates.py field by field under its code (not its row id).
    __audited__ = False
    __tablename__ = "bill_factor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(Code, nullable=False, unique=True)
    description: Mapped[str] = mapped_column(String(254), nullable=False)
    char_type: Mapped[str] = mapped_column(Code, nullable=False)
    char_source: Mapped[str] = mapped_column(String(20), nullable=False)
    type: Mapped[str] = mapped_column(String(20), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    value_type: Mapped[str] = mapped_column(String(20), nullable=False)
    error_if_no_value: Mapped[bool] = mapped_column(Boolean, nullable=False)
    tax_exemption: Mapped[bool] = mapped_column(Boolean, nullable=False)
    value_in_contract_term: Mapped[bool] = mapped_column(Boolean, nullable=False)
    contract_rider_applicability: Mapped[bool] = mapped_column(Boolean, nullable=False)
    allow_proration: Mapped[bool] = mapped_column(Boolean, nullable=False)
    rate_selection_date: Mapped[str] = mapped_column(Code, nullable=False)
    use_sub_sa_contract_terms: Mapped[bool] = mapped_column(Boolean, nullable=False)
    tos_usage: Mapped[str | None] = mapped_column(String(30))


class BillFactorCharacteristicRow(Base):
    __tablename__ = "bill_factor_characteristic"
    __table_args__ = (UniqueConstraint("bill_factor_id", "char_value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bill_factor_id: Mapped[int] = mapped_column(
        ForeignKey("bill_factor.id", ondelete="CASCADE"), nullable=False, index=True)
    char_value: Mapped[str] = mapped_column(String(254), nullable=False)
    minutes_per_interval: Mapped[int | None] = mapped_column(Integer)
    external_id: Mapped[str | None] = mapped_column(String(60))


class BillFactorGl(Base):
    __tablename__ = "bill_factor_gl"

    characteristic_id: Mapped[int] = mapped_column(
        ForeignKey("bill_factor_characteristic.id", ondelete="CASCADE"), primary_key=True)
    revenue_class: Mapped[str] = mapped_column(Code, primary_key=True)
    distribution_code: Mapped[str] = mapped_column(Code, nullable=False)


class BillFactorValueRow(Base):
    __tablename__ = "bill_factor_value"

    characteristic_id: Mapped[int] = mapped_column(
        ForeignKey("bill_factor_characteristic.id", ondelete="CASCADE"), primary_key=True)
    effective: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    value: Mapped[Decimal] = mapped_column(ExactDecimal, nullable=False)


class BillFactorTouValueRow(Base):
    __tablename__ = "bill_factor_tou_value"

    characteristic_id: Mapped[int] = mapped_column(
        ForeignKey("bill_factor_characteristic.id", ondelete="CASCADE"), primary_key=True)
    tou_group: Mapped[str] = mapped_column(Code, primary_key=True)
    effective: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    tou: Mapped[str] = mapped_column(Code, nullable=False)
    value: Mapped[Decimal] = mapped_column(ExactDecimal, nullable=False)


class BillFactorIntervalSet(Base):
    __tablename__ = "bill_factor_interval_set"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    characteristic_id: Mapped[int] = mapped_column(
        ForeignKey("bill_factor_characteristic.id", ondelete="CASCADE"), nullable=False,
        index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    set_id: Mapped[str] = mapped_column(String(60), nullable=False)
    set_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    complete: Mapped[bool] = mapped_column(Boolean, nullable=False)


class BillFactorIntervalValue(Base):
    __tablename__ = "bill_factor_interval_value"

    set_row_id: Mapped[int] = mapped_column(
        ForeignKey("bill_factor_interval_set.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    value: Mapped[Decimal] = mapped_column(ExactDecimal, nullable=False)


# --- a service agreement's pricing terms -----------------------------------------------------


class SaContractValue(Versioned, Base):
    """The customer's own value of a bill factor (``value_in_contract_term``)."""

    __tablename__ = "sa_contract_value"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_agreement_id: Mapped[int] = mapped_column(
        ForeignKey("service_agreement.id"), nullable=False, index=True)
    bill_factor: Mapped[str] = mapped_column(Code, nullable=False)
    effective: Mapped[dt.date] = mapped_column(Date, nullable=False)
    value: Mapped[Decimal] = mapped_column(ExactDecimal, nullable=False)
    tou: Mapped[str | None] = mapped_column(Code)


class SaContractRider(Versioned, Base):
    """While a rider covers a day, its bill factor applies on that day."""

    __tablename__ = "sa_contract_rider"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_agreement_id: Mapped[int] = mapped_column(
        ForeignKey("service_agreement.id"), nullable=False, index=True)
    bill_factor: Mapped[str] = mapped_column(Code, nullable=False)
    start: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end: Mapped[dt.date | None] = mapped_column(Date)


class SaTaxExemption(Versioned, Base):
    __tablename__ = "sa_tax_exemption"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_agreement_id: Mapped[int] = mapped_column(
        ForeignKey("service_agreement.id"), nullable=False, index=True)
    bill_factor: Mapped[str] = mapped_column(Code, nullable=False)
    effective: Mapped[dt.date] = mapped_column(Date, nullable=False)
    exempt_percent: Mapped[Decimal] = mapped_column(ExactDecimal, nullable=False)


class SaContractQuantity(Versioned, Base):
    __tablename__ = "sa_contract_quantity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_agreement_id: Mapped[int] = mapped_column(
        ForeignKey("service_agreement.id"), nullable=False, index=True)
    contract_quantity_type: Mapped[str] = mapped_column(Code, nullable=False)
    effective: Mapped[dt.date] = mapped_column(Date, nullable=False)
    value: Mapped[Decimal] = mapped_column(ExactDecimal, nullable=False)
