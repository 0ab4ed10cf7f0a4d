-- Ride-hailing: riders, drivers, their vehicles, and the trips that join a rider to a
-- driver. Live positions are not here: they change every few seconds and live in memory
-- (Redis), with their history in Cassandra. This is PostgreSQL's part, and it runs on
-- SQLite too (the tests run it on both).

CREATE TABLE riders (
    id          BIGINT PRIMARY KEY,
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE drivers (
    id                BIGINT PRIMARY KEY,
    name              TEXT NOT NULL,
    phone             TEXT NOT NULL UNIQUE,
    city              TEXT NOT NULL,             -- the first level of sharding
    status            TEXT NOT NULL DEFAULT 'offline'
                      CHECK (status IN ('offline', 'available', 'on_trip')),
    -- The trip the driver is on. Not a foreign key (trips already point at drivers);
    -- UNIQUE, so no trip can be the current trip of two drivers.
    current_trip_id   BIGINT UNIQUE,
    -- The offer the driver is looking at: a lease that lapses at offer_expires_at.
    offered_trip_id   BIGINT,
    offer_expires_at  TIMESTAMP,
    created_at        TIMESTAMP NOT NULL,
    CHECK ((status = 'on_trip') = (current_trip_id IS NOT NULL))
);

CREATE TABLE vehicles (
    id          BIGINT PRIMARY KEY,
    driver_id   BIGINT NOT NULL REFERENCES drivers (id),
    plate       TEXT NOT NULL UNIQUE,
    make_model  TEXT NOT NULL,
    seats       SMALLINT NOT NULL,
    product     TEXT NOT NULL CHECK (product IN ('standard', 'xl', 'premium')),
    active      BOOLEAN NOT NULL                 -- the vehicle the driver is using today
);

CREATE INDEX vehicles_by_driver ON vehicles (driver_id);
-- One active vehicle per driver: the car an accept records on the trip is never ambiguous.
CREATE UNIQUE INDEX one_active_vehicle_per_driver ON vehicles (driver_id) WHERE active;

CREATE TABLE trips (
    id                 BIGINT PRIMARY KEY,
    rider_id           BIGINT NOT NULL REFERENCES riders (id),
    driver_id          BIGINT REFERENCES drivers (id),   -- NULL until a driver accepts
    vehicle_id         BIGINT REFERENCES vehicles (id),  -- the car of that driver, recorded at the accept
    status             TEXT NOT NULL DEFAULT 'requested'
                       CHECK (status IN ('requested', 'accepted', 'in_progress', 'completed', 'cancelled')),
    product            TEXT NOT NULL,
    pickup_latitude    DOUBLE PRECISION NOT NULL,
    pickup_longitude   DOUBLE PRECISION NOT NULL,
    dropoff_latitude   DOUBLE PRECISION NOT NULL,
    dropoff_longitude  DOUBLE PRECISION NOT NULL,
    requested_at       TIMESTAMP NOT NULL,
    accepted_at        TIMESTAMP,
    started_at         TIMESTAMP,
    completed_at       TIMESTAMP,
    fare_cents         INTEGER,
    -- Drivers offered the trip so far; every offer updates it, which takes the trip's row lock.
    offers_made        INTEGER NOT NULL DEFAULT 0,
    -- The Idempotency-Key of the request that created the trip: a retried request finds
    -- this row instead of creating a second trip (and calling a second car).
    request_key        TEXT NOT NULL,
    UNIQUE (rider_id, request_key),
    CHECK (status NOT IN ('accepted', 'in_progress', 'completed')
           OR (driver_id IS NOT NULL AND vehicle_id IS NOT NULL))
);

-- A rider has at most one open trip: a second request from another device fails here.
CREATE UNIQUE INDEX one_open_trip_per_rider ON trips (rider_id)
    WHERE status IN ('requested', 'accepted', 'in_progress');

CREATE INDEX trips_by_rider ON trips (rider_id, requested_at);
CREATE INDEX trips_by_driver ON trips (driver_id, requested_at);
