"""One personal-data rule for the platform and the devices (o2o_tui/domain/personal_data.py): a device blanks
exactly the fields of an ended order or delivery that the server blanks, after the same window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import msgspec.inspect as mi

from o2o_tui.domain.fleet import Delivery
from o2o_tui.domain.geo import Position
from o2o_tui.domain.order import Order
from o2o_tui.domain.personal_data import DELIVERY_PERSONAL, ORDER_PERSONAL
from o2o_tui.platform.personal import without_personal_delivery, without_personal_order
from o2o_tui.platform.settings import settings_from_env
from o2o_tui.sync import tables
from o2o_tui.sync.read_model import ReadModel
from o2o_tui.sync.retention import RetentionPolicy, apply_retention
from o2o_tui.sync.session import retention_from_env
from offline_cache import open_profile_cache

NOW = datetime(2026, 1, 6, 12, 0, tzinfo=UTC)
# ended past the 6 h purge and well before the 3 day prune, written as the API writes times
ENDED = msgspec.to_builtins(NOW - timedelta(hours=7))

# What stays after the purge: ids, codes, the menu's words, amounts and the store's own record. A new text or
# position field of an order or a delivery must be added here or to the rule, or the census test fails.
KEPT = {
    Order: {
        "id", "store_id", "lines[].item_id", "lines[].name", "lines[].unit_price.currency",
        "lines[].options[].option_id", "lines[].options[].group_id", "lines[].options[].name",
        "lines[].options[].unit_price.currency", "lines[].total.currency", "totals.subtotal.currency",
        "totals.delivery_fee.currency", "totals.discount.currency", "totals.total.currency",
        "totals.refunded.currency", "payment.method", "pickup_code", "delivery_code", "cancellation.reason_code",
        "cancel_reason_code", "courier_id", "delivery_id", "delivery_status", "return_reason", "code_locks[].kind",
        "chases[].reply", "chases[].answered_by", "refunds[].id", "refunds[].amount.currency",
        "refunds[].reason_code", "refunds[].lines[].amount.currency", "refunds[].by",
        "refunds[].by_role", "delivery_problem.reason", "accept_key",
        # the courier who has the food of a refused pickup: the store's own courier, not the customer's data
        "food_with_courier.courier_id", "food_with_courier.courier_name", "food_with_courier.delivery_id",
        # the couriers who rejected an offer of the order: the store's couriers, not the customer's data
        "refused_by[].courier_id",
        # the promised day the store's hours came to close (a store date, not the customer's)
        "closed_at_promise.date",
        "closed_at_promise.hours[]",  # that day's opening hours ("11:00-14:00"): the store's
    },
    Delivery: {
        "id", "order_id", "store_id", "courier_id", "pickup.text", "pickup.position", "store_name",
        "store_timezone", "end_reason", "cancel_reason_code",
    },
}  # fmt: skip


def _texts(info: Any, path: str = "") -> list[str]:
    """The path of every text and every position in a document of this type (lists as `name[]`)."""
    if isinstance(info, mi.Metadata):
        return _texts(info.type, path)
    if isinstance(info, mi.StructType):
        if info.cls is Position:
            return [path]
        return [p for f in info.fields for p in _texts(f.type, f"{path}.{f.encode_name}".lstrip("."))]
    if isinstance(info, mi.ListType):
        return _texts(info.item_type, path + "[]")
    if isinstance(info, mi.UnionType):
        return [p for member in info.types for p in _texts(member, path)]
    return [path] if isinstance(info, mi.StrType) else []


def _filled(info: Any, path: str = "") -> Any:
    """A document of this type with every field present: each text is its own path, each list has two items."""
    if isinstance(info, mi.Metadata):
        return _filled(info.type, path)
    if isinstance(info, mi.StructType):
        return {f.encode_name: _filled(f.type, f"{path}.{f.encode_name}".lstrip(".")) for f in info.fields}
    if isinstance(info, mi.ListType):
        return [_filled(info.item_type, path + "[]") for _ in range(2)]
    if isinstance(info, mi.UnionType):
        return _filled(next(m for m in info.types if not isinstance(m, mi.NoneType)), path)
    if isinstance(info, mi.StrType):
        return f"<{path}>"
    if isinstance(info, mi.EnumType):
        return next(iter(info.cls)).value
    if isinstance(info, mi.DateTimeType):
        return "2026-01-05T11:00:00Z"
    simple: dict[type, Any] = {mi.IntType: 1, mi.FloatType: 31.25, mi.BoolType: True}
    return simple[type(info)]


def _covered(path: str, rule: dict[str, Any] | Any) -> bool:
    return any(path == blanked or path.startswith(blanked + ".") for blanked in rule)


def test_every_text_and_position_is_either_personal_or_kept() -> None:
    for kind, rule in ((Order, ORDER_PERSONAL), (Delivery, DELIVERY_PERSONAL)):
        texts = _texts(mi.type_info(kind))
        unsorted = [p for p in texts if not _covered(p, rule) and p not in KEPT[kind]]
        assert not unsorted, f"{kind.__name__}: personal or not? add to the rule or to KEPT: {unsorted}"
        assert not [p for p in KEPT[kind] if _covered(p, rule)], "kept and blanked at once"
        assert all(any(t == p or t.startswith(p + ".") for t in texts) for p in rule), (
            "a rule path gone stale"
        )
    # the customer's words, the store's free answer, the store's free text on a refund
    for free_text in ("chases[].note", "chases[].text", "refunds[].note"):
        assert free_text in ORDER_PERSONAL


def _changed(before: Any, after: Any, path: str = "") -> set[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        return {p for key in before for p in _changed(before[key], after[key], f"{path}.{key}".lstrip("."))}
    if isinstance(before, list) and isinstance(after, list):
        return {p for b, a in zip(before, after, strict=True) for p in _changed(b, a, path + "[]")}
    return set() if before == after else {path}


def test_a_device_blanks_exactly_what_the_server_blanks(tmp_path: Path) -> None:
    order = _filled(mi.type_info(Order)) | {"status": "CANCELLED", "ended_at": ENDED, "updated_at": ENDED}
    delivery = _filled(mi.type_info(Delivery)) | {"status": "DELIVERED", "updated_at": ENDED}
    on_server = {
        tables.ORDERS: msgspec.to_builtins(without_personal_order(msgspec.convert(order, Order))),
        tables.DELIVERIES: msgspec.to_builtins(
            without_personal_delivery(msgspec.convert(delivery, Delivery))
        ),
    }
    with open_profile_cache(tmp_path / "device") as cache:
        cache.table(tables.ORDERS).upsert("o1", order)
        cache.table(tables.DELIVERIES).upsert("d1", delivery)
        assert apply_retention(cache, RetentionPolicy(), NOW) == (2, 0)
        on_device = {
            tables.ORDERS: cache.table(tables.ORDERS).get("o1"),
            tables.DELIVERIES: cache.table(tables.DELIVERIES).get("d1"),
        }
    for table, before, rule in (
        (tables.ORDERS, order, ORDER_PERSONAL),
        (tables.DELIVERIES, delivery, DELIVERY_PERSONAL),
    ):
        assert on_device[table] == on_server[table], f"{table}: the device and the server blank differently"
        assert _changed(before, on_device[table]) == set(rule), table  # every personal field, nothing else


def test_the_server_and_the_devices_read_the_same_window() -> None:
    for env in ({}, {"O2O_PURGE_PERSONAL_HOURS": "0.25"}):
        server_hours = settings_from_env(env).purge_personal_hours
        assert retention_from_env(env).purge_personal_after == timedelta(hours=server_hours)


def test_a_reader_open_across_the_purge_shows_the_blanked_copy(tmp_path: Path) -> None:
    """A console's read model keeps decoded documents per version, and the purge makes no new version."""
    order = _filled(mi.type_info(Order)) | {"status": "CANCELLED", "ended_at": ENDED, "updated_at": ENDED}
    delivery = _filled(mi.type_info(Delivery)) | {"status": "DELIVERED", "updated_at": ENDED}
    with open_profile_cache(tmp_path / "device") as cache:
        cache.table(tables.ORDERS).upsert("o1", order)
        cache.table(tables.DELIVERIES).upsert("d1", delivery)
        model = ReadModel(cache)
        assert [view.order.note for view in model.orders()] == ["<note>"]
        assert [d.note for d in model.deliveries()] == ["<note>"]
        apply_retention(cache, RetentionPolicy(), NOW)
        [view] = model.orders()
        assert (view.order.note, view.order.customer.name, view.order.chases[0].note) == ("", "", "")
        [shown] = model.deliveries()
        assert (shown.dropoff.position, shown.note, shown.problems[0].note) == (None, "", "")
