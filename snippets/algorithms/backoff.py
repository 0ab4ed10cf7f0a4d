"""Exponential backoff with jitter: how long to wait before each retry. The
wait doubles up to a cap; jitter draws it at random, so that clients that
failed together do not retry together. Randomness and sleep are injected.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from typing import TypeVar

from algorithms._checks import WrongType, callable_, listed, number, whole

T = TypeVar("T")


_NO_RNG = object()


def _check(base: float, cap: float, rng: object = _NO_RNG) -> None:
    number("base", base)
    number("cap", cap, finite=False)  # an infinite cap: no cap
    if not 0 < base <= cap:
        raise ValueError(f"need 0 < base <= cap, got base={base} and cap={cap}")
    if rng is not _NO_RNG:
        callable_("rng.uniform", getattr(rng, "uniform", None))


# --8<-- [start:ceiling]
def exponential(base: float, cap: float) -> Iterator[float]:
    """base, 2·base, 4·base, … up to `cap`: the waits without jitter."""
    _check(base, cap)  # at the call, not at the first wait

    def ceilings() -> Iterator[float]:
        ceiling = base
        while True:
            yield ceiling
            ceiling = min(cap, ceiling * 2)
    return ceilings()
# --8<-- [end:ceiling]


# --8<-- [start:jitter]
def full_jitter(base: float, cap: float,
                rng: random.Random) -> Iterator[float]:
    """Anywhere from 0 to the exponential ceiling: the widest spread."""
    _check(base, cap, rng)
    return (rng.uniform(0, ceiling) for ceiling in exponential(base, cap))


def equal_jitter(base: float, cap: float,
                 rng: random.Random) -> Iterator[float]:
    """Half the ceiling for sure, plus up to the other half at random."""
    _check(base, cap, rng)
    return (ceiling / 2 + rng.uniform(0, ceiling / 2)
            for ceiling in exponential(base, cap))


def decorrelated_jitter(base: float, cap: float,
                        rng: random.Random) -> Iterator[float]:
    """Up to three times the previous wait, at least `base`, at most `cap`."""
    _check(base, cap, rng)

    def waits() -> Iterator[float]:
        wait = base
        while True:
            wait = min(cap, rng.uniform(base, wait * 3))
            yield wait
    return waits()
# --8<-- [end:jitter]


# --8<-- [start:retry]
def retry(operation: Callable[[], T], waits: Iterable[float], attempts: int,
          retry_on: tuple[type[Exception], ...] = (Exception,),
          sleep: Callable[[float], None] = time.sleep) -> T:
    """Call `operation` up to `attempts` times, sleeping the next wait after
    each failure; the last failure is raised."""
    _check_retry(operation, waits, attempts, retry_on, sleep)
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
            number(f"waits[{attempt - 1}]", wait, 0)
            sleep(wait)
    raise AssertionError("unreachable: the loop returns or raises")
# --8<-- [end:retry]


def _check_retry(operation, waits, attempts, retry_on, sleep) -> None:
    callable_("operation", operation)
    whole("attempts", attempts, 1, accepted="at least 1")
    if isinstance(waits, Sized):  # a list: every wait is checked before the first call
        for i, wait in enumerate(listed("waits", waits)):
            number(f"waits[{i}]", wait, 0)
    elif not isinstance(waits, Iterable):
        raise WrongType(f"waits must be a list or other iterable of seconds, got {waits!r}")
    if not (isinstance(retry_on, tuple) and retry_on
            and all(isinstance(e, type) and issubclass(e, BaseException) for e in retry_on)):
        raise WrongType(f"retry_on must be a non-empty tuple of exception classes, got {retry_on!r}")
    callable_("sleep", sleep)
