"""The batched kernel against a plain, one-run-at-a-time reading of the spec's rules.

Both draw the same uniforms in the same order (reality, beliefs, then per period: coin flips,
socialisation, code learning), so they must agree exactly, run by run.
"""

from __future__ import annotations

import numpy as np
import pytest

from practica.simulation.march import MarchParams, generators_for, run_many


def plain_march(p1: float, p2: float, m: int, n: int, rng: np.random.Generator) -> tuple[float, float, int]:
    reality = np.where(rng.random(m) < 0.5, 1, -1)
    beliefs = rng.integers(-1, 2, size=(n, m))
    code = np.zeros(m, dtype=np.int64)
    for period in range(1, 10_001):
        coins = np.where(rng.random((n, m)) < 0.5, 1, -1)
        actions = np.where(beliefs != 0, beliefs, coins)
        performance = actions @ reality
        code_score = code @ reality
        # One step toward the code: -c becomes 0, 0 becomes c.
        toward = (code != 0) & (beliefs != code) & (rng.random((n, m)) < p1)
        beliefs = beliefs + toward * code
        # Majority of the superior group's step-3 actions, adopted with probability 1 - (1 - p2)^k.
        margin = actions[performance > code_score].sum(axis=0)
        majority = np.sign(margin)
        learns = (majority != 0) & (majority != code) & (rng.random(m) < 1 - (1 - p2) ** np.abs(margin))
        code = np.where(learns, majority, code)
        nobody_can_beat_the_code = ((beliefs @ reality + (beliefs == 0).sum(1)) <= code @ reality).all()
        if (beliefs == code).all() and nobody_can_beat_the_code:
            return float(code @ reality) / m, float((code == reality).mean()), period
    raise AssertionError("no equilibrium within the safety cap")


@pytest.mark.parametrize(("p1", "p2"), [(0.1, 0.5), (0.5, 0.9), (0.9, 0.1)])
def test_batched_kernel_matches_the_plain_rules_run_by_run(p1: float, p2: float) -> None:
    params = MarchParams(m=15, n=20, p1=p1, p2=p2)
    batched = run_many(params, 12, seed=5)
    for result, generator in zip(batched, generators_for(5, 12), strict=True):
        assert (result.code_score, result.code_knowledge, result.periods) == pytest.approx(
            plain_march(p1, p2, 15, 20, generator)
        )
