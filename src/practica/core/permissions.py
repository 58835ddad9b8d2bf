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
    from practica.knowledge.models import Practice, ValueStory


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


def can_edit_story(person: Person, story: ValueStory, membership: Membership | None) -> bool:
    """A value story's author rewrites it, while still an active member."""
    return story.author_id == person.pk and is_active_member(membership)


def can_delete_story(person: Person, story: ValueStory, membership: Membership | None) -> bool:
    """Its author (while an active member) or a lead of the community removes a value story."""
    return can_edit_story(person, story, membership) or can_lead_community(membership)


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


# --- learning: experiments, assumptions, vision, goals ---
# Experiments belong to a team or a community. Team members (or a community's active members) take
# part: they predict. The owner, any member of the team, or a lead of the community runs it (start,
# conclude, learning card). A community's vision is adopted by its leads, the organisation's by
# stewards and admins. A learning goal is read only by its owner and the people they shared it with.

if TYPE_CHECKING:
    from practica.learning.models import LearningGoal


def is_team_member(person: Person, team_id: int | None) -> bool:
    from practica.people.models import TeamMembership

    return team_id is not None and TeamMembership.objects.filter(person=person, team_id=team_id).exists()


def can_adopt_organisation_vision(person: Person) -> bool:
    """Stewards and admins adopt drafts of the organisation's vision."""
    return person.is_steward


def can_read_goal(person: Person, goal: LearningGoal) -> bool:
    """The owner, and the people they chose to share the goal with; nobody else (admins included)."""
    return goal.person_id == person.pk or goal.shared_with.filter(pk=person.pk).exists()


# --- operations and security (audit log, full export, backups) ---


def can_read_audit_log(actor: Person) -> bool:
    """The audit log names people and what was done to them: admins only."""
    return actor.is_admin


# --- insights (the steward's dashboard) ---
# The dashboard shows organisation-wide aggregates only, to stewards and admins. Private communities
# stay invisible there too (community_visible_q applies to stewards like anyone): the dashboard's
# snapshots are shared by all stewards, so they leave private communities out entirely.


def can_view_insights(person: Person) -> bool:
    """Stewards and admins open the dashboard, its API and the report, and may recompute it."""
    return person.is_steward


def can_set_time_budget(membership: Membership | None) -> bool:
    """A community's active sponsors set its quarterly hours budget."""
    from practica.communities.models import Role

    return is_active_member(membership) and membership is not None and membership.role == Role.SPONSOR


def can_log_time(membership: Membership | None) -> bool:
    """Active members (leads and sponsors included) log time spent on their community's work."""
    return is_active_member(membership)


# --- knowledge checks ---
# A community's leads author its checks (leads only: no separate author role). A draft check is seen
# by the leads alone; published and archived checks by everyone who may see the community's content.
# Whoever may take part in the community (can_take_part) takes a published check. Item statistics and
# the group (Dunning-Kruger) view are aggregates for the community's leads and the organisation's
# stewards, always behind the minimum-group-size rule (core.privacy); never anyone's own numbers.


def can_author_checks(membership: Membership | None) -> bool:
    """Leads create checks, edit their items and publish or archive them."""
    return can_lead_community(membership)


# Who sees a check's item statistics and group view: ``can_see_group_calibration`` (Skills, below).


# --- Skills ---------------------------------------------------------------------------------------
# specs/calibration.md §3. Stewards and admins keep the organisation-wide taxonomy; a community's
# leads keep its own skills. A peer shares an active community or a team with the person; a lead
# assesses people in the community they lead (for its own skills), or any of their community's
# members (for organisation-wide skills). Nobody assesses themselves except as "self". Whoever
# assesses sees only what they gave; the person's combined picture is theirs alone.

if TYPE_CHECKING:
    from practica.calibration.models import Skill


def can_manage_skills(person: Person, community: Community | None, membership: Membership | None) -> bool:
    """Organisation-wide skills: stewards and admins; a community's skills: its leads."""
    if community is None:
        return person.is_steward
    return can_lead_community(membership)


def shares_community_or_team(first: Person, second: Person) -> bool:
    """Both are active members of one community, or both belong to one team."""
    from practica.communities.models import Membership, MembershipStatus
    from practica.people.models import TeamMembership

    first_communities = Membership.objects.filter(person=first, status=MembershipStatus.ACTIVE).values(
        "community_id"
    )
    if Membership.objects.filter(
        person=second, status=MembershipStatus.ACTIVE, community_id__in=first_communities
    ).exists():
        return True
    first_teams = TeamMembership.objects.filter(person=first).values("team_id")
    return TeamMembership.objects.filter(person=second, team_id__in=first_teams).exists()


def can_peer_assess(assessor: Person, person: Person) -> bool:
    """A colleague (shared active community or team), never yourself."""
    return assessor.pk != person.pk and shares_community_or_team(assessor, person)


def can_lead_assess(assessor: Person, person: Person, skill: Skill) -> bool:
    """A lead of the skill's community assessing one of its members; for an organisation-wide skill, a
    lead of any community the person is an active member of. Never yourself."""
    from practica.communities.models import Membership, MembershipStatus
    from practica.communities.models import Role as CommunityRole

    if assessor.pk == person.pk:
        return False
    led = Membership.objects.filter(
        person=assessor, status=MembershipStatus.ACTIVE, role=CommunityRole.LEAD
    ).values("community_id")
    if skill.community_id is not None:
        led = led.filter(community_id=skill.community_id)
    return Membership.objects.filter(
        person=person, status=MembershipStatus.ACTIVE, community_id__in=led
    ).exists()


def can_see_group_calibration(person: Person, membership: Membership | None) -> bool:
    """Community calibration aggregates, a check's item statistics and its group (Dunning-Kruger)
    view, never an individual's numbers: the community's leads, stewards and admins."""
    return person.is_steward or can_lead_community(membership)


# --- learning reviews ---
# A review belongs to a team or a community. Its participants are the team's members, or the
# community's active members; only participants read it (reviews are candid, so a private team's or
# community's review leaks nowhere, and an open community's review is for those who joined). The
# facilitator (its creator) or a lead of the community moves it through its phases.

if TYPE_CHECKING:
    from practica.learning.models import Review


def review_participant_q(person: Person) -> Q:
    """Filter for reviews ``person`` takes part in (use on Review querysets)."""
    from practica.communities.models import Membership, MembershipStatus
    from practica.people.models import TeamMembership

    in_team = TeamMembership.objects.filter(team=OuterRef("team_id"), person=person)
    in_community = Membership.objects.filter(
        community=OuterRef("community_id"), person=person, status=MembershipStatus.ACTIVE
    )
    return (Q(team__isnull=False) & Q(Exists(in_team))) | (
        Q(community__isnull=False) & Q(Exists(in_community))
    )


def can_facilitate_review(person: Person, review: Review, membership: Membership | None) -> bool:
    """The facilitator (the review's creator) or, for a community review, a lead of the community."""
    if review.facilitator_id == person.pk:
        return True
    return review.community_id is not None and can_lead_community(membership)


def can_manage_method_library(person: Person) -> bool:
    """Stewards and admins add the organisation's own templates to the method library."""
    return person.is_steward


# --- causal loop diagrams (systems) ---
# A diagram follows its owner. A team's diagrams are for the team's members; a community's for those
# who may read its content (everyone signed in for open and request-only communities, members only for
# private ones: a private community's diagrams leak nowhere); a person's diagrams are private to them.
# Whoever may see a team or person diagram may change it; a community's diagrams are changed by its
# active members.

if TYPE_CHECKING:
    from practica.systems.models import Diagram


def diagram_visible_q(person: Person) -> Q:
    """Filter for diagrams ``person`` may see (use on Diagram querysets)."""
    from practica.communities.models import Community
    from practica.people.models import TeamMembership

    in_team = TeamMembership.objects.filter(team=OuterRef("team_id"), person=person)
    readable = Community.objects.filter(community_content_q(person), pk=OuterRef("community_id"))
    return (
        Q(person=person)
        | (Q(team__isnull=False) & Q(Exists(in_team)))
        | (Q(community__isnull=False) & Q(Exists(readable)))
    )


def diagram_editable_q(person: Person) -> Q:
    """Filter for diagrams ``person`` may change: their own, their teams', their communities'."""
    from practica.communities.models import Membership, MembershipStatus
    from practica.people.models import TeamMembership

    in_team = TeamMembership.objects.filter(team=OuterRef("team_id"), person=person)
    member = Membership.objects.filter(
        community=OuterRef("community_id"), person=person, status=MembershipStatus.ACTIVE
    )
    return (
        Q(person=person)
        | (Q(team__isnull=False) & Q(Exists(in_team)))
        | (Q(community__isnull=False) & Q(Exists(member)))
    )


def can_edit_diagram(person: Person, diagram: Diagram) -> bool:
    """Owner, team member, or active member of the owning community."""
    from practica.systems.models import Diagram

    return Diagram.objects.filter(diagram_editable_q(person), pk=diagram.pk).exists()
