"""Ride-hailing: every source item is on the page; a trip's SQL runs on SQLite and on a
PostgreSQL server; two riders racing for one driver (two connections) never both get
them; an unanswered offer lapses; the load figures on the page are the computed ones."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime, timedelta

import pytest
from sql_engines import PostgresServer
from system_sql import ROOT, execute, for_psycopg, section

from algorithms.location_load import LocationUpdates
from blueprint.sql_pages import statements

SCHEMA = (ROOT / "snippets" / "schemas" / "ride_hailing.sql").read_text()
QUERIES = "snippets/sql/ride_hailing.sql"
PAGE = (ROOT / "docs" / "systems" / "ride_hailing.md").read_text()

SOURCE_ITEMS = {"write": 18, "read": 13}

T0 = datetime(2026, 11, 30, 18, 0, 0)
OFFER = timedelta(seconds=15)


@pytest.mark.parametrize("path_id", sorted(SOURCE_ITEMS))
def test_every_source_item_is_a_step_or_a_note(catalogue, path_id):
    path = catalogue.systems["ride_hailing"].paths[path_id]
    assert len(path.steps) + len(path.notes) >= SOURCE_ITEMS[path_id]


def test_every_read_of_the_live_locations_has_a_drawn_fallback(catalogue):
    """Live locations are not a cache of another store; a search that finds nobody widens."""
    system = catalogue.systems["ride_hailing"]
    for path in system.paths.values():
        for index, step in enumerate(path.steps):
            if step.targets == ("location_cache",) and not step.when and step.source != "queue" \
                    and step.source != "controller":
                fallback = path.steps[index + 1]
                assert fallback.when and fallback.source == step.source, (path.id, step.number)


def test_the_timeout_and_the_persistent_connections_are_drawn(catalogue):
    system = catalogue.systems["ride_hailing"]
    read = system.paths["read"]
    assert any(step.when and "15 seconds" in step.when for step in read.steps)
    ends = {frozenset(connection.ends) for connection in system.connections}
    assert frozenset({"driver", "load_balancer"}) in ends
    assert frozenset({"rider", "load_balancer"}) in ends


# --- The load figures ------------------------------------------------------------------

def test_the_page_prints_the_computed_load():
    load = LocationUpdates()
    assert load.writes_per_second == 250_000
    assert f"{load.writes_per_second:,.0f} writes a second" in PAGE
    assert f"{load.inbound_megabits_per_second:,.0f} Mbit/s" in PAGE
    assert f"{load.history_gigabytes_per_day:,.0f} GB a day" in PAGE
    assert f"{load.index_megabytes:,.0f} MB" in PAGE
    for seconds in (1, 10):
        other = LocationUpdates(seconds_between_updates=seconds)
        assert f"{other.writes_per_second:,.0f}" in PAGE
        assert f"{other.inbound_megabits_per_second:,.0f} Mbit/s" in PAGE


def test_the_load_scales_as_it_should():
    base = LocationUpdates()
    twice = LocationUpdates(drivers_online=2 * base.drivers_online)
    assert twice.writes_per_second == 2 * base.writes_per_second
    assert LocationUpdates(seconds_between_updates=8).writes_per_second == base.writes_per_second / 2
    # 44 bytes of payload plus 80 of framing: 124 bytes a message
    assert base.inbound_megabits_per_second == pytest.approx(250_000 * 124 * 8 / 1e6)


# --- A trip's SQL, on both engines -----------------------------------------------------

def _transaction(connection, name: str, parameters: dict, *, postgres: bool) -> bool:
    """Run a section that begins a transaction as the trip service does: stop at the first
    UPDATE that returns no row and roll back; commit if every one returned its row."""
    for statement in statements(section(QUERIES, name)):
        if _is_begin(statement):
            connection.execute("BEGIN")
        elif len(execute(connection, statement, parameters, postgres=postgres)) != 1:
            connection.execute("ROLLBACK")
            return False
    connection.execute("COMMIT")
    return True


def _is_begin(statement: str) -> bool:
    code = [line for line in statement.splitlines() if not line.lstrip().startswith("--")]
    return " ".join(code).strip().upper() == "BEGIN;"


def _single(connection, name: str, parameters: dict, *, postgres: bool) -> bool:
    return len(execute(connection, section(QUERIES, name), parameters, postgres=postgres)) == 1


def _seed(connection, *, postgres: bool) -> None:
    for statement in statements(SCHEMA):
        connection.execute(statement)
    placeholder = (lambda name: f"%({name})s") if postgres else (lambda name: f":{name}")
    for rider in (1, 2):
        connection.execute(f"INSERT INTO riders VALUES ({rider}, 'rider {rider}', '+100{rider}', {placeholder('t')})",
                           {"t": T0})
    for driver in (7, 8):
        connection.execute(
            f"INSERT INTO drivers (id, name, phone, city, status, created_at) "
            f"VALUES ({driver}, 'driver {driver}', '+200{driver}', 'London', 'available', {placeholder('t')})",
            {"t": T0})
    for trip, rider in ((101, 1), (102, 2)):
        assert _single(connection, "request", {
            "trip_id": trip, "rider_id": rider, "product": "standard", "pickup_latitude": 51.5,
            "pickup_longitude": -0.12, "dropoff_latitude": 51.52, "dropoff_longitude": -0.08, "now": T0,
            "request_key": f"tap-{trip}"},
            postgres=postgres)


def _status(connection, table: str, row_id: int) -> tuple:
    column = "current_trip_id" if table == "drivers" else "driver_id"
    return tuple(connection.execute(f"SELECT status, {column} FROM {table} WHERE id = {row_id}").fetchone())


@pytest.fixture(scope="module")
def server():
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, server):
    """A fresh database with two riders, two available drivers and two requested trips."""
    if request.param == "sqlite":
        connection = sqlite3.connect(":memory:", isolation_level=None)
        connection.execute("PRAGMA foreign_keys = ON")
        _seed(connection, postgres=False)
        yield connection, False
        connection.close()
    else:
        connection = server.connect()
        connection.execute("DROP SCHEMA IF EXISTS trip CASCADE")
        connection.execute("CREATE SCHEMA trip")
        connection.execute("SET search_path TO trip")
        _seed(connection, postgres=True)
        yield connection, True
        connection.close()


def _offer(connection, driver, trip, now, *, postgres):
    return _single(connection, "offer", {"driver_id": driver, "trip_id": trip, "now": now,
                                         "offer_expires_at": now + OFFER}, postgres=postgres)


def _accept(connection, driver, trip, now, *, postgres):
    return _transaction(connection, "accept", {"driver_id": driver, "trip_id": trip, "now": now}, postgres=postgres)


def test_a_whole_trip(engine):
    connection, postgres = engine
    assert _offer(connection, 7, 101, T0, postgres=postgres)
    assert _accept(connection, 7, 101, T0 + timedelta(seconds=5), postgres=postgres)
    assert _status(connection, "trips", 101) == ("accepted", 7)
    assert _status(connection, "drivers", 7) == ("on_trip", 101)
    assert _single(connection, "start", {"trip_id": 101, "driver_id": 7, "now": T0 + timedelta(minutes=4)},
                   postgres=postgres)
    assert _transaction(connection, "complete", {"trip_id": 101, "driver_id": 7, "fare_cents": 1850,
                                                 "now": T0 + timedelta(minutes=20)}, postgres=postgres)
    assert _status(connection, "trips", 101) == ("completed", 7)
    assert _status(connection, "drivers", 7) == ("available", None)


def test_a_driver_holds_one_offer_at_a_time(engine):
    connection, postgres = engine
    assert _offer(connection, 7, 101, T0, postgres=postgres)
    assert not _offer(connection, 7, 102, T0 + timedelta(seconds=3), postgres=postgres)
    assert _offer(connection, 8, 102, T0 + timedelta(seconds=3), postgres=postgres)


def test_an_unanswered_offer_lapses_and_the_next_driver_gets_the_trip(engine):
    connection, postgres = engine
    assert _offer(connection, 7, 101, T0, postgres=postgres)
    later = T0 + OFFER + timedelta(seconds=1)
    assert _offer(connection, 8, 101, later, postgres=postgres)  # the matching service moves on
    assert not _accept(connection, 7, 101, later, postgres=postgres)  # too late: rolled back
    assert _status(connection, "drivers", 7) == ("available", None)
    assert _accept(connection, 8, 101, later + timedelta(seconds=2), postgres=postgres)
    assert _status(connection, "trips", 101) == ("accepted", 8)
    # the lapsed driver is free for the next rider
    assert _offer(connection, 7, 102, later, postgres=postgres)


def test_a_trip_gets_one_driver_even_if_two_accept(engine):
    """Two valid offers for one trip (say, a retry in the matching service): one accept wins,
    the other rolls back whole, leaving its driver available."""
    connection, postgres = engine
    assert _offer(connection, 7, 101, T0, postgres=postgres)
    assert _offer(connection, 8, 101, T0, postgres=postgres)
    assert _accept(connection, 7, 101, T0 + timedelta(seconds=1), postgres=postgres)
    assert not _accept(connection, 8, 101, T0 + timedelta(seconds=2), postgres=postgres)
    assert _status(connection, "drivers", 8) == ("available", None)
    assert _status(connection, "trips", 101) == ("accepted", 7)


def test_a_retried_request_cannot_make_a_second_trip(engine):
    """The Idempotency-Key of POST /v1/trips is stored with the trip: the same key from the
    same rider again is refused, a new key (a new tap) is not."""
    connection, postgres = engine
    error = __import__("psycopg").errors.UniqueViolation if postgres else sqlite3.IntegrityError
    request = {"rider_id": 1, "product": "standard", "pickup_latitude": 51.5, "pickup_longitude": -0.12,
               "dropoff_latitude": 51.52, "dropoff_longitude": -0.08, "now": T0}
    with pytest.raises(error):
        _single(connection, "request", {**request, "trip_id": 103, "request_key": "tap-101"}, postgres=postgres)
    assert _single(connection, "request", {**request, "trip_id": 104, "request_key": "tap-104"}, postgres=postgres)
    assert _single(connection, "request", {**request, "rider_id": 2, "trip_id": 105, "request_key": "tap-101"},
                   postgres=postgres)


def test_the_schema_refuses_a_driver_on_two_trips(engine):
    connection, postgres = engine
    error = __import__("psycopg").errors.UniqueViolation if postgres else sqlite3.IntegrityError
    connection.execute("UPDATE drivers SET status = 'on_trip', current_trip_id = 101 WHERE id = 7")
    with pytest.raises(error):
        connection.execute("UPDATE drivers SET status = 'on_trip', current_trip_id = 101 WHERE id = 8")


# --- Two connections racing on PostgreSQL ------------------------------------------------

@pytest.fixture
def race(server):
    setup = server.connect()
    setup.execute("DROP SCHEMA IF EXISTS race CASCADE")
    setup.execute("CREATE SCHEMA race")
    setup.execute("SET search_path TO race")
    _seed(setup, postgres=True)
    connections = []

    def connect():
        connection = server.connect()
        connection.execute("SET search_path TO race")
        connections.append(connection)
        return connection

    yield setup, connect
    for connection in connections:
        connection.close()
    setup.close()


def _wait_until_blocked(observer, pid: int) -> None:
    for _ in range(200):
        row = observer.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
        if row and row[0] == "Lock":
            return
        time.sleep(0.01)
    raise AssertionError("the second connection never waited for the row lock")


def test_two_riders_racing_for_one_driver_exactly_one_wins(race):
    """Deterministic interleaving: A's offer holds the row lock, B's waits for it, A commits,
    B re-checks its WHERE clause against A's committed row and matches nothing."""
    setup, connect = race
    a, b = connect(), connect()
    a.execute("BEGIN")
    assert _single(a, "offer", {"driver_id": 7, "trip_id": 101, "now": T0, "offer_expires_at": T0 + OFFER},
                   postgres=True)
    result = {}

    def rider_b():
        b.execute("BEGIN")
        result["b"] = _single(b, "offer", {"driver_id": 7, "trip_id": 102, "now": T0,
                                           "offer_expires_at": T0 + OFFER}, postgres=True)
        b.execute("COMMIT")

    thread = threading.Thread(target=rider_b)
    thread.start()
    _wait_until_blocked(setup, b.info.backend_pid)
    a.execute("COMMIT")
    thread.join(timeout=10)
    assert result == {"b": False}
    assert setup.execute("SELECT offered_trip_id FROM drivers WHERE id = 7").fetchone() == (101,)


def test_two_drivers_accepting_one_trip_at_once_exactly_one_wins(race):
    setup, connect = race
    for driver in (7, 8):
        assert _offer(setup, driver, 101, T0, postgres=True)
    a, b = connect(), connect()
    a.execute("BEGIN")
    statements_ = [s for s in statements(section(QUERIES, "accept")) if not _is_begin(s)]
    parameters = {"driver_id": 7, "trip_id": 101, "now": T0 + timedelta(seconds=1)}
    assert all(len(execute(a, s, parameters, postgres=True)) == 1 for s in statements_)
    result = {}

    def driver_b():
        result["b"] = _accept(b, 8, 101, T0 + timedelta(seconds=1), postgres=True)

    thread = threading.Thread(target=driver_b)
    thread.start()
    _wait_until_blocked(setup, b.info.backend_pid)
    a.execute("COMMIT")
    thread.join(timeout=10)
    assert result == {"b": False}
    assert _status(setup, "trips", 101) == ("accepted", 7)
    assert _status(setup, "drivers", 8) == ("available", None)


@pytest.mark.parametrize("attempt", range(5))
def test_eight_dispatchers_at_once_one_offer(race, attempt):
    setup, connect = race
    connections = [connect() for _ in range(8)]
    barrier = threading.Barrier(len(connections))
    wins = []

    def dispatcher(connection, trip):
        barrier.wait()
        if _offer(connection, 7, trip, T0, postgres=True):
            wins.append(trip)

    threads = [threading.Thread(target=dispatcher, args=(connection, 101 + index % 2))
               for index, connection in enumerate(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(wins) == 1
    assert setup.execute("SELECT offered_trip_id FROM drivers WHERE id = 7").fetchone() == (wins[0],)


def test_check_then_act_without_the_condition_gives_one_driver_to_two_riders(race):
    """Why the WHERE clause matters: read the status, then update unconditionally, and both win."""
    setup, connect = race
    a, b = connect(), connect()
    naive_read = "SELECT status FROM drivers WHERE id = 7"
    naive_write = for_psycopg("UPDATE drivers SET offered_trip_id = :trip_id WHERE id = 7 RETURNING id")
    assert a.execute(naive_read).fetchone() == ("available",)
    assert b.execute(naive_read).fetchone() == ("available",)
    assert a.execute(naive_write, {"trip_id": 101}).fetchall() == [(7,)]
    assert b.execute(naive_write, {"trip_id": 102}).fetchall() == [(7,)]  # the second rider overwrote the first


def test_pub_sub_delivers_to_servers_only(catalogue):
    """Redis pub-sub stores nothing and drops messages for a reconnecting subscriber: no step has it
    write a store; the route's durable record goes through the location stream."""
    system = catalogue.systems["ride_hailing"]
    for path in system.paths.values():
        for step in path.steps:
            if step.source == "pubsub":
                assert all(system.components[t].group == "Services" for t in step.targets), (path.id, step.number)
    read = system.paths["read"]
    assert any(step.source == "driver_server" and step.targets == ("queue",) for step in read.steps)
