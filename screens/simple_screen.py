"""The simple mode (适老化): one order at a time in large digits, and three keys always named on screen,
for counter staff who do not learn keys. `o2o console --simple` or the `simple_mode` setting makes it home.

- Up/down move between the live orders (the queue's order: new ones first). What the highlighted order needs
  next is said in words and its key stands out.
- 1 accepts with the store's default prep time, 2 marks it ready, 3 hands off a takeout or dine-in order: it
  opens a field for the pickup code where a scanner's digits go (while open, every digit goes to it, never
  to 1-3; Enter hands off, Esc closes it). Esc or q asks before quitting.
- An order with an open cancellation request says who asks ("The customer asks to cancel"), and its key row
  shows one key, only then: 4 opens the console's own answer dialog (who asks, why; 1 agree, 2 refuse). Until it
  is answered 1-3 do nothing on that order but say to answer it first: a counter worker who marks it ready out of
  habit would make food the customer no longer wants.
- Other keys do nothing but say which keys to use: only 1-3 stop the ring of the order on show.
- It rings (and speaks, when voice is on) exactly as the queue does (`screens.alerts`, `screens.announce`) and
  asks the app for actions with the same typed messages, so offline queueing and refusals work unchanged.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import cast

from textual import events
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.geometry import Size
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Digits, Input, Static

from o2o_tui.client.errors import says_disabled
from o2o_tui.domain.order import ENDED_STATUSES, Order, OrderStatus, OrderType
from o2o_tui.domain.transitions import OrderAction, TransitionCheck, check_order_transition
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from o2o_tui.settings import load_settings
from o2o_tui.sync.explain import wrong_type
from screens import order_format as fmt
from screens.alerts import Alerts, Sound, bell_pattern
from screens.announce import announce
from screens.console_messages import ConsoleHost, OrderActionRequested, Say
from screens.dialogs import SteadyAsciiInput
from screens.keys import localize_bindings
from screens.quit_question import quit_lines
from screens.simple_actions import QuickActionRequested
from screens.source import LinkState, QueueEntry, SourceChange
from screens.terminal import FULL, Glyphs, decorated, glyphs_of

IDLE_FOLLOW_S = 3.0  # nobody typed this long: a new order that arrives is shown (it is the one ringing)
KEYS = (("1", "simple.key.accept"), ("2", "simple.key.ready"), ("3", "simple.key.handoff"))
ANSWER_KEY = ("4", "simple.key.answer")  # shown only while the order on show has a cancellation request
HINT_EVERY_S = 3.0  # at most one "use the keys shown" hint this often


def asks_to_cancel(order: Order) -> bool:
    """A live order with an open cancellation request: its answer comes before any step."""
    return order.cancellation is not None and order.status not in ENDED_STATUSES


def next_step(order: Order) -> str | None:
    """The digit the order needs next ("1", "2", "3"; "4" to answer a cancellation request), or None when the
    counter has nothing to do on it."""
    if asks_to_cancel(order):
        return ANSWER_KEY[0]
    if order.status is OrderStatus.CREATED:
        return "1"
    if order.status in (OrderStatus.CONFIRMED, OrderStatus.PREPARING):
        return "2"
    if order.status is OrderStatus.READY_FOR_PICKUP and order.type is not OrderType.DELIVERY:
        return "3"
    return None


def item_lines(order: Order, glyphs: Glyphs = FULL) -> list[str]:
    """One line an item ("2× Rice (Mild) · no onion"), then the order's note; the decoration in `glyphs`."""
    lines = []
    for line in order.lines:
        text = f"{line.quantity}{glyphs.times} {safe_text(line.name, one_line=True)}"
        options = [safe_text(option.name, one_line=True) for option in line.options]
        if options:  # zh "（微辣，米饭）": full-width, as Chinese prose takes them
            text += t("simple.options", options=t("simple.options_separator").join(options))
        if line.note:
            text += f" {glyphs.dot} {safe_text(line.note, one_line=True)}"
        lines.append(text)
    if order.note:
        lines.append(t("simple.note", note=safe_text(order.note, one_line=True)))
    return lines


class OrderNumber(Digits):
    """The order's number in large digits (Textual's, drawn in heavy box lines); on a terminal whose font lacks
    those (vt100, the Linux console: screens/terminal.py) the number in plain bold digits."""

    def _plain(self) -> bool:
        return not glyphs_of(self.app).full

    def render(self) -> RenderResult:
        if self._plain():
            return Content.styled(self.value, "bold")
        return super().render()

    def get_content_width(self, container: Size, viewport: Size) -> int:
        if self._plain():
            return len(self.value)
        return super().get_content_width(container, viewport)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self._plain():
            return 1
        return super().get_content_height(container, viewport, width)


class SimpleScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("simple_screen.tcss")
    AUTO_FOCUS = ""  # keys go to the screen's bindings; only the code field, while open, takes focus
    BINDINGS = [
        Binding("1", "accept", "simple.key.accept", show=False, id="simple.accept"),
        Binding("2", "ready", "simple.key.ready", show=False, id="simple.ready"),
        Binding("3", "handoff", "simple.key.handoff", show=False, id="simple.handoff"),
        Binding("4", "answer", "simple.key.answer", show=False, id="simple.answer"),
        Binding("up", "move(-1)", "simple.key.previous", show=False, id="simple.previous"),
        Binding("down", "move(1)", "simple.key.next", show=False, id="simple.next"),
        Binding("escape", "back", "simple.key.quit", show=False, id="simple.back"),
        Binding("q", "quit", "simple.key.quit", show=False, id="simple.quit"),
    ]

    def __init__(self, *, alerts: Alerts | None = None) -> None:
        super().__init__()
        localize_bindings(self)
        self.alerts = alerts or Alerts(ring_every_s=load_settings().ring_every_s)
        self.cursor_id: str | None = None
        self._entries: list[QueueEntry] = []
        self._code_for: str | None = None  # the order whose pickup code the field asks, while it is open
        self._last_key = 0.0
        self._hinted = float("-inf")  # when the last stray key's hint was shown (monotonic)
        self._loaded = False
        self._timer: Timer | None = None
        self._shown: dict[str, str] = {}  # widget id -> the text it shows (`_put`)

    @property
    def host(self) -> ConsoleHost:
        return cast(ConsoleHost, self.app)

    def compose(self) -> ComposeResult:
        with Horizontal(id="simple-top"):
            yield Static("", id="simple-store", markup=False)
            yield Static("", id="simple-link", markup=False)
        yield Static("", id="simple-banner", markup=False)
        yield Static(Content(t("simple.loading")), id="simple-where", markup=False)
        with Horizontal(id="simple-order"):
            yield OrderNumber("", id="simple-number")
            with Vertical(id="simple-facts"):
                yield Static("", id="simple-type", markup=False)
                yield Static("", id="simple-status", markup=False)
                yield Static("", id="simple-next", markup=False)
        yield Static("", id="simple-items", markup=False)
        with Vertical(id="simple-code"):
            yield Static("", id="simple-code-title", markup=False)
            yield SteadyAsciiInput(restrict=r"[0-9A-Za-z]*", max_length=12, id="simple-code-field")
            yield Static("", id="simple-code-error", markup=False)
        with Horizontal(id="simple-keys"):
            for digit, key in (*KEYS, ANSWER_KEY):
                yield Static(
                    Content(decorated(f"{digit} {t(key)}", glyphs_of(self.app))),
                    id=f"simple-key-{digit}",
                    classes="simple-key",
                )

    def on_mount(self) -> None:
        self.query_one("#simple-code").display = False
        self.query_one("#simple-banner").display = False
        self.query_one(f"#simple-key-{ANSWER_KEY[0]}").display = False
        self.query_one("#simple-code-field", Input).cursor_blink = False
        self._timer = self.set_interval(1.0, self._tick)

    # data
    def live(self) -> list[QueueEntry]:
        return self._entries

    def cursor_entry(self) -> QueueEntry | None:
        for entry in self._entries:
            if entry.order.id == self.cursor_id:
                return entry
        return None

    async def apply_change(self, change: SourceChange) -> None:
        """As the queue's `apply_change`: bring the order in line with the source, ring for what is new."""
        now = self.host.now()
        source = self.host.source
        if change.order_ids or change.store or not self._loaded:
            self._loaded = True
            entries = source.orders()
            self._play(self.alerts.orders_changed(entries, now))
            self._set_entries(entries)
        if change.link or change.store:
            sounds, toast = self.alerts.link_changed(source.link(), now)
            self._play(sounds)
            if toast:
                down = self.alerts.offline_banner is not None
                self.post_message(Say(toast, severity="error" if down else "information", timeout=15))
        self._show_top(now)
        if change.message:
            self.post_message(Say(change.message, severity="error", timeout=15))

    def _set_entries(self, entries: list[QueueEntry]) -> None:
        live = [entry for entry in entries if entry.order.status not in ENDED_STATUSES]
        live.sort(key=lambda entry: fmt.queue_sort_key(entry.order))
        old_ids = [entry.order.id for entry in self._entries]
        ids = [entry.order.id for entry in live]
        if self._code_for is not None and self._code_for not in ids:
            self._close_code()
        cursor = self.cursor_id
        if cursor not in ids:  # gone (handed off, cancelled): the order now at its place, else the last
            place = old_ids.index(cursor) if cursor in old_ids else 0
            cursor = ids[min(place, len(ids) - 1)] if ids else None
        idle = time.monotonic() - self._last_key >= IDLE_FOLLOW_S
        current = next((entry.order for entry in live if entry.order.id == cursor), None)
        if idle and self._code_for is None and (current is None or current.status is not OrderStatus.CREATED):
            fresh = [
                order_id for order_id in ids if order_id in self.alerts.alerting and order_id not in old_ids
            ]
            if fresh:
                cursor = fresh[0]  # the ringing order is the one to show
        self._entries = live
        self.cursor_id = cursor
        self._show_order()

    def acknowledge(self, order_id: str) -> None:
        self.alerts.acknowledge(order_id)
        self._show_order()

    def _play(self, sounds: list[Sound]) -> None:
        announce(self, sounds)  # said in words too, when voice is on
        for sound in sounds:
            for delay in bell_pattern(sound):
                if delay <= 0:
                    self.app.bell()
                else:
                    self.set_timer(delay, self.app.bell)

    def _tick(self) -> None:
        now = self.host.now()
        self._play(self.alerts.tick(now))
        self._show_clock(now)
        self._show_top(now)

    # what is shown
    def _show_top(self, now: datetime) -> None:
        source = self.host.source
        store = source.store()
        self._put("simple-store", safe_text(store.name, one_line=True) if store else "")
        link = source.link()
        words = t(f"simple.link.{link.state.value}")
        if link.state is LinkState.UNAUTHORIZED and says_disabled(link.error):  # not signed out: disabled by an admin
            words = t("simple.link.disabled")
        if link.pending:
            words = t("simple.link.pending", state=words, count=link.pending)
        if self.alerts.is_muted(now):
            words = t("simple.link.muted", state=words)
        self._put("simple-link", words)
        self.query_one("#simple-link").set_class(link.state is not LinkState.ONLINE, "-down")
        banner = self.query_one("#simple-banner", Static)
        text = self.alerts.banner(self.size.width or 80)
        banner.display = text is not None
        if text is not None:
            self._put("simple-banner", text)

    def _show_order(self) -> None:
        entry = self.cursor_entry()
        number = self.query_one("#simple-number", Digits)
        order_box = self.query_one("#simple-order")
        if entry is None:
            self._put("simple-where", t("simple.no_orders"))
            order_box.display = False
            self._put("simple-items", "")
            self._show_keys(None)
            return
        order = entry.order
        index = next(i for i, e in enumerate(self._entries) if e.order.id == order.id)
        self._put("simple-where", t("simple.where", index=index + 1, count=len(self._entries)))
        order_box.display = True
        number.update(str(order.number))
        alerting = order.id in self.alerts.alerting or order.id in self.alerts.urgent
        number.set_class(alerting, "-alerting")
        self._put("simple-type", fmt.type_label(order))
        step = next_step(order)
        if order.cancellation is not None:  # who asks, from the request itself (an admin's reads as the store's)
            hint, hint_class = t(f"simple.cancel_request.{order.cancellation.requested_by}"), "-cancel"
        elif entry.pending:
            hint, hint_class = t("simple.queued"), "-queued"
        elif step is not None:
            hint, hint_class = t("simple.next", key=f"{step} {t(dict((*KEYS, ANSWER_KEY))[step])}"), "-todo"
        elif order.type is OrderType.DELIVERY and order.status is OrderStatus.READY_FOR_PICKUP:
            hint, hint_class = t("simple.wait_courier"), ""
        else:
            hint, hint_class = "", ""
        next_label = self.query_one("#simple-next", Static)
        self._put("simple-next", hint)
        for name in ("-cancel", "-queued", "-todo"):
            next_label.set_class(name == hint_class, name)
        self._put("simple-items", "\n".join(item_lines(order, glyphs_of(self.app))), decorate=False)
        self._show_clock(self.host.now())
        self._show_keys(None if entry.pending else step)

    def _show_clock(self, now: datetime) -> None:
        entry = self.cursor_entry()
        if entry is None:
            return
        order = entry.order
        status = fmt.status_label(order)
        if order.status is OrderStatus.CREATED and order.accept_deadline is not None:
            status = t("simple.to_accept", status=status, clock=fmt.clock_text(order, now))
        elif order.status in (OrderStatus.CONFIRMED, OrderStatus.PREPARING):
            status = t("simple.due", status=status, clock=fmt.clock_text(order, now))
        self._put("simple-status", status)

    def _put(self, widget_id: str, text: str, *, decorate: bool = True) -> None:
        """Show `text` (plain) in the Static `widget_id`, repainting it only when it changed: an idle screen
        writes nothing but its one ticking clock. `decorate`: its " · ", "×"... in the terminal's set; a text
        already built in that set (the items: a note's own "×" or " · " is the customer's) says False."""
        if self._shown.get(widget_id) != text:
            self._shown[widget_id] = text
            shown = decorated(text, glyphs_of(self.app)) if decorate else text
            self.query_one(f"#{widget_id}", Static).update(Content(shown))

    def _show_keys(self, step: str | None) -> None:
        entry = self.cursor_entry()
        asking = entry is not None and asks_to_cancel(entry.order)
        for digit, _ in (*KEYS, ANSWER_KEY):  # while a request waits, its answer is the one key on show
            key = self.query_one(f"#simple-key-{digit}", Static)
            key.display = asking is (digit == ANSWER_KEY[0])
            key.set_class(digit == step, "-next")

    def _asking(self) -> QueueEntry | None:
        """The order on show, when it has an open cancellation request."""
        entry = self.cursor_entry()
        return entry if entry is not None and asks_to_cancel(entry.order) else None

    # keys
    def on_key(self, event: events.Key) -> None:
        """Only the keys the screen names act. 1-4 answer the order on show once their action applies: the action
        acknowledges it then (ring and flash stop), as the queue's a/x/c do; one refused ("accept it first") says
        why and the order rings on. Moving to another order or asking to quit leaves it ringing, as in the queue.
        Any other key does nothing but say which keys to use: a stray key must not silence a new order nobody has
        looked at."""
        self._last_key = time.monotonic()
        active = self.active_bindings.get(event.key)
        if active is None or not active.enabled:
            if self._code_for is None:  # while the code field is open, what it does not take is ignored
                self._hint_keys()
            return

    def _hint_keys(self) -> None:
        now = time.monotonic()
        if now - self._hinted < HINT_EVERY_S:  # a run of stray keys: one hint, not a pile of toasts
            return
        self._hinted = now
        words = t("simple.other_key_answer" if self._asking() else "simple.other_key")
        hint = decorated(words, glyphs_of(self.app))  # `up/down` where ↑/↓ cannot show
        self.post_message(Say(hint, severity="warning", timeout=HINT_EVERY_S))

    def _chosen(self) -> Order | None:
        entry = self.cursor_entry()
        if entry is None:
            self.post_message(Say(t("simple.nothing"), severity="warning", timeout=3))
            return None
        return entry.order

    def action_move(self, step: int) -> None:
        if self._code_for is not None or not self._entries:
            return
        ids = [entry.order.id for entry in self._entries]
        place = ids.index(self.cursor_id) if self.cursor_id in ids else 0
        self.cursor_id = ids[max(0, min(len(ids) - 1, place + step))]
        self._show_order()

    def _answer_first(self, order: Order) -> bool:
        """1-3 on an order with an open cancellation request: say to answer it first (4), and do nothing."""
        if not asks_to_cancel(order):
            return False
        self.post_message(Say(t("simple.answer_first", number=order.number), severity="warning", timeout=5))
        return True

    def action_accept(self) -> None:
        if (order := self._chosen()) and not self._answer_first(order):
            self.post_message(QuickActionRequested("accept", order.id))

    def action_ready(self) -> None:
        if (order := self._chosen()) and not self._answer_first(order):
            self.post_message(OrderActionRequested("ready", order.id))

    def action_answer(self) -> None:
        """4: the console's answer dialog for the request (who asks and why; agree or refuse)."""
        entry = self._asking()
        if entry is None:  # shown only with a request: a stray key otherwise
            self._hint_keys()
            return
        self.post_message(OrderActionRequested("answer_cancellation", entry.order.id))

    def action_handoff(self) -> None:
        order = self._chosen()
        if order is None or self._answer_first(order):
            return
        applies = (
            check_order_transition(order.status, order.type, OrderAction.HANDOFF) is TransitionCheck.APPLY
        )
        if not applies or wrong_type(OrderAction.HANDOFF, order.type, order.display_number) is not None:
            self.post_message(OrderActionRequested("handoff", order.id))  # the app says why not
            return
        self._code_for = order.id
        self.query_one("#simple-code-title", Static).update(
            Content(t("simple.code_title", number=order.number))
        )
        self.query_one("#simple-code-error", Static).update("")
        field = self.query_one("#simple-code-field", SteadyAsciiInput)
        field.value = ""
        self.query_one("#simple-code").display = True
        self.set_focus(field)  # at once: a scanner's digits right behind the 3 go to the field

    def _close_code(self) -> None:
        self._code_for = None
        self.query_one("#simple-code").display = False
        self.set_focus(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        order_id = self._code_for
        if order_id is None:
            return
        code = event.value.strip()
        if not code:
            self.query_one("#simple-code-error", Static).update(Content(t("simple.code_required")))
            return
        self._close_code()
        self.post_message(QuickActionRequested("handoff", order_id, code=code))

    def action_back(self) -> None:
        if self._code_for is not None:
            self._close_code()
        else:
            self.action_quit()

    def action_quit(self) -> None:
        from screens.dialogs import ChoicePrompt

        def answered(choice: str | None) -> None:
            if choice == "quit":
                self.app.exit()

        source = self.host.source
        other_consoles = getattr(self.app, "other_consoles", lambda: 0)
        lines = [t("simple.quit_title"), *quit_lines(source.orders(), source.link().pending, other_consoles)]
        choices = [("stay", t("simple.quit_no")), ("quit", t("simple.quit_yes"))]
        self.app.push_screen(ChoicePrompt(Content("\n".join(lines)), choices), answered)
