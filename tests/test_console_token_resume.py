"""A running merchant console picks up a new login by itself: after `o2o admin rotate-token` it says LOG IN AGAIN;
`o2o login` with the new token (same profile, same account and platform) is taken within seconds, with no restart:
the console resumes syncing, sends what was queued meanwhile and says "Logged in again". Someone else's login saved
under the profile is not taken (the console says to restart it). The real platform on loopback, `o2o` in
subprocesses, the console driven by Textual's Pilot on a real cache in tmp_path; the token is never shown."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.client import PlatformClient
from o2o_tui.config import load_profile, save_profile
from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language, t
from screens import orders_screen
from screens.app import MerchantApp
from screens.launch import open_source
from screens.source import LinkState
from tests.support.platform import ROOT, RunningPlatform
from tests.test_cli_sync_service import admin
from tests.test_sync_engine import place_orders
from tests.test_ui_live import wait_until

WAIT_S = 40.0  # far more than a step needs (a refusal is heard within a poll, a new login read within 2 s)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def o2o(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`o2o ARGS` in its own process, as a person runs it beside the console (the token on stdin: `--token -`)."""
    env = {**os.environ, "O2O_HOME": str(home), "O2O_LANG": "en", "NO_COLOR": "1"}
    env.pop("O2O_PROFILE", None)
    env.pop("O2O_TOKEN", None)
    command = [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


def login(platform: RunningPlatform, home: Path, token: str) -> subprocess.CompletedProcess[str]:
    return o2o(home, "login", "--url", platform.url, "--token", "-", stdin=token + "\n")


def order_status(platform: RunningPlatform, order_id: str) -> OrderStatus:
    assert platform.seed is not None
    with PlatformClient(platform.url, platform.seed.tokens["dispatcher"]) as dispatcher:
        return dispatcher.get_order(order_id).status


async def _refused_with_an_accept_queued(
    app: MerchantApp, pilot: object, platform: RunningPlatform, tmp_path: Path, said: list[str]
) -> tuple[str, str]:
    """The console online, the merchant's token rotated (LOG IN AGAIN said), an accept queued meanwhile.
    Returns (the order's id, the new token)."""
    seed = platform.seed
    assert seed is not None
    await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE, WAIT_S)  # type: ignore[arg-type]
    [order_id] = await asyncio.to_thread(place_orders, platform.url, seed, 1)
    await wait_until(pilot, lambda: app.source.order(order_id) is not None, WAIT_S)  # type: ignore[arg-type]
    rotated = await asyncio.to_thread(admin, platform, tmp_path, "rotate-token", seed.user_ids["merchant"], "--json")
    fresh = json.loads(rotated.stdout)["token"]
    await wait_until(pilot, lambda: app.source.link().state is LinkState.UNAUTHORIZED, WAIT_S)  # type: ignore[arg-type]
    await wait_until(pilot, lambda: t("sync.unauthorized") in said, WAIT_S)  # type: ignore[arg-type]
    assert app.orders_screen.alerts.offline_banner == t("alerts.unauthorized_banner")
    entry = app.source.order(order_id)
    assert entry is not None
    app.orders_screen.queue.select(order_id)
    app.actions.accept(entry)
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]  # the store's default minutes: queued
    await wait_until(pilot, lambda: app.source.link().pending == 1, WAIT_S)  # type: ignore[arg-type]
    await asyncio.sleep(3)  # longer than the console's 2 s look at the profile: nothing new is there yet
    assert app.source.link().state is LinkState.UNAUTHORIZED
    assert await asyncio.to_thread(order_status, platform, order_id) is OrderStatus.CREATED
    return order_id, fresh


def _console(platform: RunningPlatform, home: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[MerchantApp, list[str]]:
    assert platform.seed is not None
    monkeypatch.setenv("O2O_HOME", str(home))
    monkeypatch.delenv("O2O_PROFILE", raising=False)
    monkeypatch.setattr(orders_screen, "MOVED_GUARD_S", 0.0)  # the select below stands for a person's move
    done = login(platform, home, platform.seed.tokens["merchant"])
    assert done.returncode == 0, done.stderr
    profile = load_profile()
    app = MerchantApp(open_source(profile), profile=profile)
    said: list[str] = []
    app.say = lambda message, **_: said.append(message)  # type: ignore[method-assign]
    return app, said


async def test_a_new_login_of_the_same_account_resumes_the_running_console_and_sends_the_queue(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    app, said = _console(platform, home, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        order_id, fresh = await _refused_with_an_accept_queued(app, pilot, platform, tmp_path, said)
        done = await asyncio.to_thread(login, platform, home, fresh)  # `o2o login` beside the running console
        assert done.returncode == 0, done.stderr
        await wait_until(pilot, lambda: t("ui.link.logged_in_again") in said, WAIT_S)
        await wait_until(pilot, lambda: app.source.link().pending == 0, WAIT_S)
        assert app.source.link().state is LinkState.ONLINE
        assert await asyncio.to_thread(order_status, platform, order_id) is OrderStatus.CONFIRMED
        assert app.orders_screen.alerts.offline_banner is None
        assert said.count(t("ui.link.logged_in_again")) == 1, said
        assert t("ui.link.other_login") not in said
        text = "\n".join(said)
        assert fresh not in text and platform.seed is not None and platform.seed.tokens["merchant"] not in text


async def test_another_accounts_login_on_the_profile_is_not_taken(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = platform.seed
    assert seed is not None
    home = tmp_path / "home"
    app, said = _console(platform, home, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        order_id, _ = await _refused_with_an_accept_queued(app, pilot, platform, tmp_path, said)
        # `o2o login` as another user of the store is refused while the queue holds this account's accept
        refused = await asyncio.to_thread(login, platform, home, seed.tokens["dispatcher"])
        assert refused.returncode != 0 and "o2o_tui" not in refused.stderr, refused.stderr
        # the profile file changed to another account anyway (edited by hand): the console does not take it
        merchant = load_profile()
        save_profile(
            merchant.name,
            url=merchant.url,
            token=seed.tokens["dispatcher"],
            role="dispatcher",
            user_id=seed.user_ids["dispatcher"],
            store_id=merchant.store_id,
            platform_id=merchant.platform_id,
        )
        await wait_until(pilot, lambda: t("ui.link.other_login") in said, WAIT_S)
        await asyncio.sleep(3)
        assert app.source.link().state is LinkState.UNAUTHORIZED and app.source.link().pending == 1
        assert await asyncio.to_thread(order_status, platform, order_id) is OrderStatus.CREATED
        assert t("ui.link.logged_in_again") not in said
        assert said.count(t("ui.link.other_login")) == 1, said


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_refusal_says_the_console_resumes_after_o2o_login(lang: str) -> None:
    set_language(lang)
    resumes = {"en": "resume", "zh": "自动恢复"}[lang]
    for key in ("alerts.unauthorized_banner", "ui.link.unauthorized_hint", "status_line.unauthorized_hint_short"):
        text = t(key)
        assert "o2o login" in text and resumes in text, (key, text)
        assert "restart" not in text and "重新启动" not in text and "重启" not in text, (key, text)
    assert t("ui.link.logged_in_again") != "ui.link.logged_in_again"
    assert "重新启动" in t("ui.link.other_login") or "Restart" in t("ui.link.other_login")
