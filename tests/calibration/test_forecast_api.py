"""Forecasts in the JSON API: 401 without a token, 404 for private, 400 with the refusal's text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from practica.calibration import forecasts
from practica.calibration.models import CalibrationRecord, Forecast, ForecastQuestion, Resolution
from practica.people.services import api_token_create

pytestmark = pytest.mark.django_db


def bearer(person) -> dict[str, str]:
    _, token = api_token_create(person=person, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def get(person, path: str):
    return Client().get(path, **bearer(person))


def post(person, path: str, body: dict):
    return Client().post(path, body, content_type="application/json", **bearer(person))


def test_anonymous_calls_get_401(question):
    client = Client()
    assert client.get("/api/v1/communities/testing/forecast-questions").status_code == 401
    assert client.get(f"/api/v1/forecast-questions/{question.pk}").status_code == 401
    assert client.get("/api/v1/me/calibration").status_code == 401
    response = client.post(
        f"/api/v1/forecast-questions/{question.pk}/forecasts",
        {"probability": 0.5},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert not Forecast.objects.exists()


def test_a_private_communitys_questions_are_404_for_outsiders(private_question, outsider):
    assert get(outsider, "/api/v1/communities/secret-guild/forecast-questions").status_code == 404
    assert get(outsider, f"/api/v1/forecast-questions/{private_question.pk}").status_code == 404
    response = post(
        outsider, f"/api/v1/forecast-questions/{private_question.pk}/forecasts", {"probability": 0.5}
    )
    assert response.status_code == 404
    assert (
        post(
            outsider, f"/api/v1/forecast-questions/{private_question.pk}/resolve", {"resolution": "yes"}
        ).status_code
        == 404
    )
    assert not Forecast.objects.exists()


def test_a_member_asks_forecasts_and_resolves(testing, member):
    closes = (timezone.now() + timedelta(days=1)).isoformat()
    created = post(
        member, "/api/v1/communities/testing/forecast-questions", {"title": "Ship?", "closes_at": closes}
    )
    assert created.status_code == 201
    question_id = created.json()["id"]
    made = post(member, f"/api/v1/forecast-questions/{question_id}/forecasts", {"probability": 0.75})
    assert made.status_code == 201
    assert made.json()["probability"] == 0.75
    detail = get(member, f"/api/v1/forecast-questions/{question_id}").json()
    assert [row["probability"] for row in detail["mine"]] == [0.75]
    assert detail["group"] == {
        "visible": True,
        "shown": False,
        "reason": "Not enough people to show this without identifying someone.",
        "mean": None,
        "median": None,
        "people": None,
        "as_of": None,
    }
    resolved = post(member, f"/api/v1/forecast-questions/{question_id}/resolve", {"resolution": "yes"})
    assert resolved.status_code == 200
    assert resolved.json()["resolution"] == "yes"
    listing = get(member, "/api/v1/communities/testing/forecast-questions").json()
    assert [(row["title"], row["forecaster_count"]) for row in listing["items"]] == [("Ship?", 1)]


def test_the_group_is_hidden_before_you_forecast(question, member, forecasters):
    for person in forecasters:
        forecasts.forecast_make(person=person, question=question, probability=0.2)
    Forecast.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    group = get(member, f"/api/v1/forecast-questions/{question.pk}").json()["group"]
    assert group == {
        "visible": False,
        "shown": False,
        "reason": "",
        "mean": None,
        "median": None,
        "people": None,
        "as_of": None,
    }
    group = get(forecasters[0], f"/api/v1/forecast-questions/{question.pk}").json()["group"]
    assert group["shown"] and group["mean"] == pytest.approx(0.2) and group["people"] == 5


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("forecasts", {"probability": 1.5}, "Give a probability from 0% to 100%."),
        ("resolve", {"resolution": "maybe"}, "Resolve the question as yes, no or annulled."),
    ],
)
def test_bad_input_is_a_400_with_the_reason(question, member, path, body, message):
    response = post(member, f"/api/v1/forecast-questions/{question.pk}/{path}", body)
    assert response.status_code == 400
    assert response.json() == {"detail": message}
    assert not Forecast.objects.exists()
    question.refresh_from_db()
    assert question.resolution == Resolution.OPEN


def test_resolving_by_someone_else_is_a_400(question, forecasters):
    response = post(forecasters[0], f"/api/v1/forecast-questions/{question.pk}/resolve", {"resolution": "no"})
    assert response.status_code == 400
    assert response.json()["detail"] == forecasts.NOT_A_RESOLVER


def test_asking_with_a_past_closing_time_is_a_400(testing, member):
    closes = (timezone.now() - timedelta(days=1)).isoformat()
    response = post(
        member, "/api/v1/communities/testing/forecast-questions", {"title": "Late?", "closes_at": closes}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The closing time must be in the future."}
    assert not ForecastQuestion.objects.exists()


def test_me_calibration_is_your_own_summary_only(question, member, owner):
    forecasts.forecast_make(person=member, question=question, probability=0.8)
    forecasts.forecast_question_resolve(actor=owner, question=question, resolution=Resolution.YES)
    mine = get(member, "/api/v1/me/calibration").json()
    assert mine["forecasts"]["brier"] == pytest.approx(0.04)
    assert mine["forecasts"]["count"] == 1
    assert mine["forecasts"]["curve"][0]["observed_frequency"] == 1.0
    assert set(mine["forecasts"]["decomposition"]) == {
        "reliability",
        "resolution",
        "uncertainty",
        "remainder",
    }
    lead = get(owner, "/api/v1/me/calibration").json()
    assert lead["forecasts"] is None
    assert lead["certainty"]["count"] == 0
    assert CalibrationRecord.objects.count() == 1
