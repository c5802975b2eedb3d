"""The queue rings once when a customer chases an order (a new unanswered chase), not again for the same one,
and not for the chases already there when the console opened (their badge shows them). No Textual here: the
queue calls `ring_for(screen, entries, muted)` after each change and rings the bell when it says so."""

from __future__ import annotations

import weakref
from collections.abc import Iterable

from o2o_tui.domain.chases import open_chase
from screens.source import QueueEntry


class ChaseBell:
    def __init__(self) -> None:
        self._seen: dict[str, int] | None = None  # order id -> how many chases it had when last looked at

    def newly_chased(self, entries: Iterable[QueueEntry]) -> list[str]:
        """The orders whose latest chase is unanswered and new since the last call (none on the first)."""
        first = self._seen is None
        seen = self._seen or {}
        now_seen: dict[str, int] = {}
        fresh: list[str] = []
        for entry in entries:
            order = entry.order
            if not order.chases:
                continue
            count = len(order.chases)
            now_seen[order.id] = count
            if not first and count > seen.get(order.id, 0) and open_chase(order.chases) is not None:
                fresh.append(order.id)
        self._seen = now_seen
        return fresh


_BELLS: weakref.WeakKeyDictionary[object, ChaseBell] = weakref.WeakKeyDictionary()


def ring_for(owner: object, entries: Iterable[QueueEntry], muted: bool) -> bool:
    """True when `owner` (the queue screen) should ring once now for a new chase; muted consoles stay quiet."""
    bell = _BELLS.setdefault(owner, ChaseBell())
    return bool(bell.newly_chased(entries)) and not muted
