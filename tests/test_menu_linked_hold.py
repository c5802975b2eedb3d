"""A refused import publish takes its availability changes to the conflicts in one pass and one durable write
(o2o_tui/sync/linked.py), on a real outbox in a temp dir: only its own riders, each with its reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from o2o_tui.sync import linked
from offline_cache import open_profile_cache

RIDERS = 300


class CountingOutbox:
    """The real outbox, counting the calls that each make one durable write."""

    WRITES = ("mark_rejected", "mark_rejected_many", "dismiss", "dismiss_many", "rebase")

    def __init__(self, outbox: Any) -> None:
        self._outbox = outbox
        self.writes = 0

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._outbox, name)
        if name in self.WRITES:
            self.writes += 1
        return found


def test_a_refused_publish_holds_its_riders_in_one_write(tmp_path: Path) -> None:
    cache = open_profile_cache(tmp_path / "profile")
    try:
        outbox = cache.outbox
        plain = outbox.append("menu.item.patch", "s1/plain", "{}")  # no base version: not an import's
        publish = outbox.append("menu.publish", "s1", "{}", base_version=3)
        riders = [outbox.append("menu.item.patch", f"s1/i{n}", "{}", base_version=3) for n in range(RIDERS)]
        elsewhere = outbox.append("menu.item.patch", "s2/i0", "{}", base_version=3)  # another store's
        later = outbox.append("menu.publish", "s1", "{}", base_version=4)
        its_own = outbox.append("menu.option.patch", "s1/o1", "{}", base_version=4)  # rides with `later`

        refused = outbox.mark_rejected(publish.key, {"code": "stale_version", "status": 412})
        counting = CountingOutbox(outbox)
        held = linked.hold_riders(counting, refused)

        assert held == [rider.key for rider in riders]
        assert counting.writes == 1
        conflicts = {entry.key: entry for entry in outbox.conflicts()}
        assert set(conflicts) == {publish.key, *held}
        reason = conflicts[riders[-1].key].rejection
        assert reason is not None and reason["code"] == linked.HELD_CODE and reason["publish_key"] == publish.key
        assert "i299" in reason["explanation"]
        assert [e.key for e in outbox.pending()] == [plain.key, elsewhere.key, later.key, its_own.key]
    finally:
        cache.close()
