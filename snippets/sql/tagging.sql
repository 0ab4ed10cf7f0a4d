-- Tagging service queries, run by tests/test_system_tagging.py on SQLite against
-- snippets/schemas/tagging.sql. Parameters are named (:tag, :item_id, ...).

-- --8<-- [start:claim_item_id]
-- Claim an item ID for a create's Idempotency-Key (write path, step 5). The first attempt
-- inserts its new ID. A retry, or a second attempt racing the first, inserts nothing (it
-- waits for the first to commit, then sees the key taken) and reads back the first one's ID.
INSERT INTO create_requests (author_id, idempotency_key, item_id, created_at)
VALUES (:author_id, :key, :new_item_id, :now)
ON CONFLICT (author_id, idempotency_key) DO NOTHING;

SELECT item_id
FROM create_requests
WHERE author_id = :author_id AND idempotency_key = :key;
-- --8<-- [end:claim_item_id]

-- --8<-- [start:create_item]
-- Store a created item's row (write path, step 9, in the same transaction as its tags).
-- The ID was claimed in step 5 and travels in the message, so a redelivered create finds
-- its row already there and inserts nothing, instead of failing on the primary key and
-- being dead-lettered.
INSERT INTO items (id, owner_id, created_at)
VALUES (:item_id, :owner_id, :now)
ON CONFLICT (id) DO NOTHING;
-- --8<-- [end:create_item]

-- --8<-- [start:tag_item]
-- Tag an item (write path, step 9). Running it twice changes nothing, so a message
-- the queue delivers twice is harmless. :new_tag_id comes from the same ID generator
-- as item IDs and is used only if the tag is new.
INSERT INTO tags (id, name, created_at)
VALUES (:new_tag_id, :tag, :now)
ON CONFLICT (name) DO NOTHING;

INSERT INTO item_tags (tag_id, item_id, tagged_at)
SELECT id, :item_id, :now
FROM tags
WHERE name = :tag
ON CONFLICT (tag_id, item_id) DO NOTHING;
-- --8<-- [end:tag_item]

-- --8<-- [start:items_with_tag]
-- One page of the items with a tag, newest first (read path, steps 9 and 12).
-- Item IDs are time-sortable, so "newest first" is the primary key of item_tags
-- read backwards. :before is the last ID of the previous page (keyset pagination);
-- the first page passes the largest possible ID.
SELECT it.item_id
FROM tags AS t
JOIN item_tags AS it ON it.tag_id = t.id
WHERE t.name = :tag
  AND it.item_id < :before
ORDER BY it.item_id DESC
LIMIT :page_size;
-- --8<-- [end:items_with_tag]

-- --8<-- [start:top_tags]
-- The most used tags since a point in time (write path, steps 14 and 15): the popular
-- set (the last day, top :k), and the weights of the autosuggestion trie (90 days, every tag). Ties go to the alphabetically first name.
SELECT t.name, count(*) AS taggings
FROM item_tags AS it
JOIN tags AS t ON t.id = it.tag_id
WHERE it.tagged_at >= :since
GROUP BY t.id, t.name
ORDER BY taggings DESC, t.name
LIMIT :k;
-- --8<-- [end:top_tags]
