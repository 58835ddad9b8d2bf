"""An invitation to a private community opens its door, not its content."""

from __future__ import annotations

import pytest

from practica.communities.models import Visibility
from practica.communities.services import community_create, membership_invite, membership_join
from practica.knowledge import qa

pytestmark = pytest.mark.django_db

CONTENT = [
    "activity/",
    "charter/history/",
    "members/",
    "events/",
    "health/",
    "questions/",
    "practices/",
    "stories/",
]


@pytest.fixture
def secret(owner, member):
    community = community_create(actor=owner, name="Secret guild", visibility=Visibility.PRIVATE)
    qa.question_ask(actor=owner, community=community, title="Where are the keys?")
    membership_invite(actor=owner, community=community, person=member)
    return community


def test_an_invited_person_sees_the_overview_but_none_of_the_content(client_for, member, secret):
    client = client_for(member)
    base = f"/communities/{secret.slug}/"
    overview = client.get(base)
    assert overview.status_code == 200
    assert "Accept invitation" in overview.text
    assert "Where are the keys?" not in overview.text
    for path in CONTENT:
        assert client.get(base + path).status_code == 404, path


def test_after_accepting_the_content_opens(client_for, member, secret):
    membership_join(person=member, community=secret)
    client = client_for(member)
    for path in CONTENT:
        assert client.get(f"/communities/{secret.slug}/{path}").status_code == 200, path


def test_the_api_opens_the_same_door_and_nothing_more(member, secret):
    from django.test import Client

    from practica.people.services import api_token_create

    _, token = api_token_create(person=member, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = f"/api/v1/communities/{secret.slug}"
    assert client.get(base).status_code == 200
    for path in ["/members", "/events", "/health", "/questions", "/practices", "/stories"]:
        assert client.get(base + path).status_code == 404, path


def test_search_and_queues_do_not_show_an_invited_person_the_content(client_for, member, secret):
    from practica.knowledge.qa_selectors import visible_communities
    from practica.search.selectors import search

    assert search(member, "keys").total == 0
    assert secret not in visible_communities(member)
    assert "Where are the keys?" not in client_for(member).get("/questions/unanswered/").text
