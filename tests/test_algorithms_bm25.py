"""BM25 scores equal those of an independent implementation (`rank-bm25`'s BM25Okapi)
wherever the two define idf the same way, i.e. for terms in at most half of the
documents; above that we score 0 where rank-bm25 uses a small positive floor. The
inverted index finds exactly the documents that contain a query word, and a refused
operation leaves the index as it was."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from algorithms.bm25 import BM25Index, tokenize

WORDS = [f"w{i}" for i in range(12)]
documents = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=15), min_size=2, max_size=12)


def build(docs, **params):
    index = BM25Index(**params)
    for i, words in enumerate(docs):
        index.add(f"d{i:02}", " ".join(words))
    return index


@given(documents, st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
       st.floats(0.01, 3.0), st.floats(0.0, 1.0))
def test_scores_equal_rank_bm25_where_idf_is_defined_alike(docs, query, k1, b):
    index = build(docs, k1=k1, b=b)
    # (k1 > 0: with k1 = 0 rank-bm25 divides 0 by 0 for documents without the word.)
    # rank-bm25 floors a negative idf at epsilon * mean idf; we floor at 0. Keep
    # the query words present in at most half the documents (idf >= 0 in both).
    query = [word for word in query if sum(word in doc for doc in docs) <= len(docs) / 2]
    theirs = BM25Okapi(docs, k1=k1, b=b).get_scores(query)
    ours = [index.score(" ".join(query), f"d{i:02}") for i in range(len(docs))]
    assert ours == pytest.approx(list(theirs), rel=1e-9, abs=1e-12)


def test_a_term_in_most_documents_scores_zero_where_rank_bm25_floors_it():
    docs = [["cat", "dog"], ["cat", "fish"], ["cat"], ["bird"]]
    index = build(docs)
    assert index.idf("cat") == 0.0  # ln(1.5 / 3.5) < 0, floored
    assert index.score("cat", "d00") == 0.0
    theirs = BM25Okapi(docs, k1=1.2).get_scores(["cat"])
    assert theirs[0] > 0  # their floor: 0.25 * mean idf


@given(documents, st.lists(st.sampled_from(WORDS + ["absent"]), min_size=1, max_size=4),
       st.integers(1, 20))
def test_search_returns_the_best_k_of_exactly_the_matching_documents(docs, query, k):
    index = build(docs)
    hits = index.search(" ".join(query), k=k)
    matching = {f"d{i:02}" for i, doc in enumerate(docs) if set(query) & set(doc)}
    all_hits = index.search(" ".join(query), k=100)
    assert {doc_id for doc_id, _ in all_hits} == matching
    assert hits == all_hits[:k]
    assert [score for _, score in all_hits] == sorted((score for _, score in all_hits), reverse=True)


def test_more_occurrences_score_higher_but_saturate():
    index = BM25Index(k1=1.2, b=0)  # b=0: no length normalisation, to isolate tf
    for tf in range(1, 41):
        index.add(f"tf{tf:02}", " ".join(["apple"] * tf + ["filler"] * (40 - tf)))
    for i in range(200):  # apple in 40 of 240 documents: a positive idf
        index.add(f"other{i:03}", "pear plum")
    scores = [index.score("apple", f"tf{tf:02}") for tf in range(1, 41)]
    assert all(a < b for a, b in zip(scores, scores[1:]))
    ceiling = (index.k1 + 1) * index.idf("apple")
    assert scores[-1] < ceiling and scores[-1] > 0.95 * ceiling
    # With b = 0 one occurrence scores exactly the idf: 1 * (k1 + 1) / (1 + k1).
    assert scores[0] == pytest.approx(index.idf("apple"))


def test_the_shorter_document_wins_at_equal_counts():
    index = BM25Index()
    index.add("short", "raft consensus")
    index.add("long", "raft " + "log entries replicated across followers " * 5)
    for i in range(6):
        index.add(f"x{i}", "paxos")
    assert [doc for doc, _ in index.search("raft")] == ["short", "long"]


def test_remove_restores_the_index_it_came_from():
    docs = [["a", "b"], ["b", "c", "c"], ["d"]]
    index = build(docs)
    before = (dict(index.postings), dict(index.lengths), index.total_length)
    index.add("extra", "c c e")
    index.remove("extra")
    assert ({t: dict(p) for t, p in index.postings.items()}, index.lengths, index.total_length) == (
        {t: dict(p) for t, p in before[0].items()}, before[1], before[2])


@pytest.mark.parametrize("text", ["", "  ... !!"])
def test_a_document_without_words_is_refused_and_changes_nothing(text):
    index = build([["a"], ["b"]])
    with pytest.raises(ValueError, match="has no words to index"):
        index.add("empty", text)
    assert "empty" not in index.lengths and index.total_length == 2


def test_a_duplicate_id_is_refused_and_changes_nothing():
    index = build([["a"], ["b"]])
    with pytest.raises(ValueError, match="already indexed"):
        index.add("d00", "c c c")
    assert "c" not in index.postings and index.lengths["d00"] == 1 and index.total_length == 2
    with pytest.raises(ValueError, match="is not indexed"):
        index.remove("nope")


@pytest.mark.parametrize("params, message", [
    ({"k1": -1}, "k1 must be"), ({"k1": math.nan}, "k1 must be"), ({"k1": math.inf}, "k1 must be"),
    ({"b": 1.5}, "b must be between 0 and 1"), ({"b": math.nan}, "b must be between 0 and 1"),
])
def test_bad_parameters_are_refused(params, message):
    with pytest.raises(ValueError, match=message):
        BM25Index(**params)


@pytest.mark.parametrize("k", [0, -1, 2.5, None])
def test_k_must_be_a_positive_whole_number(k):
    with pytest.raises(ValueError, match="k must be a positive whole number"):
        build([["a"]]).search("a", k=k)


def test_an_empty_index_finds_nothing_and_the_analyser_lowercases():
    assert BM25Index().search("anything") == []
    assert tokenize("Raft, RAFT raft!") == ["raft"] * 3


def test_equal_scores_are_ordered_by_document_id_also_when_k_cuts_through_them():
    """The documented tie rule: same text, same length, same score; added out of ID order."""
    index = BM25Index()
    for doc_id in ["t3", "t1", "t4", "t0", "t2"]:
        index.add(doc_id, "raft log")
    index.add("best", "raft")  # shorter: scores higher
    for i in range(10):
        index.add(f"z{i}", "paxos ballot")
    hits = index.search("raft", k=4)
    assert [doc for doc, _ in hits] == ["best", "t0", "t1", "t2"]
    assert hits[1][1] == hits[2][1] == hits[3][1] < hits[0][1]
    assert [doc for doc, _ in index.search("raft log", k=10)][:5] == ["t0", "t1", "t2", "t3", "t4"]


def test_one_occurrence_is_worth_one_idf_only_at_average_length():
    """tf = 1 gives idf · (k1 + 1) / (1 + k1 · (1 - b + b · |d| / avgdl)): exactly idf when
    |d| = avgdl, more for shorter documents, less for longer ones. The page quotes it."""
    import re
    from pathlib import Path

    index = BM25Index(k1=1.2, b=0.75)
    for doc_id, length in [("half", 5), ("average", 10), ("twice", 20)]:
        index.add(doc_id, " ".join(["apple"] + [f"f{i}" for i in range(length - 1)]))
    for i in range(5):  # average length 80 / 8 = 10; apple in 3 of 8 documents
        index.add(f"other{i}", " ".join(["pear"] * 9))
    assert index.total_length / len(index.lengths) == 10
    worth = {doc: index.score("apple", doc) / index.idf("apple") for doc in ("half", "average", "twice")}
    assert worth["average"] == pytest.approx(1.0)
    assert worth["half"] > 1 > worth["twice"]
    page = re.sub(r"\s+", " ", (Path(__file__).resolve().parents[1] / "docs/concepts/bm25.md").read_text())
    assert (f"in a document of average length is worth exactly 1 × idf (about {worth['half']:.2f} × idf "
            f"at half the average length, {worth['twice']:.2f} × idf at twice it)") in page
