-- Online marketplace (tickets): the transactional side, in PostgreSQL. A listing's
-- full description lives in the document store (MongoDB) and its media in object
-- storage; here every sellable unit (a seat) is a row, so that selling it is a row
-- update that only one buyer can win. Runs as written on SQLite and on PostgreSQL.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- One listing: an event (or a product line) that a seller puts up for sale.
CREATE TABLE inventory (
    id           INTEGER PRIMARY KEY,
    seller_id    INTEGER NOT NULL REFERENCES users (id),
    title        TEXT NOT NULL,
    starts_at    TIMESTAMP,              -- when the event takes place
    document_id  TEXT NOT NULL UNIQUE,   -- the full listing in the document store
    created_at   TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- An order holds seat_count seats and is paid only if it still holds all of them.
-- idempotency_key is the buyer's Idempotency-Key of POST /v1/orders: a retried
-- request meets the first order on the unique key instead of creating a second one.
CREATE TABLE purchase_orders (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users (id),   -- the buyer
    idempotency_key  TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'paid', 'cancelled')),
    seat_count       INTEGER NOT NULL CHECK (seat_count >= 1),
    total_cents      INTEGER NOT NULL CHECK (total_cents >= 0),
    created_at       TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (user_id, idempotency_key)
);

-- One row per seat: the "materialized conflict". Two buyers of seat A-12 meet on this row.
CREATE TABLE tickets (
    id                 INTEGER PRIMARY KEY,
    inventory_id       INTEGER NOT NULL REFERENCES inventory (id),
    seat               TEXT NOT NULL,
    price_cents        INTEGER NOT NULL CHECK (price_cents >= 0),
    status             TEXT NOT NULL DEFAULT 'available'
                       CHECK (status IN ('available', 'held', 'sold')),
    purchase_order_id  INTEGER REFERENCES purchase_orders (id),  -- who holds or bought it
    held_until         TIMESTAMP,            -- a hold ends here unless the order is paid
    UNIQUE (inventory_id, seat),             -- a seat is listed once
    CHECK ((status = 'available') = (purchase_order_id IS NULL))
);

CREATE INDEX tickets_by_order ON tickets (purchase_order_id);
-- Seats left on a listing page: one range of this index, on a read replica.
CREATE INDEX tickets_for_sale ON tickets (inventory_id, status);

-- One payment per order, written 'pending' BEFORE the provider is asked to charge:
-- it is the saga's durable state. A payment still 'pending' long after its charge
-- deadline, or 'succeeded' for an order that is not paid, is work for the reconciler.
-- The provider's charge ID and our idempotency key are unique, so a retried charge
-- cannot be recorded twice.
CREATE TABLE payments (
    id                 INTEGER PRIMARY KEY,
    purchase_order_id  INTEGER NOT NULL UNIQUE REFERENCES purchase_orders (id),
    idempotency_key    TEXT NOT NULL UNIQUE,   -- sent to the provider with the charge
    provider_charge_id TEXT UNIQUE,            -- the provider's reference, once it answers
    amount_cents       INTEGER NOT NULL CHECK (amount_cents >= 0),
    status             TEXT NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded')),
    created_at         TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
