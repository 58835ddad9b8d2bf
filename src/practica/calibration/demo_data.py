"""Forecast questions for the demo organisation: some open, most resolved, with a range of calibration.

Made through the real services (so the records on each person's calibration page are scored by the
same code), then moved into the past.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from practica.calibration import demo_checks, demo_skills  # noqa: F401  (their demo steps register on import)
from practica.calibration.forecasts import forecast_make, forecast_question_create, forecast_question_resolve
from practica.calibration.models import (
    CalibrationRecord,
    Forecast,
    ForecastQuestion,
    RecordSource,
    Resolution,
)
from practica.communities.models import Community, MembershipStatus, Role, Visibility
from practica.demo.generator import DemoContext, demo_step
from practica.people.models import Person

OPEN_QUESTION = ("Will we run a cross-team kata every fortnight this quarter?", Resolution.OPEN)
QUESTIONS = [
    ("Will the new CI pipeline cut median build time below 10 minutes this quarter?", Resolution.YES),
    ("Will at least three teams adopt the shared checklist by the end of the month?", Resolution.NO),
    ("Will the next meetup have more than 15 people present?", Resolution.YES),
    ("Will the migration to the new framework finish before the holidays?", Resolution.NO),
    OPEN_QUESTION,
]


@demo_step(order=32, label="forecasts")
def forecasts_step(context: DemoContext) -> None:
    """Each open community gets a few forecast questions; forecasters range from sharp to overconfident."""
    rng = context.rng
    now = timezone.now()
    communities = list(Community.objects.exclude(visibility=Visibility.PRIVATE).order_by("name")[:6])
    open_asked = False
    for index, community in enumerate(communities):
        context.progress("forecasts", index, len(communities))
        lead = Person.objects.filter(
            community_memberships__community=community,
            community_memberships__role=Role.LEAD,
            community_memberships__status=MembershipStatus.ACTIVE,
        ).first()
        members = list(
            Person.objects.filter(
                community_memberships__community=community,
                community_memberships__status=MembershipStatus.ACTIVE,
            ).order_by("pk")[:25]
        )
        if lead is None or len(members) < 3:
            continue
        picked = rng.sample(QUESTIONS, 3)
        if not open_asked and all(outcome != Resolution.OPEN for _, outcome in picked):
            picked[-1] = OPEN_QUESTION  # the first community always has a question still open
        open_asked = True
        for title, outcome in picked:
            question = forecast_question_create(
                actor=lead, community=community, title=title, closes_at=now + timedelta(days=30)
            )
            forecasters = rng.sample(members, min(len(members), rng.randint(5, 12)))
            for person in forecasters:
                # Some people hedge, some are sure of themselves: the curve on their page shows it.
                truth = 0.7 if outcome == Resolution.YES else 0.3
                boldness = rng.choice([0.5, 1.0, 1.6])
                probability = min(0.99, max(0.01, 0.5 + (truth - 0.5 + rng.gauss(0, 0.2)) * boldness))
                forecast_make(
                    person=person, question=question, probability=round(probability, 2), listed=True
                )
            # The question was asked weeks ago (and, if resolved, closed when it was resolved); its
            # forecasts came in one after another in between, as they would have.
            resolved = outcome != Resolution.OPEN
            resolved_at = now - timedelta(days=rng.randint(3, 90)) if resolved else now
            opened = resolved_at - timedelta(days=21) if resolved else now - timedelta(days=14)
            until = resolved_at if resolved else now - timedelta(hours=1)
            step = (until - opened) / (len(forecasters) + 1)
            made = list(Forecast.objects.filter(question=question).order_by("pk"))
            for number, forecast in enumerate(made, 1):
                forecast.created_at = opened + step * number
            Forecast.objects.bulk_update(made, ["created_at"])
            ForecastQuestion.objects.filter(pk=question.pk).update(created_at=opened)
            if resolved:
                forecast_question_resolve(actor=lead, question=question, resolution=outcome)
                ForecastQuestion.objects.filter(pk=question.pk).update(
                    closes_at=resolved_at, resolved_at=resolved_at
                )
                forecast_ids = Forecast.objects.filter(question=question).values_list("pk", flat=True)
                CalibrationRecord.objects.filter(
                    source=RecordSource.FORECAST, source_id__in=forecast_ids
                ).update(resolved_at=resolved_at)
    context.progress("forecasts", len(communities), len(communities))
