"""The design errors the review found stay fixed: each test states, as a checkable fact,
what a system page must get right (one story per component, a drawn miss for every cache
read, figures that match their arithmetic, no sentence lifted from the source).

These read the scripts and DDL directly (no rendering), so they run in a second.
"""

from __future__ import annotations

import math
import re
import sqlite3

import pytest

from blueprint.build import load_system
from blueprint.model import Path, Step, System
from conftest import ROOT

SYSTEMS = ("pastebin", "newsfeed", "web_crawler", "google_maps", "rate_limiter")
CACHE_KINDS = {"cache", "redis", "memcached"}


@pytest.fixture(scope="module")
def systems() -> dict[str, System]:
    return {name: load_system(ROOT / "diagrams" / f"{name}.py", ROOT)[0] for name in SYSTEMS}


def page(name: str) -> str:
    return (ROOT / "docs" / "systems" / f"{name}.md").read_text(encoding="utf-8")


def all_text(system: System) -> str:
    """Every step, note and role of a system, one per line."""
    lines = [component.role or "" for component in system.components.values()]
    for path in system.paths.values():
        lines += [step.text for step in path.steps] + [note.text for note in path.notes]
    return "\n".join(lines)


def steps_to(path: Path, target: str) -> list[Step]:
    return [step for step in path.steps if target in step.targets]


def primary_key(ddl_file: str, table: str) -> list[str]:
    connection = sqlite3.connect(":memory:")
    connection.executescript((ROOT / "snippets" / "schemas" / ddl_file).read_text())
    rows = connection.execute(f"PRAGMA table_info({table})").fetchall()
    return [row[1] for row in sorted((row for row in rows if row[5]), key=lambda row: row[5])]


def columns(ddl_file: str, table: str) -> set[str]:
    connection = sqlite3.connect(":memory:")
    connection.executescript((ROOT / "snippets" / "schemas" / ddl_file).read_text())
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


# --- Pastebin: presigned uploads -------------------------------------------------------


def test_pastebin_never_edits_a_presigned_url(systems):
    """A presigned URL's signature covers its path: a URL with the ID appended is rejected."""
    for path in systems["pastebin"].paths.values():
        for step in path.steps:
            assert not re.search(r"(?i)\b(append|add|modif|chang|edit)\w*\b[^.]*presigned", step.text), step.text
            assert "paste URL" not in step.text, step.text


def test_pastebin_presigns_an_upload_for_the_object_key_and_records_the_key(systems):
    write = systems["pastebin"].paths["write"]
    presign = [step for step in write.steps if "presign" in step.text.lower()]
    assert presign and all("object key" in step.text for step in presign)
    reserve, make_live = steps_to(write, "metadata_db")
    assert "object key" in reserve.text  # recorded once, at the reservation, before any upload
    assert "object_key" in columns("pastebin.sql", "pastes")
    assert not {column for column in columns("pastebin.sql", "pastes") if column.endswith("url")}


def test_pastebin_read_path_fetches_the_text_by_object_key_on_a_miss(systems):
    read = systems["pastebin"].paths["read"]
    (fetch,) = steps_to(read, "object_store")
    assert "object key" in fetch.text
    assert fetch.when and "miss" in fetch.when.lower()
    assert "URL" not in fetch.text  # never through a URL that expired minutes after the upload


def test_pastebin_write_path_adds_each_new_id_to_the_bloom_filter_before_the_link_goes_out(systems):
    """Before the row turns live, too: a failed add then leaves a paste nobody can read yet,
    not one the filter denies (review PB3)."""
    write = systems["pastebin"].paths["write"]
    (add,) = steps_to(write, "bloom_filter")
    reserve, make_live = steps_to(write, "metadata_db")
    last = write.steps[-1]
    assert add.source == "server" and add.when is None
    assert reserve.number < add.number < make_live.number < last.number
    assert "inserts the paste's row" in make_live.text
    assert last.targets == ("client",)
    # and the read path asks the same filter
    assert steps_to(systems["pastebin"].paths["read"], "bloom_filter")


def test_pastebin_says_what_happens_with_several_servers(systems):
    notes = " ".join(note.text for note in systems["pastebin"].paths["write"].notes)
    assert "shared" in notes and "every copy" in notes


def test_a_bloom_filter_is_not_called_a_layer_of_caching(systems):
    for text in (all_text(systems["pastebin"]), page("pastebin")):
        assert not re.search(r"(?i)layers? of caching[^.]*Bloom", text)
        assert not re.search(r"(?i)three layers of caching", text)


def test_pastebin_cache_reads_have_drawn_misses(systems):
    read = systems["pastebin"].paths["read"]
    (cache_read,) = [step for step in steps_to(read, "cache") if not step.when]
    later = [step for step in read.steps if step.number > cache_read.number]
    assert {target for step in later if step.when and "miss" in step.when.lower() for target in step.targets} >= {
        "metadata_db",
        "object_store",
        "cache",  # the miss fills the cache: drawn, not only told
    }
    (fill,) = [step for step in steps_to(read, "cache") if step.when]
    assert fill.number == read.steps[-1].number and "time to live" in fill.text


# --- Pastebin: the reservation between create and complete (review PB1, PB2, PB4-PB7) -------


def endpoint(system: System, method: str, route_end: str):
    (found,) = [e for e in system.endpoints if e.method == method and e.route.endswith(route_end)]
    return found


def response_headers(found) -> dict[str, str]:
    return {name: text for _, name, text in found.response_headers}


def test_pastebin_stores_the_reservation_before_the_upload_url_goes_out(systems):
    """Complete's owner check and lapse, and the create's Idempotency-Key, read a row that
    the create wrote (PB1)."""
    write = systems["pastebin"].paths["write"]
    (presign,) = [step for step in write.steps if "presign" in step.text.lower()]
    reserve = steps_to(write, "metadata_db")[0]
    assert reserve.number < presign.number and reserve.when is None
    assert "Idempotency-Key" in reserve.text and "reservation" in reserve.text
    assert {"idempotency_key", "reserved_until", "size_bytes", "user_id", "expires_at", "completed_at"} <= columns(
        "pastebin.sql", "paste_reservations")
    connection = sqlite3.connect(":memory:")
    connection.executescript((ROOT / "snippets" / "schemas" / "pastebin.sql").read_text())
    unique = [row[1] for row in connection.execute("PRAGMA index_list(paste_reservations)") if row[2]]
    keyed = [name for name in unique if "idempotency_key" in
             [column[2] for column in connection.execute(f"PRAGMA index_xinfo({name})") if column[5]]]
    assert keyed, "the Idempotency-Key needs a unique index, scoped to its caller"
    create = endpoint(systems["pastebin"], "POST", "/v1/pastes")
    assert "Idempotency-Key" in dict(create.headers) and create.starts == ("write", 1)


def test_pastebin_complete_is_a_retryable_step_of_its_own(systems):
    write = systems["pastebin"].paths["write"]
    complete = endpoint(systems["pastebin"], "POST", "/complete")
    start = write.steps[complete.starts[1] - 1]
    assert complete.starts[0] == "write" and start.source == "client" and start.targets == ("server",)
    assert "same link" in dict(complete.status)[200]
    (head,) = [step for step in steps_to(write, "object_store") if step.source == "server"]
    assert head.number > start.number and "HEAD" in head.text


def test_pastebin_cleans_up_from_the_rows_not_with_a_lifecycle_rule(systems):
    """An age or prefix rule cannot tell a never-completed upload from a live paste under the
    same key (PB2); the sweep works from the reservations and its own list, which it empties last."""
    text = all_text(systems["pastebin"])
    assert not re.search(r"(?i)lifecycle rule deletes", text)
    cleanup = systems["pastebin"].paths["cleanup"]
    swept = [step for step in cleanup.steps if step.source == "sweeper"]
    assert swept[0].targets == ("metadata_db",) and "lapsed" in swept[0].text
    assert swept[-1].targets == ("metadata_db",) and "off its list" in swept[-1].text
    assert columns("pastebin.sql", "paste_removals") >= {"paste_id", "object_key"}
    assert [step.targets for step in swept].index(("object_store",)) == len(swept) - 2


def test_pastebin_delete_hides_the_row_before_it_purges_and_purges_twice(systems):
    """PB5: the row first, then the copies; a read racing the delete is undone by the sweep."""
    cleanup = systems["pastebin"].paths["cleanup"]
    assert endpoint(systems["pastebin"], "DELETE", "{paste_id}").starts == ("cleanup", 1)
    order = [step.targets[0] for step in cleanup.steps if step.source == "server"]
    assert order.index("metadata_db") < order.index("cache") < order.index("cdn")
    assert sum(1 for step in cleanup.steps if step.targets == ("cache",)) == 2
    assert sum(1 for step in cleanup.steps if step.targets == ("cdn",)) == 2
    headers = response_headers(endpoint(systems["pastebin"], "GET", "{paste_id}"))
    assert "CDN-Cache-Control" in headers and "ETag" in headers
    assert "one minute" in headers["Cache-Control"]


def test_pastebin_upload_url_is_create_only(systems):
    """PB4: a replayed PUT must not swap the text under a link already shared."""
    notes = " ".join(note.text for note in systems["pastebin"].paths["write"].notes)
    assert "If-None-Match: *" in notes and "412" in notes


def test_pastebin_new_link_survives_a_lagging_replica_and_a_filter_outage(systems):
    read = systems["pastebin"].paths["read"]
    (lookup,) = steps_to(read, "metadata_db")
    assert "replica" in lookup.text and "primary" in lookup.text  # PB6
    notes = " ".join(note.text for note in read.notes)
    assert "fails open" in notes and "failover" in notes  # PB7


# --- Pastebin: how guessable a short ID is -----------------------------------------------

PASTES = 10**9
ID_LENGTH = 6


def guess_hit_percent() -> float:
    return 100 * PASTES / 62**ID_LENGTH


def percent_figures_about_guesses(text: str) -> list[str]:
    sentences = re.split(r"(?<=[.:;])\s+", text)
    return [
        figure
        for sentence in sentences
        if "guess" in sentence
        for figure in re.findall(r"(\d+(?:\.\d+)?)\s?%", sentence)
    ]


def test_the_guess_probability_is_computed_not_guessed():
    assert 62**ID_LENGTH == 56_800_235_584
    assert guess_hit_percent() == pytest.approx(1.7605, abs=1e-4)


@pytest.mark.parametrize("where", ["page", "script"])
def test_the_quoted_guess_probability_equals_the_computed_one(systems, where):
    text = page("pastebin") if where == "page" else all_text(systems["pastebin"])
    figures = percent_figures_about_guesses(text)
    assert figures, f"the {where} should say how often a random guess hits a paste"
    for figure in figures:
        decimals = len(figure.partition(".")[2])
        assert abs(float(figure) - guess_hit_percent()) <= 0.5 * 10**-decimals, figure


def test_short_ids_are_not_called_unguessable(systems):
    """Either the IDs are long enough to be unguessable, or the page does not claim it."""
    hit = PASTES / 62**ID_LENGTH
    for text in (page("pastebin"), all_text(systems["pastebin"])):
        if re.search(r"(?i)unguessable", text):
            assert hit < 1e-9


def test_the_long_id_figure_is_right():
    bits = 22 * math.log2(62)
    assert round(bits) == 131
    assert "131 bits" in page("pastebin")


# --- Newsfeed: one story for the item cache ------------------------------------------------


def test_the_web_server_only_queues_what_it_accepts(systems):
    """The web server enqueues items; the only stores it writes are the post's Idempotency-Key
    (write path) and a follow (follow path), both in SQL. Write step 5 also reads object storage
    (a HEAD per media key), which writes nothing."""
    for path in systems["newsfeed"].paths.values():
        for step in path.steps:
            if step.source == "web_server":
                allowed = {"message_queue", "client", "timeline_service"}
                if (path.id, step.number) in {("write", 5), ("follow", 2), ("follow", 3)}:
                    allowed |= {"sql_db", "user_info"}
                if (path.id, step.number) == ("write", 5):
                    allowed |= {"object_store"}
                assert set(step.targets) <= allowed, (path.id, step.number)


# --- Newsfeed: retries, redeliveries and races (review NF1-NF9) -------------------------------


def test_a_retried_post_finds_its_first_id_before_anything_is_queued(systems):
    """NF1: the Idempotency-Key has a store, checked before the item is queued."""
    write = systems["newsfeed"].paths["write"]
    (record,) = [step for step in steps_to(write, "sql_db") if step.source == "web_server"]
    (queue,) = steps_to(write, "message_queue")
    assert record.number < queue.number and record.when is None
    assert "Idempotency-Key" in record.text and "first attempt's ID" in record.text
    assert primary_key("newsfeed.sql", "post_requests") == ["user_id", "idempotency_key"]
    assert "item_id" in columns("newsfeed.sql", "post_requests")


def test_the_month_of_an_item_comes_from_its_id_not_a_clock(systems):
    """NF2: a redelivery after a month boundary writes the same Cassandra cell."""
    write = systems["newsfeed"].paths["write"]
    (store,) = steps_to(write, "timelines_db")
    assert "current month" not in store.text and "inside the ID" in store.text
    assert "from the timestamp inside item_id" in page("newsfeed")


def test_a_rebuilt_list_picks_up_what_was_stored_while_it_was_built(systems):
    """NF3: the rebuild re-reads after writing, so a push skipped for a missing list is not lost."""
    notes = " ".join(note.text for note in systems["newsfeed"].paths["write"].notes)
    assert re.search(r"rebuild, after writing the list, reads the same window of each followee again", notes)


def test_the_queue_message_is_acknowledged_after_the_fan_out(systems):
    """NF4: at-least-once must cover the pushes, not only the fanout service's own writes."""
    write = systems["newsfeed"].paths["write"]
    (handoff,) = steps_to(write, "feed_generation")
    assert "acknowledges the queue message only when" in handoff.text
    assert any("batch" in note.text for note in write.notes)


def test_media_of_a_post_that_never_comes_are_deleted_by_a_rule_that_can_tell_them_apart(systems):
    """The same failure as Pastebin's PB2: a lifecycle rule sees tags, not the database, so
    uploads carry a 'pending' tag that the fanout service removes before it records the item."""
    write = systems["newsfeed"].paths["write"]
    (untag,) = [step for step in steps_to(write, "object_store") if step.source == "fanout"]
    (record,) = [step for step in steps_to(write, "sql_db") if step.source == "fanout"]
    assert untag.number < record.number and "'pending' tag" in untag.text
    assert any("lifecycle rule" in note.text and "x-amz-tagging" in note.text for note in write.notes)


def test_crossing_the_celebrity_threshold_neither_loses_nor_doubles_items(systems):
    notes = " ".join(note.text for note in systems["newsfeed"].paths["home_timeline"].notes)
    assert "well below" in notes and "after a demotion" in notes and "drops repeated IDs" in notes  # NF5


def test_a_delete_has_an_endpoint_an_order_and_a_bounded_stale_copy(systems):
    """NF6: SQL first, then Cassandra, then the caches; item cache entries expire."""
    newsfeed = systems["newsfeed"]
    assert endpoint(newsfeed, "DELETE", "/v1/feed_items/{item_id}")
    assert "deleted_at" in columns("newsfeed.sql", "feed_items")
    (note,) = [n for n in newsfeed.paths["write"].notes if n.theme == "Edits and deletes"]
    assert note.text.index("SQL row") < note.text.index("Cassandra row") < note.text.index("item cache key")
    assert "hour" in newsfeed.components["item_cache"].role


def test_a_follow_counts_once_and_reaches_the_fan_out(systems):
    """NF7: the follow and the count are one transaction; the user info service is told."""
    newsfeed = systems["newsfeed"]
    follow = newsfeed.paths["follow"]
    assert endpoint(newsfeed, "PUT", "/following/{user_id}").starts == ("follow", 1)
    (write,) = steps_to(follow, "sql_db")
    assert write.transaction and "follower_count" in write.text
    (tell,) = steps_to(follow, "user_info")
    assert tell.number > write.number and tell.when is None


def test_a_pull_looks_back_a_bounded_number_of_months(systems):
    (pull,) = [s for s in steps_to(systems["newsfeed"].paths["read"], "timelines_db") if s.number == 10]
    assert "few months at most" in pull.text  # NF8
    assert "past the cached list" in pull.when  # NF9: scrolling past the trimmed list


def test_the_etag_is_computed_from_the_items_returned(systems):
    home = endpoint(systems["newsfeed"], "GET", "/v1/home_timeline")
    headers = {name: text for _, name, text in home.response_headers}
    assert "items this page returned" in headers["ETag"]  # NF9


def test_the_item_cache_is_written_ahead_only_for_popular_authors(systems):
    """Both paths that fill the item cache on write agree on which items it gets."""
    for path_id in ("home_timeline", "write"):
        writes = [step for step in steps_to(systems["newsfeed"].paths[path_id], "item_cache") if step.source == "fanout"]
        assert writes, path_id
        assert all(step.when and "threshold" in step.when for step in writes), path_id


@pytest.mark.parametrize("path_id", ["read", "home_timeline"])
def test_an_item_cache_miss_reads_a_store_keyed_by_item_id(systems, path_id):
    path = systems["newsfeed"].paths[path_id]
    (mget,) = [step for step in steps_to(path, "item_cache") if step.source == "timeline_service"]
    misses = [
        step for step in path.steps
        if step.number > mget.number and step.when and "miss" in step.when.lower() and step.source == mget.source
    ]
    assert misses, f"{path_id}: the item cache read has no drawn miss"
    stores = {target for step in misses for target in step.targets}
    assert stores & {"sql_db", "sql_replica"}, stores
    # and that store can find an item by its ID: feed_items is keyed by id
    assert primary_key("newsfeed.sql", "feed_items") == ["id"]


def test_the_home_timeline_and_celebrity_lists_have_a_miss_path(systems):
    for path_id in ("read", "home_timeline"):
        path = systems["newsfeed"].paths[path_id]
        to_cassandra = [step for step in steps_to(path, "timelines_db") if step.source == "timeline_service"]
        assert any(step.when and "miss" in step.when.lower() for step in to_cassandra), path_id


def test_user_timeline_partitions_are_bucketed_by_time():
    match = re.search(r"PRIMARY KEY \(\((\w+), (\w+)\), item_id\)", page("newsfeed"))
    assert match and match.group(1) == "user_id", "one partition per author grows without bound"


def test_idempotent_publishing_does_not_rest_on_a_cache(systems):
    text = all_text(systems["newsfeed"]) + page("newsfeed")
    assert not re.search(r"(?i)user timeline cache[^.]*(makes publishing idempotent|drop a second delivery)", text)
    assert not re.search(r"(?i)the copy is dropped", text)
    assert "ZADD" in text and "upsert" in text


def test_the_cdn_correction_says_what_the_source_said(systems):
    """The source spoke of feed items, which are shared; only the list is per user."""
    (note,) = [note for note in systems["newsfeed"].paths["read"].notes if "CDN for the home timeline" in note.text]
    assert "could" in note.text and "list" in note.text


# --- Web crawler, Google Maps, rate limiter ---------------------------------------------------


def test_backpressure_is_slowing_the_producer(systems):
    notes = [note.text for note in systems["web_crawler"].paths["workflow"].notes if "backpressure" in note.text.lower()]
    assert notes
    for text in notes:
        assert not re.search(r"(?i)which gives backpressure", text)
    assert any("slow" in text and "producer" in text for text in notes)


def test_the_crawler_content_cache_read_has_a_drawn_miss(systems):
    workflow = systems["web_crawler"].paths["workflow"]
    (cache_read,) = [step for step in workflow.steps if step.source == "content_cache"]
    miss = [step for step in workflow.steps if step.source == "content_store" and step.when]
    assert miss and miss[0].number == cache_read.number + 1


def test_raster_tiles_still_cost_the_client_decoding():
    trade_off = page("google_maps").split("Vector tiles or raster tiles?", 1)[1].split("\n\n", 1)[0]
    assert "cost nothing" not in trade_off
    assert "decod" in trade_off and "composit" in trade_off


SOURCE_RUNS = [  # three runs of the source's own words that the Google Maps page once repeated
    "estimated time of arrival eta between two locations",
    "the metadata of the road segments on the suggested",
    "the number of tiles doubles when the user zooms out",
]


def words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@pytest.mark.parametrize("run", SOURCE_RUNS)
def test_google_maps_does_not_repeat_the_source(systems, run):
    assert run not in words(all_text(systems["google_maps"]))
    assert run not in words(page("google_maps"))


def test_the_rate_limiter_is_one_kind_of_thing_in_every_step(systems):
    """It forwards requests (it has an arrow to the API server), so the web server hands it
    the request, not just an identity to check."""
    workflow = systems["rate_limiter"].paths["workflow"]
    assert steps_to(workflow, "api_server")[0].source == "rate_limiter"
    (handoff,) = [step for step in workflow.steps if step.source == "web_server" and "rate_limiter" in step.targets]
    assert "request" in handoff.text and "identity" not in handoff.text


def test_evicting_a_live_counter_is_called_out(systems):
    notes = " ".join(note.text for note in systems["rate_limiter"].paths["workflow"].notes)
    assert "time to live" in notes and "fresh allowance" in notes


# --- Web crawler: one copy per URL, re-crawls that happen, every fetch's outcome recorded ---------


def crawler_step(systems, source: str, target: str, path: str = "workflow") -> list[Step]:
    return [s for s in steps_to(systems["web_crawler"].paths[path], target) if s.source == source]


def test_a_crawled_page_is_stored_under_a_key_its_re_crawl_overwrites(systems):
    crawler = systems["web_crawler"]
    (store,) = crawler_step(systems, "fetcher", "content_store")
    assert "hash of the normalised URL" in store.text and "replaces the copy" in store.text
    assert "new document ID" not in all_text(crawler)
    assert "overwrites" in crawler.assumptions["retention"][1]
    assert "hash of the normalised URL" in crawler.components["content_store"].role


def test_due_urls_come_back_to_the_frontier(systems):
    workflow = systems["web_crawler"].paths["workflow"]
    (scan,) = crawler_step(systems, "url_store", "scheduler")
    (requeue,) = crawler_step(systems, "scheduler", "frontier")
    assert requeue.number == scan.number + 1 and "next_due_at" in scan.text
    assert crawler_step(systems, "scheduler", "prioritiser", "url_frontier")
    assert not steps_to(workflow, "scheduler")[1:]  # nobody asks the scheduler; it pushes what is due
    notes = " ".join(n.text for n in workflow.notes if n.theme == "Freshness")
    assert "sooner" in notes and "later" in notes and "304" in notes


def test_every_fetch_ends_by_recording_its_outcome_in_the_urls_row(systems):
    workflow = systems["web_crawler"].paths["workflow"]
    (outcome,) = crawler_step(systems, "fetcher", "url_store")
    fetcher_steps = [s.number for s in workflow.steps if s.source == "fetcher"]
    assert outcome.number == max(fetcher_steps)
    for field in ("duplicate", "disallowed", "failed", "`ETag`", "attempts", "next crawl time", "confirms"):
        assert field in outcome.text
    (lookup,) = [e for e in systems["web_crawler"].endpoints if e.route == "/v1/pages"]
    assert "URL store" in lookup.purpose and "attempts" in dict(lookup.response)


def test_fingerprints_and_seen_urls_are_recorded_after_the_durable_write(systems):
    workflow = systems["web_crawler"].paths["workflow"]
    check, record = crawler_step(systems, "fetcher", "duplicate_check")
    (store,) = crawler_step(systems, "fetcher", "content_store")
    assert check.number < store.number < record.number
    assert "its own URL's earlier version does not count" in check.text
    (insert,) = crawler_step(systems, "url_processor", "url_store")
    assert "only if the URL store has no row for it yet" in " ".join(insert.text.split())
    assert insert.text.index("conditional put") < insert.text.index("Bloom filter") < insert.text.index("commits")
    assert "never that a page is crawled twice" not in all_text(systems["web_crawler"])


def test_a_redirect_target_goes_through_the_frontier(systems):
    text = all_text(systems["web_crawler"])
    assert "follows the `Location` header" not in text
    (publish,) = crawler_step(systems, "fetcher", "message_queue")
    assert "`Location`" in publish.text and "robots.txt" in publish.text


def test_seeds_added_to_a_running_crawl_are_picked_up(systems):
    (seeds,) = crawler_step(systems, "seed_store", "frontier")
    assert "every minute" in seeds.text
    (add,) = [e for e in systems["web_crawler"].endpoints if e.route == "/v1/seeds"]
    assert "within a minute" in dict(add.status)[202]


def test_the_frontier_is_partitioned_by_host_not_by_url(systems):
    notes = " ".join(n.text for n in systems["web_crawler"].paths["url_frontier"].notes)
    assert "on the URL (or its host)" not in notes and "registered domain" in notes


def test_robots_txt_is_fetched_before_the_page_and_kept_a_day_at_most(systems):
    workflow = systems["web_crawler"].paths["workflow"]
    robots, page_fetch = crawler_step(systems, "fetcher", "websites")
    (dns,) = crawler_step(systems, "fetcher", "local_dns")
    assert dns.number < robots.number < page_fetch.number
    assert "24 hours" in robots.when and "5XX" in robots.text and "disallow everything" in robots.text
    assert "fetches it once per host, caches it" not in all_text(systems["web_crawler"])


def test_a_dead_fetchers_urls_are_lent_out_again(systems):
    (heartbeat,) = crawler_step(systems, "fetcher", "zookeeper")
    assert "re-issues the URLs" in heartbeat.text and "never confirmed" in heartbeat.text
    (lend,) = crawler_step(systems, "frontier", "fetcher")
    assert "lease" in lend.text


# --- Rate limiter: one atomic script, a checked key, a durable copy that only grows ---------------


def test_the_rate_limiter_counts_with_one_script_and_no_lock(systems):
    system = systems["rate_limiter"]
    workflow = system.paths["workflow"]
    assert not [c for c in system.components.values() if c.kind == "lock" or "lock" in c.label.lower()]
    (count,) = steps_to(workflow, "throttle_cache")
    assert count.source == "rate_limiter" and count.when is None
    assert "EVALSHA" in count.text and "TIME" in count.text and "No lock" in count.text
    assert "snippets/redis_patterns/rate_limiter.lua" in page("rate_limiter")


def test_the_rate_limiter_checks_the_key_before_it_counts(systems):
    workflow = systems["rate_limiter"].paths["workflow"]
    (key_check,) = steps_to(workflow, "key_store")
    (count,) = steps_to(workflow, "throttle_cache")
    assert key_check.source == "rate_limiter" and key_check.number < count.number
    assert "IP address" in key_check.text and "unknown" in key_check.text
    (orders,) = [e for e in systems["rate_limiter"].endpoints if e.route == "/v1/orders"]
    unauthorised = dict(orders.status)[401]
    assert "limiter answers itself" in unauthorised and "IP address" in unauthorised


def test_a_lost_long_window_counter_is_reloaded_from_the_store(systems):
    workflow = systems["rate_limiter"].paths["workflow"]
    (count,) = steps_to(workflow, "throttle_cache")
    (reload,) = [s for s in steps_to(workflow, "throttle_store") if s.source == "rate_limiter"]
    assert reload.number == count.number + 1 and "created" in reload.when and "hour" in reload.when
    assert "HINCRBY on count and on previous" in reload.text  # both intervals, or a fresh day is handed out


def test_the_durable_counts_only_grow(systems):
    workflow = systems["rate_limiter"].paths["workflow"]
    (publish,) = steps_to(workflow, "throttle_queue")
    (sync,) = [s for s in steps_to(workflow, "throttle_store") if s.source == "throttle_sync"]
    assert "partitioned by counter key" in publish.text
    assert "`$max`" in sync.text and "never lowers" in sync.text
    assert "latest value" not in all_text(systems["rate_limiter"]) + page("rate_limiter")


def test_the_throttle_cache_eviction_policy_spares_live_counters(systems):
    notes = " ".join(note.text for note in systems["rate_limiter"].paths["workflow"].notes)
    assert "`maxmemory-policy volatile-ttl`" in notes and "`noeviction`" in notes
    assert "evicts only keys that have a TTL" not in notes


def test_a_refusal_is_answered_first_and_recorded_in_aggregate(systems):
    workflow = systems["rate_limiter"].paths["workflow"]
    (answer,) = [s for s in steps_to(workflow, "web_server") if s.source == "rate_limiter"]
    (record,) = steps_to(workflow, "dropped_queue")
    assert answer.number < record.number and "not counted" in answer.text
    assert "no queue write per request" in record.text
    role = systems["rate_limiter"].components["dropped_queue"].role  # one story: counts, not a record per request
    assert "counts of rejected requests" in role and "every rejected request" not in role
    assert "record of every rejection" not in page("rate_limiter")


def test_made_up_keys_cost_no_lookup_and_the_quota_call_is_counted(systems):
    (key_check,) = steps_to(systems["rate_limiter"].paths["workflow"], "key_store")
    assert "checksum" in key_check.text and "costs no lookup" in key_check.text
    (quotas,) = [e for e in systems["rate_limiter"].endpoints if e.route == "/v1/rate_limit"]
    assert 429 in dict(quotas.status) and "counts nothing" not in quotas.purpose


def test_rule_edits_name_the_version_they_replace(systems):
    (put,) = [e for e in systems["rate_limiter"].endpoints if e.method == "PUT"]
    status, headers = dict(put.status), dict(put.headers)
    assert {201, 412, 428} <= set(status) and "If-None-Match" in headers
    notes = " ".join(note.text for note in systems["rate_limiter"].paths["workflow"].notes)
    assert "never deletes the entry" in notes
    (fill,) = steps_to(systems["rate_limiter"].paths["workflow"], "rules_replica")
    assert "only if no entry is there yet" in fill.text


# --- Every cache read, in every path of these systems, has a drawn miss -------------------------


def is_cache(system: System, component: str) -> bool:
    return system.components[component].kind in CACHE_KINDS


# Cache reads whose miss is told in prose and drawn in another path of the same system.
MISS_DRAWN_ELSEWHERE = {
    ("google_maps", "eta", 12),  # the segment lookup: Map matching draws the cache and its miss
}


@pytest.mark.parametrize("name", SYSTEMS)
def test_every_cache_read_has_a_drawn_miss(systems, name):
    """A step from a service to a cache that names a read (looks up, reads, fetches, asks,
    checks, queries, MGET) must be followed by a conditional step from the same service."""
    system = systems[name]
    reads = re.compile(r"(?i)\b(look|read|fetch|ask|check|quer|MGET|turns? the IDs)")
    writes = re.compile(r"(?i)\b(puts?|adds?|pushe?s?|writes?|stores?|is cached)\b")
    missing = []
    for path in system.paths.values():
        for step in path.steps:
            if step.when or (name, path.id, step.number) in MISS_DRAWN_ELSEWHERE:
                continue
            if any(is_cache(system, t) for t in step.targets) and reads.search(step.text) and not writes.search(step.text):
                reader = step.source  # a service asks a cache: the miss is its next conditional step
                later = [s for s in path.steps if s.number > step.number and s.source == reader and s.when]
            elif is_cache(system, step.source) and not any(is_cache(system, t) for t in step.targets):
                reader = step.targets[0]  # a cache hands data to a service: the miss feeds the same service
                later = [s for s in path.steps if s.number > step.number and reader in s.targets and s.when]
            else:
                continue
            if not later:
                missing.append(f"{path.id} step {step.number}")
    assert missing == []


# --- Figures quoted in prose come from arithmetic that a test redoes ---------------------------


def test_the_celebrity_push_time_matches_its_arithmetic():
    text = " ".join(page("newsfeed").split())
    match = re.search(r"one with ([\d.]+) million followers costs \1 million\. At a million cache writes a second, "
                      r"that single post needs over a minute and a half", text)
    assert match, "the page should keep its worked example of a celebrity's push"
    seconds = float(match.group(1)) * 1e6 / 1e6
    assert 90 < seconds < 120


def test_the_gps_write_rate_matches_its_arithmetic():
    text = " ".join(page("google_maps").split())
    match = re.search(r"([\d.]+) million phones navigating at once, each sending a fix every (\d+) seconds, "
                      r"make ([\d.]+) million writes a second", text)
    assert match
    phones, every, rate = float(match.group(1)), int(match.group(2)), float(match.group(3))
    assert phones / every == pytest.approx(rate)


def test_the_hyperloglog_error_quoted_for_google_maps_is_right(systems):
    notes = " ".join(note.text for note in systems["google_maps"].paths["eta"].notes)
    match = re.search(r"1\.04/√m for m registers: ([\d.]+)% with ([\d,]+)\)", notes)
    assert match
    registers = int(match.group(2).replace(",", ""))
    assert round(100 * 1.04 / math.sqrt(registers), 1) == float(match.group(1))
    # and "a few KB per counter": 6-bit registers
    assert 1024 <= registers * 6 / 8 <= 8 * 1024


def test_newsfeed_pushes_never_recreate_an_evicted_list(systems):
    write = systems["newsfeed"].paths["write"]
    for step in write.steps:
        if step.targets in (("home_cache",), ("user_cache",)) and step.source in ("fanout", "feed_generation"):
            assert "still holds" in step.text, step.number
    assert any("EXISTS" in note.text for note in write.notes)


# --- Web crawler, second review: the scheduler's lease, traps, one story for the queue ----------


def test_a_url_rehanded_while_it_waits_is_not_queued_twice_nor_overwrites_its_next_time(systems):
    """The scheduler's lease is shorter than a large host's queue can be: a URL still waiting is
    handed out again. The frontier must hold each URL once, and the lease's write must not
    overwrite the next crawl time a fetcher wrote after the scan read the row."""
    (requeue,) = crawler_step(systems, "scheduler", "frontier")
    assert "conditional put" in requeue.text and "holds each URL once" in requeue.text
    assert "holds each URL once" in systems["web_crawler"].components["frontier"].role
    notes = " ".join(n.text for n in systems["web_crawler"].paths["url_frontier"].notes)
    assert "ignores one it already has" in notes
    (scan,) = crawler_step(systems, "url_store", "scheduler")
    assert "scan of every row" in scan.text  # keyed by URL hash: the cost of finding due URLs is said


def test_crawler_traps_the_requirements_name_are_handled(systems):
    assert "traps" in page("web_crawler")
    (extract,) = crawler_step(systems, "content_cache", "url_processor")
    assert "crawler traps" in extract.text
    notes = " ".join(n.text for n in systems["web_crawler"].paths["workflow"].notes)
    assert "budget per host" in notes


def test_the_crawler_queue_has_one_story(systems):
    crawler = systems["web_crawler"]
    (publish,) = crawler_step(systems, "fetcher", "message_queue")
    assert "`Location`" in publish.text and "redirects" in crawler.components["message_queue"].role


def test_the_fingerprints_have_a_store_and_its_size_follows_from_the_corpus(systems):
    """The duplicate check records one fingerprint per URL (step 12): the page must say where they
    live, and the size it quotes must follow from the corpus and the banded index."""
    table = page("web_crawler").split("### Data stores")[1].split("## High-level design")[0]
    (row,) = [line for line in table.splitlines() if line.startswith("| Page fingerprints")]
    corpus, tables, row_bytes = 30e9, 16, 8 + 8  # fingerprint and URL hash
    assert "30 billion" in systems["web_crawler"].assumptions["daily_active_users"][1]
    assert "16 permuted tables" in row and f"some {round(corpus * tables * row_bytes / 1e12)} TB" in row


def test_a_new_url_lost_between_its_insert_and_the_frontier_comes_back(systems):
    """The conditional put makes a redelivered message skip every URL it inserted before; a URL
    inserted but never handed to the frontier must still come due, or it is lost for good."""
    (insert,) = crawler_step(systems, "url_processor", "url_store")
    assert "next crawl time a day ahead" in insert.text
    (feed,) = crawler_step(systems, "url_store", "frontier")
    assert "dies between the insert and the hand-over" in feed.text and "scheduler hands it over" in feed.text


def test_a_retried_rule_edit_is_not_taken_for_a_conflict(systems):
    (edit,) = [e for e in systems["rate_limiter"].endpoints if e.route == "/v1/rules/{rule_id}"]
    assert "first answer was lost" in dict(edit.status)[200] and "writes the cache again" in dict(edit.status)[200]


def test_a_page_that_became_a_duplicate_leaves_no_stale_copy(systems):
    check, _ = crawler_step(systems, "fetcher", "duplicate_check")
    assert "old fingerprint" in check.text and "nightly job deletes the stored copies" in check.text
