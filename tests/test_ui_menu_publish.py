"""The menu's diff, publish and rebase screens: Pilot tests, and two editors publishing from one version against
the real platform (the second gets the 412, merges item by item on the rebase screen, and publishes again)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from o2o_tui import menu_draft, menu_edits
from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.menu import Category, Item, Menu, Names, Option, OptionGroup
from o2o_tui.domain.money import Money
from o2o_tui.i18n import set_language
from o2o_tui.menu_draft import MenuDraft
from o2o_tui.sync.perform import Outcome, perform
from o2o_tui.sync.session import open_cache
from screens.menu_diff import MenuDiffScreen, diff_content, sections
from screens.menu_publish import MenuPublishScreen, PublishAnswer
from screens.menu_rebase import MenuRebaseScreen
from tests.support.platform import RunningPlatform, api

HOSTILE = "[/] [@click=app.quit]x[/] \x1b]0;pwned\x07"
# hostile to a screen but publishable: the rules refuse control characters in menu text (menu_rules), not markup
MARKUP = "[/] [@click=app.quit]x[/]"


def cny(amount: int) -> Money:
    return Money(amount, "CNY")


def sample_menu(version: int = 3) -> Menu:
    """Two categories, one option group; CJK, emoji and a name that looks like markup."""
    spice = OptionGroup(
        "spice",
        "辣度 Spice",
        1,
        1,
        [Option("mild", "微辣 Mild", cny(0)), Option("hot", "特辣 Hot 🌶", cny(100))],
    )
    hot = Category(
        "hot",
        "热菜 Hot dishes",
        [
            Item("kung-pao", "宫保鸡丁 Kung Pao Chicken", cny(3800), option_group_ids=["spice"]),
            Item("mapo", "麻婆豆腐 Mapo Tofu", cny(2600), names=Names("麻婆豆腐", "Mapo Tofu")),
            Item("fish", "水煮鱼 Boiled Fish 🐟", cny(6800), prep_minutes=20),
        ],
    )
    drinks = Category("drinks", "饮料 Drinks", [Item("tea", "菊花茶 Chrysanthemum tea", cny(800))])
    return Menu("store-1", version, "CNY", [hot, drinks], [spice])


def edited_draft(base: Menu, name: str = HOSTILE) -> MenuDraft:
    """A price change, a renamed item with hostile text (`name`), a new item, a removed one, a moved one."""
    mine = menu_edits.update_item(base, "kung-pao", price=cny(4200))
    mine = menu_edits.update_item(mine, "tea", name=name)
    mine = menu_edits.delete(mine, "item", "mapo")
    mine = menu_edits.add_item(mine, "drinks", Item("cola", "可乐 Cola", cny(500)))
    mine = menu_edits.move(mine, "item", "fish", -1)
    mine = menu_edits.update_option(mine, "hot", price=cny(200))
    return menu_draft.apply(menu_draft.start(base), mine)


class Host(App[None]):
    """A bare app that opens one screen and keeps what it dismissed with."""

    def __init__(self, make: Callable[[], Screen[Any]], publisher: Any = None) -> None:
        super().__init__()
        self._make = make
        self.menu_publisher = publisher
        self.results: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(self._make(), self.results.append)


class FixedPublisher:
    def __init__(self, answer: PublishAnswer) -> None:
        self.answer = answer
        self.sent: list[MenuDraft] = []

    async def publish(self, draft: MenuDraft) -> PublishAnswer:
        self.sent.append(draft)
        return self.answer


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def screen_text(app: App[Any]) -> str:
    return "\n".join(str(static.render()) for static in app.screen.query(Static))


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not reached"
        await pilot.pause(0.05)


# --- the diff ---------------------------------------------------------------------------------------------------


def test_diff_is_grouped_by_category_then_option_groups() -> None:
    draft = edited_draft(sample_menu())
    changes = menu_draft.diff(draft.base, draft.menu)
    found = [(section.key, [(c.kind, c.id) for c in section.changes]) for section in sections(changes)]
    assert [key for key, _ in found] == ["hot", "drinks", "\0groups"]
    hot = dict(found)["hot"]
    assert ("changed", "kung-pao") in hot and ("removed", "mapo") in hot and ("moved", "fish") in hot
    assert ("added", "cola") in dict(found)["drinks"]
    assert dict(found)["\0groups"] == [("changed", "hot")]
    text = diff_content(changes).plain
    assert "1 added, 1 removed, 3 changed, 1 moved" in text.splitlines()[0]
    assert "price: 38.00 → 42.00" in text
    assert "\x1b" not in text and "[@click=app.quit]x[/]" in text  # shown as text, escape made harmless


async def test_diff_screen_shows_hostile_names_as_text_and_closes() -> None:
    draft = edited_draft(sample_menu())
    app = Host(lambda: MenuDiffScreen(menu_draft.diff(draft.base, draft.menu)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MenuDiffScreen)
        assert "[@click=app.quit]x[/]" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]
        assert app.is_running  # the hostile name's "action" never ran


# --- publish ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "result"),
    [
        (PublishAnswer("published", version=4), "published"),
        (PublishAnswer("queued", message="connection refused"), "queued"),
        (PublishAnswer("conflict", version=5), "conflict"),
        (PublishAnswer("refused", message="forbidden"), "cancelled"),
    ],
)
async def test_publish_sends_on_enter_and_dismisses_with_the_outcome(
    answer: PublishAnswer, result: str
) -> None:
    draft = edited_draft(sample_menu(), MARKUP)
    publisher = FixedPublisher(answer)
    app = Host(lambda: MenuPublishScreen(draft), publisher)  # found on the app: no publisher= given
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen.state == "done")  # type: ignore[attr-defined]
        assert publisher.sent == [draft]
        status = str(app.screen.query_one("#publish-status", Static).render())
        assert {"published": "version 4", "queued": "connection refused", "conflict": "version 5"}.get(
            answer.outcome, "forbidden"
        ) in status
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [result]


async def test_publish_refuses_a_draft_that_breaks_a_rule_and_cancels_on_escape() -> None:
    base = sample_menu()
    broken = menu_draft.apply(menu_draft.start(base), menu_edits.update_item(base, "mapo", price=cny(-1)))
    publisher = FixedPublisher(PublishAnswer("published", version=4))
    app = Host(lambda: MenuPublishScreen(broken, publisher=publisher))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        problems = str(app.screen.query_one("#publish-problems", Static).render())
        assert "categories[0].items[1].price" in problems
        await pilot.press("enter")
        await pilot.pause()
        assert publisher.sent == []  # nothing is sent while a rule is broken
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == ["cancelled"]


async def test_publish_with_no_changes_sends_nothing() -> None:
    publisher = FixedPublisher(PublishAnswer("published", version=4))
    app = Host(lambda: MenuPublishScreen(menu_draft.start(sample_menu()), publisher=publisher))
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert publisher.sent == [] and "Nothing to publish" in screen_text(app)


# --- rebase -----------------------------------------------------------------------------------------------------


def conflicting() -> tuple[Menu, MenuDraft, Menu]:
    """Mine: kung-pao 42.00, mapo removed, fish 70.00. Theirs (v4): kung-pao 40.00, mapo 27.00, tea hidden."""
    base = sample_menu()
    mine = menu_edits.update_item(base, "kung-pao", price=cny(4200))
    mine = menu_edits.delete(mine, "item", "mapo")
    mine = menu_edits.update_item(mine, "fish", price=cny(7000))
    theirs = menu_edits.update_item(base, "kung-pao", price=cny(4000))
    theirs = menu_edits.update_item(theirs, "mapo", price=cny(2700))
    theirs = msgspec.structs.replace(menu_edits.set_hidden(theirs, ["tea"], True), version=4)
    return base, menu_draft.apply(menu_draft.start(base), mine), theirs


def _item(menu: Menu, item_id: str) -> Item | None:
    return next((i for c in menu.categories for i in c.items if i.id == item_id), None)


@pytest.mark.parametrize("size", [(80, 24), (40, 15)], ids=["side-by-side", "stacked"])
async def test_rebase_takes_mine_or_theirs_per_conflict(size: tuple[int, int]) -> None:
    _, draft, theirs = conflicting()
    rebase = menu_draft.rebase(draft, theirs)
    assert {(c.entity, c.id) for c in rebase.conflicts} == {("item", "kung-pao"), ("item", "mapo")}
    app = Host(lambda: MenuRebaseScreen(rebase))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MenuRebaseScreen)
        sides = screen.query_one("#rebase-sides")
        mine_box, theirs_box = screen.query_one("#rebase-mine"), screen.query_one("#rebase-theirs")
        if size[0] >= 60:
            assert mine_box.region.y == theirs_box.region.y and mine_box.region.x < theirs_box.region.x
        else:
            assert mine_box.region.x == theirs_box.region.x and mine_box.region.y < theirs_box.region.y
        assert sides.display
        first = screen.current()
        assert first is not None and first.id == "kung-pao"
        assert "¥42.00" in str(screen.query_one("#mine-text", Static).render())
        assert "¥40.00" in str(screen.query_one("#theirs-text", Static).render())
        await pilot.press("enter")  # not yet: one conflict is not resolved
        await pilot.pause()
        assert app.results == [] and "2 conflicts left" in screen_text(app)
        await pilot.press("m")  # kung-pao: mine (42.00)
        await pilot.pause()
        second = screen.current()
        assert second is not None and second.id == "mapo"
        assert "deleted" in str(screen.query_one("#mine-text", Static).render())
        await pilot.press("t")  # mapo: theirs (kept, at 27.00)
        await pilot.pause()
        assert "All conflicts resolved (2)" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
    [resolved] = app.results
    assert isinstance(resolved, menu_draft.Rebase) and resolved.conflicts == []
    merged = resolved.draft.menu
    assert resolved.draft.base.version == 4
    assert _item(merged, "kung-pao").price == cny(4200)  # type: ignore[union-attr]
    assert _item(merged, "mapo").price == cny(2700)  # type: ignore[union-attr]
    assert _item(merged, "fish").price == cny(7000)  # type: ignore[union-attr]  # mine, no conflict
    assert _item(merged, "tea").hidden  # type: ignore[union-attr]  # theirs, no conflict


async def test_rebase_escape_keeps_nothing() -> None:
    _, draft, theirs = conflicting()
    app = Host(lambda: MenuRebaseScreen(menu_draft.rebase(draft, theirs)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("m", "escape")
        await pilot.pause()
    assert app.results == [None]


# --- two editors, one version, the real platform -----------------------------------------------------------------


class PerformPublisher:
    """Publishes through the real outbox and sync engine (`sync/perform.py`), as a console on this profile does."""

    def __init__(self, profile: Profile, cache: Any) -> None:
        self.profile, self.cache = profile, cache

    async def publish(self, draft: MenuDraft) -> PublishAnswer:
        done = await perform(
            self.profile,
            self.cache,
            "menu.publish",
            draft.store_id,
            menu_draft.publish_menu(draft),
            base_version=draft.base.version,
        )
        if done.outcome is Outcome.DONE:
            return PublishAnswer("published", version=draft.base.version + 1)
        if done.outcome is Outcome.REJECTED and done.reason and done.reason.get("status") == 412:
            return PublishAnswer("conflict", version=done.reason.get("current_version"))
        return PublishAnswer(
            "refused" if done.outcome is Outcome.REJECTED else "queued", message=done.explanation
        )


@pytest.fixture
def merchant(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Profile, Any]]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = platform.seed
    assert seed is not None
    profile = save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    cache = open_cache(profile)
    try:
        yield profile, cache
    finally:
        cache.close()


def _server_menu(platform: RunningPlatform) -> Menu:
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        answer = merchant.get(f"/v1/stores/{platform.seed.store_id}/menu")
        assert answer.status_code == 200, answer.text
        return msgspec.json.decode(answer.content, type=Menu)
    finally:
        merchant.close()


async def _publish_on_screen(draft: MenuDraft, publisher: PerformPublisher) -> object:
    app = Host(lambda: MenuPublishScreen(draft, publisher=publisher))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen.state == "done")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
    [result] = app.results
    return result


async def test_two_editors_publish_from_one_version_the_second_rebases(
    platform: RunningPlatform, merchant: tuple[Profile, Any]
) -> None:
    publisher = PerformPublisher(*merchant)
    base = _server_menu(platform)
    first, second = base.categories[0].items[:2]
    one = menu_draft.apply(
        menu_draft.start(base), menu_edits.update_item(base, first.id, price=cny(first.price.amount + 100))
    )
    two_menu = menu_edits.update_item(base, first.id, price=cny(first.price.amount + 500))
    two = menu_draft.apply(
        menu_draft.start(base),
        menu_edits.update_item(two_menu, second.id, price=cny(second.price.amount + 50)),
    )

    assert await _publish_on_screen(one, publisher) == "published"
    theirs = _server_menu(platform)
    assert theirs.version == base.version + 1

    assert await _publish_on_screen(two, publisher) == "conflict"  # 412: drafted from the old version
    assert _server_menu(platform) == theirs  # nothing of the refused publish applied

    rebase = menu_draft.rebase(two, theirs)
    app = Host(lambda: MenuRebaseScreen(rebase))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("m", "enter")  # the one conflict (both changed the first item's price): mine
        await pilot.pause()
    [resolved] = app.results
    assert isinstance(resolved, menu_draft.Rebase)

    assert await _publish_on_screen(resolved.draft, publisher) == "published"
    now = _server_menu(platform)
    assert now.version == base.version + 2
    assert _item(now, first.id).price.amount == first.price.amount + 500  # type: ignore[union-attr]
    assert _item(now, second.id).price.amount == second.price.amount + 50  # type: ignore[union-attr]
