"""Snowflake IDs are unique and increasing on one machine, whatever its clock does; their
layout matches an independent implementation (the `snowflake-id` package); and across
machines whose clocks disagree they are *not* in the order the messages were sent,
which is why the chat page orders a conversation by sequence number instead."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from snowflake import Snowflake

from algorithms.snowflake import EPOCH_MS, MAX_COUNTER, MAX_MACHINE, SnowflakeIds, parse

START = EPOCH_MS + 1_000_000
ROOT_PAGE = __import__("pathlib").Path(__file__).resolve().parents[1] / "docs" / "concepts" / "snowflake.md"


class FakeClock:
    def __init__(self, readings):
        self.readings = list(readings)

    def __call__(self):
        return self.readings.pop(0) if len(self.readings) > 1 else self.readings[0]


@given(st.lists(st.integers(min_value=START - 50, max_value=START + 50), min_size=1, max_size=300),
       st.integers(min_value=0, max_value=MAX_MACHINE))
def test_ids_only_increase_even_when_the_clock_steps_back(readings, machine):
    ids = SnowflakeIds(machine, FakeClock(readings))
    minted = [ids.next_id() for _ in readings]
    assert minted == sorted(set(minted)), "strictly increasing, so never repeated"
    assert all(0 < value < 2**63 for value in minted), "fits a signed 64-bit column"
    assert all(parse(value)[1] == machine for value in minted)


def test_more_than_4096_ids_in_one_millisecond_borrow_the_next():
    ids = SnowflakeIds(7, FakeClock([START]))
    minted = [ids.next_id() for _ in range(MAX_COUNTER + 3)]
    assert len(set(minted)) == len(minted) and minted == sorted(minted)
    assert parse(minted[MAX_COUNTER]) == (START, 7, MAX_COUNTER)
    assert parse(minted[MAX_COUNTER + 1]) == (START + 1, 7, 0)


def test_two_machines_in_the_same_millisecond_never_collide():
    first, second = SnowflakeIds(1, FakeClock([START])), SnowflakeIds(2, FakeClock([START]))
    a = {first.next_id() for _ in range(1000)}
    b = {second.next_id() for _ in range(1000)}
    assert not a & b


@given(st.integers(min_value=0, max_value=2**41 - 1), st.integers(min_value=0, max_value=MAX_MACHINE),
       st.integers(min_value=0, max_value=MAX_COUNTER))
def test_the_layout_matches_an_independent_implementation(ms, machine, counter):
    value = Snowflake(timestamp=ms, instance=machine, epoch=EPOCH_MS, seq=counter).value
    assert parse(value) == (ms + EPOCH_MS, machine, counter)
    theirs = Snowflake.parse(value, EPOCH_MS)
    assert (theirs.milliseconds, theirs.instance, theirs.seq) == parse(value)


def test_a_generated_id_reads_back_the_same_in_the_independent_parser():
    value = SnowflakeIds(513, FakeClock([START + 12345])).next_id()
    theirs = Snowflake.parse(value, EPOCH_MS)
    assert (theirs.milliseconds, theirs.instance, theirs.seq) == (START + 12345, 513, 0)


def test_clock_skew_between_machines_puts_ids_out_of_send_order():
    """Server B's clock runs 40 ms behind A's. A message sent on A, and 10 ms later one on B:
    B's ID is the smaller one, so sorting by ID would show the later message first."""
    true_time = START
    sent_first = SnowflakeIds(1, FakeClock([true_time])).next_id()
    sent_second = SnowflakeIds(2, FakeClock([true_time + 10 - 40])).next_id()
    assert sent_second < sent_first


def test_a_machine_number_out_of_range_is_refused():
    with pytest.raises(ValueError, match="machine"):
        SnowflakeIds(MAX_MACHINE + 1)


def test_the_epoch_comment_is_right_about_when_41_bits_run_out():
    from datetime import datetime, timezone

    from algorithms import snowflake

    source = open(snowflake.__file__, encoding="utf-8").read()
    year = int(re.search(r"2\^41 ms later is the year (\d{4})", source).group(1))
    assert datetime.fromtimestamp((EPOCH_MS + 2**41) / 1000, tz=timezone.utc).year == year
    assert datetime.fromtimestamp(EPOCH_MS / 1000, tz=timezone.utc).isoformat().startswith("2024-01-01T00:00:00")


def test_a_large_step_back_keeps_the_last_millisecond_until_the_clock_catches_up():
    """An NTP correction moves the clock back 5 s. The generator neither refuses nor
    sleeps: it keeps minting from the last millisecond it used (borrowing the next one
    every 4,096 IDs), and follows the clock again once it has passed that millisecond."""
    readings = [START] + [START - 5000 + i for i in range(5000)] + [START + 1, START + 2]
    ids = SnowflakeIds(3, FakeClock(readings))
    minted = [ids.next_id() for _ in readings]
    assert minted == sorted(set(minted))
    times = [parse(value)[0] for value in minted]
    # 5,001 IDs from START: counters 0..4095 at START, the rest borrowed from START + 1.
    assert times[:4096] == [START] * 4096 and set(times[4096:5001]) == {START + 1}
    assert max(times) - START <= 1 + 5000 // (MAX_COUNTER + 1), "borrows at most 1 ms per 4,096 IDs"
    # START + 1 is already in use: it counts on there; START + 2 is new, counter back to 0.
    assert parse(minted[-2])[0] == START + 1 and parse(minted[-1]) == (START + 2, 3, 0)


def test_the_figures_quoted_on_the_concept_page():
    import datetime
    import re
    from pathlib import Path

    from algorithms.snowflake import COUNTER_BITS, MACHINE_BITS, TIME_BITS

    page = re.sub(r"\s+", " ", (Path(__file__).resolve().parents[1] / "docs/concepts/snowflake.md").read_text())
    years = 2**TIME_BITS / 1000 / 86400 / 365.25
    assert f"about {years:.1f} years: from 2024-01-01 to {int(2024 + years)}" in page
    assert datetime.datetime.fromtimestamp(EPOCH_MS / 1000, datetime.UTC).date() == datetime.date(2024, 1, 1)
    assert f"{2**MACHINE_BITS:,} generators" in page
    assert f"{2**COUNTER_BITS:,} IDs per millisecond per machine: about {2**COUNTER_BITS * 1000 / 1e6:.1f} million" in page
    assert TIME_BITS + MACHINE_BITS + COUNTER_BITS == 63


def test_a_restart_while_the_clock_is_behind_repeats_ids_unless_it_resumes_from_the_last_millisecond():
    """The page's warning: the guard is in memory, so a new process on the same machine
    number, with the clock stepped back, mints IDs the old one already handed out."""
    before = SnowflakeIds(9, FakeClock([START]))
    old = {before.next_id() for _ in range(10)}
    restarted = SnowflakeIds(9, FakeClock([START]))  # clock stepped back to START again
    assert old & {restarted.next_id() for _ in range(10)}
    resumed = SnowflakeIds(9, FakeClock([START]))
    resumed.last_ms, resumed.counter = before.last_ms, before.counter  # persisted high-water mark
    assert not old & {resumed.next_id() for _ in range(10)}


def test_ids_follow_time_across_machines_only_below_4096_a_millisecond():
    """The page's condition for order by time. Below 4,096 IDs a millisecond, an ID minted
    a millisecond later on a synchronized clock is larger, whatever the machine. Above it, a
    burst on A borrows a millisecond per 4,096 IDs, and B's ID minted 20 ms later in real
    time sorts before A's."""
    calm = SnowflakeIds(1, FakeClock([START] * (MAX_COUNTER + 1)))
    last_calm = [calm.next_id() for _ in range(MAX_COUNTER + 1)][-1]
    assert SnowflakeIds(2, FakeClock([START + 1])).next_id() > last_calm
    burst = SnowflakeIds(1, FakeClock([START]))
    minted = [burst.next_id() for _ in range(41 * (MAX_COUNTER + 1))]
    lead = parse(minted[-1])[0] - START
    assert lead == 40, "one millisecond borrowed per 4,096 IDs beyond the first 4,096"
    later = SnowflakeIds(2, FakeClock([START + 20])).next_id()
    assert later < minted[-1]
    page = re.sub(r"\s+", " ", open(ROOT_PAGE, encoding="utf-8").read())
    assert "no machine mints more than 4,096 IDs in a millisecond" in page
    assert f"a burst of 41 × 4,096 IDs in one millisecond ends {lead} ms ahead, and an ID minted on another machine 20 ms later sorts before it" in page
    assert "ordered by time while no machine mints more than 4,096 a millisecond" in page  # the description


def test_the_41_bit_timestamp_ends_exactly_at_2_to_the_41_milliseconds():
    last = EPOCH_MS + 2**41 - 1
    value = SnowflakeIds(MAX_MACHINE, FakeClock([last])).next_id()
    assert parse(value) == (last, MAX_MACHINE, 0) and value >> 63 == 0 and value >> 22 == 2**41 - 1
    with pytest.raises(OverflowError, match="41-bit"):
        SnowflakeIds(0, FakeClock([last + 1])).next_id()
    with pytest.raises(OverflowError, match="41-bit"):
        SnowflakeIds(0, FakeClock([EPOCH_MS - 1])).next_id()
    assert parse(SnowflakeIds(0, FakeClock([EPOCH_MS])).next_id()) == (EPOCH_MS, 0, 0)
    # The last millisecond's 4,096 IDs are there; borrowing the one after it is not.
    ids = SnowflakeIds(0, FakeClock([last]))
    assert len({ids.next_id() for _ in range(MAX_COUNTER + 1)}) == MAX_COUNTER + 1
    with pytest.raises(OverflowError, match="41-bit"):
        ids.next_id()
