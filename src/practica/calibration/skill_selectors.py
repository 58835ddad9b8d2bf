"""Reads of skills and assessments, scoped to what the viewer may see (specs/calibration.md §3, §5).

- A skill is visible with its community: organisation-wide skills to everyone signed in, a private
  community's skills only to its active members (a 404 otherwise, as on every community page).
- A person's assessments, evidence levels and gaps are read only for the signed-in person themselves
  (:func:`my_skill_evidence`, :func:`assessments_received`); an assessor reads only what they gave
  (:func:`assessments_given`). No selector here returns another person's picture.
- Group coverage (:func:`community_skill_coverage`) is an aggregate behind ``core.privacy.guarded``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from practica.analysis.calibration import CBMSummary, brier_score, cbm_summary
from practica.analysis.skills import (
    SOURCE_PRECEDENCE,
    SOURCES,
    Evidence,
    EvidenceLevel,
    calibration_gap,
    combine_evidence,
    current_self_level,
    evidence_levels,
)
from practica.calibration.models import (
    AssessmentSource,
    CalibrationRecord,
    RecordSource,
    Skill,
    SkillAssessment,
    SkillLevel,
)
from practica.communities.models import Community, Level, Membership, MembershipStatus
from practica.core.permissions import community_content_q
from practica.core.privacy import Aggregate, check_filter_split, guarded, release_cutoff, released_rows
from practica.people.models import Person

SECONDS_PER_DAY = 86_400.0


def skills_visible_q(person: Person) -> Q:
    """Filter for skills ``person`` may see: organisation-wide ones and those of readable communities."""
    readable = Community.objects.filter(community_content_q(person)).values("pk")
    return Q(community__isnull=True) | Q(community__in=readable)


@dataclass(frozen=True)
class SkillNode:
    """A skill placed in its tree: depth 0 at the top, its sub-skills in ``children``."""

    skill: Skill
    depth: int
    children: list[SkillNode] = field(default_factory=list)


def _tree(skills: list[Skill]) -> list[SkillNode]:
    """The top-level nodes, children by name; a skill whose parent is outside the list starts a tree."""
    known = {skill.pk for skill in skills}
    children: dict[int | None, list[Skill]] = defaultdict(list)
    for skill in skills:
        children[skill.parent_id if skill.parent_id in known else None].append(skill)
    for siblings in children.values():
        siblings.sort(key=lambda skill: (skill.name.lower(), skill.pk))

    def build(skill: Skill, depth: int, seen: frozenset[int]) -> SkillNode:
        kids = [child for child in children.get(skill.pk, []) if child.pk not in seen]
        return SkillNode(skill, depth, [build(child, depth + 1, seen | {child.pk}) for child in kids])

    return [build(skill, 0, frozenset({skill.pk})) for skill in children[None]]


def flatten(nodes: list[SkillNode]) -> list[SkillNode]:
    """Depth-first order: every node comes after its parent."""
    flat: list[SkillNode] = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        flat.append(node)
        stack.extend(reversed(node.children))
    return flat


def organisation_skill_tree() -> list[SkillNode]:
    """Every organisation-wide skill as a tree (one query)."""
    return _tree(list(Skill.objects.filter(community__isnull=True)))


def community_skill_tree(community: Community) -> list[SkillNode]:
    """A community's own skills as a tree (one query). Callers have checked the community."""
    return _tree(list(Skill.objects.filter(community=community)))


def skill_for(person: Person, pk: int) -> Skill:
    """A skill ``person`` may see, or 404 (a private community's skill for a non-member included)."""
    skill = (
        Skill.objects.filter(skills_visible_q(person), pk=pk).select_related("community", "parent").first()
    )
    if skill is None:
        raise Http404("No such skill.")
    return skill


def skill_ancestors(skill: Skill) -> list[Skill]:
    """The skill's parents from the top down (one query for the scope)."""
    scope = (
        Skill.objects.filter(community=skill.community)
        if skill.community_id
        else Skill.objects.filter(community__isnull=True)
    )
    by_id = {candidate.pk: candidate for candidate in scope.only("pk", "name", "parent_id")}
    chain: list[Skill] = []
    node = by_id.get(skill.parent_id) if skill.parent_id else None
    while node is not None and node not in chain:
        chain.append(node)
        node = by_id.get(node.parent_id) if node.parent_id else None
    return list(reversed(chain))


def skill_children(skill: Skill) -> QuerySet[Skill]:
    return Skill.objects.filter(parent=skill).order_by("name", "pk")


def parent_choices(community: Community | None, *, moving: Skill | None = None) -> list[SkillNode]:
    """Skills a skill of this scope may sit under; when moving, not the skill or its sub-skills."""
    nodes = flatten(organisation_skill_tree() if community is None else community_skill_tree(community))
    if moving is None:
        return nodes
    excluded: set[int] = {moving.pk}
    for node in nodes:  # depth-first order: a descendant always comes after its parent
        if node.skill.parent_id in excluded:
            excluded.add(node.skill.pk)
    return [node for node in nodes if node.skill.pk not in excluded]


def assessments_received(person: Person, skill: Skill | None = None) -> QuerySet[SkillAssessment]:
    """The signed-in person's own assessments, newest first, with who gave them. Call only for oneself."""
    received = SkillAssessment.objects.filter(
        person=person, skill__in=Skill.objects.filter(skills_visible_q(person))
    )
    if skill is not None:
        received = received.filter(skill=skill)
    return received.select_related(
        "assessor", "skill", "skill__community", "attempt", "attempt__check_ref__community"
    ).order_by("-created_at", "-id")


def assessments_given(assessor: Person, skill: Skill | None = None) -> QuerySet[SkillAssessment]:
    """Peer and lead assessments ``assessor`` gave to others: all an assessor may see of them."""
    given = SkillAssessment.objects.filter(
        assessor=assessor, source__in=[AssessmentSource.PEER, AssessmentSource.LEAD]
    ).exclude(person=assessor)
    if skill is not None:
        given = given.filter(skill=skill)
    return given.select_related("person", "skill").order_by("-created_at", "-id")


def assessment_for(person: Person, pk: int) -> SkillAssessment:
    """One assessment the viewer received or gave; anyone else's is a 404."""
    assessment = (
        SkillAssessment.objects.filter(Q(person=person) | Q(assessor=person), pk=pk)
        .select_related("person", "assessor", "skill")
        .first()
    )
    if assessment is None:
        raise Http404("No such assessment.")
    return assessment


@dataclass(frozen=True)
class SkillEvidence:
    """One skill on the person's own calibration page: their view, the evidence and the gap."""

    skill: Skill
    self_level: int | None
    evidence: EvidenceLevel | None
    gap: int | None
    assessments: list[SkillAssessment] = field(default_factory=list)

    @property
    def evidence_level(self) -> int | None:
        return self.evidence.level if self.evidence else None

    @property
    def used(self) -> list[SkillAssessment]:
        """The assessments the evidence level was computed from."""
        if self.evidence is None:
            return []
        return [assessment for assessment in self.assessments if assessment.source == self.evidence.source]

    @property
    def self_label(self) -> str:
        return SkillLevel(self.self_level).label if self.self_level else ""

    @property
    def evidence_label(self) -> str:
        return SkillLevel(self.evidence.level).label if self.evidence else ""


def age_in_days(moment: datetime, now: datetime) -> float:
    return max((now - moment).total_seconds() / SECONDS_PER_DAY, 0.0)


def _as_evidence(assessments: list[SkillAssessment], now: datetime) -> list[Evidence]:
    return [Evidence(a.source, a.level, age_in_days(a.created_at, now)) for a in assessments]


def my_skill_evidence(
    person: Person, *, skill: Skill | None = None, now: datetime | None = None
) -> list[SkillEvidence]:
    """Per skill the person has been assessed in (or just ``skill``): latest self level, evidence
    level, gap, and every assessment behind them (one query). For the signed-in person only."""
    now = now or timezone.now()
    by_skill: dict[int, list[SkillAssessment]] = defaultdict(list)
    skills: dict[int, Skill] = {}
    for assessment in assessments_received(person, skill):
        by_skill[assessment.skill_id].append(assessment)
        skills[assessment.skill_id] = assessment.skill
    rows = []
    for skill_id, assessments in by_skill.items():
        evidence = _as_evidence(assessments, now)
        combined = combine_evidence(evidence)
        self_level = current_self_level(evidence)
        rows.append(
            SkillEvidence(
                skill=skills[skill_id],
                self_level=self_level,
                evidence=combined,
                gap=calibration_gap(self_level, combined.level if combined else None),
                assessments=assessments,
            )
        )
    # Largest over-estimates first: that is where a person learns most about their blind spots.
    rows.sort(key=lambda row: (-(row.gap if row.gap is not None else -99), row.skill.name.lower()))
    return rows


# Group views -------------------------------------------------------------------------------------

PROFICIENT = int(SkillLevel.PROFICIENT)


@dataclass(frozen=True)
class SkillCoverage:
    """How many of a group's people have evidence in a skill, how many at proficient or above, and
    the group's mean gap between self-assessed and evidence level."""

    with_evidence: int
    proficient_or_above: int
    mean_gap: float | None


@dataclass(frozen=True)
class CoverageRow:
    skill: Skill
    coverage: Aggregate[SkillCoverage]


@dataclass(frozen=True)
class GroupCalibration:
    """CBM and forecast aggregates of a group's records made in the community."""

    cbm: Aggregate[CBMSummary]
    forecasts: Aggregate[float]


@dataclass(frozen=True)
class CommunityCalibrationView:
    level: str
    rows: list[CoverageRow]
    calibration: GroupCalibration
    members: int


def _member_ids(community: Community, level: str = "") -> list[int]:
    members = Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE)
    if level:
        members = members.filter(level=level)
    return list(members.values_list("person_id", flat=True))


def _coverage(
    skills: list[Skill], member_ids: list[int], now: datetime
) -> tuple[dict[int, Aggregate[SkillCoverage]], dict[int, int]]:
    """Guarded coverage per skill over ``member_ids`` (one query), and people with evidence per skill."""
    skill_index = {skill.pk: index for index, skill in enumerate(skills)}
    person_index = {person_id: index for index, person_id in enumerate(member_ids)}
    rows = (
        list(
            SkillAssessment.objects.filter(skill__in=skills, person_id__in=member_ids).values_list(
                "person_id", "skill_id", "source", "level", "created_at"
            )
        )
        if skills and member_ids
        else []
    )
    # Released figures only (core.privacy.release_cutoff), aged as of the cut-off.
    cutoff = release_cutoff(((r[4], r[0]) for r in rows), now)
    waiting: dict[int, set[int]] = defaultdict(set)  # skill -> people whose evidence is not released yet
    for r in rows:
        waiting[r[1]].add(r[0])
    rows = [r for r in rows if cutoff is not None and r[4] < cutoff]
    now = cutoff or now
    people = len(member_ids)
    size = people * len(skills)
    if rows:
        groups = np.array([skill_index[r[1]] * people + person_index[r[0]] for r in rows], dtype=np.int64)
        codes = np.array([SOURCE_PRECEDENCE[r[2]] for r in rows], dtype=np.int64)
        levels = np.array([r[3] for r in rows], dtype=np.int64)
        ages = np.array([age_in_days(r[4], now) for r in rows])
        evidence, _ = evidence_levels(groups, codes, levels, ages, group_count=size)
        # Latest self level per group: sort by age descending so the youngest is written last.
        self_levels = np.zeros(size, dtype=np.int64)
        is_self = codes == SOURCE_PRECEDENCE["self"]
        order = np.argsort(-ages[is_self], kind="stable")
        self_levels[groups[is_self][order]] = levels[is_self][order]
    else:
        evidence = np.zeros(size, dtype=np.int64)
        self_levels = np.zeros(size, dtype=np.int64)
    result: dict[int, Aggregate[SkillCoverage]] = {}
    counts: dict[int, int] = {}
    for skill in skills:
        start = skill_index[skill.pk] * people
        levels_here = evidence[start : start + people]
        selves = self_levels[start : start + people]
        has = levels_here > 0
        both = has & (selves > 0)
        with_evidence = int(has.sum())
        mean_gap = float((selves[both] - levels_here[both]).mean()) if both.sum() >= 1 else None
        gap_shown = guarded(mean_gap, int(both.sum())).value
        counts[skill.pk] = with_evidence
        if not with_evidence and waiting[skill.pk]:  # evidence exists, none of it released yet
            result[skill.pk] = Aggregate(value=None, people=len(waiting[skill.pk]), shown=False)
            continue
        result[skill.pk] = guarded(
            SkillCoverage(with_evidence, int((levels_here >= PROFICIENT).sum()), gap_shown), with_evidence
        )
    return result, counts


def _group_calibration(
    community: Community, member_ids: list[int], now: datetime
) -> tuple[GroupCalibration, int, int]:
    """CBM summary and Brier score over the members' records made in this community (two queries),
    released figures only (they move a month at a time, see ``core.privacy.release_cutoff``)."""
    certainty_rows = released_rows(
        CalibrationRecord.objects.filter(
            community=community, person_id__in=member_ids, certainty__isnull=False
        ).values_list("person_id", "fraction", "certainty", "resolved_at"),
        now,
    )
    forecast_rows = released_rows(
        CalibrationRecord.objects.filter(
            community=community,
            person_id__in=member_ids,
            source=RecordSource.FORECAST,
            probability__isnull=False,
        ).values_list("person_id", "probability", "fraction", "resolved_at"),
        now,
    )
    cbm_people = len({row[0] for row in certainty_rows})
    forecast_people = len({row[0] for row in forecast_rows})
    cbm: Aggregate[CBMSummary] = (
        guarded(cbm_summary([r[1] for r in certainty_rows], [r[2] for r in certainty_rows]), cbm_people)
        if certainty_rows
        else Aggregate(value=None, people=0, shown=False)
    )
    forecasts: Aggregate[float] = (
        guarded(
            brier_score([float(r[1] or 0.0) for r in forecast_rows], [r[2] for r in forecast_rows]),
            forecast_people,
        )
        if forecast_rows
        else Aggregate(value=None, people=0, shown=False)
    )
    return GroupCalibration(cbm=cbm, forecasts=forecasts), cbm_people, forecast_people


def community_skill_coverage(community: Community, *, level: str = "") -> CommunityCalibrationView:
    """Skill coverage and calibration aggregates over a community's active members, optionally only
    those at one participation level. Never an individual's numbers: every figure is guarded, and a
    level filter that would leave (or split off) a group below the threshold is refused with
    :class:`ApplicationError` (``check_filter_split``), so two allowed figures cannot be subtracted.
    """
    if level and level not in Level.values:
        level = ""
    now = timezone.now()
    skills = list(
        Skill.objects.filter(Q(community=community) | Q(community__isnull=True)).select_related("community")
    )
    skills.sort(key=lambda skill: (skill.community_id is None, skill.name.lower()))
    everyone = _member_ids(community)
    members = _member_ids(community, level) if level else everyone
    coverage, counts = _coverage(skills, members, now)
    calibration, cbm_people, forecast_people = _group_calibration(community, members, now)
    if level:
        _, whole_counts = _coverage(skills, everyone, now)
        _, whole_cbm, whole_forecast = _group_calibration(community, everyone, now)
        check_filter_split(len(everyone), [len(members)])
        for skill in skills:
            check_filter_split(whole_counts[skill.pk], [counts[skill.pk]])
        check_filter_split(whole_cbm, [cbm_people])
        check_filter_split(whole_forecast, [forecast_people])
    rows = [CoverageRow(skill, coverage[skill.pk]) for skill in skills]
    return CommunityCalibrationView(level=level, rows=rows, calibration=calibration, members=len(members))


def source_label(code: int) -> str:
    return AssessmentSource(SOURCES[code]).label
