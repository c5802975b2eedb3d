"""The "already accepted" refusal's sentence (o2o_tui/sync/explain.py) while the store is busy: the accept that stood
promised its prep minutes plus the busy minutes, said as an accept says them ("25 min: 15 to prepare + 10 because
the store is busy"), not the prep minutes alone. The real platform on loopback, a real cache; and the sentence on
its own in English and Chinese (an order for later promised at its customer's time, an order delayed since)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.i18n import set_language
from o2o_tui.sync.explain import explain
from tests.support.platform import RunningPlatform
from tests.test_accept_twice import _accept, _device, _order
from tests.test_sync_engine import place_orders

BUSY = "(25 min: 15 to prepare + 10 because the store is busy)"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def test_an_accept_refused_while_busy_says_the_busy_minutes_of_the_accept_that_stood(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    assert platform.seed is not None
    offline = _device(platform, tmp_path / "offline")
    offline("store", "busy", "--extra", "10")
    [order_id] = place_orders(platform.url, platform.seed, 1)
    offline("sync", "--once")
    platform.stop()
    assert "Queued" in offline("orders", "accept", order_id, "--prep", "20").stdout
    platform.restart()
    assert _accept(platform, order_id, 15).status_code == 200  # the counter online meanwhile: 15 + 10 busy
    offline("login", "--url", platform.url, "--token", offline.token)  # the port may have changed
    offline.json("sync", "--once", code=Exit.REJECTED)
    order = _order(platform, order_id)
    assert order["preparation_minutes"] == 15
    [conflict] = offline.json("conflicts", "list")
    assert conflict["reason"]["code"] == "already_accepted"
    assert "was already accepted at another counter: ready " in conflict["explanation"]
    assert conflict["explanation"].endswith(BUSY), conflict["explanation"]
    assert BUSY in offline("conflicts", "list").stdout


REASON = {
    "code": "already_accepted",
    "order_number": 12,
    "preparation_minutes": 15,
    "promised_ready_at": "2026-12-06T04:40:00Z",
    "confirmed_at": "2026-12-06T04:15:00Z",
    "timezone": "Asia/Shanghai",
}


def test_the_sentence_says_the_busy_minutes_in_english_and_chinese() -> None:
    said = explain(REASON, action="order.confirm", target="o")
    assert said == f"order #0012 was already accepted at another counter: ready 12:40 {BUSY}"
    here = explain({**REASON, "accepted_here": True}, action="order.confirm", target="o")
    assert here.endswith(f"ready 12:40 {BUSY}")
    set_language("zh")
    assert explain(REASON, action="order.confirm", target="o") == (
        "订单 #0012 已在另一台设备接单：12:40 出餐（25 分钟：备餐 15 分钟 + 门店繁忙加 10 分钟）"
    )


def test_not_busy_scheduled_or_delayed_say_what_they_said() -> None:
    plain = {**REASON, "confirmed_at": "2026-12-06T04:25:00Z"}  # promised 15 min after the accept
    assert explain(plain, action="order.confirm", target="o").endswith("ready 12:40 (15 min)")
    older = {key: value for key, value in REASON.items() if key != "confirmed_at"}  # an older cache's reason
    assert explain(older, action="order.confirm", target="o").endswith("ready 12:40 (15 min)")
    asked = {**REASON, "asked_at": "2026-12-06T04:40:00Z"}  # an order for later: the customer's time
    said = explain(asked, action="order.confirm", target="o")
    assert said.endswith("ready 12:40 (25 min: the time the customer asked for; 15 to prepare)"), said
    delayed = {**REASON, "delayed_minutes": 10}  # delayed since: the accept's own promise cannot be told
    assert explain(delayed, action="order.confirm", target="o").endswith("ready 12:40 (15 min)")
