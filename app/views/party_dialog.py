"""The "New customer" dialog: a person or an organisation, made a customer, with a first account.

Before anything is saved it looks for likely duplicates (spec/60 R-A1) off the UI thread and,
when there are some, lists them inside the dialog: the CSR uses one of them, or creates the new
party anyway (not possible when the registration number already belongs to a party).

    dialog = open_new_customer_dialog(parent, db, actor)
    dialog.created.connect(lambda party, account: ...)     # account is None without one
    dialog.use_existing.connect(lambda party: ...)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.models.enums import CustomerClass, OrgCategory
from app.services import parties
from app.services.context import Actor
from app.services.duplicates import DuplicateCandidate, likely_duplicates
from app.services.errors import DomainError, ValidationError
from app.services.parties import MailingAddress, NewCustomer, OrganisationForm, PersonForm
from app.views.widgets import label
from app.views.worker import run_task

#: Service field names shown beside another field of the dialog.
FIELD_ALIASES = {"identifier": "registration_number", "value": "phone"}
DUPLICATE_COLUMNS = ("Name", "Number", "Why it looks the same", "Accounts")
MAX_TABLE_ROWS = 5


def unexpected(exc: BaseException) -> str:
    """A sentence for an error a person did not cause (the database went away, a bug)."""
    return (f"Switchboard could not finish: {exc.__class__.__name__}: {exc}. Nothing more was "
            "saved; try again, and call support if it happens again.")


def fit_height(window: QWidget) -> None:
    """Grow *window* so wrapped texts shown since it opened (errors, a panel) are not cut: a
    window's minimum size ignores the height a word-wrapped label needs for its width."""
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    width = window.width()
    need = (layout.totalHeightForWidth(width) if layout.hasHeightForWidth()
            else layout.totalSizeHint().height())
    if need > window.height():
        window.resize(width, need)


def fit_height_soon(window: QWidget) -> None:
    """`fit_height` now and once more after the pending layout requests are processed."""
    fit_height(window)
    QTimer.singleShot(0, window, lambda: fit_height(window))


class FieldErrors:
    """Inline errors, each shown just under its field; the first one gets the focus."""

    def __init__(self, general: QLabel) -> None:
        self.general = general
        self.fields: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}

    def wrap(self, name: str, field: QWidget) -> QWidget:
        """The field with its (hidden) error label under it, to put in a layout."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        error = label("", "inlineError", wrap=True)
        error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        error.hide()
        column.addWidget(error)
        self.fields[name], self.labels[name] = field, error
        if isinstance(field, QLineEdit):
            field.textEdited.connect(lambda _text, n=name: self.clear(n))
        return box

    def show(self, exc: DomainError) -> None:
        name = FIELD_ALIASES.get(exc.field or "", exc.field or "")
        target = self.labels.get(name)
        field = self.fields.get(name)
        if target is None or field is None or not field.isVisibleTo(field.window()):
            self.show_general(exc.message)
            return
        target.setText(exc.message)
        target.show()
        field.setFocus()
        fit_height_soon(field.window())

    def show_general(self, text: str) -> None:
        self.general.setText(text)
        self.general.setVisible(bool(text))
        if text:
            fit_height_soon(self.general.window())

    def clear(self, name: str | None = None) -> None:
        for key, error in self.labels.items():
            if name is None or key == name:
                error.hide()
                error.setText("")
        if name is None:
            self.show_general("")

    def shown(self) -> dict[str, str]:
        """{field: message} of the errors on screen (what a test or a screen reader reads)."""
        found = {k: v.text() for k, v in self.labels.items() if not v.isHidden()}
        if not self.general.isHidden():
            found[""] = self.general.text()
        return found


class PartyDialog(QDialog):
    """Create a person or an organisation as a new customer, duplicates checked first."""

    created = Signal(str, object)        # party number, account number or None
    use_existing = Signal(str)           # party number of the existing party chosen

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.setWindowTitle("New customer")
        self.setMinimumWidth(860)
        self._serial = 0
        self._busy = False
        self._class_chosen = False
        self._checked_form: PersonForm | OrganisationForm | None = None
        self.candidates: list[DuplicateCandidate] = []

        self.general_error = label("", "inlineError", wrap=True)
        self.general_error.hide()
        self.errors = FieldErrors(self.general_error)

        heading = label("New customer", "sectionHeading")
        self.person_radio = QRadioButton("&Person")
        self.org_radio = QRadioButton("&Organisation")
        self.person_radio.setChecked(True)
        self.kind_group = QButtonGroup(self)
        self.kind_group.addButton(self.person_radio)
        self.kind_group.addButton(self.org_radio)
        self.person_radio.toggled.connect(self._kind_changed)
        kinds = QHBoxLayout()
        kinds.setSpacing(18)
        kinds.addWidget(label("This customer is a"))
        kinds.addWidget(self.person_radio)
        kinds.addWidget(self.org_radio)
        kinds.addStretch(1)

        self.last_name = self._line("last_name", "required")
        self.first_name = self._line("first_name")
        self.date_of_birth = self._line("date_of_birth", "YYYY-MM-DD")
        self.legal_name = self._line("legal_name", "required")
        self.category = QComboBox()
        for category in OrgCategory:
            self.category.addItem(category.label, category)
        self.category.currentIndexChanged.connect(lambda _i: self._input_changed())
        self.registration_number = self._line("registration_number", "e.g. IL-1234567")
        self.phone = self._line("phone", "(555) 555-0123")
        self.email = self._line("email", "name@example.com")
        self.line1 = self._line("address.line1", "12 Elm St")
        self.line2 = self._line("address.line2", "apartment, suite…")
        self.city = self._line("address.city")
        self.region = self._line("address.region", "IL")
        self.postal_code = self._line("address.postal_code", "62701")
        self.customer_class = QComboBox()
        for cls in CustomerClass:
            self.customer_class.addItem(cls.label, cls)
        self.customer_class.activated.connect(self._class_picked)
        self.open_account = QCheckBox("Open a first &account today")
        self.open_account.setChecked(True)
        self.description = self._line("description", "e.g. Home, or the site's name")
        self.open_account.toggled.connect(self.description.setEnabled)

        who = QGroupBox("Who")
        self.who_form = QFormLayout(who)
        self._rows(self.who_form, (
            ("&Last name:", "last_name", self.last_name),
            ("&First name:", "first_name", self.first_name),
            ("Date of &birth:", "date_of_birth", self.date_of_birth),
            ("Legal &name:", "legal_name", self.legal_name),
            ("Ca&tegory:", "category", self.category),
            ("&Registration no.:", "registration_number", self.registration_number),
            ("P&hone:", "phone", self.phone),
            ("&E-mail:", "email", self.email),
        ))
        address = QGroupBox("Mailing address")
        address_form = QFormLayout(address)
        self._rows(address_form, (
            ("Line &1:", "address.line1", self.line1),
            ("Line &2:", "address.line2", self.line2),
            ("C&ity:", "address.city", self.city),
            ("Re&gion:", "address.region", self.region),
            ("Postal &code:", "address.postal_code", self.postal_code),
        ))
        columns = QHBoxLayout()
        columns.setSpacing(14)
        columns.addWidget(who, 1)
        columns.addWidget(address, 1)

        customer = QGroupBox("Customer")
        customer_row = QHBoxLayout(customer)
        customer_row.setSpacing(10)
        class_label = QLabel("Custo&mer class:")
        class_label.setBuddy(self.customer_class)
        customer_row.addWidget(class_label)
        customer_row.addWidget(self.errors.wrap("customer_class", self.customer_class))
        customer_row.addSpacing(18)
        customer_row.addWidget(self.open_account)
        description_label = QLabel("&Description:")
        description_label.setBuddy(self.description)
        customer_row.addWidget(description_label)
        customer_row.addWidget(self.errors.wrap("description", self.description), 1)

        self.duplicates_panel = self._build_duplicates_panel()
        self.status = label("", "hint", wrap=True)
        self.status.hide()
        self.may_add = actor.has_any(*parties.EDITORS)
        self.permission_note = label(
            "Only a CSR or a supervisor can add customers; you can look for duplicates.",
            "hint", wrap=True)
        self.permission_note.setVisible(not self.may_add)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("primary")
        self.save_button.setText("&Save")
        self.save_button.setToolTip("Check for duplicates, then save (Enter)")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addLayout(kinds)
        layout.addLayout(columns)
        layout.addWidget(customer)
        layout.addWidget(self.duplicates_panel)
        layout.addWidget(self.general_error)
        layout.addWidget(self.status)
        layout.addWidget(self.permission_note)
        layout.addWidget(self.buttons)

        self._set_tab_order()
        self._kind_changed(True)
        self._use_default(self.save_button)
        self.last_name.setFocus()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        fit_height(self)

    # ------------------------------------------------------------------------------ building

    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setPlaceholderText(placeholder)
        field.textEdited.connect(self._input_changed)
        return field

    def _rows(self, form: QFormLayout, rows: tuple[tuple[str, str, QWidget], ...]) -> None:
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setVerticalSpacing(6)
        for text, name, field in rows:
            caption = QLabel(text)
            caption.setBuddy(field)
            caption.setFixedHeight(field.sizeHint().height())   # stays level with its field
            form.addRow(caption, self.errors.wrap(name, field))

    def _build_duplicates_panel(self) -> QFrame:
        panel = QFrame()
        panel.setObjectName("duplicatePanel")
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        self.duplicates_heading = label("", "sectionHeading", wrap=True)
        self.duplicates_note = label("", "hint", wrap=True)
        self.duplicates_table = QTableWidget(0, len(DUPLICATE_COLUMNS))
        self.duplicates_table.setHorizontalHeaderLabels(list(DUPLICATE_COLUMNS))
        table = self.duplicates_table
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(True)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        table.doubleClicked.connect(lambda _index: self.use_selected())
        self.use_button = QPushButton("&Use selected")
        self.use_button.setToolTip("Close this dialog and work with the existing record")
        self.use_button.clicked.connect(self.use_selected)
        self.create_anyway_button = QPushButton("Create any&way")
        self.create_anyway_button.clicked.connect(self.create_anyway)
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.create_anyway_button)
        buttons.addStretch(1)
        column = QVBoxLayout(panel)
        column.setContentsMargins(12, 10, 12, 10)
        column.setSpacing(6)
        column.addWidget(self.duplicates_heading)
        column.addWidget(self.duplicates_note)
        column.addWidget(table)
        column.addLayout(buttons)
        panel.hide()
        return panel

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.person_radio, self.org_radio, self.last_name, self.first_name,
            self.date_of_birth, self.legal_name, self.category, self.registration_number,
            self.phone, self.email, self.line1, self.line2, self.city, self.region,
            self.postal_code, self.customer_class, self.open_account, self.description,
            self.duplicates_table, self.use_button, self.create_anyway_button,
            self.save_button, self.buttons.button(QDialogButtonBox.StandardButton.Cancel),
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------------------------- state

    @property
    def is_person(self) -> bool:
        return self.person_radio.isChecked()

    def _kind_changed(self, _checked: bool) -> None:
        person = self.is_person
        person_fields: tuple[QWidget, ...] = (self.last_name, self.first_name,
                                              self.date_of_birth)
        org_fields: tuple[QWidget, ...] = (self.legal_name, self.category,
                                           self.registration_number)
        for field in person_fields:
            self.who_form.setRowVisible(self._wrapper(field), person)
        for field in org_fields:
            self.who_form.setRowVisible(self._wrapper(field), not person)
        if not self._class_chosen:
            wanted = CustomerClass.RESIDENTIAL if person else CustomerClass.COMMERCIAL
            self.customer_class.setCurrentIndex(self.customer_class.findData(wanted))
        self._input_changed()
        if self.isVisible():
            (self.last_name if person else self.legal_name).setFocus()

    def _wrapper(self, field: QWidget) -> QWidget:
        parent = field.parentWidget()
        assert parent is not None
        return parent

    def _class_picked(self, _index: int) -> None:
        self._class_chosen = True

    def _input_changed(self, _text: str = "") -> None:
        """What was checked for duplicates no longer matches the form: check again on Save."""
        if self._busy:
            return
        self._checked_form = None
        if not self.duplicates_panel.isHidden():
            self.duplicates_panel.hide()
            self.save_button.setEnabled(True)
            self._use_default(self.save_button)
        self.errors.show_general("")

    def _use_default(self, button: QPushButton) -> None:
        for other in (self.save_button, self.use_button, self.create_anyway_button):
            other.setDefault(other is button)
            other.setAutoDefault(other is button)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy and self.duplicates_panel.isHidden())
        self.use_button.setEnabled(not busy)
        self.create_anyway_button.setEnabled(not busy and not self._blocked() and self.may_add)
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _blocked(self) -> bool:
        return any(c.blocking for c in self.candidates)

    # -------------------------------------------------------------------------------- form

    def form(self) -> PersonForm | OrganisationForm:
        """The form as typed (raises ValidationError for a date that is not a date)."""
        address = MailingAddress(
            self.line1.text(), self.line2.text(), self.city.text(), self.region.text(),
            self.postal_code.text())
        if self.is_person:
            return PersonForm(self.last_name.text(), self.first_name.text(),
                              _date(self.date_of_birth.text()), self.phone.text(),
                              self.email.text(), address)
        return OrganisationForm(self.legal_name.text(), self.chosen_category(),
                                self.registration_number.text(), self.phone.text(),
                                self.email.text(), address)

    def chosen_category(self) -> OrgCategory:
        # Qt hands item data back as a plain str
        return OrgCategory(str(self.category.currentData() or OrgCategory.COMPANY.value))

    def chosen_class(self) -> CustomerClass:
        return CustomerClass(str(self.customer_class.currentData()
                                 or CustomerClass.RESIDENTIAL.value))

    def _checked_input(self) -> PersonForm | OrganisationForm | None:
        self.errors.clear()
        try:
            form = self.form()
            parties.check_form(form)
            if self.open_account.isChecked() and len(self.description.text().strip()) > 100:
                raise ValidationError(
                    f"The description is too long ({len(self.description.text().strip())} "
                    "characters; at most 100).", "description")
        except DomainError as exc:
            self.errors.show(exc)
            return None
        return form

    # ------------------------------------------------------------------------------- save

    def save(self) -> None:
        """Save (Enter): check the input, look for duplicates, then create when there are none."""
        if self._busy or not self.duplicates_panel.isHidden():
            return
        form = self._checked_input()
        if form is None:
            return
        self._serial += 1
        serial = self._serial
        self._set_busy(True, "Looking for people or companies like this one…")
        run_task(likely_duplicates, self.db, form,
                 on_result=self._guard(lambda found: self._checked(serial, form, found)),
                 on_error=self._guard(self._failed))

    def _guard(self, fn: Callable[[Any], None]) -> Callable[[Any], None]:
        """A worker callback that does nothing once the dialog's window is gone."""
        def call(value: Any) -> None:
            if shiboken6.isValid(self):
                fn(value)
        return call

    def _checked(self, serial: int, form: PersonForm | OrganisationForm,
                 found: list[DuplicateCandidate]) -> None:
        if serial != self._serial:
            return
        self._checked_form = form
        if not found:
            self._create(form)
            return
        self._set_busy(False)
        self._show_candidates(found)

    def _show_candidates(self, found: list[DuplicateCandidate]) -> None:
        self.candidates = list(found)
        blocked = self._blocked()
        count = len(found)
        self.duplicates_heading.setText(
            "This customer is already registered" if blocked else
            f"{'This looks like' if count == 1 else 'These look like'} the same "
            f"{'person' if self.is_person else 'organisation'}: check before saving")
        self.duplicates_note.setText(
            "The registration number belongs to the record marked below: each company exists "
            "once, so use that record." if blocked else
            "Use the existing record if it is the same customer; create a new one only if it "
            "is really someone else.")
        table = self.duplicates_table
        table.setRowCount(count)
        for row, candidate in enumerate(found):
            accounts = ", ".join(candidate.accounts) or "none"
            if candidate.account_count > len(candidate.accounts):
                accounts += f" and {candidate.account_count - len(candidate.accounts)} more"
            why = "; ".join(candidate.reasons)
            values = (candidate.display_name, candidate.party_number,
                      ("Blocking: " if candidate.blocking else "") + why, accounts)
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                table.setItem(row, column, item)
        table.resizeRowsToContents()
        visible = min(count, MAX_TABLE_ROWS)
        height = table.horizontalHeader().sizeHint().height() + 4 + sum(
            table.rowHeight(r) for r in range(visible))
        table.setFixedHeight(height)
        table.selectRow(0)
        self.create_anyway_button.setEnabled(not blocked and self.may_add)
        self.create_anyway_button.setToolTip(
            "Not possible: the registration number already belongs to this record" if blocked
            else "Save the new customer even so")
        self.duplicates_panel.show()
        fit_height_soon(self)
        self.save_button.setEnabled(False)
        self._use_default(self.use_button)
        table.setFocus()

    def selected_candidate(self) -> DuplicateCandidate | None:
        rows = self.duplicates_table.selectionModel().selectedRows()
        row = rows[0].row() if rows else self.duplicates_table.currentRow()
        return self.candidates[row] if 0 <= row < len(self.candidates) else None

    def use_selected(self) -> None:
        candidate = self.selected_candidate()
        if candidate is None or self._busy:
            return
        self.use_existing.emit(candidate.party_number)
        self.accept()

    def create_anyway(self) -> None:
        if self._busy or self._blocked() or self._checked_form is None:
            return
        self._create(self._checked_form)

    def _create(self, form: PersonForm | OrganisationForm) -> None:
        self._set_busy(True, "Saving…")
        run_task(parties.create_customer_party, self.db, self.actor, form, self.chosen_class(),
                 self.open_account.isChecked(), self.description.text(),
                 on_result=self._guard(self._created), on_error=self._guard(self._failed))

    def _created(self, made: NewCustomer) -> None:
        self._set_busy(False)
        self.created.emit(made.party.number, made.account_number)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, DomainError):
            if not self.duplicates_panel.isHidden() and exc.field:
                self._input_changed()
            self.errors.show(exc)
            return
        self.errors.show_general(unexpected(exc))


def _date(text: str) -> dt.date | None:
    raw = text.strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            f"'{raw}' is not a date: type the date of birth as year-month-day, e.g. 1980-02-01.",
            "date_of_birth") from None


def open_new_customer_dialog(parent: QWidget | None, db: Database, actor: Actor) -> PartyDialog:
    """Open the dialog (window-modal, not blocking); it deletes itself once closed."""
    dialog = PartyDialog(db, actor, parent)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
