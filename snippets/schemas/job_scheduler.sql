-- Distributed job scheduler: who owns which task, when it is due, and who runs it now.
-- The task's executable lives in object storage (the row keeps its URL); execution
-- logs go to Cassandra. Runs as written on SQLite and on PostgreSQL.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE tasks (
    id                INTEGER PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users (id),   -- the owner
    name              TEXT NOT NULL,
    binary_url        TEXT NOT NULL,        -- the executable, in object storage
    recurrence        TEXT,                 -- a cron expression; NULL for a one-time task
    execute_at        TIMESTAMP NOT NULL,   -- the next due time
    status            TEXT NOT NULL DEFAULT 'scheduled'
                      CHECK (status IN ('scheduled', 'running', 'succeeded', 'failed')),
    lease_owner       TEXT,                 -- the run that claimed it (an ID the worker carries); NULL when not running
    lease_expires_at  TIMESTAMP,            -- after this, another worker may take the task over
    attempts          INTEGER NOT NULL DEFAULT 0,
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
