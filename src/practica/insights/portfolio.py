"""The portfolio panel: every community by stage and health, with members, reach, events and value.

:func:`compute_portfolio` runs in ``practica refresh-insights`` and counts everything with a fixed
number of grouped queries (plus the health report of each community, which has its own constant
cost). :func:`portfolio_view` reads the stored snapshot and applies the page's filters, so the page,
the CSV export and the API show the same numbers.

Private communities are left out entirely: they are invisible to everyone who is not a member,
stewards included (``core/permissions.py``), and the snapshot is shared by every steward.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from practica.analysis.health import community_health
from practica.analysis.portfolio import (
    AttentionRules,
    CommunityFacts,
    attention_reasons,
    health_trend,
)
from practica.communities.health import THRESHOLDS, health_inputs
from practica.communities.models import (
    Community,
    Event,
    EventStatus,
    HealthStatus,
    Level,
    Membership,
    MembershipStatus,
    Role,
    Stage,
    Visibility,
)
from practica.core.errors import ApplicationError
from practica.core.privacy import NOT_ENOUGH_PEOPLE, check_filter_split
from practica.insights.panels import panel
from practica.knowledge.models import Cycle, Question, Relevance, ValueStory
from practica.people.models import Team, TeamKind, TeamMembership

RULES = AttentionRules()
EVENT_WINDOW_DAYS = 90
LEVELS = [level.value for level in Level]
CYCLES = [cycle.value for cycle in Cycle]


def _departments() -> tuple[dict[int, int], dict[int, str]]:
    """(team id -> its department's id, department id -> name): a team's department is its nearest
    ancestor of kind department, or its top-most ancestor when there is none. One query."""
    teams = {
        pk: (kind, parent, name)
        for pk, kind, parent, name in Team.objects.values_list("pk", "kind", "parent_id", "name")
    }

    def department_of(team_id: int) -> int:
        current: int | None = team_id
        seen: set[int] = set()
        top = team_id
        while current is not None and current not in seen:
            seen.add(current)
            kind, parent, _ = teams[current]
            if kind == TeamKind.DEPARTMENT:
                return current
            top = current
            current = parent
        return top

    mapping = {team_id: department_of(team_id) for team_id in teams}
    names = {department: teams[department][2] for department in set(mapping.values())}
    return mapping, names


def _person_units() -> tuple[dict[int, set[int]], dict[int, set[int]], dict[int, str]]:
    """Each person's teams and departments, and the departments' names: two queries."""
    department_of, department_names = _departments()
    teams: dict[int, set[int]] = defaultdict(set)
    departments: dict[int, set[int]] = defaultdict(set)
    for person_id, team_id in TeamMembership.objects.values_list("person_id", "team_id"):
        teams[person_id].add(team_id)
        departments[person_id].add(department_of[team_id])
    return teams, departments, department_names


def _health(community: Community, now: datetime) -> tuple[str, str, list[str]]:
    """(status now, status one period earlier, reasons now), by the same rules as the health page.

    Three periods are counted once each: the latest against the one before gives today's status (as
    ``community_health_report`` does), the one before against the one before that gives the earlier.
    """
    period = timedelta(days=THRESHOLDS.period_days)
    latest, before, earliest = (
        health_inputs(community, start=now - (index + 1) * period, end=now - index * period)
        for index in range(3)
    )
    current = community_health(latest, before, rules=THRESHOLDS)
    previous = community_health(before, earliest, rules=THRESHOLDS)
    return current.status, previous.status, list(current.reasons)


def compute_portfolio(now: datetime | None = None) -> dict[str, Any]:
    """Every community that is not private, with the numbers the portfolio page shows."""
    now = now or timezone.now()
    communities = list(Community.objects.exclude(visibility=Visibility.PRIVATE).order_by("name"))
    ids = [community.pk for community in communities]
    window_start = now - timedelta(days=EVENT_WINDOW_DAYS)

    memberships = list(
        Membership.objects.filter(community_id__in=ids, status=MembershipStatus.ACTIVE).values_list(
            "community_id", "person_id", "role", "level", "person__display_name"
        )
    )
    person_teams, person_departments, department_names = _person_units()
    levels: dict[int, Counter[str]] = defaultdict(Counter)
    by_department: dict[int, dict[int, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    teams_reached: dict[int, set[int]] = defaultdict(set)
    departments_reached: dict[int, set[int]] = defaultdict(set)
    leads: dict[int, list[str]] = defaultdict(list)
    sponsors: dict[int, list[str]] = defaultdict(list)
    department_people: dict[int, set[int]] = defaultdict(set)
    everyone: set[int] = set()
    for community_id, person_id, role, level, name in memberships:
        levels[community_id][level] += 1
        everyone.add(person_id)
        teams_reached[community_id] |= person_teams.get(person_id, set())
        departments_reached[community_id] |= person_departments.get(person_id, set())
        for department in person_departments.get(person_id, set()):
            by_department[community_id][department][level] += 1
            department_people[department].add(person_id)
        if role == Role.LEAD:
            leads[community_id].append(name)
        elif role == Role.SPONSOR:
            sponsors[community_id].append(name)

    events = {
        row["community_id"]: row
        for row in Event.objects.filter(community_id__in=ids)
        .values("community_id")
        .annotate(
            planned=Count("pk", filter=Q(starts_at__gte=window_start, starts_at__lte=now)),
            held=Count(
                "pk",
                filter=Q(starts_at__gte=window_start, starts_at__lte=now) & ~Q(status=EventStatus.CANCELLED),
            ),
            upcoming=Count("pk", filter=Q(starts_at__gt=now) & ~Q(status=EventStatus.CANCELLED)),
            last_held=Max("starts_at", filter=Q(starts_at__lte=now) & ~Q(status=EventStatus.CANCELLED)),
        )
    }
    stale_questions = dict(
        Question.objects.filter(
            community_id__in=ids,
            answer_count=0,
            relevance=Relevance.RELEVANT,
            created_at__lt=now - timedelta(days=RULES.open_question_days),
        )
        .values("community_id")
        .annotate(count=Count("pk"))
        .values_list("community_id", "count")
    )
    stories = {
        row["community_id"]: row
        for row in ValueStory.objects.filter(community_id__in=ids)
        .values("community_id")
        .annotate(total=Count("pk"), **{cycle: Count("pk", filter=Q(**{cycle: True})) for cycle in CYCLES})
    }

    rows = []
    for community in communities:
        pk = community.pk
        status, previous_status, reasons = _health(community, now)
        event_row = events.get(pk, {})
        last_held = event_row.get("last_held")
        days_since_event = (now - last_held).days if last_held else None
        level_counts = {level: levels[pk][level] for level in LEVELS}
        facts = CommunityFacts(
            days_since_event=days_since_event,
            stale_open_questions=stale_questions.get(pk, 0),
            leads=len(leads[pk]),
            core_members=level_counts[Level.CORE],
            health_status=status,
        )
        story_row = stories.get(pk, {})
        rows.append(
            {
                "id": pk,
                "name": community.name,
                "slug": community.slug,
                "stage": community.stage,
                "visibility": community.visibility,
                "health": status,
                "previous_health": previous_status,
                "trend": health_trend(status, previous_status),
                "health_reasons": reasons,
                "members": sum(level_counts.values()),
                "levels": level_counts,
                "levels_by_department": {
                    str(department): {level: counts[level] for level in LEVELS}
                    for department, counts in by_department[pk].items()
                },
                "leads": sorted(leads[pk]),
                "sponsors": sorted(sponsors[pk]),
                "teams_reached": len(teams_reached[pk]),
                "departments_reached": len(departments_reached[pk]),
                "events_planned": event_row.get("planned", 0),
                "events_held": event_row.get("held", 0),
                "events_upcoming": event_row.get("upcoming", 0),
                "days_since_event": days_since_event,
                "stale_open_questions": facts.stale_open_questions,
                "stories": {cycle: story_row.get(cycle, 0) for cycle in CYCLES},
                "stories_total": story_row.get("total", 0),
                "attention": attention_reasons(facts, RULES),
            }
        )
    return {
        "as_of": now.isoformat(),
        "event_window_days": EVENT_WINDOW_DAYS,
        "communities": rows,
        "people": len(everyone),
        "departments": sorted(
            (
                {"id": department, "name": department_names[department], "people": len(people)}
                for department, people in department_people.items()
            ),
            key=lambda item: str(item["name"]),
        ),
    }


# The per-department counts are only read when a department filter is used: they are stored under
# their own key so the pages without that filter do not load them.
DEPARTMENTS_KEY = "by-department"


@panel("portfolio", title="Portfolio of communities", order=10, keyed=True)
def compute_portfolio_snapshots() -> dict[str, Any]:
    """The portfolio (key ``""``) and its members by level per department and community."""
    data = compute_portfolio()
    by_department = {str(row["id"]): row.pop("levels_by_department") for row in data["communities"]}
    return {"": data, DEPARTMENTS_KEY: by_department}


# Reading the snapshot -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PortfolioFilters:
    """The page's filters, validated: a stage, a health status and a department (ids as strings)."""

    stage: str = ""
    health: str = ""
    department: str = ""

    def as_query(self) -> dict[str, str]:
        return {name: value for name, value in vars(self).items() if value}


def parse_filters(params: Any, data: dict[str, Any] | None) -> PortfolioFilters:
    """Validate filters from a query string; ApplicationError (naming the field) on an unknown value."""
    stage = (params.get("stage") or "").strip()
    health = (params.get("health") or "").strip()
    department = (params.get("department") or "").strip()
    if stage and stage not in Stage.values:
        raise ApplicationError(f"Unknown stage {stage!r}; choose one of the listed stages.", field="stage")
    if health and health not in HealthStatus.values:
        raise ApplicationError(f"Unknown health status {health!r}.", field="health")
    known = {str(item["id"]) for item in (data or {}).get("departments", [])}
    if department and department not in known:
        raise ApplicationError("Unknown department; choose one from the list.", field="department")
    return PortfolioFilters(stage=stage, health=health, department=department)


@dataclass
class PortfolioView:
    """The filtered portfolio: rows for the table and CSV, totals for the charts and the summary."""

    rows: list[dict[str, Any]]
    filters: PortfolioFilters
    department_name: str = ""
    by_stage_and_health: list[dict[str, Any]] = field(default_factory=list)
    attention: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)


def _department_levels(
    row: dict[str, Any], department: str, by_department: dict[str, Any] | None
) -> dict[str, Any]:
    """A row's member counts restricted to one department, or withheld when the split is too small."""
    levels = row.get("levels_by_department") if by_department is None else by_department.get(str(row["id"]))
    counts = (levels or {}).get(department, {level: 0 for level in LEVELS})
    part = sum(counts.values())
    try:
        check_filter_split(row["members"], [part])
    except ApplicationError:
        return {**row, "levels": None, "members": None, "withheld": NOT_ENOUGH_PEOPLE}
    return {**row, "levels": counts, "members": part, "withheld": ""}


def portfolio_view(
    data: dict[str, Any], filters: PortfolioFilters, by_department: dict[str, Any] | None = None
) -> PortfolioView:
    """Apply ``filters`` to a portfolio snapshot.

    ``by_department`` is the stored per-department snapshot (community id -> department -> level ->
    count); without it the rows' own ``levels_by_department`` are used. A department filter counts
    only that department's members in each community; it is refused
    (ApplicationError) when the department, or everyone else, is below the minimum group size across
    the portfolio, and a community where the department's part (or the rest) is too small shows the
    refusal message instead of its counts.
    """
    selected = [
        row
        for row in data["communities"]
        if (not filters.stage or row["stage"] == filters.stage)
        and (not filters.health or row["health"] == filters.health)
    ]
    department_name = ""
    if filters.department:
        department = next(item for item in data["departments"] if str(item["id"]) == filters.department)
        check_filter_split(data["people"], [department["people"]])
        department_name = department["name"]
        rows = [_department_levels(row, filters.department, by_department) for row in selected]
    else:
        rows = [{**row, "withheld": ""} for row in selected]
    # The per-department counts stay inside: only the guarded view of one department leaves this function.
    for row in rows:
        row.pop("levels_by_department", None)
        row["stage_label"] = Stage(row["stage"]).label if row["stage"] in Stage.values else row["stage"]
        row["health_label"] = _health_label(row["health"])
    matrix = Counter((row["stage"], row["health"] or "unknown") for row in rows)
    by_stage_and_health = [
        {"stage": Stage(stage).label, "health": _health_label(health), "communities": count}
        for (stage, health), count in sorted(matrix.items())
    ]
    attention = [row for row in rows if row["attention"]]
    totals = {
        "communities": len(rows),
        "events_held": sum(row["events_held"] for row in rows),
        "events_planned": sum(row["events_planned"] for row in rows),
        "stories": sum(row["stories_total"] for row in rows),
        "needs_attention": len(attention),
    }
    return PortfolioView(
        rows=rows,
        filters=filters,
        department_name=department_name,
        by_stage_and_health=by_stage_and_health,
        attention=attention,
        totals=totals,
    )


def _health_label(status: str) -> str:
    return HealthStatus(status).label if status in HealthStatus.values else "Not computed"


CSV_HEADER = [
    "community", "stage", "health", "health trend", "members",
    *[f"{level} members" for level in LEVELS],
    "teams reached", "departments reached", "events planned (90 days)", "events held (90 days)",
    "days since last event", "questions unanswered over 14 days",
    *[f"{cycle} value stories" for cycle in CYCLES],
    "value stories", "leads", "sponsors", "needs attention",
]  # fmt: skip


def csv_rows(view: PortfolioView) -> list[list[Any]]:
    """The table as CSV rows (header first): the same numbers as the page."""
    lines: list[list[Any]] = [CSV_HEADER]
    for row in view.rows:
        levels = row["levels"] or {}
        withheld = row.get("withheld") or ""
        lines.append(
            [
                row["name"], Stage(row["stage"]).label, _health_label(row["health"]), row["trend"],
                row["members"] if row["members"] is not None else withheld,
                *[levels.get(level, withheld) for level in LEVELS],
                row["teams_reached"], row["departments_reached"], row["events_planned"], row["events_held"],
                "" if row["days_since_event"] is None else row["days_since_event"],
                row["stale_open_questions"],
                *[row["stories"][cycle] for cycle in CYCLES], row["stories_total"],
                "; ".join(row["leads"]), "; ".join(row["sponsors"]), " ".join(row["attention"]),
            ]
        )  # fmt: skip
    return lines


def stage_health_spec(view: PortfolioView) -> dict[str, Any]:
    """Vega-Lite: communities per lifecycle stage, stacked by health status."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": "container",
        "height": 220,
        "data": {"values": view.by_stage_and_health},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {
                "field": "stage",
                "type": "nominal",
                "title": "Lifecycle stage",
                "axis": {"labelAngle": 0},
                "sort": [s.label for s in Stage],
            },
            "y": {
                "field": "communities",
                "type": "quantitative",
                "title": "Communities",
                "axis": {"tickMinStep": 1},
            },
            "color": {
                "field": "health",
                "type": "nominal",
                "title": "Health",
                "sort": ["Thriving", "Steady", "At risk", "Dormant", "Not computed"],
                "scale": {
                    "domain": ["Thriving", "Steady", "At risk", "Dormant", "Not computed"],
                    "range": ["#1b7f4d", "#6a9fd8", "#e0a526", "#b3261e", "#9aa0a6"],
                },
            },
        },
    }


def levels_spec(view: PortfolioView) -> dict[str, Any]:
    """Vega-Lite: members of each community by participation level (withheld rows left out)."""
    values = [
        {"community": row["name"], "level": Level(level).label, "members": count, "order": index}
        for row in view.rows
        if row["levels"] is not None
        for index, (level, count) in enumerate(row["levels"].items())
        if count
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": "container",
        "height": {"step": 22},
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "community", "type": "nominal", "title": None},
            "x": {"field": "members", "type": "quantitative", "title": "Members", "stack": "zero"},
            "color": {
                "field": "level",
                "type": "nominal",
                "title": "Participation",
                "sort": [level.label for level in Level],
                "scale": {"scheme": "blues", "reverse": True},
            },
            "order": {"field": "order", "type": "quantitative"},
        },
    }
