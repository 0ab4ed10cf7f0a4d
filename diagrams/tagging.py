"""Tag items with words, then list every item carrying a tag, newest first, moments after it was tagged."""

from blueprint import System

tagging = System(
    "Tagging Service",
    schema="schemas/tagging.sql",
    relationships=["items many-to-many tags through item_tags"],
)

# --- Client --------------------------------------------------------------------------
client = tagging.component("client", "Client", kind="client", group="Client",
                           role="A browser or app that creates and tags items, browses tags and types tag searches")

# --- Edge ----------------------------------------------------------------------------
dns = tagging.component("dns", "DNS", kind="dns", group="Edge",
                        role="Turns the service's domain name into the address of the nearest entry point")
cdn = tagging.component("cdn", "CDN", kind="cdn", group="Edge",
                        role="Keeps public tag pages for a few seconds, and media files for long, close to the reader")
load_balancer = tagging.component("load_balancer", "Load balancer", kind="load_balancer", group="Edge",
                                  role="Spreads requests over the web servers")
rate_limiter = tagging.component("rate_limiter", "Rate limiter", kind="rate_limiter", group="Edge",
                                 role="Rejects clients that tag or read more often than their quota allows")

# --- Services ------------------------------------------------------------------------
web_server = tagging.component("web_server", "Web server", kind="web_server", group="Services",
                               role="Stateless: queues writes, forwards reads to the tags service and typeahead to the trie")
tags_service = tagging.component("tags_service", "Tags service", kind="service", group="Services",
                                 role="Answers 'the items with tag X': from the caches for popular tags, "
                                      "from the replicas for the rest")
tags_info = tagging.component("tags_info", "Tags info service", kind="service", group="Services",
                              role="Keeps the set of popular tags in memory, recomputed every few minutes from tag counts")
trie_server = tagging.component("trie_server", "Trie server", kind="trie", group="Services",
                                role="Completes a typed prefix into the most used tag names")

# --- Messaging and processing --------------------------------------------------------
message_queue = tagging.component("message_queue", "Message queue", kind="message_queue", group="Messaging",
                                  role="Holds write requests until the fanout service has stored them; partitioned by item ID, each partition kept in three copies, with a dead-letter queue")
fanout = tagging.component("fanout", "Fanout service", kind="service", group="Processing",
                           role="Takes each write off the queue and applies it to every store that needs it")

# --- Data stores ---------------------------------------------------------------------
tags_cache = tagging.component("tags_cache", "Tags cache", kind="redis", group="Data stores",
                               role="Per popular tag: a sorted set of the newest 1,000 item IDs, in ID order, kept for an hour at most. "
                                    "Written by the fanout service, and filled whole by the tags service on a miss")
items_cache = tagging.component("items_cache", "Items cache", kind="redis", group="Data stores",
                                role="Documents of items that carry a popular tag, by item ID, with a time to live. Written "
                                     "(or deleted on a new tag) by the fanout service, and by the tags service on a miss")
sql_db = tagging.component("sql_db", "SQL primary", kind="postgresql", group="Data stores",
                           role="Tags, items and the item_tags join table: which item carries which tag; "
                                "and the item ID each create's Idempotency-Key claimed, for a day. One of its replicas is a synchronous standby")
sql_replica = tagging.component("sql_replica", "SQL replica", kind="postgresql", group="Data stores",
                                role="A read-only copy of the SQL primary that serves tag lookups and tag counts")
nosql_db = tagging.component("nosql_db", "Item documents (MongoDB)", kind="mongodb", group="Data stores",
                             role="One document per item: title, body, tags, comments, upvotes, published date, media URLs; "
                                  "writes wait for a majority of the replica set")
nosql_replica = tagging.component("nosql_replica", "MongoDB secondary", kind="mongodb", group="Data stores",
                                  role="A read-only member of the MongoDB replica set that serves item lookups")
object_store = tagging.component("object_store", "Object storage", kind="s3", group="Data stores",
                                 role="S3: the images, videos and text files embedded in items")

# --- Failure behaviour ---------------------------------------------------------------
message_queue.fails(
    down="Creates and taggings fail with 503, since the web server cannot queue them; reads are untouched",
    slow="Writes wait longer for their 202, and new items show under their tags later",
    loses_data="Nothing accepted is lost: a message is acknowledged to the web server only once replicated",
    handling="A replicated queue cluster (three copies of each partition); refused messages go to a dead-letter queue",
    redundant=True)
tags_cache.fails(
    down="Popular tag pages are listed from the SQL replicas, like rare tags: slower, and the replicas take the load",
    slow="Reads give up on the cache after a short timeout and go to the SQL replicas",
    loses_data="Nothing durable: a missing set is rebuilt whole from SQL on its next read (read step 9)",
    handling="A Redis Cluster, each shard with a replica that takes over; sets expire within the hour",
    redundant=True)
items_cache.fails(
    down="Items of popular tags are read from the MongoDB secondaries: slower pages, more load there",
    slow="Reads give up on the cache after a short timeout and go to a MongoDB secondary",
    loses_data="Nothing durable: a missing document is read from MongoDB and cached again (read step 11)",
    handling="A Redis Cluster, each shard with a replica that takes over; documents have a time to live",
    redundant=True)
sql_db.fails(
    down="Creates and taggings fail with 503 (step 5 cannot claim a key or check an item); queued messages wait "
         "and are retried; reads go on from the replicas and caches",
    slow="Writes take longer to be accepted, and the queue's backlog grows",
    loses_data="Nothing committed is lost: one replica is a synchronous standby",
    handling="The synchronous standby is promoted in about 30 s; the other replicas follow it",
    redundant=True)
sql_replica.fails(
    down="The other replicas serve rare-tag pages, cache refills and tag counts",
    slow="Rare-tag pages load slowly; a replica that lags shows new taggings late",
    loses_data="Nothing: a replica is rebuilt from the primary",
    handling="A few replicas behind a pool; a lagging one is taken out",
    redundant=True)
nosql_db.fails(
    down="Queued writes wait and are retried until a secondary is elected primary, in about 10 s; reads go on",
    slow="The queue's backlog grows; new items show late",
    loses_data="Nothing acknowledged is lost: writes wait for a majority of the replica set",
    handling="A MongoDB replica set of three; a secondary is elected primary",
    redundant=True)
nosql_replica.fails(
    down="Another member of the replica set serves item documents",
    slow="Pages of rare tags and cache misses load slowly",
    loses_data="Nothing: a member resyncs from the others",
    handling="Reads go to whichever secondary is up, or to the primary",
    redundant=True)
object_store.fails(
    down="Uploads fail and media the CDN has not kept do not load; items and tags still list",
    slow="Uploads and first views of media are slow",
    loses_data="S3 keeps each object in several zones; the note on replication covers each region",
    handling="S3's own redundancy across zones; the CDN keeps copies of media already viewed",
    redundant=True)


# --- Write path ----------------------------------------------------------------------
write = tagging.path("write", "Write path", per="write")

write.stage("Accept the request")
write.step(1, client, object_store,
           "The client first uploads the item's images, videos and text files straight to object storage, "
           "through presigned upload URLs, as in Pastebin.", effect="write",
           after_crash=("reconciliation", "a client that uploads and then never creates the item leaves files no item "
                        "names; a daily job deletes uploads older than a day that no item document lists"))
write.step(2, client, load_balancer,
           "The client opens an HTTPS connection to the load balancer to create an item or add tags to one.")
write.step(3, load_balancer, rate_limiter,
           "Writes are counted against the client's quota; a client over it gets HTTP 429.", size="100 B")
write.step(4, load_balancer, web_server, "The load balancer hands the request to a web server with spare capacity.")
write.step(5, web_server, sql_db,
           "For a create, the web server first claims the request's `Idempotency-Key` in the SQL primary: it "
           "inserts the key with a newly generated item ID unless the key is there already, then reads back the "
           "ID the key holds (the *claim an item ID* query below). Every retry, two at once included, gets the "
           "first attempt's ID; the key's primary key serializes them. For a tagging, it reads the item's row "
           "instead: who owns it decides a 403, and a missing row a 404 once the ID is too old for its create "
           "to be still queued.",
           when="For a create with an Idempotency-Key, or a tagging", share=1, effect="write", size="200 B",
           after_crash=("idempotent retry", "a crash after the claim but before queueing leaves a claimed key and "
                        "nothing queued; the client's retry with the same key gets the same item ID and queues it"))
write.step(6, web_server, message_queue,
           "The web server puts the request on the message queue and answers `202 Accepted` with the item ID. "
           "A retry queues the create again, which changes nothing: every write of the fanout service is "
           "idempotent by item ID.", effect="write",
           after_crash=("idempotent retry", "a queued message stays until the fanout service acknowledges it after "
                        "step 13; a crash anywhere before that redelivers it, and every later write is idempotent"))

write.stage("Store the item and its tags")
write.step(7, message_queue, fanout,
           "The fanout service takes the request off the queue. The queue is partitioned by item ID, so an item's "
           "create and every later tagging of it are taken in the order they were queued, by one worker at a time. "
           "It acknowledges the message only after step 13, so a worker that dies midway leaves it to be redelivered.",
           effect="deliver")
write.step(8, fanout, nosql_db,
           "It writes the item's document to MongoDB, by item ID. A create inserts it (text, media URLs, tags, and "
           "room for comments, upvotes and the published date) only if it is not there yet (`$setOnInsert`), so a "
           "redelivered create cannot reset comments or votes. A tagging adds the tag to the document's tag array "
           "(`$addToSet`), which the listing returns with the item.", effect="write",
           idempotent_by="the item ID claimed in step 5 (the document's _id) and the tag name",
           after_crash=("idempotent retry", "a crash before step 9 commits leaves the document without its SQL rows; "
                        "the message is not acknowledged, so it is redelivered and both steps run again"))
write.step(9, fanout, sql_db,
           "In one SQL transaction it inserts any new tag names, the item row (for a create) and one `item_tags` "
           "row per tag, skipping rows that already exist (the *store a created item's row* and *tag an item* "
           "queries below).", effect="write", size="500 B",
           idempotent_by="the item ID and the tag name: the primary keys of items and item_tags and the unique tag name",
           after_crash=("idempotent retry", "a crash before the caches are updated leaves the stores right and the "
                        "caches behind; the unacknowledged message is redelivered and steps 8 to 13 run again"))
write.step(10, fanout, message_queue,
           "A message that a store keeps refusing (a tagging whose item does not exist, so its `item_tags` row "
           "fails the foreign key) is retried a few times with backoff, then moved to a dead-letter queue for "
           "an operator, so it does not block the item's partition.", when="If a store keeps refusing it",
           share=0.001, effect="write",
           idempotent_by="the item ID: a message dead-lettered twice is replayed twice, which changes nothing",
           after_crash=("idempotent retry", "a crash after the move but before the acknowledgement redelivers the "
                        "message; it is refused and moved again, and replaying both copies is harmless"))

write.stage("Keep popular tags hot")
write.step(11, fanout, tags_info, "The fanout service asks the tags info service which of the item's tags are popular.",
           size="200 B")
write.step(12, fanout, items_cache,
           "For a create with a popular tag it caches the item's document in the items cache, by item ID. For "
           "a tagging it deletes the cached document whether or not the new tag is popular (the item may be "
           "cached for another tag that is), and the next read refills it from MongoDB with the new tag.",
           when="For a create with a popular tag, or any tagging", share=0.5, effect="write",
           idempotent_by="the item ID, the cache key: a repeat writes or deletes the same key",
           after_crash=("idempotent retry", "a crash before step 13 leaves the document cached and the tag's set "
                        "without the item; the unacknowledged message is redelivered and both steps run again"))
write.step(13, fanout, tags_cache,
           "It adds the item ID to each popular tag's sorted set (`ZADD`) and trims the set to the newest 1,000 "
           "(`ZREMRANGEBYRANK`), in one small Lua script that does nothing if the set does not exist, so a partial "
           "set is never created. The set is ordered by the ID, so newest-first order holds however late or "
           "often a message arrives.",
           when="If a tag is popular", share=0.3, effect="write", size="100 B",
           idempotent_by="the item ID, the set's member: adding it again changes nothing")

write.stage("In the background: the popular set every few minutes, the trie hourly")
write.step(14, tags_info, sql_replica,
           "The tags info service counts taggings per tag over the last day on a SQL replica (the *top tags* query "
           "below) and keeps the top ones as the popular set.", effect="read",
           share=0.00005)
write.step(15, tags_info, trie_server,
           "Once an hour it counts every tag's taggings over the last 90 days (the same query, its limit raised above the number of tags) and "
           "hands all the counts to the trie server, which rebuilds its suggestion trie and swaps it in: any tag "
           "used in that span can be suggested, not only the day's top ones.", share=0.000004)

write.note("The queue makes writes asynchronous (the client does not wait for four stores) and fault tolerant "
           "(a request survives a crash of the fanout service). It delivers at least once, so every step must "
           "survive a repeat: step 8 writes the document by item ID with `$setOnInsert` or `$addToSet`, the "
           "primary key of `item_tags` turns a repeated pair in step 9 into a no-op, step 12 overwrites or "
           "deletes, and step 13 adds a member the set may already hold, which changes nothing.",
           theme="Delivery")
write.note("The fanout service is a pool of workers, so messages of different items are applied out of order: "
           "a list ordered by arrival (`LPUSH` onto a Redis list) would not be sorted by item ID, a redelivered "
           "old message would put an old ID at the front, and a cursor (`item_id < :before`) over it would skip or "
           "repeat items. The sorted set is ordered by the ID, as the SQL listing is, whatever the arrival order.",
           theme="Delivery")
write.note("A sorted set's scores are doubles, exact only up to 2^53, and these IDs use 63 bits: two IDs "
           "generated in the same millisecond could get the same score. So every member has score 0 and is the "
           "ID written with 19 digits, zero-padded; members of equal score sort byte by byte, which for digits of "
           "one width is numeric order, and a page below a cursor is one `ZREVRANGEBYLEX`.",
           theme="Caching")
write.note("For a tagging, step 12 deletes the cached document rather than editing it. A read that loaded the "
           "old document just before can write it back after the delete; the items cache's time to live bounds "
           "how long the new tag is missing from that copy.", theme="Caching")
write.note("Both caches evict the least recently used entry when full (LRU; Redis's `allkeys-lru` policy approximates it by sampling a few keys). A popular tag whose "
           "set was evicted is rebuilt from SQL on its next read (read step 9).",
           theme="Caching")
write.note("A tag that becomes popular has no set yet; its first read misses and fills it whole (read step 9). A tag "
           "that stops being popular is no longer pushed to or read from the cache; its set expires within the hour (LRU "
           "may evict it sooner). If the tag turns popular again before that, the old set misses what was tagged in "
           "between until it expires: the time to live bounds the gap.",
           theme="Caching")
write.note("Sets are ordered by item ID, like the SQL listing that refills them. An old item given a popular tag "
           "later is added at its place among the IDs; if that place is below the newest 1,000, the trim drops it "
           "again, and a reader that pages that far is served from SQL (read step 8).",
           theme="Caching")
write.note("A client that uploads files (step 1) and never creates the item leaves files no item names. A "
           "daily job deletes uploads older than a day that no item document lists.", theme="Delivery")
write.note("The source says the data objects are \"replicated across data centers at the web server level to save "
           "bandwidth\". Web servers are stateless and hold nothing to replicate: replication happens in the stores "
           "(PostgreSQL streaming replicas, MongoDB replica set members and S3 replication in each region). What "
           "saves bandwidth is that each region then reads from its local copies.",
           theme="Corrections")
write.note("The source has the fanout service send the media files to object storage. Large files do not belong on a "
           "message queue (Kafka, for one, caps messages at about 1 MB by default): the client uploads them first "
           "(step 1) and the request carries only their URLs.",
           theme="Corrections")


# --- Read path -----------------------------------------------------------------------
read = tagging.path("read", "Read path", per="read")

read.stage("Reach the tags service and ask whether the tag is popular")
read.step(1, client, dns, "The client resolves the service's domain name through DNS.", size="100 B")
read.step(2, client, cdn,
          "The client asks the CDN for the tag page. A public tag page is the same for every reader, so the CDN may "
          "keep it for a few seconds and answer at once.")
read.step(3, cdn, load_balancer,
          "The CDN forwards the request to the load balancer at the origin.",
          when="On a CDN miss", share=0.5)
read.step(4, load_balancer, rate_limiter, "The read is counted against the client's quota.", share=0.5,
          size="100 B")
read.step(5, load_balancer, web_server, "The load balancer hands the request to a web server with spare capacity.",
          share=0.5)
read.step(6, web_server, tags_service, "The web server asks the tags service for the newest items with the tag.",
          share=0.5)

read.step(7, tags_service, tags_info, "The tags service asks the tags info service whether the tag is popular.",
          share=0.5, size="100 B")
read.stage("Branch 1, a popular tag: the caches, each with its miss path")
read.step(8, tags_service, tags_cache,
          "It reads one page of item IDs below the cursor, newest first, from the tag's sorted set "
          "(`ZREVRANGEBYLEX` with a limit). A cursor below the oldest ID the set holds (the newest 1,000) "
          "takes branch 2 instead, like a tag that is not popular.",
          when="If the tag is popular", share=0.3, effect="read", size="400 B")
read.step(9, tags_service, sql_replica,
          "It reads the tag's newest 1,000 item IDs from a SQL replica and writes them back to the tags cache as "
          "a sorted set.",
          when="On a tags cache miss", share=0.003, effect="read", size="8 kB")
read.step(10, tags_service, items_cache,
          "It fetches the items for those IDs from the items cache with a Redis `MGET`: one round trip on one node. "
          "In a Redis Cluster the keys of one `MGET` must share a hash slot, so the client sends one per slot, in parallel.",
          when="If the tag is popular", share=0.3, effect="read")
read.step(11, tags_service, nosql_replica,
          "It reads the items the cache did not have from a MongoDB secondary and caches them.",
          when="On an items cache miss", share=0.03, effect="read")
read.stage("Branch 2, any other tag: straight from the replicas")
read.step(12, tags_service, sql_replica,
          "It runs the *items with a tag* query below on a SQL replica: one page of item IDs, newest first.",
          when="If the tag is not popular", share=0.2, effect="read", size="200 B")
read.step(13, tags_service, nosql_replica,
          "It fetches those items' documents from a MongoDB secondary in one query (`_id: {$in: [...]}`).",
          when="If the tag is not popular", share=0.2, effect="read")

read.stage("Load the media")
read.step(14, client, cdn, "The client loads the images and videos of the items it shows through the CDN.")
read.step(15, cdn, object_store, "The CDN fetches the file from object storage and keeps a copy.", when="On a CDN miss",
          share=0.05, effect="read")
read.stage("Suggest tags while the user types")
read.step(16, web_server, trie_server,
          "As the user types in the tag search box, each keystroke's request (steps 2–5) reaches a web server, which "
          "asks the trie server for the most used tags that start with the prefix.", size="200 B")

read.note("The [trie](concepts/trie.md) answers in time proportional to the prefix: each node keeps its own best completions, so no "
          "subtree is walked. It is rebuilt from tag counts (write step 15), not updated on every tagging.",
          theme="Autosuggestion")
read.note("Not every step moves a whole page (20 kB) or item (2 kB). A DNS answer, a quota check, a tag's "
          "popularity and one sorted-set member are about 100 B each; a page of 20 item IDs is about 400 B as "
          "19-digit members, 200 B as 8-byte IDs from SQL, and the 1,000 IDs that refill a set about 8 kB; "
          "ten suggested tag names with their counts are about 200 B; the key claim is a row of a few columns "
          "(about 200 B) and a create's SQL rows (the item row and a few item_tags rows) about 500 B.",
          theme="Load")
read.note("Popular tags get most of the reads, so keeping just their newest items in memory serves most traffic "
          "from the caches; the long tail of rare tags is read from the replicas, which replication keeps current with no extra work.",
          theme="Popular and non-popular tags")
read.note("Replicas lag the primaries by a moment, so an item tagged a second ago may be missing from a non-popular "
          "tag's page; a near-real-time listing tolerates that.",
          theme="Popular and non-popular tags")
read.note("The source has the client contact the load balancer itself after a CDN miss; a pull CDN, as here, "
          "forwards the miss to the origin on its own (step 3).",
          theme="Corrections")
read.note("The source has media fetched from the object store; in practice the client fetches them through the CDN, "
          "which reads object storage only on a miss (step 15).",
          theme="Corrections")
read.note("The source caches tag data on the CDN. Only pages that are the same for every reader can be cached "
          "there, and only for seconds if the listing is to stay near real time; a page personalised per user "
          "bypasses the CDN.",
          theme="Corrections")


# --- API -----------------------------------------------------------------------------
tagging.endpoint(
    "POST", "/v1/media", "Get presigned upload URLs for the files of an item about to be created",
    request={"files": "object[]: one entry per file, with its content type and size in bytes"},
    response={"uploads": "object[]: per file, the object key the server chose and a presigned PUT URL valid for minutes"},
    status={201: "URLs issued", 400: "A file type that is not allowed, or a file over the size limit",
            401: "No valid token", 429: "Over the upload quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the author"},
)
tagging.endpoint(
    "POST", "/v1/items", "Create an item with its first tags", starts=(write, 2),
    request={"title": "string: the item's title", "body": "string: its text",
             "tags": "string[]: tag names; normalised (lowercase, trimmed, no #) before they are stored",
             "media_keys?": "string[]: keys of files already uploaded with the URLs from POST /v1/media"},
    response={"item_id": "string: the time-sortable ID the item gets before it is queued"},
    status={202: "Accepted and queued; the item shows under its tags within seconds",
            400: "No title, too many tags, or a tag name that is empty or too long", 401: "No valid token",
            429: "Over the write quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the author",
             "Idempotency-Key": "Claimed in SQL with the item ID it got, for a day (write step 5): a retry, even one sent while the first is still running, gets the same item ID and is queued again, which creates nothing twice since every write of the fanout service is idempotent by item ID (and a first attempt that crashed before queueing is not lost)"},
)
tagging.endpoint(
    "PUT", "/v1/items/{item_id}/tags/{tag}", "Tag an existing item; tagging it twice changes nothing", starts=(write, 2),
    request={"item_id": "string: the item", "tag": "string: the tag name, normalised before it is stored"},
    status={202: "Accepted and queued, behind the item's create if that is still queued (the queue keeps one item's messages in order)",
            400: "A tag name that is empty or too long", 401: "No valid token",
            403: "Not allowed to tag this item (the item row's owner decides, write step 5)",
            404: "No such item: no row in the SQL items table (write step 5), and its time-sortable ID is older than the queue's delivery delay, so no create of it can still be queued",
            429: "Over the write quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the user"},
)
tagging.endpoint(
    "GET", "/v1/tags/{tag}/items", "The items with a tag, newest first, a page at a time", starts=(read, 2),
    request={"tag": "string: the tag name",
             "cursor?": "string: next_cursor from the previous page (the last item ID shown, for keyset paging)"},
    response={"items": "object[]: item ID, title, tags (from the item's document, which write step 8 keeps current), upvotes, comment count, media URLs through the CDN",
              "next_cursor": "string: the position of the next page; absent at the end"},
    status={200: "One page of items", 304: "Unchanged since the ETag the client sent", 404: "No such tag",
            429: "Over the read quota (Retry-After says when to try again)"},
    headers={"If-None-Match": "The ETag of the page the client holds"},
    response_headers={"Cache-Control": "Public, max-age=5 for the first page, so the CDN serves it for a few seconds"},
)
tagging.endpoint(
    "GET", "/v1/tags/suggestions", "Complete a typed prefix into the most used tag names", starts=(read, 16),
    request={"prefix": "string: what the user has typed so far", "limit?": "integer: how many names, 10 by default"},
    response={"tags": "object[]: tag name and how often it was used lately, best first"},
    status={200: "The suggestions, possibly none", 400: "An empty prefix",
            429: "Over the read quota (Retry-After says when to try again)"},
    response_headers={"Cache-Control": "Public, max-age=60, since the trie is rebuilt only once an hour"},
)

# --- Capacity ------------------------------------------------------------------------
tagging.capacity(
    daily_active_users=(10_000_000, "A large Q&A site or issue tracker; the source gives no figures"),
    writes_per_user_per_day=(0.2, "Items created or tagged: most visitors only read, so one write per user in five days"),
    read_to_write=(100, "Tag pages are browsed far more than items are tagged"),
    write_size=("2 kB", "An item document (title, body, media URLs) and its few tag rows; comments and votes grow it later"),
    read_size=("20 kB", "A page of 20 items of about 1 kB each; media come separately from the CDN"),
    retention=("10 years", "Items are kept for as long as the site lives; ten years bounds the estimate"),
    peak_to_average=(3, "Working-hours peaks in the busiest time zones"),
    hot_fraction=(0.2, "80-20 rule on the day's tag pages (a ceiling: see the page)"),
)

# --- API examples: checked against the schemas above ---------------------------------
tagging.example(
    "POST /v1/media",
    request={"files": [{"content_type": "image/png", "size_bytes": 204800}]},
    responses={
        201: {
            "uploads": [
                {
                    "key": "media/u_48213/01J9Z4.png",
                    "upload_url": "https://storage.tagging.example/media/u_48213/01J9Z4.png?X-Amz-Signature=9d0e",
                },
            ],
        },
        429: {"error": "rate_limited", "message": "Over the upload quota"},
    },
)
tagging.example(
    "POST /v1/items",
    headers={"Idempotency-Key": "3411f706-4c0b-49da-b232-4c245d46457d"},
    request={"title": "Night train to Vienna", "body": "Vienna to Paris in a sleeper: worth it?", "tags": ["travel", "trains"], "media_keys": ["media/u_48213/01J9Z4.png"]},
    responses={202: {"item_id": "i_77410"}, 429: {"error": "rate_limited", "message": "Over the write quota"}},
)
tagging.example(
    "PUT /v1/items/{item_id}/tags/{tag}",
    request={"item_id": "i_77410", "tag": "travel"},
    responses={202: None, 429: {"error": "rate_limited", "message": "Over the write quota"}},
)
tagging.example(
    "GET /v1/tags/{tag}/items",
    headers={"If-None-Match": "\"5d41402abc4b2a76\""},
    request={"tag": "travel", "cursor": "eyJvZmZzZXQiOjIwfQ"},
    responses={
        200: {
            "items": [
                {
                    "item_id": "i_77410",
                    "title": "Night train to Vienna",
                    "tags": ["travel", "trains"],
                    "upvotes": 128,
                    "comments": 14,
                    "media_urls": ["https://cdn.tagging.example/media/u_48213/01J9Z4.png"],
                },
            ],
            "next_cursor": "eyJvZmZzZXQiOjIwfQ",
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
tagging.example(
    "GET /v1/tags/suggestions",
    request={"prefix": "tra", "limit": 20},
    responses={
        200: {"tags": [{"tag": "travel", "uses_last_week": 5120}, {"tag": "trains", "uses_last_week": 830}]},
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
