"""The SQL page, as a specification: every query it shows, run on three real engines.

Each section under snippets/sql/ runs on SQLite, DuckDB and a PostgreSQL server started
here; the rows each engine returns, and each way the engines differ, are asserted below.
The page's generated tables and JOIN pictures are checked against the same expectations.
"""

from __future__ import annotations

import os
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterator

import duckdb
import markdown
import psycopg
import pytest
from mkdocs.exceptions import PluginError
from sql_engines import ENGINES, sample_connection

from blueprint.model import BlueprintError
from blueprint.sql_pages import (
    KEEPS,
    SCHEMA,
    SEED,
    expand,
    read_section,
    run,
    section_names,
    statements,
)

ROOT = Path(__file__).resolve().parents[1]
PAGE = "docs/sql.md"
QUERY_FILES = ("insert.sql", "select.sql", "join.sql", "group.sql", "index.sql", "transaction.sql", "engines.sql")
EXPLAIN_FILE = "snippets/sql/explain_postgres.txt"


# --- Expectations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rows:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    ordered: bool = True  # False when the query has no ORDER BY: any order is correct


@dataclass(frozen=True)
class Fails:
    error: type[Exception]
    message: str  # part of the engine's message


@dataclass(frozen=True)
class SqlitePlan:
    """EXPLAIN QUERY PLAN's top-level steps; the node ids are SQLite internals, not checked."""

    details: list[str]


@dataclass(frozen=True)
class CommittedPlan:
    """PostgreSQL's EXPLAIN output must equal the section of the same name in EXPLAIN_FILE."""


def everywhere(columns: tuple[str, ...], rows: list[tuple[Any, ...]], ordered: bool = True) -> dict[str, Rows]:
    return {engine: Rows(columns, rows, ordered) for engine in ENGINES}


def per_engine(**expectations: Any) -> dict[str, Any]:
    assert set(expectations) == set(ENGINES)
    return expectations


USERS = [
    (1, "Ada", "ada@example.com", "2024-01-02 09:00:00"),
    (2, "Grace", "grace@example.com", "2024-01-10 14:30:00"),
    (3, "Linus", "linus@example.com", "2024-02-01 08:15:00"),
    (4, "Margaret", "margaret@example.com", "2024-02-20 17:45:00"),
]
# (paste, expiry), soonest first; two pastes never expire.
EXPIRING = [
    ("aZ3x9Q", "2024-02-03 10:00:00"),
    ("f2Wv6N", "2024-03-02 12:00:00"),
    ("g1Xc6V", "2024-03-11 18:05:00"),
    ("e5Rt7Y", "2024-03-22 13:10:00"),
    ("c9Tm4R", "2024-09-05 11:45:00"),
]
NEVER = [("b7KpL2", None), ("dQ2w8E", None)]
# Ada owns three pastes, Grace two, Linus one, Margaret none; g1Xc6V has no owner.
MATCHED = [
    ("Ada", "aZ3x9Q"),
    ("Ada", "b7KpL2"),
    ("Ada", "c9Tm4R"),
    ("Grace", "dQ2w8E"),
    ("Grace", "e5Rt7Y"),
    ("Linus", "f2Wv6N"),
]
SQLITE_SYNTAX = Fails(sqlite3.OperationalError, "syntax error")
DUCKDB_NO_QUERY_PLAN = Fails(duckdb.ParserException, 'syntax error at or near "QUERY"')
POSTGRES_NO_QUERY_PLAN = Fails(psycopg.errors.SyntaxError, 'syntax error at or near "QUERY"')

EXPECTED: dict[str, dict[str, Any]] = {
    # INSERT: a column left out of the list gets its default, here NULL.
    "insert.sql:insert_named": everywhere(("id", "user_id", "expires_at"), [("h4Hn2J", 4, None)]),
    "insert.sql:insert_all": everywhere(
        ("id", "name", "email", "created_at"), [(5, "Edsger", "edsger@example.com", "2024-03-15 10:30:00")]
    ),
    # SELECT and WHERE
    "select.sql:select_all": everywhere(("id", "name", "email", "created_at"), USERS, ordered=False),
    "select.sql:select_columns": everywhere(
        ("name", "email"), [(name, email) for _, name, email, _ in USERS], ordered=False
    ),
    "select.sql:where": everywhere(
        ("id", "created_at"), [("b7KpL2", "2024-02-14 16:20:00"), ("c9Tm4R", "2024-03-05 11:45:00")], ordered=False
    ),
    "select.sql:where_equals_null": everywhere(("id",), []),  # = NULL is never true
    "select.sql:where_is_null": everywhere(("id",), [("b7KpL2",), ("dQ2w8E",)], ordered=False),
    # <> 1 is unknown, not true, for the anonymous paste: it is silently left out.
    "select.sql:where_not_equal": everywhere(
        ("id", "user_id"), [("dQ2w8E", 2), ("e5Rt7Y", 2), ("f2Wv6N", 3)], ordered=False
    ),
    "select.sql:where_not_equal_or_null": everywhere(
        ("id", "user_id"), [("dQ2w8E", 2), ("e5Rt7Y", 2), ("f2Wv6N", 3), ("g1Xc6V", None)], ordered=False
    ),
    # ORDER BY: where NULLs go is the engine's choice unless the query says.
    "select.sql:order_asc": per_engine(
        sqlite=Rows(("id", "expires_at"), NEVER + EXPIRING),
        duckdb=Rows(("id", "expires_at"), EXPIRING + NEVER),
        postgres=Rows(("id", "expires_at"), EXPIRING + NEVER),
    ),
    "select.sql:order_desc": per_engine(
        sqlite=Rows(("id", "expires_at"), EXPIRING[::-1] + NEVER),
        duckdb=Rows(("id", "expires_at"), EXPIRING[::-1] + NEVER),
        postgres=Rows(("id", "expires_at"), NEVER + EXPIRING[::-1]),
    ),
    "select.sql:order_nulls_last": everywhere(("id", "expires_at"), EXPIRING + NEVER),
    # Joins
    "join.sql:inner_join": everywhere(("name", "paste"), MATCHED),
    "join.sql:left_join": everywhere(("name", "paste"), MATCHED + [("Margaret", None)]),
    "join.sql:right_join": everywhere(("name", "paste"), MATCHED + [(None, "g1Xc6V")]),
    "join.sql:full_join": everywhere(("name", "paste"), MATCHED + [("Margaret", None), (None, "g1Xc6V")]),
    "join.sql:users_without_pastes": everywhere(("name",), [("Margaret",)], ordered=False),
    # A WHERE on the right table drops the NULL rows the LEFT JOIN added: only Ada is left.
    "join.sql:left_join_filter_in_where": everywhere(("name", "paste"), [("Ada", "c9Tm4R")]),
    "join.sql:left_join_filter_in_on": everywhere(
        ("name", "paste"), [("Ada", "c9Tm4R"), ("Grace", None), ("Linus", None), ("Margaret", None)]
    ),
    # GROUP BY and aggregates
    "group.sql:group_by": everywhere(("name", "paste_count"), [("Ada", 2), ("Grace", 1), ("Linus", 1)]),
    "group.sql:per_owner": everywhere(
        ("user_id", "paste_count", "first_paste", "latest_paste"),
        [
            (1, 3, "2024-01-03 10:00:00", "2024-03-05 11:45:00"),
            (2, 2, "2024-01-11 09:30:00", "2024-02-22 13:10:00"),
            (3, 1, "2024-02-02 12:00:00", "2024-02-02 12:00:00"),
            (None, 1, "2024-03-10 18:05:00", "2024-03-10 18:05:00"),  # all NULLs form one group
        ],
    ),
    # Four users, six owned pastes: 6 / 4 = 1.5 on average, Margaret's 0 included.
    "group.sql:per_user_summary": everywhere(("users", "pastes", "fewest", "most", "average"), [(4, 6, 0, 3, 1.5)]),
    "group.sql:count_star_or_column": everywhere(
        ("name", "rows_counted", "pastes"), [("Ada", 3, 3), ("Grace", 2, 2), ("Linus", 1, 1), ("Margaret", 1, 0)]
    ),
    "group.sql:count_skips_null": everywhere(("pastes", "owned", "owners", "expiring"), [(7, 6, 3, 5)]),
    # 6 of 7 pastes have an owner: integer division says 0, except on DuckDB.
    "group.sql:owned_share": per_engine(
        sqlite=Rows(("owned_share", "owned_percent"), [(0, 85.7)]),
        duckdb=Rows(("owned_share", "owned_percent"), [(6 / 7, 85.7)]),
        postgres=Rows(("owned_share", "owned_percent"), [(0, 85.7)]),
    ),
    "group.sql:having": everywhere(("name", "paste_count"), [("Ada", 3), ("Grace", 2)]),
    "group.sql:where_and_having": everywhere(("name", "paste_count"), [("Ada", 2)], ordered=False),
    "group.sql:aggregate_in_where": per_engine(
        sqlite=Fails(sqlite3.OperationalError, "misuse of aggregate"),
        duckdb=Fails(duckdb.BinderException, "WHERE clause cannot contain aggregates"),
        postgres=Fails(psycopg.errors.GroupingError, "aggregate functions are not allowed in WHERE"),
    ),
    # Index and EXPLAIN: each engine has its own EXPLAIN syntax.
    "index.sql:expired": everywhere(("id",), [("aZ3x9Q",), ("f2Wv6N",), ("g1Xc6V",)], ordered=False),
    "index.sql:plan_sqlite": per_engine(
        sqlite=SqlitePlan(["SCAN pastes"]), duckdb=DUCKDB_NO_QUERY_PLAN, postgres=POSTGRES_NO_QUERY_PLAN
    ),
    "index.sql:plan_sqlite_indexed": per_engine(
        sqlite=SqlitePlan(["SEARCH pastes USING INDEX pastes_by_expiry (expires_at<?)"]),
        duckdb=DUCKDB_NO_QUERY_PLAN,
        postgres=POSTGRES_NO_QUERY_PLAN,
    ),
    "index.sql:plan_postgres": per_engine(
        sqlite=SQLITE_SYNTAX,
        duckdb=Fails(duckdb.NotImplementedException, "Unimplemented explain type: costs"),
        postgres=CommittedPlan(),
    ),
    "index.sql:plan_postgres_indexed": per_engine(
        sqlite=SQLITE_SYNTAX,
        duckdb=Fails(duckdb.NotImplementedException, "Unimplemented explain type: costs"),
        postgres=CommittedPlan(),
    ),
    "index.sql:plan_postgres_no_seqscan": per_engine(
        sqlite=SQLITE_SYNTAX,
        duckdb=Fails(duckdb.CatalogException, 'unrecognized configuration parameter "enable_seqscan"'),
        postgres=CommittedPlan(),
    ),
    # Transactions
    "transaction.sql:delete_account": per_engine(
        sqlite=Rows(("id", "name"), [(1, "Ada"), (2, "Grace"), (4, "Margaret")]),
        # DuckDB's foreign-key check does not see deletes made earlier in the same transaction.
        duckdb=Fails(duckdb.ConstraintException, "Violates foreign key constraint"),
        postgres=Rows(("id", "name"), [(1, "Ada"), (2, "Grace"), (4, "Margaret")]),
    ),
    "transaction.sql:rollback": everywhere(("pastes",), [(7,)]),
    "transaction.sql:orphan": per_engine(
        sqlite=Rows(("id", "user_id"), [("f2Wv6N", 3)]),  # foreign keys are off unless asked for
        duckdb=Fails(duckdb.ConstraintException, "Violates foreign key constraint"),
        postgres=Fails(psycopg.errors.ForeignKeyViolation, 'violates foreign key constraint "pastes_user_id_fkey"'),
    ),
    # Engine differences that have no other home
    "engines.sql:unquoted_case": per_engine(
        sqlite=Rows(("PasteCount",), [(7,)]),
        duckdb=Rows(("PasteCount",), [(7,)]),
        postgres=Rows(("pastecount",), [(7,)]),
    ),
    "engines.sql:quoted_case": per_engine(
        sqlite=Rows(("PasteCount",), [(7,)]),
        duckdb=Rows(("PasteCount",), [(7,)]),
        postgres=Fails(psycopg.errors.UndefinedTable, 'relation "Pastes" does not exist'),
    ),
    "engines.sql:group_by_key_only": per_engine(
        sqlite=Rows(("name", "paste_count"), [("Ada", 3), ("Grace", 2), ("Linus", 1)]),
        duckdb=Fails(duckdb.BinderException, 'column "name" must appear in the GROUP BY clause'),
        postgres=Rows(("name", "paste_count"), [("Ada", 3), ("Grace", 2), ("Linus", 1)]),
    ),
}

# The sections SQLite runs: each has a generated result table on the page.
SQLITE_RUNS = [section for section, by_engine in EXPECTED.items() if not isinstance(by_engine["sqlite"], Fails)]


# --- Fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres(postgres_database) -> Callable[[], psycopg.Connection]:
    """Connections to this module's own database on the session's PostgreSQL server."""
    return postgres_database.connect


@pytest.fixture
def sample(request: pytest.FixtureRequest) -> Iterator[Callable[[str], Any]]:
    """Opens a fresh copy of the sample data on an engine; SQLite and DuckDB need no server."""
    opened = []

    def open_sample(engine: str) -> Any:
        connect = request.getfixturevalue("postgres") if engine == "postgres" else None
        connection = sample_connection(engine, ROOT, connect)
        opened.append(connection)
        return connection

    yield open_sample
    for connection in opened:
        connection.close()


def plain(value: Any) -> Any:
    """One spelling for values all engines agree on; their types are pinned by their own tests."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, Decimal):
        return float(value)
    return value


def section_sql(section: str) -> str:
    file, name = section.split(":")
    return read_section(ROOT, f"snippets/sql/{file}", name)


def committed_plan(name: str) -> list[str]:
    return read_section(ROOT, EXPLAIN_FILE, name).rstrip("\n").split("\n")


# --- Every query, every engine -------------------------------------------------------------


@pytest.mark.parametrize(("section", "engine"), [(section, engine) for section in EXPECTED for engine in ENGINES])
def test_each_query_returns_exactly_these_rows(section: str, engine: str, sample) -> None:
    expected = EXPECTED[section][engine]
    connection = sample(engine)
    if isinstance(expected, Fails):
        with pytest.raises(expected.error, match=re.escape(expected.message)):
            run(connection, section_sql(section))
        return
    result = run(connection, section_sql(section))
    if isinstance(expected, SqlitePlan):
        assert result.columns == ("id", "parent", "notused", "detail")
        assert [(parent, detail) for _, parent, _, detail in result.rows] == [(0, d) for d in expected.details]
    elif isinstance(expected, CommittedPlan):
        assert result.columns == ("QUERY PLAN",)
        assert [line for (line,) in result.rows] == committed_plan(section.split(":")[1]), (
            f"{EXPLAIN_FILE} is stale: see test_committed_postgres_plans_are_the_servers_output"
        )
    else:
        assert result.columns == expected.columns
        rows = [tuple(plain(value) for value in row) for row in result.rows]
        if expected.ordered:
            assert rows == expected.rows
        else:
            assert Counter(rows) == Counter(expected.rows)


def test_every_query_on_disk_has_expectations() -> None:
    on_disk = {f"{file}:{name}" for file in QUERY_FILES for name in section_names(ROOT, f"snippets/sql/{file}")}
    assert on_disk == set(EXPECTED), "a section without expectations is untested; one without a file is stale"
    # A system's or a concept's queries (snippets/sql/<name>.sql) are tested by that page's own test file.
    page_tests = " ".join(
        path.read_text() for path in (ROOT / "tests").glob("test_*.py") if path.name != "test_sql.py"
    )
    files = {path.name for path in (ROOT / "snippets" / "sql").glob("*.sql")}
    assert {name for name in files if f"snippets/sql/{name}" not in page_tests} == {*QUERY_FILES, "seed.sql"}


def test_the_seed_loads_unchanged_on_every_engine(sample) -> None:
    for engine in ENGINES:
        connection = sample(engine)
        counts = run(connection, "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM pastes);")
        assert counts.rows == ((4, 7),), engine


# --- Engine differences, one assertion each ------------------------------------------------


def test_this_sqlite_has_right_and_full_join() -> None:
    # Added in SQLite 3.39.0 (2022); the page's RIGHT and FULL JOIN tables need it.
    assert sqlite3.sqlite_version_info >= (3, 39, 0), f"SQLite {sqlite3.sqlite_version} rejects RIGHT JOIN"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_right_join_is_a_left_join_with_the_tables_swapped(engine: str, sample) -> None:
    swapped = "SELECT u.name, p.id AS paste FROM pastes AS p LEFT JOIN users AS u ON p.user_id = u.id ORDER BY p.id;"
    connection = sample(engine)
    assert run(connection, swapped).rows == run(connection, section_sql("join.sql:right_join")).rows


@pytest.mark.parametrize(
    ("engine", "ascending", "descending"),
    [("sqlite", "first", "last"), ("duckdb", "last", "last"), ("postgres", "last", "first")],
)
def test_where_nulls_sort_depends_on_the_engine(engine: str, ascending: str, descending: str, sample) -> None:
    def nulls(section: str) -> str:
        expiries = [expiry for _, expiry in run(sample(engine), section_sql(section)).rows]
        if expiries[:2] == [None, None]:
            return "first"
        return "last" if expiries[-2:] == [None, None] else "in the middle"

    assert (nulls("select.sql:order_asc"), nulls("select.sql:order_desc")) == (ascending, descending)
    assert nulls("select.sql:order_nulls_last") == "last"


@pytest.mark.parametrize(("engine", "share"), [("sqlite", 0), ("duckdb", 6 / 7), ("postgres", 0)])
def test_integer_division_truncates_except_on_duckdb(engine: str, share: float, sample) -> None:
    ((owned_share, _),) = run(sample(engine), section_sql("group.sql:owned_share")).rows
    assert owned_share == share
    assert type(owned_share) is type(share)
    if engine == "duckdb":  # the page points to DuckDB's own integer division operator
        assert run(sample(engine), "SELECT COUNT(user_id) // COUNT(*) FROM pastes;").rows == ((0,),)


@pytest.mark.parametrize("engine", ENGINES)
def test_aggregates_of_no_values_are_null_except_count(engine: str, sample) -> None:
    # As the page says: SUM, AVG, MIN and MAX skip NULLs and return NULL when nothing is left.
    query = (
        "SELECT COUNT(user_id), SUM(user_id), AVG(user_id), MIN(user_id), MAX(user_id) "
        "FROM pastes WHERE user_id IS NULL;"
    )
    assert run(sample(engine), query).rows == ((0, None, None, None, None),)


@pytest.mark.parametrize(
    ("engine", "total", "average"),
    [("sqlite", 6, 1.5), ("duckdb", 6, 1.5), ("postgres", Decimal("6"), Decimal("1.5000000000000000"))],
)
def test_postgres_sums_and_averages_integers_as_exact_numerics(engine: str, total, average, sample) -> None:
    ((_, pastes, _, _, mean),) = run(sample(engine), section_sql("group.sql:per_user_summary")).rows
    assert (type(pastes), type(mean)) == (type(total), type(average))
    assert (pastes, str(mean)) == (total, str(average))


def test_postgres_sums_an_integer_column_as_bigint_and_averages_it_as_numeric(postgres) -> None:
    """The page's summary says SUM is numeric only for bigint arguments (such as counts)."""
    with postgres() as connection:
        types = connection.execute(
            "SELECT pg_typeof(SUM(x))::text, pg_typeof(AVG(x))::text, pg_typeof(SUM(x::bigint))::text "
            "FROM (VALUES (1), (2)) AS t(x)"
        ).fetchone()
    assert types == ("bigint", "numeric", "numeric")
    page = (ROOT / "docs" / "sql.md").read_text(encoding="utf-8")
    assert "`SUM` is `bigint` for `integer`" in page and "`AVG` of any integer type" in page


@pytest.mark.parametrize(("engine", "kind"), [("sqlite", str), ("duckdb", datetime), ("postgres", datetime)])
def test_sqlite_gives_timestamps_back_as_text(engine: str, kind: type, sample) -> None:
    ((created_at,),) = run(sample(engine), "SELECT created_at FROM users WHERE id = 1;").rows
    assert type(created_at) is kind


@pytest.mark.parametrize(
    ("engine", "column"), [("sqlite", "PasteCount"), ("duckdb", "PasteCount"), ("postgres", "pastecount")]
)
def test_postgres_folds_unquoted_names_to_lowercase(engine: str, column: str, sample) -> None:
    assert run(sample(engine), section_sql("engines.sql:unquoted_case")).columns == (column,)


def test_quoted_names_are_case_sensitive_only_on_postgres(sample) -> None:
    for engine in ("sqlite", "duckdb"):
        assert run(sample(engine), section_sql("engines.sql:quoted_case")).rows == ((7,),)
    with pytest.raises(psycopg.errors.UndefinedTable):
        run(sample("postgres"), section_sql("engines.sql:quoted_case"))
    # Quoting keeps the case PostgreSQL would otherwise fold away.
    assert run(sample("postgres"), 'SELECT COUNT(*) AS "PasteCount" FROM pastes;').columns == ("PasteCount",)


def test_sqlite_checks_foreign_keys_only_when_asked(sample) -> None:
    connection = sample("sqlite")
    assert run(connection, section_sql("transaction.sql:orphan")).rows == (("f2Wv6N", 3),)
    strict = sample("sqlite")
    strict.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY constraint failed"):
        run(strict, section_sql("transaction.sql:orphan"))


def test_duckdb_cannot_delete_a_user_and_their_pastes_in_one_transaction(sample) -> None:
    connection = sample("duckdb")
    with pytest.raises(duckdb.ConstraintException):
        run(connection, section_sql("transaction.sql:delete_account"))
    counts = "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM pastes);"
    assert run(connection, counts).rows == ((4, 7),), "the failed transaction must change nothing"
    # The way around it that the page suggests: two transactions, one per DELETE.
    run(connection, "DELETE FROM pastes WHERE user_id = 3; DELETE FROM users WHERE id = 3; SELECT 1;")
    assert run(connection, counts).rows == ((3, 6),)


@pytest.mark.parametrize(("engine", "accepted"), [("sqlite", True), ("duckdb", False), ("postgres", True)])
def test_only_duckdb_wants_every_selected_column_grouped(engine: str, accepted: bool, sample) -> None:
    query = section_sql("engines.sql:group_by_key_only")
    if accepted:
        assert run(sample(engine), query).rows
    else:
        with pytest.raises(duckdb.BinderException):
            run(sample(engine), query)


# --- EXPLAIN: PostgreSQL's committed output is its real output ------------------------------


def postgres_plans(connect: Callable[[], psycopg.Connection]) -> str:
    """The text EXPLAIN_FILE must hold: each PostgreSQL plan section, run on fresh sample data."""
    with connect() as connection:
        major = connection.info.server_version // 10000
    lines = [
        f"-- Real output of PostgreSQL {major} for the EXPLAIN sections of snippets/sql/index.sql,",
        "-- each run on fresh sample data. tests/test_sql.py fails when this file is stale;",
        "-- to rewrite it from the server: UPDATE_EXPLAIN=1 ./run test tests/test_sql.py",
    ]
    for name in section_names(ROOT, "snippets/sql/index.sql"):
        if not name.startswith("plan_postgres"):
            continue
        with sample_connection("postgres", ROOT, connect) as connection:
            plan = run(connection, read_section(ROOT, "snippets/sql/index.sql", name))
        lines += [f"-- --8<-- [start:{name}]", *(line for (line,) in plan.rows), f"-- --8<-- [end:{name}]"]
    return "\n".join(lines) + "\n"


def test_committed_postgres_plans_are_the_servers_output(postgres) -> None:
    real = postgres_plans(postgres)
    path = ROOT / EXPLAIN_FILE
    if os.environ.get("UPDATE_EXPLAIN") == "1":
        path.write_text(real, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == real, f"{EXPLAIN_FILE} is stale; the server says:\n{real}"


def test_the_postgres_plans_show_the_index_only_when_it_pays() -> None:
    # On seven rows, with no statistics, scanning the table is estimated cheaper than the
    # index; the page explains this, and shows the index plan with sequential scans off.
    assert committed_plan("plan_postgres")[0] == "Seq Scan on pastes"
    assert committed_plan("plan_postgres_indexed")[0] == "Seq Scan on pastes"
    assert "Index Scan on pastes_by_expiry" in " ".join(committed_plan("plan_postgres_no_seqscan"))


# --- The page -------------------------------------------------------------------------------


def page_text() -> str:
    return (ROOT / PAGE).read_text(encoding="utf-8")


def test_sections_are_the_text_pymdownx_includes() -> None:
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={
            "pymdownx.snippets": {"base_path": [str(ROOT)], "check_paths": True, "dedent_subsections": True}
        },
    )
    snippets = md.preprocessors["snippet"]
    for section in EXPECTED:
        file, name = section.split(":")
        included = "\n".join(snippets.run([f'--8<-- "snippets/sql/{file}:{name}"'])).strip("\n")
        assert read_section(ROOT, f"snippets/sql/{file}", name).strip("\n") == included, section


def test_the_page_shows_every_query_with_its_result() -> None:
    text = page_text()
    included = set(re.findall(r'^[ \t]*--8<-- "snippets/sql/([\w.]+\.sql:[\w-]+)"', text, re.MULTILINE))
    results = re.findall(r"<!-- sql-result: snippets/sql/([\w.]+\.sql:[\w-]+) -->", text)
    assert included == set(EXPECTED), "every query file section is shown, and only those"
    assert set(results) == set(SQLITE_RUNS), "each query SQLite runs has its generated result on the page"
    assert len(results) == len(set(results))
    for name in section_names(ROOT, EXPLAIN_FILE):
        assert f'--8<-- "{EXPLAIN_FILE}:{name}"' in text, f"PostgreSQL's plan {name} is not on the page"
    assert "<!-- sql-joins: snippets/sql/join.sql:inner_join,left_join,right_join,full_join -->" in text


def html_cells(expanded: str) -> list[list[str]] | None:
    """The rows of the one table in an expanded marker, header first, as rendered text."""
    rendered = markdown.markdown(expanded, extensions=["tables"])
    table = re.search(r"<table>.*</table>", rendered, re.DOTALL)
    if table is None:
        return None
    return [["".join(cell.itertext()) for cell in row] for row in ET.fromstring(table.group(0)).iter("tr")]


def shown(value: Any) -> str:
    return "NULL" if value is None else str(value)


@pytest.mark.parametrize("section", SQLITE_RUNS)
def test_each_result_marker_becomes_the_table_sqlite_returns(section: str) -> None:
    expanded = expand(f"<!-- sql-result: snippets/sql/{section} -->\n", ROOT, page=PAGE)
    expected = EXPECTED[section]["sqlite"]
    cells = html_cells(expanded)
    if isinstance(expected, SqlitePlan):
        assert cells[0] == ["id", "parent", "notused", "detail"]
        assert [row[3] for row in cells[1:]] == expected.details
    elif not expected.rows:
        text = re.sub(r"<[^>]+>", "", markdown.markdown(expanded))
        assert cells is None and f"No rows (columns: {', '.join(expected.columns)})" in text
    else:
        assert cells[0] == list(expected.columns)
        body = [[shown(value) for value in row] for row in expected.rows]
        if expected.ordered:
            assert cells[1:] == body
        else:
            assert sorted(cells[1:]) == sorted(body)


def test_a_result_table_marks_null_and_aligns_numbers() -> None:
    expanded = expand("<!-- sql-result: snippets/sql/insert.sql:insert_named -->", ROOT)
    assert expanded.strip() == "| id | user\\_id | expires\\_at |\n| --- | ---: | --- |\n| h4Hn2J | 4 | *NULL* |"


def test_a_marker_keeps_its_indentation_inside_a_tab() -> None:
    expanded = expand('=== "SQLite"\n\n    <!-- sql-result: snippets/sql/transaction.sql:rollback -->\n', ROOT)
    assert "\n    | pastes |\n    | ---: |\n    | 7 |\n" in expanded


SVG = "{http://www.w3.org/2000/svg}"


def join_figures() -> dict[str, ET.Element]:
    expanded = expand("<!-- sql-joins: snippets/sql/join.sql:inner_join,left_join,right_join,full_join -->", ROOT)
    root = ET.fromstring(expanded.strip())
    return {figure.get("data-join"): figure for figure in root.iter("figure")}


@pytest.mark.parametrize(
    ("kind", "rows", "margaret", "anonymous"),
    [("inner", 6, "dropped", "dropped"), ("left", 7, "kept", "dropped"),
     ("right", 7, "dropped", "kept"), ("full", 8, "kept", "kept")],
)
def test_the_join_picture_shows_which_rows_each_join_keeps(kind: str, rows: int, margaret: str, anonymous: str) -> None:
    figure = join_figures()[kind]
    assert len(EXPECTED[f"join.sql:{kind}_join"]["sqlite"].rows) == rows
    caption = "".join(figure.find("figcaption").itertext())
    assert caption.startswith(f"{kind.upper()} JOIN: {rows} rows")
    rows = [text for text in figure.iter(f"{SVG}text") if "sql-join-row" in text.get("class", "")]
    labels = {text.text: "dropped" if "sql-join-dropped" in text.get("class") else "kept" for text in rows}
    assert labels == {"Margaret": margaret, "6 pairs": "kept", "g1Xc6V": anonymous}
    kept_parts = [path for path in figure.iter(f"{SVG}path") if path.get("class") == "sql-join-kept"]
    assert len(kept_parts) == len(KEEPS[kind.upper()])
    assert figure.find(f"{SVG}svg").get("aria-label").startswith(f"{kind.upper()} JOIN of users and pastes")


def test_the_hook_turns_a_bad_marker_into_a_build_error() -> None:
    from blueprint.mkdocs_hooks import on_page_markdown

    config = SimpleNamespace(config_file_path=str(ROOT / "mkdocs.yml"))
    page = SimpleNamespace(file=SimpleNamespace(src_uri="sql.md"))
    good = on_page_markdown("<!-- sql-result: snippets/sql/transaction.sql:rollback -->", page, config, None)
    assert "| 7 |" in good
    with pytest.raises(PluginError, match=r"docs/sql\.md: marker .*select\.sql:nope.*no section 'nope'"):
        on_page_markdown("<!-- sql-result: snippets/sql/select.sql:nope -->", page, config, None)


# --- Mistakes stop the build, and say where ---------------------------------------------------


@pytest.mark.parametrize(
    ("marker", "complaint"),
    [
        ("<!-- sql-result: snippets/sql/nope.sql:where -->", "snippets/sql/nope.sql: no such file"),
        ("<!-- sql-result: snippets/sql/select.sql:nope -->",
         "snippets/sql/select.sql: no section 'nope' (its sections: select_all,"),
        ("<!-- sql-result: snippets/sql/group.sql:aggregate_in_where -->",
         "snippets/sql/group.sql, section 'aggregate_in_where': SQLite says: misuse of aggregate"),
        ("<!-- sql-result: snippets/sql/select.sql -->", "should be FILE:SECTION"),
        ("<!-- sql-result: snippets/sql/select.sql:where,where_is_null -->", "exactly one section"),
        ("<!-- sql-joins: snippets/sql/select.sql:select_all -->",
         "snippets/sql/select.sql, section 'select_all': the picture needs one FROM and exactly one"),
        ("<!-- sql-joins: snippets/sql/join.sql:users_without_pastes -->",
         "snippets/sql/join.sql, section 'users_without_pastes': the picture needs two columns"),
    ],
)
def test_a_bad_marker_names_the_page_the_file_and_the_section(marker: str, complaint: str) -> None:
    with pytest.raises(BlueprintError) as raised:
        expand(f"Some text.\n\n{marker}\n", ROOT, page=PAGE)
    assert str(raised.value).startswith(f"{PAGE}: marker {marker}: ")
    assert complaint in str(raised.value)


@pytest.mark.parametrize(
    "line",
    ["<!-- sql-reslt: snippets/sql/select.sql:where -->", "Inline <!-- sql-result: snippets/sql/select.sql:where --> text"],
)
def test_a_marker_the_site_does_not_know_stops_the_build(line: str) -> None:
    with pytest.raises(BlueprintError, match=f"{PAGE}: .* is not a marker this site knows"):
        expand(line + "\n", ROOT, page=PAGE)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A project root with the sample data and a query file to break at will."""
    for file in (SCHEMA, SEED):
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file).write_bytes((ROOT / file).read_bytes())
    return tmp_path


@pytest.mark.parametrize(
    ("sql", "section", "complaint"),
    [
        ("-- --8<-- [start:open]\nSELECT 1;\n", "open", "no end marker"),
        ("-- --8<-- [start:change]\nDELETE FROM pastes;\n-- --8<-- [end:change]\n", "change",
         "the last statement returns no rows"),
        ("-- --8<-- [start:unfinished]\nSELECT 1\n-- --8<-- [end:unfinished]\n", "unfinished", "does not end with ';'"),
        ("-- --8<-- [start:comment]\n-- nothing here\n-- --8<-- [end:comment]\n", "comment", "holds no SQL statement"),
        ("-- --8<-- [start:empty]\n\n-- --8<-- [end:empty]\n", "empty", "the section is empty"),
    ],
)
def test_a_broken_section_names_the_file_and_the_section(scratch: Path, sql: str, section: str, complaint: str) -> None:
    (scratch / "snippets/sql/broken.sql").write_text(sql)
    with pytest.raises(BlueprintError) as raised:
        expand(f"<!-- sql-result: snippets/sql/broken.sql:{section} -->", scratch, page=PAGE)
    problem = str(raised.value).split(" -->: ", 1)[1]  # what follows the marker
    assert problem.startswith(f"snippets/sql/broken.sql, section '{section}': ")
    assert complaint in problem


def test_a_join_picture_refuses_rows_its_join_cannot_return(scratch: Path) -> None:
    # An INNER JOIN never yields a user without a paste; here a constant NULL pretends it does.
    (scratch / "snippets/sql/odd.sql").write_text(
        "-- --8<-- [start:odd]\nSELECT u.name, NULL AS paste FROM users AS u JOIN pastes AS p ON p.user_id = u.id;\n"
        "-- --8<-- [end:odd]\n"
    )
    with pytest.raises(BlueprintError, match="the INNER JOIN cannot return unmatched left rows"):
        expand("<!-- sql-joins: snippets/sql/odd.sql:odd -->", scratch)


def test_statements_split_at_semicolons_outside_quotes_and_comments() -> None:
    script = "SELECT ';' AS a;\n-- a comment; with a semicolon\nSELECT 2\n  AS b;\n-- trailing comment\n"
    assert statements(script) == ["SELECT ';' AS a;", "-- a comment; with a semicolon\nSELECT 2\n  AS b;"]
