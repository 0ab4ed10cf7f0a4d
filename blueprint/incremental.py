"""Incremental rebuilds for `mkdocs serve --dirty` (what `./run serve` runs).

A dirty build rebuilds a page only when its Markdown file is newer than its HTML. Here a
page also counts as changed when something it shows from outside docs/ changed: a
picture, API or capacity table of a system it marks (`<!-- blueprint: <id>/... -->`),
the systems table (`<!-- blueprint: systems -->`: titles, summaries, path titles) or a
concept page's "Used in these designs" list (component labels), so that saving a diagram
script rebuilds the pages that show what changed and nothing else. When a change can
reach pages no marker names (a snippet any page may include; a system added, removed or
retitled, a component kind changed; a page added, removed or retitled, which every
page's navigation shows), every page is rebuilt, as is the first build of a process and
the build after one that failed (its pages may never have been written).

A page or file the last build published and this one does not (a deleted page, a
deleted system's pictures) is removed from the site, and its entries from the search
index.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

_MARKER = re.compile(r"<!--\s*blueprint:\s*([a-z0-9_]+)/")
_SYSTEMS_TABLE = re.compile(r"<!--\s*blueprint:\s*systems\s*-->")


class Changes:
    def __init__(self) -> None:
        self.enabled = False
        self.everything = True  # the last build redid every page
        self._systems: dict[str, str] | None = None  # None: no successful build yet in this process
        self._outline = ""
        self._snippets = ""
        self._generated: dict[str, str] = {}  # page -> what the engine adds to it beyond its markers
        self._shows: dict[str, set[str]] = {}  # page -> the systems it marks
        self._tables: set[str] = set()  # pages with the systems table
        self._published: dict[str, str] = {}  # dest_uri -> url (pages) or "" (other files), last build
        self._pending: tuple | None = None  # this build's state, kept once it succeeds
        self.removed: list[str] = []  # dest_uris the last build published and this one does not

    def record(self, src_uri: str, markdown: str) -> None:
        """Called with each page's Markdown as it is built: which systems it shows."""
        self._shows[src_uri] = set(_MARKER.findall(markdown))
        if _SYSTEMS_TABLE.search(markdown):
            self._tables.add(src_uri)
        else:
            self._tables.discard(src_uri)

    def mark(self, files, catalogue, root: Path, generated) -> set[str]:
        """Mark the pages this build must redo (beyond edited Markdown); returns their src_uris.

        `generated(src_uri)` is what the engine adds to that page from the scripts
        besides its markers (a concept page's "Used in these designs")."""
        systems = {system_id: _system_digest(system, catalogue, root) for system_id, system in catalogue.systems.items()}
        pages = [file for file in files.documentation_pages()]
        # What every page's navigation shows, and which systems and component kinds exist.
        outline = repr((
            sorted((s.id, s.title, sorted({c.kind for c in s.components.values()})) for s in catalogue.systems.values()),
            [(file.src_uri, _title(file)) for file in pages],
        ))
        table = repr(sorted(
            (s.id, s.title, s.summary, [path.title for path in s.paths.values()]) for s in catalogue.systems.values()
        ))
        added = {file.src_uri: generated(file.src_uri) for file in pages}
        snippets = _tree_digest(root / "snippets")
        self.everything = self._systems is None or outline != self._outline or snippets != self._snippets
        if self.everything:
            forced = {file.src_uri for file in pages}
        else:
            changed = {system_id for system_id, digest in systems.items() if self._systems.get(system_id) != digest}
            table_changed = table != self._generated.get("", "")
            forced = {
                file.src_uri for file in pages
                if self._shows.get(file.src_uri, set()) & changed
                or (table_changed and file.src_uri in self._tables)
                or added[file.src_uri] != self._generated.get(file.src_uri)
            }
        for file in pages:
            if file.src_uri in forced:
                file.is_modified = lambda: True
        published = {file.dest_uri: (file.url if file.is_documentation_page() else "") for file in files}
        self.removed = sorted(set(self._published) - set(published))
        self._pending = (systems, outline, snippets, {"": table, **added}, published)
        return forced

    def removed_urls(self) -> list[str]:
        """The URLs of the pages the last build published and this one does not."""
        return [self._published[dest] for dest in self.removed if self._published[dest]]

    def succeeded(self) -> None:
        """The build finished: what it saw is what the next one compares with. After a
        build that failed, nothing is kept, and the next build redoes every page."""
        if self._pending is not None:
            self._systems, self._outline, self._snippets, self._generated, self._published = self._pending
        self._pending = None

    def failed(self) -> None:
        self._systems = None
        self._pending = None


def forget_search_entries(config, page_url: str) -> None:
    """Material keeps the last build's search index and, in a dirty build, replaces the
    entries of one rebuilt page; drop each rebuilt page's old entries, so that several
    rebuilt pages are not listed twice."""
    search = config.plugins.get("material/search")
    previous = getattr(search, "search_index_prev", None)
    if previous is not None:
        # this page's entries only: "a.html" and "a.html#section", not "a.html2"
        previous.entries = [
            entry for entry in previous.entries
            if entry["location"] != page_url and not entry["location"].startswith(page_url + "#")
        ]


def _system_digest(system, catalogue, root: Path) -> str:
    digest = hashlib.sha256()
    script = root / system.source  # relative to the project
    digest.update(script.read_bytes() if script.is_file() else system.source.encode())
    for picture in catalogue.pictures.values():
        if picture.system is system:
            digest.update(picture.svg.encode())
    digest.update(repr(catalogue.capacities.get(system.id)).encode())
    return digest.hexdigest()


def _title(file) -> str:
    """A Markdown page's first heading: the navigation shows it on every page."""
    if not file.src_uri.endswith(".md") or not file.abs_src_path:
        return ""
    with open(file.abs_src_path, encoding="utf-8") as text:
        return next((line.strip() for line in text if line.startswith("# ")), "")


def _tree_digest(folder: Path) -> str:
    """Names, sizes and modification times: cheap, and enough to notice a save."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()
