"""Benchmark: the calibration analysis functions on 1,000,000 items or forecasts, and the Dunning-Kruger
null model with 10,000 people and 1,000 simulations.

Run with ``.venv/bin/python benchmarks/calibration_benchmark.py``. The targets (issue 5): every analysis
function under 1 s on 1,000,000 inputs; ``dunning_kruger`` under 5 s. Each line also prints the time of
a plain numpy baseline measured in the same run (the bare arithmetic of the same formula, without input
checks, bins or result objects), so the ratio shows what the library adds on top of numpy itself.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from practica.analysis.calibration import (
    brier_decomposition,
    brier_score,
    calibration_curve,
    cbm_summary,
    dunning_kruger,
    expected_calibration_error,
    log_score,
)
from practica.analysis.skills import evidence_levels

ITEM_TARGET_SECONDS = 1.0
DK_TARGET_SECONDS = 5.0


def timed(action: Callable[[], Any], repeats: int) -> float:
    """Best wall time over ``repeats`` runs."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def baseline_cbm(fractions: np.ndarray, certainties: np.ndarray) -> float:
    right = np.array([0.0, 1.0, 2.0, 3.0])[certainties]
    wrong = np.array([0.0, 0.0, -2.0, -6.0])[certainties]
    marks = np.where(fractions > 0, right * fractions, wrong)
    return float(marks.mean())


def baseline_bins(p: np.ndarray, o: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    index = np.minimum((p * 10).astype(int), 9)
    return np.bincount(index, minlength=10), np.bincount(index, p, 10), np.bincount(index, o, 10)


def baseline_log(p: np.ndarray, o: np.ndarray) -> float:
    clipped = np.clip(p, 1e-6, 1 - 1e-6)
    return float(np.mean(-(o * np.log(clipped) + (1 - o) * np.log1p(-clipped))))


def baseline_evidence(groups: np.ndarray, levels: np.ndarray, ages: np.ndarray, size: int) -> np.ndarray:
    weights = np.exp2(-ages / 365.0)
    return np.bincount(groups, weights * levels, size) / np.maximum(
        np.bincount(groups, weights, size), 1e-300
    )


def baseline_dk(actual: np.ndarray, estimate: np.ndarray, simulations: int, rng: np.random.Generator) -> None:
    """The bare null model: draw, rank and average by quartile, 1,000 groups of the same size."""
    n = len(actual)
    latent = rng.standard_normal((simulations, n))
    noise = rng.standard_normal((simulations, n))
    ranks = np.argsort(np.argsort(latent, axis=1), axis=1)
    quartile = ranks * 4 // n
    self_ranks = np.argsort(np.argsort(0.5 * latent + noise, axis=1), axis=1)
    flat = (quartile + 4 * np.arange(simulations)[:, None]).ravel()
    np.bincount(flat, self_ranks.ravel(), 4 * simulations)


def report(name: str, seconds: float, baseline: float, target: float) -> bool:
    ok = seconds < target
    print(
        f"{name:<34} {seconds:7.3f} s  baseline {baseline:7.3f} s  ratio {seconds / baseline:6.1f}x  "
        f"target < {target:g} s  {'ok' if ok else 'MISSED'}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--simulations", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2024)
    options = parser.parse_args()
    rng = np.random.default_rng(options.seed)
    n, repeats = options.items, options.repeats

    fractions = np.where(rng.random(n) < 0.1, rng.random(n), (rng.random(n) < 0.7).astype(float))
    certainties = rng.integers(1, 4, n)
    p = rng.random(n)
    o = (rng.random(n) < p).astype(float)
    # 20,000 people x 50 skills, about one assessment per pair, of every source.
    pairs = 20_000 * 50
    groups = rng.integers(0, pairs, n)
    sources = rng.integers(0, 4, n)
    levels = rng.integers(1, 6, n)
    ages = rng.random(n) * 1500

    print(f"{n:,} items / forecasts / assessments; best of {repeats}")
    results = [
        report(
            "cbm_summary",
            timed(lambda: cbm_summary(fractions, certainties), repeats),
            timed(lambda: baseline_cbm(fractions, certainties), repeats),
            ITEM_TARGET_SECONDS,
        ),
        report(
            "brier_score",
            timed(lambda: brier_score(p, o), repeats),
            timed(lambda: float(np.mean((p - o) ** 2)), repeats),
            ITEM_TARGET_SECONDS,
        ),
    ]
    bins_baseline = timed(lambda: baseline_bins(p, o), repeats)
    for name, function in (
        ("brier_decomposition", brier_decomposition),
        ("expected_calibration_error", expected_calibration_error),
        ("calibration_curve", calibration_curve),
    ):
        results.append(
            report(name, timed(lambda f=function: f(p, o), repeats), bins_baseline, ITEM_TARGET_SECONDS)
        )
    results.append(
        report(
            "log_score",
            timed(lambda: log_score(p, o), repeats),
            timed(lambda: baseline_log(p, o), repeats),
            ITEM_TARGET_SECONDS,
        )
    )
    results.append(
        report(
            "evidence_levels (1M pairs)",
            timed(lambda: evidence_levels(groups, sources, levels, ages, group_count=pairs), repeats),
            timed(lambda: baseline_evidence(groups, levels, ages, pairs), repeats),
            ITEM_TARGET_SECONDS,
        )
    )

    people = options.people
    ability = rng.standard_normal(people)
    actual = np.clip(np.round(50 + 15 * (ability + 0.6 * rng.standard_normal(people))), 0, 100)
    estimate = np.clip(np.round(60 + 8 * (ability + rng.standard_normal(people))), 0, 100)
    print(f"\ndunning_kruger: {people:,} people, {options.simulations:,} simulations; best of {repeats}")
    results.append(
        report(
            "dunning_kruger",
            timed(lambda: dunning_kruger(actual, estimate, seed=1, simulations=options.simulations), repeats),
            timed(lambda: baseline_dk(actual, estimate, options.simulations, rng), repeats),
            DK_TARGET_SECONDS,
        )
    )
    print("\nall targets met" if all(results) else "\nsome targets MISSED")


if __name__ == "__main__":
    main()
