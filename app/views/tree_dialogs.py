"""Dialogs the account tree's context menu opens: add a role or a subscription to an account, and
assign or remove a premise's parent premise or landlord (spec/60 §A3, §A6, §B1.8).

`ActionDialog` is the shared frame (also used by the start/stop dialogs): a form whose errors are
shown beside the field the service names (`DomainError.field`), a caller-authority banner with a
required override reason (R-A8), and a submit that runs the service off the UI thread. The dialog
stays open on any error; on success it emits `saved(status text)` and closes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import ROLE_TARGETS, CorrespondenceType, RoleTarget, RoleType
from app.services import accounts, premises, roles
from app.services.authority import OnCall
from app.services.context import today
from app.services.control_central import Authority, caller_authority
from app.services.errors import ConcurrentChange, DomainError, ValidationError
from app.services.lookup import check_identifier
from app.services.premises import PremiseView
from app.views.current_context import CurrentContext
from app.views.panes import PaneContext
from app.views.widgets import label
from app.views.worker import run_task

W = TypeVar("W", bound=QWidget)
OVERRIDE_FIELD = "override_reason"
GENERAL_FIELD = ""
BANNER_STYLE = (
    "QLabel { background: #fff4d6; color: #5c4300; border: 1px solid #e3b94f;"
    " border-radius: 4px; padding: 7px 10px; }"
)


@dataclass(frozen=True)
class CallerCheck:
    """Whether the caller may change the account without an override reason (R-A8)."""

    caller_party_number: str | None
    needs_override: bool
    banner: str


def caller_check(current: CurrentContext, account_number: str | None) -> CallerCheck:
    """The context's caller when the context is this account; anyone else is an unknown caller."""
    account = current.account
    caller = (
        account.caller
        if account is not None and account_number and account.account_number == account_number
        else None
    )
    if caller is not None and caller.has_authority:
        return CallerCheck(caller.party_number, False, "")
    if caller is None:
        banner = ("Caller unknown — not identified as owner or administrator of this "
                  "account. Enter an override reason to go ahead.")
        return CallerCheck(None, True, banner)
    held = f" (holds: {caller.roles})" if caller.roles else ""
    banner = (f"Caller {caller.party_name}{held} is not owner or administrator of this account. "
              "Enter an override reason to go ahead.")
    return CallerCheck(caller.party_number, True, banner)


def parse_date(text: str, field: str, what: str) -> dt.date:
    value = text.strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        shown = f"'{value}' is not a date. " if value else ""
        raise ValidationError(
            f"{shown}Type the {what} as YYYY-MM-DD, e.g. {today():%Y-%m-%d}.", field
        ) from None


def parse_time(text: str, field: str, what: str) -> dt.time:
    """A time of day typed as HH:MM (or H, or H:MM)."""
    value = text.strip()
    try:
        hours, _, minutes = value.partition(":")
        return dt.time(int(hours), int(minutes or 0))
    except ValueError:
        shown = f"'{value}' is not a time. " if value else ""
        raise ValidationError(f"{shown}Type the {what} as HH:MM, e.g. 13:00.", field) from None


def time_field(value: dt.time | None) -> QLineEdit:
    field = QLineEdit("" if value is None else f"{value:%H:%M}")
    field.setPlaceholderText("HH:MM")
    field.setFixedWidth(80)
    return field


def date_field(day: dt.date | None) -> QLineEdit:
    field = QLineEdit("" if day is None else f"{day:%Y-%m-%d}")
    field.setPlaceholderText("YYYY-MM-DD")
    field.setMaximumWidth(140)
    return field


def number_field(placeholder: str = "10-digit number") -> QLineEdit:
    field = QLineEdit()
    field.setPlaceholderText(placeholder)
    field.setMaxLength(14)
    field.setMaximumWidth(200)
    return field


class ActionDialog(QDialog):
    """A form that runs one service call; errors beside their field, nothing closes on error."""

    #: Status text for the window's status bar after a successful save.
    saved = Signal(str)
    #: Someone else changed the object: the pane should reload the branch.
    concurrent_change = Signal()

    def __init__(self, ctx: PaneContext, parent: QWidget | None, title: str, submit_text: str,
                 intro: str = "", check: CallerCheck | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.check = check
        self.setWindowTitle(title)
        self.setMinimumWidth(580)
        self.busy = False
        self.result_value: object = None
        #: What the last successful save said.
        self.message = ""
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self._aliases: dict[str, str] = {}

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        self.heading = label(title.rstrip("…"), "sectionHeading")
        layout.addWidget(self.heading)
        if intro:
            layout.addWidget(label(intro, "hint", wrap=True))
        self.banner = label("", "authorityBanner", wrap=True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        layout.addWidget(self.banner)
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(16)
        self.form.setVerticalSpacing(8)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(self.form)
        self.body = QVBoxLayout()
        self.body.setSpacing(6)
        layout.addLayout(self.body)
        self.override = QLineEdit()
        self.override.setPlaceholderText("Why the change is made for this caller (audited)")
        self._override_row = self._error_box(OVERRIDE_FIELD, self.override)
        self.general_error = label("", "inlineError", wrap=True)
        self.general_error.hide()
        self.errors[GENERAL_FIELD] = self.general_error
        self._footer = layout
        self.buttons = QDialogButtonBox()
        self.submit_button = QPushButton(submit_text)
        self.submit_button.setObjectName("primary")
        self.submit_button.setDefault(True)
        self.submit_button.setAutoDefault(True)
        self.buttons.addButton(self.submit_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.submit_button.clicked.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self._override_label = QLabel("Override reason")

    # ---------------------------------------------------------------------------- building

    def finish_layout(self) -> None:
        """Subclasses call this after adding their rows: override, errors, buttons at the end."""
        if self.check is not None and self.check.needs_override:
            self.require_override(self.check.banner)
        self._footer.addWidget(self.general_error)
        self._footer.addStretch(1)
        self._footer.addWidget(self.buttons)

    def _error_box(self, name: str, widget: QWidget) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addWidget(widget)
        error = label("", "inlineError", wrap=True)
        error.hide()
        column.addWidget(error)
        self.fields[name] = widget
        self.errors[name] = error
        return box

    def add_row(self, name: str, caption: str, widget: W, *aliases: str) -> W:
        """A labelled input; service errors whose `field` is `name` or an alias appear under it."""
        self.form.addRow(caption, self._error_box(name, widget))
        for alias in aliases:
            self._aliases[alias] = name
        return widget

    def add_fixed(self, caption: str, text: str) -> QLabel:
        shown = label(text, wrap=True)
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form.addRow(caption, shown)
        return shown

    def require_override(self, banner: str) -> None:
        """Show the authority banner and the required override reason field."""
        self.banner.setText(banner)
        self.banner.show()
        if self.form.indexOf(self._override_row) < 0:
            self.form.addRow(self._override_label, self._override_row)
            self._aliases.update({"override": OVERRIDE_FIELD, "caller": OVERRIDE_FIELD,
                                  "caller_party_number": OVERRIDE_FIELD})
        self.check = CallerCheck(self.check.caller_party_number if self.check else None, True,
                                 banner)

    def release_override(self) -> None:
        """The caller does have authority after all: no banner, no reason needed."""
        self.banner.hide()
        if self.form.indexOf(self._override_row) >= 0:
            self.form.takeRow(self._override_row)
            self._override_row.setParent(self)
            self._override_row.hide()
            self._override_label.setParent(self)
            self._override_label.hide()
        if self.check is not None:
            self.check = CallerCheck(self.check.caller_party_number, False, "")

    def verify_caller(self, account_number: str) -> None:
        """Ask the database whether the context's caller has authority today (R-A8)."""
        caller = self.check.caller_party_number if self.check else None
        if caller is None:
            return
        run_task(caller_authority, self.ctx.db, account_number, caller,
                 on_result=self._authority_known, on_error=lambda _exc: None)

    def _authority_known(self, authority: Authority) -> None:
        if authority.allowed and self.needs_override:
            self.release_override()
        elif not authority.allowed and not self.needs_override:
            self.require_override(authority.reason)

    @property
    def needs_override(self) -> bool:
        return self.check is not None and self.check.needs_override

    def override_reason(self) -> str:
        """The typed reason; refuses an empty one when the caller has no authority."""
        reason = self.override.text().strip()
        if self.needs_override and not reason:
            raise ValidationError(
                "Enter an override reason: the caller is not owner or administrator of this "
                "account.",
                OVERRIDE_FIELD,
            )
        return reason

    def on_call(self) -> OnCall:
        """The caller of the context and the typed override reason, for the service's own
        authority check (R-A8)."""
        caller = self.check.caller_party_number if self.check is not None else None
        return OnCall(caller, self.override_reason())

    # ------------------------------------------------------------------------------ errors

    def clear_errors(self) -> None:
        for error in self.errors.values():
            error.hide()
            error.setText("")

    def show_error(self, field: str | None, message: str, *, focus: bool = True) -> None:
        name = self._aliases.get(field or "", field or "")
        error = self.errors.get(name, self.general_error)
        error.setText(message)
        error.show()
        self.fit()
        widget = self.fields.get(name)
        if focus and widget is not None and widget.isEnabled():
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def fit(self) -> None:
        """Grow the window to show a message that wraps (once the layout has settled)."""
        QTimer.singleShot(0, self, self._fit)

    def _fit(self) -> None:
        layout = self.layout()
        hint = layout.totalHeightForWidth(self.width()) if layout is not None else -1
        if hint > self.height():
            self.resize(self.width(), hint)

    def error_text(self, field: str = GENERAL_FIELD) -> str:
        """What is shown under `field` (empty when hidden): for tests and screen readers."""
        error = self.errors.get(field)
        return error.text() if error is not None and not error.isHidden() else ""

    # ------------------------------------------------------------------------------ saving

    def prepare(self) -> Callable[[], Any]:
        """Read and check the form on the UI thread; return the call to run in the worker."""
        raise NotImplementedError

    def success_message(self, result: Any) -> str:
        raise NotImplementedError

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.submit_button.setEnabled(not busy and self.can_submit())
        self.cancel_button.setEnabled(not busy)

    def can_submit(self) -> bool:
        return True

    def refresh_submit(self) -> None:
        self.submit_button.setEnabled(not self.busy and self.can_submit())

    def submit(self) -> None:
        if self.busy or not self.can_submit():
            return
        self.clear_errors()
        try:
            call = self.prepare()
        except DomainError as exc:
            self.show_error(exc.field, exc.message)
            return
        self.set_busy(True)
        run_task(call, on_result=self._saved, on_error=self._failed)

    def _saved(self, result: Any) -> None:
        self.set_busy(False)
        self.result_value = result
        self.message = self.success_message(result)
        self.saved.emit(self.message)
        self.ctx.current.notify_saved(self.saved_account())
        self.after_saved(result)

    def after_saved(self, result: Any) -> None:
        """What the dialog does once the service has saved: close (a dialog that shows the
        result next, like Transfer's manifest, stays open)."""
        self.accept()

    def saved_account(self) -> str | None:
        """The account a save concerns (for `CurrentContext.saved`); None: perhaps any."""
        number = getattr(self, "account_number", None)
        return number if isinstance(number, str) and number else None

    def _failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        if isinstance(exc, ConcurrentChange):
            self.show_error(GENERAL_FIELD, exc.message)
            self.concurrent_change.emit()
            self.reload()
        elif isinstance(exc, DomainError):
            if type(exc).__name__ == "OverrideReasonRequired":
                self.require_override(self.banner.text() or exc.message)
                self.show_error(OVERRIDE_FIELD, exc.message)
            else:
                self.refused(exc)
        else:
            self.show_error(GENERAL_FIELD, f"Nothing was saved: {exc}")

    def refused(self, exc: DomainError) -> None:
        """The service said no: its message under the field it names (subclasses may do more)."""
        self.show_error(exc.field, exc.message)

    def reload(self) -> None:
        """Re-read what the dialog shows after someone else changed it (subclasses)."""


# --------------------------------------------------------------------------------- roles

ROLE_CHOICES: dict[RoleTarget, tuple[RoleType, ...]] = {
    target: tuple(
        t for t in RoleType if t is not RoleType.OWNER and target in ROLE_TARGETS[t]
    )
    for target in RoleTarget
}


class AddRoleDialog(ActionDialog):
    """Give a party a role on an account (or agreement/premise): R-A3, R-A4."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, target: RoleTarget,
                 target_number: str, target_label: str, check: CallerCheck | None,
                 owner_party_number: str | None = None) -> None:
        super().__init__(ctx, parent, "Add role…", "Add role", check=check)
        self.target, self.target_number = target, target_number
        self.add_fixed(target.label, target_label)
        self.party = self.add_row("party", "Party number", number_field(), "party_number")
        self.role_type = QComboBox()
        for role_type in ROLE_CHOICES[target]:
            self.role_type.addItem(role_type.label, role_type.value)
        self.add_row("role_type", "Role", self.role_type, "target")
        self.effective_from = self.add_row("effective_from", "From", date_field(today()))
        self.granted_by = self.add_row(
            "granted_by", "Granted by (owner)", number_field("owner's party number"),
            "granted_by_party_number",
        )
        if owner_party_number:
            self.granted_by.setText(owner_party_number)
        self.comments = self.add_row("comments", "Comments", QLineEdit())
        self.role_type.currentIndexChanged.connect(self._role_changed)
        self.party.editingFinished.connect(lambda: self._check_number(self.party, "party"))
        self._role_changed()
        self.finish_layout()

    def chosen_role(self) -> RoleType:
        return RoleType(self.role_type.currentData())

    def _role_changed(self) -> None:
        admin = self.chosen_role() is RoleType.ADMINISTRATOR
        self.granted_by.setEnabled(admin)
        self.granted_by.setToolTip(
            "Only the account's owner can appoint an administrator." if admin
            else "Only an administrator role is granted by the owner."
        )

    def _check_number(self, field: QLineEdit, name: str) -> None:
        if not field.text().strip():
            return
        try:
            check_identifier(field.text(), name)
            self.errors[name].hide()
        except DomainError as exc:
            self.show_error(name, exc.message)

    def prepare(self) -> Callable[[], Any]:
        if not self.party.text().strip():
            raise ValidationError("Type the party's 10-digit number.", "party")
        party = check_identifier(self.party.text(), "party")
        role_type = self.chosen_role()
        granted = None
        if role_type is RoleType.ADMINISTRATOR and self.granted_by.text().strip():
            granted = check_identifier(self.granted_by.text(), "granted_by")
        form = roles.RoleForm(
            party_number=party,
            role_type=role_type,
            target=self.target,
            target_number=self.target_number,
            effective_from=parse_date(self.effective_from.text(), "effective_from",
                                      "start date"),
            granted_by_party_number=granted,
            comments=self.comments.text(),
        )
        return partial(roles.add_role, self.ctx.db, self.ctx.actor, form,
                       on_call=self.on_call())

    def success_message(self, result: Any) -> str:
        view: roles.RoleView = result
        return (f"{view.party_name} is now {view.role_type.label.lower()} of "
                f"{self.target.label.lower()} {self.target_number} from "
                f"{view.effective_from:%Y-%m-%d}.")


# -------------------------------------------------------------------------- subscriptions

class AddSubscriptionDialog(ActionDialog):
    """An e-mail copy of the account's correspondence; the subscriber gains no authority."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, account_number: str,
                 account_label: str, check: CallerCheck | None) -> None:
        super().__init__(
            ctx, parent, "Add subscription…", "Add subscription",
            intro="A subscriber receives copies by e-mail and gains no authority on the account.",
            check=check,
        )
        self.setMinimumWidth(640)
        self.account_number = account_number
        self.add_fixed("Account", account_label)
        self.email = self.add_row("email", "E-mail", QLineEdit())
        self.email.setPlaceholderText("name@example.com")
        self.display_name = self.add_row("display_name", "Display name", QLineEdit())
        types = QWidget()
        row = QHBoxLayout(types)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(14)
        self.type_boxes: dict[CorrespondenceType, QCheckBox] = {}
        for kind in CorrespondenceType:
            box = QCheckBox(kind.label)
            box.setChecked(kind is CorrespondenceType.BILL)
            self.type_boxes[kind] = box
            row.addWidget(box)
        row.addStretch(1)
        self.add_row("types", "Copies of", types, "correspondence_types")
        self.active_from = self.add_row("active_from", "From", date_field(today()),
                                        "active_to")
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        if not self.email.text().strip():
            raise ValidationError("Type the subscriber's e-mail address.", "email")
        chosen = {kind for kind, box in self.type_boxes.items() if box.isChecked()}
        if not chosen:
            raise ValidationError("Tick at least one kind of correspondence to copy.", "types")
        start = parse_date(self.active_from.text(), "active_from", "start date")
        return partial(accounts.add_subscription, self.ctx.db, self.ctx.actor,
                       self.account_number, self.email.text(), chosen, start,
                       display_name=self.display_name.text(),
                       on_call=self.on_call())

    def success_message(self, result: Any) -> str:
        view: accounts.SubscriptionView = result
        return (f"{view.email} now receives copies for account {self.account_number} from "
                f"{view.active_from:%Y-%m-%d}.")


# ------------------------------------------------------------------------------ premises

class PremiseDialog(ActionDialog):
    """Base of the parent/landlord dialogs: reads the premise (and its version) first."""

    #: Shows the premise's landlord agreement (else its parent premise) as it is now.
    LANDLORD = False

    def __init__(self, ctx: PaneContext, parent: QWidget | None, title: str, submit_text: str,
                 premise_number: str, premise_label: str, intro: str = "") -> None:
        super().__init__(ctx, parent, title, submit_text, intro=intro)
        self.premise_number = premise_number
        self.premise: PremiseView | None = None
        self.add_fixed("Premise", premise_label)
        self.current = self.add_fixed(self.current_caption(), "…")

    def current_caption(self) -> str:
        return "Landlord agreement" if self.LANDLORD else "Parent premise"

    def current_text(self, premise: PremiseView) -> str:
        now = premise.landlord_agreement_number if self.LANDLORD else \
            premise.parent_premise_number
        return now or "None"

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.premise is None and not self.busy:
            self.reload()

    def reload(self) -> None:
        self.premise = None
        self.refresh_submit()
        run_task(premises.get_premise, self.ctx.db, self.premise_number,
                 on_result=self._loaded, on_error=self._load_failed)

    def _loaded(self, premise: PremiseView) -> None:
        self.premise = premise
        self.current.setText(self.current_text(premise))
        self.refresh_submit()

    def _load_failed(self, exc: BaseException) -> None:
        self.show_error(GENERAL_FIELD, exc.message if isinstance(exc, DomainError) else str(exc))

    def can_submit(self) -> bool:
        return self.premise is not None

    def version(self) -> int:
        assert self.premise is not None
        return self.premise.version


class AssignParentDialog(PremiseDialog):
    def __init__(self, ctx: PaneContext, parent: QWidget | None, premise_number: str,
                 premise_label: str) -> None:
        super().__init__(ctx, parent, "Assign parent premise…", "Assign parent",
                         premise_number, premise_label,
                         intro="The premise becomes part of its parent (a building, a site).")
        self.parent_number = self.add_row("parent_premise", "Parent premise", number_field(),
                                          "parent", "parent_premise_number")
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        if not self.parent_number.text().strip():
            raise ValidationError("Type the parent premise's 10-digit number.", "parent_premise")
        number = check_identifier(self.parent_number.text(), "parent_premise")
        return partial(premises.set_parent_premise, self.ctx.db, self.ctx.actor,
                       self.premise_number, self.version(), number)

    def success_message(self, result: Any) -> str:
        return f"Premise {self.premise_number} is now under premise {result.parent_premise_number}."


class RemoveParentDialog(PremiseDialog):
    def __init__(self, ctx: PaneContext, parent: QWidget | None, premise_number: str,
                 premise_label: str) -> None:
        super().__init__(ctx, parent, "Remove parent premise…", "Remove parent",
                         premise_number, premise_label,
                         intro="The premise will no longer be part of its parent premise.")
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        return partial(premises.set_parent_premise, self.ctx.db, self.ctx.actor,
                       self.premise_number, self.version(), None)

    def success_message(self, result: Any) -> str:
        return f"Premise {self.premise_number} no longer has a parent premise."


class AssignLandlordDialog(PremiseDialog):
    LANDLORD = True

    def __init__(self, ctx: PaneContext, parent: QWidget | None, premise_number: str,
                 premise_label: str) -> None:
        super().__init__(ctx, parent, "Assign landlord…", "Assign landlord",
                         premise_number, premise_label,
                         intro="Replaces any landlord agreement the premise has now.")
        self.agreement = self.add_row("landlord", "Landlord agreement", number_field(),
                                      "landlord_agreement", "landlord_agreement_number")
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        if not self.agreement.text().strip():
            raise ValidationError("Type the landlord agreement's 10-digit number.", "landlord")
        number = check_identifier(self.agreement.text(), "landlord")
        return partial(premises.assign_landlord, self.ctx.db, self.ctx.actor,
                       self.premise_number, self.version(), number)

    def success_message(self, result: Any) -> str:
        return (f"Premise {self.premise_number} now has landlord agreement "
                f"{result.landlord_agreement_number}.")


class RemoveLandlordDialog(PremiseDialog):
    LANDLORD = True

    def __init__(self, ctx: PaneContext, parent: QWidget | None, premise_number: str,
                 premise_label: str) -> None:
        super().__init__(ctx, parent, "Remove landlord…", "Remove landlord",
                         premise_number, premise_label,
                         intro="The premise will no longer have a landlord agreement.")
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        return partial(premises.assign_landlord, self.ctx.db, self.ctx.actor,
                       self.premise_number, self.version(), None)

    def success_message(self, result: Any) -> str:
        return f"Premise {self.premise_number} no longer has a landlord agreement."
