"""An `OrderSource` on the sync engine: the cached snapshot with this device's queued actions on top.

Works offline: actions go to the durable outbox and show at once (marked pending); the engine pushes them when
the link is back. Every cache read runs on the cache's own thread, so the UI's event loop never waits on disk.
No Textual here.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import msgspec

from o2o_tui.courier_stage import CourierNote, courier_notes
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.store import Store
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from o2o_tui.sync import skipped as skips
from o2o_tui.sync.explain import action_label, explain, menu_entity_name
from o2o_tui.sync.model import Change, ChangeKind
from o2o_tui.sync.read_model import OrderView, ReadModel
from offline_cache.outbox import SCRIPT
from screens.source import (
    ActionRefused,
    ConflictView,
    LinkStatus,
    QueueEntry,
    SourceChange,
    Subscribers,
    link_from,
    parse_tap_time,
    split_held,
)


def _entry(view: OrderView, couriers: dict[str, CourierNote]) -> QueueEntry:
    courier_id = view.order.courier_id
    return QueueEntry(view.order, tuple(view.pending), couriers.get(courier_id) if courier_id else None)


def conflict_view(entry: Any, number: int | None, menu: Menu | None = None) -> ConflictView:
    """An outbox conflict (`offline_cache.outbox.OutboxEntry`) as the conflicts screen shows it; `menu` (the
    cached one) names the item or option of an item or option change."""
    reason = dict(entry.rejection or {})
    name = menu_entity_name(menu, entry.action, entry.target)
    stated = reason.get("order_number")
    if isinstance(stated, int):
        number = stated
    elif number is not None:
        reason["order_number"] = number  # the explanation names the order as the queue does
    order_id = entry.target.split("/")[0] if entry.action.startswith(("order.", "delivery.")) else None
    return ConflictView(
        key=entry.key,
        action=entry.action,
        action_label=action_label(entry.action),
        order_id=order_id,
        order_number=number,
        explanation=explain(reason, action=entry.action, target=entry.target, name=name, listed=True),
        tapped_at=parse_tap_time(entry.occurred_at),
        automatic=_automatic(entry),
        scripted=getattr(entry, "origin", "") == SCRIPT,
        code_tail=_code_tail(entry),
        menu_name=name,
    )


def _code_tail(entry: Any) -> str:
    """The last 4 characters of a refused voucher redemption's code: enough for the counter to tell which
    customer's code it was, not enough to redeem it."""
    if entry.action != "voucher.redeem":
        return ""
    try:
        body = msgspec.json.decode(entry.body)
    except msgspec.DecodeError:
        return ""
    code = body.get("code") if isinstance(body, dict) else None
    return safe_text(code[-4:], one_line=True) if isinstance(code, str) else ""


def _automatic(entry: Any) -> bool:
    """An accept the auto-accept station queued (its body says `auto`): nobody tapped it."""
    if entry.action != "order.confirm":
        return False
    try:
        body = msgspec.json.decode(entry.body)
    except msgspec.DecodeError:
        return False
    return isinstance(body, dict) and body.get("auto") is True


class _OwnSubmits:
    """The engine as this console's menu editor uses it: what it queues is this console's own (its refusals are
    toasted as the queue's are); everything else is the engine itself."""

    def __init__(self, engine: Any, mine: set[str]) -> None:
        self._engine = engine
        self._mine = mine

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    async def submit(self, *args: Any, **kwargs: Any) -> Any:
        entry = await self._engine.submit(*args, **kwargs)
        self._mine.add(str(entry.key))
        return entry


# the engine starts anyway after this long when a screen that said it would show the cache has not said so yet
FIRST_FRAME_WAIT_S = 10.0


class EngineOrderSource(Subscribers[SourceChange]):
    def __init__(self, engine: Any, cache: Any, client: Any, store_id: str) -> None:
        super().__init__()
        self._engine = engine
        self._cache = cache
        self._client = client
        self._store_id = store_id
        # the store as the platform sent it while the cache cannot be written (CANNOT SAVE): its badge stays true
        self._model = ReadModel(cache, unsaved=getattr(engine, "unsaved_docs", None))
        self._entries: dict[str, QueueEntry] = {}
        self._store: Store | None = None
        self._menu: Menu | None = None
        self._dirty_ids: set[str] = set()
        self._dirty_all = True
        self._dirty_store = True
        self._dirty_menu = True
        # the store's fleet as the cache has it (name, off duty): read again only when a courier changed
        self._couriers: dict[str, CourierNote] = {}
        self._dirty_couriers = True
        self._conflict_keys: set[str] = set()
        # the outbox entries this console queued (and the ones a console left waiting when it started): only their
        # refusals pop up as toasts; a script's refused `o2o redeem` is its own answer (exit 4) and listed under `!`
        self._mine: set[str] = set()
        self._conflicts: list[ConflictView] = []
        self._dirty_conflicts = True
        self._wake: asyncio.Event | None = None
        self._first_frame: asyncio.Event | None = None  # set by `hold_for_first_frame`
        self._unsubscribe = engine.subscribe(self._on_engine_change)

    # a screen showing the cache first
    def hold_for_first_frame(self) -> None:
        """A screen will show the cached orders: `run()` starts the engine (its HTTP client: httpx and a TLS
        context, ~0.2 s) only once `first_frame_shown()` is called, or after `FIRST_FRAME_WAIT_S`. Call it before
        `run()`; without it (headless) the engine starts at once."""
        self._first_frame = asyncio.Event()

    def first_frame_shown(self) -> None:
        """The frame showing the first picture (`SourceChange.first_picture`) is on the terminal (loop thread)."""
        if self._first_frame is not None:
            self._first_frame.set()

    # reading (from the snapshot kept in memory; never touches the cache on the caller's thread)
    def orders(self) -> list[QueueEntry]:
        return [entry for entry in self._entries.values() if not entry.held]

    def held(self) -> list[QueueEntry]:
        return split_held(self._entries.values())[1]

    def order(self, order_id: str) -> QueueEntry | None:
        return self._entries.get(order_id)

    def store(self) -> Store | None:
        return self._store

    def menu(self) -> Menu | None:
        return self._menu

    def link(self) -> LinkStatus:
        return link_from(self._engine.status())

    def conflicts(self) -> list[ConflictView]:
        return list(self._conflicts)

    def menu_source(self) -> Any:
        """The menu editor's source on this console's engine and cache (`screens/menu_source.py`)."""
        from screens.menu_source import EngineMenuSource

        return EngineMenuSource(_OwnSubmits(self._engine, self._mine), self._cache, self._store_id)

    # following the engine
    def _on_engine_change(self, change: Change) -> None:
        kind = str(change.kind)
        if kind == ChangeKind.STATUS:
            self._emit(SourceChange(link=True))
            if self._engine.status().conflicts != len(self._conflicts) and self._wake is not None:
                self._dirty_conflicts = True  # e.g. dismissed by `o2o conflicts dismiss` beside the console
                self._wake.set()
            return
        if kind == skips.CHANGE_KIND:  # entities left out: say each once
            for entry in self._engine.skipped():
                if entry.key in change.ids:
                    self._emit(SourceChange(message=skips.describe(entry)))
            return
        if kind == ChangeKind.ORDER:
            if change.ids:
                self._dirty_ids |= set(change.ids)
            else:
                self._dirty_all = True
        elif kind == ChangeKind.STORE:
            self._dirty_store = True
        elif kind == ChangeKind.MENU:
            self._dirty_menu = True
        elif kind == ChangeKind.COURIER:
            self._dirty_couriers = True
        elif kind == ChangeKind.CONFLICT:
            self._conflict_keys |= set(change.ids)
            self._dirty_conflicts = True
        else:
            return
        if self._wake is not None:
            self._wake.set()

    def _read_conflicts(self, menu: Menu | None = None) -> list[ConflictView]:
        """Runs on the cache thread: every refused action, named by its order's day number when cached (a menu
        item or option by its name in `menu`, by default the one shown)."""
        menu = menu if menu is not None else self._menu
        views = []
        for entry in sorted(self._cache.outbox.conflicts(), key=lambda entry: entry.seq):
            order_id = entry.target.split("/")[0]
            current = self._entries.get(order_id)
            number = current.order.number if current is not None else None
            views.append(conflict_view(entry, number, menu))
        return views

    def _read(
        self,
        full: bool,
        ids: set[str],
        store: bool,
        conflict_keys: set[str],
        menu: bool = False,
        conflicts: bool = False,
        couriers: bool = False,
    ) -> tuple[Any, ...]:
        """Runs on the cache thread: everything the refresh needs, in one go."""
        views = self._model.orders() if full else [self._model.order_by_id(i) for i in ids]
        found_ids = {view.order.id for view in views if view is not None}
        shop = self._model.store(self._store_id) if store else None
        card = self._model.menu(self._store_id) if menu else None
        messages = []
        for key in conflict_keys:
            entry = self._cache.outbox.get(key)
            if entry is not None and entry.rejection is not None:
                name = menu_entity_name(card or self._menu, entry.action, entry.target)
                messages.append(explain(entry.rejection, action=entry.action, target=entry.target, name=name))
        messages += self._model.take_unreadable()  # cached documents left out of this read
        # a new menu names the refused item and option changes anew (one refused before the menu was cached)
        refused = self._read_conflicts(card) if conflicts or menu else None
        notes = courier_notes(self._model.couriers()) if couriers else None
        return views, found_ids, shop, messages, card, refused, notes

    async def _refresh(self) -> None:
        full, ids, store = self._dirty_all, self._dirty_ids, self._dirty_store
        keys = self._conflict_keys & self._mine
        menu, self._dirty_menu = self._dirty_menu, False
        conflicts, self._dirty_conflicts = self._dirty_conflicts, False
        couriers, self._dirty_couriers = self._dirty_couriers, False
        self._dirty_all, self._dirty_ids, self._dirty_store, self._conflict_keys = False, set(), False, set()
        views, found_ids, shop, messages, card, refused, notes = await self._cache.call(
            self._read, full, ids, store, keys, menu, conflicts, couriers
        )
        moved: set[str] = set()  # orders whose courier now reads otherwise (e.g. it went off duty)
        if notes is not None and notes != self._couriers:
            old, self._couriers = self._couriers, notes
            for order_id, entry in self._entries.items():
                courier_id = entry.order.courier_id
                if courier_id and old.get(courier_id) != notes.get(courier_id):
                    self._entries[order_id] = msgspec.structs.replace(entry, courier=notes.get(courier_id))
                    moved.add(order_id)
        if full:
            before = set(self._entries)
            self._entries = {view.order.id: _entry(view, self._couriers) for view in views}
            changed = frozenset(before | set(self._entries))
        else:
            for view in views:
                if view is not None:
                    self._entries[view.order.id] = _entry(view, self._couriers)
            for gone in ids - found_ids:
                self._entries.pop(gone, None)
            changed = frozenset(ids | moved)
        if store:
            self._store = shop
        if menu:
            self._menu = card
        if changed or store or menu:
            self._emit(SourceChange(order_ids=changed, store=store, menu=menu))
        if refused is not None and refused != self._conflicts:
            self._conflicts = refused
            self._emit(SourceChange(link=True, conflicts=True))
        for message in messages:
            self._emit(SourceChange(message=message, link=True))

    async def _follow(self) -> None:
        """Re-read the cache after engine changes; a burst of changes becomes one read."""
        assert self._wake is not None
        while True:
            dirty = self._dirty_all or self._dirty_ids or self._dirty_store or self._dirty_menu
            dirty = dirty or self._dirty_couriers
            if dirty or self._conflict_keys or self._dirty_conflicts:
                await self._refresh()
            await self._wake.wait()
            self._wake.clear()

    async def run(self) -> None:
        from o2o_tui.device_settings import device_setting_warnings
        from o2o_tui.sync.session import cache_warning_texts

        for text in cache_warning_texts(self._cache):  # e.g. a corrupt cache set aside: say so once
            self._emit(SourceChange(message=text))
        for text in device_setting_warnings():  # O2O_PURGE_PERSONAL_HOURS=-1: the default is used, say so
            self._emit(SourceChange(message=text))
        self._wake = asyncio.Event()
        # what a console left waiting is this counter's own; a script's (`o2o ...`, maybe from cron) is not
        waiting = await self._cache.call(self._cache.outbox.pending)
        self._mine |= {entry.key for entry in waiting if entry.origin != SCRIPT}
        # the cached orders on screen first: the engine's start waits until a screen has shown them
        await self._refresh()
        self._emit(SourceChange(first_picture=True))
        if self._first_frame is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._first_frame.wait(), FIRST_FRAME_WAIT_S)
        # a client made on first use (o2o_tui/client/lazy.py) is made now, on a worker thread
        prepare = getattr(self._client, "prepare", None)
        if prepare is not None:
            await asyncio.to_thread(prepare)  # keys pressed meanwhile stay quick
        follower = asyncio.create_task(self._follow(), name="console-follow")
        try:
            await self._engine.run()
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower

    # acting
    async def submit(self, action: str, order_id: str, body: msgspec.Struct) -> None:
        current = self._entries.get(order_id)
        base = current.order.version if current else None
        if action == "store.hours" and self._store is not None:  # the hours the change was edited from
            from o2o_tui.store_hours import hours_tag  # loaded with the store screen, not for the first frame

            base = hours_tag(self._store)
        try:
            entry = await self._engine.submit(action, order_id, body, base_version=base)
        except Exception as error:  # a cache that cannot write: the action was not queued
            raise ActionRefused(t("ui.action.not_queued", error=str(error))) from None
        self._mine.add(str(entry.key))

    # the counter's code field (screens/redeem_screen.py) follows its own entry to the platform's answer
    async def submit_keyed(self, action: str, target: str, body: msgspec.Struct) -> str:
        """`submit` that answers the outbox entry's key, for a caller that follows its verdict (an accept, whose
        kitchen ticket waits for it; a voucher at the store, on no order)."""
        try:
            entry = await self._engine.submit(action, target, body)
        except Exception as error:  # a cache that cannot write: the action was not queued
            raise ActionRefused(t("ui.action.not_queued", error=str(error))) from None
        self._mine.add(str(entry.key))
        return str(entry.key)

    async def entry_state(self, key: str) -> tuple[bool, dict[str, Any] | None]:
        """(still waiting to be sent, the refusal's reason): (False, None) once the platform confirmed it."""
        entry = await self._cache.call(self._cache.outbox.get, key)
        if entry is None:
            return False, None
        return entry.rejection is None, dict(entry.rejection) if entry.rejection is not None else None

    async def accept_stood(self, key: str, order_id: str) -> bool | None:
        """Once the platform has answered this device's accept under `key` as done: whether it is the accept that
        stood (`Order.accept_key`), not another device's of the same minutes found there already. The answer is
        in the cache before its entry is marked done. None: the platform does not say (an older one)."""
        from o2o_tui.sync import tables

        doc = await self._cache.call(self._cache.table(tables.ORDERS).get, order_id)
        stood = doc.get("accept_key") if isinstance(doc, dict) else None
        return None if not isinstance(stood, str) else stood == key

    async def queued_entries(self) -> list[Any]:
        """The outbox entries still waiting for the platform's answer, any process's (a code scanned twice)."""
        return list(await self._cache.call(self._cache.outbox.pending))

    @property
    def client(self) -> Any:
        """The platform client (to ask a confirmed entry's answer again under its own key)."""
        return self._client

    async def dismiss_conflicts(self, keys: list[str] | None = None) -> int:
        """Through the outbox, as `o2o conflicts dismiss` does; the link's count and the list follow."""

        def dismiss() -> tuple[int, list[ConflictView]]:
            wanted = [entry.key for entry in self._cache.outbox.conflicts()] if keys is None else keys
            gone = sum(1 for key in wanted if self._cache.outbox.dismiss(key))
            return gone, self._read_conflicts()

        gone: int
        refused: list[ConflictView]
        gone, refused = await self._cache.call(dismiss)
        refresh = getattr(self._engine, "refresh_counts", None)  # the status line's count, now
        if refresh is not None:
            await refresh()
        if refused != self._conflicts:
            self._conflicts = refused
            self._emit(SourceChange(link=True, conflicts=True))
        return gone

    async def close(self) -> None:
        self._unsubscribe()
        self._engine.stop()
        with contextlib.suppress(Exception):
            await self._client.close()
        with contextlib.suppress(Exception):
            # Not on the cache's own thread: closing waits for that thread to finish.
            await asyncio.to_thread(self._cache.close)
