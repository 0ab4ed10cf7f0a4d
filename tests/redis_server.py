"""A private Redis server for the test session, and redis-cli to talk to it as a reader would.

`RedisServer` runs Debian's `redis-server` on a free port in a temporary directory, with
persistence off (no RDB or AOF file is written anywhere), and removes it all on `stop()`.
`cli()` runs one command through `redis-cli`, so a transcript on the site is compared with
exactly what a reader typing that command would see.
"""

from __future__ import annotations

import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import redis


class RedisUnavailable(RuntimeError):
    """The test server could not be started; the message says why and what to do."""


def _binary(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise RedisUnavailable(
            f"no `{name}` on PATH: `./run test` installs Debian's `redis-server` package "
            "(it brings redis-cli), or install it yourself (apt-get install redis-server)"
        )
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """`start()`, then `client()` (redis-py) or `cli(...)` (redis-cli) as often as needed, `stop()`."""

    def __init__(self) -> None:
        self.server = _binary("redis-server")
        self.redis_cli = _binary("redis-cli")
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="redis-test-"))
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        # Arguments on the command line, no config file: the server runs as root too, and
        # --save '' with --appendonly no leaves no dump.rdb or AOF behind.
        self.process = subprocess.Popen(
            [self.server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--logfile", str(self.folder / "server.log"), "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RedisUnavailable(f"redis-server exited with code {self.process.returncode}: "
                                       f"{self.process.stderr.read().decode(errors='replace')}")
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RedisUnavailable(f"redis-server did not answer on port {self.port} within 20 s")

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, decode_responses=True, socket_timeout=10)

    def cli(self, command_line: str) -> str:
        """What redis-cli prints for one command line, typed as a reader would type it."""
        done = subprocess.run(
            [self.redis_cli, "--no-raw", "-h", "127.0.0.1", "-p", str(self.port), *shlex.split(command_line)],
            capture_output=True, text=True, timeout=30,
        )
        if done.returncode != 0:
            raise RedisUnavailable(f"redis-cli failed on {command_line!r}: {done.stderr}")
        return done.stdout.rstrip("\n")

    def commands(self) -> dict[str, dict]:
        """Every command this server knows, by upper-case name, with its arity."""
        return {name.upper(): info for name, info in self.client().command().items()}

    def stop(self) -> None:
        try:
            if self.process and self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
