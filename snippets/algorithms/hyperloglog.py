"""HyperLogLog: count distinct items in a few KB, within about 1.04/√m.

An item's 64-bit hash picks one of m registers and offers it the position of
its first 1-bit; the harmonic mean of 2^register estimates the count.
Sketches merge by taking the register-wise maximum.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable

from algorithms._checks import instance, item as _item, listed, whole

Item = str | bytes
HASH_BITS = 64


# --8<-- [start:sketch]
class HyperLogLog:
    """A distinct-count sketch of 2**precision one-byte registers."""

    def __init__(self, precision: int = 12, seed: int = 0) -> None:
        whole("precision", precision, 4, 18,
              accepted="between 4 and 18 (16 to 262,144 registers)")
        whole("seed", seed, 0, (1 << 128) - 1,
              accepted="between 0 and 2**128 - 1 (it salts the hash with 16 bytes)")
        self.precision = precision
        self.seed = seed
        self.register_count = 1 << precision
        self._registers = bytearray(self.register_count)
        # Different seeds hash independently: independent trials.
        self._salt = seed.to_bytes(16, "big")

    def add(self, item: Item) -> None:
        _item("item", item)
        data = item.encode() if isinstance(item, str) else item
        digest = hashlib.blake2b(data, digest_size=8, salt=self._salt)
        hashed = int.from_bytes(digest.digest(), "big")
        # The first p bits choose the register ...
        index = hashed >> (HASH_BITS - self.precision)
        rest_bits = HASH_BITS - self.precision
        rest = hashed & ((1 << rest_bits) - 1)
        # ... which keeps the largest position of the first 1-bit after them.
        rank = rest_bits - rest.bit_length() + 1
        if rank > self._registers[index]:
            self._registers[index] = rank

    def update(self, items: Iterable[Item]) -> None:
        for item in listed("items", items):
            self.add(item)

    def estimate(self) -> float:
        raw = self.raw_estimate()
        if raw <= 2.5 * self.register_count and 0 in self._registers:
            # Small-range correction: while many registers are empty,
            # counting them ("linear counting") is far more accurate.
            return self.linear_count()
        # No large-range correction: a 64-bit hash never saturates.
        return raw

    def raw_estimate(self) -> float:
        """The harmonic mean alone: α·m² / Σ 2^-register."""
        m = self.register_count
        harmonic = math.fsum(2.0**-register for register in self._registers)
        return _alpha(m) * m * m / harmonic

    def linear_count(self) -> float:
        """m·ln(m / empty registers): infinite once none is empty."""
        m = self.register_count
        empty = self._registers.count(0)
        return m * math.log(m / empty) if empty else math.inf

    def merge(self, other: HyperLogLog) -> HyperLogLog:
        """The sketch of the union: the register-wise maximum."""
        instance("other", other, HyperLogLog)
        if (other.precision, other.seed) != (self.precision, self.seed):
            raise ValueError(
                "only sketches with the same precision and seed can be "
                f"merged, got (precision={self.precision}, seed={self.seed})"
                f" and (precision={other.precision}, seed={other.seed})"
            )
        merged = HyperLogLog(self.precision, self.seed)
        merged._registers = bytearray(
            map(max, self._registers, other._registers)
        )
        return merged
# --8<-- [end:sketch]

    @property
    def registers(self) -> bytes:
        return bytes(self._registers)

    @property
    def standard_error(self) -> float:
        return 1.04 / math.sqrt(self.register_count)


def _alpha(register_count: int) -> float:
    """The bias correction constant of Flajolet et al. (2007)."""
    if register_count in (16, 32, 64):
        return {16: 0.673, 32: 0.697, 64: 0.709}[register_count]
    return 0.7213 / (1 + 1.079 / register_count)
