"""A point quadtree: a square split into four whenever it holds more than `capacity`
points, so cells are small where points are dense and large where they are sparse.
A box or circle query descends only into the cells it overlaps.

Coordinates are planar (metres on a local projection, or degrees for a small area).
A point on a split line belongs to the east and/or north child: children are
half-open, [x0, mid) and [mid, x1], so every point is in exactly one leaf.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from numbers import Real
from typing import Hashable

from algorithms._checks import WrongType, hashable, instance, number, whole

# Each level of splitting is one more recursive call, and a float has 53 bits: far
# from 0, a box halved about 53 times stops shrinking. Deeper would gain nothing and
# could end in a RecursionError.
MAX_DEPTH = 64


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        for name in ("x0", "y0", "x1", "y1"):
            number(name, getattr(self, name), accepted="a finite number (a box corner)")
        if self.x0 > self.x1 or self.y0 > self.y1:
            raise ValueError(f"box must have x0 <= x1 and y0 <= y1, got {self}")

    def contains(self, x: float, y: float) -> bool:
        try:  # False for NaN, which fails every comparison
            return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1
        except TypeError:
            raise WrongType(f"point (x, y) must be numbers, got ({x!r}, {y!r})") from None

    def intersects(self, other: Box) -> bool:
        instance("other", other, Box)
        return not (other.x0 > self.x1 or other.x1 < self.x0
                    or other.y0 > self.y1 or other.y1 < self.y0)

    def distance_to(self, x: float, y: float) -> float:
        """0 inside the box, else the distance to its nearest edge or corner."""
        _check_centre(x, y, "point", "(x, y)")
        dx = max(self.x0 - x, 0.0, x - self.x1)
        dy = max(self.y0 - y, 0.0, y - self.y1)
        return math.hypot(dx, dy)


# --8<-- [start:tree]
def _quadrant(box: Box, x: float, y: float) -> int:
    """0 SW, 1 SE, 2 NW, 3 NE; a point on a split line goes east / north."""
    mx, my = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    return (x >= mx) + 2 * (y >= my)


@dataclass
class Node:
    box: Box
    depth: int
    points: list[tuple[float, float, Hashable]] = field(default_factory=list)
    children: list[Node] | None = None  # None for a leaf: SW, SE, NW, NE


class QuadTree:
    def __init__(self, box: Box, capacity: int = 8, max_depth: int = 20) -> None:
        instance("box", box, Box)
        whole("capacity", capacity, 1)
        whole("max_depth", max_depth, 0, MAX_DEPTH)
        self.root, self.capacity, self.max_depth = Node(box, 0), capacity, max_depth
        self.size = 0

    def insert(self, x: float, y: float, item: Hashable) -> None:
        _check_types(x, y, item)
        if not self.root.box.contains(x, y):  # also refuses NaN
            raise ValueError(f"point ({x}, {y}) is outside the tree's box {self.root.box}")
        node = self.root
        while node.children is not None:
            node = node.children[_quadrant(node.box, x, y)]
        node.points.append((x, y, item))
        self.size += 1
        # Split a full leaf, unless it is as deep as allowed: many copies of one
        # point would otherwise split forever.
        if len(node.points) > self.capacity and node.depth < self.max_depth:
            self._split(node)

    def _split(self, node: Node) -> None:
        b = node.box
        mx, my = (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2
        node.children = [Node(Box(b.x0, b.y0, mx, my), node.depth + 1),
                         Node(Box(mx, b.y0, b.x1, my), node.depth + 1),
                         Node(Box(b.x0, my, mx, b.y1), node.depth + 1),
                         Node(Box(mx, my, b.x1, b.y1), node.depth + 1)]
        points, node.points = node.points, []
        for x, y, item in points:
            node.children[_quadrant(b, x, y)].points.append((x, y, item))
        for child in node.children:  # all points may have gone to one child
            if len(child.points) > self.capacity and child.depth < self.max_depth:
                self._split(child)

    def in_box(self, box: Box) -> list[Hashable]:
        instance("box", box, Box)
        found, stack = [], [self.root]
        while stack:
            node = stack.pop()
            if not node.box.intersects(box):
                continue  # the whole cell is outside: skip its points
            if node.children is not None:
                stack.extend(node.children)
            found.extend(item for x, y, item in node.points if box.contains(x, y))
        return found

    def in_circle(self, cx: float, cy: float, radius: float) -> list[Hashable]:
        _check_centre(cx, cy, "centre", "(cx, cy)")
        number("radius", radius, 0, finite=False, accepted="0 or more")  # also refuses NaN
        found, stack = [], [self.root]
        while stack:
            node = stack.pop()
            if node.box.distance_to(cx, cy) > radius:
                continue
            if node.children is not None:
                stack.extend(node.children)
            found.extend(item for x, y, item in node.points
                         if math.hypot(x - cx, y - cy) <= radius)
        return found
# --8<-- [end:tree]

    # --8<-- [start:nearest]
    def nearest(self, x: float, y: float, k: int) -> list[tuple[float, Hashable]]:
        """The k points closest to (x, y), as (distance, item), closest first.

        Best-first: one queue holds cells, keyed by their distance to (x, y), and
        points, keyed by their own. A point that leaves the queue is no farther
        than anything still in it, cells included, so it is the next nearest.
        """
        _check_centre(x, y, "centre", "(x, y)")
        whole("k", k, 1)
        tie = 0  # equal distances never compare cells or items
        queue: list[tuple[float, int, Node | None, Hashable]] = [(0.0, tie, self.root, None)]
        found: list[tuple[float, Hashable]] = []
        while queue and len(found) < k:
            distance, _, node, item = heapq.heappop(queue)
            if node is None:  # a point
                found.append((distance, item))
                continue
            for child in node.children or ():
                tie += 1
                heapq.heappush(queue, (child.box.distance_to(x, y), tie, child, None))
            for px, py, point_item in node.points:
                tie += 1
                heapq.heappush(queue, (math.hypot(px - x, py - y), tie, None, point_item))
        return found
    # --8<-- [end:nearest]

    def leaves(self) -> list[Node]:
        """Every leaf, for drawing the cells or checking the split rule."""
        out, stack = [], [self.root]
        while stack:
            node = stack.pop()
            if node.children is None:
                out.append(node)
            else:
                stack.extend(node.children)
        return out


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _check_centre(x: float, y: float, name: str, arguments: str) -> None:
    if not (_is_number(x) and _is_number(y)):
        raise WrongType(f"{name} must be finite numbers, got {arguments} = ({x!r}, {y!r})")
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f"{name} must be finite, got {arguments} = ({x}, {y})")


def _check_types(x: float, y: float, item: Hashable) -> None:
    """Numbers and a hashable item; a NaN or a point outside is refused as outside the box."""
    if not (_is_number(x) and _is_number(y)):
        raise WrongType(f"point (x, y) must be numbers, got ({x!r}, {y!r})")
    hashable("item", item)
