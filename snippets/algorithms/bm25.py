"""An inverted index ranked with BM25: each term's postings give the documents that
contain it and how often; a query scores only the documents on its terms' lists.

The idf is Robertson and Spärck Jones's ln((N - n + 0.5) / (n + 0.5)), floored at
0: a term in more than half of the documents neither helps nor hurts a match.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter

from algorithms._checks import instance, number, text as _text, whole

TOKEN = re.compile(r"\w+")


def tokenize(text: str) -> list[str]:
    """The analyser: lower-case words. The index and the queries must share it."""
    instance("text", text, str)
    return [token.lower() for token in TOKEN.findall(text)]


# --8<-- [start:index]
class BM25Index:
    """Documents by ID; a query returns the k best (doc ID, score) pairs."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        number("k1", k1, 0)
        number("b", b, 0, 1, accepted="between 0 and 1")
        self.k1, self.b = k1, b
        self.postings: dict[str, dict[str, int]] = {}  # term -> {doc ID: count}
        self.lengths: dict[str, int] = {}  # doc ID -> number of terms
        self.total_length = 0

    def add(self, doc_id: str, text: str) -> None:
        _text("doc_id", doc_id)
        terms = Counter(tokenize(text))
        if doc_id in self.lengths:
            raise ValueError(f"document {doc_id!r} is already indexed; remove it first")
        if not terms:
            raise ValueError(f"document {doc_id!r} has no words to index")
        for term, count in terms.items():
            self.postings.setdefault(term, {})[doc_id] = count
        self.lengths[doc_id] = sum(terms.values())
        self.total_length += self.lengths[doc_id]

    def remove(self, doc_id: str) -> None:
        _text("doc_id", doc_id)
        if doc_id not in self.lengths:
            raise ValueError(f"document {doc_id!r} is not indexed")
        for term in list(self.postings):
            docs = self.postings[term]
            if docs.pop(doc_id, None) is not None and not docs:
                del self.postings[term]
        self.total_length -= self.lengths.pop(doc_id)

    def idf(self, term: str) -> float:
        instance("term", term, str)
        n, total = len(self.postings.get(term, ())), len(self.lengths)
        return max(0.0, math.log((total - n + 0.5) / (n + 0.5)))

    def search(self, query: str, k: int = 10) -> list[tuple[str, float]]:
        instance("query", query, str)
        whole("k", k, 1, accepted="a positive whole number")
        if not self.lengths:
            return []
        average = self.total_length / len(self.lengths)
        scores: Counter[str] = Counter()
        for term in tokenize(query):  # a repeated query word counts again
            idf = self.idf(term)
            for doc_id, tf in self.postings.get(term, {}).items():
                # Saturation: tf counts less and less, up to (k1 + 1) * idf.
                # Length: a long document needs more hits for the same score.
                norm = self.k1 * (1 - self.b + self.b * self.lengths[doc_id] / average)
                scores[doc_id] += idf * tf * (self.k1 + 1) / (tf + norm)
        # Best first; equal scores by doc ID, so results are reproducible.
        return heapq.nsmallest(k, scores.items(), key=lambda hit: (-hit[1], hit[0]))
# --8<-- [end:index]

    def score(self, query: str, doc_id: str) -> float:
        """One document's score (0 for a document without any query word)."""
        instance("query", query, str)
        _text("doc_id", doc_id)
        if doc_id not in self.lengths:
            raise ValueError(f"document {doc_id!r} is not indexed")
        return dict(self.search(query, k=len(self.lengths))).get(doc_id, 0.0)
