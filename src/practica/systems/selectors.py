"""Every read of the what-if lab. Runs are visible to every signed-in person (see ``services``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from practica.people.models import Person
from practica.systems.models import RunStatus, SimulationRun


def run_list(*, preset: str = "", owner: Person | None = None) -> QuerySet[SimulationRun]:
    """Runs newest first, with their owners, optionally of one preset or one person.

    The heavy ``results`` column is deferred: lists show titles, status and verdicts only.
    """
    runs = SimulationRun.objects.select_related("owner").defer("results")
    if preset:
        runs = runs.filter(preset=preset)
    if owner is not None:
        runs = runs.filter(owner=owner)
    return runs.order_by("-created_at", "-id")


def run_get(run_id: int) -> SimulationRun:
    """One run with its owner; 404 when there is none."""
    run = SimulationRun.objects.select_related("owner", "rerun_of").filter(pk=run_id).first()
    if run is None:
        raise Http404("No such run.")
    return run


def comparable_runs(run: SimulationRun, *, limit: int = 50) -> QuerySet[SimulationRun]:
    """Finished runs of the same preset that ``run`` can be compared with, newest first."""
    return (
        run_list(preset=run.preset)
        .filter(status=RunStatus.DONE)
        .exclude(pk=run.pk)
        .defer("results", "parameters")[:limit]
    )
