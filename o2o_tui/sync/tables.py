"""Names of the cache tables and meta keys the sync engine owns (the cache itself knows only JSON documents)."""

from __future__ import annotations

from o2o_tui.domain.events import EntityKind

ORDERS = "orders"
STORES = "stores"
MENUS = "menus"  # keyed by store id
COURIERS = "couriers"
DELIVERIES = "deliveries"

TABLE_FOR: dict[EntityKind, str] = {
    EntityKind.ORDER: ORDERS,
    EntityKind.STORE: STORES,
    EntityKind.MENU: MENUS,
    EntityKind.COURIER: COURIERS,
    EntityKind.DELIVERY: DELIVERIES,
}

META_CURSOR = "sync.cursor"
META_LAST_SYNC_AT = "sync.last_sync_at"  # ISO time of the last good pull
# when the platform last answered anything (a poll, or a queued action sent: META_LAST_SYNC_AT is the last poll's
# answer only): a push answered as the link came back, before the next poll, is still "heard lately" for `o2o sync
# status` (it said NOT SYNCING while the console said ONLINE); kept by the engine (`engine.META_ANSWERED_AT`)
META_ANSWERED_AT = "sync.answered_at"
META_STATE = "sync.state"  # the last state a running engine saw (for `o2o sync status` in another process)
META_LAST_ERROR = "sync.last_error"
META_SEEN_EVENTS = "sync.seen_event_ids"  # a bounded window of applied event ids, to drop redeliveries
META_SCOPE = "sync.scope"
# the entity model (`fetch.MODEL_VERSION`) of the client that last wrote entities into this cache: a full resync
# writes its own; an older client with this marker writing entities lowers it to its own; a cache without it (or
# with an older one) is resynced whole by the next newer engine (sync/engine.py, "Upgrades")
META_MODEL_VERSION = "sync.model_version"
