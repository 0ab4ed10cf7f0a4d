"""Five rate limiters behind one method, `allow()`: fixed window, sliding
window log, sliding window counter, token bucket and leaky bucket. Each reads
the time (in seconds) from an injected clock, so tests can script timelines.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from algorithms._checks import WrongType, callable_, number, text

Clock = Callable[[], float]


class RateLimiter(Protocol):
    def allow(self) -> bool:
        """Decide about one request arriving now: True lets it through."""
        ...


def _positive(name: str, value: float) -> None:
    # Also refuses NaN, and a string or None with the same message.
    number(name, value, 0, low_open=True, accepted="positive and finite")


def _whole(name: str, value: int) -> None:
    # A limit counts requests: 2.5 would mean "3" to one limiter and "2" to
    # another, so every limiter takes whole numbers only.
    if isinstance(value, bool) or not isinstance(value, int):
        raise WrongType(f"{name} must be a whole number, got {value!r}")
    _positive(name, value)


def _now(clock: Clock) -> float:
    """The clock's reading, which must be a finite number of seconds."""
    now = clock()
    number("clock()", now, accepted="a finite number of seconds")
    return now


def _check(count_name: str, count: int, per_name: str, per: float, clock: Clock) -> None:
    """A whole count (limit or capacity) per a positive time (window or rate), and a clock."""
    _whole(count_name, count)
    _positive(per_name, per)
    callable_("clock", clock)


# --8<-- [start:fixed_window]
class FixedWindow:
    """At most `limit` requests per window; windows start at multiples of
    `window` seconds."""

    def __init__(self, limit: int, window: float,
                 clock: Clock = time.monotonic) -> None:
        _check("limit", limit, "window", window, clock)
        self.limit, self.window, self._clock = limit, window, clock
        self._window_index = -math.inf
        self._count = 0

    def allow(self) -> bool:
        window_index = math.floor(_now(self._clock) / self.window)
        if window_index != self._window_index:
            self._window_index, self._count = window_index, 0
        if self._count < self.limit:
            self._count += 1
            return True
        return False
# --8<-- [end:fixed_window]


# --8<-- [start:sliding_log]
class SlidingWindowLog:
    """At most `limit` accepted requests in any `window` seconds: exact,
    at the price of one timestamp per request."""

    def __init__(self, limit: int, window: float,
                 clock: Clock = time.monotonic) -> None:
        _check("limit", limit, "window", window, clock)
        self.limit, self.window, self._clock = limit, window, clock
        self._accepted: deque[float] = deque()

    def allow(self) -> bool:
        now = _now(self._clock)
        # The window is (now - window, now]: a request exactly one window
        # ago has just left it.
        while self._accepted and self._accepted[0] <= now - self.window:
            self._accepted.popleft()
        if len(self._accepted) < self.limit:
            self._accepted.append(now)
            return True
        return False
# --8<-- [end:sliding_log]


# --8<-- [start:sliding_counter]
class SlidingWindowCounter:
    """Two counters instead of a log: the previous window's count, weighted
    by how much of it still overlaps the sliding window (as if its requests
    had been evenly spread), plus the current window's count."""

    def __init__(self, limit: int, window: float,
                 clock: Clock = time.monotonic) -> None:
        _check("limit", limit, "window", window, clock)
        self.limit, self.window, self._clock = limit, window, clock
        self._window_index = 0
        self._previous_count = 0
        self._current_count = 0

    def estimate(self) -> float:
        """The estimated number of requests accepted in the last window."""
        elapsed = self._advance(_now(self._clock))
        return self._previous_count * (1 - elapsed) + self._current_count

    def allow(self) -> bool:
        if self.estimate() + 1 <= self.limit:
            self._current_count += 1
            return True
        return False

    def _advance(self, now: float) -> float:
        """Roll the counters forward to `now`; return how far into its
        window `now` is, from 0 to 1."""
        position = now / self.window
        window_index = math.floor(position)
        if window_index != self._window_index:
            next_window = window_index == self._window_index + 1
            self._previous_count = self._current_count if next_window else 0
            self._current_count = 0
            self._window_index = window_index
        return position - window_index
# --8<-- [end:sliding_counter]


# --8<-- [start:token_bucket]
class TokenBucket:
    """Tokens drip in at `rate` per second (0.5: one every two seconds), up
    to `capacity`; a request spends one. Bursts of up to `capacity`, `rate`
    per second on average."""

    def __init__(self, capacity: int, rate: float,
                 clock: Clock = time.monotonic) -> None:
        _check("capacity", capacity, "rate", rate, clock)
        self.capacity, self.rate, self._clock = capacity, rate, clock
        self._tokens = float(capacity)
        self._updated_at = _now(clock)

    def allow(self) -> bool:
        now = _now(self._clock)
        dripped = (now - self._updated_at) * self.rate
        self._tokens = min(self.capacity, self._tokens + dripped)
        self._updated_at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False
# --8<-- [end:token_bucket]


# --8<-- [start:leaky_bucket]
class LeakyBucket:
    """A queue of at most `capacity` requests that drains at `rate` per
    second: what comes out is perfectly smooth; what does not fit is
    turned away."""

    def __init__(self, capacity: int, rate: float,
                 clock: Clock = time.monotonic) -> None:
        _check("capacity", capacity, "rate", rate, clock)
        self.capacity, self.rate, self._clock = capacity, rate, clock
        self._departures: deque[float] = deque()  # when queued ones leave
        self._last_departure = -math.inf

    def schedule(self) -> float | None:
        """Queue a request arriving now; return when it leaves the bucket,
        or None if the bucket is full."""
        now = _now(self._clock)
        while self._departures and self._departures[0] < now:
            self._departures.popleft()
        if len(self._departures) >= self.capacity:
            return None
        departure = max(now, self._last_departure + 1 / self.rate)
        self._departures.append(departure)
        self._last_departure = departure
        return departure

    def allow(self) -> bool:
        return self.schedule() is not None
# --8<-- [end:leaky_bucket]


# --8<-- [start:per_client]
class PerClient:
    """One limiter per client (an API key, a user, an IP address),
    created the first time the client is seen."""

    def __init__(self, new_limiter: Callable[[], RateLimiter]) -> None:
        callable_("new_limiter", new_limiter)
        self._new_limiter = new_limiter
        self._limiters: dict[str, RateLimiter] = {}

    def allow(self, client: str) -> bool:
        text("client", client)
        if client not in self._limiters:
            self._limiters[client] = self._new_limiter()
        return self._limiters[client].allow()
# --8<-- [end:per_client]
