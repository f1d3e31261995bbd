"""The rating engine: rate schedules, versions, components and bill factors as frozen
dataclasses, applied by pure functions over ``Decimal`` and ``date``.

Usage from a plain Python shell (no database, no Qt)::

    from datetime import date
    from decimal import Decimal
    from app.engine.rates import load_shipped_library, check_rate, Quantity

    rate = load_shipped_library().compile("E-COM1")
    result = check_rate(rate, start=date(2023, 3, 17), end=date(2023, 4, 30),
                        quantities=[Quantity("KWH", Decimal(1200)), Quantity("KW", Decimal(20))])
    print(result.total)                         # 101.50

See docs/engine.md.
"""

# ruff: noqa: F401  (this module re-exports the engine's public names)
from __future__ import annotations

# Built-in algorithms register themselves on import.
from . import algorithms as _algorithms  # noqa: F401
from . import eligibility as _eligibility  # noqa: F401
from . import register_rules as _register_rules  # noqa: F401
from . import sq_rules as _sq_rules  # noqa: F401
from . import sq_rules_history as _sq_rules_history  # noqa: F401
from .agreements import (
    CharacteristicValue,
    ContractQuantity,
    ContractRider,
    ContractValue,
    ItemCount,
    Payment,
    PriorSegment,
    Relationship,
    SaRate,
    ServiceAgreement,
    ServicePoint,
    TaxExemption,
    select_rate_schedule,
)
from .bill_factors import (
    BillFactor,
    BillFactorCharacteristic,
    BillFactorTouValue,
    BillFactorValue,
    IntervalValue,
    IntervalValueSet,
)
from .charges import CalcOutput, CalcState, LineDraft
from .check import BillPeriod, PricedPeriod, check_rate, price_periods
from .compiled import CompiledRate, ValidationProblem, compile_rate, validate_version
from .context import RatingContext, ToDo
from .controls import (
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
from .enums import (
    BillFactorType,
    CharEntity,
    CharSource,
    Comparison,
    ComponentStatus,
    ComponentType,
    CriteriaField,
    CriterionAction,
    FcpoResultType,
    FcpoRetention,
    GroupAction,
    RateScheduleType,
    RateVersionStatus,
    RoundingMethod,
    RvSelectionDate,
    SeasonalMethod,
    SqQtyToUse,
    SqRuleProcessing,
    ValueSource,
    ValueType,
)
from .errors import BillingError, CannotExecute, RateDefinitionError, RateError
from .installation import Installation
from .library import RateLibrary
from .plugins import REGISTRY, ParamSpec
from .quantities import IntervalQuantity, Quantity, ServiceQty, ServiceQuantities
from .rate_files import load_library
from .results import CalcHeader, CalcLine, RateCheckResult, RegisterReadRow, SqDetail
from .rounding import round_to
from .schedules import (
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
from .shipped import SHIPPED_RATES, load_shipped_library

__all__ = [name for name in dir() if not name.startswith("_")]
