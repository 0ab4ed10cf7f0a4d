"""Dropbox: every source item kept, cache reads with a miss path, the client's parts drawn in the
client, one story per store, and the commit with optimistic locking run on SQLite and PostgreSQL."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Iterator

import psycopg
import pytest

from blueprint.sql_pages import read_section
from conftest import ROOT

from system_checks import cache_reads_without_miss_path

SOURCE_ITEMS = {"upload": 23, "download": 27}
CACHE_WRITES = {"upload": {20}, "download": set()}  # steps that delete from a cache, not read it
COMMIT = "snippets/sql/systems/dropbox_commit.sql"
ACCOUNTS = {"users", "devices", "memberships"}
METADATA = {"workspaces", "files", "file_versions", "version_blocks", "journal", "acl"}
BLOCK_INDEX = {"blocks", "block_owners"}

@pytest.fixture(scope="module")
def dropbox(catalogue):
    return catalogue.systems["dropbox"]


@pytest.mark.parametrize("path_id", sorted(SOURCE_ITEMS))
def test_every_source_item_is_a_step_or_a_note(dropbox, path_id):
    path = dropbox.paths[path_id]
    assert len(path.steps) + len(path.notes) >= SOURCE_ITEMS[path_id]


@pytest.mark.parametrize("path_id", sorted(SOURCE_ITEMS))
def test_every_cache_read_has_a_miss_path(dropbox, path_id):
    path = dropbox.paths[path_id]
    assert cache_reads_without_miss_path(dropbox, path, CACHE_WRITES[path_id]) == []
    for step in path.steps:
        if step.number in CACHE_WRITES[path_id]:
            assert "deletes" in step.text


def test_the_client_s_own_components_are_drawn_inside_the_client(dropbox):
    client = {c.id for c in dropbox.components.values() if c.group == "Client"}
    assert client == {"folder", "watcher", "chunker", "indexer", "client_db"}
    assert list(dropbox.components.values())[0].group == "Client"  # drawn leftmost


def arrows(path):
    return [(step.number, step.source, target, step) for step in path.steps for target in step.targets]


def test_blocks_are_stored_before_the_commit_and_the_commit_is_one_transaction(dropbox):
    steps = arrows(dropbox.paths["upload"])
    stored = max(n for n, source, target, _ in steps if target == "block_store" and source == "block_service")
    committed = [step for n, source, target, step in steps if target == "metadata_db" and step.transaction]
    assert len(committed) == 1 and committed[0].number > stored  # one commit, drawn in the transaction colour
    # the only other metadata access of the device's upload is the read that decides which blocks to upload,
    # before any upload (the collector's mark, later, is no part of it)
    others = [n for n, source, target, step in steps
              if target == "metadata_db" and not step.transaction and source != "collector"]
    uploaded = min(n for n, source, target, _ in steps if target == "block_service")
    assert all(n < uploaded for n in others)
    published = min(n for n, source, target, _ in steps if target == "queue")
    assert published > committed[0].number  # others hear of a version only once it is committed


def test_one_story_per_store(dropbox):
    """Blocks are written only by the block service; metadata only by the metadata service;
    the caches are read by their own service and filled on a miss (the CDN from the block store)."""
    writers = {}
    for path in dropbox.paths.values():
        for _, source, target, _ in arrows(path):
            writers.setdefault(target, set()).add(source)
    assert writers["block_store"] == {"block_service", "cdn", "preview_service", "collector"}
    assert writers["metadata_db"] == {"metadata_service", "collector"}  # the collector only reads (the mark)
    assert writers["block_index"] == {"block_service", "collector"}
    assert writers["metadata_cache"] == {"metadata_service"}
    assert writers["block_cache"] == {"block_service"}
    assert writers["preview_cache"] == {"preview_service"}
    assert writers["client_db"] == {"indexer"}


def test_the_chunker_links_the_chunking_concept(dropbox):
    from blueprint.kinds import concept_page

    assert concept_page(dropbox.components["chunker"].kind) == "concepts/chunking.md"


def test_the_client_skips_only_blocks_its_own_user_has(dropbox):
    """Bandwidth dedup per user (telling a client that another user has a block leaks it), storage dedup global."""
    steps = {step.number: step for step in dropbox.paths["upload"].steps}
    asked = next(s for s in steps.values() if s.source == "chunker" and "asks which" in s.text)
    check = steps[asked.number + 3]
    answer = steps[asked.number + 4]
    assert (check.source, check.targets) == ("metadata_service", ("metadata_db",))
    assert "this user" in check.text and "only other users" in check.text
    assert (answer.source, answer.targets) == ("metadata_service", ("chunker",))
    notes = " ".join(note.text for note in dropbox.paths["upload"].notes)
    assert "Dropship" in notes and "storage globally" in notes


def test_the_acid_and_conflict_claims_are_corrected(dropbox):
    notes = " ".join(note.text for note in dropbox.paths["upload"].notes)
    assert "The source says operations on files are ACID compliant" in notes
    assert "no global transaction" in notes and "conflicted copy" in notes


# --- The commit, on two engines -------------------------------------------------------------


def statements(section: str) -> list[str]:
    text = "\n".join(line for line in read_section(ROOT, COMMIT, section).splitlines()
                     if not line.lstrip().startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]


def commit(cursor_of: Callable[[str], int], section: str = "commit") -> bool:
    """Run the commit as the application would: roll back when the optimistic lock finds no row."""
    for sql in statements(section):
        rows = cursor_of(sql)
        if sql.startswith("UPDATE files") and rows == 0:
            cursor_of("ROLLBACK")
            return False
    return True


@pytest.fixture(scope="module")
def postgres(postgres_database) -> Callable[[], psycopg.Connection]:
    """Connections to this module's own database on the session's PostgreSQL server."""
    return postgres_database.connect


def fresh_database(connection) -> None:
    connection.execute("DROP SCHEMA IF EXISTS public CASCADE")
    connection.execute("CREATE SCHEMA public")
    connection.execute((ROOT / "snippets" / "schemas" / "dropbox.sql").read_text())
    for sql in statements("seed"):
        connection.execute(sql)


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request):
    """(run one statement -> affected rows, query -> rows) on a fresh database with the schema."""
    ddl = (ROOT / "snippets" / "schemas" / "dropbox.sql").read_text()
    if request.param == "sqlite":
        connection = sqlite3.connect(":memory:", isolation_level=None)
        connection.execute("PRAGMA foreign_keys = ON")
        connection.executescript(ddl)

        def run(sql):
            return connection.execute(sql).rowcount

        def query(sql):
            return connection.execute(sql).fetchall()
    else:
        connection = request.getfixturevalue("postgres")()
        connection.execute("DROP SCHEMA IF EXISTS public CASCADE")
        connection.execute("CREATE SCHEMA public")
        connection.execute(ddl)

        def run(sql):
            return connection.execute(sql).rowcount

        def query(sql):
            return [tuple(row) for row in connection.execute(sql).fetchall()]
    for sql in statements("seed"):
        run(sql)
    yield run, query
    connection.close()


def test_a_commit_records_the_version_and_reuses_the_unchanged_block(engine):
    run, query = engine
    for sql in statements("upload") + statements("claim"):
        run(sql)
    assert commit(run)
    assert query("SELECT head_revision FROM files WHERE id = 1") == [(2,)]
    assert query("SELECT block_hash FROM version_blocks WHERE version_id = 2 ORDER BY position") == [("h-a",), ("h-c",)]
    # deduplication: four distinct blocks indexed, five block references
    assert query("SELECT COUNT(*) FROM blocks") == [(4,)]
    assert query("SELECT COUNT(*) FROM version_blocks") == [(5,)]


def test_a_second_commit_from_the_same_base_revision_is_a_conflict(engine):
    run, query = engine
    assert commit(run)
    before = query("SELECT COUNT(*) FROM file_versions"), query("SELECT COUNT(*) FROM journal")
    assert not commit(run)  # the phone also edited revision 1: refused, nothing written
    assert (query("SELECT COUNT(*) FROM file_versions"), query("SELECT COUNT(*) FROM journal")) == before
    assert query("SELECT head_revision FROM files WHERE id = 1") == [(2,)]


# --- D1: the commit is a transaction on one shard; blocks are another store ------------------

def tables_written(sql: str) -> set[str]:
    import re

    return set(re.findall(r"\b(?:INSERT INTO|(?<!DO )UPDATE|DELETE FROM)\s+(\w+)", sql))


def test_the_commit_transaction_writes_only_rows_of_one_workspace_s_shard():
    """The old commit also inserted into the global `blocks` table and bumped its ref_count: a second
    shard (or a 2PC) inside "one ACID transaction". Now every commit, rename and delete writes only
    the metadata tables, and the block index is written by the upload and the claim, outside it."""
    for section in ("commit", "rename", "delete"):
        written = set().union(*map(tables_written, statements(section)))
        assert written and written <= METADATA, section
    for section in ("upload", "claim"):
        written = set().union(*map(tables_written, statements(section)))
        assert written and written <= BLOCK_INDEX, section


def test_no_foreign_key_crosses_from_one_store_to_another():
    ddl = (ROOT / "snippets" / "schemas" / "dropbox.sql").read_text()
    connection = sqlite3.connect(":memory:")
    connection.executescript(ddl)
    tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")]
    assert set(tables) == ACCOUNTS | METADATA | BLOCK_INDEX
    store = {name: group for group in (ACCOUNTS, METADATA, BLOCK_INDEX) for name in group}
    for table in tables:
        for row in connection.execute(f"PRAGMA foreign_key_list({table})"):
            assert store[row[2]] is store[table], f"{table} -> {row[2]} crosses stores"
    columns = {row[1] for row in connection.execute("PRAGMA table_info(blocks)")}
    assert "ref_count" not in columns  # a per-block count would be a hot row written by every commit


def test_the_claim_runs_before_the_one_shard_transaction_and_the_collector_is_drawn(dropbox):
    steps = {step.number: step for step in dropbox.paths["upload"].steps}
    transaction = [step for step in steps.values() if step.transaction]
    assert len(transaction) == 1 and "shard" in transaction[0].transaction
    assert "ACID" not in transaction[0].transaction
    claim = next(s for s in steps.values() if s.source == "block_service" and "stamps its claim time" in s.text)
    assert claim.targets == ("block_index",) and claim.number < transaction[0].number
    assert "409" in claim.text
    sweep = [s for s in steps.values() if s.source == "collector"]
    assert [s.targets[0] for s in sweep] == ["metadata_db", "block_index", "block_store"]  # mark, sweep, delete
    notes = " ".join(note.text for note in dropbox.paths["upload"].notes)
    assert "What a crash leaves" in notes and "grace" in notes and "No reference count" in notes


def test_the_possession_record_is_written_only_after_the_bytes_are_stored(dropbox):
    steps = dropbox.paths["upload"].steps
    stored = next(s.number for s in steps if s.source == "block_service" and s.targets == ("block_store",))
    owned = next(s.number for s in steps if s.source == "block_service" and "holds the block" in s.text)
    assert owned > stored


def test_an_upload_and_a_claim_by_their_owner_succeed_and_a_stranger_s_claim_does_not(engine):
    run, query = engine
    upload = statements("upload")
    assert run(upload[0]) == 1 and run(upload[1]) == 1
    assert run(upload[0]) == 1 and run(upload[1]) == 0  # a retried upload: same row, no second owner
    claim = statements("claim")[0]
    assert run(claim) == 2  # both hashes live, and Ana holds or can read each: the commit may go on
    stranger = claim.replace("o.user_id = 1", "o.user_id = 2").replace("hash IN ('h-a')\n", "1 = 0\n")
    assert stranger != claim
    assert run(stranger) == 0  # Bo knows the hashes, holds neither, reads no version naming them: 409


def test_the_collector_removes_an_orphan_upload_and_keeps_every_named_block(engine):
    """A device uploads h-c and crashes before committing: after the grace period h-c goes."""
    run, query = engine
    for sql in statements("upload"):
        run(sql)
    for sql in statements("collect"):
        run(sql)
    assert query("SELECT hash FROM blocks ORDER BY hash") == [("h-a",), ("h-b",), ("h-t",)]
    assert query("SELECT COUNT(*) FROM block_owners WHERE block_hash = 'h-c'") == [(0,)]
    assert run(statements("claim")[0]) == 1  # a late commit naming h-c is refused (409): upload again


def test_the_collector_keeps_a_block_uploaded_within_the_grace_period(engine):
    run, query = engine
    for sql in statements("upload"):
        run(sql)
    for sql in statements("collect"):
        run(sql.replace("'2026-01-02 10:00:00'", "'2026-01-02 09:00:00'"))  # the mark began earlier
    assert ("h-c",) in query("SELECT hash FROM blocks")


def test_the_collector_keeps_a_committed_block_and_frees_one_whose_versions_expired(engine):
    run, query = engine
    for sql in statements("upload") + statements("claim"):
        run(sql)
    assert commit(run)
    run("DELETE FROM version_blocks WHERE version_id = 1")  # revision 1 expired: h-b is named by nothing now
    for sql in statements("collect"):
        run(sql)
    assert query("SELECT hash FROM blocks ORDER BY hash") == [("h-a",), ("h-c",), ("h-t",)]


def test_a_sweep_racing_a_claim_re_checks_the_claim_time_and_keeps_the_block(postgres):
    """The claim stamps the block under its row lock; the sweep waits for that lock, re-reads the
    row, sees a claim after its cutoff, and leaves the block alone."""
    import threading

    device, collector = postgres(), postgres()
    fresh_database(device)
    for sql in statements("upload"):
        device.execute(sql)
    collect = statements("collect")
    for sql in collect[:2]:
        collector.execute(sql)  # the mark: h-c is named by no version yet
    device.execute("BEGIN")
    assert device.execute(statements("claim")[0]).rowcount == 2
    result = {}
    sweep = threading.Thread(target=lambda: result.setdefault("rows", collector.execute(collect[2]).rowcount))
    sweep.start()
    sweep.join(timeout=0.5)
    assert sweep.is_alive()  # waiting for the claim's row lock
    device.execute("COMMIT")
    sweep.join(timeout=10)
    assert result == {"rows": 0}
    assert device.execute("SELECT state FROM blocks WHERE hash = 'h-c'").fetchone() == ("live",)
    device.close()
    collector.close()


# --- D2: a journal with a total order, deletes and renames included -----------------------------

def test_the_changes_feed_reads_edits_renames_and_deletes_in_journal_order(engine):
    run, query = engine
    assert commit(run) and commit(run, "rename") and commit(run, "delete")
    changes = query(statements("changes")[0])
    assert changes == [(3, "edit", "/notes.txt", None, 2),
                       (4, "rename", "/notes-2026.txt", "/notes.txt", 3),
                       (5, "delete", "/notes-2026.txt", None, 4)]
    assert query("SELECT journal_seq FROM workspaces WHERE id = 1") == [(5,)]
    # a device whose cursor is already past the rename sees only the delete
    assert query(statements("changes")[0].replace("seq > 2", "seq > 4")) == [changes[-1]]


def test_a_retried_request_cannot_write_a_second_journal_entry(engine):
    run, _ = engine
    assert commit(run)
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.UniqueViolation)):
        run("INSERT INTO journal (workspace_id, seq, file_id, kind, path, old_path, revision, request_key) "
            "VALUES (1, 9, 1, 'edit', '/notes.txt', NULL, 9, 'k-laptop-3')")


def test_journal_positions_are_taken_in_commit_order(postgres):
    """With an auto-increment ID or a timestamp, a commit that took position 3 but commits after
    position 4 would be skipped by a reader that read 4 in between. Here the second commit of the
    workspace waits on the workspace row until the first commits, so no position can appear late."""
    import threading

    laptop, phone = postgres(), postgres()
    fresh_database(laptop)
    laptop.execute("BEGIN")
    for sql in statements("commit")[1:-1]:  # all of it but BEGIN and COMMIT: position 3, not committed
        laptop.execute(sql)
    phone.execute("BEGIN")
    phone.execute("UPDATE files SET head_revision = 2 WHERE id = 2 AND head_revision = 1")  # another file
    result = {}

    def take_position():
        phone.execute("UPDATE workspaces SET journal_seq = journal_seq + 1 WHERE id = 1")
        phone.execute("INSERT INTO journal (workspace_id, seq, file_id, kind, path, old_path, revision, request_key) "
                      "SELECT id, journal_seq, 2, 'edit', '/todo.txt', NULL, 2, 'k-phone-1' FROM workspaces WHERE id = 1")
        result["seq"] = phone.execute("SELECT journal_seq FROM workspaces WHERE id = 1").fetchone()[0]

    waiting = threading.Thread(target=take_position)
    waiting.start()
    waiting.join(timeout=0.5)
    assert waiting.is_alive()  # the phone's commit waits for the laptop's
    reader = postgres()
    assert reader.execute(statements("changes")[0]).fetchall() == []  # nothing half-visible
    laptop.execute("COMMIT")
    waiting.join(timeout=10)
    assert result == {"seq": 4}
    assert [row[0] for row in reader.execute(statements("changes")[0]).fetchall()] == [3]
    phone.execute("COMMIT")
    assert [row[0] for row in reader.execute(statements("changes")[0]).fetchall()] == [3, 4]
    for connection in (laptop, phone, reader):
        connection.close()


def test_the_changes_endpoint_reads_the_journal_and_the_commit_hands_out_no_cursor(dropbox):
    download = {step.number: step for step in dropbox.paths["download"].steps}
    changes = next(e for e in dropbox.endpoints if e.route == "/v1/changes")
    after = [s for n, s in download.items() if n > changes.starts[1]]
    journal = next(s for s in after if s.targets == ("metadata_db",) and s.when is None)
    assert "journal" in journal.text and "deletes and renames" in journal.text
    commit_api = next(e for e in dropbox.endpoints if e.method == "PUT" and e.route.endswith("/files/{path}"))
    assert "cursor" not in dict(commit_api.response)
    routes = {(e.method, e.route) for e in dropbox.endpoints}
    assert ("DELETE", "/v1/workspaces/{workspace_id}/files/{path}") in routes
    assert ("POST", "/v1/workspaces/{workspace_id}/moves") in routes


def test_a_long_poll_compares_its_cursor_before_waiting(dropbox):
    """No lost wake-up: an event published while the device had no poll open is caught at the next poll."""
    steps = dropbox.paths["download"].steps
    compare = next(s for s in steps if s.source == "notification_service" and s.targets == ("metadata_service",))
    wait = next(s for s in steps if s.source == "notification_service" and s.targets == ("queue",))
    assert compare.number < wait.number and "at once" in compare.text


# --- D3: a download never overwrites an unsynced local edit ------------------------------------

def test_a_download_checks_the_local_file_against_its_base_before_replacing_it(dropbox):
    steps = dropbox.paths["download"].steps
    replace = next(s for s in steps if s.source == "chunker" and s.targets == ("folder",))
    check = [s for s in steps if s.number < replace.number and s.targets == ("folder",)]
    assert len(check) == 1 and check[0].source == "indexer"
    assert "synced base" in check[0].text and "conflicted copy" in check[0].text
    assert "waiting to sync" in check[0].text  # the flag upload step 4 sets
    assert "fails if a file has appeared" in replace.text
    base = next(s for s in steps if s.number > replace.number and s.targets == ("client_db",))
    assert "base" in base.text


def test_the_preview_api_does_not_misuse_415(dropbox):
    preview = next(e for e in dropbox.endpoints if e.route.endswith("/preview"))
    assert 415 not in dict(preview.status) and 409 in dict(preview.status)


def test_two_concurrent_commits_from_the_same_base_revision_serialize(postgres):
    """The page says two commits of one file are serialized: at READ COMMITTED, the second device's
    conditional UPDATE waits for the first transaction's row lock, then re-checks its WHERE clause
    against the committed row, matches nothing, and is refused."""
    import threading

    laptop, phone = postgres(), postgres()
    fresh_database(laptop)
    lock = next(sql for sql in statements("commit") if sql.startswith("UPDATE files"))
    laptop.execute("BEGIN")
    assert laptop.execute(lock).rowcount == 1
    phone.execute("BEGIN")
    result = {}
    waiting = threading.Thread(target=lambda: result.setdefault("rows", phone.execute(lock).rowcount))
    waiting.start()
    waiting.join(timeout=0.5)
    assert waiting.is_alive()  # blocked on the laptop's row lock
    laptop.execute("COMMIT")
    waiting.join(timeout=10)
    assert result == {"rows": 0}  # the phone's base revision is gone: a conflict
    phone.execute("ROLLBACK")
    assert laptop.execute("SELECT head_revision FROM files WHERE id = 1").fetchone() == (2,)
    laptop.close()
    phone.close()


def test_notification_and_encryption_claims_are_precise(dropbox):
    download = " ".join(note.text for note in dropbox.paths["download"].notes)
    upload = " ".join(note.text for note in dropbox.paths["upload"].notes)
    assert "long polling" in download and "A WebSocket is more than needed" in download
    assert "The queue is only a wake-up signal" in download
    assert "The source has the client encrypt blocks with 128-bit AES" in upload
    assert "cross-user deduplication is lost" in upload
    assert "outbox" in upload  # the commit and the publish are not one transaction


# --- Review rev_c: a deleted path is free again, a racing retry, block grants, listing afresh ------

def test_a_deleted_path_can_be_created_again_and_a_live_path_stays_unique(engine):
    """With UNIQUE (workspace, path), the deleted file's row kept its path: creating the file again, or
    renaming another onto it, broke the constraint. The tombstone frees the path of a deleted file only."""
    run, query = engine
    for sql in statements("upload") + statements("claim"):
        run(sql)
    assert commit(run)
    assert commit(run, "rename") and commit(run, "delete")
    for sql in statements("recreate"):
        run(sql)
    assert query("SELECT id, tombstone FROM files WHERE path = '/notes-2026.txt' ORDER BY id") == [(1, 1), (3, 0)]
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.UniqueViolation)):  # If-None-Match: * fails
        run("INSERT INTO files (id, workspace_id, path, head_revision) VALUES (4, 1, '/notes-2026.txt', 1)")
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.CheckViolation)):  # a tombstone is its own ID
        run("UPDATE files SET tombstone = 1 WHERE id = 2")


def test_a_retry_racing_its_first_attempt_gets_its_result_not_a_conflict(postgres):
    """The retry waits on the file's row, finds the base revision gone, and would answer 412: the device
    would save its own edit as a conflicted copy. Looking the key up again finds the first attempt."""
    import threading

    first, retry = postgres(), postgres()
    fresh_database(first)
    first.execute("BEGIN")
    for sql in statements("commit")[1:-1]:
        first.execute(sql)
    result = {}

    def send_again():
        result["committed"] = commit(lambda sql: retry.execute(sql).rowcount)
        result["entry"] = retry.execute(statements("retry")[0]).fetchall()

    waiting = threading.Thread(target=send_again)
    waiting.start()
    waiting.join(timeout=0.5)
    assert waiting.is_alive()  # blocked on the first attempt's row lock
    first.execute("COMMIT")
    waiting.join(timeout=10)
    assert result == {"committed": False, "entry": [(2, 3)]}  # answered with revision 2, position 3
    first.close()
    retry.close()


def test_the_retry_rule_is_on_the_page(dropbox):
    notes = " ".join(note.text for note in dropbox.paths["upload"].notes)
    assert "before answering 412 the service looks the key up once more" in notes


def test_a_block_is_served_only_under_a_signed_grant(dropbox):
    """block_owners records uploaders only, so the block service alone cannot tell that a shared folder's
    member may read a block: the metadata service vouches for the hashes it lists."""
    steps = {step.number: step for step in dropbox.paths["download"].steps}
    serve = next(s for s in steps.values() if s.source == "web_server" and s.targets == ("block_service",))
    assert "grant" in serve.text and "expired" in serve.text
    assert "download grant" in steps[14].text
    block = next(e for e in dropbox.endpoints if e.method == "GET" and e.route == "/v1/blocks/{hash}")
    assert "grant" in dict(block.request)
    changes = next(e for e in dropbox.endpoints if e.route == "/v1/changes")
    assert "grant" in dict(changes.response)["entries"]


def test_a_workspace_can_be_listed_afresh_with_the_position_it_reflects(dropbox):
    """The 410 answer and a new membership both say 'list the workspace': that call exists, and its
    answer carries the journal position, so the changes after it complete a stale listing."""
    listing = next(e for e in dropbox.endpoints if e.method == "GET" and e.route == "/v1/workspaces/{workspace_id}/files")
    assert "position" in dict(listing.response)
    notes = " ".join(note.text for note in dropbox.paths["download"].notes)
    assert "only old, never wrong" in notes


def test_the_missing_blocks_check_names_its_one_workspace(dropbox):
    missing = next(e for e in dropbox.endpoints if e.route == "/v1/blocks/missing")
    assert "workspace_id" in dict(missing.request)


def test_a_commit_records_the_content_hash_as_the_new_base(dropbox):
    """Download step 25 compares the file on disk with the base's content hash: a device that kept the old
    hash after its own upload would take its own file for an unsynced edit and make a conflicted copy."""
    returned = next(s for s in dropbox.paths["upload"].steps
                    if s.source == "metadata_service" and s.targets == ("indexer",))
    assert "content hash it committed" in returned.text and "waiting-to-sync mark" in returned.text


def test_a_file_shared_on_its_own_is_not_said_to_sync(dropbox):
    """Devices follow workspaces' journals; a file shared by an ACL row sits in its owner's journal, which
    the other user's devices do not read, so the page must not leave 'changes reach every device' to it."""
    notes = " ".join(note.text for note in dropbox.paths["download"].notes)
    assert "A file shared on its own is not synced" in notes and "share its folder" in notes


# --- Failure and load declarations (issue 22) ---

def test_a_crash_between_writing_the_file_and_recording_it_makes_no_conflicted_copy(dropbox):
    """Step 26 writes the downloaded file, step 27 records its base and moves the cursor. A crash in
    between applies the change again after a restart: the file on disk then differs from the old base,
    and without a check it would be taken for a local edit and saved as a conflicted copy of itself."""
    steps = {s.number: s for s in dropbox.paths["download"].steps}
    assert steps[26].targets == ("folder",) and steps[27].targets == ("client_db",)
    assert "already has the incoming version's content hash" in steps[25].text
    assert steps[27].after_crash[0] == "idempotent retry" and "step 25" in steps[27].after_crash[1]


def test_a_lost_wake_up_is_bounded_by_the_poll_timeout(dropbox):
    """Steps 19 to 21 are three writes outside one transaction; the design's repair for a crash
    after the commit is the long poll's own journal check, so the delay is bounded, not unbounded."""
    steps = {s.number: s for s in dropbox.paths["upload"].steps}
    for number in (19, 20):
        repair, text = steps[number].after_crash
        assert repair == "accepted" and "up to 5 minutes" in text
    check = next(s for s in dropbox.paths["download"].steps if s.number == 5)
    assert "journal position" in check.text


def test_the_cache_shares_follow_the_capacity_assumptions(dropbox):
    """Each version is read read_to_write times; only readers fill the block-list cache, so the first read misses."""
    miss = next(s for s in dropbox.paths["download"].steps if s.targets == ("metadata_db",) and s.when)
    assert miss.share == 1 / dropbox.assumptions["read_to_write"][0]


def test_the_metadata_database_moves_block_lists_not_blocks(dropbox):
    """Issue 22: charged the version's 1 MB at every step, the metadata DB showed 139 GB/s. It reads and
    writes block lists and journal entries of about 1 kB; only the block store and cache see blocks."""
    from blueprint import capacity, load

    loads = {l.component: l for l in load.compute(dropbox, capacity.compute(dropbox))}
    # by hand: 1e8 users * 10 versions a day / 86,400 s * 2 at peak; two downloads per version
    writes = 1e8 * 10 / 86_400 * 2
    reads = 2 * writes
    # upload steps 8 (hash check), 19 (commit), 23 (the collector's mark); download 11 (journal), 13 (half miss)
    requests = 3 * writes + reads + 0.5 * reads
    assert math.isclose(loads["metadata_db"].requests, requests)
    assert math.isclose(loads["metadata_db"].bytes, requests * 1_000)
    assert loads["metadata_db"].bytes < 200e6
    # the block cache serves every download's blocks: 1 MB each
    assert math.isclose(loads["block_cache"].bytes, reads * 1e6)
