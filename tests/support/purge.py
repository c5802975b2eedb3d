"""Set-up shared by the personal-data purge tests: the real server with its jobs run often and a purge window of
seconds, a device (profile folder, token, scope) synced once through the real sync engine into its real cache,
and reads of what the server's database holds."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import msgspec

from o2o_tui.client import AsyncPlatformClient
from o2o_tui.domain.identity import Role
from o2o_tui.platform.seed import SeedResult
from o2o_tui.sync.engine import SyncEngine, SyncSettings
from o2o_tui.sync.model import SyncReport
from o2o_tui.sync.scope import Scope
from offline_cache import open_profile_cache
from tests.support.platform import RunningPlatform, start_platform

Json = dict[str, Any]
Device = tuple[Path, str, Scope]
"""A device for `sync_once`: its profile folder (the cache lives there), its token and its sync scope."""
Action = tuple[str, str, msgspec.Struct]
"""An action a device queues before it syncs: (action name, target id, request body)."""

FAST_SYNC = SyncSettings(poll_wait=0.5, backoff_base=0.01, backoff_cap=0.05)


def ok(response: httpx.Response) -> Json:
    """The JSON answer of a request that must have succeeded (200 or 201); fails the test with the text otherwise."""
    assert response.status_code in (200, 201), response.text
    answer: Json = response.json()
    return answer


def wait_for(check: Callable[[], bool], seconds: float) -> bool:
    """Poll `check` every 0.2 s for up to `seconds`; whether it came true (the last look counts)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def purge_hours(window_seconds: float) -> str:
    """`window_seconds` as O2O_PURGE_PERSONAL_HOURS takes it."""
    return str(window_seconds / 3600)


def start_purging_platform(tmp_path: Path, window_seconds: float) -> RunningPlatform:
    """The seeded server in `tmp_path / "platform"`, its jobs run every 0.2 s and an ended order's personal data
    purged after `window_seconds`; the caller must `.stop()` it."""
    env = {"O2O_JOB_INTERVAL_SECONDS": "0.2", "O2O_PURGE_PERSONAL_HOURS": purge_hours(window_seconds)}
    return start_platform(tmp_path / "platform", env=env)


def database_text(db_url: str) -> str:
    """Every value of every table of the server's SQLite database (documents are JSON in blobs)."""
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(
            value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)
            for name in names
            for row in conn.execute(f'SELECT * FROM "{name}"')
            for value in row
        )


def merchant_device(seeded: SeedResult, profile: Path) -> Device:
    """The seeded store's merchant console, its cache in `profile`."""
    return profile, seeded.tokens["merchant"], Scope(Role.MERCHANT, store_id=seeded.store_id)


def courier_device(seeded: SeedResult, courier_id: str, profile: Path) -> Device:
    """The handheld of the seeded courier `courier_id`, its cache in `profile`."""
    return profile, seeded.courier_tokens[courier_id], Scope(Role.COURIER, courier_id=courier_id)


def sync_once(
    running: RunningPlatform,
    profile: Path,
    token: str,
    scope: Scope,
    actions: tuple[Action, ...] = (),
    settings: SyncSettings = FAST_SYNC,
) -> SyncReport:
    """Queue `actions` through the device's engine (as a console does), then one sync against `running`, in the
    real cache of `profile`; the sync must end without an error. Answers the sync's report."""

    async def once() -> SyncReport:
        async with AsyncPlatformClient(running.url, token, timeout=10.0) as client:
            engine = SyncEngine(client, cache, scope=scope, settings=settings)
            for action, target, body in actions:
                await engine.submit(action, target, body)
            return await engine.sync_once()

    with open_profile_cache(profile) as cache:
        report = asyncio.run(once())
    assert report.error is None, report.error
    return report
