-- Distributed job scheduler: workers claim due tasks from PostgreSQL without ever
-- getting the same task twice. Runs on the schema in snippets/schemas/job_scheduler.sql.

-- --8<-- [start:claim]
-- Claim up to $2 due tasks, earliest first, under a lease held by $1 (a run ID
-- that the worker running the task carries, and reports with).
PREPARE claim (text, integer) AS
UPDATE tasks
SET status = 'running',
    lease_owner = $1,
    lease_expires_at = now() + interval '5 minutes',
    attempts = attempts + 1
WHERE id IN (
    SELECT id
    FROM tasks
    WHERE status = 'scheduled' AND execute_at <= now()
    ORDER BY execute_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED   -- rows another worker is claiming right now are passed over
)
RETURNING id, name;
-- --8<-- [end:claim]

-- --8<-- [start:claim_blocking]
-- The same claim without SKIP LOCKED: a second worker waits for the first one's rows.
PREPARE claim_blocking (text, integer) AS
UPDATE tasks
SET status = 'running',
    lease_owner = $1,
    lease_expires_at = now() + interval '5 minutes',
    attempts = attempts + 1
WHERE id IN (
    SELECT id
    FROM tasks
    WHERE status = 'scheduled' AND execute_at <= now()
    ORDER BY execute_at, id
    LIMIT $2
    FOR UPDATE
)
RETURNING id, name;
-- --8<-- [end:claim_blocking]

-- --8<-- [start:finish]
-- A worker reports success; the lease_owner test makes the report of a run
-- whose lease expired (and whose task was taken over) change nothing.
PREPARE finish (integer, text) AS
UPDATE tasks
SET status = 'succeeded', lease_owner = NULL, lease_expires_at = NULL
WHERE id = $1 AND status = 'running' AND lease_owner = $2
RETURNING id;
-- --8<-- [end:finish]

-- --8<-- [start:reclaim]
-- Run periodically: a task whose worker died (lease expired) is due again.
UPDATE tasks
SET status = 'scheduled', lease_owner = NULL, lease_expires_at = NULL
WHERE status = 'running' AND lease_expires_at < now()
RETURNING id;
-- --8<-- [end:reclaim]
