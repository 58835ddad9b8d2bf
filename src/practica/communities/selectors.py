"""Every read of communities and memberships, already limited to what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from practica.analysis.participation import REFERENCE_SHARES
from practica.communities.models import (
    Activity,
    Community,
    Level,
    Membership,
    MembershipStatus,
    Role,
    Stage,
    Tag,
    Visibility,
)
from practica.core.permissions import can_view_community, community_visible_q, membership_of
from practica.people.models import Person, TeamMembership


def community_list_for(
    person: Person,
    *,
    search: str = "",
    stage: str = "",
    tag: str = "",
    visibility: str = "",
    mine: bool = False,
) -> QuerySet[Community]:
    """Communities ``person`` may see, filtered, with member counts and the person's own status."""
    my_status = Membership.objects.filter(community=OuterRef("pk"), person=person).values("status")[:1]
    my_role = Membership.objects.filter(community=OuterRef("pk"), person=person).values("role")[:1]
    communities = (
        Community.objects.filter(community_visible_q(person))
        .annotate(
            # distinct: the search and tag filters join the tags, which would count a member once per tag.
            member_count=Count(
                "memberships", filter=Q(memberships__status=MembershipStatus.ACTIVE), distinct=True
            ),
            my_status=Subquery(my_status),
            my_role=Subquery(my_role),
        )
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .order_by("name")
    )
    search = search.strip()
    if search:
        communities = communities.filter(
            Q(name__icontains=search)
            | Q(summary__icontains=search)
            | Q(domain__icontains=search)
            | Q(tags__name__icontains=search)
        ).distinct()
    if stage:
        communities = communities.filter(stage=stage)
    if visibility:
        communities = communities.filter(visibility=visibility)
    if tag:
        communities = communities.filter(tags__slug=tag)
    if mine:
        communities = communities.filter(my_status=MembershipStatus.ACTIVE)
    return communities


@dataclass
class CommunityAccess:
    """A community with the viewer's membership, as every community page needs both."""

    community: Community
    membership: Membership | None

    @property
    def is_member(self) -> bool:
        return self.membership is not None and self.membership.is_active

    @property
    def is_lead(self) -> bool:
        return self.is_member and self.membership is not None and self.membership.role == Role.LEAD


def community_for(person: Person, slug: str, *, door: bool = False) -> CommunityAccess:
    """The community ``slug`` if ``person`` may see it; a private one is a 404 for non-members.

    An invitation opens only the door (``door=True``: the overview, joining or declining); a private
    community's content stays for its members.
    """
    community = Community.objects.filter(slug=slug).prefetch_related("tags").first()
    if community is None:
        raise Http404("No such community.")
    membership = membership_of(person, community)
    if not can_view_community(person, community, membership):
        raise Http404("No such community.")
    access = CommunityAccess(community=community, membership=membership)
    if not door and community.visibility == Visibility.PRIVATE and not access.is_member:
        raise Http404("No such community.")
    return access


def member_count(community: Community) -> int:
    return Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE).count()


def active_memberships(community: Community) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE)
        .select_related("person")
        .order_by("person__display_name", "pk")
    )


MEMBER_LEVELS = [level for level in Level if level != Level.TRANSACTIONAL]
MEMBERS_SHOWN_PER_LEVEL = 25


@dataclass
class LevelGroup:
    """Members at one participation level: how many there are and the first few (or one page)."""

    level: Level
    count: int
    members: list[Membership]
    share: float

    @property
    def reference(self) -> tuple[float, float] | None:
        """The share healthy communities often show at this level (a reference line, never a target)."""
        return REFERENCE_SHARES.get(self.level)


def _with_teams(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    return memberships.prefetch_related(
        Prefetch("person__team_memberships", queryset=TeamMembership.objects.select_related("team"))
    )


def members_by_level(community: Community, *, shown: int = MEMBERS_SHOWN_PER_LEVEL) -> list[LevelGroup]:
    """Active members grouped by participation level (most involved first), with their formal teams.

    Each group lists its first ``shown`` members by name, so the page stays fast for large communities;
    :func:`members_at_level` pages through one level. Three queries, however many members.
    """
    counts = dict(
        Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE)
        .values_list("level")
        .annotate(total=Count("pk"))
        .values_list("level", "total")
    )
    rank = Window(
        RowNumber(), partition_by=[F("level")], order_by=[F("person__display_name").asc(), F("pk").asc()]
    )
    first = _with_teams(active_memberships(community).annotate(rank=rank).filter(rank__lte=shown))
    grouped: dict[str, list[Membership]] = {level: [] for level in MEMBER_LEVELS}
    for membership in first:
        grouped.setdefault(membership.level, []).append(membership)
    total = sum(counts.values())
    return [
        LevelGroup(
            level=Level(level),
            count=counts.get(level, 0),
            members=grouped.get(level, []),
            share=counts.get(level, 0) / total if total else 0.0,
        )
        for level in MEMBER_LEVELS
    ]


def members_at_level(community: Community, level: Level) -> QuerySet[Membership]:
    """Every active member at one level, by name, with formal teams (for paging)."""
    return _with_teams(active_memberships(community).filter(level=level))


def pending_requests(community: Community) -> QuerySet[Membership]:
    return Membership.objects.filter(community=community, status=MembershipStatus.REQUESTED).select_related(
        "person"
    )


def pending_invitations(community: Community) -> QuerySet[Membership]:
    return Membership.objects.filter(community=community, status=MembershipStatus.INVITED).select_related(
        "person"
    )


def leads_of(community: Community) -> QuerySet[Person]:
    return Person.objects.filter(
        community_memberships__community=community,
        community_memberships__status=MembershipStatus.ACTIVE,
        community_memberships__role__in=[Role.LEAD, Role.SPONSOR],
    ).order_by("display_name")


def activity_feed(community: Community) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(community=community).select_related("person").order_by("-occurred_at", "-id")
    )


def activity_for_person(person: Person) -> QuerySet[Activity]:
    """Recent activity in the communities ``person`` is an active member of."""
    mine = Membership.objects.filter(person=person, status=MembershipStatus.ACTIVE).values("community_id")
    return (
        Activity.objects.filter(community_id__in=mine)
        .select_related("person", "community")
        .order_by("-occurred_at", "-id")
    )


def community_suggestions(person: Person, *, limit: int = 5) -> QuerySet[Community]:
    """Visible communities that people in the person's teams belong to and the person does not."""
    teams = TeamMembership.objects.filter(person=person).values("team_id")
    teammates = TeamMembership.objects.filter(team_id__in=teams).exclude(person=person).values("person_id")
    already = Membership.objects.filter(person=person).values("community_id")
    return (
        Community.objects.filter(community_visible_q(person))
        .exclude(visibility=Visibility.PRIVATE)
        .exclude(pk__in=already)
        .filter(memberships__person_id__in=teammates, memberships__status=MembershipStatus.ACTIVE)
        .annotate(teammates=Count("memberships", distinct=True))
        .order_by("-teammates", "name")[:limit]
    )


def stages() -> list[tuple[str, str]]:
    return list(Stage.choices)
