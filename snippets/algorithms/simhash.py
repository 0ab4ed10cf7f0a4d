"""SimHash (Charikar): a 64-bit fingerprint where similar documents get fingerprints
that differ in few bits. Each feature (here: three-word shingles) votes on every bit
with its hash; the fingerprint keeps the majority. A near-duplicate index finds
fingerprints within k bits by splitting them into k + 1 bands (pigeonhole).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping

from algorithms._checks import instance, listed, number, text, whole

BITS = 64
WORD = re.compile(r"\w+")


# --8<-- [start:fingerprint]
def shingles(text: str, width: int = 3) -> Counter[str]:
    """Overlapping runs of `width` words, lower-cased, with their counts."""
    instance("text", text, str)
    whole("width", width, 1)
    words = [word.lower() for word in WORD.findall(text)]
    if not words:
        raise ValueError("the text has no words to fingerprint")
    runs = max(1, len(words) - width + 1)  # a short text is one shingle
    return Counter(" ".join(words[i:i + width]) for i in range(runs))


def feature_hash(feature: str) -> int:
    instance("feature", feature, str)
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")


def fingerprint(features: Mapping[str, float] | Iterable[str]) -> int:
    """Each feature adds its weight to the bits its hash sets and subtracts it
    from the others; a bit of the fingerprint is 1 where the total is positive."""
    weighted = features if isinstance(features, Mapping) else Counter(listed("features", features))
    if not weighted:
        raise ValueError("there are no features to fingerprint")
    for feature, weight in weighted.items():
        instance("each feature", feature, str)
        number(f"weight of {feature!r}", weight, 0, low_open=True)
    totals = [0.0] * BITS
    for feature, weight in weighted.items():
        h = feature_hash(feature)
        for bit in range(BITS):
            totals[bit] += weight if h >> bit & 1 else -weight
    return sum(1 << bit for bit in range(BITS) if totals[bit] > 0)


def simhash(text: str) -> int:
    return fingerprint(shingles(text))


def hamming(a: int, b: int) -> int:
    _check_fingerprint("a", a)
    _check_fingerprint("b", b)
    return (a ^ b).bit_count()
# --8<-- [end:fingerprint]


# --8<-- [start:index]
class NearDuplicateIndex:
    """Fingerprints by ID; `near` finds those within `max_distance` bits.

    Split 64 bits into max_distance + 1 bands: two fingerprints that differ in
    at most max_distance bits agree exactly on at least one band. So look up
    each band in a table, and check the distance of the candidates only.
    """

    def __init__(self, max_distance: int = 3) -> None:
        whole("max_distance", max_distance, 0, BITS - 1,
              accepted=f"a whole number from 0 to {BITS - 1}")
        self.max_distance = max_distance
        edges = [round(i * BITS / (max_distance + 1)) for i in range(max_distance + 2)]
        self.bands = list(zip(edges, edges[1:]))  # (first bit, end bit)
        self.tables: list[dict[int, set[str]]] = [{} for _ in self.bands]
        self.fingerprints: dict[str, int] = {}

    def _keys(self, value: int) -> list[int]:
        return [value >> lo & ((1 << (hi - lo)) - 1) for lo, hi in self.bands]

    def add(self, doc_id: str, value: int) -> None:
        text("doc_id", doc_id)
        if doc_id in self.fingerprints:
            raise ValueError(f"document {doc_id!r} is already indexed")
        _check_fingerprint("value", value)
        self.fingerprints[doc_id] = value
        for table, key in zip(self.tables, self._keys(value)):
            table.setdefault(key, set()).add(doc_id)

    def near(self, value: int) -> list[tuple[str, int]]:
        """(doc ID, distance) within max_distance bits, closest first."""
        _check_fingerprint("value", value)
        candidates = set().union(*(table.get(key, ()) for table, key in zip(self.tables, self._keys(value))))
        found = ((doc_id, hamming(value, self.fingerprints[doc_id])) for doc_id in candidates)
        return sorted(((d, n) for d, n in found if n <= self.max_distance), key=lambda hit: (hit[1], hit[0]))
# --8<-- [end:index]


def _check_fingerprint(name: str, value: int) -> None:
    whole(name, value, 0, (1 << BITS) - 1, accepted=f"a fingerprint, a {BITS}-bit integer")
