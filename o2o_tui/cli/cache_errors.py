"""Offline-cache failures as a message and the documented exit code, for every command that opens a cache; and
what the cache did on its own, said as warnings.

Kept apart from `cli.common` so a command that opens a screen (`o2o courier`) does not import the HTTP client
before its first paint.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import fail, warn
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


def say_cache_warnings(cache: Any) -> None:
    """What the cache did on its own at open (a file set aside), on stderr under its code (`output.warn`: a JSON
    object per line with `--json`)."""
    from o2o_tui.sync.session import cache_warning_texts

    for warning, text in zip(cache.warnings, cache_warning_texts(cache), strict=True):
        warn(text, str(getattr(warning, "code", "other")))


def say_left_out(cache: Any) -> None:
    """Cached entities a reader of `cache` had to leave out, said once after the command read them."""
    read_model = sys.modules.get("o2o_tui.sync.read_model")  # not imported: nothing was read
    for text in read_model.unreadable_texts(cache) if read_model else []:
        warn(text, "cache_entity_unreadable")
