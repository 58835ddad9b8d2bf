from __future__ import annotations

import pytest
from django.test import Client

from practica.communities.models import Community, Membership, MembershipStatus, Stage, Visibility
from practica.communities.services import community_create, membership_join
from practica.people.services import api_token_create

pytestmark = pytest.mark.django_db


def bearer(person) -> dict[str, str]:
    _, token = api_token_create(person=person, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def open_community(owner, member):
    community = community_create(
        actor=owner, name="Testing", summary="Tests", tags="qa", visibility=Visibility.OPEN
    )
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def private_community(owner):
    return community_create(
        actor=owner, name="Security Champions", visibility=Visibility.PRIVATE, tags="security"
    )


def test_anonymous_calls_get_401(open_community):
    client = Client()
    assert client.get("/api/v1/communities").status_code == 401
    assert client.get("/api/v1/communities/testing").status_code == 401
    assert (
        client.post("/api/v1/communities", {"name": "X"}, content_type="application/json").status_code == 401
    )


def test_list_shows_open_communities_with_counts(open_community, member):
    body = Client().get("/api/v1/communities", **bearer(member)).json()
    assert [(c["slug"], c["member_count"], c["my_status"]) for c in body["items"]] == [
        ("testing", 2, "active")
    ]


def test_private_community_is_invisible_to_an_outsider_in_list_search_tag_and_detail(
    private_community, open_community, outsider
):
    client = Client()
    headers = bearer(outsider)
    assert [c["slug"] for c in client.get("/api/v1/communities", **headers).json()["items"]] == ["testing"]
    assert client.get("/api/v1/communities", {"q": "security"}, **headers).json()["count"] == 0
    assert client.get("/api/v1/communities", {"tag": "security"}, **headers).json()["count"] == 0
    assert client.get("/api/v1/communities", {"visibility": "private"}, **headers).json()["count"] == 0
    for path in ["", "/members"]:
        response = client.get(f"/api/v1/communities/security-champions{path}", **headers)
        assert response.status_code == 404, path
    response = client.post(
        "/api/v1/communities/security-champions/membership", {}, content_type="application/json", **headers
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(person=outsider).exists()


def test_the_lead_sees_the_private_community_with_its_count(private_community, owner):
    body = Client().get("/api/v1/communities/security-champions", **bearer(owner)).json()
    assert body["member_count"] == 1
    assert body["my_role"] == "lead"


def test_create_makes_the_caller_lead_and_bad_input_changes_nothing(member):
    client = Client()
    headers = bearer(member)
    response = client.post(
        "/api/v1/communities",
        {"name": "Frontend Craft", "tags": ["web", "css"], "domain": "Web **UI**"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["slug"], body["my_role"], body["charter"]["version"]) == ("frontend-craft", "lead", 1)
    assert {tag["slug"] for tag in body["tags"]} == {"web", "css"}
    duplicate = client.post(
        "/api/v1/communities", {"name": "frontend craft"}, content_type="application/json", **headers
    )
    assert duplicate.status_code == 400
    assert duplicate.json() == {"detail": "A community named frontend craft already exists."}
    bad = client.post(
        "/api/v1/communities",
        {"name": "X", "visibility": "secret"},
        content_type="application/json",
        **headers,
    )
    assert bad.status_code == 422
    assert Community.objects.count() == 1


def test_charter_update_needs_the_base_version_and_refuses_stale_edits(open_community, owner):
    client = Client()
    headers = bearer(owner)
    url = "/api/v1/communities/testing"
    missing = client.patch(url, {"domain": "New"}, content_type="application/json", **headers)
    assert missing.status_code == 400
    ok = client.patch(
        url, {"domain": "New", "charter_base_version": 1}, content_type="application/json", **headers
    )
    assert ok.status_code == 200
    assert ok.json()["charter"] == {**ok.json()["charter"], "version": 2, "domain": "New"}
    stale = client.patch(
        url, {"domain": "Older edit", "charter_base_version": 1}, content_type="application/json", **headers
    )
    assert stale.status_code == 400
    assert "Someone saved the charter after you started editing" in stale.json()["detail"]
    open_community.refresh_from_db()
    assert (open_community.domain, open_community.charter_version) == ("New", 2)


def test_only_leads_update_or_change_stage(open_community, member):
    client = Client()
    headers = bearer(member)
    response = client.patch(
        "/api/v1/communities/testing", {"name": "Mine"}, content_type="application/json", **headers
    )
    assert response.status_code == 403
    response = client.post(
        "/api/v1/communities/testing/stage",
        {"stage": "maturing", "reason": "x"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 403
    open_community.refresh_from_db()
    assert (open_community.name, open_community.stage) == ("Testing", Stage.POTENTIAL)


def test_lead_changes_stage_with_a_reason(open_community, owner):
    client = Client()
    headers = bearer(owner)
    response = client.post(
        "/api/v1/communities/testing/stage",
        {"stage": "coalescing", "reason": "First meetups went well"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    history = response.json()["stage_history"]
    assert history[0]["to_stage"] == "coalescing"
    assert history[0]["reason"] == "First meetups went well"
    empty = client.post(
        "/api/v1/communities/testing/stage",
        {"stage": "maturing", "reason": " "},
        content_type="application/json",
        **headers,
    )
    assert empty.status_code == 400


def test_join_request_and_leave(owner, outsider):
    community_create(actor=owner, name="Discovery", visibility=Visibility.REQUEST)
    client = Client()
    headers = bearer(outsider)
    response = client.post(
        "/api/v1/communities/discovery/membership",
        {"message": "I run interviews"},
        content_type="application/json",
        **headers,
    )
    assert response.json()["status"] == MembershipStatus.REQUESTED
    again = client.post(
        "/api/v1/communities/discovery/membership", {}, content_type="application/json", **headers
    )
    assert again.status_code == 400
    leave = client.delete("/api/v1/communities/discovery/membership", **headers)
    assert leave.status_code == 400  # a request is not a membership


def test_members_list_shows_levels(open_community, member):
    body = Client().get("/api/v1/communities/testing/members", **bearer(member)).json()
    assert {(m["display_name"], m["role"]) for m in body["items"]} == {
        ("Olivia Owner", "lead"),
        ("Max Member", "member"),
    }
