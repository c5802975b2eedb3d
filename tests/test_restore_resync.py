"""A database restore makes every device whose cursor it passed resync, even after new writes reuse event ids.

docs/operations.md, Backups: restore a SQLite copy with the server stopped, or `pg_restore --clean` with servers
running. The restored event log then hands out again the ids the devices already read as other events; a device
that polls only after new writes used them must still be told `resync: true`, drop the orders the server no longer
has and fetch the real new ones. Real servers, real restores, real device caches (the sync engine of `o2o sync`).
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from o2o_tui.client import AsyncPlatformClient
from o2o_tui.domain.identity import Role
from o2o_tui.sync import tables
from o2o_tui.sync.engine import SyncEngine, SyncSettings
from o2o_tui.sync.model import Change, ChangeKind, SyncReport
from o2o_tui.sync.read_model import ReadModel
from o2o_tui.sync.scope import Scope
from offline_cache import open_profile_cache
from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.support.postgres import PostgresCluster

FAST = SyncSettings(poll_wait=0.5, backoff_base=0.01, backoff_cap=0.05)


def _place(running: RunningPlatform, count: int) -> list[str]:
    assert running.seed is not None
    customer = api(running, "customer")
    try:
        placed = [customer.post("/v1/orders", order_body(running.seed.store_id)) for _ in range(count)]
    finally:
        customer.close()
    assert all(r.status_code == 201 for r in placed), [r.text for r in placed]
    return [r.json()["id"] for r in placed]


def _server_orders(running: RunningPlatform) -> set[str]:
    merchant = api(running, "merchant")
    try:
        page = merchant.get("/v1/orders", limit=500).json()
    finally:
        merchant.close()
    assert page["next_cursor"] is None
    return {order["id"] for order in page["orders"]}


class _Console:
    """What an open console shows, kept up to date the way screens/engine_source.py does it: from the engine's
    changes, re-reading the orders they name (every order when a change names none)."""

    def __init__(self, cache: Any) -> None:
        self._model = ReadModel(cache)
        self.shown = {view.order.id for view in self._model.orders()}
        self._named: set[str] = set()
        self._everything = False

    def on_change(self, change: Change) -> None:
        if change.kind == ChangeKind.ORDER:
            self._named |= change.ids
            self._everything = self._everything or not change.ids

    def refresh(self) -> None:
        if self._everything:
            self.shown = {view.order.id for view in self._model.orders()}
        for order_id in self._named:
            if self._model.order(order_id) is None:
                self.shown.discard(order_id)
            else:
                self.shown.add(order_id)


def _device_sync(running: RunningPlatform, profile: Path) -> tuple[SyncReport, set[str], str, set[str]]:
    """`o2o sync --once` of a merchant's device: (its report, the orders in its cache, its cursor, the orders a
    console open on the profile would show after it)."""
    assert running.seed is not None
    seed = running.seed

    async def once() -> SyncReport:
        client = AsyncPlatformClient(running.url, seed.tokens["merchant"], timeout=10.0)
        try:
            scope = Scope(Role.MERCHANT, store_id=seed.store_id)
            engine = SyncEngine(client, cache, scope=scope, settings=FAST)
            engine.subscribe(console.on_change)
            return await engine.sync_once()
        finally:
            await client.close()

    with open_profile_cache(profile) as cache:
        console = _Console(cache)
        report = asyncio.run(once())
        console.refresh()
        held = set(cache.table(tables.ORDERS).ids())
        cursor = cache.meta_get(tables.META_CURSOR, None)
    assert report.error is None, report.error
    return report, held, cursor, console.shown


def _latest(running: RunningPlatform) -> str:
    merchant = api(running, "merchant")
    try:
        cursor: str = merchant.get("/v1/events", after="latest").json()["cursor"]
        return cursor
    finally:
        merchant.close()


def _poll(running: RunningPlatform, cursor: str) -> dict[str, Any]:
    merchant = api(running, "merchant")
    try:
        response = merchant.get("/v1/events", after=cursor)
    finally:
        merchant.close()
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def _sqlite_file(running: RunningPlatform) -> Path:
    return Path(running.db_url.removeprefix("sqlite:///"))


def _sqlite_backup(running: RunningPlatform, target: Path) -> None:
    """What `sqlite3 platform.sqlite3 ".backup 'target'"` does, while the server runs."""
    source = sqlite3.connect(_sqlite_file(running))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def _sqlite_restore(running: RunningPlatform, backup: Path) -> None:
    """The documented restore: stop the server, put the copy in place, remove -wal/-shm, start again."""
    running.stop()
    database = _sqlite_file(running)
    for extra in ("-wal", "-shm"):
        Path(f"{database}{extra}").unlink(missing_ok=True)
    shutil.copyfile(backup, database)
    running.restart()


def test_sqlite_restore_then_new_writes_makes_the_device_resync(tmp_path: Path) -> None:
    """The tester's recipe: the device read orders written after the backup; after the restore, new orders take
    those event ids again before the device polls. It must drop the ghosts and get every real new order."""
    running = start_platform(tmp_path / "platform")
    profile = tmp_path / "device"
    try:
        _place(running, 2)
        _report, held, _cursor, _shown = _device_sync(running, profile)
        assert held == _server_orders(running)
        _sqlite_backup(running, tmp_path / "backup.sqlite3")

        ghosts = set(_place(running, 3))  # lost by the restore
        _report, held, passed, _shown = _device_sync(running, profile)
        assert ghosts <= held

        _sqlite_restore(running, tmp_path / "backup.sqlite3")
        real = set(_place(running, 4))  # their events take the ids the device read as the ghosts' events

        report, held, _cursor, shown = _device_sync(running, profile)
        assert report.resynced  # what `o2o sync --once --json` says
        assert not ghosts & held, "the device still shows orders the platform no longer has"
        assert real <= held, "orders placed after the restore never reached the device"
        assert held == _server_orders(running)
        assert shown == held, "an open console still shows the orders the resync dropped"
        assert _poll(running, passed)["resync"] is True  # what told it
        # and it is an ordinary device again: the next order comes as an event, with no second resync
        newer = set(_place(running, 1))
        report, held, _cursor, shown = _device_sync(running, profile)
        assert newer <= held and report.events >= 1 and not report.resynced and shown == held
    finally:
        running.stop()


def test_a_cursor_the_restore_kept_goes_on_and_a_restart_is_no_restore(tmp_path: Path) -> None:
    """Only cursors past the restored events resync: a cursor taken before the backup reads on from where it
    was, and a server restarted on the same database answers every cursor as before."""
    running = start_platform(tmp_path / "platform")
    try:
        before = _latest(running)
        _place(running, 1)
        kept = _latest(running)
        _sqlite_backup(running, tmp_path / "backup.sqlite3")
        _place(running, 2)
        passed = _latest(running)

        running.restart()  # a restart, not a restore
        assert _poll(running, passed) == {"events": [], "cursor": passed, "resync": False}
        assert len(_poll(running, kept)["events"]) == 2

        _sqlite_restore(running, tmp_path / "backup.sqlite3")
        after_restore = _place(running, 3)
        for cursor in (before, kept):
            page = _poll(running, cursor)
            assert page["resync"] is False
            assert after_restore[-1] in {e["entity_id"] for e in page["events"]}
        assert _poll(running, passed)["resync"] is True
    finally:
        running.stop()


def test_a_bare_id_cursor_of_an_older_release_resyncs_once(tmp_path: Path) -> None:
    """Devices in the field hold cursors of the release before (a bare event id), which cannot be checked:
    one resync gives them a cursor that can. `0` (from the oldest kept event) is not such a cursor."""
    running = start_platform(tmp_path / "platform")
    try:
        _place(running, 2)
        newest = _poll(running, "0")
        assert newest["resync"] is False and newest["events"]
        bare = str(newest["events"][-1]["id"])
        resync = _poll(running, bare)
        assert resync["resync"] is True and resync["events"] == []
        assert _poll(running, resync["cursor"]) == {"events": [], "cursor": resync["cursor"], "resync": False}
        with httpx.Client(base_url=running.url, timeout=10) as http:
            refused = http.get(
                "/v1/events",
                params={"after": "1.zz"},
                headers={"Authorization": f"Bearer {running.seed.tokens['merchant']}"},  # type: ignore[union-attr]
            )
        assert refused.status_code == 422 and refused.json()["error"]["field"] == "after"
    finally:
        running.stop()


def _pg_tool(cluster: PostgresCluster, name: str) -> str:
    """The cluster's own pg_dump/pg_restore (a client older than the server refuses to dump it)."""
    own = cluster.bin_dir / name
    found = str(own) if own.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


def _libpq(db_url: str) -> str:
    return db_url.replace("postgresql+psycopg://", "postgresql://")


def test_postgres_restore_then_new_writes_makes_the_device_resync(
    postgres_cluster: PostgresCluster, postgres_url: str, tmp_path: Path
) -> None:
    """`pg_dump -Fc` and `pg_restore --clean --if-exists` as docs/operations.md writes them, with the server
    running throughout: the restored sequence hands out the device's event ids again."""
    running = start_platform(tmp_path / "platform", db_url=postgres_url)
    profile = tmp_path / "device"
    dump = tmp_path / "o2o.dump"
    try:
        _place(running, 2)
        _device_sync(running, profile)
        subprocess.run(
            [_pg_tool(postgres_cluster, "pg_dump"), "-Fc", "-d", _libpq(postgres_url), "-f", str(dump)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        ghosts = set(_place(running, 3))
        _report, held, passed, _shown = _device_sync(running, profile)
        assert ghosts <= held

        subprocess.run(
            [
                _pg_tool(postgres_cluster, "pg_restore"),
                "--clean",
                "--if-exists",
                "-d",
                _libpq(postgres_url),
                str(dump),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        real = set(_place(running, 4))

        report, held, _cursor, shown = _device_sync(running, profile)
        assert report.resynced  # what `o2o sync --once --json` says
        assert not ghosts & held, "the device still shows orders the platform no longer has"
        assert real <= held, "orders placed after the restore never reached the device"
        assert held == _server_orders(running)
        assert shown == held, "an open console still shows the orders the resync dropped"
        assert _poll(running, passed)["resync"] is True
    finally:
        running.stop()


def _event_count(running: RunningPlatform) -> int:
    with sqlite3.connect(_sqlite_file(running)) as conn:
        count: int = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    return count


def test_cursors_at_the_pruned_edge_never_loop(tmp_path: Path) -> None:
    """Every event pruned: the cursor handed with `resync` names the last pruned event, and polling from it goes
    on (no resync each poll), also when an older release pruned them and left no tag for that event."""
    env = {"O2O_EVENT_RETENTION_HOURS": "0.0003", "O2O_JOB_INTERVAL_SECONDS": "0.2"}  # about one second
    running = start_platform(tmp_path / "platform", env=env)
    try:
        _place(running, 1)
        deadline = time.monotonic() + 30
        while _event_count(running) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _event_count(running) == 0
        page = _poll(running, "0")
        assert page["resync"] is True
        assert _poll(running, page["cursor"]) == {"events": [], "cursor": page["cursor"], "resync": False}

        with sqlite3.connect(_sqlite_file(running)) as conn:  # what a prune of the release before left
            conn.execute("DELETE FROM meta WHERE key = 'events_pruned_through_tag'")
        again = _poll(running, page["cursor"])
        assert again["resync"] is True  # its tag cannot be checked any more: once
        assert _poll(running, again["cursor"]) == {"events": [], "cursor": again["cursor"], "resync": False}

        for far in ("99999999999999999999999", "99999999999999999999999.ab"):  # past 64 bits: no such event
            assert _poll(running, far)["resync"] is True
    finally:
        running.stop()
