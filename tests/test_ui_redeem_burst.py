"""`v` typed by a scanner: the real console in a pty (tests/test_ui_burst_keys.py's `_burst`), `v` and two codes
each with its Enter written in ONE os.write: the pickup code (with a correction) hands #0038 over, the voucher code
after it (spaces dropped) is queued as the store's voucher redemption; nothing lost, nothing reordered."""

from __future__ import annotations

from pathlib import Path

from tests.test_ui_burst_keys import _burst


def test_two_codes_scanned_after_v_in_one_burst(tmp_path: Path) -> None:
    submitted, _ = _burst(tmp_path, b"v482\x7f21\r1234 5678 9012\r", until="Queued")
    assert submitted == [
        ["order.handoff", "ord-0038", {"code": "4821"}],
        ["voucher.redeem", "store-1", {"code": "123456789012"}],
    ]
