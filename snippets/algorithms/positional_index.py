"""A positional inverted index with phrase queries, and Earlybird's publish rule.

Each term maps to an append-only postings list of (doc ID, positions). One writer
appends a document's postings first and only then publishes its ID as `max_doc`;
a reader reads `max_doc` once and ignores every posting above it, so it never sees
half a document. (Python cannot show the memory barrier itself: in Java, `max_doc`
is a volatile field, and that is what orders the writes for other threads.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from algorithms._checks import instance, whole

TOKEN = re.compile(r"[#@]?\w+")


def tokenize(text: str) -> list[str]:
    """The analyser: the same one must serve the index and the query parser."""
    instance("text", text, str)
    return [token.lower() for token in TOKEN.findall(text)]


# --8<-- [start:index]
Postings = list[tuple[int, list[int]]]  # (doc ID, positions), oldest first


@dataclass
class PositionalIndex:
    postings: dict[str, Postings] = field(default_factory=dict)
    max_doc: int = 0  # published: docs 1..max_doc are completely written

    def __post_init__(self) -> None:
        _check_index(self.postings, self.max_doc)
        self._written = self.max_doc  # the writer's own: docs 1.._written are written

    # --- the single writer -----------------------------------------------
    def append(self, doc_id: int, text: str) -> None:
        """Write the document's postings; readers cannot see it yet."""
        _check_append(self, doc_id, text)
        if doc_id != self.max_doc + 1:
            raise ValueError(f"doc IDs are handed out in order: "
                             f"expected {self.max_doc + 1}, got {doc_id}")
        positions: dict[str, list[int]] = {}
        for position, term in enumerate(tokenize(text)):
            positions.setdefault(term, []).append(position)
        for term, where in positions.items():
            self.postings.setdefault(term, []).append((doc_id, where))
        self._written = doc_id

    def publish(self, doc_id: int) -> None:
        """The volatile write: from now on, readers see the document."""
        _check_publish(self, doc_id)  # only a written doc, and never backwards
        self.max_doc = doc_id

    def add(self, doc_id: int, text: str) -> None:
        self.append(doc_id, text)
        self.publish(doc_id)

    # --- any number of readers -------------------------------------------
    def snapshot(self) -> int:
        """The volatile read, once per query."""
        return self.max_doc

    def phrase(self, query: str, max_doc: int | None = None) -> list[int]:
        """Docs holding the query's words in a row, newest first."""
        _check_query(query, max_doc)
        limit = self.snapshot() if max_doc is None else max_doc
        terms = tokenize(query)
        if not terms:
            return []
        # For each term: doc -> positions, ignoring unpublished docs.
        lists = [
            {doc: set(where)
             for doc, where in self.postings.get(term, []) if doc <= limit}
            for term in terms
        ]
        found = []
        for doc in set(lists[0]).intersection(*lists[1:]):
            if any(all(start + k in lists[k][doc] for k in range(len(terms)))
                   for start in lists[0][doc]):
                found.append(doc)
        return sorted(found, reverse=True)
# --8<-- [end:index]


def _check_append(index: PositionalIndex, doc_id: int, text: str) -> None:
    whole("doc_id", doc_id)
    instance("text", text, str)
    if doc_id == index.max_doc + 1 and doc_id <= index._written:
        raise ValueError(f"doc_id {doc_id} is already written; publish it, "
                         f"then append doc {doc_id + 1}")


def _check_index(postings: dict[str, Postings], max_doc: int) -> None:
    instance("postings", postings, dict)
    whole("max_doc", max_doc, 0)


def _check_publish(index: PositionalIndex, doc_id: int) -> None:
    whole("doc_id", doc_id, index.max_doc, index._written,
          accepted=f"a written doc ID from {index.max_doc} to {index._written}")


def _check_query(query: str, max_doc: int | None) -> None:
    instance("query", query, str)
    if max_doc is not None:
        whole("max_doc", max_doc, 0)
