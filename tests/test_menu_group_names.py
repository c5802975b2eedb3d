"""An item's option groups are typed and shown by their names, as the tree shows them: the editor's field takes a
group's name in either language (case and width aside, or the start of one that names only that group; ids still
work), separated by , ， 、 ; or spaces; a name that is no group's, or several groups', is refused saying which
groups it could be; the field shows the names back. `o2o menu show` lists an item's groups by name, the tree says
a group's range in words. The editor against the real platform with a real cache; `o2o menu show` through the
real CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.menu import Item, Menu, Names, OptionGroup
from o2o_tui.i18n import current_language, set_language
from o2o_tui.menu_edits import GroupTypo, all_ids, find, group_list_text, groups_from_text
from screens.menu_editor import MenuEditorApp, MenuEditorScreen
from screens.menu_form import MenuForm
from screens.menu_source import source_for_profile
from screens.menu_tree import NodeRef, pick_words
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import Cli
from tests.test_ui_live import wait_until

MAPO = NodeRef("item", "mapo-tofu", "hot-dishes")


def _group(group_id: str, zh: str, en: str) -> OptionGroup:
    return OptionGroup(id=group_id, name=zh, min=1, max=1, options=[], names=Names(zh=zh, en=en))


DUMPLINGS = Menu(
    store_id="s",
    version=1,
    currency="CNY",
    categories=[],
    option_groups=[
        _group("spice", "辣度", "Spice level"),
        _group("rice", "米饭", "Rice"),
        _group("group-paxugs", "蘸料", "Dip"),
        _group("oil", "辣油", "Chili oil"),
    ],
)


@pytest.mark.parametrize(
    ("typed", "ids"),
    [
        ("辣度", ["spice"]),
        ("辣度 米饭", ["spice", "rice"]),
        ("辣度，蘸料、米饭", ["spice", "group-paxugs", "rice"]),
        ("spice level, RICE", ["spice", "rice"]),
        ("ＳＰＩＣＥ　ｌｅｖｅｌ dip", ["spice", "group-paxugs"]),  # what a Chinese input method types
        ("Spice level rice", ["spice", "rice"]),  # a name with a space, then another by spaces
        ("蘸", ["group-paxugs"]),  # the start of one name
        ("chili", ["oil"]),
        ("spice,rice;group-paxugs", ["spice", "rice", "group-paxugs"]),  # ids still work
        ("辣度 辣度 spice", ["spice"]),  # each group once
        ("", []),
    ],
)
def test_a_typed_list_of_names_or_ids(typed: str, ids: list[str]) -> None:
    assert groups_from_text(DUMPLINGS, typed) == (ids, [])


def test_a_name_of_none_or_of_several_says_which_it_could_be() -> None:
    assert groups_from_text(DUMPLINGS, "辣、米饭") == (["rice"], [GroupTypo("辣", ["spice", "oil"])])
    assert groups_from_text(DUMPLINGS, "饺子 rice") == (["rice"], [GroupTypo("饺子", [])])


def test_the_field_shows_names_that_read_back_as_the_same_groups() -> None:
    ids = ["spice", "group-paxugs", "rice"]
    assert group_list_text(DUMPLINGS, ids, "zh", "、") == "辣度、蘸料、米饭"
    assert group_list_text(DUMPLINGS, ids, "en", ", ") == "Spice level, Dip, Rice"
    twins = Menu(
        store_id="s",
        version=1,
        currency="CNY",
        categories=[],
        option_groups=[
            _group("a", "辣度", "Spice"),
            _group("b", "辣度", "Heat"),
            _group("c", "甜, 咸", "Sweet"),
        ],
    )
    shown = group_list_text(twins, ["a", "b", "c"], "zh", "、")
    assert shown.startswith("a、b、")  # a name two groups share: the ids
    assert groups_from_text(twins, shown) == (["a", "b", "c"], [])  # and each reads back as its group


def test_the_tree_says_a_groups_range_in_words() -> None:
    try:
        set_language("zh")
        assert [pick_words(1, 1), pick_words(0, 2), pick_words(1, 3)] == [
            "选 1 项",
            "最多选 2 项",
            "选 1-3 项",
        ]
        set_language("en")
        assert [pick_words(1, 1), pick_words(0, 2), pick_words(1, 3)] == [
            "Pick 1",
            "Pick up to 2",
            "Pick 1-3",
        ]
    finally:
        set_language(None)


@pytest.fixture(params=["zh", "en"])
def profile(
    request: pytest.FixtureRequest, platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language(request.param)
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


async def _select(pilot: Pilot[Any], screen: MenuEditorScreen, ref: NodeRef) -> None:
    assert screen.menu_tree.select_ref(ref)
    await wait_until(
        pilot, lambda: screen.menu_tree.cursor_ref is not None and screen.menu_tree.cursor_ref.id == ref.id
    )


async def _type_in(pilot: Pilot[Any], screen: MenuEditorScreen, field: str, text: str) -> None:
    screen.query_one(MenuForm).focus_field(field)
    await wait_until(pilot, lambda: screen.focused is not None and screen.focused.id == f"field-{field}")
    screen.query_one(f"#field-{field}", Input).value = text
    await pilot.press("enter")
    await pilot.pause()


def _item(screen: MenuEditorScreen) -> Item:
    assert screen.draft is not None
    item = find(screen.draft.menu, "item", MAPO.id)
    assert isinstance(item, Item)
    return item


async def test_the_owner_offers_a_group_just_made_by_its_name(profile: Profile) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(40, 15)) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None
        )
        screen = app.screen
        assert isinstance(screen, MenuEditorScreen)
        assert screen.draft is not None
        await _select(pilot, screen, MAPO)
        before = all_ids(screen.draft.menu)
        await pilot.press("a")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ChoicePrompt")
        await pilot.press("3")  # on an item: 1 an item, 2 a category, 3 an option group
        await wait_until(
            pilot, lambda: screen.draft is not None and len(all_ids(screen.draft.menu) - before) == 1
        )
        [made] = all_ids(screen.draft.menu) - before
        await pilot.pause()
        zh = current_language() == "zh"
        name = "蘸料" if zh else "Dip"
        await _type_in(
            pilot, screen, "name_zh" if zh else "name_en", name
        )  # the name in the console's language
        await wait_until(
            pilot, lambda: find(screen.draft.menu, "group", made).names.get(current_language()) == name
        )  # type: ignore[union-attr]

        await pilot.press("escape")  # the narrow form closes: back to the tree
        await wait_until(pilot, lambda: screen.focused is screen.menu_tree)
        await _select(pilot, screen, MAPO)
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: isinstance(screen.focused, Input) and screen.focused.id == "field-name_zh"
        )
        await pilot.pause()
        field = screen.query_one("#field-groups", Input)
        separator = "、" if zh else ", "
        assert field.value == separator.join(
            ["辣度 Spice level", "加米饭 Add rice"]
        )  # names, not "spice, rice"
        await _type_in(pilot, screen, "groups", "辣度、蘸料" if zh else "spice level dip")
        await wait_until(pilot, lambda: _item(screen).option_group_ids == ["spice", made])
        await wait_until(pilot, lambda: field.value == separator.join(["辣度 Spice level", name]))  # as found

        await _type_in(pilot, screen, "groups", "米饭")  # no group's name starts so: 加米饭 Add rice
        error = screen.query_one("#error-groups")
        await wait_until(pilot, lambda: error.display)
        said = str(error.render())
        assert "米饭" in said and "加米饭 Add rice" in said and name in said, said  # which groups there are
        assert _item(screen).option_group_ids == ["spice", made]


def test_menu_show_names_an_items_groups(platform: RunningPlatform, tmp_path: Path) -> None:
    assert platform.seed is not None
    cli = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    cli("login", "--url", platform.url, "--token", cli.token)
    shown = cli("menu", "show", lang="zh").stdout
    mapo = next(line for line in shown.splitlines() if line.startswith("  mapo-tofu  "))
    assert mapo.endswith("选项：辣度 Spice level、加米饭 Add rice"), mapo
    english = cli("menu", "show").stdout
    mapo = next(line for line in english.splitlines() if line.startswith("  mapo-tofu  "))
    assert mapo.endswith("options: 辣度 Spice level, 加米饭 Add rice"), mapo
    assert cli.json("menu", "show")["categories"][0]["items"][1]["option_group_ids"] == ["spice", "rice"]


def test_the_pick_list_keeps_the_items_order_and_adds_after_it() -> None:
    from screens.menu_group_pick import picked_order

    assert picked_order(["rice", "spice"], ["spice", "oil", "rice", "group-paxugs"], DUMPLINGS) == [
        "rice",
        "spice",
        "group-paxugs",
        "oil",
    ]
    assert picked_order(["rice", "spice"], ["spice"], DUMPLINGS) == ["spice"]


async def test_f2_in_the_groups_field_ticks_groups_from_a_list(profile: Profile) -> None:
    from screens.menu_group_pick import GroupPick

    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(40, 15)) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None
        )
        screen = app.screen
        assert isinstance(screen, MenuEditorScreen)
        await _select(pilot, screen, MAPO)
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: isinstance(screen.focused, Input) and screen.focused.id == "field-name_zh"
        )
        screen.menu_form.focus_field("groups")
        await wait_until(pilot, lambda: screen.focused is not None and screen.focused.id == "field-groups")
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, GroupPick))
        # spice and rice ticked (the item's); the cursor on spice: rice off, temperature (ice) on
        await pilot.press("down", "space", "down", "space", "enter")
        await wait_until(pilot, lambda: _item(screen).option_group_ids == ["spice", "ice"])
        field = screen.query_one("#field-groups", Input)
        assert field.value == (
            "辣度 Spice level、温度 Temperature"
            if current_language() == "zh"
            else "辣度 Spice level, 温度 Temperature"
        )
        assert screen.focused is field

        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, GroupPick))
        await pilot.press("space", "escape")  # Esc: nothing changes
        await wait_until(pilot, lambda: app.screen is screen)
        await pilot.pause()
        assert _item(screen).option_group_ids == ["spice", "ice"]
