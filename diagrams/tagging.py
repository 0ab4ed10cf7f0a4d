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
                                  role="Holds write requests until the fanout service has stored them; partitioned by item ID, with a dead-letter queue")
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
                           role="Tags, items and the item_tags join table: which item carries which tag")
sql_replica = tagging.component("sql_replica", "SQL replica", kind="postgresql", group="Data stores",
                                role="A read-only copy of the SQL primary that serves tag lookups and tag counts")
nosql_db = tagging.component("nosql_db", "Item documents (MongoDB)", kind="mongodb", group="Data stores",
                             role="One document per item: title, body, tags, comments, upvotes, published date, media URLs")
nosql_replica = tagging.component("nosql_replica", "MongoDB secondary", kind="mongodb", group="Data stores",
                                  role="A read-only member of the MongoDB replica set that serves item lookups")
object_store = tagging.component("object_store", "Object storage", kind="s3", group="Data stores",
                                 role="S3: the images, videos and text files embedded in items")


# --- Write path ----------------------------------------------------------------------
write = tagging.path("write", "Write path")

write.stage("Accept the request")
write.step(1, client, object_store,
           "The client first uploads the item's images, videos and text files straight to object storage, "
           "through presigned upload URLs, as in Pastebin.")
write.step(2, client, load_balancer,
           "The client opens an HTTPS connection to the load balancer to create an item or add tags to one.")
write.step(3, load_balancer, rate_limiter,
           "Writes are counted against the client's quota; a client over it gets HTTP 429.")
write.step(4, load_balancer, web_server, "The load balancer hands the request to a web server with spare capacity.")
write.step(5, web_server, message_queue,
           "The web server puts the request on the message queue and answers `202 Accepted` at once.")

write.stage("Store the item and its tags")
write.step(6, message_queue, fanout,
           "The fanout service takes the request off the queue. The queue is partitioned by item ID, so an item's "
           "create and every later tagging of it are taken in the order they were queued, by one worker at a time.")
write.step(7, fanout, nosql_db,
           "It writes the item's document to MongoDB, by item ID. A create inserts it (text, media URLs, tags, and "
           "room for comments, upvotes and the published date) only if it is not there yet (`$setOnInsert`), so a "
           "redelivered create cannot reset comments or votes. A tagging adds the tag to the document's tag array "
           "(`$addToSet`), which the listing returns with the item.")
write.step(8, fanout, sql_db,
           "In one SQL transaction it inserts any new tag names, the item row (for a create) and one `item_tags` "
           "row per tag, skipping pairs that already exist.")
write.step(9, fanout, message_queue,
           "A message that a store keeps refusing (a tagging whose item does not exist, so its `item_tags` row "
           "fails the foreign key) is retried a few times with backoff, then moved to a dead-letter queue for "
           "an operator, so it does not block the item's partition.", when="If a store keeps refusing it")

write.stage("Keep popular tags hot")
write.step(10, fanout, tags_info, "The fanout service asks the tags info service which of the item's tags are popular.")
write.step(11, fanout, items_cache,
           "For a create it caches the item's document in the items cache, by item ID; for a tagging it deletes "
           "the cached document, which the next read refills from MongoDB with the new tag.",
           when="If a tag is popular")
write.step(12, fanout, tags_cache,
           "It adds the item ID to each popular tag's sorted set (`ZADD`) and trims the set to the newest 1,000 "
           "(`ZREMRANGEBYRANK`), in one small Lua script that does nothing if the set does not exist, so a partial "
           "set is never created. The set is ordered by the ID, so newest-first order holds however late or "
           "often a message arrives.",
           when="If a tag is popular")

write.stage("Every few minutes, in the background")
write.step(13, tags_info, sql_replica,
           "The tags info service counts taggings per tag over the last day on a SQL replica (the *top tags* query "
           "below) and keeps the top ones as the popular set.")
write.step(14, tags_info, trie_server,
           "It hands the same counts to the trie server, which rebuilds its suggestion trie and swaps it in.")

write.note("The queue makes writes asynchronous (the client does not wait for four stores) and fault tolerant "
           "(a request survives a crash of the fanout service). It delivers at least once, so every step must "
           "survive a repeat: step 7 writes the document by item ID with `$setOnInsert` or `$addToSet`, the "
           "primary key of `item_tags` turns a repeated pair in step 8 into a no-op, step 11 overwrites or "
           "deletes, and step 12 adds a member the set may already hold, which changes nothing.",
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
write.note("For a tagging, step 11 deletes the cached document rather than editing it. A read that loaded the "
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
read = tagging.path("read", "Read path")

read.stage("Reach the tags service and ask whether the tag is popular")
read.step(1, client, dns, "The client resolves the service's domain name through DNS.")
read.step(2, client, cdn,
          "The client asks the CDN for the tag page. A public tag page is the same for every reader, so the CDN may "
          "keep it for a few seconds and answer at once.")
read.step(3, cdn, load_balancer,
          "The CDN forwards the request to the load balancer at the origin.",
          when="On a CDN miss")
read.step(4, load_balancer, rate_limiter, "The read is counted against the client's quota.")
read.step(5, load_balancer, web_server, "The load balancer hands the request to a web server with spare capacity.")
read.step(6, web_server, tags_service, "The web server asks the tags service for the newest items with the tag.")

read.step(7, tags_service, tags_info, "The tags service asks the tags info service whether the tag is popular.")
read.stage("Branch 1, a popular tag: the caches, each with its miss path")
read.step(8, tags_service, tags_cache,
          "It reads one page of item IDs below the cursor, newest first, from the tag's sorted set "
          "(`ZREVRANGEBYLEX` with a limit). A cursor below the oldest ID the set holds (the newest 1,000) "
          "takes branch 2 instead, like a tag that is not popular.",
          when="If the tag is popular")
read.step(9, tags_service, sql_replica,
          "It reads the tag's newest 1,000 item IDs from a SQL replica and writes them back to the tags cache as "
          "a sorted set.",
          when="On a tags cache miss")
read.step(10, tags_service, items_cache,
          "It fetches the items for those IDs from the items cache with a Redis `MGET`: one round trip on one node. "
          "In a Redis Cluster the keys of one `MGET` must share a hash slot, so the client sends one per slot, in parallel.",
          when="If the tag is popular")
read.step(11, tags_service, nosql_replica,
          "It reads the items the cache did not have from a MongoDB secondary and caches them.",
          when="On an items cache miss")
read.stage("Branch 2, any other tag: straight from the replicas")
read.step(12, tags_service, sql_replica,
          "It runs the *items with a tag* query below on a SQL replica: one page of item IDs, newest first.",
          when="If the tag is not popular")
read.step(13, tags_service, nosql_replica,
          "It fetches those items' documents from a MongoDB secondary in one query (`_id: {$in: [...]}`).",
          when="If the tag is not popular")

read.stage("Load the media")
read.step(14, client, cdn, "The client loads the images and videos of the items it shows through the CDN.")
read.step(15, cdn, object_store, "The CDN fetches the file from object storage and keeps a copy.", when="On a CDN miss")
read.stage("Suggest tags while the user types")
read.step(16, web_server, trie_server,
          "As the user types in the tag search box, each keystroke's request (steps 2–5) reaches a web server, which "
          "asks the trie server for the most used tags that start with the prefix.")

read.note("The [trie](concepts/trie.md) answers in time proportional to the prefix: each node keeps its own best completions, so no "
          "subtree is walked. It is rebuilt from tag counts (write step 14), not updated on every tagging.",
          theme="Autosuggestion")
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
             "Idempotency-Key": "Kept with the item ID it got for a day: a retry gets the same item ID and is queued again, which creates nothing twice since every write of the fanout service is idempotent by item ID (and a first attempt that crashed before queueing is not lost)"},
)
tagging.endpoint(
    "PUT", "/v1/items/{item_id}/tags/{tag}", "Tag an existing item; tagging it twice changes nothing", starts=(write, 2),
    request={"item_id": "string: the item", "tag": "string: the tag name, normalised before it is stored"},
    status={202: "Accepted and queued, behind the item's create if that is still queued (the queue keeps one item's messages in order)",
            400: "A tag name that is empty or too long", 401: "No valid token",
            403: "Not allowed to tag this item",
            404: "No such item: not in the item store, and its time-sortable ID is older than the queue's delivery delay, so no create of it can still be queued",
            429: "Over the write quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the user"},
)
tagging.endpoint(
    "GET", "/v1/tags/{tag}/items", "The items with a tag, newest first, a page at a time", starts=(read, 2),
    request={"tag": "string: the tag name",
             "cursor?": "string: next_cursor from the previous page (the last item ID shown, for keyset paging)"},
    response={"items": "object[]: item ID, title, tags (from the item's document, which write step 7 keeps current), upvotes, comment count, media URLs through the CDN",
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
    response_headers={"Cache-Control": "Public, max-age=60, since the trie is rebuilt only every few minutes"},
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
