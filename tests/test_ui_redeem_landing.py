"""`v` offline on the real platform (Pilot, the sync engine on a real cache): the open field follows a queued voucher
to the platform's verdict and shows it in place of "do not hand over the goods yet" (REDEEMED with value and title,
or the refusal); a code scanned again while its first scan waits is not queued twice (voucher or pickup code);
toasts raised meanwhile wait until the field closes instead of covering it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Digits, Label

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.launch import open_source
from screens.redeem_screen import RedeemScreen
from tests.support.platform import RunningPlatform, api
from tests.test_ui_live import wait_until
from tests.test_ui_redeem import _ready_takeout, _voucher_code


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


def _result(app: MerchantApp) -> str:
    return str(app.screen.query_one("#redeem-result", Label).render())


def _toasts(app: MerchantApp) -> list[str]:
    """The toasts' texts, each on one line (a toast's text is broken into lines for its width: English at spaces)."""
    return [str(notification.message).replace("\n", " ") for notification in app._notifications]


async def _offline(pilot: object, app: MerchantApp, platform: RunningPlatform) -> None:
    await asyncio.to_thread(platform.stop)
    await wait_until(pilot, lambda: app.source.link().state.value == "OFFLINE", timeout=30)  # type: ignore[arg-type]


async def _scan(pilot: object, app: MerchantApp, code: str, says: str) -> None:
    await pilot.press(*code, "enter")  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: says in _result(app))  # type: ignore[arg-type]


async def test_the_open_field_shows_what_became_of_a_queued_voucher(
    platform: RunningPlatform, profile: Profile
) -> None:
    first, second, used = [await asyncio.to_thread(_voucher_code, platform) for _ in range(3)]
    order = await asyncio.to_thread(_ready_takeout, platform)
    assert platform.seed is not None
    redeemed = api(platform, "merchant").post(
        f"/v1/stores/{platform.seed.store_id}/vouchers/redeem", {"code": used}
    )  # by another till: this console does not know
    assert redeemed.json()["status"] == "REDEEMED"
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(40, 15)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        await wait_until(pilot, lambda: app.source.order(order["id"]) is not None)
        await _offline(pilot, app, platform)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, RedeemScreen))
        await _scan(pilot, app, first, "cannot be verified offline")
        await _scan(pilot, app, f"{first[:6]} {first[6:]}", "ALREADY QUEUED at ")  # the same code again
        number = f"#{order['number']:04d}"
        await _scan(pilot, app, order["pickup_code"], f"{number}: handoff queued")
        await _scan(pilot, app, order["pickup_code"], f"{number}: the handoff was already queued")
        await _scan(pilot, app, second, "cannot be verified offline")
        assert len(await app.source.queued_entries()) == 3  # type: ignore[attr-defined]

        await asyncio.to_thread(platform.restart)
        assert platform.url == profile.url
        # the field now says what the platform said, as an online redeem does: no more "do not hand over"
        await wait_until(pilot, lambda: "REDEEMED ¥38.00 双人套餐" in _result(app), timeout=30)
        assert app.screen.query_one("#redeem-result", Label).has_class("-ok")
        assert app.screen.query_one("#redeem-digits", Digits).value == "¥38.00"
        # the first voucher landed too: its toast waits while the field is open, then shows
        await wait_until(pilot, lambda: app.source.link().pending == 0)
        await pilot.pause(0.5)
        assert not any("Voucher redeemed" in text for text in _toasts(app))
        await pilot.press("escape")
        await wait_until(pilot, lambda: any("Voucher redeemed: REDEEMED ¥38.00" in t for t in _toasts(app)))
        assert app.source.link().conflicts == 0

        # refused when it lands: the refusal in the field (not the queued words), its toast after the field
        await _offline(pilot, app, platform)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, RedeemScreen))
        await _scan(pilot, app, used, "cannot be verified offline")
        await asyncio.to_thread(platform.restart)
        await wait_until(pilot, lambda: "ALREADY REDEEMED at" in _result(app), timeout=30)
        assert app.screen.query_one("#redeem-result", Label).has_class("-refused")
        await pilot.pause(0.5)
        assert not any("redeemed before" in text for text in _toasts(app))  # held: the field stays readable
        await pilot.press("escape")
        await wait_until(pilot, lambda: any("redeemed before" in text for text in _toasts(app)))
    customer = api(platform, "customer")
    assert sorted(v["status"] for v in customer.get("/v1/vouchers").json()["vouchers"]) == ["REDEEMED"] * 3
    assert api(platform, "merchant").get(f"/v1/orders/{order['id']}").json()["status"] == "DELIVERED"
