"""Senge's systems archetypes: templates found in themselves, in disguise, and not where they are not."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable

import networkx as nx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from practica.analysis.archetypes import (
    ARCHETYPES,
    ArchetypeMatch,
    ArchetypeTemplate,
    archetype_template,
    detect_archetypes,
    detect_archetypes_report,
)
from practica.analysis.loops import find_loops

LinkTuple = tuple[str, str, str, bool]
Diagram = tuple[list[str], list[LinkTuple]]
SLUGS = [template.slug for template in ARCHETYPES]


def template_diagram(template: ArchetypeTemplate, rename: Callable[[str], str] = str) -> Diagram:
    """The template itself as a diagram, its roles renamed."""
    return (
        [rename(role) for role in template.roles],
        [(rename(link.source), rename(link.target), link.sign, link.delay) for link in template.links],
    )


def stretched_diagram(template: ArchetypeTemplate, stretch: set[int]) -> Diagram:
    """The template with the links at ``stretch`` spelled out through intermediate variables.

    A positive link becomes two negative links, a negative one three links (-, +, +); a delay moves to
    the path's last link. Unrelated variables sit around it: one alone, one only pushing on two roles,
    and a separate two-variable loop.
    """
    variables = [f"{role} (x)" for role in template.roles]
    links: list[LinkTuple] = []
    for position, link in enumerate(template.links):
        source, target = f"{link.source} (x)", f"{link.target} (x)"
        if position not in stretch:
            links.append((source, target, link.sign, link.delay))
            continue
        signs = ["-", "-"] if link.sign == "+" else ["-", "+", "+"]
        steps = [f"step {position}.{index}" for index in range(len(signs) - 1)]
        variables.extend(steps)
        ends = [source, *steps, target]
        for index, sign in enumerate(signs):
            links.append((ends[index], ends[index + 1], sign, link.delay and index == len(signs) - 1))
    variables += ["Weather", "Budget", "Morale", "Turnover"]
    links += [
        ("Budget", variables[0], "+", False),
        ("Budget", variables[1], "-", True),
        ("Morale", "Turnover", "-", False),
        ("Turnover", "Morale", "+", True),
    ]
    return variables, links


def slugs(matches: list[ArchetypeMatch]) -> list[str]:
    return [match.archetype for match in matches]


def assert_is_a_valid_embedding(match: ArchetypeMatch, diagram: Diagram, max_links: int = 4) -> None:
    """Check a reported match against the definition in the specification."""
    signs = {(source, target): (sign, delay) for source, target, sign, delay in diagram[1]}
    template = archetype_template(match.archetype)
    assert list(match.roles) == list(template.roles)
    images = set(match.roles.values())
    assert len(images) == len(template.roles)
    used: set[str] = set()
    for link in template.links:
        path = match.paths[(link.source, link.target)]
        assert (path[0], path[-1]) == (match.roles[link.source], match.roles[link.target])
        assert 2 <= len(path) <= max_links + 1
        assert len(set(path)) == len(path)
        steps = [signs[pair] for pair in itertools.pairwise(path)]
        assert sum(sign == "-" for sign, _ in steps) % 2 == (link.sign == "-")
        assert any(delay for _, delay in steps) or not link.delay
        inner = set(path[1:-1])
        assert not inner & images
        assert not inner & used
        used |= inner


def test_the_eight_templates_are_those_of_the_specification() -> None:
    sizes = {template.slug: template.size for template in ARCHETYPES}

    assert sizes == {
        "limits-to-growth": (3, 4),
        "fixes-that-fail": (3, 4),
        "shifting-the-burden": (4, 6),
        "eroding-goals": (5, 6),
        "escalation": (5, 6),
        "success-to-the-successful": (5, 6),
        "tragedy-of-the-commons": (6, 9),
        "growth-and-underinvestment": (6, 8),
    }
    ftf = archetype_template("fixes-that-fail")
    assert [(link.source, link.target, link.sign, link.delay) for link in ftf.links] == [
        ("problem", "fix", "+", False),
        ("fix", "problem", "-", False),
        ("fix", "unintended consequence", "+", False),
        ("unintended consequence", "problem", "+", True),
    ]


@pytest.mark.parametrize("template", ARCHETYPES, ids=SLUGS)
def test_every_template_is_strongly_connected_and_explained(template: ArchetypeTemplate) -> None:
    # The search only looks inside strongly connected parts of a diagram, which is right only for
    # strongly connected templates.
    graph = nx.DiGraph((link.source, link.target) for link in template.links)

    assert nx.is_strongly_connected(graph)
    assert template.explanation
    assert template.advice


@pytest.mark.parametrize("template", ARCHETYPES, ids=SLUGS)
def test_each_template_is_found_in_itself_once_with_its_loops(template: ArchetypeTemplate) -> None:
    variables, links = template_diagram(template)

    report = detect_archetypes_report(variables, links)

    assert not report.stopped_early
    (match,) = report.matches
    assert match.archetype == template.slug
    assert match.roles == {role: role for role in template.roles}
    loops = find_loops(variables, links).loops
    assert sorted(match.loops) == sorted(loop.id for loop in loops)
    assert_is_a_valid_embedding(match, (variables, links))


@pytest.mark.parametrize("template", ARCHETYPES, ids=SLUGS)
def test_a_renamed_copy_matches_with_the_new_names(template: ArchetypeTemplate) -> None:
    variables, links = template_diagram(template, rename=lambda role: f"Team {role.upper()}")

    matches = detect_archetypes(variables, links)

    assert slugs(matches) == [template.slug]
    assert matches[0].roles == {role: f"Team {role.upper()}" for role in template.roles}


@pytest.mark.parametrize("template", ARCHETYPES, ids=SLUGS)
@pytest.mark.parametrize("stretch", ["even", "odd", "all"])
def test_a_copy_with_intermediate_variables_still_matches(template: ArchetypeTemplate, stretch: str) -> None:
    positions = {
        "even": set(range(0, len(template.links), 2)),
        "odd": set(range(1, len(template.links), 2)),
        "all": set(range(len(template.links))),
    }[stretch]
    variables, links = stretched_diagram(template, positions)

    matches = [match for match in detect_archetypes(variables, links) if match.archetype == template.slug]

    (match,) = matches
    assert match.variables == {name for name in variables if name.endswith("(x)") or name.startswith("step")}
    assert_is_a_valid_embedding(match, (variables, links))
    if stretch == "all":
        assert match.roles == {role: f"{role} (x)" for role in template.roles}


def test_with_uneven_steps_a_role_may_slide_along_its_chain_but_the_situation_is_the_same() -> None:
    # pressure -> goal is spelled out as pressure -> step 5.0 -> step 5.1 -> goal, and goal -> gap is
    # one plain link: the goal role reads as well on either step as on "goal (x)" itself.
    template = archetype_template("eroding-goals")
    variables, links = stretched_diagram(template, {1, 3, 5})

    (match,) = detect_archetypes(variables, links, only=[template.slug])

    assert match.roles["goal"] in {"goal (x)", "step 5.0", "step 5.1"}
    assert match.roles["gap"] == "gap (x)"
    assert len(match.loops) == 2
    assert_is_a_valid_embedding(match, (variables, links))


def test_limits_to_growth_reads_as_roles_and_advice() -> None:
    variables, links = template_diagram(archetype_template("limits-to-growth"))

    (match,) = detect_archetypes(variables, links)

    assert match.description == (
        "Limits to growth: effort = effort, performance = performance, limiting action = limiting action"
    )
    assert match.name == "Limits to growth"
    assert "limiting factor" in match.advice
    assert match.paths[("limiting action", "performance")] == ("limiting action", "performance")


@pytest.mark.parametrize(
    ("slug", "flipped"),
    [("fixes-that-fail", ("fix", "problem")), ("limits-to-growth", ("limiting action", "performance"))],
)
def test_a_wrong_sign_does_not_match(slug: str, flipped: tuple[str, str]) -> None:
    variables, links = template_diagram(archetype_template(slug))
    links = [
        (source, target, "+" if sign == "-" else "-", delay)
        if (source, target) == flipped
        else (source, target, sign, delay)
        for source, target, sign, delay in links
    ]

    assert slug not in slugs(detect_archetypes(variables, links))


@pytest.mark.parametrize(
    "template", [template for template in ARCHETYPES if any(link.delay for link in template.links)]
)
def test_without_the_delay_the_archetype_does_not_match(template: ArchetypeTemplate) -> None:
    variables, links = template_diagram(template)
    links = [(source, target, sign, False) for source, target, sign, _ in links]

    assert template.slug not in slugs(detect_archetypes(variables, links))


def test_a_path_forced_through_another_role_does_not_count() -> None:
    # The only way back from the limiting action to performance runs through effort.
    links = [
        ("effort", "performance", "+", False),
        ("performance", "effort", "+", False),
        ("performance", "limit", "+", False),
        ("limit", "effort", "-", False),
    ]

    assert detect_archetypes(["effort", "performance", "limit"], links) == []


def test_two_template_links_cannot_share_an_intermediate_variable() -> None:
    # effort -> performance and limit -> performance would both have to pass through M.
    links = [
        ("effort", "M", "+", False),
        ("M", "performance", "+", False),
        ("performance", "effort", "+", False),
        ("performance", "limit", "+", False),
        ("limit", "M", "-", False),
    ]

    assert detect_archetypes(["effort", "M", "performance", "limit"], links) == []


def test_paths_longer_than_the_limit_do_not_match_unless_allowed() -> None:
    # limit -> performance spelled out in five links (sign product negative).
    steps = ["s1", "s2", "s3", "s4"]
    chain = ["limit", *steps, "performance"]
    links = [("effort", "performance", "+", False), ("performance", "effort", "+", False)]
    links += [("performance", "limit", "+", False)]
    links += [(a, b, "-" if a == "limit" else "+", False) for a, b in itertools.pairwise(chain)]
    variables = ["effort", "performance", "limit", *steps]

    assert detect_archetypes(variables, links) == []
    assert slugs(detect_archetypes(variables, links, max_path_links=5)) == ["limits-to-growth"]


def test_a_smaller_archetype_inside_a_larger_one_that_adds_nothing_is_dropped() -> None:
    # Shifting the burden contains fixes that fail (side effect -> fundamental solution -> symptom
    # is a delayed positive path), but that match has no loop of its own.
    variables, links = template_diagram(archetype_template("shifting-the-burden"))

    assert slugs(detect_archetypes(variables, links)) == ["shifting-the-burden"]
    assert slugs(detect_archetypes(variables, links, only=["fixes-that-fail"])) == ["fixes-that-fail"]


def test_a_smaller_archetype_with_a_loop_of_its_own_is_kept() -> None:
    variables, links = template_diagram(archetype_template("shifting-the-burden"))
    variables.append("overtime")
    links += [("symptomatic fix", "overtime", "+", False), ("overtime", "symptom", "+", True)]

    matches = detect_archetypes(variables, links)

    assert slugs(matches)[0] == "shifting-the-burden"
    fixes = [match.roles for match in matches if match.archetype == "fixes-that-fail"]
    assert fixes == [{"problem": "symptom", "fix": "symptomatic fix", "unintended consequence": "overtime"}]


def test_escalation_seen_from_both_sides_is_reported_once() -> None:
    template = archetype_template("escalation")
    variables, links = template_diagram(template)
    # Extra paths make the mirror image (A and B swapped) a valid embedding as well.
    variables += ["X", "Y", "Z", "W"]
    links += [
        ("result of B", "X", "+", False),
        ("X", "A relative to B", "+", False),
        ("A relative to B", "Y", "+", False),
        ("Y", "activity of B", "-", False),
        ("result of A", "Z", "-", False),
        ("Z", "A relative to B", "+", False),
        ("A relative to B", "W", "+", False),
        ("W", "activity of A", "+", False),
    ]

    escalations = [match for match in detect_archetypes(variables, links) if match.archetype == "escalation"]

    assert len(escalations) == 1
    assert escalations[0].roles["activity of A"] == "activity of A"


def test_larger_archetypes_are_listed_first() -> None:
    small, small_links = template_diagram(
        archetype_template("limits-to-growth"), rename=lambda role: f"L {role}"
    )
    large, large_links = template_diagram(archetype_template("tragedy-of-the-commons"))

    matches = detect_archetypes(small + large, small_links + large_links)

    assert slugs(matches) == ["tragedy-of-the-commons", "limits-to-growth"]


def test_the_search_says_when_the_step_budget_stopped_it() -> None:
    variables, links = template_diagram(archetype_template("tragedy-of-the-commons"))

    report = detect_archetypes_report(variables, links, step_budget=50)

    assert report.stopped_early


def test_the_search_says_when_the_match_cap_stopped_it() -> None:
    template = archetype_template("limits-to-growth")
    first = template_diagram(template, rename=lambda role: f"1 {role}")
    second = template_diagram(template, rename=lambda role: f"2 {role}")
    variables, links = first[0] + second[0], first[1] + second[1]

    capped = detect_archetypes_report(variables, links, max_matches=1)
    full = detect_archetypes_report(variables, links)

    assert capped.stopped_early
    assert len(capped.matches) == 1
    assert not full.stopped_early
    assert len(full.matches) == 2


def test_match_loops_are_the_loop_report_ids() -> None:
    variables, links = stretched_diagram(archetype_template("growth-and-underinvestment"), {0, 3, 6})
    loop_report = find_loops(variables, links)

    (match,) = detect_archetypes(variables, links, loop_report=loop_report)

    assert len(match.loops) == 3
    for loop_id in match.loops:
        assert set(loop_report.by_id(loop_id).variables) <= match.variables


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown variable 'Nope'"):
        detect_archetypes(["A"], [("A", "Nope", "+", False)])
    with pytest.raises(ValueError, match="Unknown archetype 'groundhog-day'"):
        detect_archetypes(["A"], [], only=["groundhog-day"])


# Property tests: an archetype template, partly stretched, with random extra links around it.


@st.composite
def archetype_diagrams(draw: st.DrawFn) -> Diagram:
    template = draw(st.sampled_from(ARCHETYPES))
    stretch = draw(st.sets(st.integers(min_value=0, max_value=len(template.links) - 1), max_size=2))
    variables, links = stretched_diagram(template, stretch)
    taken = {(source, target) for source, target, _, _ in links}
    extra = [f"extra {index}" for index in range(draw(st.integers(min_value=0, max_value=2)))]
    variables += extra
    pairs = [pair for pair in itertools.permutations(variables, 2) if pair not in taken]
    for source, target in draw(st.lists(st.sampled_from(pairs), unique=True, max_size=4)):
        links.append((source, target, draw(st.sampled_from("+-")), draw(st.booleans())))
    return variables, links


PROPERTY_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def renamed(diagram: Diagram, names: dict[str, str]) -> Diagram:
    variables, links = diagram
    return [names[name] for name in variables], [
        (names[a], names[b], sign, delay) for a, b, sign, delay in links
    ]


def rename_match(match: ArchetypeMatch, names: dict[str, str]) -> tuple[object, ...]:
    return (
        match.archetype,
        {role: names[name] for role, name in match.roles.items()},
        match.loops,
        {ends: tuple(names[name] for name in path) for ends, path in match.paths.items()},
    )


@PROPERTY_SETTINGS
@given(diagram=archetype_diagrams())
def test_every_reported_match_fits_the_definition(diagram: Diagram) -> None:
    report = detect_archetypes_report(*diagram)

    assert not report.stopped_early
    assert report.matches
    for match in report.matches:
        assert_is_a_valid_embedding(match, diagram)


@PROPERTY_SETTINGS
@given(diagram=archetype_diagrams())
def test_renaming_in_the_same_order_renames_the_results(diagram: Diagram) -> None:
    names = {name: f"~{name.upper()}!" for name in diagram[0]}
    assume(
        sorted(diagram[0], key=str.casefold) == sorted(diagram[0], key=lambda name: names[name].casefold())
    )
    before = detect_archetypes_report(*diagram)
    assume(not before.stopped_early)

    after = detect_archetypes_report(*renamed(diagram, names))

    assert [rename_match(match, names) for match in before.matches] == [
        rename_match(match, {name: name for name in names.values()}) for match in after.matches
    ]


@PROPERTY_SETTINGS
@given(diagram=archetype_diagrams(), data=st.data())
def test_any_renaming_finds_the_same_archetypes_the_same_number_of_times(
    diagram: Diagram, data: st.DataObject
) -> None:
    # Names only break ties between equally short embeddings of one situation, so which roles stand
    # for it may change; how many situations of each archetype there are may not.
    new_names = data.draw(st.permutations([f"v{index:02d}" for index in range(len(diagram[0]))]))
    names = dict(zip(diagram[0], new_names, strict=True))
    before = detect_archetypes_report(*diagram)
    assume(not before.stopped_early)

    after = detect_archetypes_report(*renamed(diagram, names))

    assert Counter(slugs(list(after.matches))) == Counter(slugs(list(before.matches)))


@PROPERTY_SETTINGS
@given(diagram=archetype_diagrams(), pushes=st.lists(st.integers(min_value=0), max_size=3, unique=True))
def test_adding_an_unrelated_variable_never_removes_a_match(diagram: Diagram, pushes: list[int]) -> None:
    # "Unrelated": on no loop, whether alone or only pushing on existing variables.
    variables, links = diagram
    before = detect_archetypes_report(variables, links)
    assume(not before.stopped_early)
    targets = sorted({variables[push % len(variables)] for push in pushes})

    after = detect_archetypes_report(
        [*variables, "Newcomer"], links + [("Newcomer", target, "+", True) for target in targets]
    )

    assert after == before
