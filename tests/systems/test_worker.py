"""The production path: a run queued in the database and executed by the real ``db_worker`` command."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from practica.people.models import Person
from practica.systems.models import RunStatus
from practica.systems.services import simulation_run_create
from tests.systems.conftest import SMALL

# A real transaction, as in production: the worker calls close_old_connections(), which closes a
# connection found inside a test's wrapping transaction (autocommit off) on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def keep_signal_handlers() -> Iterator[None]:
    """db_worker installs its own SIGINT/SIGTERM handlers; give pytest its own back afterwards."""
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


@pytest.mark.usefixtures("database_tasks", "keep_signal_handlers")
def test_a_queued_run_waits_for_the_worker_which_runs_it_to_the_end(steward: Person) -> None:
    run = simulation_run_create(
        actor=steward, preset="socialisation", parameters={**SMALL, "values": "0.1, 0.9"}, seed=5
    )
    # Nothing ran inside the request: the run and its task wait in the database.
    assert run.status == RunStatus.QUEUED and run.progress == 0 and run.results == []
    task = DBTaskResult.objects.get(id=run.task_id)
    assert task.status == TaskResultStatus.READY
    assert task.task_path == "practica.systems.tasks.simulation_run_task"

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0)

    run.refresh_from_db()
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert run.status == RunStatus.DONE and run.progress == 1.0
    assert [result["label"] for result in run.results] == ["p1 = 0.1", "p1 = 0.9"]
    assert run.verdict["outcome"]
