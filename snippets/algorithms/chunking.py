"""Cutting a file into blocks: fixed-size chunking, and content-defined chunking
(Gear rolling hash with FastCDC's normalized chunking) whose boundaries follow the
content, so an insert changes only the blocks around it.
"""

from __future__ import annotations

import hashlib
import random

from algorithms._checks import data as _data, listed, whole

MASK64 = (1 << 64) - 1


def _check(min_size: int, avg_size: int, max_size: int) -> None:
    whole("min_size", min_size, 1)
    # The looser mask has bits - 2 one-bits and the stricter bits + 2 of 64.
    whole("avg_size", avg_size, 4, 2**62, accepted="a power of two from 4 to 2**62")
    whole("max_size", max_size, 1)
    if not 0 < min_size < avg_size < max_size:
        raise ValueError(f"need 0 < min_size < avg_size < max_size, got {min_size}, {avg_size}, {max_size}")
    if avg_size & (avg_size - 1):
        raise ValueError(f"avg_size must be a power of two, got {avg_size}")


# --8<-- [start:fixed]
def fixed_chunks(data: bytes, size: int) -> list[bytes]:
    """Blocks of exactly `size` bytes (the last may be shorter)."""
    _data("data", data)
    whole("size", size, 1, accepted="a positive whole number of bytes")
    return [data[i:i + size] for i in range(0, len(data), size)]
# --8<-- [end:fixed]


# --8<-- [start:gear]
# One random 64-bit number per byte value, fixed by a seed: every client must use
# the same table, or the same file would be cut differently on two devices.
_seeded = random.Random(20240101)
GEAR = [_seeded.getrandbits(64) for _ in range(256)]


def _mask(bits: int) -> int:
    """`bits` one-bits at the top of 64: the top bits of a Gear hash mix the most bytes."""
    return ((1 << bits) - 1) << (64 - bits)
# --8<-- [end:gear]


# --8<-- [start:cdc]
def cdc_boundaries(data: bytes, min_size: int, avg_size: int, max_size: int) -> list[int]:
    """End offsets of content-defined chunks.

    The Gear hash h = (h << 1) + GEAR[byte] depends only on the last 64 bytes, so a
    boundary (h & mask == 0) depends only on nearby content. Normalized chunking:
    a stricter mask before avg_size and a looser one after pull sizes towards avg_size.
    """
    _data("data", data)
    _check(min_size, avg_size, max_size)
    bits = avg_size.bit_length() - 1
    strict, loose = _mask(bits + 2), _mask(bits - 2)
    ends, start, n = [], 0, len(data)
    while start < n:
        end = min(start + max_size, n)
        if end - start <= min_size:
            ends.append(end)
            break
        h, i, cut = 0, start + min_size, end
        normal = min(start + avg_size, end)
        while i < end:
            h = ((h << 1) + GEAR[data[i]]) & MASK64
            i += 1
            if not h & (strict if i < normal else loose):
                cut = i
                break
        ends.append(cut)
        start = cut
    return ends


def cdc_chunks(data: bytes, min_size: int, avg_size: int, max_size: int) -> list[bytes]:
    """The chunks themselves: the file cut at its content-defined boundaries."""
    ends = cdc_boundaries(data, min_size, avg_size, max_size)
    return [data[start:end] for start, end in zip([0, *ends], ends)]
# --8<-- [end:cdc]


# --8<-- [start:reuse]
def block_hash(block: bytes) -> str:
    _data("block", block)
    return hashlib.sha256(block).hexdigest()


def reused_fraction(old: list[bytes], new: list[bytes]) -> float:
    """Share of the new version's blocks the server already has: those need no upload."""
    old, new = listed("old", old), listed("new", new)
    if not new:
        raise ValueError("new must hold at least one block, got none")
    known = {block_hash(block) for block in old}
    return sum(block_hash(block) in known for block in new) / len(new)
# --8<-- [end:reuse]
