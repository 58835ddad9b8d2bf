"""Diagram exports and imports (pure): JSON round trip, DOT, Mermaid, SVG, PNG and refused imports."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from practica.systems import exports
from practica.systems.exports import AssumptionRef, DiagramData, ImportRefused, LinkData, VariableData

HOTFIXES = DiagramData(
    title="Hotfixes",
    description="Why the bugs keep coming back",
    variables=(
        VariableData("Production bugs", "Counted weekly", 0.0, 0.0),
        VariableData("Hotfixes", "", 200.0, -80.5),
        VariableData('Rushed "quick" code', "", 200.0, 120.0),
    ),
    links=(
        LinkData("Production bugs", "Hotfixes", "+"),
        LinkData("Hotfixes", "Production bugs", "-", confidence=0.9),
        LinkData("Hotfixes", 'Rushed "quick" code', "+", note="Skipped review"),
        LinkData(
            'Rushed "quick" code', "Production bugs", "+", True, "", 0.6, AssumptionRef(7, "Rush adds bugs")
        ),
    ),
)


def test_json_round_trips_exactly():
    text = exports.to_json(HOTFIXES)
    assert exports.parse_json(text) == HOTFIXES
    assert exports.to_json(exports.parse_json(text)) == text
    document = json.loads(text)
    assert document["format"] == "practica-causal-loop-diagram"
    assert document["format_version"] == 1


names = st.text(alphabet=string.ascii_letters + " -'\"é", min_size=1, max_size=20).map(str.strip).filter(bool)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(names, min_size=2, max_size=8, unique_by=str.casefold),
    st.data(),
)
def test_any_valid_diagram_round_trips(variable_names, data):
    pairs = [(a, b) for a in variable_names for b in variable_names if a != b]
    chosen = data.draw(st.lists(st.sampled_from(pairs), unique=True, max_size=10))
    links = tuple(
        LinkData(a, b, data.draw(st.sampled_from("+-")), data.draw(st.booleans()),
                 confidence=data.draw(st.none() | st.floats(0, 1)))
        for a, b in chosen
    )  # fmt: skip
    variables = tuple(
        VariableData(name, "", float(index * 10), data.draw(st.floats(-1e5, 1e5)))
        for index, name in enumerate(variable_names)
    )
    diagram = DiagramData("T", "", variables, links)
    assert exports.parse_json(exports.to_json(diagram)) == diagram


def test_dot_labels_signs_and_dashes_delays():
    dot = exports.to_dot(HOTFIXES)
    assert dot.startswith('digraph "Hotfixes" {')
    assert '"Production bugs" -> "Hotfixes" [label="+"];' in dot
    assert '"Hotfixes" -> "Production bugs" [label="-", color="#b03a2e"];' in dot
    assert '"Rushed \\"quick\\" code" -> "Production bugs" [label="+ ||", style=dashed];' in dot


def test_mermaid_is_a_flowchart_with_sign_labels_and_dotted_delays():
    mermaid = exports.to_mermaid(HOTFIXES)
    lines = mermaid.splitlines()
    assert lines[1] == "flowchart LR"
    assert '  v1["Production bugs"]' in lines
    assert '  v3["Rushed #quot;quick#quot; code"]' in lines
    assert '  v1 -->|"+"| v2' in lines
    assert '  v2 -->|"-"| v1' in lines
    assert '  v3 -.->|"+ delay"| v1' in lines


def test_svg_keeps_names_signs_and_the_legend_as_text():
    svg = exports.to_svg(HOTFIXES)
    assert svg.lstrip().startswith("<?xml")
    assert "Production bugs" in svg
    assert "\u2212" in svg  # the minus sign of the negative link
    assert "\u2016" in svg  # the delay mark
    assert "same direction" in svg


def test_png_is_an_image():
    png = exports.to_png(HOTFIXES)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 5000


def _document(**changes):
    document = exports.to_json_document(HOTFIXES)
    document.update(changes)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "The file is not valid JSON"),
        ("[1, 2]", "must hold one JSON object"),
        (_document(format="other"), "The file's format is 'other'"),
        (_document(format_version=2), "Format version 2 is not supported"),
        (_document(variables=[{"name": "A"}, {"name": " a "}]), "Duplicate variable 'a'"),
        (_document(variables=[{"name": ""}]), "Variable #1's name is empty"),
        (_document(variables=[{"name": "x" * 81}]), "Variable #1's name has 81 characters; the limit is 80"),
        (
            _document(variables=[{"name": "A"}], links=[{"source": "A", "target": "Ghost", "sign": "+"}]),
            "Link A -> Ghost: unknown variable 'Ghost'",
        ),
        (
            _document(variables=[{"name": "A"}], links=[{"source": "A", "target": "A", "sign": "+"}]),
            "Link A -> A: a variable cannot link to itself",
        ),
        (
            _document(
                variables=[{"name": "A"}, {"name": "B"}],
                links=[{"source": "A", "target": "B", "sign": "plus"}],
            ),
            "Link A -> B: sign 'plus' is not allowed",
        ),
        (
            _document(
                variables=[{"name": "A"}, {"name": "B"}],
                links=[
                    {"source": "A", "target": "B", "sign": "+"},
                    {"source": "a", "target": "b", "sign": "-"},
                ],
            ),
            "Link A -> B: duplicate link",
        ),
        (
            _document(
                variables=[{"name": "A"}, {"name": "B"}],
                links=[{"source": "A", "target": "B", "sign": "+", "confidence": 2}],
            ),
            "Link A -> B: the confidence 2 must be from 0 to 1",
        ),
        (_document(variables=[{"name": f"v{i}"} for i in range(501)]), "501 variables; the limit is 500"),
        (_document(links=[{}] * 2001), "2001 links; the limit is 2,000"),
        ("x" * 1_000_001, "The file has 1,000,001 bytes; the limit is 1,000,000"),
    ],
)
def test_bad_imports_are_refused_naming_the_item(content, message):
    with pytest.raises(ImportRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        exports.parse_json(content)


def test_variables_without_positions_are_laid_out_on_a_circle():
    content = json.dumps({"variables": [{"name": "A"}, {"name": "B"}, {"name": "C"}], "links": []})
    diagram = exports.parse_json(content)
    positions = {(variable.x, variable.y) for variable in diagram.variables}
    assert len(positions) == 3
    assert diagram.title == "Imported diagram"
