"""API contracts and capacity estimates: declared with the system, computed and checked by the build."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from blueprint import api, capacity
from blueprint.build import build, check_published, load_all
from blueprint.model import BlueprintError, System
from conftest import FIXTURES, make_project, mkdocs_build

SCRIPT = (FIXTURES / "api_capacity.py").read_text()
PAGE = "# Paste\n\n<!-- blueprint: paste/write -->\n\n<!-- blueprint: paste/read -->\n\n<!-- blueprint: paste/api -->\n\n<!-- blueprint: paste/capacity -->\n"


@pytest.fixture(scope="module")
def paste(tmp_path_factory):
    folder = tmp_path_factory.mktemp("paste")
    return build(make_project(folder / "project", {"paste.py": SCRIPT}), folder / "cache")


def test_the_openapi_document_is_valid_openapi_3_1(paste):
    document = api.openapi(paste.systems["paste"])
    validate(document)  # raises on an invalid document
    assert document["openapi"] == "3.1.0"
    create = document["paths"]["/v1/pastes"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["required"] == ["text"]
    assert set(create["responses"]) == {"201", "400", "429"}
    assert {p["name"] for p in create["parameters"]} == {"Idempotency-Key"}
    assert create["security"] == [{"bearer": []}]
    read = document["paths"]["/v1/pastes/{paste_id}"]["get"]
    assert [(p["name"], p["in"]) for p in read["parameters"]] == [("paste_id", "path"), ("If-None-Match", "header")]
    assert "requestBody" not in read
    assert read["description"] == "Read a paste. Starts step 1 of the read path."
    assert (create["operationId"], read["operationId"], create["tags"], read["security"]) == ("createPaste", "getPaste", ["pastes"], [])
    assert set(read["responses"]["200"]["headers"]) == {"ETag"}  # a response header, not a parameter
    assert set(read["responses"]["404"]["headers"]) == {"ETag", "Cache-Control"}


def test_capacity_follows_from_the_assumptions_by_hand(paste):
    results = {r["name"]: r for r in paste.capacities["paste"]["results"]}
    writes_per_second = 1_000_000 * 0.1 / 86_400  # 1.157
    assert math.isclose(results["write_qps"]["magnitude"], writes_per_second)
    assert results["write_qps"]["value"] == "1.16 /s"
    assert math.isclose(results["write_qps_peak"]["magnitude"], 3 * writes_per_second)
    assert math.isclose(results["read_qps"]["magnitude"], 10 * writes_per_second)
    assert results["read_qps_peak"]["value"] == "34.7 /s"
    # bandwidth in bytes per second (pint's base unit for information is the bit: 8 per byte)
    assert math.isclose(results["ingress"]["magnitude"], writes_per_second * 10_000 * 8)
    assert results["ingress"]["value"] == "11.6 KB/s"
    assert results["egress"]["value"] == "116 KB/s"
    assert results["egress_peak"]["value"] == "347 KB/s"
    storage = 100_000 * 10_000 * 5 * 365.25  # writes a day × size × days
    assert math.isclose(results["storage"]["magnitude"], storage * 8)
    assert results["storage"]["value"] == "1.83 TB"
    cache = 1_000_000 * 10_000 * 0.2  # reads a day × size × hot share
    assert math.isclose(results["cache"]["magnitude"], cache * 8)
    assert results["cache"]["value"] == "2 GB"


def test_the_page_shows_the_api_table_the_estimates_and_links_the_document(tmp_path):
    project = make_project(tmp_path / "project", {"paste.py": SCRIPT}, {"index.md": PAGE})
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode == 0, result.log
    html = (tmp_path / "site" / "index.html").read_text()
    assert "<code>POST&nbsp;/v1/pastes</code>" in html
    assert '<a href="#paste-write-step-1-text">Write path, step 1</a>' in html
    assert 'id="paste-write-step-1-text"' in html
    assert '<a href="assets/blueprint/paste/openapi.json">openapi.json</a>' in html
    published = json.loads((tmp_path / "site" / "assets/blueprint/paste/openapi.json").read_text())
    validate(published)
    assert published == api.openapi(load_all(project).systems["paste"])
    assert '<tr data-quantity="storage"><td>Storage over the retention period</td><td><strong>1.83 TB</strong></td>' in html
    assert "writes per day × size of one write × retention" in html


def test_a_declared_api_or_capacity_table_must_be_shown(tmp_path):
    page = "# Paste\n\n<!-- blueprint: paste/write -->\n\n<!-- blueprint: paste/read -->\n"
    project = make_project(tmp_path / "project", {"paste.py": SCRIPT}, {"index.md": page})
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode != 0
    assert "does not show paste/api" in result.log and "does not show paste/capacity" in result.log


@pytest.mark.parametrize("old, new, message", [
    ('starts=(write, 1)', 'starts=(write, 7)', "endpoint 1 (POST /v1/pastes): it starts step 7 of path 'write', which has no such step"),
    ('starts=(write, 1)', 'starts=("wrte", 1)', "endpoint 1 (POST /v1/pastes): it starts path 'wrte', which the system does not declare"),
    ('starts=(write, 1)', 'starts=(read, 2)', "path 'write': a write path needs an endpoint that starts it"),
    ('"POST", "/v1/pastes"', '"FETCH", "/v1/pastes"', "endpoint 1 (FETCH /v1/pastes): the method is one of"),
    ('{201: "Created",', '{301: "Moved",', "endpoint 1 (POST /v1/pastes): list at least one success status (2xx)"),
    ('"text": "string: the paste"', '"text": "text: the paste"', "endpoint 1 (POST /v1/pastes): field 'text' is written 'type: what it is'"),
    ('"If-None-Match": "The ETag the client already has"', '"ETag": "x"', "endpoint 2 (GET /v1/pastes/{paste_id}): 'ETag' is sent by the server; declare it in response_headers"),
    ('404: {"Cache-Control"', '410: {"Cache-Control"', "endpoint 2 (GET /v1/pastes/{paste_id}): response header 'Cache-Control' is for status 410, which is not declared"),
])
def test_api_mistakes_are_located(tmp_path, old, new, message):
    assert old in SCRIPT
    with pytest.raises(BlueprintError) as raised:
        load_all(make_project(tmp_path, {"paste.py": SCRIPT.replace(old, new, 1)}))
    assert f"diagrams/paste.py, {message}" in str(raised.value)


@pytest.mark.parametrize("old, new, message", [
    ('daily_active_users=(1_000_000, "A popular tool"),', "", "'daily_active_users' is missing"),
    ('(1_000_000, "A popular tool")', '(-5, "A popular tool")', "'daily_active_users': -5 is out of range; it must be more than 0"),
    ('(0.1, "One paste every ten days")', '(0, "None")', "'writes_per_user_per_day': 0 is out of range"),
    ('("10 kB", "A long snippet")', '("5 years", "A long snippet")', "'write_size': '5 years' has the wrong unit; it must be a information such as '10 kB'"),
    ('("5 years", "Pastes are kept five years")', '("5 kB", "x")', "'retention': '5 kB' has the wrong unit"),
    ('(3, "Traffic peaks', '(0.5, "Traffic peaks', "'peak_to_average': 0.5 is out of range; it must be at least 1"),
    ('(0.2, "The 80-20 rule")', '(1.5, "The 80-20 rule")', "'hot_fraction': 1.5 is out of range; it must be more than 0 and at most 1"),
    ('(10, "Each paste is read ten times")', '(10, "")', "'read_to_write': write it as (value, \"a one-line reason\")"),
    ('(10, "Each paste is read ten times")', '(float("nan"), "x")', "'read_to_write': nan is not a finite number"),
    ('hot_fraction=(0.2, "The 80-20 rule"),', 'hot_fraction=(0.2, "The 80-20 rule"),\n    users=(1, "x"),', "unknown assumption 'users'"),
])
def test_bad_assumptions_are_refused_naming_the_file_and_the_field(tmp_path, old, new, message):
    assert old in SCRIPT
    with pytest.raises(BlueprintError) as raised:
        build(make_project(tmp_path, {"paste.py": SCRIPT.replace(old, new, 1)}), tmp_path / "cache")
    assert f"diagrams/paste.py, capacity" in str(raised.value)
    assert message in str(raised.value), str(raised.value)


def system_with(**overrides) -> System:
    system = System("S")
    system.source = "diagrams/s.py"
    assumptions = dict(
        daily_active_users=(1e6, "r"), writes_per_user_per_day=(1, "r"), read_to_write=(10, "r"),
        write_size=("1 kB", "r"), read_size=("2 kB", "r"), retention=("1 year", "r"),
        peak_to_average=(2, "r"), hot_fraction=(0.2, "r"),
    )
    assumptions.update({name: (value, "r") for name, value in overrides.items()})
    system.capacity(**assumptions)
    return system


def magnitudes(system: System) -> dict[str, float]:
    return {r["name"]: r["magnitude"] for r in capacity.compute(system)["results"]}


@settings(max_examples=40)
@given(users=st.floats(1, 1e9), factor=st.floats(1.5, 1000))
def test_scaling_users_scales_traffic_storage_and_cache_in_proportion(users, factor):
    base, scaled = magnitudes(system_with(daily_active_users=users)), magnitudes(system_with(daily_active_users=users * factor))
    for name, value in base.items():
        assert math.isclose(scaled[name], value * factor, rel_tol=1e-9), name


@settings(max_examples=40)
@given(retention=st.floats(0.1, 50), size=st.floats(0.1, 1e4))
def test_storage_grows_with_retention_and_size_and_nothing_else_moves(retention, size):
    a = magnitudes(system_with(retention=f"{retention} year", write_size=f"{size} kB"))
    b = magnitudes(system_with(retention=f"{2 * retention} year", write_size=f"{size} kB"))
    assert math.isclose(b["storage"], 2 * a["storage"], rel_tol=1e-9)
    assert all(math.isclose(a[n], b[n]) for n in a if n != "storage")


def test_kib_and_kb_are_told_apart():
    kb = magnitudes(system_with(write_size="1 kB"))["storage"]
    kib = magnitudes(system_with(write_size="1 KiB"))["storage"]
    assert math.isclose(kib / kb, 1.024)


def test_a_figure_quoted_in_prose_comes_from_the_build(tmp_path):
    page = PAGE + "\nAbout <!-- blueprint: paste/capacity#storage --> in five years,\n<!-- blueprint: paste/capacity#cache --> of it hot.\n"
    project = make_project(tmp_path / "project", {"paste.py": SCRIPT}, {"index.md": page})
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode == 0, result.log
    html = (tmp_path / "site" / "index.html").read_text()
    # a figure that starts a line stays in its paragraph
    assert ('<p>About <span class="blueprint-figure-value" data-quantity="storage">1.83 TB</span> in five years,\n'
            '<span class="blueprint-figure-value" data-quantity="cache">2 GB</span> of it hot.</p>') in html
    typo = make_project(tmp_path / "typo", {"paste.py": SCRIPT}, {"index.md": PAGE + "<!-- blueprint: paste/capacity#storag -->\n"})
    result = mkdocs_build(typo, tmp_path / "site2", tmp_path / "cache")
    assert result.returncode != 0
    assert "docs/index.md: the marker 'paste/capacity#storag' names no estimate" in result.log


# --- What the build refuses, `render --check` refuses too; OpenAPI is validated at build time

def check(project, cache) -> tuple[int, str]:
    result = subprocess.run([sys.executable, "-m", "blueprint.cli", "render", "--check", "--root", str(project),
                             "--cache", str(cache)], capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def test_render_check_refuses_an_impossible_capacity_value_as_the_build_does(tmp_path):
    good = make_project(tmp_path / "good", {"paste.py": SCRIPT}, {"index.md": PAGE})
    assert mkdocs_build(good, tmp_path / "site", tmp_path / "cache").returncode == 0
    bad = make_project(tmp_path / "bad", {"paste.py": SCRIPT.replace("(1_000_000, \"A popular tool\")", "(-5, \"A popular tool\")")},
                       {"index.md": PAGE})
    built = mkdocs_build(bad, tmp_path / "site2", tmp_path / "cache")  # the pictures are all cached
    assert built.returncode != 0
    code, said = check(bad, tmp_path / "cache")
    assert code == 1, said
    assert "diagrams/paste.py, capacity, 'daily_active_users': -5 is out of range" in said
    assert "Traceback" not in said


ROUTE_MISTAKES = [
    ('"GET", "/v1/pastes/{paste_id}"', '"GET", "/v1/pastes/{paste_id"',
     "endpoint 2 (GET /v1/pastes/{paste_id): the route has a brace that is not part of a {parameter}"),
    ('"GET", "/v1/pastes/{paste_id}"', '"GET", "/v1/pastes/{paste_id}/v/{paste_id}"',
     "endpoint 2 (GET /v1/pastes/{paste_id}/v/{paste_id}): path parameter '{paste_id}' appears 2 times"),
    ('hot_fraction=(0.2, "The 80-20 rule"),\n)\n',
     'hot_fraction=(0.2, "The 80-20 rule"),\n)\npaste.endpoint("DELETE", "/v1/pastes/{id}", "Delete a paste", status={204: "Gone"})\n'),
]


@pytest.mark.parametrize("old, new, message", [
    ROUTE_MISTAKES[0], ROUTE_MISTAKES[1],
    (ROUTE_MISTAKES[2][0], ROUTE_MISTAKES[2][1],
     "endpoint 3 (DELETE /v1/pastes/{id}): the route differs from /v1/pastes/{paste_id} only in its parameters' names"),
])
def test_routes_openapi_cannot_express_are_refused_naming_the_endpoint(tmp_path, old, new, message):
    assert old in SCRIPT
    project = make_project(tmp_path / "project", {"paste.py": SCRIPT.replace(old, new, 1)}, {"index.md": PAGE})
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode != 0
    assert f"diagrams/paste.py, {message}" in result.log, result.log
    assert not (tmp_path / "site" / "assets" / "blueprint" / "paste" / "openapi.json").exists()


def test_the_build_validates_the_published_document_with_the_tests_validator(tmp_path, monkeypatch):
    """Whatever slips past the model's own checks is caught by openapi-spec-validator,
    run by the build on the text it publishes."""
    project = make_project(tmp_path / "project", {"paste.py": SCRIPT}, {"index.md": PAGE})
    catalogue = build(project, tmp_path / "cache")
    check_published(catalogue)  # valid: passes, and is remembered
    assert len(list((tmp_path / "cache").glob("openapi-*.ok"))) == 1
    monkeypatch.setattr(api, "_schema", lambda spec: {"type": "text", "description": "x"})  # not a JSON Schema type
    broken = build(project, tmp_path / "cache")
    with pytest.raises(BlueprintError) as raised:
        check_published(broken)
    message = str(raised.value)
    assert message.startswith("diagrams/paste.py: the OpenAPI document the build publishes "
                              "(assets/blueprint/paste/openapi.json) is not valid OpenAPI 3.1"), message


# --- Extreme capacity values ---------------------------------------------------------

def test_figures_too_large_to_compute_are_refused_naming_the_file(tmp_path):
    script = SCRIPT.replace('(1_000_000, "A popular tool")', '(10**300, "A popular tool")').replace(
        '(0.1, "One paste every ten days")', '(10**300, "Busy")')
    with pytest.raises(BlueprintError) as raised:
        build(make_project(tmp_path, {"paste.py": script}), tmp_path / "cache")
    assert str(raised.value).startswith("diagrams/paste.py, capacity: "), str(raised.value)
    assert "too large" in str(raised.value)


def test_huge_figures_are_shown_to_three_significant_figures_not_forty_digits():
    shown = {r["name"]: r["value"] for r in capacity.compute(system_with(daily_active_users=10**30))["results"]}
    assert shown["write_qps"] == "1.16 × 10²⁵ /s", shown
    # a double holds about 16 significant digits: no figure may show more, as if exact
    assert all(len(re.sub(r"[^0-9]", "", value.split(" × ")[0])) <= 15 for value in shown.values()), shown
    assert shown["storage"] == "3.65 × 10²⁰ PB", shown
    assert capacity._number(1157.4) == "1,157" and capacity._number(0.1157) == "0.116"  # unchanged below 10¹⁵


def test_kb_written_as_the_site_writes_it_gets_a_hint():
    with pytest.raises(BlueprintError) as raised:
        capacity.compute(system_with(write_size="10 KB"))
    assert "diagrams/s.py, capacity, 'write_size': '10 KB'" in str(raised.value)
    assert "write 'kB' for 1,000 bytes" in str(raised.value)


@pytest.mark.parametrize("old, new, message", [
    ('"Read a paste"', "None", "endpoint 2 (GET /v1/pastes/{paste_id}): the purpose is None; write it as text"),
    ('404: "No such paste, or it expired"', "404: None", "endpoint 2 (GET /v1/pastes/{paste_id}): status 404 is None; write it as text"),
])
def test_none_where_text_belongs_is_refused_naming_the_script(tmp_path, old, new, message):
    assert old in SCRIPT
    project = make_project(tmp_path / "project", {"paste.py": SCRIPT.replace(old, new, 1)}, {"index.md": PAGE})
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode != 0
    assert f"diagrams/paste.py, {message}" in result.log, result.log
    assert "Traceback" not in result.log
