"""The Main tab of a case in the Case pane (spec/50 §5.4 P-CS1): the case's facts, one button
per action of its status, the auto-transition message area and its editable details (comments,
person, account, premise, responsible user, contact block, characteristics, links). It shows a
`CaseDetail` and emits what the user asks for; the pane runs the services. The Log and Portal
tabs are in `app.views.case_log_portal`; what a log row's related object opens is here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import CaseLinkKind, CaseUsage
from app.services.cases import (
    CaseAction,
    CaseChanges,
    CaseDetail,
    CharPrompt,
    PartyRef,
)
from app.services.todos import UserChoice
from app.views.case_dialogs import (
    LINK_KIND_LABELS,
    METHOD_LABELS,
    CallbackRow,
    CharInputs,
    chosen_method,
    method_combo,
    select_data,
    user_combo,
)
from app.views.dashboard import ZoneTable
from app.views.widgets import label

#: What a log row's related object is called, and the record kind it opens (None: not
#: navigable); To Dos open the To Do list, cases this pane.
RELATED: dict[str, tuple[str, str | None]] = {
    "CASE": ("Case", "Case"), "ACCOUNT": ("Account", "Account"),
    "PREMISE": ("Premise", "Premise"), "PERSON": ("Person", "Person"),
    "PARTY": ("Person", "Person"), "TODO": ("To Do", "To Do"),
    "SERVICE_AGREEMENT": ("Service agreement", "Service agreement"),
    "QUOTE": ("Quote", "Quote"), "BILL": ("Bill", None),
    "FIELD_ACTIVITY": ("Field activity", None), "CUSTOMER_CONTACT": ("Customer contact", None)}
#: Link kinds that open a record (the others are shown only).
LINK_RECORDS = {CaseLinkKind.PREMISE: "Premise", CaseLinkKind.SERVICE_AGREEMENT:
                "Service agreement", CaseLinkKind.QUOTE: "Quote"}
SCRIPT_STYLE = ("QLabel { background: #eef4fd; color: #1d3d6b; border: 1px solid #a9c4ea;"
                " border-radius: 4px; padding: 7px 10px; }")
AUTO_STYLE = ("QLabel { background: #e7f5ea; color: #1d5b2c; border: 1px solid #93c9a0;"
              " border-radius: 4px; padding: 7px 10px; }")
#: Read-only inputs (a closed case) look read-only: the window's colour, not the field's.
READ_ONLY_STYLE = ('QLineEdit[readOnly="true"], QPlainTextEdit[readOnly="true"]'
                   " { background: palette(window); }")
CLOSED_STYLE = ("QLabel { background: palette(alternate-base); border: 1px solid palette(mid);"
                " border-radius: 4px; padding: 7px 10px; }")


def when(value: dt.datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else "—"


def related_text(kind: str | None, ident: str | None) -> str:
    if not kind:
        return ""
    name = RELATED.get(kind, (kind.replace("_", " ").capitalize(), None))[0]
    return f"{name} {ident}" if ident else name


def related_target(kind: str | None, ident: str | None) -> str | None:
    """The record kind a related object opens, None when it cannot be navigated."""
    if not kind or not ident:
        return None
    return RELATED.get(kind, ("", None))[1]


def link_html(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<a href="#">{escaped}</a>'


def section(text: str) -> QLabel:
    heading = label(text, "sectionHeading")
    heading.setContentsMargins(0, 10, 0, 0)
    return heading


def selectable(widget: QLabel) -> QLabel:
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return widget


class RefField(QWidget):
    """A number the user may change, with what it names beside it (a link that opens it)."""

    opened = Signal(str)

    def __init__(self, accessible: str, placeholder: str) -> None:
        super().__init__()
        self.number = QLineEdit()
        self.number.setAccessibleName(accessible)
        self.number.setPlaceholderText(placeholder)
        self.number.setMaxLength(14)
        self.number.setFixedWidth(150)
        self.name = QLabel()
        self.name.setTextFormat(Qt.TextFormat.RichText)
        self.name.setWordWrap(True)
        self.name.linkActivated.connect(lambda _href: self._open())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        row.addWidget(self.number)
        row.addWidget(self.name, 1)
        self.shown = ""

    def set_ref(self, number: str | None, name: str) -> None:
        self.shown = number or ""
        self.number.setText(self.shown)
        self.name.setText(link_html(name) if number and name else
                          ("" if number else "<i>none</i>"))
        self.name.setToolTip(f"Open {number}" if number else "")

    def text(self) -> str:
        return self.number.text().strip()

    def set_read_only(self, read_only: bool) -> None:
        self.number.setReadOnly(read_only)

    def _open(self) -> None:
        if self.shown:
            self.opened.emit(self.shown)


class MainTab(QScrollArea):
    """Case info, ID, type, status, To Do link, opened/closed, script, actions, the
    auto-transition message, then the details (comments, person, account, premise,
    responsible user), contact block, characteristics and links; Save / Revert."""

    action_pressed = Signal(object)        # CaseAction
    todo_clicked = Signal()
    save_clicked = Signal()
    revert_clicked = Signal()
    link_clicked = Signal()
    open_record = Signal(str, str)         # record kind, number

    def __init__(self) -> None:
        super().__init__()
        self.detail: CaseDetail | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        page = QWidget()
        self.page = QVBoxLayout(page)
        self.page.setContentsMargins(14, 12, 14, 14)
        self.page.setSpacing(8)
        self.case_info = selectable(label("", "sectionHeading", wrap=True))
        self.page.addWidget(self.case_info)
        self._build_facts()
        self.script = selectable(label("", wrap=True))
        self.script.setStyleSheet(SCRIPT_STYLE)
        self.script.setAccessibleName("Script")
        self.page.addWidget(self.script)
        self.actions_bar = QFrame()
        self.actions_bar.setAccessibleName("Actions")
        self.actions_row = QHBoxLayout(self.actions_bar)
        self.actions_row.setContentsMargins(0, 4, 0, 4)
        self.actions_row.setSpacing(8)
        self.page.addWidget(self.actions_bar)
        self.action_buttons: list[QPushButton] = []
        self.auto_message = selectable(label("", wrap=True))
        self.auto_message.setStyleSheet(AUTO_STYLE)
        self.auto_message.setAccessibleName("Auto-transition message")
        self.page.addWidget(self.auto_message)
        self.closed_note = label("", wrap=True)
        self.closed_note.setStyleSheet(CLOSED_STYLE)
        self.page.addWidget(self.closed_note)
        self._build_details()
        self._build_contact()
        self._build_chars_and_links()
        self.save_button = QPushButton("Save changes")
        self.save_button.setObjectName("primary")
        self.save_button.setToolTip("Save the changed details; each change goes on the log")
        self.save_button.clicked.connect(lambda _c=False: self.save_clicked.emit())
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Show the case as saved again")
        self.revert_button.clicked.connect(lambda _c=False: self.revert_clicked.emit())
        self.save_row = QWidget()
        save = QHBoxLayout(self.save_row)
        save.setContentsMargins(0, 10, 0, 0)
        save.addStretch(1)
        save.addWidget(self.revert_button)
        save.addWidget(self.save_button)
        self.page.addWidget(self.save_row)
        self.page.addStretch(1)
        self.setWidget(page)
        page.setStyleSheet(READ_ONLY_STYLE)
        for widget in (self.script, self.actions_bar, self.auto_message, self.closed_note):
            widget.hide()

    # ---------------------------------------------------------------------------- building

    def _build_facts(self) -> None:
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.facts: dict[str, QLabel] = {}
        for n, name in enumerate(("Case ID", "Type", "Status", "To Do", "Opened", "Closed")):
            caption = label(name, "hint")
            value = label("", wrap=True)
            if name == "To Do":
                value.setTextFormat(Qt.TextFormat.RichText)
                value.linkActivated.connect(lambda _href: self.todo_clicked.emit())
                value.setToolTip("Open the To Do list")
            else:
                selectable(value)
            value.setAccessibleName(name)
            self.facts[name] = value
            grid.addWidget(caption, n // 2, (n % 2) * 2, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, n // 2, (n % 2) * 2 + 1, Qt.AlignmentFlag.AlignTop)
        self.todo_link = self.facts["To Do"]
        self.page.addLayout(grid)

    @staticmethod
    def _form() -> QFormLayout:
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return form

    def _build_details(self) -> None:
        self.page.addWidget(section("Details"))
        self.details = self._form()
        self.comments = QPlainTextEdit()
        self.comments.setAccessibleName("Comments")
        self.comments.setFixedHeight(74)
        self.details.addRow("Comments", self.comments)
        self.person = RefField("Person", "person number")
        self.account = RefField("Account", "account number")
        self.premise = RefField("Premise", "premise number")
        self.person.opened.connect(lambda n: self.open_record.emit("Person", n))
        self.account.opened.connect(lambda n: self.open_record.emit("Account", n))
        self.premise.opened.connect(lambda n: self.open_record.emit("Premise", n))
        self.details.addRow("Person", self.person)
        self.details.addRow("Account", self.account)
        self.details.addRow("Premise", self.premise)
        self.responsible = QComboBox()
        self.responsible.setAccessibleName("Responsible user")
        self.responsible.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.details.addRow("Responsible user", self.responsible)
        self.page.addLayout(self.details)

    def _build_contact(self) -> None:
        self.contact_heading = section("Contact")
        self.page.addWidget(self.contact_heading)
        self.contact_box = QWidget()
        self.contact = self._form()
        self.contact.setContentsMargins(0, 0, 0, 0)
        self.contact_box.setLayout(self.contact)
        self.contact_person = RefField("Contact person", "person number")
        self.contact_person.opened.connect(lambda n: self.open_record.emit("Person", n))
        self.contact.addRow("Contact person", self.contact_person)
        self.method = method_combo()
        self.method.setAccessibleName("Preferred contact method")
        self.contact_detail = selectable(label("", wrap=True))
        self.contact_detail.setAccessibleName("Contact detail")
        method_row = QWidget()
        line = QHBoxLayout(method_row)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(10)
        line.addWidget(self.method)
        line.addWidget(self.contact_detail, 1)
        self.contact.addRow("Preferred method", method_row)
        self.instructions = QLineEdit()
        self.instructions.setAccessibleName("Contact instructions")
        self.instructions.setMaxLength(254)
        self.contact.addRow("Instructions", self.instructions)
        self.callback = CallbackRow()
        self.contact.addRow("Callback phone", self.callback)
        self.page.addWidget(self.contact_box)

    def _build_chars_and_links(self) -> None:
        self.chars_heading = section("Characteristics")
        self.page.addWidget(self.chars_heading)
        self.chars = CharInputs()
        self.chars.setAccessibleName("Characteristics")
        self.page.addWidget(self.chars)
        self.chars_empty = label("The case type allows no characteristics.", "hint")
        self.page.addWidget(self.chars_empty)
        links_header = QHBoxLayout()
        links_header.addWidget(section("Links"))
        links_header.addStretch(1)
        self.link_button = QPushButton("Link to…")
        self.link_button.setToolTip("Link the case to a bill, agreement, field activity, "
                                    "quote or premise")
        self.link_button.clicked.connect(lambda _c=False: self.link_clicked.emit())
        links_header.addWidget(self.link_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.page.addLayout(links_header)
        self.links = ZoneTable(("Kind", "Number", "What"), max_rows=5, stretch=2)
        self.links.setAccessibleName("Links")
        self.links.row_activated.connect(self._link_activated)
        self.page.addWidget(self.links)
        self.links_empty = label("The case is not linked to anything yet.", "hint")
        self.page.addWidget(self.links_empty)

    # ---------------------------------------------------------------------------- showing

    def set_users(self, users: Sequence[UserChoice]) -> None:
        current = self.responsible.currentData()
        fresh = user_combo(users)
        self.responsible.clear()
        for i in range(fresh.count()):
            self.responsible.addItem(fresh.itemText(i), fresh.itemData(i))
        select_data(self.responsible, current or "")

    def set_case(self, detail: CaseDetail, auto_message: str | None) -> None:
        self.clear_pointer()
        self.detail = detail
        self.case_info.setText(detail.case_info)
        f = self.facts
        f["Case ID"].setText(detail.number)
        f["Type"].setText(f"{detail.case_type_description} ({detail.case_type})")
        f["Type"].setToolTip("The type of a case cannot be changed after it is added.")
        f["Status"].setText(detail.status_description + (" (closed)" if detail.is_final
                                                         else ""))
        f["To Do"].setText(link_html(detail.todo_summary) if detail.todo_summary
                           else "No To Do entries")
        f["Opened"].setText(when(detail.opened_at))
        f["Closed"].setText(when(detail.closed_at))
        self.script.setText(f"Script: {detail.script}" if detail.script else "")
        self.script.setVisible(bool(detail.script))
        self._set_actions(detail.actions)
        self.auto_message.setText(auto_message or "")
        self.auto_message.setVisible(bool(auto_message))
        self._set_fields(detail)
        self._set_locked(not detail.may_work)
        self._align_labels()

    def _align_labels(self) -> None:
        """The captions of the details, contact and characteristics take one width, so their
        fields line up."""
        captions = [w for form in (self.details, self.contact, self.chars.form)
                    for r in range(form.rowCount())
                    if (item := form.itemAt(r, QFormLayout.ItemRole.LabelRole)) is not None
                    and isinstance(w := item.widget(), QLabel)]
        width = max((c.sizeHint().width() for c in captions), default=0)
        for caption in captions:
            caption.setMinimumWidth(width)

    def _set_actions(self, actions: Sequence[CaseAction]) -> None:
        for button in self.action_buttons:
            self.actions_row.removeWidget(button)
            button.deleteLater()
        while self.actions_row.count():
            self.actions_row.takeAt(0)
        self.action_buttons = []
        if actions:
            self.actions_row.addWidget(label("Actions", "hint"))
        for action in actions:
            button = QPushButton(action.label)
            button.setAccessibleName(action.label)
            if action.is_default and action.enabled:
                button.setObjectName("primary")
            button.setEnabled(action.enabled)
            target = action.to_description or action.to_status
            button.setToolTip(action.why_disabled if not action.enabled
                              else f"Move the case to {target}")
            button.clicked.connect(lambda _c=False, a=action: self.action_pressed.emit(a))
            self.actions_row.addWidget(button)
            self.action_buttons.append(button)
        self.actions_row.addStretch(1)
        self.actions_bar.setVisible(bool(actions))

    def _set_fields(self, d: CaseDetail) -> None:
        usages = d.usages
        self.comments.setPlainText(d.comments)
        for field, ref, usage in (
                (self.person, (d.person.number, d.person.name) if d.person else None,
                 usages.person),
                (self.account, (d.account.number, d.account.description or d.account.number)
                 if d.account else None, usages.account),
                (self.premise, (d.premise.number, d.premise.address) if d.premise else None,
                 usages.premise)):
            field.set_ref(*(ref or (None, "")))
            self._show_row(self.details, field, usage, field.number.accessibleName())
        select_data(self.responsible, d.responsible_username or "")
        if d.responsible_username and self.responsible.currentData() != d.responsible_username:
            self.responsible.addItem(f"{d.responsible_name} ({d.responsible_username})",
                                     d.responsible_username)
            select_data(self.responsible, d.responsible_username)
        self._show_row(self.details, self.responsible, usages.responsible, "Responsible user")
        contact_shown = usages.contact is not CaseUsage.NOT_ALLOWED
        self.contact_heading.setVisible(contact_shown)
        self.contact_box.setVisible(contact_shown)
        person: PartyRef | None = d.contact_person
        self.contact_person.set_ref(person.number if person else None,
                                    person.name if person else "")
        select_data(self.method, d.preferred_contact_method.value
                    if d.preferred_contact_method else None)
        method = METHOD_LABELS.get(d.preferred_contact_method) \
            if d.preferred_contact_method else None
        self.contact_detail.setText(
            d.contact_detail or (f"No {method.lower()} on file for the contact person"
                                 if method and d.preferred_contact_method is not None
                                 and d.preferred_contact_method.value != "NOT_APPLICABLE"
                                 else ""))
        self.contact_detail.setObjectName("" if d.contact_detail else "hint")
        self.contact_detail.style().polish(self.contact_detail)
        self.instructions.setText(d.contact_instructions)
        self.callback.set_values(d.callback_phone_type, d.callback_phone, d.callback_ext)
        self._set_chars(d)
        rows = [(LINK_KIND_LABELS.get(link.kind, str(link.kind)), link.object_number,
                 link.label) for link in d.links]
        self.links.set_rows(rows, [f"{link.kind.value}|{link.object_number}"
                                   for link in d.links])
        self.links.setVisible(bool(d.links))
        self.links_empty.setVisible(not d.links)

    def _set_chars(self, d: CaseDetail) -> None:
        values = {c.code: c.value for c in d.characteristics}
        prompts: list[CharPrompt] = list(d.char_types)
        known = {p.code for p in prompts}
        prompts += [CharPrompt(c.code, c.description) for c in d.characteristics
                    if c.code not in known]
        self.chars.set_prompts(prompts, values)
        shown = d.uses_characteristics
        self.chars_heading.setVisible(shown)
        self.chars.setVisible(shown and bool(prompts))
        self.chars_empty.setVisible(shown and not prompts)

    @staticmethod
    def _show_row(form: QFormLayout, widget: QWidget, usage: CaseUsage, caption: str) -> None:
        form.setRowVisible(widget, usage is not CaseUsage.NOT_ALLOWED)
        shown = form.labelForField(widget)
        if isinstance(shown, QLabel):
            shown.setText(f"{caption} *" if usage is CaseUsage.REQUIRED else caption)

    def _set_locked(self, locked: bool) -> None:
        """A closed case: person, account, premise, responsible user, contact information and
        characteristics (and the comments) are read-only (CS-T06)."""
        self.comments.setReadOnly(locked)
        for ref in (self.person, self.account, self.premise, self.contact_person):
            ref.set_read_only(locked)
        self.responsible.setEnabled(not locked)
        self.method.setEnabled(not locked)
        self.instructions.setReadOnly(locked)
        self.callback.set_read_only(locked)
        for widget in self.chars.inputs.values():
            if isinstance(widget, QLineEdit):
                widget.setReadOnly(locked)
            else:
                widget.setEnabled(not locked)
        inputs: list[QWidget] = [self.comments, self.person.number, self.account.number,
                                 self.premise.number, self.contact_person.number,
                                 self.instructions, self.callback.phone, self.callback.ext,
                                 *self.chars.inputs.values()]
        for shown in inputs:
            shown.style().unpolish(shown)          # the read-only look follows the property
            shown.style().polish(shown)
        self.link_button.setVisible(not locked)
        self.save_row.setVisible(not locked)
        self.closed_note.setText(
            "This case is closed: its details are read-only. Notes can still be added on the "
            "Log tab." if locked else "")
        self.closed_note.setVisible(locked)

    def _link_activated(self, key: str) -> None:
        kind, _sep, number = key.partition("|")
        record = LINK_RECORDS.get(CaseLinkKind(kind))
        if record is not None:
            self.open_record.emit(record, number)

    # ---------------------------------------------------------------------------- editing

    def point_at(self, field: str | None) -> None:
        """Put the cursor on the input a refused save names (its message is in the pane's
        message line above), outlined until the user edits it."""
        widgets: dict[str, QWidget] = {
            "person": self.person.number, "account": self.account.number,
            "premise": self.premise.number, "contact_person": self.contact_person.number,
            "responsible_user": self.responsible, "preferred_contact_method": self.method,
            "callback_phone": self.callback.phone, "callback_ext": self.callback.ext,
            "contact_instructions": self.instructions, "comments": self.comments,
            "characteristics": self.chars}
        widget = widgets.get(field or "")
        if widget is None or not widget.isVisible():
            return
        widget.setStyleSheet(f"{type(widget).__name__} {{ border: 1px solid #d0453a; }}")
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        self._pointed = widget

    def clear_pointer(self) -> None:
        widget = getattr(self, "_pointed", None)
        if widget is not None:
            widget.setStyleSheet("")
            self._pointed = None

    def changes(self) -> CaseChanges | None:
        """What the user changed on the shown case (None when nothing)."""
        d = self.detail
        if d is None:
            return None
        found: dict[str, object] = {}

        def differs(name: str, now: str, before: str | None) -> None:
            if now != (before or ""):
                found[name] = now

        differs("comments", self.comments.toPlainText().strip(), d.comments.strip())
        u = d.usages
        if u.person is not CaseUsage.NOT_ALLOWED:
            differs("person_number", self.person.text(), d.person.number if d.person else "")
        if u.account is not CaseUsage.NOT_ALLOWED:
            differs("account_number", self.account.text(),
                    d.account.number if d.account else "")
        if u.premise is not CaseUsage.NOT_ALLOWED:
            differs("premise_number", self.premise.text(),
                    d.premise.number if d.premise else "")
        if u.responsible is not CaseUsage.NOT_ALLOWED:
            differs("responsible_username", str(self.responsible.currentData() or ""),
                    d.responsible_username)
        if u.contact is not CaseUsage.NOT_ALLOWED:
            differs("contact_person_number", self.contact_person.text(),
                    d.contact_person.number if d.contact_person else "")
            method = chosen_method(self.method)
            if method is not None and method != d.preferred_contact_method:
                found["preferred_contact_method"] = method
            differs("contact_instructions", self.instructions.text().strip(),
                    d.contact_instructions)
            phone_type, phone, ext = self.callback.values()
            differs("callback_phone_type", phone_type, d.callback_phone_type)
            differs("callback_phone", phone, d.callback_phone)
            differs("callback_ext", ext, d.callback_ext)
        if d.uses_characteristics:
            before = {c.code: c.value for c in d.characteristics}
            changed = tuple((code, value) for code, value in self.chars.values()
                            if value != before.get(code, ""))
            if changed:
                found["characteristics"] = changed
        return CaseChanges(**found) if found else None  # type: ignore[arg-type]


__all__ = ["MainTab", "RefField", "link_html", "related_target", "related_text", "section",
           "selectable", "when"]
