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
import urllib.error
import urllib.request

import pytest

from conftest import FIXTURES, make_project

SCRIPT = (FIXTURES / "valid_tiny.py").read_text().replace(
    'tiny = System("Tiny")',
    'tiny = System("Tiny", schema="schemas/users_pastes.sql", relationships=["users 1-to-many pastes"])',
)
PAGE = "# Tiny\n\n<!-- blueprint: tiny/write -->\n\n<!-- blueprint: tiny/schema -->\n"


FAILED = "An error happened during the rebuild"  # what serve prints after a failed build


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
            [sys.executable, "-m", "mkdocs", "serve", *(["-v"] if os.environ.get("SERVE_VERBOSE") else []), *(["--dirty"] if dirty else []), "--dev-addr", f"127.0.0.1:{self.port}"],
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
        server.wait_for(FAILED)
        # the stopped script is stopped: nothing keeps running inside serve
        assert cpu_seconds(server.process.pid, over=3) < 0.5
        script.write_text(SCRIPT + "\nx = sum(range(10**11))\n")  # a loop in C code
        server.wait_for("Building documentation")
        server.wait_for(FAILED)
        assert cpu_seconds(server.process.pid, over=3) < 0.5
        script.write_text(SCRIPT + "\nimport sys\nsys.exit(0)\n")
        server.wait_for("diagrams/tiny.py: the script called exit()")
        assert server.process.poll() is None, "serve is still running"
        script.write_text(SCRIPT.replace("The server stores it.", "The server stores it, fixed."))
        server.wait_for("rendered 1 of 2 pictures")
        server.wait_for("Reloading browsers")
        assert "The server stores it, fixed." in server.get("/")
    finally:
        server.stop()


def cpu_seconds(pid: int, over: float) -> float:
    """CPU time a process and its children (the script worker) use during `over` seconds."""

    def used() -> float:
        total = 0.0
        for task in [pid, *children(pid)]:
            try:
                fields = open(f"/proc/{task}/stat").read().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
        return total

    before = used()
    time.sleep(over)
    return used() - before


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(stat[1]) == pid:
                found.append(int(entry))
    return found


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


# --- Incremental serve is never stale (issue 25, case 3) -----------------------------
# Each test drives a real `mkdocs serve --dirty` (as `./run serve` runs it) and, after
# each save, reads the served page and the served search index.

SYSTEMS_PAGE = "# Systems\n\n<!-- blueprint: systems -->\n"
CONCEPT = "# SQL at scale\n\nHow one database grows.\n"


def material_project(tmp_path, scripts: dict[str, str], pages: dict[str, str]):
    project = make_project(tmp_path / "project", scripts, pages)
    with (project / "mkdocs.yml").open("a", encoding="utf-8") as config:
        config.write("use_directory_urls: false\ntheme:\n  name: material\nplugins:\n  - search\n")
    return project


def search_index(server: Server) -> tuple[set[str], str]:
    """(the locations, the whole text) of the served search index."""
    index = json.loads(server.get("/search/search_index.json"))
    return {entry["location"] for entry in index["docs"]}, json.dumps(index)


def status(server: Server, path: str) -> int:
    try:
        server.get(path)
        return 200
    except urllib.error.HTTPError as error:
        return error.code


def saved(server: Server, file, text: str, *, expect: str = "Reloading browsers") -> str:
    """Save a file, wait until serve has rebuilt (`expect`: "Reloading browsers") or
    failed (FAILED); returns what that rebuild printed."""
    time.sleep(0.3)  # a new modification time, and a rebuild of its own
    start = len(server.log)
    file.write_text(text, encoding="utf-8")
    server.wait_for("Building documentation")
    server.wait_for(expect)
    return "".join(server.log[start:])


def test_a_script_saved_while_another_page_fails_appears_once_that_page_is_fixed(tmp_path):
    other = "# Other\n\nNothing drawn here.\n"
    project = material_project(tmp_path, {"tiny.py": SCRIPT}, {"index.md": PAGE, "other.md": other})
    server = Server(project, tmp_path / "cache")
    try:
        server.wait_for("Serving on")
        said = saved(server, project / "docs" / "other.md", other + "\n<!-- blueprint: tiny/nosuch -->\n", expect=FAILED)
        assert "the marker 'tiny/nosuch' names no picture" in said
        # the same failure again (MkDocs prints a repeated message only once)
        saved(server, project / "diagrams" / "tiny.py", SCRIPT.replace("The server stores it.", "The server stores it, saved meanwhile."),
              expect=FAILED)
        saved(server, project / "docs" / "other.md", other)
        assert "The server stores it, saved meanwhile." in server.get("/index.html")
        assert "The server stores it, saved meanwhile." in search_index(server)[1]
    finally:
        server.stop()


def test_renamed_labels_and_path_titles_reach_the_concept_pages_and_the_systems_table(tmp_path):
    project = material_project(tmp_path, {"tiny.py": SCRIPT}, {
        "index.md": SYSTEMS_PAGE, "systems/tiny.md": PAGE, "concepts/sql_at_scale.md": CONCEPT})
    server = Server(project, tmp_path / "cache")
    try:
        server.wait_for("Serving on")
        assert "Database" in server.get("/concepts/sql_at_scale.html")
        script = SCRIPT.replace('"Database", kind="postgresql"', '"Paste store", kind="postgresql"')
        saved(server, project / "diagrams" / "tiny.py", script)
        assert "Paste store" in server.get("/concepts/sql_at_scale.html")  # its "Used in these designs"
        assert "Paste store" in search_index(server)[1]
        saved(server, project / "diagrams" / "tiny.py", script.replace('"Write path"', '"Storing path"'))
        assert "storing path" in server.get("/index.html")  # the systems table lists the pictures
        assert "storing path" in search_index(server)[1]
    finally:
        server.stop()


def test_a_deleted_page_or_system_is_no_longer_served_or_found(tmp_path):
    extra = SCRIPT.replace('tiny = System("Tiny", schema="schemas/users_pastes.sql", relationships=["users 1-to-many pastes"])',
                           'extra = System("Extra")').replace("tiny.", "extra.").replace("Tiny", "Extra")
    project = material_project(tmp_path, {"tiny.py": SCRIPT, "extra.py": extra}, {
        "index.md": SYSTEMS_PAGE, "systems/tiny.md": PAGE, "systems/extra.md": "# Extra\n\nA spare system.\n\n<!-- blueprint: extra/write -->\n",
        "other.md": "# Other\n\nA page about zebras.\n"})
    server = Server(project, tmp_path / "cache")
    try:
        server.wait_for("Serving on")
        assert status(server, "/other.html") == 200 and status(server, "/assets/blueprint/extra/write.svg") == 200
        time.sleep(0.3)
        (project / "docs" / "other.md").unlink()
        server.wait_for("Building documentation")
        server.wait_for("Reloading browsers")
        assert status(server, "/other.html") == 404
        locations, text = search_index(server)
        assert "other.html" not in locations and "zebras" not in text
        (project / "docs" / "systems" / "extra.md").unlink()
        (project / "diagrams" / "extra.py").unlink()
        server.wait_for("Building documentation")
        server.wait_for("Reloading browsers")
        server.quiet_for(1.5)  # the two deletions may make two rebuilds
        for gone in ("/systems/extra.html", "/assets/blueprint/extra/write.svg"):
            assert status(server, gone) == 404, gone
        locations, text = search_index(server)
        assert not [location for location in locations if "extra" in location] and "A spare system" not in text
        assert "Extra" not in server.get("/index.html")  # nor in the systems table
        assert status(server, "/systems/tiny.html") == 200
    finally:
        server.stop()


def test_a_path_no_page_shows_is_refused_under_serve_as_by_the_full_build(tmp_path):
    project = material_project(tmp_path, {"tiny.py": SCRIPT}, {"index.md": PAGE, "other.md": "# Other\n"})
    server = Server(project, tmp_path / "cache")
    try:
        server.wait_for("Serving on")
        script = SCRIPT + '\nread = tiny.path("read", "Read path")\nread.step(1, client, server, "The client asks.")\n'
        said = saved(server, project / "diagrams" / "tiny.py", script, expect=FAILED)
        assert "docs/systems/tiny.md does not show tiny/read" in said
        saved(server, project / "docs" / "other.md", "# Other\n\n<!-- blueprint: tiny/read -->\n")
        assert "The client asks." in server.get("/other.html")
        assert "The client asks." in search_index(server)[1]
    finally:
        server.stop()
