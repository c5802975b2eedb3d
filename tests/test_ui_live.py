"""The merchant console against the real platform: the sync engine, a real cache in tmp_path, loopback HTTP."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
import pytest
from textual.pilot import Pilot

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from o2o_tui.sync.session import make_client, make_engine, open_cache
from screens.app import MerchantApp
from screens.engine_source import EngineOrderSource
from screens.launch import open_source
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api, order_body

HOSTILE_NAME = "[/] [@click=app.quit]x[/]"
HOSTILE_NOTE = "\x1b]0;pwned\x07 \x1b]52;c;ZXZpbA==\x07 [b]note"


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


class CountingApp(MerchantApp):
    bells = 0

    def bell(self) -> None:
        self.bells += 1


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Let the app run until `condition()` holds (a wait, not a timing assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not reached"
        await pilot.pause(0.05)


def _numbers(app: MerchantApp) -> list[int]:
    return [row.entry.order.number for row in app.orders_screen.queue.row_views()]


def _place(platform: RunningPlatform, **overrides: object) -> dict:
    assert platform.seed is not None
    customer = api(platform, "customer")
    try:
        answer = customer.post("/v1/orders", order_body(platform.seed.store_id, **overrides))
        assert answer.status_code == 201, answer.text
        return answer.json()
    finally:
        customer.close()


def _server_order(platform: RunningPlatform, order_id: str) -> dict:
    admin = api(platform, "admin")
    try:
        return admin.get(f"/v1/orders/{order_id}").json()
    finally:
        admin.close()


async def test_new_order_appears_and_rings_then_accept_with_default(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = CountingApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        placed = await asyncio.to_thread(_place, platform)
        await wait_until(pilot, lambda: placed["number"] in _numbers(app))
        assert app.bells >= 1
        row = next(r for r in app.orders_screen.queue.row_views() if r.entry.order.id == placed["id"])
        assert row.has_class("-alert")
        app.orders_screen.queue.select(placed["id"])
        await pilot.press("a")
        await pilot.press("enter")  # the store default preparation time

        def confirmed() -> bool:
            return _server_order(platform, placed["id"])["status"] == "CONFIRMED"

        await wait_until(pilot, confirmed)
        server_copy = await asyncio.to_thread(_server_order, platform, placed["id"])
        assert server_copy["preparation_minutes"] == app.source.store().default_prep_minutes
        await wait_until(pilot, lambda: not row.entry.pending and row.entry.order.status.value == "CONFIRMED")
        assert not row.has_class("-alert")


async def test_untrusted_text_from_the_platform_stays_plain(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = CountingApp(open_source(profile))
    async with app.run_test(size=(120, 40)) as pilot:
        placed = await asyncio.to_thread(_place, platform, customer_name=HOSTILE_NAME, note=HOSTILE_NOTE)
        await wait_until(pilot, lambda: placed["number"] in _numbers(app))
        app.orders_screen.queue.select(placed["id"])
        await pilot.press("enter")
        await pilot.pause()
        strips = app.screen._compositor.render_strips()
        text = "\n".join("".join(segment.text for segment in strip) for strip in strips)
        assert HOSTILE_NAME in text
        assert "[b]note" in text
        assert "\x1b" not in text and "\x07" not in text
        assert app.is_running


class RecordingApp(CountingApp):
    said: list[str]

    def say(self, message: str, *, severity: str = "information", timeout: float = 5) -> None:
        self.said = [*getattr(self, "said", []), message]
        super().say(message, severity=severity, timeout=timeout)


async def test_offline_accept_refused_after_the_customer_cancelled(
    platform: RunningPlatform, profile: Profile
) -> None:
    """The link drops; the merchant accepts (queued); the customer cancels meanwhile; the link returns: the
    accept is refused, the merchant is told why, and the order leaves the queue (the server's truth)."""
    placed = await asyncio.to_thread(_place, platform)
    with FaultProxy(platform.port) as proxy:
        via_proxy = msgspec.structs.replace(profile, url=f"http://127.0.0.1:{proxy.port}")
        cache = open_cache(via_proxy)
        client = make_client(via_proxy, timeout=2.0)
        engine = make_engine(via_proxy, cache, client, poll_wait=0.5, backoff_cap=0.5)
        app = RecordingApp(EngineOrderSource(engine, cache, client, via_proxy.store_id or ""))
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: placed["number"] in _numbers(app))
            proxy.drop()
            await wait_until(pilot, lambda: app.source.link().state.value == "OFFLINE")
            # the source knows first; the counter hears of it on its next look at the link
            await wait_until(pilot, lambda: any("cannot arrive" in m for m in getattr(app, "said", [])))
            assert app.bells >= 2  # the offline alert: two rings (the new order rang once before)

            customer = api(platform, "customer")
            cancel = await asyncio.to_thread(
                customer.post, f"/v1/orders/{placed['id']}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"}
            )
            customer.close()
            assert cancel.status_code == 200, cancel.text

            app.orders_screen.queue.select(placed["id"])
            await pilot.press("a", "enter")
            await wait_until(pilot, lambda: app.source.link().pending == 1)
            row = next(r for r in app.orders_screen.queue.row_views() if r.entry.order.id == placed["id"])
            assert row.entry.pending == ("order.confirm",) and row.has_class("-pending")

            proxy.pass_through()
            await wait_until(pilot, lambda: placed["number"] not in _numbers(app))
            await wait_until(pilot, lambda: any("cancelled by the customer" in m for m in app.said))
            assert app.source.link().conflicts == 1
            assert (await asyncio.to_thread(_server_order, platform, placed["id"]))["status"] == "CANCELLED"


async def test_client_source_follows_the_platform_and_goes_offline(
    platform: RunningPlatform, profile: Profile
) -> None:
    """The fallback source (no offline cache): sees new orders, acts, and reports OFFLINE when the link drops."""
    from o2o_tui.client import AsyncPlatformClient
    from o2o_tui.domain.requests import ConfirmBody
    from screens.client_source import ClientOrderSource
    from screens.source import ActionRefused

    assert profile.store_id is not None
    source = ClientOrderSource(
        AsyncPlatformClient(profile.url, profile.token, timeout=2.0), profile.store_id, poll_wait=0.5
    )
    changes: list[object] = []
    source.subscribe(changes.append)
    runner = asyncio.create_task(source.run())
    loop = asyncio.get_running_loop()

    async def until(condition: Callable[[], bool]) -> None:
        deadline = loop.time() + 20
        while not condition():
            assert loop.time() < deadline, "condition not reached"
            await asyncio.sleep(0.05)

    try:
        await until(lambda: source.link().state.value == "ONLINE")
        placed = await asyncio.to_thread(_place, platform)
        await until(lambda: source.order(placed["id"]) is not None)
        await source.submit("order.confirm", placed["id"], ConfirmBody(preparation_minutes=12))
        assert source.order(placed["id"]).order.status.value == "CONFIRMED"
        try:
            await source.submit("order.confirm", "no-such-order", ConfirmBody(preparation_minutes=12))
        except ActionRefused as refused:
            assert refused.message
        else:
            raise AssertionError("an unknown order must be refused")
        await asyncio.to_thread(platform.stop)
        await until(lambda: source.link().state.value == "OFFLINE")
        assert source.link().error
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        await source.close()


async def test_a_corrupt_cache_is_set_aside_said_once_and_rebuilt(
    platform: RunningPlatform, profile: Profile
) -> None:
    from o2o_tui.config import profile_cache_dir

    placed = await asyncio.to_thread(_place, platform)
    directory = profile_cache_dir(profile)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "cache-v1.json").write_text('{"orders": {"1": {"id": "x"', encoding="utf-8")  # torn write
    app = RecordingApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: placed["number"] in _numbers(app))
        # said once the counter reads the source's message (a Say posted after the rows are drawn)
        await wait_until(pilot, lambda: any("was moved to" in m for m in getattr(app, "said", [])))
    assert list(directory.glob("cache-v1.json.corrupt-*")), "the damaged file is kept for a person to look at"


async def test_a_bad_cached_order_is_left_out_and_said_once(
    platform: RunningPlatform, profile: Profile, tmp_path: Path
) -> None:
    """The counter follows the one rule for a cached copy that no longer reads: left out, said once, refetched."""
    from o2o_tui.sync import tables
    from tests.test_sync_bad_entities import corrupt_cached

    first = await asyncio.to_thread(_place, platform)
    second = await asyncio.to_thread(_place, platform)
    app = RecordingApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:  # a first run fills the cache
        await wait_until(pilot, lambda: {first["number"], second["number"]} <= set(_numbers(app)))
    corrupt_cached(tmp_path / "home", tables.ORDERS, first["id"])

    app = RecordingApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: any("Left out the cached order" in m for m in getattr(app, "said", [])))
        assert second["number"] in _numbers(app)
        await wait_until(pilot, lambda: first["number"] in _numbers(app))  # fetched again from the platform
        assert sum("Left out" in m for m in app.said) == 1
