"""Match a rider with a nearby driver: live positions in memory, an offer that lapses, and an accept only one driver can win."""

from blueprint import System

rides = System(
    "Ride-Hailing Service",
    schema="schemas/ride_hailing.sql",
    relationships=[
        "drivers 1-to-many vehicles",
        "riders 1-to-many trips",
        "drivers 1-to-many trips",
        "vehicles 1-to-many trips",
    ],
)

# --- Clients ---------------------------------------------------------------------------
driver = rides.component("driver", "Driver app", kind="mobile", group="Clients",
                         role="Streams the driver's position, receives trip offers, accepts or declines them, shows the rider until pickup")
rider = rides.component("rider", "Rider app", kind="mobile", group="Clients",
                        role="Shows nearby cars, requests a ride, follows the driver on the map, sends the rider's position")

# --- Edge ------------------------------------------------------------------------------
load_balancer = rides.component("load_balancer", "Load balancer", kind="load_balancer", group="Edge",
                                role="Terminates TLS and hands each long-lived WebSocket to a server with spare capacity")

# --- Services --------------------------------------------------------------------------
driver_server = rides.component("driver_server", "Driver WebSocket servers", kind="server", group="Services",
                                role="Hold the drivers' WebSockets: take in positions, push offers and the rider's position out")
rider_server = rides.component("rider_server", "Rider WebSocket servers", kind="server", group="Services",
                               role="Hold the riders' WebSockets: show nearby cars, take requests, relay positions both ways")
trip_service = rides.component("trip_service", "Trip service", kind="service", group="Services",
                               role="Owns each trip's state, from requested to completed, in PostgreSQL")
matching = rides.component("matching", "Matching service", kind="service", group="Services",
                           role="Finds the nearest available drivers and offers them the trip, one at a time")
controller = rides.component("controller", "Controller", kind="service", group="Services",
                             role="Watches load per shard and splits or moves hot geohash cells")

# --- Processing ------------------------------------------------------------------------
analytics = rides.component("analytics", "Analytics (MapReduce)", kind="mapreduce", group="Processing",
                            role="Batch jobs over location history: demand heat maps, pricing, ETA training data")

# --- Messaging -------------------------------------------------------------------------
queue = rides.component("queue", "Location stream (Kafka)", kind="kafka", group="Messaging",
                        role="Every position update, partitioned by city and keyed by driver or rider ID")
pubsub = rides.component("pubsub", "Channels (Redis pub-sub)", kind="redis_pubsub", group="Messaging",
                         role="Sharded pub-sub, one channel per driver (offers) and one per trip (acceptance, both parties' positions): delivered, never stored")

# --- Data stores -----------------------------------------------------------------------
location_cache = rides.component("location_cache", "Live locations (Redis GEO)", kind="redis_geo", group="Data stores",
                                 role="Per city and product, the available drivers in a geo index; each driver's last position")
trip_db = rides.component("trip_db", "Trips DB (PostgreSQL)", kind="postgresql", group="Data stores",
                          role="Riders, drivers with their status and current offer, vehicles, trips")
location_history = rides.component("location_history", "Location history (Cassandra)", kind="cassandra", group="Data stores",
                                   role="Every position ever sent, partitioned by (driver or rider, day), ordered by time; a trip's route is a slice of it")

queue.fails(down="Positions stop reaching the live map and the history: cars freeze, then the sweep drops them from matching",
            slow="Cars lag on the map; matching sees positions a few seconds old",
            loses_data="Unread positions are gone: a gap in the route history; the live map refills from the next update",
            handling="Each partition is replicated on three brokers; producers wait for the in-sync replicas",
            redundant=True)
pubsub.fails(down="Offers, acceptances and positions on channels are lost; unanswered offers lapse in 15 s",
             slow="Cars jump on the map; an offer eats into its own 15-second countdown",
             loses_data="It stores nothing: the next position comes 4 s later, and a silent app reads the trip",
             handling="A Redis Cluster: a shard's replica takes over its channels; apps fall back to reading the trip",
             redundant=True)
location_cache.fails(down="No cars on riders' maps and no match in that shard's cells until it restarts",
                     slow="Matching and the nearby-cars map slow down; updates wait in the stream",
                     loses_data="Every position is back within 4 s, from the next round of updates",
                     handling="One copy per shard, not replicated: a restarted shard is refilled by the stream; "
                              "the controller can move its cells to another",
                     redundant=False)
trip_db.fails(down="No ride can be requested, offered, accepted or ended in that city; positions still flow",
              slow="Requests and accepts time out; apps retry with the same idempotency key or accept",
              loses_data="After a failover the last seconds of accepts may be gone: replayed from drivers' signed receipts",
              handling="One primary per city, asynchronous replicas in another data center; one is promoted, "
                       "then matching waits out a grace period",
              redundant=True)
location_history.fails(down="Nothing on screen: Kafka keeps the positions until the consumer catches up",
                       slow="The history lags; analytics sees the day later",
                       loses_data="The copies in the other data centers keep every route",
                       handling="Replicated to several data centers",
                       redundant=True)

rides.connection(driver, load_balancer, "WebSocket")
rides.connection(load_balancer, driver_server, "WebSocket")
rides.connection(rider, load_balancer, "WebSocket")
rides.connection(load_balancer, rider_server, "WebSocket")

# --- Write path: location updates ------------------------------------------------------
write = rides.path("write", "Location updates", per="write")
write.stage("Drivers stream their position")
write.step(1, driver, load_balancer,
           "The driver app keeps a WebSocket open and sends its position (latitude, longitude, heading, speed) every 4 seconds.")
write.step(2, load_balancer, driver_server,
           "When the connection opens, the load balancer gives it to a server with spare capacity in the nearest data center.")
write.step(3, driver_server, trip_service,
           "When the driver goes online or offline (the app's status switch), the server asks the trip service "
           "to set their status.", when="The driver goes online or offline", share=0.001)
write.step(4, trip_service, trip_db,
           "A conditional update sets 'available' or 'offline', never over 'on_trip' (a driver on a trip ends it "
           "first); going offline also ends a live lease, so no offer waits on a driver who left. The server "
           "keeps the answer, to tag the driver's updates.",
           effect="write", when="The driver goes online or offline", share=0.001,
           after_crash=("idempotent retry", "the status is set but the server may have missed the answer; the app, "
                        "unanswered, sends it again (twice is harmless), and its updates carry the old tag until then"))
write.step(5, driver_server, queue,
           "The server tags each update with the driver's state (free, off, or on a trip: it relays the driver's status "
           "changes, accepts and drop-offs, and hears a cancel on the trip's channel) "
           "and the time it received it, by its own clock, and publishes it to the location stream, keyed by "
           "driver ID so each driver's updates stay in order.", effect="write",
           after_crash=("idempotent retry", "the update is in the stream; each consumer applies it from its own "
                        "committed offset, and again after a crash of its own"))
write.step(6, queue, location_history,
           "A consumer appends the updates to the location history, in batches.", effect="write",
           idempotent_by="the driver (or rider) ID and the server's time of receipt, the row's primary key: "
                         "a redelivered batch rewrites the same rows",
           after_crash=("idempotent retry", "the two consumers are independent: each commits its offset after "
                        "writing, so a crash leaves one store behind until its consumer replays from there"))
write.step(7, queue, location_cache,
           "Another consumer records the driver's last position with the server's time of receipt and, if the driver is available, "
           "moves them in the geo index of available drivers (GEOADD); otherwise it removes them from it.", effect="write",
           idempotent_by="the driver ID: the driver's one last position and geo member are overwritten, and a "
                         "partition replays in order, so the newest update is applied last",
           after_crash=("idempotent retry", "step 10 is a rider's update, unrelated to this one; the consumer "
                        "replays from its committed offset"))
write.stage("Riders see nearby drivers")
write.step(8, rider, load_balancer, "The rider app opens its own WebSocket and sends its position while it is open.",
           share=0.1)
write.step(9, load_balancer, rider_server, "The load balancer gives the connection to a rider server with spare capacity.", share=0.1)
write.step(10, rider_server, queue, "The server publishes the rider's position to the location stream too (history, pickup point).",
           effect="write", share=0.1,
           after_crash=("idempotent retry", "the position is in the stream, applied by each consumer from its own "
                        "offset; step 15 is the controller's, unrelated"))
write.step(11, rider_server, location_cache,
           "Every few seconds it asks the geo index for the available drivers within a radius of the rider, nearest first (GEOSEARCH).",
           effect="read", share=0.2)
write.step(12, rider_server, location_cache,
           "It searches again with twice the radius, up to a limit.", when="No available driver within the radius",
           effect="read", share=0.02)
write.step(13, rider_server, rider, "It pushes the nearby cars to the rider's map.", share=0.2)
write.stage("Offline work")
write.step(14, analytics, location_history,
           "Batch jobs read the location history to produce offline analytics: demand by area and hour, trip durations.",
           effect="read", share=0.001)
write.step(15, controller, location_cache,
           "The controller moves or splits the geohash cells of an overloaded shard onto others.",
           effect="write", when="A shard is overloaded", share=0.00001)

write.note("Updates cost real capacity: a million drivers online, one update every 4 seconds, is 250,000 writes "
           "a second into the stream and into Redis; see the table on this page.", theme="Load")
write.note("The source uses round robin to place connections. Round robin spreads new connections evenly, but "
           "WebSockets last for hours and servers restart, so counts drift; least-connections placement "
           "keeps servers even.", theme="Load")
write.note("The source stores a multi-character geohash to serve several zoom levels. Redis's geo index already "
           "keeps a 52-bit geohash per member as its sorted-set score, so any coarser cell is a range of it; "
           "a zoomed-out map shows counts per coarse cell instead of individual cars.", theme="Spatial index")
write.note("GEOADD is a sorted-set insert, O(log n) for n members. GEOSEARCH costs O(N + log n), N being the "
           "members in the block of geohash cells around the circle that Redis scans before the exact distance "
           "check, so a wide radius in a dense city reads many members: keep the radius small, widen only when "
           "nobody is found, and cap the answer with COUNT.", theme="Spatial index")
write.note("The source suggests Euclidean distance within a geohash cell as the naive approach. On degrees it is "
           "skewed (a degree of longitude shrinks with the cosine of the latitude); GEOSEARCH uses the haversine "
           "formula. Both are straight lines: the matching service should rank by driving time (ETA), "
           "since the nearest car may be across a river.", theme="Spatial index")
write.note("Live locations are not a cache of another store: they are the only place current positions are read "
           "from, so there is no miss path to a database. A driver whose last position is older than about "
           "30 seconds is treated as offline and removed by a sweep, which compares the server's time of receipt, "
           "never the phone's clock (phones' clocks drift and can be set by hand); LRU eviction would be wrong here "
           "(the source applies it): evicting a driver hides a car that is really there. Size the memory and disable eviction.",
           theme="Live locations")
write.note("The geo index is a hint: a driver can be assigned a trip just before their next update removes them "
           "from the available set. The database decides (see the read path), so a stale hint costs at most "
           "one wasted offer.", theme="Live locations")
write.note("Services are sharded on several levels: by city first, then by geohash cell within a big city, "
           "and by product (standard, XL, premium) since a rider asks for one kind of car.", theme="Sharding")
write.note("The source handles hotspots with replicas and by partitioning further by driver ID. Replicas help "
           "reads. Splitting a hot cell by driver ID spreads its writes, but then a nearby search in that cell "
           "must ask every part and merge: worth it only for the few hottest cells.", theme="Sharding")
write.note("The data stores are partitioned geographically with consistent hashing: cells map to points "
           "on a ring, so adding a node moves only about 1/N of the cells; see "
           "[Consistent hashing](concepts/consistent_hashing.md).", theme="Sharding")
write.note("Cassandra's LSM tree turns writes into sequential appends, which suits a firehose of positions; "
           "Redis keeps the one position per driver that reads need in memory. Each store does what it is good at.",
           theme="Stores")
write.note("The location history is replicated to several data centers, since trip routes are evidence in "
           "disputes about fares and safety.", theme="Stores")
write.note("For the hot spots: a rider's map searches about a fifth as often as drivers report (a few minutes "
           "of looking per trip, every few seconds), and sends its position half as often again.", theme="Load")

# --- Read path: request, match, accept, ride ---------------------------------------------
# For the hot spots a "read" is one push (capacity below): one trip per some 450 pushes.
TRIP = 0.002
read = rides.path("read", "Request, match and ride", per="read")
read.stage("Request a ride")
read.step(1, rider, load_balancer,
          "The rider requests a ride (pickup, destination, product) over the open WebSocket.", share=TRIP)
read.step(2, load_balancer, rider_server, "The request reaches the rider server that holds the connection.",
          share=TRIP)
read.step(3, rider_server, trip_service,
          "The rider server asks the trip service to create the trip, and subscribes to the trip's channel.", share=TRIP)
read.step(4, trip_service, trip_db,
          "The trip service inserts the trip with status 'requested'. The request's idempotency key is checked "
          "first: a retry inserts nothing and gets back the trip its key made. Otherwise a unique index lets a "
          "rider hold one open trip, so a second request from another device fails (409).", effect="write", share=TRIP)
read.step(5, trip_service, matching, "It asks the matching service for a driver.", share=TRIP)
read.step(6, matching, location_cache,
          "The matching service asks the geo index for the available drivers of that product near the pickup, nearest first.",
          effect="read", share=TRIP)
read.step(7, matching, location_cache,
          "It widens the radius and searches again; after a minute with nobody, the trip is cancelled "
          "and the rider told.", when="No available driver within the radius", effect="read", share=TRIP / 2)
read.stage("Offer and accept")
read.step(8, matching, trip_db,
          "In one transaction it locks the trip's row, which must still be 'requested' (else the loop stops: "
          "the trip was taken or cancelled), and leases the nearest candidate for 15 seconds with a conditional "
          "update; if another offer holds that driver, no row changes and it tries the next one.", effect="write", share=TRIP,
          after_crash=("accepted", "a lease with no offer sent: it lapses within 15 s, and if the loop died with "
                       "the instance, the trip service's sweep hands the trip to matching again"))
read.step(9, matching, pubsub, "It publishes the offer on the driver's channel.", effect="write", share=TRIP,
          after_crash=("accepted", "the offer stands until its lease lapses, up to 15 s; the sweep then hands the "
                       "trip to matching again"))
read.step(10, pubsub, driver_server,
          "The server holding the driver's WebSocket, subscribed to that channel, receives it.", effect="deliver", share=TRIP)
read.step(11, driver_server, driver,
          "It sends the offer down the driver's WebSocket (the load balancer only relays its frames); "
          "the driver sees it with a 15-second countdown.", share=TRIP)
read.step(12, matching, trip_db,
          "The lease lapses by itself; the matching service leases the next candidate (step 8 again).",
          when="No answer within 15 seconds", effect="write", share=TRIP / 2)
read.step(13, driver, driver_server,
          "The driver taps 'accept' or 'decline'; the answer goes up the same WebSocket, through the load "
          "balancer, to the driver's server.", share=TRIP)
read.step(14, driver_server, matching,
          "The server tells the matching service, which ends this driver's lease on this trip at once "
          "(a conditional update: a lease that already lapsed or moved on is left alone), remembers not to "
          "offer the trip to them again, and leases the next candidate (step 8) without waiting out the countdown.",
          when="The driver declines", share=TRIP / 4)
read.step(15, driver_server, trip_service, "On an accept, the driver server asks the trip service to confirm the trip.",
          share=TRIP)
with read.transaction("Assign the driver"):
    read.step(16, trip_service, trip_db,
              "The trip service marks the trip 'accepted', with this driver and the car they drive today, "
              "only if it is still 'requested'.", effect="write", share=TRIP)
    read.step(17, trip_service, trip_db,
              "It marks the driver 'on trip' only if still available and leased to this trip. It commits if both "
              "rows changed, and otherwise rolls back and tells the driver the trip has gone.", effect="write", share=TRIP,
              after_crash=("accepted", "an accept the rider does not hear of: the rider's app reads the trip after "
                           "5 s of silence, so the news is late by up to 5 s"))
read.stage("The driver's position to the rider")
read.step(18, trip_service, pubsub,
          "The trip service publishes 'accepted' (driver, car) on the trip's channel; the driver's server, "
          "told by the accept's answer, subscribes to it too.", effect="write", share=TRIP)
read.step(19, driver_server, pubsub, "The driver's server publishes each new position of the driver on the trip channel.",
          effect="write", share=0.8,
          after_crash=("accepted", "the server crashed between the two: the position reached the rider but not the "
                       "history, a gap of up to 4 s in the route, the next update being the retry"))
read.step(20, driver_server, queue,
          "It still publishes every position to the location stream, whose consumer appends it to the location "
          "history: that, not the channel, is the durable record of the route.", effect="write", share=0.8,
          after_crash=("idempotent retry", "the position is in the stream, applied by its consumers from their "
                       "offsets; step 26 is the rider's, unrelated"))
read.step(21, pubsub, rider_server, "The rider's server receives the acceptance, then the positions.", effect="deliver",
          share=0.8)
read.step(22, rider_server, load_balancer, "It sends them down the rider's WebSocket.", share=0.8)
read.step(23, load_balancer, rider, "The rider watches the car approach, then the ride.", share=0.8)
read.stage("The rider's position to the driver, until pickup")
read.step(24, rider, load_balancer,
          "Until pickup the rider app keeps sending its position whenever the rider has moved: "
          "someone walking to the corner is where the driver must stop.", share=0.1)
read.step(25, load_balancer, rider_server, "It reaches the rider's server over the rider's WebSocket.", share=0.1)
read.step(26, rider_server, pubsub,
          "While the trip is 'accepted', the server publishes the rider's position on the trip's channel, "
          "besides the location stream (step 10 of the location updates).", effect="write", share=0.1,
          after_crash=("accepted", "step 30 is another request, unrelated; a lost rider position is replaced by "
                       "the next within 4 s"))
read.step(27, pubsub, driver_server,
          "The driver's server, subscribed to the trip's channel since the accept, receives it.", effect="deliver", share=0.1)
read.step(28, driver_server, driver,
          "It sends it down the driver's WebSocket: the driver sees the rider's dot move on the map.", share=0.1)
read.stage("Pickup and drop-off")
read.step(29, driver_server, trip_service,
          "The driver taps 'start' at pickup and 'end' at drop-off; the server passes each on.", share=2 * TRIP)
read.step(30, trip_service, trip_db,
          "The trip moves to 'in progress', then 'completed' with its fare, and the driver back to 'available'.",
          effect="write", share=2 * TRIP,
          after_crash=("accepted", "a change the apps do not hear of: each reads the trip after 5 s of silence, "
                       "so it is late by up to 5 s"))
read.step(31, trip_service, pubsub,
          "It publishes each change on the trip's channel, and both servers relay it: at 'in progress' the "
          "rider's server stops relaying the rider's position (rider and driver now share the car); at "
          "'completed' the rider sees the fare and both servers unsubscribe.", effect="write", share=2 * TRIP)

read.note("Offers reach the driver over the WebSocket the app opened for its location updates (steps 1 and 2 "
          "of that path): the server holding it subscribes to the driver's channel.", theme="Connections")
read.note("Two riders must never get one driver, and one trip never two drivers. The source takes a distributed "
          "lock; here the lock is the driver's row: the conditional update (step 8) takes the row lock, and a "
          "second dispatcher re-checks its condition after the first commits and matches nothing. The expiry "
          "time makes it a lease that frees itself.", theme="Concurrency")
read.note("Every transaction here locks the trip's row before the driver's: the offer (step 8), the accept, the "
          "cancel. So an offer made just as the trip is accepted or cancelled waits for that change and then "
          "finds the trip no longer 'requested': no driver is leased to a trip that is already over.",
          theme="Concurrency")
read.note("A Redis lock (SET offer:driver:42 trip:9001 NX PX 15000) can do step 8 in memory if offers "
          "outgrow the database. Even then the assignment must stay the conditional updates of steps 16 and 17: a Redis "
          "lock can expire while its holder is paused, and nothing would stop the late holder from writing.",
          theme="Concurrency")
read.note("The timeout is the lease's expiry: nothing has to run when a driver ignores an offer. A late "
          "'accept' fails, since its lease has lapsed, and the driver is told the trip has gone.",
          theme="Concurrency")
read.note("An 'accept' may be sent twice (a retry on a flaky network). The second one changes no row; before "
          "answering 'too late', the trip service checks whether the trip's driver is already this driver, "
          "and if so answers 'yours'.", theme="Concurrency")
read.note("The source creates a one-to-one channel between driver and rider through the pub-sub server. It is "
          "one channel per trip, with two servers subscribed, each publishing its own app's position and "
          "relaying the other's: the driver's all along, the rider's until pickup.",
          theme="Pub-sub")
read.note("In a Redis Cluster a classic PUBLISH is broadcast over the cluster bus to every node, whoever "
          "subscribes; with a channel per trip and a position every 4 seconds from every driver on a trip, "
          "each node would carry the whole firehose. Sharded pub-sub (SPUBLISH and SSUBSCRIBE, Redis 7) "
          "hashes a channel to a slot like a key, so a trip's messages stay on the nodes of one shard, and "
          "adding shards adds capacity: the pub-sub cluster scales with the trips, not against them.",
          theme="Pub-sub")
read.note("A message can be lost on the channel, the acceptance included (a subscriber reconnecting, or the "
          "trip service crashing right after its commit, or a cancel). So pushes only hurry the apps along: an "
          "app that hears nothing for 5 seconds (the rider's waiting for a driver, the driver's waiting for the "
          "rider's position), or gets positions for a trip it thinks is still waiting, reads the trip "
          "(GET /v1/trips/{trip_id}), whose row in PostgreSQL is the truth; the driver's server takes the "
          "driver's state for its tags from that answer too, so a lost cancel does not keep a free driver out "
          "of the geo index.", theme="Pub-sub")
read.note("The source has the pub-sub server store the driver's positions in the trip store. Redis pub-sub "
          "delivers and forgets: a message published while a subscriber reconnects is lost, so no subscriber "
          "of it can be a reliable recorder. The route is kept by the location stream (step 20), which Kafka "
          "retains until its consumers have read it. On the channel a lost position is harmless, the next comes "
          "4 seconds later, and a lost offer just times out.", theme="Pub-sub")
read.note("Both apps keep the trip's state (trip ID, status, driver, pickup), so if their data center fails they "
          "reconnect to another and carry on from that state.", theme="Resilience")
read.note("Each city's trips database has one primary, the only copy that takes writes, with replicas in "
          "another data center. Replication across data centers is asynchronous (synchronous would add a "
          "round trip between them to every offer and accept), so after a failover the promoted replica may "
          "lack the last seconds of accepts: those trips are 'requested' again and their drivers 'available'. "
          "The live locations are not replicated at all: the next round of updates, 4 seconds later, refills them.",
          theme="Resilience")
read.note("So that a lost accept is not matched a second time, matching in the failed cities waits for a "
          "grace period after the failover (longer than the apps take to reconnect). Every accept's answer "
          "carries a receipt signed by the trip service (trip, driver, time); a reconnecting driver app whose "
          "kept trip the database shows as 'requested' sends the accept again with that receipt, and the trip "
          "service replays it with the same conditions as the accept minus the lease (the trip still "
          "'requested', the driver still 'available'). An app back after the grace period may find either "
          "taken: then the replay changes nothing, and the driver is told the trip has gone, as for any late "
          "accept. A request the old primary lost is sent again by the rider app with its idempotency key.",
          theme="Resilience")
read.note("A matching loop lives in one instance's memory, and the trip service can crash between the insert "
          "(step 4) and asking for a driver (step 5): either way a trip can sit 'requested' with nobody working "
          "on it. The trip service sweeps for trips waiting more than a few seconds with no live lease and hands "
          "them to matching again; past a minute it cancels them and tells the rider. The sweep can also pick "
          "a trip whose loop is alive but between two offers: two loops then offer one trip, which is safe, since "
          "only one accept can win, and costs at most one extra offer.", theme="Resilience")
read.note("Chaos engineering (killing servers, cutting links, on purpose, in production) tests that this recovery "
          "really works.", theme="Resilience")
read.note("Service instances spread membership and shard ownership by a gossip protocol: each tells a few "
          "others what it knows, so every instance learns of a failure within seconds, with no central registry "
          "to fail.", theme="Resilience")


# --- API: request-reply frames on the apps' WebSockets, or the same calls over HTTPS -------
LIMITED = {429: {"Retry-After": "Seconds to wait before trying again"}}

rides.endpoint(
    "GET", "/v1/ws",
    "Open the app's WebSocket: the load balancer ends TLS and hands the connection to a driver or a rider server (the token says which) with spare capacity; the calls below then travel on it as frames",
    starts=(write, 1),
    status={101: "Switching Protocols: over HTTP/1.1 the connection is now a WebSocket",
            200: "The same handshake over HTTP/2, where it is an extended CONNECT (RFC 8441): the stream is now a WebSocket",
            400: "Not a WebSocket handshake", 401: "Missing or expired token: sign in again",
            429: "Reconnecting too fast, e.g. every app at once after a data center failed (Retry-After, with jitter)"},
    headers={"Authorization": "Bearer token of the driver or the rider",
             "Upgrade": "websocket (HTTP/1.1 only; over HTTP/2 the CONNECT request's :protocol pseudo-header says websocket)",
             "Sec-WebSocket-Key": "HTTP/1.1 only: a random value that the server's Sec-WebSocket-Accept must answer"},
    response_headers={101: {"Sec-WebSocket-Accept": "The hash of the client's key: proof that the server speaks WebSocket"},
                      429: {"Retry-After": "Seconds to wait; the app adds random jitter on top"}},
)

rides.endpoint(
    "POST", "/v1/driver/locations",
    "The driver's position, every 4 seconds: answered with nothing but an acknowledgement, since the server only tags it and publishes it to the location stream (no database, no read)",
    starts=(write, 1),
    request={"positions": "object[]: latitude, longitude, heading, speed and the time the phone measured it, which only orders a batch; the server stamps its own time of receipt, the one every decision uses. One on the socket, a batch over HTTPS after a gap"},
    status={202: "Published to the location stream; the geo index and the history follow within a second. On the socket not even this is sent: the next update is the retry",
            400: "A position out of range (never a phone's time judged by the server's clock: a phone running fast would lose every update)", 401: "No valid token",
            403: "Not a driver account",
            429: "More than one update a second: a misbehaving app (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the driver"},
    response_headers=LIMITED,
)
rides.endpoint(
    "PUT", "/v1/driver/status",
    "The driver goes online (available for offers) or offline: the one place a driver's status is set outside a trip",
    starts=(write, 3),
    request={"status": "string: available or offline"},
    response={"status": "string: the driver's status now"},
    status={200: "Set, or already so: the same request twice is harmless (and a repeated 'available' keeps a live offer)",
            400: "Neither available nor offline", 401: "No valid token", 403: "Not a driver account",
            409: "On a trip: end it (or have it cancelled) first"},
    headers={"Authorization": "Bearer token of the driver"},
)
rides.endpoint(
    "POST", "/v1/rider/locations",
    "The rider's position while the app is open, sent when it has moved noticeably; the server pushes the nearby available cars every few seconds (steps 11 to 13). Once a driver has accepted, and until pickup, the rider's server also relays it to the driver on the trip's channel (steps 24 to 28 of the ride)",
    starts=(write, 8),
    request={"lat": "number: latitude", "lng": "number: longitude",
             "product?": "string: standard (the default), xl or premium: whose cars to show"},
    status={202: "Published; nearby cars follow on the socket (over HTTPS, only once the socket is back)", 400: "A position out of range, or an unknown product",
            401: "No valid token", 429: "Too many updates (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the rider"},
    response_headers=LIMITED,
)
rides.endpoint(
    "POST", "/v1/trips",
    "Request a ride: the trip is stored as requested and matching starts; the driver's acceptance arrives later on the trip's channel",
    starts=(read, 1),
    request={"pickup": "object: latitude and longitude of the pickup point",
             "dropoff": "object: latitude and longitude of the destination",
             "product": "string: standard, xl or premium"},
    response={"trip_id": "string: the new trip, or the one this key made", "status": "string: requested, or the current status of the trip this key made"},
    status={200: "A retry: this Idempotency-Key already made a trip, which is returned as it is now; nothing new is created",
            201: "The trip exists, status requested; the match is not made yet",
            400: "An unknown product, or a pickup outside every city served", 401: "No valid token",
            409: "A new key, but the rider already has a trip that is requested, accepted or in progress: a unique index on the rider's open trip refuses the insert, so two devices cannot both pass. The key is checked first, so a retry never gets this",
            429: "Too many requests (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the rider",
             "Idempotency-Key": "Required: the app's ID for this tap, stored with the trip (unique per rider): a retry after a timeout finds that trip and returns it instead of calling two cars"},
    response_headers={201: {"Location": "/v1/trips/{trip_id}"}, **LIMITED},
)
rides.endpoint(
    "POST", "/v1/trips/{trip_id}/accept",
    "The driver accepts the offer: one transaction sets the trip to accepted only if still requested, and the driver to on trip only if still available and leased to it",
    starts=(read, 13),
    request={"trip_id": "string: the trip in the offer",
             "receipt?": "string: only after a data center failed: the signed receipt of an accept the database lost, to replay it"},
    response={"trip_id": "string: the trip", "status": "string: accepted",
              "pickup": "object: where to go", "rider": "object: the rider's first name and rating",
              "receipt": "string: trip, driver and time, signed by the trip service; the app keeps it with the trip"},
    status={200: "Yours. An accept repeated by the same driver gets the same answer: the trip service sees the trip is already theirs",
            401: "No valid token", 403: "Not a driver account", 404: "No such trip",
            409: "The trip has gone: the 15-second lease lapsed and the next driver was asked, another driver took it, or the rider cancelled. Nothing changed"},
    headers={"Authorization": "Bearer token of the driver"},
)
rides.endpoint(
    "POST", "/v1/trips/{trip_id}/decline",
    "The driver says no to the offer: the lease ends at once and the matching service offers the trip to the next driver without waiting out the countdown",
    starts=(read, 13),
    request={"trip_id": "string: the trip in the offer"},
    status={204: "Released, or already lapsed or released: a repeated decline is harmless",
            401: "No valid token", 403: "Not a driver account", 404: "No such trip"},
    headers={"Authorization": "Bearer token of the driver"},
)
rides.endpoint(
    "PATCH", "/v1/trips/{trip_id}",
    "The driver starts the trip at pickup and ends it at drop-off; ending frees the driver for the next offer",
    starts=(read, 29),
    request={"trip_id": "string: the trip",
             "status": "string: in_progress at pickup, completed at drop-off"},
    response={"status": "string: the trip's new status",
              "fare_cents?": "integer: the fare, once completed"},
    status={200: "Moved on (or already there: the same change twice is harmless)",
            400: "Not a status a driver can set", 401: "No valid token",
            403: "Not this trip's driver", 404: "No such trip",
            409: "Not the next status: ending a trip that never started, or starting one the rider cancelled"},
    headers={"Authorization": "Bearer token of the trip's driver"},
)
rides.endpoint(
    "GET", "/v1/trips/{trip_id}",
    "A trip's current status, driver and car: what an app reads after reconnecting, to check the state it kept",
    request={"trip_id": "string: the trip"},
    response={"status": "string: requested, accepted, in_progress, completed or cancelled",
              "driver?": "object: name, car and plate, once accepted",
              "fare_cents?": "integer: the fare, once completed"},
    status={200: "The trip", 304: "Unchanged since the ETag the app sent", 401: "No valid token",
            403: "Neither the trip's rider nor its driver", 404: "No such trip"},
    headers={"Authorization": "Bearer token of the rider or the driver",
             "If-None-Match": "The ETag of the state the app kept"},
    response_headers={code: {"ETag": "Changes with every status change",
                             "Cache-Control": "private, no-cache: the app may keep it but must revalidate"}
                      for code in (200, 304)},
)
rides.endpoint(
    "POST", "/v1/trips/{trip_id}/cancel",
    "The rider (or the assigned driver) cancels before pickup: a conditional update (only if requested or accepted) that also frees an assigned driver in the same transaction. It locks the trip's row as the accept does, so a cancel and an accept racing run one after the other, and no driver is left on a cancelled trip",
    request={"trip_id": "string: the trip",
             "reason?": "string: why, for the records"},
    response={"status": "string: cancelled"},
    status={200: "Cancelled, or already cancelled: a repeated cancel is harmless; the other side hears it on the trip's channel",
            401: "No valid token", 403: "Neither the trip's rider nor its driver", 404: "No such trip",
            409: "Too late: the trip is in progress or completed"},
    headers={"Authorization": "Bearer token of the rider or the driver"},
)

# --- Capacity: a "user" is a driver, a "write" one position update --------------------------
rides.capacity(
    daily_active_users=(3_000_000, "Assumption: drivers who go online on a given day (Uber reports several million drivers and couriers); the source gives no scale"),
    writes_per_user_per_day=(2_880, "About 3.2 hours online a day at one update every 4 seconds, the page's rate"),
    read_to_write=(1.3, "Pushes to riders: about 25 million trips a day, each rider watching the map for some half an hour (nearby cars, then the driver) at one push every 4 seconds"),
    write_size=("100 bytes", "One update with its keys and headers: between the 44-byte position and the 124 bytes it takes on the wire (see What location updates cost)"),
    read_size=("200 bytes", "A push: a few nearby cars, or the driver's position and ETA"),
    retention=("365 days", "Raw positions in the location history, for disputes and a year of analytics; trips themselves are kept longer"),
    peak_to_average=(2.5, "Rush hours and weekend nights; chosen so that the peak is the page's million drivers online at once"),
    hot_fraction=(0.2, "80-20 rule, for comparison only: pushes are read once and nothing caches them (see the page)"),
)

# --- API examples: checked against the schemas above ---------------------------------
rides.example(
    "GET /v1/ws",
    headers={"Upgrade": "websocket", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="},
    responses={200: None, 429: {"error": "rate_limited", "message": "Reconnecting too fast; retry after the Retry-After delay, with jitter"}},
)
rides.example(
    "POST /v1/driver/locations",
    request={
        "positions": [
            {
                "lat": 48.8606,
                "lng": 2.3376,
                "heading": 90,
                "speed_mps": 8.3,
                "measured_at": "2026-12-07T09:30:00Z",
            },
        ],
    },
    responses={202: None, 429: {"error": "rate_limited", "message": "More than one update a second"}},
)
rides.example(
    "POST /v1/rider/locations",
    request={"lat": 48.8584, "lng": 2.2945, "product": "standard"},
    responses={202: None, 429: {"error": "rate_limited", "message": "Too many updates"}},
)
rides.example(
    "POST /v1/trips",
    headers={"Idempotency-Key": "02f974b5-7641-4a22-a8bc-f1370370f73c"},
    request={
        "pickup": {"lat": 48.8606, "lng": 2.3376},
        "dropoff": {"lat": 48.8738, "lng": 2.295},
        "product": "standard",
    },
    responses={
        200: {"trip_id": "tr_90021", "status": "requested"},
        409: {
            "error": "conflict",
            "message": "A new key, but the rider already has a trip that is requested, accepted or in progress",
        },
    },
)
rides.example(
    "POST /v1/trips/{trip_id}/accept",
    request={"trip_id": "tr_90021", "receipt": "trip=tr_90021;driver=d_5120;t=1765099800;sig=3f9a1c"},
    responses={
        200: {
            "trip_id": "tr_90021",
            "status": "accepted",
            "pickup": {"lat": 48.8606, "lng": 2.3376},
            "rider": {"first_name": "Ada", "rating": 4.9},
            "receipt": "trip=tr_90021;driver=d_5120;t=1765099800;sig=3f9a1c",
        },
        409: {"error": "conflict", "message": "The trip has gone"},
    },
)
rides.example(
    "POST /v1/trips/{trip_id}/decline",
    request={"trip_id": "tr_90021"},
    responses={204: None, 404: {"error": "not_found", "message": "No such trip"}},
)
rides.example(
    "PATCH /v1/trips/{trip_id}",
    request={"trip_id": "tr_90021", "status": "in_progress"},
    responses={
        200: {"status": "in_progress", "fare_cents": 4500},
        409: {"error": "conflict", "message": "Not the next status"},
    },
)
rides.example(
    "GET /v1/trips/{trip_id}",
    headers={"If-None-Match": "\"5d41402abc4b2a76\""},
    request={"trip_id": "tr_90021"},
    responses={
        200: {
            "status": "accepted",
            "driver": {"name": "Karim", "car": "Toyota Prius, grey", "plate": "GH-123-AB"},
            "fare_cents": 4500,
        },
        404: {"error": "not_found", "message": "No such trip"},
    },
)
rides.example(
    "POST /v1/trips/{trip_id}/cancel",
    request={"trip_id": "tr_90021", "reason": "Rider not at the pickup point"},
    responses={200: {"status": "cancelled"}, 409: {"error": "conflict", "message": "Too late"}},
)
rides.example(
    "PUT /v1/driver/status",
    request={"status": "available"},
    responses={200: {"status": "available"}, 409: {"error": "conflict", "message": "On a trip: end it first"}},
)
