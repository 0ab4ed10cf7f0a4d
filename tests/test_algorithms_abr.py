"""Adaptive bitrate: with a low buffer the player never asks for more than the safe
throughput; it climbs when the network improves and the buffer is healthy; it does not
oscillate on a steady network; it drops when the network slows; bad input raises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.abr import Rule, choose, estimate, play

LADDER = [300, 750, 1200, 2350, 4300, 5800]  # kbps, 240p to 1080p60
RULE = Rule()

ladders = st.lists(st.integers(50, 20_000), min_size=1, max_size=8, unique=True).map(sorted)


@settings(max_examples=300)
@given(ladder=ladders, throughput=st.floats(10, 50_000), buffer=st.floats(0, RULE.low_buffer_s, exclude_max=True),
       data=st.data())
def test_low_buffer_never_picks_above_the_safe_throughput(ladder, throughput, buffer, data):
    current = data.draw(st.integers(0, len(ladder) - 1))
    chosen = choose(ladder, throughput, buffer, current, RULE)
    assert chosen <= current
    assert chosen == 0 or ladder[chosen] <= RULE.safety * throughput


@settings(max_examples=300)
@given(ladder=ladders, throughput=st.floats(10, 50_000), buffer=st.floats(0, 120), data=st.data())
def test_moves_at_most_one_rung_up(ladder, throughput, buffer, data):
    current = data.draw(st.integers(0, len(ladder) - 1))
    assert choose(ladder, throughput, buffer, current, RULE) <= current + 1


def test_switches_up_when_throughput_rises_and_the_buffer_is_healthy():
    session = play(LADDER, [1500] * 30 + [8000] * 40)
    first, second = session[:30], session[30:]
    assert max(s.rendition for s in first) == 2        # 1200 kbps: the most 0.8 × 1500 allows
    assert second[-1].rendition == len(LADDER) - 1      # 5800 kbps ≤ 0.8 × 8000
    assert all(s.buffer_s >= RULE.high_buffer_s for s in second if s.rendition > 2)
    assert sum(s.stall_s for s in session[1:]) == 0


def test_no_oscillation_on_a_steady_trace():
    session = play(LADDER, [3000] * 120)
    renditions = [s.rendition for s in session]
    assert renditions == sorted(renditions)             # it only ever climbs...
    assert renditions[-1] == 3                          # ...to 2350 kbps ≤ 0.8 × 3000
    assert len(set(renditions[20:])) == 1               # and then stays
    assert sum(a != b for a, b in zip(renditions, renditions[1:])) == 3


def test_drops_when_the_network_slows_and_recovers_without_stalling_long():
    session = play(LADDER, [8000] * 40 + [1000] * 40)
    assert session[39].rendition == 5
    assert session[-1].rendition == 1                   # 750 kbps ≤ 0.8 × 1000
    assert sum(s.stall_s for s in session[1:]) < 4      # the buffer absorbed the drop


def test_a_single_fast_sample_does_not_inflate_the_estimate():
    assert estimate([1000, 1000, 100_000]) < 1500
    assert estimate([2000]) == 2000


@pytest.mark.parametrize("args", [
    ([], 1000, 5, 0),                 # empty ladder
    ([300, 300], 1000, 5, 0),         # not strictly ascending
    ([750, 300], 1000, 5, 0),         # descending
    ([0, 300], 1000, 5, 0),           # zero bitrate
    ([300, 750], 0, 5, 0),            # no throughput
    ([300, 750], 1000, -1, 0),        # negative buffer
    ([300, 750], 1000, 5, 2),         # current not in the ladder
])
def test_invalid_input_raises(args):
    with pytest.raises(ValueError):
        choose(*args)


@pytest.mark.parametrize("kwargs", [dict(safety=0), dict(safety=1.5), dict(low_buffer_s=30, high_buffer_s=30)])
def test_invalid_rule_raises(kwargs):
    with pytest.raises(ValueError):
        Rule(**kwargs)


def test_invalid_estimate_and_session_raise():
    with pytest.raises(ValueError):
        estimate([])
    with pytest.raises(ValueError):
        estimate([1000, -5])
    with pytest.raises(ValueError):
        play(LADDER, [1000], segment_s=0)


def test_the_session_quoted_on_the_concept_page():
    """docs/concepts/abr.md and its notebook describe this session (same seed and trace): settle at
    2350 kbps, ride out the slowdown before stepping down to 750 kbps, climb to 5800 kbps, no stall
    after startup, eight switches."""
    import random

    rng = random.Random(5)
    plan = [4000] * 30 + [1200] * 25 + [7500] * 45
    trace = [kbps * rng.uniform(0.7, 1.3) for kbps in plan]
    session = play(LADDER, trace, segment_s=4)
    kbps = [LADDER[s.rendition] for s in session]
    assert max(kbps[:30]) == kbps[29] == 2350
    assert kbps[30] == 2350 and min(kbps[30:55]) == kbps[54] == 750   # the buffer absorbs the drop first
    assert kbps[-1] == 5800
    assert sum(s.stall_s for s in session[1:]) == 0
    assert sum(a != b for a, b in zip(kbps, kbps[1:])) == 8


def test_after_a_stall_the_buffer_holds_just_the_segment_that_ended_it():
    """One rung of 1000 kbps, 4 s segments. The first segment downloads in 4 s from an empty
    buffer (a 4 s start-up stall); the second, at 100 kbps, takes 40 s: the 4 s buffered
    play out, then the picture freezes for 36 s, and the buffer ends with that segment only."""
    session = play([1000], [1000, 100, 1000], segment_s=4)
    assert [(s.stall_s, s.buffer_s) for s in session] == [(4, 4), (36, 4), (0, 4)]


traces = st.lists(st.floats(50, 20_000), min_size=1, max_size=40)


@settings(max_examples=300)
@given(ladder=ladders, trace=traces, segment_s=st.sampled_from([2, 4, 6]))
def test_time_adds_up_and_a_stall_leaves_one_segment_and_no_step_up(ladder, trace, segment_s):
    """With a buffer that never fills, wall-clock time is the sum of the downloads, of which
    the picture played all but the stalls; what was downloaded and not played is the buffer."""
    session = play(ladder, trace, segment_s=segment_s, max_buffer_s=10**9)
    downloads = [ladder[s.rendition] * segment_s / throughput for s, throughput in zip(session, trace)]
    played = sum(downloads) - sum(s.stall_s for s in session)
    assert session[-1].buffer_s == pytest.approx(len(session) * segment_s - played, abs=1e-6)
    for before, segment in zip(session, session[1:]):
        if segment.stall_s > 0:
            assert segment.buffer_s == pytest.approx(segment_s)  # emptied, then one segment
        if before.stall_s > 0 and before.buffer_s < RULE.low_buffer_s:
            assert segment.rendition <= before.rendition  # a low buffer never steps up
    assert all(s.buffer_s >= segment_s - 1e-9 and s.stall_s >= 0 for s in session)
