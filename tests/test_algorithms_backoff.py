"""Backoff delays stay within their bounds, and jitter spreads the retries of clients that
failed together (the unjittered ones all come back at the same instant)."""

import math
import random
import statistics
from itertools import islice

import pytest
from hypothesis import given
from hypothesis import strategies as st

from algorithms.backoff import decorrelated_jitter, equal_jitter, exponential, full_jitter, retry

bases = st.floats(min_value=0.001, max_value=10)
seeds = st.integers(min_value=0, max_value=2**32)


def ceilings(base: float, cap: float, count: int) -> list[float]:
    return [min(cap, base * 2**attempt) for attempt in range(count)]


@given(bases, st.floats(min_value=1, max_value=1000))
def test_without_jitter_the_wait_doubles_up_to_the_cap(base, cap_factor):
    cap = base * cap_factor
    assert list(islice(exponential(base, cap), 60)) == pytest.approx(ceilings(base, cap, 60))


@given(bases, st.floats(min_value=1, max_value=1000), seeds)
def test_jittered_waits_stay_within_their_bounds(base, cap_factor, seed):
    cap = base * cap_factor
    limits = ceilings(base, cap, 60)
    full = list(islice(full_jitter(base, cap, random.Random(seed)), 60))
    equal = list(islice(equal_jitter(base, cap, random.Random(seed)), 60))
    decorrelated = list(islice(decorrelated_jitter(base, cap, random.Random(seed)), 60))
    assert all(0 <= wait <= ceiling for wait, ceiling in zip(full, limits))
    assert all(ceiling / 2 <= wait <= ceiling for wait, ceiling in zip(equal, limits))
    previous = base
    for wait in decorrelated:
        assert base <= wait <= min(cap, 3 * previous)
        previous = wait


def test_jitter_spreads_retries_that_would_otherwise_coincide():
    # 10,000 clients fail at the same moment; each waits its sixth backoff (ceiling 3.2 s).
    clients, attempt, base, cap = 10_000, 5, 0.1, 60.0
    rng = random.Random(11)
    plain = [next(islice(exponential(base, cap), attempt, None)) for _ in range(clients)]
    jittered = [next(islice(full_jitter(base, cap, rng), attempt, None)) for _ in range(clients)]
    ceiling = base * 2**attempt
    assert set(plain) == {ceiling}  # everyone retries at the same instant

    # Full jitter draws uniformly from [0, 3.2 s]: in each of 32 slots of 0.1 s we expect
    # K/32 = 312.5 retries, binomial standard deviation √(K·(1/32)·(31/32)) = 17.4.
    slots = [0] * 32
    for wait in jittered:
        slots[min(31, int(wait / ceiling * 32))] += 1
    expected, sd = clients / 32, math.sqrt(clients * (1 / 32) * (31 / 32))
    assert all(abs(count - expected) <= 4.5 * sd for count in slots), slots  # 4.5 sd: 32 slots
    # The peak load on the server drops from 10,000 at once to about 1/32 of that per slot.
    assert max(slots) <= clients / 32 + 4.5 * sd
    # The mean and spread of a uniform [0, c] draw: c/2 and c/√12.
    assert abs(statistics.fmean(jittered) - ceiling / 2) <= 4 * (ceiling / math.sqrt(12)) / math.sqrt(clients)
    assert statistics.pstdev(jittered) == pytest.approx(ceiling / math.sqrt(12), rel=0.02)


def test_retry_sleeps_between_failures_and_returns_the_first_success():
    outcomes = iter([ConnectionError("down"), TimeoutError("slow"), "ok"])

    def flaky() -> str:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    slept = []
    assert retry(flaky, exponential(0.5, 10), attempts=5, sleep=slept.append) == "ok"
    assert slept == [0.5, 1.0]


def test_retry_gives_up_after_the_last_attempt_without_sleeping_again():
    calls, slept = [], []

    def always_down() -> None:
        calls.append(1)
        raise ConnectionError("down")

    with pytest.raises(ConnectionError, match="down"):
        retry(always_down, exponential(1, 4), attempts=4, sleep=slept.append)
    assert len(calls) == 4
    assert slept == [1, 2, 4]


def test_retry_does_not_retry_errors_it_was_not_asked_to():
    slept = []
    with pytest.raises(ValueError):
        retry(lambda: int("x"), exponential(1, 4), attempts=3, retry_on=(ConnectionError,), sleep=slept.append)
    assert slept == []


def test_bad_settings_are_explained():
    with pytest.raises(ValueError, match="need 0 < base <= cap"):
        next(exponential(2, 1))
    with pytest.raises(ValueError, match="attempts must be at least 1"):
        retry(lambda: None, exponential(1, 2), attempts=0)


def ks_p_value(samples: list[float]) -> float:
    """Kolmogorov-Smirnov test that the samples are Uniform(0, 1): the p-value from the
    asymptotic Kolmogorov distribution, with Stephens' small-sample correction."""
    xs = sorted(samples)
    n = len(xs)
    d = max(max((i + 1) / n - x, x - i / n) for i, x in enumerate(xs))
    lam = (math.sqrt(n) + 0.12 + 0.11 / math.sqrt(n)) * d
    return min(1.0, 2 * sum((-1) ** (k - 1) * math.exp(-2 * k * k * lam * lam) for k in range(1, 101)))


# base 1 s and cap 10 s: the ceiling reaches the cap at the fifth wait, so most of the
# waits drawn below are capped ones. Each test turns every wait into the position of the
# wait in the range its formula draws it from, which must be Uniform(0, 1); a fixed seed
# makes the outcome stable, and p < 0.001 would be a 1-in-1,000 false alarm otherwise.
BASE, CAP, WAITS = 1.0, 10.0, 4_000


def test_full_jitter_is_uniform_between_zero_and_the_ceiling_at_every_attempt():
    rng = random.Random(2024)
    positions = []
    while len(positions) < WAITS:
        waits = islice(full_jitter(BASE, CAP, rng), 12)
        positions += [wait / ceiling for wait, ceiling in zip(waits, ceilings(BASE, CAP, 12))]
    assert ks_p_value(positions) > 0.001
    capped = positions[5::12]  # the sixth wait and later have the cap as their ceiling
    assert ks_p_value(capped) > 0.001


def test_equal_jitter_is_uniform_over_the_upper_half_of_the_ceiling():
    rng = random.Random(2025)
    positions = []
    while len(positions) < WAITS:
        waits = islice(equal_jitter(BASE, CAP, rng), 12)
        positions += [(wait - ceiling / 2) / (ceiling / 2) for wait, ceiling in zip(waits, ceilings(BASE, CAP, 12))]
    assert ks_p_value(positions) > 0.001


def test_decorrelated_jitter_draws_between_base_and_three_times_the_previous_wait():
    # Given the previous wait w, the next is Uniform(base, 3w) clipped at the cap: below
    # the cap its position in [base, 3w] is uniform; at the cap (probability
    # (3w - cap)/(3w - base)) a fair coin of the same seed places it uniformly in the
    # clipped part of the range (the randomized probability integral transform).
    rng, coin = random.Random(2026), random.Random(7)
    waits = list(islice(decorrelated_jitter(BASE, CAP, rng), WAITS))
    positions, at_cap = [], 0
    for previous, wait in zip([BASE, *waits], waits):
        high = 3 * previous
        if wait < CAP:
            positions.append((wait - BASE) / (high - BASE))
        else:
            at_cap += 1
            clipped_from = (CAP - BASE) / (high - BASE)
            positions.append(coin.uniform(clipped_from, 1.0))
    assert at_cap > WAITS / 4  # the cap is reached often enough to be tested
    assert ks_p_value(positions) > 0.001


def test_one_attempt_calls_once_and_never_sleeps():
    # Killed mutants: `attempts < 2` refusing a single attempt; a zero base accepted.
    slept = []
    assert retry(lambda: "ok", [], attempts=1, sleep=slept.append) == "ok"
    with pytest.raises(ConnectionError):
        retry(lambda: (_ for _ in ()).throw(ConnectionError("down")), [], attempts=1, sleep=slept.append)
    assert slept == []
    with pytest.raises(ValueError, match="need 0 < base <= cap, got base=0 and cap=1"):
        next(exponential(0, 1))
    with pytest.raises(ValueError, match="need 0 < base <= cap"):
        next(decorrelated_jitter(0, 1, random.Random(1)))
