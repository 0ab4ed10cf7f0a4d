-- Chat service: the queries behind the workflow, on the schema in snippets/schemas/chat.sql.
-- Each runs as written on SQLite and PostgreSQL (tests/test_system_chat.py). The example
-- is conversation 'u:1:2' between users 1 and 2.

-- --8<-- [start:store_message]
-- Step 16: store a message with the conversation's next sequence number. A resend of the
-- same client_msg_id is dropped; two senders taking the same seq at once collide on the
-- primary key, and the loser retries with the next number.
INSERT INTO messages (conversation_id, seq, id, client_msg_id, sender_id, body, created_at)
SELECT 'u:1:2', COALESCE(MAX(seq), 0) + 1, 7000000000000000042, 'phone-1-0042', 1,
       'ciphertext', '2026-11-30 10:00:42'
FROM messages
WHERE conversation_id = 'u:1:2'
ON CONFLICT (sender_id, client_msg_id) DO NOTHING;
-- --8<-- [end:store_message]

-- --8<-- [start:missed]
-- Step 33: on reconnect, the messages after the last one the app holds, one page at a time.
-- client_msg_id lets the app recognise its own unacknowledged messages among them.
SELECT seq, sender_id, client_msg_id, body
FROM messages
WHERE conversation_id = 'u:1:2' AND seq > 2
ORDER BY seq
LIMIT 50;
-- --8<-- [end:missed]

-- --8<-- [start:advance_delivered]
-- Step 24: user 2's app has stored everything up to seq 3. The watermark only moves
-- forward (a late, older receipt matches no row), and a member's first receipt in a
-- conversation finds no row yet, so the insert creates it: the first tick is not lost.
INSERT INTO receipts (conversation_id, user_id, delivered_seq)
VALUES ('u:1:2', 2, 3)
ON CONFLICT (conversation_id, user_id) DO UPDATE
SET delivered_seq = excluded.delivered_seq
WHERE receipts.delivered_seq < excluded.delivered_seq;
-- --8<-- [end:advance_delivered]

-- --8<-- [start:advance_read]
-- Steps 22 to 28: a read receipt moves user 2's watermarks forward, never back; receipts
-- can arrive out of order, and an older one changes nothing. Read implies delivered.
-- As for delivered, a first receipt creates the row.
INSERT INTO receipts (conversation_id, user_id, delivered_seq, read_seq)
VALUES ('u:1:2', 2, 3, 3)
ON CONFLICT (conversation_id, user_id) DO UPDATE
SET read_seq = excluded.read_seq,
    delivered_seq = CASE WHEN receipts.delivered_seq < excluded.delivered_seq
                         THEN excluded.delivered_seq ELSE receipts.delivered_seq END
WHERE receipts.read_seq < excluded.read_seq;
-- --8<-- [end:advance_read]

-- --8<-- [start:watermarks]
-- Step 33, with the missed messages: the other members' watermarks, so a sender who was
-- offline when a delivered or read receipt came through sees the ticks on reconnecting.
SELECT user_id, delivered_seq, read_seq
FROM receipts
WHERE conversation_id = 'u:1:2' AND user_id <> 1
ORDER BY user_id;
-- --8<-- [end:watermarks]

-- --8<-- [start:unread]
-- The unread badge of each of user 2's conversations: messages from others after the read watermark.
SELECT r.conversation_id, COUNT(m.seq) AS unread
FROM receipts AS r
LEFT JOIN messages AS m
       ON m.conversation_id = r.conversation_id
      AND m.seq > r.read_seq
      AND m.sender_id <> r.user_id
WHERE r.user_id = 2
GROUP BY r.conversation_id
ORDER BY r.conversation_id;
-- --8<-- [end:unread]

-- --8<-- [start:friends_of]
-- User 1's friends: a friendship is stored once (smaller id first), so look in both columns.
SELECT friend_id AS friend FROM friends WHERE user_id = 1
UNION
SELECT user_id FROM friends WHERE friend_id = 1
ORDER BY friend;
-- --8<-- [end:friends_of]
