"""Log in to a shared database, or create its first administrator when it has no users yet."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.services import users
from app.services.context import Actor
from app.services.errors import DomainError
from app.views.widgets import label
from app.views.worker import run_task


class LoginDialog(QDialog):
    """Enter submits, Esc cancels; a wrong password is explained under the fields."""

    def __init__(self, db: Database, *, first_admin: bool, parent: QWidget | None = None,
                 authenticate: Callable[[Database, str, str], Actor] | None = None,
                 note: str = "") -> None:
        super().__init__(parent)
        self.db = db
        self.first_admin = first_admin
        self._authenticate = authenticate or users.authenticate
        self.actor: Actor | None = None
        self.setWindowTitle("Switchboard — log in")
        self.setMinimumWidth(440)

        self.username = QLineEdit()
        self.username.setAccessibleName("User name")
        self.display_name = QLineEdit()
        self.display_name.setAccessibleName("Name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setAccessibleName("Password again")
        self.message = label("", "inlineError", wrap=True)
        self.message.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        form = QFormLayout()
        form.setVerticalSpacing(8)
        form.addRow("User name:", self.username)
        if first_admin:
            layout.addWidget(label("Create the first administrator", "sectionHeading"))
            layout.addWidget(label(
                f"{db.description} has no users yet. The first user you create here becomes "
                "its administrator and can add colleagues.", wrap=True,
            ))
            form.addRow("Name:", self.display_name)
            form.addRow("Password:", self.password)
            form.addRow("Again:", self.confirm)
            self.display_name.setPlaceholderText("as colleagues should see it")
            self.password.setPlaceholderText(f"at least {users.MIN_PASSWORD_LENGTH} characters")
            submit_text = "Create administrator"
        else:
            layout.addWidget(label("Log in", "sectionHeading"))
            layout.addWidget(label(note or f"Log in to {db.description}.", wrap=True))
            form.addRow("Password:", self.password)
            submit_text = "Log in"
        layout.addLayout(form)
        layout.addWidget(self.message)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.submit_button = QPushButton(submit_text)
        self.submit_button.setObjectName("primary")
        self.submit_button.setDefault(True)
        self.submit_button.setAutoDefault(True)
        self.buttons.addButton(self.submit_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)  # Enter must never mean Cancel, even if Cancel has focus
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for field in self._fields():
            field.returnPressed.connect(self.submit)  # Enter submits from any field
        self.username.setFocus()

    def _fields(self) -> list[QLineEdit]:
        return [self.username, self.display_name, self.password, self.confirm]

    def submit(self) -> None:
        if not self.submit_button.isEnabled():
            return
        self.message.hide()
        for field in self._fields():
            field.setReadOnly(True)  # not disabled: focus (and Enter) stay in the field
        self.submit_button.setEnabled(False)
        if self.first_admin:
            run_task(
                users.create_first_admin, self.db, self.username.text(),
                self.display_name.text() or self.username.text(), self.password.text(),
                self.confirm.text(), on_result=self._done, on_error=self._failed,
            )
        else:
            run_task(self._authenticate, self.db, self.username.text(), self.password.text(),
                     on_result=self._done, on_error=self._failed)

    def _done(self, actor: Actor) -> None:
        self.actor = actor
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        for field in self._fields():
            field.setReadOnly(False)
        self.submit_button.setEnabled(True)
        if isinstance(exc, DomainError):
            self.message.setText(exc.message)
            target = {"username": self.username, "display_name": self.display_name,
                      "password": self.password, "confirm": self.confirm}.get(exc.field or "")
        else:
            self.message.setText(f"Could not log in: {exc}")
            target = None
        self.message.show()
        if target is None and not self.first_admin:
            target = self.password
        if target is not None:
            target.setFocus()
            target.selectAll()


def log_in(db: Database, parent: QWidget | None = None, *,
           authenticate: Callable[[Database, str, str], Actor] | None = None,
           note: str = "") -> Actor | None:
    """Show the dialog for a networked database; None when the user cancels. `authenticate`
    and `note` serve the log-in before a schema upgrade (app.services.schema_access)."""
    first_admin = authenticate is None and users.user_count(db) == 0
    dialog = LoginDialog(db, first_admin=first_admin, parent=parent,
                         authenticate=authenticate, note=note)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.actor
