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
