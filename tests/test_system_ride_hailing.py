"""Ride-hailing: every source item is on the page; a trip's SQL runs on SQLite and on a
PostgreSQL server; two riders racing for one driver (two connections) never both get
them; an unanswered offer lapses; the load figures on the page are the computed ones."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime, timedelta

import pytest

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
    assert f"{load.history_gigabytes_per_day:,.0f} GB of positions a day" in PAGE
    assert f"{load.index_megabytes:,.0f} MB" in PAGE
    assert f"History a day ({load.average_drivers_online:,.0f} drivers, the average" in PAGE
    for seconds in (1, 4, 10):
        other = LocationUpdates(seconds_between_updates=seconds)
        row = f"| {seconds} s | {other.writes_per_second:,.0f} | {other.inbound_megabits_per_second:,.0f} Mbit/s | " \
              f"{other.history_gigabytes_per_day:,.0f} GB |"
        assert row in PAGE


def test_a_day_of_history_is_counted_at_the_average_not_the_peak(catalogue):
    """The peak million drivers are online for an evening, not a day: a day of history is
    written by the average number online, the same number the capacity section works from."""
    load = LocationUpdates()
    assumptions = catalogue.systems["ride_hailing"].assumptions
    average_writes = assumptions["daily_active_users"][0] * assumptions["writes_per_user_per_day"][0] / 86_400
    assert load.peak_to_average == assumptions["peak_to_average"][0]
    assert load.average_drivers_online == pytest.approx(average_writes * load.seconds_between_updates)
    assert load.history_gigabytes_per_day == pytest.approx(average_writes * 86_400 * load.payload_bytes / 1e9)


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
    for driver in (7, 8, 9):
        connection.execute(
            f"INSERT INTO drivers (id, name, phone, city, status, created_at) "
            f"VALUES ({driver}, 'driver {driver}', '+200{driver}', 'London', 'available', {placeholder('t')})",
            {"t": T0})
        connection.execute(  # an old car, then the one driven today
            f"INSERT INTO vehicles VALUES ({driver}0, {driver}, 'OLD {driver}', 'Prius', 4, 'standard', FALSE), "
            f"({driver}1, {driver}, 'LX{driver} ABC', 'Corolla', 4, 'standard', TRUE)")
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
def server(postgres_database):
    """This module's own database on the session's PostgreSQL server."""
    return postgres_database


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
    return _transaction(connection, "offer", {"driver_id": driver, "trip_id": trip, "now": now,
                                              "offer_expires_at": now + OFFER}, postgres=postgres)


def _body(name: str) -> list[str]:
    """A transaction's statements without its BEGIN, to run inside a transaction a test opened."""
    return [s for s in statements(section(QUERIES, name)) if not _is_begin(s)]


def _changes_each_row(connection, name: str, parameters: dict) -> bool:
    """Inside an open transaction: True if every statement of the section changed its row."""
    return all(len(execute(connection, s, parameters, postgres=True)) == 1 for s in _body(name))


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


REQUEST = {"product": "standard", "pickup_latitude": 51.5, "pickup_longitude": -0.12,
           "dropoff_latitude": 51.52, "dropoff_longitude": -0.08, "now": T0}


def _unique_violation(postgres: bool):
    return __import__("psycopg").errors.UniqueViolation if postgres else sqlite3.IntegrityError


def _request(connection, rider, trip, key, *, postgres):
    """POST /v1/trips as the trip service runs it: the insert, and on no row the trip the key made."""
    parameters = {**REQUEST, "rider_id": rider, "trip_id": trip, "request_key": key}
    if _single(connection, "request", parameters, postgres=postgres):
        return 201, trip
    found = execute(connection, section(QUERIES, "request_retry"), parameters, postgres=postgres)
    return 200, found[0][0]


def test_a_retried_request_gets_back_the_trip_its_key_made(engine):
    """The Idempotency-Key of POST /v1/trips is checked before the one-open-trip rule: a retry
    of the tap that made trip 101 (still open) gets 101 back, not a 409 and not a second trip."""
    connection, postgres = engine
    assert _request(connection, 1, 103, "tap-101", postgres=postgres) == (200, 101)
    assert connection.execute("SELECT count(*) FROM trips WHERE rider_id = 1").fetchone() == (1,)
    # the same key from another rider is another tap
    connection.execute("UPDATE trips SET status = 'cancelled' WHERE id = 102")
    assert _request(connection, 2, 105, "tap-101", postgres=postgres) == (201, 105)


def test_a_rider_has_one_open_trip_at_a_time(engine):
    """The 409 of POST /v1/trips: a new tap while trip 101 is open is refused by the schema;
    once the trip is over the rider may ask again, and the old key still finds the old trip."""
    connection, postgres = engine
    with pytest.raises(_unique_violation(postgres)):
        _request(connection, 1, 104, "tap-104", postgres=postgres)
    connection.execute("UPDATE trips SET status = 'cancelled' WHERE id = 101")
    assert _request(connection, 1, 104, "tap-104", postgres=postgres) == (201, 104)
    assert _request(connection, 1, 106, "tap-101", postgres=postgres) == (200, 101)


def test_no_driver_is_leased_to_a_trip_that_is_over(engine):
    """The offer checks the trip too: a matching loop whose timer fires just after an accept or a
    cancel leases nobody, so no driver is kept from real offers by a dead trip."""
    connection, postgres = engine
    assert _offer(connection, 7, 101, T0, postgres=postgres)
    assert _accept(connection, 7, 101, T0 + timedelta(seconds=14), postgres=postgres)
    assert not _offer(connection, 8, 101, T0 + OFFER, postgres=postgres)
    connection.execute("UPDATE trips SET status = 'cancelled' WHERE id = 102")
    assert not _offer(connection, 8, 102, T0 + OFFER, postgres=postgres)
    assert connection.execute("SELECT offered_trip_id FROM drivers WHERE id = 8").fetchone() == (None,)
    assert connection.execute("SELECT offers_made FROM trips WHERE id = 102").fetchone() == (0,)


def _decline(connection, driver, trip, now, *, postgres):
    return _single(connection, "decline", {"driver_id": driver, "trip_id": trip, "now": now}, postgres=postgres)


def test_a_decline_frees_the_driver_at_once(engine):
    """A driver who says no does not cost the rider the 15 seconds: the lease ends now, and the
    trip can be offered to the next driver, and the decliner to another trip, straight away."""
    connection, postgres = engine
    assert _offer(connection, 7, 101, T0, postgres=postgres)
    assert _decline(connection, 7, 101, T0 + timedelta(seconds=2), postgres=postgres)
    assert not _accept(connection, 7, 101, T0 + timedelta(seconds=3), postgres=postgres)  # declined is declined
    assert _offer(connection, 8, 101, T0 + timedelta(seconds=3), postgres=postgres)
    assert _offer(connection, 7, 102, T0 + timedelta(seconds=3), postgres=postgres)
    # a repeated or late decline leaves the new lease alone
    assert not _decline(connection, 7, 101, T0 + timedelta(seconds=4), postgres=postgres)
    assert connection.execute("SELECT offered_trip_id FROM drivers WHERE id = 7").fetchone() == (102,)


def test_the_accept_records_the_car_driven_today(engine):
    """The acceptance announces driver and car, and disputes need the car later: the trip keeps
    the driver's one active vehicle, which the schema makes unambiguous."""
    connection, postgres = engine
    assert _offer(connection, 7, 101, T0, postgres=postgres)
    assert _accept(connection, 7, 101, T0 + timedelta(seconds=5), postgres=postgres)
    assert connection.execute("SELECT vehicle_id FROM trips WHERE id = 101").fetchone() == (71,)
    connection.execute("UPDATE vehicles SET active = FALSE WHERE id = 71")  # the driver changes cars later
    connection.execute("UPDATE vehicles SET active = TRUE WHERE id = 70")
    assert connection.execute("SELECT vehicle_id FROM trips WHERE id = 101").fetchone() == (71,)
    with pytest.raises(_unique_violation(postgres)):
        connection.execute("UPDATE vehicles SET active = TRUE WHERE id = 71")


def _replay(connection, driver, trip, accepted_at, *, postgres):
    return _transaction(connection, "replay", {"driver_id": driver, "trip_id": trip, "accepted_at": accepted_at},
                        postgres=postgres)


def test_an_accept_lost_in_a_failover_is_replayed_from_its_receipt(engine):
    """The promoted replica never got the accept of trip 101 by driver 7: the trip is requested,
    the driver available and the lease long lapsed. The replay restores it, with its own time."""
    connection, postgres = engine
    accepted_at = T0 + timedelta(seconds=5)
    assert _replay(connection, 7, 101, accepted_at, postgres=postgres)
    assert _status(connection, "trips", 101) == ("accepted", 7)
    assert _status(connection, "drivers", 7) == ("on_trip", 101)
    stored, vehicle = connection.execute("SELECT accepted_at, vehicle_id FROM trips WHERE id = 101").fetchone()
    assert (str(stored), vehicle) == (str(accepted_at), 71)  # SQLite hands the time back as text


def test_a_replay_that_comes_too_late_changes_nothing(engine):
    """After the grace period the trip or the driver may have been matched again; the replay then
    rolls back whole and the driver is told the trip has gone."""
    connection, postgres = engine
    later = T0 + timedelta(minutes=2)
    assert _offer(connection, 8, 101, later, postgres=postgres)      # trip 101 went to driver 8
    assert _accept(connection, 8, 101, later, postgres=postgres)
    assert not _replay(connection, 7, 101, T0, postgres=postgres)
    assert _status(connection, "drivers", 7) == ("available", None)
    assert _offer(connection, 7, 102, later, postgres=postgres)      # driver 7 took trip 102
    assert _accept(connection, 7, 102, later, postgres=postgres)
    connection.execute("UPDATE trips SET status = 'requested', driver_id = NULL, vehicle_id = NULL WHERE id = 101 "
                       "AND driver_id = 8")  # even were trip 101 free again
    connection.execute("UPDATE drivers SET status = 'available', current_trip_id = NULL WHERE id = 8")
    assert not _replay(connection, 7, 101, T0, postgres=postgres)
    assert _status(connection, "trips", 101) == ("requested", None)
    assert _status(connection, "drivers", 7) == ("on_trip", 102)


def _cancel(connection, trip, *, postgres) -> bool:
    """The cancel as the trip service runs it: roll back if the trip's update changes no row."""
    trip_update, *frees = _body("cancel")
    connection.execute("BEGIN")
    if len(execute(connection, trip_update, {"trip_id": trip}, postgres=postgres)) != 1:
        connection.execute("ROLLBACK")
        return False
    for statement in frees:
        execute(connection, statement, {"trip_id": trip}, postgres=postgres)
    connection.execute("COMMIT")
    return True


def test_a_cancel_frees_the_driver_it_held(engine):
    """Cancelled while a driver looks at the offer, or after one accepted: either driver is free
    for the next offer at once. Once the ride has started it is too late (409)."""
    connection, postgres = engine
    assert _offer(connection, 7, 101, T0, postgres=postgres)
    assert _cancel(connection, 101, postgres=postgres)
    assert _offer(connection, 7, 102, T0 + timedelta(seconds=1), postgres=postgres)  # no 15-second wait
    assert _accept(connection, 7, 102, T0 + timedelta(seconds=2), postgres=postgres)
    assert _cancel(connection, 102, postgres=postgres)
    assert _status(connection, "drivers", 7) == ("available", None)
    assert _status(connection, "trips", 102) == ("cancelled", 7)
    connection.execute("UPDATE trips SET status = 'requested' WHERE id = 101")
    assert _offer(connection, 8, 101, T0, postgres=postgres) and _accept(connection, 8, 101, T0, postgres=postgres)
    assert _single(connection, "start", {"trip_id": 101, "driver_id": 8, "now": T0}, postgres=postgres)
    assert not _cancel(connection, 101, postgres=postgres)
    assert _status(connection, "drivers", 8) == ("on_trip", 101)


def test_a_trip_nobody_is_matching_is_found_by_the_sweep(engine):
    """A matching loop died, or was never asked: the trip waits with no live lease, and the
    sweep finds it; a trip whose offer is live, or that was just requested, is left alone."""
    connection, postgres = engine
    later = T0 + timedelta(seconds=10)
    assert _offer(connection, 7, 101, later - timedelta(seconds=2), postgres=postgres)  # 101: offer live
    stalled = execute(connection, section(QUERIES, "stalled"),
                      {"now": later, "stalled_before": later - timedelta(seconds=5)}, postgres=postgres)
    assert [row[0] for row in stalled] == [102]
    assert execute(connection, section(QUERIES, "stalled"),
                   {"now": later, "stalled_before": T0}, postgres=postgres) == []  # both just requested


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
    assert _changes_each_row(a, "offer", {"driver_id": 7, "trip_id": 101, "now": T0, "offer_expires_at": T0 + OFFER})
    result = {}

    def rider_b():
        result["b"] = _offer(b, 7, 102, T0, postgres=True)

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
    assert _changes_each_row(a, "accept", {"driver_id": 7, "trip_id": 101, "now": T0 + timedelta(seconds=1)})
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


def test_two_devices_requesting_at_once_make_one_trip(race):
    """Two taps from two devices of one rider, with different keys: the second insert waits for
    the first's index entry, and when the first commits it fails (the 409)."""
    setup, connect = race
    setup.execute("UPDATE trips SET status = 'cancelled' WHERE id = 101")
    a, b = connect(), connect()
    a.execute("BEGIN")
    assert _request(a, 1, 201, "phone", postgres=True) == (201, 201)
    result = {}

    def tablet():
        try:
            result["b"] = _request(b, 1, 202, "tablet", postgres=True)
        except __import__("psycopg").errors.UniqueViolation:
            result["b"] = 409

    thread = threading.Thread(target=tablet)
    thread.start()
    _wait_until_blocked(setup, b.info.backend_pid)
    a.execute("COMMIT")
    thread.join(timeout=10)
    assert result == {"b": 409}
    assert setup.execute("SELECT id FROM trips WHERE rider_id = 1 AND status = 'requested'").fetchall() == [(201,)]


def test_an_offer_racing_an_accept_waits_for_it_and_leases_nobody(race):
    """The accept holds the trip's row; the matching loop's next offer (its timer fired at the same
    moment) waits for that lock, then finds the trip accepted: driver 8 is not leased to it."""
    setup, connect = race
    assert _offer(setup, 7, 101, T0, postgres=True)
    a, b = connect(), connect()
    a.execute("BEGIN")
    assert _changes_each_row(a, "accept", {"driver_id": 7, "trip_id": 101, "now": T0 + timedelta(seconds=14)})
    result = {}

    def matching():
        result["offer"] = _offer(b, 8, 101, T0 + OFFER, postgres=True)

    thread = threading.Thread(target=matching)
    thread.start()
    _wait_until_blocked(setup, b.info.backend_pid)
    a.execute("COMMIT")
    thread.join(timeout=10)
    assert result == {"offer": False}
    assert setup.execute("SELECT offered_trip_id FROM drivers WHERE id = 8").fetchone() == (None,)


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


# --- The promises of the requirements, carried out by steps --------------------------------

def _chain(path, hops: list[str], after: int = 0) -> list[int]:
    """Step numbers, increasing, whose arrows lead through `hops` in order (empty if there are none)."""
    numbers, at = [], after
    for source, target in zip(hops, hops[1:]):
        found = [step.number for step in path.steps
                 if step.number > at and step.source == source and target in step.targets]
        if not found:
            return []
        at = min(found)
        numbers.append(at)
    return numbers


def test_after_the_accept_each_party_sees_the_other(catalogue):
    """The requirement: the rider sees the driver until drop-off, the driver sees the rider until
    pickup. Both directions are steps after the accept's transaction, through the trip's channel."""
    system = catalogue.systems["ride_hailing"]
    read = system.paths["read"]
    accept = max(step.number for step in read.steps if step.transaction)
    to_rider = _chain(read, ["driver_server", "pubsub", "rider_server", "load_balancer", "rider"], accept)
    to_driver = _chain(read, ["rider", "load_balancer", "rider_server", "pubsub", "driver_server", "driver"], accept)
    assert to_rider and to_driver
    pickup = next(step for step in read.steps if "'start' at pickup" in step.text)
    assert to_driver[-1] < pickup.number
    assert "until pickup" in read.steps[to_driver[0] - 1].text.lower()
    requirement = next(line for line in PAGE.splitlines() if "see" in line and "position" in line and "trip" in line)
    assert "until drop-off" in requirement and "until pickup" in requirement
    # the pub-sub channel carries both: its role says so
    assert "both parties" in system.components["pubsub"].role


def test_a_decline_is_a_step_and_an_operation(catalogue):
    system = catalogue.systems["ride_hailing"]
    read = system.paths["read"]
    decline = next(step for step in read.steps if step.when and "declines" in step.when)
    assert decline.targets == ("matching",) and "at once" in decline.text
    assert any(endpoint.route == "/v1/trips/{trip_id}/decline" for endpoint in system.endpoints)


def test_the_request_api_checks_the_key_before_the_open_trip(catalogue):
    endpoint = next(e for e in catalogue.systems["ride_hailing"].endpoints
                    if e.method == "POST" and e.route == "/v1/trips")
    status, headers = dict(endpoint.status), dict(endpoint.headers)
    assert "unique index" in status[409] and "retry never gets this" in status[409]
    assert 200 in status and "Required" in headers["Idempotency-Key"]


def test_failover_says_how_lost_accepts_are_replayed(catalogue):
    notes = " ".join(note.text for note in catalogue.systems["ride_hailing"].paths["read"].notes
                     if note.theme == "Resilience")
    assert "grace period" in notes and "receipt" in notes and "changes nothing" in notes
    assert "receipt" in section(QUERIES, "replay")


def test_trip_channels_use_sharded_pub_sub(catalogue):
    notes = " ".join(note.text for note in catalogue.systems["ride_hailing"].paths["read"].notes)
    assert "SPUBLISH" in notes and "broadcast" in notes
    assert "Sharded pub-sub" in catalogue.systems["ride_hailing"].components["pubsub"].role


# --- How a driver becomes available at all ----------------------------------------------


def test_a_driver_goes_online_and_offline_but_never_off_a_trip(engine):
    """Drivers start 'offline' and the offer leases only 'available' ones: without a step
    that sets the status, nobody could ever be offered a trip."""
    connection, postgres = engine
    connection.execute("UPDATE drivers SET status = 'offline' WHERE id = 9")
    assert not _offer(connection, 9, 101, T0, postgres=postgres), "an offline driver gets no offer"
    assert _single(connection, "driver_status", {"driver_id": 9, "status": "available"}, postgres=postgres)
    assert _offer(connection, 9, 101, T0, postgres=postgres)
    # The app repeats 'available' (a retry) while the offer is live: the lease survives.
    assert _single(connection, "driver_status", {"driver_id": 9, "status": "available"}, postgres=postgres)
    assert _accept(connection, 9, 101, T0 + timedelta(seconds=5), postgres=postgres)
    # On a trip, going offline is refused (409) and changes nothing.
    assert not _single(connection, "driver_status", {"driver_id": 9, "status": "offline"}, postgres=postgres)
    assert _status(connection, "drivers", 9) == ("on_trip", 101)
    # A driver who leaves while looking at an offer ends the lease: the trip can go on at once.
    assert _offer(connection, 8, 102, T0, postgres=postgres)
    assert _single(connection, "driver_status", {"driver_id": 8, "status": "offline"}, postgres=postgres)
    assert tuple(connection.execute("SELECT status, offered_trip_id FROM drivers WHERE id = 8").fetchone()) == (
        "offline", None)
    assert not _accept(connection, 8, 102, T0 + timedelta(seconds=5), postgres=postgres)
    assert _offer(connection, 7, 102, T0 + timedelta(seconds=6), postgres=postgres)


def test_the_status_switch_is_a_drawn_step_and_an_endpoint(catalogue):
    system = catalogue.systems["ride_hailing"]
    write = system.paths["write"]
    to_db = [s for s in write.steps if s.source == "trip_service" and s.targets == ("trip_db",)]
    assert to_db and "'available'" in to_db[0].text and "'on_trip'" in to_db[0].text
    switch = next(e for e in system.endpoints if e.route == "/v1/driver/status")
    assert switch.starts == ("write", to_db[0].number - 1) and 409 in dict(switch.status)
    page = (ROOT / "docs/systems/ride_hailing.md").read_text(encoding="utf-8")
    assert '--8<-- "snippets/sql/ride_hailing.sql:driver_status"' in page


def test_no_decision_is_made_by_the_phone_s_clock(catalogue):
    """Rejecting 'a time in the future' judges the phone's clock by the server's: a phone a
    second fast would lose every update. The phone's time only orders a batch."""
    update = next(e for e in catalogue.systems["ride_hailing"].endpoints if e.route == "/v1/driver/locations")
    assert "future" not in dict(update.status)[400]
    assert "time of receipt" in dict(update.request)["positions"]


def test_a_lost_cancel_on_the_channel_is_repaired_by_reading_the_trip(catalogue):
    """The driver's server tags updates with the driver's state, and hears a cancel only on
    the trip's channel, which forgets: the driver app's read of the trip corrects the tag."""
    notes = " ".join(note.text for note in catalogue.systems["ride_hailing"].paths["read"].notes)
    assert "a lost cancel does not keep a free driver out of the geo index" in notes


def test_failure_declarations_match_the_design(catalogue):
    """The live locations are one copy per shard (refilled by the stream, never replicated);
    the channels deliver at most once, so only the stream's consumers name a key, and that
    key is one a redelivery keeps; the trips database sees trips, not positions."""
    from blueprint import capacity, load
    from blueprint.failure import delivery

    system = catalogue.systems["ride_hailing"]
    assert system.components["location_cache"].failure.redundant is False
    assert all(c.failure.redundant for name, c in system.components.items()
               if c.failure and name != "location_cache")
    assert delivery(system, "pubsub") == "at most once" and delivery(system, "queue") == "at least once"
    keyed = {(p.id, s.number) for p in system.paths.values() for s in p.steps if s.idempotent_by}
    assert keyed == {("write", 6), ("write", 7)}
    assert "time of receipt" in system.paths["write"].steps[5].idempotent_by
    loads = {l.component: l for l in load.compute(system, capacity.compute(system))}
    assert loads["trip_db"].requests < loads["location_cache"].requests / 20
    assert load.hottest(list(loads.values())).component == "pubsub"
