"""Forecast services and selectors: every refusal changes nothing, scoring, anti-anchoring and privacy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.calibration import forecasts
from practica.calibration.forecast_selectors import forecast_profile, question_list, question_page
from practica.calibration.models import (
    CalibrationRecord,
    Forecast,
    ForecastQuestion,
    RecordSource,
    Resolution,
)
from practica.calibration.selectors import calibration_profile
from practica.communities.selectors import community_for
from practica.core.errors import ApplicationError
from practica.core.privacy import NOT_ENOUGH_PEOPLE

from .conftest import ask

pytestmark = pytest.mark.django_db


def refused(action, message: str = "") -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        action()
    assert message in caught.value.message
    return caught.value


def make(person, question, probability: float, *, listed: bool = False) -> Forecast:
    return forecasts.forecast_make(person=person, question=question, probability=probability, listed=listed)


def age(forecast: Forecast, minutes: float = 2) -> None:
    """Move a forecast into the past, as if time had passed since it was made."""
    Forecast.objects.filter(pk=forecast.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def close(question: ForecastQuestion) -> None:
    ForecastQuestion.objects.filter(pk=question.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    question.refresh_from_db()


def resolve(actor, question, resolution: Resolution) -> ForecastQuestion:
    return forecasts.forecast_question_resolve(actor=actor, question=question, resolution=resolution)


# Asking ----------------------------------------------------------------------------------------


def test_an_active_member_asks_a_question(question, member):
    assert question.author == member
    assert question.resolution == Resolution.OPEN
    assert not question.is_closed()


def test_an_outsider_cannot_ask(testing, outsider):
    refused(lambda: ask(testing, outsider), "active members")
    assert not ForecastQuestion.objects.exists()


@pytest.mark.parametrize(
    ("title", "closes_in", "field"),
    [
        ("   ", timedelta(days=1), "title"),
        ("x" * 201, timedelta(days=1), "title"),
        ("Ok?", -timedelta(1), "closes_at"),
    ],
)
def test_bad_questions_are_refused_with_the_field(testing, member, title, closes_in, field):
    error = refused(
        lambda: forecasts.forecast_question_create(
            actor=member, community=testing, title=title, closes_at=timezone.now() + closes_in
        )
    )
    assert error.field == field
    assert not ForecastQuestion.objects.exists()


# Forecasting ------------------------------------------------------------------------------------


@pytest.mark.parametrize("probability", [-0.01, 1.01, float("nan")])
def test_a_probability_outside_0_to_1_is_refused(question, member, probability):
    error = refused(lambda: make(member, question, probability), "0% to 100%")
    assert error.field == "probability"
    assert not Forecast.objects.exists()


@pytest.mark.parametrize("probability", [0.0, 1.0])
def test_exactly_0_or_1_is_allowed(question, member, probability):
    assert make(member, question, probability).probability == probability


def test_forecasting_after_close_is_refused(question, member):
    make(member, question, 0.3)
    close(question)
    refused(lambda: make(member, question, 0.9), "closed")
    assert list(Forecast.objects.values_list("probability", flat=True)) == [0.3]


def test_forecasting_after_resolution_is_refused(question, member, owner):
    resolve(owner, question, Resolution.NO)
    refused(lambda: make(member, question, 0.9), "already resolved")
    assert not Forecast.objects.exists()


def test_outsiders_cannot_forecast_in_a_private_community(private_question, outsider):
    refused(lambda: make(outsider, private_question, 0.5), "join it first")
    assert not Forecast.objects.exists()


def test_a_change_within_a_minute_replaces_the_previous_forecast(question, member):
    first = make(member, question, 0.3)
    second = make(member, question, 0.35, listed=True)
    assert second.pk == first.pk
    assert list(Forecast.objects.values_list("probability", "listed")) == [(0.35, True)]


def test_a_change_after_a_minute_adds_a_forecast(question, member):
    age(make(member, question, 0.3))
    make(member, question, 0.6)
    assert sorted(Forecast.objects.values_list("probability", flat=True)) == [0.3, 0.6]


# Resolving ---------------------------------------------------------------------------------------


def test_resolving_scores_every_counted_forecast_with_the_outcome(question, member, owner, forecasters):
    age(make(member, question, 0.2))
    make(member, question, 0.7)
    make(forecasters[0], question, 0.1)
    resolve(owner, question, Resolution.YES)
    records = {
        (record.person_id, record.probability): record
        for record in CalibrationRecord.objects.filter(source=RecordSource.FORECAST)
    }
    assert set(records) == {(member.pk, 0.2), (member.pk, 0.7), (forecasters[0].pk, 0.1)}
    assert all(record.fraction == 1.0 for record in records.values())
    assert records[(member.pk, 0.7)].mark == pytest.approx(-0.09)
    assert records[(forecasters[0].pk, 0.1)].mark == pytest.approx(-0.81)
    assert records[(member.pk, 0.7)].certainty is None
    assert {record.source_id for record in records.values()} == set(
        Forecast.objects.values_list("pk", flat=True)
    )


def test_a_no_resolution_scores_fraction_0(question, member):
    make(member, question, 0.8)
    resolve(member, question, Resolution.NO)
    record = CalibrationRecord.objects.get()
    assert (record.fraction, record.probability, record.mark) == (0.0, 0.8, pytest.approx(-0.64))


def test_a_replaced_forecast_counts_once(question, member):
    make(member, question, 0.3)
    make(member, question, 0.9)
    resolve(member, question, Resolution.YES)
    assert list(CalibrationRecord.objects.values_list("probability", flat=True)) == [0.9]


def test_an_annulled_question_counts_nowhere(question, member):
    make(member, question, 0.9)
    resolve(member, question, Resolution.ANNULLED)
    question.refresh_from_db()
    assert question.resolution == Resolution.ANNULLED
    assert not CalibrationRecord.objects.exists()
    assert forecast_profile(member.pk) is None


def test_resolving_twice_is_refused(question, member):
    make(member, question, 0.9)
    resolve(member, question, Resolution.YES)
    refused(lambda: resolve(member, question, Resolution.NO), "already resolved")
    question.refresh_from_db()
    assert question.resolution == Resolution.YES
    assert list(CalibrationRecord.objects.values_list("fraction", flat=True)) == [1.0]


def test_someone_neither_author_nor_lead_cannot_resolve(question, forecasters, outsider):
    make(forecasters[0], question, 0.9)
    for person in (forecasters[0], outsider):
        refused(lambda person=person: resolve(person, question, Resolution.YES), "Only the person who asked")
    question.refresh_from_db()
    assert question.resolution == Resolution.OPEN
    assert question.resolved_by is None
    assert not CalibrationRecord.objects.exists()


def test_a_lead_resolves_a_question_someone_else_asked(question, owner):
    assert question.author != owner
    assert resolve(owner, question, Resolution.NO).resolved_by == owner


def test_open_is_not_a_resolution(question, member):
    refused(lambda: resolve(member, question, Resolution.OPEN), "yes, no or annulled")
    question.refresh_from_db()
    assert question.resolved_at is None


# What others see ----------------------------------------------------------------------------------


def settled(person, question, probability: float, minutes_ago: float) -> Forecast:
    """A forecast made ``minutes_ago`` (older than the replace window, so it may count in the group)."""
    forecast = make(person, question, probability)
    age(forecast, minutes_ago)
    return forecast


def test_the_group_forecast_is_hidden_until_you_forecast(question, member, forecasters):
    for minutes, (person, probability) in enumerate(zip(forecasters, [0.1, 0.2, 0.3, 0.4, 0.5], strict=True)):
        settled(person, question, probability, 10 - minutes)
    before = question_page(question, member)
    assert not before.group_visible
    make(member, question, 0.9)
    after = question_page(question, member)
    assert after.group_visible
    assert after.group.shown
    assert after.group.value is not None
    # The member's own forecast is one new person: it does not move the figure.
    assert after.group.value.mean == pytest.approx(0.3)
    assert after.group.value.median == pytest.approx(0.3)
    assert (after.group.people, after.forecaster_count) == (5, 6)


def test_the_group_forecast_shows_after_close_without_forecasting(question, member, forecasters):
    for minutes, person in enumerate(forecasters):
        settled(person, question, 0.5, 10 - minutes)
    close(question)
    page = question_page(question, member)
    assert page.group_visible and page.group.shown


def test_the_group_uses_each_persons_latest_forecast(question, forecasters):
    settled(forecasters[0], question, 0.0, 30)
    for minutes, person in enumerate(forecasters):
        settled(person, question, 1.0, 10 - minutes)
    page = question_page(question, forecasters[0])
    assert page.forecaster_count == 5
    assert page.group.value is not None and page.group.value.mean == 1.0


def test_the_group_figure_moves_only_when_enough_new_people_forecast(settings, question, member, forecasters):
    settings.PRACTICA_MIN_GROUP_SIZE = 3
    for minutes, person in enumerate(forecasters[:3]):
        settled(person, question, 0.2, 60 - minutes)
    first = question_page(question, member).group
    assert first.value is not None and (first.value.mean, first.people) == (pytest.approx(0.2), 3)
    # Someone watching the page while one person forecasts, or changes their mind, learns nothing.
    settled(member, question, 0.9, 40)
    settled(forecasters[0], question, 0.8, 30)
    watching = question_page(question, member).group
    assert watching.value == first.value and watching.people == 3
    # A third new person completes a step: the figure now covers everyone's latest forecast.
    step = settled(forecasters[3], question, 0.5, 20)
    moved = question_page(question, member).group
    assert moved.value is not None and moved.people == 5
    assert moved.value.mean == pytest.approx((0.2 + 0.2 + 0.9 + 0.8 + 0.5) / 5)
    assert moved.value.as_of == Forecast.objects.get(pk=step.pk).created_at


def test_a_forecast_that_may_still_be_replaced_does_not_count_yet(settings, question, forecasters):
    settings.PRACTICA_MIN_GROUP_SIZE = 3
    settled(forecasters[0], question, 0.2, 10)
    settled(forecasters[1], question, 0.2, 9)
    make(forecasters[2], question, 0.9)  # within the replace window: it may still change in place
    assert not question_page(question, forecasters[0]).group.shown
    age(Forecast.objects.get(person=forecasters[2]), 2)
    assert question_page(question, forecasters[0]).group.shown


def test_the_group_forecast_is_withheld_below_the_minimum_group_size(question, forecasters):
    for person in forecasters[:4]:
        make(person, question, 0.5)
    page = question_page(question, forecasters[0])
    assert page.group_visible
    assert not page.group.shown
    assert page.group.value is None
    assert page.group.reason == NOT_ENOUGH_PEOPLE


def test_individual_forecasts_show_after_resolution_only_when_listed(question, member, owner, forecasters):
    make(forecasters[0], question, 0.8, listed=True)
    make(forecasters[1], question, 0.3)
    assert question_page(question, member).listed == []
    resolve(owner, question, Resolution.YES)
    question.refresh_from_db()
    listed = question_page(question, member).listed
    assert [(row.display_name, row.probability) for row in listed] == [("Fran Forecaster 0", 0.8)]


def test_you_can_change_whether_you_are_listed(question, owner, forecasters):
    make(forecasters[1], question, 0.3)
    resolve(owner, question, Resolution.YES)
    question.refresh_from_db()
    forecasts.forecast_listing_set(person=forecasters[1], question=question, listed=True)
    assert [row.probability for row in question_page(question, owner).listed] == [0.3]


# Lists and profiles ---------------------------------------------------------------------------------


def test_the_list_counts_distinct_forecasters(question, testing, member, owner, django_assert_num_queries):
    age(make(member, question, 0.2))
    make(member, question, 0.4)
    make(owner, question, 0.5)
    ask(testing, member, "Second?")
    access = community_for(owner, testing.slug)
    with django_assert_num_queries(1):
        rows = list(question_list(access))
        authors = [row.author.display_name for row in rows]
    assert [row.forecaster_count for row in rows] == [0, 2]
    assert authors == ["Max Member", "Max Member"]


def test_the_forecast_profile_uses_the_analysis_functions(question, testing, member):
    make(member, question, 0.8)
    resolve(member, question, Resolution.YES)
    other = ask(testing, member, "Other?")
    make(member, other, 0.6)
    resolve(member, other, Resolution.NO)
    profile = forecast_profile(member.pk)
    assert profile is not None
    assert (profile.count, profile.questions) == (2, 2)
    assert profile.brier == pytest.approx((0.04 + 0.36) / 2)
    assert (
        profile.decomposition.reliability
        - profile.decomposition.resolution
        + profile.decomposition.uncertainty
        + (profile.decomposition.remainder)
        == pytest.approx(profile.brier)
    )
    assert [point.count for point in profile.curve] == [1, 1]
    # forecasts never mix into the certainty-based (CBM) summary
    assert calibration_profile(member.pk).summary is None
