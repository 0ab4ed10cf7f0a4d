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
    assert allowed == 0 and 1 <= retry_after <= 3600


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
