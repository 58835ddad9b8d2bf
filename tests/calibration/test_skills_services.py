"""Skill taxonomy and assessment services, and the evidence selectors: rules, refusals, privacy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from practica.calibration import skill_selectors as selectors
from practica.calibration import skills
from practica.calibration.models import Skill, SkillAssessment
from practica.communities.services import community_create, membership_join
from practica.core.errors import ApplicationError
from practica.core.permissions import can_lead_assess, can_peer_assess

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineering(steward):
    return skills.skill_create(actor=steward, name="Engineering")


@pytest.fixture
def testing_skill(steward, engineering):
    return skills.skill_create(actor=steward, name="Testing", parent=engineering)


def assess(assessor, person, skill, source, level, justification="Saw them pair on the flaky suite."):
    return skills.skill_assess(
        assessor=assessor, person=person, skill=skill, source=source, level=level, justification=justification
    )


# Taxonomy -----------------------------------------------------------------------------------------


def test_a_steward_builds_the_organisation_wide_tree(steward, engineering, testing_skill):
    automation = skills.skill_create(actor=steward, name="Test automation", parent=testing_skill)
    assert (engineering.slug, testing_skill.slug, automation.slug) == (
        "engineering",
        "testing",
        "test-automation",
    )
    tree = selectors.organisation_skill_tree()
    assert [node.skill.name for node in selectors.flatten(tree)] == [
        "Engineering",
        "Testing",
        "Test automation",
    ]
    assert [node.depth for node in selectors.flatten(tree)] == [0, 1, 2]
    assert selectors.skill_ancestors(automation) == [engineering, testing_skill]


def test_members_cannot_change_organisation_wide_skills(member, engineering):
    with pytest.raises(ApplicationError, match="stewards and admins"):
        skills.skill_create(actor=member, name="Hacking")
    with pytest.raises(ApplicationError, match="stewards and admins"):
        skills.skill_update(actor=member, skill=engineering, name="Renamed")
    engineering.refresh_from_db()
    assert engineering.name == "Engineering"


def test_names_are_unique_per_scope_ignoring_case(steward, owner, engineering, testing):
    with pytest.raises(ApplicationError, match="already exists organisation-wide"):
        skills.skill_create(actor=steward, name="  engineering ")
    # The same name is fine in a community's own taxonomy.
    own = skills.skill_create(actor=owner, name="Engineering", community=testing)
    assert own.community == testing
    with pytest.raises(ApplicationError, match="already exists in Testing"):
        skills.skill_create(actor=owner, name="ENGINEERING", community=testing)


def test_a_community_lead_keeps_its_skills_and_members_cannot(owner, member, testing):
    skill = skills.skill_create(actor=owner, name="Exploratory testing", community=testing)
    with pytest.raises(ApplicationError, match="lead of this community"):
        skills.skill_create(actor=member, name="Mutation testing", community=testing)
    with pytest.raises(ApplicationError, match="lead of this community"):
        skills.skill_delete(actor=member, skill=skill)
    assert Skill.objects.filter(community=testing).count() == 1


def test_a_move_never_makes_a_cycle(steward, engineering, testing_skill):
    automation = skills.skill_create(actor=steward, name="Test automation", parent=testing_skill)
    for parent in (engineering, automation):
        with pytest.raises(ApplicationError, match="under itself"):
            skills.skill_update(actor=steward, skill=engineering, name="Engineering", parent=parent)
    engineering.refresh_from_db()
    assert engineering.parent is None
    moved = skills.skill_update(actor=steward, skill=automation, name="Test automation", parent=engineering)
    assert moved.parent == engineering


def test_a_parent_must_be_in_the_same_scope(steward, owner, engineering, testing):
    with pytest.raises(ApplicationError, match="same place"):
        skills.skill_create(actor=owner, name="Pairing", community=testing, parent=engineering)


def test_bad_names_are_refused(steward):
    with pytest.raises(ApplicationError, match="needs a name"):
        skills.skill_create(actor=steward, name="   ")
    with pytest.raises(ApplicationError, match="keep it to 120"):
        skills.skill_create(actor=steward, name="x" * 121)
    assert not Skill.objects.exists()


def test_a_skill_with_sub_skills_is_not_deleted(steward, engineering, testing_skill):
    with pytest.raises(ApplicationError, match="sub-skills"):
        skills.skill_delete(actor=steward, skill=engineering)
    skills.skill_delete(actor=steward, skill=testing_skill)
    assert list(Skill.objects.all()) == [engineering]


def test_a_private_communitys_skills_are_for_members_only(owner, member, outsider, private):
    secret = skills.skill_create(actor=owner, name="Lock picking", community=private)
    assert selectors.skill_for(member, secret.pk) == secret
    with pytest.raises(Http404):
        selectors.skill_for(outsider, secret.pk)
    with pytest.raises(ApplicationError, match="private community"):
        assess(outsider, outsider, secret, "self", 3)


# Assessments --------------------------------------------------------------------------------------


def test_self_assessments_keep_history(member, testing_skill):
    assess(member, member, testing_skill, "self", 2, "")
    assess(member, member, testing_skill, "self", 4, "")
    assert SkillAssessment.objects.filter(person=member).count() == 2
    [row] = selectors.my_skill_evidence(member)
    assert row.self_level == 4
    assert row.evidence is None
    assert row.gap is None


def test_a_peer_shares_a_team_or_community(owner, member, outsider, testing_skill):
    assert can_peer_assess(owner, member)  # same team
    assert not can_peer_assess(outsider, member)
    assert not can_peer_assess(member, member)
    assess(owner, member, testing_skill, "peer", 3)
    with pytest.raises(ApplicationError, match="shares an active community or a team"):
        assess(outsider, member, testing_skill, "peer", 3)


def test_community_peers_may_assess(make_person, owner, testing, testing_skill):
    stranger = make_person("stranger")
    assert not can_peer_assess(stranger, owner)
    membership_join(person=stranger, community=testing)
    assert can_peer_assess(stranger, owner)


@pytest.mark.parametrize(
    ("source", "level", "justification", "message"),
    [
        ("peer", 0, "Saw them do it well.", "from 1"),
        ("peer", 6, "Saw them do it well.", "from 1"),
        ("peer", 3, "", "why this level"),
        ("peer", 3, "ok", "why this level"),
        ("check", 3, "Saw them do it well.", "knowledge checks"),
        ("guru", 3, "Saw them do it well.", "kind of assessment"),
    ],
)
def test_bad_assessments_are_refused(owner, member, testing_skill, source, level, justification, message):
    with pytest.raises(ApplicationError, match=message):
        assess(owner, member, testing_skill, source, level, justification)
    assert not SkillAssessment.objects.exists()


def test_nobody_assesses_themselves_as_a_peer_or_for_someone_else(owner, member, testing_skill):
    with pytest.raises(ApplicationError, match="use the self-assessment"):
        assess(member, member, testing_skill, "peer", 5)
    with pytest.raises(ApplicationError, match="only they can give it"):
        assess(owner, member, testing_skill, "self", 5)
    assert not SkillAssessment.objects.exists()


def test_a_lead_assesses_their_communitys_members(owner, member, outsider, testing, testing_skill):
    assert can_lead_assess(owner, member, testing_skill)  # org-wide skill, member of a community owner leads
    assert not can_lead_assess(member, owner, testing_skill)  # member leads nothing
    assess(owner, member, testing_skill, "lead", 2)
    with pytest.raises(ApplicationError, match="as a lead of a community"):
        assess(owner, outsider, testing_skill, "lead", 2)


def test_a_community_skill_is_lead_assessed_only_by_that_communitys_leads(
    make_person, owner, member, testing
):
    other_lead = make_person("other-lead")
    other = community_create(actor=other_lead, name="Other")
    membership_join(person=member, community=other)
    own = skills.skill_create(actor=owner, name="Exploratory testing", community=testing)
    assert can_lead_assess(owner, member, own)
    assert not can_lead_assess(other_lead, member, own)


def test_evidence_follows_precedence_and_the_gap_is_private(owner, member, testing, testing_skill):
    assess(member, member, testing_skill, "self", 5, "")
    assess(owner, member, testing_skill, "peer", 4)
    assess(owner, member, testing_skill, "lead", 2)
    [row] = selectors.my_skill_evidence(member)
    assert (row.self_level, row.evidence_level, row.gap) == (5, 2, 3)
    assert row.evidence is not None and row.evidence.source == "lead"
    assert [a.source for a in row.used] == ["lead"]
    # The assessor sees only what they gave; the person's picture is theirs.
    assert selectors.my_skill_evidence(owner) == []
    assert {a.source for a in selectors.assessments_given(owner)} == {"peer", "lead"}
    assert not selectors.assessments_given(member).exists()


def test_older_evidence_weighs_less(owner, member, testing, testing_skill):
    old = assess(owner, member, testing_skill, "peer", 5)
    SkillAssessment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=365))
    assess(owner, member, testing_skill, "peer", 2)
    [row] = selectors.my_skill_evidence(member)
    assert row.evidence is not None
    assert row.evidence.weighted_mean == pytest.approx(3.0, abs=0.01)


def test_an_assessment_is_read_only_by_its_person_and_its_assessor(owner, member, outsider, testing_skill):
    given = assess(owner, member, testing_skill, "peer", 3)
    assert selectors.assessment_for(member, given.pk) == given
    assert selectors.assessment_for(owner, given.pk) == given
    with pytest.raises(Http404):
        selectors.assessment_for(outsider, given.pk)


def test_the_demo_organisation_has_skills_and_a_visible_gap_for_demo_member():
    from practica.calibration.demo_skills import DEMO_GAP_SKILL
    from practica.demo.generator import generate_organisation
    from practica.people.models import Person

    generate_organisation(people=60, seed=3)
    assert (
        Skill.objects.filter(
            slug__in=["software-testing", "secure-coding", "sql"], community__isnull=True
        ).count()
        == 3
    )
    assert Skill.objects.filter(community__isnull=False).exists()
    member = Person.objects.get(user__username="demo-member")
    rows = {row.skill.slug: row for row in selectors.my_skill_evidence(member)}
    gap = rows[DEMO_GAP_SKILL]
    assert gap.self_level == 4
    assert gap.gap is not None and gap.gap >= 2
    # Every peer shares a team or community with the person, every lead leads one of theirs.
    for assessment in SkillAssessment.objects.filter(source="peer").select_related("person", "assessor")[:50]:
        assert can_peer_assess(assessment.assessor, assessment.person)
    for assessment in SkillAssessment.objects.filter(source="lead").select_related(
        "person", "assessor", "skill"
    )[:50]:
        assert can_lead_assess(assessment.assessor, assessment.person, assessment.skill)
