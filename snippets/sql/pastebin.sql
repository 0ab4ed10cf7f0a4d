-- Pastebin: a paste from reservation to removal. Runs on the schema in
-- snippets/schemas/pastebin.sql, on PostgreSQL. now() is the database's clock: it stamps
-- the reservation and decides when it lapses and when a paste expires.

-- --8<-- [start:reserve]
-- Write step 4: reserve the ID the key generation service handed out. A retry with the
-- same Idempotency-Key hits the unique index and inserts nothing (no row returned). Only
-- that index: an ID handed out twice is a bug in the key service and fails loudly.
INSERT INTO paste_reservations (id, user_id, size_bytes, idempotency_key, expires_at,
                                created_at, reserved_until)
VALUES (:paste_id, :user_id, :size_bytes, :idempotency_key,
        now() + make_interval(secs => :expires_in),
        now(), now() + interval '1 hour')
ON CONFLICT ((COALESCE(user_id, 0)), idempotency_key) DO NOTHING
RETURNING id, created_at;
-- --8<-- [end:reserve]

-- --8<-- [start:reserve_again]
-- No row came back: the caller used this key before. A new statement sees the first
-- attempt's row once it has committed; its created_at re-signs the same upload URL.
SELECT id, created_at, size_bytes
FROM paste_reservations
WHERE COALESCE(user_id, 0) = COALESCE(:user_id, 0) AND idempotency_key = :idempotency_key;
-- --8<-- [end:reserve_again]

-- --8<-- [start:complete]
-- Write step 11, after the HEAD check and the Bloom filter add: one statement marks the
-- caller's open reservation completed and creates the paste from it. The paste lives as
-- long as the create asked, counted from now: a complete that comes late (it may, for an
-- hour) must not hand out a link that has already expired.
WITH completed AS (
    UPDATE paste_reservations
    SET completed_at = now()
    WHERE id = :paste_id
      AND user_id IS NOT DISTINCT FROM :user_id
      AND completed_at IS NULL
      AND reserved_until > now()
    RETURNING id, user_id, expires_at - created_at AS lifetime
)
INSERT INTO pastes (id, user_id, object_key, created_at, expires_at)
SELECT id, user_id, id, now(), now() + lifetime FROM completed
RETURNING id;
-- --8<-- [end:complete]

-- --8<-- [start:complete_again]
-- No row came back: either this is a retry of a complete that worked (same link, 200),
-- or the reservation lapsed, the paste was deleted since, or it is not this caller's (404).
SELECT id FROM pastes
WHERE id = :paste_id AND user_id IS NOT DISTINCT FROM :user_id;
-- --8<-- [end:complete_again]

-- --8<-- [start:read]
-- Read step 8: a reservation is not a paste, and an expired paste is a 404 before the
-- sweep has removed it.
SELECT object_key, expires_at
FROM pastes
WHERE id = :paste_id AND (expires_at IS NULL OR expires_at > now());
-- --8<-- [end:read]

-- --8<-- [start:delete]
-- Cleanup step 2: the owner's paste leaves the table and joins the sweep's list in one
-- statement; readers get 404 from its commit on.
WITH removed AS (
    DELETE FROM pastes
    WHERE id = :paste_id AND user_id = :user_id
    RETURNING id, object_key
)
INSERT INTO paste_removals (paste_id, object_key, queued_at)
SELECT id, object_key, now() FROM removed
RETURNING paste_id;
-- --8<-- [end:delete]

-- --8<-- [start:delete_again]
-- Nothing deleted: a live paste of someone else's is a 403; none at all (never made,
-- expired, or deleted already, by a retry whose 204 was lost) is a 404.
SELECT user_id FROM pastes
WHERE id = :paste_id AND (expires_at IS NULL OR expires_at > now());
-- --8<-- [end:delete_again]

-- --8<-- [start:sweep]
-- Cleanup step 6: expired pastes and lapsed reservations join the list, each in one
-- statement; completed reservations go after a day. Then a batch of the list, of the
-- entries queued ten minutes ago or more: an upload URL (five minutes) that could still
-- put an object back under a key the sweep deletes has expired by then.
WITH expired AS (
    DELETE FROM pastes WHERE expires_at <= now() RETURNING id, object_key
)
INSERT INTO paste_removals (paste_id, object_key, queued_at)
SELECT id, object_key, now() FROM expired
ON CONFLICT DO NOTHING;

WITH lapsed AS (
    DELETE FROM paste_reservations
    WHERE completed_at IS NULL AND reserved_until <= now()
    RETURNING id
)
INSERT INTO paste_removals (paste_id, object_key, queued_at)
SELECT id, id, now() FROM lapsed
ON CONFLICT DO NOTHING;

DELETE FROM paste_reservations WHERE completed_at < now() - interval '1 day';

SELECT paste_id, object_key
FROM paste_removals
WHERE queued_at <= now() - interval '10 minutes'
ORDER BY queued_at, paste_id
LIMIT 1000;
-- --8<-- [end:sweep]

-- --8<-- [start:remove]
-- Cleanup step 10, once the cache entry, the CDN copy and the object are gone.
DELETE FROM paste_removals WHERE paste_id = :paste_id;
-- --8<-- [end:remove]
