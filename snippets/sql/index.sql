-- The index of the job that deletes expired pastes, and how it changes the query plan. The
-- Pastebin schema creates it (pastes_by_expiry); the "before" sections drop it first.
-- EXPLAIN is not standard SQL: SQLite and PostgreSQL each get their own sections.

-- --8<-- [start:expired]
SELECT id FROM pastes WHERE expires_at < '2024-03-15 00:00:00';
-- --8<-- [end:expired]

-- --8<-- [start:plan_sqlite]
DROP INDEX pastes_by_expiry;

EXPLAIN QUERY PLAN
SELECT id FROM pastes WHERE expires_at < '2024-03-15 00:00:00';
-- --8<-- [end:plan_sqlite]

-- --8<-- [start:plan_sqlite_indexed]
EXPLAIN QUERY PLAN
SELECT id FROM pastes WHERE expires_at < '2024-03-15 00:00:00';
-- --8<-- [end:plan_sqlite_indexed]

-- --8<-- [start:plan_postgres]
DROP INDEX pastes_by_expiry;

EXPLAIN (COSTS OFF)
SELECT id FROM pastes WHERE expires_at < '2024-03-15 00:00:00';
-- --8<-- [end:plan_postgres]

-- --8<-- [start:plan_postgres_indexed]
EXPLAIN (COSTS OFF)
SELECT id FROM pastes WHERE expires_at < '2024-03-15 00:00:00';
-- --8<-- [end:plan_postgres_indexed]

-- --8<-- [start:plan_postgres_no_seqscan]
SET enable_seqscan = off;

EXPLAIN (COSTS OFF)
SELECT id FROM pastes WHERE expires_at < '2024-03-15 00:00:00';
-- --8<-- [end:plan_postgres_no_seqscan]
