"""LRU, LFU and FIFO caches behave exactly like a simple reference model over random
operation sequences (stateful property tests), and their operations take constant time."""

import time
from dataclasses import dataclass

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from algorithms.caches import FIFOCache, LFUCache, LRUCache


@dataclass
class Entry:
    value: int
    inserted_at: int
    last_used_at: int
    uses: int


class ReferenceCache:
    """Obviously correct and slow: scan every entry for the victim."""

    VICTIM_ORDER = {
        "lru": lambda entry: entry.last_used_at,
        "lfu": lambda entry: (entry.uses, entry.last_used_at),
        "fifo": lambda entry: entry.inserted_at,
    }

    def __init__(self, policy: str, capacity: int) -> None:
        self.victim_order = self.VICTIM_ORDER[policy]
        self.capacity = capacity
        self.entries: dict[int, Entry] = {}
        self.clock = 0

    def get(self, key):
        self.clock += 1
        if key not in self.entries:
            return None
        entry = self.entries[key]
        entry.last_used_at, entry.uses = self.clock, entry.uses + 1
        return entry.value

    def put(self, key, value):
        self.clock += 1
        if key in self.entries:
            entry = self.entries[key]
            entry.value, entry.last_used_at, entry.uses = value, self.clock, entry.uses + 1
            return None
        evicted = None
        if len(self.entries) == self.capacity:
            victim = min(self.entries, key=lambda k: self.victim_order(self.entries[k]))
            evicted = (victim, self.entries.pop(victim).value)
        self.entries[key] = Entry(value, self.clock, self.clock, 1)
        return evicted


def machine_for(policy: str, cache_class):
    class CacheMatchesReference(RuleBasedStateMachine):
        cache = None

        @initialize(capacity=st.integers(min_value=1, max_value=4))
        def create(self, capacity):
            self.cache = cache_class(capacity)
            self.model = ReferenceCache(policy, capacity)

        # Few keys for the capacity, so that hits, updates and evictions all happen.
        @precondition(lambda self: self.cache is not None)
        @rule(key=st.integers(min_value=0, max_value=6), value=st.integers())
        def put(self, key, value):
            assert self.cache.put(key, value) == self.model.put(key, value)

        @precondition(lambda self: self.cache is not None)
        @rule(key=st.integers(min_value=0, max_value=6))
        def get(self, key):
            assert self.cache.get(key) == self.model.get(key)

        @invariant()
        def same_contents(self):
            if self.cache is not None:
                assert len(self.cache) == len(self.model.entries)
                assert all(key in self.cache for key in self.model.entries)

    CacheMatchesReference.__name__ = f"{cache_class.__name__}MatchesReference"
    return CacheMatchesReference


stateful = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestLRU = stateful(machine_for("lru", LRUCache)).TestCase
TestLFU = stateful(machine_for("lfu", LFUCache)).TestCase
TestFIFO = stateful(machine_for("fifo", FIFOCache)).TestCase


@pytest.mark.parametrize("cache_class", [LRUCache, LFUCache, FIFOCache])
def test_operations_take_constant_time(cache_class):
    def seconds_per_operation(size: int) -> float:
        cache = cache_class(size)
        for key in range(size):
            cache.put(key, key)
        best = float("inf")
        for _ in range(5):  # the fastest of five runs: least disturbed by other processes
            start = time.perf_counter()
            for key in range(size, size + 2_000):  # every put evicts; gets hit and miss
                cache.put(key, key)
                cache.get(key - size // 2)
            best = min(best, time.perf_counter() - start)
            size_after = len(cache)
            assert size_after == size
        return best

    # A hundred times more entries: O(1) operations stay about as fast (a little slower
    # from memory caches), while scanning or shifting a list would be about 100 times slower.
    ratio = seconds_per_operation(100_000) / seconds_per_operation(1_000)
    assert ratio < 4, ratio


@pytest.mark.parametrize("cache_class", [LRUCache, LFUCache, FIFOCache])
def test_capacity_must_be_positive(cache_class):
    with pytest.raises(ValueError, match="capacity must be at least 1"):
        cache_class(0)


def test_the_three_policies_disagree_on_the_same_sequence():
    # One scripted sequence on a three-entry cache; each policy evicts a different entry.
    victims = {}
    for cache_class in (LRUCache, LFUCache, FIFOCache):
        cache = cache_class(3)
        for key in "abc":
            cache.put(key, key.upper())
        for key in "bbca":
            cache.get(key)
        # a: inserted first. b: used most often (3 times). a and c: used twice, c less recently.
        victims[cache_class.__name__] = cache.put("d", "D")
    assert victims == {"FIFOCache": ("a", "A"), "LRUCache": ("b", "B"), "LFUCache": ("c", "C")}


@pytest.mark.parametrize("cache", [LRUCache, LFUCache, FIFOCache])
def test_a_missing_key_returns_the_default(cache):
    # Killed mutant: FIFOCache.get ignoring its default.
    c = cache(2)
    c.put("a", 1)
    assert c.get("b", "none") == "none" and c.get("b") is None and c.get("a", "none") == 1
