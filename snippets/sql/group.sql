-- GROUP BY, the aggregates, HAVING, and what NULL does to them.

-- --8<-- [start:group_by]
SELECT u.name, COUNT(*) AS paste_count
FROM pastes AS p
JOIN users AS u ON u.id = p.user_id
WHERE p.created_at >= '2024-02-01'
GROUP BY u.id, u.name
ORDER BY paste_count DESC, u.name;
-- --8<-- [end:group_by]

-- --8<-- [start:per_owner]
SELECT user_id,
       COUNT(*)        AS paste_count,
       MIN(created_at) AS first_paste,
       MAX(created_at) AS latest_paste
FROM pastes
GROUP BY user_id
ORDER BY user_id NULLS LAST;
-- --8<-- [end:per_owner]

-- --8<-- [start:per_user_summary]
SELECT COUNT(*)         AS users,
       SUM(paste_count) AS pastes,
       MIN(paste_count) AS fewest,
       MAX(paste_count) AS most,
       AVG(paste_count) AS average
FROM (
    SELECT u.id, COUNT(p.id) AS paste_count
    FROM users AS u
    LEFT JOIN pastes AS p ON p.user_id = u.id
    GROUP BY u.id
) AS per_user;
-- --8<-- [end:per_user_summary]

-- --8<-- [start:count_star_or_column]
SELECT u.name, COUNT(*) AS rows_counted, COUNT(p.id) AS pastes
FROM users AS u
LEFT JOIN pastes AS p ON p.user_id = u.id
GROUP BY u.id, u.name
ORDER BY u.id;
-- --8<-- [end:count_star_or_column]

-- --8<-- [start:count_skips_null]
SELECT COUNT(*)                AS pastes,
       COUNT(user_id)          AS owned,
       COUNT(DISTINCT user_id) AS owners,
       COUNT(expires_at)       AS expiring
FROM pastes;
-- --8<-- [end:count_skips_null]

-- --8<-- [start:owned_share]
SELECT COUNT(user_id) / COUNT(*)                 AS owned_share,
       ROUND(100.0 * COUNT(user_id) / COUNT(*), 1) AS owned_percent
FROM pastes;
-- --8<-- [end:owned_share]

-- --8<-- [start:having]
SELECT u.name, COUNT(*) AS paste_count
FROM users AS u
JOIN pastes AS p ON p.user_id = u.id
GROUP BY u.id, u.name
HAVING COUNT(*) >= 2
ORDER BY paste_count DESC;
-- --8<-- [end:having]

-- --8<-- [start:where_and_having]
SELECT u.name, COUNT(*) AS paste_count
FROM users AS u
JOIN pastes AS p ON p.user_id = u.id
WHERE p.created_at >= '2024-02-01'
GROUP BY u.id, u.name
HAVING COUNT(*) >= 2;
-- --8<-- [end:where_and_having]

-- --8<-- [start:aggregate_in_where]
SELECT user_id, COUNT(*) AS paste_count
FROM pastes
WHERE COUNT(*) >= 2
GROUP BY user_id;
-- --8<-- [end:aggregate_in_where]
