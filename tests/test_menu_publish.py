"""Publishing menu drafts through the outbox against the real server (o2o_tui/menu_service.py): two editors from
one version (the second gets the 412 and rebases item by item), a quick sold-out that a later publish does not
undo, and a sold-out item refused in a new order within one sync round trip."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from o2o_tui import menu_draft as md
from o2o_tui import menu_edits as edits
from o2o_tui import menu_service as service
from o2o_tui.config import Profile
from o2o_tui.domain.menu import Item, Menu, Option, is_orderable
from o2o_tui.domain.money import Money
from o2o_tui.sync.perform import Outcome, refresh
from offline_cache import ProfileCache, open_profile_cache
from tests.support.platform import RunningPlatform, api, order_body

ITEM = "kung-pao-chicken"


def _profile(platform: RunningPlatform, name: str, url: str | None = None) -> Profile:
    assert platform.seed is not None
    return Profile(
        name=name,
        url=url or platform.url,
        token=platform.seed.tokens["merchant"],
        role="merchant",
        store_id=platform.seed.store_id,
    )


def _device(platform: RunningPlatform, tmp_path: Path, name: str) -> tuple[Profile, ProfileCache]:
    profile = _profile(platform, name)
    cache = open_profile_cache(tmp_path / name)
    asyncio.run(refresh(profile, cache))
    return profile, cache


def _server_menu(platform: RunningPlatform) -> Menu:
    import msgspec

    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        answer = merchant.get(f"/v1/stores/{platform.seed.store_id}/menu")
        assert answer.status_code == 200, answer.text
        return msgspec.json.decode(answer.content, type=Menu)
    finally:
        merchant.close()


def _item(menu: Menu, item_id: str) -> Item:
    found = edits.find(menu, "item", item_id)
    assert isinstance(found, Item), item_id
    return found


def _other_item(menu: Menu) -> str:
    return next(i.id for c in menu.categories for i in c.items if i.id != ITEM)


def _priced(draft: md.MenuDraft, item_id: str, amount: int) -> md.MenuDraft:
    price = Money(amount, draft.menu.currency)
    return md.apply(draft, edits.update_item(draft.menu, item_id, price=price))


def test_two_editors_from_one_version_the_second_rebases_item_by_item(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    profile_a, cache_a = _device(platform, tmp_path, "a")
    profile_b, cache_b = _device(platform, tmp_path, "b")
    try:
        assert platform.seed is not None
        store_id = platform.seed.store_id
        draft_a = service.open_draft(cache_a, store_id)
        draft_b = service.open_draft(cache_b, store_id)
        assert draft_a is not None and draft_b is not None
        start_version = draft_a.base.version
        assert draft_b.base.version == start_version
        other = _other_item(draft_a.menu)

        draft_a = service.save_draft(cache_a, _priced(draft_a, ITEM, 4100))
        draft_b = service.save_draft(cache_b, _priced(_priced(draft_b, ITEM, 4200), other, 999))

        first = asyncio.run(service.publish(profile_a, cache_a, draft_a))
        assert first.kind == "published", first
        assert first.version == start_version + 1
        assert service.load_draft(cache_a, store_id) is None  # published: the draft is gone

        second = asyncio.run(service.publish(profile_b, cache_b, draft_b))
        assert second.kind == "conflict", second
        assert second.version == start_version + 1
        assert second.rebase is not None
        assert [(c.entity, c.id) for c in second.rebase.conflicts] == [("item", ITEM)]
        conflict = second.rebase.conflicts[0]
        assert isinstance(conflict.mine, Item) and conflict.mine.price.amount == 4200
        assert isinstance(conflict.theirs, Item) and conflict.theirs.price.amount == 4100
        assert _item(second.rebase.draft.menu, other).price.amount == 999  # my other change merged
        assert service.load_draft(cache_b, store_id) == draft_b  # a refused publish keeps the draft

        resolved = md.resolve(second.rebase, "item", ITEM, "mine")
        assert resolved.conflicts == []
        third = asyncio.run(service.publish(profile_b, cache_b, resolved.draft))
        assert third.kind == "published", third
        assert third.version == start_version + 2
        server = _server_menu(platform)
        assert _item(server, ITEM).price.amount == 4200
        assert _item(server, other).price.amount == 999
    finally:
        cache_a.close()
        cache_b.close()


def test_a_quick_sold_out_is_not_undone_by_a_later_publish(platform: RunningPlatform, tmp_path: Path) -> None:
    profile, cache = _device(platform, tmp_path, "a")
    try:
        assert platform.seed is not None
        store_id = platform.seed.store_id
        draft = service.open_draft(cache, store_id)
        assert draft is not None
        other = _other_item(draft.menu)
        # the draft starts before the sold-out
        draft = service.save_draft(cache, _priced(draft, other, 1234))

        until = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
        sold_out = asyncio.run(
            service.set_availability(profile, cache, store_id, "item", ITEM, "sold-out", until)
        )
        assert sold_out.outcome is Outcome.DONE, sold_out
        assert service.load_draft(cache, store_id) == draft  # availability never touches the draft
        assert not is_orderable(
            _item(service.current_menu(cache, store_id) or draft.menu, ITEM), datetime.now(UTC)
        )

        published = asyncio.run(service.publish(profile, cache, draft))
        assert published.kind == "published", published  # the sold-out did not make the draft stale
        server = _server_menu(platform)
        assert _item(server, other).price.amount == 1234
        assert _item(server, ITEM).snooze_until == until  # still sold out
    finally:
        cache.close()


def test_a_sold_out_item_is_refused_in_a_new_order_within_one_round_trip(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    profile, cache = _device(platform, tmp_path, "a")
    customer = api(platform, "customer")
    try:
        assert platform.seed is not None
        store_id = platform.seed.store_id
        assert customer.post("/v1/orders", order_body(store_id)).status_code == 201  # orderable before
        until = datetime.now(UTC) + timedelta(hours=1)
        result = asyncio.run(
            service.set_availability(profile, cache, store_id, "item", ITEM, "sold_out", until)
        )
        assert result.outcome is Outcome.DONE  # the one round trip: queued, pushed, answered
        refused = customer.post("/v1/orders", order_body(store_id))
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "item_unavailable"
        assert error.get("item_id") == ITEM

        back = asyncio.run(service.set_availability(profile, cache, store_id, "item", ITEM, "available"))
        assert back.outcome is Outcome.DONE
        assert customer.post("/v1/orders", order_body(store_id)).status_code == 201
    finally:
        customer.close()
        cache.close()


def test_a_queued_availability_change_shows_at_once_offline(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    profile, cache = _device(platform, tmp_path, "a")
    try:
        assert platform.seed is not None
        store_id = platform.seed.store_id
        offline = _profile(platform, "a", url="http://127.0.0.1:9")  # nothing listens there
        menu = service.current_menu(cache, store_id)
        assert menu is not None
        option = next(o for g in menu.option_groups for o in g.options)
        queued = asyncio.run(
            service.set_availability(
                offline, cache, store_id, "option", option.id, "unavailable", timeout=1.0
            )
        )
        assert queued.outcome is Outcome.QUEUED
        shown = service.current_menu(cache, store_id)
        assert shown is not None
        found = edits.find(shown, "option", option.id)
        assert isinstance(found, Option) and not is_orderable(found, datetime.now(UTC))
        assert cache.outbox.pending()[0].action == "menu.option.patch"
    finally:
        cache.close()


def test_availability_bodies() -> None:
    until = datetime(2030, 1, 1, 12, tzinfo=UTC)
    assert service.availability_body("sold-out", until).snooze_until == until
    assert service.availability_body("available").clear_snooze
    assert service.availability_body("unavailable").status == "UNAVAILABLE"
    with pytest.raises(ValueError):
        service.availability_body("sold_out")
    with pytest.raises(ValueError):
        service.availability_body("gone")
