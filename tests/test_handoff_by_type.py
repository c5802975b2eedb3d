"""A delivery leaves with its courier, so `h` (and `o2o orders handoff`) refuse it at once, locally, saying the
courier collects it, with nothing queued and no conflict filed; a takeout that was handed off reads "Picked up"
(已取餐), a dine-in one "Served" (已上餐), only a delivery "Delivered"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.domain.transitions import OrderAction, applies_to_type, shown_status
from o2o_tui.i18n import set_language
from o2o_tui.sync.explain import explain, wrong_type
from screens import order_format as fmt
from screens.app import MerchantApp
from screens.dialogs import CodePrompt
from screens.memory_source import MemoryOrderSource
from screens.source import QueueEntry
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_cli_orders import Cli
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def test_the_state_machine_knows_which_actions_fit_which_type() -> None:
    assert not applies_to_type(OrderAction.HANDOFF, OrderType.DELIVERY)
    assert applies_to_type(OrderAction.HANDOFF, OrderType.TAKEOUT)
    assert not applies_to_type(OrderAction.DISPATCH, OrderType.INDOOR)
    assert applies_to_type(OrderAction.READY, OrderType.DELIVERY)
    assert wrong_type(OrderAction.READY, OrderType.DELIVERY, "#0042") is None
    assert "courier collects it" in (wrong_type(OrderAction.HANDOFF, OrderType.DELIVERY, "#0042") or "")
    assert "customer collects it" in (wrong_type(OrderAction.DISPATCH, OrderType.TAKEOUT, "#0040") or "")


@pytest.mark.parametrize(
    ("order_type", "en", "zh"),
    [
        (OrderType.TAKEOUT, "Picked up", "已取餐"),
        (OrderType.INDOOR, "Served", "已上餐"),
        (OrderType.DELIVERY, "Delivered", "已送达"),
    ],
)
def test_the_final_state_is_named_per_order_type(order_type: OrderType, en: str, zh: str) -> None:
    order = sample_order(36, OrderStatus.DELIVERED, minutes_ago=90, order_type=order_type)
    assert fmt.status_label(order) == en
    set_language("zh")
    assert fmt.status_label(order) == zh
    ready = sample_order(35, OrderStatus.READY_FOR_PICKUP, minutes_ago=9, order_type=order_type)
    assert shown_status(ready.status, ready.type) == "READY_FOR_PICKUP"


def test_an_old_queued_handoff_of_a_delivery_is_explained_by_its_type() -> None:
    """A conflict filed before this check (an outbox from an older console) says why, not "was already READY"."""
    reason = {"code": "illegal_transition", "order_number": 42, "current_status": "READY_FOR_PICKUP"}
    typed = explain({**reason, "order_type": "DELIVERY"}, action="order.handoff", target="o1")
    assert typed.startswith("#0042 is a delivery: its courier collects it") and "already" not in typed
    assert "already" in explain(reason, action="order.handoff", target="o1")  # no type stored: as before


class SayingApp(MerchantApp):
    said: list[str]

    def say(self, message: str, *, severity: str = "information", timeout: float = 5) -> None:
        self.said.append(message)
        super().say(message, severity=severity, timeout=timeout)


async def test_h_on_a_ready_delivery_refuses_at_once_and_sends_nothing() -> None:
    ready = sample_order(44, OrderStatus.READY_FOR_PICKUP, minutes_ago=20, order_type=OrderType.DELIVERY)
    source = MemoryOrderSource([QueueEntry(ready)], store=sample_store())
    app = SayingApp(source, clock=lambda: FROZEN_NOW)
    app.said = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert not isinstance(app.screen, CodePrompt)  # no pickup code asked for
        assert source.submitted == []
        (said,) = app.said
        assert said.startswith("#0044 is a delivery: its courier collects it")


def test_cli_handoff_of_a_delivery_exits_4_and_files_no_conflict(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    assert shared_platform.seed is not None
    merchant = api(shared_platform, "merchant")
    created = api(shared_platform, "customer").post("/v1/orders", order_body(shared_platform.seed.store_id))
    assert created.status_code == 201, created.text
    order = created.json()
    for action, body in (("confirm", {"preparation_minutes": 5}), ("ready", {})):
        assert merchant.post(f"/v1/orders/{order['id']}/{action}", body).status_code == 200
    cli = Cli(tmp_path / "home", shared_platform.seed.tokens["merchant"])
    cli("login", "--url", shared_platform.url, "--token", cli.token)
    refused = cli("orders", "handoff", order["id"], "--code", "1234", code=Exit.REJECTED)
    assert "is a delivery: its courier collects it" in " ".join(refused.stderr.split())
    assert cli.json("conflicts", "list") == []
    assert cli.json("sync", "status")["pending"] == 0
    assert merchant.get(f"/v1/orders/{order['id']}").json()["status"] == "READY_FOR_PICKUP"
