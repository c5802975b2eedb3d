"""Times of day on a store's wall clock, the one the people around it read (a handheld served over SSH runs
on the platform's machine, whose zone may be another); this machine's clock when the zone is not known."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


def zone_named(name: str | None) -> ZoneInfo | None:
    """The IANA zone `name`, or None (this machine's local zone) for an empty or unknown name."""
    if not name:
        return None
    # imported on first use: the merchant console loads this module at start and reads no such clock then
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError; a malformed name a ValueError
        return None


def wall_clock(moment: datetime | None, zone_name: str | None) -> str:
    """`moment` as HH:MM on the clock of `zone_name` (see `zone_named`); "" for None."""
    if moment is None:
        return ""
    return moment.astimezone(zone_named(zone_name)).strftime("%H:%M")


def stored_clock(value: object, zone_name: object) -> str:
    """A time kept in a refusal's reason (a datetime or its ISO text, `zone_name` the store's when it came with
    one) as HH:MM on that clock; "?" when there is no readable time."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return "?"
    return wall_clock(moment, zone_name if isinstance(zone_name, str) else None)


def in_zone(moment: datetime, zone: tzinfo | None) -> datetime | None:
    """`moment` in `zone`, a naive one read as UTC; None for one the zone cannot hold (a menu keeps what was stored:
    year 9999 overflows): show `utc_text(moment)` then."""
    from o2o_tui.domain.limits import as_utc, time_in_range

    moment = as_utc(moment)
    return moment.astimezone(zone) if time_in_range(moment) else None


def utc_text(moment: datetime) -> str:
    """`moment` as its UTC date and time, for one no store's zone can hold."""
    from o2o_tui.domain.limits import as_utc

    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def zone_clock(moment: datetime, zone: tzinfo | None) -> str:
    """`moment` as HH:MM in `zone` (see `in_zone`), never raising."""
    local = in_zone(moment, zone)
    return utc_text(moment) if local is None else local.strftime("%H:%M")


def month_day(day: date, *, year: bool = False) -> str:
    """A date as a person reads it, the month in words so that no reader takes it the other way round (a UK
    reader reads "12-09" as 12 September): "9 Dec" ("12月9日"), with `year` "9 Dec 2026" ("2026年12月9日").
    The month's name comes from the catalog, never from the C library's locale."""
    from o2o_tui.i18n import t

    month = t(f"store.month.{day.month}")
    return t("store.at.date.year" if year else "store.at.date", day=day.day, month=month, year=day.year)


def date_clock(local: datetime, *, year: bool = False, now: datetime | None = None) -> str:
    """`local` (already on the clock it is read on) as its date and time: "9 Dec 12:00" ("12月9日 12:00"), with
    `year`, or when `now` falls in another year on that clock, "2 Jan 2027 12:00" ("2027年1月2日 12:00"): on
    paper, or wherever "tomorrow" would go stale."""
    from o2o_tui.i18n import t

    if now is not None and not year:
        year = now.astimezone(local.tzinfo).year != local.year
    return t("store.at.date_time", date=month_day(local.date(), year=year), time=local.strftime("%H:%M"))


DayForm = Literal["long", "short", "narrow"]


def day_clock(
    moment: datetime, zone: tzinfo | None, now: datetime, *, form: DayForm = "long", full_date: bool = False
) -> str:
    """`moment` on the store's clock (`zone`; this machine's for None; a naive time read as UTC), saying the day
    when it is not today there, so that an order for a later day never reads as one for today:

    - "long" (a detail, the CLI): "12:00" today, "tomorrow 12:00" (明天 12:00), "yesterday 23:50", else
      "9 Dec 12:00" (12月9日 12:00; "2 Jan 2027 12:00", 2027年1月2日 12:00, in another year; always the year with
      `full_date`): `date_clock`, the month in words;
    - "short" (a handheld's row, no wider than "12-09 12:00" was): "tmrw 12:00", "yest 23:50", else the day
      alone, "9 Dec" (12月9日: no date with its time fits 11 cells in Chinese; the detail says the time);
    - "narrow" (a five-cell column): "12:00" today, "tmrw" (明天), "yest" (昨天), "+2d" / "-2d" (+2天) days away.

    Today is the day `now` falls on in that zone; a time no zone can hold says its UTC date and time."""
    from o2o_tui.i18n import t

    local = in_zone(moment, zone)
    today = in_zone(now, zone)
    if local is None or today is None:
        return utc_text(moment)
    clock = local.strftime("%H:%M")
    days = (local.date() - today.date()).days
    if days == 0:
        return clock
    if form == "narrow":
        if days in (1, -1):
            return t("store.at.tomorrow.narrow" if days == 1 else "store.at.yesterday.narrow")
        return t("store.at.days_later.narrow" if days > 0 else "store.at.days_before.narrow", days=abs(days))
    if days in (1, -1) and not full_date:
        key = "store.at.tomorrow" if days == 1 else "store.at.yesterday"
        return t(key + ".short" if form == "short" else key, time=clock)
    if days == 1:
        return t("store.at.tomorrow", time=clock)
    if form == "short":
        return month_day(local.date())
    return date_clock(local, year=full_date or local.year != today.year)
