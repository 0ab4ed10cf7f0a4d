-- Dropbox: uploading a block, committing a new version with optimistic locking, the change
-- journal, and collecting blocks no version names.
-- Runs on snippets/schemas/dropbox.sql. No semicolon inside comments: tests split on them.
-- Times are literals so the tests are repeatable. In production each is CURRENT_TIMESTAMP of
-- the store the statement runs in, so one clock (the block index's) decides every block time.

-- --8<-- [start:seed]
INSERT INTO users (id, email, name, created_at) VALUES (1, 'ana@example.com', 'Ana', '2026-01-01 09:00:00'), (2, 'bo@example.com', 'Bo', '2026-01-01 09:00:00');
INSERT INTO devices (id, user_id, name) VALUES (1, 1, 'Laptop'), (2, 1, 'Phone');
INSERT INTO workspaces (id, owner_id, name, journal_seq, created_at) VALUES (1, 1, 'Ana', 2, '2026-01-01 09:00:00');
INSERT INTO memberships (user_id, workspace_id, permission, joined_at) VALUES (1, 1, 'owner', '2026-01-01 09:00:00');
INSERT INTO files (id, workspace_id, path, head_revision) VALUES (1, 1, '/notes.txt', 1), (2, 1, '/todo.txt', 1);
INSERT INTO file_versions (id, file_id, revision, device_id, size_bytes, content_hash, created_at)
VALUES (1, 1, 1, 1, 8192, 'h-file-1', '2026-01-01 09:00:00'), (3, 2, 1, 1, 4096, 'h-todo-1', '2026-01-01 09:05:00');
INSERT INTO version_blocks (version_id, position, block_hash) VALUES (1, 0, 'h-a'), (1, 1, 'h-b'), (3, 0, 'h-t');
INSERT INTO journal (workspace_id, seq, file_id, kind, path, old_path, revision, request_key)
VALUES (1, 1, 1, 'edit', '/notes.txt', NULL, 1, 'k-laptop-1'), (1, 2, 2, 'edit', '/todo.txt', NULL, 1, 'k-laptop-2');
INSERT INTO blocks (hash, size_bytes, stored_at, last_claimed_at)
VALUES ('h-a', 4096, '2026-01-01 09:00:00', '2026-01-01 09:00:00'), ('h-b', 4096, '2026-01-01 09:00:00', '2026-01-01 09:00:00'),
       ('h-t', 4096, '2026-01-01 09:05:00', '2026-01-01 09:05:00');
INSERT INTO block_owners (block_hash, user_id, uploaded_at)
VALUES ('h-a', 1, '2026-01-01 09:00:00'), ('h-b', 1, '2026-01-01 09:00:00'), ('h-t', 1, '2026-01-01 09:05:00');
-- --8<-- [end:seed]

-- --8<-- [start:upload]
-- Block index, on the shard of the hash. Before storing the bytes: record the block, or renew
-- its claim time if it is known. No row affected: the collector is deleting it, so answer 503
-- and let the device retry. The renewed claim time keeps the collector off it from here on.
INSERT INTO blocks (hash, size_bytes, stored_at, last_claimed_at)
VALUES ('h-c', 4096, '2026-01-02 09:59:00', '2026-01-02 09:59:00')
ON CONFLICT (hash) DO UPDATE SET last_claimed_at = excluded.last_claimed_at WHERE blocks.state = 'live';
-- Then the block service stores the bytes in the block store under 'h-c', and only after that
-- records that this user holds the block: from here on a commit of this user may name it.
INSERT INTO block_owners (block_hash, user_id, uploaded_at) VALUES ('h-c', 1, '2026-01-02 09:59:00')
ON CONFLICT (block_hash, user_id) DO NOTHING;
-- --8<-- [end:upload]

-- --8<-- [start:claim]
-- Block index, before the commit and outside its transaction: every hash of the new block list
-- must be live, and either held by the committing user or already named by a version the user
-- can read (the metadata service found 'h-a' there, as in upload step 8). Affected rows must
-- equal the number of distinct hashes (here 2), otherwise answer 409: upload, then commit again.
UPDATE blocks SET last_claimed_at = '2026-01-02 10:00:00'
WHERE hash IN ('h-a', 'h-c') AND state = 'live'
  AND (hash IN ('h-a')
       OR EXISTS (SELECT 1 FROM block_owners o WHERE o.block_hash = blocks.hash AND o.user_id = 1));
-- --8<-- [end:claim]

-- --8<-- [start:commit]
-- One transaction on the shard of workspace 1: every row it writes belongs to that workspace.
BEGIN;
-- The optimistic lock: move the file from its base revision 1 to 2, only if it is still at 1.
-- One row updated: go on. No row: another device committed first, so ROLLBACK (a conflict).
UPDATE files SET head_revision = 2 WHERE id = 1 AND head_revision = 1;
-- The journal position. Incrementing it locks the workspace row until COMMIT, so the next
-- commit of this workspace waits and takes the next position: seq order is commit order.
UPDATE workspaces SET journal_seq = journal_seq + 1 WHERE id = 1;
INSERT INTO file_versions (id, file_id, revision, device_id, size_bytes, content_hash, created_at)
VALUES (2, 1, 2, 1, 8192, 'h-file-2', '2026-01-02 10:00:00');
-- The laptop changed the second block: 'h-c' is new (uploaded just before), 'h-a' is reused.
INSERT INTO version_blocks (version_id, position, block_hash) VALUES (2, 0, 'h-a'), (2, 1, 'h-c');
-- The idempotency key is unique per workspace. Before the transaction the service looks the key
-- up in the journal and, if a first attempt committed, answers with that entry's result. Two
-- attempts racing each other cannot both get past this insert.
INSERT INTO journal (workspace_id, seq, file_id, kind, path, old_path, revision, request_key)
SELECT id, journal_seq, 1, 'edit', '/notes.txt', NULL, 2, 'k-laptop-3' FROM workspaces WHERE id = 1;
COMMIT;
-- --8<-- [end:commit]

-- --8<-- [start:rename]
BEGIN;
UPDATE files SET path = '/notes-2026.txt', head_revision = 3 WHERE id = 1 AND head_revision = 2;
UPDATE workspaces SET journal_seq = journal_seq + 1 WHERE id = 1;
INSERT INTO journal (workspace_id, seq, file_id, kind, path, old_path, revision, request_key)
SELECT id, journal_seq, 1, 'rename', '/notes-2026.txt', '/notes.txt', 3, 'k-laptop-4' FROM workspaces WHERE id = 1;
COMMIT;
-- --8<-- [end:rename]

-- --8<-- [start:delete]
BEGIN;
-- A delete is a change like any other: it names its base revision and leaves a journal entry.
-- The versions stay, so the file can be restored, until they expire. The tombstone frees the
-- path: a file created there again, or renamed onto it, gets a row of its own.
UPDATE files SET tombstone = id, head_revision = 4 WHERE id = 1 AND head_revision = 3 AND tombstone = 0;
UPDATE workspaces SET journal_seq = journal_seq + 1 WHERE id = 1;
INSERT INTO journal (workspace_id, seq, file_id, kind, path, old_path, revision, request_key)
SELECT id, journal_seq, 1, 'delete', '/notes-2026.txt', NULL, 4, 'k-phone-1' FROM workspaces WHERE id = 1;
COMMIT;
-- --8<-- [end:delete]

-- --8<-- [start:recreate]
-- The phone creates a new /notes-2026.txt (If-None-Match: *) after the delete: a new file
-- at the deleted path. A second live file at one path breaks the unique key: answer 412.
BEGIN;
INSERT INTO files (id, workspace_id, path, head_revision) VALUES (3, 1, '/notes-2026.txt', 1);
UPDATE workspaces SET journal_seq = journal_seq + 1 WHERE id = 1;
INSERT INTO file_versions (id, file_id, revision, device_id, size_bytes, content_hash, created_at)
VALUES (4, 3, 1, 2, 4096, 'h-new-1', '2026-01-02 11:00:00');
INSERT INTO version_blocks (version_id, position, block_hash) VALUES (4, 0, 'h-a');
INSERT INTO journal (workspace_id, seq, file_id, kind, path, old_path, revision, request_key)
SELECT id, journal_seq, 3, 'edit', '/notes-2026.txt', NULL, 1, 'k-phone-2' FROM workspaces WHERE id = 1;
COMMIT;
-- --8<-- [end:recreate]

-- --8<-- [start:retry]
-- A commit whose optimistic lock found no row looks its Idempotency-Key up once more before
-- answering 412: a retry that raced its own first attempt finds that attempt's entry here.
SELECT revision, seq FROM journal WHERE workspace_id = 1 AND request_key = 'k-laptop-3';
-- --8<-- [end:retry]

-- --8<-- [start:changes]
-- GET /v1/changes for a device whose cursor for workspace 1 is 2. A cursor below
-- workspaces.journal_floor is answered 410. The block list of each edit is read by
-- (file_id, revision), which never changes, so it can come from the cache.
SELECT seq, kind, path, old_path, revision FROM journal
WHERE workspace_id = 1 AND seq > 2 ORDER BY seq LIMIT 500;
-- --8<-- [end:changes]

-- --8<-- [start:collect]
-- Mark: every hash that some version names, read from every metadata shard. The job takes
-- its start time from the block index's clock, and its cutoff is that minus a day of grace.
CREATE TEMPORARY TABLE gc_marked (hash TEXT PRIMARY KEY);
INSERT INTO gc_marked (hash) SELECT DISTINCT block_hash FROM version_blocks WHERE block_hash IS NOT NULL ON CONFLICT (hash) DO NOTHING;
-- Sweep, on each block index shard: unmarked, and neither uploaded nor claimed since the cutoff.
-- The row lock and the re-checked WHERE serialize this with a concurrent upload or claim.
UPDATE blocks SET state = 'deleting'
WHERE state = 'live' AND last_claimed_at < '2026-01-02 10:00:00'
  AND hash NOT IN (SELECT hash FROM gc_marked);
-- Then the job deletes each 'deleting' block's object from the block store, and only then the
-- rows. A crash in between leaves 'deleting' rows, which the next run finishes.
DELETE FROM block_owners WHERE block_hash IN (SELECT hash FROM blocks WHERE state = 'deleting');
DELETE FROM blocks WHERE state = 'deleting';
-- --8<-- [end:collect]
