"""Senge's systems archetypes: templates and their detection in a causal loop diagram.

A diagram contains an archetype when the archetype's small template diagram can be laid over it:
each template variable (a *role*) goes to a distinct diagram variable and each template link to a
directed path between those variables with the same overall sign (see :func:`detect_archetypes`).

References
----------
Senge, P. M. (1990). The Fifth Discipline: The Art and Practice of the Learning Organization.
    Doubleday, appendix 2 ("Systems Archetypes").
Kim, D. H. & Anderson, V. (1998). Systems Archetype Basics: From Story to Structure. Pegasus.
Sterman, J. D. (2000). Business Dynamics, chapter 5 (the sign of a path is the product of its links).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from practica.analysis.loops import (
    Diagram,
    LoopReport,
    Sign,
    canonical_cycle,
    find_loops,
    validate_diagram,
)

# A template link may stretch over at most this many diagram links. Four keeps the search tractable
# (at most d^4 paths from a variable with d outgoing links) while still matching diagrams that spell
# a template link out in two or three intermediate steps.
DEFAULT_MAX_PATH_LINKS = 4
# One step is one candidate tried or one path extended. About a microsecond each: the 200-variable,
# 600-link benchmark stays well under its one-second target with this budget.
DEFAULT_STEP_BUDGET = 150_000
# Distinct situations reported per archetype; a tangled diagram can match thousands of ways.
DEFAULT_MAX_MATCHES = 10


@dataclass(frozen=True)
class TemplateLink:
    """A link of an archetype template, between two roles."""

    source: str
    target: str
    sign: Sign
    delay: bool = False


@dataclass(frozen=True)
class ArchetypeTemplate:
    """One archetype as a small causal loop diagram over named roles.

    ``interchangeable`` lists two equally long groups of roles (the "A" side and the "B" side) that
    describe the same situation when swapped, so a match and its mirror image are reported once.
    """

    slug: str
    name: str
    roles: tuple[str, ...]
    links: tuple[TemplateLink, ...]
    explanation: str
    advice: str
    interchangeable: tuple[tuple[str, ...], tuple[str, ...]] | None = None

    @property
    def size(self) -> tuple[int, int]:
        """(roles, links): larger templates are searched and listed first."""
        return (len(self.roles), len(self.links))


_LINK_PATTERN = re.compile(
    r"^\[(?P<source>[^\]]+)\] ->(?P<sign>[+-]) \[(?P<target>[^\]]+)\](?P<delay> \(delay\))?$"
)


def _template(
    slug: str,
    name: str,
    links: str,
    explanation: str,
    advice: str,
    interchangeable: tuple[tuple[str, ...], tuple[str, ...]] | None = None,
) -> ArchetypeTemplate:
    """Build a template from links written as in the specification, one per ``;``."""
    parsed: list[TemplateLink] = []
    roles: list[str] = []
    for text in links.split(";"):
        found = _LINK_PATTERN.match(text.strip())
        if found is None:
            raise ValueError(f"Archetype {slug}: cannot read link {text.strip()!r}.")
        sign: Sign = "+" if found["sign"] == "+" else "-"
        parsed.append(TemplateLink(found["source"], found["target"], sign, found["delay"] is not None))
        roles.extend(role for role in (found["source"], found["target"]) if role not in roles)
    return ArchetypeTemplate(slug, name, tuple(roles), tuple(parsed), explanation, advice, interchangeable)


ARCHETYPES: tuple[ArchetypeTemplate, ...] = (
    _template(
        "limits-to-growth",
        "Limits to growth",
        "[effort] ->+ [performance]; [performance] ->+ [effort]; "
        "[performance] ->+ [limiting action]; [limiting action] ->- [performance]",
        "A reinforcing loop of growth (effort improves performance, which encourages more effort) "
        "sets off a balancing loop: the better things go, the harder a limiting action pushes back, "
        "until growth slows or stops however hard people push.",
        "Do not push harder on the growth loop. Find the limiting factor and work on it, ideally "
        "before it bites: removing or easing the constraint is what lets growth continue.",
    ),
    _template(
        "fixes-that-fail",
        "Fixes that fail",
        "[problem] ->+ [fix]; [fix] ->- [problem]; [fix] ->+ [unintended consequence]; "
        "[unintended consequence] ->+ [problem] (delay)",
        "A fix relieves the problem quickly, but it also has an unintended consequence that, after a "
        "delay, feeds the problem again, so the fix is needed more and more often.",
        "Keep the long term in view. Use the fix, if at all, only to buy time; look for a response "
        "that does not set off the consequence, or deal with the consequence directly.",
    ),
    _template(
        "shifting-the-burden",
        "Shifting the burden",
        "[symptom] ->+ [symptomatic fix]; [symptomatic fix] ->- [symptom]; "
        "[symptom] ->+ [fundamental solution]; [fundamental solution] ->- [symptom] (delay); "
        "[symptomatic fix] ->+ [side effect]; [side effect] ->- [fundamental solution]",
        "A symptomatic fix eases the symptom at once, while the fundamental solution works only "
        "after a delay. The fix's side effect weakens the fundamental solution, so the system comes "
        "to depend on the quick fix.",
        "Strengthen the fundamental solution. Use the symptomatic fix only to gain time while the "
        "fundamental response is built up, and make its side effect visible to everyone involved.",
    ),
    _template(
        "eroding-goals",
        "Eroding goals",
        "[goal] ->+ [gap]; [actual] ->- [gap]; [gap] ->+ [corrective action]; "
        "[corrective action] ->+ [actual] (delay); [gap] ->+ [pressure to lower goal]; "
        "[pressure to lower goal] ->- [goal]",
        "A gap between goal and actual can close two ways: by corrective action, which takes time, "
        "or by lowering the goal, which is quick. Under pressure the goal keeps slipping.",
        "Hold the goal steady: anchor it in a vision or an outside standard rather than in recent "
        "performance, and commit to the corrective action while accepting its delay.",
    ),
    _template(
        "escalation",
        "Escalation",
        "[activity of A] ->+ [result of A]; [result of A] ->+ [A relative to B]; "
        "[A relative to B] ->- [activity of A]; [activity of B] ->+ [result of B]; "
        "[result of B] ->- [A relative to B]; [A relative to B] ->+ [activity of B]",
        "Each side judges its position relative to the other and answers any gain by the other side "
        "with more of its own activity. Two balancing loops join into a spiral that both sides lose.",
        "Look for a way for both sides to win. One side can step out of the spiral on purpose, "
        "easing off so the other can too, or both can agree on a shared goal and limits.",
        (("activity of A", "result of A"), ("activity of B", "result of B")),
    ),
    _template(
        "success-to-the-successful",
        "Success to the successful",
        "[allocation to A over B] ->+ [resources to A]; [resources to A] ->+ [success of A]; "
        "[success of A] ->+ [allocation to A over B]; [allocation to A over B] ->- [resources to B]; "
        "[resources to B] ->+ [success of B]; [success of B] ->- [allocation to A over B]",
        "Two activities draw on the same limited resources. The one that does a little better gets "
        "more, which makes it do better still, while the other is starved.",
        "Look for an overarching goal both activities serve, allocate on criteria other than past "
        "success, or decouple the two so they stop competing for the same pool.",
        (("resources to A", "success of A"), ("resources to B", "success of B")),
    ),
    _template(
        "tragedy-of-the-commons",
        "Tragedy of the commons",
        "[activity of A] ->+ [gain of A]; [gain of A] ->+ [activity of A]; "
        "[activity of B] ->+ [gain of B]; [gain of B] ->+ [activity of B]; "
        "[activity of A] ->+ [total activity]; [activity of B] ->+ [total activity]; "
        "[total activity] ->- [gain per activity] (delay); [gain per activity] ->+ [gain of A]; "
        "[gain per activity] ->+ [gain of B]",
        "Each party gains from its own use of a shared resource and so uses more. Their total use "
        "overloads the resource, and after a delay the gain per activity falls for everyone.",
        "Manage the commons: make the shared limit and its delay visible, then agree on rules of use, "
        "by self-regulation among the users or through a body they trust, so that each party's "
        "decisions feel the long-run cost.",
        (("activity of A", "gain of A"), ("activity of B", "gain of B")),
    ),
    _template(
        "growth-and-underinvestment",
        "Growth and underinvestment",
        "[growth action] ->+ [demand]; [demand] ->+ [growth action]; [demand] ->- [performance]; "
        "[performance] ->+ [demand]; [performance] ->- [perceived need to invest]; "
        "[perceived need to invest] ->+ [investment]; [investment] ->+ [capacity] (delay); "
        "[capacity] ->+ [performance]",
        "Growth strains capacity and performance slips, which holds demand back. Investment in "
        "capacity would lift the limit, but it is judged against today's weaker demand and arrives "
        "late, so underinvestment looks justified and growth stalls.",
        "If the growth potential is real, build capacity ahead of demand as a deliberate strategy, "
        "and hold performance standards steady instead of letting them drift down to excuse it.",
    ),
)
_ORDERED_TEMPLATES = tuple(
    sorted(ARCHETYPES, key=lambda template: (-template.size[0], -template.size[1], template.slug))
)


def archetype_template(slug: str) -> ArchetypeTemplate:
    """The template with this slug (``KeyError`` when unknown)."""
    for template in ARCHETYPES:
        if template.slug == slug:
            return template
    raise KeyError(slug)


@dataclass(frozen=True)
class ArchetypeMatch:
    """One place where a diagram shows an archetype.

    ``roles`` maps each template role to a diagram variable; ``paths`` gives, for each template link
    ``(source role, target role)``, the diagram variables its path runs through (both ends included);
    ``loops`` are the ids of the diagram loops the archetype's loops become (an id is missing only when
    the loop report was truncated before reaching that loop).
    """

    archetype: str
    name: str
    roles: dict[str, str]
    loops: tuple[str, ...]
    explanation: str
    advice: str
    paths: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    @property
    def description(self) -> str:
        """The match in words: ``Fixes that fail: problem = Production bugs, fix = Hotfixes, ...``."""
        roles = ", ".join(f"{role} = {variable}" for role, variable in self.roles.items())
        return f"{self.name}: {roles}"

    @property
    def variables(self) -> frozenset[str]:
        """Every diagram variable the match runs through, roles and intermediate steps alike."""
        return frozenset(name for path in self.paths.values() for name in path)


@dataclass(frozen=True)
class ArchetypeReport:
    """Archetype matches, largest templates first; ``stopped_early`` says the search was cut short."""

    matches: tuple[ArchetypeMatch, ...]
    stopped_early: bool


class _OutOfSteps(Exception):
    """The step budget is spent."""


class _Budget:
    def __init__(self, steps: int) -> None:
        self.left = steps

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise _OutOfSteps


@dataclass(frozen=True)
class _Path:
    nodes: tuple[str, ...]
    negative: bool
    delayed: bool

    @property
    def inner(self) -> tuple[str, ...]:
        return self.nodes[1:-1]


_Walked = tuple[tuple[str, ...], bool, bool]  # nodes from the walk's start, negative, delayed


@dataclass
class _Walk:
    """Paths from (or to) one variable, extended one link at a time as longer paths are asked for."""

    ends: dict[str, list[_Path]]
    frontier: list[_Walked]
    links: int = 0


class _PathIndex:
    """Simple paths of at most ``max_links`` links, enumerated lazily and kept per endpoint.

    Paths never leave the strongly connected component they start in: every archetype template is
    strongly connected, so all its images, and every variable on a path between two of them, lie in
    one component of the diagram. The step ``budget`` is swapped for each archetype searched.
    """

    def __init__(self, graph: nx.DiGraph, component: dict[str, int], max_links: int, budget: _Budget) -> None:
        self.graph = graph
        self.component = component
        self.max_links = max_links
        self.budget = budget
        self._forward: dict[str, _Walk] = {}
        self._backward: dict[str, _Walk] = {}

    def _extend(self, walk: _Walk, forward: bool, links: int) -> dict[str, list[_Path]]:
        neighbours = self.graph.successors if forward else self.graph.predecessors
        while walk.links < links and walk.frontier:
            extended: list[_Walked] = []
            for nodes, negative, delayed in walk.frontier:
                for step in neighbours(nodes[-1]):
                    if step in nodes or self.component[step] != self.component[nodes[0]]:
                        continue
                    self.budget.spend()
                    link = self.graph.edges[(nodes[-1], step) if forward else (step, nodes[-1])]["link"]
                    extended.append(((*nodes, step), negative ^ (link.sign == "-"), delayed or link.delay))
            # Only a finished layer is recorded: running out of steps midway leaves it to be redone.
            for nodes, negative, delayed in extended:
                path = _Path(nodes if forward else nodes[::-1], negative, delayed)
                walk.ends.setdefault(nodes[-1], []).append(path)
            walk.frontier = extended
            walk.links += 1
        return walk.ends

    def starting_at(self, source: str, links: int) -> dict[str, list[_Path]]:
        walk = self._forward.setdefault(source, _Walk({}, [((source,), False, False)]))
        return self._extend(walk, True, links)

    def ending_at(self, target: str, links: int) -> dict[str, list[_Path]]:
        walk = self._backward.setdefault(target, _Walk({}, [((target,), False, False)]))
        return self._extend(walk, False, links)

    def between(self, source: str, target: str, links: int) -> list[_Path]:
        return self.starting_at(source, links).get(target, [])


def _fits(path: _Path, link: TemplateLink, images: set[str], max_links: int) -> bool:
    return (
        len(path.nodes) - 1 <= max_links
        and path.negative == (link.sign == "-")
        and (path.delayed or not link.delay)
        and not any(name in images for name in path.inner)
    )


@dataclass(frozen=True)
class _Found:
    """One embedding: role variables (in template role order), one path per template link, and the
    diagram loops the template loops become."""

    mapping: tuple[str, ...]
    paths: tuple[_Path, ...]
    cycles: frozenset[tuple[str, ...]]

    @property
    def rank(self) -> tuple[int, int, tuple[str, ...]]:
        """Fewest links first, then extra steps spread most evenly over the template links (a chain
        A -> m -> B -> n -> C reads better as roles A, B, C than A, m, C); names only break ties."""
        lengths = [len(path.nodes) - 1 for path in self.paths]
        return (
            sum(lengths),
            sum(length * length for length in lengths),
            tuple(name.casefold() for name in self.mapping),
        )


@dataclass
class _Situation:
    """All embeddings of one template that land on the same set of diagram loops."""

    best: _Found
    mappings: set[tuple[str, ...]]


class _TemplateSearch:
    """Backtracking embedding of one template, by growing maximum path length (1, 2, ... links).

    Roles are placed one at a time, each next to an already placed role, so candidates come from the
    paths leaving or entering that role's variable. A partial placement survives only while every
    template link between placed roles still has some fitting path. Once all roles are placed, every
    choice of paths without shared intermediate variables is tried, so the situations found do not
    depend on the order in which variables are visited.
    """

    def __init__(self, template: ArchetypeTemplate, index: _PathIndex, max_matches: int) -> None:
        self.template = template
        self.index = index
        self.max_matches = max_matches
        self.plan = self._plan()
        self.template_cycles = [tuple(cycle) for cycle in nx.simple_cycles(self._template_graph())]
        self.situations: dict[frozenset[tuple[str, ...]], _Situation] = {}

    def _template_graph(self) -> nx.DiGraph:
        graph = nx.DiGraph()
        graph.add_nodes_from(self.template.roles)
        graph.add_edges_from((link.source, link.target) for link in self.template.links)
        return graph

    def _plan(self) -> list[tuple[str, list[TemplateLink]]]:
        """Placement order: most connected role first, then the role most tied to those placed."""
        roles = self.template.roles
        links = self.template.links

        def ties(role: str, placed: set[str]) -> list[TemplateLink]:
            return [
                link
                for link in links
                if (link.source == role and link.target in placed)
                or (link.target == role and link.source in placed)
            ]

        first = max(roles, key=lambda role: sum(role in (link.source, link.target) for link in links))
        plan: list[tuple[str, list[TemplateLink]]] = [(first, [])]
        placed = {first}
        while len(placed) < len(roles):
            role = max(
                (role for role in roles if role not in placed), key=lambda role: len(ties(role, placed))
            )
            plan.append((role, ties(role, placed)))
            placed.add(role)
        return plan

    def run(self, starts: list[str]) -> bool:
        """Search every maximum path length; ``True`` when the match cap stopped it."""
        for max_links in range(1, self.index.max_links + 1):
            for start in starts:
                self.index.budget.spend()
                if self._place(1, {self.plan[0][0]: start}, {start}, max_links):
                    return True
        return False

    def _candidates(
        self, role: str, anchor: TemplateLink, mapping: dict[str, str], images: set[str], max_links: int
    ) -> list[str]:
        if anchor.target == role:
            reachable = self.index.starting_at(mapping[anchor.source], max_links)
        else:
            reachable = self.index.ending_at(mapping[anchor.target], max_links)
        return [
            name
            for name, paths in reachable.items()
            if name not in images and any(_fits(path, anchor, images, max_links) for path in paths)
        ]

    def _place(self, position: int, mapping: dict[str, str], images: set[str], max_links: int) -> bool:
        if position == len(self.plan):
            return self._complete(mapping, images, max_links)
        role, ties = self.plan[position]
        for name in self._candidates(role, ties[0], mapping, images, max_links):
            self.index.budget.spend()
            mapping[role] = name
            images.add(name)
            fits_all = all(
                any(
                    _fits(path, link, images, max_links)
                    for path in self.index.between(mapping[link.source], mapping[link.target], max_links)
                )
                for link in ties[1:]
            )
            if fits_all and self._place(position + 1, mapping, images, max_links):
                return True
            images.discard(name)
            del mapping[role]
        return False

    def _complete(self, mapping: dict[str, str], images: set[str], max_links: int) -> bool:
        links = self.template.links
        options = [
            [
                path
                for path in self.index.between(mapping[link.source], mapping[link.target], max_links)
                if _fits(path, link, images, max_links)
            ]
            for link in links
        ]
        order = sorted(range(len(links)), key=lambda position: len(options[position]))
        role_variables = tuple(mapping[role] for role in self.template.roles)
        chosen: dict[int, _Path] = {}

        def choose(depth: int, taken: frozenset[str]) -> bool:
            if depth == len(order):
                paths = tuple(chosen[position] for position in range(len(links)))
                return self._keep(_Found(role_variables, paths, self._cycles(paths)))
            position = order[depth]
            for path in options[position]:
                self.index.budget.spend()
                if taken.isdisjoint(path.inner):
                    chosen[position] = path
                    if choose(depth + 1, taken.union(path.inner)):
                        return True
            return False

        return choose(0, frozenset())

    def _cycles(self, paths: tuple[_Path, ...]) -> frozenset[tuple[str, ...]]:
        by_ends = {
            (link.source, link.target): path for link, path in zip(self.template.links, paths, strict=True)
        }
        cycles = set()
        for cycle in self.template_cycles:
            nodes: list[str] = []
            for position, role in enumerate(cycle):
                nodes.extend(by_ends[(role, cycle[(position + 1) % len(cycle)])].nodes[:-1])
            cycles.add(canonical_cycle(nodes))
        return frozenset(cycles)

    def _keep(self, found: _Found) -> bool:
        """Record an embedding under its situation; ``True`` once the cap on situations is reached."""
        situation = self.situations.get(found.cycles)
        if situation is None:
            self.situations[found.cycles] = _Situation(found, {found.mapping})
            return len(self.situations) >= self.max_matches
        situation.mappings.add(found.mapping)
        if found.rank < situation.best.rank:
            situation.best = found
        return False

    def mirror(self, mapping: tuple[str, ...]) -> tuple[str, ...]:
        """The same embedding with the A and B sides swapped (itself when the template has no sides)."""
        sides = self.template.interchangeable
        if sides is None:
            return mapping
        position = {role: index for index, role in enumerate(self.template.roles)}
        swapped = list(mapping)
        for left, right in zip(sides[0], sides[1], strict=True):
            swapped[position[left]], swapped[position[right]] = (
                mapping[position[right]],
                mapping[position[left]],
            )
        return tuple(swapped)

    def groups(self) -> list[list[_Situation]]:
        """Situations joined with their mirror images, each group best-ranked first."""
        situations = sorted(self.situations.values(), key=lambda situation: situation.best.rank)
        owner = {
            mapping: index for index, situation in enumerate(situations) for mapping in situation.mappings
        }
        parent = list(range(len(situations)))

        def root(index: int) -> int:
            while parent[index] != index:
                index = parent[index]
            return index

        for index, situation in enumerate(situations):
            for mapping in situation.mappings:
                other = owner.get(self.mirror(mapping))
                if other is not None:
                    low, high = sorted((root(index), root(other)))
                    parent[high] = low
        grouped: dict[int, list[_Situation]] = {}
        for index, situation in enumerate(situations):
            grouped.setdefault(root(index), []).append(situation)
        return [grouped[key] for key in sorted(grouped)]


def detect_archetypes_report(
    variables: Iterable[str],
    links: Iterable[object],
    *,
    loop_report: LoopReport | None = None,
    max_path_links: int = DEFAULT_MAX_PATH_LINKS,
    step_budget: int = DEFAULT_STEP_BUDGET,
    max_matches: int = DEFAULT_MAX_MATCHES,
    only: Iterable[str] | None = None,
) -> ArchetypeReport:
    """Find Senge's archetypes in a causal loop diagram, saying whether the search stopped early.

    A match maps the template's roles one-to-one onto diagram variables so that each template link
    ``u -> v`` becomes a directed path from ``u``'s variable to ``v``'s of at most ``max_path_links``
    links, whose sign product equals the link's sign, with a delayed link somewhere on it if the
    template link is delayed, and whose intermediate variables are neither role variables nor on the
    path of any other template link.

    One situation is reported once. Embeddings whose template loops land on the same set of diagram
    loops are one situation, and a situation is joined with its mirror image for the archetypes with
    an A and a B side (escalation, success to the successful, tragedy of the commons); the embedding
    with the fewest links, spread most evenly, stands for the group (along a plain chain of links a
    role may sit on any of several variables equally well). A group *adds nothing*, and is dropped,
    when each set of loops in it lies inside the loops of one situation reported for a larger archetype
    (more roles, or as many roles and more links): it then points at no feedback the larger match
    does not already explain, and all its variables are inside that match too, since every template
    variable lies on a template loop.

    The search is bounded: each archetype gets an equal share of what is left of ``step_budget`` and
    at most ``max_matches`` situations; ``stopped_early`` is set when either bound was reached.
    ``loop_report`` (from :func:`find_loops` on the same diagram) avoids finding the loops twice;
    ``only`` restricts the search to some archetype slugs (larger archetypes left out then hide nothing).

    References
    ----------
    Senge, P. M. (1990). The Fifth Discipline, appendix 2.
    Kim, D. H. & Anderson, V. (1998). Systems Archetype Basics: From Story to Structure.
    """
    if max_path_links < 1:
        raise ValueError(f"max_path_links must be at least 1, got {max_path_links}.")
    if max_matches < 1:
        raise ValueError(f"max_matches must be at least 1, got {max_matches}.")
    templates = _ORDERED_TEMPLATES
    if only is not None:
        wanted = set(only)
        unknown = sorted(wanted - {template.slug for template in ARCHETYPES})
        if unknown:
            raise ValueError(f"Unknown archetype {unknown[0]!r}.")
        templates = tuple(template for template in templates if template.slug in wanted)
    diagram = validate_diagram(variables, links)
    if loop_report is None:
        loop_report = find_loops(diagram.variables, diagram.links)
    loop_ids = {loop.variables: loop.id for loop in loop_report.loops}
    graph = _graph(diagram)
    component: dict[str, int] = {}
    for number, members in enumerate(nx.strongly_connected_components(graph)):
        component.update(dict.fromkeys(members, number if len(members) > 1 else -1 - number))
    # Every template is strongly connected, so its variables all sit on loops of the diagram.
    starts = [name for name in graph.nodes if component[name] >= 0]

    stopped_early = False
    spent = 0
    kept: list[tuple[ArchetypeTemplate, _Found, list[frozenset[tuple[str, ...]]]]] = []
    index = _PathIndex(graph, component, max_path_links, _Budget(0))
    for remaining, template in zip(range(len(templates), 0, -1), templates, strict=True):
        budget = _Budget((step_budget - spent) // remaining)
        share = budget.left
        index.budget = budget
        search = _TemplateSearch(template, index, max_matches)
        try:
            stopped_early |= search.run(starts)
        except _OutOfSteps:
            stopped_early = True
        spent += share - max(budget.left, 0)
        larger = [cycles for other, _, covers in kept if other.size > template.size for cycles in covers]
        for group in search.groups():
            covers = [situation.best.cycles for situation in group]
            if not all(any(cycles <= bigger for bigger in larger) for cycles in covers):
                kept.append((template, group[0].best, covers))
    matches = tuple(_public_match(template, found, loop_ids) for template, found, _ in kept)
    return ArchetypeReport(matches, stopped_early)


def detect_archetypes(
    variables: Iterable[str], links: Iterable[object], **options: Any
) -> list[ArchetypeMatch]:
    """Senge's archetypes found in a diagram, largest templates first.

    Takes the options of :func:`detect_archetypes_report`, which also says whether the bounded search
    stopped early.

    References
    ----------
    Senge, P. M. (1990). The Fifth Discipline, appendix 2.
    Kim, D. H. & Anderson, V. (1998). Systems Archetype Basics: From Story to Structure.
    """
    return list(detect_archetypes_report(variables, links, **options).matches)


def _graph(diagram: Diagram) -> nx.DiGraph:
    # Name order makes the search, and so what a bounded search finds, independent of input order.
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(diagram.variables, key=lambda name: (name.casefold(), name)))
    for link in sorted(diagram.links, key=lambda link: (link.source.casefold(), link.target.casefold())):
        graph.add_edge(link.source, link.target, link=link)
    return graph


def _public_match(
    template: ArchetypeTemplate, found: _Found, loop_ids: dict[tuple[str, ...], str]
) -> ArchetypeMatch:
    ids = sorted(
        (loop_ids[cycle] for cycle in found.cycles if cycle in loop_ids),
        key=lambda loop_id: (loop_id[0] != "R", int(loop_id[1:])),
    )
    return ArchetypeMatch(
        archetype=template.slug,
        name=template.name,
        roles=dict(zip(template.roles, found.mapping, strict=True)),
        loops=tuple(ids),
        explanation=template.explanation,
        advice=template.advice,
        paths={
            (link.source, link.target): path.nodes
            for link, path in zip(template.links, found.paths, strict=True)
        },
    )
