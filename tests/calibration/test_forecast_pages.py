"""Forecast pages and the forecasts section of /me/calibration/: access, forms, privacy, queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from practica.calibration import forecasts
from practica.calibration.models import CalibrationRecord, Forecast, ForecastQuestion, Resolution

from .conftest import ask

pytestmark = pytest.mark.django_db


def url(question: ForecastQuestion, action: str = "") -> str:
    return f"/communities/{question.community.slug}/forecasts/{question.pk}/{action}"


def make(person, question, probability: float, *, listed: bool = False) -> Forecast:
    return forecasts.forecast_make(person=person, question=question, probability=probability, listed=listed)


def test_the_tab_lists_questions(client_for, question, member):
    page = client_for(member).get("/communities/testing/forecasts/")
    assert page.status_code == 200
    assert 'aria-current="page">Forecasts</a>' in page.text
    assert question.title in page.text
    assert "Ask a forecast question" in page.text


def test_an_empty_list_teaches(client_for, testing, member):
    page = client_for(member).get("/communities/testing/forecasts/")
    assert "No forecast questions yet" in page.text


def test_anonymous_visitors_are_sent_to_sign_in(question):
    for path in ("/communities/testing/forecasts/", url(question), "/communities/testing/forecasts/ask/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/signin/")
    assert Client().post(url(question, "forecast/"), {"probability": "50"}).status_code == 302
    assert not Forecast.objects.exists()


def test_an_outsider_gets_404_on_a_private_communitys_forecasts(client_for, private_question, outsider):
    client = client_for(outsider)
    assert client.get("/communities/secret-guild/forecasts/").status_code == 404
    assert client.get(url(private_question)).status_code == 404
    assert client.get("/communities/secret-guild/forecasts/ask/").status_code == 404
    assert client.post(url(private_question, "forecast/"), {"probability": "50"}).status_code == 404
    assert client.post(url(private_question, "resolve/"), {"resolution": "yes"}).status_code == 404
    assert not Forecast.objects.exists()
    private_question.refresh_from_db()
    assert private_question.resolution == Resolution.OPEN


def test_a_question_from_another_community_is_404(client_for, private_question, testing, owner):
    assert client_for(owner).get(f"/communities/testing/forecasts/{private_question.pk}/").status_code == 404


def test_a_member_asks_a_question(client_for, testing, member):
    closes = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(member).post(
        "/communities/testing/forecasts/ask/", {"title": "Will it rain?", "closes_at": closes}
    )
    question = ForecastQuestion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(question)


def test_asking_with_bad_input_keeps_what_was_typed(client_for, testing, member):
    past = (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(member).post(
        "/communities/testing/forecasts/ask/",
        {"title": "Will it rain?", "details": "Resolution: the *met office*.", "closes_at": past},
    )
    assert response.status_code == 400
    assert "The closing time must be in the future." in response.text
    assert 'value="Will it rain?"' in response.text
    assert "Resolution: the *met office*." in response.text
    assert not ForecastQuestion.objects.exists()


def test_an_outsider_cannot_ask_in_an_open_community(client_for, testing, outsider):
    assert client_for(outsider).get("/communities/testing/forecasts/ask/").status_code == 403


def test_the_question_page_explains_and_warns(client_for, question, member):
    page = client_for(member).get(url(question)).text
    assert "Yes if the pipeline runs on <em>main</em>." in page
    assert "one wrong 100% forecast is costly" in page
    assert "Hidden until you forecast" in page
    assert 'name="probability"' in page
    assert "Resolve the question" in page  # the author may resolve


def test_making_a_forecast_in_percent(client_for, question, member):
    response = client_for(member).post(url(question, "forecast/"), {"probability": "72.5", "listed": "on"})
    assert response.status_code == 302
    forecast = Forecast.objects.get()
    assert (forecast.probability, forecast.listed) == (pytest.approx(0.725), True)


def test_a_100_percent_forecast_is_saved_with_the_warning(client_for, question, member):
    response = client_for(member).post(url(question, "forecast/"), {"probability": "100"}, follow=True)
    assert Forecast.objects.get().probability == 1.0
    assert "one wrong 100% forecast is costly" in response.text
    assert "You said 100%" in response.text


@pytest.mark.parametrize(("typed", "message"), [("101", "from 0 to 100"), ("lots", "without the % sign")])
def test_a_bad_probability_keeps_what_was_typed(client_for, question, member, typed, message):
    response = client_for(member).post(url(question, "forecast/"), {"probability": typed})
    assert response.status_code == 400
    assert message in response.text
    assert f'value="{typed}"' in response.text
    assert not Forecast.objects.exists()


def test_forecasting_on_a_closed_question_says_why(client_for, question, member):
    ForecastQuestion.objects.filter(pk=question.pk).update(closes_at=timezone.now() - timedelta(hours=1))
    response = client_for(member).post(url(question, "forecast/"), {"probability": "40"}, follow=True)
    assert forecasts.CLOSED in response.text
    assert not Forecast.objects.exists()


def test_the_group_forecast_appears_after_you_forecast(client_for, question, member, forecasters):
    for person in forecasters:
        make(person, question, 0.4)
    Forecast.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    client = client_for(member)
    assert "Hidden until you forecast" in client.get(url(question)).text
    make(member, question, 0.9)
    page = client.get(url(question)).text
    assert 'id="group-forecast"' in page
    assert "Mean <strong>40%</strong>" in page
    assert "over the latest forecast of each of 5 people as of" in page
    assert "(6 people have forecast by now)" in page
    assert "moves in steps" in page


def test_the_group_forecast_is_withheld_below_the_threshold(client_for, question, member):
    make(member, question, 0.4)
    page = client_for(member).get(url(question)).text
    assert "Not enough people to show this without identifying someone." in page
    assert 'id="group-forecast"' not in page


def test_the_author_resolves_and_a_non_resolver_is_refused(client_for, question, member, forecasters):
    make(forecasters[0], question, 0.9)
    refused = client_for(forecasters[0]).post(url(question, "resolve/"), {"resolution": "yes"})
    assert refused.status_code == 403
    assert not CalibrationRecord.objects.exists()
    bad = client_for(member).post(url(question, "resolve/"), {"resolution": "maybe"})
    assert bad.status_code == 400
    assert "maybe is not one of the available choices" in bad.text
    assert client_for(member).post(url(question, "resolve/"), {"resolution": "yes"}).status_code == 302
    question.refresh_from_db()
    assert question.resolution == Resolution.YES
    assert CalibrationRecord.objects.get().person == forecasters[0]


def test_listed_forecasts_show_by_name_after_resolution(client_for, question, member, owner, forecasters):
    make(forecasters[0], question, 0.8, listed=True)
    make(forecasters[1], question, 0.3)
    forecasts.forecast_question_resolve(actor=owner, question=question, resolution=Resolution.YES)
    page = client_for(member).get(url(question)).text
    assert "Fran Forecaster 0" in page
    assert "Fran Forecaster 1" not in page


def test_the_listing_choice_is_changed_on_the_page(client_for, question, forecasters):
    make(forecasters[1], question, 0.3)
    client_for(forecasters[1]).post(url(question, "listing/"), {"listed": "on"})
    assert Forecast.objects.get().listed
    client_for(forecasters[1]).post(url(question, "listing/"), {})
    assert not Forecast.objects.get().listed


def test_query_counts_are_pinned(
    client_for, question, testing, member, forecasters, django_assert_num_queries
):
    for person in forecasters:
        make(person, question, 0.5, listed=True)
    ask(testing, member, "Another?")
    client = client_for(member)
    client.get("/communities/testing/forecasts/")  # warm the session and caches
    with django_assert_num_queries(8):
        client.get("/communities/testing/forecasts/")
    forecasts.forecast_question_resolve(actor=member, question=question, resolution=Resolution.NO)
    client.get(url(question))
    with django_assert_num_queries(10):
        client.get(url(question))


# /me/calibration/ ---------------------------------------------------------------------------------


def test_the_owner_sees_their_brier_score_and_curve(client_for, question, member):
    make(member, question, 0.8)
    forecasts.forecast_question_resolve(actor=member, question=question, resolution=Resolution.YES)
    page = client_for(member).get("/me/calibration/")
    assert page.status_code == 200
    assert 'id="forecast-brier">0.040<' in page.text
    assert "Reliability" in page.text and "Resolution" in page.text and "Uncertainty" in page.text
    assert "Remainder" in page.text
    assert "How to read this" in page.text
    assert 'id="curve-table"' in page.text
    spec = page.context["curve_spec"]
    points = spec["layer"][2]["data"]["values"]
    assert points == [{"forecast": 80.0, "observed": 100.0, "lower": 20.7, "upper": 100.0, "forecasts": 1}]
    assert "vega-embed.min.js" in page.text


def test_a_lead_sees_only_their_own_forecast_scores(client_for, question, member, owner):
    make(member, question, 0.8)
    forecasts.forecast_question_resolve(actor=owner, question=question, resolution=Resolution.YES)
    page = client_for(owner).get("/me/calibration/").text
    assert "No scored forecasts yet" in page
    assert 'id="forecast-brier"' not in page
    assert question.title not in page
    assert 'id="forecast-brier"' in client_for(member).get("/me/calibration/").text
