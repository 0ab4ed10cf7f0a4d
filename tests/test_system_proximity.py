"""Proximity service: every source item is on the page, and the nearby search on the
page's own schema returns exactly what a brute-force haversine scan returns, on SQLite
and on a real PostgreSQL server, for points and centres on cell edges, the equator, the
Greenwich meridian and the antimeridian."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import datetime

import psycopg
import pytest

from system_sql import ROOT, execute, section

from blueprint.sql_pages import statements

from algorithms.geohash import EARTH_RADIUS_M, cell_size, decode, encode, haversine_m, search_precision
from algorithms.nearby import search_cells

SCHEMA = (ROOT / "snippets" / "schemas" / "proximity.sql").read_text()
QUERIES = "snippets/sql/proximity.sql"

# Items in the source's numbered lists (write path 19, read path 26) and its
# bullet points under the multi-data-center picture (3).
SOURCE_ITEMS = {"write": 19, "read": 26, "replication": 3}


@pytest.mark.parametrize("path_id", sorted(SOURCE_ITEMS))
def test_every_source_item_is_a_step_or_a_note(catalogue, path_id):
    path = catalogue.systems["proximity"].paths[path_id]
    assert len(path.steps) + len(path.notes) >= SOURCE_ITEMS[path_id]


def test_every_cache_read_has_a_drawn_miss_path(catalogue):
    """A step into a cache is followed by a dashed step: the reader (or the CDN) going to the store."""
    system = catalogue.systems["proximity"]
    for path in system.paths.values():
        for index, step in enumerate(path.steps):
            for cache in step.targets:
                if system.components[cache].kind not in ("redis", "cdn"):
                    continue
                reader = cache if system.components[cache].kind == "cdn" else step.source
                assert path.steps[index + 1].when and path.steps[index + 1].source == reader, (path.id, step.number)
    conditional = {(step.source, step.targets) for step in system.paths["read"].steps if step.when}
    assert conditional == {("nearby_service", ("location_replica",)), ("nearby_service", ("attraction_replica",)),
                           ("cdn", ("object_store",))}


def test_the_replication_picture_has_the_same_components_in_both_data_centers(catalogue):
    system = catalogue.systems["proximity"]
    components = system.components
    pairs = [("location_db_a", "location_db_b"), ("attraction_db_a", "attraction_db_b"),
             ("server_a", "server_b"), ("load_balancer_a", "load_balancer_b")]
    for a, b in pairs:
        assert components[a].kind == components[b].kind
        assert components[a].group == "Data center A (primary)"
        assert components[b].group == "Data center B (secondary)"
    steps = system.paths["replication"].steps
    replicated = {(step.source, step.targets) for step in steps}
    assert ("location_db_a", ("location_db_b",)) in replicated
    assert ("attraction_db_a", ("attraction_db_b",)) in replicated


# --- The nearby search -----------------------------------------------------------------

CENTRES = {
    "london": (51.5074, -0.1278),
    "equator_greenwich": (0.0, 0.0),
    "antimeridian": (-17.7134, 179.9999),
    "san_francisco": (37.7749, -122.4194),
    "tromso": (69.6492, 18.9553),
}
RADII = (1, 50, 400, 2_000, 10_000, 40_000)
NOW = datetime(2026, 11, 30, 12, 0, 0)


def _wrap(longitude: float) -> float:
    return (longitude + 180) % 360 - 180


def _points() -> list[tuple[float, float]]:
    """A few thousand points: clusters round each centre, and points a hair either side
    of the edges of the centre's cells at the precisions the radii use."""
    rng = random.Random(20261130)
    points = []
    for latitude, longitude in CENTRES.values():
        for _ in range(700):
            spread = rng.choice((0.002, 0.02, 0.3))
            points.append((max(-90.0, min(90.0, latitude + rng.uniform(-spread, spread))),
                           _wrap(longitude + rng.uniform(-spread, spread))))
        for radius in RADII:
            precision = search_precision(latitude, radius)
            cell = decode(encode(latitude, longitude, precision))
            for edge_latitude in (cell.south, cell.north):
                for nudge in (-1e-9, 0.0, 1e-9):
                    points.append((edge_latitude + nudge, _wrap(longitude + rng.uniform(-cell.width, cell.width))))
            for edge_longitude in (cell.west, cell.east):
                for nudge in (-1e-9, 0.0, 1e-9):
                    points.append((latitude + rng.uniform(-cell.height, cell.height), _wrap(edge_longitude + nudge)))
    return points


POINTS = _points()


def _queries() -> list[tuple[float, float, float]]:
    """Each centre, each radius; also centres moved onto a corner of their cell."""
    found = []
    for latitude, longitude in CENTRES.values():
        for radius in RADII:
            found.append((latitude, longitude, radius))
            cell = decode(encode(latitude, longitude, search_precision(latitude, radius)))
            found.append((cell.north, cell.east if cell.east < 180 else cell.west, radius))
            found.append((cell.south + 1e-9, cell.west - 1e-9 if cell.west > -180 else cell.west, radius))
    return found


QUERY_POINTS = _queries()


def _rows() -> list[dict]:
    return [
        {"location_id": index, "attraction_id": 10_000 + index, "latitude": latitude, "longitude": longitude,
         "geohash": encode(latitude, longitude, 12), "address": None, "creator_id": 1,
         "name": f"attraction {index}", "category": "restaurant", "updated_at": NOW, "request_key": f"add-{index}",
         "event_id": 500_000 + index}
        for index, (latitude, longitude) in enumerate(POINTS)
    ]


def _brute_force(latitude: float, longitude: float, radius: float) -> dict[int, float]:
    return {10_000 + index: haversine_m(latitude, longitude, *point) for index, point in enumerate(POINTS)
            if haversine_m(latitude, longitude, *point) <= radius}


def _ambiguous(latitude: float, longitude: float, radius: float) -> set[int]:
    """Points within a millimetre of the circle: a last-bit difference between two math
    libraries may put them either side, and that is not what is being tested."""
    return {10_000 + index for index, point in enumerate(POINTS)
            if abs(haversine_m(latitude, longitude, *point) - radius) < 1e-3}


def _load(connection, *, postgres: bool) -> None:
    for statement in statements(SCHEMA):
        connection.execute(statement)
    connection.execute("INSERT INTO users (id, name, email, created_at) VALUES (1, 'Ada', 'ada@example.com', "
                       + ("%(now)s)" if postgres else ":now)"), {"now": NOW})
    add = section(QUERIES, "add")
    for row in _rows():
        execute(connection, add, row, postgres=postgres)


@pytest.fixture(scope="module")
def sqlite_db():
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    try:
        connection.execute("SELECT sin(1)")
    except sqlite3.OperationalError:  # SQLite built without its math functions
        import math
        for name in ("sin", "cos", "asin", "sqrt", "radians"):
            connection.create_function(name, 1, getattr(math, name), deterministic=True)
        connection.create_function("power", 2, math.pow, deterministic=True)
    _load(connection, postgres=False)
    connection.execute("ANALYZE")
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def postgres_db(postgres_database):
    connection = postgres_database.connect()
    _load(connection, postgres=True)
    connection.execute("ANALYZE")
    yield connection
    connection.close()


def _nearby_sqlite(connection, latitude, longitude, radius, cells=None):
    cells = search_cells(latitude, longitude, radius) if cells is None else cells
    return execute(connection, section(QUERIES, "nearby_sqlite"),
                   {"cells": json.dumps(cells), "latitude": latitude, "longitude": longitude, "radius_m": radius})


def _nearby_postgres(connection, latitude, longitude, radius):
    return execute(connection, section(QUERIES, "nearby_postgres"),
                   {"cells": search_cells(latitude, longitude, radius), "latitude": latitude,
                    "longitude": longitude, "radius_m": radius}, postgres=True)


def _check(rows, latitude, longitude, radius):
    expected = _brute_force(latitude, longitude, radius)
    unsure = _ambiguous(latitude, longitude, radius)
    found = {row[0] for row in rows}
    assert len(found) == len(rows), "an attraction is returned twice"
    assert found - unsure == set(expected) - unsure, (latitude, longitude, radius)
    distances = [row[2] for row in rows]
    assert distances == sorted(distances)
    for row in rows:
        assert row[2] == pytest.approx(expected.get(row[0], row[2]), abs=1e-6)


def test_the_generated_data_has_points_inside_and_outside_every_circle():
    for latitude, longitude in CENTRES.values():
        for radius in RADII[2:]:
            inside = _brute_force(latitude, longitude, radius)
            assert 0 < len(inside) < len(POINTS)


@pytest.mark.parametrize("query", QUERY_POINTS, ids=lambda q: f"{q[0]:.4f},{q[1]:.4f},r={q[2]}")
def test_sqlite_search_equals_brute_force(sqlite_db, query):
    _check(_nearby_sqlite(sqlite_db, *query), *query)


@pytest.mark.parametrize("query", QUERY_POINTS, ids=lambda q: f"{q[0]:.4f},{q[1]:.4f},r={q[2]}")
def test_postgres_search_equals_brute_force(postgres_db, query):
    _check(_nearby_postgres(postgres_db, *query), *query)


def test_a_circle_round_a_pole_reads_every_row(sqlite_db, postgres_db):
    query = (89.9999, 10.0, 2_000)
    assert search_cells(*query) == [""]
    _check(_nearby_sqlite(sqlite_db, *query), *query)
    _check(_nearby_postgres(postgres_db, *query), *query)


def test_the_centre_cell_alone_misses_attractions_next_door(sqlite_db):
    """Why the neighbours are read: without them, points across an edge are lost."""
    missed = 0
    for latitude, longitude, radius in QUERY_POINTS:
        precision = search_precision(latitude, radius)
        only_centre = [encode(latitude, longitude, precision)]
        found = {row[0] for row in _nearby_sqlite(sqlite_db, latitude, longitude, radius, cells=only_centre)}
        missed += len(set(_brute_force(latitude, longitude, radius)) - found)
    assert missed >= 200  # the page says "hundreds"


def test_search_cells_are_the_cell_and_its_eight_neighbours():
    cells = search_cells(51.5074, -0.1278, 400)
    assert len(cells) == 9
    assert len({len(cell) for cell in cells}) == 1
    assert encode(51.5074, -0.1278, len(cells[0])) in cells
    assert len(cells[0]) == 6  # 400 m: a 6-character cell (about 0.6 × 1.2 km at the equator, narrower at London)


def test_the_page_quotes_the_computed_cell_size():
    """The page: 6 characters for 400 m in London, cells about 1.2 km × 0.6 km at the equator, 0.76 km wide there."""
    import math
    height, width = cell_size(6)
    metres_per_degree = math.pi * EARTH_RADIUS_M / 180
    assert round(width * metres_per_degree / 1000, 1) == 1.2
    assert round(height * metres_per_degree / 1000, 1) == 0.6
    assert round(width * metres_per_degree * math.cos(math.radians(51.5074)) / 1000, 2) == 0.76
    assert search_precision(51.5074, 400) == 6
    page = (ROOT / "docs" / "systems" / "proximity.md").read_text()
    assert "about 1.2 km × 0.6 km at the equator, about 0.76 km × 0.6 km there" in page


def test_sqlite_reads_each_cell_as_one_index_range(sqlite_db):
    plan = sqlite_db.execute("EXPLAIN QUERY PLAN " + section(QUERIES, "nearby_sqlite"),
                             {"cells": json.dumps(search_cells(51.5, -0.12, 400)), "latitude": 51.5,
                              "longitude": -0.12, "radius_m": 400}).fetchall()
    details = " | ".join(row[3] for row in plan)
    assert "SEARCH l USING INDEX locations_by_geohash (geohash>? AND geohash<?)" in details, details


def test_postgres_reads_each_cell_as_one_index_range(postgres_db):
    plan = execute(postgres_db, "EXPLAIN " + _strip_comments(section(QUERIES, "nearby_postgres")),
                   {"cells": search_cells(51.5, -0.12, 400), "latitude": 51.5, "longitude": -0.12, "radius_m": 400},
                   postgres=True)
    text = "\n".join(row[0] for row in plan)
    assert "locations_by_geohash" in text, text
    assert "Seq Scan on locations" not in text, text


def _strip_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


def test_the_schema_runs_on_postgres_with_its_checks(postgres_db):
    with pytest.raises(psycopg.errors.CheckViolation):
        postgres_db.execute("INSERT INTO locations (id, latitude, longitude, geohash) VALUES (-1, 91, 0, 'zzzzzzzzzzzz')")
    with pytest.raises(psycopg.errors.CheckViolation):
        postgres_db.execute("INSERT INTO locations (id, latitude, longitude, geohash) VALUES (-1, 0, 0, 's0000')")


def test_a_retried_add_cannot_make_a_second_attraction():
    """The Idempotency-Key of POST /v1/attractions is stored with the attraction: the same
    key from the same creator is refused, and the add's transaction leaves nothing behind."""
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    for statement in statements(SCHEMA):
        connection.execute(statement)
    for user in (1, 2):
        connection.execute("INSERT INTO users VALUES (?, 'u', ?, ?)", (user, f"u{user}@example.com", NOW))
    add = section(QUERIES, "add")
    row = {**_rows()[0], "request_key": "tap-1"}
    execute(connection, add, row, postgres=False)
    with pytest.raises(sqlite3.IntegrityError):
        execute(connection, add, {**row, "location_id": 900, "attraction_id": 900}, postgres=False)
    connection.execute("ROLLBACK")
    assert connection.execute("SELECT count(*) FROM locations").fetchone() == (1,)
    execute(connection, add, {**row, "location_id": 901, "attraction_id": 901, "creator_id": 2, "event_id": 901}, postgres=False)
    assert connection.execute("SELECT count(*) FROM attractions").fetchone() == (2,)


def test_the_page_states_what_these_tests_do():
    page = (ROOT / "docs" / "systems" / "proximity.md").read_text()
    assert f"loads {len(POINTS):,} generated attractions" in page
    assert f"then runs {len(QUERY_POINTS)} searches" in page
    for include in ("snippets/sql/proximity.sql:nearby_postgres", "snippets/sql/proximity.sql:nearby_sqlite",
                    "snippets/sql/proximity.sql:add", "snippets/algorithms/nearby.py:cells",
                    "snippets/sql/proximity.sql:add_media", "snippets/sql/proximity.sql:media_ready",
                    "snippets/sql/proximity.sql:photos", "snippets/sql/proximity.sql:relay", "snippets/sql/proximity.sql:edit", "snippets/sql/proximity.sql:remove",
                    "../concepts/geohash.md", "google_maps.md"):
        assert include in page


# --- Photos are shown only once their processed file exists (review X1) -----------------


def test_a_photo_url_is_published_only_after_processing(catalogue):
    """Step 6 commits the media row before any processed file exists, so the row must not
    name one; the worker writes the file (step 9), then marks the row ready (step 10)."""
    write = catalogue.systems["proximity"].paths["write"].steps
    commit = next(s for s in write if s.source == "server" and s.targets == ("location_db",))
    written = next(s for s in write if s.source == "media_worker" and s.targets == ("object_store",))
    ready = [s for s in write if s.source == "media_worker" and s.targets == ("location_db",)]
    assert ready and commit.number < written.number < ready[0].number
    assert "`processing`" in commit.text and "`ready`" in ready[0].text


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_a_new_attraction_has_no_photo_until_the_worker_marks_it_ready(engine, sqlite_db, postgres_db):
    postgres = engine == "postgres"
    connection = postgres_db if postgres else sqlite_db
    attraction = 10_000  # the first generated attraction
    media_id = 900_000 + (1 if postgres else 0)
    execute(connection, section(QUERIES, "add_media"),
            {"media_id": media_id, "attraction_id": attraction, "creator_id": 1,
             "raw_key": f"raw/{media_id}", "created_at": NOW}, postgres=postgres)
    photos = section(QUERIES, "photos")
    assert execute(connection, photos, {"attraction_id": attraction}, postgres=postgres) == []
    ready = section(QUERIES, "media_ready")
    url = f"https://cdn.example.com/photos/{media_id}.jpg"
    execute(connection, ready, {"media_id": media_id, "url": url}, postgres=postgres)
    assert execute(connection, photos, {"attraction_id": attraction}, postgres=postgres) == [(url,)]
    # The event is redelivered after a crash: the second pass changes nothing.
    execute(connection, ready, {"media_id": media_id, "url": url + "?again"}, postgres=postgres)
    assert execute(connection, photos, {"attraction_id": attraction}, postgres=postgres) == [(url,)]


def test_a_ready_photo_without_a_file_url_is_refused(sqlite_db, postgres_db):
    insert = ("INSERT INTO media (id, attraction_id, user_id, media_type, raw_key, status, created_at) "
              "VALUES (900100, 10000, 1, 'photo', 'raw/900100', 'ready', '2026-11-30 12:00:00')")
    with pytest.raises(sqlite3.IntegrityError):
        sqlite_db.execute(insert)
    with pytest.raises(psycopg.errors.CheckViolation):
        postgres_db.execute(insert)


def test_the_page_quotes_the_computed_excess_of_the_nine_cells():
    """Review X3: 'several times the circle's area' understated it; the page's figures are these."""
    import math
    metres_per_degree = math.pi * EARTH_RADIUS_M / 180

    def ratio(latitude, radius):
        height, width = cell_size(search_precision(latitude, radius))
        area = 9 * height * width * metres_per_degree ** 2 * math.cos(math.radians(latitude))
        return round(area / (math.pi * radius ** 2))

    assert [ratio(51.5074, 400), ratio(51.5074, 1_000), ratio(51.5074, 20_000), ratio(0.0, 20_000)] == [8, 43, 109, 175]
    assert round(cell_size(search_precision(0.0, 20_000))[0] * metres_per_degree / 1000) == 156
    page = (ROOT / "docs" / "systems" / "proximity.md").read_text()
    assert ("about 8 times the circle's area for 400 m in London,\n   43 times for 1 km, 109 times for 20 km, "
            "and 175 times for 20 km at the equator") in page
    assert "about 156 km on a side" in page


def test_a_data_center_whose_details_lag_leaves_the_attraction_off_the_page(catalogue):
    """Review X2: the location replica and the document secondary replicate independently."""
    read = catalogue.systems["proximity"].paths["read"].steps
    miss = next(s for s in read if s.targets == ("attraction_replica",))
    assert miss.when and "left off the page" in miss.text


# --- An attraction's event is written with it: the outbox ------------------------------


def test_an_added_attraction_has_its_event_in_the_same_transaction():
    """Publishing to Kafka after the commit leaves a committed attraction that is never
    indexed or processed if the server dies in between; the outbox row commits with it,
    a retried add that rolls back leaves no second event, and the relay's stamp is what
    says it was published (a relay that dies before stamping sends it again)."""
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    for statement in statements(SCHEMA):
        connection.execute(statement)
    connection.execute("INSERT INTO users VALUES (1, 'u', 'u1@example.com', ?)", (NOW,))
    add = section(QUERIES, "add")
    row = {**_rows()[0], "request_key": "tap-1"}
    execute(connection, add, row, postgres=False)
    with pytest.raises(sqlite3.IntegrityError):
        execute(connection, add, {**row, "location_id": 900, "attraction_id": 900, "event_id": 900}, postgres=False)
    connection.execute("ROLLBACK")
    relay = section(QUERIES, "relay")
    assert execute(connection, relay) == [(row["event_id"], row["attraction_id"], "added")]
    assert execute(connection, relay) == [(row["event_id"], row["attraction_id"], "added")], \
        "not stamped yet: a relay that died after sending would send it again"
    execute(connection, section(QUERIES, "relayed"), {"event_id": row["event_id"], "now": NOW})
    assert execute(connection, relay) == []


def test_every_attraction_loaded_on_postgres_has_exactly_one_event(postgres_db):
    assert postgres_db.execute(
        "SELECT count(*) FROM attractions AS a JOIN outbox AS o ON o.attraction_id = a.id").fetchone() == (len(POINTS),)
    first = execute(postgres_db, section(QUERIES, "relay"), postgres=True)
    assert len(first) == 100 and first[0] == (500_000, 10_000, "added")


def test_the_write_path_publishes_through_the_outbox(catalogue):
    write = catalogue.systems["proximity"].paths["write"]
    commit = next(s for s in write.steps if s.source == "server" and s.targets == ("location_db",))
    publish = next(s for s in write.steps if s.source == "server" and s.targets == ("queue",))
    assert "outbox" in commit.text and "outbox" in publish.text and commit.number < publish.number
    assert not any("can fail too" in note.text for note in write.notes), "the outbox is the design, not an option"


# --- An edit is a compare-and-set on a version, not on a clock ----------------------------


def _edit(connection, attraction, expected, event, *, postgres):
    """The edit section as the service runs it: roll back at the first statement with no row."""
    latitude, longitude = POINTS[attraction - 10_000]
    parameters = {"attraction_id": attraction, "expected_version": expected, "event_id": event,
                  "name": f"renamed {event}", "category": "museum", "now": NOW, "latitude": latitude,
                  "longitude": longitude, "geohash": encode(latitude, longitude, 12)}
    for statement in statements(section(QUERIES, "edit")):
        if statement.strip().upper().endswith("BEGIN;") and "UPDATE" not in statement.upper():
            connection.execute("BEGIN")
        elif not execute(connection, statement, parameters, postgres=postgres):
            connection.execute("ROLLBACK")
            return False
    connection.execute("COMMIT")
    return True


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_an_edit_based_on_an_old_version_changes_nothing(engine, sqlite_db, postgres_db):
    postgres = engine == "postgres"
    connection = postgres_db if postgres else sqlite_db
    attraction = 10_001
    assert _edit(connection, attraction, 1, 700_001, postgres=postgres)
    assert not _edit(connection, attraction, 1, 700_002, postgres=postgres), "412: edited since"
    assert tuple(connection.execute(f"SELECT name, version FROM attractions WHERE id = {attraction}").fetchone()) == (
        "renamed 700001", 2)
    assert connection.execute("SELECT count(*) FROM outbox WHERE id = 700002").fetchone()[0] == 0
    assert _edit(connection, attraction, 2, 700_003, postgres=postgres)


def test_two_edits_at_once_on_postgres_one_wins(postgres_db):
    """The second edit waits for the first one's row lock, then re-reads the row under read
    committed: the version has moved on, so it changes nothing."""
    import threading
    attraction = 10_002
    second = psycopg.connect(postgres_db.info.dsn, autocommit=True)
    postgres_db.execute("BEGIN")
    postgres_db.execute("UPDATE attractions SET version = version + 1 WHERE id = %s AND version = 1", (attraction,))
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.setdefault(
        "won", _edit(second, attraction, 1, 700_010, postgres=True)))
    thread.start()
    thread.join(0.5)
    assert thread.is_alive(), "the second edit waits for the first one's row lock"
    postgres_db.execute("COMMIT")
    thread.join(10)
    assert outcome == {"won": False}
    second.close()


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_a_removal_takes_its_rows_and_leaves_its_event(engine, sqlite_db, postgres_db):
    """DELETE /v1/attractions/{id}: the rows and the 'removed' event commit together, so
    the index and the media workers hear of every removal, and a search no longer finds it."""
    postgres = engine == "postgres"
    connection = postgres_db if postgres else sqlite_db
    latitude, longitude = 51.5007, -0.1246
    row = {"location_id": 990_000, "attraction_id": 990_000, "latitude": latitude, "longitude": longitude,
           "geohash": encode(latitude, longitude, 12), "address": None, "creator_id": 1, "name": "to remove",
           "category": "museum", "updated_at": NOW, "request_key": "remove-me", "event_id": 990_000}
    execute(connection, section(QUERIES, "add"), row, postgres=postgres)
    execute(connection, section(QUERIES, "add_media"), {"media_id": 990_000, "attraction_id": 990_000,
            "creator_id": 1, "raw_key": "raw/990000", "created_at": NOW}, postgres=postgres)
    nearby = _nearby_postgres if postgres else _nearby_sqlite
    assert 990_000 in [r[0] for r in nearby(connection, latitude, longitude, 50)]
    execute(connection, section(QUERIES, "remove"), {"attraction_id": 990_000, "creator_id": 1,
            "location_id": 990_000, "event_id": 990_001, "now": NOW}, postgres=postgres)
    assert 990_000 not in [r[0] for r in nearby(connection, latitude, longitude, 50)]
    assert connection.execute("SELECT count(*) FROM locations WHERE id = 990000").fetchone()[0] == 0
    assert tuple(connection.execute("SELECT attraction_id, change FROM outbox WHERE id = 990001").fetchone()) == (
        990_000, "removed")


def test_failure_declarations_match_the_design(catalogue):
    """Every write after the event names the ID that makes a redelivery harmless; the outbox
    carries the event; the orphans of steps 4 and 5 have a sweep; the accepted replication lag
    has the bound the notes give it (a replica 5 s behind leaves the read pool)."""
    system = catalogue.systems["proximity"]
    steps = {s.number: s for s in system.paths["write"].steps}
    assert {n for n, s in steps.items() if s.idempotent_by} == {9, 10, 13}
    assert "media row's ID" in steps[9].idempotent_by and "attraction ID" in steps[13].idempotent_by
    assert steps[6].after_crash[0] == "outbox"
    assert steps[4].after_crash[0] == steps[5].after_crash[0] == "reconciliation"
    replication = system.paths["replication"]
    lag = [s.after_crash for s in replication.steps if s.after_crash and s.after_crash[0] == "accepted"]
    assert lag and all("5 s" in text for _, text in lag)
    assert any("5 s behind leaves the read pool" in n.text for n in replication.notes)
    assert all(c.failure.redundant for c in system.components.values() if c.failure)
