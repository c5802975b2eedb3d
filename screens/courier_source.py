"""The courier handheld's view of the world, on the sync engine: its deliveries and its own courier record,
with this device's queued actions applied on top, and the platform's refusals explained per delivery.

Works offline like the merchant source: actions go to the durable outbox (with the tap time) and show at once as
queued; the engine pushes them exactly once when the link is back. Every cache read runs on the cache's thread.
No Textual here.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec

from o2o_tui.courier_tasks import (
    FOOD_BACK_ACTION,
    OFF_DUTY,
    brings_back,
    food_in_hand,
    foods_in_hand,
    given_back_off_duty,
    goes_back_off_duty,
    is_active,
    offers_given_back,
    reported_before,
    route_order,
)
from o2o_tui.domain.fleet import Courier, CourierStatus, Delivery, DeliveryEndReason
from o2o_tui.domain.requests import EmptyBody
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from o2o_tui.sync import skipped as skips
from o2o_tui.sync import tables
from o2o_tui.sync.explain import explain
from o2o_tui.sync.model import Change, ChangeKind
from o2o_tui.sync.read_model import ReadModel
from screens.courier_format import clip, order_cancel_words, refusal_short
from screens.source import ActionRefused, LinkState, LinkStatus, Subscribers, link_from

_DUTY_ACTION = "courier.state"
# accepted, food not picked up: going off duty gives these back too (`goes_back_off_duty`)
_BACK_OFF_DUTY = (DeliveryStatus.ACCEPTED, DeliveryStatus.ARRIVED_AT_MERCHANT)
LOGIN_CHECK_S = 2.0  # while the token is refused: how often the profile is read for a new login


@dataclass(frozen=True, slots=True)
class CourierChange:
    """What moved: delivery ids whose task changed, the courier record, the link, or a refusal to show."""

    delivery_ids: frozenset[str] = frozenset()
    courier: bool = False
    link: bool = False
    refused: tuple[tuple[str, str], ...] = ()  # (delivery id or "", explanation) in the user's language
    notices: tuple[tuple[str, str], ...] = ()  # ("", text): something left out of the view, said once
    alerts: tuple[
        tuple[str, str], ...
    ] = ()  # (delivery id, text): the platform changed a task under the courier
    given_back: int = 0  # offers released because the courier went off duty (said once, together)
    # of those, deliveries it had accepted but not picked up (back to dispatch: said so rather than "offers")
    sent_back: int = 0
    # outbox keys of this device's taps (`submit`) the platform has answered since the last change: confirmed
    # (applied, or left as wanted), or refused (their refusal is in `refused`)
    confirmed: frozenset[str] = frozenset()
    refused_keys: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class TaskView:
    delivery: Delivery
    pending: tuple[str, ...] = ()  # queued actions not yet confirmed by the platform
    refusal: str | None = None  # the last refused action on it, explained (until the delivery moves on)
    alert: str | None = None  # what the platform changed under the courier ("#0009 cancelled: bring it back")
    # an offer that a going-off-duty still queued gives back (also when going on duty again is queued behind it)
    given_back: bool = False
    # the courier picked the food up (offline) but the order was cancelled or reassigned before the pickup reached
    # the platform: the bag is in hand and must go back to the store's counter. Kept (the refused pickup stays in
    # the outbox's conflicts list, across restarts) until the courier says the food is back (`food_back`)
    bring_back: bool = False


@dataclass(slots=True)
class _Said:
    """A refusal or an alert shown on a task while the delivery stays in the status it was said for."""

    text: str
    status: str | None  # the delivery's status then (None: the status it has when first shown)
    # a refusal: the outbox keys of the steps queued on the delivery behind the refused one when it was read
    # (offline, a wrong pickup code then "at the customer" and "delivered"): each refused in turn because the step
    # before was not done, they are counted under this first refusal, the cause, never shown in its place
    behind: frozenset[str] = frozenset()
    dropped: int = 0  # how many of `behind` the platform refused so far
    short: str = ""  # a refused code step, its reason first, for a one-row message line (`refusal_short`)

    @property
    def shown(self) -> str:
        """The text for the task and the message line: the cause first, then how many later steps it took."""
        if not self.dropped:
            return self.text
        return t("handheld.refused.dropped", explanation=self.text, count=self.dropped)


@dataclass(frozen=True, slots=True)
class _Refused:
    """A refused action of the outbox as read (`CourierSource._read`), oldest first."""

    target: str  # the delivery id ("" for a courier-wide action: going on or off duty)
    text: str  # explained in the user's language
    status: str | None  # the delivery's status when it was refused
    key: str
    behind: frozenset[str]  # keys of the later entries on the same delivery (queued or refused)
    short: str = ""  # `courier_format.refusal_short`: a refused code step, its reason first


# Changes that the platform makes to a task the courier holds (the order cancelled or taken off the courier)
_CHANGED_UNDER_COURIER = {
    DeliveryStatus.RETURNING: "handheld.alert.returning",
    DeliveryStatus.CANCELLED: "handheld.alert.cancelled",
}
_RETURN_ACTION = "delivery.return"


NEWS_STORE_CELLS = 16  # a store's name in news (the message line): "Golden Dumplings", "老王川菜馆 Lao …"


def store_tag(delivery: Delivery, cells: int | None = None) -> str:
    """The store a task is picked up at, as the list shows it (plain text, one line); with `cells`, cut to that
    many (between words where it can)."""
    name = safe_text(delivery.store_name or delivery.pickup.text, one_line=True)
    return name if cells is None else clip(name, cells)


def order_words(key: str, delivery: Delivery, *, store: str = "", **values: object) -> str:
    """`key`'s message about `delivery`'s order, by its day number ("#0014 ..."); with `store` (the courier holds
    two orders of that number, one per store: `shared_store`) the form naming it
    ("Golden Dumplings #0014 ..."), `key` + ".store", where the catalog has one."""
    number = f"{delivery.order_number:04d}"
    named = key + ".store"
    if store and t(named) != named:
        return t(named, number=number, store=store, **values)
    return t(key, number=number, **values)


def held(view: TaskView) -> bool:
    """A task the courier holds now (on the list): going, its last step queued, or its food still in hand."""
    return is_active(view.delivery) or bool(view.pending) or view.bring_back


def store_if_shared(view: TaskView, *snapshots: dict[str, TaskView], cells: int | None = None) -> str:
    """The store's name when another task held in any of `snapshots` has `view`'s day number (two stores'
    #0014), else "": news about it then names the store, or it reads as news about the other one."""
    number = view.delivery.order_number
    for tasks in snapshots:
        for delivery_id, other in tasks.items():
            if delivery_id != view.delivery.id and other.delivery.order_number == number and held(other):
                return store_tag(view.delivery, cells)
    return ""


def shared_store(source: Any, delivery_id: str, cells: int | None = None) -> str:
    """`store_if_shared` of a task of `source` (any courier source: its `task` and `tasks`): its store's name when
    the courier holds another order of its day number (two stores' #0014), else ""."""
    view = source.task(delivery_id)
    if view is None:
        return ""
    return store_if_shared(view, {other.delivery.id: other for other in source.tasks()}, cells=cells)


def _cancelled_news(delivery: Delivery, number: str, store: str = "") -> str:
    """A task the platform cancelled, in words that say which: taken off the courier (given to another courier,
    or back to the store's dispatcher) or the order cancelled (and why); a server too old to say, or a reason
    the handheld has no words for: "cancelled or reassigned", as before. With `store`: naming the store."""
    reason = delivery.end_reason or ""
    key = f"handheld.alert.ended.{reason}"
    if not reason or t(key) == key:
        return order_words("handheld.alert.cancelled", delivery, store=store)
    words = order_cancel_words(delivery.cancel_reason_code) if reason == "ORDER_CANCELLED" else ""
    if words:
        return order_words("handheld.alert.ended.ORDER_CANCELLED.why", delivery, store=store, reason=words)
    return order_words(key, delivery, store=store)


# what a bring-back (the food in hand of a task that ended under the courier) is announced as, by `end_reason`
_BRING_BACK_NEWS = {
    "ORDER_CANCELLED": "handheld.bring_back.news",
    "REASSIGNED": "handheld.bring_back.news.REASSIGNED",
    "UNASSIGNED": "handheld.bring_back.news.UNASSIGNED",
}


def bring_back_news(delivery: Delivery, store: str = "") -> str:
    """The food is in hand and the task ended under the courier: cancelled only when the order was; taken off
    the courier when it was reassigned or unassigned; a server too old to say: "cancelled or reassigned"."""
    key = _BRING_BACK_NEWS.get(delivery.end_reason or "", "handheld.bring_back.news.ended")
    return order_words(key, delivery, store=store)


@dataclass(slots=True)
class _Snapshot:
    tasks: dict[str, TaskView] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    courier: Courier | None = None
    duty_pending: CourierStatus | None = None
    duty_refused: bool = False  # a duty change of this device was refused since the last read
    # of the taps watched when this was read (`CourierSource.submit`): those no longer queued
    keys_done: set[str] = field(default_factory=set)
    keys_refused: set[str] = field(default_factory=set)


def _duty_wanted(entry: Any) -> CourierStatus | None:
    if entry.action != _DUTY_ACTION:
        return None
    status = msgspec.json.decode(entry.body).get("status")
    return CourierStatus(status) if status else None


def _pending_duty(entries: list[Any]) -> CourierStatus | None:
    wanted = None
    for entry in entries:
        wanted = _duty_wanted(entry) or wanted
    return wanted


def _off_duty(courier: Courier | None) -> bool:
    return courier is not None and courier.status is CourierStatus.OFFLINE


Connect = Callable[
    [], tuple[Any, Any]
]  # builds (engine, client); slow (httpx, TLS setup), so not on the start path


class CourierSource(Subscribers[CourierChange]):
    """Shows the cached tasks first; `connect` (the platform client and the sync engine) runs after that, off the
    event loop, so the first task is on screen before the network stack has even been imported."""

    def __init__(
        self,
        cache: Any,
        courier_id: str,
        connect: Connect,
        credentials: Callable[[], object] | None = None,
    ) -> None:
        super().__init__()
        self._cache = cache
        self._connect = connect
        self._credentials = credentials  # the profile's current login; a change while refused reconnects
        self._engine: Any = None
        self._client: Any = None
        self._connected: asyncio.Event | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.courier_id = courier_id
        self._model = ReadModel(cache)
        self._snapshot = _Snapshot()
        self._link_before_engine = LinkStatus(LinkState.CONNECTING)
        self._engine_reported = False  # until the engine's first status: CONNECTING, with the queue on disk
        self._refusals: dict[str, _Said] = {}
        self._alerts: dict[str, _Said] = {}
        self._own_returns: set[str] = set()  # deliveries this device sent back to the store itself
        # Going off duty gives back the offers not yet accepted: the platform cancels them. Those are what the
        # courier did, not news: said once, together, when none of them is still waiting (not one alert each).
        self._giving_back: set[str] = set()  # offers held when this device went off duty, still pending
        self._given_back: set[str] = set()  # released so far, not yet said
        self._sent_back: set[str] = set()  # of those, accepted ones (not offers)
        # offers a queued off duty gives back: still given back once it is sent, until the platform's answer
        # (the offer cancelled) arrives; the queue alone forgets them in between
        self._offers_given_back: set[str] = set()
        self._dirty = True
        self._conflict_keys: set[str] = set()
        self._wake: asyncio.Event | None = None
        # outbox keys of taps queued here whose answer is awaited: each read (after the tap was queued, so never
        # one that came before it) says which left the outbox confirmed and which were refused
        self._watched: set[str] = set()

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
            if self._watched and self._wake is not None:  # a push answered: which taps it confirmed is read
                self._dirty = True
                self._wake.set()
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

    def _read(self, conflict_keys: Iterable[str] | None) -> tuple[_Snapshot, list[_Refused]]:
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
        duty_refused = False
        conflicts = self._cache.outbox.conflicts()
        in_hand = foods_in_hand(conflicts)  # the CLI's rule (o2o_tui/courier_tasks.py)
        if conflict_keys is None:  # at start: the refusals still in the conflicts list
            conflict_keys = [e.key for e in conflicts]
        # every delivery step still in the outbox (queued or refused), to tell which came behind a refused one
        steps = [e for e in (*self._cache.outbox.pending(), *conflicts) if e.action.startswith("delivery.")]
        entries = [e for e in map(self._cache.outbox.get, set(conflict_keys)) if e is not None]
        for entry in sorted(entries, key=lambda e: e.seq):  # oldest first: a cause before what it took along
            if entry.rejection is not None:
                target = entry.target.split("/")[0] if entry.action.startswith("delivery.") else ""
                text = explain(entry.rejection, action=entry.action, target=entry.target)
                status = entry.rejection.get("current_status")  # the delivery's status when it was refused
                behind = frozenset(
                    e.key for e in steps if target and e.target.split("/")[0] == target and e.seq > entry.seq
                )
                said_status = status if isinstance(status, str) else None
                short = refusal_short(entry.rejection, entry.action)
                refused.append(_Refused(target, text, said_status, entry.key, behind, short))
                duty_refused = duty_refused or entry.action == _DUTY_ACTION
        pending: dict[str, list[str]] = {}
        queue: list[tuple[str, str]] = []  # in the order they are sent, a going-off-duty marked as such
        for entry in self._cache.outbox.pending():
            target = entry.target.split("/")[0]
            pending.setdefault(target, []).append(entry.action)
            off = _duty_wanted(entry) is CourierStatus.OFFLINE
            queue.append((target, OFF_DUTY if off else entry.action))
        snapshot = _Snapshot()
        snapshot.courier = next((c for c in self._model.couriers() if c.id == self.courier_id), None)
        snapshot.duty_pending = _pending_duty(self._cache.outbox.pending_for(self.courier_id))
        deliveries = [d for d in self._model.deliveries() if d.courier_id == self.courier_id]
        offers = [d.id for d in deliveries if d.status is DeliveryStatus.PENDING]
        given_back = offers_given_back(offers, queue)
        if snapshot.duty_pending is None and _off_duty(snapshot.courier):
            # an off-duty courier holds no offers: one still cached waits for its cancellation to be fetched
            # (the off duty was sent, maybe by an earlier run of this handheld, which kept no memory of it)
            given_back.update(offers)
        for delivery in route_order(deliveries, include_ended=True):
            snapshot.order.append(delivery.id)
            queued = tuple(pending.get(delivery.id, ()))
            bring_back = brings_back(delivery, in_hand)
            snapshot.tasks[delivery.id] = TaskView(
                delivery, queued, given_back=delivery.id in given_back, bring_back=bring_back
            )
        snapshot.duty_refused = duty_refused
        for key in list(self._watched):  # added on the loop only once queued: this read comes after the tap
            entry = self._cache.outbox.get(key)
            if entry is None:
                snapshot.keys_done.add(key)  # confirmed: it left the outbox
            elif entry.rejection is not None:
                snapshot.keys_refused.add(key)
        return snapshot, refused

    def prime(self) -> None:
        """Read the cached tasks now (on the cache's thread, waiting for it), so the first frame shows them."""
        snapshot, refused = self._cache.executor.submit(self._read, None).result()
        self._keep_given_back(snapshot)
        self._take_refusals(refused)
        for delivery_id, view in snapshot.tasks.items():
            snapshot.tasks[delivery_id] = self._with_said(view)
        self._snapshot = snapshot
        self._dirty = False

    def _with_said(self, view: TaskView) -> TaskView:
        """The view with the refusal and alert still true of it. A refusal goes once the delivery moved on from
        the status it was refused in (a later step succeeded, here or elsewhere; the order was cancelled), so an
        old refusal does not come back on an active task after a restart."""
        delivery_id, status = view.delivery.id, str(view.delivery.status)
        shown: list[str | None] = []
        for said_by_id in (self._refusals, self._alerts):
            said = said_by_id.get(delivery_id)
            if said is not None and said.status is None:
                said.status = status
            if said is not None and said.status != status and not view.pending:
                del said_by_id[delivery_id]
                said = None
            shown.append(None if said is None else said.shown)
        return dataclasses.replace(view, refusal=shown[0], alert=shown[1])

    def refusal_short(self, delivery_id: str) -> str:
        """The refusal on a task said short, its reason first ("Wrong pickup code: #0016 refused"), for a message
        line of one row; "" when it has none (the whole text is said)."""
        said = self._refusals.get(delivery_id)
        return said.short if said is not None else ""

    def _take_refusals(self, refused: list[_Refused]) -> list[tuple[str, str]]:
        """Keep the refusals just read, oldest first, one per delivery: a step queued behind a refused one (and
        refused because that one was not done) is counted under it, so the first refusal, the cause, stays what
        the task and the message line say. Returns (delivery id or "", text) to say now, one per delivery."""
        said: list[tuple[str, str]] = []
        at: dict[str, int] = {}  # a delivery's place in `said`
        for refusal in refused:
            if not refusal.target:  # courier-wide (going on or off duty): said as it is
                said.append(("", refusal.text))
                continue
            cause = self._refusals.get(refusal.target)
            if cause is not None and refusal.key in cause.behind:
                cause.dropped += 1
            else:
                cause = _Said(refusal.text, refusal.status, behind=refusal.behind, short=refusal.short)
                self._refusals[refusal.target] = cause
            if refusal.target in at:
                said[at[refusal.target]] = (refusal.target, cause.shown)
            else:
                at[refusal.target] = len(said)
                said.append((refusal.target, cause.shown))
        return said

    def _changed_under_courier(self, before: TaskView | None, after: TaskView, store: str = "") -> str | None:
        """What to tell the courier when the platform, not this device, moved a task it holds (`store`: its
        store's name, when the courier holds another order of that number)."""
        number = f"{after.delivery.order_number:04d}"
        if before is not None and before.delivery.status is after.delivery.status is DeliveryStatus.RETURNING:
            # on the way back already (the courier's own return): the order cancelled meanwhile is still news
            cancelled = after.delivery.order_cancelled and not before.delivery.order_cancelled
            if not cancelled:
                return None
            return order_words("handheld.alert.returning_cancelled", after.delivery, store=store)
        key = _CHANGED_UNDER_COURIER.get(after.delivery.status)
        if key is None or before is None or not is_active(before.delivery):
            return None
        if before.delivery.status == after.delivery.status or _RETURN_ACTION in after.pending:
            return None
        if after.delivery.status is DeliveryStatus.RETURNING and after.delivery.id in self._own_returns:
            return None  # the courier's own "Return to store"
        if after.delivery.status is DeliveryStatus.CANCELLED:
            return _cancelled_news(after.delivery, number, store)
        return order_words(key, after.delivery, store=store)

    def _released(self, before: TaskView | None, after: TaskView, snapshot: _Snapshot) -> bool:
        """An offer the platform cancelled because the courier went off duty (from this device, or as the
        courier's record says: an off-duty courier holds no offers, so an offer ending then was given back); or a
        delivery accepted but not picked up, given back then too (its end reason says so)."""
        if before is None or after.delivery.status is not DeliveryStatus.CANCELLED:
            return False
        if before.delivery.status in _BACK_OFF_DUTY:
            return after.delivery.end_reason == DeliveryEndReason.OFF_DUTY.value
        if before.delivery.status is not DeliveryStatus.PENDING:
            return False
        courier = snapshot.courier
        off_duty = snapshot.duty_pending is CourierStatus.OFFLINE or (
            courier is not None and courier.status is CourierStatus.OFFLINE
        )
        return off_duty or before.given_back or after.delivery.id in self._giving_back

    def _keep_given_back(self, snapshot: _Snapshot) -> None:
        """An offer once given back stays so while it is still an offer: the off duty leaves the queue when it is
        sent, before the offer's cancellation is fetched. A refused off duty gave nothing back."""
        if snapshot.duty_refused:
            self._offers_given_back.clear()
        offers = {i for i, view in snapshot.tasks.items() if view.delivery.status is DeliveryStatus.PENDING}
        self._offers_given_back &= offers
        for delivery_id in offers:
            view = snapshot.tasks[delivery_id]
            if view.given_back:
                self._offers_given_back.add(delivery_id)
            elif delivery_id in self._offers_given_back:
                snapshot.tasks[delivery_id] = dataclasses.replace(view, given_back=True)

    def _count_given_back(self, snapshot: _Snapshot) -> tuple[int, int]:
        """How many offers (and, second, of those how many accepted deliveries) were given back, once none of those
        held at going off duty is still waiting."""
        if snapshot.duty_refused:
            self._giving_back.clear()  # the platform refused the off duty: it released nothing
        self._giving_back = {
            delivery_id
            for delivery_id in self._giving_back
            if delivery_id in snapshot.tasks
            and snapshot.tasks[delivery_id].delivery.status in (DeliveryStatus.PENDING, *_BACK_OFF_DUTY)
        }
        if self._giving_back or not self._given_back:
            return 0, 0
        count, sent = len(self._given_back), len(self._given_back & self._sent_back)
        self._given_back, self._sent_back = set(), set()
        return count, sent

    async def _refresh(self) -> None:
        keys, self._conflict_keys = self._conflict_keys, set()
        self._dirty = False
        snapshot, refused = await self._cache.call(self._read, keys)
        self._keep_given_back(snapshot)
        said_refused = tuple(self._take_refusals(refused))
        alerts = []
        just_refused = {refusal.target for refusal in refused}  # the refusal says what happened
        for delivery_id, view in snapshot.tasks.items():
            before = self._snapshot.tasks.get(delivery_id)
            if self._released(before, view, snapshot):
                self._given_back.add(delivery_id)
                if before is not None and before.delivery.status in _BACK_OFF_DUTY:
                    self._sent_back.add(delivery_id)
                continue
            store = store_if_shared(view, self._snapshot.tasks, snapshot.tasks, cells=NEWS_STORE_CELLS)
            alert = self._changed_under_courier(before, view, store)
            if alert is not None and delivery_id not in just_refused:
                self._alerts[delivery_id] = _Said(alert, str(view.delivery.status))
                self._refusals.pop(delivery_id, None)  # an earlier refusal is no news next to this
                alerts.append((delivery_id, alert))
        changed = set()
        for delivery_id, view in snapshot.tasks.items():
            view = self._with_said(view)
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
        given_back, sent_back = self._count_given_back(snapshot)
        answered = snapshot.keys_done | snapshot.keys_refused
        self._watched -= answered
        if changed or courier_changed or order_changed or refused or notices or alerts or given_back or answered:
            self._emit(
                CourierChange(
                    delivery_ids=frozenset(changed),
                    courier=courier_changed or order_changed,
                    refused=said_refused,
                    notices=notices,
                    alerts=tuple(alerts),
                    given_back=given_back,
                    sent_back=sent_back,
                    confirmed=frozenset(snapshot.keys_done),
                    refused_keys=frozenset(snapshot.keys_refused),
                )
            )

    async def dismiss(self, delivery_id: str) -> None:
        """The courier read the refusal (or alert) on a task: it goes, and its conflicts leave the outbox, so a
        restart does not bring it back."""
        self._refusals.pop(delivery_id, None)
        self._alerts.pop(delivery_id, None)

        def drop_conflicts() -> None:
            for entry in self._cache.outbox.conflicts():
                if food_in_hand(entry) is not None:
                    continue  # the food is still in hand: only `food_back` lets this one go
                if entry.action.startswith("delivery.") and entry.target.split("/")[0] == delivery_id:
                    self._cache.outbox.dismiss(entry.key)

        with contextlib.suppress(Exception):  # a cache that cannot write: it is gone from the screen anyway
            await self._cache.call(drop_conflicts)
        view = self._snapshot.tasks.get(delivery_id)
        if view is not None:
            self._snapshot.tasks[delivery_id] = dataclasses.replace(view, refusal=None, alert=None)
        self._emit(CourierChange(delivery_ids=frozenset({delivery_id})))

    async def food_back(self, delivery_id: str) -> str:
        """The courier brought the food of a cancelled pickup (`TaskView.bring_back`) back to the store's counter:
        the platform is told (`delivery.food_back`, queued offline like every step: the store's order stops saying
        this courier has its food), then the refused pickup leaves the conflicts list, and the task with it.
        Returns the outbox key, as `submit` does. Raises `ActionRefused` when it could not be queued or the cache
        cannot write (the task stays: the courier may try again)."""
        key = await self.submit(FOOD_BACK_ACTION, delivery_id, EmptyBody())

        def drop() -> None:
            for entry in self._cache.outbox.conflicts():
                if entry.action.startswith("delivery.") and entry.target.split("/")[0] == delivery_id:
                    self._cache.outbox.dismiss(entry.key)

        try:
            await self._cache.call(drop)
        except Exception as error:
            raise ActionRefused(t("ui.action.not_queued", error=str(error))) from None
        self._refusals.pop(delivery_id, None)
        self._alerts.pop(delivery_id, None)
        view = self._snapshot.tasks.get(delivery_id)
        if view is not None:
            self._snapshot.tasks[delivery_id] = dataclasses.replace(
                view, refusal=None, alert=None, bring_back=False
            )
        self._emit(CourierChange(delivery_ids=frozenset({delivery_id}), courier=True))
        return key

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
            while await self._run_engine():
                pass  # the platform refused the token and a new login was saved: start again with it
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower

    async def _run_engine(self) -> bool:
        """Connect and run the engine until it stops; True when it was stopped for a new login."""
        login = self._credentials() if self._credentials is not None else None
        self._engine, self._client = await asyncio.to_thread(self._connect)
        self._unsubscribe = self._engine.subscribe(self._on_engine_change)
        if self._connected is not None:
            self._connected.set()
        self._emit(CourierChange(link=True))
        engine = asyncio.create_task(self._engine.run(), name="courier-engine")
        watcher = asyncio.create_task(self._watch_login(login), name="courier-login")
        try:
            done, _ = await asyncio.wait({engine, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        if engine in done:
            engine.result()
            return False
        self._engine.stop()  # a new login: this engine's client holds the refused token
        with contextlib.suppress(Exception):
            await engine
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        with contextlib.suppress(Exception):
            await self._client.close()
        self._engine_reported = False
        return True

    async def _watch_login(self, login: object) -> None:
        """While the platform refuses the token or does not answer, look for a new login of the profile (`o2o
        login` run again, maybe at the platform's other server: `config.same_account`, as the console): returns
        when there is one, so the engine starts again with it. Reads nothing while the platform answers."""
        if self._credentials is None:
            await asyncio.Event().wait()
        while True:
            await asyncio.sleep(LOGIN_CHECK_S)
            if self.link().state not in (LinkState.UNAUTHORIZED, LinkState.OFFLINE):
                continue
            if await asyncio.to_thread(self._credentials) != login:  # type: ignore[arg-type]
                return

    # acting
    async def submit(self, action: str, target: str, body: msgspec.Struct) -> str:
        """Queue `action` durably and return its outbox key: a later change says when the platform confirmed
        (`CourierChange.confirmed`) or refused it. Raises `ActionRefused` when it could not even be queued."""
        current = self._snapshot.tasks.get(target)
        if current is not None:
            self._refusals.pop(target, None)
            self._alerts.pop(target, None)
        if action == _RETURN_ACTION:
            self._own_returns.add(target)
        giving_back: set[str] = set()
        if action == _DUTY_ACTION and getattr(body, "status", None) is CourierStatus.OFFLINE:
            giving_back = {
                v.delivery.id
                for v in self.tasks()
                if given_back_off_duty(v.delivery, v.pending) or goes_back_off_duty(v.delivery, v.pending)
            }
            self._giving_back |= giving_back  # now: the push's answer can come back before submit returns
        if self._connected is not None and self._engine is None:
            await self._connected.wait()  # a tap in the first moment waits for the engine that queues it
        if self._engine is None:
            self._giving_back -= giving_back
            raise ActionRefused(t("ui.action.not_queued", error="not connected"))
        try:
            entry = await self._engine.submit(
                action, target, body, base_version=current.delivery.version if current else None
            )
        except Exception as error:  # a cache that cannot write: the action was not queued
            self._giving_back -= giving_back
            raise ActionRefused(t("ui.action.not_queued", error=str(error))) from None
        key = str(getattr(entry, "key", "") or "")
        if key:
            self._watched.add(key)
            self._dirty = True  # read again now the key is watched: its answer may already be in
            if self._wake is not None:
                self._wake.set()
        return key

    async def queued_at(self, action: str, target: str, body: msgspec.Struct) -> datetime | None:
        """When this very action (the same body) on `target` was queued, while it still waits to be sent (a
        problem reported twice offline is reported once); None when it is not waiting."""
        from o2o_tui.client.actions import encode_body  # taken when a tap is queued: the engine has it loaded

        wanted = encode_body(action, body).decode("utf-8")

        def find() -> str | None:
            for entry in self._cache.outbox.pending_for(target):
                if entry.action == action and entry.body == wanted:
                    return str(entry.occurred_at)
            return None

        try:
            found = await self._cache.call(find)
        except Exception:  # a cache that cannot be read: the tap is queued as usual (its queue says the rest)
            return None
        if found is None:
            return None
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(found.replace("Z", "+00:00"))
        return None

    async def reported_at(self, target: str, body: msgspec.Struct) -> datetime | None:
        """When the platform recorded this very problem (`body`: the same reason and note) on `target` a moment
        ago (`courier_tasks.reported_before`): the report pressed again, not to be sent again; else None. Asked
        after `queued_at`: the answer of a report that has left the outbox is in the cache already."""
        reason, note = getattr(body, "reason", None), str(getattr(body, "note", ""))

        def find() -> datetime | None:
            for delivery in self._model.deliveries():
                if delivery.id == target:
                    return reported_before(delivery, reason, note, datetime.now(UTC))
            return None

        try:
            found: datetime | None = await self._cache.call(find)
        except Exception:  # a cache that cannot be read: the tap is queued as usual
            return None
        return found

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
