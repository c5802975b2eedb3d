"""Start the platform server as a child process and learn its URL (tests, benchmarks and `o2o demo` use this)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_READY = re.compile(rb"(http://[\w.\-\[\]:]+:\d+)")


class ServerStartError(RuntimeError):
    """The server exited or stayed silent; the message holds the end of its log."""


@dataclass
class ServerProcess:
    url: str
    process: subprocess.Popen[bytes]

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL if it does not stop in time. Safe to call twice."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def start_server(
    db_url: str,
    log_path: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    env: dict[str, str] | None = None,
    timeout: float = 20.0,
) -> ServerProcess:
    """Run `python -m o2o_tui.platform` with its output appended to `log_path`; port 0 picks a free port."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        start = log.tell()
        process = subprocess.Popen(
            [sys.executable, "-m", "o2o_tui.platform", "--host", host, "--port", str(port), "--db", db_url],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=full_env,
        )
    return ServerProcess(url=await_url(process, log_path, start, timeout), process=process)


def await_url(process: Any, log_path: Path, start: int, timeout: float) -> str:
    """The URL a starting server writes to `log_path` past byte `start`; `ServerStartError` (the server killed
    if it still runs) when it exits or stays silent for `timeout` seconds. `process` is Popen-like."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with log_path.open("rb") as log:
            log.seek(start)
            found = _READY.search(log.read())
        if found:
            return found.group(1).decode()
        if process.poll() is not None:
            break
        time.sleep(0.02)
    if process.poll() is None:
        process.kill()
        process.wait(timeout=5)
    tail = log_path.read_bytes()[start:][-3000:].decode(errors="replace")
    raise ServerStartError(tail)
