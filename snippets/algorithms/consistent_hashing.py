"""Consistent hashing with virtual nodes: keys map to nodes so that adding or
removing a node moves only the keys it gains or loses. Each node owns many
points of a 64-bit ring; a key belongs to the first point clockwise from it.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable

from algorithms._checks import instance, listed, text, whole

RING_SIZE = 1 << 64
MAX_VIRTUAL_NODES = 100_000  # per node: more only slows adding it


def ring_position(label: str) -> int:
    instance("label", label, str)
    digest = hashlib.blake2b(label.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


# --8<-- [start:ring]
class HashRing:
    """Nodes on a ring of 2**64 positions, each at `virtual_nodes` places."""

    def __init__(self, nodes: Iterable[str] = (),
                 virtual_nodes: int = 100) -> None:
        nodes = _check_ring(nodes, virtual_nodes)
        self.virtual_nodes = virtual_nodes
        self._positions: list[int] = []  # sorted
        self._owners: list[str] = []  # _owners[i] owns _positions[i]
        self._nodes: set[str] = set()
        for node in nodes:
            self.add_node(node)

    def add_node(self, node: str) -> None:
        text("node", node)
        if node in self._nodes:
            raise ValueError(f"node {node!r} is already on the ring")
        self._nodes.add(node)
        for replica in range(self.virtual_nodes):
            position = ring_position(f"{node}#{replica}")
            index = bisect.bisect_left(self._positions, position)
            self._positions.insert(index, position)
            self._owners.insert(index, node)

    def remove_node(self, node: str) -> None:
        text("node", node)
        if node not in self._nodes:
            raise ValueError(f"node {node!r} is not on the ring")
        self._nodes.remove(node)
        kept = [
            (position, owner)
            for position, owner in zip(self._positions, self._owners)
            if owner != node
        ]
        self._positions = [position for position, _ in kept]
        self._owners = [owner for _, owner in kept]

    def node_for(self, key: str) -> str:
        instance("key", key, str)
        if not self._positions:
            raise LookupError("the ring has no nodes")
        # The first virtual node at or after the key, wrapping past the top.
        index = bisect.bisect_left(self._positions, ring_position(key))
        return self._owners[index % len(self._owners)]
# --8<-- [end:ring]

    @property
    def nodes(self) -> frozenset[str]:
        return frozenset(self._nodes)

    @property
    def points(self) -> list[tuple[int, str]]:
        """Every virtual node as (ring position, owner), clockwise from 0."""
        return list(zip(self._positions, self._owners))

    def ring_shares(self) -> dict[str, float]:
        """Each node's fraction of the ring: its expected share of keys."""
        shares = dict.fromkeys(self._nodes, 0.0)
        for index, position in enumerate(self._positions):
            if index:
                previous = self._positions[index - 1]
            else:  # the first arc starts at the last point, one turn back
                previous = self._positions[-1] - RING_SIZE
            shares[self._owners[index]] += (position - previous) / RING_SIZE
        return shares


def _check_ring(nodes: Iterable[str], virtual_nodes: int) -> list[str]:
    whole("virtual_nodes", virtual_nodes, 1, accepted="at least 1")
    whole("virtual_nodes", virtual_nodes, high=MAX_VIRTUAL_NODES,
          accepted=f"at most {MAX_VIRTUAL_NODES:,}")
    return listed("nodes", nodes)  # a string would be one node per character
