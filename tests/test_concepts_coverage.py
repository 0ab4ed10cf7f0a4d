"""Every building block the pictures draw has a concept page, and the template points to it.

A component kind that names a concept must link somewhere real; a system page must never
say "(no page yet)"; every item of the template links where the site covers it.
"""

from __future__ import annotations

import re
from pathlib import Path

from blueprint.kinds import CONCEPT_PAGES, KINDS

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

def test_every_kind_concept_has_an_existing_page():
    missing = {
        kind: kind_.concept
        for kind, kind_ in KINDS.items()
        if kind_.concept and not (kind_.concept in CONCEPT_PAGES and (DOCS / CONCEPT_PAGES[kind_.concept]).is_file())
    }
    assert missing == {}, f"kinds whose concept has no page under docs/ (add it to CONCEPT_PAGES): {missing}"


def test_every_concept_page_is_in_the_navigation_and_the_concepts_index():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    index = (DOCS / "concepts" / "index.md").read_text(encoding="utf-8")
    for page in sorted(set(CONCEPT_PAGES.values())):
        assert page in nav, f"{page} is not in mkdocs.yml's nav"
        assert f"]({page.removeprefix('concepts/')})" in index, f"{page} is not listed in docs/concepts/index.md"


def concepts_used_here(html: str) -> str:
    """The generated "Concepts used here" section of a built system page."""
    start = html.index('id="concepts-used-here"')
    end = html.find("<h2", start)
    return html[start : end if end != -1 else len(html)]


def test_no_system_page_lists_a_concept_without_a_page(built_site):
    pages = sorted(p for p in (built_site.site / "systems").rglob("*.html") if p.stem != "index")
    assert len(pages) >= 10, pages
    offenders = [p.stem for p in pages if "no page yet" in p.read_text(encoding="utf-8")]
    assert offenders == [], f"system pages with a concept that has no page: {offenders}"
    # The section links the building blocks (the site may use directory or .html URLs).
    pastebin = next(p for p in pages if p.stem == "pastebin" or p.parent.name == "pastebin")
    section = concepts_used_here(pastebin.read_text(encoding="utf-8"))
    for page in ("dns", "cdn", "load_balancer", "sql_at_scale", "storage"):
        assert re.search(rf'href="[./]*concepts/{page}(\.html|/)"', section), page


def template_rows(text: str) -> dict[str, str]:
    """Each table row of the template: its first cell (the item) -> the whole row."""
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2 and not set(cells[0]) <= set("-: "):
            rows[cells[0]] = line
    return rows


def test_every_template_item_links_where_the_site_covers_it():
    text = (DOCS / "template.md").read_text(encoding="utf-8")
    rows = template_rows(text)
    assert len(rows) > 40
    uncovered = sorted(item for item, row in rows.items() if item not in ("Item", "Component") and "](" not in row.split("|")[-2])
    assert uncovered == [], f"template rows that link nowhere: {uncovered}"
    assert "not yet covered" not in text


BUILDING_BLOCKS = (
    "dns", "cdn", "load_balancer", "reverse_proxy", "application_layer", "sql_at_scale", "nosql",
    "storage", "search_index", "message_queue", "processing", "cache_patterns", "protocols",
    "cloud_patterns", "coordination", "reliability", "observability", "deployment", "security",
)


def test_template_links_every_building_block_page():
    text = (DOCS / "template.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(concepts/([a-z_]+)\.md", text))
    assert sorted(set(BUILDING_BLOCKS) - linked) == []
    assert all((DOCS / "concepts" / f"{name}.md").is_file() for name in BUILDING_BLOCKS)
