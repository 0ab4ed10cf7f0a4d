"""Pages: a marker in Markdown becomes the picture, its numbered steps and its notes.

    <!-- blueprint: pastebin/write -->     a path: picture, steps, notes
    <!-- blueprint: pastebin/schema -->    the ERD and the relationships it shows
    <!-- blueprint: systems -->            a table of every system, from the scripts

Markers are HTML comments, so the Markdown still reads cleanly on GitHub. The picture
is inlined as <svg> (so CSS can theme it and scripts can highlight a step); its icons
are shared files, linked relative to the page so they load over http and from file://.
"""

from __future__ import annotations

import html
import math
import posixpath
import re
from typing import Callable

import markdown

from blueprint import api
from blueprint.build import Catalogue, Picture
from blueprint.capacity import capacity_html
from blueprint.kinds import CONCEPT_PAGES, KINDS, TECHNOLOGY_PAGES, concept_page
from blueprint.model import BlueprintError, System, locate
from blueprint import render
from blueprint.render import CONCEPT_LINK, ICON_HREF

MARKER = re.compile(r"<!--\s*blueprint:\s*(?P<name>[^\s]+)\s*-->")
ICONS = "assets/blueprint/icons"
_SVG_OPEN = re.compile(r"<svg\b([^>]*)>")
_CONCEPT_HREF = re.compile(re.escape(f'xlink:href="{CONCEPT_LINK}') + r'([a-z0-9_]+)"')


def expand(
    page_html: str,
    page_path: str,
    page_dest: str,
    catalogue: Catalogue,
    placed: set[str],
    link_to: Callable[[str], str | None],
) -> str:
    """Replace every marker on one page; unknown markers stop the build.

    `link_to("systems/pastebin.md")` is the URL of that page relative to this one, or
    None if there is no such page.
    """

    _refuse_near_misses(page_html, page_path, catalogue)
    here: set[str] = set()

    def replace(match: re.Match) -> str:
        name = match.group("name")
        if name in here:
            raise BlueprintError(f"docs/{page_path}: the marker '{name}' appears twice; a picture is shown once a page")
        here.add(name)
        if name == "systems":
            return systems_table(catalogue, link_to)
        system_id, _, view = name.partition("/")
        system = catalogue.systems.get(system_id)
        if system is not None and view == "api" and system.endpoints:
            placed.add(name)
            url = posixpath.relpath(api.site_path(system), posixpath.dirname(page_dest) or ".")
            return api.api_html(system, url, lambda path_id, number: _step_anchor(catalogue, system, path_id, number))
        if system is not None and view == "capacity" and system.id in catalogue.capacities:
            placed.add(name)
            return capacity_html(system, catalogue.capacities[system.id])
        pictures = catalogue.shown_by(name)
        if not pictures:
            known = ", ".join(sorted(catalogue.markers())) or "none"
            raise BlueprintError(f"docs/{page_path}: the marker '{name}' names no picture (known: {known})")
        placed.add(name)
        return "".join(picture_html(picture, page_dest, link_to) for picture in pictures)

    return MARKER.sub(replace, page_html)


_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
# A comment that is all "blueprint" (or a misspelling) and one name: a marker written
# wrongly. A comment that merely mentions the word is prose.
_LOOKS_LIKE_MARKER = re.compile(r"\s*(?:blue\W*print|bleu\W*print|blue\W*prnt|bp)\s*:?\s*\S*\s*", re.I)


def _refuse_near_misses(page_html: str, page_path: str, catalogue: Catalogue) -> None:
    """A comment that was meant as a marker but is not one would silently show nothing."""
    names = catalogue.markers() | {"systems"}
    for comment in _COMMENT.finditer(page_html):
        if MARKER.fullmatch(comment.group(0)):
            continue
        body = comment.group(1)
        if _LOOKS_LIKE_MARKER.fullmatch(body) or any(name in body for name in names if "/" in name):
            raise BlueprintError(
                f"docs/{page_path}: '{comment.group(0).strip()}' looks like a blueprint marker but is not one; "
                "write it as <!-- blueprint: system/path -->"
            )


_FIGURE = re.compile(r"<!--\s*blueprint:\s*(?P<system>[a-z0-9_]+)/capacity#(?P<name>[^\s]*)\s*-->")


def quote_figures(markdown_text: str, page_path: str, catalogue: Catalogue) -> str:
    """`<!-- blueprint: pastebin/capacity#storage -->` in prose becomes the computed figure.

    Done on the Markdown, before it is converted: a comment that starts a line would
    otherwise be read as an HTML block and split its paragraph. A marker inside code (a
    fenced block or a `code span`) is an example of one, and stays as written."""

    def replace(match: re.Match) -> str:
        if match.group("system") is None:
            return match.group(0)  # code
        return _capacity_value(catalogue, page_path, match.group("system"), match.group("name"))

    return _CODE_OR_FIGURE.sub(replace, markdown_text)


_CODE_OR_FIGURE = re.compile(
    r"^[ \t]*(?P<fence>`{3,}|~{3,})[^\n]*\n.*?^[ \t]*(?P=fence)[`~]*[ \t]*$"  # a fenced block
    r"|^[ \t]*(?P<open>`{3,}|~{3,})[^\n]*\n.*\Z"  # a fence never closed runs to the end
    r"|(?P<ticks>`+)(?!`)[^\n]+?(?<!`)(?P=ticks)(?!`)"  # a code span
    r"|" + _FIGURE.pattern,
    re.M | re.S,
)


def _capacity_value(catalogue: Catalogue, page_path: str, system_id: str, name: str) -> str:
    results = {r["name"]: r["value"] for r in catalogue.capacities.get(system_id, {}).get("results", [])}
    if name not in results:
        known = ", ".join(results) or f"none: {system_id} declares no capacity"
        raise BlueprintError(f"docs/{page_path}: the marker '{system_id}/capacity#{name}' names no estimate (known: {known})")
    return f'<span class="blueprint-figure-value" data-quantity="{name}">{html.escape(results[name])}</span>'


def _step_anchor(catalogue: Catalogue, system: System, path_id: str, number: int) -> str | None:
    """The id of a step's line in its list, on the system's page."""
    for picture in catalogue.shown_by(f"{system.id}/{path_id}"):
        if any(step.number == number for step in picture.stage.steps):
            return f"{picture.id}-step-{number}-text"
    return None


def systems_table(catalogue: Catalogue, link_to: Callable[[str], str | None]) -> str:
    """Every system, linked to its page (docs/systems/<id>.md), with its script's summary."""
    rows = []
    for system in sorted(catalogue.systems.values(), key=lambda system: system.title.lower()):
        link = link_to(f"systems/{system.id}.md")
        if link is None:
            raise BlueprintError(f"{system.source}: the system has no page; add docs/systems/{system.id}.md")
        views = ", ".join(path.title.lower() for path in system.paths.values())
        rows.append(
            f'<tr><td><a href="{link}">{html.escape(system.title)}</a></td>'
            f"<td>{_inline(system.summary, system.source, link_to)}</td><td>{html.escape(views)}</td></tr>"
        )
    return (
        '<table class="blueprint-systems">\n<thead><tr><th>System</th><th>In one line</th><th>Pictures</th></tr></thead>\n'
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
    )


def picture_html(picture: Picture, page_dest: str, link_to: Callable[[str], str | None] = lambda page: None) -> str:
    """The figure plus the text that goes with it: steps (and, after a path's last
    stage, its notes), or the relationships of a schema."""
    page_dir = posixpath.dirname(page_dest)
    figure = _figure(picture, page_dir, link_to)
    if picture.schema is not None:
        return figure + _relationships(picture)
    last_stage = picture.stage_number in (0, picture.stage_count)  # 0: the path is one picture
    return figure + _steps(picture, link_to) + (_notes(picture, link_to) if last_stage else "")


def resolve_concept_links(svg: str, link_to: Callable[[str], str | None]) -> str:
    """A component links to its kind's concept page, when the site has that page."""

    def resolve(match: re.Match) -> str:
        page = concept_page(match.group(1))
        url = link_to(page) if page else None
        return f'xlink:href="{html.escape(url)}"' if url else ""

    return _CONCEPT_HREF.sub(resolve, svg)


def _figure(picture: Picture, page_dir: str, link_to: Callable[[str], str | None]) -> str:
    system, prefix = picture.system, picture.id
    if picture.schema is not None:
        caption = f"{system.title}: database schema"
        alternative = f"{caption}; the tables and relationships are listed below the picture."
        described = f"{prefix}-relationships"
    else:
        steps = picture.stage.steps
        caption = f"{system.title}: {picture.path.title.lower()}"
        if picture.stage_number:
            caption += (
                f", stage {picture.stage_number} of {picture.stage_count}: {picture.stage.title}"
                f" (steps {steps[0].number}–{steps[-1].number})"
            )
        alternative = f"{caption}, drawn as numbered arrows. The steps:"
        described = f"{prefix}-steps"
    icons = posixpath.relpath(ICONS, page_dir or ".")
    svg = picture.svg.replace(ICON_HREF, f'xlink:href="{icons}/')
    svg = resolve_concept_links(svg, link_to)
    svg = _SVG_OPEN.sub(
        lambda match: (
            f'<svg{match.group(1)} class="blueprint-svg" role="img" data-search-exclude="" '
            f'aria-labelledby="{prefix}-alt {described}"><title id="{prefix}-alt">{html.escape(alternative)}</title>'
        ),
        svg,
        count=1,
    )
    # Links inside a picture are for pointing: the same pages are linked in the text, and
    # the picture is one image to a screen reader, so they are no Tab stops.
    svg = svg.replace("<a ", '<a tabindex="-1" ')
    standalone = posixpath.relpath(picture.site_path, page_dir or ".")
    return (
        f'<figure class="blueprint-figure" id="{prefix}-figure" data-picture="{prefix}" '
        f'style="--blueprint-readable: {_readable_width(picture.svg)}px">\n'
        # focusable, so that a keyboard can scroll a picture wider than the screen
        f'<div class="blueprint-picture" tabindex="0" role="group" aria-label="{html.escape(caption)}, scrollable">{svg}</div>\n'
        f'<figcaption>{html.escape(caption)} · <a href="{standalone}">open the picture on its own</a>{_legend(picture)}</figcaption>\n'
        f"</figure>\n"
    )


SMALLEST_LABEL_PX = 9  # no label may be drawn smaller than this, on any screen


def _readable_width(svg: str) -> int:
    """The narrowest the picture may be shown with its 12 pt labels at SMALLEST_LABEL_PX
    or more; a narrower screen scrolls the picture sideways instead of shrinking it."""
    match = re.search(r'<svg\b[^>]*\bwidth="([\d.]+)pt"', svg)
    natural_px = float(match.group(1)) * 4 / 3 if match else 0
    return math.ceil(natural_px * SMALLEST_LABEL_PX / (render.LABEL_FONT_PT * 4 / 3))


def _legend(picture: Picture) -> str:
    """What the picture's line styles mean, for the conventions it uses."""
    if picture.stage is None:
        return ""
    steps = picture.stage.steps
    shown = []
    if any(step.when for step in steps):
        shown.append("a dashed arrow happens only when its step says so")
    if picture.system.connections_between(picture.path.components(steps)):
        shown.append("a thick, unnumbered line with two heads is a persistent two-way connection")
    if any(step.transaction for step in steps):
        shown.append("brown arrows are the steps of one transaction or saga")
    if not shown:
        return ""
    return '<span class="blueprint-legend">Key: ' + "; ".join(shown) + ".</span>"


def _steps(picture: Picture, link_to: Callable[[str], str | None]) -> str:
    system, prefix = picture.system, picture.id
    steps = picture.stage.steps
    items = []
    for index, step in enumerate(steps):
        targets = ", ".join(system.components[target].label for target in step.targets)
        route = f"{system.components[step.source].label} → {targets}"
        condition = f'<em class="blueprint-when">{html.escape(step.when)}:</em> ' if step.when else ""
        components = " ".join(dict.fromkeys((step.source, *step.targets)))
        transaction = ""
        if step.transaction is not None:
            transaction = f' class="blueprint-in-transaction" data-transaction="{html.escape(step.transaction)}"'
            if index == 0 or steps[index - 1].transaction != step.transaction:
                run = [other.number for other in steps if other.transaction == step.transaction]
                transaction += (
                    f'><span class="blueprint-transaction-title">Steps {run[0]}–{run[-1]}, one transaction or saga: '
                    f"{html.escape(step.transaction)}</span"
                )
        items.append(
            f'<li id="{prefix}-step-{step.number}-text" data-step="{step.number}" data-components="{components}"'
            f'{transaction}><span class="blueprint-route">{html.escape(route)}</span> {condition}{_inline(step.text, locate(system.source, picture.path.id, step.number), link_to)}</li>'
        )
    return (
        f'<ol class="blueprint-steps" id="{prefix}-steps" data-picture="{prefix}" start="{steps[0].number}">\n'
        + "\n".join(items)
        + "\n</ol>\n"
        + _connections(picture)
    )


def _connections(picture: Picture) -> str:
    """The persistent connections drawn in this picture, named under its steps."""
    system = picture.system
    shown = system.connections_between(picture.path.components(picture.stage.steps))
    if not shown:
        return ""
    items = "\n".join(
        f"<li>{html.escape(system.components[a].label)} ↔ {html.escape(system.components[b].label)}: "
        f"{html.escape(connection.label)}</li>"
        for connection in shown
        for a, b in [connection.ends]
    )
    return (
        f'<p class="blueprint-connections-title" id="{picture.id}-connections">Persistent two-way connections '
        "(the thick, unnumbered lines), over which the numbered steps travel:</p>\n"
        f'<ul class="blueprint-connections">\n{items}\n</ul>\n'
    )


def _notes(picture: Picture, link_to: Callable[[str], str | None]) -> str:
    """The path's notes: untitled ones first, then one list per theme, in declared order."""
    themes: dict[str | None, list[str]] = {}
    for note in picture.path.notes:
        themes.setdefault(note.theme, []).append(note.text)
    if not themes:
        return ""
    blocks = []
    for theme in sorted(themes, key=lambda theme: theme is not None):  # stable: keeps declared order
        items = "\n".join(
            f"<li>{_inline(text, f'{locate(picture.system.source, picture.path.id)}, a note', link_to)}</li>"
            for text in themes[theme]
        )
        heading = f"<p><strong>{html.escape(theme)}</strong></p>\n" if theme else ""
        blocks.append(f"{heading}<ul>\n{items}\n</ul>")
    return (
        '<div class="admonition note blueprint-notes">\n<p class="admonition-title">Notes</p>\n'
        + "\n".join(blocks)
        + "\n</div>\n"
    )


def _relationships(picture: Picture) -> str:
    schema = picture.schema
    items = []
    for relationship in schema.relationships():
        one, other = (f"<code>{html.escape(name)}</code>" for name in (relationship.one, relationship.other))
        through = f"<code>{html.escape(relationship.through)}</code>"
        if relationship.cardinality == "many-to-many":
            sentence = f"{one} and {other} are <strong>many-to-many</strong>, through the join table {through}."
        elif relationship.cardinality == "1-to-1":
            sentence = f"{one} to {other} is <strong>1-to-1</strong>, through the unique key {through}."
        else:
            sentence = f"{one} to {other} is <strong>1-to-many</strong>, through {through}."
        items.append(f'<li data-relationship="{html.escape(str(relationship))}">{sentence}</li>')
    return f'<ul class="blueprint-relationships" id="{picture.id}-relationships">\n' + "\n".join(items) + "\n</ul>\n"


def _inline_markdown() -> markdown.Markdown:
    """Markdown for one line of step or note text: code, emphasis and links, nothing else.

    Raw HTML, entities, images and block syntax (headings, lists, quotes) are switched
    off, so `<img onerror=…>` or `# x` in a script reaches the reader as the text it is.
    """
    md = markdown.Markdown()
    for name in ("html", "entity", "image_link", "image_reference", "short_image_ref", "automail", "reference", "short_reference"):
        md.inlinePatterns.deregister(name)
    for name in ("empty", "indent", "code", "hashheader", "setextheader", "hr", "olist", "ulist", "quote", "reference"):
        md.parser.blockprocessors.deregister(name)
    md.preprocessors.deregister("html_block")
    return md


_MARKDOWN = _inline_markdown()
_MARKUP = re.compile(r"[`*_\[\]<>&\\!]")
_PAGE_LINK = re.compile(r"^(?P<page>[\w-][\w./-]*\.md)(?P<anchor>#[\w-]*)?$")


def _inline(text: str, where: str = "", link_to: Callable[[str], str | None] = lambda page: None) -> str:
    """Step and note text may use inline Markdown (code, emphasis, links); nothing else
    is markup. A link goes to an http(s) address, or to a page of this site written
    relative to docs/ (`concepts/trie.md#top-k`), which is checked and made relative
    to the page that shows the text."""
    if not _MARKUP.search(text):
        return html.escape(text, quote=False)  # plain text, the common case: skip the parser
    rendered = _MARKDOWN.reset().convert(text)

    def resolve(match: re.Match) -> str:
        href = html.unescape(match.group(1))
        if re.match(r"^https?://\S+$", href):
            return match.group(0)
        page = _PAGE_LINK.match(href)
        url = link_to(page.group("page")) if page else None
        if url is None:
            raise BlueprintError(
                f"{where or 'a text'}: the link '{href}' is neither an http(s) address nor a page of this site "
                "(write pages relative to docs/, e.g. concepts/trie.md)"
            )
        anchor = page.group("anchor") or ""
        if anchor and hasattr(link_to, "anchors"):  # checked once every page is built
            link_to.anchors.append((where or "a text", page.group("page"), anchor[1:]))
        return f'<a href="{html.escape(url + anchor)}"'

    rendered = re.sub(r'<a href="([^"]*)"', resolve, rendered)
    return rendered.removeprefix("<p>").removesuffix("</p>")


def concepts_section(system: System, page_exists: Callable[[str], bool]) -> str:
    """'Concepts used here', in Markdown, from the kinds of the system's components.

    Linked concepts have a page; the others are listed as not covered yet, not hidden.
    """
    used: dict[str, list[str]] = {}
    for component in system.components.values():
        concept = KINDS[component.kind].concept
        if concept:
            used.setdefault(concept, []).append(component.label)
        for technology, (_, kinds) in TECHNOLOGY_PAGES.items():
            if component.kind in kinds:
                used.setdefault(technology, []).append(component.label)
    if not used:
        return ""
    pages = {**CONCEPT_PAGES, **{name: page for name, (page, _) in TECHNOLOGY_PAGES.items()}}
    rows = []
    for concept in sorted(used, key=str.lower):
        page = pages.get(concept)
        name = f"[{concept}](../{page})" if page and page_exists(page) else f"{concept} *(no page yet)*"
        rows.append(f"| {name} | {_table_cell(', '.join(used[concept]))} |")
    return (
        "\n\n## Concepts used here\n\n"
        f"Generated from the components declared in `{system.source}`.\n\n"
        "| Concept | Components in this design |\n| --- | --- |\n" + "\n".join(rows) + "\n"
    )


def used_by_section(concept_page_path: str, catalogue: Catalogue) -> str:
    """'Used in these designs', in Markdown: every system with a component of this concept."""
    concepts = {name for name, page in CONCEPT_PAGES.items() if page == concept_page_path}
    kinds = {kind for page, kinds in TECHNOLOGY_PAGES.values() if page == concept_page_path for kind in kinds}
    rows = []
    for system in sorted(catalogue.systems.values(), key=lambda system: system.title.lower()):
        labels = [c.label for c in system.components.values() if KINDS[c.kind].concept in concepts or c.kind in kinds]
        if labels:
            rows.append(f"| [{_table_cell(system.title)}](../systems/{system.id}.md) | {_table_cell(', '.join(labels))} |")
    if not rows:
        return ""
    return (
        "\n\n## Used in these designs\n\n"
        "Generated from the components the system scripts declare.\n\n"
        "| System | Components |\n| --- | --- |\n" + "\n".join(rows) + "\n"
    )


def _table_cell(text: str) -> str:
    """Text from a script, made inert inside a Markdown table cell."""
    escaped = html.escape(text)
    return re.sub(r"([\\`*_\[\]|!#])", r"\\\1", escaped)


def unplaced(catalogue: Catalogue, placed: set[str]) -> list[str]:
    return sorted(catalogue.markers() - placed)
