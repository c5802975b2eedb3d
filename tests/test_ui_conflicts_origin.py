"""The refused list `!` on the real platform says who queued an action: a script's `o2o redeem` (run from a shell
beside the console) reads "run by a command", not "tapped", and a refused voucher names its code by the last 4
characters instead of "no order"."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.config import load_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.conflicts_screen import ConflictsScreen, conflict_prompt
from screens.launch import open_source
from tests.support.platform import RunningPlatform
from tests.test_cli_orders import Cli
from tests.test_ui_live import wait_until


@pytest.fixture
def cli(shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    assert shared_platform.seed is not None
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    runner = Cli(tmp_path / "home", shared_platform.seed.tokens["merchant"])
    runner("login", "--url", shared_platform.url, "--token", runner.token)
    yield runner
    set_language(None)


async def test_a_scripts_refused_voucher_reads_run_by_a_command_with_its_codes_end(cli: Cli) -> None:
    # no such voucher: refused (exit 4) and listed under `!`; run from "a shell", beside the event loop
    await asyncio.to_thread(cli, "redeem", "NOPE-7788-XY42", code=Exit.REJECTED)
    app = MerchantApp(open_source(load_profile()))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: len(app.source.conflicts()) == 1)
        [conflict] = app.source.conflicts()
        head = str(conflict_prompt(conflict, None)).splitlines()[0]
        assert head.startswith("voucher …XY42 · "), head
        assert "run by a command" in head and "tapped" not in head, head
        await pilot.press("exclamation_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, ConflictsScreen))
