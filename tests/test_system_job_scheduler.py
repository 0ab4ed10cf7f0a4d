"""The distributed job scheduler page, as a specification: every source item kept, the DDL
indexed for "what is due next", and the claim query it shows run on a real PostgreSQL
server with two workers at once."""

from __future__ import annotations

import itertools
import math
import re
import sqlite3
import threading
import time
from pathlib import Path

import psycopg
import pytest


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
def server(postgres_database):
    """This module's own database on the session's PostgreSQL server."""
    return postgres_database


_schemas = itertools.count(1)
SECTIONS = ("submit", "store", "claim", "claim_cached", "claim_blocking", "finish", "renew", "retry", "cancel")
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
            f"INSERT INTO submissions (id, user_id, idempotency_key, name) VALUES ({task}, 1, 'key {task}', 'task {task}')")
        setup.execute(
            f"INSERT INTO tasks (id, user_id, name, binary_url, scheduled_for, execute_at) "
            f"VALUES ({task}, 1, 'task {task}', 's3://tasks/{task}', {due}, {due})"
        )

    def connect() -> psycopg.Connection:
        connection = server.connect()
        connection.execute(f"SET search_path TO {schema}")
        connection.execute("SET statement_timeout = '5s'")  # a hung test fails instead of hanging
        for section in SECTIONS:
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
    assert worker.setup.execute(reclaimed[0]).fetchall() == [(1, "scheduled")]
    assert ids(b.execute("EXECUTE claim('worker-b', 1)")) == [1]
    # a wakes up and reports success: its lease is gone, so nothing changes.
    assert a.execute("EXECUTE finish(1, 'worker-a', NULL)").fetchall() == []
    assert ids(b.execute("EXECUTE finish(1, 'worker-b', NULL)")) == [1]
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
        "INSERT INTO submissions (id, user_id, idempotency_key, name) "
        "SELECT n, 1, 'key ' || n, 'task' FROM generate_series(100, 20099) AS n")
    setup.execute(
        "INSERT INTO tasks (id, user_id, name, binary_url, scheduled_for, execute_at, status) "
        "SELECT n, 1, 'task', 's3://tasks/x', now() - interval '1 day' + n * interval '1 second', "
        "now() - interval '1 day' + n * interval '1 second', "
        "CASE WHEN n % 10 = 0 THEN 'scheduled' ELSE 'succeeded' END FROM generate_series(100, 20099) AS n")
    setup.execute("ANALYZE tasks")
    claim = read_section(ROOT, CLAIM, "claim")
    subquery = claim[claim.index("SELECT id"):claim.index(")\nRETURNING")].split("--")[0]
    plan = "\n".join(row[0] for row in setup.execute("EXPLAIN " + subquery.replace("$2", "10")))
    assert "Index Scan using tasks_due" in plan, plan
    assert "Sort" not in plan, plan


# --- One task per submission, however often it arrives (review J2) ------------------------


def step(system, path_id, number):
    return next(s for s in system.paths[path_id].steps if s.number == number)


def test_the_task_id_is_minted_at_accept_and_stored_once(system):
    """The ID is fixed by the web server before anything is queued, and the scheduler's
    insert is a no-op for an ID it already has: a redelivered message, or a confirmation
    sent twice, cannot mint a second task."""
    schedule = system.paths["scheduling"]
    mint = step(system, "scheduling", 2)
    assert (mint.source, mint.targets) == ("web_server", ("sql_db",)) and "mints the task's ID" in mint.text
    queue = next(s for s in schedule.steps if s.targets == ("intake_queue",))
    store = next(s for s in schedule.steps if s.source == "task_scheduler" and s.targets == ("sql_db",))
    assert mint.number < queue.number < store.number
    assert "ID included" in queue.text
    assert "ON CONFLICT (id) DO NOTHING" in store.text
    assert "gives it a unique ID" not in " ".join(s.text for s in schedule.steps)
    create = next(e for e in system.endpoints if e.method == "POST" and e.route == "/v1/tasks")
    assert "task_id" in dict(create.response) and "unique per user" in dict(create.headers)["Idempotency-Key"]


def test_the_task_id_is_the_submission_s_and_unique(system):
    schema = load_schema_of(system)
    tasks = schema["tasks"]
    assert tasks.primary_key == ("id",)
    assert any(fk.parent == "submissions" and fk.columns == ("id",) and fk.unique for fk in tasks.foreign_keys)


def load_schema_of(system):
    from blueprint.schema import load_schema
    return {table.name: table for table in load_schema(DDL, "job_scheduler.sql").tables}


def test_a_redelivered_task_message_stores_no_second_task(worker):
    scheduler = worker()
    worker.setup.execute("INSERT INTO submissions (id, user_id, idempotency_key, name) VALUES (42, 1, 'k', 'report')")
    message = "(42, 1, 'report', 's3://tasks/42', NULL, '2030-01-01 09:00')"
    assert ids(scheduler.execute(f"EXECUTE store{message}")) == [42]
    # The scheduler crashed before committing its Kafka offset: the same message again.
    assert scheduler.execute(f"EXECUTE store{message}").fetchall() == []
    assert worker.setup.execute("SELECT count(*) FROM tasks WHERE id = 42").fetchone() == (1,)
    # And the key holds without the ON CONFLICT clause too: a plain second insert is refused.
    with pytest.raises(psycopg.errors.UniqueViolation):
        worker.setup.execute(
            "INSERT INTO tasks (id, user_id, name, binary_url, scheduled_for, execute_at) "
            "VALUES (42, 1, 'report', 's3://tasks/42', '2030-01-01 09:00', '2030-01-01 09:00')")


def test_a_cancelled_task_is_not_brought_back_by_a_late_copy_of_its_message(worker):
    scheduler = worker()
    worker.setup.execute("UPDATE tasks SET status = 'cancelled' WHERE id = 7")
    assert scheduler.execute("EXECUTE store(7, 1, 'task 7', 's3://tasks/7', NULL, now())").fetchall() == []
    assert worker.setup.execute("SELECT status FROM tasks WHERE id = 7").fetchone() == ("cancelled",)


def test_a_retried_post_gets_the_first_request_s_id(worker):
    web = worker()
    web.execute("EXECUTE submit(100, 1, 'nightly-report', 'report', '0 2 * * *', NULL)")
    assert web.execute("EXECUTE submitted(1, 'nightly-report')").fetchall() == [(100,)]
    # The answer was lost; the client retries, and the web server mints a new ID, 101.
    web.execute("EXECUTE submit(101, 1, 'nightly-report', 'report', '0 2 * * *', NULL)")
    assert web.execute("EXECUTE submitted(1, 'nightly-report')").fetchall() == [(100,)]
    assert worker.setup.execute("SELECT count(*) FROM submissions WHERE idempotency_key = 'nightly-report'").fetchone() == (1,)


def test_two_copies_of_a_post_at_once_get_one_id(worker):
    """The retry arrives while the first request's transaction is still open: its insert
    waits on the unique key, then does nothing, and its next statement sees the first ID."""
    a, b = worker(), worker()
    a.execute("BEGIN")
    a.execute("EXECUTE submit(200, 1, 'k', 'report', NULL, '2030-01-01 09:00')")
    result: dict[str, list] = {}
    b_pid = b.info.backend_pid

    def retry():
        b.execute("EXECUTE submit(201, 1, 'k', 'report', NULL, '2030-01-01 09:00')")
        result["b"] = b.execute("EXECUTE submitted(1, 'k')").fetchall()

    thread = threading.Thread(target=retry)
    thread.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        waiting = worker.setup.execute(
            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (b_pid,)).fetchone()
        if waiting and waiting[0] == "Lock":
            break
        time.sleep(0.02)
    else:
        pytest.fail("the retried POST never waited on the unique key")
    a.execute("COMMIT")
    thread.join(10)
    assert result["b"] == [(200,)]


# --- One clock decides when a cached task is due (review J1) ---------------------------------


def test_a_cached_task_not_due_by_the_database_clock_is_put_back_not_dropped(system, worker):
    executor = worker()
    # Task 7 is due in two seconds by the database's clock; the executor's clock runs ahead,
    # so it already took 7 from the sorted set, with 1 (due) and 3 (claimed by someone else).
    worker.setup.execute("UPDATE tasks SET execute_at = now() + interval '2 seconds' WHERE id = 7")
    worker.setup.execute("UPDATE tasks SET status = 'running', lease_owner = 'other' WHERE id = 3")
    rows = executor.execute("EXECUTE claim_cached('run-1', ARRAY[1, 3, 7]::bigint[])").fetchall()
    outcome = {row[1]: (row[0], row[5]) for row in rows}
    assert set(outcome) == {1, 7}  # 3 is a stale entry: no row, dropped
    assert outcome[1] == ("claimed", None)
    kind, wait = outcome[7]
    assert kind == "not_due" and 0 < wait.total_seconds() <= 2  # how long, by the database's clock
    assert worker.setup.execute("SELECT status, attempts FROM tasks WHERE id = 7").fetchone() == ("scheduled", 0)
    # The drawn path puts such an entry back in the sorted set, after the claim.
    claim = step(system, "execution", 3)
    back = step(system, "execution", 4)
    assert (claim.source, claim.targets) == ("task_executor", ("sql_db",)) and "`now()`" in claim.text
    assert (back.source, back.targets) == ("task_executor", ("task_cache",)) and back.when
    assert "puts it back" in back.text


def test_the_cache_path_claims_in_batches(system):
    """The peak claim rate meets one statement per batch of IDs, not one per task (review J6)."""
    claim = read_section(ROOT, CLAIM, "claim_cached")
    assert "= ANY ($2)" in claim and "bigint[]" in claim
    assert "pipelined" in step(system, "execution", 1).text


# --- The occurrence is the key of a run's effects (review J3, J4, J5) ------------------------


def test_a_retry_keeps_the_occurrence_that_keys_the_run_s_effects(worker):
    a, b = worker(), worker()
    (task, _, occurrence, token), = a.execute("EXECUTE claim('run-1', 1)").fetchall()
    assert task == 1
    # The run fails halfway; failure detection backs off: the next attempt moves, the occurrence stays.
    (_, status, kept, next_attempt), = a.execute("EXECUTE retry(1, 'run-1', interval '1 minute', 5)").fetchall()
    assert status == "scheduled" and kept == occurrence and next_attempt > occurrence
    worker.setup.execute("UPDATE tasks SET execute_at = now() - interval '1 hour' WHERE id = 1")  # time passes
    (again, _, occurrence_again, token_again), = b.execute("EXECUTE claim('run-2', 1)").fetchall()
    assert again == 1 and occurrence_again == occurrence  # same key: its effects are not made twice
    assert token_again > token  # but a newer fencing token


def test_a_recurring_task_counts_attempts_per_occurrence_but_never_resets_its_token(worker):
    a = worker()
    (_, _, first, token), = a.execute("EXECUTE claim('run-1', 1)").fetchall()
    assert a.execute("EXECUTE finish(1, 'run-1', '2030-01-02 02:00')").fetchall() == [(1, "scheduled")]
    row = worker.setup.execute("SELECT scheduled_for, execute_at, attempts, claims FROM tasks WHERE id = 1").fetchone()
    assert row[0] == row[1] and row[0] != first and row[2:] == (0, token)
    worker.setup.execute("UPDATE tasks SET execute_at = now() - interval '1 hour' WHERE id = 1")
    (_, _, second, token_2), = a.execute("EXECUTE claim('run-2', 1)").fetchall()
    assert second == row[0] and token_2 == token + 1
    assert worker.setup.execute("SELECT attempts FROM tasks WHERE id = 1").fetchone() == (1,)


def test_past_the_cap_a_failed_task_stays_failed(worker):
    a = worker()
    for attempt in range(1, 4):
        worker.setup.execute("UPDATE tasks SET execute_at = now() - interval '1 hour' WHERE id = 1")
        assert ids(a.execute(f"EXECUTE claim('run-{attempt}', 1)")) == [1]
        (_, status, _, _), = a.execute(f"EXECUTE retry(1, 'run-{attempt}', interval '1 second', 3)").fetchall()
    assert status == "failed"
    assert worker.setup.execute("SELECT attempts FROM tasks WHERE id = 1").fetchone() == (3,)


def test_a_late_failure_report_cannot_make_a_finished_task_due_again(worker):
    a, b = worker(), worker()
    assert ids(a.execute("EXECUTE claim('run-a', 1)")) == [1]
    worker.setup.execute("UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = 1")
    worker.setup.execute(statements(read_section(ROOT, CLAIM, "reclaim"))[0])
    assert ids(b.execute("EXECUTE claim('run-b', 1)")) == [1]
    assert ids(b.execute("EXECUTE finish(1, 'run-b', NULL)")) == [1]
    # run-a's failure arrives on the dead-letter topic after run-b succeeded (twice, even).
    for _ in range(2):
        assert a.execute("EXECUTE retry(1, 'run-a', interval '1 second', 5)").fetchall() == []
    assert worker.setup.execute("SELECT status FROM tasks WHERE id = 1").fetchone() == ("succeeded",)


def test_the_fencing_token_is_not_the_retry_counter():
    page = PAGE.read_text(encoding="utf-8")
    assert "(`attempts` does)" not in page
    assert "`claims`" in page


def test_a_task_that_kills_its_workers_stops_at_the_cap(worker):
    a = worker()
    reclaim = statements(read_section(ROOT, CLAIM, "reclaim"))[0]
    for run_number in range(1, 6):
        worker.setup.execute("UPDATE tasks SET execute_at = now() - interval '1 hour' WHERE id = 1")
        assert ids(a.execute(f"EXECUTE claim('run-{run_number}', 1)")) == [1]
        worker.setup.execute("UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = 1")
        (_, status), = worker.setup.execute(reclaim).fetchall()
    assert status == "failed"  # the fifth takeover gives up instead of going round again


def test_a_cancel_and_a_claim_at_once_cannot_both_win(worker):
    web, executor = worker(), worker()
    web.execute("BEGIN")
    assert ids(web.execute("EXECUTE cancel(1, 1)")) == [1]
    executor.execute("SET lock_timeout = '300ms'")
    # The claim passes over the row being cancelled; once the cancel commits, 1 is never claimed.
    assert 1 not in ids(executor.execute("EXECUTE claim('run-1', 1)"))
    web.execute("COMMIT")
    assert 1 not in ids(executor.execute("EXECUTE claim('run-2', 100)"))
    assert web.execute("EXECUTE cancel(2, 1)").fetchall() == []  # 2 is running now: 409


# --- A run longer than one lease is renewed, not taken over (review rev_a J3) ---------------


def test_a_long_run_renews_its_lease_and_is_not_taken_over(system, worker):
    """Without renewal, every task that runs longer than the five-minute lease is reaped and
    run a second time, at the same moment, in the normal case. The renewal is a step."""
    a, b = worker(), worker()
    assert ids(a.execute("EXECUTE claim('run-a', 1)")) == [1]
    reclaim = statements(read_section(ROOT, CLAIM, "reclaim"))[0]
    for _ in range(3):  # three leases' worth of running, renewed each time before it lapses
        worker.setup.execute("UPDATE tasks SET lease_expires_at = now() + interval '10 seconds' WHERE id = 1")
        (expires,), = a.execute("EXECUTE renew(1, 'run-a')").fetchall()
        assert worker.setup.execute(reclaim).fetchall() == []  # alive: not reaped
    assert 1 not in ids(b.execute("EXECUTE claim('run-b', 10)"))
    assert b.execute("EXECUTE renew(1, 'run-b')").fetchall() == []  # another run cannot renew it
    # a worker that stopped renewing loses the task, and its late renewal changes nothing
    worker.setup.execute("UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = 1")
    assert worker.setup.execute(reclaim).fetchall() == [(1, "scheduled")]
    assert a.execute("EXECUTE renew(1, 'run-a')").fetchall() == []
    assert "`renew`" in step(system, "execution", 8).text
    assert list(step(system, "execution", 8).targets) == ["task_cache", "sql_db"]


def test_every_endpoint_starts_at_a_request_not_at_a_background_step(system):
    """Each endpoint links to the step its request starts; the status call's is the client's
    question (it pointed at failure detection's settle, step 17)."""
    for endpoint in system.endpoints:
        if endpoint.starts is None:
            continue
        first = step(system, *endpoint.starts)
        assert first.source in {"client", "web_server"}, (endpoint.route, endpoint.starts)
    status = next(e for e in system.endpoints if e.method == "GET" and e.route == "/v1/tasks/{task_id}")
    assert step(system, *status.starts).source == "client"


def test_a_finished_run_stops_showing_as_running(system):
    """The status service answers a running task from the progress hash: the hash must end
    with the run (deleted at success and at failure), not outlive it by its TTL."""
    for number in (12, 14):
        assert "deletes its progress hash" in step(system, "execution", number).text
    assert "exists only while" in step(system, "execution", 20).text


def test_what_a_crash_or_a_redelivery_leaves_is_declared_and_repaired(system):
    """Issue 22: the 202 waits for Kafka's in-sync replicas; every write after a delivery
    names its key; log lines are keyed so that a batch written twice overwrites itself; the
    progress hash a finished run leaves behind lapses within the bound its after_crash states."""
    assert "acks=all" in step(system, "scheduling", 4).text
    assert "acks=all" in system.components["intake_queue"].failure.loses_data
    assert "run ID" in step(system, "execution", 9).text and "line number" in step(system, "execution", 11).text
    assert "two-minute TTL" in step(system, "execution", 8).text
    repair, text = step(system, "execution", 12).after_crash
    assert repair == "accepted" and "2 minutes" in text
    assert "synchronous standby" in system.components["sql_db"].failure.handling
    assert step(system, "execution", 1).after_crash[0] == "reconciliation"  # the sweep


def test_postgresql_moves_small_rows_at_the_rate_of_the_runs(system):
    """Issue 22: charged the run's 10 kB log at every step, the database showed 351 MB/s for claims,
    renewals and outcomes that each update a row of about 200 B."""
    from blueprint import capacity, load

    loads = {l.component: l for l in load.compute(system, capacity.compute(system))}
    # by hand: 100,000 accounts * 1,000 runs a day / 86,400 s * 10 at the top of the hour
    runs = 100_000 * 1_000 / 86_400 * 10
    tasks = runs * 5 / 1_000  # five new tasks a day per account
    # execution steps 2 (a miss, 1 %), 3 (claim), 8 (renew), 12 (finish), 17 (a failure settled, 2 %): 200 B each
    execution = runs * (0.01 + 1 + 1 + 1 + 0.02)
    # scheduling steps 2 (the submission, 500 B), 6 (the task's 2 kB row), 9 (the refill reads it, 200 B)
    assert math.isclose(loads["sql_db"].requests, execution + 3 * tasks)
    assert math.isclose(loads["sql_db"].bytes, execution * 200 + tasks * (500 + 2_000 + 200))
    assert loads["sql_db"].bytes < 10e6
    # the log carries the run's 10 kB: written to Kafka and delivered from it
    assert math.isclose(loads["log_queue"].bytes, 2 * runs * 10_000)
