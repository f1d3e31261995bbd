"""New Stock Location / Edit Stock Location (spec/50 P-INV1): code, description, kind, whether
it holds stock (a grouping location holds none), where it sits in the hierarchy, and its
address. Errors show beside the field; a lost race is reported, never overwritten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from app.models.enums import StockLocationKind
from app.services import stock_locations
from app.services.stock_locations import LocationRow, StockLocationForm
from app.views.panes import PaneContext
from app.views.tree_dialogs import ActionDialog

NO_PARENT = "(top level)"


class StockLocationDialog(ActionDialog):
    def __init__(self, ctx: PaneContext, parent: QWidget | None,
                 locations: Sequence[LocationRow], editing: LocationRow | None = None) -> None:
        super().__init__(ctx, parent, "Edit Stock Location…" if editing else
                         "New Stock Location…", "Save" if editing else "Add Location",
                         "A location that only groups others (a warehouse of shelves) holds no "
                         "stock itself.")
        self.editing = editing
        self.code = self.add_row("code", "Code", QLineEdit(editing.code if editing else ""))
        self.code.setPlaceholderText("e.g. WH-NORTH-B2")
        self.code.setEnabled(editing is None)
        self.description = self.add_row("description", "Description",
                                        QLineEdit(editing.description if editing else ""))
        self.kind = self.add_row("kind", "Kind", QComboBox())
        for kind in StockLocationKind:
            self.kind.addItem(kind.label, kind)
        if editing is not None:
            self.kind.setCurrentIndex(self.kind.findData(editing.kind))
        self.holds = self.add_row("hold_inventory", "Holds stock",
                                  QCheckBox("Assets can be put here"))
        self.holds.setChecked(editing.hold_inventory if editing else True)
        self.parent_combo = self.add_row("parent_code", "Inside", QComboBox())
        self.parent_combo.addItem(NO_PARENT, None)
        for row in locations:
            if editing is None or row.code != editing.code:
                self.parent_combo.addItem(f"{'  ' * row.depth}{row.code} — {row.description}",
                                          row.code)
        if editing is not None and editing.parent_code:
            self.parent_combo.setCurrentIndex(self.parent_combo.findData(editing.parent_code))
        self.address = self.add_row("address_line1", "Address", QLineEdit(
            editing.address_line1 or "" if editing else ""))
        self.city = self.add_row("city", "City", QLineEdit(editing.city or "" if editing else ""))
        self.postal = self.add_row("postal_code", "Postal code", QLineEdit(
            editing.postal_code or "" if editing else ""))
        self.comments = self.add_row("comments", "Comments", QLineEdit(
            editing.comments or "" if editing else ""))
        self.finish_layout()
        (self.description if editing else self.code).setFocus()

    def prepare(self) -> Callable[[], Any]:
        form = StockLocationForm(
            self.code.text(), self.description.text(), self.kind.currentData(),
            self.holds.isChecked(), self.parent_combo.currentData(), self.address.text(),
            self.city.text(), self.postal.text(), self.comments.text())
        return partial(stock_locations.save_stock_location, self.ctx.db, self.ctx.actor, form,
                       self.editing.version if self.editing else None)

    def success_message(self, result: Any) -> str:
        return f"Stock location {result} {'saved' if self.editing else 'added'}."
