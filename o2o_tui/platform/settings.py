"""Server tuning knobs, read from `O2O_*` environment variables (tests shorten the timers with them)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

import msgspec

from o2o_tui.device_settings import DEVICE_SETTINGS, Bounds
from o2o_tui.device_settings import parse_number as _number
from o2o_tui.domain.limits import REQUEST_BODY_MAX
from o2o_tui.domain.personal_data import PURGE_OPEN_HOURS, PURGE_PERSONAL_HOURS
from o2o_tui.domain.refunds import REFUND_WINDOW_DAYS, REFUND_WINDOW_ENV
from o2o_tui.i18n import t

log = logging.getLogger("o2o.platform.settings")

# stored answers are kept at least this long: a device may be offline a week and still send what it queued
IDEMPOTENCY_MIN_DAYS = 7.0
# ended orders are kept at least this long (or forever): a store's figures cover any day of the last 90
FIGURES_DAYS = 90.0


class Settings(msgspec.Struct, frozen=True):
    heartbeat_minutes: float = 5.0  # a store whose devices stop polling this long is paused automatically
    accept_timeout_seconds: int | None = None  # overrides every store's accept_timeout_seconds when set
    conclude_after_minutes: float = 60.0  # a delivered order is concluded after this long
    job_interval_seconds: float = 5.0  # how often the background jobs run
    event_retention_hours: float = 168.0  # older events are pruned; a cursor before them answers resync
    # ended orders are kept this long for the figures (never under 90 days; 0 keeps them forever) (order_retention.py)
    order_retention_days: float = 90.0
    idempotency_retention_days: float = 8.0  # stored answers kept this long (never under 7 days)
    event_recheck_seconds: float = 1.0  # long-polls also re-read the database this often (several processes)
    pg_notify: bool = True  # PostgreSQL: wake other processes' long-polls at once (NOTIFY per write, ~0.5 ms)
    access_log: bool = False  # a stamped line per request answered (client, request line, status): off, noise
    # names, phones, addresses and notes of orders and deliveries ended longer ago are blanked (jobs.purge_personal);
    # the same window and variable as the consoles' caches (o2o_tui/sync/retention.py)
    purge_personal_hours: float = PURGE_PERSONAL_HOURS
    # and those of orders and deliveries left open this long past their promised time and last change (same job)
    purge_open_hours: float = PURGE_OPEN_HOURS
    # an order handed off takes refunds this long after it ended (o2o_tui/domain/refunds.py `refund_time`); the
    # same variable the consoles read to offer the refund
    refund_window_days: float = REFUND_WINDOW_DAYS
    # slow and idle clients (o2o_tui/platform/admission.py, docs/operations.md "Timeouts and limits")
    keep_alive_seconds: float = 75.0  # an idle connection between requests; > events.MAX_WAIT_SECONDS (60)
    header_timeout_seconds: float = 10.0  # a request's line and headers, from its first byte (or the connect)
    body_timeout_seconds: float = 10.0  # the longest pause inside a body, and the grace before the floor rate
    body_min_bytes_per_second: float = 1024.0  # after the grace a body must average at least this rate
    # larger is a 413 (a declared length after its body is read and dropped, chunked when passed); the clients
    # check a menu publish against the same constant before queuing it
    max_body_bytes: int = REQUEST_BODY_MAX
    max_concurrent_bodies: int = 16  # bodies received at once per process; bounds their memory
    body_queue_seconds: float = 2.0  # a request waits this long for one of them, then gets 503 + Retry-After
    code_attempts: int = 5  # wrong tries of one code (an order's pickup or delivery code) before it is locked
    store_code_attempts: int = 20  # wrong validate-code tries at one store before it is locked there
    code_lock_minutes: float = 10.0  # how long a locked code is refused; also the window the tries count in
    # the server's secret (o2o_tui/platform/server_secret.py); empty: `platform-secret.key` in the data dir
    secret_file: str = ""


class BadSetting(ValueError):
    """An `O2O_*` variable whose value is not of the form its setting takes."""

    def __init__(self, name: str, raw: str, expected_key: str) -> None:
        super().__init__(f"{name}={raw!r}")
        self.name = name
        self.raw = raw
        self.expected_key = expected_key  # the catalog key of the expected form

    def message(self) -> str:
        return t("server.bad_setting", name=self.name, value=self.raw, expected=t(self.expected_key))


class SettingOutOfBounds(BadSetting):
    """An `O2O_*` variable of the right form whose value is outside the bounds its setting can work with (a job
    interval of 0 spins the server, a negative window means nothing): the server does not start."""

    def __init__(self, name: str, raw: str, bounds: Bounds) -> None:
        super().__init__(name, raw, "server.setting.number")
        self.bounds = bounds

    def message(self) -> str:
        return t("server.setting_out_of_bounds", name=self.name, value=self.raw, bounds=self.bounds.said())


def _flag(raw: str) -> bool:
    return raw.strip().lower() not in ("0", "false", "no", "off")


def _text(raw: str) -> str:
    return raw


_EXPECTED: dict[Callable[[str], object], str] = {
    _number: "server.setting.number",
    int: "server.setting.integer",
}

_ENV: dict[str, tuple[str, Callable[[str], object]]] = {
    "heartbeat_minutes": ("O2O_HEARTBEAT_MINUTES", _number),
    "accept_timeout_seconds": ("O2O_ACCEPT_TIMEOUT_SECONDS", int),
    "conclude_after_minutes": ("O2O_CONCLUDE_AFTER_MINUTES", _number),
    "job_interval_seconds": ("O2O_JOB_INTERVAL_SECONDS", _number),
    "event_retention_hours": ("O2O_EVENT_RETENTION_HOURS", _number),
    "order_retention_days": ("O2O_ORDER_RETENTION_DAYS", _number),
    "idempotency_retention_days": ("O2O_IDEMPOTENCY_RETENTION_DAYS", _number),
    "event_recheck_seconds": ("O2O_EVENT_RECHECK_SECONDS", _number),
    "pg_notify": ("O2O_PG_NOTIFY", _flag),
    "access_log": ("O2O_ACCESS_LOG", _flag),
    "purge_personal_hours": ("O2O_PURGE_PERSONAL_HOURS", _number),
    "purge_open_hours": ("O2O_PURGE_OPEN_HOURS", _number),
    "refund_window_days": (REFUND_WINDOW_ENV, _number),
    "keep_alive_seconds": ("O2O_KEEP_ALIVE_SECONDS", _number),
    "header_timeout_seconds": ("O2O_HEADER_TIMEOUT_SECONDS", _number),
    "body_timeout_seconds": ("O2O_BODY_TIMEOUT_SECONDS", _number),
    "body_min_bytes_per_second": ("O2O_BODY_MIN_BYTES_PER_SECOND", _number),
    "max_body_bytes": ("O2O_MAX_BODY_BYTES", int),
    "max_concurrent_bodies": ("O2O_MAX_CONCURRENT_BODIES", int),
    "body_queue_seconds": ("O2O_BODY_QUEUE_SECONDS", _number),
    "code_attempts": ("O2O_CODE_ATTEMPTS", int),
    "store_code_attempts": ("O2O_STORE_CODE_ATTEMPTS", int),
    "code_lock_minutes": ("O2O_CODE_LOCK_MINUTES", _number),
    "secret_file": ("O2O_SECRET_FILE", _text),
}


# What each number can work with (docs/operations.md, Tuning knobs): a value outside stops the server with one line
# naming the variable and these bounds. Inside them, a retention under the minimum its contract needs
# (`_RAISED`) is raised to that minimum with a warning.
_DAY_MINUTES = 1440.0
_BOUNDS: dict[str, Bounds] = {
    "heartbeat_minutes": Bounds(0, _DAY_MINUTES, low_open=True),  # 0 would pause every store at once
    "accept_timeout_seconds": Bounds(1, 86400),
    "conclude_after_minutes": Bounds(0, 30 * _DAY_MINUTES),
    "job_interval_seconds": Bounds(0.1, 3600),  # 0 or less: the jobs run back to back, the server spins
    "event_retention_hours": Bounds(0, 8760, low_open=True),
    "order_retention_days": Bounds(0, 36500),  # 0 keeps them forever; under 90 is raised to 90
    "idempotency_retention_days": Bounds(0, 3650),  # under 7 is raised to 7
    "event_recheck_seconds": Bounds(0.05, 60),  # under it the long-polls re-read the database back to back
    # the two the consoles read too: their bounds are the consoles' (o2o_tui/device_settings.py)
    "purge_personal_hours": DEVICE_SETTINGS["purge_personal_hours"].bounds,
    "purge_open_hours": DEVICE_SETTINGS["purge_open_hours"].bounds,
    "refund_window_days": DEVICE_SETTINGS["refund_window_days"].bounds,
    "keep_alive_seconds": Bounds(0, 3600, low_open=True),
    "header_timeout_seconds": Bounds(0, 3600, low_open=True),
    "body_timeout_seconds": Bounds(0, 3600, low_open=True),
    "body_min_bytes_per_second": Bounds(0, 1e9, low_open=True),
    "max_body_bytes": Bounds(1, 2**30),
    "max_concurrent_bodies": Bounds(1, 10000),
    "body_queue_seconds": Bounds(0, 3600),
    "code_attempts": Bounds(1, 1000),
    "store_code_attempts": Bounds(1, 100000),
    "code_lock_minutes": Bounds(0, 7 * _DAY_MINUTES, low_open=True),
}

# field -> (its minimum, the catalog key of the warning that says why); 0 keeps ended orders forever
_RAISED: dict[str, tuple[float, str]] = {
    "idempotency_retention_days": (IDEMPOTENCY_MIN_DAYS, "server.setting_raised"),
    "order_retention_days": (FIGURES_DAYS, "server.setting_raised_figures"),
}
_ZERO_MEANS_FOREVER = frozenset({"order_retention_days"})


def settings_from_env(environ: dict[str, str] | None = None) -> Settings:
    """The settings the `O2O_*` variables ask for; a value of the wrong form raises `BadSetting`, one outside its
    knob's bounds `SettingOutOfBounds` (both naming the variable), and a retention under its contract's minimum is
    raised to it with a warning."""
    source = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for field, (name, kind) in _ENV.items():
        raw = source.get(name)
        if raw:
            try:
                values[field] = kind(raw)
            except ValueError:
                raise BadSetting(name, raw, _EXPECTED[kind]) from None
            bounds = _BOUNDS.get(field)
            value = values[field]
            if bounds is not None and isinstance(value, int | float) and not bounds.holds(float(value)):
                raise SettingOutOfBounds(name, raw, bounds)
    for field, (minimum, key) in _RAISED.items():
        kept = values.get(field)
        if not isinstance(kept, float) or kept >= minimum:
            continue
        if kept == 0 and field in _ZERO_MEANS_FOREVER:
            continue
        name = _ENV[field][0]
        log.warning(t(key, name=name, value=source[name], minimum=f"{minimum:g}"))
        values[field] = minimum
    return Settings(**values)  # type: ignore[arg-type]


ENV_NAMES = tuple(name for name, _ in _ENV.values())
