"""Who may see or change what: the one module views, the API and the CLI ask.

Every other app adds its rules here as small functions over a Person, so a rule is written once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q

from practica.people.models import Person, Role

if TYPE_CHECKING:
    from practica.communities.models import Community, Membership


def person_for_user(user: Any) -> Person:
    """The signed-in person; accounts made with ``practica manage createsuperuser`` get one on first use.

    Raises PermissionDenied for anonymous or deactivated accounts.
    """
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Sign in to continue.")
    try:
        return user.person
    except Person.DoesNotExist:
        email = (user.email or f"{user.get_username()}@localhost").lower()
        role = Role.ADMIN if user.is_superuser else Role.MEMBER
        return Person.objects.create(user=user, email=email, display_name=user.get_username(), role=role)


def can_change_roles(actor: Person) -> bool:
    return actor.is_admin


def can_import_people(actor: Person) -> bool:
    """Importing rewrites the org chart: admins only."""
    return actor.is_admin


def require(allowed: bool, message: str = "You do not have permission to do that.") -> None:
    if not allowed:
        raise PermissionDenied(message)


# Communities --------------------------------------------------------------------------------------
# A private community is invisible to everyone who is not an active or invited member: stewards and
# admins included (specs/communities.md, "Roles"). Leads manage their community.


def community_visible_q(person: Person) -> Q:
    """Filter for communities ``person`` may see (use on Community querysets)."""
    from practica.communities.models import Membership, MembershipStatus, Visibility

    belongs = Membership.objects.filter(
        community=OuterRef("pk"),
        person=person,
        status__in=[MembershipStatus.ACTIVE, MembershipStatus.INVITED],
    )
    return ~Q(visibility=Visibility.PRIVATE) | Q(Exists(belongs))


def community_content_q(person: Person) -> Q:
    """Filter for communities whose content ``person`` may read (questions, practices, events, search).

    Like :func:`community_visible_q`, but an invitation opens only a private community's door: its
    content is for active members.
    """
    from practica.communities.models import Membership, MembershipStatus, Visibility

    member = Membership.objects.filter(
        community=OuterRef("pk"), person=person, status=MembershipStatus.ACTIVE
    )
    return ~Q(visibility=Visibility.PRIVATE) | Q(Exists(member))


def membership_of(person: Person, community: Community) -> Membership | None:
    from practica.communities.models import Membership

    return Membership.objects.filter(community=community, person=person).first()


def can_view_community(person: Person, community: Community, membership: Membership | None = None) -> bool:
    from practica.communities.models import MembershipStatus, Visibility

    if community.visibility != Visibility.PRIVATE:
        return True
    membership = membership if membership is not None else membership_of(person, community)
    return membership is not None and membership.status in {MembershipStatus.ACTIVE, MembershipStatus.INVITED}


def is_active_member(membership: Membership | None) -> bool:
    return membership is not None and membership.is_active


def can_lead_community(membership: Membership | None) -> bool:
    """Leads edit the charter, change the stage, manage members and events, take attendance."""
    from practica.communities.models import Role

    return is_active_member(membership) and membership is not None and membership.role == Role.LEAD


def can_see_member_count(person: Person, community: Community, membership: Membership | None) -> bool:
    """Counts of a private community are hidden from non-members (they cannot see it at all)."""
    from practica.communities.models import Visibility

    return community.visibility != Visibility.PRIVATE or is_active_member(membership)


def can_take_part(person: Person, community: Community, membership: Membership | None) -> bool:
    """Who may RSVP to events, ask, answer, vote and comment: active members, and in an open community
    anyone signed in (they take part transactionally). Request-only and private communities keep
    these to members: joining comes first."""
    if is_active_member(membership):
        return True
    from practica.communities.models import Visibility

    return community.visibility == Visibility.OPEN


# Questions and answers ----------------------------------------------------------------------------
# Asking, answering, voting and commenting follow can_take_part, like RSVPs. The asker and the
# community's leads judge the answers (accept, mark worked or not); nobody judges their own answer,
# because that judgement is scored into the answerer's calibration record.


def can_judge_answers(person: Person, asker_id: int | None, membership: Membership | None) -> bool:
    """The asker or a lead of the community accepts answers and marks whether they worked."""
    return (asker_id is not None and person.pk == asker_id) or can_lead_community(membership)


# Practices and value stories ----------------------------------------------------------------------
# Callers first check the community itself (a private community's knowledge is a 404 for non-members).
# A draft is seen by its owner and the community's leads; published, outdated and archived practices by
# everyone who may see the community (archived stays findable, marked). Active members write practices
# and stories; the owner or a lead edits a practice, and whoever may edit may mark it reviewed.

if TYPE_CHECKING:
    from practica.knowledge.models import Practice


def can_contribute(membership: Membership | None) -> bool:
    """Active members create practices and write value stories."""
    return is_active_member(membership)


def can_view_practice(person: Person, practice: Practice, membership: Membership | None) -> bool:
    from practica.knowledge.models import PracticeStatus

    if practice.status != PracticeStatus.DRAFT:
        return True
    return practice.owner_id == person.pk or can_lead_community(membership)


def practice_visible_q(person: Person, membership: Membership | None) -> Q:
    """Filter for one community's practices ``person`` may see (use on Practice querysets)."""
    from practica.knowledge.models import PracticeStatus

    if can_lead_community(membership):
        return Q()
    return ~Q(status=PracticeStatus.DRAFT) | Q(owner=person)


def can_edit_practice(person: Person, practice: Practice, membership: Membership | None) -> bool:
    """The owner (while an active member) or a lead edits, restores, changes status, marks reviewed."""
    if not is_active_member(membership):
        return False
    return practice.owner_id == person.pk or can_lead_community(membership)


def can_run_simulations(person: Person) -> bool:
    """Stewards and admins start what-if lab runs: they are organisation-wide experiments."""
    return person.is_steward


# Forecasts ---------------------------------------------------------------------------------------

if TYPE_CHECKING:
    from practica.calibration.models import ForecastQuestion


def can_resolve_forecast(person: Person, question: ForecastQuestion, membership: Membership | None) -> bool:
    """The author (while an active member) or a lead of the community resolves a question."""
    if not is_active_member(membership):
        return False
    return question.author_id == person.pk or can_lead_community(membership)
