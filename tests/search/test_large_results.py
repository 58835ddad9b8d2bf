"""Huge result sets on SQLite: capped totals, newest first for very common words, and privacy on both.

The thresholds are lowered so a handful of documents count as "very common" and "more than the cap".
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practica.search import selectors
from practica.search.models import SearchDocument
from practica.search.selectors import search
from tests.search.test_pages import bearer

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's capped counts and newest-first path"),
]


@pytest.fixture
def small_thresholds(monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 4)
    monkeypatch.setattr(selectors, "COMMON_MIN", 3)
    monkeypatch.setattr(selectors, "COMMON_SHARE", 0.5)


def age(title: str, days: int) -> None:
    SearchDocument.objects.filter(title=title).update(updated_at=timezone.now() - timedelta(days=days))


@pytest.fixture
def common(testing, private, ask):
    """'common' in 8 open and 3 private questions (the private ones the newest); 'rare' in two."""
    for number in range(8):
        ask(testing, f"Open common {number}", "common words " + ("rare" if number in (2, 5) else ""))
        age(f"Open common {number}", 10 + number)
    for number in range(3):
        ask(private, f"Hidden common {number}", "common basilisk rare")
        age(f"Hidden common {number}", number)


def test_very_common_words_come_newest_first_and_say_so(small_thresholds, outsider, common):
    results = search(outsider, "common", limit=3)
    assert results.ordering == "newest"
    assert [hit.title for hit in results.items] == ["Open common 0", "Open common 1", "Open common 2"]
    nxt = search(outsider, "common", limit=3, offset=3)
    assert [hit.title for hit in nxt.items] == ["Open common 3", "Open common 4", "Open common 5"]


def test_newest_first_never_shows_or_counts_private_documents(
    small_thresholds, monkeypatch, outsider, member, common
):
    monkeypatch.setattr(selectors, "COUNT_CAP", 100)
    outside = search(outsider, "common", limit=20)
    assert outside.ordering == "newest"
    assert (outside.total, outside.total_is_capped) == (8, False)
    assert all(hit.community_slug != "secret-guild" for hit in outside.items)
    assert [hit.title for hit in outside.items][:1] == ["Open common 0"]
    inside = search(member, "common", limit=20)
    assert inside.total == 11
    assert [hit.title for hit in inside.items][:3] == [
        "Hidden common 0",
        "Hidden common 1",
        "Hidden common 2",
    ]


def test_totals_are_capped_without_counting_private_documents(
    small_thresholds, outsider, testing, private, ask
):
    for number in range(4):
        ask(testing, f"Open capped {number}", "captopic")
    for number in range(5):
        ask(private, f"Hidden capped {number}", "captopic")
    # Four visible documents: exactly the cap, so not "more than"; the five private ones never count.
    results = search(outsider, "captopic")
    assert (results.total, results.total_is_capped) == (4, False)
    ask(testing, "Open capped 4", "captopic")
    results = search(outsider, "captopic", limit=2)
    assert (results.total, results.total_is_capped) == (4, True)
    assert results.has_next


def test_informative_words_still_rank_by_bm25_beside_a_common_one(small_thresholds, outsider, common):
    # "common" is in most documents but "rare" is not: all words are required, best match first.
    results = search(outsider, "common rare")
    assert results.ordering == "relevance"
    assert {hit.title for hit in results.items} == {"Open common 2", "Open common 5"}
    assert results.total == 2
    assert results.items[0].rank >= results.items[1].rank > 0


def test_title_matches_still_beat_body_matches_when_ranking(outsider, testing, ask):
    ask(testing, "Notes", "something about tracing " * 3)
    ask(testing, "Tracing spans", "body")
    results = search(outsider, "tracing")
    assert results.ordering == "relevance"
    assert [hit.title for hit in results.items] == ["Tracing spans", "Notes"]


def test_ranking_falls_back_to_every_match_when_the_best_are_private(
    monkeypatch, outsider, testing, private, ask
):
    # Only the best RANKED_CANDIDATES + 4 * (offset + limit) matches are filtered first; when they are
    # all private the page must still come out complete and in rank order.
    monkeypatch.setattr(selectors, "RANKED_CANDIDATES", 0)
    for number in range(6):
        ask(private, f"Fallback fallback fallback {number}", "fallback")
    ask(testing, "Open one", "fallback")
    ask(testing, "Open two", "something fallback")
    results = search(outsider, "fallback", limit=1)
    assert [hit.title for hit in results.items] == ["Open one"]
    assert results.total == 2
    assert [hit.title for hit in search(outsider, "fallback", limit=1, offset=1).items] == ["Open two"]


def test_the_page_and_api_say_when_totals_are_capped_and_results_newest_first(
    small_thresholds, client_for, outsider, common
):
    text = client_for(outsider).get(reverse("search:search"), {"q": "common"}).text
    assert "More than 4 results for <strong>common*</strong>" in text
    assert "Newest first because the words are very common" in text
    assert "basilisk" not in text.lower() and "Hidden common" not in text
    body = Client().get("/api/v1/search", {"q": "common"}, **bearer(outsider)).json()
    assert (body["total"], body["total_is_capped"], body["ordering"]) == (4, True, "newest")
    assert all(item["community_slug"] == "testing" for item in body["items"])
    body = Client().get("/api/v1/search", {"q": "common rare"}, **bearer(outsider)).json()
    assert (body["total"], body["total_is_capped"], body["ordering"]) == (2, False, "relevance")
