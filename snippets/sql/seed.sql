-- Sample data for the SQL page, on the Pastebin schema (snippets/schemas/pastebin.sql).
-- Small on purpose: every result on the page can be checked by eye.
-- Margaret has no paste and g1Xc6V has no owner, so LEFT, RIGHT and FULL joins differ;
-- two pastes never expire (expires_at is NULL), so NULL ordering shows.

INSERT INTO users (id, name, email, created_at) VALUES
    (1, 'Ada',      'ada@example.com',      '2024-01-02 09:00:00'),
    (2, 'Grace',    'grace@example.com',    '2024-01-10 14:30:00'),
    (3, 'Linus',    'linus@example.com',    '2024-02-01 08:15:00'),
    (4, 'Margaret', 'margaret@example.com', '2024-02-20 17:45:00');

INSERT INTO pastes (id, user_id, object_key, created_at, expires_at) VALUES
    ('aZ3x9Q', 1,    'aZ3x9Q', '2024-01-03 10:00:00', '2024-02-03 10:00:00'),
    ('b7KpL2', 1,    'b7KpL2', '2024-02-14 16:20:00', NULL),
    ('c9Tm4R', 1,    'c9Tm4R', '2024-03-05 11:45:00', '2024-09-05 11:45:00'),
    ('dQ2w8E', 2,    'dQ2w8E', '2024-01-11 09:30:00', NULL),
    ('e5Rt7Y', 2,    'e5Rt7Y', '2024-02-22 13:10:00', '2024-03-22 13:10:00'),
    ('f2Wv6N', 3,    'f2Wv6N', '2024-02-02 12:00:00', '2024-03-02 12:00:00'),
    ('g1Xc6V', NULL, 'g1Xc6V', '2024-03-10 18:05:00', '2024-03-11 18:05:00');
