-- YouTube: recording the multipart upload, completing it with an outbox, and the relay.
-- Runs on snippets/schemas/youtube.sql. No semicolon inside comments: tests split on them.
-- Times are literals so the tests are repeatable. In production each is CURRENT_TIMESTAMP of
-- the video's shard.

-- --8<-- [start:seed]
INSERT INTO users (id, name, email, created_at) VALUES (1, 'Ana', 'ana@example.com', '2026-01-01 09:00:00');
INSERT INTO videos (id, user_id, title, raw_object_key, upload_key, created_at)
VALUES (10, 1, 'Cats', 'raw/10', 'tap-1', '2026-01-02 09:00:00');
-- --8<-- [end:seed]

-- --8<-- [start:start_upload]
-- Upload step 7: record the store's multipart upload ID only if none is recorded yet. No row
-- updated: a racing retry recorded its own first, so abort this one and use the recorded ID.
UPDATE videos SET upload_id = 'mpu-1' WHERE id = 10 AND upload_id IS NULL;
-- --8<-- [end:start_upload]

-- --8<-- [start:complete]
-- Upload step 12, after the store joined the parts: one transaction on the video's shard.
BEGIN;
-- Only from 'uploading'. No row updated: a retried complete, so ROLLBACK and answer with the
-- current status (the event is already in the outbox).
UPDATE videos SET status = 'processing' WHERE id = 10 AND status = 'uploading';
INSERT INTO outbox (id, video_id, topic, created_at) VALUES (1, 10, 'uploaded', '2026-01-02 09:30:00');
COMMIT;
-- --8<-- [end:complete]

-- --8<-- [start:relay]
-- Upload step 13: the relay reads unsent events in order, publishes each to Kafka, and marks
-- one sent only after Kafka acknowledged it. A crash before the mark publishes it again.
SELECT id, video_id, topic FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT 100;
UPDATE outbox SET sent_at = '2026-01-02 09:30:01' WHERE id = 1 AND sent_at IS NULL;
-- --8<-- [end:relay]
