"""Benchmark of practica.simulation.march against a minimal numpy kernel and (if installed) Mesa.

Times a full March (1991) Figure 1 sweep (p1 = 0.1..0.9 x p2 in {0.1, 0.5, 0.9} x 80 runs, m = 30,
n = 50) with Practica's batched kernel on 1 and 2 worker processes, and the same sweep with a minimal
hand-written numpy kernel of the same rules, one run at a time. If Mesa is importable, an idiomatic
Mesa model (one Agent per person, plain Python lists) runs a subset of the sweep and the ratio per run
is reported. Targets (docs/simulation.md): sweep < 10 s on 2 cores, within 2x of the minimal kernel,
>= 50x faster than Mesa.

Run: .venv/bin/python benchmarks/march_benchmark.py [--runs 80] [--mesa-runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numpy as np

from practica.simulation.march import MarchParams
from practica.simulation.sweeps import run_points

P1_VALUES = [round(0.1 * step, 1) for step in range(1, 10)]
P2_VALUES = [0.1, 0.5, 0.9]
M, N = 30, 50


def minimal_run(p1: float, p2: float, m: int, n: int, rng: np.random.Generator) -> tuple[float, int]:
    """The same rules written plainly for one run; returns (code score, periods)."""
    reality = np.where(rng.random(m) < 0.5, 1, -1)
    beliefs = rng.integers(-1, 2, size=(n, m))
    code = np.zeros(m, dtype=np.int64)
    for period in range(1, 10_001):
        actions = np.where(beliefs != 0, beliefs, np.where(rng.random((n, m)) < 0.5, 1, -1))
        performance = actions @ reality
        code_score = code @ reality
        toward = (code != 0) & (beliefs != code) & (rng.random((n, m)) < p1)
        beliefs = beliefs + toward * code
        margin = actions[performance > code_score].sum(axis=0)
        majority = np.sign(margin)
        learns = (majority != 0) & (majority != code) & (rng.random(m) < 1 - (1 - p2) ** np.abs(margin))
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


def practica_sweep(runs: int, seed: int, workers: int) -> float:
    points = [MarchParams(m=M, n=N, p1=p1, p2=p2) for p1 in P1_VALUES for p2 in P2_VALUES]
    outcomes = run_points(points, runs, seed, workers=workers)
    return statistics.fmean(result.code_score for results in outcomes for result in results)


def timed(label: str, action: Callable[[], float]) -> float:
    start = time.perf_counter()
    mean_score = action()
    elapsed = time.perf_counter() - start
    print(f"{label:<52} {elapsed:8.2f} s   (mean code score {mean_score:.3f})")
    return elapsed


def mesa_per_run_seconds(runs: int, seed: int) -> tuple[float, float, float] | None:
    """(seconds per run, mean code score, mean periods) of an idiomatic Mesa model, or None without Mesa."""
    try:
        import mesa
    except ImportError:
        return None

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

    start = time.perf_counter()
    scores, periods = [], []
    for p1 in (0.1, 0.5, 0.9):
        for run_index in range(runs):
            model = MarchModel(p1, 0.5, M, N, seed=seed * 1000 + run_index)
            while model.running and model.periods < 10_000:
                model.step()
            scores.append(model.code_score() / M)
            periods.append(model.periods)
    seconds = (time.perf_counter() - start) / len(scores)
    return seconds, statistics.fmean(scores), statistics.fmean(periods)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=80)
    parser.add_argument("--mesa-runs", type=int, default=3, help="Mesa runs per p1 in {0.1, 0.5, 0.9}")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    runs, seed = options.runs, options.seed
    print(f"March Figure 1 sweep: 9 p1 x 3 p2 x {runs} runs (m={M}, n={N}); {os.cpu_count()} CPUs")

    practica_two = timed(
        "practica, batched kernel, 2 worker processes", lambda: practica_sweep(runs, seed, 2)
    )
    practica_one = timed("practica, batched kernel, 1 process", lambda: practica_sweep(runs, seed, 1))
    minimal = timed("minimal hand-written numpy kernel, 1 process", lambda: minimal_sweep(runs, seed))
    print(f"sweep on 2 workers: {practica_two:.2f} s (target < 10 s)")
    print(f"practica (1 process) / minimal kernel: {practica_one / minimal:.2f}x (target <= 2x)")

    mesa_outcome = mesa_per_run_seconds(options.mesa_runs, seed)
    if mesa_outcome is None:
        print("Mesa is not installed, so the Mesa comparison is skipped; install it with: pip install mesa")
        return
    mesa_seconds, mesa_score, mesa_periods = mesa_outcome
    same_points = [MarchParams(m=M, n=N, p1=p1, p2=0.5) for p1 in (0.1, 0.5, 0.9)]
    start = time.perf_counter()
    outcomes = run_points(same_points, runs, seed)
    practica_seconds = (time.perf_counter() - start) / (runs * len(same_points))
    results = [result for point in outcomes for result in point]
    print(
        f"Mesa, idiomatic agents, p1 in 0.1, 0.5, 0.9 and p2 = 0.5: {mesa_seconds * 1000:.1f} ms per run "
        f"(mean code score {mesa_score:.3f}, mean periods {mesa_periods:.1f})"
    )
    print(
        f"practica, same points, {runs} runs each: {practica_seconds * 1000:.2f} ms per run "
        f"(mean code score {statistics.fmean(r.code_score for r in results):.3f}, "
        f"mean periods {statistics.fmean(r.periods for r in results):.1f})"
    )
    print(f"Mesa / practica per run: {mesa_seconds / practica_seconds:.0f}x (target >= 50x)")


if __name__ == "__main__":
    main()
