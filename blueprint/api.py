"""A system's API: the endpoints its script declares, as a table on its page and as an
OpenAPI 3.1 document published beside its pictures.

    pastebin.endpoint("POST", "/v1/pastes", "Create a paste", starts=(write, 1),
                      request={"expires_in?": "integer: seconds until it expires"},
                      response={"paste_id": "string: the short ID"},
                      status={201: "Created", 429: "Over the write quota"},
                      headers={"Idempotency-Key": "The client's key for this create"})

and, in one block at the end of the script, an example of each, checked against the
schemas (errors against the shared error object) and shown folded under the table:

    pastebin.example("POST /v1/pastes", request={"expires_in": 86_400},
                     responses={201: {"paste_id": "aZ3kP9q"}, 429: {"error": "over_quota", "message": "…"}})

The document names each operation from its method and route (createPaste, getPaste,
listConversationMessages), tags it with its resource, and says who may call it: the bearer
scheme where the endpoint takes an Authorization header, `security: []` where it is public.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import tempfile
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote, urlencode

import jsonschema

from blueprint.model import BlueprintError, Endpoint, Example, System

BODY_METHODS = {"POST", "PUT", "PATCH"}
# pyproject.toml's licence; every document carries it, with the project as contact.
LICENSE = {"name": "MIT", "url": "https://opensource.org/licenses/MIT"}
CONTACT = {"name": "System Design Cheat Sheet maintainers"}
# The shared error object of every 4xx and 5xx response.
ERROR_FIELDS = {"error": "string: a machine-readable code, e.g. over_quota", "message": "string: what went wrong, for a person"}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
# Route words read as the operation's verb (POST /v1/trips/{trip_id}/cancel: cancelTrip).
VERBS = {"accept", "approve", "cancel", "complete", "confirm", "decline", "publish", "reject", "search"}
PLACEHOLDERS = {"me"}  # a segment that stands for an ID (the caller's own)


def site_path(system: System) -> str:
    return f"assets/blueprint/{system.id}/openapi.json"


# --- Names: operation IDs and tags, derived from method and route -----------------------

def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _segments(route: str) -> list[tuple[str, bool]]:
    """The route's named segments, each with whether an ID follows it: /v1/pastes/{id}/complete
    is [("pastes", True), ("complete", False)]. The version prefix is dropped."""
    parts = [part for part in route.strip("/").split("/") if part]
    if parts and re.fullmatch(r"v\d+", parts[0]):
        parts = parts[1:]
    named: list[tuple[str, bool]] = []
    for part in parts:
        if part.startswith("{") or part in PLACEHOLDERS:
            if named:
                named[-1] = (named[-1][0], True)
        else:
            named.append((part, False))
    return named


def _camel(words: list[str]) -> str:
    words = [w for word in words for w in word.split("_") if w]
    return words[0].lower() + "".join(w[:1].upper() + w[1:] for w in words[1:]) if words else ""


def operation_id(endpoint: Endpoint) -> str:
    """createPaste, getPaste, listConversationMessages, completePaste: from method and route."""
    if endpoint.operation_id:
        return endpoint.operation_id
    named = _segments(endpoint.route)
    if not named:
        return _camel([endpoint.method.lower(), "root"])
    owners = [_singular(name) for name, has_id in named if has_id]
    last, last_has_id = named[-1]
    if last_has_id:  # one item: GET /v1/pastes/{paste_id}
        verb = {"GET": "get", "PATCH": "update", "DELETE": "delete", "POST": "create"}.get(endpoint.method)
        if verb is None:  # PUT: a full representation replaces; a bare PUT adds (a member, a tag)
            verb = "replace" if _body_fields(endpoint) else "put"
        return _camel([verb, *owners])
    trailing = [word for name, has_id in named[len(owners):] if not has_id for word in name.split("_")]
    if trailing in (["ws"], ["websocket"]):  # GET /v1/ws: the socket the rest of the traffic uses
        return "openWebSocket"
    if "nearby" in trailing:  # GET /v1/places/nearby: listNearbyPlaces
        return _camel(["list", "nearby", *owners, *[w for w in trailing if w != "nearby"]])
    trailing = [_singular(word) for word in trailing[:-1]] + trailing[-1:]  # /v1/tags/suggestions: TagSuggestions
    verbs = [word for word in trailing if word in VERBS]
    if verbs:  # an action: POST /v1/trips/{trip_id}/cancel, GET /v1/search/tweets
        rest = [word for word in trailing if word != verbs[0]]
        return _camel([verbs[0], *owners, *rest])
    collection = trailing[-1].endswith("s") and not trailing[-1].endswith("ss")
    if collection:
        verb = {"GET": "list", "POST": "create", "PUT": "replace", "PATCH": "update", "DELETE": "delete"}[endpoint.method]
        if verb != "list":
            trailing = trailing[:-1] + [_singular(trailing[-1])]
        return _camel([verb, *owners, *trailing])
    verb = {"GET": "get", "POST": "create", "PUT": "replace", "PATCH": "update", "DELETE": "delete"}[endpoint.method]
    return _camel([verb, *owners, *trailing])


def tag(endpoint: Endpoint) -> str:
    """The resource the endpoint acts on: the last collection of its route (/v1/boards/{id}/cards:
    cards); an action or a singleton belongs to the collection it hangs from."""
    named = _segments(endpoint.route)
    if not named:
        return "root"
    if named[-1][0] in ("ws", "websocket"):
        return "websocket"
    for name, has_id in reversed(named):
        if has_id or (name.endswith("s") and not name.endswith("ss") and name.split("_")[-1] not in VERBS):
            return name
    return named[0][0]


# --- The document ------------------------------------------------------------------------

def openapi(system: System) -> dict:
    """The OpenAPI 3.1 document of the system's endpoints."""
    examples = _examples_by_endpoint(system)
    paths: dict[str, dict] = {}
    for endpoint in system.endpoints:
        paths.setdefault(endpoint.route, {})[endpoint.method.lower()] = _operation(system, endpoint, examples.get(endpoint.title))
    tags = sorted({tag(endpoint) for endpoint in system.endpoints})
    components: dict = {}
    if any(_is_error(code) for endpoint in system.endpoints for code, _ in endpoint.status):
        components["schemas"] = {"Error": {**_object(ERROR_FIELDS), "description": "The body of every error response."}}
    if any(_authorization(endpoint) for endpoint in system.endpoints):
        components["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "description": "A token in the Authorization header: Bearer <token>."},
        }
    host = system.id.replace("_", "-")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{system.title} API",
            "version": "1.0.0",
            "description": f"{system.summary} Generated from {system.source}; a sketch for a design interview.",
            "contact": CONTACT,
            "license": LICENSE,
        },
        "servers": [{"url": f"https://api.{host}.example", "description": "An illustrative host (the .example domain is reserved)"}],
        "tags": [{"name": name, "description": f"Operations on {name.replace('_', ' ')}."} for name in tags],
        "paths": paths,
        **({"components": components} if components else {}),
    }


def openapi_json(system: System) -> str:
    return json.dumps(openapi(system), indent=2, ensure_ascii=False) + "\n"


def _authorization(endpoint: Endpoint) -> str | None:
    return next((text for header, text in endpoint.headers if header.lower() == "authorization"), None)


def _is_error(code: int) -> bool:
    return code >= 400


def _has_body(endpoint: Endpoint, code: int) -> bool:
    """Whether a response with this status carries a JSON body."""
    return _is_error(code) or (200 <= code < 300 and code != 204 and bool(endpoint.response))


def _body_fields(endpoint: Endpoint) -> dict[str, str]:
    in_path = re.findall(r"{([^}]*)}", endpoint.route)
    if endpoint.method not in BODY_METHODS:
        return {}
    return {name: spec for name, spec in endpoint.request if name.rstrip("?") not in in_path}


def _operation(system: System, endpoint: Endpoint, example: Example | None) -> dict:
    in_path = re.findall(r"{([^}]*)}", endpoint.route)
    fields = dict(endpoint.request)
    sample = dict(example.request or {}) if example else {}
    parameters = []
    for name in in_path:
        spec = fields.get(name) or fields.get(f"{name}?") or "string: identifies the resource"
        parameters.append(_parameter(name, "path", True, spec, sample.get(name)))
    body = _body_fields(endpoint)
    if endpoint.method not in BODY_METHODS:
        for name, spec in fields.items():
            if name.rstrip("?") not in in_path:
                parameters.append(_parameter(name.rstrip("?"), "query", not name.endswith("?"), spec, sample.get(name.rstrip("?"))))
    for header, text in endpoint.headers:
        if header.lower() in {"content-type", "accept", "authorization"}:
            continue  # OpenAPI describes these elsewhere (media types, security schemes)
        sent = {name.lower(): value for name, value in ((example.headers if example else None) or {}).items()}
        parameters.append(_parameter(header, "header", False, f"string: {text}", sent.get(header.lower())))
    description = endpoint.purpose.rstrip(".") + "."
    if endpoint.starts:
        path_id, number = endpoint.starts
        description += f" Starts step {number} of the {system.paths[path_id].title.lower()}."
    operation: dict = {
        "operationId": operation_id(endpoint),
        "summary": endpoint.purpose,
        "description": description,
        "tags": [tag(endpoint)],
    }
    if parameters:
        operation["parameters"] = parameters
    if body:
        content: dict = {"schema": _object(body)}
        sent = {name: value for name, value in sample.items() if name in {n.rstrip("?") for n in body}}
        if example and example.request is not None:
            content["example"] = sent
        operation["requestBody"] = {"required": True, "content": {"application/json": content}}
    responses = {}
    for code, text in endpoint.status:
        response: dict = {"description": text}
        headers = {
            name: {"description": about, "schema": {"type": "string"}}
            for status, name, about in endpoint.response_headers
            if status == code or status is None
        }
        if headers:
            response["headers"] = headers
        if _has_body(endpoint, code):
            media: dict = {"schema": ERROR_REF if _is_error(code) else _object(dict(endpoint.response))}
            if example and code in example.responses:
                media["example"] = example.responses[code]
            response["content"] = {"application/json": media}
        responses[str(code)] = response
    operation["responses"] = responses
    authorization = _authorization(endpoint)
    if authorization is None:
        operation["security"] = []  # public by design
    elif re.search(r"\b(omit|anonymous)\b|\(none for", authorization):
        operation["security"] = [{"bearer": []}, {}]  # a token is optional
    else:
        operation["security"] = [{"bearer": []}]
    return operation


def _object(fields: dict[str, str]) -> dict:
    schema: dict = {
        "type": "object",
        "properties": {name.rstrip("?"): _schema(spec) for name, spec in fields.items()},
    }
    required = [name for name in fields if not name.endswith("?")]
    if required:
        schema["required"] = required
    return schema


def _schema(spec: str) -> dict:
    """'integer: seconds until it expires' as a JSON schema with its description."""
    kind, _, text = spec.partition(":")
    kind = kind.strip()
    schema = {"type": "array", "items": {"type": kind[:-2]}} if kind.endswith("[]") else {"type": kind}
    return {**schema, "description": text.strip()}


def _parameter(name: str, where: str, required: bool, spec: str, example) -> dict:
    schema = _schema(spec)
    parameter = {"name": name, "in": where, "required": required, "description": schema.pop("description"), "schema": schema}
    if example is not None:
        parameter["example"] = example
    return parameter


# --- Examples: checked against the schemas they illustrate ------------------------------

def _examples_by_endpoint(system: System) -> dict[str, Example]:
    return {" ".join(example.endpoint.split()): example for example in system.examples if isinstance(example.endpoint, str)}


def problems(system: System) -> list[str]:
    """Operation IDs that collide, and examples that name no endpoint, an undeclared status,
    or do not match the endpoint's schema: each naming the file and the endpoint."""
    file, found = system.source, []
    seen: dict[str, int] = {}
    for index, endpoint in enumerate(system.endpoints, start=1):
        name = operation_id(endpoint)
        where = f"{file}, endpoint {index} ({endpoint.title})"
        if not re.fullmatch(r"[a-z][A-Za-z0-9]*", name):
            found.append(f"{where}: the operation ID '{name}' is not camelCase letters and digits")
        if name in seen:
            found.append(f"{where}: the operation ID '{name}' is also endpoint {seen[name]}'s; give one of them operation_id=\"…\"")
        seen.setdefault(name, index)
    endpoints = {endpoint.title: endpoint for endpoint in system.endpoints}
    counted: dict[str, int] = {}
    for example in system.examples:
        key = " ".join(str(example.endpoint).split())
        where = f"{file}, example for {key}"
        endpoint = endpoints.get(key)
        if endpoint is None:
            found.append(f"{where}: no such endpoint (the system declares {', '.join(endpoints) or 'none'})")
            continue
        counted[key] = counted.get(key, 0) + 1
        if counted[key] == 2:
            found.append(f"{where}: declared twice; give each endpoint one example")
        if example.request is not None:
            if not endpoint.request:
                found.append(f"{where}: the endpoint takes no request fields, so the example has no request")
            else:
                found.extend(f"{where}, request: {problem}" for problem in _mismatches(example.request, _strict(dict(endpoint.request))))
        if not example.responses:
            found.append(f"{where}: give at least the success response")
        declared_headers = {header.lower() for header, _ in endpoint.headers}
        for header, value in (example.headers or {}).items():
            if str(header).lower() not in declared_headers:
                found.append(f"{where}: header '{header}' is not one the endpoint declares")
            elif not isinstance(value, str):
                found.append(f"{where}: header '{header}': the value is a string")
        declared = dict(endpoint.status)
        for code, body in example.responses.items():
            if code not in declared:
                found.append(f"{where}: status {code} is not declared (it declares {', '.join(map(str, declared))})")
            elif not _has_body(endpoint, code):
                if body is not None:
                    found.append(f"{where}, response {code}: this status has no body; write None")
            else:
                schema = _strict(ERROR_FIELDS) if _is_error(code) else _strict(dict(endpoint.response))
                found.extend(f"{where}, response {code}: {problem}" for problem in _mismatches(body, schema))
    return found


def _strict(fields: dict[str, str]) -> dict:
    return {**_object(fields), "additionalProperties": False}


def _mismatches(value, schema: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    out = []
    for error in sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path))):
        field = ".".join(map(str, error.absolute_path))
        out.append(f"{'field ' + repr(field) + ': ' if field else ''}{error.message}")
    return out


def api_html(system: System, openapi_url: str, step_anchor) -> str:
    """The endpoints as one table: what to call, why, which step it starts, what goes in
    and comes out, and how it can fail."""
    rows = []
    for endpoint in system.endpoints:
        starts = "—"
        if endpoint.starts:
            path_id, number = endpoint.starts
            label = f"{system.paths[path_id].title}, step {number}"
            anchor = step_anchor(path_id, number)
            starts = f'<a href="#{anchor}">{html.escape(label)}</a>' if anchor else html.escape(label)
        request = _fields(endpoint.request) + _headers(endpoint.headers)
        rows.append(
            "<tr>"
            f'<td><code>{html.escape(endpoint.method)}&nbsp;{html.escape(endpoint.route)}</code></td>'
            f"<td>{html.escape(endpoint.purpose)}</td>"
            f"<td>{starts}</td>"
            f"<td>{request or '—'}</td>"
            f"<td>{(_fields(endpoint.response) + _answered(endpoint.response_headers)) or '—'}</td>"
            f"<td>{'<br>'.join(f'<code>{code}</code> {html.escape(text)}' for code, text in endpoint.status)}</td>"
            "</tr>"
        )
    return (
        f'<div class="blueprint-api" id="{system.id}-api">\n'
        '<table>\n<thead><tr><th>Endpoint</th><th>Purpose</th><th>Starts</th><th>Request</th>'
        "<th>Response</th><th>Status codes</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n"
        + _examples_html(system)
        + f'<p class="blueprint-api-link">The same endpoints as an OpenAPI 3.1 document: '
        f'<a href="{html.escape(openapi_url)}">openapi.json</a> (generated from <code>{html.escape(system.source)}</code>).</p>\n'
        "</div>\n"
    )


def _fields(fields: tuple[tuple[str, str], ...]) -> str:
    items = []
    for name, spec in fields:
        kind, _, text = spec.partition(":")
        optional = " (optional)" if name.endswith("?") else ""
        items.append(f"<code>{html.escape(name.rstrip('?'))}</code> <em>{html.escape(kind.strip())}</em>{optional}: {html.escape(text.strip())}")
    return "<br>".join(items)


def _headers(headers: tuple[tuple[str, str], ...]) -> str:
    if not headers:
        return ""
    items = [f"<code>{html.escape(name)}</code>: {html.escape(text)}" for name, text in headers]
    return "<br><strong>Headers</strong><br>" + "<br>".join(items)


def _answered(headers: tuple[tuple[int | None, str, str], ...]) -> str:
    if not headers:
        return ""
    items = [
        f"<code>{html.escape(name)}</code>{'' if code is None else f' (on {code})'}: {html.escape(text)}"
        for code, name, text in headers
    ]
    return "<br><strong>Headers</strong><br>" + "<br>".join(items)


def _examples_html(system: System) -> str:
    """Each endpoint's example, folded, as the HTTP exchange a client sees: the request
    (path and query filled in, headers, JSON body), then each response with its status."""
    examples = _examples_by_endpoint(system)
    blocks = []
    for endpoint in system.endpoints:
        example = examples.get(endpoint.title)
        if example is None:
            continue
        exchanges = [_request_text(endpoint, example)]
        for code, body in example.responses.items():
            phrase = HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ else ""
            exchanges.append(f"HTTP/1.1 {code} {phrase}".rstrip() + ("" if body is None else "\n\n" + json.dumps(body, indent=2, ensure_ascii=False)))
        blocks.append(
            f'<details class="example blueprint-api-example" id="{system.id}-api-{operation_id(endpoint)}">\n'
            f"<summary>Example: <code>{html.escape(endpoint.method)}&nbsp;{html.escape(endpoint.route)}</code> "
            f"({html.escape(operation_id(endpoint))})</summary>\n"
            + "\n".join(f"<pre><code>{html.escape(text)}</code></pre>" for text in exchanges)
            + "\n</details>\n"
        )
    return "".join(blocks)


def _request_text(endpoint: Endpoint, example: Example) -> str:
    fields = dict(example.request or {})
    in_path = re.findall(r"{([^}]*)}", endpoint.route)
    target = re.sub(r"{([^}]*)}", lambda m: quote(str(fields.get(m.group(1), m.group(0))), safe=""), endpoint.route)
    body = _body_fields(endpoint)
    names = {name.rstrip("?") for name in body}
    if endpoint.method not in BODY_METHODS:
        query = {name: value for name, value in fields.items() if name not in in_path}
        if query:
            target += "?" + urlencode({k: json.dumps(v) if isinstance(v, (dict, list, bool)) else v for k, v in query.items()})
    lines = [f"{endpoint.method} {target}"]
    headers = dict(example.headers or {})
    if _authorization(endpoint) and not any(name.lower() == "authorization" for name in headers):
        headers = {"Authorization": "Bearer <token>", **headers}
    lines += [f"{name}: {value}" for name, value in headers.items()]
    sent = {name: value for name, value in fields.items() if name in names}
    if body and example.request is not None:
        lines += ["Content-Type: application/json", "", json.dumps(sent, indent=2, ensure_ascii=False)]
    return "\n".join(lines)


# --- Validation at build time ---------------------------------------------------------

# The validator the tests use, run on the very text the build publishes. It is slow
# (about 0.1 s a document) and slow to import, so it runs in a separate process while
# the pages build, and only on documents it has not passed before: a passed document
# leaves `openapi-<hash>.ok` in the diagram cache.
_VALIDATE = """
import json, sys
from openapi_spec_validator import validate
found = {}
for name, text in json.load(sys.stdin).items():
    try:
        validate(json.loads(text))
        found[name] = None
    except Exception as error:
        found[name] = f"{type(error).__name__}: {str(error).strip().splitlines()[0][:300]}"
print(json.dumps(found))
"""


class OpenApiCheck:
    """The validation of a build's new OpenAPI documents, under way in another process."""

    def __init__(self, systems, cache: Path) -> None:
        import hashlib
        from importlib.metadata import version

        stamp = f"openapi-spec-validator {version('openapi-spec-validator')}\n"
        self.kept: set[str] = set()  # cache entries this build uses
        self._pending: dict[str, tuple[System, str, Path]] = {}
        for system in systems:
            if not system.endpoints:
                continue
            text = openapi_json(system)
            marker = cache / f"openapi-{hashlib.sha256((stamp + text).encode()).hexdigest()}.ok"
            self.kept.add(marker.stem)
            if not marker.exists():
                self._pending[system.id] = (system, text, marker)
        self._process = None
        if self._pending:
            # The documents go in through a file: a pipe would block the build until the
            # validator, still importing, reads them.
            with tempfile.TemporaryFile("w+", encoding="utf-8") as documents:
                json.dump({name: text for name, (_, text, _) in self._pending.items()}, documents)
                documents.seek(0)
                self._process = subprocess.Popen(
                    [sys.executable, "-c", _VALIDATE], stdin=documents, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, text=True,
                )

    def result(self, timeout: float = 300) -> None:
        """Wait for the verdicts; a BlueprintError names each script whose document is invalid."""
        if self._process is None:
            return
        process, self._process = self._process, None
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise BlueprintError(f"validating the OpenAPI documents took more than {timeout:g} s") from None
        try:
            verdicts = json.loads(out)
        except ValueError:
            raise BlueprintError(f"the OpenAPI validator failed to run: {err.strip()[-500:]}") from None
        problems = []
        for name, (system, _, marker) in self._pending.items():
            if verdicts.get(name) is None:
                if marker.parent.is_dir():  # `render --check` of a project never built has no cache
                    marker.write_bytes(b"")
            else:
                problems.append(
                    f"{system.source}: the OpenAPI document the build publishes ({site_path(system)}) is not valid "
                    f"OpenAPI 3.1: {verdicts[name]}"
                )
        if problems:
            raise BlueprintError("\n".join(problems))
