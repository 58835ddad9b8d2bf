"""Strategic skills: stewards mark skills strategic with a target; the dashboard shows coverage.

Coverage comes from *evidence* levels (knowledge checks > lead > peer assessments, older evidence
weighing less: :mod:`practica.analysis.skills`), never from self-assessment alone; the self-assessed
coverage is shown beside it, with the gap. Every number is an aggregate behind ``core.privacy``:

- a skill's coverage, gap and trend are shown only when at least the minimum group size of people
  have any assessment of it (the number of people at the target level may itself be small: it is a
  count out of an allowed group, and no list says who);
- a cell of the skills x departments heat map is shown only when at least the minimum group size of
  that department's people have evidence for the skill; otherwise the cell shows the refusal;
- the bus factor is a flag, "fewer than 2 people at proficient or above", never a count or a name.

Skills of private communities are left out, as everywhere on the dashboard. The snapshot is computed
by ``practica refresh-insights`` (panel ``skills``); setting a target (:func:`skill_set_strategic`)
writes the skill at once, and the coverage follows at the next recomputation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.urls import URLPattern, path
from django.utils import timezone

from practica.analysis.portfolio import last_quarters, quarter_bounds
from practica.analysis.skills import SOURCE_PRECEDENCE, evidence_levels
from practica.calibration.models import Skill, SkillAssessment, SkillLevel
from practica.communities.models import Visibility
from practica.core.errors import ApplicationError
from practica.core.permissions import can_view_insights, require
from practica.core.privacy import guarded, min_group_size, released_rows
from practica.insights.models import InsightSnapshot
from practica.insights.panels import panel
from practica.insights.selectors import panel_for
from practica.people.models import Person, Team, TeamMembership

PROFICIENT = int(SkillLevel.PROFICIENT)
BUS_FACTOR_MIN = 2
MAX_TARGET_PEOPLE = 100_000
TREND_QUARTERS = 6
HEATMAP_SKILLS = 30  # with no strategic skill yet, the heat map shows the most assessed ones
NO_DEPARTMENT = "No department"


def public_skills_q() -> Q:
    return Q(community__isnull=True) | ~Q(community__visibility=Visibility.PRIVATE)


@transaction.atomic
def skill_set_strategic(
    *, actor: Person, skill: Skill, strategic: bool, target_people: int | None, target_level: int
) -> Skill:
    """Mark a skill strategic with a target ("at least N people at level L"), or unmark it (stewards)."""
    require(can_view_insights(actor), "Only stewards and admins set strategic skills.")
    if target_level not in SkillLevel.values:
        raise ApplicationError("Choose a target level from novice (1) to expert (5).", field="target_level")
    if strategic:
        if target_people is None or not 1 <= target_people <= MAX_TARGET_PEOPLE:
            raise ApplicationError(
                "Say how many people should reach the target level: a whole number from 1.",
                field="target_people",
            )
    else:
        target_people = None
    skill.strategic = strategic
    skill.target_people = target_people
    skill.target_level = target_level
    skill.save(update_fields=["strategic", "target_people", "target_level"])
    return skill


def strategic_skills() -> list[Skill]:
    """The strategic skills with their targets, as stored now (one query)."""
    return list(Skill.objects.filter(public_skills_q(), strategic=True).order_by("name", "pk"))


def skill_choices() -> list[tuple[int, str]]:
    """Every skill a steward may mark (private communities' skills left out), for the form."""
    return list(Skill.objects.filter(public_skills_q()).order_by("name", "pk").values_list("pk", "name"))


def _departments() -> dict[int, str]:
    """Each person's department name (their first team's top-level team)."""
    teams = {pk: (name, parent) for pk, name, parent in Team.objects.values_list("pk", "name", "parent_id")}

    def top(team: int) -> str:
        seen: set[int] = set()
        while teams[team][1] is not None and team not in seen:
            seen.add(team)
            team = teams[team][1]
        return teams[team][0]

    placed: dict[int, str] = {}
    for person, team in TeamMembership.objects.order_by("person_id", "team_id").values_list(
        "person_id", "team_id"
    ):
        # A team and its department lead to the same department: the first membership decides.
        placed.setdefault(person, top(team))
    return placed


@dataclass(frozen=True)
class Levels:
    """Per (person, skill) pair: the evidence level (0: none) and the latest self level (0: none)."""

    people: np.ndarray
    skills: np.ndarray
    evidence: np.ndarray
    self_level: np.ndarray


def _levels(rows: list[tuple[int, int, str, int, datetime]], at: datetime) -> Levels:
    """Evidence and self levels as they stood at ``at`` (assessments made later are ignored)."""
    rows = [row for row in rows if row[4] <= at]
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return Levels(empty, empty, empty, empty)
    person = np.array([row[0] for row in rows], dtype=np.int64)
    skill = np.array([row[1] for row in rows], dtype=np.int64)
    source = np.array([SOURCE_PRECEDENCE[row[2]] for row in rows], dtype=np.int64)
    level = np.array([row[3] for row in rows], dtype=np.int64)
    age = np.array([max((at - row[4]).total_seconds() / 86400, 0.0) for row in rows])
    pairs, group = np.unique(np.stack([person, skill], axis=1), axis=0, return_inverse=True)
    group = group.ravel()
    evidence, _ = evidence_levels(group, source, level, age, group_count=len(pairs))
    # Latest self-assessment per pair: sort self rows by age descending, the last write wins.
    self_level = np.zeros(len(pairs), dtype=np.int64)
    mine = source == SOURCE_PRECEDENCE["self"]
    order = np.argsort(-age[mine], kind="stable")
    self_level[group[mine][order]] = level[mine][order]
    return Levels(pairs[:, 0], pairs[:, 1], np.asarray(evidence), self_level)


def _cell(value: Any, people: int) -> dict[str, Any]:
    """A guarded aggregate as stored: the value only when the group is large enough."""
    aggregate = guarded(value, people)
    return {"shown": aggregate.shown, "value": aggregate.value}


@panel("skills", title="Strategic skills", order=45)
def compute_skills() -> dict[str, Any]:
    """Coverage per skill from evidence and from self-assessment, heat map, bus factor and trend."""
    now = timezone.now()
    threshold = min_group_size()
    skills = {
        pk: (name, strategic, target_people, target_level)
        for pk, name, strategic, target_people, target_level in Skill.objects.filter(
            public_skills_q()
        ).values_list("pk", "name", "strategic", "target_people", "target_level")
    }
    rows = list(
        SkillAssessment.objects.filter(skill_id__in=list(skills)).values_list(
            "person_id", "skill_id", "source", "level", "created_at"
        )
    )
    # Released assessments only: the figures move a month at a time (core.privacy.release_cutoff), so
    # a steward comparing two refreshes never sees one person's new assessment.
    rows = released_rows(rows, now)
    current = _levels(rows, now)
    department_of = _departments()

    per_skill: dict[int, dict[str, Any]] = {}
    assessed: dict[int, int] = defaultdict(int)
    for skill in current.skills.tolist():
        assessed[skill] += 1
    coverage_rows = []
    for pk, (name, strategic, target_people, target_level) in sorted(
        skills.items(), key=lambda item: item[1][0]
    ):
        mask = current.skills == pk
        people = int(mask.sum())
        evidence, self_level = current.evidence[mask], current.self_level[mask]
        level = target_level or PROFICIENT
        with_evidence = int((evidence > 0).sum())
        both = (evidence > 0) & (self_level > 0)
        at_target_evidence = int((evidence >= level).sum())
        at_target_self = int((self_level >= level).sum())
        mean_gap = float((self_level[both] - evidence[both]).mean()) if both.any() else None
        row = {
            "id": pk,
            "name": name,
            "strategic": strategic,
            "target_people": target_people,
            "target_level": level,
            "target_level_label": SkillLevel(level).label,
            "assessed": _cell(people, people),
            "with_evidence": _cell(with_evidence, people),
            "evidence_at_target": _cell(at_target_evidence, people),
            "self_at_target": _cell(at_target_self, people),
            "count_gap": _cell(at_target_self - at_target_evidence, people),
            "mean_gap": _cell(None if mean_gap is None else round(mean_gap, 2), int(both.sum())),
            # The bus factor is a flag about the skill, never a count or a name.
            "bus_factor_risk": bool(strategic) and int((evidence >= PROFICIENT).sum()) < BUS_FACTOR_MIN,
        }
        if strategic and target_people and guarded(at_target_evidence, people).shown:
            row["target_met"] = at_target_evidence >= target_people
        else:
            row["target_met"] = None
        per_skill[pk] = row
        coverage_rows.append(row)

    strategic_ids = [pk for pk, values in skills.items() if values[1]]
    chosen = strategic_ids or sorted(assessed, key=lambda pk: (-assessed[pk], skills[pk][0]))[:HEATMAP_SKILLS]
    chosen = sorted(chosen, key=lambda pk: skills[pk][0])
    departments = sorted({*department_of.values()}) or []
    person_department = np.array(
        [department_of.get(person, NO_DEPARTMENT) for person in current.people.tolist()], dtype=object
    )
    heatmap = []
    for pk in chosen:
        mask = current.skills == pk
        for department in [*departments, NO_DEPARTMENT]:
            cell = mask & (person_department == department) & (current.evidence > 0)
            people = int(cell.sum())
            if department == NO_DEPARTMENT and people == 0:
                continue
            heatmap.append(
                {
                    "skill": skills[pk][0],
                    "department": department,
                    "proficient": _cell(int((current.evidence[cell] >= PROFICIENT).sum()), people),
                }
            )

    trend = []
    today = timezone.localdate()
    for key in last_quarters(today, TREND_QUARTERS):
        _, last_day = quarter_bounds(key)
        end = min(timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min)), now)
        then = _levels(rows, end)
        for pk in chosen:
            mask = then.skills == pk
            level = skills[pk][3] or PROFICIENT
            trend.append(
                {
                    "quarter": key,
                    "skill": skills[pk][0],
                    "at_target": _cell(int((then.evidence[mask] >= level).sum()), int(mask.sum())),
                }
            )
    return {
        "min_group_size": threshold,
        "bus_factor_min": BUS_FACTOR_MIN,
        "skills": coverage_rows,
        "strategic": len(strategic_ids),
        "heatmap_skills": [skills[pk][0] for pk in chosen],
        "heatmap_strategic": bool(strategic_ids),
        "departments": departments,
        "heatmap": heatmap,
        "bus_factor": [
            per_skill[pk]["name"]
            for pk in sorted(strategic_ids, key=lambda pk: skills[pk][0])
            if per_skill[pk]["bus_factor_risk"]
        ],
        "trend": sorted(trend, key=lambda row: (row["skill"], row["quarter"])),
    }


@dataclass(frozen=True)
class SkillsView:
    """What the page and the API show: the stored snapshot (None: not computed yet) and its data."""

    snapshot: InsightSnapshot | None
    data: dict[str, Any] | None

    def strategic_rows(self) -> list[dict[str, Any]]:
        return [row for row in (self.data or {}).get("skills", []) if row["strategic"]]

    def other_rows(self) -> list[dict[str, Any]]:
        return [row for row in (self.data or {}).get("skills", []) if not row["strategic"]]


def skills_view(viewer: Person) -> SkillsView:
    """The stored skills panel for a steward (one query); PermissionDenied for anyone else."""
    row = panel_for(viewer, "skills")
    return SkillsView(snapshot=row, data=row.data if row is not None else None)


def heatmap_spec(data: dict[str, Any]) -> dict[str, Any]:
    """Vega-Lite heat map: skills x departments, people at proficient or above by evidence; refused
    cells are grey and labelled, never coloured by a hidden number."""
    values = [
        {
            "skill": cell["skill"],
            "department": cell["department"],
            "people": cell["proficient"]["value"] if cell["proficient"]["shown"] else None,
            "label": str(cell["proficient"]["value"]) if cell["proficient"]["shown"] else "\u2013",
        }
        for cell in data.get("heatmap", [])
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": "People at proficient or above (evidence), by department",
        "data": {"values": values},
        "width": "container",
        "height": {"step": 22},
        "layer": [
            {
                "mark": "rect",
                "encoding": {
                    "x": {"field": "department", "type": "nominal", "title": "Department"},
                    "y": {"field": "skill", "type": "nominal", "title": "Skill"},
                    "color": {
                        "condition": {"test": "datum.people === null", "value": "#dddddd"},
                        "field": "people",
                        "type": "quantitative",
                        "title": "People",
                        "scale": {"scheme": "blues"},
                    },
                    "tooltip": [
                        {"field": "skill", "type": "nominal"},
                        {"field": "department", "type": "nominal"},
                        {"field": "label", "type": "nominal", "title": "People at proficient+"},
                    ],
                },
            },
            {
                "mark": {"type": "text", "fontSize": 10},
                "encoding": {
                    "x": {"field": "department", "type": "nominal"},
                    "y": {"field": "skill", "type": "nominal"},
                    "text": {"field": "label", "type": "nominal"},
                },
            },
        ],
    }


def trend_spec(data: dict[str, Any]) -> dict[str, Any]:
    """Vega-Lite lines: people at the target level per quarter for each skill (refused points left out)."""
    values = [
        {"quarter": row["quarter"], "skill": row["skill"], "people": row["at_target"]["value"]}
        for row in data.get("trend", [])
        if row["at_target"]["shown"]
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": "People at the target level, by quarter (evidence)",
        "data": {"values": values},
        "width": "container",
        "height": 220,
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "quarter", "type": "ordinal", "title": "Quarter"},
            "y": {"field": "people", "type": "quantitative", "title": "People at target level"},
            "color": {"field": "skill", "type": "nominal", "title": "Skill"},
        },
    }


def __getattr__(name: str) -> list[URLPattern]:
    # insights/urls.py appends ``urlpatterns`` of this module; the views (views_skills.py) are
    # imported only when the URLs are read, never at import time (PEP 562; see insights/network.py).
    if name != "urlpatterns":
        raise AttributeError(name)
    from practica.insights import views_skills

    return [
        path("insights/skills/", views_skills.skills_page, name="skills"),
        path("insights/skills/strategic/", views_skills.strategic_set, name="skills-strategic"),
    ]
