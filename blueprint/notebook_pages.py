"""Notebook pages: how their plots are drawn, and how their HTML is trimmed.

Notebooks call `use_site_plot_style()` first: figures become inline SVG in the page's
colours. mkdocs-jupyter wraps each notebook in ~590 KB of JupyterLab CSS, CDN loaders for
Mermaid and MathJax, and its own copy buttons; `lighten` (called by the on_post_page hook)
removes them, turns code cells into Material code blocks and links notebooks.css instead.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Plots are inline SVG. Everything matplotlib draws in INK (text, axes, ticks) is turned
# into the page's text colour by notebooks.css, so one SVG reads well on the light and
# the dark scheme. Data series use mid-tone colours that keep 3:1 contrast on both.
INK = "#000000"
SERIES_COLOURS = ["#3b82f6", "#d97706", "#059669", "#dc2626", "#a855f7", "#6b7280"]

PLOT_STYLE = {
    "svg.fonttype": "none",  # text stays text: smaller, crisp, in the page's font
    "svg.hashsalt": "blueprint",  # stable ids, so a rebuild gives the same bytes
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.transparent": True,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#9ca3af",
    "grid.alpha": 0.35,
    "legend.frameon": False,  # a frame would be a white box on the dark scheme
    "figure.figsize": (7.0, 3.6),
    "font.size": 10,
    "font.sans-serif": ["DejaVu Sans"],  # one name per text element; notebooks.css uses the page's font
}


def use_site_plot_style() -> None:
    """Call once at the top of a notebook: figures become inline SVG, styled for the site."""
    import matplotlib as mpl
    from cycler import cycler
    from IPython import get_ipython
    from matplotlib.figure import Figure

    shell = get_ipython()
    if shell is not None:
        # Set up the inline backend now: left to itself it would do so after this cell,
        # and register its own PNG output over ours.
        shell.run_line_magic("matplotlib", "inline")
    mpl.rcParams.update({**PLOT_STYLE, "axes.prop_cycle": cycler(color=SERIES_COLOURS)})
    if shell is None:
        return
    # Shown as HTML holding the SVG itself, not as an <img>: only inline SVG can take the
    # page's colours, and nbconvert would otherwise embed it base64-encoded, a third larger.
    for formatter in shell.display_formatter.formatters.values():
        formatter.pop(Figure, None)
    shell.display_formatter.formatters["text/html"].for_type(Figure, figure_html)


def figure_html(figure) -> str:
    """A figure as an inline <svg>, labelled for screen readers with its titles."""
    import io

    buffer = io.StringIO()
    # No creation date: the same notebook gives the same page.
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # inline: no XML declaration or doctype
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    # Matplotlib's `*{...}` rule would apply to the whole page once inline; notebooks.css
    # carries it, scoped to plots.
    svg = re.sub(r'<style type="text/css">\*\{[^}]*\}</style>\s*', "", svg)
    titles = [figure.get_suptitle(), *(axes.get_title() for axes in figure.axes)]
    label = "; ".join(title for title in titles if title) or "A plot"
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return f'<figure class="notebook-plot">{svg}</figure>'


# --- Page clean-up --------------------------------------------------------------------

_ARTICLE = re.compile(r"<article\b[^>]*>")
_NOTEBOOK_START = '<div class="jupyter-wrapper">'
_NOTEBOOK_END = "<!-- jupyter-wrapper -->"
# Outside the notebook's own markup, mkdocs-jupyter emits only these: JupyterLab's CSS,
# the MathJax and Mermaid loaders (from cdnjs), the copy-button script, and comments.
_HEAD_JUNK = re.compile(r"<style\b.*?</style>|<script\b.*?</script>|<!--.*?-->", re.DOTALL)
_COPY_BUTTON = re.compile(r'<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>', re.DOTALL)
_COPY_TEXT = re.compile(r'<div (?:data-search-exclude="" )?class="clipboard-copy-txt" id="[^"]*">.*?</div>', re.DOTALL)
_CODE = re.compile(r'<div class="highlight-ipynb hl-(\w+)[^"]*"><pre><span></span>(.*?)</pre></div>', re.DOTALL)


def is_notebook_page(page) -> bool:
    return page.file.src_uri.endswith(".ipynb")


def lighten(html: str, stylesheet_url: str) -> str:
    """A notebook page without JupyterLab's CSS and CDN scripts, its code in Material's
    code blocks (highlighting and copy button included), linking notebooks.css instead."""
    article = _ARTICLE.search(html)
    start, end = html.find(_NOTEBOOK_START), html.find(_NOTEBOOK_END)
    article_end = html.find("</article>")
    if not article or start < article.end() or end < start or article_end < end:
        raise ValueError(
            "the page does not have the markup blueprint/notebook_pages.py expects from mkdocs-jupyter "
            f"(an <article> around {_NOTEBOOK_START} ... {_NOTEBOOK_END}); if mkdocs-jupyter was "
            "upgraded, update lighten() to its new markup"
        )
    before = _HEAD_JUNK.sub("", html[article.end() : start])
    notebook = html[start:end]
    notebook = _COPY_BUTTON.sub("", notebook)
    notebook = _COPY_TEXT.sub("", notebook)
    notebook = _CODE.sub(r'<div class="language-\1 highlight"><pre><span></span><code>\2</code></pre></div>', notebook)
    notebook = notebook.replace('<a class="anchor-link" ', '<a class="headerlink" title="Permanent link" ')
    after = _HEAD_JUNK.sub("", html[end + len(_NOTEBOOK_END) : article_end])
    html = html[: article.end()] + before + notebook + _NOTEBOOK_END + after + html[article_end:]
    return html.replace("</head>", f'<link rel="stylesheet" href="{stylesheet_url}">\n</head>', 1)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


# --- Build cache ---------------------------------------------------------------------


def notebook_sources(root: Path) -> list[Path]:
    """What the notebooks' results depend on besides their own bytes."""
    return sorted((root / "snippets" / "algorithms").glob("*.py")) + [Path(__file__).resolve()]


def forget_stale_results(cache_dir: Path, sources: Iterable[Path]) -> bool:
    """Empty mkdocs-jupyter's cache when the code the notebooks import has changed.

    mkdocs-jupyter keys a cached page on the notebook's bytes and its options only, so
    after an edit to a snippet the page would keep the plots of the old code. A digest of
    the sources is kept next to the cache; True if the cache was emptied.
    """
    digest = hashlib.sha256()
    for path in sorted(sources):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    stamp = cache_dir / "sources.sha256"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == digest.hexdigest():
        return False
    cached = list(cache_dir.glob("*.json"))
    for page in cached:
        page.unlink()
    cache_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest.hexdigest(), encoding="utf-8")
    return bool(cached)


# --- Executing notebooks ahead of their pages ------------------------------------------


class NotebookRunner:
    """Executes the notebooks mkdocs-jupyter has no cached page for, all at once, while
    the rest of the site builds.

    mkdocs-jupyter executes a notebook when it renders its page, one after the other, and
    each waits for its own kernel to start: most of a first build. Here every missing
    notebook starts as the build starts, on as many threads as there are cores (the
    kernels are separate processes), and its page is written into mkdocs-jupyter's own
    cache, exactly as it would have written it; when the page is rendered, the plugin
    finds it there. `forget_stale_results` has already emptied that cache if the code the
    notebooks import changed, so nothing is reused from older snippets.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1), thread_name_prefix="notebook")
        self._running: dict[str, object] = {}
        self.executed = 0
        self.total = 0

    def start(self, plugin, docs_dir: Path) -> None:
        """Submit every notebook page whose cached result is missing or damaged."""
        from mkdocs_jupyter import plugin as jupyter

        self._running.clear()
        self.executed = 0
        options = plugin.config
        limits = notebook_limits()  # a bad setting is reported before anything runs
        forget_leftovers(Path(options["cache_dir"]))
        notebooks = [
            Path(os.path.normpath(path)) for path in sorted(docs_dir.rglob("*.ipynb"))
            if any(path.match(pattern) for pattern in options["include"])
            and not any(path.match(pattern) for pattern in options["ignore"])
        ]
        self.total = len(notebooks)
        if not options["execute"] or not options["cache"]:
            return
        for path in notebooks:
            execute = not any(path.match(pattern) for pattern in options["execute_ignore"])
            cache_path = jupyter._get_cache_path(options["cache_dir"], jupyter._compute_cache_key(str(path), options, execute))
            # The plugin evicts every cached page it did not render in this build, and an
            # incremental (dirty) build renders few: keep each notebook's current result.
            plugin._used_cache_paths.add(cache_path)
            if execute:
                # checked on the pool too: reading ten cached pages takes a while, and the
                # build meanwhile mostly waits for the diagram scripts
                self._running[str(path)] = self._pool.submit(_ensure_cached, str(path), dict(options), cache_path, limits)

    def wait(self, abs_src_path: str) -> None:
        """Block until this notebook's page is in the cache; raise ValueError if a cell failed."""
        future = self._running.pop(os.path.normpath(abs_src_path), None)
        if future is None:
            return
        try:
            executed = future.result()
        except NotebookLimitError as error:
            raise ValueError(str(error)) from None
        except Exception as error:  # the notebook's own error, whatever its type
            raise ValueError(f"executing it failed: {type(error).__name__}: {error}") from None
        self.executed += executed


def _ensure_cached(path: str, options: dict, cache_path: Path, limits: tuple[float, int]) -> bool:
    """Execute the notebook unless its page is cached and sound; True if it was executed.
    A damaged page (truncated, garbage, not the plugin's shape) would fail the plugin with a
    bare traceback: it is made again instead."""
    if sound_cache_entry(cache_path):
        return False
    cache_path.unlink(missing_ok=True)
    _execute_into_cache(path, options, cache_path, limits)
    return True


NOTEBOOK_TIMEOUT = 120  # seconds a cell may run (BLUEPRINT_NOTEBOOK_TIMEOUT)
NOTEBOOK_OUTPUT_LIMIT = 2_000_000  # bytes of output a notebook may print (BLUEPRINT_NOTEBOOK_OUTPUT_LIMIT);
# the site's notebooks print about 0.2 MB each, plots included, and every byte lands in the page
# and in the search index


def notebook_limits() -> tuple[float, int]:
    """(seconds a cell may run, bytes of output a notebook may make), from the environment."""
    return (
        _positive("BLUEPRINT_NOTEBOOK_TIMEOUT", NOTEBOOK_TIMEOUT, "a number of seconds", float),
        int(_positive("BLUEPRINT_NOTEBOOK_OUTPUT_LIMIT", NOTEBOOK_OUTPUT_LIMIT, "a number of bytes", float)),
    )


def _positive(name: str, default, what: str, kind):
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name}={text!r} is not {what}; set it to one greater than 0")
    return value


LEFTOVER_AGE = 600  # seconds: a temporary file this old belongs to a build that was interrupted


def forget_leftovers(cache_dir: Path) -> None:
    """Remove the half-written pages of interrupted builds (a fresh one may be another
    build's, still being written)."""
    now = time.time()
    for leftover in cache_dir.glob("*.tmp") if cache_dir.is_dir() else []:
        try:
            if now - leftover.stat().st_mtime > LEFTOVER_AGE:
                leftover.unlink()
        except FileNotFoundError:
            pass


def sound_cache_entry(cache_path: Path) -> bool:
    """True if mkdocs-jupyter can use this cached page: JSON in the shape it writes."""
    from mkdocs.structure.toc import get_toc

    try:
        page = json.loads(cache_path.read_text(encoding="utf-8"))
        if not (isinstance(page, dict) and isinstance(page.get("content"), str)
                and isinstance(page.get("title"), (str, type(None))) and isinstance(page.get("toc_tokens"), list)):
            return False
        get_toc(page["toc_tokens"])  # what the plugin does with them
    except Exception:  # noqa: BLE001 - missing, unreadable, not JSON, tokens of the wrong shape
        return False
    return True


def damaged_cache_entries(cache_dir: Path) -> list[Path]:
    """Cached notebook pages the plugin could not use (for `blueprint render --check`)."""
    return [path for path in sorted(cache_dir.glob("*.json")) if not sound_cache_entry(path)] if cache_dir.is_dir() else []


class _TooMuchOutput(Exception):
    pass


class NotebookLimitError(ValueError):
    """A notebook ran past a limit; the message names the cell."""


def _limited_client(notebook, limits: tuple[float, int], **options):
    """nbclient's NotebookClient with a time limit on each cell (nbclient's own) and a
    limit on the bytes a notebook prints, checked as the output arrives."""
    from nbclient import NotebookClient

    timeout, output_limit = limits

    class LimitedClient(NotebookClient):
        def output(self, outs, msg, display_id, cell_index):
            out = super().output(outs, msg, display_id, cell_index)
            if out is not None:
                self.printed += len(json.dumps(out))
                if self.printed > output_limit:
                    raise _TooMuchOutput(cell_index)
            return out

    client = LimitedClient(notebook, timeout=timeout, **options)
    client.printed = 0
    return client


def _cell(notebook, index: int) -> str:
    """'cell 3 (`x = run()`)': a cell by its place in the notebook and its first line."""
    lines = notebook.cells[index].source.strip().splitlines() if 0 <= index < len(notebook.cells) else []
    first = lines[0] if lines else ""
    return f"cell {index + 1}" + (f" (`{first[:60]}`)" if first else "")


def _execute_into_cache(path: str, options: dict, cache_path: Path, limits: tuple[float, int] | None = None) -> None:
    """What mkdocs-jupyter does on a cache miss (plugin.on_pre_page's new_render), written
    atomically so that an interrupted build leaves no half-written page behind.

    The notebook is executed here rather than by the plugin's converter, to stop its
    kernel at once when it is done: a polite shutdown waits most of a second per notebook.
    The converter then turns the executed copy into the same page it would have made."""
    import tempfile

    import nbformat
    from mkdocs_jupyter import convert
    from mkdocs_jupyter.plugin import _get_nb_toc_tokens

    from nbclient.exceptions import CellTimeoutError

    limits = limits or notebook_limits()
    notebook = nbformat.read(path, as_version=4)
    client = _limited_client(
        notebook,
        limits,
        kernel_name=options["kernel_name"] or notebook.metadata.get("kernelspec", {}).get("name", "python3"),
        allow_errors=options["allow_errors"],
        store_widget_state=True,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": os.path.dirname(path)}},  # cells run where the notebook is
    )
    running = [0]
    client.on_cell_start = lambda cell, cell_index: running.__setitem__(0, cell_index)
    try:
        client.execute()
    except CellTimeoutError:
        raise NotebookLimitError(
            f"{_cell(notebook, running[0])} did not finish within {limits[0]:g} s "
            "(BLUEPRINT_NOTEBOOK_TIMEOUT allows more)"
        ) from None
    except _TooMuchOutput as error:
        raise NotebookLimitError(
            f"{_cell(notebook, error.args[0])}: the notebook printed more than {limits[1]:,} bytes, all of which would "
            "land in its page and the search index; print less (BLUEPRINT_NOTEBOOK_OUTPUT_LIMIT allows more)"
        ) from None
    with tempfile.TemporaryDirectory(prefix="notebook-") as scratch:
        executed = Path(scratch) / Path(path).name
        nbformat.write(notebook, executed)
        body = convert.nb2html(
            str(executed),
            execute=False,
            kernel_name=options["kernel_name"],
            theme=options["theme"],
            allow_errors=options["allow_errors"],
            show_input=options["show_input"],
            no_input=options["no_input"],
            no_prompt=options["no_prompt"],
            remove_tag_config=options["remove_tag_config"],
            highlight_extra_classes=options["highlight_extra_classes"],
            include_requirejs=options["include_requirejs"],
            custom_mathjax_url=options["custom_mathjax_url"],
        )
    toc_tokens, title = _get_nb_toc_tokens(path, options["toc_depth"])
    cache_path = Path(cache_path)
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=cache_path.parent, suffix=".tmp", delete=False) as handle:
        try:
            json.dump({"content": body, "toc_tokens": toc_tokens, "title": title}, handle)
        except BaseException:
            handle.close()
            os.unlink(handle.name)  # no half-written page left behind
            raise
    os.replace(handle.name, cache_path)
