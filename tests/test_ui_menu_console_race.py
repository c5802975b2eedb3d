"""The menu editor inside `o2o console` against the real platform and a real cache: a publish that loses a race
with another device (refused as stale) is said once, not by both the console and the editor."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from o2o_tui import menu_draft, menu_edits
from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from o2o_tui.sync.perform import refresh
from o2o_tui.sync.session import make_client, make_engine, open_cache
from screens.app import MerchantApp
from screens.engine_source import EngineOrderSource
from screens.menu_editor import MenuEditorScreen
from screens.menu_form import MenuForm
from screens.menu_tree import NodeRef
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api
from tests.test_ui_live import wait_until

REFUSED = "was changed by someone else"  # sync/explain's text of a 412: what both toasts would say


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


def _toasts(app: MerchantApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _price(draft: menu_draft.MenuDraft | None, item_id: str) -> int:
    assert draft is not None
    item = menu_edits.find(draft.menu, "item", item_id)
    assert item is not None
    return item.price.amount  # type: ignore[union-attr]


def _publish_elsewhere(platform: RunningPlatform, item_id: str, amount: int) -> int:
    """Another counter publishes a new price of `item_id`; the version it made."""
    seed = platform.seed
    assert seed is not None
    staff = api(platform, "merchant")
    menu = staff.get(f"/v1/stores/{seed.store_id}/menu").json()
    for category in menu["categories"]:
        for item in category["items"]:
            if item["id"] == item_id:
                item["price"]["amount"] = amount
    answer = staff.put(f"/v1/stores/{seed.store_id}/menu", menu, headers={"If-Match": str(menu["version"])})
    staff.close()
    assert answer.status_code == 200, answer.text
    return int(answer.json()["version"])


async def test_a_publish_refused_as_stale_in_the_console_is_toasted_once(
    platform: RunningPlatform, profile: Profile
) -> None:
    with FaultProxy(platform.port) as proxy:
        via_proxy = msgspec.structs.replace(profile, url=f"http://127.0.0.1:{proxy.port}")
        cache = open_cache(via_proxy)
        await refresh(via_proxy, cache)
        client = make_client(via_proxy, timeout=2.0)
        engine = make_engine(via_proxy, cache, client, poll_wait=0.5, backoff_cap=0.5)
        app = MerchantApp(EngineOrderSource(engine, cache, client, via_proxy.store_id or ""))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.5)
            await pilot.press("m")
            await wait_until(pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None)
            screen = app.screen
            assert isinstance(screen, MenuEditorScreen)
            assert screen.menu_tree.select_ref(NodeRef("item", "mapo-tofu", "hot-dishes"))
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            screen.query_one(MenuForm).focus_field("price")
            await pilot.pause()
            screen.query_one("#field-price").value = "27.5"  # type: ignore[attr-defined]
            await pilot.press("enter")
            await wait_until(pilot, lambda: _price(screen.draft, "mapo-tofu") == 2750)

            proxy.drop()  # this counter's link is down while another counter publishes
            await asyncio.to_thread(_publish_elsewhere, platform, "mapo-tofu", 2800)
            await pilot.press("escape", "P")
            await wait_until(pilot, lambda: type(app.screen).__name__ == "MenuPublishScreen")
            await pilot.press("enter")
            await wait_until(pilot, lambda: getattr(app.screen, "state", "") == "done", timeout=30)
            assert app.screen.result == "queued"  # type: ignore[attr-defined]
            await pilot.press("enter")
            await wait_until(pilot, lambda: app.screen is screen)

            proxy.pass_through()  # the link is back: the platform refuses the publish as stale
            refused: list[Any] = []
            for _ in range(400):
                refused = await cache.call(cache.outbox.conflicts)
                if refused:
                    break
                await pilot.pause(0.1)
            assert [entry.rejection["code"] for entry in refused] == ["stale_version"]
            await wait_until(pilot, lambda: any(REFUSED in text for text in _toasts(app)))
            await pilot.pause(1.5)  # the second toast, if any, has had time to come
            said = [text for text in _toasts(app) if REFUSED in text]
            assert len(said) == 1, said


async def test_a_publish_that_loses_a_race_on_line_is_toasted_once(
    platform: RunningPlatform, profile: Profile
) -> None:
    """On line: the publish dialog hears the platform's refusal (and opens the rebase); one toast at most."""
    with FaultProxy(platform.port) as proxy:
        via_proxy = msgspec.structs.replace(profile, url=f"http://127.0.0.1:{proxy.port}")
        cache = open_cache(via_proxy)
        await refresh(via_proxy, cache)
        client = make_client(via_proxy, timeout=5.0)
        engine = make_engine(via_proxy, cache, client, poll_wait=0.5, backoff_cap=0.5)
        app = MerchantApp(EngineOrderSource(engine, cache, client, via_proxy.store_id or ""))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.5)
            await pilot.press("m")
            await wait_until(pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None)
            screen = app.screen
            assert isinstance(screen, MenuEditorScreen)
            base = screen.draft.base.version  # type: ignore[union-attr]
            assert screen.menu_tree.select_ref(NodeRef("item", "mapo-tofu", "hot-dishes"))
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            screen.query_one(MenuForm).focus_field("price")
            await pilot.pause()
            screen.query_one("#field-price").value = "27.5"  # type: ignore[attr-defined]
            await pilot.press("enter")
            await wait_until(pilot, lambda: _price(screen.draft, "mapo-tofu") == 2750)
            await pilot.press("escape")

            proxy.delay(400)  # a slow link: this counter hears of the other publish only after its own went out
            await asyncio.to_thread(_publish_elsewhere, platform, "mapo-tofu", 2800)
            await pilot.press("P")
            await wait_until(pilot, lambda: type(app.screen).__name__ == "MenuPublishScreen")
            assert screen.draft is not None and screen.draft.base.version == base  # it did not know yet
            await pilot.press("enter")
            await wait_until(pilot, lambda: getattr(app.screen, "state", "") == "done", timeout=30)
            assert app.screen.result == "conflict"  # type: ignore[attr-defined]
            await pilot.press("enter")  # the dialog said it; then the rebase of the draft onto their menu
            await wait_until(pilot, lambda: type(app.screen).__name__ == "MenuRebaseScreen", timeout=30)
            proxy.pass_through()
            await pilot.pause(2.0)  # any toast of the refusal has had time to come
            said = [text for text in _toasts(app) if REFUSED in text]
            assert len(said) <= 1, said  # the dialog said it; the console may toast it once
