"""Store a piece of text and get back a short link that shows it to anyone."""

from blueprint import System

pastebin = System(
    "Pastebin",
    schema="schemas/pastebin.sql",
    relationships=["users 1-to-many pastes", "users 1-to-many paste_reservations"],
)

client = pastebin.component("client", "Client", kind="client", group="Client",
                            role="A browser or app that creates and reads pastes")
dns = pastebin.component("dns", "DNS", kind="dns", group="Edge",
                         role="Turns the Pastebin domain into the address of the nearest entry point")
cdn = pastebin.component("cdn", "CDN", kind="cdn", group="Edge",
                         role="Serves popular pastes from a location close to the reader")
load_balancer = pastebin.component("load_balancer", "Load balancer", kind="load_balancer", group="Edge",
                                   role="Spreads requests over the app servers")
rate_limiter = pastebin.component("rate_limiter", "Rate limiter", kind="rate_limiter", group="Edge",
                                  role="Rejects clients that send more requests than their quota")
server = pastebin.component("server", "App server", kind="server", group="Services",
                            role="Stateless: creates pastes and looks them up")
key_service = pastebin.component("key_service", "Key generation service", kind="key_generation_service", group="Services",
                                 role="Hands out unique short paste IDs, drawn at random and stored in advance")
bloom_filter = pastebin.component("bloom_filter", "Bloom filter", kind="bloom_filter", group="Services",
                                  role="One filter shared by every server (for example RedisBloom): 'certainly not' or 'maybe' to 'does this paste ID exist?'")
cache = pastebin.component("cache", "Cache", kind="redis", group="Data stores",
                           role="Recently read pastes (text and expiry) by paste ID, each kept no longer than the paste lives, and a day at most")
metadata_db = pastebin.component("metadata_db", "Metadata (SQL)", kind="postgresql", group="Data stores",
                                 role="Who owns which paste, the object key of its text and when it expires; the reservations of pastes being uploaded; what the sweep has left to remove")
sweeper = pastebin.component("sweeper", "Sweeper", kind="scheduler", group="Services",
                             role="A scheduled job that removes deleted, expired and lapsed pastes from every store")
object_store = pastebin.component("object_store", "Object storage", kind="s3", group="Data stores",
                                  role="A private bucket: the text of every paste, one object per paste, keyed by the paste ID")

# --- Failure behaviour -----------------------------------------------------------------
cache.fails(down="Reads still work, a little slower: every read that gets past the CDN goes to the database and the bucket",
            slow="A server waits at most a few milliseconds for the cache, then reads the stores as on a miss",
            loses_data="Nothing is lost: it holds copies, and misses refill it",
            handling="One Redis node with no replica; the servers skip it when it does not answer, and a new node "
                     "starts empty and fills from misses",
            redundant=False)
metadata_db.fails(down="New pastes and deletes fail with 503; pastes in the CDN and the cache still load, other reads "
                       "go on from the read replicas",
                  slow="Creates and completes time out; the client retries them with the same Idempotency-Key and paste ID",
                  loses_data="Nothing acknowledged is lost: a reservation or complete is acknowledged only once the "
                             "synchronous standby holds it",
                  handling="A primary, a synchronous standby in another zone that is promoted when the primary fails, "
                           "and read replicas",
                  redundant=True)
object_store.fails(down="Uploads fail at write step 6 and the client retries; pastes in the CDN and the cache still load, "
                        "others fail with 503",
                   slow="Uploads and reads of uncached pastes are slow; the CDN and the cache hide it for popular pastes",
                   loses_data="A lost object would be a paste whose row points at nothing; object storage keeps every "
                              "object in several zones so that this does not happen",
                   handling="Managed object storage that stores each object in at least three availability zones",
                   redundant=True)

write = pastebin.path("write", "Write path", per="write")
write.step(1, client, server,
           "The client opens an HTTPS connection to an app server (through the load balancer, as on the read path) "
           "and asks to create a paste of a given size, with an Idempotency-Key that its retries repeat.",
           size="200 B")
write.step(2, server, rate_limiter,
           "The server checks the client's write quota with the rate limiter (the same service the load balancer "
           "asks for reads); a client over its limit gets HTTP 429 and stops here.", size="100 B")
write.step(3, key_service, server, "The key generation service hands the server an unused, already encoded paste ID.",
           size="100 B")
write.step(4, server, metadata_db,
           "The server reserves the paste: one INSERT of a pending reservation with the ID (which is also the object "
           "key), the owner, the size, the expiry and the Idempotency-Key, stamped by the database's clock, which also "
           "sets when it lapses. If the caller already used that key, the unique index turns the INSERT into a no-op "
           "and the server reads the first attempt's reservation instead; the ID just drawn is left unused. Only a "
           "clash on the key is a retry: an ID the key service handed out twice fails the INSERT.",
           effect="write",
           after_crash=("reconciliation", "a reservation with no object: a retry with the same Idempotency-Key finds it; "
                        "if none comes, it lapses after an hour and the sweep removes it"))
write.step(5, server, client,
           "The server presigns an upload for the object key that equals the paste ID (an HTTP PUT of that one key, "
           "of exactly the declared size, create-only, signed with the reservation's creation time so that it is valid for "
           "five minutes from then) and returns the upload URL with the paste ID. A retry gets the same ID and the "
           "same URL.", size="500 B")
write.step(6, client, object_store,
           "The client sends the text straight to object storage with an HTTP PUT to that URL, so the bytes never "
           "cross the app servers.", effect="write",
           after_crash=("reconciliation", "an object with only a reservation: a retried complete makes it a paste; if "
                        "none comes, the reservation lapses and the sweep deletes the object under its key"))
write.step(7, object_store, client,
           "Object storage checks the signature and the create-only condition, stores the text under the key and "
           "confirms the upload.", size="100 B")
write.step(8, client, server,
           "The client tells the server that the upload is done (POST …/complete, which it may retry as often as "
           "it needs).", size="100 B")
write.step(9, server, object_store,
           "The server checks that the object exists and has the reserved size (an HTTP HEAD request on the key); "
           "if it does not, the answer is 409 and nothing changes.", effect="read", size="100 B")
write.step(10, server, bloom_filter,
           "The server adds the ID to the Bloom filter before the paste can be read, so that the first read is not "
           "turned away (read step 6). Adding it twice is harmless.", size="100 B")
write.step(11, server, metadata_db,
           "One statement marks the caller's open reservation completed and inserts the paste's row from it (owner, "
           "object key, and the lifetime asked for, counted from now, so a late complete never returns a dead link). No reservation matched: a retry whose paste exists gets the same link; otherwise "
           "the reservation lapsed, the paste was deleted since, or it is someone else's (404).", effect="write",
           size="200 B")
write.step(12, server, client, "The server returns the link built from the paste ID; that link is what the user shares.",
           size="100 B")
write.note("Only the upload (step 6) carries the text, 10 kB. The rest moves a paste ID, a quota check, a "
           "presigned URL (about 500 B with its signature) or a row of a few columns (about 200 B). The reservation "
           "(step 4) is still counted at the path's 10 kB, an upper bound for its row.",
           theme="Load")
write.note("Keys are generated ahead of time, so a write never has to check for a collision. "
           "Six base62 characters give 62⁶ ≈ 56.8 billion keys.", theme="Keys")
write.note("A short ID is not a secret. With a billion pastes stored, a random six-character guess hits an existing "
           "paste with probability 10⁹ / 62⁶ ≈ 1.8 %, so the rate limiter slows enumeration but does not prevent it. "
           "Unlisted pastes need long random IDs (22 base62 characters carry about 131 bits) or an owner check.",
           theme="Keys")
write.note("The source builds the paste URL by appending the paste ID to a presigned URL. Object storage would reject "
           "that URL: the signature covers the method, the bucket and the path (which is the object key), so any change "
           "to the path breaks it. In practice the server presigns the upload for the key itself (step 5), and the "
           "database records the key (step 4): a presigned URL lives for minutes, so readers cannot be sent through it later.",
           theme="Corrections")
write.note("The source has object storage hand out the presigned URL. With S3 and most object stores, presigning needs "
           "no request at all: the server computes the signature with its own credentials, which is why no arrow "
           "goes to object storage before step 6.", theme="Corrections")
write.note("Uploading straight to object storage takes the paste's bytes off the app servers and their bandwidth bill. "
           "The signature fixes the key and the size, expires after minutes, and carries a signed `If-None-Match: *` "
           "header: object storage accepts the PUT only if no object has that key yet. A second PUT with the same URL "
           "(a replay, or a retry after a lost answer) gets 412, so once the text is stored, nobody can swap it for "
           "another under the same link; a client that gets 412 on its retry goes on to the complete.", theme="Upload")
write.note("The reservation is what makes the create and the complete safe to retry. The create's Idempotency-Key "
           "is unique per caller among the reservations (a signed-in user's keys are theirs; anonymous callers share one scope, "
           "so their key must be a random UUID, and knowing it is what proves who they are). A lost 201 is "
           "retried and finds the same reservation, kept for a day after its completion. A lost 200 of the complete "
           "is retried and finds the paste already there, "
           "adds the ID to the filter again and returns the same link.", theme="Retries and crashes")
write.note("A crash between two steps leaves nothing a reader can see. After step 4: a reservation with no object; "
           "after step 6: an object with only a reservation; after step 10: an ID in the filter with no paste yet, "
           "which costs a reader a database lookup and a 404. A retried complete finishes the job. If none ever comes, "
           "the reservation lapses and the sweep (the cleanup path) deletes the object under its key.",
           theme="Retries and crashes")
write.note("A bucket lifecycle rule cannot clean up uploads that were never completed: it sees only an object's key "
           "prefix, tags, size and age, never the database, and here the upload key is the paste's final key, so an "
           "age rule would delete live pastes too. The reservations are the record of what may have been uploaded, "
           "and the sweep works from them, so it never has to list the bucket.",
           theme="Retries and crashes")
write.note("One Bloom filter is shared by every app server (for example a Redis instance with the RedisBloom module: "
           "`BF.ADD` here, `BF.EXISTS` on a read), so an ID added by one server is seen by all. If each server kept "
           "its own copy in memory instead, every add would have to reach every copy (broadcast over pub-sub, say) "
           "before the link is returned, and a restarted server would reload its copy from the database. "
           "The add comes before the paste's row exists, so a failed add fails the complete (HTTP 503) while the "
           "paste is still unreadable, and the client's retry tries again.", theme="Bloom filter")

# The CDN keeps the hot fifth of pastes, which draw four reads in five (the capacity's 80-20
# rule), so one read in five reaches the origin; the cache keeps the hot pastes too (each CDN
# location misses them separately), and by the same rule answers four in five of those.
CDN_MISS, CACHE_MISS = 0.2, 0.2 * 0.2

read = pastebin.path("read", "Read path", per="read")
read.step(1, client, dns, "The client resolves the Pastebin domain name through DNS.", size="100 B")
read.step(2, client, cdn, "The client asks the CDN for the paste; a copy the CDN holds is returned at once.")
read.step(3, cdn, load_balancer, "The CDN forwards the request to the load balancer (or reverse proxy) at the origin.",
          when="On a CDN miss", share=CDN_MISS)
read.step(4, load_balancer, rate_limiter, "The read is checked against the client's quota.", share=CDN_MISS,
          size="100 B")
read.step(5, load_balancer, server, "The load balancer passes the request to an app server with spare capacity.",
          share=CDN_MISS)
read.step(6, server, bloom_filter, "The server asks the Bloom filter whether the paste ID exists; if it says no, the answer is 404.",
          share=CDN_MISS, size="100 B")
read.step(7, server, cache, "If the paste may exist, the server looks for it (text and expiry) in the cache; a hit is returned at once.",
          effect="read", share=CDN_MISS)
read.step(8, server, metadata_db,
          "The server reads the paste's row from a read replica of the SQL database: its object key and expiry. "
          "A reservation is not a paste, and an expired row is not served. A replica may lag a complete that committed seconds ago, so "
          "before answering 404 the server asks the primary; only its 'no' is final.",
          when="On a cache miss", effect="read", share=CACHE_MISS)
read.step(9, server, object_store,
          "The server fetches the text from the private bucket by that object key, with its own credentials.",
          when="On a cache miss", effect="read", share=CACHE_MISS)
read.step(10, server, cache,
          "The server puts the paste (text and expiry) into the cache, with a time to live no longer than the "
          "paste has left and at most a day, and returns it.",
          when="On a cache miss", effect="write", share=CACHE_MISS)
read.note("A Bloom filter never says 'no' for an ID that was added to it, and write step 10 adds every new ID, "
          "so step 6 turns away only IDs that were never created; a 'maybe' for a missing ID costs one cache "
          "and one database lookup.")
read.note("The answer travels back the way it came, and the CDN keeps popular pastes, so most reads of a viral "
          "paste end at step 2. The CDN's copy, like the cache's, expires no later than the paste itself.")
read.note("Pastes are read far more often than they are written, which is why the read path has two layers of "
          "caching (the CDN, then the cache) and the write path none. The Bloom filter in front of them is not a "
          "cache: it holds no paste, it only rules out IDs that do not exist.")
read.note("Readers never see an object storage URL: the bucket is private and only the servers read it, by key. "
          "Nothing a reader holds can expire before the paste does.")
read.note("The filter is one Redis on every read, so it must not become the way every read fails. If it does not "
          "answer, the server fails open: it treats the ID as a 'maybe' and goes on to the cache and the database. "
          "A failover to a replica that missed the last acknowledged `BF.ADD`s would turn new links into 404s, so "
          "after a failover the servers treat every ID as a 'maybe' until the filter has been rebuilt from the "
          "database.", theme="Bloom filter")
read.note("The source has the client contact the load balancer directly after a CDN miss; "
          "with a pull CDN, as here, the CDN forwards the miss to the origin itself.", theme="Corrections")

# Every paste is removed at most once, by its owner or by the sweep, so the path runs at most
# as often as pastes are created: sized at the peak write rate, an upper bound. No step carries the
# text: each moves a paste ID, a delete, a purge or a short list entry, about 100 B.
cleanup = pastebin.path("cleanup", "Delete and clean up", per="write", size="100 B")
cleanup.step(1, client, server,
             "The owner asks to delete the paste (through the load balancer, as on the read path), with their token.")
cleanup.step(2, server, metadata_db,
             "One statement deletes the owner's row from `pastes` and puts the paste on the sweep's list. Once the "
             "replicas have the delete (a moment later), read step 8 finds no row, so no server puts the paste back "
             "into the cache. If it deleted nothing, a second query tells a live paste of another user's (403) from "
             "none at all (404, which a retry whose 204 was lost also gets).", effect="write",
             after_crash=("reconciliation", "the paste is already unreadable and on the sweep's list, so a crash before "
                          "the cache delete and the purge leaves copies that the sweep removes some ten minutes later"))
cleanup.step(3, server, cache, "The server deletes the paste's entry from the cache.", effect="write",
             after_crash=("reconciliation", "a CDN copy that was not purged yet; the sweep purges it again some ten "
                          "minutes later"))
cleanup.step(4, server, cdn, "The server asks the CDN to purge the paste's URL.")
cleanup.step(5, server, client, "The server answers 204.")
cleanup.step(6, sweeper, metadata_db,
             "Every minute the sweeper moves expired pastes and lapsed reservations onto its list, each in one "
             "statement (the database's clock decides both), then reads a batch of the entries that have been on the "
             "list for ten minutes, longer than any upload URL lives.", effect="write",
             after_crash=("reconciliation", "what it put on the list stays there, and the next run, a minute later, "
                          "takes it up"))
cleanup.step(7, sweeper, cache,
             "It deletes their cache entries again: a read that fetched the row before step 2, or from a replica "
             "that had not caught up yet, may have put a copy back after step 3.", effect="write",
             after_crash=("reconciliation", "the paste is still on the list, so the next run repeats steps 7 to 10"))
cleanup.step(8, sweeper, cdn, "It purges their URLs from the CDN again, for the same reason.")
cleanup.step(9, sweeper, object_store,
             "It deletes the object under each key; for a reservation whose upload never came, that deletes nothing.",
             effect="write",
             after_crash=("reconciliation", "the paste is still on the list, so the next run deletes the object "
                          "again, which deletes nothing, and takes it off"))
cleanup.step(10, sweeper, metadata_db, "Last, it takes each paste off its list.", effect="write")
cleanup.note("The order is what makes a crash harmless. The paste's row goes first, in the same statement that puts "
             "it on the list, so readers get 404 before any copy is removed and no crash can lose track of the object. "
             "It leaves the list last, so a sweeper that dies anywhere before step 10 leaves it there, and the next run "
             "repeats steps 7 to 10, each of which can run twice.",
             theme="Order and crashes")
cleanup.note("A complete and the sweep can reach a reservation at the moment it lapses. Both change that one row "
             "under a condition (still open), so its row lock serializes them: whichever commits first wins, and the "
             "other finds its condition false (the complete answers 404, or the sweep skips a completed reservation).",
             theme="Order and crashes")
cleanup.note("No upload can arrive after step 9 has deleted the key, which would leave an object nothing points to "
             "(the URL is create-only, and the key is free again). The URL is signed with the reservation's creation "
             "time and lives five minutes. A reservation lapses after an hour, long after; a paste deleted or expired "
             "within minutes of its creation waits on the list for ten minutes before the sweep takes it. "
             "A lapsed ID is never handed out again: the key generation service gave it out once.",
             theme="Order and crashes")
cleanup.note("Only the copies the servers control can be purged. Responses give browsers and any proxy on the way "
             "a `max-age` of one minute, and our CDN alone, through `CDN-Cache-Control`, up to a day (never past "
             "the expiry), so a copy nobody can purge outlives the sweep's purge by a minute at most.",
             theme="What a delete reaches")
cleanup.note("The Bloom filter cannot forget an ID, so a deleted or expired ID costs a database lookup until the "
             "filter is next rebuilt from the pastes table.", theme="What a delete reaches")

# --- API -----------------------------------------------------------------------------
pastebin.endpoint(
    "POST", "/v1/pastes", "Reserve a paste ID and get an upload URL for its text", starts=(write, 1),
    request={"size_bytes": "integer: the length of the text, which the upload URL will enforce",
             "expires_in?": "integer: seconds until the paste expires; none keeps it"},
    response={"paste_id": "string: the short base62 ID", "upload_url": "string: presigned PUT for that key, valid five minutes"},
    status={201: "ID reserved, upload URL issued; a retry with the same key gets the same ID and URL, which expires when the first did",
            400: "Size missing, zero or over the limit, or an anonymous create without a UUID Idempotency-Key",
            401: "No valid token", 409: "This Idempotency-Key was already used for a create of another size",
            429: "Over the write quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token; anonymous pastes omit it and get a lower quota",
             "Idempotency-Key": "A retried create returns the same ID instead of a second one; unique per caller, "
                                "a random UUID for anonymous callers"},
)
pastebin.endpoint(
    "POST", "/v1/pastes/{paste_id}/complete", "Confirm the upload, so the paste becomes readable", starts=(write, 8),
    request={"paste_id": "string: the ID returned by the create"},
    response={"link": "string: the URL to share"},
    status={200: "Live; the link works now (a retry of a completed paste gets the same link)",
            404: "No such reservation, it lapsed, or another user made it",
            409: "No object of the reserved size under that key yet: upload first",
            503: "The Bloom filter could not be updated; nothing changed, retry"},
    headers={"Authorization": "Bearer token of the same user as the create (none for an anonymous paste)"},
)
pastebin.endpoint(
    "GET", "/v1/pastes/{paste_id}", "Read a paste", starts=(read, 2),
    request={"paste_id": "string: the short ID from the link"},
    response={"text": "string: the paste", "expires_at": "string: ISO 8601 time, or absent"},
    status={200: "The paste", 304: "Unchanged since the ETag the client sent",
            404: "No such paste, not completed, deleted or expired", 429: "Over the read quota"},
    headers={"If-None-Match": "The ETag of the copy the client has"},
    response_headers={"ETag": "A hash of the text, which never changes once uploaded",
                      "Cache-Control": "public, max-age of one minute: what a browser or a proxy outside our reach may keep",
                      "CDN-Cache-Control": "Our CDN alone keeps it up to a day, never past the expiry (RFC 9213); "
                                           "a delete purges it"},
)
pastebin.endpoint(
    "DELETE", "/v1/pastes/{paste_id}", "Delete one's own paste", starts=(cleanup, 1),
    request={"paste_id": "string: the short ID"},
    status={204: "Deleted: the cache and CDN copies are purged now, and again by the sweep some ten minutes later (a "
                 "read racing the delete may have put one back); a browser may keep its copy up to a minute",
            403: "Not the owner", 404: "No such paste"},
    headers={"Authorization": "Bearer token of the owner"},
)

# --- Capacity ------------------------------------------------------------------------
pastebin.capacity(
    daily_active_users=(10_000_000, "A popular public paste site"),
    writes_per_user_per_day=(0.1, "Most visitors only read; one paste per user every ten days"),
    read_to_write=(10, "A paste is shared and read about ten times"),
    write_size=("10 kB", "Logs and code snippets; text is capped at a few MB, most are small"),
    read_size=("10 kB", "A read returns the whole text"),
    retention=("5 years", "Pastes without an expiry are kept; five years bounds the estimate"),
    peak_to_average=(3, "Daytime peaks in the busiest regions"),
    hot_fraction=(0.2, "80-20 rule: a fifth of a day's reads cover most of the traffic"),
)

# --- API examples: checked against the schemas above ---------------------------------
pastebin.example(
    "POST /v1/pastes",
    headers={"Idempotency-Key": "3f2b8c1e-9d4a-4e7b-a0c6-5b1d2e8f9a70"},
    request={"size_bytes": 2_318, "expires_in": 86_400},
    responses={
        201: {"paste_id": "aZ3kP9q",
              "upload_url": "https://storage.pastebin.example/pastes/aZ3kP9q?X-Amz-Expires=600&X-Amz-Signature=9e1f3c"},
        409: {"error": "idempotency_key_reused",
              "message": "This Idempotency-Key was already used for a create of 1,024 bytes"},
        429: {"error": "over_quota", "message": "Over the anonymous write quota; retry after 60 seconds"},
    },
)
pastebin.example(
    "POST /v1/pastes/{paste_id}/complete",
    request={"paste_id": "aZ3kP9q"},
    responses={200: {"link": "https://pastebin.example/aZ3kP9q"},
               409: {"error": "not_uploaded", "message": "No object of 2,318 bytes under pastes/aZ3kP9q yet: upload first"}},
)
pastebin.example(
    "GET /v1/pastes/{paste_id}",
    headers={"If-None-Match": '"5d41402abc4b2a76"'},
    request={"paste_id": "aZ3kP9q"},
    responses={200: {"text": "SELECT * FROM pastes WHERE paste_id = 'aZ3kP9q';", "expires_at": "2026-12-08T09:30:00Z"},
               304: None,
               429: {"error": "over_quota", "message": "Over the read quota; retry after 1 second"}},
)
pastebin.example(
    "DELETE /v1/pastes/{paste_id}",
    request={"paste_id": "aZ3kP9q"},
    responses={204: None, 403: {"error": "not_owner", "message": "Only the user who created aZ3kP9q may delete it"}},
)
