"""HyperLogLog is as accurate as 1.04/√m promises, exact-ish when small, and merges losslessly."""

import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from algorithms.hyperloglog import HyperLogLog


def test_error_stays_within_four_standard_errors_from_ten_to_a_million():
    sketch = HyperLogLog(precision=12, seed=1)  # m = 4096 registers, standard error 1.6%
    checkpoints = {10, 100, 1_000, 10_000, 100_000, 1_000_000}
    # 1.04/√m is the standard error of the harmonic-mean estimate. Below 2.5·m the sketch
    # counts empty registers instead (linear counting), whose standard error
    # √(m(e^t - t - 1))/n, t = n/m, peaks at the switch-over: 1.18/√m. Four times 1.04/√m
    # is still 3.5 of those, so each checkpoint fails with probability below 1 in 2,000.
    tolerance = 4 * sketch.standard_error
    errors = {}
    for n in range(1, 1_000_001):
        sketch.add(f"visitor-{n}")
        if n in checkpoints:
            errors[n] = sketch.estimate() / n - 1
    assert all(abs(error) <= tolerance for error in errors.values()), errors


def test_spread_over_independent_sketches_is_the_theoretical_standard_error():
    trials, n = 64, 5_000
    errors = []
    for seed in range(trials):
        sketch = HyperLogLog(precision=8, seed=seed)  # m = 256: standard error 6.5%
        sketch.update(f"item-{i}" for i in range(n))  # n is 20·m: the harmonic-mean regime
        errors.append(sketch.estimate() / n - 1)
    sigma = 1.04 / math.sqrt(256)
    rms = math.sqrt(statistics.fmean(e * e for e in errors))
    # The RMS of T normal errors has relative spread 1/√(2T) = 8.8% for T = 64, so ±30%
    # is about 3.4 of its standard deviations. A wrong bias constant (alpha) or a wrong
    # rank (first 1-bit) shifts every estimate and fails the mean check below.
    assert 0.7 * sigma <= rms <= 1.3 * sigma, (rms, sigma)
    assert abs(statistics.fmean(errors)) <= 3.5 * sigma / math.sqrt(trials)


def test_small_range_correction_counts_small_sets_almost_exactly():
    m = 1024
    for n in (1, 2, 5, 10, 50, 100, 200):
        sketch = HyperLogLog(precision=10, seed=7)
        sketch.update(f"user-{i}" for i in range(n))
        # Linear counting's standard error, in items: √(m(e^t - t - 1)), t = n/m
        # (Whang et al. 1990). 2.3 items at n = 200; without the correction an almost
        # empty sketch would report about 0.72·m = 738 items whatever n is.
        t = n / m
        sigma_items = math.sqrt(m * (math.exp(t) - t - 1))
        assert abs(sketch.estimate() - n) <= max(0.5, 4 * sigma_items), (n, sketch.estimate())
    assert HyperLogLog(precision=10).estimate() == 0


@given(
    st.sets(st.text(max_size=8), max_size=300),
    st.sets(st.text(max_size=8), max_size=300),
    st.integers(min_value=4, max_value=10),
)
def test_merging_two_sketches_equals_the_sketch_of_the_union(left, right, precision):
    a, b, union = (HyperLogLog(precision, seed=3) for _ in range(3))
    a.update(left)
    b.update(right)
    union.update(left | right)
    assert a.merge(b).registers == union.registers
    assert b.merge(a).registers == union.registers
    assert a.merge(b).estimate() == union.estimate()


def test_merging_needs_the_same_precision_and_seed():
    with pytest.raises(ValueError, match="same precision and seed"):
        HyperLogLog(10).merge(HyperLogLog(11))
    with pytest.raises(ValueError, match="same precision and seed"):
        HyperLogLog(10, seed=1).merge(HyperLogLog(10, seed=2))


def test_duplicates_do_not_count():
    sketch = HyperLogLog(precision=10)
    for _ in range(1000):
        sketch.update(["a", "b", "c"])
    assert round(sketch.estimate()) == 3


@pytest.mark.parametrize("precision", [3, 19])
def test_precision_out_of_range_is_refused(precision):
    with pytest.raises(ValueError, match="precision must be between 4 and 18"):
        HyperLogLog(precision)
