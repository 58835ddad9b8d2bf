"""Every write to personal learning goals (personal mastery).

A goal holds Senge's creative tension: the person's vision against their honest current reality, with
milestones and dated check-ins. It is private: only its owner reads it, and the people the owner chose
to share it with (a mentor, a manager), who can also add check-ins. Nobody else, admins included.
Refusals raise ApplicationError and change nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from practica.calibration.models import Skill
from practica.communities.models import Community
from practica.core.errors import ApplicationError
from practica.core.permissions import can_read_goal, community_content_q
from practica.learning.models import CheckIn, GoalStatus, LearningGoal, Milestone
from practica.people.models import Person

NOT_THE_OWNER = "Only the person whose goal this is can change it."
NOT_SHARED = "No such learning goal."


def _required(value: str, field: str, message: str, limit: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(message, field=field)
    if limit is not None and len(value) > limit:
        raise ApplicationError(f"Keep this to {limit} characters (it has {len(value)}).", field=field)
    return value


def _skills(actor: Person, skills: Iterable[Skill]) -> list[Skill]:
    chosen = list(skills)
    readable = Community.objects.filter(community_content_q(actor)).values("pk")
    allowed = set(
        Skill.objects.filter(pk__in=[s.pk for s in chosen])
        .filter(community__isnull=True)
        .values_list("pk", flat=True)
    ) | set(
        Skill.objects.filter(pk__in=[s.pk for s in chosen], community__in=readable).values_list(
            "pk", flat=True
        )
    )
    if any(skill.pk not in allowed for skill in chosen):
        raise ApplicationError("Choose skills you can see.", field="skills")
    return chosen


def _owned(actor: Person, goal: LearningGoal) -> LearningGoal:
    goal = LearningGoal.objects.select_for_update().get(pk=goal.pk)
    if goal.person_id != actor.pk:
        raise ApplicationError(NOT_THE_OWNER)
    return goal


@transaction.atomic
def goal_create(
    *,
    actor: Person,
    title: str,
    vision: str,
    current_reality: str,
    target_date: date | None = None,
    skills: Iterable[Skill] = (),
) -> LearningGoal:
    """A new goal, private to ``actor``."""
    goal = LearningGoal.objects.create(
        person=actor,
        title=_required(title, "title", "Name the goal.", 200),
        vision=_required(vision, "vision", "Describe your vision: where you want to be."),
        current_reality=_required(
            current_reality, "current_reality", "Describe your current reality: where you honestly are now."
        ),
        target_date=target_date,
    )
    goal.skills.set(_skills(actor, skills))
    return goal


@transaction.atomic
def goal_update(
    *,
    actor: Person,
    goal: LearningGoal,
    title: str,
    vision: str,
    current_reality: str,
    status: GoalStatus | str,
    target_date: date | None = None,
    skills: Iterable[Skill] = (),
) -> LearningGoal:
    goal = _owned(actor, goal)
    if status not in GoalStatus.values:
        raise ApplicationError("Choose a status: active, achieved or dropped.", field="status")
    goal.title = _required(title, "title", "Name the goal.", 200)
    goal.vision = _required(vision, "vision", "Describe your vision: where you want to be.")
    goal.current_reality = _required(
        current_reality, "current_reality", "Describe your current reality: where you honestly are now."
    )
    goal.status = status
    goal.target_date = target_date
    goal.updated_at = timezone.now()
    goal.save()
    goal.skills.set(_skills(actor, skills))
    return goal


@transaction.atomic
def goal_delete(*, actor: Person, goal: LearningGoal) -> None:
    _owned(actor, goal).delete()


@transaction.atomic
def goal_share(*, actor: Person, goal: LearningGoal, person: Person) -> LearningGoal:
    """Let ``person`` (a mentor, a manager) read the goal and add check-ins."""
    goal = _owned(actor, goal)
    if person.pk == actor.pk:
        raise ApplicationError(
            "The goal is already yours; choose someone else to share it with.", field="person"
        )
    if not person.user.is_active:
        raise ApplicationError("This person's account is deactivated.", field="person")
    goal.shared_with.add(person)
    return goal


@transaction.atomic
def goal_unshare(*, actor: Person, goal: LearningGoal, person: Person) -> LearningGoal:
    goal = _owned(actor, goal)
    goal.shared_with.remove(person)
    return goal


@transaction.atomic
def milestone_add(*, actor: Person, goal: LearningGoal, title: str, due_on: date | None = None) -> Milestone:
    goal = _owned(actor, goal)
    milestone = Milestone.objects.create(
        goal=goal, title=_required(title, "title", "Name the milestone.", 200), due_on=due_on
    )
    LearningGoal.objects.filter(pk=goal.pk).update(updated_at=timezone.now())
    return milestone


@transaction.atomic
def milestone_set_done(*, actor: Person, milestone: Milestone, done: bool) -> Milestone:
    _owned(actor, milestone.goal)
    milestone.done_at = timezone.now() if done else None
    milestone.save(update_fields=["done_at"])
    LearningGoal.objects.filter(pk=milestone.goal_id).update(updated_at=timezone.now())
    return milestone


@transaction.atomic
def milestone_delete(*, actor: Person, milestone: Milestone) -> None:
    _owned(actor, milestone.goal)
    milestone.delete()


@transaction.atomic
def check_in_add(*, actor: Person, goal: LearningGoal, note: str, current_reality: str = "") -> CheckIn:
    """A dated note by the owner or someone the goal is shared with; only the owner updates the current
    reality with it."""
    goal = LearningGoal.objects.select_for_update().get(pk=goal.pk)
    if not can_read_goal(actor, goal):
        raise ApplicationError(NOT_SHARED)
    note = _required(note, "note", "Write the check-in note.")
    current_reality = (current_reality or "").strip()
    if current_reality and goal.person_id != actor.pk:
        raise ApplicationError(
            "Only the goal's owner updates their current reality; add your view as a note.",
            field="current_reality",
        )
    check_in = CheckIn.objects.create(goal=goal, author=actor, note=note, current_reality=current_reality)
    goal.updated_at = timezone.now()
    fields = ["updated_at"]
    if current_reality:
        goal.current_reality = current_reality
        fields.append("current_reality")
    goal.save(update_fields=fields)
    return check_in
