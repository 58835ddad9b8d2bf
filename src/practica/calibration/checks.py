"""Every write to knowledge checks (specs/calibration.md §1): item banks, attempts and their scoring.

Authoring: a community's leads create a check, add, edit, reorder and delete its items while it is a
draft, then publish it (and later archive it). A published check's items are fixed, so every attempt
answers the same questions and item statistics compare like with like.

Taking: whoever may take part in the community starts an attempt of a published check by estimating
their score (0..1, for the Dunning-Kruger view), answers items with a certainty 1..3 (answers can be
changed until submitting), and submits. Submitting scores every item (pure rules in
``practica.analysis.items``), summarises the attempt with CBM (``cbm_summary``: items not answered
get mark 0 and count in accuracy's denominator; no certainty counts as 1), and writes one
CalibrationRecord per answered item (source CHECK_ITEM, source_id = the ItemResponse id) and one
SkillAssessment (source CHECK) per skill the check or its items are tagged with.

Refusals raise :class:`ApplicationError` and change nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from practica.analysis.calibration import cbm_mark, cbm_summary
from practica.analysis.items import (
    ItemError,
    check_evidence_level,
    score_response,
    validate_item,
    validate_response,
)
from practica.calibration.models import (
    AssessmentSource,
    CalibrationRecord,
    CheckAttempt,
    CheckItem,
    CheckStatus,
    ItemResponse,
    KnowledgeCheck,
    RecordSource,
    Skill,
    SkillAssessment,
)
from practica.communities.models import Community
from practica.core.errors import ApplicationError
from practica.core.permissions import can_author_checks, can_take_part, membership_of
from practica.core.slugs import unique_slug
from practica.people.models import Person

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
MAX_PROMPT = 5_000
MAX_EXPLANATION = 10_000
MAX_WEIGHT = 100.0

NOT_AN_AUTHOR = "Only a lead of this community can write or change its knowledge checks."
NOT_A_DRAFT = (
    "This check is no longer a draft: its items are fixed so that every attempt answers the same "
    "questions. Archive it and write a new check to change them."
)
EMPTY_CHECK = "Add at least one item before publishing the check."
BAD_STATUS_CHANGE = "A check goes from draft to published, from published to archived, or back to published."
NOT_TAKING_PART = "Only members of this community can take its checks; join it first."
NOT_OPEN = "This check is not open for attempts: only published checks can be taken."
OPEN_ATTEMPT = "You have an attempt of this check in progress; submit it before starting another."
SUBMITTED = "This attempt is submitted and closed; start a retake to answer again."
NOT_YOURS = "This is not your attempt."
OTHER_CHECK = "That item belongs to another check."
BAD_CERTAINTY = "Choose a certainty of 1 (low), 2 (mid) or 3 (high)."
BAD_ESTIMATE = "Give your estimate of your score from 0% to 100%."
BAD_SKILLS = "Choose skills of this community or organisation-wide skills."


def check_path(check: KnowledgeCheck) -> str:
    return reverse("calibration:check-detail", args=[check.community.slug, check.pk])


def attempt_path(attempt: CheckAttempt) -> str:
    check = attempt.check_ref
    return reverse("calibration:check-attempt", args=[check.community.slug, check.pk, attempt.pk])


def _require_author(actor: Person, community: Community) -> None:
    if not can_author_checks(membership_of(actor, community)):
        raise ApplicationError(NOT_AN_AUTHOR)


def _clean_text(value: str, *, field: str, limit: int, required: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(required, field=field)
    if len(value) > limit:
        raise ApplicationError(f"This has {len(value):,} characters; keep it to {limit:,}.", field=field)
    return value


def _clean_skills(community: Community, skill_ids: Iterable[int]) -> list[Skill]:
    wanted = set(skill_ids)
    if not wanted:
        return []
    skills = list(
        Skill.objects.filter(pk__in=wanted).filter(Q(community=community) | Q(community__isnull=True))
    )
    if len(skills) != len(wanted):
        raise ApplicationError(BAD_SKILLS, field="skills")
    return skills


def _require_draft(check: KnowledgeCheck) -> None:
    if check.status != CheckStatus.DRAFT:
        raise ApplicationError(NOT_A_DRAFT)


@transaction.atomic
def check_create(
    *,
    actor: Person,
    community: Community,
    title: str,
    description: str = "",
    skill_ids: Sequence[int] = (),
) -> KnowledgeCheck:
    """Start a draft check in ``community`` (leads only), tagged with community or organisation skills."""
    _require_author(actor, community)
    title = _clean_text(title, field="title", limit=MAX_TITLE, required="Give the check a title.")
    description = _clean_text(description, field="description", limit=MAX_DESCRIPTION)
    skills = _clean_skills(community, skill_ids)
    check = KnowledgeCheck.objects.create(
        community=community,
        title=title,
        slug=unique_slug(KnowledgeCheck, title, fallback="check", max_length=200),
        description=description,
        author=actor,
    )
    check.skills.set(skills)
    return check


@transaction.atomic
def check_update(
    *, actor: Person, check: KnowledgeCheck, title: str, description: str = "", skill_ids: Sequence[int] = ()
) -> KnowledgeCheck:
    """Change a check's title, description and skills (leads; allowed in every status)."""
    _require_author(actor, check.community)
    check.title = _clean_text(title, field="title", limit=MAX_TITLE, required="Give the check a title.")
    check.description = _clean_text(description, field="description", limit=MAX_DESCRIPTION)
    skills = _clean_skills(check.community, skill_ids)
    check.save(update_fields=["title", "description", "updated_at"])
    check.skills.set(skills)
    return check


STATUS_CHANGES: dict[str, set[str]] = {
    CheckStatus.DRAFT: {CheckStatus.PUBLISHED},
    CheckStatus.PUBLISHED: {CheckStatus.ARCHIVED},
    CheckStatus.ARCHIVED: {CheckStatus.PUBLISHED},
}


@transaction.atomic
def check_set_status(*, actor: Person, check: KnowledgeCheck, status: str) -> KnowledgeCheck:
    """Publish a draft (it needs an item), archive a published check, or publish an archived one again.

    Attempts in progress when a check is archived can still be submitted.
    """
    _require_author(actor, check.community)
    check = KnowledgeCheck.objects.select_for_update().select_related("community").get(pk=check.pk)
    if status not in STATUS_CHANGES.get(check.status, set()):
        raise ApplicationError(BAD_STATUS_CHANGE, field="status")
    if status == CheckStatus.PUBLISHED and not check.items.exists():
        raise ApplicationError(EMPTY_CHECK, field="status")
    check.status = status
    check.save(update_fields=["status", "updated_at"])
    return check


def _item_fields(
    *,
    kind: str,
    prompt: str,
    options: Any,
    answer: Any,
    tolerance: Any,
    explanation: str,
    weight: Any,
) -> dict[str, Any]:
    prompt = _clean_text(prompt, field="prompt", limit=MAX_PROMPT, required="Write the question.")
    explanation = _clean_text(explanation, field="explanation", limit=MAX_EXPLANATION)
    try:
        spec = validate_item(kind, options, answer, tolerance)
    except ItemError as error:
        raise ApplicationError(error.message, field=error.field) from None
    try:
        item_weight = float(weight)
    except (TypeError, ValueError):
        raise ApplicationError("The weight must be a number above 0.", field="weight") from None
    if not math.isfinite(item_weight) or not 0 < item_weight <= MAX_WEIGHT:
        raise ApplicationError(f"The weight must be above 0 and at most {MAX_WEIGHT:g}.", field="weight")
    return {
        "kind": spec.kind,
        "prompt": prompt,
        "options": spec.options,
        "answer": spec.answer,
        "tolerance": spec.tolerance,
        "explanation": explanation,
        "weight": item_weight,
    }


@transaction.atomic
def item_create(
    *,
    actor: Person,
    check: KnowledgeCheck,
    kind: str,
    prompt: str,
    options: Any = (),
    answer: Any = None,
    tolerance: Any = None,
    explanation: str = "",
    weight: Any = 1.0,
    skill_ids: Sequence[int] = (),
) -> CheckItem:
    """Add an item at the end of a draft check (leads). See ``analysis.items`` for what each kind needs."""
    _require_author(actor, check.community)
    _require_draft(check)
    fields = _item_fields(
        kind=kind,
        prompt=prompt,
        options=list(options),
        answer=answer,
        tolerance=tolerance,
        explanation=explanation,
        weight=weight,
    )
    skills = _clean_skills(check.community, skill_ids)
    last = check.items.aggregate(last=Max("position"))["last"]
    item = CheckItem.objects.create(check_ref=check, position=(last or 0) + 1, **fields)
    item.skills.set(skills)
    return item


@transaction.atomic
def item_update(
    *,
    actor: Person,
    item: CheckItem,
    kind: str,
    prompt: str,
    options: Any = (),
    answer: Any = None,
    tolerance: Any = None,
    explanation: str = "",
    weight: Any = 1.0,
    skill_ids: Sequence[int] = (),
) -> CheckItem:
    """Change an item of a draft check (leads)."""
    check = item.check_ref
    _require_author(actor, check.community)
    _require_draft(check)
    fields = _item_fields(
        kind=kind,
        prompt=prompt,
        options=list(options),
        answer=answer,
        tolerance=tolerance,
        explanation=explanation,
        weight=weight,
    )
    skills = _clean_skills(check.community, skill_ids)
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    item.skills.set(skills)
    return item


@transaction.atomic
def item_delete(*, actor: Person, item: CheckItem) -> None:
    """Delete an item of a draft check (leads)."""
    _require_author(actor, item.check_ref.community)
    _require_draft(item.check_ref)
    item.delete()


@transaction.atomic
def item_move(*, actor: Person, item: CheckItem, offset: int) -> CheckItem:
    """Move an item one place up (``offset=-1``) or down (``+1``) in a draft check; at an end, stay."""
    if offset not in (-1, 1):
        raise ApplicationError("Move an item one place up or down.", field="offset")
    check = item.check_ref
    _require_author(actor, check.community)
    _require_draft(check)
    items = list(CheckItem.objects.select_for_update().filter(check_ref=check).order_by("position", "id"))
    index = next(i for i, candidate in enumerate(items) if candidate.pk == item.pk)
    target = index + offset
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, candidate in enumerate(items, start=1):
        candidate.position = position
    CheckItem.objects.bulk_update(items, ["position"])
    return next(candidate for candidate in items if candidate.pk == item.pk)


def _clean_estimate(estimated_score: Any) -> float:
    try:
        value = float(estimated_score)
    except (TypeError, ValueError):
        raise ApplicationError(BAD_ESTIMATE, field="estimated_score") from None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise ApplicationError(BAD_ESTIMATE, field="estimated_score")
    return value


@transaction.atomic
def attempt_start(*, person: Person, check: KnowledgeCheck, estimated_score: float) -> CheckAttempt:
    """Start an attempt of a published check with the person's estimate of their score (0..1).

    The first attempt is number 1, a retake the next number; one attempt may be open at a time.
    """
    estimate = _clean_estimate(estimated_score)
    check = KnowledgeCheck.objects.select_for_update().select_related("community").get(pk=check.pk)
    if not can_take_part(person, check.community, membership_of(person, check.community)):
        raise ApplicationError(NOT_TAKING_PART)
    if check.status != CheckStatus.PUBLISHED:
        raise ApplicationError(NOT_OPEN)
    previous = CheckAttempt.objects.filter(check_ref=check, person=person)
    if previous.filter(submitted_at__isnull=True).exists():
        raise ApplicationError(OPEN_ATTEMPT)
    number = (previous.aggregate(last=Max("number"))["last"] or 0) + 1
    return CheckAttempt.objects.create(
        check_ref=check, person=person, number=number, estimated_score=estimate, started_at=timezone.now()
    )


def _clean_certainty(certainty: Any) -> int | None:
    if certainty is None or certainty == "":
        return None
    if isinstance(certainty, bool):
        raise ApplicationError(BAD_CERTAINTY, field="certainty")
    try:
        value = int(certainty)
    except (TypeError, ValueError):
        raise ApplicationError(BAD_CERTAINTY, field="certainty") from None
    if value != certainty and str(value) != str(certainty).strip():
        raise ApplicationError(BAD_CERTAINTY, field="certainty")
    if value not in (1, 2, 3):
        raise ApplicationError(BAD_CERTAINTY, field="certainty")
    return value


def _open_attempt(person: Person, attempt: CheckAttempt, *, lock: bool) -> CheckAttempt:
    rows = CheckAttempt.objects.select_related("check_ref__community")
    if lock:
        rows = rows.select_for_update(of=("self",))
    attempt = rows.get(pk=attempt.pk)
    if attempt.person_id != person.pk:
        raise ApplicationError(NOT_YOURS)
    if attempt.submitted_at is not None:
        raise ApplicationError(SUBMITTED)
    return attempt


@transaction.atomic
def attempt_answer(
    *, person: Person, attempt: CheckAttempt, item: CheckItem, response: Any, certainty: Any = None
) -> ItemResponse:
    """Save (or change) the answer to one item of an open attempt, with a certainty 1..3 or none.

    ``response``: an option index (single), a list of indices (multiple), a bool (true/false) or a
    number (numeric). No certainty counts as 1 (low) when the attempt is scored.
    """
    level = _clean_certainty(certainty)
    attempt = _open_attempt(person, attempt, lock=True)
    if item.check_ref_id != attempt.check_ref_id:
        raise ApplicationError(OTHER_CHECK, field="item")
    try:
        value = validate_response(item.kind, len(item.options or []), response)
    except ItemError as error:
        raise ApplicationError(error.message, field=error.field) from None
    answer, _ = ItemResponse.objects.update_or_create(
        attempt=attempt,
        item=item,
        defaults={"response": value, "certainty": level, "answered_at": timezone.now()},
    )
    return answer


def _record_summary(check: KnowledgeCheck, item: CheckItem) -> str:
    prompt = " ".join(item.prompt.split())
    return f"{check.title}: {prompt}"[:200]


def _topic(item: CheckItem) -> str:
    return ", ".join(skill.name for skill in item.skills.all())[:200]


@dataclass
class _Scoring:
    """What scoring needs to know about a check, read once for any number of attempts."""

    check: KnowledgeCheck
    items: list[CheckItem]
    weights: list[float]
    topics: dict[int, str]
    skills: dict[int, Skill]
    item_skill_ids: dict[int, set[int]]


def _scoring(check: KnowledgeCheck) -> _Scoring:
    items = list(check.items.prefetch_related("skills").order_by("position", "id"))
    if not items:
        raise ApplicationError(EMPTY_CHECK)
    skills: dict[int, Skill] = {skill.pk: skill for skill in check.skills.all()}
    item_skill_ids: dict[int, set[int]] = {}
    for item in items:
        item_skill_ids[item.pk] = {skill.pk for skill in item.skills.all()}
        skills.update({skill.pk: skill for skill in item.skills.all()})
    return _Scoring(
        check=check,
        items=items,
        weights=[item.weight for item in items],
        topics={item.pk: _topic(item) for item in items},
        skills=skills,
        item_skill_ids=item_skill_ids,
    )


def _score(
    scoring: _Scoring, attempt: CheckAttempt, rows: list[ItemResponse], now: datetime
) -> list[SkillAssessment]:
    """Score one attempt in memory: each row (one per item, in item order) gets its fraction and mark,
    the attempt its summary; returns the attempt's skill evidence (unsaved)."""
    fractions: list[float | None] = []
    for item, row in zip(scoring.items, rows, strict=True):
        fraction = score_response(item.kind, item.answer, row.response, item.tolerance)
        row.fraction = 0.0 if fraction is None else fraction
        row.mark = cbm_mark(fraction, row.certainty)
        fractions.append(fraction)
    summary = cbm_summary(fractions, [row.certainty for row in rows], scoring.weights)
    attempt.accuracy = summary.accuracy
    attempt.average_mark = summary.average_mark
    attempt.bonus = summary.bonus
    attempt.submitted_at = now
    credit = [row.fraction or 0.0 for row in rows]
    evidence = []
    for skill_id, skill in scoring.skills.items():
        chosen = [i for i, item in enumerate(scoring.items) if skill_id in scoring.item_skill_ids[item.pk]]
        if not chosen:  # tagged on the check only: the whole check is its evidence
            chosen = list(range(len(scoring.items)))
        total = sum(scoring.weights[i] for i in chosen)
        accuracy = min(max(sum(scoring.weights[i] * credit[i] for i in chosen) / total, 0.0), 1.0)
        evidence.append(
            SkillAssessment(
                person_id=attempt.person_id,
                skill=skill,
                source=AssessmentSource.CHECK,
                level=check_evidence_level(accuracy),
                justification=(
                    f"Knowledge check “{scoring.check.title}” (attempt {attempt.number}): "
                    f"{accuracy:.0%} right on {len(chosen)} item{'s' if len(chosen) != 1 else ''}."
                ),
                attempt=attempt,
                created_at=now,
            )
        )
    return evidence


def _records(
    scoring: _Scoring, attempt: CheckAttempt, rows: list[ItemResponse], now: datetime
) -> list[CalibrationRecord]:
    """One calibration record per answered item of a scored attempt whose rows are saved."""
    check = scoring.check
    attempt.check_ref = check
    url = attempt_path(attempt)
    return [
        CalibrationRecord(
            person_id=attempt.person_id,
            source=RecordSource.CHECK_ITEM,
            source_id=row.pk,
            certainty=row.certainty or 1,
            fraction=row.fraction or 0.0,
            mark=row.mark or 0.0,
            topic=scoring.topics[item.pk],
            community_id=check.community_id,
            summary=_record_summary(check, item),
            url=f"{url}#item-{item.pk}"[:300],
            resolved_at=now,
        )
        for item, row in zip(scoring.items, rows, strict=True)
        if row.response is not None
    ]


def attempts_score(*, check: KnowledgeCheck, attempts: Sequence[CheckAttempt], now: datetime) -> None:
    """Score saved, open attempts of ``check`` and write their records and skill evidence.

    Items not answered get a response row without an answer (mark 0). Callers have checked who may
    submit (see :func:`attempt_submit`). A constant number of queries whatever the number of attempts.
    """
    if not attempts:
        return
    scoring = _scoring(check)
    existing = {
        (row.attempt_id, row.item_id): row
        for row in ItemResponse.objects.filter(attempt_id__in=[attempt.pk for attempt in attempts])
    }
    changed = list(existing.values())
    rows_of: dict[int, list[ItemResponse]] = {}
    missing: list[ItemResponse] = []
    evidence: list[SkillAssessment] = []
    for attempt in attempts:
        rows = []
        for item in scoring.items:
            row = existing.get((attempt.pk, item.pk))
            if row is None:
                row = ItemResponse(attempt_id=attempt.pk, item=item, response=None, answered_at=now)
                missing.append(row)
            rows.append(row)
        rows_of[attempt.pk] = rows
        evidence += _score(scoring, attempt, rows, now)
    ItemResponse.objects.bulk_update(changed, ["fraction", "mark"], batch_size=1000)
    ItemResponse.objects.bulk_create(missing, batch_size=2000)
    CheckAttempt.objects.bulk_update(
        list(attempts), ["accuracy", "average_mark", "bonus", "submitted_at"], batch_size=1000
    )
    records = [
        record for attempt in attempts for record in _records(scoring, attempt, rows_of[attempt.pk], now)
    ]
    CalibrationRecord.objects.bulk_create(records, batch_size=2000)
    SkillAssessment.objects.bulk_create(evidence, batch_size=2000)


def attempts_import(
    *, check: KnowledgeCheck, answers: Sequence[tuple[CheckAttempt, dict[int, ItemResponse]]], now: datetime
) -> list[CheckAttempt]:
    """Save finished attempts in bulk, scored by the same rules as :func:`attempt_submit`.

    ``answers``: per new (unsaved) attempt, its unsaved responses by item id (items missing are
    not answered). For trusted callers only (the demo): it checks nothing about who may take part,
    so a page or the API must never call it. A constant number of queries whatever the size.
    """
    if not answers:
        return []
    scoring = _scoring(check)
    attempts: list[CheckAttempt] = []
    rows_of: list[list[ItemResponse]] = []
    evidence: list[SkillAssessment] = []
    for attempt, by_item in answers:
        attempt.check_ref = check
        rows = [
            by_item.get(item.pk) or ItemResponse(item=item, response=None, answered_at=now)
            for item in scoring.items
        ]
        for item, row in zip(scoring.items, rows, strict=True):
            row.item = item
        evidence += _score(scoring, attempt, rows, now)
        attempts.append(attempt)
        rows_of.append(rows)
    CheckAttempt.objects.bulk_create(attempts, batch_size=1000)
    for attempt, rows in zip(attempts, rows_of, strict=True):
        for row in rows:
            row.attempt = attempt
    ItemResponse.objects.bulk_create([row for rows in rows_of for row in rows], batch_size=2000)
    records = [
        record
        for attempt, rows in zip(attempts, rows_of, strict=True)
        for record in _records(scoring, attempt, rows, now)
    ]
    CalibrationRecord.objects.bulk_create(records, batch_size=2000)
    SkillAssessment.objects.bulk_create(evidence, batch_size=2000)
    return attempts


@transaction.atomic
def attempt_submit(*, person: Person, attempt: CheckAttempt) -> CheckAttempt:
    """Close and score the person's open attempt; returns it with accuracy, average mark and bonus."""
    attempt = _open_attempt(person, attempt, lock=True)
    check = KnowledgeCheck.objects.select_related("community").get(pk=attempt.check_ref_id)
    attempts_score(check=check, attempts=[attempt], now=timezone.now())
    return attempt
