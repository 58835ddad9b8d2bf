"""Backups under load restore to the same data; restore refuses to overwrite by accident.

The end-to-end test drives the installed ``practica`` command against SQLite files in a temporary
folder (whatever database the rest of the suite uses), like an operator would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from practica.core import backup
from practica.core.errors import ApplicationError

PRACTICA = Path(sys.executable).parent / "practica"

# Runs beside the backup: each transaction adds a team and its child team, so a consistent
# snapshot holds both or neither, and holds the first N writes for some N (a prefix).
WRITER = """
import os, sys, django
os.environ["DJANGO_SETTINGS_MODULE"] = "practica.settings"
django.setup()
from pathlib import Path
from django.db import transaction
from practica.people.services import team_create
stop = Path(sys.argv[1])
done = Path(sys.argv[2])
number = 0
while not stop.exists() and number < 2000:
    with transaction.atomic():
        parent = team_create(name=f"Writer {number:05d}")
        team_create(name=f"Writer {number:05d} child", parent=parent)
    number += 1
    partial = done.with_suffix(".tmp")
    partial.write_text(str(number))
    os.replace(partial, done)
"""


def _env(folder: Path, database: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PRACTICA_DATA_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "practica.settings",
    }


def _practica(folder: Path, database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PRACTICA), *args], env=_env(folder, database), capture_output=True, text=True, timeout=180
    )


def _export(folder: Path, database: Path) -> dict[str, list[dict[str, object]]]:
    file = folder / f"{database.stem}.json"
    result = _practica(folder, database, "export", "--all", str(file))
    assert result.returncode == 0, result.stderr
    return json.loads(file.read_text())["models"]


def test_backup_under_load_restores_to_the_same_export(tmp_path):
    live = tmp_path / "live.sqlite3"
    result = _practica(tmp_path, live, "demo", "--people", "50")
    assert result.returncode == 0, result.stderr

    stop, done = tmp_path / "stop", tmp_path / "done"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop), str(done)], env=_env(tmp_path, live), cwd=tmp_path
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not done.exists() or int(done.read_text()) < 20):
            time.sleep(0.05)
        written_before = int(done.read_text())
        backup_file = tmp_path / "practica.backup"
        result = _practica(tmp_path, live, "backup", str(backup_file))
        assert result.returncode == 0, result.stderr
        written_after = int(done.read_text())
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert writer.returncode == 0

    # The backup as taken (a copy, so exporting it changes nothing in the backup file).
    snapshot = tmp_path / "snapshot.sqlite3"
    shutil.copy(backup_file, snapshot)
    at_backup = _export(tmp_path, snapshot)

    restored = tmp_path / "restored.sqlite3"
    result = _practica(tmp_path, restored, "restore", str(backup_file))
    assert result.returncode == 0, result.stderr
    assert _export(tmp_path, restored) == at_backup

    # Consistent: every write is fully in or fully out, and the writes in it are a prefix.
    names = {row["name"]: row for row in at_backup["people.Team"]}
    parents = sorted(name for name in names if name.startswith("Writer ") and not name.endswith("child"))
    count = len(parents)
    assert count >= 20
    assert parents == [f"Writer {number:05d}" for number in range(count)]
    for name in parents:
        assert names[f"{name} child"]["parent_id"] == names[name]["id"]
    assert not any(name.startswith(f"Writer {count:05d}") for name in names)
    assert written_before <= count <= written_after  # taken while the writer was running

    # The restored database is intact and has the demo organisation.
    import sqlite3

    with sqlite3.connect(restored) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(at_backup["people.Person"]) >= 50


def test_restore_refuses_a_database_with_data_unless_forced(tmp_path):
    live = tmp_path / "live.sqlite3"
    assert _practica(tmp_path, live, "manage", "migrate", "-v0").returncode == 0
    code = (
        "from practica.people.services import person_create; "
        "person_create(email='a@example.org', display_name='A')"
    )
    assert _practica(tmp_path, live, "manage", "shell", "-c", code).returncode == 0
    backup_file = tmp_path / "one.backup"
    assert _practica(tmp_path, live, "backup", str(backup_file)).returncode == 0

    refused = _practica(tmp_path, live, "restore", str(backup_file))
    assert refused.returncode == 2
    assert "--force" in refused.stderr
    forced = _practica(tmp_path, live, "restore", "--force", str(backup_file))
    assert forced.returncode == 0, forced.stderr

    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    wrong = _practica(tmp_path, tmp_path / "empty.sqlite3", "restore", str(not_a_backup))
    assert wrong.returncode == 2
    assert "not an SQLite backup" in wrong.stderr


def test_postgres_tools_missing_gives_one_clear_line(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ApplicationError) as raised:
        backup._tool("pg_dump")
    message = str(raised.value)
    assert "pg_dump was not found on PATH" in message and "postgresql-client" in message
    assert "\n" not in message


def test_backup_into_a_missing_folder_is_refused(db, tmp_path):
    with pytest.raises(ApplicationError, match="no such folder"):
        backup.backup_create(path=tmp_path / "missing" / "file.backup")
