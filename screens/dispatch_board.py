"""The dispatch board: orders waiting for a courier, the fleet, the engine's suggested plan and a small map.

Pushed by the merchant console (`d`) and the root of `o2o dispatch` for a dispatcher. It reads through a
`FleetSource` in a worker (fetch, then plan off the event loop) that posts a message; the handler owns the UI.
The poll re-arms only after a round has finished, so rounds never overlap. Rows are updated by key.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

import msgspec
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from o2o_tui.client.errors import PlatformError, ServerError, Unreachable
from o2o_tui.domain.errors import ErrorDetail
from o2o_tui.domain.events import EntityKind
from o2o_tui.domain.fleet import CourierStatus
from o2o_tui.domain.requests import AssignBody, UnassignBody
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import t
from o2o_tui.live_dispatch import (
    LIVE_PARAMS,
    OPEN_STATUSES,
    CourierState,
    FleetSnapshot,
    LivePlan,
    OrderState,
    offer_age_minutes,
    offer_late,
    plan_live,
    position_age_minutes,
    position_stale,
    read_fleet_async,
    room_left,
)
from o2o_tui.safe_text import safe_text
from o2o_tui.sync.ports import FleetClient
from screens import order_format as fmt
from screens.command_toasts import command_content, say_in
from screens.dispatch_help import BoardHelp, help_entries
from screens.keys import localize_bindings
from screens.terminal import (
    FULL,
    Glyphs,
    apply_glyphs,
    decorated,
    glyphs_of,
    key_display,
    not_utf8,
    theme_for,
)
from screens.toast_holding import ToastHoldingApp
from screens.widgets.city_map import MORE_MARK, CityMap, courier_mark
from screens.widgets.dispatch_rows import (
    PICKED_UP_TAGS,
    CourierList,
    OrderList,
    OrderRowView,
    clock,
    courier_view,
    offer_age,
    order_view,
    position_age,
)
from screens.widgets.folded_text import TOAST_NARROW, FoldedText
from screens.widgets.footer import KeyFooter
from screens.widgets.line_list import LineList

POLL_SECONDS = 15.0  # a fallback: the board refreshes soon after the platform's events for its store
# a burst of events (an assignment: the order, its delivery, the courier) is one refresh, this long after the first
EVENT_DEBOUNCE_SECONDS = 0.4
# how long one long-poll of the platform's events waits (GET /v1/events?wait=), as the console's sync engine asks
EVENTS_WAIT_SECONDS = 25.0
# what an event names that the board shows: the store's orders, its couriers and their deliveries
_WATCHED = frozenset({EntityKind.ORDER, EntityKind.COURIER, EntityKind.DELIVERY, EntityKind.STORE})
# (kind, order id, courier id, the courier the board saw holding the order): "assign" or "unassign" (no courier)
Operation = tuple[str, str, str, str | None]
log = logging.getLogger("o2o.dispatch_board")
_ORDER_RANK = {
    "now": 0,
    "courier_offline": 1,  # its courier went off duty holding it: someone must act, right after GO NOW
    "courier_problem": 1,  # its courier reported a problem it cannot go on with, and nobody else is planned
    "stuck": 1,  # picked up by a courier who cannot go on: someone must have it brought back or cancel it
    "off_duty_with_food": 1,  # picked up by a courier now off duty: someone must call them
    "refused": 1,  # only a courier who rejected it before could take it: a person decides (auto never sends it)
    "plan": 2,
    "stale": 2,
    "no_courier": 3,
    "no_position": 3,
    "sent": 4,
    "offered": 4,  # sent, its courier has not answered yet
    "coming": 4,
    "at_store": 4,
    "returning": 4,  # on its way back to the store: ready for another courier once there
    "later": 5,
    "no_location": 6,
    "no_store_location": 6,  # the store has no position on the map: nothing of it can be planned
    "bad_location": 6,
}


# an assigned order's tag by its courier's step, in the queue's words ("Offered", "Coming", "At store")
_STAGE_TAGS = {
    DeliveryStatus.PENDING.value: "offered",
    DeliveryStatus.ACCEPTED.value: "coming",
    DeliveryStatus.ARRIVED_AT_MERCHANT.value: "at_store",
}


def _with_stage(view: OrderRowView, stage: str | None) -> OrderRowView:
    """An assigned order's row ("sent") tagged with its courier's step as the queue says it, where known."""
    tag = _STAGE_TAGS.get(stage or "") if view.tag == "sent" else None
    return view if tag is None else replace(view, tag=tag)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CachedFleet:
    """What this device's offline cache holds of the store and its open orders, and when it last heard from the
    platform (`as_of`, None when not known). Its couriers are not used: where they are and what they carry goes
    stale in minutes, so the board never plans or shows couriers from the cache."""

    snapshot: FleetSnapshot
    as_of: datetime | None


def read_cached_fleet(profile_name: str, store_id: str) -> CachedFleet | None:
    """The store's open orders as the profile's offline cache has them (read-only: the console may be writing it);
    None when there is no cache, no store in it, or it cannot be read now."""
    from o2o_tui.sync import tables
    from o2o_tui.sync.read_model import ReadModel
    from o2o_tui.sync.session import profile_cache

    try:
        with profile_cache(profile_name, read_only=True) as (_, cache):
            model = ReadModel(cache)
            store = model.store(store_id)
            if store is None:
                return None
            orders = [
                view.order
                for view in model.orders()
                if view.order.store_id == store_id and view.order.status in OPEN_STATUSES
            ]
            stamp = cache.meta_get(tables.META_LAST_SYNC_AT, None)
    except Exception:  # no cache, or it cannot be read now: the board says the orders are not known
        log.debug("dispatch board: no cached fleet", exc_info=True)
        return None
    as_of: datetime | None = None
    try:
        as_of = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    except ValueError:
        as_of = None
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    return CachedFleet(FleetSnapshot(store=store, orders=orders, couriers=[]), as_of)


def cached_plan(cached: CachedFleet, now: datetime) -> LivePlan:
    """The cached orders as a plan with no suggestion and no courier: an order without a courier is tagged
    "cached" (not "no rider": the board does not know the couriers), one with a courier "sent"."""
    plan = plan_live(cached.snapshot, now, LIVE_PARAMS)
    orders = [
        msgspec.structs.replace(o, why="assigned" if o.courier_id else "cached", problem=None, problem_at=None)
        for o in plan.orders
    ]
    return msgspec.structs.replace(plan, suggestions=[], orders=orders, couriers=[])


class FleetSource(Protocol):
    """Where the board reads the fleet and sends assignments (the platform client, or memory in tests). A source
    may also have `cached() -> CachedFleet | None`: what the board shows while the platform cannot be reached and
    nothing was loaded yet."""

    async def snapshot(self) -> FleetSnapshot: ...

    async def assign(self, order_id: str, courier_id: str, expect: str | None) -> None:
        """`expect`: the courier the board saw holding the order (None: nobody); the platform refuses (409
        `courier_changed`) when another holds it now, rather than take the order from them."""
        ...

    async def unassign(self, order_id: str, expect: str | None) -> None:
        """`expect`: the courier the board saw holding the order; the platform refuses (409 `courier_changed`)
        when another holds it now, rather than take the order from them."""
        ...

    async def close(self) -> None: ...


class ClientFleet:
    """A `FleetSource` on an `AsyncPlatformClient` (dispatcher, own-fleet merchant or admin token).

    `client` None: made by `make_client` at the first call, unless the board first borrows a client of its host
    (`borrow`: the merchant console's own, its sync engine's), which it never closes: the console does, when it
    quits. So each `d` reuses the console's connections rather than setting up a client of its own (httpx and a
    TLS context, 20-90 ms, then a new connection)."""

    def __init__(
        self,
        client: FleetClient | None,
        store_id: str,
        *,
        owns_client: bool = True,
        profile_name: str | None = None,
        make_client: Callable[[], FleetClient] | None = None,
        profile: object | None = None,
        role: str | None = None,
    ) -> None:
        if client is None and make_client is None:
            raise ValueError("a client, or how to make one, is needed")
        self._client = client
        self._make_client = make_client
        self._store_id = store_id
        self._owns_client = owns_client
        self._profile_name = profile_name  # whose offline cache `cached` reads (None: no cache)
        self._profile = profile  # whose client a host may lend (`borrow`)
        # whose token it is (a profile's role): only a merchant may cancel an order, so the board tells anyone else
        # (a dispatcher, an admin; None: not said) to ask the store instead
        self.role = role if role is not None else getattr(profile, "role", None)

    def borrow(self, lend: Callable[[object], object | None]) -> bool:
        """Use the client `lend(profile)` answers (the console's, for this board's profile) instead of making one;
        it stays its owner's to close. False (nothing changes): no profile, a client made already, none lent."""
        if self._profile is None or self._client is not None:
            return False
        shared = lend(self._profile)
        if shared is None:
            return False
        self._client = shared  # type: ignore[assignment]
        self._owns_client = False
        return True

    async def _ready(self) -> FleetClient:
        client = self._client
        if client is None:
            assert self._make_client is not None
            client = self._client = self._make_client()
            self._owns_client = True
        prepare = getattr(client, "prepare", None)  # a client made on first use (o2o_tui/client/lazy.py)
        if prepare is not None and not getattr(client, "made", True):
            await asyncio.to_thread(prepare)  # made on a worker thread: keys stay quick meanwhile
        return client

    def cached(self) -> CachedFleet | None:
        if self._profile_name is None:
            return None
        return read_cached_fleet(self._profile_name, self._store_id)

    async def snapshot(self) -> FleetSnapshot:
        return await read_fleet_async(await self._ready(), self._store_id)

    async def assign(self, order_id: str, courier_id: str, expect: str | None) -> None:
        body = AssignBody(courier_id=courier_id, expect_courier_id=expect)
        await (await self._ready()).act("order.assign", order_id, body)

    async def unassign(self, order_id: str, expect: str | None) -> None:
        await (await self._ready()).act("order.unassign", order_id, UnassignBody(expect_courier_id=expect))

    async def watch(self, changed: Callable[[], None]) -> None:
        """Long-poll the platform's events (`GET /v1/events`, from the newest cursor, as the console's sync engine
        does) and call `changed()` after each page naming the store's orders, couriers, deliveries or the store
        (the platform shows a dispatcher only its store's), and after a resync. Never returns (the board cancels
        it); a failure waits and asks again, the poll stays the fallback meanwhile."""
        backoff = 1.0
        cursor: str | None = None
        while True:
            try:
                client = await self._ready()
                events = getattr(client, "events", None)
                if events is None:  # a client that cannot long-poll: the poll alone
                    return
                if cursor is None:
                    cursor = (await events("latest", wait=0.0, limit=1)).cursor
                page = await events(cursor, wait=EVENTS_WAIT_SECONDS)
            except asyncio.CancelledError:
                raise
            except Exception:  # the link, a refusal, a client closed under it: wait, ask again
                log.debug("dispatch board: events not read", exc_info=True)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 1.0
            if page.resync:
                cursor = None
                changed()
                continue
            cursor = page.cursor
            if any(event.entity in _WATCHED for event in page.events):
                changed()

    async def close(self) -> None:
        if self._owns_client and self._client is not None:
            await self._client.close()


class FleetLoaded(Message):
    def __init__(self, snapshot: FleetSnapshot, plan: LivePlan) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.plan = plan


class FleetChanged(Message):
    """The platform said something the board shows changed (an event, or the console's source): refresh soon."""


class FleetFailed(Message):
    """The round failed: the platform could not be read (`offline`: it cannot be reached; `cached`: what this
    device's cache holds, read only while nothing was loaded yet), or (`planning`) the plan could not be made.
    `storage_down`: the platform answered but cannot reach its storage (503 `storage_unavailable` to a read): the
    console's PLATFORM DOWN."""

    def __init__(
        self,
        message: str,
        *,
        planning: bool = False,
        offline: bool = False,
        cached: tuple[CachedFleet, LivePlan] | None = None,
        storage_down: bool = False,
    ) -> None:
        super().__init__()
        self.message = message
        self.planning = planning
        self.offline = offline
        self.cached = cached
        self.storage_down = storage_down


class ActionsDone(Message):
    """`order_ids`: every order an action was sent for (done or refused): the cursor leaves them. `refused`: lines
    for what the platform said no to or could not do; `unsent`: the numbers never sent (the platform cannot be
    reached); `unknown`: lines for actions whose answer never came (they may have been applied), `unknown_short`
    the same in a few words (below 60 columns, where they share one toast with the numbers not sent)."""

    def __init__(
        self,
        done: list[str],
        refused: list[str],
        order_ids: frozenset[str],
        *,
        unsent: list[str] | None = None,
        unknown: list[str] | None = None,
        unknown_short: list[str] | None = None,
        done_ids: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__()
        self.done = done
        self.done_ids = done_ids  # the orders whose action the platform took
        self.refused = refused
        self.order_ids = order_ids
        self.unsent = unsent or []
        self.unknown = unknown or []
        self.unknown_short = unknown_short or []


class CourierPicker(ModalScreen[str | None]):
    """Choose a courier for an order: couriers sorted by when they are free, each with its status as the board's
    courier list says it (its problem, if it reported one); off-duty ones last, and they cannot be chosen.
    Its own key footer (`⏎ Choose esc Cancel`) over the board's, whose keys do nothing while it is open.
    The arrows and Enter choose, or a courier's label (`courier_mark`: 1-9, then B, C...; a letter in either
    case), as every choice dialog takes its digit (`ChoicePrompt`); the label of one that cannot be chosen (off
    duty, or the order's courier already) says why under the list (not in a toast, which would wait until the
    dialog closes) and chooses nothing."""

    FOOTER_OWN_KEYS = True
    BINDINGS = [  # Enter for the footer: the list that has the focus applies it itself
        Binding("enter", "choose", "dispatch.board.key.choose", id="dispatch.picker.choose"),
        Binding("escape", "cancel", "dispatch.board.key.cancel", id="dispatch.picker.cancel"),
    ]

    def __init__(
        self,
        title: Content,
        couriers: list[CourierState],
        zone: ZoneInfo | None,
        exclude: str | None,
        now: datetime | None = None,
    ):
        super().__init__()
        self._now = now
        localize_bindings(self)
        self._title = title
        self._couriers = couriers
        self._zone = zone
        self._exclude = exclude

    def compose(self) -> ComposeResult:
        options = []
        order = sorted(
            enumerate(self._couriers),
            key=lambda pair: (
                pair[1].status is CourierStatus.OFFLINE,  # off duty: last (the platform refuses them)
                pair[1].free_at is None,
                pair[1].free_at or datetime.max.replace(tzinfo=UTC),
            ),
        )
        now = self._now or _utcnow()
        for index, state in order:
            row = courier_view(index, state, now, self._zone)  # the courier list's words for its status
            status = (row.problem, "bold $text-error") if row.problem else (row.status, "$text-muted")
            label = Content.assemble(
                (courier_mark(index), "bold"),
                " ",
                safe_text(state.name, one_line=True),
                "  ",
                status,
                f"  {state.load}/{state.capacity}",
                *self._free_at(state),
                *self._position_age(state),
            )
            disabled = state.status is CourierStatus.OFFLINE or state.courier_id == self._exclude
            options.append(Option(label, id=state.courier_id, disabled=disabled))
        with Vertical(classes="board-dialog"):
            yield Static(FoldedText(self._title), classes="title")  # broken as Chinese is set
            yield OptionList(*options, id="courier-choices")
            # why a label chose nobody, in the dialog: a toast would wait behind it (toasts never cover a dialog)
            yield Static(id="picker-note", classes="note")
        yield KeyFooter()

    def _free_at(self, state: CourierState) -> list[str]:
        """ "  free 12:40" after an on-duty courier; nothing after an off-duty one (it is not free at any time)."""
        if state.status is CourierStatus.OFFLINE:
            return []
        if state.free_at is None:
            return ["  ", t("dispatch.board.free_at", at=clock(None, self._zone))]
        from o2o_tui.domain.clock import day_clock

        # with its day when not today ("tmrw 00:20"): free after midnight never reads as free this morning
        at = day_clock(state.free_at, self._zone or state.free_at.tzinfo, self._now or _utcnow(), form="short")
        return ["  ", t("dispatch.board.free_at", at=at)]

    def _position_age(self, state: CourierState) -> list[str | tuple[str, str]]:
        """ "  pos 40m" after an on-duty courier whose position is old (warning colour), else nothing."""
        if self._now is None or state.status is CourierStatus.OFFLINE or not position_stale(state, self._now):
            return []
        return ["  ", (position_age(position_age_minutes(state, self._now)), "bold $text-warning")]

    def on_mount(self) -> None:
        self.query_one("#picker-note", Static).display = False  # until a label chooses nobody
        self.query_one(OptionList).focus()

    def _marked(self, character: str) -> int | None:
        """The index (in the board's list) of the courier whose label is `character`, None when none is: "+" (the
        label every courier past the last letter shares) names nobody."""
        for index in range(len(self._couriers)):
            mark = courier_mark(index)
            if mark != MORE_MARK and mark.casefold() == character.casefold():
                return index
        return None

    def on_key(self, event: events.Key) -> None:
        """A courier's label chooses it, as Enter on its row would."""
        index = self._marked(event.character) if event.character else None
        if index is None:
            return
        event.stop()
        event.prevent_default()
        state = self._couriers[index]
        if state.status is CourierStatus.OFFLINE or state.courier_id == self._exclude:
            why = "off_duty" if state.status is CourierStatus.OFFLINE else "has_it"
            name = safe_text(state.name, one_line=True)
            note = self.query_one("#picker-note", Static)
            note.update(FoldedText(t(f"dispatch.board.pick_{why}", mark=courier_mark(index), courier=name)))
            note.display = True
            self.app.bell()
            return
        self.dismiss(state.courier_id)

    def action_choose(self) -> None:
        """Enter (the footer's `⏎`) while the list has not the focus: the list's Enter, the courier highlighted."""
        self.query_one(OptionList).action_select()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class FoodConfirm(ModalScreen[bool]):
    """Another courier still has this order's food (`food_with_courier`): sending a courier for it now sends them to
    an empty counter. Says so and asks: y / Enter go on (the courier picker), n / Esc not."""

    FOOTER_OWN_KEYS = True
    BINDINGS = [
        Binding("y,enter", "answer(True)", "dispatch.board.key.yes", id="dispatch.food.yes"),
        Binding("n,escape", "answer(False)", "dispatch.board.key.no", id="dispatch.food.no"),
    ]

    def __init__(self, text: str) -> None:
        super().__init__()
        localize_bindings(self)
        self._text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="board-dialog"):
            yield Static(FoldedText(Content(self._text)), classes="title")
            yield Static(FoldedText(Content(t("dispatch.board.food_confirm_hint"))))
        yield KeyFooter()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class DispatchBoard(Screen[None]):
    CSS_PATH = Path(__file__).with_name("dispatch_board.tcss")
    BINDINGS = [
        Binding("a", "accept", "dispatch.board.key.accept", id="dispatch.accept"),
        Binding("A", "accept_all", "dispatch.board.key.accept_all", id="dispatch.accept_all"),
        Binding("m", "assign", "dispatch.board.key.assign", id="dispatch.assign"),
        Binding("r", "reassign", "dispatch.board.key.reassign", id="dispatch.reassign"),
        Binding("u", "unassign", "dispatch.board.key.unassign", id="dispatch.unassign"),
        Binding("f5", "refresh", "dispatch.board.key.refresh", id="dispatch.refresh"),
        Binding("question_mark", "help", "dispatch.board.key.help", id="dispatch.help"),
        Binding("escape", "back", "dispatch.board.key.back", id="dispatch.back"),
        # the board alone (`o2o dispatch`) quits by q, as the console's queue does (asking first while orders are
        # being sent); Esc there only says so. In the console, q is not the board's (`check_action`): Esc goes back.
        Binding("q", "quit", "dispatch.board.key.quit", id="dispatch.quit"),
    ]
    # what a narrow footer keeps (help first, always): the rest is in `?`
    FOOTER_PRIORITY = (
        "dispatch.accept",
        "dispatch.assign",
        "dispatch.back",
        "dispatch.quit",
        "dispatch.accept_all",
        "dispatch.unassign",
        "dispatch.reassign",
        "dispatch.refresh",
    )

    def __init__(
        self,
        fleet: FleetSource,
        *,
        clock: Callable[[], datetime] | None = None,
        poll_seconds: float = POLL_SECONDS,
        root: bool = False,
    ) -> None:
        super().__init__()
        self.fleet = fleet
        self._clock = clock
        self._poll_seconds = poll_seconds
        self._root = root
        self._timer: Timer | None = None
        self._debounce: Timer | None = None  # a refresh after events, armed by the first of a burst
        self._unwatch: Callable[[], object] | None = None  # leaves the console's source
        self._loaded_at: datetime | None = None  # when the board last read the platform (the "Updated" line)
        self.snapshot: FleetSnapshot | None = None
        self.plan: LivePlan | None = None
        self.rounds = 0  # finished polls (tests wait on it)
        self.busy = False  # an assignment is on its way
        self._shown: dict[str, tuple[object, ...]] = {}
        self._in_flight: set[str] = set()  # orders an action is on its way for
        self._answered: set[str] = set()  # orders the platform took an action for, until the next load
        self._just_sent: frozenset[str] = frozenset()  # acted on: the next refresh moves the cursor off them
        self._updated = ""  # the status line's "Updated 12:03."
        self._stale = ""  # the last round failed: why, and how old the board is (said instead of "Updated")
        self._cached_at: datetime | None = None  # showing this device's cache (as of then): nothing can be sent
        self._from_cache = False
        self._quit_prompt: ModalScreen[str | None] | None = None  # the quit question, while it is open
        localize_bindings(self)
        if root:
            self._relabel_back()

    def _relabel_back(self) -> None:
        """The board alone: Esc is not in the footer (q is) and its help row says it does not quit."""
        table = self._bindings.key_to_bindings
        said = t("dispatch.board.help.esc_top")
        table["escape"] = [replace(b, description=said, show=False) for b in table["escape"]]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "quit":  # the board alone; in the console q is not the board's key (nor in its footer)
            return self._root
        return True

    def quit_key(self) -> str:
        """The key that quits the board alone, as the keymap has it now (`q` unless remapped)."""
        for bindings in self._bindings.key_to_bindings.values():
            for binding in bindings:
                if binding.action == "quit":
                    return self.app.get_key_display(binding)
        return "q"

    def now(self) -> datetime:
        chosen = self._clock or getattr(self.app, "now", None) or _utcnow
        return chosen()

    def _header_text(self) -> str:
        """The board's title; on a terminal that is not UTF-8, first the note saying so (in ASCII, as the console's
        status bar and the handheld say it: names show '?' there), kept when a narrow header cuts the title."""
        title = t("dispatch.board.title")
        if not not_utf8(self.app):
            return title
        return f"{t('ui.terminal.not_utf8')}{decorated(' · ', glyphs_of(self.app))}{title}"

    # layout
    def compose(self) -> ComposeResult:
        yield Static(Content(self._header_text()), id="board-header")
        with Horizontal(id="board-body"):
            with Vertical(id="board-lists"):
                # "?" until the platform answers: an empty list before then is not "nothing to dispatch"
                yield Static(
                    Content(t("dispatch.board.orders_title", count="?")), id="orders-title", classes="section"
                )
                yield Static(id="board-unknown")  # offline before anything was loaded: what is not known
                yield OrderList(id="board-orders")
                yield Static(
                    Content(t("dispatch.board.couriers_title", count="?")),
                    id="couriers-title",
                    classes="section",
                )
                yield CourierList(id="board-couriers")
            yield CityMap(id="board-map")
        yield Static(Content(t("dispatch.board.loading")), id="board-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.orders_list.focus()
        borrow = getattr(self.fleet, "borrow", None)
        lend = getattr(self.app, "platform_client_for", None)
        borrowed = False
        if borrow is not None and lend is not None:  # the console's own client: no new one per `d`
            borrowed = bool(borrow(lend))
        self._listen(borrowed)
        self.set_interval(1.0, self._tick_updated)
        self.refresh_fleet()

    def _listen(self, borrowed: bool) -> None:
        """Refresh soon after the platform's events for the store: in the merchant console, from its own source (its
        sync engine's long-poll: no second one); alone, from the fleet's own long-poll (`ClientFleet.watch`)."""
        source = getattr(self.app, "source", None)
        subscribe = getattr(source, "subscribe", None)
        if borrowed and subscribe is not None:

            def told(change: object) -> None:  # any thread: a message is safe
                if getattr(change, "order_ids", None) or getattr(change, "store", False):
                    self.post_message(FleetChanged())

            self._unwatch = subscribe(told)
            return
        watch = getattr(self.fleet, "watch", None)
        if watch is not None:
            self._watch_events(watch)

    @work(group="dispatch-events", exit_on_error=False)
    async def _watch_events(self, watch: Callable[[Callable[[], None]], Awaitable[None]]) -> None:
        def changed() -> None:
            self.post_message(FleetChanged())

        await watch(changed)

    def on_fleet_changed(self, message: FleetChanged) -> None:
        """Events came: one refresh shortly after the first of a burst (the poll's timer is re-armed after it)."""
        message.stop()
        if self._debounce is None and self.is_mounted:
            self._debounce = self.set_timer(EVENT_DEBOUNCE_SECONDS, self._after_events)

    def _after_events(self) -> None:
        self._debounce = None
        self.refresh_fleet()

    def _updated_line(self) -> str:
        """"Updated now.", "Updated 25s ago." (to 5 s) under a minute, else "Updated 12:03."."""
        at = self._loaded_at
        if at is None:
            return ""
        seconds = max(0.0, (self.now() - at).total_seconds())
        if seconds < 5:
            return t("dispatch.board.updated_now")
        if seconds < 60:
            return t("dispatch.board.updated_seconds", seconds=int(seconds // 5) * 5)
        return t("dispatch.board.updated", at=self._at(at))

    def _tick_updated(self) -> None:
        """Once a second: the "Updated" line's age (written only when its text changes)."""
        if self._loaded_at is None or self._stale or self._from_cache or self.plan is None:
            return
        updated = self._updated_line()
        if updated != self._updated:
            self._updated = updated
            self._say_problem()

    @property
    def orders_list(self) -> OrderList:
        return self.query_one("#board-orders", OrderList)

    @property
    def couriers_list(self) -> CourierList:
        return self.query_one("#board-couriers", CourierList)

    def _at(self, when: datetime | None) -> str:
        """`when` on the store's clock for the status line, with its day when that is not today there ("yest 23:50":
        a board left offline across midnight, a problem reported before it); "--:--" for None (`day_clock`)."""
        if when is None:
            return clock(None, self._zone())
        from o2o_tui.domain.clock import day_clock

        return day_clock(when, self._zone() or when.tzinfo, self.now(), form="short")

    def _zone(self) -> ZoneInfo | None:
        store = self.snapshot.store if self.snapshot else None
        try:
            return ZoneInfo(store.timezone) if store else None
        except (KeyError, ValueError):
            return None

    # polling
    def refresh_fleet(self) -> None:
        """Fetch and plan now; the next poll is armed when this round ends."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._fetch()

    @work(exclusive=True, group="dispatch-fetch", exit_on_error=False)
    async def _fetch(self) -> None:
        now = self.now()
        try:
            snapshot = await self.fleet.snapshot()
        except Unreachable:
            cached = None
            reader = getattr(self.fleet, "cached", None)
            if self.snapshot is None and reader is not None:  # nothing loaded yet: what this device's cache holds
                cached = await self._read_cache(reader, now)
            self.post_message(FleetFailed("", offline=True, cached=cached))
            return
        except PlatformError as error:
            # the platform answers but cannot read its storage (as `sync.engine.storage_refused` tells it): the
            # console's PLATFORM DOWN, said in its words, not the client's generic one
            down = isinstance(error, ServerError) and error.code == "storage_unavailable"
            self.post_message(FleetFailed(error.i18n_message(), storage_down=down))
            return
        try:
            plan = await asyncio.to_thread(plan_live, snapshot, now, LIVE_PARAMS)
        except (
            Exception
        ) as error:  # a planning bug must not leave the board on "Loading" forever: say it, retry
            log.exception("dispatch planning failed")
            self.post_message(FleetFailed(type(error).__name__, planning=True))
            return
        self.post_message(FleetLoaded(snapshot, plan))

    async def _read_cache(
        self, reader: Callable[[], CachedFleet | None], now: datetime
    ) -> tuple[CachedFleet, LivePlan] | None:
        def read() -> tuple[CachedFleet, LivePlan] | None:
            cached = reader()
            return None if cached is None else (cached, cached_plan(cached, now))

        try:
            return await asyncio.to_thread(read)
        except Exception:  # a bad cached document must not leave the board on "Loading": say "not known"
            log.exception("dispatch board: the cached orders could not be shown")
            return None

    def _arm(self) -> None:
        if self._timer is None and self.is_mounted:
            self._timer = self.set_timer(self._poll_seconds, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._fetch()

    def on_fleet_loaded(self, message: FleetLoaded) -> None:
        self.snapshot = message.snapshot
        self.plan = message.plan
        self._from_cache = False
        self._cached_at = None
        self.query_one("#board-unknown", Static).display = False
        self._loaded_at = message.plan.now
        self._answered = set()
        self._show()
        self._updated = self._updated_line()
        self._stale = ""
        self._say_problem()
        self.rounds += 1
        self._arm()

    def on_fleet_failed(self, message: FleetFailed) -> None:
        if message.offline:
            self._say_offline(message.cached)
        elif message.storage_down:  # as the console says it: PLATFORM DOWN, nothing new arrives
            if self.snapshot is not None and not self._from_cache and self.plan is not None:
                self._stale = t("dispatch.board.storage_down_since", at=self._at(self.plan.now))
            else:
                self._stale = t("dispatch.board.storage_down")
            self._set_status(self._stale, error=True)
            if self.snapshot is None and not self._from_cache:
                self._show_unknown(t("dispatch.board.unknown_storage_down"))
        else:
            key = "dispatch.board.plan_failed" if message.planning else "dispatch.board.failed"
            self._stale = t(key, error=safe_text(message.message, one_line=True))
            self._set_status(self._stale, error=True)
            if self.snapshot is None and not self._from_cache:
                self._show_unknown(t("dispatch.board.unknown_failed"))
        self.rounds += 1
        self._arm()

    def _say_offline(self, cached: tuple[CachedFleet, LivePlan] | None) -> None:
        """The platform cannot be reached: keep what was loaded (and say how old it is), else show this device's
        cached orders marked as such, else say the orders and couriers are not known."""
        if self.snapshot is not None and not self._from_cache and self.plan is not None:
            self._stale = t("dispatch.board.offline_since", at=self._at(self.plan.now))
            self._set_status(self._stale, error=True)
            return
        if cached is not None:
            fleet, plan = cached
            self._from_cache = True
            self._cached_at = fleet.as_of
            self.snapshot = fleet.snapshot
            self.plan = plan
            self._show()
            self._show_unknown(None)
            self._set_status(self._cache_line(plan.now), error=True)
            return
        if self._from_cache and self.plan is not None:  # the cache was shown already: keep it
            self._set_status(self._cache_line(self.now()), error=True)
            return
        self._show_unknown(t("dispatch.board.unknown_offline"))
        self._set_status(t("dispatch.board.offline"), error=True)

    def _cache_line(self, now: datetime) -> str:
        """ "Offline: from this device's cache, as of 12:03 (14 min ago). Couriers not known; nothing can be sent."""
        at = self._cached_at
        if at is None:
            return t("dispatch.board.offline_cache_unknown_age")
        minutes = max(0, int((now - at).total_seconds() // 60))
        return t("dispatch.board.offline_cache", at=self._at(at), minutes=minutes)

    def _show_unknown(self, text: str | None) -> None:
        """Before anything was loaded: the counts are "?", the note says why nothing is listed (None: the cached
        orders are listed, the couriers are not known)."""
        note = self.query_one("#board-unknown", Static)
        if text is not None:
            note.display = True
            self._put(note, Content(text))
            self._put(self.query_one("#orders-title", Static), Content(t("dispatch.board.orders_title", count="?")))
        else:
            note.display = False
        self._put(self.query_one("#couriers-title", Static), Content(t("dispatch.board.couriers_unknown")))

    def _set_status(self, text: str, *, error: bool = False) -> None:
        """The status line: `text` plain, a catalog sentence's command in it bold without its backticks ("Log in
        again with o2o login", as the toasts say it: `command_content`)."""
        status = self.query_one("#board-status", Static)
        status.set_class(error, "-error")
        self._put(status, command_content(text))

    def _show(self, *, cursor_off: bool = True) -> None:
        """The lists, titles, header and map from the plan; `cursor_off` False: the cursor stays on orders just acted
        on (their rows repainted before the refresh that moves them)."""
        plan = self.plan
        if plan is None:
            return
        zone = self._zone()
        couriers = {c.courier_id: (i, c.name) for i, c in enumerate(plan.couriers)}
        stages = {o.id: o.delivery_status for o in self.snapshot.orders} if self.snapshot else {}
        order_views = [
            _with_stage(order_view(o, plan.suggestion_for(o.order_id), couriers, zone, plan.now), stages.get(o.order_id))
            for o in plan.orders
        ]
        suggested = {s.order_id: s for s in plan.suggestions}
        ready = {o.order_id: o.ready_at for o in plan.orders}
        states = {o.order_id: o for o in plan.orders}

        def rank(view: OrderRowView) -> tuple[int, datetime, str]:
            suggestion = suggested.get(view.order_id)
            when = suggestion.pickup_at if suggestion else ready[view.order_id]
            return _ORDER_RANK.get(view.tag, 9), when, view.number

        order_views.sort(key=rank)
        order_views = [self._marked(view, states.get(view.order_id), plan.now) for view in order_views]
        courier_views = [courier_view(i, c, plan.now, zone) for i, c in enumerate(plan.couriers)]
        orders = self.orders_list
        before = orders.keys
        place = before.index(orders.cursor_key) if orders.cursor_key in before else 0
        with self.app.batch_update():
            orders.set_rows(order_views)
            if self._just_sent and cursor_off:
                self._cursor_off(self._just_sent, place)
                self._just_sent = frozenset()
            self.couriers_list.set_rows(courier_views)
        waiting = sum(1 for o in plan.orders if o.courier_id is None)
        if self._from_cache:
            title = t("dispatch.board.orders_title_cached", count=waiting)
        else:
            title = t(
                "dispatch.board.orders_title_plan",
                count=waiting,
                suggested=len(plan.suggestions),
                now=sum(1 for s in plan.committed if not s.refused),  # a refused one is tagged so, not GO NOW
            )
        glyphs = glyphs_of(self.app)
        self._put(self.query_one("#orders-title", Static), Content(decorated(title, glyphs)))
        free = sum(1 for c in plan.couriers if c.free_at is not None and c.free_at <= plan.now)
        self._put(
            self.query_one("#couriers-title", Static),
            Content(
                decorated(t("dispatch.board.couriers_title_free", count=len(plan.couriers), free=free), glyphs)
            ),
        )
        store_name = safe_text(self.snapshot.store.name, one_line=True) if self.snapshot else ""
        self._put(
            self.query_one("#board-header", Static),
            Content.assemble(
                (self._header_text(), "bold"),  # the note that the terminal is not UTF-8 first, when it is not
                "  ",
                (clock(plan.now, zone), "bold"),
                "  ",
                store_name,  # last: on a narrow screen the name ends in "…", the clock stays
            ),
        )
        self._show_map()

    def _marked(self, view: OrderRowView, state: OrderState | None, now: datetime) -> OrderRowView:
        """A row with what the plan does not say: "sending…" while an action for it is on its way; an offer's age
        (late past `LATE_OFFER_MINUTES`)."""
        if view.order_id in self._in_flight:
            return replace(view, tag="sending")
        if view.order_id in self._answered:
            return replace(view, tag="sent")
        if view.tag == "offered" and state is not None and state.offered_at is not None:
            minutes = offer_age_minutes(state.offered_at, now)
            return replace(view, offer_age=offer_age(minutes), late=offer_late(minutes))
        return view

    def _put(self, widget: Static, content: Content) -> None:
        """Update a line only when its text changes: an idle board writes nothing to the terminal."""
        key = (content.plain, tuple(content.spans))  # Content's own == ignores styles
        if self._shown.get(widget.id or "") != key:
            self._shown[widget.id or ""] = key
            widget.update(content)

    def _cursor_off(self, acted: frozenset[str], place: int) -> None:
        """After an action the cursor stays where the user is: if it is on an order just acted on (which has moved
        to its new place in the list), it goes to the row now at the same place, or the nearest one below (else
        above) that was not acted on, so the next key never acts on the order just sent."""
        orders = self.orders_list
        keys = orders.keys
        if not keys or orders.cursor_key not in acted:
            return
        place = min(place, len(keys) - 1)
        order = [*range(place, len(keys)), *range(place - 1, -1, -1)]
        orders.move_cursor(next((keys[i] for i in order if keys[i] not in acted), keys[place]))

    def _show_map(self) -> None:
        selected = self.orders_list.cursor_key
        self.query_one(CityMap).show(self.plan, selected if isinstance(selected, str) else None)
        chosen = self._courier_of(selected) if isinstance(selected, str) else None
        self.couriers_list.show_courier(chosen)

    def _courier_of(self, order_id: str) -> str | None:
        """The courier the order is suggested to, else the one it is assigned to."""
        if self.plan is None:
            return None
        suggestion = self.plan.suggestion_for(order_id)
        return suggestion.courier_id if suggestion is not None else self._assigned_courier(order_id)

    @on(LineList.Highlighted, "#board-orders")
    def _order_highlighted(self) -> None:
        self._show_map()
        if self._updated:
            self._say_problem()

    def _say_problem(self) -> None:
        """The status line: the open problem the courier of the order under the cursor reported, in full."""
        key = self.orders_list.cursor_key
        state = next((o for o in self.plan.orders if o.order_id == key), None) if self.plan else None
        tail, stale = (self._stale, True) if self._stale else (self._updated, False)  # a failed round stays said
        if not stale and self._updated and self.has_class("-narrow") and self.plan is not None:
            # narrow: the lists' titles are hidden (dispatch_board.tcss), so how many wait is said here
            waiting = sum(1 for o in self.plan.orders if o.courier_id is None)
            now = sum(1 for s in self.plan.committed if not s.refused)
            lead = decorated(t("dispatch.board.status_waiting", count=waiting, now=now), glyphs_of(self.app))
            tail = f"{lead} {tail}"
        held = self._food_with_courier(key if isinstance(key, str) else None)
        if held:  # a courier has this order's food after a refused pickup: before anyone is sent for it
            tail = f"{held} {tail}"
        if state is not None and state.why in PICKED_UP_TAGS:
            self._set_status(f"{self._picked_up_line(state)} {tail}", error=stale)
            return
        if state is None or state.problem is None:
            self._set_status(tail, error=stale)
            return
        couriers = self.plan.couriers if self.plan else []
        courier = next((c.name for c in couriers if c.courier_id == state.courier_id), "")
        said = t(
            "dispatch.board.problem_line",
            number=f"#{state.order_number:04d}",
            courier=safe_text(courier, one_line=True),
            problem=fmt.problem_reason(state.problem),
            at=self._at(state.problem_at),
        )
        self._set_status(f"{said} {tail}", error=stale)

    def on_resize(self) -> None:
        """Across 60 columns the status line says how many orders wait, or leaves it to the list's title."""
        if self.plan is not None and not self._from_cache:
            self._say_problem()

    def _food_with_courier(self, order_id: str | None) -> str:
        """The line for the order under the cursor when a courier's pickup was refused (the order given to another
        courier meanwhile) with the bag in their hands ("#0012: courier Li has the food: ..."); else ""."""
        orders = self.snapshot.orders if self.snapshot is not None else []
        order = next((o for o in orders if o.id == order_id), None)
        held = order.food_with_courier if order is not None else None
        if order is None or held is None:
            return ""
        name = safe_text(held.courier_name, one_line=True)
        return t("dispatch.board.food_with_courier", number=order.display_number, name=name)

    def _picked_up_line(self, state: OrderState) -> str:
        """The status line for an order its courier has picked up: on its way back, or stuck with its courier."""
        couriers = self.plan.couriers if self.plan else []
        courier = safe_text(next((c.name for c in couriers if c.courier_id == state.courier_id), ""), one_line=True)
        number = f"#{state.order_number:04d}"
        problem = fmt.problem_reason(state.problem) if state.problem else ""
        if state.why == "returning":
            reason = t("dispatch.board.return_reason", problem=problem) if problem else ""
            return t("dispatch.board.return_line", number=number, courier=courier, reason=reason)
        if state.why == "off_duty_with_food":
            return t("dispatch.board.off_duty_line", number=number, courier=courier)
        key = "dispatch.board.stuck_line" if self._may_cancel() else "dispatch.board.stuck_line_ask_store"
        return t(key, number=number, courier=courier, problem=problem)

    def _may_cancel(self) -> bool:
        """Whether this board's user may cancel an order (a merchant): anyone else is told to ask the store."""
        return getattr(self.fleet, "role", None) == "merchant"

    def _picked_up_said(self, number: str, courier: str) -> str:
        """Why an order its courier has picked up stays with them, and what this board's user can do instead."""
        key = "dispatch.board.picked_up" if self._may_cancel() else "dispatch.board.picked_up_ask_store"
        return t(key, number=number, courier=courier)

    def _with_its_courier(self, view: OrderRowView) -> bool:
        """Say why an order its courier has picked up cannot go to another courier (True), before a key sends what
        the platform would refuse."""
        if view.tag not in PICKED_UP_TAGS:
            return False
        current = self._assigned_courier(view.order_id)
        name = safe_text(self._courier_name(current), one_line=True)
        if view.tag == "returning":
            said = t("dispatch.board.returning", number=view.number, courier=name)
        else:
            said = self._picked_up_said(view.number, name)
        say_in(self.app, said, severity="warning", timeout=10)
        return True

    def _courier_name(self, courier_id: str | None) -> str:
        couriers = self.plan.couriers if self.plan else []
        return next((c.name for c in couriers if c.courier_id == courier_id), courier_id or "")

    @on(LineList.Selected, "#board-orders")
    def _order_selected(self) -> None:
        self.action_assign()  # Enter on an order: choose its courier (as m)

    # actions
    def _offline_refusal(self) -> bool:
        """True (said) while the board shows this device's cache: nothing can be sent, and no courier is known."""
        if self._from_cache:
            say_in(self.app, t("dispatch.board.cache_no_action"), severity="warning", timeout=5)
        return self._from_cache

    def _selected(self) -> OrderRowView | None:
        if self._offline_refusal():
            return None
        view = self.orders_list.cursor_value
        if view is None:
            say_in(self.app, t("dispatch.board.nothing_selected"), severity="warning", timeout=3)
            return None
        if view.order_id in self._in_flight:  # a second key on an order whose action has not come back yet
            say_in(self.app, t("dispatch.board.in_flight", number=view.number), severity="warning", timeout=3)
            return None
        return view

    def _assigned_courier(self, order_id: str) -> str | None:
        if self.plan is None:
            return None
        return next((o.courier_id for o in self.plan.orders if o.order_id == order_id), None)

    def action_accept(self) -> None:
        view = self._selected()
        if view is None or self.plan is None or self._with_its_courier(view):
            return
        suggestion = self.plan.suggestion_for(view.order_id)
        current = self._assigned_courier(view.order_id)  # who the board saw holding it: the platform checks
        if suggestion is None:
            if current is not None:  # it has a courier: say who, and how to change that
                name = self._courier_label(current)
                said = t("dispatch.board.already_assigned", number=view.number, courier=name)
                say_in(self.app, said, severity="warning")
                return
            say_in(self.app, t("dispatch.board.no_suggestion", number=view.number), severity="warning")
            return
        self._send([("assign", suggestion.order_id, suggestion.courier_id, current)])

    def _courier_label(self, courier_id: str) -> str:
        """A courier as the board labels it: its mark and name."""
        couriers = self.plan.couriers if self.plan else []
        index = next((i for i, c in enumerate(couriers) if c.courier_id == courier_id), -1)
        if index < 0:
            return courier_id
        return f"{courier_mark(index)} {safe_text(couriers[index].name, one_line=True)}"

    def action_accept_all(self) -> None:
        if self._offline_refusal():
            return
        if self.plan is None or not self.plan.suggestions:
            say_in(self.app, t("dispatch.board.no_suggestions"), severity="warning")
            return
        operations, left_out = accept_all_pairs(self.plan, self._in_flight, self._assigned_courier)
        self._send(operations)
        if left_out:  # what was not sent, and why (the "Sent" line follows once the platform answered)
            say_in(self.app, left_out_line(left_out), severity="warning", timeout=15)

    def action_assign(self) -> None:
        self._pick_courier(reassign=False)

    def action_reassign(self) -> None:
        self._pick_courier(reassign=True)

    def _pick_courier(self, *, reassign: bool) -> None:
        view = self._selected()
        if view is None or self.plan is None or self._with_its_courier(view):
            return
        current = self._assigned_courier(view.order_id)
        if reassign and current is None:
            say_in(self.app, t("dispatch.board.not_assigned", number=view.number), severity="warning")
            return
        held = self._food_holder(view.order_id)
        if held is not None:  # its food is with a courier who no longer holds it: say so, and ask first

            def answered(yes: bool | None) -> None:
                if yes:
                    self._open_picker(view, current, reassign=reassign)

            text = t("dispatch.board.food_confirm", number=view.number, name=safe_text(held, one_line=True))
            self.app.push_screen(FoodConfirm(text), answered)
            return
        self._open_picker(view, current, reassign=reassign)

    def _food_holder(self, order_id: str) -> str | None:
        """The name of the courier who still has this order's food after a refused pickup (None: nobody)."""
        orders = self.snapshot.orders if self.snapshot is not None else []
        order = next((o for o in orders if o.id == order_id), None)
        held = order.food_with_courier if order is not None else None
        return held.courier_name if held is not None else None

    def _open_picker(self, view: OrderRowView, current: str | None, *, reassign: bool) -> None:
        if self.plan is None:
            return
        title_key = "dispatch.board.pick_reassign" if reassign else "dispatch.board.pick_assign"
        picker = CourierPicker(
            Content(t(title_key, number=view.number)),
            self.plan.couriers,
            self._zone(),
            current if reassign else None,
            now=self.plan.now,
        )

        def chosen(courier_id: str | None) -> None:
            if courier_id:  # expecting the holder the board showed: one who took it meanwhile keeps it
                self._send([("assign", view.order_id, courier_id, current)])

        self.app.push_screen(picker, chosen)

    def action_unassign(self) -> None:
        view = self._selected()
        if view is None or self._with_its_courier(view):
            return
        current = self._assigned_courier(view.order_id)
        if current is None:
            say_in(self.app, t("dispatch.board.not_assigned", number=view.number), severity="warning")
            return
        # expecting the holder the board showed: a courier who got it since keeps it
        self._send([("unassign", view.order_id, "", current)])

    def action_help(self) -> None:
        self.app.push_screen(BoardHelp(help_entries(self, self.orders_list)))

    def action_refresh(self) -> None:
        self._set_status(t("dispatch.board.loading"))
        self.refresh_fleet()

    def action_back(self) -> None:
        if self._root:  # Esc closes dialogs; on the board alone it does not quit: it says which key does
            say_in(self.app, t("dispatch.board.how_to_quit", key=self.quit_key()), timeout=4)
        else:
            self.app.pop_screen()

    async def action_quit(self) -> None:
        """q on the board alone (Ctrl+Q too, from any dialog: `DispatchApp.action_ask_quit`): quit at once, unless
        orders are being sent (their rows say "sending…"): then ask first, as the console's queue asks while
        actions wait to be sent (`OrdersScreen.action_quit`): 1, Enter, y or q again quit; 2, n or Esc stay.
        Ctrl+C never asks."""
        sending = len(self._in_flight)
        if not sending or (self._quit_prompt is not None and self.app.screen is self._quit_prompt):
            await self.app.action_quit()
            return
        from screens.dialogs import ChoicePrompt  # loaded with the first dialog, as the queue's

        lines = [t("dispatch.board.quit.title"), t("dispatch.board.quit.sending", count=sending)]
        choices = [("quit", t("queue.quit.yes")), ("stay", t("queue.quit.no"))]

        async def answered(choice: str | None) -> None:
            self._quit_prompt = None
            if choice == "quit":
                await self.app.action_quit()

        self._quit_prompt = ChoicePrompt(
            Content("\n".join(lines)), choices, shortcuts={"y": "quit", "q": "quit", "n": "stay"}
        )
        self.app.push_screen(self._quit_prompt, answered)

    def _send(self, operations: list[Operation]) -> None:
        if operations:
            self._in_flight.update(operation[1] for operation in operations)
            self._show(cursor_off=False)  # their rows say "sending…" until the answer comes
            self._send_all(operations)

    @work(group="dispatch-act", exit_on_error=False)
    async def _send_all(self, operations: list[Operation]) -> None:
        self.busy = True
        numbers = {o.order_id: f"#{o.order_number:04d}" for o in (self.plan.orders if self.plan else [])}
        done: list[str] = []
        done_ids: set[str] = set()
        refused: list[str] = []
        unsent: list[str] = []
        unknown: list[str] = []
        unknown_short: list[str] = []
        for place, (kind, order_id, courier_id, expect) in enumerate(operations):
            number = numbers.get(order_id, order_id)
            try:
                if kind == "assign":
                    await self.fleet.assign(order_id, courier_id, expect)
                else:
                    await self.fleet.unassign(order_id, expect)
            except Unreachable as error:
                # not a refusal: the platform said nothing. The rest wait for the same link: not sent either.
                if _never_sent(error):
                    unsent.append(number)
                else:  # the request may have arrived and been applied: say so, the next refresh shows it
                    unknown.append(t("dispatch.board.no_answer." + kind, number=number))
                    unknown_short.append(t("dispatch.board.no_answer_short." + kind, number=number))
                unsent.extend(numbers.get(other[1], other[1]) for other in operations[place + 1 :])
                break
            except PlatformError as error:
                if error.code == "courier_changed":  # another holder than the board showed: it keeps the order
                    refused.append(courier_changed_line(number, error.detail, kind))
                    continue
                if error.code == "already_picked_up" and not self._may_cancel():
                    # picked up since the board looked: the platform's words say to cancel, which only the store may
                    refused.append(self._picked_up_said(number, self._courier_name(expect)))
                    continue
                key = "dispatch.board.refused" if error.is_final else "dispatch.board.not_done"
                refused.append(t(key, number=number, reason=error.i18n_message()))
                continue
            done.append(number)
            done_ids.add(order_id)
        acted = frozenset(operation[1] for operation in operations)
        self.post_message(
            ActionsDone(
                done,
                refused,
                acted,
                unsent=unsent,
                unknown=unknown,
                unknown_short=unknown_short,
                done_ids=frozenset(done_ids),
            )
        )

    def on_actions_done(self, message: ActionsDone) -> None:
        self.busy = False
        self._in_flight -= message.order_ids
        self._answered |= message.done_ids  # "sent" until the refresh shows where they are now
        self._show(cursor_off=False)  # "sending…" off their rows now (the cursor leaves them at the refresh, in their new places)
        self._just_sent = self._just_sent | message.order_ids
        if message.done:
            numbers = ", ".join(message.done)
            say_in(self.app, t("dispatch.board.sent", count=len(message.done), numbers=numbers))
        for text in message.refused:
            say_in(self.app, safe_text(text), severity="error", timeout=10)
        not_sent = t("dispatch.board.not_sent", numbers=", ".join(message.unsent)) if message.unsent else ""
        if message.unknown and 0 < self.app.size.width < TOAST_NARROW:
            # narrow: each new toast takes an older one down (screens/toast_holding.py), and "not sent" came after
            # the warning that an assignment MAY have been made, the one the dispatcher must check: one toast
            # says both, in a few words, that warning first
            said = " ".join(message.unknown_short)
            if not_sent:
                said = t("dispatch.board.no_answer_and_not_sent", unknown=said, not_sent=not_sent)
            say_in(self.app, safe_text(said), severity="warning", timeout=15)
        else:
            for text in message.unknown:
                say_in(self.app, safe_text(text), severity="warning", timeout=15)
            if not_sent:
                say_in(self.app, not_sent, severity="error", timeout=10)
        self.refresh_fleet()

    async def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self._debounce is not None:
            self._debounce.stop()
        if self._unwatch is not None:
            self._unwatch()
        self.workers.cancel_group(self, "dispatch-events")
        await self.fleet.close()


# why `A` leaves a suggested pair out, in the order the line says them
LEFT_OUT_REASONS = ("refused", "held", "full")


def accept_all_pairs(
    plan: LivePlan, in_flight: set[str], holder: Callable[[str], str | None]
) -> tuple[list[Operation], dict[str, list[str]]]:
    """What `A` sends: every suggested pair but those the engine leaves to a person (`refused`: its courier
    rejected the order before, the only one who could take it; `held`: a reassignment away from a courier who
    reported a problem) and those the platform would refuse (`full`: more than the courier has room for). Orders
    already on their way are not sent again, nor counted. `holder(order_id)`: who the board saw holding it. Also
    the numbers left out ("#0012"), by reason."""
    room = {c.courier_id: room_left(c) for c in plan.couriers}
    operations: list[Operation] = []
    left_out: dict[str, list[str]] = {}
    for s in plan.suggestions:
        if s.order_id in in_flight:
            continue
        reason = "refused" if s.refused else "held" if s.held else "full" if room.get(s.courier_id, 0) <= 0 else ""
        if reason:
            left_out.setdefault(reason, []).append(f"#{s.order_number:04d}")
            continue
        room[s.courier_id] -= 1
        operations.append(("assign", s.order_id, s.courier_id, holder(s.order_id)))
    return operations, left_out


def left_out_line(left_out: dict[str, list[str]]) -> str:
    """One line: how many `A` left out and why ("Left out by A, 2: #0012: its courier refused it before ...")."""
    parts = [
        t(f"dispatch.board.left_out.{reason}", numbers=", ".join(left_out[reason]))
        for reason in LEFT_OUT_REASONS
        if left_out.get(reason)
    ]
    count = sum(len(numbers) for numbers in left_out.values())
    return t("dispatch.board.left_out", count=count, reasons=t("dispatch.board.left_out.join").join(parts))


def courier_changed_line(number: str, detail: ErrorDetail | None, kind: str = "assign") -> str:
    """The refusal of an assignment (`kind` "assign") or a take-back ("unassign") whose order changed hands since
    the board looked (409 `courier_changed`): who holds it now and whether they answered ("#0006 not sent: Wang
    has it now and accepted it (Coming) ..."), or that nobody does."""
    holder = detail.courier_id if detail is not None else None
    if detail is None or holder is None:
        return t("dispatch.board.courier_changed.nobody", number=number)
    name = safe_text(detail.courier_name or holder, one_line=True)
    status = detail.delivery_status or ""
    stage = t(f"ui.courier_stage.{status}")
    if stage == f"ui.courier_stage.{status}":
        stage = safe_text(status, one_line=True)
    key = "offered" if status == DeliveryStatus.PENDING.value else "accepted"
    prefix = "dispatch.board.courier_changed_unassign." if kind == "unassign" else "dispatch.board.courier_changed."
    return t(prefix + key, number=number, courier=name, stage=stage)


def _never_sent(error: Unreachable) -> bool:
    """Whether the request surely never reached the platform: the connection could not be opened (the client
    words a transport fault as "METHOD /path: ExceptionName: ..."). A timeout or a connection lost while waiting
    for the answer may come after the platform applied it."""
    return error.code != "timeout" and ": ConnectError:" in error.message


class DispatchApp(ToastHoldingApp):  # toasts held behind dialogs (screens/toast_holding.py), keys in order typed
    """`o2o dispatch` for a dispatcher: the board alone. Its toasts as the merchant console's: held while the
    courier picker or the help is open, at most half the rows below 60 columns."""

    ENABLE_COMMAND_PALETTE = False
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-normal"), (120, "-wide")]
    BINDINGS = [
        Binding("ctrl+c", "quit", "dispatch.board.key.quit", show=False, priority=True, id="app.quit"),
        # Ctrl+Q (Textual's quit key, replaced here) asks as the board's q does; Ctrl+C never asks
        Binding("ctrl+q", "ask_quit", "dispatch.board.key.quit", show=False, priority=True, id="app.ask_quit"),
    ]

    def __init__(
        self,
        fleet: FleetSource,
        *,
        clock: Callable[[], datetime] = _utcnow,
        poll_seconds: float = POLL_SECONDS,
        theme: str | None = None,
        keymap: dict[str, str] | None = None,
        glyphs: Glyphs | None = None,
    ):
        super().__init__()
        self.glyphs = glyphs or FULL  # the terminal's set is chosen on mount (screens/terminal.py)
        self._glyphs_given = glyphs
        self.fleet = fleet
        self.now = clock
        self._poll_seconds = poll_seconds
        self.title = t("dispatch.board.title")
        self.theme = theme or theme_for(os.environ)
        if keymap:
            self.set_keymap(keymap)  # binding id -> key(s), e.g. {"dispatch.accept": "y"}
            from screens.keys import check_keymap_later  # an unknown id, a key taken from another: said

            check_keymap_later(self, keymap, "dispatch")

    def on_mount(self) -> None:
        apply_glyphs(self, self._glyphs_given)
        self.screen_change_signal.subscribe(self, self._on_screen_change)
        self.board = DispatchBoard(self.fleet, poll_seconds=self._poll_seconds, root=True)
        self.push_screen(self.board)

    async def action_ask_quit(self) -> None:
        """Ctrl+Q, over any dialog: as the board's q (asks first while orders are being sent)."""
        await self.board.action_quit()

    def get_key_display(self, binding: Binding) -> str:
        return key_display(super().get_key_display(binding), self.glyphs)  # `Enter` where ⏎ cannot show

    def _held_count(self, count: int) -> str:
        return t("dispatch.board.held_toasts", count=count)  # the board has no `!`: its rows say what stands now


def board_for_profile(profile: object, store_id: str | None = None, **kwargs: object) -> DispatchBoard:
    """A board for `profile`. The merchant console pushes it with `d`: `self.app.push_screen(board_for_profile(
    profile))`; the board borrows the console's own platform client when the console lends one for this profile
    (`MerchantApp.platform_client_for`), else it makes one at its first call and closes it when it goes away."""

    def make_client() -> FleetClient:
        from o2o_tui.client import AsyncPlatformClient

        return AsyncPlatformClient(profile.url, profile.token)  # type: ignore[attr-defined]

    chosen = store_id or profile.store_id  # type: ignore[attr-defined]
    fleet = ClientFleet(
        None, chosen, profile_name=getattr(profile, "name", None), make_client=make_client, profile=profile
    )
    return DispatchBoard(fleet, **kwargs)  # type: ignore[arg-type]


def run_dispatch_board(profile: object, store_id: str) -> None:
    """Open the board alone (`o2o dispatch`)."""
    from o2o_tui.client import AsyncPlatformClient
    from o2o_tui.settings import load_settings

    client = AsyncPlatformClient(profile.url, profile.token)  # type: ignore[attr-defined]
    fleet = ClientFleet(
        client, store_id, profile_name=getattr(profile, "name", None), role=getattr(profile, "role", None)
    )
    DispatchApp(fleet, keymap=load_settings().keymap).run()
