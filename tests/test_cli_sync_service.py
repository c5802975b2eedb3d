"""`o2o sync` run as a service (no --once): a token the platform refuses does not leave it stuck; it says LOG IN AGAIN
once and picks up the next `o2o login` of the account by itself, so the queue goes out with no restart. With
`--json` it writes one JSON object per status change on stdout; on a terminal its line, folded to the width, is
redrawn whole. Real `o2o` processes against the real platform on loopback, the token revoked and rotated with
`o2o admin`, O2O_HOME in tmp_path; the terminal is a real pty read back through pyte."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.client import PlatformClient
from o2o_tui.domain.order import OrderStatus
from tests.support.platform import ROOT, RunningPlatform
from tests.support.signals import killed_on_exit
from tests.test_cli_orders import Cli
from tests.test_sync_engine import place_orders

WAIT_S = 40.0  # far more than any step needs (a poll answers within 9 s, a new login is read within 2 s)


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    assert platform.seed is not None
    runner = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    runner("login", "--url", platform.url, "--token", runner.token)
    yield runner
    assert all(runner.token not in text for text in runner.outputs)


def order_status(platform: RunningPlatform, order_id: str) -> OrderStatus:
    """The order as the platform has it (read as the store's dispatcher: the merchant's token is revoked)."""
    assert platform.seed is not None
    with PlatformClient(platform.url, platform.seed.tokens["dispatcher"]) as dispatcher:
        return dispatcher.get_order(order_id).status


def admin(platform: RunningPlatform, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`o2o admin ARGS --db <the platform's database>`, as the platform's operator runs it."""
    env = {**os.environ, "O2O_HOME": str(tmp_path / "operator"), "O2O_LANG": "en"}
    command = [sys.executable, "-c", "from o2o_tui.cli import main; main()", "admin", *args]
    done = subprocess.run(
        [*command, "--db", platform.db_url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done


class Lines:
    """The lines a stream of a running process writes, read on a thread as they come."""

    def __init__(self, stream: IO[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))

    def wait_for(self, wanted: Callable[[str], bool], process: subprocess.Popen[str]) -> str:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.2)
            except queue.Empty:
                assert process.poll() is None, f"o2o sync ended ({process.returncode}): {self.seen}"
                continue
            self.seen.append(line)
            if wanted(line):
                return line
        raise AssertionError(f"not seen in time; lines so far: {self.seen}")

    def drain(self) -> list[str]:
        while True:
            try:
                self.seen.append(self._queue.get(timeout=0.5))
            except queue.Empty:
                return self.seen


def start_service(cli: Cli, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")}
    env |= {"O2O_HOME": str(cli.home), "O2O_LANG": "en", "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", "sync", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=20)
    assert process.returncode == 0


def wait_until(check: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():
        assert time.monotonic() < deadline, "not in time"
        assert process.poll() is None, f"o2o sync ended ({process.returncode})"
        time.sleep(0.2)


def test_a_running_sync_sends_the_queue_after_a_new_login_once_its_token_was_revoked(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    assert platform.seed is not None
    merchant = platform.seed.user_ids["merchant"]
    [order_id] = place_orders(platform.url, platform.seed, 1)
    cli("sync", "--once")
    with killed_on_exit(start_service(cli)) as service:
        assert service.stderr is not None
        said = Lines(service.stderr)
        said.wait_for(lambda line: line.startswith("ONLINE"), service)

        admin(platform, tmp_path, "revoke-token", merchant)
        said.wait_for(lambda line: line.startswith("LOG IN AGAIN"), service)
        cli("orders", "accept", order_id, "--prep", "12", code=Exit.AUTH)  # queued, as documented
        said.wait_for(lambda line: line.startswith("LOG IN AGAIN | queued 1"), service)
        time.sleep(6)  # longer than the status line's 5 s tick: a log is not told the same thing again
        assert order_status(platform, order_id) is OrderStatus.CREATED

        fresh = json.loads(admin(platform, tmp_path, "rotate-token", merchant, "--json").stdout)["token"]
        cli("login", "--url", platform.url, "--token", fresh)
        said.wait_for(lambda line: line.startswith("ONLINE | queued 0"), service)
        assert order_status(platform, order_id) is OrderStatus.CONFIRMED
        assert service.poll() is None  # the same process, never restarted
        stop(service)
        lines = said.drain()
    assert sum(line.startswith("LOG IN AGAIN | queued 1") for line in lines) == 1, lines
    hints = [line for line in lines if "o2o login --profile default" in line]
    assert len(hints) == 1 and "picks up the new login by itself" in hints[0], lines
    assert any("new login" in line.lower() and "default" in line for line in lines), lines
    assert not any(cli.token in line or fresh in line for line in lines)


def test_sync_json_writes_one_object_per_status_change_on_stdout(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    assert platform.seed is not None
    [order_id] = place_orders(platform.url, platform.seed, 1)
    once = cli.json("sync", "--once")
    with killed_on_exit(start_service(cli, "--json")) as service:
        assert service.stdout is not None and service.stderr is not None
        errors = Lines(service.stderr)
        objects = Lines(service.stdout)
        objects.wait_for(lambda line: json.loads(line)["state"] == "ONLINE", service)
        admin(platform, tmp_path, "revoke-token", platform.seed.user_ids["merchant"])
        objects.wait_for(lambda line: json.loads(line)["state"] == "UNAUTHORIZED", service)
        cli("orders", "accept", order_id, code=Exit.AUTH)
        objects.wait_for(lambda line: json.loads(line)["pending"] == 1, service)
        time.sleep(6)  # the plain line's tick: no object for a mere clock change
        stop(service)
        lines = objects.drain()
        assert errors.drain() == []  # nothing but JSON, and that on stdout
    documents: list[dict[str, Any]] = [json.loads(line) for line in lines]
    assert [d["state"] for d in documents] == ["CONNECTING", "ONLINE", "UNAUTHORIZED", "UNAUTHORIZED"], lines
    assert [d["pending"] for d in documents] == [0, 0, 0, 1]
    shared = {"state", "pending", "conflicts", "error"}  # what `sync --once --json` says too
    assert shared <= set(once)
    for document in documents:
        assert set(document) == shared | {"last_sync_at", "at"}, document
        assert document["conflicts"] == 0
    online, refused = documents[1], documents[2]
    assert online["error"] is None and online["last_sync_at"].endswith("Z")
    assert "log in again" in refused["error"].lower() or "token" in refused["error"].lower(), refused
    assert not any(cli.token in line for line in lines)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_on_a_narrow_terminal_the_status_line_folds_and_is_redrawn_whole(language: str) -> None:
    """At 40 columns the status line takes two rows: each redraw rubs out both (clearing only the last row left a
    stale row at every change), and the LOG IN AGAIN sentence is folded at words, once. A real pty, read back
    through a terminal emulator."""
    import fcntl
    import struct
    import termios

    import pyte

    from o2o_tui.cli.sync_service import StatusOutput, status_line
    from o2o_tui.i18n import set_language, t
    from o2o_tui.sync.model import SyncState, SyncStatus
    from o2o_tui.text_fold import fold

    columns, rows = 40, 15
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    set_language(language)
    try:
        with os.fdopen(slave, "w", encoding="utf-8") as terminal:
            output = StatusOutput("default", as_json=False, stream=terminal)
            assert output.live
            for state, pending in [
                (SyncState.ONLINE, 0),
                (SyncState.UNAUTHORIZED, 0),
                (SyncState.UNAUTHORIZED, 1),
            ]:
                output.show(SyncStatus(state=state, pending=pending, conflicts=0))
            last = SyncStatus(state=SyncState.UNAUTHORIZED, pending=1, conflicts=0)
            expected = fold(t("sync.run.unauthorized", profile="default"), columns - 1) + fold(
                status_line(last), columns - 1
            )
        written = b""
        while chunk := _read_some(master):
            written += chunk
    finally:
        set_language(None)
        os.close(master)
    assert len(fold(status_line(last), columns - 1)) == 2  # what this test is about: a line that wraps
    screen = pyte.Screen(columns, rows)
    pyte.ByteStream(screen).feed(written.replace(b"\n", b"\r\n"))  # as the tty's output processing does
    assert [row.rstrip() for row in screen.display if row.strip()] == expected


def _read_some(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # the other end is closed: all read
        return b""
