-- YouTube: the metadata in MySQL (sharded by Vitess in production).
-- Video files live in object storage and thumbnails in HBase; rows keep only their keys.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE videos (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id),     -- the uploader
    title           TEXT NOT NULL,
    description     TEXT,
    status          TEXT NOT NULL DEFAULT 'uploading'
                    CHECK (status IN ('uploading', 'processing', 'ready', 'failed')),
    raw_object_key  TEXT NOT NULL,                              -- the original, in the raw video store
    upload_id       TEXT,                                       -- the store's multipart upload, until completed
    upload_key      TEXT NOT NULL,                              -- the registration's Idempotency-Key
    duration_s      REAL,                                       -- known once transcoded
    view_count      INTEGER NOT NULL DEFAULT 0,                 -- approximate: increments are batched
    like_count      INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (user_id, upload_key)                                -- a retried registration finds its video
);

-- One row per encoded version of a video: the transcoder's output, the player's menu.
CREATE TABLE renditions (
    id            INTEGER PRIMARY KEY,
    video_id      INTEGER NOT NULL REFERENCES videos (id),
    height        INTEGER NOT NULL,                             -- 240, 360, 480, 720, 1080, 2160
    codec         TEXT NOT NULL,                                -- 'h264', 'vp9', 'av1'
    bitrate_kbps  INTEGER NOT NULL CHECK (bitrate_kbps > 0),
    playlist_key  TEXT NOT NULL,                                -- HLS/DASH playlist in the transcoded store
    UNIQUE (video_id, height, codec)
);

CREATE TABLE comments (
    id          INTEGER PRIMARY KEY,
    video_id    INTEGER NOT NULL REFERENCES videos (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),         -- the author
    body        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

-- Events waiting to be published to Kafka, written in the same transaction as the change
-- they announce. Sharded by video ID like the video's row, so that transaction is on one shard.
-- The outbox relay publishes unsent rows and sets sent_at once Kafka has acknowledged them.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    video_id    INTEGER NOT NULL REFERENCES videos (id),
    topic       TEXT NOT NULL CHECK (topic IN ('uploaded')),
    created_at  TIMESTAMP NOT NULL,                             -- the database's clock
    sent_at     TIMESTAMP,                                      -- NULL until Kafka acknowledged it
    UNIQUE (video_id, topic)                                    -- one event per video and topic
);

CREATE INDEX videos_by_uploader ON videos (user_id, created_at);
CREATE INDEX comments_by_video ON comments (video_id, created_at);
CREATE INDEX outbox_by_sent ON outbox (sent_at, id);
