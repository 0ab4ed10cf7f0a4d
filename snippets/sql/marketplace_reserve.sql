-- Online marketplace: selling each ticket once. Runs on the schema in
-- snippets/schemas/marketplace.sql, on PostgreSQL.

-- --8<-- [start:ingest]
-- Aggregation (write step 6): a listing and its seats, in one transaction. The IDs come
-- from the batch and the listing's place in it, so a redelivered batch message runs this
-- again and inserts nothing twice.
BEGIN;
INSERT INTO inventory (id, seller_id, title, document_id)
VALUES (2, 1, 'Matinee', 'batch-77/3')
ON CONFLICT DO NOTHING;
INSERT INTO tickets (id, inventory_id, seat, price_cents)
SELECT 200 + n, 2, 'B-' || n, 4000 FROM generate_series(1, 3) AS n
ON CONFLICT DO NOTHING;
COMMIT;
-- --8<-- [end:ingest]

-- --8<-- [start:seats_left]
-- The count on a listing page (read step 8), on a read replica, cached for five seconds.
-- A lapsed hold counts as for sale, as it does for reserve; the number is only a hint.
SELECT count(*) AS seats_left
FROM tickets
WHERE inventory_id = 1
  AND (status = 'available' OR (status = 'held' AND held_until < now()));
-- --8<-- [end:seats_left]

-- --8<-- [start:oversell]
-- WRONG: read, decide in the application, then write. Two buyers can both read
-- 'available' before either writes, and both are told the seat is theirs.
SELECT status FROM tickets WHERE id = 7;           -- 'available': the app goes on

UPDATE tickets
SET status = 'held', purchase_order_id = 101, held_until = now() + interval '10 minutes'
WHERE id = 7;
-- --8<-- [end:oversell]

-- --8<-- [start:for_update]
-- Pessimistic: lock the row while deciding. A second buyer's SELECT … FOR UPDATE
-- waits until the first commits, then reads 'held' and stops.
BEGIN;
SELECT status FROM tickets WHERE id = 7 FOR UPDATE;
-- the application checks that the status is 'available', then:
UPDATE tickets
SET status = 'held', purchase_order_id = 101, held_until = now() + interval '10 minutes'
WHERE id = 7;
COMMIT;
-- --8<-- [end:for_update]

-- --8<-- [start:unique_sale]
-- A unique constraint, for a design that records each sale as a new row: the
-- second INSERT for seat 7 waits for the first and then fails (unique violation).
CREATE TABLE seat_sales (
    ticket_id          INTEGER PRIMARY KEY REFERENCES tickets (id),   -- one sale per seat
    purchase_order_id  INTEGER NOT NULL REFERENCES purchase_orders (id)
);
INSERT INTO seat_sales (ticket_id, purchase_order_id) VALUES (7, 101);
-- --8<-- [end:unique_sale]

-- --8<-- [start:reserve]
-- Reserve: the check and the write are one statement. It returns the ticket to
-- exactly one buyer; the others get no row. An expired hold counts as available.
PREPARE reserve (integer, integer) AS
UPDATE tickets
SET status = 'held', purchase_order_id = $2, held_until = now() + interval '10 minutes'
WHERE id = $1
  AND (status = 'available' OR (status = 'held' AND held_until < now()))
RETURNING id;
-- --8<-- [end:reserve]

-- --8<-- [start:place_order]
-- The reserving transaction of POST /v1/orders, for seats 7 and 8: the order and all its
-- holds commit together or not at all. Seats are reserved in ascending ID order, so two
-- buyers who want overlapping seats queue on the lowest one instead of deadlocking.
-- The order's seat count and price come from the seat rows of the listing asked for, never
-- from the request: a seat of another listing (or no such seat) makes no order (400).
BEGIN;
INSERT INTO purchase_orders (id, user_id, idempotency_key, seat_count, total_cents)
SELECT 101, 101, 'checkout-5f2c', count(*), sum(price_cents)
FROM tickets
WHERE id IN (7, 8) AND inventory_id = 1
HAVING count(*) = 2        -- every seat asked for is on listing 1
ON CONFLICT (user_id, idempotency_key) DO NOTHING
RETURNING id;              -- no row: a retry (roll back, answer with the first order), or a 400
EXECUTE reserve(7, 101);
EXECUTE reserve(8, 101);   -- no row from any reserve: roll back, 409
COMMIT;
-- --8<-- [end:place_order]

-- --8<-- [start:confirm]
-- Confirm, after the payment provider said yes: the order is paid and its seats sold,
-- together, but only if the order still holds EVERY seat it reserved. A hold may have
-- expired and that seat been taken by another order: then nothing changes, no row comes
-- back, and the charge is refunded. Checking only that some seat is still held would sell
-- the rest and keep the full price for seats the buyer never gets.
PREPARE confirm (integer) AS
WITH held AS (
    SELECT id FROM tickets                   -- the seats this order still holds, locked
    WHERE purchase_order_id = $1 AND status = 'held'
    FOR UPDATE
), whole AS (
    SELECT id FROM purchase_orders           -- the order, if it holds all of its seats
    WHERE id = $1 AND status = 'pending'
      AND seat_count = (SELECT count(*) FROM held)
    FOR UPDATE
), sold AS (
    UPDATE tickets
    SET status = 'sold', held_until = NULL
    WHERE id IN (SELECT id FROM held) AND EXISTS (SELECT 1 FROM whole)
    RETURNING id
)
UPDATE purchase_orders
SET status = 'paid'
WHERE id IN (SELECT id FROM whole)
RETURNING id;
-- --8<-- [end:confirm]

-- --8<-- [start:release]
-- Compensate: the payment failed or the buyer left. The order is cancelled and its
-- holds are released for the next buyer.
PREPARE release (integer) AS
WITH freed AS (
    UPDATE tickets
    SET status = 'available', purchase_order_id = NULL, held_until = NULL
    WHERE purchase_order_id = $1 AND status = 'held'
    RETURNING id
)
UPDATE purchase_orders
SET status = 'cancelled'
WHERE id = $1 AND status = 'pending'
RETURNING id;
-- --8<-- [end:release]

-- --8<-- [start:begin_payment]
-- Before the charge, the payment is written down as 'pending' with the key the provider
-- will get. The key is derived from the order, so a retry, a restarted purchase service
-- and the reconciler all use the same one, and the provider charges at most once. A
-- second begin_payment for the order changes nothing.
PREPARE begin_payment (integer, integer) AS
INSERT INTO payments (id, purchase_order_id, idempotency_key, amount_cents)
SELECT $2, id, 'order-' || id, total_cents
FROM purchase_orders
WHERE id = $1 AND status = 'pending'
ON CONFLICT (purchase_order_id) DO NOTHING;

-- Whether a charge may be sent, and for how long, by the database's clock (the one that
-- set the holds): the charge's key, the payment's status, whether the order still holds
-- every seat, and the seconds until its first hold ends. The payment service sends (or
-- resends) the charge only for a 'pending' payment of a whole order, and only while that
-- many seconds have not passed on its own elapsed-time timer since this answer: its
-- wall clock never decides. A retry runs this again and gets the time that is left.
PREPARE charge_window (integer) AS
SELECT p.idempotency_key, p.status,
       o.seat_count = count(t.id) AS whole,
       extract(epoch FROM min(t.held_until) - LOCALTIMESTAMP)::integer AS seconds_left
FROM payments AS p
JOIN purchase_orders AS o ON o.id = p.purchase_order_id
LEFT JOIN tickets AS t ON t.purchase_order_id = o.id AND t.status = 'held'
WHERE p.purchase_order_id = $1
GROUP BY p.idempotency_key, p.status, o.seat_count;
-- --8<-- [end:begin_payment]

-- --8<-- [start:settle]
-- The provider charged: one transaction records the charge and runs confirm. If confirm
-- returns no row, COMMIT all the same: a 'succeeded' payment on an order that is not
-- 'paid' is the durable record that a refund is owed. (No row because the order is
-- already 'paid' means someone settled it first: nothing more to do.)
BEGIN;
UPDATE payments
SET status = 'succeeded', provider_charge_id = 'ch_3Nq'
WHERE purchase_order_id = 101 AND status = 'pending';
EXECUTE confirm(101);
COMMIT;
-- --8<-- [end:settle]

-- --8<-- [start:refunded]
-- After the provider refunded (with the key 'refund-order-101'), or declined the charge
-- (then the payment is set to 'failed' instead): the payment and the order are closed,
-- and whatever seats the order still holds go back on sale, in one transaction.
BEGIN;
UPDATE payments
SET status = 'refunded'
WHERE purchase_order_id = 101 AND status = 'succeeded';
EXECUTE release(101);
COMMIT;
-- --8<-- [end:refunded]

-- --8<-- [start:stuck_payments]
-- The reconciler, every minute: payments whose saga stopped half-way. 'pending' past
-- the charge deadline (the payment service sends no charge after the hold expires, ten
-- minutes after the reserve at most, as charge_window measures it) means nobody knows
-- whether the card was charged: ask the provider by the key,
-- then settle or mark it failed. 'succeeded' on an order that is not paid means a refund
-- is owed. Times are the database's clock, never a server's.
SELECT p.purchase_order_id, p.idempotency_key, p.status
FROM payments AS p
JOIN purchase_orders AS o ON o.id = p.purchase_order_id
WHERE (p.status = 'pending' AND p.created_at < LOCALTIMESTAMP - interval '15 minutes')
   OR (p.status = 'succeeded' AND o.status <> 'paid')
ORDER BY p.created_at
LIMIT 100;
-- --8<-- [end:stuck_payments]
