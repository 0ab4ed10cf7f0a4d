"""Every figure a concept page quotes in its prose is computed here, from the tested code or
from the formula the page gives, so the text cannot drift from the code. (Figures that
the notebooks measure are printed by the notebooks on their own pages, not quoted.)"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import pytest

from algorithms.bloom_filter import false_positive_rate, optimal_size
from algorithms.consistent_hashing import HashRing
from algorithms.geohash import EARTH_RADIUS_M, cell_size, decode
from algorithms.hyperloglog import HyperLogLog

CONCEPTS = Path(__file__).resolve().parents[1] / "docs" / "concepts"
KM_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180 / 1000


def quoted(page: str, pattern: str) -> tuple[str, ...]:
    """The figures the pattern captures on the page (line breaks read as spaces)."""
    text = re.sub(r"\s+", " ", (CONCEPTS / page).read_text(encoding="utf-8"))
    found = re.search(pattern, text)
    assert found, f"{page} no longer says {pattern!r}: update the page or this test"
    return found.groups()


def test_consistent_hashing_keys_that_move_when_an_eleventh_node_joins():
    ring_share, modulo_share = quoted("consistent_hashing.md", r"about (\d+)% on the ring, (\d+)% with `hash % N`")
    # 1/(N+1) of the keys on the ring; with hash % N, a key stays only if hash % 10 ==
    # hash % 11, which holds for 10 residues in 110 (the ones below 10): 1 - 1/11 move.
    assert int(ring_share) == round(100 / 11)
    assert int(modulo_share) == round(100 * 10 / 11)


def test_consistent_hashing_largest_of_ten_arcs():
    (word,) = quoted("consistent_hashing.md", r"the largest arc is typically close to (\w+) times the average")
    # The largest of N uniform spacings of a circle is H_N / N on average.
    harmonic = sum(1 / i for i in range(1, 11))
    assert {"two": 2, "three": 3, "four": 4}[word] == round(harmonic)


def test_consistent_hashing_busiest_node_figures():
    bound, reached, one_point = quoted(
        "consistent_hashing.md",
        r"holds at most ([\d.]+) times the mean number of keys\. The ratio reached for 100,000 "
        r"keys is ([\d.]+); with one point per node it is ([\d.]+)\.",
    )
    node_count, virtual_nodes, key_count = 10, 1_000, 100_000
    spread = math.sqrt((node_count - 1) / (node_count * virtual_nodes) + (1 - 1 / node_count) / (key_count / node_count))
    assert bound == f"{1 + 4 * spread:.2f}"
    ring = HashRing([f"cache-{i}" for i in range(node_count)], virtual_nodes)
    loads = Counter(ring.node_for(f"user:{i}") for i in range(key_count))
    assert reached == f"{max(loads.values()) / (key_count / node_count):.2f}"
    single = HashRing([f"cache-{i}" for i in range(node_count)], virtual_nodes=1)
    loads = Counter(single.node_for(f"user:{i}") for i in range(key_count))
    assert one_point == f"{max(loads.values()) / (key_count / node_count):.1f}"


def test_hyperloglog_standard_errors():
    small, large = quoted("hyperloglog.md", r"([\d.]+)% with 4,096 registers \(4 KB\), ([\d.]+)% with 16,384")
    assert small == f"{100 * HyperLogLog(12).standard_error:.1f}"
    assert large == f"{100 * HyperLogLog(14).standard_error:.2f}"


def test_hyperloglog_bias_at_the_switch_over():
    (percent,) = quoted("hyperloglog.md", r"at 2\.5·m, is still about (\d+)% high, whatever m is")
    for precision, sketches in ((8, 200), (10, 60)):
        m = 2**precision
        n = round(2.5 * m)
        total = 0.0
        for seed in range(sketches):
            sketch = HyperLogLog(precision, seed)
            sketch.update(f"item-{i}" for i in range(n))
            total += sketch.raw_estimate() / n - 1
        # The mean's standard deviation is about 6.5%/√200 = 0.46% and 3.3%/√60 = 0.42%.
        assert abs(100 * total / sketches - int(percent)) <= 1.0, (m, 100 * total / sketches)


def test_rate_limiting_sliding_counter_error_under_poisson_traffic():
    (theory, rate) = quoted("rate_limiters.md", r"For λ = (\d+) that is ([\d.]+);")[::-1]
    # The error's variance at a point f of the window is λ·f(1 - f); averaged over f, λ/6.
    assert theory == f"{math.sqrt(int(rate) / 6):.2f}"
    (about, limit) = quoted("rate_limiters.md", r"about (\d+) requests for a limit near (\d+)")
    assert int(about) == round(math.sqrt(int(limit) / 6))


def test_bloom_filter_sizing_figures():
    bits, mebibytes, hashes = quoted("bloom_filter.md", r"One million items at 1% need ([\d,]+) bits \(([\d.]+) MiB\) and (\d+) hash")
    bit_count, hash_count = optimal_size(1_000_000, 0.01)
    assert bits == f"{bit_count:,}"
    assert mebibytes == f"{bit_count / 8 / 2**20:.2f}"
    assert int(hashes) == hash_count
    k1, k2 = quoted("bloom_filter.md", r"k is (\d+) for 1%, (\d+) for 0\.1%")
    assert (int(k1), int(k2)) == (optimal_size(10**6, 0.01)[1], optimal_size(10**6, 0.001)[1])
    per_item_1, per_item_01 = quoted("bloom_filter.md", r"([\d.]+) bits at 1%, ([\d.]+) at 0\.1%")
    assert per_item_1 == f"{optimal_size(10**6, 0.01)[0] / 10**6:.1f}"
    assert per_item_01 == f"{optimal_size(10**6, 0.001)[0] / 10**6:.1f}"
    (gigabytes,) = quoted("bloom_filter.md", r"a 1% filter for them needs ([\d.]+) GB")
    assert gigabytes == f"{optimal_size(10**9, 0.01)[0] / 8 / 1e9:.1f}"
    (overfilled,) = quoted("bloom_filter.md", r"twice as many items answers wrongly about (\d+)% of the time")
    assert int(overfilled) == round(100 * false_positive_rate(bit_count, 2_000_000, hash_count))


@pytest.mark.parametrize("precision", [1, 4, 6, 8, 12])
def test_geohash_cell_sizes_at_the_equator(precision):
    width, height = quoted("geohash.md", rf"\| {precision} \| ([\d.,]+ (?:km|m|cm)) × ([\d.,]+ (?:km|m|cm)) \|")
    height_degrees, width_degrees = cell_size(precision)

    def as_written(degrees: float, unit: str) -> str:
        metres = degrees * KM_PER_DEGREE * 1000
        value = metres / {"km": 1000, "m": 1, "cm": 0.01}[unit]
        if value >= 1000:
            return f"{round(value, -3):,.0f} {unit}"  # 5,000 km: to the thousand
        return f"{value:.2g} {unit}" if value >= 10 else f"{value:.1f} {unit}"

    assert width == as_written(width_degrees, width.split()[1])
    assert height == as_written(height_degrees, height.split()[1])


def test_geohash_london_cell():
    name, width, height = quoted("geohash.md", r"`(\w+)` is a cell of central London, ([\d.]+) km wide and ([\d.]+) km tall")
    cell = decode(name)
    latitude, _ = cell.center
    assert 51.3 < latitude < 51.7
    assert width == f"{cell.width * KM_PER_DEGREE * math.cos(math.radians(latitude)):.1f}"
    assert height == f"{cell.height * KM_PER_DEGREE:.1f}"


def test_backoff_worst_case_delay():
    (total,) = quoted("backoff.md", r"0\.25 \+ 0\.5 \+ … \+ 8 s ≈ (\d+) s for six retries")
    assert int(total) == round(sum(0.25 * 2**i for i in range(6)))
