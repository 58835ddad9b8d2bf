"""Causal loop diagrams in and out of files: JSON (round trip), Graphviz DOT, Mermaid, SVG and PNG.

Pure: plain dataclasses in, text or bytes out; no Django. The services turn a stored diagram into a
:class:`DiagramData` and back. Parsing a JSON import checks everything before anything is created and
raises :class:`ImportRefused` naming the offending item.

References
----------
Graphviz DOT language: https://graphviz.org/doc/info/lang.html
Mermaid flowchart syntax: https://mermaid.js.org/syntax/flowchart.html
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

from practica.analysis.loops import validate_diagram

FORMAT = "practica-causal-loop-diagram"
FORMAT_VERSION = 1
MAX_IMPORT_BYTES = 1_000_000
MAX_VARIABLES = 500
MAX_LINKS = 2000
MAX_NAME = 80
MAX_NOTE = 2000
MAX_TITLE = 200
# Layout used for variables without a saved position: a circle this many pixels per variable round.
_CIRCLE_SPACING = 140.0


class ImportRefused(ValueError):
    """A diagram file that cannot be imported; the message names the offending item."""


@dataclass(frozen=True)
class AssumptionRef:
    """The assumption a link cites, by id, with its statement for readers of the file."""

    id: int
    statement: str


@dataclass(frozen=True)
class VariableData:
    name: str
    note: str = ""
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class LinkData:
    source: str
    target: str
    sign: str
    delay: bool = False
    note: str = ""
    confidence: float | None = None
    assumption: AssumptionRef | None = None


@dataclass(frozen=True)
class DiagramData:
    """A whole diagram as plain data: what an export writes and an import reads."""

    title: str
    description: str = ""
    variables: tuple[VariableData, ...] = field(default_factory=tuple)
    links: tuple[LinkData, ...] = field(default_factory=tuple)


# JSON -------------------------------------------------------------------------------------------


def to_json_document(diagram: DiagramData) -> dict[str, Any]:
    """The diagram as the JSON-ready dictionary of the versioned file format."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "title": diagram.title,
        "description": diagram.description,
        "variables": [
            {"name": variable.name, "note": variable.note, "x": variable.x, "y": variable.y}
            for variable in diagram.variables
        ],
        "links": [
            {
                "source": link.source,
                "target": link.target,
                "sign": link.sign,
                "delay": link.delay,
                "note": link.note,
                "confidence": link.confidence,
                "assumption": (
                    None
                    if link.assumption is None
                    else {"id": link.assumption.id, "statement": link.assumption.statement}
                ),
            }
            for link in diagram.links
        ],
    }


def to_json(diagram: DiagramData) -> str:
    """The diagram as JSON text; :func:`parse_json` reads it back to an equal :class:`DiagramData`."""
    return json.dumps(to_json_document(diagram), indent=2, ensure_ascii=False) + "\n"


def _text(value: Any, what: str, *, limit: int, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ImportRefused(f"{what} must be text, not {type(value).__name__}.")
    value = value.strip()
    if required and not value:
        raise ImportRefused(f"{what} is empty.")
    if len(value) > limit:
        raise ImportRefused(f"{what} has {len(value)} characters; the limit is {limit}.")
    return value


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ImportRefused(f"{what} must be a number, not {value!r}.")
    return float(value)


def _assumption(value: Any, what: str) -> AssumptionRef | None:
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or isinstance(value.get("id"), bool)
        or not isinstance(value.get("id"), int)
    ):
        raise ImportRefused(f"{what}: the assumption must be null or an object with a whole-number id.")
    return AssumptionRef(value["id"], _text(value.get("statement"), f"{what}: the assumption", limit=300))


def parse_json(content: str | bytes) -> DiagramData:
    """Read a diagram file written by :func:`to_json`, checking every item.

    Refused (``ImportRefused``, naming the item): more than 1 MB, text that is not JSON, another
    format or a newer format version, a blank, duplicate or overlong variable name, more than 500
    variables or 2,000 links, a link to an unknown variable, a self-link, a duplicate link, a sign
    other than "+" or "-", a delay that is not true/false, a confidence outside 0..1. Variables
    without a position are laid out on a circle.
    """
    size = len(content.encode() if isinstance(content, str) else content)
    if size > MAX_IMPORT_BYTES:
        raise ImportRefused(f"The file has {size:,} bytes; the limit is {MAX_IMPORT_BYTES:,} (1 MB).")
    try:
        document = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportRefused(f"The file is not valid JSON: {error}.") from None
    if not isinstance(document, dict):
        raise ImportRefused("The file must hold one JSON object with 'variables' and 'links'.")
    if document.get("format", FORMAT) != FORMAT:
        raise ImportRefused(f"The file's format is {document.get('format')!r}, not {FORMAT!r}.")
    version = document.get("format_version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise ImportRefused(f"Format version {version!r} is not supported; this Practica reads version 1.")
    title = _text(document.get("title"), "The title", limit=MAX_TITLE) or "Imported diagram"
    description = _text(document.get("description"), "The description", limit=MAX_NOTE * 5)
    raw_variables = document.get("variables", [])
    raw_links = document.get("links", [])
    if not isinstance(raw_variables, list) or not isinstance(raw_links, list):
        raise ImportRefused("'variables' and 'links' must be lists.")
    if len(raw_variables) > MAX_VARIABLES:
        raise ImportRefused(f"The file has {len(raw_variables)} variables; the limit is {MAX_VARIABLES}.")
    if len(raw_links) > MAX_LINKS:
        raise ImportRefused(f"The file has {len(raw_links)} links; the limit is {MAX_LINKS:,}.")

    variables: list[VariableData] = []
    missing_position: list[int] = []
    for position, raw in enumerate(raw_variables, start=1):
        if not isinstance(raw, dict):
            raise ImportRefused(f"Variable #{position} must be an object with a 'name'.")
        name = _text(raw.get("name"), f"Variable #{position}'s name", limit=MAX_NAME, required=True)
        what = f"Variable {name!r}"
        note = _text(raw.get("note"), f"{what}: the note", limit=MAX_NOTE)
        if raw.get("x") is None or raw.get("y") is None:
            missing_position.append(len(variables))
            x = y = 0.0
        else:
            x, y = _number(raw["x"], f"{what}: x"), _number(raw["y"], f"{what}: y")
        variables.append(VariableData(name, note, x, y))
    for index, (x, y) in zip(missing_position, circle_layout(len(missing_position)), strict=True):
        variables[index] = VariableData(variables[index].name, variables[index].note, x, y)

    ends: list[tuple[Any, Any, Any, Any]] = []
    extras: list[tuple[str, float | None, AssumptionRef | None]] = []
    for position, raw in enumerate(raw_links, start=1):
        if not isinstance(raw, dict):
            raise ImportRefused(f"Link #{position} must be an object with 'source', 'target' and 'sign'.")
        what = f"Link {raw.get('source')!s} -> {raw.get('target')!s}"
        confidence = raw.get("confidence")
        if confidence is not None:
            confidence = _number(confidence, f"{what}: the confidence")
            if not 0.0 <= confidence <= 1.0:
                raise ImportRefused(f"{what}: the confidence {confidence:g} must be from 0 to 1.")
        # Ends, sign and delay are checked by validate_diagram below, with the diagram's own rules.
        ends.append((raw.get("source"), raw.get("target"), raw.get("sign"), raw.get("delay", False)))
        extras.append(
            (
                _text(raw.get("note"), f"{what}: the note", limit=MAX_NOTE),
                confidence,
                _assumption(raw.get("assumption"), what),
            )
        )
    try:
        checked = validate_diagram([variable.name for variable in variables], ends)
    except ValueError as error:
        raise ImportRefused(str(error)) from None
    links = [
        LinkData(link.source, link.target, link.sign, link.delay, note, confidence, assumption)
        for link, (note, confidence, assumption) in zip(checked.links, extras, strict=True)
    ]
    return DiagramData(title, description, tuple(variables), tuple(links))


def circle_layout(count: int, *, centre: tuple[float, float] = (0.0, 0.0)) -> list[tuple[float, float]]:
    """``count`` positions evenly on a circle (clockwise from the top), roomy enough for labels."""
    if count == 0:
        return []
    if count == 1:
        return [centre]
    radius = max(160.0, _CIRCLE_SPACING * count / (2 * math.pi))
    return [
        (
            round(centre[0] + radius * math.sin(2 * math.pi * index / count), 1),
            round(centre[1] - radius * math.cos(2 * math.pi * index / count), 1),
        )
        for index in range(count)
    ]


# Graphviz and Mermaid ---------------------------------------------------------------------------


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(diagram: DiagramData) -> str:
    """Graphviz DOT: boxes for variables, links labelled "+" or "-"; delayed links dashed and marked "||"."""
    lines = [
        f"digraph {_dot_quote(diagram.title)} {{",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica"];',
    ]
    lines.extend(f"  {_dot_quote(variable.name)};" for variable in diagram.variables)
    for link in diagram.links:
        attributes = [f"label={_dot_quote(link.sign + (' ||' if link.delay else ''))}"]
        if link.delay:
            attributes.append("style=dashed")
        if link.sign == "-":
            attributes.append('color="#b03a2e"')
        lines.append(f"  {_dot_quote(link.source)} -> {_dot_quote(link.target)} [{', '.join(attributes)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    # Mermaid reads entity codes inside quoted labels; these characters would end or break the label.
    for character, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("|", "#124;")):
        text = text.replace(character, code)
    return " ".join(text.split())


def to_mermaid(diagram: DiagramData) -> str:
    """A Mermaid flowchart: each link labelled "+" or "-"; delayed links dotted and labelled "delay"."""
    ids = {variable.name: f"v{index}" for index, variable in enumerate(diagram.variables, start=1)}
    lines = [f"%% {_mermaid_text(diagram.title)}", "flowchart LR"]
    lines.extend(
        f'  {ids[variable.name]}["{_mermaid_text(variable.name)}"]' for variable in diagram.variables
    )
    for link in diagram.links:
        arrow = "-.->" if link.delay else "-->"
        label = link.sign + (" delay" if link.delay else "")
        lines.append(f'  {ids[link.source]} {arrow}|"{label}"| {ids[link.target]}')
    return "\n".join(lines) + "\n"


MINUS = "\u2212"  # the typographic minus sign, wider and clearer than a hyphen on a drawing

# Drawings ---------------------------------------------------------------------------------------

_NEGATIVE_COLOUR = "#b03a2e"
_POSITIVE_COLOUR = "#1f5f99"
_TEXT_COLOUR = "#1d2430"


# One diagram pixel (the editor's coordinates) is drawn as 1/90 inch: at 10 pt a character of a
# variable name is about 7.5 units wide and a label box about 26 units tall.
_INCHES_PER_UNIT = 1 / 90
_CHAR_UNITS = 7.2
_BOX_PAD_UNITS = 9.0
_BOX_HALF_HEIGHT = 14.0


def _box_half_width(name: str) -> float:
    return len(name) * _CHAR_UNITS / 2 + _BOX_PAD_UNITS


def _edge_point(
    centre: tuple[float, float], towards: tuple[float, float], half_width: float
) -> tuple[float, float]:
    """Where the straight line from ``centre`` to ``towards`` leaves the label box around ``centre``."""
    dx, dy = towards[0] - centre[0], towards[1] - centre[1]
    if dx == 0 and dy == 0:
        return centre
    scale = min(
        half_width / abs(dx) if dx else math.inf,
        _BOX_HALF_HEIGHT / abs(dy) if dy else math.inf,
    )
    return (centre[0] + dx * scale, centre[1] + dy * scale)


def _figure(diagram: DiagramData) -> Any:
    """Draw the diagram with its saved layout on a matplotlib Figure (no pyplot: thread-safe)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch

    positions = {variable.name: (variable.x, -variable.y) for variable in diagram.variables}
    half_widths = {variable.name: _box_half_width(variable.name) for variable in diagram.variables}
    xs = [x - half_widths[name] for name, (x, _) in positions.items()] + [
        x + half_widths[name] for name, (x, _) in positions.items()
    ]
    ys = [y for _, y in positions.values()]
    pad = 50.0
    left, right = (min(xs) - pad, max(xs) + pad) if xs else (-200.0, 200.0)
    bottom, top = (
        (min(ys) - pad - _BOX_HALF_HEIGHT, max(ys) + pad + _BOX_HALF_HEIGHT) if ys else (-100.0, 100.0)
    )
    if right - left < 480:
        middle = (left + right) / 2
        left, right = middle - 240, middle + 240
    width_in = (right - left) * _INCHES_PER_UNIT
    axes_in = (top - bottom) * _INCHES_PER_UNIT
    title_in, legend_in = 0.55, 0.4
    height_in = axes_in + title_in + legend_in
    figure = Figure(figsize=(width_in, height_in), dpi=100)
    axes = figure.add_axes((0.0, legend_in / height_in, 1.0, axes_in / height_in))
    axes.set_xlim(left, right)
    axes.set_ylim(bottom, top)
    axes.axis("off")
    figure.text(
        0.5, 1 - 0.3 / height_in, diagram.title, ha="center", va="center", fontsize=13, color=_TEXT_COLOUR
    )
    figure.text(
        0.5,
        0.2 / height_in,
        f"+ : same direction    {MINUS} : opposite direction    \u2016 (dashed) : with a delay",
        ha="center",
        va="center",
        fontsize=9,
        color="#55606e",
    )
    for variable in diagram.variables:
        x, y = positions[variable.name]
        axes.text(
            x,
            y,
            variable.name,
            ha="center",
            va="center",
            fontsize=10,
            color=_TEXT_COLOUR,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": "#f4f6f9", "edgecolor": "#8a94a3"},
            zorder=3,
        )
    for link in diagram.links:
        centre_a, centre_b = positions[link.source], positions[link.target]
        start = _edge_point(centre_a, centre_b, half_widths[link.source] + 4)
        end = _edge_point(centre_b, centre_a, half_widths[link.target] + 4)
        colour = _NEGATIVE_COLOUR if link.sign == "-" else _POSITIVE_COLOUR
        axes.add_patch(
            FancyArrowPatch(
                start,
                end,
                connectionstyle="arc3,rad=0.18",
                arrowstyle="-|>",
                mutation_scale=16,
                linewidth=1.4,
                linestyle="--" if link.delay else "-",
                color=colour,
                shrinkA=0,
                shrinkB=0,
                zorder=4,
            )
        )
        # arc3 bends to the right of the direction of travel by rad * length at the middle; the
        # labels sit just outside the arc: the sign near the arrowhead, the delay mark in the middle.
        (x1, y1), (x2, y2) = start, end
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1.0
        normal = (dy / length, -dx / length)
        bend = 0.18 * length / 2
        for t, text in ((0.8, "+" if link.sign == "+" else MINUS), (0.5, "\u2016" if link.delay else "")):
            if not text:
                continue
            along = 4 * t * (1 - t)  # the arc's offset at t, relative to its offset at the middle
            axes.text(
                x1 + dx * t + normal[0] * (bend * along + 11),
                y1 + dy * t + normal[1] * (bend * along + 11),
                text,
                ha="center",
                va="center",
                fontsize=14,
                fontweight="bold",
                color=colour,
                zorder=5,
            )
    return figure


def to_svg(diagram: DiagramData) -> str:
    """The drawing as SVG text (labels stay text, so they can be searched and read aloud)."""
    from matplotlib import rc_context

    buffer = io.StringIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "practica"}):
        _figure(diagram).savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def to_png(diagram: DiagramData) -> bytes:
    """The drawing as a PNG image."""
    buffer = io.BytesIO()
    _figure(diagram).savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()
