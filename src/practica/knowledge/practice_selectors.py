"""Every read of practices and their revisions, already limited to what the viewer may see.

Pages first fetch the community through ``communities.selectors.community_for`` (a private community is
a 404 for non-members); the functions here then apply the draft rule of ``core.permissions``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, Case, Count, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from practica.communities.models import Community, Tag
from practica.communities.selectors import CommunityAccess
from practica.core.permissions import can_view_practice, practice_visible_q
from practica.knowledge.models import Practice, PracticeRevision, PracticeStatus
from practica.knowledge.practices import stale_before
from practica.people.models import Person

NEEDS_REVIEW = "needs_review"  # a list filter beside the statuses: published but stale


def _stale_q(now: datetime) -> Q:
    return Q(status=PracticeStatus.PUBLISHED, reviewed_at__lt=stale_before(now))


def with_stale(practices: QuerySet[Practice], now: datetime) -> QuerySet[Practice]:
    """Annotate ``stale`` exactly as :func:`practices.is_stale` decides it, for lists."""
    return practices.annotate(
        stale=Case(When(_stale_q(now), then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def practices_for(
    person: Person,
    access: CommunityAccess,
    *,
    now: datetime,
    status: str = "",
    kind: str = "",
    tag: str = "",
) -> QuerySet[Practice]:
    """The community's practices ``person`` may see, filtered, with owner, tags and ``stale``.

    Archived practices stay in the list (marked) so they remain findable. Three queries for a page
    (count, rows, tags), however many practices, tags or revisions there are.
    """
    practices = (
        Practice.objects.filter(community=access.community)
        .filter(practice_visible_q(person, access.membership))
        .select_related("owner")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .defer("body")
        .order_by("title", "id")
    )
    if status == NEEDS_REVIEW:
        practices = practices.filter(_stale_q(now))
    elif status:
        practices = practices.filter(status=status)
    if kind:
        practices = practices.filter(kind=kind)
    if tag:
        practices = practices.filter(tags__slug=tag)
    return with_stale(practices, now)


def practice_for(person: Person, access: CommunityAccess, slug: str) -> Practice:
    """One practice of the community by its slug, or 404 when it does not exist or is hidden (a draft)."""
    practice = (
        Practice.objects.filter(community=access.community, slug=slug)
        .select_related("owner", "community")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .first()
    )
    if practice is None or not can_view_practice(person, practice, access.membership):
        raise Http404("No such practice.")
    return practice


def practice_by_id(person: Person, practice_id: int) -> tuple[Practice, CommunityAccess]:
    """A practice by id for the API, with its community's access; 404 when hidden in any way."""
    from practica.communities.selectors import community_for

    practice = Practice.objects.filter(pk=practice_id).select_related("community").first()
    if practice is None:
        raise Http404("No such practice.")
    access = community_for(person, practice.community.slug)
    return practice_for(person, access, practice.slug), access


def practice_revisions(practice: Practice) -> QuerySet[PracticeRevision]:
    """The revisions, newest first, with authors; the texts are left out (lists show numbers and notes)."""
    return practice.revisions.select_related("author").defer("body").order_by("-number")


def latest_revision(practice: Practice) -> PracticeRevision | None:
    return practice_revisions(practice).first()


@dataclass(frozen=True)
class RevisionDiff:
    """What changed between two revisions: unified-diff lines of the title and of the text."""

    older: int
    newer: int
    title: list[str]
    body: list[str]

    @property
    def is_empty(self) -> bool:
        return not self.title and not self.body


def _lines(before: str, after: str, older: int, newer: int) -> list[str]:
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), f"revision {older}", f"revision {newer}", lineterm=""
    )
    return list(lines)[2:]  # drop the ---/+++ file header; the page names the revisions


def revision_diff(practice: Practice, older: int, newer: int) -> RevisionDiff | None:
    """The difference between revisions ``older`` and ``newer`` (None if either does not exist)."""
    texts = {
        revision.number: revision
        for revision in PracticeRevision.objects.filter(practice=practice, number__in=[older, newer])
    }
    if older not in texts or newer not in texts:
        return None
    before, after = texts[older], texts[newer]
    return RevisionDiff(
        older=older,
        newer=newer,
        title=_lines(before.title, after.title, older, newer),
        body=_lines(before.body, after.body, older, newer),
    )


def stale_practice_count(community: Community, now: datetime) -> int:
    """How many published practices of ``community`` nobody has reviewed for more than 180 days."""
    return Practice.objects.filter(_stale_q(now), community=community).count()


def stale_practice_counts(communities: Iterable[Community], now: datetime) -> dict[int, int]:
    """Stale practice counts for several communities at once (community id -> count), one query."""
    ids = [community.pk for community in communities]
    rows = (
        Practice.objects.filter(_stale_q(now), community_id__in=ids)
        .values("community_id")
        .annotate(total=Count("pk"))
        .values_list("community_id", "total")
    )
    counts = dict.fromkeys(ids, 0)
    counts.update(dict(rows))
    return counts


def practice_choices(community: Community, *, limit: int = 100) -> QuerySet[Practice]:
    """Practices a value story may cite: every one that is not a draft, by title."""
    return (
        Practice.objects.filter(community=community)
        .exclude(status=PracticeStatus.DRAFT)
        .only("pk", "title", "status")
        .order_by("title", "id")[:limit]
    )
