"""Stores: read, status and opening-hours changes by staff, the state a store is in now (status and hours, in
its time zone), and the heartbeat that pauses a store nobody is watching."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import Connection, bindparam, func, select, update

from o2o_tui.domain import hours
from o2o_tui.domain.events import EntityKind
from o2o_tui.domain.identity import Role
from o2o_tui.domain.limits import (
    EXTRA_MINUTES_MAX,
    HOURS_RANGES_MAX,
    ID_PATTERN,
    TIME_RANGE_MESSAGE,
    as_utc,
    time_in_range,
)
from o2o_tui.domain.requests import (
    STORE_PREP_MINUTES_MAX,
    STORE_PREP_MINUTES_MIN,
    HoursBody,
    HoursExceptionIn,
    OpeningHoursIn,
    PrepTimeBody,
    StoreStatusBody,
    TimeRangeIn,
)
from o2o_tui.domain.store import HoursException, OpeningHours, StoreState, StoreStatus, TimeRange
from o2o_tui.domain.store import Store as StoreDoc
from o2o_tui.platform import db, storage_health
from o2o_tui.platform.auth import Caller, require_role
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import conflict, not_found, validation
from o2o_tui.platform.views import PublicStore, store_view
from o2o_tui.store_hours import hours_tag

_decode = msgspec.json.Decoder(StoreDoc).decode
_encode = msgspec.json.Encoder().encode


_LOAD = select(db.stores.c.doc).where(db.stores.c.id == bindparam("b_id"))


def load(conn: Connection, store_id: str) -> StoreDoc | None:
    doc = conn.execute(_LOAD, {"b_id": store_id}).scalar_one_or_none()
    return None if doc is None else _decode(doc)


def insert(conn: Connection, store: StoreDoc) -> None:
    conn.execute(db.stores.insert().values(id=store.id, version=store.version, doc=_encode(store)))


def save(ctx: Ctx, before: StoreDoc, after: StoreDoc) -> StoreDoc:
    """Write `after` (version bumped here) if nobody changed the store since `before`; emit store.updated."""
    after = msgspec.structs.replace(after, version=before.version + 1, updated_at=ctx.now)
    result = ctx.conn.execute(
        update(db.stores)
        .where(db.stores.c.id == before.id, db.stores.c.version == before.version)
        .values(version=after.version, doc=_encode(after))
    )
    if result.rowcount != 1:
        raise conflict("the store changed at the same time; retry")
    ctx.emit("store.updated", EntityKind.STORE, after.id, after.version, store_id=after.id)
    return after


# --- the operator's list ---------------------------------------------------------------------------------------

DEFAULT_PAGE = 100  # GET /v1/stores: stores per page unless `limit` says otherwise
MAX_PAGE = 500


def name_key(name: str) -> str:
    """A store name as two names are compared: case, width (NFKC: full-width letters) and every space (an ideographic
    one too) ignored, so "Shop1 店1", "shop1店1" and "ＳＨＯＰ１ 店1" are one name."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def list_stores(
    conn: Connection, *, name: str | None = None, limit: int | None = None, cursor: str | None = None
) -> tuple[list[StoreDoc], str | None]:
    """Stores ordered by id, those whose name holds `name` (compared as `name_key` compares) when it is given;
    at most `limit` (every one when None) after the store id `cursor`, and the cursor that continues (None at the
    end). Names live in the stored documents, so the filter reads them all: an operator has hundreds, not
    millions."""
    wanted = name_key(name) if name is not None else ""
    query = select(db.stores.c.id, db.stores.c.doc).order_by(db.stores.c.id)
    if cursor:
        query = query.where(db.stores.c.id > cursor)
    found: list[StoreDoc] = []
    for row in conn.execute(query):
        store = _decode(row.doc)
        if wanted and wanted not in name_key(store.name):
            continue
        if limit is not None and len(found) == limit:
            return found, found[-1].id
        found.append(store)
    return found, None


def same_name(conn: Connection, name: str) -> list[StoreDoc]:
    """The stores already named `name`, as `name_key` compares names (oldest id first)."""
    key = name_key(name)
    return [store for store in list_stores(conn)[0] if name_key(store.name) == key]


def staff_counts(conn: Connection) -> dict[str, int]:
    """How many merchant and dispatcher users each store has (one grouped count; disabled ones too)."""
    users = db.users
    rows = conn.execute(
        select(users.c.store_id, func.count())
        .where(users.c.store_id.is_not(None), users.c.role.in_((Role.MERCHANT.value, Role.DISPATCHER.value)))
        .group_by(users.c.store_id)
    ).all()
    return {store_id: count for store_id, count in rows}


_CURSOR_ID = re.compile(ID_PATTERN)


def list_page(
    conn: Connection, caller: Caller, *, name: str | None, limit: int, cursor: str | None
) -> tuple[list[StoreDoc], str | None]:
    """`GET /v1/stores`: every store, for an administrator only."""
    require_role(caller, (Role.ADMIN,))
    if not 1 <= limit <= MAX_PAGE:
        raise validation("limit", f"between 1 and {MAX_PAGE}")
    if cursor is not None and not _CURSOR_ID.match(cursor):
        raise validation("cursor", "not a cursor this server handed out")
    return list_stores(conn, name=name or None, limit=limit, cursor=cursor)


def visible_store(
    conn: Connection, caller: Caller, store_id: str, *, staff_roles: tuple[Role, ...]
) -> StoreDoc:
    """The store if `caller` may see it: 403 for a role that never may, 404 for someone else's store."""
    require_role(caller, (*staff_roles, Role.ADMIN))
    if caller.role in (Role.MERCHANT, Role.DISPATCHER) and caller.store_id != store_id:
        raise not_found("store")
    store = load(conn, store_id)
    if store is None:
        raise not_found("store")
    return store


def get(conn: Connection, caller: Caller, store_id: str) -> StoreDoc | PublicStore:
    """The whole store for its staff and admin; a customer gets only the public fields (`views.PublicStore`)."""
    store = visible_store(conn, caller, store_id, staff_roles=(Role.MERCHANT, Role.DISPATCHER, Role.CUSTOMER))
    return store_view(store, caller, effective_state(store, db.utcnow()))


def local_time(store: StoreDoc, now: datetime) -> datetime:
    """`now` on the store's wall clock (its `timezone`; UTC when the zone is unknown)."""
    try:
        zone = ZoneInfo(store.timezone)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError; a malformed name a ValueError
        zone = ZoneInfo("UTC")
    return as_utc(now).astimezone(zone)


def effective_state(store: StoreDoc, now: datetime) -> StoreState:
    """The state the store is in at `now`: a pause with an `until` in the past has ended by itself, and an open
    (ONLINE or BUSY) store outside its opening hours (`domain/hours.py`: overnight ranges, exceptions, in the
    store's time zone) is CLOSED."""
    status = store.status
    state = status.state
    # an `until` stored without a zone (older servers took one) is read as UTC: comparing it raw would raise
    if state is StoreState.PAUSED and status.until is not None and as_utc(status.until) <= now:
        state = StoreState.ONLINE
    if state in (StoreState.ONLINE, StoreState.BUSY) and not hours.is_open(
        local_time(store, now), store.opening_hours, store.hours_exceptions
    ):
        return StoreState.CLOSED
    return state


def takes_orders(store: StoreDoc, now: datetime) -> bool:
    return effective_state(store, now) in (StoreState.ONLINE, StoreState.BUSY)


def set_status(ctx: Ctx, store_id: str, body: StoreStatusBody) -> StoreDoc:
    store = visible_store(ctx.conn, ctx.caller, store_id, staff_roles=(Role.MERCHANT,))
    if not 0 <= body.extra_minutes <= EXTRA_MINUTES_MAX:
        raise validation("extra_minutes", f"extra minutes must be between 0 and {EXTRA_MINUTES_MAX}")
    if body.until is not None and not time_in_range(body.until):
        raise validation("until", TIME_RANGE_MESSAGE)
    if body.state is StoreState.BUSY and body.extra_minutes == 0:
        raise validation("extra_minutes", "a busy store adds at least one minute")
    if body.until is not None and body.state is not StoreState.PAUSED:
        raise validation("until", "only a pause has an end time")
    status = StoreStatus(
        state=body.state,
        until=body.until if body.state is StoreState.PAUSED else None,
        reason=body.reason,
        extra_minutes=body.extra_minutes if body.state is StoreState.BUSY else 0,
    )
    if status == store.status:
        return store
    tapped = _refuse_stale(ctx, store.status_set_at, "status")
    ctx.record("store", store_id, f"status:{body.state.value}")
    return save(ctx, store, msgspec.structs.replace(store, status=status, status_set_at=tapped))


def set_prep_time(ctx: Ctx, store_id: str, body: PrepTimeBody) -> StoreDoc:
    """The store's default preparation time (merchant of the store, admin): what an accept promises for an order
    whose items set none. Saved like any store change (store.updated): every console has the new default at once."""
    store = visible_store(ctx.conn, ctx.caller, store_id, staff_roles=(Role.MERCHANT,))
    if not STORE_PREP_MINUTES_MIN <= body.minutes <= STORE_PREP_MINUTES_MAX:  # the body's bound, said in words
        low, high = STORE_PREP_MINUTES_MIN, STORE_PREP_MINUTES_MAX
        raise validation("minutes", f"the store's preparation time is {low} to {high} minutes")
    if body.minutes == store.default_prep_minutes:
        return store
    ctx.record("store", store_id, f"prep_time:{body.minutes}")
    return save(ctx, store, msgspec.structs.replace(store, default_prep_minutes=body.minutes))


def _refuse_stale(ctx: Ctx, last_set: datetime | None, what: str) -> datetime:
    """The tap time of a staff change to the store's `what`; refused (409 `stale_store_change`) when another
    device's change of it was tapped later and already applied: a change queued offline must not undo a newer one
    (the last tap wins, not the last to reach the platform)."""
    tapped = min(ctx.occurred_at, ctx.now) if ctx.occurred_at is not None else ctx.now
    if last_set is not None and tapped < as_utc(last_set):
        message = f"the store's {what} was changed on another device at {db.iso(as_utc(last_set))}, after this tap"
        raise conflict(message, code="stale_store_change")
    return tapped


def _checked_range(where: str, opens: str, closes: str) -> None:
    if opens == "24:00":
        raise validation(f"{where}.opens", "a range opens at 00:00 to 23:59")
    if hours.clock_minutes(opens) is None:
        raise validation(f"{where}.opens", "HH:MM")
    if hours.clock_minutes(closes) is None:
        raise validation(f"{where}.closes", "HH:MM")


def _no_overlap(where: list[str], ranges: list[TimeRangeIn] | list[OpeningHoursIn]) -> None:
    """Ranges starting on one day (`where[i]` names `ranges[i]` in the body) may touch but not overlap."""
    found = hours.overlapping(ranges)
    if found is not None:
        first, second = (ranges[i] for i in found)
        raise validation(
            where[found[1]],
            f"{second.opens}-{second.closes} overlaps {first.opens}-{first.closes} ({where[found[0]]})",
            code="hours_overlap",
        )


def _exception_key(exception: HoursException | HoursExceptionIn) -> tuple[object, ...]:
    return exception.date, tuple(sorted((r.opens, r.closes) for r in exception.hours)), exception.note


def _edited_from(if_match: str | None) -> int | None:
    """The hours version (`store_hours.hours_tag`) a change was edited from; None when the device sent none."""
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 20:
        raise validation("If-Match", "the version of the hours this change was edited from, digits")
    return int(value)


def set_hours(ctx: Ctx, store_id: str, body: HoursBody, if_match: str | None = None) -> StoreDoc:
    """Replace the weekly opening hours and the dated exceptions (both whole; see `domain/hours.py`). With
    If-Match (the version of the hours the change was edited from), refused when the hours are no longer those."""
    store = visible_store(ctx.conn, ctx.caller, store_id, staff_roles=(Role.MERCHANT,))
    edited_from = _edited_from(if_match)
    per_day: dict[int, list[int]] = {}
    for index, weekly in enumerate(body.opening_hours):
        _checked_range(f"opening_hours[{index}]", weekly.opens, weekly.closes)
        per_day.setdefault(weekly.weekday, []).append(index)
        if len(per_day[weekly.weekday]) > HOURS_RANGES_MAX:
            raise validation(f"opening_hours[{index}]", f"at most {HOURS_RANGES_MAX} ranges on one day")
    for indexes in per_day.values():
        _no_overlap([f"opening_hours[{i}]" for i in indexes], [body.opening_hours[i] for i in indexes])
    today = local_time(store, ctx.now).date()
    kept = {_exception_key(e) for e in store.hours_exceptions}  # a past one already set may stay as it is
    seen: set[str] = set()
    for index, exception in enumerate(body.exceptions):
        where = f"exceptions[{index}]"
        try:
            day = date.fromisoformat(exception.date)
        except ValueError:
            raise validation(f"{where}.date", "a calendar date, YYYY-MM-DD") from None
        if exception.date in seen:
            raise validation(f"{where}.date", f"{exception.date} twice")
        seen.add(exception.date)
        # yesterday's range past midnight may still run today: older days are past
        if day < today - timedelta(days=1) and _exception_key(exception) not in kept:
            raise validation(
                f"{where}.date", f"{exception.date} is past (the store's today is {today})", code="hours_past"
            )
        for r_index, span in enumerate(exception.hours):
            _checked_range(f"{where}.hours[{r_index}]", span.opens, span.closes)
        _no_overlap([f"{where}.hours[{i}]" for i in range(len(exception.hours))], list(exception.hours))
    weekly_hours = sorted(
        (OpeningHours(weekday=h.weekday, opens=h.opens, closes=h.closes) for h in body.opening_hours),
        key=lambda h: (h.weekday, h.opens, h.closes),
    )
    exceptions = sorted(
        (
            HoursException(
                date=e.date,
                hours=sorted(
                    (TimeRange(opens=r.opens, closes=r.closes) for r in e.hours), key=lambda r: r.opens
                ),
                note=e.note,
            )
            for e in body.exceptions
        ),
        key=lambda e: e.date,
    )
    if (weekly_hours, exceptions) == (store.opening_hours, store.hours_exceptions):
        return store
    if edited_from is not None and edited_from != hours_tag(store):
        # a whole-set replace edited from hours another device changed since: applied, it would undo that change
        message = "the store's hours were changed on another device since this change was edited from them"
        raise conflict(message, code="stale_store_change")
    tapped = _refuse_stale(ctx, store.hours_set_at, "hours")
    ctx.record("store", store_id, "hours")
    changed = msgspec.structs.replace(
        store, opening_hours=weekly_hours, hours_exceptions=exceptions, hours_set_at=tapped
    )
    saved = save(ctx, store, changed)
    from o2o_tui.platform import scheduled  # here: scheduled imports this module

    scheduled.rehold(ctx, saved)  # orders waiting for later ring by the new hours
    return saved


# --- heartbeat -------------------------------------------------------------------------------------------------


def record_poll(ctx: Ctx, store_id: str) -> None:
    """A staff device polled: remember when, and resume the store if the platform had paused it."""
    conn = ctx.conn
    stamp = db.iso(ctx.now)
    if (
        conn.execute(
            update(db.store_heartbeats)
            .where(db.store_heartbeats.c.store_id == store_id)
            .values(last_poll_at=stamp)
        ).rowcount
        == 0
    ):
        conn.execute(db.store_heartbeats.insert().values(store_id=store_id, last_poll_at=stamp))
    store = load(conn, store_id)
    if store is not None and store.status.auto:  # back as staff left it: open, or busy with its extra minutes
        extra = store.status.extra_minutes
        back = StoreStatus(state=StoreState.BUSY, extra_minutes=extra) if extra else StoreStatus()
        save(ctx, store, msgspec.structs.replace(store, status=back))


def pause_unwatched(ctx: Ctx, heartbeat: timedelta, watched_since: datetime) -> list[str]:
    """Pause every open store whose devices all stopped polling; answer the ids paused. The grace of a heartbeat
    runs from `watched_since` (this process's start) and from when the storage last came back after an outage
    (`storage_health.STORAGE_BACK_KEY`, written by whichever process saw it): the devices' polls could not be
    written meanwhile, so their last written poll says nothing of whether they were polling."""
    conn = ctx.conn
    cutoff = db.iso(ctx.now - heartbeat)
    since = max(db.iso(watched_since), db.get_meta(conn, storage_health.STORAGE_BACK_KEY) or "")
    if since > cutoff:
        return []  # the server has not been up (or the storage back) long enough to tell
    last_polls = dict(
        conn.execute(select(db.store_heartbeats.c.store_id, db.store_heartbeats.c.last_poll_at)).all()
    )
    paused = []
    for row in conn.execute(select(db.stores.c.id, db.stores.c.doc)).all():
        store = _decode(row.doc)
        # a timed pause that has run out takes orders again: with nobody polling, it is paused like any open store
        expired = store.status.state is StoreState.PAUSED and store.status.until is not None
        expired = expired and as_utc(store.status.until) <= ctx.now  # type: ignore[arg-type]
        if store.status.state not in (StoreState.ONLINE, StoreState.BUSY) and not expired:
            continue
        if last_polls.get(store.id, "") > cutoff:
            continue
        extra = store.status.extra_minutes if store.status.state is StoreState.BUSY else 0  # kept for the resume
        status = StoreStatus(
            state=StoreState.PAUSED, reason="no device polling", auto=True, extra_minutes=extra
        )
        save(ctx, store, msgspec.structs.replace(store, status=status))
        paused.append(store.id)
    return paused
