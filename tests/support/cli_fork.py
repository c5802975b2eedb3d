"""`o2o` commands the tests run to completion (`subprocess.run`) forked from a process that imported the CLI's
libraries once (a "zygote", as tests/support/server_fork.py does for servers), not started fresh: ~0.5-1 s of CPU
each, most of it imports, for some 650 runs of the suite; forked, ~0.1-0.2 s.

What the test starts is still a process of its own with the test's pipes: a small client (`python -I -S`, ~20 ms)
hands its stdin, stdout and stderr, its environment, working directory and the command's argv to the zygote, which
forks the command with them; the client forwards SIGINT, SIGTERM and SIGHUP to it and exits as it did (its code, or
the same signal). If the client is killed (a `timeout`), the command is killed too. So `subprocess.run`'s pipes,
`input`, `timeout`, `check` and return code are what they were.

Only what a fork can give as a fresh start would are forked: `subprocess.run` (a test that needs the command's pid,
process group or signals uses `Popen`: never forked), the two forms the tests write (`python -c "from o2o_tui.cli
import main; main()" ...` and `o2o ...` found on the PATH as this worker finds it), no terminal on stdin, stdout or
stderr (the client then starts the command fresh), not the commands that open a TUI or serve, and an environment
that agrees with the zygote's in what is read at start-up or import (the locale, PYTHON*, LD_*, typer's and rich's
switches). The zygote imports libraries and o2o modules that read no setting and translate nothing at import (the
command modules translate their help as they load: the child loads them). Off with O2O_TEST_CLI_FORK=0.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

SWITCH = "O2O_TEST_CLI_FORK"
CLI_SNIPPET = "from o2o_tui.cli import main; main()"

# commands that open a TUI, serve, or run until stopped: started fresh
_FRESH_COMMANDS = frozenset({"console", "courier", "demo", "serve", "ssh-gate", "simulate", "completion"})
# read at start-up or import: a command whose environment differs from the zygote's here is started fresh
# (typer reads its switches as it imports; rich reads NO_COLOR, TERM and COLUMNS as a console is made: in the child)
_AT_START = ("LANG", "LC_ALL", "LC_CTYPE", "LANGUAGE", "TERMINAL_WIDTH", "_TYPER_FORCE_DISABLE_TERMINAL",
             "GITHUB_ACTIONS", "FORCE_COLOR", "PY_COLORS", "TYPER_USE_RICH")
_AT_START_PREFIXES = ("PYTHON", "LD_", "FAKETIME", "_O2O_COMPLETE")
_NOT_AT_START = frozenset({"PYTHONDONTWRITEBYTECODE"})
_RUN_KEYWORDS = frozenset({"input", "capture_output", "timeout", "check", "stdin", "stdout", "stderr", "env", "cwd",
                           "text", "encoding", "errors", "universal_newlines"})

_ZYGOTE = r"""
import atexit, gc, importlib, io, json, os, select, signal, socket, sys, threading, traceback

for name in (
    "typer", "typer.main", "typer.core", "typer.rich_utils", "click", "rich.console", "rich.text", "rich.table",
    "rich.markup", "rich.panel", "httpx", "httpcore", "anyio", "anyio._backends._asyncio", "msgspec", "tinydb",
    "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.dialects.sqlite.pysqlite", "asyncio", "json", "csv", "uuid",
    "o2o_tui.cli", "o2o_tui.i18n", "o2o_tui.config", "o2o_tui.client.tls", "o2o_tui.platform.db",
):
    try:
        importlib.import_module(name)
    except ImportError:
        pass
from o2o_tui import i18n
from o2o_tui.cli import main as cli_main

if i18n._chosen is not None or threading.active_count() != 1:  # a language chosen or a thread: refuse to serve
    print("not clean", flush=True)
    sys.exit(1)
gc.freeze()
parent = os.getppid()
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(sys.argv[1])
listener.listen(16)
listener.settimeout(1.0)
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
print("ready", flush=True)
STDIO = [(sys.__stdin__.encoding, sys.__stdin__.errors), (sys.__stdout__.encoding, sys.__stdout__.errors),
         (sys.__stderr__.encoding, sys.__stderr__.errors)]


def run_command(request, fds):
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    (in_enc, in_err), (out_enc, out_err), (err_enc, err_err) = STDIO
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)),
                                                 encoding=in_enc, errors=in_err)
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)),
                                                   encoding=out_enc, errors=out_err)
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
                                                   encoding=err_enc, errors=err_err, line_buffering=True)
    sys.argv = request["argv"]
    code = 0
    try:
        cli_main()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if stop.code is not None and not isinstance(stop.code, int):
            print(stop.code, file=sys.stderr)
    except KeyboardInterrupt:
        traceback.print_exc()
        code = -signal.SIGINT
    except BaseException:
        traceback.print_exc()
        code = 1
    try:
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
    finally:
        if code < 0:
            signal.signal(-code, signal.SIG_DFL)
            os.kill(os.getpid(), -code)
        os._exit(code & 0xFF)


def read_request(conn):
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    while not data.endswith(b"\n"):
        more = conn.recv(1 << 16)
        if not more:
            raise EOFError
        data += more
    return json.loads(data), fds


while True:
    try:
        conn, _ = listener.accept()
    except socket.timeout:
        if os.getppid() != parent:  # the test worker is gone
            sys.exit(0)
        continue
    try:
        request, fds = read_request(conn)
    except (EOFError, OSError, ValueError):
        conn.close()
        continue
    if os.fork() != 0:
        conn.close()
        for fd in fds:  # the command's pipes must close when it and the client are done, not stay open here
            os.close(fd)
        continue
    listener.close()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    command = os.fork()
    if command == 0:
        conn.close()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        run_command(request, fds)
    for fd in fds:
        os.close(fd)
    conn.sendall(f"{command}\n".encode())
    while True:  # the command's end; or the client's (killed: its end of the connection closes): the command goes
        done, status = os.waitpid(command, os.WNOHANG)
        if done:
            break
        ready, _, _ = select.select([conn], [], [], 0.2)
        if ready and not conn.recv(1, socket.MSG_PEEK):
            os.kill(command, signal.SIGKILL)
            os.waitpid(command, 0)
            os._exit(0)
    try:
        conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
    finally:
        os._exit(0)
"""

# The client: what `subprocess.run` starts in place of the command (`python -I -S -c`: no site, ~20 ms).
_CLIENT = r"""
import json, os, signal, socket, sys
path, argv, original = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])


def fresh():
    os.execvp(original[0], original)


if any(os.isatty(fd) for fd in (0, 1, 2)):
    fresh()
conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    conn.connect(path)
except OSError:
    fresh()
request = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}).encode() + b"\n"
socket.send_fds(conn, [request], [0, 1, 2])
reader = conn.makefile("rb")
line = reader.readline()
if not line:
    sys.exit(70)
pid = int(line)


def forward(sig, _frame):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(sig, forward)
line = reader.readline()
code = int(line) if line else 70
if code < 0:
    signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
os._exit(code)
"""


class Zygote:
    def __init__(self) -> None:
        self._dir = tempfile.mkdtemp(prefix="o2o-cli-zygote-")
        self.path = str(Path(self._dir) / "socket")
        self.env = dict(os.environ)
        self.process = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE, self.path],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=self.env,
        )
        assert self.process.stdout is not None
        said = self.process.stdout.readline().strip()
        if said != b"ready":
            self.close()
            raise RuntimeError(f"the CLI zygote did not start: {said!r}")

    def agrees(self, env: dict[str, str]) -> bool:
        """Whether a command with `env` starts as one forked from here would (module docstring)."""
        for name in {*env, *self.env}:
            if name in _NOT_AT_START:
                continue
            if (name in _AT_START or name.startswith(_AT_START_PREFIXES)) and env.get(name) != self.env.get(name):
                return False
        return True

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        Path(self.path).unlink(missing_ok=True)
        shutil.rmtree(self._dir, ignore_errors=True)


_lock = threading.Lock()
_zygote: Zygote | None = None
_failed = False
_real_run = subprocess.run
_o2o_here = shutil.which("o2o")


def _zygote_now() -> Zygote | None:
    global _zygote, _failed
    if _failed:
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


def _command_argv(args: Any, env: dict[str, str]) -> list[str] | None:
    """The command's own `sys.argv` as a fresh start would have it, or None when `args` is not an o2o command."""
    if not isinstance(args, (list, tuple)) or not args or not all(isinstance(arg, str) for arg in args):
        return None
    if len(args) >= 3 and args[0] == sys.executable and args[1] == "-c" and args[2] == CLI_SNIPPET:
        return ["-c", *args[3:]]
    if os.path.basename(args[0]) == "o2o" and _o2o_here is not None:
        found = shutil.which(args[0], path=env.get("PATH"))
        if found is not None and os.path.realpath(found) == os.path.realpath(_o2o_here):
            return [found, *args[1:]]
    return None


def _command_name(argv: list[str]) -> str | None:
    rest = iter(argv[1:])
    for arg in rest:
        if arg == "--lang":
            next(rest, None)
        elif not arg.startswith("-"):
            return arg
    return None


def _forked(popenargs: tuple[Any, ...], kwargs: dict[str, Any]) -> list[str] | None:
    """The client's command line in place of the command's, or None to run the command as asked."""
    if not set(kwargs) <= _RUN_KEYWORDS:
        return None
    args = popenargs[0] if popenargs else kwargs.get("args")
    if len(popenargs) > 1:
        return None
    env = kwargs.get("env")
    env = dict(os.environ) if env is None else env
    argv = _command_argv(args, env)
    if argv is None:
        return None
    command = _command_name(argv)
    if command in _FRESH_COMMANDS or (command == "sync" and "--once" not in argv):
        return None
    zygote = _zygote_now()
    if zygote is None or not zygote.agrees(env):
        return None
    return [sys.executable, "-I", "-S", "-c", _CLIENT, zygote.path, json.dumps(argv), json.dumps(list(args))]


def _run(*popenargs: Any, **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    client = _forked(popenargs, kwargs)
    if client is None:
        return _real_run(*popenargs, **kwargs)
    original = popenargs[0] if popenargs else kwargs.pop("args")
    try:
        done = _real_run(client, **kwargs)
    except subprocess.SubprocessError as error:
        if hasattr(error, "cmd"):
            error.cmd = original  # as the test gave it
        raise
    done.args = original
    return done


def install() -> None:
    """Route this worker's `subprocess.run` of o2o commands through the zygote (unless switched off)."""
    if os.environ.get(SWITCH, "1") == "0" or subprocess.run is _run:
        return
    subprocess.run = _run  # type: ignore[assignment]
