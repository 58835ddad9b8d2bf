"""Every read of the search index: ranked, highlighted, filtered, and limited to what the person may see.

Privacy is a condition of the SQL itself on both engines: the documents searched are those whose
community passes ``community_content_q(person)``, the one rule for who may see a community. Totals are
counted over the same rows, so a private community's documents are neither listed nor counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Count, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from practica.communities.models import Community
from practica.core.permissions import community_content_q
from practica.people.models import Person
from practica.search.models import DocumentKind, SearchDocument
from practica.search.query import ParsedQuery, parse_query

MAX_LIMIT = 50
MAX_OFFSET = 1000  # 50 pages: deeper pages are a sign the query needs another word, not more paging
POSTGRES_CONFIG = "english"
# bm25 column weights (title, tag names, body) on SQLite; PostgreSQL weighs A/B/C with its own defaults
# (1.0, 0.4, 0.2), which keep the same order: a title match beats a tag match beats a body match.
SQLITE_WEIGHTS = (10.0, 4.0, 1.0)
SNIPPET_WORDS = 24
START, STOP = "\x02", "\x03"  # never in indexed text (documents.clean_text removes them)
Ordering = Literal["relevance", "newest"]
_MARKED = re.compile(f"{START}(.*?){STOP}", re.DOTALL)


def marked(text: str) -> SafeString:
    """Escape ``text`` completely, then turn the engine's match markers into ``<mark>`` elements.

    The only HTML in the result is ours, so a document containing ``<script>`` shows as text.
    """
    html = _MARKED.sub(r"<mark>\1</mark>", escape(text))
    # Safe: everything was escaped above; the only tags are the <mark> pairs added here.
    return mark_safe(html.replace(START, "").replace(STOP, ""))


@dataclass(frozen=True)
class SearchHit:
    """One result: what it is, where it lives, and why it matched."""

    kind: DocumentKind
    title: str
    title_html: SafeString
    url: str
    snippet: SafeString
    community_name: str
    community_slug: str
    rank: float
    status: str
    updated_at: datetime

    @property
    def kind_label(self) -> str:
        return self.kind.label


@dataclass(frozen=True)
class SearchResults:
    """A page of hits, the number of all hits the person may see, and the query as understood.

    ``total_is_capped``: there are more than ``total`` hits (SQLite stops counting at ``COUNT_CAP``).
    ``ordering``: "relevance" (best match first) or "newest" (newest first, when the words are in so
    many documents that ranking says little; SQLite only).
    """

    query: ParsedQuery
    items: list[SearchHit] = field(default_factory=list)
    total: int = 0
    limit: int = 20
    offset: int = 0
    total_is_capped: bool = False
    ordering: Ordering = "relevance"

    @property
    def has_next(self) -> bool:
        known = self.total + 1 if self.total_is_capped else self.total
        return self.offset + self.limit < min(known, MAX_OFFSET + self.limit)

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


def searchable_documents(
    person: Person, *, community: str = "", kind: DocumentKind | str = "", tag: str = ""
) -> QuerySet[SearchDocument]:
    """Documents ``person`` may find, narrowed by community slug, kind and tag slug."""
    visible = Community.objects.filter(community_content_q(person)).values("pk")
    documents = SearchDocument.objects.filter(community_id__in=visible)
    if community:
        documents = documents.filter(community__slug=community)
    if kind:
        documents = documents.filter(kind=kind)
    if tag:
        documents = documents.filter(tags__slug=tag)
    return documents


def search(
    person: Person,
    query: str,
    *,
    community: str = "",
    kind: DocumentKind | str = "",
    tag: str = "",
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """Full-text search over what ``person`` may see, best match first (two SQL queries on SQLite, one
    on PostgreSQL; see ``_sqlite`` for when SQLite answers newest first instead).

    ``query`` is free text (see ``query.parse_query``: never engine syntax); text without a single
    word gives empty results without touching the database.
    """
    parsed = parse_query(query)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, min(offset, MAX_OFFSET))
    if not parsed:
        return SearchResults(query=parsed, limit=limit, offset=offset)
    documents = searchable_documents(person, community=community, kind=kind, tag=tag)
    run = _postgres if connection.vendor == "postgresql" else _sqlite
    page = run(documents, parsed, limit, offset, bool(community or tag), str(kind))
    return SearchResults(
        query=parsed,
        items=page.items,
        total=page.total,
        limit=limit,
        offset=offset,
        total_is_capped=page.total_is_capped,
        ordering=page.ordering,
    )


# SQLite: FTS5 ---------------------------------------------------------------------------------------

# A search on SQLite is two statements: _SQLITE_STATS, then one page query chosen from its answer.
# What costs time is per match: bm25() (about 1 µs) and the privacy condition (a primary-key lookup
# and the community check, about 1 µs), so nothing below runs either over every match of a huge
# result set:
#
# - Counting stops early: the visible matches are counted up to COUNT_CAP + 1 (a larger total is
#   reported as "more than COUNT_CAP"), and the unfiltered matches up to the "common" threshold.
# - Ranked (_SQLITE_RANKED): bm25 ranks every match but keeps only the best ``candidates`` rows
#   (SQLite's top-N sort), and the filters (privacy first) are checked for those rows only. When
#   fewer than offset + limit of them pass while more matches exist, the page is computed again over
#   all the filtered matches (_SQLITE_RANKED_ALL), so the result is always the exact ranking.
# - Narrowed by community or tag (few candidates): the filters are a list of candidate ids beside the
#   MATCH ("+rowid" keeps the MATCH as the driving index) and only those are ranked.
# - Very common words (more matches than COMMON_SHARE of the index, and more than COMMON_MIN): bm25
#   says little about texts that all contain the words, so the newest visible matches come first
#   (_SQLITE_NEWEST): the updated_at index is walked from the newest and stops after the page; the
#   matches are one ephemeral list of rowids.
# Only the page's rows get snippet() and highlight(), in one more pass over the MATCH that keeps the
# page's rowids: looking each row up by rowid instead (MATCH and rowid = ?) reads a very common
# word's long doclist from its start once per row (about 4 ms a row for a word in every document).
COUNT_CAP = 1000
COMMON_SHARE = 0.3
COMMON_MIN = 5000  # below this many matches ranking them all takes a few ms: always rank
RANKED_CANDIDATES = 200  # plus 4 x (offset + limit), x 10 with a kind filter: best rows kept for the filters

_SQLITE_STATS = """
SELECT
    (SELECT count(*) FROM (
        SELECT 1 FROM search_document_fts WHERE search_document_fts MATCH %s
        LIMIT (SELECT max(%s, CAST(count(*) * %s AS INTEGER)) + 1 FROM search_searchdocument)
    )),
    (SELECT max(%s, CAST(count(*) * %s AS INTEGER)) FROM search_searchdocument),
    (SELECT count(*) FROM (
        SELECT 1 FROM search_document_fts WHERE search_document_fts MATCH %s AND {candidates} LIMIT %s
    ))
"""
_SQLITE_SNIPPETS = """,
marks AS MATERIALIZED (
    SELECT rowid AS id, highlight(search_document_fts, 0, char(2), char(3)) AS title_marked,
           snippet(search_document_fts, 2, char(2), char(3), '…', {words}) AS snippet
    FROM search_document_fts
    WHERE search_document_fts MATCH %s AND +rowid IN (SELECT id FROM page)
)
SELECT d.kind, d.title, d.url, d.status, d.updated_at, c.name, c.slug, page.score,
       marks.title_marked, marks.snippet, page.position, {extra}
FROM page
JOIN marks ON marks.id = page.id
JOIN search_searchdocument AS d ON d.id = page.id
JOIN communities_community AS c ON c.id = d.community_id
"""
_SQLITE_RANKED = """
WITH best AS MATERIALIZED (
    SELECT rowid AS id, bm25(search_document_fts, {weights}) AS score
    FROM search_document_fts WHERE search_document_fts MATCH %s
    ORDER BY score, rowid LIMIT %s
),
passed AS MATERIALIZED (SELECT id, score FROM best WHERE {candidates}),
page AS MATERIALIZED (
    SELECT id, score, row_number() OVER (ORDER BY score, id) AS position
    FROM passed ORDER BY score, id LIMIT %s OFFSET %s
){snippets}"""
_SQLITE_RANKED_ALL = """
WITH matches AS MATERIALIZED (
    SELECT rowid AS id, bm25(search_document_fts, {weights}) AS score
    FROM search_document_fts
    WHERE search_document_fts MATCH %s AND {candidates}
),
page AS MATERIALIZED (
    SELECT id, score, row_number() OVER (ORDER BY score, id) AS position
    FROM matches ORDER BY score, id LIMIT %s OFFSET %s
){snippets}"""
_SQLITE_NEWEST = """
WITH page AS MATERIALIZED (
    SELECT d.id, 0.0 AS score, row_number() OVER (ORDER BY d.updated_at DESC, d.id DESC) AS position
    FROM search_searchdocument AS d INDEXED BY search_document_updated
    WHERE d.id IN (SELECT rowid FROM search_document_fts WHERE search_document_fts MATCH %s)
      AND {candidates}
    ORDER BY d.updated_at DESC, d.id DESC LIMIT %s OFFSET %s
){snippets}"""


@dataclass(frozen=True)
class _Page:
    items: list[SearchHit]
    total: int
    total_is_capped: bool = False
    ordering: Ordering = "relevance"


def _candidates(documents: QuerySet[SearchDocument], rowid: str) -> tuple[str, list[Any]]:
    """The filters (privacy first) as an EXISTS correlated on ``rowid``: one primary-key lookup."""
    this = documents.filter(pk=RawSQL(rowid, [])).values("pk")
    sql, params = this.query.sql_with_params()
    return f"EXISTS ({sql})", list(params)


def _sqlite(
    documents: QuerySet[SearchDocument], parsed: ParsedQuery, limit: int, offset: int, narrow: bool, kind: str
) -> _Page:
    """Count (capped), then rank with bm25 or, for very common words, take the newest; snippets last."""
    match = parsed.fts5()
    if narrow:
        ids_sql, ids_tuple = documents.values("pk").query.sql_with_params()
        on_match, on_match_params = f"+rowid IN ({ids_sql})", list(ids_tuple)
    else:
        on_match, on_match_params = _candidates(documents, "search_document_fts.rowid")
    snippets = _SQLITE_SNIPPETS.format(words=SNIPPET_WORDS, extra="0")
    weights = ", ".join(map(str, SQLITE_WEIGHTS))
    with connection.cursor() as cursor:
        common: list[Any] = [COMMON_MIN, COMMON_SHARE]
        cursor.execute(
            _SQLITE_STATS.format(candidates=on_match),
            [match, *common, *common, match, *on_match_params, COUNT_CAP + 1],
        )
        matches, common_above, visible = cursor.fetchone()
        capped = visible > COUNT_CAP
        total = min(visible, COUNT_CAP)
        if visible == 0 or offset >= visible:
            rows: list[tuple[Any, ...]] = []
        elif matches > common_above and not narrow:
            on_page, on_page_params = _candidates(documents, "d.id")
            cursor.execute(
                _SQLITE_NEWEST.format(candidates=on_page, snippets=snippets),
                [match, *on_page_params, limit, offset, match],
            )
            rows = cursor.fetchall()
            return _Page(_sqlite_hits(rows), total, capped, "newest")
        else:
            rows = []
            if not narrow:
                # A kind is a small share of the matches (practices, the longest texts, rank low).
                best = (RANKED_CANDIDATES + 4 * (offset + limit)) * (10 if kind else 1)
                passed_sql, passed_params = _candidates(documents, "best.id")
                ranked_snippets = _SQLITE_SNIPPETS.format(
                    words=SNIPPET_WORDS, extra="(SELECT count(*) FROM best)"
                )
                cursor.execute(
                    _SQLITE_RANKED.format(weights=weights, candidates=passed_sql, snippets=ranked_snippets),
                    [match, best, *passed_params, limit, offset, match],
                )
                rows = cursor.fetchall()
                # Exact when the page is full, when every match was ranked, or when it holds the rest
                # of an exactly counted total; otherwise visible matches may lie beyond the best rows.
                complete = bool(rows) and (
                    len(rows) == limit or rows[0][-1] < best or (not capped and len(rows) == visible - offset)
                )
            if narrow or not complete:
                cursor.execute(
                    _SQLITE_RANKED_ALL.format(weights=weights, candidates=on_match, snippets=snippets),
                    [match, *on_match_params, limit, offset, match],
                )
                rows = cursor.fetchall()
    return _Page(_sqlite_hits(rows), total, capped)


def _sqlite_hits(rows: list[tuple[Any, ...]]) -> list[SearchHit]:
    return [
        SearchHit(
            kind=DocumentKind(kind),
            title=title,
            title_html=marked(title_marked),
            url=url,
            snippet=marked(snippet),
            community_name=community_name,
            community_slug=community_slug,
            rank=-score,  # bm25 is smaller for better matches (0 when newest first)
            status=status,
            updated_at=_sqlite_datetime(updated_at),
        )
        for (
            kind,
            title,
            url,
            status,
            updated_at,
            community_name,
            community_slug,
            score,
            title_marked,
            snippet,
            _,
            _,
        ) in sorted(rows, key=lambda row: row[-2])
    ]


def _sqlite_datetime(value: str | datetime) -> datetime:
    # Raw cursors skip Django's converters: SQLite returns the stored UTC text.
    moment = value if isinstance(value, datetime) else parse_datetime(value)
    if moment is None:
        raise ValueError(f"Not a stored date and time: {value!r}")
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


# PostgreSQL: tsvector ----------------------------------------------------------------------------


def _postgres(
    documents: QuerySet[SearchDocument], parsed: ParsedQuery, limit: int, offset: int, narrow: bool, kind: str
) -> _Page:
    """Match the generated tsvector column (GIN index), rank with ts_rank, highlight with ts_headline.

    PostgreSQL evaluates the costly ts_headline calls after ORDER BY ... LIMIT, for the page only.
    """
    vector = RawSQL('"search_searchdocument"."search_vector"', [], output_field=SearchVectorField())
    tsquery = SearchQuery(parsed.tsquery(), search_type="raw", config=POSTGRES_CONFIG)
    selectors: dict[str, Any] = {"start_sel": START, "stop_sel": STOP}
    page = (
        documents.alias(vector=vector)
        .filter(vector=tsquery)
        .annotate(
            score=SearchRank(vector, tsquery),
            total=Window(Count("id")),
            title_marked=SearchHeadline(
                "title", tsquery, config=POSTGRES_CONFIG, highlight_all=True, **selectors
            ),
            snippet=SearchHeadline(
                "body",
                tsquery,
                config=POSTGRES_CONFIG,
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
                max_fragments=2,
                fragment_delimiter=" … ",
                **selectors,
            ),
        )
        .select_related("community")
        .order_by("-score", "id")[offset : offset + limit]
    )
    rows = list(page)
    if rows:
        total = rows[0].total
    elif offset:
        total = documents.alias(vector=vector).filter(vector=tsquery).count()
    else:
        total = 0
    items = [
        SearchHit(
            kind=DocumentKind(document.kind),
            title=document.title,
            title_html=marked(document.title_marked),
            url=document.url,
            snippet=marked(document.snippet),
            community_name=document.community.name,
            community_slug=document.community.slug,
            rank=float(document.score),
            status=document.status,
            updated_at=document.updated_at,
        )
        for document in rows
    ]
    return _Page(items, total)
