"""The color picker page, as a specification: every source item kept, each document shape
shown on the page maps field for field onto its table in the DDL (as SQLite reads it), the
documents load into that schema, permission checks can refuse, and every cache read has a
miss path."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from blueprint.build import load_system

ROOT = Path(__file__).resolve().parents[1]
DDL = ROOT / "snippets" / "schemas" / "color_picker.sql"
DOCUMENTS = ROOT / "snippets" / "documents" / "color_picker"
PAGE = ROOT / "docs" / "systems" / "color_picker.md"

# Items of the source's numbered lists: write path 1-7, read path 1-17.
SOURCE_ITEMS = {"write": 7, "read": 17}
# Where each of them is kept (a step's or a note's words), so that the floor is not the only proof.
SOURCE_ITEM_WORDS = {
    "write": {1: "opens an HTTPS connection to the load balancer", 2: "write quota",
              3: "web server with spare capacity", 4: "favourite list document on the leader",
              5: "the source names consistent hashing", 6: "at the write server level",
              7: "active-passive pair"},
    "read": {1: "through DNS", 2: "look for the favourite list in the CDN",
             3: "opens an HTTPS connection to the load balancer", 4: "read quota",
             5: "web server with spare capacity", 6: "asks the favourite colours service",
             7: "asks the user info service whether the viewer may see", 8: "(`fav:42`) from a read replica",
             9: "Redis `MGET`", 10: "from a follower of the document store",
             11: "partitioned by owner ID with consistent hashing", 12: "Reads go to a replica",
             13: "has a TTL", 14: "says the cache servers must be flushed", 15: "cache-aside",
             16: "(LRU)", 17: "permissions in memory"},
}


@dataclass(frozen=True)
class Shape:
    """How one collection's documents map onto one table."""

    table: str
    id_column: str  # the column that `_id` holds
    rows_in: str | None = None  # an array field whose elements are the table's rows
    implied: dict[str, str] = field(default_factory=dict)  # column -> where the document keeps it


SHAPES = {
    "users.json": Shape("users", "id"),
    "colors.json": Shape("colors", "id"),
    "favorite_list.json": Shape("favorite_list", "user_id", rows_in="colors",
                                implied={"position": "the element's place in the array"}),
    "permissions.json": Shape("permissions", "owner_id", rows_in="viewers"),
    "user_emails.json": Shape("user_emails", "email"),
}
LOAD_ORDER = ["users.json", "user_emails.json", "colors.json", "favorite_list.json", "permissions.json"]  # parents first


@pytest.fixture(scope="module")
def system():
    return load_system(ROOT / "diagrams" / "color_picker.py", ROOT)[0]


@pytest.fixture
def database():
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.executescript(DDL.read_text(encoding="utf-8"))
    yield connection
    connection.close()


def columns(connection, table: str) -> list[str]:
    return [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]


def documents(name: str) -> list[dict]:
    data = json.loads((DOCUMENTS / name).read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [data]


def rows(name: str) -> list[dict]:
    """The table rows one collection's documents stand for."""
    shape = SHAPES[name]
    found = []
    for document in documents(name):
        if shape.rows_in is None:
            found.append({shape.id_column: document["_id"], **{k: v for k, v in document.items() if k != "_id"}})
            continue
        assert set(document) == {"_id", shape.rows_in}, (name, sorted(document))
        for index, element in enumerate(document[shape.rows_in], start=1):
            row = {shape.id_column: document["_id"], **element}
            if "position" in shape.implied:
                row["position"] = index
            found.append(row)
    return found


def insert(connection, table: str, row: dict) -> None:
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    connection.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(row.values()))


# --- Source coverage and the drawing ---------------------------------------------------


@pytest.mark.parametrize("path_id", sorted(SOURCE_ITEMS))
def test_every_source_item_is_a_step_or_a_note(system, path_id):
    path = system.paths[path_id]
    assert len(path.steps) + len(path.notes) >= SOURCE_ITEMS[path_id]


@pytest.mark.parametrize("path_id, item", [(p, i) for p in sorted(SOURCE_ITEM_WORDS) for i in SOURCE_ITEM_WORDS[p]])
def test_each_source_item_is_kept(system, path_id, item):
    assert sorted(SOURCE_ITEM_WORDS[path_id]) == list(range(1, SOURCE_ITEMS[path_id] + 1))
    path = system.paths[path_id]
    texts = [entry.text for entry in (*path.steps, *path.notes)]
    assert any(SOURCE_ITEM_WORDS[path_id][item] in text for text in texts), (path_id, item)


def test_the_requirements_to_share_and_to_control_access_have_a_path(system):
    share = system.paths["share"]
    assert any("permissions document" in step.text for step in share.steps)
    assert any(step.source == "email" and step.targets == ("viewer",) for step in share.steps)


CACHES = {"list_cache", "color_cache", "user_info", "cdn"}
STORES = {"db_leader", "db_followers", "static_files"}


def test_every_cache_read_has_a_drawn_miss_path(system):
    """Every unconditional step into a cache on the read path is followed at once by a
    conditional (dashed) step from the reader or the cache to a store."""
    read = system.paths["read"]
    cache_reads = [step for step in read.steps if set(step.targets) & CACHES and step.when is None]
    assert len(cache_reads) == 4  # the CDN, the user info service, the list cache, the colour cache
    for step in cache_reads:
        (cache,) = set(step.targets) & CACHES
        miss = read.steps[read.steps.index(step) + 1]
        assert miss.when and miss.source in {step.source, cache} and set(miss.targets) <= STORES, step.number


def test_permission_checks_are_steps_that_can_refuse(system):
    for path_id in ("read", "write", "share"):
        checks = [step for step in system.paths[path_id].steps if "403 Forbidden" in step.text]
        assert checks, path_id
        assert all("refused" in step.text for step in checks)


def test_a_list_change_deletes_its_one_key_after_the_store_has_it(system):
    write = system.paths["write"]
    store = next(s for s in write.steps if s.targets == ("db_leader",))
    delete = next(s for s in write.steps if s.targets == ("list_cache",))
    assert delete.number > store.number
    assert "delete the key `fav:42`" in delete.text
    # a reader may refill the key from a lagging follower between the delete and replication:
    # the key is deleted a second time, later, and that is the last step of the write
    deletes = [s for s in write.steps if s.targets == ("list_cache",)]
    assert len(deletes) == 2 and deletes[1] == write.steps[-1]
    assert "second time" in deletes[1].text and "follower" in deletes[1].text
    # the read path fills the same key that the write path deletes
    fill = [s for s in system.paths["read"].steps if s.targets == ("list_cache",) and s.when]
    assert fill and all("`fav:42`" in s.text for s in fill)
    notes = " ".join(note.text for path in system.paths.values() for note in path.notes)
    assert "TTL" in notes and "flushing them would throw away" in notes


def test_the_source_s_wrong_claims_are_corrected_in_notes(system):
    corrections = " ".join(note.text for path in system.paths.values() for note in path.notes
                           if note.theme == "Corrections")
    assert "Apache Gora" in corrections and "not an SQL layer" in corrections
    assert "transactions since 4.0" in corrections
    assert "CDN cannot check who is asking" in corrections


# --- The documents and the DDL ----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_document_field_is_a_column_and_every_column_a_field(database, name):
    shape = SHAPES[name]
    table_columns = set(columns(database, shape.table))
    for row in rows(name):
        fields = set(row) - set(shape.implied)
        assert fields <= table_columns, (name, sorted(fields - table_columns))
        missing = table_columns - fields - set(shape.implied)
        assert not missing, (name, sorted(missing))


def test_every_table_has_a_document_shape(database):
    tables = {row[0] for row in database.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    assert tables == {shape.table for shape in SHAPES.values()}


def test_the_documents_load_into_the_schema_with_foreign_keys_on(database):
    for name in LOAD_ORDER:
        for row in rows(name):
            insert(database, SHAPES[name].table, row)
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []
    # the list comes back in the owner's order, with names and hex codes
    listed = database.execute(
        "SELECT c.name, c.hex_code FROM favorite_list f JOIN colors c ON c.id = f.color_id "
        "WHERE f.user_id = 42 ORDER BY f.position").fetchall()
    assert listed == [("Dodger blue", "#1E90FF"), ("Tomato", "#FF6347"), ("Sea green", "#2E8B57")]
    viewers = database.execute("SELECT viewer_id FROM permissions WHERE owner_id = 42 ORDER BY viewer_id").fetchall()
    assert viewers == [(51,), (60,)]


def test_a_favourite_list_naming_an_unknown_colour_is_refused(database):
    for name in ("users.json", "colors.json"):
        for row in rows(name):
            insert(database, SHAPES[name].table, row)
    with pytest.raises(sqlite3.IntegrityError):
        insert(database, "favorite_list", {"user_id": 42, "color_id": 999, "position": 1, "added_at": "2026-11-02"})


def test_a_malformed_hex_code_is_refused(database):
    with pytest.raises(sqlite3.IntegrityError):
        insert(database, "colors", {"id": 1, "hex_code": "#12345G", "name": "Not a colour"})
    with pytest.raises(sqlite3.IntegrityError):
        insert(database, "colors", {"id": 2, "hex_code": "1E90FF", "name": "No hash"})


def test_an_owner_cannot_be_their_own_viewer(database):
    for row in rows("users.json"):
        insert(database, "users", row)
    with pytest.raises(sqlite3.IntegrityError):
        insert(database, "permissions", {"owner_id": 42, "viewer_id": 42, "granted_at": "2026-11-06"})


def test_the_page_includes_every_document_file_and_the_ddl():
    page = PAGE.read_text(encoding="utf-8")
    included = set(re.findall(r'--8<-- "snippets/documents/color_picker/([^"]+)"', page))
    assert included == set(SHAPES) == {p.name for p in DOCUMENTS.glob("*.json")}
    assert '--8<-- "snippets/schemas/color_picker.sql"' in page
    for marker in ("schema", "write", "read", "share"):
        assert f"<!-- blueprint: color_picker/{marker} -->" in page


# --- Review findings C1 to C3 -------------------------------------------------------------


def test_a_share_or_revoke_drops_the_permissions_copy_instead_of_replacing_it(system):
    """Replacing in place lets two racing changes leave the older copy, with a revoked viewer in it."""
    share = system.paths["share"].steps
    to_user_info = [step for step in share if step.targets == ("user_info",)]
    assert len(to_user_info) == 1
    assert "drop" in to_user_info[0].text and "replaces" not in to_user_info[0].text
    assert "every instance" in to_user_info[0].text and "acknowledged" in to_user_info[0].text
    reload = next(step for step in system.paths["read"].steps if step.source == "user_info")
    assert reload.targets == ("db_leader",) and reload.when  # the reload after the drop reads the leader
    notes = " ".join(note.text for note in system.paths["share"].notes)
    assert "throws away a load that started before" in notes


def test_an_email_is_unique_and_found_on_one_shard(system, database):
    lookup = next(step for step in system.paths["share"].steps if "address" in step.text and step.targets == ("db_leader",))
    assert "user_emails" in lookup.text and "sharded by email" in lookup.text
    unique_on_users = [row for row in database.execute("PRAGMA index_list(users)") if row[2]]
    assert all("email" not in [c[2] for c in database.execute(f"PRAGMA index_info({row[1]})")] for row in unique_on_users)
    for name in ("users.json", "user_emails.json"):
        for row in rows(name):
            insert(database, SHAPES[name].table, row)
    with pytest.raises(sqlite3.IntegrityError):  # a second account with Ada's address
        insert(database, "user_emails", {"email": "ada@example.com", "user_id": 51})
    notes = " ".join(note.text for note in system.paths["write"].notes)
    assert "keeps a list and its permissions together" not in PAGE.read_text(encoding="utf-8")
    assert "balanced on its own" in notes


def test_a_list_replacement_names_the_list_it_edited(system):
    put = next(e for e in system.endpoints if e.method == "PUT")
    assert "If-Match" in dict(put.headers)
    assert {412, 428} <= set(dict(put.status))
    write = {step.number: step for step in system.paths["write"].steps}
    store = next(step for step in write.values() if step.targets == ("db_leader",))
    assert "412" in store.text and "matches the stored array exactly" in store.text


# --- Second review: a retried share or replacement repeats no effect ----------------------------


def test_a_retried_share_sends_one_email(system):
    """Step 5's $addToSet makes a repeated share change nothing, but the email of step 7 would go
    out again on every retry unless it carries a key that is the same across retries."""
    (send,) = [step for step in system.paths["share"].steps if step.targets == ("email",)]
    assert "`share:42:{viewer ID}`" in send.text and "sends once per key" in send.text
    share = next(e for e in system.endpoints if e.method == "POST")
    assert "sends one email" in dict(share.status)[200]


def test_a_retried_replacement_is_not_a_conflict(system):
    """The If-Match check compares a hash, so the service must read the list to compare it; a PUT
    retried after its answer was lost finds its own list stored and must not get 412."""
    store = next(step for step in system.paths["write"].steps if step.targets == ("db_leader",))
    assert "checks that its hash is the ETag" in store.text and "retried `PUT`" in store.text
    put = next(e for e in system.endpoints if e.method == "PUT")
    assert "a retry of a PUT that succeeded" in dict(put.status)[200]


def test_sign_up_claims_the_address_before_the_user_exists():
    """The DDL says sign-up inserts the email claim first; the model's foreign key must allow that
    order within one transaction, and still refuse a claim whose user never appears."""
    database = sqlite3.connect(":memory:", isolation_level=None)
    database.execute("PRAGMA foreign_keys = ON")
    database.executescript(DDL.read_text(encoding="utf-8"))
    database.execute("BEGIN")
    database.execute("INSERT INTO user_emails (email, user_id) VALUES ('ada@example.com', 7)")
    database.execute("INSERT INTO users (id, name, email, created_at) VALUES (7, 'Ada', 'ada@example.com', '2026-12-07')")
    database.execute("COMMIT")
    database.execute("BEGIN")
    database.execute("INSERT INTO user_emails (email, user_id) VALUES ('bob@example.com', 8)")
    with pytest.raises(sqlite3.IntegrityError):
        database.execute("COMMIT")  # an orphan claim is refused at commit
    database.execute("ROLLBACK")


def test_a_retried_revoke_finishes_instead_of_failing(system):
    """A revoke that crashed after $pull but before every copy was dropped is finished by the
    owner's retry; a 404 for 'no longer a viewer' would leave the copies to their TTL."""
    revoke = next(e for e in system.endpoints if e.method == "DELETE")
    status = dict(revoke.status)
    assert "drops the copies again" in status[204] and "not a viewer" not in status.get(404, "")
