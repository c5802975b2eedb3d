"""Opening hours as people type them, and the `HoursBody` a change sends (`store.hours`, the whole set replaced).

Shared by `o2o store hours` and the store screen: "mon" or "0" for a day, "10:00-14:00,17:00-22:00" for its
ranges ("18:00-02:00" runs past midnight; "closed" or nothing is no ranges), "2026-10-01" for a dated exception.
The rules of what the hours mean live in `o2o_tui.domain.hours`; this module only reads, writes and edits them.
No I/O, no Textual.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from o2o_tui.domain.hours import clock_minutes, hours_version, overlapping
from o2o_tui.domain.limits import HOURS_EXCEPTIONS_MAX, HOURS_RANGES_MAX, STATUS_REASON_MAX
from o2o_tui.domain.requests import HoursBody, HoursExceptionIn, OpeningHoursIn, TimeRangeIn
from o2o_tui.domain.store import HoursException, OpeningHours, Store, TimeRange
from o2o_tui.i18n import current_language, t
from o2o_tui.typed_text import ascii_hours, ascii_typed

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # 0 = Monday, as `OpeningHours.weekday`
PAUSE_MINUTES_MAX = 24 * 60  # as `o2o store pause --minutes`
CLOSED_WORDS = ("", "closed", "-", "休息", "关门")
ALL_DAY_WORDS = ("all day", "24h", "全天", "24小时")  # and the catalog's word, as `ranges_text` writes it
_LONG_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ZH_DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


class HoursError(ValueError):
    """Text that is not a day, a date or a list of ranges; `message` is translated and names what was wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def day_name(weekday: int) -> str:
    """The day's short name in the current language ("Mon", "周一")."""
    return t(f"store.day.{DAYS[weekday]}")


def parse_day(text: str) -> int:
    """ "mon".."sun" (or "monday", any case), "周一".."周日", or "0".."6" (0 = Monday) -> 0..6."""
    word = ascii_typed(text).strip().lower()
    if not word:
        raise HoursError(t("store.hours.error.day_missing"))
    if len(word) == 1 and word.isdigit() and int(word) <= 6:
        return int(word)
    for index, name in enumerate(_LONG_DAYS):
        if len(word) >= 3 and name.startswith(word):
            return index
    for prefix in ("周", "星期", "礼拜"):
        if word.startswith(prefix) and word[len(prefix) :] in _ZH_DAYS:
            return _ZH_DAYS[word[len(prefix) :]]
    raise HoursError(t("store.hours.error.day", text=text))


# a date as people type it, once `ascii_typed` and without spaces: 2026-12-15 (2026/12/15, 2026.12.15: two digits
# each, as ISO writes them), 2026年12月15日, 12月15日 (号 for 日, or neither), 12-15, 12/15 (12.15)
_FULL_DATE = re.compile(r"(\d{4})(?:([-/.])(\d{2})\2(\d{2})|年(\d{1,2})月(\d{1,2})[日号]?)")
_MONTH_DAY = re.compile(r"(\d{1,2})(?:月(\d{1,2})[日号]?|[-/.](\d{1,2}))")
# with the month's name, lower case, spaces, commas and dots as one space: "2 jan", "2nd of january 2027",
# "jan 2", "january 2nd 2027"
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december")  # fmt: skip
_DAY_NAMED = re.compile(r"(\d{1,2})(?:st|nd|rd|th)? ?(?:of )?([a-z]{3,9})(?: (\d{4}))?")
_NAMED_DAY = re.compile(r"([a-z]{3,9}) ?(\d{1,2})(?:st|nd|rd|th)?(?: (\d{4}))?")


def _month_named(word: str) -> int | None:
    """ "jan", "January", "sept" -> 1..12; None for any other word."""
    for index, name in enumerate(_MONTH_NAMES, 1):
        if name.startswith(word) or (word == "sept" and index == 9):
            return index
    return None


def _named_date(text: str) -> tuple[int, int, int | None] | None:
    """(month, day, year or None) of a date written with its month's name ("2 Jan", "Jan 2", "2 January 2027"),
    else None."""
    value = re.sub(r"[\s,.]+", " ", ascii_typed(text).lower()).strip()
    for pattern, day_group, month_group in ((_DAY_NAMED, 1, 2), (_NAMED_DAY, 2, 1)):
        found = pattern.fullmatch(value)
        month = _month_named(found.group(month_group)) if found is not None else None
        if found is not None and month is not None:
            year = found.group(3)
            return month, int(found.group(day_group)), int(year) if year else None
    return None


def _next_date(month: int, day: int, base: date) -> str:
    """The nearest `month`/`day` not before `base` ("YYYY-MM-DD"); ValueError when there is none."""
    for year in range(base.year, base.year + 5):
        try:
            found = date(year, month, day)
        except ValueError:  # 2月29日 in a year without one: the next year that has it
            if month == 2 and day == 29:
                continue
            raise
        if found >= base:
            return found.isoformat()
    raise ValueError(f"no {month}/{day}")


def _not_chinese() -> bool:
    return current_language() != "zh"


def _ambiguous(text: str, month: int, day: int, base: date) -> HoursError:
    """ "2/1" typed in English: 1 Feb as this module reads it, or 2 Jan as a UK manager means it. Refused, both
    dates said in words, with the ways to write either so it reads one way."""
    readings = []
    for one_month, one_day in ((month, day), (day, month)):
        iso = _next_date(one_month, one_day, base)
        month_word = _MONTH_NAMES[one_month - 1][:3].title()  # as this parser reads it, in any language
        readings.append((iso, date_words_full(iso), f"{one_day} {month_word}", f"{month_word} {one_day}"))
    (first_iso, first, first_dm, first_md), (second_iso, second, second_dm, second_md) = readings
    return HoursError(
        t(
            "store.hours.error.date_ambiguous",
            text=text,
            first=first,
            second=second,
            first_iso=first_iso,
            first_day_month=first_dm,
            first_month_day=first_md,
            second_iso=second_iso,
            second_day_month=second_dm,
            second_month_day=second_md,
        )
    )


def parse_date(text: str, today: date | None = None, *, strict: bool = False) -> str:
    """A real calendar date (the store's local date) as "YYYY-MM-DD", typed as 2026-12-15, 2026/12/15,
    2026年12月15日, 12月15日 (or 12月15号), 12-15 or 12/15, full-width digits too, in any language; or with the
    month's name: 15 Dec, Dec 15, 15 December 2026. A month and day without a year is the nearest such date not
    before `today` (the store's today; this machine's when not given): on 2026-12-07, "12月15日" is 2026-12-15,
    "1月2日" 2027-01-02 and "12月6日" 2027-12-06 (yesterday's date, which an exception may still be for, is typed
    with its year). Numbers alone are month/day, as Chinese writes them (and the console's `n` says the date in
    words before it is saved); "26/12", which can only be day/month, is 26 December.

    `strict` (the command line, which saves at once): numbers alone that read as two dates (2/1: 1 Feb, or 2 Jan
    as in the UK) are refused, both dates said, unless the language is Chinese, whose people write month/day."""
    value = re.sub(r"\s+", "", ascii_typed(text))
    if not value:
        raise HoursError(t("store.hours.error.date_missing"))
    full = _FULL_DATE.fullmatch(value)
    short = None if full else _MONTH_DAY.fullmatch(value)
    named = None if full or short else _named_date(text)
    base = today or date.today()
    first = second = 0  # the month and day of `short`
    if short is not None:
        first, second = int(short.group(1)), int(short.group(2) or short.group(3))
        numbers_only = short.group(2) is None  # 2/1, not 2月1日
        two_readings = numbers_only and first != second and 1 <= first <= 12 and 1 <= second <= 12
        if numbers_only and first > 12 and 1 <= second <= 12:
            first, second = second, first  # 26/12: day/month, the only way it reads
        # two dates in one (2/1): refused where it is saved at once, but in Chinese, which writes month/day
        elif strict and two_readings and _not_chinese():
            raise _ambiguous(text, first, second, base)
    try:
        if full is not None:
            year, month, day = full.group(1), full.group(3) or full.group(5), full.group(4) or full.group(6)
            return date(int(year), int(month), int(day)).isoformat()
        if named is not None:
            month_number, day_number, year_number = named
            if year_number is not None:
                return date(year_number, month_number, day_number).isoformat()
            return _next_date(month_number, day_number, base)
        if short is not None:
            return _next_date(first, second, base)
    except ValueError:
        pass
    raise HoursError(t("store.hours.error.date", text=text))


def date_words_full(day: str) -> str:
    """A store date "2027-02-01" in words with its year, as a command's confirmation says it: "Mon 1 Feb 2027",
    "2027年2月1日 周一"."""
    parsed = date.fromisoformat(day)
    return t(
        "store.date_words.year",
        weekday=day_name(parsed.weekday()),
        day=parsed.day,
        month=t(f"store.month.{parsed.month}"),
        year=parsed.year,
    )


# a length of time as people type it, once `ascii_typed`, lower case and without spaces: 30, 30m, 30min, 30分钟,
# 30分, 1h, 1小时, 1.5小时, 1h30, 1h30m, 1小时30分钟, 半小时
_HOUR_WORDS = r"(?:h|hr|hrs|hour|hours|小时|个小时|个钟头|钟头)"
_MINUTE_WORDS = r"(?:m|min|mins|minute|minutes|分钟|分)"
_DURATION = re.compile(
    rf"(?:(?P<hours>\d+(?:\.\d+)?){_HOUR_WORDS}(?:(?P<and>\d+){_MINUTE_WORDS}?)?|(?P<minutes>\d+){_MINUTE_WORDS}?)"
)
_HALF_HOUR = ("半小时", "半个小时", "半个钟头")


def parse_minutes(text: str) -> int | None:
    """Whole minutes typed as 30, 30 min, 90m, 30分钟, 30分, 1小时, 1.5小时, 1h30, 1小时30分 or 半小时, full-width
    digits too, in any language; None when `text` is none of these (or not a whole number of minutes)."""
    value = re.sub(r"\s+", "", ascii_typed(text).lower())
    if value in _HALF_HOUR:
        return 30
    found = _DURATION.fullmatch(value)
    if found is None:
        return None
    if found.group("minutes") is not None:
        return int(found.group("minutes"))
    hours = float(found.group("hours"))
    more = found.group("and")
    if more is not None and ("." in found.group("hours") or int(more) >= 60):
        return None  # 1.5h30, 1h75: not a way anyone writes a length
    minutes = hours * 60 + int(more or 0)
    return int(minutes) if minutes == int(minutes) else None


def parse_duration(text: str, maximum: int) -> int:
    """`parse_minutes`, 1..`maximum`; `HoursError` saying which forms are taken otherwise."""
    minutes = parse_minutes(text)
    if minutes is None or not 1 <= minutes <= maximum:
        raise HoursError(t("store.duration.error", text=text, maximum=maximum))
    return minutes


def _clock(text: str, whole: str) -> str:
    value = text.strip()
    if len(value) == 4 and value[1] == ":":  # 9:00 -> 09:00, as people type it
        value = "0" + value
    if clock_minutes(value) is None:
        raise HoursError(t("store.hours.error.range", text=whole))
    return value


def parse_ranges(text: str) -> list[TimeRange]:
    """ "10:00-14:00,17:00-22:00" -> ranges, in order of opening; "closed" (or nothing) -> none; "all day" (what
    `ranges_text` shows for 00:00-00:00, so a shown day reads back) -> the whole day. What an IME types reads as
    its ASCII ("１０：００至１４：００，…": `ascii_hours`)."""
    text = ascii_hours(text)
    word = text.strip().lower()
    if word in CLOSED_WORDS:
        return []
    if word in ALL_DAY_WORDS or word == t("store.hours.all_day").lower():
        return [TimeRange(opens="00:00", closes="00:00")]
    ranges = []
    for part in text.split(","):
        piece = part.strip()
        opens, sep, closes = piece.partition("-")
        if not sep or not piece:
            raise HoursError(t("store.hours.error.range", text=piece or text))
        ranges.append(TimeRange(opens=_clock(opens, piece), closes=_clock(closes, piece)))
    if len(ranges) > HOURS_RANGES_MAX:
        raise HoursError(t("store.hours.error.too_many", maximum=HOURS_RANGES_MAX))
    ranges.sort(key=lambda r: r.opens)
    found = overlapping(ranges)
    # refused, as the platform does: which of the two was meant is the merchant's to say
    if found is not None:
        first, second = (ranges[i] for i in found)
        raise HoursError(
            t(
                "store.hours.error.overlap",
                first=ranges_text([first]),
                second=ranges_text([second]),
                merged=ranges_text([_merged(first, second)]),
            )
        )
    return ranges


def _merged(first: TimeRange, second: TimeRange) -> TimeRange:
    """The one range two overlapping ones cover (`first` opens first): to the later of their closes."""

    def reach(span: TimeRange) -> int:
        start, end = clock_minutes(span.opens) or 0, clock_minutes(span.closes) or 0
        return end + 24 * 60 if end <= start else end

    if first.opens == first.closes or second.opens == second.closes:  # one is the whole day
        return TimeRange(opens="00:00", closes="00:00")
    closes = first.closes if reach(first) >= reach(second) else second.closes
    return TimeRange(opens=first.opens, closes=closes)


def check_not_past(day: str, today: date) -> str:
    """A dated exception may be for yesterday (its range past midnight still runs into today: `today` on the
    store's clock) or later; an older one would change nothing, as the platform says too."""
    if day < (today - timedelta(days=1)).isoformat():
        raise HoursError(t("store.hours.error.past", date=day, today=today.isoformat()))
    return day


def ranges_text(ranges: Sequence[TimeRange | OpeningHours]) -> str:
    """ "10:00-14:00, 17:00-22:00" (zh "10:00-14:00，17:00-22:00": `parse_ranges` reads either back); "all day"
    for 00:00-00:00 (a range that opens when it closes); "" for none."""
    every_day = t("store.hours.all_day")
    shown = (every_day if r.opens == r.closes else f"{r.opens}-{r.closes}" for r in ranges)
    return t("store.hours.separator").join(shown)


def pause_until(text: str, now: datetime, zone: tzinfo) -> datetime | None:
    """When a pause typed as a length ("30", "30分钟", "1.5小时", "1h30": `parse_minutes`) or a time ("14:30",
    store time; a time already past today means tomorrow) ends, as an aware UTC time; "" -> None (until resumed).
    Full-width digits and "：" read as ASCII."""
    value = ascii_typed(text).strip().lower()
    if not value:
        return None
    start = now.astimezone(UTC).replace(microsecond=0)
    minutes = parse_minutes(value)
    if minutes is not None and 1 <= minutes <= PAUSE_MINUTES_MAX:
        return start + timedelta(minutes=minutes)
    clock = None if minutes is not None else _clock_or_none(value)
    if clock is None:
        raise HoursError(t("store.pause.error.until", text=text, maximum=PAUSE_MINUTES_MAX))
    local = start.astimezone(zone)
    midnight = datetime.combine(local.date(), time(), tzinfo=zone)
    end = (midnight + timedelta(minutes=clock)).astimezone(UTC)
    if end <= start:  # 14:30 when it is 15:00 already: tomorrow's
        tomorrow = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=zone)
        end = (tomorrow + timedelta(minutes=clock)).astimezone(UTC)
    return end


def _clock_or_none(text: str) -> int | None:
    if len(text) == 4 and text[1] == ":":
        text = "0" + text
    minutes = clock_minutes(text)
    return None if minutes is None or minutes >= 24 * 60 else minutes


def check_note(note: str) -> str:
    if len(note) > STATUS_REASON_MAX:
        raise HoursError(t("store.hours.error.note", maximum=STATUS_REASON_MAX))
    return note


# -- the hours of a store, and edits of them ----------------------------------------------------------------
def week(store: Store | HoursBody) -> list[list[TimeRange]]:
    """The weekly ranges per weekday (index 0 = Monday) as they apply: without any weekly hours every day is open
    all day (00:00-00:00), as `o2o_tui.domain.hours` rules, not closed."""
    if not store.opening_hours:
        return [[TimeRange(opens="00:00", closes="00:00")] for _ in DAYS]
    days: list[list[TimeRange]] = [[] for _ in DAYS]
    for hours in store.opening_hours:
        if 0 <= hours.weekday <= 6:
            days[hours.weekday].append(TimeRange(opens=hours.opens, closes=hours.closes))
    return [sorted(ranges, key=lambda r: r.opens) for ranges in days]


def hours_tag(hours: Store | HoursBody) -> int:
    """The version of a set of hours, as the If-Match of `store.hours` carries it: a change edited from other
    hours than the store has now (another device changed them meanwhile) is refused, never applied over them.
    A digest of the hours themselves, in one order, so device and platform work it out alike from what they hold.
    """
    exceptions = hours.exceptions if isinstance(hours, HoursBody) else hours.hours_exceptions
    return hours_version(hours.opening_hours, exceptions)  # a store's answer carries it too (`Store.hours_tag`)


def hours_body(store: Store) -> HoursBody:
    """The store's current hours as the body that would set them again."""
    return HoursBody(
        opening_hours=[
            OpeningHoursIn(weekday=h.weekday, opens=h.opens, closes=h.closes) for h in store.opening_hours
        ],
        exceptions=[
            HoursExceptionIn(
                date=e.date,
                hours=[TimeRangeIn(opens=r.opens, closes=r.closes) for r in e.hours],
                note=e.note,
            )
            for e in store.hours_exceptions
        ],
    )


def set_day(body: HoursBody, weekday: int, ranges: Sequence[TimeRange]) -> HoursBody:
    """`body` with `weekday`'s ranges replaced (none: closed that day). A store without weekly hours is open all
    day every day: the first day set keeps the other six open all day, instead of closing them."""
    weekly = body.opening_hours or [OpeningHoursIn(weekday=day, opens="00:00", closes="00:00") for day in range(7)]
    others = [h for h in weekly if h.weekday != weekday]
    new = [OpeningHoursIn(weekday=weekday, opens=r.opens, closes=r.closes) for r in ranges]
    ordered = sorted(others + new, key=lambda h: (h.weekday, h.opens))
    if not ordered:  # no weekly ranges left means open all day, every day: the opposite of what was asked
        raise HoursError(t("store.hours.error.every_day_closed"))
    return HoursBody(opening_hours=ordered, exceptions=body.exceptions)


def reset() -> HoursBody:
    """No hours at all: open all day, every day (what a new store has)."""
    return HoursBody()


def set_exception(body: HoursBody, day: str, ranges: Sequence[TimeRange], note: str = "") -> HoursBody:
    """`body` with the exception for `day` set (none: closed all day), replacing one for the same date."""
    others = [e for e in body.exceptions if e.date != day]
    if len(others) >= HOURS_EXCEPTIONS_MAX:
        raise HoursError(t("store.hours.error.too_many_exceptions", maximum=HOURS_EXCEPTIONS_MAX))
    new = HoursExceptionIn(
        date=day, hours=[TimeRangeIn(opens=r.opens, closes=r.closes) for r in ranges], note=check_note(note)
    )
    return HoursBody(
        opening_hours=body.opening_hours, exceptions=sorted([*others, new], key=lambda e: e.date)
    )


def clear_exception(body: HoursBody, day: str) -> HoursBody:
    """`body` without the exception for `day`; `HoursError` when there is none."""
    kept = [e for e in body.exceptions if e.date != day]
    if len(kept) == len(body.exceptions):
        raise HoursError(t("store.hours.error.no_exception", date=day))
    return HoursBody(opening_hours=body.opening_hours, exceptions=kept)


def applied(store: Store, body: HoursBody) -> Store:
    """`store` showing `body`'s hours (a queued change, before the platform confirms it)."""
    import msgspec

    return msgspec.structs.replace(
        store,
        opening_hours=[
            OpeningHours(weekday=h.weekday, opens=h.opens, closes=h.closes) for h in body.opening_hours
        ],
        hours_exceptions=[
            HoursException(
                date=e.date, hours=[TimeRange(opens=r.opens, closes=r.closes) for r in e.hours], note=e.note
            )
            for e in body.exceptions
        ],
    )
