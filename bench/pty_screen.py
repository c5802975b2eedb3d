"""A program on a real pty, read as a person's terminal sees it: every byte it writes goes into a pyte screen.

`PtyScreen.spawn(argv, size=(40, 16))` forks the program on a new pty (its own session and controlling terminal,
the window size set before it starts), then the caller pumps: `wait_for("#0001")` until text is on screen,
`wait_quiet(1.0)` until nothing arrived for a second, `count_for(5.0)` for idle bytes. Bytes are counted from the
last `mark()`. Answers a terminal gives (device attributes, cursor position) are written back to the program, as
xterm would. Every wait is bounded; `close()` kills the program's process group.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyte
from wcwidth import wcwidth

TERMINAL_ENV = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "COLORTERM": ""}


class ScreenTimeout(RuntimeError):
    """A bounded wait ran out; the message carries what was on screen."""


class _AnsweringScreen(pyte.Screen):
    """A pyte screen that sends the terminal's answers (DA, DSR/CPR) back to the program."""

    def __init__(self, columns: int, lines: int, answer: Callable[[bytes], None]) -> None:
        super().__init__(columns, lines)
        self._answer = answer

    def write_process_input(self, data: str) -> None:
        self._answer(data.encode())


@dataclass
class PtyScreen:
    pid: int
    fd: int
    columns: int
    lines: int
    spawned_at: float
    screen: pyte.Screen = field(init=False)
    stream: pyte.ByteStream = field(init=False)
    total: int = 0  # every byte the program wrote
    counted: int = 0  # bytes since the last mark()
    last_byte_at: float = 0.0
    first_byte_at: float | None = None  # when the first byte since the last mark() was read
    captured: bytearray = field(
        default_factory=bytearray
    )  # the first 64 KB since the last mark(), to look at
    closed: bool = False
    _done: bool = False  # the program was reaped

    def __post_init__(self) -> None:
        self.screen = _AnsweringScreen(self.columns, self.lines, self._write_back)
        self.stream = pyte.ByteStream(self.screen)
        self.last_byte_at = self.spawned_at

    @classmethod
    def spawn(
        cls,
        argv: Sequence[str],
        *,
        size: tuple[int, int] = (40, 16),
        env: dict[str, str] | None = None,
        cwd: str | None = None,
    ) -> PtyScreen:
        columns, lines = size
        child_env = {**os.environ, **(env or {}), **TERMINAL_ENV}
        child_env.pop("COLUMNS", None)
        child_env.pop("LINES", None)
        # A warm start is one with bytecode, as on a user's machine: where the environment forbids writing it,
        # every start of the project's own modules would compile them from source (site-packages ship .pyc).
        child_env.pop("PYTHONDONTWRITEBYTECODE", None)
        if not child_env["COLORTERM"]:
            child_env.pop("COLORTERM")
        started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal and fds 0-2
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
                if cwd:
                    os.chdir(cwd)
                os.execvpe(argv[0], list(argv), child_env)
            finally:
                os._exit(127)
        return cls(pid=pid, fd=fd, columns=columns, lines=lines, spawned_at=started)

    # --- reading ---------------------------------------------------------------------------------------------

    def _write_back(self, data: bytes) -> None:
        if not self.closed:
            with contextlib.suppress(OSError):
                os.write(self.fd, data)

    def pump(self, timeout: float) -> int:
        """Read what is there (waiting up to `timeout` for the first byte); feed the screen; return bytes read."""
        if self.closed:
            return 0
        read = 0
        wait = max(0.0, timeout)
        while True:
            ready, _, _ = select.select([self.fd], [], [], wait)
            if not ready:
                return read
            try:
                data = os.read(self.fd, 65536)
            except OSError as error:  # EIO: the program exited and the pty is gone
                if error.errno not in (errno.EIO, errno.EBADF):
                    raise
                data = b""
            if not data:
                self.closed = True
                return read
            self.last_byte_at = time.perf_counter()
            if self.counted == 0:
                self.first_byte_at = self.last_byte_at
            if len(self.captured) < 65536:
                self.captured += data[: 65536 - len(self.captured)]
            self.total += len(data)
            self.counted += len(data)
            read += len(data)
            self.stream.feed(data)
            wait = 0.0

    def text(self) -> str:
        """The screen's lines, as pyte's `display` gives them, but a cell left empty (pyte leaves `""` where a
        zero-width character arrived first) reads as nothing instead of raising IndexError."""
        lines = []
        for y in range(self.lines):
            row = self.screen.buffer[y]
            out, stub = [], False
            for x in range(self.columns):
                if stub:  # the right half of a wide character
                    stub = False
                    continue
                data = row[x].data
                stub = bool(data) and wcwidth(data[0]) == 2
                out.append(data)
            lines.append("".join(out))
        return "\n".join(lines)

    def mark(self) -> None:
        self.counted = 0
        self.first_byte_at = None
        self.captured = bytearray()

    def cells(self) -> tuple[tuple[str, str, str, bool, bool], ...]:
        """Every cell with its colours and reverse/bold: a cursor row that changes only colours still differs."""
        return tuple(
            (char.data, char.fg, char.bg, char.reverse, char.bold)
            for y in range(self.lines)
            for char in (self.screen.buffer[y][x] for x in range(self.columns))
        )

    def wait_change(
        self, before: tuple[tuple[str, str, str, bool, bool], ...], timeout: float = 5.0
    ) -> float | None:
        """Pump until the screen differs from `before` (a `cells()`); the time of the read that changed it
        (perf_counter), or None after `timeout`. Bytes that change nothing (cursor hide/show) do not count."""
        deadline = time.perf_counter() + timeout
        while not self.closed:
            left = deadline - time.perf_counter()
            if left <= 0:
                return None
            if self.pump(min(left, 0.05)) and self.cells() != before:
                return self.last_byte_at
        return None

    def wait_first_byte(self, timeout: float = 5.0) -> float | None:
        """Pump until a byte arrived since the last mark(); its time (perf_counter), or None after `timeout`."""
        deadline = time.perf_counter() + timeout
        while self.first_byte_at is None and not self.closed:
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            self.pump(min(left, 0.05))
        return self.first_byte_at

    def wait_for(self, needle: str | Callable[[str], bool], timeout: float = 20.0) -> float:
        """Pump until `needle` is on screen; return the time it appeared (perf_counter)."""
        found = (lambda text: needle in text) if isinstance(needle, str) else needle
        deadline = time.perf_counter() + timeout
        while True:
            if found(self.text()):
                return self.last_byte_at
            left = deadline - time.perf_counter()
            if left <= 0 or self.closed:
                state = "exited" if self.closed else "timed out"
                raise ScreenTimeout(f"{needle!r} not on screen ({state}); screen:\n{self.text()}")
            self.pump(min(left, 0.1))

    def wait_quiet(self, quiet: float = 1.0, timeout: float = 30.0) -> int:
        """Pump until nothing arrived for `quiet` seconds; return the bytes counted since the last mark()."""
        deadline = time.perf_counter() + timeout
        while True:
            now = time.perf_counter()
            if now - self.last_byte_at >= quiet or self.closed:
                return self.counted
            if now >= deadline:
                raise ScreenTimeout(f"never quiet for {quiet} s in {timeout} s; screen:\n{self.text()}")
            self.pump(min(deadline - now, quiet - (now - self.last_byte_at)))

    def count_for(self, seconds: float) -> int:
        """Pump for exactly `seconds`; return the bytes that arrived in that time."""
        self.mark()
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0 and not self.closed:
            self.pump(left)
        return self.counted

    # --- writing and ending ----------------------------------------------------------------------------------

    def send(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def resize(self, columns: int, lines: int) -> None:
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.screen.resize(lines, columns)
        self.columns, self.lines = columns, lines

    def close(self, grace: float = 3.0) -> None:
        """SIGTERM the program's process group, SIGKILL after `grace` seconds, reap it, close the pty."""
        self._signal(signal.SIGTERM)
        deadline = time.perf_counter() + grace
        while time.perf_counter() < deadline and not self._reaped():
            self.pump(0.05)  # keep draining so a program blocked on a full pty can exit
        if not self._reaped():
            self._signal(signal.SIGKILL)
            os.waitpid(self.pid, 0)
        self._close_fd()

    def kill(self) -> None:
        """What a dropped link does to a terminal client: SIGKILL, no goodbye."""
        self._signal(signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self._close_fd()

    def _signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signum)  # pty.fork made the child a session (and group) leader

    def _reaped(self) -> bool:
        if self._done:
            return True
        try:
            pid, _status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            pid = self.pid
        self._done = pid == self.pid
        return self._done

    def _close_fd(self) -> None:
        self._done = True
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
        self.fd = -1
        self.closed = True

    def __enter__(self) -> PtyScreen:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.fd >= 0:
            self.close()
