"""Deliver one-to-one and group messages in real time, with receipts, presence and media."""

from blueprint import System

chat = System(
    "Chat Service",
    schema="schemas/chat.sql",
    relationships=[
        "users many-to-many users through friends",
        "groups many-to-many users through group_members",
        "groups 1-to-many messages",
        "users 1-to-many messages",
        "users 1-to-many receipts",
        "users 1-to-1 presence",
    ],
)

# --- Clients ---------------------------------------------------------------------------
sender = chat.component("sender", "Sender", kind="client", group="Clients",
                        role="The app of the user who writes a message")
receiver = chat.component("receiver", "Receiver", kind="client", group="Clients",
                          role="The app of the user (or group member) the message is for")

# --- Edge ------------------------------------------------------------------------------
load_balancer = chat.component("load_balancer", "Load balancer", kind="load_balancer", group="Edge",
                               role="Spreads short HTTPS requests (sign-in, upload URLs, search) over the API servers")
gateway = chat.component("gateway", "WebSocket gateway", kind="api_gateway", group="Edge",
                         role="Ends TLS, holds each app's WebSocket and proxies it to the chat server its user hashes to")
cdn = chat.component("cdn", "CDN", kind="cdn", group="Edge",
                     role="Serves media files (images, avatars) from close to the reader; never routes messages")

# --- Services --------------------------------------------------------------------------
api_server = chat.component("api_server", "API server", kind="server", group="Services",
                            role="Stateless HTTP: sign-in, metadata, upload URLs, search")
auth_service = chat.component("auth_service", "Auth service", kind="service", group="Services",
                              role="Checks credentials and issues the token the WebSocket is opened with")
admin_service = chat.component("admin_service", "Admin service", kind="zookeeper", group="Services",
                               role="Keeps the consistent-hash ring of live chat servers and tells everyone when it changes")
chat_a = chat.component("chat_a", "Chat server A", kind="server", group="Services",
                        role="Holds the sender's WebSocket (its user_id hashes here); stores and routes what the sender sends")
chat_b = chat.component("chat_b", "Chat server B", kind="server", group="Services",
                        role="Holds the receiver's WebSocket; delivers what is published for the receiver")
presence_service = chat.component("presence_service", "Presence service", kind="service", group="Services",
                                  role="Turns heartbeats into online/offline and last-seen, and answers who is online")
push_service = chat.component("push_service", "Push notifications", kind="service", group="Services",
                              role="Wakes an app that has no open connection, through Apple's APNs or Google's FCM")
indexer = chat.component("indexer", "Index workers", kind="worker", group="Services",
                         role="Consume stored messages and add them to the search index")

# --- Messaging -------------------------------------------------------------------------
pubsub = chat.component("pubsub", "Pub-sub (Kafka)", kind="pubsub", group="Messaging",
                        role="One topic per chat server: what is published there is delivered by that server")
index_queue = chat.component("index_queue", "Index queue (Kafka)", kind="kafka", group="Messaging",
                             role="Stored messages waiting to be indexed for search, processed asynchronously")

# --- Data stores -----------------------------------------------------------------------
group_cache = chat.component("group_cache", "Group cache", kind="redis", group="Data stores",
                             role="Redis, cache-aside: the latest messages of recently active groups")
presence_cache = chat.component("presence_cache", "Presence cache", kind="redis", group="Data stores",
                                role="Redis, sharded by user_id: one key per online user, expiring when heartbeats stop")
sql_db = chat.component("sql_db", "SQL database", kind="postgresql", group="Data stores",
                        role="PostgreSQL: users, friends, groups and members, avatars")
chat_store = chat.component("chat_store", "Chat store", kind="cassandra", group="Data stores",
                            role="Cassandra: every message and receipt watermark, one partition per conversation")
last_seen = chat.component("last_seen", "Last-seen store", kind="key_value_store", group="Data stores",
                           role="Key-value store: each user's last heartbeat time, written behind the presence cache")
object_store = chat.component("object_store", "Object storage", kind="s3", group="Data stores",
                              role="S3: encrypted media files, behind the CDN")
search_index = chat.component("search_index", "Search index", kind="solr", group="Data stores",
                              role="Apache Solr: an inverted index from words to the messages that hold them")

pubsub.fails(down="Messages are stored but get no sent tick; apps resend until it is back",
             slow="Ticks and deliveries lag", loses_data="Nothing stored: the catch-up brings it",
             handling="Replicated partitions", redundant=True)
index_queue.fails(down="Where search is on, sends get no tick until it is back", slow="Ticks lag; search lags",
                  loses_data="Lost entries are missing from search; the chat store keeps the messages",
                  handling="Replicated partitions", redundant=True)
group_cache.fails(down="Sign-in reads the chat store: slower", slow="Sign-in slows",
                  loses_data="Nothing: readers refill it", handling="Cache-aside; a Redis cluster", redundant=True)
presence_cache.fails(down="Friends show as offline, with last seen", slow="Presence answers lag",
                     loses_data="Keys return with the next heartbeat, within 30 s",
                     handling="A dead node's arc moves to the next; heartbeats refill it", redundant=True)
sql_db.fails(down="Sign-in and group sends fail until a standby is promoted", slow="Sign-in and group sends slow",
             loses_data="Nothing acknowledged: a standby has every write", handling="A synchronous standby, promoted",
             redundant=True)
chat_store.fails(down="No sent ticks and no catch-up; apps resend later", slow="Ticks lag; resends are deduplicated",
                 loses_data="Survives a node: three replicas, QUORUM", handling="Replication factor 3, QUORUM",
                 redundant=True)
last_seen.fails(down="Offline friends show no last-seen time", slow="Last seen lags",
                loses_data="Online users' times return with the next batch", handling="Replicated across data centers",
                redundant=True)
object_store.fails(down="Images cannot be sent; the CDN serves those it holds", slow="Uploads slow",
                   loses_data="Not expected: copies in several zones", handling="S3, behind the CDN", redundant=True)
search_index.fails(down="Search fails; messaging carries on", slow="Search slows",
                   loses_data="Replayed from the index queue within its retention; older messages drop out of search",
                   handling="Solr replicas per shard", redundant=True)

# A WebSocket is one long-lived, two-way connection: every message, receipt and heartbeat
# of a session travels over it. The gateway proxies each one to the user's chat server.
chat.connection(sender, gateway, "WebSocket")
chat.connection(receiver, gateway, "WebSocket")
chat.connection(gateway, chat_a, "WebSocket (proxied)")
chat.connection(gateway, chat_b, "WebSocket (proxied)")


# For the hot spots the workflow runs once per message stored; each part runs for a share of them:
SIGNIN = 0.1  # a sign-in or reconnect for every ten messages (some four a user a day, against forty messages)
ONE, GROUP = 0.5, 0.5  # half the messages one-to-one, half to groups
OFFLINE = 0.2  # the receiver has no open connection
ASK = 0.2  # a chat opened, asking whether its friend is online
MEDIA = 0.05  # a message in twenty carries an image
SEARCH = 0.01  # a search for every hundred messages
workflow = chat.path("workflow", "Workflow", per="write")

# --- Sign in over HTTP -------------------------------------------------------------------
workflow.stage("Sign in over HTTPS and load the home screen")
workflow.step(1, sender, load_balancer,
              "The app makes an ordinary HTTPS request to sign in and load what the home screen shows.",
              share=SIGNIN)
workflow.step(2, load_balancer, api_server, "The load balancer hands it to an API server with spare capacity.",
              share=SIGNIN)
workflow.step(3, api_server, auth_service,
              "The API server has the auth service check the credentials; the answer includes a short-lived token "
              "for the WebSocket.",
              share=SIGNIN)
workflow.step(4, api_server, sql_db,
              "It reads the user's metadata: profile and avatar URL, friends, groups, and the address of the "
              "WebSocket gateway.",
              effect="read", share=SIGNIN)
workflow.step(5, api_server, group_cache,
              "It reads the latest messages of the user's groups from the group cache.",
              effect="read", share=SIGNIN)
workflow.step(6, api_server, chat_store,
              "It reads them from the chat store and puts them in the cache (cache-aside: only readers fill it).",
              when="On a cache miss",
              effect="read", share=SIGNIN / 2)

# --- Open the WebSocket ----------------------------------------------------------------
workflow.stage("Open each WebSocket on the chat server its user hashes to")
workflow.step(7, admin_service, [gateway, chat_a, chat_b],
              "The admin service publishes the current ring of live chat servers; gateways and chat servers "
              "keep a copy and get every change.",
              share=1e-6)
workflow.step(8, sender, gateway,
              "The app opens a WebSocket (`wss://`) to the gateway and presents its token; the gateway ends TLS "
              "and checks the token's signature.",
              share=SIGNIN)
workflow.step(9, gateway, chat_a,
              "The gateway hashes the user_id onto the ring (consistent hashing) and proxies the connection to "
              "that chat server, A, for as long as it stays open.",
              share=SIGNIN)
workflow.step(10, chat_a, presence_service,
              "Chat server A records user_id → connection in its own memory and reports the user online.",
              share=SIGNIN)
workflow.step(11, presence_service, presence_cache,
              "The presence service sets the user's key with a time to live (`SET presence:<id> online EX 90`).",
              effect="write", share=SIGNIN,
              after_crash=("accepted", "step 16 is a message, unrelated; a lost key is set again by the next heartbeat, within 30 s"))
workflow.step(12, receiver, gateway, "The receiver's app connects the same way.",
              share=SIGNIN)
workflow.step(13, gateway, chat_b,
              "Its user_id hashes to chat server B, which holds its connection and reports it online as in steps "
              "10 and 11.",
              share=SIGNIN)

# --- One-to-one message ----------------------------------------------------------------
workflow.stage("One-to-one: store, tick sent, route through pub-sub")
workflow.step(14, sender, gateway,
              "The sender's app sends the message over its WebSocket: conversation, an ID of its own choosing "
              "(`client_msg_id`), and the encrypted body.",
              share=ONE)
workflow.step(15, gateway, chat_a, "The gateway passes the frame to chat server A.",
              share=ONE)
workflow.step(16, chat_a, chat_store,
              "A gives the message the conversation's next sequence number and a Snowflake ID, and stores it at "
              "QUORUM together with its `client_msg_id`, in one conditional write to the conversation's partition; "
              "a resend is found there, published again (step 17) and answered with its first sequence number.",
              effect="write", share=ONE,
              after_crash=("idempotent retry", "no sent tick, so the app resends; the resend finds the stored copy by client_msg_id and publishes it again"))
workflow.step(17, chat_a, pubsub,
              "A hashes the receiver's user_id on the same ring, which names chat server B, and publishes the "
              "message to B's topic; Kafka acknowledges it.",
              effect="write", share=ONE,
              after_crash=("idempotent retry", "no tick yet: the resend publishes the stored copy again, and the receiving app drops a seq it holds"))
workflow.step(18, chat_a, gateway,
              "Only now that the message is durable, on its way and queued for indexing (step 57) does A send the "
              "**sent** receipt (with its sequence number) back through the gateway, down the sender's WebSocket: one tick.",
              share=ONE)
workflow.step(19, pubsub, chat_b, "Chat server B, subscribed to its own topic, receives the message.",
              effect="deliver", share=ONE)
workflow.step(20, chat_b, gateway,
              "B looks the receiver up in its in-memory map of connections and writes the message to that "
              "WebSocket.",
              share=ONE)
workflow.step(21, gateway, receiver, "The gateway delivers the frame to the receiver's app.",
              share=ONE)

# --- Receipts --------------------------------------------------------------------------
workflow.stage("Delivered and read receipts travel back to the sender")
workflow.step(22, receiver, gateway,
              "Once the message is saved on the phone, the receiver's app sends **delivered** up to that sequence "
              "number.")
workflow.step(23, gateway, chat_b, "The gateway passes the receipt to chat server B.")
workflow.step(24, chat_b, chat_store,
              "B advances the receiver's delivered watermark for the conversation (one row, not one per message), "
              "forward only: in Cassandra `IF delivered_seq < n`, since a plain write lets a late receipt win. "
              "That condition fails on a row that does not exist, so a member's first receipt in a conversation "
              "inserts the row (`IF NOT EXISTS`) instead.",
              effect="write", idempotent_by="the receipt's seq: the watermark only moves forward",
              after_crash=("accepted", "the watermark moved but no tick went out: at most 1 receipt's ticks, shown at the sender's next catch-up (step 33)"))
workflow.step(25, chat_b, pubsub, "B publishes the receipt to the topic of the sender's chat server, A.",
              effect="write", idempotent_by="the receipt's seq: the sender's app keeps the highest tick",
              after_crash=("accepted", "step 39 is another message; a lost receipt costs at most 1 receipt's ticks, shown at the next catch-up"))
workflow.step(26, pubsub, chat_a, "Chat server A receives the receipt.",
              effect="deliver")
workflow.step(27, chat_a, gateway, "A writes the receipt to the sender's WebSocket.")
workflow.step(28, gateway, sender,
              "The sender's app shows two ticks. A **read** receipt, sent when the user opens the conversation, "
              "takes the same route (steps 22 to 28) and advances the read watermark.")

# --- Receiver offline ------------------------------------------------------------------
workflow.stage("Receiver offline: push, reconnect, catch up")
workflow.step(29, chat_b, push_service,
              "The message arrives at B as in step 19, but B's map has no connection for the receiver (a miss: "
              "offline). The message is already stored (step 16), so B only asks for a push notification.",
              when="If the receiver has no open connection",
              share=OFFLINE)
workflow.step(30, push_service, receiver,
              "The push service sends a notification through APNs or FCM; it carries no readable content, at "
              "most the encrypted body, and may wake the app in the background.",
              share=OFFLINE)
workflow.step(31, receiver, gateway,
              "When the app comes back (or wakes in the background), it reconnects and sends, per conversation, "
              "the last sequence number it holds.",
              share=SIGNIN)
workflow.step(32, gateway, chat_b, "The gateway proxies the connection to B, as in step 13.",
              share=SIGNIN)
workflow.step(33, chat_b, chat_store,
              "B reads the messages after that number, one page at a time (`seq > n ORDER BY seq LIMIT 50`), and "
              "the conversation's receipt rows: the other members' delivered and read watermarks.",
              effect="read", share=SIGNIN)
workflow.step(34, chat_b, gateway,
              "B sends the missed messages down the WebSocket, oldest first, with those watermarks: ticks whose "
              "receipt was published while this app had no connection (step 27 found no socket) show now.",
              share=SIGNIN)
workflow.step(35, gateway, receiver,
              "The app stores them and answers with **delivered** receipts, which reach the sender as in steps "
              "22 to 28.",
              share=SIGNIN)

# --- Group message ---------------------------------------------------------------------
workflow.stage("Group message: store once, fan out per chat server")
workflow.step(36, sender, gateway, "The sender sends a message to a group over its WebSocket.",
              share=GROUP)
workflow.step(37, gateway, chat_a, "The gateway passes it to chat server A.",
              share=GROUP)
workflow.step(38, chat_a, sql_db,
              "A reads the group's member list (its `group_members` rows) from a SQL replica.",
              effect="read", share=GROUP)
workflow.step(39, chat_a, chat_store,
              "A stores the message once, in the group's partition, with the group's next sequence number, by the "
              "same conditional write as step 16: a resend finds its first copy and its seq.",
              effect="write", share=GROUP, idempotent_by="the client_msg_id, kept in the group's partition",
              after_crash=("idempotent retry", "no sent tick: the resend finds the stored copy, and step 40 skips an append it finds"))
workflow.step(40, chat_a, group_cache,
              "A appends it to the group's cached list only if that list is cached (`RPUSHX`, then `LTRIM`), so "
              "the cache stays cache-aside: absent stays absent. A resend found in step 39 is not appended again.",
              effect="write", share=GROUP, idempotent_by="the client_msg_id: a resend found at step 39 is not appended",
              after_crash=("idempotent retry", "the resend publishes the stored copy; members drop a seq they hold"))
workflow.step(41, chat_a, pubsub,
              "A hashes every member's user_id on the ring and publishes one copy per chat server that holds "
              "members, not one per member; once Kafka has acknowledged them all, the sender gets its **sent** "
              "tick, as in step 18.",
              effect="write", share=GROUP, idempotent_by="the message's seq: an app drops a seq it holds",
              after_crash=("idempotent retry", "published but no tick: the app resends, the stored copy is "
                           "published again and members drop the seq they hold; step 53 is unrelated"))
workflow.step(42, pubsub, chat_b, "Each of those chat servers, B among them, receives its copy.",
              effect="deliver", share=GROUP)
workflow.step(43, chat_b, gateway,
              "B writes the message to the WebSocket of every member it holds; the gateway delivers it.",
              share=GROUP)
workflow.step(44, gateway, receiver, "The member's app receives the group message.",
              share=GROUP)
workflow.step(45, chat_b, push_service,
              "For members with no open connection, B asks for a push notification, as in step 29.",
              when="For members who are offline",
              share=GROUP * OFFLINE)

# --- Presence --------------------------------------------------------------------------
workflow.stage("Presence: a key means online, a miss reads last seen")
workflow.step(46, receiver, gateway,
              "The receiver opens a chat and asks, over its WebSocket, whether the sender is online.",
              share=ASK)
workflow.step(47, gateway, chat_b, "The gateway passes the question to chat server B.",
              share=ASK)
workflow.step(48, chat_b, presence_service, "B asks the presence service.",
              share=ASK)
workflow.step(49, presence_service, presence_cache,
              "A key found means online: the service answers at once.",
              effect="read", share=ASK)
workflow.step(50, presence_service, last_seen,
              "No key (it expired, or the user never connected) means offline: the service reads the last-seen "
              "time and answers \"last seen at …\".",
              when="On a cache miss",
              effect="read", share=ASK / 2)

# --- Media -----------------------------------------------------------------------------
workflow.stage("Media: upload to object storage, download through the CDN")
workflow.step(51, sender, load_balancer,
              "To share an image, the app first asks over HTTPS for an upload URL.",
              share=MEDIA)
workflow.step(52, load_balancer, api_server,
              "The load balancer passes it to an API server, which signs and returns a presigned URL for a new "
              "object: permission to write that one object, so no upload goes through our servers.",
              share=MEDIA)
workflow.step(53, sender, object_store,
              "The app encrypts the image with a fresh random key and uploads it straight to object storage.",
              effect="write", share=MEDIA, idempotent_by="the object name in the presigned URL: a retry overwrites it",
              after_crash=("accepted", "an image no message names: ciphertext under an unguessable URL, "
                           "at most 1 file per abandoned send"))
workflow.step(54, sender, gateway,
              "It sends an ordinary message carrying the file's URL, its key and a tiny thumbnail, routed as in "
              "steps 14 to 21 (or 36 to 45 for a group).",
              share=MEDIA)
workflow.step(55, receiver, cdn, "The receiver's app downloads the file by its URL from the CDN and decrypts it.",
              share=MEDIA)
workflow.step(56, cdn, object_store,
              "The CDN fetches the file from object storage and keeps a copy for the other members of a group.",
              when="On a CDN miss",
              effect="read", share=MEDIA / 5)

# --- Search ----------------------------------------------------------------------------
workflow.stage("Search: index in the background, query over HTTPS")
workflow.step(57, chat_a, index_queue,
              "Where messages are not end-to-end encrypted, the chat server also appends each one it stores "
              "(step 16 or 39) to the index queue, and "
              "waits for Kafka's acknowledgement before the sent tick (step 18). A crash before the tick means a "
              "resend, which appends the stored copy again; a crash after it finds the message already queued.",
              effect="write", idempotent_by="conversation and seq, stored with the message",
              after_crash=("idempotent retry", "the queue keeps it until the index workers commit"))
workflow.step(58, index_queue, indexer, "Index workers take messages off the queue in batches.",
              effect="deliver")
workflow.step(59, indexer, search_index,
              "They add the messages to the Solr index, one document per message whose unique key is conversation "
              "and seq, so a message queued twice is indexed once; the conversation is a field that searches filter on.",
              effect="write", idempotent_by="conversation and seq, the Solr document's unique key")
workflow.step(60, sender, load_balancer, "The user searches the history over HTTPS.",
              share=SEARCH)
workflow.step(61, load_balancer, api_server, "The load balancer hands the search to an API server.",
              share=SEARCH)
workflow.step(62, api_server, search_index,
              "The API server queries the index, restricted to the conversations the user belongs to.",
              effect="read", share=SEARCH)

# --- Notes -----------------------------------------------------------------------------
workflow.note("Each chat server keeps a map from user_id to the ID of that user's WebSocket in its own memory; it is "
              "how B finds the connection to write to (steps 20, 34, 43), and a miss there means the user is "
              "not connected (step 29). All of one user's devices hash to the same server, so the map holds a "
              "list of connections per user.", theme="Routing")
workflow.note("Routing needs no lookup: the gateway and every chat server hold the same ring, so hashing a user_id "
              "names the server that holds (or would hold) that user's connection. The source's \"admin service\", "
              "left out of its figure, is what keeps that ring current (step 7); in practice a coordination "
              "service such as ZooKeeper or etcd.", theme="Routing")
workflow.note("When a chat server joins or leaves the ring, consistent hashing moves only the users of one arc; "
              "their connections drop and the apps reconnect, landing on the new owner. A message published for them "
              "meanwhile is not lost: it is already in the chat store and arrives with the catch-up of step 33.",
              theme="Routing")
workflow.note("The source has the chat server pass its WebSocket to the pub-sub server (it \"delegates the WebSocket "
              "connection\"), which passes it on to the receiver's chat server. A connection cannot be handed "
              "on like that: the WebSocket stays between the app and its own chat server (through the gateway); "
              "what travels through pub-sub is each message.", theme="Corrections")
workflow.note("The source has the pub-sub server persist each message and update presence. Kafka does keep what "
              "is published, but only for its retention period and in publish order, not as a history that can "
              "be read by conversation, and it calls no services. Here the chat server stores the message in "
              "the chat store before anything else (step 16), so that the **sent** tick means durable, and "
              "presence comes from heartbeats (their own path, below).",
              theme="Corrections")
workflow.note("The source sends group messages \"through the CDN\". A CDN caches static files close to readers; it "
              "does not route or fan out chat messages. Group messages fan out through the chat servers and "
              "pub-sub (steps 41 to 44); what the CDN does serve is the group's media (step 55), fetched once "
              "and then read by every member.", theme="Corrections")
workflow.note("The source has the server queue search-index work while the user signs in. Indexing follows each "
              "stored message instead (step 57), whoever is signed in.", theme="Corrections")
workflow.note("The source has the pub-sub server call the push service for offline users; here the receiver's "
              "chat server does, because it is the one that knows the user has no connection (step 29).",
              theme="Corrections")
workflow.note("Per-conversation sequence numbers give every member the same order. Wall clocks of different servers "
              "drift and are not a total order, so a timestamp cannot be the order; a Snowflake ID (time, machine, "
              "counter) is unique and roughly time-sorted, good for paging, but two servers can still mint IDs "
              "out of order.", theme="Ordering and IDs")
workflow.note("The two users of a conversation send through different chat servers, so the next sequence number "
              "comes from one shared counter per conversation, claimed with a compare-and-set: in Cassandra a "
              "lightweight transaction (`INSERT ... IF NOT EXISTS`), because a plain Cassandra insert on a "
              "taken key silently overwrites it. Messages published by different chat servers can overtake "
              "each other on the way, so the app shows them by seq and treats a gap that does not fill within "
              "a moment as a missed message to fetch.", theme="Ordering and IDs")
workflow.note("The app gives each message its own `client_msg_id` and resends it until the **sent** receipt "
              "arrives. In SQL one row carries both unique keys. Cassandra has no conditional write across "
              "partitions, and a guard row in a table of its own could survive a crash alone (the message lost, "
              "its resend told it was stored) or be missing (shown twice). So the guard, a `client_msg_id` → seq "
              "map in a static column with a week's TTL (an app away longer catches up first and meets its own "
              "copy by `client_msg_id`), shares the conversation's partition, and one conditional "
              "batch writes the seq row `IF NOT EXISTS` and the entry only if absent: both or neither. After a "
              "write timeout the resend's own Paxos round first settles the unfinished one, then finds the entry "
              "or stores the message: once either way.",
              theme="Ordering and IDs")
workflow.note("Delivery is at least once, made exactly once on screen by deduplication. Upward, the app resends "
              "until **sent** arrives and the server drops the copy by `client_msg_id`. A chat server that crashes "
              "after step 16 sends no tick, so the resend publishes the stored copy, seconds late at worst. "
              "Downward, a ring change can send a message to the wrong server: it is still in the chat store, so "
              "the gap or the next reconnect (step 33) brings it, and the app drops any seq it already holds. The **delivered** receipt is "
              "the only proof of arrival.", theme="Ordering and IDs")
workflow.note("Sent, delivered and read are all carried over the WebSockets (steps 18, 22 to 28); the server "
              "stores two watermarks per member and conversation, not a status per message.", theme="Receipts")
workflow.note("Cache-aside on a list has a race: a reader filling the list from the chat store (step 6) can miss a "
              "message stored while it read, which the append of step 40 skipped because the list did not yet "
              "exist. Cached messages keep their seq, so the app sees the gap and reads it from the chat store.",
              theme="Group cache")
workflow.note("While the sender itself is offline, its app keeps new messages in local storage and sends them "
              "when a WebSocket is open again.", theme="Offline")
workflow.note("A push may let the app fetch new messages in the background, so the conversation is already there "
              "when the user opens it.", theme="Offline")
workflow.note("An app reads history a page at a time (by sequence number), never a whole conversation.",
              theme="Offline")
workflow.note("Store and forward: the message is stored before anyone knows whether the receiver is online, and "
              "delivered when the receiver is back (step 33).", theme="Offline")
workflow.note("If messages are meant to be ephemeral on the server, a clean-up job deletes the messages every "
              "member has received (delivered watermark), reading from a replica so that the live store is not "
              "slowed down.", theme="Retention")
workflow.note("If messages are kept for ever, the chat store is the source of truth and apps may lose their copy.",
              theme="Retention")
workflow.note("The app caches one-to-one conversations on the phone, so reopening a chat reads nothing from the "
              "server.", theme="Retention")
workflow.note("The chat store keeps at least three replicas of each partition (replication factor 3) and writes "
              "at QUORUM, so a message survives the loss of a node.", theme="Durability and availability")
workflow.note("Stateful parts are partitioned by user_id (connections, presence) or by conversation and group "
              "(messages), and replicated across data centers.", theme="Durability and availability")
workflow.note("Hot shards (a huge group, a celebrity) are found by alerting and handled by re-partitioning them "
              "automatically or by giving them bigger machines.", theme="Durability and availability")
workflow.note("The SQL database runs with one primary and semi-synchronous replication: a write is acknowledged "
              "once at least one replica has received it, so promoting that replica loses no acknowledged "
              "write. MySQL's semi-sync falls back to asynchronous after a timeout, and then it can; "
              "PostgreSQL's synchronous replication (`ANY 1` standby) waits instead.", theme="Durability and availability")
workflow.note("If a chat server or the app crashes, the app signs in again over HTTP and opens a new WebSocket "
              "(steps 1 to 13); missed messages arrive as in steps 31 to 35.", theme="Durability and availability")
workflow.note("The presence cache is sharded by consistent hashing on user_id, so adding a Redis node moves only "
              "one arc of keys; Redis Cluster gets the same effect from its fixed hash slots.", theme="Presence")
workflow.note("The source sets the presence time to live at 5 minutes. With a heartbeat every 30 s, a TTL of two "
              "or three heartbeats (60 to 90 s) shows a vanished user offline much sooner; 5 minutes is the "
              "longest anyone would accept.", theme="Presence")
workflow.note("The source keeps online users in a Redis set (constant time) and removes stale ones with a sliding "
              "window. A set has one TTL for all its members, so it needs that sweep: a sorted set scored by "
              "heartbeat time, trimmed with `ZREMRANGEBYSCORE`. A key per user with its own TTL, as here, "
              "expires by itself and needs no sweep.", theme="Presence")
workflow.note("The source updates last-seen when a presence record expires. Redis expiry events are "
              "fire-and-forget and can be late or lost; writing each heartbeat's time behind the cache (heartbeat step 5) "
              "gives the same last-seen without depending on them.", theme="Presence")
workflow.note("A user going offline on purpose (closing the app on their last connected device: the chat server's map "
              "lists one connection per device) deletes the key at once; expiry handles crashes "
              "and lost networks. Friends who have the chat open can subscribe to changes instead of asking.",
              theme="Presence")
workflow.note("The gateway ends TLS, so chat servers receive plain frames and spend no CPU on encryption.",
              theme="Security")
workflow.note("Media files are encrypted on the phone before upload (step 53), so the CDN and object storage "
              "hold only ciphertext under unguessable URLs; the key travels inside the end-to-end encrypted "
              "message.", theme="Security")
workflow.note("The source says messages are end-to-end encrypted with a symmetric key. The bulk encryption is "
              "symmetric, but two apps must first agree on that key without the server learning it: that takes "
              "public keys (as in the Signal protocol, which also changes the key with every message). In a group, "
              "each sender shares a sender key with every member once, so one ciphertext serves the whole group "
              "and the server can store it once (step 39). When a member leaves, every sender makes a new "
              "sender key and shares it with those who remain.",
              theme="Security")
workflow.note("End-to-end encryption and server-side search exclude each other: the index workers cannot read an "
              "encrypted body. Apache Solr search (steps 57 to 62) fits workplace chat without end-to-end "
              "encryption (Slack); WhatsApp and Signal search on the phone.", theme="Security")


# --- Presence heartbeats: far more frequent than messages, so a path at their own rate ---
ONLINE, HEARTBEAT_S = 100_000_000, 30  # the requirements' users online at once; seconds between heartbeats
heartbeats = chat.path("heartbeats", "Presence heartbeats",
                       rate=(ONLINE / HEARTBEAT_S, "100 bytes", "100 million apps online, one heartbeat every 30 s"))
heartbeats.step(1, sender, gateway,
                "Every 30 seconds the sender's app sends a small heartbeat frame over its WebSocket.")
heartbeats.step(2, gateway, chat_a, "The gateway passes it to chat server A.")
heartbeats.step(3, chat_a, presence_service, "A passes the heartbeat on to the presence service.")
heartbeats.step(4, presence_service, presence_cache,
                "The presence service sets the key again with its time to live, the same `SET presence:<id> online EX 90` "
                "as step 11 of the workflow (an `EXPIRE` would not bring back a key already gone); a key whose heartbeats stop expires by itself.",
              effect="write",
              after_crash=("accepted", "write-behind: a crash loses the unwritten batch, so a last-seen time can be up to 30 s old"))
heartbeats.step(5, presence_service, last_seen,
                "Write-behind: every few seconds it writes the latest heartbeat times in one batch to the "
                "last-seen store.",
              effect="write", share=0.01)


# --- API: the same operations travel as frames on the WebSocket or as HTTPS calls --------
RATE_LIMITED = {429: {"Retry-After": "Seconds to wait before trying again",
                      "RateLimit": "What is left of the quota and when it refills (IETF draft), e.g. \"default\";r=0;t=20"}}

chat.endpoint(
    "POST", "/v1/sessions", "Sign in and load the home screen: profile, friends, groups and their latest messages",
    starts=(workflow, 1),
    request={"phone": "string: the phone number the account is registered with",
             "code?": "string: the one-time code texted to that phone, the credential the auth service checks (step 3) at the first sign-in",
             "refresh_token?": "string: from an earlier sign-in, instead of a code: how an app that restarts or reconnects signs in again without a new text message"},
    response={"access_token": "string: for the HTTPS calls",
              "refresh_token": "string: long-lived, kept on the phone, revoked when the user signs out",
              "socket_token": "string: short-lived, signed by the auth service: what the WebSocket is opened with",
              "gateway_url": "string: the wss:// address of the WebSocket gateway",
              "friends": "object[]: each friend's ID, name and avatar URL",
              "groups": "object[]: each group's ID, name and latest messages (from the group cache)"},
    status={201: "Signed in: a new session", 400: "No phone number, or neither a code nor a refresh token",
            401: "Wrong or expired code, or a revoked refresh token",
            429: "Too many attempts for this phone number (Retry-After says when to try again)"},
    response_headers=RATE_LIMITED,
)
chat.endpoint(
    "GET", "/v1/ws",
    "Open the WebSocket: the gateway checks the token and proxies the connection to the chat server the user ID hashes to",
    starts=(workflow, 8),
    status={101: "Switching Protocols: over HTTP/1.1 the connection is now a WebSocket",
            200: "The same handshake over HTTP/2, where it is an extended CONNECT (RFC 8441): the stream is now a WebSocket",
            400: "Not a WebSocket handshake (over HTTP/1.1: no Upgrade header or no Sec-WebSocket-Key)",
            401: "Missing, forged or expired socket token: sign in again (with the refresh token) for a new one",
            429: "Reconnecting too fast, e.g. everyone at once after a chat server left the ring (Retry-After, with jitter)"},
    headers={"Authorization": "Bearer socket_token from the sign-in (the gateway checks its signature, step 8)",
             "Upgrade": "websocket (HTTP/1.1 only; over HTTP/2 the CONNECT request's :protocol pseudo-header says websocket)",
             "Sec-WebSocket-Key": "HTTP/1.1 only: a random value that the server's Sec-WebSocket-Accept must answer"},
    response_headers={101: {"Sec-WebSocket-Accept": "The hash of the client's key: proof that the server speaks WebSocket"},
                      429: {"Retry-After": "Seconds to wait; the app adds random jitter on top"}},
)
chat.endpoint(
    "POST", "/v1/conversations/{conversation_id}/messages",
    "Send a message to a person or a group (a group message takes steps 36 to 45); the answer is the sent tick",
    starts=(workflow, 14),
    request={"conversation_id": "string: the one-to-one conversation or the group",
             "body": "string: the end-to-end encrypted message, base64; for an image it carries the file's URL, its key and a thumbnail (step 54)"},
    response={"seq": "integer: the message's sequence number in the conversation, the order every member sees",
              "message_id": "string: its Snowflake ID",
              "stored_at": "string: ISO 8601 time it became durable"},
    status={201: "Stored at QUORUM: the sent tick. A resend with the same client_msg_id gets the first copy's seq, not a second message",
            400: "An empty body, or one over the size limit", 401: "No valid token",
            403: "Not a member of the conversation (a message to someone who blocked the sender is accepted and never delivered, so the block stays private)",
            404: "No such conversation",
            429: "Sending too fast: a spam guard (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the sender",
             "Idempotency-Key": "The message's client_msg_id, chosen by the app and kept until the sent tick arrives: unique per sender"},
    response_headers=RATE_LIMITED,
)
chat.endpoint(
    "POST", "/v1/conversations/{conversation_id}/receipts",
    "Say delivered or read up to a sequence number; the receipt travels back to the sender (steps 22 to 28)",
    starts=(workflow, 22),
    request={"conversation_id": "string: the conversation",
             "kind": "string: delivered or read",
             "up_to_seq": "integer: every message up to this number is delivered (or read)"},
    status={204: "The watermark moved forward, or was already past up_to_seq: it never moves back, so a late or repeated receipt is harmless",
            400: "An unknown kind, or a seq the conversation has not reached", 401: "No valid token",
            403: "Not a member of the conversation", 404: "No such conversation"},
    headers={"Authorization": "Bearer token of the receiver"},
)
chat.endpoint(
    "GET", "/v1/conversations/{conversation_id}/messages",
    "Read a conversation a page at a time by sequence number: after a seq to catch up after a reconnect, before one to scroll back",
    starts=(workflow, 31),
    request={"conversation_id": "string: the conversation",
             "after_seq?": "integer: catch up: messages after this number, oldest first",
             "before_seq?": "integer: scroll back: messages before this number, newest first",
             "limit?": "integer: messages per page, 50 by default, at most 100"},
    response={"messages": "object[]: seq, Snowflake ID, sender, encrypted body, media",
              "receipts": "object[]: each other member's delivered and read watermarks, for the ticks a reconnecting sender missed (step 34)",
              "next_cursor?": "integer: the seq to pass as after_seq (catching up) or before_seq (scrolling back) for the next page; absent at the end"},
    status={200: "One page", 400: "Both after_seq and before_seq, or a limit over 100", 401: "No valid token",
            403: "Not a member of the conversation", 404: "No such conversation",
            429: "Over the read quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of a member"},
    response_headers=RATE_LIMITED,
)
chat.endpoint(
    "GET", "/v1/users/{user_id}/presence", "Is a user online, and if not, when were they last seen?",
    starts=(workflow, 46),
    request={"user_id": "string: the user asked about"},
    response={"online": "boolean: a presence key exists (a heartbeat in the last 90 seconds)",
              "last_seen_at?": "string: ISO 8601 time of the last heartbeat, when offline (from the last-seen store)"},
    status={200: "The answer, up to one TTL stale", 401: "No valid token",
            403: "Not a friend, or the user hides their presence", 404: "No such user"},
    headers={"Authorization": "Bearer token of the asker"},
    response_headers={"Cache-Control": "private, max-age=30: one heartbeat interval; presence may lag anyway"},
)
chat.endpoint(
    "POST", "/v1/media/upload_urls",
    "Get a presigned URL to upload one encrypted image straight to object storage (the file never passes through our servers)",
    starts=(workflow, 51),
    request={"content_type": "string: e.g. image/jpeg",
             "size": "integer: bytes of the encrypted file"},
    response={"upload_url": "string: presigned PUT URL for one new object, valid for minutes; it signs the Content-Length, so object storage refuses a file bigger than the size declared",
              "media_url": "string: the CDN URL the message will carry"},
    status={201: "A new object name and the permission to write it",
            400: "A content type that is not allowed, or a declared size over the limit (this request's own body is small, so not 413)",
            401: "No valid token",
            429: "Over the upload quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the sender",
             "Idempotency-Key": "The app's ID for this upload: a retry returns the same object name"},
    response_headers=RATE_LIMITED,
)
chat.endpoint(
    "GET", "/v1/search", "Search the history of the user's conversations (only where messages are not end-to-end encrypted)",
    operation_id="searchMessages",  # the derived name reads badly
    starts=(workflow, 60),
    request={"q": "string: the words to find",
             "conversation_id?": "string: limit the search to one conversation",
             "cursor?": "string: next_cursor from the previous page"},
    response={"hits": "object[]: conversation, seq and a snippet of each matching message",
              "next_cursor?": "string: opaque position of the next page; absent at the end"},
    status={200: "One page of hits", 400: "An empty query", 401: "No valid token",
            403: "Not a member of that conversation",
            429: "Over the search quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the user"},
    response_headers=RATE_LIMITED,
)
chat.endpoint(
    "POST", "/v1/groups", "Create a group with its first members; the creator becomes its admin",
    request={"name": "string: the group's name",
             "member_ids": "string[]: the users to add, at most 999 besides the creator"},
    response={"group_id": "string: the new group, which is also its conversation ID"},
    status={201: "Created, with its group_members rows", 400: "No name, or over 1,000 members",
            401: "No valid token", 404: "An unknown user among member_ids"},
    headers={"Authorization": "Bearer token of the creator",
             "Idempotency-Key": "The app's ID for this create: a retry returns the same group"},
    response_headers={201: {"Location": "/v1/groups/{group_id}"}},
)
chat.endpoint(
    "GET", "/v1/groups/{group_id}", "A group's name and members (the chat server reads the same rows to fan out, step 38)",
    request={"group_id": "string: the group"},
    response={"name": "string: the group's name",
              "members": "object[]: each member's ID, name, avatar URL and whether they are an admin"},
    status={200: "The group", 304: "Unchanged since the ETag the app sent", 401: "No valid token",
            403: "Not a member", 404: "No such group"},
    headers={"Authorization": "Bearer token of a member",
             "If-None-Match": "The ETag of the member list the app holds"},
    response_headers={code: {"ETag": "A version of the member list: it changes when someone joins or leaves"}
                      for code in (200, 304)},
)
chat.endpoint(
    "PUT", "/v1/groups/{group_id}/members/{user_id}", "Add a member to a group (admins only)",
    request={"group_id": "string: the group", "user_id": "string: the user to add"},
    status={201: "Added: a new member", 204: "Already a member: the same request twice adds once",
            401: "No valid token", 403: "Not an admin of the group", 404: "No such group or user",
            409: "The group is full (1,000 members)"},
    headers={"Authorization": "Bearer token of an admin"},
)
chat.endpoint(
    "DELETE", "/v1/groups/{group_id}/members/{user_id}", "Remove a member (admins), or leave the group (the user themselves)",
    request={"group_id": "string: the group", "user_id": "string: the member to remove"},
    status={204: "Removed; senders switch to a new sender key, so nothing sent after this is readable by them, even a copy fanned out from a lagging replica", 401: "No valid token",
            403: "Neither an admin nor the member themselves", 404: "No such group, or not a member"},
    headers={"Authorization": "Bearer token of an admin or of the member"},
)

# --- Capacity: a "write" is one message stored, a "read" one message delivered ------------
chat.capacity(
    daily_active_users=(500_000_000, "Assumption: a large messenger (WhatsApp reports over two billion monthly users); with the requirements' 100 million online at once, one in five at the busiest moment"),
    writes_per_user_per_day=(40, "Assumption: messages a user sends in a day, one-to-one and in groups"),
    read_to_write=(3, "Assumption: each message is delivered to one receiver in a one-to-one chat and to many in a group; three on average, plus catch-ups"),
    write_size=("300 bytes", "A short text, encrypted, with its IDs, sequence number and time; media travel by URL"),
    read_size=("300 bytes", "A delivered message is the same frame"),
    retention=("5 years", "If messages are kept for ever (the page's other option deletes them once delivered); five years bounds it"),
    peak_to_average=(2, "Evenings, spread across time zones by a worldwide user base"),
    hot_fraction=(0.01, "The group cache keeps only the latest messages of recently active groups, a small share of a day's deliveries"),
)

# --- API examples: checked against the schemas above ---------------------------------
chat.example(
    "POST /v1/sessions",
    request={"phone": "+33612345678", "code": "482913"},
    responses={
        201: {
            "access_token": "at_9c2e71f0b4d8",
            "refresh_token": "rt_51aa03e7c6f2",
            "socket_token": "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1XzQ4MjEzIn0.c2ln",
            "gateway_url": "wss://gw-17.chat.example/v1/ws",
            "friends": [
                {
                    "user_id": "u_90017",
                    "name": "Grace",
                    "avatar_url": "https://cdn.chat.example/avatars/u_90017.jpg",
                },
            ],
            "groups": [
                {
                    "group_id": "g_1205",
                    "name": "Weekend plans",
                    "latest": [{"seq": 41, "sender_id": "u_90017", "body": "BASE64-CIPHERTEXT"}],
                },
            ],
        },
        429: {"error": "rate_limited", "message": "Too many attempts for this phone number"},
    },
)
chat.example(
    "GET /v1/ws",
    headers={"Upgrade": "websocket", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="},
    responses={200: None, 429: {"error": "rate_limited", "message": "Reconnecting too fast; retry after the Retry-After delay, with jitter"}},
)
chat.example(
    "POST /v1/conversations/{conversation_id}/messages",
    headers={"Idempotency-Key": "fc6d91be-4e32-48e0-9dda-5445a7d582af"},
    request={"conversation_id": "c_7731", "body": "See you at 8?"},
    responses={
        201: {"seq": 3, "message_id": "m_90412", "stored_at": "2026-12-07T09:30:00Z"},
        429: {"error": "rate_limited", "message": "Sending too fast"},
    },
)
chat.example(
    "POST /v1/conversations/{conversation_id}/receipts",
    request={"conversation_id": "c_7731", "kind": "read", "up_to_seq": 3},
    responses={204: None, 404: {"error": "not_found", "message": "No such conversation"}},
)
chat.example(
    "GET /v1/conversations/{conversation_id}/messages",
    request={"conversation_id": "c_7731", "after_seq": 40, "limit": 20},
    responses={
        200: {
            "messages": [
                {
                    "seq": 41,
                    "message_id": "1863029384756301824",
                    "sender_id": "u_90017",
                    "body": "BASE64-CIPHERTEXT",
                    "media": None,
                },
            ],
            "receipts": [{"user_id": "u_90023", "delivered_seq": 41, "read_seq": 40}],
            "next_cursor": 41,
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
chat.example(
    "GET /v1/users/{user_id}/presence",
    request={"user_id": "u_48213"},
    responses={
        200: {"online": True, "last_seen_at": "2026-12-07T09:30:00Z"},
        404: {"error": "not_found", "message": "No such user"},
    },
)
chat.example(
    "POST /v1/media/upload_urls",
    headers={"Idempotency-Key": "fec537e0-666e-4069-9a59-e5fcb5be85c0"},
    request={"content_type": "image/jpeg", "size": 20480},
    responses={
        201: {
            "upload_url": "https://storage.chat.example/media/u_48213/7d1e0c.jpg.enc?X-Amz-Expires=600&X-Amz-Signature=5c1e9b",
            "media_url": "https://media.chat.example/u_48213/7d1e0c.jpg.enc",
        },
        429: {"error": "rate_limited", "message": "Over the upload quota"},
    },
)
chat.example(
    "GET /v1/search",
    request={"q": "jazz in paris", "conversation_id": "c_7731", "cursor": "eyJvZmZzZXQiOjIwfQ"},
    responses={
        200: {
            "hits": [{"conversation_id": "c_7731", "seq": 12, "snippet": "…the <em>jazz</em> club near the station…"}],
            "next_cursor": "eyJvZmZzZXQiOjIwfQ",
        },
        429: {"error": "rate_limited", "message": "Over the search quota"},
    },
)
chat.example(
    "POST /v1/groups",
    headers={"Idempotency-Key": "495181b0-a5b8-407d-9c16-469fc8ee4ece"},
    request={"name": "Weekend plans", "member_ids": ["u_90017", "u_31337"]},
    responses={201: {"group_id": "g_1205"}, 404: {"error": "not_found", "message": "An unknown user among member_ids"}},
)
chat.example(
    "GET /v1/groups/{group_id}",
    headers={"If-None-Match": "\"5d41402abc4b2a76\""},
    request={"group_id": "g_1205"},
    responses={
        200: {
            "name": "Weekend plans",
            "members": [
                {
                    "user_id": "u_48213",
                    "name": "Ada",
                    "avatar_url": "https://cdn.chat.example/avatars/u_48213.jpg",
                    "admin": True,
                },
            ],
        },
        404: {"error": "not_found", "message": "No such group"},
    },
)
chat.example(
    "PUT /v1/groups/{group_id}/members/{user_id}",
    request={"group_id": "g_1205", "user_id": "u_48213"},
    responses={201: None, 409: {"error": "conflict", "message": "The group is full"}},
)
chat.example(
    "DELETE /v1/groups/{group_id}/members/{user_id}",
    request={"group_id": "g_1205", "user_id": "u_48213"},
    responses={204: None, 404: {"error": "not_found", "message": "No such group, or not a member"}},
)
