"""How the platform server's log lines look: each starts with its time (local, with its UTC offset, to the
millisecond) and its level, so whoever reads a shop's log afterwards can tell when the disk filled or a client
first called. Set up as `serve()` starts, for o2o's loggers and uvicorn's alike (uvicorn's own setup is left
out: `log_config=None`). The lines still propagate (a host process's own handlers see them, as before), and go
to whatever `sys.stderr` is when each is written, as logging's last resort did."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from typing import TextIO

LOGGERS = ("o2o", "uvicorn")


class StampedLines(logging.Formatter):
    """`2026-12-07T15:40:12.345+08:00 WARNING client o2o/0.1.0 first seen`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's)
        return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


class _StampedStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Warnings and worse, stamped, to the `sys.stderr` of the moment a line is written."""

    def __init__(self) -> None:
        super().__init__()
        self.setLevel(logging.WARNING)
        self.setFormatter(StampedLines())

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def log_requests() -> None:
    """uvicorn's access lines too (`O2O_ACCESS_LOG=1`): `... INFO 127.0.0.1:50312 - "GET /v1/me HTTP/1.1" 200`."""
    access = logging.getLogger("uvicorn.access")
    access.setLevel(logging.INFO)
    access.propagate = False  # its own handler, at INFO: the warnings' handler above stays at WARNING
    if not any(isinstance(handler, _StampedStderr) for handler in access.handlers):
        handler = _StampedStderr()
        handler.setLevel(logging.INFO)
        access.addHandler(handler)


def set_up() -> None:
    """Stamp the lines of o2o's and uvicorn's loggers (once per process: a second call adds nothing)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(handler, _StampedStderr) for handler in logger.handlers):
            logger.addHandler(_StampedStderr())
