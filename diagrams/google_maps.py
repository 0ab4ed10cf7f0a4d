"""Find places near you, get routes between two points, and a live ETA that follows traffic."""

from blueprint import System

maps = System(
    "Google Maps",
    schema="schemas/google_maps.sql",
    relationships=["locations 1-to-many places", "places 1-to-many media"],
)

# --- Components, in the order the groups should read left to right -------------------

client = maps.component("client", "Client", kind="mobile", group="Client",
                        role="A phone or browser: searches places, asks for routes, streams GPS fixes during a trip")

dns = maps.component("dns", "DNS", kind="dns", group="Edge",
                     role="Turns the maps domain into the address of the nearest entry point")
cdn = maps.component("cdn", "CDN", kind="cdn", group="Edge",
                     role="Serves tiles, photos, nearby-place answers for busy cells and popular routes from close to the user; "
                     "object storage and the tile server are the origins of files, the app and navigation servers (through the "
                     "load balancer) of nearby answers and routes")
load_balancer = maps.component("load_balancer", "Load balancer", kind="load_balancer", group="Edge",
                               role="Holds the client's WebSocket and gives it to a server with spare capacity")

server = maps.component("server", "App server", kind="server", group="Services",
                        role="Stateless front for place search: keeps the WebSocket, delegates each query")
trie_server = maps.component("trie_server", "Trie server", kind="trie", group="Services",
                             role="Completes a typed prefix into popular place names and addresses")
search_service = maps.component("search_service", "Search service", kind="service", group="Services",
                                role="Full-text search over place names, categories and addresses")
location_service = maps.component("location_service", "Location service", kind="service", group="Services",
                                  role="Answers 'what is near this point': the places of a 3 × 3 block of geohash cells, with the URLs of their media")
tile_server = maps.component("tile_server", "Tile server", kind="service", group="Services",
                             role="Part of the location service and the CDN's origin for vector tiles: cuts each zoom/x/y tile out of the spatial database with SQL")
navigation = maps.component("navigation", "Navigation service", kind="route_planner", group="Services",
                            role="Finds routes on the road graph and keeps each trip's ETA up to date; holds each trip's last fixes in memory")
map_matching = maps.component("map_matching", "Map-matching service", kind="service", group="Services",
                              role="Snaps a trip's noisy GPS fixes, handed over by the navigation server, to the road segments the car is really on")
route_ranking = maps.component("route_ranking", "Route ranking", kind="service", group="Services",
                               role="Filters candidate routes (tolls, ferries, closures) and orders them by ETA")
spark = maps.component("spark", "Spark jobs", kind="spark", group="Processing",
                       role="Batch jobs over trip history: road changes, hotspots, traffic patterns, and the partition cut")
customizer = maps.component("customizer", "Route customizer", kind="service", group="Processing",
                            role="Recomputes, about once a minute, the precomputed costs inside each partition whose "
                                 "segment speeds changed; the cut itself stays")

queue = maps.component("queue", "Message queue", kind="kafka", group="Messaging",
                       role="Kafka topic of GPS fixes with their matched segments, keyed by trip: feeds the trip history and the traffic service, never the live ETA")
pubsub = maps.component("pubsub", "Pub-sub", kind="pubsub", group="Messaging",
                        role="Kafka topics of traffic and weather updates, partitioned by region; each navigation server reads the regions of its trips")

search_index = maps.component("search_index", "Inverted index", kind="solr", group="Data stores",
                              role="Solr index from words to the locations whose names or addresses contain them")
location_cache = maps.component("location_cache", "Location cache", kind="redis", group="Data stores",
                                role="Location IDs per geohash cell, for the popular cells; entries expire after 5 minutes")
location_db = maps.component("location_db", "Location DB", kind="postgis", group="Data stores",
                             role="PostgreSQL + PostGIS: locations with a spatial index, and the vector tile data")
places_cache = maps.component("places_cache", "Places cache", kind="redis", group="Data stores",
                              role="The places at each location (metadata and media URLs), keyed by location ID; entries expire after 5 minutes")
places_db = maps.component("places_db", "Places DB", kind="postgresql", group="Data stores",
                           role="Places and their media records (name, category, rating, photo URLs)")
object_store = maps.component("object_store", "Object storage", kind="s3", group="Data stores",
                              role="S3: photos, videos, and pre-rendered raster tiles")
route_cache = maps.component("route_cache", "Route cache", kind="redis", group="Data stores",
                             role="Popular routes and popular graph partitions, in memory; entries expire after a minute, when the costs may change")
route_db = maps.component("route_db", "Route DB", kind="postgis", group="Data stores",
                          role="The road graph split into partitions, with routes precomputed between partition boundaries")
segment_cache = maps.component("segment_cache", "Segment cache", kind="redis", group="Data stores",
                               role="Metadata of road segments on popular routes and busy areas")
segment_db = maps.component("segment_db", "Road segments", kind="mongodb", group="Data stores",
                            role="MongoDB: one document per road segment (geometry, speed limit, lanes, turn rules)")
trip_store = maps.component("trip_store", "Trip store", kind="cassandra", group="Data stores",
                            role="Cassandra: each trip's record (route, last matched position, ETA) and every GPS fix, partitioned by trip ID")

traffic_service = maps.component("traffic_service", "Traffic service", kind="distinct_counter", group="Live feeds",
                                 role="Reads the matched fixes from the queue and turns them into live speeds per road segment each minute; "
                                      "counts vehicles with HyperLogLog")
weather_service = maps.component("weather_service", "Weather service", kind="service", group="Live feeds",
                                 role="Publishes current weather per region (rain, snow, fog) that slows traffic")

# --- Failure behaviour: every shard is replicated (the map-matching notes, "Scaling") ----

queue.fails(down="History and live traffic stop filling; routes and the live ETA go on, since neither reads the queue",
            slow="The trip store and the traffic service lag; live speeds grow stale, ETAs do not stop",
            loses_data="Lost fixes are missing from history and from that minute's speeds; the live ETA never used them",
            handling="Kafka with every partition on three brokers; a follower takes over a failed leader",
            redundant=True)
pubsub.fails(down="ETAs stop following traffic and weather: servers keep the last speeds they had, routes the last costs",
             slow="Live speeds and weather reach the navigation servers late",
             loses_data="Nothing lasting: the next minute's speeds and the next weather update replace what was lost",
             handling="Kafka topics with every partition on three brokers",
             redundant=True)
search_index.fails(down="Typed searches fail; nearby places, routes and the live ETA go on",
                   slow="Search results appear late; completions from the trie server still come",
                   loses_data="A lost shard is rebuilt from the location and places databases",
                   handling="Solr with every shard replicated",
                   redundant=True)
location_cache.fails(down="Every nearby search goes to the location database's read replicas: slower, but correct",
                     slow="Nearby searches are slow, unless the CDN holds the cell",
                     loses_data="Nothing is lost: it holds copies for 5 minutes, refilled on misses",
                     handling="Sharded by region, every shard replicated",
                     redundant=True)
location_db.fails(down="Nearby searches that miss the caches fail, and so do vector tiles the CDN does not hold",
                  slow="Nearby searches that miss the caches and new vector tiles are slow",
                  loses_data="Restored from a replica; edits come in through the admin service",
                  handling="PostgreSQL with PostGIS: a primary and read replicas, one promoted if the primary fails",
                  redundant=True)
places_cache.fails(down="The places of every nearby search come from the places database's read replicas",
                   slow="Nearby searches are slow, unless the CDN holds the cell",
                   loses_data="Nothing is lost: it holds copies for 5 minutes, refilled on misses",
                   handling="Sharded by region, every shard replicated",
                   redundant=True)
places_db.fails(down="Nearby searches that miss the places cache fail",
                slow="Nearby searches that miss the places cache are slow",
                loses_data="Restored from a replica",
                handling="PostgreSQL: a primary and read replicas, one promoted if the primary fails",
                redundant=True)
object_store.fails(down="Photos and raster tiles the CDN does not hold fail to load; the map's vector tiles still do",
                   slow="Photos and raster tiles the CDN does not hold load slowly",
                   loses_data="A lost photo is a broken image; object storage keeps every object in several zones",
                   handling="Managed object storage that stores each object in at least three availability zones",
                   redundant=True)
route_cache.fails(down="Every route request reads the route database's replicas: slower, but the same routes",
                  slow="Route requests are slow",
                  loses_data="Nothing is lost: entries live a minute and are refilled from the route database",
                  handling="Sharded by region, every shard replicated",
                  redundant=True)
route_db.fails(down="Routes the cache does not hold cannot be found; the customizer's and the batch jobs' writes wait",
               slow="Route requests that miss the cache are slow; the costs lag behind traffic",
               loses_data="Restored from a replica; the customizer recomputes the costs within a minute",
               handling="PostgreSQL with PostGIS: a primary and read replicas, one promoted if the primary fails",
               redundant=True)
segment_cache.fails(down="Map matching and route weighting read the segment store's replicas: slower, but correct",
                    slow="Matching falls behind; the service falls back to the nearest segment or the raw position",
                    loses_data="Nothing is lost: it holds copies, refilled from the segment store",
                    handling="Sharded by region, every shard replicated",
                    redundant=True)
segment_db.fails(down="Matching falls back to the nearest segment or the raw GPS position with historical speeds",
                 slow="Matching falls behind, with the same fallback",
                 loses_data="Restored from another member of the replica set",
                 handling="A MongoDB replica set per shard, which elects a new primary in seconds",
                 redundant=True)
trip_store.fails(down="New trips cannot be started (the trip record is written first) and a trip cannot move to another "
                      "server; fixes wait on the queue",
                 slow="Route answers wait on the trip record; history lags",
                 loses_data="A node that lost data is repaired from the other two copies of each partition",
                 handling="Cassandra with three copies of every partition, so one node can fail",
                 redundant=True)

# Route requests and searches are the non-ETA part of the capacity's answers a user a day (0.2 x 360 = 72 reads):
# two route requests and ten searches or nearby lookups of them, so their paths run at that share of the peak reads
# (some 14,000 and 70,000 a second), each answer about the read size, 5 kB.
ROUTES_PER_READ = 2 / 72
SEARCHES_PER_READ = 10 / 72
MISS = 0.05  # a Redis cache miss: the capacity's hot fraction (a twentieth of the places, routes and segments)
NEARBY_CDN_MISS = 0.5  # assumed: the CDN holds the busy cells only, and typed searches skip it
ROUTE_CDN_MISS = 0.8  # assumed: few trips are popular enough for the CDN to hold
FILE_CDN_MISS = 0.05  # tiles and photos: the CDN holds the hot twentieth, as the caches do
SAVE_EVERY_30_S = 0.13  # a fix comes every 4 s; the trip record is saved every 30 s, once in about 7.5 fixes
RECONNECT = 0.01  # assumed: one route request in a hundred comes from a phone that moved to another server
CUSTOMIZE = 0.005  # once a minute per changed partition: some tens of writes a second, against some 14,000 route requests
BATCH = 0.001  # the Spark jobs read and write in bulk a few times an hour: nothing per route request

# The phone keeps one WebSocket open to the load balancer, which proxies it to the server that took it:
# an app server for place search, a navigation server during a trip.
maps.connection(client, load_balancer, "WebSocket")
maps.connection(load_balancer, server, "WebSocket")
maps.connection(load_balancer, navigation, "WebSocket")

# --- Navigation service (the high-level design) --------------------------------------

nav = maps.path("navigation", "Navigation service", per="read", times=ROUTES_PER_READ)
nav.stage("Answer a route request")
nav.step(1, client, load_balancer,
         "The client sends a route request (origin, destination, travel mode, and a request ID it keeps "
         "across retries) over its WebSocket.")
nav.step(2, load_balancer, navigation,
         "The load balancer hands the request to a navigation server with spare capacity.")
nav.step(3, navigation, route_cache,
         "The navigation service finds the graph partitions that hold the origin and the destination "
         "and looks up the routes precomputed between them.", effect="read")
nav.step(4, navigation, route_db,
         "It reads those partitions and their precomputed routes from the route store and caches them for a minute.",
         when="On a cache miss", effect="read", share=MISS)
nav.step(5, traffic_service, pubsub, "The traffic service publishes the current speed on each road segment, "
         "to the topic partition of the segment's region.", effect="write")
nav.step(6, weather_service, pubsub, "The weather service publishes the current conditions in each region.",
         effect="write",
         after_crash=("idempotent retry", "each update stands on its own and the next one replaces it; a route request "
                      "whose trip record (step 9) was not written is retried by the client with the same request ID"))
nav.step(7, pubsub, navigation,
         "Each navigation server reads both feeds for the regions its trips cross, as a consumer group of its own "
         "(in a shared group each update would reach only one server), and turns them into travel-time weights "
         "on the edges of the candidate routes.", effect="deliver")
nav.step(8, navigation, route_ranking,
         "The route ranking service sums the weights into an ETA per route, drops routes the user excluded "
         "and sorts the rest.")
nav.step(9, navigation, trip_store,
         "The navigation server writes the trip record: a trip ID derived from the client's request ID (so a retried "
         "request writes the same record), the chosen route and its ETA.", effect="write",
         idempotent_by="the trip ID, derived from the client's request ID",
         after_crash=("idempotent retry", "a record whose answer was lost: the client retries with the same request ID, "
                      "which rewrites the same record; the customizer's writes do not depend on it"))
nav.step(10, navigation, client,
         "The navigation service returns the best routes, their ETAs and the trip ID over the WebSocket (through the load "
         "balancer), and pushes a new ETA whenever the feeds change it.")
nav.stage("Keep the precomputed costs current")
nav.step(11, pubsub, customizer,
         "The route customizer, a consumer group of its own on the traffic topic, collects a minute of segment speeds.",
         effect="deliver", share=CUSTOMIZE)
nav.step(12, customizer, route_db,
         "Once a minute it recomputes the boundary-to-boundary costs of each partition whose speeds changed and "
         "writes them to the route store; the route cache's one-minute expiry lets step 4 pick them up.",
         effect="write", share=CUSTOMIZE,
         idempotent_by="the partition and the minute: each write overwrites that partition's costs")
nav.note("The source shows the navigation service only as a picture, with no numbered steps. "
         "The steps above are our reading of it, built from the source's list of data stores "
         "and consistent with the ETA path further down.")
nav.note("Finding a route is a shortest-path problem on a directed, weighted graph: intersections are the nodes, "
         "road segments the edges, and an edge's weight is the time to drive it. "
         "The source calls this 'calculating the ETA'; more precisely, the search finds the route, "
         "and the ETA is that route's total cost, refined by prediction (see the ETA section).")
nav.note("To scale, the graph is cut into partitions and the routes between each partition's boundary nodes are precomputed. "
         "A query then searches only inside the origin's and destination's partitions and hops between them "
         "on the precomputed routes.")
nav.note("Traffic and weather change the edge weights, not the shape of the graph, so the partitions stay; "
         "only the precomputed costs inside the affected partitions are recomputed (steps 11 and 12), which takes "
         "seconds per partition, so it runs every minute. Without it, a route that traffic makes the best would "
         "never be among the candidates: step 7 re-weights only the routes step 3 found.")
nav.note("If the customizer falls behind or stops, step 4 keeps reading the last costs it wrote: routes are "
         "chosen on older traffic, and step 7 still corrects each candidate's ETA live. Its writes are idempotent "
         "(each overwrites a partition's costs), so a redelivered minute of speeds only recomputes them again.",
         theme="Failures")
nav.note("A navigation server that dies takes its trips' WebSockets with it. The phone reconnects through the load "
         "balancer with its trip ID, and the new server resumes from the trip record (step 9 of the ETA path); "
         "the record is rewritten with the last matched position every 30 seconds or so, so at most that much "
         "progress is re-derived from fresh fixes.", theme="Failures")

# --- Map matching ---------------------------------------------------------------------

mm = maps.path("map_matching", "Map matching", per="write")  # one run per GPS fix
mm.stage("Match live, from memory")
mm.step(1, client, navigation,
        "During a trip the phone sends its trip ID and a batch of GPS fixes (position, GPS time, speed, accuracy) "
        "every few seconds over its WebSocket (held by the load balancer, as drawn in the ETA path).")
mm.step(2, navigation, map_matching,
        "The navigation server adds the batch to the trip's window of recent fixes, which it keeps in memory, "
        "and hands the window to the map-matching service directly.")
mm.step(3, map_matching, segment_cache,
        "It fetches the road segments around those fixes, looked up by the geohash cells they fall in.", effect="read",
        size="1 kB")
mm.step(4, map_matching, segment_db,
        "It reads the nearby segments from the road segment store with a geospatial query and caches them.",
        when="On a cache miss", effect="read", share=MISS, size="1 kB")
mm.step(5, map_matching, navigation,
        "It smooths the track with a Kalman filter, picks the most likely segments and returns the matched "
        "segment, position and speed; the navigation service updates the ETA from them.")
mm.step(6, navigation, trip_store,
        "Every 30 seconds or so, if fixes came in since its last save, the navigation server saves the last matched "
        "position and ETA into the trip record, so that another server can resume the trip. A server that lost the "
        "trip's WebSocket gets no more fixes, so it has nothing to save over the record of the server that took over.",
        effect="write", share=SAVE_EVERY_30_S,
        after_crash=("accepted", "a server that dies here loses the fixes it has not published yet: at most 1 batch "
                     "(a few seconds of one trip) is missing from history and traffic; the trip resumes from the "
                     "record just saved"))
mm.stage("Keep history and feed traffic, behind the queue")
mm.step(7, navigation, queue,
        "The navigation service publishes the fixes with their matched segments to the message queue, keyed by "
        "trip ID so that each trip's fixes stay in order.", effect="write",
        after_crash=("idempotent retry", "the fixes wait on the queue until the consumer writes them; one that crashes "
                     "before committing its offset reads them again and rewrites the same rows"))
mm.step(8, queue, trip_store,
        "A consumer appends the fixes to the trip store: partition key the trip ID, clustering key the GPS time, "
        "so a redelivered batch overwrites the same rows instead of adding new ones.", effect="write",
        idempotent_by="the trip ID and the fix's GPS time, the row's primary key")
mm.step(9, queue, traffic_service,
        "The traffic service, a second consumer group on the same topic, averages the matched speeds per segment "
        "over one-minute windows of GPS time and publishes them (step 5 of the navigation service).",
        effect="deliver")
mm.note("A fix is 100 B (the write size), but the segments around it are more: a handful of segments with their "
        "geometry, speed limit and turn rules, some 200 B each, about 1 kB a lookup (steps 3 and 4).", theme="Load")
mm.note("The source shows map matching only as a picture (GPS signals from the phone, the trip store, "
        "the map-matching service, road segments). The steps above are our reading of it, "
        "consistent with steps 10 to 12 of the ETA path.")
mm.note("The live match never reads back what it just published: the queue exists to lag at peaks, so a match "
        "that waited on it would be as old as the consumer lag at exactly the busiest time. The window of recent "
        "fixes lives in the navigation server that holds the trip's WebSocket; the queue and the trip store "
        "keep the history for the traffic service and the batch jobs.", theme="Freshness")
mm.note("Fixes are stamped with GPS time, which every phone receives from the satellites, not the phone's own "
        "settable clock; the traffic service windows by that time, so a batch that arrives late still lands in "
        "the minute it was driven. It publishes a minute once its slowest queue partition has reached GPS times "
        "some seconds past the minute's end; a batch later than that is left out of the live speeds, and the trip "
        "store still keeps it for the batch jobs. A redelivered fix is recognised by its trip ID and GPS time and counted once, "
        "and HyperLogLog's vehicle count is unchanged by a repeat.", theme="Freshness")
mm.note("Map matching is there to make the ETA accurate: the navigation service needs to know which road, "
        "and which direction of it, the car is on, not a noisy point that may sit between two parallel roads.")
mm.note("A Kalman filter blends each new fix with a prediction from the previous position and speed, "
        "trusting each in proportion to its accuracy, which removes most of the jitter. "
        "The source says the Kalman filter performs the map matching; strictly, it estimates a position, not a road, "
        "so choosing the segment needs a step on top, such as the Viterbi search described under ETA.",
        theme="Algorithm")
mm.note("Caches and data stores are sharded by geography: the shard key is a region (for example a geohash prefix) "
        "placed on a consistent-hash ring, so adding a node moves only about 1/N of the regions, "
        "and every shard is replicated.", theme="Scaling")
mm.note("The source says this sharding handles hotspots. Consistent hashing alone does not: a city at rush hour "
        "is one key and stays on one shard. Hot regions are split into finer geohash cells "
        "and served from more read replicas.", theme="Scaling")
mm.note("Monitoring watches the queue's consumer lag (which delays history and traffic, never the live ETA) and the "
        "map-matching latency. If matching falls behind or fails, "
        "the service falls back to the nearest segment (a k-nearest-neighbour lookup) or to the raw GPS position "
        "with historical speeds, so navigation degrades instead of stopping.", theme="Availability")

# --- Points of interest ---------------------------------------------------------------

poi = maps.path("points_of_interest", "Points of interest", per="read", times=SEARCHES_PER_READ)
poi.stage("Connect and search")
poi.step(1, client, dns, "The client resolves the maps domain name through DNS.", size="100 B")
poi.step(2, client, cdn,
         "The client asks the CDN for the points of interest near it; answers for busy areas are cached there, "
         "keyed by geohash cell.")
poi.step(3, cdn, load_balancer,
         "The CDN forwards a cell it does not hold to the load balancer, its origin for nearby answers. Typed "
         "searches do not pass the CDN: they travel over the client's WebSocket, which the same load balancer holds "
         "(the thick line).", when="On a CDN miss", share=NEARBY_CDN_MISS)
poi.step(4, load_balancer, server,
         "The load balancer gives the request, or the WebSocket, to an app server with spare capacity; the answer "
         "to a nearby request goes back through the CDN, which keeps it for 5 minutes.")
poi.step(5, server, trie_server,
         "While the user types, the server asks the trie server to complete the prefix.", size="200 B")
poi.step(6, server, search_service, "The server passes the submitted search text to the search service.")
poi.step(7, search_service, search_index,
         "The search service looks the words up in the inverted index and gets back the matching locations, ranked.",
         effect="read")
poi.stage("Find nearby places")
poi.step(8, server, location_service,
         "The server hands the 'what is near me' query to the location service: the geohash cell of the position, "
         "at a precision chosen from the radius, and an optional category.")
poi.step(9, location_service, location_cache,
         "The location service asks the location cache for the IDs of the locations in that cell and its 8 "
         "neighbours, one entry per cell.", effect="read", size="1 kB")
poi.step(10, location_service, location_db,
         "It queries a read replica of the location database for the cells it missed and caches each for 5 minutes.",
         when="On a cache miss", effect="read", share=MISS, size="1 kB")
poi.step(11, location_service, places_cache,
         "It fetches the places at those locations (name, category, rating, opening hours, media URLs) from the "
         "places cache, keyed by location ID, and keeps those of the asked category.", effect="read")
poi.step(12, location_service, places_db,
         "It reads the places of the locations it missed (WHERE location_id IN the list) from a read replica of the "
         "places DB, a second query to a second database, and caches them for 5 minutes.", when="On a cache miss",
         effect="read", share=MISS)
poi.stage("Fetch media and tiles")
poi.step(13, client, cdn,
         "The answer (through the server) carries each place's position and the URLs of its photos; the client "
         "keeps the places within its exact radius, sorts them by distance, and downloads photos and tiles "
         "(addressed zoom/x/y) from the CDN.")
poi.step(14, cdn, object_store,
         "The CDN fetches a photo or a raster tile it does not hold from object storage, its origin.",
         when="On a CDN miss", effect="read", share=FILE_CDN_MISS)
poi.step(15, cdn, tile_server,
         "It asks the tile server, the origin of vector tiles, for a vector tile it does not hold.",
         when="On a CDN miss", share=FILE_CDN_MISS)
poi.step(16, tile_server, location_db,
         "The tile server builds the tile with SQL on the spatial data (PostGIS clips and encodes a tile in one query).",
         when="On a CDN miss", effect="read", share=FILE_CDN_MISS)
poi.note("Only the answer is a page of places (5 kB, the read size): a DNS answer is about 100 B, ten completions "
         "of a prefix about 200 B, and the location IDs of nine geohash cells, 8 bytes each, about 1 kB "
         "(steps 1, 5, 9 and 10).", theme="Load")
poi.note("The source lists the tile server as one item (it 'provides SQL functionality on vector tiles'); "
         "it is drawn here as two steps, the request and the SQL query, so both arrows are visible.")
poi.note("The source has the location service fetch media and raster tiles itself, which would send every photo's "
         "bytes through it. Here it returns only URLs and the client downloads the files from the CDN, which is what "
         "the CDN is for; object storage and the tile server are only its origins.")
poi.note("Locations and places live in two databases, so the miss path is two queries in a row (steps 10 and 12), "
         "never a join: the location IDs of the cells, then the places at those locations. Each answer is cached on "
         "its own, so a hit on both needs no database at all.")
poi.note("When a cache is full it evicts the least recently used entry (LRU): places nobody has looked at lately "
         "make room for the ones people look at now. LRU alone would keep the busiest cells forever, so every entry "
         "also expires after 5 minutes, the staleness the requirements allow (the CDN's max-age is the same).",
         theme="Caching")
poi.note("A place that is edited (by its owner or a moderator, through an admin service not drawn here) is written to "
         "the places DB, and, if it moved, to the location DB; then its location's entry in the places cache and the "
         "entries of both its old and its new cell are deleted. If a delete is lost, or the service dies between "
         "the writes, the 5-minute expiry bounds how long the old answer is served.", theme="Caching")
poi.note("The CDN and the location cache are keyed by geohash cell, not by the user's exact position, "
         "so everyone in the same cell shares one cached answer.", theme="Caching")
poi.note("Tiles change rarely, so each is generated once, ahead of time for busy areas and zoom levels or on its "
         "first request elsewhere (step 16), then cached in the CDN and the client instead of being drawn on each "
         "request; this is what makes the map appear fast.", theme="Caching")
poi.note("The geohash precision follows the radius: 6 characters is a cell of about 1.2 km × 0.6 km, "
         "7 characters about 150 m × 150 m. A place just across a cell border is still near, "
         "so the service reads the cell and its 8 neighbours.", theme="Nearby search")
poi.note("GPS alone places a phone that is standing still poorly: near buildings the signal reflects "
         "before it arrives (the multipath effect) and the position jumps around.", theme="Location accuracy")
poi.note("The phone also uses the Wi-Fi access points it can see, whose positions are known, to pin down "
         "where a stationary user is.", theme="Location accuracy")
poi.note("The map in the browser is a mosaic: many small tiles, vector and raster, laid side by side "
         "make up one large picture.", theme="Map tiles")
poi.note("Each zoom level has its own set of tiles, with more detail the closer the user zooms.", theme="Map tiles")
poi.note("According to the source, zooming out doubles the tile count. It is the other way round, and by 4: "
         "each level of zooming in splits every tile into 4, so zoom level z has 4^z tiles (2^z × 2^z) "
         "and zooming out divides the count by 4.", theme="Map tiles")
poi.note("The source says Geohash identifies a tile. Tile servers usually address tiles as zoom/x/y "
         "or by a quadkey; a quadkey works like a geohash (each extra digit picks one of 4 sub-squares), "
         "but geohash itself is what the location index uses.", theme="Map tiles")
poi.note("Raster tiles are ready-made images (PNG, JPEG). The source recommends them for off-road trajectories "
         "and for loading detected map errors quickly: wherever there is no road data to style, "
         "a picture is simplest.", theme="Map tiles")
poi.note("A vector tile carries geometry (paths and polygons) instead of a picture of it.", theme="Vector tiles")
poi.note("Only the tiles of the current viewport and zoom level are sent, which saves bandwidth; "
         "vector tiles are also smaller than images of the same area.", theme="Vector tiles")
poi.note("The client applies the styling (colours, labels, night mode) as it draws, "
         "so the servers do not render a picture per style.", theme="Vector tiles")
poi.note("Vector data is grouped into tiles so that it can be cached and partitioned tile by tile.",
         theme="Vector tiles")
poi.note("The viewport (the visible window) contains a larger container in which every tile has an absolute position.",
         theme="Panning and zooming")
poi.note("Panning moves the container, not the tiles; tiles that scroll into view are fetched, "
         "those far outside are dropped.", theme="Panning and zooming")
poi.note("Places worldwide are found and verified with the help of Street View photos and satellite images.",
         theme="Map data")

# --- Estimated time of arrival --------------------------------------------------------

eta = maps.path("eta", "Estimated time of arrival", per="summary")  # the route request of the navigation path, told
# as the source tells it, and the fixes of map matching: their load is counted there
eta.stage("Find candidate routes")
eta.step(1, client, dns, "The client resolves the maps domain name through DNS.")
eta.step(2, client, cdn,
         "The client asks the CDN whether the route it wants is cached there (popular trips, such as airport to city "
         "centre). Only the route itself can be cached there: its ETA follows traffic, so it is computed live (steps 13 to 16).")
eta.step(3, cdn, load_balancer,
         "The CDN forwards a route it does not hold to the load balancer, its origin for routes. ETA, trip and "
         "traffic updates never pass the CDN: they flow both ways over the client's WebSocket, which the same load "
         "balancer holds (the thick line).", when="On a CDN miss", share=ROUTE_CDN_MISS)
eta.step(4, load_balancer, navigation,
         "The load balancer gives the request, or the WebSocket, to a navigation server with spare capacity.")
eta.step(5, navigation, route_cache, "The navigation service fetches the possible routes to the destination from the route cache.",
         effect="read")
eta.step(6, navigation, route_db,
         "It reads the routes from a read replica of the route database and caches them.", when="On a cache miss",
         effect="read", share=MISS)
eta.step(7, navigation, segment_cache,
         "For every road segment along those routes, it looks up the segment's details (speed limit, lanes, turn rules) in the segment cache.",
         effect="read")
eta.step(8, navigation, segment_db,
         "It reads the segments from a read replica of the road segment store and caches them.", when="On a cache miss",
         effect="read", share=MISS)
eta.stage("Match the trip to the road")
eta.step(9, navigation, trip_store,
         "A server that takes over a trip (its first server died) reads the trip record and the last stored fixes "
         "by trip ID and resumes from them.", when="After a reconnect to another server", effect="read", share=RECONNECT)
eta.step(10, navigation, map_matching,
         "It hands the map-matching service the trip's recent GPS signals, kept in its memory, to place the car on "
         "the road for a more accurate ETA.")
eta.step(11, map_matching, segment_cache,
         "The map-matching service looks up the road segments nearest to those signals in the segment cache.",
         effect="read")
eta.step(12, map_matching, segment_db,
         "It reads the segments it missed from the road segment store and caches them.", when="On a cache miss",
         effect="read", share=MISS)
eta.stage("Apply traffic and weather, then rank")
eta.step(13, weather_service, pubsub, "The weather service publishes the latest weather.", effect="write")
eta.step(14, traffic_service, pubsub,
         "The traffic service publishes the latest traffic per road segment, with vehicle counts estimated by HyperLogLog.",
         effect="write",
         after_crash=("idempotent retry", "each update stands on its own and the next minute's replaces it; the fixes "
                      "of step 17 do not depend on it"))
eta.step(15, pubsub, navigation,
         "The navigation service, a subscriber, receives the latest weather and traffic and re-weights the routes' edges.",
         effect="deliver")
eta.step(16, navigation, route_ranking, "The route ranking service filters the routes and sorts them by ETA.")
eta.stage("Learn from trips offline")
eta.step(17, navigation, queue, "The navigation service publishes the GPS signals, with their matched segments, "
         "to the message queue, to be processed asynchronously.", effect="write",
         idempotent_by="the trip ID and GPS time of each fix: a fix published twice is stored and counted once",
         after_crash=("idempotent retry", "the fixes wait on the queue until the consumer writes them; one that crashes "
                      "before committing its offset reads them again and rewrites the same rows"))
eta.step(18, queue, trip_store, "A consumer writes the signals to the trip store, keyed by trip ID and GPS time, "
         "so a redelivery rewrites the same rows.", effect="write",
         idempotent_by="the trip ID and the fix's GPS time, the row's primary key",
         after_crash=("idempotent retry", "the fixes are stored and the batch jobs have not read them yet; the next "
                      "run reads them, and rewriting what it detected changes nothing"))
eta.step(19, spark, trip_store,
         "Spark batch jobs read the trip data to detect changed roads, hotspots and traffic patterns.",
         effect="read", share=BATCH)
eta.step(20, spark, route_db, "The jobs write what they detected into the route database, asynchronously.",
         effect="write", share=BATCH)
eta.note("This path retells, as the source draws it, the route request of the navigation path and the fixes of "
         "map matching, so it adds no load of its own to the hot spots: counting both would count every route "
         "request twice and every fix once per route.", theme="Load")
eta.note("Step 18 is not in the source, which stops at the queue; it is added so the trip data that step 19 reads has a way in.")

eta.note("The road network is a directed graph: intersections are the nodes and road segments the edges, "
         "one per direction of travel.", theme="Road graph")
eta.note("The best route is the one with the least cost, where the cost mixes travel time and distance.",
         theme="Road graph")
eta.note("An edge's weight comes from the traffic and weather data, so the best route changes during the day.",
         theme="Road graph")

eta.note("The graph is split into partitions, and the routes inside each partition are precomputed.",
         theme="Graph partitioning")
eta.note("The source gives this precomputation a time complexity of sqrt(n), n being the number of intersections. "
         "That cannot be a running time: precomputing anything about n intersections takes at least n steps. What is about √n is the size of "
         "the boundary: a planar graph can be cut into balanced parts by removing O(√n) nodes "
         "(the planar separator theorem), and road networks behave much the same. Few boundary nodes is what makes "
         "the precomputation (one search per boundary node, inside its partition) and the overlay small.",
         theme="Graph partitioning")
eta.note("Partitions exist at several levels (city, region, country), so a long trip crosses a few large partitions "
         "instead of thousands of streets.", theme="Graph partitioning")
eta.note("Partitions meet at their boundary nodes: routes are joined there, and the precomputed boundary-to-boundary "
         "costs form a small overlay graph on which long queries run, which is what gives both accuracy and scale.",
         theme="Graph partitioning")
eta.note("Popular partitions and popular routes are cached, since the same trips are asked for again and again.",
         theme="Graph partitioning")

eta.note("The source says Dijkstra's algorithm runs in O(n log n), n being the number of intersections. "
         "With a binary heap it is O((V + E) log V) (O(E + V log V) with a Fibonacci heap); road graphs are sparse "
         "(E is a small multiple of V), which is the only reason the source's figure is close.",
         theme="Routing algorithms")
eta.note("Plain Dijkstra is too slow for a continent: it explores every node closer than the destination, millions of them. "
         "Production routers use A* or bidirectional search on top of precomputation "
         "(contraction hierarchies, or the partition overlay above).", theme="Routing algorithms")
eta.note("The source proposes Bellman-Ford, at O(V·E). The complexity is right, but the choice is not: Bellman-Ford is "
         "needed only when some edges have negative weights, and travel times never are; "
         "on road costs it is far slower than Dijkstra for the same answer.", theme="Routing algorithms")
eta.note("If traffic and weather make the shortest-distance route late, alternative routes are suggested.",
         theme="Routing algorithms")

eta.note("Map matching assigns each raw GPS signal to the road segment the vehicle was actually on.", theme="Map matching")
eta.note("Phones locate themselves with their built-in sensors: GPS, plus Wi-Fi, the cell network, "
         "the accelerometer and the compass.", theme="Map matching")
eta.note("The Viterbi algorithm (dynamic programming over a hidden Markov model) finds the most likely sequence of "
         "segments for a sequence of signals, in O(T·K²) for T signals with K candidate segments each.",
         theme="Map matching")
eta.note("A cheaper alternative searches the geohash cells around a signal for its nearest segments. "
         "The source calls this KNN 'with a minimum radius (k = 2)'; k is a count, not a radius: "
         "k = 2 returns the two closest segments (for example both directions of a road), "
         "and a radius only limits where candidates are looked for.", theme="Map matching")
eta.note("For real-time matching the source names a marginalized particle filter with an unscented Kalman filter: "
         "particles follow the hard, non-linear part of the state (which road, where on it), "
         "and each particle runs a Kalman filter (an unscented one copes with non-linear motion) "
         "for the rest, such as speed.", theme="Map matching")
eta.note("The source calls the Kalman filter optimal. It is the minimum-error estimator only when motion is linear and "
         "the noise Gaussian (otherwise it is merely the best linear one); and it combines many GPS signals into a better position, not directly into a road segment, "
         "which still has to be matched.", theme="Map matching")
eta.note("More inputs, such as traffic and weather, can be fed into the particle filter.", theme="Map matching")

eta.note("The ETA is predicted from time series of past trips (with their daily and weekly seasonality), "
         "map data, the route, and machine learning.", theme="Prediction")
eta.note("A Kalman filter also tracks the seasonal part of those time series (a state-space model).", theme="Prediction")
eta.note("Machine learning on historical time series predicts traffic conditions ahead of the trip, "
         "not only the traffic right now.", theme="Prediction")
eta.note("HyperLogLog counts the distinct vehicles on a segment in a time window with a few KB per counter "
         "(standard error about 1.04/√m for m registers: 1.6% with 4,096). It gives volume, not speed; "
         "speeds come from the timing of the GPS signals along the segment.", theme="Prediction")


# --- API: the plain HTTP calls; everything during a trip travels over the WebSocket ----
maps.endpoint(
    "GET", "/v1/places/nearby",
    "The points of interest in a geohash cell and its 8 neighbours, so that the client can keep those within its "
    "exact radius and sort them by distance; the CDN answers busy cells itself",
    starts=(poi, 2),
    request={"geohash": "string: the cell of the position, at a precision chosen from the radius (6 characters, about "
                        "1.2 by 0.6 km, for a radius up to about 600 m), so that everyone in the cell shares one cache key",
             "category?": "string: restaurant, fuel, museum …",
             "cursor?": "string: next_cursor from the previous page"},
    response={"places": "object[]: place ID, name, category, rating, position (for the client's distance filter), photo URLs",
              "next_cursor": "string: the next page of the 3 × 3 block; absent at the end"},
    status={200: "The places of the cell and its 8 neighbours", 304: "Unchanged since the ETag the client sent",
            400: "Not a geohash, or a cell too large to list", 429: "Over the read quota (Retry-After says when to try again)"},
    headers={"If-None-Match": "The ETag of the block's list the client holds"},
    response_headers={"Cache-Control": "Public, max-age=300, since place data may be minutes stale; the CDN keeps busy cells"},
)
maps.endpoint(
    "GET", "/v1/routes", "Candidate routes between two places, without their ETAs (those come live over the WebSocket)",
    starts=(eta, 2),
    request={"origin": "string: a place ID or a geohash cell, rounded so that popular trips share one cache key",
             "destination": "string: a place ID or a geohash cell",
             "mode?": "string: driving (the default), walking, cycling or transit"},
    response={"routes": "object[]: route ID, encoded polyline, road segment IDs and length"},
    status={200: "The candidate routes", 400: "An unknown place or cell, or an unsupported mode",
            404: "No route connects the two places", 429: "Over the read quota (Retry-After says when to try again)"},
    response_headers={"Cache-Control": "Public, max-age=60: the candidates follow the partition costs, which the route "
                                       "customizer recomputes every minute; the CDN keeps popular trips"},
)

# --- Capacity: a write is one GPS fix ---------------------------------------------------
maps.capacity(
    daily_active_users=(200_000_000, "Users who open the map on a given day (Google Maps reports over a billion a month); the source gives no figures"),
    writes_per_user_per_day=(360, "GPS fixes: about 24 minutes of navigation a day at one fix every 4 s, the requirements' rate; commuters more, most users less"),
    read_to_write=(0.2, "About 70 answers a user a day (ETA updates pushed twice a minute while navigating, searches, routes) against 360 fixes"),
    write_size=("100 bytes", "One GPS fix: trip ID, position, time, speed, heading and accuracy, with framing"),
    read_size=("5 kB", "Mostly ETA updates of a few hundred bytes, with place lists and route geometries of tens of kB"),
    retention=("90 days", "Raw fixes stay in the trip store for the batch jobs; what they learn is kept in the route database"),
    peak_to_average=(3, "Commute peaks; chosen so that the peak is the requirements' 10 million navigating phones"),
    hot_fraction=(0.05, "Reads cluster in cities: many users get the same places and routes, and ETA updates are not cached at all"),
)

# --- API examples: checked against the schemas above ---------------------------------
maps.example(
    "GET /v1/places/nearby",
    headers={"If-None-Match": "\"5d41402abc4b2a76\""},
    request={
        "geohash": "u09tvw",
        "category": "museum",
        "cursor": "eyJvZmZzZXQiOjIwfQ",
    },
    responses={
        200: {
            "places": [
                {
                    "place_id": "ChIJLU7jZClu5kcR4PcOOO6p3I0",
                    "name": "Eiffel Tower",
                    "category": "landmark",
                    "rating": 4.7,
                    "lat": 48.8584,
                    "lng": 2.2945,
                    "photo_urls": ["https://cdn.maps.example/p/eiffel-1.jpg"],
                },
            ],
            "next_cursor": "eyJvZmZzZXQiOjIwfQ",
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
maps.example(
    "GET /v1/routes",
    request={"origin": "ChIJD7fiBh9u5kcRYJSMaMOCCwQ", "destination": "u09tvw", "mode": "transit"},
    responses={
        200: {
            "routes": [
                {
                    "route_id": "r_1",
                    "polyline": "_p~iF~ps|U_ulLnnqC_mqNvxq`@",
                    "segment_ids": ["s_88120", "s_88121"],
                    "length_m": 5400,
                },
            ],
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
