"""Every write to forecast questions and forecasts (specs/calibration.md §2).

Active members of a community ask binary questions; whoever may take part forecasts the probability
of "yes" until the question closes; the author or a lead resolves it yes, no or annulled. Resolving
yes or no scores every forecast that counts into its forecaster's private calibration record
(see the models' docstring for what a record holds); annulled questions count nowhere.
Refusals raise :class:`ApplicationError` and change nothing.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from practica.calibration.models import (
    MAX_FORECAST_DETAILS,
    MAX_FORECAST_TITLE,
    CalibrationRecord,
    Forecast,
    ForecastQuestion,
    RecordSource,
    Resolution,
)
from practica.communities.models import Community
from practica.core.errors import ApplicationError
from practica.core.permissions import (
    can_resolve_forecast,
    can_take_part,
    is_active_member,
    membership_of,
)
from practica.people.models import Person

REPLACE_WINDOW = timedelta(minutes=1)
"""A forecast changed within this time replaces the previous one, which then counts no more."""

NOT_A_MEMBER = "Only active members of this community can ask forecast questions; join it first."
NOT_TAKING_PART = "Only members of this community can forecast on its questions; join it first."
NOT_A_RESOLVER = "Only the person who asked or a lead of this community can resolve this question."
ALREADY_RESOLVED = "This question is already resolved; its forecasts are scored."
CLOSED = "This question closed for forecasts; it waits for its resolution."
BAD_PROBABILITY = "Give a probability from 0% to 100%."
BAD_RESOLUTION = "Resolve the question as yes, no or annulled."


def question_path(question: ForecastQuestion) -> str:
    return reverse("calibration:forecast-detail", args=[question.community.slug, question.pk])


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ApplicationError(
            'A forecast question needs a title that can be answered "yes" or "no".', field="title"
        )
    if len(title) > MAX_FORECAST_TITLE:
        raise ApplicationError(
            f"The title has {len(title)} characters; keep it to {MAX_FORECAST_TITLE} and put the "
            "resolution criteria in the details.",
            field="title",
        )
    return title


def forecast_question_create(
    *,
    actor: Person,
    community: Community,
    title: str,
    closes_at: datetime,
    details: str = "",
) -> ForecastQuestion:
    """Ask a binary question the community forecasts until ``closes_at`` (which must be in the future)."""
    if not is_active_member(membership_of(actor, community)):
        raise ApplicationError(NOT_A_MEMBER)
    title = _clean_title(title)
    details = details.strip()
    if len(details) > MAX_FORECAST_DETAILS:
        raise ApplicationError(
            f"The details have {len(details)} characters; keep them to {MAX_FORECAST_DETAILS:,}.",
            field="details",
        )
    if timezone.is_naive(closes_at):
        raise ApplicationError("Give the closing time with a time zone.", field="closes_at")
    if closes_at <= timezone.now():
        raise ApplicationError("The closing time must be in the future.", field="closes_at")
    return ForecastQuestion.objects.create(
        community=community, author=actor, title=title, details=details, closes_at=closes_at
    )


def clean_probability(probability: float) -> float:
    """A probability from 0 to 1 (exactly 0 or 1 allowed), or an ApplicationError on ``probability``."""
    try:
        value = float(probability)
    except (TypeError, ValueError):
        raise ApplicationError(BAD_PROBABILITY, field="probability") from None
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise ApplicationError(BAD_PROBABILITY, field="probability")
    return value


_clean_probability = clean_probability


def scored_record(
    *,
    person_id: int,
    source: RecordSource,
    source_id: int,
    probability: float,
    outcome: float,
    community: Community | None,
    summary: str,
    url: str,
    resolved_at: datetime,
) -> CalibrationRecord:
    """An unsaved calibration record for a probability judgement: fraction = the outcome (1 or 0),
    mark = -(p - o)^2, the Brier contribution negated so that higher is better. Forecasts and
    experiment predictions are scored by this one rule."""
    return CalibrationRecord(
        person_id=person_id,
        source=source,
        source_id=source_id,
        probability=probability,
        fraction=outcome,
        mark=-((probability - outcome) ** 2),
        community=community,
        summary=summary[:200],
        url=url[:300],
        resolved_at=resolved_at,
    )


@transaction.atomic
def forecast_make(
    *, person: Person, question: ForecastQuestion, probability: float, listed: bool = False
) -> Forecast:
    """Record ``person``'s probability of "yes" (0 to 1; exactly 0 or 1 is allowed, and risky).

    A forecast made within :data:`REPLACE_WINDOW` of the person's previous one on this question
    replaces it (taking the new time), so a quick correction counts once.
    """
    probability = _clean_probability(probability)
    # Lock the question so that a resolution cannot slip in between the check and the write.
    question = ForecastQuestion.objects.select_for_update().select_related("community").get(pk=question.pk)
    if question.is_resolved:
        raise ApplicationError(ALREADY_RESOLVED)
    now = timezone.now()
    if question.is_closed(now):
        raise ApplicationError(CLOSED)
    if not can_take_part(person, question.community, membership_of(person, question.community)):
        raise ApplicationError(NOT_TAKING_PART)
    previous = (
        Forecast.objects.filter(question=question, person=person).order_by("-created_at", "-id").first()
    )
    if previous is not None and now - previous.created_at < REPLACE_WINDOW:
        previous.probability = probability
        previous.listed = listed
        previous.created_at = now
        previous.save(update_fields=["probability", "listed", "created_at"])
        return previous
    return Forecast.objects.create(
        question=question, person=person, probability=probability, listed=listed, created_at=now
    )


def forecast_listing_set(*, person: Person, question: ForecastQuestion, listed: bool) -> int:
    """Choose whether your forecasts on a question show with your name after it resolves."""
    return Forecast.objects.filter(question=question, person=person).update(listed=listed)


@transaction.atomic
def forecast_question_resolve(
    *, actor: Person, question: ForecastQuestion, resolution: Resolution | str
) -> ForecastQuestion:
    """Resolve yes, no or annulled, once; yes and no score every forecast into its owner's record."""
    if resolution not in {Resolution.YES, Resolution.NO, Resolution.ANNULLED}:
        raise ApplicationError(BAD_RESOLUTION, field="resolution")
    question = ForecastQuestion.objects.select_for_update().select_related("community").get(pk=question.pk)
    if not can_resolve_forecast(actor, question, membership_of(actor, question.community)):
        raise ApplicationError(NOT_A_RESOLVER)
    if question.is_resolved:
        raise ApplicationError(ALREADY_RESOLVED)
    now = timezone.now()
    question.resolution = Resolution(resolution)
    question.resolved_at = now
    question.resolved_by = actor
    question.save(update_fields=["resolution", "resolved_at", "resolved_by"])
    if question.resolution == Resolution.ANNULLED:
        return question
    outcome = 1.0 if question.resolution == Resolution.YES else 0.0
    url = question_path(question)
    CalibrationRecord.objects.bulk_create(
        [
            scored_record(
                person_id=forecast.person_id,
                source=RecordSource.FORECAST,
                source_id=forecast.pk,
                probability=forecast.probability,
                outcome=outcome,
                community=question.community,
                summary=question.title,
                url=url,
                resolved_at=now,
            )
            for forecast in Forecast.objects.filter(question=question).order_by("pk")
        ]
    )
    return question
