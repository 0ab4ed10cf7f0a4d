"""Let sellers list tickets and products, and buyers find and buy them, without ever selling one seat twice."""

from blueprint import System

market = System(
    "Online Marketplace",
    schema="schemas/marketplace.sql",
    relationships=[
        "inventory 1-to-many tickets",
        "purchase_orders 1-to-1 payments",
        "purchase_orders 1-to-many tickets",
        "users 1-to-many inventory",
        "users 1-to-many purchase_orders",
    ],
)

# --- Clients -------------------------------------------------------------------------
seller = market.component("seller", "Seller", kind="client", group="Clients",
                          role="Uploads listings in bulk: JSON files and their images and videos")
buyer = market.component("buyer", "Buyer", kind="client", group="Clients",
                         role="A browser or app that views, searches and buys tickets")

# --- Edge ----------------------------------------------------------------------------
dns = market.component("dns", "DNS", kind="dns", group="Edge",
                       role="Turns the store's domain name into the address of the nearest entry point")
cdn = market.component("cdn", "CDN", kind="cdn", group="Edge",
                       role="Serves the site's static files and the listings' images and videos near the buyer")

# --- Services ------------------------------------------------------------------------
web_server = market.component("web_server", "API server", kind="web_server", group="Services",
                              role="Stateless: sends each request to the service that handles it")
inventory_service = market.component("inventory_service", "Inventory service", kind="service", group="Services",
                                     role="Shows a listing: its description, prices and media links")
search_service = market.component("search_service", "Search service", kind="service", group="Services",
                                  role="Turns a buyer's query into a ranked list of listings")
purchase_service = market.component("purchase_service", "Purchase service", kind="service", group="Services",
                                    role="Runs the purchase saga: reserve, pay, confirm, or compensate")
payment_service = market.component("payment_service", "Payment service", kind="service", group="Services",
                                   role="Our side of payments: charges and refunds through the provider, with idempotency keys")
bulk_service = market.component("bulk_service", "Bulk service", kind="service", group="Services",
                                 role="Accepts sellers' bulk uploads of listings")

# --- Messaging -----------------------------------------------------------------------
upload_queue = market.component("upload_queue", "Kafka: uploads", kind="kafka", group="Messaging",
                                role="Announces each uploaded batch of listings to the aggregation service")
log_queue = market.component("log_queue", "Kafka: logs", kind="kafka", group="Messaging",
                             role="Buffers the servers' logs on their way to the log store")

# --- Processing ----------------------------------------------------------------------
aggregation = market.component("aggregation", "Aggregation service", kind="service", group="Processing",
                               role="Validates and normalises uploaded listings, and creates the seats")
indexing = market.component("indexing", "Indexing service", kind="service", group="Processing",
                            role="Copies listings into the search index")
ads_service = market.component("ads_service", "Ads service", kind="service", group="Processing",
                               role="Picks listings to advertise")
log_service = market.component("log_service", "Log service", kind="service", group="Processing",
                               role="Parses and aggregates logs")
reconciler = market.component("reconciler", "Saga reconciler", kind="service", group="Processing",
                              role="A scheduled job: finishes or undoes purchases whose saga stopped half-way")

# --- Outside ---------------------------------------------------------------------------
payment_provider = market.component("payment_provider", "Payment provider (e.g. Stripe)", kind="payment_provider",
                                    group="Outside",
                                    role="A card processor outside our system: it charges and refunds, "
                                         "and takes part in no transaction of ours")

# --- Data stores ---------------------------------------------------------------------
trending_cache = market.component("trending_cache", "Trending cache (Redis)", kind="redis", group="Data stores",
                                  role="The listing documents of trending events, with a short TTL, and every viewed "
                                       "listing's seats-left count for five seconds")
session_cache = market.component("session_cache", "Session cache (Redis)", kind="redis", group="Data stores",
                                 role="Each buyer's session and cart, with a TTL")
ticket_lock = market.component("ticket_lock", "Ticket lock (Redis)", kind="lock", group="Data stores",
                               role="Short-lived locks on hot seats; turns away a second buyer early, "
                                    "decides nothing")
orders_db = market.component("orders_db", "Orders and seats (PostgreSQL)", kind="postgresql", group="Data stores",
                             role="Users, one row per seat with its hold, purchase orders, payments: "
                                  "every write that money depends on")
orders_replica = market.component("orders_replica", "Orders replica (PostgreSQL)", kind="postgresql",
                                  group="Data stores",
                                  role="An asynchronous read replica: seats-left counts for listing pages, never a sale")
inventory_db = market.component("inventory_db", "Listings (MongoDB)", kind="mongodb", group="Data stores",
                                role="The listing documents: descriptions, venues, prices, media URLs")
inventory_replica = market.component("inventory_replica", "Listings replica (MongoDB)", kind="mongodb",
                                     group="Data stores", role="Read-only secondaries that serve listing views")
search_index = market.component("search_index", "Search index (Solr)", kind="solr", group="Data stores",
                                role="An inverted index of the listings")
object_store = market.component("object_store", "Object storage (S3)", kind="s3", group="Data stores",
                                role="Uploaded JSON files, and the listings' images and videos")
log_store = market.component("log_store", "Logs (Splunk)", kind="splunk", group="Data stores",
                             role="Searchable logs for observability")

# --- Failure behaviour ------------------------------------------------------------------
upload_queue.fails(down="Uploads cannot be announced: the seller's upload answers 503 and is retried with its Idempotency-Key; buying is unaffected",
                   slow="New listings appear late",
                   loses_data="Nothing announced: the seller's 202 waits until two in-sync replicas hold the message (acks=all), and aggregation commits its offset last",
                   handling="Each partition is replicated to three brokers, at least two in sync; aggregation commits its offset only after the batch is written",
                   redundant=True)
log_queue.fails(down="Log lines wait in the servers' buffers and are dropped when these fill; no request fails",
                slow="Logs reach Splunk late",
                loses_data="Log lines not yet in Splunk are lost; no order or payment depends on them",
                handling="Each partition is replicated to three brokers",
                redundant=True)
trending_cache.fails(down="Every view reads a MongoDB secondary and counts seats on the replica: slower pages, a heavier load there",
                     slow="Views wait, then read the secondaries",
                     loses_data="Nothing is lost: misses fill it again within seconds",
                     handling="One Redis node; its contents are copies that misses refill",
                     redundant=False)
session_cache.fails(down="Carts cannot be saved or shown: checkout pages fail, though orders already reserved can still be paid",
                    slow="Checkout pages load slowly",
                    loses_data="Buyers' carts are gone and they pick their seats again; orders and holds, in PostgreSQL, are untouched",
                    handling="One Redis node; a cart is a convenience, and the order in PostgreSQL is the record",
                    redundant=False)
ticket_lock.fails(down="No buyer is turned away early: every buyer of a hot seat reaches reserve, which still sells it once, under a heavier load",
                  slow="Purchases of hot seats wait for the lock, then go to reserve",
                  loses_data="Locks vanish, so two buyers may both pass it; the conditional reserve in PostgreSQL decides",
                  handling="One Redis node used as a filter only; correctness rests on the seat rows",
                  redundant=False)
orders_db.fails(down="No seat can be reserved, paid or confirmed: purchases answer 503, while views and search go on",
                slow="Reservations and confirmations lag; holds still expire on the database's clock",
                loses_data="Commits wait for the synchronous standby, so a failover keeps every order, hold and pending payment",
                handling="A synchronous standby in another zone is promoted in about 30 s; the reconciler then finishes sagas cut off by it",
                redundant=True)
orders_replica.fails(down="Seats-left counts are read from the primary, or a page shows the last cached count",
                     slow="Listing pages show an older seats-left figure",
                     loses_data="The replica copies the primary again; it only ever held copies",
                     handling="Counts move to the primary while the replica is rebuilt",
                     redundant=True)
inventory_db.fails(down="New listings cannot be published (aggregation waits and Kafka keeps the batches); views go on from the secondaries",
                   slow="New listings appear late",
                   loses_data="A secondary holds the same documents and is elected primary",
                   handling="A MongoDB replica set: a secondary is elected primary within seconds",
                   redundant=True)
inventory_replica.fails(down="Views read the primary, or fail once it is overloaded; search and purchases go on",
                        slow="Listing pages load slowly",
                        loses_data="A secondary copies the primary again",
                        handling="Several secondaries; a failed one resyncs from the primary",
                        redundant=True)
search_index.fails(down="Search fails; a buyer can still open a listing by its link and buy",
                   slow="Search results come slowly",
                   loses_data="The index is rebuilt from the listing documents; the indexer resumes its change stream",
                   handling="Solr replicas of each shard; a copy is rebuilt from MongoDB",
                   redundant=True)
payment_provider.fails(down="Payments fail or get no answer: the payment stays pending, the reconciler asks again by its key after the hold, and the seats return to sale",
                       slow="Checkout waits; no charge is sent once the hold's seconds run out",
                       loses_data="The provider's own record is the truth; ours keeps the key to look each charge up",
                       handling="One provider, reached with idempotency keys; a second provider would need its own keys and reconciliation",
                       redundant=False)
object_store.fails(down="Uploads fail and CDN misses cannot be filled: new media and static files do not load; cached ones do",
                   slow="A CDN miss loads slowly",
                   loses_data="S3 keeps each object in several zones; a file lost anyway is uploaded again by its seller",
                   handling="S3 spreads each object over several availability zones, and the CDN hides a short outage",
                   redundant=True)


# --- Write path: ingesting inventory -------------------------------------------------
write = market.path(
    "write", "Write path",
    rate=(5, "2 MB", "Assumption: sellers upload some 50,000 batches a day, about 0.6 a second, ten times that when a "
          "season's events go on sale; a batch's JSON files and media come to about 2 MB"))

write.stage("Upload and normalise")
write.step(1, seller, bulk_service, "A seller sends a batch of listings: JSON files and their media.")
write.step(2, bulk_service, object_store,
           "The bulk service names the batch after the seller and the request's `Idempotency-Key` and stores "
           "the JSON files, images and videos in object storage under that batch ID: a retried upload "
           "rewrites the same objects and announces the same batch, whose listing IDs (step 6) are the same.",
           effect="write", idempotent_by="the batch ID, from the seller and the request's Idempotency-Key",
           after_crash=("idempotent retry", "files stored and never announced: the seller got no answer, uploads "
                                            "again with the same key, and the same batch is announced"))
write.step(3, bulk_service, upload_queue,
           "It publishes a message naming the batch (where its files are), not the files themselves, and answers "
           "the seller once the in-sync replicas have it (`acks=all`).",
           effect="write",
           after_crash=("idempotent retry", "the batch waits in Kafka; aggregation commits its offset last, so "
                                            "a crash of aggregation means the message comes again"), size="200 B")
write.step(4, upload_queue, aggregation, "The aggregation service, subscribed to the topic, receives the message.",
           effect="deliver", size="200 B")
write.step(5, aggregation, object_store, "It fetches the batch's JSON files from object storage.", effect="read", size="200 kB")
write.step(6, aggregation, orders_db,
           "It validates and normalises each listing and, in one transaction, creates its row and one row per "
           "sellable unit (each seat, each item in stock) in PostgreSQL, where purchases will compete for "
           "them; the listing's ID is made from the batch and its place in it (`ingest`).",
           effect="write", idempotent_by="the listing ID, made from the batch ID and the listing's place in it",
           after_crash=("idempotent retry", "seats with no document, which nothing shows: the offset is not "
                                            "committed, the message comes again, and the inserts find their rows"), size="100 kB")
write.step(7, aggregation, inventory_db,
           "Only then does it write the listing document under that ID (an upsert), and it commits its "
           "Kafka offset last.",
           effect="write", idempotent_by="the listing ID: an upsert of the same document",
           after_crash=("outbox", "a document not yet indexed: the change stream is the outbox, and the indexer, "
                                  "resuming from its last saved token, indexes it seconds later"), size="200 kB")

write.stage("Index and advertise")
write.step(8, indexing, inventory_db,
           "The indexing service follows the listings' change stream, resuming from the last token it saved, "
           "so no insert or update is skipped, and gathers the changes into batches.", effect="read", size="200 kB")
write.step(9, indexing, search_index,
           "It turns them into search documents (title, venue, date, price) and writes them to Solr.",
           effect="write", idempotent_by="the listing ID: a replayed batch rewrites the same search documents", size="20 kB")
write.step(10, ads_service, inventory_db, "The ads service reads listings to choose what to advertise.",
           effect="read", size="200 kB")

write.note("What each step moves, for the hot spots: the batch's 2 MB (JSON files and media) only on its way "
           "into object storage (steps 1 and 2). The message names the batch, about 200 B with Kafka's framing. "
           "Aggregation reads only the JSON, about 200 kB (some hundred listings of about 2 kB, the media staying "
           "in object storage), writes it as listing documents and some thousand seat rows of about 100 B "
           "(100 kB); the change stream and the ads service read the same documents, and the search documents "
           "(title, venue, date, price) come to about 200 B a listing, 20 kB a batch.", theme="Load")
write.note("Uploads are asynchronous: the seller gets an answer when the files are stored, and the "
           "listings appear once aggregation and indexing have run. A batch that fails validation is "
           "reported back to the seller, not half-published.",
           theme="Ingestion")
write.note("A crash between steps 6 and 7 leaves seats whose document is not yet written: nothing shows "
           "them, since views and search read the documents. The offset was not committed, so the message "
           "comes again; the rows' unique keys turn the repeated inserts into no-ops and the upsert writes "
           "the document once. In the other order a crash would publish a listing with no seat to sell.",
           theme="Ingestion")
write.note("The message carries only where the batch is; images, videos and large JSON files never pass "
           "through Kafka, whose messages are limited to about 1 MB by default.",
           theme="Ingestion")
write.note("Indexing follows MongoDB's change stream, not a query for documents changed since a time: "
           "writes are not committed in the order of their timestamps, so such a query can pass over one "
           "committed late with an earlier time and never index it. The stream is in commit order and "
           "resumable; a batch replayed after a crash rewrites the same search documents. Search stays a "
           "few seconds behind, which is allowed; a purchase is not (see the read path).",
           theme="Ingestion")
write.note("Listings live in two stores on purpose: the rich, varied description in a document store, "
           "and each seat as a row in PostgreSQL. The source keeps tickets in MongoDB; but whether a seat "
           "is sold must change in the same ACID transaction as the order that buys it, so the seat's "
           "status belongs with the orders.",
           theme="Corrections")


# --- Read path: view, search, purchase ------------------------------------------------
read = market.path("read", "Read path", per="read")
# A read is a view or a search (half each, an assumption); a purchase comes with one read in a hundred
# (read_to_write), and the reconciler's pass once a minute is next to nothing.
VIEW, SEARCH, BUY, PASS = 0.5, 0.5, 0.01, 0.00001

read.stage("Reach the servers")
read.step(1, buyer, dns, "The buyer's browser resolves the store's domain name.", share=0.1, size="100 B")  # cached by the browser
read.step(2, buyer, cdn,
          "The page's static files (HTML, scripts, styles) come from the CDN.", share=0.2, size="500 kB")  # a page load, not each request
read.step(3, cdn, object_store, "The CDN fetches a file it does not have yet and keeps a copy.",
          when="On a CDN miss", effect="read", share=0.002, size="100 kB")
read.step(4, buyer, web_server, "The buyer's requests go over HTTPS to the API servers.")

read.stage("View a listing")
read.step(5, web_server, inventory_service, "A request to view a listing goes to the inventory service.", share=VIEW)
read.step(6, inventory_service, trending_cache,
          "The service reads the listing document and its count of seats left from the trending cache.",
          effect="read", share=VIEW)
read.step(7, inventory_service, inventory_replica,
          "It reads the listing from a MongoDB secondary and, if the event is trending, caches it for a short TTL.",
          when="On a cache miss", effect="read", share=VIEW * 0.2)  # 80-20: the trending listings draw 80 % of views
read.step(8, inventory_service, orders_replica,
          "It counts the seats still for sale on a PostgreSQL read replica (one range of an index on listing "
          "and status) and caches the count for five seconds: one count per listing every five seconds, "
          "however many buyers look.",
          when="If the count is not cached", effect="read", share=VIEW * 0.1, size="100 B")
read.step(9, buyer, cdn, "The listing's images and videos load from the CDN, by the URLs in the document.",
          share=VIEW, size="1 MB")
read.step(10, cdn, object_store, "The CDN fetches the media from object storage.", when="On a CDN miss",
          effect="read", share=VIEW * 0.05, size="1 MB")

read.stage("Search")
read.step(11, web_server, search_service, "A search request goes to the search service.", share=SEARCH)
read.step(12, search_service, search_index, "The service queries Solr's inverted index and ranks the hits.",
          effect="read", share=SEARCH)
read.step(13, buyer, cdn, "The results' thumbnails load from the CDN, by the URLs stored in the index.", share=SEARCH, size="200 kB")
read.step(14, cdn, object_store, "The CDN fetches a thumbnail it does not have.", when="On a CDN miss",
          effect="read", share=SEARCH * 0.05, size="10 kB")

read.stage("Purchase")
read.step(15, web_server, purchase_service, "A request to buy a seat goes to the purchase service.", share=BUY, size="1 kB")
read.step(16, purchase_service, ticket_lock,
          "For a hot event, the service takes a lock on the seat with a short TTL (`SET seat:7 … NX PX 5000`) "
          "and turns a second buyer away at once; correctness does not depend on it.",
          effect="write", share=BUY,
          after_crash=("accepted", "a lock nobody will use: it turns other buyers of that seat away until its TTL "
                                   "lapses, for up to 5 s"), size="100 B")
read.step(17, purchase_service, session_cache,
          "It writes the buyer's cart into the session (a linked hash map with a TTL of 30 minutes), for the "
          "checkout pages.",
          effect="write", share=BUY,
          after_crash=("accepted", "a cart with no order behind it: the checkout page offers to reserve again, and "
                                   "the cart lapses with the session's TTL, at most 30 minutes"), size="1 kB")
with read.saga("Saga: reserve, pay and confirm", compensations={
        18: "release (step 23): the order is cancelled and its holds released at once; unpaid holds also lapse "
            "on their own after ten minutes",
        20: "the payment is marked failed with the order (step 23), or by the reconciler (step 29) once the "
            "provider says it was never charged",
        21: "the charge is refunded under the key refund-order-<id> and the refund recorded (steps 24 and 25)"}):
    read.step(18, purchase_service, orders_db,
              "**Reserve**: one transaction creates the pending order under the buyer's Idempotency-Key (a "
              "retry finds the first order), its seat count and price taken from the seats of that listing, and holds every seat for ten minutes with `reserve`, in ascending "
              "seat ID so that two buyers never deadlock. A seat that returns no row rolls it all back: 409.",
              effect="write", share=BUY, idempotent_by="the buyer's Idempotency-Key, unique per buyer among orders", size="1 kB")
    read.step(19, purchase_service, payment_service, "**Pay**: the purchase service asks for the charge.", share=BUY, size="500 B")
    read.step(20, payment_service, orders_db,
              "Before any money moves, the payment service writes the payment down as `pending` with the "
              "order's key (`begin_payment`): the saga's state is now on disk.",
              effect="write", share=BUY, idempotent_by="the order's key: a retried payment finds the recorded one", size="200 B")
    read.step(21, payment_service, payment_provider,
              "It charges the card through the provider with that key, so a retried request cannot charge "
              "twice, and only while the database's clock allows: `charge_window` (below) says whether the "
              "payment is still `pending`, whether the order holds every seat and how many seconds its first "
              "hold has left, and the service sends no charge once that many seconds have passed on its own "
              "timer.", share=BUY, size="500 B")
    read.step(22, purchase_service, orders_db,
              "**Confirm**: one transaction records the charge and marks the order paid and its seats sold, "
              "only if the order still holds every one of them (`settle`, `confirm`).",
              effect="write", share=BUY,
              idempotent_by="the order ID: settle and confirm change only a pending order that holds its seats", size="1 kB")
read.step(23, purchase_service, orders_db,
          "**Compensate**: the payment is marked failed, the order cancelled and its holds released "
          "(`release`), so the seats are for sale again at once.",
          when="If the payment fails, or the buyer leaves", effect="write", share=BUY * 0.2,
          idempotent_by="the order ID: release changes only rows still pending or held", size="500 B")
read.step(24, payment_service, payment_provider,
          "**Compensate**: the charge is refunded (key `refund-order-<id>`), because a hold had expired and "
          "another buyer took that seat.",
          when="If confirm finds a seat gone", share=BUY * 0.001, size="500 B")
read.step(25, purchase_service, orders_db,
          "The refund is recorded, the order cancelled and the seats it still holds released, in one "
          "transaction (`refunded`).",
          when="Once the provider has refunded", effect="write", share=BUY * 0.001,
          idempotent_by="the order ID: refunded changes only a payment still charged", size="500 B")

read.stage("Reconcile sagas that stopped half-way")
read.step(26, reconciler, orders_db,
          "Every minute, the reconciler reads the payments left half-way (`stuck_payments`): `pending` past "
          "the charge deadline, or charged for an order that is not paid.", effect="read", share=PASS, size="1 kB")
read.step(27, reconciler, payment_service, "For each pending one, it asks the payment service what became of it.",
          share=PASS, size="500 B")
read.step(28, payment_service, payment_provider,
          "The payment service looks the charge up at the provider by its idempotency key.", share=PASS, size="500 B")
read.step(29, reconciler, orders_db,
          "Charged: it settles the order as in step 22. Never charged: the payment is marked failed and the "
          "order released, as in step 23.",
          when="Once the provider has answered", effect="write", share=PASS,
          idempotent_by="the payment's idempotency key: each statement changes only a payment still half-way", size="500 B")
read.step(30, reconciler, payment_service,
          "It has the charge refunded and recorded, as in steps 24 and 25.",
          when="If the order cannot be confirmed", share=PASS, size="500 B")

read.note("What each step moves, for the hot spots: a listing document or a page of results, 20 kB (the read "
          "size), is what the API, the inventory service, the cache and Solr return. The CDN serves more: a "
          "page's static files about 500 kB on a page load, a listing's images and videos about 1 MB, a page of "
          "thumbnails about twenty of 10 kB. A count of seats is a number, about 100 B. A purchase's calls and "
          "rows are small, 200 B to 1 kB each (the order, its payment and its seats make the write size's 2 kB "
          "together); a lock is a key, about 100 B.", theme="Load")
read.note("The source says the purchase (session, cart, inventory, payment) 'is executed as a two-phase "
          "commit'. A payment provider is not a resource manager: it takes part in no commit protocol, and "
          "offers a charge and a refund (or an authorization that it captures or voids on request, and "
          "that lapses on its own). What works is a saga: local transactions in PostgreSQL (reserve, then "
          "confirm) around the external charge, each with a compensating action (release, refund).",
          theme="The purchase")
read.note("The reservation with an expiry is what makes the saga safe: while the buyer pays, the seat is "
          "held for them and nobody else can take it; if they never pay, the hold runs out and the seat "
          "returns to sale without anyone cleaning up.",
          theme="The purchase")
read.note("The expiry bounds the seat, not the money. If the purchase service dies after the charge and "
          "before step 22, the `pending` payment written in step 20 is the only trace, and the reconciler "
          "(steps 26 to 30) finds it: it asks the provider by the same key, then confirms or refunds. Dying "
          "before step 20 leaves no charge, and the hold simply lapses. Every step after 20 is safe to run "
          "twice: the keys make the provider answer a repeat with the first result, and each SQL step changes "
          "only rows still in the state it expects.",
          theme="The purchase")
read.note("The reconciler waits past the hold's expiry before it asks, because the payment service sends no "
          "charge after it: by then a charge is either made or never will be. All these times are the "
          "database's clock, the one that also timed the holds: the payment service is told the seconds left "
          "(step 21) and counts them down with an elapsed-time timer, whose rate hardly drifts, never reading "
          "its wall clock; the reconciler waits five minutes longer than the hold, a margin for a charge "
          "request still in flight when the hold ends.",
          theme="The purchase")
read.note("Seats are 'materialized conflicts': one row per seat means two buyers of the same seat always "
          "meet on the same row, where PostgreSQL's row lock and the condition in `reserve` let exactly "
          "one win. The price is storage: a row for every seat of every event.",
          theme="Selling each seat once")
read.note("The source relies on a distributed lock with a short TTL. A lease in Redis can expire while "
          "its holder is paused (a garbage collection, a slow network), and then two buyers both think "
          "they hold it. Such a lock may cut contention on hot seats; the decision stays with the "
          "database row.",
          theme="Selling each seat once")
read.note("Availability shown on a listing page or in search may be seconds old (cache, replica, index). "
          "That is fine: the only check that counts is `reserve`, and a buyer who loses the race is told "
          "so at once.",
          theme="Selling each seat once")
read.note("For a sale that will draw far more buyers than seats, a virtual waiting room in front of the "
          "purchase stage admits buyers in batches, in arrival order: fairer to people, and it keeps "
          "contention on the seat rows bounded.",
          theme="Selling each seat once")
read.note("The source has the inventory and search services fetch media from object storage. Services "
          "return only the media URLs; the browser loads the files through the CDN (steps 9 and 13), "
          "which reads object storage on a miss.",
          theme="Corrections")
read.note("The source checks the CDN for 'the requested ticket'. A CDN may cache a listing's static page "
          "and its media, never a seat's availability, which changes with every sale.",
          theme="Corrections")
read.note("The source calls Splunk a document store; it is a log indexing and search platform.",
          theme="Corrections")
read.note("Services and serverless functions scale out and in with the traffic, which is very uneven: "
          "quiet most of the time, a flood when a big sale opens.",
          theme="Operations")
read.note("PostgreSQL commits wait for a synchronous standby in another zone, which takes over if the "
          "primary fails. An asynchronous copy could lose the `pending` payment of step 20 after the charge "
          "went out, and then no reconciler would ever find that charge to confirm or refund it.",
          theme="Operations")
read.note("PgBouncer pools connections to PostgreSQL: thousands of service instances share a few hundred "
          "server connections, which PostgreSQL handles far better than one connection each.",
          theme="Operations")


# --- Logs: every request, read or write, leaves a line ---------------------------------
# One log line of about 1 kB per request: every read, plus the purchases, one read in a hundred (read_to_write)
logs = market.path("logs", "Logs", per="read", times=1.01, size="1 kB")
logs.step(1, web_server, log_queue, "The servers publish their logs to Kafka.", effect="write")
logs.step(2, log_queue, log_service, "The log service consumes them.", effect="deliver")
logs.step(3, log_service, log_store, "It parses and aggregates them and stores them in Splunk.")
logs.note("Logs are best effort: a line lost with a broker or a full buffer costs a gap in the logs, never an "
          "order, so nothing waits for them.", theme="Logs")


# --- API -----------------------------------------------------------------------------
market.endpoint(
    "POST", "/v1/listing_batches", "Upload a batch of listings with their media (sellers; processed in the background)",
    starts=(write, 1),
    request={"listings": "object[]: the JSON files, each a list of listings (title, venue, date, prices, seats or stock)",
             "media": "object[]: the images and videos the listings name, each with its file name and content type"},
    response={"batch_id": "string: the batch, named in the message the aggregation service receives"},
    status={202: "Stored in object storage and announced; listings become searchable after aggregation and the next indexing batch",
            400: "A file that is not JSON, or a listing without the required fields", 401: "No valid token",
            403: "Not a seller account", 413: "The batch is over the size limit: split it",
            429: "Over the upload quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the seller",
             "Idempotency-Key": "A retried upload returns the first batch_id instead of listing everything twice"},
    response_headers={429: {"Retry-After": "Seconds to wait before trying again"}},
)
market.endpoint(
    "GET", "/v1/listings/{listing_id}", "View a listing: description, venue, prices and media URLs", starts=(read, 5),
    request={"listing_id": "string: the listing"},
    response={"listing": "object: the listing document, with media URLs served by the CDN",
              "available_seats?": "integer: seats left, counted on a replica and cached for five seconds (steps 6 and 8); only reserving decides"},
    status={200: "The listing", 304: "Unchanged since the ETag the client sent", 404: "No such listing",
            429: "Over the read quota (Retry-After says when to try again)"},
    headers={"If-None-Match": "The ETag of the copy the browser already has"},
    response_headers={"ETag": "A hash of the response (document and seats left), so a sale changes it",
                      "Cache-Control": "Private, no-cache: it carries seat availability, which no CDN may keep; the browser revalidates with the ETag",
                      429: {"Retry-After": "Seconds to wait before trying again"}},
)
market.endpoint(
    "GET", "/v1/search", "Search listings by text, with filters, a page at a time", starts=(read, 11),
    operation_id="searchListings",  # the derived name reads badly
    request={"q": "string: the buyer's words, e.g. an artist or a venue",
             "date_from?": "string: ISO 8601 date, earliest event date",
             "max_price?": "integer: highest price in cents",
             "cursor?": "string: next_cursor from the previous page",
             "limit?": "integer: results per page, 20 by default, at most 100"},
    response={"results": "object[]: ranked listings with title, venue, date, lowest price and a thumbnail URL",
              "next_cursor": "string: opaque position of the next page; absent at the end"},
    status={200: "One page of results", 400: "An empty query or an unknown filter",
            429: "Over the read quota (Retry-After says when to try again)"},
    response_headers={"Cache-Control": "Public, max-age of seconds: popular queries are reused briefly; results carry prices, not seat availability",
                      429: {"Retry-After": "Seconds to wait before trying again"}},
)
market.endpoint(
    "POST", "/v1/orders", "Reserve seats: a pending order that holds them for ten minutes while the buyer pays",
    starts=(read, 15),
    request={"listing_id": "string: the event or product",
             "seat_ids": "string[]: the seats (or stock units) to hold"},
    response={"order_id": "string: the pending order",
              "hold_expires_at": "string: ISO 8601 time when the seats return to sale unless paid"},
    status={201: "Held: pay before hold_expires_at", 400: "No seats, or seats of another listing",
            401: "No valid token",
            409: "A seat is already held or sold (the lock or the conditional reserve turned this buyer away); no seat is held",
            429: "This buyer sent too many requests (Retry-After says when to try again)",
            503: "The sale is at capacity: the waiting room admits buyers in arrival order (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the buyer",
             "Idempotency-Key": "Stored with the order, unique per buyer: a retried reserve returns the same order instead of holding more seats"},
    response_headers={429: {"Retry-After": "Seconds to wait before trying again"},
                      503: {"Retry-After": "Seconds until the waiting room admits this buyer"}},
)
market.endpoint(
    "POST", "/v1/orders/{order_id}/payment", "Pay for a held order; on success the seats are sold to the buyer",
    starts=(read, 19),
    request={"order_id": "string: the pending order",
             "payment_method": "string: the provider's token for the buyer's card, never the card number"},
    response={"order_id": "string: the order", "status": "string: paid",
              "tickets": "object[]: the seats bought, with their barcodes"},
    status={200: "Charged and confirmed: the seats are the buyer's",
            401: "No valid token",
            402: "The card was declined: the order is cancelled and the seats released (step 23)",
            403: "Not the buyer's order", 404: "No such order",
            409: "A hold ran out: before the charge, no charge is sent (charge_window, step 21) and the buyer reserves again; after it, if another buyer took one of the seats, nothing is sold and the whole charge is refunded (steps 24 and 25)"},
    headers={"Authorization": "Bearer token of the buyer",
             "Idempotency-Key": "The order's key, which the payment service records before charging (step 20) and passes to the provider: a retried payment resumes the recorded one and cannot charge twice"},
)
market.endpoint(
    "DELETE", "/v1/orders/{order_id}", "Leave checkout: cancel a pending order and release its seats at once",
    starts=(read, 23),
    request={"order_id": "string: the pending order"},
    status={204: "Cancelled; the seats are for sale again", 401: "No valid token", 403: "Not the buyer's order",
            404: "No such order",
            409: "Already paid (ask for a refund instead), or its payment is pending: a charge may be in flight, so the order waits for its answer. A leave that slips in just before the charge is still safe: settle then finds the order cancelled and the charge is refunded (steps 24 and 25)"},
    headers={"Authorization": "Bearer token of the buyer"},
)

# --- Capacity: a "user" is a buyer, a "write" one purchase ---------------------------
market.capacity(
    daily_active_users=(10_000_000, "Assumption: a large ticket marketplace's daily buyers; the source gives no figures"),
    writes_per_user_per_day=(0.1, "Assumption: most visits browse; one purchase per buyer every ten visiting days"),
    read_to_write=(100, "Assumption: views and searches per purchase, a conversion of about 1%"),
    write_size=("2 kB", "An order, its payment and the seat rows it changes, with their index entries"),
    read_size=("20 kB", "A listing document or a page of search results, without the media (the CDN serves those)"),
    retention=("10 years", "Orders and payments are kept for accounting and tax, commonly seven to ten years"),
    peak_to_average=(10, "Evenings and sale openings, averaged over all events; one blockbuster sale exceeds it (see the page)"),
    hot_fraction=(0.2, "80-20 rule on the day's views (a ceiling: few distinct listings are hot)"),
)

# --- API examples: checked against the schemas above ---------------------------------
market.example(
    "POST /v1/listing_batches",
    headers={"Idempotency-Key": "aeb74280-5199-485e-bd50-faef7b9f90fd"},
    request={
        "listings": [
            {
                "title": "Jazz at the Philharmonie",
                "venue": "Philharmonie de Paris",
                "date": "2027-03-14T20:00:00+01:00",
                "prices": {"A": 4500, "B": 3000},
                "seats": ["A-12", "A-13"],
            },
        ],
        "media": [{"file_name": "poster.jpg", "content_type": "image/jpeg"}],
    },
    responses={202: {"batch_id": "bat_12"}, 429: {"error": "rate_limited", "message": "Over the upload quota"}},
)
market.example(
    "GET /v1/listings/{listing_id}",
    headers={"If-None-Match": "\"5d41402abc4b2a76\""},
    request={"listing_id": "lst_6610"},
    responses={
        200: {
            "listing": {
                "title": "Jazz at the Philharmonie",
                "venue": "Philharmonie de Paris",
                "date": "2027-03-14T20:00:00+01:00",
                "media_urls": ["https://cdn.marketplace.example/lst_6610/poster.jpg"],
            },
            "available_seats": 3,
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
market.example(
    "GET /v1/search",
    request={
        "q": "philharmonie jazz",
        "date_from": "2027-03-01T00:00:00Z",
        "max_price": 4500,
        "cursor": "eyJvZmZzZXQiOjIwfQ",
        "limit": 20,
    },
    responses={
        200: {
            "results": [
                {
                    "listing_id": "lst_6610",
                    "title": "Jazz at the Philharmonie",
                    "venue": "Philharmonie de Paris",
                    "date": "2027-03-14T20:00:00+01:00",
                    "lowest_price": 3000,
                    "thumbnail_url": "https://cdn.marketplace.example/lst_6610/thumb.jpg",
                },
            ],
            "next_cursor": "eyJvZmZzZXQiOjIwfQ",
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
market.example(
    "POST /v1/orders",
    headers={"Idempotency-Key": "175dbc82-d4cc-4e9b-a8db-c47f2c4d8ab7"},
    request={"listing_id": "lst_6610", "seat_ids": ["A-12"]},
    responses={
        201: {"order_id": "o_30017", "hold_expires_at": "2026-12-07T09:40:00Z"},
        409: {"error": "conflict", "message": "A seat is already held or sold"},
    },
)
market.example(
    "POST /v1/orders/{order_id}/payment",
    headers={"Idempotency-Key": "e0c9c7b6-32aa-4986-afc1-e8c770c8e747"},
    request={"order_id": "o_30017", "payment_method": "pm_card_visa_4242"},
    responses={
        200: {"order_id": "o_30017", "status": "paid", "tickets": [{"seat": "A-12", "barcode": "7701234567895"}]},
        409: {"error": "conflict", "message": "A hold expired and another buyer took one of the seats"},
    },
)
market.example(
    "DELETE /v1/orders/{order_id}",
    request={"order_id": "o_30017"},
    responses={204: None, 409: {"error": "conflict", "message": "Already paid"}},
)
