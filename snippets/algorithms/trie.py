"""Trie with top-k suggestions: typeahead in O(prefix length + k).

Every node keeps its own best few completions, ranked by weight, so a lookup
never walks the subtree; adding to a word updates the lists on its path.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from algorithms._checks import WrongType, instance, whole


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    # The best completions below this node as (-weight, word), best first:
    # sorting these tuples ranks by weight, then alphabetically.
    top: list[tuple[int, str]] = field(default_factory=list)


# --8<-- [start:trie]
class Trie:
    """Weighted words (say, search counts); suggests the heaviest ones."""

    def __init__(self, max_suggestions: int = 10) -> None:
        whole("max_suggestions", max_suggestions, 1, accepted="at least 1")
        self.max_suggestions = max_suggestions
        self._root = _Node()
        self._weights: dict[str, int] = {}

    def add(self, word: str, weight: int = 1) -> None:
        """Add `weight` to the word's weight (a new word starts at 0)."""
        instance("word", word, str)
        if not word:
            raise ValueError("cannot add an empty word")
        # A float weight can make (-old, word) miss in a node's list (NaN
        # never compares equal): the word would then be listed twice.
        if isinstance(weight, bool) or not isinstance(weight, int):
            raise WrongType(
                f"weight must be a positive integer, got {weight!r}"
            )
        if weight < 1:
            raise ValueError(f"weight must be a positive integer, got {weight}")
        old = self._weights.get(word, 0)
        new = self._weights[word] = old + weight
        node = self._root
        self._promote(node, word, old, new)
        for letter in word:
            node = node.children.setdefault(letter, _Node())
            self._promote(node, word, old, new)

    def _promote(self, node: _Node, word: str, old: int, new: int) -> None:
        # Weights only grow, so a word outside a node's list can enter it
        # only when its own weight grows: updating the lists on the word's
        # path keeps every list exact.
        if old and (-old, word) in node.top:
            node.top.remove((-old, word))
        bisect.insort(node.top, (-new, word))
        del node.top[self.max_suggestions :]

    def suggest(self, prefix: str, k: int | None = None) -> list[str]:
        """The k heaviest words starting with `prefix`; ties alphabetical."""
        instance("prefix", prefix, str)
        k = self.max_suggestions if k is None else k
        whole("k", k, 1, self.max_suggestions,
              accepted=f"between 1 and {self.max_suggestions}")
        node = self._root
        for letter in prefix:
            if letter not in node.children:
                return []
            node = node.children[letter]
        return [word for _, word in node.top[:k]]
# --8<-- [end:trie]

    def weight(self, word: str) -> int:
        instance("word", word, str)
        return self._weights.get(word, 0)

    def __contains__(self, word: str) -> bool:
        instance("word", word, str)
        return word in self._weights

    def __len__(self) -> int:
        return len(self._weights)
