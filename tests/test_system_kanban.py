"""The Kanban board page, as a specification: every source item kept, two distinct clients on
WebSocket connections, a fan-out keyed by board, a miss path for every cache read, and the
conditional update shown on the page run on SQLite: a stale offline edit changes 0 rows, a
fresh one changes 1, and the merge and catch-up queries return what the page says."""

from __future__ import annotations

import itertools
import math
import json
import re
import sqlite3
from pathlib import Path

import pytest

from blueprint.build import load_system
from blueprint.sql_pages import read_section, statements

ROOT = Path(__file__).resolve().parents[1]
DDL = ROOT / "snippets" / "schemas" / "kanban.sql"
SQL = "snippets/sql/kanban.sql"
PAGE = ROOT / "docs" / "systems" / "kanban.md"

# The source's one numbered list (its "Workflow", items 1-26) is drawn as two paths: the live
# workflow and the offline sync. The floor is for both together; SOURCE_ITEM_WORDS below says
# where each item is kept.
SOURCE_ITEMS = 26
SOURCE_ITEM_WORDS = {
    1: "sends the change over its WebSocket",
    2: "round-robin",
    3: "appends the change to `board_versions`",
    4: "board ID as the message key",
    5: "A connection cannot travel",
    6: "fetch every change from the document store",
    7: "pushes the change down client B's WebSocket",
    8: "Client B receives version 41",
    9: "short-lived session key",
    10: "fast catch-up log",
    11: "eventually consistent",
    12: "single-page app from the CDN",
    13: "cached by the browser",
    14: "event-driven",
    15: "thin remote-procedure layer over the WebSocket",
    16: "(LRU)",
    17: "needs no big migration",
    18: "copies the change to its followers",
    19: "online clients read changes from the leader",
    20: "loads it from a follower",
    21: "stamps each offline change with a time",
    22: "in the order they were made",
    23: "recently viewed and the starred boards",
    24: "opens a new WebSocket",
    25: "last write to reach the server wins",
    26: "exponential backoff",
}


@pytest.fixture(scope="module")
def system():
    return load_system(ROOT / "diagrams" / "kanban.py", ROOT)[0]


# --- Source coverage and the drawing ---------------------------------------------------


def test_every_source_item_is_a_step_or_a_note(system):
    paths = [system.paths["workflow"], system.paths["offline_sync"]]
    assert sum(len(path.steps) + len(path.notes) for path in paths) >= SOURCE_ITEMS
    assert sorted(SOURCE_ITEM_WORDS) == list(range(1, SOURCE_ITEMS + 1))


@pytest.mark.parametrize("item", sorted(SOURCE_ITEM_WORDS))
def test_each_source_item_is_kept(system, item):
    texts = [entry.text for path_id in ("workflow", "offline_sync")
             for entry in (*system.paths[path_id].steps, *system.paths[path_id].notes)]
    assert any(SOURCE_ITEM_WORDS[item] in text for text in texts), item


def test_two_clients_of_kind_client_are_told_apart(system):
    a, b = system.components["client_a"], system.components["client_b"]
    assert a.kind == b.kind == "client"
    assert (a.label, b.label) == ("Client A", "Client B")


def test_both_clients_hold_websocket_connections_through_the_gateway(system):
    connections = {(c.ends, c.label) for c in system.connections}
    for client in ("client_a", "client_b"):
        assert ((client, "gateway"), "WebSocket") in connections
    assert {c.ends[1] for c in system.connections if c.ends[0] == "gateway"} == {"ws_1", "ws_2"}


def test_a_change_by_a_reaches_b_through_a_fan_out_keyed_by_board(system):
    flow = system.paths["workflow"]
    publish = next(s for s in flow.steps if s.targets == ("pubsub",))
    assert "board ID" in publish.text
    fan_out = next(s for s in flow.steps if s.source == "pubsub")
    assert set(fan_out.targets) == {"ws_1", "ws_2"}
    first_a = next(s.number for s in flow.steps if s.source == "client_a" and s.targets == ("gateway",))
    last = flow.steps[-1]
    assert (last.source, last.targets) == ("gateway", ("client_b",)) and last.number > first_a


def test_the_version_check_is_one_transaction(system):
    for path_id in ("workflow", "offline_sync"):
        steps = [s for s in system.paths[path_id].steps if s.transaction]
        assert steps and all(s.targets == ("doc_store",) for s in steps), path_id


CACHE_READS = {("workflow", "cdn"), ("workflow", "session_cache"), ("offline_sync", "replay_queue")}


def test_every_cache_read_has_a_drawn_miss_path(system):
    """The CDN, the session cache and the replay queue (a cache of recent changes) are each
    followed at once by a dashed step on a miss."""
    for path_id, cache in CACHE_READS:
        path = system.paths[path_id]
        read = next(s for s in path.steps if cache in s.targets and s.when is None)
        miss = path.steps[path.steps.index(read) + 1]
        assert miss.when, (path_id, cache)
        assert miss.source in {read.source, cache}, (path_id, cache)


def test_the_source_s_claims_are_corrected(system):
    corrections = " ".join(n.text for n in system.paths["workflow"].notes if n.theme == "Corrections")
    assert "leastconn" in corrections
    assert "default partitioner" in corrections
    assert "A connection cannot travel" in corrections


def test_the_page_explains_conflicts_and_links_the_crdt_page():
    page = PAGE.read_text(encoding="utf-8")
    assert "CRDT" in page and "last-writer-wins" in page
    assert "](../concepts/crdt.md)" in page and (ROOT / "docs" / "concepts" / "crdt.md").exists()
    for section in ("move", "log_change", "changed_since", "catch_up"):
        assert f'--8<-- "{SQL}:{section}"' in page
    for marker in ("schema", "workflow", "offline_sync"):
        assert f"<!-- blueprint: kanban/{marker} -->" in page


# --- The conditional update on SQLite ---------------------------------------------------


def run(connection, section: str, **params) -> sqlite3.Cursor:
    cursor = None
    for statement in statements(read_section(ROOT, SQL, section)):
        used = set(re.findall(r":(\w+)", statement))
        cursor = connection.execute(statement, {k: v for k, v in params.items() if k in used})
    return cursor


@pytest.fixture
def board():
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.executescript(DDL.read_text(encoding="utf-8"))
    run(connection, "seed")
    yield connection
    connection.close()


def task(connection, task_id=7):
    return connection.execute(
        "SELECT list_id, position, title, version FROM tasks WHERE id = ?", (task_id,)).fetchone()


_edits = itertools.count(1)


def accept(connection, section: str, *, user_id: int, change: dict, edit_id: str | None = None, **params) -> int:
    """What a WebSocket server does with one edit: the conditional update and, if it
    changed the row, the log entry, in one transaction. Returns the rows updated."""
    edit_id = edit_id or f"edit-{next(_edits)}"
    connection.execute("BEGIN")
    params.setdefault("board_id", 10)
    updated = run(connection, section, task_id=7, now="2026-11-30 12:00", **params).rowcount
    if updated == 1:
        run(connection, "log_change", board_id=10, task_id=7, change=json.dumps(change),
            user_id=user_id, now="2026-11-30 12:00", edit_id=edit_id)
    connection.execute("COMMIT")
    return updated


def test_a_fresh_edit_is_accepted_and_bumps_the_version(board):
    assert task(board) == (1, 1.0, "Write the release notes", 3)
    assert accept(board, "move", user_id=1, change={"list_id": 2, "position": 1.5},
                  list_id=2, position=1.5, base_version=3) == 1
    assert task(board) == (2, 1.5, "Write the release notes", 4)
    assert board.execute("SELECT version FROM boards WHERE id = 10").fetchone() == (41,)


def test_a_stale_offline_edit_updates_no_row(board):
    accept(board, "move", user_id=1, change={"list_id": 2, "position": 1.5}, list_id=2, position=1.5, base_version=3)
    # client B's rename was based on version 3 too, made while offline
    assert accept(board, "rename", user_id=2, change={"title": "Release notes v2"},
                  title="Release notes v2", base_version=3) == 0
    assert task(board) == (2, 1.5, "Write the release notes", 4)  # nothing changed
    assert board.execute("SELECT count(*) FROM board_versions").fetchone() == (1,)  # nothing logged


def test_the_stale_edit_is_merged_per_field_and_both_edits_survive(board):
    accept(board, "move", user_id=1, change={"list_id": 2, "position": 1.5}, list_id=2, position=1.5, base_version=3)
    assert accept(board, "rename", user_id=2, change={"title": "Release notes v2"},
                  title="Release notes v2", base_version=3) == 0
    changed = [row[0] for row in run(board, "changed_since", task_id=7, base_version=3)]
    assert changed == ["list_id", "position"]
    assert not {"title"} & set(changed)  # no overlap: apply on the current version
    current = task(board)[3]
    assert accept(board, "rename", user_id=2, change={"title": "Release notes v2"},
                  title="Release notes v2", base_version=current) == 1
    assert task(board) == (2, 1.5, "Release notes v2", 5)


def test_a_returning_client_gets_the_changes_after_its_version_in_order(board):
    accept(board, "move", user_id=1, change={"list_id": 2, "position": 1.5}, list_id=2, position=1.5, base_version=3)
    accept(board, "rename", user_id=2, change={"title": "Release notes v2"}, title="Release notes v2", base_version=4)
    accept(board, "move", user_id=1, change={"list_id": 3, "position": 1.0}, list_id=3, position=1.0, base_version=5)
    missed = run(board, "catch_up", board_id=10, last_seen=41).fetchall()
    assert [(version, json.loads(change)) for version, _, change in missed] == [
        (42, {"title": "Release notes v2"}),
        (43, {"list_id": 3, "position": 1.0}),
    ]
    # each log entry records the task version it produced, which changed_since relies on
    assert board.execute("SELECT task_version FROM board_versions ORDER BY version").fetchall() == [(4,), (5,), (6,)]
    assert [row[0] for row in run(board, "changed_since", task_id=7, base_version=5)] == ["list_id", "position"]


def test_two_edits_racing_on_the_same_version_cannot_both_win(board):
    first = accept(board, "move", user_id=1, change={"list_id": 2, "position": 1.5},
                   list_id=2, position=1.5, base_version=3)
    second = accept(board, "move", user_id=2, change={"list_id": 3, "position": 1.0},
                    list_id=3, position=1.0, base_version=3)
    assert (first, second) == (1, 0)
    assert task(board)[:2] == (2, 1.5)


def test_the_number_of_inserts_one_gap_of_positions_takes_is_the_one_the_page_quotes(system):
    """Inserting again and again just after position 1 (below 2) halves one gap until the
    midpoint of two doubles is one of them: the page quotes that count."""
    low, high, inserts = 1.0, 2.0, 0
    while (middle := (low + high) / 2) not in (low, high):
        high, inserts = middle, inserts + 1
    notes = " ".join(n.text for n in system.paths["offline_sync"].notes)
    assert f"after {inserts} inserts at the same spot" in notes


# --- Catching up: the server's numbering decides, never the device's clock (review K1, K2) --


def test_a_returning_client_sends_its_version_and_no_time(system):
    sync = system.paths["offline_sync"]
    hello = sync.steps[0]
    assert (hello.source, hello.targets) == ("client_b", ("gateway",))
    assert "(35)" in hello.text and "when it saw it" not in hello.text
    texts = " ".join(entry.text for entry in (*sync.steps, *sync.notes))
    assert "just before that time" not in texts
    assert "locates nothing" in texts  # the device's time is history only


def test_the_catch_up_starts_from_the_server_s_record_and_fills_every_gap(system):
    """Where to seek comes from the store (the server's changed_at of version 35) before the
    queue is read; after the read, a conditional step fetches any missing version from the
    log by primary key; the client then gets a run of versions without a gap."""
    steps = system.paths["offline_sync"].steps
    read = next(s for s in steps if s.targets == ("replay_queue",))
    before = [s for s in steps if s.number < read.number and s.targets == ("doc_store",)]
    assert before and "`changed_at`" in before[-1].text and "current version" in before[-1].text
    fill = steps[steps.index(read) + 1]
    assert (fill.source, fill.targets) == ("ws_2", ("doc_store",)) and fill.when
    assert "board and version" in fill.text and "sorting them by version" in read.text
    send = steps[steps.index(fill) + 1]
    assert send.targets == ("client_b",) and "without a gap" in send.text
    role = system.components["replay_queue"].role
    assert "in version order" not in role  # servers append after their commits, in any order


def test_a_device_clock_running_ahead_would_skip_changes_the_version_catch_up_returns(board):
    """Client B saw version 35 at 12:00 by the server's clock; its own clock ran five minutes
    ahead, so it would say 12:05. Versions 36 and 37 were committed at 12:02 and 12:04."""
    board.execute("UPDATE boards SET version = 41 WHERE id = 10")
    for version, minute in zip(range(35, 42), (0, 2, 4, 6, 8, 10, 12)):
        board.execute(
            "INSERT INTO board_versions (board_id, version, task_id, task_version, change, changed_by, changed_at, edit_id) "
            "VALUES (10, ?, 7, ?, '{}', 1, ?, ?)", (version, version - 31, f"2026-11-30 12:{minute:02d}", f"e{version}"))
    device_time = "2026-11-30 12:05"
    by_device_clock = [row[0] for row in board.execute(
        "SELECT version FROM board_versions WHERE board_id = 10 AND changed_at > ? ORDER BY version", (device_time,))]
    assert by_device_clock[0] == 38  # 36 and 37 silently lost: what the old design risked
    assert run(board, "where_to_start", board_id=10, last_seen=35).fetchall() == [(41, "2026-11-30 12:00")]
    missed = [row[0] for row in run(board, "catch_up", board_id=10, last_seen=35)]
    assert missed == list(range(36, 42))  # contiguous, from the client's version, whatever the clocks


def test_the_page_shows_where_the_catch_up_starts():
    page = PAGE.read_text(encoding="utf-8")
    assert f'--8<-- "{SQL}:where_to_start"' in page


# --- Membership, client-chosen IDs, merges that end, loads that are not newer than their version
# (review K3, K4, K5) -----------------------------------------------------------------------


def test_membership_is_a_table_every_403_refers_to(system, board):
    key = [row[1] for row in board.execute("PRAGMA table_info(board_members)") if row[5]]
    assert sorted(key) == ["board_id", "user_id"]
    for endpoint in system.endpoints:
        if 403 in dict(endpoint.status):
            assert "board_members" in dict(endpoint.status)[403], endpoint.route


def test_a_task_created_offline_keeps_the_id_its_app_chose_and_a_retry_creates_nothing(board):
    types = {row[1]: row[2] for row in board.execute("PRAGMA table_info(tasks)")}
    assert types["id"] == "BIGINT" and types["list_id"] == "BIGINT"
    chosen = 0x5F3759DF12345678  # a random 64-bit number, chosen by client B while offline
    params = dict(task_id=chosen, list_id=1, user_id=2, title="Check the links", position=2.0, now="2026-11-30 12:00")
    assert run(board, "create", **params).rowcount == 1
    assert run(board, "create", **params).rowcount == 0  # the same create, sent again on reconnect
    assert board.execute("SELECT count(*), min(created_by) FROM tasks WHERE id = ?", (chosen,)).fetchone() == (1, 2)


def test_a_stale_edit_of_a_deleted_task_ends_the_merge(system, board):
    board.execute("DELETE FROM tasks WHERE id = 7")
    assert accept(board, "rename", user_id=2, change={"title": "x"}, title="x", base_version=3) == 0
    notes = " ".join(n.text for n in system.paths["offline_sync"].notes)
    assert "not retried" in notes and "deleted" in notes


def test_a_stale_live_edit_meets_the_same_merge_and_patch_is_for_integrations(system):
    notes = " ".join(n.text for n in system.paths["workflow"].notes)
    assert "same per-field merge as an offline edit" in notes
    patch = next(e for e in system.endpoints if e.method == "PATCH")
    assert "for integrations" in patch.purpose and "while its socket reconnects" not in patch.purpose.split(";")[0]


def test_a_whole_board_load_reads_its_version_before_its_tasks(system):
    load = next(e for e in system.endpoints if e.route == "/v1/boards/{board_id}")
    assert "read before the lists and tasks" in dict(load.response)["board_version"]
    notes = " ".join(n.text for n in system.paths["workflow"].notes)
    assert "reads the board's version first" in notes and "skips any change" in notes


# --- A resent edit is applied once (a client retry after a lost reply) ----------------------


def test_a_resent_edit_is_found_and_not_applied_again(board):
    move = dict(user_id=1, change={"list_id": 2, "position": 1.5}, list_id=2, position=1.5)
    assert accept(board, "move", edit_id="a-81", base_version=3, **move) == 1
    # The reply was lost. Grace renames the task meanwhile; then client A resends its move.
    assert accept(board, "rename", user_id=2, change={"title": "v2"}, title="v2", base_version=4) == 1
    assert run(board, "already_applied", board_id=10, edit_id="a-81").fetchall() == [(41, 4)]
    assert task(board) == (2, 1.5, "v2", 5)  # answered from the log: nothing merged, nothing logged
    assert board.execute("SELECT count(*) FROM board_versions").fetchone() == (2,)


def test_two_copies_of_one_edit_racing_cannot_both_be_logged(board):
    """The lookup missed for both copies (they arrived at once, on two servers): the unique
    key on (board_id, edit_id) refuses the second log entry, and its transaction, task update
    included, rolls back."""
    assert accept(board, "move", edit_id="a-81", user_id=1, change={"list_id": 2, "position": 1.5},
                  list_id=2, position=1.5, base_version=3) == 1
    board.execute("BEGIN")
    assert run(board, "rename", task_id=7, board_id=10, title="again", base_version=4, now="2026-11-30 12:01").rowcount == 1
    with pytest.raises(sqlite3.IntegrityError):
        run(board, "log_change", board_id=10, task_id=7, change="{}", user_id=1, now="2026-11-30 12:01", edit_id="a-81")
    board.execute("ROLLBACK")
    assert task(board) == (2, 1.5, "Write the release notes", 4)
    assert board.execute("SELECT version FROM boards WHERE id = 10").fetchone() == (41,)


# --- An edit stays on the board its sender is a member of -----------------------------------


def test_an_edit_names_a_task_and_a_list_of_the_member_s_board_or_changes_nothing(board):
    """Membership is checked for board 10; a task ID or a target list from board 11 must not
    slip through. The old update (by task ID and version only) changed task 70 of board 11
    and task 7's list to one on board 11, and would have logged both as board 10's change."""
    board.execute("INSERT INTO boards (id, name, version, created_at) VALUES (11, 'Other', 0, '2026-11-01 09:00')")
    board.execute("INSERT INTO lists (id, board_id, name, position) VALUES (21, 11, 'Secret', 1)")
    board.execute("INSERT INTO tasks (id, list_id, created_by, title, position, version, updated_at) "
                  "VALUES (70, 21, 1, 'Board 11 only', 1, 1, '2026-11-02 10:00')")
    now = "2026-11-30 12:00"
    # a member of board 10 renames board 11's task: nothing changes
    assert run(board, "rename", task_id=70, board_id=10, title="hacked", base_version=1, now=now).rowcount == 0
    # task 7 (board 10) moved into board 11's list: nothing changes
    assert run(board, "move", task_id=7, board_id=10, list_id=21, position=1.0, base_version=3, now=now).rowcount == 0
    assert board.execute("SELECT title FROM tasks WHERE id = 70").fetchone() == ("Board 11 only",)
    assert task(board) == (1, 1.0, "Write the release notes", 3)
    # the same edits on the right board go through
    assert run(board, "rename", task_id=70, board_id=11, title="ok", base_version=1, now=now).rowcount == 1
    assert run(board, "move", task_id=7, board_id=10, list_id=2, position=1.5, base_version=3, now=now).rowcount == 1


def test_positions_are_doubles_as_the_page_s_count_of_inserts_assumes():
    """REAL is a 4-byte float in PostgreSQL (24-bit mantissa, 23 halvings, not 52)."""
    ddl = DDL.read_text(encoding="utf-8")
    assert re.findall(r"^\s+position\s+(\w+(?: PRECISION)?)", ddl, re.M) == ["DOUBLE PRECISION"] * 2


def test_a_change_committed_but_never_announced_is_published_by_a_relay(system):
    """A crash between the commit (step 7) and the publish (steps 9, 10) is repaired by the
    design, not by 'in production': the log is the outbox and a relay follows it."""
    flow = system.paths["workflow"]
    assert flow.steps[6].transaction and "`board_versions`" in flow.steps[6].text
    note = next(n.text for n in flow.notes if "Steps 9 and 10 follow the commit" in n.text)
    assert "outbox" in note and "relay" in note and "In production" not in note
    assert "dropped by version" in note


def test_a_removed_member_loses_the_live_subscription_and_a_lagging_follower_sends_no_older_board(system):
    notes = " ".join(n.text for n in system.paths["workflow"].notes)
    assert "removing a member is itself a logged change" in notes and "drops that user's subscription" in notes
    load = next(e for e in system.endpoints if e.route == "/v1/boards/{board_id}")
    assert "never replaces a newer copy with an older one" in dict(load.status)[200]


def test_a_stored_change_survives_the_leader_and_is_announced_after_a_crash(system):
    """Issue 22: the document store's followers are updated asynchronously, so a change
    acknowledged by the leader alone could vanish in a failover; the commit waits for a
    majority. A crash between the commit and the publish is repaired by the outbox relay."""
    steps = {s.number: s for s in system.paths["workflow"].steps}
    assert "write concern `majority`" in steps[7].text
    assert steps[7].idempotent_by and "edit ID" in steps[7].idempotent_by
    assert steps[8].after_crash[0] == "outbox" and steps[9].after_crash[0] == "outbox"
    assert "majority" in system.components["doc_store"].failure.loses_data
    # every live edit passes the session-key check, so the session cache has a replica too:
    # no stateful component of the board is a single point of failure
    assert not [c.id for c in system.components.values() if c.failure and not c.failure.redundant]


def test_reconnects_follow_the_changes_and_the_app_loads_once_a_day(system):
    """Issue 22: the offline catch-ups were a typed 1,000 a second; they follow the assumptions
    (three a day against twenty changes). The app's 1 MB bundle loads about once a day, not per change."""
    from blueprint import capacity, load

    loads = {l.component: l for l in load.compute(system, capacity.compute(system))}
    sync = system.paths["offline_sync"]
    assert sync.rate is None and (sync.per, sync.times, sync.size) == ("write", 0.15, "5 kB")
    # by hand: 10 million users * 20 changes a day / 86,400 s * 3 at peak
    changes = 10e6 * 20 / 86_400 * 3
    catch_ups = changes * 3 / 20
    # the gateway: workflow steps 3 and 13 (a change each way, 500 B); sync step 1 (the reconnect, 1 kB) and 11
    assert math.isclose(loads["gateway"].requests, 2 * changes + 2 * catch_ups)
    assert math.isclose(loads["gateway"].bytes, 2 * changes * 500 + catch_ups * (1_000 + 500))
    # the CDN: one app load of 1 MB a day per user, one change in twenty
    assert math.isclose(loads["cdn"].bytes, changes / 20 * 1e6)
