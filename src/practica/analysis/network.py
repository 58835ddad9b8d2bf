"""The knowledge network: who learns from whom, seen as flows between groups (teams).

Input is plain data: directed *learning ties* (one person learned from another: an answer accepted or
marked worked, a mentor on a learning goal) and *gatherings* (people who took part in the same event
or the same review). Each interaction gets a weight by kind, halved every ``half_life_days`` of age
(exponential decay), and a gathering spreads its weight over the pairs it creates.

Weights (per interaction, before decay) — the rule shown on the page:

- answer marked "worked" by the asker: 2.0 (the asker learned from the answerer; the strongest
  evidence that learning happened);
- answer accepted (not marked worked): 1.0;
- mentoring (a learning goal shared with someone, who mentors its owner): 3.0 (an ongoing relation);
- review participation: 1.0 per participant, spread over the other participants;
- event co-attendance: 0.5 per attendee, spread over the other attendees (both ways, weaker).

A gathering of ``n`` people gives each pair ``weight / (n - 1)``, so each participant receives the
gathering's weight once whatever its size (Newman's collaboration weighting): a 300-person talk does
not drown out a five-person retrospective. Decay: ``weight * 0.5 ** (age_days / half_life_days)``,
half-life 180 days by default (a tie from a year ago counts a quarter).

Metrics, all on the group level (a group is a team; the caller merges groups too small to show):

- flows: directed weight from the teacher's group to the learner's; gatherings flow both ways, half each;
- silos: a group's *external share* is the weight of its ties with other groups divided by all its
  tie weight; below ``silo_share`` (0.2 by default) the group is a silo;
- clusters: Leiden community detection (modularity) on the undirected group graph (seeded), compared with the
  formal partition (groups by department) by Newman's modularity of each partition and by the
  normalised mutual information between them;
- brokers: a person's *participation coefficient* over the detected clusters, from their answers,
  mentoring and reviews (meetups left out),
  ``P = 1 - sum_c (s_c / s)^2`` where ``s_c`` is the weight of their ties into cluster ``c``; a person
  with ``P >= broker_participation`` (0.5: ties spread about evenly over at least two clusters) and
  a total tie weight of at least ``broker_min_strength`` (1.0) is a broker. This is linear in the number
  of ties; betweenness is quadratic and, on a graph full of event cliques, mostly measures event size.

The group graph keeps the weight inside a group as a self-loop, so the modularity of a partition of
groups equals the modularity of the same partition of people (Blondel et al.'s aggregation).

References
----------
M. E. J. Newman (2001). Scientific collaboration networks. II. Phys. Rev. E 64, 016132 (pair weights).
M. E. J. Newman & M. Girvan (2004). Finding and evaluating community structure in networks.
    Phys. Rev. E 69, 026113 (modularity).
V. D. Blondel, J.-L. Guillaume, R. Lambiotte & E. Lefebvre (2008). Fast unfolding of communities in
    large networks. J. Stat. Mech. P10008 (Louvain).
V. A. Traag, L. Waltman & N. J. van Eck (2019). From Louvain to Leiden: guaranteeing well-connected
    communities. Sci. Rep. 9, 5233 (Leiden, used here).
R. Guimerà & L. A. N. Amaral (2005). Functional cartography of complex metabolic networks.
    Nature 433, 895-900 (participation coefficient).
R. S. Burt (2004). Structural holes and good ideas. Am. J. Sociol. 110(2), 349-399 (brokerage).
A. Strehl & J. Ghosh (2002). Cluster ensembles. JMLR 3, 583-617 (normalised mutual information).
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import igraph
import networkx as nx
import numpy as np
from scipy import sparse


class TieKind(StrEnum):
    """A directed learning interaction: the learner learned from the teacher."""

    ANSWER_WORKED = "answer_worked"
    ANSWER_ACCEPTED = "answer_accepted"
    MENTORING = "mentoring"


class GatheringKind(StrEnum):
    """People who took part in the same thing; every pair is tied both ways."""

    REVIEW = "review"
    EVENT = "event"


WEIGHTS: dict[str, float] = {
    TieKind.ANSWER_WORKED: 2.0,
    TieKind.ANSWER_ACCEPTED: 1.0,
    TieKind.MENTORING: 3.0,
    GatheringKind.REVIEW: 1.0,
    GatheringKind.EVENT: 0.5,
}
HALF_LIFE_DAYS = 180.0
SILO_SHARE = 0.2
BROKER_PARTICIPATION = 0.5
BROKER_MIN_STRENGTH = 1.0


@dataclass(frozen=True)
class LearningTie:
    """``learner`` learned from ``teacher`` ``age_days`` ago; ``via_community`` if it happened in one."""

    learner: int
    teacher: int
    kind: TieKind
    age_days: float
    via_community: bool = False


@dataclass(frozen=True)
class Gathering:
    """The people at one event or review, ``age_days`` ago."""

    people: Sequence[int]
    kind: GatheringKind
    age_days: float
    via_community: bool = False


@dataclass(frozen=True)
class NetworkRule:
    """The tunable parameters, shown on the page with the numbers they produced."""

    half_life_days: float = HALF_LIFE_DAYS
    silo_share: float = SILO_SHARE
    broker_participation: float = BROKER_PARTICIPATION
    broker_min_strength: float = BROKER_MIN_STRENGTH
    seed: int = 1


def decayed(kind: str, age_days: float, half_life_days: float = HALF_LIFE_DAYS) -> float:
    """The weight of one interaction of ``kind`` that happened ``age_days`` ago."""
    return WEIGHTS[kind] * 0.5 ** (max(age_days, 0.0) / half_life_days)


@dataclass
class GroupGraph:
    """Tie weights aggregated to groups: ``flow[a, b]`` is weight flowing from group a to group b
    (teacher's group to learner's); ``internal[a]`` the weight of ties inside group a."""

    groups: list[Hashable]
    flow: np.ndarray  # (G, G) dense, zero diagonal
    internal: np.ndarray  # (G,)
    person_index: dict[int, int] = field(default_factory=dict)
    # For brokerage: per tie/gathering arrays kept in index form.
    _tie_people: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    _tie_weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _incidence: sparse.csr_matrix | None = None  # gatherings x people, 1 where present
    _gathering_scale: np.ndarray = field(default_factory=lambda: np.zeros(0))  # weight / (n - 1)
    _gathering_is_event: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @property
    def undirected(self) -> np.ndarray:
        """Weight between each pair of different groups, both directions added."""
        return self.flow + self.flow.T

    def external(self) -> np.ndarray:
        return self.undirected.sum(axis=1)

    def total_weight(self) -> float:
        return float(self.flow.sum() + self.internal.sum())


def build_group_graph(
    group_of: Mapping[int, Hashable],
    ties: Sequence[LearningTie],
    gatherings: Sequence[Gathering],
    *,
    half_life_days: float = HALF_LIFE_DAYS,
    include_community: bool = True,
) -> GroupGraph:
    """Aggregate decayed interactions to group level; people not in ``group_of`` are ignored.

    Cost is linear in the ties and in the gathering memberships (sparse products), never in the
    number of pairs a gathering creates.
    """
    groups = sorted(set(group_of.values()), key=repr)
    group_index = {group: index for index, group in enumerate(groups)}
    people = sorted(group_of)
    person_index = {person: index for index, person in enumerate(people)}
    person_group = np.array([group_index[group_of[person]] for person in people], dtype=np.int64)
    size = len(groups)

    flow = np.zeros((size, size))
    internal = np.zeros(size)

    kept = [
        tie
        for tie in ties
        if (include_community or not tie.via_community)
        and tie.learner in person_index
        and tie.teacher in person_index
        and tie.learner != tie.teacher
    ]
    tie_people = np.array(
        [(person_index[tie.teacher], person_index[tie.learner]) for tie in kept], dtype=np.int64
    ).reshape(-1, 2)
    tie_weights = np.array([decayed(tie.kind, tie.age_days, half_life_days) for tie in kept])
    if len(kept):
        source, target = person_group[tie_people[:, 0]], person_group[tie_people[:, 1]]
        same = source == target
        np.add.at(internal, source[same], tie_weights[same])
        np.add.at(flow, (source[~same], target[~same]), tie_weights[~same])

    rows: list[int] = []
    columns: list[int] = []
    scale: list[float] = []
    is_event: list[bool] = []
    for gathering in gatherings:
        if not include_community and gathering.via_community:
            continue
        present = sorted({person_index[p] for p in gathering.people if p in person_index})
        if len(present) < 2:
            continue
        rows.extend([len(scale)] * len(present))
        columns.extend(present)
        scale.append(decayed(gathering.kind, gathering.age_days, half_life_days) / (len(present) - 1))
        is_event.append(gathering.kind == GatheringKind.EVENT)
    incidence = sparse.csr_matrix(
        (np.ones(len(rows)), (np.array(rows, dtype=np.int64), np.array(columns, dtype=np.int64))),
        shape=(len(scale), len(people)),
    )
    gathering_scale = np.array(scale)
    if len(scale):
        membership = sparse.csr_matrix(
            (np.ones(len(people)), (np.arange(len(people)), person_group)), shape=(len(people), size)
        )
        counts = incidence @ membership  # gatherings x groups: how many of each group took part
        pair_weight = (counts.T @ sparse.diags(gathering_scale) @ counts).toarray()
        # Diagonal: sum of scale * c^2; the pairs inside a group are c(c-1)/2 of them.
        inside = (np.diag(pair_weight) - np.asarray(counts.T @ gathering_scale).ravel()) / 2
        internal += inside
        between = pair_weight - np.diag(np.diag(pair_weight))
        flow += between / 2  # every pair flows both ways, half each
    return GroupGraph(
        groups=groups,
        flow=flow,
        internal=internal,
        person_index=person_index,
        _tie_people=tie_people,
        _tie_weights=tie_weights,
        _incidence=incidence,
        _gathering_scale=gathering_scale,
        _gathering_is_event=np.array(is_event, dtype=bool),
    )


def modularity(graph: GroupGraph, partition: Sequence[int]) -> float:
    """Newman-Girvan modularity of a partition of the groups (``partition[i]`` labels group i).

    ``Q = sum_c [ W_c / m - (d_c / 2m)^2 ]`` with ``W_c`` the tie weight inside part c (the groups'
    own internal weight included), ``d_c`` the summed strength of its groups and ``m`` the total weight.
    """
    labels = np.asarray(partition)
    total = graph.total_weight()
    if total <= 0:
        return 0.0
    undirected = graph.undirected
    strength = undirected.sum(axis=1) + 2 * graph.internal
    _, codes = np.unique(labels, return_inverse=True)
    parts = sparse.csr_matrix(
        (np.ones(len(codes)), (np.arange(len(codes)), codes)), shape=(len(codes), codes.max() + 1)
    )
    inside = np.asarray((parts.T @ sparse.csr_matrix(undirected) @ parts).diagonal()).ravel() / 2
    inside += np.asarray(parts.T @ graph.internal).ravel()
    degree = np.asarray(parts.T @ strength).ravel()
    return float((inside / total - (degree / (2 * total)) ** 2).sum())


def to_networkx(graph: GroupGraph) -> nx.Graph:
    """The undirected weighted group graph, internal weight as self-loops (for Louvain)."""
    result = nx.Graph()
    result.add_nodes_from(range(len(graph.groups)))
    undirected = np.triu(graph.undirected, k=1)
    sources, targets = np.nonzero(undirected)
    result.add_weighted_edges_from(
        zip(sources.tolist(), targets.tolist(), undirected[sources, targets].tolist(), strict=True)
    )
    for index in np.nonzero(graph.internal)[0].tolist():
        result.add_edge(index, index, weight=float(graph.internal[index]))
    return result


def detect_clusters(graph: GroupGraph, *, seed: int = 1) -> list[int]:
    """Clusters of the groups by modularity (Leiden, seeded): a label per group, 0 = largest cluster;
    a group with no ties outside itself is a cluster of its own.

    igraph's Leiden runs in C: on the 20,000-person demo's team graph (2,680 teams, 1.4 million
    weighted ties) it takes about 5 s where networkx's Louvain takes about 50 s for the same
    modularity (benchmarks/network_benchmark.py).
    """
    size = len(graph.groups)
    if size == 0:
        return []
    undirected = np.triu(graph.undirected, k=1)
    sources, targets = np.nonzero(undirected)
    loops = np.nonzero(graph.internal)[0]
    drawing = igraph.Graph(n=size, edges=list(zip(sources.tolist(), targets.tolist(), strict=True)))
    drawing.add_edges(list(zip(loops.tolist(), loops.tolist(), strict=True)))
    drawing.es["weight"] = undirected[sources, targets].tolist() + graph.internal[loops].tolist()
    strength = drawing.strength(weights="weight")  # self-loops count twice, as in modularity
    total = sum(drawing.es["weight"])
    if total <= 0:
        return list(range(size))
    igraph.set_random_number_generator(random.Random(seed))
    try:
        # Modularity written as CPM with node weights = strength and resolution 1/2m: the same
        # quality function, and unlike igraph's "modularity" objective it handles self-loops.
        found = drawing.community_leiden(
            objective_function="CPM",
            weights="weight",
            node_weights=strength,
            resolution=1 / (2 * total),
            n_iterations=-1,
        )
    finally:
        igraph.set_random_number_generator(random)
    parts: dict[int, list[int]] = {}
    for index, label in enumerate(found.membership):
        parts.setdefault(label, []).append(index)
    ordered = sorted(parts.values(), key=lambda part: (-len(part), part[0]))
    labels = [0] * size
    for label, part in enumerate(ordered):
        for index in part:
            labels[index] = label
    return labels


def normalised_mutual_information(first: Sequence[int], second: Sequence[int]) -> float:
    """NMI (arithmetic-mean normalisation) between two labellings: 1 = identical, 0 = unrelated."""
    a, b = np.asarray(first), np.asarray(second)
    if len(a) == 0:
        return 1.0
    _, a_codes = np.unique(a, return_inverse=True)
    _, b_codes = np.unique(b, return_inverse=True)
    joint = np.zeros((a_codes.max() + 1, b_codes.max() + 1))
    np.add.at(joint, (a_codes, b_codes), 1)
    joint /= len(a)
    pa, pb = joint.sum(axis=1), joint.sum(axis=0)
    nonzero = joint > 0
    mutual = float((joint[nonzero] * np.log(joint[nonzero] / np.outer(pa, pb)[nonzero])).sum())

    def entropy(p: np.ndarray) -> float:
        p = p[p > 0]
        return float(-(p * np.log(p)).sum())

    denominator = (entropy(pa) + entropy(pb)) / 2
    return 1.0 if denominator == 0 else mutual / denominator


def participation(
    graph: GroupGraph, person_cluster: np.ndarray, clusters: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each person's tie strength and participation coefficient over ``clusters`` clusters.

    ``person_cluster[i]`` is the cluster of the person with index i. Linear in ties and gathering sizes.
    Meetups do not count here: sitting in the same room as people from many groups does not make
    someone a broker; answering their questions, mentoring them or reviewing work with them does.
    """
    people = len(person_cluster)
    by_cluster = np.zeros((people, max(clusters, 1)))
    if len(graph._tie_weights):
        teacher, learner = graph._tie_people[:, 0], graph._tie_people[:, 1]
        np.add.at(by_cluster, (teacher, person_cluster[learner]), graph._tie_weights)
        np.add.at(by_cluster, (learner, person_cluster[teacher]), graph._tie_weights)
    incidence = graph._incidence
    scale = graph._gathering_scale
    if incidence is not None and incidence.shape[0]:
        keep = ~graph._gathering_is_event
        incidence, scale = incidence[keep], scale[keep]
    if incidence is not None and incidence.shape[0]:
        membership = sparse.csr_matrix(
            (np.ones(people), (np.arange(people), person_cluster)), shape=(people, by_cluster.shape[1])
        )
        counts = incidence @ membership  # gatherings x clusters
        # Each attendee is tied to every other attendee with the gathering's scale: the counts per
        # cluster minus themselves.
        by_cluster += np.asarray((incidence.T @ sparse.diags(scale) @ counts).todense())
        own = np.asarray(incidence.T @ scale).ravel()
        np.subtract.at(by_cluster, (np.arange(people), person_cluster), own)
    by_cluster = np.clip(by_cluster, 0.0, None)
    strength = by_cluster.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(strength[:, None] > 0, by_cluster / strength[:, None], 0.0)
    coefficient = np.where(strength > 0, 1.0 - (shares**2).sum(axis=1), 0.0)
    return strength, coefficient


@dataclass(frozen=True)
class GroupResult:
    """One group's numbers."""

    group: Hashable
    people: int
    internal: float
    external: float
    inflow: float
    outflow: float
    external_share: float | None  # None: no ties at all
    silo: bool
    cluster: int
    brokers: int


@dataclass(frozen=True)
class NetworkReport:
    """Everything the page and the API show, on the group level only."""

    groups: list[GroupResult]
    flows: list[tuple[Hashable, Hashable, float]]  # (from, to, weight), strongest first
    total_weight: float
    cross_group_share: float
    modularity_formal: float
    modularity_detected: float
    clusters: int
    agreement: float  # NMI between formal and detected partitions
    brokers: int
    silos: int
    # Every broker as (person, participation coefficient, tie strength), most even spread first. The
    # caller decides who may be named (consent); the counts above never depend on it.
    ranked_brokers: list[tuple[int, float, float]] = field(default_factory=list)
    graph: GroupGraph | None = field(default=None, repr=False, compare=False)


def analyse(
    group_of: Mapping[int, Hashable],
    formal_of: Mapping[Hashable, Hashable],
    ties: Sequence[LearningTie],
    gatherings: Sequence[Gathering],
    *,
    rule: NetworkRule | None = None,
    include_community: bool = True,
    top_flows: int = 200,
) -> NetworkReport:
    """The whole analysis: ``group_of`` maps person -> group (team), ``formal_of`` group -> its formal
    parent (department), giving the org chart's partition of the groups."""
    rule = rule or NetworkRule()
    graph = build_group_graph(
        group_of, ties, gatherings, half_life_days=rule.half_life_days, include_community=include_community
    )
    count = len(graph.groups)
    formal_labels_map = {
        parent: index for index, parent in enumerate(sorted(set(formal_of.values()), key=repr))
    }
    formal = [formal_labels_map[formal_of[group]] for group in graph.groups]
    detected = detect_clusters(graph, seed=rule.seed) if count else []
    undirected = graph.undirected
    external = undirected.sum(axis=1)
    people_per_group = np.zeros(count, dtype=np.int64)
    group_index = {group: index for index, group in enumerate(graph.groups)}
    person_group = np.zeros(len(graph.person_index), dtype=np.int64)
    for person, index in graph.person_index.items():
        person_group[index] = group_index[group_of[person]]
    np.add.at(people_per_group, person_group, 1)

    detected_array = np.asarray(detected, dtype=np.int64)
    clusters = int(detected_array.max()) + 1 if count else 0
    strength, coefficient = participation(
        graph, detected_array[person_group] if count else person_group, clusters
    )
    is_broker = (coefficient >= rule.broker_participation) & (strength >= rule.broker_min_strength)
    brokers_per_group = np.zeros(count, dtype=np.int64)
    np.add.at(brokers_per_group, person_group[is_broker], 1)
    people_by_index = {index: person for person, index in graph.person_index.items()}
    broker_indices = np.flatnonzero(is_broker)
    order = np.lexsort((-strength[broker_indices], -coefficient[broker_indices]))
    ranked_brokers = [
        (people_by_index[int(i)], float(coefficient[i]), float(strength[i])) for i in broker_indices[order]
    ]

    results = []
    silos = 0
    for index, group in enumerate(graph.groups):
        total = external[index] + graph.internal[index]
        share = float(external[index] / total) if total > 0 else None
        silo = share is not None and share < rule.silo_share
        silos += silo
        results.append(
            GroupResult(
                group=group,
                people=int(people_per_group[index]),
                internal=float(graph.internal[index]),
                external=float(external[index]),
                inflow=float(graph.flow[:, index].sum()),
                outflow=float(graph.flow[index, :].sum()),
                external_share=share,
                silo=silo,
                cluster=detected[index],
                brokers=int(brokers_per_group[index]),
            )
        )
    sources, targets = np.nonzero(graph.flow)
    weights = graph.flow[sources, targets]
    order = np.argsort(-weights, kind="stable")[:top_flows]
    flows = [
        (graph.groups[sources[i]], graph.groups[targets[i]], float(graph.flow[sources[i], targets[i]]))
        for i in order
    ]
    total_weight = graph.total_weight()
    return NetworkReport(
        groups=results,
        flows=flows,
        total_weight=total_weight,
        cross_group_share=float(graph.flow.sum() / total_weight) if total_weight > 0 else 0.0,
        modularity_formal=modularity(graph, formal) if count else 0.0,
        modularity_detected=modularity(graph, detected) if count else 0.0,
        clusters=clusters,
        agreement=normalised_mutual_information(formal, detected) if count else 1.0,
        brokers=int(is_broker.sum()),
        silos=silos,
        ranked_brokers=ranked_brokers,
        graph=graph,
    )


def layout(
    graph_edges: Sequence[tuple[int, int, float]], nodes: int, *, seed: int = 1
) -> list[tuple[float, float]]:
    """Positions in [0, 1000]^2 for drawing ``nodes`` nodes joined by weighted edges (force-directed,
    igraph's Fruchterman-Reingold with its grid approximation for large graphs; seeded).

    References: T. Fruchterman & E. Reingold (1991). Graph drawing by force-directed placement.
    Softw. Pract. Exp. 21(11), 1129-1164.
    """
    if nodes == 0:
        return []
    drawing = igraph.Graph(n=nodes, edges=[(a, b) for a, b, _ in graph_edges])
    weights = np.array([weight for _, _, weight in graph_edges])
    if len(weights):
        # Attraction grows with the tie, gently: log scale keeps a few huge flows from collapsing the picture.
        drawing.es["weight"] = (1 + np.log1p(weights / max(weights.mean(), 1e-12))).tolist()
    igraph.set_random_number_generator(random.Random(seed))
    try:
        placed = drawing.layout_fruchterman_reingold(
            weights="weight" if len(weights) else None, niter=500, grid="auto"
        )
    finally:
        igraph.set_random_number_generator(random)
    coordinates = np.array(placed.coords, dtype=float).reshape(nodes, 2)

    def scale(values: np.ndarray) -> np.ndarray:
        span = values.max() - values.min()
        return (values - values.min()) / span * 1000 if span > 0 else np.full_like(values, 500.0)

    xs, ys = scale(coordinates[:, 0]), scale(coordinates[:, 1])
    return [(round(float(x), 1), round(float(y), 1)) for x, y in zip(xs, ys, strict=True)]


def backbone(graph_flow: np.ndarray, *, per_node: int = 3) -> list[tuple[int, int, float]]:
    """The strongest ``per_node`` ties of every node (undirected, union): what a drawing can show
    without becoming a hairball; the tables keep every tie."""
    undirected = graph_flow + graph_flow.T
    chosen: dict[tuple[int, int], float] = {}
    for index in range(undirected.shape[0]):
        row = undirected[index]
        candidates = np.nonzero(row)[0]
        if not len(candidates):
            continue
        strongest = candidates[np.argsort(-row[candidates], kind="stable")[:per_node]]
        for other in strongest.tolist():
            key = (min(index, other), max(index, other))
            chosen[key] = float(undirected[key])
    return [(a, b, weight) for (a, b), weight in sorted(chosen.items())]


def half_life_note(half_life_days: float = HALF_LIFE_DAYS) -> str:
    """Plain words for the decay rule."""
    year = 0.5 ** (365 / half_life_days)
    return (
        f"Ties lose half their weight every {half_life_days:g} days; a tie from a year ago counts "
        f"{math.floor(year * 100)}% of a new one."
    )
