"""The server settings a console reads too, from the same variables: `O2O_PURGE_PERSONAL_HOURS` and
`O2O_PURGE_OPEN_HOURS` (its cache's personal-data purge, of ended orders and of orders left open) and
`O2O_REFUND_WINDOW_DAYS` (whether to offer a refund). Their bounds are defined here once; the server's settings (`o2o_tui.platform.settings`) take them from here, and this module imports nothing
of the platform's (a console loads it before its first frame).

A value the server would refuse to start with (`abc`, `nan`, `-1`, `1e9`) is not used by a console: it takes the
server's default and says so in one warning line (once per process and value), never a traceback and never a
window of its own (a negative purge window would blank every ended order at once).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping

import msgspec

from o2o_tui.domain.personal_data import PURGE_OPEN_HOURS, PURGE_PERSONAL_HOURS
from o2o_tui.domain.refunds import REFUND_WINDOW_DAYS, REFUND_WINDOW_ENV
from o2o_tui.i18n import t

log = logging.getLogger("o2o.platform.settings")


class Bounds(msgspec.Struct, frozen=True):
    """The values a knob can work with: from `low` (excluded when `low_open`) to `high`, both in its unit."""

    low: float
    high: float
    low_open: bool = False

    def holds(self, value: float) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        return above and value <= self.high

    def said(self) -> str:
        key = "server.bounds.above" if self.low_open else "server.bounds.range"
        return t(key, low=f"{self.low:g}", high=f"{self.high:g}")


def parse_number(raw: str) -> float:
    """A finite number, else ValueError (it names no variable: the caller says which one)."""
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


class DeviceSetting(msgspec.Struct, frozen=True):
    variable: str
    default: float
    bounds: Bounds


DEVICE_SETTINGS: dict[str, DeviceSetting] = {
    "purge_personal_hours": DeviceSetting("O2O_PURGE_PERSONAL_HOURS", PURGE_PERSONAL_HOURS, Bounds(0, 8760)),
    # an order left open: never under a day past its promise (a late order's courier still needs the address)
    "purge_open_hours": DeviceSetting("O2O_PURGE_OPEN_HOURS", PURGE_OPEN_HOURS, Bounds(24, 8760)),
    "refund_window_days": DeviceSetting(REFUND_WINDOW_ENV, REFUND_WINDOW_DAYS, Bounds(0, 365)),
}
_said: set[tuple[str, str]] = set()


def device_setting(field: str, environ: Mapping[str, str] | None = None) -> float:
    """The value of one of `DEVICE_SETTINGS` for a console, with the server's form and bounds (see the module)."""
    value, warning = _device_value(field, environ)
    if warning is not None and warning[0] not in _said:
        _said.add(warning[0])
        log.warning(warning[1])
    return value


def device_setting_warnings(environ: Mapping[str, str] | None = None) -> list[str]:
    """The warnings of the device settings whose value is not used, for a console to show on its screen (where a
    log line is not seen)."""
    return [warning[1] for field in sorted(DEVICE_SETTINGS) if (warning := _device_value(field, environ)[1])]


def _device_value(field: str, environ: Mapping[str, str] | None) -> tuple[float, tuple[tuple[str, str], str] | None]:
    """(the value, None) or (the default, ((variable, value), the warning))."""
    setting = DEVICE_SETTINGS[field]
    raw = (os.environ if environ is None else environ).get(setting.variable, "")
    if not raw.strip():
        return setting.default, None
    try:
        value = parse_number(raw)
    except ValueError:
        expected = t("server.setting.number")
    else:
        if setting.bounds.holds(value):
            return value, None
        expected = setting.bounds.said()
    default = f"{setting.default:g}"
    text = t("server.device_setting_default", name=setting.variable, value=raw, expected=expected, default=default)
    return setting.default, ((setting.variable, raw), text)
