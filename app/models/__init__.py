"""SQLAlchemy ORM tables, one module per domain. Importing this package registers them all."""

from app.models.accounts import Account, Customer, Subscription
from app.models.appointments import (
    AppointmentPeriod,
    DispatchGroup,
    DispatchGroupAlternate,
    OperationsArea,
    OperationsAreaPostalCode,
    WorkCalendar,
    WorkCalendarHoliday,
)
from app.models.audit import AuditEvent
from app.models.base import Base
from app.models.characteristics import (
    CharacteristicAllowedValue,
    CharacteristicType,
    CharacteristicValue,
)
from app.models.field_activities import (
    DispatchGroupRule,
    FieldActivity,
    FieldActivityPenaltyAdjustment,
    FieldActivityType,
    FieldOrder,
)
from app.models.financials import Adjustment, Bill, BillSegment, Payment
from app.models.installation import InstallationOption
from app.models.loans import (
    LoanAgreement,
    LoanBillSegment,
    LoanPaymentAmount,
    LoanRateOverride,
    LoanSAType,
    LoanStartOption,
    LoanTransaction,
)
from app.models.parties import CommunicationPreference, Party, PartyContact, PartyIdentifier
from app.models.premises import LandlordAgreement, Premise, PremiseGeo
from app.models.quotes import (
    AccountQuoteSetting,
    BatchControl,
    BillingScenario,
    DeclineReason,
    Quote,
    QuoteDetail,
    QuoteRouteType,
    QuoteRouting,
    SaTermsAndConditions,
    ScenarioConsumption,
    SimulatedHeader,
    SimulatedLine,
    SimulatedQuantity,
    SimulatedSegment,
    TermsAndConditions,
)
from app.models.rates import (
    BillFactorRow,
    RateComponentRow,
    RateScheduleRow,
    RateVersionRow,
    SaContractQuantity,
    SaContractRider,
    SaContractValue,
    SaTaxExemption,
)
from app.models.roles import PartyRole
from app.models.service_agreements import (
    ServiceAgreement,
    ServiceAgreementRate,
    ServiceAgreementServicePoint,
)
from app.models.service_points import DeviceInstallation, Item, Meter, Register, ServicePoint
from app.models.umbrella import TermsOfService, UmbrellaAgreement
from app.models.users import AppUser, AppUserRole

__all__ = [
    "AppointmentPeriod",
    "DispatchGroup",
    "DispatchGroupAlternate",
    "OperationsArea",
    "OperationsAreaPostalCode",
    "WorkCalendar",
    "WorkCalendarHoliday",
    "DispatchGroupRule",
    "FieldActivity",
    "FieldActivityPenaltyAdjustment",
    "FieldActivityType",
    "FieldOrder",
    "LoanAgreement",
    "LoanBillSegment",
    "LoanPaymentAmount",
    "LoanRateOverride",
    "LoanSAType",
    "LoanStartOption",
    "LoanTransaction",
    "Account",
    "AccountQuoteSetting",
    "Adjustment",
    "AppUser",
    "AppUserRole",
    "AuditEvent",
    "Base",
    "BatchControl",
    "Bill",
    "BillFactorRow",
    "BillSegment",
    "BillingScenario",
    "CharacteristicAllowedValue",
    "CharacteristicType",
    "CharacteristicValue",
    "CommunicationPreference",
    "Customer",
    "DeclineReason",
    "DeviceInstallation",
    "InstallationOption",
    "Item",
    "LandlordAgreement",
    "Meter",
    "Party",
    "PartyContact",
    "PartyIdentifier",
    "PartyRole",
    "Payment",
    "Premise",
    "PremiseGeo",
    "Quote",
    "QuoteDetail",
    "QuoteRouteType",
    "QuoteRouting",
    "RateComponentRow",
    "RateScheduleRow",
    "RateVersionRow",
    "Register",
    "SaContractQuantity",
    "SaContractRider",
    "SaContractValue",
    "SaTaxExemption",
    "SaTermsAndConditions",
    "ScenarioConsumption",
    "ServiceAgreement",
    "ServiceAgreementRate",
    "ServiceAgreementServicePoint",
    "ServicePoint",
    "SimulatedHeader",
    "SimulatedLine",
    "SimulatedQuantity",
    "SimulatedSegment",
    "Subscription",
    "TermsAndConditions",
    "TermsOfService",
    "UmbrellaAgreement",
]
