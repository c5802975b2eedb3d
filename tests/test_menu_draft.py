"""The menu draft (o2o_tui/menu_draft.py): undo/redo, the diff, the three-way rebase and what a publish sends."""

from __future__ import annotations

import random
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2o_tui import menu_draft as md
from o2o_tui import menu_edits as edits
from o2o_tui.domain.menu import Availability, Category, Item, Menu, Names, Option, OptionGroup
from o2o_tui.domain.money import Money
from offline_cache import CacheError, open_profile_cache
from offline_cache.drafts import DraftStore
from tests.test_menu_edits import _menu

ROOT = Path(__file__).resolve().parent.parent

TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ 01") + ["面", "饭", "辣", "🍜", "🌶", "é"]), min_size=1, max_size=8
)


@st.composite
def menus(draw: st.DrawFn) -> Menu:
    groups = []
    for g in range(draw(st.integers(0, 3))):
        options = [
            Option(id=f"o{g}_{o}", name=draw(TEXT), price=Money(draw(st.integers(0, 999)), "CNY"))
            for o in range(draw(st.integers(0, 3)))
        ]
        groups.append(OptionGroup(id=f"g{g}", name=draw(TEXT), min=0, max=2, options=options))
    group_ids = [g.id for g in groups]
    categories = []
    for c in range(draw(st.integers(1, 3))):
        items = [
            Item(
                id=f"i{c}_{i}",
                name=draw(TEXT),
                names=Names(zh=draw(TEXT), en=draw(TEXT)),
                price=Money(draw(st.integers(0, 99_999)), "CNY"),
                option_group_ids=draw(st.lists(st.sampled_from(group_ids), unique=True)) if group_ids else [],
                hidden=draw(st.booleans()),
            )
            for i in range(draw(st.integers(0, 4)))
        ]
        categories.append(Category(id=f"c{c}", name=draw(TEXT), items=items))
    return Menu(store_id="s1", version=draw(st.integers(1, 50)), currency="CNY", categories=categories,
                option_groups=groups)  # fmt: skip


Edit = Callable[[Menu], Menu]


def _pick(menu: Menu, kind: edits.Kind, n: int) -> str | None:
    ids = sorted(i for i in edits.all_ids(menu) if edits.find(menu, kind, i) is not None)
    return ids[n % len(ids)] if ids else None


@st.composite
def edit_ops(draw: st.DrawFn) -> Edit:
    """One random edit, applied to whatever menu it is given (a no-op when it has nothing to act on)."""
    op = draw(
        st.sampled_from(["price", "rename", "delete", "move", "add", "hide", "delete_group", "drop_cat"])
    )
    n = draw(st.integers(0, 50))
    value = draw(st.integers(0, 9999))
    text = draw(TEXT)

    def run(menu: Menu) -> Menu:
        item = _pick(menu, "item", n)
        if op == "add":
            category = _pick(menu, "category", n)
            if category is None:
                return menu
            new = Item(id=edits.new_id(menu, f"new{value}"), name=text, price=Money(value, "CNY"))
            return edits.add_item(menu, category, new, index=n % 3)
        if op == "delete_group":
            group = _pick(menu, "group", n)
            return menu if group is None else edits.delete(menu, "group", group)
        if op == "drop_cat":
            category = _pick(menu, "category", n)
            return menu if category is None else edits.delete(menu, "category", category)
        if item is None:
            return menu
        if op == "price":
            return edits.update_item(menu, item, price=Money(value, "CNY"))
        if op == "rename":
            return edits.update_item(menu, item, names=Names(zh=text, en=text))
        if op == "delete":
            return edits.delete(menu, "item", item)
        if op == "hide":
            return edits.set_hidden(menu, [item], value % 2 == 0)
        return edits.move(menu, "item", item, value % 5 - 2)

    return run


def _apply_all(menu: Menu, ops: list[Edit]) -> Menu:
    for op in ops:
        menu = op(menu)
    return menu


def _valid(menu: Menu) -> None:
    """Unique ids, no item offering a missing group."""
    ids = [c.id for c in menu.categories] + [i.id for c in menu.categories for i in c.items]
    ids += [g.id for g in menu.option_groups] + [o.id for g in menu.option_groups for o in g.options]
    assert len(ids) == len(set(ids))
    groups = {g.id for g in menu.option_groups}
    assert all(set(i.option_group_ids) <= groups for c in menu.categories for i in c.items)


def _published(menu: Menu) -> Menu:
    return msgspec.structs.replace(menu, version=menu.version + 1)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(menus())
def test_diff_of_a_menu_with_itself_is_empty(menu: Menu) -> None:
    assert md.diff(menu, menu) == []
    assert not md.is_dirty(md.start(menu))


@SETTINGS
@given(menus(), st.lists(edit_ops(), max_size=6))
def test_diff_is_empty_exactly_when_the_content_is_the_same(menu: Menu, ops: list[Edit]) -> None:
    edited = _apply_all(menu, ops)
    draft = md.apply(md.start(menu), edited)
    assert (md.diff(menu, edited) == []) == (not md.is_dirty(draft))


@SETTINGS
@given(menus(), st.lists(edit_ops(), min_size=1, max_size=8))
def test_undo_after_apply_is_before_and_redo_comes_back(menu: Menu, ops: list[Edit]) -> None:
    draft = md.start(menu)
    history = [draft.menu]
    for op in ops:
        draft = md.apply(draft, op(draft.menu))
        if draft.menu != history[-1]:
            history.append(draft.menu)
    for expected in reversed(history[:-1]):
        draft = md.undo(draft)
        assert draft.menu == expected
    assert md.undo(draft) == draft  # nothing left to undo
    for expected in history[1:]:
        draft = md.redo(draft)
        assert draft.menu == expected


def test_undo_keeps_at_most_fifty_and_an_edit_clears_redo() -> None:
    draft = md.start(_menu())
    for amount in range(60):
        draft = md.apply(draft, edits.update_item(draft.menu, "rice", price=Money(amount, "CNY")))
    assert len(draft.undo) == md.UNDO_MAX
    draft = md.undo(md.undo(draft))
    assert len(draft.redo) == 2
    draft = md.apply(draft, edits.update_item(draft.menu, "tea", price=Money(1, "CNY")))
    assert draft.redo == []
    assert md.apply(draft, draft.menu) is draft  # an edit that changes nothing is not an undo step


@SETTINGS
@given(menus(), st.lists(edit_ops(), max_size=8))
def test_rebase_with_no_concurrent_change_is_mine(base: Menu, ops: list[Edit]) -> None:
    mine = _apply_all(base, ops)
    draft = md.apply(md.start(base), mine)
    theirs = _published(base)  # published again with nothing changed (or only availability)
    result = md.rebase(draft, theirs)
    assert result.conflicts == []
    assert md.content_key(result.draft.menu) == md.content_key(mine)
    assert result.draft.base == theirs


@SETTINGS
@given(menus(), st.lists(edit_ops(), max_size=8))
def test_rebase_onto_my_own_changes_has_nothing_left(base: Menu, ops: list[Edit]) -> None:
    mine = _apply_all(base, ops)
    result = md.rebase(md.apply(md.start(base), mine), _published(mine))
    assert result.conflicts == []
    assert not md.is_dirty(result.draft)


@SETTINGS
@given(menus(), st.lists(edit_ops(), max_size=6), st.lists(edit_ops(), max_size=6), st.booleans())
def test_rebase_always_builds_a_valid_menu_and_resolving_everything_ends_it(
    base: Menu, my_ops: list[Edit], their_ops: list[Edit], take_mine: bool
) -> None:
    mine = _apply_all(base, my_ops)
    theirs = _published(_apply_all(base, their_ops))
    result = md.rebase(md.apply(md.start(base), mine), theirs)
    _valid(result.draft.menu)
    for _ in range(50):
        if not result.conflicts:
            break
        conflict = result.conflicts[0]
        result = md.resolve(result, conflict.entity, conflict.id, "mine" if take_mine else "theirs")
        _valid(result.draft.menu)
    assert result.conflicts == []
    if their_ops == [] or md.content_key(theirs) == md.content_key(base):
        assert md.content_key(result.draft.menu) == md.content_key(mine)


def test_a_draft_whose_publish_went_out_offline_starts_again_on_the_menu_it_made() -> None:
    base = _menu()
    draft = md.apply(md.start(base), edits.update_item(base, "rice", price=Money(2500, "CNY")))
    assert md.catch_up(draft, base) is None  # nothing newer
    sent = _published(md.publish_menu(draft))  # the draft's own publish, replayed from the outbox
    assert md.holds(sent, draft)
    caught = md.catch_up(draft, sent)
    assert caught is not None and caught.conflicts == []
    assert caught.draft.base == sent and not md.is_dirty(caught.draft)
    # a newer menu without the draft's edit does not hold it: the draft is rebased onto it, edit kept
    other = _published(edits.update_item(base, "tea", hidden=True))
    assert not md.holds(other, draft)
    moved = md.catch_up(draft, other)
    assert moved is not None and moved.conflicts == [] and md.is_dirty(moved.draft)
    rice = edits.find(moved.draft.menu, "item", "rice")
    assert isinstance(rice, Item) and rice.price.amount == 2500


def test_changes_to_different_items_merge() -> None:
    base = _menu()
    draft = md.apply(md.start(base), edits.update_item(base, "rice", price=Money(2500, "CNY")))
    theirs = _published(edits.update_item(base, "tea", names=Names(zh="茶", en="Tea")))
    result = md.rebase(draft, theirs)
    assert result.conflicts == []
    merged = result.draft.menu
    rice, tea = edits.find(merged, "item", "rice"), edits.find(merged, "item", "tea")
    assert isinstance(rice, Item) and isinstance(tea, Item)
    assert rice.price.amount == 2500 and tea.name == "茶"
    assert result.draft.base.version == base.version + 1
    assert md.publish_menu(result.draft).version == base.version + 1


def test_the_same_item_changed_on_both_sides_is_a_conflict_resolved_item_by_item() -> None:
    base = _menu()
    mine = edits.update_item(edits.update_item(base, "rice", price=Money(2500, "CNY")), "tea", hidden=True)
    theirs = _published(edits.update_item(edits.update_item(base, "rice", price=Money(2600, "CNY")), "tea",
                                          price=Money(700, "CNY")))  # fmt: skip
    result = md.rebase(md.apply(md.start(base), mine), theirs)
    assert [(c.entity, c.id) for c in result.conflicts] == [("item", "rice"), ("item", "tea")]
    rice = result.conflicts[0]
    assert isinstance(rice.mine, Item) and rice.mine.price.amount == 2500
    assert isinstance(rice.theirs, Item) and rice.theirs.price.amount == 2600
    assert isinstance(rice.base, Item) and rice.base.price.amount == 2200
    unresolved = edits.find(result.draft.menu, "item", "rice")
    assert isinstance(unresolved, Item) and unresolved.price.amount == 2600  # theirs until resolved
    result = md.resolve(result, "item", "rice", "mine")
    assert [c.id for c in result.conflicts] == ["tea"]
    result = md.resolve(result, "item", "tea", "theirs")
    assert result.conflicts == []
    rice_now, tea_now = (
        edits.find(result.draft.menu, "item", "rice"),
        edits.find(result.draft.menu, "item", "tea"),
    )
    assert isinstance(rice_now, Item) and rice_now.price.amount == 2500
    assert isinstance(tea_now, Item) and tea_now.price.amount == 700 and not tea_now.hidden
    with pytest.raises(KeyError):
        md.resolve(result, "item", "rice", "mine")


def test_deleting_what_the_other_side_changed_is_a_conflict() -> None:
    base = _menu()
    mine = edits.delete(base, "category", "drinks")
    theirs = _published(edits.update_item(base, "tea", price=Money(900, "CNY")))
    result = md.rebase(md.apply(md.start(base), mine), theirs)
    assert {(c.entity, c.id) for c in result.conflicts} == {("item", "tea"), ("category", "drinks")}
    assert edits.find(result.draft.menu, "item", "tea") is not None  # kept until resolved
    result = md.resolve(result, "category", "drinks", "mine")
    assert edits.find(result.draft.menu, "category", "drinks") is None
    assert edits.find(result.draft.menu, "item", "tea") is None  # went with its category


def test_a_group_deleted_on_my_side_merges_with_their_change_to_an_item_offering_it() -> None:
    base = _menu()
    mine = edits.delete(base, "group", "spice")
    theirs = _published(edits.update_item(base, "noodles", price=Money(3000, "CNY")))
    result = md.rebase(md.apply(md.start(base), mine), theirs)
    assert result.conflicts == []
    noodles = edits.find(result.draft.menu, "item", "noodles")
    assert isinstance(noodles, Item) and noodles.price.amount == 3000 and noodles.option_group_ids == ["size"]
    assert [g.id for g in result.draft.menu.option_groups] == ["size"]


def test_order_follows_their_reordering_and_places_my_new_items_after_their_predecessor() -> None:
    base = _menu()
    new = Item(id="soup", name="Soup", price=Money(900, "CNY"))
    mine = edits.add_item(base, "mains", new, index=1)  # after noodles
    theirs = _published(edits.move(base, "item", "dumplings", -2))
    merged = md.rebase(md.apply(md.start(base), mine), theirs).draft.menu
    assert [i.id for i in merged.categories[0].items] == ["dumplings", "noodles", "soup", "rice"]


def test_availability_is_not_part_of_the_draft() -> None:
    base = _menu()
    snoozed = edits.update_item(base, "rice", snooze_until=datetime(2030, 1, 1, tzinfo=UTC))
    assert md.diff(base, snoozed) == []
    mine = edits.update_item(base, "rice", price=Money(2400, "CNY"))
    theirs = _published(edits.update_item(base, "rice", status=Availability.UNAVAILABLE))
    result = md.rebase(md.apply(md.start(base), mine), theirs)
    assert result.conflicts == []
    rice = edits.find(result.draft.menu, "item", "rice")
    assert isinstance(rice, Item) and rice.price.amount == 2400 and rice.status is Availability.UNAVAILABLE


def test_diff_reads_as_changes_per_field() -> None:
    base = _menu()
    new = edits.update_item(base, "rice", price=Money(2500, "CNY"), names=Names(zh="炒饭", en="Fried rice"))
    new = edits.add_item(new, "drinks", Item(id="cola", name="Cola", price=Money(500, "CNY")))
    new = edits.delete(new, "item", "dumplings")
    new = edits.move(new, "category", "drinks", -1)
    new = edits.move_item_to(new, "tea", "mains")
    changes = {(c.kind, c.id, tuple(c.fields), c.before, c.after) for c in md.diff(base, new)}
    assert ("changed", "rice", ("price",), "22.00", "25.00") in changes
    # rice had one name: the form shows it as the Chinese name, so the preview says that was its old value
    assert ("changed", "rice", ("names.zh",), "Fried rice", "炒饭") in changes
    assert ("changed", "rice", ("names.en",), "", "Fried rice") in changes
    assert not any(c[0] == "changed" and c[2] == ("name",) for c in changes)  # follows names: not said twice
    assert ("added", "cola", (), None, "5.00") in changes
    assert ("removed", "dumplings", (), "18.00", None) in changes
    assert ("moved", "tea", ("category",), "Drinks", "主食") in changes
    assert any(c[0] == "moved" and c[1] in ("drinks", "mains") and c[2] == ("position",) for c in changes)
    assert len(changes) == 7


def test_publish_menu_sends_normalized_names_at_the_base_version() -> None:
    base = _menu()
    draft = md.apply(md.start(base), edits.update_item(base, "tea", names=Names(en="Green tea")))
    draft = msgspec.structs.replace(draft, menu=msgspec.structs.replace(draft.menu, version=99))
    sent = md.publish_menu(draft)
    assert sent.version == base.version
    tea = edits.find(sent, "item", "tea")
    assert isinstance(tea, Item) and tea.name == "Green tea"


def test_a_draft_survives_msgspec_encoding() -> None:
    draft = md.apply(md.start(_menu()), edits.update_item(_menu(), "rice", price=Money(1, "CNY")))
    assert msgspec.json.decode(msgspec.json.encode(draft), type=md.MenuDraft) == draft


# -- storage (offline_cache/drafts.py) ---------------------------------------------------------------------------


def test_a_saved_draft_survives_reopening_the_cache(tmp_path: Path) -> None:
    draft = md.start(_menu())
    for amount in range(5):
        draft = md.apply(draft, edits.update_item(draft.menu, "rice", price=Money(amount, "CNY")))
    draft = md.undo(draft)
    with open_profile_cache(tmp_path / "p") as cache:
        store: DraftStore[md.MenuDraft] = DraftStore(cache)
        assert store.load("s1") is None
        store.save(draft)
    with open_profile_cache(tmp_path / "p") as cache:
        assert DraftStore(cache).load("s1") == draft
        assert DraftStore(cache).keys() == ["s1"]
        path = tmp_path / "p" / "drafts-v1.json"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert DraftStore(cache).discard("s1") is True
        assert DraftStore(cache).discard("s1") is False
        assert DraftStore(cache).load("s1") is None
    with open_profile_cache(tmp_path / "p", read_only=True) as cache, pytest.raises(CacheError):
        DraftStore(cache).save(draft)


def test_a_corrupt_drafts_file_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    with open_profile_cache(tmp_path / "p") as cache:
        (tmp_path / "p" / "drafts-v1.json").write_bytes(b'{"drafts": {"s1": {"menu": ')
        with pytest.raises(CacheError) as caught:  # as a damaged outbox (tests/test_g1_drafts_unreadable.py)
            DraftStore(cache)
        assert caught.value.code == "corrupt_drafts"
        assert (tmp_path / "p" / "drafts-v1.json").read_bytes() == b'{"drafts": {"s1": {"menu": '
        assert list((tmp_path / "p").glob("drafts-v1.json.corrupt-*")) == []


_WRITER = """
import sys
from o2o_tui import menu_draft as md, menu_edits as edits
from o2o_tui.domain.money import Money
from offline_cache import open_profile_cache
from offline_cache.drafts import DraftStore
from tests.test_menu_edits import _menu
with open_profile_cache(sys.argv[1]) as cache:
    store = DraftStore(cache)
    draft = store.load("s1") or md.start(_menu())
    first = edits.find(draft.menu, "item", "rice").price.amount
    for amount in range(first + 1, first + 100000):
        draft = md.apply(draft, edits.update_item(draft.menu, "rice", price=Money(amount, "CNY")))
        store.save(draft)
        print(amount, flush=True)
"""


def test_a_kill_mid_save_loses_at_most_the_edit_being_saved(tmp_path: Path) -> None:
    rng = random.Random(5)
    directory = tmp_path / "p"
    for _ in range(6):
        process = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(directory)], stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        assert process.stdout is not None
        saved = int(process.stdout.readline())  # one save returned: the writer is in its loop
        time.sleep(rng.uniform(0.0, 0.15))
        process.send_signal(signal.SIGKILL)
        rest = process.stdout.read().split()
        process.wait()
        saved = int(rest[-1]) if rest else saved
        with open_profile_cache(directory) as cache:
            store: DraftStore[md.MenuDraft] = DraftStore(cache)
            draft = store.load("s1")
            assert store.warnings == []
            assert draft is not None
            rice = edits.find(draft.menu, "item", "rice")
            assert isinstance(rice, Item)
            assert rice.price.amount in (saved, saved + 1)  # the last returned save, or the one in flight
            assert len(draft.undo) == min(md.UNDO_MAX, rice.price.amount - 2200)  # 22.00 at the start
