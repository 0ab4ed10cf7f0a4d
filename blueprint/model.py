"""The model: a system declared once, as components and numbered paths.

A script in `diagrams/` builds one `System`. The renderer draws each path from it and
the page shows the same steps as text, so picture and text cannot disagree. Nothing
here imports the `diagrams` library: loading every script stays cheap.
"""

from __future__ import annotations

import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_ARROWS = 12  # per picture: longer paths are split into stages, each its own picture
RESERVED_PATH_IDS = {"schema", "api", "capacity", "load"}  # markers of the ERD, the API and capacity tables, the load figures
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
RESPONSE_ONLY_HEADERS = {
    "etag", "last-modified", "retry-after", "location", "set-cookie", "age", "expires", "vary", "content-location",
    "ratelimit", "ratelimit-policy", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset",
    "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
}
FIELD_TYPES = ("string", "integer", "number", "boolean", "object", "string[]", "integer[]", "object[]")


class BlueprintError(Exception):
    """A mistake in a diagram script or schema; the message says where and what to fix."""


def locate(file: str, path: str | None = None, step: int | None = None) -> str:
    """'diagrams/pastebin.py, path 'write', step 3': where a problem is."""
    where = file
    if path is not None:
        where += f", path '{path}'"
    if step is not None:
        where += f", step {step}"
    return where


@dataclass(frozen=True)
class Failure:
    """What a user sees when a component is down, slow or loses its data, and what the
    design does about it. Declared with `component.fails(...)`; checked in blueprint/failure.py."""

    down: str
    slow: str
    loses_data: str
    handling: str
    redundant: bool = False  # False: a single point of failure, and the Deep dive says so


@dataclass(frozen=True)
class Component:
    """A box in the pictures: a client, a service, a data store."""

    id: str
    label: str
    kind: str
    group: str | None = None
    role: str | None = None  # one line: what it does in this system
    delivery: str | None = None  # a queue's guarantee when it differs from its kind's ("at most once")
    failure: Failure | None = None  # set by fails()

    def fails(self, *, down: str, slow: str, loses_data: str, handling: str, redundant: bool = False) -> Failure:
        """`db.fails(down="…", slow="…", loses_data="…", handling="…", redundant=True)`:
        what a user sees in each case, and what the design does about it."""
        failure = Failure(down, slow, loses_data, handling, redundant)
        # Components are frozen (they are hashed and compared); their failure behaviour is
        # declared after them, once, so it is set here and nowhere else.
        object.__setattr__(self, "failure", failure)
        return failure


@dataclass(frozen=True)
class Step:
    """One numbered step: `source` sends something to each target (one arrow per target)."""

    number: int
    source: str
    targets: tuple[str, ...]
    text: str
    when: str | None = None  # a condition ("cache miss"): the arrow is dashed
    transaction: str | None = None  # the title of the transaction (or saga) this step belongs to
    effect: str | None = None  # what it does to state: "write", "read" or "deliver" (EFFECTS in blueprint/failure.py)
    share: float | None = None  # the part of the path's requests that take this step (0.2: one in five)
    idempotent_by: str | None = None  # the key that makes a repeated write harmless
    after_crash: tuple[str, str] | None = None  # (repair, what a crash right after this step leaves and how it is mended)
    size: str | None = None  # what one run of this step moves ("200 B"), when it is not the path's size

    def arrows(self) -> list[tuple[str, str]]:
        """(arrow id suffix, target): 'step-3', or 'step-3-cache' for each target of a fan-out."""
        if len(self.targets) == 1:
            return [(f"step-{self.number}", self.targets[0])]
        return [(f"step-{self.number}-{target}", target) for target in self.targets]


@dataclass(frozen=True)
class Stage:
    """A part of a long path that gets its own picture; numbering runs on across stages."""

    title: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Connection:
    """A persistent two-way connection (a WebSocket, a long poll) between two components.

    It carries many steps, so it is drawn as one thick, unnumbered, double-headed line in
    every picture that shows both ends, under the numbered arrows that travel over it.
    """

    ends: tuple[str, str]
    label: str


@dataclass(frozen=True)
class Endpoint:
    """One operation of the system's API, and the step of a path that it starts.

    Fields are `{"name": "type: what it is"}`; a name ending in `?` is optional. Types are
    FIELD_TYPES. Headers are `{"Name": "what it carries"}`, status codes `{404: "why"}`.
    """

    method: str
    route: str  # "/v1/pastes/{paste_id}": names in braces are path parameters
    purpose: str
    starts: tuple[str, int] | None  # (path id, step number)
    request: tuple[tuple[str, str], ...] = ()
    response: tuple[tuple[str, str], ...] = ()
    status: tuple[tuple[int, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # sent by the client
    response_headers: tuple[tuple[int | None, str, str], ...] = ()  # (status or None for all, name, what)
    operation_id: str | None = None  # only where the name derived from method and route reads badly

    @property
    def title(self) -> str:
        return f"{self.method} {self.route}"


@dataclass(frozen=True)
class Example:
    """A request and the responses it may get, for one endpoint: `"POST /v1/pastes"`.

    `request` holds the endpoint's request fields (body, path and query parameters alike);
    `responses` maps a declared status to its JSON body (None for a status without one);
    `headers` gives values to headers the endpoint declares (Idempotency-Key, If-Match)."""

    endpoint: str
    request: dict | None
    responses: dict
    headers: dict | None = None


@dataclass(frozen=True)
class Note:
    text: str
    theme: str | None = None  # notes with a theme are listed under it


@dataclass
class Path:
    """An ordered use case (write path, read path, workflow) plus unnumbered notes."""

    id: str
    title: str
    steps: list[Step] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    _stage_starts: list[tuple[int, str]] = field(default_factory=list)  # (index of first step, title)
    _transaction: str | None = None  # the open `with path.transaction(...)` block, if any
    _owner: dict | None = None  # the system's components, to catch a component of another system
    _foreign: list[tuple[int, str]] = field(default_factory=list)
    _nested_transactions: list[str] = field(default_factory=list)
    per: str | None = None  # what drives the path: "write" or "read" (the capacity's peak QPS)
    rate: tuple | None = None  # or, for a background path: (peak requests per second, size of one, "why")
    times: float = 1  # runs of this path per write or read request (10: a player reports ten times a view)
    size: str | None = None  # what one run moves, when it is not the capacity's write or read size
    sagas: dict[str, dict[int, str]] = field(default_factory=dict)  # saga title -> {step number: compensation}

    def step(
        self,
        number: int,
        source: Component | str,
        target: Component | str | list[Component | str],
        text: str,
        *,
        when: str | None = None,
        effect: str | None = None,
        share: float | None = None,
        idempotent_by: str | None = None,
        after_crash: tuple[str, str] | None = None,
        size: str | None = None,
    ) -> None:
        targets = target if isinstance(target, (list, tuple)) else [target]
        for end in (source, *targets):
            if isinstance(end, Component) and self._owner is not None and self._owner.get(end.id) is not end:
                self._foreign.append((number, f"component '{end.id}' was declared by another system"))
        self.steps.append(
            Step(number, _component_id(source), tuple(map(_component_id, targets)), text, when, self._transaction,
                 effect, share, idempotent_by, after_crash, size)
        )

    @contextmanager
    def transaction(self, title: str):
        """`with path.transaction("Reserve, pay and confirm"):` the steps declared inside
        form one transaction (or saga): drawn in their own colour, marked in the list."""
        if self._transaction is not None:
            self._nested_transactions.append(title)
        outer, self._transaction = self._transaction, title
        try:
            yield
        finally:
            self._transaction = outer

    @contextmanager
    def saga(self, title: str, *, compensations: dict[int, str]):
        """`with path.saga("Reserve, pay and confirm", compensations={19: "refund the charge"}):`
        steps that change several stores, each undone by its compensation if a later one fails.
        Drawn like a transaction; checked in blueprint/failure.py."""
        self.sagas[title] = dict(compensations)
        with self.transaction(title):
            yield

    def stage(self, title: str) -> None:
        """Start a new picture here; the steps declared next belong to it."""
        self._stage_starts.append((len(self.steps), title))

    def note(self, text: str, *, theme: str | None = None) -> None:
        self.notes.append(Note(text, theme))

    def stages(self) -> list[Stage]:
        """The pictures this path is drawn as: one, or one per declared stage."""
        if not self._stage_starts:
            return [Stage(self.title, tuple(self.steps))]
        bounds = self._stage_starts + [(len(self.steps), "")]
        return [
            Stage(title, tuple(self.steps[start:end]))
            for (start, title), (end, _) in zip(bounds, bounds[1:])
        ]

    def components(self, steps: tuple[Step, ...] | list[Step] | None = None) -> list[str]:
        """Component ids in the order the steps first mention them."""
        seen: dict[str, None] = {}
        for step in self.steps if steps is None else steps:
            seen.setdefault(step.source)
            for target in step.targets:
                seen.setdefault(target)
        return list(seen)


def text_problems(name: str, text, *, lines: bool = False) -> list[str]:
    """Text from a script is shown as it is, so it must be text that can be shown."""
    if text is None:
        return []
    if not isinstance(text, str):
        return [f"{name} must be text, not {type(text).__name__}"]
    for index, char in enumerate(text):
        code = ord(char)
        if lines and char in "\n\t":
            continue
        if code < 0x20 or 0x7F <= code < 0xA0 or 0xD800 <= code < 0xE000 or code in (0x2028, 0x2029):
            return [f"{name} contains the control character U+{code:04X} at position {index + 1}; remove it"]
    return []


def _component_id(component: Component | str) -> str:
    return component.id if isinstance(component, Component) else component


class System:
    """Everything one system page shows: components, paths, and the schema's DDL."""

    def __init__(self, title: str, *, schema: str | None = None, relationships: list[str] | None = None):
        self.title = title
        self.schema = schema  # a DDL file, relative to snippets/
        self.relationships = list(relationships or [])  # what the page claims; checked against the DDL
        self.components: dict[str, Component] = {}
        self.paths: dict[str, Path] = {}
        self.connections: list[Connection] = []
        self.endpoints: list[Endpoint] = []
        self.assumptions: dict[str, tuple[object, str]] = {}  # capacity: name -> (value, reason)
        self.examples: list[Example] = []  # API examples, checked against the endpoints' schemas
        self.id = ""  # set by the loader: the script's file name
        self.source = ""  # set by the loader: the script's path, for messages
        self.summary = ""  # set by the loader: the script's docstring, shown in the systems table
        self._duplicates: list[str] = []

    def component(
        self, id: str, label: str, *, kind: str, group: str | None = None, role: str | None = None,
        delivery: str | None = None,
    ) -> Component:
        component = Component(id, label, kind, group, role, delivery)
        if id in self.components:
            self._duplicates.append(f"component '{id}' is declared twice")
        self.components[id] = component
        return component

    def connection(self, a: Component | str, b: Component | str, label: str) -> Connection:
        """A persistent two-way connection between `a` and `b`, e.g. "WebSocket"."""
        connection = Connection((_component_id(a), _component_id(b)), label)
        self.connections.append(connection)
        return connection

    def connections_between(self, components) -> list[Connection]:
        """The connections both of whose ends are among `components`, in declared order."""
        shown = set(components)
        return [connection for connection in self.connections if set(connection.ends) <= shown]

    def endpoint(
        self,
        method: str,
        route: str,
        purpose: str,
        *,
        starts: tuple[Path | str, int] | None = None,
        request: dict[str, str] | None = None,
        response: dict[str, str] | None = None,
        status: dict[int, str] | None = None,
        headers: dict[str, str] | None = None,
        response_headers: dict | None = None,
        operation_id: str | None = None,
    ) -> Endpoint:
        """An API operation; `starts=(write, 1)`: the step of a path that it starts.

        `headers` are the ones the client sends; `response_headers` the ones the server
        sends back, either for every response (`{"ETag": "…"}`) or per status code
        (`{429: {"Retry-After": "…"}}`). The OpenAPI operation ID is derived from the
        method and the route (`createPaste`); `operation_id=` overrides it where that reads badly."""
        answered: list[tuple[int | None, str, str]] = []
        for key, value in (response_headers or {}).items():
            if isinstance(value, dict):
                answered.extend((key, name, text) for name, text in value.items())
            else:
                answered.append((None, key, value))
        start = None
        if starts is not None:
            path, number = starts
            start = (path.id if isinstance(path, Path) else path, number)
        endpoint = Endpoint(
            method, route, purpose, start,
            tuple((request or {}).items()), tuple((response or {}).items()),
            tuple((status or {}).items()), tuple((headers or {}).items()), tuple(answered), operation_id,
        )
        self.endpoints.append(endpoint)
        return endpoint

    def example(
        self, endpoint: str, *, request: dict | None = None, responses: dict | None = None, headers: dict | None = None,
    ) -> Example:
        """An example exchange with an endpoint, e.g. `example("POST /v1/pastes", request={...},
        responses={201: {...}, 429: {...}})`. The build checks it against the endpoint's
        schemas (error statuses against the shared error object); the page shows it folded
        and the OpenAPI document carries it."""
        example = Example(endpoint, request, dict(responses or {}), headers)
        self.examples.append(example)
        return example

    def capacity(self, **assumptions: tuple[object, str]) -> None:
        """Capacity assumptions, each `name=(value, "one-line reason")`; values may carry
        units ("10 kB", "5 years"). `blueprint.capacity` lists the names and computes."""
        self.assumptions = dict(assumptions)

    def path(self, id: str, title: str, *, per: str | None = None, rate: tuple | None = None,
             times: float = 1, size: str | None = None) -> Path:
        """A numbered use case. `per="write"` or `per="read"`: one run per write or read
        request of the capacity assumptions (`times=10`: ten runs per request; `size="200 B"`:
        each run moves that much instead of the capacity's size); `rate=(5, "2 kB", "why")`: a
        background path run 5 times a second at peak, moving 2 kB each time; `per="summary"`:
        a path that retells steps drawn in other paths, so it adds no load of its own."""
        if id in self.paths:
            self._duplicates.append(f"path '{id}' is declared twice")
        self.paths[id] = Path(id, title, _owner=self.components, per=per, rate=rate, times=times, size=size)
        return self.paths[id]

    def problems(self, known_kinds: set[str]) -> list[str]:
        """Every mistake in the declaration, each naming the file, the path and the step."""
        file = self.source
        found = [f"{file}: {message}" for message in self._duplicates]
        if not self.title.strip():
            found.append(f"{file}: the system has an empty title")
        if not self.summary.strip():
            found.append(f"{file}: the script needs a docstring: one line saying what the system does")
        found.extend(f"{file}: {problem}" for problem in text_problems("the title", self.title))
        found.extend(f"{file}: {problem}" for problem in text_problems("the docstring", self.summary, lines=True))
        for component in self.components.values():
            where = f"{file}, component '{component.id}'"
            for name in ("label", "group", "role"):
                found.extend(f"{where}: {problem}" for problem in text_problems(f"the {name}", getattr(component, name)))
            if not isinstance(component.id, str) or not ID_PATTERN.fullmatch(component.id):
                found.append(f"{where}: ids are lowercase letters, digits and '_'")
            if not component.label.strip():
                found.append(f"{where}: the label is empty")
            if component.kind not in known_kinds:
                found.append(f"{where}: unknown kind '{component.kind}' (known kinds are listed in blueprint/kinds.py)")
        pairs = Counter(frozenset(connection.ends) for connection in self.connections)
        for index, connection in enumerate(self.connections, start=1):
            a, b = connection.ends
            where = f"{file}, connection {index} ({a} <-> {b})"
            for end in connection.ends:
                if end not in self.components:
                    found.append(f"{where}: unknown component '{end}'")
            if a == b:
                found.append(f"{where}: a connection joins two different components")
            found.extend(f"{where}: {problem}" for problem in text_problems("the label", connection.label))
            if not isinstance(connection.label, str) or not connection.label.strip():
                found.append(f"{where}: the label is empty; name the protocol, e.g. 'WebSocket'")
            if pairs[frozenset(connection.ends)] > 1:
                found.append(f"{where}: the same two components are connected more than once")
        if not self.paths:
            found.append(f"{file}: the system declares no path")
        for path in self.paths.values():
            found.extend(self._path_problems(path))
        endpoint_problems = self._endpoint_problems()
        found.extend(endpoint_problems)
        if not endpoint_problems:
            from blueprint import api  # operation IDs and examples: the OpenAPI document's rules

            found.extend(api.problems(self))
        if not found:  # the failure rules read steps and components that must first be sound
            from blueprint import failure  # here, not at the top: failure imports this module

            found.extend(failure.problems(self))
        return found

    def _path_problems(self, path: Path) -> list[str]:
        file = self.source
        found = []
        if not isinstance(path.id, str) or not ID_PATTERN.fullmatch(path.id) or path.id in RESERVED_PATH_IDS:
            found.append(f"{locate(file, path.id)}: path ids are lowercase letters, digits and '_', and not 'schema'")
        found.extend(f"{locate(file, path.id)}: {problem}" for problem in text_problems("the title", path.title))
        if not path.title.strip():
            found.append(f"{locate(file, path.id)}: the title is empty")
        for problem in path._foreign:
            found.append(f"{locate(file, path.id, problem[0])}: {problem[1]}")
        if not path.steps:
            found.append(f"{locate(file, path.id)}: the path has no steps")
        numbers = [step.number for step in path.steps]
        if any(type(number) is not int or number < 1 for number in numbers):  # True is an int too
            found.append(f"{locate(file, path.id)}: step numbers are whole numbers from 1")
        else:
            for number, count in sorted(Counter(numbers).items()):
                if count > 1:
                    found.append(f"{locate(file, path.id, number)}: the number {number} is used {count} times")
            for number in range(1, max(numbers, default=0) + 1):
                if number not in numbers:
                    found.append(
                        f"{locate(file, path.id, number)}: step {number} is missing "
                        f"(steps run 1 to {max(numbers)} with no gap)"
                    )
            if len(set(numbers)) == len(numbers) and numbers != sorted(numbers):
                found.append(f"{locate(file, path.id)}: steps are declared out of order ({numbers})")
        for step in path.steps:
            where = locate(file, path.id, step.number)
            found.extend(f"{where}: {problem}" for problem in text_problems("the text", step.text))
            found.extend(f"{where}: {problem}" for problem in text_problems("'when'", step.when))
            found.extend(f"{where}: {problem}" for problem in text_problems("the transaction's title", step.transaction))
            if len(step.targets) > MAX_ARROWS:
                found.append(
                    f"{where}: one step fans out to {len(step.targets)} targets, but a picture holds at most "
                    f"{MAX_ARROWS} arrows; split its targets over two steps, or fan out to a component "
                    "that stands for the group (e.g. 'Shards')"
                )
            if not step.text.strip():
                found.append(f"{where}: the step's text is empty")
            if not step.targets:
                found.append(f"{where}: the step has no target")
            if len(set(step.targets)) != len(step.targets):
                found.append(f"{where}: a target is named twice")
            for end in (step.source, *step.targets):
                if end not in self.components:
                    found.append(f"{where}: unknown component '{end}'")
            if step.when is not None and not step.when.strip():
                found.append(f"{where}: 'when' is empty; leave it out for an unconditional step")
        for stage in path.stages():
            arrows = sum(len(step.targets) for step in stage.steps)
            if not stage.title.strip():
                found.append(f"{locate(file, path.id)}: a stage has an empty title")
            if not stage.steps:
                found.append(f"{locate(file, path.id)}: stage '{stage.title}' has no steps")
            if arrows > MAX_ARROWS and all(len(step.targets) <= MAX_ARROWS for step in stage.steps):
                found.append(
                    f"{locate(file, path.id)}: '{stage.title}' would draw {arrows} arrows in one picture; "
                    f"split the path with path.stage(...) so that no picture has more than {MAX_ARROWS}"
                )
        for title in path._nested_transactions:
            found.append(f"{locate(file, path.id)}: transaction '{title}' is opened inside another; transactions do not nest")
        found.extend(self._transaction_problems(path))
        found.extend(f"{locate(file, path.id)}: {problem}" for stage in path.stages() for problem in text_problems(f"the title of stage '{stage.title}'", stage.title))
        for index, note in enumerate(path.notes, start=1):
            where = f"{locate(file, path.id)}, note {index}"
            found.extend(f"{where}: {problem}" for problem in text_problems("the text", note.text))
            found.extend(f"{where}: {problem}" for problem in text_problems("the theme", note.theme))
            if not note.text.strip():
                found.append(f"{locate(file, path.id)}: note {index} is empty")
        return found

    def _transaction_problems(self, path: Path) -> list[str]:
        """A transaction is a run of consecutive steps, drawn in one picture."""
        file, found = self.source, []
        runs: dict[str, list[int]] = {}
        previous = None
        for step in path.steps:
            if step.transaction is not None:
                if step.transaction in runs and previous != step.transaction:
                    found.append(
                        f"{locate(file, path.id, step.number)}: transaction '{step.transaction}' is interrupted; "
                        "its steps must follow one another"
                    )
                runs.setdefault(step.transaction, []).append(step.number)
            previous = step.transaction
        for title in runs:
            if not isinstance(title, str) or not title.strip():
                found.append(f"{locate(file, path.id)}: a transaction has an empty title")
        for stage in path.stages():
            for title in dict.fromkeys(step.transaction for step in stage.steps if step.transaction is not None):
                if sum(step.transaction == title for step in stage.steps) != len(runs[title]):
                    found.append(
                        f"{locate(file, path.id)}: transaction '{title}' spans two stages; "
                        "start the next stage before or after it"
                    )
        return found

    def _endpoint_problems(self) -> list[str]:
        file, found = self.source, []
        if not self.endpoints:
            return found
        seen = Counter((endpoint.method, endpoint.route) for endpoint in self.endpoints)
        # OpenAPI counts routes that differ only in their parameters' names as one path
        templates: dict[str, set[str]] = {}
        for endpoint in self.endpoints:
            if isinstance(endpoint.route, str):
                templates.setdefault(re.sub(r"{[^{}]*}", "{}", endpoint.route), set()).add(endpoint.route)
        started = set()
        for index, endpoint in enumerate(self.endpoints, start=1):
            where = f"{file}, endpoint {index} ({endpoint.method} {endpoint.route})"
            if endpoint.method not in HTTP_METHODS:
                found.append(f"{where}: the method is one of {', '.join(HTTP_METHODS)}")
            if not isinstance(endpoint.route, str) or not re.fullmatch(r"(/[A-Za-z0-9._~{}-]+)+/?|/", endpoint.route):
                found.append(f"{where}: the route is a path such as /v1/pastes/{{paste_id}}")
            elif re.search(r"[{}]", re.sub(r"{[^{}/]*}", "", endpoint.route)):
                found.append(f"{where}: the route has a brace that is not part of a {{parameter}}")
            elif seen[endpoint.method, endpoint.route] > 1:
                found.append(f"{where}: declared twice")
            else:
                twins = sorted(templates[re.sub(r"{[^{}]*}", "{}", endpoint.route)] - {endpoint.route})
                if twins:
                    found.append(
                        f"{where}: the route differs from {', '.join(twins)} only in its parameters' names, which "
                        "OpenAPI counts as the same path; name the parameters alike"
                    )
            for name, text in [("the purpose", endpoint.purpose)] + [
                (f"field '{field}'", spec) for field, spec in endpoint.request + endpoint.response
            ] + [(f"header '{header}'", text) for header, text in endpoint.headers] + [
                (f"response header '{header}'", text) for _, header, text in endpoint.response_headers
            ] + [
                (f"status {code}", text) for code, text in endpoint.status
            ]:
                if text is None:  # shown on the page and in the OpenAPI document: it must be there
                    found.append(f"{where}: {name} is None; write it as text")
                found.extend(f"{where}: {problem}" for problem in text_problems(name, text))
                if isinstance(text, str) and not text.strip():
                    found.append(f"{where}: {name} is empty")
            for field, spec in endpoint.request + endpoint.response:
                kind = spec.split(":", 1)[0].strip() if isinstance(spec, str) else ""
                if kind not in FIELD_TYPES or ":" not in spec or not spec.split(":", 1)[1].strip():
                    found.append(f"{where}: field '{field}' is written 'type: what it is', the type one of {', '.join(FIELD_TYPES)}")
                if not re.fullmatch(r"[a-z][a-z0-9_]*\??", str(field)):
                    found.append(f"{where}: field '{field}': names are lowercase letters, digits and '_' (a final '?' marks it optional)")
            for header in [h for h, _ in endpoint.headers] + [h for _, h, _ in endpoint.response_headers]:
                if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", str(header)):
                    found.append(f"{where}: header '{header}' is not a header name")
            for header, _ in endpoint.headers:
                if str(header).lower() in RESPONSE_ONLY_HEADERS:
                    found.append(f"{where}: '{header}' is sent by the server; declare it in response_headers")
            codes_declared = {code for code, _ in endpoint.status}
            for code, header, _ in endpoint.response_headers:
                if code is not None and code not in codes_declared:
                    found.append(f"{where}: response header '{header}' is for status {code}, which is not declared")
            codes = [code for code, _ in endpoint.status]
            if any(type(code) is not int or not 100 <= code <= 599 for code in codes):
                found.append(f"{where}: status codes are whole numbers from 100 to 599")
            elif not any(200 <= code < 300 for code in codes):
                found.append(f"{where}: list at least one success status (2xx)")
            parameters = re.findall(r"{([^}]*)}", endpoint.route if isinstance(endpoint.route, str) else "")
            for parameter in parameters:
                if not re.fullmatch(r"[a-z][a-z0-9_]*", parameter):
                    found.append(f"{where}: path parameter '{{{parameter}}}' is not a field name")
            for parameter, count in sorted(Counter(parameters).items()):
                if count > 1:
                    found.append(f"{where}: path parameter '{{{parameter}}}' appears {count} times; give each its own name")
            if endpoint.starts is None:
                continue
            path_id, number = endpoint.starts
            path = self.paths.get(path_id)
            if path is None:
                found.append(f"{where}: it starts path '{path_id}', which the system does not declare")
            elif number not in [step.number for step in path.steps]:
                found.append(f"{where}: it starts step {number} of path '{path_id}', which has no such step")
            else:
                started.add(path_id)
        for path in self.paths.values():
            if re.search(r"(^|_)(write|upload)($|_)", path.id) and path.id not in started:
                found.append(f"{locate(file, path.id)}: a write path needs an endpoint that starts it (endpoint(..., starts=({path.id}, 1)))")
        return found
