"""Two servers on one SQLite file (two `Platform`s, each with its own engine and storage watch, as two processes
have): the first sees an outage that refuses writes (its devices' polls cannot be written: a full disk, a real one,
a 3 MB tmpfs as tests/test_server_full_disk.py), the second's devices poll nobody and its reads all work. Its first
pause round after the outage must not pause the store whose polls could not be written, even when it runs before
the first server's round writes when the storage came back (`storage_back_at`, up to a job interval later). It
does not: the second's job loop wrote during the outage (`jobs.purge_personal`'s `meta` row, written every round),
was refused, and told its own watch, so its first round after the outage only says when the storage came back
(the pause round itself writes nothing when nothing is due, so without that write it would pause the store)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from o2o_tui.domain.store import StoreState
from o2o_tui.platform import db, jobs, storage_health, stores
from o2o_tui.platform.seed import seed_engine
from o2o_tui.platform.settings import Settings
from o2o_tui.platform.state import Platform
from tests.test_server_full_disk import _fill, _small_disk

HEARTBEAT_SECONDS = 3.0


def _state(platform: Platform, store_id: str) -> StoreState:
    with platform.engine.connect() as conn:
        store = stores.load(conn, store_id)
    assert store is not None
    return store.status.state


def test_a_server_that_saw_no_outage_pauses_no_store_before_the_other_says_it_ended(tmp_path: Path) -> None:
    with _small_disk(tmp_path / "disk") as disk:
        url = f"sqlite:///{disk / 'platform.sqlite3'}"
        settings = Settings(heartbeat_minutes=HEARTBEAT_SECONDS / 60)
        first, second = Platform(db.open_database(url), settings), Platform(db.open_database(url), settings)
        try:
            store_id = seed_engine(first.engine).store_id
            long_ago = db.utcnow() - timedelta(hours=1)
            first.started_at = second.started_at = long_ago  # both up long before: no start-up grace
            # the store's devices polled (through the first server) a moment before the disk filled up
            polled = db.utcnow() - timedelta(seconds=HEARTBEAT_SECONDS - 1.5)
            with db.writing(first.engine) as conn:
                conn.execute(
                    db.store_heartbeats.insert().values(store_id=store_id, last_poll_at=db.iso(polled))
                )
            filler = _fill(disk)
            try:
                storage_health.watch_of(
                    first
                ).failed()  # its heartbeat's write refused: the first saw the outage
                # the second's job loop meanwhile: the last poll is still within the heartbeat, nothing to pause
                jobs.run_once(second)
            finally:
                filler.unlink()  # the storage is back
            assert _state(second, store_id) is StoreState.ONLINE
            time.sleep(2.0)  # the last written poll is now older than the heartbeat; no poll written since
            # the second's first round after the outage, before the first's round writes when it ended
            assert jobs.pause_unwatched(second) == []
            assert _state(second, store_id) is StoreState.ONLINE
            assert jobs.pause_unwatched(first) == []  # the first's round: says when the storage came back
            with second.engine.connect() as conn:
                assert db.get_meta(conn, storage_health.STORAGE_BACK_KEY) is not None
            # a device that truly stopped polling is still paused, a heartbeat after the storage came back
            time.sleep(HEARTBEAT_SECONDS + 0.5)
            assert jobs.pause_unwatched(second) == [store_id]
            assert _state(first, store_id) is StoreState.PAUSED
        finally:
            first.engine.dispose()
            second.engine.dispose()
