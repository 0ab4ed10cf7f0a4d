-- Proximity service: who adds attractions (users), where they are (locations), what
-- they are (attractions), what people say about them (reviews) and their photos (media).
-- In production users, locations, attractions and media rows live in PostgreSQL, reviews
-- in the review service's own database, each attraction's details (description, hours,
-- menus) in a document store and the photo bytes in object storage. This is the logical
-- schema, and it runs on SQLite and PostgreSQL alike (the tests run it on both).

CREATE TABLE users (
    id          BIGINT PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL
);

-- One row per point on the map. The geohash is computed from latitude and longitude
-- when the row is written, always at 12 characters (a few centimetres), so that every
-- coarser cell is a prefix of it and "everything in cell c" is one range of the index.
CREATE TABLE locations (
    id          BIGINT PRIMARY KEY,
    latitude    DOUBLE PRECISION NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude   DOUBLE PRECISION NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    geohash     VARCHAR(12) NOT NULL CHECK (length(geohash) = 12),
    address     TEXT
);

CREATE INDEX locations_by_geohash ON locations (geohash);

CREATE TABLE attractions (
    id           BIGINT PRIMARY KEY,
    location_id  BIGINT NOT NULL UNIQUE REFERENCES locations (id),  -- one point, one attraction
    creator_id   BIGINT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    category     TEXT NOT NULL,               -- 'restaurant', 'market', 'museum' ...
    updated_at   TIMESTAMP NOT NULL,          -- the details document has the same ID
    -- Raised by one with every edit: what If-Match is checked against. Not updated_at,
    -- which comes from an app server's clock and says nothing about who edited first.
    version      INTEGER NOT NULL DEFAULT 1,
    -- The Idempotency-Key of the request that added it: a retried add fails on this
    -- pair and is answered with the attraction that holds the key.
    request_key  TEXT,
    UNIQUE (creator_id, request_key)
);

CREATE INDEX attractions_by_creator ON attractions (creator_id);

CREATE TABLE reviews (
    id             BIGINT PRIMARY KEY,
    attraction_id  BIGINT NOT NULL REFERENCES attractions (id),
    user_id        BIGINT NOT NULL REFERENCES users (id),
    stars          SMALLINT NOT NULL CHECK (stars BETWEEN 1 AND 5),
    body           TEXT,
    created_at     TIMESTAMP NOT NULL
);

CREATE INDEX reviews_by_attraction ON reviews (attraction_id, created_at);

-- A media row is written with the attraction, before its photo is processed: it names
-- the raw upload only, and gets the processed file's URL (and becomes 'ready', the only
-- state readers show) when the media worker has written that file.
CREATE TABLE media (
    id             BIGINT PRIMARY KEY,
    attraction_id  BIGINT NOT NULL REFERENCES attractions (id),
    user_id        BIGINT NOT NULL REFERENCES users (id),  -- who uploaded it
    media_type     TEXT NOT NULL,             -- 'photo', 'video'
    raw_key        TEXT NOT NULL,             -- the upload as received: private, never served
    status         TEXT NOT NULL DEFAULT 'processing'
                   CHECK (status IN ('processing', 'ready', 'failed')),
    url            TEXT,                      -- the processed file, set when it exists
    created_at     TIMESTAMP NOT NULL,
    CHECK ((status = 'ready') = (url IS NOT NULL))
);

CREATE INDEX media_by_attraction ON media (attraction_id);

-- The transactional outbox: each 'attraction changed' event is a row written in the same
-- transaction as the change, so a committed change always has its event and a rolled-back
-- one never does. A relay publishes the unpublished rows to Kafka and stamps them once
-- Kafka has acknowledged; a crash in between publishes a row twice, which the consumers
-- absorb, since they write by ID. No foreign key: a removal's event outlives the attraction.
CREATE TABLE outbox (
    id             BIGINT PRIMARY KEY,      -- the event's ID, minted by the app server
    attraction_id  BIGINT NOT NULL,         -- also the Kafka key: one attraction's events stay in order
    change         TEXT NOT NULL CHECK (change IN ('added', 'edited', 'removed')),
    created_at     TIMESTAMP NOT NULL,
    published_at   TIMESTAMP                -- NULL until Kafka has acknowledged the event
);

CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
