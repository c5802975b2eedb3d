"""The full-screen commands refuse at once, with a sentence and exit 2, when stdin or stdout is not a terminal
(a script, a pipe, a cron job): a Textual app started there drew nothing and spun at ~90% CPU forever. The
refusal comes before any server, cache or app starts (the demo leaves no data dir behind)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform
from tests.test_login import ROOT, o2o

CLI = "from o2o_tui.cli import main; main()"


def _run(
    home: Path, *args: str, stdin: int | None = subprocess.DEVNULL
) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")}
    env.update({"O2O_HOME": str(home), "O2O_LANG": "en"})
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", CLI, *args],
        stdin=stdin,
        capture_output=True,  # stdout a pipe, as in a script
        text=True,
        cwd=ROOT,
        env=env,
        timeout=30,
    )
    return result, time.monotonic() - started


@pytest.fixture(scope="module")
def homes(shared_platform: RunningPlatform, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    assert shared_platform.seed is not None
    homes = {}
    for role in ("merchant", "courier"):
        home = tmp_path_factory.mktemp(role)
        login = o2o(home, "login", "--url", shared_platform.url, "--token", shared_platform.seed.tokens[role])
        assert login.returncode == 0, login.stderr
        homes[role] = home
    return homes


@pytest.mark.parametrize(
    ("role", "command"),
    [("merchant", "console"), ("merchant", "dispatch"), ("courier", "courier"), ("merchant", "demo")],
)
def test_a_tui_without_a_terminal_is_refused_at_once(homes: dict[str, Path], role: str, command: str) -> None:
    result, seconds = _run(homes[role], command)
    assert result.returncode == Exit.USAGE, (result.stdout, result.stderr)
    assert f"`o2o {command}` is a full-screen app and needs a terminal" in " ".join(result.stderr.split())
    assert result.stdout == ""  # not one escape sequence of an app
    assert seconds < 10
    assert not list((homes[role] / "data").glob("demo-*")), "the demo started nothing"


def test_a_piped_stdout_is_refused_too_in_chinese(homes: dict[str, Path]) -> None:
    """`o2o console | less`: the keyboard is a terminal, the screen is not."""
    main, other = pty.openpty()
    try:
        result, _ = _run(homes["merchant"], "--lang", "zh", "console", stdin=other)
    finally:
        os.close(main)
        os.close(other)
    assert result.returncode == Exit.USAGE
    assert "需要终端" in result.stderr and "o2o console" in result.stderr
