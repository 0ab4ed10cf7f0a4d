-- INSERT, both forms. Each section reads the new row back, so the page can show it.

-- --8<-- [start:insert_named]
INSERT INTO pastes (id, user_id, object_key, created_at)
VALUES ('h4Hn2J', 4, 'h4Hn2J', '2024-03-12 08:00:00');

SELECT id, user_id, expires_at FROM pastes WHERE id = 'h4Hn2J';
-- --8<-- [end:insert_named]

-- --8<-- [start:insert_all]
INSERT INTO users
VALUES (5, 'Edsger', 'edsger@example.com', '2024-03-15 10:30:00');

SELECT * FROM users WHERE id = 5;
-- --8<-- [end:insert_all]
