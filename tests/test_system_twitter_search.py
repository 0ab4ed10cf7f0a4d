"""Twitter Search: every source item is kept, the archive cache has its miss path, and the
index update picture shows the single-writer protocol in the order that makes it correct."""

from __future__ import annotations

import math

import pytest

# Items of the source's numbered lists ("Read path" 10, "Write path" 6). The index update
# picture has no list in the source (one sentence, on edits and deletes), hence a floor of 1.
SOURCE_ITEMS = {"read": 10, "write": 6, "index_update": 1}


@pytest.fixture
def system(catalogue):
    return catalogue.systems["twitter_search"]


@pytest.mark.parametrize("path_id", sorted(SOURCE_ITEMS))
def test_every_source_item_is_a_step_or_a_note(system, path_id):
    path = system.paths[path_id]
    assert len(path.steps) + len(path.notes) >= SOURCE_ITEMS[path_id]


def test_there_is_no_schema(system, catalogue):
    assert system.schema is None and "twitter_search" not in catalogue.schemas


def test_the_archive_cache_read_has_a_drawn_miss_path(system):
    read = system.paths["read"]
    lookup = next(step for step in read.steps if step.targets == ("cache",))
    misses = [step for step in read.steps if step.when == "On a cache miss"]
    assert [step.targets for step in misses] == [("archive_index",), ("cache",)]
    assert all(step.number > lookup.number for step in misses)


def test_only_the_fanout_service_writes_the_cache(system):
    writers = {step.source for path in system.paths.values() for step in path.steps if "cache" in step.targets}
    assert writers == {"fanout"}


def test_one_writer_publishes_after_writing_and_readers_read_the_counter_first(system):
    steps = system.paths["index_update"].steps
    number = {(step.source, step.targets): step.number for step in steps}
    changers = {step.source for step in steps if set(step.targets) & {"active_segment", "sealed_segments", "max_doc_id"}
                and step.source != "reader_threads"}
    assert changers == {"writer_thread"}  # a single writer changes the index
    assert number[("writer_thread", ("active_segment",))] < number[("writer_thread", ("max_doc_id",))]
    assert number[("reader_threads", ("max_doc_id",))] < number[("reader_threads", ("active_segment",))]


def test_the_optimistic_locking_claim_is_corrected(system):
    notes = " ".join(note.text for path in system.paths.values() for note in path.notes)
    for term in ("**Wait-free**", "**Lock-free**", "**Optimistic locking**", "volatile"):
        assert term in notes


@pytest.mark.parametrize("pair", [("hdfs", "mapreduce"), ("writer_thread", "reader_threads"),
                                  ("active_segment", "sealed_segments")])
def test_components_drawn_side_by_side_have_different_icons(system, pair):
    """HDFS and MapReduce are both Hadoop, the threads are both Java: the icons must still differ."""
    from blueprint.kinds import KINDS

    first, second = (system.components[component] for component in pair)
    assert KINDS[first.kind].node != KINDS[second.kind].node, pair


def test_each_picture_stays_within_twelve_arrows(system):
    for path in system.paths.values():
        for stage in path.stages():
            assert sum(len(step.targets) for step in stage.steps) <= 12, (path.id, stage.title)


# --- The positional index on the page (snippets/algorithms/positional_index.py) -----------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from algorithms.positional_index import PositionalIndex, tokenize  # noqa: E402

# A four-word vocabulary makes phrases, repeats and near misses common.
documents = st.lists(st.lists(st.sampled_from(["world", "cup", "final", "#goal"]), max_size=8), max_size=12)
phrases = st.lists(st.sampled_from(["world", "cup", "final", "#goal"]), min_size=1, max_size=3)


def contains_run(words: list[str], run: list[str]) -> bool:
    return any(words[i:i + len(run)] == run for i in range(len(words) - len(run) + 1))


@given(documents, phrases)
def test_phrase_queries_equal_a_brute_force_scan(docs, run):
    index = PositionalIndex()
    for doc_id, words in enumerate(docs, start=1):
        index.add(doc_id, " ".join(words))
    expected = [doc_id for doc_id in range(len(docs), 0, -1) if contains_run(docs[doc_id - 1], run)]
    assert index.phrase(" ".join(run)) == expected


def test_the_example_on_the_page():
    from conftest import ROOT

    texts = {640: "x cup a b c world final", 871: "x x world cup", 903: "x cup final"}
    index = PositionalIndex()
    for doc_id in range(1, 904):
        index.add(doc_id, texts.get(doc_id, ""))
    page = (ROOT / "docs" / "systems" / "twitter_search.md").read_text()
    for term in ("cup", "final", "world"):
        newest_first = "   ".join(f"{doc}: {where}" for doc, where in reversed(index.postings[term]))
        assert f"{term:<9}{newest_first}\n" in page, term
    assert index.phrase('"world cup"') == [871]
    assert index.phrase("world") == [871, 640]


def test_a_reader_never_sees_a_document_before_it_is_published():
    index = PositionalIndex()
    index.add(1, "world cup final")
    index.append(2, "world cup")  # postings written, not yet published
    assert index.phrase("world cup") == [1]
    seen = index.snapshot()  # a reader starts a query now...
    index.publish(2)
    assert index.phrase("world cup", max_doc=seen) == [1]  # ...and keeps to what it read
    assert index.phrase("world cup") == [2, 1]  # the next query sees the new document


def test_doc_ids_are_handed_out_in_order():
    index = PositionalIndex()
    index.add(1, "a")
    with pytest.raises(ValueError, match="expected 2, got 3"):
        index.append(3, "b")


def test_query_and_index_share_one_analyser():
    assert tokenize("World CUP #WorldCup @fifa!") == ["world", "cup", "#worldcup", "@fifa"]


def test_the_page_shows_the_tested_index():
    from conftest import ROOT

    page = (ROOT / "docs" / "systems" / "twitter_search.md").read_text()
    assert '--8<-- "snippets/algorithms/positional_index.py:index"' in page


# --- Review findings T1 to T3: deletes, sealed segments, the real-time window ------------------

def test_an_edit_or_delete_reaches_both_indexes_and_the_archive_s_batch_input(system):
    """A tweet a few days old is in both indexes, so a change goes to both, whatever its age; and the
    archive on HDFS gets it too, or the next MapReduce build would index a deleted tweet again."""
    steps = system.paths["index_update"].steps
    targets = {target for step in steps for target in step.targets}
    assert {"hdfs", "archive_index", "writer_thread"} <= targets
    for step in steps:
        if step.targets in (("archive_index",), ("writer_thread",), ("hdfs",)):
            assert step.when is None, step.number  # not one index or the other
            assert not step.text.startswith("For an older tweet") and not step.text.startswith("For a recent tweet")
    delete = next(e for e in system.endpoints if e.method == "DELETE")
    assert "drops out of both indexes and of cached answers" not in delete.purpose
    assert "final lookup" in delete.purpose


def test_sealed_segments_are_not_said_to_never_change(system):
    """Their postings are fixed, but a delete sets a bit in their deleted-docs set."""
    assert "never changes" not in system.components["sealed_segments"].role
    steps = system.paths["index_update"].steps
    search_sealed = next(s for s in steps if s.source == "reader_threads" and s.targets == ("sealed_segments",))
    assert "deleted-docs" in search_sealed.text
    delete = next(s for s in steps if s.source == "writer_thread" and s.targets == ("active_segment",))
    assert "sealed or active" in delete.text


def test_the_real_time_window_is_cut_by_time_not_on_every_seal(system):
    steps = system.paths["index_update"].steps
    seal = next(s for s in steps if s.source == "writer_thread" and s.targets == ("sealed_segments",))
    assert "drops the oldest segment" not in seal.text and "Sealing drops nothing" in seal.text
    notes = " ".join(note.text for note in system.paths["write"].notes)
    assert "by time and never by count" in notes


def test_a_stored_tweet_reaches_the_stream_even_if_the_service_crashes(system):
    """Storing a tweet and appending it to the stream are two writes: an outbox joins them."""
    append = next(s for s in system.paths["write"].steps if s.source == "tweet_service" and s.targets == ("stream",))
    assert "outbox" in append.text
    notes = " ".join(note.text for note in system.paths["write"].notes)
    assert "outbox entry are written in one transaction" in notes


# --- Review rev_c: edits and deletes take the outbox too, and a replayed change cannot undo a newer one ---

def test_an_edit_or_delete_reaches_the_stream_through_the_outbox(system):
    """An edit stored but never appended would leave its new text unsearchable for good (the lookup in read
    step 9 hides a lost delete, not a lost edit)."""
    append = next(s for s in system.paths["index_update"].steps
                  if s.source == "tweet_service" and s.targets == ("stream",))
    assert "outbox entry in one transaction" in append.text


def test_a_redelivered_old_change_is_skipped_by_version(system):
    """Edit 1, edit 2, then edit 1 replayed by the relay: skipping only tweets the writer already holds would
    index edit 1's text again (and a replayed post after a delete would bring the tweet back)."""
    notes = " ".join(note.text for note in system.paths["write"].notes)
    assert "skips a tweet it already holds" not in notes
    assert "last version applied" in notes and "tombstone" in notes and "highest version" in notes
    writer = next(s for s in system.paths["index_update"].steps
                  if s.source == "flink" and s.targets == ("writer_thread",))
    assert "version is not newer" in writer.text
    post = next(s for s in system.paths["write"].steps if s.source == "client")
    assert "version 1" in post.text and "idempotency key" in post.text


def test_the_archive_cache_key_includes_the_time_range(system):
    """Read step 5 queries only the partitions of the time range asked for, so the cached answer depends on it."""
    lookup = next(s for s in system.paths["read"].steps if s.targets == ("cache",) and s.when is None)
    assert "time range" in lookup.text and "archive version" in lookup.text


def test_every_replica_of_a_partition_gets_every_change(system):
    """Read step 3 may ask any replica; a change sent to one only would make results depend on the replica."""
    for path_id in ("write", "index_update"):
        sends = [s for s in system.paths[path_id].steps
                 if s.source == "flink" and s.targets in (("realtime_index",), ("writer_thread",))]
        assert sends and all("every replica" in s.text for s in sends), path_id


def test_the_page_cursor_is_a_tweet_id_not_an_offset(system):
    """An offset into results that grow every second would repeat or skip tweets on the next page."""
    search_api = next(e for e in system.endpoints if e.route == "/v1/search/tweets")
    assert "oldest tweet ID returned" in dict(search_api.response)["next_cursor"]


# --- Failure and load declarations (issue 22) ---

def test_an_index_replica_that_loses_its_ram_can_replay_the_stream(system):
    """The real-time index lives in RAM: a restarted replica rebuilds from the stream, so the
    stream must keep at least the real-time window."""
    assert "replay" in system.components["stream"].role
    for name in ("realtime_index", "active_segment", "sealed_segments"):
        assert "replay" in system.components[name].failure.loses_data, name


def test_the_search_history_is_written_per_search_not_per_tweet(system):
    """Written on the write path, it would be counted at the tweet rate; it runs once per search."""
    history = [s for p in system.paths.values() for s in p.steps
               if s.targets == ("user_search",) and s.effect == "write"]
    assert [system.paths[p].per for p in system.paths if any(s in history for s in system.paths[p].steps)] == ["read"]


def test_the_archive_miss_share_matches_the_repeat_rate(system):
    """A fifth of queries repeat (the hot fraction's reason), so four lookups in five miss."""
    assert "fifth of queries that repeat" in system.assumptions["hot_fraction"][1]
    misses = [s for s in system.paths["read"].steps if s.when == "On a cache miss"]
    assert misses and all(s.share == 0.8 for s in misses)


def test_the_indexes_move_ids_and_the_edits_follow_the_tweets(system):
    """Issue 22: charged a results page's 20 kB at every step, the real-time index showed 1.4 GB/s for
    queries whose answers are IDs and scores; edits and deletes follow the tweet rate instead of a
    typed 900 a second."""
    from blueprint import capacity, load

    loads = {l.component: l for l in load.compute(system, capacity.compute(system))}
    # by hand: 250 million users * 2 tweets a day / 86,400 s * 3 at peak; four searches per tweet
    tweets = 250e6 * 2 / 86_400 * 3
    searches = 4 * tweets
    update = system.paths["index_update"]
    assert update.rate is None and (update.per, update.times, update.size) == ("write", 0.05, "1 kB")
    # read step 3 (every search, about 2 kB of IDs and scores), write step 4 (every tweet, 1 kB)
    assert math.isclose(loads["realtime_index"].requests, searches + tweets)
    assert math.isclose(loads["realtime_index"].bytes, searches * 2_000 + tweets * 1_000)
    # the stream: each tweet and each change (one in twenty) written and delivered, 1 kB each
    assert math.isclose(loads["stream"].bytes, 2 * tweets * 1.05 * 1_000)
