from __future__ import annotations

import pytest
from django.test import Client

from practica.people.models import ApiToken
from practica.people.services import api_token_create, api_token_revoke
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def bearer(person) -> dict[str, str]:
    _, token = api_token_create(person=person, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.parametrize(
    "path", ["/api/v1/me", "/api/v1/people", "/api/v1/people/1", "/api/v1/teams", "/api/v1/teams/payments"]
)
def test_anonymous_calls_get_401(path, owner):
    response = Client().get(path)
    assert response.status_code == 401


def test_a_wrong_or_revoked_token_gets_401(owner):
    client = Client()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer pra_nonsense").status_code == 401
    record, token = api_token_create(person=owner, name="old")
    api_token_revoke(person=owner, token_id=record.pk)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_token_of_a_deactivated_account_gets_401(owner):
    headers = bearer(owner)
    owner.user.is_active = False
    owner.user.save()
    assert Client().get("/api/v1/me", **headers).status_code == 401


def test_me_returns_the_token_owner(owner):
    response = Client().get("/api/v1/me", **bearer(owner))
    assert response.status_code == 200
    body = response.json()
    assert body["display_name"] == "Olivia Owner"
    assert body["email"] == "owner@example.org"
    assert body["teams"] == [{"team": {"slug": "payments", "name": "Payments"}, "manager_id": None}]


def test_the_session_also_authenticates_for_the_browser(client_for, owner):
    assert client_for(owner).get("/api/v1/me").json()["display_name"] == "Olivia Owner"


def test_an_anonymous_write_gets_401_not_a_csrf_error(owner):
    # A real client (CSRF enforced, as for curl or a browser) that forgot its token is told to sign in.
    client = Client(enforce_csrf_checks=True)
    response = client.put("/api/v1/me/broker-listing", '{"listed": true}', content_type="application/json")
    assert response.status_code == 401
    created = client.post("/api/v1/communities", '{"name": "Nope"}', content_type="application/json")
    assert created.status_code == 401


def test_a_signed_in_session_still_needs_the_csrf_token_to_write(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    body = '{"listed": true}'
    refused = client.put("/api/v1/me/broker-listing", body, content_type="application/json")
    assert refused.status_code == 403
    owner.refresh_from_db()
    assert owner.listed_as_broker is False
    client.get("/me/")  # the page sets the CSRF cookie, as a browser would receive it
    token = client.cookies["csrftoken"].value
    accepted = client.put(
        "/api/v1/me/broker-listing", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 200
    owner.refresh_from_db()
    assert owner.listed_as_broker is True


def test_people_list_searches_filters_and_paginates(owner, member, outsider):
    client = Client()
    headers = bearer(member)
    body = client.get("/api/v1/people", {"q": "olivia"}, **headers).json()
    assert [person["display_name"] for person in body["items"]] == ["Olivia Owner"]
    body = client.get("/api/v1/people", {"team": "engineering"}, **headers).json()
    assert {person["display_name"] for person in body["items"]} == {"Olivia Owner", "Max Member"}
    assert body["count"] == 2


def test_an_unknown_team_filter_is_a_400_with_a_clear_message(owner):
    response = Client().get("/api/v1/people", {"team": "nope"}, **bearer(owner))
    assert response.status_code == 400
    assert response.json() == {"detail": "No team with the slug 'nope'."}


def test_person_detail_and_404(owner, member):
    client = Client()
    headers = bearer(member)
    assert client.get(f"/api/v1/people/{owner.pk}", **headers).json()["title"] == "Backend Engineer"
    response = client.get("/api/v1/people/999999", **headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "No such person."}


def test_teams_list_and_detail(owner, member):
    client = Client()
    headers = bearer(member)
    body = client.get("/api/v1/teams", **headers).json()
    by_slug = {team["slug"]: team for team in body["items"]}
    assert by_slug["payments"]["parent"] == "engineering"
    assert by_slug["payments"]["member_count"] == 2
    assert by_slug["engineering"]["parent"] is None
    assert client.get("/api/v1/teams/payments", **headers).json()["kind"] == "team"
    assert client.get("/api/v1/teams/nope", **headers).status_code == 404


def test_token_endpoint_exchanges_a_password_for_a_working_token(owner):
    client = Client()
    response = client.post(
        "/api/v1/tokens", {"username": "owner", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 201
    token = response.json()["token"]
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert ApiToken.objects.filter(person=owner).count() == 1


def test_token_endpoint_refuses_a_wrong_password_and_bad_json(owner):
    client = Client()
    response = client.post(
        "/api/v1/tokens", {"username": "owner", "password": "nope"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Username or password is wrong."}
    response = client.post("/api/v1/tokens", {"username": "owner"}, content_type="application/json")
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_token_endpoint_is_throttled_against_guessing(owner, settings):
    settings.PRACTICA_LOGIN_THROTTLE = 3
    client = Client()
    for _ in range(3):
        client.post(
            "/api/v1/tokens", {"username": "owner", "password": "guess"}, content_type="application/json"
        )
    response = client.post(
        "/api/v1/tokens", {"username": "owner", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 429  # Too Many Requests
    assert "Too many sign-in attempts" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_openapi_schema_and_docs_are_published(db):
    client = Client()
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/people" in schema["paths"]
    assert "/api/v1/tokens" in schema["paths"]
    assert client.get("/api/docs").url == "/api/v1/docs"
    assert client.get("/api/v1/docs").status_code == 200


def test_people_list_query_count_is_constant(owner, make_person, team, django_assert_max_num_queries):
    from practica.people.services import team_membership_set

    headers = bearer(owner)
    for number in range(30):
        team_membership_set(person=make_person(f"bulk{number}"), team=team, manager=None)
    with django_assert_max_num_queries(6):
        assert Client().get("/api/v1/people", **headers).status_code == 200


def test_broker_listing_is_each_persons_own_choice(owner, member):
    client = Client()
    response = client.put("/api/v1/me/broker-listing", {"listed": True}, "application/json", **bearer(owner))
    assert response.status_code == 200 and response.json() == {"listed": True}
    assert client.get("/api/v1/me", **bearer(owner)).json()["listed_as_broker"] is True
    assert client.get("/api/v1/me", **bearer(member)).json()["listed_as_broker"] is False
    owner.refresh_from_db()
    member.refresh_from_db()
    assert owner.listed_as_broker and not member.listed_as_broker


def test_broker_listing_refuses_bad_input_and_strangers(owner):
    client = Client()
    for body in ({}, {"listed": "perhaps"}, [True]):
        response = client.put("/api/v1/me/broker-listing", body, "application/json", **bearer(owner))
        assert response.status_code in (400, 422), body
        assert response.json()["detail"]
    anonymous = client.put("/api/v1/me/broker-listing", {"listed": True}, "application/json")
    assert anonymous.status_code == 401
    owner.refresh_from_db()
    assert not owner.listed_as_broker
