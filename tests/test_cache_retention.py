"""Retention: ended documents are pruned after a window and their personal fields blanked after N hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from offline_cache import RetentionPolicy, apply_retention, open_profile_cache, purge_fields, time_field

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def order(order_id: str, status: str, ended_hours_ago: float | None) -> dict[str, object]:
    ended = None if ended_hours_ago is None else (NOW - timedelta(hours=ended_hours_ago)).isoformat()
    return {
        "id": order_id,
        "status": status,
        "ended_at": ended,
        "customer": {"name": "Ann Lee", "phone": "138****5678", "address": {"street": "1 Long Rd"}},
        "note": "ring twice",
    }


POLICY = RetentionPolicy(
    ended_at=time_field("ended_at"),
    purge={"customer.name": "", "customer.phone": "", "customer.address": None, "note": ""},
    purge_after=timedelta(hours=24),
    prune_after=timedelta(days=7),
    prunable=lambda doc: doc["status"] in ("CONCLUDED", "CANCELLED"),
)


def test_prune_and_purge_by_age(tmp_path: Path) -> None:
    with open_profile_cache(tmp_path / "p") as cache:
        orders = cache.table("orders")
        orders.upsert_many(
            {
                "active": order("active", "PREPARING", None),
                "fresh": order("fresh", "CONCLUDED", 2),
                "day_old": order("day_old", "CONCLUDED", 30),
                "week_old": order("week_old", "CONCLUDED", 24 * 8),
                "week_old_cancelled": order("week_old_cancelled", "CANCELLED", 24 * 8),
                "week_old_delivered": order("week_old_delivered", "DELIVERED", 24 * 8),
            }
        )
        report = apply_retention(orders, POLICY, now=NOW)
        assert (report.pruned, report.purged) == (2, 2)
        assert sorted(orders.ids()) == ["active", "day_old", "fresh", "week_old_delivered"]
        for kept in ("active", "fresh"):
            assert orders.get(kept)["customer"]["name"] == "Ann Lee"
        for purged in ("day_old", "week_old_delivered"):
            doc = orders.get(purged)
            assert doc["customer"] == {"name": "", "phone": "", "address": None} and doc["note"] == ""
            assert doc["status"] in ("CONCLUDED", "DELIVERED")  # everything else stays
        again = apply_retention(orders, POLICY, now=NOW)
        assert (again.pruned, again.purged) == (0, 0)
    with open_profile_cache(tmp_path / "p") as cache:
        assert len(cache.table("orders")) == 4
        assert cache.table("orders").get("day_old")["customer"]["name"] == ""


def test_nothing_is_touched_when_windows_are_off(tmp_path: Path) -> None:
    with open_profile_cache(tmp_path / "p") as cache:
        orders = cache.table("orders")
        orders.upsert("old", order("old", "CONCLUDED", 24 * 365))
        report = apply_retention(orders, RetentionPolicy(ended_at=time_field("ended_at")), now=NOW)
        assert (report.pruned, report.purged) == (0, 0) and orders.get("old") == order("old", "CONCLUDED", 24 * 365)


def test_purge_fields_skips_paths_a_document_does_not_have() -> None:
    doc = {"customer": {"name": "A"}, "other": 1}
    assert purge_fields(doc, {"customer.name": "", "customer.address.street": "", "missing.x": None}) == {
        "customer": {"name": ""},
        "other": 1,
    }


def test_time_field_reads_z_and_naive_times_as_utc() -> None:
    read = time_field("a.b")
    assert read({"a": {"b": "2026-03-01T12:00:00Z"}}) == NOW
    assert read({"a": {"b": "2026-03-01T12:00:00"}}) == NOW
    assert read({"a": {"b": "not a time"}}) is None and read({"a": {}}) is None
