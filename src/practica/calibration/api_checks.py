"""Knowledge checks in the JSON API: the same services and selectors as the pages.

A private community's checks are a 404 for non-members, a draft a 404 for non-leads, and an attempt
a 404 for everyone but its owner (leads and admins included). Items carry their answers and
explanations only for the community's leads (the authors); takers get them in the report of a
submitted attempt. Item statistics and the group view follow the minimum-group-size rule.
Refusals from the services are a 400 with the same text as on the pages.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from practica.calibration import check_selectors as selectors
from practica.calibration import checks
from practica.calibration.models import CheckAttempt, CheckItem, CheckStatus, KnowledgeCheck
from practica.communities.selectors import CommunityAccess, community_for
from practica.core.permissions import can_author_checks, can_see_group_calibration, person_for_user

router = Router(tags=["checks"])

NOT_RESULTS = "Only the community's leads and stewards see a check's results."


class ErrorOut(Schema):
    detail: str


class SkillOut(Schema):
    id: int
    name: str
    slug: str


class CheckSummaryOut(Schema):
    id: int
    title: str
    status: CheckStatus
    item_count: int
    taker_count: int = Field(..., description="People who submitted at least one attempt.")
    my_attempt_count: int
    skills: list[SkillOut]
    created_at: datetime

    @staticmethod
    def resolve_skills(check: KnowledgeCheck) -> list[SkillOut]:
        return [SkillOut(id=skill.pk, name=skill.name, slug=skill.slug) for skill in check.skills.all()]


class ItemOut(Schema):
    id: int
    position: int
    kind: str
    prompt: str
    options: list[str]
    weight: float
    skills: list[SkillOut]
    answer: Any = Field(None, description="Authors only: index, list of indices, bool or number.")
    tolerance: float | None = Field(None, description="Authors only (numeric items).")
    explanation: str | None = Field(None, description="Authors only.")


class CheckOut(Schema):
    id: int
    community: str
    title: str
    description: str
    status: CheckStatus
    author: str | None
    skills: list[SkillOut]
    items: list[ItemOut]
    with_answers: bool
    created_at: datetime


class CheckIn(Schema):
    title: str
    description: str = ""
    skills: list[int] = Field(default_factory=list, description="Skill ids (community or organisation-wide).")


class StatusIn(Schema):
    status: str = Field(..., description='"published" or "archived".')


class ItemIn(Schema):
    kind: str = Field(..., description='"single", "multiple", "true_false" or "numeric".')
    prompt: str
    options: list[str] = Field(default_factory=list, description="Choice texts (single and multiple).")
    answer: Any = Field(
        None,
        description="single: the correct option's 0-based index; multiple: list of indices; "
        "true_false: true or false; numeric: the number.",
    )
    tolerance: float | None = Field(None, description="Numeric items: accepted distance (>= 0).")
    explanation: str = ""
    weight: float = 1.0
    skills: list[int] = Field(default_factory=list)


class MoveIn(Schema):
    offset: int = Field(..., description="-1 moves the item up one place, 1 down.")


class AttemptIn(Schema):
    estimated_score: float = Field(..., description="Your estimate of your score before starting, 0 to 1.")


class AnswerIn(Schema):
    response: Any = Field(
        ..., description="single: option index; multiple: list of indices; true_false: bool; numeric: number."
    )
    certainty: int | None = Field(None, description="1 low, 2 mid, 3 high; none counts as 1.")


class ResponseOut(Schema):
    item_id: int
    response: Any
    certainty: int | None


class AttemptOut(Schema):
    id: int
    check_id: int
    number: int
    estimated_score: float
    started_at: datetime
    submitted_at: datetime | None
    accuracy: float | None
    average_mark: float | None
    bonus: float | None
    responses: list[ResponseOut]


class LevelOut(Schema):
    certainty: int
    count: int
    share_correct: float | None
    judgement: str
    sentence: str


class ReportItemOut(Schema):
    item_id: int
    prompt: str
    response: Any
    certainty: int | None
    fraction: float | None
    mark: float
    answer: Any
    correct_answer: str
    explanation: str
    confidently_wrong: bool


class ReportOut(Schema):
    attempt: AttemptOut
    unanswered: int
    estimate_sentence: str
    levels: list[LevelOut]
    items: list[ReportItemOut]


class ItemStatisticOut(Schema):
    item_id: int
    position: int
    difficulty: float
    discrimination: float | None
    quality: str


class StatisticsOut(Schema):
    shown: bool
    reason: str
    people: int = Field(..., description="People counted (figures move in steps of the minimum group size).")
    submitted: int = Field(..., description="People who submitted a first attempt, counted or not yet.")
    items: list[ItemStatisticOut] | None


class QuartileOut(Schema):
    quartile: int
    count: int
    mean_actual_percentile: float | None
    mean_self_percentile: float | None
    null_mean_self_percentile: float | None
    null_lower: float | None
    null_upper: float | None


class TestOut(Schema):
    name: str
    available: bool
    estimate: float | None
    p_value: float | None
    supports_effect: bool
    note: str


class GroupOut(Schema):
    shown: bool
    reason: str
    people: int = Field(..., description="People counted (figures move in steps of the minimum group size).")
    submitted: int = Field(..., description="People who submitted a first attempt, counted or not yet.")
    mean_estimate: float | None = None
    mean_accuracy: float | None = None
    quartiles_shown: bool = False
    quartiles: list[QuartileOut] | None = None
    tests: list[TestOut] | None = None
    verdict: str | None = None


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def _skills(skills: Any) -> list[SkillOut]:
    return [SkillOut(id=skill.pk, name=skill.name, slug=skill.slug) for skill in skills.all()]


def _item_out(item: CheckItem, *, with_answers: bool) -> ItemOut:
    return ItemOut(
        id=item.pk,
        position=item.position,
        kind=item.kind,
        prompt=item.prompt,
        options=list(item.options or []),
        weight=item.weight,
        skills=_skills(item.skills),
        answer=item.answer if with_answers else None,
        tolerance=item.tolerance if with_answers else None,
        explanation=item.explanation if with_answers else None,
    )


def _check_out(check: KnowledgeCheck, access: CommunityAccess) -> CheckOut:
    with_answers = can_author_checks(access.membership)
    return CheckOut(
        id=check.pk,
        community=access.community.slug,
        title=check.title,
        description=check.description,
        status=CheckStatus(check.status),
        author=check.author.display_name if check.author else None,
        skills=_skills(check.skills),
        items=[_item_out(item, with_answers=with_answers) for item in selectors.items_of(check)],
        with_answers=with_answers,
        created_at=check.created_at,
    )


def _attempt_out(attempt: CheckAttempt) -> AttemptOut:
    responses = [
        ResponseOut(item_id=row.item_id, response=row.response, certainty=row.certainty)
        for row in attempt.responses.order_by("item__position", "item_id")
    ]
    return AttemptOut(
        id=attempt.pk,
        check_id=attempt.check_ref_id,
        number=attempt.number,
        estimated_score=attempt.estimated_score,
        started_at=attempt.started_at,
        submitted_at=attempt.submitted_at,
        accuracy=attempt.accuracy,
        average_mark=attempt.average_mark,
        bonus=attempt.bonus,
        responses=responses,
    )


def _report_out(attempt: CheckAttempt) -> ReportOut:
    if attempt.submitted_at is None:
        raise Http404("This attempt is not submitted yet; its report appears after submitting.")
    report = selectors.attempt_report(attempt)
    return ReportOut(
        attempt=_attempt_out(attempt),
        unanswered=report.summary.unanswered,
        estimate_sentence=report.estimate_sentence,
        levels=[
            LevelOut(
                certainty=line.certainty,
                count=line.count,
                share_correct=_number(line.share_correct),
                judgement=line.judgement,
                sentence=line.sentence,
            )
            for line in report.levels
        ],
        items=[
            ReportItemOut(
                item_id=view.item.pk,
                prompt=view.item.prompt,
                response=view.response.response if view.response else None,
                certainty=view.certainty,
                fraction=view.fraction,
                mark=view.mark,
                answer=view.item.answer,
                correct_answer=view.correct_answer,
                explanation=view.item.explanation,
                confidently_wrong=view.confidently_wrong,
            )
            for view in report.items
        ],
    )


def _results_access(request: HttpRequest, check_id: int) -> KnowledgeCheck:
    person = person_for_user(request.user)
    check, access = selectors.check_for(person, check_id)
    if not can_see_group_calibration(person, access.membership):
        raise PermissionDenied(NOT_RESULTS)
    return check


@router.get("/communities/{slug}/checks", response=list[CheckSummaryOut])
@paginate(PageNumberPagination, page_size=50)
def check_list(request: HttpRequest, slug: str) -> QuerySet[KnowledgeCheck]:
    """A community's knowledge checks, newest first (drafts only for its leads)."""
    person = person_for_user(request.user)
    return selectors.check_list(community_for(person, slug), person)


@router.post("/communities/{slug}/checks", response={201: CheckOut, 400: ErrorOut})
def check_create(request: HttpRequest, slug: str, payload: CheckIn) -> Status[CheckOut]:
    """Start a draft check (the community's leads)."""
    person = person_for_user(request.user)
    access = community_for(person, slug)
    check = checks.check_create(
        actor=person,
        community=access.community,
        title=payload.title,
        description=payload.description,
        skill_ids=payload.skills,
    )
    return Status(201, _check_out(selectors.check_in(access, check.pk), access))


@router.get("/checks/{check_id}", response=CheckOut)
def check_detail(request: HttpRequest, check_id: int) -> CheckOut:
    """A check with its items; answers and explanations only for the community's leads."""
    check, access = selectors.check_for(person_for_user(request.user), check_id)
    return _check_out(check, access)


@router.put("/checks/{check_id}", response={200: CheckOut, 400: ErrorOut})
def check_update(request: HttpRequest, check_id: int, payload: CheckIn) -> CheckOut:
    """Change a check's title, description and skills (leads)."""
    person = person_for_user(request.user)
    check, access = selectors.check_for(person, check_id)
    checks.check_update(
        actor=person,
        check=check,
        title=payload.title,
        description=payload.description,
        skill_ids=payload.skills,
    )
    return _check_out(selectors.check_in(access, check_id), access)


@router.post("/checks/{check_id}/status", response={200: CheckOut, 400: ErrorOut})
def check_status(request: HttpRequest, check_id: int, payload: StatusIn) -> CheckOut:
    """Publish a draft, archive a published check, or publish an archived one again (leads)."""
    person = person_for_user(request.user)
    check, access = selectors.check_for(person, check_id)
    checks.check_set_status(actor=person, check=check, status=payload.status)
    return _check_out(selectors.check_in(access, check_id), access)


def _item_fields(payload: ItemIn) -> dict[str, Any]:
    return {
        "kind": payload.kind,
        "prompt": payload.prompt,
        "options": payload.options,
        "answer": payload.answer,
        "tolerance": payload.tolerance,
        "explanation": payload.explanation,
        "weight": payload.weight,
        "skill_ids": payload.skills,
    }


@router.post("/checks/{check_id}/items", response={201: ItemOut, 400: ErrorOut})
def item_create(request: HttpRequest, check_id: int, payload: ItemIn) -> Status[ItemOut]:
    """Add an item at the end of a draft check (leads)."""
    person = person_for_user(request.user)
    check, _ = selectors.check_for(person, check_id)
    item = checks.item_create(actor=person, check=check, **_item_fields(payload))
    return Status(201, _item_out(selectors.item_in(check, item.pk), with_answers=True))


@router.put("/check-items/{item_id}", response={200: ItemOut, 400: ErrorOut})
def item_update(request: HttpRequest, item_id: int, payload: ItemIn) -> ItemOut:
    """Change an item of a draft check (leads)."""
    person = person_for_user(request.user)
    item = selectors.item_for(person, item_id)
    checks.item_update(actor=person, item=item, **_item_fields(payload))
    return _item_out(selectors.item_in(item.check_ref, item_id), with_answers=True)


@router.delete("/check-items/{item_id}", response={204: None, 400: ErrorOut})
def item_delete(request: HttpRequest, item_id: int) -> Status[None]:
    """Delete an item of a draft check (leads)."""
    person = person_for_user(request.user)
    checks.item_delete(actor=person, item=selectors.item_for(person, item_id))
    return Status(204, None)


@router.post("/check-items/{item_id}/move", response={200: ItemOut, 400: ErrorOut})
def item_move(request: HttpRequest, item_id: int, payload: MoveIn) -> ItemOut:
    """Move an item one place up (-1) or down (1) in a draft check (leads)."""
    person = person_for_user(request.user)
    item = selectors.item_for(person, item_id)
    moved = checks.item_move(actor=person, item=item, offset=payload.offset)
    return _item_out(selectors.item_in(item.check_ref, moved.pk), with_answers=True)


@router.post("/checks/{check_id}/attempts", response={201: AttemptOut, 400: ErrorOut})
def attempt_start(request: HttpRequest, check_id: int, payload: AttemptIn) -> Status[AttemptOut]:
    """Start an attempt of a published check with your estimate of your score (0 to 1)."""
    person = person_for_user(request.user)
    check, _ = selectors.check_for(person, check_id)
    attempt = checks.attempt_start(person=person, check=check, estimated_score=payload.estimated_score)
    return Status(201, _attempt_out(attempt))


@router.get("/checks/{check_id}/attempts", response=list[AttemptOut])
def my_attempts(request: HttpRequest, check_id: int) -> list[AttemptOut]:
    """Your own attempts of a check, first first."""
    person = person_for_user(request.user)
    check, _ = selectors.check_for(person, check_id)
    return [_attempt_out(attempt) for attempt in selectors.my_attempts(person, check)]


@router.get("/check-attempts/{attempt_id}", response=AttemptOut)
def attempt_detail(request: HttpRequest, attempt_id: int) -> AttemptOut:
    """One of your attempts with your saved answers (anyone else's attempt is a 404)."""
    return _attempt_out(selectors.attempt_for(person_for_user(request.user), attempt_id))


@router.put("/check-attempts/{attempt_id}/responses/{item_id}", response={200: ResponseOut, 400: ErrorOut})
def attempt_answer(request: HttpRequest, attempt_id: int, item_id: int, payload: AnswerIn) -> ResponseOut:
    """Save or change your answer to one item of your open attempt, with a certainty 1..3."""
    person = person_for_user(request.user)
    attempt = selectors.attempt_for(person, attempt_id)
    item = CheckItem.objects.filter(pk=item_id).first()
    if item is None:
        raise Http404("No such item.")
    row = checks.attempt_answer(
        person=person, attempt=attempt, item=item, response=payload.response, certainty=payload.certainty
    )
    return ResponseOut(item_id=row.item_id, response=row.response, certainty=row.certainty)


@router.post("/check-attempts/{attempt_id}/submit", response={200: ReportOut, 400: ErrorOut})
def attempt_submit(request: HttpRequest, attempt_id: int) -> ReportOut:
    """Submit and score your attempt; returns your report."""
    person = person_for_user(request.user)
    attempt = selectors.attempt_for(person, attempt_id)
    checks.attempt_submit(person=person, attempt=attempt)
    return _report_out(selectors.attempt_for(person, attempt_id))


@router.get("/check-attempts/{attempt_id}/report", response=ReportOut)
def attempt_report(request: HttpRequest, attempt_id: int) -> ReportOut:
    """The report of your submitted attempt: scores, per-certainty judgements, every item's answer."""
    return _report_out(selectors.attempt_for(person_for_user(request.user), attempt_id))


@router.get("/checks/{check_id}/statistics", response=StatisticsOut)
def check_statistics(request: HttpRequest, check_id: int) -> StatisticsOut:
    """Item difficulty and discrimination over first attempts (leads and stewards; minimum group size)."""
    statistics = selectors.item_statistics_for(_results_access(request, check_id))
    value = statistics.value
    return StatisticsOut(
        shown=statistics.shown,
        reason=statistics.reason,
        people=statistics.people if value else 0,
        submitted=value.submitted if value else statistics.people,
        items=[
            ItemStatisticOut(
                item_id=row.item.pk,
                position=row.item.position,
                difficulty=row.difficulty,
                discrimination=_number(row.discrimination),
                quality=row.quality,
            )
            for row in statistics.value.rows
        ]
        if statistics.value is not None
        else None,
    )


@router.get("/checks/{check_id}/group", response=GroupOut)
def check_group(request: HttpRequest, check_id: int) -> GroupOut:
    """The Dunning-Kruger view over first attempts (leads and stewards; minimum group size)."""
    group = selectors.group_view(_results_access(request, check_id))
    view = group.value
    if view is None:
        return GroupOut(shown=False, reason=group.reason, people=0, submitted=group.people)
    report = view.report
    return GroupOut(
        shown=True,
        reason="",
        people=view.people,
        submitted=view.submitted,
        mean_estimate=view.mean_estimate,
        mean_accuracy=view.mean_accuracy,
        quartiles_shown=view.quartiles_shown,
        quartiles=[
            QuartileOut(
                quartile=row.quartile,
                count=row.count,
                mean_actual_percentile=_number(row.mean_actual_percentile),
                mean_self_percentile=_number(row.mean_self_percentile),
                null_mean_self_percentile=_number(row.null_mean_self_percentile),
                null_lower=_number(row.null_lower),
                null_upper=_number(row.null_upper),
            )
            for row in report.quartiles
        ]
        if view.quartiles_shown
        else None,
        tests=[
            TestOut(
                name=test.name,
                available=test.available,
                estimate=_number(test.estimate),
                p_value=_number(test.p_value),
                supports_effect=test.supports_effect,
                note=test.note,
            )
            for test in report.tests
        ],
        verdict=report.verdict,
    )
