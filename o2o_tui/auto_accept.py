"""Auto-accept as the printing station carries it out: which orders to accept now. No I/O, no Textual.

The store's setting (`Store.auto_accept`) says whether auto-accept is on, the daily cap and which console is the
station. Only the station accepts, and only orders that are due: CREATED, not already acted on from this device,
not held for later (a scheduled order before its prep start: `Order.held_until`), not past their accept deadline,
in a store taking orders. The prep time is each order's own (`o2o_tui.domain.prep_time`: its longest dish's
minutes on the menu held here, the store's default for a dish that sets none), as a person's Enter in the accept
prompt takes it; the platform adds a busy store's extra minutes.
Within the day's cap (the platform counts too and refuses past it, so two consoles cannot go over); past it the
orders wait for a person and ring as always. An order the station has tried once is never tried again (taken by
someone else, refused): no loop.

The station's own printer: while it cannot print (off, out of paper) and kitchen tickets wait, the station says so
on its queue; once that has lasted `PRINTER_HOLD_S` (the printer's problem started that long ago, as its print
queue recorded it), auto-accept holds: new orders ring for a person, who can cook from the screen, rather than being
promised to a kitchen that never gets the ticket. It resumes when the printer prints again (an order still waiting
then is accepted, and its ticket prints).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

from o2o_tui.domain.auto_accept import AutoAcceptState
from o2o_tui.domain.limits import as_utc
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import Order, OrderStatus
from o2o_tui.domain.prep_time import accept_minutes_for
from o2o_tui.domain.store import Store
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from o2o_tui.store_effect import effect, store_zone

if TYPE_CHECKING:
    from o2o_tui.client.wire import Call


PRINTER_HOLD_S = 120.0  # a printer down this long with tickets waiting holds auto-accept


@dataclass(frozen=True, slots=True)
class PrinterDown:
    """The station's printer as its print queue last found it: it cannot print and `waiting` tickets wait."""

    problem: str  # in words ("Printer offline")
    waiting: int
    since: datetime | None = None  # when the problem started (None: not known)


def printer_holds(printer: PrinterDown | None, now: datetime) -> bool:
    """Whether auto-accept holds for the printer: tickets wait and it has been unable to print `PRINTER_HOLD_S`."""
    if printer is None or printer.waiting <= 0 or printer.since is None:
        return False
    return as_utc(now) - as_utc(printer.since) >= timedelta(seconds=PRINTER_HOLD_S)


@dataclass(frozen=True, slots=True)
class Candidate:
    order: Order
    pending: tuple[str, ...] = ()  # actions queued on this device for the order


@dataclass(frozen=True, slots=True)
class Decision:
    accept: list[Order] = field(default_factory=list)  # accept these now, oldest first
    over_cap: list[Order] = field(default_factory=list)  # due, but the day's cap is reached: a person accepts
    prep_minutes: int = 15  # the store's default (an order of dishes that set no time of their own)
    minutes: dict[str, int] = field(default_factory=dict)  # by order id: each accepted order's own prep time

    def minutes_for(self, order: Order) -> int:
        """The prep minutes the accept of `order` sends: its own (`accept_minutes_for`), else the store's."""
        return self.minutes.get(order.id, self.prep_minutes)


def is_station(store: Store | None, device: str) -> bool:
    return bool(store is not None and device and store.auto_accept.station == device)


def day_start(store: Store, now: datetime) -> datetime:
    local = as_utc(now).astimezone(store_zone(store))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def accepted_today(orders: Iterable[Order], store: Store, now: datetime) -> int:
    """Orders auto-accepted since the store's local midnight, as this device knows them."""
    start = day_start(store, now)
    return sum(
        1
        for o in orders
        if o.auto_accepted and o.confirmed_at is not None and as_utc(o.confirmed_at) >= start
    )


def is_due(order: Order, now: datetime) -> bool:
    if order.status is not OrderStatus.CREATED:
        return False
    if order.held_until is not None and as_utc(order.held_until) > now:
        return False  # scheduled, before its prep start
    if order.closed_at_promise is not None:
        return False  # promised for a time its store's hours closed since: a person calls the customer or cancels
    return order.accept_deadline is None or as_utc(order.accept_deadline) > now


def decide(
    candidates: Iterable[Candidate],
    store: Store | None,
    *,
    device: str,
    now: datetime,
    counted_today: int = 0,
    tried: frozenset[str] | set[str] = frozenset(),
    printer: PrinterDown | None = None,
    menu: Menu | None = None,
) -> Decision:
    """What the station console `device` should accept now. `counted_today`: the platform's count when known
    (the larger of it and this device's own count is used); `tried`: orders this station already sent; `printer`:
    the station's printer when it cannot print (held past `PRINTER_HOLD_S`: nothing is accepted, none tried);
    `menu`: the menu held here, for each order's prep time (None: the store's default for every order)."""
    if store is None or not store.auto_accept.enabled or not is_station(store, device):
        return Decision()
    if printer_holds(printer, now):
        return Decision(prep_minutes=store.default_prep_minutes)
    if not effect(store, now).takes_orders:
        return Decision()
    listed = list(candidates)
    due = sorted(
        (c.order for c in listed if not c.pending and c.order.id not in tried and is_due(c.order, now)),
        key=lambda o: (o.created_at, o.number),
    )
    cap = store.auto_accept.daily_cap
    prep = store.default_prep_minutes
    minutes = {order.id: accept_minutes_for(order, store, menu) for order in due}
    if not cap:
        return Decision(accept=due, prep_minutes=prep, minutes=minutes)
    used = max(counted_today, accepted_today((c.order for c in listed), store, now))
    in_flight = sum(1 for c in listed if c.order.id in tried and c.pending and not c.order.auto_accepted)
    room = max(0, cap - used - in_flight)
    return Decision(accept=due[:room], over_cap=due[room:], prep_minutes=prep, minutes=minutes)


def state_call(store_id: str, device: str = "", printer_held: bool = False) -> Call[AutoAcceptState]:
    """`GET /v1/stores/{id}/auto-accept`: the setting and today's count; a check-in when `device` is the station
    (`printer_held`: its printer cannot print, so it holds auto-accept; the other consoles are told)."""
    from o2o_tui.client.wire import Call  # not at import: the console's first frame does not need it

    params: dict[str, str] | None = {"device": device} if device else None
    if params is not None and printer_held:
        params["printer_held"] = "true"
    return Call("GET", f"/v1/stores/{quote(store_id, safe='')}/auto-accept", AutoAcceptState, params=params)


def known_state(
    store: Store, platform: AutoAcceptState | None, orders: Iterable[Order], now: datetime
) -> AutoAcceptState:
    """The setting as the store (the latest event) says, today's count as the larger of the platform's last answer
    and this device's own, the station online as the platform last said (its answer, else the store's mirror)."""
    setting = store.auto_accept
    count = accepted_today(orders, store, now)
    fresh = platform is not None and platform.station == setting.station
    return AutoAcceptState(
        enabled=setting.enabled,
        daily_cap=setting.daily_cap,
        station=setting.station,
        station_online=platform.station_online if fresh and platform else setting.station_online,
        station_seen_at=platform.station_seen_at if fresh and platform else None,
        station_printer_held=platform.station_printer_held if fresh and platform else setting.station_printer_held,
        accepted_today=max(count, platform.accepted_today if platform is not None else 0),
        day=platform.day if platform is not None else "",
    )


def describe(
    state: AutoAcceptState,
    device: str,
    *,
    none_key: str = "auto_accept.station.none",
    printer_held: bool = False,
) -> list[str]:
    """Two lines: the switch with today's count ("on, 12 of 50 auto-accepted today"), the station (online or
    offline while auto-accept is on; idle while it is off). `none_key`: how to choose a station where none is
    chosen (the store screen's key, or the command's option); `printer_held`: this console is the station and
    holds auto-accept for its printer (`printer_holds`); another console says the station holds it so when the
    platform says it (`station_printer_held`)."""
    if not state.enabled:
        first = t("auto_accept.line.off")
    elif printer_held and state.station == device:
        first = t("auto_accept.line.printer_held", count=state.accepted_today)
    elif state.station_printer_held and state.station_online and state.station != device:
        first = t("auto_accept.line.station_printer_held", count=state.accepted_today)
    elif not state.daily_cap:
        first = t("auto_accept.line.on_no_cap", count=state.accepted_today)
    elif state.accepted_today >= state.daily_cap:
        first = t("auto_accept.line.cap_reached", count=state.accepted_today, cap=state.daily_cap)
    else:
        first = t("auto_accept.line.on_cap", count=state.accepted_today, cap=state.daily_cap)
    if not state.station:
        return [first, t(none_key)]
    # the station checks in only while auto-accept is on: off, its "offline" would only say that
    if not state.enabled:
        key = "auto_accept.station.idle"
    else:
        key = "auto_accept.station.online" if state.station_online else "auto_accept.station.offline"
    second = t(key, name=safe_text(state.station, one_line=True))
    if state.station == device:
        second = t("auto_accept.station.this_console", line=second)
    return [first, second]
