"""Opening a profile's cache and engine for one CLI command (or a TUI session).

Heavy parts (the engine, the async client) are imported inside the functions that need them, so a read-only
command such as `o2o orders list` pays only for the cache and the read model.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from o2o_tui.config import Profile, load_profile, profile_cache_dir
from o2o_tui.domain.identity import Role
from o2o_tui.i18n import t
from o2o_tui.sync.scope import Scope
from offline_cache import CacheLockedError, ProfileCache, open_profile_cache


def scope_of(profile: Profile) -> Scope:
    try:
        role = Role(profile.role)
    except ValueError:
        role = Role.MERCHANT
    return Scope(role=role, store_id=profile.store_id, courier_id=profile.courier_id)


def lock_wait_from_env(environ: dict[str, str] | None = None) -> float:
    """`O2O_CACHE_LOCK_WAIT`: seconds a write waits for another process's write (default 5; a write takes
    milliseconds, so a longer wait means the other process is stuck)."""
    from offline_cache.lock import DEFAULT_WAIT

    source = os.environ if environ is None else environ
    try:
        return max(0.0, float(source.get("O2O_CACHE_LOCK_WAIT") or DEFAULT_WAIT))
    except ValueError:
        return DEFAULT_WAIT


def open_cache(
    profile: Profile, *, read_only: bool = False, fall_back_to_read_only: bool = False
) -> ProfileCache:
    """The profile's cache; any number of processes open it at once (the console and scripts). Raises
    `CacheLockedError` (naming the holder) only when another process stays stuck in a write, unless
    `fall_back_to_read_only`, which then opens it read-only."""
    directory = profile_cache_dir(profile, create=not read_only)  # a read creates no cache directory
    if read_only:
        return open_profile_cache(directory, read_only=True)
    try:
        return open_profile_cache(directory, lock_wait=lock_wait_from_env())
    except CacheLockedError:
        if not fall_back_to_read_only:
            raise
        return open_profile_cache(directory, read_only=True)


def cache_warning_texts(cache: ProfileCache) -> list[str]:
    """What the cache did on its own at open (a corrupt or foreign file set aside), in the current language."""
    texts = []
    for warning in cache.warnings:
        key = "sync.warning." + str(getattr(warning, "code", "other"))
        moved = getattr(warning, "moved_to", None)
        hours = f"{retention_from_env().purge_personal_after.total_seconds() / 3600:g}"  # a set-aside copy's time
        text = t(key, path=str(getattr(warning, "path", "")), moved_to=str(moved or ""), hours=hours)
        texts.append(text if text != key else str(warning))
    return texts


@contextlib.contextmanager
def profile_cache(
    name: str | None, *, read_only: bool = False, fall_back_to_read_only: bool = False
) -> Iterator[tuple[Profile, ProfileCache]]:
    profile = load_profile(name)
    cache = open_cache(profile, read_only=read_only, fall_back_to_read_only=fall_back_to_read_only)
    try:
        yield profile, cache
    finally:
        cache.close()


_PRUNE_ENDED_MAX = timedelta(days=36500)


def retention_from_env(environ: dict[str, str] | None = None) -> Any:
    """Retention windows: `O2O_PURGE_PERSONAL_HOURS` (default 6) and `O2O_PRUNE_ENDED_DAYS` (default 3). The purge
    window is the server's setting, read with its form and bounds (`o2o_tui.device_settings`): a value
    the server would refuse is not used, the default is, with one warning."""
    from o2o_tui.device_settings import device_setting
    from o2o_tui.sync.retention import RetentionPolicy

    source = os.environ if environ is None else environ
    policy = RetentionPolicy()
    hours = device_setting("purge_personal_hours", source)
    try:
        days = float(source.get("O2O_PRUNE_ENDED_DAYS") or policy.prune_ended_after.days)
        prune = timedelta(days=days)  # nan and 1e10 raise here
    except (ValueError, OverflowError):
        prune = policy.prune_ended_after
    if not timedelta(0) <= prune <= _PRUNE_ENDED_MAX:  # a window going back past year 1 cannot be subtracted
        prune = policy.prune_ended_after
    open_hours = device_setting("purge_open_hours", source)  # an order left open: O2O_PURGE_OPEN_HOURS
    return RetentionPolicy(
        purge_personal_after=timedelta(hours=hours),
        prune_ended_after=prune,
        purge_open_after=timedelta(hours=open_hours),
    )


def make_engine(profile: Profile, cache: ProfileCache, client: Any, **settings: Any) -> Any:
    from o2o_tui.sync.engine import SyncEngine, SyncSettings

    settings.setdefault("retention", retention_from_env())
    return SyncEngine(client, cache, scope=scope_of(profile), settings=SyncSettings(**settings))


def make_client(profile: Profile, *, timeout: float = 10.0) -> Any:
    from o2o_tui.client import AsyncPlatformClient

    return AsyncPlatformClient(profile.url, profile.token, timeout=timeout)
