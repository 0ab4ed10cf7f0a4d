-- Locking and concurrency: two clients deposit into one account at the same time.
-- Runs on PostgreSQL; tests/test_locking.py interleaves the sections on two
-- connections and the page's tables are what those runs printed.

-- --8<-- [start:schema]
CREATE TABLE accounts (
    id      integer PRIMARY KEY,
    balance integer NOT NULL,
    version integer NOT NULL DEFAULT 0   -- for optimistic locking
);
INSERT INTO accounts (id, balance) VALUES (1, 100);
-- --8<-- [end:schema]

-- --8<-- [start:read]
SELECT balance FROM accounts WHERE id = 1;
-- --8<-- [end:read]

-- --8<-- [start:write]
UPDATE accounts SET balance = :balance WHERE id = 1;
-- --8<-- [end:write]

-- --8<-- [start:read_version]
SELECT balance, version FROM accounts WHERE id = 1;
-- --8<-- [end:read_version]

-- --8<-- [start:write_version]
UPDATE accounts SET balance = :balance, version = version + 1 WHERE id = 1 AND version = :version;
-- --8<-- [end:write_version]

-- --8<-- [start:read_for_update]
SELECT balance FROM accounts WHERE id = 1 FOR UPDATE;
-- --8<-- [end:read_for_update]

-- --8<-- [start:begin_repeatable_read]
BEGIN ISOLATION LEVEL REPEATABLE READ;
-- --8<-- [end:begin_repeatable_read]

-- --8<-- [start:add]
UPDATE accounts SET balance = balance + :amount WHERE id = 1;
-- --8<-- [end:add]

-- --8<-- [start:lock_timeout]
SET lock_timeout = '200ms';  -- wait at most 200 ms for a lock
-- --8<-- [end:lock_timeout]
