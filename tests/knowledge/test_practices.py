"""Practice services and selectors: every rule and refusal, revisions, restore, review clock, stale counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.communities.models import Activity, ActivityKind, Visibility
from practica.communities.selectors import community_for
from practica.communities.services import community_create, membership_join, membership_leave
from practica.core.errors import ApplicationError
from practica.knowledge.models import MAX_BODY, MAX_TITLE, Practice, PracticeRevision, PracticeStatus
from practica.knowledge.practice_selectors import (
    practices_for,
    revision_diff,
    stale_practice_count,
    stale_practice_counts,
)
from practica.knowledge.practices import (
    STALE_AFTER_DAYS,
    is_stale,
    practice_create,
    practice_edit,
    practice_mark_reviewed,
    practice_restore,
    practice_set_status,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def testing(owner, member):
    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def kata(testing, member):
    return practice_create(
        actor=member,
        community=testing,
        title="Mutation testing kata",
        body="Step one\nStep two",
        status=PracticeStatus.PUBLISHED,
        tags="kata, mutation",
    )


def world() -> tuple:
    """Every row the practice services write, to show that a refusal changed nothing."""
    return (
        list(Practice.objects.order_by("pk").values()),
        list(PracticeRevision.objects.order_by("pk").values()),
        sorted(Practice.tags.through.objects.values_list("practice_id", "tag_id")),
        Activity.objects.count(),
    )


def reviewed_days_ago(practice: Practice, days: float) -> None:
    Practice.objects.filter(pk=practice.pk).update(reviewed_at=timezone.now() - timedelta(days=days))
    practice.refresh_from_db()


# Writing ----------------------------------------------------------------------------------------------


def test_a_member_writes_a_practice_as_revision_one(kata, member):
    revision = kata.revisions.get()
    assert (kata.revision, revision.number, revision.author, revision.body) == (1, 1, member, kata.body)
    assert kata.slug == "mutation-testing-kata"
    assert sorted(tag.name for tag in kata.tags.all()) == ["kata", "mutation"]
    assert kata.reviewed_at is not None


def test_publishing_is_announced_in_the_feed_but_a_draft_is_not(testing, member):
    practice_create(actor=member, community=testing, title="Secret draft")
    assert not Activity.objects.filter(kind=ActivityKind.ARTICLE).exists()
    practice_create(actor=member, community=testing, title="Open one", status=PracticeStatus.PUBLISHED)
    assert list(Activity.objects.filter(kind=ActivityKind.ARTICLE).values_list("summary", flat=True)) == [
        "Open one"
    ]


def test_two_practices_with_the_same_title_get_different_slugs_and_new_is_reserved(testing, member):
    first = practice_create(actor=member, community=testing, title="Pairing")
    second = practice_create(actor=member, community=testing, title="Pairing")
    reserved = practice_create(actor=member, community=testing, title="New")
    assert (first.slug, second.slug, reserved.slug) == ("pairing", "pairing-2", "new-2")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "   "}, "A practice needs a title."),
        ({"title": "x" * (MAX_TITLE + 1)}, f"The title has {MAX_TITLE + 1} characters"),
        ({"title": "Long", "body": "x" * (MAX_BODY + 1)}, "the limit is 50,000"),
        ({"title": "Odd", "status": PracticeStatus.ARCHIVED}, "A new practice is a draft or published."),
        ({"title": "Odd", "kind": "poem"}, "'poem' is not a kind of practice."),
        ({"title": "Tagged", "tags": "!!!"}, "needs letters or digits"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(testing, member, fields, message):
    before = world()
    with pytest.raises(ApplicationError, match=message):
        practice_create(actor=member, community=testing, **fields)
    assert world() == before


def test_a_body_of_exactly_max_body_characters_is_accepted(testing, member):
    practice = practice_create(actor=member, community=testing, title="Long", body="x" * MAX_BODY)
    assert len(practice.body) == MAX_BODY


def test_outsiders_and_former_members_cannot_write(testing, member, outsider):
    membership_leave(person=member, community=testing)
    before = world()
    with pytest.raises(ApplicationError, match="Only active members"):
        practice_create(actor=outsider, community=testing, title="Mine")
    with pytest.raises(ApplicationError, match="Only active members"):
        practice_create(actor=member, community=testing, title="Mine")
    assert world() == before


# Editing, stale edits and restore -------------------------------------------------------------------------


def test_an_edit_makes_a_new_revision_and_resets_the_review_clock(kata, member):
    reviewed_days_ago(kata, 200)
    practice_edit(actor=member, practice=kata, base_revision=1, title=kata.title, body="Step one\nStep 2")
    kata.refresh_from_db()
    assert kata.revision == 2
    assert kata.body == "Step one\nStep 2"
    assert list(kata.revisions.values_list("number", flat=True)) == [2, 1]
    assert not is_stale(kata, timezone.now())


def test_a_stale_edit_is_refused_and_nothing_is_saved(kata, member, owner):
    practice_edit(actor=member, practice=kata, base_revision=1, title=kata.title, body="First edit")
    before = world()
    with pytest.raises(ApplicationError) as refused:
        practice_edit(actor=owner, practice=kata, base_revision=1, title="Mine", body="Would overwrite")
    assert refused.value.message == (
        "Someone saved this practice after you started editing (you edited revision 1, the current one "
        "is 2). Your text is below; compare it with the current version and save again."
    )
    assert world() == before
    practice_edit(actor=owner, practice=kata, base_revision=2, title="Mine", body="After comparing")
    kata.refresh_from_db()
    assert (kata.revision, kata.title) == (3, "Mine")


def test_an_edit_that_changes_nothing_is_refused(kata, member):
    before = world()
    with pytest.raises(ApplicationError, match="Nothing changed"):
        practice_edit(
            actor=member,
            practice=kata,
            base_revision=1,
            title=kata.title,
            body=kata.body,
            tags="kata, mutation",
        )
    assert world() == before


def test_changing_only_tags_or_kind_keeps_the_revision(kata, member):
    practice_edit(
        actor=member,
        practice=kata,
        base_revision=1,
        title=kata.title,
        body=kata.body,
        kind="playbook",
        tags="kata",
    )
    kata.refresh_from_db()
    assert (kata.revision, kata.kind, [tag.name for tag in kata.tags.all()]) == (1, "playbook", ["kata"])


def test_only_the_owner_or_a_lead_edits(kata, make_person, testing, owner):
    other = make_person("other")
    membership_join(person=other, community=testing)
    before = world()
    with pytest.raises(ApplicationError, match="Only the practice's owner or a lead"):
        practice_edit(actor=other, practice=kata, base_revision=1, title="Hijack", body="")
    for refused in (
        lambda: practice_restore(actor=other, practice=kata, number=1),
        lambda: practice_set_status(actor=other, practice=kata, status=PracticeStatus.ARCHIVED),
        lambda: practice_mark_reviewed(actor=other, practice=kata),
    ):
        with pytest.raises(ApplicationError, match="Only the practice's owner or a lead"):
            refused()
    assert world() == before
    practice_edit(actor=owner, practice=kata, base_revision=1, title="Lead's fix", body=kata.body)


def test_an_owner_who_left_can_no_longer_edit(kata, member, testing):
    membership_leave(person=member, community=testing)
    with pytest.raises(ApplicationError, match="Only the practice's owner or a lead"):
        practice_edit(actor=member, practice=kata, base_revision=1, title="Late", body="")


@pytest.mark.parametrize("title", ["", "x" * (MAX_TITLE + 1)])
def test_an_edit_with_a_bad_title_or_oversized_body_changes_nothing(kata, member, title):
    before = world()
    with pytest.raises(ApplicationError):
        practice_edit(actor=member, practice=kata, base_revision=1, title=title, body="ok")
    with pytest.raises(ApplicationError, match="limit is 50,000"):
        practice_edit(actor=member, practice=kata, base_revision=1, title="ok", body="x" * (MAX_BODY + 1))
    assert world() == before


def test_restore_brings_back_the_old_text_as_a_new_revision(kata, member):
    practice_edit(actor=member, practice=kata, base_revision=1, title="Renamed", body="Rewritten")
    practice_restore(actor=member, practice=kata, number=1, base_revision=2)
    kata.refresh_from_db()
    assert (kata.revision, kata.title, kata.body) == (3, "Mutation testing kata", "Step one\nStep two")
    newest = kata.revisions.first()
    assert (newest.number, newest.note, newest.body) == (3, "Restored revision 1", "Step one\nStep two")
    assert kata.revisions.count() == 3  # nothing was deleted


def test_restore_refuses_a_missing_revision_the_current_text_and_a_stale_base(kata, member):
    practice_edit(actor=member, practice=kata, base_revision=1, title="Renamed", body="Rewritten")
    before = world()
    with pytest.raises(ApplicationError, match="There is no revision 9"):
        practice_restore(actor=member, practice=kata, number=9)
    with pytest.raises(ApplicationError, match="Revision 2 is the same as the current text"):
        practice_restore(actor=member, practice=kata, number=2)
    with pytest.raises(ApplicationError, match="you edited revision 1, the current one is 2"):
        practice_restore(actor=member, practice=kata, number=1, base_revision=1)
    assert world() == before


# Status ------------------------------------------------------------------------------------------------


def test_status_moves_and_a_published_practice_cannot_return_to_draft(testing, member):
    practice = practice_create(actor=member, community=testing, title="Draft first")
    practice_set_status(actor=member, practice=practice, status=PracticeStatus.PUBLISHED)
    assert Activity.objects.filter(kind=ActivityKind.ARTICLE, summary="Draft first").count() == 1
    practice_set_status(actor=member, practice=practice, status=PracticeStatus.OUTDATED)
    practice_set_status(actor=member, practice=practice, status=PracticeStatus.ARCHIVED)
    before = world()
    with pytest.raises(ApplicationError, match="cannot go back to draft"):
        practice_set_status(actor=member, practice=practice, status=PracticeStatus.DRAFT)
    with pytest.raises(ApplicationError, match="already archived"):
        practice_set_status(actor=member, practice=practice, status=PracticeStatus.ARCHIVED)
    assert world() == before


# Review clock -------------------------------------------------------------------------------------------


def test_is_stale_boundary_is_180_days(kata):
    now = timezone.now()
    kata.reviewed_at = now - timedelta(days=STALE_AFTER_DAYS)
    assert not is_stale(kata, now)
    kata.reviewed_at = now - timedelta(days=STALE_AFTER_DAYS, seconds=1)
    assert is_stale(kata, now)


def test_only_published_practices_go_stale(kata):
    now = timezone.now()
    kata.reviewed_at = now - timedelta(days=400)
    for status in (PracticeStatus.DRAFT, PracticeStatus.OUTDATED, PracticeStatus.ARCHIVED):
        kata.status = status
        assert not is_stale(kata, now), status


def test_mark_reviewed_resets_the_clock_without_a_revision(kata, member):
    reviewed_days_ago(kata, 365)
    assert is_stale(kata, timezone.now())
    practice_mark_reviewed(actor=member, practice=kata)
    kata.refresh_from_db()
    assert not is_stale(kata, timezone.now())
    assert kata.revision == 1
    assert kata.revisions.count() == 1


def test_stale_practice_count_per_community(testing, member, owner, kata):
    other = community_create(actor=owner, name="Security")
    fresh = practice_create(actor=member, community=testing, title="Fresh", status=PracticeStatus.PUBLISHED)
    draft = practice_create(actor=member, community=testing, title="Old draft")
    elsewhere = practice_create(actor=owner, community=other, title="Old", status=PracticeStatus.PUBLISHED)
    for practice in (kata, draft, elsewhere):
        reviewed_days_ago(practice, 181)
    reviewed_days_ago(fresh, 179)
    now = timezone.now()
    assert stale_practice_count(testing, now) == 1
    assert stale_practice_count(other, now) == 1
    assert stale_practice_count(testing, now - timedelta(days=10)) == 0  # computed for the moment asked
    assert stale_practice_counts([testing, other], now) == {testing.pk: 1, other.pk: 1}


# Selectors -------------------------------------------------------------------------------------------------


def test_drafts_are_listed_for_their_owner_and_the_leads_only(testing, owner, member, make_person, kata):
    practice_create(actor=member, community=testing, title="Member's draft")
    other = make_person("other")
    membership_join(person=other, community=testing)
    now = timezone.now()

    def titles(person) -> list[str]:
        return [p.title for p in practices_for(person, community_for(person, testing.slug), now=now)]

    assert titles(member) == ["Member's draft", "Mutation testing kata"]
    assert titles(owner) == ["Member's draft", "Mutation testing kata"]
    assert titles(other) == ["Mutation testing kata"]


def test_a_private_communitys_practices_are_a_404_for_outsiders(owner, outsider):
    from django.http import Http404

    private = community_create(actor=owner, name="Guild", visibility=Visibility.PRIVATE)
    practice_create(actor=owner, community=private, title="Hidden", status=PracticeStatus.PUBLISHED)
    with pytest.raises(Http404):
        community_for(outsider, private.slug)


def test_list_filters_by_status_kind_tag_and_needs_review(testing, member, kata):
    practice_create(actor=member, community=testing, title="How to pair", kind="how_to", tags="pairing")
    reviewed_days_ago(kata, 200)
    access = community_for(member, testing.slug)
    now = timezone.now()

    def titles(**filters) -> list[str]:
        return [p.title for p in practices_for(member, access, now=now, **filters)]

    assert titles(status="draft") == ["How to pair"]
    assert titles(kind="how_to") == ["How to pair"]
    assert titles(tag="kata") == ["Mutation testing kata"]
    assert titles(status="needs_review") == ["Mutation testing kata"]
    assert [p.stale for p in practices_for(member, access, now=now)] == [False, True]


def test_revision_diff_shows_added_and_removed_lines(kata, member):
    practice_edit(
        actor=member, practice=kata, base_revision=1, title="Kata", body="Step one\nStep 2\nStep three"
    )
    diff = revision_diff(kata, 1, 2)
    assert diff is not None
    assert diff.title == ["@@ -1 +1 @@", "-Mutation testing kata", "+Kata"]
    assert "-Step two" in diff.body and "+Step 2" in diff.body and "+Step three" in diff.body
    assert " Step one" in diff.body
    assert revision_diff(kata, 1, 1) is not None and revision_diff(kata, 1, 1).is_empty
    assert revision_diff(kata, 1, 7) is None
