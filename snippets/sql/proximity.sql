-- Proximity service: add an attraction, and find the attractions within r metres of a
-- point. Runs on the schema in snippets/schemas/proximity.sql; tests/test_system_proximity.py
-- runs every section on SQLite and on a PostgreSQL server and checks the answers against
-- a brute-force scan. Parameters are written :name.

-- --8<-- [start:add]
-- The server computes the geohash (12 characters) from the coordinates; the rows go
-- in one transaction so that no attraction is ever without its location, nor without
-- the event that gets it processed and indexed (the outbox row). A retried add (the
-- same creator and request_key) fails on the unique key and rolls back whole.
BEGIN;
INSERT INTO locations (id, latitude, longitude, geohash, address)
VALUES (:location_id, :latitude, :longitude, :geohash, :address);
INSERT INTO attractions (id, location_id, creator_id, name, category, updated_at, request_key)
VALUES (:attraction_id, :location_id, :creator_id, :name, :category, :updated_at, :request_key);
INSERT INTO outbox (id, attraction_id, change, created_at)
VALUES (:event_id, :attraction_id, 'added', :updated_at);
COMMIT;
-- --8<-- [end:add]

-- --8<-- [start:edit]
-- PATCH with If-Match: the edit applies only to the version it was based on. Of two edits
-- based on one version, the first commits and raises it; the second waits for the row
-- lock, finds another version and changes no row: roll back, answer 412. A new position
-- gets a new geohash in the same transaction, and the event goes to the outbox with it.
BEGIN;
UPDATE attractions
SET name = :name, category = :category, updated_at = :now, version = version + 1
WHERE id = :attraction_id AND version = :expected_version
RETURNING version;
UPDATE locations
SET latitude = :latitude, longitude = :longitude, geohash = :geohash
WHERE id = (SELECT location_id FROM attractions WHERE id = :attraction_id)
RETURNING id;
INSERT INTO outbox (id, attraction_id, change, created_at)
VALUES (:event_id, :attraction_id, 'edited', :now)
RETURNING id;
-- --8<-- [end:edit]

-- --8<-- [start:remove]
-- DELETE by its owner: the rows go in one transaction with a 'removed' event, which tells
-- the index service to drop the search document and the media workers to delete the
-- files. Children first (the foreign keys); the location last, once nothing points at it.
-- Reviews live in the review service's database and are removed there, on the event.
-- No row from the attractions delete (gone already, or not this creator's): roll back.
BEGIN;
DELETE FROM media WHERE attraction_id = :attraction_id;
DELETE FROM attractions WHERE id = :attraction_id AND creator_id = :creator_id
RETURNING id;
DELETE FROM locations WHERE id = :location_id;
INSERT INTO outbox (id, attraction_id, change, created_at)
VALUES (:event_id, :attraction_id, 'removed', :now);
COMMIT;
-- --8<-- [end:remove]

-- --8<-- [start:relay]
-- Write step 7, the outbox relay: the oldest events not yet published, in order. It sends
-- each to Kafka keyed by attraction_id and, once Kafka has acknowledged, stamps it
-- (relayed). A relay that dies between the two sends the event again after a restart.
SELECT id, attraction_id, change
FROM outbox
WHERE published_at IS NULL
ORDER BY id
LIMIT 100;
-- --8<-- [end:relay]

-- --8<-- [start:relayed]
UPDATE outbox
SET published_at = :now
WHERE id = :event_id AND published_at IS NULL;
-- --8<-- [end:relayed]

-- --8<-- [start:add_media]
-- In the same transaction as the add, before its COMMIT: one row per photo. It names the
-- raw upload and no public URL, so nothing can link to a file that does not exist yet.
INSERT INTO media (id, attraction_id, user_id, media_type, raw_key, created_at)
VALUES (:media_id, :attraction_id, :creator_id, 'photo', :raw_key, :created_at);
-- --8<-- [end:add_media]

-- --8<-- [start:media_ready]
-- The media worker, after it has written the processed file (its key is made from the
-- media ID): the row gets the file's URL and is shown from now on. A redelivered event
-- changes nothing, since the row is no longer 'processing'.
UPDATE media
SET status = 'ready', url = :url
WHERE id = :media_id AND status = 'processing';
-- --8<-- [end:media_ready]

-- --8<-- [start:photos]
-- The photos shown with an attraction: only those whose processed file exists.
SELECT url
FROM media
WHERE attraction_id = :attraction_id AND status = 'ready'
ORDER BY created_at, id;
-- --8<-- [end:photos]

-- --8<-- [start:nearby_postgres]
-- :cells is the list of geohash prefixes from search_cells(), e.g. {gcpvh,gcpvj,...}.
-- Every stored geohash has 12 characters, so the rows of cell c are the index range
-- c .. c padded with 'z' (the last base-32 character).
SELECT a.id, a.name, d.metres
FROM unnest(CAST(:cells AS text[])) AS c (cell)
JOIN locations AS l
  ON l.geohash BETWEEN c.cell AND substr(c.cell || 'zzzzzzzzzzzz', 1, 12)
JOIN attractions AS a ON a.location_id = l.id
CROSS JOIN LATERAL (
  -- haversine: the great-circle distance in metres on a sphere of the Earth's mean radius
  SELECT 2 * 6371008.8 * asin(least(1, sqrt(
           power(sin((radians(l.latitude) - radians(:latitude)) / 2), 2)
           + cos(radians(:latitude)) * cos(radians(l.latitude))
             * power(sin(radians(l.longitude - :longitude) / 2), 2)
         ))) AS metres
) AS d
WHERE d.metres <= :radius_m
ORDER BY d.metres, a.id;
-- --8<-- [end:nearby_postgres]

-- --8<-- [start:nearby_sqlite]
-- :cells is a JSON array of the prefixes, e.g. '["gcpvh","gcpvj",...]'. SQLite has
-- sin, cos and asin when built with its math functions (Python's sqlite3 3.40 is);
-- otherwise register them with create_function.
SELECT id, name, metres
FROM (
  SELECT a.id, a.name,
         2 * 6371008.8 * asin(min(1, sqrt(
           power(sin((radians(l.latitude) - radians(:latitude)) / 2), 2)
           + cos(radians(:latitude)) * cos(radians(l.latitude))
             * power(sin(radians(l.longitude - :longitude) / 2), 2)
         ))) AS metres
  FROM json_each(:cells) AS c
  JOIN locations AS l
    ON l.geohash BETWEEN c.value AND substr(c.value || 'zzzzzzzzzzzz', 1, 12)
  JOIN attractions AS a ON a.location_id = l.id
)
WHERE metres <= :radius_m
ORDER BY metres, id;
-- --8<-- [end:nearby_sqlite]
