"""Store state in the console, against the real platform on loopback (the console's own engine and cache):

- the store screen (`s`) of an open store whose link has been down for the heartbeat's length (5 min) says the
  platform may have paused it, as `o2o store status` does from a stale cache; never while the link answers;
- simple mode: a refused key (2 "ready", 1 "accept" on an order it no longer applies to) leaves a ringing order
  ringing; only an action that applies acknowledges it, as the queue's a/x/c;
- a poll the platform never answers is said in the catalog's words, naming the host, never `/v1/events`, in
  English and Chinese (`o2o sync status`'s last error, the console's link error).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest

from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language, t
from o2o_tui.sync.model import SyncState
from offline_cache import open_profile_cache
from screens.app import MerchantApp
from screens.launch import open_source
from screens.simple_actions import QuickActions
from screens.simple_screen import SimpleScreen
from screens.source import LinkState
from screens.store_screen import StoreScreen
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_sync_status_truth import merchant_engine
from tests.test_ui_live import wait_until
from tests.test_ui_store import _text


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


# -- 1. the store screen says the platform may have paused the store ------------------------------------------


async def test_store_screen_says_the_platform_may_have_paused_the_store_after_five_minutes_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    running = start_platform(tmp_path / "own_platform")  # stopped in the test: the link goes down
    try:
        monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
        set_language("en")
        seed = running.seed
        assert seed is not None
        profile = save_profile(
            "counter", url=running.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
        )
        ahead = timedelta(0)
        app = MerchantApp(open_source(profile), clock=lambda: datetime.now(UTC) + ahead)
        async with app.run_test(size=(40, 15)) as pilot:
            await wait_until(
                pilot, lambda: app.source.link().state is LinkState.ONLINE and app.source.store() is not None
            )
            await pilot.press("s")
            await wait_until(pilot, lambda: isinstance(app.screen, StoreScreen))
            await wait_until(pilot, lambda: _text(app, "#store-effect") == "Open, taking orders")
            ahead = timedelta(minutes=6)  # a live link polls: however the clock reads, nothing is said
            await pilot.pause(1.5)
            assert _text(app, "#store-effect") == "Open, taking orders"
            ahead = timedelta(0)
            running.stop()
            await wait_until(pilot, lambda: app.source.link().state is LinkState.OFFLINE, timeout=20)
            await pilot.pause(1.5)
            assert _text(app, "#store-effect") == "Open, taking orders"  # down, but for less than 5 min
            ahead = timedelta(minutes=6, seconds=5)
            hint = "No sync for 6 min: the platform may have paused the store, refusing orders"
            await wait_until(pilot, lambda: _text(app, "#store-effect") == "Open, taking orders\n" + hint)
            # at 40x15 the store's name keeps row 1 and the hours keep two rows under the effect's lines
            screen = app.screen
            assert screen.query_one("#store-name").region.y == 0
            assert screen.query_one("#hours").region.height >= 2
            set_language("zh")
            await wait_until(
                pilot,
                lambda: (
                    _text(app, "#store-effect")
                    == "营业中，正在接单\n已 6 分钟未同步：平台可能已暂停本店，不接新单"
                ),
            )
    finally:
        set_language(None)
        running.stop()


def test_the_hint_takes_its_short_words_where_the_long_ones_would_not_fit() -> None:
    """An effect of two lines at 40 columns (busy, until the hours close) keeps the hint within its three lines."""
    from o2o_tui.store_effect import maybe_auto_paused_texts
    from screens.store_screen import EFFECT_LINES, EffectLines

    set_language("en")
    try:
        now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
        hints = maybe_auto_paused_texts(now - timedelta(minutes=7), now)
        assert hints == (
            "No sync for 7 min: the platform may have paused the store, refusing orders",
            "No sync for 7 min: may be paused",
        )
        busy = "Busy: +15 min on every order, open until 22:00"
        narrow = EffectLines(busy, hints).at(38).plain.split("\n")
        assert len(narrow) <= EFFECT_LINES and narrow[-1] == "No sync for 7 min: may be paused"
        wide = EffectLines(busy, hints).at(78).plain.split("\n")
        assert wide == [busy, hints[0]]
        hours = maybe_auto_paused_texts(now - timedelta(hours=3, minutes=5), now)
        assert hours[1] == "No sync for 3 h: may be paused"
    finally:
        set_language(None)


# -- 2. simple mode: a refused key leaves a ringing order ringing ---------------------------------------------


def _place(platform: RunningPlatform) -> dict[str, Any]:
    assert platform.seed is not None
    answer = api(platform, "customer").post("/v1/orders", order_body(platform.seed.store_id, "TAKEOUT"))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


class SayingApp(MerchantApp):
    def bell(self) -> None:
        pass

    def say(self, message: str, *, severity: str = "information", timeout: float = 5) -> None:
        self.said = [*getattr(self, "said", []), message]
        super().say(message, severity=severity, timeout=timeout)


async def test_simple_mode_refused_keys_leave_a_ringing_order_ringing(
    platform: RunningPlatform, profile: Profile
) -> None:
    placed = await asyncio.to_thread(_place, platform)
    order_id = placed["id"]
    app = SayingApp(open_source(profile), simple=True)
    async with app.run_test(size=(40, 15)) as pilot:
        screen = app.screen
        assert isinstance(screen, SimpleScreen)
        await wait_until(pilot, lambda: screen.cursor_id == order_id and order_id in screen.alerts.alerting)

        await pilot.press("2")  # ready before the accept: refused, said, and the order rings on
        await wait_until(pilot, lambda: len(getattr(app, "said", [])) >= 1)
        await pilot.pause()
        assert order_id in screen.alerts.alerting, "a refused 2 silenced a new order"
        await pilot.press("3")  # hand off before the accept: refused too
        await wait_until(pilot, lambda: len(getattr(app, "said", [])) >= 2)
        await pilot.pause()
        assert order_id in screen.alerts.alerting, "a refused 3 silenced a new order"

        # 1 on an order it no longer applies to (accepted on another counter, not heard here yet): refused
        entry = app.source.order(order_id)
        assert entry is not None and entry.order.status is OrderStatus.CREATED
        accepted = msgspec.structs.replace(entry.order, status=OrderStatus.CONFIRMED)
        QuickActions(app).accept_default(msgspec.structs.replace(entry, order=accepted))
        await pilot.pause()
        assert order_id in screen.alerts.alerting, "a refused accept silenced a ringing order"

        await pilot.press("1")  # applies: accepted with the default, and the ring stops
        await wait_until(pilot, lambda: order_id not in screen.alerts.alerting)
        merchant = api(platform, "merchant")
        try:

            def status() -> str:
                return str(merchant.get(f"/v1/orders/{order_id}").json()["status"])

            await wait_until(pilot, lambda: status() == "CONFIRMED")
        finally:
            merchant.close()


# -- 3. a poll that gets no answer, in words ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_poll_with_no_answer_is_said_in_the_catalogs_words(
    shared_platform: RunningPlatform, tmp_path: Path, lang: str
) -> None:
    seed = shared_platform.seed
    assert seed is not None
    set_language(lang)
    try:
        with FaultProxy(shared_platform.port) as proxy, open_profile_cache(tmp_path / "profile") as cache:
            proxy.black_hole()  # connections accepted, nothing answered: the engine's own deadline ends the poll
            host = f"127.0.0.1:{proxy.port}"
            client, engine = merchant_engine(
                f"http://{host}", seed.tokens["merchant"], seed.store_id, cache, answer_grace=0.5
            )
            async with client:
                report = await engine.sync_once()
            said = t("client.error.unreachable", message=t("client.error.unreachable.timeout", host=host))
            assert report.state is SyncState.OFFLINE
            assert report.error == said
            assert engine.status().last_error == said  # what `o2o sync status` and the console's link show
            assert "/v1/events" not in said and host in said
    finally:
        set_language(None)
