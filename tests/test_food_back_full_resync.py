"""A full resync keeps the courier's "bring the food back" task: the snapshot lists only active deliveries and
replaces the cached table, yet the cancelled delivery whose pickup was refused (its food still in the courier's
hands, the refused pickup in the conflicts list) stays cached, so `o2o deliveries list` and the handheld still show
the task until `o2o deliveries food-back`. A full resync is forced two ways: the platform pruned the events past the
device's cursor (it answers `resync: true`), and a cache that lost its cursor. Real server on loopback, real
profile cache in tmp_path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from o2o_tui.platform import db, events
from o2o_tui.sync import tables
from offline_cache import open_profile_cache
from screens.courier_source import CourierSource
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_cli_deliveries_food_back import _cache_dir, _food_in_hand
from tests.test_cli_orders import Cli


def _expire_cursor(running: RunningPlatform, courier: Cli) -> None:
    """The platform prunes its event log past the courier's cursor (an event after it, then the prune)."""
    assert running.seed is not None
    placed = api(running, "customer").post("/v1/orders", order_body(running.seed.store_id))
    assert placed.status_code == 201, placed.text
    engine = db.open_database(running.db_url)
    try:
        with db.writing(engine) as conn:
            events.prune(conn, datetime.now(UTC) + timedelta(seconds=1))
    finally:
        engine.dispose()


def _lose_cursor(running: RunningPlatform, courier: Cli) -> None:
    """The cache has no cursor (as on a first sync): the engine starts with a full resync."""
    with open_profile_cache(_cache_dir(courier)) as cache:
        cache.meta_set_many({tables.META_CURSOR: None})


def _handheld_tasks(courier: Cli, courier_id: str) -> list[Any]:
    """What the handheld's source reads from the profile's cache at start (no engine: the cached tasks only)."""
    with open_profile_cache(_cache_dir(courier)) as cache:
        source = CourierSource(cache, courier_id, lambda: (None, None))
        source.prime()
        return source.tasks()


@pytest.mark.parametrize("force", [_expire_cursor, _lose_cursor], ids=["cursor-expired", "cursor-lost"])
def test_a_full_resync_keeps_the_bring_back_task(running: RunningPlatform, courier: Cli, force: Any) -> None:
    assert running.seed is not None
    order = _food_in_hand(running, courier)
    courier_id = running.seed.courier_ids[0]
    [row] = courier.json("deliveries", "list")
    assert row["id"] == order["delivery_id"] and row["bring_back"] is True

    force(running, courier)
    synced = courier.json("sync", "--once")
    assert synced["resynced"] is True

    [row] = courier.json("deliveries", "list")  # still a task after the snapshot replaced the table
    assert row["id"] == order["delivery_id"] and row["status"] == "CANCELLED" and row["bring_back"] is True
    assert courier.json("deliveries", "show", order["ref"])["bring_back"] is True
    [task] = [t for t in _handheld_tasks(courier, courier_id) if t.delivery.id == order["delivery_id"]]
    assert task.bring_back is True

    courier.json("deliveries", "food-back", order["ref"])
    assert courier.json("deliveries", "list") == []
    force(running, courier)
    assert courier.json("sync", "--once")["resynced"] is True
    # the food is back: nothing keeps the ended delivery now, the snapshot drops it like any other
    assert courier.json("deliveries", "list", "--all") == []
    assert _handheld_tasks(courier, courier_id) == []
