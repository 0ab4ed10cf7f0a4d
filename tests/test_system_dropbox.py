"""Dropbox: every source item kept, cache reads with a miss path, the client's parts drawn in the
client, one story per store, and the commit with optimistic locking run on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

import psycopg
import pytest

from blueprint.sql_pages import read_section
from conftest import ROOT
from sql_engines import PostgresServer, PostgresUnavailable
from system_checks import cache_reads_without_miss_path

SOURCE_ITEMS = {"upload": 23, "download": 27}
CACHE_WRITES = {"upload": {16}, "download": set()}  # steps that delete from a cache, not read it
COMMIT = "snippets/sql/systems/dropbox_commit.sql"


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
    stored = max(n for n, source, target, _ in steps if target == "block_store")
    committed = [step for n, source, target, step in steps if target == "metadata_db" and step.transaction]
    assert len(committed) == 1 and committed[0].number > stored  # one commit, drawn in the transaction colour
    # the only other metadata write-path access is the read that decides which blocks to upload, before any upload
    others = [n for n, source, target, step in steps if target == "metadata_db" and not step.transaction]
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
    assert writers["block_store"] == {"block_service", "cdn", "preview_service"}
    assert writers["metadata_db"] == {"metadata_service"}
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
def postgres() -> Iterator[Callable[[], psycopg.Connection]]:
    server = PostgresServer()
    try:
        server.start()
    except PostgresUnavailable as error:
        server.stop()
        pytest.fail(f"this test needs a real PostgreSQL server, and it could not start: {error}", pytrace=False)
    try:
        yield server.connect
    finally:
        server.stop()


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
    assert commit(run)
    assert query("SELECT head_revision FROM files WHERE id = 1") == [(2,)]
    assert query("SELECT block_hash FROM version_blocks WHERE version_id = 2 ORDER BY position") == [("h-a",), ("h-c",)]
    # deduplication: three distinct blocks stored, four block references
    assert query("SELECT COUNT(*) FROM blocks") == [(3,)]
    assert query("SELECT COUNT(*) FROM version_blocks") == [(4,)]
    assert query("SELECT hash, ref_count FROM blocks ORDER BY hash") == [("h-a", 2), ("h-b", 1), ("h-c", 1)]


def test_a_second_commit_from_the_same_base_revision_is_a_conflict(engine):
    run, query = engine
    assert commit(run)
    before = query("SELECT COUNT(*) FROM file_versions")
    assert not commit(run)  # the phone also edited revision 1: refused, nothing written
    assert query("SELECT COUNT(*) FROM file_versions") == before
    assert query("SELECT head_revision FROM files WHERE id = 1") == [(2,)]


def test_the_schema_refuses_a_block_list_naming_an_unknown_block(engine):
    run, _ = engine
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.ForeignKeyViolation)):
        run("INSERT INTO version_blocks (version_id, position, block_hash) VALUES (1, 2, 'h-missing')")


def test_two_concurrent_commits_from_the_same_base_revision_serialize(postgres):
    """The page says two commits of one file are serialized: at READ COMMITTED, the second device's
    conditional UPDATE waits for the first transaction's row lock, then re-checks its WHERE clause
    against the committed row, matches nothing, and is refused."""
    import threading

    laptop, phone = postgres(), postgres()
    laptop.execute("DROP SCHEMA IF EXISTS public CASCADE")
    laptop.execute("CREATE SCHEMA public")
    laptop.execute((ROOT / "snippets" / "schemas" / "dropbox.sql").read_text())
    for sql in statements("seed"):
        laptop.execute(sql)
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
