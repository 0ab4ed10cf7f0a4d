"""Store a piece of text and get back a short link that shows it to anyone."""

from blueprint import System

pastebin = System(
    "Pastebin",
    schema="schemas/pastebin.sql",
    relationships=["users 1-to-many pastes"],
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
                           role="Recently read pastes (text and expiry) by paste ID, each kept no longer than the paste lives")
metadata_db = pastebin.component("metadata_db", "Metadata (SQL)", kind="postgresql", group="Data stores",
                                 role="Who owns which paste, the object key of its text, when it expires")
object_store = pastebin.component("object_store", "Object storage", kind="s3", group="Data stores",
                                  role="A private bucket: the text of every paste, one object per paste, keyed by the paste ID")

write = pastebin.path("write", "Write path")
write.step(1, client, server,
           "The client opens an HTTPS connection to an app server (through the load balancer, as on the read path) "
           "and asks to create a paste of a given size.")
write.step(2, server, rate_limiter,
           "The server checks the client's write quota with the rate limiter (the same service the load balancer "
           "asks for reads); a client over its limit gets HTTP 429 and stops here.")
write.step(3, key_service, server, "The key generation service hands the server an unused, already encoded paste ID.")
write.step(4, server, client,
           "The server presigns an upload for the object key that equals the paste ID (an HTTP PUT of that one key, "
           "of exactly the declared size, valid for a few minutes) and returns the upload URL with the paste ID.")
write.step(5, client, object_store,
           "The client sends the text straight to object storage with an HTTP PUT to that URL, so the bytes never "
           "cross the app servers.")
write.step(6, object_store, client,
           "Object storage checks the signature, stores the text under the key and confirms the upload.")
write.step(7, client, server,
           "The client tells the server that the upload is done; the server can confirm that the object exists "
           "(an HTTP HEAD request on the key) before going on.")
write.step(8, server, metadata_db,
           "The server records the paste's metadata in the SQL database: ID, owner, object key and expiry. "
           "It keeps the key, not the upload URL, which stops working minutes later.")
write.step(9, server, bloom_filter,
           "The server adds the new ID to the Bloom filter, so that the first read of the paste is not turned "
           "away (read step 6).")
write.step(10, server, client, "The server returns the link built from the paste ID; that link is what the user shares.")
write.note("Keys are generated ahead of time, so a write never has to check for a collision. "
           "Six base62 characters give 62⁶ ≈ 56.8 billion keys.", theme="Keys")
write.note("A short ID is not a secret. With a billion pastes stored, a random six-character guess hits an existing "
           "paste with probability 10⁹ / 62⁶ ≈ 1.8 %, so the rate limiter slows enumeration but does not prevent it. "
           "Unlisted pastes need long random IDs (22 base62 characters carry about 131 bits) or an owner check.",
           theme="Keys")
write.note("The source builds the paste URL by appending the paste ID to a presigned URL. Object storage would reject "
           "that URL: the signature covers the method, the bucket and the path (which is the object key), so any change "
           "to the path breaks it. In practice the server presigns the upload for the key itself (step 4), and the "
           "database records the key (step 8): a presigned URL lives for minutes, so readers cannot be sent through it later.",
           theme="Corrections")
write.note("The source has object storage hand out the presigned URL. With S3 and most object stores, presigning needs "
           "no request at all: the server computes the signature with its own credentials, which is why no arrow "
           "goes to object storage before step 5.", theme="Corrections")
write.note("Uploading straight to object storage takes the paste's bytes off the app servers and their bandwidth bill. "
           "The signature fixes the key and the size, and it expires after minutes, so the URL can neither write "
           "another paste nor overwrite this one later.", theme="Upload")
write.note("Until steps 8 and 9 have run, the paste does not exist for readers. Instead of trusting the client's "
           "word (step 7), the server can react to the event that object storage emits when an object is created; "
           "a lifecycle rule deletes objects that were uploaded but never recorded.", theme="Upload")
write.note("One Bloom filter is shared by every app server (for example a Redis instance with the RedisBloom module: "
           "`BF.ADD` here, `BF.EXISTS` on a read), so an ID added by one server is seen by all. If each server kept "
           "its own copy in memory instead, every add would have to reach every copy (broadcast over pub-sub, say) "
           "before the link is returned, and a restarted server would reload its copy from the database. "
           "A filter that missed an add turns a live paste into a 404, so a failed add is retried, and the write "
           "fails if it cannot be made.", theme="Bloom filter")

read = pastebin.path("read", "Read path")
read.step(1, client, dns, "The client resolves the Pastebin domain name through DNS.")
read.step(2, client, cdn, "The client asks the CDN for the paste; a copy the CDN holds is returned at once.")
read.step(3, cdn, load_balancer, "The CDN forwards the request to the load balancer (or reverse proxy) at the origin.",
          when="On a CDN miss")
read.step(4, load_balancer, rate_limiter, "The read is checked against the client's quota.")
read.step(5, load_balancer, server, "The load balancer passes the request to an app server with spare capacity.")
read.step(6, server, bloom_filter, "The server asks the Bloom filter whether the paste ID exists; if it says no, the answer is 404.")
read.step(7, server, cache, "If the paste may exist, the server looks for it (text and expiry) in the cache; a hit is returned at once.")
read.step(8, server, metadata_db,
          "The server reads the paste's row from the SQL database: its object key and expiry. "
          "No row, or an expired one, is a 404.",
          when="On a cache miss")
read.step(9, server, object_store,
          "The server fetches the text from the private bucket by that object key, with its own credentials.",
          when="On a cache miss")
read.step(10, server, cache,
          "The server puts the paste (text and expiry) into the cache, with a time to live no longer than the "
          "paste has left, and returns it.",
          when="On a cache miss")
read.note("A Bloom filter never says 'no' for an ID that was added to it, and write step 9 adds every new ID, "
          "so step 6 turns away only IDs that were never created; a 'maybe' for a missing ID costs one cache "
          "and one database lookup.")
read.note("The answer travels back the way it came, and the CDN keeps popular pastes, so most reads of a viral "
          "paste end at step 2. The CDN's copy, like the cache's, expires no later than the paste itself.")
read.note("Pastes are read far more often than they are written, which is why the read path has two layers of "
          "caching (the CDN, then the cache) and the write path none. The Bloom filter in front of them is not a "
          "cache: it holds no paste, it only rules out IDs that do not exist.")
read.note("Readers never see an object storage URL: the bucket is private and only the servers read it, by key. "
          "Nothing a reader holds can expire before the paste does.")
read.note("The source has the client contact the load balancer directly after a CDN miss; "
          "with a pull CDN, as here, the CDN forwards the miss to the origin itself.", theme="Corrections")

# --- API -----------------------------------------------------------------------------
pastebin.endpoint(
    "POST", "/v1/pastes", "Reserve a paste ID and get an upload URL for its text", starts=(write, 1),
    request={"size_bytes": "integer: the length of the text, which the upload URL will enforce",
             "expires_in?": "integer: seconds until the paste expires; none keeps it"},
    response={"paste_id": "string: the short base62 ID", "upload_url": "string: presigned PUT for that key, valid minutes"},
    status={201: "ID reserved, upload URL issued", 400: "Size missing, zero or over the limit",
            401: "No valid token", 429: "Over the write quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token; anonymous pastes omit it and get a lower quota",
             "Idempotency-Key": "A retried create returns the same ID instead of a second one"},
)
pastebin.endpoint(
    "POST", "/v1/pastes/{paste_id}/complete", "Confirm the upload, so the paste becomes readable", starts=(write, 7),
    request={"paste_id": "string: the ID returned by the create"},
    response={"link": "string: the URL to share"},
    status={200: "Recorded; the link works now", 404: "No such reservation, or it lapsed",
            409: "No object under that key yet: upload first"},
    headers={"Authorization": "Bearer token of the same user as the create"},
)
pastebin.endpoint(
    "GET", "/v1/pastes/{paste_id}", "Read a paste", starts=(read, 2),
    request={"paste_id": "string: the short ID from the link"},
    response={"text": "string: the paste", "expires_at": "string: ISO 8601 time, or absent"},
    status={200: "The paste", 304: "Unchanged since the ETag the client sent", 404: "No such paste, or it expired",
            429: "Over the read quota"},
    headers={"If-None-Match": "The ETag of the copy the client has"},
    response_headers={"Cache-Control": "Public, max-age up to the expiry, so the CDN may keep it"},
)
pastebin.endpoint(
    "DELETE", "/v1/pastes/{paste_id}", "Delete one's own paste",
    request={"paste_id": "string: the short ID"},
    status={204: "Deleted (CDN and cache copies are purged)", 403: "Not the owner", 404: "No such paste"},
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
