"""From scripts to pictures: load every system, validate it, render only what changed.

A picture's cache key is the hash of everything its drawing reads (the system's
components, the picture's steps or the schema's tables), the engine's own source and
the versions of the libraries that shape the SVG. An unchanged picture is never drawn
twice, not even as DOT, and a changed one is never served stale.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path

from blueprint import api, capacity, render, script_worker
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
    capacities: dict[str, dict] = field(default_factory=dict)  # by system id: computed estimates
    icons: Path | None = None
    rendered: int = 0
    openapi_check: api.OpenApiCheck | None = None  # under way; see check_published()

    def shown_by(self, marker: str) -> list[Picture]:
        """The pictures one page marker shows, in order (several for a staged path)."""
        return [picture for picture in self.pictures.values() if picture.marker == marker]

    def markers(self) -> set[str]:
        """Everything a page must show: every picture, and each declared API and capacity table."""
        found = {picture.marker for picture in self.pictures.values()}
        for system in self.systems.values():
            if system.endpoints:
                found.add(f"{system.id}/api")
            if system.assumptions:
                found.add(f"{system.id}/capacity")
        return found


def script_time_limit() -> float:
    """Seconds a diagram script may run: BLUEPRINT_SCRIPT_TIMEOUT, else 5."""
    text = os.environ.get("BLUEPRINT_SCRIPT_TIMEOUT", "5")
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise BlueprintError(
            f"BLUEPRINT_SCRIPT_TIMEOUT={text!r} is not a number of seconds; set it to one greater than 0, such as 5 or 0.5"
        )
    return seconds


def run_script(script: Path, display: str, limit: float | None = None) -> dict:
    """Run one diagram script and return the systems it declares and its docstring
    ({"<name>": System, "__doc__": text}); whatever it does wrong (raise, call exit(),
    end the process, loop forever, even inside C code) becomes a BlueprintError that
    names it. It runs in a worker process, which is killed when it runs too long."""
    return script_worker.run(script, display, script_time_limit() if limit is None else limit)


def load_system(script: Path, root: Path) -> tuple[System, Schema | None]:
    """Run one diagram script and validate the system it declares."""
    display = script.relative_to(root).as_posix()
    namespace = run_script(script, display)
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
    titles: dict[str, list[str]] = {}
    for system in catalogue.systems.values():
        titles.setdefault(system.title.strip().lower(), []).append(system.source)
    for sources in titles.values():
        if len(sources) > 1:
            problems.append(f"{' and '.join(sources)} declare systems with the same title; give each its own")
    if problems:
        raise BlueprintError("\n".join(problems))
    return catalogue


def cache_folder(root: Path) -> Path:
    """Where rendered pictures are kept: $BLUEPRINT_CACHE, else ROOT/.cache/blueprint."""
    return Path(os.environ.get("BLUEPRINT_CACHE") or root / ".cache" / "blueprint")


def _engine_digest(names=DRAWING_MODULES) -> bytes:
    package = Path(render.__file__).parent
    return hashlib.sha256(b"".join((package / name).read_bytes() for name in names)).digest()


def _package_modules() -> list[str]:
    return sorted(path.name for path in Path(render.__file__).parent.glob("*.py"))


# The code that draws is the code this process imported, even if the files change later
# (a long `mkdocs serve` never reloads it): the cache key describes the code in memory.
_LOADED_ENGINE = _engine_digest()
# Every module of the engine, as this process loaded them (all are imported by the hooks).
_LOADED_PACKAGE = _engine_digest(_package_modules())


def engine_changed_on_disk() -> bool:
    """True when any of the engine's files differ from the code this process runs: its
    pictures, estimates and pages would come from the old code."""
    return _engine_digest(_package_modules()) != _LOADED_PACKAGE


def renderer_fingerprint() -> str:
    """Everything besides a picture's inputs that changes its SVG bytes: the engine's own
    code (as loaded) and the versions of the libraries it draws with."""
    parts = [render.graphviz_version(), f"diagrams {version('diagrams')}", f"pillow {version('pillow')}"]
    return hashlib.sha256(_LOADED_ENGINE + "\n".join(parts).encode()).hexdigest()


def cache_key(picture: Picture, fingerprint: str) -> str:
    return hashlib.sha256((fingerprint + "\n" + picture.inputs).encode()).hexdigest()


def build(root: Path, cache: Path) -> Catalogue:
    """Load everything and fill in each picture's SVG, from the cache or freshly drawn."""
    catalogue = load_all(root)
    with _writable(cache):
        cache.mkdir(parents=True, exist_ok=True)
        fingerprint = renderer_fingerprint()
        cached = _cached_svgs(catalogue, cache, fingerprint)
        missing = []
        for name, picture in catalogue.pictures.items():
            svg = read_cached(cached[name])
            if svg is None:
                missing.append(name)
            else:
                picture.svg = svg
        # Icons depend on the same things as the SVGs, so they live under the same fingerprint.
        kinds = {component.kind for system in catalogue.systems.values() for component in system.components.values()}
        catalogue.icons = render.icon_folder(cache / f"icons-{fingerprint[:16]}", kinds)
        if missing:
            graphviz = render.Graphviz(catalogue.icons)
            for name in missing:
                picture = catalogue.pictures[name]
                picture.svg = _draw(graphviz, picture)
                write_cached(cached[name], picture.svg)
                catalogue.rendered += 1
        kept = {path.stem for path in cached.values()} | {catalogue.icons.name}
        for system in catalogue.systems.values():
            if system.assumptions:
                file = _capacity_file(system, cache)
                catalogue.capacities[system.id] = _cached_capacity(system, file)
                kept.add(file.stem)
        catalogue.openapi_check = api.OpenApiCheck(catalogue.systems.values(), cache)
        kept |= catalogue.openapi_check.kept
        _forget_unused(cache, kept)
    return catalogue


def check_published(catalogue: Catalogue) -> None:
    """Wait for the checks that run beside the build (the OpenAPI documents, validated
    with the validator the tests use); a BlueprintError names each script that fails."""
    if catalogue.openapi_check is not None:
        catalogue.openapi_check.result()


def _capacity_file(system: System, cache: Path) -> Path:
    """Capacity estimates are cached like pictures, keyed by what they are computed from:
    a warm build then never imports pint (slow to load)."""
    inputs = json.dumps([system.source, sorted((k, repr(v)) for k, v in system.assumptions.items())])
    # keyed by the capacity code this process imported and computes with, not the file
    key = hashlib.sha256(f"{capacity.LOADED_DIGEST}\npint {version('pint')}\n{inputs}".encode()).hexdigest()
    return cache / f"capacity-{key}.json"


def _cached_capacity(system: System, file: Path, write: bool = True) -> dict:
    text = read_cached(file)
    if text is not None:
        try:
            return json.loads(text)
        except ValueError:
            pass
    computed = capacity.compute(system)  # a BlueprintError naming the script and the field
    if write:
        write_cached(file, json.dumps(computed, indent=1, sort_keys=True))
    return computed


@contextmanager
def _writable(cache: Path):
    try:
        yield
    except OSError as error:  # no permission, a read-only disk, a file where a folder should be
        raise BlueprintError(
            f"cannot write the diagram cache in {cache} ({error.strerror}: {error.filename}); make that folder "
            "writable, or point the BLUEPRINT_CACHE environment variable at a folder that is"
        ) from None


def stale(root: Path, cache: Path) -> list[str]:
    """Pictures whose current source has no sound rendered SVG in the cache (validates
    everything); a corrupt entry is named as such."""
    catalogue = load_all(root)
    fingerprint = renderer_fingerprint()
    cached = _cached_svgs(catalogue, cache, fingerprint)
    found = []
    for name in catalogue.pictures:
        if read_cached(cached[name]) is None:
            found.append(f"{name} (corrupt cache entry {cached[name].name})" if cached[name].exists() else name)
    icons = cache / f"icons-{fingerprint[:16]}"
    kinds = {component.kind for system in catalogue.systems.values() for component in system.components.values()}
    if catalogue.pictures and render.sound_icons(icons, kinds) != kinds:
        found.append(f"icons (missing or corrupt in {icons.name})")
    # what else the build refuses: impossible capacity figures, invalid OpenAPI
    for system in catalogue.systems.values():
        if system.assumptions:
            _cached_capacity(system, _capacity_file(system, cache), write=False)
    with _writable(cache):
        api.OpenApiCheck(catalogue.systems.values(), cache).result()
    return found


def _cached_svgs(catalogue: Catalogue, cache: Path, fingerprint: str) -> dict[str, Path]:
    """Where each picture's SVG is, or will be, cached."""
    return {name: cache / f"{cache_key(picture, fingerprint)}.svg" for name, picture in catalogue.pictures.items()}


def read_cached(svg_file: Path) -> str | None:
    """A cached file (an SVG, an estimate), only if it is whole: its SHA-256, written
    beside it after it, matches."""
    try:
        data = svg_file.read_bytes()
        digest = svg_file.with_suffix(".sha256").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if hashlib.sha256(data).hexdigest() != digest:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def write_cached(svg_file: Path, svg: str) -> None:
    data = svg.encode("utf-8")
    _write_atomically(svg_file, data)
    _write_atomically(svg_file.with_suffix(".sha256"), hashlib.sha256(data).hexdigest().encode("ascii") + b"\n")


def _draw(graphviz: render.Graphviz, picture: Picture) -> str:
    arrows = [] if picture.stage is None else [
        (suffix, step.number) for step in picture.stage.steps for suffix, _ in step.arrows()
    ]
    try:
        return render.finish_svg(graphviz.svg(picture.dot), picture.id, arrows)
    except BlueprintError as error:
        where = locate(picture.system.source, picture.path.id if picture.path else None)
        raise BlueprintError(f"{where}: {error}") from None


def _write_atomically(target: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile("wb", dir=target.parent, delete=False, suffix=".tmp") as handle:
        handle.write(data)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, target)


LEFTOVER_AGE = 600  # seconds: a temporary file this old belongs to a render that was interrupted


def _forget_unused(cache: Path, keep: set[str]) -> None:
    """Drop pictures and icon folders that no current source produces, and what
    interrupted renders left behind."""
    for old in [*cache.glob("*.svg"), *cache.glob("*.sha256"), *cache.glob("capacity-*.json"), *cache.glob("openapi-*.ok")]:
        if old.stem not in keep:
            old.unlink(missing_ok=True)
    for old in cache.glob("icons-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    now = time.time()
    for leftover in [*cache.glob("*.tmp"), *cache.glob("icons-*/*.tmp")]:
        try:
            if now - leftover.stat().st_mtime > LEFTOVER_AGE:
                leftover.unlink()
        except FileNotFoundError:
            pass
