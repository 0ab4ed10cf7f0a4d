"""The chat service page, as a specification: its workflow keeps every item of the source,
its WebSockets are drawn as connections, every cache read has a miss path, and the queries
it shows run on SQLite and on a real PostgreSQL server with the results the page claims.
"""

from __future__ import annotations

import re
import runpy
import sqlite3
import threading
from pathlib import Path

import psycopg
import pytest


from blueprint.sql_pages import read_section, statements

ROOT = Path(__file__).resolve().parents[1]
DDL = ROOT / "snippets/schemas/chat.sql"
QUERIES = "snippets/sql/chat.sql"

# The source's chat workflow is one numbered list of 43 items: 21 that move data, then 22
# remarks (ordering, offline delivery, retention, presence, availability, security).
SOURCE_WORKFLOW_ITEMS = 43


@pytest.fixture(scope="module")
def chat():
    return runpy.run_path(str(ROOT / "diagrams/chat.py"))["chat"]


@pytest.fixture(scope="module")
def workflow(chat):
    return chat.paths["workflow"]


@pytest.fixture(scope="module")
def heartbeats(chat):
    return chat.paths["heartbeats"]


def step(workflow, number):
    return next(s for s in workflow.steps if s.number == number)


# --- The diagram script -----------------------------------------------------------------


def test_every_source_item_is_a_step_or_a_note(workflow):
    assert len(workflow.steps) + len(workflow.notes) >= SOURCE_WORKFLOW_ITEMS


def test_the_workflow_is_told_in_titled_stages_of_at_most_12_arrows(workflow):
    stages = workflow.stages()
    titles = [stage.title for stage in stages]
    # Each title says what happens in its picture, not only which feature it is about.
    assert titles == [
        "Sign in over HTTPS and load the home screen",
        "Open each WebSocket on the chat server its user hashes to",
        "One-to-one: store, tick sent, route through pub-sub",
        "Delivered and read receipts travel back to the sender",
        "Receiver offline: push, reconnect, catch up",
        "Group message: store once, fan out per chat server",
        "Presence: a key means online, a miss reads last seen",
        "Media: upload to object storage, download through the CDN",
        "Search: index in the background, query over HTTPS",
    ]
    for stage in stages:
        assert sum(len(s.targets) for s in stage.steps) <= 12, stage.title
    numbers = [s.number for stage in stages for s in stage.steps]
    assert numbers == list(range(1, len(numbers) + 1)), "numbering runs on across the stages"


def test_sender_and_receiver_are_two_clients_on_websockets(chat):
    assert chat.components["sender"].kind == chat.components["receiver"].kind == "client"
    ends = {frozenset(c.ends): c.label for c in chat.connections}
    assert ends[frozenset({"sender", "gateway"})] == "WebSocket"
    assert ends[frozenset({"receiver", "gateway"})] == "WebSocket"
    assert {"chat_a", "chat_b"} <= {end for c in chat.connections for end in c.ends}


# Each read of a cache (or of an in-memory map) and the step that handles its miss.
READS_AND_MISSES = {
    5: 6,     # group cache -> chat store
    49: 50,   # presence cache -> last-seen store (a miss means offline)
    55: 56,   # CDN -> object storage
    20: 29,   # chat server B's map of connections -> push notification (not connected)
    43: 45,   # the same map, for group members
}


@pytest.mark.parametrize("read, miss", sorted(READS_AND_MISSES.items()))
def test_every_cache_read_has_a_drawn_miss_path(workflow, read, miss):
    read_step, miss_step = step(workflow, read), step(workflow, miss)
    assert read_step.when is None and miss_step.when, "the miss is a conditional (dashed) step"
    assert miss_step.source == read_step.source or miss_step.source in read_step.targets
    assert miss > read


CACHE_WRITES = {
    11: "presence key set on connect",
    40: "append to a cached group list",
}  # the heartbeat that resets the presence TTL is the heartbeats path's step 4


def test_every_step_into_a_cache_is_a_known_write_or_a_read_with_a_miss(chat, workflow):
    caches = {cid for cid, c in chat.components.items() if c.kind in ("redis", "cdn")}
    into_caches = {s.number for s in workflow.steps if set(s.targets) & caches}
    assert into_caches == set(CACHE_WRITES) | {read for read in READS_AND_MISSES if read not in (20, 43)}


def test_the_cdn_carries_media_and_never_a_chat_message(workflow):
    touching = [s for s in workflow.steps if "cdn" in (s.source, *s.targets)]
    assert [(s.source, s.targets) for s in touching] == [("receiver", ("cdn",)), ("cdn", ("object_store",))]
    corrections = " ".join(n.text for n in workflow.notes if n.theme == "Corrections")
    assert "through the CDN" in corrections and "pub-sub" in corrections


def test_group_messages_fan_out_through_pub_sub_to_chat_servers(workflow):
    group = next(stage for stage in workflow.stages() if stage.title.startswith("Group message"))
    hops = [(s.source, s.targets) for s in group.steps]
    assert ("chat_a", ("pubsub",)) in hops and ("pubsub", ("chat_b",)) in hops


def test_ordering_is_by_sequence_number_not_wall_clock(workflow):
    notes = " ".join(n.text for n in workflow.notes if n.theme == "Ordering and IDs")
    assert "sequence number" in notes and "Snowflake" in notes and "clocks" in notes


def test_sent_is_shown_only_after_the_message_is_stored_and_published(workflow):
    """Review C2: with the tick before the publish, a chat server that crashed in between left
    an online receiver waiting for the next message or reconnect. Publishing first means a
    crash anywhere before the tick makes the app resend, and the resend publishes the stored copy."""
    store, publish, sent = step(workflow, 16), step(workflow, 17), step(workflow, 18)
    assert store.targets == ("chat_store",) and "QUORUM" in store.text
    assert publish.targets == ("pubsub",) and "acknowledges" in publish.text
    assert sent.targets == ("gateway",) and "**sent**" in sent.text and "durable" in sent.text
    assert "published again" in store.text


def test_delivery_is_at_least_once_with_dedup_on_both_sides(workflow):
    notes = " ".join(n.text for n in workflow.notes if n.theme == "Ordering and IDs")
    assert "at least once" in notes and "client_msg_id" in notes and "already holds" in notes
    assert "answered with its first sequence number" in step(workflow, 16).text
    assert "IF NOT EXISTS" in notes and "overwrites" in notes, "a plain Cassandra insert is an upsert"


def test_the_resend_guard_and_the_message_are_one_conditional_write_in_one_partition(workflow):
    """Review C1: a guard row in a table of its own and the message's seq row are two LWTs on
    two partitions, which Cassandra cannot make atomic; a crash between them loses a message
    (guard alone) or shows it twice (message alone). The page keeps the guard in the
    conversation's partition and writes both in one conditional batch, and says what a
    crash and a write timeout leave."""
    assert "one conditional write to the conversation's partition" in step(workflow, 16).text
    notes = " ".join(n.text for n in workflow.notes if n.theme == "Ordering and IDs")
    assert "shares the conversation's partition" in notes and "one conditional batch" in notes
    assert "both or neither" in notes and "write timeout" in notes
    assert "small table keyed by it" not in notes
    page = (ROOT / "docs" / "systems" / "chat.md").read_text(encoding="utf-8")
    assert "is a second" not in page  # no second Paxos round for the guard


def test_a_watermark_is_advanced_only_forward_in_cassandra_too(workflow):
    """Review C3: a plain Cassandra write is last-write-wins, so a late receipt would move the
    watermark back; the step says the write is conditional, and the capacity prose counts it."""
    assert "IF delivered_seq < n" in step(workflow, 24).text
    page = (ROOT / "docs" / "systems" / "chat.md").read_text(encoding="utf-8")
    assert "receipt" in page[page.index("## Capacity"):page.index("## Trade-offs")]


def test_a_removed_member_is_cut_off_by_a_new_sender_key_not_by_a_replica(chat):
    """Review C4: fan-out reads the member list from an asynchronous replica, so only new keys
    can make 'they receive nothing sent after this' true."""
    remove = next(e for e in chat.endpoints if e.method == "DELETE" and "members" in e.route)
    assert "sender key" in dict(remove.status)[204]
    security = " ".join(n.text for n in chat.paths["workflow"].notes if n.theme == "Security")
    assert "leaves" in security and "new sender key" in security


def test_the_gateway_and_the_chat_servers_route_with_one_ring(workflow):
    assert "hashes the user_id onto the ring" in step(workflow, 9).text
    assert "same ring" in step(workflow, 17).text and "same ring" in " ".join(n.text for n in workflow.notes)
    (ring,) = [s for s in workflow.steps if s.source == "admin_service"]
    assert set(ring.targets) == {"gateway", "chat_a", "chat_b"}, "every router gets the same ring"


def test_semi_sync_replication_is_not_promised_to_lose_nothing(workflow):
    (note,) = [n.text for n in workflow.notes if "semi-synchronous" in n.text]
    assert "falls back to asynchronous" in note and "loses nothing" not in note


# --- Figures quoted in prose come from arithmetic that a test redoes --------------------


def page_text():
    return " ".join((ROOT / "docs/systems/chat.md").read_text(encoding="utf-8").split())


def test_the_chat_server_count_matches_its_arithmetic():
    match = re.search(r"with ([\d,]+) million users online at once and ([\d,]+) WebSockets per chat server, "
                      r"that is ([\d,]+) chat servers", page_text())
    assert match
    users, per_server, servers = (int(g.replace(",", "")) for g in match.groups())
    assert users * 1_000_000 / per_server == servers


def test_the_heartbeat_write_rate_matches_its_arithmetic():
    match = re.search(r"([\d,]+) million users at one heartbeat every (\d+) s is over (\d+) million writes a second",
                      page_text())
    assert match
    users, every, floor = int(match.group(1).replace(",", "")), int(match.group(2)), int(match.group(3))
    assert floor < users / every < floor + 1


def test_the_presence_ttl_is_a_few_heartbeats(workflow, heartbeats):
    heartbeat = int(re.search(r"Every (\d+) seconds", step(heartbeats, 1).text).group(1))
    ttl = int(re.search(r"EX (\d+)", step(workflow, 11).text).group(1))
    assert ttl == 3 * heartbeat, "the TTL note says two or three heartbeats, 60 to 90 s"
    (note,) = [n.text for n in workflow.notes if "5 minutes" in n.text]
    assert f"({2 * heartbeat} to {3 * heartbeat} s)" in note and f"every {heartbeat} s" in note
    assert f"({ttl} seconds here)" in page_text()


# --- The schema and the queries ---------------------------------------------------------

SEED = """
INSERT INTO users (id, name, phone, created_at) VALUES
  (1, 'Ada', '+100', '2026-01-01'), (2, 'Bo', '+200', '2026-01-01'),
  (3, 'Cy', '+300', '2026-01-01'), (4, 'Di', '+400', '2026-01-01');
INSERT INTO friends (user_id, friend_id, created_at) VALUES
  (1, 2, '2026-01-02'), (1, 3, '2026-01-02'), (3, 4, '2026-01-02');
INSERT INTO groups (id, name, created_at) VALUES (1, 'Climbing', '2026-01-03');
INSERT INTO group_members (group_id, user_id, joined_at) VALUES
  (1, 2, '2026-01-03'), (1, 3, '2026-01-03');
INSERT INTO messages (conversation_id, seq, id, client_msg_id, sender_id, group_id, body, created_at) VALUES
  ('u:1:2', 1, 7000000000000000001, 'phone-1-0001', 1, NULL, 'c1', '2026-11-30 10:00:01'),
  ('u:1:2', 2, 7000000000000000002, 'phone-2-0001', 2, NULL, 'c2', '2026-11-30 10:00:02'),
  ('u:1:2', 3, 7000000000000000003, 'phone-1-0002', 1, NULL, 'c3', '2026-11-30 10:00:03'),
  ('g:1',   1, 7000000000000000004, 'phone-3-0001', 3, 1,    'g1', '2026-11-30 10:00:04'),
  ('g:1',   2, 7000000000000000005, 'phone-2-0002', 2, 1,    'g2', '2026-11-30 10:00:05');
INSERT INTO receipts (conversation_id, user_id, delivered_seq, read_seq) VALUES
  ('u:1:2', 1, 2, 2), ('u:1:2', 2, 2, 1), ('g:1', 2, 0, 0);
"""


def run_script(connection, sql):
    for statement in statements(sql):
        connection.execute(statement)


def query(connection, name):
    return [tuple(row) for row in connection.execute(read_section(ROOT, QUERIES, name)).fetchall()]


@pytest.fixture(scope="module")
def postgres(postgres_database):
    """This module's own database on the session's PostgreSQL server."""
    return postgres_database


_schemas = iter(range(1, 1000))


@pytest.fixture(params=["sqlite", "postgres"])
def db(request):
    if request.param == "sqlite":
        connection = sqlite3.connect(":memory:", isolation_level=None)
        connection.execute("PRAGMA foreign_keys = ON")
        errors = sqlite3.IntegrityError
    else:
        server = request.getfixturevalue("postgres")
        connection = server.connect()
        schema = f"chat_{next(_schemas)}"
        connection.execute(f"CREATE SCHEMA {schema}")
        connection.execute(f"SET search_path TO {schema}")
        errors = psycopg.errors.IntegrityError
    run_script(connection, DDL.read_text(encoding="utf-8"))
    run_script(connection, SEED)
    yield request.param, connection, errors
    connection.close()


def messages(connection, conversation):
    sql = f"SELECT seq, sender_id, client_msg_id FROM messages WHERE conversation_id = '{conversation}' ORDER BY seq"
    return [tuple(row) for row in connection.execute(sql).fetchall()]


def test_storing_takes_the_next_sequence_number_and_a_resend_is_dropped(db):
    _, connection, _ = db
    run_script(connection, read_section(ROOT, QUERIES, "store_message"))
    assert messages(connection, "u:1:2")[-1] == (4, 1, "phone-1-0042")
    run_script(connection, read_section(ROOT, QUERIES, "store_message"))  # the app resends
    assert [seq for seq, *_ in messages(connection, "u:1:2")] == [1, 2, 3, 4]
    assert [seq for seq, *_ in messages(connection, "g:1")] == [1, 2], "other conversations keep their own numbers"


def test_a_taken_sequence_number_is_an_error_not_a_silent_drop(db):
    _, connection, errors = db
    with pytest.raises(errors):
        connection.execute(
            "INSERT INTO messages (conversation_id, seq, id, client_msg_id, sender_id, created_at) "
            "VALUES ('u:1:2', 3, 7000000000000000099, 'phone-2-0099', 2, '2026-11-30 10:00:09') "
            "ON CONFLICT (sender_id, client_msg_id) DO NOTHING"
        )


def test_two_servers_storing_at_once_cannot_share_a_sequence_number(postgres):
    """Two transactions read the same MAX(seq); the primary key makes the second one fail."""
    first, second = postgres.connect(), postgres.connect()
    schema = f"chat_{next(_schemas)}"
    first.execute(f"CREATE SCHEMA {schema}")
    for connection in (first, second):
        connection.execute(f"SET search_path TO {schema}")
    run_script(first, DDL.read_text(encoding="utf-8"))
    run_script(first, SEED)
    store = read_section(ROOT, QUERIES, "store_message")
    other = store.replace("'phone-1-0042', 1", "'phone-2-0042', 2").replace("0042,", "0043,")
    assert other != store
    first.execute("BEGIN")
    first.execute(store)  # seq 4, not committed yet
    outcome = {}

    def racer():
        try:
            second.execute("BEGIN")
            second.execute(other)  # also computes seq 4, then waits on the key
            second.execute("COMMIT")
            outcome["error"] = None
        except psycopg.Error as error:
            outcome["error"] = error
            second.execute("ROLLBACK")

    thread = threading.Thread(target=racer)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive(), "the second insert waits for the first transaction"
    first.execute("COMMIT")
    thread.join(10)
    assert isinstance(outcome["error"], psycopg.errors.UniqueViolation)
    assert [r[0] for r in first.execute(
        "SELECT seq FROM messages WHERE conversation_id = 'u:1:2' ORDER BY seq").fetchall()] == [1, 2, 3, 4]
    first.close()
    second.close()


def test_missed_messages_are_the_ones_after_the_last_held(db):
    _, connection, _ = db
    run_script(connection, read_section(ROOT, QUERIES, "store_message"))
    assert [row[:2] for row in query(connection, "missed")] == [(3, 1), (4, 1)]


def test_read_receipts_move_watermarks_forward_only(db):
    _, connection, _ = db
    run_script(connection, read_section(ROOT, QUERIES, "advance_read"))
    watermark = "SELECT delivered_seq, read_seq FROM receipts WHERE conversation_id = 'u:1:2' AND user_id = 2"
    assert tuple(connection.execute(watermark).fetchone()) == (3, 3)
    connection.execute("UPDATE receipts SET delivered_seq = 7, read_seq = 5 "
                       "WHERE conversation_id = 'u:1:2' AND user_id = 2")
    run_script(connection, read_section(ROOT, QUERIES, "advance_read"))  # a late, older receipt
    assert tuple(connection.execute(watermark).fetchone()) == (7, 5)


def test_a_first_receipt_creates_its_watermark_row(db):
    """No step creates a receipts row before the first receipt: an UPDATE alone would match
    nothing and drop the first delivered or read tick."""
    _, connection, _ = db
    connection.execute("DELETE FROM receipts WHERE conversation_id = 'u:1:2' AND user_id = 2")
    watermark = "SELECT delivered_seq, read_seq FROM receipts WHERE conversation_id = 'u:1:2' AND user_id = 2"
    run_script(connection, read_section(ROOT, QUERIES, "advance_delivered"))
    assert tuple(connection.execute(watermark).fetchone()) == (3, 0)
    connection.execute("UPDATE receipts SET delivered_seq = 5 WHERE conversation_id = 'u:1:2' AND user_id = 2")
    run_script(connection, read_section(ROOT, QUERIES, "advance_delivered"))  # late and older
    assert tuple(connection.execute(watermark).fetchone()) == (5, 0)
    run_script(connection, read_section(ROOT, QUERIES, "advance_read"))
    assert tuple(connection.execute(watermark).fetchone()) == (5, 3)
    connection.execute("DELETE FROM receipts WHERE conversation_id = 'u:1:2' AND user_id = 2")
    run_script(connection, read_section(ROOT, QUERIES, "advance_read"))  # a read before any delivered
    assert tuple(connection.execute(watermark).fetchone()) == (3, 3)


def test_a_reconnecting_sender_gets_the_watermarks_it_missed(db, workflow, chat):
    """A receipt published to an offline sender's chat server reaches no socket; the
    catch-up (step 33) carries the other members' watermarks, and so does the API."""
    _, connection, _ = db
    assert query(connection, "watermarks") == [(2, 2, 1)]
    assert "watermark" in step(workflow, 33).text
    reader = next(e for e in chat.endpoints
                  if e.method == "GET" and e.route == "/v1/conversations/{conversation_id}/messages")
    assert any(name.startswith("receipts") for name, _ in reader.response)


def test_read_cannot_pass_delivered(db):
    _, connection, errors = db
    with pytest.raises(errors):
        connection.execute("UPDATE receipts SET read_seq = 9 WHERE conversation_id = 'u:1:2' AND user_id = 2")


def test_unread_counts_skip_own_messages_and_read_ones(db):
    _, connection, _ = db
    assert query(connection, "unread") == [("g:1", 1), ("u:1:2", 1)]
    run_script(connection, read_section(ROOT, QUERIES, "store_message"))
    assert query(connection, "unread") == [("g:1", 1), ("u:1:2", 2)]
    run_script(connection, read_section(ROOT, QUERIES, "advance_read"))
    assert query(connection, "unread") == [("g:1", 1), ("u:1:2", 1)]


def test_a_friendship_is_stored_once_and_found_from_either_side(db):
    _, connection, errors = db
    assert query(connection, "friends_of") == [(2,), (3,)]
    with pytest.raises(errors):
        connection.execute("INSERT INTO friends (user_id, friend_id, created_at) VALUES (2, 1, '2026-01-05')")


def test_the_page_shows_the_tested_queries():
    page = (ROOT / "docs/systems/chat.md").read_text(encoding="utf-8")
    for name in ("store_message", "missed", "advance_delivered", "advance_read", "watermarks", "unread", "friends_of"):
        assert f'--8<-- "{QUERIES}:{name}"' in page
    assert "(../concepts/snowflake.md)" in page  # the generator's code is shown there, tested once
    assert "<!-- blueprint: chat/workflow -->" in page and "<!-- blueprint: chat/schema -->" in page


def test_indexing_is_queued_before_the_sent_tick_and_repeats_are_harmless(workflow):
    """A crash between the sent tick and the index queue would leave a stored message that
    search never finds, and nobody would resend it: the tick waits for the queue."""
    assert "step 57" in step(workflow, 18).text
    assert "before the sent tick" in step(workflow, 57).text
    assert "unique key is conversation and seq" in step(workflow, 59).text


def test_a_group_message_gets_its_sent_tick_and_its_resend_guard(workflow):
    assert "same conditional write as step 16" in step(workflow, 39).text
    assert "resend" in step(workflow, 40).text
    assert "**sent**" in step(workflow, 41).text


def test_an_oversized_upload_is_refused_as_a_bad_request_and_by_the_signed_url(chat):
    upload = next(e for e in chat.endpoints if e.route == "/v1/media/upload_urls")
    codes = dict(upload.status)
    assert 413 not in codes, "413 is about this request's own body, which is a few bytes"
    assert "size" in codes[400]
    assert "Content-Length" in dict(upload.response)["upload_url"]


def test_a_heartbeat_recreates_the_presence_key_and_one_closed_device_is_not_offline(workflow, heartbeats):
    """A heartbeat that only renewed the TTL (EXPIRE) would leave a user shown offline for
    good once one of their devices had deleted the key while another stayed connected."""
    assert "`SET presence:<id> online EX 90`" in step(heartbeats, 4).text
    closing = next(note.text for note in workflow.notes if "offline on purpose" in note.text)
    assert "last connected device" in closing


def test_heartbeats_run_at_their_own_rate_and_make_presence_the_busiest_store(chat):
    """A share is at most 1, so heartbeats, seven for every message at the peak, cannot
    ride on the per-message workflow: their path runs at 100 million apps / 30 s."""
    from blueprint import capacity, load

    rate, _, why = chat.paths["heartbeats"].rate
    assert rate == 100_000_000 / 30 and "every 30 s" in why
    assert chat.paths["workflow"].per == "write"
    chat.id, chat.source = "chat", "diagrams/chat.py"
    loads = {l.component: l for l in load.compute(chat, capacity.compute(chat))}
    stores = [l for l in loads.values() if chat.components[l.component].failure]
    assert max(stores, key=lambda l: l.requests).component == "presence_cache"
    peak_messages = next(r["magnitude"] for r in capacity.compute(chat)["results"] if r["name"] == "write_qps_peak")
    assert 7 <= loads["presence_cache"].requests / peak_messages < 8  # the page's "about seven heartbeats"


def test_every_write_after_a_delivery_names_its_key(chat):
    """Pub-sub and the index queue deliver at least once: the receipt watermark moves forward
    only, a resent group message is found by its client_msg_id, the index by conversation and seq."""
    steps = {s.number: s for s in chat.paths["workflow"].steps}
    assert "only moves forward" in steps[24].idempotent_by
    assert "client_msg_id" in steps[39].idempotent_by and "client_msg_id" in steps[40].idempotent_by
    assert "conversation and seq" in steps[59].idempotent_by
    assert steps[16].after_crash[0] == "idempotent retry"
