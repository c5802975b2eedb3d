"""The refused actions' screen (`!`) with nothing in its list offers no Dismiss / Dismiss all (footer and `?`);
they come back when a refusal arrives and go again once the last one is dismissed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from o2o_tui.i18n import set_language
from screens.conflicts_screen import ConflictsScreen
from screens.help_screen import help_rows
from screens.memory_source import MemoryOrderSource
from screens.source import LinkState, LinkStatus
from screens.widgets.footer import KeyFooter
from tests.test_ui_conflicts import Host, refused, wait_until
from tests.test_ui_samples import sample_store


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _footer_actions(screen: ConflictsScreen) -> set[str]:
    return {entry.action for entry in screen.query_one(KeyFooter).entries()}


def _footer_text(screen: ConflictsScreen) -> str:
    strips = screen.app.screen._compositor.render_strips()
    return "".join(segment.text for segment in strips[-1])  # the footer: the screen's last row


def _help_text(screen: ConflictsScreen) -> str:
    return "\n".join(row.text for row in help_rows(screen))


async def test_an_empty_list_offers_no_dismiss_keys() -> None:
    source = MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE), conflicts=[])
    app = Host(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        actions = _footer_actions(screen)
        assert "dismiss_one" not in actions and "dismiss_all" not in actions and "back" in actions
        assert "dismiss" not in _help_text(screen) and "Dismiss" not in _footer_text(screen)
        source.add_conflict(refused(42, "k42"))
        await wait_until(pilot, lambda: "dismiss_one" in _footer_actions(screen))
        assert "dismiss_all" in _footer_actions(screen) and "dismiss all" in _help_text(screen)
        await wait_until(pilot, lambda: "Dismiss" in _footer_text(screen))  # drawn, not only listed
        await pilot.press("x")
        await wait_until(pilot, lambda: not source.conflicts())
        await wait_until(pilot, lambda: "dismiss_one" not in _footer_actions(screen))
        assert "dismiss_all" not in _footer_actions(screen)
        await wait_until(pilot, lambda: "Dismiss" not in _footer_text(screen))
