-- Pastebin: who owns which paste. The paste's text lives in object storage;
-- the database keeps what is needed to find, complete and expire it.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL
);

-- Live pastes only: a row appears when its upload is complete, and leaves when the
-- paste is deleted or expires.
CREATE TABLE pastes (
    id          TEXT PRIMARY KEY,               -- the short encoded key, e.g. 'aZ3x9Q'
    user_id     INTEGER REFERENCES users (id),  -- NULL for anonymous pastes
    object_key  TEXT NOT NULL,                  -- the text's key in the private bucket (here the paste ID);
                                                -- a key, not a URL: presigned URLs expire within minutes
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP                       -- NULL: keep forever
);

CREATE INDEX pastes_by_user ON pastes (user_id);
-- The sweep's "what has expired?" every minute: without it, a scan of every paste
-- (docs/sql.md drops it to show the difference in the query plan).
CREATE INDEX pastes_by_expiry ON pastes (expires_at);

-- What the create promised, written before the upload URL goes out: the complete and a
-- retried create read it. Kept a day after completion, so that a late retry still finds it.
CREATE TABLE paste_reservations (
    id               TEXT PRIMARY KEY,               -- the paste ID the key generation service handed out
    user_id          INTEGER REFERENCES users (id),  -- the caller; NULL for anonymous
    size_bytes       INTEGER NOT NULL CHECK (size_bytes > 0),  -- what the upload URL enforces
    idempotency_key  TEXT,                           -- the create's Idempotency-Key; NULL if it sent none
    expires_at       TIMESTAMP,                      -- created_at + the lifetime asked for, which the paste
                                                     -- gets from its completion; NULL: keep forever
    created_at       TIMESTAMP NOT NULL,             -- the database's clock; the upload URL is signed with it
    reserved_until   TIMESTAMP NOT NULL,             -- lapses then, after the upload URL has expired
    completed_at     TIMESTAMP                       -- NULL until the complete
);

-- One key per caller; all anonymous callers share the scope 0, so their key must be a random UUID.
CREATE UNIQUE INDEX reservations_by_idempotency_key ON paste_reservations (COALESCE(user_id, 0), idempotency_key);
CREATE INDEX reservations_by_deadline ON paste_reservations (reserved_until);
CREATE INDEX reservations_by_completion ON paste_reservations (completed_at);

-- The sweep's to-do list: pastes that readers can no longer see (deleted, expired, or a
-- reservation that lapsed) whose cache entry, CDN copy and object may still exist.
CREATE TABLE paste_removals (
    paste_id    TEXT PRIMARY KEY,
    object_key  TEXT NOT NULL,
    queued_at   TIMESTAMP NOT NULL
);
