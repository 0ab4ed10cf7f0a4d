-- Dropbox: three stores, each with its own shard key. No foreign key crosses from one
-- store to another, because rows that point at each other across stores sit on
-- different machines: an ID of another store is a plain column, checked by a step.
--
-- 1. Accounts (MySQL, sharded by user ID): users, their devices, and the workspaces each
--    user belongs to.
-- 2. Metadata (MySQL, sharded by workspace, which Dropbox calls a namespace): a
--    workspace's files, versions, block lists, file ACLs and change journal.
--    A commit touches only the rows of one workspace, so it is a transaction on one shard.
-- 3. Block index (MySQL, sharded by block hash): which blocks the block store holds and
--    which users have uploaded each. Block contents live in the block store under their hash.

-- === 1. Accounts, sharded by user ID ===================================================

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    email       TEXT NOT NULL,                            -- unique through a lookup table sharded by email, not here
    name        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE devices (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    name          TEXT NOT NULL,                          -- 'Work laptop', 'Phone'
    last_seen_at  TIMESTAMP
);

-- The workspaces a user syncs: their own root and every shared folder they joined. Kept with
-- the user, because the questions asked most are per user ("may this user commit here?",
-- "which journals must this device follow?"): one shard answers. The reverse question,
-- "who are the members of this folder?", asks every accounts shard; it is rare (the sharing
-- dialog), and a copy by workspace could be kept by an outbox if it were not.
CREATE TABLE memberships (
    user_id       INTEGER NOT NULL REFERENCES users (id),
    workspace_id  INTEGER NOT NULL,                       -- a workspace, on the metadata shards
    permission    TEXT NOT NULL CHECK (permission IN ('view', 'edit', 'owner')),
    joined_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, workspace_id)
);

-- === 2. Metadata, sharded by workspace =================================================

-- A workspace is a synced root: a user's own folder, or a shared folder. journal_seq is
-- the position of its last journal entry: a commit increments it, which locks this row,
-- so the commits of one workspace take their positions one after another.
CREATE TABLE workspaces (
    id             INTEGER PRIMARY KEY,
    owner_id       INTEGER NOT NULL,                      -- a user, on the accounts shards
    name           TEXT NOT NULL,
    journal_seq    INTEGER NOT NULL DEFAULT 0,
    journal_floor  INTEGER NOT NULL DEFAULT 0,            -- entries up to here are pruned: an older cursor gets 410
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE files (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id),
    path            TEXT NOT NULL,
    head_revision   INTEGER NOT NULL DEFAULT 0,           -- optimistic lock: a commit names its base revision
    tombstone       INTEGER NOT NULL DEFAULT 0,           -- 0 while live, the file's own id once deleted
    last_access_at  TIMESTAMP,                            -- long ago: a candidate for cold storage
    -- One live file per path. A deleted file's row stays (its versions are restorable) but frees
    -- its path: its tombstone differs from every other row's. MySQL has no partial unique index.
    UNIQUE (workspace_id, path, tombstone),
    CHECK (tombstone IN (0, id))
);

CREATE TABLE file_versions (
    id            INTEGER PRIMARY KEY,
    file_id       INTEGER NOT NULL REFERENCES files (id),
    revision      INTEGER NOT NULL,
    device_id     INTEGER NOT NULL,                       -- the device that committed it, on its user's accounts shard
    size_bytes    INTEGER NOT NULL CHECK (size_bytes >= 0),
    content_hash  TEXT NOT NULL,                          -- SHA-256 of the whole file
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (file_id, revision)
);

-- A version's block list, in order. One block can appear in many versions and many files.
-- block_hash is not a foreign key: the block index is another store. The commit checks
-- every hash there first, and the garbage collector reads these rows before deleting a block.
CREATE TABLE version_blocks (
    version_id  INTEGER NOT NULL REFERENCES file_versions (id),
    position    INTEGER NOT NULL CHECK (position >= 0),
    block_hash  TEXT NOT NULL,
    PRIMARY KEY (version_id, position)
);

-- The workspace's change journal: every edit, delete and rename, in the order of seq,
-- written in the same transaction as the change. GET /v1/changes reads it after a cursor.
CREATE TABLE journal (
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id),
    seq           INTEGER NOT NULL,                       -- workspaces.journal_seq after the increment
    file_id       INTEGER NOT NULL REFERENCES files (id),
    kind          TEXT NOT NULL CHECK (kind IN ('edit', 'delete', 'rename')),
    path          TEXT NOT NULL,                          -- the path after the change
    old_path      TEXT,                                   -- for a rename, the path before it
    revision      INTEGER NOT NULL,                       -- the file's head revision after the change
    request_key   TEXT NOT NULL,                          -- the request's Idempotency-Key: a retry finds its entry
    PRIMARY KEY (workspace_id, seq),
    UNIQUE (workspace_id, request_key)
);

-- Access control list for a single file shared on its own (a folder is shared as a workspace).
CREATE TABLE acl (
    id          INTEGER PRIMARY KEY,
    file_id     INTEGER NOT NULL REFERENCES files (id),
    user_id     INTEGER NOT NULL,                         -- a user, on the accounts shards
    permission  TEXT NOT NULL CHECK (permission IN ('view', 'edit', 'owner')),
    granted_at  TIMESTAMP NOT NULL,
    UNIQUE (file_id, user_id)
);

-- === 3. Block index, sharded by block hash ==============================================

-- One row per distinct block content in the block store, whoever uploaded it: the deduplication.
-- No reference count: the collector marks what version_blocks names, on every metadata shard.
CREATE TABLE blocks (
    hash             TEXT PRIMARY KEY,                    -- SHA-256 of the block: also its key in the block store
    size_bytes       INTEGER NOT NULL CHECK (size_bytes BETWEEN 1 AND 4194304),
    stored_at        TIMESTAMP NOT NULL,                  -- the block index's own clock
    last_claimed_at  TIMESTAMP NOT NULL,                  -- last upload or commit naming it; the collector's grace runs from here
    state            TEXT NOT NULL DEFAULT 'live' CHECK (state IN ('live', 'deleting'))  -- 'deleting': being collected
);

-- Which users have uploaded a block: the commit accepts a hash only if its user is here
-- (or can read a version that names it), so knowing a hash is not enough to claim a block.
CREATE TABLE block_owners (
    block_hash   TEXT NOT NULL REFERENCES blocks (hash),
    user_id      INTEGER NOT NULL,                        -- a user, on the accounts shards
    uploaded_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (block_hash, user_id)
);

CREATE INDEX devices_by_user ON devices (user_id);
CREATE INDEX version_blocks_by_block ON version_blocks (block_hash);
CREATE INDEX acl_by_user ON acl (user_id);
