"""Forecasts and your own calibration in the JSON API: the same selectors and services as the pages.

A private community's forecast questions are a 404 for non-members, as on the pages; refusals from
the services are a 400 with the same text. The group forecast follows the anti-anchoring and
minimum-group-size rules of ``forecast_selectors``; /me/calibration returns the caller's own numbers only.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from datetime import date, datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from practica.calibration import forecast_selectors as selectors
from practica.calibration import forecasts
from practica.calibration import selectors as record_selectors
from practica.calibration.models import Forecast, ForecastQuestion, Resolution
from practica.communities.selectors import community_for
from practica.core.permissions import person_for_user

router = Router(tags=["forecasts"])


class ErrorOut(Schema):
    detail: str


class ForecastQuestionSummaryOut(Schema):
    id: int
    title: str
    author: str | None = Field(None, alias="author.display_name")
    closes_at: datetime
    resolution: Resolution
    resolved_at: datetime | None
    forecaster_count: int
    created_at: datetime


class ForecastOut(Schema):
    id: int
    probability: float
    listed: bool
    created_at: datetime


class ListedForecastOut(Schema):
    display_name: str
    probability: float
    created_at: datetime


class GroupForecastOut(Schema):
    visible: bool = Field(..., description="False until you have forecast or the question closes.")
    shown: bool = Field(..., description="False when too few people forecast to show it safely.")
    reason: str
    mean: float | None
    median: float | None
    people: int | None = Field(None, description="How many people's latest forecasts the figure covers.")
    as_of: datetime | None = Field(
        None,
        description="The figure covers forecasts made up to this instant; it moves only once at least "
        "PRACTICA_MIN_GROUP_SIZE people have forecast since, so one person's forecast never shows in it.",
    )


class ForecastQuestionOut(Schema):
    id: int
    community: str
    title: str
    details: str
    author: str | None
    closes_at: datetime
    resolution: Resolution
    resolved_at: datetime | None
    forecaster_count: int
    mine: list[ForecastOut]
    group: GroupForecastOut
    listed: list[ListedForecastOut]


class ForecastQuestionIn(Schema):
    title: str
    details: str = ""
    closes_at: datetime


class ForecastIn(Schema):
    probability: float = Field(..., description='Probability of "yes", from 0 to 1.')
    listed: bool = False


class ResolveIn(Schema):
    resolution: str = Field(..., description='"yes", "no" or "annulled".')


class DecompositionOut(Schema):
    reliability: float
    resolution: float
    uncertainty: float
    remainder: float


class CurveBinOut(Schema):
    mean_forecast: float
    observed_frequency: float
    count: int
    lower: float
    upper: float


class ForecastScoresOut(Schema):
    count: int
    questions: int
    brier: float
    log_score: float
    decomposition: DecompositionOut
    curve: list[CurveBinOut]


class CertaintyLevelOut(Schema):
    certainty: int
    count: int
    share_correct: float | None = Field(None, description="Share right at this certainty; null when unused.")
    judgement: str


class MonthOut(Schema):
    month: date
    count: int
    average_mark: float
    accuracy: float


class CertaintyScoresOut(Schema):
    count: int
    accuracy: float | None
    average_mark: float | None
    bonus: float | None
    levels: list[CertaintyLevelOut] = Field(default_factory=list)
    months: list[MonthOut] = Field(default_factory=list, description="Average mark per month, oldest first.")


class MyCalibrationOut(Schema):
    certainty: CertaintyScoresOut
    forecasts: ForecastScoresOut | None


def _question_out(question: ForecastQuestion, request: HttpRequest) -> ForecastQuestionOut:
    page = selectors.question_page(question, person_for_user(request.user))
    group = page.group
    visible = page.group_visible
    value = group.value if visible else None  # what the viewer may read of the group's figure
    return ForecastQuestionOut(
        id=question.pk,
        community=question.community.slug,
        title=question.title,
        details=question.details,
        author=question.author.display_name if question.author else None,
        closes_at=question.closes_at,
        resolution=Resolution(question.resolution),
        resolved_at=question.resolved_at,
        forecaster_count=page.forecaster_count,
        mine=[ForecastOut.from_orm(forecast) for forecast in page.mine],
        group=GroupForecastOut(
            visible=visible,
            shown=visible and group.shown,
            reason="" if not visible else group.reason,
            mean=value.mean if value else None,
            median=value.median if value else None,
            people=group.people if value else None,
            as_of=value.as_of if value else None,
        ),
        listed=[ListedForecastOut(**asdict(listed)) for listed in page.listed],
    )


@router.get("/communities/{slug}/forecast-questions", response=list[ForecastQuestionSummaryOut])
@paginate(PageNumberPagination, page_size=50)
def question_list(request: HttpRequest, slug: str) -> QuerySet[ForecastQuestion]:
    """A community's forecast questions, newest first."""
    return selectors.question_list(community_for(person_for_user(request.user), slug))


@router.post("/communities/{slug}/forecast-questions", response={201: ForecastQuestionOut, 400: ErrorOut})
def question_create(
    request: HttpRequest, slug: str, payload: ForecastQuestionIn
) -> Status[ForecastQuestionOut]:
    """Ask a binary forecast question (active members); ``closes_at`` must be in the future."""
    person = person_for_user(request.user)
    access = community_for(person, slug)
    question = forecasts.forecast_question_create(
        actor=person,
        community=access.community,
        title=payload.title,
        details=payload.details,
        closes_at=payload.closes_at,
    )
    return Status(201, _question_out(selectors.question_in(access, question.pk), request))


@router.get("/forecast-questions/{question_id}", response=ForecastQuestionOut)
def question_detail(request: HttpRequest, question_id: int) -> ForecastQuestionOut:
    """A question with your forecasts and, as the visibility rules allow, the group's."""
    question, _ = selectors.question_for(person_for_user(request.user), question_id)
    return _question_out(question, request)


@router.post("/forecast-questions/{question_id}/forecasts", response={201: ForecastOut, 400: ErrorOut})
def forecast_make(request: HttpRequest, question_id: int, payload: ForecastIn) -> Status[Forecast]:
    """Forecast the probability of "yes" (0 to 1); within a minute it replaces your previous forecast."""
    person = person_for_user(request.user)
    question, _ = selectors.question_for(person, question_id)
    forecast = forecasts.forecast_make(
        person=person, question=question, probability=payload.probability, listed=payload.listed
    )
    return Status(201, forecast)


@router.post("/forecast-questions/{question_id}/resolve", response={200: ForecastQuestionOut, 400: ErrorOut})
def question_resolve(request: HttpRequest, question_id: int, payload: ResolveIn) -> ForecastQuestionOut:
    """Resolve yes, no or annulled (the author or a lead, once); yes and no score every forecast."""
    person = person_for_user(request.user)
    question, access = selectors.question_for(person, question_id)
    forecasts.forecast_question_resolve(actor=person, question=question, resolution=payload.resolution)
    return _question_out(selectors.question_in(access, question_id), request)


@router.get("/me/calibration", response=MyCalibrationOut)
def my_calibration(request: HttpRequest) -> MyCalibrationOut:
    """Your own calibration summary: certainty-based marks and forecast scores. Nobody else's exists here."""
    person = person_for_user(request.user)
    profile = record_selectors.calibration_profile(person.pk)
    summary = profile.summary
    forecast_profile = selectors.forecast_profile(person.pk)
    return MyCalibrationOut(
        certainty=CertaintyScoresOut(
            count=profile.count,
            accuracy=summary.accuracy if summary else None,
            average_mark=summary.average_mark if summary else None,
            bonus=summary.bonus if summary else None,
            levels=[
                CertaintyLevelOut(
                    certainty=level.certainty,
                    count=level.count,
                    share_correct=None if math.isnan(level.share_correct) else level.share_correct,
                    judgement=level.judgement,
                )
                for level in summary.levels
            ]
            if summary
            else [],
            months=[MonthOut(**asdict(month)) for month in record_selectors.cbm_by_month(person.pk)],
        ),
        forecasts=ForecastScoresOut(
            count=forecast_profile.count,
            questions=forecast_profile.questions,
            brier=forecast_profile.brier,
            log_score=forecast_profile.log_score,
            decomposition=DecompositionOut(**asdict(forecast_profile.decomposition)),
            curve=[CurveBinOut(**asdict(point)) for point in forecast_profile.curve],
        )
        if forecast_profile
        else None,
    )
