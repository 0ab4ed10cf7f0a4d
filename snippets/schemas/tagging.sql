-- Tagging service: which items carry which tags. This is the SQL side only: an item's
-- body and metadata (comments, upvotes, published date) are a document in MongoDB under
-- the same ID, and its images, videos and text files are in object storage.

CREATE TABLE tags (
    id          BIGINT PRIMARY KEY,          -- from the ID generator (e.g. Snowflake), like items.id
    name        TEXT NOT NULL UNIQUE,        -- normalised: lowercase, no leading '#'
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE items (
    id          BIGINT PRIMARY KEY,          -- time-sortable 64-bit ID (e.g. Snowflake), also the MongoDB document ID
    owner_id    BIGINT NOT NULL,             -- the user who created the item
    created_at  TIMESTAMP NOT NULL
);

-- One row per (item, tag) pair: the join table that makes items many-to-many tags.
CREATE TABLE item_tags (
    tag_id     BIGINT NOT NULL REFERENCES tags (id),
    item_id    BIGINT NOT NULL REFERENCES items (id),
    tagged_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (tag_id, item_id)            -- "items with tag X, newest first" reads this key backwards
);

CREATE INDEX item_tags_by_item ON item_tags (item_id, tag_id);  -- "tags of item Y"
CREATE INDEX item_tags_by_time ON item_tags (tagged_at, tag_id); -- "top tags of the last day"

-- A create's Idempotency-Key and the item ID its first attempt claimed (write path, step 5).
-- The web server claims the key before it queues the create, so every retry, even one sent
-- while the first is still running, queues the same item ID. A nightly job deletes rows older
-- than a day, the time a client may retry.
CREATE TABLE create_requests (
    author_id        BIGINT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    item_id          BIGINT NOT NULL UNIQUE,
    created_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (author_id, idempotency_key)  -- keys are unique per author, not across authors
);
