"""Personal learning goals: private to the owner and the people they share with; nobody else, admins too."""

from __future__ import annotations

import pytest
from django.http import Http404

from practica.calibration.models import Skill
from practica.learning import goals
from practica.learning.mind_selectors import goal_for, goals_shared_with, my_goals
from practica.learning.models import CheckIn, LearningGoal
from tests.learning.helpers import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(member):
    return goals.goal_create(
        actor=member,
        title="Facilitate retrospectives",
        vision="I run calm, useful retros.",
        current_reality="I have watched two.",
    )


def test_a_goal_is_private_to_its_owner(goal, member, owner, outsider, steward, admin):
    assert goal_for(member, goal.pk) == goal
    for person in (owner, outsider, steward, admin):
        with pytest.raises(Http404):
            goal_for(person, goal.pk)
        assert not goals_shared_with(person).exists()
        assert not my_goals(person).exists()


def test_sharing_lets_a_mentor_read_and_check_in(goal, member, owner, outsider):
    goals.goal_share(actor=member, goal=goal, person=owner)
    assert goal_for(owner, goal.pk) == goal
    assert list(goals_shared_with(owner)) == [goal]
    goals.check_in_add(actor=owner, goal=goal, note="Try timeboxing the vote.")
    refused(
        lambda: goals.check_in_add(actor=owner, goal=goal, note="x", current_reality="changed"),
        "Only the goal's owner",
    )
    refused(lambda: goals.check_in_add(actor=outsider, goal=goal, note="x"), "No such")
    refused(lambda: goals.goal_share(actor=owner, goal=goal, person=outsider), "Only the person")
    goals.goal_unshare(actor=member, goal=goal, person=owner)
    with pytest.raises(Http404):
        goal_for(owner, goal.pk)
    assert CheckIn.objects.count() == 1


def test_a_check_in_by_the_owner_updates_the_current_reality(goal, member):
    goals.check_in_add(actor=member, goal=goal, note="Ran my first one.", current_reality="I have run one.")
    goal.refresh_from_db()
    assert goal.current_reality == "I have run one."
    refused(lambda: goals.check_in_add(actor=member, goal=goal, note=" "), "note")


def test_milestones_only_by_the_owner(goal, member, owner):
    milestone = goals.milestone_add(actor=member, goal=goal, title="Co-facilitate one")
    goals.goal_share(actor=member, goal=goal, person=owner)
    refused(lambda: goals.milestone_add(actor=owner, goal=goal, title="x"), "Only the person")
    refused(lambda: goals.milestone_set_done(actor=owner, milestone=milestone, done=True), "Only the person")
    goals.milestone_set_done(actor=member, milestone=milestone, done=True)
    assert my_goals(member).get().milestones_done == 1


def test_bad_goals_are_refused(member, owner, private):
    refused(lambda: goals.goal_create(actor=member, title=" ", vision="v", current_reality="r"), "Name")
    refused(lambda: goals.goal_create(actor=member, title="t", vision="", current_reality="r"), "vision")
    secret_skill = Skill.objects.create(name="Secret", slug="secret", community=private)
    from practica.people.services import person_create

    stranger = person_create(username="stranger", password="x" * 12, email="s@example.org", display_name="S")
    refused(
        lambda: goals.goal_create(
            actor=stranger, title="t", vision="v", current_reality="r", skills=[secret_skill]
        ),
        "skills",
    )
    assert not LearningGoal.objects.filter(person=stranger).exists()
    refused(
        lambda: goals.goal_share(
            actor=member,
            goal=goals.goal_create(actor=member, title="t", vision="v", current_reality="r"),
            person=member,
        ),
        "someone else",
    )
