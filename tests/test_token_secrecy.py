"""Tokens never sit on a command line, where `ps` shows them to every user of the machine (issue 10, defect 7):
the demo hands the simulator its admin token through the environment, and `o2o login` takes a token from
standard input (`--token -`) or `O2O_TOKEN`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.platform import RunningPlatform

ROOT = Path(__file__).resolve().parent.parent
CLI = "from o2o_tui.cli import main; main()"

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/cmdline").exists(), reason="needs /proc to read command lines"
)


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")}
    return {**env, "O2O_HOME": str(home), "O2O_LANG": "en", **extra}


def _command_lines_under(home: Path) -> dict[int, bytes]:
    """The command line of every live process whose O2O_HOME lies under `home` (the demo's children)."""
    marker = f"O2O_HOME={home}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if any(item.startswith(marker) for item in environ.split(b"\0")):
            found[int(entry.name)] = cmdline
    return found


def test_the_demo_keeps_the_admin_token_off_every_command_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    demo = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CLI,
            "demo",
            "--headless-check",
            "60",
            "--orders-per-hour",
            "60",
            "--speed",
            "60",
        ],
        env=_env(home),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        simulators: dict[int, bytes] = {}
        saved: dict[str, dict[str, str]] = {}
        while time.monotonic() < deadline and not (simulators and "platform" in saved):
            time.sleep(0.2)
            seen = _command_lines_under(home)
            simulators = {pid: line for pid, line in seen.items() if b"simulate" in line.split(b"\0")}
            for path in (home / "data").glob("demo-*/home/config/profiles.json"):
                saved = json.loads(path.read_text())["profiles"]  # written whole (atomically)
        assert simulators, "the simulator did not start"
        assert "platform" in saved, "the demo's profiles were not written"
        tokens = {profile["token"] for profile in saved.values()}
        assert (
            len(tokens) == 3 and len(saved["platform"]["token"]) > 20
        )  # the admin's, the counter's, the courier's
        lines = _command_lines_under(home)
        assert len(lines) >= 3  # the demo, the server and the simulator
        for pid, line in lines.items():
            for token in tokens:
                assert token.encode() not in line, (pid, line)
    finally:
        demo.send_signal(signal.SIGTERM)
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait()


def _login(home: Path, url: str, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI, "login", "--url", url, *args, "--json"],
        input=stdin,
        env=_env(home, **env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_login_reads_the_token_from_stdin_or_the_environment(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    seed = shared_platform.seed
    assert seed is not None
    token = seed.tokens["merchant"]

    piped = _login(tmp_path / "a", shared_platform.url, "--token", "-", stdin=token + "\n")
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["role"] == "merchant" and token not in piped.stdout + piped.stderr
    saved = json.loads((tmp_path / "a" / "config" / "profiles.json").read_text())["profiles"]["default"]
    assert saved["token"] == token

    from_env = _login(tmp_path / "b", shared_platform.url, O2O_TOKEN=token)
    assert from_env.returncode == 0, from_env.stderr
    assert json.loads(from_env.stdout)["role"] == "merchant"

    empty = _login(tmp_path / "c", shared_platform.url, "--token", "-", stdin="")
    assert empty.returncode == 2 and "standard input" in empty.stderr
