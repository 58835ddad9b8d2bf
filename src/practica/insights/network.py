"""The knowledge network panel: interactions read from the database, analysed as flows between teams.

``compute_network`` (registered as the ``network`` panel, run by ``practica refresh-insights``) reads
every interaction with a handful of ``values_list`` queries, hands plain data to
:mod:`practica.analysis.network`, and stores team-level results only: no person is named in the
snapshot. :func:`network_view` is what the page and the API read (one query).

Privacy and scope:

- Teams with fewer people than the minimum group size (``core.privacy``) are merged, per department,
  into one "small teams" group; such a group still below the threshold counts in the organisation's
  totals but is not drawn or listed. People in no team form a group "No team" by the same rule.
- Brokers are shown as counts per team and per department. A broker is named only with their consent
  (``Person.listed_as_broker``, set on their profile): the snapshot keeps the ids and scores of
  consenting brokers alone, and :func:`network_view` drops anyone who has withdrawn since, so taking
  consent back takes effect on the next page view.
- Private communities are left out entirely (their events and questions are for their members), as
  everywhere on the dashboard. Anonymous review items do not count as participation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.urls import URLPattern, path
from django.utils import timezone

from practica.analysis.network import (
    WEIGHTS,
    Gathering,
    GatheringKind,
    LearningTie,
    NetworkReport,
    NetworkRule,
    TieKind,
    analyse,
    backbone,
    half_life_note,
    layout,
)
from practica.communities.models import Attendance, Visibility
from practica.core.privacy import min_group_size
from practica.insights.models import InsightSnapshot
from practica.insights.panels import panel
from practica.insights.selectors import panel_for
from practica.knowledge.models import Answer, Outcome
from practica.learning.models import LearningGoal, ReviewItem
from practica.people.models import Person, Team, TeamKind, TeamMembership

NO_TEAM = "none"
EDGES_PER_TEAM = 3  # the drawing shows each team's strongest ties; the tables keep all of them
TOP_FLOWS = 25
NAMED_BROKERS = 100  # the most even spreads among those who agreed to be named


@dataclass(frozen=True)
class Units:
    """People grouped into the units the network is shown by (teams, or merged small teams)."""

    unit_of: dict[int, str]  # person -> unit key
    names: dict[str, str]  # unit key -> label
    department_of: dict[str, str]  # unit key -> department label (the formal partition)
    size: dict[str, int]  # unit key -> people


def units(threshold: int) -> Units:
    """Each person's team, or their department's "small teams" group when the team is too small."""
    teams = {
        pk: (name, kind, parent)
        for pk, name, kind, parent in Team.objects.values_list("pk", "name", "kind", "parent_id")
    }

    def department(team: int) -> int:
        seen = set()
        while teams[team][2] is not None and team not in seen:
            seen.add(team)
            team = teams[team][2]
        return team

    team_of: dict[int, int] = {}
    for person, team in TeamMembership.objects.order_by("person_id", "team_id").values_list(
        "person_id", "team_id"
    ):
        # Someone in several teams counts in the first, and in a team rather than its department.
        if person not in team_of or teams[team_of[person]][1] == TeamKind.DEPARTMENT:
            team_of[person] = team
    members: dict[int, int] = defaultdict(int)
    for team in team_of.values():
        members[team] += 1
    unit_of: dict[int, str] = {}
    names: dict[str, str] = {}
    department_of: dict[str, str] = {}
    for person in Person.objects.values_list("pk", flat=True):
        placed = team_of.get(person)
        if placed is None:
            key, name, parent = NO_TEAM, "No team", "No team"
        else:
            parent = teams[department(placed)][0]
            if members[placed] >= threshold:
                key, name = f"team-{placed}", teams[placed][0]
            else:
                key, name = f"small-{department(placed)}", f"Small teams in {parent}"
        unit_of[person] = key
        names[key] = name
        department_of[key] = parent
    size: dict[str, int] = defaultdict(int)
    for key in unit_of.values():
        size[key] += 1
    return Units(unit_of=unit_of, names=names, department_of=department_of, size=dict(size))


def _age(now: datetime, when: datetime | None) -> float:
    return (now - when).total_seconds() / 86400 if when is not None else 0.0


def interactions(now: datetime) -> tuple[list[LearningTie], list[Gathering], dict[str, int]]:
    """Every interaction the network is built from, in five queries; private communities left out."""
    public = ~Q(question__community__visibility=Visibility.PRIVATE)
    ties: list[LearningTie] = []
    counts: dict[str, int] = defaultdict(int)
    answers = (
        Answer.objects.filter(public, Q(accepted=True) | Q(outcome=Outcome.WORKED))
        .filter(author__isnull=False, question__author__isnull=False)
        .values_list("question__author_id", "author_id", "outcome", "outcome_at", "accepted_at", "created_at")
    )
    for learner, teacher, outcome, outcome_at, accepted_at, created_at in answers.iterator(chunk_size=5000):
        worked = outcome == Outcome.WORKED
        kind = TieKind.ANSWER_WORKED if worked else TieKind.ANSWER_ACCEPTED
        when = (outcome_at if worked else accepted_at) or created_at
        ties.append(LearningTie(learner, teacher, kind, _age(now, when), via_community=True))
        counts[kind] += 1
    mentoring = LearningGoal.shared_with.through.objects.values_list(
        "learninggoal__person_id", "person_id", "learninggoal__created_at"
    )
    for learner, mentor, created_at in mentoring.iterator(chunk_size=5000):
        ties.append(LearningTie(learner, mentor, TieKind.MENTORING, _age(now, created_at)))
        counts[TieKind.MENTORING] += 1

    gatherings: list[Gathering] = []
    attendance = (
        Attendance.objects.exclude(event__community__visibility=Visibility.PRIVATE)
        .filter(event__starts_at__lte=now)
        .order_by("event_id")
        .values_list("event_id", "person_id", "event__starts_at")
    )
    _collect(gatherings, attendance.iterator(chunk_size=10000), GatheringKind.EVENT, now, lambda _: True)
    counts[GatheringKind.EVENT] = len(gatherings)
    items = (
        ReviewItem.objects.filter(anonymous=False, author__isnull=False)
        .exclude(review__community__visibility=Visibility.PRIVATE)
        .order_by("review_id")
        .values_list("review_id", "author_id", "review__held_at", "review__community_id")
    )
    before = len(gatherings)
    _collect(
        gatherings,
        items.iterator(chunk_size=10000),
        GatheringKind.REVIEW,
        now,
        lambda row: row[3] is not None,
    )
    counts[GatheringKind.REVIEW] = len(gatherings) - before
    return ties, gatherings, dict(counts)


def _collect(
    into: list[Gathering], rows: Any, kind: GatheringKind, now: datetime, via_community: Any
) -> None:
    """Group rows ordered by their first column (event or review) into gatherings."""
    current: Any = None
    people: set[int] = set()
    last: tuple[Any, ...] = ()
    for row in rows:
        if row[0] != current and current is not None:
            into.append(Gathering(tuple(sorted(people)), kind, _age(now, last[2]), via_community(last)))
            people = set()
        current, last = row[0], row
        people.add(row[1])
    if current is not None:
        into.append(Gathering(tuple(sorted(people)), kind, _age(now, last[2]), via_community(last)))


def _summary(report: NetworkReport) -> dict[str, Any]:
    return {
        "total_weight": round(report.total_weight, 2),
        "cross_group_share": round(report.cross_group_share, 4),
        "modularity_formal": round(report.modularity_formal, 4),
        "modularity_detected": round(report.modularity_detected, 4),
        "clusters": report.clusters,
        "agreement": round(report.agreement, 4),
        "brokers": report.brokers,
        "silos": report.silos,
    }


@panel("network", title="Knowledge network", order=40)
def compute_network() -> dict[str, Any]:
    """The team-level knowledge network, with and without community interactions."""
    now = timezone.now()
    threshold = min_group_size()
    rule = NetworkRule()
    grouping = units(threshold)
    ties, gatherings, counts = interactions(now)
    formal: dict[Hashable, Hashable] = dict(grouping.department_of.items())
    group_of: dict[int, Hashable] = dict(grouping.unit_of.items())
    with_communities = analyse(group_of, formal, ties, gatherings, rule=rule)
    without = analyse(group_of, formal, ties, gatherings, rule=rule, include_community=False)
    without_by_unit = {result.group: result for result in without.groups}

    shown = [
        result for result in with_communities.groups if grouping.size.get(str(result.group), 0) >= threshold
    ]
    index = {result.group: position for position, result in enumerate(shown)}
    graph = with_communities.graph
    assert graph is not None
    position_of = {group: position for position, group in enumerate(graph.groups)}
    keep = [position_of[result.group] for result in shown]
    flow = graph.flow[keep][:, keep]
    edges = backbone(flow, per_node=EDGES_PER_TEAM)
    positions = layout(edges, len(shown), seed=rule.seed)

    def share(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    unit_rows = []
    for position, result in enumerate(shown):
        key = str(result.group)
        before = without_by_unit[result.group]
        unit_rows.append(
            {
                "id": key,
                "name": grouping.names[key],
                "department": grouping.department_of[key],
                "people": grouping.size[key],
                "internal": round(result.internal, 3),
                "external": round(result.external, 3),
                "inflow": round(result.inflow, 3),
                "outflow": round(result.outflow, 3),
                "external_share": share(result.external_share),
                "silo": result.silo,
                "cluster": result.cluster,
                "brokers": result.brokers,
                "external_share_without": share(before.external_share),
                "silo_without": before.silo,
                "x": positions[position][0],
                "y": positions[position][1],
            }
        )
    departments: dict[str, dict[str, Any]] = {}
    for result in with_communities.groups:
        key = str(result.group)
        row = departments.setdefault(
            grouping.department_of[key],
            {
                "name": grouping.department_of[key],
                "people": 0,
                "brokers": 0,
                "brokers_without": 0,
                "silos": 0,
            },
        )
        row["people"] += grouping.size.get(key, 0)
        row["brokers"] += result.brokers
        row["brokers_without"] += without_by_unit[result.group].brokers
        row["silos"] += result.silo
    department_rows = [
        row for row in sorted(departments.values(), key=lambda row: row["name"]) if row["people"] >= threshold
    ]
    flows = [
        {"source": str(source), "target": str(target), "weight": round(weight, 3)}
        for source, target, weight in with_communities.flows
        if source in index and target in index
    ][:TOP_FLOWS]
    return {
        "people": len(grouping.unit_of),
        "named_brokers": _consenting_brokers(with_communities),
        "units": len(with_communities.groups),
        "hidden_units": len(with_communities.groups) - len(shown),
        "min_group_size": threshold,
        "rule": {
            "half_life_days": rule.half_life_days,
            "decay": half_life_note(rule.half_life_days),
            "silo_share": rule.silo_share,
            "broker_participation": rule.broker_participation,
            "broker_min_strength": rule.broker_min_strength,
            "weights": {str(kind): weight for kind, weight in WEIGHTS.items()},
        },
        "interactions": counts,
        "with_communities": _summary(with_communities),
        "without_communities": _summary(without),
        "units_table": unit_rows,
        "edges": [
            {"source": str(shown[a].group), "target": str(shown[b].group), "weight": round(w, 3)}
            for a, b, w in edges
        ],
        "hidden_edges": int((flow + flow.T > 0).sum() // 2) - len(edges),
        "flows": flows,
        "departments": department_rows,
    }


def _consenting_brokers(report: NetworkReport) -> list[dict[str, Any]]:
    """Brokers who agreed to be named, most even spread first: ids and scores only (names are read
    when the page is shown, so a changed name or a withdrawn consent is never out of date)."""
    consenting = set(
        Person.objects.filter(listed_as_broker=True).values_list("pk", flat=True).iterator(chunk_size=10000)
    )
    return [
        {"person": person, "participation": round(coefficient, 3), "strength": round(strength, 2)}
        for person, coefficient, strength in report.ranked_brokers
        if person in consenting
    ][:NAMED_BROKERS]


@dataclass(frozen=True)
class NetworkView:
    """What the page and the API show: the stored snapshot (None: not computed yet) and its data."""

    snapshot: InsightSnapshot | None
    data: dict[str, Any] | None

    @property
    def names(self) -> dict[str, str]:
        return {row["id"]: row["name"] for row in (self.data or {}).get("units_table", [])}

    def silos(self) -> list[dict[str, Any]]:
        rows = [row for row in (self.data or {}).get("units_table", []) if row["external_share"] is not None]
        return sorted(rows, key=lambda row: (row["external_share"], row["name"]))[:25]

    def isolated(self) -> int:
        return sum(1 for row in (self.data or {}).get("units_table", []) if row["external_share"] is None)

    def became_silos_without_communities(self) -> int:
        return sum(
            1 for row in (self.data or {}).get("units_table", []) if row["silo_without"] and not row["silo"]
        )

    def flows(self) -> list[dict[str, Any]]:
        names = self.names
        return [
            {
                **flow,
                "source_name": names.get(flow["source"], ""),
                "target_name": names.get(flow["target"], ""),
            }
            for flow in (self.data or {}).get("flows", [])
        ]


def network_view(viewer: Person) -> NetworkView:
    """The stored network panel for a steward (one query; two more when brokers agreed to be named);
    PermissionDenied for anyone else. Named brokers are those who still consent, with their current
    name and teams."""
    row = panel_for(viewer, "network")
    if row is None:
        return NetworkView(snapshot=None, data=None)
    return NetworkView(snapshot=row, data={**row.data, "named_brokers": _still_consenting(row.data)})


def _still_consenting(data: dict[str, Any]) -> list[dict[str, Any]]:
    stored = data.get("named_brokers", [])
    if not stored:
        return []
    people = {
        person.pk: person
        for person in Person.objects.filter(
            pk__in=[row["person"] for row in stored], listed_as_broker=True
        ).prefetch_related("team_memberships__team")
    }
    return [
        {
            **row,
            "name": people[row["person"]].display_name,
            "teams": sorted(m.team.name for m in people[row["person"]].team_memberships.all()),
        }
        for row in stored
        if row["person"] in people
    ]


def __getattr__(name: str) -> list[URLPattern]:
    # insights/urls.py appends ``urlpatterns`` of this module; the views live in views_network.py
    # (interfaces apart from the computation) and are imported only when the URLs are read, so
    # importing either module first never meets a half-initialised other (PEP 562).
    if name != "urlpatterns":
        raise AttributeError(name)
    from practica.insights import views_network

    return [path("insights/network/", views_network.network_page, name="network")]
