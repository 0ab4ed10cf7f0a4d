-- Facebook Newsfeed: users, what they post, and who follows whom.
-- This is the SQL side only (users, the follow graph, and each feed item under its ID).
-- Timelines live in Cassandra and Redis, and images and videos in object storage; a feed item keeps
-- just the URLs of its media.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL UNIQUE,
    follower_count  INTEGER NOT NULL DEFAULT 0,  -- above a threshold: a celebrity
    last_active_at  TIMESTAMP,                   -- long ago (or NULL): an inactive user
    created_at      TIMESTAMP NOT NULL
);

CREATE TABLE feed_items (
    id          BIGINT PRIMARY KEY,               -- time-sortable 64-bit ID (a Snowflake ID, which no 32-bit
                                                  -- INTEGER holds); an item cache miss reads the item by it
    user_id     INTEGER NOT NULL REFERENCES users (id),  -- the author
    body        TEXT,
    media_urls  TEXT,                             -- JSON array of the media's public (CDN) URLs, never
                                                  -- presigned upload URLs; NULL if none
    created_at  TIMESTAMP NOT NULL,               -- the time inside the ID, never a server's clock
    deleted_at  TIMESTAMP                         -- set by a delete; readers skip the item from then on
);

-- Each post's Idempotency-Key, written by the web server before it queues the item: a
-- retried post finds the ID of its first attempt instead of minting a second one.
-- Rows are deleted after a day.
CREATE TABLE post_requests (
    user_id          INTEGER NOT NULL REFERENCES users (id),  -- the author
    idempotency_key  TEXT NOT NULL,
    item_id          BIGINT NOT NULL,    -- the ID minted for the first attempt; feed_items gets
                                         -- the row later, from the fanout service, so no foreign key
    request_hash     TEXT NOT NULL,      -- a retry must send the same text and media (else 409)
    created_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);

-- One row per "follower follows followee": a join table that makes users many-to-many users.
CREATE TABLE follows (
    follower_id  INTEGER NOT NULL REFERENCES users (id),
    followee_id  INTEGER NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (follower_id, followee_id),       -- "whom does X follow?" reads this key
    CHECK (follower_id <> followee_id)
);

CREATE INDEX feed_items_by_author ON feed_items (user_id, created_at);
CREATE INDEX follows_by_followee ON follows (followee_id, follower_id);  -- fan-out: "who follows X?"
CREATE INDEX post_requests_by_age ON post_requests (created_at);  -- the hourly delete of day-old keys
