"""The Pastebin reservation, as a specification, on a real PostgreSQL server: the create
writes a reservation that its retries find again, the complete turns it into a paste once
and only for its caller, readers never see a reservation, and the sweep removes what
lapsed, expired or was deleted, from a list that a crash does not lose. The queries are the page's own
(snippets/sql/pastebin.sql) on the page's DDL (snippets/schemas/pastebin.sql)."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import psycopg
import pytest
from system_sql import fresh_schema, section

ROOT = Path(__file__).resolve().parents[1]
DDL = ROOT / "snippets" / "schemas" / "pastebin.sql"
QUERIES = "snippets/sql/pastebin.sql"
PAGE = ROOT / "docs" / "systems" / "pastebin.md"
SECTIONS = ("reserve", "reserve_again", "complete", "complete_again", "read", "delete", "delete_again", "sweep",
            "remove")

ALICE, BOB = 1, 2
KEY = "5f0c6e58-8f0a-4d0e-9a59-3f3b8c1d2e7a"


def test_the_page_shows_every_query_it_relies_on():
    page = PAGE.read_text(encoding="utf-8")
    for name in SECTIONS:
        assert f'--8<-- "{QUERIES}:{name}"' in page, name


@pytest.fixture(scope="module")
def server(postgres_database):
    """This module's own database on the session's PostgreSQL server."""
    return postgres_database


_schemas = itertools.count(1)


@pytest.fixture
def db(server):
    """`db()` opens a connection to a fresh copy of the schema with users 1 and 2;
    `db.run(connection, section, **parameters)` runs one of the page's sections there."""
    yield from fresh_schema(server, f"pastebin_{next(_schemas)}", DDL, (ALICE, BOB), QUERIES,
                            {"user_id": ALICE, "size_bytes": 100, "idempotency_key": None, "expires_in": None})


def state(db) -> dict[str, list]:
    query = {
        "reservations": "SELECT id, completed_at IS NOT NULL FROM paste_reservations ORDER BY id",
        "pastes": "SELECT id FROM pastes ORDER BY id",
        "removals": "SELECT paste_id FROM paste_removals ORDER BY paste_id",
    }
    return {name: [row if len(row) > 1 else row[0] for row in db.setup.execute(sql).fetchall()]
            for name, sql in query.items()}


def complete(db, connection, paste_id, **parameters) -> str:
    """What the server answers to POST /v1/pastes/{paste_id}/complete, after its HEAD check."""
    if db.run(connection, "complete", paste_id=paste_id, **parameters):
        return "200"
    if db.run(connection, "complete_again", paste_id=paste_id, **parameters):
        return "200 again"
    return "404"


def wait_until_blocked(db, connection: psycopg.Connection) -> None:
    pid = connection.info.backend_pid
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        row = db.setup.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
        if row and row[0] == "Lock":
            return
        time.sleep(0.02)
    pytest.fail("the second transaction never waited for the first one's row lock")


def in_thread(function) -> tuple[threading.Thread, dict]:
    result: dict = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", function()))
    thread.start()
    return thread, result


def ten_minutes_later(db) -> None:
    """The list's entries have waited out every upload URL that could still write their key."""
    db.setup.execute("UPDATE paste_removals SET queued_at = queued_at - interval '10 minutes'")


def lapse(db, paste_id: str, after: str = "-1 second") -> None:
    db.setup.execute(f"UPDATE paste_reservations SET reserved_until = now() + interval '{after}' WHERE id = %s",
                     (paste_id,))


# --- The create: a reservation, found again by a retry ------------------------------------


def test_a_create_writes_a_reservation_that_no_reader_sees(db):
    c = db()
    (reserved,) = db.run(c, "reserve", paste_id="aZ3x9Q", idempotency_key=KEY)
    assert reserved[0] == "aZ3x9Q"
    assert state(db)["reservations"] == [("aZ3x9Q", False)]
    assert db.run(c, "read", paste_id="aZ3x9Q") == []  # uploaded or not, not a paste yet: 404


def test_a_retried_create_gets_the_first_attempts_id_not_a_second_paste(db):
    c = db()
    (first,) = db.run(c, "reserve", paste_id="aZ3x9Q", idempotency_key=KEY)
    # The retry drew another ID from the key generation service; the unique index stops it.
    assert db.run(c, "reserve", paste_id="Qq81bX", idempotency_key=KEY) == []
    again = db.run(c, "reserve_again", idempotency_key=KEY)
    assert again == [("aZ3x9Q", first[1], 100)]  # same ID, same signing time: the same URL
    assert state(db)["reservations"] == [("aZ3x9Q", False)]


def test_the_key_is_scoped_to_its_caller(db):
    c = db()
    assert db.run(c, "reserve", paste_id="aaaaaa", idempotency_key=KEY, user_id=ALICE)
    assert db.run(c, "reserve", paste_id="bbbbbb", idempotency_key=KEY, user_id=BOB)
    assert db.run(c, "reserve", paste_id="cccccc", idempotency_key=KEY, user_id=None)  # the anonymous scope
    assert db.run(c, "reserve_again", idempotency_key=KEY, user_id=BOB)[0][0] == "bbbbbb"
    # Creates without a key never collide with each other.
    assert db.run(c, "reserve", paste_id="dddddd") and db.run(c, "reserve", paste_id="eeeeee")


def test_two_concurrent_retries_reserve_once(db):
    a, b = db(), db()
    a.execute("BEGIN")
    assert db.run(a, "reserve", paste_id="aaaaaa", idempotency_key=KEY)
    thread, got_b = in_thread(lambda: db.run(b, "reserve", paste_id="bbbbbb", idempotency_key=KEY))
    wait_until_blocked(db, b)  # the unique index makes B wait for A's outcome
    a.execute("COMMIT")
    thread.join(5)
    assert got_b["value"] == []
    assert db.run(b, "reserve_again", idempotency_key=KEY)[0][0] == "aaaaaa"


# --- The complete: one paste, for its caller, within the reservation ----------------------


def test_complete_makes_the_paste_readable_and_a_retry_gets_the_same_answer(db):
    c = db()
    db.run(c, "reserve", paste_id="aZ3x9Q", expires_in=3600)
    assert complete(db, c, "aZ3x9Q") == "200"
    assert complete(db, c, "aZ3x9Q") == "200 again"  # the client lost the 200 and retried
    assert state(db) == {"reservations": [("aZ3x9Q", True)], "pastes": ["aZ3x9Q"], "removals": []}
    ((key, expires_at),) = db.run(c, "read", paste_id="aZ3x9Q")
    assert key == "aZ3x9Q" and expires_at is not None  # the expiry asked for at create time


def test_only_the_creator_can_complete(db):
    c = db()
    db.run(c, "reserve", paste_id="aZ3x9Q", user_id=ALICE)
    assert complete(db, c, "aZ3x9Q", user_id=BOB) == "404"
    assert complete(db, c, "aZ3x9Q", user_id=None) == "404"
    assert state(db)["pastes"] == []


def test_a_lapsed_reservation_cannot_be_completed(db):
    c = db()
    db.run(c, "reserve", paste_id="aZ3x9Q")
    lapse(db, "aZ3x9Q")
    assert complete(db, c, "aZ3x9Q") == "404"


# --- The sweep: lapsed, expired and deleted pastes leave every store ------------------------


def test_the_sweep_takes_lapsed_reservations_and_expired_pastes_and_leaves_the_rest(db):
    c = db()
    for paste in ("lapsed", "fresh", "live", "old"):
        db.run(c, "reserve", paste_id=paste, expires_in=3600)
    complete(db, c, "live")
    complete(db, c, "old")
    lapse(db, "lapsed")
    db.setup.execute("UPDATE pastes SET expires_at = now() - interval '1 second' WHERE id = 'old'")
    assert db.run(c, "read", paste_id="old") == []  # expired: a 404 before the sweep comes
    assert db.run(c, "sweep") == []  # on the list, not yet in a batch
    ten_minutes_later(db)
    assert sorted(db.run(c, "sweep")) == [("lapsed", "lapsed"), ("old", "old")]
    assert state(db) == {"reservations": [("fresh", False), ("live", True), ("old", True)],
                         "pastes": ["live"], "removals": ["lapsed", "old"]}


def test_a_delete_hides_the_paste_at_once_and_only_for_its_owner(db):
    c = db()
    db.run(c, "reserve", paste_id="aZ3x9Q")
    complete(db, c, "aZ3x9Q")
    assert db.run(c, "delete", paste_id="aZ3x9Q", user_id=BOB) == []
    assert db.run(c, "delete", paste_id="aZ3x9Q") == [("aZ3x9Q",)]
    assert db.run(c, "read", paste_id="aZ3x9Q") == []
    assert complete(db, c, "aZ3x9Q") == "404"  # a late retried complete cannot bring it back
    ten_minutes_later(db)
    assert db.run(c, "sweep") == [("aZ3x9Q", "aZ3x9Q")]


def test_a_sweeper_that_dies_before_the_last_step_is_repeated_by_the_next_run(db):
    c = db()
    db.run(c, "reserve", paste_id="aZ3x9Q")
    lapse(db, "aZ3x9Q")
    db.run(c, "sweep")
    ten_minutes_later(db)
    assert db.run(c, "sweep") == [("aZ3x9Q", "aZ3x9Q")]
    # ... it deletes the cache entry, purges the CDN, deletes the object, then crashes ...
    assert db.run(c, "sweep") == [("aZ3x9Q", "aZ3x9Q")]  # still on the list: the next run sees it
    db.run(c, "remove", paste_id="aZ3x9Q")
    assert state(db) == {"reservations": [], "pastes": [], "removals": []}
    assert db.run(c, "sweep") == []


def test_completed_reservations_are_kept_a_day_for_late_retries(db):
    c = db()
    db.run(c, "reserve", paste_id="aZ3x9Q", idempotency_key=KEY)
    complete(db, c, "aZ3x9Q")
    db.run(c, "sweep")
    assert db.run(c, "reserve_again", idempotency_key=KEY)[0][0] == "aZ3x9Q"
    db.setup.execute("UPDATE paste_reservations SET completed_at = now() - interval '25 hours'")
    db.run(c, "sweep")
    assert state(db) == {"reservations": [], "pastes": ["aZ3x9Q"], "removals": []}  # the paste stays


def test_a_complete_that_commits_first_keeps_the_paste_from_the_sweep(db):
    a, b = db(), db()
    db.run(a, "reserve", paste_id="aZ3x9Q")
    lapse(db, "aZ3x9Q", "1 second")
    a.execute("BEGIN")  # now() of this transaction is before the lapse
    assert db.run(a, "complete", paste_id="aZ3x9Q") == [("aZ3x9Q",)]
    time.sleep(1.2)  # the reservation has lapsed by the sweeper's clock
    thread, swept = in_thread(lambda: db.run(b, "sweep"))
    wait_until_blocked(db, b)
    a.execute("COMMIT")
    thread.join(5)
    assert swept["value"] == []  # PostgreSQL re-checked the row: completed, so not the sweep's
    assert state(db)["pastes"] == ["aZ3x9Q"]


def test_a_sweep_that_commits_first_makes_the_late_complete_a_404(db):
    a, b = db(), db()
    db.run(a, "reserve", paste_id="aZ3x9Q")
    lapse(db, "aZ3x9Q", "1 second")
    a.execute("BEGIN")  # the complete's transaction starts before the lapse
    a.execute("SELECT 1")
    time.sleep(1.2)
    b.execute("BEGIN")
    db.run(b, "sweep")
    thread, completed = in_thread(lambda: complete(db, a, "aZ3x9Q"))
    wait_until_blocked(db, a)
    b.execute("COMMIT")
    thread.join(5)
    a.execute("COMMIT")
    assert completed["value"] == "404"
    assert state(db) == {"reservations": [], "pastes": [], "removals": ["aZ3x9Q"]}


# --- Review of 2026-12-07 (rev_e) -------------------------------------------------------


def test_an_id_handed_out_twice_fails_loudly_instead_of_passing_for_a_retry(db):
    """The reserve's ON CONFLICT names the Idempotency-Key index only. A bare ON CONFLICT
    also swallowed a clash on the paste ID, so a key service bug looked like a retry whose
    first attempt `reserve_again` then could not find."""
    c = db()
    assert db.run(c, "reserve", paste_id="aZ3x9Q", idempotency_key=KEY, user_id=ALICE)
    with pytest.raises(psycopg.errors.UniqueViolation):
        db.run(c, "reserve", paste_id="aZ3x9Q", idempotency_key="another-key", user_id=BOB)


def _plan(db, sql: str) -> str:
    rows = db.setup.execute("EXPLAIN " + sql).fetchall()
    return "\n".join(row[0] for row in rows)


def test_the_sweeps_every_minute_queries_use_an_index_not_a_scan_of_every_paste(db):
    """Five years of pastes are billions of rows, most of which never expire; the sweep
    asks every minute which have expired and which reservations were completed a day ago."""
    db.setup.execute(
        "INSERT INTO pastes (id, user_id, object_key, created_at, expires_at) "
        "SELECT 'p' || n, NULL, 'p' || n, now(), "
        "       CASE WHEN n % 50 = 0 THEN now() + interval '1 day' END "
        "FROM generate_series(1, 50000) AS n")
    db.setup.execute(
        "INSERT INTO paste_reservations (id, user_id, size_bytes, created_at, reserved_until, completed_at) "
        "SELECT 'r' || n, NULL, 100, now(), now() + interval '1 hour', now() FROM generate_series(1, 50000) AS n")
    db.setup.execute("ANALYZE pastes")
    db.setup.execute("ANALYZE paste_reservations")
    expired = _plan(db, "DELETE FROM pastes WHERE expires_at <= now()")
    done = _plan(db, "DELETE FROM paste_reservations WHERE completed_at < now() - interval '1 day'")
    assert "Seq Scan" not in expired, expired
    assert "Seq Scan" not in done, done
    sweep = section(QUERIES, "sweep")
    assert "DELETE FROM pastes WHERE expires_at <= now()" in sweep
    assert "DELETE FROM paste_reservations WHERE completed_at < now() - interval '1 day'" in sweep


def test_the_sweep_leaves_an_objects_key_alone_while_an_upload_url_could_still_write_it(db):
    """A paste deleted a minute after its create: the create-only upload URL still works for a
    few minutes, and once the sweep has deleted the object, a replayed PUT would store it again
    with nothing left to point to it. The sweep takes the entry only after the URL is dead."""
    c = db()
    db.run(c, "reserve", paste_id="aZ3x9Q")
    complete(db, c, "aZ3x9Q")
    db.run(c, "delete", paste_id="aZ3x9Q")
    assert db.run(c, "sweep") == []
    assert state(db)["removals"] == ["aZ3x9Q"]  # not lost: it waits on the list
    db.setup.execute("UPDATE paste_removals SET queued_at = now() - interval '9 minutes'")
    assert db.run(c, "sweep") == []
    ten_minutes_later(db)
    assert db.run(c, "sweep") == [("aZ3x9Q", "aZ3x9Q")]


def delete(db, connection, paste_id, **parameters) -> str:
    """What the server answers to DELETE /v1/pastes/{paste_id}."""
    if db.run(connection, "delete", paste_id=paste_id, **parameters):
        return "204"
    return "403" if db.run(connection, "delete_again", paste_id=paste_id) else "404"


def test_a_delete_that_deletes_nothing_tells_403_from_404(db):
    """Cleanup step 2's one statement changes nothing both for another user's paste and for
    no paste at all; the API promises 403 for one and 404 for the other."""
    c = db()
    db.run(c, "reserve", paste_id="aZ3x9Q")
    complete(db, c, "aZ3x9Q")
    assert delete(db, c, "aZ3x9Q", user_id=BOB) == "403"
    assert delete(db, c, "nope00") == "404"
    assert delete(db, c, "aZ3x9Q") == "204"
    assert delete(db, c, "aZ3x9Q") == "404"  # the retry of a delete whose 204 was lost


def test_a_late_complete_does_not_hand_out_a_link_that_has_already_expired(db):
    """A one-minute paste completed two minutes after its create (the reservation allows an
    hour): the 200 says the link works now, so the minute counts from the complete."""
    c = db()
    db.run(c, "reserve", paste_id="aZ3x9Q", expires_in=60)
    db.setup.execute("UPDATE paste_reservations SET created_at = created_at - interval '2 minutes', "
                     "expires_at = expires_at - interval '2 minutes'")
    assert complete(db, c, "aZ3x9Q") == "200"
    ((_, expires_at),) = db.run(c, "read", paste_id="aZ3x9Q")
    (lifetime,) = db.setup.execute("SELECT expires_at - created_at FROM pastes").fetchone()
    assert lifetime.total_seconds() == 60


# --- Failure behaviour and load, from diagrams/pastebin.py ------------------------------


@pytest.fixture(scope="module")
def pastebin_model():
    from blueprint.build import load_system

    system, _ = load_system(ROOT / "diagrams" / "pastebin.py", ROOT)
    return system


def test_only_the_cache_is_a_single_point_of_failure_and_it_holds_copies_only(pastebin_model):
    from blueprint import failure

    stateful = {c.id: c for c in pastebin_model.components.values() if failure.is_stateful(pastebin_model, c.id)}
    assert {cid for cid, c in stateful.items() if not c.failure.redundant} == {"cache"}
    assert "Nothing is lost" in stateful["cache"].failure.loses_data
    assert "synchronous standby" in stateful["metadata_db"].failure.handling  # an acknowledged link survives failover
    page = PAGE.read_text(encoding="utf-8")
    assert "synchronous standby" in page  # the page says so too


def test_a_crash_between_the_reservation_the_upload_and_the_complete_is_repaired_by_the_sweep(pastebin_model):
    steps = {s.number: s for s in pastebin_model.paths["write"].steps}
    for number in (4, 6):  # reservation, then upload, then complete: three writes to two stores
        repair, text = steps[number].after_crash
        assert repair == "reconciliation" and "sweep" in text
    # the sweep is a path of its own, and it removes the object of a lapsed reservation
    assert "lapsed reservations" in {s.number: s for s in pastebin_model.paths["cleanup"].steps}[6].text


def test_the_hot_spots_are_what_the_assumptions_give_by_hand(pastebin_model):
    import math

    from blueprint import capacity, load

    writes = 10_000_000 * 0.1 / 86_400 * 3  # peak creates per second
    reads = 10 * writes
    origin, miss = 0.2, 0.2 * 0.2  # a CDN miss; a CDN miss that also misses the cache
    text, row, small = 10_000, 200, 100  # a paste's text; a row of a few columns; an ID, a delete or a purge
    expected = {  # (requests, bytes) per second
        # read step 2 returns the text; the purges of cleanup steps 4 and 8 name a URL
        "cdn": (reads + 2 * writes, reads * text + 2 * writes * small),
        # write 4 (counted at the text's size, an upper bound), write 11 (a row); read 8; cleanup 2, 6, 10
        "metadata_db": (2 * writes + miss * reads + 3 * writes,
                        writes * text + writes * row + miss * reads * text + 3 * writes * small),
        # read 7 and 10 carry the text; cleanup 3 and 7 delete a key
        "cache": (origin * reads + miss * reads + 2 * writes, (origin + miss) * reads * text + 2 * writes * small),
        # write 6 uploads the text, write 9 is a HEAD; read 9 fetches the text; cleanup 9 deletes the object
        "object_store": (2 * writes + miss * reads + writes,
                         writes * text + writes * small + miss * reads * text + writes * small),
    }
    loads = {l.component: l for l in load.compute(pastebin_model, capacity.compute(pastebin_model))}
    for name, (rps, bps) in expected.items():
        assert math.isclose(loads[name].requests, rps, rel_tol=1e-9), name
        assert math.isclose(loads[name].bytes, bps, rel_tol=1e-9), name
    assert load.hottest(list(loads.values())).component == "cdn"
    assert loads["metadata_db"].nodes == 1
