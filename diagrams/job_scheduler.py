"""Run one-time and recurring jobs at their due time on a fleet of workers, each run claimed by one worker."""

from blueprint import System

scheduler = System(
    "Distributed Job Scheduler",
    schema="schemas/job_scheduler.sql",
    relationships=["users 1-to-many submissions", "submissions 1-to-1 tasks", "users 1-to-many tasks"],
)

# --- Client --------------------------------------------------------------------------
client = scheduler.component("client", "Client", kind="client", group="Client",
                             role="A user or a program that schedules tasks and checks on them")

# --- Web tier ------------------------------------------------------------------------
web_server = scheduler.component("web_server", "Web server", kind="web_server", group="Web tier",
                                 role="Stateless: accepts new tasks and status requests")
task_status = scheduler.component("task_status", "Task status service", kind="service", group="Web tier",
                                  role="Answers 'how is my task doing?' from the cache, SQL and the logs")

# --- Scheduling ----------------------------------------------------------------------
task_scheduler = scheduler.component("task_scheduler", "Task scheduler", kind="scheduler", group="Scheduling",
                                     role="Gives each new task an ID, stores it, and puts the ones due soon in the task cache")
task_executor = scheduler.component("task_executor", "Task executor", kind="scheduler", group="Scheduling",
                                    role="Claims due tasks (one executor per task) and hands them to the workers")
zookeeper = scheduler.component("zookeeper", "ZooKeeper", kind="zookeeper", group="Scheduling",
                                role="Service discovery, and who is alive: every executor and worker sends heartbeats")

# --- Messaging -----------------------------------------------------------------------
intake_queue = scheduler.component("intake_queue", "Kafka: new tasks", kind="kafka", group="Messaging",
                                   role="Holds accepted tasks until the scheduler has stored them")
due_queue = scheduler.component("due_queue", "Kafka: due tasks", kind="kafka", group="Messaging",
                                role="Claimed tasks waiting for a worker; one consumer group shares them out")
log_queue = scheduler.component("log_queue", "Kafka: run logs", kind="kafka", group="Messaging",
                                role="Execution logs on their way to the log store")
dead_letter = scheduler.component("dead_letter", "Kafka: dead letters", kind="kafka", group="Messaging",
                                  role="The runs that failed, kept for alerting and analysis")

# --- Workers -------------------------------------------------------------------------
workers = scheduler.component("workers", "Worker nodes", kind="worker", group="Workers",
                              role="Run the task's executable, several tasks at once on threads")
log_aggregator = scheduler.component("log_aggregator", "Log aggregator", kind="service", group="Workers",
                                     role="Batches execution logs into the log store")
failure_detection = scheduler.component("failure_detection", "Failure detection", kind="service", group="Workers",
                                        role="Decides what a failed run means: retry later, or give up")
alerting = scheduler.component("alerting", "Alerting service", kind="service", group="Workers",
                               role="Tells the task's owner and the operators that a run failed")

# --- Data stores ---------------------------------------------------------------------
task_cache = scheduler.component("task_cache", "Task cache (Redis)", kind="redis", group="Data stores",
                                 role="A sorted set of the task IDs due within the hour, scored by due time; "
                                      "and the progress of running tasks")
sql_db = scheduler.component("sql_db", "Tasks (PostgreSQL)", kind="postgresql", group="Data stores",
                             role="The source of truth: users, tasks, due times, status and leases")
sql_replica = scheduler.component("sql_replica", "SQL replica", kind="postgresql", group="Data stores",
                                  role="A synchronous standby: serves status pages, and is promoted if the primary fails")
object_store = scheduler.component("object_store", "Object storage (S3)", kind="s3", group="Data stores",
                                   role="The tasks' executables, uploaded once and fetched by workers")
log_store = scheduler.component("log_store", "Logs (Cassandra)", kind="cassandra", group="Data stores",
                                role="Execution logs and failure logs, per task, newest first")

# --- Failure behaviour ------------------------------------------------------------------
intake_queue.fails(down="Uploads cannot be confirmed: the confirmation answers 503 and the client retries it; tasks already stored run as usual",
                   slow="New tasks appear in the task list late",
                   loses_data="Nothing answered 202: the web server answers only once two in-sync replicas hold the message (acks=all), and the offset moves only after the task is stored",
                   handling="Each partition is replicated to three brokers, at least two in sync; the scheduler commits its offset only after it has stored the task",
                   redundant=True)
due_queue.fails(down="Claimed tasks wait; their leases lapse unrenewed and the reaper makes them due again, so runs are late, not lost",
                slow="Runs start late",
                loses_data="A claimed run never reaches a worker; its lease lapses and the reaper makes the task due again",
                handling="Each partition is replicated to three brokers; the lease and the reaper cover any message that is lost",
                redundant=True)
log_queue.fails(down="Logs of running tasks wait on the workers, or are dropped if their buffers fill; runs go on",
                slow="Log lines show up late on the status page",
                loses_data="Log lines not yet in Cassandra are gone; the run's outcome, in PostgreSQL, is not",
                handling="Each partition is replicated to three brokers; the aggregator commits its offset after each batch is written",
                redundant=True)
dead_letter.fails(down="Failed runs are not settled or alerted on; their leases lapse and the reaper makes them due again",
                  slow="Alerts and retries of failed runs come late",
                  loses_data="A failure goes unalerted; the lease that lapses still brings the task back",
                  handling="Each partition is replicated to three brokers; the lease and the reaper settle what is lost",
                  redundant=True)
task_cache.fails(down="Executors claim straight from PostgreSQL (execution step 2); running tasks show no progress",
                 slow="Claims fall back to the SQL sweep; runs may start up to a minute late",
                 loses_data="Due entries are rebuilt by the half-hourly refill, and the once-a-minute sweep claims overdue tasks: late, never lost",
                 handling="A Redis primary with a replica that takes over on failure; PostgreSQL remains the record",
                 redundant=True)
sql_db.fails(down="No task is stored, claimed or settled: new tasks wait in Kafka and due runs start late",
             slow="Claims and outcomes lag; at the top of the hour runs start seconds late",
             loses_data="Commits wait for the synchronous standby, so a failover loses no stored task, claim or outcome",
             handling="The replica is a synchronous standby and is promoted if the primary fails, in about 30 s",
             redundant=True)
sql_replica.fails(down="Status pages read the primary instead",
                  slow="Status of a finished task is slow to show",
                  loses_data="The replica copies the primary again",
                  handling="Status reads move to the primary while the replica is rebuilt",
                  redundant=True)
object_store.fails(down="Uploads fail and workers cannot fetch executables: runs fail and are retried with backoff",
                   slow="Runs start late while the executable downloads",
                   loses_data="S3 keeps each object in several zones; an executable lost anyway fails its runs until the owner uploads it again",
                   handling="S3 spreads each object over several availability zones",
                   redundant=True)
workers.fails(down="Its runs stop; their leases lapse unrenewed and the reaper makes the tasks due again for another worker",
              slow="A run that cannot renew its lease in time is taken over, and its late reports change nothing",
              loses_data="A run in progress is lost and runs again for the same occurrence, so its effects happen once",
              handling="A fleet of workers in one consumer group; Kafka hands a dead worker's partitions to the others",
              redundant=True)
task_executor.fails(down="Another executor claims the due tasks; entries it had taken from the set are claimed by the sweep within a minute",
                    slow="Due tasks wait for the other executors or the sweep",
                    loses_data="Nothing: claims live in PostgreSQL, and the reaper takes back tasks it claimed and never queued",
                    handling="Several executors, found through service discovery; SKIP LOCKED lets them claim side by side",
                    redundant=True)
log_store.fails(down="Logs wait in Kafka; status pages show the status without log lines",
                slow="Log search is slow; logs pile up in Kafka",
                loses_data="Each partition lives on three replicas; a lost node is rebuilt from the others",
                handling="A Cassandra cluster, replication factor 3",
                redundant=True)


# --- Scheduling workflow -------------------------------------------------------------
# Assumption: each account creates about five tasks a day against its 1,000 runs (most runs are recurring):
# 0.005 of a run each, some six a second on average, ten times that at the top of the hour like the runs.
# Each moves the task's metadata, about 2 kB, not its executable.
schedule = scheduler.path("scheduling", "Scheduling workflow", per="write", times=0.005, size="2 kB")

schedule.stage("Accept the task")
schedule.step(1, client, web_server,
              "The client sends the task over HTTPS with an `Idempotency-Key`: its name, its due time or cron "
              "expression, and that it has an executable.")
schedule.step(2, web_server, sql_db,
              "The web server mints the task's ID and records the submission under the client's key (`submit`, "
              "below). A retried request finds the first one's row, so it gets the same ID: from here on, every "
              "copy of this task names one ID. The answer carries the ID and a presigned upload URL.",
              effect="write", idempotent_by="the client's Idempotency-Key, unique per user among submissions",
              after_crash=("idempotent retry", "a submission with no executable, which schedules nothing: the client "
                                               "sends the create again with its key and gets the same ID and a fresh URL"), size="500 B")
schedule.step(3, client, object_store,
              "The client uploads the executable straight to object storage with that URL, under the task's ID; "
              "the web server never handles the bytes.",
              effect="write",
              after_crash=("idempotent retry", "an uploaded executable and no task: the client confirms again, and "
                                               "a confirmation of a stored ID stores nothing twice"), size="100 kB")
schedule.step(4, web_server, intake_queue,
              "Once the client reports the upload done, the web server puts the task's metadata, ID included, on "
              "Kafka, waits until the in-sync replicas have it (`acks=all`), and answers `202 Accepted`: a crash of the scheduler now loses nothing, the task waits in "
              "the log. A retried confirmation queues the same ID again, which step 6 absorbs.",
              effect="write",
              after_crash=("idempotent retry", "the task waits in Kafka; the scheduler commits its offset only after "
                                               "storing it, so a crash of the scheduler means it is delivered again"))
schedule.step(5, intake_queue, task_scheduler,
              "The task scheduler consumes the task and works out its first due time. It commits its Kafka offset "
              "only after steps 6 and 7, so a crash before then means the message comes again.",
              effect="deliver")
schedule.step(6, task_scheduler, sql_db,
              "Every task is written to PostgreSQL first, `INSERT … ON CONFLICT (id) DO NOTHING` (`store`, "
              "below): this row, not the cache, is what says the task exists, and a message delivered twice "
              "finds its ID taken and inserts nothing.",
              effect="write", idempotent_by="the task ID minted in step 2 (INSERT … ON CONFLICT (id) DO NOTHING)",
              after_crash=("reconciliation", "a stored task missing from the sorted set: the message comes again "
                                             "(the offset is not committed), and the refill and the sweep find the row anyway"))
schedule.step(7, task_scheduler, task_cache,
              "A task due within the hour also goes into the sorted set (`ZADD tasks:due <due time> <id>`), "
              "on a redelivery too: adding an ID that is already there changes nothing.",
              when="If due within the next hour", effect="write", share=0.5,
              idempotent_by="the task ID: a ZADD of a member already there changes nothing", size="100 B")
schedule.step(8, task_scheduler, task_executor,
              "The scheduler tells the executors, found through service discovery, that an earlier entry "
              "exists, so that an executor sleeping until a later due time wakes up and looks at it. A lost "
              "signal costs little: the sleeper wakes at its own time or at the once-a-minute sweep.",
              when="If due within the next hour", share=0.5, size="100 B")

schedule.stage("Refill the task cache")
schedule.step(9, task_executor, sql_db,
              "Every half hour, an executor selects the tasks due within the next hour, an index range "
              "scan on `execute_at`.", effect="read", size="200 B")
schedule.step(10, task_executor, task_cache,
              "It adds them to the sorted set. The window (one hour) is longer than the period (30 minutes), "
              "so every task is loaded at least once before it is due; a second `ZADD` of the same ID "
              "with the same score changes nothing.",
              effect="write", idempotent_by="the task ID with its due time: the same member and score added twice is one entry", size="100 B")

schedule.note("The sorted set plays the part of a min-heap: members are task IDs, scores are due times, "
              "and the lowest score is the next task. The concept page *Min-heap job scheduler* explains the structure.",
              theme="The task cache")
schedule.note("Only the next hour lives in Redis, so memory stays bounded however many tasks are scheduled "
              "for later; the rest wait in PostgreSQL, found through the index on execution time.",
              theme="The task cache")
schedule.note("The source says the min-heap allows O(log n) scheduling and O(1) for checking the next due "
              "time. That is true of a binary heap (peek O(1), push and pop O(log n)). A Redis sorted set is "
              "a skip list plus a hash: `ZADD` and `ZREM` are O(log N) per member, `ZPOPMIN` O(log N) per member "
              "popped, and reading the minimum with `ZRANGE tasks:due 0 0` is documented as O(log(N) + M) "
              "for M members returned, so O(log N) here: cheap in practice, but not O(1). Each call is also "
              "a network round trip, which costs far more than the skip list.",
              theme="Corrections")
schedule.note("The source evicts the task cache with LRU. An evicted entry is a task that silently does not "
              "run until the next refill, and the entries used least recently are exactly those due latest. "
              "Bound the cache by the time window instead and run Redis with `maxmemory-policy noeviction`; "
              "if Redis loses data anyway, the refill (steps 9 and 10) rebuilds it from PostgreSQL.",
              theme="Corrections")
schedule.note("A recurring task has one row. After a successful run the worker moves it to its next "
              "occurrence: `scheduled_for` and `execute_at` both become the next time the cron expression allows, "
              "`attempts` starts again from 0 and the status goes back to `scheduled`; if that time is within the "
              "hour, it also adds the task to the sorted set, as the scheduler does in step 7 (so does a retry).",
              theme="Recurring tasks")
schedule.note("The cache speeds things up but is never the only record. Besides falling back on a cache miss, "
              "each executor runs the SQL claim every minute for tasks already overdue, so an entry lost in a "
              "Redis failover makes a task late, never lost.",
              theme="The task cache")


# --- Execution workflow --------------------------------------------------------------
execute = scheduler.path("execution", "Execution workflow", per="write")  # one run of a task

execute.stage("Claim and dispatch")
execute.step(1, task_executor, task_cache,
             "The executor reads the entries whose due time has passed by its own clock "
             "(`ZRANGE tasks:due -inf <now> BYSCORE LIMIT 0 <batch>`) and takes them with one `ZREM` per ID, "
             "pipelined in one round trip. `ZREM` returns 1 to only one caller, so each entry goes on with one "
             "executor. Its clock only says when to ask; if nothing is due, the thread sleeps until the "
             "earliest score.",
             effect="write",
             after_crash=("reconciliation", "entries taken from the set and never claimed: the tasks are still "
                                            "scheduled in PostgreSQL, and the sweep claims them within a minute"), size="100 B")
execute.step(2, task_executor, sql_db,
             "The executor claims due tasks straight from PostgreSQL with `FOR UPDATE SKIP LOCKED` (the "
             "query below), so the system keeps running without its cache; a sweep every minute does the "
             "same for overdue tasks the cache lost.",
             when="On a cache miss (empty, restarting or unreachable)", effect="write", share=0.01, size="200 B")
execute.step(3, task_executor, sql_db,
             "For the IDs it took, the executor claims the batch in one statement (`claim_cached`, below) "
             "that compares due times with the database's `now()` only: each row still `scheduled` and due "
             "becomes `running` under a new run ID with a lease expiry; a stale entry (a task already claimed, "
             "or cancelled) matches no row and is dropped.",
             effect="write",
             after_crash=("reconciliation", "claimed tasks that no worker received: they stay running under a lease "
                                            "nobody renews, and the reaper makes them due again when it lapses"), size="200 B")
execute.step(4, task_executor, task_cache,
             "A task the executor's clock thought due but the database's does not (the executor's clock runs "
             "ahead) comes back with the time it still has to wait, as the database reckons it. The executor "
             "puts it back in the sorted set at its due time and waits that long; dropping it would leave it "
             "to the once-a-minute sweep.",
             when="If the database says it is not due yet", effect="write", share=0.01,
             after_crash=("reconciliation", "the rest of the batch is claimed and not queued; the reaper makes "
                                            "those tasks due again when their leases lapse"), size="100 B")
execute.step(5, task_executor, due_queue,
             "Each claimed task goes on the due-task topic with its run ID, its occurrence (`scheduled_for`, "
             "the due time this run belongs to) and its fencing token (`claims`).",
             effect="write",
             after_crash=("idempotent retry", "the run waits in Kafka; a worker that dies before committing its "
                                              "offset leaves it to be delivered again, with the same run ID"), size="200 B")
execute.step(6, due_queue, workers,
             "One worker of the consumer group receives it (a work queue: each task goes to one worker, "
             "not to all of them).", effect="deliver", size="200 B")
execute.step(7, workers, object_store,
             "The worker fetches the task's executable from object storage and runs it.", effect="read", size="100 kB")

execute.stage("Run and record")
execute.step(8, workers, [task_cache, sql_db],
             "While the task runs, the worker writes its progress to a status hash with a two-minute TTL "
             "that each write starts again (what the status page shows for a running task) and, every minute, renews its lease in "
             "PostgreSQL (`renew`, below), fenced by its run ID: a run longer than one lease is not taken "
             "over while its worker lives, and a renewal that returns no row tells the worker to stop.",
             effect="write", idempotent_by="the run ID: the hash is overwritten under it and the renewal is fenced by it",
             after_crash=("reconciliation", "progress shown for a run whose worker died: the hash lapses with its "
                                            "TTL, and the reaper takes back the lease nobody renews"), size="200 B")
execute.step(9, workers, log_queue, "The worker streams the run's log to Kafka, each line under its run ID "
             "and its number in the run.",
             effect="write", idempotent_by="the run ID and the line's number in the run",
             after_crash=("idempotent retry", "lines in Kafka not yet in Cassandra: the aggregator commits its offset "
                                              "after each batch is written, so a crash writes the batch again"))
execute.step(10, log_queue, log_aggregator, "The log aggregator consumes the logs.", effect="deliver")
execute.step(11, log_aggregator, log_store,
             "It writes them to Cassandra in batches, one partition per task, each line keyed by its run ID and "
             "line number, so a batch written again overwrites itself.",
             effect="write", idempotent_by="the run ID and line number, the row's clustering key",
             after_crash=("reconciliation", "a run whose logs are stored and whose outcome is not: its lease lapses "
                                            "and the reaper makes the task due again; the repeat has the same occurrence"))
execute.step(12, workers, sql_db,
             "When the run succeeds, the worker records it on the row, but only if its run ID still holds the "
             "lease (`finish`, below); a recurring task moves on to its next occurrence, with `attempts` back "
             "to 0. Then it deletes its progress hash, so the status page stops showing a run that is over.",
             effect="write", idempotent_by="the run ID: finish changes the row only while that run holds the lease",
             after_crash=("accepted", "a finished run whose progress hash was not deleted: the status page shows it "
                                      "running until the hash's TTL lapses, for up to 2 minutes"), size="200 B")

execute.stage("Handle failures")
execute.step(13, workers, zookeeper,
             "Every worker and executor sends heartbeats; a node that stops is taken out of service discovery.",
             share=0.1, size="100 B")  # heartbeats go by the clock, not by run: some 2,000 nodes every two seconds
execute.step(14, workers, dead_letter,
             "The worker puts the failed run on the dead-letter topic: the task ID, its run ID and the error, "
             "and deletes its progress hash. The row stays `running` under that run's lease (no longer "
             "renewed) until step 17 settles it, or the reaper does when the lease lapses.",
             when="If the run fails", effect="write", share=0.02,
             idempotent_by="the run ID the message carries",
             after_crash=("idempotent retry", "the failure waits in Kafka; failure detection commits its offset after "
                                              "step 17, so a crash means the message comes again"), size="1 kB")
execute.step(15, dead_letter, [alerting, failure_detection],
             "The alerting service tells the owner and the operators; the failure detection service "
             "looks at why it failed.",
             when="If the run fails", effect="deliver", share=0.02, size="1 kB")
execute.step(16, failure_detection, log_store, "The failure and its logs are stored in Cassandra, keyed by run ID.",
             when="If the run fails", effect="write", share=0.02, idempotent_by="the run ID the message carries",
             after_crash=("idempotent retry", "a failure logged and not settled: the message comes again (its offset "
                                              "is not committed), or the reaper settles the run when its lease lapses"))
execute.step(17, failure_detection, sql_db,
             "Failure detection settles the run (`retry`, below), fenced by the run ID the message carries, "
             "as `finish` is: with attempts left the task is `scheduled` again at a later `execute_at`, "
             "backing off exponentially with jitter, for the same occurrence (and goes into the sorted set if "
             "that is within the hour); past the cap it is `failed`.",
             when="If the failed run still holds the lease", effect="write", share=0.02,
             idempotent_by="the run ID the message carries: retry changes the row only while that run holds the lease", size="200 B")

execute.stage("Show a task's status")
execute.step(18, client, web_server, "The client asks over HTTPS how a task is doing.",
             share=0.1)  # status reads: one run in ten (the read-to-write ratio)
execute.step(19, web_server, task_status, "The web server hands the request to the task status service.",
             share=0.1)
execute.step(20, task_status, task_cache,
             "The service reads the status hash of a running task from the cache. A hash exists only while "
             "a run goes on: its worker deletes it when the run ends (steps 12 and 14), and one that a "
             "crashed worker left behind lapses with its short TTL.",
             effect="read", share=0.1, size="200 B")
execute.step(21, task_status, sql_replica,
             "The task is not running (not started, or finished): its status and attempts come from a SQL replica.",
             when="On a cache miss", effect="read", share=0.08, size="200 B")  # most tasks asked about are not running
execute.step(22, task_status, log_store,
             "The service reads the task's execution logs and, for a failed run, its failure logs.",
             effect="read", share=0.1)

execute.note("What each step moves, for the hot spots: only the log (steps 9 to 11, and the failure's at "
             "step 16) and the status page's answer carry the run's 10 kB. A claim, a lease renewal or an outcome "
             "updates a row of a few columns (IDs, status, times, the fencing token), about 200 B; a sorted-set "
             "entry is a task ID and its score, about 100 B; the due-task message a task ID, a run ID, the "
             "occurrence and the token, about 200 B with Kafka's framing; a dead-letter message adds the error, "
             "about 1 kB; a heartbeat about 100 B. The executable is assumed a script or a small bundle of about "
             "100 kB (the upload URL enforces a limit; a container image would belong in a registry).",
             theme="Load")
execute.note("Two executors must never both claim the same due task. `ZREM` in Redis (step 1) lets only one "
             "executor go on with a cache entry, which spares the database a pointless race; what decides is "
             "the `UPDATE` in PostgreSQL, which locks the row and re-checks its status (steps 2 and 3). The "
             "source asks for database row locks, which is this, and for 'a lock or a semaphore on the task "
             "cache'. A semaphore inside one process protects nothing across machines; the atomic command "
             "is the lock. Leases, idempotent tasks and what 'exactly once' can mean are told once, in "
             "the section *One run per task* below the pictures.",
             theme="One run per task")
execute.note("The source uses Kafka 'for deduplication of task execution requests'. Kafka does not "
             "deduplicate what consumers receive; its idempotent producer only drops a producer's own "
             "retries. Here deduplication is the task ID, minted when the task is accepted (scheduling step 2) and stored once however often its message arrives (scheduling step 6), then the claim, which hands each occurrence to one run at a time, and tasks whose effects are keyed by their occurrence.",
             theme="Corrections")
execute.note("The source sends the executor to 'SQL database replicas' on failover. A replica is read-only "
             "and cannot lock rows: `FOR UPDATE` is refused on a standby. Claims go to the primary (step 2); "
             "replicas serve status pages (step 21).",
             theme="Corrections")
execute.note("The source persists task status through the cache with write-behind. A status that decides "
             "whether a task runs again must not sit in a cache that can lose it: the outcome goes straight "
             "to PostgreSQL (steps 12 and 17), and only the progress of a running task lives in Redis (step 8), "
             "where losing it costs a stale progress bar.",
             theme="Corrections")
execute.note("The source partitions the task cache by consistent hashing on the minute of the execution "
             "time. That puts every task due in the same minute on one shard, a hot spot at 9:00 and at "
             "midnight, and the next due task may be on any shard. Partition by task ID instead: each shard "
             "is its own min-heap, and each executor watches the shards it owns.",
             theme="Corrections")
execute.note("The source suggests atomic clocks to synchronise the workers. NTP keeps machines within "
             "milliseconds, which is plenty for jobs scheduled to the second; what matters is that due "
             "times and leases are compared with one clock, the database's `now()`. An executor's own clock only says when to ask (step 1); the database answers, and says how long to wait when it is too early (step 4).",
             theme="Corrections")
execute.note("An executor that crashes between its `ZREM` (step 1) and its claim (step 3) takes the entries "
             "with it; the tasks are still `scheduled` in PostgreSQL, and the sweep of step 2 claims them within "
             "a minute: late, never lost. A crash after the claim leaves the tasks `running` under a lease that "
             "nobody renews; the reaper below makes them due again when it expires.",
             theme="One run per task")
execute.note("Kafka may hand one claimed task to two workers (a rebalance before the first one committed its "
             "offset). Both carry the same run ID, so the lease cannot tell them apart; the first `finish` wins "
             "and the second changes nothing, and since both runs have the same occurrence, the second one's "
             "effects are those of a repeat: nothing new.",
             theme="One run per task")
execute.note("Each executor and worker runs many threads, so one machine claims and runs several tasks at once.",
             theme="Inside one machine")
execute.note("An executor thread with nothing due waits on a condition variable with a timeout equal to the "
             "time left until the earliest due task; a new earlier task (scheduling step 8) signals it, so it "
             "neither polls nor oversleeps.",
             theme="Inside one machine")


# --- API -----------------------------------------------------------------------------
scheduler.endpoint(
    "POST", "/v1/tasks", "Schedule a task, once or on a cron schedule, and get an upload URL for its executable",
    starts=(schedule, 1),
    request={"name": "string: what the task is called",
             "execute_at?": "string: ISO 8601 due time, for a one-time task",
             "recurrence?": "string: a cron expression, for a recurring task (give it or execute_at, not both)",
             "executable_size": "integer: the executable's length in bytes, which the upload URL will enforce"},
    response={"task_id": "string: the task's ID, minted now and kept for good; the executable's key in object storage is named by it",
              "upload_url": "string: presigned PUT for that key, valid for minutes"},
    status={201: "ID and upload URL issued; nothing is scheduled until the upload is confirmed",
            400: "Both or neither of execute_at and recurrence, a cron expression that does not parse, a time in the past, or an executable over the size limit",
            401: "No valid token", 429: "Over the scheduling quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the user or program that owns the task",
             "Idempotency-Key": "Kept with the submission (unique per user): a retried request returns the same task_id, with a fresh upload URL, instead of a second submission"},
    response_headers={429: {"Retry-After": "Seconds to wait before trying again"}},
)
scheduler.endpoint(
    "POST", "/v1/tasks/{task_id}/upload_complete", "Confirm the upload, so the task is queued for the scheduler",
    starts=(schedule, 4),
    request={"task_id": "string: the ID returned by POST /v1/tasks"},
    status={202: "On the new-task topic: it will run; it appears in GET /v1/tasks under this ID once the scheduler has stored it (seconds). Confirming again answers 202 again and stores nothing twice",
            401: "No valid token", 403: "Not the user who started this submission",
            404: "No such submission, or its upload URL lapsed",
            409: "No executable under that key yet: upload first"},
    headers={"Authorization": "Bearer token of the same user as the create"},
)
scheduler.endpoint(
    "GET", "/v1/tasks", "List one's tasks, newest first (found through the index on user_id)",
    request={"status?": "string: only tasks in this status: scheduled, running, succeeded, failed or cancelled",
             "cursor?": "string: next_cursor from the previous page",
             "limit?": "integer: tasks per page, 50 by default, at most 200"},
    response={"tasks": "object[]: per task, its ID, name, recurrence, next due time and status",
              "next_cursor": "string: opaque position of the next page; absent at the end"},
    status={200: "One page of tasks", 401: "No valid token",
            429: "Over the read quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the owner"},
    response_headers={429: {"Retry-After": "Seconds to wait before trying again"}},
)
scheduler.endpoint(
    "GET", "/v1/tasks/{task_id}", "How is my task doing? Status, progress if it runs, and its latest log lines",
    starts=(execute, 18),
    request={"task_id": "string: the task"},
    response={"status": "string: scheduled, running, succeeded, failed or cancelled",
              "scheduled_for": "string: ISO 8601 due time of the current occurrence",
              "execute_at": "string: ISO 8601 time of the next attempt (later than scheduled_for after a failed try)",
              "attempts": "integer: tries of the current occurrence (a retry or a takeover adds one)",
              "progress?": "object: what the worker last reported, while the task runs",
              "latest_logs": "object[]: the newest log lines of the last run and, for a failed run, its failure log"},
    status={200: "The task's status", 401: "No valid token", 403: "Not the task's owner",
            404: "No such task (or not stored yet: a queued task takes seconds to appear)",
            429: "Over the read quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the owner"},
    response_headers={"Cache-Control": "No-store: the status of a running task changes by the second",
                      429: {"Retry-After": "Seconds to wait before trying again"}},
)
scheduler.endpoint(
    "GET", "/v1/tasks/{task_id}/logs", "Search a task's execution and failure logs (Cassandra, as in execution step 22)",
    request={"task_id": "string: the task",
             "q?": "string: only lines containing this text",
             "since?": "string: ISO 8601 time; only runs after it",
             "cursor?": "string: next_cursor from the previous page"},
    response={"lines": "object[]: log lines, newest first, each with its run ID, time and text",
              "next_cursor": "string: the next, older page; absent at the end"},
    status={200: "One page of log lines", 401: "No valid token", 403: "Not the task's owner", 404: "No such task",
            429: "Over the read quota (Retry-After says when to try again)"},
    headers={"Authorization": "Bearer token of the owner"},
    response_headers={429: {"Retry-After": "Seconds to wait before trying again"}},
)
scheduler.endpoint(
    "DELETE", "/v1/tasks/{task_id}", "Cancel a task that is not running, by a conditional update that a claim at the same moment cannot also win (`cancel`). Its row stays, as cancelled, so a late copy of its submission stores nothing; a sorted-set entry left behind matches no row and is dropped at the claim, execution step 3",
    request={"task_id": "string: the task"},
    status={204: "Cancelled: it will not run again (a repeated cancel, after a lost reply, answers 204 again)",
            401: "No valid token", 403: "Not the task's owner",
            404: "No such task", 409: "The task is running (cancel it once the run ends), or it has already succeeded or failed"},
    headers={"Authorization": "Bearer token of the owner"},
)

# --- Capacity: a "user" is an account that schedules tasks, a "write" one run --------
scheduler.capacity(
    daily_active_users=(100_000, "Assumption: teams and programs with tasks on a shared scheduler (a cloud cron service or a large company's platform); the source gives no figures"),
    writes_per_user_per_day=(1_000, "Recurring tasks dominate: some forty hourly tasks per account; each run writes its claim, its outcome and its log"),
    read_to_write=(0.1, "Assumption: most runs are never looked at; a status page or log search for one run in ten"),
    write_size=("10 kB", "Mostly the run's log in Cassandra; the claim and outcome update a row in place"),
    read_size=("10 kB", "A status with its latest log lines, or a page of log search results"),
    retention=("90 days", "Assumption: execution logs are kept for three months, long enough to investigate a failure"),
    peak_to_average=(10, "Due times bunch at the top of the hour and at midnight (every report at 09:00)"),
    hot_fraction=(0.2, "80-20 rule on the day's status reads (the task cache holds due IDs, not these: see the page)"),
)

# --- API examples: checked against the schemas above ---------------------------------
scheduler.example(
    "POST /v1/tasks",
    headers={"Idempotency-Key": "959743e6-3838-4eb6-abb4-bf191f3aac0d"},
    request={
        "name": "nightly-report",
        "recurrence": "0 3 * * *",
        "executable_size": 20480,
    },
    responses={
        201: {
            "task_id": "t_5521",
            "upload_url": "https://storage.job-scheduler.example/executables/t_5521?X-Amz-Expires=900&X-Amz-Signature=77ab02",
        },
        429: {"error": "rate_limited", "message": "Over the scheduling quota"},
    },
)
scheduler.example(
    "POST /v1/tasks/{task_id}/upload_complete",
    request={"task_id": "t_5521"},
    responses={202: None, 409: {"error": "conflict", "message": "No executable under that key yet"}},
)
scheduler.example(
    "GET /v1/tasks",
    request={"status": "scheduled", "cursor": "eyJvZmZzZXQiOjIwfQ", "limit": 20},
    responses={
        200: {
            "tasks": [
                {
                    "task_id": "t_5521",
                    "name": "nightly-report",
                    "recurrence": "0 3 * * *",
                    "next_due_at": "2026-12-08T03:00:00Z",
                    "status": "scheduled",
                },
            ],
            "next_cursor": "eyJvZmZzZXQiOjIwfQ",
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
scheduler.example(
    "GET /v1/tasks/{task_id}",
    request={"task_id": "t_5521"},
    responses={
        200: {
            "status": "scheduled",
            "scheduled_for": "2026-12-08T03:00:00Z",
            "execute_at": "2026-12-07T09:30:00Z",
            "attempts": 3,
            "progress": {"rows_done": 120000, "rows_total": 500000},
            "latest_logs": [{"run_id": "run_903", "time": "2026-12-07T03:00:04Z", "text": "Exported 500,000 rows"}],
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
scheduler.example(
    "GET /v1/tasks/{task_id}/logs",
    request={
        "task_id": "t_5521",
        "q": "ERROR",
        "since": "2026-12-07T09:30:00Z",
        "cursor": "eyJvZmZzZXQiOjIwfQ",
    },
    responses={
        200: {
            "lines": [{"run_id": "run_903", "time": "2026-12-07T03:00:04Z", "text": "Exported 500,000 rows"}],
            "next_cursor": "eyJvZmZzZXQiOjIwfQ",
        },
        429: {"error": "rate_limited", "message": "Over the read quota"},
    },
)
scheduler.example(
    "DELETE /v1/tasks/{task_id}",
    request={"task_id": "t_5521"},
    responses={204: None, 409: {"error": "conflict", "message": "The task is running"}},
)
