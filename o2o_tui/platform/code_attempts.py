"""Wrong tries of a code, and the lock they lead to: one mechanism for every code the platform checks.

A code is named by its subject (what kind of code) and the id of what it belongs to: an order's pickup code
(`PICKUP`, order id: the counter's handoff and the courier's pick-up), an order's delivery code (`DELIVERY`, order
id: the courier at the door), every code scanned at a store's validate-code (`STORE`, store id: the code names the
order, so a wrong one belongs to no order and is counted against the store). Vouchers get a subject of their own.

`Settings.code_attempts` wrong tries (5) within `code_lock_minutes` (10) lock a code for `code_lock_minutes`;
`STORE` takes `Settings.store_code_attempts` (20). A locked code is refused right or wrong (423 `code_locked` with
`locked_until`). The counts live in the database (`db.code_attempts`), in the request's transaction, so they hold
across restarts and across server processes; a wrong code is refused with `keep_changes`, so the transaction that
counted it commits.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, bindparam, delete, select, update

from o2o_tui.platform import db, stores
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import ApiError, code_locked, wrong_code


class CodeSubject(enum.StrEnum):
    PICKUP = "pickup"  # an order's pickup code
    DELIVERY = "delivery"  # an order's delivery code
    STORE = "store"  # any code scanned at the store's validate-code
    VOUCHER = "voucher"  # voucher codes redeemed at a store (store id): a wrong one names no voucher


_table = db.code_attempts
_WHERE = and_(_table.c.subject == bindparam("b_subject"), _table.c.subject_id == bindparam("b_id"))
_LOAD = select(_table.c.failures, _table.c.first_failure_at, _table.c.locked_until).where(_WHERE)
_UPDATE = (
    update(_table)
    .where(_WHERE)
    .values(
        failures=bindparam("failures"),
        first_failure_at=bindparam("first_failure_at"),
        locked_until=bindparam("locked_until"),
    )
)
_INSERT = _table.insert()
_DELETE = delete(_table).where(_WHERE)


def limit_of(ctx: Ctx, subject: CodeSubject) -> int:
    store_wide = subject in (CodeSubject.STORE, CodeSubject.VOUCHER)
    return ctx.settings.store_code_attempts if store_wide else ctx.settings.code_attempts


def _window(ctx: Ctx) -> timedelta:
    return timedelta(minutes=ctx.settings.code_lock_minutes)


def locked_until(conn: Connection, subject: CodeSubject, subject_id: str, now: datetime) -> datetime | None:
    """When the code is taken again, or None when it is not locked at `now`."""
    row = conn.execute(_LOAD, {"b_subject": subject.value, "b_id": subject_id}).first()
    if row is None or row.locked_until is None:
        return None
    until = datetime.fromisoformat(row.locked_until)
    return until if until > now else None


def ensure_unlocked(ctx: Ctx, subject: CodeSubject, subject_id: str, *, store_id: str | None = None) -> None:
    """423 `code_locked` while the code is locked, naming the time zone of the store `store_id` (read only then)."""
    until = locked_until(ctx.conn, subject, subject_id, ctx.now)
    if until is not None:
        store = stores.load(ctx.conn, store_id) if store_id is not None else None
        raise code_locked(until, store.timezone if store is not None else None)


@dataclass(frozen=True)
class Failure:
    """One wrong try counted: the wrong tries the code still takes before it locks, and the lock's end when this
    try locked it (`tries_left` 0 then)."""

    tries_left: int
    locked_until: datetime | None


def record_failure(ctx: Ctx, subject: CodeSubject, subject_id: str) -> datetime | None:
    """Count one wrong try; answer the lock's end when this try locked the code."""
    return count_failure(ctx, subject, subject_id).locked_until


def count_failure(ctx: Ctx, subject: CodeSubject, subject_id: str) -> Failure:
    """Count one wrong try; answer how many more the code takes before it locks, and the lock this one made."""
    db.lock_writers(ctx.conn)
    key = {"b_subject": subject.value, "b_id": subject_id}
    row = ctx.conn.execute(_LOAD, key).first()
    now = db.iso(ctx.now)
    if row is None or row.first_failure_at < db.iso(ctx.now - _window(ctx)):  # none, or too old to count
        failures, first = 1, now
    else:
        failures, first = row.failures + 1, row.first_failure_at
    until: datetime | None = None
    limit = limit_of(ctx, subject)
    tries_left = max(0, limit - failures)
    if failures >= limit:
        until = ctx.now + _window(ctx)
        failures = 0  # after the lock, the count starts again
    values = {
        "failures": failures,
        "first_failure_at": first,
        "locked_until": db.iso(until) if until else None,
    }
    if row is None:
        ctx.conn.execute(_INSERT, {"subject": subject.value, "subject_id": subject_id, **values})
    else:
        ctx.conn.execute(_UPDATE, {**key, **values})
    return Failure(tries_left, until)


def clear(ctx: Ctx, subject: CodeSubject, subject_id: str) -> bool:
    """Forget the tries and the lock of a code (staff lifted it); answer whether there was a lock in force."""
    was_locked = locked_until(ctx.conn, subject, subject_id, ctx.now) is not None
    ctx.conn.execute(_DELETE, {"b_subject": subject.value, "b_id": subject_id})
    return was_locked


def matches(given: str | None, expected: str | None) -> bool:
    """Compared in constant time; no expected code (an order without a delivery code) matches nothing."""
    if given is None or expected is None:
        return False
    return secrets.compare_digest(given.strip().encode(), expected.encode())


def check(
    ctx: Ctx,
    subject: CodeSubject,
    subject_id: str,
    given: str | None,
    expected: str | None,
    *,
    on_lock: Callable[[datetime], None] | None = None,
    store_id: str | None = None,
) -> None:
    """Refuse a locked code (423) and a wrong one (409 `wrong_code`, counted, and committed with the refusal,
    saying the tries left, or the lock this try made); `on_lock(until)` runs in the same transaction when this try
    locks the code (the order shows the lock)."""
    ensure_unlocked(ctx, subject, subject_id, store_id=store_id)
    if matches(given, expected):
        return
    raise wrong_try(ctx, count_failure(ctx, subject, subject_id), on_lock=on_lock, store_id=store_id)


def wrong_try(
    ctx: Ctx,
    failure: Failure,
    *,
    on_lock: Callable[[datetime], None] | None = None,
    store_id: str | None = None,
) -> ApiError:
    """The 409 `wrong_code` for a counted wrong try (kept with the refusal): its tries left, or the lock it made
    with the store's time zone (`store_id`, read only then)."""
    if failure.locked_until is None:
        return wrong_code(keep_changes=True, tries_left=failure.tries_left)
    if on_lock is not None:
        on_lock(failure.locked_until)
    store = stores.load(ctx.conn, store_id) if store_id is not None else None
    timezone = store.timezone if store is not None else None
    return wrong_code(keep_changes=True, tries_left=0, locked_until=failure.locked_until, timezone=timezone)


def purge(conn: Connection, now: datetime, window: timedelta) -> int:
    """Drop the rows that no longer count: tries older than the window, and no lock in force. Without this the
    table kept one row per code ever typed wrong."""
    stale = delete(_table).where(
        _table.c.first_failure_at < db.iso(now - window),
        (_table.c.locked_until.is_(None)) | (_table.c.locked_until < db.iso(now)),
    )
    return int(conn.execute(stale).rowcount or 0)
