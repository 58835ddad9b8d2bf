"""Causal loop diagrams for the demo organisation: three stories every engineering organisation knows,
each drawn so that Practica recognises its archetype, made through the real services.

- "Hero culture" (shifting the burden), kept by demo-lead's team;
- "Hotfixes" (fixes that fail), kept by an open community demo-lead leads;
- "Community growth" (limits to growth), kept by another community demo-lead leads.
"""

from __future__ import annotations

from dataclasses import dataclass

from practica.communities.models import Community, MembershipStatus, Role, Visibility
from practica.demo.generator import DemoContext, demo_step
from practica.people.models import Person, Team
from practica.systems import diagrams
from practica.systems.models import Diagram, OwnerKind


@dataclass(frozen=True)
class DemoDiagram:
    title: str
    description: str
    archetype: str
    variables: tuple[tuple[str, float, float, str], ...]  # name, x, y, note
    links: tuple[tuple[str, str, str, bool], ...]  # source, target, sign, delay


HERO_CULTURE = DemoDiagram(
    title="Hero culture",
    description="Why the same two people get paged for every serious incident, and why it gets worse.",
    archetype="shifting-the-burden",
    variables=(
        ("Incidents only a few can fix", 0, 0, "Incidents in the last quarter that needed a named expert."),
        ("Heroic firefighting", 330, -170, "Late-night fixes by the people who know the system best."),
        ("Shared runbooks and pairing on call", 330, 170, ""),
        ("Knowledge held by a few heads", 660, 0, ""),
        ("Hero burnout", 660, -300, ""),
    ),
    links=(
        ("Incidents only a few can fix", "Heroic firefighting", "+", False),
        ("Heroic firefighting", "Incidents only a few can fix", "-", False),
        ("Incidents only a few can fix", "Shared runbooks and pairing on call", "+", False),
        ("Shared runbooks and pairing on call", "Incidents only a few can fix", "-", True),
        ("Heroic firefighting", "Knowledge held by a few heads", "+", False),
        ("Knowledge held by a few heads", "Shared runbooks and pairing on call", "-", False),
        ("Heroic firefighting", "Hero burnout", "+", True),
    ),
)

HOTFIXES = DemoDiagram(
    title="Hotfixes",
    description="Hotfixes calm production this week and add to next month's bugs.",
    archetype="fixes-that-fail",
    variables=(
        ("Production bugs", 0, 0, "Open bugs found in production, counted every Monday."),
        ("Hotfixes", 320, -150, ""),
        ("Untested changes in production", 320, 170, ""),
        ("Pressure to ship", -300, -150, ""),
    ),
    links=(
        ("Production bugs", "Hotfixes", "+", False),
        ("Hotfixes", "Production bugs", "-", False),
        ("Hotfixes", "Untested changes in production", "+", False),
        ("Untested changes in production", "Production bugs", "+", True),
        ("Pressure to ship", "Hotfixes", "+", False),
    ),
)

COMMUNITY_GROWTH = DemoDiagram(
    title="Community growth",
    description="Word of mouth grows the community until the organisers run out of evenings.",
    archetype="limits-to-growth",
    variables=(
        ("Word of mouth", -320, 0, ""),
        ("Active members", 0, 0, "Members who came to a meetup or answered a question this month."),
        ("Load on the two organisers", 320, 0, ""),
        ("Talks offered by members", 0, -220, ""),
    ),
    links=(
        ("Word of mouth", "Active members", "+", False),
        ("Active members", "Word of mouth", "+", False),
        ("Active members", "Load on the two organisers", "+", False),
        ("Load on the two organisers", "Active members", "-", True),
        ("Active members", "Talks offered by members", "+", True),
    ),
)

DEMO_DIAGRAMS = (HERO_CULTURE, HOTFIXES, COMMUNITY_GROWTH)


def draw(
    demo: DemoDiagram,
    *,
    actor: Person,
    owner_kind: str,
    team: Team | None = None,
    community: Community | None = None,
) -> Diagram:
    """Create one demo diagram through the services, change by change, as a person would."""
    diagram = diagrams.diagram_create(
        actor=actor, title=demo.title, description=demo.description, owner_kind=owner_kind, team=team,
        community=community,
    )  # fmt: skip
    ids: dict[str, int] = {}
    for name, x, y, note in demo.variables:
        variable = diagrams.variable_add(
            actor=actor, diagram=diagram, version=diagram.version, name=name, note=note, x=x, y=y
        )
        diagram.refresh_from_db(fields=["version"])
        ids[name] = variable.pk
    for source, target, sign, delay in demo.links:
        diagrams.link_add(
            actor=actor, diagram=diagram, version=diagram.version, source_id=ids[source],
            target_id=ids[target], sign=sign, delay=delay,
        )  # fmt: skip
        diagram.refresh_from_db(fields=["version"])
    return diagram


@demo_step(order=40, label="causal loop diagrams")
def diagrams_step(context: DemoContext) -> None:
    """Three diagrams kept by demo-lead's team and two of the open communities demo-lead leads."""
    lead = context.accounts["demo-lead"]
    team = Team.objects.filter(memberships__person=lead).order_by("name").first()
    communities = list(
        Community.objects.filter(
            memberships__person=lead,
            memberships__role=Role.LEAD,
            memberships__status=MembershipStatus.ACTIVE,
        )
        .exclude(visibility=Visibility.PRIVATE)
        .order_by("name")[:2]
    )
    context.progress("causal loop diagrams", 0, 3)
    if team is not None:
        draw(HERO_CULTURE, actor=lead, owner_kind=OwnerKind.TEAM, team=team)
    else:
        draw(HERO_CULTURE, actor=lead, owner_kind=OwnerKind.PERSON)
    for index, demo in enumerate((HOTFIXES, COMMUNITY_GROWTH), start=1):
        context.progress("causal loop diagrams", index, 3)
        community = communities[index - 1] if len(communities) >= index else None
        if community is None:
            draw(demo, actor=lead, owner_kind=OwnerKind.PERSON)
        else:
            draw(demo, actor=lead, owner_kind=OwnerKind.COMMUNITY, community=community)
    context.progress("causal loop diagrams", 3, 3)
