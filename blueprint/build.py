"""From scripts to pictures: load every system, validate it, render only what changed.

A picture's cache key is the hash of everything its drawing reads (the system's
components, the picture's steps or the schema's tables), the engine's own source and
the versions of the libraries that shape the SVG. An unchanged picture is never drawn
twice, not even as DOT, and a changed one is never served stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import runpy
import shutil
import tempfile
import traceback
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path

from blueprint import render
from blueprint.kinds import KINDS
from blueprint.model import BlueprintError, Path as SystemPath, Stage, System, locate
from blueprint.schema import Schema, load_schema

SCRIPTS = "diagrams"
SNIPPETS = "snippets"
DRAWING_MODULES = ("build.py", "kinds.py", "model.py", "render.py", "schema.py")  # what shapes an SVG


@dataclass
class Picture:
    """One SVG: a path (or one stage of a long path), or a schema's ERD."""

    system: System
    view: str  # "write"; "workflow-2" for the second stage of a staged path; "schema"
    path: SystemPath | None = None
    stage: Stage | None = None
    stage_number: int = 0  # 1, 2, … when the path has several stages; 0 when it has one
    stage_count: int = 0
    schema: Schema | None = None  # for the ERD: what the DDL defines
    svg: str = ""

    @property
    def inputs(self) -> str:
        """Everything the drawing reads, as canonical text: the cache key's content."""
        components = [(asdict(c), asdict(KINDS[c.kind])) for c in self.system.components.values()]
        if self.stage is None:
            drawn = asdict(self.schema)
        else:
            used = self.path.components(self.stage.steps)
            connections = [asdict(c) for c in self.system.connections_between(used)]
            drawn = [[asdict(step) for step in self.stage.steps], connections]
        return json.dumps([self.system.title, self.id, components, drawn], sort_keys=True)

    @property
    def dot(self) -> str:
        if self.stage is None:
            return render.schema_dot(self.system, self.schema)
        return render.path_dot(self.system, self.id, self.stage.steps)

    @property
    def id(self) -> str:
        return render.picture_id(self.system, self.view)

    @property
    def marker(self) -> str:
        """What a page writes to show it: 'pastebin/write' (all stages of a path together)."""
        return f"{self.system.id}/{self.path.id if self.path else 'schema'}"

    @property
    def site_path(self) -> str:
        """Where the standalone SVG is published, relative to the site root."""
        return f"assets/blueprint/{self.system.id}/{self.view}.svg"


@dataclass
class Catalogue:
    systems: dict[str, System] = field(default_factory=dict)
    schemas: dict[str, Schema] = field(default_factory=dict)
    pictures: dict[str, Picture] = field(default_factory=dict)  # by "system/view"
    icons: Path | None = None
    rendered: int = 0

    def shown_by(self, marker: str) -> list[Picture]:
        """The pictures one page marker shows, in order (several for a staged path)."""
        return [picture for picture in self.pictures.values() if picture.marker == marker]

    def markers(self) -> set[str]:
        return {picture.marker for picture in self.pictures.values()}


def load_system(script: Path, root: Path) -> tuple[System, Schema | None]:
    """Run one diagram script and validate the system it declares."""
    display = script.relative_to(root).as_posix()
    try:
        namespace = runpy.run_path(str(script), run_name=f"blueprint_script_{script.stem}")
    except BlueprintError as error:
        raise BlueprintError(f"{display}: {error}") from None
    except Exception as error:  # a script's own bug: say where it is, not a bare traceback
        line = next(
            (frame.lineno for frame in reversed(traceback.extract_tb(error.__traceback__)) if frame.filename == str(script)),
            None,
        )
        where = f"{display}, line {line}" if line else display
        raise BlueprintError(f"{where}: {type(error).__name__}: {error}") from None
    systems = [value for value in namespace.values() if isinstance(value, System)]
    if len(systems) != 1:
        raise BlueprintError(f"{display}: a script declares exactly one System; this one declares {len(systems)}")
    system = systems[0]
    system.id, system.source = script.stem, display
    system.summary = (namespace.get("__doc__") or "").strip()
    problems = system.problems(set(KINDS))
    schema = None
    if system.schema:
        schema = load_schema(root / SNIPPETS / system.schema, f"{SNIPPETS}/{system.schema}")
        actual, claimed = [str(r) for r in schema.relationships()], system.relationships
        if sorted(actual) != sorted(claimed):
            problems.append(
                f"{display}: the relationships it states {sorted(claimed)} differ from what "
                f"{schema.file} defines {sorted(actual)}"
            )
    elif system.relationships:
        problems.append(f"{display}: states relationships but names no schema")
    if problems:
        raise BlueprintError("\n".join(problems))
    return system, schema


def load_all(root: Path) -> Catalogue:
    """Every script in diagrams/, validated; all problems of all scripts are reported together."""
    catalogue = Catalogue()
    problems = []
    for script in sorted((root / SCRIPTS).glob("*.py")):
        try:
            system, schema = load_system(script, root)
        except BlueprintError as error:
            problems.append(str(error))
            continue
        catalogue.systems[system.id] = system
        if schema is not None:
            catalogue.schemas[system.id] = schema
            catalogue.pictures[f"{system.id}/schema"] = Picture(system, "schema", schema=schema)
        for path in system.paths.values():
            stages = path.stages()
            for number, stage in enumerate(stages, start=1):
                view = path.id if len(stages) == 1 else f"{path.id}-{number}"
                catalogue.pictures[f"{system.id}/{view}"] = Picture(
                    system, view, path=path, stage=stage, stage_number=number if len(stages) > 1 else 0,
                    stage_count=len(stages),
                )
    if problems:
        raise BlueprintError("\n".join(problems))
    return catalogue


def renderer_fingerprint() -> str:
    """Everything besides a picture's inputs that changes its SVG bytes: the engine's own
    source and the versions of the libraries it draws with."""
    package = Path(render.__file__).parent
    engine = b"".join((package / name).read_bytes() for name in DRAWING_MODULES)
    parts = [render.graphviz_version(), f"diagrams {version('diagrams')}", f"pillow {version('pillow')}"]
    return hashlib.sha256(engine + "\n".join(parts).encode()).hexdigest()


def cache_key(picture: Picture, fingerprint: str) -> str:
    return hashlib.sha256((fingerprint + "\n" + picture.inputs).encode()).hexdigest()


def build(root: Path, cache: Path) -> Catalogue:
    """Load everything and fill in each picture's SVG, from the cache or freshly drawn."""
    catalogue = load_all(root)
    cache.mkdir(parents=True, exist_ok=True)
    fingerprint = renderer_fingerprint()
    cached = _cached_svgs(catalogue, cache, fingerprint)
    missing = []
    for name, picture in catalogue.pictures.items():
        if cached[name].exists():
            picture.svg = cached[name].read_text(encoding="utf-8")
        else:
            missing.append(name)
    # Icons depend on the same things as the SVGs, so they live under the same fingerprint.
    kinds = {component.kind for system in catalogue.systems.values() for component in system.components.values()}
    catalogue.icons = render.icon_folder(cache / f"icons-{fingerprint[:16]}", kinds)
    if missing:
        graphviz = render.Graphviz(catalogue.icons)
        for name in missing:
            picture = catalogue.pictures[name]
            picture.svg = _draw(graphviz, picture)
            _write_atomically(cached[name], picture.svg)
            catalogue.rendered += 1
    _forget_unused(cache, {path.stem for path in cached.values()} | {catalogue.icons.name})
    return catalogue


def stale(root: Path, cache: Path) -> list[str]:
    """Pictures whose current source has no rendered SVG in the cache (validates everything)."""
    catalogue = load_all(root)
    cached = _cached_svgs(catalogue, cache, renderer_fingerprint())
    return [name for name in catalogue.pictures if not cached[name].exists()]


def _cached_svgs(catalogue: Catalogue, cache: Path, fingerprint: str) -> dict[str, Path]:
    """Where each picture's SVG is, or will be, cached."""
    return {name: cache / f"{cache_key(picture, fingerprint)}.svg" for name, picture in catalogue.pictures.items()}


def _draw(graphviz: render.Graphviz, picture: Picture) -> str:
    arrows = [] if picture.stage is None else [
        (suffix, step.number) for step in picture.stage.steps for suffix, _ in step.arrows()
    ]
    try:
        return render.finish_svg(graphviz.svg(picture.dot), picture.id, arrows)
    except BlueprintError as error:
        where = locate(picture.system.source, picture.path.id if picture.path else None)
        raise BlueprintError(f"{where}: {error}") from None


def _write_atomically(target: Path, text: str) -> None:
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, delete=False, suffix=".tmp") as handle:
        handle.write(text)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, target)


def _forget_unused(cache: Path, keep: set[str]) -> None:
    """Drop pictures and icon folders that no current source produces."""
    for old in cache.glob("*.svg"):
        if old.stem not in keep:
            old.unlink(missing_ok=True)
    for old in cache.glob("icons-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
