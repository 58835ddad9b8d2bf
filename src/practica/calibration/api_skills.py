"""The JSON API for skills: taxonomy, assessments, evidence levels and gaps.

The same services and selectors as the pages. A private community's skills are a 404 for
non-members; refusals from the services are a 400 with the same text, managing skills without the
right role a 403. Assessments are readable only by the person assessed and by whoever gave them;
evidence levels and gaps only by the person themselves (``/me/...``): there is no URL for anyone
else's.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from practica.calibration import skill_selectors as selectors
from practica.calibration import skills
from practica.calibration.models import Skill, SkillAssessment
from practica.communities.models import Community
from practica.communities.selectors import community_for
from practica.core.errors import ApplicationError
from practica.core.permissions import can_manage_skills, membership_of, person_for_user
from practica.people.models import Person

router = Router(tags=["skills"])


class ErrorOut(Schema):
    detail: str


class SkillOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    parent_id: int | None
    community: str | None = Field(
        None, description="The owning community's slug; empty for organisation-wide."
    )
    strategic: bool


class SkillIn(Schema):
    name: str
    description: str = ""
    parent_id: int | None = Field(
        None, description="A skill of the same scope to sit under; null for the top."
    )


class SkillCreateIn(SkillIn):
    community: str | None = Field(None, description="A community's slug for its own skill (its leads only).")


class AssessmentIn(Schema):
    source: str = Field(..., description='"self", "peer" or "lead".')
    level: int = Field(..., description="1 novice, 2 advanced beginner, 3 competent, 4 proficient, 5 expert.")
    person_id: int | None = Field(
        None, description="Whom you assess (peer, lead); omit for a self-assessment."
    )
    justification: str = Field("", description="Why this level; required for peer and lead assessments.")


class AssessmentOut(Schema):
    id: int
    skill_id: int
    skill: str
    person_id: int
    source: str
    level: int
    assessor: str | None
    justification: str
    attempt_id: int | None
    created_at: datetime


class EvidenceOut(Schema):
    skill_id: int
    skill: str
    self_level: int | None
    evidence_level: int | None
    evidence_source: str | None
    weighted_mean: float | None
    gap: int | None = Field(None, description="Self minus evidence level; above 0 is an over-estimate.")
    assessments: list[AssessmentOut]


def _skill_out(skill: Skill) -> SkillOut:
    return SkillOut(
        id=skill.pk,
        name=skill.name,
        slug=skill.slug,
        description=skill.description,
        parent_id=skill.parent_id,
        community=skill.community.slug if skill.community else None,
        strategic=skill.strategic,
    )


def _assessment_out(assessment: SkillAssessment) -> AssessmentOut:
    return AssessmentOut(
        id=assessment.pk,
        skill_id=assessment.skill_id,
        skill=assessment.skill.name,
        person_id=assessment.person_id,
        source=assessment.source,
        level=assessment.level,
        assessor=assessment.assessor.display_name if assessment.assessor else None,
        justification=assessment.justification,
        attempt_id=assessment.attempt_id,
        created_at=assessment.created_at,
    )


def _require_manager(person: Person, community: Community | None) -> None:
    membership = membership_of(person, community) if community is not None else None
    if not can_manage_skills(person, community, membership):
        raise PermissionDenied(skills.NOT_A_STEWARD if community is None else skills.NOT_A_LEAD)


def _parent(parent_id: int | None, community: Community | None) -> Skill | None:
    if parent_id is None:
        return None
    parent = (
        Skill.objects.filter(pk=parent_id, community=community).first()
        if community
        else (Skill.objects.filter(pk=parent_id, community__isnull=True).first())
    )
    if parent is None:
        raise ApplicationError("The parent must be an existing skill of the same scope.", field="parent")
    return parent


@router.get("/skills", response=list[SkillOut])
@paginate(PageNumberPagination, page_size=100)
def skill_list(request: HttpRequest, community: str | None = None) -> QuerySet[Skill]:
    """Organisation-wide skills, or with ``community`` that community's own skills."""
    person = person_for_user(request.user)
    if community:
        return Skill.objects.filter(community=community_for(person, community).community).select_related(
            "community"
        )
    return Skill.objects.filter(community__isnull=True)


@router.get("/skills/{skill_id}", response=SkillOut)
def skill_detail(request: HttpRequest, skill_id: int) -> SkillOut:
    """One skill you may see (a private community's only for its members)."""
    return _skill_out(selectors.skill_for(person_for_user(request.user), skill_id))


@router.post("/skills", response={201: SkillOut, 400: ErrorOut, 403: ErrorOut})
def skill_create(request: HttpRequest, payload: SkillCreateIn) -> Status[SkillOut]:
    """Add a skill: organisation-wide (stewards, admins) or a community's own (its leads)."""
    person = person_for_user(request.user)
    community = community_for(person, payload.community).community if payload.community else None
    _require_manager(person, community)
    skill = skills.skill_create(
        actor=person,
        community=community,
        name=payload.name,
        description=payload.description,
        parent=_parent(payload.parent_id, community),
    )
    return Status(201, _skill_out(skill))


@router.put("/skills/{skill_id}", response={200: SkillOut, 400: ErrorOut, 403: ErrorOut})
def skill_update(request: HttpRequest, skill_id: int, payload: SkillIn) -> SkillOut:
    """Rename, redescribe or move a skill (``parent_id`` null moves it to the top level)."""
    person = person_for_user(request.user)
    skill = selectors.skill_for(person, skill_id)
    _require_manager(person, skill.community)
    skills.skill_update(
        actor=person,
        skill=skill,
        name=payload.name,
        description=payload.description,
        parent=_parent(payload.parent_id, skill.community),
    )
    return _skill_out(skill)


@router.delete("/skills/{skill_id}", response={204: None, 400: ErrorOut, 403: ErrorOut})
def skill_delete(request: HttpRequest, skill_id: int) -> Status[None]:
    """Delete a skill without sub-skills, and its assessments."""
    person = person_for_user(request.user)
    skill = selectors.skill_for(person, skill_id)
    _require_manager(person, skill.community)
    skills.skill_delete(actor=person, skill=skill)
    return Status(204, None)


@router.post("/skills/{skill_id}/assessments", response={201: AssessmentOut, 400: ErrorOut})
def assessment_create(request: HttpRequest, skill_id: int, payload: AssessmentIn) -> Status[AssessmentOut]:
    """Assess yourself ("self"), a colleague ("peer") or a member of a community you lead ("lead")."""
    person = person_for_user(request.user)
    skill = selectors.skill_for(person, skill_id)
    if payload.person_id is None or payload.person_id == person.pk:
        assessed = person
    else:
        found = Person.objects.filter(pk=payload.person_id).first()
        if found is None:
            raise ApplicationError("Nobody in the organisation has that id.", field="person_id")
        assessed = found
    assessment = skills.skill_assess(
        assessor=person,
        person=assessed,
        skill=skill,
        source=payload.source,
        level=payload.level,
        justification=payload.justification,
    )
    return Status(201, _assessment_out(assessment))


@router.get("/me/skill-assessments", response=list[AssessmentOut])
@paginate(PageNumberPagination, page_size=100)
def assessments_received(request: HttpRequest) -> list[AssessmentOut]:
    """Every assessment of you, newest first, with who gave it."""
    return [_assessment_out(a) for a in selectors.assessments_received(person_for_user(request.user))]


@router.get("/me/skill-assessments/given", response=list[AssessmentOut])
@paginate(PageNumberPagination, page_size=100)
def assessments_given(request: HttpRequest) -> list[AssessmentOut]:
    """The peer and lead assessments you gave, newest first."""
    given = selectors.assessments_given(person_for_user(request.user)).select_related("assessor")
    return [_assessment_out(assessment) for assessment in given]


@router.get("/skill-assessments/{assessment_id}", response=AssessmentOut)
def assessment_detail(request: HttpRequest, assessment_id: int) -> AssessmentOut:
    """One assessment you received or gave; anyone else's is a 404."""
    return _assessment_out(selectors.assessment_for(person_for_user(request.user), assessment_id))


@router.get("/me/skills", response=list[EvidenceOut])
def my_skills(request: HttpRequest) -> list[EvidenceOut]:
    """Your evidence level and calibration gap per skill, with the assessments behind them."""
    person = person_for_user(request.user)
    return [
        EvidenceOut(
            skill_id=row.skill.pk,
            skill=row.skill.name,
            self_level=row.self_level,
            evidence_level=row.evidence_level,
            evidence_source=row.evidence.source if row.evidence else None,
            weighted_mean=row.evidence.weighted_mean if row.evidence else None,
            gap=row.gap,
            assessments=[_assessment_out(assessment) for assessment in row.assessments],
        )
        for row in selectors.my_skill_evidence(person)
    ]
