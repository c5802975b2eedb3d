"""The CLI run from cron or CI: stdin closed or a pipe nobody writes to, stdout closed or a pipe whose reader left.

`o2o login` never prompts without a terminal (it says which option to give, exit 2, JSON under --json), also with
stdin closed (`<&-`, which is not /dev/null: Python has no `sys.stdin` then). Output that cannot be written does not
turn a done action into a failure: the command exits with its own code and prints no traceback. `o2o sync`, which
runs until stopped, stops quietly once its output is gone (exit 141, as a Unix tool killed by SIGPIPE), the link
holder's record cleared. The real `o2o` in a subprocess against the real platform on loopback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.cli.sync_service import OUTPUT_GONE_EXIT
from o2o_tui.sync.engine import META_LIVE_HOLDER
from o2o_tui.sync.session import profile_cache
from tests.support.platform import RunningPlatform
from tests.test_login import ROOT, o2o

CLI = [sys.executable, "-c", "from o2o_tui.cli import main; main()"]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")}
    return env | {"O2O_HOME": str(home), "O2O_LANG": "en", "NO_COLOR": "1"}


def _closing(fd: int) -> Callable[[], None]:
    """A `preexec_fn` that closes `fd` in the child: `<&-` / `>&-` (DEVNULL is an open file, not a closed one)."""
    return lambda: os.close(fd)


def _terminal_of_its_own() -> None:
    """In the child: a session whose controlling terminal is its stdin (the pty), as a login shell's."""
    import fcntl
    import termios

    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _run(home: Path, *args: str, **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], cwd=ROOT, env=_env(home), text=True, timeout=60, **options
    )


@pytest.fixture(scope="module")
def merchant(shared_platform: RunningPlatform, tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert shared_platform.seed is not None
    home = tmp_path_factory.mktemp("merchant")
    done = o2o(home, "login", "--url", shared_platform.url, "--token", shared_platform.seed.tokens["merchant"])
    assert done.returncode == 0, done.stderr
    return home


def _usage_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr  # one JSON error, no traceback or warning
    error = json.loads(lines[0])["error"]
    assert error["code"] == "usage" and error["exit"] == 2, error
    message: str = error["message"]
    return message


@pytest.mark.parametrize("token", [["--token", "-"], []], ids=["token-dash", "no-token"])
def test_login_with_stdin_closed_is_a_usage_error(
    shared_platform: RunningPlatform, tmp_path: Path, token: list[str]
) -> None:
    args = ["login", "--url", shared_platform.url, *token, "--profile", "z", "--json"]
    result = _run(tmp_path, *args, stdin=None, capture_output=True, preexec_fn=_closing(0))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "--token -" in _usage_error(result.stderr)
    assert not (tmp_path / "config").exists() or "z" not in (tmp_path / "config").read_text()


def test_login_without_a_terminal_never_prompts(shared_platform: RunningPlatform, tmp_path: Path) -> None:
    """stdin a pipe that stays open (a CI job's): no prompt, no wait for it to close."""
    out, err = tmp_path / "out", tmp_path / "err"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [*CLI, "login", "--url", shared_platform.url, "--profile", "x", "--json"],
            stdin=subprocess.PIPE,
            stdout=stdout,
            stderr=stderr,
            cwd=ROOT,
            env=_env(tmp_path),
        )
        try:
            code = process.wait(timeout=20)  # stdin is never closed: a prompt would wait for ever
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            assert process.stdin is not None
            process.stdin.close()
    assert code == 2
    assert out.read_text() == ""  # no "Token:" on the JSON stream
    message = _usage_error(err.read_text())
    assert "--token -" in message and "--token TOKEN" in message


def test_login_without_a_terminal_says_it_to_a_person_in_chinese(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    env = _env(tmp_path) | {"O2O_LANG": "zh"}
    result = subprocess.run(
        [*CLI, "login", "--url", shared_platform.url],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert "终端" in result.stderr and "--token -" in result.stderr and "Traceback" not in result.stderr


def test_a_done_action_with_stdout_closed_exits_0(merchant: Path) -> None:
    result = _run(
        merchant, "store", "pause", "--minutes", "2", "--json",
        stdout=None, stderr=subprocess.PIPE, preexec_fn=_closing(1),
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    status = o2o(merchant, "store", "status", "--json")
    assert json.loads(status.stdout)["status"]["state"] == "PAUSED", status.stdout
    resumed = o2o(merchant, "store", "resume", "--json")
    assert resumed.returncode == 0, resumed.stderr


# A read and an action, JSON and text, each at least once in the suite; all four in `python -m bench deep`.
@pytest.mark.covering
@pytest.mark.parametrize("output", [["--json"], []], ids=["json", "text"])
@pytest.mark.parametrize("args", [["orders", "list"], ["store", "resume"]], ids=["list", "action"])
def test_a_reader_that_left_does_not_make_a_failure(
    merchant: Path, args: list[str], output: list[str]
) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # the reader left before a byte was written: every write is EPIPE
    try:
        result = _run(merchant, *args, *output, stdout=writer, stderr=subprocess.PIPE)
    finally:
        os.close(writer)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no traceback, no "Exception ignored ... BrokenPipeError"


def test_sync_stops_quietly_once_its_reader_left(merchant: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`o2o sync --json | head -1`: the first status line is read, the reader goes, the next change stops it."""
    err = merchant / "sync-err"
    with err.open("w") as stderr:
        process = subprocess.Popen(
            [*CLI, "sync", "--json"], stdout=subprocess.PIPE, stderr=stderr, cwd=ROOT, env=_env(merchant)
        )
        try:
            assert process.stdout is not None
            first = json.loads(process.stdout.readline())
            assert first["state"] == "CONNECTING", first
            process.stdout.close()  # `head -1` exits
            started = time.monotonic()
            code = process.wait(timeout=30)  # the next change (ONLINE) finds nobody to read it
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert code == OUTPUT_GONE_EXIT
    assert time.monotonic() - started < 25
    said = err.read_text()
    assert "Traceback" not in said and "could not take in" not in said, said
    monkeypatch.setenv("O2O_HOME", str(merchant))
    with profile_cache(None, read_only=True) as (_, cache):
        assert cache.meta_get(META_LIVE_HOLDER, "absent") is None  # stopped: it holds the link no more
    status = o2o(merchant, "sync", "status", "--json")
    assert json.loads(status.stdout)["live"] is False


def test_a_quiet_sync_finds_its_reader_gone_without_a_change(merchant: Path) -> None:
    """The reader leaves once the link is ONLINE and quiet: no change to write, yet it stops within a tick."""
    err = merchant / "sync-quiet-err"
    with err.open("w") as stderr:
        process = subprocess.Popen(
            [*CLI, "sync", "--json"], stdout=subprocess.PIPE, stderr=stderr, cwd=ROOT, env=_env(merchant)
        )
        try:
            assert process.stdout is not None
            while json.loads(process.stdout.readline())["state"] != "ONLINE":
                pass
            process.stdout.close()
            code = process.wait(timeout=30)  # TICK_S (5 s) later at most
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert code == OUTPUT_GONE_EXIT
    assert "Traceback" not in err.read_text()


def test_on_a_terminal_the_token_is_asked_for_and_not_echoed(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    """A person at a terminal (stdin a tty) is still asked, the token typed unseen."""
    import pty
    import select

    assert shared_platform.seed is not None
    token = shared_platform.seed.tokens["dispatcher"]
    main, other = pty.openpty()
    process = subprocess.Popen(
        [*CLI, "login", "--url", shared_platform.url],
        stdin=other, stdout=other, stderr=other, cwd=ROOT, env=_env(tmp_path), preexec_fn=_terminal_of_its_own,
    )
    os.close(other)
    seen = b""

    def read_until(done: Callable[[bytes], bool]) -> None:
        nonlocal seen
        deadline = time.monotonic() + 30
        while not done(seen) and time.monotonic() < deadline:
            if select.select([main], [], [], 0.2)[0]:
                try:
                    chunk = os.read(main, 4096)
                except OSError:  # the child ended: the pty is closed
                    return
                if not chunk:
                    return
                seen += chunk

    try:
        # "Token:" is Click's, the " " after it getpass's once echo is off (typed sooner: echoed, then flushed)
        read_until(lambda text: b"Token: " in text)
        assert b"Token: " in seen, seen
        os.write(main, token.encode() + b"\n")
        code = process.wait(timeout=30)
        read_until(lambda text: b"dispatcher" in text)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(main)
    assert code == 0, seen
    assert token.encode() not in seen
    assert b"dispatcher" in seen
