"""Start and stop service from the account tree (spec/60 §B1.6–§B1.7, R-A8, R-A11).

Start: the premise's service points as a checkable list (what `start_options` proposes for each:
SA type and rate; blocked points unticked and disabled with the reason), "N service agreements
will be created for M service points", and Start. Stop: the agreement(s), a stop date, Stop.
Both show the caller-authority banner and require an override reason when the caller is not
owner or administrator of the account.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.models.enums import ServiceType
from app.services import start_stop
from app.services.context import today
from app.services.errors import DomainError, ValidationError
from app.services.service_agreements import ServiceAgreementView
from app.services.start_stop import StartOption, StartServiceForm, StopServiceForm
from app.views.panes import PaneContext
from app.views.tree_dialogs import ActionDialog, CallerCheck, date_field, parse_date
from app.views.widgets import label
from app.views.worker import run_task

OPTION_COLUMNS = ("Service point", "Type", "POD", "SA type", "Rate", "Note")
BLOCKED_COLOUR = "#b0413e"
ROW_HEIGHT = 24


def _service_type(value: str) -> str:
    try:
        return ServiceType(value).label
    except ValueError:
        return value


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def agreements_status_text(created: Sequence[ServiceAgreementView], verb: str) -> str:
    """E.g. "2 service agreements created, pending start 2026-12-01"."""
    if not created:
        return "No service agreement was changed."
    first = created[0]
    status = first.status.label.lower()
    day = first.start_date if verb == "created" else (first.end_date or first.start_date)
    return f"{_plural(len(created), 'service agreement')} {verb}, {status} {day:%Y-%m-%d}"


class StartServiceDialog(ActionDialog):
    """Start service on chosen service points of one premise, for one account."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, account_number: str,
                 account_label: str, premise_number: str, premise_label: str,
                 check: CallerCheck | None, start: dt.date | None = None) -> None:
        super().__init__(
            ctx, parent, "Start service…", "Start",
            intro="Creates a pending-start service agreement on each ticked service point.",
            check=check,
        )
        self.setMinimumWidth(760)
        self.account_number, self.premise_number = account_number, premise_number
        self.options: list[StartOption] = []
        self._options_date: dt.date | None = None
        self._serial = 0
        self.add_fixed("Account", account_label)
        self.add_fixed("Premise", premise_label)
        self.start_date = self.add_row("start_date", "Start date", date_field(start or today()),
                                       "start")
        self.requested_by = self.add_row("requested_by", "Requested by", QLineEdit())
        self.requested_by.setPlaceholderText("Who asked for the service (name, phone)")
        self.points = QTreeWidget()
        self.points.setColumnCount(len(OPTION_COLUMNS))
        self.points.setHeaderLabels(list(OPTION_COLUMNS))
        self.points.setRootIsDecorated(False)
        self.points.setUniformRowHeights(False)
        self.points.setWordWrap(True)
        self.points.setAlternatingRowColors(True)
        self.points.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.points.setMinimumHeight(ROW_HEIGHT * 5 + 30)
        header = self.points.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(OPTION_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.points.itemChanged.connect(lambda _item, _col: self._update_summary())
        self.body.addWidget(label("Service points", "hint"))
        self.body.addWidget(self.points, 1)
        points_error = label("", "inlineError", wrap=True)
        points_error.hide()
        self.errors["service_point_numbers"] = points_error
        self.body.addWidget(points_error)
        self.summary = label("Loading the service points…", "", wrap=True)
        summary_font = self.summary.font()
        summary_font.setBold(True)
        self.summary.setFont(summary_font)
        self.body.addWidget(self.summary)
        self.fields["service_point_numbers"] = self.points
        for alias in ("service_points", "service_point", "premise"):
            self._aliases[alias] = "service_point_numbers"
        self.start_date.textEdited.connect(lambda _text: self._date_edited())
        self.finish_layout()
        self.resize(820, 560)
        self.load_options()

    # ------------------------------------------------------------------------------ options

    def _date_edited(self) -> None:
        try:
            day = dt.date.fromisoformat(self.start_date.text().strip())
        except ValueError:
            self._options_date = None
            self.summary.setText("Type the start date as YYYY-MM-DD to see what will start.")
            self.refresh_submit()
            return
        self.errors["start_date"].hide()
        if day != self._options_date:
            self.load_options(day)

    def load_options(self, day: dt.date | None = None) -> None:
        """What starting on `day` would create on each service point (off the UI thread)."""
        if day is None:
            try:
                day = parse_date(self.start_date.text(), "start_date", "start date")
            except DomainError as exc:
                self.show_error(exc.field, exc.message)
                return
        self._serial += 1
        serial = self._serial
        self._options_date = None
        self.summary.setText("Loading the service points…")
        self.refresh_submit()
        run_task(start_stop.start_options, self.ctx.db, self.account_number,
                 self.premise_number, day,
                 on_result=lambda options: self._show_options(serial, day, options),
                 on_error=lambda exc: self._options_failed(serial, exc))

    def _options_failed(self, serial: int, exc: BaseException) -> None:
        if serial != self._serial:
            return
        self.summary.setText("")
        self.show_error("service_point_numbers",
                        exc.message if isinstance(exc, DomainError)
                        else f"The service points could not be read: {exc}")

    def _show_options(self, serial: int, day: dt.date, options: list[StartOption]) -> None:
        if serial != self._serial:
            return
        previously_unticked = {
            self.points.topLevelItem(i).text(0)  # type: ignore[union-attr]
            for i in range(self.points.topLevelItemCount())
            if self.points.topLevelItem(i).checkState(0)  # type: ignore[union-attr]
            is Qt.CheckState.Unchecked
            and not self.points.topLevelItem(i).isDisabled()  # type: ignore[union-attr]
        }
        self.options = list(options)
        self._options_date = day
        self.points.blockSignals(True)
        self.points.clear()
        for option in options:
            item = QTreeWidgetItem([
                option.service_point_number, _service_type(option.service_type),
                option.pod_ref or "—", option.sa_type, option.rate_schedule_code,
                option.blocked_reason or (f"as agreement {option.previous_sa_number}"
                                          if option.previous_sa_number
                                          else "default for the customer class"),
            ])
            item.setData(0, Qt.ItemDataRole.UserRole, option.service_point_number)
            if option.blocked_reason:
                item.setCheckState(0, Qt.CheckState.Unchecked)
                item.setDisabled(True)
                item.setForeground(5, QBrush(QColor(BLOCKED_COLOUR)))
                item.setToolTip(5, option.blocked_reason)
                for column in range(len(OPTION_COLUMNS)):
                    item.setToolTip(column, option.blocked_reason)
            else:
                ticked = option.service_point_number not in previously_unticked
                item.setCheckState(0, Qt.CheckState.Checked if ticked
                                   else Qt.CheckState.Unchecked)
            self.points.addTopLevelItem(item)
        self.points.blockSignals(False)
        first = self.points.topLevelItem(0)
        if first is not None:
            self.points.setCurrentItem(first)
        self._update_summary()

    def checked_points(self) -> tuple[str, ...]:
        numbers: list[str] = []
        for i in range(self.points.topLevelItemCount()):
            item = self.points.topLevelItem(i)
            if item is not None and not item.isDisabled() and \
                    item.checkState(0) is Qt.CheckState.Checked:
                numbers.append(str(item.data(0, Qt.ItemDataRole.UserRole)))
        return tuple(numbers)

    def set_checked(self, service_point_number: str, checked: bool) -> None:
        for i in range(self.points.topLevelItemCount()):
            item = self.points.topLevelItem(i)
            if item is not None and item.text(0) == service_point_number:
                item.setCheckState(0, Qt.CheckState.Checked if checked
                                   else Qt.CheckState.Unchecked)

    def _update_summary(self) -> None:
        if self._options_date is None:
            self.refresh_submit()
            return
        points = self.checked_points()
        if not self.options:
            text = "This premise has no service points to start service on."
        elif not points:
            text = "Tick at least one service point to start service."
        else:
            text = (f"{_plural(len(points), 'service agreement')} will be created for "
                    f"{_plural(len(points), 'service point')}.")
        blocked = sum(1 for option in self.options if option.blocked_reason)
        if blocked:
            text += f"  ({_plural(blocked, 'service point')} cannot start: see Note.)"
        self.summary.setText(text)
        self.refresh_submit()

    def can_submit(self) -> bool:
        return self._options_date is not None and bool(self.checked_points())

    # ------------------------------------------------------------------------------ saving

    def prepare(self) -> Callable[[], Any]:
        day = parse_date(self.start_date.text(), "start_date", "start date")
        points = self.checked_points()
        if not points:
            raise ValidationError("Tick at least one service point to start service.",
                                  "service_point_numbers")
        form = StartServiceForm(
            account_number=self.account_number,
            premise_number=self.premise_number,
            service_point_numbers=points,
            start_date=day,
            requested_by=self.requested_by.text().strip(),
            caller_party_number=self.check.caller_party_number if self.check else None,
            override_reason=self.override_reason(),
        )
        return partial(start_stop.start_service, self.ctx.db, self.ctx.actor, form)

    def success_message(self, result: Any) -> str:
        return agreements_status_text(result, "created")

    def created_service_points(self) -> tuple[str, ...]:
        """The service points that got an agreement (the tree expands them after a start)."""
        views: Sequence[ServiceAgreementView] = self.result_value or ()  # type: ignore[assignment]
        return tuple(sp for view in views for sp in view.service_point_numbers)

    def reload(self) -> None:
        self.load_options()


class StopServiceDialog(ActionDialog):
    """Put one or more agreements of an account into pending stop from a date."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, account_number: str,
                 agreements: Sequence[tuple[str, str]], check: CallerCheck | None,
                 stop: dt.date | None = None) -> None:
        super().__init__(
            ctx, parent, "Stop service…", "Stop",
            intro="The agreement goes into pending stop; it ends on the stop date.",
            check=check,
        )
        self.setMinimumWidth(660)
        self.account_number = account_number
        self.agreement_numbers = tuple(number for number, _label in agreements)
        caption = "Service agreement" if len(agreements) == 1 else "Service agreements"
        shown = label("\n".join(text for _number, text in agreements), wrap=True)
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.add_row("service_agreements", caption, shown, "service_agreement_numbers")
        self.stop_date = self.add_row("stop_date", "Stop date", date_field(stop or today()),
                                      "end_date", "stop")
        self.requested_by = self.add_row("requested_by", "Requested by", QLineEdit())
        self.requested_by.setPlaceholderText("Who asked for the stop (name, phone)")
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        form = StopServiceForm(
            account_number=self.account_number,
            service_agreement_numbers=self.agreement_numbers,
            stop_date=parse_date(self.stop_date.text(), "stop_date", "stop date"),
            requested_by=self.requested_by.text().strip(),
            caller_party_number=self.check.caller_party_number if self.check else None,
            override_reason=self.override_reason(),
        )
        return partial(start_stop.stop_service, self.ctx.db, self.ctx.actor, form)

    def success_message(self, result: Any) -> str:
        views: Sequence[ServiceAgreementView] = result
        if not views:
            return "No service agreement was changed."
        day = views[0].end_date
        when = f" on {day:%Y-%m-%d}" if day else ""
        return (f"{_plural(len(views), 'service agreement')} stopping{when} "
                f"({views[0].status.label.lower()})")
