"""Reads of knowledge checks, already limited to what the viewer may see (specs/calibration.md §1, §4, §5).

- A check is visible where its community's content is (callers pass a ``CommunityAccess`` from
  ``community_for``, which 404s a private community for non-members); a draft only to the leads.
- Items come without their answers for takers (the API decides with ``can_author_checks``); pages show
  answers and explanations to a taker only in the report of a submitted attempt.
- An attempt is read only by its owner: every attempt selector filters on the person, so another
  person's attempt is a 404, whoever asks (leads and admins included).
- Item statistics and the group (Dunning-Kruger) view are aggregates over first submitted attempts,
  shown only over at least ``core.privacy.min_group_size()`` distinct people (``guarded``); the
  quartile figure only when every quartile reaches that size, so no quartile mean is one person's score.
  The figures move in steps of that size (:func:`first_attempts`), so differencing the page over time
  cannot isolate one person either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse

from practica.analysis.calibration import (
    CBM_OPTIMAL_BANDS,
    CBMSummary,
    DKReport,
    cbm_mark,
    cbm_summary,
    dunning_kruger,
)
from practica.analysis.items import (
    MULTIPLE,
    NUMERIC,
    SINGLE,
    TRUE_FALSE,
    ItemStatistic,
    discrimination_label,
    item_statistics,
)
from practica.calibration.models import (
    CheckAttempt,
    CheckItem,
    CheckStatus,
    ItemResponse,
    KnowledgeCheck,
    Skill,
)
from practica.communities.selectors import CommunityAccess, community_for
from practica.core.permissions import can_author_checks
from practica.core.privacy import Aggregate, aggregate_allowed, guarded, min_group_size
from practica.people.models import Person

CERTAINTY_WORDS = {1: "low", 2: "mid", 3: "high"}
GROUP_VIEW_SEED = 0
GROUP_VIEW_CACHE_SECONDS = 600


def _skills_prefetch() -> Prefetch[Any]:
    return Prefetch("skills", queryset=Skill.objects.order_by("name", "id"))


def check_list(access: CommunityAccess, viewer: Person) -> QuerySet[KnowledgeCheck]:
    """The community's checks the viewer may see (drafts for leads only), newest first, with the
    number of items, of people who submitted, and of the viewer's own attempts (3 queries)."""
    checks = KnowledgeCheck.objects.filter(community=access.community)
    if not can_author_checks(access.membership):
        checks = checks.exclude(status=CheckStatus.DRAFT)
    items = CheckItem.objects.filter(check_ref=OuterRef("pk")).values("check_ref").annotate(n=Count("pk"))
    takers = (
        CheckAttempt.objects.filter(check_ref=OuterRef("pk"), submitted_at__isnull=False)
        .values("check_ref")
        .annotate(n=Count("person", distinct=True))
    )
    mine = (
        CheckAttempt.objects.filter(check_ref=OuterRef("pk"), person=viewer)
        .values("check_ref")
        .annotate(n=Count("pk"))
    )
    zero = Value(0, output_field=IntegerField())
    return (
        checks.annotate(
            item_count=Coalesce(Subquery(items.values("n")[:1], output_field=IntegerField()), zero),
            taker_count=Coalesce(Subquery(takers.values("n")[:1], output_field=IntegerField()), zero),
            my_attempt_count=Coalesce(Subquery(mine.values("n")[:1], output_field=IntegerField()), zero),
        )
        .prefetch_related(_skills_prefetch())
        .order_by("-created_at", "-id")
    )


def check_in(access: CommunityAccess, pk: int) -> KnowledgeCheck:
    """A check of this community the viewer may see, or 404 (a draft is a 404 for non-leads)."""
    check = (
        KnowledgeCheck.objects.filter(community=access.community, pk=pk)
        .select_related("author")
        .prefetch_related(_skills_prefetch())
        .first()
    )
    if check is None or (check.status == CheckStatus.DRAFT and not can_author_checks(access.membership)):
        raise Http404("No such knowledge check.")
    check.community = access.community
    return check


def check_for(person: Person, pk: int) -> tuple[KnowledgeCheck, CommunityAccess]:
    """A check by id (the API), with the same community check as the pages; 404 otherwise."""
    slug = KnowledgeCheck.objects.filter(pk=pk).values_list("community__slug", flat=True).first()
    if slug is None:
        raise Http404("No such knowledge check.")
    access = community_for(person, slug)
    return check_in(access, pk), access


def items_of(check: KnowledgeCheck) -> list[CheckItem]:
    """The check's items in order, with their skills (2 queries)."""
    items = list(check.items.prefetch_related(_skills_prefetch()).order_by("position", "id"))
    for item in items:
        item.check_ref = check
    return items


def item_in(check: KnowledgeCheck, pk: int) -> CheckItem:
    item = check.items.filter(pk=pk).prefetch_related(_skills_prefetch()).first()
    if item is None:
        raise Http404("No such item.")
    item.check_ref = check
    return item


def item_for(person: Person, pk: int) -> CheckItem:
    """An item by id (the API) whose check the person may see; 404 otherwise."""
    check_id = CheckItem.objects.filter(pk=pk).values_list("check_ref_id", flat=True).first()
    if check_id is None:
        raise Http404("No such item.")
    check, _ = check_for(person, check_id)
    return item_in(check, pk)


def skill_choices(access: CommunityAccess) -> QuerySet[Skill]:
    """Skills a check of this community may be tagged with: the community's and organisation-wide ones."""
    return Skill.objects.filter(Q(community=access.community) | Q(community__isnull=True)).order_by(
        "name", "id"
    )


def my_attempts(person: Person, check: KnowledgeCheck) -> list[CheckAttempt]:
    """The person's attempts of this check, first attempt first."""
    attempts = list(CheckAttempt.objects.filter(check_ref=check, person=person).order_by("number"))
    for attempt in attempts:
        attempt.check_ref = check
    return attempts


def attempt_in(check: KnowledgeCheck, person: Person, pk: int) -> CheckAttempt:
    """The person's own attempt of this check, or 404 (anyone else's attempt does not exist for them)."""
    attempt = CheckAttempt.objects.filter(check_ref=check, person=person, pk=pk).first()
    if attempt is None:
        raise Http404("No such attempt.")
    attempt.check_ref = check
    return attempt


def attempt_for(person: Person, pk: int) -> CheckAttempt:
    """The person's own attempt by id (the API), its check and community still visible to them; else 404."""
    check_id = (
        CheckAttempt.objects.filter(pk=pk, person=person).values_list("check_ref_id", flat=True).first()
    )
    if check_id is None:
        raise Http404("No such attempt.")
    slug = KnowledgeCheck.objects.filter(pk=check_id).values_list("community__slug", flat=True).get()
    access = community_for(person, slug)
    check = KnowledgeCheck.objects.select_related("author").get(pk=check_id)
    check.community = access.community
    return attempt_in(check, person, pk)


# Taking and reporting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    """One item with the person's response, and after submitting its score and the correct answer."""

    item: CheckItem
    response: ItemResponse | None

    @property
    def answered(self) -> bool:
        return self.response is not None and self.response.response is not None

    @property
    def certainty(self) -> int | None:
        return self.response.certainty if self.response else None

    @property
    def picked(self) -> list[int]:
        """Chosen option indices (single and multiple), for ticking the form."""
        if not self.answered or self.response is None:
            return []
        value = self.response.response
        return list(value) if isinstance(value, list) else [value] if isinstance(value, int) else []

    @property
    def fraction(self) -> float | None:
        return self.response.fraction if self.response and self.answered else None

    @property
    def mark(self) -> float:
        return cbm_mark(self.fraction, self.certainty)

    @property
    def confidently_wrong(self) -> bool:
        return self.answered and self.certainty == 3 and (self.fraction or 0.0) <= 0.0

    @property
    def your_answer(self) -> str:
        if not self.answered or self.response is None:
            return "not answered"
        return describe_answer(self.item, self.response.response)

    @property
    def correct_answer(self) -> str:
        text = describe_answer(self.item, self.item.answer)
        if self.item.kind == NUMERIC and self.item.tolerance:
            text += f" (± {self.item.tolerance:g} accepted)"
        return text


def describe_answer(item: CheckItem, value: Any) -> str:
    """An answer or response in words: option texts, true/false, or the number."""
    options = item.options or []
    if item.kind == SINGLE and isinstance(value, int) and 0 <= value < len(options):
        return str(options[value])
    if item.kind == MULTIPLE and isinstance(value, list):
        chosen = [str(options[i]) for i in value if isinstance(i, int) and 0 <= i < len(options)]
        return "; ".join(chosen) if chosen else "nothing picked"
    if item.kind == TRUE_FALSE and isinstance(value, bool):
        return "True" if value else "False"
    if item.kind == NUMERIC and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return "—"


@dataclass(frozen=True)
class TakePage:
    attempt: CheckAttempt
    items: list[ItemView]

    @property
    def answered(self) -> int:
        return sum(1 for view in self.items if view.answered)


def take_page(attempt: CheckAttempt) -> TakePage:
    """Every item of the attempt's check with the person's saved response (3 queries)."""
    items = items_of(attempt.check_ref)
    responses = {row.item_id: row for row in ItemResponse.objects.filter(attempt=attempt)}
    return TakePage(attempt=attempt, items=[ItemView(item, responses.get(item.pk)) for item in items])


def item_view(attempt: CheckAttempt, item: CheckItem) -> ItemView:
    return ItemView(item, ItemResponse.objects.filter(attempt=attempt, item=item).first())


def answered_count(attempt: CheckAttempt) -> int:
    """How many items of the attempt have an answer saved."""
    return ItemResponse.objects.filter(attempt=attempt, response__isnull=False).count()


@dataclass(frozen=True)
class LevelLine:
    """How one certainty level went, in numbers and in words."""

    certainty: int
    word: str
    count: int
    share_correct: float
    judgement: str
    band_low: float
    band_high: float

    @property
    def sentence(self) -> str:
        if self.count == 0:
            return f"You gave no answers at {self.word} certainty."
        share = f"{self.share_correct:.0%}"
        return (
            f"At {self.word} certainty you were right {share} of the time "
            f"({self.count} answer{'s' if self.count != 1 else ''}): {self.judgement}."
        )

    @property
    def advice(self) -> str:
        low, high = round(self.band_low * 100), round(self.band_high * 100)
        if self.certainty == 1:
            return f"Low certainty is honest when you expect to be right less than {high}% of the time."
        if self.certainty == 2:
            return f"Mid certainty is honest when you expect to be right {low}% to {high}% of the time."
        return f"High certainty pays only when you are right more than {low}% of the time."


@dataclass(frozen=True)
class AttemptReport:
    """What the person sees after submitting: their scores, per-level judgements and every item."""

    attempt: CheckAttempt
    summary: CBMSummary
    items: list[ItemView]
    levels: list[LevelLine]

    @property
    def confidently_wrong(self) -> list[ItemView]:
        return [view for view in self.items if view.confidently_wrong]

    @property
    def estimate_sentence(self) -> str:
        # Rounded first, so the sentence's numbers agree with each other and with the cards above it.
        estimate = round(self.attempt.estimated_score * 100)
        actual = round(self.summary.accuracy * 100)
        gap = estimate - actual
        said = f"You expected to score {estimate}% and scored {actual}%"
        if abs(gap) < 5:
            return f"{said}: a close estimate."
        direction = "over-estimated" if gap > 0 else "under-estimated"
        return f"{said}: you {direction} yourself by {abs(gap)} percentage points."


def attempt_report(attempt: CheckAttempt) -> AttemptReport:
    """The report of a submitted attempt, for its owner only (3 queries)."""
    page = take_page(attempt)
    summary = cbm_summary(
        [view.fraction for view in page.items],
        [view.certainty for view in page.items],
        [view.item.weight for view in page.items],
    )
    levels = [
        LevelLine(
            certainty=level.certainty,
            word=CERTAINTY_WORDS[level.certainty],
            count=level.count,
            share_correct=level.share_correct,
            judgement=level.judgement,
            band_low=CBM_OPTIMAL_BANDS[level.certainty][0],
            band_high=CBM_OPTIMAL_BANDS[level.certainty][1],
        )
        for level in summary.levels
    ]
    return AttemptReport(attempt=attempt, summary=summary, items=page.items, levels=levels)


@dataclass(frozen=True)
class HistoryEntry:
    """One submitted attempt in a person's check history."""

    attempt_id: int
    check_id: int
    check_title: str
    community_slug: str
    community_name: str
    number: int
    submitted_at: Any
    accuracy: float
    average_mark: float
    bonus: float
    estimated_score: float

    @property
    def url(self) -> str:
        """The attempt's report page."""
        return reverse(
            "calibration:check-attempt", args=[self.community_slug, self.check_id, self.attempt_id]
        )


def check_history(person_id: int) -> list[HistoryEntry]:
    """Every submitted check attempt of ``person_id``, newest first (1 query). Call only for the
    signed-in person: it is their private calibration data. (For /me/calibration/.)"""
    rows = (
        CheckAttempt.objects.filter(person_id=person_id, submitted_at__isnull=False)
        .select_related("check_ref__community")
        .order_by("-submitted_at", "-id")
    )
    return [
        HistoryEntry(
            attempt_id=row.pk,
            check_id=row.check_ref_id,
            check_title=row.check_ref.title,
            community_slug=row.check_ref.community.slug,
            community_name=row.check_ref.community.name,
            number=row.number,
            submitted_at=row.submitted_at,
            accuracy=row.accuracy or 0.0,
            average_mark=row.average_mark or 0.0,
            bonus=row.bonus or 0.0,
            estimated_score=row.estimated_score,
        )
        for row in rows
    ]


def trend_sentence(attempts: list[CheckAttempt]) -> str:
    """How accuracy and average mark moved from the first to the latest submitted attempt."""
    done = [attempt for attempt in attempts if attempt.submitted_at is not None]
    if len(done) < 2:
        return ""
    first, last = done[0], done[-1]
    change = ((last.accuracy or 0.0) - (first.accuracy or 0.0)) * 100
    mark_change = (last.average_mark or 0.0) - (first.average_mark or 0.0)
    if abs(change) < 1:
        moved = "about the same accuracy"
    else:
        moved = f"accuracy {'up' if change > 0 else 'down'} {abs(change):.0f} points"
    return (
        f"Since your first attempt: {moved}, average mark "
        f"{'up' if mark_change >= 0 else 'down'} {abs(mark_change):.2f}."
    )


# Group aggregates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FirstAttempts:
    """First submitted attempts of a check counted in the group figures: one row per person, items in
    check order. ``submitted`` is how many people have submitted, counted or not yet."""

    items: list[CheckItem]
    submitted: int
    attempt_ids: list[int]
    person_ids: list[int]
    accuracy: np.ndarray[Any, np.dtype[np.float64]]
    estimate: np.ndarray[Any, np.dtype[np.float64]]
    credits: np.ndarray[Any, np.dtype[np.float64]]


def first_attempts(check: KnowledgeCheck) -> FirstAttempts:
    """The data behind item statistics and the group view (3 queries).

    Group figures move in steps of the minimum group size: they cover the first k * m people to
    submit (m = ``min_group_size()``, k as large as possible), so comparing the figures before and
    after one more person submits cannot reveal that person's answers or estimate; each change
    adds at least m people at once.
    """
    items = items_of(check)
    submitted = list(
        CheckAttempt.objects.filter(check_ref=check, number=1, submitted_at__isnull=False)
        .order_by("submitted_at", "pk")
        .values_list("pk", "person_id", "accuracy", "estimated_score")
    )
    step = min_group_size()
    attempts = submitted[: len(submitted) // step * step]
    column = {item.pk: j for j, item in enumerate(items)}
    row = {attempt_id: i for i, (attempt_id, *_) in enumerate(attempts)}
    credits = np.zeros((len(attempts), len(items)))
    for attempt_id, item_id, fraction in ItemResponse.objects.filter(
        attempt__check_ref=check, attempt__number=1, attempt__submitted_at__isnull=False
    ).values_list("attempt_id", "item_id", "fraction"):
        if attempt_id in row and item_id in column and fraction is not None:
            credits[row[attempt_id], column[item_id]] = fraction
    return FirstAttempts(
        items=items,
        submitted=len(submitted),
        attempt_ids=[attempt_id for attempt_id, *_ in attempts],
        person_ids=[person_id for _, person_id, _, _ in attempts],
        accuracy=np.array([accuracy or 0.0 for *_, accuracy, _ in attempts], dtype=float),
        estimate=np.array([estimate for *_, estimate in attempts], dtype=float),
        credits=credits,
    )


@dataclass(frozen=True)
class ItemStatRow:
    item: CheckItem
    difficulty: float
    discrimination: float

    @property
    def quality(self) -> str:
        return discrimination_label(self.discrimination)


@dataclass(frozen=True)
class ItemStatistics:
    """Per-item statistics over the counted first attempts, and how many people submitted in all."""

    rows: list[ItemStatRow]
    submitted: int


def item_statistics_for(check: KnowledgeCheck) -> Aggregate[ItemStatistics]:
    """Difficulty and discrimination of every item over first attempts, or withheld below the
    minimum group size (4 queries)."""
    data = first_attempts(check)
    people = len(set(data.person_ids))
    if not aggregate_allowed(people):
        return Aggregate(value=None, people=data.submitted, shown=False)
    stats: list[ItemStatistic] = item_statistics(data.credits)
    rows = [
        ItemStatRow(item, stat.difficulty, stat.discrimination)
        for item, stat in zip(data.items, stats, strict=True)
    ]
    return guarded(ItemStatistics(rows=rows, submitted=data.submitted), people)


@dataclass(frozen=True)
class GroupView:
    """The Dunning-Kruger analysis of a check's first attempts, and whether its quartiles may show."""

    report: DKReport
    people: int
    submitted: int
    mean_estimate: float
    mean_accuracy: float
    quartiles_shown: bool


def _group_report(check: KnowledgeCheck, data: FirstAttempts) -> DKReport:
    weights = np.array([item.weight for item in data.items], dtype=float)
    total = float(weights.sum()) or 1.0
    # Submitted first attempts never change and are only added, so their count and newest id name the
    # data exactly; the null model's 1,000 simulations then run once per new attempt, not per view.
    key = f"practica:check-group:{check.pk}:{len(data.attempt_ids)}:{max(data.attempt_ids, default=0)}"
    report = cache.get(key)
    if report is None:
        report = dunning_kruger(
            data.accuracy * total,
            data.estimate * total,
            seed=GROUP_VIEW_SEED,
            item_scores=data.credits * weights if len(data.items) >= 2 else None,
        )
        cache.set(key, report, GROUP_VIEW_CACHE_SECONDS)
    return report


def group_view(check: KnowledgeCheck) -> Aggregate[GroupView]:
    """Classic quartile figure beside the null-model band, the three tests and the verdict, over the
    first submitted attempt of each person; withheld below the minimum group size."""
    data = first_attempts(check)
    people = len(set(data.person_ids))
    if not aggregate_allowed(people):
        return Aggregate(value=None, people=data.submitted, shown=False)
    report = _group_report(check, data)
    quartiles_shown = all(aggregate_allowed(row.count) for row in report.quartiles if row.count > 0)
    view = GroupView(
        report=report,
        people=people,
        submitted=data.submitted,
        mean_estimate=float(data.estimate.mean()),
        mean_accuracy=float(data.accuracy.mean()),
        quartiles_shown=quartiles_shown,
    )
    return guarded(view, people)
