"""The merchant console's toasts break their lines as the rest of the console does (`o2o_tui.text_fold`): a time
is never cut ("08:3" / "9"), no line starts with "，", a number keeps its unit and a key its action, at 40x15 and
at 80x24, in English and Chinese, shown at once or held behind a dialog. Textual's own toasts (real widgets) show
the lines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets._toast import Toast

from o2o_tui.i18n import set_language, t
from o2o_tui.text_fold import CLOSING, fold
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.redeem_screen import RedeemScreen
from screens.source import LinkState, LinkStatus
from screens.widgets.folded_text import toast_width
from tests.test_ui_live import wait_until
from tests.test_ui_samples import sample_store

SIZES = [(40, 15), (80, 24)]


@pytest.fixture(autouse=True)
def no_language() -> Iterator[None]:
    yield
    set_language(None)


def _app() -> MerchantApp:
    return MerchantApp(MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE)))


def _messages(language: str) -> list[str]:
    """A toast with a time, a number and its unit and a key (muting), and a refusal quoting the platform."""
    set_language(language)
    reason = {
        "en": "the store is paused until 08:39, it opens again by itself",
        "zh": "门店已暂停到08:39，之后自动恢复营业，请稍后再试",  # Textual alone: "…到08:3" | "9，…" at 40x15
    }[language]
    return [
        t("alerts.muted", minutes=15, until="08:39"),
        t("store_screen.refused", action=t("store_screen.action.pause"), reason=reason),
    ]


def _shown(toast: Toast) -> list[str]:
    """The lines a toast shows, inside its border and padding (none above and below below 60 columns)."""
    strips = toast.render_lines(Region(0, 0, toast.outer_size.width, toast.outer_size.height))
    top, bottom = toast.styles.padding.top, toast.styles.padding.bottom
    return [strip.text[2:].rstrip() for strip in strips[top : len(strips) - bottom]]


def _check(lines: list[str], message: str, width: int) -> None:
    assert lines == fold(message, width)  # every line fits: Textual breaks none of them again
    assert all(cell_len(line) <= width for line in lines)
    assert any("08:39" in line for line in lines), lines  # the time whole on one line
    assert not any(line[:1] in CLOSING for line in lines[1:]), lines
    if "15 分钟" in message:
        assert any("15 分钟" in line for line in lines), lines
        assert not any(line.endswith("M") for line in lines), lines  # "按 M 恢复声音": the key with its action


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("language", ["en", "zh"])
async def test_a_toast_breaks_its_lines_as_the_console_does(language: str, size: tuple[int, int]) -> None:
    messages = _messages(language)
    app = _app()
    async with app.run_test(size=size, notifications=True) as pilot:
        for message in messages:
            app.say(message, severity="error")
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == len(messages))
        await pilot.pause()
        toasts = list(app.screen.query(Toast))
        for toast, message in zip(toasts, messages, strict=True):
            assert toast.size.width == toast_width(size[0])  # the width Textual's CSS gives a toast
            _check(_shown(toast), message, toast_width(size[0]))


async def test_a_toast_held_behind_a_dialog_is_broken_as_well_when_it_shows() -> None:
    [muted, refused] = _messages("zh")
    app = _app()
    async with app.run_test(size=(40, 15), notifications=True) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, RedeemScreen))
        app.say(refused, severity="error")
        await pilot.pause()
        assert not app.screen.query(Toast)
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 1)
        await pilot.pause()
        _check(_shown(app.screen.query_one(Toast)), refused, toast_width(40))


async def test_a_markup_toast_keeps_its_style_and_breaks_as_plain_text() -> None:
    set_language("zh")
    app = _app()
    async with app.run_test(size=(40, 15), notifications=True) as pilot:
        app.notify("[b]已静音[/b] 15 分钟（到 08:39）。再按 M 恢复声音。")
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 1)
        await pilot.pause()
        toast = app.screen.query_one(Toast)
        _check(_shown(toast), "已静音 15 分钟（到 08:39）。再按 M 恢复声音。", toast_width(40))
        assert toast.render().spans  # the bold is still there


@pytest.mark.parametrize("width", [24, 39, 41, 60, 99, 126, 200])
async def test_the_toast_width_is_the_one_textual_gives(width: int) -> None:
    app = _app()
    async with app.run_test(size=(width, 24), notifications=True) as pilot:
        app.say("x")
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 1)
        await pilot.pause()
        assert app.screen.query_one(Toast).size.width == toast_width(width)
