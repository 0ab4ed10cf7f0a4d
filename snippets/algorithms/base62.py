"""Base62 short keys: numbers written with 0-9, a-z and A-Z, and a key
generation service that hands out fixed-length random keys, each only once.
"""

from __future__ import annotations

import random

from algorithms._checks import callable_, text, whole

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
BASE = len(ALPHABET)
MAX_LENGTH = 32  # 62**32 is about 2**190: far more keys than anyone needs
_DIGIT_VALUES = {character: value for value, character in enumerate(ALPHABET)}


# --8<-- [start:codec]
def encode(number: int, width: int = 1) -> str:
    """The base62 digits of `number`, most significant first, padded with
    '0' to `width` characters."""
    whole("number", number, 0, accepted="a non-negative whole number")
    whole("width", width, 1)
    digits = []
    while number:
        number, digit = divmod(number, BASE)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits)).rjust(width, ALPHABET[0])


def decode(key: str) -> int:
    text("key", key)
    number = 0
    for character in key:
        if character not in _DIGIT_VALUES:
            raise ValueError(
                f"key {key!r} is not a base62 key: {character!r} is not in "
                "0-9, a-z, A-Z"
            )
        number = number * BASE + _DIGIT_VALUES[character]
    return number
# --8<-- [end:codec]


# --8<-- [start:kgs]
class KeyGenerationService:
    """Random keys of `length` characters, each handed out once.

    Random rather than sequential, so that nobody can walk through other
    people's keys. The set of issued keys stands in for the service's
    database table of used keys.
    """

    def __init__(self, length: int = 7,
                 rng: random.Random | None = None) -> None:
        _check_service(length, rng)
        self.length = length
        self.key_space = BASE**length  # 62^7: about 3.5 trillion
        self._rng = rng or random.SystemRandom()
        self._issued: set[int] = set()

    def take(self) -> str:
        if len(self._issued) == self.key_space:
            raise RuntimeError(
                f"all {self.key_space} keys of length {self.length} "
                "have been issued"
            )
        while True:  # a retry is rare while most of the space is free
            number = self._rng.randrange(self.key_space)
            if number not in self._issued:
                self._issued.add(number)
                return encode(number, self.length)

    def take_batch(self, count: int) -> list[str]:
        """A batch for an application server to hand out from memory."""
        left = self.key_space - len(self._issued)
        whole("count", count, 0, left, accepted=f"from 0 to the {left} keys left")
        return [self.take() for _ in range(count)]
# --8<-- [end:kgs]


def _check_service(length: int, rng: random.Random | None) -> None:
    whole("length", length, 1, accepted="at least 1")
    whole("length", length, high=MAX_LENGTH, accepted=f"at most {MAX_LENGTH}")
    if rng is not None:
        callable_("rng.randrange", getattr(rng, "randrange", None))
