"""Back up and restore the whole database (``practica backup FILE`` / ``practica restore FILE``).

SQLite: SQLite's online backup API copies the database page by page into FILE while the server keeps
serving; the copy is one consistent snapshot (every transaction is fully in it or fully out).
Restoring copies FILE back the same way, after checking it is an intact SQLite database.

PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot, the server keeps running) and
``pg_restore`` (or ``psql`` for a plain SQL dump). The PostgreSQL client tools must be on PATH.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, connections

from practica.core.errors import ApplicationError

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"


@dataclass(frozen=True)
class BackupReport:
    path: Path
    engine: str
    size: int


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise ApplicationError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _sqlite_path() -> str:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file::memory:"):
        raise ApplicationError("The database is in memory; there is nothing on disk to back up.")
    return name


def database_has_data() -> bool:
    """True when the database holds an organisation (any account or person)."""
    from django.contrib.auth import get_user_model

    from practica.people.models import Person

    tables = set(connection.introspection.table_names())
    user_model = get_user_model()
    if user_model._meta.db_table not in tables or Person._meta.db_table not in tables:
        return False
    return user_model._base_manager.exists() or Person.objects.exists()


def backup_create(*, path: Path) -> BackupReport:
    """Write a consistent copy of the whole database to ``path`` (replaced if it exists)."""
    engine = _engine()
    path = path.expanduser().resolve()
    if not path.parent.is_dir():
        raise ApplicationError(f"{path.parent}: no such folder.")
    if engine == "sqlite":
        _sqlite_backup(Path(_sqlite_path()), path)
    else:
        _pg_dump(path)
    return BackupReport(path=path, engine=engine, size=path.stat().st_size)


def _sqlite_backup(source: Path, target: Path) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".practica-backup-", dir=target.parent)
    os.close(handle)
    try:
        src = sqlite3.connect(str(source), timeout=30)
        dst = sqlite3.connect(temporary)
        try:
            src.backup(dst)  # all pages in one step: one snapshot, never a mix
            dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        finally:
            dst.close()
            src.close()
        os.replace(temporary, target)
    except sqlite3.Error as error:
        raise ApplicationError(f"The SQLite backup failed: {error}.") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _pg_env() -> tuple[list[str], dict[str, str]]:
    settings = connection.settings_dict
    env = dict(os.environ)
    args: list[str] = []
    if settings.get("HOST"):
        args += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", str(settings["USER"])]
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ApplicationError(
            f"{name} was not found on PATH; install the PostgreSQL client tools "
            "(e.g. `apt install postgresql-client`) matching the server's version."
        )
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        last = (result.stderr or result.stdout).strip().splitlines()
        raise ApplicationError(f"{Path(command[0]).name} failed: {last[-1] if last else 'no output'}")


def _pg_dump(target: Path) -> None:
    args, env = _pg_env()
    name = str(connection.settings_dict["NAME"])
    _run([_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--file", str(target), name], env)


def restore(*, path: Path, force: bool = False) -> BackupReport:
    """Replace the database with the backup at ``path``; refuses a database with data unless ``force``."""
    engine = _engine()
    path = path.expanduser().resolve()
    if not path.is_file():
        raise ApplicationError(f"{path}: no such file.")
    with path.open("rb") as handle:
        header = handle.read(16)
    if not force and database_has_data():
        raise ApplicationError(
            "The database already holds an organisation; restoring would replace it. "
            "Use --force to replace it (back it up first)."
        )
    if engine == "sqlite":
        if not header.startswith(SQLITE_HEADER):
            raise ApplicationError(f"{path}: not an SQLite backup (this database is SQLite).")
        _sqlite_restore(path, Path(_sqlite_path()))
    else:
        if header.startswith(SQLITE_HEADER):
            raise ApplicationError(f"{path}: an SQLite backup cannot be restored into PostgreSQL.")
        _pg_restore(path, custom=header.startswith(PG_CUSTOM_HEADER))
    return BackupReport(path=path, engine=engine, size=path.stat().st_size)


def _sqlite_restore(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        result = src.execute("PRAGMA integrity_check").fetchone()
        if not result or result[0] != "ok":
            raise ApplicationError(f"{source}: the backup is damaged (integrity check: {result}).")
        connections.close_all()
        dst = sqlite3.connect(str(target), timeout=30)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.DatabaseError as error:
        raise ApplicationError(f"{source}: cannot restore it ({error}).") from None
    finally:
        src.close()


def _pg_restore(source: Path, *, custom: bool) -> None:
    args, env = _pg_env()
    name = str(connection.settings_dict["NAME"])
    connections.close_all()
    if custom:
        command = [_tool("pg_restore"), *args, "--clean", "--if-exists", "--no-owner", "--dbname", name]
        _run([*command, "--single-transaction", str(source)], env)
    else:
        command = [_tool("psql"), *args, "--quiet", "--set", "ON_ERROR_STOP=1", "--single-transaction"]
        _run([*command, "--dbname", name, "--file", str(source)], env)


def describe(report: BackupReport) -> dict[str, Any]:
    return {"file": str(report.path), "engine": report.engine, "bytes": report.size}
