"""The platform's data dir full (a 3 MB tmpfs filled up): the event feed stays readable though the store device's
heartbeat cannot be written, and the heartbeat and the background jobs say they cannot write once, in one line,
not a traceback per request or per round; once there is room again they say so once and write again.

A real full disk needs a tmpfs mount (root or CAP_SYS_ADMIN): the test is skipped where none can be mounted."""

from __future__ import annotations

import contextlib
import errno
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.platform import api, start_platform

HEARTBEAT_FAILS = "the store devices' heartbeat cannot write: database or disk is full"
HEARTBEAT_BACK = "the store devices' heartbeat writes again"
PURGE_FAILS = "background job purge_personal cannot write: database or disk is full"
PURGE_BACK = "background job purge_personal writes again"
CHECK_IN_FAILS = "the auto-accept check-in of store devices cannot write: database or disk is full"


@contextlib.contextmanager
def _small_disk(where: Path) -> Iterator[Path]:
    where.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(where)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
    return filler


def _wait_until(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def test_a_full_disk_keeps_the_event_feed_readable_and_says_so_once(tmp_path: Path) -> None:
    # a heartbeat due every 0.3 s (a quarter of 1.2 s) and jobs every 0.3 s: many tries in a few seconds
    env = {"O2O_HEARTBEAT_MINUTES": "0.02", "O2O_JOB_INTERVAL_SECONDS": "0.3"}
    with _small_disk(tmp_path / "disk") as disk:
        # the database on the small disk; the server's log (and its secret) beside it, on the big one
        running = start_platform(
            tmp_path / "platform", env=env, db_url=f"sqlite:///{disk / 'platform.sqlite3'}"
        )
        try:
            merchant = api(running, "merchant")
            assert running.seed is not None
            store_id = running.seed.store_id
            assert merchant.get("/v1/events", after="0").status_code == 200
            filler = _fill(disk)
            for attempt in range(12):  # each past the heartbeat's interval: each tries to write it
                time.sleep(0.35)
                feed = merchant.get("/v1/events", after="0")
                assert feed.status_code == 200, feed.text
                assert "events" in feed.json()
                assert merchant.get("/v1/me").status_code == 200
                # the auto-accept state a console polls, with its device's check-in (a write too)
                state = merchant.get(f"/v1/stores/{store_id}/auto-accept", device=f"counter-{attempt}")
                assert state.status_code == 200, state.text
            assert _wait_until(lambda: PURGE_FAILS in running.log_text(), 5)
            time.sleep(1.0)  # more rounds of the jobs, still refused
            full = running.log_text()
            assert full.count(HEARTBEAT_FAILS) == 1, full
            assert full.count(PURGE_FAILS) == 1, full
            assert full.count(CHECK_IN_FAILS) == 1, full
            assert "Traceback" not in full and "unhandled error" not in full, full
            assert all(line.count("cannot write") <= 1 for line in full.splitlines())  # one line each

            filler.unlink()  # room again: each says so once, and the feed's heartbeat is written
            assert _wait_until(lambda: PURGE_BACK in running.log_text(), 5)
            for _ in range(3):
                time.sleep(0.35)
                assert merchant.get("/v1/events", after="0").status_code == 200
            after = running.log_text()
            assert after.count(HEARTBEAT_BACK) == 1 and after.count(PURGE_BACK) == 1, after
            assert after.count(HEARTBEAT_FAILS) == 1 and "Traceback" not in after, after
            merchant.close()
        finally:
            running.stop()
