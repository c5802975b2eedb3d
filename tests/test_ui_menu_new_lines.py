"""A new menu line does not go on sale as a placeholder, a publish previews against what is published now, and the
availability dialog names what it changes: the menu editor against the real platform and a real cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from textual.app import App
from textual.pilot import Pilot

from o2o_tui import menu_edits
from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.menu import Item, Menu, Names, Option
from o2o_tui.domain.menu_rules import added_warnings, menu_warnings
from o2o_tui.domain.money import Money
from o2o_tui.i18n import set_language
from screens.menu_editor import MenuEditorApp, MenuEditorScreen
from screens.menu_form import MenuForm
from screens.menu_source import source_for_profile
from screens.menu_tree import NodeRef
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_ui_live import wait_until

MAPO = NodeRef("item", "mapo-tofu", "hot-dishes")


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


def _server_menu(platform: RunningPlatform) -> dict[str, Any]:
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        answer = merchant.get(f"/v1/stores/{platform.seed.store_id}/menu")
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]
    finally:
        merchant.close()


def _server_item(platform: RunningPlatform, item_id: str) -> dict[str, Any] | None:
    menu = _server_menu(platform)
    return next((i for c in menu["categories"] for i in c["items"] if i["id"] == item_id), None)


def _publish_elsewhere(platform: RunningPlatform, item_id: str, amount: int) -> int:
    """Another counter publishes a new price of `item_id`; the new version."""
    assert platform.seed is not None
    menu = _server_menu(platform)
    for category in menu["categories"]:
        for item in category["items"]:
            if item["id"] == item_id:
                item["price"]["amount"] = amount
    staff = api(platform, "merchant")
    try:
        answer = staff.put(
            f"/v1/stores/{platform.seed.store_id}/menu", menu, headers={"If-Match": str(menu["version"])}
        )
        assert answer.status_code == 200, answer.text
        return int(answer.json()["version"])
    finally:
        staff.close()


def _order(platform: RunningPlatform, item_id: str) -> Any:
    assert platform.seed is not None
    customer = api(platform, "customer")
    try:
        line = {"item_id": item_id, "quantity": 3}
        return customer.post("/v1/orders", order_body(platform.seed.store_id, "TAKEOUT", lines=[line]))
    finally:
        customer.close()


def _toasts(app: App[Any]) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _title(app: App[Any]) -> str:
    """The dialog's title, its folded lines joined (no spaces between Chinese words)."""
    words = str(app.screen.query_one(".title").render()).split()
    return ("" if set("".join(words)) & set("的") else " ").join(words)


async def _opened(pilot: Pilot[Any], app: MenuEditorApp) -> MenuEditorScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None)
    screen = app.screen
    assert isinstance(screen, MenuEditorScreen)
    return screen


async def _select(pilot: Pilot[Any], screen: MenuEditorScreen, ref: NodeRef) -> None:
    assert screen.menu_tree.select_ref(ref)
    await pilot.pause()
    await wait_until(
        pilot, lambda: screen.menu_tree.cursor_ref is not None and screen.menu_tree.cursor_ref.id == ref.id
    )


def _draft_line(screen: MenuEditorScreen, kind: str, line_id: str) -> Any:
    assert screen.draft is not None
    return menu_edits.find(screen.draft.menu, kind, line_id)  # type: ignore[arg-type]


async def _add_item(pilot: Pilot[Any], app: App[Any], screen: MenuEditorScreen) -> str:
    """`a`, `1` (an item in this category) on mapo tofu: the new item's id."""
    await _select(pilot, screen, MAPO)
    await pilot.press("a")
    await wait_until(pilot, lambda: type(app.screen).__name__ == "ChoicePrompt")
    before = menu_edits.all_ids(screen.draft.menu)  # type: ignore[union-attr]
    await pilot.press("1")
    await wait_until(pilot, lambda: len(menu_edits.all_ids(screen.draft.menu) - before) == 1)  # type: ignore[union-attr]
    await pilot.pause()
    [new_id] = menu_edits.all_ids(screen.draft.menu) - before  # type: ignore[union-attr]
    return new_id


async def _set_field(pilot: Pilot[Any], screen: MenuEditorScreen, field: str, value: str) -> None:
    screen.query_one(MenuForm).focus_field(field)
    await pilot.pause()
    screen.query_one(f"#field-{field}").value = value  # type: ignore[attr-defined]
    await pilot.press("enter")
    await pilot.pause()


async def _publish(
    pilot: Pilot[Any], app: App[Any], screen: MenuEditorScreen, keys: tuple[str, ...] = ("enter",)
) -> None:
    await wait_until(pilot, lambda: type(app.screen).__name__ == "MenuPublishScreen")
    await pilot.press(*keys)
    await wait_until(pilot, lambda: getattr(app.screen, "state", "") == "done", timeout=30)
    assert app.screen.result == "published", str(app.screen.query_one("#publish-status").render())  # type: ignore[attr-defined]
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.screen is screen)


def test_warnings_name_visible_free_items_and_placeholder_names_only() -> None:
    cny = Money(0, "CNY")
    lines = [
        Item(id="new", name="New item", price=cny, names=Names(en="New item")),
        Item(id="chopsticks", name="筷子", price=cny),
        Item(id="half-named", name="春卷", price=Money(800, "CNY"), names=Names(zh="春卷", en="New item")),
        Item(id="draft", name="New item", price=cny, hidden=True),
        Item(id="rolls", name="春卷", price=Money(800, "CNY")),
    ]
    from o2o_tui.domain.menu import Category, OptionGroup

    group = OptionGroup(
        id="g", name="Sauce", min=0, max=1, options=[Option(id="o", name="新规格", price=cny)]
    )
    menu = Menu(
        store_id="s",
        version=1,
        currency="CNY",
        categories=[Category(id="c", name="C", items=lines)],
        option_groups=[group],
    )
    found = {(w.entity_id, w.code) for w in menu_warnings(menu, menu_edits.placeholder_names())}
    assert found == {
        ("new", "placeholder_name"),
        ("new", "free_item"),
        ("chopsticks", "free_item"),  # asked about, not refused: a free line can be meant
        ("half-named", "placeholder_name"),  # a customer reading English would see "New item"
        ("o", "placeholder_name"),  # an option at 0 is usual ("no ice"); its placeholder name is not
    }
    # what is published already is not asked about again: only what a publish adds
    base = msgspec.structs.replace(menu, categories=[Category(id="c", name="C", items=lines[1:2])])
    added = {(w.entity_id, w.code) for w in added_warnings(base, menu, menu_edits.placeholder_names())}
    assert added == found - {("chopsticks", "free_item"), ("o", "placeholder_name")}  # both in the base


async def test_a_new_item_starts_hidden_and_goes_on_sale_once_named_and_priced(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        new_id = await _add_item(pilot, app, screen)
        assert _draft_line(screen, "item", new_id).hidden
        assert any("hidden" in text for text in _toasts(app))
        await pilot.press("escape")
        await pilot.press("P")  # published as it is: hidden, so nobody can order "New item" at 0.00
        await _publish(pilot, app, screen)
        published = _server_item(platform, new_id)
        assert published is not None and published["hidden"] and published["price"]["amount"] == 0
        refused = _order(platform, new_id)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "item_unavailable"

        await _select(pilot, screen, NodeRef("item", new_id, "hot-dishes"))
        await pilot.press("enter")
        await pilot.pause()
        # named in Chinese: the English "New item" goes with it
        await _set_field(pilot, screen, "name_zh", "春卷")
        await wait_until(pilot, lambda: _draft_line(screen, "item", new_id).names.zh == "春卷")
        named = _draft_line(screen, "item", new_id)
        assert named.names.en == "" and named.name == "春卷" and named.hidden  # named, but still no price
        assert screen.query_one("#field-name_en").value == ""  # type: ignore[attr-defined]
        await _set_field(pilot, screen, "price", "12")
        await wait_until(pilot, lambda: not _draft_line(screen, "item", new_id).hidden)
        assert screen.query_one("#field-hidden").value is False  # type: ignore[attr-defined]
        await pilot.press("escape")
        await pilot.press("P")
        await _publish(pilot, app, screen)  # no warning left: Enter publishes
        on_sale = _server_item(platform, new_id)
        assert on_sale is not None and not on_sale["hidden"] and on_sale["price"]["amount"] == 1200
        assert _order(platform, new_id).status_code == 201


async def test_publishing_a_free_placeholder_asks_first_and_y_publishes_it(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        new_id = await _add_item(pilot, app, screen)
        await pilot.press("escape")
        await _select(pilot, screen, NodeRef("item", new_id, "hot-dishes"))
        await pilot.press("h")  # shown on purpose, still "New item" at 0.00
        await wait_until(pilot, lambda: not _draft_line(screen, "item", new_id).hidden)
        version = _server_menu(platform)["version"]
        await pilot.press("P")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "MenuPublishScreen")
        await pilot.pause()
        head = str(app.screen.query_one("#publish-problems").render())
        assert "New item" in head and "customers get it free" in head and "name it got when added" in head
        assert "y publishes" in str(app.screen.query_one("#publish-status").render())
        await pilot.press("enter")  # not enough: nothing is sent
        await pilot.pause(0.3)
        assert app.screen.state == "confirm" and _server_menu(platform)["version"] == version  # type: ignore[attr-defined]
        await _publish(pilot, app, screen, keys=("y",))
        assert _server_item(platform, new_id) is not None

        # what is on sale already is not asked about at every publish: a price change elsewhere goes with Enter
        await _select(pilot, screen, MAPO)
        await pilot.press("enter")
        await pilot.pause()
        await _set_field(pilot, screen, "price", "29")
        await pilot.press("escape")
        await pilot.press("P")
        await _publish(pilot, app, screen)
        assert _server_item(platform, "mapo-tofu")["price"]["amount"] == 2900  # type: ignore[index]


async def test_a_publish_after_a_newer_version_merges_first_and_is_refused_nowhere(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        await _select(pilot, screen, MAPO)
        await pilot.press("enter")
        await pilot.pause()
        await _set_field(pilot, screen, "price", "28")
        await wait_until(pilot, lambda: _draft_line(screen, "item", "mapo-tofu").price.amount == 2800)
        await pilot.press("escape")
        base = screen.draft.base.version  # type: ignore[union-attr]
        theirs = _publish_elsewhere(platform, "mapo-tofu", 2700)
        await wait_until(pilot, lambda: (screen.source.menu() or screen.draft.base).version == theirs)  # type: ignore[union-attr]

        await pilot.press("P")  # the conflict is shown before anything is sent
        await wait_until(pilot, lambda: type(app.screen).__name__ == "MenuRebaseScreen")
        await pilot.press("m", "enter")  # mine: 28.00
        await wait_until(pilot, lambda: type(app.screen).__name__ == "MenuPublishScreen")
        assert f"version {theirs}" in str(app.screen.query_one(".menu-title").render())
        diff = str(app.screen.query_one("#diff-text").render())
        assert "27.00" in diff and "28.00" in diff and "26.00" not in diff  # against what is published now
        await _publish(pilot, app, screen)
        assert _server_menu(platform)["version"] == base + 2
        assert _server_item(platform, "mapo-tofu")["price"]["amount"] == 2800  # type: ignore[index]
        cache = screen.source._cache  # type: ignore[attr-defined]
        assert await cache.call(cache.outbox.conflicts) == []  # nothing refused, so nothing to say twice
        assert not [text for text in _toasts(app) if "someone else" in text]


async def test_a_newer_version_without_conflict_previews_only_my_changes(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        await _select(pilot, screen, MAPO)
        await pilot.press("enter")
        await pilot.pause()
        await _set_field(pilot, screen, "price", "28")
        await pilot.press("escape")
        theirs = _publish_elsewhere(platform, "cola", 650)
        await wait_until(pilot, lambda: (screen.source.menu() or screen.draft.base).version == theirs)  # type: ignore[union-attr]
        await pilot.press("P")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "MenuPublishScreen")
        assert f"version {theirs}" in str(app.screen.query_one(".menu-title").render())
        assert "6.50" not in str(app.screen.query_one("#diff-text").render())  # theirs is not "my change"
        await _publish(pilot, app, screen)
        assert _server_item(platform, "mapo-tofu")["price"]["amount"] == 2800  # type: ignore[index]
        assert _server_item(platform, "cola")["price"]["amount"] == 650  # type: ignore[index]


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_availability_dialog_names_how_many_items_or_options(
    platform: RunningPlatform, profile: Profile, lang: str
) -> None:
    set_language(lang)
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        await _select(pilot, screen, MAPO)
        await pilot.press("o")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ChoicePrompt")
        title = _title(app)
        assert (
            ("Availability of 1 item (" in title) if lang == "en" else title.startswith("1个菜品的供应状态")
        )
        await pilot.press("escape")
        await pilot.pause()
        for item in ("mapo-tofu", "kung-pao-chicken", "cola"):
            await _select(pilot, screen, NodeRef("item", item, ""))
            await pilot.press("space")
            await pilot.pause()
        await pilot.press("o")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ChoicePrompt")
        await pilot.press("2")  # sold out until the end of the day: sent to the platform at once
        await wait_until(
            pilot,
            lambda: all((_server_item(platform, i) or {}).get("snooze_until") for i in ("mapo-tofu", "cola")),
        )
        said = "Availability of 3 items sent." if lang == "en" else "已发送 3 个菜品的供应状态。"
        await wait_until(pilot, lambda: said in _toasts(app))
        await _select(pilot, screen, NodeRef("option", "spice-mild", ""))
        await pilot.press("o")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ChoicePrompt")
        title = _title(app)
        assert (
            ("Availability of 1 option (" in title) if lang == "en" else title.startswith("1个选项的供应状态")
        )


async def test_a_publish_refused_by_a_race_is_said_once_in_the_dialog(
    platform: RunningPlatform, profile: Profile
) -> None:
    """Someone publishes while the preview is open: the dialog says the publish was refused and the rebase screen
    follows; the sync's explanation of that same refusal is not toasted over it (nor afterwards)."""
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        await _select(pilot, screen, MAPO)
        await pilot.press("enter")
        await pilot.pause()
        await _set_field(pilot, screen, "price", "28")
        await pilot.press("escape")
        await pilot.press("P")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "MenuPublishScreen")
        theirs = _publish_elsewhere(platform, "mapo-tofu", 2700)  # after the preview, before Enter
        await pilot.press("enter")
        await wait_until(pilot, lambda: getattr(app.screen, "state", "") == "done", timeout=30)
        assert app.screen.result == "conflict"  # type: ignore[attr-defined]
        assert f"version {theirs}" in str(app.screen.query_one("#publish-status").render())
        cache = screen.source._cache  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: bool(cache.outbox.conflicts()))  # the sync has the refusal too
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "MenuRebaseScreen")
        await pilot.pause(0.5)
        assert not [text for text in _toasts(app) if "someone else" in text.lower()]
        await pilot.press("m", "enter")
        await _publish(pilot, app, screen)
        assert _server_item(platform, "mapo-tofu")["price"]["amount"] == 2800  # type: ignore[index]
        await pilot.pause(0.5)
        assert not [text for text in _toasts(app) if "someone else" in text.lower()]
