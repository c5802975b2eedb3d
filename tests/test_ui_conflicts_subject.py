"""The refused list `!` of `o2o console` says what a refused action on no order was about: the menu for a publish,
the item by its name (in the person's language) for an item change, the store for a store change; never "no
order". Against the real platform on loopback and a real cache: an `o2o menu import` queued while the link was
down and sent by the console once it is back (its publish refused as stale, its sold-out change held with it; the
item named as the menu pulled after the refusal names it, and renamed when the menu is), a sold-out change of an
item someone else deleted meanwhile (named by its id: the menu no longer has it), and a stale change of the
opening hours."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.config import load_profile
from o2o_tui.domain.menu import Menu, Names
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.conflicts_screen import conflict_prompt
from screens.launch import open_source
from screens.source import ConflictView
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api
from tests.test_cli_menu import Cli
from tests.test_ui_live import wait_until


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


def _items(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for category in document["categories"]:
        yield from category["items"]


def _publish_elsewhere(platform: RunningPlatform, document: dict[str, Any]) -> None:
    """Another counter publishes first, from the same version: a new price of the first item, and the cola's name
    in both languages."""
    assert platform.seed is not None
    theirs = json.loads(json.dumps(document))
    theirs["categories"][0]["items"][0]["price"]["amount"] = 3900
    for item in _items(theirs):
        if item["id"] == "cola":
            item["names"] = {"zh": "可乐", "en": "Coke"}
    merchant = api(platform, "merchant")
    try:
        answer = merchant.put(
            f"/v1/stores/{platform.seed.store_id}/menu",
            theirs,
            headers={"If-Match": str(document["version"])},
        )
    finally:
        merchant.close()
    assert answer.status_code == 200, answer.text


async def _stale_import(platform: RunningPlatform, proxy: FaultProxy, cli: Cli, tmp_path: Path) -> None:
    """`o2o menu import` run while the shop's link is down (a price, and the cola sold out: its publish and the
    sold-out change riding with it queued), while another counter publishes. Sent when the console has the link:
    the publish is refused as stale, the sold-out change held with it."""
    await asyncio.to_thread(cli, "sync", "--once")
    document = json.loads((await asyncio.to_thread(cli, "menu", "export")).stdout)
    mine = json.loads(json.dumps(document))
    mine["categories"][0]["items"][0]["price"]["amount"] = 4000
    for item in _items(mine):
        if item["id"] == "cola":
            item["status"] = "UNAVAILABLE"
    sheet = tmp_path / "mine.json"
    sheet.write_text(json.dumps(mine, ensure_ascii=False), encoding="utf-8")
    proxy.drop()
    queued = await asyncio.to_thread(cli, "menu", "import", str(sheet))
    assert "Queued" in queued.stdout or "queued" in queued.stdout, queued.stdout
    _publish_elsewhere(platform, document)
    proxy.pass_through()


def _cola_names(menu: Menu | None) -> Names | None:
    """The cola's names in the menu the console shows (the one that won, once it is pulled)."""
    items = [item for category in menu.categories for item in category.items] if menu is not None else []
    return next((item.names for item in items if item.id == "cola"), None)


async def _heads(lang: str) -> dict[str, tuple[str, str]]:
    """action -> (the first line of its row in `!`, its explanation), in `lang`."""
    set_language(lang)
    app = MerchantApp(open_source(load_profile()))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: len(app.source.conflicts()) == 2)
        await wait_until(pilot, lambda: _cola_names(app.source.menu()) == Names(zh="可乐", en="Coke"))
        return {
            view.action: (str(conflict_prompt(view, None)).splitlines()[0], view.explanation)
            for view in app.source.conflicts()
        }


async def test_a_refused_menu_import_names_the_menu_and_the_item(
    platform: RunningPlatform, proxy: FaultProxy, cli: Cli, tmp_path: Path
) -> None:
    await _stale_import(platform, proxy, cli, tmp_path)

    english = await _heads("en")
    publish, item = english["menu.publish"][0], english["menu.item.patch"][0]
    assert publish.startswith("menu · menu publish · run by a command at "), publish
    assert item.startswith('item "Coke" · item change · run by a command at '), item
    assert english["menu.item.patch"][1].startswith("menu item Coke: your item change was not sent"), english

    chinese = await _heads("zh")
    publish, item = chinese["menu.publish"][0], chinese["menu.item.patch"][0]
    assert publish.startswith("菜单 · 菜单发布 · 命令执行于 "), publish
    assert item.startswith("菜品“可乐” · 菜品修改 · 命令执行于 "), item
    assert chinese["menu.item.patch"][1].startswith("菜品 可乐："), chinese
    assert not [
        head for head, _ in [*english.values(), *chinese.values()] if "no order" in head or "无订单" in head
    ]


def _rename_cola(platform: RunningPlatform, names: dict[str, str]) -> None:
    """Someone renames the cola on the platform (a publish of the menu as it is there now)."""
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        menu = merchant.get(f"/v1/stores/{platform.seed.store_id}/menu").json()
        for item in _items(menu):
            if item["id"] == "cola":
                item["names"] = names
        answer = merchant.put(
            f"/v1/stores/{platform.seed.store_id}/menu", menu, headers={"If-Match": str(menu["version"])}
        )
    finally:
        merchant.close()
    assert answer.status_code == 200, answer.text


async def test_the_list_follows_an_item_renamed_while_it_is_open(
    platform: RunningPlatform, proxy: FaultProxy, cli: Cli, tmp_path: Path
) -> None:
    await _stale_import(platform, proxy, cli, tmp_path)
    set_language("en")
    app = MerchantApp(open_source(load_profile()))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: _cola_names(app.source.menu()) == Names(zh="可乐", en="Coke"))
        await asyncio.to_thread(_rename_cola, platform, {"zh": "可口可乐", "en": "Coca-Cola Classic"})
        await wait_until(
            pilot, lambda: _cola_names(app.source.menu()) == Names(zh="可口可乐", en="Coca-Cola Classic")
        )
        [item] = [view for view in app.source.conflicts() if view.action == "menu.item.patch"]
        head = str(conflict_prompt(item, None)).splitlines()[0]
        assert head.startswith('item "Coca-Cola Classic" · item change · '), head


async def test_an_item_gone_from_the_menu_is_named_by_its_id(platform: RunningPlatform, cli: Cli) -> None:
    assert platform.seed is not None
    await asyncio.to_thread(cli, "sync", "--once")
    document = json.loads((await asyncio.to_thread(cli, "menu", "export")).stdout)
    for category in document["categories"]:
        category["items"] = [item for item in category["items"] if item["id"] != "cola"]
    merchant = api(platform, "merchant")
    try:
        answer = merchant.put(
            f"/v1/stores/{platform.seed.store_id}/menu",
            document,
            headers={"If-Match": str(document["version"])},
        )
    finally:
        merchant.close()
    assert answer.status_code == 200, answer.text
    # the cache still has the item: the change is queued, sent and refused
    await asyncio.to_thread(cli, "menu", "item", "status", "cola", "sold-out", code=Exit.REJECTED)

    set_language("en")
    app = MerchantApp(open_source(load_profile()))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: len(app.source.conflicts()) == 1)
        [conflict] = app.source.conflicts()
        head = str(conflict_prompt(conflict, None)).splitlines()[0]
        assert head.startswith('item "cola" · item change · run by a command at '), head


async def test_a_refused_store_change_names_the_store(platform: RunningPlatform, cli: Cli) -> None:
    """Not only a menu action is about no order: a store's opening hours changed by another device since this
    profile's cache had them, so the script's change of them is refused as stale."""
    assert platform.seed is not None
    await asyncio.to_thread(cli, "sync", "--once")
    merchant = api(platform, "merchant")
    try:
        answer = merchant.put(
            f"/v1/stores/{platform.seed.store_id}/hours",
            {"opening_hours": [{"weekday": 0, "opens": "08:00", "closes": "20:00"}]},
        )
    finally:
        merchant.close()
    assert answer.status_code == 200, answer.text
    await asyncio.to_thread(cli, "store", "hours", "set", "tue", "10:00-22:00", code=Exit.REJECTED)

    for lang, subject in (("en", "store · "), ("zh", "门店 · ")):
        set_language(lang)
        [conflict] = await _conflicts(1)
        head = str(conflict_prompt(conflict, None)).splitlines()[0]
        assert head.startswith(subject + conflict.action_label + " · "), head


async def _conflicts(count: int) -> list[ConflictView]:
    """The refused actions a console opened on the profile lists, once it lists `count`."""
    app = MerchantApp(open_source(load_profile()))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: len(app.source.conflicts()) == count)
        return app.source.conflicts()
