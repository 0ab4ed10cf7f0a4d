-- Dropbox: committing a new version of a file with optimistic locking.
-- Runs on snippets/schemas/dropbox.sql. No semicolon inside comments: tests split on them.

-- --8<-- [start:seed]
INSERT INTO users (id, email, name, created_at) VALUES (1, 'ana@example.com', 'Ana', '2026-01-01 09:00:00');
INSERT INTO devices (id, user_id, name) VALUES (1, 1, 'Laptop'), (2, 1, 'Phone');
INSERT INTO workspaces (id, owner_id, name, created_at) VALUES (1, 1, 'Ana', '2026-01-01 09:00:00');
INSERT INTO files (id, workspace_id, path, head_revision) VALUES (1, 1, '/notes.txt', 1);
INSERT INTO blocks (hash, size_bytes, ref_count) VALUES ('h-a', 4096, 1), ('h-b', 4096, 1);
INSERT INTO file_versions (id, file_id, revision, device_id, size_bytes, content_hash, created_at)
VALUES (1, 1, 1, 1, 8192, 'h-file-1', '2026-01-01 09:00:00');
INSERT INTO version_blocks (version_id, position, block_hash) VALUES (1, 0, 'h-a'), (1, 1, 'h-b');
-- --8<-- [end:seed]

-- --8<-- [start:commit]
BEGIN;
-- The optimistic lock: move the file from its base revision 1 to 2, only if it is still at 1.
-- One row updated: go on. No row: another device committed first, so ROLLBACK (a conflict).
UPDATE files SET head_revision = 2 WHERE id = 1 AND head_revision = 1;
INSERT INTO file_versions (id, file_id, revision, device_id, size_bytes, content_hash, created_at)
VALUES (2, 1, 2, 1, 8192, 'h-file-2', '2026-01-02 10:00:00');
-- The laptop changed the second block: 'h-c' is new (its bytes were uploaded in step 10),
-- 'h-a' is unchanged and reused. A hash the database already knows is left alone.
INSERT INTO blocks (hash, size_bytes, ref_count) VALUES ('h-c', 4096, 0) ON CONFLICT (hash) DO NOTHING;
INSERT INTO version_blocks (version_id, position, block_hash) VALUES (2, 0, 'h-a'), (2, 1, 'h-c');
UPDATE blocks SET ref_count = ref_count + 1 WHERE hash IN ('h-a', 'h-c');
COMMIT;
-- --8<-- [end:commit]
