"""Consistent hashing moves only the keys a new node takes, about 1/(N+1) of them, and with
enough virtual nodes keeps the busiest node close to the mean."""

import math
from collections import Counter

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from algorithms.consistent_hashing import HashRing, ring_position

node_names = st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=6, unique=True)


@given(node_names, st.text(min_size=1, max_size=6), st.lists(st.text(max_size=10), max_size=100),
       st.integers(min_value=1, max_value=20))
def test_a_new_node_only_takes_keys_never_reshuffles_the_rest(nodes, new_node, keys, virtual_nodes):
    assume(new_node not in nodes)
    ring = HashRing(nodes, virtual_nodes)
    before = {key: ring.node_for(key) for key in keys}
    ring.add_node(new_node)
    for key in keys:
        assert ring.node_for(key) in (before[key], new_node)


@given(node_names, st.lists(st.text(max_size=10), max_size=100), st.integers(min_value=1, max_value=20))
def test_removing_a_node_moves_only_its_own_keys(nodes, keys, virtual_nodes):
    assume(len(nodes) > 1)
    ring = HashRing(nodes, virtual_nodes)
    before = {key: ring.node_for(key) for key in keys}
    leaving = nodes[0]
    ring.remove_node(leaving)
    for key in keys:
        if before[key] != leaving:
            assert ring.node_for(key) == before[key]
        else:
            assert ring.node_for(key) != leaving


@pytest.mark.parametrize("node_count", [1, 4, 10, 20])
def test_adding_a_node_to_n_moves_about_one_in_n_plus_one_keys(node_count):
    virtual_nodes, key_count = 500, 20_000
    ring = HashRing([f"cache-{i}" for i in range(node_count)], virtual_nodes)
    keys = [f"user:{i}" for i in range(key_count)]
    before = [ring.node_for(key) for key in keys]
    ring.add_node("cache-new")
    moved = sum(ring.node_for(key) != owner for key, owner in zip(keys, before)) / key_count

    # The new node's share S of the ring is the sum of V of the (N+1)·V arcs: a
    # Beta(V, N·V) variable, mean 1/(N+1), variance ≈ mean·(1 - mean)/((N+1)·V).
    # The keys then sample S: binomial, variance S(1 - S)/K.
    share = 1 / (node_count + 1)
    variance = share * (1 - share) / ((node_count + 1) * virtual_nodes) + share * (1 - share) / key_count
    # Modulo hashing (hash % N) would move N/(N+1) of the keys instead.
    assert abs(moved - share) <= 4 * math.sqrt(variance), (moved, share)


def test_with_many_virtual_nodes_the_busiest_node_stays_near_the_mean():
    node_count, virtual_nodes, key_count = 10, 1_000, 100_000
    ring = HashRing([f"cache-{i}" for i in range(node_count)], virtual_nodes)
    loads = Counter(ring.node_for(f"user:{i}") for i in range(key_count))
    ratio = max(loads.values()) / (key_count / node_count)
    # Each node's share has relative spread √((N-1)/(N·V)) ≈ 3.0% (a Beta variable, as
    # above), and counting K/N keys adds √((1 - 1/N)/(K/N)) ≈ 0.95%: 3.1% in all. Four of
    # those over the mean is 1.13; the ratio measured with these names is 1.06.
    spread = math.sqrt((node_count - 1) / (node_count * virtual_nodes) + (1 - 1 / node_count) / (key_count / node_count))
    assert ratio <= 1 + 4 * spread, ratio
    # The ring's own shares, measured without sampling keys, agree.
    shares = ring.ring_shares()
    assert math.isclose(sum(shares.values()), 1.0)
    assert max(shares.values()) * node_count <= 1 + 4 * math.sqrt((node_count - 1) / (node_count * virtual_nodes))


def test_one_point_per_node_is_badly_unbalanced():
    # Why virtual nodes exist: with one point each, the largest of N arcs is about
    # (ln N + 0.58)/N of the ring, so the busiest node of 10 expects about 2.9 times the mean.
    ring = HashRing([f"cache-{i}" for i in range(10)], virtual_nodes=1)
    assert max(ring.ring_shares().values()) * 10 > 1.5


def test_errors_are_explained():
    ring = HashRing(["a"])
    with pytest.raises(ValueError, match="already on the ring"):
        ring.add_node("a")
    with pytest.raises(ValueError, match="not on the ring"):
        ring.remove_node("b")
    ring.remove_node("a")
    with pytest.raises(LookupError, match="no nodes"):
        ring.node_for("key")


def owner_by_scan(points: list[tuple[int, str]], key: str) -> str:
    """The reference answer, by a linear scan: the first point at or after the key's
    position, or, past the last point, the first point of the ring."""
    position = ring_position(key)
    for point, owner in points:
        if point >= position:
            return owner
    return points[0][1]


@pytest.mark.parametrize(("node_count", "virtual_nodes"), [(3, 1), (5, 2), (4, 8)])
def test_each_node_gets_the_keys_of_the_arcs_that_end_at_its_points(node_count, virtual_nodes):
    # A key belongs to the successor point (clockwise), so each node's share of keys is the
    # total length of the arcs ending at its points, and the arc past the last point wraps
    # around to the first. Few points make long arcs, so an owner taken from the wrong end of
    # an arc (the predecessor), or a wrap-around missing, moves a large share of keys.
    ring = HashRing([f"cache-{i}" for i in range(node_count)], virtual_nodes)
    key_count = 40_000
    keys = [f"user:{i}" for i in range(key_count)]
    counts = Counter(ring.node_for(key) for key in keys)
    for node, share in ring.ring_shares().items():
        sd = math.sqrt(share * (1 - share) / key_count)  # binomial sampling of the arc
        assert abs(counts[node] / key_count - share) <= 4.5 * sd, (node, counts[node] / key_count, share)
    # And key by key against a linear scan of the ring, including keys past its last point.
    points = sorted(ring.points)
    assert [ring.node_for(key) for key in keys[:2_000]] == [owner_by_scan(points, key) for key in keys[:2_000]]
    past_the_end = [key for key in keys if ring_position(key) > points[-1][0]]
    assert past_the_end, "no key lands past the last point: pick other names"
    assert {ring.node_for(key) for key in past_the_end} == {points[0][1]}


def test_every_virtual_node_is_its_own_point_even_when_names_run_together():
    # "a" + "12" and "a1" + "2" must not be the same label: each of the N·V virtual nodes
    # gets its own position, and each node keeps all V of them.
    nodes = ["a", "a1", "a12", "a2", "1", "11"]
    ring = HashRing(nodes, virtual_nodes=30)
    positions = [position for position, _ in ring.points]
    assert len(set(positions)) == len(nodes) * 30
    assert Counter(owner for _, owner in ring.points) == dict.fromkeys(nodes, 30)
    assert positions == sorted(positions)
