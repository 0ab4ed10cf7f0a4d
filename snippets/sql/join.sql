-- Joins of users (left) and pastes (right) on the owner. Each query selects one column
-- from each table, so a NULL shows which side had no match.

-- --8<-- [start:inner_join]
SELECT u.name, p.id AS paste
FROM users AS u
INNER JOIN pastes AS p ON p.user_id = u.id
ORDER BY u.id, p.id;
-- --8<-- [end:inner_join]

-- --8<-- [start:left_join]
SELECT u.name, p.id AS paste
FROM users AS u
LEFT JOIN pastes AS p ON p.user_id = u.id
ORDER BY u.id, p.id;
-- --8<-- [end:left_join]

-- --8<-- [start:right_join]
SELECT u.name, p.id AS paste
FROM users AS u
RIGHT JOIN pastes AS p ON p.user_id = u.id
ORDER BY p.id;
-- --8<-- [end:right_join]

-- --8<-- [start:full_join]
SELECT u.name, p.id AS paste
FROM users AS u
FULL JOIN pastes AS p ON p.user_id = u.id
ORDER BY u.id NULLS LAST, p.id;
-- --8<-- [end:full_join]

-- --8<-- [start:users_without_pastes]
SELECT u.name
FROM users AS u
LEFT JOIN pastes AS p ON p.user_id = u.id
WHERE p.id IS NULL;
-- --8<-- [end:users_without_pastes]

-- --8<-- [start:left_join_filter_in_where]
SELECT u.name, p.id AS paste
FROM users AS u
LEFT JOIN pastes AS p ON p.user_id = u.id
WHERE p.created_at >= '2024-03-01'
ORDER BY u.id;
-- --8<-- [end:left_join_filter_in_where]

-- --8<-- [start:left_join_filter_in_on]
SELECT u.name, p.id AS paste
FROM users AS u
LEFT JOIN pastes AS p ON p.user_id = u.id AND p.created_at >= '2024-03-01'
ORDER BY u.id;
-- --8<-- [end:left_join_filter_in_on]
