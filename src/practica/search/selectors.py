"""Every read of the search index: ranked, highlighted, filtered, and limited to what the person may see.

Privacy is a condition of the SQL itself on both engines: the documents searched are those whose
community passes ``community_visible_q(person)``, the one rule for who may see a community. Totals are
counted over the same rows, so a private community's documents are neither listed nor counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Count, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from practica.communities.models import Community
from practica.core.permissions import community_visible_q
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
    """A page of hits, the number of all hits the person may see, and the query as understood."""

    query: ParsedQuery
    items: list[SearchHit] = field(default_factory=list)
    total: int = 0
    limit: int = 20
    offset: int = 0

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < min(self.total, MAX_OFFSET + self.limit)

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


def searchable_documents(
    person: Person, *, community: str = "", kind: DocumentKind | str = "", tag: str = ""
) -> QuerySet[SearchDocument]:
    """Documents ``person`` may find, narrowed by community slug, kind and tag slug."""
    visible = Community.objects.filter(community_visible_q(person)).values("pk")
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
    """Full-text search over what ``person`` may see, best match first (one SQL query a page).

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
    items, total = run(documents, parsed, limit, offset, bool(community or tag))
    return SearchResults(query=parsed, items=items, total=total, limit=limit, offset=offset)


# SQLite: FTS5 ---------------------------------------------------------------------------------------

# bm25() only works in the query that runs the MATCH, and not beside a window function, so the matches
# are ranked in a materialised CTE first; the page is cut from them; only the page's rows then get
# snippet() and highlight() (a second MATCH, looked up by rowid). The filters (privacy first) are
# either an EXISTS correlated on the match's rowid (the MATCH drives, each match costs one primary-key
# lookup: best when most documents are visible) or, when a community or tag filter leaves few
# candidates, a list of those candidates ("+rowid" keeps the MATCH as the driving index).
_SQLITE_PAGE = """
WITH matches AS MATERIALIZED (
    SELECT rowid AS id, bm25(search_document_fts, {weights}) AS score
    FROM search_document_fts
    WHERE search_document_fts MATCH %s AND {candidates}
)
SELECT d.kind, d.title, d.url, d.status, d.updated_at, c.name, c.slug, page.score, page.total,
       highlight(search_document_fts, 0, char(2), char(3)),
       snippet(search_document_fts, 2, char(2), char(3), '…', {words})
FROM (
    SELECT id, score, count(*) OVER () AS total FROM matches ORDER BY score, id LIMIT %s OFFSET %s
) AS page
JOIN search_document_fts ON search_document_fts.rowid = page.id
JOIN search_searchdocument AS d ON d.id = page.id
JOIN communities_community AS c ON c.id = d.community_id
WHERE search_document_fts MATCH %s
ORDER BY page.score, page.id
"""
_SQLITE_COUNT = """
SELECT count(*) FROM search_document_fts WHERE search_document_fts MATCH %s AND {candidates}
"""


def _sqlite(
    documents: QuerySet[SearchDocument], parsed: ParsedQuery, limit: int, offset: int, narrow: bool
) -> tuple[list[SearchHit], int]:
    """Rank with bm25 over the matching rows, then build snippets for the page's rows only."""
    match = parsed.fts5()
    if narrow:
        ids_sql, ids_params = documents.values("pk").query.sql_with_params()
        candidates = f"+rowid IN ({ids_sql})"
    else:
        this_match = documents.filter(pk=RawSQL("search_document_fts.rowid", [])).values("pk")
        ids_sql, ids_params = this_match.query.sql_with_params()
        candidates = f"EXISTS ({ids_sql})"
    sql = _SQLITE_PAGE.format(
        words=SNIPPET_WORDS, weights=", ".join(map(str, SQLITE_WEIGHTS)), candidates=candidates
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, *ids_params, limit, offset, match])
        rows = cursor.fetchall()
        if rows:
            total = rows[0][8]
        elif offset:
            cursor.execute(_SQLITE_COUNT.format(candidates=candidates), [match, *ids_params])
            total = cursor.fetchone()[0]
        else:
            total = 0
    items = [
        SearchHit(
            kind=DocumentKind(kind),
            title=title,
            title_html=marked(title_marked),
            url=url,
            snippet=marked(snippet),
            community_name=community_name,
            community_slug=community_slug,
            rank=-score,  # bm25 is smaller for better matches
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
            _,
            title_marked,
            snippet,
        ) in rows
    ]
    return items, total


def _sqlite_datetime(value: str | datetime) -> datetime:
    # Raw cursors skip Django's converters: SQLite returns the stored UTC text.
    moment = value if isinstance(value, datetime) else parse_datetime(value)
    if moment is None:
        raise ValueError(f"Not a stored date and time: {value!r}")
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


# PostgreSQL: tsvector ----------------------------------------------------------------------------


def _postgres(
    documents: QuerySet[SearchDocument], parsed: ParsedQuery, limit: int, offset: int, narrow: bool
) -> tuple[list[SearchHit], int]:
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
    return items, total
