"""A delivery taken off its courier reads apart from a cancelled order: the platform records why a delivery ended
CANCELLED (`end_reason`: UNASSIGNED, REASSIGNED, ORDER_CANCELLED with the order's `cancel_reason_code`, OFF_DUTY),
and the handheld says which (heading, list label, the "ended" line and the alert), in English and Chinese, within
20 columns. Real server on loopback; the handheld on its real source and cache."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.cells import cell_len

from o2o_tui.domain.fleet import Delivery
from o2o_tui.domain.geo import Address
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import set_language
from screens.courier_format import ASCII, ended_text, heading_label, row_parts, short_label
from screens.courier_source import _cancelled_news
from tests.support.platform import Api, RunningPlatform, api, order_body
from tests.test_ui_courier import (
    CountingApp,
    courier_profile,
    offer,
    open_first_task,
    open_source,
    screen_text,
    wait_until,
)


def _ok(response: object) -> dict:
    assert response.status_code in (200, 201), response.text  # type: ignore[attr-defined]
    return response.json()  # type: ignore[attr-defined, no-any-return]


def _assigned(platform: RunningPlatform, courier_id: str) -> tuple[dict, dict]:
    assert platform.seed is not None
    order = _ok(api(platform, "customer").post("/v1/orders", order_body(platform.seed.store_id)))
    _ok(api(platform, "merchant").post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}))
    delivery = _ok(api(platform, "dispatcher").post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id}))
    return order, delivery


@pytest.mark.parametrize("how", ["unassign", "reassign", "cancel", "off_duty"])
def test_the_platform_records_why_a_delivery_ended(platform: RunningPlatform, how: str) -> None:
    assert platform.seed is not None
    courier_id, other = platform.seed.courier_ids[0], platform.seed.courier_ids[1]
    courier = Api(platform.url, platform.seed.courier_tokens[courier_id])
    order, delivery = _assigned(platform, courier_id)
    path = f"/v1/orders/{order['id']}"
    if how != "off_duty":
        _ok(courier.post(f"/v1/deliveries/{delivery['id']}/accept"))
    expected: tuple[str, str | None]
    if how == "unassign":
        _ok(api(platform, "dispatcher").post(path + "/unassign"))
        expected = ("UNASSIGNED", None)
    elif how == "reassign":
        _ok(api(platform, "dispatcher").post(path + "/assign", {"courier_id": other}))
        expected = ("REASSIGNED", None)
    elif how == "cancel":
        _ok(api(platform, "merchant").post(path + "/cancel", {"reason_code": "OUT_OF_STOCK"}))
        expected = ("ORDER_CANCELLED", "OUT_OF_STOCK")
    else:
        _ok(courier.put(f"/v1/couriers/{courier_id}/state", {"status": "OFFLINE"}))
        expected = ("OFF_DUTY", None)
    ended = _ok(courier.get(f"/v1/deliveries/{delivery['id']}"))
    assert ended["status"] == "CANCELLED"
    assert (ended["end_reason"], ended["cancel_reason_code"]) == expected
    if how != "cancel":  # taken off the courier: the order goes on
        assert _ok(api(platform, "merchant").get(path))["status"] != "CANCELLED"


def test_a_delivery_still_going_has_no_end_reason(platform: RunningPlatform) -> None:
    assert platform.seed is not None
    _, delivery = _assigned(platform, platform.seed.courier_ids[0])
    assert delivery["end_reason"] is None and delivery["cancel_reason_code"] is None


def _delivery(end_reason: str | None, code: str | None = None, number: int = 4) -> Delivery:
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    place = Address(text="x")
    return Delivery(
        id="dl_1", order_id="o1", order_number=number, store_id="s1", courier_id="c1",
        status=DeliveryStatus.CANCELLED, pickup=place, dropoff=place, customer_name="", customer_phone="",
        version=2, created_at=now, updated_at=now, end_reason=end_reason, cancel_reason_code=code,
    )  # fmt: skip


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


SAYS = {
    "en": {
        "REASSIGNED": ("Reassigned", "given to another courier", "another courier"),
        "UNASSIGNED": ("Taken off you", "back to the store's dispatcher", "dispatcher"),
        "ORDER_CANCELLED": ("Cancelled", "The order was cancelled: Items sold out.", "order cancelled"),
    },
    "zh": {
        "REASSIGNED": ("已改派", "改派给其他骑手", "改派给其他骑手"),
        "UNASSIGNED": ("已撤回", "交回门店调度员", "交回门店调度员"),
        "ORDER_CANCELLED": ("已取消", "订单已取消：", "订单已取消"),
    },
}


@pytest.mark.parametrize("reason", ["REASSIGNED", "UNASSIGNED", "ORDER_CANCELLED"])
def test_the_handheld_says_which(lang: str, reason: str) -> None:
    code = "OUT_OF_STOCK" if reason == "ORDER_CANCELLED" else None
    delivery = _delivery(reason, code)
    heading, ended, alert = SAYS[lang][reason]
    assert heading_label(delivery) == heading
    assert ended in ended_text(delivery)
    news = _cancelled_news(delivery, "0004")
    assert news.startswith("#0004") and alert in news
    taken_off = reason != "ORDER_CANCELLED"
    cancelled_words = ("cancelled", "取消")
    assert taken_off != any(word in news for word in cancelled_words), news
    assert cell_len(f"#0004 {heading}") <= 20  # the heading fits the narrowest handheld
    head, _ = row_parts(1, delivery, queued=False, refused=False, glyphs=ASCII)
    offer_head, _ = row_parts(1, _delivery(None), queued=False, refused=False, glyphs=ASCII)
    longest = max(cell_len(short_label(status)) for status in DeliveryStatus)
    assert cell_len(head) <= cell_len(offer_head) - cell_len(short_label(DeliveryStatus.CANCELLED)) + longest, head


def test_an_older_server_that_does_not_say_reads_as_before(lang: str) -> None:
    delivery = _delivery(None)
    assert heading_label(delivery) == {"en": "Cancelled", "zh": "已取消"}[lang]
    assert ended_text(delivery) == {"en": "This task has ended.", "zh": "此任务已结束。"}[lang]
    assert _cancelled_news(delivery, "0004") == {"en": "#0004 cancelled or reassigned", "zh": "#0004 已取消或已改派"}[lang]
    assert _cancelled_news(_delivery("SOMETHING_NEW"), "0004") == _cancelled_news(delivery, "0004")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    yield tmp_path / "home"
    set_language(None)


@pytest.mark.parametrize("how", ["unassign", "cancel"])
async def test_the_open_task_tells_the_courier_it_was_taken_off_or_cancelled(
    platform: RunningPlatform, home: Path, how: str
) -> None:
    assert platform.seed is not None
    courier_id = platform.seed.courier_ids[0]
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, number)
        path = f"/v1/orders/{order['id']}"
        if how == "unassign":
            _ok(api(platform, "dispatcher").post(path + "/unassign"))
            said = ("taken off you", "back to the store's dispatcher")
        else:
            _ok(api(platform, "merchant").post(path + "/cancel", {"reason_code": "OUT_OF_STOCK"}))
            said = ("order cancelled", "Items sold out")
        await wait_until(pilot, lambda: all(part in screen_text(app) for part in said))
        assert "cancelled or reassigned" not in screen_text(app)
        if how == "unassign":
            assert "cancelled" not in screen_text(app).replace(number + " Cancelled", "")
