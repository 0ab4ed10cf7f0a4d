"""MkDocs hooks: render changed diagrams before each build, and put them on the pages.

Listed under `hooks:` in mkdocs.yml. `watch:` there covers diagrams/ and snippets/,
so `mkdocs serve` re-renders an edited script and reloads the browser. Nothing is
written into docs/ (that would retrigger the watcher): pictures and icons reach the
site as generated files.
"""

from __future__ import annotations

import logging
import posixpath
import re
from contextlib import contextmanager
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from blueprint import api, deep_dive, flashcards, lighten, script_worker, site_search, sql_pages
from blueprint.build import Catalogue, build, cache_folder, check_published, engine_changed_on_disk
from blueprint.incremental import Changes, forget_search_entries
from blueprint.model import BlueprintError
from blueprint.notebook_pages import NotebookRunner
from blueprint.pages import ICONS, concepts_section, expand, quote_figures, resolve_concept_links, unplaced, used_by_section
from blueprint.render import icon_names

log = logging.getLogger("mkdocs.hooks.blueprint")
# Diagram scripts run in a worker process (so that a time limit can stop any of them);
# starting it now lets its start overlap MkDocs loading the theme and the plugins.
script_worker.prestart()
_notebooks = NotebookRunner()

_catalogue = Catalogue()
# page -> the markers it placed, as last built (a dirty rebuild keeps the others' from before)
_placed_by_page: dict[str, set[str]] = {}
_changes = Changes()
_deep = deep_dive.DeepDive()


def project_root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


@contextmanager
def _reported():
    """A mistake in a script, schema or marker stops the build with its message alone."""
    try:
        yield
    except BlueprintError as error:
        raise PluginError(f"blueprint: {error}") from None


class _KnownDirtyWarning(logging.Filter):
    """MkDocs warns on every dirty build that links may be stale; `_changes` rebuilds every
    page a change outside docs/ reaches, and strict mode would turn the notice into a failure."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


def on_shutdown():
    script_worker.stop()


def on_startup(command, dirty):
    _changes.enabled = dirty
    if dirty:
        logging.getLogger("mkdocs.commands.build").addFilter(_KnownDirtyWarning())


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
    global _catalogue, _deep
    root = project_root(config)
    _aside.clear()
    _anchor_links.clear()
    # mkdocs-jupyter keys its cache on the notebooks' bytes only (and keeps it relative
    # to the working directory); drop it when the snippets the notebooks import change.
    if "mkdocs-jupyter" in config.plugins:
        from blueprint import notebook_pages

        sources = notebook_pages.notebook_sources(root)
        notebook_pages.forget_stale_results(Path.cwd() / ".cache" / "mkdocs-jupyter", sources)
        try:
            _notebooks.start(config.plugins["mkdocs-jupyter"], Path(config.docs_dir))
        except ValueError as error:  # a bad BLUEPRINT_NOTEBOOK_* setting
            raise PluginError(f"blueprint: {error}") from None
    if engine_changed_on_disk():
        # This process still runs the old engine: drawing now would publish old pictures.
        raise PluginError(
            "blueprint: the engine's code in blueprint/ changed since this process started; "
            "restart `mkdocs serve` (or `./run serve`) to draw with the new code"
        )
    with _reported():
        _catalogue = build(root, cache_folder(root))
        _deep = deep_dive.prepare(_catalogue, cache_folder(root))
    log.info("blueprint: rendered %d of %d pictures", _catalogue.rendered, len(_catalogue.pictures))


def on_files(files, config):
    for picture in _catalogue.pictures.values():
        file = File.generated(config, picture.site_path, content="")
        # A standalone picture links components to concept pages relative to itself, so
        # its URL must exist before its content. MkDocs reads `content_string`; a plain
        # `content` attribute is silently ignored (that once published every picture empty).
        file.content_string = lighten.webp_icons(resolve_concept_links(picture.svg, _linker(files, file)))
        files.append(file)
    for system in _catalogue.systems.values():
        if system.endpoints:
            files.append(File.generated(config, api.site_path(system), content=api.openapi_json(system)))
    used = {name for picture in _catalogue.pictures.values() for name in icon_names(picture.svg)}
    for name in sorted(used):  # as WebP, lighter than the PNG Graphviz reads (blueprint/lighten.py)
        webp = lighten.webp_bytes(_catalogue.icons / name, cache_folder(project_root(config)) / "webp")
        files.append(File.generated(config, f"{ICONS}/{lighten.icon_name(name)}", content=webp))
    for system_id, svg in _deep.pictures.items():
        files.append(File.generated(config, deep_dive.site_path(system_id), content=svg))
    deck = flashcards.package(_catalogue, Path(config.docs_dir), project_root(config), config.site_url or "")
    files.append(File.generated(config, flashcards.SITE_PATH, content=deck))
    if _changes.enabled:
        forced = _changes.mark(files, _catalogue, project_root(config), lambda src: used_by_section(src, _catalogue))
        log.info("blueprint: %d pages rebuilt for changes outside their Markdown", len(forced))
        for url in _changes.removed_urls():  # a deleted page is no longer found by search
            forget_search_entries(config, url)
    pages = {file.src_uri for file in files.documentation_pages()}
    for gone in set(_placed_by_page) - pages:
        del _placed_by_page[gone]
    for gone in set(_page_ids) - pages:
        del _page_ids[gone]
    return files


def on_env(env, config, files):
    """Every page's Markdown is converted and nothing is written yet: the OpenAPI
    documents, validated meanwhile in another process, must pass before any is published."""
    with _reported():
        check_published(_catalogue)
    return env


def on_page_markdown(markdown, page, config, files):
    site_search.boost(page)
    _changes.record(page.file.src_uri, markdown)
    if page.file.src_uri.endswith(".ipynb"):
        try:
            _notebooks.wait(page.file.abs_src_path)
        except ValueError as error:
            raise PluginError(f"blueprint: docs/{page.file.src_uri}: {error}") from None
    # SQL result markers become Markdown tables, and figures join their paragraphs, so
    # both are expanded before conversion.
    with _reported():
        markdown = sql_pages.expand(markdown, project_root(config), page=f"docs/{page.file.src_uri}")
        markdown = quote_figures(markdown, page.file.src_uri, _catalogue)
        markdown = deep_dive.quote_load(markdown, page.file.src_uri, _deep)
    system = _catalogue.systems.get(page.file.src_uri.removeprefix("systems/").removesuffix(".md"))
    if system is not None and page.file.src_uri.startswith("systems/"):
        with _reported():
            markdown += deep_dive.section(system, _deep, _catalogue, posixpath.dirname(page.file.dest_uri))
        markdown += concepts_section(system, lambda src: files.get_file_from_path(src) is not None)
        markdown += flashcards.page_link()
    markdown += used_by_section(page.file.src_uri, _catalogue)
    return markdown


def _linker(files, origin: File):
    """link_to(src_uri): the URL of that page relative to `origin`, or None if it does not
    exist. Links to an anchor are noted in `link_to.anchors`, to be checked once the
    target page is built."""

    def link_to(src_uri: str) -> str | None:
        target = files.get_file_from_path(src_uri)
        return None if target is None else target.url_relative_to(origin)

    link_to.anchors = _anchor_links
    return link_to


# (where, page, anchor) of each link to an anchor in text from a script, this build
_anchor_links: list[tuple[str, str, str]] = []
# the ids each page has, as last built (a dirty rebuild keeps the others' from before)
_page_ids: dict[str, set[str]] = {}
_ID = re.compile(r'\sid="([^"]+)"')


def _check_anchor_links() -> None:
    problems = sorted({
        f"{where}: the link '{page}#{anchor}' names no heading or anchor on {page}"
        for where, page, anchor in _anchor_links
        if page in _page_ids and anchor not in _page_ids[page]
    })
    if problems:
        raise PluginError("blueprint: " + "\n".join(problems))


@event_priority(50)  # before print-site, which collects each page's finished HTML
def on_page_content(html, page, config, files):
    from blueprint import notebook_pages

    if notebook_pages.is_notebook_page(page):
        return site_search.exclude_notebook_code(html)
    with _reported():
        placed: set[str] = set()
        html = expand(html, page.file.src_uri, page.file.dest_uri, _catalogue, placed, _linker(files, page.file))
        _placed_by_page[page.file.src_uri] = placed
    return lighten.focusable_code(_PICTURE_SVG.sub(_set_aside, html))


# Between on_page_content and on_post_page, a page's pictures stand aside as comments: the
# search plugin and print-site parse every page's HTML with Python's html.parser and slow
# regular expressions, and the SVG markup is most of it (none of it is indexed or changed).
_PICTURE_SVG = re.compile(r'<svg\b[^>]*\bclass="blueprint-svg"[^>]*>.*?</svg>', re.DOTALL)
_ASIDE = re.compile(r"<!--blueprint-svg (\d+)-->")
_aside: list[str] = []


def _set_aside(match: re.Match) -> str:
    _aside.append(lighten.inline_svg(match.group(0)))
    return f"<!--blueprint-svg {len(_aside) - 1}-->"


def _put_back(html: str) -> str:
    return _ASIDE.sub(lambda match: _aside[int(match.group(1))], html)


# print-site adds its stylesheets and script to every page; only print_page.html uses them.
_PRINT_SITE_ASSETS = re.compile(r'<link rel="stylesheet" href="[^"]*css/print-site[\w-]*\.css">\n?|<script src="[^"]*js/print-site\.js"></script>\n?')


def on_post_template(output_content, template_name, config):
    """Static pages (404.html) do not load print-site's assets either."""
    return _PRINT_SITE_ASSETS.sub("", output_content)


def on_post_page(output, page, config):
    """Pages other than the print page lose print-site's assets; notebook pages also lose
    mkdocs-jupyter's inline JupyterLab CSS and CDN scripts."""
    from mkdocs.utils import get_relative_url

    from blueprint import notebook_pages

    if _changes.enabled:
        forget_search_entries(config, page.url)
    if not page.file.src_uri.startswith("print_page."):
        output = _PRINT_SITE_ASSETS.sub("", output)
    output = lighten.unused_stylesheets(_put_back(output))
    _page_ids[page.file.src_uri] = set(_ID.findall(output))
    if not notebook_pages.is_notebook_page(page):
        return output
    stylesheet = get_relative_url("assets/stylesheets/notebooks.css", page.url)
    try:
        return notebook_pages.lighten(output, stylesheet)
    except ValueError as error:
        raise PluginError(f"blueprint: {page.file.src_uri}: {error}") from None


@event_priority(-50)  # after print-site has written the one-page copy
def on_post_build(config) -> None:
    log.info("blueprint: executed %d of %d notebooks", _notebooks.executed, _notebooks.total)
    _check_anchor_links()
    _fix_print_page(Path(config.site_dir))
    lighten.publish_assets(Path(config.site_dir))
    if config.theme.name == "material" and "material/search" in config.plugins:
        try:
            site_search.defer_index_loading(Path(config.site_dir))
        except ValueError as error:
            raise PluginError(f"blueprint: {error}") from None
    if _changes.enabled:
        _remove_unpublished(Path(config.site_dir))
    # Every page's markers, as last built: an incremental build redid only some of them.
    missing = unplaced(_catalogue, set().union(*_placed_by_page.values()))
    if missing:
        lines = [
            f"docs/systems/{name.split('/')[0]}.md does not show {name}: add <!-- blueprint: {name} --> where it belongs"
            for name in missing
        ]
        raise PluginError("blueprint: " + "\n".join(lines))
    _changes.succeeded()


def on_build_error(error):
    _changes.failed()  # the next build redoes every page: this one may have written few


def _remove_unpublished(site: Path) -> None:
    """A page or file the last build published and this one does not (a deleted page, a
    deleted system's pictures) must not be served any more."""
    site = site.resolve()
    for dest in _changes.removed:
        target = (site / dest).resolve()
        if target.is_file() and site in target.parents:
            target.unlink()


def _page_title(page: Path) -> str:
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return page.stem.replace("_", " ").title()



def _fix_print_page(site: Path) -> None:
    """print-site copies each page's HTML into print_page.html at the site root and turns
    links between pages into #anchors. Three kinds of link need mending there: links inside
    pictures (icons, concept pages), relative to pages one folder down; code line-number
    anchors, whose ids print-site leaves alone (and which repeat from page to page); and
    links to pages the print page leaves out (the notebooks, the print page itself)."""
    page = site / "print_page.html"
    if not page.exists():
        return
    text = _put_back(page.read_text(encoding="utf-8")).replace('xlink:href="../', 'xlink:href="')
    ids = set(re.findall(r'\sid="([^"]+)"', text))

    def mend(match: re.Match) -> str:
        anchor = match.group(1)
        if anchor in ids:
            return match.group(0)
        if "__codelineno-" in anchor:
            return ""
        left_out = anchor.replace("-", "/") + ".html"
        if (site / left_out).is_file():
            return f' href="{left_out}"'
        return match.group(0)

    page.write_text(re.sub(r' href="#([^"]+)"', mend, text), encoding="utf-8")
