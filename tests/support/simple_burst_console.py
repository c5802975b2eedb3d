"""`python -m tests.support.simple_burst_console OUT`: the simple mode on an in-memory source with one
ready takeout (#0038), in a real terminal; every action it submits is appended to OUT
as a JSON line (tests/test_ui_simple.py types a scanner's burst through a pty)."""

from __future__ import annotations

import sys

from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.source import QueueEntry
from tests.support.burst_console import RecordingSource
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store


def main() -> None:
    set_language("en")
    entries = [
        QueueEntry(
            sample_order(38, OrderStatus.READY_FOR_PICKUP, minutes_ago=25, order_type=OrderType.TAKEOUT)
        ),
    ]
    source = RecordingSource(sys.argv[1], entries, store=sample_store())
    MerchantApp(source, clock=lambda: FROZEN_NOW, simple=True).run()


if __name__ == "__main__":
    main()
