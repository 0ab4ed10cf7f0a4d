"""What a reader downloads: bytes (raw and gzip) of a first visit to each system page
(and to one page of every other kind), of each picture, and of the search index,
measured in Debian's chromium.

    .venv/bin/python benchmarks/page_weight.py      (builds the site into a scratch folder)

Budgets: each picture <= 30 KB gzip (with its icons); each system page's first visit
<= 130 KB gzip with all its pictures. A first visit starts with an empty browser cache;
the search index and the search worker load only when the reader first uses search.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
PICTURE_BUDGET = 30 * 1024
PAGE_BUDGET = 130 * 1024


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


def kb(size: int) -> str:
    return f"{size / 1024:7.1f}"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="page-weight-") as scratch:
        site = Path(scratch) / "site"
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site)],
            cwd=ROOT, check=True, capture_output=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        pages = sorted(p.relative_to(site).as_posix() for p in (site / "systems").glob("*.html") if p.name != "index.html")
        # one page of every other kind, for comparison (the budget is for system pages)
        others = ["index.html", "template.html", "sql.html", "systems/index.html", "concepts/index.html",
                  "concepts/bloom_filter.html", "concepts/consensus.html", "concepts/notebooks/hyperloglog_error.html"]
        systems = set(pages)
        pages += [name for name in others if (site / name).exists()]
        over = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            )
            print(f"{'first visit':<36} {'requests':>8} {'raw KB':>8} {'gzip KB':>8}")
            pictures = []
            for name in pages:
                context = browser.new_context()  # empty cache: a first visit
                page = context.new_page()
                bodies: dict[str, bytes] = {}
                page.on("response", lambda response, bodies=bodies: bodies.setdefault(response.url, response.body()))
                page.goto(base + name, wait_until="networkidle")
                raw = sum(len(body) for body in bodies.values())
                zipped = sum(gz(body) for body in bodies.values())
                print(f"{name:<36} {len(bodies):8d} {kb(raw)} {kb(zipped)}")
                if name in systems and zipped > PAGE_BUDGET:
                    over.append(f"{name}: {zipped} B gzip")
                for figure in page.query_selector_all("figure.blueprint-figure"):
                    svg = figure.eval_on_selector("svg", "svg => svg.outerHTML").encode()
                    icons = {
                        href: bodies.get(href, b"")
                        for href in figure.eval_on_selector_all("svg image", "images => images.map(i => i.href.baseVal ? new URL(i.href.baseVal, document.baseURI).href : '')")
                    }
                    icon_bytes = sum(len(body) for body in icons.values())
                    pictures.append((figure.get_attribute("data-picture"), len(svg), gz(svg), icon_bytes))
                context.close()
            browser.close()
        server.shutdown()

        print(f"\n{'picture':<36} {'SVG raw':>8} {'SVG gz':>8} {'+icons':>8}")
        for picture, raw, zipped, icon_bytes in pictures:
            print(f"{picture:<36} {kb(raw)} {kb(zipped)} {kb(zipped + icon_bytes)}")
            if zipped + icon_bytes > PICTURE_BUDGET:
                over.append(f"{picture}: {zipped + icon_bytes} B gzip with icons")
        sizes = sorted(zipped + icons for _, _, zipped, icons in pictures)
        if sizes:
            print(f"median picture with its icons: {kb(sizes[len(sizes) // 2]).strip()} KB gzip; largest {kb(sizes[-1]).strip()} KB")

        index = (site / "search" / "search_index.json").read_bytes()
        print(f"\nsearch index: {kb(len(index)).strip()} KB raw, {kb(gz(index)).strip()} KB gzip "
              "(loaded once, on the first search)")
        print("over budget: " + ("; ".join(over) if over else "nothing"))


if __name__ == "__main__":
    main()
