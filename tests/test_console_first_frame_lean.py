"""The console's first frame does only what it shows (issue #11's first-paint budget, `python -m bench console`).

- The queue's widgets are styled once before the first frame: the screen takes its width class (`-narrow`,
  `-normal`, `-wide`) before they mount, and its first resume does not restyle them all again (each pass was
  ~3 ms of the first paint). Later resumes (a screen closed over it) restyle as Textual does.
- Modules the first frame does not draw stay unloaded until used: the handheld's formatting (only the locale test
  was needed: `screens/locale_text.py`), the store hours' editing (hashlib), the detail pane's care lines and the
  day's figures' reason words. Checked on the real `o2o console` on a pty, as `tests/test_console_first_frame.py`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual import events
from textual.css.query import NoMatches
from textual.dom import DOMNode

from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.orders_screen import OrdersScreen
from screens.widgets.order_list import OrderList
from tests.test_console_first_frame import HOOK, _loaded, _run_on_a_pty, cached_counter  # noqa: F401 (fixture)
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store

LATER = (
    "screens.courier_format",  # the handheld's: terminal.py needs only `locale_is_utf8` (screens/locale_text.py)
    "o2o_tui.store_hours",  # with a store hours change (screens/engine_source.py `submit`)
    "screens.care_detail",  # the detail pane's chases and refunds: hidden below 120 columns
    "o2o_tui.figures_text",  # reason words: an ended order's row or detail
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _queue_mounted(app: MerchantApp) -> bool:
    try:
        app.orders_screen.query_one(OrderList)
    except NoMatches:
        return False
    return True


@pytest.mark.parametrize(("size", "width_class"), [((40, 15), "-narrow"), ((80, 24), "-normal"), ((120, 40), "-wide")])
async def test_the_queue_is_styled_once_before_its_first_frame(size: tuple[int, int], width_class: str) -> None:
    source = MemoryOrderSource(entries=sample_entries(), store=sample_store())
    app = MerchantApp(source, clock=lambda: FROZEN_NOW)
    screen_restyles: list[tuple[bool, int]] = []  # (the queue mounted then, nodes restyled)
    original = app.update_styles

    def noted(node: DOMNode, animate: bool = True) -> None:
        if isinstance(node, OrdersScreen):
            screen_restyles.append((_queue_mounted(app), len(list(node.walk_children(with_self=True)))))
        original(node, animate=animate)

    app.update_styles = noted  # type: ignore[method-assign]
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.orders_screen
        assert screen.is_current and len(screen.queue) > 0
        assert width_class in screen.classes
        # the width class came before the widgets (a few system widgets then), and no resume restyled them after
        assert all(not mounted for mounted, _ in screen_restyles), screen_restyles

        # any later resume that asks for it (Textual's, after a theme change meanwhile) restyles the queue
        screen_restyles.clear()
        screen.post_message(events.ScreenResume())
        await pilot.pause()
        assert any(mounted for mounted, _ in screen_restyles), screen_restyles


async def test_the_queue_is_not_rendered_for_a_frame_textual_drops(monkeypatch: pytest.MonkeyPatch) -> None:
    """While the app starts (a batch), a frame rendered would be dropped unsent: the queue renders none then, and
    once the batch is over it draws the screen whole."""
    from textual._compositor import Compositor

    source = MemoryOrderSource(entries=sample_entries(), store=sample_store())
    app = MerchantApp(source, clock=lambda: FROZEN_NOW)
    renders: list[bool] = []  # in a batch, for each render of the queue's screen
    render_update = Compositor.render_update

    def noted(compositor: Compositor, *args: object, **kwargs: object) -> object:
        if app.is_running and compositor is app.orders_screen._compositor:
            renders.append(bool(app._batch_count))
        return render_update(compositor, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Compositor, "render_update", noted)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert len(app.orders_screen.queue) > 0
        assert renders and not any(renders), renders
        text = "\n".join(line.text for line in app.screen._compositor.render_strips())
        assert "#0" in text  # the rows are drawn (sample orders' numbers)


async def test_the_width_class_follows_a_resize_after_start() -> None:
    source = MemoryOrderSource(entries=sample_entries(), store=sample_store())
    app = MerchantApp(source, clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.orders_screen
        assert "-normal" in screen.classes
        await pilot.resize_terminal(130, 40)
        await pilot.pause()
        assert "-wide" in screen.classes and "-normal" not in screen.classes
        assert screen.query_one("#side").display  # the detail pane of a wide terminal
        await pilot.resize_terminal(50, 20)
        await pilot.pause()
        assert "-narrow" in screen.classes and "-wide" not in screen.classes


def test_the_first_frame_loads_neither_the_handhelds_formatting_nor_the_detail_panes(
    cached_counter: dict[str, str],  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    out = tmp_path / "modules"
    env = {k: v for k, v in os.environ.items() if k not in ("O2O_PROFILE", "NO_COLOR")}
    env.update(cached_counter, FIRST_FRAME_OUT=str(out), TERM="xterm-256color")
    first = Path(f"{out}.first")
    written = _run_on_a_pty([sys.executable, "-c", HOOK, "console", "--profile", "counter"], env, until=[first])
    assert first.exists(), f"the cached orders never reached the screen; it wrote: {written!r}"
    modules = json.loads(first.read_text())["modules"]
    assert "screens.locale_text" in modules  # the glyphs were chosen for this terminal
    loaded = [name for name in LATER if _loaded(modules, name)]
    assert loaded == [], f"loaded before the first frame: {loaded}"
