"""Chunking: content-defined blocks survive a one-byte insert, fixed-size blocks do not;
sizes stay within bounds; the chunks rebuild the file; and the behaviour matches the
`fastcdc` package (a reference FastCDC implementation) on the same experiment."""

from __future__ import annotations

import random
import statistics

import pytest
from fastcdc import fastcdc
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.chunking import (
    GEAR,
    cdc_boundaries,
    cdc_chunks,
    fixed_chunks,
    reused_fraction,
)

MB = 1 << 20
MIN, AVG, MAX = 2048, 8192, 65536


@pytest.fixture(scope="module")
def versions() -> tuple[bytes, bytes]:
    """A random 1 MB file, and the same file with one byte inserted near its start."""
    original = random.Random(7).randbytes(MB)
    edited = original[:100] + b"x" + original[100:]
    return original, edited


def reference_chunks(data: bytes, min_size: int, avg_size: int, max_size: int) -> list[bytes]:
    return [data[c.offset:c.offset + c.length] for c in fastcdc(data, min_size, avg_size, max_size)]


def test_one_byte_insert_changes_every_fixed_block(versions):
    original, edited = versions
    assert reused_fraction(fixed_chunks(original, AVG), fixed_chunks(edited, AVG)) <= 0.01


def test_one_byte_insert_keeps_almost_every_content_defined_block(versions):
    original, edited = versions
    before, after = cdc_chunks(original, MIN, AVG, MAX), cdc_chunks(edited, MIN, AVG, MAX)
    assert reused_fraction(before, after) >= 0.97
    # Only the blocks around the edit are new: at most two of about 120.
    assert sum(chunk not in set(before) for chunk in after) <= 2


def test_reference_fastcdc_shows_the_same_survival(versions):
    original, edited = versions
    ours = reused_fraction(cdc_chunks(original, MIN, AVG, MAX), cdc_chunks(edited, MIN, AVG, MAX))
    theirs = reused_fraction(reference_chunks(original, MIN, AVG, MAX), reference_chunks(edited, MIN, AVG, MAX))
    assert theirs >= 0.97
    assert abs(ours - theirs) <= 0.02


@pytest.mark.parametrize("avg", [4096, 8192, 16384])
def test_average_chunk_size_is_close_to_the_target_and_to_fastcdc(versions, avg):
    data = versions[0]
    ours = statistics.mean(map(len, cdc_chunks(data, avg // 4, avg, avg * 8)))
    theirs = statistics.mean(map(len, reference_chunks(data, avg // 4, avg, avg * 8)))
    assert 0.8 * avg <= ours <= 1.25 * avg
    assert 0.8 <= ours / theirs <= 1.25


def test_boundaries_depend_on_content_not_position(versions):
    """Behind a new prefix, boundaries fall back into step after a few blocks."""
    data = versions[0][:200_000]
    prefix = b"p" * 12_345
    plain = set(cdc_boundaries(data, MIN, AVG, MAX))
    shifted = {end - len(prefix) for end in cdc_boundaries(prefix + data, MIN, AVG, MAX)}
    assert len(plain & shifted) >= len(plain) - 3


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=40_000), seed=st.integers(0, 2**32 - 1))
def test_chunks_rebuild_the_input_and_respect_the_bounds(data, seed):
    data = data + random.Random(seed).randbytes(20_000)
    chunks = cdc_chunks(data, 256, 1024, 4096)
    assert b"".join(chunks) == data
    assert all(len(chunk) <= 4096 for chunk in chunks)
    assert all(len(chunk) >= 256 for chunk in chunks[:-1])  # only the last may be short
    assert b"".join(fixed_chunks(data, 1000)) == data


def test_a_run_of_identical_bytes_is_cut_at_max_size():
    """No content pattern ever matches in a constant run: the max size bounds the block."""
    chunks = cdc_chunks(bytes(100_000), MIN, AVG, MAX)
    assert [len(chunk) for chunk in chunks[:-1]] == [MAX] * (len(chunks) - 1)


def test_the_gear_table_is_fixed():
    """Every client must cut the same file the same way: the table never changes."""
    assert len(GEAR) == 256 and len(set(GEAR)) == 256
    assert all(0 <= value < 2**64 for value in GEAR)
    assert GEAR[0] == 8428254225502841031


@pytest.mark.parametrize("sizes", [(0, 8, 16), (8, 8, 16), (4, 16, 8), (4, 12, 64)])
def test_invalid_sizes_raise(sizes):
    with pytest.raises(ValueError):
        cdc_chunks(b"abc", *sizes)


def test_invalid_inputs_raise():
    with pytest.raises(ValueError):
        fixed_chunks(b"abc", 0)
    with pytest.raises(ValueError):
        reused_fraction([b"a"], [])


def test_empty_input_has_no_chunks():
    assert cdc_chunks(b"", MIN, AVG, MAX) == []
    assert fixed_chunks(b"", AVG) == []


def test_the_figures_quoted_on_the_concept_page(versions):
    """docs/concepts/chunking.md quotes these numbers; they must come from the code."""
    original, edited = versions
    fixed_before, fixed_after = fixed_chunks(original, AVG), fixed_chunks(edited, AVG)
    assert len(fixed_before) == 128 and reused_fraction(fixed_before, fixed_after) == 0
    before, after = cdc_chunks(original, MIN, AVG, MAX), cdc_chunks(edited, MIN, AVG, MAX)
    assert (len(after), sum(chunk in set(before) for chunk in after)) == (113, 112)
    assert round(reused_fraction(before, after), 2) == 0.99
    theirs = reused_fraction(reference_chunks(original, MIN, AVG, MAX), reference_chunks(edited, MIN, AVG, MAX))
    assert round(theirs, 2) == 0.99
    def mean_kb(chunks):
        return round(statistics.mean(map(len, chunks)) / 1024, 1)

    means = {avg: (mean_kb(cdc_chunks(original, avg // 4, avg, avg * 8)),
                   mean_kb(reference_chunks(original, avg // 4, avg, avg * 8)))
             for avg in (4096, 8192, 16384)}
    assert means == {4096: (4.6, 4.0), 8192: (9.1, 8.1), 16384: (18.0, 16.5)}
