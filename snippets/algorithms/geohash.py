"""Geohash: a short string for a rectangular cell of the globe, so that nearby
places share a prefix. Encode, decode, the eight neighbours, and a radius
search over the 3 × 3 block of cells that keeps the exact (haversine) matches.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from algorithms._checks import WrongType, instance, number, text, whole

BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
EARTH_RADIUS_M = 6_371_008.8  # the mean radius
MAX_PRECISION = 12


# --8<-- [start:encode]
def encode(latitude: float, longitude: float, precision: int = 9) -> str:
    """Halve the longitude range, then the latitude range, and so on: five
    halvings (bits) make one base-32 character."""
    _check_point(latitude, longitude)
    _check_precision(precision)
    ranges = {"lon": [-180.0, 180.0], "lat": [-90.0, 90.0]}
    value = {"lon": longitude, "lat": latitude}
    characters = []
    for position in range(precision):
        index = 0
        for bit in range(5):
            axis = "lon" if (5 * position + bit) % 2 == 0 else "lat"
            low, high = ranges[axis]
            middle = (low + high) / 2
            index <<= 1
            if value[axis] >= middle:
                index |= 1
                ranges[axis][0] = middle
            else:
                ranges[axis][1] = middle
        characters.append(BASE32[index])
    return "".join(characters)
# --8<-- [end:encode]


@dataclass(frozen=True)
class Cell:
    """The rectangle a geohash stands for, in degrees."""

    south: float
    north: float
    west: float
    east: float

    @property
    def center(self) -> tuple[float, float]:
        return (self.south + self.north) / 2, (self.west + self.east) / 2

    @property
    def height(self) -> float:
        return self.north - self.south

    @property
    def width(self) -> float:
        return self.east - self.west

    def __post_init__(self) -> None:
        _check_point(self.south, self.west, "south", "west")
        _check_point(self.north, self.east, "north", "east")
        if not (self.south <= self.north and self.west <= self.east):
            raise ValueError(f"a cell needs south <= north and west <= east, got {self}")

    def contains(self, latitude: float, longitude: float) -> bool:
        try:
            return (self.south <= latitude <= self.north
                    and self.west <= longitude <= self.east)
        except TypeError:
            raise WrongType(f"(latitude, longitude) must be numbers, got "
                            f"({latitude!r}, {longitude!r})") from None


# --8<-- [start:decode]
def decode(geohash: str) -> Cell:
    """Replay the halvings that the characters record."""
    _check_geohash(geohash)
    south, north, west, east = -90.0, 90.0, -180.0, 180.0
    for position, character in enumerate(geohash.lower()):
        index = BASE32.find(character)
        if index < 0:
            raise ValueError(
                f"{geohash!r} is not a geohash: {character!r} is not in "
                f"{BASE32!r}"
            )
        for bit in range(5):
            upper_half = bool(index & (1 << (4 - bit)))
            if (5 * position + bit) % 2 == 0:
                middle = (west + east) / 2
                west, east = (middle, east) if upper_half else (west, middle)
            else:
                middle = (south + north) / 2
                south, north = ((middle, north) if upper_half
                                else (south, middle))
    return Cell(south, north, west, east)
# --8<-- [end:decode]


# --8<-- [start:neighbours]
DIRECTIONS = {"n": (1, 0), "ne": (1, 1), "e": (0, 1), "se": (-1, 1),
              "s": (-1, 0), "sw": (-1, -1), "w": (0, -1), "nw": (1, -1)}


def neighbours(geohash: str) -> dict[str, str]:
    """The cells around `geohash`, by compass direction. East and west wrap
    around the antimeridian; nothing lies north of the top row of cells or
    south of the bottom row."""
    cell = decode(geohash)
    latitude, longitude = cell.center
    around = {}
    for direction, (north_steps, east_steps) in DIRECTIONS.items():
        next_latitude = latitude + north_steps * cell.height
        if not -90 < next_latitude < 90:
            continue
        next_longitude = longitude + east_steps * cell.width
        next_longitude = (next_longitude + 180) % 360 - 180
        around[direction] = encode(next_latitude, next_longitude,
                                   len(geohash))
    return around
# --8<-- [end:neighbours]


def cell_size(precision: int) -> tuple[float, float]:
    """(height, width) in degrees of every cell at this precision."""
    _check_precision(precision)
    bits = 5 * precision
    return 180 / 2 ** (bits // 2), 360 / 2 ** ((bits + 1) // 2)


# --8<-- [start:haversine]
def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres on a spherical Earth."""
    _check_point(lat1, lon1, "lat1", "lon1")
    _check_point(lat2, lon2, "lat2", "lon2")
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = (math.sin(d_phi / 2) ** 2
         + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
# --8<-- [end:haversine]


# --8<-- [start:index]
class GeohashIndex:
    """Points sorted by geohash, so the points of any cell are one range."""

    def __init__(self) -> None:
        # (geohash at full precision, point id), sorted.
        self._entries: list[tuple[str, str]] = []
        self._points: dict[str, tuple[float, float]] = {}

    def add(self, point_id: str, latitude: float, longitude: float) -> None:
        text("point_id", point_id)
        if point_id in self._points:
            raise ValueError(f"point {point_id!r} is already in the index")
        # Encode first: it refuses a bad point before anything is stored.
        geohash = encode(latitude, longitude, MAX_PRECISION)
        self._points[point_id] = (latitude, longitude)
        bisect.insort(self._entries, (geohash, point_id))

    def in_cell(self, geohash: str) -> list[str]:
        _check_geohash(geohash, whole_globe=True)  # "" is the whole globe
        start = bisect.bisect_left(self._entries, (geohash,))
        # "~" sorts after every base-32 character: the end of the range.
        end = bisect.bisect_left(self._entries, (geohash + "~",))
        return [point_id for _, point_id in self._entries[start:end]]

    def within(self, latitude: float, longitude: float,
               radius_m: float) -> set[str]:
        """Every point within `radius_m` metres of the given point (an
        infinite radius finds them all)."""
        _check_point(latitude, longitude)
        _check_radius(radius_m)
        precision = search_precision(latitude, radius_m)
        if precision is None:  # a pole inside, or huge: look at everything
            candidates = list(self._points)
        else:
            center = encode(latitude, longitude, precision)
            cells = {center, *neighbours(center).values()}
            candidates = [found for cell in cells
                          for found in self.in_cell(cell)]
        return {
            point_id for point_id in candidates
            if haversine_m(latitude, longitude, *self._points[point_id])
            <= radius_m
        }
# --8<-- [end:index]


# --8<-- [start:precision]
def search_precision(latitude: float, radius_m: float) -> int | None:
    """The finest precision whose 3 × 3 block around the point covers the
    circle, or None if none does (a pole inside, or a huge circle).

    The block reaches at least one whole cell beyond the point in every
    direction, so it covers the circle when a cell is taller and wider than
    the circle's reach from its centre.
    """
    _check_point(latitude, 0.0)
    _check_radius(radius_m)
    angle = radius_m / EARTH_RADIUS_M  # the radius as an angle at the centre
    reach_north_south = math.degrees(angle)
    cos_latitude = math.cos(math.radians(latitude))
    if (abs(latitude) + reach_north_south >= 90
            or math.sin(angle) >= cos_latitude):
        return None
    # The largest longitude difference on a circle of this angular radius.
    reach_east_west = math.degrees(math.asin(math.sin(angle) / cos_latitude))
    margin = 1 + 1e-9  # rounding must not make a cell look just big enough
    for precision in range(MAX_PRECISION, 0, -1):
        height, width = cell_size(precision)
        if (height >= reach_north_south * margin
                and width >= reach_east_west * margin):
            return precision
    return None
# --8<-- [end:precision]


def _check_point(latitude: float, longitude: float,
                 latitude_name: str = "latitude", longitude_name: str = "longitude") -> None:
    # NaN and infinity are refused too: NaN fails every comparison.
    number(latitude_name, latitude, -90, 90, accepted="between -90 and 90")
    number(longitude_name, longitude, -180, 180, accepted="between -180 and 180")


def _check_radius(radius_m: float) -> None:
    # Infinity is accepted: no cell covers it, so every point is a candidate.
    number("radius_m", radius_m, 0, finite=False, accepted="zero or more metres")


def _check_precision(precision: int) -> None:
    whole("precision", precision, 1, MAX_PRECISION,
          accepted=f"between 1 and {MAX_PRECISION}")


def _check_geohash(geohash: str, whole_globe: bool = False) -> None:
    if whole_globe:
        instance("geohash", geohash, str)
    else:
        text("geohash", geohash)
    if len(geohash) > MAX_PRECISION:
        raise ValueError(f"geohash must have 1 to {MAX_PRECISION} characters, got {geohash!r}")
