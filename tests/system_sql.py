"""Running a system page's SQL snippets: `:name` parameters on SQLite and on psycopg.

The snippets are written with `:name` parameters, which SQLite understands; psycopg wants
`%(name)s`, so `for_psycopg` rewrites them (a `::` cast is left alone).
"""

from __future__ import annotations

import re
from pathlib import Path
from collections.abc import Callable, Iterator
from typing import Any

from blueprint.sql_pages import read_section, statements

ROOT = Path(__file__).resolve().parents[1]
_PARAMETER = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")


def section(file: str, name: str) -> str:
    return read_section(ROOT, file, name)


def for_psycopg(sql: str) -> str:
    return _PARAMETER.sub(r"%(\1)s", sql)


def execute(connection: Any, sql: str, parameters: dict[str, Any] | None = None, *, postgres: bool = False) -> list[tuple]:
    """Run each statement of `sql` in order; return the rows of the last one that has rows."""
    rows: list[tuple] = []
    for statement in statements(sql):
        names = set(_PARAMETER.findall(statement))
        given = {name: value for name, value in (parameters or {}).items() if name in names}
        cursor = connection.execute(for_psycopg(statement) if postgres else statement, given)
        if cursor.description is not None:
            rows = [tuple(row) for row in cursor.fetchall()]
    return rows


def fresh_schema(server: Any, schema: str, ddl: Path, users: tuple[int, ...], queries: str,
                 defaults: dict[str, Any] | None = None) -> Iterator[Callable[[], Any]]:
    """A generator for a pytest fixture: a fresh PostgreSQL schema built from `ddl`, with the
    given users. It yields `connect()` (a connection placed in that schema, with a 5 s
    statement timeout), `connect.setup` (the connection that built it) and
    `connect.run(connection, section, **parameters)` (one section of `queries`, run with
    `defaults` for the parameters not given); every connection is closed afterwards."""
    opened = []
    setup = server.connect()
    setup.execute(f"CREATE SCHEMA {schema}")
    setup.execute(f"SET search_path TO {schema}")
    for statement in statements(ddl.read_text(encoding="utf-8")):
        setup.execute(statement)
    for user in users:
        setup.execute("INSERT INTO users (id, name, email, created_at) VALUES (%s, %s, %s, now())",
                      (user, f"user {user}", f"u{user}@example.com"))

    def connect() -> Any:
        connection = server.connect()
        connection.execute(f"SET search_path TO {schema}")
        connection.execute("SET statement_timeout = '5s'")
        opened.append(connection)
        return connection

    def run(connection: Any, name: str, **parameters: Any) -> list[tuple]:
        return execute(connection, section(queries, name), {**(defaults or {}), **parameters}, postgres=True)

    connect.setup = setup
    connect.run = run
    yield connect
    for connection in opened:
        connection.close()
    setup.close()
