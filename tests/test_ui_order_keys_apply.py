"""The queue's footer offers only the order keys that apply to the order under the cursor, with real orders from
the real platform (loopback server, the console's own cache and sync engine):

- `a` Accept / `x` Reject only on a new order, `p` on an accepted one, `r` while it is in the kitchen, `+` while it
  may still be delayed, `h` only on a takeout (dine-in) order that is ready (never on a delivery), `c` only while
  the customer asks to cancel; `y` Reply only on a live order the customer chased, `$` Refund only on an accepted
  one before handoff;
- pressed anyway, such a key still says why (and nothing is queued);
- the queue's `check_action` answers from what it remembered when the cursor moved: no DOM query per binding.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from textual.binding import Binding
from textual.widgets._footer import FooterKey

from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.order import Order, OrderStatus
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.detail_screen import DetailScreen
from screens.launch import open_source
from screens.order_keys import ORDER_KEYS, offered, offered_actions
from screens.orders_screen import OrdersScreen
from screens.source import QueueEntry
from tests.support.platform import Api, RunningPlatform, api, order_body
from tests.test_ui_live import wait_until


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _new_order(running: RunningPlatform, order_type: str = "TAKEOUT") -> str:
    assert running.seed is not None
    customer = api(running, "customer")
    try:
        answer = customer.post("/v1/orders", order_body(running.seed.store_id, order_type))
        assert answer.status_code in (200, 201), answer.text
        order_id: str = answer.json()["id"]
        return order_id
    finally:
        customer.close()


def _post(client: Api, path: str, body: object) -> None:
    answer = client.post(path, body)
    assert answer.status_code == 200, answer.text


def _order(running: RunningPlatform, order_id: str) -> Order:
    merchant = api(running, "merchant")
    try:
        return msgspec.json.decode(merchant.get(f"/v1/orders/{order_id}").content, type=Order)
    finally:
        merchant.close()


def _orders(running: RunningPlatform) -> dict[str, str]:
    """One order in each state the keys tell apart: name -> id."""
    merchant = api(running, "merchant")
    customer = api(running, "customer")
    ids = {
        "new": _new_order(running),
        "accepted": _new_order(running),
        "ready_takeout": _new_order(running),
        "ready_delivery": _new_order(running, "DELIVERY"),
        "chased_new": _new_order(running),
        "chased_cancelled": _new_order(running),
    }
    try:
        for name in ("accepted", "ready_takeout", "ready_delivery"):
            _post(merchant, f"/v1/orders/{ids[name]}/confirm", {"preparation_minutes": 15})
        for name in ("ready_takeout", "ready_delivery"):
            _post(merchant, f"/v1/orders/{ids[name]}/ready", {})
        _post(customer, f"/v1/orders/{ids['chased_new']}/chase", {"note": "where is it"})
        gone = ids["chased_cancelled"]
        _post(customer, f"/v1/orders/{gone}/chase", {"note": "where is it"})
        _post(merchant, f"/v1/orders/{gone}/confirm", {"preparation_minutes": 15})
        _post(merchant, f"/v1/orders/{gone}/cancel", {"reason_code": "OTHER"})
    finally:
        merchant.close()
        customer.close()
    return ids


def test_the_keys_offered_follow_the_orders_state_and_type(shared_platform: RunningPlatform) -> None:
    ids = _orders(shared_platform)
    got = {name: offered_actions(QueueEntry(order=_order(shared_platform, oid))) for name, oid in ids.items()}
    assert got["new"] == {"accept", "reject"}
    assert got["chased_new"] == {"accept", "reject", "chase_reply"}
    assert got["accepted"] == {"preparing", "ready", "delay", "refund"}
    assert got["ready_takeout"] == {"handoff", "refund"}
    assert got["ready_delivery"] == {"refund"}  # its courier collects it: no `h`
    assert got["chased_cancelled"] == set()  # chased, then cancelled: no `y` either
    for name, oid in ids.items():  # `offered` (the detail's, one action) says the same as the set
        entry = QueueEntry(order=_order(shared_platform, oid))
        assert {action for action in ORDER_KEYS if offered(action, entry)} == got[name], name
    assert offered("reprint", None) and all(offered(action, None) for action in ORDER_KEYS)
    accepted = _order(shared_platform, ids["accepted"])
    asked = QueueEntry(order=msgspec.structs.replace(accepted, cancellation=_cancellation(shared_platform)))
    assert "cancellation" in offered_actions(asked)
    at_limit = QueueEntry(order=msgspec.structs.replace(accepted, delayed_minutes=10_000))
    assert "delay" not in offered_actions(at_limit)


def _cancellation(running: RunningPlatform) -> Any:
    """A real cancellation request (the customer asks to cancel an accepted order)."""
    order_id = _new_order(running)
    merchant = api(running, "merchant")
    customer = api(running, "customer")
    try:
        _post(merchant, f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 15})
        answer = customer.post(f"/v1/orders/{order_id}/cancellation", {"reason_code": "CUSTOMER_CHANGED_MIND"})
        assert answer.status_code in (200, 202), answer.text
    finally:
        merchant.close()
        customer.close()
    request = _order(running, order_id).cancellation
    assert request is not None
    return request


class SayingApp(MerchantApp):
    def bell(self) -> None:
        pass

    def say(self, message: str, *, severity: str = "information", timeout: float = 5) -> None:
        self.said = [*getattr(self, "said", []), message]
        super().say(message, severity=severity, timeout=timeout)


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )


def _footer_actions(app: MerchantApp) -> set[str]:
    return {key.action for key in app.screen.query(FooterKey)} & set(ORDER_KEYS)


def _said(app: MerchantApp) -> list[Any]:
    return list(getattr(app, "said", []))


async def test_the_queue_footer_offers_what_applies_and_a_key_not_offered_still_says_why(
    platform: RunningPlatform, profile: Profile
) -> None:
    ids = await asyncio.to_thread(_orders, platform)
    app = SayingApp(open_source(profile))
    async with app.run_test(size=(160, 30)) as pilot:
        queue = app.orders_screen.queue
        await wait_until(pilot, lambda: all(queue.entry(oid) is not None for oid in ids.values()))
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        expected = {
            "new": {"accept", "reject"},
            "chased_new": {"accept", "reject", "chase_reply"},
            "accepted": {"preparing", "ready", "delay", "refund"},
            "ready_takeout": {"handoff", "refund"},
            "ready_delivery": {"refund"},
            "chased_cancelled": set(),
        }
        for name, keys in expected.items():
            queue.select(ids[name])
            await wait_until(pilot, lambda keys=keys: _footer_actions(app) == keys)  # type: ignore[misc]

        number = queue.entry(ids["accepted"]).order.display_number  # type: ignore[union-attr]
        queue.select(ids["accepted"])
        await wait_until(pilot, lambda: _footer_actions(app) == expected["accepted"])
        await pilot.press("a")  # not offered on an accepted order, pressed anyway: says why
        await wait_until(pilot, lambda: len(_said(app)) == 1)
        assert number in _said(app)[-1] and "accept" in _said(app)[-1].lower(), _said(app)

        queue.select(ids["ready_delivery"])
        await wait_until(pilot, lambda: _footer_actions(app) == expected["ready_delivery"])
        await pilot.press("h")
        await wait_until(pilot, lambda: len(_said(app)) == 2)
        assert "hand" in _said(app)[-1].lower(), _said(app)

        gone = queue.entry(ids["chased_cancelled"]).order.display_number  # type: ignore[union-attr]
        queue.select(ids["chased_cancelled"])
        await wait_until(pilot, lambda: _footer_actions(app) == set())
        await pilot.press("dollar_sign")
        await wait_until(pilot, lambda: len(_said(app)) == 3)
        assert _said(app)[-1].startswith(f"{gone} is Cancelled"), _said(app)
        await pilot.press("y")  # an open chase on a cancelled order: says why, opens no dialog
        await wait_until(pilot, lambda: len(_said(app)) == 4)
        assert _said(app)[-1].startswith(f"{gone} is Cancelled"), _said(app)
        assert app.screen is app.orders_screen

        await pilot.press("enter")  # the detail offers the same
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await wait_until(pilot, lambda: "back" in {key.action for key in app.screen.query(FooterKey)})
        assert _footer_actions(app) == set()
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.orders_screen)
        await pilot.pause(0.3)
        assert app.source.link().pending == 0 and app.source.conflicts() == []
    for name in ("new", "accepted", "ready_delivery"):
        status = (await asyncio.to_thread(_order, platform, ids[name])).status
        assert status is {"new": OrderStatus.CREATED, "accepted": OrderStatus.CONFIRMED}.get(
            name, OrderStatus.READY_FOR_PICKUP
        )


async def test_the_queues_check_action_queries_nothing(
    platform: RunningPlatform, profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The footer asks for every binding at each repaint: the answer is what the cursor's move remembered."""
    ids = await asyncio.to_thread(_orders, platform)
    app = SayingApp(open_source(profile))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.orders_screen
        queue = screen.queue
        await wait_until(pilot, lambda: all(queue.entry(oid) is not None for oid in ids.values()))
        queue.select(ids["new"])
        await wait_until(pilot, lambda: "accept" in _footer_actions(app))
        asked: list[str] = []
        real_query = OrdersScreen.query
        real_query_one = OrdersScreen.query_one

        def query(self: OrdersScreen, *args: Any, **kwargs: Any) -> Any:
            asked.append("query")
            return real_query(self, *args, **kwargs)

        def query_one(self: OrdersScreen, *args: Any, **kwargs: Any) -> Any:
            asked.append("query_one")
            return real_query_one(self, *args, **kwargs)

        monkeypatch.setattr(OrdersScreen, "query", query)
        monkeypatch.setattr(OrdersScreen, "query_one", query_one)
        bindings = [b for b in OrdersScreen.BINDINGS if isinstance(b, Binding)]
        answers = {b.action: screen.check_action(b.action, ()) for b in bindings}
        monkeypatch.undo()
        assert asked == []
        assert answers["accept"] and not answers["ready"] and not answers["refund"] and answers["figures"]
