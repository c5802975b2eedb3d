"""Errors of the offline cache. Each has a stable `code` (the CLI translates by code) and its data as attributes;
the English message is for logs and for callers without a catalog."""

from __future__ import annotations

from pathlib import Path


class CacheError(Exception):
    """Any failure of the cache. `code` is one of: disk_full, write_failed, write_not_durable, read_only, closed,
    invalid_document, open_failed (and the subclasses' codes)."""

    code: str = "cache_error"

    def __init__(
        self, message: str, *, code: str | None = None, path: Path | None = None, errno: int | None = None
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.path = path
        self.errno = errno

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class CacheLockedError(CacheError):
    """Another process kept the profile's write lock for longer than a writer waits (a write takes milliseconds,
    so it is stuck or stopped). `pid`, `command`, `since`, `host` describe it when they could be read."""

    code = "cache_locked"

    def __init__(
        self,
        directory: Path,
        *,
        pid: int | None,
        command: str | None,
        since: str | None,
        host: str | None,
        waited: float | None = None,
    ) -> None:
        self.directory = directory
        self.waited = waited
        self.pid = pid
        self.command = command
        self.since = since
        self.host = host
        if pid is None:
            holder = "another process (its details could not be read)"
        else:
            holder = f"process {pid}"
            if host:
                holder += f" on {host}"
            if command:
                holder += f" ({command})"
            if since:
                holder += f", since {since}"
        waited_text = f" for {waited:g} s" if waited is not None else ""
        message = (
            f"The offline cache in {directory} is being written by {holder}, which has held its write lock"
            f"{waited_text} (a write takes milliseconds): it looks stuck or stopped. Close or resume that "
            "program and try again; reading commands still work."
        )
        super().__init__(message, path=directory)


class CorruptOutboxError(CacheError):
    """The outbox file cannot be read. It is left exactly as it is: it may hold actions never sent."""

    code = "corrupt_outbox"

    def __init__(self, path: Path, detail: str) -> None:
        self.detail = detail
        message = (
            f"The outbox file {path} cannot be read ({detail}). It may hold actions that were never sent to the "
            "platform, so it was left exactly as it is. Keep a copy of it, then move it aside to start with an "
            "empty outbox."
        )
        super().__init__(message, path=path)


class CorruptFileError(Exception):
    """Internal: a data file does not parse or does not have the expected shape."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.path = path
        self.detail = detail
