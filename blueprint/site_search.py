"""Search: index prose rather than code, rank a concept's own page first, and load the
index only when the reader first uses search.

Material's search plugin indexes a page's HTML in `on_page_context`; elements marked
`data-search-exclude` are skipped, and `search.boost` in a page's metadata weighs it.
Material's bundle asks for the whole index (`search/search_index.json`, or `.js` from
file://, where it already waits for the search box to open) as every page loads;
`defer_index_loading` patches that one call so the index is fetched when the search box
is first focused (or already is), or at once when the URL carries `?q=`. The search
worker it starts on every page (12 KB gzip) is likewise created on its first message,
which comes only once the index is there.
"""

from __future__ import annotations

import re
from pathlib import Path

CONCEPT_BOOST = 3  # a concept's own page outranks pages that only mention it
NOTEBOOK_BOOST = 0.5  # measured pages repeat their concept's name in every heading

# Notebook HTML as mkdocs-jupyter writes it, before `notebook_pages.lighten` rewrites it.
# Material's indexer tells skipped elements apart by tag name only, so an excluded <div>
# stops being excluded at its first nested </div>: the marks go on elements that nest no
# element of their own kind (the code's <pre>, the copy button's text).
_NOT_PROSE = re.compile(r'(<div class="highlight-ipynb[^"]*">)<pre>|<span (?=class="notice")|<div (?=class="clipboard-copy-txt")|<svg ')


def _exclude(match: re.Match) -> str:
    if match.group(1):
        return match.group(1) + "<pre data-search-exclude>"
    return match.group(0) + "data-search-exclude=\"\" "


def boost(page) -> None:
    """Weigh concept pages up and notebook pages down (unless the page says otherwise)."""
    uri = page.file.src_uri
    if not uri.startswith("concepts/") or uri == "concepts/index.md":
        return
    search = page.meta.setdefault("search", {})
    if isinstance(search, dict):
        search.setdefault("boost", NOTEBOOK_BOOST if uri.startswith("concepts/notebooks/") else CONCEPT_BOOST)


def exclude_notebook_code(html: str) -> str:
    """Code cells, copy buttons and plots stay on the page but out of the index; prose
    and the cells' printed results are indexed."""
    return _NOT_PROSE.sub(_exclude, html)


# The one call in Material's bundle that loads the index: `X=document.forms.namedItem("search")?load():EMPTY`.
_LOAD_INDEX = re.compile(r'(\w+)=document\.forms\.namedItem\("search"\)\?(\w+)\(\):(\w+)')

# Where the bundle starts the search worker: `function Ei(e,t){let r=Mn(e);return L($(location.protocol!=="file:")…`.
_START_WORKER = re.compile(r'(function \w+\((\w+),\w+\)\{let \w+=\w+\()\2(\);return \w+\(\$\(location\.protocol!=="file:"\))')

_LAZY = (
    "var __blueprintLazyIndex=function(load,empty){return new empty.constructor(function(subscriber){"
    "var inner=null;function start(){if(inner)return;inner=load().subscribe(subscriber)}"
    "var box=document.querySelector('.md-search__input'),toggle=document.getElementById('__search');"
    "if(!box||/[?&]q=/.test(location.search)||document.activeElement===box||(toggle&&toggle.checked)){start()}"
    "else{box.addEventListener('focus',start,{once:true})}"
    "return function(){if(inner)inner.unsubscribe()}})};\n"
    # Stands in for the Worker until the first postMessage; RxJS's fromEvent only needs
    # add/removeEventListener.
    "var __blueprintLazyWorker=function(url){var worker=null,listeners=[];return{"
    "addEventListener:function(type,listener,options){listeners.push([type,listener,options]);"
    "if(worker)worker.addEventListener(type,listener,options)},"
    "removeEventListener:function(type,listener,options){if(worker)worker.removeEventListener(type,listener,options)},"
    "postMessage:function(message){if(!worker){worker=new Worker(url);"
    "listeners.forEach(function(l){worker.addEventListener(l[0],l[1],l[2])})}worker.postMessage(message)}}};\n"
)


def defer_index_loading(site_dir: Path) -> Path:
    """Patch Material's bundle in the built site; returns the file patched. Raises
    ValueError if the bundle no longer has the expected call (after a Material upgrade)."""
    bundles = sorted((site_dir / "assets" / "javascripts").glob("bundle.*.min.js"))
    if len(bundles) != 1:
        raise ValueError(f"expected one Material bundle in {site_dir}/assets/javascripts, found {len(bundles)}")
    bundle = bundles[0]
    code = bundle.read_text(encoding="utf-8")
    if code.startswith("var __blueprintLazyIndex="):
        return bundle  # already patched (a dirty rebuild)
    patched, count = _LOAD_INDEX.subn(r'\1=document.forms.namedItem("search")?__blueprintLazyIndex(\2,\3):\3', code)
    if count != 1:
        raise ValueError(
            f"{bundle.name}: the search index is loaded differently than blueprint/site_search.py expects "
            f"(found {count} matches); update _LOAD_INDEX for this version of Material"
        )
    patched, count = _START_WORKER.subn(r"\1\2,__blueprintLazyWorker(\2)\3", patched)
    if count != 1:
        raise ValueError(
            f"{bundle.name}: the search worker is started differently than blueprint/site_search.py expects "
            f"(found {count} matches); update _START_WORKER for this version of Material"
        )
    bundle.write_text(_LAZY + patched, encoding="utf-8")
    return bundle
