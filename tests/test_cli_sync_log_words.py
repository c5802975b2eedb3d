"""What the sync engine logs reaches a CLI user's stderr in their language.

The CLI sets up no logging, so Python's last-resort handler writes the engine's warnings and errors to stderr as
they are: an entity the platform's answer left out said "sync skipped orders/<id>: ..." in English to a person
who asked for Chinese. It is now the sentence `o2o sync status` uses for it (`skipped.describe`), in the person's
language. A real `o2o sync --once` process against the real platform (one order's row bloated past the 16 MiB
answer cap), a real cache under a temp O2O_HOME.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from o2o_tui.client import PlatformClient
from o2o_tui.domain.requests import ConfirmBody
from tests.support.platform import RunningPlatform
from tests.test_sync_bad_entities import bloat, restore
from tests.test_sync_engine import place_orders

ROOT = Path(__file__).resolve().parent.parent


def o2o(home: Path, lang: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "O2O_HOME": str(home), "O2O_LANG": lang, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("O2O_PROFILE", None)
    env.pop("O2O_TOKEN", None)
    command = [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


@pytest.mark.parametrize(
    ("lang", "said"), [("en", "Skipped order {id}: "), ("zh", "已跳过订单 {id}：")], ids=["en", "zh"]
)
def test_an_entity_left_out_is_said_on_stderr_in_the_persons_language(
    platform: RunningPlatform, tmp_path: Path, lang: str, said: str
) -> None:
    seed = platform.seed
    assert seed is not None
    home = tmp_path / "home"
    [big] = place_orders(platform.url, seed, 1)
    assert o2o(home, lang, "login", "--url", platform.url, "--token", seed.tokens["merchant"]).returncode == 0
    assert o2o(home, lang, "sync", "--once").returncode == 0
    with PlatformClient(platform.url, seed.tokens["merchant"]) as merchant:
        merchant.act("order.confirm", big, ConfirmBody(preparation_minutes=5))  # an event: fetched again
    original = bloat(platform, big)
    try:
        synced = o2o(home, lang, "sync", "--once")
    finally:
        restore(platform, big, original)
    assert synced.returncode == 0, (synced.stdout, synced.stderr)
    lines = [line for line in synced.stderr.splitlines() if line.strip()]
    assert [line for line in lines if big in line and said.format(id=big) in line], lines
    assert not [line for line in lines if "sync skipped" in line], lines
