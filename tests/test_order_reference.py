"""What a typed order or delivery reference names, decided once in the read model (`ReadModel.resolve_order`,
`resolve_delivery`) and read by the CLI: a day number two live ones share names both and is never guessed; once
only one of them is live it names that one. Real caches in tmp_path; the CLI against the real platform."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.domain.fleet import Delivery
from o2o_tui.domain.geo import Address
from o2o_tui.domain.order import OrderStatus
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.sync import tables
from o2o_tui.sync.read_model import AmbiguousReference, ReadModel, Resolution
from offline_cache import open_profile_cache
from tests.support.platform import RunningPlatform, api, start_platform
from tests.test_cli_orders import Cli, server_order
from tests.test_sync_engine import place_orders
from tests.test_sync_read_model import T0, make_order, put


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[object]:
    with open_profile_cache(tmp_path / "profile") as opened:
        yield opened


def test_a_day_number_two_open_orders_share_names_both_newest_first(cache: object) -> None:
    put(cache, make_order("ord_older", 12, OrderStatus.PREPARING, created_at=T0 - timedelta(hours=20)))
    put(cache, make_order("ord_newer", 12, created_at=T0))  # e.g. an order for later, numbered on its due day
    model = ReadModel(cache)
    assert model.resolve_order("#0012") == Resolution(candidates=("ord_newer", "ord_older"), number=12)
    with pytest.raises(AmbiguousReference) as refused:  # no reader gets a guess either
        model.order("12")
    assert refused.value.candidates == ["ord_newer", "ord_older"] and refused.value.number == 12
    assert model.resolve_order("ord_older") == Resolution(found="ord_older")  # the id says which

    ended = make_order("ord_older", 12, OrderStatus.DELIVERED, created_at=T0 - timedelta(hours=20), version=2)
    put(cache, ended)
    assert ReadModel(cache).resolve_order("12") == Resolution(found="ord_newer")  # only one is live now


def test_an_open_order_behind_a_newer_ended_one_is_not_passed_over(cache: object) -> None:
    put(cache, make_order("ord_open", 7, OrderStatus.CONFIRMED, created_at=T0 - timedelta(days=1)))
    put(cache, make_order("ord_gone", 7, OrderStatus.CANCELLED, created_at=T0, ended_at=T0))
    assert ReadModel(cache).resolve_order("7") == Resolution(candidates=("ord_gone", "ord_open"), number=7)


def test_prefixes_and_references_that_name_nothing(cache: object) -> None:
    put(cache, make_order("ord_abc1", 1))
    put(cache, make_order("ord_abc2", 2))
    model = ReadModel(cache)
    assert model.resolve_order("ord_abc") == Resolution(candidates=("ord_abc1", "ord_abc2"))  # no number
    assert model.resolve_order("ord_abc2") == Resolution(found="ord_abc2")
    assert model.resolve_order("#0099") == Resolution() and model.resolve_order("ord") == Resolution()
    assert not model.resolve_order("nope-nope").ambiguous
    assert model.order_by_id("2") is None  # an id is never read as a number


def _delivery(delivery_id: str, number: int, status: DeliveryStatus, minutes_ago: int) -> Delivery:
    at = T0 - timedelta(minutes=minutes_ago)
    return Delivery(
        id=delivery_id,
        order_id=f"ord_{delivery_id}",
        order_number=number,
        store_id=f"st_{delivery_id}",
        courier_id="cr_1",
        status=status,
        pickup=Address("1 Road"),
        dropoff=Address("2 Road"),
        customer_name="Li Na",
        customer_phone="138****1111",
        version=1,
        created_at=at,
        updated_at=at,
        ready_at=at,
    )


def test_a_day_number_two_active_deliveries_share_names_both(cache: object) -> None:
    table = cache.table(tables.DELIVERIES)  # type: ignore[attr-defined]
    for found in (
        _delivery("dl_east", 12, DeliveryStatus.ACCEPTED, 5),
        _delivery("dl_west", 12, DeliveryStatus.PENDING, 3),  # another store's #0012
        _delivery("dl_old", 12, DeliveryStatus.DELIVERED, 600),
    ):
        table.upsert(found.id, msgspec.to_builtins(found))
    found = ReadModel(cache).resolve_delivery("#0012")
    assert found.number == 12 and sorted(found.candidates) == ["dl_east", "dl_west"]  # not the ended one
    west = _delivery("dl_west", 12, DeliveryStatus.DELIVERED, 3)
    table.upsert(west.id, msgspec.to_builtins(west))
    assert ReadModel(cache).resolve_delivery("12") == Resolution(found="dl_east")  # the one still in hand


# --- the CLI, against the real platform ---------------------------------------------------------------------------


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


def test_the_cli_refuses_a_number_two_open_orders_share_and_acts_on_nothing(
    running: RunningPlatform, tmp_path: Path
) -> None:
    seed = running.seed
    assert seed is not None
    cli = Cli(tmp_path / "home", seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    older, newer = place_orders(running.url, seed, 2)
    number = server_order(running, older).number
    with sqlite3.connect(running.db_url.removeprefix("sqlite:///")) as conn:  # as an order for later may be
        conn.execute(
            "UPDATE orders SET number = ?, doc = CAST(json_set(CAST(doc AS TEXT), '$.number', ?) AS BLOB)"
            " WHERE id = ?",
            (number, number, newer),
        )
    cli("sync", "--once")
    ref = f"#{number:04d}"

    shown = cli("orders", "show", ref, code=Exit.USAGE)
    assert f"{ref} is the number of 2 orders, not all of them ended" in shown.stderr
    assert shown.stderr.index(newer) < shown.stderr.index(older)  # newest first, each with its id
    cli("orders", "accept", str(number), code=Exit.USAGE)
    assert server_order(running, older).status is OrderStatus.CREATED  # nothing was sent
    assert server_order(running, newer).status is OrderStatus.CREATED
    assert cli.json("sync", "status")["pending"] == 0  # nor queued

    rejected = api(running, "merchant").post(f"/v1/orders/{older}/reject", {"reason_code": "OUT_OF_STOCK"})
    assert rejected.status_code == 200, rejected.text
    cli("sync", "--once")
    assert cli.json("orders", "show", ref)["id"] == newer  # the only open one with it
