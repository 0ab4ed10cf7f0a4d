"""Google Maps: the live ETA never waits on the queue, traffic has an input, costs have an
owner and a cadence, nearby search covers a radius, caches expire, and media come from the CDN."""

from __future__ import annotations

import re

import pytest

from blueprint.build import load_system
from conftest import ROOT


@pytest.fixture(scope="module")
def system():
    return load_system(ROOT / "diagrams" / "google_maps.py", ROOT)[0]


def steps(system, path_id):
    return system.paths[path_id].steps


def test_live_matching_reads_no_store_that_sits_behind_the_queue(system):
    """Everything in the trip store arrived through Kafka, which lags at peaks: a live read of
    it (not the resume after a reconnect) would make the ETA as old as the consumer lag."""
    for path_id in ("map_matching", "eta", "navigation"):
        for step in steps(system, path_id):
            if "trip_store" in step.targets and step.source in {"navigation", "map_matching"}:
                reads = re.search(r"(?i)\b(reads?|fetch)", step.text)
                assert not reads or step.when, f"{path_id} step {step.number} reads the trip store live"


def test_the_fixes_reach_map_matching_before_the_queue(system):
    path = steps(system, "map_matching")
    handover = next(s for s in path if s.source == "navigation" and "map_matching" in s.targets)
    publish = next(s for s in path if s.source == "navigation" and "queue" in s.targets)
    assert handover.number < publish.number and "memory" in handover.text


def test_the_traffic_service_has_an_input_and_windows_by_gps_time(system):
    (feed,) = [s for p in system.paths.values() for s in p.steps if "traffic_service" in s.targets]
    assert feed.source == "queue" and "GPS time" in feed.text


def test_one_component_recomputes_the_partition_costs_every_minute(system):
    writers = {s.source for p in system.paths.values() for s in p.steps if "route_db" in s.targets and not s.when}
    assert writers == {"spark", "customizer"}
    (recompute,) = [s for s in steps(system, "navigation") if s.source == "customizer"]
    assert "Once a minute" in recompute.text
    page = (ROOT / "docs" / "systems" / "google_maps.md").read_text(encoding="utf-8")
    assert "every few minutes" not in page and "seconds, not hours" not in str(system.paths["navigation"].notes)


def test_nearby_answers_the_block_of_nine_cells_so_the_client_can_filter_by_radius(system):
    (nearby,) = [e for e in system.endpoints if e.route == "/v1/places/nearby"]
    assert "8 neighbours" in nearby.purpose and "position" in dict(nearby.response)["places"]


def test_both_place_caches_expire_and_a_moved_place_clears_both_cells(system):
    for cache in ("location_cache", "places_cache"):
        assert "expire" in system.components[cache].role
    notes = " ".join(n.text for n in system.paths["points_of_interest"].notes)
    assert "both its old and its new cell" in notes


def test_the_miss_reads_places_by_location_from_the_places_db(system):
    (miss,) = [s for s in steps(system, "points_of_interest") if "places_db" in s.targets]
    assert "location_id" in miss.text and miss.when
    assert "Location IDs" in system.components["location_cache"].role


def test_media_and_tiles_come_from_the_cdn(system):
    path = steps(system, "points_of_interest")
    assert not [s for s in path if s.source == "location_service" and "object_store" in s.targets]
    assert [s for s in path if s.source == "client" and "cdn" in s.targets and "photos" in s.text]
    origins = {t for s in path if s.source == "cdn" for t in s.targets}
    assert origins - {"load_balancer"} == {"object_store", "tile_server"}  # the files' origins


def test_a_trip_survives_the_loss_of_its_navigation_server(system):
    record = [s for s in steps(system, "navigation") if s.source == "navigation" and "trip_store" in s.targets]
    assert record and "request ID" in record[0].text
    resume = [s for s in steps(system, "eta") if "trip_store" in s.targets and s.when]
    assert resume and "reconnect" in resume[0].when


# --- Review of 2026-12-07 (rev_e) -------------------------------------------------------


@pytest.mark.parametrize("route", ["/v1/places/nearby", "/v1/routes"])
def test_a_cdn_miss_on_a_cacheable_answer_goes_to_its_origin(system, route):
    """The two GETs start at the CDN. What the CDN does not hold must reach a server through
    a drawn arrow (the path used to open a WebSocket instead, which no CDN can cache)."""
    (endpoint,) = [e for e in system.endpoints if e.route == route]
    path_id, number = endpoint.starts
    path = steps(system, path_id)
    ask = next(s for s in path if s.number == number)
    assert ask.source == "client" and list(ask.targets) == ["cdn"]
    miss = next(s for s in path if s.number == number + 1)
    assert miss.source == "cdn" and list(miss.targets) == ["load_balancer"] and "CDN miss" in (miss.when or "")
    onward = next(s for s in path if s.number == number + 2)
    assert onward.source == "load_balancer" and onward.targets[0] in {"server", "navigation"}


def test_the_cdn_keeps_candidate_routes_no_longer_than_the_costs_they_follow(system):
    """The customizer recomputes the partition costs every minute so that a route traffic makes
    the best becomes a candidate; a CDN copy kept an hour would hide it for an hour."""
    (routes,) = [e for e in system.endpoints if e.route == "/v1/routes"]
    control = next(what for _, name, what in routes.response_headers if name == "Cache-Control")
    max_age = int(re.search(r"max-age=(\d+)", control).group(1))
    assert max_age <= 60
    assert "a minute" in system.components["route_cache"].role


def test_a_server_that_lost_the_trip_cannot_overwrite_the_new_servers_record(system):
    """Saving on a timer alone would let a server that lost the WebSocket, but still runs, go on
    writing its stale position over the record of the server that resumed the trip."""
    (save,) = [s for s in steps(system, "map_matching") if s.source == "navigation" and "trip_store" in s.targets]
    assert "if fixes came in since its last save" in save.text


def test_the_traffic_service_says_when_a_minute_is_closed(system):
    """Windows by GPS time need a rule for when a minute is published and what a later batch does."""
    notes = " ".join(n.text for n in system.paths["map_matching"].notes)
    assert "slowest queue partition" in notes and "left out of the live speeds" in notes


# --- Failure behaviour and load --------------------------------------------------------


def test_every_write_the_queues_drive_is_keyed_by_what_a_redelivery_repeats(system):
    by_path = {path_id: {s.number: s for s in path.steps} for path_id, path in system.paths.items()}
    # the fix history: trip ID and GPS time, whoever writes it
    for path_id, number in (("map_matching", 8), ("eta", 18)):
        assert "trip ID" in by_path[path_id][number].idempotent_by and "GPS time" in by_path[path_id][number].idempotent_by
    # the trip record: derived from the client's request ID, so a retried request rewrites it
    assert "request ID" in by_path["navigation"][9].idempotent_by
    # the customizer overwrites a partition's costs
    assert "partition" in by_path["navigation"][12].idempotent_by


def test_no_store_is_a_single_point_of_failure(system):
    from blueprint import failure

    stateful = [c for c in system.components.values() if failure.is_stateful(system, c.id)]
    assert len(stateful) == 13 and all(c.failure.redundant for c in stateful)


def test_the_fix_path_dominates_the_load_as_computed_by_hand(system):
    import math

    from blueprint import capacity, load

    fixes = 200_000_000 * 360 / 86_400 * 3  # peak fixes per second: 10 million phones, one fix every 4 s
    routes = 200_000_000 * 2 / 86_400 * 3  # two route requests a user a day, at the peak: some 14,000 a second
    searches = 200_000_000 * 10 / 86_400 * 3  # ten searches or nearby lookups a user a day: some 70,000 a second
    loads = {l.component: l for l in load.compute(system, capacity.compute(system))}
    # map matching step 7 publishes each fix, step 9 delivers it to the traffic service; the ETA path only
    # retells them (a summary), so its step 17 adds nothing
    assert math.isclose(loads["queue"].requests, 2 * fixes, rel_tol=1e-9)
    assert math.isclose(loads["queue"].bytes, 2 * fixes * 100, rel_tol=1e-9)  # a fix is 100 B
    # map matching steps 1 and 5, navigation step 2; the feeds reach it once per route (navigation step 7)
    assert math.isclose(loads["navigation"].requests, 2 * fixes + 2 * routes, rel_tol=1e-9)
    # one lookup per fix (map matching step 3), each moving a handful of segments, about 1 kB
    assert math.isclose(loads["segment_cache"].bytes, fixes * 1_000, rel_tol=1e-9)
    # every search asks the trie (points of interest step 5) for ten completions, about 200 B
    assert math.isclose(loads["trie_server"].requests, searches, rel_tol=1e-9)
    assert math.isclose(loads["trie_server"].bytes, searches * 200, rel_tol=1e-9)
    assert math.isclose(loads["route_cache"].requests, routes, rel_tol=1e-9)  # once per route, not twice
    assert load.hottest(list(loads.values())).component == "navigation"
