"""Auto-accept on the platform: the store's setting, the printing station's check-ins, the daily cap.

The station is one console per store, named by its device name (`o2o_tui/device.py`). It checks in with
`GET /v1/stores/{id}/auto-accept?device=NAME` (every `CHECK_IN_SECONDS`, domain/auto_accept.py); the platform keeps the last check-in in
`meta` and mirrors "online" onto the store (`Store.auto_accept.station_online`, a store.updated event), so every
console knows whether anyone will carry auto-accept out. Every console's ask with its name is remembered too (a row
of `store_devices` per device, rewritten at most every 5 minutes): the names a merchant may choose as the station. An accept sent with `auto: true` is counted against the
daily cap here, from the orders themselves (`Order.auto_accepted`), under a lock on the store row, so two consoles
can never go past it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import msgspec
from sqlalchemy import Connection, and_, bindparam, delete, select, update

from o2o_tui.domain.auto_accept import FRESH_SECONDS, AutoAcceptBody, AutoAcceptState
from o2o_tui.domain.identity import Role
from o2o_tui.domain.order import Order
from o2o_tui.domain.store import AutoAccept, Store
from o2o_tui.platform import db, stores
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import conflict

_decode_order = msgspec.json.Decoder(Order).decode


def _meta_key(store_id: str) -> str:
    return "station:" + hashlib.sha256(store_id.encode()).hexdigest()[:40]


def day_start(store: Store, now: datetime) -> datetime:
    """The start of the store's local day holding `now`, in UTC."""
    local = stores.local_time(store, now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def count_today(conn: Connection, store: Store, now: datetime) -> int:
    """Orders of `store` auto-accepted since its local midnight (an order confirmed today changed today)."""
    start = day_start(store, now)
    docs = conn.execute(
        select(db.orders.c.doc).where(
            db.orders.c.store_id == store.id, db.orders.c.updated_at >= db.iso(start)
        )
    ).scalars()
    count = 0
    for doc in docs:
        order = _decode_order(doc)
        if order.auto_accepted and order.confirmed_at is not None and order.confirmed_at >= start:
            count += 1
    return count


def _last_check_in(conn: Connection, store_id: str) -> tuple[str, datetime, bool] | None:
    """The station's last check-in: its device name, when, and whether its printer held auto-accept then (False
    from a check-in stored before that was said)."""
    value = db.get_meta(conn, _meta_key(store_id))
    if not value or "\t" not in value:
        return None
    device, _, rest = value.partition("\t")
    stamp, _, held = rest.partition("\t")
    try:
        return device, datetime.fromisoformat(stamp), held == "1"
    except ValueError:
        return None


def _check_in(conn: Connection, store_id: str, device: str, now: datetime, printer_held: bool) -> None:
    db.set_meta(conn, _meta_key(store_id), f"{device}\t{db.iso(now)}\t{int(printer_held)}")


DEVICES_KEPT = timedelta(days=30)  # a console unheard of for longer is no longer offered as a station
_SEEN_EVERY = timedelta(minutes=5)  # consoles ask every 15 s: their "seen" row is rewritten at most this often


_devices = db.store_devices
_DEVICE = and_(_devices.c.store_id == bindparam("b_store"), _devices.c.device == bindparam("b_device"))
_SEEN_AT = select(_devices.c.seen_at).where(_DEVICE)
_SEEN_AGAIN = update(_devices).where(_DEVICE).values(seen_at=bindparam("b_at"))
_SEEN_BY_STORE = select(_devices.c.device, _devices.c.seen_at).where(_devices.c.store_id == bindparam("b_store"))


def _seen(conn: Connection, store_id: str, device: str, now: datetime) -> None:
    """Remember that a console of the store asked under this device name (a station a merchant may choose)."""
    where = {"b_store": store_id, "b_device": device}
    stamp = conn.execute(_SEEN_AT, where).scalar_one_or_none()
    if stamp is not None and db.iso(now - _SEEN_EVERY) < stamp:
        return
    if stamp is None:
        conn.execute(_devices.insert().values(store_id=store_id, device=device, seen_at=db.iso(now)))
    else:
        conn.execute(_SEEN_AGAIN, {**where, "b_at": db.iso(now)})


def forget_devices(conn: Connection, now: datetime) -> int:
    """Drop the device names no console asked under for longer than `DEVICES_KEPT` (the prune job); how many."""
    gone = conn.execute(delete(_devices).where(_devices.c.seen_at < db.iso(now - DEVICES_KEPT)))
    return int(gone.rowcount or 0)


def seen_devices(conn: Connection, store_id: str, now: datetime) -> list[str]:
    """The device names the store's consoles asked under in the last `DEVICES_KEPT`, the latest first."""
    cutoff = db.iso(now - DEVICES_KEPT)
    rows = conn.execute(_SEEN_BY_STORE, {"b_store": store_id}).all()
    return [device for at, device in sorted(((r.seen_at, r.device) for r in rows), reverse=True) if at >= cutoff]


def _mirror_station(ctx: Ctx, store: Store, online: bool, printer_held: bool) -> Store:
    auto = store.auto_accept
    if (auto.station_online, auto.station_printer_held) == (online, printer_held):
        return store
    auto = msgspec.structs.replace(auto, station_online=online, station_printer_held=printer_held)
    return stores.save(ctx, store, msgspec.structs.replace(store, auto_accept=auto))


def state(ctx: Ctx, store_id: str, device: str = "", printer_held: bool = False) -> AutoAcceptState:
    """The setting and today's count; a check-in when `device` is the store's station (`printer_held`: its printer
    cannot print, so it holds auto-accept). Whoever asks, a station that has gone quiet is marked offline here;
    online, whether its printer holds auto-accept is mirrored too (an event tells every console either way)."""
    store = stores.visible_store(ctx.conn, ctx.caller, store_id, staff_roles=(Role.MERCHANT, Role.DISPATCHER))
    setting = store.auto_accept
    if device and ctx.caller.role is Role.MERCHANT:
        _seen(ctx.conn, store.id, device, ctx.now)
    if device and setting.station and device == setting.station and ctx.caller.role is Role.MERCHANT:
        _check_in(ctx.conn, store.id, device, ctx.now, printer_held)
    seen = _last_check_in(ctx.conn, store.id)
    seen_at = seen[1] if seen is not None and seen[0] == setting.station else None
    online = (
        bool(setting.station)
        and seen_at is not None
        and ctx.now - seen_at <= timedelta(seconds=FRESH_SECONDS)
    )
    held = online and seen is not None and seen[2]  # an offline station's printer is not known
    store = _mirror_station(ctx, store, online, held)
    return AutoAcceptState(
        enabled=setting.enabled,
        daily_cap=setting.daily_cap,
        station=setting.station,
        station_online=online,
        station_seen_at=seen_at,
        station_printer_held=held,
        accepted_today=count_today(ctx.conn, store, ctx.now),
        day=stores.local_time(store, ctx.now).strftime("%Y-%m-%d"),
        devices=seen_devices(ctx.conn, store.id, ctx.now),
    )


def change(ctx: Ctx, store_id: str, body: AutoAcceptBody) -> Store:
    """Turn auto-accept on or off, set the cap, choose the station (merchant of the store, admin)."""
    store = stores.visible_store(ctx.conn, ctx.caller, store_id, staff_roles=(Role.MERCHANT,))
    old = store.auto_accept
    station = old.station if body.station is None else body.station.strip()
    new = AutoAccept(
        enabled=old.enabled if body.enabled is None else body.enabled,
        daily_cap=old.daily_cap if body.daily_cap is None else body.daily_cap,
        station=station,
        station_online=old.station_online if station == old.station else False,
        station_printer_held=old.station_printer_held if station == old.station else False,
    )
    if new == old:
        return store
    ctx.record("store", store_id, f"auto_accept:{'on' if new.enabled else 'off'}")
    return stores.save(ctx, store, msgspec.structs.replace(store, auto_accept=new))


def admit(ctx: Ctx, order: Order) -> None:
    """Called before an accept sent with `auto: true` applies: refuse it (409) when auto-accept is off, the store
    is not taking orders, or the day's cap is reached. The store row is locked first (PostgreSQL), so two
    auto-accepts at once are counted one after the other."""
    ctx.conn.execute(select(db.stores.c.version).where(db.stores.c.id == order.store_id).with_for_update())
    store = stores.load(ctx.conn, order.store_id)
    if store is None or not store.auto_accept.enabled:
        raise conflict("auto-accept is off for this store", code="auto_accept_off")
    if not stores.takes_orders(store, ctx.now):
        raise conflict("the store is not taking orders now", code="store_unavailable")
    cap = store.auto_accept.daily_cap
    if cap and count_today(ctx.conn, store, ctx.now) >= cap:
        raise conflict(f"today's {cap} auto-accepted orders are reached", code="auto_accept_cap")
