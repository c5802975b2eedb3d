"""Test servers started by fork from a process that imported the server once (a "zygote"), not by a fresh
`python -m o2o_tui.platform` each: its ~580 modules cost ~1.2 s of CPU per start on this machine, and the suite
starts some 700 servers (`tests/support/platform.py`). The child runs the same `o2o_tui.platform.__main__.main`
with the test's argv, environment, working directory and log file as the subprocess would; what differs is only
that its modules were imported before the fork. Settings, the language and the secret are all read when the
server starts, never at import (tests/test_server_fork.py checks both ways give one server). The zygote also holds
one Litestar app built from the arguments a warm-up `create_app` gave it (its routes registered: ~0.15 s of a
server's CPU); a child's `create_app` takes it with the child's own start and stop hooks, its database and settings
being in those hooks and `app.state` (`_prebuilt`; a server start falls back to building its own app when
`create_app` hands Litestar anything else). A forked server's start: ~0.2 s of CPU before, ~0.06 s with it.

On unless O2O_TEST_SERVER_FORK=0 (each server a fresh process then). Measured on 2 cores, 48 test files at
`-n 4`: 134 s forked against 154 s fresh (stop 45's whole run at 34 minutes with it on was the machine: the same
suite with it off ran 38 minutes in CI that day). The tests that check the server's own start (`o2o serve`,
`python -m o2o_tui.platform`, the one-process lock) start it as a subprocess themselves
(`o2o_tui.platform.launch.start_server`).
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

SWITCH = "O2O_TEST_SERVER_FORK"

# Runs in the zygote (its own interpreter, started with the worker's environment): import what a server start
# imports, then for each request fork a supervisor, which forks the server and reports its pid and exit status.
_ZYGOTE = r"""
import atexit, gc, importlib, io, json, os, select, signal, socket, sys, threading, traceback

for name in (
    "o2o_tui.platform.__main__", "o2o_tui.platform.server", "o2o_tui.platform.app", "o2o_tui.platform.jobs",
    "o2o_tui.platform.routes", "o2o_tui.platform.db", "o2o_tui.platform.server_secret",
    "o2o_tui.platform.sqlite_lock", "o2o_tui.platform.settings", "o2o_tui.cli.admin", "uvicorn",
    "uvicorn.protocols.http.h11_impl", "uvicorn.protocols.http.httptools_impl", "uvicorn.lifespan.on",
    "uvicorn.loops.asyncio", "sqlalchemy.dialects.sqlite.pysqlite", "sqlalchemy.dialects.postgresql.psycopg",
    "psycopg",
):
    try:
        importlib.import_module(name)
    except ImportError:
        pass
from o2o_tui.platform.__main__ import main as server_main


def warm_up():
    # one app built on a throwaway SQLite file, so what a first `create_app` imports and works out is done before
    # the fork, not in every server; and a second Litestar app made from the very same arguments, its routes
    # registered (Litestar's handler signatures and type hints: ~0.15 s of CPU in every server), for the child's
    # `create_app` to take with its own start and stop hooks (`_prebuilt`)
    import shutil, tempfile
    import o2o_tui.platform.app as app_module
    folder = tempfile.mkdtemp(prefix="o2o-zygote-warm-")
    kept = {name: os.environ.get(name) for name in ("O2O_SECRET_FILE", "O2O_HOME")}
    os.environ.update(O2O_SECRET_FILE=os.path.join(folder, "secret.key"), O2O_HOME=os.path.join(folder, "home"))
    litestar_app = app_module._App
    asked = []

    def noted(**kwargs):
        asked.append(kwargs)
        return litestar_app(**kwargs)

    app_module._App = noted
    try:
        app = app_module.create_app("sqlite:///" + os.path.join(folder, "warm.sqlite3"), run_jobs=False)
        app.state.platform.engine.dispose()
        if len(asked) == 1:
            _prebuilt(app_module, litestar_app, asked[0])
    except Exception:
        pass  # a warm-up only: the servers start (and say why not) as without it
    finally:
        if app_module._App is noted:
            app_module._App = litestar_app
        for name, value in kept.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(folder, ignore_errors=True)


# what a server's `create_app` hands Litestar that is its own: its start and stop (closures on its database); the
# rest must be what the warm-up's was (the same handlers, the same plain values), or the child builds its own
_OWN = ("on_startup", "on_shutdown")


def _prebuilt(app_module, litestar_app, warm):
    spare = litestar_app(**warm)

    def same(kwargs):
        if set(kwargs) != set(warm):
            return False
        for name, value in kwargs.items():
            if name in _OWN:
                continue
            if isinstance(value, (bool, int, float, str, type(None))) and value != warm[name]:
                return False
        return [_named(v) for v in _items(kwargs["route_handlers"])] == [_named(v) for v in _items(warm["route_handlers"])]

    def take(**kwargs):
        nonlocal spare
        if spare is None or not same(kwargs):
            return litestar_app(**kwargs)
        app, spare = spare, None
        for name in _OWN:  # Litestar runs `app.on_startup` / `app.on_shutdown` as they are at its lifespan
            getattr(app, name)[:] = list(kwargs[name] or [])
        return app

    app_module._App = take


def _items(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _named(value):
    return getattr(value, "__qualname__", type(value).__qualname__)


warm_up()
gc.freeze()  # what the imports made stays out of the children's collections: their pages stay shared

if threading.active_count() != 1:  # a thread now would be copied half-way into every child: refuse
    print("threads", flush=True)
    sys.exit(1)
parent = os.getppid()
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(sys.argv[1])
listener.listen(16)
listener.settimeout(1.0)
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # supervisors are reaped by the kernel
print("ready", flush=True)


def run_server(request):
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    os.close(null)
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), line_buffering=True, write_through=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), line_buffering=True, write_through=True,
                                  errors="backslashreplace")
    sys.argv = ["python -m o2o_tui.platform", *request["argv"]]
    code = 0
    try:
        server_main(request["argv"])
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if stop.code is not None and not isinstance(stop.code, int):
            print(stop.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
        code = 1
    try:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


while True:
    try:
        conn, _ = listener.accept()
    except socket.timeout:
        if os.getppid() != parent:  # the test worker is gone
            sys.exit(0)
        continue
    with conn.makefile("rb") as reader:
        request = json.loads(reader.readline())
    if os.fork() != 0:
        conn.close()
        continue
    listener.close()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    server = os.fork()
    if server == 0:
        conn.close()
        for sig in (signal.SIGTERM, signal.SIGHUP):  # as a fresh interpreter has them
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        run_server(request)
    conn.sendall(f"{server}\n".encode())
    while True:  # the server's end; or the test worker's (its end of the connection closes): the server goes too
        done, status = os.waitpid(server, os.WNOHANG)
        if done:
            break
        ready, _, _ = select.select([conn], [], [], 0.5)
        if ready and not conn.recv(1, socket.MSG_PEEK):
            os.kill(server, signal.SIGKILL)
            os.waitpid(server, 0)
            os._exit(0)
    try:
        conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
    finally:
        os._exit(0)
"""


class ForkedServer:
    """The parts of `subprocess.Popen` the tests use, for a server forked by the zygote: its pid, signals, and its
    exit code as Popen gives it (negative for a signal), reported by its supervisor over the connection."""

    def __init__(self, conn: socket.socket, args: list[str]) -> None:
        self._conn = conn
        self._pending = b""
        self.args = args
        self.returncode: int | None = None
        self.pid = int(self._line(timeout=30))

    def _line(self, timeout: float | None) -> str:
        while b"\n" not in self._pending:
            ready, _, _ = select.select([self._conn], [], [], timeout)
            if not ready:
                raise subprocess.TimeoutExpired(self.args, timeout or 0)
            chunk = self._conn.recv(4096)
            if not chunk:
                raise RuntimeError("the server's supervisor went away")
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line.decode()

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self.returncode = int(self._line(timeout=0))
            except subprocess.TimeoutExpired:
                return None
            self._conn.close()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self.returncode = int(self._line(timeout=timeout))
            self._conn.close()
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Zygote:
    def __init__(self) -> None:
        self._dir = tempfile.mkdtemp(prefix="o2o-zygote-")
        self.path = str(Path(self._dir) / "socket")
        self.process = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE, self.path],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert self.process.stdout is not None
        said = self.process.stdout.readline().strip()
        if said != b"ready":
            self.close()
            raise RuntimeError(f"the server zygote did not start: {said!r}")

    def fork(self, argv: list[str], env: dict[str, str], log_path: Path) -> ForkedServer:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(self.path)
        request = {"argv": argv, "env": env, "cwd": os.getcwd(), "log": str(log_path)}
        conn.sendall(json.dumps(request).encode() + b"\n")
        return ForkedServer(conn, [sys.executable, "-m", "o2o_tui.platform", *argv])

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        with_path = Path(self.path)
        with_path.unlink(missing_ok=True)
        with_path.parent.rmdir()


_lock = threading.Lock()
_zygote: Zygote | None = None
_failed = False


def zygote() -> Zygote | None:
    """This worker's zygote, started at its first use (None when switched off or it cannot start: a subprocess
    then, as before)."""
    global _zygote, _failed
    if os.environ.get(SWITCH, "1") == "0" or _failed:
        return None
    with _lock:
        if _zygote is None or _zygote.process.poll() is not None:
            try:
                _zygote = Zygote()
            except (OSError, RuntimeError):
                _failed = True
                return None
            atexit.register(_zygote.close)
        return _zygote


# what only a fresh process takes: the loader's (libfaketime's LD_PRELOAD, FAKETIME) and the interpreter's own
_AT_EXEC = ("LD_", "FAKETIME", "PYTHON")


def forkable(env: dict[str, str]) -> bool:
    """Whether a server started with `env` (added to this worker's environment) can be forked: not when it sets
    what a process reads only as it starts (LD_PRELOAD, PYTHON*), which a fork would not take."""
    return not any(name.startswith(_AT_EXEC) and name != "PYTHONUNBUFFERED" for name in env)
