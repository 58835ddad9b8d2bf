"""Feedback loops of a causal loop diagram (CLD).

A causal loop diagram is a set of named variables and signed causal links between them. Its feedback
loops are the simple directed cycles of that graph; a loop reinforces (R) when the product of its link
signs is positive and balances (B) when it is negative.

The archetype detector lives in :mod:`practica.analysis.archetypes`; ``detect_archetypes`` and
``detect_archetypes_report`` are also offered here so the whole diagram contract sits in one module.

References
----------
Johnson, D. B. (1975). Finding all the elementary circuits of a directed graph.
    SIAM Journal on Computing, 4(1), 77-84.
Sterman, J. D. (2000). Business Dynamics: Systems Thinking and Modeling for a Complex World.
    Irwin/McGraw-Hill, chapter 5 (link and loop polarity).
Senge, P. M. (1990). The Fifth Discipline. Doubleday, chapters 5-6.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx

if TYPE_CHECKING:
    from practica.analysis.archetypes import ArchetypeMatch, ArchetypeReport

Sign = Literal["+", "-"]
Polarity = Literal["R", "B"]

DEFAULT_LOOP_LIMIT = 5000

# The shortest-first search can, in adversarial graphs, walk many dead-end paths between two loops;
# this many steps per requested loop (plus a floor) is far above what real diagrams need.
_STEPS_PER_LOOP = 400
_MIN_STEPS = 200_000


@dataclass(frozen=True)
class Link:
    """A causal link: more ``source`` gives more (``"+"``) or less (``"-"``) ``target``."""

    source: str
    target: str
    sign: Sign
    delay: bool = False


@dataclass(frozen=True)
class Diagram:
    """A validated diagram: canonical (trimmed) variable names and links between them."""

    variables: tuple[str, ...]
    links: tuple[Link, ...]


@dataclass(frozen=True)
class Loop:
    """One feedback loop.

    ``variables`` are in cycle order starting from the alphabetically first variable; ``links[i]``
    goes from ``variables[i]`` to the next variable, the last link closing the loop.
    """

    id: str
    variables: tuple[str, ...]
    links: tuple[Link, ...]
    polarity: Polarity
    has_delay: bool
    sentence: str

    @property
    def kind(self) -> str:
        """``"reinforcing"`` or ``"balancing"``."""
        return "reinforcing" if self.polarity == "R" else "balancing"


@dataclass(frozen=True)
class LoopReport:
    """The loops of a diagram; ``truncated`` says the enumeration stopped at the limit."""

    loops: tuple[Loop, ...]
    truncated: bool

    def by_id(self, loop_id: str) -> Loop:
        """The loop with this id (``KeyError`` when absent)."""
        for loop in self.loops:
            if loop.id == loop_id:
                return loop
        raise KeyError(loop_id)


def name_key(name: str) -> str:
    """How variable names are compared: trimmed and case-insensitive."""
    return name.strip().casefold()


def _sort_key(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


def _link_parts(item: object, position: int) -> tuple[Any, Any, Any, Any]:
    if all(hasattr(item, field) for field in ("source", "target", "sign", "delay")):
        return (item.source, item.target, item.sign, item.delay)  # type: ignore[attr-defined]
    if isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 4:
        source, target, sign, delay = item
        return (source, target, sign, delay)
    raise ValueError(
        f"Link #{position + 1} ({item!r}) must be a (source, target, sign, delay) tuple "
        "or have those four attributes."
    )


def validate_diagram(variables: Iterable[str], links: Iterable[object]) -> Diagram:
    """Check a diagram and return it with canonical names.

    Variable names are trimmed and must be unique ignoring case. Link endpoints are matched to the
    variables the same way and rewritten to the variable's canonical (trimmed) spelling.

    Raises ``ValueError`` naming the offending item for: a blank or duplicate variable, an unknown
    variable in a link, a self-link, a sign other than ``"+"``/``"-"``, a delay that is not a bool,
    and a duplicate link (same source and target, whatever the sign).
    """
    canonical: dict[str, str] = {}
    names: list[str] = []
    for raw in variables:
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError(f"Variable name {raw!r} must be a non-empty text.")
        name = raw.strip()
        key = name_key(name)
        if key in canonical:
            raise ValueError(
                f"Duplicate variable {name!r}: it is the same as {canonical[key]!r} "
                "(names are compared ignoring case and surrounding spaces)."
            )
        canonical[key] = name
        names.append(name)

    seen: set[tuple[str, str]] = set()
    checked: list[Link] = []
    for position, item in enumerate(links):
        source, target, sign, delay = _link_parts(item, position)
        label = f"{source!s} -> {target!s}"
        for end in (source, target):
            if not isinstance(end, str) or name_key(end) not in canonical:
                raise ValueError(f"Link {label}: unknown variable {end!r}.")
        source, target = canonical[name_key(source)], canonical[name_key(target)]
        label = f"{source} -> {target}"
        if source == target:
            raise ValueError(f"Link {label}: a variable cannot link to itself.")
        if sign not in ("+", "-"):
            raise ValueError(f"Link {label}: sign {sign!r} is not allowed; use '+' or '-'.")
        if not isinstance(delay, bool):
            raise ValueError(f"Link {label}: delay {delay!r} must be True or False.")
        if (source, target) in seen:
            raise ValueError(f"Link {label}: duplicate link (there is already a link {label}).")
        seen.add((source, target))
        checked.append(Link(source, target, sign, delay))
    return Diagram(tuple(names), tuple(checked))


def canonical_cycle(cycle: Sequence[str]) -> tuple[str, ...]:
    """Rotate a cycle so it starts at its alphabetically first variable."""
    start = min(range(len(cycle)), key=lambda index: _sort_key(cycle[index]))
    return tuple(cycle[start:]) + tuple(cycle[:start])


def loop_sentence(variables: Sequence[str], links: Sequence[Link]) -> str:
    """Read a loop aloud: "More A leads to more B, which leads to less A: balancing".

    A delayed link reads "leads (after a delay) to".
    """
    parts = [f"More {variables[0]}"]
    more = True
    for index, link in enumerate(links):
        if link.sign == "-":
            more = not more
        verb = "leads (after a delay) to" if link.delay else "leads to"
        target = variables[(index + 1) % len(variables)]
        clause = f"{verb} {'more' if more else 'less'} {target}"
        parts.append(clause if index == 0 else f"which {clause}")
    kind = "reinforcing" if more else "balancing"
    return f"{parts[0]} {', '.join(parts[1:])}: {kind}"


def _build_graph(diagram: Diagram) -> nx.DiGraph:
    # Nodes and edges go in in name order so the enumeration order, and with it the loops kept
    # when the cap is hit, does not depend on the order the caller listed them.
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(diagram.variables, key=_sort_key))
    for link in sorted(diagram.links, key=lambda item: (_sort_key(item.source), _sort_key(item.target))):
        graph.add_edge(link.source, link.target, link=link)
    return graph


def _shortest_first_cycles(graph: nx.DiGraph, limit: int) -> tuple[list[list[str]], bool]:
    """Up to ``limit`` cycles, all of length k before any of length k + 1.

    Each cycle is found once, from its lowest-ranked node ``s`` through nodes ranked above ``s``. A
    walk only steps to a node whose shortest distance back to ``s`` still fits the target length, so
    almost every step is on the way to a cycle (a simpler cousin of the length-bounded search of
    Gupta & Suzumura, 2021). A step cap guards against graphs where that pruning fails.
    """
    order = list(graph.nodes)
    rank = {node: index for index, node in enumerate(order)}
    successors = {node: [w for w in graph.successors(node)] for node in order}
    distance_home: list[dict[str, int]] = []
    for index, start in enumerate(order):
        distance = {start: 0}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for previous in graph.predecessors(node):
                if rank[previous] > index and previous not in distance:
                    distance[previous] = distance[node] + 1
                    queue.append(previous)
        distance_home.append(distance)

    max_steps = max(_MIN_STEPS, _STEPS_PER_LOOP * limit)
    steps = 0
    found: list[list[str]] = []
    for length in range(2, len(order) + 1):
        for index, start in enumerate(order):
            distance = distance_home[index]
            if len(distance) < length:
                continue
            path = [start]
            on_path = {start}
            stack: list[Iterator[str]] = [iter(successors[start])]
            while stack:
                step = next(stack[-1], None)
                if step is None:
                    stack.pop()
                    on_path.discard(path.pop())
                    continue
                steps += 1
                if steps > max_steps:
                    return found, True
                if step == start:
                    if len(path) == length:
                        found.append(list(path))
                        if len(found) >= limit:
                            return found, True
                    continue
                remaining = length - len(path)
                if step in on_path or distance.get(step, length) > remaining:
                    continue
                path.append(step)
                on_path.add(step)
                stack.append(iter(successors[step]))
    return found, False


def find_loops(
    variables: Iterable[str], links: Iterable[object], limit: int = DEFAULT_LOOP_LIMIT
) -> LoopReport:
    """Find the feedback loops (simple directed cycles) of a causal loop diagram.

    Loops are listed shortest first, then by their sorted variable names; ids count reinforcing
    (R1, R2 ...) and balancing (B1, B2 ...) loops separately in that order, so they do not depend on
    the order variables or links were given.

    When the diagram has more than ``limit`` loops the report is ``truncated`` and keeps the
    ``limit`` shortest ones (the longest length kept may be partial, chosen in name order); long loops
    in a tangled diagram are rarely the ones worth discussing. In a pathological graph a step cap may
    stop that search with fewer loops; the report is still marked truncated.

    References
    ----------
    Johnson, D. B. (1975). Finding all the elementary circuits of a directed graph.
        SIAM Journal on Computing, 4(1), 77-84 (via ``networkx.simple_cycles``).
    Gupta, A. & Suzumura, T. (2021). Finding all bounded-length simple cycles in a directed graph.
        arXiv:2105.10094 (the shortest-first search used past the limit).
    Sterman, J. D. (2000). Business Dynamics, section 5.2: loop polarity is the product of link signs.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}.")
    diagram = validate_diagram(variables, links)
    graph = _build_graph(diagram)
    cycles = list(itertools.islice(nx.simple_cycles(graph), limit + 1))
    truncated = len(cycles) > limit
    if truncated:
        cycles, truncated = _shortest_first_cycles(graph, limit)
    return _number_loops(graph, cycles, truncated)


def _number_loops(graph: nx.DiGraph, cycles: list[list[str]], truncated: bool) -> LoopReport:
    # The graph's nodes are in name order, so node ranks sort exactly as the names do.
    rank = {node: position for position, node in enumerate(graph.nodes)}
    by_ends = {(source, target): link for source, target, link in graph.edges(data="link")}
    keyed: list[tuple[tuple[int, list[int], list[int]], tuple[str, ...]]] = []
    for cycle in cycles:
        ranks = [rank[node] for node in cycle]
        start = ranks.index(min(ranks))
        keyed.append(
            ((len(cycle), sorted(ranks), ranks[start:] + ranks[:start]), (*cycle[start:], *cycle[:start]))
        )
    keyed.sort(key=lambda item: item[0])
    counters = {"R": 0, "B": 0}
    loops: list[Loop] = []
    for _, rotation in keyed:
        cycle_links = tuple(by_ends[rotation[index - 1], node] for index, node in enumerate(rotation))
        cycle_links = cycle_links[1:] + cycle_links[:1]
        negatives = sum(1 for link in cycle_links if link.sign == "-")
        polarity: Polarity = "R" if negatives % 2 == 0 else "B"
        counters[polarity] += 1
        loops.append(
            Loop(
                id=f"{polarity}{counters[polarity]}",
                variables=rotation,
                links=cycle_links,
                polarity=polarity,
                has_delay=any(link.delay for link in cycle_links),
                sentence=loop_sentence(rotation, cycle_links),
            )
        )
    return LoopReport(tuple(loops), truncated)


def detect_archetypes(
    variables: Iterable[str], links: Iterable[object], **options: Any
) -> list[ArchetypeMatch]:
    """Senge's archetypes found in a diagram; see :mod:`practica.analysis.archetypes`."""
    from practica.analysis import archetypes  # late: archetypes imports this module

    return archetypes.detect_archetypes(variables, links, **options)


def detect_archetypes_report(
    variables: Iterable[str], links: Iterable[object], **options: Any
) -> ArchetypeReport:
    """Archetype matches plus whether the bounded search stopped early; see the archetypes module."""
    from practica.analysis import archetypes  # late: archetypes imports this module

    return archetypes.detect_archetypes_report(variables, links, **options)
