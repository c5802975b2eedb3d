"""The courier handheld on a serial terminal (TERM=vt100, vt220, dumb) in a UTF-8 locale: its marks are ASCII
(" - ", "->", "v", a cut without "…"), by the same rule the merchant console and the dispatch board follow
(`o2o_tui.text_marks.ascii_term`, screens/terminal.py `glyphs_for`); names stay as they are (the locale is UTF-8,
as the console keeps them). The real handheld against the real platform, run headless with TERM set."""

from __future__ import annotations

from pathlib import Path

import pytest

from screens.courier_format import ASCII, CONSOLE, UNICODE, handheld_glyphs
from screens.terminal import ASCII as CONSOLE_ASCII
from screens.terminal import glyphs_for
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import (
    CountingApp,
    courier_id,  # noqa: F401  (fixture)
    courier_profile,
    home,  # noqa: F401  (fixture)
    offer,
    open_source,
    screen_text,
    status_line,
    wait_until,
)

UTF8 = {"LANG": "en_US.UTF-8"}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("vt100", ASCII),
        ("vt100-am", ASCII),
        ("VT220", ASCII),
        ("vt102", ASCII),
        ("dumb", ASCII),
        ("linux", CONSOLE),
        ("xterm-256color", UNICODE),
        ("screen", UNICODE),
    ],
)
def test_the_handheld_follows_the_consoles_term_rule(term: str, expected: object) -> None:
    assert handheld_glyphs(False, {"TERM": term, **UTF8}) is expected
    assert (glyphs_for({"TERM": term, **UTF8}) is CONSOLE_ASCII) is (expected is ASCII)  # one rule for both


def test_every_ascii_mark_is_ascii() -> None:
    for value in (ASCII.separator, ASCII.arrow, ASCII.queued, ASCII.refused, ASCII.down, ASCII.cut, ASCII.up):
        assert value.isascii(), value


async def test_on_a_vt100_the_handheld_draws_ascii_marks(
    platform: RunningPlatform,
    courier_id: str,  # noqa: F811
    home: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERM", "vt100")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_CTYPE", raising=False)
    order = offer(platform, courier_id)
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(24, 12)) as pilot:
        number = f"#{order['number']:04d}"
        await wait_until(pilot, lambda: number in screen_text(app))
        await wait_until(pilot, lambda: status_line(app).startswith("ONLINE"))
        await pilot.pause(0.2)
        strips = app.screen._compositor.render_strips()
        shown = "\n".join("".join(s.text for s in strip).rstrip() for strip in strips)
        assert "…" not in shown and "·" not in shown and "▼" not in shown, shown
        assert status_line(app).startswith("ONLINE - On duty - ")  # the ASCII set's separator
        assert app.glyphs is ASCII and not app.ascii_only  # names are not turned to '?': the locale is UTF-8
