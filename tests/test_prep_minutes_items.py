"""A dish's own preparation minutes decide an accept's default (`o2o_tui.domain.prep_time`): the longest of the
order's dishes, the store's default for a dish that sets none, a busy store's extra minutes added on top by the
platform. `o2o orders accept` without `--prep`, the console's `a` (its Enter and its words), simple mode's 1 and
the printing station's auto-accept all send it. The real `o2o` commands and the real console against the real
platform on loopback (a dumpling-shop owner set 水煮鱼 to 40 minutes and every accept still said 15)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from textual.widgets import Input, Label
from typer.testing import CliRunner

from o2o_tui.auto_accept import Candidate, decide
from o2o_tui.cli import app as cli_app
from o2o_tui.client import PlatformClient
from o2o_tui.config import save_profile
from o2o_tui.domain.menu import Category, Item, Menu
from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.domain.prep_time import accept_minutes_for
from o2o_tui.domain.requests import CreateOrderBody, NewOrderLine
from o2o_tui.domain.store import AutoAccept
from o2o_tui.i18n import set_language, t
from screens import orders_screen
from screens.app import MerchantApp
from screens.dialogs import NumberPrompt
from screens.launch import open_source
from screens.order_actions import accept_hint
from screens.simple_screen import SimpleScreen
from tests.support.platform import RunningPlatform, api
from tests.test_sync_engine import place_orders
from tests.test_ui_live import _server_order, wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store

FISH: tuple[str, list[str]] = ("boiled-fish", ["spice-mild"])  # 水煮鱼: its spice is a required choice
RICE: tuple[str, list[str]] = ("rice", [])


@pytest.fixture(autouse=True)
def language() -> Iterator[None]:
    yield
    set_language(None)


class LangCli:
    """`o2o ARGS` in this process, in one language, on its own O2O_HOME."""

    def __init__(self, home: Path, lang: str) -> None:
        self.home, self.lang = home, lang

    def __call__(self, *args: str, code: int = 0) -> Any:
        env: dict[str, str | None] = {"O2O_HOME": str(self.home), "O2O_LANG": self.lang, "NO_COLOR": "1"}
        env["COLUMNS"] = "200"
        env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
        result = CliRunner().invoke(cli_app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
        return result


def _place(platform: RunningPlatform, *lines: tuple[str, list[str]]) -> dict[str, Any]:
    assert platform.seed is not None
    body = CreateOrderBody(
        id=str(uuid.uuid4()),
        store_id=platform.seed.store_id,
        type=OrderType.TAKEOUT,
        lines=[NewOrderLine(item_id=item, quantity=1, option_ids=options) for item, options in lines],
        customer_name="Li Na",
        customer_phone="13800001111",
    )
    with PlatformClient(platform.url, platform.seed.tokens["customer"]) as customer:
        placed: dict[str, Any] = msgspec.to_builtins(customer.create_order(body))
        return placed


def _fish_takes_40(platform: RunningPlatform, home: Path, lang: str = "en") -> LangCli:
    """The owner's step: `o2o menu import p.csv --partial` with boiled-fish,40 (published at once)."""
    assert platform.seed is not None
    cli = LangCli(home, lang)
    cli("login", "--url", platform.url, "--token", platform.seed.tokens["merchant"])
    sheet = home.parent / f"prep-{lang}.csv"
    sheet.write_text("item_id,prep_minutes\nboiled-fish,40\n", encoding="utf-8")
    cli("menu", "import", str(sheet), "--partial")
    return cli


# --- the rule ----------------------------------------------------------------------------------------------------


def _new(number: int = 42) -> Any:
    return sample_order(number, OrderStatus.CREATED, minutes_ago=1)


def _menu(**minutes: int | None) -> Menu:
    base = sample_store()
    price = _new().lines[0].unit_price
    items = [Item(id=name, name=name, price=price, prep_minutes=value) for name, value in minutes.items()]
    return Menu(store_id=base.id, version=1, currency="CNY", categories=[Category(id="c", name="c", items=items)])


def _order_of(*items: str, number: int = 42) -> Any:
    order = _new(number)
    line = order.lines[0]
    return msgspec.structs.replace(order, lines=[msgspec.structs.replace(line, item_id=item) for item in items])


def test_the_longest_dish_decides_and_a_dish_without_minutes_counts_the_store_default() -> None:
    store = msgspec.structs.replace(sample_store(), default_prep_minutes=15)
    menu = _menu(fish=40, rice=None, tea=5)
    assert accept_minutes_for(_order_of("fish"), store, menu) == 40
    assert accept_minutes_for(_order_of("rice", "fish"), store, menu) == 40
    assert accept_minutes_for(_order_of("rice"), store, menu) == 15
    assert accept_minutes_for(_order_of("tea"), store, menu) == 5  # its own, shorter than the store's
    assert accept_minutes_for(_order_of("tea", "rice"), store, menu) == 15
    assert accept_minutes_for(_order_of("gone"), store, menu) == 15  # no longer on the menu
    assert accept_minutes_for(_order_of("fish"), store, None) == 15  # no menu held here
    assert accept_minutes_for(_order_of("fish"), None, None) == 15  # nothing cached at all


def test_auto_accept_sends_each_orders_own_minutes() -> None:
    store = msgspec.structs.replace(
        sample_store(), default_prep_minutes=12, auto_accept=AutoAccept(enabled=True, station="dev")
    )
    fish, rice = _order_of("fish"), _order_of("rice", number=43)
    now = FROZEN_NOW
    decision = decide([Candidate(fish), Candidate(rice)], store, device="dev", now=now, menu=_menu(fish=40))
    assert {o.id for o in decision.accept} == {fish.id, rice.id}
    assert decision.minutes_for(fish) == 40 and decision.minutes_for(rice) == 12
    without = decide([Candidate(fish)], store, device="dev", now=now)  # no menu held: the store's default
    assert without.minutes_for(fish) == 12


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_prompts_words_say_whose_minutes_and_a_busy_stores_extra_on_top(lang: str) -> None:
    set_language(lang)
    assert accept_hint(15, 15, 0) is None  # the prompt's own words: the store default
    assert accept_hint(40, 15, 0) == t("ui.dialog.enter_items", default=40, store=15)
    busy = accept_hint(40, 15, 10)
    assert busy == t("ui.dialog.enter_items_busy", default=40, store=15, extra=10, total=50)
    assert "50" in busy and "40" in busy and "15" in busy
    assert accept_hint(15, 15, 10) == t("ui.dialog.enter_default_busy", default=15, extra=10, total=25)


def test_the_platform_takes_no_accept_without_minutes(platform: RunningPlatform) -> None:
    """The platform never picks the minutes: every client sends the order's own (`accept_minutes_for`)."""
    [order_id] = place_orders(platform.url, platform.seed, 1)
    merchant = api(platform, "merchant")
    try:
        assert merchant.post(f"/v1/orders/{order_id}/confirm", {}).status_code == 422
    finally:
        merchant.close()


# --- o2o orders accept --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_cli_accept_takes_the_dishes_own_minutes(platform: RunningPlatform, tmp_path: Path, lang: str) -> None:
    cli = _fish_takes_40(platform, tmp_path / "home", lang)
    fish = _place(platform, FISH)
    rice = _place(platform, RICE)
    both = _place(platform, RICE, FISH)
    typed = _place(platform, FISH)
    cli("sync", "--once")

    said = cli("orders", "accept", str(fish["number"]), "--no-print").stdout
    assert ("(40 min)" if lang == "en" else "（40 分钟）") in said, said
    assert _server_order(platform, fish["id"])["preparation_minutes"] == 40
    answered = json.loads(cli("orders", "accept", both["id"], "--no-print", "--json").stdout)
    assert answered["order"]["preparation_minutes"] == 40  # the longest of its dishes
    said = cli("orders", "accept", rice["id"], "--no-print").stdout
    assert ("(15 min)" if lang == "en" else "（15 分钟）") in said  # rice sets none: the store's default
    cli("orders", "accept", typed["id"], "--no-print", "--prep", "20")
    assert _server_order(platform, typed["id"])["preparation_minutes"] == 20  # typed minutes still win
    # run again: the accept that stands is this profile's own, same minutes: said so, nothing sent, exit 0
    again = cli("orders", "accept", fish["id"], "--no-print")
    assert f"#{fish['number']:04d}" in again.stdout
    assert json.loads(cli("conflicts", "list", "--json").stdout) == []


# --- the console ---------------------------------------------------------------------------------------------------


def _console(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, simple: bool = False) -> Any:
    assert platform.seed is not None
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "counter"))
    monkeypatch.setattr(orders_screen, "MOVED_GUARD_S", 0.0)  # the select below is a person's move
    profile = save_profile(
        "counter",
        url=platform.url,
        token=platform.seed.tokens["merchant"],
        role="merchant",
        store_id=platform.seed.store_id,
    )
    return MerchantApp(open_source(profile), profile=profile, simple=simple)


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_consoles_accept_offers_and_sends_the_dishes_own_minutes(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    await asyncio.to_thread(_fish_takes_40, platform, tmp_path / "owner", lang)
    set_language(lang)
    app = _console(platform, tmp_path, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        fish = await asyncio.to_thread(_place, platform, FISH)
        rice = await asyncio.to_thread(_place, platform, RICE)
        await wait_until(pilot, lambda: None not in (app.source.order(fish["id"]), app.source.order(rice["id"])))
        await wait_until(pilot, lambda: (app.source.menu() or Menu("", 0, "CNY", [])).version >= 2)

        app.orders_screen.queue.select(fish["id"])
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, NumberPrompt))
        prompt = app.screen
        assert prompt.query_one("#answer", Input).placeholder == "40"
        hint = str(prompt.query_one(".hint", Label).render())
        assert hint == t("ui.dialog.enter_items", default=40, store=15), hint
        assert ("40 minutes" if lang == "en" else "40 分钟") in hint
        await pilot.press("enter")
        await wait_until(pilot, lambda: _server_order(platform, fish["id"])["preparation_minutes"] == 40)

        app.orders_screen.queue.select(rice["id"])  # rice sets none: the store default, said as before
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, NumberPrompt))
        assert str(app.screen.query_one(".hint", Label).render()) == t("ui.dialog.enter_default", default=15)
        await pilot.press("enter")
        await wait_until(pilot, lambda: _server_order(platform, rice["id"])["preparation_minutes"] == 15)


async def test_simple_modes_one_sends_the_dishes_own_minutes(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await asyncio.to_thread(_fish_takes_40, platform, tmp_path / "owner", "zh")
    set_language("zh")
    app = _console(platform, tmp_path, monkeypatch, simple=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        fish = await asyncio.to_thread(_place, platform, FISH)
        await wait_until(pilot, lambda: app.source.order(fish["id"]) is not None)
        await wait_until(pilot, lambda: (app.source.menu() or Menu("", 0, "CNY", [])).version >= 2)
        assert isinstance(app.screen, SimpleScreen)
        app.screen.cursor_id = fish["id"]
        await pilot.press("1")
        await wait_until(pilot, lambda: _server_order(platform, fish["id"])["status"] == "CONFIRMED")
        assert _server_order(platform, fish["id"])["preparation_minutes"] == 40
