"""The console on an order that has ended (cancelled by the store, by the customer), with real orders from the real
platform (loopback server, the console's own cache and sync engine):

- its Done row says who cancelled it, as the detail does ("Cancelled by the store: Other", zh "商家取消：其他"; at
  40 columns, beside the short status CXL / 取消, "Store: Other" / "商家：其他"); it said only "Cancelled: Other" /
  "已取消：其他", and at 40 columns "Cancelled…";
- the footer of the queue (cursor on it) and of its detail no longer offers `a` Accept, `x` Reject, `p`
  Preparing...; pressed anyway, such a key still says why, and nothing is queued;
- search (`/`) no longer finds it by its pickup code, which the platform may have given to a new order; a live
  order is still found by its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest
from textual.widgets._footer import FooterKey

from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.order import Order
from o2o_tui.i18n import set_language
from screens import order_format as fmt
from screens.app import MerchantApp
from screens.detail_screen import DetailScreen
from screens.help_screen import help_rows
from screens.launch import open_source
from screens.source import QueueEntry
from screens.widgets.order_row import render_done
from tests.support.platform import Api, RunningPlatform, api, order_body
from tests.test_ui_live import wait_until

STEP_ACTIONS = {"accept", "reject", "preparing", "ready", "delay", "handoff", "cancellation"}


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


def _cancelled_by_store(running: RunningPlatform) -> str:
    """An order the store accepted, then cancelled (reason OTHER)."""
    order_id = _new_order(running)
    merchant = api(running, "merchant")
    try:
        _post(merchant, f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 15})
        _post(merchant, f"/v1/orders/{order_id}/cancel", {"reason_code": "OTHER"})
    finally:
        merchant.close()
    return order_id


def _row(order: Order, width: int) -> str:
    return render_done(QueueEntry(order=order), width, datetime.now(UTC)).plain


def test_a_done_row_says_who_cancelled_short_at_forty_columns(shared_platform: RunningPlatform) -> None:
    by_store = _order(shared_platform, _cancelled_by_store(shared_platform))
    by_customer_id = _new_order(shared_platform)
    customer = api(shared_platform, "customer")
    try:
        _post(customer, f"/v1/orders/{by_customer_id}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"})
    finally:
        customer.close()
    by_customer = _order(shared_platform, by_customer_id)

    wide = _row(by_store, 80)
    assert "Cancelled by the store: Other · " in wide, wide
    narrow = _row(by_store, 40)
    # the short status says cancelled (CXL): the row's few cells go to who and why
    assert " CXL  Store: Other " in narrow, narrow
    assert " CXL  Customer:" in _row(by_customer, 40), _row(by_customer, 40)
    assert "Cancelled by the customer: Customer changed their mind" in _row(by_customer, 120)
    set_language("zh")
    assert "已取消     商家取消：其他 · " in _row(by_store, 80), _row(by_store, 80)  # as the detail says it
    assert " 取消 商家：其他 " in _row(by_store, 40), _row(by_store, 40)
    assert " 取消 顾客：" in _row(by_customer, 40), _row(by_customer, 40)


def test_search_finds_a_pickup_code_only_while_it_is_usable(shared_platform: RunningPlatform) -> None:
    gone = _order(shared_platform, _cancelled_by_store(shared_platform))
    live = _order(shared_platform, _new_order(shared_platform))
    assert gone.pickup_code and live.pickup_code  # the platform still sends the ended order's code
    assert fmt.matches(live, live.pickup_code)
    assert not fmt.matches(gone, gone.pickup_code)
    assert fmt.matches(gone, gone.display_number)  # still found by its number


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
    return {key.action for key in app.screen.query(FooterKey)}


def _offers_no_steps_but_the_rest(actions: set[str]) -> bool:
    return "figures" in actions and not STEP_ACTIONS & actions  # the other keys stay


def _said(app: MerchantApp) -> list[Any]:
    return list(getattr(app, "said", []))


async def test_an_ended_orders_footer_offers_no_steps_and_a_step_key_still_says_why(
    platform: RunningPlatform, profile: Profile
) -> None:
    gone_id = await asyncio.to_thread(_cancelled_by_store, platform)
    live_id = await asyncio.to_thread(_new_order, platform)
    app = SayingApp(open_source(profile))
    async with app.run_test(size=(120, 30)) as pilot:
        queue = app.orders_screen.queue
        await wait_until(pilot, lambda: queue.entry(gone_id) is not None and queue.entry(live_id) is not None)
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")

        queue.select(live_id)
        await wait_until(pilot, lambda: {"accept", "reject"} <= _footer_actions(app))
        queue.select(gone_id)
        # one look at a whole footer: it is rebuilt (emptied, then filled) at each change, and an empty one between
        # has no steps either
        await wait_until(pilot, lambda: _offers_no_steps_but_the_rest(_footer_actions(app)))

        await pilot.press("a")  # not offered, pressed anyway: says why, sends nothing
        await wait_until(pilot, lambda: len(_said(app)) == 1)
        number = queue.entry(gone_id).order.display_number  # type: ignore[union-attr]
        assert _said(app)[-1] == f"Cannot accept {number}: it is Cancelled."

        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await wait_until(pilot, lambda: "back" in _footer_actions(app))
        assert not STEP_ACTIONS & _footer_actions(app), _footer_actions(app)
        listed = {binding_id for row in help_rows(app.screen) for binding_id in row.binding_ids}
        # `?` is the screen's key reference: every order key is listed whatever the order (the footer is what applies)
        assert {"detail.accept", "detail.reject"} <= listed
        await pilot.press("x")
        await wait_until(pilot, lambda: len(_said(app)) == 2)
        assert _said(app)[-1] == f"{number} is already Cancelled: nothing to reject."

        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.orders_screen)
        queue.select(live_id)
        await wait_until(pilot, lambda: {"accept", "reject"} <= _footer_actions(app))
        await pilot.pause(0.3)
        assert app.source.link().pending == 0 and app.source.conflicts() == []
    assert (await asyncio.to_thread(_order, platform, live_id)).status.value == "CREATED"
