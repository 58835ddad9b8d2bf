"""The health tab: who sees it, lead-only actions, the charts' JSON, and a pinned query count."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from practica.communities.models import (
    ActivityKind,
    Attendance,
    Community,
    Event,
    HealthReview,
    Membership,
    Principle,
    Visibility,
)
from practica.communities.services import (
    activity_record,
    community_create,
    membership_invite,
    membership_join,
)
from practica.people.models import Person

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def _community(owner: Person, member: Person, *, visibility: Visibility = Visibility.OPEN) -> Community:
    community = community_create(actor=owner, name="Testing", visibility=visibility)
    if visibility == Visibility.PRIVATE:
        membership_invite(actor=owner, community=community, person=member)
    membership_join(person=member, community=community)
    now = timezone.now()
    for days_ago, present in [(50, [owner, member]), (20, [owner])]:
        starts_at = now - days_ago * DAY
        event = Event.objects.create(
            community=community, title=f"Meetup {days_ago}", starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1), attendance_taken_at=starts_at,
        )  # fmt: skip
        Attendance.objects.bulk_create(Attendance(event=event, person=person) for person in present)
    activity_record(community=community, person=member, kind=ActivityKind.ANSWERED, summary="a question")
    return community


@pytest.fixture
def community(owner: Person, member: Person) -> Community:
    return _community(owner, member)


def _url(community: Community, name: str = "health") -> str:
    return reverse(f"communities:{name}", args=[community.slug])


def _json_script(html: str, element_id: str) -> dict[str, object]:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no JSON script {element_id}"
    return json.loads(match.group(1))


def _review_post(**changes: str) -> dict[str, str]:
    data = {}
    for principle in Principle:
        data[f"rating_{principle.value}"] = "4"
        data[f"note_{principle.value}"] = f"note on {principle.value}"
    data.update(changes)
    return data


def test_member_sees_status_indicators_and_charts(
    community: Community, member: Person, client_for: Callable[[Person], Client]
) -> None:
    response = client_for(member).get(_url(community))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="page">Health</a>' in html
    assert "Overall health:" in html and 'id="health-reasons"' in html
    assert 'id="indicator-active_share"' in html
    assert "No questions were asked in the period." in html  # measured now, not "not tracked"
    assert "↑ up" in html  # members grew from 0 to 2: a word and an arrow, not a colour
    participation = _json_script(html, "participation-spec")
    assert participation["$schema"] == "https://vega.github.io/schema/vega-lite/v5.json"
    values = participation["data"]["values"]  # type: ignore[index]
    assert len(values) == 6 * 4  # six months, four levels
    assert participation["encoding"]["y"]["title"] == "Members"  # type: ignore[index]
    attendance = _json_script(html, "attendance-spec")
    assert [row["present"] for row in attendance["data"]["values"]] == [2, 1]  # type: ignore[index]
    assert 'data-vega-spec="participation-spec"' in html and 'data-vega-spec="attendance-spec"' in html
    assert "practica/vendor/vega-embed.min.js" in html and "practica/js/charts.js" in html
    assert "Show the numbers as a table" in html
    # Members see the self-check history but not the form or the recompute button.
    assert "health-review-form" not in html and "Recompute now" not in html


def test_outsider_may_view_an_open_community(
    community: Community, outsider: Person, client_for: Callable[[Person], Client]
) -> None:
    assert client_for(outsider).get(_url(community)).status_code == 200


def test_outsider_gets_404_on_a_private_community(
    owner: Person, member: Person, outsider: Person, client_for: Callable[[Person], Client]
) -> None:
    private = _community(owner, member, visibility=Visibility.PRIVATE)
    assert client_for(outsider).get(_url(private)).status_code == 404
    assert client_for(member).get(_url(private)).status_code == 200


def test_invited_person_gets_404_on_a_private_community(
    owner: Person, member: Person, make_person: Callable[..., Person], client_for: Callable[[Person], Client]
) -> None:
    private = _community(owner, member, visibility=Visibility.PRIVATE)
    guest = make_person("guest")
    membership_invite(actor=owner, community=private, person=guest)
    assert client_for(guest).get(_url(private)).status_code == 404


def test_anonymous_is_sent_to_sign_in(community: Community) -> None:
    response = Client().get(_url(community))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_lead_sees_the_form_and_recompute_button(
    community: Community, owner: Person, client_for: Callable[[Person], Client]
) -> None:
    html = client_for(owner).get(_url(community)).content.decode()
    assert "health-review-form" in html and "Recompute now" in html
    assert html.count('type="radio"') == 7 * 5


def test_lead_recomputes_and_the_status_is_stored(
    community: Community, owner: Person, client_for: Callable[[Person], Client]
) -> None:
    response = client_for(owner).post(_url(community, "health-recompute"))
    assert response.status_code == 302 and response["Location"] == _url(community)
    community.refresh_from_db()
    assert community.health_status and community.health_computed_at is not None


def test_member_cannot_recompute(
    community: Community, member: Person, client_for: Callable[[Person], Client]
) -> None:
    assert client_for(member).post(_url(community, "health-recompute")).status_code == 403
    community.refresh_from_db()
    assert community.health_computed_at is None


def test_recompute_refuses_get(
    community: Community, owner: Person, client_for: Callable[[Person], Client]
) -> None:
    assert client_for(owner).get(_url(community, "health-recompute")).status_code == 405


def test_lead_saves_a_review_and_it_appears_in_the_history(
    community: Community, owner: Person, client_for: Callable[[Person], Client]
) -> None:
    client = client_for(owner)
    response = client.post(_url(community, "health-review"), _review_post(rating_rhythm="5"))
    assert response.status_code == 302
    review = HealthReview.objects.get(community=community)
    assert review.ratings.get(principle="rhythm").rating == 5
    html = client.get(_url(community)).content.decode()
    assert "note on rhythm" in html and "5 of 5" in html


def test_member_cannot_save_a_review(
    community: Community, member: Person, client_for: Callable[[Person], Client]
) -> None:
    assert client_for(member).post(_url(community, "health-review"), _review_post()).status_code == 403
    assert not HealthReview.objects.exists()


def test_outsider_posting_to_a_private_community_gets_404(
    owner: Person, member: Person, outsider: Person, client_for: Callable[[Person], Client]
) -> None:
    private = _community(owner, member, visibility=Visibility.PRIVATE)
    client = client_for(outsider)
    assert client.post(_url(private, "health-review"), _review_post()).status_code == 404
    assert client.post(_url(private, "health-recompute")).status_code == 404


@pytest.mark.parametrize("bad", [{"rating_value": ""}, {"rating_value": "6"}, {"rating_value": "zero"}])
def test_review_with_a_bad_rating_shows_the_error_and_keeps_the_notes(
    community: Community, owner: Person, client_for: Callable[[Person], Client], bad: dict[str, str]
) -> None:
    data = _review_post(note_dialogue="we talk to other teams", **bad)
    response = client_for(owner).post(_url(community, "health-review"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_rating_value-error"' in html
    assert 'value="we talk to other teams"' in html
    assert not HealthReview.objects.exists()


def test_page_query_count_is_pinned_and_does_not_grow(
    community: Community,
    owner: Person,
    make_person: Callable[..., Person],
    client_for: Callable[[Person], Client],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    client = client_for(owner)
    client.post(_url(community, "health-review"), _review_post())
    expected = 31  # 28 to compute (8 per period), plus 3 for the snapshot's cache key
    with django_assert_num_queries(expected):
        assert client.get(_url(community)).status_code == 200
    for number in range(10):
        person = make_person(f"extra{number}")
        membership_join(person=person, community=community)
        starts_at = timezone.now() - (number + 1) * 3 * DAY
        event = Event.objects.create(
            community=community, title=f"Extra {number}", starts_at=starts_at, ends_at=starts_at + DAY
        )
        Attendance.objects.create(event=event, person=person)
        client.post(_url(community, "health-review"), _review_post())
    assert Membership.objects.filter(community=community).count() == 12
    with django_assert_num_queries(expected):
        assert client.get(_url(community)).status_code == 200


def test_a_second_view_uses_the_cached_snapshot_until_something_happens(
    community: Community,
    owner: Person,
    make_person: Callable[..., Person],
    client_for: Callable[[Person], Client],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client = client_for(owner)
    client.get(_url(community))
    with django_assert_max_num_queries(15):
        assert client.get(_url(community)).status_code == 200
    membership_join(person=make_person("newcomer"), community=community)
    with CaptureQueriesContext(connection) as fresh:
        client.get(_url(community))
    assert len(fresh) >= 20  # recomputed after the join
