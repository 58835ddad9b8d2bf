"""March's (1991) mutual-learning model of exploration and exploitation, with optional extensions.

The core follows the "original algorithm" that public replications use to reproduce March's
Figure 1 (Rodan, 2005; Christensen, 2015): one-step socialisation toward the code, and a code that
learns from the step-3 *actions* of the strictly superior group with probability 1 - (1 - p2)^k, where k
is the majority margin. See docs/simulation.md for the rules, their sources and the numbers we get.

All runs of one parameter point are simulated together as a (runs, n, m) array. Each run draws from its
own numpy Generator, in the same order whether it is simulated alone or with others, so results never
depend on batching or on how runs are spread over worker processes. Runs that have stopped are removed
from the batch while the others continue.

References
----------
- J. G. March (1991). Exploration and exploitation in organizational learning. Organization Science
  2(1):71-87.
- O. Rodan (2005). Scandinavian Journal of Management 21:407-428.
- C. Fang, J. Lee & M. A. Schilling (2010). Organization Science 21(3):625-642 (extension A).
- J. Kruger & D. Dunning (1999); J. Rouchier & E. Tanimura (2012), Simulation 88(1) (extension B).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from practica.simulation import extensions

SeedLike = int | np.random.SeedSequence | np.random.Generator

_PROBABILITY_FIELDS = ("p1", "p2", "p3", "p4", "beta", "p_peer", "rho")


@dataclass(frozen=True)
class MarchParams:
    """Parameters of one March (1991) experiment; extension fields are off by default.

    Core: ``m`` dimensions of reality, ``n`` individuals, socialisation rate ``p1``, code learning rate
    ``p2``, turnover ``p3``, turbulence ``p4``. With p3 = p4 = 0 a run stops at equilibrium (or at the
    ``max_periods`` safety cap); otherwise it runs ``periods`` periods. ``groups`` makes a mixed
    population: ``((25, 0.9), (25, 0.1))`` is 25 fast and 25 slow learners (counts must add up to n; the
    groups' p1 replace ``p1``). ``record_series`` keeps the measures of every period.

    Extension A, communities of practice (after Fang, Lee & Schilling, 2010): ``communities`` equal groups
    (0 = off), rewiring probability ``beta``, interpersonal learning rate ``p_peer``, ``code`` on or off,
    and complexity ``bundle_size`` (1 = plain March).

    Extension B, overconfidence (Practica's own model): ``kappa`` per wrong or unknown dimension,
    ``select_on`` "confidence" or "evidence" (default: confidence when kappa > 0), resistance ``rho`` for
    people whose perceived performance exceeds their performance by more than ``threshold``.
    """

    m: int = 30
    n: int = 50
    p1: float = 0.1
    p2: float = 0.5
    p3: float = 0.0
    p4: float = 0.0
    periods: int = 100
    max_periods: int = 10_000
    groups: tuple[tuple[int, float], ...] | None = None
    record_series: bool = False
    communities: int = 0
    beta: float = 0.0
    p_peer: float = 0.5
    code: bool = True
    bundle_size: int = 1
    kappa: float = 0.0
    select_on: str | None = None
    rho: float = 0.0
    threshold: float = 0.0

    def __post_init__(self) -> None:
        for name in ("m", "n", "periods", "max_periods", "bundle_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
            object.__setattr__(self, name, int(value))
        for name in _PROBABILITY_FIELDS:
            value = float(getattr(self, name))
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")
            object.__setattr__(self, name, value)
        if self.groups is not None:
            object.__setattr__(self, "groups", _validated_groups(self.groups, self.n))
        if isinstance(self.communities, bool) or int(self.communities) != self.communities:
            raise ValueError(f"communities must be an integer >= 0, got {self.communities!r}")
        if self.communities < 0:
            raise ValueError(f"communities must be an integer >= 0, got {self.communities}")
        if self.communities:
            extensions.community_membership(self.n, self.communities)
            if self.communities > 1 and self.n // self.communities < 2:
                raise ValueError(
                    f"communities: each of the {self.communities} groups needs at least 2 people "
                    f"to join the ring, but n={self.n}"
                )
        if not self.code and not self.communities:
            raise ValueError("code: the code can only be switched off with communities (extension A)")
        if self.m % self.bundle_size:
            raise ValueError(f"bundle_size: m={self.m} is not divisible by bundle_size={self.bundle_size}")
        for name in ("kappa", "threshold"):
            value = float(getattr(self, name))
            if not math.isfinite(value) or (name == "kappa" and value < 0):
                raise ValueError(f"{name} must be a finite number{' >= 0' if name == 'kappa' else ''}")
            object.__setattr__(self, name, value)
        extensions.resolve_select_on(self.select_on, self.kappa)

    @property
    def stops_at_equilibrium(self) -> bool:
        """True when runs end at equilibrium (p3 = p4 = 0) rather than after ``periods`` periods."""
        return self.p3 == 0.0 and self.p4 == 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view of the parameters (groups as lists)."""
        values = dataclasses.asdict(self)
        if self.groups is not None:
            values["groups"] = [list(group) for group in self.groups]
        return values


def _validated_groups(groups: Iterable[Sequence[float]], n: int) -> tuple[tuple[int, float], ...]:
    cleaned: list[tuple[int, float]] = []
    for group in groups:
        if len(group) != 2:
            raise ValueError(f"groups: each group is (count, p1), got {tuple(group)!r}")
        count, p1 = group
        if int(count) != count or count < 1:
            raise ValueError(f"groups: counts must be integers >= 1, got {count!r}")
        if not 0.0 <= float(p1) <= 1.0:
            raise ValueError(f"groups: p1 must be in [0, 1], got {p1}")
        cleaned.append((int(count), float(p1)))
    if not cleaned:
        raise ValueError("groups: give at least one (count, p1) group")
    total = sum(count for count, _ in cleaned)
    if total != n:
        raise ValueError(f"groups: the counts add up to {total}, but n={n}")
    return tuple(cleaned)


@dataclass(frozen=True)
class MarchSeries:
    """Measures after every period of one run (index 0 is period 1)."""

    code_score: npt.NDArray[np.float64]
    code_knowledge: npt.NDArray[np.float64]
    individual_knowledge: npt.NDArray[np.float64]


@dataclass(frozen=True)
class GroupMeasures:
    """Measures of one group of a mixed population (``MarchParams.groups``)."""

    count: int
    p1: float
    individual_knowledge: float
    individual_score: float


@dataclass(frozen=True)
class MarchResult:
    """Outcome of one run: the measures March (1991) and the replications report.

    ``code_score`` = sum(c * r) / m in [-1, 1]; ``code_knowledge`` = share of dimensions where the code
    equals reality; ``individual_knowledge`` = mean share of dimensions where a belief equals reality;
    ``individual_score`` = mean sum(B_i * r) / m. With bundles (extension A) knowledge counts whole
    bundles; with the code switched off, the code measures are the individuals' means. ``hit_cap`` flags
    runs ended by the ``max_periods`` safety cap instead of equilibrium.
    """

    code_score: float
    code_knowledge: float
    individual_knowledge: float
    individual_score: float
    periods: int
    hit_cap: bool
    series: MarchSeries | None = None
    groups: tuple[GroupMeasures, ...] | None = None


def generators_for(seed: SeedLike, runs: int) -> list[np.random.Generator]:
    """One independent Generator per run, from ``SeedSequence(seed).spawn(runs)``.

    Run ``i`` of ``run_many(params, runs, seed)`` is ``run(params, generators_for(seed, runs)[i])``.
    """
    if isinstance(seed, np.random.Generator):
        return seed.spawn(runs)
    if isinstance(seed, np.random.SeedSequence):
        sequences = seed.spawn(runs)
    else:
        sequences = np.random.SeedSequence(_checked_seed(seed)).spawn(runs)
    return [np.random.Generator(np.random.PCG64(sequence)) for sequence in sequences]


def _checked_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, a SeedSequence or a Generator, got {seed!r}")
    return int(seed)


def _generator(seed: SeedLike) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.Generator(np.random.PCG64(seed))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(_checked_seed(seed))))


def run(params: MarchParams, seed: SeedLike) -> MarchResult:
    """Simulate one run; the same seed (int, SeedSequence or Generator state) gives the same result.

    References
    ----------
    March (1991); Rodan (2005) for the steps the published paper leaves out.
    """
    return simulate_batch(params, [_generator(seed)])[0]


def run_many(params: MarchParams, runs: int, seed: SeedLike, workers: int = 1) -> list[MarchResult]:
    """Simulate ``runs`` independent runs (March used 80) with streams spawned from ``seed``.

    ``workers > 1`` spreads the runs over a process pool; results are identical for any worker count.
    """
    if isinstance(runs, bool) or int(runs) != runs or runs < 1:
        raise ValueError(f"runs must be an integer >= 1, got {runs!r}")
    if isinstance(workers, bool) or int(workers) != workers or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    if workers == 1:
        return simulate_batch(params, generators_for(seed, int(runs)))
    from practica.simulation.sweeps import run_points

    return run_points([params], int(runs), seed, workers=int(workers))[0]


def _individual_p1(params: MarchParams) -> npt.NDArray[np.float64]:
    if params.groups is None:
        return np.full(params.n, params.p1)
    return np.concatenate([np.full(count, p1) for count, p1 in params.groups])


def _best_and_worst_scores(
    beliefs: npt.NDArray[np.int8], reality: npt.NDArray[np.int8], bundle_size: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Highest and lowest performance coin flips could give each individual (runs, n)."""
    truth = reality[:, None, :]
    lucky = np.where(beliefs == 0, truth, beliefs)
    unlucky = np.where(beliefs == 0, -truth, beliefs)
    return (
        extensions.bundle_score(lucky, truth, bundle_size),
        extensions.bundle_score(unlucky, truth, bundle_size),
    )


class _Layout:
    """Offsets of each step's uniforms inside the block a run draws per period."""

    def __init__(self, params: MarchParams, peer: bool) -> None:
        n, m = params.n, params.m
        self.size = 0
        self.turnover = self._take(n + n * m) if params.p3 > 0 else None
        self.turbulence = self._take(m) if params.p4 > 0 else None
        self.coins = self._take(n * m)
        self.peer = self._take(n * m) if peer else None
        self.socialise = self._take(n * m) if params.code else None
        self.code = self._take(m) if params.code else None

    def _take(self, count: int) -> slice:
        block = slice(self.size, self.size + count)
        self.size += count
        return block


def simulate_batch(params: MarchParams, generators: Sequence[np.random.Generator]) -> list[MarchResult]:
    """Simulate one run per generator, all together as (runs, n, m) arrays.

    Each run consumes its own generator exactly as it would alone: initial reality, beliefs and (with
    communities) its network, then one block of uniforms per period it is still running.

    References
    ----------
    March (1991), pp. 74-75; Rodan (2005) for the original program's order of steps.
    """
    n, m, s = params.n, params.m, params.bundle_size
    runs = len(generators)
    peer = params.communities > 0
    select_on = extensions.resolve_select_on(params.select_on, params.kappa)
    layout = _Layout(params, peer)
    p1_individual = _individual_p1(params)
    p2_by_margin = 1.0 - (1.0 - params.p2) ** np.arange(n + 1)

    reality = np.empty((runs, m), dtype=np.int8)
    beliefs = np.empty((runs, n, m), dtype=np.int8)
    adjacency = np.zeros((runs, n, n), dtype=bool) if peer else None
    for index, generator in enumerate(generators):
        reality[index] = np.where(generator.random(m) < 0.5, 1, -1)
        beliefs[index] = generator.integers(-1, 2, size=(n, m))
        if adjacency is not None:
            adjacency[index] = extensions.community_network(n, params.communities, params.beta, generator)
    code = np.zeros((runs, m), dtype=np.int8)

    active = np.arange(runs)
    active_generators = list(generators)
    uniforms = np.empty((runs, layout.size))
    results: list[MarchResult | None] = [None] * runs
    series: list[tuple[npt.NDArray[np.int_], npt.NDArray[np.float64]]] = []
    horizon = params.max_periods if params.stops_at_equilibrium else params.periods

    def finish(rows: npt.NDArray[np.bool_], period: int, hit_cap: bool) -> None:
        measures = _measures(params, reality[rows], code[rows], beliefs[rows])
        for row, run_index in enumerate(active[rows]):
            results[run_index] = _result(params, measures, row, period, hit_cap, series, run_index)

    for period in range(1, horizon + 1):
        batch = active.size
        block = uniforms[:batch]
        for row, generator in enumerate(active_generators):
            generator.random(out=block[row])

        if layout.turnover is not None:
            draws = block[:, layout.turnover]
            leaves = draws[:, :n] < params.p3
            newcomers = (np.floor(draws[:, n:] * 3.0) - 1.0).astype(np.int8).reshape(batch, n, m)
            beliefs = np.where(leaves[:, :, None], newcomers, beliefs)
        if layout.turbulence is not None:
            flips = block[:, layout.turbulence] < params.p4
            reality = np.where(flips, -reality, reality).astype(np.int8)

        coins = np.where(block[:, layout.coins] < 0.5, 1, -1).astype(np.int8).reshape(batch, n, m)
        actions = np.where(beliefs != 0, beliefs, coins)
        if s == 1:
            # Actions are never 0, so sum(action * r) = right - wrong = 2 * right - m.
            performance = 2 * (actions == reality[:, None, :]).sum(-1, dtype=np.int64) - m
        else:
            performance = extensions.bundle_score(actions, reality[:, None, :], s)
        bonus = extensions.overconfidence_bonus(beliefs, reality, params.kappa) if params.kappa > 0 else None

        if adjacency is not None and layout.peer is not None:
            peer_draws = block[:, layout.peer].reshape(batch, n, m)
            beliefs = extensions.peer_learning(beliefs, adjacency, performance, params.p_peer, peer_draws)

        if layout.socialise is not None and layout.code is not None:
            code_score = extensions.bundle_score(code, reality, s)
            p1_now = np.broadcast_to(p1_individual, (batch, n))
            if bonus is not None and params.rho > 0:
                p1_now = np.where(bonus > params.threshold, p1_now * (1.0 - params.rho), p1_now)
            socialise = (
                (code != 0)[:, None, :]
                & (beliefs != code[:, None, :])
                & (block[:, layout.socialise].reshape(batch, n, m) < p1_now[:, :, None])
            )
            beliefs = beliefs + (socialise * code[:, None, :]).astype(np.int8)

            judged = performance if bonus is None or select_on == "evidence" else performance + bonus
            superior = judged > code_score[:, None]
            margin = (actions * superior[:, :, None]).sum(1, dtype=np.int32)
            majority = np.sign(margin).astype(np.int8)
            learns = (
                (majority != 0) & (majority != code) & (block[:, layout.code] < p2_by_margin[np.abs(margin)])
            )
            code = np.where(learns, majority, code)

        if params.record_series:
            measures = _measures(params, reality, code, beliefs)
            series.append((active.copy(), measures[:3]))

        if not params.stops_at_equilibrium:
            continue
        done = _at_equilibrium(params, reality, code, beliefs, adjacency)
        if done.any():
            finish(done, period, hit_cap=False)
            keep = ~done
            active = active[keep]
            active_generators = [gen for gen, kept in zip(active_generators, keep, strict=True) if kept]
            reality, code, beliefs = reality[keep], code[keep], beliefs[keep]
            if adjacency is not None:
                adjacency = adjacency[keep]
            if active.size == 0:
                break

    if active.size:
        finish(np.ones(active.size, dtype=bool), horizon, hit_cap=params.stops_at_equilibrium)
    return [result for result in results if result is not None]


def _at_equilibrium(
    params: MarchParams,
    reality: npt.NDArray[np.int8],
    code: npt.NDArray[np.int8],
    beliefs: npt.NDArray[np.int8],
    adjacency: npt.NDArray[np.bool_] | None,
) -> npt.NDArray[np.bool_]:
    """Runs (p3 = p4 = 0) that can no longer change.

    With the code: (a) no individual could beat the code even with lucky coin flips, and (b) every
    belief equals the code (March, 1991; Rodan, 2005). Without the code (extension A): no neighbour
    who could possibly outperform a person holds a non-zero belief that person does not share.
    """
    if params.code:
        done = (beliefs == code[:, None, :]).all(axis=(1, 2))
        candidates = np.flatnonzero(done)
        if candidates.size:
            best, _ = _best_and_worst_scores(beliefs[candidates], reality[candidates], params.bundle_size)
            code_score = extensions.bundle_score(code[candidates], reality[candidates], params.bundle_size)
            done[candidates] = (best <= code_score[:, None]).all(axis=1)
        return done
    assert adjacency is not None
    best, worst = _best_and_worst_scores(beliefs, reality, params.bundle_size)
    could_teach = adjacency & (best[:, None, :] > worst[:, :, None])
    differs = np.zeros_like(could_teach)
    for value in (1, -1):
        held = (beliefs == value).astype(np.float32)
        lacking = (beliefs != value).astype(np.float32)
        differs |= (lacking @ held.transpose(0, 2, 1)) > 0
    return np.asarray(~(could_teach & differs).any(axis=(1, 2)), dtype=bool)


def _measures(
    params: MarchParams,
    reality: npt.NDArray[np.int8],
    code: npt.NDArray[np.int8],
    beliefs: npt.NDArray[np.int8],
) -> npt.NDArray[np.float64]:
    """Rows: code_score, code_knowledge, individual_knowledge, individual_score; columns: runs."""
    m, s = params.m, params.bundle_size
    truth = reality[:, None, :]
    individual_knowledge = extensions.bundle_knowledge(beliefs, truth, s)
    individual_score = extensions.bundle_score(beliefs, truth, s) / m
    if params.code:
        code_score = extensions.bundle_score(code, reality, s) / m
        code_knowledge = extensions.bundle_knowledge(code, reality, s)
    else:
        code_score = individual_score.mean(1)
        code_knowledge = individual_knowledge.mean(1)
    rows = [code_score, code_knowledge, individual_knowledge.mean(1), individual_score.mean(1)]
    if params.groups is not None:
        start = 0
        for count, _ in params.groups:
            rows.append(individual_knowledge[:, start : start + count].mean(1))
            rows.append(individual_score[:, start : start + count].mean(1))
            start += count
    return np.vstack(rows).astype(np.float64)


def _result(
    params: MarchParams,
    measures: npt.NDArray[np.float64],
    row: int,
    period: int,
    hit_cap: bool,
    series: list[tuple[npt.NDArray[np.int_], npt.NDArray[np.float64]]],
    run_index: int,
) -> MarchResult:
    groups = None
    if params.groups is not None:
        groups = tuple(
            GroupMeasures(
                count=count,
                p1=p1,
                individual_knowledge=float(measures[4 + 2 * position, row]),
                individual_score=float(measures[5 + 2 * position, row]),
            )
            for position, (count, p1) in enumerate(params.groups)
        )
    run_series = None
    if params.record_series:
        values = np.array(
            [columns[:, np.flatnonzero(ids == run_index)[0]] for ids, columns in series[:period]]
        )
        run_series = MarchSeries(
            code_score=values[:, 0], code_knowledge=values[:, 1], individual_knowledge=values[:, 2]
        )
    return MarchResult(
        code_score=float(measures[0, row]),
        code_knowledge=float(measures[1, row]),
        individual_knowledge=float(measures[2, row]),
        individual_score=float(measures[3, row]),
        periods=period,
        hit_cap=hit_cap,
        series=run_series,
        groups=groups,
    )
