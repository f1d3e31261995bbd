"""Settings and paths: where the local database lives, which database to use, the theme.

Settings are a small JSON file in the user's config folder. A database password is never
written there: it goes to the operating system's keyring (service "switchboard", user name
`user@host/database`), or lives in ~/.pgpass or the PGPASSWORD variable.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

APP_NAME = "switchboard"
KEYRING_SERVICE = "switchboard"
ENV_DATABASE_URL = "SWITCHBOARD_DATABASE_URL"
THEMES = ("system", "light", "dark")
PASSWORD_REFUSED = (
    "Do not put the password in the URL: Switchboard never saves passwords. Remove it and put "
    "it in ~/.pgpass (or the PGPASSWORD environment variable) instead."
)


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'switchboard.sqlite'}"


def os_username() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return os.environ.get("USER") or "operator"


@dataclass
class Settings:
    database_url: str | None = None
    theme: str = "system"
    recent_databases: list[str] = field(default_factory=list)

    @staticmethod
    def path() -> Path:
        return config_dir() / "settings.json"

    @classmethod
    def load(cls) -> Settings:
        try:
            raw = json.loads(cls.path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        settings = cls(**known)
        if settings.theme not in THEMES:
            settings.theme = "system"
        return settings

    def save(self) -> None:
        """Write the settings; a database URL with a password is refused, never written."""
        from app.db import url_has_password
        from app.services.errors import ValidationError

        if self.database_url and url_has_password(self.database_url):
            raise ValidationError(PASSWORD_REFUSED, "database_url")
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        tmp.replace(path)


def resolve_database_url(cli_value: str | None, settings: Settings | None = None) -> str:
    """--database, then SWITCHBOARD_DATABASE_URL, then the settings file, then the local file."""
    if cli_value:
        return cli_value
    env = os.environ.get(ENV_DATABASE_URL)
    if env:
        return env
    chosen = (settings or Settings.load()).database_url
    return chosen or default_database_url()


def is_first_run(cli_value: str | None, settings: Settings | None = None) -> bool:
    """The very first start: no database named anywhere and no local database file yet."""
    if cli_value or os.environ.get(ENV_DATABASE_URL):
        return False
    if (settings or Settings.load()).database_url:
        return False
    return not (data_dir() / "switchboard.sqlite").exists()


# --------------------------------------------------------------------------------- keyring


class KeyringUnavailable(Exception):
    """No usable password store on this computer (or it refused)."""


def keyring_username(url: URL) -> str:
    """The keyring entry's user name for a database: `user@host/database`."""
    return f"{url.username or ''}@{url.host or 'localhost'}/{url.database or ''}"


def save_password(url: URL, password: str) -> None:
    """Put the database password in the OS keyring; KeyringUnavailable with the reason."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, keyring_username(url), password)
    except (KeyringError, RuntimeError, OSError) as exc:
        raise KeyringUnavailable(str(exc) or type(exc).__name__) from exc


def saved_password(url: URL) -> str | None:
    """The password saved for this database, or None (also when there is no keyring)."""
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, keyring_username(url))
    except Exception:  # noqa: BLE001 - no keyring, locked, no D-Bus: libpq's own ways remain
        return None
