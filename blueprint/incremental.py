"""Incremental rebuilds for `mkdocs serve --dirty` (what `./run serve` runs).

A dirty build rebuilds a page only when its Markdown file is newer than its HTML. Here a
page also counts as changed when something it shows from outside docs/ changed: a
picture, API or capacity table of a system it marks (`<!-- blueprint: <id>/... -->`), so
that saving a diagram script rebuilds that system's page and nothing else. When a change
can reach pages no marker names (a snippet any page may include; a system added, renamed
or given other components, which the systems table and the concept pages list; a page
added, removed or retitled, which every page's navigation shows), every page is rebuilt,
as is the first build of a process.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

_MARKER = re.compile(r"<!--\s*blueprint:\s*([a-z0-9_]+)/")


class Changes:
    def __init__(self) -> None:
        self.enabled = False
        self.everything = True  # the last build redid every page
        self._systems: dict[str, str] | None = None  # None: no build yet in this process
        self._outline = ""
        self._snippets = ""
        self._shows: dict[str, set[str]] = {}  # page -> the systems it marks

    def record(self, src_uri: str, markdown: str) -> None:
        """Called with each page's Markdown as it is built: which systems it shows."""
        self._shows[src_uri] = set(_MARKER.findall(markdown))

    def mark(self, files, catalogue, root: Path) -> set[str]:
        """Mark the pages this build must redo (beyond edited Markdown); returns their src_uris."""
        systems = {system_id: _system_digest(system, catalogue, root) for system_id, system in catalogue.systems.items()}
        pages = [file for file in files.documentation_pages()]
        # What every page's navigation, the systems table and the concept pages' lists show.
        outline = repr((
            sorted((s.id, s.title, s.summary, sorted({c.kind for c in s.components.values()})) for s in catalogue.systems.values()),
            [(file.src_uri, _title(file)) for file in pages],
        ))
        snippets = _tree_digest(root / "snippets")
        self.everything = self._systems is None or outline != self._outline or snippets != self._snippets
        if self.everything:
            forced = {file.src_uri for file in pages}
        else:
            changed = {system_id for system_id, digest in systems.items() if self._systems.get(system_id) != digest}
            forced = {file.src_uri for file in pages if self._shows.get(file.src_uri, set()) & changed}
        for file in pages:
            if file.src_uri in forced:
                file.is_modified = lambda: True
        self._systems, self._outline, self._snippets = systems, outline, snippets
        return forced


def forget_search_entries(config, page_url: str) -> None:
    """Material keeps the last build's search index and, in a dirty build, replaces the
    entries of one rebuilt page; drop each rebuilt page's old entries, so that several
    rebuilt pages are not listed twice."""
    search = config.plugins.get("material/search")
    if not page_url:
        return
    previous = getattr(search, "search_index_prev", None)
    if previous is not None:
        previous.entries = [entry for entry in previous.entries if not entry["location"].startswith(page_url)]


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
