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

CREATE TABLE lists (
    id        INTEGER PRIMARY KEY,
    board_id  INTEGER NOT NULL REFERENCES boards (id),
    name      TEXT NOT NULL,
    position  REAL NOT NULL,                  -- between its neighbours: a move rewrites one row
    version   INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY,
    list_id      INTEGER NOT NULL REFERENCES lists (id),
    title        TEXT NOT NULL,
    description  TEXT,
    assignee_id  INTEGER REFERENCES users (id),
    position     REAL NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,  -- +1 on every accepted change
    updated_at   TIMESTAMP NOT NULL
);

-- One row per accepted change, numbered 1, 2, 3 ... within its board.
CREATE TABLE board_versions (
    board_id      INTEGER NOT NULL REFERENCES boards (id),
    version       INTEGER NOT NULL,
    task_id       INTEGER,                    -- the task changed (NULL for a list or the board);
                                              -- no foreign key: the log outlives a deleted task
    task_version  INTEGER,                    -- the task's version after the change
    change        TEXT NOT NULL,              -- JSON: the fields changed and their new values
    changed_by    INTEGER NOT NULL REFERENCES users (id),
    changed_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (board_id, version)
);

CREATE INDEX lists_by_board ON lists (board_id, position);
CREATE INDEX tasks_by_list ON tasks (list_id, position);
CREATE INDEX board_versions_by_task ON board_versions (task_id, task_version);
