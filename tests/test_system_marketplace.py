"""The online marketplace page, as a specification: every source item kept, the purchase
drawn as one saga, and the double-sale problem shown on a real PostgreSQL server with
buyers on concurrent connections: the naive read-then-write sells a seat twice, the
page's reservation never does."""

from __future__ import annotations

import itertools
import math
import re
import threading
import time
from pathlib import Path

import psycopg
import pytest


from blueprint.build import load_system
from blueprint.sql_pages import read_section, statements

ROOT = Path(__file__).resolve().parents[1]
DDL = ROOT / "snippets" / "schemas" / "marketplace.sql"
RESERVE = "snippets/sql/marketplace_reserve.sql"
PAGE = ROOT / "docs" / "systems" / "marketplace.md"

# Items of the source's numbered lists.
SOURCE_ITEMS = {"write": 8, "read": 23}
SAGA = "Saga: reserve, pay and confirm"  # a saga across services, not one transaction


@pytest.fixture(scope="module")
def system():
    return load_system(ROOT / "diagrams" / "marketplace.py", ROOT)[0]


@pytest.mark.parametrize("path_id", sorted(SOURCE_ITEMS))
def test_every_source_item_is_a_step_or_a_note(system, path_id):
    path = system.paths[path_id]
    assert len(path.steps) + len(path.notes) >= SOURCE_ITEMS[path_id]


def test_the_read_path_has_its_three_branches_as_stages(system):
    titles = [stage.title for stage in system.paths["read"].stages()]
    for branch in ("View", "Search", "Purchase"):
        assert any(branch in title for title in titles), titles


def test_the_purchase_is_one_saga_with_the_provider_inside_and_compensation_after(system):
    steps = system.paths["read"].steps
    saga = [step for step in steps if step.transaction == SAGA]
    assert [step.targets for step in saga][0] == ("orders_db",)          # reserve first
    assert any("payment_provider" in step.targets for step in saga)       # the charge
    assert saga[-1].targets == ("orders_db",)                            # confirm last
    after = steps[steps.index(saga[-1]) + 1:]
    assert any(step.when for step in after)                              # a compensating step


def test_the_payment_is_on_disk_before_the_charge_and_a_reconciler_finishes_stopped_sagas(system):
    """Review M2: a crash between the charge and confirm must not leave a charge nobody will
    ever confirm or refund. The payment is written to PostgreSQL before the provider is
    called, and a later stage reads those rows back, asks the provider and settles or refunds."""
    steps = system.paths["read"].steps
    charge = next(s for s in steps if s.transaction == SAGA and "payment_provider" in s.targets)
    before = [s for s in steps if s.number < charge.number and s.transaction == SAGA]
    assert any(s.source == "payment_service" and s.targets == ("orders_db",) for s in before)
    stage = next(st for st in system.paths["read"].stages() if "Reconcile" in st.title)
    reconcile = [s for s in steps if s in stage.steps]
    assert reconcile[0].source == "reconciler" and reconcile[0].targets == ("orders_db",) and not reconcile[0].when
    assert any("payment_provider" in s.targets for s in reconcile)        # asks by the key
    assert any(s.when and s.targets == ("orders_db",) for s in reconcile)  # settles or releases
    assert any(s.when and s.source == "reconciler" and s.targets == ("payment_service",) for s in reconcile)


def test_the_waiting_room_is_a_503_not_a_429(system):
    """Review M6: 429 says this client sent too many requests; a sale at capacity is the server's state."""
    order = next(e for e in system.endpoints if e.method == "POST" and e.route == "/v1/orders")
    status = dict(order.status)
    assert "waiting room" in status[503] and "waiting room" not in status[429]
    assert any(code == 503 and name == "Retry-After" for code, name, _ in order.response_headers)


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


def test_the_page_shows_the_reservation_sections():
    page = PAGE.read_text(encoding="utf-8")
    for section in ("ingest", "seats_left", "oversell", "unique_sale", "reserve", "place_order", "confirm", "release", "begin_payment",
                    "settle", "refunded", "stuck_payments"):
        assert f'--8<-- "{RESERVE}:{section}"' in page


# --- PostgreSQL: two buyers, one seat ---------------------------------------------------


@pytest.fixture(scope="module")
def server(postgres_database):
    """This module's own database on the session's PostgreSQL server."""
    return postgres_database


_schemas = itertools.count(1)
SEAT = 7
ORDERS = range(101, 109)  # pending orders of eight buyers


@pytest.fixture
def buyer(server):
    """`buyer()` is a new connection to a fresh copy of the schema with the page's prepared
    statements; seat 7 is for sale and orders 101 to 108 are pending."""
    schema = f"market_{next(_schemas)}"
    opened = []
    setup = server.connect()
    setup.execute(f"CREATE SCHEMA {schema}")
    setup.execute(f"SET search_path TO {schema}")
    for statement in statements(DDL.read_text(encoding="utf-8")):
        setup.execute(statement)
    setup.execute("INSERT INTO users (id, name, email) VALUES (1, 'Seller', 's@example.com')")
    setup.execute("INSERT INTO inventory (id, seller_id, title, document_id) VALUES (1, 1, 'Concert', 'doc-1')")
    setup.execute("INSERT INTO tickets (id, inventory_id, seat, price_cents) "
                  "SELECT n, 1, 'A-' || n, 5000 FROM generate_series(1, 10) AS n")
    for order in ORDERS:
        setup.execute(f"INSERT INTO users (id, name, email) VALUES ({order}, 'Buyer {order}', 'b{order}@example.com')")
        setup.execute("INSERT INTO purchase_orders (id, user_id, idempotency_key, seat_count, total_cents) "
                      f"VALUES ({order}, {order}, 'checkout-{order}', 1, 5000)")

    def connect() -> psycopg.Connection:
        connection = server.connect()
        connection.execute(f"SET search_path TO {schema}")
        connection.execute("SET statement_timeout = '5s'")  # a hung test fails instead of hanging
        for section in ("reserve", "confirm", "release", "begin_payment"):  # begin_payment has charge_window
            for statement in statements(read_section(ROOT, RESERVE, section)):
                connection.execute(statement)
        opened.append(connection)
        return connection

    connect.setup = setup
    yield connect
    for connection in opened:
        connection.close()
    setup.close()


def seat(buyer) -> tuple:
    return buyer.setup.execute(f"SELECT status, purchase_order_id FROM tickets WHERE id = {SEAT}").fetchone()


def wait_until_blocked(buyer, connection: psycopg.Connection) -> None:
    """Return once `connection` is waiting for a row lock held by someone else."""
    pid = connection.info.backend_pid
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        row = buyer.setup.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
        if row and row[0] == "Lock":
            return
        time.sleep(0.02)
    pytest.fail("the second buyer never waited for the first one's lock")


def in_thread(function) -> tuple[threading.Thread, dict]:
    result: dict = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", function()))
    thread.start()
    return thread, result


def test_read_then_write_sells_the_seat_twice(buyer):
    """The naive section, interleaved: both buyers read before either writes."""
    check, take = statements(read_section(ROOT, RESERVE, "oversell"))
    a, b = buyer(), buyer()
    seen_a = a.execute(check).fetchone()[0]
    seen_b = b.execute(check).fetchone()[0]
    assert seen_a == seen_b == "available"  # each application decides the seat is free
    assert a.execute(take).rowcount == 1
    assert b.execute(take.replace("101", "102")).rowcount == 1
    # Both buyers were told the seat is theirs; A's hold was silently overwritten by B's.
    assert seat(buyer) == ("held", 102)


def test_eight_buyers_reading_first_all_get_the_seat(buyer):
    check, take = statements(read_section(ROOT, RESERVE, "oversell"))
    connections = [buyer() for _ in ORDERS]
    everyone_has_read = threading.Barrier(len(connections))
    told_yes = []

    def naive(connection, order):
        free = connection.execute(check).fetchone()[0] == "available"
        everyone_has_read.wait(5)
        if free and connection.execute(take.replace("101", str(order))).rowcount == 1:
            told_yes.append(order)

    threads = [threading.Thread(target=naive, args=pair) for pair in zip(connections, ORDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(told_yes) == list(ORDERS)  # one seat, eight "you got it"


def test_select_for_update_makes_the_second_buyer_wait_and_see_it_taken(buyer):
    begin, lock, take, commit = statements(read_section(ROOT, RESERVE, "for_update"))
    a, b = buyer(), buyer()
    a.execute(begin)
    assert a.execute(lock).fetchone()[0] == "available"
    b.execute(begin)
    thread, seen_b = in_thread(lambda: b.execute(lock).fetchone()[0])
    wait_until_blocked(buyer, b)
    a.execute(take)
    a.execute(commit)
    thread.join(5)
    assert seen_b["value"] == "held"  # B's application stops here
    b.execute("ROLLBACK")
    assert seat(buyer) == ("held", 101)


def test_reserve_gives_the_seat_to_one_buyer_even_when_the_other_waits(buyer):
    a, b = buyer(), buyer()
    a.execute("BEGIN")
    assert a.execute(f"EXECUTE reserve({SEAT}, 101)").fetchall() == [(SEAT,)]
    thread, got_b = in_thread(lambda: b.execute(f"EXECUTE reserve({SEAT}, 102)").fetchall())
    wait_until_blocked(buyer, b)
    a.execute("COMMIT")
    thread.join(5)
    assert got_b["value"] == []  # PostgreSQL re-checked the condition on the new row version
    assert seat(buyer) == ("held", 101)


def test_eight_buyers_racing_for_one_seat_one_wins(buyer):
    connections = [buyer() for _ in ORDERS]
    start = threading.Barrier(len(connections))
    winners = []

    def race(connection, order):
        start.wait(5)
        if connection.execute(f"EXECUTE reserve({SEAT}, {order})").fetchall():
            winners.append(order)

    threads = [threading.Thread(target=race, args=pair) for pair in zip(connections, ORDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(winners) == 1
    assert seat(buyer) == ("held", winners[0])


def test_reserve_pay_confirm(buyer):
    a = buyer()
    assert a.execute(f"EXECUTE reserve({SEAT}, 101)").fetchall() == [(SEAT,)]
    # ... the payment provider charges the card ...
    assert a.execute("EXECUTE confirm(101)").fetchall() == [(101,)]
    assert seat(buyer) == ("sold", 101)
    assert a.execute(f"EXECUTE reserve({SEAT}, 102)").fetchall() == []  # sold is final
    order = buyer.setup.execute("SELECT status FROM purchase_orders WHERE id = 101").fetchone()
    assert order == ("paid",)


def test_an_expired_hold_is_resold_and_the_late_payer_is_refunded(buyer):
    a, b = buyer(), buyer()
    assert a.execute(f"EXECUTE reserve({SEAT}, 101)").fetchall() == [(SEAT,)]
    # A's hold runs out while A is still on the payment page.
    buyer.setup.execute(f"UPDATE tickets SET held_until = now() - interval '1 second' WHERE id = {SEAT}")
    assert b.execute(f"EXECUTE reserve({SEAT}, 102)").fetchall() == [(SEAT,)]
    assert a.execute("EXECUTE confirm(101)").fetchall() == []  # A no longer holds it: refund A
    assert a.execute("EXECUTE release(101)").fetchall() == [(101,)]
    assert b.execute("EXECUTE confirm(102)").fetchall() == [(102,)]
    assert seat(buyer) == ("sold", 102)
    orders = dict(buyer.setup.execute("SELECT id, status FROM purchase_orders WHERE id IN (101, 102)").fetchall())
    assert orders == {101: "cancelled", 102: "paid"}


def test_a_failed_payment_releases_the_seat(buyer):
    a, b = buyer(), buyer()
    assert a.execute(f"EXECUTE reserve({SEAT}, 101)").fetchall() == [(SEAT,)]
    assert a.execute("EXECUTE release(101)").fetchall() == [(101,)]  # the card was declined
    assert seat(buyer) == ("available", None)
    assert b.execute(f"EXECUTE reserve({SEAT}, 102)").fetchall() == [(SEAT,)]


def test_a_payment_cannot_be_recorded_twice(buyer):
    insert = ("INSERT INTO payments (id, purchase_order_id, idempotency_key, amount_cents) "
              "VALUES ({id}, 101, 'order-101-attempt-1', 5000)")
    buyer.setup.execute(insert.format(id=1))
    with pytest.raises(psycopg.errors.UniqueViolation, match="purchase_order_id"):
        buyer.setup.execute(insert.format(id=2))  # a second payment for the same order
    with pytest.raises(psycopg.errors.UniqueViolation, match="idempotency_key"):
        buyer.setup.execute(insert.format(id=3).replace(", 101,", ", 102,"))  # another order, the same key


def test_a_transaction_around_read_then_write_does_not_help_at_read_committed(buyer):
    check, take = statements(read_section(ROOT, RESERVE, "oversell"))
    a, b = buyer(), buyer()
    a.execute("BEGIN")
    b.execute("BEGIN")
    assert a.execute(check).fetchone()[0] == b.execute(check).fetchone()[0] == "available"
    assert a.execute(take).rowcount == 1
    a.execute("COMMIT")
    assert b.execute(take.replace("101", "102")).rowcount == 1
    b.execute("COMMIT")
    assert seat(buyer) == ("held", 102)  # sold twice all the same


def test_at_serializable_the_second_read_then_write_is_aborted(buyer):
    check, take = statements(read_section(ROOT, RESERVE, "oversell"))
    a, b = buyer(), buyer()
    a.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
    b.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
    assert a.execute(check).fetchone()[0] == b.execute(check).fetchone()[0] == "available"
    a.execute(take)
    a.execute("COMMIT")
    with pytest.raises(psycopg.errors.SerializationFailure):
        b.execute(take.replace("101", "102"))
    b.execute("ROLLBACK")  # the application retries, reads 'held', and stops
    assert seat(buyer) == ("held", 101)


def test_at_repeatable_read_the_second_read_then_write_is_aborted(buyer):
    """Both buyers write the same row, so REPEATABLE READ is already enough: first updater wins."""
    check, take = statements(read_section(ROOT, RESERVE, "oversell"))
    a, b = buyer(), buyer()
    a.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    b.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    assert a.execute(check).fetchone()[0] == b.execute(check).fetchone()[0] == "available"
    a.execute(take)
    a.execute("COMMIT")
    with pytest.raises(psycopg.errors.SerializationFailure):
        b.execute(take.replace("101", "102"))
    b.execute("ROLLBACK")
    assert seat(buyer) == ("held", 101)


def test_a_unique_key_on_the_seat_makes_the_second_insert_wait_then_fail(buyer):
    create, insert = statements(read_section(ROOT, RESERVE, "unique_sale"))
    buyer.setup.execute(create)
    a, b = buyer(), buyer()
    a.execute("BEGIN")
    a.execute(insert)  # buyer A's sale of seat 7, not yet committed

    def insert_b():
        try:
            b.execute(insert.replace("101", "102"))
        except psycopg.errors.UniqueViolation:
            return "unique violation"
        return "inserted"

    thread, outcome = in_thread(insert_b)
    wait_until_blocked(buyer, b)  # B waits: A's row may yet roll back
    a.execute("COMMIT")
    thread.join(5)
    assert outcome["value"] == "unique violation"
    rows = buyer.setup.execute("SELECT ticket_id, purchase_order_id FROM seat_sales").fetchall()
    assert rows == [(SEAT, 101)]


def seats(buyer, *ids) -> dict:
    rows = buyer.setup.execute("SELECT id, status, purchase_order_id FROM tickets WHERE id = ANY(%s)",
                               (list(ids),)).fetchall()
    return {row[0]: row[1:] for row in rows}


def order_status(buyer, order) -> str:
    return buyer.setup.execute("SELECT status FROM purchase_orders WHERE id = %s", (order,)).fetchone()[0]


def test_confirm_of_a_two_seat_order_that_lost_a_seat_confirms_nothing(buyer):
    """Review M1: order 101 holds seats 7 and 8; seat 8's hold runs out and order 102
    reserves it. Confirming 101 must sell neither seat and leave 101 unpaid, so that no
    row comes back and the refund path fires."""
    buyer.setup.execute("UPDATE purchase_orders SET total_cents = 10000, seat_count = 2 WHERE id = 101")
    a, b = buyer(), buyer()
    a.execute("BEGIN")
    assert a.execute("EXECUTE reserve(7, 101)").fetchall() == [(7,)]
    assert a.execute("EXECUTE reserve(8, 101)").fetchall() == [(8,)]
    a.execute("COMMIT")
    buyer.setup.execute("UPDATE tickets SET held_until = now() - interval '1 second' WHERE id = 8")
    assert b.execute("EXECUTE reserve(8, 102)").fetchall() == [(8,)]
    # ... the provider charges 101 for two seats ...
    assert a.execute("EXECUTE confirm(101)").fetchall() == []         # refund 101
    assert seats(buyer, 7, 8) == {7: ("held", 101), 8: ("held", 102)}  # seat 7 is not sold to a refunded order
    assert order_status(buyer, 101) == "pending"
    assert a.execute("EXECUTE release(101)").fetchall() == [(101,)]
    assert seats(buyer, 7, 8) == {7: ("available", None), 8: ("held", 102)}
    assert order_status(buyer, 101) == "cancelled"


def test_a_confirm_in_progress_makes_a_late_reserve_of_an_expired_seat_wait_and_lose(buyer):
    buyer.setup.execute("UPDATE purchase_orders SET total_cents = 10000, seat_count = 2 WHERE id = 101")
    a, b = buyer(), buyer()
    assert a.execute("EXECUTE reserve(7, 101)").fetchall() == [(7,)]
    assert a.execute("EXECUTE reserve(8, 101)").fetchall() == [(8,)]
    buyer.setup.execute("UPDATE tickets SET held_until = now() - interval '1 second' WHERE id = 8")
    a.execute("BEGIN")
    assert a.execute("EXECUTE confirm(101)").fetchall() == [(101,)]  # expired but not taken: still 101's
    thread, got_b = in_thread(lambda: b.execute("EXECUTE reserve(8, 102)").fetchall())
    wait_until_blocked(buyer, b)
    a.execute("COMMIT")
    thread.join(5)
    assert got_b["value"] == []
    assert seats(buyer, 7, 8) == {7: ("sold", 101), 8: ("sold", 101)}


# --- Placing an order: all seats or none, in seat order, once per Idempotency-Key -------


def place_order_statements(order=101, key="checkout-5f2c", seat_ids=(7, 8)) -> list[str]:
    """The page's place_order transaction for another buyer, key or seats (in the order given)."""
    begin, insert, first, second, commit = statements(read_section(ROOT, RESERVE, "place_order"))
    insert = insert.replace("101", str(order)).replace("checkout-5f2c", key)
    reserves = [first.replace("7", str(seat_ids[0])).replace("101", str(order)),
                second.replace("8", str(seat_ids[1])).replace("101", str(order))]
    return [begin, insert, *reserves, commit]


def test_a_retried_order_with_the_same_key_finds_the_first_order(buyer):
    buyer.setup.execute("DELETE FROM purchase_orders WHERE id = 101")
    a = buyer()
    begin, insert, *reserves, commit = place_order_statements()
    a.execute(begin)
    assert a.execute(insert).fetchall() == [(101,)]
    for reserve in reserves:
        assert a.execute(reserve).fetchall()
    a.execute(commit)
    # The response was lost; the app retries with the same Idempotency-Key.
    a.execute(begin)
    retry = insert.replace("SELECT 101,", "SELECT 109,")
    assert retry != insert
    assert a.execute(retry).fetchall() == []  # no second order: roll back, answer with 101
    a.execute("ROLLBACK")
    first = buyer.setup.execute("SELECT id FROM purchase_orders WHERE user_id = 101 AND idempotency_key = 'checkout-5f2c'")
    assert first.fetchall() == [(101,)]
    assert seats(buyer, 7, 8) == {7: ("held", 101), 8: ("held", 101)}


def test_an_order_that_cannot_hold_every_seat_holds_none(buyer):
    buyer.setup.execute("DELETE FROM purchase_orders WHERE id = 101")
    a, b = buyer(), buyer()
    assert b.execute("EXECUTE reserve(8, 102)").fetchall() == [(8,)]
    begin, insert, first, second, commit = place_order_statements()
    a.execute(begin)
    a.execute(insert)
    assert a.execute(first).fetchall() == [(7,)]
    assert a.execute(second).fetchall() == []  # seat 8 is taken: 409
    a.execute("ROLLBACK")
    assert seats(buyer, 7, 8) == {7: ("available", None), 8: ("held", 102)}
    assert buyer.setup.execute("SELECT count(*) FROM purchase_orders WHERE id = 101").fetchone() == (0,)


def race_for_seats_7_and_8(buyer, seats_of_b):
    """Buyer A places order 101 for seats (7, 8); buyer B, order 102 for seats_of_b, at the
    same time: each reserves its first seat before either reserves its second."""
    buyer.setup.execute("DELETE FROM purchase_orders WHERE id IN (101, 102)")
    a, b = buyer(), buyer()
    for connection in (a, b):
        connection.execute("SET deadlock_timeout = '200ms'")
    a_begin, a_insert, a_first, a_second, a_commit = place_order_statements(101, "a", (7, 8))
    b_begin, b_insert, b_first, b_second, b_commit = place_order_statements(102, "b", seats_of_b)
    for connection, begin, insert in ((a, a_begin, a_insert), (b, b_begin, b_insert)):
        connection.execute(begin)
        connection.execute(insert)
    assert a.execute(a_first).fetchall() == [(7,)]

    def run_b(statement):
        try:
            return b.execute(statement).fetchall()
        except psycopg.errors.DeadlockDetected:
            return "deadlock"

    if seats_of_b[0] == 7:                       # same order: B queues behind A on seat 7
        thread, outcome = in_thread(lambda: run_b(b_first))
        wait_until_blocked(buyer, b)
    else:                                        # opposite order: B takes seat 8, then wants 7
        assert b.execute(b_first).fetchall() == [(8,)]
        thread, outcome = in_thread(lambda: run_b(b_second))
        wait_until_blocked(buyer, b)
    try:
        a.execute(a_second)
        a.execute(a_commit)
        a_outcome = "committed"
    except psycopg.errors.DeadlockDetected:
        a_outcome = "deadlock"
        a.execute("ROLLBACK")
    thread.join(5)
    b.execute("ROLLBACK")
    if "deadlock" in (a_outcome, outcome["value"]):
        return "deadlock"
    assert outcome["value"] == []                # seat 7 went to A: B rolls back, 409
    return "A got both seats"


def test_two_buyers_of_the_same_seats_in_id_order_queue_instead_of_deadlocking(buyer):
    assert race_for_seats_7_and_8(buyer, (7, 8)) == "A got both seats"
    assert seats(buyer, 7, 8) == {7: ("held", 101), 8: ("held", 101)}


def test_in_opposite_orders_the_same_two_buyers_deadlock(buyer):
    """Why the page reserves in ascending seat ID: {7, 8} against {8, 7} is a lock cycle,
    which PostgreSQL breaks only after deadlock_timeout by aborting one buyer (40P01)."""
    assert race_for_seats_7_and_8(buyer, (8, 7)) == "deadlock"


# --- The saga's durable state and its reconciler (review M2) ------------------------------


def run_section(connection, section, order=101) -> list:
    """Run a section of the page's SQL for `order`; the rows each statement returned, if any."""
    results = []
    for statement in statements(read_section(ROOT, RESERVE, section)):
        cursor = connection.execute(statement.replace("101", str(order)))
        results.append(cursor.fetchall() if cursor.description else None)
    return results


def stuck(buyer) -> dict:
    query, = statements(read_section(ROOT, RESERVE, "stuck_payments"))
    return {row[0]: row[1:] for row in buyer.setup.execute(query).fetchall()}


def payment(buyer, order) -> tuple:
    return buyer.setup.execute("SELECT idempotency_key, status, amount_cents FROM payments "
                               "WHERE purchase_order_id = %s", (order,)).fetchone()


def test_the_payment_is_written_down_before_the_charge_once_per_order(buyer):
    a = buyer()
    a.execute("EXECUTE reserve(7, 101)")
    a.execute("EXECUTE begin_payment(101, 1)")
    assert payment(buyer, 101) == ("order-101", "pending", 5000)
    a.execute("EXECUTE begin_payment(101, 2)")  # a retry, or the reconciler: no second payment
    assert buyer.setup.execute("SELECT count(*) FROM payments").fetchone() == (1,)


def test_a_charge_whose_outcome_was_never_recorded_is_found_by_the_reconciler(buyer):
    """The purchase service asked for the charge and died before recording the answer.
    Nothing else would ever look at this order again; the reconciler's query does, by the
    database's clock, once the charge deadline has passed, with the key to ask the provider by."""
    a = buyer()
    for order, seat_id in ((101, 7), (102, 8)):
        a.execute(f"EXECUTE reserve({seat_id}, {order})")
        a.execute(f"EXECUTE begin_payment({order}, {order})")
    assert stuck(buyer) == {}  # both charges may still be in flight
    buyer.setup.execute("UPDATE payments SET created_at = LOCALTIMESTAMP - interval '20 minutes' "
                        "WHERE purchase_order_id = 101")
    assert stuck(buyer) == {101: ("order-101", "pending")}
    # The provider says it charged order-101: the reconciler settles it like the purchase service would.
    run_section(a, "settle")
    assert order_status(buyer, 101) == "paid" and payment(buyer, 101)[1] == "succeeded"
    assert stuck(buyer) == {}


def test_a_lost_seat_leaves_a_refund_owed_until_the_refund_is_recorded(buyer):
    """Review M1 and M2 together: the charge succeeded, confirm found a seat gone. The
    settle transaction commits the charge anyway, so the refund owed is on disk: if the
    service dies before refunding, the reconciler finds it; once refunded, it is closed."""
    buyer.setup.execute("UPDATE purchase_orders SET total_cents = 10000, seat_count = 2 WHERE id = 101")
    a, b = buyer(), buyer()
    a.execute("EXECUTE reserve(7, 101)")
    a.execute("EXECUTE reserve(8, 101)")
    a.execute("EXECUTE begin_payment(101, 1)")
    buyer.setup.execute("UPDATE tickets SET held_until = now() - interval '1 second' WHERE id = 8")
    assert b.execute("EXECUTE reserve(8, 102)").fetchall() == [(8,)]
    results = run_section(a, "settle")
    assert [] in results  # confirm: no row
    assert payment(buyer, 101) == ("order-101", "succeeded", 10000)
    assert order_status(buyer, 101) == "pending"
    assert stuck(buyer) == {101: ("order-101", "succeeded")}  # a refund is owed, on disk
    run_section(a, "refunded")
    assert payment(buyer, 101)[1] == "refunded" and order_status(buyer, 101) == "cancelled"
    assert seats(buyer, 7, 8) == {7: ("available", None), 8: ("held", 102)}
    assert stuck(buyer) == {}


def test_the_seats_left_on_a_listing_page_have_a_drawn_source_and_count_lapsed_holds(system, buyer):
    """Review M3: the count (and the ETag built from it) came from no drawn step. It is read
    from the trending cache and, when missing, counted on a replica of the orders database."""
    steps = system.paths["read"].steps
    count = [s for s in steps if s.source == "inventory_service" and s.targets == ("orders_replica",)]
    assert count and count[0].when and "five seconds" in count[0].text
    query, = statements(read_section(ROOT, RESERVE, "seats_left"))
    assert buyer.setup.execute(query).fetchone() == (10,)
    a = buyer()
    a.execute("EXECUTE reserve(7, 101)")
    a.execute("EXECUTE reserve(8, 102)")
    assert buyer.setup.execute(query).fetchone() == (8,)
    buyer.setup.execute("UPDATE tickets SET held_until = now() - interval '1 second' WHERE id = 8")
    assert buyer.setup.execute(query).fetchone() == (9,)  # a lapsed hold is for sale again


def test_seats_exist_before_their_listing_document_and_a_redelivered_batch_adds_nothing(system, buyer):
    """A crash between the two stores of ingestion must not publish a listing with no seats,
    and the batch message that comes again must not list anything twice."""
    steps = {s.number: s for s in system.paths["write"].steps}
    rows = next(n for n, s in steps.items() if s.source == "aggregation" and s.targets == ("orders_db",))
    document = next(n for n, s in steps.items() if s.source == "aggregation" and s.targets == ("inventory_db",))
    assert rows < document and "upsert" in steps[document].text and "offset last" in steps[document].text
    ingest = statements(read_section(ROOT, RESERVE, "ingest"))
    for _ in range(2):  # the message, then its redelivery
        for statement in ingest:
            buyer.setup.execute(statement)
    assert buyer.setup.execute("SELECT count(*) FROM inventory WHERE document_id = 'batch-77/3'").fetchone() == (1,)
    assert buyer.setup.execute("SELECT count(*) FROM tickets WHERE inventory_id = 2").fetchone() == (3,)


def test_the_reconciler_waits_longer_than_a_hold_by_the_margin_the_page_states(system):
    hold = re.search(r"interval '(\d+) minutes'", read_section(ROOT, RESERVE, "reserve")).group(1)
    wait = re.search(r"interval '(\d+) minutes'", read_section(ROOT, RESERVE, "stuck_payments")).group(1)
    assert int(wait) - int(hold) == 5
    notes = " ".join(n.text for n in system.paths["read"].notes)
    assert "waits five minutes longer than the hold" in notes


# --- The charge deadline is the database's, not the payment service's clock (review rev_a) ---


def test_whether_a_charge_may_be_sent_is_decided_by_the_database_clock(system, buyer):
    """The payment service used to compare its own wall clock with the hold's end: a clock
    more than the reconciler's margin slow would charge after the reconciler had decided
    there was no charge. charge_window answers from the database's clock instead."""
    buyer.setup.execute("UPDATE purchase_orders SET total_cents = 10000, seat_count = 2 WHERE id = 101")
    a, b = buyer(), buyer()
    a.execute("EXECUTE reserve(7, 101)")
    a.execute("EXECUTE reserve(8, 101)")
    a.execute("EXECUTE begin_payment(101, 1)")
    (key, status, whole, left), = a.execute("EXECUTE charge_window(101)").fetchall()
    assert (key, status, whole) == ("order-101", "pending", True) and 590 <= left <= 600
    # seat 8's hold lapses: no time left, so no charge is sent (a retry asks again and is told so)
    buyer.setup.execute("UPDATE tickets SET held_until = LOCALTIMESTAMP - interval '1 second' WHERE id = 8")
    (_, _, whole, left), = a.execute("EXECUTE charge_window(101)").fetchall()
    assert whole and left <= 0
    # another buyer takes seat 8: the order is no longer whole, and nothing may be charged
    assert b.execute("EXECUTE reserve(8, 102)").fetchall() == [(8,)]
    (_, _, whole, _), = a.execute("EXECUTE charge_window(101)").fetchall()
    assert not whole
    charge = next(s for s in system.paths["read"].steps if "payment_provider" in s.targets and s.transaction)
    assert "`charge_window`" in charge.text and "database's clock" in charge.text
    notes = " ".join(n.text for n in system.paths["read"].notes)
    assert "compares its own clock" not in notes


def test_the_purchase_group_is_called_a_saga_and_a_retried_upload_names_the_same_batch(system):
    """The brown group spans three services and the provider: one local transaction it is not.
    A retried bulk upload must not list everything twice: its batch ID, which every listing ID
    comes from, is fixed by the seller and the Idempotency-Key, not minted per request."""
    assert all(s.transaction.startswith("Saga") for s in system.paths["read"].steps if s.transaction)
    store = next(s for s in system.paths["write"].steps if s.source == "bulk_service" and s.targets == ("object_store",))
    assert "`Idempotency-Key`" in store.text and "same batch" in store.text
    upload = next(e for e in system.endpoints if e.route == "/v1/listing_batches")
    assert "Idempotency-Key" in dict(upload.headers)


def test_indexing_follows_the_change_stream_not_a_changed_since_time(system):
    index = next(s for s in system.paths["write"].steps if s.source == "indexing" and s.targets == ("inventory_db",))
    assert "change stream" in index.text and "resuming" in index.text


def test_leaving_checkout_while_a_charge_may_be_in_flight_is_refused_or_refunded(system):
    leave = next(e for e in system.endpoints if e.method == "DELETE")
    assert "payment is pending" in dict(leave.status)[409] and "refunded" in dict(leave.status)[409]


def test_an_order_s_count_and_price_come_from_the_seats_of_its_listing(buyer):
    """The API promised 400 for seats of another listing, but the order took any seat ID and
    a seat count and total from the request. Now the seat rows decide both."""
    buyer.setup.execute("DELETE FROM purchase_orders WHERE id = 101")
    buyer.setup.execute("INSERT INTO inventory (id, seller_id, title, document_id) VALUES (3, 1, 'Other', 'doc-3')")
    buyer.setup.execute("UPDATE tickets SET inventory_id = 3 WHERE id = 8")
    a = buyer()
    begin, insert, *_ = place_order_statements()
    a.execute(begin)
    assert a.execute(insert).fetchall() == []  # seat 8 is on listing 3: no order, 400
    a.execute("ROLLBACK")
    buyer.setup.execute("UPDATE tickets SET inventory_id = 1, price_cents = 6000 WHERE id = 8")
    a.execute(begin)
    assert a.execute(insert).fetchall() == [(101,)]
    a.execute("COMMIT")
    assert buyer.setup.execute("SELECT seat_count, total_cents FROM purchase_orders WHERE id = 101").fetchone() == (2, 11000)


def test_the_purchase_saga_names_a_compensation_for_every_step_but_confirm(system):
    """Issue 22: the purchase spans PostgreSQL and an outside provider, so it is declared as a
    saga: reserve, the pending payment and the charge are each undone by a named step."""
    read = system.paths["read"]
    assert set(read.sagas[SAGA]) == {18, 20, 21}
    assert "refund" in read.sagas[SAGA][21]
    saga = [s for s in read.steps if s.transaction == SAGA]
    assert saga[-1].number == 22 and saga[-1].number not in read.sagas[SAGA]


def test_the_pending_payment_survives_a_failover_and_logs_run_at_their_own_rate(system):
    """A charge made after step 20 is found only through its pending row: an asynchronous
    standby could lose that row, so commits wait for a synchronous one. Logs are a path of
    their own, one small line per request, not a read's 20 kB."""
    assert "synchronous standby" in system.components["orders_db"].failure.handling
    assert any("synchronous standby" in n.text for n in system.paths["read"].notes)
    logs = system.paths["logs"]
    assert (logs.per, logs.times, logs.size) == ("read", 1.01, "1 kB")  # every read, plus the purchases
    assert not any("log_queue" in s.targets for s in system.paths["read"].steps)
    assert "acks=all" in {s.number: s for s in system.paths["write"].steps}[3].text


def test_the_listings_database_moves_documents_not_batches_of_media(system):
    """Issue 22: charged the batch's 2 MB at every step, MongoDB showed 30 MB/s for documents of some
    200 kB a batch; the logs follow the reads instead of a typed 12,000 a second."""
    from blueprint import capacity, load

    loads = {l.component: l for l in load.compute(system, capacity.compute(system))}
    # by hand: the write path's own rate, 5 batches a second at peak; steps 7, 8 and 10 move the JSON, 200 kB
    assert math.isclose(loads["inventory_db"].requests, 3 * 5)
    assert math.isclose(loads["inventory_db"].bytes, 3 * 5 * 200_000)
    # reads: 1e7 users * 0.1 purchases a day * 100 reads each / 86,400 s * 10 at peak
    reads = 1e7 * 0.1 * 100 / 86_400 * 10
    assert math.isclose(loads["log_queue"].requests, 2 * reads * 1.01)  # written and delivered
    assert math.isclose(loads["log_queue"].bytes, 2 * reads * 1.01 * 1_000)
