"""What the menu editor and the `o2o menu` commands call: the cached menu, its saved draft, publishing the draft and
quick availability changes, on top of the outbox and the sync engine (like every action).

- `current_menu(cache, store_id)`: the cached menu with this device's queued availability changes applied.
- `open_draft` / `save_draft` / `discard_draft`: the draft of one store (offline_cache/drafts.py: durable, works
  offline, survives a crash or a quit). An untouched saved draft of an older menu follows the newer one.
- `publish(profile, cache, draft)`: queues `menu.publish` conditional on `draft.base.version` (the outbox sends it
  as If-Match), pushes at once, and says what became of it (`PublishResult`). A 412 whose newer menu differs from
  the draft's base only in availability or version (a quick sold-out changes the version on some servers) is not a
  conflict: the draft is moved onto it and sent again, once. A real conflict comes back with the `Rebase` to
  resolve item by item (`menu_draft.resolve`), then `publish` again.
- `publish_outcome(cache, key)`: the same answer read from the outbox later (a publish queued offline).
- `set_availability(profile, cache, store_id, kind, id, status, until)` (a CLI call) and
  `submit_availability(engine, ...)` (a console that runs an engine): one item/option PATCH at once; never the
  draft.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import msgspec

from o2o_tui.domain.menu import Availability, Menu
from o2o_tui.domain.requests import ItemPatchBody
from o2o_tui.menu_draft import (
    MenuDraft,
    Rebase,
    content_key,
    holds,
    is_dirty,
    publish_menu,
    rebase,
    start,
)
from o2o_tui.sync.explain import explain
from o2o_tui.sync.read_model import ReadModel
from offline_cache.drafts import DraftStore

AvailabilityKind = Literal["item", "option"]
Status = Literal["available", "sold_out", "unavailable"]
PublishKind = Literal["published", "queued", "conflict", "refused", "not_queued"]

PUBLISH = "menu.publish"
PATCH_ACTION: dict[str, str] = {"item": "menu.item.patch", "option": "menu.option.patch"}


class PublishResult(msgspec.Struct):
    kind: PublishKind
    key: str | None = None  # the outbox entry
    version: int | None = None  # published: the new version; conflict: the server's current one
    rebase: Rebase | None = (
        None  # conflict: the draft moved onto the current menu, with what is left to resolve
    )
    reason: dict[str, Any] | None = None  # refused / conflict: the server's reason as the engine kept it
    explanation: str | None = None  # refused: for a person
    error: str | None = None  # queued / not_queued: why
    menu: Menu | None = None  # published: the menu as the server has it now


# -- menu and draft ---------------------------------------------------------------------------------------------


def drafts(cache: Any) -> DraftStore[MenuDraft]:
    return DraftStore(cache)


def current_menu(cache: Any, store_id: str) -> Menu | None:
    return ReadModel(cache).menu(store_id)


def load_draft(cache: Any, store_id: str) -> MenuDraft | None:
    return drafts(cache).load(store_id)


def open_draft(cache: Any, store_id: str) -> MenuDraft | None:
    """The saved draft of the store, else a new one on the current menu (None: no menu cached yet). A saved
    draft with no edits whose base is older than the cached menu starts again on the cached one, and so does one
    whose edits the cached menu already holds."""
    saved = load_draft(cache, store_id)
    live = current_menu(cache, store_id)
    if saved is not None:
        if live is not None and live.version > saved.base.version and not is_dirty(saved) and not saved.undo:
            return start(live)
        if live is not None and holds(live, saved):  # its own publish, queued offline and sent since
            return start(live)
        return saved
    return None if live is None else start(live)


def save_draft(cache: Any, draft: MenuDraft, *, now: datetime | None = None) -> MenuDraft:
    """Durably; returns the draft with its `saved_at`."""
    saved = msgspec.structs.replace(draft, saved_at=now or datetime.now(UTC))
    drafts(cache).save(saved)
    return saved


def discard_draft(cache: Any, store_id: str) -> bool:
    return drafts(cache).discard(store_id)


# -- publish ----------------------------------------------------------------------------------------------------


def is_stale(reason: dict[str, Any] | None) -> bool:
    return bool(reason) and (reason.get("status") == 412 or reason.get("code") == "stale_version")  # type: ignore[union-attr]


def publish_outcome(cache: Any, key: str, draft: MenuDraft | None = None) -> PublishResult:
    """What became of the queued publish `key`: gone from the outbox = published; refused 412 = conflict (with
    the rebase onto the cached current menu when `draft` is given); another refusal; else still queued."""
    entry = cache.outbox.get(key)
    if entry is None:
        store_id = draft.store_id if draft is not None else None
        menu = current_menu(cache, store_id) if store_id else None
        return PublishResult("published", key=key, version=menu.version if menu else None, menu=menu)
    if entry.rejection is None:
        return PublishResult("queued", key=key, error=entry.last_error)
    reason = dict(entry.rejection)
    if is_stale(reason):
        found = reason.get("current_version")
        result = PublishResult(
            "conflict", key=key, version=found if isinstance(found, int) else None, reason=reason
        )
        if draft is not None:
            theirs = current_menu(cache, draft.store_id)
            if theirs is not None and theirs.version > draft.base.version:
                result.rebase = rebase(draft, theirs)
        return result
    return PublishResult(
        "refused",
        key=key,
        reason=reason,
        explanation=explain(reason, action=entry.action, target=entry.target),
    )


def only_availability_changed(draft: MenuDraft, theirs: Menu) -> bool:
    """Whether the newer published menu differs from the draft's base in nothing a draft holds."""
    return content_key(draft.base) == content_key(theirs)


async def publish(
    profile: Any, cache: Any, draft: MenuDraft, *, online: bool = False, timeout: float = 10.0
) -> PublishResult:
    """Queue the draft's publish, push it, say what became of it; on success the saved draft is discarded."""
    from o2o_tui.sync.perform import Outcome, perform, refresh

    for attempt in range(2):
        result = await perform(
            profile,
            cache,
            PUBLISH,
            draft.store_id,
            publish_menu(draft),
            online=online,
            base_version=draft.base.version,
            timeout=timeout,
        )
        if result.outcome is Outcome.NOT_QUEUED:
            return PublishResult("not_queued", error=result.error)
        assert result.key is not None
        outcome: PublishResult = await cache.call(publish_outcome, cache, result.key, draft)
        if outcome.kind == "conflict" and outcome.rebase is None:
            # the engine fetches the menu after a refusal; when it could not, pull once and look again
            await refresh(profile, cache, timeout=timeout)
            outcome = await cache.call(publish_outcome, cache, result.key, draft)
        if outcome.kind == "published":
            saved = await cache.call(load_draft, cache, draft.store_id)
            if saved is not None and content_key(saved.menu) == content_key(draft.menu):
                await cache.call(discard_draft, cache, draft.store_id)
            return outcome
        if outcome.kind != "conflict" or outcome.rebase is None or attempt:
            if outcome.kind == "queued":
                outcome.error = result.error or outcome.error
            return outcome
        moved = outcome.rebase
        if moved.conflicts or not only_availability_changed(draft, moved.draft.base):
            return outcome
        # the newer menu differs only in availability: not a conflict, send the same edits on top of it
        await cache.call(cache.outbox.dismiss, result.key)
        draft = moved.draft
        await cache.call(save_draft, cache, draft)
    raise AssertionError("unreachable")  # pragma: no cover  # the loop returns on its second turn


async def submit_publish(engine: Any, draft: MenuDraft) -> Any:
    """Queue the publish on a running engine (the console's); returns the outbox entry (read its fate with
    `publish_outcome(cache, entry.key, draft)`)."""
    return await engine.submit(PUBLISH, draft.store_id, publish_menu(draft), base_version=draft.base.version)


# -- availability -----------------------------------------------------------------------------------------------


def availability_body(
    status: Status | str, until: datetime | None = None, *, hidden: bool | None = None
) -> ItemPatchBody:
    """The PATCH body of one availability change: `available` clears a snooze and `unavailable`; `sold_out`
    snoozes until `until` (an aware time; required); `unavailable` has no restore time."""
    normalized = status.replace("-", "_").lower()
    if normalized == "available":
        return ItemPatchBody(status=Availability.AVAILABLE, clear_snooze=True, hidden=hidden)
    if normalized == "unavailable":
        return ItemPatchBody(status=Availability.UNAVAILABLE, clear_snooze=True, hidden=hidden)
    if normalized == "sold_out":
        if until is None or until.tzinfo is None:
            raise ValueError("sold out needs the aware time it lasts until")
        return ItemPatchBody(status=Availability.AVAILABLE, snooze_until=until, hidden=hidden)
    raise ValueError(f"unknown availability {status!r}")


def hidden_body(hidden: bool) -> ItemPatchBody:
    return ItemPatchBody(hidden=hidden)


async def set_availability(
    profile: Any,
    cache: Any,
    store_id: str,
    kind: AvailabilityKind,
    entity_id: str,
    status: Status | str,
    until: datetime | None = None,
    *,
    online: bool = False,
    timeout: float = 10.0,
) -> Any:
    """Queue one item/option PATCH at once and push it (never touches the draft); returns perform's
    `ActionResult`."""
    from o2o_tui.sync.perform import perform

    body = availability_body(status, until)
    target = f"{store_id}/{entity_id}"
    return await perform(profile, cache, PATCH_ACTION[kind], target, body, online=online, timeout=timeout)


async def submit_availability(
    engine: Any,
    store_id: str,
    kind: AvailabilityKind,
    entity_id: str,
    status: Status | str,
    until: datetime | None = None,
) -> Any:
    """The same on a running engine (the console's): queued durably, shown at once, pushed by the engine."""
    body = availability_body(status, until)
    return await engine.submit(PATCH_ACTION[kind], f"{store_id}/{entity_id}", body)
