"""Code lists of the rating engine, named as in spec/10 and spec/20.

Every enum is a ``StrEnum`` whose value is the code written in rate files, so a rate file
says ``type: APPLY_TO`` and the engine compares against ``ComponentType.APPLY_TO``.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class RateScheduleType(StrEnum):
    PRIMARY = "PRIMARY"
    SUBSIDIARY = "SUBSIDIARY"


class RvSelectionDate(StrEnum):
    """Which date picks the single rate version when versions are not prorated (spec/10 §3.3)."""

    ACCOUNTING_DATE = "ACCOUNTING_DATE"
    BILL_END_DATE = "BILL_END_DATE"
    BILL_START_DATE = "BILL_START_DATE"


def selection_day(selection: RvSelectionDate | str, *, start: date, end: date,
                  accounting_date: date) -> date:
    """The date a rate selection date names: the bill's first or last day, or its accounting
    date (rate versions, SA rate history, bill factors that are not prorated)."""
    return {RvSelectionDate.ACCOUNTING_DATE: accounting_date,
            RvSelectionDate.BILL_START_DATE: start,
            RvSelectionDate.BILL_END_DATE: end}[RvSelectionDate(selection)]


class RateVersionStatus(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    VALIDATED = "VALIDATED"
    FINISHED = "FINISHED"

    @property
    def label(self) -> str:
        return {"IN_PROGRESS": "In Progress", "VALIDATED": "Validated", "FINISHED": "Finished"}[
            self.value
        ]


class ComponentType(StrEnum):
    """Rate component types (spec/20 §1.1)."""

    FLAT = "FLAT"
    SQ = "SQ"
    ITEM = "ITEM"
    APPLY_TO = "APPLY_TO"
    SUMMARY = "SUMMARY"
    MIN = "MIN"
    MAX = "MAX"
    EXACT = "EXACT"
    CALC_ALG = "CALC_ALG"
    INTERVAL_PRICING = "INTERVAL_PRICING"
    TOU_PRICING = "TOU_PRICING"


#: Types that add up the amounts of other components through their cross references.
XREF_TYPES = frozenset(
    {ComponentType.APPLY_TO, ComponentType.SUMMARY, ComponentType.MIN, ComponentType.MAX,
     ComponentType.EXACT, ComponentType.CALC_ALG}
)
#: Types an APPLY_TO with a unit rate may reference (spec/20 §2.2).
UNIT_RATE_XREF_TARGETS = frozenset(
    {ComponentType.SQ, ComponentType.ITEM, ComponentType.INTERVAL_PRICING, ComponentType.CALC_ALG}
)


class ValueType(StrEnum):
    CHARGE = "CHARGE"
    PERCENT = "PERCENT"
    UNIT_RATE = "UNIT_RATE"


class ValueSource(StrEnum):
    VALUE = "VALUE"
    BILL_FACTOR = "BILL_FACTOR"
    OTHER_RC = "OTHER_RC"
    VALUE_ALGORITHM = "VALUE_ALGORITHM"


#: Value types each component type takes (spec/20 §1.1).
ALLOWED_VALUE_TYPES: dict[ComponentType, tuple[ValueType, ...]] = {
    ComponentType.FLAT: (ValueType.CHARGE,),
    ComponentType.SQ: (ValueType.UNIT_RATE, ValueType.CHARGE),
    ComponentType.ITEM: (ValueType.UNIT_RATE,),
    ComponentType.APPLY_TO: (ValueType.PERCENT, ValueType.UNIT_RATE),
    ComponentType.MIN: (ValueType.CHARGE,),
    ComponentType.MAX: (ValueType.CHARGE,),
    ComponentType.EXACT: (ValueType.CHARGE,),
}


class RoundingMethod(StrEnum):
    """UP is a ceiling and DOWN a floor on signed values; NEAREST breaks ties upward (D-1)."""

    UP = "UP"
    DOWN = "DOWN"
    NEAREST = "NEAREST"


class FcpoResultType(StrEnum):
    UNIT_RATE = "UNIT_RATE"
    CHARGE = "CHARGE"
    STEP_MULTIPLIER = "STEP_MULTIPLIER"
    PERCENT = "PERCENT"


class FcpoRetention(StrEnum):
    ZERO = "ZERO"
    RETAIN = "RETAIN"


class SeasonalMethod(StrEnum):
    """How a seasonal component decides whether, and how much, it applies (spec/20 §6.10)."""

    ACCOUNTING_DATE = "ACCOUNTING_DATE"
    BILL_END = "BILL_END"
    BILL_START = "BILL_START"
    PRORATE = "PRORATE"
    PRORATE_SEASONAL_SQ = "PRORATE_SEASONAL_SQ"


class BillFactorType(StrEnum):
    REGULAR = "REGULAR"
    INTERVAL = "INTERVAL"
    TOU = "TOU"


class CharSource(StrEnum):
    """Where a bill factor finds the characteristic value that selects its value (spec/10 §2.8)."""

    ACCOUNT = "ACCOUNT"
    CHAR_COLLECTION = "CHAR_COLLECTION"
    MAIN_PERSON = "MAIN_PERSON"
    NA = "NA"
    PREMISE = "PREMISE"
    SA = "SA"
    SP = "SP"


class SqQtyToUse(StrEnum):
    INITIAL = "INITIAL"
    BILLABLE = "BILLABLE"


class SqRuleProcessing(StrEnum):
    ALWAYS = "ALWAYS"
    INITIAL_SQ_CALC_ONLY = "INITIAL_SQ_CALC_ONLY"


class GroupAction(StrEnum):
    APPLY_RC = "APPLY_RC"
    CHECK_NEXT_GROUP = "CHECK_NEXT_GROUP"
    SKIP_RC = "SKIP_RC"


class CriterionAction(StrEnum):
    GROUP_TRUE = "GROUP_TRUE"
    GROUP_FALSE = "GROUP_FALSE"
    CHECK_NEXT = "CHECK_NEXT"


class CriteriaField(StrEnum):
    CHARACTERISTIC = "CHARACTERISTIC"
    RC_VALUE = "RC_VALUE"
    SQ = "SQ"
    ALGORITHM = "ALGORITHM"


class CharEntity(StrEnum):
    """Where an eligibility criterion reads a characteristic (spec/20 §7.3)."""

    SA = "SA"
    ACCOUNT = "ACCOUNT"
    MAIN_PERSON = "MAIN_PERSON"
    CHAR_PREMISE = "CHAR_PREMISE"
    SERVICE_POINT = "SERVICE_POINT"
    BILL = "BILL"
    RATE_CALC = "RATE_CALC"


class Comparison(StrEnum):
    GT = "GT"
    LT = "LT"
    EQ = "EQ"
    GE = "GE"
    LE = "LE"
    NE = "NE"
    IN = "IN"
    BETWEEN = "BETWEEN"
    ALGORITHM = "ALGORITHM"


class Truth(StrEnum):
    """Outcome of one eligibility criterion."""

    TRUE = "TRUE"
    FALSE = "FALSE"
    INSUFFICIENT = "INSUFFICIENT"


class TosUsage(StrEnum):
    CHECK_SA_ONLY = "CHECK_SA_ONLY"
    CHECK_TOS_ONLY = "CHECK_TOS_ONLY"
    CHECK_TOS_FIRST_THEN_SA = "CHECK_TOS_FIRST_THEN_SA"


class ComponentStatus(StrEnum):
    """What happened to a component in one calculation period (spec/20 §3 RcResult)."""

    CALCULATED = "CALCULATED"
    INELIGIBLE = "INELIGIBLE"
    OUT_OF_SEASON = "OUT_OF_SEASON"
    NO_VALUE = "NO_VALUE"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    ZERO_STEPS = "ZERO_STEPS"
