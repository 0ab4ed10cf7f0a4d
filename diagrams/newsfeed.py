"""Show each user, in near real time, what the people they follow have posted."""

from blueprint import System

newsfeed = System(
    "Facebook Newsfeed",
    schema="schemas/newsfeed.sql",
    relationships=[
        "users 1-to-many feed_items",
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
                                role="Stateless: accepts new feed items and forwards feed requests")
timeline_service = newsfeed.component("timeline_service", "Timeline service", kind="service", group="Services",
                                      role="Assembles a home timeline or a user timeline for the reader")
user_info = newsfeed.component("user_info", "User info service", kind="service", group="Services",
                               role="Keeps the follow graph and each user's category (active, inactive, celebrity) in memory")

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
                                role="Per user: the IDs of the newest items of their home timeline, precomputed")
item_cache = newsfeed.component("item_cache", "Feed item cache", kind="redis", group="Data stores",
                                role="The bodies of recent feed items, looked up by ID")
user_cache = newsfeed.component("user_cache", "User timeline cache", kind="redis", group="Data stores",
                                role="Per author: the IDs of their latest items")
timelines_db = newsfeed.component("timelines_db", "Timelines (Cassandra)", kind="cassandra", group="Data stores",
                                  role="Every user's timeline: their feed items, newest first")
sql_db = newsfeed.component("sql_db", "SQL primary", kind="postgresql", group="Data stores",
                            role="User metadata, the follow graph and feed item metadata")
sql_replica = newsfeed.component("sql_replica", "SQL replica", kind="postgresql", group="Data stores",
                                 role="A read-only follower of the SQL primary that serves lookups")
object_store = newsfeed.component("object_store", "Object storage", kind="s3", group="Data stores",
                                  role="Holds the images and videos embedded in feed items")


# --- Home timeline: how an item is published and fetched -----------------------------
home = newsfeed.path("home_timeline", "Home timeline")
home.step(1, author, web_server, "The author posts a feed item: some text and the URLs of any images or videos.")
home.step(2, web_server, timelines_db, "The item is appended to the author's own timeline in Cassandra, newest first.")
home.step(3, web_server, item_cache, "The item is also cached under its ID, where readers will look it up.")
home.step(4, web_server, feed_generation,
          "The item reaches the feed generation service (through the message queue and the fanout service: "
          "see the write path).")
home.step(5, feed_generation, user_info,
          "Feed generation asks who follows the author, and which of them are active, inactive or celebrities.")
home.step(6, feed_generation, home_cache,
          "**Push** (fan-out on write): unless the author is a celebrity, the item's ID goes into the cached "
          "home timeline of every active follower.")
home.step(7, follower, timeline_service, "A follower opens the app and asks for the home timeline.")
home.step(8, timeline_service, home_cache,
          "For an active user, the timeline service reads the precomputed list of item IDs: no work is left to do.")
home.step(9, timeline_service, timelines_db,
          "**Pull** (fan-out on load): nothing was pushed for an inactive user, so the service reads the latest "
          "items of each followee now and merges them.",
          when="For an inactive user")
home.step(10, timeline_service, user_cache,
          "**Hybrid**: the service fetches the latest item IDs of the celebrities the user follows and merges them "
          "into the pushed list.",
          when="If the user follows celebrities")
home.step(11, timeline_service, item_cache,
          "The service turns the IDs into items with one batched read and returns the page to the follower.")
home.note("Only the home timeline of an active user is precomputed and kept in the cache; "
          "it holds item IDs, not items, so an edited or deleted item changes in one place.",
          theme="Publishing models")
home.note("Inactive users get no publishing at all: their home timeline is built from their followees' timelines "
          "when they come back (the pull model, fan-out on load).",
          theme="Publishing models")
home.note("Active users who follow ordinary accounts get everything pushed ahead of time (the push model, "
          "fan-out on write): reading is one cache lookup.",
          theme="Publishing models")
home.note("Celebrities are handled with a hybrid: their items are not pushed to millions of followers but pulled "
          "and merged into each follower's pushed timeline when the follower reads it.",
          theme="Publishing models")
home.note("Every read is served from the caches; Cassandra is touched only by pulls and by cache misses.",
          theme="Caching")
home.note("A user's category is not fixed: someone who returns after months becomes active (their timeline is "
          "built once by a pull, then kept up by pushes), and an account that passes the follower threshold "
          "becomes a celebrity.",
          theme="Caching")


# --- Write path ----------------------------------------------------------------------
write = newsfeed.path("write", "Write path")

write.stage("Accept the item")
write.step(1, client, object_store,
           "The client uploads the item's images and videos straight to object storage, through presigned "
           "upload URLs, before it posts the item.")
write.step(2, client, load_balancer, "The client opens an HTTPS connection to the load balancer to post a feed item.")
write.step(3, load_balancer, rate_limiter,
           "The post is checked against the client's write quota; a client over its limit gets HTTP 429 and stops here.")
write.step(4, load_balancer, web_server, "The load balancer passes the connection to a web server with spare capacity.")
write.step(5, web_server, message_queue,
           "The web server puts the item (text and media URLs) on the message queue for asynchronous processing.")
write.step(6, web_server, client,
           "The web server answers at once (HTTP 202 Accepted); publishing to followers happens after the client "
           "has its answer.")

write.stage("Store the item")
write.step(7, message_queue, fanout, "The fanout service takes the item off the queue.")
write.step(8, fanout, timelines_db,
           "The fanout service appends the item to the author's user timeline in Cassandra, where items sort "
           "newest first.")
write.step(9, fanout, sql_db, "The fanout service records the item's metadata (author, time, media URLs) in the SQL database.")
write.step(10, fanout, item_cache,
           "The item is cached, so that its many readers are served from memory; only the latest few items of "
           "each such author are kept.",
           when="If the author has more followers than a threshold")
write.step(11, fanout, user_cache,
           "The fanout service adds the item's ID to the author's user timeline cache; an ID already there means "
           "the item was delivered twice, and the copy is dropped.")

write.stage("Publish to followers")
write.step(12, fanout, feed_generation,
           "The feed generation service, subscribed to the fanout service's updates, receives the item.")
write.step(13, feed_generation, user_info,
           "Feed generation asks the in-memory user info service for the author's followers and for the category "
           "of each user: active non-celebrity, inactive, or celebrity.")
write.step(14, feed_generation, home_cache,
           "For an author who is not a celebrity, feed generation pushes the item's ID into the cached home timeline "
           "of every active follower (fan-out on write). This costs O(n) writes, where n is the number of followers.")

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
write.note("Queues deliver at least once, so the same item can arrive twice; the set of IDs in the user timeline "
           "cache (step 11) makes publishing idempotent.",
           theme="Storage")

write.note("The source has the fanout service hand the media on to object storage. In fact, images and videos "
           "should not travel through the message queue (Kafka, for one, limits messages to about 1 MB by default): "
           "the client uploads them first (step 1) and the item carries only their URLs.",
           theme="Corrections")


# --- Read path -----------------------------------------------------------------------
read = newsfeed.path("read", "Read path")

read.stage("Reach the timeline service")
read.step(1, client, dns, "The client resolves the site's domain name through DNS.")
read.step(2, client, load_balancer, "The client opens an HTTPS connection to the load balancer to fetch the newsfeed.")
read.step(3, load_balancer, rate_limiter,
          "The request is checked against the client's read quota; a client over its limit gets HTTP 429.")
read.step(4, load_balancer, web_server, "The load balancer passes the connection to a web server with spare capacity.")
read.step(5, web_server, timeline_service, "The web server asks the timeline service for the user's newsfeed.")

read.stage("Assemble the home timeline")
read.step(6, timeline_service, user_info,
          "The timeline service asks the user info service whom the user follows, and whether the user is active, "
          "inactive, or follows celebrities.")
read.step(7, user_info, sql_replica,
          "The user info service reads the missing user or follow data from a SQL replica.",
          when="On a cache miss")
read.step(8, timeline_service, home_cache, "The service reads the list of feed item IDs from the user's home timeline cache.")
read.step(9, timeline_service, timelines_db,
          "Nothing was pushed for an inactive user, so the service pulls the latest items of each followee from "
          "Cassandra and merges them (fan-out on load).",
          when="For an inactive user")
read.step(10, timeline_service, user_cache,
          "The service fetches the latest item IDs of each followed celebrity and merges them into the list "
          "(the hybrid model).",
          when="If the user follows celebrities")
read.step(11, timeline_service, item_cache,
          "The service fetches the items for all the IDs in one round trip, with a Redis `MGET`.")

read.stage("Another user's timeline")
read.step(12, timeline_service, user_cache,
          "To show one user's own timeline (a profile page), the service reads that user's item IDs from the "
          "user timeline cache.")
read.step(13, timeline_service, timelines_db,
          "The service reads the user's timeline from Cassandra.",
          when="On a cache miss")

read.stage("Load the media")
read.step(14, client, cdn, "The client asks the CDN for the images and videos whose URLs came with the feed items.")
read.step(15, cdn, object_store, "The CDN fetches the file from object storage and keeps a copy.", when="On a CDN miss")

read.note("Inactive users fetch their home timeline by pull (fan-out on load): the first read after a long absence "
          "is slower, and it is then cached so that pushes can keep it current.",
          theme="Publishing models")
read.note("Active users who follow celebrities read a hybrid: the pushed home timeline plus the celebrities' items, "
          "merged on demand. A user follows few celebrities, so the merge costs only a few extra lookups.",
          theme="Publishing models")
read.note("Lookups of user metadata go to SQL replicas, which keeps the primary free for writes; a replica may lag "
          "the primary by a moment, which a newsfeed tolerates.",
          theme="Storage")
read.note("The source has the client look on the CDN for the home timeline's feed items before it contacts the "
          "load balancer. In fact, a home timeline is different for every user, so a CDN cannot serve it; what the "
          "CDN serves is the media (step 14), and only after the feed has said which files to load.",
          theme="Corrections")
read.note("The source has the client fetch media from the object store; in practice it fetches them through the CDN, "
          "which reads object storage only on a miss (step 15).",
          theme="Corrections")
