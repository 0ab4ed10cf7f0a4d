"""The trie's suggestions are exactly a brute-force ranking of the same words."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from algorithms.trie import Trie

# A three-letter alphabet makes words share prefixes, and ties in weight, often.
words = st.text(alphabet="abc", min_size=1, max_size=5)
additions = st.lists(st.tuples(words, st.integers(min_value=1, max_value=5)), max_size=60)


def brute_force(weights: dict[str, int], prefix: str, k: int) -> list[str]:
    matching = [word for word in weights if word.startswith(prefix)]
    return sorted(matching, key=lambda word: (-weights[word], word))[:k]


@given(additions, st.integers(min_value=1, max_value=4), st.lists(st.text(alphabet="abcd", max_size=4), max_size=10))
def test_suggestions_equal_a_brute_force_ranking(added, max_suggestions, extra_prefixes):
    trie = Trie(max_suggestions)
    weights: dict[str, int] = {}
    for word, weight in added:
        trie.add(word, weight)
        weights[word] = weights.get(word, 0) + weight
    prefixes = {word[:i] for word in weights for i in range(len(word) + 1)} | set(extra_prefixes)
    for prefix in prefixes:
        for k in range(1, max_suggestions + 1):
            assert trie.suggest(prefix, k) == brute_force(weights, prefix, k), (prefix, k)
    assert {word: trie.weight(word) for word in weights} == weights


def test_a_worked_example():
    trie = Trie(max_suggestions=3)
    for place, searches in [("paris", 50), ("parma", 20), ("park city", 20), ("pamplona", 5), ("rome", 80)]:
        trie.add(place, searches)
    assert trie.suggest("pa") == ["paris", "park city", "parma"]  # ties: alphabetical
    trie.add("pamplona", 30)  # the festival starts
    assert trie.suggest("pa") == ["paris", "pamplona", "park city"]
    assert trie.suggest("x") == []
    assert trie.suggest("") == ["rome", "paris", "pamplona"]


def test_bad_input_is_refused():
    trie = Trie(max_suggestions=2)
    with pytest.raises(ValueError, match="empty word"):
        trie.add("")
    with pytest.raises(ValueError, match="positive"):
        trie.add("a", 0)
    with pytest.raises(ValueError, match="between 1 and 2"):
        trie.suggest("a", 3)


def test_weights_membership_and_a_single_suggestion():
    # Killed mutants: the weight of an unknown word, `in`, and max_suggestions = 1.
    trie = Trie(max_suggestions=1)
    trie.add("paris", 2)
    trie.add("parma")
    assert trie.weight("paris") == 2 and trie.weight("rome") == 0
    assert "paris" in trie and "rome" not in trie and "par" not in trie
    assert trie.suggest("par") == ["paris"] and trie.suggest("par", k=1) == ["paris"]
    with pytest.raises(ValueError, match="max_suggestions must be at least 1, got 0"):
        Trie(max_suggestions=0)
    with pytest.raises(ValueError, match="cannot add an empty word"):
        trie.add("")
    with pytest.raises(ValueError, match="k must be between 1 and 1, got 0"):
        trie.suggest("p", k=0)
