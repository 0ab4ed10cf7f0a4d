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

from algorithms._checks import WrongType, hashable, instance, number, whole


def _check_replica(replica: str) -> None:
    if not isinstance(replica, str):
        raise WrongType(f"replica: a replica id must be a non-empty string, got {replica!r}")
    if not replica:
        raise ValueError("replica: a replica id must be a non-empty string, got ''")


def _check_counts(counts: Mapping[str, int]) -> None:
    instance("counts", counts, Mapping)
    for replica, count in counts.items():
        _check_replica(replica)
        whole(f"counts[{replica!r}]", count, 0)


def _check_value(value: object, name: str = "value") -> None:
    # NaN never equals itself: two copies of one write would look like two different
    # writes with one timestamp, and merge would blame the replica's clock (a NaN
    # element could never be removed).
    if isinstance(value, float) and math.isnan(value):
        raise ValueError(f"{name} must not be NaN (it is not equal to itself, so replicas "
                         "could not tell that two copies are the same), got nan")


# --8<-- [start:counters]
@dataclass(frozen=True)
class GCounter:
    """Grow-only counter: one slot per replica; a replica only adds to its own."""

    counts: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_counts(self.counts)

    def increment(self, replica: str, amount: int = 1) -> GCounter:
        _check_replica(replica)
        whole("amount", amount, 1, accepted="a positive integer")
        return GCounter({**self.counts, replica: self.counts.get(replica, 0) + amount})

    @property
    def value(self) -> int:
        return sum(self.counts.values())

    def merge(self, other: GCounter) -> GCounter:
        instance("other", other, GCounter)
        # Each slot only grows, so the larger of two copies is the newer one.
        replicas = self.counts.keys() | other.counts.keys()
        return GCounter({r: max(self.counts.get(r, 0), other.counts.get(r, 0))
                         for r in replicas})


@dataclass(frozen=True)
class PNCounter:
    """A counter that also goes down: increments and decrements in two G-counters."""

    up: GCounter = field(default_factory=GCounter)
    down: GCounter = field(default_factory=GCounter)

    def __post_init__(self) -> None:
        instance("up", self.up, GCounter)
        instance("down", self.down, GCounter)

    def increment(self, replica: str, amount: int = 1) -> PNCounter:
        return PNCounter(self.up.increment(replica, amount), self.down)

    def decrement(self, replica: str, amount: int = 1) -> PNCounter:
        return PNCounter(self.up, self.down.increment(replica, amount))

    @property
    def value(self) -> int:
        return self.up.value - self.down.value

    def merge(self, other: PNCounter) -> PNCounter:
        instance("other", other, PNCounter)
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

    def __post_init__(self) -> None:
        _check_value(self.value)
        if self.timestamp != -math.inf or self.replica:  # not the never-written register
            number("timestamp", self.timestamp, accepted="a finite number")
            _check_replica(self.replica)

    def assign(self, value: object, timestamp: float, replica: str) -> LWWRegister:
        _check_replica(replica)
        _check_value(value)
        number("timestamp", timestamp, accepted="a finite number")
        return self.merge(LWWRegister(value, timestamp, replica))

    def merge(self, other: LWWRegister) -> LWWRegister:
        instance("other", other, LWWRegister)
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

    def __post_init__(self) -> None:
        instance("entries", self.entries, frozenset)
        instance("tombstones", self.tombstones, frozenset)

    def add(self, element: Hashable, replica: str) -> ORSet:
        _check_replica(replica)
        hashable("element", element)
        _check_value(element, "element")
        # A fresh tag: one more than any this replica has used (it sees all its own).
        used = [n for r, n in self._tags() if r == replica]
        tag = (replica, max(used, default=0) + 1)
        return ORSet(self.entries | {(element, tag)}, self.tombstones)

    def remove(self, element: Hashable) -> ORSet:
        hashable("element", element)
        observed = {tag for e, tag in self.entries if e == element}
        return ORSet(frozenset((e, t) for e, t in self.entries if t not in observed),
                     self.tombstones | observed)

    def __contains__(self, element: Hashable) -> bool:
        hashable("element", element)
        return any(e == element for e, _ in self.entries)

    def elements(self) -> set[Hashable]:
        return {e for e, _ in self.entries}

    def merge(self, other: ORSet) -> ORSet:
        instance("other", other, ORSet)
        tombstones = self.tombstones | other.tombstones
        entries = frozenset((e, t) for e, t in self.entries | other.entries
                            if t not in tombstones)
        return ORSet(entries, tombstones)

    def _tags(self) -> set[Tag]:
        return {tag for _, tag in self.entries} | self.tombstones
# --8<-- [end:orset]
