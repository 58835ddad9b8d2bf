"""Outsiders are refused everywhere, found generically from the URL resolver and the OpenAPI schema.

* Every page route: a signed-out visitor is sent to sign in (except the few public pages below).
* Every API operation: a request without a token or session gets 401.
* Every page and API read of a private community that its member can open: a signed-in outsider
  gets 403 or 404 and the community's name appears nowhere in the answer.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from practica.core import access_table

# Pages anyone may open, and why.
PUBLIC_PAGES = {
    "login": "the sign-in page",
    "logout": "signing out (POST only; a GET is refused with 405)",
    "password_reset": "asking for a reset email",
    "password_reset_done": "the 'email sent' page",
    "password_reset_confirm": "the link from the email (the token is checked)",
    "password_reset_complete": "the 'password changed' page",
}
PUBLIC_PREFIXES = ("communities:calendar-", "communities:feed")  # secret-token calendar feeds
SECRET_NAME = "Hidden Guild Of Secrets"


def _fill(route: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        if name in values:
            return values[name]
        return "1" if converter == "int" else "x"

    return re.sub(r"<(?:(\w+):)?(\w+)>", replace, route)


def _fill_api(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: values.get(match.group(1), "1"), path)


def _is_public(name: str) -> bool:
    return name in PUBLIC_PAGES or name.startswith(PUBLIC_PREFIXES)


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in_on_every_page():
    client = Client()
    refused = []
    for route in access_table.page_routes():
        if _is_public(route.name):
            continue
        response = client.get(_fill(route.route, {}))
        if response.status_code in (301, 302) and "/signin/" in response.get("Location", ""):
            continue
        if response.status_code in (403, 404, 405):
            continue  # refused without revealing anything
        refused.append(f"{route.name} {route.route}: {response.status_code}")
    assert refused == [], "pages open to signed-out visitors:\n" + "\n".join(refused)


@pytest.mark.django_db
def test_every_api_operation_needs_a_token_or_session():
    client = Client()
    open_operations = []
    for operation in access_table.api_operations():
        if operation.anonymous:
            continue
        method, path = operation.key.split(" ", 1)
        response = client.generic(method, _fill_api(path, {}), "{}", content_type="application/json")
        if response.status_code != 401:
            open_operations.append(f"{operation.key}: {response.status_code}")
    assert open_operations == [], "operations answering without authentication:\n" + "\n".join(
        open_operations
    )


def test_only_the_token_exchange_is_anonymous_in_the_api(db):
    anonymous = [operation.key for operation in access_table.api_operations() if operation.anonymous]
    assert anonymous == ["POST /api/v1/tokens"]


@pytest.fixture
def private_community(owner, member):
    from practica.communities.models import Visibility
    from practica.communities.services import community_create, membership_invite, membership_join

    community = community_create(actor=owner, name=SECRET_NAME, visibility=Visibility.PRIVATE)
    membership_invite(actor=owner, community=community, person=member)
    membership_join(person=member, community=community)
    return community


def test_a_private_community_leaks_nowhere_to_a_signed_in_outsider(
    private_community, member, outsider, client_for
):
    values = {"slug": private_community.slug}
    as_member, as_outsider = client_for(member), client_for(outsider)
    checked, leaks = 0, []
    for route in access_table.page_routes():
        if not route.route.startswith("/communities/<slug:slug>/") or set(
            re.findall(r"<(?:\w+:)?(\w+)>", route.route)
        ) != {"slug"}:
            continue
        url = _fill(route.route, values)
        if as_member.get(url).status_code != 200:
            continue  # a form-only route or one for leads: nothing the member reads here
        checked += 1
        response = as_outsider.get(url)
        if response.status_code not in (403, 404) or SECRET_NAME in response.content.decode():
            leaks.append(f"{route.name} {url}: {response.status_code}")
    for operation in access_table.api_operations():
        method, path = operation.key.split(" ", 1)
        if (
            method != "GET"
            or set(re.findall(r"\{(\w+)\}", path)) != {"slug"}
            or "/communities/{slug}" not in path
        ):
            continue
        url = _fill_api(path, values)
        if as_member.get(url).status_code != 200:
            continue
        checked += 1
        response = as_outsider.get(url)
        if response.status_code not in (403, 404) or SECRET_NAME in response.content.decode():
            leaks.append(f"{operation.key}: {response.status_code}")
    assert leaks == [], "private community content open to an outsider:\n" + "\n".join(leaks)
    assert checked >= 10  # the member really could read these pages


def test_lists_and_search_do_not_show_the_private_community(private_community, outsider, client_for):
    client = client_for(outsider)
    for url in [
        "/communities/",
        "/api/v1/communities",
        "/search/?q=guild",
        "/api/v1/search?q=guild",
        "/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET_NAME not in response.content.decode(), url
