"""MkDocs hooks: render changed diagrams before each build, and put them on the pages.

Listed under `hooks:` in mkdocs.yml. `watch:` there covers diagrams/ and snippets/,
so `mkdocs serve` re-renders an edited script and reloads the browser. Nothing is
written into docs/ (that would retrigger the watcher): pictures and icons reach the
site as generated files.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from blueprint import sql_pages
from blueprint.build import Catalogue, build
from blueprint.model import BlueprintError
from blueprint.pages import ICONS, expand, resolve_concept_links, unplaced

log = logging.getLogger("mkdocs.hooks.blueprint")

_catalogue = Catalogue()
_placed: set[str] = set()


def project_root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def cache_folder(root: Path) -> Path:
    return Path(os.environ.get("BLUEPRINT_CACHE", root / ".cache" / "blueprint"))


def on_config(config):
    """Every page in docs/systems/ joins the nav's Systems section, ordered by title, so
    adding a system means adding a script and a page, and never editing mkdocs.yml."""
    docs = Path(config.docs_dir)
    for entry in config.nav or []:
        if isinstance(entry, dict) and "Systems" in entry:
            listed = {item if isinstance(item, str) else next(iter(item.values())) for item in entry["Systems"]}
            pages = [page for page in sorted((docs / "systems").glob("*.md")) if f"systems/{page.name}" not in listed]
            found = [{_page_title(page): f"systems/{page.name}"} for page in pages]
            entry["Systems"] = entry["Systems"] + sorted(found, key=lambda item: next(iter(item)).lower())
    return config


def on_pre_build(config) -> None:
    global _catalogue
    root = project_root(config)
    _placed.clear()
    try:
        _catalogue = build(root, cache_folder(root))
    except BlueprintError as error:
        raise PluginError(f"blueprint: {error}") from None
    log.info("blueprint: rendered %d of %d pictures", _catalogue.rendered, len(_catalogue.pictures))


def on_files(files, config):
    pictures = [File.generated(config, picture.site_path, content="") for picture in _catalogue.pictures.values()]
    for file in pictures:
        files.append(file)
    for file, picture in zip(pictures, _catalogue.pictures.values()):
        # a standalone picture links components to concept pages relative to itself
        file.content = resolve_concept_links(picture.svg, _linker(files, file))
    used = {name for picture in _catalogue.pictures.values() for name in _icon_names(picture.svg)}
    for name in sorted(used):
        files.append(File.generated(config, f"{ICONS}/{name}", abs_src_path=str(_catalogue.icons / name)))
    return files


def on_page_markdown(markdown, page, config, files):
    # SQL result markers become Markdown tables, so they must be expanded before conversion.
    try:
        return sql_pages.expand(markdown, project_root(config), page=f"docs/{page.file.src_uri}")
    except BlueprintError as error:
        raise PluginError(f"blueprint: {error}") from None


def _linker(files, origin: File):
    """link_to(src_uri): the URL of that page relative to `origin`, or None if it does not exist."""

    def link_to(src_uri: str) -> str | None:
        target = files.get_file_from_path(src_uri)
        return None if target is None else target.url_relative_to(origin)

    return link_to


def on_page_content(html, page, config, files):
    try:
        return expand(html, page.file.src_uri, page.file.dest_uri, _catalogue, _placed, _linker(files, page.file))
    except BlueprintError as error:
        raise PluginError(f"blueprint: {error}") from None


def on_post_build(config) -> None:
    missing = unplaced(_catalogue, _placed)
    if missing:
        raise PluginError(
            "blueprint: no page shows " + ", ".join(missing)
            + " (add a marker such as <!-- blueprint: " + missing[0] + " --> to the system's page)"
        )


def _page_title(page: Path) -> str:
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return page.stem.replace("_", " ").title()


def _icon_names(svg: str) -> set[str]:
    import re

    return set(re.findall(r'xlink:href="\.\./icons/([^"]+)"', svg))
