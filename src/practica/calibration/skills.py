"""Every write to the skill taxonomy and to skill assessments (specs/calibration.md §3).

- Taxonomy: organisation-wide skills are kept by stewards and admins, a community's skills by its
  leads. Names are unique (ignoring case) within their scope; a parent is in the same scope; a move
  never makes a skill its own ancestor; a skill with sub-skills is not deleted (move them first).
- Assessments: a person assesses themselves ("self"); a colleague who shares an active community or a
  team assesses them as a peer; a community lead assesses its members (for the community's skills, or
  for organisation-wide skills). Peer and lead assessments need a short justification. Every
  assessment is a new row: history is kept, nothing is edited. Check evidence is written by the
  knowledge-check service, never here.

Refusals raise :class:`ApplicationError` with a message for the person who tried, and change nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from practica.calibration.models import AssessmentSource, Skill, SkillAssessment, SkillLevel
from practica.communities.models import Community, MembershipStatus, Visibility
from practica.core.audit import audit_record
from practica.core.errors import ApplicationError
from practica.core.permissions import (
    can_lead_assess,
    can_manage_skills,
    can_peer_assess,
    membership_of,
)
from practica.people.models import Person

MAX_SKILL_NAME = 120
MAX_SKILL_DESCRIPTION = 5_000
MIN_JUSTIFICATION = 10
MAX_JUSTIFICATION = 2_000

NOT_A_STEWARD = "Only stewards and admins can change the organisation-wide skills."
NOT_A_LEAD = "Only a lead of this community can change its skills."
BAD_LEVEL = "Choose a level from 1 (novice) to 5 (expert)."
NOT_A_PEER = (
    "You can give a peer assessment only to a colleague who shares an active community or a team with you."
)
NOT_THEIR_LEAD = (
    "You can give a lead assessment only as a lead of a community the person is an active member of "
    "(for a community's own skill: a lead of that community)."
)
SELF_AS_OTHER = "You cannot assess yourself as a peer or lead; use the self-assessment instead."
SELF_FOR_OTHER = "A self-assessment is the person's own view: only they can give it."
CHECK_SOURCE = "Check evidence comes from knowledge checks; it cannot be entered by hand."
SKILL_NOT_THEIRS = "This skill belongs to a private community the person is not a member of."
JUSTIFY = (
    f"Say in a sentence or two why this level (at least {MIN_JUSTIFICATION} characters): "
    "what you saw them do."
)


def _scope_error(community: Community | None) -> str:
    return NOT_A_STEWARD if community is None else NOT_A_LEAD


def _require_manager(actor: Person, community: Community | None) -> None:
    membership = membership_of(actor, community) if community is not None else None
    if not can_manage_skills(actor, community, membership):
        raise ApplicationError(_scope_error(community))


def _scope(community: Community | None) -> dict[str, object]:
    return {"community__isnull": True} if community is None else {"community": community}


def _clean_name(name: str, community: Community | None, *, exclude: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ApplicationError("A skill needs a name.", field="name")
    if len(name) > MAX_SKILL_NAME:
        raise ApplicationError(
            f"The name has {len(name)} characters; keep it to {MAX_SKILL_NAME}.", field="name"
        )
    clash = Skill.objects.filter(name__iexact=name, **_scope(community))
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        where = "organisation-wide" if community is None else f"in {community.name}"
        raise ApplicationError(f"A skill named {name} already exists {where}.", field="name")
    return name


def _clean_description(description: str) -> str:
    description = description.strip()
    if len(description) > MAX_SKILL_DESCRIPTION:
        raise ApplicationError(
            f"The description has {len(description)} characters; keep it to {MAX_SKILL_DESCRIPTION}.",
            field="description",
        )
    return description


def _check_parent(skill_id: int | None, parent: Skill | None, community: Community | None) -> None:
    if parent is None:
        return
    if parent.community_id != (community.pk if community else None):
        raise ApplicationError(
            "A skill's parent must be in the same place: an organisation-wide skill under an "
            "organisation-wide one, a community's skill under one of the same community.",
            field="parent",
        )
    if skill_id is None:
        return
    # Walk up from the new parent: meeting the skill itself means the move would make a cycle.
    scope_parents = dict(Skill.objects.filter(**_scope(community)).values_list("pk", "parent_id"))
    node: int | None = parent.pk
    while node is not None:
        if node == skill_id:
            raise ApplicationError(
                "A skill cannot sit under itself or under one of its own sub-skills.", field="parent"
            )
        node = scope_parents.get(node)


def _unique_slug(name: str, community: Community | None, *, slug: str = "") -> str:
    base = (slugify(slug or name) or "skill")[:120]
    candidate, number = base, 2
    while Skill.objects.filter(slug=candidate, **_scope(community)).exists():
        candidate, number = f"{base}-{number}", number + 1
    return candidate


@transaction.atomic
def skill_create(
    *,
    actor: Person,
    name: str,
    description: str = "",
    parent: Skill | None = None,
    community: Community | None = None,
    slug: str = "",
) -> Skill:
    """Add a skill to the organisation-wide taxonomy (``community`` empty) or to a community's own."""
    _require_manager(actor, community)
    name = _clean_name(name, community)
    description = _clean_description(description)
    _check_parent(None, parent, community)
    return Skill.objects.create(
        name=name,
        slug=_unique_slug(name, community, slug=slug),
        description=description,
        parent=parent,
        community=community,
        created_by=actor,
    )


@transaction.atomic
def skill_update(
    *, actor: Person, skill: Skill, name: str, description: str = "", parent: Skill | None = None
) -> Skill:
    """Rename, redescribe or move a skill (to another parent in its scope, or to the top level).

    The slug stays as it was so that links and knowledge checks keep pointing at the skill.
    """
    community = skill.community
    _require_manager(actor, community)
    skill.name = _clean_name(name, community, exclude=skill.pk)
    skill.description = _clean_description(description)
    _check_parent(skill.pk, parent, community)
    skill.parent = parent
    skill.save(update_fields=["name", "description", "parent"])
    return skill


@transaction.atomic
def skill_delete(*, actor: Person, skill: Skill) -> None:
    """Delete a skill without sub-skills, with its assessments (people's history in it goes too)."""
    _require_manager(actor, skill.community)
    if Skill.objects.filter(parent=skill).exists():
        raise ApplicationError(
            f"{skill.name} has sub-skills; move or delete them first, so nothing disappears by surprise."
        )
    audit_record(actor=actor, action="content.deleted", target=skill)
    skill.delete()


def _person_may_hold(person: Person, skill: Skill) -> bool:
    """A private community's skill is only for its active members."""
    community = skill.community
    if community is None or community.visibility != Visibility.PRIVATE:
        return True
    membership = membership_of(person, community)
    return membership is not None and membership.status == MembershipStatus.ACTIVE


def _clean_level(level: object) -> int:
    if isinstance(level, bool) or not isinstance(level, int) or level not in SkillLevel.values:
        raise ApplicationError(BAD_LEVEL, field="level")
    return level


@transaction.atomic
def skill_assess(
    *,
    assessor: Person,
    person: Person,
    skill: Skill,
    source: str,
    level: int,
    justification: str = "",
) -> SkillAssessment:
    """Record one assessment of ``person``'s level in ``skill`` by ``assessor`` (a new row every time).

    ``source`` is "self" (assessor is the person), "peer" or "lead" (see the module docstring).
    """
    level = _clean_level(level)
    justification = justification.strip()
    if len(justification) > MAX_JUSTIFICATION:
        raise ApplicationError(
            f"The justification has {len(justification)} characters; keep it to {MAX_JUSTIFICATION}.",
            field="justification",
        )
    if source == AssessmentSource.CHECK:
        raise ApplicationError(CHECK_SOURCE, field="source")
    if source not in (AssessmentSource.SELF, AssessmentSource.PEER, AssessmentSource.LEAD):
        raise ApplicationError('Choose "self", "peer" or "lead" as the kind of assessment.', field="source")
    if not _person_may_hold(person, skill) or not _person_may_hold(assessor, skill):
        raise ApplicationError(SKILL_NOT_THEIRS)
    if source == AssessmentSource.SELF:
        if assessor.pk != person.pk:
            raise ApplicationError(SELF_FOR_OTHER, field="source")
    else:
        if assessor.pk == person.pk:
            raise ApplicationError(SELF_AS_OTHER, field="source")
        if len(justification) < MIN_JUSTIFICATION:
            raise ApplicationError(JUSTIFY, field="justification")
        if source == AssessmentSource.PEER and not can_peer_assess(assessor, person):
            raise ApplicationError(NOT_A_PEER, field="person")
        if source == AssessmentSource.LEAD and not can_lead_assess(assessor, person, skill):
            raise ApplicationError(NOT_THEIR_LEAD, field="person")
    return SkillAssessment.objects.create(
        person=person,
        skill=skill,
        source=source,
        level=level,
        assessor=assessor,
        justification=justification,
    )
