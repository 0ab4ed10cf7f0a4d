"""The positional index's snapshot edges (a reader at snapshot 0, a reader at exactly the
newest document), and the cost of a query: the postings it reads grow with the lengths
of its words' lists, not with the number of documents (the search index page says so)."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from algorithms.positional_index import PositionalIndex

ROOT = Path(__file__).resolve().parents[1]
documents = st.lists(st.lists(st.sampled_from(["world", "cup", "final"]), max_size=6), min_size=1, max_size=10)
phrases = st.lists(st.sampled_from(["world", "cup", "final"]), min_size=1, max_size=2)


def build(texts) -> PositionalIndex:
    index = PositionalIndex()
    for doc_id, text in enumerate(texts, start=1):
        index.add(doc_id, text)
    return index


def test_a_reader_at_snapshot_0_sees_nothing_even_once_documents_are_published():
    index = build(["world cup", "world cup final"])
    assert index.phrase("world cup", max_doc=0) == []
    assert index.phrase("world cup", max_doc=1) == [1]  # the snapshot's own document is in
    assert index.phrase("world cup") == [2, 1]


def test_a_fresh_index_has_snapshot_0_and_an_appended_document_is_not_seen():
    index = PositionalIndex()
    assert index.snapshot() == 0 and index.phrase("world") == []
    index.append(1, "world")
    assert index.snapshot() == 0 and index.phrase("world") == []
    index.publish(1)
    assert index.phrase("world") == [1]


@given(documents, phrases, st.data())
def test_a_reader_sees_exactly_the_documents_up_to_its_snapshot(docs, run, data):
    index = build([" ".join(words) for words in docs])
    seen = data.draw(st.integers(0, len(docs)))
    query = " ".join(run)
    assert index.phrase(query, max_doc=seen) == [doc for doc in index.phrase(query) if doc <= seen]


class CountingList(list):
    """A postings list that counts the entries a query reads."""

    read = 0

    def __iter__(self):
        for entry in super().__iter__():
            CountingList.read += 1
            yield entry


def postings_read(index: PositionalIndex, query: str) -> int:
    index.postings = {term: CountingList(entries) for term, entries in index.postings.items()}
    CountingList.read = 0
    index.phrase(query)
    return CountingList.read


def corpus(documents: int, every: int) -> list[str]:
    """`documents` documents; one in `every` holds "world cup", the others other words."""
    return ["world cup final" if i % every == 0 else f"filler{i % 50} text" for i in range(documents)]


def test_a_query_reads_its_words_postings_not_the_whole_collection():
    base = postings_read(build(corpus(1_000, every=10)), "world cup")
    assert base == 2 * 100  # two lists of 100 entries
    # Ten times the documents, none with the words: the same work.
    assert postings_read(build(corpus(1_000, every=10) + ["other text"] * 9_000), "world cup") == base
    # Ten times the documents, the words as common as before: lists, and work, ten times longer.
    assert postings_read(build(corpus(10_000, every=10)), "world cup") == 10 * base
    page = re.sub(r"\s+", " ", (ROOT / "docs" / "concepts" / "search_index.md").read_text(encoding="utf-8"))
    assert "its work grows with the lengths of those lists, not with the number of documents" in page
    assert "however many documents" not in page
