-- Dropbox: the server's metadata database (MySQL in production, sharded by workspace,
-- which Dropbox calls a namespace).
-- Block contents live in the block store under their hash; this database holds only
-- which blocks, in which order, make up each version of each file.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    email       TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE devices (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    name          TEXT NOT NULL,                          -- 'Work laptop', 'Phone'
    last_cursor   TEXT,                                   -- where its last "changes since" read ended
    last_seen_at  TIMESTAMP
);

-- A workspace is a synced root: a user's own folder, or a shared folder.
CREATE TABLE workspaces (
    id             INTEGER PRIMARY KEY,
    owner_id       INTEGER NOT NULL REFERENCES users (id),
    name           TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE files (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id),
    path            TEXT NOT NULL,
    head_revision   INTEGER NOT NULL DEFAULT 0,           -- optimistic lock: a commit names its base revision
    is_deleted      INTEGER NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1)),
    last_access_at  TIMESTAMP,                            -- long ago: a candidate for cold storage
    UNIQUE (workspace_id, path)
);

CREATE TABLE file_versions (
    id            INTEGER PRIMARY KEY,
    file_id       INTEGER NOT NULL REFERENCES files (id),
    revision      INTEGER NOT NULL,
    device_id     INTEGER NOT NULL REFERENCES devices (id),  -- the device that committed it
    size_bytes    INTEGER NOT NULL CHECK (size_bytes >= 0),
    content_hash  TEXT NOT NULL,                          -- SHA-256 of the whole file
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (file_id, revision)
);

-- One row per distinct block content, whoever uploaded it: the deduplication.
CREATE TABLE blocks (
    hash        TEXT PRIMARY KEY,                         -- SHA-256 of the block: also its key in the block store
    size_bytes  INTEGER NOT NULL CHECK (size_bytes BETWEEN 1 AND 4194304),
    ref_count   INTEGER NOT NULL DEFAULT 0                -- versions using it; 0: may be garbage-collected
);

-- A version's block list, in order. One block can appear in many versions and many files.
CREATE TABLE version_blocks (
    version_id  INTEGER NOT NULL REFERENCES file_versions (id),
    position    INTEGER NOT NULL CHECK (position >= 0),
    block_hash  TEXT NOT NULL REFERENCES blocks (hash),
    PRIMARY KEY (version_id, position)
);

-- Access control list: who may do what with a file besides its owner.
CREATE TABLE acl (
    id          INTEGER PRIMARY KEY,
    file_id     INTEGER NOT NULL REFERENCES files (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    permission  TEXT NOT NULL CHECK (permission IN ('view', 'edit', 'owner')),
    granted_at  TIMESTAMP NOT NULL,
    UNIQUE (file_id, user_id)
);

CREATE INDEX devices_by_user ON devices (user_id);
CREATE INDEX version_blocks_by_block ON version_blocks (block_hash);
CREATE INDEX acl_by_user ON acl (user_id);
