"""What a customer meets right now: the store's state with its effect in words, and what is sold out.

"Closed until 14:30 (paused), orders refused", "Busy: +15 min on every order", "Open until 22:00": the status
(ONLINE / PAUSED / BUSY / CLOSED) and the opening hours (`o2o_tui.domain.hours`, the rules stated once, as the
platform applies them to a new order) read together, in the store's own time zone. Shared by the store screen,
the queue's sold-out line and `o2o store status`. No I/O, no Textual.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from o2o_tui.domain.clock import day_clock
from o2o_tui.domain.hours import is_open, next_change
from o2o_tui.domain.limits import as_utc
from o2o_tui.domain.menu import Availability, Item, Menu, Option, localized
from o2o_tui.domain.store import Store, StoreState
from o2o_tui.i18n import current_language, t
from o2o_tui.safe_text import safe_text
from o2o_tui.text_marks import dotted


def store_zone(store: Store | None) -> tzinfo:
    """The store's time zone (UTC when its name is unknown here): every time shown for a store is in it."""
    if store is None:
        return UTC
    try:
        return ZoneInfo(store.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def at_text(moment: datetime, zone: tzinfo, now: datetime) -> str:
    """A moment in the store's time: "14:30" today, "tomorrow 10:00", "2 Mar 2026 14:30" on another day (the
    rule every time that may fall on another day follows: `o2o_tui.domain.clock.day_clock`)."""
    return day_clock(moment, zone, now, full_date=True)


def date_words(day: str, today: date | None = None) -> str:
    """A store date "2026-12-25" in words, so that a wrong date is seen before it is saved: "Fri 25 Dec",
    "12月25日 周五"; "today, Sun 6 Dec" / "tomorrow, …" when it is. `day` as `store_hours.parse_date` keeps it."""
    from o2o_tui.store_hours import day_name  # the store screen's: not loaded for the console's first frame

    parsed = date.fromisoformat(day)
    words = t(
        "store.date_words",
        weekday=day_name(parsed.weekday()),
        day=parsed.day,
        month=t(f"store.month.{parsed.month}"),
    )
    if today is not None and parsed == today:
        return t("store.date_words.today", date=words)
    if today is not None and parsed == today + timedelta(days=1):
        return t("store.date_words.tomorrow", date=words)
    return words


class Effect(msgspec.Struct, frozen=True):
    """The store's state as it applies at one moment."""

    state: StoreState  # effective: a pause whose end has passed is over; hours that are shut make it CLOSED
    takes_orders: bool
    until: datetime | None = None  # when this changes by itself (the pause ends, the hours close or open)
    extra_minutes: int = 0  # BUSY
    reason: str = ""  # the staff's reason for a pause (untrusted text: shown through safe_text)
    by_hours: bool = False  # CLOSED because of the opening hours (or a dated exception)
    auto: bool = False  # paused by the platform (no device was polling)


def _aware(local: datetime, zone: tzinfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC)


def effect(store: Store, now: datetime) -> Effect:
    """The store's effective state at `now` (aware)."""
    status = store.status
    now = as_utc(now)
    zone = store_zone(store)
    if status.state is StoreState.PAUSED and (status.until is None or as_utc(status.until) > now):
        return Effect(StoreState.PAUSED, False, status.until, reason=status.reason, auto=status.auto)
    if status.state is StoreState.CLOSED:
        return Effect(StoreState.CLOSED, False, reason=status.reason)
    local = now.astimezone(zone).replace(tzinfo=None)
    change = next_change(local, store.opening_hours, store.hours_exceptions)
    until = _aware(change, zone) if change is not None else None
    if not is_open(local, store.opening_hours, store.hours_exceptions):
        return Effect(StoreState.CLOSED, False, until, by_hours=True)
    if status.state is StoreState.BUSY:
        return Effect(StoreState.BUSY, True, until, extra_minutes=status.extra_minutes)
    return Effect(StoreState.ONLINE, True, until)


def opens_later_today(found: Effect, zone: tzinfo, now: datetime) -> bool:
    """Closed by the opening hours and opening later the same day in the store's time (before the day's opening,
    or a break between two ranges): resting (休息中), never "closed for the night" (已打烊), which is for a store
    whose day is over; the effect's words say when it opens ("非营业时间，10:00 开门")."""
    if found.state is not StoreState.CLOSED or not found.by_hours or found.until is None:
        return False
    return as_utc(found.until).astimezone(zone).date() == as_utc(now).astimezone(zone).date()


def state_words(found: Effect, zone: tzinfo, now: datetime) -> str:
    """The state in a word or two, as `o2o store status` heads its line: OPEN, BUSY, PAUSED, CLOSED, and CLOSED FOR
    NOW (休息中) while the hours open the store later today (`opens_later_today`)."""
    if opens_later_today(found, zone, now):
        return t("store.state.not_open_yet")
    return t("store.state." + str(found.state).lower())


def effect_text(found: Effect, zone: tzinfo, now: datetime) -> str:
    """The effect in words, in the current language (display-safe: the reason goes through safe_text)."""
    at = at_text(found.until, zone, now) if found.until is not None else None
    if found.state is StoreState.PAUSED:
        text = t("store.effect.paused_until", at=at) if at else t("store.effect.paused")
    elif found.state is StoreState.CLOSED and found.by_hours:
        text = t("store.effect.closed_hours_until", at=at) if at else t("store.effect.closed_hours")
    elif found.state is StoreState.CLOSED:
        text = t("store.effect.closed")
    elif found.state is StoreState.BUSY:
        busy = t("store.effect.busy", minutes=found.extra_minutes)
        text = t("store.effect.and_open_until", text=busy, at=at) if at else busy
    else:
        text = t("store.effect.open_until", at=at) if at else t("store.effect.open")
    if found.reason:
        reason = t("store.reason", reason=safe_text(found.reason, one_line=True))
        # no space before full-width punctuation: "不接新单（燃气维修）", "orders refused (gas off)"
        text += reason if _full_width(reason[:1]) else " " + reason
    return text


def _full_width(char: str) -> bool:
    return bool(char) and unicodedata.east_asian_width(char) in ("W", "F")


def describe(store: Store, now: datetime) -> str:
    return effect_text(effect(store, now), store_zone(store), now)


# the platform pauses a store none of whose devices has polled for this long (`O2O_HEARTBEAT_MINUTES`, its
# default: a device is not told the platform's setting)
HEARTBEAT_MINUTES = 5


def may_be_auto_paused(store: Store, last_sync_at: datetime | None, now: datetime) -> bool:
    """Whether the platform may have paused the store since this device last heard it: a store taking orders as
    the cache knows it, and no poll from here for the heartbeat's length. The cache cannot know it was paused
    (nobody polled to hear it; the next poll takes it back), so a status read offline says it may be."""
    if last_sync_at is None or not effect(store, now).takes_orders:
        return False
    return as_utc(now) - as_utc(last_sync_at) >= timedelta(minutes=HEARTBEAT_MINUTES)


def maybe_auto_paused_texts(last_sync_at: datetime, now: datetime) -> tuple[str, str]:
    """What the console's store screen says under an open store's effect when `may_be_auto_paused`, longer then
    shorter (for a narrow screen): "No sync for 7 min: the platform may have paused the store, refusing orders",
    "No sync for 7 min: may be paused"."""
    minutes = int(max(0.0, (as_utc(now) - as_utc(last_sync_at)).total_seconds()) // 60)
    if minutes < 120:
        words = {"minutes": minutes}
        return t("store.effect.maybe_auto_paused", **words), t("store.effect.maybe_auto_paused_short", **words)
    words = {"hours": minutes // 60}
    return t("store.effect.maybe_auto_paused_hours", **words), t("store.effect.maybe_auto_paused_hours_short", **words)


# -- sold out ------------------------------------------------------------------------------------------------
class SoldOut(msgspec.Struct, frozen=True):
    """An item or option a customer cannot order now although it is on the menu (not hidden)."""

    kind: Literal["item", "option"]
    id: str
    name: str  # in the current language (untrusted: shown through safe_text)
    until: datetime | None = None  # snoozed ("86") until then; None with `unavailable`: no known time
    unavailable: bool = False


def _sold_out(thing: Item | Option, now: datetime) -> tuple[bool, datetime | None]:
    if thing.hidden:
        return False, None
    if thing.status is Availability.UNAVAILABLE:
        return True, None
    if thing.snooze_until is not None and as_utc(thing.snooze_until) > now:
        return True, as_utc(thing.snooze_until)
    return False, None


def sold_out(menu: Menu | None, now: datetime, lang: str | None = None) -> list[SoldOut]:
    """Items (in menu order), then options, that are unavailable or snoozed at `now`; hidden ones are not listed."""
    if menu is None:
        return []
    lang = lang or current_language()
    now = as_utc(now)
    found: list[SoldOut] = []
    for category in menu.categories:
        for item in category.items:
            out, until = _sold_out(item, now)
            if out:
                name = localized(item.name, item.names, lang)
                found.append(SoldOut("item", item.id, name, until, until is None))
    for group in menu.option_groups:
        for option in group.options:
            out, until = _sold_out(option, now)
            if out:
                name = localized(option.name, option.names, lang)
                found.append(SoldOut("option", option.id, name, until, until is None))
    return found


def sold_out_text(found: list[SoldOut], zone: tzinfo, now: datetime) -> str:
    """ "Sold out (2): Kung Pao Chicken until 14:30 · Rice" (the separator the terminal can show: `dotted`); ""
    when nothing is."""
    if not found:
        return ""
    parts = []
    for entry in found:
        name = safe_text(entry.name, one_line=True)
        if entry.until is not None:
            parts.append(t("store.sold_out.until", name=name, at=at_text(entry.until, zone, now)))
        else:
            parts.append(name)
    return t("store.sold_out.line", count=len(found), names=dotted(parts))


def next_sold_out_change(found: list[SoldOut]) -> datetime | None:
    """When the list next changes by itself (the earliest snooze end)."""
    ends = [entry.until for entry in found if entry.until is not None]
    return min(ends) if ends else None
