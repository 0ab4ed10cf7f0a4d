"""The newsfeed's writes that must be safe to repeat, on a real PostgreSQL server: a
retried post gets its first attempt's item ID (even when both attempts run at once), the
consumer stores an item once however often it is queued, and a follow counts once. The
queries are the page's own (snippets/sql/newsfeed.sql) on its DDL (snippets/schemas/newsfeed.sql)."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import psycopg
import pytest
from system_sql import fresh_schema, section

ROOT = Path(__file__).resolve().parents[1]
DDL = ROOT / "snippets" / "schemas" / "newsfeed.sql"
QUERIES = "snippets/sql/newsfeed.sql"
PAGE = ROOT / "docs" / "systems" / "newsfeed.md"
SECTIONS = ("post_key", "post_key_again", "expire_keys", "store_item", "follow", "unfollow", "delete_item")

AUTHOR, READER, OTHER = 1, 2, 3
KEY = "b1946ac9-2d1f-4c1b-9a6e-6d5a1f0e9c3b"


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
    yield from fresh_schema(server, f"newsfeed_{next(_schemas)}", DDL, (AUTHOR, READER, OTHER), QUERIES,
                            {"media_urls": None})


def post(db, connection, item_id: int, key: str = KEY, request_hash: str = "h1") -> tuple[int, str] | str:
    """What the web server does with POST /v1/feed_items: (the ID it queues and returns, why)."""
    given = {"user_id": AUTHOR, "idempotency_key": key, "item_id": item_id, "request_hash": request_hash}
    if db.run(connection, "post_key", **given):
        return item_id, "first"
    ((first_id, first_hash),) = db.run(connection, "post_key_again", **given)
    return (first_id, "retry") if first_hash == request_hash else "409"


def wait_until_blocked(db, connection: psycopg.Connection) -> None:
    pid = connection.info.backend_pid
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        row = db.setup.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
        if row and row[0] == "Lock":
            return
        time.sleep(0.02)
    pytest.fail("the second transaction never waited for the first one's lock")


# --- A post and its retries ------------------------------------------------------------------


def test_a_retried_post_gets_the_first_attempts_id(db):
    c = db()
    assert post(db, c, item_id=1001) == (1001, "first")
    assert post(db, c, item_id=1002) == (1001, "retry")  # the retry minted 1002; it is not used
    assert post(db, c, item_id=1003, key="another-post") == (1003, "first")


def test_a_different_post_under_the_same_key_is_refused(db):
    c = db()
    post(db, c, item_id=1001)
    assert post(db, c, item_id=1002, request_hash="h2") == "409"


def test_two_attempts_at_once_get_one_id(db):
    a, b = db(), db()
    a.execute("BEGIN")
    assert post(db, a, item_id=1001) == (1001, "first")
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("b", post(db, b, item_id=1002)))
    thread.start()
    wait_until_blocked(db, b)  # the primary key makes B wait for A's outcome
    a.execute("COMMIT")
    thread.join(5)
    assert result["b"] == (1001, "retry")


def test_an_item_queued_twice_is_stored_once(db):
    c = db()
    item = {"item_id": 1001, "user_id": AUTHOR, "body": "hello"}
    for _ in range(3):  # a redelivery, and the same item queued again by a retried post
        db.run(c, "store_item", **item)
    assert db.setup.execute("SELECT id, body FROM feed_items").fetchall() == [(1001, "hello")]


# --- Follows and the follower count ------------------------------------------------------------


def follower_count(db, user: int) -> int:
    return db.setup.execute("SELECT follower_count FROM users WHERE id = %s", (user,)).fetchone()[0]


def test_a_repeated_follow_counts_once_and_unfollow_mirrors_it(db):
    c = db()
    for _ in range(2):
        db.run(c, "follow", follower_id=READER, followee_id=AUTHOR)
    assert follower_count(db, AUTHOR) == 1
    db.run(c, "follow", follower_id=OTHER, followee_id=AUTHOR)
    assert follower_count(db, AUTHOR) == 2
    for _ in range(2):
        db.run(c, "unfollow", follower_id=READER, followee_id=AUTHOR)
    assert follower_count(db, AUTHOR) == 1
    count = db.setup.execute("SELECT COUNT(*) FROM follows WHERE followee_id = %s", (AUTHOR,)).fetchone()[0]
    assert count == follower_count(db, AUTHOR)


def test_two_identical_follows_at_once_count_once(db):
    a, b = db(), db()
    a.execute("BEGIN")
    db.run(a, "follow", follower_id=READER, followee_id=AUTHOR)
    thread = threading.Thread(target=lambda: db.run(b, "follow", follower_id=READER, followee_id=AUTHOR))
    thread.start()
    wait_until_blocked(db, b)
    a.execute("COMMIT")
    thread.join(5)
    assert follower_count(db, AUTHOR) == 1


# --- A delete --------------------------------------------------------------------------------


def test_only_the_author_deletes_and_only_once(db):
    c = db()
    db.run(c, "store_item", item_id=1001, user_id=AUTHOR, body="hello")
    assert db.run(c, "delete_item", item_id=1001, user_id=READER) == []
    assert db.run(c, "delete_item", item_id=1001, user_id=AUTHOR) == [(1001,)]
    assert db.run(c, "delete_item", item_id=1001, user_id=AUTHOR) == []
    # A retried post of that item, within the day its key is kept, is queued again; the
    # fanout service learns that it was deleted and stops before Cassandra and the caches.
    (again,) = db.run(c, "store_item", item_id=1001, user_id=AUTHOR, body="hello")
    assert again[0] is not None


def test_a_new_item_is_not_deleted(db):
    c = db()
    item = {"item_id": 1001, "user_id": AUTHOR, "body": "hello"}
    assert db.run(c, "store_item", **item) == [(None,)]


# --- Review of 2026-12-07 (rev_e) -------------------------------------------------------


def snowflake(when: str, machine: int = 7, counter: int = 3) -> int:
    """A 64-bit ID as the site's Snowflake generator makes it (snippets/algorithms/snowflake.py)."""
    from datetime import datetime, timezone
    ms = int(datetime.fromisoformat(when).replace(tzinfo=timezone.utc).timestamp() * 1000) - 1_704_067_200_000
    return (ms << 22) | (machine << 12) | counter


def test_a_snowflake_id_fits_the_item_and_key_tables(db):
    """The page calls item IDs Snowflake IDs: 64 bits, which a PostgreSQL INTEGER (32) cannot hold."""
    c = db()
    item_id = snowflake("2024-05-31T23:59:59.999")
    assert item_id > 2**31
    assert post(db, c, item_id=item_id) == (item_id, "first")
    db.run(c, "store_item", item_id=item_id, user_id=AUTHOR, body="hello")
    assert db.setup.execute("SELECT id FROM feed_items").fetchall() == [(item_id,)]


def test_the_stored_item_keeps_its_media_and_the_time_inside_its_id(db):
    """Write step 10 records the media URLs, and the item's time is the one its ID carries (the
    same that picks the Cassandra month), not the clock of whichever fanout worker stores it."""
    c = db()
    item_id = snowflake("2024-05-31T23:59:59.999")
    media = '["https://cdn.example.com/m/1.jpg"]'
    db.run(c, "store_item", item_id=item_id, user_id=AUTHOR, body="hello", media_urls=media,
           created_at="2024-06-01 00:00:05")  # a worker's clock, past the month boundary: ignored
    ((urls, created),) = db.setup.execute("SELECT media_urls, created_at FROM feed_items").fetchall()
    assert urls == media
    assert created.isoformat(timespec="milliseconds") == "2024-05-31T23:59:59.999"


def _write_steps():
    from blueprint.build import load_system
    system = load_system(ROOT / "diagrams" / "newsfeed.py", ROOT)[0]
    return system.paths["write"].steps


def test_a_fan_out_under_way_when_the_item_is_deleted_cleans_up_after_itself():
    """A delete that commits between the fanout's SQL check (step 10) and its last writes ran
    its removals before those writes landed: the Cassandra row, the pre-warmed item and the ID
    in the author's cached timeline came back. The fanout checks again, on the primary, after
    its writes, and Cassandra's last-write-wins is decided by the ID's time, not two clocks."""
    steps = _write_steps()
    (handover,) = [s for s in steps if s.source == "fanout" and "feed_generation" in s.targets]
    last_write = max(s.number for s in steps if s.source == "fanout" and s.number < handover.number)
    assert last_write < handover.number
    assert "`deleted_at` again" in handover.text and "primary" in handover.text
    (cassandra,) = [s for s in steps if s.source == "fanout" and "timelines_db" in s.targets]
    assert "USING TIMESTAMP" in cassandra.text


def test_idempotency_keys_leave_after_a_day_through_an_index(db):
    """The page promised the keys are deleted after a day; nothing deleted them, and a daily
    delete on created_at with no index would scan a day's 150 million rows."""
    c = db()
    post(db, c, item_id=1001)
    post(db, c, item_id=1002, key="old-post")
    db.setup.execute("UPDATE post_requests SET created_at = now() - interval '25 hours' WHERE item_id = 1002")
    db.run(c, "expire_keys")
    assert db.setup.execute("SELECT item_id FROM post_requests").fetchall() == [(1001,)]
    db.setup.execute(
        "INSERT INTO post_requests (user_id, idempotency_key, item_id, request_hash, created_at) "
        "SELECT 1, 'k' || n, n, 'h', now() FROM generate_series(1, 50000) AS n")
    db.setup.execute("ANALYZE post_requests")
    plan = "\n".join(row[0] for row in db.setup.execute("EXPLAIN " + section(QUERIES, "expire_keys")).fetchall())
    assert "Seq Scan" not in plan, plan


def test_the_post_checks_its_media_before_the_lifecycle_rule_can_delete_them():
    """The API answered 400 for an unknown media key, but no step looked at the media, and a
    file posted just under a day old could expire before the fanout cleared its tag."""
    steps = _write_steps()
    (accept,) = [s for s in steps if s.source == "web_server" and "sql_db" in s.targets]
    assert "object_store" in accept.targets and "HEAD" in accept.text and "12 hours" in accept.text


# --- Failure behaviour and load, from diagrams/newsfeed.py ------------------------------


@pytest.fixture(scope="module")
def newsfeed_model():
    from blueprint.build import load_system

    system, _ = load_system(ROOT / "diagrams" / "newsfeed.py", ROOT)
    return system


def test_every_write_after_the_queue_is_keyed_by_the_item_id_fixed_before_queueing(newsfeed_model):
    steps = newsfeed_model.paths["write"].steps
    queued = next(s.number for s in steps if s.effect == "deliver")
    after = [s for s in steps if s.number > queued and s.effect == "write"]
    assert {s.number for s in after} == {9, 10, 11, 12, 13, 16}
    for step in after:
        key = step.idempotent_by
        assert ("item ID" in key) or ("media keys" in key), step.number
    # the ID is fixed before the queue: recorded under the Idempotency-Key, then queued
    record = next(s for s in steps if s.number == 5)
    assert record.effect == "write" and "Idempotency-Key" in record.text


def test_no_store_is_a_single_point_of_failure_and_the_page_says_how(newsfeed_model):
    from blueprint import failure

    stateful = [c for c in newsfeed_model.components.values() if failure.is_stateful(newsfeed_model, c.id)]
    assert stateful and all(c.failure.redundant for c in stateful)
    page = PAGE.read_text(encoding="utf-8")
    for promise in ("replica per shard", "three copies", "three brokers", "synchronous standby"):
        assert promise in page, promise


def test_cassandra_load_is_what_the_assumptions_give_by_hand(newsfeed_model):
    import math

    from blueprint import capacity, load

    posts = 300_000_000 * 0.5 / 86_400 * 3  # peak posts per second
    reads = 20 * posts
    miss, profile = 0.2, 0.1
    # The home timeline overview retells steps of the write and read paths (a summary): it adds nothing.
    expected = (posts  # write step 11
                + miss * reads  # read step 10, a pull
                + profile * miss * reads)  # read step 14, a profile page that misses the cache
    loads = {l.component: l for l in load.compute(newsfeed_model, capacity.compute(newsfeed_model))}
    assert math.isclose(loads["timelines_db"].requests, expected, rel_tol=1e-9)
    assert loads["timelines_db"].nodes == math.ceil(expected / 3_800)
    # the home timeline cache: one pipelined push per post (write step 16, the item of 1 kB) and one read of a
    # page of 20 IDs, about 200 B, per feed load (read step 8)
    assert math.isclose(loads["home_cache"].requests, posts + reads, rel_tol=1e-9)
    assert math.isclose(loads["home_cache"].bytes, posts * 1_000 + reads * 200, rel_tol=1e-9)
