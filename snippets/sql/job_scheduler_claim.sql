-- Distributed job scheduler: storing a task once however often its submission arrives,
-- and claiming due tasks without two workers ever getting the same run.
-- Runs on the schema in snippets/schemas/job_scheduler.sql.

-- --8<-- [start:submit]
-- POST /v1/tasks: $1 is an ID the web server has just minted. A retried POST (same
-- user, same Idempotency-Key) inserts nothing, and the SELECT, a new statement with a
-- fresh snapshot, returns the first request's ID, even if that request committed
-- while this one waited on the unique key.
PREPARE submit (bigint, integer, text, text, text, timestamp) AS
INSERT INTO submissions (id, user_id, idempotency_key, name, recurrence, first_due_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (user_id, idempotency_key) DO NOTHING;

PREPARE submitted (integer, text) AS
SELECT id FROM submissions WHERE user_id = $1 AND idempotency_key = $2;
-- --8<-- [end:submit]

-- --8<-- [start:store]
-- The task scheduler stores a task from the new-task topic. The ID came with the
-- message, so a redelivery (or a second confirmation of the same upload) inserts no
-- second row; it returns no row either, and the scheduler carries on as if it had.
PREPARE store (bigint, integer, text, text, text, timestamp) AS
INSERT INTO tasks (id, user_id, name, binary_url, recurrence, scheduled_for, execute_at)
VALUES ($1, $2, $3, $4, $5, $6, $6)
ON CONFLICT (id) DO NOTHING
RETURNING id;
-- --8<-- [end:store]

-- --8<-- [start:claim]
-- Claim up to $2 due tasks, earliest first, under a lease held by $1 (a run ID
-- that the worker running the task carries, and reports with). The worker gets the
-- occurrence it runs (scheduled_for, the key of its effects) and its fencing token.
PREPARE claim (text, integer) AS
UPDATE tasks
SET status = 'running',
    lease_owner = $1,
    lease_expires_at = now() + interval '5 minutes',
    claims = claims + 1,
    attempts = attempts + 1
WHERE id IN (
    SELECT id
    FROM tasks
    WHERE status = 'scheduled' AND execute_at <= now()
    ORDER BY execute_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED   -- rows another worker is claiming right now are passed over
)
RETURNING id, name, scheduled_for, claims;
-- --8<-- [end:claim]

-- --8<-- [start:claim_cached]
-- The IDs in $2 are those this executor took from the sorted set (its ZREM returned 1).
-- The database's clock decides: each comes back 'claimed', or 'not_due' with how long
-- it still has to wait (the executor puts it back in the sorted set), or not at all:
-- a stale entry (already claimed, cancelled, or gone), which is dropped.
PREPARE claim_cached (text, bigint[]) AS
WITH claimed AS (
    UPDATE tasks
    SET status = 'running',
        lease_owner = $1,
        lease_expires_at = now() + interval '5 minutes',
        claims = claims + 1,
        attempts = attempts + 1
    WHERE id = ANY ($2) AND status = 'scheduled' AND execute_at <= now()
    RETURNING id, name, scheduled_for, claims
)
SELECT 'claimed' AS outcome, id, name, scheduled_for, claims, NULL::interval AS wait
FROM claimed
UNION ALL
SELECT 'not_due', id, name, scheduled_for, claims, execute_at - now()
FROM tasks
WHERE id = ANY ($2) AND status = 'scheduled' AND execute_at > now();
-- --8<-- [end:claim_cached]

-- --8<-- [start:claim_blocking]
-- The same claim without SKIP LOCKED: a second worker waits for the first one's rows.
PREPARE claim_blocking (text, integer) AS
UPDATE tasks
SET status = 'running',
    lease_owner = $1,
    lease_expires_at = now() + interval '5 minutes',
    claims = claims + 1,
    attempts = attempts + 1
WHERE id IN (
    SELECT id
    FROM tasks
    WHERE status = 'scheduled' AND execute_at <= now()
    ORDER BY execute_at, id
    LIMIT $2
    FOR UPDATE
)
RETURNING id, name, scheduled_for, claims;
-- --8<-- [end:claim_blocking]

-- --8<-- [start:finish]
-- A worker reports success; the lease_owner test makes the report of a run
-- whose lease expired (and whose task was taken over) change nothing. $3 is the
-- next occurrence of a recurring task (NULL for a one-time task): the task moves on
-- to it, with a fresh count of attempts.
PREPARE finish (bigint, text, timestamp) AS
UPDATE tasks
SET status = CASE WHEN $3 IS NULL THEN 'succeeded' ELSE 'scheduled' END,
    scheduled_for = coalesce($3, scheduled_for),
    execute_at = coalesce($3, execute_at),
    attempts = CASE WHEN $3 IS NULL THEN attempts ELSE 0 END,
    lease_owner = NULL, lease_expires_at = NULL
WHERE id = $1 AND status = 'running' AND lease_owner = $2
RETURNING id, status;
-- --8<-- [end:finish]

-- --8<-- [start:renew]
-- While the task runs, its worker renews the lease every minute (execution step 8),
-- fenced like finish: only the run that holds the lease moves its expiry, by the
-- database's clock. A run longer than one lease is therefore not taken over while its
-- worker is alive; no row back means the lease was lost, and the worker should stop.
PREPARE renew (bigint, text) AS
UPDATE tasks
SET lease_expires_at = now() + interval '5 minutes'
WHERE id = $1 AND status = 'running' AND lease_owner = $2
RETURNING lease_expires_at;
-- --8<-- [end:renew]

-- --8<-- [start:retry]
-- Failure detection, for a failed run read from the dead-letter topic ($2 is that
-- run's ID, which the message carries): fenced like finish, so a late report, or the
-- same message delivered twice, changes nothing. Only the next attempt moves, by the
-- backoff $3; the occurrence (scheduled_for) stays. After $4 attempts it gives up.
PREPARE retry (bigint, text, interval, integer) AS
UPDATE tasks
SET status = CASE WHEN attempts < $4 THEN 'scheduled' ELSE 'failed' END,
    execute_at = now() + $3,
    lease_owner = NULL, lease_expires_at = NULL
WHERE id = $1 AND status = 'running' AND lease_owner = $2
RETURNING id, status, scheduled_for, execute_at;
-- --8<-- [end:retry]

-- --8<-- [start:reclaim]
-- Run periodically: a task whose worker died (lease expired) is due again, for the
-- same occurrence (scheduled_for and execute_at are left as they are). A takeover is an
-- attempt too: a task that kills every worker that runs it stops at the cap (here 5,
-- the same cap that retry is given), instead of going round for ever.
UPDATE tasks
SET status = CASE WHEN attempts < 5 THEN 'scheduled' ELSE 'failed' END,
    lease_owner = NULL, lease_expires_at = NULL
WHERE status = 'running' AND lease_expires_at < now()
RETURNING id, status;
-- --8<-- [end:reclaim]

-- --8<-- [start:cancel]
-- DELETE /v1/tasks/{id}: only a task still waiting is cancelled, in one conditional
-- update, so a claim at the same moment and the cancel cannot both win. 0 rows: the
-- server reads the row to tell why: not the caller's (404), already cancelled (a
-- repeated cancel: 204 again), running, succeeded or failed (409). The row stays, as a
-- tombstone.
PREPARE cancel (bigint, integer) AS
UPDATE tasks
SET status = 'cancelled'
WHERE id = $1 AND user_id = $2 AND status = 'scheduled'
RETURNING id;
-- --8<-- [end:cancel]
