"""Concurrent writers on the embedded SQLite database: no lost write, no "database is locked".

Real processes (as gunicorn workers are) write to one database file at the same time. Each write
reads first and then writes inside one transaction: the pattern that fails with SQLite's default
deferred transactions, because a reader cannot upgrade to a writer while another holds the lock.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

WRITERS = 4
WRITES_EACH = 40

WRITER = textwrap.dedent(
    """
    import os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "practica.settings"
    django.setup()
    from django.db import transaction
    from practica.people.models import Person
    from practica.people.services import person_create

    writer = int(sys.argv[1])
    for number in range(int(sys.argv[2])):
        with transaction.atomic():
            Person.objects.count()  # read, then write in the same transaction
            person_create(email=f"w{writer}-{number}@example.org", display_name=f"Writer {writer} #{number}")
    """
)


def run_practica(environment: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *arguments], capture_output=True, text=True, env=environment, timeout=300
    )


def test_concurrent_writers_lose_nothing_and_never_see_a_locked_database(tmp_path: Path):
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'practica.sqlite3'}",
        "PRACTICA_DATA_DIR": str(tmp_path),
        "PYTHONPATH": "",
    }
    migrated = run_practica(environment, "-m", "practica.cli", "manage", "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr

    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(writer), str(WRITES_EACH)],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for writer in range(WRITERS)
    ]
    failures = []
    for process in writers:
        _, stderr = process.communicate(timeout=300)
        if process.returncode != 0:
            failures.append(stderr)
    assert not failures, failures[0]
    assert not any("database is locked" in text for text in failures)

    count = run_practica(
        environment,
        "-c",
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'practica.settings'; django.setup(); "
        "from practica.people.models import Person; print(Person.objects.count())",
    )
    assert count.stdout.strip() == str(WRITERS * WRITES_EACH), count.stderr
    journal = run_practica(
        environment,
        "-c",
        f"import sqlite3; print(sqlite3.connect({str(tmp_path / 'practica.sqlite3')!r})"
        ".execute('pragma journal_mode').fetchone()[0])",
    )
    assert journal.stdout.strip() == "wal"
