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
        ((NAN, 0.0, 0.0, 0.0), "lat1 must be between -90 and 90, got nan"),
        ((0.0, NAN, 0.0, 0.0), "lon1 must be between -180 and 180, got nan"),
        ((0.0, 0.0, NAN, 0.0), "lat2 must be between -90 and 90, got nan"),
        ((0.0, 0.0, 0.0, NAN), "lon2 must be between -180 and 180, got nan"),
        ((91.0, 0.0, 0.0, 0.0), "lat1 must be between -90 and 90, got 91.0"),
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


# --- Every public function of snippets/algorithms refuses bad input by name --------------
#
# One row per bad input: the call, the error, and a fragment of the message that names the
# argument (and usually the accepted range). A wrong type raises TypeError (the snippets'
# WrongType, which is a ValueError too); a bad value raises ValueError and no TypeError.
# Classes: negative, zero, NaN, infinity, wrong type (bool included), empty, duplicate ID,
# and other values out of range.

import re  # noqa: E402

from algorithms import (  # noqa: E402
    abr,
    backoff,
    base62,
    bloom_filter,
    bm25,
    caches,
    chunking,
    consistent_hashing,
    crdt,
    geohash,
    hyperloglog,
    job_scheduler,
    location_load,
    nearby,
    positional_index,
    quadtree,
    raft,
    rate_limiters,
    saga,
    shortest_path,
    simhash,
    snowflake,
    trie,
)
from algorithms import two_phase_commit as tpc  # noqa: E402

T, V = TypeError, ValueError
LADDER = [300, 700, 1500]


def _raise_down():
    raise ConnectionError("down")


def _twice(first, second):
    """Run `first` (which must succeed), then return what `second` does."""
    first()
    return second()


def _with(obj, *steps):
    for step in steps[:-1]:
        step(obj)
    return steps[-1](obj)


def _bloom():
    return bloom_filter.BloomFilter(64, 3)


def _bm25():
    index = bm25.BM25Index()
    index.add("d", "a b c")
    return index


def _geo_index():
    index = geohash.GeohashIndex()
    index.add("x", 48.8, 2.3)
    return index


def _tree():
    tree = quadtree.QuadTree(quadtree.Box(0, 0, 64, 64), capacity=2)
    tree.insert(1, 1, "a")
    return tree


def _node():
    return raft.Node(0, 3, random.Random(0))


def _cluster():
    return raft.Cluster(size=3, seed=1)


def _participants(*names):
    return [tpc.Participant(name) for name in names]


def _ran(txid="t1"):
    coordinator = tpc.Coordinator(_participants("orders", "stock"))
    coordinator.run(txid)
    return coordinator


def _near():
    index = simhash.NearDuplicateIndex(3)
    index.add("a", 5)
    return index


BAD = {
    "abr": [
        ("negative", lambda: abr.choose(LADDER, -1, 5, 0), V, "throughput_kbps must be a finite number > 0, got -1"),
        ("negative", lambda: abr.choose(LADDER, 1000, -5, 0), V, "buffer_s must be a finite number >= 0"),
        ("negative", lambda: abr.choose(LADDER, 1000, 5, -1), V, "current must be a rendition index in [0, 2]"),
        ("negative", lambda: abr.estimate([1000, -5]), V, "samples_kbps[1] must be a finite number > 0"),
        ("zero", lambda: abr.estimate([1000], window=0), V, "window must be a whole number >= 1"),
        ("zero", lambda: abr.play(LADDER, [1000], segment_s=0), V, "segment_s must be a finite number > 0"),
        ("zero", lambda: abr.play(LADDER, [1000, 0]), V, "trace_kbps[1] must be a finite number > 0"),
        ("zero", lambda: abr.Rule(safety=0), V, "safety must be a finite number in (0, 1]"),
        ("nan", lambda: abr.choose(LADDER, NAN, 5, 0), V, "throughput_kbps must be"),
        ("nan", lambda: abr.Rule(safety=NAN), V, "safety must be"),
        ("nan", lambda: abr.choose([300, NAN], 1000, 5, 0), V, "ladder_kbps[1] must be"),
        ("infinity", lambda: abr.choose(LADDER, INF, 5, 0), V, "throughput_kbps must be a finite number"),
        ("infinity", lambda: abr.Rule(high_buffer_s=INF), V, "high_buffer_s must be a finite number > low_buffer_s"),
        ("infinity", lambda: abr.play(LADDER, [1000], max_buffer_s=INF), V, "max_buffer_s must be a finite number"),
        ("type", lambda: abr.choose(LADDER, "fast", 5, 0), T, "throughput_kbps must be"),
        ("type", lambda: abr.choose(LADDER, 1000, 5, 1.0), T, "current must be a rendition index"),
        ("type", lambda: abr.choose(LADDER, 1000, 5, True), T, "current must be a rendition index"),
        ("type", lambda: abr.choose(LADDER, 1000, 5, 0, rule="safe"), T, "rule must be a Rule"),
        ("type", lambda: abr.estimate(None), T, "samples_kbps must be a list"),
        ("type", lambda: abr.play(LADDER, 1000), T, "trace_kbps must be a list"),
        ("empty", lambda: abr.estimate([]), V, "samples_kbps must hold at least one"),
        ("empty", lambda: abr.choose([], 1000, 5, 0), V, "ladder_kbps must hold at least one"),
        ("duplicate", lambda: abr.choose([300, 300, 700], 1000, 5, 0), V, "ladder_kbps must be strictly ascending"),
        ("range", lambda: abr.choose(LADDER, 1000, 5, 3), V, "current must be a rendition index in [0, 2], got 3"),
        ("range", lambda: abr.Rule(low_buffer_s=30, high_buffer_s=10), V, "high_buffer_s must be a finite number > low_buffer_s (30)"),
        ("range", lambda: abr.play(LADDER, [1000], segment_s=8, max_buffer_s=4), V, "max_buffer_s must be a finite number >= segment_s (8)"),
    ],
    "backoff": [
        ("negative", lambda: backoff.exponential(-1, 4), V, "need 0 < base <= cap, got base=-1"),
        ("zero", lambda: backoff.exponential(0, 4), V, "need 0 < base <= cap, got base=0"),
        ("nan", lambda: backoff.exponential(NAN, 4), V, "base must be a finite number"),
        ("nan", lambda: backoff.full_jitter(1, NAN, random.Random(1)), V, "cap must be a number"),
        ("infinity", lambda: backoff.equal_jitter(INF, INF, random.Random(1)), V, "base must be a finite number"),
        ("type", lambda: backoff.exponential("1", 4), T, "base must be"),
        ("type", lambda: backoff.decorrelated_jitter(1, 4, None), T, "rng.uniform must be callable"),
        ("type", lambda: backoff.retry(None, [1], attempts=2), T, "operation must be callable"),
        ("type", lambda: backoff.retry(_raise_down, 5, attempts=2), T, "waits must be a list"),
        ("type", lambda: backoff.retry(_raise_down, [1], attempts=2.0), T, "attempts must be at least 1"),
        ("type", lambda: backoff.retry(_raise_down, [1], attempts=True), T, "attempts must be at least 1"),
        ("type", lambda: backoff.retry(_raise_down, [1], attempts=2, retry_on=ConnectionError), T, "retry_on must be"),
        ("type", lambda: backoff.retry(_raise_down, [1], attempts=2, sleep=None), T, "sleep must be callable"),
        ("zero", lambda: backoff.retry(_raise_down, [], attempts=0), V, "attempts must be at least 1, got 0"),
        ("negative", lambda: backoff.retry(_raise_down, [1.0, -1.0], attempts=3), V, "waits[1] must be a finite number >= 0"),
        ("negative", lambda: backoff.retry(_raise_down, iter([-1.0]), attempts=2, sleep=lambda _: None), V, "waits[0] must be a finite number >= 0"),
        ("nan", lambda: backoff.retry(_raise_down, [NAN], attempts=2), V, "waits[0] must be"),
        ("infinity", lambda: backoff.retry(_raise_down, [INF], attempts=2), V, "waits[0] must be a finite number"),
        ("empty", lambda: backoff.retry(_raise_down, [], attempts=2), V, "2 attempts need 1 waits, got 0"),
    ],
    "base62": [
        ("negative", lambda: base62.encode(-1), V, "number must be a non-negative whole number, got -1"),
        ("negative", lambda: base62.KeyGenerationService(length=-1), V, "length must be at least 1"),
        ("negative", lambda: base62.KeyGenerationService(length=2).take_batch(-1), V, "count must be from 0 to"),
        ("zero", lambda: base62.encode(5, width=0), V, "width must be a whole number >= 1"),
        ("zero", lambda: base62.KeyGenerationService(length=0), V, "length must be at least 1, got 0"),
        ("nan", lambda: base62.encode(NAN), T, "number must be a non-negative whole number"),
        ("infinity", lambda: base62.encode(INF), T, "number must be"),
        ("type", lambda: base62.encode(1.5), T, "number must be"),
        ("type", lambda: base62.encode(True), T, "number must be"),
        ("type", lambda: base62.decode(None), T, "key must be a non-empty string"),
        ("type", lambda: base62.decode(62), T, "key must be a non-empty string"),
        ("type", lambda: base62.KeyGenerationService(length=2.0), T, "length must be"),
        ("type", lambda: base62.KeyGenerationService(rng=object()), T, "rng.randrange must be callable"),
        ("type", lambda: base62.KeyGenerationService(length=2).take_batch(1.5), T, "count must be"),
        ("empty", lambda: base62.decode(""), V, "key must be a non-empty string"),
        ("range", lambda: base62.decode("ab-c"), V, "key 'ab-c' is not a base62 key"),
        ("range", lambda: base62.KeyGenerationService(length=33), V, "length must be at most 32"),
        ("range", lambda: base62.KeyGenerationService(length=1).take_batch(63), V, "count must be from 0 to the 62 keys left"),
    ],
    "bloom_filter": [
        ("negative", lambda: bloom_filter.optimal_size(-5, 0.01), V, "expected_items must be at least 1"),
        ("negative", lambda: bloom_filter.false_positive_rate(100, -1, 3), V, "items must be a whole number >= 0"),
        ("zero", lambda: bloom_filter.optimal_size(0, 0.01), V, "expected_items must be at least 1, got 0"),
        ("zero", lambda: bloom_filter.BloomFilter(0, 3), V, "bit_count must be at least 1, got 0"),
        ("zero", lambda: bloom_filter.BloomFilter(64, 0), V, "hash_count must be at least 1, got 0"),
        ("zero", lambda: bloom_filter.false_positive_rate(0, 10, 3), V, "bit_count must be at least 1"),
        ("zero", lambda: bloom_filter.optimal_size(10, 0), V, "target_rate must be a false-positive rate strictly between 0 and 1"),
        ("nan", lambda: bloom_filter.optimal_size(10, NAN), V, "target_rate must be"),
        ("infinity", lambda: bloom_filter.optimal_size(10, INF), V, "target_rate must be"),
        ("type", lambda: bloom_filter.optimal_size(10, "1%"), T, "target_rate must be"),
        ("type", lambda: bloom_filter.optimal_size(10.0, 0.01), T, "expected_items must be"),
        ("type", lambda: bloom_filter.BloomFilter(64.5, 3), T, "bit_count must be"),
        ("type", lambda: bloom_filter.BloomFilter(True, 3), T, "bit_count must be"),
        ("type", lambda: _bloom().add(None), T, "item must be a str or bytes"),
        ("type", lambda: 5 in _bloom(), T, "item must be a str or bytes"),
        ("range", lambda: bloom_filter.BloomFilter.for_capacity(10, 1.5), V, "target_rate must be"),
    ],
    "bm25": [
        ("negative", lambda: bm25.BM25Index(k1=-1), V, "k1 must be a finite number >= 0, got -1"),
        ("negative", lambda: _bm25().search("a", k=-1), V, "k must be a positive whole number"),
        ("zero", lambda: _bm25().search("a", k=0), V, "k must be a positive whole number, got 0"),
        ("nan", lambda: bm25.BM25Index(k1=NAN), V, "k1 must be"),
        ("nan", lambda: bm25.BM25Index(b=NAN), V, "b must be between 0 and 1"),
        ("infinity", lambda: bm25.BM25Index(k1=INF), V, "k1 must be a finite number"),
        ("type", lambda: bm25.BM25Index(k1="1.2"), T, "k1 must be"),
        ("type", lambda: bm25.BM25Index(b=True), T, "b must be between 0 and 1"),
        ("type", lambda: _bm25().search("a", k=2.5), T, "k must be a positive whole number"),
        ("type", lambda: _bm25().search(None), T, "query must be a str"),
        ("type", lambda: _bm25().add(None, "text"), T, "doc_id must be a non-empty string"),
        ("type", lambda: _bm25().add("e", None), T, "text must be a str"),
        ("type", lambda: _bm25().remove(5), T, "doc_id must be a non-empty string"),
        ("type", lambda: _bm25().idf(None), T, "term must be a str"),
        ("empty", lambda: _bm25().add("", "a"), V, "doc_id must be a non-empty string"),
        ("empty", lambda: _bm25().add("e", "  ... "), V, "document 'e' has no words to index"),
        ("duplicate", lambda: _bm25().add("d", "x"), V, "document 'd' is already indexed"),
        ("range", lambda: bm25.BM25Index(b=1.5), V, "b must be between 0 and 1, got 1.5"),
        ("range", lambda: _bm25().score("a", "nope"), V, "document 'nope' is not indexed"),
    ],
    "caches": [
        *((kind, lambda cache=cache, capacity=capacity: cache(capacity), error, "capacity must be")
          for cache in (caches.LRUCache, caches.LFUCache, caches.FIFOCache)
          for kind, capacity, error in (("negative", -1, V), ("zero", 0, V), ("nan", NAN, T), ("infinity", INF, T),
                                        ("type", True, T), ("type", "3", T))),
        *(("type", lambda cache=cache, call=call: call(cache(2)), T, "key must be hashable")
          for cache in (caches.LRUCache, caches.LFUCache, caches.FIFOCache)
          for call in (lambda c: c.get([1]), lambda c: c.put({}, 1))),
    ],
    "chunking": [
        ("negative", lambda: chunking.fixed_chunks(b"abc", -1), V, "size must be a positive whole number of bytes"),
        ("negative", lambda: chunking.cdc_chunks(b"abc", -4, 8, 16), V, "min_size must be a whole number >= 1"),
        ("zero", lambda: chunking.fixed_chunks(b"abc", 0), V, "size must be a positive whole number of bytes, got 0"),
        ("zero", lambda: chunking.cdc_chunks(b"abc", 0, 8, 16), V, "min_size must be a whole number >= 1, got 0"),
        ("nan", lambda: chunking.cdc_chunks(b"abc", 4, NAN, 64), T, "avg_size must be a power of two"),
        ("infinity", lambda: chunking.cdc_chunks(b"abc", 4, 16, INF), T, "max_size must be"),
        ("type", lambda: chunking.fixed_chunks(b"abc", 1.5), T, "size must be"),
        ("type", lambda: chunking.fixed_chunks("abc", 2), T, "data must be bytes"),
        ("type", lambda: chunking.cdc_boundaries(None, 4, 16, 64), T, "data must be bytes"),
        ("type", lambda: chunking.block_hash("text"), T, "block must be bytes"),
        ("type", lambda: chunking.reused_fraction(None, [b"a"]), T, "old must be a list"),
        ("empty", lambda: chunking.reused_fraction([b"a"], []), V, "new must hold at least one block"),
        ("range", lambda: chunking.cdc_chunks(b"abc", 4, 12, 64), V, "avg_size must be a power of two, got 12"),
        ("range", lambda: chunking.cdc_chunks(b"abc", 1, 2, 8), V, "avg_size must be a power of two from 4 to 2**62, got 2"),
        ("range", lambda: chunking.cdc_chunks(b"abc", 8, 8, 16), V, "need 0 < min_size < avg_size < max_size"),
    ],
    "consistent_hashing": [
        ("negative", lambda: consistent_hashing.HashRing(["a"], virtual_nodes=-1), V, "virtual_nodes must be at least 1"),
        ("zero", lambda: consistent_hashing.HashRing(["a"], virtual_nodes=0), V, "virtual_nodes must be at least 1, got 0"),
        ("type", lambda: consistent_hashing.HashRing(["a"], virtual_nodes=1.5), T, "virtual_nodes must be"),
        ("type", lambda: consistent_hashing.HashRing(["a"], virtual_nodes=True), T, "virtual_nodes must be"),
        ("nan", lambda: consistent_hashing.HashRing(["a"], virtual_nodes=NAN), T, "virtual_nodes must be at least 1"),
        ("infinity", lambda: consistent_hashing.HashRing(["a"], virtual_nodes=INF), T, "virtual_nodes must be"),
        ("type", lambda: consistent_hashing.HashRing("abc"), T, "nodes must be a list"),
        ("type", lambda: consistent_hashing.HashRing([None]), T, "node must be a non-empty string"),
        ("type", lambda: consistent_hashing.HashRing(["a"]).node_for(5), T, "key must be a str"),
        ("type", lambda: consistent_hashing.ring_position(None), T, "label must be a str"),
        ("empty", lambda: consistent_hashing.HashRing().add_node(""), V, "node must be a non-empty string"),
        ("empty", lambda: consistent_hashing.HashRing().node_for("k"), LookupError, "the ring has no nodes"),
        ("duplicate", lambda: consistent_hashing.HashRing(["a", "a"]), V, "node 'a' is already on the ring"),
        ("range", lambda: consistent_hashing.HashRing(["a"]).remove_node("b"), V, "node 'b' is not on the ring"),
        ("range", lambda: consistent_hashing.HashRing(["a"], virtual_nodes=10**6), V, "virtual_nodes must be at most 100,000"),
    ],
    "crdt": [
        ("negative", lambda: crdt.GCounter().increment("a", -1), V, "amount must be a positive integer, got -1"),
        ("negative", lambda: crdt.GCounter({"a": -1}), V, "counts['a'] must be a whole number >= 0"),
        ("zero", lambda: crdt.PNCounter().decrement("a", 0), V, "amount must be a positive integer, got 0"),
        ("nan", lambda: crdt.LWWRegister().assign(NAN, 1, "a"), V, "value must not be NaN"),
        ("nan", lambda: crdt.LWWRegister(NAN, 1, "a"), V, "value must not be NaN"),
        ("infinity", lambda: crdt.LWWRegister(1, INF, "a"), V, "timestamp must be a finite number, got inf"),
        ("empty", lambda: crdt.LWWRegister(1, 5, ""), V, "replica: a replica id must be a non-empty string"),
        ("nan", lambda: crdt.LWWRegister().assign(1, NAN, "a"), V, "timestamp must be a finite number, got nan"),
        ("nan", lambda: crdt.ORSet().add(NAN, "a"), V, "element must not be NaN"),
        ("infinity", lambda: crdt.LWWRegister().assign(1, INF, "a"), V, "timestamp must be a finite number, got inf"),
        ("type", lambda: crdt.GCounter().increment("a", 1.5), T, "amount must be a positive integer"),
        ("type", lambda: crdt.GCounter().increment("a", True), T, "amount must be a positive integer"),
        ("type", lambda: crdt.GCounter().increment(None), T, "replica: a replica id must be a non-empty string"),
        ("type", lambda: crdt.GCounter([1]), T, "counts must be a Mapping"),
        ("type", lambda: crdt.GCounter().merge({"a": 1}), T, "other must be a GCounter"),
        ("type", lambda: crdt.PNCounter(up=5), T, "up must be a GCounter"),
        ("type", lambda: crdt.PNCounter().merge(crdt.GCounter()), T, "other must be a PNCounter"),
        ("type", lambda: crdt.LWWRegister().assign(1, "now", "a"), T, "timestamp must be a finite number"),
        ("type", lambda: crdt.LWWRegister().merge(None), T, "other must be a LWWRegister"),
        ("type", lambda: crdt.ORSet().add([1], "a"), T, "element must be hashable"),
        ("type", lambda: crdt.ORSet().remove({}), T, "element must be hashable"),
        ("type", lambda: crdt.ORSet().merge(set()), T, "other must be a ORSet"),
        ("empty", lambda: crdt.ORSet().add("x", ""), V, "replica: a replica id must be a non-empty string"),
        ("empty", lambda: crdt.LWWRegister().assign(1, 1, ""), V, "replica: a replica id must be a non-empty string"),
        ("duplicate", lambda: crdt.LWWRegister().assign(1, 5, "a").assign(2, 5, "a"), V, "replica 'a' wrote two values at timestamp 5"),
    ],
    "geohash": [
        ("negative", lambda: geohash.encode(0, 0, -1), V, "precision must be between 1 and 12, got -1"),
        ("negative", lambda: _geo_index().within(0, 0, -1), V, "radius_m must be zero or more metres, got -1"),
        ("negative", lambda: geohash.search_precision(0, -1), V, "radius_m must be zero or more metres"),
        ("zero", lambda: geohash.encode(0, 0, 0), V, "precision must be between 1 and 12, got 0"),
        ("zero", lambda: geohash.cell_size(0), V, "precision must be between 1 and 12, got 0"),
        ("nan", lambda: geohash.encode(NAN, 0), V, "latitude must be between -90 and 90, got nan"),
        ("nan", lambda: geohash.search_precision(NAN, 10), V, "latitude must be between -90 and 90"),
        ("nan", lambda: _geo_index().within(0, 0, NAN), V, "radius_m must be zero or more metres"),
        ("infinity", lambda: geohash.encode(0, INF), V, "longitude must be between -180 and 180, got inf"),
        ("infinity", lambda: geohash.haversine_m(0, 0, -INF, 0), V, "lat2 must be between -90 and 90, got -inf"),
        ("type", lambda: geohash.encode("48", 2), T, "latitude must be between -90 and 90, got '48'"),
        ("type", lambda: geohash.encode(0, None), T, "longitude must be"),
        ("type", lambda: geohash.encode(0, 0, 9.0), T, "precision must be between 1 and 12"),
        ("type", lambda: geohash.encode(0, 0, True), T, "precision must be"),
        ("type", lambda: geohash.decode(None), T, "geohash must be a non-empty string"),
        ("type", lambda: geohash.neighbours(5), T, "geohash must be a non-empty string"),
        ("type", lambda: _geo_index().add(None, 0, 0), T, "point_id must be a non-empty string"),
        ("type", lambda: _geo_index().in_cell(None), T, "geohash must be a str"),
        ("type", lambda: _geo_index().within(0, 0, "1km"), T, "radius_m must be"),
        ("empty", lambda: geohash.decode(""), V, "geohash must be a non-empty string"),
        ("empty", lambda: _geo_index().add("", 0, 0), V, "point_id must be a non-empty string"),
        ("duplicate", lambda: _geo_index().add("x", 0, 0), V, "point 'x' is already in the index"),
        ("range", lambda: geohash.encode(91, 0), V, "latitude must be between -90 and 90, got 91"),
        ("range", lambda: geohash.cell_size(13), V, "precision must be between 1 and 12, got 13"),
        ("range", lambda: geohash.decode("u" * 13), V, "geohash must have 1 to 12 characters"),
        ("range", lambda: geohash.Cell(10, 0, 0, 1), V, "south <= north"),
        ("range", lambda: geohash.Cell(-91, 0, 0, 1), V, "south must be between -90 and 90, got -91"),
        ("nan", lambda: geohash.Cell(0, 1, 0, NAN), V, "east must be between -180 and 180, got nan"),
        ("type", lambda: geohash.decode("u0").contains("48", 2), T, "(latitude, longitude) must be numbers"),
        ("range", lambda: geohash.search_precision(91, 10), V, "latitude must be between -90 and 90, got 91"),
    ],
    "hyperloglog": [
        ("negative", lambda: hyperloglog.HyperLogLog(10, seed=-1), V, "seed must be between 0 and 2**128 - 1"),
        ("zero", lambda: hyperloglog.HyperLogLog(0), V, "precision must be between 4 and 18"),
        ("nan", lambda: hyperloglog.HyperLogLog(NAN), T, "precision must be between 4 and 18"),
        ("infinity", lambda: hyperloglog.HyperLogLog(INF), T, "precision must be"),
        ("type", lambda: hyperloglog.HyperLogLog(12.0), T, "precision must be"),
        ("type", lambda: hyperloglog.HyperLogLog(True), T, "precision must be"),
        ("type", lambda: hyperloglog.HyperLogLog(10, seed=1.5), T, "seed must be"),
        ("type", lambda: hyperloglog.HyperLogLog(4).add(None), T, "item must be a str or bytes"),
        ("type", lambda: hyperloglog.HyperLogLog(4).add(5), T, "item must be a str or bytes"),
        ("type", lambda: hyperloglog.HyperLogLog(4).update("abc"), T, "items must be a list"),
        ("type", lambda: hyperloglog.HyperLogLog(4).update([b"a", 3]), T, "item must be a str or bytes"),
        ("type", lambda: hyperloglog.HyperLogLog(4).merge({}), T, "other must be a HyperLogLog"),
        ("range", lambda: hyperloglog.HyperLogLog(19), V, "precision must be between 4 and 18 (16 to 262,144 registers), got 19"),
        ("range", lambda: hyperloglog.HyperLogLog(4).merge(hyperloglog.HyperLogLog(5)), V, "same precision and seed"),
    ],
    "job_scheduler": [
        ("negative", lambda: job_scheduler.run_worker(job_scheduler.JobScheduler(), print, lambda: True, idle_sleep=-1), V,
         "idle_sleep must be a finite number > 0"),
        ("zero", lambda: job_scheduler.run_worker(job_scheduler.JobScheduler(), print, lambda: True, idle_sleep=0), V,
         "idle_sleep must be a finite number > 0, got 0"),
        ("nan", lambda: job_scheduler.JobScheduler().schedule("x", NAN), V, "due_at must be a finite time, got nan"),
        ("infinity", lambda: job_scheduler.JobScheduler().schedule("x", INF), V, "due_at must be a finite time, got inf"),
        ("type", lambda: job_scheduler.JobScheduler().schedule("x", "soon"), T, "due_at must be a finite time"),
        ("type", lambda: job_scheduler.JobScheduler().schedule(None, 1), T, "name must be a non-empty string"),
        ("type", lambda: job_scheduler.JobScheduler(clock=5), T, "clock must be callable"),
        ("type", lambda: job_scheduler.run_worker(None, print, lambda: True), T, "scheduler must be a JobScheduler"),
        ("type", lambda: job_scheduler.run_worker(job_scheduler.JobScheduler(), None, lambda: True), T, "run must be callable"),
        ("type", lambda: job_scheduler.run_worker(job_scheduler.JobScheduler(), print, True), T, "should_stop must be callable"),
        ("empty", lambda: job_scheduler.JobScheduler().schedule("", 1), V, "name must be a non-empty string"),
    ],
    "location_load": [
        ("negative", lambda: location_load.LocationUpdates(drivers_online=-1), V, "drivers_online must be a whole number >= 1"),
        ("negative", lambda: location_load.LocationUpdates(overhead_bytes=-1), V, "overhead_bytes must be a whole number >= 0"),
        ("zero", lambda: location_load.LocationUpdates(drivers_online=0), V, "drivers_online must be a whole number >= 1, got 0"),
        ("zero", lambda: location_load.LocationUpdates(seconds_between_updates=0), V, "seconds_between_updates must be a finite number > 0"),
        ("zero", lambda: location_load.LocationUpdates(payload_bytes=0), V, "payload_bytes must be a whole number >= 1"),
        ("zero", lambda: location_load.LocationUpdates(index_bytes_per_driver=0), V, "index_bytes_per_driver must be"),
        ("nan", lambda: location_load.LocationUpdates(seconds_between_updates=NAN), V, "seconds_between_updates must be"),
        ("infinity", lambda: location_load.LocationUpdates(seconds_between_updates=INF), V, "seconds_between_updates must be a finite"),
        ("type", lambda: location_load.LocationUpdates(drivers_online=1.5), T, "drivers_online must be"),
        ("type", lambda: location_load.LocationUpdates(drivers_online=True), T, "drivers_online must be"),
        ("type", lambda: location_load.LocationUpdates(seconds_between_updates="4"), T, "seconds_between_updates must be"),
    ],
    "nearby": [
        ("negative", lambda: nearby.search_cells(0, 0, -1), V, "radius_m must be zero or more metres, got -1"),
        ("nan", lambda: nearby.search_cells(NAN, 0, 100), V, "latitude must be between -90 and 90, got nan"),
        ("nan", lambda: nearby.search_cells(0, NAN, 100), V, "longitude must be between -180 and 180, got nan"),
        ("nan", lambda: nearby.search_cells(0, 0, NAN), V, "radius_m must be zero or more metres"),
        ("infinity", lambda: nearby.search_cells(0, INF, 100), V, "longitude must be between -180 and 180, got inf"),
        ("type", lambda: nearby.search_cells("0", 0, 100), T, "latitude must be"),
        ("type", lambda: nearby.search_cells(0, 0, None), T, "radius_m must be"),
        ("range", lambda: nearby.search_cells(91, 0, 100), V, "latitude must be between -90 and 90, got 91"),
        ("range", lambda: nearby.search_cells(0, 181, 100), V, "longitude must be between -180 and 180, got 181"),
    ],
    "positional_index": [
        ("negative", lambda: positional_index.PositionalIndex(max_doc=-1), V, "max_doc must be a whole number >= 0"),
        ("negative", lambda: positional_index.PositionalIndex().phrase("a", max_doc=-1), V, "max_doc must be a whole number >= 0"),
        ("negative", lambda: positional_index.PositionalIndex().publish(-1), V, "doc_id must be a written doc ID from 0 to 0"),
        ("zero", lambda: positional_index.PositionalIndex().append(0, "a"), V, "expected 1, got 0"),
        ("type", lambda: positional_index.PositionalIndex().append(1.0, "a"), T, "doc_id must be a whole number"),
        ("type", lambda: positional_index.PositionalIndex().append(True, "a"), T, "doc_id must be a whole number"),
        ("type", lambda: positional_index.PositionalIndex().append(1, None), T, "text must be a str"),
        ("type", lambda: positional_index.PositionalIndex().phrase(None), T, "query must be a str"),
        ("type", lambda: positional_index.PositionalIndex(postings=[]), T, "postings must be a dict"),
        ("type", lambda: positional_index.tokenize(5), T, "text must be a str"),
        ("nan", lambda: positional_index.PositionalIndex().append(NAN, "a"), T, "doc_id must be a whole number"),
        ("infinity", lambda: positional_index.PositionalIndex().publish(INF), T, "doc_id must be a written doc ID"),
        ("duplicate", lambda: _with(positional_index.PositionalIndex(), lambda i: i.append(1, "a"),
                                    lambda i: i.append(1, "b")), V, "doc_id 1 is already written"),
        ("range", lambda: positional_index.PositionalIndex().append(2, "a"), V, "expected 1, got 2"),
        ("range", lambda: positional_index.PositionalIndex().publish(5), V, "doc_id must be a written doc ID from 0 to 0, got 5"),
    ],
    "quadtree": [
        ("negative", lambda: quadtree.QuadTree(quadtree.Box(0, 0, 1, 1), capacity=-1), V, "capacity must be a whole number >= 1"),
        ("negative", lambda: quadtree.QuadTree(quadtree.Box(0, 0, 1, 1), max_depth=-1), V, "max_depth must be a whole number in [0, 64]"),
        ("negative", lambda: _tree().in_circle(1, 1, -1), V, "radius must be 0 or more, got -1"),
        ("negative", lambda: _tree().nearest(1, 1, -1), V, "k must be a whole number >= 1"),
        ("zero", lambda: quadtree.QuadTree(quadtree.Box(0, 0, 1, 1), capacity=0), V, "capacity must be a whole number >= 1, got 0"),
        ("zero", lambda: _tree().nearest(1, 1, 0), V, "k must be a whole number >= 1, got 0"),
        ("nan", lambda: quadtree.Box(0, 0, NAN, 1), V, "x1 must be a finite number"),
        ("nan", lambda: _tree().in_circle(NAN, 1, 1), V, "centre must be finite, got (cx, cy) = (nan, 1)"),
        ("nan", lambda: _tree().insert(NAN, 1, "b"), V, "point (nan, 1) is outside the tree's box"),
        ("infinity", lambda: quadtree.Box(0, -INF, 1, 1), V, "y0 must be a finite number"),
        ("infinity", lambda: _tree().nearest(INF, 1, 1), V, "centre must be finite, got (x, y) = (inf, 1)"),
        ("type", lambda: quadtree.Box("0", 0, 1, 1), T, "x0 must be a finite number"),
        ("type", lambda: quadtree.QuadTree((0, 0, 1, 1)), T, "box must be a Box"),
        ("type", lambda: quadtree.QuadTree(quadtree.Box(0, 0, 1, 1), capacity=True), T, "capacity must be"),
        ("type", lambda: quadtree.QuadTree(quadtree.Box(0, 0, 1, 1), max_depth=2.0), T, "max_depth must be"),
        ("type", lambda: _tree().insert("1", 2, "b"), T, "point (x, y) must be numbers"),
        ("type", lambda: _tree().insert(1, 2, ["b"]), T, "item must be hashable"),
        ("type", lambda: _tree().in_circle("1", 1, 1), T, "centre must be finite numbers, got (cx, cy) = ('1', 1)"),
        ("type", lambda: _tree().nearest(1, 1, 1.5), T, "k must be a whole number"),
        ("type", lambda: _tree().in_box(None), T, "box must be a Box"),
        ("type", lambda: quadtree.Box(0, 0, 1, 1).intersects((0, 0, 1, 1)), T, "other must be a Box"),
        ("type", lambda: quadtree.Box(0, 0, 1, 1).distance_to(None, 0), T, "point must be finite numbers, got (x, y) = (None, 0)"),
        ("type", lambda: quadtree.Box(0, 0, 1, 1).contains("1", 0), T, "point (x, y) must be numbers"),
        ("range", lambda: quadtree.QuadTree(quadtree.Box(0, 0, 1, 1), max_depth=5_000), V,
         "max_depth must be a whole number in [0, 64], got 5000"),
        ("range", lambda: quadtree.Box(5, 0, 1, 1), V, "box must have x0 <= x1"),
        ("range", lambda: _tree().insert(65, 1, "b"), V, "is outside the tree's box"),
    ],
    "raft": [
        ("negative", lambda: raft.Node(-1, 3, random.Random(0)), V, "need 0 <= node_id < cluster_size"),
        ("negative", lambda: _node().tick(-1), V, "now must be a whole number >= 0"),
        ("negative", lambda: _node().term_at(-1), V, "index must be a whole number in [0, 0]"),
        ("negative", lambda: _cluster().crash(-1), V, "node must be a whole number in [0, 2]"),
        ("negative", lambda: raft.Cluster(3, loss=-0.1), V, "need 0 <= loss < 1"),
        ("negative", lambda: _cluster().random_faults(crash=-0.1), V, "crash must be a probability from 0 to 1"),
        ("zero", lambda: raft.Cluster(size=0), V, "size must be a whole number >= 1, got 0"),
        ("zero", lambda: raft.Cluster(3, max_delay=0), V, "max_delay >= 1"),
        ("zero", lambda: raft.Node(0, 3, random.Random(0), heartbeat_interval=0), V, "heartbeat_interval < election timeout"),
        ("nan", lambda: raft.Cluster(3, loss=NAN), V, "loss must be a finite number, got nan"),
        ("nan", lambda: _cluster().random_faults(heal=NAN), V, "heal must be a probability"),
        ("infinity", lambda: raft.Cluster(3, duplication=INF), V, "duplication must be a finite number"),
        ("type", lambda: raft.Node(0.0, 3, random.Random(0)), T, "node_id must be a whole number"),
        ("type", lambda: raft.Node(0, 3, None), T, "rng.randint must be callable"),
        ("type", lambda: raft.Node(0, 3, random.Random(0), election_timeout=(10,)), T, "election_timeout must be a (low, high) pair"),
        ("type", lambda: raft.Node(0, 3, random.Random(0), heartbeat_interval=1.5), T, "heartbeat_interval must be"),
        ("type", lambda: _node().tick(NAN), T, "now must be a whole number"),
        ("type", lambda: _node().submit(None, 0), T, "command must be a str"),
        ("negative", lambda: _node().receive(raft.Vote(1, 1, True), -1), V, "now must be a whole number >= 0"),
        ("type", lambda: _node().receive("hello", 0), T, "message must be a RequestVote or Vote or AppendEntries or AppendReply"),
        ("type", lambda: raft.Cluster(size=True), T, "size must be"),
        ("type", lambda: raft.Cluster(3, seed=1.5), T, "seed must be a whole number"),
        ("type", lambda: raft.Cluster(3, loss="none"), T, "loss must be"),
        ("type", lambda: raft.Cluster(3, node_class=int), T, "node_class must be Node or a subclass"),
        ("type", lambda: _cluster().crash(None), T, "node must be"),
        ("type", lambda: _cluster().partition([0]), T, "each group must be a set"),
        ("duplicate", lambda: _cluster().partition({0, 1}, {1, 2}), V, "node 1 is in two groups of the partition"),
        ("range", lambda: raft.Node(3, 3, random.Random(0)), V, "need 0 <= node_id < cluster_size"),
        ("range", lambda: _cluster().submit(3, "x"), V, "node must be a whole number in [0, 2], got 3"),
        ("range", lambda: _cluster().restart(7), V, "node must be a whole number in [0, 2], got 7"),
        ("range", lambda: _cluster().partition({5}), V, "a node in a group must be a whole number in [0, 2], got 5"),
        ("range", lambda: _cluster().random_faults(partition=1.5), V, "partition must be a probability from 0 to 1"),
    ],
    "rate_limiters": [
        *((kind, lambda limiter=limiter, args=args: limiter(*args, clock=lambda: 0.0), error, fragment)
          for limiter, count, per in [(rate_limiters.FixedWindow, "limit", "window"),
                                      (rate_limiters.SlidingWindowLog, "limit", "window"),
                                      (rate_limiters.SlidingWindowCounter, "limit", "window"),
                                      (rate_limiters.TokenBucket, "capacity", "rate"),
                                      (rate_limiters.LeakyBucket, "capacity", "rate")]
          for kind, args, error, fragment in [
              ("negative", (-1, 1.0), V, f"{count} must be positive and finite, got -1"),
              ("zero", (0, 1.0), V, f"{count} must be positive and finite, got 0"),
              ("type", (True, 1.0), T, f"{count} must be a whole number, got True"),
              ("type", ("4", 1.0), T, f"{count} must be a whole number, got '4'"),
              ("negative", (4, -1.0), V, f"{per} must be positive and finite, got -1.0"),
              ("zero", (4, 0.0), V, f"{per} must be positive and finite, got 0.0"),
              ("nan", (4, NAN), V, f"{per} must be positive and finite, got nan"),
              ("infinity", (4, INF), V, f"{per} must be positive and finite, got inf"),
              ("type", (4, "1s"), T, f"{per} must be positive and finite, got '1s'"),
          ]),
        ("type", lambda: rate_limiters.TokenBucket(4, 1.0, clock=None), T, "clock must be callable"),
        ("type", lambda: rate_limiters.PerClient(None), T, "new_limiter must be callable"),
        ("type", lambda: rate_limiters.PerClient(lambda: rate_limiters.TokenBucket(1, 1.0)).allow(None), T,
         "client must be a non-empty string"),
        ("empty", lambda: rate_limiters.PerClient(lambda: rate_limiters.TokenBucket(1, 1.0)).allow(""), V,
         "client must be a non-empty string"),
    ],
    "saga": [
        ("negative", lambda: saga.purchase(fail_at=-1), V, "fail_at must be a whole number in [0, 3], got -1"),
        ("negative", lambda: saga.Saga([saga.Inventory()], saga.Network(), attempts=-1), V, "attempts must be a whole number >= 1"),
        ("zero", lambda: saga.purchase(attempts=0), V, "attempts must be a whole number >= 1, got 0"),
        ("type", lambda: saga.purchase(attempts=1.5), T, "attempts must be"),
        ("type", lambda: saga.purchase(attempts=True), T, "attempts must be"),
        ("nan", lambda: saga.purchase(attempts=NAN), T, "attempts must be a whole number >= 1"),
        ("infinity", lambda: saga.purchase(fail_at=INF), T, "fail_at must be"),
        ("type", lambda: saga.purchase(fail_at=1.0), T, "fail_at must be"),
        ("type", lambda: saga.Network("ok"), T, "fates must be a list"),
        ("type", lambda: saga.Saga([object()], saga.Network()), T, "each of services must be a Service"),
        ("type", lambda: saga.Saga([saga.Inventory()], None), T, "network must be a Network"),
        ("type", lambda: saga.Service("x", reject="yes"), T, "reject must be a bool"),
        ("type", lambda: saga.Service(None), T, "name must be a non-empty string"),
        ("type", lambda: saga.Inventory().do(None), T, "key must be a non-empty string"),
        ("type", lambda: saga.Network().deliver(None, "k"), T, "operation must be callable"),
        ("type", lambda: saga.business_state(saga.purchase()[1], None), T, "key must be a non-empty string"),
        ("empty", lambda: saga.Saga([], saga.Network()), V, "services must hold at least one Service"),
        ("empty", lambda: saga.purchase()[0].run(""), V, "key must be a non-empty string"),
        ("duplicate", lambda: saga.Saga([saga.Inventory(), saga.Inventory()], saga.Network()), V,
         "the names of services must not repeat, got 'reserve seat' twice"),
        ("range", lambda: saga.Network(["ok", "maybe"]), V, "each fate must be one of 'ok', 'lost', 'no_reply', 'duplicate', got 'maybe'"),
        ("range", lambda: saga.Network([None]), V, "each fate must be one of"),
        ("range", lambda: saga.purchase(fates=["timeout"]), V, "each fate must be one of"),
        ("type", lambda: saga.purchase(fates=-1), T, "fates must be a list"),
        ("type", lambda: saga.purchase(fates="ok"), T, "fates must be a list"),
        ("range", lambda: saga.purchase(fail_at=4), V, "fail_at must be a whole number in [0, 3], got 4"),
        ("range", lambda: saga.business_state(saga.purchase()[1][:3], "k"), V, "services must be the purchase's"),
    ],
    "shortest_path": [
        ("negative", lambda: shortest_path.dijkstra({"a": {"b": -1}}, "a"), V, "edge 'a' -> 'b' has weight -1"),
        ("negative", lambda: shortest_path.shortest({"a": {"b": 1}}, "a", "b", heuristic=lambda n: -1), V,
         "heuristic('a') must be a finite number >= 0, got -1"),
        ("nan", lambda: shortest_path.dijkstra({"a": {"b": NAN}}, "a"), V, "edge 'a' -> 'b' has weight nan"),
        ("nan", lambda: shortest_path.a_star({"a": {"b": 1}}, "a", heuristic=lambda n: NAN), V, "heuristic('a') must be"),
        ("infinity", lambda: shortest_path.dijkstra({"a": {"b": INF}}, "a"), V, "edge 'a' -> 'b' has weight inf"),
        ("type", lambda: shortest_path.dijkstra({"a": {"b": "1"}}, "a"), T, "edge 'a' -> 'b' has weight '1'"),
        ("type", lambda: shortest_path.dijkstra({"a": {"b": True}}, "a"), T, "edge 'a' -> 'b' has weight True"),
        ("type", lambda: shortest_path.dijkstra(None, "a"), T, "graph must be a Mapping"),
        ("type", lambda: shortest_path.dijkstra({"a": 5}, "a"), T, "graph['a'] must be a Mapping"),
        ("type", lambda: shortest_path.dijkstra({"a": {}}, ["a"]), T, "node must be hashable"),
        ("type", lambda: shortest_path.a_star({"a": {}}, "a", heuristic=None), T, "heuristic must be callable"),
        ("type", lambda: shortest_path.dijkstra({"a": {}}, "a").path_to([]), T, "target must be hashable"),
        ("empty", lambda: shortest_path.dijkstra({}, "a"), V, "node 'a' is not in the graph"),
        ("negative", lambda: shortest_path.Search({}, {}, -1), V, "expanded must be a whole number >= 0"),
        ("type", lambda: shortest_path.Search([], {}, 0), T, "distance must be a dict"),
        ("range", lambda: shortest_path.shortest({"a": {"b": 1}}, "a", "z"), V, "node 'z' is not in the graph"),
    ],
    "simhash": [
        ("negative", lambda: simhash.shingles("a b", width=-1), V, "width must be a whole number >= 1"),
        ("negative", lambda: simhash.fingerprint({"a": -1}), V, "weight of 'a' must be a finite number > 0"),
        ("negative", lambda: simhash.hamming(-1, 0), V, "a must be a fingerprint, a 64-bit integer"),
        ("negative", lambda: simhash.NearDuplicateIndex(-1), V, "max_distance must be a whole number from 0 to 63"),
        ("negative", lambda: _near().add("b", -1), V, "value must be a fingerprint, a 64-bit integer, got -1"),
        ("zero", lambda: simhash.shingles("a b", width=0), V, "width must be a whole number >= 1, got 0"),
        ("zero", lambda: simhash.fingerprint({"a": 0}), V, "weight of 'a' must be a finite number > 0, got 0"),
        ("nan", lambda: simhash.fingerprint({"a": NAN}), V, "weight of 'a' must be"),
        ("infinity", lambda: simhash.fingerprint({"a": INF}), V, "weight of 'a' must be a finite number"),
        ("type", lambda: simhash.fingerprint({"a": True}), T, "weight of 'a' must be"),
        ("type", lambda: simhash.fingerprint({"a": "1"}), T, "weight of 'a' must be"),
        ("type", lambda: simhash.fingerprint(None), T, "features must be a list"),
        ("type", lambda: simhash.fingerprint([5]), T, "each feature must be a str"),
        ("type", lambda: simhash.shingles(None), T, "text must be a str"),
        ("type", lambda: simhash.shingles("a b", width=True), T, "width must be"),
        ("type", lambda: simhash.hamming(1.5, 0), T, "a must be a fingerprint"),
        ("type", lambda: simhash.NearDuplicateIndex(2.0), T, "max_distance must be"),
        ("type", lambda: _near().add("b", 1.5), T, "value must be a fingerprint"),
        ("type", lambda: _near().add(None, 1), T, "doc_id must be a non-empty string"),
        ("type", lambda: _near().near("x"), T, "value must be a fingerprint"),
        ("empty", lambda: simhash.simhash(" ... "), V, "the text has no words to fingerprint"),
        ("empty", lambda: simhash.fingerprint([]), V, "there are no features to fingerprint"),
        ("empty", lambda: _near().add("", 1), V, "doc_id must be a non-empty string"),
        ("duplicate", lambda: _near().add("a", 7), V, "document 'a' is already indexed"),
        ("range", lambda: simhash.hamming(0, 2**64), V, "b must be a fingerprint, a 64-bit integer"),
        ("range", lambda: simhash.NearDuplicateIndex(64), V, "max_distance must be a whole number from 0 to 63, got 64"),
    ],
    "snowflake": [
        ("negative", lambda: snowflake.SnowflakeIds(-1), V, "machine must be 0 to 1023, got -1"),
        ("negative", lambda: snowflake.parse(-1), V, "snowflake_id must be a 63-bit ID"),
        ("negative", lambda: snowflake.SnowflakeIds(1, clock=lambda: -5).next_id(), OverflowError, "outside the 41-bit range"),
        ("nan", lambda: snowflake.SnowflakeIds(NAN), T, "machine must be 0 to 1023"),
        ("nan", lambda: snowflake.SnowflakeIds(1, clock=lambda: NAN).next_id(), T, "clock() must be whole milliseconds"),
        ("infinity", lambda: snowflake.SnowflakeIds(INF), T, "machine must be"),
        ("type", lambda: snowflake.SnowflakeIds(1.5), T, "machine must be"),
        ("type", lambda: snowflake.SnowflakeIds(True), T, "machine must be"),
        ("type", lambda: snowflake.SnowflakeIds(None), T, "machine must be"),
        ("type", lambda: snowflake.SnowflakeIds(1, clock=5), T, "clock must be callable"),
        ("type", lambda: snowflake.SnowflakeIds(1, clock=lambda: 1.8e12).next_id(), T, "clock() must be whole milliseconds"),
        ("type", lambda: snowflake.parse("1"), T, "snowflake_id must be"),
        ("range", lambda: snowflake.SnowflakeIds(1024), V, "machine must be 0 to 1023, got 1024"),
        ("range", lambda: snowflake.parse(2**63), V, "snowflake_id must be a 63-bit ID"),
    ],
    "trie": [
        ("negative", lambda: trie.Trie(-1), V, "max_suggestions must be at least 1, got -1"),
        ("negative", lambda: trie.Trie().add("a", -1), V, "weight must be a positive integer, got -1"),
        ("zero", lambda: trie.Trie(0), V, "max_suggestions must be at least 1, got 0"),
        ("zero", lambda: trie.Trie().add("a", 0), V, "weight must be a positive integer, got 0"),
        ("zero", lambda: trie.Trie().suggest("a", 0), V, "k must be between 1 and 10, got 0"),
        ("nan", lambda: trie.Trie().add("a", NAN), T, "weight must be a positive integer, got nan"),
        ("infinity", lambda: trie.Trie().add("a", INF), T, "weight must be a positive integer, got inf"),
        ("type", lambda: trie.Trie(1.5), T, "max_suggestions must be"),
        ("type", lambda: trie.Trie(True), T, "max_suggestions must be"),
        ("type", lambda: trie.Trie().add(None), T, "word must be a str"),
        ("type", lambda: trie.Trie().add("a", True), T, "weight must be a positive integer"),
        ("type", lambda: trie.Trie().suggest(None), T, "prefix must be a str"),
        ("type", lambda: trie.Trie().suggest("a", 1.5), T, "k must be between 1 and 10"),
        ("type", lambda: trie.Trie().weight(None), T, "word must be a str"),
        ("empty", lambda: trie.Trie().add(""), V, "cannot add an empty word"),
        ("range", lambda: trie.Trie(2).suggest("a", 3), V, "k must be between 1 and 2, got 3"),
    ],
    "two_phase_commit": [
        ("type", lambda: tpc.Participant(None), T, "name must be a non-empty string"),
        ("type", lambda: tpc.Participant("a", vote=None), V, "vote must be one of 'yes', 'no', got None"),
        ("type", lambda: tpc.Participant("a", vote=True), V, "vote must be one of 'yes', 'no', got True"),
        ("type", lambda: tpc.Coordinator(None), T, "participants must be a list"),
        ("type", lambda: tpc.Coordinator(["orders"]), T, "each of participants must be a Participant"),
        ("type", lambda: _ran().run(None), T, "txid must be a non-empty string"),
        ("type", lambda: _participants("a")[0].finish(None, tpc.COMMIT), T, "txid must be a non-empty string"),
        ("type", lambda: _participants("a")[0].recover(None), T, "coordinator must be a Coordinator"),
        ("type", lambda: _participants("a")[0].terminate("t1", [None]), T, "each of peers must be a Participant"),
        ("type", lambda: _participants("a")[0].status(5), T, "txid must be a non-empty string"),
        ("empty", lambda: tpc.Participant(""), V, "name must be a non-empty string"),
        ("empty", lambda: tpc.Coordinator([]), V, "participants must hold at least one Participant"),
        ("empty", lambda: _ran().run(""), V, "txid must be a non-empty string"),
        ("duplicate", lambda: _ran("t1").run("t1"), V, "txid 't1' was already used by the coordinator"),
        ("duplicate", lambda: _with(_participants("a")[0], lambda p: p.begin("t1"), lambda p: p.begin("t1")), V,
         "txid 't1' was already used by participant 'a'"),
        ("duplicate", lambda: tpc.Coordinator(_participants("a", "a")), V, "the names of participants must not repeat, got 'a' twice"),
        ("range", lambda: tpc.Participant("a", vote="maybe"), V, "vote must be one of 'yes', 'no', got 'maybe'"),
        ("range", lambda: tpc.Participant("a", vote="YES"), V, "vote must be one of 'yes', 'no', got 'YES'"),
        ("range", lambda: tpc.Participant("a", crash="sometime"), V, "crash must be one of None, 'before_vote', 'after_vote'"),
        ("range", lambda: tpc.Coordinator(_participants("a"), crash="later"), V, "crash must be one of None, 'after_prepare'"),
        ("range", lambda: _participants("a")[0].finish("t1", "maybe"), V, "outcome must be one of 'commit', 'abort', got 'maybe'"),
    ],
}

CASES = [
    pytest.param(call, error, fragment, id=f"{module}-{kind}-{number}")
    for module, rows in BAD.items()
    for number, (kind, call, error, fragment) in enumerate(rows)
]


@pytest.mark.parametrize(("call", "error", "fragment"), CASES)
def test_bad_input_is_refused_with_a_message_that_names_the_argument(call, error, fragment):
    with pytest.raises(error, match=re.escape(fragment)) as raised:
        call()
    if error is ValueError:  # a bad value, not a bad type
        assert not isinstance(raised.value, TypeError)


def test_every_module_has_bad_input_cases():
    import pkgutil

    import algorithms

    modules = {m.name for m in pkgutil.iter_modules(algorithms.__path__) if not m.name.startswith("_")}
    assert modules == set(BAD)


def test_every_module_is_tested_with_wrong_types_and_each_number_class_that_applies():
    kinds = {module: {row[0] for row in rows} for module, rows in BAD.items()}
    assert all("type" in found for found in kinds.values()), kinds
    numeric = {m for m in BAD if m not in ("two_phase_commit", "saga", "caches", "consistent_hashing", "shortest_path")}
    assert all({"negative", "zero"} & kinds[m] for m in numeric), kinds


# --- The bugs the issue named, each with what must still hold after the refusal ----------


@pytest.mark.parametrize("vote", ["maybe", None, "", "YES", 1, True])
def test_a_2pc_vote_must_be_exactly_yes_or_no_even_when_changed_later(vote):
    with pytest.raises(ValueError, match="vote must be one of 'yes', 'no'"):
        tpc.Participant("stock", vote=vote)
    # Before: any vote but "no" counted as yes, and the transaction committed.
    stock = tpc.Participant("stock")
    coordinator = tpc.Coordinator([tpc.Participant("orders"), stock])
    stock.vote = vote
    with pytest.raises(ValueError, match="vote must be one of 'yes', 'no'"):
        coordinator.run("t1")
    assert stock.status("t1") != tpc.COMMIT


def test_reusing_a_transaction_id_is_refused_and_a_committed_participant_stays_committed():
    orders, stock = tpc.Participant("orders"), tpc.Participant("stock")
    coordinator = tpc.Coordinator([orders, stock])
    assert coordinator.run("t1") == tpc.COMMIT
    stock.vote = tpc.NO
    # Before: the second run logged prepared again, the "no" aborted it, and the committed
    # participants read abort from then on.
    with pytest.raises(ValueError, match="txid 't1' was already used by the coordinator"):
        coordinator.run("t1")
    assert orders.status("t1") == stock.status("t1") == tpc.COMMIT
    assert coordinator.decisions == {"t1": tpc.COMMIT}
    # A second coordinator with the same participants cannot reuse it either.
    second = tpc.Coordinator([orders, stock])
    with pytest.raises(ValueError, match="txid 't1' was already used by participant 'orders'"):
        second.run("t1")
    assert orders.status("t1") == tpc.COMMIT
    assert second.started == [] and second.decisions == {}  # refused before anything was logged
    assert coordinator.run("t2") == tpc.ABORT  # a new ID is fine


@pytest.mark.parametrize("fate", ["maybe", "timeout", None, "OK"])
def test_an_unknown_saga_fate_is_refused_not_counted_as_success(fate):
    with pytest.raises(ValueError, match="each fate must be one of"):
        saga.purchase(fates=["ok", fate])
    orchestrator, services = saga.purchase()
    orchestrator.network.fates.append(fate)  # added after the network was made
    with pytest.raises(ValueError, match=f"fate must be one of .*got {re.escape(repr(fate))}"):
        orchestrator.run("k1")
    assert services[0].effects == []  # the step was never delivered


@pytest.mark.parametrize(("latitude", "longitude"), [(91.0, 0.0), (NAN, 0.0), (0.0, NAN), (-90.5, 10.0)])
def test_nearby_refuses_a_bad_point_instead_of_reading_every_row(latitude, longitude):
    # Before: search_cells returned [""], the prefix of every row.
    with pytest.raises(ValueError, match="must be between"):
        nearby.search_cells(latitude, longitude, 1_000)
    assert nearby.search_cells(90.0, 0.0, 1_000) == [""]  # a real pole still reads everything


def test_a_quadtree_depth_is_bounded_and_the_deepest_tree_splits_without_recursion_error():
    with pytest.raises(ValueError, match=r"max_depth must be a whole number in \[0, 64\], got 2000"):
        quadtree.QuadTree(quadtree.Box(0, 0, 1, 1), capacity=1, max_depth=2000)
    tree = quadtree.QuadTree(quadtree.Box(0, 0, 1, 1), capacity=1, max_depth=quadtree.MAX_DEPTH)
    for i in range(10):
        tree.insert(0.3, 0.3, i)  # copies of one point split down to the depth limit
    assert max(leaf.depth for leaf in tree.leaves()) == quadtree.MAX_DEPTH
    assert sorted(tree.in_circle(0.3, 0.3, 0.0)) == list(range(10))


def test_a_nan_in_a_crdt_register_is_named_as_the_value_not_blamed_on_the_clock():
    with pytest.raises(ValueError, match="value must not be NaN") as raised:
        crdt.LWWRegister().assign(NAN, 1.0, "a")
    assert "clock" not in str(raised.value)
    register = crdt.LWWRegister().assign(1.0, 1.0, "a")
    assert register.merge(crdt.LWWRegister(1.0, 1.0, "a")) == register  # copies of one write merge


def test_location_load_checks_its_figures():
    with pytest.raises(ValueError, match="seconds_between_updates must be a finite number > 0, got 0"):
        location_load.LocationUpdates(seconds_between_updates=0)
    assert location_load.LocationUpdates().writes_per_second == 250_000


def test_a_refused_append_leaves_the_positional_index_as_it_was():
    index = positional_index.PositionalIndex()
    index.append(1, "world cup")
    postings = {term: list(p) for term, p in index.postings.items()}
    with pytest.raises(ValueError, match="doc_id 1 is already written"):
        index.append(1, "world cup final")
    assert index.postings == postings
    index.publish(1)
    assert index.phrase("world cup") == [1]


def test_bool_is_not_a_count():
    for call in (lambda: caches.LRUCache(True), lambda: trie.Trie(True), lambda: base62.encode(True),
                 lambda: hyperloglog.HyperLogLog(True), lambda: crdt.GCounter().increment("a", True)):
        with pytest.raises(TypeError):
            call()


MORE = {
    "abr": [
        ("negative", lambda: abr.Segment(-1, 4.0, 0.0), V, "rendition must be a whole number >= 0"),
        ("nan", lambda: abr.Segment(0, NAN, 0.0), V, "buffer_s must be"),
        ("type", lambda: abr.Segment(0, 4.0, "none"), T, "stall_s must be"),
    ],
    "caches": [
        ("type", lambda: [1] in caches.LFUCache(2), T, "key must be hashable"),
    ],
    "crdt": [
        ("type", lambda: [1] in crdt.ORSet(), T, "element must be hashable"),
        ("type", lambda: crdt.ORSet(entries={1}), T, "entries must be a frozenset"),
    ],
    "job_scheduler": [
        ("nan", lambda: job_scheduler.Job(NAN, 0, "x"), V, "due_at must be a finite time"),
        ("negative", lambda: job_scheduler.Job(1.0, -1, "x"), V, "sequence must be a whole number >= 0"),
        ("nan", lambda: _with(job_scheduler.JobScheduler(clock=lambda: NAN), lambda s: s.schedule("x", 1.0),
                              lambda s: s.claim_due()), V, "clock() must be a finite time, got nan"),
        ("type", lambda: _with(job_scheduler.JobScheduler(clock=lambda: "now"), lambda s: s.schedule("x", 1.0),
                               lambda s: s.claim_due()), T, "clock() must be a finite time"),
    ],
    "rate_limiters": [
        ("nan", lambda: rate_limiters.FixedWindow(4, 1.0, clock=lambda: NAN).allow(), V, "clock() must be a finite number of seconds"),
        ("infinity", lambda: rate_limiters.TokenBucket(4, 1.0, clock=lambda: INF), V, "clock() must be"),
        ("type", lambda: rate_limiters.SlidingWindowLog(4, 1.0, clock=lambda: None).allow(), T, "clock() must be"),
    ],
    "raft": [
        ("negative", lambda: _node().reset_election_timer(-1), V, "now must be a whole number >= 0"),
        ("negative", lambda: _node().log_is_up_to_date(-1, 0), V, "last_index must be a whole number >= 0"),
        ("negative", lambda: _node().broadcast(-1), V, "now must be a whole number >= 0"),
        ("type", lambda: _node().on_vote(raft.RequestVote(1, 1, 0, 0), 0), T, "vote must be a Vote"),
        ("type", lambda: _node().on_request_vote(None, 0), T, "request must be a RequestVote"),
        ("type", lambda: _node().on_append_entries(raft.Vote(1, 1, True), 0), T, "request must be a AppendEntries"),
        ("type", lambda: _node().on_append_reply("ok", 0), T, "reply must be a AppendReply"),
        ("type", lambda: _node().has_majority([0, 1]), T, "nodes must be a set"),
        ("range", lambda: _node().may_vote_for(3), V, "candidate must be a whole number in [0, 2], got 3"),
        ("range", lambda: _node().append_entries_for(1), V, "peer must be a peer this leader tracks"),
    ],
    "simhash": [
        ("type", lambda: simhash.feature_hash(None), T, "feature must be a str"),
    ],
    "trie": [
        ("type", lambda: 5 in trie.Trie(), T, "word must be a str"),
    ],
}

MORE_CASES = [
    pytest.param(call, error, fragment, id=f"{module}-{kind}-more{number}")
    for module, rows in MORE.items()
    for number, (kind, call, error, fragment) in enumerate(rows)
]


@pytest.mark.parametrize(("call", "error", "fragment"), MORE_CASES)
def test_records_clocks_and_protocol_steps_refuse_bad_input_by_name(call, error, fragment):
    test_bad_input_is_refused_with_a_message_that_names_the_argument(call, error, fragment)
