"""The rules of the screens the console's first frame does not show left `screens/merchant.tcss` for the screens'
own CSS (`DEFAULT_CSS`, parsed when the screen is first built), and the console opens on its home screen itself,
not pushed over Textual's blank default screen.

A widget's CSS ranks below the app's stylesheet, so a moved rule could lose where it won before: each dialog and
screen here is styled as it was when the rules were the app's (`MOVED`, as they stood in merchant.tcss, given
back to the app as its own CSS), node by node, rule by rule, for each glyph set, at 40 and 80 columns. The
snapshot tests (`tests/*snap*`) show the same screens whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.screen import Screen

from o2o_tui.figures import Figures
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.terminal import ASCII, CONSOLE, FULL, Glyphs
from tests.test_ui_figures import fixed_report
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store

# The rules as they stood in screens/merchant.tcss before they moved (the glyph sets' rules stayed there).
MOVED = """
DetailScreen #detail-scroll { height: 1fr; padding: 0 1; }
.dialog {
    width: 50; max-width: 100%; height: auto; max-height: 100%; padding: 0 1; background: $panel;
    border: round $primary;
}
Screen.-narrow .dialog { border: none; padding: 0; }
NumberPrompt, CodePrompt, ChoicePrompt, HelpScreen { align: center middle; }
.dialog Label { width: 1fr; }
.dialog .title { text-style: bold; }
.dialog .hint { color: $text-muted; }
.dialog .error { color: $text-error; }
.dialog OptionList { height: auto; max-height: 10; }
.help { width: 60; max-height: 90%; }
#figures-title { text-style: bold; padding: 0 1; }
#figures-status { color: $text-muted; padding: 0 1; }
#figures-status.-stale { color: $text-warning; }
#figures-body { padding: 0 1; }
RedeemScreen { align: center middle; }
#redeem-result { width: 1fr; padding: 0 1; text-style: bold; }
#redeem-result.-ok { background: $success; color: $text; }
#redeem-result.-queued { background: $warning; color: $text; }
#redeem-result.-refused { background: $error; color: $text; }
#redeem-digits { width: 1fr; display: none; }
"""


class AsBefore(MerchantApp):
    """The console with the moved rules in the app's own stylesheet again, where they ranked before."""

    CSS = MOVED


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _order() -> Any:
    return sample_entries()[0].order


def _screens() -> dict[str, Callable[[], Screen[Any]]]:
    from screens.chase_dialog import ChaseReplyDialog
    from screens.conflicts_screen import ConfirmAll
    from screens.detail_screen import DetailScreen
    from screens.dialogs import ChoicePrompt, CodePrompt, NumberPrompt
    from screens.figures_screen import FiguresScreen
    from screens.help_screen import HelpScreen
    from screens.menu_editor import MenuHelpScreen, TimePrompt
    from screens.redeem_screen import RedeemScreen
    from screens.refund_dialog import RefundDialog
    from screens.store_screen import TextPrompt

    figures = Figures(fixed_report(), FROZEN_NOW)
    return {
        "number": lambda: NumberPrompt("Prep minutes for #0042", 15),
        "code": lambda: CodePrompt("Pickup code for #0042"),
        "choice": lambda: ChoicePrompt("Why?", [("busy", "Too busy"), ("closed", "Closed"), ("other", "Other")]),
        "help": lambda: HelpScreen(),
        "redeem": lambda: RedeemScreen(),
        "text": lambda: TextPrompt("Store name", "Enter to save", value="老王小馆"),
        "confirm": lambda: ConfirmAll(3),
        "refund": lambda: RefundDialog(_order()),
        "chase": lambda: ChaseReplyDialog(_order(), FROZEN_NOW),
        "time": lambda: TimePrompt("Opens at"),
        "menu-help": lambda: MenuHelpScreen(),
        "detail": lambda: DetailScreen(_order().id),
        "figures": lambda: FiguresScreen(lambda day: figures, figures=figures, store_name="老王小馆"),
    }


# classes the screens' code sets later (a result, stale figures, an error): their rules compared too
LATER_CLASSES = {"#redeem-result": ("-ok", "-queued", "-refused"), "#figures-status": ("-stale",)}


Shots = list[dict[str, dict[str, str]]]  # a screen's rules by node, once and then with each later class set


def _rules(screen: Screen[Any]) -> dict[str, dict[str, str]]:
    """Every node's rules from the stylesheet (not its inline styles), by its place under the screen."""
    seen: dict[str, dict[str, str]] = {}
    for n, node in enumerate(screen.walk_children(with_self=True)):
        name = f"{n}:{type(node).__name__}#{node.id or ''}.{'.'.join(sorted(node.classes))}"
        seen[name] = {rule: repr(value) for rule, value in node._css_styles.get_rules().items()}  # a layout by name
    return seen


async def _styled(app_type: type[MerchantApp], glyphs: Glyphs, size: tuple[int, int]) -> dict[str, Shots]:
    """Each screen of `_screens()` pushed in turn on one console of `app_type` (and popped again): its rules, then
    with each of `LATER_CLASSES` set."""
    source = MemoryOrderSource(entries=sample_entries(), store=sample_store())
    app = app_type(source, clock=lambda: FROZEN_NOW, glyphs=glyphs)
    styled: dict[str, Shots] = {}
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for name, make in _screens().items():
            screen = make()
            await app.push_screen(screen)
            await pilot.pause()
            shots = styled[name] = [_rules(screen)]
            for selector, classes in LATER_CLASSES.items():
                for node in screen.query(selector):
                    for later in classes:
                        node.add_class(later)
                        await pilot.pause()
                        shots.append(_rules(screen))
                        node.remove_class(later)
            await app.pop_screen()
            await pilot.pause()
    return styled


# each glyph set in the suite at one size (the narrow layout seen with two of them); the other three pairs are
# `python -m bench deep`'s
_SUITE_PAIRS = {("full", "80x24"), ("ascii", "40x15"), ("console", "40x15")}


def _variants() -> list[object]:
    return [
        pytest.param(
            glyphs, size, id=f"{glyphs_id}-{size_id}",
            marks=() if (glyphs_id, size_id) in _SUITE_PAIRS else pytest.mark.deep,
        )
        for glyphs_id, glyphs in (("full", FULL), ("ascii", ASCII), ("console", CONSOLE))
        for size_id, size in (("40x15", (40, 15)), ("80x24", (80, 24)))
    ]


@pytest.mark.parametrize(("glyphs", "size"), _variants())
async def test_a_moved_rule_styles_its_screen_as_it_did_in_the_apps_stylesheet(
    glyphs: Glyphs, size: tuple[int, int]
) -> None:
    now = await _styled(MerchantApp, glyphs, size)
    before = await _styled(AsBefore, glyphs, size)
    assert list(now) == list(before) == list(_screens())
    for name, shots_now in now.items():
        shots_before = before[name]
        assert len(shots_now) == len(shots_before), name
        for shot_now, shot_before in zip(shots_now, shots_before, strict=True):
            assert list(shot_now) == list(shot_before), name
            differ = {
                node: (shot_now[node], shot_before[node]) for node in shot_now if shot_now[node] != shot_before[node]
            }
            assert differ == {}, (name, differ)


async def test_the_console_opens_on_its_queue_without_a_blank_screen_under_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = MemoryOrderSource(entries=sample_entries(), store=sample_store())
    app = MerchantApp(source, clock=lambda: FROZEN_NOW)
    built: list[Screen[Any]] = []
    original = Screen.__init__

    def noted(screen: Screen[Any], *args: Any, **kwargs: Any) -> None:
        built.append(screen)
        original(screen, *args, **kwargs)

    monkeypatch.setattr(Screen, "__init__", noted)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen_stack == [app.orders_screen]
        assert len(app.orders_screen.queue) > 0
        assert built == [], built  # the queue was made with the app; no other screen was made to start


async def test_a_simple_console_opens_on_its_own_screen_with_its_stylesheet() -> None:
    from screens.simple_screen import SimpleScreen

    source = MemoryOrderSource(entries=sample_entries(), store=sample_store())
    app = MerchantApp(source, clock=lambda: FROZEN_NOW, simple=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen_stack == [app.home] and isinstance(app.home, SimpleScreen)
        assert any(str(path).endswith("simple_screen.tcss") for path, _ in app.stylesheet.source)
