"""The numba-compiled kernel gives exactly the numpy kernel's results, from the same numbers.

The compiled kernel computes each run's PCG64 outputs itself (skipping the numbers no rule reads);
these tests check that arithmetic against numpy's PCG64, then compare whole runs and sweeps with
``PRACTICA_NO_NUMBA=1`` (the numpy kernel) and without it, number for number, including where each
generator is left afterwards.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from practica.simulation import march
from practica.simulation.march import MarchParams, generators_for, run, run_many, simulate_points

POINTS = [
    MarchParams(m=30, n=50, p1=0.1, p2=0.5),
    MarchParams(m=30, n=50, p1=0.9, p2=0.9),
    MarchParams(m=20, n=10, p1=1.0, p2=1.0),
    MarchParams(m=20, n=10, p1=0.0, p2=0.0, max_periods=7),
    MarchParams(m=20, n=10, p1=0.4, p2=0.3, max_periods=7),
    MarchParams(m=33, n=12, p1=0.5, p2=0.7),
    MarchParams(m=40, n=6, p1=0.3, p2=0.5),
    MarchParams(m=70, n=8, p1=0.6, p2=0.4),
    MarchParams(m=20, n=10, p2=0.5, groups=((3, 0.2), (7, 0.8))),
    MarchParams(m=20, n=10, p2=0.9, groups=((3, 0.9), (7, 0.1))),
    MarchParams(m=20, n=10, p2=0.5, groups=((3, 0.0), (7, 1.0)), max_periods=9),
    MarchParams(m=5, n=300, p1=0.5, p2=0.5),
]


def state_of(generator: np.random.Generator) -> dict[str, object]:
    return dict(generator.bit_generator.state)


def outcome(monkeypatch: pytest.MonkeyPatch, numba: bool) -> tuple[list[object], list[object]]:
    """Results of every point (runs simulated together) and the generators' states afterwards."""
    if numba:
        monkeypatch.delenv("PRACTICA_NO_NUMBA", raising=False)
    else:
        monkeypatch.setenv("PRACTICA_NO_NUMBA", "1")
    points = [(params, generators_for(index, 7)) for index, params in enumerate(POINTS)]
    results = simulate_points(points)
    return results, [[state_of(gen) for gen in generators] for _, generators in points]


def test_jump_formula_matches_numpys_pcg64() -> None:
    generator = np.random.PCG64(12)
    start = generator.state["state"]
    generator.random_raw(1234)
    jump_a, jump_s = march._pcg_jump(1234)
    assert (jump_a * start["state"] + jump_s * start["inc"]) % 2**128 == generator.state["state"]["state"]
    table = march._pcg_jump_table(40)
    for steps in (0, 1, 2, 17, 40):
        jump_a, jump_s = march._pcg_jump(steps)
        row = [int(value) for value in table[steps]]
        assert (row[0] << 64 | row[1], row[2] << 64 | row[3]) == (jump_a, jump_s)


def test_compiled_numbers_are_numpys_pcg64_outputs() -> None:
    compiled = pytest.importorskip("practica.simulation.compiled")
    generator = np.random.PCG64(np.random.SeedSequence(3).spawn(2)[1])
    state = generator.state["state"]
    expected = generator.random_raw(2000).astype("<u8").view("<u4").astype(np.int64)
    rng = np.array(
        [
            state["state"] >> 64,
            state["state"] & 2**64 - 1,
            state["inc"] >> 64,
            state["inc"] & 2**64 - 1,
            0,
            0,
        ],
        dtype=np.uint64,
    )
    jumps = march._pcg_jump_table(100)  # shorter than some gaps below: those take several jumps
    indices = [0, 1, 2, 5, 6, 7, 8, 9, 100, 101, 350, 351, 352, 999, 1000, 1001, 3998, 3999]
    assert [compiled.number(rng, jumps, index) for index in indices] == expected[indices].tolist()


def test_compiled_and_numpy_kernels_give_identical_results(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("practica.simulation.compiled")
    compiled_results, compiled_states = outcome(monkeypatch, numba=True)
    assert march.compiled_kernel() is not None
    numpy_results, numpy_states = outcome(monkeypatch, numba=False)
    assert march.compiled_kernel() is None
    assert compiled_results == numpy_results
    assert any(result.hit_cap for point in numpy_results for result in point)  # type: ignore[attr-defined]
    # Every generator is left where the numpy kernel leaves it (past its last whole chunk).
    assert compiled_states == numpy_states


def test_a_users_generator_continues_the_same_way(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("practica.simulation.compiled")
    params = MarchParams(m=30, n=20, p1=0.5, p2=0.5)
    draws = []
    for flag in ("0", "1"):
        monkeypatch.setenv("PRACTICA_NO_NUMBA", flag)
        generator = np.random.default_rng(9)
        generator.random(3)  # 32-bit and float draws before the run are kept as they are
        generator.integers(0, 10, dtype=np.uint32)
        draws.append((run(params, generator), generator.random(5).tolist(), state_of(generator)))
    assert draws[0] == draws[1]


def test_other_bit_generators_and_series_use_the_numpy_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    params = MarchParams(m=12, n=10, p1=0.5, p2=0.5)
    with_series = replace(params, record_series=True)
    results = []
    for flag in ("0", "1"):
        monkeypatch.setenv("PRACTICA_NO_NUMBA", flag)
        results.append(
            (
                run(params, np.random.Generator(np.random.SFC64(4))),
                run(params, np.random.Generator(np.random.Philox(4))),
                [
                    (replace(result, series=None), result.series.code_score.tolist())
                    for result in run_many(with_series, 3, seed=2)
                    if result.series is not None
                ],
            )
        )
    assert results[0] == results[1]
    assert len(results[0][2]) == 3
