"""The lab in the JSON API: presets, listing, creating (stewards only) and reading runs."""

from __future__ import annotations

import pytest
from django.test import Client

from practica.people.models import Person
from practica.people.services import api_token_create
from practica.systems.models import RunStatus, SimulationRun
from tests.systems.conftest import SMALL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


def bearer(person: Person) -> dict[str, str]:
    _, token = api_token_create(person=person, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _create(person: Person, **body: object) -> object:
    payload = {"preset": "socialisation", "parameters": {**SMALL, "values": [0.1, 0.9]}, "seed": 4, **body}
    return Client().post("/api/v1/lab/runs", payload, content_type="application/json", **bearer(person))


def test_anonymous_calls_get_401() -> None:
    client = Client()
    assert client.get("/api/v1/lab/presets").status_code == 401
    assert client.get("/api/v1/lab/runs").status_code == 401
    assert client.get("/api/v1/lab/runs/1").status_code == 401
    assert client.post("/api/v1/lab/runs", {}, content_type="application/json").status_code == 401


def test_presets_list_settings_ranges_defaults_and_literature(member: Person) -> None:
    response = Client().get("/api/v1/lab/presets", **bearer(member))
    presets = {preset["slug"]: preset for preset in response.json()}
    assert response.status_code == 200
    assert presets["socialisation"]["sweep"] == {
        "parameter": "p1", "default_values": [0.1, 0.5, 0.9], "minimum": 0.0, "maximum": 1.0,
    }  # fmt: skip
    p2 = next(setting for setting in presets["socialisation"]["settings"] if setting["name"] == "p2")
    assert p2["default"] == 0.5 and p2["minimum"] == 0 and p2["maximum"] == 1 and p2["help"]
    assert presets["trust"]["own_model"] is True
    assert presets["trust"]["lines"] == ["trust confidence", "trust evidence"]


def test_steward_creates_a_run_and_reads_it(steward: Person, member: Person) -> None:
    response = _create(steward)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == RunStatus.DONE and body["seed"] == 4 and body["owner"] == "Stella Steward"
    assert body["parameters"]["sweep"] == {"parameter": "p1", "values": [0.1, 0.9]}
    assert len(body["results"]) == 2 and body["verdict"]["outcome"]

    detail = Client().get(f"/api/v1/lab/runs/{body['id']}", **bearer(member))
    assert detail.status_code == 200 and detail.json()["results"] == body["results"]

    listing = Client().get("/api/v1/lab/runs?preset=socialisation", **bearer(member)).json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == body["id"]
    assert "results" not in listing["items"][0]
    assert Client().get("/api/v1/lab/runs?preset=trust", **bearer(member)).json()["count"] == 0
    assert Client().get("/api/v1/lab/runs?mine=true", **bearer(member)).json()["count"] == 0


def test_a_member_gets_403_and_nothing_is_created(member: Person) -> None:
    response = _create(member)
    assert response.status_code == 403
    assert "Only stewards and admins" in response.json()["detail"]
    assert not SimulationRun.objects.exists()


def test_bad_input_gets_400_naming_the_parameter(steward: Person) -> None:
    response = _create(steward, parameters={**SMALL, "p2": 2})
    assert response.status_code == 400
    assert response.json()["detail"] == "p2 (code learning rate) must be from 0 to 1, got 2."
    assert not SimulationRun.objects.exists()


def test_rerun_gives_the_same_results(steward: Person) -> None:
    first = _create(steward).json()
    again = Client().post(f"/api/v1/lab/runs/{first['id']}/rerun", **bearer(steward))
    assert again.status_code == 201
    assert again.json()["results"] == first["results"] and again.json()["rerun_of"] == first["id"]


def test_unknown_run_is_404(member: Person) -> None:
    assert Client().get("/api/v1/lab/runs/999", **bearer(member)).status_code == 404
