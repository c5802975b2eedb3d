"""A menu publish that goes through clears the refused publishes of its store queued before it, and the
availability changes they held (o2o_tui/sync/linked.py `follow_published`): the draft they carried was fixed and
published, so they no longer stay in `o2o conflicts list` and the console's `!` count until dismissed one by one.
Refusals it does not supersede stay (another store's, later ones, other actions'). The real platform on loopback,
real caches in temp dirs."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.sync import linked
from o2o_tui.sync.session import make_client, make_engine, profile_cache
from offline_cache import open_profile_cache
from tests.support.platform import RunningPlatform
from tests.test_cli_day_one import new_order
from tests.test_menu_import_whole import Cli, import_offline, server_item, sheet
from tests.test_menu_linked_hold import CountingOutbox

STALE = {"code": "stale_version", "status": 412}


@pytest.fixture
def counters(platform: RunningPlatform, tmp_path: Path) -> Iterator[tuple[Cli, Cli]]:
    """Two counters of the demo store, both synced."""
    token = platform.seed.tokens["merchant"]
    mine, other = Cli(tmp_path / "mine", token), Cli(tmp_path / "other", token)
    for device in (mine, other):
        device.login(platform.url)
        device("sync", "--once")
    yield mine, other


def refuse_my_offline_import(platform: RunningPlatform, mine: Cli, other: Cli, tmp_path: Path) -> list[dict[str, Any]]:
    """My import queued offline (mapo-tofu's price and availability) is refused as stale: another counter
    published a change to another dish meanwhile. Returns `o2o conflicts list --json`."""
    rows = [("mapo-tofu", "27.00", "unavailable")]
    import_offline(platform, mine, sheet(tmp_path / "mine.csv", rows), ["mapo-tofu"])
    other.login(platform.url)  # the port may have moved
    theirs = sheet(tmp_path / "theirs.csv", [("kung-pao-chicken", "31.00", "available")])
    other("menu", "import", str(theirs), "--partial")
    mine.login(platform.url)
    mine("sync", "--once", code=Exit.REJECTED)
    conflicts = mine.json("conflicts", "list")
    assert [c["action"] for c in conflicts] == ["menu.publish", "menu.item.patch"]
    assert conflicts[0]["reason"]["code"] == "stale_version"
    assert conflicts[1]["reason"]["publish_key"] == conflicts[0]["key"]
    return conflicts


def refuse_an_order_accept(platform: RunningPlatform, mine: Cli, other: Cli) -> str:
    """A refusal that is no menu's: my accept queued offline, of an order the other counter accepted meanwhile.
    Returns its key."""
    order = new_order(platform)
    mine("sync", "--once")
    platform.stop()
    mine("orders", "accept", order["id"])  # queued
    platform.restart()
    other.login(platform.url)
    other("sync", "--once")
    other("orders", "accept", order["id"], "--prep", "25")
    mine.login(platform.url)
    mine("sync", "--once", code=Exit.REJECTED)
    (refused,) = [c for c in mine.json("conflicts", "list") if c["action"].startswith("order.")]
    return str(refused["key"])


def test_a_publish_that_goes_through_clears_the_refused_one_and_its_riders(
    platform: RunningPlatform, counters: tuple[Cli, Cli], tmp_path: Path
) -> None:
    mine, other = counters
    refuse_my_offline_import(platform, mine, other, tmp_path)
    accept = refuse_an_order_accept(platform, mine, other)
    assert mine.json("sync", "status")["conflicts"] == 3

    mine("menu", "publish")  # the kept draft, moved onto the other counter's menu, goes through
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2700
    assert server_item(platform, "kung-pao-chicken")["price"]["amount"] == 3100  # theirs kept
    assert [c["key"] for c in mine.json("conflicts", "list")] == [accept]  # not superseded: stays
    assert mine.json("sync", "status")["conflicts"] == 1


def test_a_refused_publish_stays_while_nothing_newer_went_through(
    platform: RunningPlatform, counters: tuple[Cli, Cli], tmp_path: Path
) -> None:
    """The negative case on the platform: an availability change that goes through is no publish, and the
    refused import (publish and rider) stays in the conflicts."""
    mine, other = counters
    refused = refuse_my_offline_import(platform, mine, other, tmp_path)
    mine("menu", "item", "status", "kung-pao-chicken", "unavailable")  # a plain change: sent, confirmed
    assert server_item(platform, "kung-pao-chicken")["status"] == "UNAVAILABLE"
    assert [c["key"] for c in mine.json("conflicts", "list")] == [c["key"] for c in refused]


def test_the_engine_count_follows_when_the_publish_goes_through(
    platform: RunningPlatform, counters: tuple[Cli, Cli], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the console's `!` shows is the engine's count of conflicts: it drops with the push that confirmed
    the publish (the draft published again offline, sent when the link is back)."""
    mine, other = counters
    refuse_my_offline_import(platform, mine, other, tmp_path)
    platform.stop()
    queued = mine.json("menu", "publish")
    assert queued["outcome"] == "queued", queued
    platform.restart()
    mine.login(platform.url)
    monkeypatch.setenv("O2O_HOME", str(mine.home))
    with profile_cache(None) as (profile, cache):

        async def push() -> tuple[int, tuple[int, int], int]:
            async with make_client(profile) as client:
                engine = make_engine(profile, cache, client)
                before = engine.status().conflicts
                pushed = await engine.push_pending()  # no recount of the outbox after it (`sync_once` does one)
                return before, pushed, engine.status().conflicts

        before, pushed, after = asyncio.run(push())
        stored = len(cache.outbox.conflicts())
    assert (before, pushed) == (2, (1, 0))
    assert (after, stored) == (0, 0)
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2700


def test_only_the_refusals_it_supersedes_leave(tmp_path: Path) -> None:
    """On a real outbox: the earlier refused publishes of the store and every rider they held (also one whose
    publish a retry already replaced) leave in one durable write; the rest stays."""
    cache = open_profile_cache(tmp_path / "profile")
    try:
        outbox = cache.outbox
        first = outbox.append("menu.publish", "s1", "{}", base_version=3)
        first_riders = [outbox.append("menu.item.patch", f"s1/i{n}", "{}", base_version=3) for n in range(2)]
        retry = outbox.append("menu.publish", "s1", "{}", base_version=3)
        retry_rider = outbox.append("menu.item.patch", "s1/i0", "{}", base_version=3)
        elsewhere = outbox.append("menu.publish", "s2", "{}", base_version=3)  # another store's
        elsewhere_rider = outbox.append("menu.item.patch", "s2/i0", "{}", base_version=3)
        order = outbox.append("order.confirm", "ord_1", "{}")  # not a menu action
        own = outbox.append("menu.item.patch", "s1/i9", "{}", base_version=3)  # refused for a reason of its own
        for refused in (first, retry, elsewhere):
            linked.hold_riders(outbox, outbox.mark_rejected(refused.key, STALE))
        outbox.mark_rejected(order.key, {"code": "illegal_transition", "status": 409})
        outbox.mark_rejected(own.key, {"code": "validation", "status": 422})
        # the retry replaced the first publish and its rider for i0; its rider for i1 was left (held by `first`)
        left = {entry.key for entry in outbox.conflicts()}
        assert first.key not in left and first_riders[1].key in left and retry_rider.key in left

        published = outbox.append("menu.publish", "s1", "{}", base_version=4)
        later = outbox.append("menu.publish", "s1", "{}", base_version=4)
        later_rider = outbox.append("menu.item.patch", "s1/i5", "{}", base_version=4)
        linked.hold_riders(outbox, outbox.mark_rejected(later.key, STALE))
        outbox.mark_done(published.key)

        counting = CountingOutbox(outbox)
        assert linked.follow_confirmed(counting, published, SimpleNamespace(version=5)) == []
        assert counting.writes == 1
        assert [entry.key for entry in outbox.conflicts()] == [
            elsewhere.key,
            elsewhere_rider.key,
            order.key,
            own.key,
            later.key,
            later_rider.key,
        ]
        # nothing to clear: no write at all
        counting = CountingOutbox(outbox)
        assert linked.follow_confirmed(counting, published, SimpleNamespace(version=5)) == []
        assert counting.writes == 0
    finally:
        cache.close()
