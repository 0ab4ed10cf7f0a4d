"""Keep a folder in sync on every device: files cut into hashed blocks, only new blocks uploaded, changes pushed by long polling."""

from blueprint import System

dropbox = System(
    "Dropbox",
    schema="schemas/dropbox.sql",
    relationships=[
        "users 1-to-many devices",
        "workspaces 1-to-many files",
        "files 1-to-many file_versions",
        "users 1-to-many memberships",
        "workspaces 1-to-many journal",
        "files 1-to-many journal",
        "file_versions 1-to-many version_blocks",
        "blocks 1-to-many block_owners",
        "files 1-to-many acl",
    ],
)

# --- Components, in the order the groups should read left to right -------------------

folder = dropbox.component("folder", "Sync folder", kind="folder", group="Client",
                           role="The folder on the device's disk that the user edits, online or offline")
watcher = dropbox.component("watcher", "Watcher", kind="service", group="Client",
                            role="Listens to the operating system's file events in the sync folder")
chunker = dropbox.component("chunker", "Chunker", kind="chunker", group="Client",
                            role="Cuts files into blocks named by their SHA-256; uploads and downloads blocks; rebuilds files")
indexer = dropbox.component("indexer", "Indexer", kind="service", group="Client",
                            role="The client's sync engine: keeps the local database, commits changes, long-polls for others'")
client_db = dropbox.component("client_db", "Local metadata DB", kind="sql_database", group="Client",
                              role="SQLite on the device: each file's path, block hashes and base revision")

dns = dropbox.component("dns", "DNS", kind="dns", group="Edge",
                        role="Resolves the API, content and notification domains")
cdn = dropbox.component("cdn", "CDN", kind="cdn", group="Edge",
                        role="Caches blocks of files that very many users read, behind signed URLs")
load_balancer = dropbox.component("load_balancer", "Load balancer", kind="load_balancer", group="Edge",
                                  role="Spreads connections over web servers (round robin)")

web_server = dropbox.component("web_server", "Web server (API)", kind="web_server", group="Services",
                               role="Stateless API front: authenticates the device, routes to the service behind")
block_service = dropbox.component("block_service", "Block service", kind="service", group="Services",
                                  role="Stores and serves blocks by hash; checks each block's hash on upload")
metadata_service = dropbox.component("metadata_service", "Metadata service", kind="service", group="Services",
                                     role="Commits new file versions (checking the base revision), lists changes")
notification_service = dropbox.component("notification_service", "Notification service", kind="service",
                                         group="Services",
                                         role="Holds each device's long poll; answers it when the device has changes")
preview_service = dropbox.component("preview_service", "Preview service", kind="service", group="Services",
                                    role="Renders thumbnails and previews of documents, images and videos")
collector = dropbox.component("collector", "Block collector", kind="worker", group="Services",
                              role="Daily mark and sweep: deletes blocks that no version names and nobody claimed lately")

queue = dropbox.component("queue", "Message queue", kind="kafka", group="Messaging",
                          role="Kafka: one topic of change wake-ups (workspace, journal position), partitioned by workspace ID, "
                               "each partition on three brokers")

metadata_cache = dropbox.component("metadata_cache", "Metadata cache", kind="redis", group="Data stores",
                                   role="Redis: folder listings (deleted on every commit, short TTL) and block lists of versions (never change)")
metadata_db = dropbox.component("metadata_db", "Metadata DB", kind="mysql", group="Data stores",
                                role="MySQL, sharded by workspace (namespace): files, versions, block lists, journal, ACLs; users, devices, memberships on shards by user; "
                                     "each shard a primary and a semi-synchronous replica")
block_index = dropbox.component("block_index", "Block index", kind="mysql", group="Data stores",
                                role="MySQL, sharded by block hash: which blocks are stored, who uploaded each, when last claimed; "
                                     "each shard a primary and a semi-synchronous replica")
block_cache = dropbox.component("block_cache", "Block cache", kind="redis", group="Data stores",
                                role="Redis: blocks of frequently read files; never stale, since a block never changes")
block_store = dropbox.component("block_store", "Block store", kind="s3", group="Data stores",
                                role="Object storage, replicated: each block stored once, under its hash")
preview_cache = dropbox.component("preview_cache", "Preview cache", kind="redis", group="Data stores",
                                  role="Redis: recently viewed previews, stored encrypted")
preview_store = dropbox.component("preview_store", "Preview store", kind="s3", group="Data stores",
                                  role="Object storage: generated previews, keyed by file version")

# --- Failure behaviour ------------------------------------------------------------------
client_db.fails(down="That device cannot sync until its disk works again; the server and other devices carry on",
                slow="Sync on that device lags",
                loses_data="The device lists its workspaces afresh; a file on disk that differs from the server's "
                           "version is kept as a conflicted copy, so no unsynced edit is lost",
                handling="One copy per device, by design: the server's metadata database is the authority",
                redundant=False)
queue.fails(down="Devices are not woken at once: each long poll's journal check (download step 5) finds the "
                 "change when the poll times out, a few minutes late at most",
            slow="Other devices hear of changes later",
            loses_data="Nothing to restore: an event is only a wake-up, and the journal is the truth",
            handling="Three brokers per partition; a lost event costs one poll timeout", redundant=True)
metadata_cache.fails(down="Listings and block lists are read from the metadata database: slower, more load on it",
                     slow="Lookups time out to the database",
                     loses_data="Nothing to restore: entries are copies of rows, refilled on misses",
                     handling="Cache-aside; listings carry a short TTL, block lists never go stale",
                     redundant=True)
metadata_db.fails(down="A shard's primary down: commits and change lists of its workspaces fail; devices keep "
                       "their changes waiting to sync and retry with backoff",
                  slow="Commits and change lists slow down; long polls still hold",
                  loses_data="Semi-synchronous replication: an acknowledged commit is on the replica already",
                  handling="The replica of the shard is promoted", redundant=True)
block_index.fails(down="Uploads and commits fail (blocks cannot be recorded or claimed); downloads carry on, "
                       "since a grant needs no index",
                  slow="Uploads and commits slow down",
                  loses_data="Semi-synchronous replication: an acknowledged row is on the replica already",
                  handling="The replica of the shard is promoted; the collector pauses while a shard is down",
                  redundant=True)
block_cache.fails(down="Block reads go to the block store: slower, nothing wrong",
                  slow="Reads time out to the block store",
                  loses_data="Nothing to restore: a block never changes, and the store has it",
                  handling="A cache in front of the block store", redundant=True)
block_store.fails(down="Blocks cannot be uploaded or downloaded; devices keep changes waiting and retry with backoff",
                  slow="Sync of file contents slows down; metadata and notifications carry on",
                  loses_data="Copies (or erasure codes) across machines and data centers keep every block",
                  handling="Replicated object storage", redundant=True)
preview_cache.fails(down="Previews are read from the preview store: slower",
                    slow="Previews load late",
                    loses_data="Nothing to restore: the preview store has every preview",
                    handling="A cache in front of the preview store", redundant=True)
preview_store.fails(down="Previews fail to load; the files themselves sync and open as usual",
                    slow="Previews load late",
                    loses_data="Previews are rendered again from the file's blocks (steps 31 and 32)",
                    handling="Replicated object storage; every preview can be made again", redundant=True)

# --- Upload workflow ------------------------------------------------------------------------

up = dropbox.path("upload", "Upload workflow", per="write")
up.stage("On the device: detect, chunk, index")
up.step(1, folder, watcher, "The user saves a file; the operating system tells the watcher which path changed.", size="200 B")
up.step(2, watcher, chunker, "The watcher hands the path to the chunker.", size="200 B")
up.step(3, chunker, indexer,
        "The chunker splits the file into blocks at boundaries chosen by the content (content-defined "
        "chunking, at most 4 MB a block), names each by the SHA-256 hash of its content, and compresses "
        "them for the upload.", size="1 kB")
up.step(4, indexer, client_db,
        "The indexer records the new block list against the file's path, with the revision it was "
        "based on, and marks the file as waiting to sync.", effect="write",
        after_crash=("idempotent retry", "the file stays waiting to sync in the local database; after a restart "
                                         "the indexer uploads again, and a block sent twice is stored once"), size="1 kB")

up.stage("Upload only the new blocks")
up.step(5, chunker, load_balancer,
        "The chunker sends the file's list of block hashes over HTTPS and asks which of them it must upload.", size="1 kB")
up.step(6, load_balancer, web_server, "The load balancer hands the connection to a web server, in round robin.", size="1 kB")
up.step(7, web_server, metadata_service, "The web server passes the question to the metadata service.", size="1 kB")
up.step(8, metadata_service, metadata_db,
        "The metadata service looks up which of the hashes already appear in block lists of the workspace the "
        "file belongs to (one shard: the file's earlier versions are there, which is what an edit reuses). It "
        "does not search the user's other workspaces or files shared with them one by one: that would ask "
        "every shard they live on, to save re-sending a block the store then keeps once anyway. The workspace "
        "is one this user is a member of, so blocks that only other users have never count: see the note on "
        "deduplication.", effect="read", size="1 kB")
up.step(9, metadata_service, chunker, "It answers with the hashes the device must upload.", size="1 kB")
up.step(10, chunker, block_service,
        "The chunker uploads only those blocks (through the load balancer and a web server), compressed, and encrypted in transit by TLS.")
up.step(11, block_service, block_index,
        "The block service checks that each block hashes to its name, then records the hash in the block "
        "index, or renews its claim time if the index knows it. If the collector is deleting that block "
        "right now, the upload is refused with 503 and the device tries again.", effect="write",
        after_crash=("idempotent retry", "a row with no object behind it, which no commit can name: the device "
                                         "uploads again, and the collector removes a leftover after the grace period"), size="200 B")
up.step(12, block_service, block_store,
        "It stores the block under its hash; a hash the store already holds, uploaded by another user, is "
        "not stored twice.", effect="write",
        after_crash=("idempotent retry", "an object that no user holds yet: the device uploads again (a PUT by "
                                         "hash is idempotent), or the collector removes it after the grace period"))
up.step(13, block_service, block_index,
        "Only once the bytes are stored does it record that this user holds the block: from then on a "
        "commit by this user may name it.", effect="write", size="200 B")

up.stage("Commit the change")
up.step(14, indexer, load_balancer,
        "The indexer commits the change (a new block list, a delete or a rename) with the base revision it "
        "edited and an idempotency key that stays the same on every retry.", size="1 kB")
up.step(15, load_balancer, web_server, "The load balancer hands the commit to a web server.", size="1 kB")
up.step(16, web_server, metadata_service, "The web server passes it to the metadata service.", size="1 kB")
up.step(17, metadata_service, block_service,
        "For a new block list, the metadata service asks the block service to claim its blocks.", size="1 kB")
up.step(18, block_service, block_index,
        "The block service checks in the block index that every hash is live and either held by this user or "
        "already in a version of this workspace (what step 8 counted), and stamps its claim time, which keeps "
        "the collector off it. If any is not, the commit is refused with 409: upload it, then commit again.",
        effect="write",
        after_crash=("reconciliation", "blocks claimed that no version names: the retried commit claims them again, "
                                       "and the collector removes them if it never comes"), size="1 kB")
with up.transaction("One transaction on the workspace's shard"):
    up.step(19, metadata_service, metadata_db,
            "In one transaction on the shard of the file's workspace, the metadata service checks that the "
            "file's current revision is still the base revision, adds the file version with its block list, "
            "takes the workspace's next journal position and appends the change (edit, delete or rename) to "
            "its journal, and moves the file to the new revision. "
            "If another device got there first, the commit is refused as a conflict.", effect="write",
            after_crash=("accepted", "the cached listing stays until its TTL and no device is woken at once; each "
                                     "device's next long poll finds the change in the journal (download step 5), "
                                     "up to 5 minutes late, the longest poll timeout"), size="1 kB")
up.step(20, metadata_service, metadata_cache,
        "It deletes the cached listing of the file's folder.", effect="write",
        after_crash=("accepted", "no wake-up is published: other devices learn of the change at their next poll "
                                 "timeout, up to 5 minutes late"), size="100 B")
up.step(21, metadata_service, queue,
        "It publishes the change (workspace, journal position) on the change topic, keyed by workspace ID: "
        "one event per change, however many members the workspace has.", effect="write",
        after_crash=("idempotent retry", "the change is committed and announced but the device has no answer: it "
                                         "retries with the same idempotency key and gets the first result"), size="100 B")
up.step(22, metadata_service, indexer,
        "It returns the new revision; the indexer stores it in the local database, with the content hash it "
        "committed, as the file's new base, and clears the waiting-to-sync mark unless the watcher has seen "
        "a newer edit meanwhile (download step 25 compares the file on disk with that base). It does not move "
        "its change cursor: it reads its own change back in the journal like "
        "everyone else's, so it cannot skip another device's change made meanwhile.", size="200 B")

up.stage("Later: collect blocks that no version names")
up.step(23, collector, metadata_db,
        "Once a day the block collector notes the block index's clock, then reads every hash named in "
        "a block list, on every metadata shard (the mark).", effect="read", size="1 kB")
up.step(24, collector, block_index,
        "It marks as being deleted each block that no list names and that nobody has uploaded or claimed "
        "for a day before the mark began (the sweep).", effect="write",
        after_crash=("reconciliation", "rows marked as being deleted with their objects still stored: uploads and "
                                       "claims of them are refused and retried, and the next run finishes them"), size="200 B")
up.step(25, collector, block_store,
        "It deletes those blocks from the block store, and only then their rows in the block index.", effect="write", size="100 B")

up.note("What each step moves, for the hot spots: only the new blocks (steps 10 and 12) carry the version's "
        "1 MB. The rest is metadata: a file's block list is its path, revision and a few 32-byte SHA-256 hashes, "
        "about 1 kB with the call around it, as are the hash check, the commit and the version's row with its "
        "journal entry; a block index row (hash, holder, claim time) about 200 B; the change event a workspace ID "
        "and a journal position, about 100 B with Kafka's framing, and a cache delete a key. The collector's "
        "daily mark and sweep (steps 23 to 25) are counted once per version here, an average: it reads each "
        "block list and deletes each unnamed block by its hash.", theme="Load")
up.note("Step 22 is not in the source, which ends at the queue; without it the device would not know "
        "which revision its next edit is based on.", theme="Order of the steps")
up.note("The source uploads the blocks before committing. Dropbox's own protocol commits first and gets back "
        "the hashes it lacks, uploads those, and commits again. Either way a commit must never name a block "
        "that is not yet stored, or another device could download a file with a hole in it: here step 13, "
        "which makes a block claimable, runs only after step 12 has stored it.",
        theme="Order of the steps")

up.note("Three stores, three shard keys. Users and devices are sharded by user; a workspace's files, "
        "versions, block lists and journal by workspace; the block index by block hash. The commit in step 19 "
        "writes only rows of one workspace, so it is a transaction on one shard. The block index cannot join "
        "it: a block's row lives on the shard of its hash, shared by every user who has that block. So the "
        "claim (step 18) runs before the transaction, on its own.", theme="Consistency and conflicts")
up.note("What a crash leaves. Between steps 11 and 13: a block that no user holds, or no object behind "
        "its row; no commit can name it, the device uploads it again (a PUT by hash is idempotent), and the "
        "collector removes the leftover after the grace period. Between the claim (18) and the commit (19): "
        "blocks claimed but named by no version, removed the same way. After step 19 nothing is lost: the "
        "journal entry is the record of the change.", theme="Consistency and conflicts")
up.note("Steps 20 and 21 run after the transaction. If the service crashes between them, the cached listing "
        "stays until its TTL, and no device is woken at once; but each device's next long poll compares its "
        "cursor with the workspace's journal position (download step 5), so the change arrives at most one "
        "poll timeout late. A relay that tails the journal and publishes each entry until Kafka acknowledges "
        "it (the journal used as an outbox) removes even that delay; consumers tolerate duplicates, since the "
        "event is only a wake-up.", theme="Consistency and conflicts")
up.note("Concurrent edits of one file are caught by optimistic locking: a commit carries the revision it was "
        "based on, and the transaction in step 19 succeeds only if that is still the current one. "
        "No lock is held while the user edits. Two commits of one workspace also serialize on the "
        "workspace's row when they take journal positions, so positions appear in commit order and a reader "
        "never sees a later position before an earlier one commits.", theme="Consistency and conflicts")
up.note("A retried commit carries the same idempotency key, stored with its journal entry under a unique "
        "constraint per workspace: a retry whose first attempt committed finds the entry and returns its "
        "result, instead of failing as a conflict with itself. A retry sent while the first attempt is still "
        "running finds no entry yet, waits on the file's row, and then finds its base revision gone; so before "
        "answering 412 the service looks the key up once more, and answers with the first attempt's result "
        "if it is there.", theme="Consistency and conflicts")
up.note("The source says operations on files are ACID compliant. Each commit is ACID inside one shard of the "
        "metadata database, on the server. Across devices there is no global transaction: a laptop editing "
        "offline commits hours later, and only then learns that another device changed the same file.",
        theme="Consistency and conflicts")
up.note("The source resolves conflicts by last-writer-wins or by the user. Last-writer-wins silently "
        "discards one edit; Dropbox instead keeps both, saving the losing side as a separate "
        "\"conflicted copy\" file for the user to merge.", theme="Consistency and conflicts")
up.note("A deleted file keeps its row (its versions stay restorable), marked by its own ID in `tombstone`, "
        "which is 0 while the file is live. The path is unique per workspace among live files only, "
        "(workspace, path, tombstone), so a file created again at a deleted path, or renamed onto one, gets "
        "a row of its own instead of colliding with the deleted one; MySQL has no partial unique index, which "
        "is why the marker is a column.", theme="Consistency and conflicts")
up.note("File versioning falls out of the design: each commit adds a version whose block list is a list of "
        "SHA-256 hashes, so any version can be restored and identical versions are detected by comparing hashes.",
        theme="Consistency and conflicts")

up.note("Deduplication is done best by the client: it hashes its blocks and uploads only those the server "
        "lacks (steps 5 to 10), which saves both bandwidth and storage.", theme="Blocks and deduplication")
up.note("The server can deduplicate after receiving whole files instead, which still saves storage but "
        "spends the upload bandwidth. Telling a client that *another* user has a block is a leak: an upload that "
        "finishes instantly reveals that someone has that file, and a client that knows only a file's hashes "
        "could claim its blocks without ever having had them (the Dropship tool did this to Dropbox in 2011). "
        "So the client skips only blocks already in the file's workspace (step 8), and the server still stores each "
        "block once across all users (step 12): bandwidth is saved per user, storage globally.",
        theme="Blocks and deduplication")
up.note("The commit is checked the same way: every hash in its block list must be one the user already "
        "holds, recorded in the block index's table of owners in step 13 (or that is in a version of the "
        "workspace it commits to). Otherwise a client could skip step 10 and commit another user's hashes.",
        theme="Blocks and deduplication")
up.note("Small changes upload small patches: only the blocks whose hashes changed are sent (Dropbox also "
        "sends binary diffs of changed blocks).", theme="Blocks and deduplication")
up.note("The source, like Dropbox itself, cuts fixed 4 MB blocks. Then inserting one byte near the start "
        "shifts every later boundary, so every block after it changes. This design chunks by content "
        "(step 3): boundaries fall where the content says, and only the blocks around an edit change; see "
        "the concept page on content-defined chunking.",
        theme="Blocks and deduplication")
up.note("Blocks are compressed (gzip, bzip2 or newer codecs such as Brotli or zstd) before upload, saving "
        "bandwidth and storage; compression comes before encryption, since encrypted data does not compress.",
        theme="Blocks and deduplication")
up.note("The source has the client encrypt blocks with 128-bit AES. With client-side encryption under the "
        "user's own key, equal blocks of different users no longer look equal, and cross-user "
        "deduplication is lost (convergent encryption, keyed by the block's own hash, keeps it, but then equal "
        "blocks still reveal that they are equal). Dropbox encrypts in transit (TLS) and at rest on the servers "
        "(256-bit AES), holding the keys itself.",
        theme="Blocks and deduplication")

up.note("No reference count on blocks. A count updated by the commit would make every commit a transaction "
        "across two shards (the workspace's and each block's); kept per metadata shard, a zero would no "
        "longer say that no shard uses the block; and the count of a popular block would be a hot row. The "
        "collector's mark and sweep (steps 23 to 25) replaces it.", theme="Collecting blocks")
up.note("Why the sweep cannot delete a block a commit is about to use: a block is swept only if nobody "
        "uploaded or claimed it in the day before the mark began. A commit claims its blocks (step 18) just "
        "before its transaction, and the metadata service abandons a commit whose claim is more than a "
        "minute old by its own clock. So a commit whose claim is older than the grace period either committed "
        "before the mark began, and its block list is marked, or was abandoned.",
        theme="Collecting blocks")
up.note("The sweep, an upload and a claim of the same block serialize on its row in the block index: the "
        "sweep re-checks the claim time under the row lock, and an upload or claim that finds the row being "
        "deleted is refused and retried. All block times come from the block index's clock; a day of "
        "grace dwarfs any drift between its shards.", theme="Collecting blocks")
up.note("The collector deletes the object before the row. A crash in between leaves rows marked as being "
        "deleted, which the next run finishes; the reverse order could leave an object nobody can find.",
        theme="Collecting blocks")

up.note("The client's chunker cuts each file into blocks and names every block by a hash of its content.",
        theme="The client")
up.note("The client's indexer keeps its local database up to date as files change.", theme="The client")
up.note("The local database holds, per file, its path, its versions and its block hashes. It is what "
        "lets the user keep editing offline: changes queue there until the next connection.", theme="The client")
up.note("The server's metadata database holds the same kind of data for every user and device, and is "
        "the authority when they disagree.", theme="The client")
up.note("Failed uploads are retried with exponential backoff and jitter, so a million clients coming back "
        "after an outage do not all retry at the same moment.", theme="The client")

up.note("The source partitions the metadata database by consistent hashing on the user ID or the file ID. "
        "Sharding by user breaks down for folders shared by many users, and by file splits a commit's rows "
        "and a folder's journal over shards; Dropbox shards by namespace (a user's root folder or a shared "
        "folder), as here, so that a whole folder and its journal live on one shard.",
        theme="Storage")
up.note("Files nobody has read for a long time move to a cheaper, colder storage class (for example "
        "S3 Glacier or an erasure-coded archive tier); reading them back is slower.", theme="Storage")
up.note("The block store keeps several copies (or erasure codes) across machines and data centers, "
        "for availability and durability.", theme="Storage")

# --- Download workflow -----------------------------------------------------------------------

down = dropbox.path("download", "Download workflow", per="read")
down.stage("Get notified by long polling")
down.step(1, indexer, dns, "The indexer on another device of the user resolves the notification domain.", size="100 B")
down.step(2, indexer, load_balancer,
          "It sends a long-poll request with its cursor: for each workspace it syncs, the last journal "
          "position it has applied. The server holds the request open until there is news or a timeout of "
          "a minute or a few passes.", size="500 B")
down.step(3, load_balancer, web_server, "The load balancer hands it to a web server.", size="500 B")
down.step(4, web_server, notification_service,
          "The web server passes the waiting request to the notification service.", size="500 B")
down.step(5, notification_service, metadata_service,
          "Before waiting, the notification service asks the metadata service for the user's workspaces (their "
          "memberships, on the user's accounts shard) and each one's current journal position. If the cursor "
          "is behind any of them, or lacks one the user has just joined, it answers at once: a change published "
          "while the device had no poll open is not missed.", size="1 kB")
down.step(6, notification_service, queue,
          "Otherwise it waits, reading the change events and noting which of the polls it holds follow the "
          "event's workspace at an older position; events for workspaces that none of its polls follow are "
          "ignored.", effect="read", size="100 B")
down.step(7, notification_service, indexer,
          "When a change arrives (or the poll times out), it answers the request: \"changes are waiting\"; "
          "the indexer immediately opens the next long poll.", size="200 B")

down.stage("Fetch the new metadata")
down.step(8, indexer, load_balancer, "The indexer asks for the changes since its cursor.", size="500 B")
down.step(9, load_balancer, web_server, "The load balancer hands the call to a web server.", size="500 B")
down.step(10, web_server, metadata_service, "The web server passes it to the metadata service.", size="500 B")
down.step(11, metadata_service, metadata_db,
          "The metadata service reads each workspace's journal after the cursor's position, in order: edits, "
          "deletes and renames. A position older than the journal keeps is answered 410, and the device lists "
          "the workspace afresh.", effect="read", size="1 kB")
down.step(12, metadata_service, metadata_cache,
          "For each edit it reads the version's block list from the metadata cache; a version never changes, "
          "so a cached list is never stale.", effect="read", size="1 kB")
down.step(13, metadata_service, metadata_db,
          "It reads the block list from the metadata database and caches it.", effect="read",
          when="On a cache miss", share=0.5, size="1 kB")
down.step(14, metadata_service, indexer,
          "It returns the changes, each with its journal position, and the cursor after the last of them, which "
          "the device adopts only as it applies them (step 27). Each edit comes with a download grant: the "
          "version's block hashes, the user and an expiry an hour ahead, signed with a key the block service "
          "shares.", size="2 kB")
down.step(15, indexer, client_db,
          "The indexer compares the block lists with the blocks already on the device and notes the missing ones.",
          effect="read", size="1 kB")

down.stage("Fetch the missing blocks")
down.step(16, indexer, chunker, "The indexer hands the chunker the hashes of the missing blocks.", size="1 kB")
down.step(17, chunker, cdn,
          "Blocks of a file read by very many users (a public link, a folder shared company-wide) are "
          "fetched from the CDN with signed, expiring URLs.", when="For a widely shared file", share=0.05)
down.step(18, cdn, block_store, "The edge fetches the block from the block store and keeps it.", effect="read",
          when="On a cache miss", share=0.005)
down.step(19, chunker, load_balancer, "For the user's own files, the chunker requests the missing blocks by hash.")
down.step(20, load_balancer, web_server, "The load balancer hands the request to a web server.")
down.step(21, web_server, block_service,
          "The web server passes it to the block service, which serves a hash only under a grant from step 14 "
          "that names it, carries a valid signature and has not expired; otherwise it answers 404.")
down.step(22, block_service, block_cache, "The block service reads the blocks from the block cache.", effect="read")
down.step(23, block_service, block_store,
          "It reads them from the block store and caches them.", effect="read", when="On a cache miss", share=0.9)

down.stage("Apply the change without losing a local edit")
down.step(24, indexer, client_db,
          "The indexer looks up the file's local state: the base revision and content hash it last synced, "
          "and whether the file is waiting to sync (upload step 4).", effect="read", size="200 B")
down.step(25, indexer, folder,
          "If the file on disk already has the incoming version's content hash (a crash after step 26 left "
          "it written but not recorded), there is nothing to keep: it goes straight to step 27. Otherwise it "
          "moves the local file aside (one rename) and hashes it. If it differs from the synced base, or "
          "is waiting to sync, the user edited it: it is kept beside the file as a conflicted copy, which the "
          "watcher then uploads as a new file. Otherwise the moved copy is deleted. A delete or rename from "
          "the journal is applied the same way: an edited file is kept, never deleted or lost.")
down.step(26, chunker, folder,
          "The chunker checks each block's hash, joins the blocks in order into a temporary file and moves it "
          "to the file's path with a rename that fails if a file has appeared there meanwhile; then the new "
          "file, too, is treated as a conflict.")
down.step(27, indexer, client_db,
          "The indexer records the new revision and content hash as the file's base, and the change's journal "
          "position in its cursor, so the watcher's event for this write is not mistaken for a local edit.",
          effect="write",
          after_crash=("idempotent retry", "nothing joins this step to the preview (step 32), another request. The "
                                           "crash that matters comes just before it: the file written, the cursor "
                                           "not moved; the change is applied again, and step 25 finds the file "
                                           "already at the new content hash and only records it"), size="200 B")

down.stage("Previews")
down.step(28, web_server, preview_service,
          "The web or mobile app asks for a file's preview; the web server passes the request to the preview service.",
          when="When an app shows a file", share=0.1, size="50 kB")
down.step(29, preview_service, preview_cache, "The preview service reads the preview from the preview cache.",
          effect="read", share=0.1, size="50 kB")
down.step(30, preview_service, preview_store,
          "It reads the stored preview and caches it.", effect="read", when="On a cache miss", share=0.05, size="50 kB")
down.step(31, preview_service, block_store,
          "For a new version with no preview yet, it reads the file's blocks, asynchronously.",
          effect="read", when="If no preview exists", share=0.01)
down.step(32, preview_service, preview_store, "It renders the preview and stores it under the file version.",
          effect="write", when="If no preview exists", share=0.01, size="50 kB")

down.note("What each step moves, for the hot spots: only the blocks (steps 17 to 23, and the joined file at "
          "steps 25 and 26) carry the version's 1 MB. The long poll and its answer are a cursor, a few hundred "
          "bytes; a change list with its block lists and a signed grant about 2 kB, a journal entry or a block "
          "list about 1 kB; a change event about 100 B; a preview about 50 kB.", theme="Load")
down.note("The source sends preview requests from the block service to the preview service. They are drawn "
          "from the web server here: a preview is asked for by an app, and the block service only stores blocks.",
          theme="Order of the steps")
down.note("The source lists the CDN first for the most downloaded files. Private files are not cached in a "
          "shared CDN as they are; it helps for files that very many users read, behind signed URLs (step 17).",
          theme="Order of the steps")
down.note("Steps 24 to 26 are not in the source, which writes the downloaded file over the local one. A file "
          "the user edited offline and not yet synced would then be silently replaced. The check compares the "
          "file on disk with the base the device last synced, so local work survives as a conflicted copy.",
          theme="Order of the steps")

down.note("Why a signed grant (step 21): the block service cannot tell by itself who may read a block. Its "
          "index records only who uploaded each one, and a member of a shared folder who never uploaded a "
          "block may read it; the versions that name a block are spread over every metadata shard. The "
          "metadata service, which has just checked the user's membership to list the changes, vouches for the "
          "hashes instead. The expiry is set by the metadata service's clock and checked by the block "
          "service's: server clocks agree within seconds, against an hour of validity.", theme="Sharing")
down.note("Full caches evict the least recently used entry (LRU).", theme="Caching")
down.note("How often the caches answer. A version is downloaded about twice (Capacity): only readers fill "
          "the cache, so the first read of its block list misses (step 13) and the second finds it. The block "
          "cache keeps only blocks read again, a small share (Capacity's hot fraction): about nine block reads "
          "in ten go to the store (step 23). About one download in twenty is of a widely shared file (step 17), "
          "and the CDN holds most of those blocks. Previews are asked for on about one download in ten "
          "(step 28), and half of those miss the preview cache.", theme="Caching")
down.note("Cached folder listings are deleted on every commit (upload step 20) and also given a short TTL: a "
          "read that started before a commit can put the old rows back just after the deletion, and the TTL "
          "bounds how long that stale entry lives. The journal itself is never cached: its tail changes with "
          "every commit.", theme="Caching")
down.note("A device lists a workspace from scratch when it joins it or gets 410 for an old cursor. Each folder "
          "listing is read from the metadata cache, or on a miss from one snapshot of the shard, together with "
          "the journal position it reflects, and cached with it. The device starts its cursor at the lowest "
          "position among the listings it read and then reads the changes after it: a stale listing is only "
          "old, never wrong, and an entry a listing already reflects is skipped, since its revision is not "
          "above the file's base.", theme="Caching")
down.note("Blocks are named by their hash, so a cached block is never stale: new content is a new hash. "
          "A version's block list never changes either; only listings need invalidating.", theme="Caching")
down.note("Cached previews are kept encrypted, as the source asks, so a cache dump or snapshot does not "
          "expose file contents; the stores encrypt everything at rest too.", theme="Caching")

down.note("The client learns about changes in real time by long polling; HTTP/2 streams or server-sent events "
          "(SSE) do the same with fewer reconnections. A WebSocket is more than needed: the server only "
          "has to say \"something changed\", and the device then pulls.", theme="Notifications")
down.note("The source builds notifications on a message queue in request-response style.",
          theme="Notifications")
down.note("In the source, changes from every device enter one global request queue, and each device has a "
          "response queue of its own from which a message is removed once delivered.", theme="Notifications")
down.note("A queue per device does not map onto Kafka, where every topic partition is a set of log files on the "
          "brokers: a cluster holds many thousands, not hundreds of millions. Here the topic is partitioned by "
          "workspace, with one event per change, and the notification service only compares positions; per-device "
          "queues, if wanted, fit a store made for many small lists (Redis, a key-value store).",
          theme="Notifications")
down.note("A device offline for a week does not need a week of messages: on return it asks for everything "
          "after its cursor (step 8). The queue is only a wake-up signal; the journal in the metadata database "
          "is the truth, and step 5 makes a lost or early event harmless.", theme="Notifications")
down.note("The load balancer spreads long polls over all notification servers, so each server reads the "
          "whole change topic and keeps only the events of workspaces its polls follow. At larger scale, each "
          "server subscribes only to those workspaces, through a pub/sub layer keyed by workspace.",
          theme="Notifications")
down.note("The source says the indexer talks to the remote notification service; it is the indexer that "
          "long-polls in steps 2 to 7.", theme="Notifications")

down.note("Phones and other thin clients sync on demand: they download the list of files, and a file's "
          "blocks only when the user opens it, saving bandwidth and storage.", theme="The client")
down.note("The client builds a local search index over file names (and contents) so search works offline.",
          theme="The client")
down.note("The watcher notices changes in the sync folder, which is what makes synchronization automatic.",
          theme="The client")
down.note("On download the chunker joins the blocks back into the file (step 26).", theme="The client")

down.note("A folder is shared by making it a workspace of its own and giving the user a membership of it. "
          "The user's devices learn of it at their next long poll (step 5 compares the cursor with the user's "
          "memberships), add the workspace to their cursor at position 0 and list it from the start. A single "
          "file is shared with a row in the ACL table. Every read checks one or the other. A file shared on its "
          "own is not synced to the other user's devices: their cursor follows whole workspaces' journals, and "
          "the owner's journal is not theirs to read. They open it from the web or mobile app (GET by file ID, "
          "checked against the ACL); to keep a file in sync on someone else's devices, share its folder.",
          theme="Sharing")
down.note("Memberships are stored with the user, not with the folder: the questions asked on every poll and "
          "commit are per user, and one accounts shard answers them. Listing a folder's members asks every "
          "accounts shard; it happens only in the sharing dialog.", theme="Sharing")


# --- API: what the desktop client (indexer and chunker) calls -------------------------
dropbox.endpoint(
    "POST", "/v1/blocks/missing", "Which of these blocks must the device upload? A block counts as present only if a version in the file's workspace already names it",
    operation_id="findMissingBlocks",  # the derived name reads badly
    starts=(up, 5),
    request={"workspace_id": "string: the workspace the file belongs to: only its block lists are searched",
             "hashes": "string[]: the SHA-256 hashes of the file's blocks, in order (a few thousand at most per call)"},
    response={"missing": "string[]: the hashes the device must upload"},
    status={200: "The missing hashes (an empty list: commit straight away)",
            400: "A hash that is not 64 hex digits, or too many in one call", 401: "No valid device token",
            403: "Not a member of the workspace",
            429: "Over the request quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the device"},
    response_headers={429: {"Retry-After": "Seconds to wait before trying again"}},
)
dropbox.endpoint(
    "PUT", "/v1/blocks/{hash}", "Upload one block, compressed; content-addressed, so a retry stores nothing twice and needs no Idempotency-Key",
    starts=(up, 10),
    request={"hash": "string: the SHA-256 of the block's uncompressed content, which is its name",
             "content": "string: the block's bytes, compressed (sent as the raw body, application/octet-stream)"},
    status={201: "Stored, and recorded in the block index as held by this user",
            200: "Already stored: the bytes are not stored again, but this user is recorded as holding the block",
            400: "The content does not hash to its name", 401: "No valid device token",
            413: "Over 4 MB before compression", 429: "Over the upload quota (Retry-After says when to try again)",
            503: "The collector is deleting this block right now: try again (Retry-After)"},
    headers={"Authorization": "Bearer token of the device", "Content-Encoding": "The compression used, e.g. zstd"},
    response_headers={429: {"Retry-After": "Seconds to wait before trying again"},
                      503: {"Retry-After": "Seconds to wait before trying again"}},
)
dropbox.endpoint(
    "PUT", "/v1/workspaces/{workspace_id}/files/{path}", "Commit a new version of a file: its block list, based on the revision the device edited",
    starts=(up, 14),
    request={"workspace_id": "string: the namespace (a user's root or a shared folder)",
             "path": "string: the file's path in it, URL-encoded (slashes as %2F)",
             "block_hashes": "string[]: the new version's blocks, in order",
             "size_bytes": "integer: the file's length",
             "content_hash": "string: SHA-256 of the whole file"},
    response={"revision": "integer: the file's new revision, the device's next base",
              "position": "integer: the change's position in the workspace's journal (the device does not move its cursor: it reads the change back from GET /v1/changes)"},
    status={200: "Committed in one transaction on the workspace's shard, with its journal entry; the other devices are told",
            400: "An empty path or a block list that does not add up to size_bytes",
            401: "No valid device token", 403: "No edit permission on this file or folder",
            409: "A block in the list is not in the block index as held by this user (never uploaded, or collected meanwhile): upload it, then commit again",
            412: "Conflict: the file moved past the base revision in If-Match (or exists, for If-None-Match: *); save a conflicted copy",
            428: "Neither If-Match nor If-None-Match: a commit must say what it was based on",
            429: "Over the write quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the device",
             "If-Match": "The base revision the device edited, e.g. \"7\" (files.head_revision)",
             "If-None-Match": "\"*\" for a file the device created: refused if another device created it first",
             "Idempotency-Key": "Stored with the journal entry, unique per workspace: a commit retried after a timeout returns its first result instead of a conflict with itself"},
    response_headers={"ETag": "The new revision", 429: {"Retry-After": "Seconds to wait before trying again"}},
)
dropbox.endpoint(
    "DELETE", "/v1/workspaces/{workspace_id}/files/{path}", "Delete a file: a change like an edit, with its journal entry; its versions stay restorable until they expire",
    starts=(up, 14),
    request={"workspace_id": "string: the namespace", "path": "string: the file's path, URL-encoded"},
    response={"revision": "integer: the revision that records the delete",
              "position": "integer: the delete's position in the workspace's journal"},
    status={200: "Deleted in one transaction with its journal entry", 401: "No valid device token",
            403: "No edit permission", 404: "No such file, or already deleted",
            412: "The file moved past the base revision in If-Match: the device downloads it instead of deleting an edit it never saw",
            428: "No If-Match: a delete must say which revision it removes"},
    headers={"Authorization": "Bearer token of the device", "If-Match": "The base revision the device deleted",
             "Idempotency-Key": "A retried delete returns its first result"},
)
dropbox.endpoint(
    "POST", "/v1/workspaces/{workspace_id}/moves", "Rename or move a file inside a workspace: one journal entry with the old and the new path",
    starts=(up, 14),
    request={"workspace_id": "string: the namespace", "from_path": "string: the current path",
             "to_path": "string: the new path"},
    response={"revision": "integer: the revision that records the move",
              "position": "integer: the move's position in the workspace's journal"},
    status={200: "Moved in one transaction with its journal entry", 401: "No valid device token",
            403: "No edit permission", 404: "No such file at from_path",
            409: "A file already exists at to_path",
            412: "The file moved past the base revision in If-Match", 428: "No If-Match"},
    headers={"Authorization": "Bearer token of the device", "If-Match": "The base revision of the file at from_path",
             "Idempotency-Key": "A retried move returns its first result"},
)
dropbox.endpoint(
    "GET", "/v1/longpoll", "Wait for changes: held open until there is news for this device or the timeout passes",
    operation_id="waitForChanges",  # the derived name reads badly
    starts=(down, 2),
    request={"cursor": "string: the device's last cursor: a journal position per workspace it syncs",
             "timeout?": "integer: seconds to hold the request, 30 to 480, 60 by default"},
    response={"changes": "boolean: true if some workspace's journal is past the cursor (checked when the poll arrives, then on each event); then read GET /v1/changes",
              "backoff?": "integer: seconds to wait before the next long poll, when the servers are busy"},
    status={200: "News, or the timeout passed with none", 400: "A cursor that does not parse",
            401: "No valid device token", 429: "Too many polls from this device (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the device"},
    response_headers={"Cache-Control": "No-store", 429: {"Retry-After": "Seconds to wait before trying again"}},
)
dropbox.endpoint(
    "GET", "/v1/changes", "List the journal entries after a cursor, in journal order: edits, deletes and renames, a page at a time",
    starts=(down, 8),
    request={"cursor": "string: the device's last cursor: a journal position per workspace",
             "limit?": "integer: changes per page, 500 by default, at most 2,000"},
    response={"entries": "object[]: per journal entry, its workspace and position, the file's path (and old path for a rename), revision, and for an edit its block hashes with a signed download grant for them (valid an hour), or that it was deleted",
              "next_cursor": "string: the cursor after this page; the device stores it once it has applied the page",
              "has_more": "boolean: true if another page follows at once"},
    status={200: "One page of changes", 400: "A cursor that does not parse", 401: "No valid device token",
            410: "The cursor's position is older than the journal keeps: list the workspace from scratch",
            429: "Over the read quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the device"},
    response_headers={"Cache-Control": "No-store", 429: {"Retry-After": "Seconds to wait before trying again"}},
)
dropbox.endpoint(
    "GET", "/v1/blocks/{hash}", "Download one block of the user's own or shared files, under a grant from GET /v1/changes", starts=(down, 19),
    request={"hash": "string: the block's SHA-256",
             "grant": "string: the signed download grant that came with the edit naming this hash"},
    response={"content": "string: the block's bytes, compressed (the raw body)"},
    status={200: "The block",
            404: "No such block, or no valid, unexpired grant naming it (the same answer, so existence does not leak)",
            401: "No valid device token", 429: "Over the download quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the device"},
    response_headers={"Cache-Control": "Private, max-age of a year, immutable: a block never changes under its hash",
                      "ETag": "The block's hash", 429: {"Retry-After": "Seconds to wait before trying again"}},
)
dropbox.endpoint(
    "GET", "/v1/workspaces/{workspace_id}/files", "List a workspace from scratch (on joining it, or after 410 for an old cursor): its live files, a folder at a time, each listing with the journal position it reflects",
    request={"workspace_id": "string: the namespace", "folder?": "string: the folder to list, the root by default",
             "page_token?": "string: next_page_token from the previous page"},
    response={"files": "object[]: per live file, its path, revision, size and block hashes, with a signed download grant",
              "position": "integer: the journal position this listing reflects; the device then reads GET /v1/changes after it",
              "next_page_token?": "string: present when the folder has more files"},
    status={200: "One page of the listing", 401: "No valid device token", 403: "Not a member of the workspace",
            404: "No such workspace or folder", 429: "Over the read quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the device"},
    response_headers={429: {"Retry-After": "Seconds to wait before trying again"}},
)
dropbox.endpoint(
    "GET", "/v1/files/{file_id}/preview", "A file's preview for the web or mobile app", starts=(down, 28),
    request={"file_id": "string: the file",
             "size?": "string: thumbnail, medium or large"},
    response={"content": "string: the preview image or PDF (the raw body)"},
    status={200: "The preview", 202: "Being rendered for this version: try again shortly",
            304: "Unchanged since the ETag the app sent", 401: "No valid token", 403: "No permission to view the file",
            404: "No such file",
            409: "No preview for this file type (error code unsupported_extension, as Dropbox's own API answers; 415 is about a request body's format)"},
    headers={"Authorization": "Bearer token of the app", "If-None-Match": "The ETag of the preview the app shows"},
    response_headers={"ETag": "The file version the preview was rendered from",
                      "Cache-Control": "Private, max-age of an hour: previews are private to those who may read the file",
                      202: {"Retry-After": "Seconds until the preview is likely ready"}},
)
dropbox.endpoint(
    "PUT", "/v1/files/{file_id}/members/{user_id}", "Share a single file with a user, or change their permission",
    request={"file_id": "string: the file", "user_id": "string: the user to share with",
             "permission": "string: view or edit"},
    response={"permission": "string: what the user may now do"},
    status={200: "Shared: a row in acl", 400: "An unknown permission", 401: "No valid token", 403: "Not the owner",
            404: "No such file or user"},
    headers={"Authorization": "Bearer token of the owner"},
)
dropbox.endpoint(
    "PUT", "/v1/workspaces/{workspace_id}/members/{user_id}", "Share a folder: add a user to the shared folder's workspace, or change their permission",
    request={"workspace_id": "string: the shared folder's workspace", "user_id": "string: the user to add",
             "permission": "string: view or edit"},
    response={"permission": "string: what the user may now do"},
    status={200: "A row in the user's memberships; at their next long poll the user's devices add the workspace to their cursor and list it",
            400: "An unknown permission", 401: "No valid token", 403: "Not an owner of the folder",
            404: "No such workspace or user"},
    headers={"Authorization": "Bearer token of an owner of the folder"},
)

# --- Capacity: a "write" is one file version committed ------------------------------
dropbox.capacity(
    daily_active_users=(100_000_000, "Assumption: Dropbox reports over 700 million registered users; about one in seven active on a day"),
    writes_per_user_per_day=(10, "Assumption: a working day's saved documents, photos from a phone, files dropped into shared folders"),
    read_to_write=(2, "Each version is downloaded by the user's other devices and by a few members of shared folders"),
    write_size=("1 MB", "New blocks per version after deduplication, compressed: most files are small; an edit to a big file resends a block or two"),
    read_size=("1 MB", "The same blocks, downloaded by another device"),
    retention=("10 years", "Files are kept as long as the account; every version counted, an upper bound (old versions expire or go to cold storage)"),
    peak_to_average=(2, "Working hours across time zones"),
    hot_fraction=(0.001, "Most blocks are read once, by the owner's other devices; only widely shared files' blocks are read again"),
)

# --- API examples: checked against the schemas above ---------------------------------
dropbox.example(
    "POST /v1/blocks/missing",
    request={"workspace_id": "w_311", "hashes": ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]},
    responses={
        200: {"missing": ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]},
        429: {"error": "rate_limited", "message": "Over the request quota"},
    },
)
dropbox.example(
    "PUT /v1/blocks/{hash}",
    headers={"Content-Encoding": "zstd"},
    request={"hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "content": "KLUv/QBYcQAA"},
    responses={201: None, 429: {"error": "rate_limited", "message": "Over the upload quota"}},
)
dropbox.example(
    "PUT /v1/workspaces/{workspace_id}/files/{path}",
    headers={"If-Match": "\"7\"", "Idempotency-Key": "f0266c39-8520-4d1a-bca0-b8152a7aba81"},
    request={
        "workspace_id": "w_311",
        "path": "Documents/plan.txt",
        "block_hashes": ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
        "size_bytes": 20480,
        "content_hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    },
    responses={
        200: {"revision": 7, "position": 3},
        409: {"error": "conflict", "message": "A block in the list is not in the block index as held by this user"},
    },
)
dropbox.example(
    "DELETE /v1/workspaces/{workspace_id}/files/{path}",
    headers={"If-Match": "\"7\"", "Idempotency-Key": "9ec424b8-c756-45b0-aead-0cba6a424492"},
    request={"workspace_id": "w_311", "path": "Documents/plan.txt"},
    responses={
        200: {"revision": 7, "position": 3},
        412: {"error": "precondition_failed", "message": "The file moved past the base revision in If-Match"},
    },
)
dropbox.example(
    "POST /v1/workspaces/{workspace_id}/moves",
    headers={"If-Match": "\"7\"", "Idempotency-Key": "acbecc11-7e53-42c9-9fe7-b0537c3849e1"},
    request={"workspace_id": "w_311", "from_path": "Documents/plan.txt", "to_path": "Archive/plan-2026.txt"},
    responses={
        200: {"revision": 7, "position": 3},
        409: {"error": "conflict", "message": "A file already exists at to_path"},
    },
)
dropbox.example(
    "GET /v1/longpoll",
    request={"cursor": "eyJvZmZzZXQiOjIwfQ", "timeout": 60},
    responses={
        200: {"changes": True, "backoff": 3},
        429: {"error": "rate_limited", "message": "Too many polls from this device"},
    },
)
dropbox.example(
    "GET /v1/changes",
    request={"cursor": "eyJvZmZzZXQiOjIwfQ", "limit": 20},
    responses={
        200: {
            "entries": [
                {
                    "workspace_id": "w_311",
                    "position": 5120,
                    "path": "Documents/plan.txt",
                    "revision": 8,
                    "block_hashes": ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
                },
            ],
            "next_cursor": "eyJvZmZzZXQiOjIwfQ",
            "has_more": True,
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
dropbox.example(
    "GET /v1/blocks/{hash}",
    request={"hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
             "grant": "w_311.f_88120.r7.1765120800.Hk3b9QeZ"},
    responses={200: {"content": "KLUv/QBYcQAA"}, 429: {"error": "rate_limited", "message": "Over the download quota"}},
)
dropbox.example(
    "GET /v1/files/{file_id}/preview",
    headers={"If-None-Match": "\"5d41402abc4b2a76\""},
    request={"file_id": "f_88120", "size": "thumbnail"},
    responses={200: {"content": "KLUv/QBYcQAA"}, 409: {"error": "conflict", "message": "No preview for this file type"}},
)
dropbox.example(
    "PUT /v1/files/{file_id}/members/{user_id}",
    request={"file_id": "f_88120", "user_id": "u_48213", "permission": "editor"},
    responses={200: {"permission": "editor"}, 404: {"error": "not_found", "message": "No such file or user"}},
)
dropbox.example(
    "PUT /v1/workspaces/{workspace_id}/members/{user_id}",
    request={"workspace_id": "w_311", "user_id": "u_48213", "permission": "editor"},
    responses={200: {"permission": "editor"}, 404: {"error": "not_found", "message": "No such workspace or user"}},
)
dropbox.example(
    "GET /v1/workspaces/{workspace_id}/files",
    request={"workspace_id": "w_311", "folder": "Documents"},
    responses={
        200: {
            "files": [
                {
                    "path": "Documents/plan.txt",
                    "revision": 8,
                    "size": 1843,
                    "block_hashes": ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
                    "grant": "w_311.f_88120.r8.1765120800.Hk3b9QeZ",
                },
            ],
            "position": 5120,
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
