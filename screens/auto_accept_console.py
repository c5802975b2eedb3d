"""Wires auto-accept (`screens/auto_accept_station.py`) into the merchant console: the station runs beside the
source, acts after each source change, and the banner and the store screen follow what it learns."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from o2o_tui.device import device_name
from screens.auto_accept_station import Station, client_check_in
from screens.console_messages import PrintRequested
from screens.widgets.auto_accept_banner import AutoAcceptBanner

if TYPE_CHECKING:
    from o2o_tui.domain.order import Order
    from screens.app import MerchantApp


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
    )
    app.run_worker(station.run(), name="auto-accept", group="auto-accept", exit_on_error=False)
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
