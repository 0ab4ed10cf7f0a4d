"""The real systems' APIs and capacity sections: every declared API is valid OpenAPI, the
pages show both tables, and every figure the prose quotes beyond the nine computed
estimates follows from the script's own assumptions."""

from __future__ import annotations

import math
import re

import pytest
from openapi_spec_validator import validate

from blueprint import api
from conftest import ROOT

WITH_API_AND_CAPACITY = (
    "newsfeed", "rate_limiter", "web_crawler", "google_maps", "twitter_search", "tagging",
    "color_picker", "kanban", "job_scheduler", "marketplace", "youtube", "dropbox",
    "chat", "proximity", "ride_hailing",
)
DAY = 86_400  # seconds


def test_every_declared_api_is_valid_openapi_3_1(catalogue):
    declared = [system for system in catalogue.systems.values() if system.endpoints]
    assert {system.id for system in declared} >= {"pastebin", *WITH_API_AND_CAPACITY}
    for system in declared:
        document = api.openapi(system)
        validate(document)  # raises on an invalid document
        assert document["openapi"] == "3.1.0", system.id


@pytest.mark.parametrize("system_id", WITH_API_AND_CAPACITY)
def test_the_page_shows_the_api_and_the_capacity_and_quotes_figures_only_through_markers(catalogue, system_id):
    system = catalogue.systems[system_id]
    assert system.endpoints and system.assumptions
    page = page_text(system_id)
    assert f"<!-- blueprint: {system_id}/api -->" in page
    assert f"<!-- blueprint: {system_id}/capacity -->" in page
    assert page.index("## API") < page.index("## Capacity") < page.index("## Trade-offs")
    section = page[page.index("## Capacity"):page.index("## Trade-offs")]
    assert re.search(rf"<!-- blueprint: {system_id}/capacity#[a-z_]+ -->", section), "the prose quotes no computed figure"
    typed = re.findall(r"\d[\d,.]*\s*(?:/s\b|[kKMGTP]B\b|bytes\b)", re.sub(r"<!--.*?-->", "", section))
    assert not typed, f"a rate or a size typed by hand instead of quoted with a marker: {typed}"


def test_no_quoted_figure_starts_a_line():
    """A marker at the start of a line is read as an HTML block and breaks its paragraph in two."""
    for page in sorted((ROOT / "docs" / "systems").glob("*.md")):
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
            assert not re.match(r"<!-- blueprint: [a-z0-9_]+/capacity#", line), f"{page.name}:{number}"


# --- Figures quoted in prose that are not among the nine computed estimates -------------

def page_text(system_id: str) -> str:
    return (ROOT / "docs" / "systems" / f"{system_id}.md").read_text(encoding="utf-8")


def prose(system_id: str) -> str:
    """The page with its line breaks folded, so a quoted phrase may span two lines."""
    return " ".join(page_text(system_id).split())


def assumed(catalogue, system_id: str, name: str) -> float:
    """One declared assumption as a plain number (sizes in bytes, durations in days)."""
    from pint import UnitRegistry

    value = catalogue.systems[system_id].assumptions[name][0]
    if not isinstance(value, str):
        return float(value)
    units = UnitRegistry()
    quantity = units.Quantity(value)
    is_size = quantity.dimensionality == units.Quantity(1, "byte").dimensionality
    return float(quantity.to("byte" if is_size else "day").magnitude)


def writes_per_second(catalogue, system_id: str) -> float:
    return assumed(catalogue, system_id, "daily_active_users") * assumed(catalogue, system_id, "writes_per_user_per_day") / DAY


def test_newsfeed_fan_out_and_the_celebrity_post(catalogue):
    followers, celebrity = 200, 100_000_000  # as the page states them
    pushes = writes_per_second(catalogue, "newsfeed") * followers
    peak = pushes * assumed(catalogue, "newsfeed", "peak_to_average")
    minutes_of_fan_out = celebrity / pushes / 60
    assert round(pushes, -4) == 350_000
    assert 0.9e6 <= peak <= 1.1e6
    assert 4.5 <= minutes_of_fan_out < 5
    text = prose("newsfeed")
    assert "about 200 followers" in text
    assert "some 350,000 pushes a second on average and about a million at the peak" in text
    assert "100 million followers would be 100 million pushes, nearly five minutes" in text


def test_web_crawler_hosts_crawled_at_once(catalogue):
    pause = 5  # seconds between two requests to one host, as the page states it
    pages_per_second = writes_per_second(catalogue, "web_crawler")
    assert round(pages_per_second * pause, -3) == 58_000
    text = prose("web_crawler")
    assert "one request per host every five seconds" in text
    assert "some 58,000 hosts at once" in text


def test_google_maps_phones_navigating_at_the_peak(catalogue):
    seconds_between_fixes = 4  # the requirements' rate, which the page repeats
    peak_fixes = writes_per_second(catalogue, "google_maps") * assumed(catalogue, "google_maps", "peak_to_average")
    assert math.isclose(peak_fixes * seconds_between_fixes, 10_000_000)
    text = prose("google_maps")
    assert "10 million phones navigating at once" in text
    assert "one fix every four seconds" in text and "each sending a fix every 4 seconds" in text


def test_twitter_search_real_time_window(catalogue):
    days, segment = 7, 2**23  # the real-time window and the size of a full segment, as the page states them
    tweets_in_window = writes_per_second(catalogue, "twitter_search") * DAY * days
    assert math.isclose(tweets_in_window, 3.5e9)
    assert round(tweets_in_window / segment, -1) == 420
    text = prose("twitter_search")
    assert "A week of tweets, the real-time window, is 3.5 billion tweets: some 420 full segments of 2²³ tweets" in text


def test_kanban_replay_queue_holds_three_days(catalogue):
    days = 3  # how long the replay queue keeps changes, as the page states it
    changes_per_day = writes_per_second(catalogue, "kanban") * DAY
    queue_bytes = changes_per_day * assumed(catalogue, "kanban", "write_size") * days
    assert round(queue_bytes / 1e9, -1) == 300
    text = prose("kanban")
    assert "It keeps three days of changes, some 300 gigabytes" in text
    # Kafka keeps each partition on several brokers: the disk the brokers need is a multiple
    replicas = 3
    assert f"or {round(queue_bytes * replicas / 1e9, -2):.0f} with the usual three replicas" in " ".join(text.split())


def test_job_scheduler_sorted_set_holds_an_hour_of_runs(catalogue):
    window = 3_600  # seconds: the task cache holds the runs due within the next hour
    entries = writes_per_second(catalogue, "job_scheduler") * window
    assert 3.5e6 <= entries < 4.5e6
    text = prose("job_scheduler")
    assert "The sorted set holds the runs due within the next hour, some four million entries" in text


def test_youtube_egress_in_bits(catalogue):
    views_per_second = writes_per_second(catalogue, "youtube") * assumed(catalogue, "youtube", "read_to_write")
    terabits = views_per_second * assumed(catalogue, "youtube", "read_size") * 8 / 1e12
    assert round(terabits) == 46
    assert "some 46 terabits a second" in prose("youtube")


def test_chat_heartbeats_outnumber_messages(catalogue):
    online, heartbeat = 100_000_000, 30  # users online at once and seconds between heartbeats, as the page states them
    peak_messages = writes_per_second(catalogue, "chat") * assumed(catalogue, "chat", "peak_to_average")
    assert round(online / heartbeat / peak_messages) == 7
    text = prose("chat")
    assert "100 million users online at once" in text and "a heartbeat every 30 seconds" in text
    assert "about seven heartbeats for every message, even at the message peak" in text


def test_proximity_the_cells_of_the_whole_world_fit_in_memory(catalogue):
    entry = 40  # bytes per attraction in a cell: ID, two coordinates and a geohash, as the page states it
    days = assumed(catalogue, "proximity", "retention")
    attractions = writes_per_second(catalogue, "proximity") * DAY * days
    assert round(attractions, -7) == 370_000_000 and 360e6 < attractions < 370e6
    assert round(attractions * entry / 1e9) == 15
    text = prose("proximity")
    assert "ten years make 365 million of them, and at about forty bytes each" in text
    assert "the cells of the whole world take some 15 gigabytes" in text


def test_ride_hailing_drivers_online_at_the_peak(catalogue):
    seconds_between_updates = 4  # the page's rate
    peak = writes_per_second(catalogue, "ride_hailing") * assumed(catalogue, "ride_hailing", "peak_to_average")
    drivers = peak * seconds_between_updates
    assert math.isclose(drivers, 1_000_000)
    from algorithms.location_load import LocationUpdates

    load = LocationUpdates(drivers_online=round(drivers))
    assert 100 < load.index_megabytes < 150  # "a little over a hundred megabytes"
    size = assumed(catalogue, "ride_hailing", "write_size")
    assert load.payload_bytes < size < load.payload_bytes + load.overhead_bytes
    reason = catalogue.systems["ride_hailing"].assumptions["write_size"][1]
    assert f"{load.payload_bytes}-byte position" in reason and f"{load.payload_bytes + load.overhead_bytes} bytes" in reason
    text = prose("ride_hailing")
    assert "which at one update every 4 seconds is a million drivers online at once" in text
    assert "a million at the peak, a little over a hundred megabytes by the estimate in *What location updates cost*" in text
    notes = " ".join(note.text for note in catalogue.systems["ride_hailing"].paths["write"].notes)
    assert "a million drivers online, one update every 4 seconds, is 250,000 writes a second" in notes
    assert round(peak) == 250_000


def test_ride_hailing_trips_a_second_at_the_peak(catalogue):
    trips_per_day, watching, push_every = 25_000_000, 30 * 60, 4  # as the read_to_write reason states them
    system = catalogue.systems["ride_hailing"]
    assert "25 million trips a day" in system.assumptions["read_to_write"][1]
    pushes_per_day = trips_per_day * watching / push_every
    assert round(pushes_per_day / (writes_per_second(catalogue, "ride_hailing") * DAY), 1) == assumed(
        catalogue, "ride_hailing", "read_to_write")
    peak_trips = trips_per_day / DAY * assumed(catalogue, "ride_hailing", "peak_to_average")
    assert round(peak_trips, -1) == 720
    assert 5 * peak_trips < 10_000  # "a few thousand writes a second" at five writes a trip
    assert "at the 25 million trips a day assumed for the pushes, that is some 720 trips a second at the peak" in prose(
        "ride_hailing")


def test_chat_group_cache_counted_from_the_groups(catalogue):
    groups, page = 20_000_000, 50  # active groups a day and messages kept per group, as the page states them
    counted = groups * page * assumed(catalogue, "chat", "write_size")
    assert math.isclose(counted, 300e9)
    estimate = next(r for r in catalogue.capacities["chat"]["results"] if r["name"] == "cache")["magnitude"] / 8  # bits
    assert math.isclose(estimate, 180e9)
    assert 1 / 3 <= counted / estimate <= 3  # "the same order"
    assert "20 million groups active in a day, each with its latest 50 messages at the size assumed above, come to 300 gigabytes" in prose("chat")


def test_a_retention_of_one_day_reads_as_one_day(catalogue):
    """The rate limiter keeps a day of counters: its table must say "1 day", not "1 days"."""
    from blueprint.capacity import compute

    shown = {row["name"]: row["value"] for row in compute(catalogue.systems["rate_limiter"])["assumptions"]}
    assert shown["retention"] == "1 day"
    shown = {row["name"]: row["value"] for row in compute(catalogue.systems["web_crawler"])["assumptions"]}
    assert shown["retention"] == "30 days"
