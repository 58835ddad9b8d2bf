"""Every read of causal loop diagrams, already limited to what the viewer may see.

``diagram_state`` is what the editor draws and what the API returns after every change: variables,
links, loops (R1, B1 ... with sentences) and archetype suggestions, with ids the drawing can highlight.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from practica.analysis.archetypes import ArchetypeReport, detect_archetypes_report
from practica.analysis.loops import LoopReport, find_loops
from practica.communities.models import Community, Membership, MembershipStatus
from practica.core.errors import ApplicationError
from practica.core.permissions import can_edit_diagram, diagram_editable_q, diagram_visible_q
from practica.learning.models import Assumption
from practica.people.models import Person, Team, TeamMembership
from practica.systems.diagrams import assumption_choices_q
from practica.systems.models import Diagram, DiagramVersion, Link, OwnerKind, Variable

NOT_AN_EDITOR = "Only the people who keep this diagram can change it (its team, community members or owner)."
# Analysis results are keyed by diagram version: moving variables does not change loops or archetypes.
_ANALYSIS_TTL = 60 * 60


def _count(model: type[Variable] | type[Link]) -> Coalesce:
    counted = (
        model.objects.filter(diagram=OuterRef("pk"))
        .order_by()
        .values("diagram")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def diagram_list_for(
    person: Person,
    *,
    community: Community | None = None,
    team: Team | None = None,
    personal: bool = False,
    editable: bool = False,
) -> QuerySet[Diagram]:
    """Diagrams ``person`` may see, most recently changed first, with variable and link counts.

    ``personal`` keeps the person's own diagrams; ``editable`` those they may change (theirs, their
    teams', their communities').
    """
    diagrams = (
        Diagram.objects.filter(diagram_visible_q(person))
        .select_related("team", "community", "person")
        .annotate(variable_count=_count(Variable), link_count=_count(Link))
        .order_by("-updated_at", "-id")
    )
    if community is not None:
        diagrams = diagrams.filter(community=community)
    if team is not None:
        diagrams = diagrams.filter(team=team)
    if personal:
        diagrams = diagrams.filter(person=person)
    if editable:
        diagrams = diagrams.filter(diagram_editable_q(person))
    return diagrams


def diagram_for(person: Person, diagram_id: int, *, write: bool = False) -> Diagram:
    """The diagram if ``person`` may see it (404 otherwise); with ``write``, 403 unless they may change it."""
    diagram = (
        Diagram.objects.filter(diagram_visible_q(person), pk=diagram_id)
        .select_related("team", "community", "person")
        .first()
    )
    if diagram is None:
        raise Http404("No such diagram.")
    if write and not can_edit_diagram(person, diagram):
        raise PermissionDenied(NOT_AN_EDITOR)
    return diagram


def team_for(person: Person, slug: str) -> Team:
    """A team whose diagrams ``person`` may see: its members only (404 for everyone else)."""
    team = Team.objects.filter(slug=slug).first()
    if team is None or not TeamMembership.objects.filter(team=team, person=person).exists():
        raise Http404("No such team.")
    return team


def version_list(diagram: Diagram) -> QuerySet[DiagramVersion]:
    """The change log, newest first, without the snapshots."""
    return DiagramVersion.objects.filter(diagram=diagram).select_related("author").defer("snapshot")


def version_get(diagram: Diagram, number: int) -> DiagramVersion:
    version = DiagramVersion.objects.filter(diagram=diagram, number=number).select_related("author").first()
    if version is None:
        raise Http404("No such version.")
    return version


# Owners, assumptions and communities to choose from -----------------------------------------------


def owner_choices(person: Person) -> list[tuple[str, str]]:
    """Where the person may keep a new diagram: privately, in one of their teams or communities."""
    choices = [("person", "Just me (private)")]
    teams = Team.objects.filter(memberships__person=person).order_by("name")
    choices.extend((f"team:{team.slug}", f"Team: {team.name}") for team in teams)
    communities = Community.objects.filter(
        memberships__person=person, memberships__status=MembershipStatus.ACTIVE
    ).order_by("name")
    choices.extend(
        (f"community:{community.slug}", f"Community: {community.name}") for community in communities
    )
    return choices


def parse_owner(person: Person, value: str) -> tuple[str, Team | None, Community | None]:
    """Read an owner choice (``person``, ``team:<slug>`` or ``community:<slug>``)."""
    kind, _, slug = (value or "person").partition(":")
    if kind == OwnerKind.PERSON:
        return OwnerKind.PERSON, None, None
    if kind == OwnerKind.TEAM:
        team = Team.objects.filter(slug=slug).first()
        if team is None:
            raise ApplicationError(f"There is no team {slug!r}.", field="owner")
        return OwnerKind.TEAM, team, None
    if kind == OwnerKind.COMMUNITY:
        community = Community.objects.filter(slug=slug).first()
        if community is None:
            raise ApplicationError(f"There is no community {slug!r}.", field="owner")
        return OwnerKind.COMMUNITY, None, community
    raise ApplicationError(
        f"Owner {value!r} must be 'person', 'team:<slug>' or 'community:<slug>'.", field="owner"
    )


def assumption_choices(person: Person, *, limit: int = 200) -> list[Assumption]:
    """Assumptions the person may cite on a link (theirs, their teams', their communities')."""
    return list(Assumption.objects.filter(assumption_choices_q(person)).order_by("statement", "pk")[:limit])


def forecast_communities(person: Person, diagram: Diagram) -> list[Community]:
    """Where a link's assumption may become a forecast question: the diagram's own community when it
    has one, otherwise any community the person is an active member of."""
    memberships = Membership.objects.filter(person=person, status=MembershipStatus.ACTIVE)
    if diagram.community_id is not None:
        memberships = memberships.filter(community_id=diagram.community_id)
    return [
        membership.community
        for membership in memberships.select_related("community").order_by("community__name")
    ]


# Analysis and the editor's state ------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    loops: LoopReport
    archetypes: ArchetypeReport


def diagram_analysis(diagram: Diagram, variables: list[Variable], links: list[Link]) -> Analysis:
    """Loops and archetype matches of the diagram's current version (cached per version)."""
    key = f"systems:diagram-analysis:{diagram.pk}:{diagram.version}"
    cached = cache.get(key)
    if isinstance(cached, Analysis):
        return cached
    names = {variable.pk: variable.name for variable in variables}
    tuples = [(names[link.source_id], names[link.target_id], link.sign, link.delay) for link in links]
    loops = find_loops(list(names.values()), tuples)
    archetypes = detect_archetypes_report(list(names.values()), tuples, loop_report=loops)
    analysis = Analysis(loops, archetypes)
    cache.set(key, analysis, _ANALYSIS_TTL)
    return analysis


def diagram_state(diagram: Diagram, person: Person) -> dict[str, Any]:
    """Everything the editor draws: the diagram, its loops and its archetype suggestions (4 queries)."""
    variables = list(Variable.objects.filter(diagram=diagram).order_by("id"))
    links = list(Link.objects.filter(diagram=diagram).select_related("assumption").order_by("id"))
    analysis = diagram_analysis(diagram, variables, links)
    ids = {variable.name: variable.pk for variable in variables}
    link_ids = {(link.source_id, link.target_id): link.pk for link in links}

    def path_links(names: tuple[str, ...], closed: bool) -> list[int]:
        pairs = list(itertools.pairwise(names))
        if closed:
            pairs.append((names[-1], names[0]))
        return [link_ids[(ids[a], ids[b])] for a, b in pairs]

    loops = [
        {
            "id": loop.id,
            "polarity": loop.polarity,
            "kind": loop.kind,
            "has_delay": loop.has_delay,
            "sentence": loop.sentence,
            "variables": list(loop.variables),
            "variable_ids": [ids[name] for name in loop.variables],
            "link_ids": path_links(loop.variables, closed=True),
        }
        for loop in analysis.loops.loops
    ]
    archetypes = [
        {
            "archetype": match.archetype,
            "name": match.name,
            "description": match.description,
            "roles": [
                {"role": role, "variable": name, "variable_id": ids[name]}
                for role, name in match.roles.items()
            ],
            "loops": list(match.loops),
            "explanation": match.explanation,
            "advice": match.advice,
            "variable_ids": sorted(ids[name] for name in match.variables),
            "link_ids": sorted(
                {pk for path in match.paths.values() for pk in path_links(path, closed=False)}
            ),
        }
        for match in analysis.archetypes.matches
    ]
    return {
        "id": diagram.pk,
        "title": diagram.title,
        "description": diagram.description,
        "version": diagram.version,
        "owner_kind": diagram.owner_kind,
        "owner": diagram.owner_name,
        "can_edit": can_edit_diagram(person, diagram),
        "variables": [{"id": v.pk, "name": v.name, "note": v.note, "x": v.x, "y": v.y} for v in variables],
        "links": [
            {
                "id": link.pk,
                "source": link.source_id,
                "target": link.target_id,
                "sign": link.sign,
                "delay": link.delay,
                "note": link.note,
                "confidence": link.confidence,
                "assumption": None
                if link.assumption is None
                else {"id": link.assumption.pk, "statement": link.assumption.statement},
            }
            for link in links
        ],
        "loops": loops,
        "loops_truncated": analysis.loops.truncated,
        "archetypes": archetypes,
        "archetypes_stopped_early": analysis.archetypes.stopped_early,
    }
