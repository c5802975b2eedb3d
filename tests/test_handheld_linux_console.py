"""The courier handheld on the Linux text console (TERM=linux, cons25) in a UTF-8 locale: its font has "·", "→"
and "▼" but no "…", so a line cut short ends in "..." (screens/courier_format.py CONSOLE), as the merchant
console's CONSOLE set cuts (screens/terminal.py). Other terminals keep the UNICODE set, a locale that is not
UTF-8 the ASCII one. The real handheld against the real platform, run headless with TERM set."""

from __future__ import annotations

from pathlib import Path

import pytest

from screens.courier_format import ASCII, CONSOLE, UNICODE, handheld_glyphs
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


@pytest.mark.parametrize(
    ("term", "ascii_only", "expected"),
    [
        ("linux", False, CONSOLE),
        ("linux-16color", False, CONSOLE),
        ("cons25", False, CONSOLE),
        ("LINUX", False, CONSOLE),
        ("xterm-256color", False, UNICODE),
        ("", False, UNICODE),
        ("linux", True, ASCII),  # not UTF-8 (or --ascii): ASCII whatever the terminal
        ("xterm", True, ASCII),
    ],
)
def test_the_handheld_set_follows_term(term: str, ascii_only: bool, expected: object) -> None:
    assert handheld_glyphs(ascii_only, {"TERM": term, "LANG": "en_US.UTF-8"}) is expected


def test_the_console_set_draws_only_what_the_console_font_has() -> None:
    console_font = {chr(c) for c in range(0x20, 0x7F)} | set("·→▼▲")
    for value in (CONSOLE.separator, CONSOLE.arrow, CONSOLE.queued, CONSOLE.refused, CONSOLE.down, CONSOLE.cut):
        assert set(value) <= console_font, value
    assert CONSOLE.cut == "..."


@pytest.mark.parametrize("term", ["linux", "cons25"])
async def test_on_the_linux_console_a_cut_line_ends_in_dots(
    platform: RunningPlatform, courier_id: str, home: Path, monkeypatch: pytest.MonkeyPatch, term: str  # noqa: F811
) -> None:
    monkeypatch.setenv("TERM", term)
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
        assert "…" not in shown, shown
        assert status_line(app).startswith("ONLINE · On duty · ")  # the set's separator
        assert any(line.endswith(" Lao Wang...") for line in shown.splitlines()), shown  # the store's name, cut
        assert app.glyphs is CONSOLE and not app.ascii_only
