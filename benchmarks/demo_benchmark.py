"""How long each step of the demo generator takes, so a slow step shows up before `make run` feels it.

Usage:  .venv/bin/python benchmarks/demo_benchmark.py [--people 2000]

Generates a demo organisation into a fresh temporary SQLite database and prints, per step, the
seconds it took and its ratio to the people step measured in the same run (the baseline: saving
the people and teams themselves). A step whose ratio grows with --people does per-person work.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

BASELINE = "people and teams"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2_000)
    options = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="practica-demo-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{data / 'practica.sqlite3'}"
    os.environ["PRACTICA_DATA_DIR"] = str(data)
    os.environ["DJANGO_SETTINGS_MODULE"] = "practica.settings"

    import django

    django.setup()
    from django.core.management import call_command

    from practica.demo.generator import generate_organisation

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    context = generate_organisation(people=options.people, seed=1)
    total = time.perf_counter() - started
    baseline = context.seconds[BASELINE]
    print(f"Demo organisation of {options.people} people: {total:.1f} s in all", file=sys.stderr)
    print(f"{'step':<48} {'seconds':>8} {'x people step':>14}")
    for label, seconds in context.seconds.items():
        print(f"{label:<48} {seconds:>8.2f} {seconds / baseline:>14.2f}")


if __name__ == "__main__":
    main()
