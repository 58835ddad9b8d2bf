"""Skill pages: the taxonomy, a community's Skills tab with its guarded group view, one skill with the
assessment forms. Allowed users, outsiders, bad input, privacy and pinned query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from practica.calibration import skills
from practica.calibration.models import CalibrationRecord, RecordSource, Skill, SkillAssessment
from practica.calibration.services import calibration_record_set
from practica.communities.services import membership_join
from practica.core.privacy import NOT_ENOUGH_PEOPLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineering(steward):
    return skills.skill_create(actor=steward, name="Engineering")


@pytest.fixture
def testing_skill(steward, engineering):
    return skills.skill_create(actor=steward, name="Testing", parent=engineering)


@pytest.fixture
def crowd(make_person, testing):
    """Six more active members of ``testing``."""
    people = [make_person(f"crowd{i}", display_name=f"Cara Crowd {i}") for i in range(6)]
    for person in people:
        membership_join(person=person, community=testing)
    return people


def detail(skill: Skill, action: str = "") -> str:
    return f"/skills/{skill.pk}/{action}"


def test_the_taxonomy_shows_the_tree(client_for, member, engineering, testing_skill):
    page = client_for(member).get("/skills/")
    assert page.status_code == 200
    assert page.text.index("Engineering") < page.text.index("Testing")
    assert '<ul class="tree skill-tree">' in page.text
    assert "Add a skill" not in page.text


def test_an_empty_taxonomy_teaches(client_for, steward):
    page = client_for(steward).get("/skills/")
    assert "No organisation-wide skills yet" in page.text
    assert "Add the first skill" in page.text


def test_anonymous_visitors_are_sent_to_sign_in(engineering):
    for path in ("/skills/", detail(engineering), "/skills/new/", "/communities/testing/skills/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/signin/")
    assert Client().post(detail(engineering, "assess/"), {"level": "3"}).status_code == 302
    assert not SkillAssessment.objects.exists()


def test_a_steward_adds_and_moves_a_skill(client_for, steward, engineering, testing_skill):
    client = client_for(steward)
    assert client.get("/skills/new/").status_code == 200
    response = client.post("/skills/new/", {"name": "Test automation", "parent": str(testing_skill.pk)})
    automation = Skill.objects.get(name="Test automation")
    assert response.status_code == 302
    assert response["Location"] == detail(automation)
    response = client.post(detail(automation, "edit/"), {"name": "Test automation", "parent": ""})
    automation.refresh_from_db()
    assert automation.parent is None


def test_a_move_into_its_own_subtree_is_refused_next_to_the_field(
    client_for, steward, engineering, testing_skill
):
    client = client_for(steward)
    # The form offers neither the skill nor its sub-skills as a parent...
    form = client.get(detail(engineering, "edit/")).text
    assert f'value="{testing_skill.pk}"' not in form
    response = client.post(
        detail(engineering, "edit/"), {"name": "Engineering", "parent": str(testing_skill.pk)}
    )
    assert response.status_code == 400
    assert "Choose one of the skills in the list" in response.text
    engineering.refresh_from_db()
    assert engineering.parent is None


def test_a_duplicate_name_keeps_what_was_typed(client_for, steward, engineering):
    response = client_for(steward).post("/skills/new/", {"name": "engineering", "description": "Typed text"})
    assert response.status_code == 400
    assert "already exists organisation-wide" in response.text
    assert "Typed text" in response.text
    assert Skill.objects.count() == 1


def test_members_cannot_manage_organisation_wide_skills(client_for, member, engineering):
    client = client_for(member)
    assert client.get("/skills/new/").status_code == 403
    assert client.post("/skills/new/", {"name": "Hacking"}).status_code == 403
    assert client.post(detail(engineering, "edit/"), {"name": "X"}).status_code == 403
    assert client.post(detail(engineering, "delete/")).status_code == 403
    assert list(Skill.objects.values_list("name", flat=True)) == ["Engineering"]


def test_a_steward_deletes_a_leaf_but_not_a_parent(client_for, steward, engineering, testing_skill):
    client = client_for(steward)
    assert "every assessment of it" in client.get(detail(testing_skill, "delete/")).text
    response = client.post(detail(engineering, "delete/"))
    assert response.status_code == 302
    assert Skill.objects.filter(pk=engineering.pk).exists()
    assert client.post(detail(testing_skill, "delete/"))["Location"] == "/skills/"
    assert not Skill.objects.filter(pk=testing_skill.pk).exists()


def test_a_lead_keeps_the_communitys_skills_on_its_tab(client_for, owner, member, testing):
    client = client_for(owner)
    page = client.get("/communities/testing/skills/")
    assert 'aria-current="page">Skills</a>' in page.text
    assert "This community keeps no skills of its own yet" in page.text
    response = client.post("/communities/testing/skills/new/", {"name": "Exploratory testing"})
    skill = Skill.objects.get(community=testing)
    assert response["Location"] == detail(skill)
    assert "Exploratory testing" in client_for(member).get("/communities/testing/skills/").text
    assert client_for(member).get("/communities/testing/skills/new/").status_code == 403


def test_a_private_communitys_skills_leak_nowhere(client_for, owner, outsider, steward, private):
    secret = skills.skill_create(actor=owner, name="Lock picking", community=private)
    for person in (outsider, steward):
        client = client_for(person)
        assert client.get("/communities/secret-guild/skills/").status_code == 404
        assert client.get(detail(secret)).status_code == 404
        assert client.post(detail(secret, "assess/"), {"level": "3"}).status_code == 404
        assert "Lock picking" not in client.get("/skills/").text
    assert not SkillAssessment.objects.exists()


def test_a_member_assesses_themselves_with_the_descriptors_shown(client_for, member, testing_skill):
    client = client_for(member)
    page = client.get(detail(testing_skill))
    assert "Follows rules and recipes" in page.text  # the novice descriptor
    assert "Acts from deep intuition" in page.text
    response = client.post(detail(testing_skill, "assess/"), {"level": "4"})
    assert response.status_code == 302
    assert SkillAssessment.objects.get().level == 4
    assert 'id="self-level">4 · Proficient' in client.get(detail(testing_skill)).text


def test_a_level_outside_1_to_5_is_refused(client_for, member, testing_skill):
    response = client_for(member).post(detail(testing_skill, "assess/"), {"level": "7"})
    assert response.status_code == 400
    assert "Choose a level from 1 (novice) to 5 (expert)" in response.text
    assert not SkillAssessment.objects.exists()


def test_a_colleague_is_assessed_with_a_justification(client_for, owner, member, testing_skill):
    client = client_for(owner)
    missing = client.post(
        detail(testing_skill, "assess-colleague/"),
        {"email": member.email, "source": "peer", "level": "3", "justification": ""},
    )
    assert missing.status_code == 400
    assert "why this level" in missing.text
    response = client.post(
        detail(testing_skill, "assess-colleague/"),
        {
            "email": member.email,
            "source": "peer",
            "level": "3",
            "justification": "Paired on the flaky suite.",
        },
    )
    assert response.status_code == 302
    given = SkillAssessment.objects.get()
    assert (given.person, given.assessor, given.source) == (member, owner, "peer")
    assert "Paired on the flaky suite." in client.get(detail(testing_skill)).text  # what they gave


def test_assessing_yourself_or_an_outsider_as_a_peer_is_refused(
    client_for, owner, member, outsider, testing_skill
):
    client = client_for(member)
    for email, message in (
        (member.email, "use the self-assessment"),
        (outsider.email, "shares an active community or a team"),
        ("nobody@example.org", "Nobody in the organisation has that email"),
    ):
        response = client.post(
            detail(testing_skill, "assess-colleague/"),
            {"email": email, "source": "peer", "level": "3", "justification": "Seen it many times."},
        )
        assert response.status_code == 400
        assert message in response.text
    assert not SkillAssessment.objects.exists()


def test_nobody_but_the_person_sees_their_assessments(
    client_for, owner, member, steward, admin, testing, testing_skill
):
    skills.skill_assess(assessor=member, person=member, skill=testing_skill, source="self", level=5)
    skills.skill_assess(
        assessor=owner, person=member, skill=testing_skill, source="lead", level=2,
        justification="Still needs help with fixtures.",
    )  # fmt: skip
    mine = client_for(member).get(detail(testing_skill)).text
    assert 'id="gap">+3' in mine
    assert "Still needs help with fixtures." in mine
    for viewer in (steward, admin):
        page = client_for(viewer).get(detail(testing_skill)).text
        assert "Still needs help with fixtures." not in page
        assert 'id="gap">+3' not in page
        assert "Max Member" not in page
    lead_view = client_for(owner).get(detail(testing_skill)).text
    assert 'id="gap">+3' not in lead_view  # the lead sees what they gave, not the person's picture
    assert "Still needs help with fixtures." in lead_view


def test_the_group_view_refuses_below_the_threshold(client_for, owner, member, testing, testing_skill):
    skills.skill_assess(
        assessor=owner, person=member, skill=testing_skill, source="lead", level=4,
        justification="Runs the suite alone.",
    )  # fmt: skip
    SkillAssessment.objects.update(created_at=timezone.now() - timedelta(days=40))
    page = client_for(owner).get("/communities/testing/skills/").text
    assert "The group's picture" in page
    assert NOT_ENOUGH_PEOPLE in page
    # Members who do not lead see no group view at all.
    assert "The group's picture" not in client_for(member).get("/communities/testing/skills/").text


def test_the_group_view_shows_aggregates_over_enough_people(
    client_for, owner, steward, testing, testing_skill, crowd
):
    for index, person in enumerate(crowd):
        skills.skill_assess(
            assessor=owner, person=person, skill=testing_skill, source="lead", level=2 + index % 3,
            justification="Seen in the last kata.",
        )  # fmt: skip
        skills.skill_assess(assessor=person, person=person, skill=testing_skill, source="self", level=4)
        calibration_record_set(
            person=person, source=RecordSource.ANSWER, source_id=index + 1, certainty=3, fraction=1.0,
            summary="An answer", resolved_at=timezone.now(), community=testing,
        )  # fmt: skip
    # Figures move a month at a time (core.privacy.release_cutoff): nothing from the month under way.
    assert "average mark (" not in client_for(owner).get("/communities/testing/skills/").text
    last_month = timezone.now() - timedelta(days=40)
    SkillAssessment.objects.update(created_at=last_month)
    CalibrationRecord.objects.update(resolved_at=last_month)
    for viewer in (owner, steward):
        page = client_for(viewer).get("/communities/testing/skills/").text
        row = page[page.index(f'/skills/{testing_skill.pk}/">Testing') :]
        assert "<td>6</td><td>2</td><td>1.00</td>" in row.replace("\n", "")
        assert "3.00" in page  # the group's average CBM mark
        assert "Cara Crowd" not in page


def test_one_persons_new_contribution_does_not_move_the_group_figures(
    client_for, owner, testing, testing_skill, crowd
):
    two_months_ago = timezone.now() - timedelta(days=70)
    for index, person in enumerate(crowd):
        calibration_record_set(
            person=person, source=RecordSource.ANSWER, source_id=index + 1, certainty=3, fraction=1.0,
            summary="An answer", resolved_at=two_months_ago, community=testing,
        )  # fmt: skip
    before = client_for(owner).get("/communities/testing/skills/").text
    assert "3.00" in before
    # One member is confidently wrong today: the released figures stay as they were.
    calibration_record_set(
        person=crowd[0], source=RecordSource.ANSWER, source_id=99, certainty=3, fraction=0.0,
        summary="A wrong answer", resolved_at=timezone.now(), community=testing,
    )  # fmt: skip
    assert client_for(owner).get("/communities/testing/skills/").text.count("3.00") == before.count("3.00")
    # Even once the month is over, one person alone is not a step: the figure waits for more people.
    CalibrationRecord.objects.filter(source_id=99).update(resolved_at=timezone.now() - timedelta(days=35))
    assert client_for(owner).get("/communities/testing/skills/").text.count("3.00") == before.count("3.00")


def test_a_filter_that_splits_off_a_small_group_is_refused(client_for, owner, testing, testing_skill, crowd):
    from practica.communities.models import Membership

    Membership.objects.filter(person=crowd[0], community=testing).update(level="core")
    response = client_for(owner).get("/communities/testing/skills/?level=core")
    assert response.status_code == 400
    assert "too small to show without identifying someone" in response.text


def test_the_skills_tab_pins_its_queries(
    client_for, owner, steward, testing, crowd, django_assert_max_num_queries
):
    client = client_for(owner)
    parent = skills.skill_create(actor=owner, name="Testing craft", community=testing)
    client.get("/communities/testing/skills/")
    with django_assert_max_num_queries(16) as few:
        client.get("/communities/testing/skills/")
    for index in range(8):
        skills.skill_create(actor=owner, name=f"Craft {index}", community=testing, parent=parent)
        skills.skill_create(actor=steward, name=f"Org skill {index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/communities/testing/skills/")


def test_the_taxonomy_pins_its_queries(client_for, member, steward, django_assert_max_num_queries):
    client = client_for(member)
    client.get("/skills/")
    with django_assert_max_num_queries(8) as few:
        client.get("/skills/")
    parent = skills.skill_create(actor=steward, name="Root")
    for index in range(10):
        skills.skill_create(actor=steward, name=f"Skill {index}", parent=parent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/skills/")


def test_a_skill_page_pins_its_queries(
    client_for, owner, member, testing, testing_skill, crowd, django_assert_max_num_queries
):
    client = client_for(owner)
    skills.skill_assess(assessor=owner, person=owner, skill=testing_skill, source="self", level=3)
    client.get(detail(testing_skill))
    with django_assert_max_num_queries(14) as few:
        client.get(detail(testing_skill))
    for index, person in enumerate(crowd):
        skills.skill_assess(
            assessor=owner, person=owner, skill=testing_skill, source="self", level=1 + index % 5
        )
        skills.skill_assess(
            assessor=owner, person=person, skill=testing_skill, source="lead", level=2,
            justification="Seen in the last kata.",
        )  # fmt: skip
        skills.skill_assess(
            assessor=person, person=owner, skill=testing_skill, source="peer", level=3,
            justification="Paired on the release.",
        )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(detail(testing_skill))
