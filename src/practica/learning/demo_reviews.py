"""Demo data for reviews: retrospectives with follow-through, an after-action review of a resolved
forecast, and insights shared to communities and adopted by other teams.

Made through the real services (the phases, follow-ups and shares obey the same rules as the pages),
with items and dots bulk-created. Bounded: at most :data:`TEAMS` teams whatever the organisation's
size, so it costs the same at 200 and at 20,000 people.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from practica.calibration.models import ForecastQuestion, Resolution
from practica.communities.models import Community, Membership, MembershipStatus, Role, Visibility
from practica.demo.generator import DemoContext, demo_step
from practica.learning import reviews
from practica.learning.models import (
    DotVote,
    Insight,
    MethodTemplate,
    Review,
    ReviewItem,
    ReviewPhase,
)
from practica.people.models import Person, Team, TeamMembership

TEAMS = 6
RETRO_TEMPLATES = ["start-stop-continue", "four-ls", "start-stop-continue"]
ITEMS: dict[str, list[str]] = {
    "start": [
        "Pair on the tricky migrations",
        "Write the runbook before the release, not after",
        "Demo to support every fortnight",
        "Timebox spikes to two days",
    ],
    "stop": [
        "Merging on Friday afternoons",
        "Pull requests over 500 lines",
        "Meetings without an agenda",
        "Fixing flaky tests by re-running them",
    ],
    "continue": [
        "Morning check-in at 9:30",
        "Blameless incident write-ups",
        "Feature flags for risky changes",
        "Rotating the on-call buddy",
    ],
    "liked": ["The new CI cache", "Pairing with design", "Quiet Wednesdays"],
    "learned": [
        "Small PRs get reviewed the same day",
        "Our staging data is stale",
        "Customers read the changelog",
    ],
    "lacked": ["Time for refactoring", "A shared definition of done", "Access to production logs"],
    "longed_for": ["A faster test suite", "Fewer context switches", "A proper design system"],
}
ACTIONS = [
    "Cap pull requests at 400 lines",
    "Add a flaky-test quarantine job",
    "Write the release runbook template",
    "Book a fortnightly demo with support",
    "Agree a definition of done",
    "Move the retro to Thursday mornings",
]
INSIGHTS = [
    ("Small pull requests get reviewed the same day", "Capping PRs at 400 lines halved our review wait."),
    (
        "Quarantining flaky tests restores trust in CI",
        "A nightly job re-runs them; the main build stays green.",
    ),
    ("A written runbook makes releases boring", "The runbook caught two missing steps in its first month."),
]
#: Each team's chance that a followed-up action was done: the follow-through rates differ between teams.
DONE_CHANCE = [0.85, 0.7, 0.55, 0.4, 0.65, 0.3]


def _teams(context: DemoContext) -> list[Team]:
    """Teams with at least four members, the demo accounts' teams first (their pages are not empty)."""
    sized = list(
        Team.objects.filter(parent__isnull=False)
        .annotate(size=Count("memberships"))
        .filter(size__gte=4)
        .order_by("name")[: TEAMS * 4]
    )
    first = [
        team
        for team in Team.objects.filter(memberships__person__in=list(context.accounts.values())[:2]).order_by(
            "name"
        )
    ]
    chosen = list(dict.fromkeys(first + context.rng.sample(sized, min(len(sized), TEAMS))))
    return chosen[:TEAMS]


def _add_items(review: Review, people: list[Person], context: DemoContext, held_at: datetime) -> None:
    rng = context.rng
    items = []
    for section in review.template.sections:
        texts = ITEMS.get(section["key"], [])
        for text in rng.sample(texts, min(len(texts), rng.randint(1, 3))):
            items.append(
                ReviewItem(
                    review=review,
                    section=section["key"],
                    text=text,
                    author=rng.choice(people),
                    anonymous=rng.random() < 0.2,
                    created_at=held_at,
                )
            )
    created = ReviewItem.objects.bulk_create(items)
    votes = []
    for person in people:
        for _ in range(review.dots_per_person):
            votes.append(DotVote(item=rng.choice(created), voter=person, review=review, created_at=held_at))
    DotVote.objects.bulk_create(votes)


def _retrospectives(
    context: DemoContext, team: Team, done_chance: float, now: datetime, insight: tuple[str, str]
) -> Insight | None:
    """Two or three successive retrospectives; each one follows up the previous one's actions, and
    the first one writes down an insight. The demo member's team's latest retro is left open."""
    rng = context.rng
    people = list(Person.objects.filter(team_memberships__team=team).order_by("pk")[:12])
    if len(people) < 3:
        return None
    # The facilitator writes the insight and shares it: prefer someone who belongs to a community.
    in_community = set(
        Membership.objects.filter(person__in=people, status=MembershipStatus.ACTIVE)
        .exclude(community__visibility=Visibility.PRIVATE)
        .values_list("person_id", flat=True)
    )
    facilitator = next((person for person in people if person.pk in in_community), people[0])
    count = rng.choice([2, 3])
    written = None
    previous: Review | None = None
    leave_open = team == _demo_member_team(context)
    for index in range(count):
        # Two weeks apart, the latest two days ago: after the activity demo's bulk quarterly retros.
        held_at = now - timedelta(days=2 + 14 * (count - 1 - index))
        template = MethodTemplate.objects.get(slug=RETRO_TEMPLATES[index % len(RETRO_TEMPLATES)])
        review = reviews.review_create(
            actor=facilitator,
            template=template,
            team=team,
            title=f"{team.name} retrospective, {held_at:%d %b}",
            held_at=held_at,
        )
        last = index == count - 1
        if previous is not None and not (last and leave_open):
            for action in previous.actions.order_by("pk"):
                roll = rng.random()
                outcome = (
                    "done" if roll < done_chance else "dropped" if roll < done_chance + 0.15 else "carry"
                )
                reviews.action_follow_up(actor=facilitator, review=review, action=action, outcome=outcome)
        _add_items(review, people, context, held_at)
        if last and leave_open:
            # Sign in as the demo member: the previous actions wait to be followed up.
            break
        reviews.review_set_phase(actor=facilitator, review=review, phase=ReviewPhase.ACT)
        if index == 0:
            written = reviews.insight_create(
                actor=facilitator, review=review, title=insight[0], details=insight[1]
            )
        for title in rng.sample(ACTIONS, rng.randint(2, 3)):
            reviews.action_create(
                actor=facilitator,
                review=review,
                title=title,
                owner=rng.choice(people),
                due_on=(held_at + timedelta(days=10)).date(),
            )
        if not last:
            reviews.review_set_phase(actor=facilitator, review=review, phase=ReviewPhase.CLOSED)
            Review.objects.filter(pk=review.pk).update(closed_at=held_at + timedelta(hours=1))
        previous = review
    return written


def _demo_member_team(context: DemoContext) -> Team | None:
    member = context.accounts.get("demo-member")
    if member is None:
        return None
    return Team.objects.filter(memberships__person=member).order_by("name").first()


def _share_and_adopt(context: DemoContext, insights: list[Insight]) -> None:
    """Each insight is shared to communities its author belongs to, then adopted by other teams whose
    members belong to those communities."""
    rng = context.rng
    for insight in insights:
        facilitator = insight.author
        assert facilitator is not None
        communities = list(
            Community.objects.filter(
                memberships__person=facilitator, memberships__status=MembershipStatus.ACTIVE
            )
            .exclude(visibility=Visibility.PRIVATE)
            .order_by("name")[:2]
        )
        if not communities:
            continue
        shares = reviews.insight_share(actor=facilitator, insight=insight, communities=communities)
        for share in shares:
            adopters = list(
                Membership.objects.filter(community=share.community, status=MembershipStatus.ACTIVE)
                .exclude(person__team_memberships__team=insight.team)
                .filter(person__team_memberships__isnull=False)
                .select_related("person")
                .order_by("pk")[:20]
            )
            for membership in rng.sample(adopters, min(len(adopters), 2)):
                team_membership = (
                    TeamMembership.objects.filter(person=membership.person).select_related("team").first()
                )
                if team_membership is None or insight.adoptions.filter(team=team_membership.team).exists():
                    continue
                reviews.insight_adopt(
                    actor=membership.person,
                    insight=insight,
                    team=team_membership.team,
                    note="We tried it for a sprint and kept it.",
                    via=share,
                )


def _after_action_review(context: DemoContext, now: datetime) -> None:
    """An after-action review of a resolved forecast: what was supposed to happen against what did."""
    question = (
        ForecastQuestion.objects.filter(resolution__in=[Resolution.YES, Resolution.NO])
        .exclude(community__visibility=Visibility.PRIVATE)
        .select_related("community")
        .order_by("pk")
        .first()
    )
    if question is None:
        return
    lead = Person.objects.filter(
        community_memberships__community=question.community,
        community_memberships__role=Role.LEAD,
        community_memberships__status=MembershipStatus.ACTIVE,
    ).first()
    if lead is None:
        return
    review = reviews.review_create(
        actor=lead,
        template=MethodTemplate.objects.get(slug="after-action-review"),
        community=question.community,
        title=f"After-action review: {question.title[:120]}",
        held_at=now - timedelta(days=2),
    )
    reviews.review_link_forecast(actor=lead, review=review, question=question)
    outcome = "it happened" if question.resolution == Resolution.YES else "it did not happen"
    for section, text in [
        ("actual", f"In the end {outcome}."),
        ("difference", "We planned for the happy path and had no slack for the holidays."),
        ("sustain", "The weekly check on progress kept everyone informed."),
        ("improve", "State the forecast again halfway through, when we know more."),
    ]:
        reviews.review_item_add(actor=lead, review=review, section=section, text=text)
    reviews.review_set_phase(actor=lead, review=review, phase=ReviewPhase.ACT)
    reviews.action_create(actor=lead, review=review, title="Re-forecast at the halfway point", owner=lead)


@demo_step(order=45, label="reviews and insights")
def reviews_step(context: DemoContext) -> None:
    now = timezone.now()
    teams = _teams(context)
    insights = []
    for index, team in enumerate(teams):
        context.progress("reviews and insights", index, len(teams) + 1)
        insight = _retrospectives(
            context, team, DONE_CHANCE[index % len(DONE_CHANCE)], now, INSIGHTS[index % len(INSIGHTS)]
        )
        if insight is not None:
            insights.append(insight)
    _share_and_adopt(context, insights)
    _after_action_review(context, now)
    context.progress("reviews and insights", len(teams) + 1, len(teams) + 1)
