"""`t` from the queue: the orders placed for later that wait for their prep start, soonest promised time first.

Held orders are not in the live queue and never ring until the platform releases them at their prep start
(`o2o_tui/domain/schedule.py`); here they are listed with the promised time, number, type, customer and items
(plain text). Enter opens an order's detail; `a`, here or there, accepts it early (the accept dialog of the detail's
`a`, and it leaves this list). Esc goes back.
The list follows the source while open: a released order leaves it for the queue, where it rings.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import cast

from rich.cells import cell_len
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from o2o_tui.domain.clock import date_clock
from o2o_tui.domain.order import Order
from o2o_tui.domain.schedule import promised_time
from o2o_tui.i18n import t
from screens import order_format as fmt
from screens.console_messages import ConsoleHost, OpenOrder, OrderActionRequested, ShowHelp
from screens.keys import localize_bindings
from screens.source import QueueEntry, SourceChange
from screens.terminal import Glyphs, active_glyphs, glyphs_of
from screens.widgets.footer import KeyFooter


def when_text(moment: datetime | None, zone: tzinfo | None, now: datetime) -> str:
    """`12:30` today (the store's day), `6 Dec 12:30` (`12月6日 12:30`) on another day, with its year in another
    year (`date_clock`: the month in words)."""
    if moment is None:
        return "--:--"
    local = moment.astimezone(zone) if zone is not None else moment
    today = now.astimezone(zone) if zone is not None else now
    return local.strftime("%H:%M") if local.date() == today.date() else date_clock(local, now=today)


def scheduled_row(
    order: Order,
    width: int,
    zone: tzinfo | None,
    now: datetime,
    when_width: int,
    glyphs: Glyphs | None = None,
) -> str:
    """One line fitted to `width` cells: promised time, number, type (from 60 columns), customer (from 50),
    items ("Rice×2", "Ricex2" in ASCII: `glyphs` the terminal's set, default the running app's). Untrusted text
    (names, items) is cleaned by `order_format` and shown as plain text."""
    times = (glyphs or active_glyphs()).times
    parts = [fmt.fit(when_text(promised_time(order), zone, now), when_width), order.display_number]
    used = when_width + 1 + len(order.display_number)
    if width >= 60:
        parts.append(fmt.fit(fmt.type_label(order), 8))
        used += 9
    if width >= 50:
        parts.append(fmt.fit(fmt.customer_name(order), 12))
        used += 13
    parts.append(fmt.fit(fmt.items_summary(order, times), max(0, width - used - 1)))
    return " ".join(parts)


class ScheduledScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "ui.key.back", id="scheduled.back"),
        Binding("enter", "open", "scheduled.key.open", id="scheduled.open", priority=True),
        Binding("a", "accept", "scheduled.key.accept", id="scheduled.accept"),
        Binding("question_mark", "help", "ui.key.help", id="scheduled.help"),
    ]
    HELP_NOTES = ("scheduled.help.note",)
    FOOTER_PRIORITY = ("scheduled.open", "scheduled.accept", "scheduled.back")
    DEFAULT_CSS = """
    ScheduledScreen #scheduled-title { height: 1; text-style: bold; }
    ScheduledScreen #scheduled-hint { height: auto; color: $text-muted; }
    ScheduledScreen #scheduled-list { height: 1fr; border: none; padding: 0; }
    ScheduledScreen #scheduled-empty { height: 1fr; }
    """

    class Changed(Message):
        """The source has news (posted from any thread)."""

        def __init__(self, change: SourceChange) -> None:
            super().__init__()
            self.change = change

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)
        self._shown: list[QueueEntry] = []
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def host(self) -> ConsoleHost:
        return cast(ConsoleHost, self.app)

    def compose(self) -> ComposeResult:
        yield Static(id="scheduled-title")
        yield Static(Content(t("scheduled.hint")), id="scheduled-hint")
        yield OptionList(id="scheduled-list")
        yield Static(Content(t("scheduled.none")), id="scheduled-empty")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._unsubscribe = self.host.source.subscribe(lambda change: self.post_message(self.Changed(change)))
        self.show_held(force=True)
        self.query_one(OptionList).focus()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    @on(Changed)
    def _source_changed(self, message: Changed) -> None:
        if message.change.order_ids or message.change.store:
            self.show_held()

    def on_resize(self, _: events.Resize) -> None:
        self.show_held(force=True)

    def show_held(self, *, force: bool = False) -> None:
        """List the held orders (again only when they changed, or `force`: a resize)."""
        held = self.host.source.held()
        if held == self._shown and not force:
            return
        self._shown = held
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted
        zone, now = self.host.store_zone(), self.host.now()
        width = max(20, (self.size.width or 80) - 2)
        texts = [when_text(promised_time(entry.order), zone, now) for entry in held]
        when_width = max((cell_len(text) for text in texts), default=5)  # cells: "12月6日" is 8 of them
        glyphs = glyphs_of(self)
        listing.set_options(
            Option(
                Content(scheduled_row(entry.order, width, zone, now, when_width, glyphs)), id=entry.order.id
            )
            for entry in held
        )
        if held:
            listing.highlighted = min(highlighted or 0, len(held) - 1)
        listing.display = bool(held)
        self.query_one("#scheduled-empty").display = not held
        self.query_one("#scheduled-title", Static).update(Content(t("scheduled.title", count=len(held))))

    def held_shown(self) -> list[str]:
        """The ids listed now (for tests)."""
        return [entry.order.id for entry in self._shown]

    # keys
    def action_back(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        self.post_message(ShowHelp())

    def _highlighted(self) -> str | None:
        listing = self.query_one(OptionList)
        if listing.highlighted is not None and self._shown:
            return listing.get_option_at_index(listing.highlighted).id
        return None

    def action_open(self) -> None:
        if (order_id := self._highlighted()) is not None:
            self.post_message(OpenOrder(order_id))

    def action_accept(self) -> None:
        """Accept the highlighted order early: the same dialog (prep minutes) as `a` in its detail."""
        if (order_id := self._highlighted()) is not None:
            self.post_message(OrderActionRequested("accept", order_id))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(OpenOrder(event.option.id))
