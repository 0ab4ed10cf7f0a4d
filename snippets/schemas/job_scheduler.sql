-- Distributed job scheduler: who owns which task, when it is due, and who runs it now.
-- The task's executable lives in object storage (the row keeps its URL); execution
-- logs go to Cassandra. Runs as written on SQLite and on PostgreSQL.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- One row per POST /v1/tasks. Its ID is minted here, before anything is uploaded or
-- queued, and becomes the task's ID: every later copy of the request (a retried POST,
-- a retried confirmation, a message Kafka delivers twice) names this same ID.
CREATE TABLE submissions (
    id               BIGINT PRIMARY KEY,      -- minted by the web server (64-bit, unique without a round trip)
    user_id          INTEGER NOT NULL REFERENCES users (id),
    idempotency_key  TEXT NOT NULL,           -- the client's Idempotency-Key header
    name             TEXT NOT NULL,
    recurrence       TEXT,                    -- as in tasks: the cron expression, or NULL
    first_due_at     TIMESTAMP,               -- the due time of a one-time task
    created_at       TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (user_id, idempotency_key)         -- a retried POST finds the first one's row
);

CREATE TABLE tasks (
    id                BIGINT PRIMARY KEY REFERENCES submissions (id),  -- the submission's ID, carried through Kafka
    user_id           INTEGER NOT NULL REFERENCES users (id),   -- the owner
    name              TEXT NOT NULL,
    binary_url        TEXT NOT NULL,        -- the executable, in object storage
    recurrence        TEXT,                 -- a cron expression; NULL for a one-time task
    scheduled_for     TIMESTAMP NOT NULL,   -- the occurrence: the due time this run belongs to; a retry keeps it
    execute_at        TIMESTAMP NOT NULL,   -- the next attempt: scheduled_for, or later after a failed try
    status            TEXT NOT NULL DEFAULT 'scheduled'
                      CHECK (status IN ('scheduled', 'running', 'succeeded', 'failed', 'cancelled')),
    lease_owner       TEXT,                 -- the run that claimed it (an ID the worker carries); NULL when not running
    lease_expires_at  TIMESTAMP,            -- after this, another worker may take the task over
    claims            INTEGER NOT NULL DEFAULT 0,  -- +1 on every claim, never reset: the fencing token
    attempts          INTEGER NOT NULL DEFAULT 0,  -- tries of this occurrence: the retry cap counts these
    created_at        TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- "Which tasks are due next?" reads this index in execution-time order and stops early;
-- id breaks ties, in the claim's ORDER BY order, so PostgreSQL need not sort at all.
-- Partial: only tasks still waiting are in it, so it stays small as finished tasks pile up.
CREATE INDEX tasks_due ON tasks (execute_at, id) WHERE status = 'scheduled';

-- The reaper finds running tasks whose lease has expired (their worker died).
CREATE INDEX tasks_leases ON tasks (lease_expires_at) WHERE status = 'running';

-- The status page lists one user's tasks.
CREATE INDEX tasks_by_user ON tasks (user_id);
