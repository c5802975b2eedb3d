"""A merchant whose account an admin disabled (`o2o admin disable-user`: 401 `user_disabled`), on the merchant
console: the top banner, its short form and the toast say the account is disabled and to ask the store or the
administrator (logging in again cannot help), in English and in Chinese; a refused (bad or revoked) token still says
log in again. Once the account is enabled again (`o2o admin enable-user`) the console comes back by itself at its
next poll, which is not pushed out by the slow backoff of a refused token (up to 10 minutes): the banner goes and
a toast says so. The sync engine's console and the `--no-cache` client-backed one, against the real platform."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from o2o_tui.client import AsyncPlatformClient
from o2o_tui.client.errors import Unauthorized, says_disabled
from o2o_tui.config import save_profile
from o2o_tui.i18n import set_language, t
from o2o_tui.sync.engine import SyncEngine
from screens.alerts import Alerts, Sound
from screens.source import LinkState, LinkStatus
from tests.support.platform import Api, RunningPlatform
from tests.test_ui_samples import FROZEN_NOW


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _disabled() -> LinkStatus:
    """The link as the sync engine gives it for a 401 `user_disabled` (its last error is that refusal's words)."""
    return LinkStatus(LinkState.UNAUTHORIZED, error=Unauthorized(status=401, code="user_disabled").i18n_message())


def _revoked() -> LinkStatus:
    return LinkStatus(LinkState.UNAUTHORIZED, error=Unauthorized(status=401).i18n_message())


def test_a_disabled_account_is_told_to_ask_the_store_not_to_log_in_again(lang: str) -> None:
    alerts = Alerts()
    alerts.link_changed(LinkStatus(LinkState.ONLINE), FROZEN_NOW)
    sounds, toast = alerts.link_changed(_disabled(), FROZEN_NOW)
    assert sounds == [Sound.OFFLINE]  # nothing syncs: as loud as a refused token
    assert toast == t("alerts.disabled_toast")
    assert alerts.banner(80) == t("alerts.disabled_banner")  # the sentence fits a standard terminal
    assert alerts.banner(40) == t("alerts.disabled_short")  # its short form fits a narrow one
    for said in (toast, alerts.banner(80), alerts.banner(40)):
        assert said is not None
        assert t("alerts.unauthorized_short") not in said and t("sync.unauthorized") != said
        assert ("admin" in said) if lang == "en" else ("管理员" in said), said
    # polled again while still disabled: said once, not at every refusal
    assert alerts.link_changed(_disabled(), FROZEN_NOW) == ([], None)

    # enabled again: the banner goes, and the return is said (the refusal rang as loud as an outage)
    sounds, toast = alerts.link_changed(LinkStatus(LinkState.ONLINE), FROZEN_NOW)
    assert sounds == [Sound.BACK_ONLINE] and toast == t("alerts.enabled_again")
    assert alerts.banner(80) is None


def test_a_refused_token_still_says_log_in_again(lang: str) -> None:
    from textual.content import Content

    from o2o_tui.command_marks import plain_text
    from screens.command_toasts import toast_text

    def says_log_in_again(toast: str | None) -> bool:
        """The toast as a person sees it: the sentence with `o2o login` bold, its backticks dropped."""
        assert toast is not None
        text, markup = toast_text(toast)
        shown = Content.from_markup(text) if markup else Content(text)
        bold = [shown.plain[span.start : span.end] for span in shown.spans if str(span.style) == "bold"]
        return shown.plain == plain_text(t("sync.unauthorized")) and "`" not in shown.plain and bold == ["o2o login"]

    alerts = Alerts()
    sounds, toast = alerts.link_changed(_revoked(), FROZEN_NOW)
    assert sounds == [Sound.OFFLINE] and says_log_in_again(toast)
    assert alerts.banner(80) == t("alerts.unauthorized_banner")
    assert alerts.banner(30) == t("alerts.unauthorized_short")
    # disabled meanwhile (the token was refused already): the new reason is said, without a second alarm
    sounds, toast = alerts.link_changed(_disabled(), FROZEN_NOW)
    assert sounds == [] and toast == t("alerts.disabled_toast")
    assert alerts.banner(80) == t("alerts.disabled_banner")
    # a token refused since (revoked while disabled): log in again, said once
    sounds, toast = alerts.link_changed(_revoked(), FROZEN_NOW)
    assert sounds == [] and says_log_in_again(toast)
    assert alerts.banner(80) == t("alerts.unauthorized_banner")
    assert alerts.link_changed(LinkStatus(LinkState.ONLINE), FROZEN_NOW) == ([], None)  # a new login: no "enabled"


def test_the_disabled_banner_keeps_its_short_form_through_a_resync() -> None:
    set_language("en")
    try:
        alerts = Alerts()
        alerts.link_changed(_disabled(), FROZEN_NOW)
        alerts.link_changed(LinkStatus(LinkState.RESYNCING), FROZEN_NOW)
        assert alerts.banner(40) == t("alerts.disabled_short")
        _, toast = alerts.link_changed(LinkStatus(LinkState.ONLINE), FROZEN_NOW)
        assert toast == t("alerts.enabled_again")
    finally:
        set_language(None)


def test_a_disabled_accounts_refusals_are_asked_again_at_the_base_pace_not_the_growing_one(tmp_path: Path) -> None:
    """A refused token's retries slow down to 10 minutes (it rarely heals by itself); a disabled account heals
    when an admin enables it: it is asked again every `auth_backoff_base` s at most."""
    from o2o_tui.domain.identity import Role
    from o2o_tui.sync.backoff import Backoff
    from o2o_tui.sync.engine import SyncSettings
    from o2o_tui.sync.scope import Scope
    from offline_cache import open_profile_cache

    settings = SyncSettings(auth_backoff_base=30.0, auth_backoff_cap=600.0)
    with open_profile_cache(tmp_path / "profile") as cache:  # the delays use neither the cache nor the client
        client = AsyncPlatformClient("http://127.0.0.1:9", "token")
        engine = SyncEngine(client, cache, scope=Scope(Role.MERCHANT, store_id="s"), settings=settings)
        pull = Backoff(0.2, 30.0)
        disabled = [engine._fault_delay(Unauthorized(status=401, code="user_disabled"), pull) for _ in range(12)]
        assert max(disabled) <= 30.0, disabled
        revoked = [engine._fault_delay(Unauthorized(status=401), pull) for _ in range(12)]
        assert max(revoked) > 30.0, revoked  # a refused token still backs off (to 10 minutes)


# -- the console against the real platform -------------------------------------------------------------------


async def _until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await pilot.pause(0.05)


@pytest.mark.parametrize(
    ("lang", "simple"),
    [
        pytest.param("en", False, id="en-queue"),
        pytest.param("zh", True, id="zh-simple"),
        # the same screens in the other language: `python -m bench deep`
        pytest.param("en", True, id="en-simple", marks=pytest.mark.deep),
        pytest.param("zh", False, id="zh-queue", marks=pytest.mark.deep),
    ],
    indirect=["lang"],
)
async def test_the_console_of_a_disabled_merchant_says_so_and_comes_back_when_enabled(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, simple: bool
) -> None:
    from o2o_tui.sync.session import make_client, make_engine, open_cache
    from screens.app import MerchantApp
    from screens.engine_source import EngineOrderSource

    seed = platform.seed
    assert seed is not None
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    profile = save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    cache = open_cache(profile)
    client = make_client(profile, timeout=5.0)
    # the console's engine, with its backoffs scaled down: a fault's from 30 s to 0.5 s at most, a refused token's
    # from 30 s .. 10 min to 0.3 s .. 20 s
    engine = make_engine(profile, cache, client, backoff_cap=0.5, auth_backoff_base=0.3, auth_backoff_cap=20.0)
    said: list[str] = []
    console = MerchantApp(EngineOrderSource(engine, cache, client, seed.store_id), simple=simple)
    console.say = lambda message, **_: said.append(message)  # type: ignore[method-assign]
    admin = Api(platform.url, seed.tokens["admin"])
    user = seed.user_ids["merchant"]
    async with console.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: console.source.link().state is LinkState.ONLINE)
        banner = console.screen.query_one("#simple-banner" if simple else "#banner", Static)
        assert not banner.display

        assert admin.post(f"/v1/users/{user}/disable", {}).status_code == 200
        await _until(pilot, lambda: console.source.link().state is LinkState.UNAUTHORIZED)
        assert says_disabled(console.source.link().error)
        await _until(pilot, lambda: t("alerts.disabled_toast") in said)
        await _until(pilot, lambda: banner.display and str(banner.render()) == t("alerts.disabled_banner"))
        assert not any(t("alerts.unauthorized_banner") in message or message == t("sync.unauthorized") for message in said)
        if simple:  # the simple screen's link word: not "signed out"
            link_word = console.screen.query_one("#simple-link", Static)
            await _until(pilot, lambda: str(link_word.render()) == t("simple.link.disabled"))

        await asyncio.sleep(6.0)  # refused again and again: a refused token's backoff would grow past 10 s by now
        assert admin.post(f"/v1/users/{user}/enable", {}).status_code == 200
        # back at its next ask (every 0.5 s at most here): not after the grown backoff
        await _until(pilot, lambda: console.source.link().state is LinkState.ONLINE, timeout=4.0)
        await _until(pilot, lambda: not banner.display)
        await _until(pilot, lambda: t("alerts.enabled_again") in said)


async def test_the_console_without_a_cache_keeps_the_disabled_reason(
    platform: RunningPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`o2o console --no-cache` (the client-backed source) kept only "log in again" for any 401: it now keeps the
    refusal's own words, so the status bar and the banner say the account is disabled; enabled, it comes back."""
    import screens.client_source as client_source
    from screens.client_source import ClientOrderSource

    monkeypatch.setattr(client_source, "_MAX_BACKOFF_S", 0.2)  # a refusal is asked again every 30 s: 0.2 s here
    set_language("en")
    seed = platform.seed
    assert seed is not None
    admin = Api(platform.url, seed.tokens["admin"])
    user = seed.user_ids["merchant"]
    source = ClientOrderSource(AsyncPlatformClient(platform.url, seed.tokens["merchant"]), seed.store_id, poll_wait=0.5)
    links: list[LinkStatus] = []
    source.subscribe(lambda change: links.append(source.link()) if change.link else None)
    task = asyncio.create_task(source.run())

    async def until(condition: Callable[[], bool]) -> None:
        deadline = asyncio.get_running_loop().time() + 10
        while not condition():
            assert not task.done(), task
            assert asyncio.get_running_loop().time() < deadline, source.link()
            await asyncio.sleep(0.05)

    try:
        await until(lambda: source.link().state is LinkState.ONLINE)
        assert admin.post(f"/v1/users/{user}/disable", {}).status_code == 200
        await until(lambda: source.link().state is LinkState.UNAUTHORIZED)
        assert says_disabled(source.link().error), source.link()
        alerts = Alerts()
        alerts.link_changed(links[-1], FROZEN_NOW)  # what the console's screen is told
        assert alerts.banner(80) == t("alerts.disabled_banner")
        assert admin.post(f"/v1/users/{user}/enable", {}).status_code == 200
        await until(lambda: source.link().state is LinkState.ONLINE)
    finally:
        set_language(None)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await source.close()
