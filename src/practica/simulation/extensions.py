"""Extensions to March's mutual-learning model, each off by default.

A. Communities of practice (after Fang, Lee & Schilling, 2010; not a replication): the organisation is
   split into equal groups joined in a ring, some within-group ties are rewired to other groups, and
   people learn directly from better-performing neighbours (interpersonal learning, after Miller, Zhao &
   Calantone, 2006). Complexity bundles make a group of ``s`` dimensions score only when all are right.
B. Overconfidence (Practica's own model, not from the literature): perceived performance adds ``kappa``
   for every dimension a person gets wrong or does not know, so the least knowledgeable rate themselves
   highest (Kruger & Dunning, 1999); an organisation that selects on confidence learns from the wrong
   people (Rouchier & Tanimura, 2012).

Everything here is a pure function on numpy arrays; ``practica.simulation.march`` calls them from its
batched kernel, so array arguments carry a leading "run" axis where noted.

References
----------
- J. G. March (1991). Exploration and exploitation in organizational learning. Organization Science 2(1).
- C. Fang, J. Lee & M. A. Schilling (2010). Balancing exploration and exploitation through structural
  design: the isolation of subgroups and organizational learning. Organization Science 21(3):625-642.
- K. D. Miller, M. Zhao & R. J. Calantone (2006). Adding interpersonal learning and tacit knowledge to
  March's exploration-exploitation model. Academy of Management Journal 49(4):709-722.
- J. Kruger & D. Dunning (1999). Unskilled and unaware of it. J. Personality and Social Psychology 77(6).
- J. Rouchier & E. Tanimura (2012). When overconfident agents slow down collective learning.
  Simulation 88(1):33-49.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int_]
Int8Array = npt.NDArray[np.int8]
FloatArray = npt.NDArray[np.float64]

SELECT_ON_CHOICES = ("confidence", "evidence")


# --- A. Communities of practice -------------------------------------------------------------------


def community_membership(n: int, communities: int) -> IntArray:
    """Community index of each of ``n`` people split into ``communities`` equal, consecutive groups."""
    if communities < 1 or n % communities:
        raise ValueError(
            f"communities: n={n} cannot be split into {communities} equal groups "
            "(n must be divisible by the number of groups)"
        )
    return np.repeat(np.arange(communities), n // communities)


def ring_of_communities(n: int, communities: int) -> BoolArray:
    """Adjacency of ``communities`` complete groups joined in a ring, before any rewiring.

    In each group the second member's tie to the first member is replaced by a tie to the first member
    of the next group, so every degree stays what it was in the isolated groups (after Fang, Lee &
    Schilling, 2010, as described in public derivative work).
    """
    membership = community_membership(n, communities)
    adjacency: BoolArray = membership[:, None] == membership[None, :]
    np.fill_diagonal(adjacency, False)
    size = n // communities
    if communities > 1 and size >= 2:
        for group in range(communities):
            first, second = group * size, group * size + 1
            next_first = ((group + 1) % communities) * size
            adjacency[second, first] = adjacency[first, second] = False
            adjacency[second, next_first] = adjacency[next_first, second] = True
    return adjacency


def community_network(n: int, communities: int, beta: float, rng: np.random.Generator) -> BoolArray:
    """Ring of communities with within-group ties rewired to other groups with probability ``beta``.

    People are visited in random order; each of a person's current within-group ties is moved, with
    probability ``beta``, to a random member of another group who is not yet a neighbour, but only if
    the old partner keeps at least one tie. The rewiring person keeps their degree and the number of
    ties in the organisation is unchanged. ``beta = 0`` gives isolated groups on a ring; ``beta = 1`` is
    close to a random graph.

    References
    ----------
    Fang, Lee & Schilling (2010); Watts & Strogatz (1998) for the rewiring scheme.
    """
    if not 0.0 <= beta <= 1.0:
        raise ValueError(f"beta must be in [0, 1], got {beta}")
    membership = community_membership(n, communities)
    adjacency = ring_of_communities(n, communities)
    if beta == 0.0 or communities == 1:
        return adjacency
    for person in rng.permutation(n):
        partners = np.flatnonzero(adjacency[person] & (membership == membership[person]))
        if partners.size == 0:
            continue
        moves = rng.random(partners.size) < beta
        for old in partners[moves]:
            if adjacency[old].sum() <= 1:
                continue
            candidates = np.flatnonzero(~adjacency[person] & (membership != membership[person]))
            if candidates.size == 0:
                break
            new = candidates[rng.integers(candidates.size)]
            adjacency[person, old] = adjacency[old, person] = False
            adjacency[person, new] = adjacency[new, person] = True
    return adjacency


def peer_learning(
    beliefs: Int8Array,
    adjacency: BoolArray,
    performance: IntArray,
    p_peer: float,
    uniforms: FloatArray,
) -> Int8Array:
    """One simultaneous round of interpersonal learning from better-performing neighbours.

    Shapes: ``beliefs`` (runs, n, m), ``adjacency`` (runs, n, n), ``performance`` (runs, n),
    ``uniforms`` (runs, n, m). A person looks at neighbours whose performance is strictly higher than
    their own; on each dimension, if those neighbours' non-zero beliefs have a strict majority value
    different from the person's belief, the person adopts it with probability ``p_peer``. Everyone
    learns from the beliefs at the start of the step.

    References
    ----------
    Miller, Zhao & Calantone (2006); Fang, Lee & Schilling (2010).
    """
    better = adjacency & (performance[:, None, :] > performance[:, :, None])
    teachers = better.astype(np.float32)
    votes_plus = teachers @ (beliefs == 1).astype(np.float32)
    votes_minus = teachers @ (beliefs == -1).astype(np.float32)
    majority = np.sign(votes_plus - votes_minus).astype(np.int8)
    adopt = (majority != 0) & (majority != beliefs) & (uniforms < p_peer)
    return np.where(adopt, majority, beliefs)


def bundle_score(values: Int8Array, reality: Int8Array, bundle_size: int) -> npt.NDArray[np.int64]:
    """Score of ``values`` (…, m) in {-1, 0, +1} against ``reality`` when dimensions come in bundles.

    A bundle of ``s`` dimensions counts +s when every dimension in it is right, -s when any is wrong,
    and 0 when it holds unknowns (0) but nothing wrong. With ``s = 1`` this is March's sum(values * r).
    How partly right bundles score is Practica's choice; Fang, Lee & Schilling (2010) only say that a
    bundle pays off when all of it is right.
    """
    right = values == reality
    wrong = (values != 0) & ~right
    if bundle_size == 1:
        return right.sum(-1, dtype=np.int64) - wrong.sum(-1, dtype=np.int64)
    shape = (*values.shape[:-1], values.shape[-1] // bundle_size, bundle_size)
    all_right = right.reshape(shape).all(-1).sum(-1, dtype=np.int64)
    any_wrong = wrong.reshape(shape).any(-1).sum(-1, dtype=np.int64)
    return bundle_size * (all_right - any_wrong)


def bundle_knowledge(values: Int8Array, reality: Int8Array, bundle_size: int) -> FloatArray:
    """Share of bundles (of ``bundle_size`` dimensions) in which ``values`` equal reality everywhere."""
    right = values == reality
    if bundle_size > 1:
        shape = (*values.shape[:-1], values.shape[-1] // bundle_size, bundle_size)
        right = right.reshape(shape).all(-1)
    return right.mean(-1)


# --- B. Overconfidence (Practica's own model) -----------------------------------------------------


def resolve_select_on(select_on: str | None, kappa: float) -> str:
    """Selection basis: the given one, else "confidence" when ``kappa > 0`` and "evidence" otherwise."""
    if select_on is None:
        return "confidence" if kappa > 0 else "evidence"
    if select_on not in SELECT_ON_CHOICES:
        raise ValueError(f"select_on must be one of {', '.join(SELECT_ON_CHOICES)}, got {select_on!r}")
    return select_on


def overconfidence_bonus(beliefs: Int8Array, reality: Int8Array, kappa: float) -> FloatArray:
    """``kappa`` times the number of dimensions where a belief is not equal to reality (0 counts).

    Perceived performance is performance plus this bonus, so those who know least rate themselves
    highest (Practica's model, inspired by Kruger & Dunning, 1999, and Rouchier & Tanimura, 2012).
    Shapes: ``beliefs`` (runs, n, m), ``reality`` (runs, m); result (runs, n).
    """
    misses = (beliefs != reality[:, None, :]).sum(-1)
    return kappa * misses.astype(np.float64)
