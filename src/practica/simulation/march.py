"""March's (1991) mutual-learning model of exploration and exploitation, with optional extensions.

The core follows the "original algorithm" that public replications use to reproduce March's
Figure 1 (Rodan, 2005; Christensen, 2015): one-step socialisation toward the code, and a code that
learns from the step-3 *actions* of the strictly superior group with probability 1 - (1 - p2)^k, where k
is the majority margin. See docs/simulation.md for the rules, their sources and the numbers we get.

All runs of one parameter point are simulated together as a (runs, n, m) array, and with
``simulate_points`` the runs of several plain March points with different p1 and p2 share one batch
(each run with its own parameters). Each run draws from its own numpy Generator, in the same order
whether it is simulated alone or with others, so results never depend on batching or on how runs are
spread over worker processes. Runs that have stopped are removed from the batch while the others
continue.

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
import functools
import math
import os
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


# Periods whose random numbers a run draws in one call. Any value gives the same results: a run's
# numbers for period t sit at the same place in its stream however they are fetched, and numbers
# drawn for periods after a run has stopped are never used.
_CHUNK = 8
_TWO32 = 2**32
_ALL_BITS = np.uint32(0xFFFFFFFF)


def _words(m: int) -> int:
    """32-bit words that hold one bit per dimension."""
    return -(-m // 32)


def _numbers(generator: np.random.Generator, count: int) -> npt.NDArray[np.uint32]:
    """The next ``count`` (even) 32-bit numbers of a run's stream.

    They are the low then the high half of the next ``count / 2`` raw 64-bit outputs of the run's bit
    generator (the most stable stream numpy offers), the same on any machine.
    """
    raw = generator.bit_generator.random_raw(count // 2)
    return np.asarray(raw.astype("<u8", copy=False).view("<u4"), dtype=np.uint32)


def _uniform(numbers: npt.NDArray[np.uint32]) -> npt.NDArray[np.float64]:
    """Uniforms in [0, 1): number / 2**32 (exact in float64)."""
    return np.multiply(numbers, 2.0**-32, dtype=np.float64)


def _threshold(probability: float) -> int:
    """Integer T such that a 32-bit number u has u < T exactly when u / 2**32 < probability."""
    return math.ceil(probability * _TWO32)


def _pack(bits: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint32]:
    """Bits (..., m) into 32-bit words (..., ceil(m/32)): dimension j is bit j % 32 of word j // 32."""
    m = bits.shape[-1]
    if m % 32:
        padded = np.zeros((*bits.shape[:-1], 32 * _words(m)), dtype=bool)
        padded[..., :m] = bits
        bits = padded
    return _pack_padded(bits)


def _pack_padded(bits: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint32]:
    """``_pack`` for bits whose last axis is a multiple of 32 (packing the flat array is fastest)."""
    packed = np.packbits(np.ascontiguousarray(bits).reshape(-1), bitorder="little").view("<u4")
    return np.asarray(packed, dtype=np.uint32).reshape(*bits.shape[:-1], bits.shape[-1] // 32)


# Counting the superior group's +1 votes per dimension without unpacking bits: a 32-bit word x becomes
# y = x | x << 28 (64 bits), and (y >> k) & 0x0101...01, k = 0..3, holds bits 8i + k (byte i < 4) and
# 8(i - 4) + k + 4 (byte i >= 4) in its 8 byte lanes, which sum over up to 255 people without carrying.
_LANE_BITS = np.array([8 * i + k if i < 4 else 8 * (i - 4) + k + 4 for k in range(4) for i in range(8)])
_LANE_ORDER = np.argsort(_LANE_BITS)
_BYTE_LOW_BITS = np.uint64(0x0101010101010101)
_BYTE_SHIFTS = (8 * np.arange(8)).astype(np.uint64)


def _plus_votes(voters: npt.NDArray[np.uint32], m: int) -> npt.NDArray[np.int64]:
    """Number of set bits per dimension, summed over people: (runs, n, words) -> (runs, m)."""
    runs, people, words = voters.shape
    if people > 255:
        return _unpack(voters, m).sum(1, dtype=np.int64)
    wide = voters.transpose(1, 0, 2).astype(np.uint64)  # people first: summing whole rows is fastest
    wide |= wide << np.uint64(28)
    sums = np.empty((runs, words, 4), dtype=np.uint64)
    for shift in range(4):
        sums[..., shift] = np.add.reduce((wide >> np.uint64(shift)) & _BYTE_LOW_BITS, axis=0)
    lanes = (sums[..., None] >> _BYTE_SHIFTS) & np.uint64(0xFF)  # (runs, words, 4, 8)
    counts = lanes.reshape(runs, words, 32)[..., _LANE_ORDER]
    return counts.reshape(runs, 32 * words)[:, :m].astype(np.int64)


def _unpack(words: npt.NDArray[np.uint32], m: int) -> npt.NDArray[np.bool_]:
    """Inverse of ``_pack``: (..., ceil(m/32)) words into (..., m) bits."""
    as_bytes = np.ascontiguousarray(words, dtype="<u4").view(np.uint8)
    return np.unpackbits(as_bytes, axis=-1, count=m, bitorder="little").astype(bool)


class _Layout:
    """Where each step's 32-bit numbers sit in the block a run draws per period.

    Turnover (n leave/stay, then n*m newcomer beliefs), turbulence (m), coins (n words of ceil(m/32)
    numbers; bit j % 32 of person i's word j // 32 is their coin on dimension j, 1 meaning +1), peer
    learning (n*m), socialisation (n*m), code learning (m); padded to an even count, so every period
    uses whole 64-bit outputs.
    """

    def __init__(self, params: MarchParams, peer: bool) -> None:
        n, m = params.n, params.m
        self.size = 0
        self.turnover = self._take(n + n * m) if params.p3 > 0 else None
        self.turbulence = self._take(m) if params.p4 > 0 else None
        self.coins = self._take(n * _words(m))
        self.peer = self._take(n * m) if peer else None
        self.socialise = self._take(n * m) if params.code else None
        self.code = self._take(m) if params.code else None
        self.size += self.size % 2

    def _take(self, count: int) -> slice:
        block = slice(self.size, self.size + count)
        self.size += count
        return block


def _draw_chunk(
    generators: Sequence[np.random.Generator], periods: int, size: int, buffer: npt.NDArray[np.uint32]
) -> npt.NDArray[np.uint32]:
    """(runs, periods, size) numbers in ``buffer``: one call per run for the next ``periods`` periods.

    Reusing one buffer for every chunk spares the page faults of fresh multi-megabyte arrays.
    """
    count = periods * size
    for row, generator in enumerate(generators):
        buffer[row, :count] = _numbers(generator, count)
    return buffer[: len(generators), :count].reshape(len(generators), periods, size)


def _initial_state(
    params: MarchParams, generators: Sequence[np.random.Generator]
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]]:
    """Reality (runs, m) and beliefs (runs, n, m) from each run's first m + n*m numbers.

    Reality is +1 where the number is below 2**31; a belief is floor(3 * number / 2**32) - 1.
    """
    n, m = params.n, params.m
    count = m + n * m + (m + n * m) % 2
    numbers = np.stack([_numbers(generator, count) for generator in generators])
    reality = np.where(numbers[:, :m] < np.uint32(2**31), 1, -1).astype(np.int8)
    thirds = (numbers[:, m : m + n * m].astype(np.uint64) * np.uint64(3)) >> np.uint64(32)
    beliefs = (thirds.astype(np.int8) - 1).reshape(len(generators), n, m)
    return reality, beliefs


def _uses_core_kernel(params: MarchParams) -> bool:
    return (
        params.communities == 0
        and params.bundle_size == 1
        and params.kappa == 0.0
        and params.stops_at_equilibrium
    )


def core_batch_key(params: MarchParams) -> tuple[Any, ...] | None:
    """Points with equal keys can share one bit-packed batch (their p1, p2 and groups' p1 may differ).

    None for points the general kernel simulates (extensions, turnover, turbulence).
    """
    if not _uses_core_kernel(params):
        return None
    counts = None if params.groups is None else tuple(count for count, _ in params.groups)
    return (params.m, params.n, params.max_periods, params.record_series, counts)


# Most runs the bit-packed kernel simulates in one batch, and the most memory its per-chunk buffers
# may take. Larger batches share the fixed cost of each period's numpy calls among more runs; beyond
# about a thousand runs (m = 30, n = 50) that cost is negligible and the arrays stop fitting in the
# caches. Any values give the same results.
_MAX_BATCH = 1024
_MAX_BATCH_BYTES = 64 * 2**20


def core_batch_size(params: MarchParams) -> int:
    """Runs per bit-packed batch: at most ``_MAX_BATCH``, and buffers within ``_MAX_BATCH_BYTES``."""
    words = _words(params.m)
    per_run = _CHUNK * (params.n * 32 * words + 4 * (params.n * words + params.m))
    return max(1, min(_MAX_BATCH, _MAX_BATCH_BYTES // per_run))


def simulate_batch(params: MarchParams, generators: Sequence[np.random.Generator]) -> list[MarchResult]:
    """Simulate one run per generator, all together as (runs, n, m) arrays.

    Each run consumes its own generator exactly as it would alone: initial reality and beliefs, with
    communities its network, then one block of 32-bit numbers per period (see ``_Layout``), fetched
    ``_CHUNK`` periods at a time. Plain March runs (with or without mixed learners) use a bit-packed
    kernel; the extensions and turnover/turbulence use the general one. Both read the same numbers the
    same way, so they give identical results where both apply.

    References
    ----------
    March (1991), pp. 74-75; Rodan (2005) for the original program's order of steps.
    """
    return simulate_points([(params, generators)])[0]


def simulate_points(
    points: Sequence[tuple[MarchParams, Sequence[np.random.Generator]]],
) -> list[list[MarchResult]]:
    """``simulate_batch`` for several points at once: one list of results per (params, generators).

    Plain March points that differ only in p1, p2 and their groups' p1 (same m, n, ``max_periods``,
    ``record_series`` and group sizes) are simulated together by the bit-packed kernel, each run with
    its own parameters, in batches of at most ``core_batch_size`` runs; other points run one by one. Each
    run still reads only its own generator, the same way, so the results are exactly those of
    ``simulate_batch(params, generators)`` point by point. Every generator must belong to one run only.
    """
    prepared = [(params, list(generators)) for params, generators in points]
    for _, generators in prepared:
        for generator in generators:
            if isinstance(generator.bit_generator, np.random.MT19937):
                raise ValueError("seed: a Generator needs a 64-bit bit generator (e.g. PCG64), not MT19937")
    results: list[list[MarchResult | None]] = [[None] * len(generators) for _, generators in prepared]
    families: dict[tuple[Any, ...], list[tuple[int, int]]] = {}
    for index, (params, generators) in enumerate(prepared):
        key = core_batch_key(params)
        if key is not None:
            families.setdefault(key, []).extend((index, run_index) for run_index in range(len(generators)))
        elif generators:
            results[index] = list(_simulate_general(params, generators, *_initial_state(params, generators)))
    for members in families.values():
        size = math.ceil(len(members) / math.ceil(len(members) / core_batch_size(prepared[members[0][0]][0])))
        for start in range(0, len(members), size):
            part = members[start : start + size]
            run_params = [prepared[index][0] for index, _ in part]
            generators = [prepared[index][1][run_index] for index, run_index in part]
            outcome = _simulate_core(run_params, generators, *_initial_state(run_params[0], generators))
            for (index, run_index), result in zip(part, outcome, strict=True):
                results[index][run_index] = result
    return [[result for result in point if result is not None] for point in results]


def _socialisation_limits(
    run_params: Sequence[MarchParams],
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.bool_] | None]:
    """Per run (and person, with groups) the largest 32-bit number that still means "socialise".

    ``u <= limit`` is exactly ``u < _threshold(p1)`` where p1 > 0; the mask (None when no p1 is 0)
    marks where p1 = 0, which no number can satisfy. Shape (runs, 1), or (runs, n) with groups.
    """
    by_params: dict[MarchParams, list[int]] = {}
    rows = []
    for params in run_params:
        if params not in by_params:
            by_params[params] = [_threshold(p) for p in _individual_p1(params)]
        rows.append(by_params[params] if params.groups is not None else by_params[params][:1])
    thresholds = np.array(rows, dtype=np.int64)
    limits = np.clip(thresholds - 1, 0, _TWO32 - 1).astype(np.uint32)
    never = thresholds == 0
    return limits, never if never.any() else None


def _code_learning_thresholds(
    run_params: Sequence[MarchParams], n: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64] | None]:
    """Thresholds of 1 - (1 - p2)^k, k = 0..n, for each distinct p2, one after another, and each run's
    offset into them (runs, 1), or None when all runs share one p2."""
    tables: dict[float, int] = {}
    for params in run_params:
        tables.setdefault(params.p2, len(tables))
    flat = np.array(
        [_threshold(p) for p2 in tables for p in 1.0 - (1.0 - p2) ** np.arange(n + 1)], dtype=np.int64
    )
    if len(tables) == 1:
        return flat, None
    offsets = np.array([(n + 1) * tables[params.p2] for params in run_params], dtype=np.int64)
    return flat, offsets[:, None]


def _simulate_core(
    params: MarchParams | Sequence[MarchParams],
    generators: list[np.random.Generator],
    reality: npt.NDArray[np.int8],
    beliefs_start: npt.NDArray[np.int8],
) -> list[MarchResult]:
    """March's core rules (p3 = p4 = 0) on bit-packed beliefs: one 32-bit word per 32 dimensions.

    A belief is two bits: ``known`` (non-zero) and ``plus`` (+1 where known). Actions, performance,
    socialisation and the equilibrium test are a few word operations per person; the superior group's
    votes are counted in 8-bit lanes (16 or 32 when n > 255). ``params`` is one MarchParams for all
    runs or one per run; per-run parameters must share the ``core_batch_key`` (p1, p2 and the
    groups' p1 may differ).
    """
    runs = len(generators)
    run_params = [params] * runs if isinstance(params, MarchParams) else list(params)
    first = run_params[0]
    if any(core_batch_key(other) != core_batch_key(first) for other in run_params):
        raise ValueError("runs batched together need the same m, n, max_periods, record_series and groups")
    kernel = None if first.record_series else compiled_kernel()
    if kernel is not None and all(type(gen.bit_generator) is np.random.PCG64 for gen in generators):
        return _simulate_core_compiled(kernel, run_params, generators, reality, beliefs_start)
    n, m = first.n, first.m
    words = _words(m)
    layout = _Layout(first, peer=False)
    assert layout.socialise is not None and layout.code is not None
    valid = _pack(np.ones(m, dtype=bool))
    known = _pack(beliefs_start != 0)
    plus = _pack(beliefs_start > 0)
    truth = _pack(reality > 0)[:, None, :]
    code = np.zeros((runs, m), dtype=np.int8)
    code_known = np.zeros((runs, 1, words), dtype=np.uint32)
    code_plus = np.zeros((runs, 1, words), dtype=np.uint32)
    code_score = np.zeros(runs, dtype=np.int64)
    socialise_limits, never_socialise = _socialisation_limits(run_params)
    code_thresholds, code_offsets = _code_learning_thresholds(run_params, n)

    active = np.arange(runs)
    results: list[MarchResult | None] = [None] * runs
    series: list[tuple[npt.NDArray[np.int_], npt.NDArray[np.float64]]] = []
    horizon = first.max_periods

    def beliefs_now() -> npt.NDArray[np.int8]:
        values = np.where(_unpack(plus, m), 1, -1).astype(np.int8)
        return np.where(_unpack(known, m), values, np.int8(0))

    def finish(rows: npt.NDArray[np.bool_], period: int, hit_cap: bool) -> None:
        if first.groups is None:
            measures = _core_measures(first, reality[rows], code[rows], known[rows], plus[rows], truth[rows])
        else:
            values = np.where(_unpack(plus[rows], m), 1, -1).astype(np.int8)
            measures = _measures(
                first, reality[rows], code[rows], np.where(_unpack(known[rows], m), values, 0)
            )
        for row, run_index in enumerate(active[rows]):
            results[run_index] = _result(
                run_params[run_index], measures, row, period, hit_cap, series, run_index
            )

    # Per run and period: the coin words, then the code-learning numbers (the socialisation numbers
    # are turned into bits as soon as they are drawn, while they are still in the cache).
    coin_count = n * words
    side_buffer = np.empty((runs, _CHUNK, coin_count + m), dtype=np.uint32)
    bits_buffer = np.zeros((runs, _CHUNK, n, 32 * words), dtype=bool)
    period = 0
    while period < horizon and active.size:
        periods = min(_CHUNK, horizon - period)
        batch = active.size
        chunk = side_buffer[:batch, :periods]
        socialise_bits = bits_buffer[:batch, :periods]
        for row, run_index in enumerate(active):
            numbers = _numbers(generators[run_index], periods * layout.size).reshape(periods, layout.size)
            chunk[row, :, :coin_count] = numbers[:, layout.coins]
            chunk[row, :, coin_count:] = numbers[:, layout.code]
            # u < threshold(p1) of the run (and person), i.e. u <= limit, except where p1 = 0.
            np.less_equal(
                numbers[:, layout.socialise].reshape(periods, n, m),
                socialise_limits[run_index][:, None],
                out=socialise_bits[row, :, :, :m],
            )
        if never_socialise is not None:
            socialise_bits[..., :m] &= ~never_socialise[active][:, None, :, None]
        socialise_chunk = _pack_padded(socialise_bits)
        rows: npt.NDArray[np.int_] | None = None  # rows of the chunk still running, once some stopped
        for step in range(periods):
            period += 1
            batch = active.size
            block = chunk[:, step] if rows is None else chunk[rows, step]
            socialise_step = socialise_chunk[:, step] if rows is None else socialise_chunk[rows, step]
            coins = block[:, :coin_count].reshape(batch, n, words)
            # Step 3: action = belief where known, else the coin; count wrong dimensions.
            actions = coins ^ ((coins ^ plus) & known)
            wrong = np.bitwise_count((actions ^ truth) & valid)
            wrong_count = wrong[..., 0] if words == 1 else wrong.sum(-1, dtype=np.int32)
            # performance = m - 2 * wrong > code score
            superior = 2 * wrong_count.astype(np.int32) < (m - code_score)[:, None]
            voters = np.asarray(
                actions & np.where(superior, _ALL_BITS, np.uint32(0))[:, :, None], dtype=np.uint32
            )
            margin = 2 * _plus_votes(voters, m) - superior.sum(1)[:, None]
            # Step 4: one step toward the code where it is known and the belief differs.
            differs = plus ^ code_plus
            moves = code_known & (~known | differs) & socialise_step
            known ^= moves
            plus ^= differs & moves
            # Step 5: the code takes the superior group's majority with probability 1 - (1 - p2)^k.
            majority = np.sign(margin).astype(np.int8)
            strength = np.abs(margin)
            if code_offsets is not None:
                strength += code_offsets
            learns = (
                (majority != 0) & (majority != code) & (block[:, coin_count:] < code_thresholds[strength])
            )
            if learns.any():
                code = np.where(learns, majority, code)
                code_known = _pack(code != 0)[:, None, :]
                code_plus = _pack(code > 0)[:, None, :]
                code_score = (code * reality).sum(-1, dtype=np.int64)

            if first.record_series:
                series.append((active.copy(), _measures(first, reality, code, beliefs_now())[:3]))

            # Stop when every belief equals the code and the code has no 0 (then nobody can beat it).
            done = (code != 0).all(-1)
            candidates = np.flatnonzero(done)
            if candidates.size:
                mismatch = (~known[candidates] | (plus[candidates] ^ code_plus[candidates])) & valid
                done[candidates] = ~mismatch.any(axis=(1, 2))
                if done.any():
                    finish(done, period, hit_cap=False)
                    keep = ~done
                    active = active[keep]
                    reality, code, code_score = reality[keep], code[keep], code_score[keep]
                    known, plus, truth = known[keep], plus[keep], truth[keep]
                    code_known, code_plus = code_known[keep], code_plus[keep]
                    if code_offsets is not None:
                        code_offsets = code_offsets[keep]
                    rows = np.flatnonzero(keep) if rows is None else rows[keep]
                    if active.size == 0:
                        break

    if active.size:
        finish(np.ones(active.size, dtype=bool), horizon, hit_cap=True)
    return [result for result in results if result is not None]


_compiled: dict[str, Any] = {}


def compiled_kernel() -> Any:
    """The numba-compiled plain-March kernel (``practica.simulation.compiled.core_runs``), or None.

    None when numba cannot be imported or the environment sets ``PRACTICA_NO_NUMBA=1``; the numpy
    kernel then runs, with identical results. The variable is read on every call, numba imported once.
    """
    if os.environ.get("PRACTICA_NO_NUMBA", "").strip() not in ("", "0"):
        return None
    if "kernel" not in _compiled:
        try:
            from practica.simulation import compiled
        except ImportError:  # numba is optional
            _compiled["kernel"] = None
        else:
            _compiled["kernel"] = compiled.core_runs
    return _compiled["kernel"]


# numpy's PCG64: state' = state * _PCG_MULTIPLIER + inc (mod 2**128), then the output of state'.
_PCG_MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645
_MOD128 = 2**128
_MASK64 = 2**64 - 1


def _pcg_jump(steps: int) -> tuple[int, int]:
    """(A, S) with state after ``steps`` outputs = A * state + S * inc (mod 2**128)."""
    jump_a, jump_s, power_a, power_s = 1, 0, _PCG_MULTIPLIER, 1
    while steps:
        if steps & 1:
            jump_a, jump_s = jump_a * power_a % _MOD128, (jump_s * power_a + power_s) % _MOD128
        power_a, power_s = power_a * power_a % _MOD128, (power_s * power_a + power_s) % _MOD128
        steps >>= 1
    return jump_a, jump_s


@functools.lru_cache(maxsize=8)
def _pcg_jump_table(longest: int) -> npt.NDArray[np.uint64]:
    """(longest + 1, 4) uint64: row d = (A_d high, A_d low, S_d high, S_d low) of ``_pcg_jump(d)``."""
    table = np.zeros((longest + 1, 4), dtype=np.uint64)
    jump_a, jump_s = 1, 0
    for steps in range(longest + 1):
        table[steps] = (jump_a >> 64, jump_a & _MASK64, jump_s >> 64, jump_s & _MASK64)
        jump_a, jump_s = jump_a * _PCG_MULTIPLIER % _MOD128, (jump_s * _PCG_MULTIPLIER + 1) % _MOD128
    table.setflags(write=False)
    return table


def _simulate_core_compiled(
    kernel: Any,
    run_params: Sequence[MarchParams],
    generators: list[np.random.Generator],
    reality: npt.NDArray[np.int8],
    beliefs_start: npt.NDArray[np.int8],
) -> list[MarchResult]:
    """``_simulate_core`` (without ``record_series``, PCG64 generators) by the compiled kernel.

    The kernel computes each run's numbers from its PCG64 state, reading the ones the rules need at the
    places the numpy kernel reads them. Afterwards every generator is left exactly where the numpy
    kernel leaves it: past the whole ``_CHUNK``-period chunks it would have drawn.
    """
    first = run_params[0]
    runs, n, m = len(generators), first.n, first.m
    layout = _Layout(first, peer=False)
    assert layout.socialise is not None and layout.code is not None
    states = [generator.bit_generator.state for generator in generators]
    streams = np.zeros((runs, 6), dtype=np.uint64)
    for row, state in enumerate(states):
        value, inc = state["state"]["state"], state["state"]["inc"]
        streams[row, :4] = (value >> 64, value & _MASK64, inc >> 64, inc & _MASK64)
    known = _pack(beliefs_start != 0).astype(np.int64)
    plus = _pack(beliefs_start > 0).astype(np.int64)
    truth = _pack(reality > 0).astype(np.int64)
    valid = _pack(np.ones(m, dtype=bool)).astype(np.int64)
    code = np.zeros((runs, m), dtype=np.int8)
    code_known = np.zeros((runs, _words(m)), dtype=np.int64)
    code_plus = np.zeros((runs, _words(m)), dtype=np.int64)
    code_score = np.zeros(runs, dtype=np.int64)
    limits, never_socialise = _socialisation_limits(run_params)
    never = np.zeros(limits.shape, dtype=bool) if never_socialise is None else never_socialise
    thresholds, code_offsets = _code_learning_thresholds(run_params, n)
    offsets = np.zeros(runs, dtype=np.int64) if code_offsets is None else code_offsets[:, 0].copy()
    finished = np.zeros(runs, dtype=np.int64)
    horizon = first.max_periods
    kernel(
        streams, _pcg_jump_table(layout.size // 2), horizon, layout.size, layout.socialise.start,
        layout.code.start, n, m, known, plus, truth, valid, reality, code, code_known, code_plus,
        code_score, limits.astype(np.int64), never, thresholds, offsets, finished,
    )  # fmt: skip
    hit_cap = finished == 0
    finished[hit_cap] = horizon
    for generator, state, stop in zip(generators, states, finished.tolist(), strict=True):
        drawn = min(-(-stop // _CHUNK) * _CHUNK, horizon) * (layout.size // 2)
        jump_a, jump_s = _pcg_jump(drawn)
        inner = state["state"]
        value = (jump_a * inner["state"] + jump_s * inner["inc"]) % _MOD128
        generator.bit_generator.state = {**state, "state": {"state": value, "inc": inner["inc"]}}
    words_known = known.astype(np.uint32)
    words_plus = plus.astype(np.uint32)
    if first.groups is None:
        truth_words = truth.astype(np.uint32)[:, None, :]
        measures = _core_measures(first, reality, code, words_known, words_plus, truth_words)
    else:
        values = np.where(_unpack(words_plus, m), 1, -1).astype(np.int8)
        measures = _measures(first, reality, code, np.where(_unpack(words_known, m), values, np.int8(0)))
    return [
        _result(run_params[row], measures, row, int(finished[row]), bool(hit_cap[row]), [], row)
        for row in range(runs)
    ]


def _core_measures(
    params: MarchParams,
    reality: npt.NDArray[np.int8],
    code: npt.NDArray[np.int8],
    known: npt.NDArray[np.uint32],
    plus: npt.NDArray[np.uint32],
    truth: npt.NDArray[np.uint32],
) -> npt.NDArray[np.float64]:
    """``_measures`` (without groups) from bit-packed beliefs, with the same floating-point steps."""
    m = params.m
    matches = ~(plus ^ truth)
    right = np.bitwise_count(known & matches).sum(-1, dtype=np.int64)
    wrong = np.bitwise_count(known & ~matches & _pack(np.ones(m, dtype=bool))).sum(-1, dtype=np.int64)
    rows = [
        (code.astype(np.int64) * reality).sum(-1) / m,
        (code == reality).mean(-1),
        (right / m).mean(1),
        ((right - wrong) / m).mean(1),
    ]
    return np.vstack(rows).astype(np.float64)


def _simulate_general(
    params: MarchParams,
    generators: list[np.random.Generator],
    reality: npt.NDArray[np.int8],
    beliefs: npt.NDArray[np.int8],
) -> list[MarchResult]:
    """All rules and extensions on (runs, n, m) int8 arrays, reading the numbers as ``_Layout`` says."""
    n, m, s = params.n, params.m, params.bundle_size
    runs = len(generators)
    peer = params.communities > 0
    select_on = extensions.resolve_select_on(params.select_on, params.kappa)
    layout = _Layout(params, peer)
    p1_individual = _individual_p1(params)
    p2_by_margin = 1.0 - (1.0 - params.p2) ** np.arange(n + 1)
    words = _words(m)

    adjacency = None
    if peer:
        adjacency = np.stack(
            [extensions.community_network(n, params.communities, params.beta, gen) for gen in generators]
        )
    code = np.zeros((runs, m), dtype=np.int8)

    active = np.arange(runs)
    results: list[MarchResult | None] = [None] * runs
    series: list[tuple[npt.NDArray[np.int_], npt.NDArray[np.float64]]] = []
    horizon = params.max_periods if params.stops_at_equilibrium else params.periods

    def finish(rows: npt.NDArray[np.bool_], period: int, hit_cap: bool) -> None:
        measures = _measures(params, reality[rows], code[rows], beliefs[rows])
        for row, run_index in enumerate(active[rows]):
            results[run_index] = _result(params, measures, row, period, hit_cap, series, run_index)

    buffer = np.empty((runs, _CHUNK * layout.size), dtype=np.uint32)
    period = 0
    while period < horizon and active.size:
        periods = min(_CHUNK, horizon - period)
        chunk = _draw_chunk([generators[index] for index in active], periods, layout.size, buffer)
        rows: npt.NDArray[np.int_] | None = None  # rows of the chunk still running, once some stopped
        for step in range(periods):
            period += 1
            batch = active.size
            block = chunk[:, step] if rows is None else chunk[rows, step]

            if layout.turnover is not None:
                draws = block[:, layout.turnover]
                leaves = _uniform(draws[:, :n]) < params.p3
                thirds = (draws[:, n:].astype(np.uint64) * np.uint64(3)) >> np.uint64(32)
                newcomers = (thirds.astype(np.int8) - 1).reshape(batch, n, m)
                beliefs = np.where(leaves[:, :, None], newcomers, beliefs)
            if layout.turbulence is not None:
                flips = _uniform(block[:, layout.turbulence]) < params.p4
                reality = np.where(flips, -reality, reality).astype(np.int8)

            coin_bits = _unpack(block[:, layout.coins].reshape(batch, n, words), m)
            coins = np.where(coin_bits, 1, -1).astype(np.int8)
            actions = np.where(beliefs != 0, beliefs, coins)
            if s == 1:
                # Actions are never 0, so sum(action * r) = right - wrong = 2 * right - m.
                performance = 2 * (actions == reality[:, None, :]).sum(-1, dtype=np.int64) - m
            else:
                performance = extensions.bundle_score(actions, reality[:, None, :], s)
            bonus = (
                extensions.overconfidence_bonus(beliefs, reality, params.kappa) if params.kappa > 0 else None
            )

            if adjacency is not None and layout.peer is not None:
                peer_draws = _uniform(block[:, layout.peer]).reshape(batch, n, m)
                beliefs = extensions.peer_learning(beliefs, adjacency, performance, params.p_peer, peer_draws)

            if layout.socialise is not None and layout.code is not None:
                code_score = extensions.bundle_score(code, reality, s)
                p1_now = np.broadcast_to(p1_individual, (batch, n))
                if bonus is not None and params.rho > 0:
                    p1_now = np.where(bonus > params.threshold, p1_now * (1.0 - params.rho), p1_now)
                socialise = (
                    (code != 0)[:, None, :]
                    & (beliefs != code[:, None, :])
                    & (_uniform(block[:, layout.socialise]).reshape(batch, n, m) < p1_now[:, :, None])
                )
                beliefs = beliefs + (socialise * code[:, None, :]).astype(np.int8)

                judged = performance if bonus is None or select_on == "evidence" else performance + bonus
                superior = judged > code_score[:, None]
                margin = (actions * superior[:, :, None]).sum(1, dtype=np.int32)
                majority = np.sign(margin).astype(np.int8)
                learns = (
                    (majority != 0)
                    & (majority != code)
                    & (_uniform(block[:, layout.code]) < p2_by_margin[np.abs(margin)])
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
                rows = np.flatnonzero(keep) if rows is None else rows[keep]
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
