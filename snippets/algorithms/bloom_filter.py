"""Bloom filter: a bit array that answers "never added" or "probably added".

Sized from the number of items expected and the false-positive rate accepted;
an item's k bit positions come from one 128-bit hash by double hashing.
"""

from __future__ import annotations

import hashlib
import math

from algorithms._checks import item as _item, number, whole

Item = str | bytes


def _check_sizes(bit_count: int, hash_count: int, items: int = 0) -> None:
    whole("bit_count", bit_count, 1, accepted="at least 1")
    whole("hash_count", hash_count, 1, accepted="at least 1")
    whole("items", items, 0)


# --8<-- [start:sizing]
def false_positive_rate(bit_count: int, items: int, hash_count: int) -> float:
    """(1 - e^(-kn/m))^k: the chance that an absent item tests present."""
    _check_sizes(bit_count, hash_count, items=items)
    fill = 1 - math.exp(-hash_count * items / bit_count)
    return fill**hash_count


def optimal_size(expected_items: int, target_rate: float) -> tuple[int, int]:
    """The fewest bits m, and the best hash count k, for n items at rate p."""
    whole("expected_items", expected_items, 1, accepted="at least 1")
    number("target_rate", target_rate, 0, 1, low_open=True, high_open=True,
           accepted="a false-positive rate strictly between 0 and 1")
    n, p = expected_items, target_rate
    # With the best k the rate is e^(-(m/n) ln²2): solve for m, round up.
    bit_count = math.ceil(-n * math.log(p) / math.log(2) ** 2)
    # The best real k is (m/n) ln 2; keep the better integer next to it.
    best_k = bit_count / n * math.log(2)
    candidates = {max(1, math.floor(best_k)), max(1, math.ceil(best_k))}
    hash_count = min(
        sorted(candidates),
        key=lambda k: false_positive_rate(bit_count, n, k),
    )
    return bit_count, hash_count
# --8<-- [end:sizing]


# --8<-- [start:filter]
class BloomFilter:
    """A set that says "no" for sure and "yes" only probably. No removals."""

    def __init__(self, bit_count: int, hash_count: int) -> None:
        _check_sizes(bit_count, hash_count)
        self.bit_count = bit_count
        self.hash_count = hash_count
        self._bits = bytearray((bit_count + 7) // 8)

    @classmethod
    def for_capacity(cls, expected_items: int,
                     target_rate: float) -> BloomFilter:
        return cls(*optimal_size(expected_items, target_rate))

    def add(self, item: Item) -> None:
        _item("item", item)
        for position in self._positions(item):
            self._bits[position >> 3] |= 1 << (position & 7)

    def __contains__(self, item: Item) -> bool:
        """False: never added. True: added, or a false positive."""
        _item("item", item)
        return all(
            self._bits[position >> 3] & (1 << (position & 7))
            for position in self._positions(item)
        )

    def _positions(self, item: Item) -> list[int]:
        data = item.encode() if isinstance(item, str) else item
        digest = hashlib.blake2b(data, digest_size=16).digest()
        first = int.from_bytes(digest[:8], "big")
        step = int.from_bytes(digest[8:], "big")
        # Double hashing (Kirsch and Mitzenmacher): k positions from two
        # hashes, with the false-positive rate of k independent ones.
        return [
            (first + i * step) % self.bit_count
            for i in range(self.hash_count)
        ]
# --8<-- [end:filter]

    @property
    def fill_ratio(self) -> float:
        """The fraction of bits set: a fresh item's rate is fill ** k."""
        set_bits = int.from_bytes(self._bits, "big").bit_count()
        return set_bits / self.bit_count
