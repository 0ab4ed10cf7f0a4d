"""The SQL page's three engines for the tests: SQLite, DuckDB and a real PostgreSQL server.

`PostgresServer` runs a throwaway server (temporary directory, free port, private socket
directory). PostgreSQL refuses to run as root, so as root (CI) it runs as `postgres`.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Callable

import duckdb
import psycopg

from blueprint.sql_pages import load_sample, sample_database

ENGINES = ("sqlite", "duckdb", "postgres")


class PostgresUnavailable(RuntimeError):
    """The test server could not be started; the message says why and what to do."""


def postgres_bin() -> Path:
    """The folder holding initdb and pg_ctl: Debian's newest version, else whatever PATH has."""
    installed = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda path: int(path.split("/")[4]))
    if installed:
        return Path(installed[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    raise PostgresUnavailable(
        "no PostgreSQL server binaries (pg_ctl, initdb): `./run test` installs Debian's "
        "`postgresql` package, or install it yourself (apt-get install postgresql)"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """A private PostgreSQL server: `start()`, `connect()` as often as needed, `stop()`."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="sql-page-postgres-"))
        self.data = self.folder / "data"
        self.sockets = self.folder / "sockets"
        self.log = self.folder / "server.log"
        self._as_postgres = os.geteuid() == 0

    def start(self) -> None:
        self.sockets.mkdir()
        if self._as_postgres:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(
                    "running as root, and PostgreSQL refuses to run as root: the `postgres` system user "
                    "is needed (Debian's postgresql package creates it)"
                ) from None
            for path in (self.folder, self.sockets):
                shutil.chown(path, "postgres", "postgres")
        # --no-sync and fsync=off: a throwaway server need not survive a power cut, and
        # skipping the flushes saves seconds. Locale C makes text ordering the same everywhere.
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync",
                  "--locale=C", "--encoding=UTF8")
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "30", "start")

    def connect(self) -> psycopg.Connection:
        # autocommit: BEGIN, COMMIT and ROLLBACK in a section are sent as written.
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                               autocommit=True, connect_timeout=10)

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *arguments: str) -> None:
        command = [str(self.bin / program), *arguments]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PostgresUnavailable(f"`{' '.join(command)}` could not run: {error}") from None
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else "(no server log)"
            raise PostgresUnavailable(
                f"`{' '.join(command)}` failed with exit code {done.returncode}:\n"
                f"{done.stdout}{done.stderr}\nserver log:\n{log}"
            )


class PostgresDatabase:
    """One database on a shared server: each test module gets its own, so that the session
    starts one server instead of one per module. `connect()` as often as needed."""

    def __init__(self, server: PostgresServer, name: str) -> None:
        self.server = server
        self.name = name
        self.port = server.port

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.server.port, user="postgres", dbname=self.name,
                               autocommit=True, connect_timeout=10)


_schemas = itertools.count(1)


def sample_connection(engine: str, root: Path, connect_postgres: Callable[[], psycopg.Connection] | None = None) -> Any:
    """A connection to a fresh copy of the sample data on one engine (PostgreSQL: through `connect_postgres`)."""
    if engine == "sqlite":
        return sample_database(root)
    if engine == "duckdb":
        connection = duckdb.connect(":memory:")
        load_sample(connection, root)
        return connection
    if engine == "postgres":
        if connect_postgres is None:
            raise ValueError("the postgres engine needs a way to connect to the running server")
        connection = connect_postgres()
        # A schema per copy is far cheaper than a database per copy; EXPLAIN does not
        # print schema names, so plans read the same.
        schema = f"sample_{next(_schemas)}"
        connection.execute(f"CREATE SCHEMA {schema}")
        connection.execute(f"SET search_path TO {schema}")
        load_sample(connection, root)
        return connection
    raise ValueError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")


def driver_errors(engine: str) -> tuple[type[Exception], ...]:
    """The base class of every SQL error each driver raises."""
    return {"sqlite": (sqlite3.Error,), "duckdb": (duckdb.Error,), "postgres": (psycopg.Error,)}[engine]
