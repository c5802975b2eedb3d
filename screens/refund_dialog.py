"""`$`: refund items or the whole order, with a reason, showing the amount before it is sent.

Two steps in one dialog. Lines: a digit toggles that line (all of what is left of it, or none), `+`/`-` change
the quantity of the line under the cursor (up/down move it), `0` toggles the whole order; Enter goes on. Reason:
a digit picks the reason (OTHER puts the cursor in the note, which it needs), Tab reaches the note, Enter sends
the refund whose amount is shown. An order handed off (refunded within the window after it) says until when, and
its reasons leave out "The customer asked" (`reason_fits`). Amounts come from `o2o_tui.domain.refunds.plan_refund`, the function the server
computes them with; the server has the last word (a refund it refuses lands in the conflicts, explained).
"""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

import msgspec
from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label, Static

from o2o_tui.domain.limits import NOTE_MAX, blank
from o2o_tui.domain.money import Money, format_money
from o2o_tui.domain.order import Order
from o2o_tui.domain.refunds import (
    REFUND_REASONS,
    RefundBody,
    RefundLineIn,
    RefundProblem,
    RefundReason,
    line_amount,
    plan_refund,
    reason_fits,
    reason_label,
    refunded_quantities,
    refunded_total,
    seen_refunds,
)
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from screens import order_format as fmt
from screens.dialogs import Dialog, SteadyInput
from screens.keys import localize_bindings
from screens.terminal import glyphs_of
from screens.widgets.folded_text import FoldedLabel

Step = Literal["lines", "reason"]


def _unseen(body: RefundBody) -> RefundBody:
    """`body` planned on the order as cached: its `seen_refunds` counts this device's queued refunds too, which
    only the platform, having received them first, holds."""
    return msgspec.structs.replace(body, seen_refunds=None)


class RefundDialog(Dialog[RefundBody | None]):
    DEFAULT_CSS = """
    RefundDialog { align: center middle; }
    RefundDialog #note { padding: 0 1; }  /* by id: over compact's padding 0 */
    RefundDialog #amount { text-style: bold; }
    RefundDialog #window { color: $text-muted; }
    """
    # for the footer (the keys themselves are read in `on_key`); each step shows its own (`check_action`)
    BINDINGS = [
        Binding("enter", "next", "ui.key.next", id="refund.next"),
        Binding("enter", "send", "care.key.refund", id="refund.send"),
        Binding("tab", "note", "ui.key.note", id="refund.note"),
        Binding("escape", "cancel", "ui.key.cancel", id="dialog.cancel"),
    ]
    STEP_ACTIONS: ClassVar[dict[str, Step]] = {"next": "lines", "send": "reason", "note": "reason"}
    AUTO_FOCUS = None  # the keys go to the dialog itself until the note is asked for

    def __init__(self, order: Order, *, queued: int = 0, until: str | None = None) -> None:
        """`queued`: this device's refunds of the order still in the outbox (sent before this one: counted as
        seen); `until`: the order was handed off and takes refunds until then (the store's clock)."""
        super().__init__()
        localize_bindings(self)
        self.order = order
        self.queued = queued
        self.until = until
        self.done = refunded_quantities(order)
        self.left = [line.quantity - done for line, done in zip(order.lines, self.done, strict=True)]
        self.chosen = [0] * len(order.lines)
        self.whole = False
        self.cursor = next((index for index, left in enumerate(self.left) if left > 0), 0)
        self.step: Step = "lines"
        self.reason: RefundReason | None = None
        self.refund_id = uuid.uuid4().hex  # one refund: a retry of the same dialog's answer is the same refund
        self._error_text = ""  # what the error line says now

    # what is asked
    def body(self) -> RefundBody:
        lines = [RefundLineIn(line=index, quantity=qty) for index, qty in enumerate(self.chosen) if qty > 0]
        return RefundBody(
            id=self.refund_id,
            reason_code=self.reason or RefundReason.ITEM_UNAVAILABLE,
            whole=self.whole,
            lines=[] if self.whole else lines,
            note=self.query_one("#note", Input).value.strip() if self.is_mounted else "",
            seen_refunds=seen_refunds(self.order, self.queued),
        )

    def amount(self) -> Money | None:
        """What the refund chosen so far gives back (None: nothing chosen, or more than is left)."""
        if not self.whole and not any(self.chosen):
            return None
        body = self.body()
        if body.reason_code is RefundReason.OTHER and blank(body.note):
            body = RefundBody(id=body.id, reason_code=RefundReason.LATE, whole=body.whole, lines=body.lines)
        try:
            return plan_refund(self.order, _unseen(body))[0]
        except RefundProblem:
            return None

    # drawing
    def _inner_width(self) -> int:
        """The cells a line of the dialog has: its box is 50 wide with a border and padding, or the whole
        width of a narrow terminal without them (the app's `.dialog` styles)."""
        drawn = self.query_one("#lines", Static).size.width if self.is_mounted else 0
        if drawn:
            return drawn
        width = self.app.size.width or 80
        return 46 if width >= 60 else min(50, width)

    def _lines_content(self) -> Content:
        width = self._inner_width()
        parts: list[str | tuple[str, str]] = []
        for index, line in enumerate(self.order.lines):
            here = index == self.cursor and self.step == "lines"
            qty = self.left[index] if self.whole else self.chosen[index]
            box = "[x]" if qty else "[ ]"
            digit = str(index + 1) if index < 9 else " "
            value = format_money(line_amount(line, self.done[index], qty)) if qty else ""
            head = f"{'>' if here else ' '}{digit} {box} {qty}/{self.left[index]} "
            name_width = max(4, width - cell_len(head) - 10)
            name = fmt.fit(safe_text(line.name, one_line=True), name_width)
            style = "reverse" if here else ("dim" if self.left[index] == 0 else "")
            parts += [(f"{head}{name} {fmt.fit(value, 9, align='right')}", style), "\n"]
        left_total = Money(
            self.order.totals.total.amount - refunded_total(self.order).amount, self.order.totals.total.currency
        )
        whole = t("care.refund.whole", amount=format_money(left_total))
        parts.append((fmt.fit(f" 0 {'[x]' if self.whole else '[ ]'} {whole}", width), "bold" if self.whole else ""))
        return Content.assemble(*parts)

    def _reasons_content(self) -> Content:
        width = self._inner_width()
        parts: list[str | tuple[str, str]] = []
        for number, reason in enumerate(REFUND_REASONS, 1):
            mark = "(•)" if reason is self.reason else "( )"
            label = t("care.refund.other_choice") if reason is RefundReason.OTHER else reason_label(reason.value)
            text = fmt.fit(f"{number}. {mark} {label}", width)
            style = "bold" if reason is self.reason else ("" if reason_fits(self.order, reason) else "dim strike")
            parts += [(text, style), "\n"]
        return Content.assemble(*parts[:-1])

    def _show(self) -> None:
        amount = self.amount()
        lines_step = self.step == "lines"
        self.query_one("#lines", Static).update(self._lines_content())
        # the reason's step on a short terminal (40x15): the lines chosen give way (the amount says what they
        # come to), so the hint and what a key refused ("After handoff, ...") stay on the screen, never cut off
        self.query_one("#lines", Static).display = lines_step or self._room_for_lines()
        self.query_one("#reasons", Static).display = not lines_step
        note = self.query_one("#note", Input)
        note.display = not lines_step
        note.disabled = lines_step  # never focused (typed into) while lines are chosen
        if not lines_step:
            self.query_one("#reasons", Static).update(self._reasons_content())
        shown = t("care.refund.amount", amount=format_money(amount)) if amount else t("care.refund.nothing")
        self.query_one("#amount", Label).update(Content(shown))
        hint = "care.refund.hint_lines" if lines_step else "care.refund.hint_reason"
        # the catalog's own "·" (Chinese writes it without spaces, to fit 40 columns) as the terminal can show it
        self.query_one(".hint", Label).update(Content(t(hint).replace("·", glyphs_of(self.app).dot)))

    def _rows(self, text: str) -> int:
        """The rows `text` takes folded to the dialog's width (a `FoldedLabel` breaks where the width ends)."""
        width = max(1, self._inner_width())
        return max(1, -(-cell_len(text) // width))

    def _room_for_lines(self) -> bool:
        """Whether the reason's step fits on the screen with the order's lines above its reasons: the title, the
        window after handoff, the lines, the 6 reasons, the note, the amount, the hint and a row for what a key
        refused (more where it folds), the box's border (not on a narrow screen) and the footer."""
        size = self.app.size
        rows = self._rows(t("care.refund.title", number=self.order.display_number))
        if self.until is not None:
            rows += self._rows(t("care.refund.after_handoff", until=self.until))
        rows += len(self.order.lines) + 1 + len(REFUND_REASONS) + 1 + 1
        rows += self._rows(t("care.refund.hint_reason")) + self._rows(self._error_text or "-")
        rows += (2 if size.width >= 60 else 0) + 1
        return rows <= size.height

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            # every sentence broken as Chinese is set (`FoldedLabel`): no line of it starts with "。" at 40 columns
            yield FoldedLabel(Content(t("care.refund.title", number=self.order.display_number)), classes="title")
            if self.until is not None:
                yield FoldedLabel(Content(t("care.refund.after_handoff", until=self.until)), id="window")
            yield Static("", id="lines")
            yield Static("", id="reasons")
            yield SteadyInput(
                placeholder=t("care.refund.note_placeholder"),
                max_length=NOTE_MAX,
                id="note",
                disabled=True,
                compact=True,  # one row, focused too (Input:focus would draw a tall border over the text)
            )
            yield FoldedLabel("", id="amount")
            yield FoldedLabel("", classes="hint")
            yield FoldedLabel("", id="error", classes="error")

    def on_mount(self) -> None:
        self.query_one("#note", Input).cursor_blink = False
        self._show()

    def on_resize(self, event: events.Resize) -> None:
        self._show()
        self.call_after_refresh(self._show)  # again at the width the box now has (the lines' names fit to it)

    def _error(self, text: str) -> None:
        self._error_text = text
        self.query_one("#error", Label).update(Content(text))

    # keys
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        step = self.STEP_ACTIONS.get(action)
        return step is None or step == self.step

    def action_next(self) -> None:
        self._next()
        self._show()

    def action_send(self) -> None:
        self._send()

    def action_note(self) -> None:
        self.query_one("#note", Input).focus()

    def _next(self) -> None:
        """Enter on the lines: on to the reason, once something is chosen."""
        if self.amount() is None:
            self._error(t("care.refund.choose_first"))
            return
        self._error("")
        self.step = "reason"
        self.refresh_bindings()  # the footer: the reason's keys

    def on_key(self, event: events.Key) -> None:
        note = self.query_one("#note", Input)
        if self.focused is note and note.display:
            return  # the note takes what is typed; its Enter sends (on_input_submitted)
        handled = self._lines_key(event) if self.step == "lines" else self._reason_key(event)
        if handled:
            event.stop()
            event.prevent_default()
            self._show()

    def _lines_key(self, event: events.Key) -> bool:
        count = len(self.order.lines)
        character = event.character or ""
        if event.key in ("up", "down") and count:
            self.cursor = (self.cursor + (1 if event.key == "down" else -1)) % count
        elif character == "0":
            self.whole = not self.whole
        elif character.isdigit() and int(character) <= count:
            index = int(character) - 1
            self.cursor = index
            self.whole = False
            self.chosen[index] = 0 if self.chosen[index] else self.left[index]
        elif character in ("+", "=", "-") and count:
            self.whole = False
            step = -1 if character == "-" else 1
            index = self.cursor
            self.chosen[index] = max(0, min(self.left[index], self.chosen[index] + step))
        elif event.key == "enter":
            self._next()
        else:
            return False
        return True

    def _reason_key(self, event: events.Key) -> bool:
        character = event.character or ""
        if character.isdigit() and 1 <= int(character) <= len(REFUND_REASONS):
            chosen = REFUND_REASONS[int(character) - 1]
            if not reason_fits(self.order, chosen):  # handed off: say what went wrong
                self._error(t("care.refund.reason_not_after"))
                return True
            self.reason = chosen
            self._error("")
            if self.reason is RefundReason.OTHER:
                self.query_one("#note", Input).focus()
        elif event.key == "tab":
            self.query_one("#note", Input).focus()
        elif event.key == "enter":
            self._send()
        else:
            return False
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._send()

    def _send(self) -> None:
        if self.reason is None:
            self._error(t("care.refund.reason_first"))
            return
        body = self.body()
        if body.reason_code is RefundReason.OTHER and blank(body.note):
            self._error(t("care.refund.note_required"))
            self.query_one("#note", Input).focus()
            return
        try:
            plan_refund(self.order, _unseen(body))
        except RefundProblem as problem:
            self._error(problem.message)
            return
        self.dismiss(body)

    def action_cancel(self) -> None:
        self.dismiss(None)
