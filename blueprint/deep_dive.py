"""The Deep dive section of a system page: what each failure does, where the load lands.

A view, like `pages`: it shows what `failure` checked and `load` computed, and draws
one picture (components coloured by peak load) with the same Graphviz as the paths.
The section is appended to every system page; prose quotes its figures with

    <!-- blueprint: pastebin/load#db -->          db's peak requests per second
    <!-- blueprint: pastebin/load#db/bytes -->    db's peak bytes per second
    <!-- blueprint: pastebin/load#db/nodes -->    the nodes db needs
    <!-- blueprint: pastebin/load#hottest -->     the hottest component's label
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from blueprint import render
from blueprint.build import Catalogue, read_cached, renderer_fingerprint, write_cached
from blueprint.capacity import _bytes, _number
from blueprint.load import Load, compute, hottest
from blueprint.model import BlueprintError, System
from blueprint.pages import _readable_width  # the same phone rule as the path pictures

# Load bands, as a share of the hottest component's peak requests: (from, fill, text colour, name)
BANDS = (
    (0.75, "#a51d2d", "#ffffff", "75 % of the hottest or more"),
    (0.25, "#e66100", "#000000", "25 to 75 %"),
    (0.05, "#f6d32d", "#000000", "5 to 25 %"),
    (0.0, "#c8e6c9", "#000000", "under 5 %"),
)
UNLOADED = ("#f4f7fb", "#000000", "receives no requests")  # e.g. a client that only sends


@dataclass
class DeepDive:
    """What the hooks keep between building and writing pages."""

    loads: dict[str, list[Load]] = field(default_factory=dict)  # by system id
    pictures: dict[str, str] = field(default_factory=dict)  # by system id: the load picture's SVG


def prepare(catalogue: Catalogue, cache: Path) -> DeepDive:
    """Compute every system's load and draw the pictures whose DOT changed."""
    deep = DeepDive()
    for system in catalogue.systems.values():
        deep.loads[system.id] = compute(system, catalogue.capacities.get(system.id))
    folder = cache / "deep-dive"  # a folder of its own: build.py prunes the top level of the cache
    folder.mkdir(parents=True, exist_ok=True)
    key_base = renderer_fingerprint() + hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    graphviz, kept = None, set()
    for system_id, loads in deep.loads.items():
        if not loads:
            continue
        dot = load_dot(catalogue.systems[system_id], loads)
        file = folder / f"{hashlib.sha256((key_base + dot).encode()).hexdigest()}.svg"
        kept.add(file.stem)
        svg = read_cached(file)
        if svg is None:
            graphviz = graphviz or render.Graphviz(catalogue.icons)  # started only if something is missing
            try:
                svg = render.finish_svg(graphviz.svg(dot), f"{system_id}-load", [])
            except BlueprintError as error:
                raise BlueprintError(f"{catalogue.systems[system_id].source}, the load picture: {error}") from None
            write_cached(file, svg)
        deep.pictures[system_id] = svg
    for old in [*folder.glob("*.svg"), *folder.glob("*.sha256")]:
        if old.stem not in kept:
            old.unlink(missing_ok=True)
    return deep


# --- The picture -----------------------------------------------------------------------


def band(load: Load, top: float) -> tuple[str, str, str]:
    """(fill, text colour, name) of a component's load relative to the hottest."""
    if load.requests == 0 or top == 0:
        return UNLOADED
    for start, fill, ink, name in BANDS:  # the last band starts at 0, so one always matches
        if load.requests >= start * top:
            return fill, ink, name
    raise AssertionError("BANDS must end with a band that starts at 0")


def _label(*lines: str) -> str:
    """A DOT label drawn as written: `&` and backslashes escaped once, lines joined by DOT's \\n."""
    escaped = [line.replace("&", "&amp;").replace("\\", "\\\\").replace('"', '\\"') for line in lines]
    return '"' + "\\n".join(escaped) + '"'


def load_dot(system: System, loads: list[Load]) -> str:
    """Every component a rated path reaches, coloured by its peak requests, with an arrow
    for each pair of components a step joins."""
    prefix = f"{system.id}-load"
    top = hottest(loads).requests if hottest(loads) else 0.0
    by_id = {load.component: load for load in loads}
    lines = [
        f'digraph "{prefix}" {{',
        f'  graph [id="{prefix}", rankdir=LR, splines=spline, pad="0.2", nodesep="0.35", ranksep="0.7", '
        f'bgcolor=transparent, fontname="{render.FONT}"]',
        f'  node [shape=box, style="rounded,filled", color="{render.EDGE_COLOUR}", fontname="{render.FONT}", '
        f'fontsize="{render.LABEL_FONT_PT}", margin="0.15,0.06"]',
        f'  edge [color="{render.EDGE_COLOUR}", arrowsize="0.7"]',
    ]
    for load in loads:
        fill, ink, _ = band(load, top)
        component = system.components[load.component]
        tooltip = f"{component.label}: {_number(load.requests)} requests/s at peak"
        if component.failure is not None:
            tooltip += f"; when it is down: {component.failure.down}"
        lines.append(
            f'  "{load.component}" [id="{prefix}-node-{load.component}", '
            f'label={_label(component.label, f"{_number(load.requests)} /s")}, fillcolor="{fill}", fontcolor="{ink}", '
            f"tooltip={render.dot_string(tooltip)}]"
        )
    pairs: dict[tuple[str, str], None] = {}
    for path in system.paths.values():
        for step in path.steps:
            for target in step.targets:
                if step.source in by_id and target in by_id and step.source != target:
                    pairs.setdefault((step.source, target))
    for source, target in pairs:
        lines.append(f'  "{source}" -> "{target}"')
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- The section -----------------------------------------------------------------------


def section(system: System, deep: DeepDive, catalogue: Catalogue, page_dir: str = "systems") -> str:
    """'Deep dive', in Markdown with HTML tables: failures, then hot spots and their picture."""
    from blueprint.pages import _step_anchor  # the ids the step lists already carry

    def step_links(path_numbers) -> str:
        """'Write path: 2, 6; Read path: 3', each number linked to its line in the step list."""
        by_path: dict[str, list[str]] = {}
        for path_id, number in path_numbers:
            anchor = _step_anchor(catalogue, system, path_id, number)
            by_path.setdefault(path_id, []).append(f'<a href="#{anchor}">{number}</a>' if anchor else str(number))
        return "; ".join(
            f"{html.escape(system.paths[path_id].title)}: {', '.join(links)}" for path_id, links in by_path.items()
        )

    parts = ["\n\n## Deep dive\n"]
    parts.append("\n### Failures\n\n" + _failures_table(system, step_links) + "\n")
    parts.append("\n### Hot spots\n\n" + _hot_spots(system, deep, step_links, page_dir) + "\n")
    return "".join(parts)


def _used_steps(system: System) -> dict[str, list[tuple[str, int]]]:
    used: dict[str, list[tuple[str, int]]] = {}
    for path in system.paths.values():
        for step in path.steps:
            for component in dict.fromkeys((step.source, *step.targets)):
                used.setdefault(component, []).append((path.id, step.number))
    return used


def _failures_table(system: System, step_links) -> str:
    used = _used_steps(system)
    rows = []
    for component in system.components.values():
        if component.id not in used:
            continue
        name = f"{html.escape(component.label)}"
        failure = component.failure
        if failure is None:
            cells = '<td colspan="4">Not declared.</td><td>Not declared</td>'
        else:
            spof = "No: redundant" if failure.redundant else "<strong>Yes</strong>: no redundancy declared"
            cells = "".join(
                f"<td>{html.escape(text)}</td>" for text in (failure.down, failure.slow, failure.loses_data, failure.handling)
            ) + f"<td>{spof}</td>"
        rows.append(
            f'<tr data-component="{component.id}"><td>{name}</td><td>{step_links(used[component.id])}</td>{cells}</tr>'
        )
    return (
        f'<div class="blueprint-failures" id="{system.id}-failures">\n<table>\n'
        "<thead><tr><th>Component</th><th>Steps</th><th>Down</th><th>Slow</th><th>Loses data</th>"
        "<th>What the design does</th><th>Single point of failure</th></tr></thead>\n"
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n</div>\n"
    )


def _hot_spots(system: System, deep: DeepDive, step_links, page_dir: str) -> str:
    loads = deep.loads.get(system.id) or []
    if not loads:
        return (
            f'<p class="blueprint-hot-spots-missing">No path of <code>{html.escape(system.source)}</code> says what '
            'drives it yet (<code>per="write"</code>, <code>per="read"</code> or <code>rate=(…)</code>), so its '
            "load is not computed.</p>\n"
        )
    top = hottest(loads)
    sources: dict[str, int] = {}
    rows = []
    for load in sorted(loads, key=lambda load: -load.requests):  # hottest first; ties keep declared order
        figure = load.throughput
        if figure is None:
            per_node, nodes = "no cited figure", "—"
        else:
            number = sources.setdefault(figure.source, len(sources) + 1)
            per_node = f"{_number(figure.per_node)} /s per {html.escape(figure.node)} <sup>[{number}]</sup>"
            nodes = "—" if load.nodes is None else f"{load.nodes} ({html.escape(figure.plural)})" if load.nodes > 1 \
                else f"1 ({html.escape(figure.node)})"
        rows.append(
            f'<tr data-component="{load.component}"><td>{html.escape(load.label)}</td>'
            f"<td>{_number(load.requests)} /s</td><td>{_bytes(load.bytes)}/s</td><td>{per_node}</td><td>{nodes}</td>"
            f"<td>{step_links(load.steps)}</td></tr>"
        )
    cited = {figure.source: figure for load in loads if (figure := load.throughput) is not None}
    notes = "\n".join(
        f'<li value="{number}">{html.escape(cited[source].measured)}: <a href="{html.escape(source)}">'
        f"{html.escape(source)}</a></li>"
        for source, number in sources.items()
    )
    lead = (
        f'<p class="blueprint-hottest">The hottest component is <strong>{html.escape(top.label)}</strong>, with '
        f"{_number(top.requests)} requests and {_bytes(top.bytes)} per second at peak.</p>\n" if top else ""
    )
    return (
        lead + _figure(system, deep, loads, page_dir)
        + f'<div class="blueprint-hot-spots" id="{system.id}-hot-spots">\n<table>\n'
        "<thead><tr><th>Component</th><th>Peak requests</th><th>Peak bytes</th><th>One node sustains</th>"
        "<th>Nodes needed</th><th>Steps</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
        + (f'<ol class="blueprint-sources">\n{notes}\n</ol>\n' if notes else "")
        + "<p>Computed by the build: each path runs at the peak writes or reads per second of the capacity "
        "estimates (or at its declared rate), each step loads its targets times its share, and a delivery also "
        "loads its queue.</p>\n</div>\n"
    )


def site_path(system_id: str) -> str:
    """Where the load picture is published: a file of its own, beside the OpenAPI document."""
    return f"assets/blueprint/{system_id}/load.svg"


def _figure(system: System, deep: DeepDive, loads: list[Load], page_dir: str) -> str:
    """The load picture as an image loaded only when the reader scrolls to it: it sits at the
    end of the page, so a first visit does not pay for it (the table says the same in text)."""
    svg = deep.pictures.get(system.id)
    if not svg:
        return ""
    prefix = f"{system.id}-load"
    caption = f"{system.title}: components coloured by their peak requests per second"
    size = re.search(r'<svg\b[^>]*\bwidth="([\d.]+)pt"[^>]*\bheight="([\d.]+)pt"', svg)
    width, height = (round(float(size.group(1)) * 4 / 3), round(float(size.group(2)) * 4 / 3)) if size else (0, 0)
    top = hottest(loads)
    shown = {band(load, top.requests if top else 0.0) for load in loads}
    key = "; ".join(
        f'<span class="blueprint-swatch" style="display:inline-block;width:0.9em;height:0.9em;'
        f'border:1px solid {render.EDGE_COLOUR};vertical-align:middle;background:{fill}"></span> {name}'
        for fill, ink, name in [b[1:] for b in BANDS] + [UNLOADED]
        if (fill, ink, name) in shown
    )
    return (
        f'<figure class="blueprint-figure" id="{prefix}-figure" data-picture="{prefix}" '
        f'style="--blueprint-readable: {_readable_width(svg)}px">\n'
        f'<div class="blueprint-picture" tabindex="0" role="group" aria-label="{html.escape(caption)}, scrollable">'
        f'<img class="blueprint-svg blueprint-load" src="{posixpath.relpath(site_path(system.id), page_dir)}" '
        'loading="lazy" decoding="async" '
        f'width="{width}" height="{height}" alt="{html.escape(caption)}; the figures are in the table below."></div>\n'
        f'<figcaption>{html.escape(caption)}. <span class="blueprint-legend">Key, as a share of the hottest '
        f"component's requests: {key}.</span></figcaption>\n</figure>\n"
    )


# --- Figures quoted in prose -------------------------------------------------------------

_FIGURE = re.compile(r"<!--\s*blueprint:\s*(?P<system>[a-z0-9_]+)/load#(?P<name>[^\s]*)\s*-->")


def quote_load(markdown_text: str, page_path: str, deep: DeepDive) -> str:
    """`<!-- blueprint: pastebin/load#db -->` in prose becomes db's computed peak requests
    per second (`#db/bytes`, `#db/nodes`, `#hottest`: see the module's docstring)."""
    return _FIGURE.sub(lambda m: _load_value(deep, page_path, m.group("system"), m.group("name")), markdown_text)


def _load_value(deep: DeepDive, page_path: str, system_id: str, name: str) -> str:
    loads = {load.component: load for load in deep.loads.get(system_id, [])}
    component, _, measure = name.partition("/")
    where = f"docs/{page_path}: the marker '{system_id}/load#{name}'"
    if not loads:
        raise BlueprintError(f"{where} names no load: no path of {system_id} declares per= or rate=")
    if name == "hottest":
        top = hottest(list(loads.values()))
        return f'<span class="blueprint-figure-value" data-load="hottest">{html.escape(top.label)}</span>'
    if component not in loads or measure not in ("", "bytes", "nodes"):
        raise BlueprintError(
            f"{where} names no figure (known: hottest, and for each of {', '.join(loads)}: "
            "the component's id, id/bytes, id/nodes)"
        )
    load = loads[component]
    if measure == "":
        value = f"{_number(load.requests)} requests per second"
    elif measure == "bytes":
        value = f"{_bytes(load.bytes)} per second"
    elif load.nodes is None:
        raise BlueprintError(f"{where}: a {load.kind} has no cited per-node figure (THROUGHPUT in blueprint/load.py)")
    else:
        value = f"{load.nodes} {load.throughput.plural if load.nodes > 1 else load.throughput.node}"
    return f'<span class="blueprint-figure-value" data-load="{html.escape(name)}">{html.escape(value)}</span>'


__all__ = ["DeepDive", "prepare", "quote_load", "section"]
