"""The console's side of auto-accept (`o2o_tui/auto_accept.py` decides; this carries it out). No Textual here.

Every console with the store's auto-accept on checks in with the platform every `CHECK_IN_SECONDS`
(`GET /v1/stores/{id}/auto-accept?device=NAME`; with it off, once at start, so the platform knows the console's name
as a station to choose): the station's check-in keeps it "online" on the platform, and every
console learns today's count and whether the station is online (the banner on the others). The station console,
after each change of its source, accepts the orders that are due through the source (the outbox, exactly once, as a
person's `a`), with the store's default prep time and `auto: true`; only while its link is ONLINE (a station cut
off from the platform accepts nothing: the orders wait for a person). An order tried once is never tried again.

The kitchen ticket of an auto-accept prints only once the platform has taken it, as for a person's `a`
(`screens/order_actions.py`): a person may have accepted the order a moment before (another counter, whose console
prints the ticket of the accept that stands, or a script). The platform refuses the station's accept then (409
`already_accepted`), or, when it asked the same minutes, answers it as done without a change: the order it answers
names another accept as the one that stood (`accept_key`; an older platform's is not `auto_accepted`), so nothing
prints here either. A person's accept of the same minutes that reaches the platform after the station's prints
nothing on their console the same way (`screens/order_actions.py`). Should the link drop while the station waits,
the accept is queued and counts as taken (the kitchen starts on it), as a person's does.

The station's printer (`printer`: what its print queue last found, None while it prints): while tickets wait for
it, the station's queue says so ("Printer offline: 2 tickets not printed"); past `PRINTER_HOLD_S` of it, the
station accepts nothing (`printer_holds`): new orders ring for a person until the printer prints again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from rich.cells import cell_len

from o2o_tui.auto_accept import Candidate, PrinterDown, decide, is_station, printer_holds, state_call
from o2o_tui.domain.auto_accept import CHECK_IN_SECONDS, AutoAcceptState
from o2o_tui.domain.order import Order, OrderStatus
from o2o_tui.domain.requests import ConfirmBody
from o2o_tui.i18n import t
from screens.source import ActionRefused, LinkState, OrderSource, link_up

CheckIn = Callable[[str, str, bool], Awaitable[AutoAcceptState]]  # store id, device name, its printer holds
VERDICT_POLL_S = 0.05  # how often an accept sent online looks whether the platform has answered it
VIEW_WAIT_S = 2.0  # for the source to show the order the platform answered, once the entry is done


def client_check_in(profile: Any) -> CheckIn:
    """A check-in through a platform client of its own for `profile`, made on first use."""
    client: Any = None

    async def check_in(store_id: str, device: str, printer_held: bool) -> AutoAcceptState:
        nonlocal client
        if client is None:
            from o2o_tui.client import AsyncPlatformClient

            client = AsyncPlatformClient(profile.url, profile.token, timeout=10.0)
        result: AutoAcceptState = await client.call(state_call(store_id, device, printer_held))
        return result

    return check_in


class Station:
    def __init__(
        self,
        source: OrderSource,
        device: str,
        *,
        clock: Callable[[], datetime],
        check_in: CheckIn | None = None,
        on_news: Callable[[], None] | None = None,
        # the order, its prep minutes, the accept's key (None: the source gives none) and whether the platform took
        # it (True), or it is queued (False: the link dropped while it waited); None: the source cannot tell
        on_accepted: Callable[[Order, int, str | None, bool | None], None] | None = None,
        # this console's printer when it cannot print with tickets waiting (None: it prints, or there is none)
        printer: Callable[[], PrinterDown | None] | None = None,
    ) -> None:
        self.source = source
        self.device = device
        self.now = clock
        self.state: AutoAcceptState | None = None  # the platform's last answer (None: not asked yet)
        self._check_in = check_in
        self._on_news = on_news or (lambda: None)
        self._on_accepted = on_accepted or (lambda order, minutes, key, confirmed: None)
        self._printer = printer or (lambda: None)
        self._tried: set[str] = set()
        self._busy = False
        self._again = False
        self._checking = False
        self._introduced = False  # asked once with auto-accept off (the platform knows this console's name)
        self._told_held = False  # what the last check-in said of this station's printer holding auto-accept

    # what a console shows
    @property
    def is_station(self) -> bool:
        return is_station(self.source.store(), self.device)

    def may_act(self) -> bool:
        """Whether a pass could accept anything at all (cheap: checked on every change of the source)."""
        store = self.source.store()
        return store is not None and store.auto_accept.enabled and self.is_station

    def wants_check_in(self) -> bool:
        """The store's switch moved since the platform last answered, or this station's printer began or stopped
        holding auto-accept since it last said: ask now rather than at the next round."""
        store = self.source.store()
        if store is None or self._check_in is None:
            return False
        known = self.state
        if known is None:  # not asked yet: ask when it is on, or to say this console's name once
            return store.auto_accept.enabled or not self._introduced
        if self.printer_held() != self._told_held:  # the other consoles hear of it at once, not in 15 s
            return True
        return (known.enabled, known.station, known.daily_cap) != (
            store.auto_accept.enabled,
            store.auto_accept.station,
            store.auto_accept.daily_cap,
        )

    def printer_down(self) -> PrinterDown | None:
        """The station's printer while it cannot print with tickets waiting (None: it prints, or not the station
        of an auto-accept that is on)."""
        store = self.source.store()
        if store is None or not store.auto_accept.enabled or not self.is_station:
            return None
        printer = self._printer()
        return printer if printer is not None and printer.waiting > 0 else None

    def printer_held(self) -> bool:
        """Auto-accept holds here: the station's printer has been unable to print too long (`printer_holds`)."""
        return printer_holds(self.printer_down(), self.now())

    def banner(self, width: int) -> str | None:
        """On a console that is not the station: auto-accept is on but nobody carries it out (the station offline,
        or holding it while its printer cannot print). On the station: its printer cannot print and tickets wait
        (and whether auto-accept holds for it)."""
        store = self.source.store()
        if store is None or not store.auto_accept.enabled:
            return None
        if self.is_station:
            return self._printer_banner(width)
        # the platform's mirror of the station's last check-in, as soon as its event comes (set only while the
        # station is online: this console's own answer, up to a round older, may still say offline)
        held = store.auto_accept.station_printer_held
        online = self.state.station_online if self.state is not None else store.auto_accept.station_online
        if online and store.auto_accept.station and not held:
            return None
        stem = "auto_accept.banner." + ("station_printer_held" if held else "station_offline")
        for key in (stem, f"{stem}_short"):
            text = t(key)
            if cell_len(text) <= width - 2:  # the banner's padding
                return text
        return None

    def _printer_banner(self, width: int) -> str | None:
        printer = self.printer_down()
        if printer is None:
            return None
        held = printer_holds(printer, self.now())
        words = dict(problem=printer.problem, count=printer.waiting)
        stem = "auto_accept.banner.printer_held" if held else "auto_accept.banner.printer_down"
        room = width - 2  # the banner's padding
        for key in (stem, f"{stem}_short", f"{stem}_tiny"):
            text = t(key, **words)
            if cell_len(text) <= room:
                return text
        return None

    # checking in
    async def check_in_once(self) -> None:
        store = self.source.store()
        if self._check_in is None or store is None or self.source.link().state is not LinkState.ONLINE:
            return
        # auto-accept off and never asked: one ask all the same, so the platform knows this console's name (a
        # station `o2o store auto-accept --station` may choose); then quiet until auto-accept is turned on
        introduce = not store.auto_accept.enabled and self.state is None
        if introduce and self._introduced:
            return
        from o2o_tui.client.errors import PlatformError

        if self._checking:
            return  # one check-in at a time
        self._checking = True
        held = self.printer_held()
        try:
            state = await self._check_in(store.id, self.device, held)
            self._told_held = held
        except PlatformError:
            return  # the link line says why; the next round asks again
        finally:
            self._checking = False
        if introduce:
            self._introduced = True
            return
        if state != self.state:
            self.state = state
            self._on_news()

    async def run(self) -> None:
        """Check in until cancelled."""
        while True:
            with contextlib.suppress(Exception):
                await self.check_in_once()
            await asyncio.sleep(CHECK_IN_SECONDS)

    # accepting
    async def act(self) -> list[str]:
        """Accept what is due now (one pass at a time; a change during a pass runs another). Answers the ids sent."""
        if self._busy:
            self._again = True
            return []
        self._busy = True
        sent: list[str] = []
        try:
            self._again = True
            while self._again:
                self._again = False
                sent += await self._pass()
        finally:
            self._busy = False
        return sent

    async def _pass(self) -> list[str]:
        store = self.source.store()
        if store is None or self.source.link().state is not LinkState.ONLINE:
            return []
        decision = decide(
            (Candidate(entry.order, entry.pending) for entry in self.source.orders()),
            store,
            device=self.device,
            now=self.now(),
            counted_today=self.state.accepted_today if self.state is not None else 0,
            tried=self._tried,
            printer=self.printer_down(),
            menu=self.source.menu(),
        )
        sent: list[tuple[Order, str | None]] = []  # every accept goes into the outbox first, then is followed
        for order in decision.accept:
            self._tried.add(order.id)
            try:
                body = ConfirmBody(preparation_minutes=decision.minutes_for(order), auto=True)
                sent.append((order, await self._queue(order, body)))
            except ActionRefused:
                continue  # taken meanwhile, or refused: left to a person, never tried again
        for order, key in sent:
            if key is None:
                self._on_accepted(order, decision.minutes_for(order), None, None)
                continue
            taken, confirmed = await self._taken(key, order.id)
            if taken:
                self._on_accepted(order, decision.minutes_for(order), key, confirmed)
        return [order.id for order, _ in sent]

    async def _queue(self, order: Order, body: ConfirmBody) -> str | None:
        """Put the accept in the outbox; its key when the source can follow it (the engine's), else None."""
        keyed = getattr(self.source, "submit_keyed", None)
        if keyed is None:
            await self.source.submit("order.confirm", order.id, body)
            return None
        key: str = await keyed("order.confirm", order.id, body)
        return key

    async def _taken(self, key: str, order_id: str) -> tuple[bool, bool]:
        """Whether the accept under `key` is the one that stands, and whether the platform answered it: followed
        while the link is up until the platform answers it; queued (the link dropped) counts as taken, unconfirmed."""
        while link_up(self.source):
            pending, refusal = await self.source.entry_state(key)  # type: ignore[attr-defined]
            if refusal is not None:
                return False, False  # another accept stood first: the source says so, with its ready time
            if not pending:
                stood = getattr(self.source, "accept_stood", None)  # the platform says whose accept stood
                known = await stood(key, order_id) if stood is not None else None
                return (await self._stood_as_auto(order_id) if known is None else known), True
            await asyncio.sleep(VERDICT_POLL_S)
        return True, False

    async def _stood_as_auto(self, order_id: str) -> bool:
        """The platform answered the accept as done: whether the order it answered is this station's accept
        (`auto_accepted`), not a person's of the same minutes that it found already there: for a platform that
        does not say whose accept stood (`Order.accept_key`)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + VIEW_WAIT_S
        while True:
            entry = self.source.order(order_id)
            if entry is None:
                return False  # gone from the queue (cancelled meanwhile): nothing to cook
            if "order.confirm" not in entry.pending and entry.order.status is not OrderStatus.CREATED:
                return entry.order.auto_accepted
            if loop.time() >= deadline:
                return True  # the view is slow to follow: the accept was taken, so the kitchen's ticket
            await asyncio.sleep(VERDICT_POLL_S)
