"""`o2o console` opens the merchant console for a logged-in profile, in a real terminal (tmux)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_login import ROOT, o2o


def _tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, check=False).stdout


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")
def test_console_shows_the_store_queue_and_quits(platform: RunningPlatform, tmp_path: Path) -> None:
    assert platform.seed is not None
    home = tmp_path / "home"
    login = o2o(home, "login", "--url", platform.url, "--token", platform.seed.tokens["merchant"])
    assert login.returncode == 0, login.stderr
    customer = api(platform, "customer")
    created = customer.post("/v1/orders", order_body(platform.seed.store_id, note="[/] no cilantro"))
    assert created.status_code == 201, created.text
    number = f"#{created.json()['number']:04d}"

    socket = f"o2o-console-{os.getpid()}"
    command = f"cd {ROOT} && O2O_HOME={home} O2O_LANG=en o2o console; echo CONSOLE-EXIT=$?; sleep 30"
    _tmux(socket, "new-session", "-d", "-s", "c", "-x", "80", "-y", "24", command)
    try:
        screen = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (number in screen and "ONLINE" in screen):
            time.sleep(0.5)
            screen = _tmux(socket, "capture-pane", "-p", "-t", "c")
        assert number in screen and "ONLINE" in screen, screen
        _tmux(socket, "send-keys", "-t", "c", "q")  # a new order waits for an answer: it asks first
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "Quit the console?" not in screen:
            time.sleep(0.3)
            screen = _tmux(socket, "capture-pane", "-p", "-t", "c")
        assert "Quit the console?" in screen, screen
        _tmux(socket, "send-keys", "-t", "c", "y")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "CONSOLE-EXIT=" not in screen:
            time.sleep(0.5)
            screen = _tmux(socket, "capture-pane", "-p", "-t", "c")
        assert "CONSOLE-EXIT=0" in screen, screen
    finally:
        _tmux(socket, "kill-server")
        customer.close()


def test_console_refuses_a_profile_without_a_store(shared_platform: RunningPlatform, tmp_path: Path) -> None:
    assert shared_platform.seed is not None
    home = tmp_path / "home"
    assert o2o(home, "login", "--url", shared_platform.url, "--token", shared_platform.seed.tokens["courier"]).returncode == 0
    result = o2o(home, "console")
    assert result.returncode == Exit.USAGE
    assert "courier" in result.stderr and "o2o courier" in result.stderr  # pointed to its own screen
    other, token = tmp_path / "customer-home", shared_platform.seed.tokens["customer"]
    assert o2o(other, "login", "--url", shared_platform.url, "--token", token).returncode == 0
    result = o2o(other, "console")
    assert result.returncode == Exit.USAGE
    assert "no store" in result.stderr


def test_console_without_a_profile_says_log_in(tmp_path: Path) -> None:
    result = o2o(tmp_path / "home", "console")
    assert result.returncode == Exit.AUTH
    assert "login" in result.stderr
