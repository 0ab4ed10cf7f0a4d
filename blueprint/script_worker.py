"""Diagram scripts run in a worker process, so that a time limit stops any of them.

A limit enforced inside the build's own process (a trace function, a watchdog thread)
cannot stop a loop in C code (`sum(range(10**11))` never returns to Python, and holds
the interpreter lock), and a script stopped that way leaves its thread running. A
separate process can always be killed. One worker is started per build process (early,
so that its start overlaps MkDocs loading its configuration) and kept for the next
script and the next rebuild; a script that runs too long or ends the process
(`os._exit`) costs only a new worker.

The worker sends back the systems a script declares, pickled; the build unpickles only
the model's own classes and plain values (see `_ModelOnly`), so no code of a script runs
in the build's process.
"""

from __future__ import annotations

import atexit
import dataclasses
import io
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
import traceback
from pathlib import Path

from blueprint import model
from blueprint.model import BlueprintError

_HEADER = struct.Struct(">Q")  # the length of each message
_START_LIMIT = 60  # seconds the worker may take to start on a busy machine


class ScriptWorker:
    """The build's side: one worker process, restarted after it is killed or dies."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._replies: queue.Queue = queue.Queue()
        self._ready = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the worker now (it takes ~0.1 s), so that the first script need not wait."""
        with self._lock:
            self._ensure_started()

    def run(self, script: Path, display: str, limit: float) -> dict:
        """The script's systems and docstring, {"<name>": System, ..., "__doc__": text};
        a BlueprintError naming `display` if it fails, ends the process or runs too long."""
        with self._lock:
            self._ensure_started()
            self._wait_ready(display)
            self._send((str(script), display))
            try:
                reply = self._replies.get(timeout=limit)
            except queue.Empty:
                self._kill()
                raise BlueprintError(
                    f"{display}: the script did not finish within {limit:g} s; a diagram script only declares a "
                    "system (set BLUEPRINT_SCRIPT_TIMEOUT to allow more time)"
                ) from None
            if reply is None:  # the worker died: os._exit(), a crash, a signal
                code = self._process.wait()
                self._process = None
                raise BlueprintError(
                    f"{display}: the script ended the process it runs in (exit status {code}); a diagram script "
                    "must not end the build"
                )
            kind, payload = reply
            if kind == "error":
                raise BlueprintError(payload)
            try:
                return _ModelOnly(io.BytesIO(payload)).load()
            except pickle.UnpicklingError as error:
                raise BlueprintError(
                    f"{display}: the system holds a value that is not plain data ({error}); use text, numbers, "
                    "lists and dicts in a diagram script"
                ) from None

    def stop(self) -> None:
        with self._lock:
            if self._process is not None:
                self._kill()

    def _ensure_started(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        package_parent = str(Path(model.__file__).resolve().parent.parent)
        self._replies = queue.Queue()
        self._ready = False
        self._process = subprocess.Popen(
            # The worker imports this very copy of blueprint, whatever is installed.
            [sys.executable, "-c", f"import sys; sys.path.insert(0, {package_parent!r}); "
             "from blueprint.script_worker import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # Its own session: Ctrl-C in a terminal reaches the build, not the worker, and
            # killing the group also stops whatever a script started.
            start_new_session=True,
        )
        threading.Thread(target=_read_replies, args=(self._process.stdout, self._replies), daemon=True,
                         name="blueprint script worker").start()

    def _wait_ready(self, display: str) -> None:
        if self._ready:
            return
        try:
            reply = self._replies.get(timeout=_START_LIMIT)
        except queue.Empty:
            reply = None
        if reply != ("ready", b""):
            self._kill()
            raise BlueprintError(f"{display}: the process that runs diagram scripts did not start (see the messages above)")
        self._ready = True

    def _send(self, request: tuple[str, str]) -> None:
        data = pickle.dumps(request)
        try:
            self._process.stdin.write(_HEADER.pack(len(data)) + data)
            self._process.stdin.flush()
        except OSError:
            pass  # the worker is gone; its reader reports that as None

    def _kill(self) -> None:
        process, self._process = self._process, None
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        process.wait()
        for stream in (process.stdin, process.stdout):
            try:
                stream.close()
            except OSError:
                pass


def _read_replies(stream, replies: queue.Queue) -> None:
    """Each reply as (kind, payload); None once the worker has gone."""
    try:
        while True:
            header = stream.read(_HEADER.size)
            if len(header) < _HEADER.size:
                break
            (length,) = _HEADER.unpack(header)
            # ("ok" | "error" | "ready", bytes or text), as serve() writes it
            replies.put(_ModelOnly(io.BytesIO(stream.read(length))).load())
    except (OSError, ValueError, EOFError, pickle.UnpicklingError):
        pass
    replies.put(None)


class _ModelOnly(pickle.Unpickler):
    """Unpickles the model's classes and plain values; anything else (a class a script
    defined, a function) would run or import code in the build's process."""

    # The model's own classes (System and its dataclasses), found rather than listed, so a
    # new part of the model cannot be forgotten here.
    ALLOWED = {("blueprint.model", name) for name, value in vars(model).items()
               if isinstance(value, type) and value.__module__ == model.__name__
               and (name == "System" or dataclasses.is_dataclass(value))}

    def find_class(self, module: str, name: str):
        if (module, name) in self.ALLOWED:
            return getattr(model, name)
        raise pickle.UnpicklingError(f"{module}.{name}")


_WORKER = ScriptWorker()
atexit.register(_WORKER.stop)


def run(script: Path, display: str, limit: float) -> dict:
    return _WORKER.run(script, display, limit)


def prestart() -> None:
    _WORKER.start()


def stop() -> None:
    _WORKER.stop()


# --- The worker's side --------------------------------------------------------------


def serve() -> None:
    """Run scripts sent on stdin, one at a time, replying on the original stdout."""
    import runpy

    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    # What a script prints or reads must not mix with the messages: its stdout goes to
    # stderr, its stdin is empty.
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    sys.stdout = sys.stderr

    def reply(kind: str, payload) -> None:
        data = pickle.dumps((kind, payload))
        replies.write(_HEADER.pack(len(data)) + data)
        replies.flush()

    reply("ready", b"")
    while True:
        header = requests.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return  # the build has finished
        script, display = pickle.loads(requests.read(_HEADER.unpack(header)[0]))
        try:
            namespace = runpy.run_path(script, run_name=f"blueprint_script_{Path(script).stem}")
        except BaseException as error:  # noqa: BLE001 - SystemExit too: reported, never obeyed
            reply("error", _describe(error, script, display))
            continue
        found = {name: value for name, value in namespace.items() if isinstance(value, model.System)}
        found["__doc__"] = namespace.get("__doc__")
        try:
            payload = pickle.dumps(found)
        except Exception as error:  # noqa: BLE001 - a lambda, a generator, an open file ...
            reply("error", f"{display}: the system holds a value that is not plain data ({type(error).__name__}: "
                           f"{error}); use text, numbers, lists and dicts in a diagram script")
            continue
        reply("ok", payload)


def _describe(error: BaseException, script: str, display: str) -> str:
    if isinstance(error, BlueprintError):
        return f"{display}: {error}"
    if isinstance(error, SystemExit):
        return f"{display}: the script called exit() ({error.code!r}); a diagram script must not end the build"
    # a script's own bug: say where it is, not a bare traceback
    line = next(
        (frame.lineno for frame in reversed(traceback.extract_tb(error.__traceback__)) if frame.filename == script),
        None,
    )
    where = f"{display}, line {line}" if line else display
    return f"{where}: {type(error).__name__}: {error}"
