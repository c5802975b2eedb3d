"""A courier's refused problem note about a delivery taken off them leaves the handheld at once, as the delivery's
own copy does (README: "at once"), not after the purge window: the conflicts list keeps what was refused (the
action, the delivery, the reason code, the refusal, the tap time). Real server on loopback, the real sync engine
into a real courier cache; the delivery is taken off the courier while its problem is still queued (pending)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

from o2o_tui.domain.fleet import ProblemReason
from o2o_tui.domain.requests import ProblemBody
from o2o_tui.sync import tables
from o2o_tui.sync.retention import RetentionPolicy, apply_retention
from offline_cache import open_profile_cache
from tests.support.platform import Api, RunningPlatform, api, order_body
from tests.support.purge import courier_device, ok, sync_once

NOTE = "CANARYNOTE Zhang Rm 2070 tel 13912345678"


def _accepted(platform: RunningPlatform, courier_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    assert platform.seed is not None
    order = ok(api(platform, "customer").post("/v1/orders", order_body(platform.seed.store_id)))
    ok(api(platform, "merchant").post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}))
    delivery = ok(
        api(platform, "dispatcher").post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id})
    )
    ok(
        Api(platform.url, platform.seed.courier_tokens[courier_id]).post(
            f"/v1/deliveries/{delivery['id']}/accept"
        )
    )
    return order, delivery


def _held(profile: Path) -> str:
    return "\n".join(
        f.read_text("utf-8", errors="replace") for f in sorted(profile.rglob("*")) if f.is_file()
    )


def test_a_refused_note_on_a_delivery_taken_off_the_courier_goes_at_once(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    assert platform.seed is not None
    courier_id = platform.seed.courier_ids[0]
    handheld = courier_device(platform.seed, courier_id, tmp_path / "handheld")
    order, delivery = _accepted(platform, courier_id)
    sync_once(platform, *handheld)  # the handheld holds the delivery
    # the store takes it off the courier before the courier's problem (typed offline) reaches the platform
    ok(api(platform, "dispatcher").post(f"/v1/orders/{order['id']}/unassign"))
    problem = ProblemBody(reason=ProblemReason.OTHER, note=NOTE)
    report = sync_once(platform, *handheld, (("delivery.problem", delivery["id"], problem),))
    assert report.rejected == 1

    with open_profile_cache(handheld[0]) as cache:
        cached = cache.table(tables.DELIVERIES).get(delivery["id"])
        assert cached is not None and cached["status"] == "CANCELLED"
        [refused] = cache.outbox.conflicts()
        # what the conflicts list says stays: which action, on which delivery, the reason code, the refusal, when
        assert (refused.action, refused.target.split("/")[0]) == ("delivery.problem", delivery["id"])
        assert refused.rejection and refused.occurred_at
        assert msgspec.json.decode(refused.body) == {"reason": "OTHER", "note": ""}
        # done: a later retention run (past the window) changes nothing more
        assert apply_retention(cache, RetentionPolicy(), datetime.now(UTC) + timedelta(hours=7))[0] == 0
    held = _held(handheld[0])
    assert "CANARYNOTE" not in held and "13912345678" not in held


def test_a_refused_note_on_a_delivery_still_the_couriers_stays(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    """A refusal on a delivery the courier still carries (a bad reason for its step, say) is not about a delivery
    they are done with: its note stays, for the courier to read what was refused (until the delivery ends and
    the window passes, as any refused action's)."""
    assert platform.seed is not None
    courier_id = platform.seed.courier_ids[0]
    handheld = courier_device(platform.seed, courier_id, tmp_path / "handheld")
    _, delivery = _accepted(platform, courier_id)
    sync_once(platform, *handheld)
    with open_profile_cache(handheld[0]) as cache:
        body = msgspec.json.encode({"reason": "OTHER", "note": NOTE}).decode()
        cache.outbox.append("delivery.problem", delivery["id"], body)
        [entry] = cache.outbox.pending()
        cache.outbox.mark_rejected(entry.key, {"code": "invalid_transition"})
        assert apply_retention(cache, RetentionPolicy(), datetime.now(UTC))[0] == 0
        assert NOTE in cache.outbox.conflicts()[0].body
