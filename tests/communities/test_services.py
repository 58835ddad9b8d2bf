"""Writes to communities, charters, stages and memberships, through the real services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from practica.communities import services
from practica.communities.models import (
    Activity,
    ActivityKind,
    CharterVersion,
    Community,
    Level,
    Membership,
    MembershipStatus,
    Role,
    Stage,
    StageChange,
    Tag,
    Visibility,
)
from practica.communities.participation import participation_recompute, transactional_people
from practica.communities.services import (
    activity_record,
    charter_update,
    community_create,
    community_set_stage,
    community_update,
    membership_decide,
    membership_invite,
    membership_join,
    membership_leave,
    membership_pin_level,
    membership_set_role,
)
from practica.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

# A fixed Monday noon, well in the past, so activity recorded by the services "now" is outside windows.
NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def testing(owner):
    return community_create(
        actor=owner,
        name="Testing",
        summary="Getting better at tests",
        tags="qa, Testing",
        charter={"domain": "Tests **matter**", "practice": "Katas"},
    )


def membership(person, community) -> Membership:
    return Membership.objects.get(person=person, community=community)


def snapshot(community: Community) -> tuple:
    """Everything a refused charter edit or stage change must leave as it was."""
    community.refresh_from_db()
    return (
        community.charter_version,
        community.domain,
        community.stage,
        CharterVersion.objects.filter(community=community).count(),
        StageChange.objects.filter(community=community).count(),
        Activity.objects.filter(community=community).count(),
    )


def memberships_of(community: Community) -> list[tuple]:
    return list(
        Membership.objects.filter(community=community)
        .order_by("pk")
        .values_list("person_id", "status", "role", "level", "level_pinned")
    )


# Communities --------------------------------------------------------------------------------------


def test_creating_a_community_makes_the_creator_its_lead_with_charter_version_1(owner, testing):
    lead = membership(owner, testing)
    assert (lead.role, lead.status, lead.level) == (Role.LEAD, MembershipStatus.ACTIVE, Level.CORE)
    assert lead.joined_at is not None
    assert testing.slug == "testing"
    assert testing.stage == Stage.POTENTIAL
    assert testing.charter_version == 1
    version = testing.charter_versions.get()
    assert (version.number, version.author, version.domain, version.practice) == (
        1,
        owner,
        "Tests **matter**",
        "Katas",
    )
    change = testing.stage_changes.get()
    assert (change.from_stage, change.to_stage, change.actor) == ("", Stage.POTENTIAL, owner)
    assert change.reason
    assert list(testing.activities.values_list("kind", flat=True)) == [ActivityKind.JOINED]


def test_tags_are_created_on_first_use_and_reused_after(owner, member, testing):
    assert sorted(testing.tags.values_list("slug", flat=True)) == ["qa", "testing"]
    other = community_create(actor=member, name="Frontend", tags="testing, CSS, testing")
    assert sorted(other.tags.values_list("slug", flat=True)) == ["css", "testing"]
    assert Tag.objects.count() == 3
    assert other.tags.get(slug="testing") == testing.tags.get(slug="testing")


def test_a_tag_without_letters_is_refused_and_nothing_is_created(owner):
    with pytest.raises(ApplicationError, match="needs letters or digits") as error:
        community_create(actor=owner, name="Testing", tags="qa, !!!")
    assert error.value.field == "tags"
    assert not Community.objects.exists()
    assert not Tag.objects.exists()


def test_a_duplicate_name_is_refused_whatever_its_case(owner, member, testing):
    with pytest.raises(ApplicationError, match="A community named testing already exists") as error:
        community_create(actor=member, name="  testing ")
    assert error.value.field == "name"
    assert Community.objects.count() == 1
    assert not Membership.objects.filter(person=member).exists()


def test_an_empty_name_is_refused(owner):
    with pytest.raises(ApplicationError, match="needs a name"):
        community_create(actor=owner, name="   ")
    assert not Community.objects.exists()


def test_similar_names_get_distinct_slugs(owner):
    first = community_create(actor=owner, name="Testing!")
    second = community_create(actor=owner, name="Testing?")
    assert (first.slug, second.slug) == ("testing", "testing-2")


def test_a_lead_updates_name_summary_visibility_and_tags(owner, testing):
    community_update(
        actor=owner,
        community=testing,
        name="Quality",
        summary=" Everything about quality ",
        visibility=Visibility.REQUEST,
        tags="quality",
    )
    testing.refresh_from_db()
    assert (testing.name, testing.summary, testing.visibility) == (
        "Quality",
        "Everything about quality",
        Visibility.REQUEST,
    )
    assert list(testing.tags.values_list("slug", flat=True)) == ["quality"]
    assert testing.slug == "testing"  # links people shared keep working


def test_a_member_cannot_update_the_community(member, testing):
    membership_join(person=member, community=testing)
    with pytest.raises(ApplicationError, match=services.NOT_A_LEAD):
        community_update(
            actor=member, community=testing, name="Mine", summary="", visibility=Visibility.PRIVATE, tags=""
        )
    testing.refresh_from_db()
    assert (testing.name, testing.visibility) == ("Testing", Visibility.OPEN)


def test_renaming_to_another_communitys_name_is_refused(owner, testing):
    community_create(actor=owner, name="Frontend")
    with pytest.raises(ApplicationError, match="already exists"):
        community_update(
            actor=owner, community=testing, name="FRONTEND", summary="", visibility=Visibility.OPEN, tags=""
        )
    testing.refresh_from_db()
    assert testing.name == "Testing"


# Charter ------------------------------------------------------------------------------------------


def test_a_charter_edit_saves_a_new_version_and_records_activity(owner, testing):
    version = charter_update(
        actor=owner, community=testing, base_version=1, note=" Rhythm agreed ", rhythm="Fortnightly"
    )
    assert (version.number, version.author, version.note) == (2, owner, "Rhythm agreed")
    assert (version.rhythm, version.domain) == ("Fortnightly", "Tests **matter**")  # others kept
    assert testing.charter_version == 2  # the caller's object is refreshed
    testing.refresh_from_db()
    assert (testing.charter_version, testing.rhythm) == (2, "Fortnightly")
    assert list(testing.charter_versions.values_list("number", flat=True)) == [2, 1]
    edit = testing.activities.get(kind=ActivityKind.CHARTER_EDITED)
    assert (edit.person, edit.summary) == (owner, "version 2")


def test_a_stale_charter_edit_is_refused_and_changes_nothing(owner, make_person, testing):
    co_lead = make_person("colead")
    membership_join(person=co_lead, community=testing)
    membership_set_role(actor=owner, membership=membership(co_lead, testing), role=Role.LEAD)
    # Both open the editor at version 1; the co-lead saves first.
    charter_update(actor=co_lead, community=testing, base_version=1, domain="Their domain")
    before = snapshot(testing)
    with pytest.raises(ApplicationError) as error:
        charter_update(actor=owner, community=testing, base_version=1, domain="My domain")
    assert str(error.value) == services.STALE_CHARTER.format(base=1, current=2)
    assert "Someone saved the charter after you started editing" in str(error.value)
    assert snapshot(testing) == before
    assert testing.domain == "Their domain"


def test_a_charter_edit_that_changes_nothing_is_refused(owner, testing):
    before = snapshot(testing)
    with pytest.raises(ApplicationError, match="Nothing changed in the charter"):
        charter_update(actor=owner, community=testing, base_version=1, domain="Tests **matter**")
    assert snapshot(testing) == before


def test_a_member_who_is_not_a_lead_cannot_edit_the_charter(member, outsider, testing):
    membership_join(person=member, community=testing)
    before = snapshot(testing)
    for person in (member, outsider):
        with pytest.raises(ApplicationError, match=services.NOT_A_LEAD):
            charter_update(actor=person, community=testing, base_version=1, domain="Hijacked")
    assert snapshot(testing) == before


def test_unknown_charter_fields_are_refused(owner, testing):
    with pytest.raises(ApplicationError, match="Unknown charter fields: name"):
        charter_update(actor=owner, community=testing, base_version=1, name="x")
    assert testing.charter_versions.count() == 1


# Stage --------------------------------------------------------------------------------------------


def test_a_stage_change_is_recorded_with_who_and_why(owner, testing):
    change = community_set_stage(
        actor=owner, community=testing, stage=Stage.COALESCING, reason="First meetup held"
    )
    testing.refresh_from_db()
    assert testing.stage == Stage.COALESCING
    assert (change.from_stage, change.to_stage, change.actor, change.reason) == (
        Stage.POTENTIAL,
        Stage.COALESCING,
        owner,
        "First meetup held",
    )
    assert [c.to_stage for c in testing.stage_changes.all()] == [Stage.COALESCING, Stage.POTENTIAL]
    assert testing.activities.filter(kind=ActivityKind.STAGE_CHANGED, person=owner).exists()


def test_a_stage_change_needs_a_reason(owner, testing):
    before = snapshot(testing)
    with pytest.raises(ApplicationError, match="Say why") as error:
        community_set_stage(actor=owner, community=testing, stage=Stage.MATURING, reason="  ")
    assert error.value.field == "reason"
    assert snapshot(testing) == before


def test_moving_to_the_current_stage_is_refused(owner, testing):
    before = snapshot(testing)
    with pytest.raises(ApplicationError, match="already potential"):
        community_set_stage(actor=owner, community=testing, stage=Stage.POTENTIAL, reason="Again")
    assert snapshot(testing) == before


def test_only_a_lead_changes_the_stage(member, testing):
    membership_join(person=member, community=testing)
    before = snapshot(testing)
    with pytest.raises(ApplicationError, match=services.NOT_A_LEAD):
        community_set_stage(actor=member, community=testing, stage=Stage.MATURING, reason="Because")
    assert snapshot(testing) == before


# Membership ---------------------------------------------------------------------------------------


def test_anyone_joins_an_open_community(member, testing):
    joined = membership_join(person=member, community=testing)
    assert (joined.status, joined.role, joined.level) == (
        MembershipStatus.ACTIVE,
        Role.MEMBER,
        Level.PERIPHERAL,
    )
    assert joined.joined_at is not None
    assert testing.activities.filter(kind=ActivityKind.JOINED, person=member).exists()
    with pytest.raises(ApplicationError, match="already a member"):
        membership_join(person=member, community=testing)


def test_joining_a_request_community_asks_and_a_lead_approves(owner, member, testing):
    testing.visibility = Visibility.REQUEST
    testing.save()
    asked = membership_join(person=member, community=testing, message=" I write tests ")
    assert (asked.status, asked.message, asked.joined_at) == (
        MembershipStatus.REQUESTED,
        "I write tests",
        None,
    )
    with pytest.raises(ApplicationError, match="already asked"):
        membership_join(person=member, community=testing)
    approved = membership_decide(actor=owner, membership=asked, approve=True)
    assert approved.status == MembershipStatus.ACTIVE
    assert membership(member, testing).is_active
    with pytest.raises(ApplicationError, match="no open request"):
        membership_decide(actor=owner, membership=approved, approve=False)


def test_a_lead_declines_a_request(owner, member, testing):
    testing.visibility = Visibility.REQUEST
    testing.save()
    asked = membership_join(person=member, community=testing)
    membership_decide(actor=owner, membership=asked, approve=False)
    assert membership(member, testing).status == MembershipStatus.DECLINED
    assert not testing.activities.filter(kind=ActivityKind.JOINED, person=member).exists()


def test_only_a_lead_decides_on_requests(member, outsider, testing):
    testing.visibility = Visibility.REQUEST
    testing.save()
    asked = membership_join(person=outsider, community=testing)
    testing.visibility = Visibility.OPEN
    testing.save()
    membership_join(person=member, community=testing)
    with pytest.raises(ApplicationError, match=services.NOT_A_LEAD):
        membership_decide(actor=member, membership=asked, approve=True)
    assert membership(outsider, testing).status == MembershipStatus.REQUESTED


def test_joining_a_private_community_without_an_invitation_is_refused_and_changes_nothing(owner, outsider):
    private = community_create(actor=owner, name="Secret", visibility=Visibility.PRIVATE)
    before = (memberships_of(private), snapshot(private))
    with pytest.raises(ApplicationError, match=r"This community is private: a lead has to invite you\."):
        membership_join(person=outsider, community=private)
    assert (memberships_of(private), snapshot(private)) == before


def test_an_invited_person_accepts_by_joining(owner, outsider):
    private = community_create(actor=owner, name="Secret", visibility=Visibility.PRIVATE)
    invited = membership_invite(actor=owner, community=private, person=outsider)
    assert (invited.status, invited.invited_by) == (MembershipStatus.INVITED, owner)
    accepted = membership_join(person=outsider, community=private)
    assert accepted.status == MembershipStatus.ACTIVE
    assert private.activities.filter(kind=ActivityKind.JOINED, person=outsider).exists()


def test_an_invitation_is_declined_by_leaving(owner, outsider):
    private = community_create(actor=owner, name="Secret", visibility=Visibility.PRIVATE)
    membership_invite(actor=owner, community=private, person=outsider)
    membership_leave(person=outsider, community=private)
    assert not Membership.objects.filter(person=outsider, community=private).exists()
    assert not private.activities.filter(person=outsider).exists()
    with pytest.raises(ApplicationError, match="private"):
        membership_join(person=outsider, community=private)


def test_inviting_someone_who_asked_to_join_lets_them_in(owner, member, testing):
    testing.visibility = Visibility.REQUEST
    testing.save()
    membership_join(person=member, community=testing)
    invited = membership_invite(actor=owner, community=testing, person=member)
    assert invited.status == MembershipStatus.ACTIVE


def test_inviting_a_member_or_inviting_as_a_member_is_refused(owner, member, outsider, testing):
    membership_join(person=member, community=testing)
    with pytest.raises(ApplicationError, match="Max Member is already a member"):
        membership_invite(actor=owner, community=testing, person=member)
    with pytest.raises(ApplicationError, match=services.NOT_A_LEAD):
        membership_invite(actor=member, community=testing, person=outsider)
    assert not Membership.objects.filter(person=outsider).exists()


def test_a_member_leaves_and_can_join_again(member, testing):
    membership_join(person=member, community=testing)
    left = membership_leave(person=member, community=testing)
    assert (left.status, left.role) == (MembershipStatus.LEFT, Role.MEMBER)
    assert left.left_at is not None
    assert testing.activities.filter(kind=ActivityKind.LEFT, person=member).exists()
    with pytest.raises(ApplicationError, match="not a member"):
        membership_leave(person=member, community=testing)
    again = membership_join(person=member, community=testing)
    assert (again.pk, again.status, again.left_at) == (left.pk, MembershipStatus.ACTIVE, None)


def test_a_former_member_of_a_request_community_asks_again(owner, member, testing):
    membership_join(person=member, community=testing)
    membership_leave(person=member, community=testing)
    testing.visibility = Visibility.REQUEST
    testing.save()
    assert membership_join(person=member, community=testing).status == MembershipStatus.REQUESTED


def test_the_last_lead_can_neither_leave_nor_be_demoted(owner, member, testing):
    membership_join(person=member, community=testing)
    before = memberships_of(testing)
    with pytest.raises(ApplicationError, match="only lead"):
        membership_leave(person=owner, community=testing)
    with pytest.raises(ApplicationError, match="at least one lead"):
        membership_set_role(actor=owner, membership=membership(owner, testing), role=Role.MEMBER)
    assert memberships_of(testing) == before


def test_with_a_second_lead_the_first_can_step_down_and_leave(owner, member, testing):
    membership_join(person=member, community=testing)
    membership_set_role(actor=owner, membership=membership(member, testing), role=Role.LEAD)
    membership_set_role(actor=owner, membership=membership(owner, testing), role=Role.SPONSOR)
    assert membership(owner, testing).role == Role.SPONSOR
    membership_leave(person=owner, community=testing)
    assert membership(owner, testing).status == MembershipStatus.LEFT


def test_making_someone_a_lead_makes_them_core_and_demoting_derives_their_level_again(owner, member, testing):
    membership_join(person=member, community=testing)
    promoted = membership_set_role(actor=owner, membership=membership(member, testing), role=Role.LEAD)
    assert (promoted.role, promoted.level) == (Role.LEAD, Level.CORE)
    demoted = membership_set_role(actor=owner, membership=promoted, role=Role.MEMBER)
    assert (demoted.role, membership(member, testing).level) == (Role.MEMBER, Level.PERIPHERAL)


def test_only_a_lead_sets_roles_and_only_for_active_members(owner, member, outsider, testing):
    membership_join(person=member, community=testing)
    with pytest.raises(ApplicationError, match=services.NOT_A_LEAD):
        membership_set_role(actor=member, membership=membership(member, testing), role=Role.LEAD)
    membership_leave(person=member, community=testing)
    with pytest.raises(ApplicationError, match="Only active members"):
        membership_set_role(actor=owner, membership=membership(member, testing), role=Role.LEAD)
    assert membership(member, testing).role == Role.MEMBER


def test_a_lead_pins_a_level_and_unpinning_derives_it_again(owner, member, testing):
    membership_join(person=member, community=testing)
    pinned = membership_pin_level(actor=owner, membership=membership(member, testing), level=Level.ACTIVE)
    assert (pinned.level, pinned.level_pinned) == (Level.ACTIVE, True)
    participation_recompute(community=testing, now=NOW)
    assert membership(member, testing).level == Level.ACTIVE  # pinned levels survive recomputation
    unpinned = membership_pin_level(actor=owner, membership=membership(member, testing), level=None)
    assert (unpinned.level, unpinned.level_pinned) == (Level.PERIPHERAL, False)
    assert (membership(member, testing).level, membership(member, testing).level_pinned) == (
        Level.PERIPHERAL,
        False,
    )


def test_pinning_is_for_leads_and_never_transactional(owner, member, testing):
    membership_join(person=member, community=testing)
    before = memberships_of(testing)
    with pytest.raises(ApplicationError, match=services.NOT_A_LEAD):
        membership_pin_level(actor=member, membership=membership(member, testing), level=Level.CORE)
    with pytest.raises(ApplicationError, match="Transactional is for people outside"):
        membership_pin_level(actor=owner, membership=membership(member, testing), level=Level.TRANSACTIONAL)
    assert memberships_of(testing) == before


# Participation ------------------------------------------------------------------------------------


def contribute(community, person, *at: datetime, kind: ActivityKind = ActivityKind.ANSWERED) -> None:
    for moment in at:
        activity_record(community=community, person=person, kind=kind, summary="x", occurred_at=moment)


def test_recompute_derives_levels_from_activity_in_the_window(owner, make_person, testing):
    core, active, occasional, quiet, visitor = (make_person(name) for name in "cdefg")
    for person in (core, active, occasional, quiet):
        membership_join(person=person, community=testing)
    week = timedelta(days=7)
    contribute(testing, core, NOW - week, NOW - 2 * week, NOW - 3 * week, NOW - 4 * week)
    contribute(testing, active, NOW - week, NOW - week, NOW - week)  # three in one week: not core
    contribute(testing, occasional, NOW - week, kind=ActivityKind.ATTENDED)
    contribute(testing, visitor, NOW - week, kind=ActivityKind.ASKED)

    counts = participation_recompute(community=testing, now=NOW)

    levels = dict(Membership.objects.filter(community=testing).values_list("person_id", "level"))
    assert levels == {
        owner.pk: Level.CORE,
        core.pk: Level.CORE,
        active.pk: Level.ACTIVE,
        occasional.pk: Level.OCCASIONAL,
        quiet.pk: Level.PERIPHERAL,
    }
    assert counts == {Level.CORE: 2, Level.ACTIVE: 1, Level.OCCASIONAL: 1, Level.PERIPHERAL: 1}
    assert set(Membership.objects.filter(community=testing).values_list("level_computed_at", flat=True)) == {
        NOW
    }
    assert transactional_people(testing, now=NOW) == [visitor.pk]


def test_the_window_includes_its_first_moment_and_excludes_anything_older_or_later(member, testing):
    membership_join(person=member, community=testing)
    start = NOW - timedelta(days=90)
    contribute(testing, member, start - timedelta(seconds=1), NOW + timedelta(seconds=1))
    participation_recompute(community=testing, now=NOW)
    assert membership(member, testing).level == Level.PERIPHERAL
    contribute(testing, member, start)
    participation_recompute(community=testing, now=NOW)
    assert membership(member, testing).level == Level.OCCASIONAL


def test_weeks_are_calendar_weeks(make_person, testing):
    # Sunday and the next Monday are two weeks; three contributions over Sun, Mon, Sun make two.
    steady, spread = make_person("steady"), make_person("spread")
    for person in (steady, spread):
        membership_join(person=person, community=testing)
    sunday = datetime(2025, 6, 22, 23, 0, tzinfo=UTC)
    contribute(testing, steady, sunday - timedelta(days=7), sunday, sunday + timedelta(hours=2))
    contribute(testing, spread, sunday, sunday + timedelta(hours=2), sunday + timedelta(days=6))
    participation_recompute(community=testing, now=NOW)
    assert membership(steady, testing).level == Level.CORE
    assert membership(spread, testing).level == Level.ACTIVE


def test_recompute_keeps_pinned_levels_and_ignores_former_members(owner, member, make_person, testing):
    former = make_person("former")
    for person in (member, former):
        membership_join(person=person, community=testing)
    membership_pin_level(actor=owner, membership=membership(member, testing), level=Level.CORE)
    contribute(testing, former, NOW - timedelta(days=1))
    membership_leave(person=former, community=testing)
    counts = participation_recompute(community=testing, now=NOW)
    assert (membership(member, testing).level, membership(member, testing).level_pinned) == (Level.CORE, True)
    assert counts == {Level.CORE: 2}
    assert transactional_people(testing, now=NOW) == [former.pk]
