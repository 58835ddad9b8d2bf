"""Numba-compiled kernel for plain March runs (p3 = p4 = 0, no extension; mixed learners allowed).

It applies the bit-packed kernel's rules (``practica.simulation.march._simulate_core``) run by run,
person by person and word by word, to the 32-bit numbers that kernel draws, read at the same places,
so both give bit-for-bit identical results (tests/simulation/test_compiled.py). The numbers come from
each run's PCG64 state, computed here exactly as numpy's PCG64 does (128-bit LCG, XSL-RR output; the
128-bit arithmetic is done on pairs of uint64): output k of a stream is reached from the last output
read by one jump, state' = A_d * state + S_d * inc with A_d = M^d and S_d = 1 + M + ... + M^(d-1)
(mod 2^128), so numbers that no rule needs are skipped instead of generated. Beliefs are two 32-bit
words per person and 32 dimensions (``known``, ``plus``), held in int64 so that numba never mixes signed
and unsigned integers. Socialisation numbers are only read where a move is possible (the code is known
there and the belief differs from it): most of a period's n*m socialisation numbers are never computed.

Importing this module imports numba; ``practica.simulation.march`` imports it lazily and falls back to
the numpy kernel when numba is missing or ``PRACTICA_NO_NUMBA=1``. Compiled code is cached on disk
(``cache=True``: in ``__pycache__`` beside this file, or numba's user cache directory when that is
read-only); when no cache directory is writable the kernel is compiled once per process instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba
import numpy as np


def _jit(function: Callable[..., Any]) -> Any:
    """``numba.njit(cache=True)``, or without the on-disk cache when numba finds nowhere to write it."""
    try:
        return numba.njit(cache=True, nogil=True)(function)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return numba.njit(nogil=True)(function)


def _popcount(word: np.int64) -> np.int64:  # pragma: no cover - compiled
    """Set bits of a 32-bit word held in an int64 (SWAR; the product stays below 2**57)."""
    word = word - ((word >> 1) & 0x55555555)
    word = (word & 0x33333333) + ((word >> 2) & 0x33333333)
    word = (word + (word >> 4)) & 0x0F0F0F0F
    return ((word * 0x01010101) >> 24) & 0xFF


popcount = _jit(_popcount)


_LOW = np.uint64(0xFFFFFFFF)
_U32 = np.uint64(32)
_U58 = np.uint64(58)
_U63 = np.uint64(63)
_U64 = np.uint64(64)
_ONE = np.uint64(1)
_ZERO = np.uint64(0)


def _mul(a_hi: Any, a_lo: Any, b_hi: Any, b_lo: Any) -> tuple[Any, Any]:  # pragma: no cover - compiled
    """(a * b) mod 2**128 on (high, low) uint64 pairs."""
    a0, a1 = a_lo & _LOW, a_lo >> _U32
    b0, b1 = b_lo & _LOW, b_lo >> _U32
    p00, p01, p10 = a0 * b0, a0 * b1, a1 * b0
    middle = (p00 >> _U32) + (p01 & _LOW) + (p10 & _LOW)
    high = a1 * b1 + (p01 >> _U32) + (p10 >> _U32) + (middle >> _U32)
    return high + a_lo * b_hi + a_hi * b_lo, a_lo * b_lo


mul = _jit(_mul)


def _add(a_hi: Any, a_lo: Any, b_hi: Any, b_lo: Any) -> tuple[Any, Any]:  # pragma: no cover - compiled
    """(a + b) mod 2**128 on (high, low) uint64 pairs."""
    low = a_lo + b_lo
    return a_hi + b_hi + (_ONE if low < a_lo else _ZERO), low


add = _jit(_add)


def _number(rng: np.ndarray, jumps: np.ndarray, index: int) -> np.int64:  # pragma: no cover - compiled
    """32-bit number ``index`` of a stream (the low then the high half of each 64-bit output).

    ``rng`` = [state high, state low, inc high, inc low, outputs read so far, last output]; reading
    may only move forward. ``jumps[d]`` = (A_d high, A_d low, S_d high, S_d low) for d >= 1.
    """
    wanted = np.uint64(index >> 1) + _ONE
    if wanted != rng[4]:
        distance = wanted - rng[4]
        longest = np.uint64(jumps.shape[0] - 1)
        while distance:
            step = distance if distance < longest else longest
            d = np.int64(step)
            state_hi, state_lo = mul(jumps[d, 0], jumps[d, 1], rng[0], rng[1])
            if d == 1:  # S_1 = 1
                rng[0], rng[1] = add(state_hi, state_lo, rng[2], rng[3])
            else:
                inc_hi, inc_lo = mul(jumps[d, 2], jumps[d, 3], rng[2], rng[3])
                rng[0], rng[1] = add(state_hi, state_lo, inc_hi, inc_lo)
            distance -= step
        rng[4] = wanted
        mixed = rng[0] ^ rng[1]
        rotation = rng[0] >> _U58
        rng[5] = (mixed >> rotation) | (mixed << ((_U64 - rotation) & _U63))
    if index & 1:
        return np.int64(rng[5] >> _U32)
    return np.int64(rng[5] & _LOW)


number = _jit(_number)


def _core_runs(
    streams: np.ndarray,
    jumps: np.ndarray,
    horizon: int,
    size: int,
    socialise_start: int,
    code_start: int,
    n: int,
    m: int,
    known: np.ndarray,
    plus: np.ndarray,
    truth: np.ndarray,
    valid: np.ndarray,
    reality: np.ndarray,
    code: np.ndarray,
    code_known: np.ndarray,
    code_plus: np.ndarray,
    code_score: np.ndarray,
    limits: np.ndarray,
    never: np.ndarray,
    thresholds: np.ndarray,
    offsets: np.ndarray,
    finished: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Simulate every run to equilibrium (its period goes to ``finished``) or to ``horizon`` (0 stays).

    ``streams[run]`` is the run's PCG64 state after its initial draws: [state high, state low, inc
    high, inc low, 0, 0]. Period t (from 0) reads the ``size`` numbers from t * size of that stream:
    coins first, socialisation at ``socialise_start``, code learning at ``code_start``. The state
    arrays are updated in place; ``streams`` is left where the last number read was.
    """
    words = valid.shape[0]
    per_person = limits.shape[1] > 1
    votes = np.zeros(32 * words, dtype=np.int64)
    actions = np.zeros((n, words), dtype=np.int64)
    for run in range(streams.shape[0]):
        rng = streams[run]
        for period in range(horizon):
            base = period * size
            score = code_score[run]
            # Step 3: action = belief where known, else the coin; superior = performance > code score,
            # where performance = m - 2 * wrong; count the superior group's +1 actions per dimension.
            votes[:] = 0
            superior = 0
            for person in range(n):
                wrong = 0
                for word in range(words):
                    coin = number(rng, jumps, base + person * words + word)
                    action = coin ^ ((coin ^ plus[run, person, word]) & known[run, person, word])
                    actions[person, word] = action
                    wrong += popcount((action ^ truth[run, word]) & valid[word])
                if 2 * wrong < m - score:
                    superior += 1
                    for word in range(words):
                        action = actions[person, word]
                        for bit in range(32):
                            votes[32 * word + bit] += (action >> bit) & 1
            # Step 4: one step toward the code where it is known and the belief differs, with p1.
            for person in range(n):
                column = person if per_person else 0
                if never[run, column]:
                    continue
                limit = limits[run, column]
                start = base + socialise_start + person * m
                for word in range(words):
                    held = known[run, person, word]
                    sign = plus[run, person, word]
                    target = code_plus[run, word]
                    candidates = code_known[run, word] & (~held | (sign ^ target))
                    while candidates:
                        lowest = candidates & -candidates
                        candidates ^= lowest
                        if number(rng, jumps, start + 32 * word + popcount(lowest - 1)) <= limit:
                            sign ^= (sign ^ target) & lowest
                            held ^= lowest
                    known[run, person, word] = held
                    plus[run, person, word] = sign
            # Step 5: the code takes the majority with probability 1 - (1 - p2)^k, k the margin.
            offset = offsets[run]
            for dimension in range(m):
                margin = 2 * votes[dimension] - superior
                if margin == 0:
                    continue
                majority = 1 if margin > 0 else -1
                if majority == code[run, dimension]:
                    continue
                strength = margin if margin > 0 else -margin
                if number(rng, jumps, base + code_start + dimension) < thresholds[offset + strength]:
                    code_score[run] += (majority - code[run, dimension]) * reality[run, dimension]
                    code[run, dimension] = majority
                    word = dimension >> 5
                    flag = np.int64(1) << (dimension & 31)
                    code_known[run, word] |= flag
                    if majority > 0:
                        code_plus[run, word] |= flag
                    else:
                        code_plus[run, word] &= ~flag
            # Stop when the code has no 0 and every belief equals it (then nobody can beat it).
            done = True
            for word in range(words):
                if code_known[run, word] != valid[word]:
                    done = False
            if done:
                for person in range(n):
                    for word in range(words):
                        mismatch = ~known[run, person, word] | (
                            plus[run, person, word] ^ code_plus[run, word]
                        )
                        if mismatch & valid[word]:
                            done = False
                    if not done:
                        break
            if done:
                finished[run] = period + 1
                break


core_runs = _jit(_core_runs)
