"""The menu editor's status line at 40x15 never splits a part ("1 sold" / "out").

At narrow widths the draft's base takes its short form ("Draft v3"), so the usual line fits on one; a line that
still does not fit breaks between parts, never inside one; a resize follows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rich.cells import cell_len

from o2o_tui.i18n import set_language, t
from screens.menu_editor import MenuEditorApp
from tests.test_ui_menu_editor_snapshots import _app


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _status_lines(app: MenuEditorApp) -> list[str]:
    status = app.screen.query_one("#menu-status")
    strips = app.screen._compositor.render_strips()
    lines = ["".join(segment.text for segment in strip) for strip in strips]
    return [line.strip() for line in lines[status.region.y : status.region.y + status.region.height]]


async def test_the_status_line_keeps_each_part_whole_at_40x15(lang: str) -> None:
    sold = t("menu_editor.status.sold_out", count=1)
    marked = t("menu_editor.status.marked", count=1)
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        wide = _status_lines(app)
        assert wide == [
            " · ".join([t("menu_editor.status.base", version=3), t("menu_editor.status.no_changes"), sold])
        ], wide
        await pilot.resize_terminal(40, 15)
        await pilot.pause()
        await pilot.pause()
        narrow = _status_lines(app)
        line = " · ".join([t("menu_editor.status.base", version=3), t("menu_editor.status.no_changes"), sold])
        if cell_len(line) > 38:  # 40 columns less the padding: the short form ("Draft v3"; Chinese fits whole)
            line = " · ".join([t("menu_editor.status.base_short", version=3), t("menu_editor.status.no_changes"), sold])
        assert narrow == [line], narrow
        await pilot.press("down", "space")  # one marked: the line is too long for one row
        await pilot.pause()
        two = _status_lines(app)
        assert len(two) == 2 and any(sold in line for line in two) and two[1] == marked, two
