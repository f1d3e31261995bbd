"""Install… and Remove… on the Stock Locations pane's Asset tab: a meter or item goes from
stock to a service point, and back — to the location a warehouse user picks, or to the removal
location of the premise's postal code (INV-R2). The service writes the history rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from app.services import service_points
from app.services.asset_locations import AssetTimeline
from app.services.stock_locations import LocationRow
from app.views.panes import PaneContext
from app.views.tree_dialogs import ActionDialog, number_field

#: The Remove dialog's first choice: let the postal code decide.
BY_POSTAL_CODE = "(the removal location of the premise's postal code)"


def current_service_point(timeline: AssetTimeline) -> str:
    """The service point number the asset is installed at, when its history says."""
    now = timeline.current
    return now.place.removeprefix("SP ") if now and now.place.startswith("SP ") else ""


class InstallDialog(ActionDialog):
    def __init__(self, ctx: PaneContext, parent: QWidget | None, timeline: AssetTimeline,
                 now: dt.datetime, parse_moment: Callable[[str, str], dt.datetime]) -> None:
        super().__init__(ctx, parent, f"Install {timeline.badge_number}…", "Install",
                         f"{timeline.badge_number} leaves stock and is installed at the "
                         "service point from the date and time given.")
        self.timeline, self.parse_moment = timeline, parse_moment
        self.service_point = self.add_row("service_point", "Service point", number_field())
        self.when = self.add_row("located_at", "Installed at",
                                 QLineEdit(f"{now:%Y-%m-%d %H:%M}"))
        self.finish_layout()
        self.service_point.setFocus()

    def prepare(self) -> Callable[[], Any]:
        at = self.parse_moment(self.when.text(), "located_at")
        return partial(service_points.install_device, self.ctx.db, self.ctx.actor,
                       self.service_point.text(), self.timeline.badge_number, at.date(), at=at)

    def success_message(self, result: Any) -> str:
        return f"{self.timeline.badge_number} installed at service point {result.service_point_number}."


class RemoveDialog(ActionDialog):
    def __init__(self, ctx: PaneContext, parent: QWidget | None, timeline: AssetTimeline,
                 locations: list[LocationRow], now: dt.datetime,
                 parse_moment: Callable[[str, str], dt.datetime]) -> None:
        super().__init__(ctx, parent, f"Remove {timeline.badge_number}…", "Remove",
                         f"{timeline.badge_number} comes off the service point and goes back "
                         "to stock.")
        self.timeline, self.parse_moment = timeline, parse_moment
        self.service_point = self.add_row("service_point", "Service point", number_field())
        self.service_point.setText(current_service_point(timeline))
        self.when = self.add_row("located_at", "Removed at", QLineEdit(f"{now:%Y-%m-%d %H:%M}"))
        self.to_location = self.add_row("to_location", "Goes to", QComboBox())
        self.to_location.addItem(BY_POSTAL_CODE, None)
        for row in locations:
            if row.hold_inventory:
                self.to_location.addItem(f"{row.code} · {row.description}", row.code)
        self.errors["removed_on"] = self.errors["located_at"]
        self.finish_layout()
        self.when.setFocus()

    def prepare(self) -> Callable[[], Any]:
        at = self.parse_moment(self.when.text(), "located_at")
        return partial(service_points.remove_device, self.ctx.db, self.ctx.actor,
                       self.service_point.text(), self.timeline.badge_number, at.date(), at=at,
                       to_location=self.to_location.currentData())

    def success_message(self, result: Any) -> str:
        return (f"{self.timeline.badge_number} removed from service point "
                f"{result.service_point_number}.")
