"""A problem a courier reports shows in the counter's queue, not only in the order's detail: the row is marked `!`
(the attention mark), names the problem (the type column's words on a normal screen, PROB where a narrow one has no
type column) and takes the attention colour; the order keeps its place; the mark goes when the problem is cleared.
Real server, real cache, the console's own sync engine."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.launch import open_source
from tests.support.platform import Api, RunningPlatform, api, order_body
from tests.test_ui_live import CountingApp, wait_until


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


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def _accepted_and_taken(
    platform: RunningPlatform, courier: Api, courier_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A delivery order accepted by the store and by a courier (on the way to the store)."""
    seed = platform.seed
    assert seed is not None
    customer, merchant, dispatcher = (api(platform, role) for role in ("customer", "merchant", "dispatcher"))
    order = _ok(customer.post("/v1/orders", order_body(seed.store_id)))
    _ok(merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}))
    delivery = _ok(dispatcher.post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id}))
    _ok(courier.post(f"/v1/deliveries/{delivery['id']}/accept"))
    return order, delivery


async def test_a_courier_problem_marks_the_row_keeps_its_place_and_goes_when_cleared(
    platform: RunningPlatform, profile: Profile
) -> None:
    seed = platform.seed
    assert seed is not None
    stuck_id, other_id = seed.courier_ids[0], seed.courier_ids[1]
    stuck = Api(platform.url, seed.courier_tokens[stuck_id])
    orders = [await asyncio.to_thread(_accepted_and_taken, platform, stuck, stuck_id) for _ in range(3)]
    order, delivery = orders[1]  # the middle one of three accepted orders
    app = CountingApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        queue = app.orders_screen.queue
        await wait_until(pilot, lambda: all(queue.entry(o["id"]) is not None for o, _ in orders))
        place = queue.order_ids.index(order["id"])

        def row() -> Any:
            return next(view for view in queue.row_views() if view.order_id == order["id"])

        def shown() -> str:
            return str(row().render().plain)

        def mark() -> str:  # the one cell before the order's number
            line = shown()
            return line[line.index(f"#{order['number']:04d}") - 1]

        assert not row().has_class("-courier-problem") and mark() == " ", shown()

        await asyncio.to_thread(
            lambda: _ok(stuck.post(f"/v1/deliveries/{delivery['id']}/problem", {"reason": "VEHICLE_PROBLEM"}))
        )
        await wait_until(pilot, lambda: row().entry.order.delivery_problem is not None)
        await pilot.pause()
        line = shown()
        assert mark() == "!" and "vehicle" in line, line  # the mark, and the problem named in the row
        assert row().has_class("-courier-problem")  # the attention colour, besides the words
        assert queue.order_ids.index(order["id"]) == place  # the sort is the queue's, unchanged

        await pilot.resize_terminal(40, 15)
        await pilot.pause()
        narrow = shown()
        assert mark() == "!" and "PROB" in narrow and len(narrow) <= 40, narrow

        # the dispatcher gives the order to another courier: the problem is no longer the order's
        dispatcher = api(platform, "dispatcher")
        await asyncio.to_thread(
            lambda: _ok(dispatcher.post(f"/v1/orders/{order['id']}/assign", {"courier_id": other_id}))
        )
        await wait_until(pilot, lambda: row().entry.order.delivery_problem is None)
        await pilot.pause()
        cleared = shown()
        assert mark() == " " and "PROB" not in cleared, cleared
        assert not row().has_class("-courier-problem")
        assert queue.order_ids.index(order["id"]) == place
