"""Show each user, in near real time, what the people they follow have posted."""

from blueprint import System

newsfeed = System(
    "Facebook Newsfeed",
    schema="schemas/newsfeed.sql",
    relationships=[
        "users 1-to-many feed_items",
        "users 1-to-many post_requests",
        "users many-to-many users through follows",
    ],
)

# --- Client --------------------------------------------------------------------------
client = newsfeed.component("client", "Client", kind="client", group="Client",
                            role="A browser or app that posts feed items and reads timelines")
author = newsfeed.component("author", "Author", kind="client", group="Client",
                            role="The user who posts a feed item")
follower = newsfeed.component("follower", "Follower", kind="client", group="Client",
                              role="A user who follows the author and reads the home timeline")

# --- Edge ----------------------------------------------------------------------------
dns = newsfeed.component("dns", "DNS", kind="dns", group="Edge",
                         role="Turns the site's domain name into the address of the nearest entry point")
cdn = newsfeed.component("cdn", "CDN", kind="cdn", group="Edge",
                         role="Serves images and videos from a location close to the reader")
load_balancer = newsfeed.component("load_balancer", "Load balancer", kind="load_balancer", group="Edge",
                                   role="Spreads connections over the web servers")
rate_limiter = newsfeed.component("rate_limiter", "Rate limiter", kind="rate_limiter", group="Edge",
                                  role="Rejects clients that post or refresh more often than their quota")

# --- Services ------------------------------------------------------------------------
web_server = newsfeed.component("web_server", "Web server", kind="web_server", group="Services",
                                role="Stateless: gives each new item its ID (kept under the post's Idempotency-Key) and queues it, and forwards feed requests")
timeline_service = newsfeed.component("timeline_service", "Timeline service", kind="service", group="Services",
                                      role="Assembles a home timeline or a user timeline for the reader")
user_info = newsfeed.component("user_info", "User info service", kind="service", group="Services",
                               role="Keeps the follow graph and each user's category (active, inactive, celebrity) in memory, told of every follow")

# --- Messaging -----------------------------------------------------------------------
message_queue = newsfeed.component("message_queue", "Message queue", kind="message_queue", group="Messaging",
                                   role="Buffers new feed items so that posting returns before publishing is done")

# --- Processing ----------------------------------------------------------------------
fanout = newsfeed.component("fanout", "Fanout service", kind="service", group="Processing",
                            role="Takes each new item off the queue and hands it to the stores and to feed generation")
feed_generation = newsfeed.component("feed_generation", "Feed generation", kind="service", group="Processing",
                                     role="The feed generation service: publishes a new item into the home timelines of the author's followers")

# --- Data stores ---------------------------------------------------------------------
home_cache = newsfeed.component("home_cache", "Home timeline cache", kind="redis", group="Data stores",
                                role="Per active user: the IDs of the newest items of their home timeline, precomputed (a sorted set, trimmed to a few hundred)")
item_cache = newsfeed.component("item_cache", "Feed item cache", kind="redis", group="Data stores",
                                role="Feed items by ID, each for an hour at most: filled on reads (cache-aside), and ahead of time for authors with many followers")
user_cache = newsfeed.component("user_cache", "User timeline cache", kind="redis", group="Data stores",
                                role="Per author: the IDs of their latest items (a sorted set)")
timelines_db = newsfeed.component("timelines_db", "Timelines (Cassandra)", kind="cassandra", group="Data stores",
                                  role="User timelines: each author's items, newest first, one partition per author and month")
sql_db = newsfeed.component("sql_db", "SQL primary", kind="postgresql", group="Data stores",
                            role="Users, the follow graph, every feed item by its ID, and each post's Idempotency-Key")
sql_replica = newsfeed.component("sql_replica", "SQL replica", kind="postgresql", group="Data stores",
                                 role="A read-only follower of the SQL primary that serves lookups, feed items by ID among them")
object_store = newsfeed.component("object_store", "Object storage", kind="s3", group="Data stores",
                                  role="Holds the images and videos embedded in feed items")

# --- Failure behaviour -----------------------------------------------------------------
message_queue.fails(
    down="Posting fails with 503 after the ID is recorded; the client's retry with the same Idempotency-Key queues it",
    slow="Posts are still accepted (202), but reach followers' feeds late",
    loses_data="Nothing acknowledged is lost: the web server answers 202 only once three brokers hold the item",
    handling="A replicated queue (Kafka, say): every message on three brokers, one of which takes over a failed leader",
    redundant=True)
home_cache.fails(
    down="Home timelines are pulled from Cassandra instead (read step 10): slower pages, and a far heavier Cassandra load",
    slow="Feeds load slowly; pushes lag behind, and the fan-out's queue messages wait unacknowledged",
    loses_data="Lost lists are rebuilt by a pull on their next read; pushes skip a missing list, so none is left partial",
    handling="A sharded Redis cluster with a replica per shard that takes over; a lost list is rebuilt from Cassandra",
    redundant=True)
item_cache.fails(
    down="Every item is read by ID from the SQL replicas, which then carry the whole read load",
    slow="Pages wait on the MGET; the items still come from the replicas on a miss",
    loses_data="Nothing is lost: it holds copies, refilled from the SQL replicas on the next miss",
    handling="A sharded Redis cluster with a replica per shard; entries live an hour at most",
    redundant=True)
user_cache.fails(
    down="Celebrity items and profile pages are read from Cassandra instead (read steps 10 and 14)",
    slow="Feeds of users who follow celebrities, and profile pages, load slowly",
    loses_data="Nothing is lost: a missing list is rebuilt from Cassandra, and pushes skip it until then",
    handling="A sharded Redis cluster with a replica per shard",
    redundant=True)
timelines_db.fails(
    down="Fan-out stops (queue messages stay unacknowledged and are redelivered later); pulls, and profile pages "
         "the user timeline cache does not hold, fail",
    slow="Publishing lags, and feeds of inactive users and profile pages load slowly",
    loses_data="A node that lost data is repaired from the other two copies of each partition",
    handling="Cassandra with three copies of every partition, written and read at QUORUM, so one node can fail",
    redundant=True)
sql_db.fails(
    down="Posting, deleting and following fail with 503, and the fan-out waits (redelivered later); reads go on from "
         "the replicas",
    slow="Posts and follows time out; clients retry them with the same Idempotency-Key, or the same PUT",
    loses_data="Nothing acknowledged is lost: a commit returns only once the synchronous standby holds it",
    handling="A synchronous standby in another zone, promoted when the primary fails, besides the read replicas",
    redundant=True)
sql_replica.fails(
    down="The other replicas take its lookups; with all of them down, cache misses and follow lookups fail",
    slow="Cache misses are slow; a lagging replica leaves a just-pushed item out until the next refresh",
    loses_data="Nothing is lost: a replica is a copy of the primary, and a new one is rebuilt from it",
    handling="Several read replicas behind one address, each rebuilt from the primary when it fails",
    redundant=True)
object_store.fails(
    down="New media cannot be uploaded, so posts with media fail; the CDN still serves the files it holds",
    slow="Uploads and media the CDN does not hold load slowly",
    loses_data="A lost file would leave an item with a broken image; object storage keeps every file in several zones",
    handling="Managed object storage that stores each file in at least three availability zones",
    redundant=True)

# Shares of the conditional steps: what the page does not give is assumed and said so.
BIG_AUTHOR = 0.01  # assumed: one post in a hundred comes from an account above the follower threshold
FOLLOWS_CELEBRITY = 0.5  # assumed: half the feed reads are by users who follow at least one celebrity
MISS = 0.2  # a cache or list miss: one read in five, the capacity's 80-20 rule
PROFILE = 0.1  # assumed: one read in ten is a profile page rather than a home timeline
CDN_MISS = 0.2  # the CDN keeps the hot fifth of the media, which draws four requests in five


# --- Home timeline: how an item is published and fetched -----------------------------
# One run per post: it publishes the item, then a follower reads it (the read path counts all reads).
# The overview retells steps of the write and read paths below, so it adds no load of its own.
home = newsfeed.path("home_timeline", "Home timeline", per="summary")

home.stage("Publish an item")
home.step(1, author, web_server, "The author posts a feed item: some text and the URLs of any images or videos.")
home.step(2, web_server, message_queue,
          "The web server gives the item its ID (the one already stored under the post's Idempotency-Key, if this "
          "is a retry: write steps 5 and 6) and puts it on the message queue.", effect="write",
          after_crash=("idempotent retry", "the item is queued and the author may have no answer; a retry queues it "
                       "again under the same ID, and every later write is keyed by it"))
home.step(3, message_queue, fanout, "The fanout service takes the item off the queue.", effect="deliver")
home.step(4, fanout, timelines_db,
          "The fanout service stores the item in the author's user timeline in Cassandra (the write path shows "
          "every store it writes).", effect="write", idempotent_by="the item ID, fixed before queueing",
          after_crash=("idempotent retry", "the message is not acknowledged yet, so it is delivered again and the "
                       "rest runs keyed by the same ID"))
home.step(5, fanout, item_cache,
          "The item is cached under its ID before the author's many readers ask for it.",
          when="If the author has more followers than a threshold", share=BIG_AUTHOR, effect="write",
          idempotent_by="the item ID, the cache key",
          after_crash=("idempotent retry", "the message is redelivered, and caching the item again changes nothing"))
home.step(6, fanout, feed_generation, "The fanout service hands the item to the feed generation service.")
home.step(7, feed_generation, user_info,
          "Feed generation asks who follows the author, and which of them are active, inactive or celebrities.")
home.step(8, feed_generation, home_cache,
          "**Push** (fan-out on write): unless the author is a celebrity, the item's ID goes into the cached "
          "home timeline of every active follower whose list the cache still holds.", effect="write",
          idempotent_by="the item ID: a ZADD of an ID already in the list changes nothing")

home.stage("Read the home timeline")
home.step(9, follower, web_server,
          "A follower opens the app and asks for the home timeline (through the load balancer: see the read path).")
home.step(10, web_server, timeline_service, "The web server asks the timeline service for the follower's home timeline.")
home.step(11, timeline_service, home_cache,
          "For an active user, the timeline service reads the precomputed list of item IDs: no work is left to do.",
          effect="read")
home.step(12, timeline_service, user_cache,
          "**Hybrid**: the service fetches the latest item IDs of the celebrities the user follows and merges them "
          "into the pushed list.",
          when="If the user follows celebrities", effect="read", share=FOLLOWS_CELEBRITY)
home.step(13, timeline_service, timelines_db,
          "**Pull** (fan-out on load): nothing was pushed for an inactive user, so the service reads the latest "
          "items of each followee now (looking back a few months at most) and merges them. A list the cache no "
          "longer holds (a home timeline, or a celebrity's latest IDs) is rebuilt the same way.",
          when="For an inactive user, or on a cache miss", effect="read", share=MISS)
home.step(14, timeline_service, item_cache,
          "The service turns the IDs into items with one batched read (`MGET`).", effect="read")
home.step(15, timeline_service, sql_replica,
          "The items the cache does not hold are read by ID from a SQL replica and cached; then the page goes "
          "back to the follower.",
          when="On a cache miss", effect="read", share=MISS)
home.note("Only the home timeline of an active user is precomputed and kept in the cache; "
          "it holds item IDs, not items, so an edit or a deletion is never copied into every follower's timeline.",
          theme="Publishing models")
home.note("Inactive users get no publishing at all: their home timeline is built from their followees' timelines "
          "when they come back (the pull model, fan-out on load).",
          theme="Publishing models")
home.note("Active users who follow ordinary accounts get everything pushed ahead of time (the push model, "
          "fan-out on write): reading the list is one cache lookup.",
          theme="Publishing models")
home.note("Celebrities are handled with a hybrid: their items are not pushed to millions of followers but pulled "
          "and merged into each follower's pushed timeline when the follower reads it.",
          theme="Publishing models")
home.note("The caches serve most reads; Cassandra and the SQL replicas are read only by pulls and on cache misses "
          "(steps 13 and 15).",
          theme="Caching")
home.note("A user's category is not fixed: someone who returns after months becomes active (their timeline is "
          "built once by a pull, then kept up by pushes), and an account that passes the follower threshold "
          "becomes a celebrity.",
          theme="Caching")
home.note("Crossing the threshold must not lose or double items. An account becomes a celebrity above the "
          "threshold but stops being one only well below it, so it does not flap. Its followers go on pulling it "
          "for a week after a demotion, because its items of the celebrity period were never pushed; after a "
          "promotion, its older items arrive both pushed and pulled, so the merge drops repeated IDs.",
          theme="Caching")


# --- Write path ----------------------------------------------------------------------
write = newsfeed.path("write", "Write path", per="write")

write.stage("Accept the item")
write.step(1, client, object_store,
           "The client uploads the item's images and videos straight to object storage, through presigned "
           "upload URLs that a web server signed for keys it chose, before it posts the item.", effect="write")
write.step(2, client, load_balancer,
           "The client opens an HTTPS connection to the load balancer to post a feed item, with an "
           "Idempotency-Key that its retries repeat.")
write.step(3, load_balancer, rate_limiter,
           "The post is checked against the client's write quota; a client over its limit gets HTTP 429 and stops here.",
           size="100 B")
write.step(4, load_balancer, web_server, "The load balancer passes the connection to a web server with spare capacity.")
write.step(5, web_server, [object_store, sql_db],
           "The web server first checks each media key with a HEAD request to object storage: the file must exist "
           "and be under 12 hours old by the bucket's own Last-Modified, so that step 9 clears its 'pending' tag "
           "long before the one-day lifecycle rule can delete it (400 otherwise). It then mints a time-sortable ID and records it under the author and the Idempotency-Key "
           "(`post_requests`, whose primary key is that pair). If the pair is already there, this is a retry: the "
           "server takes the first attempt's ID instead, or answers 409 if the request differs from the first.",
           effect="write", size="200 B",
           after_crash=("idempotent retry", "an ID recorded under the Idempotency-Key and not queued; the client has "
                        "no 202, so it retries, finds that ID and queues it (step 6); one that gives up has seen an "
                        "error, and the row goes after a day"))
write.step(6, web_server, message_queue,
           "The web server puts the item (ID, text and media URLs) on the message queue for asynchronous "
           "processing. A retry queues it again under the same ID, which covers a first attempt that died "
           "before queueing and costs nothing otherwise.", effect="write",
           after_crash=("idempotent retry", "the item is queued whether or not the 202 arrives; a retry queues it "
                        "again under the same ID, and the fanout's writes are keyed by it"))
write.step(7, web_server, client,
           "The web server answers at once (HTTP 202 Accepted, with the item's ID); publishing to followers happens "
           "after the client has its answer.", size="100 B")

write.stage("Store the item")
write.step(8, message_queue, fanout, "The fanout service takes the item off the queue.", effect="deliver")
write.step(9, fanout, object_store,
           "If the item has media, the fanout service removes their 'pending' tag, so that the bucket's lifecycle "
           "rule no longer applies to them; repeating it is harmless.", effect="write", size="100 B",
           idempotent_by="the media keys: a tag removed twice stays removed",
           after_crash=("idempotent retry", "the queue message is not acknowledged, so it is delivered again "
                        "and steps 9 to 16 run once more, each keyed by the item ID"))
write.step(10, fanout, sql_db,
           "The fanout service records the item (author, text, media URLs, and the time inside its ID) in the SQL "
           "database, under its ID: "
           "this is where a lookup by item ID ends up. If the row exists and is marked deleted (a late retry of a "
           "post deleted since), the item goes no further.", effect="write",
           idempotent_by="the item ID, the primary key (INSERT … ON CONFLICT DO NOTHING)",
           after_crash=("idempotent retry", "the queue message is not acknowledged, so it is delivered again "
                        "and steps 9 to 16 run once more, each keyed by the item ID"))
write.step(11, fanout, timelines_db,
           "The fanout service writes the item into the author's user timeline in Cassandra, in the partition of "
           "the month in which its ID was minted (read from the timestamp inside the ID, not from this service's "
           "clock), where items sort newest first. The write carries that time as its Cassandra timestamp "
           "(CQL's USING TIMESTAMP clause), so a redelivery rewrites the cell with the same one and a later delete's "
           "tombstone, stamped with the time of the delete, always wins.", effect="write",
           idempotent_by="the item ID, with the month and the write timestamp taken from it",
           after_crash=("idempotent retry", "the queue message is not acknowledged, so it is delivered again "
                        "and steps 9 to 16 run once more, each keyed by the item ID"))
write.step(12, fanout, item_cache,
           "The item is cached under its ID ahead of time, because thousands of readers will ask for it at once; "
           "only the latest few items of each such author are kept this way.",
           when="If the author has more followers than a threshold", share=BIG_AUTHOR, effect="write",
           idempotent_by="the item ID, the cache key",
           after_crash=("idempotent retry", "the queue message is not acknowledged, so it is delivered again "
                        "and steps 9 to 16 run once more, each keyed by the item ID"))
write.step(13, fanout, user_cache,
           "The fanout service adds the item's ID to the author's user timeline cache, a sorted set of IDs, "
           "if the cache still holds that set.", effect="write", size="100 B",
           idempotent_by="the item ID: a ZADD of an ID already in the set changes nothing",
           after_crash=("idempotent retry", "the queue message is not acknowledged, so it is delivered again "
                        "and steps 9 to 16 run once more, each keyed by the item ID"))

write.stage("Publish to followers")
write.step(14, fanout, feed_generation,
           "The fanout service reads the row's `deleted_at` again, on the primary: a delete that committed while "
           "steps 11 to 13 ran may have made its removals before these writes, so if it is set, the fanout service "
           "removes what it wrote (the Cassandra row and both cache entries) and stops. Otherwise it "
           "hands the item to the feed generation service, and acknowledges the queue message "
           "only when feed generation reports the fan-out done (for a big account: queued in batches, see the notes), "
           "so a crash anywhere before that means redelivery.")
write.step(15, feed_generation, user_info,
           "Feed generation asks the in-memory user info service for the author's followers and for the category "
           "of each user: active non-celebrity, inactive, or celebrity.", size="2 kB")
write.step(16, feed_generation, home_cache,
           "For an author who is not a celebrity, feed generation pushes the item's ID into the cached home timeline "
           "of every active follower whose list the cache still holds (fan-out on write). This costs O(n) writes, "
           "where n is the number of followers.", effect="write",
           idempotent_by="the item ID: a ZADD of an ID already in a list changes nothing")

write.note("Feed items are ranked, sorted and merged into a follower's home timeline as they are pushed, so reading it "
           "needs no further work. Ranking can be by recency or by a relevance score; either way the list is "
           "trimmed to a few hundred IDs.",
           theme="Building the home timeline")
write.note("The home timeline of an active user lives in the home timeline cache (Redis), so a read is a single "
           "lookup by user ID.",
           theme="Building the home timeline")
write.note("An inactive follower gets nothing pushed; their home timeline is pulled together when they next read it "
           "(fan-out on load).",
           theme="Who gets what")
write.note("A celebrity's item is not pushed at all. Followers merge it into their home timeline on demand "
           "when they read (the hybrid push-pull model).",
           theme="Who gets what")
write.note("An alternative for celebrities pushes the item only to the followers who are online, in batches. "
           "It is not the better option: the work still grows with the follower count, and followers who come "
           "online later need a pull anyway.",
           theme="Who gets what")
write.note("The SQL database also holds the follow graph (who follows whom); the user info service keeps a copy "
           "of it in memory, so a fan-out does not query SQL once per follower.",
           theme="Storage")
write.note("The item cache is filled in two ways: ahead of time here (step 12), for authors whose items many readers "
           "will ask for at once, and on every read that misses (read step 12). An item of an ordinary author is "
           "therefore cached by its first reader.",
           theme="Storage")
write.note("Pushes (steps 13 and 16) only add to lists the cache still holds: a short Lua script runs `ZADD` "
           "and the trim only if the key `EXISTS`. Adding to an evicted list would create a list holding just "
           "the new item, which a reader would take for the whole timeline and never see as a miss. A list the "
           "cache has lost is rebuilt from Cassandra on its next read (read step 10) instead.",
           theme="Storage")
write.note("A rebuild and a push can cross: the reader reads Cassandra, an item is stored and its push skipped "
           "because the list is missing, and then the reader writes a list without it. So the rebuild, after "
           "writing the list, reads the same window of each followee again and adds all it finds with `ZADD` (an ID "
           "already there changes nothing); an item stored after that second read finds the list and is pushed. "
           "It re-reads the window, not just the IDs above the newest it saw: items reach Cassandra out of ID order, "
           "each after its own wait in the queue, so an older ID can arrive late.",
           theme="Storage")
write.note("A Cassandra partition per author would grow without bound. Adding the month to the partition key "
           "keeps every partition small; a profile page reads the current month first and goes back only if it "
           "needs more items. The month comes from the ID, which was fixed once at step 5, so a redelivery after "
           "a month boundary writes the same cell, not a second copy in the next month's partition.",
           theme="Storage")
write.note("A big account's fan-out is millions of writes. Feed generation splits its followers into batches and "
           "puts each batch on the queue as a message of its own, so a crash repeats one batch, not the whole "
           "fan-out, and the item's own message is acknowledged once every batch is queued.",
           theme="Delivery")

write.note("The source keeps item IDs in the user timeline cache to deduplicate deliveries. A cache that may evict "
           "those IDs, checked after the other writes, cannot make publishing idempotent. Here the item's ID is "
           "fixed before it is queued (step 5) and stored under the post's Idempotency-Key, so a redelivery and a "
           "client's retry both carry the same ID, and every write is keyed by it: an upsert in Cassandra, "
           "`INSERT … ON CONFLICT DO NOTHING` in SQL, `ZADD` to the Redis sorted sets. Doing the work twice then "
           "changes nothing.",
           theme="Corrections")
write.note("Why the key goes to SQL and not to Redis: a retry comes seconds or minutes later, and a key that an "
           "eviction or a failover has lost would let it post twice. The insert is one small row per post, a "
           "load the primary carries easily (see the capacity); an hourly statement deletes the rows older than a day, "
           "through an index on their creation time, so the table holds one day of posts.",
           theme="Delivery")
write.note("An edit or a delete (`DELETE /v1/feed_items/{item_id}`) changes the item's own records in a fixed "
           "order: it marks the SQL row deleted (`deleted_at`), then removes the Cassandra row, then deletes the "
           "item cache key and the ID from the user timeline cache. A reader that missed the cache just before "
           "the delete may put the old item back from a lagging replica, so item cache entries carry a time to "
           "live of an hour, and the delete removes the key a second time after the replicas' lag. A fan-out still "
           "under way when the delete commits cleans up after itself (step 14). Home "
           "timelines keep the ID; a reader skips a deleted item.",
           theme="Edits and deletes")
write.note("Media uploaded for a post that never comes would stay in the bucket for ever. So the presigned upload "
           "URLs sign an `x-amz-tagging` header that tags each file 'pending', and a lifecycle rule deletes files "
           "still tagged after a day; step 9 removes the tag before the item is recorded. A crash between the two "
           "leaves untagged files that a redelivery then records. Step 5 refuses media uploaded more than 12 hours "
           "earlier (400), so only a queue that lags half a day could let the rule delete a file an item needs.",
           theme="Storage")
write.note("The source has the fanout service hand the media on to object storage. In fact, images and videos "
           "should not travel through the message queue (Kafka, for one, limits messages to about 1 MB by default): "
           "the client uploads them first (step 1) and the item carries only their URLs.",
           theme="Corrections")


# --- Read path -----------------------------------------------------------------------
read = newsfeed.path("read", "Read path", per="read")

read.stage("Reach the timeline service")
read.step(1, client, dns, "The client resolves the site's domain name through DNS.", size="100 B")
read.step(2, client, load_balancer, "The client opens an HTTPS connection to the load balancer to fetch the newsfeed.")
read.step(3, load_balancer, rate_limiter,
          "The request is checked against the client's read quota; a client over its limit gets HTTP 429.",
          size="100 B")
read.step(4, load_balancer, web_server, "The load balancer passes the connection to a web server with spare capacity.")
read.step(5, web_server, timeline_service, "The web server asks the timeline service for the user's newsfeed.")

read.stage("Assemble the home timeline")
read.step(6, timeline_service, user_info,
          "The timeline service asks the user info service whom the user follows, and whether the user is active, "
          "inactive, or follows celebrities.", size="2 kB")
read.step(7, user_info, sql_replica,
          "The user info service reads the missing user or follow data from a SQL replica.",
          when="On a cache miss", effect="read", share=MISS, size="2 kB")
read.step(8, timeline_service, home_cache, "The service reads the list of feed item IDs from the user's home timeline cache.",
          effect="read", size="200 B")
read.step(9, timeline_service, user_cache,
          "The service fetches the latest item IDs of each followed celebrity and merges them into the list "
          "(the hybrid model).",
          when="If the user follows celebrities", effect="read", share=FOLLOWS_CELEBRITY, size="200 B")
read.step(10, timeline_service, timelines_db,
          "Nothing was pushed for an inactive user, so the service pulls the latest items of each followee from "
          "Cassandra and merges them (fan-out on load), reading the current month and going back a few months at "
          "most. The same read fills a home timeline or a celebrity's list that the cache no longer holds, and "
          "serves the pages past the end of the cached list.",
          when="For an inactive user, on a cache miss, or past the cached list", effect="read", share=MISS)
read.step(11, timeline_service, item_cache,
          "The service fetches the items for all the IDs in one round trip, with a Redis `MGET`.", effect="read")
read.step(12, timeline_service, sql_replica,
          "For the IDs the `MGET` did not find, the service reads the items by primary key from a SQL replica "
          "(one `WHERE id IN (…)` query) and caches them.",
          when="On a cache miss", effect="read", share=MISS)

read.stage("Another user's timeline")
read.step(13, timeline_service, user_cache,
          "To show one user's own timeline (a profile page), the service reads that user's item IDs from the "
          "user timeline cache, then turns them into items as in steps 11 and 12.", effect="read", share=PROFILE,
          size="200 B")
read.step(14, timeline_service, timelines_db,
          "The service reads the user's timeline from Cassandra, newest month first.",
          when="On a cache miss", effect="read", share=PROFILE * MISS)

read.stage("Load the media")
read.step(15, client, cdn, "The client asks the CDN for the images and videos whose URLs came with the feed items.")
read.step(16, cdn, object_store, "The CDN fetches the file from object storage and keeps a copy.", when="On a CDN miss",
          effect="read", share=CDN_MISS)

read.note("Only the items are a page (20 kB, the read size). A page of item IDs, from the home timeline cache or a "
          "user timeline, is 20 IDs of 8 bytes with framing, about 200 B; whom a user follows, or an author's "
          "followers with their categories, a few hundred IDs, about 2 kB; a DNS answer and a quota check about "
          "100 B. On the write path an ID row, a tag change and a ZADD of one ID are 100 to 200 B.",
          theme="Load")
read.note("Inactive users fetch their home timeline by pull (fan-out on load): the first read after a long absence "
          "is slower, and it is then cached so that pushes can keep it current.",
          theme="Publishing models")
read.note("Active users who follow celebrities read a hybrid: the pushed home timeline plus the celebrities' items, "
          "merged on demand. A user follows few celebrities, so the merge costs only a few extra lookups.",
          theme="Publishing models")
read.note("Lookups go to SQL replicas, which keeps the primary free for writes. A replica may lag the primary by a "
          "moment, which a newsfeed tolerates: an item pushed in that moment and not yet on the replica is left "
          "out of this page and appears on the next refresh. That holds because the page's ETag is computed from "
          "the items actually returned, not from the list of IDs, so the refresh does not get a 304.",
          theme="Storage")
read.note("A pull reads each followee's partitions from the current month backwards, and a quiet followee's are "
          "mostly empty. The look-back is capped at a few months: an author who posted nothing in that time "
          "contributes nothing to the first page, and a user who follows m accounts costs at most m reads per "
          "month looked back, once, after which the list is cached. Followees whose latest IDs the user timeline cache holds are "
          "read there first.",
          theme="Storage")
read.note("The source has the client ask the CDN for the home timeline's feed items before it contacts the load "
          "balancer. A public item is the same for every reader, so a CDN could hold it, but the client learns "
          "which items to ask for only from the timeline service, and that list is different for every user. "
          "What the CDN serves here is the media (step 15), once the feed has named the files.",
          theme="Corrections")
read.note("The source has the client fetch media from the object store; in practice it fetches them through the CDN, "
          "which reads object storage only on a miss (step 16).",
          theme="Corrections")


# --- Follow a user ----------------------------------------------------------------------
# Run as often as posting, an upper bound: users follow less often than they post. Each step moves a
# follow row or a request naming two user IDs, about 200 B, not an item.
follow = newsfeed.path("follow", "Follow a user", per="write", size="200 B")
follow.step(1, client, web_server,
            "The reader asks to follow an account (through the load balancer and the rate limiter, as when posting).")
with follow.transaction("Follow and count"):
    follow.step(2, web_server, sql_db,
                "One transaction on the SQL primary inserts the row in `follows`, ignoring one that exists, and "
                "adds one to the followee's `follower_count` only if a row was inserted, so a repeated PUT neither "
                "follows twice nor counts twice.", effect="write")
follow.step(3, web_server, user_info,
            "After the commit, the web server tells the user info service, which adds the follower to its "
            "in-memory copy and re-checks the followee's category against the celebrity threshold.")
follow.step(4, web_server, client, "The web server answers 204.")
follow.note("The user info service's copy is what every fan-out reads (write step 15), so a follow reaches the "
            "next items only once step 3 has run. If that call is lost, the copy's entries also expire after a "
            "few minutes and are reloaded from a replica, which bounds how long the follow can be missed.",
            theme="Consistency")
follow.note("Unfollowing is the mirror image: the row is deleted and the count goes down only if a row was "
            "deleted. The follower's home timeline keeps the items already pushed; new ones stop.",
            theme="Consistency")

# --- API -----------------------------------------------------------------------------
newsfeed.endpoint(
    "POST", "/v1/media", "Get presigned upload URLs for the images and videos of an item about to be posted",
    request={"files": "object[]: one entry per file, with its content type and size in bytes"},
    response={"uploads": "object[]: per file, the object key a web server chose and a presigned PUT URL valid for minutes, "
                         "which tags the file 'pending' until an item that uses it is stored"},
    status={201: "URLs issued", 400: "A file type that is not allowed, or a file over the size limit",
            401: "No valid token", 429: "Over the upload quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the author"},
)
newsfeed.endpoint(
    "POST", "/v1/feed_items", "Post a feed item", starts=(write, 2),
    request={"text": "string: the item's text",
             "media_keys?": "string[]: keys of files already uploaded with the URLs from POST /v1/media"},
    response={"item_id": "string: the time-sortable ID the web server gave the item"},
    status={202: "Accepted and queued; followers see it within seconds (a retry gets the first attempt's ID)",
            400: "Empty or over-long text, or a media key that is unknown or was uploaded over 12 hours ago",
            401: "No valid token", 409: "This Idempotency-Key was already used for a different post",
            429: "Over the write quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the author",
             "Idempotency-Key": "A retried post returns the first attempt's item ID instead of posting twice; "
                                "kept a day per author in post_requests"},
    response_headers={"RateLimit-Remaining": "Posts left in the current window"},
)
newsfeed.endpoint(
    "GET", "/v1/home_timeline", "Read one's home timeline, newest or best first, a page at a time", starts=(read, 2),
    request={"cursor?": "string: next_cursor from the previous page; none for the top of the feed",
             "limit?": "integer: items per page, 20 by default, at most 100"},
    response={"items": "object[]: feed items (author, text, media URLs through the CDN, time)",
              "next_cursor": "string: opaque position of the next page; past the cached list, pages are pulled "
                             "(read step 10); absent at the end"},
    status={200: "One page of the feed", 304: "The same items as the page whose ETag the client sent",
            401: "No valid token", 429: "Over the read quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the reader",
             "If-None-Match": "The ETag of the first page the client already shows"},
    response_headers={"ETag": "A hash of the items this page returned (not of the cached ID list)",
                      "Cache-Control": "Private, no-cache: the page differs per reader, so no CDN keeps it, and the app revalidates its copy with the ETag",
                      "RateLimit-Remaining": "Reads left in the current window"},
)
newsfeed.endpoint(
    "GET", "/v1/users/{user_id}/timeline", "Read one user's own items (a profile page), newest first", starts=(read, 13),
    request={"user_id": "string: whose timeline",
             "cursor?": "string: next_cursor from the previous page"},
    response={"items": "object[]: that user's feed items, newest first",
              "next_cursor": "string: the next page, going back month by month; absent at the end"},
    status={200: "One page of the timeline", 401: "No valid token", 404: "No such user",
            429: "Over the read quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the reader"},
)
newsfeed.endpoint(
    "DELETE", "/v1/feed_items/{item_id}", "Delete one's own feed item",
    request={"item_id": "string: the item's ID"},
    status={204: "Deleted: gone from SQL, Cassandra and the caches, and skipped in every home timeline",
            401: "No valid token", 403: "Not the author",
            404: "No such item (one posted seconds ago may still be on the queue: retry shortly)"},
    headers={"Authorization": "Bearer token of the author"},
)
newsfeed.endpoint(
    "PUT", "/v1/users/me/following/{user_id}", "Follow a user", starts=(follow, 1),
    operation_id="followUser",  # the derived name reads badly
    request={"user_id": "string: the account to follow"},
    status={204: "Following (a repeated PUT changes nothing); that user's next items reach this reader's feed "
                 "once the user info service has the follow",
            401: "No valid token", 404: "No such user", 429: "Over the write quota"},
    headers={"Authorization": "Bearer token of the follower"},
)

# --- Capacity ------------------------------------------------------------------------
newsfeed.capacity(
    daily_active_users=(300_000_000, "A large social network (Facebook itself reports about two billion); the source gives no figures"),
    writes_per_user_per_day=(0.5, "Most users read and rarely post: one item every two days on average"),
    read_to_write=(20, "About ten feed loads a day per user against half a post: twenty reads per item posted"),
    write_size=("1 kB", "Text, IDs and media URLs; the images and videos themselves go to object storage"),
    read_size=("20 kB", "A page of 20 items of about 1 kB each; media come separately from the CDN"),
    retention=("10 years", "Items are kept for as long as the account exists; ten years bounds the estimate"),
    peak_to_average=(3, "Evening peaks in the busiest time zones"),
    hot_fraction=(0.2, "80-20 rule on the day's feed pages (a ceiling: see the page)"),
)

# --- API examples: checked against the schemas above ---------------------------------
newsfeed.example(
    "POST /v1/media",
    request={"files": [{"content_type": "image/jpeg", "size_bytes": 1843200}]},
    responses={
        201: {
            "uploads": [
                {
                    "key": "media/u_48213/01J9Z3.jpg",
                    "upload_url": "https://storage.newsfeed.example/media/u_48213/01J9Z3.jpg?X-Amz-Signature=2b7c",
                },
            ],
        },
        429: {"error": "rate_limited", "message": "Over the upload quota"},
    },
)
newsfeed.example(
    "POST /v1/feed_items",
    headers={"Idempotency-Key": "2049775b-6e15-4479-8050-9b89e87ab7de"},
    request={"text": "Sunset over the Seine", "media_keys": ["media/u_48213/01J9Z3.jpg"]},
    responses={
        202: {"item_id": "i_77410"},
        409: {"error": "conflict", "message": "This Idempotency-Key was already used for a different post"},
    },
)
newsfeed.example(
    "GET /v1/home_timeline",
    headers={"If-None-Match": "\"5d41402abc4b2a76\""},
    request={"cursor": "eyJvZmZzZXQiOjIwfQ", "limit": 20},
    responses={
        200: {
            "items": [
                {
                    "item_id": "i_77410",
                    "author_id": "u_90017",
                    "text": "Sunset over the Seine",
                    "media_urls": ["https://cdn.newsfeed.example/media/u_90017/01J9Y8.jpg"],
                    "created_at": "2026-12-07T09:12:00Z",
                },
            ],
            "next_cursor": "eyJvZmZzZXQiOjIwfQ",
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
newsfeed.example(
    "GET /v1/users/{user_id}/timeline",
    request={"user_id": "u_48213", "cursor": "eyJvZmZzZXQiOjIwfQ"},
    responses={
        200: {
            "items": [
                {
                    "item_id": "i_77410",
                    "author_id": "u_90017",
                    "text": "Sunset over the Seine",
                    "media_urls": ["https://cdn.newsfeed.example/media/u_90017/01J9Y8.jpg"],
                    "created_at": "2026-12-07T09:12:00Z",
                },
            ],
            "next_cursor": "eyJvZmZzZXQiOjIwfQ",
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
newsfeed.example(
    "DELETE /v1/feed_items/{item_id}",
    request={"item_id": "i_77410"},
    responses={204: None, 404: {"error": "not_found", "message": "No such item"}},
)
newsfeed.example(
    "PUT /v1/users/me/following/{user_id}",
    request={"user_id": "u_48213"},
    responses={204: None, 429: {"error": "rate_limited", "message": "Over the write quota"}},
)
