"""Running a system page's SQL snippets: `:name` parameters on SQLite and on psycopg.

The snippets are written with `:name` parameters, which SQLite understands; psycopg wants
`%(name)s`, so `for_psycopg` rewrites them (a `::` cast is left alone).
"""

from __future__ import annotations

import re
from pathlib import Path
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
