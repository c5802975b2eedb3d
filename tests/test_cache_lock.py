"""One writer per profile: a second process gets a message naming the holder, read-only still works, and the lock
goes away with its holder (even a killed one)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from offline_cache import CacheLockedError, open_profile_cache
from offline_cache.lock import redact

ROOT = Path(__file__).resolve().parent.parent

TRY_OPEN = """
import sys
from offline_cache import CacheLockedError, open_profile_cache
from offline_cache.lock import redact
try:
    open_profile_cache(sys.argv[1]).close()
except CacheLockedError as exc:
    print(exc.code, exc.pid, exc.command, exc.since, sep="|")
    print(exc)
    sys.exit(3)
with open_profile_cache(sys.argv[1], read_only=True) as cache:
    print(len(cache.table("orders")))
"""

HOLD = """
import sys, time
from offline_cache import open_profile_cache
cache = open_profile_cache(sys.argv[1])
cache.table("orders").upsert("o1", {"id": "o1"})
print("HELD", flush=True)
time.sleep(60)
"""


def run_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=30)


def test_a_second_process_is_told_who_holds_the_cache(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    with open_profile_cache(profile) as cache:
        cache.table("orders").upsert("o1", {"id": "o1"})
        result = run_python(TRY_OPEN, str(profile))
        assert result.returncode == 3, result.stderr
        fields, message = result.stdout.splitlines()[:2]
        code, pid, command, since = fields.split("|")
        assert code == "cache_locked" and int(pid) == os.getpid()
        assert "pytest" in command or "python" in command
        assert since.startswith("20")
        assert f"process {os.getpid()}" in message and str(profile) in message and "read-only" in message
        with pytest.raises(CacheLockedError):  # a second open in this process is refused the same way
            open_profile_cache(profile)
    result = run_python(TRY_OPEN, str(profile))
    assert result.returncode == 0, result.stdout + result.stderr


def test_read_only_opens_while_another_process_writes(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(profile)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "HELD"
        with pytest.raises(CacheLockedError) as caught:
            open_profile_cache(profile)
        assert caught.value.pid == holder.pid
        with open_profile_cache(profile, read_only=True) as cache:
            assert cache.table("orders").get("o1") == {"id": "o1"}
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        with open_profile_cache(profile) as cache:  # the kernel dropped the dead holder's lock
            assert cache.table("orders").get("o1") == {"id": "o1"}
    finally:
        holder.kill()
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()


def test_secret_options_are_hidden_from_the_holder_note() -> None:
    assert redact(["o2o", "login", "--token", "abc", "--api-key=xyz", "--url", "http://x"]) == [
        "o2o",
        "login",
        "--token",
        "***",
        "--api-key=***",
        "--url",
        "http://x",
    ]


def test_a_holder_that_left_no_note_is_still_a_clear_error(tmp_path: Path) -> None:
    import fcntl

    profile = tmp_path / "profile"
    profile.mkdir(mode=0o700)
    fd = os.open(profile / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(CacheLockedError) as caught:
            open_profile_cache(profile)
        assert caught.value.pid is None and "another process" in str(caught.value)
    finally:
        os.close(fd)
    open_profile_cache(profile).close()
