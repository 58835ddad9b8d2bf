"""Community health: counting a period's inputs, the stored status, the seven-principles self-check.

The formulas and thresholds are pure and live in :mod:`practica.analysis.health`; this module only
counts what happened, with a constant number of aggregate queries whatever the size of the community,
and hands plain numbers over.

Membership dates give who was a member at a moment: a person counts from ``joined_at`` until
``left_at``. Someone who left and came back keeps only the latest stretch, because a membership row
keeps only its latest dates. A pinned participation level counts in every period, as a pin carries no date.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Avg, Count, Max, Prefetch
from django.utils import timezone

from practica.analysis.health import HealthReport, HealthThresholds, PeriodInputs, community_health
from practica.analysis.participation import LEVELS, TRANSACTIONAL, PersonActivity, participation_levels
from practica.calibration.models import CalibrationRecord, RecordSource
from practica.communities.models import (
    CONTRIBUTIONS,
    Activity,
    ActivityKind,
    Attendance,
    Community,
    Event,
    EventStatus,
    HealthReview,
    Membership,
    MembershipStatus,
    Principle,
    PrincipleRating,
    Role,
)
from practica.communities.participation import OTHER_ACTIVITY, RULE
from practica.communities.services import activity_record, require_lead
from practica.core.errors import ApplicationError
from practica.core.privacy import NOT_ENOUGH_PEOPLE, aggregate_allowed
from practica.knowledge.models import Question
from practica.knowledge.practice_selectors import stale_practice_count
from practica.people.models import Person, TeamMembership

THRESHOLDS = HealthThresholds(period_days=RULE.window_days)
MEMBER_LEVELS = tuple(level for level in LEVELS if level != TRANSACTIONAL)
NOTE_MAX_LENGTH = 500


@dataclass(frozen=True)
class _Member:
    person_id: int
    is_lead: bool
    joined_at: datetime
    left_at: datetime | None
    level: str
    pinned: bool

    def member_at(self, moment: datetime) -> bool:
        return self.joined_at <= moment and (self.left_at is None or self.left_at > moment)


@dataclass(frozen=True)
class _ActivityRow:
    occurred_at: datetime
    person_id: int
    kind: str


def _members(community: Community) -> list[_Member]:
    """Everyone who is or was a member, with their dates: one query."""
    rows = (
        community.memberships.filter(status__in=[MembershipStatus.ACTIVE, MembershipStatus.LEFT])
        .values_list("person_id", "role", "joined_at", "created_at", "left_at", "level", "level_pinned")
        .order_by()
    )
    return [
        _Member(
            person_id=person_id, is_lead=role == Role.LEAD, joined_at=joined_at or created_at,
            left_at=left_at, level=level, pinned=pinned,
        )
        for person_id, role, joined_at, created_at, left_at, level, pinned in rows
    ]  # fmt: skip


def _activity_rows(community: Community, *, since: datetime, until: datetime) -> list[_ActivityRow]:
    """Activity by people in ``(since, until]``, oldest first: one query."""
    rows = (
        Activity.objects.filter(
            community=community, occurred_at__gt=since, occurred_at__lte=until, person__isnull=False
        )
        .values_list("occurred_at", "person_id", "kind")
        .order_by("occurred_at")
    )
    return [_ActivityRow(occurred_at, person_id, kind) for occurred_at, person_id, kind in rows]


def _between(rows: list[_ActivityRow], since: datetime, until: datetime) -> list[_ActivityRow]:
    """The rows in ``(since, until]``; ``rows`` is sorted by time."""
    times = [row.occurred_at for row in rows]
    return rows[bisect.bisect_right(times, since) : bisect.bisect_right(times, until)]


def _levels_at(
    moment: datetime, members: Iterable[_Member], rows: list[_ActivityRow]
) -> tuple[Counter[str], set[int]]:
    """Members by participation level at ``moment`` (the pure rule over the window before it).

    Also returns the ids of the members at that moment.
    """
    at_moment = {member.person_id: member for member in members if member.member_at(moment)}
    contributions: dict[int, int] = defaultdict(int)
    weeks: dict[int, set[tuple[int, int]]] = defaultdict(set)
    other: dict[int, int] = defaultdict(int)
    for row in _between(rows, moment - timedelta(days=RULE.window_days), moment):
        if row.person_id not in at_moment:
            continue
        if row.kind in CONTRIBUTIONS:
            contributions[row.person_id] += 1
            weeks[row.person_id].add(row.occurred_at.isocalendar()[:2])
        elif row.kind in OTHER_ACTIVITY:
            other[row.person_id] += 1
    derived = participation_levels(
        {
            person_id: PersonActivity(
                is_member=True, is_lead=member.is_lead, contributions=contributions[person_id],
                contribution_weeks=len(weeks[person_id]), other_activity=other[person_id],
            )
            for person_id, member in at_moment.items()
        },
        RULE,
    )  # fmt: skip
    counts: Counter[str] = Counter()
    for person_id, member in at_moment.items():
        counts[member.level if member.pinned else derived[person_id]] += 1
    return counts, set(at_moment)


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def health_inputs(community: Community, *, start: datetime, end: datetime) -> PeriodInputs:
    """Count what happened in ``community`` during ``(start, end]``: eight queries, whatever its size.

    Members and levels are those at ``end``; the levels follow the participation rule over its own
    window before ``end``.
    """
    members = _members(community)
    since = min(start, end - timedelta(days=RULE.window_days))
    rows = _activity_rows(community, since=since, until=end)
    events = list(
        Event.objects.filter(community=community, starts_at__gt=start, starts_at__lte=end)
        .values_list("id", "starts_at", "status", "attendance_taken_at")
        .order_by("starts_at")
    )
    attendance_rows = list(
        Attendance.objects.filter(
            event__community=community, event__starts_at__gt=start, event__starts_at__lte=end
        ).values_list("event_id", "person_id")
    )
    teams_of: dict[int, set[int]] = defaultdict(set)
    member_ids = community.memberships.values("person_id")
    for person_id, team_id in (
        TeamMembership.objects.filter(person_id__in=member_ids).values_list("person_id", "team_id").order_by()
    ):
        teams_of[person_id].add(team_id)

    levels, members_at_end = _levels_at(end, members, rows)
    period_rows = _between(rows, start, end)
    held = [
        (event_id, starts_at, taken)
        for event_id, starts_at, status, taken in events
        if status != EventStatus.CANCELLED
    ]
    present: Counter[int] = Counter(event_id for event_id, _person in attendance_rows)
    held_ids = {event_id for event_id, _starts, _taken in held}
    taking_part = {
        row.person_id for row in period_rows if row.kind in CONTRIBUTIONS or row.kind in OTHER_ACTIVITY
    } | {person_id for event_id, person_id in attendance_rows if event_id in held_ids}
    taking_part &= members_at_end

    newcomer_days = timedelta(days=THRESHOLDS.newcomer_days)
    first_contribution: dict[int, datetime] = {}
    for row in period_rows:
        if row.kind in CONTRIBUTIONS:
            first_contribution.setdefault(row.person_id, row.occurred_at)
    newcomers = [member for member in members if start < member.joined_at <= end - newcomer_days]
    contributed = [
        member for member in newcomers
        if member.person_id in first_contribution
        and first_contribution[member.person_id] <= member.joined_at + newcomer_days
    ]  # fmt: skip

    kinds = Counter(row.kind for row in period_rows)
    questions = _question_flow(community, start=start, end=end)
    calibration, calibration_note = _answer_calibration(community, start=start, end=end)
    return PeriodInputs(
        start=_local_day(start),
        end=_local_day(end),
        members=len(members_at_end),
        members_by_level=dict(levels),
        joins=sum(1 for member in members if start < member.joined_at <= end),
        leaves=sum(1 for member in members if member.left_at is not None and start < member.left_at <= end),
        members_taking_part=len(taking_part),
        events_planned=len(events),
        events_held=len(held),
        attendance=[present[event_id] for event_id, _starts, taken in held if taken or present[event_id]],
        event_days=[_local_day(starts_at) for _id, starts_at, _taken in held],
        questions_asked=kinds[ActivityKind.ASKED],
        answers_given=kinds[ActivityKind.ANSWERED],
        share_answered=questions.share_answered,
        median_hours_to_first_answer=questions.median_hours_to_first_answer,
        accepted_share=questions.accepted_share,
        articles_written=kinds[ActivityKind.ARTICLE],
        stale_articles=stale_practice_count(community, end),
        calibration=calibration,
        calibration_note=calibration_note,
        teams_reached=len(set().union(*(teams_of[person_id] for person_id in taking_part))),
        newcomers=len(newcomers),
        newcomers_contributed=len(contributed),
    )


@dataclass(frozen=True)
class _QuestionFlow:
    share_answered: float | None
    median_hours_to_first_answer: float | None
    accepted_share: float | None


def _question_flow(community: Community, *, start: datetime, end: datetime) -> _QuestionFlow:
    """How the questions asked in the period fared: answered, how fast, accepted (one query)."""
    rows = list(
        Question.objects.filter(community=community, created_at__gt=start, created_at__lte=end).values_list(
            "created_at", "first_answer_at", "accepted_count"
        )
    )
    if not rows:
        return _QuestionFlow(None, None, None)
    waits = sorted(
        (answered - asked).total_seconds() / 3600 for asked, answered, _ in rows if answered is not None
    )
    median = None
    if waits:
        middle = len(waits) // 2
        median = waits[middle] if len(waits) % 2 else (waits[middle - 1] + waits[middle]) / 2
    return _QuestionFlow(
        share_answered=len(waits) / len(rows),
        median_hours_to_first_answer=round(median, 1) if median is not None else None,
        accepted_share=sum(1 for _, _, accepted in rows if accepted) / len(rows),
    )


def _answer_calibration(community: Community, *, start: datetime, end: datetime) -> tuple[float | None, str]:
    """The average CBM mark of answers resolved in the period, only above the minimum group size."""
    records = CalibrationRecord.objects.filter(
        community=community, source=RecordSource.ANSWER, resolved_at__gt=start, resolved_at__lte=end
    ).aggregate(mark=Avg("mark"), people=Count("person", distinct=True))
    if not records["people"]:
        return None, "No answer's outcome was marked in the period."
    if not aggregate_allowed(records["people"]):
        return None, NOT_ENOUGH_PEOPLE
    return round(records["mark"], 2), ""


def community_health_report(community: Community, *, now: datetime | None = None) -> HealthReport:
    """The last period (default 90 days up to ``now``) against the one before it; stores nothing."""
    end = now or timezone.now()
    period = timedelta(days=THRESHOLDS.period_days)
    current = health_inputs(community, start=end - period, end=end)
    previous = health_inputs(community, start=end - 2 * period, end=end - period)
    return community_health(current, previous, rules=THRESHOLDS)


def community_health_compute(*, community: Community, now: datetime | None = None) -> HealthReport:
    """Compute the health report and store its status on the community for lists and badges."""
    now = now or timezone.now()
    report = community_health_report(community, now=now)
    # A targeted update: health must not overwrite a charter edit saved meanwhile, nor bump updated_at.
    Community.objects.filter(pk=community.pk).update(health_status=report.status, health_computed_at=now)
    community.health_status, community.health_computed_at = report.status, now
    return report


@dataclass(frozen=True)
class MonthLevels:
    """Members by participation level at the end of one month (or now, for the current month)."""

    month: date  # the first day of the month
    at: datetime
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _month_ends(now: datetime, months: int) -> list[tuple[date, datetime]]:
    """(first day of month, moment) for the last ``months`` months, oldest first; this month ends now."""
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    points: list[tuple[date, datetime]] = [(month_start.date(), now)]
    for _ in range(months - 1):
        month_end = month_start - timedelta(microseconds=1)
        month_start = month_end.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        points.append((month_start.date(), month_end))
    return points[::-1]


def participation_history(
    community: Community, *, months: int = 6, now: datetime | None = None
) -> list[MonthLevels]:
    """Members by level at each of the last ``months`` month ends, oldest first: two queries."""
    now = now or timezone.now()
    points = _month_ends(now, months)
    members = _members(community)
    rows = _activity_rows(
        community, since=points[0][1] - timedelta(days=RULE.window_days), until=points[-1][1]
    )
    history = []
    for month, moment in points:
        counts, _ = _levels_at(moment, members, rows)
        by_level = {level: counts[level] for level in MEMBER_LEVELS}
        history.append(MonthLevels(month=month, at=moment, counts=by_level))
    return history


@dataclass(frozen=True)
class EventAttendance:
    """How many people came to one held event; ``recorded`` is False when nobody took attendance."""

    title: str
    starts_at: datetime
    present: int
    recorded: bool


def attendance_per_event(
    community: Community, *, limit: int = 20, now: datetime | None = None
) -> list[EventAttendance]:
    """The last ``limit`` held (started, not cancelled) events with their attendance, oldest first."""
    now = now or timezone.now()
    events = list(
        Event.objects.filter(community=community, starts_at__lte=now)
        .exclude(status=EventStatus.CANCELLED)
        .values_list("id", "title", "starts_at", "attendance_taken_at")
        .order_by("-starts_at", "-id")[:limit]
    )
    present = Counter(
        Attendance.objects.filter(event_id__in=[event_id for event_id, *_ in events]).values_list(
            "event_id", flat=True
        )
    )
    return [
        EventAttendance(
            title=title, starts_at=starts_at, present=present[event_id],
            recorded=taken is not None or present[event_id] > 0,
        )
        for event_id, title, starts_at, taken in reversed(events)
    ]  # fmt: skip


RatingInput = tuple[int, str]


def _validated_ratings(ratings: Mapping[str, RatingInput]) -> dict[str, RatingInput]:
    given = {str(key): value for key, value in ratings.items()}
    unknown = sorted(set(given) - set(Principle.values))
    if unknown:
        raise ApplicationError(f"Unknown principles: {', '.join(unknown)}.")
    missing = [principle for principle in Principle if principle.value not in given]
    if missing:
        raise ApplicationError(
            "Rate every one of the seven principles; missing: "
            + "; ".join(principle.label for principle in missing) + ".",
            field=missing[0].value,
        )  # fmt: skip
    cleaned: dict[str, RatingInput] = {}
    for principle in Principle:
        rating, note = given[principle.value]
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise ApplicationError(
                f"Rate “{principle.label}” from 1 (weak) to 5 (strong).", field=principle.value
            )
        note = (note or "").strip()
        if len(note) > NOTE_MAX_LENGTH:
            raise ApplicationError(
                f"The note on “{principle.label}” is longer than {NOTE_MAX_LENGTH} characters.",
                field=principle.value,
            )
        cleaned[principle.value] = (rating, note)
    return cleaned


@transaction.atomic
def health_review_create(
    *, actor: Person, community: Community, ratings: Mapping[str, RatingInput]
) -> HealthReview:
    """A lead's self-check: a rating from 1 to 5 and a note for each of the seven principles.

    All seven are required so that reviews stay comparable over time; nothing is saved when any
    rating is missing or out of range.
    """
    require_lead(actor, community)
    cleaned = _validated_ratings(ratings)
    review = HealthReview.objects.create(community=community, author=actor)
    PrincipleRating.objects.bulk_create(
        PrincipleRating(review=review, principle=principle, rating=rating, note=note)
        for principle, (rating, note) in cleaned.items()
    )
    average = sum(rating for rating, _note in cleaned.values()) / len(cleaned)
    activity_record(
        community=community, person=actor, kind=ActivityKind.HEALTH_REVIEWED,
        summary=f"against the seven principles (average {average:.1f} of 5)",
    )  # fmt: skip
    return review


@dataclass(frozen=True)
class ReviewRecord:
    """One self-check with its ratings in the principles' order."""

    review: HealthReview
    ratings: list[PrincipleRating]


def health_reviews(community: Community, *, limit: int = 10) -> list[ReviewRecord]:
    """The latest self-checks, newest first: two queries."""
    order = {principle: index for index, principle in enumerate(Principle.values)}
    reviews = (
        HealthReview.objects.filter(community=community)
        .select_related("author")
        .prefetch_related(Prefetch("ratings", queryset=PrincipleRating.objects.all()))[:limit]
    )
    return [
        ReviewRecord(
            review=review,
            ratings=sorted(review.ratings.all(), key=lambda rating: order.get(rating.principle, len(order))),
        )
        for review in reviews
    ]


# The health page's numbers, cached -------------------------------------------------------------------

SNAPSHOT_SECONDS = 15 * 60


@dataclass(frozen=True)
class HealthSnapshot:
    """Everything the health page shows, computed together at ``computed_at``."""

    report: HealthReport
    history: list[MonthLevels]
    events: list[EventAttendance]
    computed_at: datetime


def _snapshot_key(community: Community) -> str:
    """Changes whenever something the numbers depend on changes (new activity, recomputed levels)."""
    activity = Activity.objects.filter(community=community).aggregate(last=Max("id"), count=Count("id"))
    levels = Membership.objects.filter(community=community).aggregate(
        computed=Max("level_computed_at"), count=Count("id")
    )
    # Moving or cancelling an event records no activity but changes the rhythm indicators.
    events = Event.objects.filter(community=community).aggregate(changed=Max("updated_at"), count=Count("id"))
    stamps = [
        str(community.pk),
        str(activity["last"]),
        str(activity["count"]),
        str(levels["count"]),
        str(levels["computed"].timestamp() if levels["computed"] else 0),
        str(events["changed"].timestamp() if events["changed"] else 0),
        str(events["count"]),
    ]
    return "practica:health:" + ":".join(stamps)


def health_snapshot(community: Community, *, refresh: bool = False) -> HealthSnapshot:
    """The health page's report, participation history and attendance, cached for up to 15 minutes.

    A large community's numbers take a few hundred milliseconds to compute; the cache keeps page views
    fast while any new activity or recomputation gives a fresh snapshot on the next view.
    """
    key = _snapshot_key(community)
    snapshot = None if refresh else cache.get(key)
    if snapshot is None:
        now = timezone.now()
        snapshot = HealthSnapshot(
            report=community_health_report(community, now=now),
            history=participation_history(community, months=6, now=now),
            events=attendance_per_event(community, limit=20),
            computed_at=now,
        )
        cache.set(key, snapshot, SNAPSHOT_SECONDS)
    return snapshot
