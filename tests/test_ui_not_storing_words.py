"""NOT SAVING (the platform answers but its storage refuses writes) has its own words wherever an action is said
queued: not "sent when the link is back" (that is OFFLINE's), but that the platform cannot store changes right now
and the action is retried. Against the real platform on a real full disk (a 3 MB tmpfs) and a real cache for the
console's accept; the menu publish's and the redeem field's words from their own functions; and the status line,
whose double-width characters a toast over it broke into blanks until something else redrew it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from o2o_tui.config import load_profile
from o2o_tui.i18n import set_language, t
from o2o_tui.redeem import CodeKind, Redemption, queued_text
from screens.app import MerchantApp
from screens.launch import open_source
from screens.memory_source import MemoryOrderSource
from screens.menu_publish import MenuPublishScreen, PublishAnswer
from screens.order_actions import queued_key
from screens.redeem_screen import _queued_words
from screens.source import LinkState, LinkStatus
from screens.widgets.status_bar import StatusBar
from tests.support.platform import start_platform
from tests.test_cli_orders import Cli
from tests.test_server_full_disk import _fill, _small_disk
from tests.test_sync_engine import place_orders
from tests.test_ui_live import wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_store


@pytest.fixture(params=["en", "zh"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _toasts(app: App[object]) -> list[str]:
    """What the toasts up now say, without the breaks a toast puts in (between Chinese characters too)."""
    return ["".join(str(n.message).split()) for n in app._notifications]


async def test_an_accept_on_a_platform_that_cannot_store_says_so_not_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _small_disk(tmp_path / "disk") as disk:
        running = start_platform(tmp_path / "platform", db_url=f"sqlite:///{disk / 'platform.sqlite3'}")
        try:
            assert running.seed is not None
            monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
            cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
            cli("login", "--url", running.url, "--token", cli.token)
            await asyncio.to_thread(place_orders, running.url, running.seed, 1)
            await asyncio.to_thread(cli, "sync", "--once")
            filler = _fill(disk)
            set_language("zh")
            app = MerchantApp(open_source(load_profile()))
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_until(pilot, lambda: len(app.source.orders()) == 1)
                number = app.source.orders()[0].order.display_number
                await pilot.press("a")
                await pilot.pause(0.3)
                await pilot.press("enter")
                await wait_until(pilot, lambda: app.source.link().state is LinkState.NOT_STORING)
                label = t("ui.action.confirm")
                said = "".join(t("ui.action.queued_not_storing", number=number, action=label).split())
                seen: set[str] = set()

                def said_so() -> bool:  # every toast seen (a toast goes after a few seconds)
                    seen.update(_toasts(app))
                    return said in seen

                try:
                    await wait_until(pilot, said_so, timeout=15)
                except AssertionError:
                    raise AssertionError((said, seen)) from None
                offline = "".join(t("ui.action.queued", number=number, action=label).split())
                assert offline not in seen, seen
            filler.unlink()
        finally:
            set_language(None)
            running.stop()


@pytest.mark.parametrize(
    ("state", "key"),
    [
        (LinkState.ONLINE, "ui.action.sent"),
        (LinkState.RESYNCING, "ui.action.sent"),
        (LinkState.OFFLINE, "ui.action.queued"),
        (LinkState.CONNECTING, "ui.action.queued"),
        (LinkState.NOT_STORING, "ui.action.queued_not_storing"),
    ],
)
def test_the_queued_words_follow_the_link(state: LinkState, key: str) -> None:
    assert queued_key(MemoryOrderSource(link=LinkStatus(state))) == key


def test_the_menu_publish_and_the_redeem_field_say_it_in_both_languages(language: str) -> None:
    queued = PublishAnswer("queued", message=t("sync.error.not_storing"), not_storing=True)
    said = MenuPublishScreen._queued_text(queued, queued.message or "")
    assert said == t("menu_publish.queued_not_storing") and said != t("menu_publish.queued")
    offline = MenuPublishScreen._queued_text(PublishAnswer("queued", message="x"), "x")
    assert offline == t("menu_publish.queued") + " (x)"  # OFFLINE keeps its words
    not_storing = MemoryOrderSource(link=LinkStatus(LinkState.NOT_STORING))
    down = MemoryOrderSource(link=LinkStatus(LinkState.OFFLINE))
    voucher = Redemption(CodeKind.VOUCHER, "12345678", "store.redeem", "store-1")
    pickup = Redemption(CodeKind.PICKUP, "123456", "order.handoff", "o-1", number="#0001")
    assert _queued_words(not_storing, pickup) == t("voucher.result.queued_pickup_not_storing", number="#0001")
    assert _queued_words(down, pickup) == queued_text(pickup)
    assert _queued_words(not_storing, voucher) == t("voucher.result.queued_voucher_not_storing")
    assert _queued_words(down, voucher) == queued_text(voucher)
    for text in (said, t("ui.action.queued_not_storing", number="#0001", action="x")):
        assert text not in (t("ui.action.queued", number="#0001", action="x"), "")


class _Line(App[None]):
    CSS = "#body { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield Static("body", id="body")
        yield StatusBar(id="status")
        yield Static("footer")  # as the console's keys: a toast lies over the status line

    def on_mount(self) -> None:
        link = LinkStatus(LinkState.NOT_STORING, pending=1, last_sync_at=FROZEN_NOW)
        self.query_one(StatusBar).show(link, sample_store(), FROZEN_NOW)


async def test_the_status_line_is_drawn_again_once_a_toast_over_it_has_gone() -> None:
    """A toast over the line cuts it at the toast's edges; a double-width character across a cut is drawn blank,
    and nothing redrew the line (its text unchanged) once the toast had gone: the bar repaints itself then."""
    set_language("zh")
    try:
        app = _Line()
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            bar = app.query_one(StatusBar)
            await pilot.pause(0.6)
            painted: list[int] = []
            real_refresh = bar.refresh

            def counting(*args: object, **kwargs: object) -> StatusBar:
                painted.append(len(app.screen.query("Toast")))
                return real_refresh(*args, **kwargs)  # type: ignore[arg-type]

            bar.refresh = counting  # type: ignore[method-assign]
            app.notify(t("ui.link.went_not_storing"), timeout=0.5)
            await wait_until(pilot, lambda: len(app.screen.query("Toast")) == 1, timeout=5)
            await wait_until(pilot, lambda: not app.screen.query("Toast"), timeout=5)
            await wait_until(pilot, lambda: 0 in painted, timeout=5)  # repainted with no toast left over it
    finally:
        set_language(None)
