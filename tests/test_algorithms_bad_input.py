"""Bad input is refused with a ValueError that says what is wrong, never accepted to
misbehave later (a cache that never evicts, a job that blocks the queue forever), and a
refused operation leaves the structure as it was."""

import math
import random

import pytest

from algorithms.backoff import exponential, retry
from algorithms.caches import FIFOCache, LFUCache, LRUCache
from algorithms.consistent_hashing import HashRing
from algorithms.geohash import GeohashIndex, haversine_m
from algorithms.hyperloglog import HyperLogLog
from algorithms.job_scheduler import JobScheduler
from algorithms.rate_limiters import (
    FixedWindow,
    LeakyBucket,
    SlidingWindowCounter,
    SlidingWindowLog,
    TokenBucket,
)
from algorithms.trie import Trie

NAN, INF = math.nan, math.inf


@pytest.mark.parametrize("cache", [LRUCache, LFUCache, FIFOCache])
@pytest.mark.parametrize("capacity", [NAN, INF, 2.5, 3.0, True])
def test_a_cache_capacity_must_be_a_whole_number(cache, capacity):
    # Before: len(entries) == capacity never held, so the cache grew without evicting.
    with pytest.raises(ValueError, match="capacity must be a whole number of entries, got"):
        cache(capacity)


@pytest.mark.parametrize("weight", [NAN, 1.5, 2.0, INF])
def test_a_trie_weight_must_be_a_positive_integer(weight):
    trie = Trie()
    trie.add("map", 3)
    with pytest.raises(ValueError, match="weight must be a positive integer, got"):
        trie.add("map", weight)
    # Before: a NaN weight made "map" appear twice in the suggestions.
    trie.add("map", 1)
    assert trie.suggest("m") == ["map"] and trie.weight("map") == 4


@pytest.mark.parametrize("due_at", [NAN, INF, -INF])
def test_a_job_must_be_due_at_a_finite_time(due_at):
    scheduler = JobScheduler(clock=lambda: 100.0)
    with pytest.raises(ValueError, match="due_at must be a finite time, got"):
        scheduler.schedule("broken", due_at)
    # Before: a NaN at the top of the heap was never due, and nothing behind it ran.
    scheduler.schedule("report", 50.0)
    assert len(scheduler) == 1
    assert scheduler.claim_due().name == "report"


@pytest.mark.parametrize("radius", [NAN, -1.0, -INF])
def test_a_search_radius_must_be_zero_or_more(radius):
    index = GeohashIndex()
    index.add("cafe", 48.8584, 2.2945)
    with pytest.raises(ValueError, match="radius_m must be zero or more metres, got"):
        index.within(48.8584, 2.2945, radius)


def test_an_infinite_radius_is_accepted_and_finds_everything():
    # Documented as accepted: no cell covers it, so every point is a candidate.
    index = GeohashIndex()
    index.add("paris", 48.8584, 2.2945)
    index.add("sydney", -33.8568, 151.2153)
    assert index.within(0.0, 0.0, INF) == {"paris", "sydney"}
    assert index.within(48.8584, 2.2945, 0.0) == {"paris"}


@pytest.mark.parametrize(
    ("point", "message"),
    [
        ((NAN, 0.0, 0.0, 0.0), "latitude must be between -90 and 90, got nan"),
        ((0.0, NAN, 0.0, 0.0), "longitude must be between -180 and 180, got nan"),
        ((0.0, 0.0, NAN, 0.0), "latitude must be between -90 and 90, got nan"),
        ((0.0, 0.0, 0.0, NAN), "longitude must be between -180 and 180, got nan"),
        ((91.0, 0.0, 0.0, 0.0), "latitude must be between -90 and 90, got 91.0"),
    ],
)
def test_haversine_refuses_nan_and_out_of_range_coordinates(point, message):
    with pytest.raises(ValueError, match=message):
        haversine_m(*point)


@pytest.mark.parametrize(("latitude", "longitude"), [(NAN, 2.0), (48.0, NAN), (95.0, 2.0), (48.0, 181.0)])
def test_a_refused_add_leaves_the_index_unchanged(latitude, longitude):
    index = GeohashIndex()
    index.add("cafe", 48.8584, 2.2945)
    searches = [(48.8584, 2.2945, 1_000.0), (0.0, 0.0, INF), (90.0, 0.0, 1e7)]
    before = [index.within(*search) for search in searches]
    with pytest.raises(ValueError, match="must be between"):
        index.add("phantom", latitude, longitude)
    # Before: the point was stored before it was checked, and later searches returned it.
    assert [index.within(*search) for search in searches] == before
    assert "phantom" not in index.in_cell("")
    index.add("phantom", 48.8585, 2.2946)  # the id is still free
    assert "phantom" in index.within(48.8584, 2.2945, 1_000.0)


WINDOWED = [FixedWindow, SlidingWindowLog, SlidingWindowCounter]
BUCKETS = [TokenBucket, LeakyBucket]


@pytest.mark.parametrize("limiter", WINDOWED)
@pytest.mark.parametrize("limit", [2.5, 4.0, NAN, INF, True])
def test_a_window_limit_must_be_a_whole_number(limiter, limit):
    # Before: 2.5 let 3 requests through some limiters and 2 through others.
    with pytest.raises(ValueError, match="limit must be a whole number, got"):
        limiter(limit, 1.0, clock=lambda: 0.0)


@pytest.mark.parametrize("limiter", BUCKETS)
@pytest.mark.parametrize("capacity", [2.5, 4.0, NAN, INF])
def test_a_bucket_capacity_must_be_a_whole_number(limiter, capacity):
    with pytest.raises(ValueError, match="capacity must be a whole number, got"):
        limiter(capacity, 1.0, clock=lambda: 0.0)


@pytest.mark.parametrize("limiter", WINDOWED + BUCKETS)
@pytest.mark.parametrize("seconds", [0.0, -1.0, NAN, INF])
def test_windows_and_rates_must_be_positive_and_finite(limiter, seconds):
    name = "window" if limiter in WINDOWED else "rate"
    with pytest.raises(ValueError, match=f"{name} must be positive and finite, got"):
        limiter(4, seconds, clock=lambda: 0.0)


@pytest.mark.parametrize("limiter", BUCKETS)
def test_a_fractional_rate_is_accepted(limiter):
    # Documented as accepted: a rate is per second, and half a request per second is
    # one every two seconds.
    now = [0.0]
    bucket = limiter(1, 0.5, clock=lambda: now[0])
    assert bucket.allow()
    now[0] = 2.0
    assert bucket.allow()


def failing():
    raise ConnectionError("down")


def test_a_waits_list_shorter_than_the_retries_is_refused_before_the_first_call():
    calls = []
    with pytest.raises(ValueError, match="4 attempts need 3 waits, got 2"):
        retry(lambda: calls.append(1), [1.0, 2.0], attempts=4, sleep=lambda _: None)
    assert calls == []


def test_waits_that_run_out_say_so_instead_of_a_bare_stop_iteration():
    waits = iter([1.0, 2.0])
    with pytest.raises(ValueError, match="4 attempts need 3 waits, the waits ran out after 2") as raised:
        retry(failing, waits, attempts=4, sleep=lambda _: None)
    assert isinstance(raised.value.__cause__, ConnectionError)  # the last failure is kept


def test_an_endless_generator_of_waits_is_fine():
    slept = []
    with pytest.raises(ConnectionError):
        retry(failing, exponential(1, 4), attempts=5, sleep=slept.append)
    assert slept == [1, 2, 4, 4]


@pytest.mark.parametrize("seed", [-1, 2**128])
def test_a_hyperloglog_seed_must_fit_the_salt(seed):
    # Before: OverflowError from int.to_bytes.
    with pytest.raises(ValueError, match=r"seed must be between 0 and 2\*\*128 - 1"):
        HyperLogLog(10, seed=seed)
    HyperLogLog(10, seed=2**128 - 1).add("x")


def test_a_waits_list_of_the_right_length_is_enough():
    outcomes = iter([ConnectionError(), ConnectionError(), "ok"])

    def flaky():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert retry(flaky, [random.random(), 1.0], attempts=3, sleep=lambda _: None) == "ok"


@pytest.mark.parametrize("limiter", WINDOWED)
def test_a_limit_of_zero_is_refused_by_name(limiter):
    with pytest.raises(ValueError, match="limit must be positive and finite, got 0"):
        limiter(0, 1.0, clock=lambda: 0.0)


def test_a_ring_needs_at_least_one_virtual_node():
    with pytest.raises(ValueError, match="virtual_nodes must be at least 1, got 0"):
        HashRing(["a"], virtual_nodes=0)
    assert HashRing().virtual_nodes == 100
