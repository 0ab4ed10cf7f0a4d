-- Facebook Newsfeed: the SQL writes that must be safe to repeat. Runs on the schema in
-- snippets/schemas/newsfeed.sql, on PostgreSQL.

-- --8<-- [start:post_key]
-- Write step 5: the web server records the ID it just minted under the author's
-- Idempotency-Key. A retry hits the primary key and inserts nothing (no row returned).
INSERT INTO post_requests (user_id, idempotency_key, item_id, request_hash, created_at)
VALUES (:user_id, :idempotency_key, :item_id, :request_hash, now())
ON CONFLICT DO NOTHING
RETURNING item_id;
-- --8<-- [end:post_key]

-- --8<-- [start:post_key_again]
-- No row came back: a new statement reads the first attempt's ID (and its hash: a
-- different request under the same key is a 409). The item is queued again under it.
SELECT item_id, request_hash
FROM post_requests
WHERE user_id = :user_id AND idempotency_key = :idempotency_key;
-- --8<-- [end:post_key_again]

-- --8<-- [start:expire_keys]
-- Every hour a scheduled job (pg_cron, say) deletes the keys older than a day, through
-- their index on created_at; a retry that comes later than that is taken for a new post.
DELETE FROM post_requests WHERE created_at < now() - interval '1 day';
-- --8<-- [end:expire_keys]

-- --8<-- [start:store_item]
-- Write step 10: the fanout service records the item under its ID; a redelivery, or the
-- same item queued again by a retried post, changes nothing. Its time is the one inside
-- the ID (milliseconds since 2024-01-01 UTC, above the low 22 bits), as for the Cassandra
-- month: one clock, the web server's at step 5. A deleted_at that is not NULL means the
-- author deleted it since: the fanout service stops there.
INSERT INTO feed_items (id, user_id, body, media_urls, created_at)
VALUES (:item_id, :user_id, :body, :media_urls,
        to_timestamp(((:item_id >> 22) + 1704067200000) / 1000.0) AT TIME ZONE 'UTC')
ON CONFLICT (id) DO NOTHING;

SELECT deleted_at FROM feed_items WHERE id = :item_id;
-- --8<-- [end:store_item]

-- --8<-- [start:follow]
-- Follow step 2: one statement, so one transaction. The count goes up only if the
-- row is new, so a repeated PUT neither follows twice nor counts twice.
WITH added AS (
    INSERT INTO follows (follower_id, followee_id, created_at)
    VALUES (:follower_id, :followee_id, now())
    ON CONFLICT DO NOTHING
    RETURNING followee_id
)
UPDATE users
SET follower_count = follower_count + 1
WHERE id IN (SELECT followee_id FROM added);
-- --8<-- [end:follow]

-- --8<-- [start:unfollow]
-- The mirror image: the count goes down only if a row was deleted.
WITH removed AS (
    DELETE FROM follows
    WHERE follower_id = :follower_id AND followee_id = :followee_id
    RETURNING followee_id
)
UPDATE users
SET follower_count = follower_count - 1
WHERE id IN (SELECT followee_id FROM removed);
-- --8<-- [end:unfollow]

-- --8<-- [start:delete_item]
-- The first of a delete's writes: the author's item is marked deleted in SQL, before
-- Cassandra and the caches; readers skip it from this commit on.
UPDATE feed_items
SET deleted_at = now()
WHERE id = :item_id AND user_id = :user_id AND deleted_at IS NULL
RETURNING id;
-- --8<-- [end:delete_item]
