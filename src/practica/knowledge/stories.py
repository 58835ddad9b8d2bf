"""Value-creation stories: writing them, and reading them back rolled up by cycle (the value matrix).

A story is a member's account of value the community created, tagged with the cycles it reaches, citing
artefacts of the same community (events, practices, answers) and, optionally, before/after numbers.

References
----------
Wenger, E., Trayner, B. & de Laat, M. (2011). Promoting and assessing value creation in communities and
networks: a conceptual framework. Ruud de Moor Centrum, Open Universiteit. (The five cycles, and stories
as the way to link them into a chain.)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from practica.communities.models import Community, Event
from practica.core.audit import audit_record
from practica.core.errors import ApplicationError
from practica.core.permissions import can_contribute, can_delete_story, can_edit_story, membership_of
from practica.knowledge.models import (
    MAX_BODY,
    MAX_TITLE,
    Answer,
    ArtefactKind,
    Cycle,
    Practice,
    PracticeStatus,
    StoryLink,
    StoryMetric,
    ValueStory,
)
from practica.people.models import Person

CYCLE_HELP = {
    Cycle.IMMEDIATE: "Taking part was valuable in itself: a good meetup, a helpful answer, a useful chat.",
    Cycle.POTENTIAL: "Knowledge capital grew: skills, relationships, artefacts, reputation.",
    Cycle.APPLIED: "That knowledge was put to use: a practice adopted, a solution reused.",
    Cycle.REALIZED: "It changed performance that matters to stakeholders: time saved, incidents avoided.",
    Cycle.REFRAMING: "It changed how success is defined: new goals, strategies or metrics.",
}
MAX_METRICS = 3
MAX_LINKS = 20
NOT_A_MEMBER = "Only active members of this community can write value stories."
NOT_THE_AUTHOR = "Only the story's author, while a member of the community, can edit it."
NOT_YOURS_TO_DELETE = "Only the story's author or a lead of the community can delete it."


@dataclass(frozen=True)
class MetricInput:
    """One before/after number as typed (numbers may still be text; the service checks them)."""

    label: str
    before: float | str | None = None
    after: float | str | None = None
    unit: str = ""


def _number(value: float | str | None, what: str, label: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ApplicationError(
            f"“{what}” of the metric “{label}” must be a number, like 12 or 3.5 (not {value!r}).",
            field="metrics",
        ) from None
    if not math.isfinite(number):
        raise ApplicationError(f"“{what}” of the metric “{label}” must be a finite number.", field="metrics")
    return number


def _clean_metrics(metrics: Sequence[MetricInput]) -> list[StoryMetric]:
    rows = []
    for metric in metrics:
        label, unit = metric.label.strip(), metric.unit.strip()
        typed = [value for value in (metric.before, metric.after) if value not in (None, "")]
        if not label and not typed and not unit:
            continue  # an empty row of the form
        if not label:
            raise ApplicationError(
                "Each metric needs a label, e.g. “build failures per week”.", field="metrics"
            )
        if len(label) > 120 or len(unit) > 40:
            raise ApplicationError(
                "A metric's label is at most 120 characters and its unit at most 40.", field="metrics"
            )
        before = _number(metric.before, "Before", label)
        after = _number(metric.after, "After", label)
        if before is None and after is None:
            raise ApplicationError(
                f"Give the metric “{label}” a number before, after, or both.", field="metrics"
            )
        rows.append(StoryMetric(label=label, before=before, after=after, unit=unit))
    if len(rows) > MAX_METRICS:
        raise ApplicationError(f"A story reports at most {MAX_METRICS} metrics.", field="metrics")
    return rows


def _clean_links(
    community: Community, *, events: Iterable[int], practices: Iterable[int], answers: Iterable[int]
) -> list[StoryLink]:
    """Links to artefacts, each checked to exist in ``community`` (never another community's)."""
    event_ids, practice_ids, answer_ids = set(events), set(practices), set(answers)
    if len(event_ids) + len(practice_ids) + len(answer_ids) > MAX_LINKS:
        raise ApplicationError(f"A story cites at most {MAX_LINKS} artefacts.", field="links")
    found_events = Event.objects.filter(community=community, pk__in=event_ids).in_bulk()
    found_practices = Practice.objects.filter(community=community, pk__in=practice_ids).in_bulk()
    found_answers = Answer.objects.filter(question__community=community, pk__in=answer_ids).in_bulk()
    missing = [
        f"{kind} {pk}"
        for kind, ids, found in (
            ("event", event_ids, found_events),
            ("practice", practice_ids, found_practices),
            ("answer", answer_ids, found_answers),
        )
        for pk in sorted(ids - set(found))
    ]
    if missing:
        raise ApplicationError(
            f"A story can only cite artefacts of {community.name}; not found there: {', '.join(missing)}.",
            field="links",
        )
    drafts = [
        practice.title for practice in found_practices.values() if practice.status == PracticeStatus.DRAFT
    ]
    if drafts:
        raise ApplicationError(
            f"“{drafts[0]}” is a draft: publish it before a story cites it.", field="links"
        )
    return [
        *(StoryLink(kind=ArtefactKind.EVENT, event=event) for event in found_events.values()),
        *(StoryLink(kind=ArtefactKind.PRACTICE, practice=practice) for practice in found_practices.values()),
        *(StoryLink(kind=ArtefactKind.ANSWER, answer=answer) for answer in found_answers.values()),
    ]


@dataclass(frozen=True)
class _CheckedStory:
    title: str
    body: str
    cycles: set[str]
    links: list[StoryLink]
    metrics: list[StoryMetric]


def _checked(
    community: Community,
    *,
    title: str,
    body: str,
    cycles: Iterable[Cycle | str],
    events: Iterable[int],
    practices: Iterable[int],
    answers: Iterable[int],
    metrics: Sequence[MetricInput],
) -> _CheckedStory:
    """What a story says, checked (the same rules for writing and for editing)."""
    title = title.strip()
    if not title:
        raise ApplicationError("A story needs a title.", field="title")
    if len(title) > MAX_TITLE:
        raise ApplicationError(
            f"The title has {len(title)} characters; the limit is {MAX_TITLE}.", field="title"
        )
    if not body.strip():
        raise ApplicationError("Tell the story: what happened, and what came of it.", field="body")
    if len(body) > MAX_BODY:
        raise ApplicationError(
            f"The story has {len(body):,} characters; the limit is {MAX_BODY:,}.", field="body"
        )
    chosen = {str(cycle) for cycle in cycles}
    unknown = chosen - set(Cycle.values)
    if unknown:
        raise ApplicationError(f"Unknown cycles: {', '.join(sorted(unknown))}.", field="cycles")
    if not chosen:
        raise ApplicationError("Tick at least one cycle of value the story reaches.", field="cycles")
    links = _clean_links(community, events=events, practices=practices, answers=answers)
    return _CheckedStory(title, body, chosen, links, _clean_metrics(metrics))


def _save_parts(story: ValueStory, checked: _CheckedStory) -> None:
    for link in checked.links:
        link.story = story
    StoryLink.objects.bulk_create(checked.links)
    for metric in checked.metrics:
        metric.story = story
    StoryMetric.objects.bulk_create(checked.metrics)


@transaction.atomic
def story_create(
    *,
    actor: Person,
    community: Community,
    title: str,
    body: str,
    cycles: Iterable[Cycle | str],
    events: Iterable[int] = (),
    practices: Iterable[int] = (),
    answers: Iterable[int] = (),
    metrics: Sequence[MetricInput] = (),
) -> ValueStory:
    """A member tells how the community created value: the cycles it reached, what it cites, the numbers."""
    if not can_contribute(membership_of(actor, community)):
        raise ApplicationError(NOT_A_MEMBER)
    checked = _checked(
        community,
        title=title,
        body=body,
        cycles=cycles,
        events=events,
        practices=practices,
        answers=answers,
        metrics=metrics,
    )
    story = ValueStory.objects.create(
        community=community,
        author=actor,
        title=checked.title,
        body=checked.body,
        **{cycle.value: cycle.value in checked.cycles for cycle in Cycle},
    )
    _save_parts(story, checked)
    return story


@transaction.atomic
def story_update(
    *,
    actor: Person,
    story: ValueStory,
    title: str,
    body: str,
    cycles: Iterable[Cycle | str],
    events: Iterable[int] = (),
    practices: Iterable[int] = (),
    answers: Iterable[int] = (),
    metrics: Sequence[MetricInput] = (),
) -> ValueStory:
    """The author rewrites their story: everything it says is replaced, checked by the same rules."""
    story = ValueStory.objects.select_for_update(of=("self",)).select_related("community").get(pk=story.pk)
    if not can_edit_story(actor, story, membership_of(actor, story.community)):
        raise ApplicationError(NOT_THE_AUTHOR)
    checked = _checked(
        story.community,
        title=title,
        body=body,
        cycles=cycles,
        events=events,
        practices=practices,
        answers=answers,
        metrics=metrics,
    )
    story.title, story.body = checked.title, checked.body
    for cycle in Cycle:
        setattr(story, cycle.value, cycle.value in checked.cycles)
    story.save()
    story.links.all().delete()
    story.metrics.all().delete()
    _save_parts(story, checked)
    return story


@transaction.atomic
def story_delete(*, actor: Person, story: ValueStory) -> None:
    """Its author or a community lead removes a story (recorded in the audit log)."""
    story = ValueStory.objects.select_for_update(of=("self",)).select_related("community").get(pk=story.pk)
    if not can_delete_story(actor, story, membership_of(actor, story.community)):
        raise ApplicationError(NOT_YOURS_TO_DELETE)
    audit_record(actor=actor, action="content.deleted", target=story)
    story.delete()


# Reading stories --------------------------------------------------------------------------------------


def stories_of(community: Community) -> QuerySet[ValueStory]:
    """The community's stories, newest first, with author, cited artefacts and metrics (constant queries)."""
    return (
        ValueStory.objects.filter(community=community)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "links",
                queryset=StoryLink.objects.select_related("event", "practice", "answer__question").order_by(
                    "kind", "id"
                ),
            ),
            Prefetch("metrics", queryset=StoryMetric.objects.order_by("id")),
        )
    )


def event_choices(community: Community, *, limit: int = 30) -> QuerySet[Event]:
    """Recent events a story may cite, latest first."""
    return (
        Event.objects.filter(community=community)
        .only("pk", "title", "starts_at")
        .order_by("-starts_at")[:limit]
    )


def answer_choices(community: Community, *, limit: int = 30) -> QuerySet[Answer]:
    """Recent answers a story may cite, with their question's title."""
    return (
        Answer.objects.filter(question__community=community)
        .select_related("question")
        .only("pk", "created_at", "question__title")
        .order_by("-created_at", "-id")[:limit]
    )


@dataclass
class CycleRow:
    """One cycle of the value matrix: how many stories reach it, and the latest few of them."""

    cycle: Cycle
    help: str
    count: int
    stories: list[ValueStory] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.cycle.label)


@dataclass
class ValueMatrix:
    """A community's stories rolled up by cycle (a story reaching several cycles counts in each)."""

    story_count: int
    rows: list[CycleRow]


def value_matrix(community: Community, *, shown: int = 5) -> ValueMatrix:
    """Count the community's stories per cycle, with the ``shown`` latest titles of each cycle.

    Two queries however many stories there are: the counts, and the latest stories of every cycle in
    one query (a row number per cycle, over the stories that reach it). ``shown=0`` gives counts only
    (one query), as the compact matrix on the community page needs.
    """
    totals = ValueStory.objects.filter(community=community).aggregate(
        total=Count("pk"), **{cycle.value: Count("pk", filter=Q(**{cycle.value: True})) for cycle in Cycle}
    )
    rows = [CycleRow(cycle=cycle, help=CYCLE_HELP[cycle], count=totals[cycle.value] or 0) for cycle in Cycle]
    if shown > 0 and totals["total"]:
        ranked = ValueStory.objects.filter(community=community).annotate(
            **{
                f"rank_{cycle.value}": Window(
                    RowNumber(),
                    partition_by=[F(cycle.value)],
                    order_by=[F("created_at").desc(), F("id").desc()],
                )
                for cycle in Cycle
            }
        )
        reaching = Q()
        for cycle in Cycle:
            reaching |= Q(**{cycle.value: True, f"rank_{cycle.value}__lte": shown})
        latest = list(ranked.filter(reaching).only("pk", "title", "created_at", *Cycle.values))
        latest.sort(key=lambda story: (story.created_at, story.pk), reverse=True)
        for row in rows:
            row.stories = [story for story in latest if getattr(story, row.cycle.value)][:shown]
    return ValueMatrix(story_count=totals["total"] or 0, rows=rows)
