"""Search every tweet ever posted, with new tweets findable within seconds of being sent."""

from blueprint import System

search = System("Twitter Search")

# --- Client --------------------------------------------------------------------------
client = search.component("client", "Client", kind="client", group="Client",
                          role="A browser or app that posts, edits and deletes tweets and runs searches")

# --- Services ------------------------------------------------------------------------
search_server = search.component("search_server", "Search server", kind="server", group="Search tier",
                                 role="Front door for searches: parses and tokenizes the query, returns the final page")
fanout = search.component("fanout", "Fanout service", kind="service", group="Search tier",
                          role="Scatter-gather root (Twitter calls it Blender): queries every index partition, "
                               "filters and merges their answers")
tweet_service = search.component("tweet_service", "Tweet service", kind="service", group="Services",
                                 role="System of record for tweets (its own store is not drawn): accepts posts, "
                                      "edits and deletes, and returns tweets by ID")
social_graph = search.component("social_graph", "Social graph service", kind="service", group="Services",
                                role="Who follows, blocks and mutes whom: used to rank and filter results for the searcher")
user_search = search.component("user_search", "User search service", kind="solr", group="Services",
                               role="A Lucene index of each user's past searches and clicks, used to personalise results")

# --- Messaging and processing --------------------------------------------------------
stream = search.component("stream", "Tweet stream", kind="pubsub", group="Messaging",
                          role="Ordered log of new, edited and deleted tweets, partitioned by tweet ID, on three brokers; "
                               "kept longer than the real-time window, so a restarted index replica can replay it")
flink = search.component("flink", "Stream analysis (Flink)", kind="flink", group="Processing",
                         role="Tokenizes and annotates each tweet and routes it to the index partition that owns it")
mapreduce = search.component("mapreduce", "MapReduce jobs", kind="mapreduce", group="Processing",
                             role="Batch jobs that turn a day of archived tweets into Lucene segments for the archive index")

# --- Inside one real-time index server (only the index update picture shows these) --
writer_thread = search.component("writer_thread", "Writer thread (one)", kind="writer_thread", group="Index server threads",
                                 role="The only thread that changes the partition's index: adds, deletes, seals segments")
reader_threads = search.component("reader_threads", "Reader threads (many)", kind="reader_thread", group="Index server threads",
                                  role="Search threads: each runs one query over the partition's segments, never taking a lock")
max_doc_id = search.component("max_doc_id", "Published max doc ID", kind="shared_variable", group="One partition's in-memory index",
                              role="A volatile counter: the highest document ID whose postings are completely written")
active_segment = search.component("active_segment", "Active segment", kind="open_index_segment", group="One partition's in-memory index",
                                  role="The in-memory segment being filled: append-only postings lists and a deleted-docs set")
sealed_segments = search.component("sealed_segments", "Sealed segments", kind="index_segment", group="One partition's in-memory index",
                                   role="Full segments in a read-optimised form: postings never change; only deleted-docs bits are set")

# --- Data stores ---------------------------------------------------------------------
cache = search.component("cache", "Archive results cache", kind="memcached", group="Data stores",
                         role="Archive index answers per normalised query and archive version; written only by the fanout service")
realtime_index = search.component("realtime_index", "Real-time index (RAM)", kind="search_index", group="Data stores",
                                  role="Partitioned in-memory Lucene indexes (Earlybird) of recent tweets, about the last week")
archive_index = search.component("archive_index", "Archive index (SSD)", kind="solr", group="Data stores",
                                 role="Lucene segments of every older tweet, on SSD, partitioned by tweet ID and by time")
hdfs = search.component("hdfs", "Tweet archive (HDFS)", kind="hdfs", group="Data stores",
                        role="Every tweet ever posted, as files on HDFS: the input of the archive index builds")

# --- Failure behaviour ------------------------------------------------------------------
stream.fails(down="Searches still work, but tweets, edits and deletes sent meanwhile are not found until it is back",
             slow="New tweets take longer than seconds to become searchable",
             loses_data="Nothing acknowledged: the relay marks an outbox entry sent only once the stream has it",
             handling="Each stream partition is replicated on three brokers; the outbox holds what was not "
                      "acknowledged, and the stream keeps a real-time window of changes so a replica can replay them",
             redundant=True)
realtime_index.fails(down="One replica down: another replica of its partition answers. Every replica of a "
                          "partition down: recent matches from it are missing and the page says partial",
                     slow="The fanout service's deadline passes and the page comes back partial",
                     loses_data="RAM is lost on a restart: the replica replays the stream over the window while "
                                "its siblings answer",
                     handling="Each partition has several replicas, each fed every change in the same order",
                     redundant=True)
active_segment.fails(down="It lives in one index server's RAM: that replica stops answering and its siblings take "
                          "its queries",
                     slow="New tweets in this partition become searchable later",
                     loses_data="Rebuilt by replaying the stream, like the rest of the replica",
                     handling="The partition's other replicas hold the same segment", redundant=True)
sealed_segments.fails(down="As for the active segment: the replica is out and its siblings answer",
                      slow="Queries on this replica miss the deadline; the page is partial",
                      loses_data="Rebuilt by replaying the stream, like the rest of the replica",
                      handling="The partition's other replicas hold the same segments", redundant=True)
cache.fails(down="Every search queries the archive partitions (step 5): slower, same answers",
            slow="Lookups past a short timeout count as misses",
            loses_data="Nothing to restore: each entry is an archive answer, recomputed on the next miss",
            handling="A cache in front of the archive, which holds the truth; the archive has room for the misses",
            redundant=True)
archive_index.fails(down="One replica down: another answers. A whole partition down: older matches from it are "
                         "missing and the page says partial",
                    slow="Its matches miss the deadline; cached answers still come back",
                    loses_data="Segments are reloaded from the MapReduce output, or rebuilt from HDFS",
                    handling="Each partition has replicas on SSD", redundant=True)
hdfs.fails(down="Searches are unaffected; the daily build waits, so the real-time window must hold tweets longer",
           slow="The daily archive build finishes late",
           loses_data="HDFS keeps three copies of every block; a lost copy is re-replicated",
           handling="Block replication (three copies by default) and a standby NameNode", redundant=True)
user_search.fails(down="Results come back unpersonalised; the fanout service skips it at its deadline",
                  slow="Skipped at the deadline: results are only less personal",
                  loses_data="Users' search history is gone; results stay correct but unpersonalised",
                  handling="One copy as drawn: losing it costs personalisation only, not results",
                  redundant=False)


# --- Read path -----------------------------------------------------------------------
read = search.path("read", "Read path", per="read")

read.stage("Collect candidates from both indexes")
read.step(1, client, search_server,
          "The client sends the query over HTTPS. The search server parses it (`from:`, `#tag`, quotes, `OR`) "
          "and splits the words into tokens with the same analyser that built the index.", size="500 B")
read.step(2, search_server, fanout, "The search server hands the parsed query to the fanout service.", size="500 B")
read.step(3, fanout, realtime_index,
          "The fanout service sends the query to every partition of the real-time index at once; each returns its "
          "best recent matches.", effect="read", size="2 kB")
read.step(4, fanout, cache,
          "It looks up the archive part of the answer in the cache, under the normalised query, the time range "
          "it asks for (`since`) and the current archive version: the same words over another range are another "
          "answer.", effect="read", size="2 kB")
read.step(5, fanout, archive_index,
          "The fanout service queries every archive partition that covers the time range asked for.",
          effect="read", when="On a cache miss", share=0.8, size="2 kB")
read.step(6, fanout, cache,
          "It stores the archive answer in the cache with a time to live, so the next identical query skips step 5.",
          effect="write", when="On a cache miss", share=0.8,
          after_crash=("accepted", "the cached answer is right; the search is missing from the user's history "
                                   "(step 12), at most 1 search per request in flight, which only personalises"), size="2 kB")

read.stage("Filter, personalise, merge")
read.step(7, fanout, social_graph,
          "The fanout service asks the social graph service how the searcher relates to each candidate's author: "
          "followed accounts rank higher, blocked and muted ones are dropped.", size="1 kB")
read.step(8, fanout, user_search,
          "The user search service scores candidates against the searcher's own search history, for personalisation.",
          effect="read", size="1 kB")
read.step(9, fanout, tweet_service,
          "The fanout service fetches the surviving tweets by ID; a tweet deleted after it was indexed or cached "
          "comes back missing and is left out.")
read.step(10, fanout, search_server,
          "Real-time and archive hits are merged into one ranked list, duplicates removed where the two indexes overlap.")
read.step(11, search_server, client, "The search server returns the first page of results to the client.")
read.step(12, search_server, user_search,
          "For a signed-in user, the search (and later the results they click) is added to their history in the "
          "user search service.", effect="write", size="200 B")

read.note("What each step moves, for the hot spots: the results page, 20 kB (twenty tweets with their "
          "authors, the read size), travels only from the tweet service back to the client (steps 9 to 11). The "
          "query is a few hundred bytes; what an index partition or the cache returns is candidate tweet IDs "
          "(8 bytes each) with their scores, about 2 kB; the authors' relations and the personalisation scores "
          "about 1 kB; a history entry about 200 B.", theme="Load")
read.note("The source says the index is updated while being read, with a \"wait-free concurrency model with "
          "optimistic locking\". Part of that is right: readers of the real-time index never wait. But there is no "
          "optimistic locking: see the index update path for what the index does, and what each term means.",
          theme="Corrections")
read.note("Only about a fifth of queries repeat within an entry's lifetime, so four lookups in five miss "
          "(steps 5 and 6); the cache saves archive work on the popular fifth.",
          theme="Caching")
read.note("The source draws one cache lookup, for the archive. That is the right place: archive answers change only "
          "when a new batch lands or a tweet is deleted, while the real-time index changes every second, so caching "
          "its answers would serve stale results.",
          theme="Caching")
read.note("The cache key includes the archive version, so publishing a new batch of archive segments makes every old "
          "entry unreachable at once; deletions in between are caught by the lookup in step 9.",
          theme="Caching")
read.note("Services talk over RPC (Thrift on Finagle at Twitter): compact binary messages over long-lived, "
          "multiplexed connections, with timeouts and retries built in, cost less per call than JSON over plain HTTP/1.1, which matters when one search "
          "fans out into dozens of calls.",
          theme="Latency")
read.note("A query waits for its slowest partition. The fanout service sets a deadline and returns what arrived in "
          "time (partial results beat no results for search), and each partition has replicas to pick from.",
          theme="Latency")
read.note("Both indexes are partitioned by document (tweet ID), not by term, so every query visits every partition; "
          "in exchange, each partition can answer a query on its own and one hot hashtag does not land on one machine.",
          theme="Latency")


# --- Write path ----------------------------------------------------------------------
write = search.path("write", "Write path", per="write")

write.stage("Into the real-time index")
write.step(1, client, tweet_service,
           "The client posts a status; the tweet service stores it, gives it an ID and version 1 (each edit or "
           "delete raises the version), and keeps the request's idempotency key with it, so a retried post "
           "returns the same ID.")
write.step(2, tweet_service, stream,
           "The tweet service appends the new tweet to the tweet stream, from an outbox written in the same "
           "transaction as the tweet (see the note on delivery).", effect="write",
           after_crash=("idempotent retry", "the stream holds the tweet but no index yet; the consumers resume from "
                                            "their last committed offsets, and steps 4 and 5 skip a version they have"))
write.step(3, stream, flink,
          "A Flink job reads the stream and analyses each tweet: tokens, language, hashtags, mentions, expanded URLs.",
          effect="deliver")
write.step(4, flink, realtime_index,
          "It sends the analysed tweet to every replica of the real-time partition that owns its ID, whose "
          "writer adds it to the in-memory Lucene index: searchable within seconds. Each replica applies the "
           "partition's changes in the same order, so any of them can answer a query.", effect="write",
           idempotent_by="the tweet ID and version: a replica skips a change whose version is not newer than the last it applied",
           after_crash=("idempotent retry", "the HDFS copy (step 5) reads the stream with its own offset, so a crash "
                                            "of the indexer delays neither; each replays from its last offset"))

write.stage("Into the archive index")
write.step(5, stream, hdfs, "Tweets are also copied, in batches, into the archive on HDFS.", effect="write",
           idempotent_by="the tweet ID and version: a batch copied twice leaves duplicates that the build drops, keeping the highest version",
           after_crash=("idempotent retry", "the day's files are on HDFS but not yet indexed; the daily build reruns "
                                            "over the same files, and the real-time window still holds those tweets"))
write.step(6, hdfs, mapreduce,
          "Daily MapReduce jobs (Hadoop) read the new archive files, analyse the tweets the same way and split them "
          "by partition and time.")
write.step(7, mapreduce, archive_index,
          "The jobs write finished Lucene segments, which the archive index servers load onto SSD; the archive's "
           "version number moves on, so cached answers keyed by the old one are no longer used.", effect="write")


write.note("The real-time index keeps only recent tweets: a bounded window (the source says at most a few weeks; "
           "Twitter has described roughly the last week), because everything it holds lives in RAM. Its oldest segment is dropped once the "
           "archive covers those days, by time and never by count: dropping one on every seal would, in a surge of "
           "tweets, shorten the window below the archive's lag and lose tweets that neither index holds. A surge "
           "costs RAM instead, which is why partitions are sized with headroom.",
           theme="Two indexes")
write.note("The archive lags by up to a day (step 6 runs daily), so the real-time window must be longer than that "
           "lag plus a margin; the overlap is why step 10 of the read path removes duplicates.",
           theme="Two indexes")
write.note("The archive index lives on SSD because it is far too large for RAM, and an SSD serves the random reads of "
           "postings lists in well under a millisecond, where a spinning disk needs several.",
           theme="Two indexes")
write.note("Steps 1 and 2 are two writes. Were the tweet stored and the service to crash before appending it, "
           "the tweet would exist and never be found. So the tweet and an outbox entry are written in one "
           "transaction, and a relay appends outbox entries to the stream until the stream acknowledges them. "
           "A relay that crashes after appending but before marking the entry sent appends it again, so an "
           "old change can arrive after a newer one (edit 1, edit 2, then edit 1 again). Every entry carries the "
           "tweet's version: the partition's writer keeps, per tweet ID, its document ID (a delete needs it "
           "anyway) and the last version applied, kept as a tombstone after a delete until the tweet leaves the "
           "window, and skips any change whose version is not newer; the archive build keeps, per tweet ID, only "
           "the highest version, and leaves the tweet out if that is a delete.",
           theme="Delivery")
write.note("Each real-time partition has a single writer thread and many reader threads; the index update path "
           "shows how readers search while the writer adds tweets.",
           theme="Concurrency")
write.note("Query and index must tokenize alike: if the stream job folds `Café` to `cafe` but the search server "
           "does not, the query finds nothing. One analyser library serves steps 3, 6 and read step 1.",
           theme="Consistency")
write.note("The source names Apache Flink for step 3. Twitter's own pipeline was a custom ingester, later fed "
           "from Kafka; any stream processor that keeps per-tweet order does the job.",
           theme="Corrections")


# --- How the index is updated while it is read ---------------------------------------
# Edits and deletes: about one tweet in twenty, so 0.05 per write, each a tweet's 1 kB change. Steps 10 to 14
# show one query inside a partition; read step 3 counts the queries.
update = search.path("index_update", "Updating the index while it is read", per="write", times=0.05, size="1 kB")

update.stage("An edit or a delete reaches both indexes and the archive")
update.step(1, client, tweet_service, "The client edits or deletes a published tweet.")
update.step(2, tweet_service, stream,
            "The tweet service writes the change, its new version and an outbox entry in one transaction, as "
            "for a new tweet (write step 2); the relay appends the entry to the tweet stream, keyed by tweet ID "
            "so it follows the original. A crash after the change is stored cannot lose it: the relay still "
            "holds the entry.", effect="write",
            after_crash=("idempotent retry", "the change is in the stream but in no index; each consumer resumes from "
                                             "its last offset and skips a version it has already applied"))
update.step(3, stream, hdfs,
            "The change is copied into the HDFS archive with the tweets, so the next daily build applies it: it "
            "leaves a deleted tweet out and indexes an edit's new text. Without this, a rebuild from the archive "
            "would bring a deleted tweet back.", effect="write",
            idempotent_by="the tweet ID and version: the build keeps one version per tweet, the highest",
            after_crash=("idempotent retry", "the archive copy has the change, the indexes not yet; the stream job "
                                             "resumes from its last offset and steps 5 and 7 skip what they have"))
update.step(4, stream, flink, "The stream job reads the change, like any new tweet.", effect="deliver")
update.step(5, flink, archive_index,
            "It sends every change to the archive index servers, whatever the tweet's age: a tweet between about a "
            "day and a week old is in both indexes. The archive marks it deleted in a small deleted-docs set kept "
            "next to its read-only segments (nothing to do if the archive does not hold it yet: step 3 covers the "
            "next build).", effect="write",
            idempotent_by="the tweet ID: marking a tweet deleted twice sets the same bit",
            after_crash=("idempotent retry", "the archive has marked the change, the real-time partition not yet; "
                                             "the stream job resends from its last offset and the writer skips a version it has"))

update.stage("Inside one real-time partition: one writer, many readers, at the same time")
update.step(6, flink, writer_thread,
            "It also sends the change to every replica of the real-time partition that owns the tweet (nothing to do once the tweet "
            "has aged out of the window). There, every addition, edit and delete is handled by one writer thread, "
            "in arrival order; a change whose version is not newer than the one the writer last applied to that "
            "tweet is a redelivery and is skipped (see the write path's note on delivery).")
update.step(7, writer_thread, active_segment,
            "To add a tweet, the writer gives it the next document ID and appends that ID to the postings list of each "
            "of its terms. An edit is a delete plus an add; a delete sets one bit in the deleted-docs set of "
            "whichever segment holds the tweet, sealed or active.", effect="write",
            idempotent_by="the tweet ID and version, checked at step 6: a change that is not newer never gets here",
            after_crash=("idempotent retry", "a crash of the server empties its RAM, both segments with it; the "
                                             "replica replays the stream over the window"), size="100 B")
update.step(8, writer_thread, max_doc_id,
            "Only when every posting of the tweet is written does the writer store its document ID in the volatile "
            "max-doc counter: this write is the memory barrier that publishes all the earlier ones.", size="4 B")
update.step(9, writer_thread, sealed_segments,
            "When the active segment is full (2²³, about 8.4 million tweets), the writer starts a new one; the full "
            "one is rewritten into a read-optimised sealed segment and published by swapping one volatile reference "
            "to the segment list. Sealing drops nothing: the oldest segment goes only when the archive holds every "
            "tweet in it (see the write path's notes).", effect="write",
            idempotent_by="the segment: it is sealed once, when it fills; a redelivered change was skipped at step 6")

update.step(10, fanout, reader_threads, "Meanwhile, queries keep arriving; each is taken by one of the partition's reader threads.", size="500 B")
update.step(11, reader_threads, max_doc_id,
            "The reader reads the volatile max-doc counter once. Everything the writer wrote before publishing that "
            "value is now visible to this thread.", size="4 B")
update.step(12, reader_threads, active_segment,
            "It walks postings newest first, skipping IDs above the value it read (the writer may already be "
            "further on) and IDs marked deleted.", effect="read", size="2 kB")
update.step(13, reader_threads, sealed_segments,
            "It searches the sealed segments. Their postings never change, so they need no coordination; only their "
            "deleted-docs bits can flip, and the reader checks each ID's bit as it goes, as in step 12.", effect="read", size="2 kB")
update.step(14, reader_threads, fanout, "It returns the partition's best matches to the fanout service.", size="2 kB")

update.note("What each step moves, for the hot spots: a change is a tweet's 1 kB. Inside a partition the "
            "writer appends the tweet's document ID to some twenty postings lists, about 100 B, and the max-doc "
            "counter is one 4-byte int; a query there is a few hundred bytes and the partition's best matches "
            "IDs and scores, about 2 kB.", theme="Load")
update.note("**Wait-free** means every thread finishes each operation in a bounded number of its own steps, whatever "
            "the other threads do. Earlybird's readers are: one read of a counter, then a bounded walk. The writer "
            "never waits for readers either.",
            theme="Concurrency, precisely")
update.note("**Lock-free** is weaker: some thread always makes progress, but a given thread may retry forever, "
            "typically in a compare-and-swap loop. Earlybird needs no compare-and-swap at all, because only one "
            "thread ever writes.",
            theme="Concurrency, precisely")
update.note("**Optimistic locking** (optimistic concurrency control) is something else: a transaction reads a record "
            "with its version, works without locks, and commits only if the version is unchanged "
            "(`UPDATE … WHERE version = 7`), retrying otherwise. It guards versioned records against concurrent "
            "writers; here there is one writer and readers never validate or retry.",
            theme="Concurrency, precisely")
update.note("Why it is correct: data at or below the published ID is never modified again (postings are only "
            "appended, deletes are a separate bit set), and Java's memory model guarantees that a thread reading a "
            "volatile sees every write made before the matching volatile write. No reader ever sees half a tweet.",
            theme="Concurrency, precisely")
update.note("A deleted-docs bit can flip while a reader is mid-query: that reader may still return the tweet once. "
            "The lookup in read step 9 removes it, which is why deletes need no stronger guarantee here. The same "
            "lookup hides a deleted tweet from a cached archive answer: cached answers are not purged, they are "
            "filtered on the way out.",
            theme="Concurrency, precisely")
update.note("The price of one writer: a partition ingests only as fast as one thread can index (thousands of tweets "
            "a second). Throughput grows by adding partitions, not threads.",
            theme="Trade-offs")
update.note("The source says the server updates both indexes when a tweet is edited or deleted. Neither index edits a "
            "document in place: Lucene segments are never modified once written (merges write new ones), so a "
            "change is a delete mark plus, for an edit, a new document.",
            theme="Corrections")


# --- API -----------------------------------------------------------------------------
search.endpoint(
    "GET", "/v1/search/tweets", "Search tweets, newest and best first, a page at a time", starts=(read, 1),
    request={"q": "string: the query: words, \"phrases\", #tags, from:user, OR",
             "since?": "string: ISO 8601 date; older tweets are not searched (and the archive is skipped if it is recent)",
             "cursor?": "string: next_cursor from the previous page"},
    response={"tweets": "object[]: matching tweets with author, text and time",
              "next_cursor": "string: opaque: the oldest tweet ID returned and the archive version, so the next page continues below that ID even as new tweets arrive; absent at the end",
              "partial": "boolean: true if a partition missed its deadline and its matches are left out"},
    status={200: "A page of results, possibly partial", 400: "A query that does not parse, or is empty",
            429: "Over the search quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token; optional, but without it results are not personalised and the quota is lower"},
    response_headers={"Cache-Control": "Private, max-age=0, since results are personalised and change by the second",
                      "RateLimit-Remaining": "Searches left in the current window"},
)
search.endpoint(
    "POST", "/v1/tweets", "Post a tweet; it is searchable within seconds", starts=(write, 1),
    request={"text": "string: up to 280 characters",
             "reply_to?": "string: the ID of the tweet this answers"},
    response={"tweet_id": "string: the new tweet's ID, time-sortable"},
    status={201: "Posted", 400: "Empty or over 280 characters", 401: "No valid token",
            429: "Over the posting quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the author",
             "Idempotency-Key": "A retried post returns the first tweet's ID instead of posting twice"},
)
search.endpoint(
    "PATCH", "/v1/tweets/{tweet_id}", "Edit one's own tweet; the index replaces it (a delete plus an add)",
    starts=(update, 1),
    request={"tweet_id": "string: the tweet to edit", "text": "string: the new text, up to 280 characters"},
    response={"tweet_id": "string: the same ID", "edited_at": "string: ISO 8601 time of the edit"},
    status={200: "Edited; searches see the new text within seconds", 400: "Empty or over 280 characters",
            401: "No valid token", 403: "Not the author", 404: "No such tweet",
            409: "The edit window has closed"},
    headers={"Authorization": "Bearer token of the author"},
)
search.endpoint(
    "DELETE", "/v1/tweets/{tweet_id}", "Delete one's own tweet; both indexes and the archive's next build drop it, and cached answers that still hold its ID leave it out at the final lookup",
    starts=(update, 1),
    request={"tweet_id": "string: the tweet to delete"},
    status={204: "Deleted; the final lookup by ID hides it at once, the indexes mark it within seconds",
            401: "No valid token", 403: "Not the author", 404: "No such tweet"},
    headers={"Authorization": "Bearer token of the author"},
)

# --- Capacity ------------------------------------------------------------------------
search.capacity(
    daily_active_users=(250_000_000, "Close to the daily audience Twitter reported in 2022 (about 240 million); the source gives no figures"),
    writes_per_user_per_day=(2, "About 500 million tweets a day, the figure Twitter gave in 2013"),
    read_to_write=(4, "About two billion searches a day (Twitter reported 1.6 billion in 2011): four per tweet"),
    write_size=("1 kB", "A tweet as indexed and archived: up to 280 characters plus author, time, language and entities"),
    read_size=("20 kB", "A page of 20 results with their authors"),
    retention=("10 years", "Search covers every tweet ever posted; ten years of them bounds the estimate"),
    peak_to_average=(3, "Daily peaks; news spikes go far higher (a 2013 record was about 25 times the average), which the stream buffers"),
    hot_fraction=(0.02, "Only archive answers are cached, as tweet IDs (about a tenth of a page's bytes), for the fifth of queries that repeat"),
)

# --- API examples: checked against the schemas above ---------------------------------
search.example(
    "GET /v1/search/tweets",
    request={"q": "jazz in paris", "since": "2026-12-07T09:30:00Z", "cursor": "eyJvZmZzZXQiOjIwfQ"},
    responses={
        200: {
            "tweets": [
                {
                    "tweet_id": "1863029384756301824",
                    "author": "@ada",
                    "text": "Jazz in Paris tonight",
                    "created_at": "2026-12-07T09:12:00Z",
                },
            ],
            "next_cursor": "eyJvZmZzZXQiOjIwfQ",
            "partial": True,
        },
        429: {"error": "rate_limited", "message": "Over the search quota"},
    },
)
search.example(
    "POST /v1/tweets",
    headers={"Idempotency-Key": "5c6829b1-c817-4bb1-8bd4-e2ef300a2ecd"},
    request={"text": "Jazz in Paris tonight at 9", "reply_to": "1863029384756301800"},
    responses={
        201: {"tweet_id": "1863029384756301824"},
        429: {"error": "rate_limited", "message": "Over the posting quota"},
    },
)
search.example(
    "PATCH /v1/tweets/{tweet_id}",
    request={"tweet_id": "1863029384756301824", "text": "Jazz in Paris tonight at 9:30"},
    responses={
        200: {"tweet_id": "1863029384756301824", "edited_at": "2026-12-07T09:35:00Z"},
        409: {"error": "conflict", "message": "The edit window has closed"},
    },
)
search.example(
    "DELETE /v1/tweets/{tweet_id}",
    request={"tweet_id": "1863029384756301824"},
    responses={204: None, 404: {"error": "not_found", "message": "No such tweet"}},
)
