"""Exponential backoff with jitter: how long to wait before each retry. The
wait doubles up to a cap; jitter draws it at random, so that clients that
failed together do not retry together. Randomness and sleep are injected.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from typing import TypeVar

T = TypeVar("T")


def _check(base: float, cap: float) -> None:
    if not 0 < base <= cap:
        raise ValueError(f"need 0 < base <= cap, got base={base} and cap={cap}")


# --8<-- [start:ceiling]
def exponential(base: float, cap: float) -> Iterator[float]:
    """base, 2·base, 4·base, … up to `cap`: the waits without jitter."""
    _check(base, cap)
    ceiling = base
    while True:
        yield ceiling
        ceiling = min(cap, ceiling * 2)
# --8<-- [end:ceiling]


# --8<-- [start:jitter]
def full_jitter(base: float, cap: float,
                rng: random.Random) -> Iterator[float]:
    """Anywhere from 0 to the exponential ceiling: the widest spread."""
    for ceiling in exponential(base, cap):
        yield rng.uniform(0, ceiling)


def equal_jitter(base: float, cap: float,
                 rng: random.Random) -> Iterator[float]:
    """Half the ceiling for sure, plus up to the other half at random."""
    for ceiling in exponential(base, cap):
        yield ceiling / 2 + rng.uniform(0, ceiling / 2)


def decorrelated_jitter(base: float, cap: float,
                        rng: random.Random) -> Iterator[float]:
    """Up to three times the previous wait, at least `base`, at most `cap`."""
    _check(base, cap)
    wait = base
    while True:
        wait = min(cap, rng.uniform(base, wait * 3))
        yield wait
# --8<-- [end:jitter]


# --8<-- [start:retry]
def retry(operation: Callable[[], T], waits: Iterable[float], attempts: int,
          retry_on: tuple[type[Exception], ...] = (Exception,),
          sleep: Callable[[float], None] = time.sleep) -> T:
    """Call `operation` up to `attempts` times, sleeping the next wait after
    each failure; the last failure is raised."""
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    if isinstance(waits, Sized) and len(waits) < attempts - 1:
        raise ValueError(
            f"{attempts} attempts need {attempts - 1} waits, got {len(waits)}"
        )
    wait_iterator = iter(waits)
    for attempt in range(1, attempts + 1):
        try:
            return operation()
        except retry_on as error:
            if attempt == attempts:
                raise
            wait = next(wait_iterator, None)
            if wait is None:
                raise ValueError(
                    f"{attempts} attempts need {attempts - 1} waits, "
                    f"the waits ran out after {attempt - 1}"
                ) from error
            sleep(wait)
    raise AssertionError("unreachable: the loop returns or raises")
# --8<-- [end:retry]
