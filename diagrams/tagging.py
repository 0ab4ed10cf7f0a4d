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
                                  role="Holds write requests until the fanout service has stored them")
fanout = tagging.component("fanout", "Fanout service", kind="service", group="Processing",
                           role="Takes each write off the queue and applies it to every store that needs it")

# --- Data stores ---------------------------------------------------------------------
tags_cache = tagging.component("tags_cache", "Tags cache", kind="redis", group="Data stores",
                               role="Per popular tag: a capped list of the newest item IDs, kept for an hour at most. Written by the fanout service, "
                                    "and filled whole by the tags service on a miss")
items_cache = tagging.component("items_cache", "Items cache", kind="redis", group="Data stores",
                                role="Documents of items that carry a popular tag, by item ID. Written by the fanout "
                                     "service, and by the tags service on a miss")
sql_db = tagging.component("sql_db", "SQL primary", kind="postgresql", group="Data stores",
                           role="Tags, items and the item_tags join table: which item carries which tag")
sql_replica = tagging.component("sql_replica", "SQL replica", kind="postgresql", group="Data stores",
                                role="A read-only copy of the SQL primary that serves tag lookups and tag counts")
nosql_db = tagging.component("nosql_db", "Item documents (MongoDB)", kind="mongodb", group="Data stores",
                             role="One document per item: title, body, comments, upvotes, published date, media URLs")
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
write.step(6, message_queue, fanout, "The fanout service takes the request off the queue.")
write.step(7, fanout, nosql_db,
           "It writes the item's document to MongoDB: text, media URLs, and room for comments, upvotes and the "
           "published date.")
write.step(8, fanout, sql_db,
           "In one SQL transaction it inserts any new tag names, the item row and one `item_tags` row per tag, "
           "skipping pairs that already exist.")

write.stage("Keep popular tags hot")
write.step(9, fanout, tags_info, "The fanout service asks the tags info service which of the item's tags are popular.")
write.step(10, fanout, items_cache,
           "It caches the item's document in the items cache, by item ID.",
           when="If a tag is popular")
write.step(11, fanout, tags_cache,
           "For a new item, whose ID is the largest yet, it pushes the ID onto the front of each popular tag's list "
           "(`LPUSHX`, then `LTRIM` to the newest 1,000), keeping the list in the same newest-first order as the SQL "
           "listing. `LPUSHX` only adds to a list that exists, so a partial list is never created.",
           when="If a tag is popular")

write.stage("Every few minutes, in the background")
write.step(12, tags_info, sql_replica,
           "The tags info service counts taggings per tag over the last day on a SQL replica (the *top tags* query "
           "below) and keeps the top ones as the popular set.")
write.step(13, tags_info, trie_server,
           "It hands the same counts to the trie server, which rebuilds its suggestion trie and swaps it in.")

write.note("The queue makes writes asynchronous (the client does not wait for four stores) and fault tolerant "
           "(a request survives a crash of the fanout service). It delivers at least once, so every step must "
           "survive a repeat: step 7 writes the document by item ID (an upsert), the primary key of `item_tags` "
           "turns a repeated pair in step 8 into a no-op, and step 10 overwrites. Step 11 is not idempotent (a "
           "repeat pushes the ID twice), so the tags service drops repeated IDs when it reads a list.",
           theme="Delivery")
write.note("Both caches evict the least recently used entry when full (LRU; Redis's `allkeys-lru` policy approximates it by sampling a few keys). A popular tag whose "
           "list was evicted is rebuilt from SQL on its next read (read step 9).",
           theme="Caching")
write.note("A tag that becomes popular has no list yet; its first read misses and fills it whole (read step 9). A tag "
           "that stops being popular is no longer pushed to or read from the cache; its list expires within the hour (LRU "
           "may evict it sooner). If the tag turns popular again before that, the old list misses what was tagged in "
           "between until it expires: the time to live bounds the gap.",
           theme="Caching")
write.note("Lists are ordered by item ID, like the SQL listing that refills them. An old item given a popular tag "
           "later is not pushed (it does not belong at the front); it shows up in the cached list when the list is "
           "next refilled, within the hour, and at once in SQL.",
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
          "It reads the newest item IDs of the tag from the tags cache (`LRANGE`).",
          when="If the tag is popular")
read.step(9, tags_service, sql_replica,
          "It reads the tag's newest item IDs from a SQL replica and writes the whole list back to the tags cache.",
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
          "subtree is walked. It is rebuilt from tag counts (write step 13), not updated on every tagging.",
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
             "Idempotency-Key": "A retried create returns the first attempt's item ID instead of a second item"},
)
tagging.endpoint(
    "PUT", "/v1/items/{item_id}/tags/{tag}", "Tag an existing item; tagging it twice changes nothing", starts=(write, 2),
    request={"item_id": "string: the item", "tag": "string: the tag name, normalised before it is stored"},
    status={202: "Accepted and queued", 400: "A tag name that is empty or too long", 401: "No valid token",
            403: "Not allowed to tag this item", 429: "Over the write quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the user"},
)
tagging.endpoint(
    "GET", "/v1/tags/{tag}/items", "The items with a tag, newest first, a page at a time", starts=(read, 2),
    request={"tag": "string: the tag name",
             "cursor?": "string: next_cursor from the previous page (the last item ID shown, for keyset paging)"},
    response={"items": "object[]: item ID, title, tags, upvotes, comment count, media URLs through the CDN",
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
