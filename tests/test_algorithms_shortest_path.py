"""Dijkstra's distances equal networkx's on random weighted graphs; A* with straight-line
distance on a road-like grid finds paths of the same length as networkx's A* and as
Dijkstra, while expanding no more nodes (far fewer on a long trip); a heuristic that
overestimates can miss the shortest path; bad weights and unknown nodes are refused."""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from algorithms.shortest_path import a_star, dijkstra, shortest


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 12))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                    st.one_of(st.integers(0, 20), st.floats(0, 20))), max_size=40))
    graph = {node: {} for node in range(n)}
    for a, b, weight in edges:
        graph[a][b] = weight  # the last weight drawn for a pair wins, as in networkx
    return graph


def to_networkx(graph):
    g = nx.DiGraph()
    g.add_nodes_from(graph)
    g.add_weighted_edges_from((a, b, w) for a, edges in graph.items() for b, w in edges.items())
    return g


def path_length(graph, path):
    return sum(graph[a][b] for a, b in zip(path, path[1:]))


@given(graphs(), st.data())
def test_dijkstra_distances_equal_networkx(graph, data):
    source = data.draw(st.sampled_from(sorted(graph)))
    search = dijkstra(graph, source)
    theirs = nx.single_source_dijkstra_path_length(to_networkx(graph), source)
    assert search.distance.keys() == theirs.keys()
    for node, length in theirs.items():
        assert search.distance[node] == pytest.approx(length)
        path = search.path_to(node)
        assert path[0] == source and path[-1] == node
        assert path_length(graph, path) == pytest.approx(length)


@given(graphs(), st.data())
def test_stopping_at_the_target_gives_the_same_length(graph, data):
    source, target = data.draw(st.sampled_from(sorted(graph))), data.draw(st.sampled_from(sorted(graph)))
    length, path = shortest(graph, source, target)
    try:
        expected = nx.dijkstra_path_length(to_networkx(graph), source, target)
    except nx.NetworkXNoPath:
        assert (length, path) == (math.inf, None)
    else:
        assert length == pytest.approx(expected) and path_length(graph, path) == pytest.approx(expected)


def road_grid(seed, size=30):
    """A jittered grid of junctions; each road is 1 to 2 times longer than the straight
    line (roads wind), so the straight-line distance never overestimates."""
    rng = random.Random(seed)
    position = {(i, j): (i + rng.uniform(-0.3, 0.3), j + rng.uniform(-0.3, 0.3))
                for i in range(size) for j in range(size)}
    graph = {node: {} for node in position}
    for (i, j) in position:
        for di, dj in ((1, 0), (0, 1), (1, 1)):
            other = (i + di, j + dj)
            if other in position and rng.random() < 0.9:
                road = math.dist(position[(i, j)], position[other]) * rng.uniform(1, 2)
                graph[(i, j)][other] = graph[other][(i, j)] = road
    return graph, position


@pytest.mark.parametrize("seed", range(4))
def test_a_star_matches_networkx_and_dijkstra_and_expands_no_more(seed):
    graph, position = road_grid(seed)
    rng = random.Random(seed)
    g = to_networkx(graph)
    ratios = []
    for _ in range(15):
        source, target = rng.sample(sorted(graph), 2)
        straight_line = lambda node: math.dist(position[node], position[target])  # noqa: E731
        plain, guided = dijkstra(graph, source, target), a_star(graph, source, target, straight_line)
        if target not in plain.distance:
            assert target not in guided.distance
            continue
        expected = nx.astar_path_length(g, source, target, heuristic=lambda a, b: math.dist(position[a], position[b]))
        assert plain.distance[target] == pytest.approx(expected)
        assert guided.distance[target] == pytest.approx(expected)
        assert path_length(graph, guided.path_to(target)) == pytest.approx(expected)
        assert guided.expanded <= plain.expanded
        ratios.append(guided.expanded / max(plain.expanded, 1))
    assert sum(ratios) / len(ratios) < 0.8, "the straight line should save real work on average"


def test_an_overestimating_heuristic_can_miss_the_shortest_path():
    # s -> a -> t is 2 long, s -> t directly is 3; a heuristic that calls a far away
    # makes A* settle for the direct road.
    graph = {"s": {"a": 1, "t": 3}, "a": {"t": 1}, "t": {}}
    overestimate = {"s": 0, "a": 10, "t": 0}.__getitem__
    assert shortest(graph, "s", "t") == (2, ["s", "a", "t"])
    assert shortest(graph, "s", "t", overestimate) == (3, ["s", "t"])


def test_a_node_is_found_even_when_it_only_appears_as_a_neighbour():
    assert shortest({"a": {"b": 2}}, "a", "b") == (2, ["a", "b"])
    assert shortest({"a": {"b": 2}}, "b", "a") == (math.inf, None)
    assert shortest({"a": {}}, "a", "a") == (0, ["a"])


@pytest.mark.parametrize("weight", [-1, -0.5, math.nan, math.inf, "3"])
def test_bad_weights_are_refused(weight):
    graph = {"a": {"b": 1, "c": weight}, "b": {"c": 1}}
    with pytest.raises(ValueError, match=r"edge 'a' -> 'c' has weight .*; weights must be finite and >= 0"):
        dijkstra(graph, "a")
    with pytest.raises(ValueError, match="weights must be finite and >= 0"):
        a_star(graph, "a", "c", lambda node: 0)


def test_unknown_nodes_are_refused():
    with pytest.raises(ValueError, match="node 'x' is not in the graph"):
        dijkstra({"a": {"b": 1}}, "x")
    with pytest.raises(ValueError, match="node 'z' is not in the graph"):
        shortest({"a": {"b": 1}}, "a", "z")


def test_the_share_of_nodes_a_star_expands_quoted_on_the_concept_page():
    import re
    from pathlib import Path

    page = re.sub(r"\s+", " ", (Path(__file__).resolve().parents[1] / "docs/concepts/shortest_path.md").read_text())
    (quoted,) = re.search(r"over 200 random trips on one such grid it expands (\d+)% as many nodes", page).groups()
    graph, position = road_grid(0)
    rng, ratios = random.Random(0), []
    for _ in range(200):
        source, target = rng.sample(sorted(graph), 2)
        plain = dijkstra(graph, source, target)
        guided = a_star(graph, source, target, lambda node: math.dist(position[node], position[target]))
        if target in plain.distance:
            ratios.append(guided.expanded / max(plain.expanded, 1))
    assert int(quoted) == round(100 * sum(ratios) / len(ratios))
