"""Find the attractions within a radius of a point: geohash cells and their neighbours, read from caches and replicas."""

from blueprint import System

proximity = System(
    "Proximity Service",
    schema="schemas/proximity.sql",
    relationships=[
        "locations 1-to-1 attractions",
        "users 1-to-many attractions",
        "attractions 1-to-many reviews",
        "users 1-to-many reviews",
        "attractions 1-to-many media",
        "users 1-to-many media",
    ],
)

# --- Clients ---------------------------------------------------------------------------
creator = proximity.component("creator", "Creator", kind="client", group="Clients",
                              role="A business owner or editor who adds and edits attractions")
user = proximity.component("user", "User", kind="mobile", group="Clients",
                           role="Someone looking for attractions near where they are")

# --- Edge ------------------------------------------------------------------------------
dns = proximity.component("dns", "DNS", kind="dns", group="Edge",
                          role="Geo-DNS: writes resolve to the primary data center, reads to the nearest one")
cdn = proximity.component("cdn", "CDN", kind="cdn", group="Edge",
                          role="Serves attraction photos from close to the user; object storage is its origin")
load_balancer = proximity.component("load_balancer", "Load balancer", kind="load_balancer", group="Edge",
                                    role="Spreads requests over the app servers of its data center")
rate_limiter = proximity.component("rate_limiter", "Rate limiter", kind="rate_limiter", group="Edge",
                                   role="Per-client quotas: tight for writes, looser for reads, to turn away scrapers")

# --- Services --------------------------------------------------------------------------
server = proximity.component("server", "App server", kind="server", group="Services",
                             role="Stateless API: accepts new attractions, answers searches by calling the services")
trie_server = proximity.component("trie_server", "Trie server", kind="trie", group="Services",
                                  role="Completes a typed prefix into popular attraction names and categories")
search_service = proximity.component("search_service", "Search service", kind="service", group="Services",
                                     role="Full-text search over attraction names, categories and descriptions")
nearby_service = proximity.component("nearby_service", "Nearby service", kind="service", group="Services",
                                     role="Turns a point and a radius into geohash cells, and the cells into attractions sorted by distance")
review_service = proximity.component("review_service", "Review service", kind="service", group="Services",
                                     role="Returns an attraction's rating and newest reviews")
index_service = proximity.component("index_service", "Index service", kind="service", group="Services",
                                    role="Consumes 'attraction changed' events and updates the search index and the trie")
media_worker = proximity.component("media_worker", "Media workers", kind="worker", group="Services",
                                   role="Resize and compress uploaded photos, and strip their location metadata")

# --- Messaging -------------------------------------------------------------------------
queue = proximity.component("queue", "Message queue", kind="kafka", group="Messaging",
                            role="Kafka topic of 'attraction changed' events, read by the media workers and the index service")

# --- Data stores -----------------------------------------------------------------------
search_index = proximity.component("search_index", "Search index", kind="search_index", group="Data stores",
                                   role="Elasticsearch: inverted index from words to attraction IDs")
geohash_cache = proximity.component("geohash_cache", "Geohash cache", kind="redis", group="Data stores",
                                    role="Redis: for each popular geohash cell, the IDs and coordinates of the attractions in it")
location_db = proximity.component("location_db", "Location DB (primary)", kind="postgis", group="Data stores",
                                  role="PostgreSQL: users, locations with their geohash index, attractions, media rows")
location_replica = proximity.component("location_replica", "Location DB (replica)", kind="postgis", group="Data stores",
                                       role="A read replica of the location DB in the reader's data center")
attraction_cache = proximity.component("attraction_cache", "Attraction cache", kind="redis", group="Data stores",
                                       role="Redis: the details document of recently read attractions, by ID")
attraction_store = proximity.component("attraction_store", "Attraction details (primary)", kind="mongodb", group="Data stores",
                                       role="MongoDB: one document per attraction (description, hours, menu, fields that vary by category)")
attraction_replica = proximity.component("attraction_replica", "Attraction details (replica)", kind="mongodb", group="Data stores",
                                         role="A secondary of the attraction details replica set, in the reader's data center")
review_replica = proximity.component("review_replica", "Reviews DB (replica)", kind="postgresql", group="Data stores",
                                     role="The review service's own PostgreSQL database, read from a replica in the reader's data center")
object_store = proximity.component("object_store", "Object storage", kind="s3", group="Data stores",
                                   role="S3: raw and processed photos, and compressed logs")

# --- The same components in two data centers, for the replication picture ---------------
load_balancer_a = proximity.component("load_balancer_a", "Load balancer A", kind="load_balancer",
                                      group="Data center A (primary)", role="Entry point of the primary data center")
server_a = proximity.component("server_a", "App servers A", kind="server", group="Data center A (primary)",
                               role="Accept writes; also serve reads for users near data center A")
location_db_a = proximity.component("location_db_a", "Location DB A (primary)", kind="postgis",
                                    group="Data center A (primary)", role="The only copy of the location DB that accepts writes")
attraction_db_a = proximity.component("attraction_db_a", "Attraction details A (primary)", kind="mongodb",
                                      group="Data center A (primary)", role="The primary of the attraction details replica set")
load_balancer_b = proximity.component("load_balancer_b", "Load balancer B", kind="load_balancer",
                                      group="Data center B (secondary)", role="Entry point of a secondary data center")
server_b = proximity.component("server_b", "App servers B", kind="server", group="Data center B (secondary)",
                               role="Serve reads from the local replicas; send writes to data center A")
location_db_b = proximity.component("location_db_b", "Location DB B (replica)", kind="postgis",
                                    group="Data center B (secondary)", role="A streaming replica of location DB A, read-only")
attraction_db_b = proximity.component("attraction_db_b", "Attraction details B (replica)", kind="mongodb",
                                      group="Data center B (secondary)", role="A secondary of the attraction details replica set, read-only")

# --- Failure behaviour ---------------------------------------------------------------------
queue.fails(down="Attractions are stored but wait to be indexed and their photos processed; the outbox keeps the events",
            slow="New attractions reach keyword search and get photos minutes late",
            loses_data="An event Kafka lost after its row was stamped is gone: that attraction is indexed at its next edit; "
                       "photos still processing after an hour are republished by the sweep",
            handling="Partitions replicated on three brokers; the relay stamps a row only after the acknowledgement",
            redundant=True)
search_index.fails(down="Keyword searches and suggestions by name fail; nearby searches without words still work",
                   slow="Keyword searches slow down; nearby results are unaffected",
                   loses_data="Rebuilt by replaying the attractions' current rows through the index service",
                   handling="Each data center has its own index, so geo-DNS can send readers to another",
                   redundant=True)
geohash_cache.fails(down="Every nearby search reads its cells from the local replica: slower, still correct",
                    slow="Searches wait, then read the replica",
                    loses_data="Nothing is lost: misses refill it from the replica",
                    handling="Cache-aside with a TTL, a cluster per data center; the replica answers misses",
                    redundant=True)
attraction_cache.fails(down="Details come from the local secondary: slower, still correct",
                       slow="Pages wait, then read the secondary",
                       loses_data="Nothing is lost: misses refill it",
                       handling="Cache-aside with a TTL; the secondary answers misses",
                       redundant=True)
for store, what in ((location_db, "location DB"), (location_db_a, "location DB")):
    store.fails(down="Creators cannot add, edit or remove attractions; searches carry on from replicas and caches",
                slow="Writes time out; the creator retries with the same Idempotency-Key",
                loses_data=f"A replica is promoted; writes not yet shipped, at most 5 s of them, are lost",
                handling=f"Streaming replicas of the {what} in every data center; one is promoted by an operator "
                         "or a voter in a third site",
                redundant=True)
for store in (attraction_store, attraction_db_a):
    store.fails(down="New attractions cannot be stored (their details come first); reads use the secondaries",
                slow="Adds and edits time out; the creator retries with the same Idempotency-Key",
                loses_data="A secondary becomes primary; writes it had not received, at most 5 s of them, are lost",
                handling="A replica set with a secondary in every data center; it elects a primary with a majority",
                redundant=True)
for store in (location_replica, location_db_b):
    store.fails(down="Searches whose cells are not cached fail in this data center; geo-DNS can send readers elsewhere",
                slow="Cache misses slow the search down",
                loses_data="Copied again from the primary",
                handling="Another data center's replica, or the primary, serves instead",
                redundant=True)
for store in (attraction_replica, attraction_db_b):
    store.fails(down="Attractions whose details are not cached are left off the page",
                slow="Pages with uncached attractions load slowly",
                loses_data="Copied again from the primary",
                handling="The replica set's other members serve instead",
                redundant=True)
review_replica.fails(down="Pages come without ratings and reviews",
                     slow="Pages wait for the reviews",
                     loses_data="Copied again from the reviews primary",
                     handling="The reviews database has a primary and a replica per data center",
                     redundant=True)
object_store.fails(down="New photos cannot be uploaded; the CDN still serves the photos it holds",
                   slow="Uploads and the first view of a photo slow down",
                   loses_data="Not expected: S3 keeps each object in several zones",
                   handling="S3 replicates within a region; the CDN keeps popular photos",
                   redundant=True)

# --- Multi-data-center replication (the source's high-level design) ----------------------
# For the hot spots this picture runs once per write, with one read after it: the searches
# themselves are counted on the read path. The read path's caches miss this often:
MISS_CELLS = 0.01  # the whole world's cells fit in the geohash cache: a miss is an expired cell
MISS_DETAILS = 0.2  # the attraction cache keeps the popular part: the 80-20 rule
DNS = 0.05  # an app keeps a DNS answer for its TTL, so few requests start with a lookup
replication = proximity.path("replication", "Multi-data-center replication", per="write")
replication.step(1, creator, dns,
                 "The creator's app resolves the write host name; DNS answers with the primary data center, A.",
                 share=DNS)
replication.step(2, creator, load_balancer_a, "The creator sends the new attraction to data center A.")
replication.step(3, load_balancer_a, server_a, "The load balancer picks an app server there.")
replication.step(4, server_a, attraction_db_a, "The server writes the attraction's details document to the primary.",
                 effect="write",
                 after_crash=("reconciliation", "a details document no row names: nothing finds it, and a sweep removes it"))
replication.step(5, server_a, location_db_a,
                 "It writes the location and attraction rows, geohash included, to the primary location DB.",
                 effect="write",
                 after_crash=("accepted", "B lacks the write until replication ships it, at most 5 s: a lagging "
                              "replica leaves the read pool; losing A loses those seconds"))
replication.step(6, location_db_a, location_db_b,
                 "The primary streams its write-ahead log to the replica in data center B, asynchronously.",
                 effect="write",
                 after_crash=("accepted", "the two replicas lag independently, up to 5 s each: read step 12 leaves "
                              "off an attraction whose details have not arrived"))
replication.step(7, attraction_db_a, attraction_db_b,
                 "The details document reaches data center B through the replica set's own replication, also asynchronous.",
                 effect="write")
replication.step(8, user, dns,
                 "A user's app resolves the read host name; geo-DNS answers with the nearest data center, here B.",
                 share=DNS)
replication.step(9, user, load_balancer_b, "The user sends the nearby search to data center B.")
replication.step(10, load_balancer_b, server_b, "The load balancer picks an app server there.")
replication.step(11, server_b, location_db_b,
                 "The server finds the IDs of the attractions within the radius in the local replica, "
                 "through the geohash index (see the read path).", effect="read")
replication.step(12, server_b, attraction_db_b, "It reads their details from the local secondary.",
                 effect="read")
replication.note("Every write goes to one primary data center, so two creators can never edit one attraction "
                 "in two places at once and there is nothing to reconcile.")
replication.note("The source sends reads to the secondary data centers. More precisely, geo-DNS sends each reader "
                 "to the nearest data center, and that may be A: the primary serves reads too. "
                 "The point is that reads, far more numerous than writes, never need the primary.")
replication.note("Nearby attractions are found through a spatial index: the geohash cells around the point "
                 "give the candidate IDs, and an exact distance check keeps those within the radius.")
replication.note("Replication is asynchronous, so a replica lags by a moment (its lag is watched, and one more "
                 "than 5 s behind leaves the read pool until it catches up): a creator who reads through data center B "
                 "right after a write may not see the new attraction. Routing a creator's reads to A for a "
                 "few seconds after a write (read-your-writes) hides it; other users never notice.",
                 theme="Consistency and failure")
replication.note("If data center A is lost, a replica in B is promoted to primary and the write host name is pointed at it. "
                 "Writes acknowledged by A but not yet shipped are lost unless the replication is made synchronous "
                 "for them, which adds a round trip between data centers to every write.",
                 theme="Consistency and failure")
replication.note("Promotion is not automatic with two data centers. A MongoDB replica set elects a new primary only with "
                 "a majority of its voting members, and a PostgreSQL failover manager needs a quorum too; if A held the "
                 "majority, B cannot tell A's loss from a cut link and must be promoted by an operator. "
                 "A voter in a third site makes the failover automatic.", theme="Consistency and failure")
replication.note("Each data center has its own caches and search index, filled from its local replicas, "
                 "so a cache miss never crosses to another data center.", theme="Consistency and failure")

# --- Write path ------------------------------------------------------------------------
write = proximity.path("write", "Write path", per="write")
write.stage("Store the attraction")
write.step(1, creator, load_balancer,
           "The creator sends the new attraction (name, category, coordinates, details, photos) over HTTPS.")
write.step(2, load_balancer, rate_limiter,
           "The write counts against the creator's quota; above it the answer is HTTP 429.")
write.step(3, load_balancer, server, "The request goes to an app server in the primary data center.")
write.step(4, server, attraction_store,
           "The server takes a new attraction ID and stores the details document under it.", effect="write",
           after_crash=("reconciliation", "a details document no row names: nothing finds it, and the sweep removes it"))
write.step(5, server, object_store, "It puts the raw photos into object storage.", effect="write",
           after_crash=("reconciliation", "raw photos no media row names; the sweep deletes them"))
write.step(6, server, location_db,
           "It computes the 12-character geohash of the coordinates and inserts the location row, the "
           "attraction row, a media row per photo and an outbox row (the 'attraction changed' event) in one "
           "transaction; a media row starts `processing`, names only the raw upload and is shown to nobody.",
           effect="write",
           after_crash=("outbox", "the event is a row of this transaction: the relay publishes it later, so a crash loses nothing"))
write.step(7, server, queue,
           "The server's outbox relay publishes the event (the attraction's ID, as the Kafka key) so the slow "
           "work happens later, and stamps the outbox row once Kafka has acknowledged it; a relay that dies "
           "in between publishes the row again, which the consumers absorb.", effect="write",
           after_crash=("idempotent retry", "the event waits in Kafka until each consumer group commits its offset; "
                        "a republished event is absorbed by the consumers' keys"))
write.stage("Process photos and index")
write.step(8, queue, [media_worker, index_service],
           "The media workers and the index service each read the event from their own consumer group.",
           effect="deliver")
write.step(9, media_worker, object_store,
           "A media worker writes resized, compressed copies of each photo, without the GPS metadata, "
           "under a key made from the media row's ID, so a redelivered event overwrites the same file.",
           effect="write", idempotent_by="the media row's ID, which names the processed file",
           after_crash=("idempotent retry", "a file nobody links to and an uncommitted offset: the event comes "
                        "again and both writes repeat harmlessly"))
write.step(10, media_worker, location_db,
           "Only after the file is written does it mark the media row `ready` with the file's URL "
           "(`media_ready`), then commit its offset. Readers show ready photos only.",
           effect="write", idempotent_by="the media row's ID: marking it ready again writes the same URL",
           after_crash=("idempotent retry", "step 13 is the index service's, in its own consumer group: each "
                        "replays from its own committed offset"))
write.step(11, index_service, location_db,
           "The index service reads the attraction's current row and geohash from the primary; none means it "
           "was removed. It reads the current state, not the event's, so a late or repeated event cannot undo a newer one.",
           effect="read")
write.step(12, index_service, attraction_store, "It reads the attraction's details.", effect="read")
write.step(13, index_service, search_index,
           "It writes the search document (name, category, description, geohash) under the attraction's ID, "
           "replacing the old one, or deletes it for a removed attraction: a repeated event changes nothing.",
           effect="write", idempotent_by="the attraction ID, with the current state read at step 11")
write.step(14, index_service, trie_server,
           "It updates the trie for autocompletion: the new name in, and a name that an edit or a removal "
           "retired out.")

write.note("The location DB's spatial index is the B-tree on the geohash column: every cell is a prefix, "
           "so the rows of a cell are one range of the index (see the read path).", theme="Spatial index")
write.note("The geohash is computed from latitude and longitude by interleaving their bits, five bits a "
           "character; see [Geohash](concepts/geohash.md).", theme="Spatial index")
write.note("A [quadtree](concepts/quadtree.md) is the alternative: it splits a square into four until each leaf holds at most, say, 100 "
           "attractions, so dense cities get small leaves and deserts large ones. It lives in the memory of "
           "every nearby-service server, is rebuilt when a server starts, and must be updated on every write: "
           "that is the operational cost the source mentions.", theme="Spatial index")
write.note("The source says a plain relational database performs poorly because of float values. Floats are not "
           "the problem: a B-tree indexes them well. The problem is two dimensions: an index on (latitude, "
           "longitude) narrows by latitude only, then scans the whole band of longitudes. A spatial index "
           "(a GiST R-tree in PostGIS) or a one-dimensional key (the geohash) fixes that.", theme="Spatial index")
write.note("With a geohash, a radius query is a handful of range scans of one ordinary index, which any "
           "database, cache or key-value store can do; that is what makes it fast and portable.",
           theme="Spatial index")
write.note("Steps 4 to 6 write three stores without a shared transaction. The rows that make the attraction findable "
           "are written last, so a failure in between leaves an orphan details document or raw photo (removed by a "
           "sweep), never a search result without details in the primary data center. Elsewhere the location "
           "replica and the document secondary lag independently, so read step 12 skips an attraction whose "
           "details have not arrived yet.", theme="Consistency")
write.note("A photo URL is published only once its file exists: the processed file is written first (step 9), the "
           "row marked ready after (step 10). A worker that crashes in between leaves a file nobody links to and "
           "an uncommitted offset, so the event comes again and both writes are repeated harmlessly. A photo "
           "that cannot be processed is marked `failed`; rows still `processing` an hour later are published "
           "again by a sweep. Until then the attraction is shown without that photo, never with a broken link "
           "that a CDN could cache.", theme="Consistency")
write.note("The event is a row of step 6's transaction (a transactional outbox), not a publish after the commit: "
           "a server that died between a commit and a publish would leave an attraction nobody indexes. The "
           "relay publishes at least once, so the consumers write by ID (steps 9 and 13). Change data capture "
           "from the write-ahead log would give the same guarantee without the table.", theme="Consistency")
write.note("Nothing on the write path writes the caches. They are filled by reads (cache-aside) and their entries "
           "expire after a TTL, so a new attraction appears in nearby results within that TTL; "
           "attractions change rarely and a few minutes' delay is acceptable.", theme="Consistency")
write.note("The stateful services (databases, caches, search index) are partitioned by geography, for example by "
           "a geohash prefix, so a region's data sits together and a failure affects one region.",
           theme="Operations")
write.note("System logs are compressed and kept in object storage, the cheapest durable place for them.",
           theme="Operations")
write.note("Data with money attached (paid listings, advertising bills) is replicated to more nodes than the "
           "rest: losing it costs more than the extra copies.", theme="Operations")

# --- Read path -------------------------------------------------------------------------
KEYWORDS = 0.3  # about one search in three types words
read = proximity.path("read", "Read path", per="read")
read.stage("Reach a server and search by name")
read.step(1, user, dns, "The user's app resolves the service's host name; geo-DNS returns the nearest data center.",
          share=DNS)
read.step(2, user, load_balancer, "The app sends its request (position, radius, optional keywords) over HTTPS.")
read.step(3, load_balancer, rate_limiter,
          "The read counts against the client's quota, which stops scrapers from copying the whole catalogue.")
read.step(4, load_balancer, server, "The load balancer passes the request to an app server in that data center.")
read.step(5, server, trie_server, "While the user types, the server asks the trie server for completions.",
          share=KEYWORDS)
read.step(6, server, search_service, "For a keyword search, the server passes the words to the search service.",
          share=KEYWORDS)
read.step(7, search_service, search_index,
          "The search service looks the words up in the inverted index and gets back matching attraction IDs.",
          effect="read", share=KEYWORDS)
read.stage("Find nearby attractions")
read.step(8, server, nearby_service, "The server asks the nearby service for the attractions within the radius.")
read.step(9, nearby_service, geohash_cache,
          "The nearby service picks the cell precision for the radius, takes the point's cell and its eight "
          "neighbours, and reads those nine keys from the geohash cache.", effect="read")
read.step(10, nearby_service, location_replica,
          "For each cell that was not cached, it reads the cell's rows (a range of the geohash index) from the "
          "local replica and caches them with a TTL.", when="On a cache miss", effect="read", share=MISS_CELLS)
read.step(11, nearby_service, attraction_cache,
          "It keeps the attractions within the radius (haversine distance), sorts them by distance, takes one page "
          "and reads their details and photo URLs from the attraction cache.", effect="read")
read.step(12, nearby_service, attraction_replica,
          "It reads the missing details from the local secondary and caches them. An attraction whose details "
          "have not yet reached this data center's secondary is left off the page, not shown bare.",
          when="On a cache miss", effect="read", share=MISS_DETAILS)
read.step(13, nearby_service, location_replica,
          "It reads those attractions' ready photos (`photos`) from the local replica and caches their URLs "
          "with the details.", when="On a cache miss", effect="read", share=MISS_DETAILS)
read.stage("Reviews and photos")
read.step(14, server, review_service, "The server asks the review service for the page's ratings and newest reviews.")
read.step(15, review_service, review_replica, "The review service reads them from a replica of the reviews table.",
          effect="read")
read.step(16, server, user,
          "The server returns the page: attractions with distance, details, rating, reviews and photo URLs.")
read.step(17, user, cdn, "The app loads the photos from the CDN.")
read.step(18, cdn, object_store, "The CDN fetches the photo from object storage and keeps it.", when="On a CDN miss",
          effect="read", share=0.2)

read.note("The source has the client try the CDN first, for the requested attraction. A CDN can only answer what is "
          "the same for everyone: photos, and at most a static attraction page. A nearby search depends on the "
          "exact position, so it goes to the servers; the CDN comes in at step 17.", theme="Caching")
read.note("The client keeps responses for a short TTL, so scrolling back or reopening the app costs no request.",
          theme="Caching")
read.note("The caches evict the least recently used entries (LRU): busy cells and popular attractions stay in memory.",
          theme="Caching")
read.note("The caches are cache-aside: the nearby service reads the cache, on a miss reads the store and fills the "
          "cache (steps 9 to 13); entries expire by TTL, since the write path does not touch them.", theme="Caching")
read.note("Results are paginated, nearest first, with a cursor (the last distance and ID), so the first page "
          "returns quickly and later pages never repeat an attraction.", theme="Caching")

read.note("The cells to read: at the finest precision whose cells are taller and wider than the radius "
          "(in degrees, east-west widened by 1/cos(latitude)), the point's cell plus its eight neighbours "
          "always cover the circle. The neighbours are needed because the point can sit a metre from its "
          "cell's edge or corner, with much of the circle in the cells around it.", theme="Spatial search")
read.note("Geohashes that share a prefix are close together, but close points need not share a prefix: "
          "either side of the equator or the Greenwich meridian, neighbouring cells have no common prefix at all. "
          "That is why neighbours are computed, never guessed from the prefix.", theme="Spatial search")
read.note("Reading the neighbouring cells solves the boundary problem: an attraction just across an edge is in "
          "one of the eight, and the distance check drops the ones outside the circle.", theme="Spatial search")
read.note("The source denormalizes the locations table with a multi-character geohash. With a B-tree, one "
          "12-character column serves every precision, since a shorter cell is a prefix and so a range; "
          "separate keys per precision pay off in the cache, which can only look up exact keys.",
          theme="Spatial search")
read.note("The source suggests Euclidean distance. On raw degrees it is wrong: a degree of longitude is 111 km at "
          "the equator and half that at 60°. Use the haversine formula (as in the SQL below), or for ranking "
          "within a few kilometres, Euclidean distance after scaling longitude by cos(latitude).",
          theme="Spatial search")
read.note("PostGIS can also answer 'the k nearest' directly: ORDER BY the distance operator with a LIMIT walks "
          "its GiST index, about log n plus k steps. K nearest is not within r: add a distance filter "
          "(ST_DWithin) when the radius matters.", theme="Spatial search")
read.note("For the hot spots: about one search in three types words (steps 5 to 7); the geohash cache, holding "
          "the whole world, misses only where a cell's TTL ran out, about one read in a hundred; the attraction "
          "cache misses one in five (the 80-20 rule); an app looks up DNS only when its kept answer expires.",
          theme="Caching")
read.note("Services find each other through service discovery (a registry the instances join and leave), "
          "so instances can be added or replaced without configuration changes.", theme="Operations")


# --- API ---------------------------------------------------------------------------------
READ_LIMITED = {429: {"Retry-After": "Seconds to wait before trying again",
                      "RateLimit": "What is left of the quota and when it refills (IETF draft), e.g. \"default\";r=0;t=30"}}

proximity.endpoint(
    "GET", "/v1/attractions/nearby",
    "The attractions within a radius of a point, nearest first, optionally matching keywords",
    starts=(read, 2),
    request={"lat": "number: latitude of the point, -90 to 90",
             "lng": "number: longitude of the point, -180 to 180",
             "radius": "integer: metres, from 1 to 40,000 (40 km)",
             "q?": "string: keywords, matched by the search service (steps 6 and 7)",
             "category?": "string: restaurant, market, museum …",
             "cursor?": "string: next_cursor from the previous page (the last distance and ID)",
             "limit?": "integer: attractions per page, 20 by default, at most 50"},
    response={"attractions": "object[]: ID, name, category, distance in metres, rating and a photo URL, nearest first",
              "next_cursor?": "string: opaque position of the next page; absent at the end"},
    status={200: "One page, nearest first", 400: "A latitude or longitude out of range, or a radius outside 1 m to 40 km",
            401: "No valid token",
            429: "Over the read quota: the rate limiter's guard against scrapers (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the app or the signed-in user: the rate limiter's quotas are per client (step 3)"},
    response_headers={"Cache-Control": "private, max-age=60: the app keeps the answer briefly; no shared cache could reuse it, since no two users stand at one point",
                      **READ_LIMITED},
)
proximity.endpoint(
    "GET", "/v1/suggestions", "Complete what the user is typing into popular attraction names and categories",
    starts=(read, 5),
    request={"prefix": "string: what has been typed so far, at least one character",
             "limit?": "integer: completions, 8 by default"},
    response={"suggestions": "string[]: the most popular matches, best first"},
    status={200: "The completions", 400: "An empty prefix", 401: "No valid token",
            429: "Over the read quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the app"},
    response_headers={"Cache-Control": "private, max-age=300: completions of a prefix change slowly", **READ_LIMITED},
)
proximity.endpoint(
    "GET", "/v1/attractions/{attraction_id}",
    "One attraction's details, photos, rating and newest reviews: the read path's steps 11 to 15 for one ID",
    starts=(read, 2),
    request={"attraction_id": "string: the attraction"},
    response={"attraction": "object: name, category, position, address and the details document (hours, menu, fields by category)",
              "rating": "number: average stars, 1 to 5",
              "reviews": "object[]: the newest reviews",
              "photos": "string[]: CDN URLs of the processed photos"},
    status={200: "The attraction", 304: "Unchanged since the ETag the app sent", 401: "No valid token",
            404: "No such attraction",
            429: "Over the read quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the app",
             "If-None-Match": "The ETag of the copy the app holds"},
    response_headers={**{code: {"ETag": "The attraction's version with the newest review's ID: an edit or a new review changes it",
                                "Cache-Control": "private, max-age=300: minutes-old details are acceptable here"}
                         for code in (200, 304)},
                      **READ_LIMITED},
)
proximity.endpoint(
    "POST", "/v1/attractions",
    "A creator adds an attraction; it shows up in nearby results once the cached cells around it expire, and in keyword search once the index service has read the event",
    starts=(write, 1),
    request={"name": "string: the attraction's name",
             "category": "string: restaurant, market, museum …",
             "lat": "number: latitude, -90 to 90",
             "lng": "number: longitude, -180 to 180",
             "address?": "string: the street address",
             "details?": "object: description, opening hours, menu, fields that vary by category (the details document)",
             "photos?": "object[]: each photo's content type and bytes (base64), a few megabytes at most"},
    response={"attraction_id": "string: the new attraction",
              "geohash": "string: the 12-character geohash of its position"},
    status={201: "Stored in the primary data center; visible in searches within minutes (cache TTL, indexing)",
            400: "A missing name or category, or coordinates out of range", 401: "No valid token",
            403: "Not a creator account", 413: "The photos are over the size limit",
            429: "Over the write quota, far tighter than the read quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the creator",
             "Idempotency-Key": "The app's ID for this add, stored with the attraction (request_key, unique per creator): a retried add fails on it and returns the first attraction_id instead of a duplicate"},
    response_headers={201: {"Location": "/v1/attractions/{attraction_id}"},
                      429: {"Retry-After": "Seconds to wait before trying again"}},
)
proximity.endpoint(
    "PATCH", "/v1/attractions/{attraction_id}",
    "The owner edits an attraction (a new position gets a new geohash); like an add, the change reaches searches only when the cached cells expire and the index service has read the event",
    starts=(write, 1),
    request={"attraction_id": "string: the attraction",
             "name?": "string: the new name", "category?": "string: the new category",
             "lat?": "number: new latitude", "lng?": "number: new longitude",
             "details?": "object: fields of the details document to replace"},
    response={"attraction_id": "string: the attraction", "updated_at": "string: ISO 8601 time of this edit"},
    status={200: "Stored in the primary data center; searches follow within minutes",
            400: "Coordinates out of range, or an unknown field", 401: "No valid token",
            403: "Not the attraction's creator", 404: "No such attraction",
            412: "The ETag in If-Match is no longer current: someone edited it (the update is conditional on the version, so of two edits one wins), or a review arrived. Read it again and redo the edit",
            429: "Over the write quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the creator",
             "If-Match": "The ETag of the version the edit was based on"},
    response_headers={200: {"ETag": "The new version, for the next edit's If-Match"},
                      429: {"Retry-After": "Seconds to wait before trying again"}},
)
proximity.endpoint(
    "DELETE", "/v1/attractions/{attraction_id}",
    "The owner removes an attraction: its rows and a 'removed' outbox row go in one transaction, and the relayed event tells the index and the media workers; cached cells may still list it until their TTL runs out",
    starts=(write, 1),
    request={"attraction_id": "string: the attraction"},
    status={204: "Removed from the primary data center; gone from searches within minutes",
            401: "No valid token", 403: "Not the attraction's creator", 404: "No such attraction",
            429: "Over the write quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the creator"},
    response_headers={429: {"Retry-After": "Seconds to wait before trying again"}},
)

# --- Capacity: a "write" is one attraction added or edited, a "read" one search or details view
proximity.capacity(
    daily_active_users=(100_000_000, "Assumption: a large consumer app; the source gives no scale"),
    writes_per_user_per_day=(0.001, "Assumption: adds and edits are rare, about 100,000 a day across all creators"),
    read_to_write=(5_000, "Assumption: five nearby searches or details views per user a day; the requirements say reads outnumber writes by orders of magnitude"),
    write_size=("5 kB", "The rows and the details document of one attraction; photos go to object storage and are not counted"),
    read_size=("10 kB", "A page of 20 attractions with name, distance, rating and photo URLs, or one attraction's details and reviews"),
    retention=("10 years", "Attractions stay until their owner removes them; ten years bounds it"),
    peak_to_average=(3, "Lunch and evening peaks in the busiest regions"),
    hot_fraction=(0.2, "80-20 rule: busy cells and popular attractions draw most reads"),
)

# --- API examples: checked against the schemas above ---------------------------------
proximity.example(
    "GET /v1/attractions/nearby",
    request={
        "lat": 48.8584,
        "lng": 2.2945,
        "radius": 2000,
        "q": "crêpes",
        "category": "museum",
        "cursor": "eyJvZmZzZXQiOjIwfQ",
        "limit": 20,
    },
    responses={
        200: {
            "attractions": [
                {
                    "attraction_id": "a_4410",
                    "name": "Eiffel Tower",
                    "category": "landmark",
                    "distance_m": 350,
                    "rating": 4.7,
                    "photo_url": "https://cdn.proximity.example/photos/a_4410/1.jpg",
                },
            ],
            "next_cursor": "eyJvZmZzZXQiOjIwfQ",
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
proximity.example(
    "GET /v1/suggestions",
    request={"prefix": "eif", "limit": 20},
    responses={
        200: {"suggestions": ["Eiffel Tower", "Eiffel Tower Restaurant"]},
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
proximity.example(
    "GET /v1/attractions/{attraction_id}",
    headers={"If-None-Match": "\"5d41402abc4b2a76\""},
    request={"attraction_id": "a_4410"},
    responses={
        200: {
            "attraction": {
                "name": "Eiffel Tower",
                "category": "landmark",
                "lat": 48.8584,
                "lng": 2.2945,
                "address": "Champ de Mars, 5 Av. Anatole France, Paris",
                "details": {"hours": "09:00-23:45"},
            },
            "rating": 4.5,
            "reviews": [{"user_id": "u_90017", "stars": 5, "text": "Go at night", "created_at": "2026-12-06T21:40:00Z"}],
            "photos": ["https://cdn.proximity.example/photos/a_4410/1.jpg"],
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
proximity.example(
    "POST /v1/attractions",
    headers={"Idempotency-Key": "c23b2df2-9495-463f-8f06-0ed63efa99da"},
    request={
        "name": "Musée Rodin",
        "category": "museum",
        "lat": 48.8553,
        "lng": 2.3159,
        "address": "77 Rue de Varenne, Paris",
        "details": {"hours": "09:00-23:45", "description": "Wrought-iron lattice tower on the Champ de Mars"},
        "photos": [{"content_type": "image/jpeg", "bytes": "/9j/4AAQSkZJRgABAQ"}],
    },
    responses={
        201: {
            "attraction_id": "a_4410",
            "geohash": "u09tgw",
        },
        429: {"error": "rate_limited", "message": "Over the write quota, far tighter than the read quota"},
    },
)
proximity.example(
    "PATCH /v1/attractions/{attraction_id}",
    headers={"If-Match": "\"7\""},
    request={
        "attraction_id": "a_4410",
        "name": "Eiffel Tower",
        "category": "museum",
        "lat": 48.8584,
        "lng": 2.2945,
        "details": {"hours": "09:00-23:45", "description": "Wrought-iron lattice tower on the Champ de Mars"},
    },
    responses={
        200: {"attraction_id": "a_4410", "updated_at": "2026-12-07T09:30:00Z"},
        412: {"error": "precondition_failed", "message": "Someone edited it since the ETag in If-Match"},
    },
)
proximity.example(
    "DELETE /v1/attractions/{attraction_id}",
    request={"attraction_id": "a_4410"},
    responses={204: None, 429: {"error": "rate_limited", "message": "Over the write quota"}},
)
