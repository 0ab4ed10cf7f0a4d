"""How fast the site builds, as ratios to a plain build of the same pages measured in the same run.

    ./run bench            (or: .venv/bin/python benchmarks/build_speed.py --repeat 3 --only warm,serve)

Every case is a real `mkdocs build` (or `mkdocs serve`) of a scratch copy of this project, in
a temporary folder that is deleted afterwards. Its two caches are the diagram engine's
(BLUEPRINT_CACHE) and mkdocs-jupyter's executed notebooks (.cache/mkdocs-jupyter in the copy).

  plain          the same pages, with what the diagram hooks would add written into the
                 Markdown (steps, notes, tables) and each picture an <img> of its already
                 rendered SVG file; every other hook kept; notebook cache warm: the baseline
  fresh          a fresh clone: both caches empty, every picture rendered and every
                 notebook executed                                  target <= 3.0x plain
  pictures cold  picture cache empty, notebook cache warm           target <= 1.5x plain
  warm           nothing changed since the last build               target <= 1.05x plain,
                                                                    0 rendered, 0 executed
  one changed    one step's text edited in diagrams/pastebin.py     reported
  serve          `mkdocs serve` running with warm caches; one step's text of pastebin.py is
                 saved, and the clock runs until GET /systems/pastebin.html returns HTML
                 with the new text (polled every 50 ms)             target <= 0.7x plain
  synthetic      another copy with 100 generated systems added (diagrams/synthetic_NNN.py
                 and docs/systems/synthetic_NNN.md: 6-8 components in 3-4 groups, a write
                 and a read path of 6 steps, one of them conditional), built plain, pictures
                 cold and warm; reports the seconds each added system costs (against the
                 unmodified project's plain, pictures cold and warm builds) and the warm
                 build as a ratio to its own plain build           target <= 1.1x

--only picks cases by name: fresh, cold (pictures cold), warm, changed (one changed), serve,
synthetic; the plain baseline always runs. --repeat builds each case that many times (and
saves that many edits under serve) and reports the median.
"""

from __future__ import annotations

import argparse
import os
import posixpath
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ["mkdocs.yml", "docs", "diagrams", "snippets", "blueprint", "overrides"]
RENDERED = re.compile(r"blueprint: rendered (\d+) of \d+ pictures")
EXECUTED = re.compile(r"blueprint: executed (\d+) of \d+ notebooks")
INLINE_SVG = re.compile(r'<svg\b.*?</svg>(?=.*?href="([^"]+\.svg)")', re.S)
CASES = ["fresh", "cold", "warm", "changed", "serve", "synthetic"]
SYNTHETIC_SYSTEMS = 100


@dataclass
class Run:
    seconds: float
    rendered: int | None  # None: the diagram hook did not run (plain builds)
    executed: int | None


def env(cache: Path) -> dict[str, str]:
    return {**os.environ, "BLUEPRINT_CACHE": str(cache), "NO_MKDOCS_2_WARNING": "1"}


def last_count(pattern: re.Pattern, log: str) -> int | None:
    found = pattern.findall(log)
    return int(found[-1]) if found else None


def copy_project(target: Path, source: Path = ROOT) -> Path:
    target.mkdir(parents=True)
    for name in COPIED:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif (source / name).exists():
            shutil.copy2(source / name, target / name)
    return target


def notebook_cache(project: Path) -> Path:
    """mkdocs-jupyter keeps executed notebooks relative to the working directory: the copy's root."""
    return project / ".cache" / "mkdocs-jupyter"


def share_notebook_cache(source: Path, target: Path) -> None:
    """mkdocs-jupyter keys a page on the notebook's bytes, so another copy's cache is valid here."""
    shutil.rmtree(notebook_cache(target), ignore_errors=True)
    shutil.copytree(notebook_cache(source), notebook_cache(target))


def mkdocs_build(project: Path, cache: Path) -> Run:
    """One `mkdocs build`: seconds, pictures rendered, notebooks executed."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(project / "site")],
        cwd=project, env=env(cache), capture_output=True, text=True,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed in {project}:\n{result.stdout}{result.stderr}")
    return Run(seconds, last_count(RENDERED, result.stderr), last_count(EXECUTED, result.stderr))


def make_plain(project: Path, cache: Path) -> Path:
    """A copy of `project` built without the diagram hooks: everything the engine adds to a
    page (pictures with their steps and notes, API and capacity tables, quoted figures, the
    systems table, concept links) is written into the Markdown as the hook would generate
    it, except that each picture is an <img> of its already rendered SVG file instead of
    inline SVG."""
    sys.path.insert(0, str(ROOT))
    from blueprint import api, pages
    from blueprint.build import build

    plain = copy_project(project.parent / "plain", source=project)
    rendered_dir = plain / "docs" / "assets" / "blueprint"
    rendered = subprocess.run(
        [sys.executable, "-m", "blueprint.cli", "render", "--root", str(project), "--cache", str(cache),
         "--out", str(rendered_dir)],
        capture_output=True, text=True,
    )
    if rendered.returncode != 0:
        sys.exit(rendered.stderr)
    catalogue = build(project, cache)  # every picture is in the cache by now: nothing is rendered
    docs = plain / "docs"
    for system in catalogue.systems.values():
        if system.endpoints:  # the OpenAPI documents the hook would generate
            (docs / api.site_path(system)).write_text(api.openapi_json(system), encoding="utf-8")

    def static(page: Path, text: str) -> str:
        page_path = page.relative_to(docs).as_posix()
        page_dest = page_path.removesuffix(".md") + ".html"

        def link_to(src: str) -> str | None:
            if not (docs / src).exists():
                return None
            return posixpath.relpath(re.sub(r"\.(md|ipynb)$", ".html", src), posixpath.dirname(page_dest) or ".")

        def replace(match: re.Match) -> str:
            # What the hook would put there, each inline picture swapped for its SVG file,
            # which the figure's "open the picture on its own" link already names.
            generated = pages.expand(match.group(0), page_path, page_dest, catalogue, set(), link_to)
            return INLINE_SVG.sub(lambda svg: f'<img src="{svg.group(1)}" alt="">', generated)

        text = pages.MARKER.sub(replace, pages.quote_figures(text, page_path, catalogue))
        system = catalogue.systems.get(page_path.removeprefix("systems/").removesuffix(".md"))
        if system is not None and page_path.startswith("systems/"):
            text += pages.concepts_section(system, lambda src: (docs / src).exists())
        return text + pages.used_by_section(page_path, catalogue)

    for page in docs.rglob("*.md"):
        page.write_text(static(page, page.read_text(encoding="utf-8")), encoding="utf-8")
    # Keep every hook that is not about diagrams (the systems nav, SQL result tables,
    # notebook pages), so that the ratios measure the diagram engine alone.
    (plain / "plain_hooks.py").write_text(
        "from blueprint.mkdocs_hooks import on_config, on_page_markdown, on_post_page  # noqa: F401\n"
    )
    config = (plain / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("  - blueprint/mkdocs_hooks.py\n", "  - plain_hooks.py\n", 1)
    (plain / "mkdocs.yml").write_text(config, encoding="utf-8")
    share_notebook_cache(project, plain)
    return plain


def edit_one_step(project: Path, token: str) -> None:
    """Put `token` at the start of write step 1 of pastebin: one picture (and its page) changes."""
    script = project / "diagrams" / "pastebin.py"
    text = script.read_text(encoding="utf-8")
    edited = re.sub(r'(write\.step\(1, [^"]*")', rf"\1({token}) ", text, count=1)
    assert edited != text, "could not find a step to edit"
    script.write_text(edited, encoding="utf-8")


# --- serve: from saving a script to the new page being served -----------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", errors="replace")
    except OSError:
        return None


def serve_loop(project: Path, cache: Path, repeat: int, timeout: float = 300) -> list[Run]:
    """Start `mkdocs serve`, then `repeat` times: save an edit, time until the page shows it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/systems/pastebin.html"
    log_path = project.parent / "serve.log"
    runs = []
    with open(log_path, "w", encoding="utf-8") as log:
        server = subprocess.Popen(
            # as `./run serve` runs it: incremental, rebuilding the pages a change reaches
            [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project, env=env(cache), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:

            def wait_for(done, what: str) -> float:
                deadline = time.perf_counter() + timeout
                while not done():
                    if server.poll() is not None:
                        sys.exit(f"mkdocs serve stopped ({what}):\n{log_path.read_text(encoding='utf-8')}")
                    if time.perf_counter() > deadline:
                        sys.exit(f"mkdocs serve: no {what} within {timeout:g} s:\n{log_path.read_text(encoding='utf-8')}")
                    time.sleep(0.05)
                return time.perf_counter()

            def builds_logged() -> int:
                return len(EXECUTED.findall(log_path.read_text(encoding="utf-8")))

            wait_for(lambda: (fetch(url) or "").find("Pastebin") >= 0, "pastebin page")
            for number in range(repeat):
                token = f"servebench{number}x{random.randrange(16**8):08x}"
                before = builds_logged()
                edit_one_step(project, token)
                saved = time.perf_counter()
                shown = wait_for(lambda: token in (fetch(url) or ""), "page with the edit")
                wait_for(lambda: builds_logged() > before, "end of the rebuild")  # before the next edit
                text = log_path.read_text(encoding="utf-8")
                runs.append(Run(shown - saved, last_count(RENDERED, text), last_count(EXECUTED, text)))
        finally:
            try:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=20)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    return runs


# --- synthetic: 100 more systems -----------------------------------------------------------

FIRST = ["Parcel", "Ticket", "Recipe", "Invoice", "Playlist", "Badge", "Coupon", "Survey", "Podcast", "Garden",
         "Harbor", "Locker", "Meter", "Quiz", "Rental", "Sensor", "Tutor", "Voucher", "Wallet", "Yacht"]
SECOND = ["tracker", "exchange", "registry", "planner", "ledger"]
CLIENTS = [("client", "Client"), ("mobile", "Mobile app"), ("users", "Users")]
EDGES = [("load_balancer", "Load balancer"), ("api_gateway", "API gateway"), ("reverse_proxy", "Reverse proxy"),
         ("cdn", "CDN"), ("rate_limiter", "Rate limiter")]
SERVICES = [("server", "App server"), ("service", "Service"), ("worker", "Worker"), ("web_server", "Web server")]
QUEUES = [("kafka", "Event log"), ("message_queue", "Queue"), ("pubsub", "Pub-sub topic")]
CACHES = [("redis", "Cache"), ("memcached", "Cache"), ("cache", "Cache")]
STORES = [("postgresql", "Database"), ("mysql", "Database"), ("cassandra", "Wide-column store"),
          ("mongodb", "Document store"), ("s3", "Object storage"), ("key_value_store", "Key-value store")]


def synthetic_system(number: int) -> tuple[str, str, str]:
    """(id, script, page) of one generated system: varied names, kinds and groups, so that
    every picture differs, and the size of a small real one."""
    pick = random.Random(number)
    system_id = f"synthetic_{number:03d}"
    thing = FIRST[number % len(FIRST)]
    title = f"{thing} {SECOND[number // len(FIRST) % len(SECOND)]} {number:03d}"
    noun = thing.lower()
    client, edge, service = pick.choice(CLIENTS), pick.choice(EDGES), pick.choice(SERVICES)
    queue, cached, store = pick.choice(QUEUES), pick.choice(CACHES), pick.choice(STORES)
    edge_group = pick.choice(["Edge", "Entry", "Front door"])
    stores_group = pick.choice(["Data stores", "Storage", "State"])
    # 6 to 8 components in 3 or 4 groups (the worker group is optional)
    components = [
        ("client", f"{client[1]}", client[0], "Client", f"Creates and reads {noun}s"),
        ("edge", edge[1], edge[0], edge_group, f"Receives every {noun} request first"),
        ("api", f"{thing} {service[1].lower()}", service[0], "Services", f"Validates and serves {noun}s"),
        ("queue", queue[1], queue[0], "Services", f"Carries {noun} events to the indexer"),
        ("cache", f"{thing} {cached[1].lower()}", cached[0], stores_group, f"Recently read {noun}s by ID"),
        ("store", f"{thing} {store[1].lower()}", store[0], stores_group, f"Every {noun}, by ID"),
    ]
    extra = pick.randrange(3)
    if extra >= 1:
        components.append(("indexer", "Indexer", "worker", "Workers", f"Builds the {noun} search index from events"))
    if extra >= 2:
        components.append(("index", "Search index", "search_index", stores_group, f"Finds {noun}s by their words"))
    last = "index" if extra >= 2 else "store"
    lines = [f'"""Store {noun}s and read them back, generated system number {number} for the build benchmark."""',
             "", "from blueprint import System", "", f'system = System("{title}")', ""]
    for cid, label, kind, group, role in components:
        lines.append(f'{cid} = system.component("{cid}", "{label}", kind="{kind}", group="{group}", role="{role}")')
    lines += [
        "",
        'write = system.path("write", "Write path")',
        f'write.step(1, client, edge, "The client sends a new {noun} over HTTPS ({pick.randrange(1, 64)} kB at most).")',
        f'write.step(2, edge, api, "The {edge[1].lower()} passes the request to a {service[1].lower()} instance.")',
        f'write.step(3, api, store, "The {service[1].lower()} stores the {noun} under a new ID.")',
        f'write.step(4, api, queue, "It publishes a `{noun}_created` event.")',
        f'write.step(5, api, cache, "It drops any cached copy of the {noun}.", when="If the {noun} replaced an older one")',
        f'write.step(6, api, client, "It returns the new ID (HTTP 201).")',
        f'write.note("Writes wait for the store only; the event is handled later, so search lags by seconds.")',
        "",
        'read = system.path("read", "Read path")',
        f'read.step(1, client, edge, "The client asks for a {noun} by ID.")',
        f'read.step(2, edge, api, "The request reaches a {service[1].lower()} instance.")',
        f'read.step(3, api, cache, "The {service[1].lower()} looks for the {noun} in the cache; a hit returns at once.")',
        f'read.step(4, api, store, "It reads the {noun} from the store.", when="On a cache miss")',
        f'read.step(5, api, cache, "It keeps the {noun} in the cache for {pick.randrange(1, 30)} minutes.", when="On a cache miss")',
        f'read.step(6, api, client, "It returns the {noun} (HTTP 200).")',
        f'read.note("A {noun} that is read often stays in the cache; the {last} sees only misses.")',
    ]
    script = "\n".join(lines) + "\n"
    page = f"""---
description: A generated {noun} system for the build benchmark - a write path and a read path with a cache.
---

# {title}

A generated system: clients write {noun}s and read them back through a cache.

**Similar services:** none, it is generated.

## Requirements

Functional
:   Store a {noun} and read it back by ID.

Non-functional
:   Reads outnumber writes; a read should usually be served from the cache.

## High-level design

1. Writes go to the store, then an event is published.
2. Reads try the cache first.

### Write path

<!-- blueprint: {system_id}/write -->

### Read path

<!-- blueprint: {system_id}/read -->

## Trade-offs

The cache makes reads fast and may serve a {noun} a few minutes old.
"""
    return system_id, script, page


def make_synthetic(project: Path, target: Path) -> Path:
    """A copy of `project` (with its notebook cache) plus SYNTHETIC_SYSTEMS generated systems."""
    synthetic = copy_project(target, source=project)
    share_notebook_cache(project, synthetic)
    for number in range(1, SYNTHETIC_SYSTEMS + 1):
        system_id, script, page = synthetic_system(number)
        (synthetic / "diagrams" / f"{system_id}.py").write_text(script, encoding="utf-8")
        (synthetic / "docs" / "systems" / f"{system_id}.md").write_text(page, encoding="utf-8")
    return synthetic


# --- the run --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="builds per case; the median is reported")
    parser.add_argument("--only", default=",".join(CASES),
                        help=f"comma-separated cases among {', '.join(CASES)} (plain always runs)")
    args = parser.parse_args()
    only = [case.strip() for case in args.only.split(",") if case.strip()]
    unknown = set(only) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s) {', '.join(sorted(unknown))}; choose among {', '.join(CASES)}")

    runs: dict[str, list[Run]] = {}
    with tempfile.TemporaryDirectory(prefix="blueprint-bench-") as scratch:
        scratch = Path(scratch)
        project = copy_project(scratch / "main" / "project")
        cache = scratch / "main" / "cache"
        mkdocs_build(project, cache)  # warms both caches
        plain = make_plain(project, cache)

        def measure(name: str, build) -> None:
            runs.setdefault(name, []).append(build())
            print(f"  {name}: {runs[name][-1]}", file=sys.stderr, flush=True)

        for number in range(args.repeat):
            print(f"repeat {number + 1} of {args.repeat}", file=sys.stderr, flush=True)
            measure("plain", lambda: mkdocs_build(plain, scratch / "main" / "unused-cache"))
            if "fresh" in only:
                shutil.rmtree(cache, ignore_errors=True)
                shutil.rmtree(project / ".cache", ignore_errors=True)
                measure("fresh clone", lambda: mkdocs_build(project, cache))
            if "cold" in only or "synthetic" in only:
                shutil.rmtree(cache, ignore_errors=True)
                measure("pictures cold", lambda: mkdocs_build(project, cache))
            if "warm" in only or "synthetic" in only:  # every case before leaves both caches warm
                measure("warm", lambda: mkdocs_build(project, cache))
            if "changed" in only:
                edit_one_step(project, f"edited{number}")
                measure("one changed", lambda: mkdocs_build(project, cache))
        if "serve" in only:
            print("serve", file=sys.stderr, flush=True)  # the last build left both caches warm
            runs["serve"] = serve_loop(project, cache, args.repeat)
            print(f"  serve: {runs['serve']}", file=sys.stderr, flush=True)
        if "synthetic" in only:
            print("synthetic: generating and rendering", file=sys.stderr, flush=True)
            synthetic = make_synthetic(project, scratch / "synthetic" / "project")
            synthetic_cache = scratch / "synthetic" / "cache"
            synthetic_plain = make_plain(synthetic, synthetic_cache)
            for number in range(args.repeat):
                print(f"synthetic repeat {number + 1} of {args.repeat}", file=sys.stderr, flush=True)
                measure("100 systems plain", lambda: mkdocs_build(synthetic_plain, scratch / "synthetic" / "unused"))
                shutil.rmtree(synthetic_cache, ignore_errors=True)
                measure("100 systems cold", lambda: mkdocs_build(synthetic, synthetic_cache))
                measure("100 systems warm", lambda: mkdocs_build(synthetic, synthetic_cache))

    report(runs)


def median(runs: list[Run]) -> float:
    return statistics.median(run.seconds for run in runs)


def counts(runs: list[Run], field: str) -> str:
    values = sorted({getattr(run, field) for run in runs}, key=str)
    return "-" if values == [None] else ",".join(map(str, values))


def report(runs: dict[str, list[Run]]) -> None:
    # case: (its baseline, the highest ratio allowed or None, whether 0 rendered and executed are required)
    targets = {
        "plain": ("plain", None, False),
        "fresh clone": ("plain", 3.0, False),
        "pictures cold": ("plain", 1.5, False),
        "warm": ("plain", 1.05, True),
        "one changed": ("plain", None, False),
        "serve": ("plain", 0.7, False),
        "100 systems plain": ("plain", None, False),
        "100 systems cold": ("100 systems plain", None, False),
        "100 systems warm": ("100 systems plain", 1.1, True),
    }
    print(f"{'case':<18} {'median s':>9} {'ratio':>12} {'rendered':>9} {'executed':>9} {'target':>14}  met")
    for name, (baseline, limit, nothing_done) in targets.items():
        if name not in runs:
            continue
        seconds = median(runs[name])
        ratio = seconds / median(runs[baseline])
        rendered, executed = counts(runs[name], "rendered"), counts(runs[name], "executed")
        if limit is None:
            target, met = "report", ""
        else:
            target = f"<= {limit:g}x" + (", 0+0" if nothing_done else "")
            met = ratio <= limit and (not nothing_done or (rendered == "0" and executed == "0"))
            met = "yes" if met else "NO"
        versus = "" if baseline == "plain" else " (own)"
        print(f"{name:<18} {seconds:9.2f} {ratio:6.2f}x{versus:<5} {rendered:>9} {executed:>9} {target:>14}  {met}")
    if "100 systems plain" in runs:
        print(f"per added system (the {SYNTHETIC_SYSTEMS} systems' build minus the unmodified project's, "
              f"/ {SYNTHETIC_SYSTEMS}):")
        for kind, base in (("plain", "plain"), ("cold", "pictures cold"), ("warm", "warm")):
            added = (median(runs[f"100 systems {kind}"]) - median(runs[base])) / SYNTHETIC_SYSTEMS
            print(f"  {kind:<6} {added * 1000:6.0f} ms")
    print("target 0+0: no picture rendered and no notebook executed; serve is from saving a script "
          "to the page being served with the change")


if __name__ == "__main__":
    main()
