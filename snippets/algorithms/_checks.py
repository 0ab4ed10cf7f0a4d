"""Input checks shared by the snippets. Each refuses a bad value with a message that
names the argument, what it accepts, and what it got:

    latitude must be a number in [-90, 90], got 91

A value of the wrong type raises `WrongType`, which is a TypeError and also a
ValueError, so that code catching either for bad input catches it. `bool` is not
accepted as a number: True is not a count of anything.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable
from numbers import Integral, Real


class WrongType(TypeError, ValueError):
    """A value of the wrong type (a TypeError, and a ValueError for callers that catch bad values)."""


def _range(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high}"
    return ""


def _outside(value: float, low: float | None, high: float | None, low_open: bool, high_open: bool) -> bool:
    if low is not None and (value < low or (low_open and value == low)):
        return True
    return high is not None and (value > high or (high_open and value == high))


def whole(name: str, value: object, low: int | None = None, high: int | None = None, *,
          accepted: str | None = None) -> None:
    """A whole number (an int, not a bool, not a float such as 3.0) in [low, high].
    `accepted` words the message instead of the default ("a whole number >= 1")."""
    accepted = accepted or f"a whole number{_range(low, high, False, False)}"
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise WrongType(f"{name} must be {accepted}, got {value!r}")
    if _outside(value, low, high, False, False):
        raise ValueError(f"{name} must be {accepted}, got {value!r}")


def number(name: str, value: object, low: float | None = None, high: float | None = None, *,
           low_open: bool = False, high_open: bool = False, finite: bool = True,
           accepted: str | None = None) -> None:
    """A real number (not a bool), never NaN, finite unless `finite=False`, in the range."""
    kind = "a finite number" if finite else "a number"
    accepted = accepted or f"{kind}{_range(low, high, low_open, high_open)}"
    if isinstance(value, bool) or not isinstance(value, Real):
        raise WrongType(f"{name} must be {accepted}, got {value!r}")
    if math.isnan(value) or (finite and math.isinf(value)) or _outside(value, low, high, low_open, high_open):
        raise ValueError(f"{name} must be {accepted}, got {value!r}")


def text(name: str, value: object) -> None:
    """A non-empty string."""
    if not isinstance(value, str):
        raise WrongType(f"{name} must be a non-empty string, got {value!r}")
    if not value:
        raise ValueError(f"{name} must be a non-empty string, got ''")


def data(name: str, value: object) -> None:
    """Bytes (bytes, bytearray or memoryview)."""
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise WrongType(f"{name} must be bytes, got {type(value).__name__} {value!r:.40}")


def item(name: str, value: object) -> None:
    """A str or bytes item, as sketches and filters hash them."""
    if not isinstance(value, (str, bytes, bytearray)):
        raise WrongType(f"{name} must be a str or bytes, got {value!r:.40}")


def hashable(name: str, value: object) -> None:
    try:
        hash(value)
    except TypeError:
        raise WrongType(f"{name} must be hashable, got {type(value).__name__} {value!r:.40}") from None


def one_of(name: str, value: object, accepted: Collection[object]) -> None:
    """One of a few known values, compared exactly (1 is not "yes", None is not "no")."""
    choices = ", ".join(repr(a) for a in accepted)
    if not (isinstance(value, Hashable) and any(type(value) is type(a) and value == a for a in accepted)):
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")


def instance(name: str, value: object, kind: type | tuple[type, ...]) -> None:
    if not isinstance(value, kind):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise WrongType(f"{name} must be a {names}, got {type(value).__name__} {value!r:.40}")


def callable_(name: str, value: object) -> None:
    if not callable(value):
        raise WrongType(f"{name} must be callable, got {value!r:.40}")


def listed(name: str, value: object) -> list:
    """An iterable (not a string), returned as a list so it can be checked and read twice."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise WrongType(f"{name} must be a list or other iterable, got {value!r:.40}")
    return value if isinstance(value, list) else list(value)


def distinct(name: str, values: Iterable[Hashable]) -> None:
    """No value twice (IDs, node names)."""
    seen: set[Hashable] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{name} must not repeat, got {value!r} twice")
        seen.add(value)
