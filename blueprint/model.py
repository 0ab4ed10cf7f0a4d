"""The model: a system declared once, as components and numbered paths.

A script in `diagrams/` builds one `System`. The renderer draws each path from it and
the page shows the same steps as text, so picture and text cannot disagree. Nothing
here imports the `diagrams` library: loading every script stays cheap.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
RESERVED_PATH_IDS = {"schema"}  # `<!-- blueprint: system/schema -->` shows the ERD


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
class Component:
    """A box in the pictures: a client, a service, a data store."""

    id: str
    label: str
    kind: str
    group: str | None = None
    role: str | None = None  # one line: what it does in this system


@dataclass(frozen=True)
class Step:
    """One numbered arrow: `source` sends something to `target`."""

    number: int
    source: str
    target: str
    text: str


@dataclass
class Path:
    """An ordered use case (write path, read path, workflow) plus unnumbered notes."""

    id: str
    title: str
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def step(self, number: int, source: Component | str, target: Component | str, text: str) -> None:
        self.steps.append(Step(number, _component_id(source), _component_id(target), text))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def components(self) -> list[str]:
        """Component ids in the order the steps first mention them."""
        seen: dict[str, None] = {}
        for step in self.steps:
            seen.setdefault(step.source)
            seen.setdefault(step.target)
        return list(seen)


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
        self.id = ""  # set by the loader: the script's file name
        self.source = ""  # set by the loader: the script's path, for messages
        self.summary = ""  # set by the loader: the script's docstring, shown in the systems table
        self._duplicates: list[str] = []

    def component(self, id: str, label: str, *, kind: str, group: str | None = None, role: str | None = None) -> Component:
        component = Component(id, label, kind, group, role)
        if id in self.components:
            self._duplicates.append(f"component '{id}' is declared twice")
        self.components[id] = component
        return component

    def path(self, id: str, title: str) -> Path:
        if id in self.paths:
            self._duplicates.append(f"path '{id}' is declared twice")
        self.paths[id] = Path(id, title)
        return self.paths[id]

    def problems(self, known_kinds: set[str]) -> list[str]:
        """Every mistake in the declaration, each naming the file, the path and the step."""
        file = self.source
        found = [f"{file}: {message}" for message in self._duplicates]
        if not self.title.strip():
            found.append(f"{file}: the system has an empty title")
        if not self.summary.strip():
            found.append(f"{file}: the script needs a docstring: one line saying what the system does")
        for component in self.components.values():
            where = f"{file}, component '{component.id}'"
            if not ID_PATTERN.match(component.id):
                found.append(f"{where}: ids are lowercase letters, digits and '_'")
            if not component.label.strip():
                found.append(f"{where}: the label is empty")
            if component.kind not in known_kinds:
                found.append(f"{where}: unknown kind '{component.kind}' (known kinds are listed in blueprint/kinds.py)")
        if not self.paths:
            found.append(f"{file}: the system declares no path")
        for path in self.paths.values():
            found.extend(self._path_problems(path))
        return found

    def _path_problems(self, path: Path) -> list[str]:
        file = self.source
        found = []
        if not ID_PATTERN.match(path.id) or path.id in RESERVED_PATH_IDS:
            found.append(f"{locate(file, path.id)}: path ids are lowercase letters, digits and '_', and not 'schema'")
        if not path.title.strip():
            found.append(f"{locate(file, path.id)}: the title is empty")
        if not path.steps:
            found.append(f"{locate(file, path.id)}: the path has no steps")
        numbers = [step.number for step in path.steps]
        if any(not isinstance(number, int) or number < 1 for number in numbers):
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
            if not step.text.strip():
                found.append(f"{where}: the step's text is empty")
            for end in (step.source, step.target):
                if end not in self.components:
                    found.append(f"{where}: unknown component '{end}'")
        for index, note in enumerate(path.notes, start=1):
            if not note.strip():
                found.append(f"{locate(file, path.id)}: note {index} is empty")
        return found
