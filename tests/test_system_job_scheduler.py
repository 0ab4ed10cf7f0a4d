"""The distributed job scheduler page, as a specification: every source item kept, the DDL
indexed for "what is due next", and the claim query it shows run on a real PostgreSQL
server with two workers at once."""

from __future__ import annotations

import itertools
import re
import sqlite3
import threading
import time
from pathlib import Path

import psycopg
import pytest
from sql_engines import PostgresServer, PostgresUnavailable

from blueprint.build import load_system
from blueprint.sql_pages import read_section, statements

ROOT = Path(__file__).resolve().parents[1]
DDL = ROOT / "snippets" / "schemas" / "job_scheduler.sql"
CLAIM = "snippets/sql/job_scheduler_claim.sql"
PAGE = ROOT / "docs" / "systems" / "job_scheduler.md"

# Items of the source's numbered lists (the scheduling and execution workflows).
SOURCE_ITEMS = {"scheduling": 11, "execution": 25}


@pytest.fixture(scope="module")
def system():
    return load_system(ROOT / "diagrams" / "job_scheduler.py", ROOT)[0]


@pytest.mark.parametrize("path_id", sorted(SOURCE_ITEMS))
def test_every_source_item_is_a_step_or_a_note(system, path_id):
    path = system.paths[path_id]
    assert len(path.steps) + len(path.notes) >= SOURCE_ITEMS[path_id]


def test_the_execution_workflow_is_drawn_in_stages(system):
    assert len(system.paths["execution"].stages()) >= 3


CACHE_KINDS = {"cache", "redis", "memcached", "cdn"}
READS = re.compile(r"(?i)\b(look|read|fetch|ask|check|quer|MGET)")
WRITES = re.compile(r"(?i)\b(puts?|adds?|pushe?s?|writes?|stores?|is cached)\b")


def test_every_cache_read_has_a_drawn_miss(system):
    """The rule of tests/test_design_corrections.py, with CDNs counted as caches: a service's
    read of a cache is followed by a conditional step of the same service."""
    def is_cache(component):
        return system.components[component].kind in CACHE_KINDS

    missing = []
    for path in system.paths.values():
        for step in path.steps:
            if step.when:
                continue
            if any(is_cache(t) for t in step.targets) and READS.search(step.text) and not WRITES.search(step.text):
                later = [s for s in path.steps if s.number > step.number and s.source == step.source and s.when]
            elif is_cache(step.source) and not any(is_cache(t) for t in step.targets):
                later = [s for s in path.steps if s.number > step.number and step.targets[0] in s.targets and s.when]
            else:
                continue
            if not later:
                missing.append(f"{path.id} step {step.number}")
    assert missing == []


def test_the_page_shows_the_claim_and_links_the_concept():
    page = PAGE.read_text(encoding="utf-8")
    assert f'--8<-- "{CLAIM}:claim"' in page
    assert "../concepts/job_scheduler.md" in page


# --- The DDL on SQLite: the index on execution time serves "what is due next" -------------


def test_due_tasks_are_read_from_the_execution_time_index():
    connection = sqlite3.connect(":memory:")
    connection.executescript(DDL.read_text(encoding="utf-8"))
    plan = connection.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM tasks WHERE status = 'scheduled' AND execute_at <= ? "
        "ORDER BY execute_at LIMIT 10", ("2026-01-01",)
    ).fetchall()
    details = " ".join(row[3] for row in plan)
    assert "USING INDEX tasks_due" in details, details
    assert "TEMP B-TREE" not in details, details  # the index already gives the order: no sort


# --- The claim on PostgreSQL, with two workers ------------------------------------------


@pytest.fixture(scope="module")
def server():
    postgres = PostgresServer()
    try:
        postgres.start()
    except PostgresUnavailable as error:
        pytest.fail(str(error))
    yield postgres
    postgres.stop()


_schemas = itertools.count(1)
DUE = 6  # tasks 1..6 are due (task 1 the most overdue); tasks 7 and 8 are due tomorrow


@pytest.fixture
def worker(server):
    """`worker()` is a new connection (a worker) to a fresh copy of the schema, with the
    page's prepared statements; tasks 1 to 6 are due, 7 and 8 are not."""
    schema = f"scheduler_{next(_schemas)}"
    opened = []
    setup = server.connect()
    setup.execute(f"CREATE SCHEMA {schema}")
    setup.execute(f"SET search_path TO {schema}")
    for statement in statements(DDL.read_text(encoding="utf-8")):
        setup.execute(statement)
    setup.execute("INSERT INTO users (id, name, email) VALUES (1, 'Ada', 'ada@example.com')")
    for task in range(1, 9):
        due = f"now() - interval '{10 - task} minutes'" if task <= DUE else "now() + interval '1 day'"
        setup.execute(
            f"INSERT INTO tasks (id, user_id, name, binary_url, execute_at) "
            f"VALUES ({task}, 1, 'task {task}', 's3://tasks/{task}', {due})"
        )

    def connect() -> psycopg.Connection:
        connection = server.connect()
        connection.execute(f"SET search_path TO {schema}")
        connection.execute("SET statement_timeout = '5s'")  # a hung test fails instead of hanging
        for section in ("claim", "claim_blocking", "finish"):
            for statement in statements(read_section(ROOT, CLAIM, section)):
                connection.execute(statement)
        opened.append(connection)
        return connection

    connect.setup = setup
    yield connect
    for connection in opened:
        connection.close()
    setup.close()


def ids(rows) -> list[int]:
    return sorted(row[0] for row in rows)


def test_two_workers_claim_disjoint_tasks(worker):
    a, b = worker(), worker()
    a.execute("BEGIN")
    claimed_a = ids(a.execute("EXECUTE claim('worker-a', 2)"))
    # Worker a's claim is not committed yet: its two rows are locked. b passes over them at once.
    started = time.monotonic()
    claimed_b = ids(b.execute("EXECUTE claim('worker-b', 2)"))
    assert time.monotonic() - started < 1.0
    a.execute("COMMIT")
    assert claimed_a == [1, 2]  # the two most overdue
    assert claimed_b == [3, 4]  # the next two, not a's
    owners = dict(worker.setup.execute("SELECT id, lease_owner FROM tasks WHERE status = 'running'").fetchall())
    assert owners == {1: "worker-a", 2: "worker-a", 3: "worker-b", 4: "worker-b"}


def test_tasks_not_yet_due_are_never_claimed(worker):
    a = worker()
    assert ids(a.execute("EXECUTE claim('worker-a', 100)")) == list(range(1, DUE + 1))
    assert a.execute("EXECUTE claim('worker-a', 100)").fetchall() == []


def test_without_skip_locked_the_second_worker_blocks(worker):
    a, b = worker(), worker()
    a.execute("BEGIN")
    assert ids(a.execute("EXECUTE claim_blocking('worker-a', 2)")) == [1, 2]
    b.execute("SET lock_timeout = '300ms'")
    started = time.monotonic()
    with pytest.raises(psycopg.errors.LockNotAvailable):
        b.execute("EXECUTE claim_blocking('worker-b', 2)")
    assert time.monotonic() - started >= 0.3  # it waited for a's locks, then gave up
    a.execute("COMMIT")


def test_without_skip_locked_workers_take_turns(worker):
    """b queues behind a's locks and gets nothing until a commits; then PostgreSQL re-checks
    the rows it waited for, finds them no longer 'scheduled', and hands b the next two.
    Correct, but the workers ran one after the other."""
    a, b = worker(), worker()
    a.execute("BEGIN")
    assert ids(a.execute("EXECUTE claim_blocking('worker-a', 2)")) == [1, 2]
    result: dict[str, list[int]] = {}
    b_pid = b.info.backend_pid
    thread = threading.Thread(target=lambda: result.setdefault("b", ids(b.execute("EXECUTE claim_blocking('worker-b', 2)"))))
    thread.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # wait until b is really waiting on a lock
        waiting = worker.setup.execute(
            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (b_pid,)).fetchone()
        if waiting and waiting[0] == "Lock":
            break
        time.sleep(0.02)
    else:
        pytest.fail("worker b never waited for a's locks")
    assert "b" not in result  # still waiting while a holds its rows
    a.execute("COMMIT")
    thread.join(10)
    assert result["b"] == [3, 4]


def test_an_expired_lease_is_taken_over_and_the_late_worker_is_ignored(worker):
    a, b = worker(), worker()
    assert ids(a.execute("EXECUTE claim('worker-a', 1)")) == [1]
    # Worker a stalls past its lease (we move the lease into the past instead of waiting).
    worker.setup.execute("UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = 1")
    reclaimed = [statement for statement in statements(read_section(ROOT, CLAIM, "reclaim"))]
    assert ids(worker.setup.execute(reclaimed[0])) == [1]
    assert ids(b.execute("EXECUTE claim('worker-b', 1)")) == [1]
    # a wakes up and reports success: its lease is gone, so nothing changes.
    assert a.execute("EXECUTE finish(1, 'worker-a')").fetchall() == []
    assert ids(b.execute("EXECUTE finish(1, 'worker-b')")) == [1]
    row = worker.setup.execute("SELECT status, attempts, lease_owner FROM tasks WHERE id = 1").fetchone()
    assert row == ("succeeded", 2, None)  # it ran twice: at least once, never "exactly once"


def test_at_repeatable_read_the_waiting_claim_fails_instead_of_moving_on(worker):
    """The page says claims belong at READ COMMITTED: at REPEATABLE READ, a claim that waited
    for another worker's rows cannot re-check them on the new version, so it is aborted."""
    a, b = worker(), worker()
    a.execute("BEGIN")
    assert ids(a.execute("EXECUTE claim_blocking('worker-a', 2)")) == [1, 2]
    b.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    b_pid = b.info.backend_pid
    errors: list[BaseException] = []

    def claim_b():
        try:
            b.execute("EXECUTE claim_blocking('worker-b', 2)")
        except psycopg.Error as error:
            errors.append(error)

    thread = threading.Thread(target=claim_b)
    thread.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        waiting = worker.setup.execute(
            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (b_pid,)).fetchone()
        if waiting and waiting[0] == "Lock":
            break
        time.sleep(0.02)
    else:
        pytest.fail("worker b never waited for a's locks")
    a.execute("COMMIT")
    thread.join(10)
    assert len(errors) == 1 and isinstance(errors[0], psycopg.errors.SerializationFailure), errors
    b.execute("ROLLBACK")


def test_postgresql_claims_from_the_index_in_order_without_sorting(worker):
    """The claim's subquery on a table of 20,000 tasks, most of them finished: an index scan of
    tasks_due under LockRows and Limit, with no Sort (nor Incremental Sort) node."""
    setup = worker.setup
    setup.execute(
        "INSERT INTO tasks (id, user_id, name, binary_url, execute_at, status) "
        "SELECT n, 1, 'task', 's3://tasks/x', now() - interval '1 day' + n * interval '1 second', "
        "CASE WHEN n % 10 = 0 THEN 'scheduled' ELSE 'succeeded' END FROM generate_series(100, 20099) AS n")
    setup.execute("ANALYZE tasks")
    claim = read_section(ROOT, CLAIM, "claim")
    subquery = claim[claim.index("SELECT id"):claim.index(")\nRETURNING")].split("--")[0]
    plan = "\n".join(row[0] for row in setup.execute("EXPLAIN " + subquery.replace("$2", "10")))
    assert "Index Scan using tasks_due" in plan, plan
    assert "Sort" not in plan, plan
