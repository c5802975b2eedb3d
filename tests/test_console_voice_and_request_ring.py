"""Console corners: the voice says a disabled account as the banner and toast say it (ask the store or the
administrator, not "log in again") and its enabling again; a customer's cancellation request on an order still new
rings and flashes again, so nobody accepts an order its customer wants cancelled without hearing so. The alert rules
on a fake clock, and the console against the real platform with a recording speech engine."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest

from o2o_tui.client.errors import Unauthorized
from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.order import Cancellation, OrderStatus, Party
from o2o_tui.i18n import set_language, t
from screens.alerts import Alerts, Sound
from screens.source import LinkState, LinkStatus, QueueEntry
from tests.support.deep_variants import ENGLISH_HERE_CHINESE_DEEP
from tests.support.platform import Api, RunningPlatform, api
from tests.test_ui_live import CountingApp, _place, wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_order
from tests.test_voice import fake_engine, spoken

T0 = FROZEN_NOW


@pytest.fixture(params=ENGLISH_HERE_CHINESE_DEEP)
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _new(number: int) -> QueueEntry:
    order = sample_order(number, OrderStatus.CREATED, minutes_ago=0)
    return QueueEntry(msgspec.structs.replace(order, accept_deadline=order.created_at + timedelta(minutes=5)))


def _asks_to_cancel(entry: QueueEntry) -> QueueEntry:
    request = Cancellation(requested_by=Party.CUSTOMER, reason_code="CHANGED_MIND", requested_at=T0)
    return QueueEntry(msgspec.structs.replace(entry.order, cancellation=request))


# -- the rules ---------------------------------------------------------------------------------------------------


def test_a_request_on_a_new_order_someone_opened_rings_and_flashes_again() -> None:
    alerts = Alerts(ring_every_s=20)
    order = _new(7)
    assert alerts.orders_changed([order], T0) == [Sound.NEW_ORDER]
    alerts.acknowledge(order.order.id)  # opened: quiet, not flashing (and not urgent yet)
    assert alerts.tick(T0 + timedelta(seconds=30)) == []
    asking = _asks_to_cancel(order)
    assert alerts.orders_changed([asking], T0 + timedelta(seconds=31)) == [Sound.NEW_ORDER]
    assert alerts.alerting == {order.order.id}
    # said once: the same request seen again does not ring again at once; it rings on the interval until opened
    assert alerts.orders_changed([asking], T0 + timedelta(seconds=32)) == []
    assert alerts.tick(T0 + timedelta(seconds=51)) == [Sound.NEW_ORDER]
    alerts.acknowledge(order.order.id)
    assert alerts.orders_changed([asking], T0 + timedelta(seconds=52)) == []
    assert alerts.alerting == frozenset()


def test_a_request_on_a_new_order_still_ringing_rings_at_once() -> None:
    alerts = Alerts(ring_every_s=20)
    order = _new(8)
    assert alerts.orders_changed([order], T0) == [Sound.NEW_ORDER]
    # 2 s later (the interval is 20 s) the customer asks to cancel: a ring now, not at the next interval
    assert alerts.orders_changed([_asks_to_cancel(order)], T0 + timedelta(seconds=2)) == [Sound.NEW_ORDER]
    assert alerts.alerting == {order.order.id}


def test_the_link_sound_says_why_it_rang() -> None:
    alerts = Alerts()
    disabled = LinkStatus(LinkState.UNAUTHORIZED, error=Unauthorized(status=401, code="user_disabled").i18n_message())
    alerts.link_changed(LinkStatus(LinkState.ONLINE), T0)
    assert alerts.link_changed(disabled, T0)[0] == [Sound.OFFLINE]
    assert alerts.link_sound_reason == "disabled" and alerts.disabled
    assert alerts.link_changed(LinkStatus(LinkState.ONLINE), T0)[0] == [Sound.BACK_ONLINE]
    assert alerts.link_sound_reason == "enabled_again" and not alerts.disabled
    revoked = LinkStatus(LinkState.UNAUTHORIZED, error=Unauthorized(status=401).i18n_message())
    assert alerts.link_changed(revoked, T0)[0] == [Sound.OFFLINE]
    assert alerts.link_sound_reason == "unauthorized"


# -- the console against the real platform ------------------------------------------------------------------------


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = platform.seed
    assert seed is not None
    return save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )


def _voice_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    program, log = fake_engine(tmp_path)
    monkeypatch.setenv("O2O_VOICE", "1")
    monkeypatch.setenv("O2O_VOICE_ENGINE", str(program))
    return log


def _console(profile: Profile, **engine_options: Any) -> CountingApp:
    from o2o_tui.sync.session import make_client, make_engine, open_cache
    from screens.engine_source import EngineOrderSource

    cache = open_cache(profile)
    client = make_client(profile, timeout=5.0)
    engine = make_engine(profile, cache, client, **engine_options)
    return CountingApp(EngineOrderSource(engine, cache, client, profile.store_id or ""), profile=profile)


async def test_the_voice_says_a_disabled_account_and_its_enabling_as_the_toast_does(
    platform: RunningPlatform, profile: Profile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    log = _voice_on(tmp_path, monkeypatch)
    seed = platform.seed
    assert seed is not None
    admin = Api(platform.url, seed.tokens["admin"])
    user = seed.user_ids["merchant"]
    app = _console(profile, poll_wait=0.5, backoff_cap=0.5, auth_backoff_base=0.3, auth_backoff_cap=2.0)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE)
            assert (await asyncio.to_thread(admin.post, f"/v1/users/{user}/disable", {})).status_code == 200
            await wait_until(pilot, lambda: any(t("voice.disabled") in line for line in spoken(log)))
            assert not any(t("voice.unauthorized") in line for line in spoken(log)), spoken(log)
            assert (await asyncio.to_thread(admin.post, f"/v1/users/{user}/enable", {})).status_code == 200
            await wait_until(pilot, lambda: any(t("voice.enabled_again") in line for line in spoken(log)))
    finally:
        admin.close()


async def test_a_request_on_a_new_order_rings_flashes_and_is_said_in_the_console(
    platform: RunningPlatform, profile: Profile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_language("en")
    log = _voice_on(tmp_path, monkeypatch)
    app = _console(profile, poll_wait=0.5, backoff_cap=0.5)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE)
            placed = await asyncio.to_thread(_place, platform)
            screen = app.orders_screen
            await wait_until(pilot, lambda: placed["id"] in screen.alerts.alerting)
            screen.acknowledge(placed["id"])  # someone opened it: it stops flashing
            await pilot.pause(0.3)
            bells = app.bells
            assert placed["id"] not in screen.queue.alerting

            customer = api(platform, "customer")
            try:
                path = f"/v1/orders/{placed['id']}/cancellation"
                answer = await asyncio.to_thread(customer.post, path, {"reason_code": "CUSTOMER_CHANGED_MIND"})
                assert answer.status_code in (200, 202), answer.text
            finally:
                customer.close()
            await wait_until(pilot, lambda: placed["id"] in screen.queue.alerting)  # it flashes again
            assert app.bells > bells  # and rang
            said = t("voice.cancel_request", number=placed["number"])
            await wait_until(pilot, lambda: any(said in line for line in spoken(log)))
            assert screen.queue.entry(placed["id"]).order.status is OrderStatus.CREATED  # type: ignore[union-attr]
    finally:
        set_language(None)
