"""An `o2o menu` action the platform refuses reads "run by a command" in the console's refused list (`!`), as an
`o2o orders` action does, not "tapped": here a stale import's publish, against the real platform on loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.config import load_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.conflicts_screen import conflict_prompt
from screens.launch import open_source
from tests.support.platform import RunningPlatform, api
from tests.test_cli_menu import Cli
from tests.test_ui_live import wait_until


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    assert platform.seed is not None
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    runner = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    runner("login", "--url", platform.url, "--token", runner.token)
    yield runner
    set_language(None)


def _publish_elsewhere(platform: RunningPlatform, document: dict[str, Any]) -> None:
    """Someone else publishes first, from the same version, changing the first item's price."""
    assert platform.seed is not None
    theirs = json.loads(json.dumps(document))
    theirs["categories"][0]["items"][0]["price"]["amount"] = 3900
    merchant = api(platform, "merchant")
    try:
        answer = merchant.put(
            f"/v1/stores/{platform.seed.store_id}/menu", theirs, headers={"If-Match": str(document["version"])}
        )
    finally:
        merchant.close()
    assert answer.status_code == 200, answer.text


async def test_a_refused_menu_import_reads_run_by_a_command(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    await asyncio.to_thread(cli, "sync", "--once")
    document = json.loads((await asyncio.to_thread(cli, "menu", "export")).stdout)
    mine = json.loads(json.dumps(document))
    mine["categories"][0]["items"][0]["price"]["amount"] = 4000
    sheet = tmp_path / "mine.json"
    sheet.write_text(json.dumps(mine, ensure_ascii=False), encoding="utf-8")
    _publish_elsewhere(platform, document)
    await asyncio.to_thread(cli, "menu", "import", str(sheet), code=Exit.REJECTED)

    app = MerchantApp(open_source(load_profile()))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: len(app.source.conflicts()) == 1)
        [conflict] = app.source.conflicts()
        assert conflict.action == "menu.publish"
        head = str(conflict_prompt(conflict, None)).splitlines()[0]
        assert "menu publish · run by a command" in head and "tapped" not in head, head


async def test_a_refused_sold_out_reads_run_by_a_command(platform: RunningPlatform, cli: Cli) -> None:
    assert platform.seed is not None
    await asyncio.to_thread(cli, "sync", "--once")
    document = json.loads((await asyncio.to_thread(cli, "menu", "export")).stdout)
    gone = json.loads(json.dumps(document))
    for category in gone["categories"]:
        category["items"] = [item for item in category["items"] if item["id"] != "cola"]
    merchant = api(platform, "merchant")
    try:
        answer = merchant.put(
            f"/v1/stores/{platform.seed.store_id}/menu", gone, headers={"If-Match": str(document["version"])}
        )
    finally:
        merchant.close()
    assert answer.status_code == 200, answer.text
    # the cache still has the item: the PATCH is queued, sent and refused
    await asyncio.to_thread(cli, "menu", "item", "status", "cola", "sold-out", code=Exit.REJECTED)

    app = MerchantApp(open_source(load_profile()))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: len(app.source.conflicts()) == 1)
        [conflict] = app.source.conflicts()
        head = str(conflict_prompt(conflict, None)).splitlines()[0]
        assert "item change · run by a command" in head and "tapped" not in head, head

