"""`python -m tests.support.burst_console OUT`: the merchant console on an in-memory source with one new order
(#0042) and one ready takeout (#0038), in a real terminal; every action it submits is appended to OUT as a JSON
line. For tests that type bursts through a pty (tests/test_ui_burst_keys.py)."""

from __future__ import annotations

import json
import sys

import msgspec

from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.source import QueueEntry
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store


class RecordingSource(MemoryOrderSource):
    def __init__(self, out: str, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.out = out

    async def submit(self, action: str, order_id: str, body: msgspec.Struct) -> None:
        await super().submit(action, order_id, body)
        with open(self.out, "a", encoding="utf-8") as out:
            out.write(json.dumps([action, order_id, msgspec.to_builtins(body)]) + "\n")


def main() -> None:
    set_language("en")
    entries = [
        QueueEntry(sample_order(42, OrderStatus.CREATED, minutes_ago=1)),
        QueueEntry(
            sample_order(38, OrderStatus.READY_FOR_PICKUP, minutes_ago=25, order_type=OrderType.TAKEOUT)
        ),
    ]
    source = RecordingSource(sys.argv[1], entries, store=sample_store())
    MerchantApp(source, clock=lambda: FROZEN_NOW).run()


if __name__ == "__main__":
    main()
