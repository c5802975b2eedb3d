"""A store's day in figures on the device: fetched from the platform, and the last ones fetched kept in the
profile's directory so `f` in the console and `o2o report day` still show them offline ("as of HH:MM").

The kept reports are a small JSON file of their own, `reports-v1.json` beside the profile's cache, written whole
through `offline_cache.storage.atomic_write` (temp file, fsync, replace, directory fsync; 0600). Like the cache it
holds only what the platform answered and can be rebuilt at any time: a file that does not read is started
afresh. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote
from zoneinfo import ZoneInfo

import msgspec

from o2o_tui.client.errors import PlatformError, ServerError, Unreachable
from o2o_tui.client.wire import Call
from o2o_tui.domain.report import DayReport
from offline_cache.storage import atomic_write

if TYPE_CHECKING:
    from o2o_tui.domain.store import Store

FILE_NAME = "reports-v1.json"
KEEP = 30  # reports kept (per profile), the most recently fetched


class _Kept(msgspec.Struct, frozen=True):
    fetched_at: datetime
    report: DayReport


class _File(msgspec.Struct, frozen=True):
    reports: dict[str, _Kept] = {}  # "<store id>/<YYYY-MM-DD>" -> the last fetch of that day


_decode_file = msgspec.json.Decoder(_File).decode
_encode = msgspec.json.Encoder().encode


class Caller(Protocol):
    """What a fetch needs from a platform client (`PlatformClient.call`)."""

    def call(self, call: Call[DayReport]) -> DayReport: ...


@dataclass(frozen=True)
class Figures:
    """A day's report and where it came from: `cached` when the platform could not be reached (then `fetched_at`
    is when it was fetched, and `problem` says why it is not newer)."""

    report: DayReport
    fetched_at: datetime
    cached: bool = False
    problem: str = ""


def report_call(store_id: str, day: str | None) -> Call[DayReport]:
    params = {"date": day} if day else None
    return Call("GET", f"/v1/stores/{quote(store_id, safe='')}/reports/day", DayReport, params=params)


def store_today(timezone: str, now: datetime) -> date:
    """Today on the clock of a store in `timezone` (UTC for a zone this machine does not know)."""
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def trading_today(store: Store, now: datetime) -> date:
    """The store's today by its trading day (its hours, on its clock: at 01:40 on Monday after a Sunday open to
    03:00, Sunday), as the platform's report says it (`DayReport.today`); the calendar's for a store without hours."""
    from o2o_tui.domain.hours import trading_day

    try:
        zone = ZoneInfo(store.timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return trading_day(now.astimezone(zone), store.opening_hours, store.hours_exceptions)


def local_today(report: DayReport, now: datetime) -> date:
    """Today on the clock of the report's store (the calendar's: `is_today` says whether a report is the day)."""
    return store_today(report.timezone, now)


def is_today(report: DayReport, now: datetime) -> bool:
    """Whether `now` falls in the report's day: its trading day's bounds when the platform says them (Sunday's,
    that ran to 03:00, is today at 01:40 on Monday), else the calendar day on the store's clock."""
    if report.starts_at is not None and report.ends_at is not None:
        return report.starts_at <= now < report.ends_at
    return report.date == local_today(report, now).isoformat()


def is_future(report: DayReport, now: datetime) -> bool:
    """Whether the report's day had not begun when fetched (its figures are all zeros): after the trading day the
    platform said was the store's today then, else after the calendar's today at `now` on the store's clock."""
    if report.today is not None:
        return report.date > report.today
    if report.starts_at is not None:  # the trading day's start: Monday's at 03:00 after a late Sunday
        return now < report.starts_at
    return report.date > local_today(report, now).isoformat()


class FutureDay(ValueError):
    """A day after the store's today: it has no figures (a report counts the orders placed or ended in it)."""

    def __init__(self, day: str, today: str) -> None:
        super().__init__(f"{day} is after the store's today ({today})")
        self.day = day
        self.today = today

    def i18n_message(self) -> str:
        from o2o_tui.i18n import t

        return t("figures.error.future", day=self.day, today=self.today)


class ReportCache:
    """The last reports fetched on this profile (`directory` is the profile's cache directory)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME

    def _read(self) -> _File:
        try:
            return _decode_file(self.path.read_bytes())
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            return _File()

    def get(self, store_id: str, day: str) -> _Kept | None:
        return self._read().reports.get(f"{store_id}/{day}")

    def today(self, store_id: str, now: datetime) -> _Kept | None:
        """The kept report of the store's today (by its own clock), if one was fetched."""
        for key, kept in self._read().reports.items():
            if key.startswith(store_id + "/") and is_today(kept.report, now):
                return kept
        return None

    def put(self, report: DayReport, fetched_at: datetime) -> None:
        reports = dict(self._read().reports)
        reports[f"{report.store_id}/{report.date}"] = _Kept(fetched_at, report)
        newest = sorted(reports.items(), key=lambda item: item[1].fetched_at, reverse=True)[:KEEP]
        atomic_write(self.path, _encode(_File(dict(newest))))


def day_figures(
    client: Caller | None,
    cache: ReportCache,
    store_id: str,
    day: str | None,
    *,
    now: datetime | None = None,
) -> Figures:
    """The figures of `day` (None: the store's today) from the platform, kept for later; when the platform cannot
    be reached (or `client` is None: offline), the kept ones of that day. Raises the platform's error when it
    refuses (403, 404, 422) or when nothing was kept for that day, and `FutureDay` for a day after the store's
    today."""
    moment = now or datetime.now(UTC)
    problem: PlatformError | None = None
    if client is not None:
        try:
            report = client.call(report_call(store_id, day))
        except (Unreachable, ServerError) as error:
            problem = error
        else:
            if is_future(report, moment):  # all zeros, and not worth keeping
                raise FutureDay(report.date, report.today or local_today(report, moment).isoformat())
            cache.put(report, moment)
            return Figures(report, moment)
    kept = cache.get(store_id, day) if day else cache.today(store_id, moment)
    if kept is None:
        if problem is not None:
            raise problem
        raise Unreachable("no figures kept for that day on this device")
    reason = problem.i18n_message() if problem is not None else ""
    return Figures(kept.report, kept.fetched_at, cached=True, problem=reason)
