"""Several processes on one profile (DESIGN section 5): writes are serialized by a write lock held for one write
and read the newest file first, so appends from every process keep their order and no update is lost; readers see
other processes' writes; a process stuck holding the write lock is named; the push lock has one holder at a time
and goes away with it (even a killed one)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from offline_cache import CacheLockedError, open_profile_cache
from offline_cache.lock import WriteLock, redact

ROOT = Path(__file__).resolve().parent.parent

WRITER = """
import sys
from offline_cache import open_profile_cache
directory, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open_profile_cache(directory) as cache:
    print("OPEN", flush=True)
    sys.stdin.readline()  # start together
    for n in range(count):
        cache.outbox.append("order.confirm", f"{name}/{n}", "{}")
        cache.table("orders").upsert(f"{name}-{n}", {"id": f"{name}-{n}"})
        cache.meta_set(f"last-{name}", n)
"""

STUCK_WRITER = """
import sys, time
from pathlib import Path
from offline_cache.lock import WriteLock
lock = WriteLock(Path(sys.argv[1]))
lock.acquire()
print("HELD", flush=True)
time.sleep(60)
"""

PUSHER = """
import sys, time
from offline_cache import open_profile_cache
cache = open_profile_cache(sys.argv[1])
assert cache.push_lock is not None and cache.push_lock.try_acquire()
cache.outbox.append("order.confirm", "o9", "{}")
print("PUSHING", flush=True)
time.sleep(60)
"""


def start(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def stop(process: subprocess.Popen[str]) -> None:
    process.kill()
    process.wait(timeout=10)
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()


def test_writers_in_several_processes_keep_every_append_in_order_and_lose_no_update(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    count = 40
    with open_profile_cache(profile) as console:  # open in this process too, the way the console is
        writers = [start(WRITER, str(profile), f"w{n}", str(count)) for n in range(3)]
        try:
            for writer in writers:
                assert writer.stdout is not None and writer.stdout.readline().strip() == "OPEN"
            for writer in writers:
                assert writer.stdin is not None
                writer.stdin.write("go\n")
                writer.stdin.flush()
            mine = [console.outbox.append("order.confirm", f"me/{n}", "{}") for n in range(count)]
            for writer in writers:
                assert writer.wait(timeout=60) == 0
        finally:
            for writer in writers:
                stop(writer)
        # this process sees the others' writes without opening the cache again
        entries = console.outbox.pending()
        assert len(entries) == 4 * count
        assert [entry.seq for entry in entries] == list(range(1, 4 * count + 1))  # one sequence, no gaps
        for name in ("w0", "w1", "w2", "me"):  # each process's appends in the order it made them
            assert [e.target for e in entries if e.target.startswith(name + "/")] == [
                f"{name}/{n}" for n in range(count)
            ]
        assert [entry.seq for entry in mine] == sorted(entry.seq for entry in mine)
        # no read-modify-write lost another process's document
        assert sorted(console.table("orders").ids()) == sorted(
            f"w{w}-{n}" for w in range(3) for n in range(count)
        )
        assert [console.meta_get(f"last-w{w}") for w in range(3)] == [count - 1] * 3
    with open_profile_cache(profile) as again:
        assert len(again.outbox.pending()) == 4 * count


def test_another_process_writes_are_read_and_reported_once(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    with open_profile_cache(profile) as console, open_profile_cache(profile, read_only=True) as reader:
        console.table("orders").upsert("o1", {"id": "o1", "v": 1})
        assert not console.external_changes()  # its own writes are not "another process's"
        writer = start(WRITER, str(profile), "x", "2")
        try:
            assert writer.stdout is not None and writer.stdout.readline().strip() == "OPEN"
            assert writer.stdin is not None
            writer.stdin.write("go\n")
            writer.stdin.flush()
            assert writer.wait(timeout=30) == 0
        finally:
            stop(writer)
        for cache in (console, reader):
            assert cache.table("orders").get("x-1") == {"id": "x-1"}
            assert [entry.target for entry in cache.outbox.pending()] == ["x/0", "x/1"]
        changes = console.external_changes()
        assert set(changes.cache["orders"]) == {"x-0", "x-1"}
        assert sorted(doc["target"] for doc in changes.outbox.values()) == ["x/0", "x/1"]
        assert not console.external_changes()  # reported once
        console.outbox.mark_done_many([entry.key for entry in console.outbox.pending()])
        assert reader.outbox.pending() == []  # the read-only copy follows too


def test_a_process_stuck_in_a_write_is_named_and_reading_still_works(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    with open_profile_cache(profile) as cache:
        cache.table("orders").upsert("o1", {"id": "o1"})
        holder = start(STUCK_WRITER, str(profile))
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "HELD"
            started = time.monotonic()
            with pytest.raises(CacheLockedError) as caught:
                open_profile_cache(profile, lock_wait=0.3)
            assert 0.3 <= time.monotonic() - started < 3
            error = caught.value
            assert error.code == "cache_locked" and error.pid == holder.pid
            assert error.command is not None and "python" in error.command
            assert error.since is not None and error.since.startswith("20")
            assert (
                f"process {holder.pid}" in str(error) and str(profile) in str(error) and "stuck" in str(error)
            )
            assert cache.write_lock is not None
            cache.write_lock.wait = 0.2
            with pytest.raises(
                CacheLockedError
            ):  # a write of an open cache waits, then names it the same way
                cache.table("orders").upsert("o2", {"id": "o2"})
            assert cache.table("orders").ids() == ["o1"]  # nothing half-done
            with open_profile_cache(profile, read_only=True) as reader:
                assert reader.table("orders").get("o1") == {"id": "o1"}
            holder.send_signal(signal.SIGKILL)
            holder.wait(timeout=10)
            cache.table("orders").upsert("o2", {"id": "o2"})  # the kernel dropped the dead holder's lock
        finally:
            stop(holder)
    with open_profile_cache(profile) as cache:
        assert sorted(cache.table("orders").ids()) == ["o1", "o2"]


def test_a_holder_that_left_no_note_is_still_a_clear_error(tmp_path: Path) -> None:
    import fcntl

    profile = tmp_path / "profile"
    profile.mkdir(mode=0o700)
    fd = os.open(profile / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(CacheLockedError) as caught:
            open_profile_cache(profile, lock_wait=0.1)
        assert caught.value.pid is None and "another process" in str(caught.value)
    finally:
        os.close(fd)
    open_profile_cache(profile).close()


def test_the_write_lock_is_reentrant_in_one_object_and_exclusive_between_objects(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    first, second = WriteLock(tmp_path, wait=0.05), WriteLock(tmp_path, wait=0.05)
    try:
        with first.held_for_write(), first.held_for_write(), pytest.raises(CacheLockedError):
            second.acquire()
        with second.held_for_write():
            pass
    finally:
        first.close()
        second.close()


def test_the_push_lock_has_one_holder_and_dies_with_it(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    with open_profile_cache(profile) as cache:
        assert cache.push_lock is not None
        assert cache.push_lock.try_acquire()
        assert not cache.push_lock.try_acquire()  # not reentrant: one push at a time in this process too
        cache.push_lock.release()
        pusher = start(PUSHER, str(profile))
        try:
            assert pusher.stdout is not None and pusher.stdout.readline().strip() == "PUSHING"
            started = time.monotonic()
            assert not cache.push_lock.try_acquire()  # taken without waiting
            assert time.monotonic() - started < 0.1
            assert cache.push_lock.holder().get("pid") == pusher.pid
            assert [entry.target for entry in cache.outbox.pending()] == ["o9"]  # its entry is for us to see
            pusher.send_signal(signal.SIGKILL)
            pusher.wait(timeout=10)
            assert cache.push_lock.try_acquire()  # the kernel dropped the killed holder's lock
            cache.push_lock.release()
        finally:
            stop(pusher)


def test_secret_options_are_hidden_from_the_holder_note() -> None:
    assert redact(["o2o", "login", "--token", "abc", "--api-key=xyz", "--url", "http://x"]) == [
        "o2o",
        "login",
        "--token",
        "…",
        "--api-key=…",
        "--url",
        "…",
    ]  # every value hidden now: tests/test_cache_lock_command.py
