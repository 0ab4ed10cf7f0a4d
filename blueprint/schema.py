"""A schema read from its DDL: run the file on SQLite, then ask SQLite what it built.

Tables, columns, keys and relationships all come from SQLite's own catalogue
(`PRAGMA table_info`, `foreign_key_list`, `index_list`), never from parsing SQL text,
so the ERD shows exactly what the DDL creates.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

from blueprint.model import BlueprintError, text_problems


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    primary_key: bool
    not_null: bool


@dataclass(frozen=True)
class ForeignKey:
    table: str  # the table holding the key (the "many" side)
    columns: tuple[str, ...]
    parent: str  # the table it points at (the "one" side)
    parent_columns: tuple[str, ...]
    unique: bool  # a unique key makes the relationship 1-to-1


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    foreign_keys: tuple[ForeignKey, ...]

    @property
    def primary_key(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.primary_key)

    def is_join_table(self) -> bool:
        """Two foreign keys whose columns together are the whole primary key."""
        if len(self.foreign_keys) != 2:
            return False
        key_columns = sorted(column for fk in self.foreign_keys for column in fk.columns)
        return key_columns == sorted(self.primary_key)


@dataclass(frozen=True)
class Relationship:
    """How two tables relate, as the foreign keys define it."""

    one: str
    cardinality: str  # "1-to-1", "1-to-many" or "many-to-many"
    other: str
    through: str  # the foreign-key columns, or the join table for many-to-many

    def __str__(self) -> str:
        if self.cardinality == "many-to-many":
            return f"{self.one} many-to-many {self.other} through {self.through}"
        return f"{self.one} {self.cardinality} {self.other}"


@dataclass(frozen=True)
class Schema:
    file: str
    tables: tuple[Table, ...]

    def relationships(self) -> list[Relationship]:
        """One per foreign key, except that a join table's two keys make one many-to-many."""
        found = []
        for table in self.tables:
            if table.is_join_table():
                first, second = (fk.parent for fk in table.foreign_keys)
                found.append(Relationship(first, "many-to-many", second, table.name))
                continue
            for fk in table.foreign_keys:
                cardinality = "1-to-1" if fk.unique else "1-to-many"
                columns = ", ".join(f"{table.name}.{column}" for column in fk.columns)
                found.append(Relationship(fk.parent, cardinality, table.name, columns))
        return found


def load_schema(path: Path, display: str) -> Schema:
    """Execute the DDL in a fresh in-memory database and read back its tables."""
    try:
        ddl = path.read_text(encoding="utf-8")
    except OSError as error:
        raise BlueprintError(f"{display}: cannot read the schema ({error.strerror})") from None
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        try:
            connection.executescript(ddl)
        except sqlite3.Error as error:
            raise BlueprintError(f"{display}: the DDL does not execute on SQLite: {error}") from None
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
            )
        ]
        if not names:
            raise BlueprintError(f"{display}: the DDL creates no table")
        tables = tuple(_read_table(connection, name) for name in names)
    finally:
        connection.close()
    by_name = {table.name: table for table in tables}
    for table in tables:
        for name, what in [(table.name, f"table {table.name!r}")] + [
            (column.name, f"table {table.name!r}, column {column.name!r}") for column in table.columns
        ]:
            for problem in text_problems("the name", name):
                raise BlueprintError(f"{display}, {what}: {problem}")
        for fk in table.foreign_keys:
            if fk.parent not in by_name:
                raise BlueprintError(f"{display}: {table.name} references unknown table '{fk.parent}'")
    return Schema(display, tuple(_with_parent_columns(table, by_name) for table in tables))


def _with_parent_columns(table: Table, by_name: dict[str, Table]) -> Table:
    """`REFERENCES users` without a column list means the parent's primary key."""
    keys = tuple(
        fk if all(fk.parent_columns) else replace(fk, parent_columns=by_name[fk.parent].primary_key)
        for fk in table.foreign_keys
    )
    return replace(table, foreign_keys=keys)


def _read_table(connection: sqlite3.Connection, name: str) -> Table:
    columns = tuple(
        Column(row[1], row[2], row[5] > 0, bool(row[3]))
        for row in connection.execute(f"PRAGMA table_info({_quote(name)})")
    )
    unique_sets = _unique_column_sets(connection, name)
    grouped: dict[int, list[tuple]] = {}
    for row in connection.execute(f"PRAGMA foreign_key_list({_quote(name)})"):
        grouped.setdefault(row[0], []).append(row)
    foreign_keys = []
    for rows in grouped.values():
        rows.sort(key=lambda row: row[1])
        own = tuple(row[3] for row in rows)
        parent = rows[0][2]
        parent_columns = tuple(row[4] or "" for row in rows)
        foreign_keys.append(ForeignKey(name, own, parent, parent_columns, frozenset(own) in unique_sets))
    foreign_keys.sort(key=lambda fk: fk.columns)
    return Table(name, columns, tuple(foreign_keys))


def _unique_column_sets(connection: sqlite3.Connection, table: str) -> set[frozenset[str]]:
    sets = set()
    primary = frozenset(
        row[1] for row in connection.execute(f"PRAGMA table_info({_quote(table)})") if row[5] > 0
    )
    if primary:
        sets.add(primary)
    for index in connection.execute(f"PRAGMA index_list({_quote(table)})"):
        # unique, and for every row: a partial index (`WHERE status = 'open'`) makes a
        # column unique only among some rows, so the relationship stays 1-to-many
        if index[2] and not index[4]:
            sets.add(frozenset(row[2] for row in connection.execute(f"PRAGMA index_info({_quote(index[1])})")))
    return sets


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
