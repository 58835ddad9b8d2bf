"""Reads of forecast questions and forecasts, with the spec's visibility rules applied here, once.

- A question is visible where its community is (callers pass a ``CommunityAccess`` from
  ``community_for``, which 404s a private community for non-members).
- Anti-anchoring (specs/calibration.md §2): the group's forecast stays hidden from a person until
  they have forecast, or the question closes.
- Privacy (§5): nobody else's individual forecast shows before resolution; afterwards only the
  forecasts their forecaster chose to list. The group aggregate shows only over at least
  PRACTICA_MIN_GROUP_SIZE distinct forecasters (``core.privacy.guarded``), and moves in steps of at
  least that many people (``core.privacy.release_step``): watching it while one person forecasts
  reveals nothing about their number.
- A person's forecast scores (:func:`forecast_profile`) are read for the signed-in person only.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from practica.analysis.calibration import (
    BrierDecomposition,
    CalibrationBin,
    brier_decomposition,
    brier_score,
    calibration_curve,
    log_score,
)
from practica.calibration.forecasts import REPLACE_WINDOW
from practica.calibration.models import CalibrationRecord, Forecast, ForecastQuestion, RecordSource
from practica.communities.selectors import CommunityAccess, community_for
from practica.core.privacy import Aggregate, guarded, release_step
from practica.people.models import Person

CURVE_BINS = 10


def question_list(access: CommunityAccess) -> QuerySet[ForecastQuestion]:
    """The community's forecast questions, newest first, with how many people forecast each."""
    return (
        ForecastQuestion.objects.filter(community=access.community)
        .select_related("author")
        .annotate(forecaster_count=Count("forecasts__person", distinct=True))
        .order_by("-created_at", "-id")
    )


def question_in(access: CommunityAccess, pk: int) -> ForecastQuestion:
    """A question of this community, or 404."""
    question = (
        ForecastQuestion.objects.filter(community=access.community, pk=pk)
        .select_related("author", "resolved_by")
        .first()
    )
    if question is None:
        raise Http404("No such forecast question.")
    question.community = access.community
    return question


def question_for(person: Person, pk: int) -> tuple[ForecastQuestion, CommunityAccess]:
    """A question by id (the API), with the same community check as the pages; 404 otherwise."""
    slug = ForecastQuestion.objects.filter(pk=pk).values_list("community__slug", flat=True).first()
    if slug is None:
        raise Http404("No such forecast question.")
    access = community_for(person, slug)
    return question_in(access, pk), access


@dataclass(frozen=True)
class GroupForecast:
    """The group's released view: mean and median of each forecaster's latest forecast made up to
    ``as_of``, the end of the last step of at least PRACTICA_MIN_GROUP_SIZE people."""

    mean: float
    median: float
    as_of: datetime


@dataclass(frozen=True)
class QuestionGroup:
    """How many people forecast a question, and the group's figure as released to viewers."""

    forecasters: int
    figure: Aggregate[GroupForecast]


NOBODY = QuestionGroup(forecasters=0, figure=Aggregate(value=None, people=0, shown=False))


def group_forecasts(question_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, QuestionGroup]:
    """The released group forecast of each question (one query for any number of questions).

    Only forecasts older than ``REPLACE_WINDOW`` count towards a step, since a younger one may still
    be replaced in place. A question nobody forecast is absent from the result (use ``NOBODY``).
    """
    settled_before = (now or timezone.now()) - REPLACE_WINDOW
    rows: dict[int, list[tuple[datetime, int, float]]] = defaultdict(list)
    for question_id, person_id, probability, created_at in (
        Forecast.objects.filter(question_id__in=list(question_ids))
        .order_by("question_id", "created_at", "id")
        .values_list("question_id", "person_id", "probability", "created_at")
    ):
        rows[question_id].append((created_at, person_id, probability))
    groups: dict[int, QuestionGroup] = {}
    for question_id, forecasts in rows.items():
        forecasters = len({person for _, person, _ in forecasts})
        contributions = ((when, person) for when, person, _ in forecasts)
        cutoff = release_step(contributions, settled_before=settled_before)
        if cutoff is None:
            withheld = Aggregate[GroupForecast](value=None, people=forecasters, shown=False)
            groups[question_id] = QuestionGroup(forecasters, withheld)
            continue
        latest = {person: probability for when, person, probability in forecasts if when <= cutoff}
        values = list(latest.values())
        figure = GroupForecast(mean=statistics.fmean(values), median=statistics.median(values), as_of=cutoff)
        groups[question_id] = QuestionGroup(forecasters, guarded(figure, len(values)))
    return groups


@dataclass(frozen=True)
class ListedForecast:
    """A forecast shown by name after resolution, because its forecaster chose to be listed."""

    display_name: str
    probability: float
    created_at: datetime


@dataclass(frozen=True)
class QuestionPage:
    """What ``viewer`` may see on one question page."""

    question: ForecastQuestion
    mine: list[Forecast]
    forecaster_count: int
    group_visible: bool
    group: Aggregate[GroupForecast]
    listed: list[ListedForecast]

    @property
    def my_latest(self) -> Forecast | None:
        return self.mine[0] if self.mine else None

    @property
    def i_am_listed(self) -> bool:
        return bool(self.mine) and self.mine[0].listed


def question_page(question: ForecastQuestion, viewer: Person) -> QuestionPage:
    """The viewer's own forecasts, and the group's only as the visibility rules allow (3 queries)."""
    mine = list(Forecast.objects.filter(question=question, person=viewer).order_by("-created_at", "-id"))
    group_visible = bool(mine) or question.is_closed()
    group = group_forecasts([question.pk]).get(question.pk, NOBODY)
    listed: list[ListedForecast] = []
    if question.is_resolved:
        shown: set[int] = set()
        for forecast in (
            Forecast.objects.filter(question=question, listed=True)
            .exclude(person=viewer)
            .select_related("person")
            .order_by("person__display_name", "person_id", "-created_at", "-id")
        ):
            if forecast.person_id in shown:
                continue
            shown.add(forecast.person_id)
            listed.append(
                ListedForecast(forecast.person.display_name, forecast.probability, forecast.created_at)
            )
    return QuestionPage(
        question=question,
        mine=mine,
        forecaster_count=group.forecasters,
        group_visible=group_visible,
        group=group.figure,
        listed=listed,
    )


@dataclass(frozen=True)
class ForecastProfile:
    """A person's scored probabilities summarised with proper scoring rules (their eyes only): their
    forecasts on resolved questions and their predictions on experiments that were won or lost."""

    count: int
    questions: int
    brier: float
    decomposition: BrierDecomposition
    log_score: float
    curve: list[CalibrationBin]
    base_rate: float
    forecasts: int = 0
    experiments: int = 0


def forecast_profile(person_id: int) -> ForecastProfile | None:
    """Brier score, its Murphy decomposition, log score and calibration curve over every scored
    probability of ``person_id`` (forecasts and experiment predictions), or ``None`` before the first
    one. Annulled questions and inconclusive experiments wrote no record, so they count nowhere.
    Call only for the signed-in person."""
    rows = list(
        CalibrationRecord.objects.filter(
            person_id=person_id,
            source__in=[RecordSource.FORECAST, RecordSource.EXPERIMENT],
            probability__isnull=False,
        ).values_list("probability", "fraction", "url", "source")
    )
    if not rows:
        return None
    probabilities = [float(row[0] or 0.0) for row in rows]  # the filter excludes None
    outcomes = [row[1] for row in rows]
    forecasts = sum(1 for row in rows if row[3] == RecordSource.FORECAST)
    return ForecastProfile(
        count=len(rows),
        questions=len({row[2] for row in rows if row[3] == RecordSource.FORECAST}),
        brier=brier_score(probabilities, outcomes),
        decomposition=brier_decomposition(probabilities, outcomes, bins=CURVE_BINS),
        log_score=log_score(probabilities, outcomes),
        curve=calibration_curve(probabilities, outcomes, bins=CURVE_BINS),
        forecasts=forecasts,
        experiments=len(rows) - forecasts,
        base_rate=sum(outcomes) / len(outcomes),
    )
