"""The menu editor's form and tree on a memory source: hostile menu text, what one edit changes, the tree's columns.

What reaches the terminal is read from the compositor (`render_strips`): plain text with the control characters
a widget passed through kept, so a raw ESC in a field shows up here as it would on the counter's terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import msgspec
import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input

from o2o_tui import menu_draft
from o2o_tui.domain.menu import Item, Menu, Names
from o2o_tui.i18n import set_language
from o2o_tui.menu_edits import find, update_item
from o2o_tui.platform.seed import demo_menu
from screens.menu_editor import MenuEditorApp, MenuEditorScreen
from screens.menu_form import MenuForm
from screens.menu_source import MemoryMenuSource
from screens.menu_tree import NodeRef
from screens.terminal import DEFAULT_THEME
from tests.test_ui_samples import FROZEN_NOW, sample_store

# what a terminal acts on: C0 but tab and newline, ESC, DEL, C1, the bidi overrides and isolates
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
EVIL_EN = "Evil \x1b]0;TITLE\x07 \x1b[31mred"
EVIL_ZH = "[bold red]坏[/] [@click=app.quit]Q[/]"
EVIL_DESC = "\x9b31m C1 \u202eRLO"


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def hostile_menu() -> Menu:
    menu = msgspec.structs.replace(demo_menu(), store_id="store-1", version=3)
    return update_item(
        menu,
        "mapo-tofu",
        name=EVIL_ZH,
        names=Names(zh=EVIL_ZH, en=EVIL_EN),
        descriptions=Names(zh="", en=EVIL_DESC),
    )


def _app(menu: Menu) -> tuple[MenuEditorApp, MemoryMenuSource]:
    source = MemoryMenuSource(menu, store=sample_store())
    return MenuEditorApp(source, clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME), source


def terminal_text(app: MenuEditorApp) -> str:
    """What the terminal is sent, as text (styles dropped, control characters kept)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def _editor(pilot: Pilot[Any], app: MenuEditorApp) -> MenuEditorScreen:
    for _ in range(100):
        if isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None:
            break
        await pilot.pause(0.02)
    screen = app.screen
    assert isinstance(screen, MenuEditorScreen)
    return screen


async def _open_item(pilot: Pilot[Any], screen: MenuEditorScreen, item_id: str) -> MenuForm:
    assert screen.menu_tree.select_ref(NodeRef("item", item_id, "hot-dishes"))
    await pilot.pause()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.pause()
    form = screen.menu_form
    assert form.ref is not None and form.ref.id == item_id
    return form


async def _submit(pilot: Pilot[Any], form: MenuForm, field: str, text: str | None = None) -> None:
    """Type `text` over `field` (None: leave it as it is) and press Enter in it."""
    form.focus_field(field)
    await pilot.pause()
    if text is not None:
        form.query_one(f"#field-{field}", Input).value = text
    await pilot.press("enter")
    await pilot.pause()
    await pilot.pause()


def _changes(screen: MenuEditorScreen) -> list[menu_draft.Change]:
    assert screen.draft is not None
    return menu_draft.diff(screen.draft.base, screen.draft.menu)


def _item(screen: MenuEditorScreen, item_id: str) -> Item:
    assert screen.draft is not None
    item = find(screen.draft.menu, "item", item_id)
    assert isinstance(item, Item)
    return item


# --- D1: stored menu text never reaches the terminal raw -----------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (40, 15)], ids=["80x24", "40x15"])
async def test_the_form_shows_hostile_menu_text_as_plain_text(lang: str, size: tuple[int, int]) -> None:
    app, _ = _app(hostile_menu())
    async with app.run_test(size=size) as pilot:
        screen = await _editor(pilot, app)
        form = await _open_item(pilot, screen, "mapo-tofu")
        shown = terminal_text(app)
        assert not RAW.search(shown), repr(RAW.findall(shown))
        assert "\ufffd]0;TITLE" in shown
        fields = {
            name: form.query_one(f"#field-{name}", Input).value for name in ("name_en", "name_zh", "desc_en")
        }
        assert fields["name_en"] == "Evil \ufffd]0;TITLE\ufffd \ufffd[31mred"
        assert fields["name_zh"] == EVIL_ZH  # markup is text in an Input
        assert fields["desc_en"] == "\ufffd31m C1 \ufffdRLO"
        # and the hint says why, under each field that holds them
        assert form.query_one("#error-name_en").display
        assert form.query_one("#error-desc_en").display
        assert app.is_running


# --- D1 and D6: what saving the form changes ---------------------------------------------------------------------


async def test_a_price_edit_is_one_change(english: None) -> None:
    # 宫保鸡丁 has only the single name and description of an older menu: the form shows them in the Chinese fields
    app, _ = _app(msgspec.structs.replace(demo_menu(), store_id="store-1", version=3))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _editor(pilot, app)
        form = await _open_item(pilot, screen, "kung-pao-chicken")
        assert form.query_one("#field-name_zh", Input).value == "宫保鸡丁 Kung Pao Chicken"
        await _submit(pilot, form, "price", "39.5")
        changes = _changes(screen)
        assert [(c.kind, c.fields) for c in changes] == [("changed", ["price"])], changes
        item = _item(screen, "kung-pao-chicken")
        assert item.names == Names() and item.descriptions == Names()
        # Enter in a field left as it is changes nothing either
        await _submit(pilot, form, "name_zh")
        assert len(_changes(screen)) == 1
        # typing in the English name saves the name in both languages as the form shows them
        await _submit(pilot, form, "name_en", "Kung Pao Chicken")
        item = _item(screen, "kung-pao-chicken")
        assert item.names == Names(zh="宫保鸡丁 Kung Pao Chicken", en="Kung Pao Chicken")
        assert item.descriptions == Names()  # the description was not touched


async def test_hidden_toggled_twice_is_back_to_no_change(english: None) -> None:
    app, _ = _app(msgspec.structs.replace(demo_menu(), store_id="store-1", version=3))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _editor(pilot, app)
        form = await _open_item(pilot, screen, "kung-pao-chicken")
        box = form.query_one("#field-hidden", Checkbox)
        for expected in (True, False):
            box.value = not box.value
            await pilot.pause()
            await pilot.pause()
            assert _item(screen, "kung-pao-chicken").hidden is expected


async def test_hostile_text_is_kept_until_its_field_is_saved_then_saved_as_shown(english: None) -> None:
    app, _ = _app(hostile_menu())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _editor(pilot, app)
        form = await _open_item(pilot, screen, "mapo-tofu")
        # another field: the untouched names are no change; the rules' word on them is shown, and blocks nothing
        await _submit(pilot, form, "price", "27")
        assert _item(screen, "mapo-tofu").names.en == EVIL_EN
        assert [c.fields for c in _changes(screen)] == [["price"]]
        assert "control" in str(form.query_one("#error-name_en").render()).lower()
        # Enter in the field that holds them saves it as the form shows it
        await _submit(pilot, form, "name_en")
        item = _item(screen, "mapo-tofu")
        assert item.names == Names(zh=EVIL_ZH, en="Evil \ufffd]0;TITLE\ufffd \ufffd[31mred")
        assert not form.query_one("#error-name_en").display  # the hint went with the escapes
        assert item.descriptions.en == EVIL_DESC  # the description was not saved
        await _submit(pilot, form, "desc_en")
        assert _item(screen, "mapo-tofu").descriptions.en == "\ufffd31m C1 \ufffdRLO"
        assert sorted(field for c in _changes(screen) for field in c.fields) == [
            "descriptions.en",
            "names.en",
            "price",
        ]


# --- D11: the tree keeps its columns -----------------------------------------------------------------------------

PRICE = re.compile(r"\+?\d+\.\d\d ")


def _tree_rows(app: MenuEditorApp) -> list[str]:
    screen = app.screen
    assert isinstance(screen, MenuEditorScreen)
    region = screen.menu_tree.region
    lines = terminal_text(app).splitlines()[region.y : region.bottom]
    rows = []
    for line in lines:
        cells, text = 0, ""
        for char in line:  # the tree's columns of the line
            if cells >= region.right:
                break
            if cells >= region.x:
                text += char
            cells += cell_len(char)
        rows.append(text)
    return rows


def _price_end(row: str) -> int:
    match = PRICE.search(row)
    assert match, row
    return cell_len(row[: match.end()])


@pytest.mark.parametrize("size", [(80, 24), (40, 15)], ids=["80x24", "40x15"])
async def test_tags_follow_the_name_and_the_price_column_holds(lang: str, size: tuple[int, int]) -> None:
    menu = msgspec.structs.replace(demo_menu(), store_id="store-1", version=3)
    menu = update_item(menu, "kung-pao-chicken", hidden=True)
    menu = update_item(menu, "mapo-tofu", snooze_until=FROZEN_NOW + timedelta(hours=2))
    app, _ = _app(menu)
    async with app.run_test(size=size) as pilot:
        await _editor(pilot, app)
        await pilot.pause()
        rows = _tree_rows(app)
        items = [row for row in rows if PRICE.search(row) and row.startswith(("├", "└"))]
        assert len(items) >= 6, rows
        assert len({_price_end(row) for row in items}) == 1, (
            items
        )  # one price column, leaves and sold out too
        hidden = "已隐藏" if lang == "zh" else "hidden"
        sold_out = "[售罄至 " if lang == "zh" else "[sold out → "
        kung_pao = next(row for row in items if "宫保" in row)
        mapo = next(row for row in items if "麻婆" in row or "Mapo" in row)
        assert kung_pao.rstrip().endswith(hidden), kung_pao
        assert re.search(re.escape(sold_out) + r"\d\d:\d\d\]$", mapo.rstrip()), mapo


# --- D1: the rebase screen shows both sides' stored text as plain text -------------------------------------------


async def test_the_rebase_screen_shows_hostile_menu_text_as_plain_text(english: None) -> None:
    from screens.menu_rebase import MenuRebaseScreen

    base = msgspec.structs.replace(demo_menu(), store_id="store-1", version=3)
    mine = update_item(base, "mapo-tofu", names=Names(zh=EVIL_ZH, en=EVIL_EN), description=EVIL_DESC)
    theirs = msgspec.structs.replace(
        update_item(base, "mapo-tofu", names=Names(en="Theirs \x1b]52;c;cHduZWQ=\x07")), version=4
    )
    rebase = menu_draft.rebase(menu_draft.apply(menu_draft.start(base), mine), theirs)
    assert rebase.conflicts
    app, _ = _app(base)
    async with app.run_test(size=(80, 24)) as pilot:
        await _editor(pilot, app)
        await app.push_screen(MenuRebaseScreen(rebase))
        await pilot.pause()
        shown = terminal_text(app)
        assert not RAW.search(shown), repr(RAW.findall(shown))
        assert "\ufffd]0;TITLE" in shown and "\ufffd]52;c;" in shown
        assert app.is_running
