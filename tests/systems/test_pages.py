"""Lab pages: who sees and who starts runs, the form keeping typed values, progress via htmx, charts."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from practica.people.models import Person
from practica.systems.models import RunStatus, SimulationRun
from practica.systems.services import simulation_run_create
from tests.systems.conftest import SMALL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]
ClientFor = Callable[[Person], Client]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def done_run(steward: Person) -> SimulationRun:
    return simulation_run_create(
        actor=steward, preset="socialisation", parameters={**SMALL, "values": "0.1, 0.9"}, seed=11
    )


def _form(**overrides: object) -> dict[str, object]:
    return {"values": "0.1, 0.9", "p2": "0.5", "m": "10", "n": "10", "runs": "4", "seed": "11", **overrides}


def test_anonymous_visitors_are_sent_to_sign_in(done_run: SimulationRun) -> None:
    for url in (reverse("systems:lab"), reverse("systems:preset", args=["socialisation"]),
                reverse("systems:run", args=[done_run.pk])):  # fmt: skip
        response = Client().get(url)
        assert response.status_code == 302 and "/signin/" in response["Location"]


def test_lab_lists_the_scenarios_and_the_runs(
    client_for: ClientFor, member: Person, done_run: SimulationRun
) -> None:
    response = client_for(member).get(reverse("systems:lab"))
    html = response.content.decode()
    assert response.status_code == 200
    titles = ("Fast vs slow socialisation", "Turnover in a changing world", "Turbulence", "Mixed learners",
              "Communities of practice", "Trust confidence or evidence?")  # fmt: skip
    for title in titles:
        assert title in html
    assert f"#{done_run.pk} Fast vs slow socialisation" in html
    assert 'aria-current="page">Systems' in html
    assert "Stewards and admins start runs" in html


def test_the_empty_lab_says_what_it_is_for(client_for: ClientFor, steward: Person) -> None:
    html = client_for(steward).get(reverse("systems:lab")).content.decode()
    assert "No runs yet" in html and "Pick a scenario above" in html


def test_member_sees_a_scenario_but_no_form_and_cannot_post(client_for: ClientFor, member: Person) -> None:
    client = client_for(member)
    response = client.get(reverse("systems:preset", args=["socialisation"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "What the literature found" in html and "March (1991, Figure 1)" in html
    assert '<form method="post" novalidate' not in html
    assert "Stewards and admins start runs of this scenario" in html
    response = client.post(reverse("systems:preset", args=["socialisation"]), _form())
    assert response.status_code == 403
    assert "Only stewards and admins" in response.content.decode()
    assert not SimulationRun.objects.exists()


def test_steward_starts_a_run_and_is_sent_to_its_page(client_for: ClientFor, steward: Person) -> None:
    response = client_for(steward).post(reverse("systems:preset", args=["socialisation"]), _form())
    run = SimulationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("systems:run", args=[run.pk])
    assert run.seed == 11 and run.parameters["runs"] == 4 and run.status == RunStatus.DONE


def test_bad_input_keeps_what_was_typed_and_says_what_is_wrong(
    client_for: ClientFor, steward: Person
) -> None:
    client = client_for(steward)
    response = client.post(
        reverse("systems:preset", args=["socialisation"]), _form(p2="1.7", values="0.1, 0.35")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "p2 (code learning rate) must be from 0 to 1, got 1.7." in html
    assert 'value="1.7"' in html and 'value="0.1, 0.35"' in html
    assert re.search(r'id="id_p2"[^>]*aria-invalid="true"', html)
    response = client.post(reverse("systems:preset", args=["socialisation"]), _form(m="lots"))
    assert "Type a number from 2 to 100" in response.content.decode()
    assert 'value="lots"' in response.content.decode()
    assert not SimulationRun.objects.exists()


def test_a_finished_run_shows_charts_table_and_verdict(
    client_for: ClientFor, member: Person, done_run: SimulationRun
) -> None:
    response = client_for(member).get(reverse("systems:run", args=[done_run.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "hx-trigger" not in html  # nothing left to poll
    assert "Compared with the literature:" in html and done_run.verdict["summary"] in html
    assert "How to read this" in html
    over_time = json.loads(re.search(r'id="over-time-spec"[^>]*>(.*?)</script>', html, re.S).group(1))
    final = json.loads(re.search(r'id="final-spec"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert {value["point"] for value in over_time["data"]["values"]} == {"p1 = 0.1", "p1 = 0.9"}
    assert over_time["encoding"]["x"]["title"] == "Period"
    assert {value["x"] for value in final["data"]["values"]} == {"0.1", "0.9"}
    assert all(value["low"] <= value["mean"] <= value["high"] for value in final["data"]["values"])
    assert "Run again" not in html  # members look, stewards run
    assert "Show the numbers as a table" in html


@pytest.mark.parametrize(
    ("status", "progress", "text", "shows"),
    [
        (RunStatus.QUEUED, 0.0, "Waiting for a worker…", "Waiting for a worker"),
        (RunStatus.RUNNING, 0.5, "Point 2 of 2: p1 = 0.9 (4 runs)", "Progress: 50%"),
    ],
)
def test_the_progress_fragment_polls_while_the_run_is_active(
    client_for: ClientFor,
    member: Person,
    done_run: SimulationRun,
    status: str,
    progress: float,
    text: str,
    shows: str,
) -> None:
    SimulationRun.objects.filter(pk=done_run.pk).update(
        status=status, progress=progress, progress_text=text, results=[]
    )
    response = client_for(member).get(reverse("systems:run", args=[done_run.pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="run-body"') and "<html" not in html
    assert 'hx-trigger="every 1s"' in html
    assert shows in html and text in html


def test_the_progress_fragment_of_a_finished_run_stops_polling_and_brings_the_charts(
    client_for: ClientFor, member: Person, done_run: SimulationRun
) -> None:
    html = client_for(member).get(reverse("systems:run", args=[done_run.pk]), **HTMX).content.decode()
    assert "hx-trigger" not in html
    assert 'data-vega-spec="over-time-spec"' in html and 'data-vega-spec="final-spec"' in html


def test_a_failed_run_says_why(client_for: ClientFor, member: Person, done_run: SimulationRun) -> None:
    SimulationRun.objects.filter(pk=done_run.pk).update(
        status=RunStatus.FAILED, error="ValueError: boom", results=[]
    )
    html = client_for(member).get(reverse("systems:run", args=[done_run.pk]), **HTMX).content.decode()
    assert "The run failed" in html and "ValueError: boom" in html and "hx-trigger" not in html


def test_run_again_repeats_the_run_exactly(
    client_for: ClientFor, steward: Person, done_run: SimulationRun
) -> None:
    response = client_for(steward).post(reverse("systems:rerun", args=[done_run.pk]))
    again = SimulationRun.objects.exclude(pk=done_run.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("systems:run", args=[again.pk])
    assert again.results == done_run.results


def test_a_member_cannot_run_again(client_for: ClientFor, member: Person, done_run: SimulationRun) -> None:
    assert client_for(member).post(reverse("systems:rerun", args=[done_run.pk])).status_code == 403
    assert SimulationRun.objects.count() == 1


def test_compare_with_another_run_shows_both_side_by_side(
    client_for: ClientFor, steward: Person, done_run: SimulationRun
) -> None:
    other = simulation_run_create(
        actor=steward, preset="socialisation", parameters={**SMALL, "values": "0.1, 0.5"}, seed=12
    )
    html = (
        client_for(steward)
        .get(reverse("systems:run", args=[done_run.pk]), {"compare": other.pk})
        .content.decode()
    )
    assert f"Run #{other.pk}</th>" in html
    assert "p1 = 0.5" in html and "not in this run" in html and "not in that run" in html
    assert "differs" in html


def test_unknown_scenarios_and_runs_are_404(client_for: ClientFor, member: Person) -> None:
    client = client_for(member)
    assert client.get(reverse("systems:preset", args=["nope"])).status_code == 404
    assert client.get(reverse("systems:run", args=[999])).status_code == 404


def test_query_counts_of_the_lab_and_a_run_page_do_not_grow_with_runs(
    client_for: ClientFor, steward: Person, admin: Person, done_run: SimulationRun,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:  # fmt: skip
    for seed in range(3):
        simulation_run_create(
            actor=admin, preset="socialisation", parameters={**SMALL, "values": [0.5]}, seed=seed
        )
    client = client_for(steward)
    # session, user, person; my runs; page count, page of runs
    with django_assert_num_queries(6):
        assert client.get(reverse("systems:lab")).status_code == 200
    # session, user, person; the run with owner; runs to compare with
    with django_assert_num_queries(5):
        assert client.get(reverse("systems:run", args=[done_run.pk])).status_code == 200
