"""The panel registry, the refresh that stores snapshots, the background task and the commands."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from typer.testing import CliRunner

from practica.core.errors import ApplicationError
from practica.insights import panels
from practica.insights.models import InsightRefresh, InsightSnapshot, RefreshStatus
from practica.insights.panels import panel, registered, snapshot
from practica.insights.refresh import execute_refresh, insight_refresh_request, refresh_insights

pytestmark = pytest.mark.django_db


@pytest.fixture
def scratch_registry() -> Iterator[dict[str, panels.Panel]]:
    """Test panels registered here are removed afterwards, leaving the real ones."""
    saved = dict(panels._REGISTRY)
    yield panels._REGISTRY
    panels._REGISTRY.clear()
    panels._REGISTRY.update(saved)


def test_the_built_in_panels_are_registered_in_order() -> None:
    names = [item.name for item in registered()]
    assert names[:3] == ["portfolio", "indicators", "time"]
    orders = [item.order for item in registered()]
    assert orders == sorted(orders)


def test_a_registered_panel_is_computed_and_stored(scratch_registry: dict[str, Any]) -> None:
    @panel("scratch_counts", title="Scratch", order=1)
    def compute() -> dict[str, Any]:
        return {"communities": 3, "names": ["a", "b"]}

    results = refresh_insights(only=["scratch_counts"])
    assert [result.name for result in results] == ["scratch_counts"]
    stored = snapshot("scratch_counts")
    assert stored is not None
    assert stored.data == {"communities": 3, "names": ["a", "b"]}
    assert stored.duration_ms >= 0
    assert snapshot("scratch_counts", "other") is None


def test_a_keyed_panel_stores_one_snapshot_per_key(scratch_registry: dict[str, Any]) -> None:
    @panel("scratch_quarters", keyed=True)
    def compute() -> dict[str, Any]:
        return {"2026-Q3": {"hours": 1}, "2026-Q4": {"hours": 2}}

    refresh_insights(only=["scratch_quarters"])
    refresh_insights(only=["scratch_quarters"])
    assert InsightSnapshot.objects.filter(kind="scratch_quarters").count() == 2
    stored = snapshot("scratch_quarters", "2026-Q4")
    assert stored is not None and stored.data == {"hours": 2}


def test_registering_a_name_twice_with_another_function_is_refused(scratch_registry: dict[str, Any]) -> None:
    @panel("scratch_twice")
    def first() -> dict[str, Any]:
        return {}

    with pytest.raises(ValueError, match="already registered"):

        @panel("scratch_twice")
        def second() -> dict[str, Any]:
            return {}


def test_dates_and_decimals_are_stored_as_json(scratch_registry: dict[str, Any]) -> None:
    from datetime import date
    from decimal import Decimal

    @panel("scratch_types")
    def compute() -> dict[str, Any]:
        return {"day": date(2026, 11, 2), "hours": Decimal("1.50")}

    refresh_insights(only=["scratch_types"])
    stored = snapshot("scratch_types")
    assert stored is not None and stored.data == {"day": "2026-11-02", "hours": "1.50"}


def test_an_unknown_panel_is_refused_before_anything_is_computed() -> None:
    with pytest.raises(ApplicationError, match="Unknown panel: nope"):
        refresh_insights(only=["portfolio", "nope"])
    assert not InsightSnapshot.objects.exists()


def test_refresh_computes_every_panel_on_an_empty_organisation() -> None:
    results = refresh_insights()
    assert {"portfolio", "indicators", "time"} <= {result.name for result in results}
    portfolio = snapshot("portfolio")
    assert portfolio is not None and portfolio.data["communities"] == []


def test_the_portfolio_keeps_its_per_department_counts_in_their_own_snapshot(testing: Any) -> None:
    refresh_insights(only=["portfolio"])
    main, by_department = snapshot("portfolio"), snapshot("portfolio", "by-department")
    assert main is not None and by_department is not None
    assert "levels_by_department" not in main.data["communities"][0]
    assert str(testing.pk) in by_department.data


def test_a_steward_request_runs_the_task_and_records_it_done(steward: Any) -> None:
    refresh = insight_refresh_request(actor=steward)
    assert refresh.status == RefreshStatus.DONE
    assert refresh.finished_at is not None and refresh.task_id
    assert snapshot("portfolio") is not None


def test_a_member_may_not_request_a_refresh(member: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        insight_refresh_request(actor=member)
    assert not InsightRefresh.objects.exists()


def test_a_waiting_refresh_is_reused_instead_of_queueing_another(steward: Any, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    first = insight_refresh_request(actor=steward)
    second = insight_refresh_request(actor=steward)
    assert first.status == RefreshStatus.PENDING
    assert second.pk == first.pk
    assert InsightRefresh.objects.count() == 1
    assert execute_refresh(first.pk) == "done"
    assert execute_refresh(first.pk) == "skipped"


def test_a_failing_panel_marks_the_refresh_failed(steward: Any, scratch_registry: dict[str, Any]) -> None:
    @panel("scratch_broken", order=0)
    def compute() -> dict[str, Any]:
        raise RuntimeError("the network graph is too large")

    refresh = InsightRefresh.objects.create(requested_by=steward)
    with pytest.raises(RuntimeError):
        execute_refresh(refresh.pk)
    refresh.refresh_from_db()
    assert refresh.status == RefreshStatus.FAILED
    assert "too large" in refresh.error


def test_the_management_command_refreshes_and_refuses_unknown_panels(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("refresh_insights", "--panel", "portfolio")
    assert "Refreshed 1 panel(s)." in capsys.readouterr().out
    assert snapshot("portfolio") is not None
    with pytest.raises(CommandError, match="Unknown panel"):
        call_command("refresh_insights", "--panel", "nope")


def test_the_cli_command_refreshes(monkeypatch: pytest.MonkeyPatch) -> None:
    from practica import cli

    monkeypatch.setattr(cli, "setup_django", lambda: None)
    monkeypatch.setattr(cli, "migrate", lambda verbosity=0: None)
    result = CliRunner().invoke(cli.app, ["refresh-insights", "--panel", "indicators"])
    assert result.exit_code == 0, result.output
    assert "Organisational learning indicators" in result.output
    assert snapshot("indicators") is not None
