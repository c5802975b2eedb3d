"""The typed client against the real reference server: results decode strictly, refusals are typed errors."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from o2o_tui.client import AsyncPlatformClient, PlatformClient
from o2o_tui.client.actions import encode_body
from o2o_tui.client.errors import (
    Forbidden,
    IllegalTransition,
    NotFound,
    StaleVersion,
    Unauthorized,
    ValidationFailed,
    WrongCode,
)
from o2o_tui.domain.identity import Role
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import Order, OrderStatus, OrderType
from o2o_tui.domain.requests import (
    CodeBody,
    ConfirmBody,
    CreateOrderBody,
    EmptyBody,
    ItemPatchBody,
    NewOrderLine,
    ReasonBody,
)
from o2o_tui.platform.simulator.basket import build_lines
from tests.support.platform import RunningPlatform


def _client(platform: RunningPlatform, role: str) -> PlatformClient:
    assert platform.seed is not None
    return PlatformClient(platform.url, platform.seed.tokens[role], timeout=15)


def _new_order(platform: RunningPlatform, order_type: OrderType = OrderType.TAKEOUT) -> Order:
    assert platform.seed is not None
    with _client(platform, "customer") as customer:
        menu = customer.get_menu(platform.seed.store_id)
        lines = build_lines(random.Random(3), menu, datetime.now(UTC))
        body = CreateOrderBody(
            id=str(uuid.uuid4()),
            store_id=platform.seed.store_id,
            type=order_type,
            lines=lines,
            customer_name="测试 Test [/]",
            customer_phone="13800001234",
        )
        return customer.create_order(body)


def _with_description(menu: Menu, text: str) -> Menu:
    first = menu.categories[0]
    item = msgspec.structs.replace(first.items[0], description=text)
    category = msgspec.structs.replace(first, items=[item, *first.items[1:]])
    return msgspec.structs.replace(menu, categories=[category, *menu.categories[1:]])


def test_me_for_every_role(shared_platform: RunningPlatform) -> None:
    for role in ("admin", "merchant", "dispatcher", "customer", "courier"):
        with _client(shared_platform, role) as client:
            me = client.me()
        assert me.role is Role(role)


def test_bad_token_is_unauthorized(shared_platform: RunningPlatform) -> None:
    with PlatformClient(shared_platform.url, "o2o_not-a-token") as client, pytest.raises(Unauthorized) as caught:
        client.me()
    assert caught.value.status == 401 and caught.value.is_final is False


def test_forbidden_and_not_found(shared_platform: RunningPlatform) -> None:
    assert shared_platform.seed is not None
    with _client(shared_platform, "courier") as courier, pytest.raises(Forbidden) as caught:
        courier.list_orders(store_id=shared_platform.seed.store_id)
    assert caught.value.status == 403 and caught.value.is_final
    with _client(shared_platform, "merchant") as merchant, pytest.raises(NotFound) as missing:
        merchant.get_order("no-such-order")
    assert missing.value.status == 404 and missing.value.is_final


def test_order_lifecycle_and_typed_refusals(shared_platform: RunningPlatform) -> None:
    order = _new_order(shared_platform)
    assert order.status is OrderStatus.CREATED
    with _client(shared_platform, "merchant") as merchant:
        with pytest.raises(ValidationFailed) as invalid:
            merchant.act("order.confirm", order.id, ConfirmBody(preparation_minutes=0))
        assert invalid.value.status == 422 and invalid.value.field == "preparation_minutes"
        code = merchant.get_order(order.id).pickup_code or ""  # the code is checked before the state
        with pytest.raises(IllegalTransition) as illegal:
            merchant.act("order.handoff", order.id, CodeBody(code=code))
        assert illegal.value.status == 409
        assert illegal.value.from_status == "CREATED"
        assert illegal.value.is_final
        confirmed = merchant.act("order.confirm", order.id, ConfirmBody(preparation_minutes=12))
        assert confirmed.status is OrderStatus.CONFIRMED and confirmed.version > order.version
        ready = merchant.act("order.ready", order.id, EmptyBody())
        assert ready.status is OrderStatus.READY_FOR_PICKUP
        wrong = "0000" if ready.pickup_code != "0000" else "9999"
        with pytest.raises(WrongCode) as bad_code:
            merchant.act("order.handoff", order.id, CodeBody(code=wrong))
        assert bad_code.value.status == 409
        assert ready.pickup_code
        done = merchant.act("order.handoff", order.id, CodeBody(code=ready.pickup_code))
        assert done.status is OrderStatus.DELIVERED
        with pytest.raises(IllegalTransition) as late:
            merchant.act("order.reject", order.id, ReasonBody(reason_code="STORE_BUSY"))
        assert (late.value.from_status, late.value.to_status) == ("DELIVERED", "CANCELLED")


def test_replay_with_same_key_returns_first_answer(shared_platform: RunningPlatform) -> None:
    order = _new_order(shared_platform)
    body = encode_body("order.confirm", ConfirmBody(preparation_minutes=9))
    key = str(uuid.uuid4())
    tapped = (datetime.now(UTC) - timedelta(hours=3)).isoformat()  # queued offline a while ago
    with _client(shared_platform, "merchant") as merchant:
        first = merchant.send("order.confirm", order.id, body, key=key, occurred_at=tapped)
        second = merchant.send("order.confirm", order.id, body, key=key, occurred_at=tapped)
        assert first == second
        assert merchant.get_order(order.id).version == first.version
        other = encode_body("order.confirm", ConfirmBody(preparation_minutes=30))
        with pytest.raises(ValidationFailed) as reused:
            merchant.send("order.confirm", order.id, other, key=key)
        assert reused.value.status == 422


def test_menu_publish_with_stale_version(shared_platform: RunningPlatform) -> None:
    assert shared_platform.seed is not None
    store_id = shared_platform.seed.store_id
    with _client(shared_platform, "merchant") as merchant:
        menu = merchant.get_menu(store_id)
        item = menu.categories[0].items[0]
        patched = merchant.act("menu.item.patch", f"{store_id}/{item.id}", ItemPatchBody(hidden=not item.hidden))
        assert isinstance(patched, Menu) and patched.version > menu.version
        edited = _with_description(patched, "今日推荐 today's pick")
        published = merchant.act("menu.publish", store_id, edited, if_match=patched.version)
        assert published.version > patched.version
        with pytest.raises(StaleVersion) as stale:  # an edit made from the older version
            merchant.act("menu.publish", store_id, _with_description(patched, "other"), if_match=patched.version)
        assert stale.value.status == 412 and stale.value.current_version == published.version
        assert stale.value.is_final


def test_iter_orders_follows_cursor(shared_platform: RunningPlatform) -> None:
    assert shared_platform.seed is not None
    for _ in range(3):
        _new_order(shared_platform)
    with _client(shared_platform, "merchant") as merchant:
        paged = list(merchant.iter_orders(store_id=shared_platform.seed.store_id, limit=2))
        whole = merchant.list_orders(store_id=shared_platform.seed.store_id, limit=500).orders
    assert len(paged) >= 3
    assert [o.id for o in paged] == [o.id for o in whole]
    with _client(shared_platform, "merchant") as merchant:
        created = merchant.list_orders(status="CREATED", limit=500).orders
        either = merchant.list_orders(status=[OrderStatus.CREATED, OrderStatus.DELIVERED], limit=500).orders
    assert created and all(o.status is OrderStatus.CREATED for o in created)
    assert {o.status for o in either} <= {OrderStatus.CREATED, OrderStatus.DELIVERED}
    assert len(either) >= len(created)


async def test_async_client_against_server(shared_platform: RunningPlatform) -> None:
    assert shared_platform.seed is not None
    async with AsyncPlatformClient(shared_platform.url, shared_platform.seed.tokens["customer"]) as customer:
        me = await customer.me()
        assert me.role is Role.CUSTOMER
        menu = await customer.get_menu(shared_platform.seed.store_id)
        item = next(i for c in menu.categories for i in c.items if not i.option_group_ids)
        body = CreateOrderBody(
            id=str(uuid.uuid4()),
            store_id=shared_platform.seed.store_id,
            type=OrderType.TAKEOUT,
            lines=[NewOrderLine(item_id=item.id, quantity=1)],
            customer_name="Async Test",
            customer_phone="13900000000",
        )
        order = await customer.create_order(body)
        again = await customer.create_order(body)  # same client id: the same order, not a second one
        assert again.id == order.id and again.number == order.number
        seen = [o.id async for o in customer.aiter_orders(limit=1)]
        assert order.id in seen
        page = await customer.events(None, wait=0)
        assert page.cursor
        with pytest.raises(Forbidden):
            await customer.act("order.confirm", order.id, ConfirmBody(preparation_minutes=5))
