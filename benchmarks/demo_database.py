"""The demo organisation the page benchmarks share: built once in benchmarks/.data/, reused after.

Benchmarks run as scripts (``python benchmarks/<name>.py``), so they import this module by name.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def open_demo_database(people: int, data: Path | None = None) -> Path:
    """Point Django at the benchmark database (SQLite in benchmarks/.data/, or DATABASE_URL if set),
    set Django up for in-process requests, migrate, and generate the demo organisation if it is empty.
    Returns the data folder."""
    data = data or Path(__file__).resolve().parent / ".data" / f"pages-{people}"
    data.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{data / 'practica.sqlite3'}")
    os.environ.setdefault("PRACTICA_DATA_DIR", str(data))
    os.environ["DJANGO_SETTINGS_MODULE"] = "practica.settings"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from practica.demo.generator import generate_organisation, organisation_is_empty

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    call_command("migrate", verbosity=0)
    if organisation_is_empty():
        print(f"Generating a {people}-person demo organisation (once)...", file=sys.stderr)
        started = time.perf_counter()
        generate_organisation(people=people, seed=1)
        print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return data
