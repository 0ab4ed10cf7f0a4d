"""Tagging service: every source item is kept, both branches of the read path are drawn with
their miss paths, and the queries shown on the page (snippets/sql/tagging.sql) return what a
brute-force reading of the same rows says, using the index the page claims."""

from __future__ import annotations

import itertools
import random
import time
from concurrent.futures import ThreadPoolExecutor
import re
import sqlite3
from collections import Counter

import pytest

from blueprint.sql_pages import read_section
from conftest import ROOT

SCHEMA = ROOT / "snippets" / "schemas" / "tagging.sql"
QUERIES = "snippets/sql/tagging.sql"
LARGEST_ID = 2**63 - 1

# Items of the source's numbered lists (its "Write path" and "Read path" sections).
SOURCE_ITEMS = {"write": 13, "read": 13}


@pytest.mark.parametrize("path_id", sorted(SOURCE_ITEMS))
def test_every_source_item_is_a_step_or_a_note(catalogue, path_id):
    path = catalogue.systems["tagging"].paths[path_id]
    assert len(path.steps) + len(path.notes) >= SOURCE_ITEMS[path_id]


def test_the_schema_is_items_many_to_many_tags(catalogue):
    assert [str(r) for r in catalogue.schemas["tagging"].relationships()] == [
        "items many-to-many tags through item_tags"
    ]


def test_popular_and_non_popular_tags_are_two_conditional_branches(catalogue):
    read = catalogue.systems["tagging"].paths["read"]
    branches = {step.when for step in read.steps if step.when}
    assert {"If the tag is popular", "If the tag is not popular"} <= branches
    popular = {step.targets for step in read.steps if step.when == "If the tag is popular"}
    assert popular == {("tags_cache",), ("items_cache",)}


def test_every_cache_read_has_a_drawn_miss_path(catalogue):
    system = catalogue.systems["tagging"]
    caches = {"tags_cache": "On a tags cache miss", "items_cache": "On an items cache miss", "cdn": "On a CDN miss"}
    read = system.paths["read"]
    for cache, miss in caches.items():
        reads = [step for step in read.steps if cache in step.targets and step.source != "fanout"]
        if not reads:
            continue
        misses = [step for step in read.steps if step.when == miss]
        assert misses, f"{cache} is read but no step says '{miss}'"
        assert all(step.number > min(r.number for r in reads) for step in misses)


def test_the_trie_server_links_the_trie_concept(catalogue):
    from blueprint.kinds import concept_page

    trie = catalogue.systems["tagging"].components["trie_server"]
    assert concept_page(trie.kind) == "concepts/trie.md"


# --- The queries shown on the page ---------------------------------------------------------


def section(name: str) -> str:
    return read_section(ROOT, QUERIES, name)


@pytest.fixture
def db() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.executescript(SCHEMA.read_text())
    return connection


NEW_IDS = itertools.count(10**15)  # stands in for the ID generator (Snowflake IDs need 64 bits)


def statements(name: str) -> list[str]:
    """A section's statements, one by one (sqlite3 and psycopg run one at a time)."""
    return [statement for statement in section(name).split(";") if "INSERT" in statement or "SELECT" in statement]


def tag(db: sqlite3.Connection, item_id: int, name: str, now: str) -> None:
    for statement in statements("tag_item"):
        db.execute(statement, {"tag": name, "item_id": item_id, "now": now, "new_tag_id": next(NEW_IDS)})


def random_taggings(seed: int) -> list[tuple[int, str, str]]:
    """(item_id, tag, tagged_at): items created in ID order, each with one to four tags."""
    rng = random.Random(seed)
    names = [f"tag{i}" for i in range(12)]
    weights = [1 / (rank + 1) for rank in range(len(names))]  # a few popular tags, a long tail
    taggings = []
    for item_id in range(1, 301):
        day = 1 + item_id * 9 // 301  # items are created over nine days, in ID order
        when = f"2026-11-{day:02d} 12:00:00"
        for name in set(rng.choices(names, weights, k=rng.randint(1, 4))):
            taggings.append((item_id, name, when))
    return taggings


def load(db: sqlite3.Connection, taggings: list[tuple[int, str, str]]) -> None:
    for item_id, _, when in taggings:
        db.execute("INSERT OR IGNORE INTO items (id, owner_id, created_at) VALUES (?, 1, ?)", (item_id, when))
    for item_id, name, when in taggings:
        tag(db, item_id, name, when)


def test_tagging_twice_changes_nothing(db):
    db.execute("INSERT INTO items (id, owner_id, created_at) VALUES (7, 1, '2026-11-30 09:00:00')")
    tag(db, 7, "sql", "2026-11-30 09:00:00")
    tag(db, 7, "sql", "2026-11-30 09:00:05")  # the queue delivered the message again
    assert db.execute("SELECT count(*) FROM tags").fetchone() == (1,)
    assert db.execute("SELECT item_id, tagged_at FROM item_tags").fetchall() == [(7, "2026-11-30 09:00:00")]


def test_a_redelivered_create_stores_its_row_once_and_is_not_refused(db):
    """Write step 9 runs again when the queue redelivers a create: the item row's insert must be a
    no-op, not a primary-key error that would send the create to the dead-letter queue."""
    for now in ("2026-11-30 09:00:00", "2026-11-30 09:00:07"):  # delivered, then delivered again
        db.execute(section("create_item"), {"item_id": 7, "owner_id": 1, "now": now})
        tag(db, 7, "sql", now)
    assert db.execute("SELECT id, created_at FROM items").fetchall() == [(7, "2026-11-30 09:00:00")]
    assert db.execute("SELECT count(*) FROM item_tags").fetchone() == (1,)


@pytest.mark.parametrize("seed", range(5))
def test_items_with_a_tag_pages_through_every_item_newest_first(db, seed):
    taggings = random_taggings(seed)
    load(db, taggings)
    for name in sorted({name for _, name, _ in taggings}):
        expected = sorted({item for item, tag_name, _ in taggings if tag_name == name}, reverse=True)
        seen, before = [], LARGEST_ID
        while True:
            page = [row[0] for row in db.execute(
                section("items_with_tag"), {"tag": name, "before": before, "page_size": 7})]
            assert len(page) <= 7
            if not page:
                break
            seen += page
            before = page[-1]
        assert seen == expected, name


def test_items_with_a_tag_reads_the_primary_key_backwards_without_sorting(db):
    load(db, random_taggings(0))
    plan = " | ".join(row[3] for row in db.execute(
        "EXPLAIN QUERY PLAN " + section("items_with_tag"), {"tag": "tag0", "before": LARGEST_ID, "page_size": 20}))
    assert "sqlite_autoindex_item_tags_1" in plan, plan  # the (tag_id, item_id) primary key
    assert "TEMP B-TREE" not in plan, plan  # no sort: the key is already in order


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("since", ["2026-11-01 00:00:00", "2026-11-06 00:00:00", "2026-11-09 00:00:00"])
def test_top_tags_match_a_brute_force_count(db, seed, since):
    taggings = random_taggings(seed)
    load(db, taggings)
    counts = Counter(name for _, name, when in taggings if when >= since)
    expected = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:5]
    assert db.execute(section("top_tags"), {"since": since, "k": 5}).fetchall() == expected


def test_the_page_shows_the_tested_queries():
    page = (ROOT / "docs" / "systems" / "tagging.md").read_text()
    for name in ("claim_item_id", "create_item", "tag_item", "items_with_tag", "top_tags"):
        assert f'--8<-- "{QUERIES}:{name}"' in page


# --- The same DDL and queries on PostgreSQL, the store the page names ---------------------


@pytest.fixture(scope="module")
def postgres(postgres_database):
    """Connections to this module's own database on the session's PostgreSQL server."""
    return postgres_database.connect


def on_postgres(sql: str) -> str:
    """psycopg spells the named parameter `:tag` as `%(tag)s`."""
    return re.sub(r"(?<!:):([a-z_]+)", r"%(\1)s", sql)


def test_the_ddl_and_queries_run_on_postgresql_with_64_bit_ids(postgres, db):
    taggings = random_taggings(3)
    load(db, taggings)  # SQLite, as above: the reference answers
    with postgres() as pg:
        pg.execute("DROP SCHEMA IF EXISTS tagging CASCADE; CREATE SCHEMA tagging; SET search_path TO tagging")
        pg.execute(SCHEMA.read_text())
        snowflake = 2**62  # a realistic item ID overflows a 32-bit INTEGER
        for item_id, name, when in taggings:
            pg.execute(on_postgres(section("create_item")), {"item_id": snowflake + item_id, "owner_id": 1, "now": when})
            for _ in range(2):  # delivered twice: the second run changes nothing
                for statement in statements("tag_item"):
                    pg.execute(on_postgres(statement), {"tag": name, "item_id": snowflake + item_id, "now": when,
                                                        "new_tag_id": next(NEW_IDS)})
        assert pg.execute("SELECT count(*) FROM item_tags").fetchone()[0] == len(taggings)
        for name in ("tag0", "tag5", "tag11"):
            arguments = {"tag": name, "before": LARGEST_ID, "page_size": 7}
            page = [row[0] - snowflake for row in pg.execute(on_postgres(section("items_with_tag")), arguments)]
            assert page == [row[0] for row in db.execute(section("items_with_tag"), arguments)], name
        arguments = {"since": "2026-11-06 00:00:00", "k": 5}
        assert pg.execute(on_postgres(section("top_tags")), arguments).fetchall() == \
            db.execute(section("top_tags"), arguments).fetchall()


# --- Review findings G1 and G2: the cached lists, and a tagging that is not a create ------------


# Write step 13, as the fanout service runs it: add the item to each popular tag's set that
# exists, and trim the set to its newest ARGV[2] members. All scores are 0; members are IDs
# zero-padded to 19 digits, so byte order is numeric order (scores, doubles, lose 64-bit IDs).
PUSH = """
local added = 0
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('ZADD', key, 0, ARGV[1])
    redis.call('ZREMRANGEBYRANK', key, 0, -(tonumber(ARGV[2]) + 1))
    added = added + 1
  end
end
return added
"""
KEEP = 1000


def member(item_id: int) -> str:
    return f"{item_id:019d}"


def test_out_of_order_and_repeated_deliveries_keep_the_cached_set_in_sql_order(redis_server, db):
    """A pool of workers applies messages in any order and some twice; the first page and every
    cursor below it must match the SQL listing, which an LPUSH-ordered list does not."""
    client = redis_server.client()  # the session's real Redis server
    client.flushall()
    rng = random.Random(7)
    base = 2**62  # 64-bit IDs: 2**62 and 2**62 + 1 are the same double, so they cannot be scores
    assert float(base) == float(base + 1)
    ids = [base + n for n in range(1, 1301)]
    client.zadd("tag:sql", {member(ids[0]): 0})  # the set exists (filled on an earlier miss)
    deliveries = ids[1:] + rng.sample(ids[1:], 200)  # some messages delivered twice
    rng.shuffle(deliveries)  # and in any order
    push = client.register_script(PUSH)
    for item_id in deliveries:
        assert push(keys=["tag:sql", "tag:absent"], args=[member(item_id), KEEP]) == 1  # no partial set created
    assert not client.exists("tag:absent")
    newest = sorted(ids, reverse=True)[:KEEP]
    cached = [int(m) for m in client.zrevrange("tag:sql", 0, -1)]
    assert cached == newest  # sorted, no duplicates, exactly the newest KEEP
    cursor = newest[499]
    page = client.zrevrangebylex("tag:sql", f"({member(cursor)}", "-", start=0, num=20)
    assert [int(m) for m in page] == newest[500:520]  # keyset paging, as `item_id < :before` in SQL
    # the old design: LPUSH in arrival order is not newest first, and repeats an ID
    arrival = list(reversed(deliveries))[:KEEP]
    assert arrival != newest[:len(arrival)] and len(set(arrival)) < len(arrival)


def test_a_tagging_is_not_a_create_and_a_refused_message_is_dead_lettered(catalogue):
    system = catalogue.systems["tagging"]
    steps = {step.number: step for step in system.paths["write"].steps}
    document = next(s for s in steps.values() if s.targets == ("nosql_db",))
    assert "$setOnInsert" in document.text and "$addToSet" in document.text  # no reset of votes, the tag is stored
    dead = [s for s in steps.values() if s.source == "fanout" and s.targets == ("message_queue",)]
    assert len(dead) == 1 and dead[0].when and "dead-letter" in dead[0].text
    assert "partitioned by item ID" in system.components["message_queue"].role
    put = next(e for e in system.endpoints if e.method == "PUT")
    assert 404 in dict(put.status)
    cached = next(s for s in steps.values() if s.targets == ("items_cache",))
    assert "deletes" in cached.text  # the cached document gets the new tag too


def test_a_tagging_that_overtakes_its_create_fails_the_foreign_key(db):
    """Why one item's messages must be consumed in order, and why a refused one needs a dead-letter queue."""
    with pytest.raises(sqlite3.IntegrityError):
        tag(db, 404, "sql", "2026-11-30 09:00:00")


def test_a_cursor_past_the_cached_set_is_served_from_sql(catalogue):
    read = catalogue.systems["tagging"].paths["read"]
    cached = next(s for s in read.steps if s.targets == ("tags_cache",))
    assert "A cursor below the oldest ID the set holds" in cached.text and "branch 2" in cached.text


# --- Second review: a retried create is queued under the ID its first attempt claimed ------------


def claim(connection, new_item_id: int, key: str = "k-1", author_id: int = 42) -> int:
    first, second = [on_postgres(statement) for statement in section("claim_item_id").split(";") if "create_requests" in statement]
    arguments = {"author_id": author_id, "key": key, "new_item_id": new_item_id, "now": "2026-12-07 09:00:00"}
    connection.execute(first, arguments)
    return connection.execute(second, arguments).fetchone()[0]


def test_a_retried_create_gets_the_first_attempts_item_id_even_when_they_race(postgres):
    """Write step 5 on PostgreSQL. The retry arrives while the first attempt's insert is not yet
    committed: it waits on the key, then reads the first attempt's ID, so the create is queued
    twice under one ID (which the fanout service applies once) and never under two."""
    snowflake = 2**62
    with postgres() as first, postgres() as second:
        first.execute("DROP SCHEMA IF EXISTS tagging_claims CASCADE; CREATE SCHEMA tagging_claims")
        for connection in (first, second):
            connection.execute("SET search_path TO tagging_claims")
        first.execute(SCHEMA.read_text())
        first.execute("BEGIN")
        assert claim(first, snowflake + 1) == snowflake + 1
        with ThreadPoolExecutor(max_workers=1) as pool:
            retry = pool.submit(claim, second, snowflake + 2)  # blocks on the uncommitted key
            time.sleep(0.3)
            assert not retry.done()
            first.execute("COMMIT")
            assert retry.result(timeout=10) == snowflake + 1
        assert claim(second, snowflake + 3) == snowflake + 1  # a retry an hour later: the same ID
        assert claim(second, snowflake + 4, author_id=43) == snowflake + 4  # another author's key is its own
        assert second.execute("SELECT count(*) FROM create_requests").fetchone()[0] == 2


def test_the_create_claims_its_key_before_it_is_queued(catalogue):
    write = catalogue.systems["tagging"].paths["write"]
    (claim_step,) = [s for s in write.steps if s.source == "web_server" and s.targets == ("sql_db",)]
    (queue_step,) = [s for s in write.steps if s.source == "web_server" and s.targets == ("message_queue",)]
    assert claim_step.number + 1 == queue_step.number and claim_step.when == "For a create with an Idempotency-Key, or a tagging"
    assert "For a tagging, it reads the item's row" in claim_step.text  # the 403 and 404 of PUT have a drawn read
    assert "Idempotency-Key" in claim_step.text and "claim an item ID" in claim_step.text


def test_any_tagging_drops_the_items_cached_document(catalogue):
    """The item may be cached for another, popular tag: a tagging with an unpopular tag must not
    leave its cached document without the new tag."""
    write = catalogue.systems["tagging"].paths["write"]
    (cached,) = [s for s in write.steps if s.targets == ("items_cache",)]
    assert "any tagging" in cached.when and "whether or not the new tag is popular" in cached.text


def test_the_trie_suggests_every_recent_tag_not_only_the_days_top(catalogue):
    write = catalogue.systems["tagging"].paths["write"]
    (trie,) = [s for s in write.steps if s.targets == ("trie_server",)]
    assert "every tag's taggings" in trie.text and "same counts" not in trie.text


def test_a_crash_between_two_stores_of_a_write_is_repaired_by_something_the_design_has(catalogue):
    """Issue 22's crash rule on the write path: files uploaded by a client that never creates the item
    are found by a daily job (a note says so), and every later pair of writes is repaired by the
    queue's redelivery, which needs the message acknowledged only after the last write."""
    write = catalogue.systems["tagging"].paths["write"]
    steps = {step.number: step for step in write.steps}
    assert steps[1].after_crash[0] == "reconciliation"
    assert any("daily job deletes uploads" in note.text for note in write.notes)
    assert {steps[n].after_crash[0] for n in (5, 6, 8, 9, 12)} == {"idempotent retry"}
    assert "only after step 13" in steps[7].text
