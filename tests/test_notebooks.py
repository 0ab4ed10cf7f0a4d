"""The measured pages: every notebook runs from a clean kernel without an error or a
warning, is stored without outputs, draws its plots as inline SVG, and becomes a light
page (no JupyterLab CSS, no CDN loaders) once blueprint.notebook_pages has trimmed it."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbconvert.preprocessors import CellExecutionError, ExecutePreprocessor

from blueprint.notebook_pages import forget_stale_results, lighten, notebook_sources

ROOT = Path(__file__).resolve().parents[1]
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
NOTEBOOKS = sorted((ROOT / "docs" / "concepts" / "notebooks").glob("*.ipynb"))
MKDOCS_YML = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def test_there_are_notebooks_and_each_is_in_the_nav():
    assert len(NOTEBOOKS) >= 4
    for notebook in NOTEBOOKS:
        assert f"concepts/notebooks/{notebook.name}" in MKDOCS_YML, f"{notebook.name} is not in mkdocs.yml's nav"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_stored_without_outputs(notebook):
    # Outputs are generated at build time; stored ones would be stale and bloat the repository.
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{notebook.name}: clear the outputs before committing (Kernel > Restart and Clear Outputs)"
            )


def executed_outputs(notebook: Path, monkeypatch, hash_seed: str) -> list:
    nb = nbformat.read(notebook, as_version=4)
    # The same conditions as the build: a fresh kernel started in the notebook's folder.
    monkeypatch.setenv("PYTHONHASHSEED", hash_seed)  # the kernel inherits it
    executor = ExecutePreprocessor(timeout=120, kernel_name="python3")
    try:
        executor.preprocess(nb, {"metadata": {"path": str(notebook.parent)}})
    except CellExecutionError as error:
        pytest.fail(f"{notebook.name}: a cell failed:\n{error}")
    return [output for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_cleanly_and_plots_inline_svg(notebook, monkeypatch):
    outputs = executed_outputs(notebook, monkeypatch, "1")
    # The same page from every run: string hashing (set and dict order) differs between kernels.
    assert executed_outputs(notebook, monkeypatch, "2") == outputs, f"{notebook.name} depends on the hash seed"
    # Warnings printed by a cell would show on the page.
    stderr = [output.text for output in outputs if output.get("name") == "stderr"]
    assert stderr == [], f"{notebook.name} wrote to stderr: {stderr}"
    plots = [output.data["text/html"] for output in outputs if "notebook-plot" in output.get("data", {}).get("text/html", "")]
    assert plots, f"{notebook.name} draws no plot"
    for html in plots:
        assert html.startswith('<figure class="notebook-plot"><svg role="img" aria-label="')
        assert "<?xml" not in html and "<metadata>" not in html
    assert not any("image/png" in output.get("data", {}) for output in outputs), "plots must be inline SVG, not PNG"


def test_lighten_strips_jupyterlab_css_and_cdn_loaders():
    # The real markup of the installed mkdocs-jupyter, inside a page like Material's.
    from mkdocs_jupyter.convert import nb2html

    notebook = NOTEBOOKS[0]
    content = nb2html(str(notebook), execute=False, no_prompt=True, theme="")
    page = (
        '<html><head><title>t</title></head><body><article class="md-content__inner md-typeset">'
        + content
        + "</article><script src=\"../assets/javascripts/bundle.js\"></script></body></html>"
    )
    assert len(page) > 500_000 and "cdnjs.cloudflare.com" in page  # what needs trimming

    light = lighten(page, "../../assets/stylesheets/notebooks.css")

    assert len(light) < len(page) / 10
    assert "<style" not in light
    assert not re.search(r"""<script[^>]*\bsrc=["']?https?:""", light)
    assert "https://" not in light
    assert "zeroclipboard" not in light and "clipboard-copy" not in light
    # Code cells became Material code blocks (highlighting and copy button come with them).
    assert '<div class="language-python highlight"><pre><span></span><code>' in light
    assert 'class="highlight-ipynb' not in light
    assert '<link rel="stylesheet" href="../../assets/stylesheets/notebooks.css">\n</head>' in light
    # Material's own scripts, outside the article, are untouched.
    assert '<script src="../assets/javascripts/bundle.js"></script>' in light


def test_lighten_refuses_markup_it_does_not_know():
    with pytest.raises(ValueError, match="update lighten"):
        lighten("<html><head></head><body><article>no notebook here</article></body></html>", "x.css")


def test_the_stylesheet_the_pages_link_exists():
    assert (ROOT / "docs" / "assets" / "stylesheets" / "notebooks.css").is_file()


def test_built_notebook_pages_are_light(built_site):
    # The whole chain: mkdocs-jupyter renders, the on_post_page hook trims.
    pages = sorted((built_site.site / "concepts" / "notebooks").glob("*.html"))
    assert [page.stem for page in pages] == [notebook.stem for notebook in NOTEBOOKS]
    for page in pages:
        html = page.read_bytes()
        text = html.decode("utf-8")
        # A normal page is about 30 KB; plots add tens of KB, never hundreds.
        assert len(html) < 250_000, (page.name, len(html))
        assert len(gzip.compress(html)) < 40_000, page.name
        assert "<style" not in text and "cdnjs" not in text, page.name
        # mkdocs-jupyter's copy-button text carries a counter shared by every notebook it
        # converts: left in, the bytes would depend on which notebooks ran, and in what order
        assert "clipboard-copy" not in text, page.name
        # nbconvert re-serialises the SVG (attributes in alphabetical order).
        assert re.search(r'<figure class="notebook-plot"><svg [^>]*\brole="img"', text), page.name
        stylesheet = re.search(r'<link rel="stylesheet" href="([^"]*notebooks\.css)">', text)
        assert stylesheet and (page.parent / stylesheet.group(1)).resolve().is_file(), page.name


def test_cached_pages_are_forgotten_when_the_imported_code_changes(tmp_path):
    cache = tmp_path / "cache"
    module = tmp_path / "bloom_filter.py"
    module.write_text("A = 1\n")
    assert forget_stale_results(cache, [module]) is False  # first build: nothing cached yet
    (cache / "page.json").write_text("{}")
    assert forget_stale_results(cache, [module]) is False  # unchanged: the cache stays
    assert (cache / "page.json").exists()
    module.write_text("A = 2\n")
    assert forget_stale_results(cache, [module]) is True  # edited: cached pages go
    assert not (cache / "page.json").exists()


def test_the_sources_cover_every_module_a_notebook_imports():
    sources = {path.relative_to(ROOT).as_posix() for path in notebook_sources(ROOT)}
    for notebook in NOTEBOOKS:
        text = notebook.read_text(encoding="utf-8")
        for module in re.findall(r"from (algorithms\.\w+|blueprint\.\w+) import", text):
            assert module.replace(".", "/").replace("algorithms/", "snippets/algorithms/") + ".py" in sources, module


def jupyter_plugin(cache_dir: Path):
    """mkdocs-jupyter, configured as the site configures it, as NotebookRunner sees it."""
    from mkdocs_jupyter.plugin import Plugin

    plugin = Plugin()
    errors, warnings = plugin.load_config(
        {"include": ["notebooks/*.ipynb"], "execute": True, "allow_errors": False, "cache_dir": str(cache_dir)}
    )
    assert not errors, errors
    plugin.on_pre_build(config=None)
    return plugin


def write_notebook(path: Path, *sources: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path)
    return path


def test_notebooks_run_ahead_into_mkdocs_jupyters_cache_and_a_failing_cell_is_reported(tmp_path):
    from mkdocs_jupyter.plugin import _compute_cache_key, _get_cache_path

    from blueprint.notebook_pages import NotebookRunner

    docs, cache = tmp_path / "docs", tmp_path / "cache"
    good = write_notebook(docs / "notebooks" / "good.ipynb", "print(6 * 7)")
    bad = write_notebook(docs / "notebooks" / "bad.ipynb", "1 / 0")
    write_notebook(docs / "elsewhere" / "skipped.ipynb", "print('not a page')")
    plugin = jupyter_plugin(cache)
    runner = NotebookRunner()
    runner.start(plugin, docs)
    assert runner.total == 2
    runner.wait(str(good))
    # exactly where, and in the shape, the plugin looks for it when it renders the page
    cached = _get_cache_path(plugin.config["cache_dir"], _compute_cache_key(str(good), plugin.config, True))
    page = __import__("json").loads(cached.read_text(encoding="utf-8"))
    assert "42" in page["content"] and set(page) == {"content", "toc_tokens", "title"}
    with pytest.raises(ValueError, match="ZeroDivisionError"):
        runner.wait(str(bad))
    assert runner.executed == 1
    assert sorted(path.name for path in cache.iterdir()) == [cached.name]  # no half-written page
    assert cached in plugin._used_cache_paths  # kept by the plugin even when its page is not rebuilt

    again = NotebookRunner()
    again.start(plugin, docs)  # the good one is cached now: only the failing one runs again
    again.wait(str(good))
    with pytest.raises(ValueError, match="ZeroDivisionError"):
        again.wait(str(bad))
    assert again.executed == 0


# --- Time and output limits, and a damaged cache ----------------------------------------

def run_one(tmp_path: Path, monkeypatch, *sources: str, **env: str):
    """Execute one notebook as a build does; returns (runner, plugin, notebook)."""
    from blueprint.notebook_pages import NotebookRunner

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    notebook = write_notebook(tmp_path / "docs" / "notebooks" / "n.ipynb", *sources)
    plugin = jupyter_plugin(tmp_path / "cache")
    runner = NotebookRunner()
    runner.start(plugin, tmp_path / "docs")
    return runner, plugin, notebook


def test_a_cell_that_never_ends_is_stopped_naming_the_cell(tmp_path, monkeypatch):
    import time

    started = time.monotonic()
    runner, _, notebook = run_one(tmp_path, monkeypatch, "x = 1", "while True:\n    pass",
                                  BLUEPRINT_NOTEBOOK_TIMEOUT="2")
    with pytest.raises(ValueError) as raised:
        runner.wait(str(notebook))
    assert time.monotonic() - started < 60
    assert "cell 2 (`while True:`) did not finish within 2 s" in str(raised.value)
    assert "BLUEPRINT_NOTEBOOK_TIMEOUT" in str(raised.value)
    assert not list((tmp_path / "cache").glob("*.json"))


def test_a_notebook_that_prints_too_much_is_stopped_naming_the_cell(tmp_path, monkeypatch):
    runner, _, notebook = run_one(tmp_path, monkeypatch, "print('fine')", "for _ in range(10_000):\n    print('x' * 1000)")
    with pytest.raises(ValueError) as raised:
        runner.wait(str(notebook))
    assert "cell 2 (`for _ in range(10_000):`): the notebook printed more than 2,000,000 bytes" in str(raised.value)
    assert not list((tmp_path / "cache").glob("*.json"))


def test_a_bad_notebook_limit_is_named(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="BLUEPRINT_NOTEBOOK_TIMEOUT='soon' is not a number of seconds"):
        run_one(tmp_path, monkeypatch, "print(1)", BLUEPRINT_NOTEBOOK_TIMEOUT="soon")


@pytest.mark.parametrize("damage", [
    lambda text: text[: len(text) // 2],  # truncated
    lambda text: "\x00\xff garbage",
    lambda text: "{}",
    lambda text: '{"content": "x", "toc_tokens": [1, 2], "title": null}',  # tokens the plugin cannot read
])
def test_a_damaged_notebook_cache_entry_is_made_again(tmp_path, monkeypatch, damage):
    from mkdocs_jupyter.plugin import _compute_cache_key, _get_cache_path

    from blueprint import cli

    runner, plugin, notebook = run_one(tmp_path, monkeypatch, "print(6 * 7)")
    runner.wait(str(notebook))
    cached = _get_cache_path(plugin.config["cache_dir"], _compute_cache_key(str(notebook), plugin.config, True))
    good = cached.read_text(encoding="utf-8")
    cached.write_text(damage(good), encoding="utf-8")
    # `render --check` names it (it looks in ROOT/.cache/mkdocs-jupyter, where the build keeps it)
    project = tmp_path / "project"
    shutil.copytree(FIXTURES_DIR / "schemas", project / "snippets" / "schemas")
    (project / "diagrams").mkdir()
    (project / ".cache").mkdir()
    shutil.copytree(tmp_path / "cache", project / ".cache" / "mkdocs-jupyter")
    assert cli.main(["render", "--check", "--root", str(project), "--cache", str(tmp_path / "pictures")]) == 1
    from blueprint.notebook_pages import NotebookRunner

    again = NotebookRunner()
    again.start(jupyter_plugin(tmp_path / "cache"), tmp_path / "docs")
    again.wait(str(notebook))
    assert again.executed == 1
    page = json.loads(cached.read_text(encoding="utf-8"))
    assert "42" in page["content"] and set(page) == {"content", "toc_tokens", "title"}


def test_half_written_pages_of_interrupted_builds_are_removed(tmp_path, monkeypatch):
    import os
    import time

    cache = tmp_path / "cache"
    cache.mkdir()
    old, fresh = cache / "tmpold.tmp", cache / "tmpfresh.tmp"
    old.write_text("half a page")
    fresh.write_text("another build's page, being written")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    runner, _, notebook = run_one(tmp_path, monkeypatch, "print(1)")
    runner.wait(str(notebook))
    assert not old.exists() and fresh.exists()


def test_the_build_stops_on_a_notebook_over_a_limit_naming_the_notebook_and_the_cell(tmp_path):
    import os
    import subprocess
    import sys

    project = tmp_path / "project"
    write_notebook(project / "docs" / "notebooks" / "loud.ipynb", "print('fine')", "for _ in range(10_000):\n    print('x' * 1000)")
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (project / "diagrams").mkdir()
    (project / "snippets").mkdir()
    (project / "mkdocs.yml").write_text(
        "site_name: Fixture\nstrict: true\n"
        f"hooks:\n  - {ROOT / 'blueprint' / 'mkdocs_hooks.py'}\n"
        "plugins:\n  - search\n  - mkdocs-jupyter:\n      include: ['notebooks/*.ipynb']\n      execute: true\n      allow_errors: false\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=project, capture_output=True, text=True, timeout=300,
        env={**os.environ, "BLUEPRINT_CACHE": str(tmp_path / "cache"), "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode != 0
    assert ("docs/notebooks/loud.ipynb: cell 2 (`for _ in range(10_000):`): the notebook printed more than 2,000,000 bytes"
            in result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site" / "search" / "search_index.json").exists()
