"""Shared fixtures: the real project's pictures, a built site, and throwaway projects."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# These machines are shared and noisy: a property test checks properties, never speed.
settings.register_profile("default", deadline=None)
settings.load_profile("default")

from blueprint.build import Catalogue, build

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
HOOKS = ROOT / "blueprint" / "mkdocs_hooks.py"

# Builds the tests start in other folders import this checkout's engine too, whatever
# copy an editable install (shared by several checkouts) points at.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))


@pytest.fixture(scope="session")
def catalogue(tmp_path_factory) -> Catalogue:
    """Every system of the real project, rendered from scratch into a private cache."""
    return build(ROOT, tmp_path_factory.mktemp("cache"))


def make_project(folder: Path, scripts: dict[str, str], pages: dict[str, str] | None = None) -> Path:
    """A small project: scripts in diagrams/, the fixture schemas, a one-page site."""
    (folder / "diagrams").mkdir(parents=True)
    for name, text in scripts.items():
        (folder / "diagrams" / name).write_text(text, encoding="utf-8")
    shutil.copytree(FIXTURES / "schemas", folder / "snippets" / "schemas")
    (folder / "docs").mkdir()
    for name, text in (pages or {"index.md": "# Home\n"}).items():
        (folder / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "docs" / name).write_text(text, encoding="utf-8")
    (folder / "mkdocs.yml").write_text(
        f"site_name: Fixture\nstrict: true\nhooks:\n  - {HOOKS}\nwatch:\n  - diagrams\n  - snippets\n",
        encoding="utf-8",
    )
    return folder


@dataclass
class Build:
    returncode: int
    log: str
    site: Path


def mkdocs_build(project: Path, site: Path, cache: Path) -> Build:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        env={**os.environ, "BLUEPRINT_CACHE": str(cache), "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    return Build(result.returncode, result.stdout + result.stderr, site)


@pytest.fixture(scope="session")
def site_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("site-cache")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, site_cache) -> Build:
    """The real site, built once with `mkdocs build --strict` and an empty diagram cache."""
    result = mkdocs_build(ROOT, tmp_path_factory.mktemp("site"), site_cache)
    assert result.returncode == 0, result.log
    return result


# --- A real browser --------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright; no browser download."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `./run test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site_url(built_site):
    """The built site served over http on 127.0.0.1, for the whole session."""
    handler = functools.partial(QuietHandler, directory=str(built_site.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def redis_server():
    """One private Redis server for the whole session (Debian's redis-server, no persistence)."""
    from redis_server import RedisServer

    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server():
    """One private PostgreSQL server for the whole session; modules get a database each."""
    from sql_engines import PostgresServer, PostgresUnavailable

    server = PostgresServer()
    try:
        server.start()
    except PostgresUnavailable as error:
        server.stop()
        pytest.fail(f"these tests need a real PostgreSQL server, and it could not start: {error}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def postgres_database(request, postgres_server):
    """A fresh database for this test module on the session's server, dropped afterwards."""
    import re

    from sql_engines import PostgresDatabase

    name = "test_" + re.sub(r"\W", "_", request.module.__name__.rsplit(".", 1)[-1])
    with postgres_server.connect() as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    yield PostgresDatabase(postgres_server, name)
    with postgres_server.connect() as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
