"""Read Practica's configuration from environment variables, failing loudly on bad values.

Every variable Practica reads is parsed here and documented in the README's configuration table.
A bad value raises :class:`ConfigError` whose message is one line naming the variable; the command
line prints that line and exits instead of showing a traceback.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
MIN_GROUP_SIZE_FLOOR = 3  # specs/calibration.md §5: "default 5, never below 3"


class ConfigError(ImproperlyConfigured):
    """A configuration variable has a value Practica cannot use."""


class Environment:
    """Typed access to a mapping of environment variables (``os.environ`` by default)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def text(self, name: str, default: str = "") -> str:
        return self.environ.get(name, default).strip()

    def flag(self, name: str, default: bool = False) -> bool:
        raw = self.environ.get(name)
        if raw is None:
            return default
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ConfigError(f"{name}={raw!r} is not a yes/no value; use 1/0, true/false, yes/no or on/off.")

    def integer(self, name: str, default: int, *, minimum: int | None = None) -> int:
        raw = self.environ.get(name)
        if raw is None or not raw.strip():
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            raise ConfigError(f"{name}={raw!r} is not a whole number.") from None
        if minimum is not None and value < minimum:
            raise ConfigError(f"{name}={value} is too small; the smallest allowed value is {minimum}.")
        return value

    def words(self, name: str, default: str) -> list[str]:
        return [word.strip() for word in self.text(name, default).split(",") if word.strip()]

    def url(self, name: str, default: str, *, schemes: set[str]) -> str:
        raw = self.text(name, default)
        scheme = urlparse(raw).scheme
        if scheme not in schemes:
            allowed = ", ".join(sorted(schemes))
            raise ConfigError(f"{name}={raw!r} has scheme {scheme!r}; use one of: {allowed}.")
        return raw


def data_dir(env: Environment) -> Path:
    """The folder for the SQLite database and the generated secret key (``./var`` by default)."""
    return Path(env.text("PRACTICA_DATA_DIR", "var")).expanduser().resolve()


def secret_key(env: Environment, folder: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in ``folder/secret_key``."""
    key = env.text("SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ConfigError("SECRET_KEY is shorter than 32 characters; use a long random value.")
        return key
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # Create with owner-only permissions so the key never becomes world-readable.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


def database(env: Environment, folder: Path) -> dict[str, object]:
    """Django's DATABASES['default'] from DATABASE_URL; SQLite in ``folder`` by default."""
    import dj_database_url

    default = f"sqlite:///{folder / 'practica.sqlite3'}"
    url = env.url("DATABASE_URL", default, schemes={"sqlite", "postgres", "postgresql", "pgsql"})
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as error:
        raise ConfigError(f"DATABASE_URL could not be read: {error}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        name = Path(str(config["NAME"]))
        if str(name) != ":memory:":
            name.parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # WAL lets readers work while one writer writes; the busy timeout makes a second writer
            # wait instead of failing; IMMEDIATE takes the write lock when a transaction starts, so
            # two transactions never deadlock upgrading read locks to write locks.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config
