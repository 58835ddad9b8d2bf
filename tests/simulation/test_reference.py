"""The batched kernels against a plain, one-run-at-a-time reading of the spec's rules.

Both read each run's stream the same way: 32-bit numbers, the low then the high half of each raw
64-bit output of the run's bit generator; a number u stands for the uniform u / 2**32. First reality
(m numbers) and beliefs (n*m), then per period one block: coins (one 32-bit word per person and 32
dimensions, bit j % 32 of word j // 32 being the coin on dimension j), socialisation (n*m) and code
learning (m), padded to an even count. The kernels fetch several periods per call; this reference
fetches one period at a time, so agreeing also shows that the chunking does not matter.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from practica.simulation import march
from practica.simulation.march import MarchParams, generators_for, run_many
from practica.simulation.sweeps import run_points


def numbers(rng: np.random.Generator, count: int) -> np.ndarray:
    """The next ``count`` 32-bit numbers (as int64), padded to an even count."""
    raw = rng.bit_generator.random_raw((count + 1) // 2)
    halves = np.empty(2 * raw.size, dtype=np.int64)
    halves[0::2] = raw & 0xFFFFFFFF
    halves[1::2] = raw >> 32
    return halves[:count]


def plain_march(p1: float, p2: float, m: int, n: int, rng: np.random.Generator) -> tuple[float, float, int]:
    start = numbers(rng, m + n * m) * 2.0**-32
    reality = np.where(start[:m] < 0.5, 1, -1)
    beliefs = np.floor(3 * start[m:]).astype(np.int64).reshape(n, m) - 1
    code = np.zeros(m, dtype=np.int64)
    words = (m + 31) // 32
    dimension = np.arange(m)
    for period in range(1, 10_001):
        block = numbers(rng, n * words + n * m + m)
        coin_words, block = block[: n * words].reshape(n, words), block[n * words :]
        socialise_uniforms, code_uniforms = block[: n * m].reshape(n, m) * 2.0**-32, block[n * m :] * 2.0**-32
        coins = np.where((coin_words[:, dimension // 32] >> (dimension % 32)) & 1 == 1, 1, -1)
        actions = np.where(beliefs != 0, beliefs, coins)
        performance = actions @ reality
        code_score = code @ reality
        # One step toward the code: -c becomes 0, 0 becomes c.
        toward = (code != 0) & (beliefs != code) & (socialise_uniforms < p1)
        beliefs = beliefs + toward * code
        # Majority of the superior group's step-3 actions, adopted with probability 1 - (1 - p2)^k.
        margin = actions[performance > code_score].sum(axis=0)
        majority = np.sign(margin)
        learns = (majority != 0) & (majority != code) & (code_uniforms < 1 - (1 - p2) ** np.abs(margin))
        code = np.where(learns, majority, code)
        nobody_can_beat_the_code = ((beliefs @ reality + (beliefs == 0).sum(1)) <= code @ reality).all()
        if (beliefs == code).all() and nobody_can_beat_the_code:
            return float(code @ reality) / m, float((code == reality).mean()), period
    raise AssertionError("no equilibrium within the safety cap")


@pytest.mark.parametrize(("p1", "p2", "m"), [(0.1, 0.5, 15), (0.5, 0.9, 15), (0.9, 0.1, 15), (0.5, 0.5, 40)])
def test_batched_kernel_matches_the_plain_rules_run_by_run(p1: float, p2: float, m: int) -> None:
    params = MarchParams(m=m, n=20, p1=p1, p2=p2)
    batched = run_many(params, 12, seed=5)
    for result, generator in zip(batched, generators_for(5, 12), strict=True):
        assert (result.code_score, result.code_knowledge, result.periods) == pytest.approx(
            plain_march(p1, p2, m, 20, generator)
        )


def test_a_sweep_batched_across_points_matches_the_plain_rules_run_by_run() -> None:
    # run_points simulates the runs of these points in one batch, each with its own p1 and p2.
    points = [(0.1, 0.9), (0.5, 0.5), (0.9, 0.1), (1.0, 1.0)]
    outcomes = run_points([MarchParams(m=15, n=20, p1=p1, p2=p2) for p1, p2 in points], 5, 8)
    for (p1, p2), results in zip(points, outcomes, strict=True):
        for result, generator in zip(results, generators_for(8, 5), strict=True):
            assert (result.code_score, result.code_knowledge, result.periods) == pytest.approx(
                plain_march(p1, p2, 15, 20, generator)
            )


@pytest.mark.parametrize(
    "params",
    [
        MarchParams(m=30, n=50, p1=0.3, p2=0.5),
        MarchParams(m=33, n=12, p1=1.0, p2=0.7, record_series=True),
        MarchParams(m=10, n=10, p2=0.5, groups=((6, 0.9), (4, 0.1))),
    ],
)
def test_bit_packed_and_general_kernels_agree(params: MarchParams) -> None:
    # Plain March runs use the bit-packed kernel; the general one (extensions) must read the same
    # numbers the same way, so forcing it gives identical results.
    outcomes = []
    for kernel in (march._simulate_core, march._simulate_general):
        generators = generators_for(4, 10)
        outcomes.append(kernel(params, generators, *march._initial_state(params, generators)))
    fast, general = outcomes
    assert [replace(r, series=None) for r in fast] == [replace(r, series=None) for r in general]
    for one, other in zip(fast, general, strict=True):
        if one.series is not None and other.series is not None:
            assert np.array_equal(one.series.code_score, other.series.code_score)
            assert np.array_equal(one.series.individual_knowledge, other.series.individual_knowledge)


def test_results_do_not_depend_on_the_chunk_of_periods_drawn_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    params = MarchParams(m=20, n=15, p1=0.4, p2=0.6)
    expected = run_many(params, 8, seed=2)
    for chunk in (1, 3, 32):
        monkeypatch.setattr(march, "_CHUNK", chunk)
        assert run_many(params, 8, seed=2) == expected
