"""A system's API: the endpoints its script declares, as a table on its page and as an
OpenAPI 3.1 document published beside its pictures.

    pastebin.endpoint("POST", "/v1/pastes", "Create a paste", starts=(write, 1),
                      request={"expires_in?": "integer: seconds until it expires"},
                      response={"paste_id": "string: the short ID"},
                      status={201: "Created", 429: "Over the write quota"},
                      headers={"Idempotency-Key": "The client's key for this create"})
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from blueprint.model import BlueprintError, Endpoint, System

BODY_METHODS = {"POST", "PUT", "PATCH"}


def site_path(system: System) -> str:
    return f"assets/blueprint/{system.id}/openapi.json"


def openapi(system: System) -> dict:
    """The OpenAPI 3.1 document of the system's endpoints."""
    paths: dict[str, dict] = {}
    for index, endpoint in enumerate(system.endpoints, start=1):
        paths.setdefault(endpoint.route, {})[endpoint.method.lower()] = _operation(system, endpoint, index)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{system.title} API",
            "version": "1.0.0",
            "description": f"{system.summary} Generated from {system.source}; a sketch for a design interview.",
        },
        "paths": paths,
        **(
            {"components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}
            if any(h.lower() == "authorization" for e in system.endpoints for h, _ in e.headers)
            else {}
        ),
    }


def openapi_json(system: System) -> str:
    return json.dumps(openapi(system), indent=2, ensure_ascii=False) + "\n"


def _operation(system: System, endpoint: Endpoint, index: int) -> dict:
    in_path = re.findall(r"{([^}]*)}", endpoint.route)
    fields = dict(endpoint.request)
    parameters = []
    for name in in_path:
        spec = fields.get(name) or fields.get(f"{name}?") or "string: identifies the resource"
        parameters.append(_parameter(name, "path", True, spec))
    body = {name: spec for name, spec in fields.items() if name.rstrip("?") not in in_path}
    if endpoint.method not in BODY_METHODS:
        for name, spec in body.items():
            parameters.append(_parameter(name.rstrip("?"), "query", not name.endswith("?"), spec))
        body = {}
    for header, text in endpoint.headers:
        if header.lower() in {"content-type", "accept", "authorization"}:
            continue  # OpenAPI describes these elsewhere (media types, security schemes)
        parameters.append(_parameter(header, "header", False, f"string: {text}"))
    operation: dict = {
        "operationId": f"{system.id}_{index}",
        "summary": endpoint.purpose,
    }
    if endpoint.starts:
        path_id, number = endpoint.starts
        operation["description"] = f"Starts step {number} of the {system.paths[path_id].title.lower()}."
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _object(body)}}}
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
        if 200 <= code < 300 and code != 204 and endpoint.response:
            response["content"] = {"application/json": {"schema": _object(dict(endpoint.response))}}
        responses[str(code)] = response
    operation["responses"] = responses
    if any(header.lower() == "authorization" for header, _ in endpoint.headers):
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


def _parameter(name: str, where: str, required: bool, spec: str) -> dict:
    schema = _schema(spec)
    return {"name": name, "in": where, "required": required, "description": schema.pop("description"), "schema": schema}


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
        f'<p class="blueprint-api-link">The same endpoints as an OpenAPI 3.1 document: '
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
