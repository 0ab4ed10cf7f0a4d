"""Shortest paths on a weighted directed graph: Dijkstra, and A*, which adds a
heuristic (a lower bound on the distance left) to look towards the target first.

A graph is {node: {neighbour: weight}}; weights must be finite and >= 0.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from itertools import count

from algorithms._checks import WrongType, callable_, hashable, instance, whole

Node = Hashable
Graph = Mapping[Node, Mapping[Node, float]]


@dataclass
class Search:
    distance: dict[Node, float]  # best known distance from the source
    previous: dict[Node, Node]  # the node before each one on its best path
    expanded: int  # nodes taken off the queue and relaxed: the work done

    def __post_init__(self) -> None:
        instance("distance", self.distance, dict)
        instance("previous", self.previous, dict)
        whole("expanded", self.expanded, 0)

    def path_to(self, target: Node) -> list[Node] | None:
        hashable("target", target)
        if target not in self.distance:
            return None  # unreachable
        path = [target]
        while path[-1] in self.previous:
            path.append(self.previous[path[-1]])
        return path[::-1]


def check_graph(graph: Graph, *nodes: Node) -> None:
    """Refuse what Dijkstra and A* get wrong: negative, NaN or infinite weights."""
    instance("graph", graph, Mapping)
    for node in nodes:
        hashable("node", node)
    for node, edges in graph.items():
        instance(f"graph[{node!r}]", edges, Mapping)
    known = set(graph) | {n for edges in graph.values() for n in edges}
    for node in nodes:
        if node not in known:
            raise ValueError(f"node {node!r} is not in the graph")
    for a, edges in graph.items():
        for b, weight in edges.items():
            problem = f"edge {a!r} -> {b!r} has weight {weight!r}; weights must be finite and >= 0"
            if isinstance(weight, bool) or not isinstance(weight, (int, float)):
                raise WrongType(problem)
            if not 0 <= weight < math.inf:
                raise ValueError(problem)


# --8<-- [start:search]
def a_star(graph: Graph, source: Node, target: Node | None = None,
           heuristic: Callable[[Node], float] = lambda node: 0.0) -> Search:
    """With the default heuristic (0 everywhere) this is Dijkstra's algorithm.

    The queue is ordered by g + h: the distance so far plus a lower bound on
    the distance left. With h = 0 nodes leave the queue in order of distance;
    a good h pulls the search towards the target and expands fewer nodes.
    """
    check_graph(graph, source, *([] if target is None else [target]))
    heuristic = _checked(heuristic)
    distance, previous, expanded = {source: 0.0}, {}, 0
    tie = count()  # equal priorities never compare the nodes themselves
    queue = [(heuristic(source), next(tie), 0.0, source)]
    while queue:
        _, _, g, node = heapq.heappop(queue)
        if g > distance[node]:
            continue  # a stale entry: a shorter way here was found later
        if node == target:
            break  # its distance is final: every queued entry has g + h >= it
        expanded += 1
        for neighbour, weight in graph.get(node, {}).items():
            candidate = g + weight
            if candidate < distance.get(neighbour, math.inf):
                distance[neighbour], previous[neighbour] = candidate, node
                heapq.heappush(queue, (candidate + heuristic(neighbour), next(tie), candidate, neighbour))
    return Search(distance, previous, expanded)


def dijkstra(graph: Graph, source: Node, target: Node | None = None) -> Search:
    return a_star(graph, source, target)
# --8<-- [end:search]


def shortest(graph: Graph, source: Node, target: Node,
             heuristic: Callable[[Node], float] = lambda node: 0.0) -> tuple[float, list[Node] | None]:
    """(length, path) from source to target; (inf, None) when it cannot be reached."""
    search = a_star(graph, source, target, heuristic)
    return search.distance.get(target, math.inf), search.path_to(target)


def _checked(heuristic: Callable[[Node], float]) -> Callable[[Node], float]:
    """The heuristic, with each estimate checked: a NaN or negative one misorders the queue."""
    callable_("heuristic", heuristic)

    def estimate(node: Node) -> float:
        h = heuristic(node)
        if isinstance(h, bool) or not (isinstance(h, (int, float)) and 0 <= h < math.inf):
            raise ValueError(f"heuristic({node!r}) must be a finite number >= 0, got {h!r}")
        return h
    return estimate
