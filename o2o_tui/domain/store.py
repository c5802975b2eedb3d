"""Store and its status: ONLINE, PAUSED {until, reason}, BUSY {extra_minutes}, CLOSED (opening hours).

A cached entity: a field added here bumps `o2o_tui.sync.fetch.MODEL_VERSION` (see `o2o_tui.domain`)."""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec

from o2o_tui.domain.geo import Address
from o2o_tui.domain.hours import hours_version
from o2o_tui.domain.limits import require_times_in_range


class StoreState(enum.StrEnum):
    ONLINE = "ONLINE"
    PAUSED = "PAUSED"
    BUSY = "BUSY"
    CLOSED = "CLOSED"


class StoreStatus(msgspec.Struct, frozen=True):
    state: StoreState = StoreState.ONLINE
    until: datetime | None = None  # PAUSED: resumes by itself at this time (None: until resumed)
    reason: str = ""
    extra_minutes: int = 0  # BUSY: added to every promised time
    auto: bool = False  # set by the platform (no device polling), not by staff

    def __post_init__(self) -> None:
        require_times_in_range(self)


class OpeningHours(msgspec.Struct, frozen=True):
    weekday: int  # 0 = Monday
    opens: str  # "10:00"
    closes: str  # "22:00"


class TimeRange(msgspec.Struct, frozen=True):
    opens: str  # "HH:MM"
    closes: str  # <= opens: runs past midnight


class HoursException(msgspec.Struct, frozen=True):
    """A dated exception to the weekly hours (a holiday): its ranges replace that day's; none = closed all day."""

    date: str  # "YYYY-MM-DD", the store's local date
    hours: list[TimeRange] = []
    note: str = ""


class AutoAccept(msgspec.Struct, frozen=True):
    """Auto-accept (o2o_tui/auto_accept.py): carried out only by the store's printing station console, while it
    is online (`station_online`, kept by the platform from the station's check-ins); at most `daily_cap`
    auto-accepted orders per local day (0: no cap), counted on the platform from the orders themselves."""

    enabled: bool = False
    daily_cap: int = 50
    station: str = ""  # the station console's device name (o2o_tui/device.py); "" = none chosen
    station_online: bool = False  # set by the platform, never by a request
    # set by the platform from the online station's check-ins: its printer cannot print, so it holds auto-accept
    # (orders wait for a person on every console); False from older servers and stations
    station_printer_held: bool = False


class Store(msgspec.Struct, frozen=True):
    id: str
    name: str
    address: Address
    currency: str
    timezone: str
    status: StoreStatus
    version: int
    default_prep_minutes: int = 15
    accept_timeout_seconds: int = 300
    own_fleet: bool = True
    opening_hours: list[OpeningHours] = []  # weekly; a range with closes <= opens runs past midnight
    updated_at: datetime | None = None
    hours_exceptions: list[HoursException] = []  # dated (holidays); see o2o_tui/domain/hours.py
    auto_accept: AutoAccept = AutoAccept()  # see AutoAccept; older documents decode to the default (off)
    # when staff last tapped a status change / an hours change that the platform applied: a change tapped before
    # it (queued offline on another device) is refused as stale instead of undoing the newer one
    status_set_at: datetime | None = None
    hours_set_at: datetime | None = None
    # the version of the hours above (`o2o_tui.domain.hours.hours_version`, in decimal digits: a JSON number this
    # long loses digits in some clients), to send back as If-Match of `PUT .../hours`. Worked out from the hours
    # whenever a Store is made or read, so it always fits them (an older server's answer without it included)
    hours_tag: str = ""

    def __post_init__(self) -> None:
        require_times_in_range(self)
        tag = str(hours_version(self.opening_hours, self.hours_exceptions))
        if tag != self.hours_tag:
            msgspec.structs.force_setattr(self, "hours_tag", tag)
