"""The home screen: the live order queue, a status line, and (on wide terminals) the highlighted order."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static

from o2o_tui.i18n import t
from screens import order_format as fmt
from screens.keys import localize_bindings
from screens.source import LinkState, QueueEntry, SourceChange
from screens.widgets.footer import KeyFooter
from screens.widgets.order_detail import OrderDetail
from screens.widgets.order_list import OrderList
from screens.widgets.queue_header import QueueHeader
from screens.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from screens.app import MerchantApp

RING_AGAIN_S = 20  # an unanswered new order rings again this often


class OrdersScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "open", "ui.key.open", id="queue.open"),
        Binding("question_mark", "help", "ui.key.help", id="queue.help"),
        Binding("a", "accept", "ui.key.accept", id="queue.accept"),
        Binding("x", "reject", "ui.key.reject", id="queue.reject"),
        Binding("p", "preparing", "ui.key.preparing", id="queue.preparing"),
        Binding("r", "ready", "ui.key.ready", id="queue.ready"),
        Binding("h", "handoff", "ui.key.handoff", id="queue.handoff"),
        Binding("c", "cancellation", "ui.key.cancellation", id="queue.cancellation"),
        Binding("d", "dispatch_board", "ui.key.dispatch", id="queue.dispatch"),
        Binding("slash", "search", "ui.key.search", id="queue.search"),
        Binding("escape", "clear_search", "ui.key.clear", show=False, id="queue.clear_search"),
        Binding("q", "quit", "ui.key.quit", id="queue.quit"),
    ]

    app: MerchantApp

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)
        self._loaded = False
        self._needing_answer: set[str] = set()
        self.alerting: set[str] = set()
        self._query = ""
        self._link_state: LinkState | None = None
        self._flash_on = False
        self._offline_alerted = False
        self._ticks_since_ring = 0

    def compose(self) -> ComposeResult:
        yield Input(placeholder=t("ui.search.placeholder"), id="search")
        with Horizontal(id="body"):
            with Vertical(id="queue-column"):
                yield QueueHeader()
                yield OrderList(id="queue")
            yield OrderDetail(id="side")
        yield Static(Content(t("ui.queue.loading")), id="empty")
        yield StatusBar(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        search = self.query_one("#search", Input)
        search.cursor_blink = False
        search.display = False
        self.query_one(OrderList).focus()
        self.set_interval(1.0, self._tick)

    # data
    @property
    def queue(self) -> OrderList:
        return self.query_one(OrderList)

    def _entries(self) -> list[QueueEntry]:
        live = [entry for entry in self.app.source.orders() if fmt.is_live(entry.order)]
        shown = [entry for entry in live if fmt.matches(entry.order, self._query)]
        return sorted(shown, key=lambda entry: fmt.queue_sort_key(entry.order))

    async def apply_change(self, change: SourceChange) -> None:
        """Bring the rows in line with the source; ring for orders that newly need an answer."""
        if change.order_ids or change.store or not self._loaded:
            self._loaded = True
            self._update_alerts()
            await self._refresh_rows()
        if change.link or change.store:
            self._link_changed()
        self._show_status()
        if change.message:
            self.app.say(change.message, severity="error", timeout=15)

    async def _refresh_rows(self) -> None:
        now = self.app.now()
        await self.queue.sync(self._entries(), now, self.alerting)
        self._show_empty_hint()
        self._show_side()
        self._apply_flash(now)

    def _update_alerts(self) -> None:
        fresh = False
        needing: set[str] = set()
        for entry in self.app.source.orders():
            order = entry.order
            if fmt.needs_answer(order):
                needing.add(order.id)
                if order.id not in self._needing_answer:
                    self.alerting.add(order.id)
                    fresh = True
        self.alerting &= needing
        self._needing_answer = needing
        if fresh:
            self._ring()

    def _ring(self) -> None:
        self._ticks_since_ring = 0
        self.app.ring()

    def acknowledge(self, order_id: str) -> None:
        if order_id in self.alerting:
            self.alerting.discard(order_id)
            row = self.queue.row(order_id)
            if row is not None:
                row.set_alerting(False)

    def _link_changed(self) -> None:
        """Alert once per outage. A source that has not tried yet (no error, no earlier state) is not an outage."""
        link = self.app.source.link()
        previous, self._link_state = self._link_state, link.state
        if link.state is LinkState.OFFLINE:
            known_down = link.error is not None or previous in (LinkState.ONLINE, LinkState.RESYNCING)
            if known_down and not self._offline_alerted:
                self._offline_alerted = True
                self.app.ring(times=2)
                self.app.say(t("ui.link.went_offline"), severity="error", timeout=15)
        elif link.state is LinkState.UNAUTHORIZED and previous is not LinkState.UNAUTHORIZED:
            self.app.ring(times=2)  # nothing syncs until someone logs in again: as loud as an outage
            self.app.say(t("sync.unauthorized"), severity="error", timeout=30)
        elif link.state is LinkState.ONLINE and self._offline_alerted:
            self._offline_alerted = False
            self.app.say(t("ui.link.back_online"), timeout=5)

    def _show_status(self) -> None:
        self.query_one(StatusBar).show(self.app.source.link(), self.app.source.store(), self.app.now())

    def _show_empty_hint(self) -> None:
        empty = self.query_one("#empty", Static)
        has_rows = bool(self.queue.order_ids)
        empty.display = not has_rows
        if not has_rows:
            key = "ui.queue.no_match" if self._query else "ui.queue.empty"
            empty.update(Content(t(key)))

    def _show_side(self) -> None:
        side = self.query_one("#side", OrderDetail)
        if side.display:
            side.show(self.queue.cursor_entry, self.app.now(), self.app.store_zone())

    def on_order_list_cursor_moved(self, _: OrderList.CursorMoved) -> None:
        self._show_side()

    def on_resize(self, event: events.Resize) -> None:
        self._show_side()

    def _apply_flash(self, now: datetime) -> None:
        # The flash phase follows the clock, so a frozen clock (tests) gives a steady picture.
        flash_on = bool(self.alerting) and int(now.timestamp()) % 2 == 0
        self._flash_on = flash_on
        self.queue.set_flash(flash_on)

    def _tick(self) -> None:
        now = self.app.now()
        self.queue.update_clocks(now)
        self._show_status()
        self._apply_flash(now)
        if self.alerting:
            self._ticks_since_ring += 1
            if self._ticks_since_ring >= RING_AGAIN_S:
                self._ring()

    # keys
    def on_key(self, event: events.Key) -> None:
        """Any key on a ringing row acknowledges it (the action, if any, still runs)."""
        cursor = self.queue.cursor_id
        if cursor is not None and cursor in self.alerting and self.focused is self.queue:
            self.acknowledge(cursor)

    def _cursor(self) -> QueueEntry | None:
        entry = self.queue.cursor_entry
        if entry is None:
            self.app.say(t("ui.queue.nothing_selected"), severity="warning", timeout=3)
        return entry

    def action_open(self) -> None:
        entry = self._cursor()
        if entry is not None:
            self.app.open_detail(entry.order.id)

    def action_accept(self) -> None:
        if entry := self._cursor():
            self.app.actions.accept(entry)

    def action_reject(self) -> None:
        if entry := self._cursor():
            self.app.actions.reject(entry)

    def action_preparing(self) -> None:
        if entry := self._cursor():
            self.app.actions.preparing(entry)

    def action_ready(self) -> None:
        if entry := self._cursor():
            self.app.actions.ready(entry)

    def action_handoff(self) -> None:
        if entry := self._cursor():
            self.app.actions.handoff(entry)

    def action_cancellation(self) -> None:
        if entry := self._cursor():
            self.app.actions.answer_cancellation(entry)

    def action_help(self) -> None:
        self.app.show_help()

    def action_dispatch_board(self) -> None:
        if self.app.profile is None:
            self.app.say(t("ui.dispatch.no_profile"), severity="warning")
            return
        from screens.dispatch_board import board_for_profile

        self.app.push_screen(board_for_profile(self.app.profile))

    async def action_quit(self) -> None:
        self.app.exit()

    # search
    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        search.focus()

    async def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        if not search.display and not self._query:
            return
        search.value = ""
        search.display = False
        self._query = ""
        self.queue.focus()
        await self._refresh_rows()

    async def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self._query = event.value
            await self._refresh_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search":
            if not event.value:
                event.input.display = False
            self.queue.focus()
