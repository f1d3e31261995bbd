"""Settings: which database to open (with a connection test) and the theme. No passwords saved.
Administrators also switch optional modules (e.g. Premise Management) for the whole database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import config
from app.db import (
    Database,
    current_revision,
    head_revision,
    open_database,
    parse_database_url,
    url_has_password,
)
from app.models.enums import UserRole
from app.services.context import Actor
from app.services.errors import DomainError
from app.services.installation import (
    MODULE_LABELS,
    Module,
    enabled_modules,
    set_module_enabled,
)
from app.views.theme import apply_theme
from app.views.widgets import label
from app.views.worker import run_task

THEME_LABELS = {"system": "Same as the system", "light": "Light", "dark": "Dark"}
MAX_RECENT = 8
PASSWORD_REFUSED = config.PASSWORD_REFUSED


def check_url(raw: str) -> str | None:
    """The reason `raw` cannot be saved, or None. An empty URL means the local file."""
    text = raw.strip()
    if not text:
        return None
    if url_has_password(text):
        return PASSWORD_REFUSED
    try:
        parse_database_url(text)
    except DomainError as exc:
        return exc.message
    return None


def probe_database(raw: str) -> str:
    """Try the database without changing it; a sentence saying what was found (worker thread)."""
    url = parse_database_url(raw)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database).expanduser()
        if not path.exists():
            return f"{path} does not exist yet: Switchboard will create a new database there."
    db = open_database(url, migrate=False)
    try:
        revision = current_revision(db.engine)
    finally:
        db.dispose()
    if revision is None:
        return f"Connected to {db.description}. It has no Switchboard tables yet; they are " \
               "created when it is opened."
    if revision == head_revision():
        state = "up to date"
    elif db.is_networked:
        state = f"an administrator will be asked to upgrade it to {head_revision()}"
    else:
        state = f"will be upgraded to {head_revision()}, after a backup copy"
    return f"Connected to {db.description}: schema {revision} ({state})."


class SettingsDialog(QDialog):
    """Edit the saved database URL and theme; `switch_requested(url)` when the URL changed."""

    switch_requested = Signal(str)

    def __init__(self, parent: QWidget | None, current_url: str = "",
                 db: Database | None = None, actor: Actor | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(640)
        self.settings = config.Settings.load()
        self._current_url = current_url
        self._test_serial = 0

        self.url_field = QLineEdit(self.settings.database_url or "")
        self.url_field.setPlaceholderText(config.default_database_url())
        self.url_field.setClearButtonEnabled(True)
        self.url_field.textEdited.connect(self._url_edited)
        self.test_button = QPushButton("Test")
        self.test_button.setToolTip("Connect to this database without changing it")
        self.test_button.clicked.connect(self.test)
        url_row = QHBoxLayout()
        url_row.addWidget(self.url_field, 1)
        url_row.addWidget(self.test_button)
        self.url_message = label("", "inlineError", wrap=True)
        self.url_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.url_message.hide()
        hint = label(
            "Leave empty for the local file shown in grey. For a shared server: "
            "postgresql://user@host:5432/database, with the password in ~/.pgpass or PGPASSWORD.",
            "hint", wrap=True,
        )

        self.theme_box = QComboBox()
        for key, text in THEME_LABELS.items():
            self.theme_box.addItem(text, key)
        self.theme_box.setCurrentIndex(max(0, self.theme_box.findData(self.settings.theme)))

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setVerticalSpacing(8)
        url_box = QVBoxLayout()
        url_box.setSpacing(4)
        url_box.addLayout(url_row)
        url_box.addWidget(self.url_message)
        url_box.addWidget(hint)
        form.addRow("Database:", url_box)
        form.addRow("Theme:", self.theme_box)
        self._db, self._actor = db, actor
        self.module_box: QCheckBox | None = None
        self.module_boxes: dict[Module, QCheckBox] = {}
        self._modules_were: dict[Module, bool] | None = None
        if db is not None and actor is not None and UserRole.ADMIN in actor.roles:
            form.addRow("Optional modules:", self._build_modules())

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(14)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def _build_modules(self) -> QVBoxLayout:
        """Administrators: a switch per optional module (every workstation of the database)."""
        self.module_boxes = {module: QCheckBox(MODULE_LABELS[module]) for module in Module}
        self.module_box = self.module_boxes[Module.PREMISE_MANAGEMENT]
        self.module_message = label("", "inlineError", wrap=True)
        self.module_message.hide()
        box = QVBoxLayout()
        box.setSpacing(4)
        for check in self.module_boxes.values():
            check.setEnabled(False)  # until its state is read
            box.addWidget(check)
        box.addWidget(self.module_message)
        box.addWidget(label("Switches each module's panes and menu entries on or off for every "
                            "workstation of this database. It takes effect the next time the "
                            "window opens.", "hint", wrap=True))
        run_task(enabled_modules, self._db,
                 on_result=self._modules_read, on_error=lambda exc: self._module_failed(exc))
        return box

    def _modules_read(self, enabled: frozenset[Module]) -> None:
        self._modules_were = {m: m in enabled for m in Module}
        for module, check in self.module_boxes.items():
            check.setChecked(module in enabled)
            check.setEnabled(True)

    def _module_failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.module_message.setText(_sentence(exc))
        self.module_message.show()

    def _module_changes(self) -> dict[Module, bool]:
        if self._modules_were is None:
            return {}
        return {m: box.isChecked() for m, box in self.module_boxes.items()
                if box.isChecked() != self._modules_were[m]}

    # ------------------------------------------------------------------------------ inline

    def _show_message(self, text: str, ok: bool = False) -> None:
        self.url_message.setObjectName("inlineOk" if ok else "inlineError")
        self.url_message.style().unpolish(self.url_message)
        self.url_message.style().polish(self.url_message)
        self.url_message.setText(text)
        self.url_message.setVisible(bool(text))

    def _url_edited(self, _text: str) -> None:
        self._test_serial += 1
        self.test_button.setEnabled(True)
        self._show_message("")

    # -------------------------------------------------------------------------------- test

    def test(self) -> None:
        raw = self.url_field.text().strip() or config.default_database_url()
        problem = check_url(raw)
        if problem:
            self._show_message(problem)
            return
        self._test_serial += 1
        serial = self._test_serial
        self.test_button.setEnabled(False)
        self._show_message("Connecting…", ok=True)
        run_task(probe_database, raw,
                 on_result=lambda text: self._tested(serial, str(text), True),
                 on_error=lambda exc: self._tested(serial, _sentence(exc), False))

    def _tested(self, serial: int, text: str, ok: bool) -> None:
        if serial != self._test_serial:
            return
        self.test_button.setEnabled(True)
        self._show_message(text, ok=ok)

    # -------------------------------------------------------------------------------- save

    def save(self) -> None:
        raw = self.url_field.text().strip()
        problem = check_url(raw)
        if problem:
            self._show_message(problem)
            self.url_field.setFocus()
            return
        changes = self._module_changes()
        if changes and self._db is not None and self._actor is not None:
            self.buttons.setEnabled(False)
            db, actor = self._db, self._actor

            def switch() -> None:
                for module, on in changes.items():
                    set_module_enabled(db, actor, module, on)

            run_task(switch, on_result=lambda _r: self._save_settings(raw),
                     on_error=self._module_failed)
            return
        self._save_settings(raw)

    def _save_settings(self, raw: str) -> None:
        self.buttons.setEnabled(True)
        if self._modules_were is not None:
            self._modules_were = {m: box.isChecked() for m, box in self.module_boxes.items()}
        settings = config.Settings.load()
        settings.database_url = raw or None
        settings.theme = str(self.theme_box.currentData())
        if raw:
            recent = [u for u in settings.recent_databases if u != raw and not url_has_password(u)]
            settings.recent_databases = [raw, *recent][:MAX_RECENT]
        settings.save()
        self.settings = settings
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, settings.theme)
        self.accept()
        chosen = raw or config.default_database_url()
        if self._current_url and _normalised(chosen) != _normalised(self._current_url):
            self.switch_requested.emit(chosen)


def _normalised(raw: str) -> str:
    try:
        return parse_database_url(raw).set(password=None).render_as_string(hide_password=False)
    except DomainError:
        return raw.strip()


def _sentence(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    return str(message) if message else f"The connection failed: {exc}"
