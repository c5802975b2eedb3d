"""A refund's free-text note is the staff's words about a customer: the personal-data purge blanks it like the
chase texts and the problem notes, on the server (its jobs, a window of seconds) and in a merchant console's cache
(its own retention, the same rule). The refund's reason code, amounts, lines, author and time stay."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from o2o_tui.sync import tables
from o2o_tui.sync.retention import RetentionPolicy, apply_retention
from offline_cache import open_profile_cache
from tests.support.platform import api, order_body
from tests.support.purge import (
    Json,
    database_text,
    merchant_device,
    ok,
    start_purging_platform,
    sync_once,
    wait_for,
)

WINDOW_SECONDS = 8
NOTE = "Wang Wei 13812345678 at 88 Secret Rd said tofu cold"


def _kept(refund: Json) -> Json:
    return {
        key: refund[key] for key in ("id", "amount", "reason_code", "whole", "lines", "by", "by_role", "at")
    }


def test_the_purge_blanks_a_refund_note_on_the_server_and_in_the_merchant_cache(tmp_path: Path) -> None:
    running = start_purging_platform(tmp_path, WINDOW_SECONDS)
    try:
        seeded = running.seed
        assert seeded is not None
        customer, merchant = api(running, "customer"), api(running, "merchant")
        order = ok(customer.post("/v1/orders", order_body(seeded.store_id)))
        path = f"/v1/orders/{order['id']}"
        ok(merchant.post(path + "/confirm", {"preparation_minutes": 5}))
        refund = {"id": str(uuid.uuid4()), "reason_code": "OTHER", "whole": True, "note": NOTE}
        refunded = ok(merchant.post(path + "/refund", refund))
        assert refunded["refunds"][0]["note"] == NOTE
        ok(merchant.post(path + "/cancel", {"reason_code": "CLOSING_SOON"}))
        before = ok(merchant.get(path))
        counter = merchant_device(seeded, tmp_path / "counter")
        sync_once(running, *counter)  # the console holds the order, the note with it
        with open_profile_cache(counter[0]) as cache:
            assert (cache.table(tables.ORDERS).get(order["id"]) or {})["refunds"][0]["note"] == NOTE

        assert wait_for(lambda: ok(merchant.get(path))["customer"]["name"] == "", WINDOW_SECONDS + 20), (
            "the server did not purge the order"
        )
        after = ok(merchant.get(path))
        [kept] = after["refunds"]
        assert kept["note"] == "", "the refund's note outlived the purge"
        assert _kept(kept) == _kept(before["refunds"][0])  # reason code, amounts, lines, who and when stay
        assert after["totals"] == before["totals"] and after["payment"] == before["payment"]
        leaked = [
            word
            for word in ("Wang Wei", "13812345678", "Secret Rd")
            if word in database_text(running.db_url)
        ]
        assert not leaked, leaked

        # the device blanks its copy by itself, at its own clock
        with open_profile_cache(counter[0]) as cache:
            apply_retention(cache, RetentionPolicy(), datetime.now(UTC) + timedelta(hours=7))
            cached = cache.table(tables.ORDERS).get(order["id"]) or {}
            assert cached["refunds"][0]["note"] == ""
            assert _kept(cached["refunds"][0]) == _kept(before["refunds"][0])
        text = "\n".join(
            f.read_text("utf-8", errors="replace") for f in sorted(counter[0].rglob("*")) if f.is_file()
        )
        assert NOTE not in text and "Secret Rd" not in text
        for client in (customer, merchant):
            client.close()
    finally:
        running.stop()
