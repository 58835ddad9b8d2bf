"""Practices, revisions, stories and the value matrix through the JSON API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from practica.communities.models import Visibility
from practica.communities.services import community_create, membership_join
from practica.knowledge.models import MAX_BODY, Practice, PracticeRevision, PracticeStatus, ValueStory
from practica.knowledge.practices import practice_create, practice_edit
from practica.people.services import api_token_create

pytestmark = pytest.mark.django_db


def bearer(person) -> dict[str, str]:
    _, token = api_token_create(person=person, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def testing(owner, member):
    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def private(owner):
    return community_create(actor=owner, name="Security Champions", visibility=Visibility.PRIVATE)


@pytest.fixture
def kata(testing, member):
    return practice_create(
        actor=member,
        community=testing,
        title="Kata",
        body="One",
        status=PracticeStatus.PUBLISHED,
        tags="kata",
    )


def world() -> tuple:
    return (
        list(Practice.objects.order_by("pk").values()),
        list(PracticeRevision.objects.order_by("pk").values()),
        ValueStory.objects.count(),
    )


def patch(client: Client, path: str, body: dict, person) -> object:
    return client.patch(path, body, content_type="application/json", **bearer(person))


def post(client: Client, path: str, body: dict, person) -> object:
    return client.post(path, body, content_type="application/json", **bearer(person))


def test_anonymous_calls_get_401(kata, testing):
    client = Client()
    for path in (
        "/api/v1/communities/testing/practices",
        f"/api/v1/practices/{kata.pk}",
        f"/api/v1/practices/{kata.pk}/revisions",
        "/api/v1/communities/testing/stories",
        "/api/v1/communities/testing/value-matrix",
    ):
        assert client.get(path).status_code == 401, path
    before = world()
    assert (
        client.post(
            "/api/v1/communities/testing/practices", {"title": "X"}, content_type="application/json"
        ).status_code
        == 401
    )
    assert (
        client.patch(
            f"/api/v1/practices/{kata.pk}", {"base_revision": 1}, content_type="application/json"
        ).status_code
        == 401
    )
    assert world() == before


def test_a_member_creates_lists_reads_and_edits_a_practice(testing, member):
    client = Client()
    response = post(
        client,
        "/api/v1/communities/testing/practices",
        {
            "title": "Pairing",
            "body": "Swap often",
            "kind": "how_to",
            "status": "published",
            "tags": ["pairing"],
        },
        member,
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["revision"], created["kind"], created["tags"], created["stale"]) == (
        1,
        "how_to",
        ["pairing"],
        False,
    )
    listing = client.get("/api/v1/communities/testing/practices?kind=how_to", **bearer(member)).json()
    assert [item["title"] for item in listing["items"]] == ["Pairing"]
    response = patch(
        client,
        f"/api/v1/practices/{created['id']}",
        {"base_revision": 1, "body": "Swap every 10 minutes"},
        member,
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["revision"], response.json()["body"]) == (2, "Swap every 10 minutes")
    revisions = client.get(f"/api/v1/practices/{created['id']}/revisions", **bearer(member)).json()
    assert [revision["number"] for revision in revisions["items"]] == [2, 1]
    first = client.get(f"/api/v1/practices/{created['id']}/revisions/1", **bearer(member)).json()
    assert first["body"] == "Swap often"


def test_patch_needs_base_revision_and_a_stale_patch_is_a_400_with_the_reason(kata, owner, member):
    practice_edit(actor=owner, practice=kata, base_revision=1, title="Kata", body="Lead's text")
    client = Client()
    before = world()
    assert patch(client, f"/api/v1/practices/{kata.pk}", {"body": "Mine"}, member).status_code == 422
    response = patch(client, f"/api/v1/practices/{kata.pk}", {"base_revision": 1, "body": "Mine"}, member)
    assert response.status_code == 400
    assert "you edited revision 1, the current one is 2" in response.json()["detail"]
    assert world() == before


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"title": "  "}, "A practice needs a title."),
        ({"body": "x" * (MAX_BODY + 1)}, "the limit is 50,000"),
        ({}, "Nothing to change"),
        ({"status": "draft"}, "cannot go back to draft"),
    ],
)
def test_bad_patches_are_400_with_detail_and_change_nothing(kata, member, body, detail):
    before = world()
    response = patch(Client(), f"/api/v1/practices/{kata.pk}", {"base_revision": 1, **body}, member)
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert world() == before


def test_patch_changes_status_and_text_together(kata, member):
    response = patch(
        Client(),
        f"/api/v1/practices/{kata.pk}",
        {"base_revision": 1, "title": "Kata v2", "status": "outdated"},
        member,
    )
    assert (response.json()["title"], response.json()["status"], response.json()["revision"]) == (
        "Kata v2",
        "outdated",
        2,
    )


def test_a_member_who_is_not_owner_or_lead_gets_403(kata, make_person, testing):
    other = make_person("other")
    membership_join(person=other, community=testing)
    client = Client()
    before = world()
    assert (
        patch(client, f"/api/v1/practices/{kata.pk}", {"base_revision": 1, "title": "X"}, other).status_code
        == 403
    )
    assert post(client, f"/api/v1/practices/{kata.pk}/restore", {"number": 1}, other).status_code == 403
    assert post(client, f"/api/v1/practices/{kata.pk}/review", {}, other).status_code == 403
    assert world() == before


def test_a_private_communitys_practices_and_stories_are_404_for_outsiders(private, owner, outsider):
    practice = practice_create(
        actor=owner, community=private, title="Hidden", status=PracticeStatus.PUBLISHED
    )
    client = Client()
    for path in (
        "/api/v1/communities/security-champions/practices",
        f"/api/v1/practices/{practice.pk}",
        f"/api/v1/practices/{practice.pk}/revisions",
        f"/api/v1/practices/{practice.pk}/revisions/1",
        "/api/v1/communities/security-champions/stories",
        "/api/v1/communities/security-champions/value-matrix",
    ):
        assert client.get(path, **bearer(outsider)).status_code == 404, path
    before = world()
    for path, body in (
        ("/api/v1/communities/security-champions/practices", {"title": "X"}),
        (f"/api/v1/practices/{practice.pk}/restore", {"number": 1}),
        (f"/api/v1/practices/{practice.pk}/review", {}),
        (
            "/api/v1/communities/security-champions/stories",
            {"title": "X", "body": "Y", "cycles": ["immediate"]},
        ),
    ):
        assert post(client, path, body, outsider).status_code == 404, path
    assert (
        patch(
            client, f"/api/v1/practices/{practice.pk}", {"base_revision": 1, "title": "X"}, outsider
        ).status_code
        == 404
    )
    assert world() == before


def test_a_draft_is_404_for_members_who_are_neither_owner_nor_lead(testing, member, owner, make_person):
    draft = practice_create(actor=member, community=testing, title="Draft")
    other = make_person("other")
    membership_join(person=other, community=testing)
    client = Client()
    assert client.get(f"/api/v1/practices/{draft.pk}", **bearer(other)).status_code == 404
    assert client.get("/api/v1/communities/testing/practices", **bearer(other)).json()["items"] == []
    assert client.get(f"/api/v1/practices/{draft.pk}", **bearer(owner)).status_code == 200


def test_restore_and_review_through_the_api(kata, member):
    practice_edit(actor=member, practice=kata, base_revision=1, title="Kata", body="Two")
    Practice.objects.filter(pk=kata.pk).update(reviewed_at=timezone.now() - timedelta(days=200))
    client = Client()
    assert client.get(f"/api/v1/practices/{kata.pk}", **bearer(member)).json()["stale"] is True
    needs_review = client.get(
        "/api/v1/communities/testing/practices?status=needs_review", **bearer(member)
    ).json()
    assert [item["id"] for item in needs_review["items"]] == [kata.pk]
    response = post(client, f"/api/v1/practices/{kata.pk}/restore", {"number": 1, "base_revision": 2}, member)
    assert (response.json()["revision"], response.json()["body"], response.json()["stale"]) == (
        3,
        "One",
        False,
    )
    stale = post(client, f"/api/v1/practices/{kata.pk}/restore", {"number": 2, "base_revision": 2}, member)
    assert stale.status_code == 400 and "the current one is 3" in stale.json()["detail"]
    Practice.objects.filter(pk=kata.pk).update(reviewed_at=timezone.now() - timedelta(days=200))
    reviewed = post(client, f"/api/v1/practices/{kata.pk}/review", {}, member).json()
    assert (reviewed["stale"], reviewed["revision"]) == (False, 3)


def test_stories_and_the_value_matrix_through_the_api(testing, member, owner, kata, private):
    client = Client()
    response = post(
        client,
        "/api/v1/communities/testing/stories",
        {
            "title": "Kata paid off",
            "body": "Team adopted it.",
            "cycles": ["applied", "realized"],
            "practices": [kata.pk],
            "metrics": [{"label": "Failures", "before": 12, "after": 4, "unit": "per week"}],
        },
        member,
    )
    assert response.status_code == 201, response.json()
    story = response.json()
    assert story["cycles"] == ["applied", "realized"]
    assert story["links"] == [{"kind": "practice", "id": kata.pk, "title": "Kata"}]
    assert story["metrics"] == [{"label": "Failures", "before": 12.0, "after": 4.0, "unit": "per week"}]
    other = practice_create(actor=owner, community=private, title="Other", status=PracticeStatus.PUBLISHED)
    before = world()
    refused = post(
        client,
        "/api/v1/communities/testing/stories",
        {"title": "Sneaky", "body": "x", "cycles": ["applied"], "practices": [other.pk]},
        member,
    )
    assert refused.status_code == 400
    assert f"not found there: practice {other.pk}" in refused.json()["detail"]
    assert world() == before
    listing = client.get("/api/v1/communities/testing/stories", **bearer(member)).json()
    assert [item["title"] for item in listing["items"]] == ["Kata paid off"]
    matrix = client.get("/api/v1/communities/testing/value-matrix", **bearer(member)).json()
    assert matrix["story_count"] == 1
    assert {row["cycle"]: row["count"] for row in matrix["cycles"]} == {
        "immediate": 0,
        "potential": 0,
        "applied": 1,
        "realized": 1,
        "reframing": 0,
    }
    assert matrix["cycles"][2]["stories"] == [{"id": story["id"], "title": "Kata paid off"}]
