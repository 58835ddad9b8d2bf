"""Reviews in the JSON API: 401 signed out, 404 for outsiders, 400 with the refusal's text, and an
anonymous item's author withheld from everyone but its author."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from practica.communities.services import community_create, membership_join
from practica.learning import reviews
from practica.learning.models import (
    Action,
    DotVote,
    InsightAdoption,
    InsightShare,
    Review,
    ReviewGroup,
    ReviewItem,
    ReviewPhase,
)
from practica.people.models import Person
from practica.people.services import api_token_create, team_membership_set
from tests.learning.helpers import set_phase

pytestmark = pytest.mark.django_db


def bearer(person: Person) -> dict[str, str]:
    _, token = api_token_create(person=person, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def get(person: Person, path: str) -> Any:
    return Client().get("/api/v1" + path, **bearer(person))


def send(person: Person, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    client = Client()
    call = getattr(client, method)
    return call("/api/v1" + path, body or {}, content_type="application/json", **bearer(person))


def test_signed_out_calls_get_401(retro):
    client = Client()
    assert client.get("/api/v1/learning/reviews").status_code == 401
    assert client.get(f"/api/v1/learning/reviews/{retro.pk}").status_code == 401
    assert client.get("/api/v1/learning/templates").status_code == 401
    response = client.post(
        f"/api/v1/learning/reviews/{retro.pk}/items",
        {"section": "stop", "text": "x"},
        content_type="application/json",
    )
    assert response.status_code == 401 and not ReviewItem.objects.exists()


def test_templates_list_the_library(member):
    slugs = {row["slug"] for row in get(member, "/learning/templates?kind=experiment").json()}
    assert slugs == {"lean-test-card", "lean-learning-card"}


def test_create_a_review_and_run_it_through_the_api(member, owner, team):
    created = send(member, "post", "/learning/reviews", {"template": "four-ls", "team": team.slug})
    assert created.status_code == 201
    review_id = created.json()["id"]
    assert created.json()["you_facilitate"] and created.json()["phase"] == "collect"
    item = send(owner, "post", f"/learning/reviews/{review_id}/items", {"section": "lacked", "text": "Docs"})
    assert item.status_code == 201 and item.json()["author"] == owner.display_name
    edited = send(
        owner, "patch", f"/learning/reviews/{review_id}/items/{item.json()['id']}", {"text": "Docs!"}
    )
    assert edited.json()["text"] == "Docs!"
    assert send(member, "post", f"/learning/reviews/{review_id}/phase", {"phase": "group"}).status_code == 200
    group = send(
        member,
        "post",
        f"/learning/reviews/{review_id}/groups",
        {"title": "Docs", "item_ids": [item.json()["id"]]},
    )
    assert group.status_code == 201 and group.json()["item_ids"] == [item.json()["id"]]
    send(member, "post", f"/learning/reviews/{review_id}/phase", {"phase": "vote"})
    vote = send(owner, "post", f"/learning/reviews/{review_id}/items/{item.json()['id']}/votes")
    assert vote.status_code == 201 and vote.json()["votes"] == 1 and vote.json()["my_votes"] == 1
    assert (
        send(owner, "delete", f"/learning/reviews/{review_id}/items/{item.json()['id']}/votes").json()[
            "votes"
        ]
        == 0
    )
    send(member, "post", f"/learning/reviews/{review_id}/phase", {"phase": "act"})
    insight = send(
        owner,
        "post",
        f"/learning/reviews/{review_id}/insights",
        {"title": "Write docs first", "group_id": group.json()["id"]},
    )
    assert insight.status_code == 201
    action = send(
        owner,
        "post",
        f"/learning/reviews/{review_id}/actions",
        {"title": "Docs day", "owner_id": member.pk, "due_on": "2030-01-31"},
    )
    assert action.status_code == 201 and action.json()["owner"] == member.display_name
    mine = get(member, "/learning/me/actions").json()
    assert [row["title"] for row in mine] == ["Docs day"]
    done = send(member, "patch", f"/learning/actions/{action.json()['id']}", {"status": "done"})
    assert done.json()["status"] == "done"


def test_anonymous_authors_are_null_for_the_facilitator_and_named_for_the_author(retro, owner, member):
    reviews.review_item_add(actor=member, review=retro, section="stop", text="Blame", anonymous=True)
    (as_facilitator,) = get(owner, f"/learning/reviews/{retro.pk}").json()["items"]
    assert as_facilitator["author"] is None and not as_facilitator["mine"] and as_facilitator["anonymous"]
    (as_author,) = get(member, f"/learning/reviews/{retro.pk}").json()["items"]
    assert as_author["author"] == member.display_name and as_author["mine"]
    assert member.display_name not in get(owner, f"/learning/reviews/{retro.pk}").content.decode()


def test_outsiders_get_404_on_every_review_endpoint(retro, outsider, member):
    item = reviews.review_item_add(actor=member, review=retro, section="stop", text="Blame", anonymous=True)
    assert get(outsider, f"/learning/reviews/{retro.pk}").status_code == 404
    assert get(outsider, "/learning/reviews").json()["count"] == 0
    for method, path, body in [
        ("post", f"/learning/reviews/{retro.pk}/items", {"section": "stop", "text": "x"}),
        ("patch", f"/learning/reviews/{retro.pk}/items/{item.pk}", {"text": "x"}),
        ("post", f"/learning/reviews/{retro.pk}/phase", {"phase": "closed"}),
        ("post", f"/learning/reviews/{retro.pk}/groups", {"title": "x", "item_ids": [item.pk]}),
        ("post", f"/learning/reviews/{retro.pk}/items/{item.pk}/votes", None),
        ("post", f"/learning/reviews/{retro.pk}/insights", {"title": "x"}),
        ("post", f"/learning/reviews/{retro.pk}/actions", {"title": "x"}),
        ("post", f"/learning/reviews/{retro.pk}/follow-ups", {"action_id": 1, "outcome": "done"}),
    ]:
        assert send(outsider, method, path, body).status_code == 404, path
    assert ReviewItem.objects.get().text == "Blame" and Review.objects.get().phase == ReviewPhase.COLLECT
    assert not ReviewGroup.objects.exists()


def test_outsider_cannot_start_a_review_for_someone_elses_team(outsider, team):
    response = send(outsider, "post", "/learning/reviews", {"template": "four-ls", "team": team.slug})
    assert response.status_code == 400 and "Only members of the team" in response.json()["detail"]
    assert not Review.objects.exists()


def test_bad_input_is_a_400_with_the_services_message(make_review, owner, member, team, outsider):
    review = make_review(owner, team=team, dots_per_person=1)
    item = reviews.review_item_add(actor=member, review=review, section="stop", text="Late")
    wrong_phase = send(member, "post", f"/learning/reviews/{review.pk}/items/{item.pk}/votes")
    assert wrong_phase.status_code == 400 and "Dot-voting happens" in wrong_phase.json()["detail"]
    set_phase(review, ReviewPhase.VOTE)
    send(member, "post", f"/learning/reviews/{review.pk}/items/{item.pk}/votes")
    over = send(member, "post", f"/learning/reviews/{review.pk}/items/{item.pk}/votes")
    assert over.status_code == 400 and "used all 1 of your dots" in over.json()["detail"]
    assert DotVote.objects.count() == 1
    not_facilitator = send(member, "post", f"/learning/reviews/{review.pk}/phase", {"phase": "act"})
    assert not_facilitator.status_code == 400
    set_phase(review, ReviewPhase.ACT)
    bad_owner = send(
        member, "post", f"/learning/reviews/{review.pk}/actions", {"title": "x", "owner_id": outsider.pk}
    )
    assert bad_owner.status_code == 400 and "owner must be one of" in bad_owner.json()["detail"]
    set_phase(review, ReviewPhase.CLOSED)
    closed = send(member, "post", f"/learning/reviews/{review.pk}/items", {"section": "stop", "text": "x"})
    assert closed.status_code == 400 and "closed" in closed.json()["detail"]
    assert not Action.objects.exists() and ReviewItem.objects.count() == 1


def test_follow_ups_and_follow_through(retro, make_review, owner, member, team):
    set_phase(retro, ReviewPhase.ACT)
    action = reviews.action_create(actor=owner, review=retro, title="Cache builds", owner=member)
    set_phase(retro, ReviewPhase.CLOSED)
    second = make_review(owner, team=team)
    board = get(member, f"/learning/reviews/{second.pk}").json()
    assert [row["title"] for row in board["to_follow_up"]] == ["Cache builds"]
    bad = send(
        member,
        "post",
        f"/learning/reviews/{second.pk}/follow-ups",
        {"action_id": action.pk, "outcome": "maybe"},
    )
    assert bad.status_code == 400
    done = send(
        member,
        "post",
        f"/learning/reviews/{second.pk}/follow-ups",
        {"action_id": action.pk, "outcome": "done"},
    )
    assert done.json()["followed_up_in_id"] == second.pk
    rate = get(member, f"/learning/teams/{team.slug}/follow-through").json()
    assert rate["rate"] == 1.0 and "followed up" in rate["definition"]
    board = get(member, f"/learning/reviews/{second.pk}").json()
    assert board["follow_through"]["done"] == 1 and board["to_follow_up"] == []


def test_share_adopt_and_spread(retro, owner, member, outsider, other_team, community, private_community):
    set_phase(retro, ReviewPhase.ACT)
    insight = reviews.insight_create(actor=member, review=retro, title="Small PRs")
    assert get(outsider, f"/learning/insights/{insight.pk}").status_code == 404
    refused = send(
        member, "post", f"/learning/insights/{insight.pk}/shares", {"communities": [private_community.slug]}
    )
    assert refused.status_code == 400 and "cannot see them" in refused.json()["detail"]
    elsewhere = community_create(actor=owner, name="Elsewhere")
    refused = send(
        member, "post", f"/learning/insights/{insight.pk}/shares", {"communities": [elsewhere.slug]}
    )
    assert refused.status_code == 400 and "not in Elsewhere" in refused.json()["detail"]
    assert not InsightShare.objects.exists()
    shared = send(
        member, "post", f"/learning/insights/{insight.pk}/shares", {"communities": [community.slug]}
    )
    assert shared.status_code == 201 and shared.json()["spread"]["shares"][0]["community"] == "testing"
    assert InsightShare.objects.count() == 1
    membership_join(person=outsider, community=community)
    not_my_team = send(
        outsider, "post", f"/learning/insights/{insight.pk}/adoptions", {"team": other_team.slug}
    )
    assert not_my_team.status_code == 400 and "not in Search" in not_my_team.json()["detail"]
    assert not InsightAdoption.objects.exists()
    team_membership_set(person=outsider, team=other_team, manager=None)
    adopted = send(
        outsider,
        "post",
        f"/learning/insights/{insight.pk}/adoptions",
        {"team": other_team.slug, "note": "Cap"},
    )
    assert adopted.status_code == 201
    (adoption,) = adopted.json()["spread"]["adoptions"]
    assert adoption["team"] == "Search" and adoption["via_community"] == "testing"
    listed = get(outsider, "/learning/insights").json()["items"]
    assert listed[0]["adoption_count"] == 1 and listed[0]["share_count"] == 1


def test_team_follow_through_is_for_team_members(outsider, team):
    assert get(outsider, f"/learning/teams/{team.slug}/follow-through").status_code == 404
