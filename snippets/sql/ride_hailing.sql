-- Ride-hailing: a trip's life in PostgreSQL, from request to drop-off. Runs on the schema
-- in snippets/schemas/ride_hailing.sql; tests/test_system_ride_hailing.py runs each section
-- on SQLite and on a PostgreSQL server, including two connections racing for one driver.
-- Parameters are written :name; :now is the time on one clock for every server
-- (in PostgreSQL, simply now()).

-- --8<-- [start:driver_status]
-- Write steps 3 and 4: the driver goes online ('available') or 'offline'. Never over a
-- trip: no row means the driver is on one (409). Going offline ends a live lease, so the
-- matching loop moves on at once; a repeated 'available' leaves a live offer alone.
UPDATE drivers
SET status = :status,
    offered_trip_id  = CASE WHEN :status = 'offline' THEN NULL ELSE offered_trip_id END,
    offer_expires_at = CASE WHEN :status = 'offline' THEN NULL ELSE offer_expires_at END
WHERE id = :driver_id AND status <> 'on_trip'
RETURNING id;
-- --8<-- [end:driver_status]

-- --8<-- [start:request]
-- The idempotency key is checked first: ON CONFLICT names its constraint, so a retry
-- inserts nothing and returns no row, and the service reads the trip that key made
-- (request_retry). A new key while the rider has an open trip breaks the unique index
-- one_open_trip_per_rider instead: the answer is 409.
INSERT INTO trips (id, rider_id, status, product, pickup_latitude, pickup_longitude,
                   dropoff_latitude, dropoff_longitude, requested_at, request_key)
VALUES (:trip_id, :rider_id, 'requested', :product, :pickup_latitude, :pickup_longitude,
        :dropoff_latitude, :dropoff_longitude, :now, :request_key)
ON CONFLICT (rider_id, request_key) DO NOTHING
RETURNING id;
-- --8<-- [end:request]

-- --8<-- [start:request_retry]
SELECT id, status FROM trips WHERE rider_id = :rider_id AND request_key = :request_key;
-- --8<-- [end:request_retry]

-- --8<-- [start:offer]
-- Lease the driver to this trip for 15 seconds, unless another offer holds them.
-- The trip's row first: it must still be requested, and its lock makes an offer wait
-- for an accept or a cancel of the same trip, then see it. No row from the first
-- update: the trip is over, stop. No row from the second: try the next nearest driver.
BEGIN;
UPDATE trips
SET offers_made = offers_made + 1
WHERE id = :trip_id AND status = 'requested'
RETURNING id;
UPDATE drivers
SET offered_trip_id = :trip_id, offer_expires_at = :offer_expires_at
WHERE id = :driver_id
  AND status = 'available'
  AND (offer_expires_at IS NULL OR offer_expires_at <= :now)
RETURNING id;
-- --8<-- [end:offer]

-- --8<-- [start:decline]
-- The driver said no: end this lease now, so the next offer need not wait for it to lapse.
-- A lease that already lapsed, or is now for another trip, is left alone.
UPDATE drivers
SET offered_trip_id = NULL, offer_expires_at = NULL
WHERE id = :driver_id AND offered_trip_id = :trip_id AND offer_expires_at > :now
RETURNING id;
-- --8<-- [end:decline]

-- --8<-- [start:accept]
-- Both updates are conditional; the trip service stops at the first one that returns
-- no row and rolls back (the trip was taken or cancelled, or the offer had lapsed),
-- and commits otherwise. Trip first, then driver: the same order as every other
-- transaction here, so two of them never wait for each other in a circle.
BEGIN;
UPDATE trips
SET driver_id = :driver_id, status = 'accepted', accepted_at = :now,
    vehicle_id = (SELECT id FROM vehicles WHERE driver_id = :driver_id AND active)
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

-- --8<-- [start:replay]
-- After a failover: an accept the old primary committed but never replicated, sent again
-- with its signed receipt while matching in the city waits. The accept's conditions
-- without the lease, which was lost with it; if the trip or the driver was taken since,
-- a row does not change, the transaction rolls back, and the driver is told.
BEGIN;
UPDATE trips
SET driver_id = :driver_id, status = 'accepted', accepted_at = :accepted_at,
    vehicle_id = (SELECT id FROM vehicles WHERE driver_id = :driver_id AND active)
WHERE id = :trip_id AND status = 'requested'
RETURNING id;
UPDATE drivers
SET status = 'on_trip', current_trip_id = :trip_id,
    offered_trip_id = NULL, offer_expires_at = NULL
WHERE id = :driver_id AND status = 'available'
RETURNING id;
-- --8<-- [end:replay]

-- --8<-- [start:cancel]
-- Before pickup only. The trip's row first, as everywhere: a racing accept or offer runs
-- wholly before or after. If the first update returns no row (in progress or over), roll
-- back; otherwise free whoever the trip held, its driver or a driver still looking at its
-- offer (each of the last two changes one row or none), and commit.
BEGIN;
UPDATE trips
SET status = 'cancelled'
WHERE id = :trip_id AND status IN ('requested', 'accepted')
RETURNING id;
UPDATE drivers
SET status = 'available', current_trip_id = NULL
WHERE current_trip_id = :trip_id;
UPDATE drivers
SET offered_trip_id = NULL, offer_expires_at = NULL
WHERE offered_trip_id = :trip_id;
-- --8<-- [end:cancel]

-- --8<-- [start:stalled]
-- Trips nobody is matching: waiting since before :stalled_before, and no driver holds a
-- live lease on them. The trip service hands each to matching again (or cancels it if it
-- has waited over a minute).
SELECT id, requested_at
FROM trips
WHERE status = 'requested'
  AND requested_at < :stalled_before
  AND NOT EXISTS (SELECT 1 FROM drivers
                  WHERE offered_trip_id = trips.id AND offer_expires_at > :now)
ORDER BY requested_at;
-- --8<-- [end:stalled]

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
