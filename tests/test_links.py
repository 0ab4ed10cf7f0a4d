"""Every internal link and #anchor in the built site resolves, including links inside pictures.

MkDocs' strict mode checks Markdown links only; it never looks inside raw HTML or SVG.
"""

from __future__ import annotations

from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse


class Links(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(name):
                self.ids.add(attrs[name])
        if tag == "a":
            for name in ("href", "xlink:href"):
                if attrs.get(name):
                    self.hrefs.append(attrs[name])


@cache
def parsed(path: Path) -> Links:
    return Links(path.read_text(encoding="utf-8"))


def test_every_internal_link_and_anchor_resolves(built_site):
    site = built_site.site.resolve()
    broken = []
    checked = 0
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html":
            continue  # root-absolute links, meant for a server's 404 handler
        for href in parsed(page).hrefs:
            url = urlparse(href)
            if url.scheme or href.startswith("//"):
                continue  # another site, mailto:, javascript:
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.exists() or site not in target.parents and target != site:
                broken.append(f"{page.relative_to(site)}: {href} (no such file)")
                continue
            if url.fragment and target.suffix == ".html" and unquote(url.fragment) not in parsed(target).ids:
                broken.append(f"{page.relative_to(site)}: {href} (no such anchor)")
    assert broken == []
    assert checked > 100  # the check really looked at the site's links
