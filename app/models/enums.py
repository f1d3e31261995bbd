"""Enumerations of the customer model, in the domain's words (spec/60 Part A)."""

from __future__ import annotations

import enum


class StrEnum(enum.StrEnum):
    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class UserRole(StrEnum):
    CSR = "CSR"
    DISPATCHER = "DISPATCHER"
    WAREHOUSE = "WAREHOUSE"
    RATE_ANALYST = "RATE_ANALYST"
    SUPERVISOR = "SUPERVISOR"
    ADMIN = "ADMIN"


class PartyKind(StrEnum):
    PERSON = "PERSON"
    ORGANISATION = "ORGANISATION"


class PartyStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    MERGED = "MERGED"


class OrgCategory(StrEnum):
    COMPANY = "COMPANY"
    LOCAL_AUTHORITY = "LOCAL_AUTHORITY"
    SERVICE_PROVIDER = "SERVICE_PROVIDER"
    DISTRIBUTOR = "DISTRIBUTOR"
    PARTNER = "PARTNER"
    OTHER = "OTHER"


class ContactKind(StrEnum):
    PHONE = "PHONE"
    EMAIL = "EMAIL"


class IdentifierKind(StrEnum):
    DRIVERS_LICENSE = "DRIVERS_LICENSE"
    PASSPORT = "PASSPORT"
    NATIONAL_ID = "NATIONAL_ID"
    TAX_ID = "TAX_ID"
    COMPANY_REGISTRATION = "COMPANY_REGISTRATION"


class CorrespondenceType(StrEnum):
    BILL = "BILL"
    STATEMENT = "STATEMENT"
    COLLECTION_LETTER = "COLLECTION_LETTER"
    GENERAL = "GENERAL"


class Channel(StrEnum):
    POST = "POST"
    EMAIL = "EMAIL"
    SMS = "SMS"
    NONE = "NONE"


class CustomerClass(StrEnum):
    RESIDENTIAL = "RESIDENTIAL"
    COMMERCIAL = "COMMERCIAL"
    INDUSTRIAL = "INDUSTRIAL"


class CustomerStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class BillingFrequency(StrEnum):
    MONTHLY = "MONTHLY"
    BIMONTHLY = "BIMONTHLY"
    QUARTERLY = "QUARTERLY"

    @property
    def months(self) -> int:
        return {"MONTHLY": 1, "BIMONTHLY": 2, "QUARTERLY": 3}[self.value]


class InvoicingMode(StrEnum):
    CONSOLIDATED = "CONSOLIDATED"
    STATEMENT = "STATEMENT"


class AccountStatus(StrEnum):
    ACTIVE = "ACTIVE"
    CLOSED = "CLOSED"


class RoleType(StrEnum):
    """Party roles (spec/60 §A2.4). 'Owner' of an account and of a property are distinct."""

    OWNER = "OWNER"
    ADMINISTRATOR = "ADMINISTRATOR"
    PAYER = "PAYER"
    HOLDER = "HOLDER"
    APPLICANT = "APPLICANT"
    PROPERTY_OWNER = "PROPERTY_OWNER"
    TENANT = "TENANT"
    CONTACT = "CONTACT"


class RoleTarget(StrEnum):
    ACCOUNT = "ACCOUNT"
    PREMISE = "PREMISE"
    SERVICE_AGREEMENT = "SERVICE_AGREEMENT"


#: Which objects each role may be held on.
ROLE_TARGETS: dict[RoleType, frozenset[RoleTarget]] = {
    RoleType.OWNER: frozenset({RoleTarget.ACCOUNT}),
    RoleType.ADMINISTRATOR: frozenset({RoleTarget.ACCOUNT}),
    RoleType.PAYER: frozenset({RoleTarget.ACCOUNT, RoleTarget.SERVICE_AGREEMENT}),
    RoleType.HOLDER: frozenset({RoleTarget.SERVICE_AGREEMENT}),
    RoleType.APPLICANT: frozenset({RoleTarget.SERVICE_AGREEMENT}),
    RoleType.PROPERTY_OWNER: frozenset({RoleTarget.PREMISE}),
    RoleType.TENANT: frozenset({RoleTarget.PREMISE, RoleTarget.SERVICE_AGREEMENT}),
    RoleType.CONTACT: frozenset(
        {RoleTarget.ACCOUNT, RoleTarget.PREMISE, RoleTarget.SERVICE_AGREEMENT}
    ),
}


class PremiseType(StrEnum):
    HOUSE = "HOUSE"
    APARTMENT = "APARTMENT"
    APARTMENT_BUILDING = "APARTMENT_BUILDING"
    COMMERCIAL = "COMMERCIAL"
    INDUSTRIAL = "INDUSTRIAL"
    SHOPPING_CENTRE = "SHOPPING_CENTRE"
    FARM = "FARM"


class LandlordAgreementStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class ServiceType(StrEnum):
    ELECTRIC = "ELECTRIC"
    GAS = "GAS"
    WATER = "WATER"


class ConsumerKind(StrEnum):
    IMPORT = "IMPORT"
    EXPORT = "EXPORT"
    EV_CHARGER = "EV_CHARGER"
    STORAGE = "STORAGE"
    OTHER = "OTHER"


class DeviceStatus(StrEnum):
    IN_STOCK = "IN_STOCK"
    INSTALLED = "INSTALLED"
    RETIRED = "RETIRED"


class SAStatus(StrEnum):
    PENDING_START = "PENDING_START"
    ACTIVE = "ACTIVE"
    PENDING_STOP = "PENDING_STOP"
    STOPPED = "STOPPED"
    CLOSED = "CLOSED"
    CANCELED = "CANCELED"
    # a proposal SA's own lifecycle (spec/40 §2.3); CANCELED is shared
    INCOMPLETE = "INCOMPLETE"
    PENDING = "PENDING"
    QUOTABLE = "QUOTABLE"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


#: The statuses a proposal SA may take; a real SA takes the others (and CANCELED).
PROPOSAL_STATUSES = frozenset({SAStatus.INCOMPLETE, SAStatus.PENDING, SAStatus.QUOTABLE,
                               SAStatus.ACCEPTED, SAStatus.DECLINED, SAStatus.CANCELED})


class QuoteStatus(StrEnum):
    PENDING = "PENDING"
    COMPLETE = "COMPLETE"
    CLOSED = "CLOSED"
    CANCELED = "CANCELED"


class QuoteDetailStatus(StrEnum):
    OK = "OK"
    ERROR = "ERROR"


class SimulatedSegmentStatus(StrEnum):
    OK = "OK"
    ERROR = "ERROR"


class QuoteRouteMethod(StrEnum):
    POSTAL = "POSTAL"
    FAX = "FAX"
    EMAIL = "EMAIL"


class UmbrellaStatus(StrEnum):
    PENDING = "PENDING"
    COMPLETE = "COMPLETE"


class TosStatus(StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    CANCELED = "CANCELED"


class CharacteristicValueKind(StrEnum):
    PREDEFINED = "PREDEFINED"
    ADHOC = "ADHOC"
    NUMBER = "NUMBER"


class CharacteristicEntity(StrEnum):
    PREMISE = "PREMISE"
    SERVICE_POINT = "SERVICE_POINT"
    ACCOUNT = "ACCOUNT"
    SERVICE_AGREEMENT = "SERVICE_AGREEMENT"
    STOCK_LOCATION = "STOCK_LOCATION"


class BillStatus(StrEnum):
    COMPLETE = "COMPLETE"
    CANCELED = "CANCELED"


class PaymentMethod(StrEnum):
    DIRECT_DEBIT = "DIRECT_DEBIT"
    CARD = "CARD"
    BANK_TRANSFER = "BANK_TRANSFER"
    CHEQUE = "CHEQUE"
    CASH = "CASH"


class AdjustmentType(StrEnum):
    CREDIT = "CREDIT"
    CHARGE = "CHARGE"
    WRITE_OFF = "WRITE_OFF"
    DEPOSIT = "DEPOSIT"
    #: A loan's overpayment moved from its current balance to its principal (LN-F8).
    LOAN_OVERPAYMENT = "LOAN_OVERPAYMENT"
    #: An ad hoc adjustment of a loan's current balance (LN-F9).
    LOAN_ADJUSTMENT = "LOAN_ADJUSTMENT"


class LoanSegmentStatus(StrEnum):
    OK = "OK"
    ERROR = "ERROR"


class LoanTransactionKind(StrEnum):
    """What a loan's financial transaction is (spec/50 §2.1)."""

    PRINCIPAL = "PRINCIPAL"          # activation books the loan amount to payoff
    BILL = "BILL"                    # a bill segment: current += amount, payoff += interest
    PAYMENT = "PAYMENT"              # current and payoff −= amount
    OVERPAYMENT = "OVERPAYMENT"      # LN-F8: current += credit, payoff unchanged
    ADJUSTMENT = "ADJUSTMENT"        # LN-F9: payoff only, current only, or both
    CANCELLATION = "CANCELLATION"    # a loan canceled before its first bill: principal back


class CapacityUnit(StrEnum):
    """What an appointment period's maximum counts (spec/50 §6 Q1)."""

    #: Distinct premises among its non-canceled field activities: one visit, however many jobs.
    PREMISES = "PREMISES"
    #: Its non-canceled field activities, one each.
    ACTIVITIES = "ACTIVITIES"


class AppointmentBooking(StrEnum):
    """Whether a field activity type takes an appointment (spec/50 §1.2 ``appt_booking``)."""

    REQUIRED = "REQUIRED"
    OPTIONAL = "OPTIONAL"
    NOT_APPLICABLE = "NOT_APPLICABLE"


class FieldActivityStatus(StrEnum):
    PENDING = "PENDING"
    DISPATCHED = "DISPATCHED"
    COMPLETE = "COMPLETE"
    CANCELED = "CANCELED"


class FieldOrderStatus(StrEnum):
    OPEN = "OPEN"
    WORK_DONE_NOT_RECORDED = "WORK_DONE_NOT_RECORDED"
    COMPLETE = "COMPLETE"
    CANCELED = "CANCELED"


class FieldActivityTrigger(StrEnum):
    """When the system creates a field activity of a type by itself."""

    NEVER = "NEVER"
    START = "START"      # starting service on a service point
    STOP = "STOP"        # stopping it


class StockLocationKind(StrEnum):
    WAREHOUSE = "WAREHOUSE"
    TRUCK = "TRUCK"
    VENDOR = "VENDOR"
    REPAIR_SHOP = "REPAIR_SHOP"
    SCRAP = "SCRAP"


class AssetKind(StrEnum):
    METER = "METER"
    ITEM = "ITEM"


class AssetLocationSource(StrEnum):
    """How an asset's location row came to be (spec/50 §4.1)."""

    INITIAL = "INITIAL"            # received into stock
    INSTALL = "INSTALL"            # installed at a service point
    REMOVAL = "REMOVAL"            # removed from one, to the postal code's removal location
    REPLICATION = "REPLICATION"    # a shipment received by range / replicator
    MANUAL = "MANUAL"              # moved by hand, with a reason
    TRANSFER = "TRANSFER"          # moved with others from one location to another


class CaseUsage(StrEnum):
    """Whether a case type asks for a field (spec/50 §5.1)."""

    REQUIRED = "REQUIRED"
    OPTIONAL = "OPTIONAL"
    NOT_ALLOWED = "NOT_ALLOWED"


class CaseLogType(StrEnum):
    CREATED = "CREATED"
    USER_DETAILS = "USER_DETAILS"
    STATUS_TRANSITION = "STATUS_TRANSITION"
    SYSTEM = "SYSTEM"
    TRANSITION_ERROR = "TRANSITION_ERROR"
    EXCEPTION = "EXCEPTION"


class ContactMethod(StrEnum):
    """How the customer wants to be told about the case."""

    EMAIL = "EMAIL"
    FAX = "FAX"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    PHONE = "PHONE"
    POSTAL = "POSTAL"
    SMS = "SMS"


class CaseAlgorithmKind(StrEnum):
    """When a case type's algorithm runs: entering or leaving a status, or to find the next
    status by itself (auto-transition)."""

    ENTER = "ENTER"
    EXIT = "EXIT"
    AUTO = "AUTO"


class CaseLinkKind(StrEnum):
    """What a case can be linked to."""

    BILL = "BILL"
    SERVICE_AGREEMENT = "SERVICE_AGREEMENT"
    FIELD_ACTIVITY = "FIELD_ACTIVITY"
    QUOTE = "QUOTE"
    PREMISE = "PREMISE"


class TodoStatus(StrEnum):
    OPEN = "OPEN"
    BEING_WORKED = "BEING_WORKED"
    COMPLETE = "COMPLETE"

    @property
    def label(self) -> str:
        return {"OPEN": "Open", "BEING_WORKED": "Being Worked On", "COMPLETE": "Complete"}[self.value]


class WorkGroupRole(StrEnum):
    MEMBER = "MEMBER"
    SUPERVISOR = "SUPERVISOR"
