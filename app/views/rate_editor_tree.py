"""The rate editor's tree (spec/10 §2.5 "the rate schedule tree"): every schedule → its versions
(effective date, status) → components, and its SQ rules, register rules and sub-rates; with a
filter over every line. `chosen(key)` when the user selects a node, `activated(key)` on
Enter / double-click. Keys: ("schedule", code), ("version", code, effective),
("component", code, effective, sequence), ("folder", code, name), ("rule" | "sub_rate", code,
name, rule)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from app.engine.rates.schedules import RateSchedule
from app.models.enums import ServiceType
from app.services import rates
from app.views.rate_component_editor import component_label


@dataclass(frozen=True)
class Catalogue:
    """What the tree lists and the code lists the fields complete from."""

    schedules: tuple[RateSchedule, ...]
    choices: dict[str, list[str]]


def load_catalogue(db: Any) -> Catalogue:
    """Every rate schedule (for the tree) and the codes of the control tables (worker)."""
    lib = rates.rate_library(db)
    schedules = tuple(lib.rate_schedules[c] for c in sorted(lib.rate_schedules))
    choices = {"uoms": sorted(lib.uoms), "tous": sorted(lib.tous), "sqis": sorted(lib.sqis),
               "bill_factors": sorted(lib.bill_factors), "sq_rules": sorted(lib.sq_rules),
               "register_rules": sorted(lib.register_rules),
               "frequencies": sorted(lib.frequencies), "currencies": sorted(lib.currencies),
               "subsidiaries": [rs.code for rs in schedules if not rs.is_primary],
               "service_types": sorted({s.value for s in ServiceType}
                                       | {rs.service_type for rs in schedules
                                          if rs.service_type})}
    return Catalogue(schedules, choices)


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    return [c for c in (item.child(i) for i in range(item.childCount())) if c is not None]


def _key(item: QTreeWidgetItem) -> tuple[Any, ...]:
    return tuple(item.data(0, Qt.ItemDataRole.UserRole))


def _item(text: str, key: tuple[Any, ...], tip: str = "") -> QTreeWidgetItem:
    item = QTreeWidgetItem([text])
    item.setData(0, Qt.ItemDataRole.UserRole, key)
    item.setToolTip(0, tip or text)
    return item


class ScheduleTree(QWidget):
    chosen = Signal(tuple)
    activated = Signal(tuple)

    def __init__(self) -> None:
        super().__init__()
        self._filling = False
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter: code, description, component…")
        self.filter.setAccessibleName("Filter rate schedules")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.apply_filter)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("Rate schedules")
        self.tree.setUniformRowHeights(True)
        self.tree.currentItemChanged.connect(lambda item, _prev: self._chosen(item))
        self.tree.itemActivated.connect(lambda item, _c: self.activated.emit(_key(item)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)

    def _chosen(self, item: QTreeWidgetItem | None) -> None:
        if not self._filling and item is not None:
            self.chosen.emit(_key(item))

    def set_schedules(self, schedules: Sequence[RateSchedule]) -> None:
        self._filling = True
        try:
            self.tree.clear()
            for rs in schedules:
                item = _item("", ("schedule", rs.code))
                self.tree.addTopLevelItem(item)
                self._fill_schedule_item(item, rs)
        finally:
            self._filling = False
        self.apply_filter(self.filter.text())

    def _tops(self) -> list[QTreeWidgetItem]:
        return [t for t in (self.tree.topLevelItem(i)
                            for i in range(self.tree.topLevelItemCount())) if t is not None]

    def _schedule_item(self, code: str) -> QTreeWidgetItem | None:
        return next((t for t in self._tops() if _key(t)[1] == code), None)

    def _fill_schedule_item(self, item: QTreeWidgetItem, rs: RateSchedule) -> None:
        kind = "" if rs.is_primary else " (subsidiary)"
        item.setText(0, f"{rs.code} · {rs.description}{kind}")
        item.setToolTip(0, f"{rs.code}: {rs.description}{kind}")
        expanded = {c.text(0).split(" ·")[0] for c in _children(item) if c.isExpanded()}
        item.takeChildren()
        for rv in sorted(rs.versions, key=lambda v: v.effective, reverse=True):
            version = _item(f"{rv.effective.isoformat()} · {rv.status.label}",
                            ("version", rs.code, rv.effective))
            version.addChildren([_item(component_label(rc), ("component", rs.code,
                                                             rv.effective, rc.sequence))
                                 for rc in rv.components])
            item.addChild(version)
            version.setExpanded(rv.effective.isoformat() in expanded)
        for name, title in (("sq_rules", "SQ rules"), ("register_rules", "Register rules"),
                            ("sub_rates", "Sub-rates")):
            links = getattr(rs, name)
            folder = _item(f"{title} ({len(links)})", ("folder", rs.code, name))
            folder.addChildren([_item(f"{link.sequence} · {link.rule}",
                                      ("sub_rate" if name == "sub_rates" else "rule", rs.code,
                                       name, link.rule)) for link in links])
            item.addChild(folder)

    def show_schedule(self, rs: RateSchedule) -> None:
        self._filling = True
        try:
            item = self._schedule_item(rs.code)
            if item is None:
                item = _item("", ("schedule", rs.code))
                codes = [_key(top)[1] for top in self._tops()]
                self.tree.insertTopLevelItem(sum(1 for c in codes if c < rs.code), item)
            self._fill_schedule_item(item, rs)
        finally:
            self._filling = False

    def select(self, code: str, effective: dt.date | None = None,
                     sequence: int | None = None) -> None:
        item = self._schedule_item(code)
        if item is None:
            return
        target = item
        for child in _children(item):
            key = _key(child)
            if key[0] == "version" and key[2] == effective:
                target = child
                for grandchild in _children(child):
                    if _key(grandchild)[3] == sequence:
                        target = grandchild
        self._filling = True
        try:
            item.setExpanded(True)
            self.tree.setCurrentItem(target)
            self.tree.scrollToItem(target)
        finally:
            self._filling = False

    def apply_filter(self, text: str) -> None:
        needle = text.strip().casefold()

        def show(item: QTreeWidgetItem, parent_matches: bool) -> bool:
            matches = not needle or needle in item.text(0).casefold()
            child_shown = False
            for child in _children(item):
                child_shown |= show(child, parent_matches or matches)
            visible = matches or child_shown or parent_matches
            item.setHidden(not visible)
            if needle and child_shown:
                item.setExpanded(True)
            return matches or child_shown

        for top in self._tops():
            show(top, False)

    def texts(self, code: str) -> list[str]:
        """The tree under schedule `code`, depth first, for tests and screen readers."""
        out: list[str] = []

        def walk(item: QTreeWidgetItem, depth: int) -> None:
            out.append("  " * depth + item.text(0))
            for child in _children(item):
                walk(child, depth + 1)

        item = self._schedule_item(code)
        if item is not None:
            walk(item, 0)
        return out

