"""The "Merge parties" dialog (supervisors): the party to keep and its duplicate side by side,
a required reason, and Merge after a confirmation (spec/60 R-A1).

    dialog = open_merge_dialog(parent, db, actor, survivor_number="…")
    dialog.merged.connect(lambda survivor, duplicate: ...)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.engine.identifiers import ID_LENGTH
from app.models.enums import ContactKind, PartyKind, UserRole
from app.services.context import Actor
from app.services.duplicates import MergeSide, merge_parties, merge_side
from app.services.errors import ConcurrentChange, DomainError
from app.services.lookup import check_identifier
from app.views.party_dialog import FieldErrors, fit_height, fit_height_soon, unexpected
from app.views.widgets import label
from app.views.worker import run_task

ROLE_COLUMNS = ("Role", "Held on", "From", "To")
ROLE_ROWS_SHOWN = 6
WHO_MAY_MERGE = "Only a supervisor can merge parties. Ask a supervisor to merge these two."


def may_merge(actor: Actor) -> bool:
    return actor.has_any(UserRole.SUPERVISOR)


class PartySidePanel(QGroupBox):
    """One party: its number (checked as typed), then what a supervisor compares."""

    def __init__(self, title: str, field_name: str, errors: FieldErrors) -> None:
        super().__init__(title)
        self.field_name = field_name
        self.side: MergeSide | None = None
        self.loading = False
        self.number = QLineEdit()
        self.number.setObjectName(field_name)
        self.number.setPlaceholderText("10-digit person or organisation number")
        self.number.setMaxLength(14)
        self.name = label("", "sectionHeading", wrap=True)
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.roles_caption = label("", "hint")
        self.roles = QTableWidget(0, len(ROLE_COLUMNS))
        self.roles.setHorizontalHeaderLabels(list(ROLE_COLUMNS))
        self.roles.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.roles.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.roles.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.roles.setAlternatingRowColors(True)
        self.roles.verticalHeader().hide()
        self.roles.verticalHeader().setDefaultSectionSize(24)
        header = self.roles.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.roles.setFixedHeight(header.sizeHint().height() + ROLE_ROWS_SHOWN * 24 + 4)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        caption = QLabel("&Number:" if field_name == "survivor" else "N&umber:")
        caption.setBuddy(self.number)
        caption.setFixedHeight(self.number.sizeHint().height())   # level with the field
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.addRow(caption, errors.wrap(field_name, self.number))
        column = QVBoxLayout(self)
        column.setSpacing(6)
        column.addLayout(form)
        column.addWidget(self.name)
        column.addWidget(self.facts)
        column.addWidget(self.roles_caption)
        column.addWidget(self.roles)
        column.addStretch(1)
        self.show_side(None)

    def show_side(self, side: MergeSide | None, note: str = "") -> None:
        self.side = side
        self.roles.setVisible(side is not None)
        if side is None:
            self.name.setText(note or "No party chosen yet.")
            self.facts.setText("")
            self.roles_caption.setText("")
            self.roles.setRowCount(0)
            return
        party = side.party
        self.name.setText(party.display_name)
        kind = "Person" if party.kind is PartyKind.PERSON else "Organisation"
        lines = [f"{kind} {party.number} · {party.status.label}"]
        if side.merged_into:
            lines.append(f"Merged into {side.merged_into}")
        lines.append(f"Customer {side.customer_number}" if side.customer_number
                     else "Not a customer")
        if party.date_of_birth:
            lines.append(f"Born {party.date_of_birth.isoformat()}")
        lines.append(f"Address: {party.mailing_address or '—'}")
        for contact in party.contacts:
            primary = " (primary)" if contact.is_primary else ""
            what = "Phone" if contact.kind is ContactKind.PHONE else "E-mail"
            lines.append(f"{what}{primary}: {contact.value}")
        for kind_of, value in party.identifiers:
            lines.append(f"{kind_of.label}: {value}")
        self.facts.setText("\n".join(lines))
        shown = len(side.roles)
        self.roles_caption.setText(
            "No roles." if not side.role_count else
            f"Roles ({side.role_count})" if shown == side.role_count else
            f"Roles: the latest {shown} of {side.role_count}")
        self.roles.setRowCount(shown)
        for row, values in enumerate(side.roles):
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.roles.setItem(row, column, item)


class MergeDialog(QDialog):
    """Merge a duplicate party into the one kept, with every role, under a reason."""

    merged = Signal(str, str)        # survivor number, duplicate number

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None,
                 survivor_number: str | None = None,
                 duplicate_number: str | None = None) -> None:
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.setWindowTitle("Merge parties")
        self.setMinimumWidth(900)
        self._serials = {"survivor": 0, "duplicate": 0}
        self._busy = False
        self.confirm_box: QMessageBox | None = None

        self.general_error = label("", "inlineError", wrap=True)
        self.general_error.hide()
        self.errors = FieldErrors(self.general_error)

        heading = label("Merge parties", "sectionHeading")
        intro = label(
            "Every role, contact, identifier, communication preference and landlord agreement "
            "of the duplicate moves to the party kept; the duplicate is marked as merged. "
            "This cannot be undone.", "hint", wrap=True)
        self.survivor = PartySidePanel("Keep this party", "survivor", self.errors)
        self.duplicate = PartySidePanel("Merge away this duplicate", "duplicate", self.errors)
        for panel in (self.survivor, self.duplicate):
            panel.number.textEdited.connect(
                lambda _text, p=panel: self._number_edited(p))
            panel.number.editingFinished.connect(lambda p=panel: self._number_finished(p))
        sides = QHBoxLayout()
        sides.setSpacing(14)
        sides.addWidget(self.survivor, 1)
        sides.addWidget(self.duplicate, 1)
        self.swap_button = QPushButton("S&wap sides")
        self.swap_button.setToolTip("Keep the other party instead")
        self.swap_button.clicked.connect(self.swap)
        swap_row = QHBoxLayout()
        swap_row.addWidget(self.swap_button)
        swap_row.addStretch(1)

        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setMaxLength(254)
        self.reason.setPlaceholderText("required, e.g. same person registered twice (call of "
                                       "2025-03-02)")
        self.reason.textEdited.connect(lambda _t: self._update_buttons())
        reason_form = QFormLayout()
        reason_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        reason_label = QLabel("&Reason:")
        reason_label.setBuddy(self.reason)
        reason_label.setFixedHeight(self.reason.sizeHint().height())
        reason_form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        reason_form.addRow(reason_label, self.errors.wrap("reason", self.reason))

        self.permission_note = label(WHO_MAY_MERGE, "hint", wrap=True)
        self.permission_note.setVisible(not may_merge(actor))
        self.status = label("", "hint", wrap=True)
        self.status.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = QPushButton("&Merge…")
        self.merge_button.setObjectName("primary")
        self.buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.clicked.connect(self.ask_to_merge)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(sides)
        layout.addLayout(swap_row)
        layout.addLayout(reason_form)
        layout.addWidget(self.permission_note)
        layout.addWidget(self.general_error)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.merge_button.setDefault(True)   # once inside the dialog: Enter merges (asks first)
        chain: list[QWidget] = [self.survivor.number, self.duplicate.number, self.swap_button,
                                self.reason, self.merge_button,
                                self.buttons.button(QDialogButtonBox.StandardButton.Cancel)]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

        for panel, number in ((self.survivor, survivor_number),
                              (self.duplicate, duplicate_number)):
            if number:
                panel.number.setText(number)
                self._load(panel)
        self._update_buttons()
        start: QWidget = (self.reason if survivor_number and duplicate_number
                          else self.duplicate.number if survivor_number
                          else self.survivor.number)
        start.setFocus()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        fit_height(self)

    # ---------------------------------------------------------------------------- loading

    def _guard(self, fn: Callable[[Any], None]) -> Callable[[Any], None]:
        def call(value: Any) -> None:
            if shiboken6.isValid(self):
                fn(value)
        return call

    def _number_edited(self, panel: PartySidePanel) -> None:
        self.errors.clear(panel.field_name)
        self.errors.show_general("")
        digits = panel.number.text().replace(" ", "").replace("-", "")
        if panel.side is not None and digits != panel.side.party.number:
            panel.show_side(None)
        if len(digits) == ID_LENGTH and digits.isdigit():
            self._load(panel)
        self._update_buttons()

    def _number_finished(self, panel: PartySidePanel) -> None:
        if panel.number.text().strip() and panel.side is None:
            self._load(panel)

    def _load(self, panel: PartySidePanel) -> None:
        name = panel.field_name
        self._serials[name] += 1
        serial = self._serials[name]
        try:
            number = check_identifier(panel.number.text(), name)
        except DomainError as exc:
            panel.show_side(None)
            self.errors.show(exc)
            self._update_buttons()
            return
        panel.show_side(None, "Loading…")
        panel.loading = True
        run_task(merge_side, self.db, number, name,
                 on_result=self._guard(lambda side: self._loaded(panel, serial, side)),
                 on_error=self._guard(lambda exc: self._load_failed(panel, serial, exc)))

    def _loaded(self, panel: PartySidePanel, serial: int, side: MergeSide) -> None:
        if serial != self._serials[panel.field_name]:
            return
        panel.loading = False
        panel.show_side(side)
        fit_height_soon(self)
        self._update_buttons()

    def _load_failed(self, panel: PartySidePanel, serial: int, exc: BaseException) -> None:
        if serial != self._serials[panel.field_name]:
            return
        panel.loading = False
        panel.show_side(None)
        if isinstance(exc, DomainError):
            self.errors.show(DomainError(exc.message, panel.field_name))
        else:
            self.errors.show_general(unexpected(exc))
        self._update_buttons()

    def swap(self) -> None:
        keep, dup = self.survivor.number.text(), self.duplicate.number.text()
        keep_side, dup_side = self.survivor.side, self.duplicate.side
        self.survivor.number.setText(dup)
        self.duplicate.number.setText(keep)
        self._serials = {k: v + 1 for k, v in self._serials.items()}   # drop loads under way
        self.survivor.loading = self.duplicate.loading = False
        self.survivor.show_side(dup_side)
        self.duplicate.show_side(keep_side)
        self.errors.clear()
        self._update_buttons()

    # ------------------------------------------------------------------------------ merge

    def _ready(self) -> bool:
        return (self.survivor.side is not None and self.duplicate.side is not None
                and bool(self.reason.text().strip()))

    def _update_buttons(self) -> None:
        allowed = may_merge(self.actor)
        self.merge_button.setEnabled(allowed and not self._busy)
        self.merge_button.setToolTip(
            WHO_MAY_MERGE if not allowed else
            "Merge the duplicate into the party kept (asks first)" if self._ready() else
            "Enter both numbers and the reason, then merge")
        self.swap_button.setEnabled(not self._busy)

    def ask_to_merge(self) -> None:
        """Check what can be checked here, then ask for confirmation (window-modal)."""
        if self._busy or not may_merge(self.actor):
            return
        self.errors.clear()
        if self.survivor.loading or self.duplicate.loading:
            self.errors.show_general("Wait until both parties are shown, then merge.")
            return
        keep, dup = self.survivor.side, self.duplicate.side
        if keep is None or dup is None:
            panel = self.survivor if keep is None else self.duplicate
            self.errors.show(DomainError("Enter the number of the party "
                                         f"{'to keep' if keep is None else 'to merge away'}.",
                                         panel.field_name))
            return
        if keep.party.number == dup.party.number:
            self.errors.show(DomainError(
                f"{dup.party.number} is the party kept: a party cannot be merged into itself. "
                "Enter the number of the duplicate record.", "duplicate"))
            return
        if not self.reason.text().strip():
            self.errors.show(DomainError(
                "Say why these two are the same party; the reason is kept in the history.",
                "reason"))
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Merge parties")
        box.setText(f"Merge {dup.party.display_name} ({dup.party.number}) into "
                    f"{keep.party.display_name} ({keep.party.number})?")
        roles = ("Its role" if dup.role_count == 1 else f"Its {dup.role_count} roles"
                 if dup.role_count else "Its")
        box.setInformativeText(
            f"{roles}{',' if dup.role_count else ''} contacts, identifiers, preferences and "
            f"landlord agreements move to {keep.party.number}; {dup.party.number} is marked as "
            "merged. This cannot be undone.")
        merge = box.addButton("&Merge", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.finished.connect(lambda _r: self._confirmed(box.clickedButton() is merge))
        self.confirm_box = box
        box.open()

    def _confirmed(self, yes: bool) -> None:
        box, self.confirm_box = self.confirm_box, None
        if box is not None:
            box.deleteLater()
        if yes:
            self.merge()

    def merge(self) -> None:
        """Merge now, without asking (the confirmation has been given)."""
        keep, dup = self.survivor.side, self.duplicate.side
        if keep is None or dup is None or self._busy:
            return
        self._busy = True
        self._update_buttons()
        self.status.setText("Merging…")
        self.status.show()
        run_task(merge_parties, self.db, self.actor, keep.party.number, dup.party.number,
                 self.reason.text(), survivor_version=keep.party.version,
                 duplicate_version=dup.party.version,
                 on_result=self._guard(lambda _view: self._merged(keep, dup)),
                 on_error=self._guard(self._failed))

    def _merged(self, keep: MergeSide, dup: MergeSide) -> None:
        self._busy = False
        self.status.hide()
        self.merged.emit(keep.party.number, dup.party.number)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.status.hide()
        self._update_buttons()
        if isinstance(exc, ConcurrentChange):
            self.errors.show_general(exc.message + " Both parties have been reloaded.")
            self._load(self.survivor)
            self._load(self.duplicate)
        elif isinstance(exc, DomainError):
            self.errors.show(exc)
        else:
            self.errors.show_general(unexpected(exc))


def open_merge_dialog(parent: QWidget | None, db: Database, actor: Actor,
                      survivor_number: str | None = None,
                      duplicate_number: str | None = None) -> MergeDialog:
    """Open the dialog (window-modal, not blocking); it deletes itself once closed."""
    dialog = MergeDialog(db, actor, parent, survivor_number, duplicate_number)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
