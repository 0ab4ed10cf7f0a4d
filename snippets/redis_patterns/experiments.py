"""Races and measurements run on a real Redis server; the tests run them and compare
the report with `measured.txt`, which the "Redis in these designs" page includes.

Each race forces the interleaving it is about (a barrier, a pause longer than a lease), so
its numbers are the same on every run and every machine, not a matter of luck.

    python snippets/redis_patterns/experiments.py PORT    # prints the report for a server on PORT
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for our own HyperLogLog
from algorithms.hyperloglog import HyperLogLog  # noqa: E402

Connect = Callable[[], redis.Redis]


# --8<-- [start:limiters]
def read_then_write(r: redis.Redis, key: str, limit: int, between: Callable[[], None]) -> bool:
    """Looks right, is wrong: two requests can both read a count under the limit."""
    count = int(r.get(key) or 0)
    between()  # where another request's read can slip in
    if count >= limit:
        return False
    r.set(key, count + 1, ex=60)
    return True


def atomic_incr(r: redis.Redis, key: str, limit: int, between: Callable[[], None]) -> bool:
    """One INCR reads and writes in a single step: no other command runs in between."""
    count = r.incr(key)
    if count == 1:
        r.expire(key, 60)
    between()
    return count <= limit
# --8<-- [end:limiters]


def limiter_race(connect: Connect, check, *, limit: int, clients: int, waves: int) -> int:
    """How many of clients × waves requests one window lets through. In every wave all the
    clients check at the same moment: each has read before any of them writes."""
    key = f"race:{check.__name__}"
    connect().delete(key)
    barrier = threading.Barrier(clients)
    admitted = [0] * clients

    def client(index: int) -> None:
        r = connect()
        for _ in range(waves):
            if check(r, key, limit, barrier.wait):
                admitted[index] += 1
            barrier.wait()  # the wave ends together, so the next one starts from its writes

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(admitted)


# --8<-- [start:fencing]
# The store accepts a write only with a token higher than any it has accepted: a script
# runs atomically, so the check and the write cannot be separated.
FENCED_WRITE = """
local highest = tonumber(redis.call('HGET', KEYS[1], 'token') or '0')
if tonumber(ARGV[1]) <= highest then return 0 end
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'value', ARGV[2])
return 1
"""


def acquire(r: redis.Redis, lock: str, owner: str, lease_ms: int) -> int | None:
    """A lease, and with it a fencing token that grows with every grant."""
    if not r.set(lock, owner, nx=True, px=lease_ms):
        return None
    return r.incr(f"{lock}:token")
# --8<-- [end:fencing]


def lock_race(connect: Connect, *, fenced: bool, lease_ms: int = 100, pause_ms: int = 300) -> list[str]:
    """A takes the lease, then stalls (a GC pause, a slow disk) for longer than the lease;
    B takes the expired lease and writes; A wakes up and writes too. Returns the writes the
    store accepted, in order."""
    r = connect()
    r.delete("lock:seat:7", "lock:seat:7:token", "seat:7")
    token_a = acquire(r, "lock:seat:7", "A", lease_ms)
    time.sleep(pause_ms / 1000)  # A is paused; its lease runs out
    token_b = acquire(connect(), "lock:seat:7", "B", 10_000)
    assert token_a is not None and token_b is not None, "the lease did not expire during the pause"
    accepted = []
    for owner, token in (("B", token_b), ("A", token_a)):  # B writes, then A wakes and writes
        if fenced:
            if r.eval(FENCED_WRITE, 1, "seat:7", token, owner) == 1:
                accepted.append(owner)
        else:  # a store that checks nothing takes every write
            r.hset("seat:7", "value", owner)
            accepted.append(owner)
    return accepted


def pubsub_while_down(connect: Connect) -> tuple[list[str], list[int]]:
    """A subscriber is connected for messages 1 and 3 but down while 2 is published.
    Returns what it received and what each PUBLISH answered (how many got it)."""
    publisher = connect()
    received, answers = [], []

    def listen(subscriber) -> None:
        while (message := subscriber.get_message(timeout=5)) is not None:
            if message["type"] == "message":
                received.append(message["data"])
                return

    for number in (1, 2, 3):
        subscriber = None
        if number != 2:  # the subscriber is down for message 2
            subscriber = connect().pubsub()
            subscriber.subscribe("chat:room:9")
            subscriber.get_message(timeout=5)  # the subscribe confirmation
        answers.append(publisher.publish("chat:room:9", f"message {number}"))
        if subscriber is not None:
            listen(subscriber)
            subscriber.close()
    return received, answers


def sharded_pubsub_while_down(connect: Connect) -> tuple[list[str], list[int]]:
    """The same with sharded pub-sub (SSUBSCRIBE, SPUBLISH; Redis 7), as Ride-hailing's trip
    channels use it: sharding spreads channels over a cluster, it does not store messages."""
    publisher = connect()
    received, answers = [], []
    for number in (1, 2, 3):
        subscriber = None
        if number != 2:  # the subscriber is down for position 2
            subscriber = connect().pubsub()
            subscriber.ssubscribe("trip:9001")
            subscriber.get_sharded_message(timeout=5)  # the ssubscribe confirmation
        answers.append(publisher.spublish("trip:9001", f"position {number}"))
        if subscriber is not None:
            while (message := subscriber.get_sharded_message(timeout=5)) is not None:
                if message["type"] == "smessage":
                    received.append(message["data"])
                    break
            subscriber.close()
    return received, answers


def stream_redelivery(connect: Connect) -> tuple[bool, int]:
    """worker-a reads an entry and dies before XACK; worker-b claims it from the pending list.
    Returns whether worker-b got the entry worker-a had read, and how many XACK removed."""
    r = connect()
    r.delete("chat:stream:9")
    entry = r.xadd("chat:stream:9", {"from": "alice", "text": "hello"})
    r.xgroup_create("chat:stream:9", "delivery", id="0")
    ((_, [(read_by_a, _)]),) = r.xreadgroup("delivery", "worker-a", {"chat:stream:9": ">"}, count=10)
    # worker-a dies here: nothing acknowledges the entry, so it stays pending.
    _, claimed, _ = r.xautoclaim("chat:stream:9", "delivery", "worker-b", min_idle_time=0, start_id="0-0")
    (claimed_by_b, _), = claimed
    acknowledged = r.xack("chat:stream:9", "delivery", claimed_by_b)
    assert read_by_a == entry
    return read_by_a == claimed_by_b, acknowledged


def hyperloglog_side_by_side(connect: Connect, distinct: int) -> tuple[int, int]:
    """Redis's PFCOUNT and our sketch at the same size (2**14 registers) on the same items."""
    r = connect()
    r.delete("hll:visitors")
    ours = HyperLogLog(precision=14)
    items = [f"user:{i}" for i in range(distinct)]
    for start in range(0, distinct, 10_000):
        batch = items[start:start + 10_000]
        r.pfadd("hll:visitors", *batch)
        ours.update(batch)
    return r.pfcount("hll:visitors"), round(ours.estimate())


def report(connect: Connect) -> str:
    """The figures the page quotes, in sections the page includes (measured.txt)."""
    limit, clients, waves = 10, 8, 4
    let_through = {check.__name__: limiter_race(connect, check, limit=limit, clients=clients, waves=waves)
                   for check in (read_then_write, atomic_incr)}
    received, answers = pubsub_while_down(connect)
    sharded_received, sharded_answers = sharded_pubsub_while_down(connect)
    same_entry, acknowledged = stream_redelivery(connect)
    distinct = 100_000
    redis_count, our_count = hyperloglog_side_by_side(connect, distinct)
    sections = {
        "limiter_race": [
            f"limit {limit} a window, {clients * waves} requests ({clients} clients at once, {waves} times)",
            f"read-then-write lets through: {let_through['read_then_write']}",
            f"INCR lets through: {let_through['atomic_incr']}",
        ],
        "lock_race": [
            "lease 100 ms, holder A paused 300 ms, then B writes and A writes",
            f"without a fencing token the store accepts: {', '.join(lock_race(connect, fenced=False))}",
            f"with a fencing token the store accepts: {', '.join(lock_race(connect, fenced=True))}",
        ],
        "pubsub_while_down": [
            "the subscriber is down while message 2 is published",
            f"PUBLISH answers (subscribers reached): {', '.join(map(str, answers))}",
            f"the subscriber received: {', '.join(received)}",
        ],
        "sharded_pubsub_while_down": [
            "sharded: the subscriber is down while position 2 is published",
            f"SPUBLISH answers (subscribers reached): {', '.join(map(str, sharded_answers))}",
            f"the subscriber received: {', '.join(sharded_received)}",
        ],
        "stream_redelivery": [
            "worker-a reads an entry and dies before XACK",
            f"worker-b claims the same entry: {'yes' if same_entry else 'no'}; "
            f"XACK removes {acknowledged} from the pending list",
        ],
        "hyperloglog": [
            f"distinct items added: {distinct:,}",
            f"Redis PFCOUNT: {redis_count:,} ({(redis_count - distinct) / distinct:+.2%})",
            f"our HyperLogLog, 2**14 registers: {our_count:,} ({(our_count - distinct) / distinct:+.2%})",
        ],
    }
    lines = ["# Measured on a real Redis server by snippets/redis_patterns/experiments.py; the tests rerun it."]
    for name, body in sections.items():
        lines += [f"# --8<-- [start:{name}]", *body, f"# --8<-- [end:{name}]"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    port = int(sys.argv[1])
    print(report(lambda: redis.Redis(port=port, decode_responses=True)), end="")
