"""Locking and concurrency, run on a real PostgreSQL server: two connections deposit into one
account at the same time. Without locking one deposit is lost; a version column, `SELECT …
FOR UPDATE`, REPEATABLE READ with a retry, or an atomic `UPDATE` keep both.

Each scenario is the application's logic written once (read, add, write, retry) and driven
step by step on two connections. The runner records every statement and what it returned,
and the interleaving tables on docs/concepts/locking.md must equal those records: a page
that drifts from what PostgreSQL does fails here, and the failure prints the table to paste.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import psycopg
import pytest
from sql_engines import PostgresDatabase
from system_sql import for_psycopg, section

from blueprint.sql_pages import statements

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "concepts" / "locking.md"
SQL = "snippets/sql/locking.sql"
DEPOSITS = {"A": 10, "B": 20}
START = 100
CONTROL = {"BEGIN", "COMMIT", "ROLLBACK"}
_PARAMETER = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")


@pytest.fixture(scope="module")
def server(postgres_database):
    """This module's own database on the session's PostgreSQL server."""
    return postgres_database


_schemas = itertools.count(1)


@dataclass
class Waiting:
    """A statement that is blocked on a lock, running in its own thread."""

    who: str
    thread: threading.Thread
    outcome: dict = field(default_factory=dict)


class Run:
    """Two connections, A and B, on a fresh copy of the schema; every step is recorded."""

    def __init__(self, server: PostgresDatabase) -> None:
        schema = f"locking_{next(_schemas)}"
        self.watch = server.connect()
        self.watch.execute(f"CREATE SCHEMA {schema}")
        self.watch.execute(f"SET search_path TO {schema}")
        for statement in statements(section(SQL, "schema")):
            self.watch.execute(statement)
        self.connections: dict[str, psycopg.Connection] = {}
        for who in DEPOSITS:
            connection = server.connect()
            connection.execute(f"SET search_path TO {schema}")
            connection.execute("SET statement_timeout = '5s'")  # a hung test fails instead of hanging
            self.connections[who] = connection
        self.steps: list[tuple[str, str]] = []  # (who, what happened), in order
        self.errors: list[psycopg.Error] = []
        self.waited: list[str] = []

    def close(self) -> None:
        for connection in [*self.connections.values(), self.watch]:
            connection.close()

    # --- steps ---------------------------------------------------------------------

    def __call__(self, who: str, statement: str, **parameters: Any) -> Any:
        """Run a section (or BEGIN, COMMIT, ROLLBACK) on `who`'s connection and record it.

        Returns the row read (a dict), the number of rows updated, or the error raised."""
        sql, label = self._statement(statement, parameters)
        outcome = self._execute(who, sql, parameters)
        self.steps.append((who, f"`{label}`{self._describe(outcome)}"))
        return outcome

    def start(self, who: str, statement: str, **parameters: Any) -> Waiting:
        """Start a statement that must block on the other connection's lock; return once it waits."""
        sql, label = self._statement(statement, parameters)
        waiting = Waiting(who, threading.Thread())
        waiting.thread = threading.Thread(
            target=lambda: waiting.outcome.setdefault("value", self._execute(who, sql, parameters)))
        waiting.thread.start()
        pid = self.connections[who].info.backend_pid
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            row = self.watch.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
            if row and row[0] == "Lock":
                break
            if not waiting.thread.is_alive():
                pytest.fail(f"{who}'s `{label}` finished at once: it did not wait for a lock")
            time.sleep(0.02)
        else:
            pytest.fail(f"{who}'s `{label}` never waited for a lock")
        other = next(name for name in DEPOSITS if name != who)
        self.waited.append(who)
        self.steps.append((who, f"`{label}` → waits for {other}'s row lock"))
        return waiting

    def finish(self, waiting: Waiting) -> Any:
        """The blocked statement returns (the lock was released); record what it returned."""
        waiting.thread.join(timeout=5)
        assert not waiting.thread.is_alive(), "the blocked statement never finished"
        outcome = waiting.outcome["value"]
        self.steps.append((waiting.who, f"*lock granted*{self._describe(outcome)}"))
        return outcome

    def balance(self) -> int:
        return self.watch.execute("SELECT balance FROM accounts WHERE id = 1").fetchone()[0]

    # --- helpers ---------------------------------------------------------------------

    @staticmethod
    def _statement(statement: str, parameters: dict[str, Any]) -> tuple[str, str]:
        sql = statement if statement in CONTROL else section(SQL, statement)
        lines = [line.split("--")[0].strip() for line in sql.splitlines()]
        shown = " ".join(line for line in lines if line).rstrip(";")
        return sql, _PARAMETER.sub(lambda match: str(parameters[match[1]]), shown)

    def _execute(self, who: str, sql: str, parameters: dict[str, Any]) -> Any:
        try:
            cursor = self.connections[who].execute(for_psycopg(sql), parameters)
        except psycopg.errors.QueryCanceled:
            raise  # statement_timeout: the test is broken, not the scenario
        except psycopg.Error as error:
            self.errors.append(error)
            return error
        if cursor.description is not None:
            names = [column.name for column in cursor.description]
            return dict(zip(names, cursor.fetchone()))
        if sql.lstrip().upper().startswith("UPDATE"):
            return cursor.rowcount
        return None

    @staticmethod
    def _describe(outcome: Any) -> str:
        if outcome is None:
            return ""
        if isinstance(outcome, psycopg.Error):
            return f" → **error**: {outcome.diag.message_primary}"
        if isinstance(outcome, dict):
            return " → " + ", ".join(f"{name} {value}" for name, value in outcome.items())
        return f" → updates {outcome} row" + ("" if outcome == 1 else "s")

    def markdown(self) -> str:
        """The interleaving as the page shows it: one row per step, one column per connection."""
        lines = [
            "| Step | " + " | ".join(f"{who} deposits {amount}" for who, amount in DEPOSITS.items()) + " |",
            "| ---: | " + " | ".join("---" for _ in DEPOSITS) + " |",
        ]
        for number, (who, text) in enumerate(self.steps, start=1):
            cells = [text if name == who else "" for name in DEPOSITS]
            lines.append(f"| {number} | " + " | ".join(cells) + " |")
        lines += ["", f"Final balance: **{self.balance()}** (it started at {START})."]
        return "\n".join(lines)


# --- The scenarios: the application's logic, interleaved --------------------------------


def lost_update(run: Run) -> None:
    """Read, add in the application, write back: both read 100, the second write wins."""
    run("A", "BEGIN")
    run("B", "BEGIN")
    a = run("A", "read")
    b = run("B", "read")
    run("A", "write", balance=a["balance"] + DEPOSITS["A"])
    run("A", "COMMIT")
    run("B", "write", balance=b["balance"] + DEPOSITS["B"])
    run("B", "COMMIT")


def optimistic(run: Run) -> None:
    """A version column: the write succeeds only if nobody wrote since the read; else retry."""
    a = run("A", "read_version")
    b = run("B", "read_version")
    run("A", "write_version", balance=a["balance"] + DEPOSITS["A"], version=a["version"])
    while run("B", "write_version", balance=b["balance"] + DEPOSITS["B"], version=b["version"]) == 0:
        b = run("B", "read_version")


def pessimistic(run: Run) -> None:
    """SELECT … FOR UPDATE: the second reader waits until the first commits, then reads its result."""
    run("A", "BEGIN")
    run("B", "BEGIN")
    a = run("A", "read_for_update")
    waiting = run.start("B", "read_for_update")
    run("A", "write", balance=a["balance"] + DEPOSITS["A"])
    run("A", "COMMIT")
    b = run.finish(waiting)
    run("B", "write", balance=b["balance"] + DEPOSITS["B"])
    run("B", "COMMIT")


def repeatable_read(run: Run) -> None:
    """The lost-update code unchanged, under REPEATABLE READ: the second write fails; retry it all."""
    run("A", "begin_repeatable_read")
    run("B", "begin_repeatable_read")
    a = run("A", "read")
    b = run("B", "read")
    run("A", "write", balance=a["balance"] + DEPOSITS["A"])
    run("A", "COMMIT")
    while isinstance(run("B", "write", balance=b["balance"] + DEPOSITS["B"]), psycopg.Error):
        run("B", "ROLLBACK")
        run("B", "begin_repeatable_read")
        b = run("B", "read")
    run("B", "COMMIT")


def atomic(run: Run) -> None:
    """No read in the application at all: the database adds, on the newest row version."""
    run("A", "BEGIN")
    run("B", "BEGIN")
    run("A", "add", amount=DEPOSITS["A"])
    waiting = run.start("B", "add", amount=DEPOSITS["B"])
    run("A", "COMMIT")
    run.finish(waiting)
    run("B", "COMMIT")


SCENARIOS: dict[str, Callable[[Run], None]] = {
    "lost_update": lost_update,
    "optimistic": optimistic,
    "pessimistic": pessimistic,
    "repeatable_read": repeatable_read,
    "atomic": atomic,
}


@pytest.fixture
def play(server):
    runs: list[Run] = []

    def play(name: str) -> Run:
        run = Run(server)
        runs.append(run)
        SCENARIOS[name](run)
        return run

    yield play
    for run in runs:
        run.close()


BOTH = START + DEPOSITS["A"] + DEPOSITS["B"]


def test_without_locking_one_deposit_is_lost(play):
    run = play("lost_update")
    assert run.balance() == START + DEPOSITS["B"]  # A's 10 is gone
    assert run.errors == [] and run.waited == []   # and nothing complained


def test_a_version_column_makes_the_second_writer_retry(play):
    run = play("optimistic")
    writes = [text for who, text in run.steps if who == "B" and "UPDATE" in text]
    assert writes[0].endswith("updates 0 rows") and writes[-1].endswith("updates 1 row")
    assert len(writes) == 2  # one retry was enough
    assert run.balance() == BOTH
    assert run.watch.execute("SELECT version FROM accounts").fetchone()[0] == 2


def test_for_update_makes_the_second_reader_wait(play):
    run = play("pessimistic")
    assert run.waited == ["B"]
    granted = next(text for who, text in run.steps if text.startswith("*lock granted*"))
    assert granted.endswith(f"balance {START + DEPOSITS['A']}")  # B reads A's committed result
    assert run.balance() == BOTH


def test_repeatable_read_detects_the_lost_update(play):
    run = play("repeatable_read")
    assert [error.sqlstate for error in run.errors] == ["40001"]  # serialization_failure
    assert isinstance(run.errors[0], psycopg.errors.SerializationFailure)
    assert run.balance() == BOTH


def test_an_atomic_update_needs_no_lock_in_the_application(play):
    run = play("atomic")
    assert run.waited == ["B"]  # the row lock is still there, held for one statement's transaction
    assert run.balance() == BOTH


def test_lock_timeout_turns_the_wait_into_an_error(server):
    run = Run(server)
    run("A", "BEGIN")
    run("A", "read_for_update")
    run("B", "lock_timeout")
    run("B", "BEGIN")
    started = time.monotonic()
    outcome = run("B", "read_for_update")
    waited = time.monotonic() - started
    assert isinstance(outcome, psycopg.errors.LockNotAvailable)  # 55P03
    assert waited >= 0.2  # it did wait, for lock_timeout, before giving up
    run("B", "ROLLBACK")
    run("A", "COMMIT")
    run.close()


# --- The page shows what the runs did ---------------------------------------------------


def page_block(name: str) -> tuple[list[list[str]], str]:
    """The table after `<!-- locking-run: NAME -->` on the page, as cells, and the line after it."""
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    marker = f"<!-- locking-run: {name} -->"
    assert marker in lines, f"the page has no {marker} line"
    rest = [line.strip() for line in lines[lines.index(marker) + 1:]]
    rest = rest[next(i for i, line in enumerate(rest) if line):]
    table = list(itertools.takewhile(lambda line: line.startswith("|"), rest))
    after = next(line for line in rest[len(table):] if line)
    return [cells(line) for line in table], after


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_page_shows_what_postgres_did(play, name):
    run = play(name)
    expected = run.markdown()
    table, after = page_block(name)
    expected_lines = expected.splitlines()
    assert (table, after) == ([cells(line) for line in expected_lines[:-2]], expected_lines[-1]), (
        f"docs/concepts/locking.md, scenario {name}: paste this after the marker:\n\n{expected}\n"
    )


def test_the_page_includes_every_section():
    page = PAGE.read_text(encoding="utf-8")
    names = re.findall(r"\[start:(\w+)\]", (ROOT / SQL).read_text(encoding="utf-8"))
    for name in names:
        assert f'--8<-- "{SQL}:{name}"' in page, name
