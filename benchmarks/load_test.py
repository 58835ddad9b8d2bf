"""Load test against `practica serve` with a large demo organisation, then a lost-write check.

Usage (install the extra first: `.venv/bin/pip install -e '.[bench]'`):

    .venv/bin/python benchmarks/load_test.py                        # SQLite, 20,000 people
    .venv/bin/python benchmarks/load_test.py --database postgres://postgres@127.0.0.1:5432/practica_load

Steps: build the demo organisation once (an empty database only; SQLite lives in
benchmarks/.data/load-<people>/), create one sign-in per simulated user, list the open communities'
questions, upcoming events and open forecast questions, start `practica serve` (gunicorn) on a free
loopback port, run benchmarks/locustfile.py headless (`--users` concurrent users for `--seconds`),
stop the server, then compare every successful POST the users recorded with the rows in the
database: answers (one row each), RSVPs and forecasts (one row per person and event or question,
holding the last answer given). Prints requests/s, p50/p95/p99 latency, errors, and the check.
Exit status 1 when any request failed or a write is missing. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load-test-password-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def setup(options: argparse.Namespace) -> dict[str, Any]:
    """Demo organisation, accounts and targets (in this process, through Django)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from practica.calibration.models import ForecastQuestion
    from practica.communities.models import Community, Event, Visibility
    from practica.demo.generator import generate_organisation, organisation_is_empty
    from practica.knowledge.models import Question
    from practica.people.models import Person
    from practica.people.services import person_create

    call_command("migrate", verbosity=0)
    # `practica serve` runs both again; done here first, its start-up is quick.
    call_command("collectstatic", interactive=False, verbosity=0)
    if organisation_is_empty():
        print(f"Generating a {options.people}-person demo organisation (once)...", file=sys.stderr)
        started = time.perf_counter()
        generate_organisation(people=options.people, seed=1)
        print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    accounts = []
    for number in range(1, options.users + 1):
        username = f"load-{number:03d}"
        if not Person.objects.filter(user__username=username).exists():
            person_create(
                email=f"{username}@load.example.com",
                display_name=f"Load Tester {number}",
                username=username,
                password=PASSWORD,
            )
        accounts.append(username)
    sessions = {username: signed_in_session(username) for username in accounts}
    now = timezone.now()
    open_communities = Community.objects.filter(visibility=Visibility.OPEN)
    questions = list(
        Question.objects.filter(community__in=open_communities)
        .order_by("pk")
        .values_list("community__slug", "pk")[:400]
    )
    upcoming = list(
        Event.objects.filter(community__in=open_communities, starts_at__gt=now, status="scheduled")
        .order_by("starts_at")
        .values_list("community__slug", "pk")[:200]
    )
    forecasts = list(
        ForecastQuestion.objects.filter(
            community__in=open_communities, resolved_at__isnull=True, closes_at__gt=now
        )
        .order_by("pk")
        .values_list("community__slug", "pk")[:50]
    )
    if not (questions and upcoming and forecasts):
        raise SystemExit("The demo has no open questions, upcoming events or open forecasts to post to.")
    return {
        "password": PASSWORD,
        "accounts": accounts,
        "sessions": sessions,
        "communities": list(open_communities.order_by("name").values_list("slug", flat=True)[:60]),
        "questions": questions,
        "events": upcoming,
        "forecasts": forecasts,
    }


def signed_in_session(username: str) -> str:
    """A session key for ``username``, as signing in would create: the measured minute is then about
    browsing and posting, not 50 password hashes at once (each costs about 0.8 s of CPU by design;
    the run still signs one user in through the form to check that path)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    user = get_user_model().objects.get(username=username)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


def written_rows(accounts: list[str]) -> dict[str, Any]:
    """What the load users have in the database: answers, and the RSVPs and forecasts they hold."""
    from practica.calibration.models import Forecast
    from practica.communities.models import Rsvp
    from practica.knowledge.models import Answer

    return {
        "answers": Answer.objects.filter(author__user__username__in=accounts).count(),
        "rsvps": {
            (user, event): answer
            for user, event, answer in Rsvp.objects.filter(person__user__username__in=accounts).values_list(
                "person__user__username", "event_id", "answer"
            )
        },
        "forecasts": {
            (user, question): round(probability * 100)
            # Forecasts keep their history (a new row outside the replace window): the latest counts.
            for user, question, probability in Forecast.objects.filter(person__user__username__in=accounts)
            .order_by("created_at", "pk")
            .values_list("person__user__username", "question_id", "probability")
        },
    }


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"The server did not answer at {url} within {seconds:.0f} s.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="", help="DATABASE_URL (default: SQLite in benchmarks/.data/)")
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    options = parser.parse_args()

    data = ROOT / "benchmarks" / ".data" / f"load-{options.people}"
    data.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = options.database or f"sqlite:///{data / 'practica.sqlite3'}"
    os.environ.setdefault("PRACTICA_DATA_DIR", str(data))
    os.environ["DJANGO_SETTINGS_MODULE"] = "practica.settings"
    targets = setup(options)
    before = written_rows(targets["accounts"])

    work = Path(tempfile.mkdtemp(prefix="practica-load-"))
    (work / "targets.json").write_text(json.dumps(targets))
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    serve = [
        str(ROOT / ".venv" / "bin" / "practica"), "serve", "--no-demo", "--no-worker",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(options.workers),
    ]  # fmt: skip
    server_log = open(work / "server.log", "w")  # noqa: SIM115 (kept open while the server runs)
    # A worker imports the whole site on its first request; on a busy machine that can pass gunicorn's
    # default 30 s timeout, so give workers longer and warm each one before measuring.
    server_environment = {**os.environ, "GUNICORN_CMD_ARGS": "--timeout 120"}
    server = subprocess.Popen(
        serve, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True, env=server_environment
    )
    try:
        wait_for(f"{host}/signin/", 600)
        for _ in range(options.workers * 3):
            wait_for(f"{host}/signin/", 120)
        locust = [
            str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless", "--users", str(options.users), "--spawn-rate", str(options.users),
            "--run-time", f"{options.seconds}s", "--host", host, "--csv", str(work / "stats"),
            "--only-summary", "--stop-timeout", "10",
        ]  # fmt: skip
        environment = {
            **os.environ,
            "LOAD_TARGETS": str(work / "targets.json"),
            "LOAD_RECORD": str(work / "writes.jsonl"),
        }
        subprocess.run(locust, env=environment, check=False, timeout=options.seconds + 120)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        server_log.close()

    with open(work / "stats_stats.csv", encoding="utf-8") as stats_file:
        rows = list(csv.DictReader(stats_file))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    writes = [json.loads(line) for line in (work / "writes.jsonl").read_text().splitlines() if line]
    after = written_rows(targets["accounts"])

    answers_posted = sum(1 for write in writes if write["kind"] == "answer")
    answers_saved = after["answers"] - before["answers"]
    last_rsvp = {(w["user"], w["event"]): w["answer"] for w in writes if w["kind"] == "rsvp"}
    last_forecast = {(w["user"], w["question"]): w["probability"] for w in writes if w["kind"] == "forecast"}
    rsvps_missing = [key for key, answer in last_rsvp.items() if after["rsvps"].get(key) != answer]
    forecasts_missing = [key for key, value in last_forecast.items() if after["forecasts"].get(key) != value]

    print()
    print(f"database        {os.environ['DATABASE_URL'].split('@')[-1]}")
    print(f"users           {options.users} for {options.seconds} s, gunicorn workers {options.workers}")
    print(f"requests        {total['Request Count']} ({float(total['Requests/s']):.1f}/s)")
    print(f"failures        {total['Failure Count']}")
    print(
        f"latency ms      p50 {total['50%']}  p95 {total['95%']}  p99 {total['99%']}  "
        f"max {total['Max Response Time']}"
    )
    print(f"answers         {answers_posted} posted, {answers_saved} new rows")
    print(
        f"RSVPs           {len(last_rsvp)} (person, event) answered, "
        f"{len(rsvps_missing)} not as last answered"
    )
    print(
        f"forecasts       {len(last_forecast)} (person, question), {len(forecasts_missing)} not as last given"
    )
    print(f"details         {work}")
    per_name = sorted(rows, key=lambda row: -float(row["95%"] or 0))
    print("\nslowest p95 by page:")
    for row in per_name[:8]:
        if row["Name"] != "Aggregated":
            print(
                f"  {row['Type']:5} {row['Name']:45} n={row['Request Count']:>6} "
                f"p50={row['50%']:>5} p95={row['95%']:>5}"
            )
    lost = answers_saved != answers_posted or rsvps_missing or forecasts_missing
    sys.exit(1 if int(total["Failure Count"]) or lost else 0)


if __name__ == "__main__":
    main()
