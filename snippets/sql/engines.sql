-- Queries whose answer depends on the engine (the other differences live next to the
-- query they affect: NULL ordering in select.sql, integer division in group.sql).

-- --8<-- [start:unquoted_case]
SELECT COUNT(*) AS PasteCount FROM Pastes;
-- --8<-- [end:unquoted_case]

-- --8<-- [start:quoted_case]
SELECT COUNT(*) AS "PasteCount" FROM "Pastes";
-- --8<-- [end:quoted_case]

-- --8<-- [start:group_by_key_only]
SELECT u.name, COUNT(*) AS paste_count
FROM users AS u
JOIN pastes AS p ON p.user_id = u.id
GROUP BY u.id
ORDER BY u.id;
-- --8<-- [end:group_by_key_only]
