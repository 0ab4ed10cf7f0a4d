"""A shared board of lists and tasks: a change made by one user appears on everyone's screen within a second, and offline edits merge on reconnect."""

from blueprint import System

kanban = System(
    "Kanban Board",
    schema="schemas/kanban.sql",
    relationships=[
        "boards 1-to-many lists",
        "lists 1-to-many tasks",
        "users 1-to-many tasks",  # tasks.assignee_id
        "users 1-to-many tasks",  # tasks.created_by
        "boards 1-to-many board_versions",
        "boards many-to-many users through board_members",
        "users 1-to-many board_versions",
    ],
)

# --- Clients -------------------------------------------------------------------------
client_a = kanban.component("client_a", "Client A", kind="client", group="Clients",
                            role="A browser with the board open: makes a change")
client_b = kanban.component("client_b", "Client B", kind="client", group="Clients",
                            role="Another browser with the same board open, possibly after working offline")

# --- Edge ----------------------------------------------------------------------------
cdn = kanban.component("cdn", "CDN", kind="cdn", group="Edge",
                       role="Serves the single-page app's files from close to the user")
gateway = kanban.component("gateway", "Load balancer (HAProxy)", kind="haproxy", group="Edge",
                           role="Terminates TLS, keeps each WebSocket open and pins it to one WebSocket server")

# --- Services ------------------------------------------------------------------------
ws_1 = kanban.component("ws_1", "WebSocket server 1", kind="web_server", group="Services",
                        role="Holds client A's connection; checks, stores and publishes its changes")
ws_2 = kanban.component("ws_2", "WebSocket server 2", kind="web_server", group="Services",
                        role="Holds client B's connection; pushes the board's changes to it")

# --- Messaging -----------------------------------------------------------------------
pubsub = kanban.component("pubsub", "Pub-sub (Kafka)", kind="pubsub", group="Messaging",
                          role="Changes keyed by board ID: each board's changes in one partition, in order")
replay_queue = kanban.component("replay_queue", "Replay queue (Kafka)", kind="kafka", group="Messaging",
                                role="Each board's recent changes, kept for days, in the order servers appended them: what a returning client downloads")

# --- Data stores ---------------------------------------------------------------------
session_cache = kanban.component("session_cache", "Session cache (Redis)", kind="redis", group="Data stores",
                                 role="Transient only: short-lived session keys and each board's activity level")
doc_store = kanban.component("doc_store", "Document store (MongoDB)", kind="mongodb", group="Data stores",
                             role="Leader: boards, lists, tasks and the board_versions change log")
doc_replicas = kanban.component("doc_replicas", "Document store replicas", kind="mongodb", group="Data stores",
                                role="Followers, updated asynchronously: serve whole-board loads")
static_files = kanban.component("static_files", "Static files (S3)", kind="s3", group="Data stores",
                                role="The single-page app's JavaScript, CSS and images: the CDN's origin")

# --- Failure behaviour ------------------------------------------------------------------
pubsub.fails(down="Changes are still stored and logged, but other open clients see them only when they reconnect and catch up",
             slow="Changes reach other screens late; each board's order still holds",
             loses_data="A receiver sees a gap in the board's version numbers and reads the missing change from the log (workflow step 12)",
             handling="Every partition has three replicas on different brokers; the outbox relay republishes from board_versions",
             redundant=True)
replay_queue.fails(down="Returning clients catch up from the board_versions log instead: slower, and more reads on the store",
                   slow="Catching up after a reconnect takes longer; live changes are unaffected",
                   loses_data="Nothing is lost: board_versions holds every change, and the version check finds each gap (offline sync step 5)",
                   handling="Three replicas of each partition; a gap is filled from the log by its primary key",
                   redundant=True)
session_cache.fails(down="Until the replica takes over, live edits are refused (no session key can be checked or issued); the app queues them as offline edits and retries with backoff",
                    slow="Every change waits for the key check before it is stored",
                    loses_data="Keys written just before a failover may be missing on the replica: those clients get new ones with their long-lived login (workflow step 6); activity levels restart from zero",
                    handling="A replica that Redis Sentinel promotes within seconds: every live edit passes the key check, so one server would stop all editing",
                    redundant=True)
doc_store.fails(down="No change can be stored: edits wait in the app's offline queue until a follower is elected leader",
                slow="Changes appear late; an edit whose reply times out is resent with the same edit ID",
                loses_data="A commit is acknowledged only once a majority of the replica set has it, so a new leader holds every acknowledged change",
                handling="A MongoDB replica set: a follower is elected leader within seconds and the apps resend their queued edits",
                redundant=True)
doc_replicas.fails(down="Whole-board loads go to the leader, as they already do when a follower is behind the client's copy",
                   slow="Whole-board loads are slow or older; the catch-up after the load brings the copy up to date",
                   loses_data="A follower copies the leader's data again; the leader holds everything",
                   handling="Several followers; a failed one resyncs from the leader",
                   redundant=True)
for server in (ws_1, ws_2):
    server.fails(down="Its clients' WebSockets drop; each reconnects through HAProxy to another server and catches up from its last board version",
                 slow="Its clients' changes and pushes lag; the others are unaffected",
                 loses_data="Nothing: it holds only connections, and an unanswered edit is resent with its edit ID",
                 handling="Many interchangeable servers; clients reconnect with backoff and jitter",
                 redundant=True)
static_files.fails(down="New visitors and new releases cannot load the app unless the CDN holds the files; browsers that cached it start as usual",
                   slow="A first load, or the first after a release, is slow",
                   loses_data="The release pipeline uploads the versioned files again",
                   handling="S3 keeps each object in several zones, and the CDN and the browsers' caches hide a short outage",
                   redundant=True)

kanban.connection(client_a, gateway, "WebSocket")
kanban.connection(client_b, gateway, "WebSocket")
kanban.connection(gateway, ws_1, "WebSocket")
kanban.connection(gateway, ws_2, "WebSocket")


# --- Workflow: client A moves a task, client B sees it --------------------------------
flow = kanban.path("workflow", "Workflow", per="write")  # one run per change

flow.stage("Load the app")
# About one app load a day per user, against some 20 changes: 0.05 of a change; the bundle is about 1 MB
flow.step(1, client_a, cdn,
          "Client A loads the single-page app from the CDN; the browser then keeps the files in its cache, "
          "so later visits start without a download.", share=0.05, size="1 MB")
flow.step(2, cdn, static_files, "The CDN fetches the file from object storage and keeps a copy.",
          when="On a CDN miss", effect="read", share=0.001, size="1 MB")  # the app loads far less often than once per change

flow.stage("Client A makes a change")
flow.step(3, client_a, gateway,
          "Client A moves task 7 to *Doing* and sends the change over its WebSocket: "
          "`{edit: \"a-81\", task: 7, base_version: 3, list_id: 2, position: 1.5}`, where `edit` is an ID "
          "the app gave this edit.")
flow.step(4, gateway, ws_1,
          "HAProxy picked a WebSocket server when the connection opened (the one with the fewest connections) "
          "and forwards every frame of it there.")
flow.step(5, ws_1, session_cache,
          "The server checks that the connection's short-lived session key is still valid and bumps the board's "
          "activity level.",
          effect="write",
          after_crash=("accepted", "a crash before the change is stored leaves the board's activity level one edit "
                                   "too high: a count that only tunes presence, off by at most 1 per crash"), size="100 B")
flow.step(6, ws_1, client_a,
          "The key has expired (there is no store behind this cache): the server refuses the change and "
          "client A fetches a new key over HTTPS, then resends.",
          when="On a cache miss", share=0.01, size="200 B")  # short-lived keys: about one change in a hundred meets an expired one
with flow.transaction("Check the version and log the change"):
    flow.step(7, ws_1, doc_store,
              "The server updates task 7 only if it is still at version 3 (then it becomes version 4) and "
              "both its list and the target list belong to board 10, the board this member's connection "
              "opened, and appends the change to `board_versions` as the board's version 41, with its edit ID. "
              "The commit waits for a majority of the replica set (write concern `majority`) before the server "
              "answers.",
              effect="write", idempotent_by="the edit ID the app gave the edit, unique per board in board_versions",
              after_crash=("idempotent retry", "a follower that has not applied the commit yet resumes the leader's "
                                               "oplog from the last entry it applied; oplog entries are idempotent"))
flow.step(8, doc_store, doc_replicas,
          "The leader copies the change to its followers asynchronously: they are eventually consistent.",
          effect="write",
          after_crash=("outbox", "a server that crashes now has stored the change and not announced it; the relay "
                                 "that follows board_versions appends and publishes it a few seconds later"))
flow.step(9, ws_1, replay_queue,
          "The server appends the change, with board version 41, to the board's partition of the replay queue.",
          effect="write",
          after_crash=("outbox", "a crash before the publish leaves the change queued for replay but not pushed; "
                                 "the relay publishes it from board_versions, and receivers drop a version twice seen"))
flow.step(10, ws_1, pubsub,
          "The server publishes the change with the board ID as the message key, so all of one board's "
          "changes land in one partition, in order.", effect="write")

flow.stage("Client B sees it")
flow.step(11, pubsub, [ws_1, ws_2],
          "Every WebSocket server that holds a connection to board 10 receives the change (server 1 too: "
          "other clients of the board may be connected there).", effect="deliver")
flow.step(12, ws_2, doc_store,
          "Server 2 last delivered version 39 of this board, so it reads version 40 from the `board_versions` "
          "log before it passes on 41.",
          when="If a board version is missing", effect="read", share=0.01)
flow.step(13, ws_2, gateway, "Server 2 pushes the change down client B's WebSocket.")
flow.step(14, gateway, client_b,
          "Client B receives version 41 and moves task 7 on its screen, well under a second after client A did.")

flow.note("What each step moves, for the hot spots: one change of 500 bytes (the write size) at every step but "
          "these: the app's bundle, about 1 MB, loaded about once a day per user (step 1, one change in twenty; "
          "a miss at step 2), the session key check, a key of about 100 B (step 5), and a refusal, about 200 B "
          "(step 6).", theme="Load")
flow.note("The whole design is event-driven: a change is an event, stored once, logged with a version number and "
          "fanned out; no client ever polls for updates.",
          theme="Real time")
flow.note("The client calls the server through a thin remote-procedure layer over the WebSocket "
          "(`moveTask(7, 2, 1.5)` becomes one message with a request ID; the reply carries the same ID), "
          "so the app's code reads like ordinary function calls.",
          theme="Real time")
flow.note("The single-page app is cached by the browser after its first download (step 1), with versioned file "
          "names, so a new release is fetched once and an unchanged one never.",
          theme="Real time")
flow.note("The session cache holds only transient data: short-lived session keys and how active each board is "
          "(used to decide, for example, how often to save presence). Losing it logs people in again, nothing more. "
          "It evicts the least recently used keys when full (LRU); `volatile-lru` limits eviction to keys that "
          "have a TTL anyway. It still has a replica that Redis Sentinel promotes: every live edit passes the key "
          "check (step 5), so with one server a crash would stop all editing until it restarted.",
          theme="Storage")
flow.note("Each document carries a schema version. During a rollout the old and the new release of the app both "
          "read either shape, and a document is rewritten in the new shape when it is next changed, so a release "
          "needs no big migration of the database; the app's code, not the store, copes with both shapes.",
          theme="Storage")
flow.note("Followers of the document store serve whole-board loads. A follower may lag, so a board loaded from it "
          "carries its board version, and the client asks for every change after that version (offline sync "
          "path, steps 3 to 6): a lagging copy is caught up, never trusted blindly. The load reads several "
          "documents while the follower keeps applying changes, so it reads the board's version first and its "
          "lists and tasks after: they are at least that new, perhaps newer. The catch-up may then bring a change "
          "the copy already has, and the client skips any change whose task (or list) version is not above the "
          "one it holds. A snapshot read at one cluster time would do as well.",
          theme="Storage")
flow.note("Steps 9 and 10 follow the commit, so a server that crashes in between has stored a change and not "
          "announced it. `board_versions` is the outbox that repairs this: it is written in the same transaction "
          "as the task, and a relay follows its change stream (MongoDB change streams, resumed from the last "
          "token it saved) and appends and publishes every entry again. The copies it sends of changes that were "
          "announced are dropped by version, like any redelivery; one that was lost arrives seconds late.",
          theme="Ordering and delivery")
flow.note("An edit whose reply is lost (the socket dropped after step 7) is resent, online or in the offline "
          "queue, with the same edit ID. The server first looks the ID up in `board_versions` (a unique key per "
          "board) and answers a known one as the first time: a resend is neither merged against itself nor "
          "allowed to overwrite a later change by someone else. Two copies racing each other collide on that "
          "key, and the second transaction rolls back whole.",
          theme="Ordering and delivery")
flow.note("A live edit can be stale too: client B's change to task 7, based on version 3, reaches step 7 after "
          "client A's. Its 0 rows lead to the same per-field merge as an offline edit (offline sync steps 7 and 8), "
          "so people's edits meet one rule, decided on the server, whichever way they arrive.",
          theme="Ordering and delivery")
flow.note("Two servers can commit versions 41 and 42 of one board and publish them in the opposite order. Receivers "
          "deliver in version order: an early 42 waits while 41 is read from the log (step 12), and a version "
          "already delivered is dropped, so delivery at least once is safe.",
          theme="Ordering and delivery")
flow.note("The replay queue is the fast catch-up log: a client that was away gets the board's recent changes "
          "from it. Servers append after their commits, so the queue is only roughly in version order: the "
          "reader sorts by version and fills any gap from `board_versions` (offline sync steps 4 and 5). "
          "It keeps days, not years; older history is in `board_versions`.",
          theme="Storage")
flow.note("Membership is checked when a connection subscribes to a board, not on every frame, so removing a "
          "member is itself a logged change of the board: every server that receives it drops that user's "
          "subscription to the board, and an edit the user sends afterwards is refused like one from a "
          "stranger. A client that reconnects is checked again (offline sync step 3).",
          theme="Ordering and delivery")
flow.note("The source has HAProxy use round-robin and also pick \"a server with free capacity\". Round-robin spreads "
          "new connections evenly but ignores how many long-lived WebSockets each server already holds; "
          "`balance leastconn` does what the source means.",
          theme="Corrections")
flow.note("The source uses consistent hashing on the board ID to pick a pub-sub server. Kafka does not: its default "
          "partitioner hashes the message key modulo the number of partitions. What matters is the same either "
          "way: one board, one partition, one order.",
          theme="Corrections")
flow.note("The source has the pub-sub server pass on the WebSocket connection itself. A connection cannot travel: "
          "it stays between the client, HAProxy and one WebSocket server; what the pub-sub carries is the change. "
          "Kafka consumers also read whole partitions, not single boards, so each server skips the boards it does "
          "not serve; a per-board channel (Redis Pub/Sub, NATS subjects) avoids that at large scale.",
          theme="Corrections")
flow.note("The source has the receiving server fetch every change from the document store. The message already "
          "carries the change; the store is read only to fill a gap in the version numbers "
          "(step 12).",
          theme="Corrections")


# --- Offline edits: client B comes back ------------------------------------------------
# Assumption: each daily user reconnects about three times a day (a laptop wakes, a train leaves a tunnel),
# against their 20 changes: 0.15 per change, some 350 a second on average, three times that at peak. A catch-up
# carries about ten changes of 500 bytes, 5 kB.
sync = kanban.path("offline_sync", "Offline sync", per="write", times=0.15, size="5 kB")

sync.stage("Catch up")
sync.step(1, client_b, gateway,
          "Client B is back online after an hour. It reopens its WebSocket and sends the last board version it "
          "saw (35) and its queued edits, each with the task version it was based on. No time: its clock says "
          "nothing about where it stopped.", size="1 kB")
sync.step(2, gateway, ws_2, "HAProxy pins the new connection to a WebSocket server, here server 2.", size="1 kB")
sync.step(3, ws_2, doc_store,
          "The server checks that B is still a member of board 10 (`board_members`) and subscribes the "
          "connection to it, so changes committed from now on reach it live, "
          "then reads the board's current version (41) and the time the committing server recorded for "
          "version 35 (`changed_at`): two primary-key lookups (`where_to_start`, below).", effect="read", size="200 B")
sync.step(4, ws_2, replay_queue,
          "It seeks the board's partition of the replay queue to a few minutes before that time and reads to "
          "the end, keeping board 10's changes 36 to 41 and sorting them by version (two servers may have "
          "appended them in the other order).", effect="read")
sync.step(5, ws_2, doc_store,
          "Every number from 36 to 41 must be there. One the queue did not yield (the seek landed too late, "
          "the queue no longer keeps it, or its server crashed before appending it) is read from the "
          "`board_versions` log by its primary key, board and version (`catch_up`, below).",
          when="If a version is missing", effect="read", share=0.05, size="500 B")
sync.step(6, ws_2, client_b,
          "The server sends the missed changes, 36 to 41 without a gap (the delta, not the board); client B "
          "applies them in version order and drops any version a live push already brought.")

sync.stage("Merge the offline edits")
with sync.transaction("Check the version, merge, log"):
    sync.step(7, ws_2, doc_store,
              "The server takes the queued edits in the order they were made (a task created offline in a list "
              "created offline needs its list first), skips any whose edit ID is already logged, and runs the "
              "conditional update on each: "
              "`WHERE id = 7 AND version = 3`. "
              "Task 7 is now at version 4, so 0 rows change: the edit is stale.",
              effect="write", idempotent_by="the edit ID each queued edit carries, unique per board in board_versions", size="500 B")
    sync.step(8, ws_2, doc_store,
              "The server reads which fields others changed since version 3 (`list_id` and `position`: "
              "client A's move). Client B renamed the task, and `title` is not among them, so the rename is "
              "applied on top of version 4 (task 7 becomes version 5) and logged as the board's next version.",
              effect="write",
              after_crash=("outbox", "a crash before the publish leaves the merge stored and unannounced; the relay "
                                     "that follows board_versions appends it to the replay queue and publishes it"), size="500 B")
sync.step(9, ws_2, pubsub, "The server publishes the merged change, keyed by board ID, like any other.",
          effect="write", size="500 B")
sync.step(10, pubsub, ws_1, "Server 1, which holds client A's connection, receives it.", effect="deliver", size="500 B")
sync.step(11, ws_1, gateway, "Server 1 pushes the change down client A's WebSocket.", size="500 B")
sync.step(12, gateway, client_a, "Client A sees client B's offline edit appear.", size="500 B")
sync.step(13, ws_2, client_b,
          "Server 2 tells client B the new task versions and, for any field where someone else's value was "
          "replaced, what it was, so that the user can undo.", size="500 B")

sync.note("What each step moves, for the hot spots: the missed changes, about ten of 500 bytes (5 kB), from "
          "the replay queue to client B (steps 4 and 6). The reconnect carries the last version seen and a few "
          "queued edits, about 1 kB; the membership and version lookups are two small rows, about 200 B; each "
          "edit, its merge and its push is one change of 500 bytes.", theme="Load")
sync.note("Offline, the app applies edits to its local copy at once and queues them (in IndexedDB) with the task "
          "version each was based on; nothing is lost if the tab closes.",
          theme="Conflicts")
sync.note("A fresh edit (its base version is the current one) is applied as it is. A stale one is merged per "
          "field: fields nobody else touched are simply applied; for a field both sides changed, the last write "
          "to reach the server wins, and the value it replaced stays in `board_versions`, so nothing is lost "
          "without a trace.",
          theme="Conflicts")
sync.note("The merged edit is applied with the same conditional update on the version just read (4); if yet "
          "another change slipped in, it gets 0 rows again and the merge repeats on the newer version, which "
          "only changes as often as people edit the task. A task that is gone (deleted, or moved to another "
          "board, while client B was away) also gives 0 rows, but no version to merge on: the edit is not "
          "retried. Client B is told (step 13) with the board version of the delete or the move, which the "
          "history keeps, so the user can restore the task and apply the edit again.",
          theme="Conflicts")
sync.note("A CRDT would merge without a server decision (each field a last-writer-wins register, list order a "
          "sequence CRDT), at the price of metadata on every field and harder deletions. For a board whose "
          "changes all pass through one server per board anyway, versions and a per-field merge are simpler.",
          theme="Conflicts")
sync.note("Positions are numbers between the neighbours' (1.5 between 1 and 2), so a move rewrites one task, "
          "and two offline moves into one list rarely touch the same field. Halving one gap runs out of "
          "double precision after 52 inserts at the same spot; before that, the server renumbers the list "
          "(one logged change).",
          theme="Conflicts")
sync.note("The source stamps each offline change with a time. Here the device's time is kept for the board's "
          "history only: it orders nothing and locates nothing, since device clocks drift. Where to start "
          "reading comes from the server's record of version 35 (step 3), the version numbers show whether "
          "anything is missing (step 5), and the \"last writer\" is the last edit to reach the server.",
          theme="Conflicts")
sync.note("A Kafka partition holds many boards and has no index by key, so the server cannot jump to board 10's "
          "version 35: it seeks by time (`offsetsForTimes`) and skips other boards' messages. The time is the "
          "server's, taken back a few minutes because servers' and brokers' clocks differ a little; a seek "
          "that still lands late costs a read of the log, never a lost change, because the version numbers "
          "are checked (step 5). Cheap for an absence of hours; for longer ones the `board_versions` log, "
          "indexed by board and version, is read instead.",
          theme="Catching up")
sync.note("The source has online clients read changes from the leader and offline ones from followers. Here a live "
          "change arrives in the message itself (the leader is read only to fill a gap, workflow step 12), a "
          "returning client catches up from the queue or the log (steps 3 to 5), and a client that needs the whole "
          "board (first open, or away for months) loads it from a follower, with its board version, then asks for "
          "the changes after it.",
          theme="Catching up")
sync.note("The app keeps offline copies of the recently viewed and the starred boards only, and syncs those first "
          "when it reconnects; any other board loads when it is opened. That bounds local storage and the work of "
          "each reconnect.",
          theme="Catching up")
sync.note("When a WebSocket server fails, its connections die with it: each client opens a new WebSocket (a new "
          "TCP connection, which HAProxy pins to a healthy server) and catches up from its last board version, "
          "as in steps 1 to 6.",
          theme="Reconnecting")
sync.note("Clients retry the reconnect and the sync with exponential backoff and random jitter, so that the many "
          "clients of a failed server do not all come back in the same second and overload the servers left.",
          theme="Reconnecting")


# --- API: the HTTP calls; live changes travel over the WebSocket ----------------------
kanban.endpoint(
    "GET", "/v1/boards", "List the boards the user belongs to, most recently changed first",
    request={"cursor?": "string: next_cursor from the previous page; none for the first page",
             "limit?": "integer: boards per page, 50 by default, at most 200"},
    response={"boards": "object[]: per board, its ID, name and current board version",
              "next_cursor": "string: opaque position of the next page; absent at the end"},
    status={200: "One page of boards", 401: "No valid session",
            429: "Over the read quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the user"},
    response_headers={429: {"Retry-After": "Seconds to wait before trying again"}},
)
kanban.endpoint(
    "GET", "/v1/boards/{board_id}", "Load a whole board (first open, or after months away), read from a follower",
    request={"board_id": "string: the board"},
    response={"lists": "object[]: the lists in position order, each with its tasks, their positions and versions",
              "board_version": "integer: the board version, read before the lists and tasks, so that every part of the copy is at least this new; the client then asks for every change after it"},
    status={200: "The board; a follower whose board version is below the client's ETag is passed over for the leader, so a download never replaces a newer copy with an older one",
            304: "The board version has not moved since the ETag the client sent",
            401: "No valid session", 403: "Not a member of the board (no board_members row)", 404: "No such board",
            429: "Over the read quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of a member",
             "If-None-Match": "The ETag (board version) of the copy the app keeps offline"},
    response_headers={"ETag": "The board version, e.g. \"41\"",
                      "Cache-Control": "Private, no-cache: the browser keeps it and revalidates with the ETag",
                      429: {"Retry-After": "Seconds to wait before trying again"}},
)
kanban.endpoint(
    "PATCH", "/v1/tasks/{task_id}",
    "Change a task without a WebSocket, for integrations: the same conditional update as workflow step 7, but a stale edit is refused (412) and the integration decides; the app itself queues edits while its socket reconnects and sends them as in offline sync, where the server merges them",
    request={"task_id": "string: the task",
             "list_id?": "string: the list to move it to",
             "position?": "number: between its new neighbours' positions",
             "title?": "string: the new title",
             "assignee_id?": "string: the user it is assigned to"},
    response={"version": "integer: the task's new version",
              "board_version": "integer: the board version that logged the change"},
    status={200: "Stored, logged and published to everyone with the board open",
            400: "An unknown list, or a list on another board", 401: "No valid session",
            403: "Not a member of the board (no board_members row)", 404: "No such task",
            412: "The task changed since the version in If-Match: read it, merge, send again",
            428: "If-Match is missing: a change must say which version it was based on",
            429: "Over the write quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of a member",
             "If-Match": "The task version the edit was based on, e.g. \"3\" (the version column)"},
    response_headers={"ETag": "The task's new version",
                      429: {"Retry-After": "Seconds to wait before trying again"}},
)
kanban.endpoint(
    "POST", "/v1/lists/{list_id}/tasks", "Create a task in a list without a WebSocket (integrations)",
    request={"list_id": "string: the list",
             "task_id": "string: the ID the caller chose, a random 64-bit number, as the app does for a task created offline",
             "title": "string: the task's title",
             "position": "number: between its neighbours' positions",
             "assignee_id?": "string: the user it is assigned to"},
    response={"task_id": "string: the new task", "version": "integer: 1",
              "board_version": "integer: the board version that logged it"},
    status={201: "Created, logged and published; a retry with the same task_id answers the same and creates nothing",
            400: "Empty title", 401: "No valid session",
            403: "Not a member of the board (no board_members row)", 404: "No such list",
            409: "Another task already has this task_id (random IDs collided): choose another",
            429: "Over the write quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of a member",
             "Idempotency-Key": "The task_id again: the create is idempotent by it (INSERT ... ON CONFLICT (id) DO NOTHING)"},
    response_headers={429: {"Retry-After": "Seconds to wait before trying again"}},
)
kanban.endpoint(
    "POST", "/v1/session_keys", "Get a new short-lived session key for the WebSocket, after the old one expired (workflow step 6)",
    response={"session_key": "string: the key the WebSocket server checks in the session cache",
              "expires_in": "integer: seconds it stays valid"},
    status={201: "A new key", 401: "The long-lived login is no longer valid: sign in again"},
    headers={"Authorization": "Bearer token of the user's long-lived login"},
)

# --- Capacity: a "write" is one change to a board, a "read" one change pushed ---------
kanban.capacity(
    daily_active_users=(10_000_000, "Assumption: a large board service (Trello reports tens of millions of registered users); the source gives no figures"),
    writes_per_user_per_day=(20, "Assumption: a working day's moves, edits, assignments and new tasks"),
    read_to_write=(5, "Each change is pushed to the other clients with the board open: a team of a few people, some on two devices"),
    write_size=("500 bytes", "One change: the fields changed, IDs and versions, stored in the board_versions log"),
    read_size=("500 bytes", "A pushed change is the same message; whole-board loads are rarer and not counted"),
    retention=("10 years", "The board_versions log keeps every change for the board's history; ten years bounds it"),
    peak_to_average=(3, "Working hours in the busiest time zones"),
    hot_fraction=(0.2, "80-20 rule on the day's pushes (no component caches them: see the page)"),
)

# --- API examples: checked against the schemas above ---------------------------------
kanban.example(
    "GET /v1/boards",
    request={"cursor": "eyJvZmZzZXQiOjIwfQ", "limit": 20},
    responses={
        200: {
            "boards": [{"board_id": "b_204", "name": "Launch", "version": 17}],
            "next_cursor": "eyJvZmZzZXQiOjIwfQ",
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
kanban.example(
    "GET /v1/boards/{board_id}",
    headers={"If-None-Match": "\"5d41402abc4b2a76\""},
    request={"board_id": "b_204"},
    responses={
        200: {
            "lists": [
                {
                    "list_id": "l_881",
                    "name": "Doing",
                    "tasks": [
                        {
                            "task_id": "t_5521",
                            "title": "Write the press release",
                            "position": 1.5,
                            "version": 4,
                        },
                    ],
                },
            ],
            "board_version": 7,
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
kanban.example(
    "PATCH /v1/tasks/{task_id}",
    headers={"If-Match": "\"7\""},
    request={
        "task_id": "t_5521",
        "list_id": "l_881",
        "position": 4.5,
        "title": "Write the press release",
        "assignee_id": "u_90017",
    },
    responses={
        200: {"version": 7, "board_version": 7},
        412: {"error": "precondition_failed", "message": "The task changed since the version in If-Match"},
    },
)
kanban.example(
    "POST /v1/lists/{list_id}/tasks",
    headers={"Idempotency-Key": "7e572006-26bd-4aef-93a4-1120e46f08d0"},
    request={
        "list_id": "l_881",
        "task_id": "t_5521",
        "title": "Write the press release",
        "position": 4.5,
        "assignee_id": "u_90017",
    },
    responses={
        201: {"task_id": "t_5521", "version": 7, "board_version": 7},
        409: {"error": "conflict", "message": "Another task already has this task_id"},
    },
)
kanban.example(
    "POST /v1/session_keys",
    responses={
        201: {"session_key": "sk_3b8e1f0a6c2d", "expires_in": 86400},
        401: {"error": "unauthenticated", "message": "The long-lived login is no longer valid"},
    },
)
