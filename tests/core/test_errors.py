"""One ApplicationError: a message on the page it came from, a fragment for htmx, 400 elsewhere."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import RequestFactory

from practica.communities.services import community_create
from practica.core.views import server_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def testing(owner):
    return community_create(actor=owner, name="Testing")


def test_a_refused_post_goes_back_with_the_message(client_for, member, testing):
    # Leaving a community you are not in is refused by the service with an ApplicationError.
    response = client_for(member).post(
        "/communities/testing/leave/", HTTP_REFERER="http://testserver/communities/testing/"
    )
    assert response.status_code == 302
    assert response.url == "http://testserver/communities/testing/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You are not a member of this community."
    ]


def test_a_refused_htmx_request_gets_the_message_as_a_fragment(client_for, member, testing):
    response = client_for(member).post("/communities/testing/leave/", HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "<html" not in response.text
    assert "You are not a member of this community." in response.text


def test_a_refused_post_from_elsewhere_gets_a_400_page(client_for, member, testing):
    response = client_for(member).post(
        "/communities/testing/leave/", HTTP_REFERER="https://evil.example/phish"
    )
    assert response.status_code == 400
    assert "You are not a member of this community." in response.text
    assert "evil.example" not in response.get("Location", "")


def test_the_500_page_renders_without_the_database_or_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_403_and_404_pages_use_the_layout(client_for, member, testing):
    response = client_for(member).get("/communities/testing/settings/")
    assert response.status_code == 403
    assert "You do not have access to this" in response.text
    assert "Only a lead of this community can do that." in response.text
    assert "Page not found" in client_for(member).get("/no/such/page/").text
