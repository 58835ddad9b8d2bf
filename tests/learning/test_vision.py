"""Shared vision: drafts, stale drafts refused, versions with diffs, pulse results only above threshold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from practica.learning import vision
from practica.learning.mind_selectors import community_scope, organisation_scope, pulse_results
from practica.learning.models import AlignmentPulse, Vision, VisionDraft
from tests.learning.helpers import refused

pytestmark = pytest.mark.django_db


def adopt_text(actor, scope_fn, text):
    draft = vision.vision_draft_propose(actor=actor, scope=scope_fn(), text=text)
    return vision.vision_draft_adopt(actor=actor, scope=scope_fn(), draft=draft)


def test_stewards_adopt_the_organisation_vision_members_only_propose(member, steward):
    draft = vision.vision_draft_propose(
        actor=member, scope=organisation_scope(member), text="We learn in public."
    )
    refused(
        lambda: vision.vision_draft_adopt(actor=member, scope=organisation_scope(member), draft=draft),
        "stewards",
    )
    adopted = vision.vision_draft_adopt(actor=steward, scope=organisation_scope(steward), draft=draft)
    assert adopted.version == 1 and adopted.text == "We learn in public."
    assert Vision.objects.get().organisation


def test_a_stale_draft_is_refused_until_rebased(owner, member, testing):
    scope = lambda: community_scope(owner, testing.slug)  # noqa: E731
    old = vision.vision_draft_propose(
        actor=member, scope=community_scope(member, testing.slug), text="Draft A"
    )
    adopt_text(owner, scope, "Version one")
    error = refused(
        lambda: vision.vision_draft_adopt(actor=owner, scope=scope(), draft=old), "based on version 0"
    )
    assert "Re-base" in error.message
    assert Vision.objects.get().text == "Version one"
    vision.vision_draft_rebase(
        actor=member, scope=community_scope(member, testing.slug), draft=old, text="Version one, and A"
    )
    v = vision.vision_draft_adopt(actor=owner, scope=scope(), draft=old)
    assert v.version == 2 and v.text == "Version one, and A"
    lines = vision.version_diff("Version one", "Version one, and A", "version 1", "version 2")
    assert "-Version one" in lines and "+Version one, and A" in lines


def test_only_leads_adopt_a_community_vision(owner, member, testing):
    draft = vision.vision_draft_propose(actor=member, scope=community_scope(member, testing.slug), text="x")
    refused(
        lambda: vision.vision_draft_adopt(
            actor=member, scope=community_scope(member, testing.slug), draft=draft
        ),
        "lead",
    )
    assert VisionDraft.objects.get().status == "draft"


def test_a_private_community_vision_is_invisible_to_outsiders(outsider, steward, private):
    for person in (outsider, steward):
        with pytest.raises(Http404):
            community_scope(person, private.slug)


@pytest.mark.parametrize("score", [0, 6, -1, True, "3"])
def test_a_pulse_outside_1_to_5_is_refused(owner, testing, score):
    adopt_text(owner, lambda: community_scope(owner, testing.slug), "V1")
    refused(
        lambda: vision.vision_pulse_give(
            person=owner, scope=community_scope(owner, testing.slug), score=score
        ),
        "1",
    )
    assert not AlignmentPulse.objects.exists()


def test_non_members_give_no_pulse(owner, outsider, testing):
    adopt_text(owner, lambda: community_scope(owner, testing.slug), "V1")
    refused(
        lambda: vision.vision_pulse_give(
            person=outsider, scope=community_scope(outsider, testing.slug), score=3
        ),
        "active members",
    )


def test_results_only_above_the_threshold_and_comments_without_names(owner, member, testing, crowd):
    scope = lambda p: community_scope(p, testing.slug)  # noqa: E731
    adopt_text(owner, lambda: scope(owner), "V1")
    for person, score in zip([owner, member, crowd[0], crowd[1]], [5, 4, 2, 4], strict=True):
        vision.vision_pulse_give(
            person=person, scope=scope(person), score=score, comment=f"note from {score}"
        )
    current = Vision.objects.get()
    results = pulse_results(current)
    assert not results.distribution.shown and results.distribution.value is None
    assert results.mean.value is None and results.comments.value is None
    vision.vision_pulse_give(person=crowd[2], scope=scope(crowd[2]), score=3)
    vision.vision_pulse_give(person=owner, scope=scope(owner), score=1)  # the latest answer counts
    assert pulse_results(current).people == 0  # results move a month at a time: none released yet
    AlignmentPulse.objects.update(created_at=timezone.now() - timedelta(days=40))
    results = pulse_results(current)
    assert results.distribution.value == [1, 1, 1, 2, 0]
    assert results.mean.value == pytest.approx((1 + 4 + 2 + 4 + 3) / 5)
    assert results.comments.value is not None and "note from 4" in results.comments.value
    assert all("Olivia" not in comment for comment in results.comments.value)


def test_the_trend_guards_each_month(owner, member, testing, crowd):
    scope = lambda p: community_scope(p, testing.slug)  # noqa: E731
    adopt_text(owner, lambda: scope(owner), "V1")
    people = [owner, member, *crowd[:3]]
    for person in people:
        vision.vision_pulse_give(person=person, scope=scope(person), score=4)
    AlignmentPulse.objects.update(created_at=timezone.now() - timedelta(days=62))
    for person in people[:2]:
        vision.vision_pulse_give(person=person, scope=scope(person), score=2)
    AlignmentPulse.objects.filter(score=2).update(created_at=timezone.now() - timedelta(days=31))
    # Two people's later month is not released on its own: results and trend stay at the old month.
    results = pulse_results(Vision.objects.get())
    assert [point.mean.shown for point in results.trend] == [True]
    assert results.trend[0].mean.value == 4 and results.mean.value == 4


def test_a_month_is_hidden_when_the_overall_results_minus_it_would_single_someone_out(
    owner, member, testing, crowd
):
    """Five answered in one month and five (four of them again, one new) in the next: both months are
    released, but the overall results (six people) minus either month (five) would give one person's
    score, so both months are withheld while the overall results show."""
    scope = lambda p: community_scope(p, testing.slug)  # noqa: E731
    adopt_text(owner, lambda: scope(owner), "V1")
    for person in [owner, member, *crowd[:3]]:
        vision.vision_pulse_give(person=person, scope=scope(person), score=4)
    AlignmentPulse.objects.update(created_at=timezone.now() - timedelta(days=62))
    for person in [member, *crowd[:4]]:
        vision.vision_pulse_give(person=person, scope=scope(person), score=2)
    AlignmentPulse.objects.filter(score=2).update(created_at=timezone.now() - timedelta(days=31))
    results = pulse_results(Vision.objects.get())
    assert results.mean.shown and results.people == 6
    assert [point.mean.shown for point in results.trend] == [False, False]
    assert all(point.mean.value is None for point in results.trend)
