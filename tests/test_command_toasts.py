"""A command in a toast of the merchant console and the menu editor shows as the help shows commands: bold,
without the catalog's backticks ("log in again with o2o login", not "with `o2o login`"). Only a catalog sentence's
marks are read: a backtick or markup in a value (a name, a server's message) is shown as it is. The refused token
of a real platform, on the console at 80x24 and 40x15, in English and Chinese; a refused action quoting the
client's refusal; a toast cut to fit the screen; the menu editor on its own (`o2o menu edit`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets._toast import Toast

from o2o_tui.command_marks import plain_text
from o2o_tui.config import save_profile
from o2o_tui.i18n import set_language, t
from screens.app import MerchantApp
from screens.command_toasts import COMMAND_STYLE, command_markup, say_in, toast_text
from screens.memory_source import MemoryOrderSource
from screens.source import LinkState, LinkStatus
from tests.support.deep_variants import ENGLISH_HERE_CHINESE_DEEP
from tests.support.platform import RunningPlatform
from tests.test_ui_samples import sample_store

SIZES = [(80, 24), (40, 15)]


@pytest.fixture(params=ENGLISH_HERE_CHINESE_DEEP)
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _shown(text: str, markup: bool) -> Content:
    return Content.from_markup(text) if markup else Content(text)


def _bold(content: Content) -> list[str]:
    """The runs of `content` in the command style."""
    return [
        content.plain[span.start : span.end] for span in content.spans if str(span.style) == COMMAND_STYLE
    ]


def _toast_content(toast: Toast) -> Content:
    """What a toast shows, its lines joined again (a command may be broken over two lines)."""
    return toast.render()


def test_a_refusal_quoting_the_clients_sentence_shows_its_command_bold(lang: str) -> None:
    reason = t("client.error.unauthorized")
    said = t("ui.action.refused", number="#12", action=t("ui.action.confirm"), reason=reason)
    shown = _shown(*toast_text(said))
    assert "`" not in shown.plain
    assert shown.plain == said.replace(reason, plain_text(reason))
    assert _bold(shown) == ["o2o login"]


def test_a_values_marks_and_markup_stay_text(lang: str) -> None:
    name = "Ann `o2o login` [b]Lee[/b] \\"  # a name quoting a command, with markup and a backslash
    said = t("ui.action.refused", number="#12", action=t("ui.action.confirm"), reason=name)
    assert toast_text(said) == (said, False)  # no catalog sentence with a command in it: as it is
    # next to a catalog sentence: only the catalog's marks are read, the name's are its own
    said = t("ui.action.refused", number="#12", action=name, reason=t("client.error.unauthorized"))
    shown = _shown(*toast_text(said))
    assert name in shown.plain
    assert _bold(shown) == ["o2o login"]
    # a backslash just before a command's style (Textual's escaping cannot keep it there): not markup, shown plain
    assert command_markup([("C:\\", False), ("o2o login", True)]) is None
    assert (
        _shown(command_markup([("C:\\ ", False), ("o2o login", True)]) or "", True).plain == "C:\\ o2o login"
    )


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_a_toast_cut_to_the_screen_keeps_its_command_bold(lang: str, size: tuple[int, int]) -> None:
    said = t("sync.unauthorized") + " " + "Lorem ipsum dolor sit amet. " * 30  # too long for any screen
    app = MerchantApp(MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE)))
    async with app.run_test(size=size, notifications=True) as pilot:
        app.say(said, severity="error")
        await _until(pilot, lambda: len(app.screen.query(Toast)) == 1)
        await pilot.pause()
        shown = _toast_content(app.screen.query_one(Toast))
        assert shown.plain.endswith("…") and "`" not in shown.plain
        assert " ".join(_bold(shown)) == "o2o login"  # broken over two lines, maybe
        assert (
            app.screen.query_one(Toast).outer_size.height <= size[1] - 4
        )  # the queue's first rows still show


async def _until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await pilot.pause(0.05)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_a_refused_token_says_log_in_again_with_the_command_bold(
    platform: RunningPlatform,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    size: tuple[int, int],
) -> None:
    from o2o_tui.sync.session import make_client, make_engine, open_cache
    from screens.engine_source import EngineOrderSource

    seed = platform.seed
    assert seed is not None
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    profile = save_profile(
        "counter", url=platform.url, token="not-a-token", role="merchant", store_id=seed.store_id
    )
    cache = open_cache(profile)
    client = make_client(profile, timeout=5.0)
    engine = make_engine(
        profile, cache, client, backoff_cap=0.5, auth_backoff_base=0.3, auth_backoff_cap=20.0
    )
    console = MerchantApp(EngineOrderSource(engine, cache, client, seed.store_id))
    async with console.run_test(size=size, notifications=True) as pilot:
        await _until(pilot, lambda: console.source.link().state is LinkState.UNAUTHORIZED)
        await _until(pilot, lambda: bool(console.screen.query(Toast)))
        await pilot.pause()
        shown = [_toast_content(toast) for toast in console.screen.query(Toast)]
        said = [content for content in shown if "o2o" in content.plain]
        assert said, [content.plain for content in shown]
        for content in said:
            assert "`" not in content.plain
            assert " ".join(_bold(content)) == "o2o login"
            # the sentence without its marks (at 40x15 in English cut to leave the queue in sight, as before)
            whole, seen = (
                text.replace("\n", "").replace(" ", "")
                for text in (plain_text(t("sync.unauthorized")), content.plain)
            )
            assert seen == whole or (seen.endswith("…") and whole.startswith(seen[:-1])), content.plain


async def test_the_menu_editor_alone_shows_the_command_bold(lang: str) -> None:
    app: App[None] = App()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        say_in(app, t("client.error.unauthorized"), severity="error")
        await _until(pilot, lambda: len(app.screen.query(Toast)) == 1)
        await asyncio.sleep(0)
        shown = _toast_content(app.screen.query_one(Toast))
        assert shown.plain == plain_text(t("client.error.unauthorized"))
        assert _bold(shown) == ["o2o login"]
