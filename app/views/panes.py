"""The registry of panes: the main window's View menu and `switchboard screenshot` both read it.

A pane module registers itself at import time:

    register(PaneSpec("home", "Overview", "Ctrl+1", HomePane))

and its module name goes into `PANE_MODULES` so that `pane_specs()` imports it. A pane of an
optional module names it (`PaneSpec(..., module=Module.PREMISE_MANAGEMENT)`): the main window
offers it only while `ctx.modules` holds that module. A factory takes a
`PaneContext` and returns the pane's widget. A pane may offer `pane_state() -> object` and
`restore_state(state)` so that Back/Forward can bring it back as the user saw it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtWidgets import QWidget

from app.db import Database
from app.services.context import Actor
from app.services.installation import Module
from app.views.current_context import CurrentContext

#: Modules that register panes, in View-menu order. Later panes add their module here.
PANE_MODULES: tuple[str, ...] = (
    "app.views.home",
    "app.views.control_central",
    "app.views.account_tree",
    "app.views.record",
    "app.views.premise_management",
    "app.views.rate_check",
    "app.views.rate_editor",
    "app.views.bill_factor_editor",
    "app.views.quotes",
    "app.views.umbrella",
    "app.views.loans",
    "app.views.appointments",
    "app.views.stock_locations",
    "app.views.cases",
    "app.views.todo_list",
)

#: The pane a new window opens with.
DEFAULT_PANE = "home"


class PaneHost(Protocol):
    """What a pane may ask of the window that hosts it."""

    def open_pane(self, name: str) -> QWidget: ...

    def open_settings(self) -> object: ...

    def show_status(self, text: str) -> None: ...

    def record_visit(self, name: str) -> None: ...


@dataclass(frozen=True)
class PaneContext:
    db: Database
    actor: Actor
    host: PaneHost
    #: The account being worked on and the caller, shared by every pane (spec/60 §A8.2).
    current: CurrentContext
    #: Optional modules switched on for this database (read once when the window opens).
    modules: frozenset[Module] = frozenset(Module)


PaneFactory = Callable[[PaneContext], QWidget]


@dataclass(frozen=True)
class PaneSpec:
    name: str
    title: str
    shortcut: str
    factory: PaneFactory
    #: The optional module the pane belongs to: offered only while it is switched on.
    module: Module | None = None


_registry: dict[str, PaneSpec] = {}


def register(spec: PaneSpec) -> PaneSpec:
    if spec.name == "main":
        raise ValueError("'main' is the whole window, not a pane name")
    _registry[spec.name] = spec
    return spec


def pane_specs() -> list[PaneSpec]:
    """Every registered pane, in View-menu order."""
    for module in PANE_MODULES:
        importlib.import_module(module)

    def order(spec: PaneSpec) -> int:
        module = getattr(spec.factory, "__module__", "")
        return PANE_MODULES.index(module) if module in PANE_MODULES else len(PANE_MODULES)

    return sorted(_registry.values(), key=order)


def pane_spec(name: str) -> PaneSpec | None:
    return {spec.name: spec for spec in pane_specs()}.get(name)


def pane_names() -> list[str]:
    return [spec.name for spec in pane_specs()]
