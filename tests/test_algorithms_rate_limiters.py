"""Five rate limiters on scripted timelines with an injected clock: exact decisions, the
burst each one lets through at a window edge, and the sliding counter's error, bounded."""

import bisect
import math
import random
import statistics
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from algorithms.rate_limiters import (
    FixedWindow,
    LeakyBucket,
    PerClient,
    SlidingWindowCounter,
    SlidingWindowLog,
    TokenBucket,
)


class FakeClock:
    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def decisions(limiter, clock: FakeClock, times) -> str:
    """'A' for accepted, '-' for rejected, one letter per request."""
    letters = []
    for t in times:
        clock.now = t
        letters.append("A" if limiter.allow() else "-")
    return "".join(letters)


def make_all(clock: FakeClock) -> dict:
    """4 requests per second, in each limiter's terms. All times are multiples of 1/8 s:
    exact in binary floating point, so every decision below is exact."""
    return {
        "fixed window": FixedWindow(limit=4, window=1.0, clock=clock),
        "sliding log": SlidingWindowLog(limit=4, window=1.0, clock=clock),
        "sliding counter": SlidingWindowCounter(limit=4, window=1.0, clock=clock),
        "token bucket": TokenBucket(capacity=4, rate=4.0, clock=clock),
        "leaky bucket": LeakyBucket(capacity=4, rate=4.0, clock=clock),
    }


def run_all(times) -> dict[str, str]:
    clock = FakeClock()
    return {name: decisions(limiter, clock, times) for name, limiter in make_all(clock).items()}


def test_a_burst_of_ten_at_once():
    assert run_all([0.0] * 10) == dict.fromkeys(
        ["fixed window", "sliding log", "sliding counter", "token bucket", "leaky bucket"], "AAAA------"
    )


def test_a_burst_across_a_window_edge():
    # Eight requests at 8 per second, straddling the edge at t = 1.
    times = [0.5, 0.625, 0.75, 0.875, 1.0, 1.125, 1.25, 1.375]
    assert run_all(times) == {
        # Two full windows' worth in 0.875 s: double the rate, the fixed window's weakness.
        "fixed window": "AAAAAAAA",
        # Exact: four in any second, so nothing until 0.5 leaves the window at 1.5.
        "sliding log": "AAAA----",
        # At 1.25 it estimates 4 · 0.75 = 3 earlier requests in the last second, while
        # there were 4: the previous window's requests were bunched at its end, not spread.
        "sliding counter": "AAAA--A-",
        # The bucket was full (4) and refills 0.5 per 1/8 s: it runs dry at the eighth.
        "token bucket": "AAAAAAA-",
        # Everything fits in the queue, and leaves at the steady rate (see the next test).
        "leaky bucket": "AAAAAAAA",
    }


def test_the_leaky_bucket_smooths_what_it_lets_through():
    clock = FakeClock()
    bucket = LeakyBucket(capacity=4, rate=4.0, clock=clock)
    departures = []
    for t in [0.5, 0.625, 0.75, 0.875, 1.0, 1.125, 1.25, 1.375, 1.375]:
        clock.now = t
        departures.append(bucket.schedule())
    # One every 0.25 s; the ninth finds four queued (1.5, 1.75, 2.0, 2.25) and is dropped.
    assert departures == [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25, None]


def test_at_a_window_edge_the_counter_still_weighs_the_whole_previous_window():
    # Its error is not zero at an edge: a burst at the first instant of a window has left
    # the sliding window one window later, but the counter still counts all of it.
    clock = FakeClock()
    counter = SlidingWindowCounter(limit=4, window=1.0, clock=clock)
    log = SlidingWindowLog(limit=4, window=1.0, clock=clock)
    for _ in range(4):
        assert counter.allow() and log.allow()
    clock.now = 1.0
    assert counter.estimate() == 4  # previous × (1 - 0) + current
    assert log.allow()  # the truth: none of the burst is in (0, 1]
    assert not counter.allow()
    clock.now = 1.5
    assert counter.estimate() == 2  # the bound, previous × max(f, 1 - f), is 2 here


def test_recovery_after_the_burst():
    # A burst at 0, then one request every 1/8 s for a second and a half.
    times = [0.0] * 6 + [i / 8 for i in range(1, 13)]
    result = run_all(times)
    assert result["fixed window"] == "AAAA--" + "-------AAAA-"
    assert result["sliding log"] == "AAAA--" + "-------AAAA-"
    assert result["token bucket"] == "AAAA--" + "-A-A-A-A-A-A"  # half a token every 1/8 s
    # The first of the burst left at once (t = 0), so there is room again at 1/8 s.
    assert result["leaky bucket"] == "AAAA--" + "A-A-A-A-A-A-"
    # After the edge the counter still weighs the burst as 4 · (1 - f) requests, as if it
    # had been spread over the first second: it lets one through at 1.25 and at 1.5 only.
    assert result["sliding counter"] == "AAAA--" + "---------A-A"


# Property tests: times are multiples of 1/16 s, so float arithmetic is exact.
tick = Fraction(1, 16)
timelines = st.lists(st.integers(min_value=0, max_value=160), max_size=80).map(sorted)
limits = st.integers(min_value=1, max_value=5)
windows_in_ticks = st.sampled_from([1, 2, 4, 8, 16, 32])  # powers of two keep t / window exact


def accepted_times(limiter, clock, ticks) -> list[float]:
    accepted = []
    for t in ticks:
        clock.now = float(t * tick)
        if limiter.allow():
            accepted.append(clock.now)
    return accepted


def most_in_any_window(times: list[float], window: float) -> int:
    """The largest number of times in any half-open interval (t - window, t]."""
    return max((bisect.bisect_right(times, t) - bisect.bisect_right(times, t - window) for t in times), default=0)


@given(timelines, limits, windows_in_ticks)
def test_sliding_log_is_exact(ticks, limit, window_ticks):
    clock, window = FakeClock(), float(window_ticks * tick)
    limiter = SlidingWindowLog(limit, window, clock)
    accepted: list[float] = []
    for t in ticks:
        clock.now = float(t * tick)
        in_window = sum(1 for a in accepted if a > clock.now - window)
        assert limiter.allow() == (in_window < limit)
        if in_window < limit:
            accepted.append(clock.now)


@given(timelines, limits, windows_in_ticks)
def test_fixed_window_allows_up_to_double_across_an_edge(ticks, limit, window_ticks):
    clock, window = FakeClock(), float(window_ticks * tick)
    accepted = accepted_times(FixedWindow(limit, window, clock), clock, ticks)
    per_window = Counter(math.floor(a / window) for a in accepted)
    assert all(count <= limit for count in per_window.values())
    assert most_in_any_window(accepted, window) <= 2 * limit


@given(timelines, limits, windows_in_ticks)
def test_sliding_counter_follows_its_formula_and_its_error_is_bounded(ticks, limit, window_ticks):
    clock, window = FakeClock(), float(window_ticks * tick)
    limiter = SlidingWindowCounter(limit, window, clock)
    accepted: list[float] = []
    for t in ticks:
        clock.now = now = float(t * tick)
        index, fraction = divmod(now / window, 1)
        previous = sum(1 for a in accepted if math.floor(a / window) == index - 1)
        current = sum(1 for a in accepted if math.floor(a / window) == index)
        exact = sum(1 for a in accepted if a > now - window)
        estimate = previous * (1 - fraction) + current
        # The estimate assumes the previous window's requests were evenly spread; the
        # truth lies between "all already left" and "all still inside".
        assert -previous * fraction <= estimate - exact <= previous * (1 - fraction)
        allowed = limiter.allow()
        assert allowed == (estimate + 1 <= limit)
        if allowed:
            accepted.append(now)
    # Hence at most 2·limit in any window (previous ≤ limit, and the current window stops
    # at limit), the same worst case as the fixed window but reached far more rarely.
    assert most_in_any_window(accepted, window) <= 2 * limit


@given(timelines, limits, st.sampled_from([0.5, 1.0, 2.0, 4.0]))
def test_token_bucket_matches_exact_arithmetic_and_bounds_every_interval(ticks, capacity, rate):
    clock = FakeClock()
    bucket = TokenBucket(capacity, rate, clock)
    tokens, updated_at = Fraction(capacity), Fraction(0)
    accepted = []
    for t in ticks:
        clock.now = float(t * tick)
        tokens = min(Fraction(capacity), tokens + (t * tick - updated_at) * Fraction(rate))
        updated_at = t * tick
        expected = tokens >= 1
        tokens -= expected
        assert bucket.allow() == expected
        if expected:
            accepted.append(t * tick)
    # In any interval [s, t]: at most the full bucket plus what drips in meanwhile.
    for i, start in enumerate(accepted):
        for j in range(i, len(accepted)):
            assert j - i + 1 <= capacity + rate * (accepted[j] - start)


@given(timelines, limits, st.sampled_from([0.5, 1.0, 2.0, 4.0]))
def test_leaky_bucket_output_is_smooth_and_the_queue_bounded(ticks, capacity, rate):
    clock = FakeClock()
    bucket = LeakyBucket(capacity, rate, clock)
    departures = []
    for t in ticks:
        clock.now = float(t * tick)
        waiting = sum(1 for d in departures if d >= clock.now)
        departure = bucket.schedule()
        assert (departure is None) == (waiting >= capacity)
        if departure is not None:
            assert departure >= clock.now
            departures.append(departure)
    assert all(later - earlier >= 1 / rate for earlier, later in zip(departures, departures[1:]))


def test_sliding_counter_error_on_random_traffic_matches_theory():
    # Poisson arrivals at λ per window, never limited (a huge limit), probed once per
    # window at a uniformly random point f. Given the previous window's count P, its
    # arrivals are uniform in it, so the number still inside the sliding window is
    # Binomial(P, 1 - f) and the estimate's error P(1 - f) - Binomial(P, 1 - f) has
    # mean 0 and variance P·f(1 - f). Averaged over P and f: E[error²] = λ/6.
    rng = random.Random(2024)
    rate_per_window, windows = 20.0, 3_000
    arrivals, t = [], 0.0
    while t < windows:
        t += rng.expovariate(rate_per_window)
        arrivals.append(t)
    probes = [k + rng.random() for k in range(1, windows)]
    clock = FakeClock()
    limiter = SlidingWindowCounter(limit=10**9, window=1.0, clock=clock)
    events = sorted([(a, "arrival") for a in arrivals] + [(p, "probe") for p in probes])
    errors = []
    for clock.now, kind in events:
        if kind == "arrival":
            assert limiter.allow()
        else:
            exact = bisect.bisect_right(arrivals, clock.now) - bisect.bisect_right(arrivals, clock.now - 1.0)
            errors.append(limiter.estimate() - exact)
    expected_mse = rate_per_window / 6
    # Spread of the two averages over K probes: the mean error has variance (λ/6)/K; the
    # squared error has variance ≈ 3·E[v²] - E[v]² with v = P·f(1 - f), E[v²] =
    # (λ + λ²)·B(3,3) = (λ + λ²)/30: a relative spread of 3.0% here. Four of each:
    assert abs(statistics.fmean(errors)) <= 4 * math.sqrt(expected_mse / len(errors))
    mse = statistics.fmean(e * e for e in errors)
    mse_sd = math.sqrt((3 * (rate_per_window + rate_per_window**2) / 30 - expected_mse**2) / len(errors))
    assert abs(mse - expected_mse) <= 4 * mse_sd, (mse, expected_mse)


def test_each_client_gets_its_own_limiter():
    clock = FakeClock()
    limiter = PerClient(lambda: FixedWindow(limit=2, window=1.0, clock=clock))
    assert [limiter.allow(client) for client in ["ann", "ann", "ann", "bob", "bob"]] == [True, True, False, True, True]


@pytest.mark.parametrize("make", [
    lambda: FixedWindow(0, 1.0), lambda: SlidingWindowLog(1, 0), lambda: SlidingWindowCounter(1, -1.0),
    lambda: TokenBucket(0, 1.0), lambda: LeakyBucket(1, 0),
])
def test_non_positive_settings_are_refused(make):
    with pytest.raises(ValueError, match="must be positive and finite"):
        make()
