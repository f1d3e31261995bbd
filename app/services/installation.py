"""Installation options: switches shared by every workstation of a database.

Optional modules (spec/60 §B1: "the application must be able to hide its menu entries and panes
through a module switch") are on unless an administrator turned them off:

    if module_enabled(db, Module.PREMISE_MANAGEMENT): ...
    set_module_enabled(db, admin, Module.PREMISE_MANAGEMENT, False)
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import InstallationOption
from app.models.enums import StrEnum, UserRole
from app.services.context import Actor, read_only, transaction


class Module(StrEnum):
    PREMISE_MANAGEMENT = "PREMISE_MANAGEMENT"
    #: Quotes, proposal SAs, umbrella agreements (spec/40 §0, spec/60 §B2).
    CONTRACT_MANAGEMENT = "CONTRACT_MANAGEMENT"
    #: Loan service agreements (spec/50 §2).
    LOANS = "LOANS"
    #: Appointments with dispatch groups (spec/50 §1).
    APPOINTMENTS = "APPOINTMENTS"
    #: Cases with configurable lifecycles, To Do entries and work groups (spec/50 §5).
    CASES = "CASES"


#: How each module is named where it is switched on or off.
MODULE_LABELS = {
    Module.PREMISE_MANAGEMENT: "Premise Management",
    Module.CONTRACT_MANAGEMENT: "Contract Management (quotes, proposals, umbrella agreements)",
    Module.LOANS: "Loans (loan agreements, amortization forecasts)",
    Module.APPOINTMENTS: "Appointments (dispatch groups, appointment periods, booking)",
    Module.CASES: "Cases (case types, cases, To Do entries)",
}

#: Installation options with their defaults (a row in `installation_option` overrides one).
OPTION_DEFAULTS = {
    "quote.validity_days": "30",
    "quote.default_route_type": "POSTAL",
}


def option(session: Session, name: str) -> str:
    """An installation option's value inside an open session (its default when unset)."""
    row = session.get(InstallationOption, name)
    return row.value if row is not None else OPTION_DEFAULTS[name]


def _option_name(module: Module) -> str:
    return f"module.{module.value.lower()}"


def module_enabled(db: Database, module: Module) -> bool:
    with read_only(db) as session:
        return module_enabled_in(session, module)


def module_enabled_in(session: Session, module: Module) -> bool:
    """Inside an open session (a Control Central zone or alert of the module asks)."""
    row = session.get(InstallationOption, _option_name(module))
    return row is None or row.value != "off"


def enabled_modules(db: Database) -> frozenset[Module]:
    with read_only(db) as session:
        off = set(session.scalars(select(InstallationOption.name)
                                  .where(InstallationOption.value == "off")))
    return frozenset(m for m in Module if _option_name(m) not in off)


def set_module_enabled(db: Database, actor: Actor, module: Module, enabled: bool) -> None:
    """Turn an optional module on or off for every workstation (administrators only)."""
    actor.require("switch modules on or off", UserRole.ADMIN)
    with transaction(db, actor) as session:
        name = _option_name(module)
        row = session.get(InstallationOption, name)
        value = "on" if enabled else "off"
        if row is None:
            session.add(InstallationOption(name=name, value=value))
        else:
            row.value = value
        session.flush()
