-- Kanban board: accepting an edit only if it was based on the task's current version,
-- logging it as the board's next version, and catching a client up after it was away.
-- Runs against snippets/schemas/kanban.sql; parameters are named (:task_id, ...).

-- --8<-- [start:seed]
INSERT INTO users (id, name, email) VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', 'grace@example.com');
INSERT INTO boards (id, name, version, created_at) VALUES (10, 'Launch', 40, '2026-11-01 09:00');
INSERT INTO lists (id, board_id, name, position) VALUES (1, 10, 'To do', 1), (2, 10, 'Doing', 2), (3, 10, 'Done', 3);
INSERT INTO board_members (board_id, user_id) VALUES (10, 1), (10, 2);
INSERT INTO tasks (id, list_id, created_by, title, position, version, updated_at)
VALUES (7, 1, 1, 'Write the release notes', 1, 3, '2026-11-02 10:00');
-- --8<-- [end:seed]

-- A task created (perhaps offline) under the ID its app chose. A retried create inserts
-- nothing; the server then reads the row back: the same creator and list mean a retry
-- (answer as before), anything else a collision of random IDs (409, the app picks another).
-- --8<-- [start:create]
INSERT INTO tasks (id, list_id, created_by, title, position, version, updated_at)
VALUES (:task_id, :list_id, :user_id, :title, :position, 1, :now)
ON CONFLICT (id) DO NOTHING;
-- --8<-- [end:create]

-- Before applying an edit: was it applied already? The app resends an edit whose reply it
-- never got (the socket dropped); found here, it is answered as the first time, not merged
-- against itself, and cannot overwrite a newer change by someone else.
-- --8<-- [start:already_applied]
SELECT version, task_version
FROM   board_versions
WHERE  board_id = :board_id AND edit_id = :edit_id;
-- --8<-- [end:already_applied]

-- A move: accepted only if nobody changed the task since version :base_version, and only
-- within the board the connection is a member of (:board_id, checked in board_members):
-- the task's list and the target list must both be on it. A task ID from another board
-- changes nothing, so it can neither be edited by a non-member nor be logged in the wrong
-- board's history, where that board's own clients would never hear of it.
-- --8<-- [start:move]
UPDATE tasks
SET    list_id    = :list_id,
       position   = :position,
       version    = version + 1,
       updated_at = :now
WHERE  id = :task_id
  AND  version = :base_version   -- stale edit: 0 rows updated
  AND  list_id IN (SELECT id FROM lists WHERE board_id = :board_id)
  AND  :list_id IN (SELECT id FROM lists WHERE board_id = :board_id);
-- --8<-- [end:move]

-- A rename: the same checks, on another field.
-- --8<-- [start:rename]
UPDATE tasks
SET    title      = :title,
       version    = version + 1,
       updated_at = :now
WHERE  id = :task_id
  AND  version = :base_version
  AND  list_id IN (SELECT id FROM lists WHERE board_id = :board_id);
-- --8<-- [end:rename]

-- In the same transaction as an update that changed one row: the board's next version.
-- If the same edit was logged already (a resend raced the first copy), the unique key
-- refuses this insert and the whole transaction, task update included, rolls back.
-- --8<-- [start:log_change]
UPDATE boards SET version = version + 1 WHERE id = :board_id;

INSERT INTO board_versions (board_id, version, task_id, task_version, change, changed_by, changed_at, edit_id)
SELECT :board_id, boards.version, tasks.id, tasks.version, :change, :user_id, :now, :edit_id
FROM   boards, tasks
WHERE  boards.id = :board_id AND tasks.id = :task_id;
-- --8<-- [end:log_change]

-- A stale edit was refused: which fields did others change since the client's version?
-- --8<-- [start:changed_since]
SELECT DISTINCT field.key AS field
FROM   board_versions AS change_log, json_each(change_log.change) AS field
WHERE  change_log.task_id = :task_id
  AND  change_log.task_version > :base_version
ORDER  BY field;
-- --8<-- [end:changed_since]

-- A client reconnects with the last board version it saw. Where to start reading the replay
-- queue, and where to stop: the time the committing server recorded for that version (the
-- device's clock is never asked), and the board's current version.
-- --8<-- [start:where_to_start]
SELECT boards.version AS current_version, seen.changed_at AS seen_at
FROM   boards
LEFT JOIN board_versions AS seen ON seen.board_id = boards.id AND seen.version = :last_seen
WHERE  boards.id = :board_id;
-- --8<-- [end:where_to_start]

-- Every change after the last board version a client saw, in order: by the primary key
-- (board_id, version), so the server's numbering decides, never a timestamp. Also what
-- fills a version the replay queue did not yield.
-- --8<-- [start:catch_up]
SELECT version, task_id, change
FROM   board_versions
WHERE  board_id = :board_id
  AND  version > :last_seen
ORDER  BY version;
-- --8<-- [end:catch_up]
