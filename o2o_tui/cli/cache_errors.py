"""Offline-cache failures as a message and the documented exit code, for every command that opens a cache.

Kept apart from `cli.common` so a command that opens a screen (`o2o courier`) does not import the HTTP client
before its first paint.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import fail
from o2o_tui.i18n import t


@contextlib.contextmanager
def cache_errors() -> Iterator[None]:
    """Cache failures as a message and the documented exit code (7 locked, 8 corrupt outbox)."""
    from offline_cache import CacheError, CacheLockedError, CorruptOutboxError

    try:
        yield
    except CacheLockedError as error:
        raise fail(t("sync.error.locked", message=error.message), Exit.LOCKED) from None
    except CorruptOutboxError as error:
        raise fail(t("sync.error.corrupt_outbox", message=error.message), Exit.CORRUPT) from None
    except CacheError as error:
        raise fail(t("sync.error.cache", message=error.message), Exit.ERROR) from None
