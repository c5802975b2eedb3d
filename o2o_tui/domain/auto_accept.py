"""Auto-accept on the wire: the strict change body (`PUT /v1/stores/{id}/auto-accept`) and the lenient answer of
`GET /v1/stores/{id}/auto-accept` (the setting, whether the printing station is online, today's count).

The setting itself lives on the store (`Store.auto_accept`), so every console gets it with the store's event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from o2o_tui.domain.limits import AUTO_ACCEPT_CAP_MAX, DEVICE_NAME_MAX, require_times_in_range

CHECK_IN_SECONDS = 15.0  # how often a console asks (the station's ask is its check-in)
FRESH_SECONDS = 45.0  # a station unheard of for longer is offline

DeviceName = Annotated[str, Meta(max_length=DEVICE_NAME_MAX)]
DailyCap = Annotated[int, Meta(ge=0, le=AUTO_ACCEPT_CAP_MAX)]


class AutoAcceptBody(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """Fields left out stay as they are; `station: ""` clears the station (nothing auto-accepts then)."""

    enabled: bool | None = None
    daily_cap: DailyCap | None = None  # 0: no cap
    station: DeviceName | None = None


class AutoAcceptState(msgspec.Struct, frozen=True):
    """What a console shows and the station decides on: the setting and the platform's count for the day."""

    enabled: bool = False
    daily_cap: int = 0
    station: str = ""
    station_online: bool = False
    station_seen_at: datetime | None = None
    station_printer_held: bool = False  # the online station holds auto-accept: its printer cannot print
    accepted_today: int = 0  # orders auto-accepted on the store's local day (counted from the orders)
    day: str = ""  # that day, YYYY-MM-DD on the store's clock
    devices: list[str] = []  # the consoles that asked under their device name in the last 30 days, latest first

    def __post_init__(self) -> None:
        require_times_in_range(self)
