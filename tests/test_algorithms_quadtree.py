"""The quadtree answers box and circle queries exactly as a brute-force scan does, for
random points, points on split lines, duplicates and tiny capacities; its leaves respect
the capacity (except at the depth limit); and it reads fewer points than a scan."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from algorithms.quadtree import Box, QuadTree

WORLD = Box(0, 0, 64, 64)
# Coordinates on a grid of 1/4 land exactly on split lines (32, 16, 8 ... 0.25) often;
# floats in between cover the rest.
coordinate = st.one_of(st.integers(0, 256).map(lambda v: v / 4), st.floats(0, 64))
points = st.lists(st.tuples(coordinate, coordinate), max_size=120)


def build(pts, capacity=2, max_depth=8):
    tree = QuadTree(WORLD, capacity=capacity, max_depth=max_depth)
    for i, (x, y) in enumerate(pts):
        tree.insert(x, y, i)
    return tree


@given(points, coordinate, coordinate, coordinate, coordinate, st.integers(1, 5))
def test_box_query_equals_brute_force(pts, ax, ay, bx, by, capacity):
    tree = build(pts, capacity)
    box = Box(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
    expected = [i for i, (x, y) in enumerate(pts) if box.contains(x, y)]
    assert sorted(tree.in_box(box)) == expected


@given(points, coordinate, coordinate, st.floats(0, 40), st.integers(1, 5))
def test_circle_query_equals_brute_force(pts, cx, cy, radius, capacity):
    tree = build(pts, capacity)
    expected = [i for i, (x, y) in enumerate(pts) if math.hypot(x - cx, y - cy) <= radius]
    assert sorted(tree.in_circle(cx, cy, radius)) == expected


@given(points, st.integers(1, 5))
def test_every_point_is_in_exactly_one_leaf_that_holds_it_and_leaves_respect_capacity(pts, capacity):
    tree = build(pts, capacity, max_depth=8)
    leaves = tree.leaves()
    stored = sorted(item for leaf in leaves for _, _, item in leaf.points)
    assert stored == list(range(len(pts))) and tree.size == len(pts)
    for leaf in leaves:
        assert all(leaf.box.contains(x, y) for x, y, _ in leaf.points)
        assert len(leaf.points) <= capacity or leaf.depth == 8


def test_a_point_on_a_split_line_goes_east_and_north():
    tree = build([(1, 1), (63, 1), (1, 63), (63, 63), (32, 32)], capacity=4)
    [north_east] = [leaf for leaf in tree.leaves() if leaf.box == Box(32, 32, 64, 64)]
    assert sorted(item for _, _, item in north_east.points) == [3, 4]
    assert tree.in_box(Box(32, 32, 32, 32)) == [4] and tree.in_circle(32, 32, 0) == [4]


def test_points_on_the_outer_edge_are_found_by_a_box_that_only_touches_them():
    tree = build([(64, 64), (64, 10), (0, 0), (0, 64), (5, 5), (40, 40)], capacity=1)
    assert sorted(tree.in_box(Box(64, 0, 64, 64))) == [0, 1]
    assert sorted(tree.in_box(Box(0, 0, 0, 64))) == [2, 3]
    assert sorted(tree.in_box(Box(0, 64, 64, 64))) == [0, 3]


def test_duplicates_stop_splitting_at_the_depth_limit():
    tree = build([(10.0, 10.0)] * 50, capacity=2, max_depth=5)
    [full] = [leaf for leaf in tree.leaves() if leaf.points]
    assert full.depth == 5 and len(full.points) == 50
    assert sorted(tree.in_circle(10, 10, 0)) == list(range(50))


def test_the_tree_adapts_to_density_and_reads_a_fraction_of_the_points():
    rng = random.Random(1)
    # 9,000 points in a dense 4 x 4 "city", 1,000 spread over the whole 64 x 64 map.
    pts = [(30 + 4 * rng.random(), 30 + 4 * rng.random()) for _ in range(9000)]
    pts += [(64 * rng.random(), 64 * rng.random()) for _ in range(1000)]
    tree = build(pts, capacity=16, max_depth=20)
    leaves = tree.leaves()
    city = [leaf for leaf in leaves if Box(30, 30, 34, 34).intersects(leaf.box)]
    countryside = [leaf for leaf in leaves if not Box(28, 28, 36, 36).intersects(leaf.box)]
    smallest = lambda group: min(leaf.box.x1 - leaf.box.x0 for leaf in group)  # noqa: E731
    assert smallest(city) < smallest(countryside) / 8
    read = sum(len(leaf.points) for leaf in leaves if leaf.box.distance_to(32, 32) <= 0.5)
    inside = len(tree.in_circle(32, 32, 0.5))
    # The circle holds about 5% of the city; the query reads its leaves, not the map.
    assert inside <= read < 2 * inside and read < len(pts) / 10


@pytest.mark.parametrize("x, y", [(-1, 5), (5, 64.5), (math.nan, 1), (1, math.inf)])
def test_a_point_outside_the_box_is_refused_and_changes_nothing(x, y):
    tree = build([(1, 1), (2, 2), (3, 3)], capacity=2)
    before = [(leaf.box, list(leaf.points)) for leaf in tree.leaves()]
    with pytest.raises(ValueError, match="is outside the tree's box"):
        tree.insert(x, y, "stray")
    assert [(leaf.box, list(leaf.points)) for leaf in tree.leaves()] == before and tree.size == 3


@pytest.mark.parametrize("kwargs, message", [
    ({"capacity": 0}, "capacity must be"), ({"capacity": 2.5}, "capacity must be"),
    ({"max_depth": -1}, "max_depth must be"),
])
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        QuadTree(WORLD, **kwargs)


@pytest.mark.parametrize("corners, message", [
    ((5, 0, 1, 1), "x0 <= x1"), ((0, 0, math.nan, 1), "finite"),
])
def test_a_bad_box_is_refused(corners, message):
    with pytest.raises(ValueError, match=message):
        Box(*corners)


@pytest.mark.parametrize("args, message", [
    ((1, 1, -1), "radius must be 0 or more"), ((1, 1, math.nan), "radius must be 0 or more"),
    ((math.nan, 1, 1), "centre must be finite"),
])
def test_a_bad_circle_is_refused(args, message):
    with pytest.raises(ValueError, match=message):
        build([(1, 1)]).in_circle(*args)


@given(points, coordinate, coordinate, st.integers(1, 8), st.integers(1, 5))
def test_nearest_equals_brute_force(pts, cx, cy, k, capacity):
    tree = build(pts, capacity)
    found = tree.nearest(cx, cy, k)
    expected = sorted(math.hypot(x - cx, y - cy) for x, y in pts)[:k]
    assert [distance for distance, _ in found] == expected
    assert all(math.hypot(pts[i][0] - cx, pts[i][1] - cy) == d for d, i in found)
    assert len({i for _, i in found}) == len(found)


def test_nearest_on_a_large_tree_matches_a_sort():
    rng = random.Random(3)
    pts = [(64 * rng.random(), 64 * rng.random()) for _ in range(5000)]
    tree = build(pts, capacity=8, max_depth=20)
    assert [i for _, i in tree.nearest(10, 10, 5)] == sorted(range(len(pts)), key=lambda i: math.hypot(pts[i][0] - 10, pts[i][1] - 10))[:5]


@pytest.mark.parametrize("args, message", [
    ((1, 1, 0), "k must be"), ((1, 1, 2.5), "k must be"), ((math.inf, 1, 1), "centre must be finite"),
])
def test_bad_nearest_queries_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        build([(1, 1)]).nearest(*args)


def subtree_sizes(node, out):
    """Points under each internal node, collected in `out`; returns the points under `node`."""
    if node.children is None:
        return len(node.points)
    total = sum(subtree_sizes(child, out) for child in node.children)
    out.append(total)
    return total


@given(points, st.integers(1, 5))
def test_a_cell_splits_only_once_it_holds_more_than_capacity(pts, capacity):
    """Points are never removed, so every split cell still holds more than `capacity`."""
    tree, internal = build(pts, capacity, max_depth=8), []
    assert subtree_sizes(tree.root, internal) == len(pts)
    assert all(total > capacity for total in internal)


@pytest.mark.parametrize("capacity", [1, 4, 16])
def test_a_full_leaf_stays_a_leaf_until_one_more_point_arrives(capacity):
    rng = random.Random(capacity)
    tree = QuadTree(WORLD, capacity=capacity)
    for i in range(capacity):
        tree.insert(64 * rng.random(), 64 * rng.random(), i)
    assert tree.root.children is None and len(tree.root.points) == capacity
    tree.insert(64 * rng.random(), 64 * rng.random(), capacity)
    assert tree.root.children is not None and tree.root.points == []


def test_the_number_of_leaves_quoted_on_the_concept_page():
    """A leaf splits only when it overflows, into four that share capacity + 1 points, so
    leaves are far from full: measured on 10,000 points, spread out or in three cities."""
    import re
    from pathlib import Path

    rng = random.Random(0)
    spread = [(64 * rng.random(), 64 * rng.random()) for _ in range(10_000)]
    cities = [(min(max(rng.gauss(cx, 2), 0), 64), min(max(rng.gauss(cy, 2), 0), 64))
              for cx, cy in (rng.choice([(16, 16), (40, 48), (50, 10)]) for _ in range(10_000))]
    ratios = [len(build(pts, capacity, max_depth=20).leaves()) / (len(pts) / capacity)
              for pts in (spread, cities) for capacity in (4, 8, 16, 32)]
    assert all(ratio > 1.2 for ratio in ratios), ratios  # never close to n / capacity
    page = re.sub(r"\s+", " ", (Path(__file__).resolve().parents[1] / "docs/concepts/quadtree.md").read_text())
    assert f"between {min(ratios):.1f} and {max(ratios):.1f} times n / capacity leaves" in page
