"""The communities of the demo organisation: every stage, realistic participation, six months of events.

Rows are created in bulk (the demo builds up to 20,000 people); what a person would do through the
services (join, attend, give a talk) is recorded as the same Activity rows the services write, and
participation levels and health are then derived by the real code, not invented.
"""

from __future__ import annotations

import random
import zoneinfo
from datetime import datetime, time, timedelta

from django.utils import timezone

from practica.communities.events import occurrence_dates, to_utc
from practica.communities.models import (
    Activity,
    ActivityKind,
    Attendance,
    CharterVersion,
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
    StageChange,
    Visibility,
)
from practica.communities.participation import participation_recompute
from practica.communities.services import tags_from_text
from practica.demo.generator import DemoContext, demo_step
from practica.people.models import Person

# name, stage, visibility, rhythm, event kind, tags, summary, domain
COMMUNITIES: list[tuple[str, Stage, Visibility, Frequency, EventKind, str, str, str]] = [
    ("Testing", Stage.STEWARDSHIP, Visibility.OPEN, Frequency.FORTNIGHTLY, EventKind.KATA,
     "testing, quality", "Test design, automation and exploratory testing across teams.",
     "How we know our software works: test design, automation, exploratory testing and the feedback loops "
     "that keep quality visible."),
    ("Frontend Craft", Stage.MATURING, Visibility.OPEN, Frequency.FORTNIGHTLY, EventKind.TALK,
     "frontend, web", "Building fast, accessible web interfaces.",
     "Web interfaces people enjoy: performance, accessibility, design systems and maintainable CSS."),
    ("Data & ML", Stage.MATURING, Visibility.OPEN, Frequency.MONTHLY, EventKind.TALK,
     "data, machine learning", "Analytics, experimentation and machine learning in production.",
     "Turning data into decisions: analytics engineering, experiment design and models in production."),
    ("Service Design", Stage.COALESCING, Visibility.OPEN, Frequency.MONTHLY, EventKind.WORKSHOP,
     "design, service design", "Blueprints, journeys and the services behind the screens.",
     "Designing whole services, front stage and back stage: journeys, blueprints and the people who "
     "run them."),
    ("Product Discovery", Stage.COALESCING, Visibility.REQUEST, Frequency.FORTNIGHTLY, EventKind.LEAN_COFFEE,
     "product, discovery, lean startup", "Finding what to build before building it.",
     "Continuous discovery: interviews, assumption tests and lean-startup experiments."),
    ("Security Champions", Stage.MATURING, Visibility.PRIVATE, Frequency.MONTHLY, EventKind.WORKSHOP,
     "security", "Champions who bring security practice into every team.",
     "Threat modelling, secure coding and incident learning, carried into every team by its champion."),
    ("Accessibility", Stage.POTENTIAL, Visibility.OPEN, Frequency.MONTHLY, EventKind.MEETUP,
     "accessibility, frontend", "Making everything we build usable by everyone.",
     "Accessibility as a habit: audits, assistive technology and inclusive design."),
    ("Agile Coaching", Stage.TRANSFORMATION, Visibility.OPEN, Frequency.MONTHLY, EventKind.LEAN_COFFEE,
     "agile, coaching", "Coaches and scrum masters sharing what works (merging into Team Learning).",
     "Helping teams improve how they work: retrospectives, flow, facilitation."),
    ("Platform Engineering", Stage.STEWARDSHIP, Visibility.OPEN, Frequency.WEEKLY, EventKind.MEETUP,
     "platform, devops", "Paved roads, CI/CD and the developer experience.",
     "The internal platform: build pipelines, deployment, observability and developer experience."),
    ("Incident Learning", Stage.COALESCING, Visibility.REQUEST, Frequency.MONTHLY, EventKind.WORKSHOP,
     "reliability, learning", "Blameless post-incident reviews that change how we work.",
     "Learning from incidents: blameless reviews, shared patterns, and follow-through on actions."),
]  # fmt: skip

# Intended participation shapes (share of members): what people tend to do, not a stored level.
SHAPES = [("core", 0.10), ("active", 0.17), ("occasional", 0.33), ("peripheral", 0.40)]
ATTEND_PROBABILITY = {"core": 0.85, "active": 0.6, "occasional": 0.25, "peripheral": 0.02}
SPEAK_PROBABILITY = {"core": 0.7, "active": 0.35}
HISTORY_DAYS = 182
UPCOMING_DAYS = 60


@demo_step(order=20, label="communities")
def communities_step(context: DemoContext) -> None:
    """Create the demo communities with members, events, RSVPs, attendance and the activity behind them."""
    rng = context.rng
    now = timezone.now()
    people = [
        person for person in context.people if person.pk not in {p.pk for p in context.accounts.values()}
    ]
    lead, member = context.accounts["demo-lead"], context.accounts["demo-member"]
    steward = context.accounts["demo-steward"]
    total = len(COMMUNITIES)
    for index, (name, stage, visibility, frequency, kind, tags, summary, domain) in enumerate(COMMUNITIES):
        context.progress("communities", index, total)
        community = Community.objects.create(
            name=name,
            slug=name.lower().replace(" & ", "-").replace(" ", "-"),
            summary=summary,
            visibility=visibility,
            stage=stage,
            domain=domain,
            community_text=f"Anyone who works on {tags.split(',')[0].strip()} or wants to, from any team.",
            practice="Talks, katas, shared practices and answered questions.",
            rhythm=f"{frequency.label} {kind.label.lower()}",
            created_by=lead,
        )
        community.tags.set(tags_from_text(tags))
        CharterVersion.objects.create(
            community=community,
            number=1,
            author=lead,
            note="First charter",
            domain=community.domain,
            community_text=community.community_text,
            practice=community.practice,
            rhythm=community.rhythm,
        )
        started = now - timedelta(days=rng.randint(200, 700))
        _stage_history(community, stage, lead, started)

        size = max(8, int(len(people) * rng.uniform(0.02, 0.07)))
        chosen = rng.sample(people, min(size, len(people)))
        # demo-lead leads most communities (every private one); demo-member stays out of private ones.
        leads = [lead] if index % 3 != 2 or visibility == Visibility.PRIVATE else [chosen[0]]
        extra = [steward] if index % 4 == 0 else []
        if visibility != Visibility.PRIVATE and index % 2 == 0:
            extra.append(member)
        roster = list(dict.fromkeys([*leads, *extra, *chosen]))
        shapes = _assign_shapes(rng, roster, leads)
        memberships = [
            Membership(
                community=community,
                person=person,
                status=MembershipStatus.ACTIVE,
                role=Role.LEAD if person in leads else (Role.SPONSOR if n == len(leads) else Role.MEMBER),
                joined_at=started + timedelta(days=rng.randint(0, (now - started).days)),
                created_at=started,
            )
            for n, person in enumerate(roster)
        ]
        Membership.objects.bulk_create(memberships)
        activities = [
            Activity(
                community=community,
                person=m.person,
                kind=ActivityKind.JOINED,
                summary=name,
                occurred_at=m.joined_at or started,
            )
            for m in memberships
        ]
        activities += _events(context, community, frequency, kind, roster, shapes, leads[0], now)
        Activity.objects.bulk_create(activities, batch_size=1000)
        participation_recompute(community=community, now=now)
    _health(now)
    context.progress("communities", total, total)


def _stage_history(community: Community, stage: Stage, lead: Person, started: datetime) -> None:
    order = list(Stage)
    reasons = {
        Stage.POTENTIAL: "A few of us kept meeting over lunch about this.",
        Stage.COALESCING: "First meetups drew a steady crowd; time to find a rhythm.",
        Stage.MATURING: "Membership doubled and teams ask us for guidance.",
        Stage.STEWARDSHIP: "Our practices are the default in most teams; focus on keeping them fresh.",
        Stage.TRANSFORMATION: "Merging with Team Learning: archiving our repertoire so it stays findable.",
    }
    previous = ""
    steps = order[: order.index(stage) + 1]
    for number, current in enumerate(steps):
        change = StageChange.objects.create(
            community=community, from_stage=previous, to_stage=current, actor=lead, reason=reasons[current]
        )
        StageChange.objects.filter(pk=change.pk).update(created_at=started + timedelta(days=60 * number))
        previous = current


def _assign_shapes(rng: random.Random, roster: list[Person], leads: list[Person]) -> dict[int, str]:
    shapes = {}
    for person in roster:
        if person in leads:
            shapes[person.pk] = "core"
            continue
        draw, cumulative = rng.random(), 0.0
        for shape, share in SHAPES:
            cumulative += share
            if draw <= cumulative:
                shapes[person.pk] = shape
                break
        else:
            shapes[person.pk] = "peripheral"
    return shapes


def _events(
    context: DemoContext,
    community: Community,
    frequency: Frequency,
    kind: EventKind,
    roster: list[Person],
    shapes: dict[int, str],
    organiser: Person,
    now: datetime,
) -> list[Activity]:
    """A series from six months ago to two months ahead; past ones with attendance, future ones with RSVPs."""
    rng = context.rng
    zone = zoneinfo.ZoneInfo("Europe/Berlin")
    # Each community meets on its own weekday, so not every event falls on the same day.
    first = (now - timedelta(days=HISTORY_DAYS - community.pk % 7)).date()
    dates = occurrence_dates(first, frequency, until=(now + timedelta(days=UPCOMING_DAYS)).date())[-52:]
    series = EventSeries.objects.create(community=community, frequency=frequency, created_by=organiser)
    events = []
    for number, day in enumerate(dates, start=1):
        starts = to_utc(datetime.combine(day, time(16, 0)), zone)
        events.append(
            Event(
                community=community,
                series=series,
                title=f"{community.name} {kind.label.lower()} #{number}",
                kind=kind,
                agenda="1. Welcome and news\n2. Main session\n3. What will you try next?",
                starts_at=starts,
                ends_at=starts + timedelta(hours=1, minutes=30),
                time_zone="Europe/Berlin",
                place="Room Lovelace / video link",
                capacity=40 if kind == EventKind.WORKSHOP else None,
                uid=f"demo-{community.slug}-{number}-{rng.getrandbits(48):012x}",
                created_by=organiser,
            )
        )
    Event.objects.bulk_create(events)
    events = list(Event.objects.filter(series=series).order_by("starts_at"))
    activities = [
        Activity(
            community=community,
            person=organiser,
            kind=ActivityKind.EVENT_SCHEDULED,
            summary=event.title,
            url=f"/communities/{community.slug}/events/{event.pk}/",
            occurred_at=event.starts_at - timedelta(days=14),
        )
        for event in events
        if event.starts_at - timedelta(days=14) < now  # scheduled in the past, never "in the future"
    ]
    attendance, rsvps = [], []
    contributors = [p for p in roster if shapes[p.pk] in {"core", "active"}]
    for event in events:
        url = f"/communities/{community.slug}/events/{event.pk}/"
        if event.starts_at < now:
            came = [p for p in roster if rng.random() < ATTEND_PROBABILITY[shapes[p.pk]]]
            # Lightning talks: core members often speak, active ones sometimes; the levels shown
            # later come from these talks through the real participation rule.
            speakers = [p for p in contributors if rng.random() < SPEAK_PROBABILITY[shapes[p.pk]]][:3]
            speakers = speakers or [rng.choice(contributors) if contributors else organiser]
            came += [speaker for speaker in speakers if speaker not in came]
            event.speakers.add(*speakers)
            attendance += [Attendance(event=event, person=p, recorded_by=organiser) for p in came]
            activities += [
                Activity(
                    community=community,
                    person=p,
                    kind=ActivityKind.ATTENDED,
                    summary=event.title,
                    url=url,
                    occurred_at=event.starts_at,
                )
                for p in came
            ]
            activities += [
                Activity(
                    community=community,
                    person=speaker,
                    kind=ActivityKind.SPOKE,
                    summary=event.title,
                    url=url,
                    occurred_at=event.starts_at,
                )
                for speaker in speakers
            ]
            event.attendance_taken_at = event.ends_at
        else:
            for person in roster:
                if rng.random() < ATTEND_PROBABILITY[shapes[person.pk]] * 0.8:
                    rsvps.append(Rsvp(event=event, person=person, answer=RsvpAnswer.GOING))
    Event.objects.bulk_update(events, ["attendance_taken_at"])
    Attendance.objects.bulk_create(attendance, batch_size=1000)
    Rsvp.objects.bulk_create(rsvps, batch_size=1000)
    return activities


def _health(now: datetime) -> None:
    """Derive each community's health with the real computation, so the directory shows true status."""
    from practica.communities import health

    for community in Community.objects.all():
        health.community_health_compute(community=community, now=now)
