"""Many runs and parameter sweeps of March's (1991) model: summaries, process pools and Dask.

Every point of a sweep uses the same seed, so run ``i`` of every point draws from the same stream
(common random numbers: differences between points are not blurred by different luck), and a sweep
point gives exactly what a single-point run with that seed gives. The runs of plain March points that
differ only in p1, p2 or their groups' p1 (a Figure 1 sweep) are simulated together, as one batch of
all their runs, so the fixed cost of each period's numpy calls is shared by all of them. Runs are split
into tasks that go to worker processes or to a Dask cluster (a task may hold runs of several points);
each task carries its runs' own generators, so the results do not depend on the number of workers, on
the batching or on the chunking.

References
----------
- J. G. March (1991). Exploration and exploitation in organizational learning. Organization Science 2(1)
  (80 runs per point, Figure 1 sweeps p1 for three values of p2).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from practica.simulation.march import (
    MarchParams,
    MarchResult,
    SeedLike,
    core_batch_key,
    core_batch_size,
    generators_for,
    simulate_points,
)

ProgressCallback = Callable[[int], None]

SWEEPABLE = {
    field.name: field.type
    for field in fields(MarchParams)
    if field.name not in {"groups", "record_series", "code", "select_on"}
}


class DaskUnavailableError(RuntimeError):
    """Raised when a Dask scheduler address is given but dask.distributed is not installed or the
    scheduler cannot be reached."""


@dataclass(frozen=True)
class _Piece:
    """Runs ``start``, ``start + 1``, ... of sweep point ``point``, with their own generators."""

    point: int
    start: int
    params: MarchParams
    generators: list[np.random.Generator]


@dataclass(frozen=True)
class _Task:
    """What one worker simulates in one call: pieces of one or more points."""

    pieces: list[_Piece]


_Outcome = list[tuple[int, int, list[MarchResult]]]


def _simulate_task(task: _Task) -> _Outcome:
    outcomes = simulate_points([(piece.params, piece.generators) for piece in task.pieces])
    return [(piece.point, piece.start, results) for piece, results in zip(task.pieces, outcomes, strict=True)]


def _tasks(points: Sequence[MarchParams], runs: int, seed: SeedLike, workers: int) -> list[_Task]:
    """Group the runs of points the bit-packed kernel can batch together (``simulate_points``), then cut
    each group into tasks of equal size: in one process, tasks of at most one kernel batch (so progress
    is reported batch by batch); with workers, enough tasks to keep every worker busy but as few as
    possible (batching runs is what is fast). Every point gets its own generators from ``seed``.
    """
    families: dict[Any, list[_Piece]] = {}
    for index, params in enumerate(points):
        key = core_batch_key(params)
        piece = _Piece(index, 0, params, generators_for(seed, runs))
        families.setdefault(("point", index) if key is None else key, []).append(piece)
    spread = max(1, math.ceil(runs * len(points) / (4 * workers)))
    tasks = []
    for key, pieces in families.items():
        family_runs = runs * len(pieces)
        limit = runs if key[0] == "point" else core_batch_size(pieces[0].params)
        limit = limit if workers == 1 else min(limit, spread)
        size = math.ceil(family_runs / math.ceil(family_runs / limit))
        task: list[_Piece] = []
        room = size
        for piece in pieces:
            start = 0
            while start < runs:
                count = min(room, runs - start)
                task.append(_Piece(piece.point, start, piece.params, piece.generators[start : start + count]))
                start += count
                room -= count
                if room == 0:
                    tasks.append(_Task(task))
                    task, room = [], size
        if task:
            tasks.append(_Task(task))
    return tasks


def run_points(
    points: Sequence[MarchParams],
    runs: int,
    seed: SeedLike,
    *,
    workers: int = 1,
    dask_address: str | None = None,
    on_runs_done: ProgressCallback | None = None,
) -> list[list[MarchResult]]:
    """Simulate ``runs`` runs at each point, locally, in a process pool, or on a Dask cluster.

    Results are identical for any ``workers`` and for Dask. ``on_runs_done(k)`` is called as each
    chunk of ``k`` runs finishes (for progress bars).
    """
    if isinstance(seed, np.random.Generator):
        raise ValueError("seed: sweeps need an integer seed or SeedSequence, so every point can reuse it")
    tasks = _tasks(points, runs, seed, workers if dask_address is None else 8)
    collected: list[list[MarchResult | None]] = [[None] * runs for _ in points]

    def store(outcome: _Outcome) -> None:
        for point, start, results in outcome:
            collected[point][start : start + len(results)] = results
            if on_runs_done is not None:
                on_runs_done(len(results))

    if dask_address is not None:
        _run_on_dask(tasks, dask_address, store)
    elif workers == 1:
        for task in tasks:
            store(_simulate_task(task))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_simulate_task, task) for task in tasks]
            for future in as_completed(futures):
                store(future.result())
    return [[result for result in point if result is not None] for point in collected]


def _run_on_dask(tasks: list[_Task], address: str, store: Callable[[_Outcome], None]) -> None:
    try:
        from dask.distributed import Client
        from dask.distributed import as_completed as dask_as_completed
    except ImportError as error:
        raise DaskUnavailableError(
            "dask is not installed: --dask needs dask.distributed (pip install 'dask[distributed]')"
        ) from error
    try:
        client = Client(address)
    except (OSError, ValueError) as error:
        raise DaskUnavailableError(f"dask: cannot reach the scheduler at {address}: {error}") from error
    with client:
        futures = client.map(_simulate_task, tasks, pure=False)
        for future in dask_as_completed(futures):
            store(future.result())


def parse_sweep(spec: str) -> tuple[str, list[float]]:
    """Parse ``name=start:stop:step`` (inclusive) or ``name=v1,v2,...`` or ``name=value``."""
    name, sep, values = spec.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or not values.strip():
        raise ValueError(f"sweep: expected NAME=START:STOP:STEP or NAME=V1,V2,..., got {spec!r}")
    if name not in SWEEPABLE:
        raise ValueError(f"sweep: unknown parameter {name!r} (sweepable: {', '.join(sorted(SWEEPABLE))})")
    try:
        if ":" in values:
            start, stop, step = (float(part) for part in values.split(":"))
            if step <= 0 or stop < start:
                raise ValueError
            count = math.floor((stop - start) / step + 1e-9) + 1
            numbers = [round(start + index * step, 10) for index in range(count)]
        else:
            numbers = [float(part) for part in values.split(",")]
    except ValueError:
        raise ValueError(f"sweep: cannot read values for {name} in {spec!r}") from None
    if SWEEPABLE[name] in (int, "int"):
        if any(number != int(number) for number in numbers):
            raise ValueError(f"sweep: {name} takes whole numbers, got {values!r}")
        numbers = [int(number) for number in numbers]
    return name, numbers


def sweep_points(
    base: MarchParams, sweeps: Sequence[tuple[str, Sequence[float]]]
) -> list[tuple[dict[str, float], MarchParams]]:
    """Cartesian product of the sweeps (first sweep outermost); raises ValueError on any bad point."""
    names = [name for name, _ in sweeps]
    if len(set(names)) != len(names):
        raise ValueError("sweep: each parameter can be swept only once")
    points = []
    for values in itertools.product(*(values for _, values in sweeps)):
        assignment: dict[str, Any] = dict(zip(names, values, strict=True))
        points.append((assignment, replace(base, **assignment)))
    return points


def summarise(params: MarchParams, results: Sequence[MarchResult], seed: int) -> dict[str, Any]:
    """Means (and standard deviations) over runs, as the CLI prints them and March's Figure 1 plots."""

    def mean(values: Sequence[float]) -> float:
        return float(statistics.fmean(values))

    def sd(values: Sequence[float]) -> float:
        return float(statistics.stdev(values)) if len(values) > 1 else 0.0

    code_score = [result.code_score for result in results]
    code_knowledge = [result.code_knowledge for result in results]
    summary: dict[str, Any] = {
        "params": params.to_dict(),
        "runs": len(results),
        "seed": seed,
        "mean_code_score": mean(code_score),
        "sd_code_score": sd(code_score),
        "mean_code_knowledge": mean(code_knowledge),
        "sd_code_knowledge": sd(code_knowledge),
        "mean_individual_knowledge": mean([result.individual_knowledge for result in results]),
        "mean_individual_score": mean([result.individual_score for result in results]),
        "mean_periods": mean([float(result.periods) for result in results]),
        "capped_runs": sum(result.hit_cap for result in results),
    }
    if params.groups is not None:
        summary["groups"] = [
            {
                "count": count,
                "p1": p1,
                "mean_individual_knowledge": mean(
                    [result.groups[index].individual_knowledge for result in results if result.groups]
                ),
                "mean_individual_score": mean(
                    [result.groups[index].individual_score for result in results if result.groups]
                ),
            }
            for index, (count, p1) in enumerate(params.groups)
        ]
    return summary
