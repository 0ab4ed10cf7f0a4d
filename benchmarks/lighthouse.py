"""Lighthouse scores of system pages, served gzipped as GitHub Pages serves them.

    npm install --prefix /tmp/lh lighthouse          # once; not a project dependency
    .venv/bin/python benchmarks/lighthouse.py site/ [--lighthouse /tmp/lh/node_modules/.bin/lighthouse]
        [--pages systems/dropbox.html,systems/chat.html,systems/pastebin.html] [--plain]

Serves the built site from a local HTTP server that gzips text (HTML, CSS, JS, SVG,
JSON) like GitHub Pages, runs Lighthouse's default mobile preset (a throttled
mid-range phone) in Debian's chromium, and prints performance, accessibility, best
practices and SEO per page with any audit that lost points. `--plain` serves without
compression, to see what it costs. Slow (about 20 s a page), so not part of the tests.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = ("systems/dropbox.html", "systems/chat.html", "systems/pastebin.html")
COMPRESSED = (".html", ".css", ".js", ".svg", ".json", ".xml", ".txt")


class Handler(http.server.SimpleHTTPRequestHandler):
    compress = True

    def log_message(self, *args):  # quiet
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if not (self.compress and path.is_file() and path.suffix in COMPRESSED
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")  # as GitHub Pages
        self.end_headers()
        return _Body(body)


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *args):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


Handler.extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".webp": "image/webp",
                          ".svg": "image/svg+xml", ".js": "text/javascript"}


def serve(site: Path, compress: bool) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = type("SiteHandler", (Handler,), {"compress": compress})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def run(lighthouse: str, url: str, chromium: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        subprocess.run(
            [lighthouse, url, "--quiet", "--output=json", f"--output-path={report}",
             f"--only-categories={','.join(CATEGORIES)}",
             "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking"],
            check=True, env={**os.environ, "CHROME_PATH": chromium}, timeout=300,
        )
        return json.loads(report.read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--lighthouse", default="lighthouse")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--plain", action="store_true", help="serve without gzip")
    args = parser.parse_args()
    server, base = serve(args.site.resolve(), compress=not args.plain)
    worst = 100
    try:
        print(f"{'page':28s} " + " ".join(f"{name:>14s}" for name in CATEGORIES))
        for page in args.pages.split(","):
            result = run(args.lighthouse, base + page, args.chromium)
            scores = {name: round(result["categories"][name]["score"] * 100) for name in CATEGORIES}
            worst = min(worst, *scores.values())
            print(f"{page:28s} " + " ".join(f"{scores[name]:>14d}" for name in CATEGORIES))
            for name in CATEGORIES:
                for ref in result["categories"][name]["auditRefs"]:
                    audit = result["audits"][ref["id"]]
                    if ref["weight"] and audit.get("score") is not None and audit["score"] < 1:
                        print(f"    {name}: {ref['id']} {audit['score']:.2f} {audit.get('displayValue', '')}")
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
