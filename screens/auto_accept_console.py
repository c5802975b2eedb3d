"""Wires auto-accept (`screens/auto_accept_station.py`) into the merchant console: the station runs beside the
source, acts after each source change, and the banner and the store screen follow what it learns; every
`PRINTER_LOOK_S` it looks at the console's printer (`screens/printing.py`): a printer that cannot print with
tickets waiting shows on the station's banner, and auto-accept holds, then resumes, as the station decides."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from o2o_tui.auto_accept import PrinterDown
from o2o_tui.device import device_name
from screens.auto_accept_station import Station, client_check_in
from screens.console_messages import PrintRequested
from screens.widgets.auto_accept_banner import AutoAcceptBanner

if TYPE_CHECKING:
    from o2o_tui.domain.order import Order
    from screens.app import MerchantApp

PRINTER_LOOK_S = 1.0  # how often the station looks at the printer (a read of the printing's last status)


def printer_down(app: MerchantApp) -> PrinterDown | None:
    """The console's printer as its print queue last found it, while it cannot print with tickets waiting."""
    printing = sys.modules.get("screens.printing")  # loaded with the printer, after the first frame
    warning = printing.printer_warning(app) if printing is not None else None
    if warning is None:
        return None
    return PrinterDown(warning.problem, warning.waiting, warning.since)


def attach(app: MerchantApp) -> Station:
    """Make the app's station and start its check-ins (the platform client is made on the first check-in)."""
    profile = app.profile

    def print_ticket(order: Order, minutes: int, key: str | None, confirmed: bool | None) -> None:
        # the kitchen ticket of an order the station accepted by itself, once the platform took that accept (as a
        # person's `a`: an order someone accepted a moment before is that device's ticket); what became of the
        # accept as the station got the answer (the view may still list it pending a moment after it)
        app.post_message(PrintRequested(order.id, prep_minutes=minutes, accept_key=key, confirmed=confirmed))

    station = Station(
        app.source,
        device_name(profile.name if profile is not None else "console"),
        clock=app.now,
        check_in=client_check_in(profile) if profile is not None else None,
        on_news=lambda: None if app.call_later(follow, app) else None,
        on_accepted=print_ticket,
        printer=lambda: printer_down(app),
    )
    # the method, not a coroutine made now: an app closed before the worker starts leaves none unawaited
    app.run_worker(station.run, name="auto-accept", group="auto-accept", exit_on_error=False)
    seen: list[tuple[PrinterDown | None, bool, int]] = [(None, False, 0)]

    def look_at_printer() -> None:
        # the printer's state changed, the hold began or ended, or the queue's width changed: the banner follows
        # (its words fit the width), and a hold that ended lets the station accept what is still due
        width = app.orders_screen.size.width if app.screen_stack else 0
        now = (station.printer_down(), station.printer_held(), width)
        if now == seen[0]:
            return
        seen[0] = now
        source_changed(app)

    app.set_interval(PRINTER_LOOK_S, look_at_printer)
    return station


def follow(app: MerchantApp) -> None:
    """Show what the station knows now: the queue's banner, the store screen when it is in front."""
    if not app.screen_stack:
        return
    screen = app.orders_screen
    for banner in screen.query(AutoAcceptBanner):
        banner.show(app.station.banner(screen.size.width or 80))
    store = sys.modules.get("screens.store_screen")
    if store is not None and isinstance(app.screen, store.StoreScreen):
        app.screen.refresh_store()


def source_changed(app: MerchantApp) -> None:
    """After each change of the source: accept what is due (on the station), then show the banner."""
    if app.station.wants_check_in():
        app.run_worker(app.station.check_in_once(), group="auto-accept-check-in", exit_on_error=False)
    if app.station.may_act():
        app.run_worker(app.station.act(), group="auto-accept-act", exit_on_error=False)
    follow(app)
