"""Premise Management's mass-action dialogs (spec/60 §B1.6–§B1.8), built on `ActionDialog`.

Each takes the premises as the grid showed them (`PremiseRef`: number and version) and runs one
service call off the UI thread; errors appear beside the field the service names.

* Start SA Groups / Stop SA Groups: a form, **Show SA Groups** (the plan, off the UI thread),
  ticked rows, then Start / Stop. Any change that could alter the groups (account, date,
  include-children, service point type ticks) disables Start / Stop until Show SA Groups is
  pressed again (L10967–10969); Enter presses whichever of the two is due.
* Assign / remove parent premise, assign / remove landlord.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.models.enums import ServiceType
from app.services import premise_management as pm
from app.services import premise_start_stop as pss
from app.services.context import today
from app.services.errors import ConcurrentChange, DomainError, ValidationError
from app.services.lookup import check_identifier
from app.services.premise_management import PremiseRef, PremiseRow
from app.views.panes import PaneContext
from app.views.tree_dialogs import (
    BANNER_STYLE,
    GENERAL_FIELD,
    ActionDialog,
    date_field,
    number_field,
    parse_date,
)
from app.views.widgets import label
from app.views.worker import run_task

PROBLEM_COLOUR = "#b0413e"
SIMILAR_WARNING = ("Start premises with similar service point configurations together: the SA "
                   "groups are proposed for the whole set, so mixing houses, shops and empty "
                   "units makes the groups hard to read.")
STALE = "Something that changes the SA groups was edited: press Show SA Groups again."
GroupKey = tuple[ServiceType, str]


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def premises_text(rows: Sequence[PremiseRow], shown: int = 3) -> str:
    """"3 premises: 1 Elm St, Springfield; …" for the dialogs' first line."""
    names = "; ".join(r.address for r in rows[:shown])
    more = f"; … and {len(rows) - shown:,} more" if len(rows) > shown else ""
    return f"{_plural(len(rows), 'ticked premise')}: {names}{more}"


def _tree(columns: Sequence[str], stretch: int) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setColumnCount(len(columns))
    tree.setHeaderLabels(list(columns))
    tree.setRootIsDecorated(False)
    tree.setWordWrap(True)
    tree.setTextElideMode(Qt.TextElideMode.ElideNone)  # notes wrap onto a second line
    tree.setAlternatingRowColors(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    header = tree.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return tree


def fit_rows(tree: QTreeWidget, column: int) -> None:
    """Rows as tall as `column`'s wrapped text (a tree view does not grow them itself)."""
    width = max(tree.header().sectionSize(column) - 10, 40)
    metrics = tree.fontMetrics()
    for item in _items(tree):
        height = metrics.boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap,
                                      item.text(column)).height() + 6
        if item.sizeHint(column).height() != height:
            item.setSizeHint(column, QSize(0, height))


def _items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    return [item for i in range(tree.topLevelItemCount())
            if (item := tree.topLevelItem(i)) is not None]


def _ticked(item: QTreeWidgetItem) -> bool:
    return item.checkState(0) is Qt.CheckState.Checked


class MassDialog(ActionDialog):
    """A dialog about the ticked premises; errors about the selection go to the bottom line."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, rows: Sequence[PremiseRow],
                 title: str, submit_text: str, intro: str = "") -> None:
        super().__init__(ctx, parent, title, submit_text, intro=intro)
        self.rows = tuple(rows)
        self.refs: tuple[PremiseRef, ...] = tuple(r.ref for r in rows)
        self.add_fixed("Premises", premises_text(self.rows))
        self._aliases["selection"] = GENERAL_FIELD

    def success_message(self, result: Any) -> str:
        return str(result.message)

    def include_children_box(self) -> QCheckBox:
        box = QCheckBox("Include child premises")
        box.setToolTip("Also every premise below the ticked ones, at any depth")
        return self.add_row("include_children", "", box)


# ----------------------------------------------------------------------- parent, landlord

class MassAssignParentDialog(MassDialog):
    def __init__(self, ctx: PaneContext, parent: QWidget | None,
                 rows: Sequence[PremiseRow]) -> None:
        super().__init__(ctx, parent, rows, "Assign parent premise…", "Assign parent",
                         intro="Every ticked premise becomes part of the same parent premise "
                               "(a building, a site, a mall).")
        self.parent_number = self.add_row("parent", "Parent premise", number_field(),
                                          "parent_premise", "parent_premise_number")
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        if not self.parent_number.text().strip():
            raise ValidationError("Type the parent premise's 10-digit number.", "parent")
        number = check_identifier(self.parent_number.text(), "parent")
        return partial(pm.assign_parent, self.ctx.db, self.ctx.actor, self.refs, number)


class MassRemoveParentDialog(MassDialog):
    def __init__(self, ctx: PaneContext, parent: QWidget | None,
                 rows: Sequence[PremiseRow]) -> None:
        with_parent = sum(1 for r in rows if r.parent_number)
        super().__init__(
            ctx, parent, rows, "Remove parent premise…", "Remove parent",
            intro=f"Remove the parent premise of {_plural(len(rows), 'ticked premise')}? "
                  f"{_plural(with_parent, 'premise')} of them "
                  f"{'has' if with_parent == 1 else 'have'} a parent now; the others are "
                  "left as they are.")
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        return partial(pm.remove_parent, self.ctx.db, self.ctx.actor, self.refs)


class MassAssignLandlordDialog(MassDialog):
    def __init__(self, ctx: PaneContext, parent: QWidget | None,
                 rows: Sequence[PremiseRow]) -> None:
        super().__init__(ctx, parent, rows, "Assign landlord…", "Assign landlord",
                         intro="Replaces any landlord agreement the premises have now: this "
                               "is how a landlord changes.")
        self.agreement = self.add_row("landlord", "Landlord agreement", number_field(),
                                      "landlord_agreement", "landlord_agreement_number")
        self.include_children = self.include_children_box()
        self.effective = self.add_row("effective", "Owner role from", date_field(today()))
        self.effective.setToolTip("The landlord's property-owner role on each premise starts "
                                  "(and the previous landlord's ends) on this day")
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        if not self.agreement.text().strip():
            raise ValidationError("Type the landlord agreement's 10-digit number.", "landlord")
        number = check_identifier(self.agreement.text(), "landlord")
        day = parse_date(self.effective.text(), "effective", "date")
        return partial(pm.assign_landlord, self.ctx.db, self.ctx.actor, self.refs, number,
                       include_children=self.include_children.isChecked(), effective=day)


class MassRemoveLandlordDialog(MassDialog):
    def __init__(self, ctx: PaneContext, parent: QWidget | None,
                 rows: Sequence[PremiseRow]) -> None:
        super().__init__(ctx, parent, rows, "Remove landlord…", "Remove landlord",
                         intro=f"{_plural(len(rows), 'ticked premise')} will no longer have a "
                               "landlord agreement.")
        self.include_children = self.include_children_box()
        self.effective = self.add_row("effective", "Owner role ends", date_field(today()))
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        day = parse_date(self.effective.text(), "effective", "date")
        return partial(pm.remove_landlord, self.ctx.db, self.ctx.actor, self.refs,
                       include_children=self.include_children.isChecked(), effective=day)


# ------------------------------------------------------------------------------ SA groups

class GroupsDialog(MassDialog):
    """Shared frame of Start / Stop SA Groups: Show SA Groups, ticked groups, dirty state."""

    GROUP_COLUMNS: tuple[str, ...] = ()
    NOTES_COLUMN = 0

    def __init__(self, ctx: PaneContext, parent: QWidget | None, rows: Sequence[PremiseRow],
                 title: str, submit_text: str, intro: str) -> None:
        super().__init__(ctx, parent, rows, title, submit_text, intro=intro)
        self.setMinimumWidth(860)
        self.plan: Any = None
        #: The request the groups shown were made for; None until Show SA Groups (or stale).
        self.shown_request: Any = None
        self._serial = 0
        self._planning = False
        self.show_button = QPushButton("Show SA Groups")
        self.show_button.setToolTip("Work out the SA groups for the premises and the fields "
                                    "above")
        self.show_button.clicked.connect(self.show_groups)
        self.groups = _tree(self.GROUP_COLUMNS, self.NOTES_COLUMN)
        self.groups.setMinimumHeight(150)
        self.groups.header().sectionResized.connect(
            lambda column, _old, _new: fit_rows(self.groups, column)
            if column == self.NOTES_COLUMN else None)
        self.groups_error = label("", "inlineError", wrap=True)
        self.groups_error.hide()
        self.errors["groups"] = self.groups_error
        self.fields["groups"] = self.groups
        self.summary = label("Press Show SA Groups to see what will be done.", wrap=True)
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        self.groups.itemChanged.connect(lambda _item, _column: self.update_summary())

    def add_show_button(self) -> None:
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 2, 0, 2)
        line.addWidget(self.show_button)
        line.addStretch(1)
        self.form.addRow("", row)

    def add_groups(self, caption: str) -> None:
        self.body.addWidget(label(caption, "sectionHeading"))
        self.body.addWidget(self.groups, 1)
        self.body.addWidget(self.groups_error)
        self.body.addWidget(self.summary)

    def watch(self, *widgets: QWidget) -> None:
        """Edits of these fields make the groups shown stale."""
        for widget in widgets:
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(lambda _t: self.mark_stale())
            elif isinstance(widget, QCheckBox):
                widget.toggled.connect(lambda _c: self.mark_stale())

    # ------------------------------------------------------------------------------ state

    @property
    def plan_ready(self) -> bool:
        return self.shown_request is not None

    def mark_stale(self) -> None:
        self._serial += 1  # a plan still on its way is for the old fields
        self.shown_request = None
        if self.plan is not None or self._planning:
            self.summary.setText(STALE)
        self._planning = False
        self._defaults()

    def _defaults(self) -> None:
        """Enter presses Show SA Groups while the groups are stale, Start / Stop after."""
        self.show_button.setDefault(not self.plan_ready)
        self.submit_button.setDefault(self.plan_ready)
        self.show_button.setEnabled(not self.busy)
        self.refresh_submit()

    def set_busy(self, busy: bool) -> None:
        super().set_busy(busy)
        self.show_button.setEnabled(not busy)

    def can_submit(self) -> bool:
        return self.plan_ready and bool(self.chosen_keys())

    def submit(self) -> None:
        if not self.plan_ready and not self.busy:
            self.show_groups()
            return
        super().submit()

    def chosen_keys(self) -> list[GroupKey]:
        return [item.data(0, Qt.ItemDataRole.UserRole) for item in _items(self.groups)
                if _ticked(item)]

    # ------------------------------------------------------------------------------- plan

    def build_request(self) -> Any:
        raise NotImplementedError

    def plan_call(self, request: Any) -> Callable[[], Any]:
        raise NotImplementedError

    def fill(self, plan: Any) -> None:
        raise NotImplementedError

    def show_groups(self) -> None:
        """"Show SA Groups": read the fields, then the plan off the UI thread."""
        if self.busy:
            return
        self.clear_errors()
        try:
            request = self.build_request()
        except DomainError as exc:
            self.show_error(exc.field, exc.message)
            return
        self._serial += 1
        serial = self._serial
        self.shown_request = None
        self._planning = True
        self.summary.setText("Working out the SA groups…")
        self.set_busy(True)
        run_task(self.plan_call(request),
                 on_result=lambda plan: self._plan_done(serial, request, plan),
                 on_error=lambda exc: self._plan_failed(serial, exc))

    def _plan_done(self, serial: int, request: Any, plan: Any) -> None:
        self.set_busy(False)
        if serial != self._serial:
            return
        self._planning = False
        self.plan, self.shown_request = plan, request
        self.groups.blockSignals(True)
        self.fill(plan)
        fit_rows(self.groups, self.NOTES_COLUMN)
        self.groups.blockSignals(False)
        self.update_summary()
        self._defaults()
        first = self.groups.topLevelItem(0)
        if first is not None:
            self.groups.setCurrentItem(first)

    def _plan_failed(self, serial: int, exc: BaseException) -> None:
        self.set_busy(False)
        if serial != self._serial:
            return
        self._planning = False
        self.summary.setText("")
        self._defaults()
        if isinstance(exc, ConcurrentChange):
            self.show_error(GENERAL_FIELD, exc.message)
            self.concurrent_change.emit()
        elif isinstance(exc, DomainError):
            self.show_error(exc.field, exc.message)
        else:
            self.show_error(GENERAL_FIELD, f"The SA groups could not be worked out: {exc}")

    def group_item(self, key: GroupKey, texts: Sequence[str], on: bool, tooltip: str,
                   problems: Sequence[str]) -> QTreeWidgetItem:
        item = QTreeWidgetItem(list(texts))
        item.setData(0, Qt.ItemDataRole.UserRole, key)
        item.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        for column in range(len(texts)):
            item.setToolTip(column, tooltip)
        if problems:
            item.setForeground(self.NOTES_COLUMN, QBrush(QColor(PROBLEM_COLOUR)))
        self.groups.addTopLevelItem(item)
        return item

    def update_summary(self) -> None:
        if self.plan_ready:
            self.summary.setText(self.summary_text())
        self.refresh_submit()

    def summary_text(self) -> str:
        raise NotImplementedError


class StartGroupsDialog(GroupsDialog):
    """"Start SA Groups Confirmation" (§B1.6)."""

    GROUP_COLUMNS = ("Start this SA group", "SA type", "Rates", "What will be created",
                     "Notes")
    NOTES_COLUMN = 4

    def __init__(self, ctx: PaneContext, parent: QWidget | None,
                 rows: Sequence[PremiseRow]) -> None:
        super().__init__(ctx, parent, rows, "Start SA Groups…", "Start",
                         intro="Creates a pending-start service agreement on every service "
                               "point of the ticked SA groups, for one account.")
        self.banner.setText(SIMILAR_WARNING)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.show()
        self.account = self.add_row("account", "Account", number_field("account number"),
                                    "account_number")
        context = ctx.current.account
        if context is not None:
            self.account.setText(context.account_number)
        self.start_date = self.add_row("start_date", "Start date", date_field(today()),
                                       "start")
        self.requested_by = self.add_row("requested_by", "Start requested by", QLineEdit())
        self.requested_by.setPlaceholderText("Who asked for the service (name, phone)")
        self.include_children = self.include_children_box()
        self.add_show_button()
        self.points = _tree(("Service point type", "Service points"), 0)
        self.points.setMaximumHeight(120)
        self.points.itemChanged.connect(lambda _item, _column: self.mark_stale())
        self.body.addWidget(label("Service points", "sectionHeading"))
        self.body.addWidget(label("Untick a type to leave its service points out, then press "
                                  "Show SA Groups again.", "hint", wrap=True))
        self.body.addWidget(self.points)
        self.add_groups("SA groups to start")
        self.watch(self.account, self.start_date, self.include_children)
        self.finish_layout()
        self._defaults()
        self.resize(940, 720)

    def excluded_types(self) -> frozenset[ServiceType]:
        return frozenset(ServiceType(item.data(0, Qt.ItemDataRole.UserRole))
                         for item in _items(self.points) if not _ticked(item))

    def build_request(self) -> pss.MassStartRequest:
        if not self.account.text().strip():
            raise ValidationError("Type the number of the account that takes the service.",
                                  "account")
        account = check_identifier(self.account.text(), "account")
        day = parse_date(self.start_date.text(), "start_date", "start date")
        return pss.MassStartRequest(account, day, self.refs, self.include_children.isChecked(),
                                    self.excluded_types(), self.requested_by.text().strip())

    def plan_call(self, request: Any) -> Callable[[], Any]:
        return partial(pss.start_plan, self.ctx.db, request)

    def fill(self, plan: Any) -> None:
        start: pss.StartPlan = plan
        self.points.blockSignals(True)
        self.points.clear()
        for count in start.service_point_types:
            item = QTreeWidgetItem([count.service_type.label, f"{count.count:,}"])
            item.setData(0, Qt.ItemDataRole.UserRole, count.service_type.value)
            item.setCheckState(0, Qt.CheckState.Checked if count.included
                               else Qt.CheckState.Unchecked)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.points.addTopLevelItem(item)
        self.points.blockSignals(False)
        self.groups.clear()
        for group in start.groups:
            notes = list(group.problems)
            if group.back_to_back:
                accounts = sorted({b.account_number for b in group.back_to_back})
                notes.append(f"stops {_plural(len(group.back_to_back), 'agreement')} of other "
                             f"accounts the day before ({', '.join(accounts[:3])}"
                             f"{'…' if len(accounts) > 3 else ''})")
            if not group.default_on:
                notes.append("off by default: the previous customers here had other "
                             "agreement types")
            tooltip = group.detail + ("\n\n" + "\n".join(group.problems)
                                      if group.problems else "")
            self.group_item(group.key, (group.service_type.label, group.sa_type,
                                        ", ".join(group.rates), group.summary,
                                        "; ".join(notes)),
                            group.default_on, tooltip, group.problems)

    def summary_text(self) -> str:
        plan: pss.StartPlan = self.plan
        if not plan.groups:
            return ("Nothing to start: the premises have no service points of the ticked "
                    "types.")
        chosen = set(self.chosen_keys())
        groups = [g for g in plan.groups if g.key in chosen]
        if not groups:
            return "Tick at least one SA group to start."
        count = sum(len(g.starts) for g in groups)
        request: pss.MassStartRequest = self.shown_request
        return (f"Start creates {_plural(count, 'service agreement')} in "
                f"{_plural(len(groups), 'SA group')} for account {request.account_number}, "
                f"pending start {request.start_date:%Y-%m-%d}.")

    def prepare(self) -> Callable[[], Any]:
        request: pss.MassStartRequest = replace(
            self.shown_request, requested_by=self.requested_by.text().strip())
        return partial(pss.mass_start, self.ctx.db, self.ctx.actor, request,
                       self.chosen_keys())


class StopGroupsDialog(GroupsDialog):
    """"Stop SA Group Confirmation" (§B1.7)."""

    GROUP_COLUMNS = ("Stop this SA group", "SA type", "Agreements", "Accounts", "Notes")
    NOTES_COLUMN = 4

    def __init__(self, ctx: PaneContext, parent: QWidget | None,
                 rows: Sequence[PremiseRow]) -> None:
        super().__init__(ctx, parent, rows, "Stop SA Groups…", "Stop",
                         intro="Puts every pending-start or active agreement of the ticked SA "
                               "groups on the premises' service points into pending stop.")
        self.stop_date = self.add_row("stop_date", "Stop date", date_field(today()),
                                      "end_date", "stop")
        self.restrict = self.add_row("restrict_to_account", "Restrict to account",
                                     number_field("empty: every account"), "account")
        self.restrict.setToolTip("Only this account's agreements are stopped; leave empty to "
                                 "stop every account's")
        self.requested_by = self.add_row("requested_by", "Stop requested by", QLineEdit())
        self.requested_by.setPlaceholderText("Who asked for the stop (name, phone)")
        self.include_children = self.include_children_box()
        self.add_show_button()
        self.add_groups("SA groups to stop")
        self.watch(self.stop_date, self.restrict, self.include_children)
        self.finish_layout()
        self._defaults()
        self.resize(900, 600)

    def build_request(self) -> pss.MassStopRequest:
        day = parse_date(self.stop_date.text(), "stop_date", "stop date")
        account = (check_identifier(self.restrict.text(), "restrict_to_account")
                   if self.restrict.text().strip() else "")
        return pss.MassStopRequest(day, self.refs, self.include_children.isChecked(), account,
                                   self.requested_by.text().strip())

    def plan_call(self, request: Any) -> Callable[[], Any]:
        return partial(pss.stop_plan, self.ctx.db, request)

    def fill(self, plan: Any) -> None:
        stop: pss.StopPlan = plan
        self.groups.clear()
        for group in stop.groups:
            item = self.group_item(
                group.key, (group.service_type.label, group.sa_type,
                            f"{len(group.agreements):,}", f"{group.account_count:,}",
                            "; ".join(group.problems)),
                True, "\n".join(group.problems) or ", ".join(group.agreements[:20]),
                group.problems)
            for column in (2, 3):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)

    def summary_text(self) -> str:
        plan: pss.StopPlan = self.plan
        if not plan.groups:
            return "Nothing to stop: no pending-start or active agreement supplies these " \
                   "premises after the stop date."
        chosen = set(self.chosen_keys())
        count = sum(len(g.agreements) for g in plan.groups if g.key in chosen)
        if not count:
            return "Tick at least one SA group to stop."
        request: pss.MassStopRequest = self.shown_request
        return (f"Stop puts {_plural(count, 'agreement')} into pending stop on "
                f"{request.stop_date:%Y-%m-%d}.")

    def prepare(self) -> Callable[[], Any]:
        request: pss.MassStopRequest = replace(
            self.shown_request, requested_by=self.requested_by.text().strip())
        return partial(pss.mass_stop, self.ctx.db, self.ctx.actor, request,
                       self.chosen_keys())


__all__ = ["MassAssignLandlordDialog", "MassAssignParentDialog", "MassDialog",
           "MassRemoveLandlordDialog", "MassRemoveParentDialog", "StartGroupsDialog",
           "StopGroupsDialog", "premises_text"]
