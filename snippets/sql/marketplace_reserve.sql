-- Online marketplace: selling each ticket once. Runs on the schema in
-- snippets/schemas/marketplace.sql, on PostgreSQL.

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

-- --8<-- [start:confirm]
-- Confirm, after the payment provider said yes: the order is paid and its tickets
-- sold, together, but only if the order still holds them (its hold may have
-- expired and the seat been taken: then no row comes back and the charge is refunded).
PREPARE confirm (integer) AS
WITH sold AS (
    UPDATE tickets
    SET status = 'sold', held_until = NULL
    WHERE purchase_order_id = $1 AND status = 'held'
    RETURNING id
)
UPDATE purchase_orders
SET status = 'paid'
WHERE id = $1 AND status = 'pending' AND EXISTS (SELECT 1 FROM sold)
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
