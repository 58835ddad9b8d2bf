"""Knowledge checks in the JSON API: 401 signed out, 404 for private and for other people's attempts,
400 with the refusal's text, answers hidden from takers, results behind the group rule."""

from __future__ import annotations

import pytest
from django.test import Client

from practica.calibration import checks
from practica.calibration.models import CheckAttempt, ItemResponse, KnowledgeCheck
from practica.people.services import api_token_create

from . import check_fixtures
from .check_fixtures import ITEMS, RIGHT, group_takes, take

# pytest finds fixtures by name in the module: bind the shared ones here.
draft_check = check_fixtures.draft_check
published_check = check_fixtures.published_check
takers = check_fixtures.takers
design_skill = check_fixtures.design_skill

pytestmark = pytest.mark.django_db


def bearer(person) -> dict[str, str]:
    _, token = api_token_create(person=person, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def call(person, method: str, path: str, body: dict | None = None):
    client = Client()
    return getattr(client, method)(path, body, content_type="application/json", **bearer(person))


def test_anonymous_calls_get_401(published_check):
    client = Client()
    assert client.get("/api/v1/communities/testing/checks").status_code == 401
    assert client.get(f"/api/v1/checks/{published_check.pk}").status_code == 401
    response = client.post(
        f"/api/v1/checks/{published_check.pk}/attempts",
        {"estimated_score": 0.5},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert not CheckAttempt.objects.exists()


def test_a_private_communitys_checks_are_404_for_outsiders(owner, outsider, private):
    check = checks.check_create(actor=owner, community=private, title="Guild secrets")
    item = checks.item_create(actor=owner, check=check, **ITEMS[2])
    checks.check_set_status(actor=owner, check=check, status="published")
    assert call(outsider, "get", "/api/v1/communities/secret-guild/checks").status_code == 404
    assert call(outsider, "get", f"/api/v1/checks/{check.pk}").status_code == 404
    assert (
        call(outsider, "post", f"/api/v1/checks/{check.pk}/attempts", {"estimated_score": 0.5}).status_code
        == 404
    )
    assert call(outsider, "get", f"/api/v1/checks/{check.pk}/group").status_code == 404
    assert (
        call(
            outsider,
            "put",
            f"/api/v1/check-items/{item.pk}",
            {"kind": "true_false", "prompt": "x", "answer": True},
        ).status_code
        == 404
    )
    assert not CheckAttempt.objects.exists()


def test_takers_get_items_without_answers_and_leads_with(owner, member, published_check):
    taker_view = call(member, "get", f"/api/v1/checks/{published_check.pk}").json()
    assert taker_view["with_answers"] is False
    assert [item["answer"] for item in taker_view["items"]] == [None] * 4
    assert {item["explanation"] for item in taker_view["items"]} == {None}
    assert taker_view["items"][0]["options"] == ["Stub", "Spy", "Dummy"]
    listed = call(member, "get", "/api/v1/communities/testing/checks").json()["items"]
    assert [(row["title"], row["item_count"], row["my_attempt_count"]) for row in listed] == [
        ("Testing fundamentals", 4, 0)
    ]
    lead_view = call(owner, "get", f"/api/v1/checks/{published_check.pk}").json()
    assert [item["answer"] for item in lead_view["items"]] == [1, [0, 2], False, 3.0]


def test_drafts_are_404_for_members(member, draft_check):
    assert call(member, "get", f"/api/v1/checks/{draft_check.pk}").status_code == 404
    listed = call(member, "get", "/api/v1/communities/testing/checks").json()
    assert listed["items"] == []


def test_a_lead_authors_a_check_through_the_api(owner, testing, design_skill):
    created = call(
        owner,
        "post",
        "/api/v1/communities/testing/checks",
        {"title": "SQL and indexing", "skills": [design_skill.pk]},
    )
    assert created.status_code == 201
    check_id = created.json()["id"]
    assert created.json()["skills"][0]["slug"] == "test-design"
    item = call(
        owner,
        "post",
        f"/api/v1/checks/{check_id}/items",
        {
            "kind": "single",
            "prompt": "Which index type suits range queries?",
            "options": ["B-tree", "Hash"],
            "answer": 0,
        },
    )
    assert item.status_code == 201
    second = call(
        owner,
        "post",
        f"/api/v1/checks/{check_id}/items",
        {"kind": "numeric", "prompt": "Pages?", "answer": 8, "tolerance": 1},
    )
    moved = call(owner, "post", f"/api/v1/check-items/{second.json()['id']}/move", {"offset": -1})
    assert moved.json()["position"] == 1
    updated = call(
        owner,
        "put",
        f"/api/v1/check-items/{item.json()['id']}",
        {"kind": "true_false", "prompt": "Hash indexes serve range queries.", "answer": False},
    )
    assert updated.json()["answer"] is False
    assert call(owner, "delete", f"/api/v1/check-items/{second.json()['id']}").status_code == 204
    renamed = call(owner, "put", f"/api/v1/checks/{check_id}", {"title": "SQL indexing"})
    assert renamed.json()["title"] == "SQL indexing"
    published = call(owner, "post", f"/api/v1/checks/{check_id}/status", {"status": "published"})
    assert published.json()["status"] == "published"


def test_bad_items_are_a_400_naming_the_problem(owner, draft_check):
    response = call(
        owner,
        "post",
        f"/api/v1/checks/{draft_check.pk}/items",
        {"kind": "single", "prompt": "Q?", "options": ["a", "b"], "answer": 5},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The correct answer must be one of the 2 options."}
    response = call(
        owner,
        "post",
        f"/api/v1/checks/{draft_check.pk}/items",
        {"kind": "numeric", "prompt": "Q?", "answer": 1, "tolerance": -2},
    )
    assert response.status_code == 400
    assert "tolerance" in response.json()["detail"]
    assert draft_check.items.count() == 4


def test_members_cannot_author_through_the_api(member, testing, published_check):
    assert call(member, "post", "/api/v1/communities/testing/checks", {"title": "Mine"}).status_code == 400
    assert (
        call(
            member, "post", f"/api/v1/checks/{published_check.pk}/status", {"status": "archived"}
        ).status_code
        == 400
    )
    assert KnowledgeCheck.objects.count() == 1


def test_a_member_takes_a_check_through_the_api(member, published_check):
    started = call(member, "post", f"/api/v1/checks/{published_check.pk}/attempts", {"estimated_score": 0.9})
    assert started.status_code == 201
    attempt_id = started.json()["id"]
    items = list(published_check.items.all())
    for item, response, certainty in zip(items, [1, [0], True, 3], [3, 2, 3, 1], strict=True):
        saved = call(
            member,
            "put",
            f"/api/v1/check-attempts/{attempt_id}/responses/{item.pk}",
            {"response": response, "certainty": certainty},
        )
        assert saved.status_code == 200
    report = call(member, "post", f"/api/v1/check-attempts/{attempt_id}/submit").json()
    # +3, half credit at mid +1, wrong at high -6, right at low +1
    assert report["attempt"]["accuracy"] == pytest.approx(0.625)
    assert report["attempt"]["average_mark"] == pytest.approx(-0.25)
    assert report["levels"][2]["sentence"].startswith("At high certainty you were right 50% of the time")
    assert [row["confidently_wrong"] for row in report["items"]] == [False, False, True, False]
    assert report["items"][2]["explanation"] == "Coverage shows what ran, not that it is right."
    again = call(member, "get", f"/api/v1/check-attempts/{attempt_id}/report").json()
    assert again["attempt"]["id"] == attempt_id
    mine = call(member, "get", f"/api/v1/checks/{published_check.pk}/attempts").json()
    assert [row["number"] for row in mine] == [1]


def test_bad_answers_are_a_400_and_change_nothing(owner, member, testing, published_check):
    attempt = checks.attempt_start(person=member, check=published_check, estimated_score=0.5)
    item = published_check.items.first()
    path = f"/api/v1/check-attempts/{attempt.pk}/responses/{item.pk}"
    response = call(member, "put", path, {"response": 1, "certainty": 4})
    assert response.status_code == 400
    assert response.json()["detail"] == "Choose a certainty of 1 (low), 2 (mid) or 3 (high)."
    other = checks.check_create(actor=owner, community=testing, title="Other")
    foreign = checks.item_create(actor=owner, check=other, **ITEMS[2])
    response = call(
        member, "put", f"/api/v1/check-attempts/{attempt.pk}/responses/{foreign.pk}", {"response": True}
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "That item belongs to another check."
    assert not ItemResponse.objects.exists()
    checks.attempt_submit(person=member, attempt=attempt)
    assert call(member, "put", path, {"response": 1, "certainty": 1}).status_code == 400
    assert call(member, "post", f"/api/v1/check-attempts/{attempt.pk}/submit").status_code == 400
    assert ItemResponse.objects.get(attempt=attempt, item=item).response is None


def test_an_estimate_outside_0_to_1_is_a_400(member, published_check):
    response = call(member, "post", f"/api/v1/checks/{published_check.pk}/attempts", {"estimated_score": 75})
    assert response.status_code == 400
    assert response.json()["detail"] == "Give your estimate of your score from 0% to 100%."
    assert not CheckAttempt.objects.exists()


def test_a_draft_or_archived_check_cannot_be_started(owner, member, draft_check):
    assert (
        call(
            member, "post", f"/api/v1/checks/{draft_check.pk}/attempts", {"estimated_score": 0.5}
        ).status_code
        == 404
    )
    checks.check_set_status(actor=owner, check=draft_check, status="published")
    checks.check_set_status(actor=owner, check=draft_check, status="archived")
    response = call(member, "post", f"/api/v1/checks/{draft_check.pk}/attempts", {"estimated_score": 0.5})
    assert response.status_code == 400
    assert "not open" in response.json()["detail"]


def test_another_persons_attempt_is_a_404(member, outsider, owner, admin, published_check):
    attempt = take(member, published_check, RIGHT, [3, 3, 3, 3])
    item = published_check.items.first()
    for person in (outsider, owner, admin):
        assert call(person, "get", f"/api/v1/check-attempts/{attempt.pk}").status_code == 404
        assert call(person, "get", f"/api/v1/check-attempts/{attempt.pk}/report").status_code == 404
        assert call(person, "post", f"/api/v1/check-attempts/{attempt.pk}/submit").status_code == 404
        assert (
            call(
                person, "put", f"/api/v1/check-attempts/{attempt.pk}/responses/{item.pk}", {"response": 0}
            ).status_code
            == 404
        )


def test_results_are_for_leads_and_stewards_behind_the_group_rule(
    member, owner, steward, published_check, takers
):
    assert call(member, "get", f"/api/v1/checks/{published_check.pk}/statistics").status_code == 403
    assert call(member, "get", f"/api/v1/checks/{published_check.pk}/group").status_code == 403
    group_takes(takers, published_check, 4)
    withheld = call(owner, "get", f"/api/v1/checks/{published_check.pk}/statistics").json()
    assert withheld == {
        "shown": False,
        "reason": "Not enough people to show this without identifying someone.",
        "people": 0,
        "submitted": 4,
        "items": None,
    }
    group = call(steward, "get", f"/api/v1/checks/{published_check.pk}/group").json()
    assert (group["shown"], group["submitted"], group["quartiles"]) == (False, 4, None)
    group_takes(takers[4:], published_check, 20)
    statistics = call(owner, "get", f"/api/v1/checks/{published_check.pk}/statistics").json()
    assert statistics["shown"] is True
    # figures move in steps of 5 people: the first 20 of 24 count
    assert (statistics["people"], statistics["submitted"]) == (20, 24)
    # a quarter each got 0..3 items right, always the first ones: item 1 is right for 3 of 4 people
    assert [row["difficulty"] for row in statistics["items"]] == [0.75, 0.5, 0.25, 0.0]
    group = call(steward, "get", f"/api/v1/checks/{published_check.pk}/group").json()
    assert group["quartiles_shown"] is True
    assert [row["count"] for row in group["quartiles"]] == [5, 5, 5, 5]
    assert group["verdict"] in {"evidence of a real effect", "no evidence beyond the statistical artefact"}
    assert len(group["tests"]) == 3
