"""One order in full, with the same action keys as the queue."""

from __future__ import annotations

import sys
from typing import Any, cast

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen

from o2o_tui.domain.refunds import refund_offered, refund_window
from o2o_tui.domain.requests import EmptyBody
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from screens import order_format as fmt
from screens.care_messages import CareRequested
from screens.console_messages import (
    ConsoleHost,
    OrderActionName,
    OrderActionRequested,
    PrintRequested,
    ShowHelp,
)
from screens.keys import localize_bindings
from screens.order_keys import offered, refused_bindings
from screens.source import QueueEntry
from screens.widgets.folded_text import FoldedText
from screens.widgets.footer import KeyFooter
from screens.widgets.order_detail import OrderDetail
from screens.widgets.status_bar import StatusBar

_FOOD_RECEIVED = "order.food_received"


def _food_out(entry: QueueEntry | None) -> bool:
    """A courier has the order's food (`Order.food_with_courier`) and this device has not queued its return yet
    (a second one would be refused: nothing left to clear)."""
    return (
        entry is not None
        and entry.order.food_with_courier is not None
        and _FOOD_RECEIVED not in entry.pending
    )


class DetailScreen(Screen[None]):
    DEFAULT_CSS = """
    DetailScreen #detail-scroll {
        height: 1fr;
        padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape,backspace", "back", "ui.key.back", id="detail.back"),
        Binding("a", "accept", "ui.key.accept", id="detail.accept"),
        Binding("x", "reject", "ui.key.reject", id="detail.reject"),
        Binding("p", "preparing", "ui.key.preparing", id="detail.preparing"),
        Binding("r", "ready", "ui.key.ready", id="detail.ready"),
        Binding("plus", "delay", "ui.key.delay", id="detail.delay"),
        Binding("h", "handoff", "ui.key.handoff", id="detail.handoff"),
        Binding("c", "cancellation", "ui.key.cancellation", id="detail.cancellation"),
        Binding("u", "unlock_code", "ui.key.unlock_code", id="detail.unlock_code"),
        # only while a courier has the order's food (a refused pickup): it is back at the counter
        Binding("b", "food_received", "orders.food_received.key", id="detail.food_received"),
        Binding("y", "chase_reply", "care.key.chase_reply", id="detail.chase_reply"),
        Binding("dollar_sign", "refund", "care.key.refund", id="detail.refund"),
        Binding("k", "reprint", "printing.key.reprint", id="detail.reprint"),
        Binding("R", "receipt", "printing.key.receipt", id="detail.receipt"),
        Binding("question_mark", "help", "ui.key.help", show=False, id="detail.help"),
        *refused_bindings("detail"),  # an ended order's step keys, hidden: pressed, they still say why
    ]

    # a locked code is what the customer at the counter waits on: its key first (shown only while one is locked);
    # then a cancellation request's answer (shown only while one is open), before the steps it may make moot
    FOOTER_PRIORITY = ("detail.unlock_code", "detail.cancellation", "detail.food_received")

    KEPT_NAME = "o2o-order-detail"

    def __init__(self, order_id: str) -> None:
        super().__init__()
        localize_bindings(self)
        self.order_id = order_id

    @classmethod
    def kept(cls, app: App[Any], order_id: str) -> DetailScreen:
        """The app's one detail screen (made the first time), showing `order_id` from its top. Building the
        screen (CSS, compose, mount, a toast rack, a footer composed twice) on every Enter and removing it on
        every Esc (a second full repaint) cost most of the 50 ms a key may take; it is built once and stays
        installed. A new one while the kept one is open."""
        if not app.is_screen_installed(cls.KEPT_NAME):
            app.install_screen(cls(order_id), cls.KEPT_NAME)
        screen = app.get_screen(cls.KEPT_NAME)
        if not isinstance(screen, DetailScreen) or screen in app.screen_stack:
            return cls(order_id)
        screen.show_order(order_id)
        return screen

    def show_order(self, order_id: str) -> None:
        """Show another order (the screen is kept between orders): from the top, with its own keys."""
        changed = order_id != self.order_id
        self.order_id = order_id
        if self.is_mounted:
            if changed:
                self.query_one("#detail-scroll", VerticalScroll).scroll_home(animate=False, immediate=True)
            self.refresh_order()

    @property
    def host(self) -> ConsoleHost:
        return cast(ConsoleHost, self.app)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-scroll"):
            yield OrderDetail(id="detail")
        yield StatusBar(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#detail-scroll").focus()
        self.refresh_order()

    def entry(self) -> QueueEntry | None:
        return self.host.source.order(self.order_id)

    def refresh_order(self) -> None:
        """Show the order now; before the screen's widgets are there (a change of the source while it is first
        pushed), nothing: `on_mount` shows it."""
        details = self.query(OrderDetail)
        if not details:
            return
        entry = self.entry()
        detail = details.first()
        if entry is None:
            detail.update(FoldedText(Content(t("ui.detail.gone"))))  # broken as Chinese is set, as the order is
        else:
            detail.show(entry, self.host.now(), self.host.store_zone())
        self.refresh_bindings()  # `u` shows only while a code is locked, the steps only while the order is live
        self.query_one(StatusBar).show(self.host.source.link(), self.host.source.store(), self.host.now())

    def action_back(self) -> None:
        self.app.pop_screen()

    def _run(self, name: OrderActionName) -> None:
        if self.entry() is not None:
            self.post_message(OrderActionRequested(name, self.order_id))

    def action_accept(self) -> None:
        self._run("accept")

    def action_reject(self) -> None:
        self._run("reject")

    def action_preparing(self) -> None:
        self._run("preparing")

    def action_ready(self) -> None:
        self._run("ready")

    def action_delay(self) -> None:
        self._run("delay")

    def action_handoff(self) -> None:
        self._run("handoff")

    def action_cancellation(self) -> None:
        self._run("answer_cancellation")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("reprint", "receipt"):  # only while a printer is set (screens/printing.py `printer_set`)
            printing = sys.modules.get("screens.printing")
            return printing is not None and printing.printer_set(self.app)
        if action == "unlock_code":  # only while a code of the order is locked (too many wrong codes)
            entry = self.entry()
            return entry is not None and fmt.code_lock(entry.order, self.host.now()) is not None
        if action == "food_received":  # only while a courier has the order's food (`Order.food_with_courier`)
            return _food_out(self.entry())
        if action == "refund":  # before handoff, or handed off within the refund window, with money left
            entry = self.entry()
            return entry is None or refund_offered(entry.order, self.host.now(), refund_window())
        return offered(action, self.entry())  # an ended order: no Accept, Reject, Preparing... in the footer

    def action_refused_key(self, action: str) -> None:
        """An order step the footer does not offer for this order, pressed anyway: run it, so it says why."""
        getattr(self, f"action_{action}")()

    def action_unlock_code(self) -> None:
        self._run("unlock_code")

    def action_food_received(self) -> None:
        """The food a courier had (a refused pickup) is back at the counter and the courier never said so: asks
        first, then queues `order.food_received` (sent at once when online)."""
        entry = self.entry()
        if entry is None:
            return
        order = entry.order
        held = order.food_with_courier
        if held is None or not _food_out(entry):  # nothing out, or said already (queued, not sent yet)
            self._say(t("orders.food_received.none", number=order.display_number), "warning")
            return
        from screens.dialogs import ChoicePrompt  # loaded with the first dialog

        name = safe_text(held.courier_name, one_line=True)
        title = Content(t("orders.food_received.confirm", number=order.display_number, name=name))
        choices = [("no", t("orders.food_received.no")), ("yes", t("orders.food_received.yes"))]

        def answered(choice: str | None) -> None:
            if choice == "yes":
                self.app.run_worker(self._send_food_received(order.id), group="actions", exit_on_error=False)

        self.app.push_screen(ChoicePrompt(title, choices, shortcuts={"y": "yes", "n": "no"}), answered)

    async def _send_food_received(self, order_id: str) -> None:
        from screens.order_actions import queued_key
        from screens.source import ActionRefused

        source = self.host.source
        entry = source.order(order_id)
        if entry is None:
            self._say(t("ui.detail.gone"), "warning")
            return
        number, label = entry.order.display_number, t("orders.food_received.action")
        if entry.order.food_with_courier is None:  # cleared meanwhile (the courier said so, another counter)
            self._say(t("orders.food_received.none", number=number), "warning")
            return
        try:
            await source.submit(_FOOD_RECEIVED, order_id, EmptyBody())
        except ActionRefused as refused:
            reason = refused.message
            self._say(t("ui.action.refused", number=number, action=label, reason=reason), "error", 10)
            return
        self._say(t(queued_key(source), number=number, action=label), "information", 3)

    def _say(self, message: str, severity: str, timeout: float = 5) -> None:
        """A toast as the app's `say` makes it: never parsed as markup (a courier's name is in it)."""
        from screens.command_toasts import say_in  # as the app says it: a command bold, without its marks

        say_in(self.app, message, severity=severity, timeout=timeout)

    def action_chase_reply(self) -> None:
        if self.entry() is not None:
            self.post_message(CareRequested("chase_reply", self.order_id))

    def action_refund(self) -> None:
        if self.entry() is not None:
            self.post_message(CareRequested("refund", self.order_id))

    def action_reprint(self) -> None:
        if self.entry() is not None:  # the kitchen ticket again (screens/printing.py)
            self.post_message(PrintRequested(self.order_id, reprint=True))

    def action_receipt(self) -> None:
        if self.entry() is not None:
            self.post_message(PrintRequested(self.order_id, "receipt"))

    def action_help(self) -> None:
        self.post_message(ShowHelp())
