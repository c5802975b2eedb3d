"""Server tuning knobs, read from `O2O_*` environment variables (tests shorten the timers with them)."""

from __future__ import annotations

import os

import msgspec


class Settings(msgspec.Struct, frozen=True):
    heartbeat_minutes: float = 5.0  # a store whose devices stop polling this long is paused automatically
    accept_timeout_seconds: int | None = None  # overrides every store's accept_timeout_seconds when set
    conclude_after_minutes: float = 60.0  # a delivered order is concluded after this long
    job_interval_seconds: float = 5.0  # how often the background jobs run
    event_retention_hours: float = 168.0  # older events are pruned; a cursor before them answers resync
    # ended orders are kept this long for the figures (never under 90 days; 0 keeps them forever) (order_retention.py)
    order_retention_days: float = 90.0
    idempotency_retention_days: float = 8.0  # stored answers kept at least this long (>= 7 days by contract)
    event_recheck_seconds: float = 1.0  # long-polls also re-read the database this often (several processes)
    pg_notify: bool = True  # PostgreSQL: wake other processes' long-polls at once (NOTIFY per write, ~0.5 ms)
    # names, phones, addresses and notes of orders and deliveries ended longer ago are blanked (jobs.purge_personal);
    # the same window and variable as the consoles' caches (o2o_tui/sync/retention.py)
    purge_personal_hours: float = 6.0
    # slow and idle clients (o2o_tui/platform/admission.py, docs/operations.md "Timeouts and limits")
    keep_alive_seconds: float = 75.0  # an idle connection between requests; > events.MAX_WAIT_SECONDS (60)
    header_timeout_seconds: float = 10.0  # a request's line and headers, from its first byte (or the connect)
    body_timeout_seconds: float = 10.0  # the longest pause inside a body, and the grace before the floor rate
    body_min_bytes_per_second: float = 1024.0  # after the grace a body must average at least this rate
    max_body_bytes: int = 4 * 1024 * 1024  # larger is a 413 (a declared length at once, chunked when passed)
    max_concurrent_bodies: int = 16  # bodies received at once per process; bounds their memory
    body_queue_seconds: float = 2.0  # a request waits this long for one of them, then gets 503 + Retry-After
    code_attempts: int = 5  # wrong tries of one code (an order's pickup or delivery code) before it is locked
    store_code_attempts: int = 20  # wrong validate-code tries at one store before it is locked there
    code_lock_minutes: float = 10.0  # how long a locked code is refused; also the window the tries count in


def _flag(raw: str) -> bool:
    return raw.strip().lower() not in ("0", "false", "no", "off")


_ENV = {
    "heartbeat_minutes": ("O2O_HEARTBEAT_MINUTES", float),
    "accept_timeout_seconds": ("O2O_ACCEPT_TIMEOUT_SECONDS", int),
    "conclude_after_minutes": ("O2O_CONCLUDE_AFTER_MINUTES", float),
    "job_interval_seconds": ("O2O_JOB_INTERVAL_SECONDS", float),
    "event_retention_hours": ("O2O_EVENT_RETENTION_HOURS", float),
    "order_retention_days": ("O2O_ORDER_RETENTION_DAYS", float),
    "idempotency_retention_days": ("O2O_IDEMPOTENCY_RETENTION_DAYS", float),
    "event_recheck_seconds": ("O2O_EVENT_RECHECK_SECONDS", float),
    "pg_notify": ("O2O_PG_NOTIFY", _flag),
    "purge_personal_hours": ("O2O_PURGE_PERSONAL_HOURS", float),
    "keep_alive_seconds": ("O2O_KEEP_ALIVE_SECONDS", float),
    "header_timeout_seconds": ("O2O_HEADER_TIMEOUT_SECONDS", float),
    "body_timeout_seconds": ("O2O_BODY_TIMEOUT_SECONDS", float),
    "body_min_bytes_per_second": ("O2O_BODY_MIN_BYTES_PER_SECOND", float),
    "max_body_bytes": ("O2O_MAX_BODY_BYTES", int),
    "max_concurrent_bodies": ("O2O_MAX_CONCURRENT_BODIES", int),
    "body_queue_seconds": ("O2O_BODY_QUEUE_SECONDS", float),
    "code_attempts": ("O2O_CODE_ATTEMPTS", int),
    "store_code_attempts": ("O2O_STORE_CODE_ATTEMPTS", int),
    "code_lock_minutes": ("O2O_CODE_LOCK_MINUTES", float),
}


def settings_from_env(environ: dict[str, str] | None = None) -> Settings:
    source = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for field, (name, kind) in _ENV.items():
        raw = source.get(name)
        if raw:
            values[field] = kind(raw)
    return Settings(**values)  # type: ignore[arg-type]


ENV_NAMES = tuple(name for name, _ in _ENV.values())
