"""The home screen: the live order queue (then the orders that ended recently, under Done), a status line, and
(on wide terminals) the highlighted order.

It asks the app for things by posting typed messages (`screens.console_messages`); it never imports the app.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from typing import cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from o2o_tui.domain.order import ENDED_STATUSES, Order, OrderStatus
from o2o_tui.i18n import t
from o2o_tui.settings import load_settings
from screens import chase_bell
from screens import order_format as fmt
from screens.alerts import Alerts, Sound, bell_pattern
from screens.care_messages import CareRequested
from screens.console_messages import (
    ConsoleHost,
    OpenOrder,
    OrderActionName,
    OrderActionRequested,
    PrintRequested,
    Say,
    ShowHelp,
)
from screens.keys import localize_bindings
from screens.order_keys import ORDER_KEYS, offered_actions, refused_bindings
from screens.quit_question import quit_lines
from screens.source import QueueEntry, SourceChange
from screens.widgets.auto_accept_banner import AutoAcceptBanner
from screens.widgets.footer import KeyFooter
from screens.widgets.line_list import LineList
from screens.widgets.order_detail import OrderDetail
from screens.widgets.order_list import OrderList
from screens.widgets.order_row import is_done_recent
from screens.widgets.queue_header import QueueHeader
from screens.widgets.status_bar import StatusBar

DONE_HOURS = 2.0  # ended orders stay under Done this long
DONE_MAX = 50  # and at most this many (the newest)
TIMEOUT_REASON = "ACCEPT_TIMEOUT"
# keys that act on (or move from) the order under the cursor: the person's own place from then on, kept even when
# a refused action brings back the order the cursor left. (None of them silences a ringing order by itself: that is
# opening it or answering it, whose actions acknowledge it; moving past it does not.)
CURSOR_ACTIONS = frozenset(
    {"open", "accept", "reject", "preparing", "ready", "delay", "handoff", "cancellation", "chase_reply", "refund",
     "reprint", "move", "page", "jump", "select_cursor", "refused_key"}
)  # fmt: skip
IDLE_TOP_S = 3.0  # a cursor resting on the first row this long goes to a new order that arrives above it
ACTED_HOLD_S = 30.0  # how long the cursor's place is kept for an order acted on (a dialog may be open meanwhile)
# an order key this soon after the cursor moved by itself (to a ringing order, back from one, off an order that
# ended) is not run: the person aimed at the row the cursor left, not the one it moved to; they press it again
MOVED_GUARD_S = 1.0  # (keys that only move the cursor are not held: they start from where it is, in sight)
TIMED_OUT_NAMED = 3  # a toast for orders that timed out together names this many, counts the rest ("+9 more")


def timed_out_toast(orders: list[Order]) -> str:
    """The toast for orders cancelled because nobody answered them in time, in one change: one order in today's
    words; more, counted first (never the part a narrow toast cuts), then their numbers, lowest first, the first
    `TIMED_OUT_NAMED` of them ("12 cancelled, no answer in time: #0012, #0013, #0015, +9 more"; a fourth is named
    rather than counted as "+1 more")."""
    if len(orders) == 1:
        return t("queue.done.timed_out_toast", number=orders[0].display_number)
    ordered = sorted(orders, key=lambda order: order.number)
    named = ordered if len(ordered) <= TIMED_OUT_NAMED + 1 else ordered[:TIMED_OUT_NAMED]
    numbers = t("queue.done.timed_out_separator").join(order.display_number for order in named)
    if len(ordered) > len(named):
        numbers = t("queue.done.timed_out_more", numbers=numbers, count=len(ordered) - len(named))
    return t("queue.done.timed_out_toast_many", count=len(ordered), numbers=numbers)


class OrdersScreen(Screen[None]):
    # The queue takes the focus as the screen composes. Textual's default (the first focusable widget, hidden or
    # not) gave it to the hidden search field, until `on_mount` moved it: the first frame's footer showed that
    # field's keys (Enter, Esc), not the queue's.
    AUTO_FOCUS = "#queue"
    BINDINGS = [
        Binding("enter", "open", "ui.key.open", id="queue.open"),
        Binding("question_mark", "help", "ui.key.help", id="queue.help"),
        Binding("a", "accept", "ui.key.accept", id="queue.accept"),
        Binding("x", "reject", "ui.key.reject", id="queue.reject"),
        Binding("p", "preparing", "ui.key.preparing", id="queue.preparing"),
        Binding("r", "ready", "ui.key.ready", id="queue.ready"),
        Binding("plus", "delay", "ui.key.delay", id="queue.delay"),
        Binding("h", "handoff", "ui.key.handoff", id="queue.handoff"),
        Binding("v", "redeem", "voucher.key.redeem", id="queue.redeem"),
        Binding("c", "cancellation", "ui.key.cancellation", id="queue.cancellation"),
        Binding("y", "chase_reply", "care.key.chase_reply", id="queue.chase_reply"),
        Binding("dollar_sign", "refund", "care.key.refund", id="queue.refund"),
        Binding("d", "dispatch_board", "ui.key.dispatch", id="queue.dispatch"),
        Binding("slash", "search", "ui.key.search", id="queue.search"),
        Binding("exclamation_mark", "conflicts", "queue.key.conflicts", id="queue.conflicts"),
        Binding("M", "mute", "queue.key.mute", id="queue.mute"),
        Binding("t", "scheduled", "scheduled.key.scheduled", id="queue.scheduled"),
        Binding("escape", "clear_search", "ui.key.clear", show=False, id="queue.clear_search"),
        Binding("f", "figures", "figures.key.open", id="queue.figures"),
        Binding("k", "reprint", "printing.key.reprint", id="queue.reprint"),
        Binding("q", "quit", "ui.key.quit", id="queue.quit"),
        *refused_bindings("queue"),  # the order keys the cursor's order is not offered: hidden, still say why
    ]
    # what a narrow footer keeps (help first, always): the rest is in `?`
    FOOTER_PRIORITY = (
        "queue.cancellation",  # offered only on a row with a request: its answer before the steps (it has a deadline)
        "queue.accept",
        "queue.open",
        "queue.ready",
        "queue.quit",
        "queue.redeem",  # the counter's code field: a customer stands there with a code
        "queue.handoff",
        "queue.reject",
        "queue.preparing",
        "queue.delay",
        # after the order's own steps, offered only when the order under the cursor takes one: before `!`, whose
        # count the status line keeps at every width (at 40 columns in Chinese `! 冲突` took its room)
        "queue.refund",
        "queue.conflicts",
        "queue.chase_reply",
        "queue.dispatch",
    )

    def __init__(self, *, alerts: Alerts | None = None) -> None:
        super().__init__()
        localize_bindings(self)
        self._loaded = False
        self._query = ""
        settings = load_settings()
        self.alerts = alerts or Alerts(ring_every_s=settings.ring_every_s)
        self._mute_minutes = settings.mute_minutes
        self._seen_live: set[str] = set()  # orders shown live: one that times out gets a toast
        self._timer: Timer | None = None
        self._last_key = 0.0  # time.monotonic() of the last key on this screen
        # (order acted on, its row then, when, its (status, pending) then)
        self._acted: tuple[str, int, float, tuple[OrderStatus, tuple[str, ...]]] | None = None
        # the cursor left an order acted on for the one now at its row: (that order, its (status, pending) when
        # acted on, the order the cursor went to), so a refusal that puts it back brings the cursor back too
        self._moved_off: tuple[str, tuple[OrderStatus, tuple[str, ...]], str] | None = None
        # the cursor was brought from its rest on the top row to a ringing order: (that order, the order it was on
        # before), so it goes back there when the order stops ringing (auto-accepted, taken elsewhere, cancelled)
        self._pulled: tuple[str, str | None] | None = None
        # the cursor moved by itself: (time.monotonic() then, the order it moved to), for `MOVED_GUARD_S`
        self._moved_by_itself: tuple[float, str] | None = None
        # what the lines of ringing orders out of sight say now (`_show_ringing_above`): "" while hidden
        self._ringing_lines = {"#ringing-above": "", "#ringing-below": ""}
        # the order keys offered for the order under the cursor, kept as it moves or its order changes: the
        # footer asks `check_action` for every binding at each repaint, and this answers without a DOM query
        self._offered = offered_actions(None)
        self._resumed = False  # shown once: the first `ScreenResume` (see `on_screen_resume`)
        self._quit_prompt: Screen[str | None] | None = None  # `action_quit`'s question while it is up

    @property
    def host(self) -> ConsoleHost:
        return cast(ConsoleHost, self.app)

    def compose(self) -> ComposeResult:
        self._take_width_classes()
        search = Input(placeholder=t("ui.search.placeholder"), id="search")
        search.display = False  # until `/`
        yield search
        yield Static("", id="banner", markup=False)
        yield AutoAcceptBanner()  # auto-accept on, printing station offline (screens/auto_accept_console.py)
        with Horizontal(id="body"):
            with Vertical(id="queue-column"):
                yield QueueHeader()
                # "2 ringing above: Home": ringing orders scrolled out of sight above (`_show_ringing_above`)
                yield Static("", id="ringing-above", markup=False)
                yield OrderList(id="queue")
                # "2 ringing below: PgDn": and below (more new orders than rows at 40x15, a wheel scrolled up)
                yield Static("", id="ringing-below", markup=False)
            yield OrderDetail(id="side")
        yield Static(Content(t("ui.queue.loading")), id="empty")
        yield StatusBar(id="status")
        yield KeyFooter()

    def _take_width_classes(self) -> None:
        """The terminal's width class (`-narrow`, `-normal`, `-wide`: the app's `HORIZONTAL_BREAKPOINTS`) before
        the widgets mount, as Textual would give it at the screen's first Resize: taken then, it restyled every
        widget of the queue a second time before the first frame (~3 ms of ~50). That Resize finds it in place."""
        width, height = self.app.size
        if not width or not height:  # no size yet: the first Resize gives it
            return
        horizontal = self.HORIZONTAL_BREAKPOINTS
        vertical = self.VERTICAL_BREAKPOINTS
        horizontal = (self.app.HORIZONTAL_BREAKPOINTS if horizontal is None else horizontal) or []
        vertical = (self.app.VERTICAL_BREAKPOINTS if vertical is None else vertical) or []
        classes = {name: False for _, name in (*horizontal, *vertical)}
        by_width = self._get_breakpoint_classes(width, horizontal)
        taken = by_width | self._get_breakpoint_classes(height, vertical)
        classes.update(dict.fromkeys(taken, True))
        self.update_classes(classes, animate=False)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """The first time the screen shows, its widgets were styled as they mounted, a moment before (with the width
        class, `_take_width_classes`): Textual's restyle of the whole screen on resume would redo the same (~3 ms
        of the first frame). Every later resume restyles as Textual asks (after a theme change, say)."""
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def _compositor_refresh(self) -> None:
        """Textual 8.2.8 lays the queue out and renders it while the app is still starting (inside the batch that
        `App._process_messages` holds around its mount), then drops the frame: `App._display` writes nothing during
        a batch. Done here without rendering (~3.5 ms of the first frame), with the same effects: the regions it
        would have drawn are no longer dirty, so what follows draws exactly what it drew after the dropped frame.
        (`tests/test_console_first_frame_lean.py`: nothing rendered in the batch, the rows drawn after it.)"""
        app = self.app
        if app._batch_count and self is app.screen and not app.is_inline:
            self._compositor._dirty_regions.clear()
            self._dirty_widgets.clear()
            app._update_mouse_over(self)
            return
        super()._compositor_refresh()

    def on_mount(self) -> None:
        search = self.query_one("#search", Input)
        search.cursor_blink = False
        self.query_one("#banner", Static).display = False
        self.query_one("#ringing-above", Static).display = False
        self.query_one("#ringing-below", Static).display = False
        self.queue.focus()
        self.watch(self.queue, "scroll_y", self._show_ringing_above, init=False)  # a wheel or a key scrolled it
        self._timer = self.set_interval(1.0, self._tick)

    # data
    @property
    def queue(self) -> OrderList:
        return self.query_one(OrderList)

    @property
    def alerting(self) -> frozenset[str]:
        return self.alerts.alerting

    def _split(self, entries: list[QueueEntry], now: datetime) -> tuple[list[QueueEntry], list[QueueEntry]]:
        """(live, done): the live orders sorted for the counter; the recently ended ones, newest first."""
        live: list[QueueEntry] = []
        done: list[QueueEntry] = []
        query = self._query
        for entry in entries:
            order = entry.order
            if query and not fmt.matches(order, query):
                continue
            if order.status not in ENDED_STATUSES:
                live.append(entry)
            elif is_done_recent(order, now, DONE_HOURS):
                done.append(entry)
        live.sort(key=lambda entry: fmt.queue_sort_key(entry.order))
        done.sort(key=lambda entry: entry.order.ended_at or entry.order.updated_at, reverse=True)
        return live, done[:DONE_MAX]

    async def apply_change(self, change: SourceChange) -> None:
        """Bring the rows in line with the source; ring for orders that newly need an answer."""
        if not self.query(OrderList):  # the app is ending: its widgets are taken down before the screen itself
            return
        now = self.host.now()
        if change.order_ids or change.store or not self._loaded:
            self._loaded = True
            entries = self.host.source.orders()
            self._play(self.alerts.orders_changed(entries, now))
            if chase_bell.ring_for(self, entries, self.alerts.is_muted(now)):  # a customer chased: once
                self.app.bell()
            self._toast_timeouts(entries)
            self._refresh_rows(entries, now)
        if change.link or change.store:
            sounds, toast = self.alerts.link_changed(self.host.source.link(), now)
            self._play(sounds)
            if toast:
                down = self.alerts.offline_banner is not None
                self.post_message(Say(toast, severity="error" if down else "information", timeout=15))
            self._show_banner()
        self._show_status(now)
        if change.message:
            self.post_message(Say(change.message, severity="error", timeout=15))

    def _toast_timeouts(self, entries: list[QueueEntry]) -> None:
        """A toast when an order this console showed live is cancelled because nobody answered it in time (not
        for the ones that had timed out already when the console opened). The ones that timed out in one change (a
        rush nobody could answer, one sync) share one toast: `timed_out_toast`."""
        live: set[str] = set()
        timed_out: list[Order] = []
        for entry in entries:
            order = entry.order
            if order.status not in ENDED_STATUSES:
                live.add(order.id)
            elif order.cancel_reason_code == TIMEOUT_REASON and order.id in self._seen_live:
                timed_out.append(order)
        self._seen_live = live
        if timed_out:  # one toast for all of them: ten toasts at once pushed each other off (at 40x15 two fit)
            self.post_message(Say(timed_out_toast(timed_out), severity="warning", timeout=30))

    def _refresh_rows(self, entries: list[QueueEntry] | None = None, now: datetime | None = None) -> None:
        now = now or self.host.now()
        live, done = self._split(self.host.source.orders() if entries is None else entries, now)
        queue = self.queue
        resting_on_top = queue.cursor_row == 0 and time.monotonic() - self._last_key >= IDLE_TOP_S
        before = queue.cursor_entry  # an order under the cursor that ends by itself: the cursor stays live
        live_before = None if before is None or before.order.status in ENDED_STATUSES else before.order.id
        row_before = queue.cursor_row
        queue.show(live, done, now, self.alerts.alerting, self.alerts.urgent)
        self._place_cursor(resting_on_top, live_before, row_before)
        self._show_empty_hint(bool(live) or bool(done))
        self._show_side()
        self._show_ringing_above()

    def _ringing_out_of_sight(self) -> tuple[list[int], list[int]]:
        """The rows of the ringing orders scrolled out of sight (above the visible lines, below them), in queue
        order. Ringing: new or with a cancellation request and not yet opened (`Alerts.alerting`), or close to its
        accept deadline and not past it (`Alerts.urgent`: it rings louder, opened or not)."""
        queue = self.queue
        alerting, urgent = queue.alerting, queue.urgent
        if not alerting and not urgent:
            return [], []
        top = int(queue.scroll_offset.y)
        bottom = top + max(0, queue.size.height - queue.header_lines)  # the first row out of sight below
        above: list[int] = []
        below: list[int] = []
        now = queue.now
        for order_id in alerting | urgent:
            index = queue.index_of(order_id)
            if index is None or top <= index < bottom:
                continue
            if order_id not in alerting:  # urgent only: not once its deadline passed (never rung then)
                entry = queue.entry(order_id)
                deadline = None if entry is None else entry.order.accept_deadline
                if deadline is None or deadline <= now:
                    continue
            (above if index < top else below).append(index)
        return sorted(above), sorted(below)

    def _show_ringing_above(self, _scroll: float | None = None) -> None:
        """A line above the queue while ringing orders are scrolled out of sight above it (the cursor is down in
        the kitchen rows): how many, and Home to reach them; a line below it while some are out of sight below
        (more new orders than rows, at 40x15 at lunch): PgDn. Only the bell said so before; they timed out unseen.
        Run on the 1 s tick and on every scroll: nothing ringing and no line shown, it returns at once."""
        queue = self.queue
        if not queue.alerting and not queue.urgent and not any(self._ringing_lines.values()):
            return
        from screens.terminal import active_glyphs

        above, below = self._ringing_out_of_sight()
        glyphs = active_glyphs()
        above_text = t("ui.queue.ringing_above", count=len(above), up=glyphs.up)
        changed = self._show_ringing_line("#ringing-above", above_text, len(above))
        below_text = t("ui.queue.ringing_below", count=len(below), down=glyphs.down)
        changed = self._show_ringing_line("#ringing-below", below_text, len(below)) or changed
        if changed:  # a line came or went: the queue has a row less or more (a row came into sight or left it)
            self.call_after_refresh(self._show_ringing_above)

    def _show_ringing_line(self, selector: str, text: str, count: int) -> bool:
        """Show (with `text`) or hide (no `count`) one line of ringing orders out of sight; True when it came or
        went."""
        marker = self.query_one(selector, Static)
        text = text if count else ""
        if text != self._ringing_lines[selector]:
            self._ringing_lines[selector] = text
            if text:
                marker.update(Content(text))
        if marker.display != bool(count):
            marker.display = bool(count)
            return True
        return False

    def _to_ringing_out_of_sight(self, key: str) -> bool:
        """Home while ringing orders are out of sight above, PgDn while some are below (the keys their lines name):
        the cursor goes onto the ringing order (the first one above, with the top of the queue in sight; the
        nearest one below), not to the first row (which an opened, unanswered order may hold) or a page down
        (past them, or short of them). True when it moved; otherwise the key does what it always does."""
        if key not in ("home", "pagedown") or not self.queue.has_focus:
            return False
        if not self._ringing_lines["#ringing-above" if key == "home" else "#ringing-below"]:
            return False
        above, below = self._ringing_out_of_sight()
        rows = above if key == "home" else below
        if not rows:
            return False
        queue = self.queue
        target = queue.rows[rows[0]]
        if not isinstance(target, QueueEntry):
            return False
        if key == "home":
            queue.scroll_home(animate=False, immediate=True)
        queue.move_cursor(target.order.id)
        return True

    def _place_cursor(
        self, resting_on_top: bool, live_before: str | None = None, row_before: int = -1
    ) -> None:
        """The cursor follows its order, except where following would put the next key on the wrong one.

        - An order acted on from here moves to its new place: the cursor stays at the row where the user acted
          (on the order that took it), so the next `a` answers the next order, not the one just sent. Should the
          platform refuse the action (the order comes back as it was), the cursor goes back to it, unless the
          person has moved it or acted since.
        - An order under the cursor that ends by itself (cancelled, timed out) leaves for Done without the
          cursor: it stays in the live queue at the same row, as after an accept.
        - A cursor that rested on the first row while nobody typed goes to a new order arriving above it: the
          ringing order is where a newcomer looks and what `a` answers (while someone types, it never jumps)."""
        queue = self.queue
        if self._return_after_refusal():
            return
        acted = self._acted
        if acted is not None:
            order_id, place, when, was = acted
            if time.monotonic() - when > ACTED_HOLD_S or queue.cursor_id != order_id:
                self._acted = None
            elif queue.cursor_row != place:
                self._acted = None
                moved_to = self._cursor_to_row_near(place, leaving=order_id, live_only=True)
                if moved_to is not None:
                    self._moved_off = (order_id, was, moved_to)
                return
        if self._return_from_pull():
            resting_on_top = resting_on_top and queue.cursor_row == 0  # back on the top row: a next ringing order may take it
        elif live_before is not None and queue.cursor_id == live_before:
            entry = queue.cursor_entry
            if entry is not None and entry.order.status in ENDED_STATUSES:  # ended by itself: not into Done
                moved_to = self._cursor_to_row_near(row_before, leaving=live_before, live_only=True)
                self._note_moved_by_itself(moved_to)
                return
        if resting_on_top:
            first = queue.rows[0] if len(queue) else None
            if isinstance(first, QueueEntry) and first.order.id in self.alerts.alerting:
                on = queue.cursor_id
                if on != first.order.id:
                    pulled = self._pulled
                    # pulled on from one ringing order to the next: back to where it was before the first
                    before = pulled[1] if pulled is not None and pulled[0] == on else on
                    queue.move_cursor(first.order.id)
                    self._pulled = (first.order.id, before)
                    self._note_moved_by_itself(first.order.id)

    def _return_from_pull(self) -> bool:
        """The ringing order the cursor was brought to stopped ringing (auto-accepted, accepted on another console,
        cancelled): the cursor goes back to the order it was on before (or to the top), never down with it into
        the kitchen rows, where the next `r` would mark it ready. True when it moved."""
        pulled = self._pulled
        if pulled is None:
            return False
        order_id, before = pulled
        queue = self.queue
        if queue.cursor_id != order_id:  # moved by the person (or its order is gone): their place
            self._pulled = None
            return False
        if order_id in self.alerts.alerting:  # still rings: the cursor stays on it
            return False
        self._pulled = None
        back = queue.entry(before) if before is not None else None
        if back is not None and back.order.id != order_id and back.order.status not in ENDED_STATUSES:
            queue.move_cursor(back.order.id)
            moved_to: str | None = back.order.id
        else:
            moved_to = self._cursor_to_row_near(0, leaving=order_id, live_only=True)
            if moved_to is not None and moved_to in self.alerts.alerting:  # the top rings too: brought to it
                self._pulled = (moved_to, None)
        self._note_moved_by_itself(moved_to)
        return moved_to is not None

    def _note_moved_by_itself(self, order_id: str | None) -> None:
        if order_id is not None:
            self._moved_by_itself = (time.monotonic(), order_id)

    def _cursor_to_row_near(self, place: int, *, leaving: str, live_only: bool = False) -> str | None:
        """Move the cursor to the order now at row `place` (else the nearest one above), never onto `leaving`
        (nor, with `live_only`, onto an ended order); the order it went to, or None when there is none."""
        queue = self.queue
        rows = queue.rows
        place = max(0, min(place, len(rows) - 1))
        for index in [*range(place, len(rows)), *range(place - 1, -1, -1)]:
            row = rows[index]
            if not isinstance(row, QueueEntry) or row.order.id == leaving:
                continue
            if live_only and row.order.status in ENDED_STATUSES:
                continue
            queue.move_cursor(row.order.id)
            return row.order.id
        return None

    def _return_after_refusal(self) -> bool:
        """The order the cursor left after an action is back as it was when the action was taken (the platform
        refused it, the view rolled back): the cursor goes back to it, if it still rests where it was put."""
        moved = self._moved_off
        if moved is None:
            return False
        order_id, was, moved_to = moved
        queue = self.queue
        if queue.cursor_id != moved_to:  # moved by the person (or its order is gone): keep their place
            self._moved_off = None
            return False
        entry = queue.entry(order_id)
        if entry is not None and (entry.order.status, entry.pending) == was:
            self._moved_off = None
            queue.move_cursor(order_id)
            return True
        if entry is None or not entry.pending:  # gone, or the platform's answer is in and it stands
            self._moved_off = None
        return False  # else still on its way: wait for the answer

    def acknowledge(self, order_id: str) -> None:
        if order_id in self.alerts.alerting:
            self.alerts.acknowledge(order_id)
            self.queue.set_alerts(self.alerts.alerting, self.alerts.urgent)
            self._show_ringing_above()

    def _announce(self, sounds: list[Sound]) -> None:
        from screens.announce import announce  # with the voice engines: loaded after the first frame

        announce(self, sounds)

    def _play(self, sounds: list[Sound]) -> None:
        if sounds:  # said in words too, when voice is on; after the frame that shows why
            self.call_after_refresh(self._announce, sounds)
        for sound in sounds:
            for delay in bell_pattern(sound):
                if delay <= 0:
                    self.app.bell()
                else:
                    self.set_timer(delay, self.app.bell)

    def _show_banner(self) -> None:
        banners = self.query("#banner").results(Static)
        banner = next(banners, None)
        if banner is None:  # the screen is being taken down (the app ends while a change is applied)
            return
        text = self.alerts.banner(self.size.width or 80)  # the sentence, or its short form when narrow
        banner.display = text is not None
        if text is not None:
            banner.update(Content(text))
        # the search field goes below it (both are docked at the top: on it, the field was hidden under it)
        self.query_one("#search", Input).set_class(text is not None, "-below-banner")

    def _show_status(self, now: datetime) -> None:
        source = self.host.source
        muted = self.alerts.is_muted(now)
        self.query_one(StatusBar).show(source.link(), source.store(), now, muted=muted)

    def _show_empty_hint(self, has_rows: bool) -> None:
        empty = self.query_one("#empty", Static)
        empty.display = not has_rows
        if not has_rows:
            key = "ui.queue.no_match" if self._query else "ui.queue.empty"
            empty.update(Content(t(key)))

    def _show_side(self) -> None:
        entry = self.queue.cursor_entry
        offered = offered_actions(entry, self.host.now())  # the order under the cursor: the keys it is offered
        if offered != self._offered:  # with (the footer repaints only when they change)
            self._offered = offered
            self.refresh_bindings()
        side = self.query_one("#side", OrderDetail)
        if side.display:
            side.show(entry, self.host.now(), self.host.store_zone())

    def on_line_list_highlighted(self, event: LineList.Highlighted) -> None:
        if event.line_list is self.queue:
            self._show_side()

    def on_line_list_selected(self, event: LineList.Selected) -> None:
        if event.line_list is self.queue:  # a double click (Enter is the screen's `queue.open`)
            self.action_open()

    def on_resize(self, event: events.Resize) -> None:
        self._show_side()
        self._show_banner()

    def _tick(self) -> None:
        now = self.host.now()
        self._play(self.alerts.tick(now))
        queue = self.queue
        if self.alerts.urgent != queue.urgent:
            queue.set_alerts(self.alerts.alerting, self.alerts.urgent)
        queue.tick(now)
        self._show_ringing_above()
        self._show_status(now)

    # keys
    def on_key(self, event: events.Key) -> None:
        """A key is typed: the cursor stays where it is while someone types. A ringing order rings on until it is
        opened or answered (its actions acknowledge it): a key that only moves past it, or is about something else
        (a v for a customer's voucher), does not silence an order nobody has looked at."""
        self._last_key = time.monotonic()
        if self._acts_on_cursor(event.key):  # the person moved the cursor or acts on its order
            self._moved_off = None  # their place now, even if a refused action's order comes back
            if self._moves_cursor(event.key) or not self._just_moved_by_itself():
                self._pulled = None  # and where the console brought it: theirs too (not for a key held back)
        if self._to_ringing_out_of_sight(event.key):  # the key a line of ringing orders out of sight names
            event.stop()  # not also the queue's own Home (the first row) or PgDn (a page)
            event.prevent_default()

    def _acts_on_cursor(self, key: str) -> bool:
        active = self.active_bindings.get(key)
        return active is not None and active.binding.action.split("(")[0] in CURSOR_ACTIONS

    def _moves_cursor(self, key: str) -> bool:
        active = self.active_bindings.get(key)
        return active is not None and active.binding.action.split("(")[0] in ("move", "page", "jump")

    def _just_moved_by_itself(self) -> bool:
        """The cursor moved by itself less than `MOVED_GUARD_S` ago and rests where it went."""
        moved = self._moved_by_itself
        return (
            moved is not None
            and moved[1] == self.queue.cursor_id
            and time.monotonic() - moved[0] < MOVED_GUARD_S
        )

    def _cursor(self) -> QueueEntry | None:
        entry = self.queue.cursor_entry
        if entry is None:
            self.post_message(Say(t("ui.queue.nothing_selected"), severity="warning", timeout=3))
            return None
        if self._just_moved_by_itself():  # a moment ago: the key was meant for the row the cursor left
            self._moved_by_itself = None  # the same key again acts
            text = t("ui.queue.cursor_moved", number=entry.order.display_number)
            self.post_message(Say(text, severity="warning", timeout=4))
            return None
        return entry

    def _request(self, action: OrderActionName) -> None:
        if entry := self._cursor():
            was = (entry.order.status, entry.pending)
            self._acted = (entry.order.id, self.queue.cursor_row, time.monotonic(), was)
            self.post_message(OrderActionRequested(action, entry.order.id))

    def action_open(self) -> None:
        if entry := self._cursor():
            self.acknowledge(entry.order.id)
            self.post_message(OpenOrder(entry.order.id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer asks for every binding at each repaint: answered from what the cursor's last move (or its
        order's last change) left in `_offered`, never a DOM query. `k` Reprint only while a printer is set."""
        if action == "reprint":  # screens/printing.py is loaded with the printer, after the first frame
            printing = sys.modules.get("screens.printing")
            return printing is not None and printing.printer_set(self.app)
        return action not in ORDER_KEYS or action in self._offered

    def action_refused_key(self, action: str) -> None:
        """An order key the footer does not offer for the order under the cursor, pressed anyway: run it, so it
        says why."""
        getattr(self, f"action_{action}")()

    def action_accept(self) -> None:
        self._request("accept")

    def action_reject(self) -> None:
        self._request("reject")

    def action_preparing(self) -> None:
        self._request("preparing")

    def action_ready(self) -> None:
        self._request("ready")

    def action_delay(self) -> None:
        self._request("delay")

    def action_handoff(self) -> None:
        self._request("handoff")

    def action_cancellation(self) -> None:
        self._request("answer_cancellation")

    def action_chase_reply(self) -> None:
        if entry := self._cursor():
            self.post_message(CareRequested("chase_reply", entry.order.id))

    def action_refund(self) -> None:
        if entry := self._cursor():
            self.post_message(CareRequested("refund", entry.order.id))

    def action_reprint(self) -> None:
        if entry := self._cursor():  # the kitchen ticket again (screens/printing.py)
            self.post_message(PrintRequested(entry.order.id, reprint=True))

    def action_help(self) -> None:
        self.post_message(ShowHelp())

    def action_scheduled(self) -> None:
        from screens.scheduled_screen import ScheduledScreen  # imported when first opened

        self.app.push_screen(ScheduledScreen())

    def action_dispatch_board(self) -> None:
        profile = self.host.profile
        if profile is None:
            self.post_message(Say(t("ui.dispatch.no_profile"), severity="warning"))
            return
        from screens.dispatch_board import board_for_profile

        self.app.push_screen(board_for_profile(profile))

    def action_figures(self) -> None:
        profile = self.host.profile
        if profile is None or not profile.store_id:
            self.post_message(Say(t("figures.no_profile"), severity="warning"))
            return
        from screens.figures_screen import figures_for_profile  # imported when first opened

        store = self.host.source.store()
        self.app.push_screen(figures_for_profile(profile, store_name=store.name if store else None))

    def action_redeem(self) -> None:
        from screens.redeem_screen import RedeemScreen  # imported when first opened

        self.app.push_screen(RedeemScreen())

    def action_conflicts(self) -> None:
        try:
            from screens.conflicts_screen import ConflictsScreen
        except ImportError:  # not in this build
            return
        self.app.push_screen(ConflictsScreen())

    def action_mute(self) -> None:
        now = self.host.now()
        if self.alerts.is_muted(now):
            self.alerts.unmute()
            self.post_message(Say(t("alerts.unmuted"), timeout=3))
            self._show_status(now)
            return
        from screens.mute_dialog import mute_prompt

        def answered(minutes: int | None) -> None:
            if minutes is None:
                return
            when = self.host.now()
            self.alerts.mute(minutes, when)
            until = self.alerts.muted_until or when
            zone = self.host.store_zone()
            local = until.astimezone(zone) if zone else until
            self.post_message(
                Say(t("alerts.muted", minutes=minutes, until=local.strftime("%H:%M")), timeout=5)
            )
            self._show_status(when)

        self.app.push_screen(mute_prompt(self._mute_minutes), answered)

    async def action_quit(self) -> None:
        """Quit at once, unless orders wait for an answer (new ones, cancellation requests) or actions wait in
        the outbox: then ask first (`q` sits beside `a` and `w`; nobody answers a ringing order once the console
        is closed). 1, Enter, y or q again quit; 2, n or Esc stay. Signals (SIGTERM, SIGHUP) and Ctrl+C do not
        ask. Ctrl+Q (the app's `ask_quit`) comes here from any screen: the quit goes through the app's (a menu
        editor open keeps its edits first), and Ctrl+Q again while this asks quits."""
        # another console on this profile (a second terminal, a phone over SSH) goes on ringing them and sending
        other_consoles = getattr(self.app, "other_consoles", lambda: 0)
        said = quit_lines(self.host.source.orders(), self.host.source.link().pending, other_consoles)
        if not said or (self._quit_prompt is not None and self.app.screen is self._quit_prompt):
            await self.app.action_quit()
            return
        from screens.dialogs import ChoicePrompt  # loaded with the first dialog, not for the first frame

        lines = [t("queue.quit.title"), *said]
        choices = [("quit", t("queue.quit.yes")), ("stay", t("queue.quit.no"))]
        shortcuts = {"y": "quit", "q": "quit", "n": "stay"}

        async def answered(choice: str | None) -> None:
            self._quit_prompt = None
            if choice == "quit":
                await self.app.action_quit()

        self._quit_prompt = ChoicePrompt(Content("\n".join(lines)), choices, shortcuts=shortcuts)
        self.app.push_screen(self._quit_prompt, answered)

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
        self._refresh_rows()

    async def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self._query = event.value
            self._refresh_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search":
            if not event.value:
                event.input.display = False
            self.queue.focus()
