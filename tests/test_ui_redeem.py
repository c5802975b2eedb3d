"""`v` on the real platform (Pilot, the sync engine on a real cache): a voucher code typed in one burst (as a
scanner types it, with the `v` before it) is redeemed and shown in large text, a takeout's pickup code hands the
order over, the same voucher again is refused with when it was redeemed; and the field takes the next code at once.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import Digits, Label

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.launch import open_source
from screens.redeem_screen import RedeemScreen
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_ui_live import wait_until


@pytest.fixture
def profile(
    shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    seed = shared_platform.seed
    assert seed is not None
    yield save_profile(
        "counter",
        url=shared_platform.url,
        token=seed.tokens["merchant"],
        role="merchant",
        store_id=seed.store_id,
    )
    set_language(None)


def _voucher_code(platform: RunningPlatform) -> str:
    assert platform.seed is not None
    admin, customer = api(platform, "admin"), api(platform, "customer")
    body = {
        "id": uuid.uuid4().hex[:12],
        "store_id": platform.seed.store_id,
        "title": "双人套餐 Set meal [b]for 2[/b]",
        "value": {"amount": 3800, "currency": "CNY"},
        "expires_at": "2099-01-01T00:00:00Z",
    }
    [voucher] = admin.post("/v1/vouchers", body).json()["vouchers"]
    return str(
        customer.post(f"/v1/vouchers/{voucher['id']}/buy", {"purchase_id": uuid.uuid4().hex}).json()["code"]
    )


def _ready_takeout(platform: RunningPlatform) -> dict:
    assert platform.seed is not None
    customer, merchant = api(platform, "customer"), api(platform, "merchant")
    order: dict = customer.post("/v1/orders", order_body(platform.seed.store_id, "TAKEOUT")).json()
    merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5})
    merchant.post(f"/v1/orders/{order['id']}/ready", {})
    return order


def _result(app: MerchantApp) -> str:
    return str(app.screen.query_one("#redeem-result", Label).render())


async def test_v_redeems_a_voucher_and_hands_over_a_pickup_code(
    shared_platform: RunningPlatform, profile: Profile
) -> None:
    code = await asyncio.to_thread(_voucher_code, shared_platform)
    order = await asyncio.to_thread(_ready_takeout, shared_platform)
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        await wait_until(pilot, lambda: app.source.order(order["id"]) is not None)
        await pilot.press("v", *code, "enter")  # one burst, as a scanner types it: no key may be lost
        await wait_until(pilot, lambda: isinstance(app.screen, RedeemScreen) and "REDEEMED" in _result(app))
        assert _result(app) == "REDEEMED ¥38.00 双人套餐 Set meal [b]for 2[/b]"  # the title as plain text
        assert app.screen.query_one("#redeem-digits", Digits).value == "¥38.00"
        assert app.screen.query_one("#answer").value == ""  # ready for the next code

        await pilot.press(*order["pickup_code"], "enter")
        number = f"#{order['number']:04d}"
        await wait_until(pilot, lambda: f"{number} HANDED OVER" in _result(app))
        merchant = api(shared_platform, "merchant")
        await wait_until(
            pilot, lambda: merchant.get(f"/v1/orders/{order['id']}").json()["status"] == "DELIVERED"
        )

        await pilot.press(*code[:6], " ", *code[6:], "enter")  # typed with a space: the same code
        await wait_until(pilot, lambda: "ALREADY REDEEMED" in _result(app))
        assert app.screen.query_one("#redeem-result", Label).has_class("-refused")
        shanghai = datetime.now(ZoneInfo("Asia/Shanghai"))  # redeemed moments ago: said on the store's clock
        said = {(shanghai - timedelta(minutes=back)).strftime("%H:%M") for back in (0, 1)}
        assert any(clock in _result(app) for clock in said), _result(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, RedeemScreen))


async def test_v_offline_queues_the_voucher_and_says_so_then_it_lands_once(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = platform.seed
    assert seed is not None
    profile = save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    code = await asyncio.to_thread(_voucher_code, platform)
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        await asyncio.to_thread(platform.stop)
        await wait_until(pilot, lambda: app.source.link().state.value == "OFFLINE", timeout=30)
        await pilot.press("v", *code, "enter")
        await wait_until(pilot, lambda: "cannot be verified offline" in _result(app))
        assert app.screen.query_one("#redeem-result", Label).has_class("-queued")
        await pilot.press("escape")
        await asyncio.to_thread(platform.restart)
        assert platform.url == profile.url  # the same port: the console's engine finds it again

        def landed() -> bool:
            return any("Voucher redeemed: REDEEMED ¥38.00" in str(n.message) for n in app._notifications)

        await wait_until(pilot, landed, timeout=30)
    mine = api(platform, "customer").get("/v1/vouchers").json()["vouchers"]
    assert [v["status"] for v in mine] == ["REDEEMED"]
