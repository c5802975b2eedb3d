"""The store clears "Food out" itself when the courier who had the food of a refused pickup brought it back and never
said so on the handheld: `POST /v1/orders/{id}/food-received` (the store's merchant only, idempotent, 409 when
nothing is out), `o2o orders food-received` (exit 4 with nothing queued when nothing is out), the detail's `b`
(offered only while the food is out, asks first); `o2o orders list` marks the row; the detail's quantities are
drawn with the terminal's glyphs. Real server on loopback, real cache in tmp_path."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from sqlalchemy import select

from o2o_tui.cli.exits import Exit
from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language
from o2o_tui.platform import db
from screens.app import MerchantApp
from screens.console_messages import OpenOrder
from screens.detail_screen import DetailScreen
from screens.dialogs import ChoicePrompt
from screens.launch import open_source
from screens.source import QueueEntry
from screens.terminal import ASCII, CONSOLE, FULL
from screens.widgets.footer import KeyFooter
from screens.widgets.order_detail import OrderDetail, detail_content
from tests.support.platform import Api, RunningPlatform, api, order_body
from tests.test_cli_orders import Cli
from tests.test_ui_live import wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_order


def _food_out(platform: RunningPlatform) -> tuple[dict[str, Any], str]:
    """An order cancelled after its courier accepted it, whose courier's pickup (the right code, queued offline)
    reached the platform after: refused, and the courier has the food. Returns the order and the courier's id."""
    seed = platform.seed
    assert seed is not None
    courier_id = seed.courier_ids[0]
    customer, merchant, dispatcher = (
        api(platform, "customer"),
        api(platform, "merchant"),
        api(platform, "dispatcher"),
    )
    courier = Api(platform.url, seed.courier_tokens[courier_id])
    try:
        order = customer.post("/v1/orders", order_body(seed.store_id)).json()
        assert (
            merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}).status_code == 200
        )
        assigned = dispatcher.post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id})
        assert assigned.status_code == 200, assigned.text
        path = f"/v1/deliveries/{assigned.json()['id']}"
        assert courier.post(path + "/accept").status_code == 200
        assert merchant.post(f"/v1/orders/{order['id']}/cancel", {"reason_code": "OTHER"}).status_code == 200
        assert courier.post(path + "/picked-up", {"code": order["pickup_code"]}).status_code == 409
        held = merchant.get(f"/v1/orders/{order['id']}").json()["food_with_courier"]
        assert held is not None and held["courier_id"] == courier_id
        return order, courier_id
    finally:
        for client in (customer, merchant, dispatcher, courier):
            client.close()


def _placed(platform: RunningPlatform) -> dict[str, Any]:
    assert platform.seed is not None
    customer = api(platform, "customer")
    try:
        return dict(customer.post("/v1/orders", order_body(platform.seed.store_id)).json())
    finally:
        customer.close()


def _server(platform: RunningPlatform, order_id: str) -> dict[str, Any]:
    admin = api(platform, "admin")
    try:
        return dict(admin.get(f"/v1/orders/{order_id}").json())
    finally:
        admin.close()


def _logged(platform: RunningPlatform, order_id: str) -> list[tuple[str, str]]:
    engine = db.open_database(platform.db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(db.action_log.c.action, db.action_log.c.user_id).where(
                db.action_log.c.entity_id == order_id
            )
        ).all()
    engine.dispose()
    return [(row.action, row.user_id) for row in rows]


def test_the_store_clears_food_out_once_and_only_the_store(platform: RunningPlatform) -> None:
    order, courier_id = _food_out(platform)
    path = f"/v1/orders/{order['id']}/food-received"
    for role in ("customer", "courier", "dispatcher"):  # store roles only: the merchant of that store
        other = api(platform, role)
        refused = other.post(path)
        other.close()
        assert refused.status_code == 403, (role, refused.text)
    assert _server(platform, order["id"])["food_with_courier"] is not None

    merchant = api(platform, "merchant")
    before = _server(platform, order["id"])["version"]
    first = merchant.post(path, key="food-back-k1")
    assert first.status_code == 200, first.text
    assert first.json()["food_with_courier"] is None and first.json()["version"] == before + 1
    again = merchant.post(path, key="food-back-k1")  # the same tap replayed: the same answer, nothing new
    assert again.status_code == 200 and again.json() == first.json()
    assert _server(platform, order["id"])["version"] == before + 1
    nothing = merchant.post(path)  # another tap: nothing is out any more
    assert nothing.status_code == 409 and nothing.json()["error"]["code"] == "no_food_with_courier"
    me = merchant.get("/v1/me").json()["user_id"]
    merchant.close()
    received = [entry for entry in _logged(platform, order["id"]) if entry[0].startswith("food-received")]
    assert received == [(f"food-received:{courier_id}", me)]  # who, once (the log row keeps when)
    events = api(platform, "admin").get("/v1/events", after="0", limit=1000).json()["events"]
    assert any(e["entity_id"] == order["id"] and e["type"] == "order.updated" for e in events)


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    assert platform.seed is not None
    runner = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    runner("login", "--url", platform.url, "--token", runner.token)
    yield runner


def test_orders_list_marks_food_out_and_food_received_clears_it(platform: RunningPlatform, cli: Cli) -> None:
    order, _ = _food_out(platform)
    cli("sync", "--once")
    number = f"#{order['number']:04d}"
    [row] = [line for line in cli("orders", "list").stdout.splitlines() if number in line]
    assert "[food out: " in row
    rows = cli.json("orders", "list")
    [listed] = [r for r in rows if r["id"] == order["id"]]
    assert listed["food_with_courier"]["courier_name"]  # the --json row's field
    done = cli.json("orders", "food-received", order["id"])
    assert done["outcome"] == "done" and done["order"]["food_with_courier"] is None
    assert _server(platform, order["id"])["food_with_courier"] is None
    [row] = [line for line in cli("orders", "list").stdout.splitlines() if number in line]
    assert "food out" not in row
    # nothing out: said, exit 4, nothing queued (the conflicts list stays empty)
    refused = cli("orders", "food-received", order["id"], code=Exit.REJECTED)
    assert "no courier has its food" in refused.stderr
    assert cli.json("conflicts", "list") == []


def test_food_received_after_the_courier_said_it_is_refused_in_words_of_its_own(
    platform: RunningPlatform, cli: Cli
) -> None:
    """The cache still says food out, the courier's `food-back` reached the platform first: the platform refuses
    (409), and the person reads why (not that the order was cancelled: it was, long before)."""
    order, courier_id = _food_out(platform)
    cli("sync", "--once")
    assert platform.seed is not None
    courier = Api(platform.url, platform.seed.courier_tokens[courier_id])
    delivery_id = _server(platform, order["id"])["food_with_courier"]["delivery_id"]
    assert courier.post(f"/v1/deliveries/{delivery_id}/food-back").status_code == 200
    courier.close()
    refused = cli("orders", "food-received", order["id"], code=Exit.REJECTED)
    assert "no courier had the order's food" in refused.stderr, refused.stderr
    assert "cancelled" not in refused.stderr


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


def _offered(app: MerchantApp) -> set[str]:
    """The binding ids the screen offers now (its `check_action` let them through)."""
    return {active.binding.id or "" for active in app.screen.active_bindings.values() if active.enabled}


def _in_footer(app: MerchantApp) -> set[str]:
    return {entry.binding_id or "" for entry in app.screen.query_one(KeyFooter).layout_for()[1]}


async def test_b_on_the_detail_asks_then_clears_food_out(platform: RunningPlatform, profile: Profile) -> None:
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        plain = await asyncio.to_thread(_placed, platform)
        order, _ = await asyncio.to_thread(_food_out, platform)

        def food_out_here() -> bool:
            entry = app.source.order(order["id"])
            return entry is not None and entry.order.food_with_courier is not None

        await wait_until(pilot, food_out_here)
        await wait_until(pilot, lambda: app.source.order(plain["id"]) is not None)
        app.post_message(OpenOrder(plain["id"]))
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await pilot.pause()
        assert "detail.food_received" not in _offered(app)  # nothing out: no key
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, DetailScreen))

        app.post_message(OpenOrder(order["id"]))
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await pilot.pause()
        assert "detail.food_received" in _offered(app) and "detail.food_received" in _in_footer(app)
        assert "has the food" in str(app.screen.query_one(OrderDetail).render())
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt))
        await pilot.press("escape")  # asked, and not answered: nothing sent
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await pilot.pause(0.3)
        assert _server(platform, order["id"])["food_with_courier"] is not None
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt))
        await pilot.press("y")
        await wait_until(pilot, lambda: _server(platform, order["id"])["food_with_courier"] is None)
        await wait_until(pilot, lambda: "has the food" not in str(app.screen.query_one(OrderDetail).render()))
        await wait_until(pilot, lambda: "detail.food_received" not in _offered(app))


@pytest.mark.parametrize(("glyphs", "times"), [(FULL, "2× "), (CONSOLE, "2× "), (ASCII, "2x ")])
def test_the_details_quantities_use_the_terminals_glyphs(glyphs: object, times: str) -> None:
    set_language("en")
    try:
        order = sample_order(7, OrderStatus.CONFIRMED, minutes_ago=3)
        line = msgspec.structs.replace(order.lines[0], quantity=2, name="Rice × big · 大")
        order = msgspec.structs.replace(order, lines=[line])
        text = detail_content(QueueEntry(order), FROZEN_NOW, glyphs=glyphs).plain  # type: ignore[arg-type]
        assert times + "Rice × big · 大" in text  # the name as typed: only the quantity's sign changes
        if glyphs is ASCII:
            assert "2×" not in text
    finally:
        set_language(None)


async def test_the_detail_on_an_ascii_terminal_draws_quantities_with_x() -> None:
    from screens.memory_source import MemoryOrderSource
    from tests.test_ui_samples import sample_entries, sample_link, sample_store

    set_language("en")
    try:
        entries = sample_entries()
        entry = next(e for e in entries if any(line.quantity != 1 for line in e.order.lines))
        source = MemoryOrderSource(entries, store=sample_store(), link=sample_link())
        app = MerchantApp(source, clock=lambda: FROZEN_NOW, glyphs=ASCII)
        app.bell = lambda: None  # type: ignore[method-assign]
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.post_message(OpenOrder(entry.order.id))
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
            await pilot.pause()
            shown = str(app.screen.query_one(OrderDetail).render())
            quantity = next(line.quantity for line in entry.order.lines if line.quantity != 1)
            assert f"{quantity}x " in shown and f"{quantity}×" not in shown, shown
    finally:
        set_language(None)
