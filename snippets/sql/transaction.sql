-- Transactions: several statements that take effect together or not at all.

-- --8<-- [start:delete_account]
BEGIN;
DELETE FROM pastes WHERE user_id = 3;
DELETE FROM users WHERE id = 3;
COMMIT;

SELECT id, name FROM users ORDER BY id;
-- --8<-- [end:delete_account]

-- --8<-- [start:rollback]
BEGIN;
DELETE FROM pastes WHERE expires_at IS NOT NULL;
ROLLBACK;

SELECT COUNT(*) AS pastes FROM pastes;
-- --8<-- [end:rollback]

-- --8<-- [start:orphan]
DELETE FROM users WHERE id = 3;

SELECT id, user_id FROM pastes WHERE user_id = 3;
-- --8<-- [end:orphan]
