"""The first start of an installed Switchboard: the demo utility, or the utility's own database.

Shown once, when there is no local database yet and no database was chosen (no --database, no
SWITCHBOARD_DATABASE_URL, none in the settings). "Start with the demo utility" creates the local
file and fills it (as every first start did before); "Connect to my utility's database" asks
for the PostgreSQL server, user and password, tests them in a worker, and only a connection that
worked can be saved: the URL (without the password) to the settings, the password to the OS
keyring (app.config.save_password).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPalette, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import URL

from app import config
from app.db import (
    current_revision,
    describe_url,
    head_revision,
    open_database,
    parse_database_url,
    url_has_password,
)
from app.services.errors import DomainError
from app.views.widgets import label, say
from app.views.worker import run_task

DEMO = "demo"
CONNECT = "connect"
URL_EXAMPLE = "postgresql://db.example.com:5432/switchboard"


def connection_url(raw_url: str, user: str) -> URL:
    """The server URL with the user filled in (no password); DomainError naming the field."""
    text = raw_url.strip()
    if not text:
        raise DomainError(f"Type the database's address, for example {URL_EXAMPLE}.", "url")
    if url_has_password(text):
        raise DomainError("Type the password in the Password field, not in the address: "
                          "Switchboard keeps it in this computer's password store.", "url")
    if not text.lower().startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        raise DomainError("Your utility's database is a PostgreSQL server: its address starts "
                          f"with postgresql://, for example {URL_EXAMPLE}.", "url")
    try:
        url = parse_database_url(text.replace("postgres://", "postgresql://", 1))
    except DomainError as exc:
        raise DomainError(exc.message, "url") from None
    name = user.strip() or (url.username or "")
    if not name:
        raise DomainError("Type the database user name your administrator gave you.", "user")
    return url.set(username=name, password=None)


def probe_connection(url: URL) -> str:
    """Connect without changing anything; a sentence saying what was found (worker thread)."""
    db = open_database(url, migrate=False)
    try:
        revision = current_revision(db.engine)
    finally:
        db.dispose()
    where = describe_url(url)
    head = head_revision()
    if revision is None:
        return (f"Connected to {where}. It has no Switchboard tables yet; they are created "
                "when you continue, and you then create its first administrator.")
    if revision != head:
        return (f"Connected to {where}: schema {revision}. This version needs {head}; an "
                "administrator will be asked to upgrade it when you continue.")
    return f"Connected to {where} (schema {revision}, up to date)."


class WelcomeDialog(QDialog):
    """`choice` is DEMO or CONNECT once accepted; `saved_url` the URL saved for CONNECT."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Switchboard")
        self.setMinimumWidth(600)
        self.choice: str | None = None
        self.saved_url: str | None = None
        self._serial = 0
        self._tested: tuple[str, str] | None = None   # (url, password) that connected

        self.pages = QStackedWidget()
        self.pages.addWidget(self._choice_page())
        self.pages.addWidget(self._connect_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(self.pages)
        self.demo_button.setFocus()

    # ------------------------------------------------------------------------- the choice

    def _choice_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        box.addWidget(label("Welcome to Switchboard", "sectionHeading"))
        box.addWidget(label("There is no Switchboard database on this computer yet. How would "
                            "you like to start?", wrap=True))
        self.demo_button = QCommandLinkButton(
            "&Start with the demo utility",
            "A database on this computer with a made-up utility (300 customer accounts, rates, "
            "quotes, cases) to explore and practise on.")
        self.demo_button.clicked.connect(self.choose_demo)
        self.connect_button = QCommandLinkButton(
            "&Connect to my utility's database",
            "The shared PostgreSQL database your administrator set up. You need its address, "
            "a user name and a password.")
        self.connect_button.clicked.connect(self.show_connect)
        for button in (self.demo_button, self.connect_button):
            button.setIcon(_arrow_icon(button))
            button.setIconSize(QSize(16, 16))
        box.addWidget(self.demo_button)
        box.addWidget(self.connect_button)
        box.addWidget(label("You can switch databases later in Settings.", "hint", wrap=True))
        box.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        quit_button = QPushButton("Quit")
        quit_button.setAutoDefault(False)
        quit_button.clicked.connect(self.reject)
        row.addWidget(quit_button)
        box.addLayout(row)
        return page

    def choose_demo(self) -> None:
        self.choice = DEMO
        self.accept()

    def show_connect(self) -> None:
        self.pages.setCurrentIndex(1)
        self.url_field.setFocus()

    def show_choice(self) -> None:
        self.pages.setCurrentIndex(0)
        self.connect_button.setFocus()

    # --------------------------------------------------------------------- the connection

    def _connect_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        box.addWidget(label("Connect to your utility's database", "sectionHeading"))
        box.addWidget(label("Type what your administrator gave you, then test the connection. "
                            "It is saved only once the test has worked.", wrap=True))
        self.url_field = QLineEdit()
        self.url_field.setPlaceholderText(URL_EXAMPLE)
        self.url_field.setAccessibleName("Database address")
        self.user_field = QLineEdit()
        self.user_field.setAccessibleName("Database user")
        self.password_field = QLineEdit()
        self.password_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_field.setAccessibleName("Database password")
        for field in (self.url_field, self.user_field, self.password_field):
            field.textEdited.connect(self._edited)
            field.returnPressed.connect(self._enter)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setVerticalSpacing(8)
        form.addRow("&Address:", self.url_field)
        form.addRow("&User:", self.user_field)
        form.addRow("&Password:", self.password_field)
        box.addLayout(form)
        self.message = label("", "inlineError", wrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        box.addWidget(self.message)
        box.addWidget(label("The password is kept in this computer's password store (keyring), "
                            "never in Switchboard's settings file.", "hint", wrap=True))
        box.addStretch(1)

        self.back_button = QPushButton("Back")
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.show_choice)
        self.test_button = QPushButton("&Test connection")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test)
        self.save_button = QPushButton("Save and connect")
        self.save_button.setObjectName("primary")
        self.save_button.setAutoDefault(False)
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton("Quit")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.test_button)
        row.addWidget(self.save_button)
        row.addWidget(cancel)
        box.addLayout(row)
        return page

    def _say(self, text: str, ok: bool) -> None:
        say(self.message, text, ok)

    def _edited(self, _text: str) -> None:
        self._serial += 1
        self._tested = None
        self.save_button.setEnabled(False)
        self.test_button.setEnabled(True)
        self._say("", True)

    def _enter(self) -> None:
        """Enter tests the connection, and once it worked, saves it."""
        if self._tested is not None and self.save_button.isEnabled():
            self.save()
        else:
            self.test()

    def _field(self, name: str | None) -> QLineEdit:
        return {"user": self.user_field, "password": self.password_field}.get(
            name or "", self.url_field)

    def _refuse(self, exc: DomainError) -> None:
        self._say(exc.message, False)
        field = self._field(exc.field)
        field.setFocus()
        field.selectAll()

    def test(self) -> None:
        try:
            url = connection_url(self.url_field.text(), self.user_field.text())
        except DomainError as exc:
            self._refuse(exc)
            return
        password = self.password_field.text()
        self._serial += 1
        serial = self._serial
        self.test_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self._say("Connecting…", True)
        key = (url.render_as_string(hide_password=False), password)
        run_task(probe_connection, url.set(password=password or None),
                 on_result=lambda text: self._tested_ok(serial, key, str(text)),
                 on_error=lambda exc: self._tested_failed(serial, exc))

    def _tested_ok(self, serial: int, key: tuple[str, str], text: str) -> None:
        if serial != self._serial:
            return
        self._tested = key
        self.test_button.setEnabled(True)
        self.save_button.setEnabled(True)
        self.save_button.setDefault(True)
        self._say(text, True)
        self.save_button.setFocus()

    def _tested_failed(self, serial: int, exc: BaseException) -> None:
        if serial != self._serial:
            return
        self._tested = None
        self.test_button.setEnabled(True)
        message = getattr(exc, "message", None) or f"The connection failed: {exc}"
        self._say(str(message), False)
        self.url_field.setFocus()

    def save(self) -> None:
        if self._tested is None:
            self._say("Test the connection first: it is saved only once it has worked.", False)
            return
        raw, password = self._tested
        url = parse_database_url(raw)
        if password:
            try:
                config.save_password(url, password)
            except config.KeyringUnavailable as exc:
                self._say("This computer has no password store Switchboard can use "
                          f"({exc}), so nothing was saved. Leave the password empty and put it "
                          "in ~/.pgpass instead, or ask your administrator.", False)
                self.password_field.setFocus()
                return
        settings = config.Settings.load()
        settings.database_url = raw
        settings.recent_databases = [raw, *(u for u in settings.recent_databases if u != raw)][:8]
        settings.save()
        self.saved_url = raw
        self.choice = CONNECT
        self.accept()


def _arrow_icon(widget: QWidget) -> QIcon:
    """A right arrow in the text colour (the style's own arrow is dark on a dark theme)."""
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(widget.palette().color(QPalette.ColorRole.Highlight))
    painter.drawPolygon(QPolygonF([QPointF(9, 5), QPointF(25, 16), QPointF(9, 27)]))
    painter.end()
    return QIcon(pixmap)
