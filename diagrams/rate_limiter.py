"""Count each client's API requests across many servers and turn away those over their limit with HTTP 429."""

from blueprint import System

rate_limiter_system = System("API Rate Limiter")

client = rate_limiter_system.component(
    "client", "Client", kind="client", group="Client",
    role="An app, script or browser calling the API; identified by API key, user ID, cookie or IP address")
web_server = rate_limiter_system.component(
    "web_server", "Web server", kind="web_server", group="Edge",
    role="Terminates the HTTP connection and forwards every request to the rate limiter first")
rate_limiter = rate_limiter_system.component(
    "rate_limiter", "Rate limiter service", kind="rate_limiter", group="Services",
    role="Stateless proxy: finds the client's rule, counts the request, then forwards it or answers 429")
api_server = rate_limiter_system.component(
    "api_server", "API server", kind="server", group="Services",
    role="Does the real work; only sees requests that are within their limit")
throttle_sync = rate_limiter_system.component(
    "throttle_sync", "Throttle sync service", kind="worker", group="Processing",
    role="Drains counter updates from the queue and writes them to the document store in batches")
throttle_queue = rate_limiter_system.component(
    "throttle_queue", "Counter queue", kind="message_queue", group="Messaging",
    role="Buffers counter updates between the fast cache and the slower document store (write-behind); three copies of each partition")
dropped_queue = rate_limiter_system.component(
    "dropped_queue", "Dropped-request queue", kind="message_queue", group="Messaging",
    role="Carries the counts of rejected requests, per client, rule and interval, for analytics and auditing")
rules_cache = rate_limiter_system.component(
    "rules_cache", "Rules cache", kind="redis", group="Data stores",
    role="Rate-limit rules in memory, keyed by endpoint and client tier, each tagged with its version; read on every "
         "request, so a primary takes the edits and read replicas serve the lookups")
key_store = rate_limiter_system.component(
    "key_store", "API key store", kind="mongodb", group="Data stores",
    role="MongoDB collection of API keys, by the key's hash: client ID, tier, revoked or not; read through replicas")
throttle_cache = rate_limiter_system.component(
    "throttle_cache", "Throttle cache", kind="redis", group="Data stores",
    role="The live counters of every client, one hash per client and rule, sharded by that key, each with a TTL of two windows")
rules_replica = rate_limiter_system.component(
    "rules_replica", "Rules replica", kind="mongodb", group="Data stores",
    role="A read replica of the MongoDB collection that holds the rules")
throttle_store = rate_limiter_system.component(
    "throttle_store", "Throttle store", kind="mongodb", group="Data stores",
    role="MongoDB: the durable copy of the counters, one document per counter and interval, for recovery, long windows and audits")

# --- Failure behaviour ----------------------------------------------------------------
throttle_queue.fails(
    down="Nothing on the request path: limiters keep counting in the cache; the store falls behind until it is back",
    slow="The store lags; a long-window counter reloaded meanwhile (step 7) is a little low",
    loses_data="Counter updates not yet stored are lost; the store's counts run low, so a client may get a few extra requests",
    handling="A replicated queue cluster (three copies of each partition), the same one that carries the dropped counts",
    redundant=True)
dropped_queue.fails(
    down="Nothing on the request path: drop counts are not recorded, and analytics show a gap",
    slow="Drop counts reach analytics late",
    loses_data="Analytics undercount drops for the lost interval; no client is affected",
    handling="A topic on the same replicated queue cluster",
    redundant=True)
rules_cache.fails(
    down="With every copy down, each request reads its rule from the rules replica (step 5): slower, and the replica "
         "takes the full request rate; one lost replica only moves its lookups to the others",
    slow="Every request waits on its rule; the limit decision comes late",
    loses_data="Nothing durable: rules are read again from the replica (step 5)",
    handling="A Redis primary with read replicas that serve the lookups; a replica is promoted if the primary fails",
    redundant=True)
key_store.fails(
    down="Answers the limiter kept (a minute each) still work; calls with other keys get 503 until a replica answers",
    slow="Calls whose key the limiter has not seen in the last minute wait on the lookup",
    loses_data="Nothing while one member survives: every member of the replica set holds every key",
    handling="Read through replicas of a MongoDB replica set",
    redundant=True)
throttle_cache.fails(
    down="Each endpoint's rule applies: most fail open (served uncounted), some fail closed with 503",
    slow="Every API call waits on its count: the limiter's time budget runs out and the fail-open or fail-closed rule applies",
    loses_data="Counters of a lost shard restart: a minute rule gives at most one extra window's allowance, "
               "an hour or longer rule reloads the count from the store (step 7)",
    handling="Sharded by client key, each shard with a replica that takes over",
    redundant=True)
rules_replica.fails(
    down="Rules already cached keep working for their few minutes; a miss reads another member of the replica set",
    slow="Requests whose rule missed the cache wait",
    loses_data="Nothing: a member resyncs from the primary",
    handling="Other members of the rules replica set serve the reads",
    redundant=True)
throttle_store.fails(
    down="Nothing on the request path: updates wait in the queue; long-window counters cannot be reloaded (step 7) meanwhile",
    slow="The queue's backlog grows",
    loses_data="Long-window counters that must be reloaded come back low, giving some clients extra requests; audits lose the interval",
    handling="A MongoDB replica set; a secondary is elected primary",
    redundant=True)
workflow = rate_limiter_system.path("workflow", "Workflow", per="write")

workflow.stage("Identify the client and find the rule")
workflow.step(1, client, web_server,
              "The client opens an HTTP connection and sends an API request.")
workflow.step(2, web_server, rate_limiter,
              "Before anything else runs, the web server passes the whole request on to the rate limiter service, "
              "which reads the endpoint and the credentials the request presents (API key, session cookie, or none).")
workflow.step(3, rate_limiter, key_store,
              "The rate limiter checks the API key before it counts anything: it looks up the key's hash (the "
              "answer, unknown keys included, stays in the limiter's memory for a minute, so a revoked key stops "
              "working within a minute) and gets the client ID and tier. A request with no key, or with a key that is unknown or revoked, is counted against its IP "
              "address under the anonymous rule, so made-up keys never get a quota of their own. Keys end in a "
              "checksum keyed by a secret the limiter holds (an HMAC of the rest; a plain CRC, as in GitHub's "
              "tokens, only catches typos), so a made-up key fails on the limiter itself and costs no lookup: "
              "random keys cannot flood the key store's replicas.",
              when="If the key's answer is not in the limiter's memory", share=0.3, effect="read")
workflow.step(4, rate_limiter, rules_cache,
              "The rate limiter looks up the rule for this endpoint and client tier, for example "
              "100 requests per minute, in the rules cache.", effect="read")
workflow.step(5, rate_limiter, rules_replica,
              "The rate limiter reads the rule from a read replica of the rules store and adds it to the rules "
              "cache only if no entry is there yet (SET with NX), so a lagging replica cannot overwrite a newer "
              "rule that an operator's edit has just written.",
              when="On a cache miss", share=0.001, effect="read")

workflow.stage("Count and decide")
workflow.step(6, rate_limiter, throttle_cache,
              "The rate limiter runs one Lua script (EVALSHA) on the shard that holds the client's counter. In one "
              "atomic step the script takes the time from the shard's own clock (TIME), rolls the counts into the "
              "current interval, decides, and only if the request is allowed adds one to the count and renews the "
              "time to live. No lock and one round trip: Redis runs a script to the end before any other command.",
              effect="write",
              after_crash=("accepted", "a limiter that crashes after counting loses the drop counts and counter "
                           "states it had not published yet, up to 5 s of them; the cache keeps the live counts, so "
                           "only the store and the drop analytics run a little low"))
workflow.step(7, rate_limiter, throttle_store,
              "The rate limiter reads the counts the store holds for that counter in this interval and in the one "
              "before, and adds them to the new counter's two fields (HINCRBY on count and on previous): early in "
              "an interval the previous one still weighs almost whole, so restoring only this interval's count "
              "would still hand the client a fresh day of requests.",
              when="The script created the counter of a rule with a window of an hour or more", share=0.001,
              effect="read")
workflow.step(8, rate_limiter, web_server,
              "The rate limiter answers 429 Too Many Requests with a Retry-After header, and the web server "
              "returns it to the client; a request refused for its rate is not counted. Retry-After is the "
              "first second at which the script would let the request through, which is later than the "
              "interval's end: the full interval then weighs almost whole as the previous one. A request whose API key "
              "is unknown or revoked gets 401 Unauthorized here instead when its IP address is within its limit: "
              "it has been counted, so guessing keys is throttled like any other call.",
              when="Over the limit, or an unknown API key", share=0.02)
workflow.step(9, rate_limiter, dropped_queue,
              "After answering, the rate limiter records the drop off the request path: it adds it to a count "
              "per client, rule and interval in its memory and publishes those counts (client, endpoint, rule, "
              "interval, requests dropped) every few seconds, so a flood costs no queue write per request.",
              when="Over the limit", share=0.02, effect="write",
              after_crash=("accepted", "a crash before step 11 loses the counter states not yet published, up to "
                           "1 s of them; the throttle cache still holds the live counts"))
workflow.step(10, rate_limiter, api_server,
              "The rate limiter passes the request on to the API server, which serves it as usual.",
              when="Within the limit, with a valid key or none", share=0.98)

workflow.stage("Persist the counters in the background")
workflow.step(11, rate_limiter, throttle_queue,
              "The rate limiter publishes the counter's new state (counter key, interval start, count) to a "
              "message queue, partitioned by counter key, instead of writing to the database on the request "
              "path (write-behind). It sends the latest state of each counter it touched about once a second, "
              "not one message per request.", effect="write",
              after_crash=("idempotent retry", "the queue keeps an update until the sync service acknowledges it "
                           "after step 13; a crash redelivers it, and the `$max` upsert makes a repeat harmless"))
workflow.step(12, throttle_queue, throttle_sync,
              "The throttle sync service consumes the updates in batches; for each counter and interval it keeps "
              "the highest count, since counts only grow within an interval.", effect="deliver")
workflow.step(13, throttle_sync, throttle_store,
              "The throttle sync service writes each batch to the MongoDB document store in one bulk operation of "
              "upserts, one document per counter and interval, each raising the stored count with `$max`, so a "
              "late or redelivered update never lowers it.", effect="write",
              idempotent_by="the counter key and interval start, the upsert's key; `$max` leaves a repeated count as it was")

workflow.note("The document store is the durable copy of the throttle data: a rule with a long window reloads a "
              "lost counter from it (step 7), and analysts and auditors query it without touching the request path.",
              theme="Storage")
workflow.note("The source has the throttle cache itself write to the message queue. Redis does not forward its "
              "writes anywhere, so in fact the rate limiter service publishes the update (step 11).",
              theme="Storage")
workflow.note("Write-behind keeps the database off the request path, at a price: updates still in the queue when "
              "a cache node dies have not reached the store, so the counters reloaded from it are a little low "
              "and a client may briefly get a few requests more than its limit.",
              theme="Storage")
workflow.note("A counter that is missing when the script runs is treated as empty. For a rule of a minute or so "
              "that is accepted: a cache node lost in a failover costs each of its clients at most one extra "
              "window's allowance. For windows of an hour or more step 7 reloads the count; only the call whose "
              "script created the counter does it, and requests counted meanwhile are added to, not lost.",
              theme="Storage")
workflow.note("The source evicts the least recently used (LRU) keys of its cache servers. That suits the rules cache "
              "(`maxmemory-policy allkeys-lru`): an evicted rule is read again from a replica in step 5.",
              theme="Caching")
workflow.note("Evicting a live counter is not harmless: the client's count restarts at zero and it gets a fresh "
              "allowance. So every counter carries a time to live of two windows, which removes stale counters "
              "without eviction, and the throttle cache is sized to hold every live counter. LRU is the wrong last "
              "resort there: every counter has a TTL, so `volatile-lru` can evict any of them. The cache runs with "
              "`maxmemory-policy volatile-ttl`, which evicts the keys closest to expiring (counters of clients gone "
              "quiet) first; `noeviction` is the strict alternative, where the script fails with an out-of-memory "
              "error and the endpoint's fail-open or fail-closed rule applies.",
              theme="Caching")
workflow.note("Rules change rarely, so the rules cache holds them for a few minutes. An operator's edit writes the "
              "rules store and then the new version into the cache in place (a compare of versions, so two edits "
              "cannot land in reverse order); it never deletes the entry, which would let the next miss re-cache the "
              "old rule from a lagging replica.",
              theme="Caching")
workflow.note("Every response carries the client's quota in headers: the common X-RateLimit-Limit, "
              "X-RateLimit-Remaining and X-RateLimit-Reset, or the RateLimit-Policy and RateLimit fields of the "
              "IETF draft that standardises them. A 429 adds Retry-After, the seconds to wait before trying again.",
              theme="Responses")
workflow.note("A rejected request never reaches the API server; the counts in the dropped-request queue show "
              "which clients hit their limits and whether a limit is set too low.",
              theme="Responses")
workflow.note("Consistent hashing on the client key sends all of one client's requests to the same subset of "
              "servers, and picks the throttle cache shard that holds its counter; adding or removing a node moves "
              "only a small share of the keys.",
              theme="Distribution")
workflow.note("The source takes a distributed lock (a Redis lock) on every request. That costs two more round trips "
              "to a second cluster and queues a client's parallel requests, and it is unsafe: a lock without a "
              "lease blocks the client when its holder dies, and a lock that expires while its holder is paused "
              "lets the holder's late write overwrite a newer count, since nothing fences a write to a store other "
              "than the lock's. The script of step 6 needs no lock: it runs where the counter lives, as one step.",
              theme="Distribution")
workflow.note("One clock decides: the script reads the shard's clock, so every limiter server puts a request in the "
              "same interval and computes the same Retry-After, however far their own clocks drift.",
              theme="Distribution")
workflow.note("The counter's key names the rule's algorithm (`swc` for the sliding window counter), so a rule "
              "edited to count another way starts fresh counters instead of misreading counters of another shape.",
              theme="Distribution")


# --- API: the API it protects, the headers it adds, and the operators' rules ---------
rate_limiter_system.endpoint(
    "POST", "/v1/orders", "Any call to the protected API; this one is the endpoint of the example rule under Data storage",
    starts=(workflow, 1),
    request={"items": "object[]: whatever the protected endpoint takes; the limiter never reads the body"},
    response={"order_id": "string: whatever the protected endpoint returns, passed through unchanged"},
    status={201: "Within the limit: the API server's own answer",
            401: "The API key is unknown or revoked: the limiter answers itself, after counting the call against the caller's IP address",
            429: "Over the limit: dropped before the API server (Retry-After says when to try again)",
            503: "The throttle cache cannot be reached and this endpoint fails closed; most endpoints fail open instead"},
    headers={"Authorization": "The API key or token that identifies the client for counting",
             "Idempotency-Key": "A retry after a 429 or a timeout cannot place the order twice"},
    response_headers={"RateLimit-Policy": 'On every response: the rule, e.g. "orders";q=100;w=60 (IETF draft)',
                      "RateLimit": 'On every response: what is left and when it refills, e.g. "orders";r=13;t=17',
                      "Retry-After": "With a 429: the seconds to wait before trying again"},
)
rate_limiter_system.endpoint(
    "GET", "/v1/rate_limit", "Read one's own quotas without spending a request of any other rule (not drawn: it reads the counters; it is counted only under a generous rule of its own, so polling it cannot flood the throttle cache)",
    response={"quotas": "object[]: per rule, the endpoint, limit, window, requests remaining and seconds to the reset"},
    status={200: "The client's quotas", 401: "No valid API key",
            429: "Polled faster than its own rule allows (Retry-After says when to try again)"},
    headers={"Authorization": "The API key whose quotas to show"},
    response_headers={"Cache-Control": "No-store, since the numbers change with every request"},
)
rate_limiter_system.endpoint(
    "PUT", "/v1/rules/{rule_id}", "Create or change a rule (operators only; not drawn: it writes the rules collection, then the new version into the rules cache)",
    request={"rule_id": "string: e.g. rule:orders-api:free",
             "endpoint": "string: the method and route the rule guards",
             "client_tier": "string: free, paid, internal …",
             "algorithm": "string: token_bucket, leaky_bucket, fixed_window, sliding_window_log or sliding_window_counter",
             "limit": "integer: requests allowed per window",
             "window_seconds": "integer: the window's length",
             "throttle": "string: hard, soft or dynamic"},
    response={"rule_id": "string: the rule", "version": "integer: this version, one more than the last",
              "updated_at": "string: ISO 8601 time of this version"},
    status={200: "Changed; the new version is in the rules cache when the call returns. A retry whose If-Match names the version before and whose body is the version now stored (its first answer was lost) also gets 200, and writes the cache again",
            201: "Created (sent with If-None-Match: *)",
            400: "An unknown algorithm, or a limit or window that is not positive",
            403: "Not an operator",
            412: "The rule changed since the ETag in If-Match, or it already exists (If-None-Match: *): read it again",
            428: "Neither If-Match nor If-None-Match was sent: an edit must say which version it replaces"},
    headers={"Authorization": "Bearer token of an operator",
             "If-Match": "To change a rule: the ETag of the version read, so that two operators' edits do not overwrite each other",
             "If-None-Match": "To create a rule: *, so that a rule someone else created meanwhile is not overwritten"},
    response_headers={"ETag": "The new version"},
)

# --- Capacity: a "user" is an API client, a "write" one request checked ---------------
rate_limiter_system.capacity(
    daily_active_users=(1_000_000, "API clients (keys, or IP addresses for anonymous calls) seen in a day by a large public API"),
    writes_per_user_per_day=(2_000, "Each request checked is one script call that may update one counter, so a write is a request; a client calls a few times a minute while active"),
    read_to_write=(1, "Each script call reads the client's counter inside the same round trip (step 6); rules and keys come from caches and are not counted"),
    write_size=("100 bytes", "One counter update on the queue: key, window start, count, timestamp"),
    read_size=("100 bytes", "The counter read back from the throttle cache"),
    retention=("1 day", "The throttle store keeps a day of counters (the few rules with a day's window keep theirs two days, so a reload finds the previous interval); counting every update bounds it from above"),
    peak_to_average=(4, "API traffic is bursty: business hours, batch jobs and retry storms"),
    hot_fraction=(0.001, "Only live counters stay in memory: about two counts per client (this interval's and the last, in one hash) against some 2,000 reads a day"),
)

# --- API examples: checked against the schemas above ---------------------------------
rate_limiter_system.example(
    "POST /v1/orders",
    headers={"Idempotency-Key": "65f17b48-4b7f-4a01-a856-a1964c2a27ca"},
    request={"items": [{"sku": "SKU-1042", "quantity": 2}]},
    responses={201: {"order_id": "o_30017"}, 429: {"error": "rate_limited", "message": "Over the limit"}},
)
rate_limiter_system.example(
    "GET /v1/rate_limit",
    responses={
        200: {
            "quotas": [
                {
                    "endpoint": "POST /v1/orders",
                    "limit": 10,
                    "window_seconds": 60,
                    "remaining": 7,
                    "reset_seconds": 42,
                },
            ],
        },
        429: {"error": "rate_limited", "message": "Polled faster than the quota call's own rule allows"},
    },
)
rate_limiter_system.example(
    "PUT /v1/rules/{rule_id}",
    headers={"If-Match": "\"7\""},
    request={
        "rule_id": "checkout_per_user",
        "endpoint": "POST /v1/orders",
        "client_tier": "free",
        "algorithm": "token_bucket",
        "limit": 20,
        "window_seconds": 86400,
        "throttle": "hard",
    },
    responses={
        200: {"rule_id": "checkout_per_user", "version": 7, "updated_at": "2026-12-07T09:30:00Z"},
        412: {
            "error": "precondition_failed",
            "message": "The rule changed since the ETag in If-Match, or it already exists",
        },
    },
)
