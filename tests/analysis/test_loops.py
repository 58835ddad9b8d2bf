"""Feedback loops of causal loop diagrams: hand-made cases and invariants."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practica.analysis.loops import Link, canonical_cycle, detect_archetypes, find_loops, validate_diagram

LinkTuple = tuple[str, str, str, bool]

# Two loops of length two and one of length three (hand-computed):
#   A -> B (+), B -> A (+)            reinforcing
#   C -> D (+), D -> C (-)            balancing
#   A -> B (+), B -> C (-), C -> A (-) reinforcing (two negatives)
SMALL_VARIABLES = ["A", "B", "C", "D"]
SMALL_LINKS: list[LinkTuple] = [
    ("A", "B", "+", False),
    ("B", "A", "+", False),
    ("B", "C", "-", False),
    ("C", "A", "-", True),
    ("C", "D", "+", False),
    ("D", "C", "-", False),
]


def complete_diagram(size: int) -> tuple[list[str], list[LinkTuple]]:
    names = [f"X{index}" for index in range(size)]
    return names, [(a, b, "+", False) for a, b in itertools.permutations(names, 2)]


def test_two_variable_balancing_loop_reads_as_a_sentence() -> None:
    report = find_loops(["A", "B"], [("A", "B", "+", False), ("B", "A", "-", False)])

    assert not report.truncated
    (loop,) = report.loops
    assert loop.id == "B1"
    assert loop.polarity == "B"
    assert loop.variables == ("A", "B")
    assert loop.sentence == "More A leads to more B, which leads to less A: balancing"
    assert not loop.has_delay


def test_loops_are_numbered_shortest_first_then_by_name() -> None:
    report = find_loops(SMALL_VARIABLES, SMALL_LINKS)

    assert [(loop.id, loop.variables) for loop in report.loops] == [
        ("R1", ("A", "B")),
        ("B1", ("C", "D")),
        ("R2", ("A", "B", "C")),
    ]
    assert report.by_id("R2").has_delay
    assert not report.by_id("R1").has_delay


def test_two_negative_links_make_a_reinforcing_loop_and_its_sentence_flips_twice() -> None:
    loop = find_loops(SMALL_VARIABLES, SMALL_LINKS).by_id("R2")

    assert loop.polarity == "R"
    assert loop.kind == "reinforcing"
    assert loop.sentence == (
        "More A leads to more B, which leads to less C, which leads (after a delay) to more A: reinforcing"
    )
    assert [(link.source, link.target, link.sign) for link in loop.links] == [
        ("A", "B", "+"),
        ("B", "C", "-"),
        ("C", "A", "-"),
    ]


def test_loop_starts_at_its_alphabetically_first_variable_whatever_the_input_order() -> None:
    report = find_loops(
        ["c", "B", "a"], [("c", "a", "+", False), ("a", "B", "+", False), ("B", "c", "+", False)]
    )

    assert report.loops[0].variables == ("a", "B", "c")


def test_a_diagram_without_cycles_has_no_loops() -> None:
    report = find_loops(["A", "B", "C"], [("A", "B", "+", False), ("B", "C", "-", True)])

    assert report.loops == ()
    assert not report.truncated


def test_complete_diagram_has_the_counted_number_of_loops() -> None:
    # Simple cycles of the complete digraph on 6 nodes: sum over k of C(6, k) * (k - 1)! = 409.
    variables, links = complete_diagram(6)

    report = find_loops(variables, links, limit=409)

    assert len(report.loops) == 409
    assert not report.truncated


def test_past_the_limit_the_report_is_truncated_and_keeps_the_shortest_loops() -> None:
    variables, links = complete_diagram(6)

    report = find_loops(variables, links, limit=20)

    assert report.truncated
    assert len(report.loops) == 20
    lengths = [len(loop.variables) for loop in report.loops]
    assert lengths == [2] * 15 + [3] * 5


def test_limit_one_below_the_loop_count_truncates() -> None:
    variables, links = complete_diagram(6)

    assert find_loops(variables, links, limit=408).truncated


def test_a_dense_diagram_is_answered_quickly_thanks_to_the_cap() -> None:
    variables, links = complete_diagram(14)

    report = find_loops(variables, links, limit=300)

    assert report.truncated
    assert len(report.loops) == 300
    assert max(len(loop.variables) for loop in report.loops) == 3


def test_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        find_loops(["A"], [], limit=0)


def test_link_objects_with_the_four_attributes_are_accepted() -> None:
    links = [SimpleNamespace(source="A", target="B", sign="-", delay=True), Link("B", "A", "-")]

    (loop,) = find_loops(["A", "B"], links).loops

    assert loop.polarity == "R"
    assert loop.has_delay


def test_link_ends_are_matched_ignoring_case_and_spaces() -> None:
    diagram = validate_diagram([" Sales ", "Stock"], [("sales", " STOCK", "+", False)])

    assert diagram.variables == ("Sales", "Stock")
    assert diagram.links == (Link("Sales", "Stock", "+", False),)


@pytest.mark.parametrize(
    ("variables", "links", "message"),
    [
        (["A", "B"], [("A", "Zed", "+", False)], "unknown variable 'Zed'"),
        (["A", "B"], [("A", "a", "+", False)], "A -> A: a variable cannot link to itself"),
        (["A", "B"], [("A", "B", "plus", False)], "sign 'plus' is not allowed"),
        (["A", "B"], [("A", "B", "+", False), ("a", "b", "-", True)], "A -> B: duplicate link"),
        (["Stock", " stock "], [], "Duplicate variable 'stock'.*same as 'Stock'"),
        (["A", "  "], [], "non-empty"),
        (["A", "B"], [("A", "B", "+", "yes")], "delay 'yes' must be True or False"),
        (["A", "B"], [("A", "B", "+")], r"Link #1 .* must be a \(source, target, sign, delay\)"),
    ],
)
def test_bad_input_is_refused_naming_the_offending_item(
    variables: list[str], links: list[tuple[object, ...]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        find_loops(variables, links)


def test_archetype_detection_is_offered_from_the_loops_module_too() -> None:
    links = [("effort", "perf", "+", False), ("perf", "effort", "+", False)]
    links += [("perf", "limit", "+", False), ("limit", "perf", "-", False)]

    (match,) = detect_archetypes(["effort", "perf", "limit"], links)

    assert match.archetype == "limits-to-growth"


NAMES = ["A", "b", "C", "d", "E", "f", "G"]


@st.composite
def diagrams(draw: st.DrawFn, max_variables: int = 6) -> tuple[list[str], list[LinkTuple]]:
    variables = NAMES[: draw(st.integers(min_value=2, max_value=max_variables))]
    pairs = [pair for pair in itertools.permutations(variables, 2)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=min(len(pairs), 14)))
    links = [(source, target, draw(st.sampled_from("+-")), draw(st.booleans())) for source, target in chosen]
    return variables, links


PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(diagram=diagrams(), limit=st.integers(min_value=1, max_value=30), data=st.data())
def test_loop_ids_do_not_depend_on_input_order(
    diagram: tuple[list[str], list[LinkTuple]], limit: int, data: st.DataObject
) -> None:
    variables, links = diagram
    shuffled_variables = data.draw(st.permutations(variables))
    shuffled_links = data.draw(st.permutations(links))

    assert find_loops(shuffled_variables, shuffled_links, limit=limit) == find_loops(
        variables, links, limit=limit
    )


@PROPERTY_SETTINGS
@given(diagram=diagrams(max_variables=7))
def test_loops_are_exactly_the_simple_cycles_with_the_sign_product_as_polarity(
    diagram: tuple[list[str], list[LinkTuple]],
) -> None:
    variables, links = diagram
    graph = nx.DiGraph()
    graph.add_nodes_from(variables)
    graph.add_edges_from((source, target, {"sign": sign}) for source, target, sign, _ in links)

    report = find_loops(variables, links)

    expected = {canonical_cycle(cycle) for cycle in nx.simple_cycles(graph)}
    assert {loop.variables for loop in report.loops} == expected
    for loop in report.loops:
        negatives = sum(link.sign == "-" for link in loop.links)
        assert loop.polarity == ("R" if negatives % 2 == 0 else "B")
        assert [link.source for link in loop.links] == list(loop.variables)
    assert len({loop.id for loop in report.loops}) == len(report.loops)


@PROPERTY_SETTINGS
@given(diagram=diagrams(max_variables=7), limit=st.integers(min_value=1, max_value=25))
def test_a_truncated_report_keeps_every_loop_shorter_than_its_longest(
    diagram: tuple[list[str], list[LinkTuple]], limit: int
) -> None:
    variables, links = diagram
    full = find_loops(variables, links, limit=100_000)

    report = find_loops(variables, links, limit=limit)

    assert report.truncated == (len(full.loops) > limit)
    assert len(report.loops) == min(limit, len(full.loops))
    kept = {loop.variables for loop in report.loops}
    assert kept <= {loop.variables for loop in full.loops}
    longest = max((len(cycle) for cycle in kept), default=0)
    assert {loop.variables for loop in full.loops if len(loop.variables) < longest} <= kept
