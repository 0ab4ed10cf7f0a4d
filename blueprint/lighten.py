"""Lighter pictures for the browser, leaving Graphviz's inputs alone.

Graphviz lays pictures out with PNG icons (it reads their size); the browser gets the
same icons as lossless WebP, about 30 % fewer bytes, pixel for pixel the same. A picture
inlined in a page also sheds what the page already says or what only a crawler sees:

- an arrow's tooltip repeats its step, which is in the numbered list under the picture
  (and pointing at the arrow lights that step); it would also give the answer away in
  the self-test;
- a component's tooltip moves into the `<title>` Graphviz already gives its group (a
  native SVG tooltip), and its link to a concept page goes (the page links the same
  concepts under "Concepts used here"): Lighthouse counts an SVG `<a>` with no `href`
  attribute (`xlink:href` included) as a link that cannot be crawled, and axe counts an
  `<a href>` inside a picture (`role="img"`) as a control nested in an image;
- a group's rounded box becomes one `<rect>`, Graphviz's own titles ("cluster_Clients")
  go, and the colours and font that blueprint.css sets anyway go;
- coordinates are rounded to whole points (at most half a point off, under a pixel
  on any screen the pictures are shown on), blank lines go.

The standalone pictures under assets/blueprint/ keep their tooltips: they have no list.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

_ICON = re.compile(r'(xlink:href="[^"]*icons/[^"/]+)\.png"')
_GROUP = re.compile(r'<g id="[^"]*" class="(node|edge)[^"]*">\n.*?\n</g>\n', re.S)
_ANCHOR = re.compile(r'<g id="a_[^"]*"><a ([^>]*)>\n?(.*?)</a>\n?</g>\n?', re.S)
_COORDINATES = re.compile(r'\b(?:d|points|x|y|cx|cy|transform)="[^"]*"')
_DECIMAL = re.compile(r"-?\d+\.\d+")


def webp_icons(svg: str) -> str:
    """Icon links point at the WebP copies."""
    return _ICON.sub(r'\1.webp"', svg)


def icon_name(png_name: str) -> str:
    return png_name[: -len(".png")] + ".webp" if png_name.endswith(".png") else png_name


def _whole(match: re.Match) -> str:
    text = str(round(float(match.group(0))))
    return "0" if text == "-0" else text


def _group(match: re.Match) -> str:
    group, kind = match.group(0), match.group(1)
    anchor = _ANCHOR.search(group)
    if anchor is None:
        return group
    attributes, body = anchor.group(1), anchor.group(2)
    tooltip = re.search(r'xlink:title="([^"]*)"', attributes)
    inner = body
    group = group[: anchor.start()] + inner + group[anchor.end():]
    if kind == "node" and tooltip:
        return re.sub(r"<title>[^<]*</title>", lambda _: f"<title>{tooltip.group(1)}</title>", group, count=1)
    return re.sub(r"<title>[^<]*</title>\n?", "", group, count=1)


_ROUNDED_BOX = re.compile(r'(class="cluster">\n)<path (fill="[^"]*" stroke="[^"]*") d="(M[^"]*)" />')


def _box(match: re.Match) -> str:
    """A group's rounded box, drawn by Graphviz as a path of 8 curves, as one <rect>."""
    numbers = [float(number) for number in re.findall(r"-?\d+(?:\.\d+)?", match.group(3))]
    xs, ys = numbers[0::2], numbers[1::2]
    return (f'{match.group(1)}<rect {match.group(2)} x="{min(xs):g}" y="{min(ys):g}" width="{max(xs) - min(xs):g}" '
            f'height="{max(ys) - min(ys):g}" rx="6" />')


def _edge_colours(match: re.Match) -> str:
    """blueprint.css colours every arrow (per scheme, per kind): the drawn colours are dead weight."""
    return re.sub(r"<(?:path|polygon|polyline) [^>]*>",
                  lambda element: re.sub(r' (?:stroke|fill)="#[0-9a-fA-F]{6}"', "", element.group(0)), match.group(0))


def inline_svg(svg: str) -> str:
    """A picture as a page inlines it (see the module's docstring)."""
    svg = _GROUP.sub(_group, svg)
    svg = re.sub(r'(class="(?:cluster|graph)">\n)<title>[^<]*</title>\n', r"\1", svg)  # "cluster_Clients" is no tooltip
    svg = _ROUNDED_BOX.sub(_box, svg)
    svg = re.sub(r'<g id="[^"]*" class="edge[^"]*">\n.*?\n</g>\n', _edge_colours, svg, flags=re.S)
    svg = svg.replace(' font-family="Helvetica,sans-Serif"', "")  # blueprint.css sets it
    svg = _COORDINATES.sub(lambda match: _DECIMAL.sub(_whole, match.group(0)), svg)
    svg = re.sub(r"\n\s*\n", "\n", svg)
    return webp_icons(svg)


ICON_PX = 88  # drawn at 86.4 pt; a page shows a picture at about half to two thirds of that; Graphviz reads 128 px


def webp_bytes(png: Path, cache: Path | None = None) -> bytes:
    """The icon as lossless WebP, ICON_PX on a side with up to 256 colours and its
    transparency (cached by the PNG's bytes: converting takes a while)."""
    data = png.read_bytes()
    key = hashlib.sha256(data + str(ICON_PX).encode()).hexdigest()[:24]
    cached = cache / f"{key}.webp" if cache is not None else None
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    from PIL import Image

    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGBA")
        if image.width > ICON_PX:
            image = image.resize((ICON_PX, ICON_PX * image.height // image.width), Image.LANCZOS)
        image = image.quantize(256, method=Image.Quantize.FASTOCTREE).convert("RGBA")
        image.save(out, "WEBP", lossless=True, quality=100, method=6)
    result = out.getvalue()
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(".tmp")
        temporary.write_bytes(result)
        temporary.replace(cached)
    return result


def strip_comments(text: str, javascript: bool) -> str:
    """Our stylesheet and script as published: no comments, no indentation, no blank lines
    (their sources under docs/assets/ stay commented). Neither holds a comment marker
    inside a string, which a test checks by running the pages' scripts in a browser."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if javascript:
            cut = line.find("//")
            while cut >= 0:
                before = line[:cut]
                if all(before.count(quote) % 2 == 0 for quote in "\"'`"):
                    line = before.rstrip()
                    break
                cut = line.find("//", cut + 2)
        if line:
            lines.append(line)
    return "\n".join(lines) + "\n"


_PRIMARY_SIDEBAR = re.compile(r'(<div class="md-sidebar md-sidebar--primary"[^>]*>\s*<div class="md-sidebar__scrollwrap")>')


def publish_assets(site: Path) -> None:
    """Strip the comments from blueprint.css and blueprint.js in the built site. On the
    print page, the navigation beside the text scrolls before any script has run, with no
    link a keyboard can reach in view: make the region itself focusable."""
    print_page = site / "print_page.html"
    if print_page.is_file():
        text = print_page.read_text(encoding="utf-8")
        fixed = _PRIMARY_SIDEBAR.sub(r'\1 tabindex="0">', text, count=1)
        if fixed != text:
            print_page.write_text(fixed, encoding="utf-8")
    for relative, javascript in (("assets/stylesheets/blueprint.css", False), ("assets/javascripts/blueprint.js", True)):
        file = site / relative
        if file.is_file():
            stripped = strip_comments(file.read_text(encoding="utf-8"), javascript)
            if stripped != file.read_text(encoding="utf-8"):
                file.write_text(stripped, encoding="utf-8")


_CODE = re.compile(r"(<pre\b[^>]*>(?:<span></span>)?)<code>")


def focusable_code(page_html: str) -> str:
    """Code blocks scroll sideways, so a keyboard must reach them: Material's script makes
    them focusable, but a page checked (or read) before its scripts have run has none.
    Pygments wraps every run of whitespace in a span that nothing styles: it goes."""
    return _WHITESPACE.sub(r"\1", _CODE.sub(r'\1<code tabindex="0">', page_html))


_WHITESPACE = re.compile(r'<span class="w">(\s*)</span>')
_SQL_STYLESHEET = re.compile(r'<link rel="stylesheet" href="[^"]*assets/stylesheets/sql\.css">\n?')


def unused_stylesheets(page_html: str) -> str:
    """sql.css styles the SQL page's join diagrams (class sql-…): other pages do not load it."""
    return page_html if 'class="sql-' in page_html else _SQL_STYLESHEET.sub("", page_html)
