"""Save a list of favourite colours, change it, and share it by email with the people allowed to see it."""

from blueprint import System

color_picker = System(
    "Color Picker",
    schema="schemas/color_picker.sql",
    relationships=[
        "colors many-to-many users through favorite_list",
        "users many-to-many users through permissions",
        "users 1-to-1 user_emails",
    ],
)

# --- Clients -------------------------------------------------------------------------
owner = color_picker.component("owner", "Owner", kind="client", group="Clients",
                               role="The user who keeps a favourite list, changes it and shares it")
viewer = color_picker.component("viewer", "Viewer", kind="client", group="Clients",
                                role="Someone the owner shared the list with (or the owner on another device)")

# --- Edge ----------------------------------------------------------------------------
dns = color_picker.component("dns", "DNS", kind="dns", group="Edge",
                             role="Turns the site's domain name into the address of the nearest entry point")
cdn = color_picker.component("cdn", "CDN", kind="cdn", group="Edge",
                             role="Serves the app's static files and the public colour catalogue; never a private list")
load_balancer = color_picker.component("load_balancer", "Load balancer", kind="load_balancer", group="Edge",
                                       role="An active-passive pair: spreads requests over the web servers")
rate_limiter = color_picker.component("rate_limiter", "Rate limiter", kind="rate_limiter", group="Edge",
                                      role="Rejects clients over their read, write or share quota with HTTP 429")

# --- Services ------------------------------------------------------------------------
web_server = color_picker.component("web_server", "Web server", kind="web_server", group="Services",
                                    role="Stateless: authenticates the session and forwards the request")
favorites = color_picker.component("favorites", "Favourite colours service", kind="service", group="Services",
                                   role="Owns favourite lists: checks who may see or change them, reads and writes them")
user_info = color_picker.component("user_info", "User info service", kind="service", group="Services",
                                   role="Each owner's access control list in memory, partitioned by owner ID, several instances per partition")
email = color_picker.component("email", "Email service", kind="email", group="Services",
                               role="Sends the link to a shared list to the viewer's address")

# --- Data stores ---------------------------------------------------------------------
list_cache = color_picker.component("list_cache", "Favourite list cache", kind="redis", group="Data stores",
                                    role="Key fav:{owner ID}: the list's colour IDs in order; partitioned by owner ID, a leader and read replicas per partition")
color_cache = color_picker.component("color_cache", "Colour cache", kind="redis", group="Data stores",
                                     role="Key color:{colour ID}: hex code and name")
db_leader = color_picker.component("db_leader", "Document store leader", kind="mongodb", group="Data stores",
                                   role="MongoDB primary of the owner's shard: takes every write")
db_followers = color_picker.component("db_followers", "Document store followers", kind="mongodb", group="Data stores",
                                      role="MongoDB secondaries, in several data centres: serve reads after a cache miss")
static_files = color_picker.component("static_files", "Static files", kind="s3", group="Data stores",
                                      role="Object storage: the app's JavaScript, CSS and the colour catalogue, the CDN's origin")

# --- Failure behaviour ---------------------------------------------------------------
list_cache.fails(
    down="Lists load from the document store's followers, more slowly; a delete that cannot reach the partition "
         "leaves a stale list until its TTL, ten minutes",
    slow="Reads give up on the cache after a short timeout and read a follower",
    loses_data="Nothing durable: readers refill missing lists from the followers (cache-aside)",
    handling="A leader and read replicas per partition; a replica takes over a failed leader",
    redundant=True)
color_cache.fails(
    down="Colours are read from the document store's followers (read step 14): slower lists, nothing wrong",
    slow="Reads give up on the cache after a short timeout and read a follower",
    loses_data="Nothing durable: colours never change, and misses refill them",
    handling="One Redis server with no replica; a miss falls back to the followers, so losing it costs only speed",
    redundant=False)
db_leader.fails(
    down="Changes and shares fail for about 10 s, until a follower is elected leader; lists already cached "
         "still load, but a permission check that must reload from the leader fails",
    slow="Changes and shares time out; the client retries with the same If-Match, which is safe",
    loses_data="Nothing acknowledged is lost: a write is acknowledged once a majority has it (step 6)",
    handling="A MongoDB replica set per shard: a follower is elected leader",
    redundant=True)
db_followers.fails(
    down="Cache misses go to another follower, in this or another data centre",
    slow="Lists that miss the cache load slowly; a lagging follower is why the delete is repeated (write step 9)",
    loses_data="Nothing: a follower resyncs from the leader",
    handling="Several followers in several data centres",
    redundant=True)
static_files.fails(
    down="The app loads only from what the CDN has kept; lists themselves do not depend on it",
    slow="A first visit loads the app slowly",
    loses_data="S3 keeps each object in several zones; the files are also redeployed from the build",
    handling="S3's own redundancy, behind the CDN",
    redundant=True)


# --- Write path: the owner changes the list ------------------------------------------
write = color_picker.path("write", "Write path", per="write")
write.step(1, owner, load_balancer,
           "The owner's browser opens an HTTPS connection to the load balancer and sends the new list "
           "(`PUT /lists/42` with the colour IDs in order), with `If-Match` set to the ETag of the list it edited.")
write.step(2, load_balancer, rate_limiter,
           "Writes are checked against the client's write quota; a client over it gets HTTP 429 and stops here.",
           size="100 B")
write.step(3, load_balancer, web_server, "The load balancer hands the request to a web server with spare capacity.")
write.step(4, web_server, favorites,
           "The web server passes the update on with the signed-in user's ID. The request is refused with "
           "**403 Forbidden** when that user is not the list's owner: sharing lets others view, never edit.")
write.step(5, favorites, db_leader,
           "The service reads the owner's favourite list document on the leader of the shard that holds owner "
           "42, checks that its hash is the ETag in `If-Match`, and replaces it only if it is still the list it "
           "read: the update's filter "
           "matches the stored array exactly, so one document changes atomically and no transaction is needed. "
           "If the hash differs, or nothing matches (another device changed the list in between), "
           "**412 Precondition Failed**, and the browser reloads it; but a stored list that already is the one "
           "sent (a retried `PUT` whose first answer was lost) answers 200, so a retry is not taken for a "
           "conflict.", effect="write",
           after_crash=("idempotent retry", "a leader that crashes before a majority has the change may roll it "
                        "back; the PUT was not acknowledged, and its retry either applies it or finds it stored (200)"))
write.step(6, db_leader, db_followers,
           "The leader ships the change to its followers, including those in other data centres; "
           "the write is acknowledged once a majority has it.", effect="write",
           after_crash=("accepted", "a service that crashes before step 7 leaves the old list in the cache; the "
                        "key's TTL removes it within 10 minutes, and the owner's retry deletes it at once"))
write.step(7, favorites, list_cache,
           "Only then does the service delete the key `fav:42` on the leader of its cache partition; "
           "the next read loads the new list (cache-aside).", effect="write", size="100 B")
write.step(8, web_server, owner, "The web server confirms the update to the owner.")
write.step(9, favorites, list_cache,
           "A few seconds later, longer than followers usually lag, the service deletes `fav:42` a second time. "
           "This removes an old list that a reader may have put back in between, after reading a follower "
           "that had not yet received the change (read path, steps 11 and 12).", effect="write", size="100 B")

write.note("The document store is partitioned by owner ID (the source names consistent hashing; MongoDB's hashed "
           "sharding reaches the same goal). Each sharded collection is balanced on its own, so a list and its "
           "permissions may sit on different shards; no step needs them together, since each is read by its own "
           "key (the permission check through the user info service).",
           theme="Storage")
write.note("Two devices of the owner may edit the list at once. The ETag is a hash of the stored list; a "
           "`PUT` without `If-Match` is refused with 428, and one based on an older list with 412 (step 5), so "
           "neither device silently overwrites the other's change. A list changed and changed back has its old "
           "ETag again, and a `PUT` based on it overwrites nothing the device did not see.",
           theme="Concurrent edits")
write.note("The source says data is replicated across data centres \"at the write server level\". In practice the "
           "app servers should not write to several data centres themselves (two writes that can half-fail); "
           "the document store replicates, as in step 6.",
           theme="Corrections")
write.note("The source picks MongoDB on the assumption that no transactions are needed. MongoDB has had "
           "multi-document ACID transactions since 4.0; here none are needed because a list is one document.",
           theme="Corrections")
write.note("The source says Apache Gora serves as an SQL wrapper for querying MongoDB. It is not one: Gora is a Java "
           "persistence framework (an in-memory data model, mapped onto stores such as HBase, Cassandra or MongoDB, "
           "with Hadoop MapReduce and Spark support), i.e. an object mapper, not an SQL layer. "
           "The service uses MongoDB's own driver; for SQL over MongoDB, use MongoDB's SQL interface or "
           "a Trino connector.",
           theme="Corrections")
write.note("A colour picked freely rather than from the catalogue is added to the colours collection first, "
           "once: its hex code is unique, so picking it again finds the same ID.",
           theme="Storage")
write.note("The load balancer runs as an active-passive pair: the passive node watches the active one's heartbeat "
           "and takes over its virtual IP address when it fails.",
           theme="Availability")
write.note("Invalidation is a delete, not an update: two writers racing to set the cache could leave the older list "
           "in it, whereas a delete only costs the next reader one miss. The delete is repeated (step 9) because "
           "readers refill the key from followers, which may lag the leader. The colour cache is not touched: a "
           "list change does not change any colour.",
           theme="Cache invalidation")


# --- Read path: a viewer opens a shared list -----------------------------------------
read = color_picker.path("read", "Read path", per="read")

read.stage("Reach a web server")
read.step(1, viewer, dns, "The viewer's browser resolves the site's domain name through DNS.", size="100 B")
read.step(2, viewer, cdn,
          "The browser loads the app and the colour catalogue from the CDN. The favourite list itself is private, "
          "so it is never stored at the CDN.")
read.step(3, cdn, static_files, "The CDN fetches the file from object storage and keeps a copy.",
          when="On a CDN miss", share=0.01, effect="read")
read.step(4, viewer, load_balancer,
          "The browser opens an HTTPS connection to the load balancer and asks for the shared list (`GET /lists/42`).")
read.step(5, load_balancer, rate_limiter,
          "Reads are checked against the client's read quota; a client over it gets HTTP 429.", size="100 B")
read.step(6, load_balancer, web_server, "The load balancer hands the request to a web server with spare capacity.")
read.step(7, web_server, favorites, "The web server asks the favourite colours service for owner 42's list on behalf of the viewer.")

read.stage("Check the permission")
read.step(8, favorites, user_info,
          "The service asks the user info service whether the viewer may see owner 42's list. The request is "
          "refused with **403 Forbidden** when the viewer is neither the owner nor on the owner's list of viewers.",
          size="100 B")
read.step(9, user_info, db_leader,
          "The user info service loads owner 42's permissions document from the leader (not a follower, so that a "
          "revoked viewer is never let in by a lagging copy) and keeps it in memory.",
          when="On a miss in memory", share=0.05, effect="read", size="200 B")

read.stage("Fetch the list")
read.step(10, favorites, list_cache,
          "The service reads the list's colour IDs (`fav:42`) from a read replica of the cache partition that "
          "owns owner 42.", effect="read", size="200 B")
read.step(11, favorites, db_followers,
          "The service reads the favourite list document from a follower of the document store.",
          when="On a cache miss", share=0.2, effect="read", size="200 B")
read.step(12, favorites, list_cache,
          "The service writes the list into the cache under `fav:42`, with a TTL (cache-aside: the service fills "
          "the cache, the store never does).",
          when="On a cache miss", share=0.2, effect="write", size="200 B",
          after_crash=("accepted", "a crash before step 15 leaves the list cached and some colours not; nothing "
                       "is wrong, and the next read costs at most 1 extra miss per colour"))
read.step(13, favorites, color_cache,
          "The service fetches every colour's hex code and name in one round trip: a Redis `MGET` of "
          "`color:7 color:3 color:12`.", effect="read")
read.step(14, favorites, db_followers,
          "The service reads the colours that `MGET` did not return from a follower.",
          when="For the colours missing from the cache", share=0.05, effect="read")
read.step(15, favorites, color_cache,
          "The service caches those colours under their `color:` keys.",
          when="For the colours missing from the cache", share=0.05, effect="write")
read.step(16, web_server, viewer,
          "The web server returns the list: colour names and hex codes in the owner's order, marked "
          "`Cache-Control: private` so that no shared cache keeps it.")

read.note("Only the answer is a page of colours (2 kB). The list itself is about twenty colour IDs and the owner's "
          "ID (200 B, the write size), and so is a permissions document of a few viewer IDs; a DNS answer, a quota "
          "check, a permission check and a key delete are about 100 B each.",
          theme="Load")
read.note("The favourite list cache is partitioned by owner ID with consistent hashing, so adding a cache server "
          "moves only a small share of the keys.",
          theme="Caching")
read.note("Each cache partition has a leader and read replicas. Reads go to a replica (step 10); "
          "writes and deletes go to the leader (write path, step 7), which passes them on.",
          theme="Caching")
read.note("The caches are filled by the reader on a miss (cache-aside, steps 12 and 15) and evict the least recently "
          "used keys when memory is full (LRU), so lists nobody opens leave the cache by themselves.",
          theme="Caching")
read.note("The user info service keeps each owner's permissions in memory, so the check in step 8 costs no "
          "database round trip. The share path drops the copy whenever the owner changes them, and step 9 "
          "reloads it from the leader.",
          theme="Caching")
read.note("When a list changes, the writer deletes that one key, `fav:{owner ID}`, and deletes it again a few seconds "
          "later (write path, steps 7 and 9). The source "
          "says the cache servers must be flushed; flushing them would throw away every user's lists and send "
          "all readers to the database at once.",
          theme="Cache invalidation")
read.note("Every key still has a TTL (say ten minutes), the last safety net for a stale list that both deletes "
          "missed: a cache node that was unreachable, or a follower that lagged longer than the delay before the "
          "second delete and was read for a refill (steps 11 and 12). The TTL bounds how long either can last.",
          theme="Cache invalidation")
read.note("Colour documents do not change, so `color:` keys need no invalidation; their TTL only lets unused "
          "colours age out.",
          theme="Cache invalidation")
read.note("The source has the client look for the favourite list in the CDN. A CDN cannot check who is asking, "
          "so a private list cached there would be served to anyone with the link and stay stale after an update; "
          "the CDN serves the app and the public colour catalogue only (steps 2 and 3).",
          theme="Corrections")
read.note("Web servers find instances of the favourite colours and user info services through ZooKeeper (service "
          "discovery); they keep the addresses and watch for changes, so ZooKeeper is not on the request path "
          "and is not drawn.",
          theme="Service discovery")


# --- Share path: the owner lets someone view the list -------------------------------
share = color_picker.path("share", "Share path", per="write", times=0.1)  # one share for every ten list changes
share.step(1, owner, load_balancer,
           "The owner shares the list: `POST /lists/42/viewers` with the viewer's email address.")
share.step(2, load_balancer, rate_limiter,
           "Shares have a tight quota of their own, since each one sends an email; over it, HTTP 429.")
share.step(3, load_balancer, web_server, "The load balancer hands the request to a web server with spare capacity.")
share.step(4, web_server, favorites,
           "The web server passes the request on. It is refused with **403 Forbidden** unless the signed-in user "
           "owns the list.")
share.step(5, favorites, db_leader,
           "The service looks the address up in `user_emails`, sharded by email so one shard answers, and adds "
           "that user's ID to owner 42's permissions document (`$addToSet`, so sharing twice changes nothing).",
           effect="write")
share.step(6, favorites, user_info,
           "The service tells every instance of the user info service that serves owner 42's partition to drop "
           "its copy of owner 42's permissions; the next check (read path, step 8) reloads them from the leader "
           "(read path, step 9). It answers the owner once all have acknowledged.")
share.step(7, favorites, email,
           "The service asks the email service to send the viewer the link to the list, under the key "
           "`share:42:{viewer ID}`. The email service sends once per key and keeps keys for a day, so a share "
           "the owner retries (step 5 then changes nothing) sends no second email, and one that failed before "
           "this step is completed by the retry. The price: a viewer revoked and shared again within the day "
           "gets no second email, which the owner's page says.")
share.step(8, email, viewer, "The viewer receives an email with the link, `https://…/lists/42`.")
share.note("Assumption: about one write in ten is a share, so the path runs at a tenth of the peak writes, each "
           "moving about 200 B (an email address and a list ID).",
           theme="Load")
share.note("The link is not a secret: anyone may hold it, and only the permission check on every read "
           "decides who sees the list. Revoking is the same path with `$pull` instead of `$addToSet`.",
           theme="Permissions")
share.note("Step 6 drops the copy instead of writing the new one in. A share and a revoke racing from two tabs "
           "would otherwise each write what it read, and the older could land last, leaving a revoked viewer in "
           "memory: the same reason the list cache is invalidated by a delete. A reload that began before the "
           "drop could do the same, so each instance counts the drops per owner and throws away a load that "
           "started before the latest one.",
           theme="Permissions")
share.note("If step 6 fails after step 5 (an instance does not answer), the change is retried until every "
           "instance has acknowledged; meanwhile the old entry lives at most until its TTL (a minute) runs out, "
           "which is the bound the requirements allow when a component fails.",
           theme="Permissions")
share.note("Sharing with an address that has no account yet would need an invitation (a pending user); "
           "it is left out here.",
           theme="Permissions")


# --- API -----------------------------------------------------------------------------
color_picker.endpoint(
    "PUT", "/lists/{owner_id}", "Replace one's favourite list (add, remove or reorder colours)", starts=(write, 1),
    request={"owner_id": "string: the list's owner, who must be the signed-in user",
             "color_ids": "integer[]: the colour IDs in the order the owner arranged them"},
    response={"color_ids": "integer[]: the list as stored"},
    status={200: "Stored on a majority of the shard (or already stored: a retry of a PUT that succeeded); readers see it within seconds",
            400: "An unknown colour ID, a colour listed twice, or a list over the size limit",
            401: "No valid session", 403: "Not the list's owner: sharing lets others view, never edit",
            412: "The list changed since the ETag in If-Match (another device of the owner): reload and edit again",
            428: "No If-Match: a replacement must say which list it edited",
            429: "Over the write quota (Retry-After says when to try again)"},
    headers={"Authorization": "Session token of the owner",
             "If-Match": "The ETag of the list the owner edited, from GET /lists/{owner_id}"},
    response_headers={"ETag": "The new list's ETag, the base of the next edit",
                      429: {"Retry-After": "Seconds to wait before trying again"}},
)
color_picker.endpoint(
    "GET", "/lists/{owner_id}", "Read a favourite list, one's own or one shared with the reader", starts=(read, 4),
    request={"owner_id": "string: whose list, from the link in the email"},
    response={"colors": "object[]: the colours in the owner's order, each with its ID, hex code and name"},
    status={200: "The list", 304: "Unchanged since the ETag the client sent",
            401: "No valid session", 403: "The reader is neither the owner nor one of the owner's viewers",
            404: "No such user", 429: "Over the read quota (Retry-After says when to try again)"},
    headers={"Authorization": "Session token of the reader",
             "If-None-Match": "The ETag of the copy the browser already shows"},
    response_headers={"Cache-Control": "Private, no-cache: no shared cache or CDN may keep a private list, and the browser revalidates with the ETag",
                      "ETag": "A hash of the stored list: an unchanged list costs a 304 and no body, and a PUT names it in If-Match",
                      429: {"Retry-After": "Seconds to wait before trying again"}},
)
color_picker.endpoint(
    "POST", "/lists/{owner_id}/viewers", "Share the list with someone by email", starts=(share, 1),
    request={"owner_id": "string: the list's owner, who must be the signed-in user",
             "email": "string: the address of the person who may view it"},
    response={"viewer_id": "string: the user ID added to the access control list"},
    status={200: "Added (sharing twice changes nothing, and sends one email); the email is on its way",
            400: "Not an email address", 401: "No valid session", 403: "Not the list's owner",
            404: "No account has that address (invitations are left out)",
            429: "Over the share quota, which is tight because each share sends an email"},
    headers={"Authorization": "Session token of the owner"},
    response_headers={429: {"Retry-After": "Seconds to wait before trying again"}},
)
color_picker.endpoint(
    "DELETE", "/lists/{owner_id}/viewers/{viewer_id}", "Revoke a viewer (the share path with $pull instead of $addToSet)",
    request={"owner_id": "string: the list's owner", "viewer_id": "string: the user who loses access"},
    status={204: "Revoked: every user info instance of the owner's partition has dropped its copy, so the next read by that user is refused. "
                 "Also the answer when the user is no longer a viewer: a revoke retried after a lost answer or a crash drops the copies again and succeeds",
            401: "No valid session",
            403: "Not the list's owner", 404: "No user has that ID"},
    headers={"Authorization": "Session token of the owner"},
)

# --- Capacity (the source gives no figures: every number is an assumption) ----------
color_picker.capacity(
    daily_active_users=(1_000_000, "Assumption: a popular design tool's favourites feature, used daily by a million people"),
    writes_per_user_per_day=(0.2, "Assumption: a list is changed or shared about once every five days"),
    read_to_write=(10, "Assumption: the owner's other devices and the viewers open a list about ten times per change"),
    write_size=("200 bytes", "About twenty colour IDs plus the owner's ID: the document a PUT replaces"),
    read_size=("2 kB", "About twenty colours with hex code and name, as JSON"),
    retention=("10 years", "Lists are kept as long as the account; ten years bounds the estimate"),
    peak_to_average=(3, "Assumption: working-hours peaks in the busiest regions"),
    hot_fraction=(0.2, "80-20 rule: a fifth of a day's reads cover most of the traffic"),
)

# --- API examples: checked against the schemas above ---------------------------------
color_picker.example(
    "PUT /lists/{owner_id}",
    headers={"If-Match": "\"7\""},
    request={"owner_id": "u_48213", "color_ids": [12, 7, 31]},
    responses={
        200: {"color_ids": [12, 7, 31]},
        412: {"error": "precondition_failed", "message": "The list changed since the ETag in If-Match"},
    },
)
color_picker.example(
    "GET /lists/{owner_id}",
    headers={"If-None-Match": "\"5d41402abc4b2a76\""},
    request={"owner_id": "u_48213"},
    responses={
        200: {
            "colors": [
                {"color_id": "c_1", "hex": "#1E88E5", "name": "Ocean"},
                {"color_id": "c_2", "hex": "#FDD835", "name": "Sunflower"},
            ],
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
color_picker.example(
    "POST /lists/{owner_id}/viewers",
    request={"owner_id": "u_48213", "email": "ada@example.org"},
    responses={
        200: {"viewer_id": "u_90017"},
        429: {
            "error": "rate_limited",
            "message": "Over the share quota, which is tight because each share sends an email",
        },
    },
)
color_picker.example(
    "DELETE /lists/{owner_id}/viewers/{viewer_id}",
    request={"owner_id": "u_48213", "viewer_id": "u_90017"},
    responses={204: None, 404: {"error": "not_found", "message": "That user was not a viewer"}},
)
