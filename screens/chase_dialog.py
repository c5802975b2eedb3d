"""`y`: answer the customer's latest chase (催单) on an order.

Four answers, picked by their digit: 1 "Being prepared, ready in N minutes" (the minutes field, prefilled with the
minutes until the promised time, takes the focus), 2 "Out for delivery", 3 "Ready for pickup", 4 the store's own
words (the text field takes the focus). Enter sends the answer highlighted; Esc cancels. The customer's note is
untrusted: shown as plain Content through safe_text, never markup.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from o2o_tui.domain.chases import (
    CHASE_REPLIES,
    CHASE_TEXT_MAX,
    REPLY_MINUTES_MAX,
    REPLY_MINUTES_MIN,
    Chase,
    ChaseReply,
    ChaseReplyBody,
    reply_is_true,
    suggested_minutes,
)
from o2o_tui.domain.limits import blank
from o2o_tui.domain.order import Order
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from screens.dialogs import Dialog, SteadyAsciiInput, SteadyInput, numbered_hang
from screens.keys import localize_bindings
from screens.terminal import glyphs_of
from screens.widgets.folded_text import FoldedLabel, FoldedText

DEFAULT_MINUTES = 10  # when the order has no promised time (or it has passed)


def reply_label(reply: ChaseReply, minutes: int | None = None) -> str:
    if reply is ChaseReply.PREPARING and minutes is not None:
        return t("care.reply.PREPARING_minutes", minutes=minutes)
    return t(f"care.reply.{reply.value}")


def chase_line(chase: Chase, now: datetime, zone: ZoneInfo | None) -> str:
    """"Asked 12:31 (3 min ago): where is it?" (zh "12:31 催单（3 分钟前）：好了吗"), the customer's words
    made safe."""
    asked = chase.asked_at.astimezone(zone) if zone else chase.asked_at
    minutes = max(0, int((now - chase.asked_at).total_seconds() // 60))
    line = t("care.chase.asked", time=asked.strftime("%H:%M"), minutes=minutes)
    note = safe_text(chase.note, one_line=True)
    return t("care.chase.asked_note", asked=line, note=note) if note else line


class ChaseReplyDialog(Dialog[ChaseReplyBody | None]):
    DEFAULT_CSS = """
    ChaseReplyDialog { align: center middle; }
    ChaseReplyDialog #minutes-row { height: 1; }
    ChaseReplyDialog #minutes, ChaseReplyDialog #text { padding: 0 1; }  /* by id: over compact's padding 0 */
    ChaseReplyDialog #minutes { width: 8; }
    """
    BINDINGS = [  # Enter for the footer: the list or field that has the focus applies it
        Binding("enter", "send", "ui.key.send", id="chase.send"),
        Binding("escape", "cancel", "ui.key.cancel", id="dialog.cancel"),
    ]

    def __init__(self, order: Order, now: datetime, zone: ZoneInfo | None = None) -> None:
        super().__init__()
        localize_bindings(self)
        self.order = order
        self._now = now
        self._zone = zone
        self._minutes = suggested_minutes(order.promised_ready_at, now, DEFAULT_MINUTES)

    def compose(self) -> ComposeResult:
        order = self.order
        with Vertical(classes="dialog"):
            # every sentence broken as Chinese is set: "（0 分钟前）" never split before its unit nor at "（"
            yield FoldedLabel(Content(t("care.chase.title", number=order.display_number)), classes="title")
            if order.chases:
                yield FoldedLabel(Content(chase_line(order.chases[-1], self._now, self._zone)), id="asked")
            yield OptionList(
                *[
                    Option(self._label(n, reply), id=reply.value, disabled=not self._true(reply))
                    for n, reply in enumerate(CHASE_REPLIES, 1)
                ],
                id="templates",
            )
            with Horizontal(id="minutes-row"):
                yield Label(Content(t("care.chase.minutes")))
                yield SteadyAsciiInput(  # "１５" typed with a Chinese input method is shown and kept as 15
                    value=str(self._minutes),
                    type="integer",
                    max_length=3,
                    id="minutes",
                    select_on_focus=True,
                    compact=True,  # one row, focused too (Input:focus would draw a tall border over the text)
                )
            yield SteadyInput(
                placeholder=t("care.chase.text_placeholder"), max_length=CHASE_TEXT_MAX, id="text", compact=True
            )
            # the catalog's own "·" (no untrusted text in it) as the terminal can show it: "|" in ASCII
            yield FoldedLabel(Content(t("care.chase.hint").replace("·", glyphs_of(self.app).dot)), classes="hint")
            yield FoldedLabel("", id="error", classes="error")

    def _true(self, reply: ChaseReply) -> bool:
        """Whether the answer says what the order is doing now (the numbers stay; an untrue one is greyed)."""
        return reply_is_true(reply, self.order.type.value, self.order.status.value)

    def _label(self, n: int, reply: ChaseReply) -> FoldedText:
        """The answer's line, its next lines under its words (past "1. ")."""
        label = f"{n}. {reply_label(reply)}"
        if not self._true(reply):
            label = t("care.chase.option_not_now", option=label, why=t("care.chase.not_now"))  # zh "（…）"
        return FoldedText(Content(label), hang=numbered_hang)

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = False
        self.query_one("#minutes-row Label", Label).styles.width = "auto"  # over the app's `.dialog Label`
        self.query_one("#templates", OptionList).styles.border = ("none", "black")  # two rows more at 40x15
        self.query_one("#templates", OptionList).focus()

    def _error(self, text: str) -> None:
        self.query_one("#error", Label).update(Content(text))

    def on_key(self, event: events.Key) -> None:
        """A digit picks an answer while the list has the focus (in the fields, digits are typed)."""
        templates = self.query_one("#templates", OptionList)
        if self.focused is not templates or not event.character or not event.character.isdigit():
            return
        index = int(event.character) - 1
        if not 0 <= index < len(CHASE_REPLIES):
            return
        event.stop()
        event.prevent_default()
        if not self._true(CHASE_REPLIES[index]):
            self.app.bell()
            return
        templates.highlighted = index
        self._error("")
        reply = CHASE_REPLIES[index]
        if reply is ChaseReply.PREPARING:
            self.query_one("#minutes", Input).focus()
        elif reply is ChaseReply.TEXT:
            self.query_one("#text", Input).focus()

    def action_send(self) -> None:
        """Enter (the footer's `⏎`): the answer highlighted, or the field that has the focus."""
        focused = self.focused
        if isinstance(focused, Input) and focused.id == "minutes":
            self._send_minutes()
        elif isinstance(focused, Input):
            self._send_text()
        else:
            self.query_one("#templates", OptionList).action_select()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        reply = ChaseReply(event.option.id or ChaseReply.READY.value)
        if reply is ChaseReply.PREPARING:
            self._send_minutes()
        elif reply is ChaseReply.TEXT:
            self._send_text()
        else:
            self.dismiss(ChaseReplyBody(template=reply))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "minutes":
            self._send_minutes()
        else:
            self._send_text()

    def _send_minutes(self) -> None:
        raw = self.query_one("#minutes", Input).value.strip()
        if not raw.isdigit() or not REPLY_MINUTES_MIN <= int(raw) <= REPLY_MINUTES_MAX:
            self._error(t("ui.dialog.out_of_range", minimum=REPLY_MINUTES_MIN, maximum=REPLY_MINUTES_MAX))
            self.query_one("#minutes", Input).focus()
            return
        self.dismiss(ChaseReplyBody(template=ChaseReply.PREPARING, minutes=int(raw)))

    def _send_text(self) -> None:
        text = self.query_one("#text", Input).value.strip()
        if blank(text):
            self._error(t("care.chase.text_required"))
            self.query_one("#text", Input).focus()
            return
        self.dismiss(ChaseReplyBody(template=ChaseReply.TEXT, text=text))

    def action_cancel(self) -> None:
        self.dismiss(None)
