"""Crawl the web from a set of seed pages: fetch, store and deduplicate pages, then follow their links, politely."""

from blueprint import System

crawler = System("Distributed Web Crawler")

# Components, in group order: the crawled websites, the edge, the crawler's services,
# processing, messaging, data stores and coordination (left to right in the pictures).
websites = crawler.component("websites", "Websites", kind="internet", group="Internet",
                             role="The origin servers being crawled; they publish robots.txt and sitemap.xml")
local_dns = crawler.component("local_dns", "Local DNS", kind="dns", group="Edge",
                              role="Resolves host names to IP addresses and caches the answers inside the crawler")
frontier = crawler.component("frontier", "URL frontier", kind="service", group="Services",
                             role="Decides which URL is crawled next, and when: priority plus politeness; "
                                  "holds each URL once, and lends it to one fetcher until the fetcher confirms it")
scheduler = crawler.component("scheduler", "Scheduler", kind="service", group="Services",
                              role="Re-queues every URL whose next crawl time has come; each URL's interval "
                                   "adapts to how often the page changed (and to sitemap.xml hints)")
fetcher = crawler.component("fetcher", "Fetcher", kind="worker", group="Services",
                            role="Multi-threaded workers that download and render pages")
duplicate_check = crawler.component("duplicate_check", "Duplicate check", kind="duplicate_detector", group="Services",
                                    role="Compares a page's simhash with those of other URLs' pages to spot near-duplicates; "
                                         "one fingerprint per URL")
url_processor = crawler.component("url_processor", "URL processor", kind="spark", group="Processing",
                                  role="Extracts, filters and normalises the links of crawled pages (Spark jobs)")
message_queue = crawler.component("message_queue", "Message queue", kind="kafka", group="Messaging",
                                  role="Carries the IDs of crawled documents, and the targets of redirects, from the "
                                       "fetchers to the URL processor")
seed_store = crawler.component("seed_store", "Seed URL store", kind="cassandra", group="Data stores",
                               role="The hand-picked URLs the crawl starts from")
url_store = crawler.component("url_store", "URL store", kind="hbase", group="Data stores",
                              role="One row per normalised URL, keyed by its hash: the page it was found on, its crawl "
                                   "status, last fetch and HTTP status, ETag and Last-Modified, attempts, next crawl time")
content_store = crawler.component("content_store", "Content store", kind="s3", group="Data stores",
                                  role="Compressed content of every crawled page, one copy per URL: the document ID is a "
                                       "hash of the normalised URL, so a re-crawl overwrites the copy")
content_cache = crawler.component("content_cache", "Content cache", kind="redis", group="Data stores",
                                  role="Freshly crawled pages in memory, for the URL processor to read at once")
zookeeper = crawler.component("zookeeper", "ZooKeeper", kind="zookeeper", group="Coordination",
                              role="Service discovery and liveness: every service registers and sends heartbeats")

# The URL frontier's insides, drawn as one box in the url_frontier path; declared after the
# data stores so that the stores feed it from the left and the fetchers take from it on the right.
prioritiser = crawler.component("prioritiser", "Prioritiser", kind="service", group="URL frontier",
                                role="Scores each new URL (OPIC or link rank) and queues it by priority")
selector = crawler.component("selector", "Priority selector", kind="service", group="URL frontier",
                             role="Takes URLs by priority and routes each host's URLs to one per-host queue")
high_queue = crawler.component("high_queue", "High priority", kind="message_queue", group="URL frontier",
                               role="URLs with the highest scores")
medium_queue = crawler.component("medium_queue", "Medium priority", kind="message_queue", group="URL frontier",
                                 role="URLs with middling scores")
low_queue = crawler.component("low_queue", "Low priority", kind="message_queue", group="URL frontier",
                              role="URLs with the lowest scores")
host_queue_a = crawler.component("host_queue_a", "Host A queue", kind="message_queue", group="URL frontier",
                                 role="Every pending URL of one host, crawled one after another")
host_queue_b = crawler.component("host_queue_b", "Host B queue", kind="message_queue", group="URL frontier",
                                 role="Every pending URL of another host")
host_queue_c = crawler.component("host_queue_c", "Host C queue", kind="message_queue", group="URL frontier",
                                 role="Every pending URL of a third host")
fetcher_1 = crawler.component("fetcher_1", "Fetcher 1", kind="worker", group="Fetchers",
                              role="A fetcher worker bound to one per-host queue")
fetcher_2 = crawler.component("fetcher_2", "Fetcher 2", kind="worker", group="Fetchers",
                              role="A fetcher worker bound to one per-host queue")
fetcher_3 = crawler.component("fetcher_3", "Fetcher 3", kind="worker", group="Fetchers",
                              role="A fetcher worker bound to one per-host queue")

# --- Failure behaviour (every store is partitioned and replicated; the frontier checkpoints) ----
message_queue.fails(
    down="Fetchers cannot hand pages on: they stop confirming URLs, whose leases run out, and link extraction pauses",
    slow="The consumer lag grows; past a limit the frontier hands out fewer URLs and the fetchers slow down",
    loses_data="Nothing acknowledged is lost while one replica of a partition survives; a lost document ID is queued "
               "again when its unconfirmed URL is fetched again",
    handling="Kafka with three replicas of each partition; a follower replica takes over a failed leader",
    redundant=True)
seed_store.fails(
    down="Seeds added meanwhile wait for the next minute's read; a running crawl does not need the seeds",
    slow="New seeds are picked up late",
    loses_data="Seeds already taken in have rows in the URL store; only seeds added but not yet read would be lost",
    handling="A Cassandra cluster with a replication factor of three",
    redundant=True)
url_store.fails(
    down="Fetchers cannot record outcomes (step 14), so URLs are fetched again when their leases run out; new links "
         "and re-crawls stop until it is back",
    slow="Outcomes and new links are recorded late, and the frontier's input dries up",
    loses_data="HBase keeps each file in three HDFS copies; a region server's lost memory is replayed from its write-ahead log",
    handling="Regions move to another region server in about a minute",
    redundant=True)
content_store.fails(
    down="Pages cannot be stored (step 10): fetchers do not confirm them, so they are fetched again later",
    slow="Fetchers hold pages longer; cache misses (step 17) are slow",
    loses_data="S3 keeps each object in several zones; a page lost anyway is fetched again at its next crawl",
    handling="S3's own redundancy across zones",
    redundant=True)
content_cache.fails(
    down="The URL processor reads every page from the content store (step 17): more load there, nothing lost",
    slow="The processor reads the content store instead after a short timeout",
    loses_data="Nothing durable: every page is also in the content store",
    handling="Partitioned by consistent hashing, with replicas the processor reads from",
    redundant=True)
for band in (high_queue, medium_queue, low_queue, host_queue_a, host_queue_b, host_queue_c):
    band.fails(
        down="The hosts this frontier instance serves are not crawled until a replacement resumes from its checkpoint",
        slow="Fetchers wait for URLs; those hosts are crawled more slowly",
        loses_data="URLs queued since the last checkpoint are lost; each comes due again a day later (workflow step 4)",
        handling="The frontier's queues live in one instance's memory and are checkpointed; a replacement resumes from "
                 "the checkpoint",
        redundant=False)

# --- Workflow: 41 source items = 14 steps + 27 notes; here 19 steps (the cache miss, robots.txt, the re-crawl
# input, the fingerprint and the URL's outcome are drawn too) and the notes, one of which keeps the source's
# "the fetcher asks the scheduler" ------------------------------------------------------------------------

workflow = crawler.path("workflow", "Workflow", per="write")

workflow.stage("Start and pick URLs")
workflow.step(1, fetcher, zookeeper,
              "Each service instance registers with ZooKeeper (an ephemeral node) and keeps its session alive "
              "with heartbeats. When a fetcher's session expires, its node disappears and the frontier, which "
              "watches the nodes, gives that fetcher's host queues to another fetcher and re-issues the URLs it "
              "had taken but never confirmed (step 14). A fetcher that was only paused learns on waking that its "
              "session has expired and stops before its next request, so a host gets at most one request "
              "from it after the hand-over. Every service does this; the fetchers are drawn.", share=0.001,
              size="100 B")
workflow.step(2, seed_store, frontier,
              "The URL frontier loads the seed URLs from the seed URL store at the start, and reads the list again "
              "every minute so that seeds added to a running crawl are picked up. It takes in only seeds that have "
              "no row in the URL store yet, adding one with the conditional put of step 18 (due a day later, in "
              "case the frontier loses it before its checkpoint), so no clock decides which seeds are new.", share=0.0001,
              size="200 B")
workflow.step(3, url_store, scheduler,
              "The scheduler scans the URL store for the URLs whose next crawl time has come (`next_due_at` "
              "before now, by the scheduler's clock). Rows are keyed by the URL's hash, not by time, so this is a "
              "scan of every row: a batch job that passes over the table once an hour, one task per region of the "
              "table on its own region server (some 30 billion rows of a few hundred bytes, about 10 TB a pass). "
              "The shortest re-crawl interval is an hour, so that granularity is enough.", share=0.9, size="300 B")
workflow.step(4, scheduler, frontier,
              "The scheduler hands those URLs to the frontier for a re-crawl, with their `ETag` and "
              "`Last-Modified`, and moves each one's `next_due_at` a day ahead, so that the next scan does not "
              "hand it out again while it waits; step 14 sets the real next time. That move is a conditional put "
              "(only if `next_due_at` is still the value the scan read), so a scan that read a row before a "
              "fetcher's step 14 cannot overwrite the real next time. A URL lost on the way (a frontier that "
              "failed before its checkpoint) comes due again a day later; one still waiting then (a large host's "
              "queue can take longer) is handed out again, and the frontier, which holds each URL once, ignores "
              "it.", share=0.9, size="200 B")
workflow.step(5, frontier, fetcher,
              "The frontier orders the URLs by priority and politeness (see the URL frontier below) and lends the "
              "next URLs to the fetcher workers: a URL not confirmed within its lease goes out again.", size="200 B")

workflow.stage("Fetch and store")
workflow.step(6, fetcher, local_dns,
              "The fetcher resolves the URL's host name to the origin server's IP address through the local DNS.",
              size="100 B")
workflow.step(7, fetcher, websites,
              "The fetcher downloads the host's `robots.txt` and keeps it for at most a day. A 5XX answer counts as "
              "“disallow everything” for now, a 4XX as “no rules”. A URL the file disallows "
              "is not fetched; step 14 records it as disallowed.",
              when="Its copy of robots.txt is missing or older than 24 hours", share=0.01)
workflow.step(8, fetcher, websites,
              "The fetcher downloads the page, conditionally on a re-crawl (`If-None-Match` with the stored "
              "`ETag`, `If-Modified-Since`), and renders it in a headless browser so that content built by "
              "JavaScript is captured too. A 304 Not Modified skips to step 14: the stored copy is current.")
workflow.step(9, fetcher, duplicate_check,
              "The duplicate check compares the page's fingerprint with those of other URLs' pages (its own URL's "
              "earlier version does not count); a near-duplicate is not stored, and step 14 records it as one. A "
              "re-crawled page that has become a near-duplicate also loses its URL's old fingerprint here, and "
              "a nightly job deletes the stored copies of URLs recorded as duplicates, so no stale copy is "
              "indexed under that URL.", size="100 B")
workflow.step(10, fetcher, content_store,
              "The fetcher compresses the page and stores it under its document ID, a hash of the normalised URL, "
              "in the content store, where later jobs (indexing, ranking) read it. A re-crawl or a retry "
              "writes the same key, so it replaces the copy instead of adding one.", effect="write",
              after_crash=("idempotent retry", "a fetcher that dies after storing the page has not confirmed the "
                           "URL (step 14); its lease runs out, the URL is fetched again, and every write overwrites "
                           "the same key"))
workflow.step(11, fetcher, content_cache,
              "The fetcher also puts the page in the content cache, so that the next stage need not read it back "
              "from the content store.", effect="write",
              after_crash=("idempotent retry", "a crash before the queue has the document ID leaves the page "
                           "stored and cached but not processed; the unconfirmed URL is fetched and queued again"))
workflow.step(12, fetcher, duplicate_check,
              "Only now, with the page stored, the fetcher records the page's fingerprint under its URL, replacing "
              "the URL's previous one; a fetcher that died before this point leaves no fingerprint that would make "
              "its own retry look like a duplicate.", size="100 B")
workflow.step(13, fetcher, message_queue,
              "The fetcher puts the document ID on the message queue. A 3XX answer is not followed here: its "
              "`Location` goes on the queue as a link found on the page, so the target passes the URL processor, "
              "the frontier's per-host queue and its own host's robots.txt like any other URL.", effect="write",
              size="100 B",
              after_crash=("idempotent retry", "a crash before step 14 leaves the outcome unrecorded; the URL is "
                           "fetched and queued again, and the URL processor's conditional puts (step 18) turn the "
                           "repeat into no new rows"))
workflow.step(14, fetcher, url_store,
              "The fetcher writes the outcome into the URL's row (crawled, not modified, duplicate, disallowed, "
              "redirected or failed; HTTP status, `ETag`, `Last-Modified`, attempts) and its next crawl time, "
              "then confirms the URL to the frontier. A crash before this point only means the URL is lent out "
              "again and fetched once more, which overwrites the same document.", effect="write", size="300 B")

workflow.stage("Extract links and loop")
workflow.step(15, message_queue, url_processor,
              "The URL processor, subscribed to the queue, receives the document ID.", effect="deliver",
              size="100 B")
workflow.step(16, content_cache, url_processor,
              "The URL processor reads the page from the content cache, extracts its links, drops the unwanted "
              "ones (filter) and rewrites the rest into one canonical form (normalise). The filter also drops "
              "the links that crawler traps generate: URLs over about 2,000 characters, deeper than a set "
              "number of path segments, or repeating one segment (`/a/b/a/b/…`).")
workflow.step(17, content_store, url_processor,
              "The URL processor reads the page from the content store instead, by its document ID.",
              when="On a cache miss", share=0.05)
workflow.step(18, url_processor, url_store,
              "The URL processor inserts a row for each new URL, with the page it was found on and a next crawl "
              "time a day ahead (the scheduler's lease of step 4), only if the URL "
              "store has no row for it yet (a conditional put, checkAndMutate in HBase); then it adds the URLs to "
              "its Bloom filter, and only then commits its offset on the queue.", effect="write", size="1 kB",
              idempotent_by="the hash of the normalised URL, the row key: the conditional put inserts only when no row has it")
workflow.step(19, url_store, frontier,
              "The URL frontier takes the newly inserted URLs as its next input (the URL processor passes on the "
              "rows its puts created), and the loop starts again at step 5. A processor that dies between the "
              "insert and the hand-over loses no URL: the redelivered message finds the rows there and passes "
              "nothing on, but each row comes due a day later and the scheduler hands it over (steps 3–4).", share=0.1,
              size="200 B")

workflow.note("Only the page itself is 30 kB (steps 8, 10, 11, 16, 17). What goes round the loop is smaller: a "
              "document ID on the queue is a 32-byte hash with its framing, about 100 B; a URL with its `ETag` and "
              "`Last-Modified` about 200 B (URLs average well under 100 characters); a URL store row, an outcome "
              "or a due URL, a few hundred bytes (step 3's 300 B, as in its 10 TB pass over 30 billion rows); a "
              "fingerprint, a DNS answer and a heartbeat about 100 B. Step 18 writes the rows of the page's links "
              "that pass the Bloom filter, a few of about 300 B each: about 1 kB a page.", theme="Load")
workflow.note("The source lists the heartbeats to ZooKeeper after the loop has closed (its item 14); here they "
              "are step 1, so that the last step is the one that feeds the loop.")
workflow.note("The source has the fetcher ask the scheduler whether a URL has a crawl schedule of its own. Asked "
              "that way, nothing ever brings a crawled URL back, since the Bloom filter turns away every URL seen "
              "before; so here the scheduler pushes the URLs that are due (steps 3–4), and a fetcher only ever "
              "holds URLs that are due now.", theme="Freshness")
workflow.note("The next crawl time is written by the fetcher and compared by the scheduler, two machines' clocks. "
              "Both are kept in step by NTP; the skew of a few milliseconds, or even seconds, shifts a re-crawl "
              "whose interval is hours by no more than that, and nothing else is ordered by these times.",
              theme="Freshness")
workflow.note("Each URL's interval adapts to what the last fetch found: if the page changed, the next visit comes "
              "sooner (half the interval); if it did not, or answered 304, later (twice the interval), kept "
              "between an hour and a few months. A temporary failure is retried after a growing delay instead. "
              "The interval and the last change are in the URL's row, so a restart loses no schedule.",
              theme="Freshness")

workflow.note("Each fetcher opens only a few HTTP connections to one origin server at a time "
              "(usually one), so a crawl never looks like an attack to the site.", theme="Politeness")
workflow.note("The URL frontier keeps URLs in message queues, by priority and then by host; "
              "the per-host queues are what enforce politeness (drawn in the next section).", theme="Politeness")
workflow.note("Requests carry the crawler's name in the `User-Agent` header (with a URL explaining the bot), "
              "so webmasters can recognise it and address it in robots.txt.", theme="Politeness")

workflow.note("A site's webmaster lists the URLs that are open to crawling, with their last change and change "
              "frequency, in `sitemap.xml`.", theme="Webmaster files")
workflow.note("`robots.txt` at the root of a site says which paths each crawler may visit (and, for some crawlers, "
              "how long to wait between requests). The crawler checks every URL of a host against it before "
              "fetching and, as RFC 9309 asks, uses a copy for no longer than a day (step 7), so a rule the "
              "webmaster adds takes effect within a day.", theme="Webmaster files")
workflow.note("The scheduler uses a fixed schedule, or an adaptive one: the change frequency and last-modified "
              "dates in `sitemap.xml` give a URL its first interval and bring forward a URL whose sitemap "
              "date moved.", theme="Webmaster files")

workflow.note("The local DNS (a caching resolver inside the crawler) saves a network round trip per URL; "
              "DNS lookups were a known bottleneck of early crawlers.", theme="Throughput and latency")
workflow.note("The fetcher is multi-threaded (or uses asynchronous I/O), so one worker downloads many pages "
              "at once while each waits on the network.", theme="Throughput and latency")
workflow.note("Extracting, filtering and normalising URLs run as Apache Spark jobs spread over many machines. "
              "The source writes “Spark (MapReduce)”; Spark is its own engine, which generalises the MapReduce "
              "model and keeps data in memory between stages.", theme="Throughput and latency")
workflow.note("Pages can also be fetched and parsed as Apache Flink stream jobs, which process each page as it "
              "arrives rather than in batches.", theme="Throughput and latency")
workflow.note("Ranking the pages (link analysis) and later work such as indexing them for search, "
              "run as Apache Spark batch jobs over the content store.", theme="Throughput and latency")
workflow.note("The services call each other over RPC (for example gRPC): compact binary messages on long-lived "
              "connections cost less latency than JSON over a new HTTP request.", theme="Throughput and latency")
workflow.note("Crawlers run in several regions, each crawling the sites near it: shorter round trips make every "
              "fetch faster.", theme="Throughput and latency")

workflow.note("Services publish and subscribe through the message queue, so a fetcher never waits for the "
              "URL processor (steps 13 and 15).", theme="Fault tolerance")
workflow.note("The queue absorbs bursts: the URL processor pulls at its own pace and the backlog waits in the queue, "
              "so a slow processor does not make the fetchers fail. That is buffering, which decouples producer "
              "and consumer. The source calls it backpressure; backpressure is the next step, slowing the producer: "
              "when the backlog (the consumer lag) passes a limit, the frontier hands out fewer URLs and the "
              "fetchers slow down, instead of letting the queue grow without bound.",
              theme="Fault tolerance")
workflow.note("Stateful services (the frontier above all) checkpoint their state periodically; a replacement "
              "instance resumes from the last checkpoint rather than from the seeds. URLs handed out after the "
              "checkpoint are handed out again, so a page can be fetched twice; every write of a fetch is keyed "
              "by the URL, so the second fetch overwrites the first instead of adding to it.",
              theme="Fault tolerance")
workflow.note("Every store is partitioned and replicated, so losing a machine loses neither crawled pages "
              "nor the list of URLs to crawl.", theme="Fault tolerance")
workflow.note("A crawler trap (a calendar with a link to every next month, session IDs in URLs, pages that "
              "link to ever deeper copies of themselves) can yield endless new URLs. Step 16 drops the obvious "
              "shapes; what gets through is bounded by a budget per host and crawl cycle in the frontier, so a "
              "trap spends its own host's budget and never the rest of the crawl's.",
              theme="Fault tolerance")

workflow.note("Rendering the page (step 8) lets the crawler see dynamic pages whose content is built by "
              "JavaScript. The source calls this server-side rendering; in fact it is the crawler that renders "
              "the page, in a headless browser on its own servers, instead of a user's browser.",
              theme="Content handling")
workflow.note("Apache Tika detects the format of a document (HTML, PDF, Office files …) and extracts its text "
              "and links.", theme="Content handling")
workflow.note("The source crawls the redirect target on a 3XX response. Following the `Location` at once would "
              "fetch another host outside its queue, its robots.txt and the URL-seen check, so the target is "
              "queued as a new URL (step 13) and a chain of redirects costs one trip through the loop per hop; "
              "the hop count travels with the URL and stops loops after a few. A 304 (Not Modified) is not a "
              "redirect: it says that the stored copy is still current.", theme="Content handling")
workflow.note("The source excludes every 4XX and 5XX page from retries. In fact only the permanent errors "
              "(404, 410) should be dropped; 5XX errors and 429 (Too Many Requests) are usually temporary, so the "
              "URL is retried later with growing delays (the attempts are counted in its row), and the host is "
              "crawled more slowly meanwhile.",
              theme="Content handling")

workflow.note("The duplicate check uses simhash: similar pages get fingerprints that differ in only a few bits, "
              "so near-duplicates (the same article with a different ad or date) are found by comparing "
              "fingerprints, not pages. Google's crawler used 64-bit fingerprints and treated at most 3 differing "
              "bits as a duplicate.", theme="Deduplication")
workflow.note("The URL processor asks a Bloom filter whether a URL was seen before. A “no” is always right; a "
              "rare false “yes” means a new URL is skipped. The filter only spares the URL store most lookups: "
              "the conditional insert of step 18 is the exact check, so two processors that find the same new "
              "link at once queue it once, and a processor that died between the insert and the filter update "
              "loses nothing when the message is delivered again.",
              theme="Deduplication")
workflow.note("The source has the fetcher skip non-canonical URLs. In fact the fetcher learns that a page is "
              "non-canonical only by fetching it (`rel=\"canonical\"` in the HTML or a `Link` header); it then "
              "queues the canonical URL instead of keeping the copy, and the URL processor recognises the "
              "non-canonical URL next time.", theme="Deduplication")

workflow.note("The content cache is partitioned with consistent hashing on the document ID, so adding a cache "
              "node moves only a small share of the keys.", theme="Content cache")
workflow.note("The URL processor reads from replicas of the content cache. Replication is asynchronous, "
              "so a replica can miss a page written a moment ago (or the cache may have evicted it); the processor "
              "then reads the content store (step 17).", theme="Content cache")

workflow.note("Apache Gora maps the crawler's records onto NoSQL stores (HBase, Cassandra) behind one API. "
              "The source calls it an SQL wrapper; in fact it is a persistence and object-mapping framework with "
              "its own query API, not SQL.", theme="Storage")

# --- URL frontier: the frontier on its own ------------------------------------------

frontier_path = crawler.path("url_frontier", "URL frontier", per="write", size="200 B")  # one URL per page fetched

frontier_path.stage("Prioritise")
frontier_path.step(1, seed_store, prioritiser,
                   "At the start of a crawl, the prioritiser takes in the seed URLs, and every minute after that the "
                   "seeds that operators added since.", share=0.0001)
frontier_path.step(2, url_store, prioritiser,
                   "From then on, it takes in the URLs that the URL processor extracted from crawled pages.", share=0.1)
frontier_path.step(3, scheduler, prioritiser,
                   "It also takes in the URLs that the scheduler finds due for a re-crawl.", share=0.9)
frontier_path.step(4, prioritiser, [high_queue, medium_queue, low_queue],
                   "The prioritiser scores each URL by its importance (OPIC or link rank) and appends it to the "
                   "queue of its priority band.", effect="write", share=0.34,
                   after_crash=("idempotent retry", "the frontier checkpoints its queues; a URL queued after the last "
                                "checkpoint and lost in a crash comes due again a day later (workflow step 4), and "
                                "one queued twice is ignored, since the frontier holds each URL once"))

frontier_path.stage("Select by host and fetch")
frontier_path.step(5, high_queue, selector,
                   "The priority selector takes most of its URLs from the high-priority queue.",
                   effect="deliver", share=0.6)
frontier_path.step(6, medium_queue, selector,
                   "It takes URLs from the medium-priority queue too, so that they are not starved.",
                   when="Less often", effect="deliver", share=0.3)
frontier_path.step(7, low_queue, selector,
                   "It takes URLs from the low-priority queue as well.",
                   when="Least often", effect="deliver", share=0.1)
frontier_path.step(8, selector, [host_queue_a, host_queue_b, host_queue_c],
                   "The selector puts each URL on the queue of its host: every URL of one host goes to the same "
                   "queue (a table maps host to queue).", effect="write", share=0.34,
                   idempotent_by="the normalised URL: the frontier holds each URL once and ignores a repeat",
                   after_crash=("idempotent retry", "a URL taken from its band but lost before its host queue was "
                                "checkpointed comes due again a day later (workflow step 4)"))
frontier_path.step(9, host_queue_a, fetcher_1,
                   "Fetcher 1 takes host A's URLs one at a time, and waits after each download before asking "
                   "host A for the next page.", effect="deliver", share=0.34)
frontier_path.step(10, host_queue_b, fetcher_2,
                   "Fetcher 2 does the same for host B at the same time: hosts are crawled in parallel, each one "
                   "sequentially.", effect="deliver", share=0.34)
frontier_path.step(11, host_queue_c, fetcher_3,
                   "Fetcher 3 works through host C's queue; when a per-host queue runs empty, the selector gives "
                   "it a new host.", effect="deliver", share=0.34)

frontier_path.note("What moves through the frontier is one URL per page fetched, with its score and validators: "
                   "about 200 B, not the page.", theme="Load")
frontier_path.note("The frontier has two halves: the priority queues (front) decide *what* is crawled first; the "
                   "per-host queues (back) decide *when* a host may be contacted again.")
frontier_path.note("OPIC (Online Page Importance Computation) gives every page some “cash”; a crawled page passes "
                   "its cash on, split equally among its links, and a URL's accumulated cash estimates its "
                   "importance, computed as the crawl goes rather than in a separate ranking job. Link rank "
                   "(PageRank-style scores from the link graph) is the offline alternative.", theme="Prioritising")
frontier_path.note("Consistent hashing spreads the frontier over many machines and moves only a small share of the "
                   "work when a machine is added. The key must be the host's registered domain (or the server's IP "
                   "address, which many hosts share), not the URL: hashing URLs would give one host queues on "
                   "several machines, each with its own fetcher and its own pause, and the host would see several "
                   "connections at once.", theme="Politeness")
frontier_path.note("The source has the selector read only the high-priority queue; a real selector also reads the "
                   "lower queues, less often (for example a choice weighted by priority, steps 6–7), or "
                   "low-priority URLs would never be crawled.", theme="Prioritising")
frontier_path.note("Sequential crawling of one host is the politeness rule: one connection per host, and a pause "
                   "between requests (the Crawl-delay in robots.txt, or a multiple of the last download time).",
                   theme="Politeness")
frontier_path.note("A fetcher takes URLs on a lease and confirms each one once its outcome is written (workflow "
                   "step 14). When a fetcher dies, its ZooKeeper session expires; the frontier gives its host queues "
                   "to another fetcher and lends out again every URL it never confirmed, so the host neither stalls "
                   "nor loses URLs.", theme="Politeness")
frontier_path.note("The frontier holds each URL once: every per-host queue keeps the hashes of the URLs it "
                   "holds and ignores one it already has, so a URL that the scheduler hands out again while it still "
                   "waits is not queued twice. Each host also has a budget of pages per crawl cycle; URLs over it "
                   "wait for the next cycle.", theme="Politeness")
frontier_path.note("The classic Mercator design keeps about three times as many per-host queues as fetcher threads, "
                   "and a heap of the earliest time each host may be contacted again, so no thread sits idle "
                   "waiting out a pause.", theme="Politeness")


# --- API: the operators' admin API (the crawl itself runs without clients) -----------
crawler.endpoint(
    "POST", "/v1/seeds", "Add seed URLs; the prioritiser takes them in from the seed URL store within a minute (URL frontier step 1)",
    request={"urls": "string[]: absolute http or https URLs, the crawl's starting points"},
    response={"added": "integer: URLs stored", "already_known": "integer: URLs the store held already (adding one twice changes nothing)"},
    status={202: "Stored in the seed URL store; the running crawl picks them up at its next poll, within a minute",
            400: "A URL that is malformed or not http(s)", 401: "No valid token", 403: "Not an operator"},
    headers={"Authorization": "Bearer token of an operator"},
)
crawler.endpoint(
    "GET", "/v1/crawl", "Read the crawl's progress",
    operation_id="getCrawlProgress",  # the derived name reads badly
    response={"pages_per_second": "number: fetch rate over the last minute",
              "pages_crawled": "integer: pages stored since the crawl started",
              "urls_waiting": "integer: URLs in the frontier's queues",
              "hosts_active": "integer: per-host queues being crawled now",
              "fetch_errors_per_second": "number: timeouts, 4xx and 5xx over the last minute"},
    status={200: "The figures", 401: "No valid token"},
    headers={"Authorization": "Bearer token of an operator"},
    response_headers={"Cache-Control": "Max-age=10, since the figures are recomputed every few seconds"},
)
crawler.endpoint(
    "GET", "/v1/pages", "Look up one URL in the URL store: whether it was crawled, when, with what result, and when it is due again",
    request={"url": "string: the URL, normalised as the URL processor does before lookup"},
    response={"status": "string: waiting, crawled, not modified, duplicate, disallowed by robots.txt, redirected, or failed",
              "last_crawled_at": "string: ISO 8601 time, absent if never fetched",
              "http_status": "integer: the origin's answer at the last fetch",
              "document_id": "string: the page's key in the content store (a hash of the normalised URL), if stored",
              "attempts": "integer: failed fetches in a row, which set the retry delay",
              "next_due_at": "string: ISO 8601 time of the next crawl, which the scheduler acts on"},
    status={200: "What the crawler knows of the URL", 401: "No valid token", 404: "The crawler has never seen this URL"},
    headers={"Authorization": "Bearer token of an operator"},
)
crawler.endpoint(
    "PUT", "/v1/hosts/{host}/policy", "Slow down or pause one host, e.g. when its webmaster asks; robots.txt is obeyed in any case",
    request={"host": "string: the host name",
             "crawl_delay_seconds": "number: the least pause between two requests to the host",
             "paused": "boolean: true stops fetching the host until set back to false"},
    response={"host": "string: the host", "crawl_delay_seconds": "number: the delay now in force"},
    status={200: "In force from the host queue's next fetch", 400: "A negative delay",
            401: "No valid token", 403: "Not an operator"},
    headers={"Authorization": "Bearer token of an operator"},
)

# --- Capacity: a "user" is a page fetched, its "write" the stored copy ---------------
crawler.capacity(
    daily_active_users=(1_000_000_000, "Read as pages fetched a day: a large crawl that revisits a corpus of some 30 billion pages about monthly"),
    writes_per_user_per_day=(1, "Each page fetched is stored once, over its URL's previous copy, so writes per second are pages per second (near-duplicates and 304s, which store nothing, are ignored)"),
    read_to_write=(1, "The URL processor reads each stored page once, mostly from the content cache; indexing reads the store later in batch jobs, not counted"),
    write_size=("30 kB", "A rendered HTML page, compressed: raw HTML is around 100 kB and text compresses three to four times"),
    read_size=("30 kB", "The same compressed page, read back for its links"),
    retention=("30 days", "A re-crawl overwrites a page's copy (its key is the URL's hash), so about a month of fetches is one copy of the corpus"),
    peak_to_average=(1, "The crawl runs flat out day and night; politeness limits each host, not the time of day"),
    hot_fraction=(0.002, "The content cache holds a page only until the URL processor reads it: about three minutes of fetches out of 1,440 a day"),
)

# --- API examples: checked against the schemas above ---------------------------------
crawler.example(
    "POST /v1/seeds",
    request={"urls": ["https://example.org/concerts/2026"]},
    responses={202: {"added": 1, "already_known": 0}, 403: {"error": "forbidden", "message": "Not an operator"}},
)
crawler.example(
    "GET /v1/crawl",
    responses={
        200: {
            "pages_per_second": 1200.5,
            "pages_crawled": 48213904,
            "urls_waiting": 912000000,
            "hosts_active": 58000,
            "fetch_errors_per_second": 12.5,
        },
        401: {"error": "unauthenticated", "message": "No valid token"},
    },
)
crawler.example(
    "GET /v1/pages",
    request={"url": "https://example.org/concerts/2026"},
    responses={
        200: {
            "status": "crawled",
            "last_crawled_at": "2026-12-07T09:30:00Z",
            "http_status": 200,
            "document_id": "doc_5f2a91",
            "attempts": 3,
            "next_due_at": "2026-12-07T09:30:00Z",
        },
        404: {"error": "not_found", "message": "The crawler has never seen this URL"},
    },
)
crawler.example(
    "PUT /v1/hosts/{host}/policy",
    request={"host": "example.org", "crawl_delay_seconds": 5, "paused": True},
    responses={
        200: {"host": "example.org", "crawl_delay_seconds": 5},
        403: {"error": "forbidden", "message": "Not an operator"},
    },
)
