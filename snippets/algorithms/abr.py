"""Adaptive bitrate streaming: before each segment, the player picks a rendition
from the measured throughput (with a safety factor) and its buffer level (BBA-style
thresholds): cautious when the buffer is low, stepping up only when it is healthy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


# --8<-- [start:rule]
@dataclass(frozen=True)
class Rule:
    safety: float = 0.8        # use at most 80% of the measured throughput
    low_buffer_s: float = 10   # below: never above the safe throughput, never up
    high_buffer_s: float = 30  # above: may step up one rung; rides out a dip

    def __post_init__(self):
        if not 0 < self.safety <= 1:
            raise ValueError(f"safety must be in (0, 1], got {self.safety}")
        if not 0 <= self.low_buffer_s < self.high_buffer_s:
            raise ValueError("need 0 <= low_buffer_s < high_buffer_s")


def estimate(samples_kbps: Sequence[float], window: int = 3) -> float:
    """Harmonic mean of the last `window` throughput samples: one fast outlier
    cannot inflate it, which a plain average would let happen."""
    recent = list(samples_kbps)[-window:]
    if not recent or any(s <= 0 for s in recent):
        raise ValueError("need at least one positive throughput sample")
    return len(recent) / sum(1 / s for s in recent)


def choose(ladder_kbps: Sequence[int], throughput_kbps: float, buffer_s: float,
           current: int, rule: Rule = Rule()) -> int:
    """Index in the ladder (ascending bitrates) of the next segment's rendition."""
    _check(ladder_kbps, throughput_kbps, buffer_s, current)
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


def _check(ladder_kbps, throughput_kbps, buffer_s, current) -> None:
    if not ladder_kbps or any(kbps <= 0 for kbps in ladder_kbps):
        raise ValueError("the ladder needs at least one positive bitrate")
    if any(a >= b for a, b in zip(ladder_kbps, ladder_kbps[1:])):
        raise ValueError("the ladder must be strictly ascending")
    if throughput_kbps <= 0 or buffer_s < 0:
        raise ValueError("throughput must be positive and the buffer non-negative")
    if not 0 <= current < len(ladder_kbps):
        raise ValueError(f"current rendition {current} is not in the ladder")


# --8<-- [start:session]
@dataclass(frozen=True)
class Segment:
    rendition: int
    buffer_s: float   # buffer level after this segment arrived
    stall_s: float    # time the picture froze while it downloaded


def play(ladder_kbps: Sequence[int], trace_kbps: Sequence[float], segment_s: float = 4,
         max_buffer_s: float = 60, rule: Rule = Rule()) -> list[Segment]:
    """Simulate a session: segment i downloads at trace_kbps[i]. Starts on the lowest rung."""
    if segment_s <= 0 or max_buffer_s < segment_s:
        raise ValueError("need 0 < segment_s <= max_buffer_s")
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
