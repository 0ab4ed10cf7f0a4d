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
    role="Buffers counter updates between the fast cache and the slower document store (write-behind)")
dropped_queue = rate_limiter_system.component(
    "dropped_queue", "Dropped-request queue", kind="message_queue", group="Messaging",
    role="Keeps a record of every rejected request for analytics and auditing")
rules_cache = rate_limiter_system.component(
    "rules_cache", "Rules cache", kind="redis", group="Data stores",
    role="Rate-limit rules in memory, keyed by endpoint and client tier")
lock = rate_limiter_system.component(
    "lock", "Redis lock", kind="redis", group="Data stores",
    role="A short-lived lock per client key, so two servers do not update one counter at once")
throttle_cache = rate_limiter_system.component(
    "throttle_cache", "Throttle cache", kind="redis", group="Data stores",
    role="The live counters (or token buckets) of every client, sharded by client key, each with a TTL of its window")
rules_replica = rate_limiter_system.component(
    "rules_replica", "Rules replica", kind="mongodb", group="Data stores",
    role="A read replica of the MongoDB collection that holds the rules")
throttle_store = rate_limiter_system.component(
    "throttle_store", "Throttle store", kind="mongodb", group="Data stores",
    role="MongoDB: the durable copy of the counters, for recovery, long windows and audits")

workflow = rate_limiter_system.path("workflow", "Workflow")

workflow.stage("Find the rule")
workflow.step(1, client, web_server,
              "The client opens an HTTP connection and sends an API request.")
workflow.step(2, web_server, rate_limiter,
              "Before anything else runs, the web server passes the whole request on to the rate limiter service, "
              "which identifies the client (API key, user ID, cookie or IP address) and the endpoint.")
workflow.step(3, rate_limiter, rules_cache,
              "The rate limiter looks up the rule for this endpoint and client tier, for example "
              "100 requests per minute, in the rules cache.")
workflow.step(4, rate_limiter, rules_replica,
              "The rate limiter reads the rule from a read replica of the rules store and puts it into the rules cache.",
              when="On a cache miss")

workflow.stage("Count and decide")
workflow.step(5, rate_limiter, lock,
              "The rate limiter takes a short lock on the client's key, because the same client's requests "
              "may reach several rate limiter servers at the same moment; it releases the lock after step 6.")
workflow.step(6, rate_limiter, throttle_cache,
              "Under the lock, the rate limiter reads the client's counter, applies the rule's algorithm "
              "and stores the new count. A missing counter is not a miss to fill from elsewhere: the client has "
              "sent nothing yet in this window, so its count starts at zero.")
workflow.step(7, rate_limiter, dropped_queue,
              "The rate limiter drops the request and publishes a record of it (client, endpoint, time, rule) "
              "for analytics and auditing.",
              when="Over the limit")
workflow.step(8, rate_limiter, web_server,
              "The rate limiter answers 429 Too Many Requests with a Retry-After header, "
              "and the web server returns it to the client.",
              when="Over the limit")
workflow.step(9, rate_limiter, api_server,
              "The rate limiter passes the request on to the API server, which serves it as usual.",
              when="Within the limit")

workflow.stage("Persist the counters in the background")
workflow.step(10, rate_limiter, throttle_queue,
              "The rate limiter publishes the counter update to a message queue instead of writing to the "
              "database on the request path (write-behind).")
workflow.step(11, throttle_queue, throttle_sync,
              "The throttle sync service consumes the updates in batches, keeping only the latest value per key.")
workflow.step(12, throttle_sync, throttle_store,
              "The throttle sync service writes each batch to the MongoDB document store in one bulk operation.")

workflow.note("The document store is the durable copy of the throttle data: a restarted cache node reloads its "
              "counters from it, limits that span hours or days outlive the cache, and analysts and auditors "
              "query it without touching the request path.",
              theme="Storage")
workflow.note("The source has the throttle cache itself write to the message queue. Redis does not forward its "
              "writes anywhere, so in fact the rate limiter service publishes the update right after step 6.",
              theme="Storage")
workflow.note("Write-behind keeps the database off the request path, at a price: updates still in the queue when "
              "a cache node dies have not reached the store, so the counters reloaded from it are a little low "
              "and a client may briefly get a few requests more than its limit.",
              theme="Storage")
workflow.note("Both caches evict the least recently used (LRU) keys when memory runs out: rules of rarely called "
              "endpoints and counters of clients who went quiet are the ones that go.",
              theme="Caching")
workflow.note("Evicting a live counter is not harmless: the client's count restarts at zero and it gets a fresh "
              "allowance. So every counter carries a time to live (a window or two, as for the Redis key under Data storage), which removes stale counters "
              "without eviction, and the throttle cache is sized to hold every live counter, with LRU only as the "
              "last resort (Redis's `volatile-lru` evicts only keys that have a TTL).",
              theme="Caching")
workflow.note("Rules change rarely, so the rules cache can hold them for minutes (or be refreshed when a rule is "
              "edited) and read replicas are enough to absorb the misses.",
              theme="Caching")
workflow.note("Every response carries the client's quota in headers: the common X-RateLimit-Limit, "
              "X-RateLimit-Remaining and X-RateLimit-Reset, or the RateLimit-Policy and RateLimit fields of the "
              "IETF draft that standardises them. A 429 adds Retry-After, the seconds to wait before trying again.",
              theme="Responses")
workflow.note("A rejected request never reaches the API server; the record in the dropped-request queue shows "
              "which clients hit their limits and whether a limit is set too low.",
              theme="Responses")
workflow.note("Consistent hashing on the client key sends all of one client's requests to the same subset of "
              "servers, and picks the throttle cache shard that holds its counter; adding or removing a node moves "
              "only a small share of the keys.",
              theme="Distribution")
workflow.note("The source takes a distributed lock on every request. In practice a lock adds round trips and "
              "queues a client's parallel requests; most limiters make the read-and-update atomic inside Redis "
              "instead (INCR with EXPIRE, or a Lua script) and keep locks for the rare update that cannot be made atomic.",
              theme="Distribution")


# --- API: the API it protects, the headers it adds, and the operators' rules ---------
rate_limiter_system.endpoint(
    "POST", "/v1/orders", "Any call to the protected API; this one is the endpoint of the example rule under Data storage",
    starts=(workflow, 1),
    request={"items": "object[]: whatever the protected endpoint takes; the limiter never reads the body"},
    response={"order_id": "string: whatever the protected endpoint returns, passed through unchanged"},
    status={201: "Within the limit: the API server's own answer",
            401: "No valid API key: the API server refuses it (the limiter counted the call against the caller's IP address)",
            429: "Over the limit: dropped before the API server (Retry-After says when to try again)",
            503: "The throttle cache cannot be reached and this endpoint fails closed; most endpoints fail open instead"},
    headers={"Authorization": "The API key or token that identifies the client for counting",
             "Idempotency-Key": "A retry after a 429 or a timeout cannot place the order twice"},
    response_headers={"RateLimit-Policy": 'On every response: the rule, e.g. "orders";q=100;w=60 (IETF draft)',
                      "RateLimit": 'On every response: what is left and when it refills, e.g. "orders";r=13;t=17',
                      "Retry-After": "With a 429: the seconds to wait before trying again"},
)
rate_limiter_system.endpoint(
    "GET", "/v1/rate_limit", "Read one's own quotas without spending a request (not drawn: it reads the counters and counts nothing)",
    response={"quotas": "object[]: per rule, the endpoint, limit, window, requests remaining and seconds to the reset"},
    status={200: "The client's quotas", 401: "No valid API key"},
    headers={"Authorization": "The API key whose quotas to show"},
    response_headers={"Cache-Control": "No-store, since the numbers change with every request"},
)
rate_limiter_system.endpoint(
    "PUT", "/v1/rules/{rule_id}", "Create or change a rule (operators only; not drawn: it writes the rules collection)",
    request={"rule_id": "string: e.g. rule:orders-api:free",
             "endpoint": "string: the method and route the rule guards",
             "client_tier": "string: free, paid, internal …",
             "algorithm": "string: token_bucket, leaky_bucket, fixed_window, sliding_window_log or sliding_window_counter",
             "limit": "integer: requests allowed per window",
             "window_seconds": "integer: the window's length",
             "throttle": "string: hard, soft or dynamic"},
    response={"rule_id": "string: the rule", "updated_at": "string: ISO 8601 time of this version"},
    status={200: "Stored; rate limiters pick it up when their cached copy is refreshed", 400: "An unknown algorithm, or a limit or window that is not positive",
            403: "Not an operator", 412: "The rule changed since the ETag in If-Match: read it again"},
    headers={"Authorization": "Bearer token of an operator",
             "If-Match": "The ETag of the rule as read, so that two operators' edits do not overwrite each other"},
)

# --- Capacity: a "user" is an API client, a "write" one request checked ---------------
rate_limiter_system.capacity(
    daily_active_users=(1_000_000, "API clients (keys, or IP addresses for anonymous calls) seen in a day by a large public API"),
    writes_per_user_per_day=(2_000, "Each request checked updates one counter, so a write is a request; a client calls a few times a minute while active"),
    read_to_write=(1, "Each check reads the client's counter once before it updates it (step 6); rules come from the rules cache and are not counted"),
    write_size=("100 bytes", "One counter update on the queue: key, window start, count, timestamp"),
    read_size=("100 bytes", "The counter read back from the throttle cache"),
    retention=("1 day", "The throttle store keeps a day of counters, the longest window a rule uses; counting every update bounds it from above"),
    peak_to_average=(4, "API traffic is bursty: business hours, batch jobs and retry storms"),
    hot_fraction=(0.001, "Only live counters stay in memory: about two per client (this interval and the last, for the sliding window counter) against some 2,000 reads a day"),
)
