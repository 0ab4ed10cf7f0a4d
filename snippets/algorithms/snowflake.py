"""Snowflake IDs: 64-bit, unique without coordination, and ordered by time while a
machine mints at most 4,096 a millisecond (beyond that it borrows milliseconds ahead).

An ID is 41 bits of milliseconds since an epoch, 10 bits of machine number and 12 bits
of a per-millisecond counter. The top bit stays 0, so IDs fit a signed 64-bit integer.
"""

from __future__ import annotations

import time
from typing import Callable

from algorithms._checks import callable_, whole

TIME_BITS, MACHINE_BITS, COUNTER_BITS = 41, 10, 12
MAX_MACHINE = (1 << MACHINE_BITS) - 1
MAX_COUNTER = (1 << COUNTER_BITS) - 1
EPOCH_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z: 2^41 ms later is the year 2093


# --8<-- [start:generator]
class SnowflakeIds:
    """Hands out IDs on one machine; never the same one twice, always increasing."""

    def __init__(self, machine: int, clock: Callable[[], int] | None = None):
        whole("machine", machine, 0, MAX_MACHINE, accepted=f"0 to {MAX_MACHINE}")
        if clock is not None:
            callable_("clock", clock)
        self.machine = machine
        self.clock = clock or (lambda: time.time_ns() // 1_000_000)
        self.last_ms = -1
        self.counter = 0

    def next_id(self) -> int:
        now = _read(self.clock) - EPOCH_MS
        if now > self.last_ms:
            self.last_ms, self.counter = now, 0
        elif self.counter < MAX_COUNTER:
            # Same millisecond, or the clock stepped back: keep the last
            # millisecond and count on, so IDs never repeat or go backwards.
            self.counter += 1
        else:
            # 4,096 IDs in one millisecond: borrow the next one.
            self.last_ms, self.counter = self.last_ms + 1, 0
        if not 0 <= self.last_ms < 1 << TIME_BITS:
            raise OverflowError("the clock is outside the 41-bit range of the epoch")
        return (self.last_ms << (MACHINE_BITS + COUNTER_BITS)) | (self.machine << COUNTER_BITS) | self.counter


def parse(snowflake_id: int) -> tuple[int, int, int]:
    """(Unix time in ms, machine, counter) of an ID."""
    whole("snowflake_id", snowflake_id, 0, (1 << 63) - 1, accepted="a 63-bit ID from 0 to 2**63 - 1")
    return (
        (snowflake_id >> (MACHINE_BITS + COUNTER_BITS)) + EPOCH_MS,
        (snowflake_id >> COUNTER_BITS) & MAX_MACHINE,
        snowflake_id & MAX_COUNTER,
    )
# --8<-- [end:generator]


def _read(clock: Callable[[], int]) -> int:
    """The clock's time, which must be whole milliseconds: a float would make a float ID."""
    now = clock()
    whole("clock()", now, accepted="whole milliseconds since 1970")
    return now
