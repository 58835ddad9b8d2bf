"""Search in the JSON API: the same selector as the page, so the same privacy rule and ranking."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from practica.core.errors import ApplicationError
from practica.core.permissions import person_for_user
from practica.search.models import DocumentKind
from practica.search.query import MAX_QUERY_CHARS
from practica.search.selectors import MAX_LIMIT, MAX_OFFSET, search

router = Router(tags=["search"])


class SearchFilters(Schema):
    q: str = Field(..., max_length=MAX_QUERY_CHARS, description='Words to find; "quotes" for a phrase.')
    community: str = Field("", description="Only this community (its slug).")
    type: DocumentKind | None = Field(None, description="Only this kind of document.")
    tag: str = Field("", description="Only documents with this tag (its slug).")
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class SearchHitOut(Schema):
    kind: DocumentKind
    title: str
    title_html: str = Field(..., description="The title, HTML-escaped, with matches in <mark>.")
    snippet: str = Field(..., description="Matching text, HTML-escaped, with matches in <mark>.")
    url: str
    community: str = Field(..., description="The community's name.")
    community_slug: str
    status: str = Field(..., description="e.g. 'Archived' or 'Accepted'; empty when current.")
    rank: float = Field(..., description="Higher is a better match; compare within one response only.")
    updated_at: datetime


class SearchResultsOut(Schema):
    query: str = Field(..., description="The query as understood (a trailing * marks a prefix).")
    total: int = Field(..., description="Matches you may see, across all pages (see total_is_capped).")
    total_is_capped: bool = Field(..., description="True when there are more than `total` matches.")
    ordering: Literal["relevance", "newest"] = Field(
        ..., description="'newest' when the words are so common that results come newest first."
    )
    limit: int
    offset: int
    items: list[SearchHitOut]


@router.get("/search", response=SearchResultsOut, summary="Full-text search")
def search_documents(request: HttpRequest, filters: Query[SearchFilters]) -> SearchResultsOut:
    """Communities, questions, answers and published practices you may see, best match first."""
    results = search(
        person_for_user(request.user),
        filters.q,
        community=filters.community,
        kind=filters.type or "",
        tag=filters.tag,
        limit=filters.limit,
        offset=filters.offset,
    )
    if not results.query:
        raise ApplicationError("Give at least one word or number to search for.", field="q")
    return SearchResultsOut(
        query=results.query.text(),
        total=results.total,
        total_is_capped=results.total_is_capped,
        ordering=results.ordering,
        limit=results.limit,
        offset=results.offset,
        items=[
            SearchHitOut(
                kind=hit.kind,
                title=hit.title,
                title_html=str(hit.title_html),
                snippet=str(hit.snippet),
                url=hit.url,
                community=hit.community_name,
                community_slug=hit.community_slug,
                status=hit.status,
                rank=hit.rank,
                updated_at=hit.updated_at,
            )
            for hit in results.items
        ],
    )
