"""A storage outage does not pause the stores whose devices polled through it: the heartbeats could not be written
meanwhile, so the heartbeat's grace starts again when the storage comes back, in every process (the one that saw
the outage writes when it ended into `meta`; every pause job reads it). A device that truly stopped polling is
still paused a heartbeat later.

The full disk is a real one (a 3 MB tmpfs filled up, as tests/test_server_full_disk.py; skipped where none can be
mounted); on PostgreSQL, two servers on one database and the database switched read-only."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from o2o_tui.domain.store import StoreState
from o2o_tui.platform import db, jobs, storage_health, stores
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.seed import seed_engine
from o2o_tui.platform.settings import Settings
from tests.support.platform import RunningPlatform, api, start_platform
from tests.support.postgres import SUPERUSER, PostgresCluster, PostgresUnavailable, start_cluster
from tests.test_server_full_disk import _fill, _small_disk

HEARTBEAT_MINUTES = 0.1  # 6 s
ENV = {"O2O_HEARTBEAT_MINUTES": str(HEARTBEAT_MINUTES), "O2O_JOB_INTERVAL_SECONDS": "0.3"}


def _state(running: RunningPlatform) -> str:
    merchant = api(running, "merchant")
    try:
        assert running.seed is not None
        answer = merchant.get(f"/v1/stores/{running.seed.store_id}")
        assert answer.status_code == 200, answer.text
        return str(answer.json()["status"]["state"])
    finally:
        merchant.close()


class _Console:
    """A merchant console polling the event feed every 0.3 s (its heartbeat), in a thread, until `stop`."""

    def __init__(self, running: RunningPlatform) -> None:
        self._merchant = api(running, "merchant")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.is_set():
            self._merchant.get("/v1/events", after="0")
            time.sleep(0.3)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self._merchant.close()


def _states_for(running: RunningPlatform, seconds: float) -> list[str]:
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.append(_state(running))
        time.sleep(0.25)
    return seen


def _paused_within(running: RunningPlatform, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _state(running) == StoreState.PAUSED.value:
            return True
        time.sleep(0.25)
    return False


def test_a_store_polled_through_a_full_disk_is_not_paused_when_it_ends(tmp_path: Path) -> None:
    with _small_disk(tmp_path / "disk") as disk:
        running = start_platform(tmp_path / "platform", env=ENV, db_url=f"sqlite:///{disk / 'platform.sqlite3'}")
        console = None
        try:
            console = _Console(running)
            time.sleep(1.0)
            assert _state(running) == StoreState.ONLINE.value
            filler = _fill(disk)
            time.sleep(HEARTBEAT_MINUTES * 60 * 1.5)  # longer than the heartbeat: every poll's write refused
            assert "background job pause_unwatched cannot write" in running.log_text()
            filler.unlink()
            # the storage back: the console polled all along, so the store is never paused (before the fix it was
            # paused at once, until the console's next heartbeat resumed it)
            seen = _states_for(running, HEARTBEAT_MINUTES * 60 * 1.5)
            assert StoreState.PAUSED.value not in seen, seen
            # a device that truly stopped polling is still paused, a heartbeat after its last poll
            console.stop()
            console = None
            assert _paused_within(running, HEARTBEAT_MINUTES * 60 + 10)
        finally:
            if console is not None:
                console.stop()
            running.stop()


def test_every_process_allows_the_grace_from_when_the_storage_came_back(tmp_path: Path) -> None:
    """The process that wrote nothing during the outage (saw nothing of it) reads when it ended from the database."""
    engine = db.open_database(f"sqlite:///{tmp_path / 'platform.sqlite3'}")
    try:
        seeded = seed_engine(engine).store_id
        heartbeat = timedelta(minutes=5)
        now = db.utcnow()
        long_ago = now - timedelta(hours=1)  # the process's start, the store's last written poll
        with db.writing(engine) as conn:
            conn.execute(db.store_heartbeats.insert().values(store_id=seeded, last_poll_at=db.iso(long_ago)))
            db.set_meta(conn, storage_health.STORAGE_BACK_KEY, db.iso(now - timedelta(minutes=1)))
        with db.writing(engine) as conn:
            ctx = Ctx(conn=conn, caller=jobs.SYSTEM, now=now, settings=Settings())
            assert stores.pause_unwatched(ctx, heartbeat, long_ago) == []  # back a minute ago: within the grace
        with db.writing(engine) as conn:
            ctx = Ctx(conn=conn, caller=jobs.SYSTEM, now=now + timedelta(minutes=3, seconds=50), settings=Settings())
            assert stores.pause_unwatched(ctx, heartbeat, long_ago) == []
        with db.writing(engine) as conn:  # a heartbeat after the storage came back: nobody polled since
            ctx = Ctx(conn=conn, caller=jobs.SYSTEM, now=now + timedelta(minutes=4, seconds=10), settings=Settings())
            assert stores.pause_unwatched(ctx, heartbeat, long_ago) == [seeded]
    finally:
        engine.dispose()


@pytest.fixture
def own_cluster() -> Iterator[PostgresCluster]:
    """A cluster of this test's own: it is switched read-only, which the shared one must never be."""
    try:
        cluster = start_cluster()
    except PostgresUnavailable as error:
        pytest.skip(str(error))
    try:
        yield cluster
    finally:
        cluster.stop()


def _read_only(cluster: PostgresCluster, on: bool) -> None:
    """Every session's transactions read-only (a standby's, a disk kept for reads), from the next transaction."""
    with psycopg.connect(host="127.0.0.1", port=cluster.port, user=SUPERUSER, dbname="postgres", autocommit=True) as conn:
        conn.execute(f"ALTER SYSTEM SET default_transaction_read_only = {'on' if on else 'off'}")
        conn.execute("SELECT pg_reload_conf()")


def test_two_servers_on_postgres_pause_no_polled_store_after_a_read_only_spell(
    own_cluster: PostgresCluster, tmp_path: Path
) -> None:
    first = start_platform(tmp_path / "first", env=ENV, db_url=own_cluster.create_database())
    second = first.another_process(tmp_path / "second.log")  # its pause job runs too; no console polls it
    console = None
    try:
        console = _Console(first)
        time.sleep(1.0)
        assert _state(second) == StoreState.ONLINE.value
        _read_only(own_cluster, True)
        time.sleep(HEARTBEAT_MINUTES * 60 * 1.5)
        assert "cannot write" in first.log_text()
        _read_only(own_cluster, False)
        seen = _states_for(second, HEARTBEAT_MINUTES * 60 * 1.5)
        assert StoreState.PAUSED.value not in seen, seen
        console.stop()
        console = None
        assert _paused_within(second, HEARTBEAT_MINUTES * 60 + 10)
    finally:
        if console is not None:
            console.stop()
        second.stop()
        first.stop()
