"""Exit codes of the `o2o` command (documented in the README)."""

from __future__ import annotations

import enum


class Exit(enum.IntEnum):
    OK = 0
    ERROR = 1  # unexpected or server error
    USAGE = 2  # bad arguments (typer's own code)
    OFFLINE = 3  # platform unreachable and --online asked for, or a command that needs the link
    REJECTED = 4  # the platform refused the action (illegal transition, stale version, validation)
    AUTH = 5  # no profile, bad token, or forbidden
    NOT_FOUND = 6  # no such order / store / courier
    LOCKED = 7  # another process holds this profile's cache
    CORRUPT = 8  # the outbox is unreadable: pending work needs a person
