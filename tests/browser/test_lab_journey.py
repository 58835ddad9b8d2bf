"""The what-if lab journey: a steward runs "fast vs slow socialisation" and reads the charts and verdict.

The live server cannot run a worker beside it, so tasks run immediately inside the request here; the
background path with the real worker is tested in tests/systems/test_worker.py.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_people_journey import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_steward_runs_a_scenario_and_reads_the_verdict(page, settings, steward, member):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from tests.browser.test_diagram_journey import _warm_up

    _warm_up()
    sign_in(page, "steward")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Systems").click()
    page.get_by_role("link", name="Open the what-if lab").click()
    page.get_by_role("heading", name="What-if lab", level=1).wait_for()
    page.get_by_role("link", name="Fast vs slow socialisation").click()
    page.get_by_role("heading", name="What the literature found").wait_for()

    page.get_by_label("Values of p1 to compare").fill("0.1, 0.5, 0.9")
    page.get_by_label("Seed").fill("1")
    page.get_by_role("button", name="Start the run").click()

    page.get_by_role("heading", name="Compared with the literature: Agrees").wait_for()
    page.locator('[data-vega-spec="over-time-spec"] svg').wait_for()
    page.locator('[data-vega-spec="final-spec"] svg').wait_for()
    assert page.get_by_text("Slower socialisation ended with more knowledge").is_visible()
    assert page.get_by_role("rowheader", name="p1 = 0.5").is_visible()
    screenshot(page, "lab-run")

    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "lab-run-phone")


def test_a_queued_run_page_shows_progress_then_the_charts_without_reloading(page, settings, steward, member):
    from practica.systems.models import RunStatus
    from practica.systems.services import simulation_run_create
    from practica.systems.tasks import execute_run

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    run = simulation_run_create(
        actor=steward, preset="trust", parameters={"m": 10, "n": 10, "runs": 4, "values": [0, 1]}, seed=2
    )
    assert run.status == RunStatus.QUEUED
    sign_in(page, "member")
    page.get_by_role("heading", name="Welcome, Max Member").wait_for()
    page.goto(f"/lab/runs/{run.pk}/")
    page.get_by_role("heading", name="Waiting for a worker").wait_for()
    assert page.get_by_text("Progress: 0%").is_visible()

    # What the worker would do; the page's htmx polling picks it up.
    execute_run(run.pk)
    page.get_by_role("heading", name="Compared with Practica's expectation").wait_for()
    page.locator('[data-vega-spec="over-time-spec"] svg').wait_for()
    page.locator('[data-vega-spec="final-spec"] svg').wait_for()
    screenshot(page, "lab-run-trust")
