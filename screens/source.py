"""Where the merchant console gets its orders.

One small interface, so the screens do not care whether orders come from the sync engine (cache + outbox,
works offline) or straight from the platform client (a fallback that needs the link). No Textual here.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Generic, Protocol, TypeVar

import msgspec

from o2o_tui.courier_stage import CourierNote
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import Order
from o2o_tui.domain.schedule import held_by_time, is_held
from o2o_tui.domain.store import Store
from o2o_tui.sync.model import SyncStatus

ChangeT = TypeVar("ChangeT")


class LinkState(enum.StrEnum):
    """The sync engine's states (`o2o_tui.sync.model.SyncState`), for the screens."""

    CONNECTING = "CONNECTING"  # no answer yet since start
    ONLINE = "ONLINE"
    OFFLINE = "OFFLINE"
    RESYNCING = "RESYNCING"
    UNAUTHORIZED = "UNAUTHORIZED"  # the platform refused the token: log in again
    NOT_STORING = "NOT_STORING"  # the platform answers but cannot store changes now: actions wait, retried
    STORAGE_DOWN = "STORAGE_DOWN"  # the platform answers but cannot reach its storage: nothing new arrives
    CANNOT_SAVE = "CANNOT_SAVE"  # this device cannot write its cache (disk full): new orders may not show here


class LinkStatus(msgspec.Struct, frozen=True):
    state: LinkState
    pending: int = 0  # actions queued on this device, not yet confirmed by the platform
    conflicts: int = 0
    last_sync_at: datetime | None = None
    error: str | None = None  # why the link is down, when known (display-safe)
    save_fault: str | None = None  # CANNOT_SAVE's cause: "disk_full", or another cache error's code
    # actions wait on this device while the platform does not take them (its outbox); False without the cache
    # (`o2o console --no-cache`): nothing is queued, so no refusal or outage is said to keep a queue
    queues: bool = True


class Subscribers(Generic[ChangeT]):
    """What every source shares: callbacks to tell of changes (called from any thread, in subscription order)."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[ChangeT], None]] = []

    def subscribe(self, callback: Callable[[ChangeT], None]) -> Callable[[], None]:
        """Call `callback(change)` on every change; returns the function that unsubscribes."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def _emit(self, change: ChangeT) -> None:
        for listener in list(self._listeners):  # a copy: a listener may unsubscribe while it is called
            listener(change)


def parse_tap_time(text: object) -> datetime | None:
    """An outbox entry's `occurred_at` (ISO 8601) as a datetime; None when absent or unreadable."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def link_from(status: SyncStatus) -> LinkStatus:
    """The link line's view of the sync engine's status."""
    return LinkStatus(
        LinkState(str(status.state)),
        pending=status.pending,
        conflicts=status.conflicts,
        last_sync_at=status.last_sync_at,
        error=status.last_error,
        save_fault=status.save_fault,
    )


class QueueEntry(msgspec.Struct, frozen=True):
    order: Order
    pending: tuple[str, ...] = ()  # queued action names applied locally, not yet confirmed
    courier: CourierNote | None = None  # the order's courier, when the source knows it

    @property
    def held(self) -> bool:
        """A scheduled order waiting for its prep start (`o2o_tui/domain/schedule.py`): in `held()`, the
        scheduled view (`t`), not in `orders()` (the live queue, its rings)"""
        return is_held(self.order)


def split_held(entries: Iterable[QueueEntry]) -> tuple[list[QueueEntry], list[QueueEntry]]:
    """(live, held): the held ones soonest promised time first."""
    live: list[QueueEntry] = []
    held: list[QueueEntry] = []
    for entry in entries:
        (held if entry.held else live).append(entry)
    order = {o.id: i for i, o in enumerate(held_by_time(entry.order for entry in held))}
    held.sort(key=lambda entry: order[entry.order.id])
    return live, held


class SourceChange(msgspec.Struct, frozen=True):
    """What moved: the ids of changed orders, and whether the store, its menu or the link status changed."""

    order_ids: frozenset[str] = frozenset()
    store: bool = False
    link: bool = False
    message: str | None = None  # a translated, display-safe explanation (e.g. a refused action)
    menu: bool = False  # the store's menu (the queue shows what is sold out)
    conflicts: bool = False  # the list of refused actions (`OrderSource.conflicts()`)
    # the source's first picture of its cache went out just before this: a screen that shows it calls the
    # source's `first_frame_shown()` (when it has one) once that frame is on the terminal
    first_picture: bool = False


class ConflictView(msgspec.Struct, frozen=True):
    """An action the platform refused for good, as the conflicts screen lists it."""

    key: str  # the outbox entry's key (its Idempotency-Key): what `dismiss_conflicts` takes
    action: str  # e.g. `order.confirm`
    action_label: str  # "accept", in the current language
    order_id: str | None
    order_number: int | None  # the day number (#0042) when known
    explanation: (
        str  # the platform's reason in words (`o2o_tui.sync.explain`), translated; shown as plain text
    )
    tapped_at: datetime | None  # when the person pressed the key
    automatic: bool = False  # queued by this store's auto-accept station, not by a person
    scripted: bool = False  # queued by an `o2o` command (a script, a shell), not by a key at a console
    code_tail: str = ""  # a voucher redemption's code, its last 4 characters (the rest is the customer's)
    menu_name: str = ""  # an item's or option's change: its name in the cached menu (its id once gone from it)


class ActionRefused(Exception):
    """The platform (or the source) refused an action; `message` is translated and display-safe."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OrderSource(Protocol):
    """The merchant queue's view of the world. Callbacks may arrive from any thread."""

    async def run(self) -> None:
        """Keep the data current until cancelled."""
        ...

    def subscribe(self, callback: Callable[[SourceChange], None]) -> Callable[[], None]: ...

    def orders(self) -> list[QueueEntry]:
        """The orders of the live queue (everything but held scheduled orders)."""
        ...

    def held(self) -> list[QueueEntry]:
        """Scheduled orders held until their prep start, soonest first (the scheduled view)."""
        ...

    def order(self, order_id: str) -> QueueEntry | None: ...

    def store(self) -> Store | None: ...

    def menu(self) -> Menu | None:
        """The store's menu as last known (with queued availability changes), for the sold-out line."""
        ...

    def link(self) -> LinkStatus: ...

    async def submit(self, action: str, order_id: str, body: msgspec.Struct) -> None:
        """Queue or send `action` (e.g. `order.confirm`); raises `ActionRefused` when refused at once."""
        ...

    def conflicts(self) -> list[ConflictView]:
        """Actions the platform refused and nobody dismissed yet, oldest tap first."""
        ...

    async def dismiss_conflicts(self, keys: list[str] | None = None) -> int:
        """Forget refused actions someone has read (`None`: all of them); returns how many went."""
        ...

    async def close(self) -> None: ...


def link_up(source: OrderSource) -> bool:
    """Whether an action just put in the outbox goes at once ("sent") or waits for the link ("queued")."""
    return source.link().state in (LinkState.ONLINE, LinkState.RESYNCING)
