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
- `check_publish_size(draft)`: raises `MenuTooBig` when the publish's request would be larger than the platform
  takes (`limits.REQUEST_BODY_MAX`, the server's own default): said before anything is queued, since the platform
  answers it 413 whatever is tried. `publish` and `submit_publish` check it; so do the CLI and the editor.
- `drop_queued_publishes(cache, store_id)`: `o2o menu discard` drops this device's publishes of the store still
  waiting in the outbox (and the availability changes riding with them) along with the draft.
- `set_availability(profile, cache, store_id, kind, id, status, until)` (a CLI call) and
  `submit_availability(engine, ...)` (a console that runs an engine): one item/option PATCH at once; never the
  draft.
- Who may change the draft: one editor at a time holds its lock (`draft_lock`, offline_cache/drafts.py), for as
  long as it is open; a command holds it for its change (`claimed_draft`, `DraftHeld` names the editor in the
  way: `holder_text`). An import never publishes a person's edits it did not make (`unpublished_edits`), nor
  the rows an earlier import left in the draft that are neither published nor queued (`unsent_import`). An
  import builds on this device's availability changes still queued (`with_queued_availability`: a sold-out made
  offline after the draft was saved) and keeps them over an older sheet (`queued_availability`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, Literal

import msgspec

from o2o_tui.domain.limits import REQUEST_BODY_MAX
from o2o_tui.domain.menu import Availability, Menu
from o2o_tui.domain.menu_rules import normalize
from o2o_tui.domain.requests import ItemPatchBody
from o2o_tui.i18n import t
from o2o_tui.menu_draft import (
    Change,
    MenuDraft,
    Rebase,
    content_key,
    diff,
    holds,
    is_dirty,
    publish_menu,
    rebase,
    start,
)
from o2o_tui.menu_edits import apply_patch
from o2o_tui.safe_text import safe_text
from o2o_tui.sync.explain import explain
from o2o_tui.sync.read_model import ReadModel
from offline_cache.drafts import DraftLock, DraftStore

AvailabilityKind = Literal["item", "option"]
Status = Literal["available", "sold_out", "unavailable"]
PublishKind = Literal["published", "queued", "conflict", "refused", "not_queued"]

PUBLISH = "menu.publish"
PATCH_ACTION: dict[str, str] = {"item": "menu.item.patch", "option": "menu.option.patch"}
EDITOR = "editor"  # `MenuDraft.changed_by` of a person's edits in the menu editor
IMPORT = "import"  # ... of `o2o menu import`


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
            return fresh_draft(cache, live)
        if live is not None and holds(live, saved):  # its own publish, queued offline and sent since
            return fresh_draft(cache, live)
        return saved
    return None if live is None else fresh_draft(cache, live)


def save_draft(cache: Any, draft: MenuDraft, *, now: datetime | None = None) -> MenuDraft:
    """Durably; returns the draft with its `saved_at`."""
    saved = msgspec.structs.replace(draft, saved_at=now or datetime.now(UTC))
    drafts(cache).save(saved)
    return saved


def discard_draft(cache: Any, store_id: str) -> bool:
    return drafts(cache).discard(store_id)


def corrupt_drafts_text(error: Any) -> str:
    """A drafts file that cannot be read (`offline_cache.drafts.CorruptDraftsError`, left as it is), for a person:
    where, why, what to do."""
    return t("menu_draft.error.corrupt", path=str(getattr(error, "path", "")), detail=str(getattr(error, "detail", "")))


# -- who may change the draft -----------------------------------------------------------------------------------


class DraftHeld(Exception):
    """Another editor has the store's draft open; `holder` is its lock's note (pid, host, command, since).
    `command`: what holds it when that is another `o2o menu` command changing the draft for a moment
    (`held_by_command`: "import", "publish", "discard", "hide", "show"), still holding it after the wait; None for
    an editor."""

    def __init__(self, store_id: str, holder: Mapping[str, object], command: str | None = None) -> None:
        super().__init__(f"the menu draft of {store_id} is open in another editor")
        self.store_id = store_id
        self.holder = dict(holder)
        self.command = command


# the `o2o menu` commands that hold the draft only for their change (a moment), by the words after `menu`
_BRIEF_HOLDERS: dict[tuple[str, ...], str] = {("import",): "import", ("publish",): "publish", ("discard",): "discard"}
_BRIEF_HOLDERS |= {(kind, verb): verb for kind in ("item", "option") for verb in ("hide", "show")}


def held_by_command(holder: Mapping[str, object]) -> str | None:
    """Which `o2o menu` command holds the draft for its change, from the lock's note ("import", "publish",
    "discard", "hide", "show"); None for anything else: an editor (`o2o console`, `o2o menu edit`), or a
    program whose note says nothing."""
    parts = str(holder.get("command") or "").split()
    for index, part in enumerate(parts):
        if Path(part).name in ("o2o", "o2o_tui"):
            words = [word for word in parts[index + 1 :] if not word.startswith("-")]
            if "menu" in words:
                after = words[words.index("menu") + 1 :]
                for length in (1, 2):
                    found = _BRIEF_HOLDERS.get(tuple(after[:length]))
                    if found is not None:
                        return found
            return None
    return None


def draft_lock(cache: Any, store_id: str) -> DraftLock:
    """The store's draft lock in the profile's directory (not taken yet)."""
    return DraftLock(Path(cache.directory), store_id)


@contextlib.contextmanager
def claimed_draft(cache: Any, store_id: str, *, wait: float = 0.0, past_an_editor: bool = False) -> Iterator[None]:
    """Hold the store's draft lock for one command's change of the draft; `DraftHeld` at once when an editor has
    it (`past_an_editor`: the block runs without the lock then, for a look that changes nothing). Another `o2o
    menu` command holding it for its change (`held_by_command`) is waited for, up to `wait` seconds (a CLI passes
    `O2O_CACHE_LOCK_WAIT`, as the cache's write lock waits), then `DraftHeld` naming it."""
    lock = draft_lock(cache, store_id)
    try:
        deadline = time.monotonic() + wait
        pause = 0.01
        while not lock.try_acquire():
            holder = lock.holder()
            command = held_by_command(holder)
            if command is None and holder and past_an_editor:
                break
            # an empty note: the holder is letting go (it empties the note first), or could not write one
            if (command is None and holder) or time.monotonic() >= deadline:
                raise DraftHeld(store_id, holder, command)
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
        yield
    finally:
        lock.close()


def command_name(command: str) -> str:
    """A lock note's command line, short: `o2o console` for `/usr/bin/python3 /usr/local/bin/o2o console`."""
    parts = command.split()
    for index, part in enumerate(parts):
        if Path(part).name in ("o2o", "o2o_tui"):
            parts = ["o2o", *parts[index + 1 :]]
            break
    shown = " ".join(parts) or "?"
    return safe_text(shown if len(shown) <= 60 else shown[:59] + "…", one_line=True)


def holder_text(holder: Mapping[str, object], zone: tzinfo = UTC) -> str:
    """Who holds a draft, for a person: `o2o console (process 4242 on counter-1, since 12:30)`; `zone`: the
    store's, for the time."""
    pid = holder.get("pid")
    if not isinstance(pid, int):
        return t("menu_draft.holder_unknown")
    since = "?"
    with contextlib.suppress(TypeError, ValueError):
        since = datetime.fromisoformat(str(holder.get("since"))).astimezone(zone).strftime("%H:%M")
    host = safe_text(str(holder.get("host") or "?"), one_line=True)
    return t("menu_draft.holder", command=command_name(str(holder.get("command") or "")), pid=pid, host=host, since=since)


def _queued_publishes(cache: Any, store_id: str) -> list[Menu]:
    """The menus this device's publishes of the store still in the outbox send, oldest first."""
    menus = []
    for entry in cache.outbox.pending():
        if entry.action == PUBLISH and entry.target == store_id:
            with contextlib.suppress(msgspec.ValidationError, msgspec.DecodeError):
                menus.append(msgspec.json.decode(entry.body, type=Menu))
    return menus


def with_queued_content(cache: Any, menu: Menu) -> Menu:
    """`menu` (the cached one, at its version) with the content of this device's last publish of the store still
    queued, keeping the cached availability: what a new draft starts from, so that its publish holds the queued
    one's edits and follows it (sync/linked.py) instead of undoing them."""
    queued = _queued_publishes(cache, menu.store_id)
    if not queued:
        return menu
    sent = queued[-1]
    items = {item.id: item for category in menu.categories for item in category.items}
    options = {option.id: option for group in menu.option_groups for option in group.options}

    def live(entity: Any, known: dict[str, Any]) -> Any:
        now = known.get(entity.id)
        if now is None:
            return entity
        return msgspec.structs.replace(entity, status=now.status, snooze_until=now.snooze_until)

    return msgspec.structs.replace(
        menu,
        currency=sent.currency,
        categories=[
            msgspec.structs.replace(c, items=[live(i, items) for i in c.items]) for c in sent.categories
        ],
        option_groups=[
            msgspec.structs.replace(g, options=[live(o, options) for o in g.options]) for g in sent.option_groups
        ],
    )


def _queued_patches(cache: Any, store_id: str) -> list[tuple[AvailabilityKind, str, dict[str, Any]]]:
    """(kind, id, the availability fields of its body) of this device's item/option PATCHes of the store still in
    the outbox that change availability (a hide alone is none), oldest first."""
    kinds: dict[str, AvailabilityKind] = {PATCH_ACTION["item"]: "item", PATCH_ACTION["option"]: "option"}
    found: list[tuple[AvailabilityKind, str, dict[str, Any]]] = []
    for entry in cache.outbox.pending():
        kind = kinds.get(entry.action)
        store, _, entity_id = entry.target.partition("/")
        if kind is None or store != store_id:
            continue
        try:
            body = msgspec.json.decode(entry.body)
        except (msgspec.DecodeError, TypeError):
            continue
        fields = {k: body[k] for k in ("status", "snooze_until", "clear_snooze") if isinstance(body, dict) and body.get(k)}
        if fields:
            found.append((kind, entity_id, fields))
    return found


def queued_availability(cache: Any, store_id: str) -> set[tuple[AvailabilityKind, str]]:
    """(kind, id) of each item and option whose availability this device changed and has not sent yet: the
    cached menu shows the change (`current_menu`) at the version it had before it, so a sheet exported at that
    version may be older than the change."""
    return {(kind, entity_id) for kind, entity_id, _ in _queued_patches(cache, store_id)}


def queued_hides(cache: Any, store_id: str) -> set[tuple[AvailabilityKind, str]]:
    """(kind, id) of each item and option this device hid or showed and has not sent yet: the cached menu shows
    it (`current_menu`) at the version it had before, so a sheet's `hidden` cell of that version may be older."""
    kinds: dict[str, AvailabilityKind] = {PATCH_ACTION["item"]: "item", PATCH_ACTION["option"]: "option"}
    found: set[tuple[AvailabilityKind, str]] = set()
    for entry in cache.outbox.pending():
        kind = kinds.get(entry.action)
        store, _, entity_id = entry.target.partition("/")
        if kind is None or store != store_id:
            continue
        with contextlib.suppress(msgspec.DecodeError, TypeError):
            body = msgspec.json.decode(entry.body)
            if isinstance(body, dict) and body.get("hidden") is not None:
                found.add((kind, entity_id))
    return found


EXPORTS_KEPT = 8  # the menus `o2o menu export` wrote, kept per store (`keep_export`)


def _export_path(cache: Any, store_id: str, version: int) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in store_id)[:100]
    return Path(cache.directory) / "menu-exports" / f"{safe}-v{version}.json"


def keep_export(cache: Any, menu: Menu) -> None:
    """The menu an export wrote, kept beside the cache (the last `EXPORTS_KEPT` of its store; a menu has no
    personal data): an import of that file then knows what each of its cells said (`exported_menu`), so a cell
    left as exported never undoes a change made since, and a cell a person changed is theirs. Best effort: an
    export is not stopped by a full disk here (the import then keeps what it cannot tell, and says so)."""
    from offline_cache.errors import CacheError
    from offline_cache.storage import atomic_write

    path = _export_path(cache, menu.store_id, menu.version)
    with contextlib.suppress(OSError, CacheError):
        path.parent.mkdir(mode=0o700, exist_ok=True)
        atomic_write(path, msgspec.json.encode(menu))
        older = sorted(path.parent.glob(path.name.rsplit("-v", 1)[0] + "-v*.json"), key=lambda p: p.stat().st_mtime)
        for stale in older[:-EXPORTS_KEPT]:
            stale.unlink(missing_ok=True)


def exported_menu(cache: Any, store_id: str, version: int) -> Menu | None:
    """The menu this device exported at `version` (`keep_export`), None when it has none (exported elsewhere, or
    long ago)."""
    try:
        menu = msgspec.json.decode(_export_path(cache, store_id, version).read_bytes(), type=Menu)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        return None
    return menu if menu.store_id == store_id and menu.version == version else None


def with_queued_availability(cache: Any, draft: MenuDraft) -> MenuDraft:
    """`draft` with this device's availability changes still queued (a sold-out made offline) in its base and its
    menu, as the cached menu shows them: a draft saved before them (an earlier import's, queued) must not carry
    the item as it was into what is built on it, as a hide made at once is kept in it (cli/menu.py
    `keep_hidden_in_draft`). Availability is no content: the draft's edits stay what they were."""
    base, menu = draft.base, draft.menu
    for kind, entity_id, fields in _queued_patches(cache, draft.store_id):
        base = apply_patch(base, kind, entity_id, fields)
        menu = apply_patch(menu, kind, entity_id, fields)
    if base is draft.base and menu is draft.menu:
        return draft
    return msgspec.structs.replace(draft, base=base, menu=menu)


def fresh_draft(cache: Any, menu: Menu) -> MenuDraft:
    """A new draft on the cached `menu` and what this device has queued on top of it."""
    return start(with_queued_content(cache, menu))


def queued_content(cache: Any, draft: MenuDraft) -> bool:
    """Whether a publish of the draft's store still in the outbox sends what the draft holds (its edits are on
    their way, not unsaved work)."""
    wanted = content_key(normalize(draft.menu))
    return any(content_key(normalize(sent)) == wanted for sent in _queued_publishes(cache, draft.store_id))


def unpublished_edits(cache: Any, draft: MenuDraft | None, published: Menu | None = None) -> bool:
    """Whether the saved `draft` holds a person's edits that nothing has sent yet: made in an editor (or by a
    version that did not say who), not published, not queued. An import must not publish them along with its
    rows. A draft whose content `published` (default: the cached menu) already holds has no edit left, whoever
    made it: its own publish went out since (one queued by an older version, which did not record that an import
    made the draft, and sent by this one), or the same edits were published elsewhere."""
    if draft is None or not is_dirty(draft) or draft.changed_by == IMPORT:
        return False
    live = published if published is not None else ReadModel(cache).menu(draft.store_id)
    if live is not None and content_key(normalize(draft.menu)) == content_key(normalize(live)):
        return False
    return not queued_content(cache, draft)


def unsent_import(cache: Any, draft: MenuDraft | None, published: Menu) -> list[Change]:
    """What the saved `draft` holds of an earlier import that neither `published` (the cached menu) nor this
    device's queued publishes carry ([] when nothing, or when the draft is not an import's): rows of an import
    whose publish the platform refused (kept to fix and publish again), or that never reached the outbox. A
    later import must not publish them along with its own rows."""
    if draft is None or draft.changed_by != IMPORT or not is_dirty(draft):
        return []
    expected = with_queued_content(cache, published)
    moved = rebase(msgspec.structs.replace(draft, menu=normalize(draft.menu)), expected)
    left = diff(expected, moved.draft.menu)
    # a collision is shown as theirs in the merged menu: not in the diff, and not published either
    left += [Change(kind="changed", entity=c.entity, id=c.id, name=c.name) for c in moved.conflicts]
    return left


# -- publish ----------------------------------------------------------------------------------------------------


class MenuTooBig(ValueError):
    """A publish whose request body would be larger than the platform accepts: refused before it is queued."""

    def __init__(self, size: int, limit: int, items: int) -> None:
        super().__init__(f"the menu's publish would be {size} bytes, the platform accepts at most {limit}")
        self.size = size
        self.limit = limit
        self.items = items

    def message(self) -> str:
        """For a person: how big, the limit, what to do, and that nothing was queued."""
        return t("menu.too_big", size=size_text(self.size), limit=size_text(self.limit), items=f"{self.items:,}")


def size_text(size: int) -> str:
    """`5.2 MB`, `300 KB` (1 MB = 1024 KB = 1,048,576 bytes, as the platform counts its limit)."""
    if size >= 1024 * 1024:
        return t("menu.size.mb", size=f"{size / (1024 * 1024):.1f}")
    return t("menu.size.kb", size=f"{max(1, round(size / 1024)):,}")


def publish_size(menu: Menu) -> int:
    """The bytes of the request body that publishes `menu` (the engine encodes it the same way)."""
    from o2o_tui.client.actions import encode_body

    return len(encode_body(PUBLISH, menu))


def check_publish_size(draft: MenuDraft, limit: int | None = None) -> None:
    """Raise `MenuTooBig` when publishing `draft` would send more than `limit` bytes (the platform's)."""
    chosen = REQUEST_BODY_MAX if limit is None else limit
    size = publish_size(publish_menu(draft))
    if size > chosen:
        items = sum(len(category.items) for category in draft.menu.categories)
        raise MenuTooBig(size, chosen, items)


def drop_queued_publishes(cache: Any, store_id: str) -> int | None:
    """Drop this device's publishes of the store still waiting in the outbox, with the availability changes riding
    with them (sync/linked.py: they go only if the publish does): what `o2o menu discard` drops with the draft.
    Done holding the profile's push lock, so no process is sending them meanwhile; None (nothing dropped) while
    another process holds it (an open console sending). Returns how many publishes were dropped."""
    if not any(e.action == PUBLISH and e.target == store_id for e in cache.outbox.pending()):
        return 0
    lock = getattr(cache, "push_lock", None)
    if lock is not None and not lock.try_acquire():
        return None
    try:
        return _drop_queued_publishes(cache, store_id)
    finally:
        if lock is not None:
            lock.release()


def _drop_queued_publishes(cache: Any, store_id: str) -> int:
    outbox = cache.outbox
    publishes = [e for e in outbox.pending() if e.action == PUBLISH and e.target == store_id]
    if not publishes:
        return 0
    versions = {e.base_version for e in publishes if e.base_version is not None}
    riders = [
        e.key
        for e in outbox.pending()
        if e.action in PATCH_ACTION.values()
        and e.target.partition("/")[0] == store_id
        and e.base_version is not None
        and e.base_version in versions
    ]
    keys = [e.key for e in publishes] + riders
    # the outbox drops entries only once settled: settled here as refused by the person, then dismissed
    outbox.mark_rejected_many({key: {"code": "discarded", "status": None} for key in keys})
    outbox.dismiss_many(keys)
    return len(publishes)



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

    check_publish_size(draft)
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
    `publish_outcome(cache, entry.key, draft)`). Raises `MenuTooBig` (nothing queued) for a menu too large."""
    check_publish_size(draft)
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
