-- SELECT: all columns, some columns, WHERE, and ORDER BY.

-- --8<-- [start:select_all]
SELECT * FROM users;
-- --8<-- [end:select_all]

-- --8<-- [start:select_columns]
SELECT name, email FROM users;
-- --8<-- [end:select_columns]

-- --8<-- [start:where]
SELECT id, created_at
FROM pastes
WHERE user_id = 1 AND created_at >= '2024-02-01';
-- --8<-- [end:where]

-- --8<-- [start:where_equals_null]
SELECT id FROM pastes WHERE expires_at = NULL;
-- --8<-- [end:where_equals_null]

-- --8<-- [start:where_is_null]
SELECT id FROM pastes WHERE expires_at IS NULL;
-- --8<-- [end:where_is_null]

-- --8<-- [start:where_not_equal]
SELECT id, user_id FROM pastes WHERE user_id <> 1;
-- --8<-- [end:where_not_equal]

-- --8<-- [start:where_not_equal_or_null]
SELECT id, user_id FROM pastes WHERE user_id <> 1 OR user_id IS NULL;
-- --8<-- [end:where_not_equal_or_null]

-- --8<-- [start:order_asc]
SELECT id, expires_at
FROM pastes
ORDER BY expires_at ASC, id;
-- --8<-- [end:order_asc]

-- --8<-- [start:order_desc]
SELECT id, expires_at
FROM pastes
ORDER BY expires_at DESC, id;
-- --8<-- [end:order_desc]

-- --8<-- [start:order_nulls_last]
SELECT id, expires_at
FROM pastes
ORDER BY expires_at ASC NULLS LAST, id;
-- --8<-- [end:order_nulls_last]
