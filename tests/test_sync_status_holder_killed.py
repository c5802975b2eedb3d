"""`o2o sync status` after the console that kept the link was killed (SIGKILL: no chance to write "stopped").

The running engine records which process keeps the link (`sync.live_holder`: pid, machine, boot and start time).
On that machine `o2o sync status` asks whether the process still runs: killed, it says so at once (JSON
`holder_ended: true`, `live: false`, a sentence in the person's language) instead of "live" for up to
`live_within` (~40 s). A record from another machine shares no pids: only the age rule applies there. A clean stop
clears the record, so nothing is said. The real `o2o console` on a pty and the real `o2o sync`, against the real
platform on loopback, a real cache under a temp O2O_HOME.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app as cli_app
from o2o_tui.sync.engine import META_LIVE_HOLDER
from o2o_tui.sync.live_holder import holder_ended, this_process
from o2o_tui.sync.session import profile_cache
from tests.support.platform import RunningPlatform

ROOT = Path(__file__).resolve().parent.parent


def run_cli(home: Path, *args: str, lang: str = "en") -> Any:
    env = {"O2O_HOME": str(home), "O2O_LANG": lang, "NO_COLOR": "1", "COLUMNS": "200"}
    env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
    return CliRunner().invoke(cli_app, list(args), env=env, catch_exceptions=False)


def status(home: Path) -> dict[str, Any]:
    result = run_cli(home, "sync", "status", "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def wait_live(home: Path, process: subprocess.Popen[bytes], main: int | None = None) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    data: dict[str, Any] = {}
    while time.monotonic() < deadline:
        if main is not None:  # keep the pty drained: a console blocked on a full pty would never sync
            while select.select([main], [], [], 0)[0]:
                try:
                    if not os.read(main, 65536):
                        break
                except OSError:
                    break
        assert process.poll() is None, "the console or o2o sync ended by itself"
        data = status(home)
        if data["live"]:
            return data
        time.sleep(0.2)
    raise AssertionError(f"never live: {data}")


def login(platform: RunningPlatform, home: Path) -> None:
    seed = platform.seed
    assert seed is not None
    done = run_cli(home, "login", "--url", platform.url, "--token", seed.tokens["merchant"])
    assert done.exit_code == 0, done.output


def child_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("O2O_PROFILE", "O2O_TOKEN", "NO_COLOR")}
    return env | {"O2O_HOME": str(home), "O2O_LANG": "en", "TERM": "xterm-256color"}


def test_a_killed_console_is_not_live_at_once(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("O2O_HOME", str(home))
    monkeypatch.delenv("O2O_PROFILE", raising=False)
    login(platform, home)
    main, child = os.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    console = subprocess.Popen(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", "console"],
        stdin=child, stdout=child, stderr=child, env=child_env(home), cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    os.close(child)
    try:
        before = wait_live(home, console, main)
        assert before["holder_ended"] is False and before["state"] == "ONLINE", before
        os.killpg(console.pid, signal.SIGKILL)  # no chance to say it stopped
        # dead (a signal is delivered when the process next runs: on a loaded machine, later), not yet reaped
        os.waitid(os.P_PID, console.pid, os.WEXITED | os.WNOWAIT)
        # at once, even before its parent reaped it (a zombie is ended too)
        killed = status(home)
        assert killed["live"] is False and killed["holder_ended"] is True, killed
        console.wait(timeout=10)
        killed = status(home)
        assert killed["live"] is False and killed["holder_ended"] is True, killed
        text = run_cli(home, "sync", "status").stdout
        assert "last sync live" not in text, text
        assert f"(process {console.pid}) has ended" in text, text
        zh = run_cli(home, "sync", "status", lang="zh").stdout
        assert f"（进程 {console.pid}）已结束" in zh and "实时" not in zh, zh

        # the same record from another machine: no pid there to ask about, the age rule still says "live"
        with profile_cache(None) as (_, cache):
            holder = cache.meta_get(META_LIVE_HOLDER, None)
            assert holder["pid"] == console.pid, holder
            cache.meta_set_many({META_LIVE_HOLDER: {**holder, "host": holder["host"] + "-elsewhere"}})
        elsewhere = status(home)
        assert elsewhere["holder_ended"] is False and elsewhere["live"] is True, elsewhere
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(console.pid, signal.SIGKILL)
        console.wait(timeout=10)
        os.close(main)


def test_a_stopped_o2o_sync_leaves_no_holder_to_speak_of(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("O2O_HOME", str(home))
    monkeypatch.delenv("O2O_PROFILE", raising=False)
    login(platform, home)
    service = subprocess.Popen(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", "sync"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=child_env(home), cwd=ROOT,
    )  # fmt: skip
    try:
        wait_live(home, service)
        service.send_signal(signal.SIGTERM)  # stopped the way a service manager stops it
        service.wait(timeout=30)
        stopped = status(home)
        assert stopped["live"] is False and stopped["holder_ended"] is False, stopped
        assert "has ended" not in run_cli(home, "sync", "status").stdout
        with profile_cache(None) as (_, cache):
            assert cache.meta_get(META_LIVE_HOLDER, "absent") is None
    finally:
        with contextlib.suppress(ProcessLookupError):
            service.kill()
        service.wait(timeout=10)
        assert service.stderr is not None
        service.stderr.close()


def test_holder_ended_asks_only_about_this_machines_processes() -> None:
    me = this_process()
    assert holder_ended(me) is False  # this very process
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        record = {**me, "pid": sleeper.pid, "identity": None}
        assert holder_ended(record) is False  # it runs
        if me["identity"] is not None:  # /proc: a pid given to another process since is not the holder
            assert holder_ended({**record, "identity": me["identity"]}) is True
        sleeper.kill()
        sleeper.wait(timeout=10)
        assert holder_ended(record) is True
        assert holder_ended({**record, "host": me["host"] + "-elsewhere"}) is False
        for junk in (None, "x", {}, {**record, "pid": "1"}, {**record, "pid": True}, {**record, "pid": 0}):
            assert holder_ended(junk) is False
    finally:
        with contextlib.suppress(ProcessLookupError):
            sleeper.kill()
        sleeper.wait(timeout=10)
