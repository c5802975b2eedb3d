"""Where the menu editor reads the menu and its draft, and sends availability changes and publishes.

One small interface (`MenuSource`), like the order queue's `OrderSource`: the editor does not care whether the
menu comes from the sync engine (cache + outbox + a durable draft, works offline) or from memory (snapshot tests,
layout work). Availability (`o`) never touches the draft: it is queued at once as a single item/option PATCH.

One editor at a time changes a store's draft: the engine's source takes the draft's lock when it reads it
(offline_cache/drafts.py) and keeps it until it closes; a second editor (another console's `m`, `o2o menu edit`)
opens read only, is told who has the draft (`draft_holder()`), and takes it over when it is free (`claim_draft()`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol
from zoneinfo import ZoneInfo

import msgspec

from o2o_tui import menu_draft
from o2o_tui.domain.hours import day_end
from o2o_tui.domain.menu import Availability, Item, Menu, Option
from o2o_tui.domain.store import Store
from o2o_tui.i18n import t
from screens.source import LinkState, Subscribers

if TYPE_CHECKING:
    from pathlib import Path

    from offline_cache.drafts import DraftLock
    from offline_cache.profile import CacheWarning
    from screens.menu_publish import PublishAnswer

AvailabilityKind = Literal["item", "option"]
PUBLISH_WAIT_S = 8.0  # how long the publish dialog waits for the platform's answer before saying "queued"


class Availabilities(enum.StrEnum):
    """What `o` sets: available, sold out until a time (snooze, "86"), unavailable (no restore time)."""

    AVAILABLE = "available"
    SOLD_OUT = "sold-out"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class MenuChange:
    menu: bool = False  # the published menu (or a pending availability change on it) changed
    draft: bool = False  # the draft changed outside this editor (another window, a CLI import)
    message: str | None = None  # translated and display-safe (a refused publish or availability change)


class MenuSource(Protocol):
    store_id: str

    def subscribe(self, callback: Callable[[MenuChange], None]) -> Callable[[], None]: ...

    async def load(self) -> None:
        """Read the menu, the store and the saved draft (off the event loop)."""
        ...

    def menu(self) -> Menu | None:
        """The published menu with this device's pending availability changes on top."""
        ...

    def store(self) -> Store | None: ...

    def draft(self) -> menu_draft.MenuDraft | None: ...

    def draft_holder(self) -> dict[str, object] | None:
        """None when this editor may change the draft; else who has it open (pid, host, command, since)."""
        ...

    async def claim_draft(self) -> bool:
        """Try again to take the draft (free now?); True: this editor may change it, its saved copy read again."""
        ...

    def release_draft(self) -> None:
        """Let another editor have the draft (the editor closes)."""
        ...

    async def save_draft(self, draft: menu_draft.MenuDraft) -> None:
        """Durably (a crash or a quit loses nothing)."""
        ...

    async def discard_draft(self) -> None: ...

    async def set_availability(
        self, kind: AvailabilityKind, entity_id: str, status: Availabilities, until: datetime | None
    ) -> None:
        """Queue one PATCH at once (never the draft)."""
        ...

    def link_state(self) -> LinkState:
        """The sync link now: whether what was just queued goes at once ("sent") or waits ("queued")."""
        ...

    async def publish(self, draft: menu_draft.MenuDraft) -> PublishAnswer:
        """Queue the publish (conditional on `draft.base.version`), push it, say what became of it (this is the
        `MenuPublisher` the publish dialog finds on the editor)."""
        ...

    async def latest_menu(self, newer_than: int, wait: float = 5.0) -> Menu | None:
        """The published menu once its version is above `newer_than` (after a 412), else what there is."""
        ...

    async def run(self) -> None:
        """Keep the data current until cancelled (a no-op when the console's engine already runs)."""
        ...

    async def close(self) -> None: ...


def patch_body(status: Availabilities, until: datetime | None) -> Any:
    """The `ItemPatchBody` (= `OptionPatchBody`) of one availability change."""
    from o2o_tui.domain.requests import ItemPatchBody

    if status is Availabilities.AVAILABLE:
        return ItemPatchBody(status=Availability.AVAILABLE, clear_snooze=True)
    if status is Availabilities.UNAVAILABLE:
        return ItemPatchBody(status=Availability.UNAVAILABLE, clear_snooze=True)
    return ItemPatchBody(status=Availability.AVAILABLE, snooze_until=until)


def with_availability(entity: Item | Option, status: Availabilities, until: datetime | None) -> Any:
    """`entity` with the availability `o` sets (for memory sources and items not published yet)."""
    if status is Availabilities.AVAILABLE:
        return msgspec.structs.replace(entity, status=Availability.AVAILABLE, snooze_until=None)
    if status is Availabilities.UNAVAILABLE:
        return msgspec.structs.replace(entity, status=Availability.UNAVAILABLE, snooze_until=None)
    return msgspec.structs.replace(entity, status=Availability.AVAILABLE, snooze_until=until)


def replace_availability(
    menu: Menu, kind: AvailabilityKind, entity_id: str, status: Availabilities, until: datetime | None
) -> Menu:
    """`menu` with one item's or option's availability changed (nothing else)."""
    if kind == "item":
        categories = [
            msgspec.structs.replace(
                category,
                items=[
                    with_availability(item, status, until) if item.id == entity_id else item
                    for item in category.items
                ],
            )
            for category in menu.categories
        ]
        return msgspec.structs.replace(menu, categories=categories)
    groups = [
        msgspec.structs.replace(
            group,
            options=[
                with_availability(option, status, until) if option.id == entity_id else option
                for option in group.options
            ],
        )
        for group in menu.option_groups
    ]
    return msgspec.structs.replace(menu, option_groups=groups)


def store_zone(store: Store | None) -> ZoneInfo:
    try:
        return ZoneInfo(store.timezone) if store else ZoneInfo("UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def end_of_store_day(store: Store | None, now: datetime) -> datetime:
    """When a sold-out without a time ends: the end of the store's day (`hours.day_end`, the CLI's rule too)."""
    zone = store_zone(store)
    weekly = store.opening_hours if store is not None else []
    exceptions = store.hours_exceptions if store is not None else []
    return day_end(now, zone, weekly, exceptions).astimezone(UTC)


def until_clock(store: Store | None, now: datetime, text: str) -> datetime | None:
    """HH:MM in store time as an instant; a time already past today means tomorrow. None: not a time."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not (hours.isdigit() and minutes.isdigit()) or len(minutes) != 2:
        return None
    hour, minute = int(hours), int(minutes)
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    zone = store_zone(store)
    local = now.astimezone(zone)
    moment = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if moment <= local:
        moment += timedelta(days=1)
    return moment.astimezone(UTC)


class MemoryMenuSource(Subscribers[MenuChange]):
    """A `MenuSource` in memory: availability changes apply at once, publishes are recorded."""

    def __init__(
        self, menu: Menu, *, store: Store | None = None, draft: menu_draft.MenuDraft | None = None
    ) -> None:
        super().__init__()
        self.store_id = menu.store_id
        self._menu = menu
        self._store = store
        self._draft = draft
        self.availability: list[tuple[str, str, Availabilities, datetime | None]] = []
        self.published: list[menu_draft.MenuDraft] = []
        self.holder: dict[str, object] | None = None  # another editor's lock note: read only
        self.link = LinkState.ONLINE

    async def load(self) -> None:
        return None

    def menu(self) -> Menu | None:
        return self._menu

    def store(self) -> Store | None:
        return self._store

    def draft(self) -> menu_draft.MenuDraft | None:
        return self._draft

    def draft_holder(self) -> dict[str, object] | None:
        return self.holder

    async def claim_draft(self) -> bool:
        return self.holder is None

    def release_draft(self) -> None:
        return None

    async def save_draft(self, draft: menu_draft.MenuDraft) -> None:
        self._draft = draft

    async def discard_draft(self) -> None:
        self._draft = None

    async def set_availability(
        self, kind: AvailabilityKind, entity_id: str, status: Availabilities, until: datetime | None
    ) -> None:
        self.availability.append((kind, entity_id, status, until))
        self._menu = replace_availability(self._menu, kind, entity_id, status, until)
        self._emit(MenuChange(menu=True))

    def link_state(self) -> LinkState:
        return self.link

    async def publish(self, draft: menu_draft.MenuDraft) -> PublishAnswer:
        from screens.menu_publish import PublishAnswer

        self.published.append(draft)
        self._menu = msgspec.structs.replace(menu_draft.publish_menu(draft), version=draft.base.version + 1)
        self._emit(MenuChange(menu=True))
        return PublishAnswer("published", version=self._menu.version)

    async def latest_menu(self, newer_than: int, wait: float = 5.0) -> Menu | None:
        return self._menu

    async def run(self) -> None:
        return None

    async def close(self) -> None:
        return None


class EngineMenuSource(Subscribers[MenuChange]):
    """A `MenuSource` on the sync engine and the profile's cache (the draft lives in the cache directory).

    Inside the merchant console it shares the console's engine and cache (`owns=False`: the console runs and
    closes them); `o2o menu edit` gives it its own (`owns=True`: `run()` runs the engine). Its own engine may be
    given as `connect`, a function that builds `(engine, client)`: reading the menu needs only the cache, so the
    HTTP client (httpcore, TLS: ~150 ms) is built on the cache's thread by `run()`, after the editor's first paint,
    or at the first action that needs the engine.
    """

    def __init__(
        self,
        engine: Any,
        cache: Any,
        store_id: str,
        *,
        client: Any = None,
        owns: bool = False,
        connect: Callable[[], tuple[Any, Any]] | None = None,
    ):
        super().__init__()
        self.store_id = store_id
        self._engine = engine
        self._cache = cache
        self._client = client
        self._owns = owns
        self._connect = connect
        self._connecting: asyncio.Future[Any] | None = None
        self._closed = False
        self._menu: Menu | None = None
        self._store: Store | None = None
        self._draft: menu_draft.MenuDraft | None = None
        self._keys: set[str] = set()  # outbox keys of this editor's publishes and patches
        self._lock: DraftLock | None = None  # the draft's lock, taken on the cache's thread as the draft is read
        self._holder: dict[str, object] | None = None  # who has the draft when this editor could not take it
        self.draft_error: Exception | None = None  # the drafts file cannot be read: left as it is, nothing changed
        self.draft_unreadable: CacheWarning | None = None  # this store's draft no longer decodes (`_read`)
        self.draft_copy: Path | None = None  # where the last save copied that unreadable draft before replacing it
        self._loop: asyncio.AbstractEventLoop | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._prefetched: concurrent.futures.Future[Any] | None = None
        # inside the console its engine toasts the refusals of what this editor queues (screens/engine_source.py's
        # `_OwnSubmits`): this source saying them too would toast each one twice
        self._refusals_said_elsewhere = _console_says_refusals(engine)
        if engine is not None:
            self._unsubscribe = engine.subscribe(self._on_engine_change)

    async def engine(self) -> Any:
        """The sync engine, built (once, in a thread) by `connect` when it was not given."""
        if self._engine is not None:
            return self._engine
        if self._connect is None:
            raise RuntimeError("an EngineMenuSource needs an engine or a way to connect one")
        if self._connecting is None:
            # on the cache's thread: the engine reads the cache as it starts (one thread per cache)
            self._connecting = asyncio.ensure_future(self._cache.call(self._connect))
        engine, client = await asyncio.shield(self._connecting)
        if self._engine is None:
            self._engine, self._client = engine, client
            self._unsubscribe = engine.subscribe(self._on_engine_change)
        return self._engine

    # reading
    def prefetch(self) -> None:
        """Start reading the menu, the store and the draft on the cache's thread now (while Textual starts);
        `load()` takes what it read."""
        if self._prefetched is None:
            self._prefetched = self._cache.executor.submit(self._read_claimed)

    def _read(self) -> tuple[Menu | None, Store | None, menu_draft.MenuDraft | None]:
        from o2o_tui.menu_service import fresh_draft
        from o2o_tui.sync.read_model import ReadModel
        from offline_cache.drafts import CorruptDraftsError, DraftStore

        model = ReadModel(self._cache)  # the cached menu with pending availability changes on top
        menu = model.menu(self.store_id)
        try:
            drafts = DraftStore(self._cache)
            draft = drafts.load(self.store_id)
            self.draft_error = None
        except CorruptDraftsError as error:  # left as it is (it may hold edits): the editor says so, changes nothing
            self.draft_error = error
            return menu, model.store(self.store_id), None
        # this store's draft no longer decodes (another version wrote it): the editor starts afresh and says so;
        # the first save copies it aside before replacing it (`DraftStore.save`, `draft_copy`)
        self.draft_unreadable = next(
            (warning for warning in drafts.warnings if warning.code == "draft_unreadable"), None
        )
        if draft is None and menu is not None:
            fresh = fresh_draft(self._cache, menu)  # on top of what this device queued, so its publish follows
            draft = None if fresh.base is menu else fresh
        return menu, model.store(self.store_id), draft

    def _read_claimed(self) -> tuple[Menu | None, Store | None, menu_draft.MenuDraft | None]:
        """`_read`, having taken the draft's lock first (or noted who has it)."""
        self._take_lock()
        return self._read()

    def _take_lock(self) -> None:
        """On the cache's thread: take the draft's lock, or note who has it."""
        from o2o_tui.menu_service import draft_lock

        if self._closed:
            return
        if getattr(self._cache, "read_only", False):
            self._holder = {}
            return
        if self._lock is None:
            self._lock = draft_lock(self._cache, self.store_id)
        self._holder = None if self._lock.try_acquire() else self._lock.holder()

    def draft_holder(self) -> dict[str, object] | None:
        return self._holder

    async def claim_draft(self) -> bool:
        if self._holder is None:
            return True
        if self._cache.closed:
            return False
        self._menu, self._store, self._draft = await self._cache.call(self._read_claimed)
        return self._holder is None

    def release_draft(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.close()

    def load_ready(self) -> bool:
        """Take what `prefetch()` read if it is done (called on the event loop): the editor's first frame can
        then show the menu, with no worker and no frame in between. False: `await load()`."""
        prefetched = self._prefetched
        if prefetched is None or not prefetched.done() or prefetched.exception() is not None:
            return False
        self._loop = asyncio.get_running_loop()
        self._prefetched = None
        self._menu, self._store, self._draft = prefetched.result()
        return True

    async def load(self) -> None:
        self._loop = asyncio.get_running_loop()
        prefetched, self._prefetched = self._prefetched, None
        if prefetched is not None:
            self._menu, self._store, self._draft = await asyncio.wrap_future(prefetched)
        else:
            self._menu, self._store, self._draft = await self._cache.call(self._read_claimed)

    def menu(self) -> Menu | None:
        return self._menu

    def store(self) -> Store | None:
        return self._store

    def draft(self) -> menu_draft.MenuDraft | None:
        return self._draft

    # following the engine (callbacks may come from any thread: hop onto the loop before reading)
    def _on_engine_change(self, change: Any) -> None:
        kind = str(change.kind)
        if kind in ("menu", "store"):
            self._later(self._reload())
        elif kind == "conflict" and set(change.ids) & self._keys and not self._refusals_said_elsewhere:
            self._later(self._explain(set(change.ids) & self._keys))

    def _later(self, job: Any) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            job.close()
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            loop.create_task(job)
        else:
            asyncio.run_coroutine_threadsafe(job, loop)

    async def _reload(self) -> None:
        if self._cache.closed:
            return
        menu, store, _draft = await self._cache.call(self._read)
        self._menu, self._store = menu, store
        self._emit(MenuChange(menu=True))

    async def _explain(self, keys: set[str]) -> None:
        from o2o_tui.sync.explain import explain, menu_entity_name

        for key in keys:
            entry = await self._cache.call(self._cache.outbox.get, key)
            if entry is not None and entry.rejection is not None:
                name = menu_entity_name(self._menu, entry.action, entry.target)  # its name, not its id
                text = explain(entry.rejection, action=entry.action, target=entry.target, name=name)
                self._emit(MenuChange(menu=True, message=text))

    # writing
    def _check_holder(self) -> None:
        if self._holder is not None:
            from o2o_tui.menu_service import DraftHeld

            raise DraftHeld(self.store_id, self._holder)

    async def save_draft(self, draft: menu_draft.MenuDraft) -> None:
        from o2o_tui.menu_service import EDITOR
        from offline_cache.drafts import DraftStore

        self._check_holder()  # never written under another editor
        draft = msgspec.structs.replace(draft, changed_by=EDITOR)
        kept = await self._cache.call(DraftStore(self._cache).save, draft)
        self._draft = draft
        if kept is not None:  # the unreadable draft it replaced, copied aside first: the editor says where
            self.draft_copy = kept
            self.draft_unreadable = None

    async def discard_draft(self) -> None:
        from offline_cache.drafts import DraftStore

        self._check_holder()
        store = DraftStore(self._cache)
        await self._cache.call(store.discard, self.store_id)
        self._draft = None
        if store.copied is not None:  # an unreadable draft it dropped, copied aside first: the editor says where
            self.draft_copy = store.copied
            self.draft_unreadable = None

    async def set_availability(
        self, kind: AvailabilityKind, entity_id: str, status: Availabilities, until: datetime | None
    ) -> None:
        action = "menu.item.patch" if kind == "item" else "menu.option.patch"
        engine = await self.engine()
        entry = await engine.submit(action, f"{self.store_id}/{entity_id}", patch_body(status, until))
        self._keys.add(entry.key)
        if self._menu is not None:  # shown at once; the engine's read of the cache agrees (pending intents)
            self._menu = replace_availability(self._menu, kind, entity_id, status, until)

    def link_state(self) -> LinkState:
        if self._engine is None:  # `o2o menu edit` before its engine is built: nothing has answered yet
            return LinkState.CONNECTING
        return LinkState(str(self._engine.status().state))

    async def publish(self, draft: menu_draft.MenuDraft, wait: float = PUBLISH_WAIT_S) -> PublishAnswer:
        from o2o_tui.menu_service import MenuTooBig, check_publish_size
        from screens.menu_publish import PublishAnswer

        try:  # larger than the platform takes: said, nothing queued (it would be refused whatever is tried)
            check_publish_size(draft)
        except MenuTooBig as too_big:
            return PublishAnswer("refused", message=too_big.message())
        body = menu_draft.publish_menu(draft)
        engine = await self.engine()
        entry = await engine.submit("menu.publish", self.store_id, body, base_version=draft.base.version)
        self._keys.add(entry.key)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            current = await self._cache.call(self._cache.outbox.get, entry.key)
            if current is None:  # sent and applied: the answer is in the cache
                await self._reload()
                version = self._menu.version if self._menu else draft.base.version + 1
                return PublishAnswer("published", version=version)
            if current.rejection is not None:
                reason = dict(current.rejection)
                if reason.get("status") == 412 or reason.get("code") in (
                    "stale_version",
                    "precondition_failed",
                ):
                    found = reason.get("current_version")
                    return PublishAnswer("conflict", version=found if isinstance(found, int) else None)
                from o2o_tui.sync.explain import explain

                return PublishAnswer(
                    "refused", message=explain(reason, action=current.action, target=current.target)
                )
            state = str(engine.status().state)
            if state in ("OFFLINE", "UNAUTHORIZED") or loop.time() > deadline:
                not_storing = state == "NOT_STORING"  # answering, not storing: its own words, not "offline"
                return PublishAnswer("queued", message=engine.status().last_error, not_storing=not_storing)
            await asyncio.sleep(0.05)

    async def latest_menu(self, newer_than: int, wait: float = 5.0) -> Menu | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        await self._reload()
        while (self._menu is None or self._menu.version <= newer_than) and loop.time() < deadline:
            await asyncio.sleep(0.1)
            await self._reload()
        return self._menu

    async def run(self) -> None:
        if self._owns:
            engine = await self.engine()
            if not self._closed:
                await engine.run()

    async def close(self) -> None:
        self._closed = True
        self.release_draft()
        if self._unsubscribe is not None:
            self._unsubscribe()
        if not self._owns:
            return
        if self._engine is None and self._connecting is not None:  # built while closing: close it too
            with contextlib.suppress(Exception):
                await self.engine()
        if self._engine is not None:
            self._engine.stop()
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.close()
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self._cache.close)


def _console_says_refusals(engine: Any) -> bool:
    """Whether `engine` is the console's, which toasts the refusals of what it queues."""
    if engine is None:  # `o2o menu edit`: its own engine, built later; nothing else says its refusals
        return False
    from screens.engine_source import _OwnSubmits

    return isinstance(engine, _OwnSubmits)


def source_for_profile(profile: Any) -> EngineMenuSource:
    """The menu source of `o2o menu edit`: the profile's cache, already reading the menu on its thread, and a sync
    engine it runs itself (built after the first paint: showing the menu needs the cache, not the HTTP client).
    No Textual here: `o2o menu edit` opens this first, then imports Textual while the menu is read."""
    from o2o_tui.sync.session import open_cache

    if not profile.store_id:
        raise ValueError("a merchant profile with a store is needed")
    cache = open_cache(profile)

    def connect() -> tuple[Any, Any]:
        from o2o_tui.sync.session import make_client, make_engine

        client = make_client(profile)
        return make_engine(profile, cache, client), client

    source = EngineMenuSource(None, cache, profile.store_id, owns=True, connect=connect)
    source.prefetch()
    return source


def failure_text(error: Exception) -> str:
    """A queueing failure (a cache that cannot write) as a sentence."""
    return t("menu_editor.error.not_queued", error=str(error))
