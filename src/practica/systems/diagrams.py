"""Every write to causal loop diagrams: create, import, and each change to variables and links.

Versioning rule: every change to a diagram's content takes the ``version`` the editor loaded and is
refused (``ApplicationError``, nothing changed) when the diagram has moved on since; a successful
change bumps the version and records who, when, what, and the diagram after it (``DiagramVersion``).
Moving variables on the drawing is lighter: positions are saved without a version check and without
bumping the version (last move wins per variable), so rearranging the layout never makes someone
else's content edit fail.

Callers fetch the diagram with :func:`practica.systems.diagram_selectors.diagram_for` (``write=True``),
which checks the actor may change it.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Final

from django.db import transaction
from django.db.models import Q

from practica.analysis.archetypes import archetype_template
from practica.analysis.loops import name_key
from practica.calibration.forecasts import forecast_question_create
from practica.calibration.models import ForecastQuestion
from practica.communities.models import Community, Membership, MembershipStatus
from practica.core.audit import audit_record
from practica.core.errors import ApplicationError
from practica.learning.models import Assumption
from practica.people.models import Person, Team, TeamMembership
from practica.systems import exports
from practica.systems.exports import AssumptionRef, DiagramData, LinkData, VariableData
from practica.systems.models import (
    MAX_NOTE,
    MAX_VARIABLE_NAME,
    Diagram,
    DiagramVersion,
    Link,
    OwnerKind,
    Variable,
)

STALE = (
    "Someone changed this diagram since you loaded it (version {current}, you had {yours}): "
    "reload to see their change."
)
MAX_TITLE = 200
# A variable added without a position goes this far to the right of the rightmost one.
NEW_VARIABLE_GAP = 240.0
MAX_VARIABLES = exports.MAX_VARIABLES
MAX_LINKS = exports.MAX_LINKS


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final[Any] = _Unset()


# Owners and assumptions ---------------------------------------------------------------------------


def assumption_choices_q(person: Person) -> Q:
    """Assumptions ``person`` may cite on a link: their own, their teams', their communities'."""
    teams = TeamMembership.objects.filter(person=person).values("team_id")
    communities = Membership.objects.filter(person=person, status=MembershipStatus.ACTIVE).values(
        "community_id"
    )
    return Q(owner=person) | Q(team__in=teams) | Q(community__in=communities)


def _check_owner(actor: Person, owner_kind: str, team: Team | None, community: Community | None) -> None:
    if owner_kind == OwnerKind.PERSON:
        return
    if owner_kind == OwnerKind.TEAM:
        if team is None:
            raise ApplicationError("Choose the team that keeps this diagram.", field="owner")
        if not TeamMembership.objects.filter(team=team, person=actor).exists():
            raise ApplicationError(f"Only members of {team.name} can keep diagrams there.", field="owner")
        return
    if owner_kind == OwnerKind.COMMUNITY:
        if community is None:
            raise ApplicationError("Choose the community that keeps this diagram.", field="owner")
        active = Membership.objects.filter(
            community=community, person=actor, status=MembershipStatus.ACTIVE
        ).exists()
        if not active:
            raise ApplicationError(
                f"Only active members of {community.name} can keep diagrams there; join it first.",
                field="owner",
            )
        return
    raise ApplicationError(f"Owner {owner_kind!r} is not a team, a community or a person.", field="owner")


# Cleaning input -----------------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ApplicationError("Give the diagram a title.", field="title")
    if len(title) > MAX_TITLE:
        raise ApplicationError(
            f"The title has {len(title)} characters; keep it to {MAX_TITLE}.", field="title"
        )
    return title


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError("Give the variable a name.", field="name")
    if len(name) > MAX_VARIABLE_NAME:
        raise ApplicationError(
            f"The name {name[:30]!r}... has {len(name)} characters; keep it to {MAX_VARIABLE_NAME}.",
            field="name",
        )
    return name


def _clean_note(note: str, what: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ApplicationError(
            f"The note on {what} has {len(note)} characters; keep it to {MAX_NOTE:,}.", field="note"
        )
    return note


def _clean_sign(sign: str, what: str) -> str:
    if sign not in ("+", "-"):
        raise ApplicationError(f"Sign {sign!r} is not allowed for {what}: use '+' or '-'.", field="sign")
    return sign


def _clean_confidence(confidence: float | None, what: str) -> float | None:
    if confidence is None:
        return None
    try:
        value = float(confidence)
    except (TypeError, ValueError):
        raise ApplicationError(
            f"The confidence of {what} must be a number from 0 to 1.", field="confidence"
        ) from None
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise ApplicationError(
            f"The confidence of {what} must be from 0 to 1 (you gave {value:g}).", field="confidence"
        )
    return value


def _clean_position(value: float, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ApplicationError(f"The position of {what} must be a number.") from None
    if not math.isfinite(number) or abs(number) > 1_000_000:
        raise ApplicationError(f"The position of {what} must be a number within ±1,000,000.")
    return number


def _assumption_for(actor: Person, assumption_id: int | None, what: str) -> Assumption | None:
    if assumption_id is None:
        return None
    assumption = Assumption.objects.filter(assumption_choices_q(actor), pk=assumption_id).first()
    if assumption is None:
        raise ApplicationError(
            f"Assumption #{assumption_id} is not one you can cite on {what}: pick one of yours, your "
            "teams' or your communities'.",
            field="assumption",
        )
    return assumption


# Versions -----------------------------------------------------------------------------------------


def diagram_data(diagram: Diagram) -> DiagramData:
    """The stored diagram as plain data (what exports and snapshots are made of)."""
    variables = list(Variable.objects.filter(diagram=diagram).order_by("id"))
    names = {variable.pk: variable.name for variable in variables}
    links = Link.objects.filter(diagram=diagram).select_related("assumption").order_by("id")
    return DiagramData(
        title=diagram.title,
        description=diagram.description,
        variables=tuple(VariableData(v.name, v.note, v.x, v.y) for v in variables),
        links=tuple(
            LinkData(
                names[link.source_id],
                names[link.target_id],
                link.sign,
                link.delay,
                link.note,
                link.confidence,
                None
                if link.assumption is None
                else AssumptionRef(link.assumption.pk, link.assumption.statement),
            )
            for link in links
        ),
    )


def _lock(diagram: Diagram, version: int) -> Diagram:
    """The diagram row, locked for this transaction, if nobody changed it since ``version``."""
    locked = Diagram.objects.select_for_update().get(pk=diagram.pk)
    if locked.version != version:
        raise ApplicationError(STALE.format(current=locked.version, yours=version), field="version")
    return locked


def _record(diagram: Diagram, actor: Person, summary: str) -> Diagram:
    diagram.version += 1
    diagram.save(update_fields=["version", "updated_at"])
    DiagramVersion.objects.create(
        diagram=diagram,
        number=diagram.version,
        author=actor,
        summary=summary[:300],
        snapshot=exports.to_json_document(diagram_data(diagram)),
    )
    return diagram


def _variable(diagram: Diagram, variable_id: int) -> Variable:
    variable = Variable.objects.filter(diagram=diagram, pk=variable_id).first()
    if variable is None:
        raise ApplicationError(
            f"Variable #{variable_id} is not in this diagram (it may have been deleted: reload).",
            field="variable",
        )
    return variable


def _link(diagram: Diagram, link_id: int) -> Link:
    link = Link.objects.filter(diagram=diagram, pk=link_id).select_related("source", "target").first()
    if link is None:
        raise ApplicationError(
            f"Link #{link_id} is not in this diagram (it may have been deleted: reload).", field="link"
        )
    return link


def _link_label(link: Link) -> str:
    return f"{link.source.name} -> {link.target.name}"


# Diagrams -----------------------------------------------------------------------------------------


@transaction.atomic
def diagram_create(
    *,
    actor: Person,
    title: str,
    description: str = "",
    owner_kind: str = OwnerKind.PERSON,
    team: Team | None = None,
    community: Community | None = None,
    archetype: str = "",
) -> Diagram:
    """A new diagram kept by the actor, one of their teams or one of their communities.

    With ``archetype`` (a template slug) it starts as that archetype: its roles become variables
    ("Symptom", "Symptomatic fix" ...) laid out on a circle, its links become links, ready to rename.
    """
    title = _clean_title(title)
    description = _clean_note(description, "the diagram")
    _check_owner(actor, owner_kind, team, community)
    template = None
    if archetype:
        try:
            template = archetype_template(archetype)
        except KeyError:
            raise ApplicationError(f"There is no archetype {archetype!r}.", field="archetype") from None
    diagram = Diagram.objects.create(
        title=title,
        description=description,
        owner_kind=owner_kind,
        team=team if owner_kind == OwnerKind.TEAM else None,
        community=community if owner_kind == OwnerKind.COMMUNITY else None,
        person=actor if owner_kind == OwnerKind.PERSON else None,
        created_by=actor,
        version=1,
    )
    summary = "Created the diagram"
    if template is not None:
        names = {role: role[0].upper() + role[1:] for role in template.roles}
        positions = exports.circle_layout(len(template.roles))
        variables = {
            role: Variable.objects.create(
                diagram=diagram, name=names[role], name_key=name_key(names[role]), x=x, y=y
            )
            for role, (x, y) in zip(template.roles, positions, strict=True)
        }
        Link.objects.bulk_create(
            Link(
                diagram=diagram,
                source=variables[link.source],
                target=variables[link.target],
                sign=link.sign,
                delay=link.delay,
            )
            for link in template.links
        )
        summary = f"Created the diagram from the archetype {template.name}"
    DiagramVersion.objects.create(
        diagram=diagram,
        number=1,
        author=actor,
        summary=summary,
        snapshot=exports.to_json_document(diagram_data(diagram)),
    )
    return diagram


@transaction.atomic
def diagram_update(
    *, actor: Person, diagram: Diagram, version: int, title: str, description: str = ""
) -> Diagram:
    """Change the title and description."""
    locked = _lock(diagram, version)
    locked.title = _clean_title(title)
    locked.description = _clean_note(description, "the diagram")
    locked.save(update_fields=["title", "description", "updated_at"])
    return _record(locked, actor, "Changed the title or description")


@transaction.atomic
def diagram_delete(*, actor: Person, diagram: Diagram) -> None:
    """Delete the diagram with its variables, links and history (audited unless it is personal)."""
    if diagram.person_id is None:
        audit_record(actor=actor, action="content.deleted", target=diagram)
    Diagram.objects.filter(pk=diagram.pk).delete()


@transaction.atomic
def diagram_import(
    *,
    actor: Person,
    content: str | bytes,
    owner_kind: str = OwnerKind.PERSON,
    team: Team | None = None,
    community: Community | None = None,
    title: str = "",
) -> tuple[Diagram, list[str]]:
    """Create a diagram from a JSON file written by the JSON export; all or nothing.

    Returns the diagram and notes for the importer: a link citing an assumption the importer cannot
    cite keeps no citation, and the note says which.
    """
    try:
        data = exports.parse_json(content)
    except exports.ImportRefused as error:
        raise ApplicationError(str(error), field="file") from None
    title = _clean_title(title or data.title)
    _check_owner(actor, owner_kind, team, community)
    cited = {link.assumption.id for link in data.links if link.assumption is not None}
    allowed = set(
        Assumption.objects.filter(assumption_choices_q(actor), pk__in=cited).values_list("pk", flat=True)
    )
    diagram = Diagram.objects.create(
        title=title,
        description=data.description,
        owner_kind=owner_kind,
        team=team if owner_kind == OwnerKind.TEAM else None,
        community=community if owner_kind == OwnerKind.COMMUNITY else None,
        person=actor if owner_kind == OwnerKind.PERSON else None,
        created_by=actor,
        version=1,
    )
    variables = Variable.objects.bulk_create(
        Variable(diagram=diagram, name=v.name, name_key=name_key(v.name), note=v.note, x=v.x, y=v.y)
        for v in data.variables
    )
    by_name = {variable.name: variable for variable in variables}
    notes: list[str] = []
    rows = []
    for link in data.links:
        assumption_id = None
        if link.assumption is not None:
            if link.assumption.id in allowed:
                assumption_id = link.assumption.id
            else:
                notes.append(
                    f"Link {link.source} -> {link.target}: assumption #{link.assumption.id} "
                    f"({link.assumption.statement!r}) is not one you can cite, so the link cites none."
                )
        rows.append(
            Link(
                diagram=diagram,
                source=by_name[link.source],
                target=by_name[link.target],
                sign=link.sign,
                delay=link.delay,
                note=link.note,
                confidence=link.confidence,
                assumption_id=assumption_id,
            )
        )
    Link.objects.bulk_create(rows)
    DiagramVersion.objects.create(
        diagram=diagram,
        number=1,
        author=actor,
        summary="Imported from a JSON file",
        snapshot=exports.to_json_document(diagram_data(diagram)),
    )
    return diagram, notes


# Variables ----------------------------------------------------------------------------------------


def _check_unique(diagram: Diagram, name: str, *, exclude: int | None = None) -> None:
    clashes = Variable.objects.filter(diagram=diagram, name_key=name_key(name))
    if exclude is not None:
        clashes = clashes.exclude(pk=exclude)
    clash = clashes.first()
    if clash is not None:
        raise ApplicationError(
            f"There is already a variable {clash.name!r} in this diagram (names are compared ignoring "
            "case and surrounding spaces).",
            field="name",
        )


@transaction.atomic
def variable_add(
    *,
    actor: Person,
    diagram: Diagram,
    version: int,
    name: str,
    note: str = "",
    x: float | None = None,
    y: float | None = None,
) -> Variable:
    """Add a variable; without a position it goes to the right of the drawing."""
    name = _clean_name(name)
    note = _clean_note(note, f"variable {name!r}")
    locked = _lock(diagram, version)
    _check_unique(locked, name)
    existing = list(Variable.objects.filter(diagram=locked).values_list("x", "y"))
    if len(existing) >= MAX_VARIABLES:
        raise ApplicationError(f"A diagram holds at most {MAX_VARIABLES} variables.", field="name")
    if x is None or y is None:
        x = max((px for px, _ in existing), default=-NEW_VARIABLE_GAP) + NEW_VARIABLE_GAP
        y = sum(py for _, py in existing) / len(existing) if existing else 0.0
    variable = Variable.objects.create(
        diagram=locked,
        name=name,
        name_key=name_key(name),
        note=note,
        x=_clean_position(x, name),
        y=_clean_position(y, name),
    )
    _record(locked, actor, f"Added variable {name!r}")
    return variable


@transaction.atomic
def variable_update(
    *,
    actor: Person,
    diagram: Diagram,
    version: int,
    variable_id: int,
    name: str | None = None,
    note: str | None = None,
) -> Variable:
    """Rename a variable and/or change its note."""
    locked = _lock(diagram, version)
    variable = _variable(locked, variable_id)
    changes = []
    if name is not None:
        name = _clean_name(name)
        if name != variable.name:
            _check_unique(locked, name, exclude=variable.pk)
            changes.append(f"Renamed {variable.name!r} to {name!r}")
            variable.name, variable.name_key = name, name_key(name)
    if note is not None:
        note = _clean_note(note, f"variable {variable.name!r}")
        if note != variable.note:
            changes.append(f"Changed the note on {variable.name!r}")
            variable.note = note
    if not changes:
        return variable
    variable.save(update_fields=["name", "name_key", "note"])
    _record(locked, actor, "; ".join(changes))
    return variable


@transaction.atomic
def variable_delete(*, actor: Person, diagram: Diagram, version: int, variable_id: int) -> None:
    """Delete a variable and the links to and from it."""
    locked = _lock(diagram, version)
    variable = _variable(locked, variable_id)
    links = Link.objects.filter(Q(source=variable) | Q(target=variable)).count()
    variable.delete()
    _record(
        locked,
        actor,
        f"Deleted variable {variable.name!r}"
        + (f" and its {links} link{'s' * (links != 1)}" if links else ""),
    )


@transaction.atomic
def layout_save(*, actor: Person, diagram: Diagram, positions: dict[int, tuple[float, float]]) -> int:
    """Save where variables sit on the drawing; returns how many moved.

    No version check and no version bump (see the module docstring): moving things around never
    conflicts with anyone's content change.
    """
    variables = {v.pk: v for v in Variable.objects.filter(diagram=diagram, pk__in=list(positions))}
    unknown = sorted(set(positions) - set(variables))
    if unknown:
        raise ApplicationError(
            f"Variable #{unknown[0]} is not in this diagram (it may have been deleted: reload).",
            field="variable",
        )
    for pk, (x, y) in positions.items():
        variables[pk].x = _clean_position(x, variables[pk].name)
        variables[pk].y = _clean_position(y, variables[pk].name)
    Variable.objects.bulk_update(variables.values(), ["x", "y"])
    return len(variables)


# Links --------------------------------------------------------------------------------------------


@transaction.atomic
def link_add(
    *,
    actor: Person,
    diagram: Diagram,
    version: int,
    source_id: int,
    target_id: int,
    sign: str = "+",
    delay: bool = False,
    note: str = "",
    confidence: float | None = None,
    assumption_id: int | None = None,
) -> Link:
    """Add a causal link between two variables of the diagram.

    Refused: an unknown variable, a self-link, a second link between the same two variables in the
    same direction, a sign other than "+"/"-", a confidence outside 0..1, an assumption the actor
    cannot cite.
    """
    locked = _lock(diagram, version)
    source = _variable(locked, source_id)
    target = _variable(locked, target_id)
    what = f"link {source.name} -> {target.name}"
    if source.pk == target.pk:
        raise ApplicationError(f"Link {source.name} -> {target.name}: a variable cannot link to itself.")
    sign = _clean_sign(sign, what)
    if not isinstance(delay, bool):
        raise ApplicationError(f"The delay of {what} must be true or false.", field="delay")
    note = _clean_note(note, what)
    confidence = _clean_confidence(confidence, what)
    assumption = _assumption_for(actor, assumption_id, what)
    if Link.objects.filter(diagram=locked, source=source, target=target).exists():
        raise ApplicationError(f"There is already a {what}: change its sign or delay instead.")
    if Link.objects.filter(diagram=locked).count() >= MAX_LINKS:
        raise ApplicationError(f"A diagram holds at most {MAX_LINKS:,} links.")
    link = Link.objects.create(
        diagram=locked,
        source=source,
        target=target,
        sign=sign,
        delay=delay,
        note=note,
        confidence=confidence,
        assumption=assumption,
    )
    _record(locked, actor, f"Added link {source.name} ->{sign} {target.name}" + (" (delay)" if delay else ""))
    return link


@transaction.atomic
def link_update(
    *,
    actor: Person,
    diagram: Diagram,
    version: int,
    link_id: int,
    sign: str = UNSET,
    delay: bool = UNSET,
    note: str = UNSET,
    confidence: float | None = UNSET,
    assumption_id: int | None = UNSET,
) -> Link:
    """Change a link's sign, delay, note, confidence or cited assumption (only what is given)."""
    locked = _lock(diagram, version)
    link = _link(locked, link_id)
    what = f"link {_link_label(link)}"
    changes = []
    if sign is not UNSET and sign != link.sign:
        link.sign = _clean_sign(sign, what)
        changes.append(f"sign {link.sign}")
    if delay is not UNSET and delay != link.delay:
        if not isinstance(delay, bool):
            raise ApplicationError(f"The delay of {what} must be true or false.", field="delay")
        link.delay = delay
        changes.append("delay" if delay else "no delay")
    if note is not UNSET:
        cleaned = _clean_note(note, what)
        if cleaned != link.note:
            link.note = cleaned
            changes.append("note")
    if confidence is not UNSET:
        value = _clean_confidence(confidence, what)
        if value != link.confidence:
            link.confidence = value
            changes.append("confidence " + ("none" if value is None else f"{value:g}"))
    if assumption_id is not UNSET and assumption_id != link.assumption_id:
        link.assumption = _assumption_for(actor, assumption_id, what)
        changes.append("assumption " + ("none" if assumption_id is None else f"#{assumption_id}"))
    if not changes:
        return link
    link.save()
    _record(locked, actor, f"Link {_link_label(link)}: {', '.join(changes)}")
    return link


@transaction.atomic
def link_delete(*, actor: Person, diagram: Diagram, version: int, link_id: int) -> None:
    """Delete a link."""
    locked = _lock(diagram, version)
    link = _link(locked, link_id)
    label = _link_label(link)
    link.delete()
    _record(locked, actor, f"Deleted link {label}")


def link_forecast_create(
    *,
    actor: Person,
    diagram: Diagram,
    link_id: int,
    community: Community,
    title: str,
    closes_at: datetime,
    details: str = "",
) -> ForecastQuestion:
    """Turn the assumption a link cites into a forecast question of ``community`` in one step.

    The question's details say which diagram and link it comes from; the rest (membership of the
    community, title and closing time rules) is ``forecast_question_create``'s.
    """
    link = _link(diagram, link_id)
    if link.assumption_id is None:
        raise ApplicationError(
            f"Link {_link_label(link)} cites no assumption: cite one first, then forecast it."
        )
    origin = (
        f"From the causal loop diagram \u201c{diagram.title}\u201d: the link {_link_label(link)} "
        f"({link.sign}) rests on this assumption."
    )
    details = "\n\n".join(part for part in (details.strip(), origin) if part)
    if diagram.community_id is not None and diagram.community_id != community.pk:
        raise ApplicationError(
            "Ask the question in the community that keeps this diagram.", field="community"
        )
    return forecast_question_create(
        actor=actor, community=community, title=title, closes_at=closes_at, details=details
    )
