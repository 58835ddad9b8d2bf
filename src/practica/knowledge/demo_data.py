"""The demo organisation's shared repertoire: questions and answers (some marked worked or not),
practices with revision history, and value stories across all five cycles.

Everything is created through the real services, so calibration records, activity and the search
index are exactly what they would be had people done it; only the dates are moved into the past.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from practica.calibration.models import CalibrationRecord, Certainty, RecordSource
from practica.communities.models import Activity, Community, MembershipStatus, Role
from practica.demo.generator import DemoContext, demo_step
from practica.knowledge import qa
from practica.knowledge.models import Answer, Outcome, Practice, PracticeKind, PracticeStatus, Question
from practica.knowledge.practices import practice_create, practice_edit
from practica.knowledge.stories import MetricInput, story_create
from practica.people.models import Person

QUESTIONS = [  # (title, body); {topic} is the community's first tag
    (
        "How do you keep {topic} work visible to the rest of the organisation?",
        "We do good work in {topic} but nobody outside the community notices. What has worked for you?",
    ),
    (
        "What is the smallest useful first step in {topic} for a new team?",
        "A team asked us where to start with {topic}. I would like to give them one concrete first step.",
    ),
    (
        "Which checklist do you use before calling {topic} work done?",
        "We keep forgetting small things. Does anyone have a checklist they trust?",
    ),
    (
        "How do you convince a sceptical manager to invest time in {topic}?",
        "My manager sees {topic} as overhead. Which arguments or numbers changed minds in your team?",
    ),
    (
        "What is a good kata or exercise to practise {topic}?",
        "Looking for a 60-minute exercise for our next meetup.",
    ),
    (
        "How do you measure whether {topic} practices are working?",
        "We adopted a few practices last quarter. How would you tell if they made a difference?",
    ),
    (
        "Which tool do you recommend for {topic} in a team of five?",
        "We are choosing between a few options and would love real experience rather than marketing.",
    ),
    (
        "How do you onboard a newcomer into {topic} quickly?",
        "We have two new people next month. What helped your newcomers most in their first weeks?",
    ),
]
ANSWERS = [
    "We started with a one-page summary after every session and posted it in the team channels. "
    "It took five minutes and people began to ask follow-up questions.",
    "Pair on a real piece of work first. Slides did nothing for us; a two-hour pairing session did.",
    "We keep a short checklist in the repository and review it once a quarter:\n\n"
    "1. Is it tested?\n2. Is it documented where people look?\n3. Did someone else try it?",
    "Show the cost of not doing it: we counted the hours lost to rework for a month. That number "
    "changed the conversation.",
    "Try a mob session: one keyboard, rotating every ten minutes. Works well for 60 minutes.",
    "Pick one indicator you can count every week and look at the trend, not the level.",
]
QUESTIONS_PER_COMMUNITY = (5, 9)
QA_DAYS = 150


@demo_step(order=30, label="questions and answers")
def questions_step(context: DemoContext) -> None:
    """Questions with answers at stated certainties; about half marked worked or not by the asker."""
    rng = context.rng
    now = timezone.now()
    communities = list(Community.objects.order_by("name").prefetch_related("tags"))
    for index, community in enumerate(communities):
        context.progress("questions and answers", index, len(communities))
        members = list(
            Person.objects.filter(
                community_memberships__community=community,
                community_memberships__status=MembershipStatus.ACTIVE,
            ).order_by("pk")
        )
        if len(members) < 3:
            continue
        first_tag = community.tags.first()
        topic = first_tag.name if first_tag is not None else community.name.lower()
        templates = rng.sample(QUESTIONS, min(len(QUESTIONS), rng.randint(*QUESTIONS_PER_COMMUNITY)))
        for title, body in templates:
            _question(
                rng, community, members, title.format(topic=topic), body.format(topic=topic), topic, now
            )
    _expert_opt_ins(context)
    context.progress("questions and answers", len(communities), len(communities))


def _question(
    rng: random.Random,
    community: Community,
    members: list[Person],
    title: str,
    body: str,
    topic: str,
    now: datetime,
) -> None:
    asker = rng.choice(members)
    question = qa.question_ask(actor=asker, community=community, title=title, body=body, tags=topic)
    asked_at = now - timedelta(days=rng.randint(1, QA_DAYS), hours=rng.randint(0, 23))
    answerers = rng.sample(
        [m for m in members if m.pk != asker.pk], k=min(rng.randint(0, 3), len(members) - 1)
    )
    answers: list[tuple[Answer, datetime]] = []
    for answerer in answerers:
        certainty = rng.choices(list(Certainty), weights=[2, 3, 4])[0]
        answer = qa.answer_post(
            actor=answerer, question=question, body=rng.choice(ANSWERS), certainty=int(certainty)
        )
        answered_at = asked_at + timedelta(hours=rng.randint(1, 96))
        answers.append((answer, min(answered_at, now)))
    if answers and rng.random() < 0.6:
        best, _ = answers[0]
        qa.answer_accept(actor=asker, answer=best)
        # Overconfidence shows: high-certainty answers work less often than their certainty claims.
        worked_probability = {Certainty.LOW: 0.45, Certainty.MID: 0.7, Certainty.HIGH: 0.75}[
            Certainty(best.certainty)
        ]
        outcome = Outcome.WORKED if rng.random() < worked_probability else Outcome.DID_NOT_WORK
        qa.answer_set_outcome(actor=asker, answer=best, outcome=outcome)
    _backdate(question, asked_at, answers)


def _backdate(question: Question, asked_at: datetime, answers: list[tuple[Answer, datetime]]) -> None:
    """Move what the services just wrote to when it happened in the demo's story."""
    first = min((when for _, when in answers), default=None)
    Question.objects.filter(pk=question.pk).update(
        created_at=asked_at, updated_at=asked_at, first_answer_at=first
    )
    Activity.objects.filter(community=question.community, url=qa.question_path(question)).update(
        occurred_at=asked_at
    )
    for answer, when in answers:
        Answer.objects.filter(pk=answer.pk).update(created_at=when, updated_at=when)
        Activity.objects.filter(url=f"{qa.question_path(question)}#answer-{answer.pk}").update(
            occurred_at=when
        )
        resolved = min(when + timedelta(days=2), timezone.now())
        Answer.objects.filter(pk=answer.pk, outcome__gt="").update(outcome_at=resolved, accepted_at=resolved)
        CalibrationRecord.objects.filter(source=RecordSource.ANSWER, source_id=answer.pk).update(
            resolved_at=resolved
        )


def _expert_opt_ins(context: DemoContext) -> None:
    """A few people with resolved answers agree to be listed as experts for their tags."""
    rng = context.rng
    resolved = (
        Answer.objects.exclude(outcome="")
        .filter(Q(author__isnull=False))
        .select_related("author")
        .prefetch_related("question__tags")
        .order_by("pk")
    )
    listed: set[tuple[int, int]] = set()
    for answer in resolved:
        if rng.random() < 0.3 and answer.author is not None:
            for tag in answer.question.tags.all():
                if (answer.author.pk, tag.pk) not in listed:
                    qa.expert_opt_in(person=answer.author, tag=tag)
                    listed.add((answer.author.pk, tag.pk))


PRACTICES = [
    (
        "Our {topic} checklist",
        PracticeKind.PLAYBOOK,
        "## Before you start\n\n- Agree what done means\n- Find a partner\n\n## While you work\n\n"
        "- Keep changes small\n- Ask early\n\n## Before you call it done\n\n- Someone else tried it\n",
    ),
    (
        "How to run a {topic} kata",
        PracticeKind.HOW_TO,
        "1. Pick a small, real problem.\n2. Work in pairs for 25 minutes.\n3. Swap, then share what "
        "surprised you.\n\n```text\nTimebox: 60 minutes\nPeople: 4-12\n```\n",
    ),
    (
        "Why {topic} matters here",
        PracticeKind.ARTICLE,
        "Three stories from the last year, and what they taught us about {topic}.",
    ),
]
STORIES = [
    (
        "The kata that changed our reviews",
        ["immediate", "potential", "applied"],
        "A fortnightly kata taught review habits that two teams now use every day.",
    ),
    (
        "Fewer failed builds after the checklist",
        ["applied", "realized"],
        "Team adoption of the checklist cut failed builds.",
    ),
    (
        "We stopped counting story points",
        ["potential", "reframing"],
        "Talking across teams changed what we measure: outcomes instead of output.",
    ),
    (
        "New joiners productive in two weeks",
        ["immediate", "realized"],
        "The onboarding playbook halved the time to a first merged change.",
    ),
]


@demo_step(order=31, label="practices and value stories")
def practices_step(context: DemoContext) -> None:
    """Practices with a few revisions (some not reviewed for months) and stories across the five cycles."""
    rng = context.rng
    now = timezone.now()
    communities = list(Community.objects.order_by("name").prefetch_related("tags"))
    for index, community in enumerate(communities):
        context.progress("practices and value stories", index, len(communities))
        leads = list(
            Person.objects.filter(
                community_memberships__community=community,
                community_memberships__status=MembershipStatus.ACTIVE,
                community_memberships__role=Role.LEAD,
            )
        )
        if not leads:
            continue
        first_tag = community.tags.first()
        topic = first_tag.name if first_tag is not None else community.name.lower()
        practices = []
        for title, kind, body in PRACTICES[: rng.randint(1, len(PRACTICES))]:
            practice = practice_create(
                actor=leads[0],
                community=community,
                title=title.format(topic=topic),
                body=body.format(topic=topic),
                kind=kind,
                status=PracticeStatus.PUBLISHED,
                tags=topic,
                note="First version",
            )
            for number in range(rng.randint(0, 2)):
                practice = practice_edit(
                    actor=leads[0],
                    practice=practice,
                    base_revision=practice.revision,
                    title=practice.title,
                    body=practice.body + f"\n\nUpdate {number + 1}: what we learned since.",
                    note="Lessons added",
                )
            # Some practices have not been reviewed for months: the health page flags them.
            reviewed = now - timedelta(days=rng.choice([10, 40, 120, 200, 260]))
            Practice.objects.filter(pk=practice.pk).update(reviewed_at=reviewed)
            practices.append(practice)
        answers = list(Answer.objects.filter(question__community=community).values_list("pk", flat=True)[:2])
        events = list(community.events.filter(starts_at__lt=now).values_list("pk", flat=True)[:2])
        for title, cycles, body in rng.sample(STORIES, rng.randint(1, 2)):
            story_create(
                actor=leads[0],
                community=community,
                title=title,
                body=body,
                cycles=cycles,
                events=events[:1],
                practices=[p.pk for p in practices[:1]],
                answers=answers[:1],
                metrics=[MetricInput(label="Failed builds per week", before=12, after=7, unit="builds")]
                if "realized" in cycles
                else [],
            )
    context.progress("practices and value stories", len(communities), len(communities))
