"""Setting up field dispatch (spec/50 §1.2): operations areas and the postal codes they serve,
dispatch groups with their alternates, and the rules that give an activity its group.
Administrators and supervisors do this; the demo builds its utility with these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select

from app.db import Database
from app.models import (
    DispatchGroup,
    DispatchGroupAlternate,
    DispatchGroupRule,
    FieldActivityType,
    OperationsArea,
    OperationsAreaPostalCode,
)
from app.models.enums import (
    AppointmentBooking,
    CapacityUnit,
    FieldActivityTrigger,
    ServiceType,
    UserRole,
)
from app.services.common import code_text, postal_prefix, required_text
from app.services.context import Actor, read_only, transaction
from app.services.errors import ValidationError

SETUP_ROLES = (UserRole.SUPERVISOR,)


@dataclass(frozen=True)
class DispatchGroupRow:
    code: str
    description: str
    operations_area: str
    capacity_unit: CapacityUnit
    takes_appointments: bool
    external_system: str | None
    window_days: int
    alternates: tuple[str, ...]
    version: int


def _code(value: str, field: str, what: str) -> str:
    return code_text(value, field, what, 30, "NEW-SVC")


def create_operations_area(db: Database, actor: Actor, code: str, description: str,
                           postal_prefixes: Sequence[str] = ()) -> str:
    actor.require("set up operations areas", *SETUP_ROLES)
    area_code = _code(code, "code", "the operations area code")
    text = required_text(description, "description", "a description", 100)
    with transaction(db, actor) as session:
        if session.get(OperationsArea, area_code) is not None:
            raise ValidationError(f"Operations area {area_code} exists already.", "code")
        session.add(OperationsArea(code=area_code, description=text))
        session.flush()
        for prefix in postal_prefixes:
            session.add(OperationsAreaPostalCode(
                postal_prefix=postal_prefix(prefix), operations_area_code=area_code))
        return area_code


def create_dispatch_group(db: Database, actor: Actor, code: str, description: str,
                          operations_area: str, *,
                          capacity_unit: CapacityUnit = CapacityUnit.PREMISES,
                          external_system: str | None = None, window_days: int = 7,
                          takes_appointments: bool = True) -> str:
    actor.require("set up dispatch groups", *SETUP_ROLES)
    group_code = _code(code, "code", "the dispatch group code")
    text = required_text(description, "description", "a description", 100)
    if not 1 <= window_days <= 62:
        raise ValidationError("The search window is 1 to 62 days.", "window_days")
    with transaction(db, actor) as session:
        if session.get(OperationsArea, operations_area) is None:
            raise ValidationError(f"There is no operations area {operations_area!r}.",
                                  "operations_area")
        if session.get(DispatchGroup, group_code) is not None:
            raise ValidationError(f"Dispatch group {group_code} exists already.", "code")
        session.add(DispatchGroup(code=group_code, description=text,
                                  operations_area_code=operations_area,
                                  capacity_unit=capacity_unit, external_system=external_system,
                                  window_days=window_days,
                                  takes_appointments=takes_appointments))
        return group_code


def set_alternates(db: Database, actor: Actor, dispatch_group: str,
                   alternates: Sequence[str]) -> None:
    """The groups that can take this group's work, most preferred first (AP-R10)."""
    actor.require("set up dispatch groups", *SETUP_ROLES)
    if dispatch_group in alternates:
        raise ValidationError("A dispatch group is not its own alternate.", "alternates")
    with transaction(db, actor) as session:
        for code in (dispatch_group, *alternates):
            if session.get(DispatchGroup, code) is None:
                raise ValidationError(f"There is no dispatch group {code!r}.", "alternates")
        session.execute(delete(DispatchGroupAlternate)
                        .where(DispatchGroupAlternate.dispatch_group_code == dispatch_group))
        for sequence, code in enumerate(dict.fromkeys(alternates), start=1):
            session.add(DispatchGroupAlternate(dispatch_group_code=dispatch_group,
                                               alternate_code=code, sequence=sequence))


def add_dispatch_rule(db: Database, actor: Actor, dispatch_group: str, *,
                      type_code: str | None = None, service_type: ServiceType | None = None,
                      operations_area: str | None = None) -> int:
    """Activities matching the given columns (blank: any) go to `dispatch_group`."""
    actor.require("set up dispatch rules", *SETUP_ROLES)
    with transaction(db, actor) as session:
        if session.get(DispatchGroup, dispatch_group) is None:
            raise ValidationError(f"There is no dispatch group {dispatch_group!r}.",
                                  "dispatch_group")
        if type_code is not None and session.get(FieldActivityType, type_code) is None:
            raise ValidationError(f"There is no field activity type {type_code!r}.",
                                  "type_code")
        if operations_area is not None and session.get(OperationsArea, operations_area) is None:
            raise ValidationError(f"There is no operations area {operations_area!r}.",
                                  "operations_area")
        rule = DispatchGroupRule(field_activity_type_code=type_code, service_type=service_type,
                                 operations_area_code=operations_area,
                                 dispatch_group_code=dispatch_group)
        session.add(rule)
        session.flush()
        return rule.id


def dispatch_groups(db: Database) -> list[DispatchGroupRow]:
    with read_only(db) as session:
        alternates: dict[str, list[str]] = {}
        for group, alternate in session.execute(
                select(DispatchGroupAlternate.dispatch_group_code,
                       DispatchGroupAlternate.alternate_code)
                .order_by(DispatchGroupAlternate.sequence)):
            alternates.setdefault(group, []).append(alternate)
        return [DispatchGroupRow(g.code, g.description, g.operations_area_code,
                                 g.capacity_unit, g.takes_appointments, g.external_system,
                                 g.window_days, tuple(alternates.get(g.code, ())), g.version)
                for g in session.scalars(select(DispatchGroup).order_by(DispatchGroup.code))]


def configure_field_activity_type(db: Database, actor: Actor, code: str, *,
                                  created_on: FieldActivityTrigger | None = None,
                                  appointment_booking: AppointmentBooking | None = None,
                                  missed_appointment_credit: Decimal | None = None) -> None:
    """Change how a field activity type works: when the system creates it by itself, whether
    it takes appointments, and the credit for a missed appointment."""
    actor.require("set up field activity types", *SETUP_ROLES)
    if missed_appointment_credit is not None and missed_appointment_credit < 0:
        raise ValidationError("The missed-appointment credit is an amount of zero or more.",
                              "missed_appointment_credit")
    with transaction(db, actor) as session:
        fa_type = session.get(FieldActivityType, code)
        if fa_type is None:
            raise ValidationError(f"There is no field activity type {code!r}.", "type_code")
        if created_on is not None:
            fa_type.created_on = created_on
        if appointment_booking is not None:
            fa_type.appointment_booking = appointment_booking
        if missed_appointment_credit is not None:
            fa_type.missed_appointment_credit = missed_appointment_credit
