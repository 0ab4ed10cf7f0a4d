"""Cache eviction policies: LRU, LFU and FIFO, every operation O(1).

Each cache holds at most `capacity` entries; `put` returns the entry it
evicted, if any, so that callers (and tests) can watch the policy at work.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Hashable
from typing import Generic, TypeVar

from algorithms._checks import WrongType, hashable

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _check_capacity(capacity: int) -> None:
    # A float capacity (NaN, infinity, 2.5) never equals len(entries), so
    # the cache would grow without ever evicting: only whole numbers pass.
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise WrongType(
            f"capacity must be a whole number of entries, got {capacity!r}"
        )
    if capacity < 1:
        raise ValueError(f"capacity must be at least 1, got {capacity}")


# --8<-- [start:lru]
class LRUCache(Generic[K, V]):
    """Evicts the entry used least recently."""

    def __init__(self, capacity: int) -> None:
        _check_capacity(capacity)
        self.capacity = capacity
        # Least recently used first.
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K, default: V | None = None) -> V | None:
        hashable("key", key)
        if key not in self._entries:
            return default
        self._entries.move_to_end(key)
        return self._entries[key]

    def put(self, key: K, value: V) -> tuple[K, V] | None:
        hashable("key", key)
        evicted = None
        if key in self._entries:
            self._entries.move_to_end(key)
        elif len(self._entries) == self.capacity:
            evicted = self._entries.popitem(last=False)
        self._entries[key] = value
        return evicted
# --8<-- [end:lru]

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        hashable("key", key)
        return key in self._entries


# --8<-- [start:lfu]
class LFUCache(Generic[K, V]):
    """Evicts the entry used least often; of those, the least recently."""

    def __init__(self, capacity: int) -> None:
        _check_capacity(capacity)
        self.capacity = capacity
        self._values: dict[K, V] = {}
        self._uses: dict[K, int] = {}
        # For each use count, its keys, least recently used first. With the
        # smallest count remembered, the victim is found without a search.
        self._keys_by_uses: defaultdict[int, OrderedDict[K, None]] = (
            defaultdict(OrderedDict)
        )
        self._fewest_uses = 0

    def get(self, key: K, default: V | None = None) -> V | None:
        hashable("key", key)
        if key not in self._values:
            return default
        self._touch(key)
        return self._values[key]

    def put(self, key: K, value: V) -> tuple[K, V] | None:
        hashable("key", key)
        evicted = None
        if key in self._values:
            self._touch(key)
        else:
            if len(self._values) == self.capacity:
                least_used = self._keys_by_uses[self._fewest_uses]
                victim, _ = least_used.popitem(last=False)
                evicted = (victim, self._values.pop(victim))
                del self._uses[victim]
            self._uses[key] = 1
            self._keys_by_uses[1][key] = None
            self._fewest_uses = 1
        self._values[key] = value
        return evicted

    def _touch(self, key: K) -> None:
        uses = self._uses[key]
        peers = self._keys_by_uses[uses]
        del peers[key]
        if not peers:
            del self._keys_by_uses[uses]
            if self._fewest_uses == uses:
                self._fewest_uses = uses + 1
        self._uses[key] = uses + 1
        self._keys_by_uses[uses + 1][key] = None
# --8<-- [end:lfu]

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        hashable("key", key)
        return key in self._values


# --8<-- [start:fifo]
class FIFOCache(Generic[K, V]):
    """Evicts the entry inserted first, however often it is used."""

    def __init__(self, capacity: int) -> None:
        _check_capacity(capacity)
        self.capacity = capacity
        # Oldest first; a new value keeps its key's place. (A plain dict
        # keeps order too, but removing its first entry over and over is
        # not O(1).)
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K, default: V | None = None) -> V | None:
        hashable("key", key)
        return self._entries.get(key, default)

    def put(self, key: K, value: V) -> tuple[K, V] | None:
        hashable("key", key)
        evicted = None
        full = len(self._entries) == self.capacity
        if key not in self._entries and full:
            evicted = self._entries.popitem(last=False)
        self._entries[key] = value
        return evicted
# --8<-- [end:fifo]

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        hashable("key", key)
        return key in self._entries
