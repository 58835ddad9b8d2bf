"""Crash safety: kill -9 the real server in the middle of write-heavy traffic; nothing acknowledged is lost.

Starts gunicorn on a free port with a temporary SQLite database (WAL, synchronous=NORMAL: a commit is
durable against a process crash), has four threads ask questions through the API and record every
id the server acknowledged (201), kills the whole server process group with SIGKILL mid-traffic,
restarts it, and checks the database's integrity and that every acknowledged question is there.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

PRACTICA = Path(sys.executable).parent / "practica"
SETUP = """
from practica.communities.services import community_create
from practica.people.models import Role
from practica.people.services import api_token_create, person_create
person = person_create(email="writer@example.org", display_name="Writer", role=Role.STEWARD)
community_create(actor=person, name="Crash Test")
print(api_token_create(person=person, name="crash test")[1])
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(folder: Path, database: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PRACTICA_DATA_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "practica.settings",
    }


def _start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "gunicorn", "practica.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2", "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2)
            return server
        except urllib.error.HTTPError:
            return server  # answering at all means it is up
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    os.killpg(server.pid, signal.SIGKILL)
    raise AssertionError("the server did not start")


def _ask(port: int, token: str, title: str) -> int | None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/communities/crash-test/questions",
        data=json.dumps({"title": title, "body": "Written under load."}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            if response.status == 201:
                return int(json.loads(response.read())["id"])
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, ValueError):
        return None  # not acknowledged: may or may not be stored
    return None


def test_kill_9_mid_traffic_loses_no_acknowledged_write(tmp_path):
    database = tmp_path / "crash.sqlite3"
    env = _env(tmp_path, database)
    subprocess.run([str(PRACTICA), "manage", "migrate", "-v0"], env=env, check=True, timeout=120)
    setup = subprocess.run(
        [str(PRACTICA), "manage", "shell", "-c", SETUP], env=env, check=True, capture_output=True, text=True
    )
    token = setup.stdout.strip().splitlines()[-1]
    port = _free_port()
    server = _start(env, port)

    acknowledged: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()

    def write(worker: int) -> None:
        number = 0
        while not stop.is_set():
            number += 1
            question_id = _ask(port, token, f"Question {worker}-{number}: does it survive a crash?")
            if question_id is not None:
                with lock:
                    acknowledged.append(question_id)

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and len(acknowledged) < 40:
            time.sleep(0.05)
        os.killpg(server.pid, signal.SIGKILL)  # the master and every worker, mid-traffic
        server.wait(timeout=10)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
    assert len(acknowledged) >= 40, "the traffic did not get going"

    with sqlite3.connect(database) as connection:  # opening recovers from the WAL like a restart
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in connection.execute("SELECT id FROM knowledge_question")}
    assert set(acknowledged) <= stored

    restarted = _start(env, _free_port())  # and the server comes back up on the same database
    try:
        assert restarted.poll() is None
    finally:
        os.killpg(restarted.pid, signal.SIGTERM)
        restarted.wait(timeout=10)
