"""Benchmark of practica.simulation.march against a minimal numpy kernel and (if available) Mesa.

Times a full March (1991) Figure 1 sweep (p1 = 0.1..0.9 x p2 in {0.1, 0.5, 0.9} x 80 runs, m = 30,
n = 50) with Practica (all 2,160 runs of the 27 points batched together) in one process and on 2 worker
processes, the same sweep point by point (one batch of 80 runs per point, as before cross-point
batching), and with a minimal hand-written numpy kernel of the same rules and the same random-number
scheme, one run at a time. If Mesa can be imported (from the environment, or from ``--mesa-path``,
default /tmp/mesa_pkgs, filled with ``pip install --target /tmp/mesa_pkgs mesa`` and appended to the
end of sys.path so the venv's numpy stays first), an idiomatic Mesa model (one Agent per person, plain
Python lists) runs once at each of the same 27 points per round, interleaved with Practica's timings
(the machine's load changes), and its time per run is compared with Practica's time per run in the
batched sweep. Targets (docs/simulation.md): sweep < 10 s on 2 cores, within 2x of the minimal
kernel, >= 50x faster than Mesa.

Run: .venv/bin/python benchmarks/march_benchmark.py [--runs 80] [--rounds 3]
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

from practica.simulation.march import MarchParams
from practica.simulation.sweeps import run_points

P1_VALUES = [round(0.1 * step, 1) for step in range(1, 10)]
P2_VALUES = [0.1, 0.5, 0.9]
M, N = 30, 50


def numbers(rng: np.random.Generator, count: int) -> np.ndarray:
    """The next ``count`` (even) 32-bit numbers: low then high halves of raw 64-bit outputs."""
    return rng.bit_generator.random_raw(count // 2).astype("<u8", copy=False).view("<u4")


def minimal_run(p1: float, p2: float, m: int, n: int, rng: np.random.Generator) -> tuple[float, int]:
    """The same rules written plainly for one run, drawing as Practica does; returns (code score, periods).

    Same stream layout as practica.simulation.march: 32-bit numbers, reality and beliefs first, then
    per period coins (one bit each), socialisation and code-learning numbers, fetched 8 periods at once.
    """
    start = numbers(rng, m + n * m + (m + n * m) % 2) * 2.0**-32
    reality = np.where(start[:m] < 0.5, 1, -1)
    beliefs = np.floor(3 * start[m : m + n * m]).astype(np.int64).reshape(n, m) - 1
    code = np.zeros(m, dtype=np.int64)
    words = (m + 31) // 32
    size = n * words + n * m + m
    size += size % 2
    shifts = np.arange(m) % 32
    p2_by_margin = 1 - (1 - p2) ** np.arange(n + 1)
    for period in range(1, 10_001):
        if period % 8 == 1:
            chunk = numbers(rng, 8 * size).reshape(8, size)
        block = chunk[(period - 1) % 8]
        coin_bits = (block[: n * words].reshape(n, words)[:, np.arange(m) // 32] >> shifts) & 1
        socialise = block[n * words : n * words + n * m].reshape(n, m) * 2.0**-32 < p1
        code_uniforms = block[n * words + n * m : n * words + n * m + m] * 2.0**-32
        actions = np.where(beliefs != 0, beliefs, 2 * coin_bits.astype(np.int64) - 1)
        performance = actions @ reality
        code_score = code @ reality
        toward = (code != 0) & (beliefs != code) & socialise
        beliefs = beliefs + toward * code
        margin = actions[performance > code_score].sum(axis=0)
        majority = np.sign(margin)
        learns = (majority != 0) & (majority != code) & (code_uniforms < p2_by_margin[np.abs(margin)])
        code = np.where(learns, majority, code)
        if (beliefs == code).all() and ((beliefs @ reality + (beliefs == 0).sum(1)) <= code @ reality).all():
            return float(code @ reality) / m, period
    return float(code @ reality) / m, 10_000


def minimal_sweep(runs: int, seed: int) -> float:
    scores = []
    for p1 in P1_VALUES:
        for p2 in P2_VALUES:
            for sequence in np.random.SeedSequence(seed).spawn(runs):
                scores.append(minimal_run(p1, p2, M, N, np.random.default_rng(sequence))[0])
    return statistics.fmean(scores)


FIGURE_1 = [MarchParams(m=M, n=N, p1=p1, p2=p2) for p1 in P1_VALUES for p2 in P2_VALUES]


def practica_sweep(runs: int, seed: int, workers: int) -> float:
    outcomes = run_points(FIGURE_1, runs, seed, workers=workers)
    return statistics.fmean(result.code_score for results in outcomes for result in results)


def practica_point_by_point(runs: int, seed: int) -> float:
    """The sweep as it ran before runs of several points were batched: one call per point."""
    outcomes = [run_points([params], runs, seed)[0] for params in FIGURE_1]
    return statistics.fmean(result.code_score for results in outcomes for result in results)


def timed(label: str, action: Callable[[], float], repeat: int) -> float:
    """Median wall time of ``repeat`` calls (the machine may be shared, so single timings are noisy)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        mean_score = action()
        times.append(time.perf_counter() - start)
    elapsed = statistics.median(times)
    spread = f"{min(times):.2f}-{max(times):.2f}" if repeat > 1 else f"{elapsed:.2f}"
    print(f"{label:<58} {elapsed:7.2f} s  [{spread}]  (mean code score {mean_score:.3f})")
    return elapsed


def import_mesa(path: str) -> bool:
    """True if Mesa can be imported, trying ``path`` (appended to sys.path) when it is not installed."""
    if importlib.util.find_spec("mesa") is None and os.path.isdir(path):
        sys.path.append(path)
    try:
        importlib.import_module("mesa")
    except ImportError:
        return False
    return True


def mesa_model() -> type:
    """An idiomatic Mesa model of the same rules: one Agent per person, plain Python lists."""
    import mesa

    class Person(mesa.Agent):  # type: ignore[misc]
        def __init__(self, model: MarchModel) -> None:
            super().__init__(model)
            self.beliefs = [model.random.choice((-1, 0, 1)) for _ in range(model.m)]
            self.actions: list[int] = []
            self.performance = 0

        def act(self) -> None:
            model = self.model
            self.actions = [
                belief if belief != 0 else model.random.choice((-1, 1)) for belief in self.beliefs
            ]
            self.performance = sum(a * r for a, r in zip(self.actions, model.reality, strict=True))

        def socialise(self) -> None:
            model = self.model
            for dimension, value in enumerate(model.code):
                if value != 0 and self.beliefs[dimension] != value and model.random.random() < model.p1:
                    self.beliefs[dimension] += value

    class MarchModel(mesa.Model):  # type: ignore[misc]
        def __init__(self, p1: float, p2: float, m: int, n: int, seed: int) -> None:
            super().__init__(seed=seed)
            self.p1, self.p2, self.m = p1, p2, m
            self.reality = [self.random.choice((-1, 1)) for _ in range(m)]
            self.code = [0] * m
            self.periods = 0
            for _ in range(n):
                Person(self)

        def code_score(self) -> int:
            return sum(c * r for c, r in zip(self.code, self.reality, strict=True))

        def step(self) -> None:
            self.periods += 1
            self.agents.do("act")
            score = self.code_score()
            superior = [person for person in self.agents if person.performance > score]
            self.agents.do("socialise")
            for dimension in range(self.m):
                margin = sum(person.actions[dimension] for person in superior)
                majority = (margin > 0) - (margin < 0)
                chance = 1 - (1 - self.p2) ** abs(margin)
                if majority and majority != self.code[dimension] and self.random.random() < chance:
                    self.code[dimension] = majority
            settled = all(person.beliefs == self.code for person in self.agents)
            if settled and all(
                sum(b * r for b, r in zip(person.beliefs, self.reality, strict=True))
                + person.beliefs.count(0)
                <= self.code_score()
                for person in self.agents
            ):
                self.running = False

    return MarchModel


def mesa_pass(model_class: type, seed: int) -> tuple[float, list[float], list[int]]:
    """One Mesa run at each Figure 1 point: (seconds, code scores, periods)."""
    start = time.perf_counter()
    scores, periods = [], []
    for index, params in enumerate(FIGURE_1):
        model = model_class(params.p1, params.p2, M, N, seed=seed * 1000 + index)
        while model.running and model.periods < 10_000:
            model.step()
        scores.append(model.code_score() / M)
        periods.append(model.periods)
    return time.perf_counter() - start, scores, periods


def seconds(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=80)
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds of the Practica and Mesa timings"
    )
    parser.add_argument("--mesa-path", default="/tmp/mesa_pkgs", help="where Mesa is if not installed")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    runs, seed, rounds = options.runs, options.seed, options.rounds
    total_runs = runs * len(FIGURE_1)
    print(f"March Figure 1 sweep: 9 p1 x 3 p2 x {runs} runs (m={M}, n={N}); {os.cpu_count()} CPUs")

    two = timed("practica, all points batched, 2 worker processes", lambda: practica_sweep(runs, seed, 2), 3)
    print(f"  sweep on 2 workers: {two:.2f} s (target < 10 s)")
    one = timed("practica, all points batched, 1 process", lambda: practica_sweep(runs, seed, 1), 3)
    minimal = timed("minimal hand-written numpy kernel, 1 process", lambda: minimal_sweep(runs, seed), 1)
    print(f"  practica (1 process) / minimal kernel: {one / minimal:.2f}x the time (target <= 2x)")

    results = [result for point in run_points(FIGURE_1, runs, seed) for result in point]
    print(
        f"practica on the Figure 1 points: mean code score "
        f"{statistics.fmean(r.code_score for r in results):.3f}, "
        f"mean periods {statistics.fmean(r.periods for r in results):.1f}"
    )
    model_class = mesa_model() if import_mesa(options.mesa_path) else None
    if model_class is None:
        print(
            "Mesa is not importable, so the Mesa comparison is skipped; install it outside the venv with: "
            "pip install --target /tmp/mesa_pkgs mesa"
        )
    # Load on a shared machine changes from second to second, so the timings are interleaved: each
    # round times the batched sweep, the same sweep point by point, and one Mesa run at each point.
    print(f"{rounds} interleaved rounds, ms per run:")
    batched_total = by_point_total = mesa_total = 0.0
    mesa_scores: list[float] = []
    mesa_periods: list[int] = []
    for round_index in range(rounds):
        batched = seconds(lambda: practica_sweep(runs, seed, 1))
        by_point = seconds(lambda: practica_point_by_point(runs, seed))
        batched_total += batched
        by_point_total += by_point
        line = (
            f"  round {round_index + 1}: practica batched {batched / total_runs * 1000:.3f}, "
            f"point by point {by_point / total_runs * 1000:.3f}"
        )
        if model_class is not None:
            mesa_seconds, scores, periods = mesa_pass(model_class, seed * 100 + round_index)
            mesa_total += mesa_seconds
            mesa_scores += scores
            mesa_periods += periods
            mesa_per_run = mesa_seconds / len(FIGURE_1)
            line += (
                f", Mesa {mesa_per_run * 1000:.2f}; Mesa / batched "
                f"{mesa_per_run / (batched / total_runs):.0f}x"
            )
        print(line)
    batched_per_run = batched_total / (rounds * total_runs)
    by_point_per_run = by_point_total / (rounds * total_runs)
    print(
        f"practica, 1 process: all points batched {batched_per_run * 1000:.3f} ms per run, point by point "
        f"{by_point_per_run * 1000:.3f} ms per run ({batched_per_run / by_point_per_run:.2f}x the time)"
    )
    # An agent-step is one individual acting through one period: the unit Mesa counts in.
    practica_steps = sum(r.periods for r in results) * N
    print(
        f"agent-steps per second: practica batched {practica_steps / (batched_total / rounds):,.0f}, "
        f"minimal kernel {practica_steps / minimal:,.0f} (the same runs, so the same steps)"
    )
    if model_class is None:
        return
    mesa_per_run = mesa_total / len(mesa_scores)
    practica_periods = statistics.fmean(r.periods for r in results)
    per_period = (mesa_per_run / statistics.fmean(mesa_periods)) / (batched_per_run / practica_periods)
    print(
        f"Mesa, idiomatic agents, {len(mesa_scores)} runs ({rounds} at each of the 27 points): "
        f"{mesa_per_run * 1000:.2f} ms per run (mean code score {statistics.fmean(mesa_scores):.3f}, "
        f"mean periods {statistics.fmean(mesa_periods):.1f})"
    )
    mesa_steps = sum(mesa_periods) * N
    print(f"agent-steps per second: Mesa {mesa_steps / mesa_total:,.0f}")
    print(
        f"MESA / PRACTICA PER RUN, same 27 Figure 1 points, batched sweep, 1 process: "
        f"{mesa_per_run / batched_per_run:.0f}x (target >= 50x; per simulated period {per_period:.0f}x; "
        f"point by point {mesa_per_run / by_point_per_run:.0f}x)"
    )


if __name__ == "__main__":
    main()
