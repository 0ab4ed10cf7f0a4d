"""Geohash round trips within its cell, matches published vectors, and a radius search over
the 3 × 3 block of cells returns exactly the brute-force (haversine) answer, including on
cell edges, across the antimeridian and near a pole."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.geohash import (
    GeohashIndex,
    cell_size,
    decode,
    encode,
    haversine_m,
    neighbours,
    search_precision,
)

latitudes = st.floats(min_value=-90, max_value=90)
longitudes = st.floats(min_value=-180, max_value=180)
precisions = st.integers(min_value=1, max_value=12)


@given(latitudes, longitudes, precisions)
def test_round_trip_lands_within_the_cell(latitude, longitude, precision):
    geohash = encode(latitude, longitude, precision)
    cell = decode(geohash)
    assert len(geohash) == precision
    assert cell.contains(latitude, longitude)
    assert (cell.height, cell.width) == cell_size(precision)
    center_latitude, center_longitude = cell.center
    assert abs(center_latitude - latitude) <= cell.height / 2
    assert abs(center_longitude - longitude) <= cell.width / 2


def test_published_vectors():
    # From the Wikipedia article and geohash.org.
    assert encode(57.64911, 10.40744, 11) == "u4pruydqqvj"
    assert encode(42.6, -5.6, 5) == "ezs42"
    latitude, longitude = decode("ezs42").center
    assert (round(latitude, 3), round(longitude, 3)) == (42.605, -5.603)
    assert encode(0, 0, 5) == "s0000"
    # The neighbours used by the test suites of the ngeohash and geohash-js libraries.
    assert neighbours("dqcjq") == {
        "n": "dqcjw", "ne": "dqcjx", "e": "dqcjr", "se": "dqcjp",
        "s": "dqcjn", "sw": "dqcjj", "w": "dqcjm", "nw": "dqcjt",
    }


def test_neighbours_wrap_around_the_antimeridian_and_stop_at_the_poles():
    # "zzz" touches both the north pole's row and the antimeridian (its east edge is 180°).
    assert neighbours("zzz") == {"e": "bpb", "se": "bp8", "s": "zzx", "sw": "zzw", "w": "zzy"}
    assert neighbours("bpb")["w"] == "zzz"
    assert set(neighbours("0")) == {"n", "ne", "e", "w", "nw"}  # the south-west corner cell


@given(latitudes, longitudes, precisions)
def test_every_neighbour_is_the_adjacent_cell_of_the_same_size(latitude, longitude, precision):
    geohash = encode(latitude, longitude, precision)
    cell = decode(geohash)
    steps = {"n": (1, 0), "ne": (1, 1), "e": (0, 1), "se": (-1, 1), "s": (-1, 0), "sw": (-1, -1), "w": (0, -1), "nw": (1, -1)}
    found = neighbours(geohash)
    for direction, (north, east) in steps.items():
        beyond_a_pole = not -90 < cell.center[0] + north * cell.height < 90
        assert (direction in found) == (not beyond_a_pole)
        if direction in found:
            other = decode(found[direction])
            assert (other.height, other.width) == (cell.height, cell.width)
            assert other.center[0] == cell.center[0] + north * cell.height
            east_offset = (other.center[1] - cell.center[1] - east * cell.width) % 360
            assert east_offset in (0, 360)


# A fixed index of points clustered where geohash is awkward: the antimeridian, the prime
# meridian and the equator (where the first cells split), a pole, and two cities.
HOTSPOTS = [(0.0, 180.0), (0.0, 0.0), (51.5074, -0.1278), (-33.8688, 151.2093), (60.0, -179.99),
            (89.95, 30.0), (37.7749, -122.4194)]


def wrap(longitude: float) -> float:
    return (longitude + 180) % 360 - 180


def clamp(latitude: float) -> float:
    return max(-90.0, min(90.0, latitude))


def build_index() -> tuple[GeohashIndex, dict[str, tuple[float, float]]]:
    rng = random.Random(5)
    points: dict[str, tuple[float, float]] = {}
    for h, (latitude, longitude) in enumerate(HOTSPOTS):
        for i in range(300):
            scale = 10 ** rng.uniform(-4, 0.5)  # from 10 metres to a few hundred kilometres
            points[f"h{h}-{i}"] = (clamp(latitude + rng.uniform(-scale, scale)), wrap(longitude + rng.uniform(-scale, scale)))
        for precision in (3, 5, 7):  # points exactly on cell edges, and a hair either side
            height, width = cell_size(precision)
            edge_latitude = clamp(round(latitude / height) * height)
            edge_longitude = wrap(round(longitude / width) * width)
            for j, (d_lat, d_lon) in enumerate([(0, 0), (1e-9, 0), (-1e-9, 0), (0, 1e-9), (0, -1e-9), (height / 3, 0)]):
                points[f"h{h}-edge{precision}-{j}"] = (clamp(edge_latitude + d_lat), wrap(edge_longitude + d_lon))
    points["east-edge"] = (0.0, 180.0)
    points["west-edge"] = (0.0, -180.0)
    points["north-pole"] = (90.0, 0.0)
    index = GeohashIndex()
    for point_id, (latitude, longitude) in points.items():
        index.add(point_id, latitude, longitude)
    return index, points


INDEX, POINTS = build_index()


@st.composite
def queries(draw):
    latitude, longitude = draw(st.sampled_from(HOTSPOTS))
    scale = 10 ** draw(st.floats(min_value=-5, max_value=0.5))
    latitude = clamp(latitude + draw(st.floats(min_value=-scale, max_value=scale)))
    longitude = wrap(longitude + draw(st.floats(min_value=-scale, max_value=scale)))
    if draw(st.booleans()):  # put the centre exactly on a cell edge
        height, width = cell_size(draw(st.integers(min_value=2, max_value=9)))
        latitude = clamp(round(latitude / height) * height)
        longitude = wrap(round(longitude / width) * width)
    radius_m = 10 ** draw(st.floats(min_value=0, max_value=5.5))  # 1 m to 300 km
    return latitude, longitude, radius_m


@settings(max_examples=300, deadline=None)  # each example scans every point: slow on a busy machine
@given(queries())
def test_radius_search_equals_brute_force(query):
    latitude, longitude, radius_m = query
    brute_force = {
        point_id for point_id, (lat, lon) in POINTS.items() if haversine_m(latitude, longitude, lat, lon) <= radius_m
    }
    assert INDEX.within(latitude, longitude, radius_m) == brute_force


def test_radius_search_across_the_antimeridian():
    found = INDEX.within(0.0, 179.9999, 50.0)
    assert {"east-edge", "west-edge"} <= found  # 11 m away, on the far side of the ±180° seam
    assert search_precision(0.0, 50.0) is not None  # answered from cells, not by a scan


def test_search_falls_back_to_a_scan_only_when_the_circle_holds_a_pole():
    assert search_precision(89.95, 10_000) is None
    assert "north-pole" in INDEX.within(89.95, 30.0, 10_000)
    assert search_precision(60.0, 10_000) is not None


def test_haversine_known_distance():
    # One degree of a great circle on a sphere of the mean Earth radius.
    assert haversine_m(0, 0, 0, 1) == pytest.approx(2 * math.pi * 6_371_008.8 / 360)
    assert haversine_m(0, 179.5, 0, -179.5) == pytest.approx(haversine_m(0, 0, 0, 1))


@pytest.mark.parametrize(("call", "message"), [
    (lambda: encode(91, 0), "latitude must be between -90 and 90"),
    (lambda: encode(0, 181), "longitude must be between -180 and 180"),
    (lambda: encode(0, 0, 13), "precision must be between 1 and 12"),
    (lambda: decode("abc"), "'a' is not in"),
    (lambda: decode(""), "empty"),
])
def test_bad_input_is_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_cell_contains_its_edges_and_nothing_beyond():
    # Killed mutants: `or` for `and`, and open upper edges, in Cell.contains.
    cell = decode("gcpvj")
    assert cell.contains(cell.south, cell.west) and cell.contains(cell.north, cell.east)
    assert cell.contains(*cell.center)
    assert not cell.contains(cell.north + 1e-9, cell.center[1])
    assert not cell.contains(cell.center[0], cell.east + 1e-9)
    assert not cell.contains(cell.south - 1.0, cell.west - 1.0)
    assert not cell.contains(cell.center[0], cell.west - 1.0)  # latitude inside, longitude not


def test_in_cell_returns_exactly_the_points_of_that_cell():
    # Killed mutants: a range that started at the beginning or ran to the end of the index.
    for prefix in ("gcpv", "u", "r3gx", "zzzz", "0"):
        expected = {point_id for point_id, (lat, lon) in POINTS.items() if encode(lat, lon, 12).startswith(prefix)}
        assert set(INDEX.in_cell(prefix)) == expected, prefix
    with pytest.raises(ValueError, match="point 'twice' is already in the index"):
        index = GeohashIndex()
        index.add("twice", 1.0, 1.0)
        index.add("twice", 2.0, 2.0)


@given(st.floats(min_value=-80, max_value=80), st.floats(min_value=0, max_value=6.5))
def test_search_precision_is_the_finest_whose_cells_cover_the_circle(latitude, log_radius):
    # Killed mutants: a search that skipped precisions, stopped before precision 1, or kept
    # a safety factor of 2: the answer must be the finest precision that covers the reach.
    radius_m = 10**log_radius
    precision = search_precision(latitude, radius_m)
    angle = radius_m / 6_371_008.8
    reach_ns = math.degrees(angle)
    if precision is None:
        height, width = cell_size(1)
        covered = abs(latitude) + reach_ns < 90 and math.sin(angle) < math.cos(math.radians(latitude))
        assert not covered or height < reach_ns or width < math.degrees(
            math.asin(math.sin(angle) / math.cos(math.radians(latitude))))
        return
    reach_ew = math.degrees(math.asin(math.sin(angle) / math.cos(math.radians(latitude))))
    height, width = cell_size(precision)
    assert height >= reach_ns and width >= reach_ew
    if precision < 12:
        finer_height, finer_width = cell_size(precision + 1)
        assert finer_height < reach_ns * (1 + 1e-9) or finer_width < reach_ew * (1 + 1e-9)


def test_a_circle_a_precision_1_cell_covers_uses_precision_1():
    assert search_precision(0.0, 2_000_000) == 1
