"""Adaptive bitrate streaming: before each segment, the player picks a rendition
from the measured throughput (with a safety factor) and its buffer level (BBA-style
thresholds): cautious when the buffer is low, stepping up only when it is healthy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from algorithms._checks import instance, listed, number, whole


def _check_rule(rule: Rule) -> None:
    number("safety", rule.safety, 0, 1, low_open=True)
    number("low_buffer_s", rule.low_buffer_s, 0)
    number("high_buffer_s", rule.high_buffer_s, rule.low_buffer_s, low_open=True,
           accepted=f"a finite number > low_buffer_s ({rule.low_buffer_s})")


# --8<-- [start:rule]
@dataclass(frozen=True)
class Rule:
    safety: float = 0.8        # use at most 80% of the measured throughput
    low_buffer_s: float = 10   # below: never above the safe throughput, never up
    high_buffer_s: float = 30  # above: may step up one rung; rides out a dip

    def __post_init__(self):
        _check_rule(self)


def estimate(samples_kbps: Sequence[float], window: int = 3) -> float:
    """Harmonic mean of the last `window` throughput samples: one fast outlier
    cannot inflate it, which a plain average would let happen."""
    whole("window", window, 1)
    recent = _check_rates("samples_kbps", samples_kbps, last=window)
    return len(recent) / sum(1 / s for s in recent)


def choose(ladder_kbps: Sequence[int], throughput_kbps: float, buffer_s: float,
           current: int, rule: Rule = Rule()) -> int:
    """Index in the ladder (ascending bitrates) of the next segment's rendition."""
    _check(ladder_kbps, throughput_kbps, buffer_s, current, rule)
    safe = rule.safety * throughput_kbps
    target = max([i for i, kbps in enumerate(ladder_kbps) if kbps <= safe], default=0)
    if buffer_s < rule.low_buffer_s:
        return min(target, current)          # low buffer: only down, to a safe rung
    if target > current:                     # the network allows more
        return current + 1 if buffer_s >= rule.high_buffer_s else current
    if target < current and buffer_s < rule.high_buffer_s:
        return target                        # the network got slower: go down now
    return current                           # steady, or a dip the buffer absorbs
# --8<-- [end:rule]


def _check_rates(name: str, rates: Sequence[float], at_least_one: bool = True,
                 last: int | None = None) -> list[float]:
    """Throughputs or bitrates in kbps, finite and positive: all, or the `last` few
    (those returned)."""
    rates = listed(name, rates)
    if at_least_one and not rates:
        raise ValueError(f"{name} must hold at least one positive number, got none")
    first = 0 if last is None else max(0, len(rates) - last)
    for i in range(first, len(rates)):
        number(f"{name}[{i}]", rates[i], 0, low_open=True)
    return rates[first:]


def _check_ladder(ladder_kbps: Sequence[int]) -> None:
    ladder = _check_rates("ladder_kbps", ladder_kbps)
    for i, (a, b) in enumerate(zip(ladder, ladder[1:])):
        if a >= b:
            raise ValueError(f"ladder_kbps must be strictly ascending, got {a} then {b} at index {i + 1}")


def _check(ladder_kbps, throughput_kbps, buffer_s, current, rule) -> None:
    _check_ladder(ladder_kbps)
    number("throughput_kbps", throughput_kbps, 0, low_open=True)
    number("buffer_s", buffer_s, 0)
    whole("current", current, 0, len(ladder_kbps) - 1,
          accepted=f"a rendition index in [0, {len(ladder_kbps) - 1}]")
    instance("rule", rule, Rule)


# --8<-- [start:session]
@dataclass(frozen=True)
class Segment:
    rendition: int
    buffer_s: float   # buffer level after this segment arrived
    stall_s: float    # time the picture froze while it downloaded

    def __post_init__(self) -> None:
        _check_segment(self)


def play(ladder_kbps: Sequence[int], trace_kbps: Sequence[float], segment_s: float = 4,
         max_buffer_s: float = 60, rule: Rule = Rule()) -> list[Segment]:
    """Simulate a session: segment i downloads at trace_kbps[i]. Starts on the lowest rung."""
    _check_session(ladder_kbps, trace_kbps, segment_s, max_buffer_s, rule)
    session, samples, buffer_s, current = [], [], 0.0, 0
    for throughput in trace_kbps:
        if samples:
            current = choose(ladder_kbps, estimate(samples), buffer_s, current, rule)
        download_s = ladder_kbps[current] * segment_s / throughput
        stall = max(0.0, download_s - buffer_s)
        buffer_s = min(max(0.0, buffer_s - download_s) + segment_s, max_buffer_s)
        samples.append(throughput)
        session.append(Segment(current, buffer_s, stall))
    return session
# --8<-- [end:session]


def _check_session(ladder_kbps, trace_kbps, segment_s, max_buffer_s, rule) -> None:
    _check_ladder(ladder_kbps)
    _check_rates("trace_kbps", trace_kbps, at_least_one=False)
    number("segment_s", segment_s, 0, low_open=True)
    number("max_buffer_s", max_buffer_s, segment_s,
           accepted=f"a finite number >= segment_s ({segment_s})")
    instance("rule", rule, Rule)


def _check_segment(segment: Segment) -> None:
    whole("rendition", segment.rendition, 0)
    number("buffer_s", segment.buffer_s, 0)
    number("stall_s", segment.stall_s, 0)
