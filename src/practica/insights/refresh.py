"""Recomputing the dashboard: every registered panel, stored as one snapshot per panel and key.

``practica refresh-insights`` (or ``practica manage refresh_insights``) runs :func:`refresh_insights`
directly; the "Recompute now" button queues :func:`insight_refresh_task` for the background worker
through :func:`insight_refresh_request`, and the page polls the :class:`InsightRefresh` row.
Schedule the command (e.g. hourly with cron) so pages never compute an aggregate themselves.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from practica.core.errors import ApplicationError
from practica.core.permissions import can_view_insights, require
from practica.insights.models import InsightRefresh, InsightSnapshot, RefreshStatus
from practica.insights.panels import Panel, registered
from practica.people.models import Person

# A refresh still pending or running after this long is taken to be lost (a worker died), so a new
# request is queued instead of waiting for it for ever.
STALE_REQUEST = timedelta(minutes=30)


@dataclass(frozen=True)
class PanelResult:
    """One panel's outcome in a refresh: how many snapshots it stored and how long it took."""

    name: str
    title: str
    keys: int
    duration_ms: int


def _json_ready(value: Any) -> Any:
    # Dates, decimals and UUIDs become strings exactly as the JSON field would need them.
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _store(kind: str, key: str, value: Any, duration_ms: int) -> None:
    InsightSnapshot.objects.update_or_create(
        kind=kind,
        key=key,
        defaults={"data": _json_ready(value), "computed_at": timezone.now(), "duration_ms": duration_ms},
    )


def refresh_panel(item: Panel) -> PanelResult:
    """Compute one panel and store its snapshot(s); each panel is saved in its own transaction."""
    started = time.perf_counter()
    value = item.compute()
    duration_ms = round((time.perf_counter() - started) * 1000)
    with transaction.atomic():
        if item.keyed:
            if not isinstance(value, dict):
                raise TypeError(f"keyed panel {item.name!r} must return a dict of key -> data")
            for key, data in value.items():
                _store(item.name, str(key), data, duration_ms)
            keys = len(value)
        else:
            _store(item.name, "", value, duration_ms)
            keys = 1
    return PanelResult(name=item.name, title=item.title, keys=keys, duration_ms=duration_ms)


def refresh_insights(
    *, only: Iterable[str] | None = None, progress: Callable[[PanelResult], None] | None = None
) -> list[PanelResult]:
    """Recompute every registered panel (or only the named ones), in registry order.

    Raises ApplicationError for an unknown panel name, before computing anything.
    """
    panels = registered()
    if only is not None:
        wanted = list(only)
        names = {item.name for item in panels}
        unknown = [name for name in wanted if name not in names]
        if unknown:
            raise ApplicationError(
                f"Unknown panel: {', '.join(unknown)} (panels: {', '.join(sorted(names))}).", field="panel"
            )
        panels = [item for item in panels if item.name in wanted]
    results = []
    for item in panels:
        result = refresh_panel(item)
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def execute_refresh(refresh_id: int) -> str:
    """Run a queued refresh, recording its progress; a refresh already finished is left alone."""
    refresh = InsightRefresh.objects.filter(pk=refresh_id).first()
    if refresh is None or refresh.finished:
        return "skipped"
    InsightRefresh.objects.filter(pk=refresh_id).update(
        status=RefreshStatus.RUNNING, started_at=timezone.now()
    )
    try:
        refresh_insights()
    except Exception as error:
        InsightRefresh.objects.filter(pk=refresh_id).update(
            status=RefreshStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        raise
    InsightRefresh.objects.filter(pk=refresh_id).update(status=RefreshStatus.DONE, finished_at=timezone.now())
    return RefreshStatus.DONE.value


@task()
def insight_refresh_task(refresh_id: int) -> str:
    """The django-tasks entry point, queued by :func:`insight_refresh_request`."""
    return execute_refresh(refresh_id)


def latest_refresh() -> InsightRefresh | None:
    """The most recent refresh request (one query)."""
    return InsightRefresh.objects.order_by("-requested_at", "-id").first()


@transaction.atomic
def insight_refresh_request(*, actor: Person) -> InsightRefresh:
    """Queue a recomputation of every panel (stewards and admins); a refresh already waiting or
    running is returned instead of queueing a second one."""
    require(can_view_insights(actor), "Only stewards and admins can recompute the dashboard.")
    waiting = (
        InsightRefresh.objects.filter(
            status__in=[RefreshStatus.PENDING, RefreshStatus.RUNNING],
            requested_at__gte=timezone.now() - STALE_REQUEST,
        )
        .order_by("-requested_at")
        .first()
    )
    if waiting is not None:
        return waiting
    refresh = InsightRefresh.objects.create(requested_by=actor)
    # Queued in the same transaction, so a worker never sees a task for a request that does not exist.
    result = insight_refresh_task.enqueue(refresh.pk)
    InsightRefresh.objects.filter(pk=refresh.pk).update(task_id=str(result.id))
    # With an immediate backend (tests, demos) the task has already run: read what it wrote.
    refresh.refresh_from_db()
    return refresh
