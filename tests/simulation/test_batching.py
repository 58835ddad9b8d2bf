"""Batching runs of several sweep points together changes nothing: every run keeps its own stream.

``run_points`` hands all runs of compatible plain-March points (same m, n, max_periods, record_series
and group sizes; p1, p2 and the groups' p1 may differ) to the bit-packed kernel in one batch. Each run
must give exactly what it gives when its point is simulated alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from practica.simulation import march, sweeps
from practica.simulation.march import (
    MarchParams,
    MarchResult,
    generators_for,
    simulate_batch,
    simulate_points,
)

SWEEP = [MarchParams(m=20, n=10, p1=p1, p2=p2) for p1 in (0.2, 0.5, 0.9, 1.0) for p2 in (0.1, 0.5, 1.0)] + [
    MarchParams(m=20, n=10, p2=0.5, groups=((3, 0.2), (7, 0.8))),
    MarchParams(m=20, n=10, p2=0.9, groups=((3, 0.9), (7, 0.1))),
    MarchParams(m=20, n=10, p2=0.5, groups=((5, 0.2), (5, 0.8))),
    MarchParams(m=20, n=10, p2=0.5, groups=((3, 0.0), (7, 1.0)), max_periods=9),
    MarchParams(m=20, n=10, p2=0.2, groups=((3, 0.5), (7, 0.5)), max_periods=9),
    MarchParams(m=20, n=10, p1=0.3, p2=0.6, record_series=True),
    MarchParams(m=20, n=10, p1=0.6, p2=0.6, record_series=True),
    MarchParams(m=20, n=10, p1=0.0, p2=0.0, max_periods=7),
    MarchParams(m=20, n=10, p1=0.4, p2=0.3, max_periods=7),
    MarchParams(m=40, n=6, p1=0.3, p2=0.5),
    MarchParams(m=40, n=6, p1=0.7, p2=0.8),
    MarchParams(m=20, n=10, p1=0.3, p2=0.5, p3=0.1, periods=12),
    MarchParams(m=20, n=10, p1=0.3, p2=0.5, communities=2, beta=0.3, max_periods=50),
]
RUNS = 6
SERIES = ("code_score", "code_knowledge", "individual_knowledge")


def comparable(outcomes: Sequence[Sequence[MarchResult | None]]) -> list[list[tuple[object, ...]]]:
    """Results as plain values (series as lists), so that == compares every number exactly."""

    def plain(result: MarchResult | None) -> tuple[object, ...]:
        assert result is not None
        series = None
        if result.series is not None:
            series = tuple(getattr(result.series, name).tolist() for name in SERIES)
        return (replace(result, series=None), series)

    return [[plain(result) for result in point] for point in outcomes]


@pytest.fixture(scope="module")
def point_by_point() -> list[list[tuple[object, ...]]]:
    outcomes = [simulate_batch(params, generators_for(4, RUNS)) for params in SWEEP]
    assert any(result.series is not None for point in outcomes for result in point)
    return comparable(outcomes)


def test_batches_group_compatible_points() -> None:
    keys = {march.core_batch_key(params) for params in SWEEP}
    assert None in keys  # the extension points run alone
    assert len(keys) == 8
    assert march.core_batch_key(SWEEP[0]) == march.core_batch_key(SWEEP[11])
    assert march.core_batch_key(SWEEP[12]) == march.core_batch_key(SWEEP[13])


def test_batched_points_equal_point_by_point_runs(point_by_point: list[list[tuple[object, ...]]]) -> None:
    batched = simulate_points([(params, generators_for(4, RUNS)) for params in SWEEP])
    assert comparable(batched) == point_by_point


def test_run_points_batches_across_points_and_equals_point_by_point(
    monkeypatch: pytest.MonkeyPatch, point_by_point: list[list[tuple[object, ...]]]
) -> None:
    sizes: list[int] = []
    kernel = march._simulate_core

    def counting(params, generators, reality, beliefs):  # type: ignore[no-untyped-def]
        sizes.append(len(generators))
        return kernel(params, generators, reality, beliefs)

    monkeypatch.setattr(march, "_simulate_core", counting)
    assert comparable(sweeps.run_points(SWEEP, RUNS, 4)) == point_by_point
    # The 12 plain points form one batch; so do the mixed points with equal group sizes.
    assert sorted(sizes) == [RUNS] + [2 * RUNS] * 5 + [12 * RUNS]


@pytest.mark.parametrize("limit", [1, 5, 13])
def test_batch_size_limit_does_not_change_results(
    monkeypatch: pytest.MonkeyPatch, limit: int, point_by_point: list[list[tuple[object, ...]]]
) -> None:
    monkeypatch.setattr(march, "_MAX_BATCH", limit)
    assert comparable(sweeps.run_points(SWEEP[:17], RUNS, 4)) == point_by_point[:17]


def test_tasks_split_across_points_keep_every_run(point_by_point: list[list[tuple[object, ...]]]) -> None:
    tasks = sweeps._tasks(SWEEP, RUNS, 4, workers=3)
    assert max(len(task.pieces) for task in tasks) > 1  # a task can hold runs of several points
    runs = sorted(
        (piece.point, piece.start + offset) for task in tasks for piece in task.pieces
        for offset in range(len(piece.generators))
    )  # fmt: skip
    assert runs == [(point, run) for point in range(len(SWEEP)) for run in range(RUNS)]
    collected: list[list[MarchResult | None]] = [[None] * RUNS for _ in SWEEP]
    for task in tasks:
        for point, start, results in sweeps._simulate_task(task):
            collected[point][start : start + len(results)] = results
    assert comparable(collected) == point_by_point


def test_run_points_on_two_workers_equals_point_by_point(
    point_by_point: list[list[tuple[object, ...]]],
) -> None:
    done: list[int] = []
    outcomes = sweeps.run_points(SWEEP, RUNS, 4, workers=2, on_runs_done=done.append)
    assert comparable(outcomes) == point_by_point
    assert sum(done) == RUNS * len(SWEEP)


def test_seeded_results_are_those_of_earlier_versions() -> None:
    # Recorded before runs of several points were batched together (same streams since then).
    points = [
        MarchParams(m=20, n=10, p2=0.5, groups=((3, 0.2), (7, 0.8))),
        MarchParams(m=20, n=10, p2=0.5, groups=((5, 0.2), (5, 0.8))),
        MarchParams(m=20, n=10, p1=0.4, p2=0.5),
    ]
    expected = [
        [(0.5, 0.75, 38), (0.8, 0.9, 38), (0.5, 0.75, 26)],
        [(0.5, 0.75, 38), (0.7, 0.85, 27), (0.7, 0.85, 53)],
        [(0.6, 0.8, 19), (0.7, 0.85, 19), (0.7, 0.85, 31)],
    ]
    outcomes = sweeps.run_points(points, 3, 11)
    assert [
        [(r.code_score, r.individual_knowledge, r.periods) for r in point] for point in outcomes
    ] == expected
    first = outcomes[0][1].groups
    assert first is not None
    assert [(group.p1, group.individual_score) for group in first] == [
        (0.2, 0.8000000000000002),
        (0.8, 0.7999999999999999),
    ]


def test_runs_of_different_points_cannot_share_a_batch() -> None:
    params = [MarchParams(m=20, n=10), MarchParams(m=20, n=12)]
    generators = generators_for(1, 2)
    with pytest.raises(ValueError, match="batched together"):
        march._simulate_core(params, generators, *march._initial_state(params[0], generators))
