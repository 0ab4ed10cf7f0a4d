"""Every Redis command the site shows runs on a real server, and replies as the page says.

The transcripts in snippets/redis_patterns/*.redis are what a reader would type into
redis-cli and what it prints; each command is sent through redis-cli to the session's
private Redis server and its reply compared line by line. A scan of the pages and the
diagram scripts finds every Redis command they name, and fails on one that no transcript
runs, that the server does not know, or that is given the wrong number of arguments.
"""

from __future__ import annotations

import difflib
import html
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT

PATTERNS = ROOT / "snippets" / "redis_patterns"
TRANSCRIPTS = sorted(PATTERNS.glob("*.redis"))
PROMPT = "redis> "
MARKER = re.compile(r"--8<-- \[(start|end):(\w+)\]")

# Commands of modules that Debian's Redis 7 lacks, with their arity as documented
# (redis.io/docs/latest/commands/bf.add/ and friends): key and item(s).
MODULE_COMMANDS = {"BF.ADD": 3, "BF.EXISTS": 3, "BF.RESERVE": -4, "BF.MADD": -3, "BF.MEXISTS": -3}
NEEDS_BLOOM = "Debian's Redis 7 has no BF.* commands: they come with Redis 8 or the RedisBloom module"


@dataclass
class Exchange:
    file: str
    section: str
    line: int
    command: str
    reply: list[str]


def transcript(path: Path) -> list[Exchange]:
    """The commands of one transcript, in order, each with the reply lines that follow it."""
    exchanges: list[Exchange] = []
    section = ""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        marker = MARKER.search(line)
        if marker:
            section = marker.group(2) if marker.group(1) == "start" else ""
        elif line.startswith(PROMPT):
            exchanges.append(Exchange(path.name, section, number, line[len(PROMPT):], []))
        elif line.strip() and not line.startswith("#"):
            assert exchanges, f"{path.name}:{number}: a reply before any command"
            exchanges[-1].reply.append(line)
    return exchanges


def commands_in(command_line: str) -> set[str]:
    """The command itself, and those a Lua script in it calls (redis.call('ZADD', ...))."""
    words = shlex.split(command_line)
    found = {words[0].upper()}
    for argument in words[1:]:
        found |= {name.upper() for name in re.findall(r"redis\.call\('([A-Za-z.]+)'", argument)}
    return found


@pytest.fixture(scope="module")
def known(redis_server) -> dict[str, int]:
    """Every command name the server knows, or that a page may name from a module, with its arity."""
    arities = {name: info["arity"] for name, info in redis_server.commands().items()}
    return {**MODULE_COMMANDS, **arities}


def test_the_transcripts_are_well_formed():
    for path in TRANSCRIPTS:
        exchanges = transcript(path)
        assert exchanges, f"{path.name} runs no command"
        for exchange in exchanges:
            assert exchange.section, f"{path.name}:{exchange.line}: a command outside any --8<-- section"
            assert exchange.reply, f"{path.name}:{exchange.line}: {exchange.command!r} shows no reply"


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[path.stem for path in TRANSCRIPTS])
def test_every_reply_is_what_the_server_prints(path, redis_server, known):
    exchanges = transcript(path)
    if any(commands_in(e.command) & MODULE_COMMANDS.keys() for e in exchanges) and "BF.ADD" not in redis_server.commands():
        pytest.skip(NEEDS_BLOOM)
    redis_server.client().flushall()
    for exchange in exchanges:
        printed = redis_server.cli(exchange.command).splitlines()
        assert printed == exchange.reply, (
            f"{path.name}:{exchange.line} [{exchange.section}] {exchange.command}\n"
            "the page shows:\n  " + "\n  ".join(exchange.reply) + "\nthe server printed:\n  " + "\n  ".join(printed)
        )


def test_the_bloom_filter_transcript_is_the_only_one_that_needs_a_module():
    """Only the Bloom filter may be checked elsewhere; everything else runs on Redis 7."""
    needing = {path.name for path in TRANSCRIPTS
               if any(commands_in(e.command) & MODULE_COMMANDS.keys() for e in transcript(path))}
    assert needing == {"bloom_filter.redis"}
    text = (PATTERNS / "bloom_filter.redis").read_text(encoding="utf-8")
    assert "Redis 8" in text and "RedisBloom" in text


# --- Every command the site names is a real one, with a transcript -------------------------

# Upper-case words that are Redis commands but also SQL, HTTP or plain words: they count as
# Redis only in a code span with Redis-like arguments (`SET seat:7 … NX PX 5000`), or as a
# bare `SET key value NX|XX|EX|PX …` in prose.
AMBIGUOUS = {
    "GET", "SET", "SELECT", "TTL", "EXISTS", "ACL", "DEL", "TYPE", "KEYS", "INFO", "SAVE", "SYNC", "TIME",
    "WAIT", "ECHO", "MOVE", "SORT", "EXEC", "MULTI", "WATCH", "COPY", "DUMP", "SCAN", "ROLE", "AUTH", "PING",
    "QUIT", "RESET", "HELLO", "MONITOR", "CONFIG", "CLIENT", "DEBUG", "MEMORY", "MODULE", "OBJECT", "SCRIPT",
    "FUNCTION", "COMMAND", "CLUSTER", "LATENCY", "APPEND", "RENAME", "RESTORE", "MIGRATE", "DISCARD",
    "FAILOVER", "SHUTDOWN", "ASKING", "READONLY", "READWRITE", "UNLINK", "PERSIST", "LASTSAVE", "BGSAVE",
    "SUBSTR", "DECR", "PSYNC", "REPLCONF", "LCS",
}
SQL_WORDS = re.compile(r"\b(WHERE|FROM|JOIN|INTO|VALUES|ORDER BY|GROUP BY|FOR UPDATE|LIMIT \$|RETURNING|TABLE|IN \()\b|=")
# All-caps words in code spans that are not Redis commands at all (SQL, HTTP, DNS, types...).
NOT_REDIS = {
    "UPDATE", "NULL", "WHERE", "COMMIT", "BEGIN", "DELETE", "PUT", "POST", "PATCH", "HEAD", "OPTIONS", "CONNECT",
    "INSERT", "ROLLBACK", "ORDER", "GROUP", "HAVING", "COUNT", "SUM", "AVG", "MIN", "MAX", "EXPLAIN", "LEFT",
    "RIGHT", "FULL", "INNER", "JOIN", "FOR", "SKIP", "NULLS", "DESC", "ASC", "CNAME", "AAAA", "TXT", "MX", "NS",
    "SQL", "INTEGER", "BIGINT", "TEXT", "CHECK", "LIMIT", "OFFSET", "FROM", "ANY", "QUORUM", "PRAGMA", "PREPARE",
    "ZSET", "YYYY", "HLL", "LRU", "LFU", "TCP", "UDP", "HTTP", "JSON", "UUID", "PRIMARY", "UNIQUE", "CREATE",
    "ALTER", "DROP", "INDEX", "TIMESTAMP", "REAL", "BOOLEAN", "SERIAL", "RETURNING", "VALUES", "CASE", "WHEN",
    "AND", "OR", "NOT", "IS", "IN", "ON", "AS", "EXISTS", "DISTINCT", "UNION", "WITH", "CONFLICT", "NOWAIT",
    "ISOLATION", "SERIALIZABLE", "TRUNCATE", "GRANT", "VACUUM", "ANALYZE", "COALESCE", "CAST", "NOW", "TRUE",
    "FALSE", "SRV", "PTR", "SOA", "TTL", "ALL", "QUIC", "TLS", "DNS", "ETAG", "CORS", "API", "URL", "GPS",
    "LWT", "CQL", "IF", "ONE", "LOCAL_QUORUM", "EACH_QUORUM", "XML", "CSV", "UTF", "OK",
    # arguments of Redis commands, named on their own
    "NX", "XX", "EX", "PX", "EXAT", "PXAT", "KEEPTTL", "GT", "LT", "CH", "WITHSCORES", "BYSCORE", "BYLEX", "REV",
    "COUNT", "MATCH", "FROMLONLAT", "FROMMEMBER", "BYRADIUS", "BYBOX", "WITHDIST", "WITHCOORD", "MAXLEN", "MINID",
}
CODE_SPAN = re.compile(r"`([^`\n]+)`")
BARE_WORD = re.compile(r"(?<![\w.`-])([A-Z][A-Z]+(?:\.[A-Z]+)?)(?![\w-])")
BARE_SET = re.compile(r"\bSET [\w:<>{}.…-]+ \S+ (?:NX|XX|EX|PX)\b[^)\"`.;]*")


@dataclass
class Mention:
    where: str
    command: str
    arguments: list[str] | None  # None: named without arguments


def site_text() -> dict[str, str]:
    files = sorted((ROOT / "docs").rglob("*.md")) + sorted((ROOT / "diagrams").glob("*.py"))
    return {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in files}


def words_of(span: str) -> list[str]:
    """A code span's words; `<due time>` and `…` are one placeholder argument each."""
    return re.findall(r"<[^>]*>|\S+", span)


def mentions(known: dict[str, int]) -> tuple[list[Mention], list[str]]:
    found, unknown = [], []
    for where, text in site_text().items():
        spans = CODE_SPAN.findall(text)
        for span in spans:
            words = words_of(span)
            first = words[0]
            if not re.fullmatch(r"[A-Z][A-Z]+(\.[A-Z]+)?", first):
                continue
            if first in known:
                redis_like = len(words) > 1 and not words[1].startswith("/") and not SQL_WORDS.search(span)
                if first in AMBIGUOUS and not redis_like:
                    continue
                found.append(Mention(where, first, words[1:] if len(words) > 1 else None))
            elif first not in NOT_REDIS:
                unknown.append(f"{where}: `{span}`" + "".join(
                    f" (did you mean {close}?)" for close in difflib.get_close_matches(first, known, n=1, cutoff=0.75)))
        prose = CODE_SPAN.sub(" ", text)
        for match in BARE_SET.finditer(prose):
            found.append(Mention(where, "SET", words_of(match.group(0))[1:]))
        for word in BARE_WORD.findall(prose):
            if word in known and word not in AMBIGUOUS:
                found.append(Mention(where, word, None))
            elif word not in known and word not in NOT_REDIS and len(word) >= 5:
                close = difflib.get_close_matches(word, known, n=1, cutoff=0.85)
                if close:  # a typo of a command, such as GEORADIUSX
                    unknown.append(f"{where}: {word} (did you mean {close[0]}?)")
    return found, unknown


def test_the_scan_finds_commands_the_pages_are_known_to_name(known):
    """The scan itself can fail: these are named today, in code spans and in bare prose."""
    named = {(m.where, m.command) for m in mentions(known)[0]}
    assert ("diagrams/job_scheduler.py", "ZREM") in named
    assert ("diagrams/ride_hailing.py", "GEOSEARCH") in named
    assert ("diagrams/pastebin.py", "BF.EXISTS") in named
    assert ("docs/concepts/coordination.md", "SET") in named


def test_every_named_command_is_real(known):
    _, unknown = mentions(known)
    assert unknown == [], "\n".join(unknown)


def test_every_named_command_is_given_a_possible_number_of_arguments(known):
    wrong = []
    for mention in mentions(known)[0]:
        if mention.arguments is None:
            continue
        given, arity = 1 + len(mention.arguments), known[mention.command]
        if (arity > 0 and given != arity) or (arity < 0 and given < -arity):
            wrong.append(f"{mention.where}: {mention.command} with {given - 1} arguments (arity {arity})")
    assert wrong == []


# Commands that redis-cli cannot show in a transcript (SUBSCRIBE waits forever): the
# experiment named here runs them on the real server instead, and the page shows its result.
RUN_BY_EXPERIMENTS = {"SUBSCRIBE": "pubsub_while_down", "SSUBSCRIBE": "sharded_pubsub_while_down"}


def test_every_named_command_runs_in_a_transcript(known, experiments):
    run = {name for path in TRANSCRIPTS for e in transcript(path) for name in commands_in(e.command)}
    for command, experiment in RUN_BY_EXPERIMENTS.items():
        assert callable(getattr(experiments, experiment)) and f"[start:{experiment}]" in (
            PATTERNS / "measured.txt").read_text(encoding="utf-8")
        run.add(command)
    missing = sorted({f"{m.command} (named in {m.where})" for m in mentions(known)[0] if m.command not in run})
    assert missing == [], "no transcript in snippets/redis_patterns/ runs:\n" + "\n".join(missing)


# --- Races and measurements, on the real server ---------------------------------------------


@pytest.fixture(scope="module")
def experiments():
    import importlib.util

    spec = importlib.util.spec_from_file_location("redis_experiments", PATTERNS / "experiments.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_measured_figures_are_what_the_real_server_gives(redis_server, experiments):
    """measured.txt is what the page quotes; rerun everything and compare."""
    redis_server.client().flushall()
    assert experiments.report(redis_server.client) == (PATTERNS / "measured.txt").read_text(encoding="utf-8")


def test_read_then_write_lets_every_request_of_a_wave_through(redis_server, experiments):
    for limit, clients, waves in [(10, 8, 4), (3, 5, 2)]:
        racy = experiments.limiter_race(redis_server.client, experiments.read_then_write,
                                        limit=limit, clients=clients, waves=waves)
        atomic = experiments.limiter_race(redis_server.client, experiments.atomic_incr,
                                          limit=limit, clients=clients, waves=waves)
        assert racy > limit and atomic == min(limit, clients * waves)


def test_a_fencing_token_refuses_the_paused_holder_and_only_it(redis_server, experiments):
    assert experiments.lock_race(redis_server.client, fenced=False) == ["B", "A"]
    assert experiments.lock_race(redis_server.client, fenced=True) == ["B"]
    client = redis_server.client()
    client.delete("seat:7")  # a higher token after a lower one is accepted both times
    assert [client.eval(experiments.FENCED_WRITE, 1, "seat:7", token, "x") for token in (3, 4, 4)] == [1, 1, 0]


def test_the_page_shows_the_transcripts_and_the_measured_figures(built_site):
    page = (built_site.site / "concepts" / "redis.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    for line in (PATTERNS / "measured.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            assert line in text, f"the page does not show: {line}"
    assert "XAUTOCLAIM chat:room:9 delivery worker-b 0 0-0 COUNT 10" in text
    assert "GEOSEARCH drivers:sf:available FROMLONLAT" in text


def test_every_system_that_draws_redis_links_the_redis_page_and_is_listed_there(built_site, catalogue):
    from blueprint.kinds import TECHNOLOGY_PAGES

    _, kinds = TECHNOLOGY_PAGES["Redis"]
    using = sorted(s.id for s in catalogue.systems.values() if any(c.kind in kinds for c in s.components.values()))
    assert len(using) >= 10  # most designs keep something in Redis
    redis_page = (built_site.site / "concepts" / "redis.html").read_text(encoding="utf-8")
    used_here = redis_page.split('id="used-in-these-designs"', 1)[1]
    for system in using:
        page = (built_site.site / "systems" / f"{system}.html").read_text(encoding="utf-8")
        concepts = page.split('id="concepts-used-here"', 1)[1]
        assert 'href="../concepts/redis.html"' in concepts, system
        assert f'href="../systems/{system}.html"' in used_here, system
