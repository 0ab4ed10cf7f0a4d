-- Google Maps: where things are (locations), what is there (places) and what it
-- looks like (media). The media bytes live in object storage; rows keep their URLs.
--
-- The spatial index: production uses PostgreSQL with PostGIS (a GiST index, an
-- R-tree, on a geography column) or a geohash key. This DDL stays runnable on SQLite,
-- so it stores the geohash as text with an ordinary B-tree index: cells that share a
-- prefix are neighbours, so "everything in this cell" is a prefix range scan.

CREATE TABLE locations (
    id          INTEGER PRIMARY KEY,
    latitude    REAL NOT NULL,               -- degrees, -90 to 90
    longitude   REAL NOT NULL,               -- degrees, -180 to 180
    geohash     TEXT NOT NULL,               -- e.g. 'u4pruyd' (7 characters: a cell of about 150 m)
    address     TEXT,
    created_at  TIMESTAMP NOT NULL
);

CREATE INDEX locations_by_geohash ON locations (geohash);

CREATE TABLE places (
    id           INTEGER PRIMARY KEY,
    location_id  INTEGER NOT NULL REFERENCES locations (id),  -- one location can host many places (a mall, a tower)
    name         TEXT NOT NULL,
    category     TEXT NOT NULL,               -- 'restaurant', 'fuel', 'museum' ...
    description  TEXT,
    rating       REAL,                        -- average review score, 1 to 5
    opening_hours TEXT,
    updated_at   TIMESTAMP NOT NULL
);

CREATE INDEX places_by_location ON places (location_id);

CREATE TABLE media (
    id          INTEGER PRIMARY KEY,
    place_id    INTEGER NOT NULL REFERENCES places (id),
    media_type  TEXT NOT NULL,                -- 'photo', 'video', 'street_view'
    url         TEXT NOT NULL,                -- where the object store keeps the file
    created_at  TIMESTAMP NOT NULL
);

CREATE INDEX media_by_place ON media (place_id);
