"""`mkdocs serve`: editing a diagram script or a DDL file re-renders it once, with no rebuild
loop, and an incremental serve rebuilds exactly the pages the change reaches."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from conftest import FIXTURES, make_project

SCRIPT = (FIXTURES / "valid_tiny.py").read_text().replace(
    'tiny = System("Tiny")',
    'tiny = System("Tiny", schema="schemas/users_pastes.sql", relationships=["users 1-to-many pastes"])',
)
PAGE = "# Tiny\n\n<!-- blueprint: tiny/write -->\n\n<!-- blueprint: tiny/schema -->\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, project, cache, *, dirty=True, **env):
        """`dirty`: as `./run serve` runs it, rebuilding only what a change reaches."""
        self.port = free_port()
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", *(["--dirty"] if dirty else []), "--dev-addr", f"127.0.0.1:{self.port}"],
            cwd=project,
            env={**os.environ, "BLUEPRINT_CACHE": str(cache), "NO_MKDOCS_2_WARNING": "1", **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.log.append(line)
            if text in line:
                return line
        raise AssertionError(f"mkdocs serve never said {text!r}; it said:\n{''.join(self.log)}")

    def quiet_for(self, seconds: float) -> list[str]:
        """Lines printed during `seconds` of doing nothing."""
        time.sleep(seconds)
        said = []
        while not self.lines.empty():
            said.append(self.lines.get())
        self.log.extend(said)
        return said

    def get(self, path: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as response:
            return response.read().decode()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


def test_editing_a_script_or_a_ddl_rerenders_it_once(tmp_path):
    project = make_project(tmp_path / "project", {"tiny.py": SCRIPT}, {"index.md": PAGE})
    server = Server(project, tmp_path / "cache")
    try:
        server.wait_for("rendered 2 of 2 pictures")
        server.wait_for("Serving on")
        assert "The server stores it." in server.get("/")

        script = project / "diagrams" / "tiny.py"
        script.write_text(SCRIPT.replace("The server stores it.", "The server stores it twice."))
        server.wait_for("rendered 1 of 2 pictures")
        server.wait_for("Reloading browsers")
        assert "The server stores it twice." in server.get("/")

        ddl = project / "snippets" / "schemas" / "users_pastes.sql"
        ddl.write_text(ddl.read_text().replace("body TEXT", "body TEXT, expires_at TIMESTAMP"))
        server.wait_for("rendered 1 of 2 pictures")
        server.wait_for("Reloading browsers")
        assert "expires_at" in server.get("/")

        later = server.quiet_for(4)
        assert not [line for line in later if "Building documentation" in line or "rendered" in line], later
    finally:
        server.stop()


def test_serve_survives_a_script_that_hangs_or_exits_and_recovers_when_it_is_fixed(tmp_path):
    project = make_project(tmp_path / "project", {"tiny.py": SCRIPT}, {"index.md": PAGE})
    server = Server(project, tmp_path / "cache", BLUEPRINT_SCRIPT_TIMEOUT="1")
    try:
        server.wait_for("Serving on")
        script = project / "diagrams" / "tiny.py"
        script.write_text(SCRIPT + "\nwhile True:\n    pass\n")
        server.wait_for("diagrams/tiny.py: the script did not finish within 1 s")
        script.write_text(SCRIPT + "\nimport sys\nsys.exit(0)\n")
        server.wait_for("diagrams/tiny.py: the script called exit()")
        assert server.process.poll() is None, "serve is still running"
        script.write_text(SCRIPT.replace("The server stores it.", "The server stores it, fixed."))
        server.wait_for("rendered 1 of 2 pictures")
        server.wait_for("Reloading browsers")
        assert "The server stores it, fixed." in server.get("/")
    finally:
        server.stop()


@pytest.mark.parametrize("dirty", [True, False], ids=["incremental", "full"])
def test_serve_rebuilds_the_pages_a_change_reaches_and_search_lists_each_page_once(tmp_path, dirty):
    other = "# Other\n\nNothing drawn here.\n\n## A section\n\nText.\n"
    project = make_project(tmp_path / "project", {"tiny.py": SCRIPT}, {"index.md": PAGE, "other.md": other})
    with (project / "mkdocs.yml").open("a", encoding="utf-8") as config:
        # as the site is configured: the home page's entries are "index.html", not ""
        config.write("use_directory_urls: false\ntheme:\n  name: material\nplugins:\n  - search\n")
    server = Server(project, tmp_path / "cache", dirty=dirty)
    try:
        server.wait_for("Serving on")
        script = project / "diagrams" / "tiny.py"
        script.write_text(SCRIPT.replace("The server stores it.", "The server stores it, edited."))
        if dirty:  # the page that draws the script, not the other one
            server.wait_for("blueprint: 1 pages rebuilt for changes outside their Markdown")
        server.wait_for("Reloading browsers")
        assert "The server stores it, edited." in server.get("/")
        (project / "docs" / "other.md").write_text(other.replace("Text.", "Text, edited."))
        server.wait_for("Reloading browsers")
        assert "Text, edited." in server.get("/other.html")
        (project / "docs" / "other.md").write_text(other.replace("Text.", "Text, edited.").replace("# Other", "# Another"))
        if dirty:  # every page's navigation shows the title
            server.wait_for("blueprint: 2 pages rebuilt for changes outside their Markdown")
        server.wait_for("Reloading browsers")
        assert "Another" in server.get("/index.html")

        ddl = project / "snippets" / "schemas" / "users_pastes.sql"
        ddl.write_text(ddl.read_text().replace("body TEXT", "body TEXT, expires_at TIMESTAMP"))
        if dirty:  # a snippet may be included by any page: all of them
            server.wait_for("blueprint: 2 pages rebuilt for changes outside their Markdown")
        server.wait_for("Reloading browsers")
        assert "expires_at" in server.get("/")

        index = json.loads(server.get("/search/search_index.json"))
        locations = [entry["location"] for entry in index["docs"]]
        assert sorted(set(locations)) == sorted(locations), "a page listed twice"
        assert {"index.html", "other.html", "other.html#a-section"} <= set(locations), locations
        assert "Text, edited." in json.dumps(index) and "Text." not in json.dumps(index).replace("Text, edited.", "")
    finally:
        server.stop()
