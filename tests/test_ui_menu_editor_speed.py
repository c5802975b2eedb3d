"""What keeps the menu editor fast on a big menu (issue 8's budgets, measured by `python -m bench menu`).

- A cursor move repaints in one frame: the form follows the tree in the same frame, values change in place
  (moving along items relayouts nothing), and a kind with other fields (item -> category) keeps the form's
  scrollable size, so one relayout is all it costs (each relayout more is a frame more, 17-33 ms later).
- The tree builds only what shows: the option groups section, a group's options and an item's groups are added
  when first needed (the cursor can still go anywhere: search, select).
- `o2o menu edit` reads the menu before Textual has started and builds its HTTP client after the first paint.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from textual.pilot import Pilot
from textual.screen import Screen

from bench.menu import big_menu
from o2o_tui.config import save_profile
from o2o_tui.domain.menu import Menu
from o2o_tui.i18n import set_language
from screens.menu_editor import MenuEditorApp, MenuEditorScreen
from screens.menu_form import MenuForm
from screens.menu_source import MemoryMenuSource, source_for_profile
from screens.menu_tree import SECTION, NodeRef
from tests.support.platform import RunningPlatform
from tests.test_ui_live import wait_until

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _big() -> Menu:
    return msgspec.convert(big_menu("store-1", "CNY", 3), type=Menu)


async def _opened(pilot: Pilot[Any], app: MenuEditorApp) -> MenuEditorScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None)
    screen = app.screen
    assert isinstance(screen, MenuEditorScreen)
    await pilot.pause()
    return screen


async def test_moving_along_items_relayouts_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    layouts: list[str] = []
    original = Screen._refresh_layout

    def counted(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
        layouts.append(type(self).__name__)
        original(self, *args, **kwargs)

    app = MenuEditorApp(MemoryMenuSource(_big()))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        tree, form = screen.menu_tree, screen.query_one(MenuForm)
        await pilot.press("down")  # category -> the first item: the item's fields appear
        await pilot.pause()
        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        scrollbar = tree.vertical_scrollbar
        repaints: list[bool] = []
        repaint = scrollbar.refresh

        def repainted(*args: Any, **kwargs: Any) -> Any:
            repaints.append(True)
            return repaint(*args, **kwargs)

        monkeypatch.setattr(scrollbar, "refresh", repainted)
        for _ in range(5):
            tree.action_cursor_down()
            assert form.ref == tree.cursor_ref  # at once: the form follows the tree in the same frame
            await pilot.pause()
        await pilot.pause()
        assert tree.cursor_ref == NodeRef("item", "dish-006", "cat-01")
        assert form.query_one("#field-name_en").value == "Dish 006"  # type: ignore[attr-defined]
        assert layouts == []

        # an item, then a category: other fields, the same scrollable size, one relayout per move
        item_size = form.virtual_size
        assert tree.select_ref(NodeRef("item", "dish-013", "cat-01"))
        await pilot.pause()
        layouts.clear()
        await pilot.press("down")
        await pilot.pause()
        await pilot.pause()
        assert tree.cursor_ref == NodeRef("category", "cat-02")
        assert form.virtual_size == item_size
        assert len(layouts) == 1
        assert repaints == []  # the tree's scrollbar did not change: no frame more to repaint it


async def test_the_tree_adds_groups_and_options_when_needed() -> None:
    menu = _big()
    app = MenuEditorApp(MemoryMenuSource(menu))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        tree = screen.menu_tree
        items = sum(len(c.items) for c in menu.categories)
        assert len(tree._by_ref) == len(menu.categories) + items + 1  # + the option groups section
        # the cursor still goes anywhere: an option of the section (search, select), an item's groups (expand)
        assert tree.select_ref(NodeRef("option", "c07-g2-o3"))
        await wait_until(pilot, lambda: tree.cursor_ref == NodeRef("option", "c07-g2-o3", "c07-g2"))
        section = tree._by_ref[NodeRef(SECTION, "groups")]
        assert section.is_expanded and len(section.children) == len(menu.option_groups)
        assert tree.select_ref(NodeRef("item", "dish-002", "cat-01"))
        await pilot.pause()
        await pilot.press("right")
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        assert tree.cursor_ref == NodeRef("group", "c01-g1", "dish-002")
        await pilot.press("right", "down")
        await pilot.pause()
        assert tree.cursor_ref == NodeRef("option", "c01-g1-o1", "dish-002/c01-g1")
        await pilot.press("slash", *"Choice")
        await wait_until(pilot, lambda: tree.cursor_ref is not None and tree.cursor_ref.kind == "option")


async def test_the_engine_is_built_after_the_first_paint(
    shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = shared_platform.seed
    assert seed is not None
    profile = save_profile(
        "counter",
        url=shared_platform.url,
        token=seed.tokens["merchant"],
        role="merchant",
        store_id=seed.store_id,
    )
    source = source_for_profile(profile)
    reading = source._prefetched
    assert source._engine is None and reading is not None  # reading, not connected
    reading.result(timeout=10)  # read (while Textual would start): the first frame shows it
    workers: list[bool] = []
    monkeypatch.setattr(MenuEditorScreen, "_load", lambda self: workers.append(True))
    app = MenuEditorApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: source._engine is not None)  # after the editor opened
        assert workers == [] and source._prefetched is None
        screen = app.screen
        assert isinstance(screen, MenuEditorScreen)
        # the first run has an empty cache: the engine's first sync brings the menu in
        await wait_until(pilot, lambda: screen.draft is not None and bool(screen.draft.menu.categories))


def test_opening_the_editor_imports_no_http_client() -> None:
    code = (
        "import sys\n"
        "from o2o_tui.cli import build_app\n"
        "build_app('menu')\n"
        "import screens.menu_editor, screens.menu_source\n"
        "print(sorted(m for m in ('httpx', 'httpcore') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
