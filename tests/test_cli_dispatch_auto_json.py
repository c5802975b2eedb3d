"""`o2o dispatch auto --json` keeps stdout for its rounds' JSON objects, and its "waiting" is the text status's.

- Offline, each failed round is a JSON warning on stderr (`platform_unreachable`), stdout stays empty; it wrote
  the text status line to stdout. Once the platform is back a round's object follows on stdout.
- "waiting": the delivery orders still without a courier after the round (those it just assigned not counted), in
  the JSON as in the text status line; the JSON counted them before the round.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from tests.support.platform import RunningPlatform
from tests.support.signals import hears_ctrl_c, killed_on_exit
from tests.test_cli_dispatch import Cli, place_ready_orders


def _lines(stream: IO[str]) -> queue.Queue[str]:
    """The stream's lines as they come (a reader thread): a test waits for one with a deadline, never forever."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    return lines


def _drained(lines: queue.Queue[str]) -> list[str]:
    time.sleep(0.2)  # the reader's last lines after the process ended
    found = []
    while not lines.empty():
        found.append(lines.get())
    return found


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    runner = Cli(tmp_path / "home")
    runner("login", "--url", platform.url, "--token", platform.seed.tokens["dispatcher"])  # type: ignore[union-attr]
    yield runner


def test_offline_rounds_warn_on_stderr_as_json_and_stdout_keeps_only_rounds(
    platform: RunningPlatform, cli: Cli
) -> None:
    platform.stop()
    env = {**os.environ, "O2O_HOME": str(cli.home), "O2O_LANG": "en", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    env.pop("O2O_PROFILE", None)
    command = [sys.executable, "-c", "from o2o_tui.cli import main; main()", "dispatch", "auto", "--json"]
    with killed_on_exit(
        subprocess.Popen(
            [*command, "--every", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            preexec_fn=hears_ctrl_c,
        )
    ) as process:
        assert process.stderr is not None and process.stdout is not None
        out, err = _lines(process.stdout), _lines(process.stderr)
        warnings = [json.loads(err.get(timeout=20)) for _ in range(2)]  # two rounds that found nobody
        assert out.empty(), out.get()  # nothing on stdout meanwhile (it had the text status line)
        platform.restart()
        back = json.loads(out.get(timeout=30))  # the first round that reached it: data on stdout
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    rest = _drained(out)
    errors = _drained(err)
    assert process.returncode == 0, errors
    for warning in warnings:
        assert warning["warning"] == "platform_unreachable", warning
        assert "platform unreachable" in warning["message"] and "trying again in 1 s" in warning["message"]
    assert {"at", "assigned", "waiting"} <= set(back), back
    for line in rest:  # nothing but rounds' objects on stdout
        assert isinstance(json.loads(line), dict), rest
    for line in errors:
        assert "warning" in json.loads(line), errors


def test_waiting_counts_what_is_still_without_a_courier_after_the_round(
    platform: RunningPlatform, cli: Cli
) -> None:
    place_ready_orders(platform, [(900.0, 0.0), (0.0, 900.0)])
    place_ready_orders(platform, [(-900.0, 0.0)], ready=False, prep=60)  # ready past the horizon: waits
    report = cli.json("dispatch", "auto", "--once")
    assert len(report["assigned"]) == 2, report
    assert report["waiting"] == 1, report  # not 3: the two just assigned have a courier now
    text = cli("dispatch", "auto", "--once").stdout
    assert "round 1: 0 assigned (0 in all), 1 waiting" in text, text
    assert cli.json("dispatch", "auto", "--once")["waiting"] == 1
