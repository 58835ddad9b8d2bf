"""A year of organisation-wide activity for large demo organisations (2,000 people and more).

The app demo steps build ten communities with six months of history, which is right for the default
200-person demo but thin for 20,000 people. This step adds what a large organisation has, so the
dashboard has something real to measure: many more communities (about one per 130 people, each
drawing most members from one or two departments), a year of their events with attendance,
questions with answers (accepted, marked worked or not), quarterly team retrospectives with the
items people wrote, and mentoring (learning goals shared with a colleague). At 20,000 people that
is several hundred thousand rows, written with ``bulk_create`` in a few minutes.

Everything is recorded as the services would have recorded it: the activity rows behind
participation levels, the calibration records of answers marked worked or not (scored with the CBM
table), the search index; participation levels and health are then derived by the real code.
"""

from __future__ import annotations

import random
import zoneinfo
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Max
from django.utils import timezone

from practica.analysis.calibration import cbm_mark
from practica.calibration.models import CalibrationRecord, Certainty, RecordSource
from practica.communities.demo_data import ATTEND_PROBABILITY, SHAPES
from practica.communities.events import occurrence_dates, to_utc
from practica.communities.health import community_health_compute
from practica.communities.models import (
    Activity,
    ActivityKind,
    Attendance,
    Community,
    Event,
    EventKind,
    EventSeries,
    Frequency,
    Membership,
    MembershipStatus,
    Role,
    Rsvp,
    RsvpAnswer,
    Stage,
    Visibility,
)
from practica.communities.participation import participation_recompute
from practica.demo.generator import DemoContext, demo_step
from practica.knowledge.models import Answer, Outcome, Question
from practica.learning.models import LearningGoal, MethodTemplate, Review, ReviewItem, ReviewPhase
from practica.people.models import TeamMembership
from practica.search.documents import reindex_community

MIN_PEOPLE = 2_000
PEOPLE_PER_COMMUNITY = 130
HISTORY_DAYS = 365
UPCOMING_DAYS = 45
BATCH = 2_000

TOPICS = [
    "Kotlin", "Go", "Rust", "Python", "TypeScript", "React", "Observability", "Kubernetes", "Terraform",
    "API Design", "Domain-Driven Design", "Event Sourcing", "Chaos Engineering", "Performance",
    "Databases", "Data Visualisation", "Experimentation", "Causal Inference", "MLOps", "Search Relevance",
    "Privacy", "Cloud Cost", "Mobile Releases", "Design Systems", "Research Ops", "Content Strategy",
    "Facilitation", "Goal Setting", "Pricing", "Negotiation", "Customer Interviews", "Onboarding",
    "Technical Writing", "Mentoring", "Public Speaking", "Inner Source", "Code Review",
    "Pair Programming", "Refactoring", "Software Architecture", "Accessibility Testing", "Localisation",
    "Payments Compliance", "Fraud Detection", "Forecasting", "Spreadsheet Modelling", "Negotiated Sales",
    "Customer Success", "Hiring", "Career Growth", "Remote Work", "Incident Command", "Threat Modelling",
    "Identity and Access", "Frontend Testing", "Contract Testing", "Microservices", "Serverless",
    "Service Blueprints", "Journey Mapping", "Usability Testing", "Analytics Engineering",
]  # fmt: skip
FORMATS = ["{topic} Guild", "{topic} Circle", "{topic} Practice Group", "{topic} Community"]
QUESTION_TITLES = [
    "How do you get started with {topic} in a small team?",
    "What is the most common mistake with {topic}?",
    "Which book or course on {topic} would you recommend?",
    "How do you explain the value of {topic} to a manager?",
    "What does good {topic} look like in code review?",
    "How do you measure progress in {topic}?",
    "Who has migrated an existing system towards {topic}?",
    "What checklist do you use for {topic}?",
]
ANSWER_BODY = (
    "We tried this last quarter: start small, pair with someone who has done it, and write down what "
    "surprised you. Happy to show our notes."
)
RETRO_ITEMS = {
    "start": ["Pair on the tricky tickets", "Demo work in progress earlier", "Write down decisions"],
    "stop": ["Starting work before the last is done", "Long meetings without an agenda"],
    "continue": ["The Friday show-and-tell", "Small pull requests", "Rotating the on-call buddy"],
}


@demo_step(order=90, label="a year of organisation-wide activity")
def organisation_activity_step(context: DemoContext) -> None:
    """Communities, events, Q&A, retrospectives and mentoring across the organisation (>= 2,000 people)."""
    if context.size < MIN_PEOPLE:
        return
    rng = context.rng
    now = timezone.now()
    # Ordered by pk: the default order (team name) leaves a team's members in whatever order the
    # database returns them, and the random draws below depend on it.
    placement = list(
        TeamMembership.objects.values_list("person_id", "team_id", "team__parent_id").order_by("pk")
    )
    team_of = {person: team for person, team, _ in placement}
    department_people: dict[int, list[int]] = defaultdict(list)
    for person, team, parent in placement:
        department_people[parent or team].append(person)
    everyone = sorted(team_of)
    departments = sorted(department_people)
    lead_person = context.accounts["demo-lead"].pk

    count = min(len(TOPICS) * len(FORMATS), context.size // PEOPLE_PER_COMMUNITY)
    names = _community_names(rng, count)
    communities: list[tuple[Community, list[int], dict[int, str], list[int], Frequency]] = []
    for index, name in enumerate(names):
        context.progress("a year of organisation-wide activity", index, count + 4)
        homes = rng.sample(departments, k=min(len(departments), rng.choice([1, 1, 2])))
        size = int(min(600, len(everyone), max(15, rng.paretovariate(1.6) * 60)))
        pool = [person for home in homes for person in department_people[home]]
        local = rng.sample(pool, min(len(pool), int(size * 0.75)))
        roster = list(dict.fromkeys(local + rng.sample(everyone, size - len(local))))
        leads = roster[:2] if size > 150 else roster[:1]
        if index % 9 == 0 and lead_person not in roster:
            roster.insert(0, lead_person)
            leads = [lead_person]
        visibility = rng.choices(
            [Visibility.OPEN, Visibility.REQUEST, Visibility.PRIVATE], weights=[80, 15, 5]
        )[0]
        stage = rng.choices(list(Stage), weights=[15, 25, 30, 25, 5])[0]
        frequency = rng.choice([Frequency.FORTNIGHTLY, Frequency.MONTHLY, Frequency.MONTHLY])
        topic = name.rsplit(" ", 1)[0].replace(" Practice", "")
        community = Community.objects.create(
            name=name,
            slug=_slug(name),
            summary=f"People across the organisation who practise {topic.lower()}.",
            visibility=visibility,
            stage=stage,
            domain=f"{topic}: what we know, what we are trying, and who to ask.",
            community_text="Anyone who works on this or wants to, from any team.",
            practice="Monthly sessions, shared notes and answered questions.",
            rhythm=f"{frequency.label} sessions",
            created_by_id=leads[0],
        )
        shapes = _shapes(rng, roster, leads)
        started = now - timedelta(days=HISTORY_DAYS + rng.randint(0, 400))
        Membership.objects.bulk_create(
            [
                Membership(
                    community=community,
                    person_id=person,
                    status=MembershipStatus.ACTIVE,
                    role=Role.LEAD if person in leads else (Role.SPONSOR if n == len(leads) else Role.MEMBER),
                    joined_at=started + timedelta(days=rng.randint(0, HISTORY_DAYS)),
                    created_at=started,
                )
                for n, person in enumerate(roster)
            ],
            batch_size=BATCH,
        )
        communities.append((community, roster, shapes, leads, frequency))

    activities: list[Activity] = []
    for index, (community, roster, shapes, leads, frequency) in enumerate(communities):
        context.progress("a year of organisation-wide activity", index, count + 4)
        activities += [
            Activity(
                community=community,
                person_id=person,
                kind=ActivityKind.JOINED,
                summary=community.name,
                occurred_at=now - timedelta(days=rng.randint(30, HISTORY_DAYS)),
            )
            for person in roster
        ]
        activities += _events(rng, community, roster, shapes, leads[0], frequency, now)
        activities += _questions(rng, community, roster, shapes, now)
        if len(activities) > 20 * BATCH:
            Activity.objects.bulk_create(activities, batch_size=BATCH)
            activities = []
    Activity.objects.bulk_create(activities, batch_size=BATCH)

    context.progress("a year of organisation-wide activity", count + 1, count + 4)
    _retrospectives(rng, team_of, now)
    context.progress("a year of organisation-wide activity", count + 2, count + 4)
    _mentoring(rng, communities, now)
    context.progress("a year of organisation-wide activity", count + 3, count + 4)
    for community, *_ in communities:
        participation_recompute(community=community, now=now)
        community_health_compute(community=community, now=now)
        reindex_community(community)
    context.progress("a year of organisation-wide activity", count + 4, count + 4)


def _community_names(rng: random.Random, count: int) -> list[str]:
    taken = set(Community.objects.values_list("name", flat=True))
    names = [form.format(topic=topic) for form in FORMATS for topic in TOPICS]
    rng.shuffle(names)
    return [name for name in names if name not in taken][:count]


def _slug(name: str) -> str:
    return "-".join(name.lower().replace("&", "and").split())


def _shapes(rng: random.Random, roster: list[int], leads: list[int]) -> dict[int, str]:
    shapes: dict[int, str] = {}
    for person in roster:
        if person in leads:
            shapes[person] = "core"
            continue
        draw, cumulative = rng.random(), 0.0
        shapes[person] = "peripheral"
        for shape, share in SHAPES:
            cumulative += share
            if draw <= cumulative:
                shapes[person] = shape
                break
    return shapes


def _events(
    rng: random.Random,
    community: Community,
    roster: list[int],
    shapes: dict[int, str],
    organiser: int,
    frequency: Frequency,
    now: datetime,
) -> list[Activity]:
    """A year of sessions with attendance and talks; upcoming ones with RSVPs."""
    zone = zoneinfo.ZoneInfo("Europe/Berlin")
    first = (now - timedelta(days=HISTORY_DAYS - community.pk % 7)).date()
    dates = occurrence_dates(first, frequency, until=(now + timedelta(days=UPCOMING_DAYS)).date())
    series = EventSeries.objects.create(community=community, frequency=frequency, created_by_id=organiser)
    kind = rng.choice([EventKind.MEETUP, EventKind.TALK, EventKind.WORKSHOP, EventKind.LEAN_COFFEE])
    events = []
    for number, day in enumerate(dates, start=1):
        starts = to_utc(datetime.combine(day, time(15, 0)), zone)
        events.append(
            Event(
                community=community,
                series=series,
                title=f"{community.name} session #{number}",
                kind=kind,
                agenda="1. News\n2. Main session\n3. What will you try next?",
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                time_zone="Europe/Berlin",
                place="Video link",
                uid=f"demo-{community.slug}-{number}-{rng.getrandbits(48):012x}",
                created_by_id=organiser,
                attendance_taken_at=starts + timedelta(hours=1) if starts < now else None,
            )
        )
    Event.objects.bulk_create(events)
    events = list(Event.objects.filter(series=series).order_by("starts_at"))
    contributors = [p for p in roster if shapes[p] in {"core", "active"}] or [organiser]
    attendance: list[Attendance] = []
    rsvps: list[Rsvp] = []
    speakers: list[object] = []
    activities: list[Activity] = []
    for event in events:
        url = f"/communities/{community.slug}/events/{event.pk}/"
        if event.starts_at >= now:
            rsvps += [
                Rsvp(event=event, person_id=p, answer=RsvpAnswer.GOING)
                for p in roster
                if rng.random() < ATTEND_PROBABILITY[shapes[p]] * 0.8
            ]
            continue
        speaker = rng.choice(contributors)
        came = {p for p in roster if rng.random() < ATTEND_PROBABILITY[shapes[p]]} | {speaker}
        speakers.append(Event.speakers.through(event_id=event.pk, person_id=speaker))
        attendance += [Attendance(event=event, person_id=p, recorded_by_id=organiser) for p in came]
        activities += [
            Activity(
                community=community,
                person_id=p,
                kind=ActivityKind.ATTENDED,
                summary=event.title,
                url=url,
                occurred_at=event.starts_at,
            )
            for p in came
        ]
        activities.append(
            Activity(
                community=community,
                person_id=speaker,
                kind=ActivityKind.SPOKE,
                summary=event.title,
                url=url,
                occurred_at=event.starts_at,
            )
        )
    Attendance.objects.bulk_create(attendance, batch_size=BATCH)
    Rsvp.objects.bulk_create(rsvps, batch_size=BATCH)
    Event.speakers.through.objects.bulk_create(speakers, batch_size=BATCH)  # type: ignore[arg-type]
    return activities


def _questions(
    rng: random.Random, community: Community, roster: list[int], shapes: dict[int, str], now: datetime
) -> list[Activity]:
    """About one question per four members a year; answers at stated certainties, judged by the asker."""
    topic = community.name.rsplit(" ", 1)[0].replace(" Practice", "").lower()
    askers = [rng.choice(roster) for _ in range(max(2, len(roster) // 4))]
    answerers = [p for p in roster if shapes[p] in {"core", "active"}] or roster
    questions = []
    for number, asker in enumerate(askers):
        asked = now - timedelta(days=rng.uniform(1, HISTORY_DAYS))
        questions.append(
            Question(
                community=community,
                author_id=asker,
                title=f"{rng.choice(QUESTION_TITLES).format(topic=topic)} ({number + 1})",
                body="We are looking for real experience rather than theory.",
                created_at=asked,
                updated_at=asked,
            )
        )
    Question.objects.bulk_create(questions, batch_size=BATCH)
    questions = list(Question.objects.filter(community=community).order_by("pk"))
    answers: list[Answer] = []
    for question in questions:
        people = [
            p
            for p in rng.sample(answerers, min(len(answerers), rng.randint(0, 3)))
            if p != question.author_id
        ]
        for position, person in enumerate(people):
            answered = min(question.created_at + timedelta(hours=rng.randint(1, 72)), now)
            certainty = rng.choices(list(Certainty), weights=[2, 3, 4])[0]
            judged = position == 0 and rng.random() < 0.6
            outcome = ""
            if judged and rng.random() < 0.8:
                probability = {Certainty.LOW: 0.45, Certainty.MID: 0.7, Certainty.HIGH: 0.75}[certainty]
                outcome = Outcome.WORKED if rng.random() < probability else Outcome.DID_NOT_WORK
            resolved = min(answered + timedelta(days=2), now)
            answers.append(
                Answer(
                    question=question,
                    author_id=person,
                    body=ANSWER_BODY,
                    certainty=int(certainty),
                    accepted=judged,
                    accepted_at=resolved if judged else None,
                    outcome=outcome,
                    outcome_by_id=question.author_id if outcome else None,
                    outcome_at=resolved if outcome else None,
                    created_at=answered,
                    updated_at=answered,
                )
            )
    Answer.objects.bulk_create(answers, batch_size=BATCH)
    counts: dict[int, list[Answer]] = defaultdict(list)
    saved = list(Answer.objects.filter(question__community=community).order_by("pk"))
    for answer in saved:
        counts[answer.question_id].append(answer)
    for question in questions:
        mine = counts.get(question.pk, [])
        question.answer_count = len(mine)
        question.accepted_count = sum(answer.accepted for answer in mine)
        question.first_answer_at = min((answer.created_at for answer in mine), default=None)
    Question.objects.bulk_update(
        questions, ["answer_count", "accepted_count", "first_answer_at"], batch_size=BATCH
    )
    CalibrationRecord.objects.bulk_create(
        [
            CalibrationRecord(
                person_id=answer.author_id,
                source=RecordSource.ANSWER,
                source_id=answer.pk,
                certainty=answer.certainty,
                fraction=1.0 if answer.outcome == Outcome.WORKED else 0.0,
                mark=cbm_mark(1.0 if answer.outcome == Outcome.WORKED else 0.0, answer.certainty),
                summary=f"Your answer in {community.name}"[:200],
                topic=topic,
                community=community,
                url=f"/communities/{community.slug}/questions/{answer.question_id}/#answer-{answer.pk}",
                resolved_at=answer.outcome_at or now,
            )
            for answer in saved
            if answer.outcome and answer.author_id is not None
        ],
        batch_size=BATCH,
    )
    activities = [
        Activity(
            community=community,
            person_id=question.author_id,
            kind=ActivityKind.ASKED,
            summary=question.title,
            url=f"/communities/{community.slug}/questions/{question.pk}/",
            occurred_at=question.created_at,
        )
        for question in questions
    ]
    activities += [
        Activity(
            community=community,
            person_id=answer.author_id,
            kind=ActivityKind.ANSWERED,
            summary="an answer",
            url=f"/communities/{community.slug}/questions/{answer.question_id}/#answer-{answer.pk}",
            occurred_at=answer.created_at,
        )
        for answer in saved
    ]
    return activities


def _retrospectives(rng: random.Random, team_of: dict[int, int], now: datetime) -> None:
    """Every team holds a start-stop-continue retrospective each quarter; most members write an item."""
    template = MethodTemplate.objects.filter(slug="start-stop-continue").first()
    if template is None:
        return
    members: dict[int, list[int]] = defaultdict(list)
    for person, team in team_of.items():
        members[team].append(person)
    teams = sorted(team for team, people in members.items() if len(people) >= 3)
    first_id = (Review.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    reviews = []
    for team in teams:
        for quarter in range(4):
            held = now - timedelta(days=90 * quarter + rng.randint(5, 60))
            reviews.append(
                Review(
                    title=f"Quarterly retrospective, {held:%B %Y}",
                    template=template,
                    team_id=team,
                    facilitator_id=members[team][0],
                    phase=ReviewPhase.CLOSED,
                    held_at=held,
                    created_at=held,
                    closed_at=held + timedelta(hours=1),
                )
            )
    Review.objects.bulk_create(reviews, batch_size=BATCH)
    saved = (
        Review.objects.filter(pk__gte=first_id, team__isnull=False)
        .values_list("pk", "team_id", "held_at")
        .order_by("pk")
    )
    items = []
    for review, team, held in saved:
        for person in members[team]:
            if rng.random() < 0.7:
                section = rng.choice(list(RETRO_ITEMS))
                items.append(
                    ReviewItem(
                        review_id=review,
                        section=section,
                        text=rng.choice(RETRO_ITEMS[section]),
                        author_id=person,
                        created_at=held,
                    )
                )
    ReviewItem.objects.bulk_create(items, batch_size=BATCH)


def _mentoring(
    rng: random.Random,
    communities: list[tuple[Community, list[int], dict[int, str], list[int], Frequency]],
    now: datetime,
) -> None:
    """About one member in twenty-five shares a learning goal with an experienced member of a community."""
    goals = []
    mentors = []
    for community, roster, shapes, _, _ in communities:
        experienced = [p for p in roster if shapes[p] in {"core", "active"}]
        if not experienced:
            continue
        for person in roster:
            if rng.random() < 0.04:
                mentor = rng.choice(experienced)
                if mentor == person:
                    continue
                created = now - timedelta(days=rng.randint(10, HISTORY_DAYS))
                goals.append(
                    LearningGoal(
                        person_id=person,
                        title=f"Get better at {community.name.rsplit(' ', 1)[0].lower()}",
                        vision="Confident enough to help others with it.",
                        current_reality="I know the basics and learn by asking.",
                        created_at=created,
                        updated_at=created,
                    )
                )
                mentors.append(mentor)
    first_id = (LearningGoal.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    LearningGoal.objects.bulk_create(goals, batch_size=BATCH)
    saved = list(LearningGoal.objects.filter(pk__gte=first_id).order_by("pk").values_list("pk", flat=True))
    LearningGoal.shared_with.through.objects.bulk_create(
        [
            LearningGoal.shared_with.through(learninggoal_id=goal, person_id=mentor)
            for goal, mentor in zip(saved, mentors, strict=True)
        ],
        batch_size=BATCH,
    )
