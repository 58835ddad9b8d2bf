"""Demo data for experiments, the assumption register, shared vision and personal learning goals.

Made through the real services (predictions are scored into calibration records by the same code as
on the pages), then moved into the past. The amount is bounded whatever the size of the organisation:
a handful of teams and communities, a fixed number of pulses, so ``--people 20000`` costs the same.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from practica.calibration.models import CalibrationRecord, RecordSource
from practica.communities.models import Community, MembershipStatus, Role, Visibility
from practica.demo.generator import DemoContext, demo_step
from practica.learning import assumptions, experiments, goals, vision
from practica.learning.mind_selectors import VisionScope
from practica.learning.models import (
    AlignmentPulse,
    Assumption,
    AssumptionChange,
    AssumptionEvidence,
    Experiment,
    ExperimentPrediction,
    LearningGoal,
    Vision,
    VisionComment,
    VisionDraft,
)
from practica.people.models import Person, Team, TeamMembership

# (title, hypothesis, method, metric, criterion, outcome, learning, decision)
EXPERIMENTS = [
    (
        "Buddy pairing for new joiners",
        "We believe that pairing each new joiner with a buddy for two weeks halves the time to their first "
        "merged change.",
        "Pair the next four joiners with a volunteer buddy; compare with the last four joiners.",
        "Working days to first merged change",
        "Median below 5 days (it was 10)",
        "won",
        "Pairing helps most in the first three days, when joiners do not yet know whom to ask.",
        "persevere",
    ),
    (
        "Async stand-ups",
        "We believe that replacing the daily stand-up with a written update keeps coordination as good "
        "and saves focus time.",
        "Write updates in the team channel by 10:00 for three weeks; no meeting.",
        "Blocked items older than a day, and a focus-time survey",
        "No more blocked items than before and focus time up by an hour a day",
        "lost",
        "Blocked items doubled: people read the updates too late. Written updates work for status, "
        "not for unblocking.",
        "pivot",
    ),
    (
        "Checklist for code review",
        "We believe that a six-item review checklist cuts rework after review by a third.",
        "Add the checklist to the pull-request template for a month.",
        "Commits pushed after the first review",
        "A third fewer follow-up commits",
        "inconclusive",
        "Only half the reviews used the checklist; we cannot tell the effect from the noise.",
        "keep_testing",
    ),
    (
        "Feature flags on every new endpoint",
        "We believe that shipping every new endpoint behind a flag halves the rollbacks.",
        "Put each new endpoint behind a flag for six weeks.",
        "Rollbacks per week",
        "Half the rollbacks of the previous six weeks",
        "running",
        "",
        "",
    ),
    (
        "Mob programming Fridays",
        "We believe that mobbing on Friday afternoons spreads knowledge of the billing code.",
        "Mob for three hours every Friday for a month on billing tickets.",
        "People who can change the billing code without help (self-rated)",
        "At least four people, up from two",
        "planned",
        "",
        "",
    ),
]
COMMUNITY_EXPERIMENTS = [
    (
        "Lightning talks instead of one long talk",
        "We believe that three 10-minute talks bring more people to the monthly meetup than one long talk.",
        "Run three meetups with lightning talks.",
        "People present at the meetup",
        "More than the average of the last three meetups",
        "won",
        "Short slots lowered the bar for first-time speakers, and their colleagues came to watch.",
        "persevere",
    ),
    (
        "A kata every fortnight",
        "We believe that a fortnightly kata keeps new members active after their first month.",
        "Run a 45-minute kata every other Thursday for two months.",
        "New members still active after 60 days",
        "Half of them, up from a quarter",
        "planned",
        "",
        "",
    ),
]

ORGANISATION_VISION = [
    "Every team learns in the open: we test what we believe, share what we learn, and change our minds "
    "when the evidence says so.",
    "Every team learns in the open: we test what we believe, share what we learn, and change our minds "
    "when the evidence says so.\n\nNobody has to solve a problem alone that someone here already solved.",
]
COMMUNITY_VISION = [
    "A place where anyone who cares about {topic} can learn from people who have done it, and teach what "
    "they know.",
    "A place where anyone who cares about {topic} can learn from people who have done it, and teach what "
    "they know. We measure ourselves by what members change in their teams.",
]
PULSE_COMMENTS = [
    "I see it in how we run our retros.",
    "Hard to see in my day-to-day work.",
    "The sharing part is real, the testing part less so.",
    "",
    "",
    "We do this in my team, not yet across teams.",
]


def _members(team: Team, limit: int = 12) -> list[Person]:
    return list(
        Person.objects.filter(team_memberships__team=team).order_by("pk")[:limit]  # bounded per team
    )


def _active_members(community: Community, limit: int) -> list[Person]:
    return list(
        Person.objects.filter(
            community_memberships__community=community,
            community_memberships__status=MembershipStatus.ACTIVE,
        ).order_by("pk")[:limit]
    )


def _age_experiment(experiment: Experiment, days_ago: int, planned_days: int) -> None:
    now = timezone.now()
    created = now - timedelta(days=days_ago + 7)
    started = now - timedelta(days=days_ago)
    concluded = started + timedelta(days=planned_days)
    Experiment.objects.filter(pk=experiment.pk).update(created_at=created)
    ExperimentPrediction.objects.filter(experiment=experiment).update(created_at=created + timedelta(days=2))
    if experiment.started_at:
        Experiment.objects.filter(pk=experiment.pk).update(started_at=started)
    if experiment.concluded_at:
        Experiment.objects.filter(pk=experiment.pk).update(concluded_at=concluded)
        ids = ExperimentPrediction.objects.filter(experiment=experiment).values_list("pk", flat=True)
        CalibrationRecord.objects.filter(source=RecordSource.EXPERIMENT, source_id__in=ids).update(
            resolved_at=concluded
        )
        AssumptionEvidence.objects.filter(experiment=experiment).update(created_at=concluded)


def _run(
    context: DemoContext,
    spec: tuple[str, str, str, str, str, str, str, str],
    *,
    runner: Person,
    people: list[Person],
    team: Team | None = None,
    community: Community | None = None,
    assumption: Assumption | None = None,
    skip: Person | None = None,
    days_ago: int = 30,
) -> Experiment:
    """One experiment through the real services, ending in the state the spec names."""
    rng = context.rng
    title, hypothesis, method, metric, criterion, outcome, learning, decision = spec
    experiment = experiments.experiment_create(
        actor=runner,
        team=team,
        community=community,
        title=title,
        hypothesis=hypothesis,
        method=method,
        metric=metric,
        success_criterion=criterion,
        planned_days=rng.choice([14, 21, 28]),
        assumption=assumption,
    )
    truth = {"won": 0.7, "lost": 0.3}.get(outcome, 0.5)
    for person in people:
        if person == skip:
            continue
        boldness = rng.choice([0.5, 1.0, 1.6])
        probability = min(0.99, max(0.01, 0.5 + (truth - 0.5 + rng.gauss(0, 0.2)) * boldness))
        experiments.experiment_predict(
            person=person, experiment=experiment, probability=round(probability, 2)
        )
    if outcome != "planned":
        experiments.experiment_start(actor=runner, experiment=experiment)
    if outcome in {"won", "lost", "inconclusive"}:
        experiments.experiment_conclude(
            actor=runner,
            experiment=experiment,
            result=outcome,
            result_data=f"**{metric}**: see the numbers in the team's notes. {learning.split('.')[0]}.",
            learning=learning,
            decision=decision,
        )
    experiment.refresh_from_db()
    _age_experiment(experiment, days_ago, experiment.planned_days)
    return experiment


def _assumption_history(member: Person, team: Team, steward: Person) -> Assumption:
    pairing = assumptions.assumption_create(
        actor=member,
        statement="Pairing halves onboarding time",
        details="New joiners who pair in their first weeks get productive in half the time.",
        scope="team",
        team=team,
        confidence=0.6,
    )
    organisation = assumptions.assumption_create(
        actor=steward,
        statement="Most incidents start with a configuration change",
        scope="organisation",
        confidence=0.7,
    )
    assumptions.assumption_evidence_add(
        actor=steward,
        assumption=organisation,
        direction="against",
        summary="Last quarter's post-mortems: 4 of 11 incidents began with a configuration change.",
        url="https://wiki.example.org/post-mortems/q3",
    )
    assumptions.assumption_change(
        actor=steward,
        assumption=organisation,
        status="refuted",
        confidence=0.35,
        note="The post-mortems show fewer than half did; deploys of code were the larger share.",
    )
    assumptions.assumption_create(
        actor=member,
        statement="I learn faster from reading code than from documentation",
        scope="personal",
        confidence=0.55,
    )
    assumptions.assumption_create(
        actor=member,
        statement="Written design reviews catch more problems than meetings",
        scope="team",
        team=team,
        confidence=0.5,
    )
    return pairing


def _vision_versions(scope: VisionScope, adopter: Person, authors: list[Person], texts: list[str]) -> Vision:
    for index, text in enumerate(texts):
        scope = VisionScope(
            access=scope.access,
            vision=Vision.objects.filter(pk=scope.vision.pk).first() if scope.vision else None,
            may_adopt=True,
            may_pulse=True,
        )
        draft = vision.vision_draft_propose(
            actor=authors[index % len(authors)],
            scope=scope,
            text=text,
            note="First version" if not index else "Adds help",
        )
        if index:
            vision.vision_comment_add(
                actor=adopter, scope=scope, draft=draft, text="Yes, this is what we mean."
            )
        result = vision.vision_draft_adopt(actor=adopter, scope=scope, draft=draft)
        scope = VisionScope(access=scope.access, vision=result, may_adopt=True, may_pulse=True)
    assert scope.vision is not None
    return scope.vision


def _pulses(context: DemoContext, current: Vision, people: list[Person]) -> None:
    """Pulses over the last four months, each person's score drifting a little."""
    rng = context.rng
    now = timezone.now()
    rows = []
    for person in people:
        base = rng.choice([2, 3, 3, 4, 4, 5])
        for months_ago in range(3, -1, -1):
            if rng.random() < 0.3:
                continue
            score = min(5, max(1, base + rng.choice([-1, 0, 0, 1]) + (1 if months_ago == 0 else 0)))
            rows.append(
                AlignmentPulse(
                    vision=current,
                    person=person,
                    score=score,
                    comment=rng.choice(PULSE_COMMENTS) if months_ago == 0 else "",
                    vision_version=current.version,
                    created_at=now - timedelta(days=30 * months_ago + rng.randint(0, 20)),
                )
            )
    AlignmentPulse.objects.bulk_create(rows)


def _goals(member: Person, mentor: Person) -> None:
    facilitate = goals.goal_create(
        actor=member,
        title="Facilitate a retrospective the team finds useful",
        vision="I run a calm retrospective that ends with two or three actions people actually do.",
        current_reality="I have taken part in many, facilitated none; I worry about silences.",
        target_date=(timezone.now() + timedelta(days=60)).date(),
    )
    goals.goal_share(actor=member, goal=facilitate, person=mentor)
    first = goals.milestone_add(
        actor=member, goal=facilitate, title="Read the 4Ls and start/stop/continue guides"
    )
    goals.milestone_set_done(actor=member, milestone=first, done=True)
    goals.milestone_add(actor=member, goal=facilitate, title="Co-facilitate one with Leo")
    goals.milestone_add(actor=member, goal=facilitate, title="Facilitate one alone")
    goals.check_in_add(
        actor=member,
        goal=facilitate,
        note="Read both guides; planned the co-facilitation for the next sprint end.",
        current_reality="I know the formats; I have not run one yet.",
    )
    goals.check_in_add(
        actor=mentor,
        goal=facilitate,
        note="Let the silences run for ten seconds; someone always fills them.",
    )
    goals.goal_create(
        actor=member,
        title="Get comfortable with our observability stack",
        vision="I can find the cause of a slow request on my own within half an hour.",
        current_reality="I can read the dashboards but not write a query.",
    )
    LearningGoal.objects.filter(person=member).update(created_at=timezone.now() - timedelta(days=40))


@demo_step(order=46, label="experiments, assumptions, vision, goals")
def mind_step(context: DemoContext) -> None:
    """Experiments in every state, assumptions with history, visions with pulses, goals with a mentor."""
    member = context.accounts["demo-member"]
    lead = context.accounts["demo-lead"]
    steward = context.accounts["demo-steward"]
    context.progress("experiments", 0, 4)

    home_team = Team.objects.filter(memberships__person=member).order_by("pk").first()
    assert home_team is not None
    pairing = _assumption_history(member, home_team, steward)
    team_people = _members(home_team)
    runner = member
    for index, spec in enumerate(EXPERIMENTS):
        _run(
            context,
            spec,
            runner=runner,
            people=[member, *team_people] if spec[5] != "planned" else team_people,
            team=home_team,
            assumption=pairing if index == 0 else None,
            skip=member if spec[5] == "planned" else None,
            days_ago=[80, 55, 35, 10, 0][index],
        )
    # The pairing assumption was supported by the won experiment: the change with its note.
    assumptions.assumption_change(
        actor=member,
        assumption=pairing,
        status="supported",
        confidence=0.75,
        note="The buddy experiment: median 4 days to the first merged change, down from 10.",
    )
    AssumptionChange.objects.filter(assumption=pairing).update(created_at=timezone.now() - timedelta(days=50))

    # A few other teams, each with one concluded and one planned experiment.
    other_teams = list(
        Team.objects.filter(parent__isnull=False).exclude(pk=home_team.pk).order_by("name")[:4]
    )
    for index, team in enumerate(other_teams):
        people = _members(team)
        if len(people) < 2:
            continue
        _run(
            context,
            EXPERIMENTS[(index + 1) % 3],
            runner=people[0],
            people=people,
            team=team,
            days_ago=20 + 9 * index,
        )
        _run(context, EXPERIMENTS[4], runner=people[0], people=people[: len(people) // 2], team=team)
    context.progress("experiments", 1, 4)

    communities = list(Community.objects.exclude(visibility=Visibility.PRIVATE).order_by("name")[:3])
    for index, community in enumerate(communities):
        people = _active_members(community, 15)
        leads = Person.objects.filter(
            community_memberships__community=community,
            community_memberships__role=Role.LEAD,
            community_memberships__status=MembershipStatus.ACTIVE,
        ).order_by("pk")
        community_lead = leads.first()
        if community_lead is None or len(people) < 3:
            continue
        for spec in COMMUNITY_EXPERIMENTS:
            _run(
                context,
                spec,
                runner=community_lead,
                people=people,
                community=community,
                days_ago=25 + 5 * index,
            )
    context.progress("experiments", 2, 4)

    # The organisation's vision: two versions, an open draft with comments, a stale draft, pulses.
    organisation_scope = VisionScope(access=None, vision=None, may_adopt=True, may_pulse=True)
    current = _vision_versions(organisation_scope, steward, [steward, lead], ORGANISATION_VISION[:1])
    stale = vision.vision_draft_propose(
        actor=member,
        scope=VisionScope(access=None, vision=current, may_adopt=False, may_pulse=True),
        text=ORGANISATION_VISION[0] + "\n\nWe celebrate experiments that fail as much as those that win.",
        note="Celebrate failed experiments",
    )
    current = _vision_versions(
        VisionScope(access=None, vision=current, may_adopt=True, may_pulse=True),
        steward,
        [lead],
        ORGANISATION_VISION[1:],
    )
    VisionComment.objects.create(
        vision=current, draft=stale, author=lead, text="I like it; it needs re-basing on version 2 first."
    )
    sample = context.people[:: max(1, len(context.people) // 60)][:60]
    _pulses(context, current, sample)
    context.progress("experiments", 3, 4)

    # Community visions: enough pulses in the first, too few in the last.
    for index, community in enumerate(communities):
        vision_leads = list(
            Person.objects.filter(
                community_memberships__community=community,
                community_memberships__role=Role.LEAD,
                community_memberships__status=MembershipStatus.ACTIVE,
            ).order_by("pk")[:1]
        )
        if not vision_leads:
            continue
        topic = community.tags.order_by("name").values_list("name", flat=True).first() or community.name
        texts = [text.format(topic=topic) for text in COMMUNITY_VISION[: 2 if index == 0 else 1]]
        scope = VisionScope(
            access=None,
            vision=Vision.objects.filter(community=community).first(),
            may_adopt=True,
            may_pulse=True,
        )
        if scope.vision is None:
            scope = VisionScope(
                access=None,
                vision=Vision.objects.create(community=community, organisation=False),
                may_adopt=True,
                may_pulse=True,
            )
        current_community = _vision_versions(scope, vision_leads[0], vision_leads, texts)
        pulsers = _active_members(community, 25 if index < len(communities) - 1 else 3)
        _pulses(context, current_community, pulsers)
    VisionDraft.objects.filter(status="adopted").update(adopted_at=timezone.now() - timedelta(days=100))

    mentor_membership = TeamMembership.objects.filter(person=member).select_related("manager").first()
    mentor = mentor_membership.manager if mentor_membership and mentor_membership.manager else lead
    _goals(member, mentor)
    context.progress("experiments", 4, 4)
