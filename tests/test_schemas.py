"""Schemas: the DDL runs, and the ERD and the page say exactly what its foreign keys define."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from blueprint.model import BlueprintError
from blueprint.schema import load_schema
from conftest import FIXTURES, ROOT

SVG = "{http://www.w3.org/2000/svg}"
SCHEMAS = sorted((ROOT / "snippets" / "schemas").glob("*.sql"))


def foreign_keys_by_sqlite(ddl: Path) -> set[str]:
    """'parent:column->child:column' for each foreign key, straight from SQLite."""
    connection = sqlite3.connect(":memory:")
    connection.executescript(ddl.read_text())
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")]
    found = set()
    for table in tables:
        for row in connection.execute(f"PRAGMA foreign_key_list({table})"):
            parent, column, parent_column = row[2], row[3], row[4]
            if parent_column is None:  # REFERENCES users: the parent's primary key
                parent_column = next(r[1] for r in connection.execute(f"PRAGMA table_info({parent})") if r[5])
            found.add(f"{parent}:{parent_column}->{table}:{column}")
    return found


def erd_edges(svg: str) -> set[str]:
    root = ET.fromstring(svg)
    return {g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g") if g.get("class") == "edge"}


def erd_tables(svg: str) -> set[str]:
    root = ET.fromstring(svg)
    return {g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g") if g.get("class") == "node"}


@pytest.mark.parametrize("ddl", SCHEMAS, ids=[path.stem for path in SCHEMAS])
def test_every_schema_executes_on_sqlite(ddl):
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.executescript(ddl.read_text())
    assert connection.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()[0] >= 1


def test_each_system_schema_is_drawn_from_its_ddl(catalogue):
    assert catalogue.schemas, "at least Pastebin has a schema"
    for system_id, schema in catalogue.schemas.items():
        ddl = ROOT / "snippets" / catalogue.systems[system_id].schema
        svg = catalogue.pictures[f"{system_id}/schema"].svg
        assert erd_edges(svg) == foreign_keys_by_sqlite(ddl), system_id
        connection = sqlite3.connect(":memory:")
        connection.executescript(ddl.read_text())
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
        assert erd_tables(svg) == tables
        for table in tables:
            for row in connection.execute(f"PRAGMA table_info({table})"):
                assert f"{row[1]} " in svg.replace("\xa0", " "), (table, row[1])


def test_pastebin_users_have_many_pastes(catalogue):
    assert [str(r) for r in catalogue.schemas["pastebin"].relationships()] == [
        "users 1-to-many pastes", "users 1-to-many paste_reservations"]


def test_one_to_one_one_to_many_and_many_to_many_are_told_apart():
    schema = load_schema(FIXTURES / "schemas" / "relationships.sql", "relationships.sql")
    assert sorted(str(r) for r in schema.relationships()) == [
        "users 1-to-1 profiles",
        "users 1-to-many posts",
        "users many-to-many users through follows",
    ]
    follows = next(table for table in schema.tables if table.name == "follows")
    # `REFERENCES users` without a column means the parent's primary key
    assert {fk.parent_columns for fk in follows.foreign_keys} == {("id",)}


def test_a_partial_unique_index_leaves_the_relationship_one_to_many(tmp_path):
    """One open trip per rider is a partial unique index; a rider still has many trips."""
    ddl = tmp_path / "trips.sql"
    ddl.write_text(
        "CREATE TABLE riders (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE trips (id INTEGER PRIMARY KEY, rider_id INTEGER NOT NULL REFERENCES riders (id), status TEXT NOT NULL);\n"
        "CREATE UNIQUE INDEX one_open_trip ON trips (rider_id) WHERE status = 'open';\n"
    )
    assert [str(r) for r in load_schema(ddl, "trips.sql").relationships()] == ["riders 1-to-many trips"]
    ddl.write_text(ddl.read_text().replace(" WHERE status = 'open'", ""))
    assert [str(r) for r in load_schema(ddl, "trips.sql").relationships()] == ["riders 1-to-1 trips"]


def test_ddl_that_does_not_run_names_its_file():
    with pytest.raises(BlueprintError, match=r"^schemas/broken.sql: the DDL does not execute on SQLite"):
        load_schema(FIXTURES / "schemas" / "broken.sql", "schemas/broken.sql")


def test_a_missing_ddl_file_names_its_file(tmp_path):
    with pytest.raises(BlueprintError, match=r"^schemas/none.sql: cannot read the schema"):
        load_schema(tmp_path / "none.sql", "schemas/none.sql")
