"""Reads of forecast questions and forecasts, with the spec's visibility rules applied here, once.

- A question is visible where its community is (callers pass a ``CommunityAccess`` from
  ``community_for``, which 404s a private community for non-members).
- Anti-anchoring (specs/calibration.md §2): the group's forecast stays hidden from a person until
  they have forecast, or the question closes.
- Privacy (§5): nobody else's individual forecast shows before resolution; afterwards only the
  forecasts their forecaster chose to list. The group aggregate shows only over at least
  PRACTICA_MIN_GROUP_SIZE distinct forecasters (``core.privacy.guarded``).
- A person's forecast scores (:func:`forecast_profile`) are read for the signed-in person only.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet
from django.http import Http404

from practica.analysis.calibration import (
    BrierDecomposition,
    CalibrationBin,
    brier_decomposition,
    brier_score,
    calibration_curve,
    log_score,
)
from practica.calibration.models import CalibrationRecord, Forecast, ForecastQuestion, RecordSource
from practica.communities.selectors import CommunityAccess, community_for
from practica.core.privacy import Aggregate, guarded
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
    """The group's current view: mean and median of each forecaster's latest forecast."""

    mean: float
    median: float


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
    latest: dict[int, float] = {}
    for person_id, probability in (
        Forecast.objects.filter(question=question)
        .order_by("person_id", "-created_at", "-id")
        .values_list("person_id", "probability")
    ):
        latest.setdefault(person_id, probability)
    values = list(latest.values())
    group_visible = bool(mine) or question.is_closed()
    group: Aggregate[GroupForecast] = (
        guarded(GroupForecast(mean=statistics.fmean(values), median=statistics.median(values)), len(values))
        if values
        else Aggregate(value=None, people=0, shown=False)
    )
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
        forecaster_count=len(latest),
        group_visible=group_visible,
        group=group,
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
