"""The courier handheld's view of the world, on the sync engine: its deliveries and its own courier record,
with this device's queued actions applied on top, and the platform's refusals explained per delivery.

Works offline like the merchant source: actions go to the durable outbox (with the tap time) and show at once as
queued; the engine pushes them exactly once when the link is back. Every cache read runs on the cache's thread.
No Textual here.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from o2o_tui.courier_tasks import route_order
from o2o_tui.domain.fleet import Courier, CourierStatus, Delivery
from o2o_tui.i18n import t
from o2o_tui.sync import skipped as skips
from o2o_tui.sync import tables
from o2o_tui.sync.explain import explain
from o2o_tui.sync.model import Change, ChangeKind
from o2o_tui.sync.read_model import ReadModel
from screens.source import ActionRefused, LinkState, LinkStatus, Subscribers, link_from

_DUTY_ACTION = "courier.state"


@dataclass(frozen=True, slots=True)
class CourierChange:
    """What moved: delivery ids whose task changed, the courier record, the link, or a refusal to show."""

    delivery_ids: frozenset[str] = frozenset()
    courier: bool = False
    link: bool = False
    refused: tuple[tuple[str, str], ...] = ()  # (delivery id or "", explanation) in the user's language
    notices: tuple[tuple[str, str], ...] = ()  # ("", text): something left out of the view, said once


@dataclass(frozen=True, slots=True)
class TaskView:
    delivery: Delivery
    pending: tuple[str, ...] = ()  # queued actions not yet confirmed by the platform
    refusal: str | None = None  # the last refused action on it, explained


@dataclass(slots=True)
class _Snapshot:
    tasks: dict[str, TaskView] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    courier: Courier | None = None
    duty_pending: CourierStatus | None = None


def _pending_duty(entries: list[Any]) -> CourierStatus | None:
    wanted = None
    for entry in entries:
        if entry.action == _DUTY_ACTION:
            status = msgspec.json.decode(entry.body).get("status")
            wanted = CourierStatus(status) if status else wanted
    return wanted


Connect = Callable[
    [], tuple[Any, Any]
]  # builds (engine, client); slow (httpx, TLS setup), so not on the start path


class CourierSource(Subscribers[CourierChange]):
    """Shows the cached tasks first; `connect` (the platform client and the sync engine) runs after that, off the
    event loop, so the first task is on screen before the network stack has even been imported."""

    def __init__(self, cache: Any, courier_id: str, connect: Connect) -> None:
        super().__init__()
        self._cache = cache
        self._connect = connect
        self._engine: Any = None
        self._client: Any = None
        self._connected: asyncio.Event | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.courier_id = courier_id
        self._model = ReadModel(cache)
        self._snapshot = _Snapshot()
        self._link_before_engine = LinkStatus(LinkState.CONNECTING)
        self._engine_reported = False  # until the engine's first status: CONNECTING, with the queue on disk
        self._refusals: dict[str, str] = {}
        self._dirty = True
        self._conflict_keys: set[str] = set()
        self._wake: asyncio.Event | None = None

    # reading (from memory; never touches disk on the caller's thread)
    def tasks(self) -> list[TaskView]:
        return [self._snapshot.tasks[i] for i in self._snapshot.order if i in self._snapshot.tasks]

    def task(self, delivery_id: str) -> TaskView | None:
        return self._snapshot.tasks.get(delivery_id)

    def courier(self) -> Courier | None:
        return self._snapshot.courier

    def on_duty(self) -> bool | None:
        """On or off duty (a queued change counts), or None before the courier's record was ever synced."""
        wanted = self._snapshot.duty_pending
        if wanted is not None:
            return wanted is not CourierStatus.OFFLINE
        courier = self._snapshot.courier
        return None if courier is None else courier.status is not CourierStatus.OFFLINE

    def link(self) -> LinkStatus:
        if self._engine is None or not self._engine_reported:
            return self._link_before_engine  # connecting: what an earlier run saw is no news of the link
        return link_from(self._engine.status())

    # following the engine
    def _on_engine_change(self, change: Change) -> None:
        kind = str(change.kind)
        if kind == ChangeKind.STATUS:
            self._engine_reported = True
            self._emit(CourierChange(link=True))
            return
        if kind == skips.CHANGE_KIND:  # entities left out: say each once
            notes = tuple(("", skips.describe(e)) for e in self._engine.skipped() if e.key in change.ids)
            self._emit(CourierChange(notices=notes))
            return
        if kind == ChangeKind.CONFLICT:
            self._conflict_keys |= set(change.ids)
        elif kind in (ChangeKind.DELIVERY, ChangeKind.COURIER):
            self._dirty = True
        else:
            return
        if self._wake is not None:
            self._wake.set()

    def _read(self, conflict_keys: Iterable[str] | None) -> tuple[_Snapshot, list[tuple[str, str]]]:
        """Runs on the cache thread: the whole (small) courier world in one go."""
        if not self._engine_reported:
            last = self._cache.meta_get(tables.META_LAST_SYNC_AT, None)
            last_at = None
            if isinstance(last, str):
                with contextlib.suppress(ValueError):
                    last_at = datetime.fromisoformat(last.replace("Z", "+00:00"))
            self._link_before_engine = LinkStatus(
                LinkState.CONNECTING, pending=len(self._cache.outbox.pending()), last_sync_at=last_at
            )
        refused = []
        if conflict_keys is None:  # at start: the refusals still in the conflicts list, oldest first
            conflict_keys = [e.key for e in self._cache.outbox.conflicts()]
        for key in conflict_keys:
            entry = self._cache.outbox.get(key)
            if entry is not None and entry.rejection is not None:
                target = entry.target.split("/")[0] if entry.action.startswith("delivery.") else ""
                refused.append((target, explain(entry.rejection, action=entry.action, target=entry.target)))
        pending: dict[str, list[str]] = {}
        for entry in self._cache.outbox.pending():
            pending.setdefault(entry.target.split("/")[0], []).append(entry.action)
        snapshot = _Snapshot()
        deliveries = [d for d in self._model.deliveries() if d.courier_id == self.courier_id]
        for delivery in route_order(deliveries, include_ended=True):
            snapshot.order.append(delivery.id)
            snapshot.tasks[delivery.id] = TaskView(delivery, tuple(pending.get(delivery.id, ())))
        snapshot.courier = next((c for c in self._model.couriers() if c.id == self.courier_id), None)
        snapshot.duty_pending = _pending_duty(self._cache.outbox.pending_for(self.courier_id))
        return snapshot, refused

    def prime(self) -> None:
        """Read the cached tasks now (on the cache's thread, waiting for it), so the first frame shows them."""
        snapshot, refused = self._cache.executor.submit(self._read, None).result()
        self._refusals.update((delivery_id, text) for delivery_id, text in refused if delivery_id)
        for delivery_id, view in snapshot.tasks.items():
            snapshot.tasks[delivery_id] = TaskView(
                view.delivery, view.pending, self._refusals.get(delivery_id)
            )
        self._snapshot = snapshot
        self._dirty = False

    async def _refresh(self) -> None:
        keys, self._conflict_keys = self._conflict_keys, set()
        self._dirty = False
        snapshot, refused = await self._cache.call(self._read, keys)
        for delivery_id, text in refused:
            if delivery_id:
                self._refusals[delivery_id] = text
        changed = set()
        for delivery_id, view in snapshot.tasks.items():
            view = TaskView(view.delivery, view.pending, self._refusals.get(delivery_id))
            snapshot.tasks[delivery_id] = view
            if self._snapshot.tasks.get(delivery_id) != view:
                changed.add(delivery_id)
        changed |= set(self._snapshot.tasks) - set(snapshot.tasks)
        courier_changed = (snapshot.courier, snapshot.duty_pending) != (
            self._snapshot.courier,
            self._snapshot.duty_pending,
        )
        order_changed = snapshot.order != self._snapshot.order
        self._snapshot = snapshot
        notices = tuple(("", text) for text in self._model.take_unreadable())  # cached copies left out
        if changed or courier_changed or order_changed or refused or notices:
            self._emit(
                CourierChange(
                    delivery_ids=frozenset(changed),
                    courier=courier_changed or order_changed,
                    refused=tuple(refused),
                    notices=notices,
                )
            )

    async def _follow(self) -> None:
        assert self._wake is not None
        while True:
            if self._dirty or self._conflict_keys:
                await self._refresh()
            await self._wake.wait()
            self._wake.clear()

    async def run(self) -> None:
        self._wake = asyncio.Event()
        self._connected = asyncio.Event()
        follower = asyncio.create_task(self._follow(), name="courier-follow")
        try:
            await asyncio.sleep(0)  # the cached tasks are read first
            self._engine, self._client = await asyncio.to_thread(self._connect)
            self._unsubscribe = self._engine.subscribe(self._on_engine_change)
            self._connected.set()
            self._emit(CourierChange(link=True))
            await self._engine.run()
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower

    # acting
    async def submit(self, action: str, target: str, body: msgspec.Struct) -> None:
        """Queue `action` durably; raises `ActionRefused` when it could not even be queued."""
        current = self._snapshot.tasks.get(target)
        if current is not None:
            self._refusals.pop(target, None)
        if self._connected is not None and self._engine is None:
            await self._connected.wait()  # a tap in the first moment waits for the engine that queues it
        if self._engine is None:
            raise ActionRefused(t("ui.action.not_queued", error="not connected"))
        try:
            await self._engine.submit(
                action, target, body, base_version=current.delivery.version if current else None
            )
        except Exception as error:  # a cache that cannot write: the action was not queued
            raise ActionRefused(t("ui.action.not_queued", error=str(error))) from None

    async def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._engine is not None:
            self._engine.stop()
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.close()
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self._cache.close)
