"""Render time of the main pages for a 20,000-person demo organisation.

Usage:  .venv/bin/python benchmarks/pages_benchmark.py [--people 20000] [--rounds 15]

Builds (once) a demo organisation in benchmarks/.data/ (SQLite, or DATABASE_URL if set), then
renders each page in-process with Django's test client as demo-member and demo-lead and prints the
median time per page, its SQL query count, and the ratio against a baseline measured in the same
run (the sign-in page, which touches no organisation data). Target: every page under 150 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from demo_database import open_demo_database

TARGET_MS = 150.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=15)
    options = parser.parse_args()

    open_demo_database(options.people)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from practica.people.models import Person

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
    pages = [
        ("demo-member", "/"),
        ("demo-member", "/communities/"),
        ("demo-member", "/communities/testing/"),
        ("demo-member", "/communities/testing/members/"),
        ("demo-member", "/communities/testing/events/"),
        ("demo-member", "/communities/testing/health/"),
        ("demo-member", "/people/"),
        ("demo-lead", "/communities/security-champions/"),
        ("demo-lead", "/communities/security-champions/members/"),
    ]
    print(f"{'page':48} {'as':13} {'median ms':>10} {'queries':>8} {'x baseline':>11} {'target':>7}")
    print(f"{'/signin/ (baseline)':48} {'anonymous':13} {baseline:10.1f} {'':>8} {1.0:11.1f}")
    failed = False
    for username, url in pages:
        client = Client()
        client.force_login(Person.objects.get(user__username=username).user)
        median, queries = timed(client, url)
        ok = median < TARGET_MS
        failed |= not ok
        verdict = "ok" if ok else "SLOW"
        print(f"{url:48} {username:13} {median:10.1f} {queries:8d} {median / baseline:11.1f} {verdict:>7}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
