"""Twitter Search: every source item is kept, the archive cache has its miss path, and the
index update picture shows the single-writer protocol in the order that makes it correct."""

from __future__ import annotations

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


def test_each_picture_stays_within_twelve_arrows(system):
    for path in system.paths.values():
        for stage in path.stages():
            assert sum(len(step.targets) for step in stage.steps) <= 12, (path.id, stage.title)
