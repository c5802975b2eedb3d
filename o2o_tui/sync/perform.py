"""One user action from a command line: queue it durably, push at once, report what became of it.

When another process on the profile holds the push lock (the console is open and sending), the command does not
send: it watches its entry for up to `wait` seconds while the holder sends it (taking the push lock itself as soon
as it is free), so the person gets the same answer as when the command sends itself: done, refused (in the
conflicts) or, at the deadline, queued.
"""

from __future__ import annotations

import asyncio
import enum
from typing import Any

import msgspec

from o2o_tui.client.actions import check_body
from o2o_tui.client.errors import PlatformError, Unauthorized, Unreachable
from o2o_tui.config import Profile
from o2o_tui.i18n import t
from o2o_tui.sync.explain import explain, menu_entity_name
from o2o_tui.sync.read_model import ReadModel
from o2o_tui.sync.session import make_client, make_engine
from offline_cache.outbox import SCRIPT

_MENU_PATCHES = ("menu.item.patch", "menu.option.patch")  # target: "<store id>/<item or option id>"


class Outcome(enum.StrEnum):
    DONE = "done"  # the platform applied it
    QUEUED = "queued"  # in the outbox; sent when the platform is reachable
    REJECTED = "rejected"  # refused for good: in the conflicts
    NOT_QUEUED = "not_queued"  # --online and the platform is unreachable: nothing was queued


class ActionResult(msgspec.Struct):
    outcome: Outcome
    key: str | None = None
    action: str = ""
    target: str = ""
    reason: dict[str, Any] | None = None
    explanation: str | None = None
    error: str | None = None  # why it is queued / not queued, for a person
    login_needed: bool = False  # queued because the platform refused the token: sent once someone logs in again


async def perform(
    profile: Profile,
    cache: Any,
    action: str,
    target: str,
    body: msgspec.Struct,
    *,
    online: bool = False,
    base_version: int | None = None,
    timeout: float = 10.0,
    wait: float = 10.0,
    poll: float = 0.1,
) -> ActionResult:
    """Raises `BodyOutOfBounds` (nothing queued) for a body the platform would refuse for its shape. `online`:
    nothing stays queued when it does not go through (`NOT_QUEUED` when the platform is out of reach; a server
    error or an unreadable answer is raised). `wait`:
    how long to watch for the outcome while another process holds the push lock."""
    check_body(action, body)
    async with make_client(profile, timeout=timeout) as client:
        engine = make_engine(profile, cache, client)
        if online:
            try:
                await client.me()
            except Unreachable as unreachable:
                return ActionResult(
                    Outcome.NOT_QUEUED, action=action, target=target, error=unreachable.i18n_message()
                )
        entry = await engine.submit(action, target, body, base_version=base_version, origin=SCRIPT)
        error, current = await _push_or_watch(engine, cache, entry.key, wait, poll)
        ahead = await cache.call(_ahead_of, cache, entry.key) if online and _failed_here(error, current) else 0
        if online and _failed_here(error, current) and await cache.call(_drop_unsent, cache, entry.key):
            # --online fails instead of queueing: the platform went out of reach (or answered a server error)
            # while it was being sent, so nothing of it stays queued
            if isinstance(error, Unreachable):
                return ActionResult(
                    Outcome.NOT_QUEUED, action=action, target=target, error=_why_queued(error, ahead)
                )
            assert isinstance(error, PlatformError)
            raise error
    if current is None:
        return ActionResult(Outcome.DONE, key=entry.key, action=action, target=target)
    if current.rejection is not None:
        reason = dict(current.rejection)
        name = await cache.call(_entity_name, cache, action, target)
        return ActionResult(
            Outcome.REJECTED,
            key=entry.key,
            action=action,
            target=target,
            reason=reason,
            explanation=explain(reason, action=action, target=target, name=name),
        )
    ahead = await cache.call(_ahead_of, cache, entry.key)
    return ActionResult(
        Outcome.QUEUED,
        key=entry.key,
        action=action,
        target=target,
        error=_why_queued(error, ahead),
        login_needed=isinstance(error, Unauthorized),
    )


def _failed_here(error: PlatformError | str | None, current: Any) -> bool:
    """Whether the entry is still queued because sending met a fault that is not a refusal of it (not a bad
    token: queued work waits for the next login; not another process sending it: that one settles it)."""
    return (
        current is not None
        and current.rejection is None
        and isinstance(error, PlatformError)
        and not isinstance(error, Unauthorized)
    )


def _drop_unsent(cache: Any, key: str) -> bool:
    """Take `key` out of the outbox (an `--online` action that did not go through), holding the push lock so no
    process is sending it meanwhile; False (left queued) while another process holds the lock."""
    lock = getattr(cache, "push_lock", None)
    if lock is not None and not lock.try_acquire():
        return False
    try:
        # the outbox drops entries only once settled: settled as refused here, then dismissed
        cache.outbox.mark_rejected(key, {"code": "not_queued", "status": None})
        cache.outbox.dismiss(key)
        return True
    finally:
        if lock is not None:
            lock.release()


def _entity_name(cache: Any, action: str, target: str) -> str:
    """An item or option change's item or option by its name in the person's language as the cached menu has it
    (its id once the menu no longer has it); "" for any other action (sync/explain.menu_entity_name)."""
    if action not in _MENU_PATCHES:
        return ""
    return menu_entity_name(ReadModel(cache).menu(target.partition("/")[0]), action, target)


def _ahead_of(cache: Any, key: str) -> int:
    """How many queued actions go before `key` (they are sent in order)."""
    keys = [entry.key for entry in cache.outbox.pending()]
    return keys.index(key) if key in keys else 0


def _why_queued(error: PlatformError | str | None, ahead: int) -> str | None:
    """For a person. An error met while sending an earlier queued action is about that action's request: say so."""
    if error is None or isinstance(error, str):
        return error
    if ahead == 0 or isinstance(error, Unauthorized):
        return error.i18n_message()
    return t("sync.queued.behind", count=ahead, reason=error.i18n_message())


async def _push_or_watch(
    engine: Any, cache: Any, key: str, wait: float, poll: float
) -> tuple[PlatformError | str | None, Any]:
    """Send the outbox ourselves when the push lock is free; else watch `key` until the holder settled it or
    `wait` runs out. Returns (why it is still queued: the error met sending, or a sentence; the entry as it is
    now: None once confirmed)."""
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        try:
            pushed = await engine.try_push()
        except PlatformError as error:
            await engine.record_answer(error)
            return error, await cache.call(cache.outbox.get, key)
        if pushed is not None:
            await engine.record_answer(None)
        current = await cache.call(cache.outbox.get, key)
        if pushed is not None or current is None or current.rejection is not None:
            return None, current
        if asyncio.get_running_loop().time() >= deadline:
            return t("sync.queued.other_sender"), current
        await asyncio.sleep(poll)


async def refresh(profile: Profile, cache: Any, *, timeout: float = 10.0, answered_errors: bool = False) -> Any:
    """Push what is queued and pull until caught up (and apply the retention); returns the engine's `SyncReport`.
    `answered_errors`: raise the error the pull ended on when the platform answered one (a 5xx, an unreadable
    answer, a refused token) instead of only saying it in the report; an unreachable platform is still only
    reported (a read then works from the cache as it is)."""
    async with make_client(profile, timeout=timeout) as client:
        engine = make_engine(profile, cache, client)
        report = await engine.sync_once()
    if answered_errors and engine.fault is not None and not isinstance(engine.fault, Unreachable):
        raise engine.fault
    return report
