"""How much the diagram engine adds to a site build, as ratios to a plain build measured in the same run.

    ./run bench            (or: .venv/bin/python benchmarks/build_speed.py --repeat 5)

Cases, each a real `mkdocs build` of a scratch copy of this project:
  plain        the same pages with the pictures already rendered, as static SVG files,
               and every hook but the diagram ones: the baseline
  cold         blueprint hook on, its cache empty: every picture is rendered
  warm         nothing changed since the last build: nothing may be rendered
  one changed  one step's text edited in one script: one picture is rendered
Other caches (mkdocs-jupyter's executed notebooks) are warmed first and kept in every case,
so the ratios isolate the diagram engine. Targets: cold <= 1.5x, warm <= 1.1x with zero
pictures rendered, one changed <= plain + one render.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ["mkdocs.yml", "docs", "diagrams", "snippets", "blueprint", "overrides"]
MARKER = re.compile(r"<!--\s*blueprint:\s*([a-z0-9_]+)/([a-z0-9_]+)\s*-->")


def copy_project(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, target / name)
    return target


def mkdocs_build(project: Path, cache: Path) -> tuple[float, int | None]:
    """Seconds for one `mkdocs build`, and how many pictures it rendered (None: no hook)."""
    env = {**os.environ, "BLUEPRINT_CACHE": str(cache), "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(project / "site")],
        cwd=project, env=env, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed in {project}:\n{result.stdout}{result.stderr}")
    match = re.search(r"blueprint: rendered (\d+) of \d+ pictures", result.stderr)
    return seconds, int(match.group(1)) if match else None


def make_plain(project: Path, cache: Path) -> Path:
    """A copy whose pages show the already rendered SVGs as images, built without the hook."""
    plain = copy_project(project.parent / "plain")
    rendered = subprocess.run(
        [sys.executable, "-m", "blueprint.cli", "render", "--root", str(project), "--cache", str(cache),
         "--out", str(plain / "docs" / "assets" / "blueprint")],
        capture_output=True, text=True,
    )
    if rendered.returncode != 0:
        sys.exit(rendered.stderr)
    rendered_dir = plain / "docs" / "assets" / "blueprint"

    def images(match: re.Match, prefix: str) -> str:
        system, view = match.groups()
        # a staged path is several pictures: view-1.svg, view-2.svg, …
        files = sorted((rendered_dir / system).glob(f"{view}.svg")) or sorted(
            (rendered_dir / system).glob(f"{view}-*.svg"), key=lambda path: int(path.stem.rsplit("-", 1)[1])
        )
        return "\n\n".join(f"![{system} {path.stem}]({prefix}/{system}/{path.name})" for path in files)

    for page in (plain / "docs").rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        depth = len(page.relative_to(plain / "docs").parts) - 1
        prefix = "../" * depth + "assets/blueprint"
        page.write_text(MARKER.sub(lambda match, prefix=prefix: images(match, prefix), text))
    config = (plain / "mkdocs.yml").read_text(encoding="utf-8")
    # Keep every hook that is not about diagrams (the systems nav, SQL result tables,
    # notebook pages), so that the ratios measure the diagram engine alone.
    (plain / "plain_hooks.py").write_text(
        "from blueprint.mkdocs_hooks import on_config, on_page_markdown, on_post_page  # noqa: F401\n"
    )
    config = config.replace("  - blueprint/mkdocs_hooks.py\n", "  - plain_hooks.py\n", 1)
    (plain / "mkdocs.yml").write_text(config, encoding="utf-8")
    return plain


def edit_one_step(project: Path) -> None:
    script = project / "diagrams" / "pastebin.py"
    text = script.read_text(encoding="utf-8")
    edited = re.sub(r'(write\.step\(1, [^"]*")', r"\1(edited) ", text, count=1)
    assert edited != text, "could not find a step to edit"
    script.write_text(edited, encoding="utf-8")


def one_render_seconds(project: Path, scratch: Path) -> float:
    """Cold cost of rendering one picture in a fresh process (WebAssembly start included)."""
    code = (
        "import sys, time; from pathlib import Path; from blueprint import build, render;"
        "c = build.load_all(Path(sys.argv[1])); p = next(iter(c.pictures.values()));"
        "icons = render.icon_folder(Path(sys.argv[2]), {c.kind for c in p.system.components.values()});"
        "t = time.perf_counter(); render.finish_svg(render.Graphviz(icons).svg(p.dot), p.id, []);"
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(project), str(scratch)], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr)
    return float(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="builds per case; the median is reported")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="blueprint-bench-") as scratch:
        scratch = Path(scratch)
        project = copy_project(scratch / "project")
        cache = scratch / "cache"
        mkdocs_build(project, cache)  # warms mkdocs-jupyter's notebook cache and ours
        plain = make_plain(project, cache)
        mkdocs_build(plain, scratch / "unused-cache")  # the plain copy's notebook cache

        results: dict[str, list[tuple[float, int | None]]] = {name: [] for name in ("plain", "cold", "warm", "one changed")}
        for _ in range(args.repeat):
            results["plain"].append(mkdocs_build(plain, scratch / "unused-cache"))
            shutil.rmtree(cache)
            results["cold"].append(mkdocs_build(project, cache))
            results["warm"].append(mkdocs_build(project, cache))
            edit_one_step(project)
            results["one changed"].append(mkdocs_build(project, cache))
        render_one = statistics.median(one_render_seconds(project, scratch / f"icons-{i}") for i in range(args.repeat))

    base = statistics.median(seconds for seconds, _ in results["plain"])
    print(f"{'case':<12} {'median s':>9} {'x plain':>8} {'rendered':>9}")
    for name, runs in results.items():
        seconds = statistics.median(s for s, _ in runs)
        counts = sorted({count for _, count in runs}, key=str)
        rendered = "-" if counts == [None] else ",".join(map(str, counts))
        print(f"{name:<12} {seconds:9.2f} {seconds / base:8.2f} {rendered:>9}")
    print(f"one render (fresh process, incl. WebAssembly start): {render_one:.2f} s")
    print(f"targets: cold <= 1.50x, warm <= 1.10x with 0 rendered, one changed <= {(base + render_one) / base:.2f}x "
          f"(plain + one render)")


if __name__ == "__main__":
    main()
