"""Extensions A (communities of practice, after Fang, Lee & Schilling 2010) and B (overconfidence)."""

from __future__ import annotations

import statistics

import numpy as np
import pytest

from practica.simulation import extensions
from practica.simulation.march import MarchParams, run, run_many


def between_group_ties(adjacency: np.ndarray, membership: np.ndarray) -> int:
    crossing = adjacency & (membership[:, None] != membership[None, :])
    return int(crossing.sum() // 2)


def assert_simple_undirected(adjacency: np.ndarray) -> None:
    assert np.array_equal(adjacency, adjacency.T)
    assert not adjacency.diagonal().any()


# --- A. network ---------------------------------------------------------------------------------


def test_groups_have_equal_consecutive_members() -> None:
    membership = extensions.community_membership(12, 3)
    assert membership.tolist() == [0] * 4 + [1] * 4 + [2] * 4


def test_groups_that_do_not_divide_n_are_refused() -> None:
    with pytest.raises(ValueError, match="communities"):
        extensions.community_membership(10, 3)


def test_beta_zero_gives_isolated_groups_joined_in_a_ring() -> None:
    adjacency = extensions.community_network(12, 3, 0.0, np.random.default_rng(1))
    membership = extensions.community_membership(12, 3)
    assert_simple_undirected(adjacency)
    assert adjacency.sum(1).tolist() == [3] * 12
    # Second member of each group (1, 5, 9) is tied to the first of the next group (4, 8, 0).
    assert between_group_ties(adjacency, membership) == 3
    for second, next_first, first in ((1, 4, 0), (5, 8, 4), (9, 0, 8)):
        assert adjacency[second, next_first]
        assert not adjacency[second, first]


def test_a_single_group_is_complete() -> None:
    adjacency = extensions.community_network(5, 1, 0.7, np.random.default_rng(1))
    assert adjacency.sum() == 5 * 4


def test_rewiring_preserves_the_number_of_ties_and_isolates_no_one() -> None:
    ring = extensions.ring_of_communities(50, 5)
    for beta in (0.1, 0.5, 1.0):
        adjacency = extensions.community_network(50, 5, beta, np.random.default_rng(4))
        assert_simple_undirected(adjacency)
        assert adjacency.sum() == ring.sum()
        assert adjacency.sum(1).min() >= 1


def test_more_rewiring_links_more_groups() -> None:
    membership = extensions.community_membership(50, 5)
    crossing = [
        between_group_ties(extensions.community_network(50, 5, beta, np.random.default_rng(4)), membership)
        for beta in (0.0, 0.1, 1.0)
    ]
    assert crossing[0] == 5
    assert crossing[0] < crossing[1] < crossing[2]


def test_network_is_determined_by_the_seed() -> None:
    first = extensions.community_network(30, 3, 0.3, np.random.default_rng(8))
    again = extensions.community_network(30, 3, 0.3, np.random.default_rng(8))
    other = extensions.community_network(30, 3, 0.3, np.random.default_rng(9))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


# --- A. learning and complexity ----------------------------------------------------------------


def test_peer_learning_adopts_the_strict_majority_of_better_neighbours() -> None:
    beliefs = np.array([[[0, 1, -1], [1, 1, 1], [1, -1, 0], [-1, -1, -1]]], dtype=np.int8)
    adjacency = np.ones((1, 4, 4), dtype=bool)
    np.fill_diagonal(adjacency[0], False)
    performance = np.array([[0, 2, 2, -1]])
    learned = extensions.peer_learning(beliefs, adjacency, performance, 1.0, np.zeros((1, 4, 3)))
    # Person 0 sees 1 and 2: dim 0 both +1 -> adopt; dim 1 tie -> keep; dim 2 only +1 (0 ignored).
    assert learned[0, 0].tolist() == [1, 1, 1]
    # Persons 1 and 2 have no strictly better neighbour. Person 3 sees 0, 1 and 2: dim 0 two +1;
    # dim 1 two +1 against one -1; dim 2 one each, a tie, so the -1 stays.
    assert learned[0, 1].tolist() == [1, 1, 1]
    assert learned[0, 2].tolist() == [1, -1, 0]
    assert learned[0, 3].tolist() == [1, 1, -1]


def test_peer_learning_with_zero_rate_changes_nothing() -> None:
    beliefs = np.array([[[0, 1], [1, -1]]], dtype=np.int8)
    adjacency = np.array([[[False, True], [True, False]]])
    learned = extensions.peer_learning(beliefs, adjacency, np.array([[0, 5]]), 0.0, np.zeros((1, 2, 2)))
    assert np.array_equal(learned, beliefs)


def test_bundles_score_only_when_wholly_right() -> None:
    reality = np.array([1, 1, -1, -1, 1, 1], dtype=np.int8)
    values = np.array([1, 1, -1, 1, 0, 1], dtype=np.int8)
    assert extensions.bundle_score(values, reality, 1) == 4 - 1
    assert extensions.bundle_score(values, reality, 2) == 2 - 2 + 0
    assert extensions.bundle_knowledge(values, reality, 2) == pytest.approx(1 / 3)


def test_communities_run_is_reproducible_and_worker_independent() -> None:
    params = MarchParams(m=10, n=12, p1=0.3, p2=0.5, communities=3, beta=0.2, p_peer=0.5)
    assert run(params, 3) == run(params, 3)
    assert run_many(params, 4, seed=1, workers=1) == run_many(params, 4, seed=1, workers=2)


def test_without_the_code_measures_are_the_individuals() -> None:
    params = MarchParams(m=10, n=12, communities=3, beta=0.2, code=False, max_periods=300)
    for result in run_many(params, 4, seed=2):
        assert result.code_knowledge == pytest.approx(result.individual_knowledge)
        assert result.code_score == pytest.approx(result.individual_score)


def test_the_code_can_only_be_switched_off_with_communities() -> None:
    with pytest.raises(ValueError, match="code"):
        MarchParams(code=False)


def test_bundled_runs_that_settle_end_with_beliefs_equal_to_the_code() -> None:
    # With bundles a run can get stuck short of the stopping rule (every bundle of the code holds a
    # wrong value, so nobody can be strictly better, while beliefs differ where the code is 0); about
    # a quarter of these runs end at the safety cap, with the old and the new random streams alike.
    results = run_many(MarchParams(m=12, n=20, p1=0.5, p2=0.5, bundle_size=3, max_periods=500), 12, seed=5)
    settled = [result for result in results if not result.hit_cap]
    assert len(settled) >= len(results) // 2
    for result in settled:
        assert result.individual_knowledge == pytest.approx(result.code_knowledge)


# --- B. overconfidence (Practica's own model) ----------------------------------------------------


def test_selection_defaults_to_confidence_only_when_people_are_overconfident() -> None:
    assert extensions.resolve_select_on(None, 0.0) == "evidence"
    assert extensions.resolve_select_on(None, 0.5) == "confidence"
    assert extensions.resolve_select_on("evidence", 0.5) == "evidence"


def test_overconfidence_bonus_counts_wrong_and_unknown_dimensions() -> None:
    beliefs = np.array([[[1, 0, -1], [1, 1, 1]]], dtype=np.int8)
    reality = np.array([[1, 1, 1]], dtype=np.int8)
    assert extensions.overconfidence_bonus(beliefs, reality, 0.5).tolist() == [[1.0, 0.0]]


def test_kappa_changes_nothing_when_selecting_on_evidence_without_resistance() -> None:
    calibrated = MarchParams(m=20, n=20, p1=0.3, p2=0.5, kappa=0.0, select_on="evidence")
    overconfident = MarchParams(m=20, n=20, p1=0.3, p2=0.5, kappa=2.0, select_on="evidence", rho=0.0)
    assert run_many(calibrated, 10, seed=6) == run_many(overconfident, 10, seed=6)


def test_trusting_confidence_lowers_equilibrium_code_knowledge() -> None:
    def mean_code_knowledge(kappa: float) -> float:
        params = MarchParams(m=30, n=50, p1=0.5, p2=0.5, kappa=kappa, select_on="confidence")
        return statistics.fmean(result.code_knowledge for result in run_many(params, 30, seed=1))

    assert mean_code_knowledge(0.5) < mean_code_knowledge(0.0) - 0.05


def test_resistance_slows_socialisation_of_the_overconfident() -> None:
    base = MarchParams(m=20, n=20, p1=0.5, p2=0.5, kappa=1.0, select_on="evidence")
    resistant = MarchParams(m=20, n=20, p1=0.5, p2=0.5, kappa=1.0, select_on="evidence", rho=0.9)
    base_periods = statistics.fmean(r.periods for r in run_many(base, 20, seed=3))
    resistant_periods = statistics.fmean(r.periods for r in run_many(resistant, 20, seed=3))
    assert resistant_periods > base_periods
