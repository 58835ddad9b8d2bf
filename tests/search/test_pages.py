"""The search page (with its htmx fragment) and GET /api/v1/search: who may search and what they get."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from practica.people.services import api_token_create

pytestmark = pytest.mark.django_db

PAGE = reverse("search:search")
API = "/api/v1/search"


def bearer(person) -> dict[str, str]:
    _, token = api_token_create(person=person, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def main(html: str) -> str:
    """The page below the header (the header carries a per-request CSRF token)."""
    return html[html.index("<main") :]


@pytest.fixture
def corpus(testing, private, ask, answer):
    answer(ask(testing, "Flaky builds on main", "They fail <em>at random</em>", tags=("ci",)), "Retry them")
    ask(private, "Flaky basilisk builds", tags=("hidden-tag",))


# The page ---------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get(PAGE, {"q": "flaky"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_page_without_a_query_teaches_what_search_covers(client_for, member, testing):
    response = client_for(member).get(PAGE)
    assert response.status_code == 200
    assert "Words match in any order" in response.text
    assert '<form role="search"' in response.text  # the box in the main navigation


def test_a_member_gets_ranked_highlighted_results_with_links(client_for, member, corpus):
    response = client_for(member).get(PAGE, {"q": "flaky"})
    text = response.text
    assert "3 results for <strong>flaky*</strong>" in text
    assert "<mark>Flaky</mark> builds on main" in text
    assert "Answer to: <mark>Flaky</mark> <mark>basilisk</mark>" not in text
    assert "Secret Guild" in text  # the member sees the private community's question
    assert "at random" in text and "<em>" not in text  # raw HTML in Markdown is text, never markup


def test_an_outsider_never_sees_private_results_or_their_community_in_the_filter(
    client_for, outsider, corpus
):
    client = client_for(outsider)
    text = client.get(PAGE, {"q": "flaky basilisk"}).text
    assert "Nothing you can see matches" in text and "Secret Guild" not in text
    for filters in [{"tag": "hidden-tag"}, {"community": "secret-guild"}, {"type": "question"}]:
        text = client.get(PAGE, {"q": "flaky", **filters}).text
        assert "Secret Guild" not in text
        assert "basilisk" not in text.lower()


def test_a_private_community_slug_is_refused_like_an_unknown_one(client_for, outsider, corpus):
    client = client_for(outsider)
    private = client.get(PAGE, {"q": "flaky", "community": "secret-guild"}).text
    unknown = client.get(PAGE, {"q": "flaky", "community": "no-such-guild"}).text
    assert "Choose a community from the list" in private
    assert main(private).replace("secret-guild", "X") == main(unknown).replace("no-such-guild", "X")


def test_htmx_requests_get_only_the_results_fragment(client_for, member, corpus):
    response = client_for(member).get(PAGE, {"q": "retry"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Answer to:" in response.text and "<mark>Retry</mark>" in response.text


def test_no_match_says_what_to_try_next_and_offers_to_drop_filters(client_for, member, corpus):
    text = client_for(member).get(PAGE, {"q": "zeppelin", "type": "practice"}).text
    assert "Nothing you can see matches <strong>zeppelin*</strong> with these filters" in text
    assert "Search everything instead" in text


def test_punctuation_alone_asks_for_a_word(client_for, member, corpus):
    assert "Type a word or a number" in client_for(member).get(PAGE, {"q": "((**"}).text


def test_the_page_filters_by_type_and_tag(client_for, member, corpus):
    client = client_for(member)
    assert "1 result for" in client.get(PAGE, {"q": "flaky", "type": "answer"}).text
    assert "2 results for" in client.get(PAGE, {"q": "flaky", "tag": "CI"}).text


# The API -----------------------------------------------------------------------------------------------


def test_anonymous_api_calls_get_401():
    assert Client().get(API, {"q": "flaky"}).status_code == 401


def test_the_api_returns_ranked_results_with_escaped_snippets(member, corpus):
    response = Client().get(API, {"q": "flaky builds"}, **bearer(member))
    assert response.status_code == 200
    body = response.json()
    assert (body["query"], body["total"], body["limit"], body["offset"]) == ("flaky builds*", 3, 20, 0)
    assert (body["total_is_capped"], body["ordering"]) == (False, "relevance")
    first = body["items"][0]
    assert first["kind"] == "question" and first["title"] in {"Flaky builds on main", "Flaky basilisk builds"}
    assert "<mark>" in first["title_html"]
    assert {item["community_slug"] for item in body["items"]} == {"testing", "secret-guild"}


def test_the_api_hides_private_documents_from_outsiders_under_every_filter(outsider, corpus):
    client = Client()
    headers = bearer(outsider)
    for filters in [{}, {"tag": "hidden-tag"}, {"community": "secret-guild"}, {"type": "question"}]:
        body = client.get(API, {"q": "basilisk", **filters}, **headers).json()
        assert (body["total"], body["items"]) == (0, []), filters
    assert client.get(API, {"q": "flaky"}, **headers).json()["total"] == 2


def test_the_api_filters_and_pages(member, corpus):
    client = Client()
    headers = bearer(member)
    body = client.get(
        API, {"q": "flaky", "type": "answer", "community": "testing", "tag": "ci"}, **headers
    ).json()
    assert [item["kind"] for item in body["items"]] == ["answer"]
    body = client.get(API, {"q": "flaky", "limit": 1, "offset": 1}, **headers).json()
    assert (body["total"], len(body["items"])) == (3, 1)


@pytest.mark.parametrize(
    ("params", "status"),
    [({}, 422), ({"q": "((**"}, 400), ({"q": "x", "type": "person"}, 422), ({"q": "x", "limit": 500}, 422)],
)
def test_the_api_refuses_bad_input_with_a_clear_error(member, corpus, params, status):
    response = Client().get(API, params, **bearer(member))
    assert response.status_code == status
    if status == 400:
        assert response.json() == {"detail": "Give at least one word or number to search for."}
