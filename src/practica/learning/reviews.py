"""Every write to reviews: items, groups, dot votes, insights, actions and their follow-through.

A review belongs to a team or a community; its participants are the team's members or the
community's active members (``core.permissions.review_participant_q``). It moves through phases:
collect (add items) -> group -> vote -> act (insights and actions) -> closed. Each write checks the
phase, the participant and the rule it is about, and raises :class:`ApplicationError` with a message
for the person, changing nothing.

Follow-through: a review opens with the actions of the previous review of the same team or community
that nobody has followed up yet. Participants mark each done, dropped or still open; still open
carries it over (a copy joins this review's actions). Every follow-up sets ``followed_up_in``, so the
follow-through rate is "done / followed up" (see ``review_selectors.follow_through``).
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from practica.calibration.models import ForecastQuestion
from practica.communities.models import Community, Membership, MembershipStatus, Visibility
from practica.core.errors import ApplicationError
from practica.core.permissions import (
    can_facilitate_review,
    is_active_member,
    membership_of,
    review_participant_q,
)
from practica.learning.models import (
    Action,
    ActionStatus,
    DotVote,
    Experiment,
    Insight,
    InsightAdoption,
    InsightShare,
    MethodTemplate,
    Review,
    ReviewGroup,
    ReviewItem,
    ReviewPhase,
    TemplateKind,
)
from practica.people.models import Person, Team, TeamMembership

MAX_ITEM = 1_000
MAX_TITLE = 200
MAX_DOTS = 20
PHASE_ORDER = [ReviewPhase.COLLECT, ReviewPhase.GROUP, ReviewPhase.VOTE, ReviewPhase.ACT, ReviewPhase.CLOSED]

NOT_A_PARTICIPANT = "Only the team's members, or the community's active members, take part in this review."
NOT_THE_FACILITATOR = "Only the facilitator (or a lead of the community) can do that."
CLOSED = "This review is closed; nothing in it can change any more."
NOT_AN_OWNER = "The action's owner must be one of the review's participants."
WRONG_PHASE = "{what} happens in the “{phase}” phase; this review is in “{current}”."


def is_participant(person: Person, review: Review) -> bool:
    """True when ``person`` takes part in ``review`` (one query; the rule is ``review_participant_q``)."""
    return Review.objects.filter(review_participant_q(person), pk=review.pk).exists()


def participants_q(review: Review) -> Q:
    """Filter for the review's participants (use on Person querysets)."""
    if review.team_id is not None:
        return Q(team_memberships__team_id=review.team_id)
    return Q(
        community_memberships__community_id=review.community_id,
        community_memberships__status=MembershipStatus.ACTIVE,
    )


def _require_participant(person: Person, review: Review) -> None:
    if not is_participant(person, review):
        raise ApplicationError(NOT_A_PARTICIPANT)


def _require_facilitator(person: Person, review: Review) -> None:
    membership = membership_of(person, review.community) if review.community is not None else None
    if not can_facilitate_review(person, review, membership):
        raise ApplicationError(NOT_THE_FACILITATOR)


def _require_phase(review: Review, phase: ReviewPhase, what: str) -> None:
    if review.phase == ReviewPhase.CLOSED:
        raise ApplicationError(CLOSED)
    if review.phase != phase:
        raise ApplicationError(
            WRONG_PHASE.format(what=what, phase=phase.label, current=ReviewPhase(review.phase).label)
        )


def _require_open(review: Review) -> None:
    if review.phase == ReviewPhase.CLOSED:
        raise ApplicationError(CLOSED)


def _locked(review: Review) -> Review:
    """Re-read the review under a row lock, so phase checks and writes cannot interleave."""
    return Review.objects.select_for_update().get(pk=review.pk)


def _clean_text(text: str, *, field: str, limit: int, what: str) -> str:
    text = text.strip()
    if not text:
        raise ApplicationError(f"Write the {what} first.", field=field)
    if len(text) > limit:
        raise ApplicationError(f"The {what} has {len(text)} characters; keep it to {limit:,}.", field=field)
    return text


# Reviews ------------------------------------------------------------------------------------------


def previous_review_of(
    *,
    team: Team | None,
    community: Community | None,
    before: Review | None = None,
    held_at: datetime | None = None,
) -> Review | None:
    """The review a new one follows up: the latest earlier review of the same team or community that
    agreed actions or is closed. A review started and left empty (no actions, still open) is skipped,
    so its open actions are not lost behind it. ``before`` (an existing review) or ``held_at`` (a new
    one) sets "earlier"."""
    reviews = (
        Review.objects.filter(team=team) if team is not None else Review.objects.filter(community=community)
    )
    if before is not None:
        reviews = reviews.exclude(pk=before.pk).filter(
            Q(held_at__lt=before.held_at) | Q(held_at=before.held_at, pk__lt=before.pk)
        )
    elif held_at is not None:
        reviews = reviews.filter(held_at__lte=held_at)
    has_actions = Action.objects.filter(review=OuterRef("pk"))
    return (
        reviews.filter(Q(phase=ReviewPhase.CLOSED) | Q(Exists(has_actions)))
        .order_by("-held_at", "-id")
        .first()
    )


def previous_of(review: Review) -> Review | None:
    """The review ``review`` follows up: the one recorded when it was created or, for a review made
    without one (imported or bulk-created), the rule of :func:`previous_review_of` applied now."""
    if review.previous_id is not None:
        return review.previous
    return previous_review_of(team=review.team, community=review.community, before=review)


@transaction.atomic
def review_create(
    *,
    actor: Person,
    template: MethodTemplate,
    title: str = "",
    team: Team | None = None,
    community: Community | None = None,
    dots_per_person: int = 3,
    allow_anonymous: bool = True,
    held_at: datetime | None = None,
) -> Review:
    """Start a review of a team or a community; its creator facilitates it.

    ``previous`` is set to the latest earlier review of the same team or community, so this one
    opens with that review's open actions.
    """
    if (team is None) == (community is None):
        raise ApplicationError("Choose the team or the community holding the review.", field="team")
    if template.kind != TemplateKind.REVIEW:
        raise ApplicationError(
            "Choose a review template; experiment cards are used by experiments.", field="template"
        )
    if not 1 <= int(dots_per_person) <= MAX_DOTS:
        raise ApplicationError(f"Give each person from 1 to {MAX_DOTS} dots.", field="dots_per_person")
    if team is not None and not TeamMembership.objects.filter(team=team, person=actor).exists():
        raise ApplicationError("Only members of the team can start its reviews.", field="team")
    if community is not None and not is_active_member(membership_of(actor, community)):
        raise ApplicationError(
            "Only active members of the community can start its reviews.", field="community"
        )
    held_at = held_at or timezone.now()
    title = " ".join(title.split()) or f"{template.name}, {held_at:%d %b %Y}"
    if len(title) > MAX_TITLE:
        raise ApplicationError(f"Keep the title to {MAX_TITLE} characters.", field="title")
    previous = previous_review_of(team=team, community=community, held_at=held_at)
    return Review.objects.create(
        title=title,
        template=template,
        team=team,
        community=community,
        facilitator=actor,
        dots_per_person=int(dots_per_person),
        allow_anonymous=allow_anonymous,
        previous=previous,
        held_at=held_at,
    )


@transaction.atomic
def review_set_phase(*, actor: Person, review: Review, phase: ReviewPhase | str) -> Review:
    """Move the review to another phase (facilitator); closing is final."""
    if phase not in ReviewPhase.values:
        raise ApplicationError("Choose a phase: collect, group, vote, act or closed.", field="phase")
    review = _locked(review)
    _require_facilitator(actor, review)
    _require_open(review)
    review.phase = ReviewPhase(phase)
    fields = ["phase"]
    if review.phase == ReviewPhase.CLOSED:
        review.closed_at = timezone.now()
        fields.append("closed_at")
    review.save(update_fields=fields)
    return review


def next_phase(review: Review) -> ReviewPhase | None:
    index = PHASE_ORDER.index(ReviewPhase(review.phase))
    return PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None


# Items, groups and votes ----------------------------------------------------------------------------


@transaction.atomic
def review_item_add(
    *, actor: Person, review: Review, section: str, text: str, anonymous: bool = False
) -> ReviewItem:
    """Add an item under a section of the review's template (participants, collect phase).

    An anonymous item hides its author from everyone else, the facilitator included; the author is
    still stored, and sees "you wrote this".
    """
    review = _locked(review)
    _require_phase(review, ReviewPhase.COLLECT, "Adding items")
    _require_participant(actor, review)
    keys = {section["key"] for section in review.template.sections}
    if section not in keys:
        raise ApplicationError("Choose one of the template's sections.", field="section")
    if anonymous and not review.allow_anonymous:
        raise ApplicationError("This review does not take anonymous items.", field="anonymous")
    text = _clean_text(text, field="text", limit=MAX_ITEM, what="item")
    return ReviewItem.objects.create(
        review=review, section=section, text=text, author=actor, anonymous=anonymous
    )


@transaction.atomic
def review_item_edit(*, actor: Person, item: ReviewItem, text: str) -> ReviewItem:
    """Change your own item's text (collect phase)."""
    review = _locked(item.review)
    _require_phase(review, ReviewPhase.COLLECT, "Editing items")
    if item.author_id != actor.pk:
        raise ApplicationError("Only its author can edit an item.")
    item.text = _clean_text(text, field="text", limit=MAX_ITEM, what="item")
    item.save(update_fields=["text"])
    return item


def _items_of(review: Review, item_ids: list[int]) -> list[ReviewItem]:
    ids = list(dict.fromkeys(int(pk) for pk in item_ids))
    items = list(ReviewItem.objects.filter(review=review, pk__in=ids))
    if len(items) != len(ids):
        raise ApplicationError("Some of the chosen items are not in this review.", field="items")
    return items


@transaction.atomic
def review_group_create(
    *, actor: Person, review: Review, title: str, item_ids: list[int], into: ReviewGroup | None = None
) -> ReviewGroup:
    """Group similar items under a title, or add them to the group ``into`` (participants, group phase)."""
    review = _locked(review)
    _require_phase(review, ReviewPhase.GROUP, "Grouping")
    _require_participant(actor, review)
    if not item_ids:
        raise ApplicationError("Tick the items to group first.", field="items")
    if into is not None and into.review_id != review.pk:
        raise ApplicationError("That group belongs to another review.", field="into")
    items = _items_of(review, item_ids)
    if into is None:
        title = _clean_text(title, field="title", limit=MAX_TITLE, what="group's title")
        group = ReviewGroup.objects.create(review=review, title=title)
    else:
        group = into
    ReviewItem.objects.filter(pk__in=[item.pk for item in items]).update(group=group)
    # A group left without items means nothing; remove it so the board stays clean.
    ReviewGroup.objects.filter(review=review, items__isnull=True).exclude(pk=group.pk).delete()
    return group


@transaction.atomic
def review_item_move(*, actor: Person, item: ReviewItem, group: ReviewGroup | None) -> ReviewItem:
    """Put an item into a group, or take it out (``group`` None): dragging on the board."""
    review = _locked(item.review)
    _require_phase(review, ReviewPhase.GROUP, "Grouping")
    _require_participant(actor, review)
    if group is not None and group.review_id != review.pk:
        raise ApplicationError("That group belongs to another review.", field="group")
    item.group = group
    item.save(update_fields=["group"])
    ReviewGroup.objects.filter(review=review, items__isnull=True).delete()
    return item


def dots_used(person: Person, review: Review) -> int:
    return DotVote.objects.filter(review=review, voter=person).count()


@transaction.atomic
def review_vote_add(*, actor: Person, item: ReviewItem) -> DotVote:
    """Put one dot on an item (vote phase); several on one item are allowed, within the budget."""
    # The lock serialises one person's quick clicks, so two requests cannot both take the last dot.
    review = _locked(item.review)
    _require_phase(review, ReviewPhase.VOTE, "Dot-voting")
    _require_participant(actor, review)
    used = dots_used(actor, review)
    if used >= review.dots_per_person:
        raise ApplicationError(
            f"You have used all {review.dots_per_person} of your dots; take one back to move it."
        )
    return DotVote.objects.create(item=item, voter=actor, review=review)


@transaction.atomic
def review_vote_remove(*, actor: Person, item: ReviewItem) -> None:
    """Take one of your dots back from an item (vote phase)."""
    review = _locked(item.review)
    _require_phase(review, ReviewPhase.VOTE, "Dot-voting")
    vote = DotVote.objects.filter(item=item, voter=actor).order_by("-id").first()
    if vote is None:
        raise ApplicationError("You have no dot on this item.")
    vote.delete()


# Insights and actions -------------------------------------------------------------------------------


@transaction.atomic
def insight_create(
    *,
    actor: Person,
    review: Review,
    title: str,
    details: str = "",
    item_ids: list[int] | None = None,
    group: ReviewGroup | None = None,
) -> Insight:
    """Turn items (or a group) into an insight (participants, act phase); it can then travel."""
    review = _locked(review)
    _require_phase(review, ReviewPhase.ACT, "Writing insights")
    _require_participant(actor, review)
    title = _clean_text(title, field="title", limit=MAX_TITLE, what="insight")
    if len(details) > 10_000:
        raise ApplicationError("Keep the details to 10,000 characters.", field="details")
    if group is not None and group.review_id != review.pk:
        raise ApplicationError("That group belongs to another review.", field="group")
    items = _items_of(review, item_ids or [])
    insight = Insight.objects.create(
        title=title, details=details.strip(), review=review, team_id=review.team_id, author=actor
    )
    sources = {item.pk for item in items}
    if group is not None:
        sources |= set(group.items.values_list("pk", flat=True))
    insight.source_items.set(sources)
    return insight


def _clean_owner(review: Review, owner: Person | None) -> None:
    if owner is not None and not is_participant(owner, review):
        raise ApplicationError(NOT_AN_OWNER, field="owner")


@transaction.atomic
def action_create(
    *,
    actor: Person,
    review: Review,
    title: str,
    owner: Person | None = None,
    due_on: date | None = None,
    item: ReviewItem | None = None,
    insight: Insight | None = None,
) -> Action:
    """Decide to do something (participants, act phase); the owner must be a participant."""
    review = _locked(review)
    _require_phase(review, ReviewPhase.ACT, "Agreeing actions")
    _require_participant(actor, review)
    title = _clean_text(title, field="title", limit=MAX_TITLE, what="action")
    _clean_owner(review, owner)
    if item is not None and item.review_id != review.pk:
        raise ApplicationError("That item belongs to another review.", field="item")
    if insight is not None and insight.review_id != review.pk:
        raise ApplicationError("That insight belongs to another review.", field="insight")
    return Action.objects.create(
        review=review, title=title, owner=owner, due_on=due_on, item=item, insight=insight
    )


@transaction.atomic
def action_set_status(*, actor: Person, action: Action, status: ActionStatus | str) -> Action:
    """Mark an action done, dropped or open again (its owner or a participant of its review)."""
    if status not in ActionStatus.values:
        raise ApplicationError("Choose open, done or dropped.", field="status")
    if action.owner_id != actor.pk:
        _require_participant(actor, action.review)
    action.status = ActionStatus(status)
    action.done_at = timezone.now() if action.status == ActionStatus.DONE else None
    action.save(update_fields=["status", "done_at"])
    return action


class FollowUp:
    DONE = "done"
    DROPPED = "dropped"
    CARRY = "carry"
    CHOICES = [(DONE, "Done"), (DROPPED, "Dropped"), (CARRY, "Still open: carry it over")]


@transaction.atomic
def action_follow_up(*, actor: Person, review: Review, action: Action, outcome: str) -> Action:
    """At the start of ``review``, say what became of an action of the previous review.

    done / dropped set its status; carry keeps it open and copies it into this review's actions.
    Either way ``followed_up_in`` is set, which is what the follow-through rate counts.
    """
    if outcome not in {FollowUp.DONE, FollowUp.DROPPED, FollowUp.CARRY}:
        raise ApplicationError("Say whether it was done, dropped, or is still open.", field="outcome")
    review = _locked(review)
    _require_open(review)
    _require_participant(actor, review)
    action = Action.objects.select_for_update().get(pk=action.pk)
    previous = previous_of(review)
    if previous is None or action.review_id != previous.pk:
        raise ApplicationError("That action is not from the previous review.")
    if review.previous_id is None:
        # Record the review it follows up, so the board stays the same when more reviews are added.
        review.previous = previous
        review.save(update_fields=["previous"])
    if action.followed_up_in_id is not None:
        raise ApplicationError("That action has already been followed up.")
    now = timezone.now()
    action.followed_up_in = review
    if outcome == FollowUp.DONE:
        action.status = ActionStatus.DONE
        action.done_at = action.done_at or now
    elif outcome == FollowUp.DROPPED:
        action.status = ActionStatus.DROPPED
        action.done_at = None
    else:
        action.status = ActionStatus.OPEN
        action.done_at = None
        Action.objects.create(
            review=review,
            title=action.title,
            owner=action.owner,
            due_on=action.due_on,
            insight=action.insight,
            item=None,
        )
    action.save(update_fields=["followed_up_in", "status", "done_at"])
    return action


# After-action reviews: links to forecasts and experiments ------------------------------------------------


def _prefill(review: Review, actor: Person, text: str) -> None:
    """Add "what was supposed to happen" as an item when the template has that section."""
    if any(section["key"] == "supposed" for section in review.template.sections):
        ReviewItem.objects.create(review=review, section="supposed", text=text[:MAX_ITEM], author=actor)


@transaction.atomic
def review_link_forecast(*, actor: Person, review: Review, question: ForecastQuestion) -> None:
    """Link a forecast question about the work (facilitator): a community review takes its own
    community's questions; a team review questions of communities that are not private."""
    review = _locked(review)
    _require_open(review)
    _require_facilitator(actor, review)
    if review.community_id is not None:
        allowed = question.community_id == review.community_id
    else:
        allowed = (
            Community.objects.filter(pk=question.community_id).exclude(visibility=Visibility.PRIVATE).exists()
        )
    if not allowed:
        raise ApplicationError(
            "Link forecasts of this review's community (or, for a team, of a community that is not private).",
            field="forecast",
        )
    if review.forecasts.filter(pk=question.pk).exists():
        raise ApplicationError("That forecast question is already linked.", field="forecast")
    review.forecasts.add(question)
    _prefill(review, actor, f"Forecast: {question.title}")


@transaction.atomic
def review_link_experiment(*, actor: Person, review: Review, experiment: Experiment) -> None:
    """Link an experiment of the same team or community (facilitator)."""
    review = _locked(review)
    _require_open(review)
    _require_facilitator(actor, review)
    same = (review.team_id is not None and experiment.team_id == review.team_id) or (
        review.community_id is not None and experiment.community_id == review.community_id
    )
    if not same:
        raise ApplicationError("Link experiments of the same team or community.", field="experiment")
    if review.experiments.filter(pk=experiment.pk).exists():
        raise ApplicationError("That experiment is already linked.", field="experiment")
    review.experiments.add(experiment)
    _prefill(
        review, actor, f"Experiment: {experiment.title}. We were right if {experiment.success_criterion}"
    )


# Insights that travel -------------------------------------------------------------------------------------


def _require_sees_insight(actor: Person, insight: Insight) -> None:
    from practica.learning.review_selectors import insight_visible_q

    if not Insight.objects.filter(insight_visible_q(actor), pk=insight.pk).exists():
        raise ApplicationError("You cannot see that insight.")


@transaction.atomic
def insight_share(*, actor: Person, insight: Insight, communities: list[Community]) -> list[InsightShare]:
    """Share an insight to communities the actor is an active member of; it shows in their feed."""
    if not communities:
        raise ApplicationError("Choose at least one community to share it with.", field="communities")
    _require_sees_insight(actor, insight)
    member_of = set(
        Membership.objects.filter(
            person=actor, status=MembershipStatus.ACTIVE, community__in=communities
        ).values_list("community_id", flat=True)
    )
    outside = [community.name for community in communities if community.pk not in member_of]
    if outside:
        raise ApplicationError(
            f"You can only share to communities you are a member of; you are not in {', '.join(outside)}.",
            field="communities",
        )
    already = set(InsightShare.objects.filter(insight=insight).values_list("community_id", flat=True))
    new = [community for community in communities if community.pk not in already]
    if not new:
        raise ApplicationError("It is already shared to those communities.", field="communities")
    now = timezone.now()
    return InsightShare.objects.bulk_create(
        [
            InsightShare(insight=insight, community=community, shared_by=actor, shared_at=now)
            for community in new
        ]
    )


@transaction.atomic
def insight_adopt(
    *, actor: Person, insight: Insight, team: Team, note: str = "", via: InsightShare | None = None
) -> InsightAdoption:
    """A team says it adopted an insight (a member of that team, with a note on how)."""
    _require_sees_insight(actor, insight)
    if not TeamMembership.objects.filter(team=team, person=actor).exists():
        raise ApplicationError(
            f"You can only adopt insights for your own teams; you are not in {team.name}.", field="team"
        )
    if insight.team_id == team.pk:
        raise ApplicationError("The insight came from this team; adoption is for other teams.", field="team")
    if InsightAdoption.objects.filter(insight=insight, team=team).exists():
        raise ApplicationError(f"{team.name} has already adopted this insight.", field="team")
    if len(note) > 2_000:
        raise ApplicationError("Keep the note to 2,000 characters.", field="note")
    if via is not None and via.insight_id != insight.pk:
        raise ApplicationError("That share is of another insight.", field="via")
    if via is None:
        # Credit the first share the adopter could have seen it through: its spread, made visible.
        via = (
            InsightShare.objects.filter(
                insight=insight,
                community__memberships__person=actor,
                community__memberships__status=MembershipStatus.ACTIVE,
            )
            .order_by("shared_at", "id")
            .first()
        )
    return InsightAdoption.objects.create(
        insight=insight, team=team, adopted_by=actor, note=note.strip(), via=via
    )
