-- Kanban board: boards hold lists, lists hold tasks, and every accepted change is
-- recorded in board_versions, numbered per board, so that a client that was away can
-- ask for "everything after version N". Tasks and lists carry their own version
-- number for optimistic concurrency (see snippets/sql/kanban.sql).

CREATE TABLE users (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL,
    email  TEXT NOT NULL UNIQUE
);

CREATE TABLE boards (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0,   -- number of the board's latest change
    created_at  TIMESTAMP NOT NULL
);

-- Who may open and change a board: every endpoint and every WebSocket subscription
-- checks for a row here (403 without one).
CREATE TABLE board_members (
    board_id  INTEGER NOT NULL REFERENCES boards (id),
    user_id   INTEGER NOT NULL REFERENCES users (id),
    role      TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member', 'observer')),
    PRIMARY KEY (board_id, user_id)
);

-- Lists and tasks get their IDs from the app that creates them, a random 64-bit number,
-- so one created offline has its final ID at once, edits queued after it can name it,
-- and a retried create is recognised by it (INSERT ... ON CONFLICT (id) DO NOTHING).
CREATE TABLE lists (
    id        BIGINT PRIMARY KEY,             -- chosen by the client
    board_id  INTEGER NOT NULL REFERENCES boards (id),
    name      TEXT NOT NULL,
    position  DOUBLE PRECISION NOT NULL,      -- between its neighbours: a move rewrites one row
    version   INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE tasks (
    id           BIGINT PRIMARY KEY,          -- chosen by the client
    list_id      BIGINT NOT NULL REFERENCES lists (id),
    created_by   INTEGER NOT NULL REFERENCES users (id),  -- tells a retried create from an ID collision
    title        TEXT NOT NULL,
    description  TEXT,
    assignee_id  INTEGER REFERENCES users (id),
    position     DOUBLE PRECISION NOT NULL,   -- a double: 52 halvings of one gap (REAL is 4 bytes in PostgreSQL)
    version      INTEGER NOT NULL DEFAULT 1,  -- +1 on every accepted change
    updated_at   TIMESTAMP NOT NULL
);

-- One row per accepted change, numbered 1, 2, 3 ... within its board.
CREATE TABLE board_versions (
    board_id      INTEGER NOT NULL REFERENCES boards (id),
    version       INTEGER NOT NULL,
    task_id       BIGINT,                     -- the task changed (NULL for a list or the board);
                                              -- no foreign key: the log outlives a deleted task
    task_version  INTEGER,                    -- the task's version after the change
    change        TEXT NOT NULL,              -- JSON: the fields changed and their new values
    changed_by    INTEGER NOT NULL REFERENCES users (id),
    changed_at    TIMESTAMP NOT NULL,
    edit_id       TEXT NOT NULL,              -- the ID the app gave the edit when it was made
    PRIMARY KEY (board_id, version),
    UNIQUE (board_id, edit_id)                -- an edit resent after a lost reply is not applied twice
);

CREATE INDEX lists_by_board ON lists (board_id, position);
CREATE INDEX tasks_by_list ON tasks (list_id, position);
CREATE INDEX board_versions_by_task ON board_versions (task_id, task_version);
