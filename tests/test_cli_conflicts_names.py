"""`o2o conflicts list` names a refused item change as the console's `!` does: by the item's name in the cached menu,
in the person's language (`menu_entity_name`), not by its id; with --json the `target` stays and `name` is added
(null for an action on no item). Against the real platform on loopback and a real cache: a menu import queued while
the link was down, whose publish is refused when it is sent (someone published meanwhile, renaming the cola) and
whose sold-out change of the cola is held with it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.i18n import set_language
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api
from tests.test_cli_menu import Cli
from tests.test_ui_conflicts_subject import _stale_import


@pytest.fixture
def proxy(platform: RunningPlatform) -> Iterator[FaultProxy]:
    with FaultProxy(platform.port) as running:
        yield running


@pytest.fixture
def cli(
    platform: RunningPlatform, proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Cli]:
    """A merchant logged in through the proxy (so the link can be taken away from the profile's processes)."""
    assert platform.seed is not None
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    runner = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    runner("login", "--url", f"http://127.0.0.1:{proxy.port}", "--token", runner.token)
    yield runner
    set_language(None)


def test_a_refused_item_change_is_named_by_the_items_name(
    platform: RunningPlatform, proxy: FaultProxy, cli: Cli, tmp_path: Path
) -> None:
    assert platform.seed is not None
    asyncio.run(_stale_import(platform, proxy, cli, tmp_path))
    cli("sync", "--once", code=Exit.REJECTED)  # the publish is refused, the cola's change held with it
    cli("sync", "--once")  # the menu that won (the cola renamed) is in the cache

    english = cli("conflicts", "list").stdout
    assert "menu item Coke: your item change was not sent" in english, english
    assert "menu item cola" not in english
    chinese = cli("conflicts", "list", lang="zh").stdout
    assert "菜品 可乐：您的“菜品修改”未发送" in chinese, chinese
    assert "菜品 cola" not in chinese

    for lang, name in (("en", "Coke"), ("zh", "可乐")):
        rows = {row["action"]: row for row in json.loads(cli("conflicts", "list", "--json", lang=lang).stdout)}
        item, publish = rows["menu.item.patch"], rows["menu.publish"]
        assert item["target"] == f"{platform.seed.store_id}/cola"  # the id stays where it was
        assert item["name"] == name
        assert item["explanation"].startswith(("menu item " if lang == "en" else "菜品 ") + name)
        assert publish["name"] is None and publish["target"] == platform.seed.store_id


def test_a_conflicts_time_is_on_the_stores_clock_and_says_so(
    platform: RunningPlatform, proxy: FaultProxy, cli: Cli, tmp_path: Path
) -> None:
    """The list said the stored UTC ISO time; a person reads the store's clock, with its zone named (--json keeps
    the ISO time for scripts)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    assert platform.seed is not None
    asyncio.run(_stale_import(platform, proxy, cli, tmp_path))
    cli("sync", "--once", code=Exit.REJECTED)
    cli("sync", "--once")
    rows = json.loads(cli("conflicts", "list", "--json").stdout)
    merchant = api(platform, "merchant")
    try:
        zone = merchant.get(f"/v1/stores/{platform.seed.store_id}").json()["timezone"]
    finally:
        merchant.close()
    shown = cli("conflicts", "list").stdout
    for row in rows:
        stored = datetime.fromisoformat(str(row["occurred_at"]))
        assert stored.utcoffset() is not None and stored.utcoffset().total_seconds() == 0  # stored in UTC
        local = stored.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
        assert f"{local} {zone}" in shown, (local, zone, shown)
    assert str(rows[0]["occurred_at"]) not in shown
