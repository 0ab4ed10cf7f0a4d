"""The built site: what a reader of the Pastebin page sees, and what a browser would fetch."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from conftest import ROOT, mkdocs_build

SVG = "{http://www.w3.org/2000/svg}"


class Tags(HTMLParser):
    """Every start tag with its attributes, plus the text inside each <li>."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.items: list[tuple[dict, str]] = []
        self._item: list | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "li":
            self._item = [dict(attrs), ""]

    def handle_data(self, data):
        if self._item is not None:
            self._item[1] += data

    def handle_endtag(self, tag):
        if tag == "li" and self._item is not None:
            self.items.append((self._item[0], " ".join(self._item[1].split())))
            self._item = None


def page(site: Path, name: str) -> str:
    """A built page by its source name without '.md' ('systems/pastebin'); the offline
    plugin turns directory URLs off, so it is NAME.html."""
    return (site / f"{name}.html").read_text(encoding="utf-8")


def test_the_strict_build_has_no_warnings(built_site):
    # MkDocs' own warnings only: notebook kernels print unrelated "[IPKernelApp] WARNING" lines
    assert not re.search(r"^WARNING\s+-", built_site.log, re.M), built_site.log
    assert "rendered 3 of 3 pictures" in built_site.log or re.search(r"rendered (\d+) of \1 pictures", built_site.log)


def test_pastebin_shows_both_paths_with_their_steps_in_order(built_site, catalogue):
    html = page(built_site.site, "systems/pastebin")
    tags = Tags(html)
    system = catalogue.systems["pastebin"]
    for path_id in ("write", "read"):
        prefix = f"pastebin-{path_id}"
        assert f'<figure class="blueprint-figure" id="{prefix}-figure"' in html
        assert f'<g id="{prefix}" class="graph"' in html
        items = [(attrs, text) for attrs, text in tags.items if attrs.get("id", "").startswith(f"{prefix}-step-")]
        path = system.paths[path_id]
        assert [int(attrs["data-step"]) for attrs, _ in items] == list(range(1, len(path.steps) + 1))
        for (_, text), step in zip(items, path.steps):
            targets = ", ".join(system.components[target].label for target in step.targets)
            route = f"{system.components[step.source].label} → {targets}"
            condition = f"{step.when}: " if step.when else ""
            assert text == f"{route} {condition}{step.text}"
        for number in range(1, len(path.steps) + 1):
            # each number once as an arrow, once in the list
            assert html.count(f'id="{prefix}-step-{number}"') == 1
            assert html.count(f'id="{prefix}-step-{number}-text"') == 1


def test_each_path_s_notes_follow_its_steps(built_site, catalogue):
    html = page(built_site.site, "systems/pastebin")
    for path in catalogue.systems["pastebin"].paths.values():
        steps_end = html.index(f'id="pastebin-{path.id}-steps"')
        for note in path.notes:
            assert html.find(note.text.split(",")[0][:40], steps_end) > steps_end, note.text


def test_every_picture_has_a_text_alternative(built_site):
    html = page(built_site.site, "systems/pastebin")
    for prefix, described in (("pastebin-write", "steps"), ("pastebin-read", "steps"), ("pastebin-schema", "relationships")):
        assert f'aria-labelledby="{prefix}-alt {prefix}-{described}"' in html
        assert re.search(rf'<title id="{prefix}-alt">Pastebin: [^<]+</title>', html)
        assert f'id="{prefix}-{described}"' in html


def test_the_page_states_the_relationships_the_ddl_defines(built_site, catalogue):
    tags = Tags(page(built_site.site, "systems/pastebin"))
    stated = [attrs["data-relationship"] for attrs, _ in tags.items if "data-relationship" in attrs]
    assert stated == [str(r) for r in catalogue.schemas["pastebin"].relationships()]
    assert stated == catalogue.systems["pastebin"].relationships


def test_icons_and_standalone_pictures_resolve_in_the_built_site(built_site):
    site = built_site.site
    for html_file in site.rglob("*.html"):
        for tag, attrs in Tags(html_file.read_text(encoding="utf-8")).tags:
            href = attrs.get("xlink:href") if tag == "image" else None
            if href:
                target = (html_file.parent / href).resolve()
                assert target.is_file(), (html_file, href)
    for svg in (site / "assets" / "blueprint").rglob("*.svg"):
        for href in re.findall(r'xlink:href="([^"]+)"', svg.read_text()):
            assert (svg.parent / href).resolve().is_file(), (svg, href)
    assert {p.name for p in (site / "assets/blueprint/pastebin").iterdir()} == {"write.svg", "read.svg", "cleanup.svg", "schema.svg", "load.svg", "openapi.json"}


def test_no_page_loads_anything_from_another_host(built_site):
    site = built_site.site
    loaders = {"script": "src", "link": "href", "img": "src", "iframe": "src", "source": "src", "image": "xlink:href"}
    for html_file in site.rglob("*.html"):
        for tag, attrs in Tags(html_file.read_text(encoding="utf-8")).tags:
            url = attrs.get(loaders.get(tag, ""), "") or ""
            if tag == "link" and attrs.get("rel") in ("canonical", "alternate"):
                continue
            assert not re.match(r"^(https?:)?//", url), (html_file.relative_to(site), tag, url)
    for css in site.rglob("*.css"):
        assert not re.search(r"@import\s+url\(\s*['\"]?(https?:)?//", css.read_text()), css
        assert "fonts.googleapis" not in css.read_text(), css


def test_a_second_build_renders_nothing(built_site, site_cache, tmp_path):
    again = mkdocs_build(ROOT, tmp_path / "site", site_cache)
    assert again.returncode == 0, again.log
    match = re.search(r"blueprint: rendered (\d+) of (\d+) pictures", again.log)
    assert match and match.group(1) == "0" and int(match.group(2)) >= 3
    notebooks = len(list((ROOT / "docs" / "concepts" / "notebooks").glob("*.ipynb")))
    assert f"blueprint: executed 0 of {notebooks} notebooks" in again.log


def test_the_home_page_credits_the_source(built_site):
    html = page(built_site.site, "index")
    assert "systemdesign.one" in html
    assert "System Design Interview Cheat Sheet" in html


def test_navigation_shows_the_structure(built_site):
    tabs = re.findall(r'class="md-tabs__link[^"]*"[^>]*>\s*([^<]+?)\s*<', page(built_site.site, "index"))
    for section in ("Home", "Template", "Systems", "Concepts"):
        assert section in tabs, tabs


def test_every_system_is_in_the_nav_and_the_systems_table(built_site, catalogue):
    """The navigation is pruned to the section a page is in (lighter pages), so the systems
    are listed in the navigation of the Systems section, and the home page links that section."""
    home = page(built_site.site, "index")
    index = page(built_site.site, "systems/index")
    assert re.search(r'href="systems/index.html"[^>]*>\s*(<[^>]+>\s*)*Systems', home)
    for system in catalogue.systems.values():
        assert re.search(rf'href="{system.id}.html"[^>]*>\s*(<[^>]+>\s*)*{system.title}', index), system.id
        assert f'<a href="{system.id}.html">{system.title}</a></td><td>{system.summary}</td>' in index


def test_every_template_item_says_where_the_site_covers_it(built_site):
    html = page(built_site.site, "template")
    rows = re.findall(r"<tr>\s*(.*?)</tr>", html, re.S)
    items = [row for row in rows if "<td" in row]
    assert len(items) > 40
    for row in items:
        last = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[-1]
        assert "<a " in last, row


def _arrows(svg_text: str) -> list[tuple[str, str]]:
    """(edge id, the step number drawn on it) for every numbered arrow of one picture."""
    root = ET.fromstring(svg_text)
    found = []
    for group in root.iter(f"{SVG}g"):
        if "edge" in group.get("class", "").split() and "-step-" in group.get("id", ""):
            numbers = [t.text for t in group.iter(f"{SVG}text") if "blueprint-step-number" in t.get("class", "")]
            found.append((group.get("id"), "".join(numbers)))
    return sorted(found)


def test_every_standalone_picture_is_the_picture_on_its_page(built_site, catalogue):
    """What "open the picture on its own" opens: a whole SVG, arrow for arrow the inlined one."""
    site = built_site.site
    for name, picture in catalogue.pictures.items():
        published = site / picture.site_path
        data = published.read_bytes()
        assert len(data) > 500, (name, len(data))
        standalone = data.decode("utf-8")
        root = ET.fromstring(standalone)  # well-formed, or this raises
        assert root.tag == f"{SVG}svg", name
        html = page(site, f"systems/{picture.system.id}")
        start = html.index(f'<figure class="blueprint-figure" id="{picture.id}-figure"')
        inline = html[html.index("<svg", start): html.index("</svg>", start) + len("</svg>")]
        assert _arrows(standalone) == _arrows(inline), name
        if picture.stage is not None:
            expected = sorted(
                (f"{picture.id}-{suffix}", str(step.number)) for step in picture.stage.steps for suffix, _ in step.arrows()
            )
            assert _arrows(standalone) == expected, name
        # the figure's link opens exactly this file
        link = re.search(r'<a href="([^"]+)">open the picture on its own</a>', html[start:]).group(1)
        assert (site / "systems" / link).resolve() == published.resolve(), (name, link)


def test_the_whole_site_prints_as_one_page_with_every_picture(built_site, catalogue):
    """print_page.html, linked from the home page, holds every system's pictures; their
    icons resolve from the site root (checked for every page by the icon test above)."""
    html = page(built_site.site, "print_page")
    for picture in catalogue.pictures.values():
        assert f'id="{picture.id}-figure"' in html, picture.id
    assert 'xlink:href="../' not in html
    assert "css/print-site.css" in html  # its own stylesheet; no other page loads it
    others = [path for path in built_site.site.rglob("*.html") if path.name != "print_page.html"]
    assert [path.name for path in others if "print-site" in path.read_text(encoding="utf-8")] == []
    assert '<a href="print_page.html">' in page(built_site.site, "index")


FIRST_VISIT_BUDGET = 130 * 1024  # gzip bytes; benchmarks/page_weight.py measures the same in chromium


def test_a_system_page_s_first_visit_stays_within_its_budget(built_site, catalogue):
    """Everything a system page's HTML asks for (stylesheets, scripts, icons, favicon),
    gzipped: what a reader with an empty cache downloads before using search."""
    import gzip

    site = built_site.site
    weights = {}
    for system in catalogue.systems.values():
        html_file = site / "systems" / f"{system.id}.html"
        html = html_file.read_text(encoding="utf-8")
        linked = set(re.findall(r'<link rel="(?:stylesheet|icon)" href="([^"]+)"', html))
        linked |= set(re.findall(r'<script src="([^"]+)"', html))
        linked |= set(re.findall(r'<image xlink:href="([^"]+)"', html))
        files = [html_file] + [(html_file.parent / url).resolve() for url in linked if "://" not in url]
        weights[system.id] = sum(len(gzip.compress(path.read_bytes(), 9)) for path in files)
    assert min(weights.values()) > 60 * 1024, weights  # the theme's CSS and JS alone weigh this much
    assert {name: size for name, size in weights.items() if size > FIRST_VISIT_BUDGET} == {}, weights


def test_pictures_have_no_links_without_an_address_and_icons_are_webp(built_site, catalogue):
    """An <a> with no href is a link a crawler cannot follow (Lighthouse's SEO audit); the
    browser gets the icons as WebP, lighter than the PNG Graphviz lays out with."""
    from PIL import Image

    site = built_site.site
    for html_file in [*(site / "systems").glob("*.html"), site / "print_page.html"]:
        text = html_file.read_text(encoding="utf-8")
        for svg in re.findall(r'<svg\b[^>]*class="blueprint-svg".*?</svg>', text, re.S):
            for tag, attrs in Tags(svg).tags:
                if tag == "a":
                    assert attrs.get("href") or attrs.get("xlink:href"), (html_file.name, attrs)
        for tag, attrs in Tags(text).tags:
            if tag == "image":
                assert attrs["xlink:href"].endswith(".webp"), (html_file.name, attrs)
    icons = sorted((site / "assets/blueprint/icons").iterdir())
    assert icons and all(icon.suffix == ".webp" for icon in icons)
    for icon in icons:
        with Image.open(icon) as image:
            assert image.format == "WEBP" and image.mode in ("RGB", "RGBA") and image.width >= 64, icon.name
    pngs = [catalogue.icons / (icon.stem + ".png") for icon in icons]
    assert all(png.is_file() for png in pngs)  # Graphviz keeps laying out with the PNG
    assert sum(icon.stat().st_size for icon in icons) < 0.7 * sum(png.stat().st_size for png in pngs)
