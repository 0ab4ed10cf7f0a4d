"""Base62 keys are a bijection with the numbers they stand for, and the key generation
service never hands out the same key twice."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from algorithms.base62 import ALPHABET, KeyGenerationService, decode, encode


@given(st.integers(min_value=0, max_value=62**12))
def test_decode_undoes_encode(number):
    assert decode(encode(number)) == number


@given(st.text(alphabet=ALPHABET, min_size=1, max_size=12))
def test_encode_undoes_decode_at_the_key_width(key):
    assert encode(decode(key), width=len(key)) == key


def test_fixed_width_keys_are_a_bijection_over_their_whole_range():
    # All 62² two-character keys: every number gets its own key, and every key is used.
    keys = [encode(number, width=2) for number in range(62**2)]
    assert len(set(keys)) == 62**2
    assert all(len(key) == 2 for key in keys)
    assert keys == sorted(keys, key=lambda key: [ALPHABET.index(c) for c in key])  # order kept
    assert [decode(key) for key in keys] == list(range(62**2))


def test_known_values():
    assert [encode(n) for n in (0, 9, 10, 35, 36, 61, 62, 3843)] == ["0", "9", "a", "z", "A", "Z", "10", "ZZ"]
    assert encode(125, width=7) == "0000021"


def test_a_large_batch_has_no_collisions():
    service = KeyGenerationService(length=7, rng=random.Random(1))
    batch = service.take_batch(100_000)
    assert len(set(batch)) == len(batch)
    assert all(len(key) == 7 and decode(key) < 62**7 for key in batch)


def test_every_key_of_a_tiny_space_is_issued_exactly_once_then_it_is_exhausted():
    # 3,844 keys of two characters. Random draws without the used-key check would
    # collide after about √(π/2 · 3844) ≈ 78 keys (the birthday bound).
    service = KeyGenerationService(length=2, rng=random.Random(2))
    keys = service.take_batch(62**2)
    assert sorted(keys) == sorted(encode(n, width=2) for n in range(62**2))
    with pytest.raises(RuntimeError, match="all 3844 keys of length 2 have been issued"):
        service.take()


@pytest.mark.parametrize(("call", "message"), [
    (lambda: encode(-1), "non-negative"),
    (lambda: decode(""), "empty"),
    (lambda: decode("ab-c"), "'-' is not in 0-9, a-z, A-Z"),
    (lambda: KeyGenerationService(length=0), "at least 1"),
])
def test_bad_input_is_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_one_character_keys_and_the_default_random_source():
    # Killed mutants (benchmarks/mutation_algorithms.py): `length < 2` refusing length 1,
    # and a service that ignored its default SystemRandom.
    service = KeyGenerationService(length=1, rng=random.Random(3))
    keys = service.take_batch(62)
    assert sorted(keys) == sorted(ALPHABET)
    assert len(KeyGenerationService().take()) == 7
    with pytest.raises(ValueError, match="length must be at least 1, got 0"):
        KeyGenerationService(length=0)
