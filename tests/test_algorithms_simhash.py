"""SimHash: identical documents get identical fingerprints; unrelated documents differ
in Binomial(64, 1/2) bits (mean 32, variance 16, checked within a few standard errors);
near-duplicates differ in a few bits, as with the independent `simhash` package; and
the banded index finds exactly what a brute-force scan finds."""

from __future__ import annotations

import math
import random
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st
from simhash import Simhash

from algorithms.simhash import BITS, NearDuplicateIndex, feature_hash, fingerprint, hamming, shingles, simhash

VOCABULARY = [f"{a}{b}{c}" for a in "bcdfghklmnprst" for b in "aeiou" for c in "lmnrst"]


def random_text(rng, words=200):
    return " ".join(rng.choice(VOCABULARY) for _ in range(words))


def edit(rng, text, changes):
    words = text.split()
    for _ in range(changes):
        words[rng.randrange(len(words))] = rng.choice(VOCABULARY)
    return " ".join(words)


@given(st.text(min_size=1).filter(lambda t: any(c.isalnum() or c == "_" for c in t)))
def test_identical_documents_have_distance_zero(text):
    assert hamming(simhash(text), simhash(str(text))) == 0


def test_one_feature_gives_its_own_hash_and_case_and_punctuation_do_not_matter():
    assert fingerprint(["only feature"]) == feature_hash("only feature")
    assert simhash("The quick brown fox.") == simhash("the QUICK, brown   fox")


@pytest.mark.parametrize("words", [41, 40])
def test_unrelated_documents_differ_in_binomial_64_bits(words):
    """41 words make 39 distinct shingles: an odd number of +-1 votes never ties, so
    each bit is 1 with probability 1/2 and the distance is Binomial(64, 1/2), mean 32,
    variance 16. 40 words make 38: a bit ties (and is set to 0) with probability
    C(38, 19) / 2^38, about 12.9%, so bits lean to 0 and the mean drops below 32."""
    features = words - 2
    tie = math.comb(features, features // 2) / 2**features if features % 2 == 0 else 0.0
    one = (1 - tie) / 2  # the chance that a bit is 1
    differ = 2 * one * (1 - one)
    expected_mean, expected_variance = BITS * differ, BITS * differ * (1 - differ)
    rng = random.Random(5)
    pairs = 1000
    prints = [simhash(random_text(rng, words)) for _ in range(2 * pairs)]
    distances = [hamming(a, b) for a, b in zip(prints[::2], prints[1::2])]
    # A tie sets the bit to 0: the share of 1 bits is `one`, within five standard errors.
    ones = sum(value.bit_count() for value in prints) / (BITS * len(prints))
    assert abs(ones - one) < 5 * math.sqrt(one * (1 - one) / (BITS * len(prints)))
    mean, variance = statistics.fmean(distances), statistics.variance(distances)
    # Standard error of the mean: sqrt(var / n); of the variance: about
    # var * sqrt(2 / (n - 1)). Allow five of each.
    assert abs(mean - expected_mean) < 5 * math.sqrt(expected_variance / pairs)
    assert abs(variance - expected_variance) < 5 * expected_variance * math.sqrt(2 / (pairs - 1))
    if words == 41:
        assert (expected_mean, expected_variance) == (32, 16)


def test_shingles_are_overlapping_word_runs():
    assert shingles("A b, c d") == {"a b c": 1, "b c d": 1}
    assert shingles("a b") == {"a b": 1} and shingles("x y x y", width=2) == {"x y": 2, "y x": 1}


def test_the_bands_split_all_64_bits():
    for k in range(0, 10):
        bands = NearDuplicateIndex(k).bands
        assert len(bands) == k + 1 and bands[0][0] == 0 and bands[-1][1] == BITS
        assert all(a[1] == b[0] and a[0] < a[1] for a, b in zip(bands, bands[1:]))


def test_near_duplicates_are_close_for_us_and_for_the_simhash_package():
    rng = random.Random(8)
    ours_near, theirs_near, ours_far, theirs_far = [], [], [], []
    for _ in range(40):
        text = random_text(rng, 300)
        copy = edit(rng, text, 3)  # three words of 300 changed
        other = random_text(rng, 300)
        ours_near.append(hamming(simhash(text), simhash(copy)))
        theirs_near.append(Simhash(text).distance(Simhash(copy)))
        ours_far.append(hamming(simhash(text), simhash(other)))
        theirs_far.append(Simhash(text).distance(Simhash(other)))
    for near, far in [(ours_near, ours_far), (theirs_near, theirs_far)]:
        assert statistics.median(near) <= 6 and max(near) < min(far)
        assert abs(statistics.fmean(far) - 32) < 3


def test_distance_grows_with_the_size_of_the_edit():
    rng = random.Random(2)
    texts = [random_text(rng, 300) for _ in range(30)]
    means = [statistics.fmean(hamming(simhash(t), simhash(edit(random.Random(i), t, changes)))
                              for i, t in enumerate(texts)) for changes in (1, 10, 60, 300)]
    assert means == sorted(means) and means[0] < 4 and means[-1] > 25


@given(st.lists(st.integers(0, 2**BITS - 1), min_size=1, max_size=60), st.integers(0, 6), st.data())
def test_the_banded_index_finds_exactly_what_a_scan_finds(values, max_distance, data):
    index = NearDuplicateIndex(max_distance)
    # Plant fingerprints a few bits away from others, or the index is only ever asked about strangers.
    for i, value in enumerate(list(values)):
        flips = data.draw(st.lists(st.integers(0, BITS - 1), max_size=8))
        values.append(value ^ sum(1 << bit for bit in set(flips)))
    for i, value in enumerate(values):
        index.add(f"d{i:03}", value)
    for query in values[:10]:
        expected = sorted(((f"d{i:03}", hamming(query, v)) for i, v in enumerate(values)
                           if hamming(query, v) <= max_distance), key=lambda hit: (hit[1], hit[0]))
        assert index.near(query) == expected


def test_a_duplicate_id_or_a_bad_fingerprint_is_refused_and_changes_nothing():
    index = NearDuplicateIndex(3)
    index.add("a", 5)
    for doc_id, value, message in [("a", 7, "already indexed"), ("b", -1, "64-bit integer"),
                                   ("b", 2**64, "64-bit integer"), ("b", 1.5, "64-bit integer")]:
        with pytest.raises(ValueError, match=message):
            index.add(doc_id, value)
    assert index.fingerprints == {"a": 5} and index.near(7) == [("a", 1)]
    assert all(set().union(*table.values()) == {"a"} for table in index.tables)


@pytest.mark.parametrize("call, message", [
    (lambda: simhash(" ... "), "no words"),
    (lambda: fingerprint([]), "no features"),
    (lambda: fingerprint({"a": 0}), "must be a finite number > 0"),
    (lambda: fingerprint({"a": math.nan}), "must be a finite number > 0"),
    (lambda: shingles("a b", width=0), "width must be"),
    (lambda: NearDuplicateIndex(64), "max_distance must be"),
    (lambda: NearDuplicateIndex(-1), "max_distance must be"),
])
def test_bad_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_figures_quoted_on_the_concept_page():
    import re
    from pathlib import Path

    page = re.sub(r"\s+", " ", (Path(__file__).resolve().parents[1] / "docs/concepts/simhash.md").read_text())
    chance = sum(math.comb(64, d) for d in range(4)) / 2**64
    assert f"a probability of about {chance / 1e-15:.0f} × 10⁻¹⁵" in page
    assert f"(38 features tie {100 * math.comb(38, 19) / 2**38:.1f}% of the time)" in page
    assert "four tables keyed by 16 bits each" in page and NearDuplicateIndex(3).bands == [(0, 16), (16, 32), (32, 48), (48, 64)]
    assert "8-bit keys" in page and all(hi - lo == 8 for lo, hi in NearDuplicateIndex(7).bands)


def test_a_changed_footer_is_within_3_bits_only_on_long_pages():
    """The page says for which lengths k = 3 catches a new date in a footer: measured here on
    random-word pages with the same 11-word footer whose day, hour and minute change."""
    import re
    from pathlib import Path

    old = "copyright example news last updated 7 december 2026 at 10 45"
    new = "copyright example news last updated 8 december 2026 at 09 12"
    rng, caught = random.Random(2026), {}
    for words in (100, 300, 1000):
        pages = [random_text(rng, words) for _ in range(100)]
        caught[words] = sum(hamming(simhash(f"{p} {old}"), simhash(f"{p} {new}")) <= 3 for p in pages)
    # The longer the page, the smaller the footer's share of the votes, the fewer bits flip.
    assert caught[100] < caught[300] < caught[1000]
    assert caught[100] < 50 < caught[1000]
    page = re.sub(r"\s+", " ", (Path(__file__).resolve().parents[1] / "docs/concepts/simhash.md").read_text())
    assert (f"{caught[100]} of 100 pages of 100 words, {caught[300]} of 100 of 300 words and "
            f"{caught[1000]} of 100 of 1,000 words") in page


def test_the_lookup_cost_at_web_scale_quoted_on_the_concept_page():
    """Four 16-bit tables over 8 billion fingerprints: each bucket holds about 8e9 / 2^16
    of them, and a lookup reads four buckets. The paper's 16 tables keyed by 28 bits, over
    its 2^34 fingerprints, read 2^6 per table."""
    import re
    from pathlib import Path

    page = re.sub(r"\s+", " ", (Path(__file__).resolve().parents[1] / "docs/concepts/simhash.md").read_text())
    per_bucket = 8e9 / 2**16
    assert f"about {round(per_bucket, -3):,.0f} fingerprints per bucket" in page
    assert f"{round(4 * per_bucket, -3):,.0f} candidates per lookup" in page
    assert 450_000 < 4 * per_bucket < 550_000 and "about half a million" in page
    assert "fine for millions of pages" in page and 4 * 10**6 / 2**16 < 100  # a few dozen candidates
    assert f"16 tables keyed by 28 bits: about {2**(34 - 28)} candidates per table, {16 * 2**(34 - 28):,} per lookup" in page
    # Our index, like the four-table design, has k + 1 tables of 64 / (k + 1) bits.
    assert [hi - lo for lo, hi in NearDuplicateIndex(3).bands] == [16] * 4
