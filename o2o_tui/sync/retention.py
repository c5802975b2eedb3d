"""Keep the cache small and free of stale personal data (uses `offline_cache.retention`, which knows only
documents; this module says what an ended order or delivery is and which fields are personal).

The customer's personal data (o2o_tui/domain/personal_data.py: the rule the platform blanks its own copies with) is
blanked `purge_personal_after` an order (or delivery) ended; ended orders and deliveries are pruned after
`prune_ended_after`, except a delivery whose food is still with its courier (a refused pickup in the conflicts
list: the task to bring it back to the store stays until the courier confirms it; its personal data goes all the
same). At the same moment, by the same rule: a cached courier still standing at such an order's door loses that
position, and a refused action on such an order or delivery (the conflicts list) loses the personal text of its
body; on a delivery that ended without its courier delivering it (`courier_done_with`), at once, as the delivery's
own copy (the refusal's action, order, code and time stay for the conflicts list). A refusal whose order or delivery this cache does not hold (never created, pruned, another
scope's) counts as ended when it was tapped. An order or delivery left open (accepted and never marked ready or
handed off) is blanked `purge_open_after` its promised times and last change (`last_promised`), its refused actions
too, as the platform does (jobs.purge_personal). A damaged cache or print queue set aside (`<name>.corrupt-<time>`,
kept for a person to look at) is deleted once last written longer than the window ago.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import orjson

from o2o_tui.courier_tasks import foods_in_hand
from o2o_tui.domain.order import ENDED_STATUSES
from o2o_tui.domain.personal_data import (
    ACTION_PERSONAL,
    DELIVERY_PERSONAL,
    ORDER_PERSONAL,
    PURGE_OPEN_HOURS,
    PURGE_PERSONAL_HOURS,
    blank_personal,
    courier_at_door,
    courier_done_with,
    last_promised,
    needs_blanking,
)
from o2o_tui.domain.transitions import DELIVERY_ENDED
from o2o_tui.sync import tables
from offline_cache.outbox import OutboxEntry
from offline_cache.profile import remove_set_aside
from offline_cache.retention import RetentionPolicy as DocPolicy
from offline_cache.retention import apply_retention as apply_doc_retention
from offline_cache.retention import blank_refused, parse_time

_ORDER_ENDED = frozenset(str(s) for s in ENDED_STATUSES)
_DELIVERY_ENDED = frozenset(str(s) for s in DELIVERY_ENDED)


class RetentionPolicy(msgspec.Struct, frozen=True):
    purge_personal_after: timedelta = timedelta(hours=PURGE_PERSONAL_HOURS)
    prune_ended_after: timedelta = timedelta(days=3)
    purge_open_after: timedelta = timedelta(hours=PURGE_OPEN_HOURS)  # an order or delivery left open


def _ended(statuses: frozenset[str]) -> Any:
    def ended_at(doc: dict[str, Any]) -> datetime | None:
        if doc.get("status") not in statuses:
            return None
        return parse_time(doc.get("ended_at")) or parse_time(doc.get("updated_at"))

    return ended_at


def _blank_ended(table: Any, ended_at: Any, rule: Mapping[str, Any], cutoff: datetime) -> int:
    def due(doc: dict[str, Any]) -> bool:
        ended = ended_at(doc)
        return ended is not None and ended <= cutoff and needs_blanking(doc, rule)

    return int(table.transform(due, lambda doc: blank_personal(doc, rule)))


def _left_open(statuses: frozenset[str], cutoff: datetime) -> Any:
    """Whether a document is open (not in `statuses`) with its promised times and last change before `cutoff`."""

    def due(doc: dict[str, Any]) -> bool:
        if doc.get("status") in statuses:
            return False
        promised = last_promised(doc)
        return promised is not None and promised <= cutoff

    return due


def _blank_left_open(table: Any, statuses: frozenset[str], rule: Mapping[str, Any], cutoff: datetime) -> int:
    left_open = _left_open(statuses, cutoff)

    def due(doc: dict[str, Any]) -> bool:
        return left_open(doc) and needs_blanking(doc, rule)

    return int(table.transform(due, lambda doc: blank_personal(doc, rule)))


def _get(doc: Any, *path: str) -> Any:
    for name in path:
        doc = doc.get(name) if isinstance(doc, dict) else None
    return doc


def _doors(cache: Any, cutoff: datetime, open_cutoff: datetime) -> list[tuple[Any, Any, datetime, Any]]:
    """(courier id, the door, when it ended, the pickup) of each order and delivery the purge is about to blank:
    ended at `cutoff` or before, or left open with its promised times and last change at `open_cutoff` or before
    (then its last change stands for its end: an arrival at the door changed it, no earlier)."""
    found = []
    for table_name, statuses, rule in (
        (tables.ORDERS, _ORDER_ENDED, ORDER_PERSONAL),
        (tables.DELIVERIES, _DELIVERY_ENDED, DELIVERY_PERSONAL),
    ):
        ended_at, left_open = _ended(statuses), _left_open(statuses, open_cutoff)
        for _, doc in cache.table(table_name).items_shared():  # read only
            ended = ended_at(doc)
            if ended is None and left_open(doc):
                ended = last_promised(doc)
            if ended is None or ended > cutoff or not needs_blanking(doc, rule):
                continue
            courier_id = doc.get("courier_id")
            if table_name == tables.ORDERS:
                found.append((courier_id, _get(doc, "customer", "address", "position"), ended, None))
            else:
                pickup = _get(doc, "pickup", "position")
                found.append((courier_id, _get(doc, "dropoff", "position"), ended, pickup))
    return found


def _forget_doors(cache: Any, cutoff: datetime, open_cutoff: datetime) -> int:
    """Blank the position of each cached courier still where a purged order's hand-over (or an arrival at the door
    of one left open) put it (the server does the same: platform/fleet.py `forget_door`)."""
    doors: dict[str, list[tuple[Any, datetime, Any]]] = {}
    for courier_id, door, ended, pickup in _doors(cache, cutoff, open_cutoff):
        if isinstance(courier_id, str) and door is not None:
            doors.setdefault(courier_id, []).append((door, ended, pickup))
    if not doors:
        return 0

    def at_a_door(doc: dict[str, Any]) -> bool:
        return any(courier_at_door(doc, *seen) for seen in doors.get(str(doc.get("id")), ()))

    def forget(doc: dict[str, Any]) -> dict[str, Any]:
        doc["position"] = None
        return doc

    return int(cache.table(tables.COURIERS).transform(at_a_door, forget))


def _subject(entry: OutboxEntry) -> tuple[str, str | None]:
    """The cache table and id of the order or delivery a refused action was about."""
    if entry.action.startswith("delivery."):
        return tables.DELIVERIES, entry.target.split("/")[0]
    if entry.action == "order.create":  # the target is the store; the order's id is chosen in the body
        created = _body(entry).get("id")
        return tables.ORDERS, created if isinstance(created, str) else None
    return tables.ORDERS, entry.target.split("/")[0]


def _body(entry: OutboxEntry) -> dict[str, Any]:
    try:
        body = orjson.loads(entry.body)
    except orjson.JSONDecodeError:
        return {}
    return body if isinstance(body, dict) else {}


def _blank_conflicts(cache: Any, cutoff: datetime, open_cutoff: datetime) -> int:
    """Blank the personal text of refused actions on orders and deliveries ended at least the window ago (left open
    `open_cutoff` past their promise: `_left_open`), and at
    once on a delivery that ended without its courier delivering it (`courier_done_with`: taken back, reassigned,
    rejected, given back), as its cached copy is: a courier's note on it goes from the device with the delivery."""
    ended_at = {tables.ORDERS: _ended(_ORDER_ENDED), tables.DELIVERIES: _ended(_DELIVERY_ENDED)}
    left_open = {
        tables.ORDERS: _left_open(_ORDER_ENDED, open_cutoff),
        tables.DELIVERIES: _left_open(_DELIVERY_ENDED, open_cutoff),
    }

    def blanked(entry: OutboxEntry) -> str | None:
        rule = ACTION_PERSONAL.get(entry.action)
        body = _body(entry)
        if rule is None or not needs_blanking(body, rule):
            return None
        table_name, subject_id = _subject(entry)
        doc = cache.table(table_name).get(subject_id) if subject_id else None
        done_with = table_name == tables.DELIVERIES and doc is not None and courier_done_with(doc)
        ended = ended_at[table_name](doc) if doc is not None else parse_time(entry.occurred_at)
        forgotten = doc is not None and left_open[table_name](doc)
        if not done_with and not forgotten and (ended is None or ended > cutoff):
            return None
        return orjson.dumps(blank_personal(body, rule)).decode()

    return blank_refused(cache.outbox, blanked)


def _not_in(kept: set[str]) -> Any:
    """`prunable` for a table: any document but those whose id is in `kept`."""

    def prunable(doc: dict[str, Any]) -> bool:
        return doc.get("id") not in kept

    return prunable


def apply_retention(cache: Any, policy: RetentionPolicy, now: datetime) -> tuple[int, int]:
    """Purge and prune orders and deliveries (and what holds their personal data: couriers at their doors, refused
    actions); returns (purged, pruned). Runs on the cache's thread."""
    cutoff = now - policy.purge_personal_after
    # first: the orders and deliveries still say where their doors are
    purged = _forget_doors(cache, cutoff, now - policy.purge_open_after)
    pruned = 0
    # a delivery whose food a refused pickup left with the courier is a task (bring it back to the store) until the
    # courier says it is back: kept, not pruned; its personal data goes all the same (the task needs the store)
    in_hand = foods_in_hand(cache.outbox.conflicts())
    for table_name, statuses, personal in (
        (tables.ORDERS, _ORDER_ENDED, ORDER_PERSONAL),
        (tables.DELIVERIES, _DELIVERY_ENDED, DELIVERY_PERSONAL),
    ):
        ended_at = _ended(statuses)
        table = cache.table(table_name)
        kept = in_hand if table_name == tables.DELIVERIES else set()
        with table.batch():  # one durable write for the pruning and the blanking
            doc_policy = DocPolicy(
                ended_at=ended_at, prune_after=policy.prune_ended_after, prunable=_not_in(kept)
            )
            pruned += apply_doc_retention(table, doc_policy, now=now).pruned
            purged += _blank_ended(table, ended_at, personal, cutoff)
            purged += _blank_left_open(table, statuses, personal, now - policy.purge_open_after)
    _remove_set_aside(cache, cutoff)
    return purged + _blank_conflicts(cache, cutoff, now - policy.purge_open_after), pruned


# the files whose damaged copies (`<name>.corrupt-<time>`, kept for a person to look at) hold customers' personal
# data: the cache and the print queue (its tickets); a damaged menu drafts file holds none and is kept
PERSONAL_SET_ASIDE = ("cache-v*.json", "print-queue.json")


def _remove_set_aside(cache: Any, cutoff: datetime) -> list[Any]:
    """Delete the damaged copies of the cache and the print queue last written before `cutoff`: the window is the
    promise, for them too (not from a read-only open, which changes nothing)."""
    directory = getattr(cache, "directory", None)
    if directory is None or getattr(cache, "read_only", False):
        return []
    return remove_set_aside(Path(directory), PERSONAL_SET_ASIDE, cutoff)
