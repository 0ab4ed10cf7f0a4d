"""Upload a video once, transcode it into many renditions, and stream it to any device through a CDN."""

from blueprint import System

youtube = System(
    "YouTube",
    schema="schemas/youtube.sql",
    relationships=[
        "users 1-to-many videos",
        "users 1-to-many comments",
        "videos 1-to-many comments",
        "videos 1-to-many renditions",
        "videos 1-to-many outbox",
    ],
)

# --- Components, in the order the groups should read left to right -------------------

client = youtube.component("client", "Client (player)", kind="video_player", group="Client",
                           role="App or browser: uploads in chunks, and plays by picking each segment's rendition")

dns = youtube.component("dns", "DNS", kind="dns", group="Edge",
                        role="Resolves the API and video domains to a nearby entry point")
cdn = youtube.component("cdn", "CDN", kind="cdn", group="Edge",
                        role="Edge caches holding video segments, playlists and thumbnails close to viewers; checks each request's access signature")
load_balancer = youtube.component("load_balancer", "Load balancer", kind="load_balancer", group="Edge",
                                  role="Spreads API requests over web servers (weighted round robin)")
rate_limiter = youtube.component("rate_limiter", "Rate limiter", kind="rate_limiter", group="Edge",
                                 role="Caps uploads per user and per IP address, turning abusive clients away early")

web_server = youtube.component("web_server", "Web server (API)", kind="web_server", group="Services",
                               role="Stateless API front: authenticates, then routes each call to the app tier")
app_server = youtube.component("app_server", "App server", kind="server", group="Services",
                               role="Video API: registers uploads, signs URLs, serves metadata, playlists and search")
upload_handler = youtube.component("upload_handler", "Upload handler", kind="service", group="Services",
                                   role="Consumes 'transcoded' events; marks videos ready in the metadata DB and the index")
relay = youtube.component("relay", "Outbox relay", kind="worker", group="Services",
                           role="Publishes the metadata DB's unsent outbox rows to Kafka, marking each sent once acknowledged")
notification = youtube.component("notification", "Notification service", kind="service", group="Services",
                                 role="Tells the uploader (push, e-mail, in-app) how processing went")

queue = youtube.component("queue", "Message queue", kind="kafka", group="Messaging",
                          role="Kafka topics 'uploaded' and 'transcoded', keyed by video ID; each partition on three brokers")

transcoder = youtube.component("transcoder", "Transcoding workers", kind="transcoder", group="Processing",
                               role="Decode the raw upload; encode every rendition of the ladder, cut into segments")
thumbnailer = youtube.component("thumbnailer", "Thumbnail workers", kind="worker", group="Processing",
                                role="Pick a few representative frames and store them as small images")

metadata_cache = youtube.component("metadata_cache", "Metadata cache", kind="redis", group="Data stores",
                                   role="Redis: metadata of popular videos, filled on a read miss, deleted when a video changes")
metadata_db = youtube.component("metadata_db", "Metadata DB", kind="mysql", group="Data stores",
                                role="MySQL sharded by Vitess: users, videos, renditions, comments; each shard a primary and "
                                     "semi-synchronous replicas")
raw_store = youtube.component("raw_store", "Raw video store", kind="s3", group="Data stores",
                              role="S3 bucket of original uploads, written only by clients through signed URLs")
transcoded_store = youtube.component("transcoded_store", "Transcoded video store", kind="s3", group="Data stores",
                                     role="S3 bucket of segments and playlists for every rendition: the CDN's origin")
thumbnail_store = youtube.component("thumbnail_store", "Thumbnail store", kind="hbase", group="Data stores",
                                    role="HBase: millions of small images, grouped by video ID in one row; the CDN's origin for images")
watch_history = youtube.component("watch_history", "Watch history", kind="cassandra", group="Data stores",
                                  role="Cassandra: where each signed-in viewer stopped in each video, partitioned by user and "
                                       "replicated three times; the most frequent write")
search_index = youtube.component("search_index", "Search index", kind="solr", group="Data stores",
                                 role="Solr inverted index over titles and descriptions of published videos")

# --- Failure behaviour ------------------------------------------------------------------
queue.fails(down="Completed uploads wait in the outbox and stay `processing`; playback is unaffected",
            slow="Videos take longer to become ready",
            loses_data="An event is acknowledged only once its in-sync replicas have it; the outbox keeps what was not",
            handling="Three brokers per partition; the relay republishes unacknowledged outbox rows",
            redundant=True)
metadata_cache.fails(down="Watch pages read the database's followers: slower, and more load on them",
                     slow="Reads time out to the followers",
                     loses_data="Nothing to restore: entries are copies of rows, refilled on misses",
                     handling="Cache-aside in front of the database; jittered TTLs spread the refills",
                     redundant=True)
metadata_db.fails(down="A shard's primary down: registrations and completions for its videos fail until a replica "
                       "is promoted; watch pages still read followers and the cache",
                  slow="Uploads and watch pages slow down; the relay falls behind",
                  loses_data="Semi-synchronous replication: an acknowledged write is on a replica already",
                  handling="VTOrc promotes a replica of the shard, in seconds", redundant=True)
raw_store.fails(down="Parts cannot be sent nor uploads completed; the client resumes later; playback is unaffected",
                slow="Uploads and transcoding take longer",
                loses_data="The store keeps copies in several zones; a lost original cannot be re-made",
                handling="Object storage replicated across zones", redundant=True)
transcoded_store.fails(down="Edges cannot fill misses: popular videos play from edges, the long tail stalls",
                       slow="First segments of unpopular videos start late",
                       loses_data="Renditions are re-made from the original by replaying the `uploaded` event",
                       handling="Object storage replicated across zones; the CDN keeps the popular part",
                       redundant=True)
thumbnail_store.fails(down="Thumbnails the edges do not hold fail to load; the video still plays",
                      slow="Thumbnails load late",
                      loses_data="HBase files sit on HDFS in three copies; else the workers re-make them from the original",
                      handling="A region server's regions move to another within a minute or so", redundant=True)
watch_history.fails(down="One node down: its replicas answer. All replicas of a user down: videos start from "
                         "the beginning and reports are dropped",
                    slow="Watch pages wait for the resume position, then open without it",
                    loses_data="Three replicas; losing a position costs a viewer their place, nothing else",
                    handling="Replication factor three; writes and reads at quorum", redundant=True)
search_index.fails(down="Search fails; watch pages and playback are unaffected",
                   slow="Search answers late",
                   loses_data="Rebuilt by reindexing the ready videos from the metadata database",
                   handling="Replicas of each index shard", redundant=True)

# --- Video upload workflow --------------------------------------------------------------

up = youtube.path("upload", "Video upload workflow", per="write")
up.stage("Connect and register the video")
up.step(1, client, dns, "The client resolves the upload API's domain name through DNS.", size="100 B")
up.step(2, client, load_balancer, "It opens an HTTPS connection to the load balancer.", size="2 kB")
up.step(3, load_balancer, rate_limiter,
        "The load balancer checks the IP address's upload quota, and the user's by the user ID in the "
        "bearer token (a signed token the rate limiter verifies itself, before any web server has "
        "authenticated the call); over the limit, "
        "the request ends here with `429 Too Many Requests`.", size="200 B")
up.step(4, load_balancer, web_server, "Within the quota, the request goes to a web server with spare capacity.", size="2 kB")
up.step(5, web_server, app_server, "The web server passes it to an app server that serves the upload API.", size="2 kB")
up.step(6, app_server, metadata_db,
        "The app server creates the video's row: a new video ID, the owner, title and description, "
        "the status `uploading`, and the request's idempotency key, unique per user: a retried registration "
        "finds this row and answers with it instead of creating a second video.", effect="write",
        after_crash=("idempotent retry", "a video row `uploading` and no upload started: the client's retried "
                                         "registration finds the row by its key, and step 7 starts the upload"), size="1 kB")

up.stage("Chunked, resumable upload")
up.step(7, app_server, [raw_store, metadata_db],
        "It starts a multipart upload in the raw video store and records the store's upload ID in the video's "
        "row only if none is recorded yet (resuming lists the stored parts by it; a retry that finds no upload "
        "ID starts one, and of two retries racing, the one whose conditional update finds an ID already there "
        "aborts its own upload and uses that one). It gets a pre-signed URL for each part (say 8 to 64 MB "
        "each), valid for a few hours.", effect="write",
        after_crash=("reconciliation", "an upload started but recorded in no row: a retry starts another, and the "
                                       "bucket's lifecycle rule aborts the orphan after some days"), size="1 kB")
up.step(8, app_server, client, "It returns the video ID and the signed part URLs to the client.", size="20 kB")
up.step(9, client, raw_store,
        "The client cuts the file into parts and sends them straight to object storage, several at a time. "
        "The store acknowledges each stored part with its ETag; after a broken connection the client resends "
        "only the parts never acknowledged (the server can also list the stored parts).", effect="write")
up.step(10, client, app_server,
        "When every part is in, the client calls the app server's *complete* endpoint (through the load balancer "
        "and a web server, as in steps 2 to 5), listing the parts and their checksums.", size="5 kB")
up.step(11, app_server, raw_store,
        "The app server completes the multipart upload: the store joins the parts into one object.", effect="write",
        after_crash=("idempotent retry", "parts joined, status still `uploading`: the retried complete finds the "
                                         "joined object and carries on with step 12 (see the note)"), size="5 kB")
with up.transaction("One transaction on the video's shard"):
    up.step(12, app_server, metadata_db,
            "Only now does the app server set the video's status to `processing` (only from `uploading`) and, "
            "in the same transaction on the video's shard, insert an `uploaded` event for the video into the "
            "outbox table, sharded by video ID like the video's row.", effect="write", size="1 kB")
up.step(13, relay, [metadata_db, queue],
        "The outbox relay reads the unsent outbox rows, publishes each video ID on the `uploaded` topic, and "
        "marks a row sent only once Kafka has acknowledged it. A crash in between publishes the event again, "
        "which every consumer tolerates.", effect="write",
        after_crash=("outbox", "published but not marked sent: the relay publishes the row again, and every "
                               "consumer is idempotent by video ID"), size="100 B")

up.stage("Transcode into several resolutions and formats")
up.step(14, queue, transcoder,
        "A transcoding worker of the transcoder consumer group takes the event; each video goes to one worker "
        "(or is split by time range across several).", effect="deliver", size="100 B")
up.step(15, transcoder, raw_store, "The worker downloads the original file.", effect="read")
up.step(16, transcoder, transcoded_store,
        "It encodes every rung of the ladder (for example 240p to 2160p, in H.264 and VP9; AV1 later, for videos "
        "that become popular), cuts each into segments of a few seconds, and writes the segments and the "
        "HLS and DASH playlists, under keys made of the video ID and the rendition: a redelivered event "
        "rewrites the same objects rather than adding copies.", effect="write",
        idempotent_by="the video ID and rendition, which name the objects",
        after_crash=("idempotent retry", "renditions stored, no `transcoded` event: the worker commits its offset "
                                         "only after step 20, so the event comes back and the video is transcoded "
                                         "again over the same keys"))

up.stage("Thumbnails")
up.step(17, queue, thumbnailer,
        "The thumbnail workers, a second consumer group on the same topic, receive the same event independently.",
        effect="deliver", size="100 B")
up.step(18, thumbnailer, raw_store, "A worker reads frames from the original.", effect="read")
up.step(19, thumbnailer, thumbnail_store,
        "It keeps about five sharp, representative frames, scales them to a few sizes and stores them "
        "in the video's row of the thumbnail store, one column per frame and size: a redelivered event "
        "overwrites the same cells.", effect="write",
        idempotent_by="the video ID (the row) and the frame and size (the column)",
        after_crash=("idempotent retry", "thumbnails stored, offset not committed: the event comes back and step "
                                         "19 overwrites the same cells"), size="500 kB")

up.stage("Record the metadata")
up.step(20, transcoder, queue,
        "When all renditions are stored, the transcoder publishes a `transcoded` event: the video ID, "
        "the renditions (resolution, codec, bitrate) and the playlist locations, and only then commits its "
        "offset on `uploaded`.", effect="write",
        idempotent_by="the video ID: a second `transcoded` event of a video changes nothing at step 22",
        after_crash=("idempotent retry", "event published, offset not committed: the video is transcoded again "
                                         "and the event published twice; step 22 ignores the second"), size="1 kB")
up.step(21, queue, upload_handler, "The upload handler consumes the event.", effect="deliver", size="1 kB")
up.step(22, upload_handler, metadata_db,
        "It inserts the renditions and sets the video's status to `ready`, in one transaction. A redelivered "
        "event changes nothing: renditions are unique per video, height and codec, and the status moves only "
        "from `processing`.", effect="write",
        idempotent_by="the video ID: renditions are unique per video, height and codec, and the status moves only from `processing`",
        after_crash=("idempotent retry", "the video is ready but still cached as processing and missing from "
                                         "search: the offset is committed only after step 25, so the event comes "
                                         "back and steps 23 to 25 run again"), size="1 kB")
up.step(23, upload_handler, metadata_cache,
        "It deletes the video's cached metadata, so the next read fetches the new status (cache-aside: "
        "only readers fill the cache).", effect="write",
        idempotent_by="the video ID: deleting its entry twice is deleting it once",
        after_crash=("idempotent retry", "the cache is cleared, the search index not yet written: the event comes "
                                         "back and step 24 runs"), size="100 B")
up.step(24, upload_handler, search_index,
        "It writes the title and description to the search index as the video's document, under its video ID: "
        "written twice, it is replaced, not duplicated.", effect="write",
        idempotent_by="the video ID, the document's ID", size="2 kB")

up.stage("Notify the uploader")
up.step(25, upload_handler, notification,
        "It asks the notification service to tell the uploader, keyed by video ID and outcome, so that a "
        "redelivered event does not notify twice.", size="500 B")
up.step(26, notification, client,
        "The notification service pushes the result to the uploader's devices: ready, or failed with a reason.", size="500 B")

up.note("What each step moves, for the hot spots: only the original file's parts (step 9) and the "
        "transcoder's and thumbnailer's reads of it (steps 15 and 18) and the renditions (step 16) carry the "
        "upload's 500 MB. The API calls are small: a registration about 2 kB, its answer the signed URLs of up to "
        "some 60 parts, about 20 kB, the *complete* call listing the parts and their checksums about 5 kB. The "
        "video's row and the outbox row are about 1 kB; the `uploaded` event carries a video ID, about 100 B with "
        "Kafka's framing, the `transcoded` event its renditions, about 1 kB; the thumbnails about five frames in "
        "a few sizes, some 500 kB; the search document a title and description, about 2 kB.", theme="Load")
up.note("The source queues the video ID (its step 6) before the client has uploaded the file (its step 9), so a "
        "transcoder could look for a file that is not there yet. Here the event is published only after the "
        "upload is complete (steps 11 to 13). An object-store event (S3 sends one when an object is created) "
        "is another trigger that cannot fire too early.", theme="Order of the steps")
up.note("Setting the status and publishing the event are writes to two systems, the database and the queue, "
        "with no transaction across them: published directly, a crash between the two would leave a video "
        "`processing` forever, and a retried *complete* would not help, since it finds the status already past "
        "`uploading`. So step 12 writes the event to an outbox table in the same transaction as the status, "
        "and the relay (step 13) publishes it. The relay may publish an event twice, and Kafka delivers at "
        "least once anyway: every consumer is idempotent (steps 16, 19 and 22).", theme="Order of the steps")
up.note("The upload handler commits its offset on the `transcoded` topic only after step 25. A crash after "
        "the transaction of step 22 redelivers the event: step 22 then changes nothing, and steps 23 to 25 run "
        "again, each harmless twice (a cache delete, the video's search document written under its ID, a "
        "notification keyed by video and outcome). Committing the offset earlier would leave a ready video "
        "missing from search, its uploader never told.", theme="Order of the steps")
up.note("Transcoding and thumbnails finish independently. Here the video is marked ready when its renditions "
        "are in, and the page shows a frame from the video until the thumbnails arrive; the upload handler "
        "could instead wait for both events before marking it ready.", theme="Order of the steps")
up.note("Steps 2 to 5 also carry step 10 and every later API call; they are drawn once.",
        theme="Order of the steps")
up.note("A client whose answer to step 10 is lost calls *complete* again. The app server reads the video's "
        "status first: past `uploading`, the upload was completed and it answers as the first time did, "
        "with the current status. A crash between steps 11 and 12 leaves the parts joined and the status "
        "`uploading`: the store then no longer knows the multipart upload, so the app server checks that the "
        "joined object exists and carries on with step 12.", theme="Order of the steps")
up.note("The source has the transcoding servers subscribe with publish-subscribe. Within one job type it is "
        "a work queue: the workers of the transcoder form one consumer group, so each video is transcoded once. "
        "Publish-subscribe is what happens between groups: transcoders and thumbnail workers both get every event.",
        theme="Order of the steps")

up.note("An upload the client never finishes is cleaned up by a lifecycle rule of the raw bucket, which aborts "
        "multipart uploads left incomplete for some days and frees their parts; a sweep then marks videos "
        "still `uploading` after that as abandoned.", theme="Upload")
up.note("The metadata is sharded by video ID, so a unique key on (user, idempotency key) spans shards: Vitess "
        "keeps it as a unique lookup vindex, a table sharded by user that maps the pair to the video ID and is "
        "written with the video's row. The price is a second shard in every registration.",
        theme="Upload")
up.note("Direct upload with pre-signed URLs keeps gigabytes of video off the API servers; the signature lets "
        "the client write one object, for a limited time, and nothing else.", theme="Upload")
up.note("The client splits the file before sending so that a broken upload resumes from the last part "
        "received, not from zero. S3's multipart upload and the tus protocol are two ways to do this.",
        theme="Upload")
up.note("The API servers keep no session state, so any of them can serve any call and the tier scales by "
        "adding copies behind the load balancer.", theme="Upload")
up.note("Duplicate uploads: an identical file is caught by a hash of its bytes. Re-encoded or cropped copies "
        "need a perceptual fingerprint of frames and audio (what Content ID does). The source names block "
        "matching and phase correlation; those estimate motion or alignment between two frames, useful inside "
        "a fingerprinting pipeline or an encoder, but not a way to search billions of videos on their own.",
        theme="Upload")

up.note("Each video is stored in many renditions (resolutions, bitrates, codecs and containers), "
        "so every device and every connection speed finds one it can play.", theme="Transcoding")
up.note("A codec (H.264, VP9, HEVC, AV1) compresses the picture; a container (MP4, fragmented MP4, MPEG-TS) "
        "packs it; a streaming protocol (HLS, MPEG-DASH) describes the segments in a playlist. "
        "Newer codecs save 30 to 50% of the bits at the same quality but cost far more CPU to encode, "
        "so popular videos get them first.", theme="Transcoding")
up.note("A video that fails to transcode after a few retries goes to a dead-letter topic with its error, "
        "instead of blocking its partition. The upload handler also reads that topic: it sets the video's "
        "status to `failed` (only from `processing`, so a redelivery changes nothing), deletes its cached "
        "metadata and has the uploader told, as in steps 22 to 25; an engineer can replay the event later. "
        "Kafka has no built-in dead-letter queue; it is an ordinary topic the consumers write to.",
        theme="Transcoding")
up.note("Watermarks (visible, or hidden in the picture to trace leaks) and encryption protect content. "
        "Paid content uses DRM: segments are encrypted (Common Encryption) and the player gets the key from a "
        "licence server (Widevine, FairPlay, PlayReady).", theme="Transcoding")

up.note("The metadata database is partitioned by video ID (or by user ID, which keeps a channel's videos on one "
        "shard but makes a huge channel a hot shard). The source suggests consistent hashing; Vitess instead maps "
        "each row to a keyspace ID with a hash and gives each shard a range of keyspace IDs, "
        "so resharding splits ranges.", theme="Database scaling")
up.note("Partitioning spreads reads and writes over many machines. The price: joins and transactions across "
        "shards become hard, and something must know which shard holds which key (a smart client, or a "
        "proxy such as Vitess).", theme="Database scaling")
up.note("Federation splits the database by function (users, videos, comments in different databases); "
        "sharding splits one table by key. Both scale out; they are often used together.",
        theme="Database scaling")
up.note("Writes go to each shard's leader (primary); reads go to its followers (replicas), which may lag behind "
        "by a fraction of a second.", theme="Database scaling")
up.note("Vitess is a sharding and routing layer for MySQL: MySQL still stores the data, a `vttablet` sits next to "
        "each MySQL, and `vtgate` proxies speak the MySQL protocol to the application and send each query to the "
        "right shards. It replaces neither MySQL nor a cache.", theme="Vitess")
up.note("Reads that must see the latest write (a user reading back the profile just edited) go to the primary. "
        "The source says Vitess redirects them; in practice the application chooses, per connection or "
        "query, whether to target the primary or a replica, and `vtgate` routes accordingly.", theme="Vitess")
up.note("Vitess keeps its shard map and which tablet is primary in a topology service (etcd, ZooKeeper or Consul), "
        "which is also its lock server. Failover (electing a new primary) is done by VTOrc. The source calls the "
        "sharding automatic: resharding is a workflow an operator starts, which then copies and "
        "switches traffic online.", theme="Vitess")
up.note("`vtgate` plans queries across shards: scatter-gather reads, joins it evaluates itself, lookup tables "
        "(lookup vindexes) that act as secondary indexes across shards, and transactions across shards, which are "
        "best-effort unless two-phase commit is turned on.", theme="Vitess")
up.note("Vitess takes the partitioning logic out of the application. The source says it also improves "
        "queries by caching; what it caches is query plans, and it pools connections and merges identical "
        "queries in flight. Row data is not cached; that is still the job of the metadata cache.",
        theme="Vitess")

up.note("More data centers bring users closer to a copy of the service and survive the loss of a site, "
        "at the cost of replicating data between them and running more moving parts.", theme="Operations")
up.note("Chaos engineering breaks things on purpose (kill a server, cut a network link, slow a disk) in a "
        "controlled way, to find the failures that only show up in production.", theme="Operations")
up.note("Load tests find where the system saturates; together with chaos experiments they check that the "
        "fault tolerance actually works. They reveal weaknesses; fixing them is what improves it.",
        theme="Operations")
up.note("RAID on a server's disks raises throughput (striping) and survives a failed disk (mirroring, parity). "
        "RAID is not a backup: a deletion or a corruption is faithfully written to every disk. Object stores "
        "replicate or erasure-code data across machines and sites instead, and backups are kept apart.",
        theme="Operations")

# --- Video streaming workflow -----------------------------------------------------------

st = youtube.path("streaming", "Video streaming workflow", per="read")
st.stage("Resolve and connect")
st.step(1, client, dns, "The client resolves the domain names; DNS answers with an entry point near the viewer.", size="100 B")
st.step(2, client, load_balancer, "It opens an HTTPS connection to the load balancer for the watch page's API call.", size="5 kB")
st.step(3, load_balancer, web_server,
        "The load balancer picks a web server by weighted round robin (bigger machines get more requests).", size="5 kB")
st.step(4, web_server, app_server,
        "The web server picks an app server by consistent hashing with bounded loads on the video ID: each app "
        "server sees mostly the same videos, so its local cache stays warm, but none takes more than a set margin "
        "above the average (say a quarter), so the calls for a video that goes viral spill over to the next "
        "servers on the ring instead of piling onto one.", size="5 kB")

st.stage("Read the watch page")
st.step(5, app_server, metadata_cache, "The app server reads the video's metadata from the metadata cache.",
        effect="read", size="2 kB")
st.step(6, app_server, metadata_db,
        "It reads the metadata from a follower of the metadata database and caches it with a short TTL.",
        effect="read", when="On a cache miss", share=0.1, size="2 kB")
st.step(7, app_server, watch_history,
        "For a signed-in viewer, it reads where they stopped in this video: one row of the watch history.",
        effect="read", size="200 B")
st.step(8, app_server, client,
        "It returns the metadata, the resume position, the thumbnails' CDN URLs and the master playlist, which "
        "it builds from the video's renditions in the metadata: one entry per rendition, pointing to that "
        "rendition's playlist on the CDN. The answer also grants access to the video's files for a few hours: "
        "a signed cookie scoped to the video's path (or, for a player without cookies, a signed token inside "
        "the URL path, which the relative segment URLs inherit).", size="5 kB")
st.stage("Thumbnails and search")
st.step(9, client, cdn, "The player fetches the thumbnails of the video and of the suggested videos from the CDN.", size="200 kB")
st.step(10, cdn, thumbnail_store,
        "The edge fetches the image from the thumbnail store (an image server reads one cell of the video's "
        "row) and keeps it.", effect="read", when="On a cache miss", share=0.05, size="20 kB")
st.step(11, app_server, search_index,
        "A search (a separate call along steps 2 to 4) is passed to the search index, which returns the "
        "matching video IDs, ranked.", effect="read", when="When the viewer searches", share=0.2, size="2 kB")

st.stage("Adaptive streaming")
st.step(12, client, cdn,
        "The player fetches the first segments from the CDN at a low rendition, so playback starts quickly. "
        "The edge checks the access signature on every playlist and segment request, and leaves it out of the "
        "cache key, so one cached copy serves every viewer.", size="2 MB")
st.step(13, cdn, transcoded_store,
        "The edge fetches the segment from the transcoded store (through a regional cache tier) and keeps it.",
        effect="read", when="On a cache miss", share=0.05)
st.step(14, client, cdn,
        "For every next segment the player measures its download throughput and its buffer, and asks for the "
        "highest rendition it can sustain: lower when the network slows, higher when it recovers.")


st.note("What each step moves, for the hot spots: a view streams about 100 MB (the read size), and only "
        "the segments carry it (step 14; the first low-rendition segments of step 12 some 2 MB, and a miss at "
        "step 13 a share of it). The watch-page call and its answer are a few kB (metadata, the resume position, "
        "the thumbnails' URLs and the master playlist, about 5 kB); a video's cached metadata row is about 2 kB; "
        "a watch-history row (video ID, position, timestamp) about 200 B; the thumbnails of a page about twenty "
        "images of some 10 kB, and one image fetched on a miss about 20 kB; a search query and its ranked IDs "
        "about 2 kB.", theme="Load")
st.note("The source has the app server fetch the video content from the transcoded object store. App servers "
        "never carry video bytes here: they hand out the playlist, and the player downloads the playlists and "
        "segments from the CDN, whose misses go to the transcoded store (step 13).", theme="Order of the steps")
st.note("The source queries the CDN right after connecting to the load balancer; the CDN is drawn here "
        "where the player uses it, after it has the playlist. The renditions' playlists are cached in the CDN "
        "like segments; the master playlist, built for one viewer, is not.",
        theme="Order of the steps")
st.note("A signature in the query string of a rendition's playlist URL would protect that playlist only: "
        "the playlist names its segments by plain relative URLs, which do not carry the query string, and a "
        "playlist cached for everyone cannot carry one viewer's signature. So the access grant covers a path "
        "prefix (a signed cookie, or a token in the path), and the edge checks it on every file. Paid content "
        "adds DRM, which protects the bytes themselves.", theme="Order of the steps")
st.note("The source has the app server read the thumbnails from the thumbnail store. Here the app server only "
        "puts their URLs in the watch page, and the images come from the CDN (steps 9 and 10), as YouTube "
        "serves them from an image domain: app servers carry no image bytes, and the CDN's origin for images "
        "is the thumbnail store.", theme="Order of the steps")

st.note("Reads (watching) and writes (uploading) run on separate clusters, so a wave of uploads cannot slow "
        "playback, and each scales on its own.", theme="Caching and CDN")
st.note("Popular videos are served from the CDN; edge servers keep the hottest segments in memory and the "
        "rest on SSD. Because views are so skewed, edges answer about 19 segment and thumbnail requests in 20 "
        "(steps 10 and 13 take the twentieth), and the metadata cache about 9 watch-page reads in 10 (step 6 "
        "takes the tenth). About one view in five starts with a search (step 11).", theme="Caching and CDN")
st.note("Push CDN: for a channel with millions of subscribers, a new video is copied to the edges before "
        "anyone asks, instead of waiting for the first misses.", theme="Caching and CDN")
st.note("The long tail, watched rarely, is not worth edge memory: the edge passes such segments through "
        "from the origin (step 13) without keeping them in memory, or they are served by video servers in the "
        "data center, from disk.", theme="Caching and CDN")
st.note("Cache servers are picked by consistent hashing on the key, so adding a server moves about 1/N of the keys.",
        theme="Caching and CDN")
st.note("Caching happens at several levels: the player's buffer, the CDN edge, a regional tier, the metadata "
        "cache, the app server's local memory.", theme="Caching and CDN")
st.note("Full caches evict the least recently used entry (LRU). A CDN often adds an admission rule, so that "
        "a video watched once does not push out one watched all day.", theme="Caching and CDN")
st.note("The upload handler deletes a video's cache entry (upload step 23), but a read that fetched the "
        "old row from a lagging follower (step 6) can put it back just after the deletion; the short TTL "
        "bounds how long such a stale entry lives.", theme="Caching and CDN")
st.note("Cache TTLs get random jitter, so entries cached at the same moment do not all expire, and all "
        "hit the database, at the same moment (a thundering herd).", theme="Caching and CDN")
st.note("The source has the video copied to a data center near the viewer when the viewer starts watching. "
        "For that viewer's first segments this comes too late: the edge pulls them on request (step 13). For "
        "the rest it helps: once playback starts, an edge can prefetch the next segments from the origin ahead "
        "of the player's requests, a common CDN feature. Popular videos are pushed ahead of demand.",
        theme="Caching and CDN")

st.note("A video is cut into segments of 2 to 10 seconds, each encoded in every rendition. A lost or slow "
        "segment costs a retry of a few seconds, not the whole video.", theme="Adaptive streaming")
st.note("The source says the chunks are joined when streaming starts. The player never rebuilds a file: "
        "it appends each segment to its playback buffer in order (Media Source Extensions in a browser).",
        theme="Adaptive streaming")
st.note("Because every rendition is cut at the same points, the player can switch rendition at any segment "
        "boundary: the concept page on adaptive bitrate streaming has the rule it follows.",
        theme="Adaptive streaming")
st.note("Protocols differ in what they allow: HLS (Apple) is the native format on Apple devices; MPEG-DASH is an open "
        "standard that is codec-agnostic; Smooth Streaming and HDS are legacy. A shared container (CMAF) "
        "lets one set of segments serve both HLS and DASH.", theme="Adaptive streaming")
st.note("Segments travel over HTTP, on TCP (or QUIC with HTTP/3); the player buffers tens of seconds "
        "ahead, which hides the network's ups and downs.", theme="Adaptive streaming")
st.note("The rendition played depends on the device (screen size, supported codecs) and on the network; "
        "a phone on 3G does not get 4K.", theme="Adaptive streaming")
st.note("The ladder of bitrates and formats decides how smooth and how widely compatible playback is; "
        "it is chosen per video by the transcoder (step 16 of the upload workflow).",
        theme="Adaptive streaming")

st.note("The player reports its position (the next picture) so that playback resumes where it stopped, on "
        "any device. Every 30 seconds rather than every few: resuming within half a minute is close enough, "
        "and the pause and exit reports catch the exact spot. Even so the reports outnumber the watch-page "
        "calls many times over (see Capacity), so they go to a wide-column store partitioned by user, built "
        "for small writes, never to the metadata database.", theme="Viewer features")
st.note("Like and view counters may be approximate: increments are buffered and added in batches every "
        "few seconds instead of one transaction per click.", theme="Viewer features")
st.note("A new comment is read back from the leader by its author (read-your-writes); other viewers read "
        "followers and may see it a moment later.", theme="Viewer features")
st.note("Recommendations use the viewer's region and watch history (nearest neighbours among videos or "
        "users in an embedding space, then a ranking model). A/B tests do not recommend; they measure which "
        "recommender works better.", theme="Viewer features")

st.note("The streaming cluster gets priority over the general one (comments, recommendations), so under "
        "pressure the video keeps playing.", theme="Capacity and reliability")
st.note("Autoscaling reacts in minutes; a premiere on a huge channel peaks in seconds. Services are scaled "
        "up in advance for such events.", theme="Capacity and reliability")
st.note("Traffic has daily and weekly patterns; a model trained on them predicts the capacity needed "
        "and scales ahead of the curve.", theme="Capacity and reliability")
st.note("New machines take minutes to be ready, so autoscaling keeps headroom: it scales when load reaches, "
        "say, 60% rather than 90%.", theme="Capacity and reliability")
st.note("Images that already contain everything (no install scripts at boot) start in seconds.",
        theme="Capacity and reliability")
st.note("Before a known peak, capacity is warmed up (servers started, caches filled) to the level the load "
        "tests showed it needs.", theme="Capacity and reliability")
st.note("In an emergency the system sheds load: it switches off what is not essential (recommendations, "
        "comments), and circuit breakers stop calls to failing services so they do not drag the rest down.",
        theme="Capacity and reliability")


# --- Position reports: many per view, so a path of their own, at their own rate -----------

# Ten reports per view: a view is about five minutes (the read size's reason), a report every 30 seconds;
# a report is a video ID, a position and a token, some 200 bytes with its headers.
hist = youtube.path("history", "Remember where the viewer stopped", per="read", times=10, size="200 B")
hist.step(1, client, app_server,
        "Every 30 seconds of playback, and when the viewer pauses, seeks or leaves (as a beacon, which a "
        "browser sends even while the page closes), the player reports the video and its position in it, "
        "through the load balancer and a web server as in streaming steps 2 to 4.")
hist.step(2, app_server, watch_history,
        "The app server writes the position into the viewer's row for that video, stamped with the server's "
        "clock, not the device's: the latest report wins whichever device sent it (app servers' clocks agree "
        "within milliseconds by NTP, and one playback's reports are 30 seconds apart). The player never "
        "retries a report: a retry stamped after a newer report would win over it, and after a pause or an "
        "exit no next report would put it right. A lost report is superseded by the next; a lost exit report "
        "costs at most the 30 seconds since the one before.", effect="write")
hist.note("Reports outnumber watch-page calls about ten to one, which is why they have a path, and a store, of "
          "their own: the watch history, never the metadata database.", theme="Load")

# --- API (the parts and the segments travel through object storage and the CDN, not this API)
youtube.endpoint(
    "POST", "/v1/videos", "Register an upload: a video ID and signed URLs for the file's parts", starts=(up, 2),
    request={"title": "string: the video's title",
             "description?": "string: shown under the video and indexed for search",
             "size_bytes": "integer: the file's length, which decides the number of parts",
             "content_type": "string: the container, e.g. video/mp4"},
    response={"video_id": "string: the new video, status uploading",
              "part_size": "integer: bytes per part (8 to 64 MB); the last part may be shorter",
              "part_urls": "object[]: per part, its number and a pre-signed PUT URL into the raw video store, valid a few hours"},
    status={201: "Registered; send the parts to the URLs", 400: "A size over the limit or a container that is not accepted",
            401: "No valid token", 429: "Over the upload quota of the user or the IP address (step 3)"},
    headers={"Authorization": "Bearer token of the uploader",
             "Idempotency-Key": "Required: stored with the video, unique per user; a retried registration returns the same video ID and upload instead of a second video"},
    response_headers={429: {"Retry-After": "Seconds to wait before trying again"}},
)
youtube.endpoint(
    "GET", "/v1/videos/{video_id}/upload", "Resume a broken upload: which parts the store already has, and fresh URLs for the rest",
    request={"video_id": "string: the video being uploaded"},
    response={"stored_parts": "object[]: per part received, its number and ETag",
              "part_urls": "object[]: new pre-signed URLs for the parts still missing"},
    status={200: "The upload's state", 401: "No valid token", 403: "Not the uploader",
            404: "No such video, or its upload was abandoned", 409: "The upload is already complete"},
    headers={"Authorization": "Bearer token of the uploader"},
    response_headers={"Cache-Control": "No-store: the parts change as the upload goes on"},
)
youtube.endpoint(
    "POST", "/v1/videos/{video_id}/complete", "Finish the upload: join the parts and start processing", starts=(up, 10),
    request={"video_id": "string: the video",
             "parts": "object[]: per part, its number, the ETag the store returned and its checksum"},
    response={"video_id": "string: the video", "status": "string: processing, or later (ready, failed) on a retry"},
    status={202: "Joined and queued for transcoding; the uploader is notified when it is ready. A retry whose first answer was lost gets the same 202 with the video's current status: nothing is joined or queued twice",
            400: "A part missing, or an ETag or checksum that does not match what the store holds",
            401: "No valid token", 403: "Not the uploader", 404: "No such video"},
    headers={"Authorization": "Bearer token of the uploader"},
)
youtube.endpoint(
    "GET", "/v1/videos/{video_id}", "Open the watch page: metadata, thumbnail URLs, where the viewer stopped, and the master playlist", starts=(st, 2),
    request={"video_id": "string: the video"},
    response={"title": "string: the video's title", "description": "string: its description",
              "status": "string: uploading, processing, ready, or failed (transcoding gave up)",
              "thumbnails": "object[]: thumbnail URLs on the CDN, at a few sizes",
              "resume_at_s?": "number: where this viewer stopped, from the watch history; absent when not signed in or never watched",
              "master_playlist?": "string: HLS or DASH master playlist, one entry per rendition pointing to its playlist on the CDN; absent until ready"},
    status={200: "The video", 401: "A private video and no valid token", 403: "A private video the viewer may not see",
            404: "No such video, or removed", 429: "Over the read quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the viewer; optional for public videos"},
    response_headers={"Cache-Control": "Private, max-age of a minute: the answer grants this viewer access, so no shared cache may keep it",
                      200: {"Set-Cookie": "Signed access for the video's path on the CDN, valid a few hours; the edge checks it on every playlist and segment (a player without cookies gets a token in the playlist URLs' path instead)"},
                      429: {"Retry-After": "Seconds to wait before trying again"}},
)
youtube.endpoint(
    "PUT", "/v1/me/history/{video_id}", "Report where playback is: every 30 seconds, and on pause, seek or exit", starts=(hist, 1),
    request={"video_id": "string: the video playing",
             "position_s": "number: seconds into the video"},
    status={204: "Stored. The player does not retry a report: a lost one is superseded by the next, 30 seconds later",
            400: "A position outside the video", 401: "No valid token: a viewer who is not signed in keeps the position on the device",
            404: "No such video", 429: "Reporting far more often than every 30 seconds (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the viewer"},
    response_headers={429: {"Retry-After": "Seconds to wait before trying again"}},
)
youtube.endpoint(
    "GET", "/v1/search", "Search videos by title and description, a page at a time", starts=(st, 11),
    operation_id="searchVideos",  # the derived name reads badly
    request={"q": "string: the viewer's words",
             "cursor?": "string: next_cursor from the previous page",
             "limit?": "integer: results per page, 20 by default, at most 50"},
    response={"results": "object[]: ranked videos with ID, title, channel, duration and a thumbnail URL",
              "next_cursor": "string: opaque position of the next page; absent at the end"},
    status={200: "One page of results", 400: "An empty query",
            429: "Over the read quota (Retry-After says when to try again)"},
    response_headers={"Cache-Control": "Public, max-age of a minute: popular queries are reused by any viewer",
                      429: {"Retry-After": "Seconds to wait before trying again"}},
)

# --- Capacity: a "write" is one video uploaded, a "read" one view --------------------
youtube.capacity(
    daily_active_users=(1_000_000_000, "Assumption: YouTube reports over two billion logged-in viewers a month; the source gives no figures"),
    writes_per_user_per_day=(0.005, "YouTube has reported over 500 hours uploaded every minute: some five million videos a day of about nine minutes"),
    read_to_write=(1_000, "About five billion views a day, a commonly quoted estimate, over five million uploads"),
    write_size=("500 MB", "The original file: about nine minutes of 1080p at some 7 Mbit/s; the renditions are stored besides it"),
    read_size=("100 MB", "What one view streams: about five minutes at an average of some 2.5 Mbit/s across phones and TVs"),
    retention=("10 years", "Videos are kept as long as their owners keep them; ten years bounds the estimate"),
    peak_to_average=(2, "A worldwide audience smooths the day; evening peaks roughly double the average"),
    hot_fraction=(0.005, "Views are heavily skewed: the popular videos carry most of the bytes streamed, yet their distinct segments, each cached once per edge, are a fraction of a percent of them"),
)

# --- API examples: checked against the schemas above ---------------------------------
youtube.example(
    "POST /v1/videos",
    headers={"Idempotency-Key": "0ccf8a95-dfec-4c8e-a85b-9c5aca0267a0"},
    request={
        "title": "Learn jazz piano in 10 minutes",
        "description": "Three voicings that make any tune sound like jazz",
        "size_bytes": 1073741824,
        "content_type": "video/mp4",
    },
    responses={
        201: {
            "video_id": "v_Qm81xT",
            "part_size": 67108864,
            "part_urls": [
                {"part": 1, "url": "https://raw.youtube.example/v_Qm81xT/1?X-Amz-Signature=a1b2"},
                {"part": 2, "url": "https://raw.youtube.example/v_Qm81xT/2?X-Amz-Signature=c3d4"},
            ],
        },
        429: {"error": "rate_limited", "message": "Over the upload quota of the user or the IP address"},
    },
)
youtube.example(
    "GET /v1/videos/{video_id}/upload",
    request={"video_id": "v_Qm81xT"},
    responses={
        200: {
            "stored_parts": [{"part": 1, "etag": "\"b1946ac92492d2347c6235b4d2611184\""}],
            "part_urls": [
                {"part": 1, "url": "https://raw.youtube.example/v_Qm81xT/1?X-Amz-Signature=a1b2"},
                {"part": 2, "url": "https://raw.youtube.example/v_Qm81xT/2?X-Amz-Signature=c3d4"},
            ],
        },
        409: {"error": "conflict", "message": "The upload is already complete"},
    },
)
youtube.example(
    "POST /v1/videos/{video_id}/complete",
    request={
        "video_id": "v_Qm81xT",
        "parts": [
            {
                "part": 1,
                "etag": "\"b1946ac92492d2347c6235b4d2611184\"",
                "checksum": "sha256:2c26b46b68ffc68ff99b453c1d304134",
            },
        ],
    },
    responses={
        202: {"video_id": "v_Qm81xT", "status": "processing"},
        404: {"error": "not_found", "message": "No such video"},
    },
)
youtube.example(
    "GET /v1/videos/{video_id}",
    request={"video_id": "v_Qm81xT"},
    responses={
        200: {
            "title": "Learn jazz piano in 10 minutes",
            "description": "Three voicings that make any tune sound like jazz",
            "status": "ready",
            "thumbnails": [{"size": "320x180", "url": "https://cdn.youtube.example/v_Qm81xT/thumb-320.jpg"}],
            "resume_at_s": 4.5,
            "master_playlist": "https://cdn.youtube.example/v_Qm81xT/master.m3u8",
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
youtube.example(
    "PUT /v1/me/history/{video_id}",
    request={"video_id": "v_Qm81xT", "position_s": 312.5},
    responses={204: None, 429: {"error": "rate_limited", "message": "Reporting far more often than every 30 seconds"}},
)
youtube.example(
    "GET /v1/search",
    request={"q": "jazz in paris", "cursor": "eyJvZmZzZXQiOjIwfQ", "limit": 20},
    responses={
        200: {
            "results": [
                {
                    "video_id": "v_Qm81xT",
                    "title": "Learn jazz piano in 10 minutes",
                    "channel": "Keys & Co",
                    "duration_seconds": 612,
                    "thumbnail_url": "https://cdn.youtube.example/v_Qm81xT/thumb-320.jpg",
                },
            ],
            "next_cursor": "eyJvZmZzZXQiOjIwfQ",
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
