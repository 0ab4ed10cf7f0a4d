"""YouTube: every source item kept, cache reads with a miss path, one story per store, the schema."""

from __future__ import annotations

import math
import sqlite3

import pytest

from conftest import ROOT
from system_checks import cache_reads_without_miss_path

# Items in the source's numbered lists: each is a step or a note.
SOURCE_ITEMS = {"upload": 36, "streaming": 38}


@pytest.fixture(scope="module")
def youtube(catalogue):
    return catalogue.systems["youtube"]


@pytest.mark.parametrize("path_id", sorted(SOURCE_ITEMS))
def test_every_source_item_is_a_step_or_a_note(youtube, path_id):
    path = youtube.paths[path_id]
    assert len(path.steps) + len(path.notes) >= SOURCE_ITEMS[path_id]


def test_upload_is_drawn_in_the_stages_of_the_pipeline(youtube):
    titles = [stage.title for stage in youtube.paths["upload"].stages()]
    assert titles == ["Connect and register the video", "Chunked, resumable upload",
                      "Transcode into several resolutions and formats", "Thumbnails",
                      "Record the metadata", "Notify the uploader"]


def test_streaming_is_drawn_in_stages(youtube):
    titles = [stage.title for stage in youtube.paths["streaming"].stages()]
    assert titles == ["Resolve and connect", "Read the watch page", "Thumbnails and search", "Adaptive streaming"]


CACHE_WRITES = {"upload": {23}, "streaming": set()}  # steps that delete from a cache, not read it


@pytest.mark.parametrize("path_id", sorted(SOURCE_ITEMS))
def test_every_cache_read_has_a_miss_path(youtube, path_id):
    path = youtube.paths[path_id]
    assert cache_reads_without_miss_path(youtube, path, CACHE_WRITES[path_id]) == []
    for step in path.steps:
        if step.number in CACHE_WRITES[path_id]:
            assert "deletes" in step.text


def arrows(path):
    return [(step.number, step.source, target) for step in path.steps for target in step.targets]


def test_the_video_is_queued_only_after_the_upload_is_complete(youtube):
    """The source queues the video before the file is uploaded; here the order is fixed."""
    steps = arrows(youtube.paths["upload"])
    uploaded = max(n for n, source, target in steps if (source, target) == ("client", "raw_store"))
    completed = max(n for n, source, target in steps if (source, target) == ("app_server", "raw_store"))
    queued = min(n for n, source, target in steps if target == "queue")
    consumed = min(n for n, source, target in steps if source == "queue")
    assert uploaded < completed < queued < consumed


def test_one_story_per_store(youtube):
    """Who writes each store: the metadata cache is read (and filled on a miss) by the app server and only deleted by the
    upload handler; transcoded video is written only by the transcoder; raw video only by clients
    and the app server that completes their uploads; thumbnails only by the thumbnail workers."""
    writers = {}
    for path in youtube.paths.values():
        for number, source, target in arrows(path):
            writers.setdefault(target, set()).add((path.id, source))
    assert writers["metadata_cache"] == {("streaming", "app_server"), ("upload", "upload_handler")}
    assert {source for _, source in writers["thumbnail_store"]} == {"thumbnailer", "cdn"}
    assert {source for path, source in writers["transcoded_store"] if path == "upload"} == {"transcoder"}
    assert {source for path, source in writers["transcoded_store"] if path == "streaming"} == {"cdn"}
    assert {source for _, source in writers["raw_store"]} == {"client", "app_server", "transcoder", "thumbnailer"}
    # the video bytes reach the player only from the CDN; the app server sends metadata and the playlist
    assert [source for _, source, target in arrows(youtube.paths["streaming"]) if target == "client"] == ["app_server"]


def test_the_two_object_stores_are_told_apart_by_label(youtube):
    raw, transcoded = youtube.components["raw_store"], youtube.components["transcoded_store"]
    assert raw.kind == transcoded.kind == "s3"
    assert raw.label != transcoded.label


def test_the_player_links_the_adaptive_bitrate_concept(youtube):
    from blueprint.kinds import concept_page

    assert concept_page(youtube.components["client"].kind) == "concepts/abr.md"
    assert (ROOT / "docs" / "concepts" / "abr.md").exists()


@pytest.fixture
def db():
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.executescript((ROOT / "snippets" / "schemas" / "youtube.sql").read_text())
    connection.execute("INSERT INTO users VALUES (1, 'Ana', 'ana@example.com', '2026-01-01')")
    connection.execute("INSERT INTO videos (id, user_id, title, raw_object_key, upload_key, created_at) "
                       "VALUES (10, 1, 'Cats', 'raw/10', 'tap-1', '2026-01-02')")
    return connection


def test_a_new_video_starts_as_uploading(db):
    assert db.execute("SELECT status, view_count FROM videos WHERE id = 10").fetchone() == ("uploading", 0)


def test_status_and_renditions_are_constrained(db):
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE videos SET status = 'published' WHERE id = 10")
    db.execute("INSERT INTO renditions (video_id, height, codec, bitrate_kbps, playlist_key) "
               "VALUES (10, 720, 'h264', 2350, 'v/10/720.m3u8')")
    with pytest.raises(sqlite3.IntegrityError):  # one rendition per height and codec
        db.execute("INSERT INTO renditions (video_id, height, codec, bitrate_kbps, playlist_key) "
                   "VALUES (10, 720, 'h264', 2500, 'v/10/720b.m3u8')")
    with pytest.raises(sqlite3.IntegrityError):  # a comment on a video that does not exist
        db.execute("INSERT INTO comments (video_id, user_id, body, created_at) VALUES (99, 1, 'hi', '2026-01-03')")


def themed(path):
    found = {}
    for note in path.notes:
        found.setdefault(note.theme, []).append(note.text)
    return {theme: " ".join(texts) for theme, texts in found.items()}


def test_the_operational_remarks_are_themed_notes_with_their_corrections(youtube):
    """Pre-scaling, warm-up, emergency mode, chaos engineering, Vitess and RAID are kept, under themes,
    and the source's loose claims about them are corrected."""
    upload, streaming = themed(youtube.paths["upload"]), themed(youtube.paths["streaming"])
    capacity = streaming["Capacity and reliability"]
    assert "scaled up in advance" in capacity and "warmed up" in capacity
    assert "emergency" in capacity and "circuit breakers" in capacity
    assert "Chaos engineering" in upload["Operations"] and "RAID is not a backup" in upload["Operations"]
    vitess = upload["Vitess"]
    assert "replaces neither MySQL nor a cache" in vitess          # a routing layer, not a store
    assert "Row data is not cached" in vitess                      # the source's "caching" claim
    assert "the application chooses" in vitess                     # fresh reads: not Vitess's decision
    assert "two-phase commit" in vitess                             # cross-shard transactions are best effort


def test_the_dual_write_and_the_cache_refill_race_are_addressed(youtube):
    upload, streaming = themed(youtube.paths["upload"]), themed(youtube.paths["streaming"])
    assert "outbox" in upload["Order of the steps"] and "at least once" in upload["Order of the steps"]
    assert "lagging follower" in streaming["Caching and CDN"]


# --- Review findings Y1-Y8 (systems-review.md) ---------------------------------------------

DAY = 86_400


def endpoint(youtube, method, route):
    return next(e for e in youtube.endpoints if e.method == method and e.route == route)


def assumed(youtube, name):
    return youtube.assumptions[name][0]


def test_position_reports_have_a_store_an_endpoint_and_a_figure(youtube):
    """Y1: the resume feature's writes are drawn, declared and counted. Five billion views a day
    of about five minutes, one report every 30 seconds: about 1.2 million writes a second at the
    peak, ten times the watch-page calls, and the page says so."""
    history = youtube.paths["history"]  # a path of its own: its rate is not the views'
    writes = [step for step in history.steps if step.source == "app_server" and step.targets == ("watch_history",)]
    assert writes and "30 seconds" in history.steps[writes[-1].number - 2].text
    assert youtube.components["watch_history"].kind == "cassandra"
    report = endpoint(youtube, "PUT", "/v1/me/history/{video_id}")
    assert report.starts == ("history", writes[-1].number - 1)
    views_per_second = (assumed(youtube, "daily_active_users") * assumed(youtube, "writes_per_user_per_day")
                        * assumed(youtube, "read_to_write") / DAY)
    assert "about five minutes" in youtube.assumptions["read_size"][1]
    watching = views_per_second * 5 * 60
    peak_reports = watching / 30 * assumed(youtube, "peak_to_average")
    peak_pages = views_per_second * assumed(youtube, "peak_to_average")
    assert round(watching / 1e6) == 17 and round(peak_reports / 1e6, 1) == 1.2
    assert round(peak_reports / peak_pages) == 10
    page = (ROOT / "docs" / "systems" / "youtube.md").read_text()
    assert "some 17 million people watching at" in page and "about 1.2 million" in page
    assert "ten times the watch-page calls" in page


def test_hours_watched_per_hour_uploaded_are_hundreds(youtube):
    """Y2: five million uploads of nine minutes against five billion views of five minutes."""
    uploads = assumed(youtube, "daily_active_users") * assumed(youtube, "writes_per_user_per_day")
    assert "nine minutes" in youtube.assumptions["writes_per_user_per_day"][1]
    ratio = uploads * assumed(youtube, "read_to_write") * 5 / (uploads * 9)
    assert 100 < ratio < 1000
    page = (ROOT / "docs" / "systems" / "youtube.md").read_text()
    assert "some hundreds of hours are watched" in page and "thousands of hours" not in page


def test_a_viral_video_does_not_pile_onto_one_app_server(youtube):
    """Y3: hashing by video ID keeps caches warm; bounded loads keep a hot video from one server."""
    hashing = next(step for step in youtube.paths["streaming"].steps
                   if step.source == "web_server" and step.targets == ("app_server",))
    assert "bounded loads" in hashing.text and "spill over" in hashing.text


def test_a_retried_complete_gets_the_same_answer(youtube):
    """Y4: a lost 202 retried is a success again, not a 409."""
    complete = endpoint(youtube, "POST", "/v1/videos/{video_id}/complete")
    status = dict(complete.status)
    assert 409 not in status and "same 202" in status[202]
    notes = " ".join(note.text for note in youtube.paths["upload"].notes)
    assert "calls *complete* again" in notes and "joined object exists" in notes


def test_the_resume_protocols_are_named_with_their_own_headers():
    """Y5: tus resumes by Upload-Offset; Content-Range is Google's resumable upload."""
    page = (ROOT / "docs" / "systems" / "youtube.md").read_text()
    assert "tus asks with `HEAD` and reads `Upload-Offset`" in page
    assert "Google's resumable uploads (Cloud Storage, the YouTube\nData API) use `Content-Range`" in page


def test_thumbnails_come_from_the_cdn_whose_origin_is_the_thumbnail_store(youtube):
    """Y6: the app server hands out URLs; no step has it read image bytes it would not return."""
    streaming = arrows(youtube.paths["streaming"])
    assert not [a for a in streaming if a[1:] == ("app_server", "thumbnail_store")]
    to_cdn = [n for n, source, target in streaming if (source, target) == ("client", "cdn")]
    miss = [step for step in youtube.paths["streaming"].steps if step.source == "cdn" and step.targets == ("thumbnail_store",)]
    assert miss and miss[0].when == "On a cache miss" and miss[0].number - 1 in to_cdn
    watch_page = dict(endpoint(youtube, "GET", "/v1/videos/{video_id}").response)
    assert "on the CDN" in watch_page["thumbnails"]


def test_the_access_grant_covers_every_segment_not_only_the_playlist(youtube):
    """Y7: a query-string signature on a cached playlist leaves its segments open; the grant is a
    signed cookie or a path token, checked by the edge on every file."""
    steps = youtube.paths["streaming"].steps
    page_answer = next(step for step in steps if step.source == "app_server" and step.targets == ("client",))
    assert "signed cookie scoped to the video's path" in page_answer.text and "token inside" in page_answer.text
    assert any("every playlist and segment request" in step.text for step in steps)
    notes = " ".join(note.text for note in youtube.paths["streaming"].notes)
    assert "relative URLs" in notes and "DRM" in notes
    headers = endpoint(youtube, "GET", "/v1/videos/{video_id}").response_headers
    assert any(code == 200 and name == "Set-Cookie" for code, name, _ in headers)


def test_prefetch_after_playback_starts_is_not_called_useless(youtube):
    """Y8: too late for the first segments only; prefetching the rest helps that viewer."""
    notes = " ".join(note.text for note in youtube.paths["streaming"].notes)
    assert "too late to help that viewer" not in notes
    assert "first segments this comes too late" in notes and "prefetch the next segments" in notes


def test_a_retried_registration_cannot_make_a_second_video(db):
    """POST /v1/videos promises that its Idempotency-Key returns the same video: the key is stored,
    unique per user, and the multipart upload's ID is kept for resuming."""
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO videos (id, user_id, title, raw_object_key, upload_key, created_at) "
                   "VALUES (11, 1, 'Cats', 'raw/11', 'tap-1', '2026-01-02')")
    db.execute("UPDATE videos SET upload_id = 'mpu-1' WHERE id = 10")
    assert db.execute("SELECT id, upload_id FROM videos WHERE user_id = 1 AND upload_key = 'tap-1'").fetchone() == (10, "mpu-1")


def test_every_consumer_of_the_upload_pipeline_survives_a_redelivery(youtube):
    steps = {step.number: step.text for step in youtube.paths["upload"].steps}
    assert "redelivered event rewrites the same objects" in steps[16]
    assert "redelivered event changes nothing" in steps[22]
    assert "replaced, not duplicated" in steps[24]
    assert "does not notify twice" in steps[25]


# --- Review rev_c: the status and its event through an outbox, the handler's offset, the reports ---

UPLOAD_SQL = "snippets/sql/systems/youtube_upload.sql"


def sql_statements(section: str) -> list[str]:
    from blueprint.sql_pages import read_section

    text = "\n".join(line for line in read_section(ROOT, UPLOAD_SQL, section).splitlines()
                     if not line.lstrip().startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]


@pytest.fixture(scope="module")
def postgres():
    from sql_engines import PostgresServer, PostgresUnavailable

    server = PostgresServer()
    try:
        server.start()
    except PostgresUnavailable as error:
        server.stop()
        pytest.fail(f"this test needs a real PostgreSQL server, and it could not start: {error}", pytrace=False)
    try:
        yield server.connect
    finally:
        server.stop()


@pytest.fixture
def pg(postgres):
    connection = postgres()
    connection.execute("DROP SCHEMA IF EXISTS public CASCADE")
    connection.execute("CREATE SCHEMA public")
    connection.execute((ROOT / "snippets" / "schemas" / "youtube.sql").read_text())
    for sql in sql_statements("seed"):
        connection.execute(sql)
    yield connection
    connection.close()


def complete(connection) -> bool:
    """Run upload step 12 as the app server does: roll back when the status is already past uploading."""
    for sql in sql_statements("complete"):
        rows = connection.execute(sql).rowcount
        if sql.startswith("UPDATE videos") and rows == 0:
            connection.execute("ROLLBACK")
            return False
    return True


def test_the_status_and_its_event_commit_together_or_not_at_all(pg, postgres):
    """Published straight to Kafka, a crash after the status update left the video processing forever, and a
    retried complete found the status past uploading and did nothing. With the outbox, a crash before COMMIT
    leaves neither write, and after COMMIT the relay still finds the event."""
    crashed = postgres()
    for sql in sql_statements("complete")[:-1]:  # everything but COMMIT, then the server dies
        crashed.execute(sql)
    crashed.close()
    assert pg.execute("SELECT status FROM videos WHERE id = 10").fetchone() == ("uploading",)
    assert pg.execute("SELECT COUNT(*) FROM outbox").fetchone() == (0,)
    assert complete(pg)  # the client's retry of complete
    assert not complete(pg)  # and a second retry: nothing is queued twice
    unsent, mark = sql_statements("relay")
    assert pg.execute(unsent).fetchall() == [(1, 10, "uploaded")]
    assert pg.execute(mark).rowcount == 1
    assert pg.execute(unsent).fetchall() == []


def test_two_racing_retries_record_one_multipart_upload(pg):
    record = sql_statements("start_upload")[0]
    assert pg.execute(record).rowcount == 1
    assert pg.execute(record.replace("mpu-1", "mpu-2")).rowcount == 0  # the loser aborts its own upload
    assert pg.execute("SELECT upload_id FROM videos WHERE id = 10").fetchone() == ("mpu-1",)


def test_the_event_is_published_by_the_relay_from_the_outbox(youtube):
    steps = youtube.paths["upload"].steps
    status = next(s for s in steps if s.number == 12)
    assert status.targets == ("metadata_db",) and status.transaction and "outbox" in status.text
    publish = [s for s in steps if "queue" in s.targets and s.source != "transcoder"]
    assert [(s.number, s.source) for s in publish] == [(13, "relay")]
    notes = " ".join(note.text for note in youtube.paths["upload"].notes)
    assert "or have a sweeper" not in notes  # the design chooses
    assert "commits its offset on the `transcoded` topic only after step 25" in notes


def test_a_position_report_is_never_retried(youtube):
    """A retried report stamped after a newer one would win, and after a pause or exit nothing corrects it."""
    write = next(s for s in youtube.paths["history"].steps
                 if s.source == "app_server" and s.targets == ("watch_history",))
    assert "never retries a report" in write.text and "no next report would put it right" in write.text
    report = endpoint(youtube, "PUT", "/v1/me/history/{video_id}")
    assert "does not retry" in dict(report.status)[204]


def test_the_hot_fraction_is_explained_by_skew_not_against_it(youtube):
    reason = youtube.assumptions["hot_fraction"][1]
    assert "carry most of the bytes streamed" in reason


def test_a_video_that_fails_to_transcode_is_marked_failed(youtube):
    """The schema and the notification know 'failed'; some step must set it, and the watch page must say it."""
    notes = " ".join(note.text for note in youtube.paths["upload"].notes)
    assert "status to `failed` (only from `processing`" in notes
    watch = endpoint(youtube, "GET", "/v1/videos/{video_id}")
    assert "failed" in dict(watch.response)["status"]


def test_the_user_quota_is_checked_from_a_token_the_rate_limiter_verifies(youtube):
    """The rate limiter runs before any web server has authenticated the call."""
    limit = next(s for s in youtube.paths["upload"].steps if s.targets == ("rate_limiter",))
    assert "bearer token" in limit.text and "verifies itself" in limit.text


# --- Failure and load declarations (issue 22) ---

def test_position_reports_run_ten_times_per_view_not_once(youtube):
    """Reports come every 30 seconds of playback and a view is about five minutes: ten per view.
    Counted once per view, the watch history's load would be a tenth of what the page says; at the
    whole view's 100 MB each, it would be terabytes a second. A report is a row of some 200 B."""
    from blueprint import capacity, load

    loads = {l.component: l for l in load.compute(youtube, capacity.compute(youtube))}
    history = youtube.paths["history"]
    assert history.rate is None and (history.per, history.times, history.size) == ("read", 10, "200 B")
    # by hand: 1e9 users * 0.005 uploads * 1,000 views per upload / 86,400 s * 2 at peak
    views = 1e9 * 0.005 * 1_000 / 86_400 * 2
    assert round(views) == 115_741
    reports = views * 5 * 60 / 30  # ten per view
    assert math.isclose(loads["watch_history"].requests, reports + views)  # plus one resume read per view
    assert math.isclose(loads["watch_history"].bytes, (reports + views) * 200)  # one row each, 200 B
    assert loads["watch_history"].bytes < 300e6
    # the metadata cache: one 2 kB lookup per view, one 100 B delete per upload
    assert math.isclose(loads["metadata_cache"].bytes, views * 2_000 + views / 1_000 * 100)
    assert load.hottest(list(loads.values())).component == "app_server"


def test_a_crashed_transcoder_gets_its_event_back(youtube):
    """The transcoder writes renditions, then publishes `transcoded`: its offset on `uploaded` is committed
    only after the publish, or a crash in between leaves the video `processing` for good."""
    steps = {s.number: s for s in youtube.paths["upload"].steps}
    assert steps[20].source == "transcoder" and "only then commits its offset" in steps[20].text
    assert steps[16].after_crash[0] == "idempotent retry" and steps[16].idempotent_by


def test_every_write_after_a_kafka_delivery_names_its_key(youtube):
    steps = youtube.paths["upload"].steps
    for number in (16, 19, 20, 22, 23, 24):
        assert "video ID" in steps[number - 1].idempotent_by, number
