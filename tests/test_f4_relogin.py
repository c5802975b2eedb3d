"""A running console or handheld takes a new `o2o login` of its account without a restart, also when it was saved
at the platform's other server (same platform id: one database, one secret) and also without the offline cache
(`o2o console --no-cache`): the queue then goes to the new server, once. The real platform on loopback (two
server processes on one SQLite file, one after the other), `o2o login` in subprocesses, real caches in tmp_path."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.config import load_profile, save_profile
from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language, t
from screens.app import MerchantApp
from screens.launch import open_source
from screens.source import LinkState
from tests.support.platform import RunningPlatform
from tests.test_cli_sync_service import admin
from tests.test_console_token_resume import (
    WAIT_S,
    _console,
    _refused_with_an_accept_queued,
    o2o,
    order_status,
)
from tests.test_sync_engine import place_orders
from tests.test_ui_live import wait_until


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def login_at(url: str, home: Path, token: str) -> None:
    done = o2o(home, "login", "--url", url, "--token", "-", stdin=token + "\n")
    assert done.returncode == 0, done.stderr


def other_server(
    platform: RunningPlatform, tmp_path: Path, request: pytest.FixtureRequest
) -> RunningPlatform:
    """The platform's other server (its database and secret) named another way: 127.0.0.1, not localhost."""
    second = platform.another_process(tmp_path / "second.log")
    request.addfinalizer(second.stop)
    return second


async def test_a_new_login_at_the_platforms_other_server_moves_the_console_and_sends_the_queue_there(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    home = tmp_path / "home"
    app, said = _console(platform, home, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        order_id, fresh = await _refused_with_an_accept_queued(app, pilot, platform, tmp_path, said)
        await asyncio.to_thread(
            platform.stop
        )  # the first server goes: only the other one can take the accept
        second = await asyncio.to_thread(other_server, platform, tmp_path, request)
        await asyncio.to_thread(login_at, f"http://localhost:{second.port}", home, fresh)
        assert load_profile().platform_id and load_profile().url != platform.url
        await wait_until(pilot, lambda: t("ui.link.logged_in_again") in said, WAIT_S)
        await wait_until(pilot, lambda: app.source.link().pending == 0, WAIT_S)
        assert app.source.link().state is LinkState.ONLINE
        assert await asyncio.to_thread(order_status, second, order_id) is OrderStatus.CONFIRMED
        assert t("ui.link.other_login") not in said and said.count(t("ui.link.logged_in_again")) == 1


async def test_an_offline_console_moves_to_the_other_server_the_person_logs_in_at(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    seed = platform.seed
    assert seed is not None
    home = tmp_path / "home"
    app, said = _console(platform, home, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE, WAIT_S)
        [order_id] = await asyncio.to_thread(place_orders, platform.url, seed, 1)
        await wait_until(pilot, lambda: app.source.order(order_id) is not None, WAIT_S)
        await asyncio.to_thread(platform.stop)  # its server is gone: OFFLINE, the accept waits
        await wait_until(pilot, lambda: app.source.link().state is LinkState.OFFLINE, WAIT_S)
        entry = app.source.order(order_id)
        assert entry is not None
        app.orders_screen.queue.select(order_id)
        app.actions.accept(entry)
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.source.link().pending == 1, WAIT_S)
        second = await asyncio.to_thread(other_server, platform, tmp_path, request)
        await asyncio.to_thread(login_at, f"http://localhost:{second.port}", home, seed.tokens["merchant"])
        await wait_until(pilot, lambda: app.source.link().pending == 0, WAIT_S)
        await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE, WAIT_S)
        assert await asyncio.to_thread(order_status, second, order_id) is OrderStatus.CONFIRMED
        assert app.source._engine._client.base_url.startswith(f"http://localhost:{second.port}")  # type: ignore[attr-defined]


async def test_a_console_without_the_cache_takes_a_new_login_without_a_restart(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = platform.seed
    assert seed is not None
    home = tmp_path / "home"
    monkeypatch.setenv("O2O_HOME", str(home))
    monkeypatch.delenv("O2O_PROFILE", raising=False)
    login_at(platform.url, home, seed.tokens["merchant"])
    profile = load_profile()
    app = MerchantApp(open_source(profile, offline_cache=False), profile=profile)
    said: list[str] = []
    app.say = lambda message, **_: said.append(message)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE, WAIT_S)
        rotated = await asyncio.to_thread(
            admin, platform, tmp_path, "rotate-token", seed.user_ids["merchant"], "--json"
        )
        fresh = json.loads(rotated.stdout)["token"]
        await wait_until(pilot, lambda: app.source.link().state is LinkState.UNAUTHORIZED, WAIT_S)
        await asyncio.to_thread(login_at, platform.url, home, fresh)
        # within a few seconds (the refused source alone asks again only after 30 s)
        await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE, 15.0)
        await wait_until(pilot, lambda: t("ui.link.logged_in_again_no_cache") in said, WAIT_S)
        [order_id] = await asyncio.to_thread(place_orders, platform.url, seed, 1)
        await wait_until(pilot, lambda: app.source.order(order_id) is not None, WAIT_S)


async def test_the_handheld_takes_a_login_saved_at_the_platforms_other_server(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    from screens import courier_source
    from screens.courier_launch import open_courier_source
    from tests.test_ui_courier_relogin_queued import _rotate_courier_token

    seed = platform.seed
    assert seed is not None
    home = tmp_path / "home"
    monkeypatch.setenv("O2O_HOME", str(home))
    monkeypatch.setattr(courier_source, "LOGIN_CHECK_S", 0.2)
    courier_id = seed.courier_ids[0]
    login_at(platform.url, home, seed.courier_tokens[courier_id])
    profile = load_profile()
    assert profile.platform_id and profile.courier_id == courier_id
    source = open_courier_source(profile)
    task = asyncio.create_task(source.run())
    try:
        await _until(lambda: source.link().state is LinkState.ONLINE)
        fresh = await asyncio.to_thread(_rotate_courier_token, platform)
        await _until(lambda: source.link().state is LinkState.UNAUTHORIZED)
        await asyncio.to_thread(platform.stop)
        second = await asyncio.to_thread(other_server, platform, tmp_path, request)
        await asyncio.to_thread(login_at, f"http://localhost:{second.port}", home, fresh)
        await _until(lambda: source.link().state is LinkState.ONLINE)
        assert source._client.base_url.startswith(f"http://localhost:{second.port}")
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await source.close()


async def _until(condition: object, seconds: float = WAIT_S) -> None:
    for _ in range(int(seconds / 0.1)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


def test_someone_elses_login_is_still_not_the_same_account(platform: RunningPlatform, tmp_path: Path) -> None:
    from o2o_tui.config import saved_login

    seed = platform.seed
    assert seed is not None
    home = tmp_path / "home"
    import os

    os.environ["O2O_HOME"] = str(home)
    try:
        login_at(platform.url, home, seed.tokens["merchant"])
        merchant = load_profile()
        moved = save_profile(
            merchant.name,
            url=f"http://localhost:{platform.port}",
            token=merchant.token,
            role="merchant",
            user_id=merchant.user_id,
            store_id=merchant.store_id,
            platform_id=merchant.platform_id,
        )
        assert saved_login(merchant) == (moved, False)  # the same token at another address: it moves
        save_profile(
            merchant.name,
            url=platform.url,
            token=seed.tokens["dispatcher"],
            role="dispatcher",
            user_id=seed.user_ids["dispatcher"],
            store_id=merchant.store_id,
            platform_id=merchant.platform_id,
        )
        assert saved_login(merchant) == (None, True)
    finally:
        os.environ.pop("O2O_HOME", None)
