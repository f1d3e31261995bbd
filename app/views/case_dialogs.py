"""Dialogs of the Case pane (spec/50 §5.4 P-CS1): open a new case, collect the characteristics
a status needs before the case may enter it, add a note to the log, link the case to a bill,
agreement, field activity, quote or premise.

Each is an `ActionDialog`: the service runs off the UI thread, its refusal appears under the
field it names and the dialog stays open; on success it emits `saved(text)` and closes, with
the service's answer in `result_value` (a `CaseResult` for a new case or a move).

    dialog = NewCaseDialog(ctx, pane, choices, users, account_number="2000000017")
    dialog.saved.connect(pane.case_saved)
    dialog.open()
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.models.enums import CaseLinkKind, CaseLogType, CaseUsage, ContactMethod
from app.services import cases
from app.services.cases import CaseResult, CaseTypeChoice, CharPrompt, NewCase
from app.services.errors import ValidationError
from app.services.todos import UserChoice
from app.views.panes import PaneContext
from app.views.tree_dialogs import ActionDialog, number_field
from app.views.worker import run_task

METHOD_LABELS: dict[ContactMethod, str] = {
    ContactMethod.PHONE: "Phone", ContactMethod.EMAIL: "Email", ContactMethod.SMS: "SMS",
    ContactMethod.POSTAL: "Postal", ContactMethod.FAX: "Fax",
    ContactMethod.NOT_APPLICABLE: "Not applicable"}
LINK_KIND_LABELS: dict[CaseLinkKind, str] = {
    CaseLinkKind.BILL: "Bill", CaseLinkKind.SERVICE_AGREEMENT: "Service agreement",
    CaseLinkKind.FIELD_ACTIVITY: "Field activity", CaseLinkKind.QUOTE: "Quote",
    CaseLinkKind.PREMISE: "Premise"}
LOG_TYPE_LABELS: dict[CaseLogType, str] = {
    CaseLogType.CREATED: "Created", CaseLogType.USER_DETAILS: "User details",
    CaseLogType.STATUS_TRANSITION: "Status transition", CaseLogType.SYSTEM: "System",
    CaseLogType.TRANSITION_ERROR: "Transition error", CaseLogType.EXCEPTION: "Exception"}
#: Suggestions for the callback phone type (any text up to 20 characters is accepted).
PHONE_TYPES = ("Home", "Mobile", "Work")


def usage_caption(caption: str, usage: CaseUsage) -> str:
    return f"{caption} *" if usage is CaseUsage.REQUIRED else caption


def text_or_none(field: QLineEdit) -> str | None:
    return field.text().strip() or None


def method_combo() -> QComboBox:
    combo = QComboBox()
    combo.addItem("—", None)
    for method, text in METHOD_LABELS.items():
        combo.addItem(text, method.value)
    return combo


def chosen_method(combo: QComboBox) -> ContactMethod | None:
    value = combo.currentData()
    return ContactMethod(value) if value else None


def user_combo(users: Sequence[UserChoice]) -> QComboBox:
    combo = QComboBox()
    combo.addItem("— nobody —", "")
    for user in users:
        combo.addItem(f"{user.display_name} ({user.username})", user.username)
    return combo


def select_data(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(0, index))


class CallbackRow(QWidget):
    """Callback phone type (editable suggestions), number and extension on one line."""

    def __init__(self) -> None:
        super().__init__()
        self.phone_type = QComboBox()
        self.phone_type.setEditable(True)
        self.phone_type.addItems(["", *PHONE_TYPES])
        self.phone_type.setAccessibleName("Callback phone type")
        self.phone_type.setMinimumWidth(110)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("number")
        self.phone.setAccessibleName("Callback phone number")
        self.ext = QLineEdit()
        self.ext.setPlaceholderText("ext")
        self.ext.setAccessibleName("Callback extension")
        self.ext.setMaximumWidth(70)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        row.addWidget(self.phone_type)
        row.addWidget(self.phone, 1)
        row.addWidget(self.ext)

    def set_values(self, phone_type: str, phone: str, ext: str) -> None:
        self.phone_type.setEditText(phone_type)
        self.phone.setText(phone)
        self.ext.setText(ext)

    def values(self) -> tuple[str, str, str]:
        return (self.phone_type.currentText().strip(), self.phone.text().strip(),
                self.ext.text().strip())

    def set_read_only(self, read_only: bool) -> None:
        self.phone_type.setEnabled(not read_only)
        self.phone.setReadOnly(read_only)
        self.ext.setReadOnly(read_only)


class CharInputs(QWidget):
    """One input per characteristic type: a combo of its allowed values, else a text field."""

    def __init__(self) -> None:
        super().__init__()
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setHorizontalSpacing(16)
        self.form.setVerticalSpacing(8)
        self.inputs: dict[str, QComboBox | QLineEdit] = {}

    def set_prompts(self, prompts: Sequence[CharPrompt],
                    values: dict[str, str] | None = None) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.inputs = {}
        for prompt in prompts:
            value = (values or {}).get(prompt.code, "")
            widget: QComboBox | QLineEdit
            if prompt.allowed_values:
                widget = QComboBox()
                widget.addItem("—", "")
                for allowed, text in prompt.allowed_values:
                    widget.addItem(f"{allowed} · {text}" if text and text != allowed
                                   else allowed, allowed)
                select_data(widget, value)
            else:
                widget = QLineEdit(value)
            widget.setAccessibleName(prompt.description)
            widget.setToolTip(f"{prompt.description} ({prompt.code})")
            self.inputs[prompt.code] = widget
            self.form.addRow(prompt.description, widget)

    def values(self) -> tuple[tuple[str, str], ...]:
        """(code, value) of every input, "" where nothing is entered."""
        return tuple((code, str(w.currentData() or "") if isinstance(w, QComboBox)
                      else w.text().strip()) for code, w in self.inputs.items())

    def set_value(self, code: str, value: str) -> None:
        widget = self.inputs[code]
        if isinstance(widget, QComboBox):
            select_data(widget, value)
        else:
            widget.setText(value)


# --------------------------------------------------------------------------------- new case


class NewCaseDialog(ActionDialog):
    """Open a case: choose its type; the person, account, premise, responsible user and
    contact rows show as the type uses them (NOT_ALLOWED hides a row, REQUIRED marks it *), with
    the person, account, premise and contact defaulted from the current account
    (`new_case_defaults`, CS-T02); the type's characteristics; comments."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None,
                 choices: Sequence[CaseTypeChoice], users: Sequence[UserChoice], *,
                 account_number: str | None = None, case_type: str | None = None) -> None:
        super().__init__(ctx, parent, "New case…", "Open case",
                         "The case starts in its type's first status; the log records it.")
        self.choices = {c.code: c for c in choices}
        self.account_number = account_number or ""
        self.case_type = QComboBox()
        self.case_type.setAccessibleName("Case type")
        for choice in choices:
            self.case_type.addItem(f"{choice.description} ({choice.code})", choice.code)
        self.add_row("case_type", "Case type", self.case_type)
        self.person = self.add_row("person", "Person", number_field("person number"),
                                   "person_number")
        self.account = self.add_row("account", "Account", number_field("account number"),
                                    "account_number")
        self.premise = self.add_row("premise", "Premise", number_field("premise number"),
                                    "premise_number")
        self.responsible = self.add_row("responsible_user", "Responsible user",
                                        user_combo(users), "responsible_username")
        self.comments = QPlainTextEdit()
        self.comments.setPlaceholderText("What the customer says, what was agreed")
        self.comments.setFixedHeight(72)
        self.add_row("comments", "Comments", self.comments)
        self.contact_person = self.add_row("contact_person", "Contact person",
                                           number_field("defaults to the person"),
                                           "contact_person_number")
        self.method = self.add_row("preferred_contact_method", "Preferred method",
                                   method_combo())
        self.instructions = self.add_row("contact_instructions", "Contact instructions",
                                         QLineEdit())
        self.instructions.setMaxLength(254)
        self.callback = self.add_row("callback_phone", "Callback phone", CallbackRow(),
                                     "callback_phone_type", "callback_ext")
        self.chars = self.add_row("characteristics", "Characteristics", CharInputs())
        self.finish_layout()
        self.defaults_loaded = 0
        self.case_type.currentIndexChanged.connect(lambda _i: self._type_chosen())
        if case_type:
            select_data(self.case_type, case_type)
        self._type_chosen()

    def choice(self) -> CaseTypeChoice | None:
        return self.choices.get(str(self.case_type.currentData() or ""))

    def _box(self, name: str) -> QWidget:
        """The form row's field (the input with its error line)."""
        box = self.fields[name].parentWidget()
        assert box is not None
        return box

    def _row(self, name: str, caption: str, usage: CaseUsage) -> None:
        box = self._box(name)
        self.form.setRowVisible(box, usage is not CaseUsage.NOT_ALLOWED)
        shown = self.form.labelForField(box)
        if isinstance(shown, QLabel):
            shown.setText(usage_caption(caption, usage))

    def _type_chosen(self) -> None:
        choice = self.choice()
        self.clear_errors()
        if choice is None:
            self.refresh_submit()
            return
        self._row("person", "Person", choice.person_usage)
        self._row("account", "Account", choice.account_usage)
        self._row("premise", "Premise", choice.premise_usage)
        self._row("responsible_user", "Responsible user", choice.responsible_user_usage)
        for name, caption in (("contact_person", "Contact person"),
                              ("preferred_contact_method", "Preferred method"),
                              ("contact_instructions", "Contact instructions"),
                              ("callback_phone", "Callback phone")):
            usage = choice.contact_info_usage
            if name != "preferred_contact_method" and usage is CaseUsage.REQUIRED:
                usage = CaseUsage.OPTIONAL          # only the method itself is required
            self._row(name, caption, usage)
        self.chars.set_prompts(choice.char_types)
        self.form.setRowVisible(self._box("characteristics"),
                                choice.uses_characteristics and bool(choice.char_types))
        run_task(cases.new_case_defaults, self.ctx.db, self.ctx.actor, choice.code,
                 self.account_number or None, on_result=self._defaults,
                 on_error=lambda exc: self.show_error(getattr(exc, "field", None),
                                                      getattr(exc, "message", str(exc)),
                                                      focus=False))
        self.refresh_submit()
        self.fit()

    def _defaults(self, new: NewCase) -> None:
        if new.case_type != (self.case_type.currentData() or ""):
            return                         # the user chose another type meanwhile
        self.person.setText(new.person_number or "")
        self.account.setText(new.account_number or "")
        self.premise.setText(new.premise_number or "")
        self.contact_person.setText(new.contact_person_number or "")
        if new.responsible_username:
            select_data(self.responsible, new.responsible_username)
        self.defaults_loaded += 1

    def can_submit(self) -> bool:
        return self.choice() is not None

    def prepare(self) -> Callable[[], Any]:
        choice = self.choice()
        if choice is None:
            raise ValidationError("Choose the type of case.", "case_type")
        phone_type, phone, ext = self.callback.values()
        new = NewCase(
            case_type=choice.code,
            person_number=text_or_none(self.person)
            if choice.person_usage is not CaseUsage.NOT_ALLOWED else None,
            account_number=text_or_none(self.account)
            if choice.account_usage is not CaseUsage.NOT_ALLOWED else None,
            premise_number=text_or_none(self.premise)
            if choice.premise_usage is not CaseUsage.NOT_ALLOWED else None,
            responsible_username=str(self.responsible.currentData() or "") or None
            if choice.responsible_user_usage is not CaseUsage.NOT_ALLOWED else None,
            comments=self.comments.toPlainText().strip(),
            characteristics=tuple((c, v) for c, v in self.chars.values() if v)
            if choice.uses_characteristics else ())
        if choice.contact_info_usage is not CaseUsage.NOT_ALLOWED:
            new = replace(new, contact_person_number=text_or_none(self.contact_person),
                          preferred_contact_method=chosen_method(self.method),
                          contact_instructions=self.instructions.text().strip(),
                          callback_phone_type=phone_type, callback_phone=phone,
                          callback_ext=ext)
        self.account_number = new.account_number or self.account_number
        return partial(cases.create_case, self.ctx.db, self.ctx.actor, new)

    def success_message(self, result: CaseResult) -> str:
        return f"Case {result.number} opened."


# --------------------------------------------------------------------------------- required


class RequiredCharsDialog(ActionDialog):
    """The characteristics a status needs before the case may enter it (CS-T03): one input per
    missing type; submitting makes the move with them (`transition_case(..., characteristics)`),
    so nothing is stored unless the case moves."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, number: str, to_status: str,
                 version: int | None, action_label: str, prompts: Sequence[CharPrompt],
                 reason: str = "", account_number: str | None = None) -> None:
        super().__init__(ctx, parent, f"{action_label}: details needed…", action_label,
                         reason or "Enter these before the case moves on.")
        self.number, self.to_status, self.version = number, to_status, version
        self.account_number = account_number or ""
        self.prompts = tuple(prompts)
        self.inputs = CharInputs()
        self.inputs.set_prompts(self.prompts)
        self.add_row("characteristics", "", self.inputs)
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        values = self.inputs.values()
        empty = [p.description for p, (_c, v) in zip(self.prompts, values, strict=True) if not v]
        if empty:
            raise ValidationError(f"Enter {', '.join(empty)} first.", "characteristics")
        return partial(cases.transition_case, self.ctx.db, self.ctx.actor, self.number,
                       self.to_status, self.version, values)

    def success_message(self, result: CaseResult) -> str:
        return f"Case {result.number} moved on."


# --------------------------------------------------------------------------------- log note


class LogNoteDialog(ActionDialog):
    """A note on the case's log (USER_DETAILS); it cannot be changed or removed afterwards."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, number: str,
                 account_number: str | None = None) -> None:
        super().__init__(ctx, parent, "Add note…", "Add note",
                         f"The note goes on case {number}'s log with your name and the time. "
                         "A log entry cannot be changed or removed afterwards.")
        self.number = number
        self.account_number = account_number or ""
        self.details = QPlainTextEdit()
        self.details.setAccessibleName("Note")
        self.details.setPlaceholderText("What happened, what was said, what comes next")
        self.details.setMinimumHeight(110)
        self.add_row("details", "Note", self.details)
        self.finish_layout()
        self.details.setFocus(Qt.FocusReason.OtherFocusReason)

    def prepare(self) -> Callable[[], Any]:
        text = self.details.toPlainText().strip()
        if not text:
            raise ValidationError("Type the note first.", "details")
        return partial(cases.add_log_entry, self.ctx.db, self.ctx.actor, self.number, text)

    def success_message(self, result: object) -> str:
        return f"Note added to case {self.number}."


# --------------------------------------------------------------------------------- link


class LinkObjectDialog(ActionDialog):
    """Link the case to a bill (by bill ID), agreement, field activity, quote or premise."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, number: str,
                 account_number: str | None = None) -> None:
        super().__init__(ctx, parent, "Link to…", "Link",
                         "The object must exist; the link is noted on the case's log.")
        self.number = number
        self.account_number = account_number or ""
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of object")
        for kind, text in LINK_KIND_LABELS.items():
            self.kind.addItem(text, kind.value)
        self.add_row("kind", "Kind", self.kind)
        self.object_number = self.add_row("object_number", "Number",
                                          number_field("number (a bill: its bill ID)"))
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        text = self.object_number.text().strip()
        if not text:
            raise ValidationError("Type the number of what the case is about.",
                                  "object_number")
        kind = CaseLinkKind(self.kind.currentData())
        return partial(cases.link_object, self.ctx.db, self.ctx.actor, self.number, kind, text)

    def success_message(self, result: object) -> str:
        return f"Case {self.number} linked to {self.kind.currentText().lower()} " \
               f"{self.object_number.text().strip()}."


__all__ = ["LINK_KIND_LABELS", "LOG_TYPE_LABELS", "METHOD_LABELS", "CallbackRow", "CharInputs",
           "LinkObjectDialog", "LogNoteDialog", "NewCaseDialog", "RequiredCharsDialog"]
