"""Practices, their revisions, value stories and the value matrix in the JSON API.

The same selectors, services and permission rules as the pages: a private community's practices and
stories are a 404 for non-members, a draft is a 404 for whoever may not see it, and a PATCH names the
revision it is based on so a stale edit is refused (400 with the reason) instead of applied.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from practica.communities.selectors import CommunityAccess, community_for
from practica.core.errors import ApplicationError
from practica.core.permissions import can_delete_story, can_edit_practice, can_edit_story, person_for_user
from practica.knowledge import practice_selectors as selectors
from practica.knowledge import practices as services
from practica.knowledge import stories
from practica.knowledge.models import (
    MAX_BODY,
    MAX_TITLE,
    Cycle,
    Practice,
    PracticeKind,
    PracticeRevision,
    PracticeStatus,
    StoryLink,
    ValueStory,
)
from practica.knowledge.stories import CycleRow
from practica.people.models import Person

router = Router(tags=["practices and value stories"])


class ErrorOut(Schema):
    detail: str


class PracticeSummaryOut(Schema):
    id: int
    slug: str
    title: str
    kind: str
    status: str
    revision: int
    reviewed_at: datetime
    stale: bool = Field(
        False, description=f"Published but not reviewed for more than {services.STALE_AFTER_DAYS} days."
    )
    owner: str | None = Field(None, alias="owner.display_name")
    tags: list[str]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_tags(practice: Practice) -> list[str]:
        return [tag.name for tag in practice.tags.all()]


class PracticeOut(PracticeSummaryOut):
    community: str = Field(..., alias="community.slug")
    body: str = Field(..., description="Markdown.")


BODY_DOC = f"Markdown, at most {MAX_BODY:,} characters; HTML and script are removed when shown."


class PracticeIn(Schema):
    title: str = Field(..., description=f"At most {MAX_TITLE} characters.")
    body: str = Field("", description=BODY_DOC)
    kind: PracticeKind = PracticeKind.ARTICLE
    status: PracticeStatus = Field(PracticeStatus.DRAFT, description="draft or published.")
    tags: list[str] = []


class PracticePatch(Schema):
    base_revision: int = Field(..., description="The revision your edit is based on (see `revision`).")
    title: str | None = None
    body: str | None = Field(None, description=BODY_DOC)
    kind: PracticeKind | None = None
    tags: list[str] | None = None
    note: str = ""
    status: PracticeStatus | None = None


class RevisionOut(Schema):
    number: int
    title: str
    author: str | None = Field(None, alias="author.display_name")
    note: str
    created_at: datetime


class RevisionTextOut(RevisionOut):
    body: str


class RestoreIn(Schema):
    number: int
    base_revision: int | None = Field(None, description="If given, refused when it is not current.")


class MetricIn(Schema):
    label: str
    before: float | None = None
    after: float | None = None
    unit: str = ""


class MetricOut(MetricIn):
    pass


class StoryIn(Schema):
    title: str
    body: str = Field(..., description=BODY_DOC)
    cycles: list[Cycle]
    events: list[int] = []
    practices: list[int] = []
    answers: list[int] = []
    metrics: list[MetricIn] = []


class LinkOut(Schema):
    kind: str
    id: int
    title: str


class StoryOut(Schema):
    id: int
    title: str
    body: str
    cycles: list[str]
    author: str | None = Field(None, alias="author.display_name")
    links: list[LinkOut]
    metrics: list[MetricOut]
    created_at: datetime

    @staticmethod
    def resolve_cycles(story: ValueStory) -> list[str]:
        return [cycle.value for cycle in story.cycles]

    @staticmethod
    def resolve_links(story: ValueStory) -> list[dict[str, object]]:
        return [_link(link) for link in story.links.all()]

    @staticmethod
    def resolve_metrics(story: ValueStory) -> list[object]:
        return list(story.metrics.all())


class StoryTitleOut(Schema):
    id: int
    title: str


class CycleOut(Schema):
    cycle: str
    label: str
    help: str
    count: int
    stories: list[StoryTitleOut]

    @staticmethod
    def resolve_cycle(row: CycleRow) -> str:
        return row.cycle.value


class ValueMatrixOut(Schema):
    story_count: int
    cycles: list[CycleOut] = Field(..., alias="rows")


def _link(link: StoryLink) -> dict[str, object]:
    if link.event is not None:
        return {"kind": link.kind, "id": link.event.pk, "title": link.event.title}
    if link.practice is not None:
        return {"kind": link.kind, "id": link.practice.pk, "title": link.practice.title}
    assert link.answer is not None
    return {"kind": link.kind, "id": link.answer.pk, "title": f"Answer to {link.answer.question.title}"}


def _access(request: HttpRequest, slug: str) -> tuple[Person, CommunityAccess]:
    person = person_for_user(request.user)
    return person, community_for(person, slug)


def _practice(request: HttpRequest, practice_id: int) -> tuple[Person, CommunityAccess, Practice]:
    person = person_for_user(request.user)
    practice, access = selectors.practice_by_id(person, practice_id)
    practice.stale = services.is_stale(practice, timezone.now())  # type: ignore[attr-defined]
    return person, access, practice


def _editable(request: HttpRequest, practice_id: int) -> tuple[Person, Practice]:
    person, access, practice = _practice(request, practice_id)
    if not can_edit_practice(person, practice, access.membership):
        raise PermissionDenied(services.NOT_AN_EDITOR)
    return person, practice


def _fresh(request: HttpRequest, practice_id: int) -> Practice:
    return _practice(request, practice_id)[2]


@router.get("/communities/{slug}/practices", response=list[PracticeSummaryOut])
@paginate(PageNumberPagination, page_size=50)
def practice_list(
    request: HttpRequest, slug: str, status: str = "", kind: str = "", tag: str = ""
) -> QuerySet[Practice]:
    """The community's practices you may see (drafts: yours, or all if you lead). ``status`` may also be
    ``needs_review``: published but not reviewed for 180 days."""
    person, access = _access(request, slug)
    return selectors.practices_for(person, access, now=timezone.now(), status=status, kind=kind, tag=tag)


@router.post("/communities/{slug}/practices", response={201: PracticeOut, 400: ErrorOut})
def practice_create(request: HttpRequest, slug: str, payload: PracticeIn) -> Status[Practice]:
    """Write a practice (active members); its text is revision 1."""
    person, access = _access(request, slug)
    practice = services.practice_create(
        actor=person,
        community=access.community,
        title=payload.title,
        body=payload.body,
        kind=payload.kind,
        status=payload.status,
        tags=", ".join(payload.tags),
    )
    return Status(201, _fresh(request, practice.pk))


@router.get("/practices/{practice_id}", response=PracticeOut)
def practice_detail(request: HttpRequest, practice_id: int) -> Practice:
    return _fresh(request, practice_id)


@router.patch("/practices/{practice_id}", response={200: PracticeOut, 400: ErrorOut, 403: ErrorOut})
def practice_update(request: HttpRequest, practice_id: int, payload: PracticePatch) -> Practice:
    """Edit (owner or lead), all or nothing. ``base_revision`` must be the current revision."""
    person, practice = _editable(request, practice_id)
    given = payload.dict(exclude_unset=True)
    with transaction.atomic():
        if payload.base_revision != practice.revision:
            raise ApplicationError(
                services.STALE_PRACTICE.format(base=payload.base_revision, current=practice.revision)
            )
        changed = False
        if given.keys() & {"title", "body", "kind", "tags"}:
            services.practice_edit(
                actor=person,
                practice=practice,
                base_revision=payload.base_revision,
                title=payload.title if payload.title is not None else practice.title,
                body=payload.body if payload.body is not None else practice.body,
                kind=payload.kind,
                tags=", ".join(payload.tags) if payload.tags is not None else None,
                note=payload.note,
            )
            changed = True
        if payload.status is not None and (payload.status != practice.status or not changed):
            services.practice_set_status(actor=person, practice=practice, status=payload.status)
            changed = True
        if not changed:
            raise ApplicationError("Nothing to change: give a title, body, kind, tags or status.")
    return _fresh(request, practice_id)


@router.post("/practices/{practice_id}/review", response={200: PracticeOut, 403: ErrorOut})
def practice_review(request: HttpRequest, practice_id: int) -> Practice:
    """Confirm the practice is still right today (resets its review clock; no new revision)."""
    person, practice = _editable(request, practice_id)
    services.practice_mark_reviewed(actor=person, practice=practice)
    return _fresh(request, practice_id)


@router.get("/practices/{practice_id}/revisions", response=list[RevisionOut])
@paginate(PageNumberPagination, page_size=50)
def practice_revisions(request: HttpRequest, practice_id: int) -> QuerySet[PracticeRevision]:
    """Revisions, newest first (without their text; fetch one revision for it)."""
    return selectors.practice_revisions(_fresh(request, practice_id))


@router.get("/practices/{practice_id}/revisions/{number}", response=RevisionTextOut)
def practice_revision(request: HttpRequest, practice_id: int, number: int) -> PracticeRevision:
    revision = (
        PracticeRevision.objects.filter(practice=_fresh(request, practice_id), number=number)
        .select_related("author")
        .first()
    )
    if revision is None:
        raise ApplicationError(f"There is no revision {number} of this practice.")
    return revision


@router.post("/practices/{practice_id}/restore", response={200: PracticeOut, 400: ErrorOut, 403: ErrorOut})
def practice_restore(request: HttpRequest, practice_id: int, payload: RestoreIn) -> Practice:
    """Bring back an old revision's title and text as a new revision (owner or lead)."""
    person, practice = _editable(request, practice_id)
    services.practice_restore(
        actor=person, practice=practice, number=payload.number, base_revision=payload.base_revision
    )
    return _fresh(request, practice_id)


@router.get("/communities/{slug}/stories", response=list[StoryOut])
@paginate(PageNumberPagination, page_size=50)
def story_list(request: HttpRequest, slug: str) -> QuerySet[ValueStory]:
    """The community's value-creation stories, newest first, with cycles, cited artefacts and metrics."""
    _, access = _access(request, slug)
    return stories.stories_of(access.community)


def _story_fields(payload: StoryIn) -> dict[str, Any]:
    """What the service takes from a story's JSON body (writing and rewriting alike)."""
    return {
        "title": payload.title,
        "body": payload.body,
        "cycles": payload.cycles,
        "events": payload.events,
        "practices": payload.practices,
        "answers": payload.answers,
        "metrics": [stories.MetricInput(**metric.dict()) for metric in payload.metrics],
    }


@router.post("/communities/{slug}/stories", response={201: StoryOut, 400: ErrorOut})
def story_create(request: HttpRequest, slug: str, payload: StoryIn) -> Status[ValueStory]:
    """Write a story (active members); cited artefacts must belong to this community."""
    person, access = _access(request, slug)
    story = stories.story_create(actor=person, community=access.community, **_story_fields(payload))
    return Status(201, stories.stories_of(access.community).get(pk=story.pk))


def _story(request: HttpRequest, slug: str, story_id: int) -> tuple[Person, CommunityAccess, ValueStory]:
    person, access = _access(request, slug)
    story = stories.stories_of(access.community).filter(pk=story_id).first()
    if story is None:
        raise Http404("No such story in this community.")
    return person, access, story


@router.get("/communities/{slug}/stories/{story_id}", response={200: StoryOut, 404: ErrorOut})
def story_detail(request: HttpRequest, slug: str, story_id: int) -> ValueStory:
    """One story, with its cycles, cited artefacts and metrics."""
    return _story(request, slug, story_id)[2]


@router.put(
    "/communities/{slug}/stories/{story_id}",
    response={200: StoryOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def story_update(request: HttpRequest, slug: str, story_id: int, payload: StoryIn) -> ValueStory:
    """Rewrite a story (its author, while a member): everything it says is replaced."""
    person, access, story = _story(request, slug, story_id)
    if not can_edit_story(person, story, access.membership):
        raise PermissionDenied(stories.NOT_THE_AUTHOR)
    stories.story_update(actor=person, story=story, **_story_fields(payload))
    return stories.stories_of(access.community).get(pk=story.pk)


@router.delete("/communities/{slug}/stories/{story_id}", response={204: None, 403: ErrorOut, 404: ErrorOut})
def story_delete(request: HttpRequest, slug: str, story_id: int) -> Status[None]:
    """Delete a story (its author while a member, or a lead of the community)."""
    person, access, story = _story(request, slug, story_id)
    if not can_delete_story(person, story, access.membership):
        raise PermissionDenied(stories.NOT_YOURS_TO_DELETE)
    stories.story_delete(actor=person, story=story)
    return Status(204, None)


@router.get("/communities/{slug}/value-matrix", response=ValueMatrixOut)
def value_matrix(request: HttpRequest, slug: str, shown: int = 5) -> stories.ValueMatrix:
    """Stories per cycle of value creation (a story reaching several cycles counts in each)."""
    _, access = _access(request, slug)
    return stories.value_matrix(access.community, shown=max(0, min(shown, 50)))
