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
                                 role="Hands out unique, pre-generated short paste IDs")
bloom_filter = pastebin.component("bloom_filter", "Bloom filter", kind="bloom_filter", group="Services",
                                  role="Answers 'certainly not' or 'maybe' to 'does this paste ID exist?'")
cache = pastebin.component("cache", "Cache", kind="redis", group="Data stores",
                           role="Keeps the metadata of recently read pastes in memory")
metadata_db = pastebin.component("metadata_db", "Metadata (SQL)", kind="postgresql", group="Data stores",
                                 role="Who owns which paste, where its text is, when it expires")
object_store = pastebin.component("object_store", "Object storage", kind="s3", group="Data stores",
                                  role="Holds the text of every paste")

write = pastebin.path("write", "Write path")
write.step(1, client, server, "The client opens an HTTPS connection to an app server and asks to create a paste.")
write.step(2, server, rate_limiter, "The server checks the client's write quota; a client over its limit gets HTTP 429 and stops here.")
write.step(3, key_service, server, "The key generation service hands the server an unused, already encoded paste ID.")
write.step(4, object_store, server, "Object storage issues a presigned upload URL: a short-lived permission to write one object.")
write.step(5, server, client, "The server appends the paste ID to the presigned URL and returns this paste URL to the client.")
write.step(6, client, object_store, "The client uploads the text straight to object storage through the paste URL, so the bytes never cross the app servers.")
write.step(7, object_store, client, "Object storage keeps the text under the paste URL and confirms the upload.")
write.step(8, server, metadata_db, "The server records the paste's metadata (ID, owner, paste URL, expiry) in the SQL database.")
write.step(9, server, client, "The server returns the paste ID; the link built from it is what the user shares.")
write.note("Keys are generated ahead of time, so a write never has to check for a collision. "
           "Six base62 characters give 62⁶ ≈ 56.8 billion keys.")
write.note("Uploading through a presigned URL takes the paste's bytes off the app servers and their bandwidth bill; "
           "the URL expires after minutes, so it cannot be reused to overwrite the paste later.")
write.note("The server must learn that the upload finished before step 8, either from the client "
           "(a second, small request) or from an event that object storage emits; "
           "otherwise the database could point at text that was never uploaded.")

read = pastebin.path("read", "Read path")
read.step(1, client, dns, "The client resolves the Pastebin domain name through DNS.")
read.step(2, client, cdn, "The client asks the CDN for the paste; a paste the CDN holds is returned at once.")
read.step(3, cdn, load_balancer, "On a CDN miss, the request goes on to the load balancer (or reverse proxy) at the origin.")
read.step(4, load_balancer, rate_limiter, "The read is checked against the client's quota.")
read.step(5, load_balancer, server, "The load balancer passes the request to an app server with spare capacity.")
read.step(6, server, bloom_filter, "The server asks the Bloom filter whether the paste ID exists; if it says no, the answer is 404.")
read.step(7, server, cache, "If the paste may exist, the server looks for its metadata in the cache.")
read.step(8, server, metadata_db, "On a cache miss, the server reads the metadata from the SQL database and caches it.")
read.step(9, server, object_store, "The server fetches the text from object storage at the paste URL held in the metadata.")
read.note("A Bloom filter never says 'no' to a paste that exists, so step 6 can only turn away IDs that were never created; "
          "a 'maybe' for a missing ID costs one cache and database lookup.")
read.note("The answer travels back the way it came: the CDN keeps popular pastes, "
          "so most reads of a viral paste end at step 2.")
read.note("Pastes are read far more often than they are written, which is why the read path has three layers "
          "of caching (CDN, cache, Bloom filter) and the write path none.")
read.note("The source has the client contact the load balancer directly after a CDN miss; "
          "with a pull CDN, as here, the CDN forwards the miss to the origin itself.")
