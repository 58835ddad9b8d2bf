"""Every read of people and teams; each is already limited to what the viewer may see.

Everyone signed in to the organisation may see the people directory and the org chart; anonymous
visitors see nothing (views and API require sign-in before calling these).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from practica.people.models import Person, Team, TeamMembership


def person_list(*, search: str = "", team: Team | None = None) -> QuerySet[Person]:
    """People matching a search (name, title, location, email) and, optionally, in a team's subtree."""
    people = Person.objects.filter(user__is_active=True)
    search = search.strip()
    if search:
        people = people.filter(
            Q(display_name__icontains=search)
            | Q(title__icontains=search)
            | Q(location__icontains=search)
            | Q(email__icontains=search)
        )
    if team is not None:
        people = people.filter(team_memberships__team__in=team_subtree_ids(team)).distinct()
    return people.prefetch_related(
        Prefetch("team_memberships", queryset=TeamMembership.objects.select_related("team"))
    ).order_by("display_name", "id")


def person_get(pk: int) -> Person:
    """One active person with teams and managers loaded (raises Person.DoesNotExist)."""
    memberships = TeamMembership.objects.select_related("team", "manager")
    return (
        Person.objects.filter(user__is_active=True)
        .select_related("user")
        .prefetch_related(Prefetch("team_memberships", queryset=memberships))
        .get(pk=pk)
    )


def team_list() -> QuerySet[Team]:
    return Team.objects.select_related("parent").annotate(member_count=Count("memberships"))


def team_get(slug: str) -> Team:
    return Team.objects.select_related("parent").get(slug=slug)


@dataclass
class TeamNode:
    """A team in the org chart with its direct members counted and its sub-teams below it."""

    team: Team
    member_count: int
    children: list[TeamNode] = field(default_factory=list)

    @property
    def total_members(self) -> int:
        return self.member_count + sum(child.total_members for child in self.children)


def team_tree(root: Team | None = None) -> list[TeamNode]:
    """The org chart as a forest (or one team's subtree), built from one query."""
    teams = list(Team.objects.annotate(member_count=Count("memberships")).order_by("name"))
    nodes = {team.pk: TeamNode(team=team, member_count=team.member_count) for team in teams}
    roots: list[TeamNode] = []
    for team in teams:
        parent = nodes.get(team.parent_id) if team.parent_id else None
        (parent.children if parent else roots).append(nodes[team.pk])
    if root is not None:
        return [nodes[root.pk]]
    return roots


def team_subtree_ids(team: Team) -> list[int]:
    """The team and every team below it."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Team.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = [], [team.pk]
    while stack:
        pk = stack.pop()
        found.append(pk)
        stack.extend(children.get(pk, []))
    return found


def team_ancestors(team: Team) -> list[Team]:
    """From the top of the org chart down to the team's parent."""
    by_id = {t.pk: t for t in Team.objects.all()}
    chain: list[Team] = []
    parent_id = team.parent_id
    while parent_id is not None and parent_id in by_id and len(chain) < len(by_id):
        chain.append(by_id[parent_id])
        parent_id = by_id[parent_id].parent_id
    return list(reversed(chain))


def team_members(team: Team) -> QuerySet[TeamMembership]:
    return (
        TeamMembership.objects.filter(team=team, person__user__is_active=True)
        .select_related("person", "manager")
        .order_by("person__display_name")
    )
