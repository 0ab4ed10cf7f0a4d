"""The published OpenAPI documents read like a real API's: examples checked against the
schemas, descriptive operation IDs, tags, servers, declared security, contact and licence;
clean under the two standard linters; and a generated Python client parses the examples."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import time
import tomllib
import typing
from pathlib import Path

import httpx
import pytest

from blueprint import api
from blueprint.build import load_all
from blueprint.model import BlueprintError, Endpoint
from conftest import FIXTURES, ROOT, make_project

LINT = ROOT / "tools" / "openapi-lint"
SCRIPT = (FIXTURES / "api_capacity.py").read_text()
INSTRUCTIVE_ERRORS = (409, 412, 429)


def published(built_site) -> list[Path]:
    documents = sorted((built_site.site / "assets" / "blueprint").glob("*/openapi.json"))
    assert len(documents) >= 16, documents
    return documents


# --- Examples ------------------------------------------------------------------------------

def test_every_endpoint_has_its_examples(catalogue):
    """A request where the endpoint takes fields, the success response, and the most
    instructive error (a 409, 412 or 429 where it has one, else another 4xx)."""
    missing = []
    for system in catalogue.systems.values():
        examples = {example.endpoint: example for example in system.examples}
        for endpoint in system.endpoints:
            example = examples.get(endpoint.title)
            where = f"{system.source}: {endpoint.title}"
            if example is None:
                missing.append(f"{where}: no example")
                continue
            codes = [code for code, _ in endpoint.status]
            if endpoint.request and example.request is None:
                missing.append(f"{where}: no example request")
            if not any(200 <= code < 300 for code in example.responses):
                missing.append(f"{where}: no example success response")
            instructive = [code for code in codes if code in INSTRUCTIVE_ERRORS] or [code for code in codes if 400 <= code < 500]
            if instructive and not set(instructive) & set(example.responses):
                missing.append(f"{where}: no example of {' or '.join(map(str, instructive))}")
    assert not missing, "\n".join(missing)


EXAMPLE = '''
paste.example("POST /v1/pastes", request={"text": "print(1)"}, headers={"Idempotency-Key": "k-1"},
              responses={201: {"paste_id": "aZ3kP9q"}, 429: {"error": "rate_limited", "message": "Over the quota"}})
'''


def test_examples_reach_the_document_and_the_page(tmp_path):
    system = load_all(make_project(tmp_path, {"paste.py": SCRIPT + EXAMPLE})).systems["paste"]
    create = api.openapi(system)["paths"]["/v1/pastes"]["post"]
    assert create["requestBody"]["content"]["application/json"]["example"] == {"text": "print(1)"}
    assert [p["example"] for p in create["parameters"] if p["name"] == "Idempotency-Key"] == ["k-1"]
    assert create["responses"]["201"]["content"]["application/json"]["example"] == {"paste_id": "aZ3kP9q"}
    error = create["responses"]["429"]["content"]["application/json"]
    assert error == {"schema": {"$ref": "#/components/schemas/Error"}, "example": {"error": "rate_limited", "message": "Over the quota"}}
    page = api.api_html(system, "openapi.json", lambda *_: None)
    assert '<details class="example blueprint-api-example" id="paste-api-createPaste">' in page
    assert "<pre><code>POST /v1/pastes\nAuthorization: Bearer &lt;token&gt;\nIdempotency-Key: k-1\n" in page
    assert "<pre><code>HTTP/1.1 429 Too Many Requests\n\n{\n  &quot;error&quot;: &quot;rate_limited&quot;," in page
    assert "&quot;paste_id&quot;: &quot;aZ3kP9q&quot;" in page


@pytest.mark.parametrize("old, new, message", [
    ('"POST /v1/pastes"', '"POST /v1/paste"', "example for POST /v1/paste: no such endpoint"),
    ('429: {"error"', '418: {"error"', "example for POST /v1/pastes: status 418 is not declared"),
    ('{"text": "print(1)"}', '{"text": 1}', "example for POST /v1/pastes, request: field 'text': 1 is not of type 'string'"),
    ('{"text": "print(1)"}', '{"txt": "print(1)"}', "example for POST /v1/pastes, request: 'text' is a required property"),
    ('{"paste_id": "aZ3kP9q"}', '{"paste_id": "aZ3kP9q", "url": "x"}', "example for POST /v1/pastes, response 201: Additional properties are not allowed ('url' was unexpected)"),
    ('{"Idempotency-Key": "k-1"}', '{"Idem-Key": "k-1"}', "example for POST /v1/pastes: header 'Idem-Key' is not one the endpoint declares"),
    ('"message": "Over the quota"', '"detail": "Over the quota"', "example for POST /v1/pastes, response 429: 'message' is a required property"),
])
def test_a_bad_example_stops_the_build_naming_the_file_and_the_endpoint(tmp_path, old, new, message):
    script = SCRIPT + EXAMPLE
    assert old in script
    with pytest.raises(BlueprintError) as raised:
        load_all(make_project(tmp_path, {"paste.py": script.replace(old, new, 1)}))
    assert f"diagrams/paste.py, {message}" in str(raised.value), str(raised.value)


def test_the_built_pages_show_every_example_folded(built_site, catalogue):
    for system in catalogue.systems.values():
        if not system.endpoints:
            continue
        page = (built_site.site / "systems" / f"{system.id}.html").read_text(encoding="utf-8")
        folded = re.findall(r'<details class="example blueprint-api-example" id="([^"]+)">', page)
        assert folded == [f"{system.id}-api-{api.operation_id(endpoint)}" for endpoint in system.endpoints], system.id
        published_document = json.loads((built_site.site / api.site_path(system)).read_text())
        assert published_document == api.openapi(system), system.id


# --- Names -------------------------------------------------------------------------------

@pytest.mark.parametrize("method, route, name", [
    ("POST", "/v1/pastes", "createPaste"),
    ("GET", "/v1/pastes/{paste_id}", "getPaste"),
    ("GET", "/v1/pastes", "listPastes"),
    ("PATCH", "/v1/pastes/{paste_id}", "updatePaste"),
    ("DELETE", "/v1/pastes/{paste_id}", "deletePaste"),
    ("POST", "/v1/pastes/{paste_id}/complete", "completePaste"),
    ("GET", "/v1/conversations/{conversation_id}/messages", "listConversationMessages"),
    ("PUT", "/v1/groups/{group_id}/members/{user_id}", "putGroupMember"),
    ("GET", "/v1/search/tweets", "searchTweets"),
    ("GET", "/v1/places/nearby", "listNearbyPlaces"),
    ("GET", "/v1/tags/suggestions", "listTagSuggestions"),
    ("POST", "/v1/tasks/{task_id}/upload_complete", "completeTaskUpload"),
])
def test_operation_ids_are_derived_from_method_and_route(method, route, name):
    assert api.operation_id(Endpoint(method, route, "x", None)) == name


def test_two_endpoints_with_one_operation_id_are_located(tmp_path):
    script = SCRIPT + '\npaste.endpoint("GET", "/v2/pastes/{paste_id}", "Read a paste, again", status={200: "OK"})\n'
    with pytest.raises(BlueprintError) as raised:
        load_all(make_project(tmp_path, {"paste.py": script}))
    assert "diagrams/paste.py, endpoint 3 (GET /v2/pastes/{paste_id}): the operation ID 'getPaste' is also endpoint 2's" in str(raised.value)
    fixed = script.replace('"Read a paste, again",', '"Read a paste, again", operation_id="getPasteV2",')
    system = load_all(make_project(tmp_path / "fixed", {"paste.py": fixed})).systems["paste"]
    assert api.openapi(system)["paths"]["/v2/pastes/{paste_id}"]["get"]["operationId"] == "getPasteV2"


def test_every_document_reads_like_a_real_apis(catalogue):
    licence = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]["text"]
    for system in catalogue.systems.values():
        if not system.endpoints:
            continue
        document = api.openapi(system)
        assert document["info"]["license"]["name"] == licence, system.id
        assert document["info"]["contact"]["name"] and document["servers"][0]["url"].startswith("https://"), system.id
        declared_tags = {tag["name"] for tag in document["tags"]}
        schemes = set(document.get("components", {}).get("securitySchemes", {}))
        ids = []
        for route, operations in document["paths"].items():
            for method, operation in operations.items():
                where = f"{system.id}: {method.upper()} {route}"
                ids.append(operation["operationId"])
                assert re.fullmatch(r"[a-z]+[A-Z][A-Za-z]*|search", operation["operationId"]), where
                assert len(operation["tags"]) == 1 and operation["tags"][0] in declared_tags, where
                assert "security" in operation, f"{where}: say explicitly whether it is public (security: [])"
                assert {name for requirement in operation["security"] for name in requirement} <= schemes, where
                assert operation["description"], where
        assert len(ids) == len(set(ids)), system.id


# --- The standard linters -------------------------------------------------------------------

def linter(name: str) -> Path:
    path = LINT / "node_modules" / ".bin" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: `./run test` installs the linters (npm ci in {LINT.relative_to(ROOT)})")
    return path


def test_redocly_recommended_finds_nothing_in_any_published_document(built_site, tmp_path):
    documents = published(built_site)
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
    command = [str(linter("redocly")), "lint", "--extends=recommended"]
    result = subprocess.run([*command, "--format=json", *map(str, documents)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=180)
    reports = json_values(result.stdout)  # one report per document
    assert len(reports) == len(documents), result.stdout + result.stderr
    totals = {kind: sum(report["totals"][kind] for report in reports) for kind in ("errors", "warnings")}
    if totals["errors"] or totals["warnings"] or result.returncode:
        readable = subprocess.run([*command, *map(str, documents)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
        pytest.fail(f"Redocly recommended: {totals}\n{readable.stdout}{readable.stderr}")


def json_values(text: str) -> list:
    decoder, values, index = json.JSONDecoder(), [], 0
    while index < len(text.rstrip()):
        while text[index].isspace():
            index += 1
        value, index = decoder.raw_decode(text, index)
        values.append(value)
    return values


def test_spectral_oas_finds_nothing_in_any_published_document(built_site, tmp_path):
    documents = published(built_site)
    (tmp_path / ".spectral.yaml").write_text('extends: ["spectral:oas"]\n')
    command = [str(linter("spectral")), "lint", "--ruleset", str(tmp_path / ".spectral.yaml"), "--fail-severity=hint"]
    report = tmp_path / "spectral.json"
    result = subprocess.run([*command, "--format=json", "--output", str(report), *map(str, documents)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=180)
    assert report.exists(), result.stdout + result.stderr
    problems = json.loads(report.read_text())
    if problems or result.returncode:
        readable = subprocess.run([*command, "--format=text", *map(str, documents)], cwd=tmp_path, capture_output=True, text=True, timeout=180)
        pytest.fail(f"Spectral spectral:oas: {len(problems)} problems\n{readable.stdout}{readable.stderr}")


# --- A generated client --------------------------------------------------------------------

def test_a_generated_client_imports_and_parses_every_example(catalogue, tmp_path):
    """openapi-python-client generates one package per system; each imports, each example
    request loads into its body model, and each example response parses into its model."""
    started = time.perf_counter()
    systems = [system for system in catalogue.systems.values() if system.endpoints]
    bodies = responses = 0

    from openapi_python_client import generate
    from openapi_python_client.config import Config, ConfigFile, MetaType

    sys.path.insert(0, str(tmp_path))
    try:
        for system in systems:
            document = tmp_path / f"{system.id}.json"
            document.write_text(api.openapi_json(system))
            package = f"{system.id}_client"
            config = Config.from_sources(
                ConfigFile(post_hooks=[]),  # no ruff formatting: faster, and nothing to format
                MetaType.NONE, document, "utf-8", overwrite=False, output_path=tmp_path / package,
            )
            errors = generate(config=config)  # in this process: sixteen interpreters fewer
            assert not errors, f"{system.id}: {errors}"
            client = importlib.import_module(package)
            examples = {example.endpoint: example for example in system.examples}
            for endpoint in system.endpoints:
                example = examples[endpoint.title]
                operation = importlib.import_module(f"{package}.api.{api.tag(endpoint)}.{snake(api.operation_id(endpoint))}")
                body = typing.get_type_hints(operation.sync_detailed).get("body")
                if body is not None:
                    fields = {name.rstrip("?") for name, _ in api._body_fields(endpoint).items()}
                    sent = {name: value for name, value in example.request.items() if name in fields}
                    assert body.from_dict(sent).to_dict() == sent, endpoint.title
                    bodies += 1
                for code, payload in example.responses.items():
                    response = httpx.Response(code, json=payload) if payload is not None else httpx.Response(code)
                    parsed = operation._parse_response(client=client.Client(base_url="https://x.example", raise_on_unexpected_status=True), response=response)
                    if payload is not None:
                        assert parsed is not None and parsed.to_dict() == payload, f"{system.id}: {endpoint.title} {code}"
                        responses += 1
    finally:
        sys.path.remove(str(tmp_path))
    assert bodies >= 40 and responses >= 150, (bodies, responses)
    print(f"{len(systems)} clients generated and imported, {bodies} request bodies and {responses} responses "
          f"parsed, in {time.perf_counter() - started:.1f} s")


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
