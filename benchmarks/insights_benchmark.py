"""The steward's dashboard on a large demo organisation: refresh time and page times.

Usage:  .venv/bin/python benchmarks/insights_benchmark.py [--people 20000] [--rounds 15] [--data DIR]

Builds (once) a demo organisation (SQLite in benchmarks/.data/pages-N/, the same one as
pages_benchmark.py, or DATABASE_URL if set), runs ``refresh_insights`` once and prints how long each
panel took, then renders every dashboard page in-process as demo-steward and prints the median time,
the SQL query count and the ratio against the sign-in page measured in the same run. Target: every
dashboard page under 300 ms with a warm cache, with a query count that does not grow with the
organisation.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from demo_database import open_demo_database

TARGET_MS = 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--panel", action="append", help="Refresh only this panel (repeatable).")
    parser.add_argument(
        "--data", type=Path, default=None, help="Folder of an existing demo (PRACTICA_DATA_DIR)."
    )
    options = parser.parse_args()

    open_demo_database(options.people, options.data)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from practica.insights.refresh import PanelResult, refresh_insights
    from practica.people.models import Person

    people = Person.objects.count()
    print(f"Organisation: {people} people\n\nrefresh-insights:")

    def report(result: PanelResult) -> None:
        print(f"  {result.title:<40} {result.keys:>3} snapshot(s) {result.duration_ms / 1000:>8.2f} s")

    started = time.perf_counter()
    refresh_insights(only=options.panel, progress=report)
    print(f"  {'total':<40} {'':>15} {time.perf_counter() - started:>8.2f} s\n")

    def timed(client: Client, url: str) -> tuple[float, int]:
        client.get(url)  # warm caches and template loading
        samples = []
        queries = 0
        for _ in range(options.rounds):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(captured)
        return statistics.median(samples), queries

    baseline, _ = timed(Client(), "/signin/")
    steward = Client()
    steward.force_login(Person.objects.get(email__startswith="demo-steward").user)
    pages = [
        "/insights/",
        "/insights/portfolio/",
        "/insights/portfolio/?stage=maturing",
        "/insights/portfolio.csv",
        "/insights/indicators/",
        "/insights/time/",
        "/insights/report/",
        "/api/v1/insights/portfolio",
        "/api/v1/insights/indicators",
        "/api/v1/insights/time",
        "/insights/network/",
        "/insights/skills/",
        "/api/v1/insights/network",
        "/api/v1/insights/skills",
    ]
    print(f"{'page':<42} {'median ms':>10} {'queries':>8} {'x sign-in':>10}")
    slow = []
    for url in pages:
        median, queries = timed(steward, url)
        print(f"{url:<42} {median:>10.1f} {queries:>8} {median / baseline:>10.1f}")
        if median > TARGET_MS:
            slow.append(url)
    print(f"\nsign-in page baseline: {baseline:.1f} ms; target: every page under {TARGET_MS:.0f} ms")
    if slow:
        print(f"SLOWER THAN TARGET: {', '.join(slow)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
