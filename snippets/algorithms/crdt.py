"""CRDTs: replicated values that any replica may change alone and that always merge.

State-based (convergent) types: each replica keeps a state and sends it whole; `merge` is
commutative, associative and idempotent, so states may arrive in any order, any number of
times, and replicas that have seen the same updates hold the same state. Every value here
is immutable: an update or a merge returns a new state.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field


def _check_replica(replica: str) -> None:
    if not isinstance(replica, str) or not replica:
        raise ValueError(f"a replica id must be a non-empty string, got {replica!r}")


# --8<-- [start:counters]
@dataclass(frozen=True)
class GCounter:
    """Grow-only counter: one slot per replica; a replica only adds to its own."""

    counts: Mapping[str, int] = field(default_factory=dict)

    def increment(self, replica: str, amount: int = 1) -> GCounter:
        _check_replica(replica)
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
            raise ValueError(f"amount must be a positive integer, got {amount!r}")
        return GCounter({**self.counts, replica: self.counts.get(replica, 0) + amount})

    @property
    def value(self) -> int:
        return sum(self.counts.values())

    def merge(self, other: GCounter) -> GCounter:
        # Each slot only grows, so the larger of two copies is the newer one.
        replicas = self.counts.keys() | other.counts.keys()
        return GCounter({r: max(self.counts.get(r, 0), other.counts.get(r, 0))
                         for r in replicas})


@dataclass(frozen=True)
class PNCounter:
    """A counter that also goes down: increments and decrements in two G-counters."""

    up: GCounter = field(default_factory=GCounter)
    down: GCounter = field(default_factory=GCounter)

    def increment(self, replica: str, amount: int = 1) -> PNCounter:
        return PNCounter(self.up.increment(replica, amount), self.down)

    def decrement(self, replica: str, amount: int = 1) -> PNCounter:
        return PNCounter(self.up, self.down.increment(replica, amount))

    @property
    def value(self) -> int:
        return self.up.value - self.down.value

    def merge(self, other: PNCounter) -> PNCounter:
        return PNCounter(self.up.merge(other.up), self.down.merge(other.down))
# --8<-- [end:counters]


# --8<-- [start:register]
@dataclass(frozen=True)
class LWWRegister:
    """Last-writer-wins register: the write with the latest timestamp wins; on equal
    timestamps the larger replica id wins, so every replica picks the same one."""

    value: object = None
    timestamp: float = -math.inf  # never written
    replica: str = ""

    def assign(self, value: object, timestamp: float, replica: str) -> LWWRegister:
        _check_replica(replica)
        if not isinstance(timestamp, (int, float)) or not math.isfinite(timestamp):
            raise ValueError(f"timestamp must be a finite number, got {timestamp!r}")
        return self.merge(LWWRegister(value, timestamp, replica))

    def merge(self, other: LWWRegister) -> LWWRegister:
        mine, theirs = (self.timestamp, self.replica), (other.timestamp, other.replica)
        if mine == theirs and self.value != other.value:
            raise ValueError(
                f"replica {self.replica!r} wrote two values at timestamp "
                f"{self.timestamp}: a replica's clock must move forward"
            )
        return self if mine >= theirs else other
# --8<-- [end:register]


# --8<-- [start:orset]
Tag = tuple[str, int]  # (replica, sequence number): unique to one add


@dataclass(frozen=True)
class ORSet:
    """Observed-remove set, add-wins: a remove deletes only the adds it has seen, so an
    add made concurrently with a remove survives it."""

    entries: frozenset[tuple[Hashable, Tag]] = frozenset()  # live (element, tag) pairs
    tombstones: frozenset[Tag] = frozenset()  # tags of removed adds, kept forever

    def add(self, element: Hashable, replica: str) -> ORSet:
        _check_replica(replica)
        # A fresh tag: one more than any this replica has used (it sees all its own).
        used = [n for r, n in self._tags() if r == replica]
        tag = (replica, max(used, default=0) + 1)
        return ORSet(self.entries | {(element, tag)}, self.tombstones)

    def remove(self, element: Hashable) -> ORSet:
        observed = {tag for e, tag in self.entries if e == element}
        return ORSet(frozenset((e, t) for e, t in self.entries if t not in observed),
                     self.tombstones | observed)

    def __contains__(self, element: Hashable) -> bool:
        return any(e == element for e, _ in self.entries)

    def elements(self) -> set[Hashable]:
        return {e for e, _ in self.entries}

    def merge(self, other: ORSet) -> ORSet:
        tombstones = self.tombstones | other.tombstones
        entries = frozenset((e, t) for e, t in self.entries | other.entries
                            if t not in tombstones)
        return ORSet(entries, tombstones)

    def _tags(self) -> set[Tag]:
        return {tag for _, tag in self.entries} | self.tombstones
# --8<-- [end:orset]
