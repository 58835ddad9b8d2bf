"""Causal loop diagrams in the JSON API: the same services and selectors as the editor page.

Every change returns the whole diagram state (variables, links, loops, archetype suggestions and the
new ``version``), which is what the editor redraws from. Content changes take the ``version`` the
caller loaded and fail with 400 when it is stale; moving variables does not (see ``diagrams``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from practica.analysis.archetypes import ARCHETYPES
from practica.calibration.forecasts import question_path
from practica.communities.models import Community
from practica.core.errors import ApplicationError
from practica.core.permissions import person_for_user
from practica.systems import diagram_selectors as selectors
from practica.systems import diagrams as services
from practica.systems.exports_http import export_response
from practica.systems.models import Diagram

router = Router(tags=["causal loop diagrams"])


class ErrorOut(Schema):
    detail: str


class DiagramSummaryOut(Schema):
    id: int
    title: str
    description: str
    owner_kind: str
    owner: str = Field(..., alias="owner_name")
    team: str | None = Field(None, alias="team.slug")
    community: str | None = Field(None, alias="community.slug")
    version: int
    variable_count: int
    link_count: int
    updated_at: datetime


class VariableOut(Schema):
    id: int
    name: str
    note: str
    x: float
    y: float


class AssumptionOut(Schema):
    id: int
    statement: str


class LinkOut(Schema):
    id: int
    source: int = Field(..., description="Id of the source variable.")
    target: int = Field(..., description="Id of the target variable.")
    sign: str
    delay: bool
    note: str
    confidence: float | None
    assumption: AssumptionOut | None


class LoopOut(Schema):
    id: str = Field(..., description="R1, R2 ... for reinforcing loops, B1, B2 ... for balancing ones.")
    polarity: str
    kind: str
    has_delay: bool
    sentence: str
    variables: list[str]
    variable_ids: list[int]
    link_ids: list[int]


class RoleOut(Schema):
    role: str
    variable: str
    variable_id: int


class ArchetypeMatchOut(Schema):
    archetype: str
    name: str
    description: str
    roles: list[RoleOut]
    loops: list[str]
    explanation: str
    advice: str
    variable_ids: list[int]
    link_ids: list[int]


class DiagramOut(Schema):
    id: int
    title: str
    description: str
    version: int
    owner_kind: str
    owner: str
    can_edit: bool
    variables: list[VariableOut]
    links: list[LinkOut]
    loops: list[LoopOut]
    loops_truncated: bool
    archetypes: list[ArchetypeMatchOut]
    archetypes_stopped_early: bool


class LoopsOut(Schema):
    loops: list[LoopOut]
    truncated: bool


class ArchetypesOut(Schema):
    matches: list[ArchetypeMatchOut]
    stopped_early: bool


class TemplateOut(Schema):
    slug: str
    name: str
    roles: list[str]
    links: list[str]
    explanation: str
    advice: str


class DiagramIn(Schema):
    title: str
    description: str = ""
    owner: str = Field("person", description="'person', 'team:<slug>' or 'community:<slug>'.")
    archetype: str = Field("", description="Start from this archetype template (GET /archetypes).")


class DiagramUpdateIn(Schema):
    version: int
    title: str
    description: str = ""


class ImportIn(Schema):
    content: str = Field(..., description="The text of a JSON export (format practica-causal-loop-diagram).")
    owner: str = "person"
    title: str = ""


class ImportOut(Schema):
    diagram: DiagramOut
    notes: list[str]


class VariableIn(Schema):
    version: int
    name: str
    note: str = ""
    x: float | None = None
    y: float | None = None


class VariableUpdateIn(Schema):
    version: int
    name: str | None = None
    note: str | None = None


class PositionIn(Schema):
    id: int
    x: float
    y: float


class LayoutIn(Schema):
    positions: list[PositionIn]


class LinkIn(Schema):
    version: int
    source: int = Field(..., description="Id of the source variable.")
    target: int = Field(..., description="Id of the target variable.")
    sign: str = "+"
    delay: bool = False
    note: str = ""
    confidence: float | None = None
    assumption: int | None = None


class LinkUpdateIn(Schema):
    version: int
    sign: str | None = None
    delay: bool | None = None
    note: str | None = None
    confidence: float | None = Field(None, description="Send with clear_confidence=false to set.")
    clear_confidence: bool = False
    assumption: int | None = None
    clear_assumption: bool = False


class ForecastIn(Schema):
    community: str = Field(..., description="Slug of a community you are an active member of.")
    title: str
    closes_at: datetime
    details: str = ""


class ForecastOut(Schema):
    id: int
    title: str
    url: str


class VersionOut(Schema):
    number: int
    summary: str
    author: str | None = Field(None, alias="author.display_name")
    created_at: datetime


class VersionDetailOut(VersionOut):
    snapshot: dict[str, Any]


def _state(request: HttpRequest, diagram_id: int) -> dict[str, Any]:
    person = person_for_user(request.user)
    return selectors.diagram_state(selectors.diagram_for(person, diagram_id), person)


@router.get("/archetypes", response=list[TemplateOut])
def archetype_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The eight archetype templates (Senge), each a diagram to start from."""
    person_for_user(request.user)
    return [
        {
            "slug": template.slug,
            "name": template.name,
            "roles": list(template.roles),
            "links": [
                f"{link.source} ->{link.sign} {link.target}" + (" (delay)" if link.delay else "")
                for link in template.links
            ],
            "explanation": template.explanation,
            "advice": template.advice,
        }
        for template in ARCHETYPES
    ]


@router.get("/diagrams", response=list[DiagramSummaryOut])
@paginate(PageNumberPagination, page_size=50)
def diagram_list(
    request: HttpRequest, community: str = "", team: str = "", mine: bool = False
) -> QuerySet[Diagram]:
    """Diagrams you may see, most recently changed first; filter by community or team slug, or yours."""
    person = person_for_user(request.user)
    diagrams = selectors.diagram_list_for(person, personal=mine)
    if community:
        diagrams = diagrams.filter(community__slug=community)
    if team:
        diagrams = diagrams.filter(team__slug=team)
    return diagrams


@router.post("/diagrams", response={201: DiagramOut, 400: ErrorOut})
def diagram_create(request: HttpRequest, payload: DiagramIn) -> Status[dict[str, Any]]:
    """Create a diagram kept by you, one of your teams or one of your communities (optionally from an
    archetype)."""
    person = person_for_user(request.user)
    kind, team, community = selectors.parse_owner(person, payload.owner)
    diagram = services.diagram_create(
        actor=person, title=payload.title, description=payload.description, owner_kind=kind, team=team,
        community=community, archetype=payload.archetype,
    )  # fmt: skip
    return Status(201, selectors.diagram_state(diagram, person))


@router.post("/diagrams/import", response={201: ImportOut, 400: ErrorOut})
def diagram_import(request: HttpRequest, payload: ImportIn) -> Status[dict[str, Any]]:
    """Create a diagram from a JSON export; all or nothing, errors name the offending item."""
    person = person_for_user(request.user)
    kind, team, community = selectors.parse_owner(person, payload.owner)
    diagram, notes = services.diagram_import(
        actor=person, content=payload.content, owner_kind=kind, team=team, community=community,
        title=payload.title,
    )  # fmt: skip
    return Status(201, {"diagram": selectors.diagram_state(diagram, person), "notes": notes})


@router.get("/diagrams/{diagram_id}", response=DiagramOut)
def diagram_detail(request: HttpRequest, diagram_id: int) -> dict[str, Any]:
    """A diagram with its variables, links, loops and archetype suggestions."""
    return _state(request, diagram_id)


@router.patch("/diagrams/{diagram_id}", response={200: DiagramOut, 400: ErrorOut, 403: ErrorOut})
def diagram_update(request: HttpRequest, diagram_id: int, payload: DiagramUpdateIn) -> dict[str, Any]:
    """Change the title and description."""
    person = person_for_user(request.user)
    diagram = selectors.diagram_for(person, diagram_id, write=True)
    services.diagram_update(
        actor=person, diagram=diagram, version=payload.version, title=payload.title,
        description=payload.description,
    )  # fmt: skip
    return _state(request, diagram_id)


@router.delete("/diagrams/{diagram_id}", response={204: None, 403: ErrorOut})
def diagram_delete(request: HttpRequest, diagram_id: int) -> Status[None]:
    """Delete a diagram with its history."""
    person = person_for_user(request.user)
    services.diagram_delete(actor=person, diagram=selectors.diagram_for(person, diagram_id, write=True))
    return Status(204, None)


@router.post("/diagrams/{diagram_id}/variables", response={201: DiagramOut, 400: ErrorOut, 403: ErrorOut})
def variable_add(request: HttpRequest, diagram_id: int, payload: VariableIn) -> Status[dict[str, Any]]:
    """Add a variable (names are unique in a diagram, ignoring case and surrounding spaces)."""
    person = person_for_user(request.user)
    diagram = selectors.diagram_for(person, diagram_id, write=True)
    services.variable_add(
        actor=person, diagram=diagram, version=payload.version, name=payload.name, note=payload.note,
        x=payload.x, y=payload.y,
    )  # fmt: skip
    return Status(201, _state(request, diagram_id))


@router.patch(
    "/diagrams/{diagram_id}/variables/{variable_id}", response={200: DiagramOut, 400: ErrorOut, 403: ErrorOut}
)
def variable_update(
    request: HttpRequest, diagram_id: int, variable_id: int, payload: VariableUpdateIn
) -> dict[str, Any]:
    """Rename a variable or change its note."""
    person = person_for_user(request.user)
    diagram = selectors.diagram_for(person, diagram_id, write=True)
    services.variable_update(
        actor=person, diagram=diagram, version=payload.version, variable_id=variable_id, name=payload.name,
        note=payload.note,
    )  # fmt: skip
    return _state(request, diagram_id)


@router.delete(
    "/diagrams/{diagram_id}/variables/{variable_id}", response={200: DiagramOut, 400: ErrorOut, 403: ErrorOut}
)
def variable_delete(request: HttpRequest, diagram_id: int, variable_id: int, version: int) -> dict[str, Any]:
    """Delete a variable and its links (``?version=`` the version you loaded)."""
    person = person_for_user(request.user)
    diagram = selectors.diagram_for(person, diagram_id, write=True)
    services.variable_delete(actor=person, diagram=diagram, version=version, variable_id=variable_id)
    return _state(request, diagram_id)


@router.post("/diagrams/{diagram_id}/layout", response={200: ErrorOut, 400: ErrorOut, 403: ErrorOut})
def layout_save(request: HttpRequest, diagram_id: int, payload: LayoutIn) -> dict[str, str]:
    """Save variable positions on the drawing; no version needed, the version does not change."""
    person = person_for_user(request.user)
    diagram = selectors.diagram_for(person, diagram_id, write=True)
    moved = services.layout_save(
        actor=person, diagram=diagram, positions={item.id: (item.x, item.y) for item in payload.positions}
    )
    return {"detail": f"Saved the position of {moved} variable{'s' * (moved != 1)}."}


@router.post("/diagrams/{diagram_id}/links", response={201: DiagramOut, 400: ErrorOut, 403: ErrorOut})
def link_add(request: HttpRequest, diagram_id: int, payload: LinkIn) -> Status[dict[str, Any]]:
    """Add a link between two variables (by id) with a sign, a delay flag and optionally a note, a
    confidence (0..1) and the id of an assumption it rests on."""
    person = person_for_user(request.user)
    diagram = selectors.diagram_for(person, diagram_id, write=True)
    services.link_add(
        actor=person, diagram=diagram, version=payload.version, source_id=payload.source,
        target_id=payload.target, sign=payload.sign, delay=payload.delay, note=payload.note,
        confidence=payload.confidence, assumption_id=payload.assumption,
    )  # fmt: skip
    return Status(201, _state(request, diagram_id))


@router.patch(
    "/diagrams/{diagram_id}/links/{link_id}", response={200: DiagramOut, 400: ErrorOut, 403: ErrorOut}
)
def link_update(request: HttpRequest, diagram_id: int, link_id: int, payload: LinkUpdateIn) -> dict[str, Any]:
    """Change a link's sign, delay, note, confidence or assumption; fields left out stay as they are."""
    person = person_for_user(request.user)
    diagram = selectors.diagram_for(person, diagram_id, write=True)
    changes: dict[str, Any] = {
        name: value
        for name, value in (("sign", payload.sign), ("delay", payload.delay), ("note", payload.note))
        if value is not None
    }
    if payload.clear_confidence or payload.confidence is not None:
        changes["confidence"] = None if payload.clear_confidence else payload.confidence
    if payload.clear_assumption or payload.assumption is not None:
        changes["assumption_id"] = None if payload.clear_assumption else payload.assumption
    services.link_update(actor=person, diagram=diagram, version=payload.version, link_id=link_id, **changes)
    return _state(request, diagram_id)


@router.delete(
    "/diagrams/{diagram_id}/links/{link_id}", response={200: DiagramOut, 400: ErrorOut, 403: ErrorOut}
)
def link_delete(request: HttpRequest, diagram_id: int, link_id: int, version: int) -> dict[str, Any]:
    """Delete a link (``?version=`` the version you loaded)."""
    person = person_for_user(request.user)
    diagram = selectors.diagram_for(person, diagram_id, write=True)
    services.link_delete(actor=person, diagram=diagram, version=version, link_id=link_id)
    return _state(request, diagram_id)


@router.post(
    "/diagrams/{diagram_id}/links/{link_id}/forecast",
    response={201: ForecastOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def link_forecast(
    request: HttpRequest, diagram_id: int, link_id: int, payload: ForecastIn
) -> Status[dict[str, Any]]:
    """Turn the assumption a link cites into a forecast question of one of your communities."""
    person = person_for_user(request.user)
    diagram = selectors.diagram_for(person, diagram_id)
    community = Community.objects.filter(slug=payload.community).first()
    if community is None or community not in selectors.forecast_communities(person, diagram):
        raise ApplicationError(f"You cannot ask forecast questions in {payload.community!r} from here.")
    question = services.link_forecast_create(
        actor=person, diagram=diagram, link_id=link_id, community=community, title=payload.title,
        closes_at=payload.closes_at, details=payload.details,
    )  # fmt: skip
    return Status(201, {"id": question.pk, "title": question.title, "url": question_path(question)})


@router.get("/diagrams/{diagram_id}/loops", response=LoopsOut)
def loop_list(request: HttpRequest, diagram_id: int) -> dict[str, Any]:
    """The diagram's feedback loops, shortest first, with ids (R1, B1 ...) and sentences."""
    state = _state(request, diagram_id)
    return {"loops": state["loops"], "truncated": state["loops_truncated"]}


@router.get("/diagrams/{diagram_id}/archetypes", response=ArchetypesOut)
def archetype_matches(request: HttpRequest, diagram_id: int) -> dict[str, Any]:
    """Archetypes the diagram shows, with the role of each variable, explanation and advice."""
    state = _state(request, diagram_id)
    return {"matches": state["archetypes"], "stopped_early": state["archetypes_stopped_early"]}


@router.get("/diagrams/{diagram_id}/versions", response=list[VersionOut])
@paginate(PageNumberPagination, page_size=50)
def version_list(request: HttpRequest, diagram_id: int) -> QuerySet[Any]:
    """The change log: who changed what and when, newest first."""
    person = person_for_user(request.user)
    return selectors.version_list(selectors.diagram_for(person, diagram_id))


@router.get("/diagrams/{diagram_id}/versions/{number}", response=VersionDetailOut)
def version_detail(request: HttpRequest, diagram_id: int, number: int) -> Any:
    """One version with the diagram as it was after that change (in the JSON export format)."""
    person = person_for_user(request.user)
    return selectors.version_get(selectors.diagram_for(person, diagram_id), number)


@router.get("/diagrams/{diagram_id}/export/{export_format}", response={200: None, 404: ErrorOut})
def diagram_export(
    request: HttpRequest,
    diagram_id: int,
    export_format: Literal["json", "dot", "mermaid", "svg", "png"],
) -> HttpResponse:
    """Download the diagram as JSON (re-importable), Graphviz DOT, Mermaid, SVG or PNG."""
    person = person_for_user(request.user)
    return export_response(selectors.diagram_for(person, diagram_id), export_format)
