"""What a person types becomes words and phrases only, never engine syntax (no database needed)."""

from __future__ import annotations

import pytest

from practica.search.query import MAX_TERMS, ParsedQuery, parse_query


def test_words_become_quoted_terms_and_the_last_word_a_prefix():
    parsed = parse_query("Flaky kube")
    assert parsed.phrases == (("flaky",), ("kube",))
    assert parsed.fts5() == '"flaky" "kube"*'
    assert parsed.tsquery() == "flaky & kube:*"


def test_a_trailing_space_ends_the_prefix():
    assert not parse_query("flaky kube ").prefix_last


def test_short_last_words_are_not_prefixes():
    assert parse_query("ci").fts5() == '"ci"'


def test_a_trailing_star_asks_for_a_prefix():
    assert parse_query("kube*").fts5() == '"kube"*'


def test_quotes_make_a_phrase_and_hyphenated_words_are_phrases_too():
    parsed = parse_query('"contract testing" test-driven ')
    assert parsed.phrases == (("contract", "testing"), ("test", "driven"))
    assert parsed.fts5() == '"contract testing" "test driven"'
    assert parsed.tsquery() == "(contract <-> testing) & (test <-> driven)"


@pytest.mark.parametrize(
    "text",
    [
        'a" OR "b',
        "NEAR(flaky tests, 2)",
        "title:flaky",
        "flaky*^ AND -tests",
        "(((",
        '"unbalanced quote',
        "x & y | !z <-> w:*",
        "'; DROP TABLE search_searchdocument; --",
    ],
)
def test_engine_syntax_is_reduced_to_plain_words(text):
    parsed = parse_query(text)
    for words in parsed.phrases:
        assert all(word.isalnum() or "_" in word for word in words)
    assert set(parsed.fts5()) <= set('abcdefghijklmnopqrstuvwxyz0123456789_ "*')
    assert set(parsed.tsquery()) <= set("abcdefghijklmnopqrstuvwxyz0123456789_ &<->():*")


@pytest.mark.parametrize("text", ["", "   ", "***", "()-\"'", None])
def test_text_without_words_is_empty(text):
    parsed = parse_query(text)
    assert not parsed
    assert parsed == ParsedQuery(phrases=())


def test_repeated_words_count_once_and_very_long_queries_are_cut():
    assert parse_query("tests tests TESTS").phrases == (("tests",),)
    many = " ".join(f"word{number}" for number in range(50))
    assert len(parse_query(many).phrases) == MAX_TERMS


def test_the_query_shown_back_reads_like_what_was_typed():
    assert parse_query('"contract testing" kube').text() == '"contract testing" kube*'


def test_common_english_words_are_left_out_when_other_words_remain():
    assert parse_query("the flaky tests of the build").phrases == (("flaky",), ("tests",), ("build",))
    assert parse_query("how to deploy").phrases == (("deploy",),)
    assert parse_query("the").phrases == (("the",),)
    assert parse_query('"state of the art"').phrases == (("state", "of", "the", "art"),)
    assert parse_query("kube the").fts5() == '"kube"'
