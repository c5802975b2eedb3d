"""`y` and `$` in the console against the real platform, through the sync engine and a real cache: answered and
refunded while the link is down (queued), sent exactly once when it is back; a refund the platform refuses (another
device refunded meanwhile) lands in the conflicts with its sentence."""

from __future__ import annotations

import asyncio
import uuid

import msgspec

from o2o_tui.config import Profile
from o2o_tui.sync.session import make_client, make_engine, open_cache
from screens.engine_source import EngineOrderSource
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api
from tests.test_ui_live import CountingApp, _place, _server_order, profile, wait_until

__all__ = ["profile"]  # the fixture, shared with test_ui_live


def _as(platform: RunningPlatform, role: str, path: str, body: object) -> dict:
    client = api(platform, role)
    try:
        answer = client.post(path, body)
        assert answer.status_code == 200, answer.text
        return answer.json()
    finally:
        client.close()


async def test_reply_and_refund_offline_then_sent_once_and_a_stale_refund_explained(
    platform: RunningPlatform, profile: Profile
) -> None:
    placed = await asyncio.to_thread(_place, platform, type="TAKEOUT", address=None)
    path = f"/v1/orders/{placed['id']}"
    await asyncio.to_thread(_as, platform, "merchant", path + "/confirm", {"preparation_minutes": 15})
    await asyncio.to_thread(_as, platform, "customer", path + "/chase", {"note": "好了吗"})
    with FaultProxy(platform.port) as proxy:
        via_proxy = msgspec.structs.replace(profile, url=f"http://127.0.0.1:{proxy.port}")
        cache = open_cache(via_proxy)
        client = make_client(via_proxy, timeout=2.0)
        engine = make_engine(via_proxy, cache, client, poll_wait=0.5, backoff_cap=0.5)
        app = CountingApp(EngineOrderSource(engine, cache, client, via_proxy.store_id or ""))
        async with app.run_test(size=(80, 24)) as pilot:
            queue = app.orders_screen.queue

            def row_text() -> str:
                return next(str(r.render()) for r in queue.row_views() if r.entry.order.id == placed["id"])

            await wait_until(pilot, lambda: any(r.entry.order.id == placed["id"] for r in queue.row_views()))
            assert "?#" in row_text()  # the chase badge
            proxy.drop()
            await wait_until(pilot, lambda: app.source.link().state.value == "OFFLINE")
            queue.select(placed["id"])
            await pilot.press("y", "4", *"soon", "enter")  # own words (it is not ready yet: 3 is greyed)
            await pilot.press("dollar_sign", "1", "minus", "enter", "1", "enter")  # one of line 1's two units
            await wait_until(pilot, lambda: app.source.link().pending == 2)
            server = await asyncio.to_thread(_server_order, platform, placed["id"])
            assert server["refunds"] == [] and server["chases"][0]["answered_at"] is None

            proxy.pass_through()
            await wait_until(pilot, lambda: app.source.link().pending == 0)
            server = await asyncio.to_thread(_server_order, platform, placed["id"])
            assert server["chases"][0]["reply"] == "TEXT" and server["chases"][0]["text"] == "soon"
            unit = placed["lines"][0]["total"]["amount"] // 2
            assert [r["amount"]["amount"] for r in server["refunds"]] == [unit]
            await wait_until(pilot, lambda: "?#" not in row_text())  # answered: no badge

            # another device refunds while this console's whole-order refund is queued
            proxy.drop()
            await wait_until(pilot, lambda: app.source.link().state.value == "OFFLINE")
            await pilot.press("dollar_sign", "0", "enter", "3", "enter")
            await wait_until(pilot, lambda: app.source.link().pending == 1)
            elsewhere = {"id": uuid.uuid4().hex, "reason_code": "LATE", "whole": True}
            await asyncio.to_thread(_as, platform, "merchant", path + "/refund", elsewhere)
            proxy.pass_through()
            # the engine's status counts the refusal at once; the source's list follows on its next refresh
            await wait_until(pilot, lambda: app.source.link().conflicts == 1 and len(app.source.conflicts()) == 1)
            [conflict] = app.source.conflicts()
            assert "refunded from another device" in conflict.explanation
            server = await asyncio.to_thread(_server_order, platform, placed["id"])
            assert len(server["refunds"]) == 2 and server["payment"]["status"] == "REFUNDED"
