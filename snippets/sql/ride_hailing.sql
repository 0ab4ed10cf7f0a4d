-- Ride-hailing: a trip's life in PostgreSQL, from request to drop-off. Runs on the schema
-- in snippets/schemas/ride_hailing.sql; tests/test_system_ride_hailing.py runs each section
-- on SQLite and on a PostgreSQL server, including two connections racing for one driver.
-- Parameters are written :name; :now is the time on one clock for every server
-- (in PostgreSQL, simply now()).

-- --8<-- [start:request]
-- A unique violation on (rider_id, request_key) is a retry of a request that already
-- made its trip: answer with that trip instead of calling a second car.
INSERT INTO trips (id, rider_id, status, product, pickup_latitude, pickup_longitude,
                   dropoff_latitude, dropoff_longitude, requested_at, request_key)
VALUES (:trip_id, :rider_id, 'requested', :product, :pickup_latitude, :pickup_longitude,
        :dropoff_latitude, :dropoff_longitude, :now, :request_key)
RETURNING id;
-- --8<-- [end:request]

-- --8<-- [start:offer]
-- Lease the driver to this trip for 15 seconds, unless another offer holds them.
-- One row back: send the offer. No row: try the next nearest driver.
UPDATE drivers
SET offered_trip_id = :trip_id, offer_expires_at = :offer_expires_at
WHERE id = :driver_id
  AND status = 'available'
  AND (offer_expires_at IS NULL OR offer_expires_at <= :now)
RETURNING id;
-- --8<-- [end:offer]

-- --8<-- [start:accept]
-- Both updates are conditional; the trip service stops at the first one that returns
-- no row and rolls back (the trip was taken or cancelled, or the offer had lapsed),
-- and commits otherwise. Trip first, then driver: the same order as every other
-- transaction here, so two of them never wait for each other in a circle.
BEGIN;
UPDATE trips
SET driver_id = :driver_id, status = 'accepted', accepted_at = :now
WHERE id = :trip_id AND status = 'requested'
RETURNING id;
UPDATE drivers
SET status = 'on_trip', current_trip_id = :trip_id,
    offered_trip_id = NULL, offer_expires_at = NULL
WHERE id = :driver_id
  AND status = 'available'
  AND offered_trip_id = :trip_id
  AND offer_expires_at > :now
RETURNING id;
-- --8<-- [end:accept]

-- --8<-- [start:start]
UPDATE trips
SET status = 'in_progress', started_at = :now
WHERE id = :trip_id AND driver_id = :driver_id AND status = 'accepted'
RETURNING id;
-- --8<-- [end:start]

-- --8<-- [start:complete]
-- Commit only if both rows change, as for the accept.
BEGIN;
UPDATE trips
SET status = 'completed', completed_at = :now, fare_cents = :fare_cents
WHERE id = :trip_id AND driver_id = :driver_id AND status = 'in_progress'
RETURNING id;
UPDATE drivers
SET status = 'available', current_trip_id = NULL
WHERE id = :driver_id AND current_trip_id = :trip_id
RETURNING id;
-- --8<-- [end:complete]
