"""The rate limiter's check-and-count script (step 6) on a real Redis server.

The page claims one script replaces the source's lock: it decides and counts in one atomic
step, by the shard's clock, counts only what it lets through, and leaves every counter with
a time to live. Each test states one of those claims and runs the page's own script
(`snippets/redis_patterns/rate_limiter.lua`) against the session's real `redis-server`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import ROOT

SCRIPT = (ROOT / "snippets" / "redis_patterns" / "rate_limiter.lua").read_text(encoding="utf-8")
KEY = "rl:orders-api:free:swc:key_7f3a9c"

@pytest.fixture
def redis(redis_server):
    """The session's real Redis server, emptied, as a function that sends one command."""
    client = redis_server.client()
    client.flushall()
    yield client.execute_command
    client.close()


def check(redis, limit: int, window: int, key: str = KEY) -> list[int]:
    sha = redis("SCRIPT", "LOAD", SCRIPT)
    return redis("EVALSHA", sha, 1, key, limit, window)


def test_the_script_lets_the_limit_through_and_refuses_the_next(redis):
    replies = [check(redis, limit=3, window=3600) for _ in range(4)]
    assert [reply[0] for reply in replies] == [1, 1, 1, 0]
    assert [reply[1] for reply in replies] == [2, 1, 0, 0]  # requests left, as the RateLimit header says


def test_a_refused_request_is_not_counted(redis):
    for _ in range(10):
        check(redis, limit=3, window=3600)
    assert redis("HGET", KEY, "count") == "3"


def test_a_refused_request_is_told_when_to_come_back(redis):
    for _ in range(3):
        check(redis, limit=3, window=3600)
    allowed, _, retry_after, _ = check(redis, limit=3, window=3600)
    # The current interval must end, and the previous interval's weight may still count after
    # that, so the wait can exceed one window but never two (the last allowed count has left then).
    assert allowed == 0 and 1 <= retry_after <= 2 * 3600


def test_parallel_requests_of_one_client_are_counted_exactly_without_a_lock(redis_server):
    """Forty requests from many servers at once, limit 25: exactly 25 go through."""
    redis_server.client().flushall()

    def one(_):
        client = redis_server.client()
        try:
            return check(client.execute_command, limit=25, window=3600)[0]
        finally:
            client.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        allowed = list(pool.map(one, range(40)))
    assert sum(allowed) == 25
    probe = redis_server.client()
    assert probe.hget(KEY, "count") == "25"
    assert probe.keys("*") == [KEY]  # one counter, and no lock key anywhere
    probe.close()


def test_the_interval_comes_from_the_shards_clock(redis):
    """The caller passes no time: the script reads TIME, so skewed servers agree."""
    seconds = int(redis("TIME")[0])
    check(redis, limit=5, window=60)
    start = int(redis("HGET", KEY, "start"))
    assert start % 60 == 0 and seconds - 60 < start <= seconds + 1
    assert "redis.call('TIME')" in SCRIPT and "ARGV[3]" not in SCRIPT


def test_every_counter_expires_after_two_windows(redis):
    check(redis, limit=5, window=60)
    assert 60 < redis("TTL", KEY) <= 120


def test_only_the_call_that_creates_a_counter_is_told_to_reload_it(redis):
    """Step 7 reloads a long-window counter from the store; exactly one caller does it."""
    created = [check(redis, limit=5, window=86400)[3] for _ in range(3)]
    assert created == [1, 0, 0]


def test_a_new_interval_carries_the_last_count_as_previous(redis):
    seconds = int(redis("TIME")[0])
    window = 86400
    start = seconds - seconds % window
    redis("HSET", KEY, "start", start - 2 * window, "count", 9, "previous", 9)
    assert check(redis, limit=10, window=window)[0] == 1  # two intervals ago: forgotten
    assert redis("HMGET", KEY, "count", "previous") == ["1", "0"]
    redis("HSET", KEY, "start", start - window, "count", 4, "previous", 0)
    check(redis, limit=100, window=window)
    assert redis("HMGET", KEY, "count", "previous") == ["1", "4"]  # the last interval: weighted in


def test_the_page_includes_the_script_it_describes():
    page = (ROOT / "docs" / "systems" / "rate_limiter.md").read_text(encoding="utf-8")
    assert '--8<-- "snippets/redis_patterns/rate_limiter.lua"' in page
    assert f"EVALSHA <sha1> 1 {KEY} 100 60" in page


def test_the_fixed_window_pipeline_sets_a_lost_time_to_live_once(redis):
    """The trade-off's other atomic update: INCR, then EXPIRE ... NX on every request."""
    key = "rl:orders-api:free:fw:key_7f3a9c:1714556460"
    redis("INCR", key)  # a request whose EXPIRE never arrived: no time to live
    assert redis("TTL", key) == -1
    assert redis("INCR", key) == 2
    assert redis("EXPIRE", key, 120, "NX") == 1  # the next request repairs it
    assert redis("EXPIRE", key, 120, "NX") == 0  # and later ones leave it alone
    assert 0 < redis("TTL", key) <= 120
    page = (ROOT / "docs" / "systems" / "rate_limiter.md").read_text(encoding="utf-8")
    assert "`INCR key` and then `EXPIRE key seconds NX`" in page


# The script with the shard's clock replaced by a time the test chooses (ARGV[3]), so that a
# test can ask what the script decides a given number of seconds later. Only the clock differs.
AT_TIME = SCRIPT.replace("redis.call('TIME')", "{ARGV[3], '0'}")


def check_at(redis, limit: int, window: int, now: int, key: str = KEY) -> list[int]:
    return redis("EVAL", AT_TIME, 1, key, limit, window, now)


@pytest.mark.parametrize("limit, window", [(1, 60), (2, 2), (3, 60), (7, 10), (10, 60), (100, 60), (5, 3600), (300, 86400)])
def test_a_client_that_waits_retry_after_is_let_through(redis, limit, window):
    """Retry-After is a promise: a client that fills its window, is refused, waits exactly the
    seconds it was told and asks again (sending nothing in between) must be let through. A wait
    of only 'to the end of this interval' breaks it: the full interval then counts, weighted,
    as the previous one, and the retry is refused again."""
    base = 1_714_556_400 - 1_714_556_400 % window
    for offset in range(0, window, max(1, window // 7)):  # filled at several points of an interval
        redis("DEL", KEY)
        now = base + offset
        while check_at(redis, limit, window, now)[0] == 1:
            pass  # fill the window at this instant
        allowed, _, retry_after, _ = check_at(redis, limit, window, now)
        assert allowed == 0
        state = redis("HGETALL", KEY)
        state = [x for pair in state.items() for x in pair] if isinstance(state, dict) else state
        assert check_at(redis, limit, window, now + retry_after)[0] == 1, (offset, retry_after)
        if retry_after > 1:  # and it is the shortest such wait, to the second
            redis("DEL", KEY)
            redis("HSET", KEY, *state)  # the counter as it was before that probe
            assert check_at(redis, limit, window, now + retry_after - 1)[0] == 0, (offset, retry_after)


def test_a_reloaded_counter_gets_back_the_previous_interval_too(redis):
    """Step 7 after a lost cache node, a minute into a day-long interval: the client used its
    whole allowance yesterday. Topping up only today's count (zero) would leave 'previous' at
    the zero the script created it with, and hand the client almost a fresh day; topping up
    both counts, as the page's transcript does, keeps it refused."""
    limit, window = 1000, 86400
    start = 1_714_521_600
    yesterday, today = limit, 0  # what the durable store holds for the two intervals
    transcript = (ROOT / "snippets" / "redis_patterns" / "rate_limiter.redis").read_text(encoding="utf-8")
    reload = transcript.split("[start:reload]")[1].split("[end:reload]")[0]
    assert " count " in reload and " previous " in reload  # the page tops up both fields

    allowed, _, _, created = check_at(redis, limit, window, start + 60)  # the node lost the counter
    assert allowed == 1 and created == 1
    redis("HINCRBY", KEY, "count", today)
    redis("HINCRBY", KEY, "previous", yesterday)
    assert check_at(redis, limit, window, start + 61)[0] == 0

    redis("HSET", KEY, "start", start, "count", 1 + today, "previous", 0)  # count alone, as before
    assert check_at(redis, limit, window, start + 61)[0] == 1


def test_every_store_each_check_waits_on_has_a_second_copy(catalogue):
    """A store that every request reads or writes (a workflow step with no condition) puts the whole
    API behind it: the rules cache, read on every check at the full request rate, once was one Redis
    server. Each such store must have replicas (its Deep dive row then says it is no single point of
    failure)."""
    from blueprint.kinds import STATEFUL_KINDS

    system = catalogue.systems["rate_limiter"]
    on_every_request = {
        target for step in system.paths["workflow"].steps if step.when is None and step.effect in ("read", "write")
        for target in step.targets if system.components[target].kind in STATEFUL_KINDS
    }
    assert {"rules_cache", "throttle_cache"} <= on_every_request
    for component in sorted(on_every_request):
        assert system.components[component].failure.redundant, component
