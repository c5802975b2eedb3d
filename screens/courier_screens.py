"""The handheld's screens: the task list, one task, a code field, the problem reasons, and "too small".

Keys, one meaning each: digits pick the numbered line and Enter the highlighted one; in a code field digits are
text and Enter submits; 0, Esc or F1 goes back (on the task list, out of the handheld: `QuitScreen` asks, and only
its `2` quits, so a stray 0 and Enter stay); arrows move the highlight, PgUp/PgDn scroll; F2-F4 repeat lines 1-3.
`8` is never a line: it shows more, on a task its details a page down, on the task list the next page (the list
numbers at most 7 lines a page, 1-7: `PAGE_LINES`), and from the end back to the top; the line above the message
says so whenever there is more. In a code field Enter on the empty field goes back, and a code too short to be one
is cleared.
Screens post typed messages; the app queues the action and owns the beeps.

One keypress, one step: a list of numbered lines that has just appeared or changed (a task opened, the step after
the one just taken, a confirmation) takes no digit or Enter for `SETTLE_S`, and a task whose step was chosen takes
none until the app has queued it. A key repeated on a laggy link (Enter Enter) then cannot take the next step,
which the highlight already sits on. A digit or Enter that does nothing (dropped so, or a number with no line)
swallows the burst typed right after it (`BURST_S`), so a code typed where no code field is open picks no line.
Rejecting an offer, returning food to the store, saying it is back there, reporting a problem and going off duty
ask once more (`ConfirmScreen`): the keypad has only digits and Enter, so no key can tell a typed code from an
answer; the time can: the question takes no key at first, and the burst that hit it is swallowed whole.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input

from o2o_tui.courier_tasks import (
    CODE_DIGITS,
    CourierStep,
    digit_line,
    given_back_off_duty,
    goes_back_off_duty,
    is_active,
    step_lines,
)
from o2o_tui.domain.fleet import ProblemReason
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import t
from screens.courier_format import (
    DETAIL_FIELDS,
    PROBLEM_REASONS,
    clip,
    code_unchecked,
    detail_fields,
    heading_label,
    number_text,
    problem_label,
    row_parts,
    step_label,
    step_shorter,
    then,
)
from screens.courier_source import TaskView, order_words, shared_store
from screens.courier_widgets import TALL_ROWS, Line, MessageLine, Scroll, TaskRow
from screens.dialogs import AsciiInput
from screens.source import LinkState

if TYPE_CHECKING:
    from screens.courier_app import CourierApp

_PICK_KEYS = [Binding(str(n), f"pick({n})", show=False, id=f"handheld.pick{n}") for n in range(1, 10)]
_FKEYS = [Binding(f"f{n + 1}", f"pick({n})", show=False, id=f"handheld.f{n + 1}") for n in range(1, 4)]
_BACK = Binding("0,escape,f1", "back", show=False, id="handheld.back")
_MOVE = [
    Binding("up", "move(-1)", show=False, id="handheld.up"),
    Binding("down", "move(1)", show=False, id="handheld.down"),
    Binding("pageup", "page(-1)", show=False, id="handheld.pageup"),
    Binding("pagedown", "page(1)", show=False, id="handheld.pagedown"),
    Binding("enter", "choose", show=False, id="handheld.enter"),
]
SETTLE_S = 0.8  # a list of numbered lines that just appeared or changed takes no digit or Enter for this long
# a digit or Enter that did nothing (no such line, or dropped by SETTLE_S) starts a burst: every digit or Enter
# arriving less than this after the one before it is ignored too, so a code typed where no code field is open
# never picks lines ("3223 Enter" after "No line 2" must not report a problem)
STORE_TAG = 8  # cells of a store's name in a code prompt on a narrow screen (two stores' #0014 held)
BURST_S = 0.8  # as long as SETTLE_S: a courier who waits for fresh lines to settle is past any burst too
DISMISS_DIGIT = 9  # on a task: clears the refusal or alert shown (never a step: a task has at most 4)
MORE_DIGIT = 8  # pages (a task's details, the task list), and from the end back to the top (never a step or a task)
PAGE_LINES = MORE_DIGIT - 1  # the task list numbers 1-7 on a page: 8 turns it, 9 (a task's "clear") is no task
# On an offer Reject is line 4, as "Return to store" (giving a delivery up) is on a task in hand; 2 and 3 are empty
# there. `2` opens the code step elsewhere: a courier typing "2, then the code" on an offer opened by mistake gets
# "No line 2" and the code is swallowed as a burst, instead of `2` opening the reject question and the code's
# first digit answering its "1 Yes".
REJECT_DIGIT = 4
_OFFER_LINES: tuple[CourierStep | None, ...] = (CourierStep.ACCEPT, None, None, CourierStep.REJECT)
# A task's numbered lines changed under the courier, by no key on this device (the courier's other handheld,
# dispatch, the platform): the first digit or Enter after it only says so ("#0005 changed elsewhere: To store"),
# and the keys after that one pick nothing for this long. "4, 1" meant as "reject, yes" must not take the new
# line 1 ("Arrived at store") when the offer was accepted on the other phone a moment before.
CHANGED_S = 2.0
# the status a step taken here leads to: the task moving there is this device's doing, not news
STEP_LEADS_TO: dict[CourierStep, DeliveryStatus] = {
    CourierStep.ACCEPT: DeliveryStatus.ACCEPTED,
    CourierStep.REJECT: DeliveryStatus.REJECTED,
    CourierStep.ARRIVED_AT_MERCHANT: DeliveryStatus.ARRIVED_AT_MERCHANT,
    CourierStep.PICKED_UP: DeliveryStatus.PICKED_UP,
    CourierStep.ARRIVED_AT_CUSTOMER: DeliveryStatus.ARRIVED_AT_CUSTOMER,
    CourierStep.DELIVERED: DeliveryStatus.DELIVERED,
    CourierStep.RETURN: DeliveryStatus.RETURNING,
    CourierStep.RETURNED: DeliveryStatus.RETURNED,
}


def task_lines(status: DeliveryStatus) -> tuple[CourierStep | None, ...]:
    """The numbered lines of a task in `status` on the handheld (by number; None: that number is empty)."""
    return _OFFER_LINES if status is DeliveryStatus.PENDING else step_lines(status)


def words_about(app: CourierApp, delivery_id: str, key: str, **values: object) -> str:
    """`key`'s message about a task's order: "#0014 ...", or naming its store when the courier holds another
    order of that day number (two stores' #0014); "#?" once the task is gone."""
    view = app.source.task(delivery_id)
    if view is None:
        return t(key, number="?", **values)
    return order_words(key, view.delivery, store=shared_store(app.source, delivery_id), **values)


@dataclass(frozen=True, slots=True)
class Step:
    """A courier chose a step on a delivery (with the code or the reason when the step needs one)."""

    delivery_id: str
    step: CourierStep
    code: str | None = None
    reason: ProblemReason | None = None


class StepChosen(Message):
    def __init__(self, step: Step) -> None:
        super().__init__()
        self.step = step


class DutyChosen(Message):
    def __init__(self, on_duty: bool) -> None:
        super().__init__()
        self.on_duty = on_duty


class QuitChosen(Message):
    """The courier chose to quit the handheld (asked once more: `QuitScreen`)."""


class FoodBackChosen(Message):
    """The courier brought back to the store the food of a pickup refused because the order was cancelled."""

    def __init__(self, delivery_id: str) -> None:
        super().__init__()
        self.delivery_id = delivery_id


class DismissChosen(Message):
    """The courier cleared the refusal (or alert) shown on a task."""

    def __init__(self, delivery_id: str) -> None:
        super().__init__()
        self.delivery_id = delivery_id


class HandheldScreen(Screen[None]):
    """Shared by every handheld screen: the status line on top, a message line at the bottom, numbered lines."""

    BINDINGS = [*_PICK_KEYS, *_FKEYS, _BACK, *_MOVE]

    def __init__(self) -> None:
        super().__init__()
        self.cursor = 0
        self._quiet_until = 0.0  # digits and Enter pick nothing before this (time.monotonic)
        self._said: tuple[str, ...] = ("",)  # what the message line says, then its shorter ways (`say`)

    @property
    def handheld(self) -> CourierApp:
        return self.app  # type: ignore[return-value]

    def compose_status(self) -> ComposeResult:
        # one line, the name cut short; two at 20 columns where there is room; on a short screen the least needed
        # parts give way
        separator = self.handheld.glyphs.separator
        yield Line(self.handheld.status_text(), id="status", lines=2, short_lines=1, separator=separator)

    def compose_message(self) -> ComposeResult:
        yield MessageLine("", id="message", lines=2, short_lines=1)

    def on_mount(self) -> None:
        self.refresh_status()
        self.refresh_data()
        self.place_back()

    def place_back(self) -> None:
        """On a short screen (under `TALL_ROWS`: a soft keyboard is up) one row is the "0 Back" line's or the
        message's: the message's while it says something, else Back's (a blank last row hid it). Both show on a
        taller screen."""
        short = self.app.size.height < TALL_ROWS
        said = any(line.shown for line in self.query("#message").results(Line))
        for line in self.query("#message").results(Line):
            line.display = not short or said
        for line in self.query(".back").results(Line):
            line.display = not short or not said

    def on_screen_resume(self) -> None:
        self.refresh_status()
        self.refresh_data()
        self.place_back()  # the terminal may have changed its height meanwhile
        self.refit()

    def on_resize(self) -> None:
        self.place_back()
        self.refit()

    def refit(self) -> None:
        """Lay the fitted lines out again: how many lines they may take changes with the screen's height."""
        for line in self.query(Line).results(Line):
            line.refresh(layout=True)

    def refresh_status(self) -> None:
        for line in self.query("#status").results(Line):
            ways, style, keep_name = self.handheld.status_ways()
            line.set(ways[0], style, shorter=ways[1:], keep_last=keep_name)

    def refresh_data(self) -> None:
        """Re-read what the screen shows from the source (only changed lines repaint)."""

    def say(self, text: str, style: str = "", *, shorter: tuple[str, ...] = ()) -> None:
        self._said = (text, *shorter)
        for line in self.query("#message").results(Line):
            line.set(text, style, shorter=shorter)

    def replace_said(self, old: str, new: str, *, shorter: tuple[str, ...] = ()) -> None:
        """Say `new` (`shorter`: its ways for a narrow screen) where the message line still says `old` (news
        that makes it untrue), else leave it."""
        for line in self.query("#message").results(Line):
            if line.shown == old:
                self.say(new, shorter=shorter)

    # numbered lines
    def choices(self) -> list[Any]:
        return []

    def choice_lines(self) -> list[Line]:
        return [line for line in self.query(".choice").results(Line) if line.display]

    def show_cursor(self) -> None:
        lines = self.choice_lines()
        if lines:
            self.cursor = max(0, min(self.cursor, len(lines) - 1))
        for index, line in enumerate(lines):
            line.set_highlight(index == self.cursor)
        if lines:
            self.scroll_line_into_view(lines[self.cursor])

    def scroll_line_into_view(self, line: Line) -> None:
        line.scroll_visible(animate=False)

    # one keypress, one step
    def hold(self) -> None:
        """A step was chosen here: digits and Enter pick nothing until `settle` (the app has queued it)."""
        self._quiet_until = math.inf

    def settle(self) -> None:
        """Digits and Enter work again after `SETTLE_S` (a repeated key arriving meanwhile is dropped)."""
        self._quiet_until = time.monotonic() + SETTLE_S

    def lines_changed(self) -> None:
        """The numbered lines just appeared or changed: give the courier time to see them."""
        self._quiet_until = max(self._quiet_until, time.monotonic() + SETTLE_S)

    def quiet(self) -> bool:
        return time.monotonic() < self._quiet_until

    # a burst of keys after one that did nothing
    def in_burst(self) -> bool:
        """Whether this digit or Enter comes less than `BURST_S` after one that was ignored: it is ignored too,
        and the burst goes on from it."""
        now = time.monotonic()
        if now < self.handheld.burst_until:  # (a longer wait already set, `CHANGED_S`, is not cut short)
            self.handheld.burst_until = max(self.handheld.burst_until, now + BURST_S)
            return True
        return False

    def start_burst(self, digit: int | None = None) -> None:
        """A digit or Enter did nothing: the keys typed right after it are ignored too, said once here. `digit`: a
        number with no line (two beeps); None: a key dropped while fresh lines settle (no beep: a repeated key
        on a slow link is no mistake), said after what the message line already says."""
        self.handheld.burst_until = time.monotonic() + BURST_S
        if digit is not None:
            no_line = t("handheld.no_line", digit=digit)
            self.handheld.error(no_line, shorter=(t("handheld.no_line.short", digit=digit),))
            return
        notice, short = t("handheld.keys_ignored"), t("handheld.keys_ignored.short")
        shown = next((line.shown for line in self.query("#message").results(Line)), "")
        # what is said, in its own shorter ways after it (a store's name cut before the order number: `say`)
        said = self._said if self._said[0] == shown else (shown,)
        if shown:
            # where the line has no room for both (20 columns on a short screen: one line), "too soon" alone: it is
            # the news (what the line said was seen before the key); never what it said without it
            ways = (then(shown, short), *(then(way, short) for way in said[1:]), short)
            self.say(then(shown, notice), shorter=ways)
        else:
            self.say(notice, shorter=(short,))

    def line_for(self, number: int) -> int | None:
        """The numbered line (1-based) a digit picks here, or None."""
        return number if 1 <= number <= len(self.choices()) else None

    def action_move(self, delta: int) -> None:
        if self.choice_lines():
            self.cursor += delta
            self.show_cursor()

    def action_page(self, direction: int) -> None:
        for scroller in self.query(Scroll).results():
            if direction < 0:
                scroller.scroll_page_up(animate=False)
            else:
                scroller.scroll_page_down(animate=False)
            return

    def action_pick(self, number: int) -> None:
        if self.in_burst():
            return
        if self.quiet():
            self.start_burst()
            return
        line = self.line_for(number)
        if line is None:
            self.start_burst(number)
            return
        self.cursor = line - 1
        self.show_cursor()
        self.chosen(self.choices()[line - 1])

    def action_choose(self) -> None:
        if self.in_burst():
            return
        if self.quiet():
            self.start_burst()
            return
        choices = self.choices()
        if choices:
            self.chosen(choices[min(self.cursor, len(choices) - 1)])

    def chosen(self, choice: Any) -> None:
        raise NotImplementedError

    def action_back(self) -> None:
        self.in_burst()  # going back takes no step: it acts in a burst too, and the keys after it stay ignored
        if len(self.app.screen_stack) > 1:  # the task list is the bottom screen
            self.app.pop_screen()


class TaskListScreen(HandheldScreen):
    """Offers and deliveries in route order; the last numbered line turns duty on or off. Pages of `PAGE_LINES`
    numbered lines (numbered from 1 on each page): `8` (or PgDn/PgUp) turns the page, as it pages a task's details."""

    def __init__(self) -> None:
        super().__init__()
        self.page = 0  # the page shown (0-based)
        self._unseen: set[str] = set()  # new offers on a page not shown since they came: the page line says so

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        views = self._active()
        with Scroll(id="rows"):
            yield Line(t("handheld.tasks.none"), id="empty", lines=2)
            # the tasks already cached are in the first frame; later ones are mounted by refresh_data
            for index, view in enumerate(views):
                head, store, narrow = self._row(index % PAGE_LINES + 1, view)
                row = TaskRow(head, store, narrow=narrow, id=f"task-{view.delivery.id}", classes="task choice")
                row.display = index < PAGE_LINES  # the first page
                yield row
            yield Line("", id="duty", classes="choice")
            # how a keypad leaves (Ctrl-C is not on one); in the list, so a short screen shows it too
            yield Line("0 " + t("handheld.quit.hint"), id="quit-hint")
        yield Line("", id="more")  # "▼ page 1/2, more: 8", only while there is another page
        yield from self.compose_message()

    def on_mount(self) -> None:
        super().on_mount()
        if self.handheld.startup_note:
            self.say(self.handheld.startup_note, "bold")

    def _all_choices(self) -> list[Any]:
        duty = ["duty"] if self.handheld.source.on_duty() is not None else []
        return [view.delivery.id for view in self._active()] + duty

    def pages(self) -> int:
        return max(1, math.ceil(len(self._all_choices()) / PAGE_LINES))

    def _page_shown(self) -> int:
        """The page shown, kept within the pages there are (tasks end, the list shrinks)."""
        self.page = max(0, min(self.page, self.pages() - 1))
        return self.page

    def choices(self) -> list[Any]:
        first = self._page_shown() * PAGE_LINES
        return self._all_choices()[first : first + PAGE_LINES]

    def offers_arrived(self, offers: set[str]) -> int | None:
        """New offers came (the app said so): those on a page other than the one shown are marked on the page
        line until their page is shown; the list does not turn by itself (a finger may be on its way to a line).
        The page (1-based) of the first of them, when none is on the page shown, else None."""
        ids = self._all_choices()
        shown = self._page_shown()
        elsewhere = {offer for offer in offers if offer in ids and ids.index(offer) // PAGE_LINES != shown}
        self._unseen |= elsewhere
        self.refresh_data()
        return self.offer_page(offers)

    def offer_page(self, offers: set[str]) -> int | None:
        """The page (1-based) the first of `offers` is on, when none of them is on the page shown, else None."""
        ids = self._all_choices()
        pages = [ids.index(offer) // PAGE_LINES for offer in ids if offer in offers]
        return pages[0] + 1 if pages and self._page_shown() not in pages else None

    def _offer_pages(self, ids: list[Any], page: int) -> bool:
        """Whether a new offer waits on a page other than `page` (those on it, once shown, are seen)."""
        offers = {view.delivery.id for view in self._active() if view.delivery.status is DeliveryStatus.PENDING}
        self._unseen &= offers
        if self.is_current:
            self._unseen = {offer for offer in self._unseen if ids.index(offer) // PAGE_LINES != page}
        return bool(self._unseen)

    def turn_page(self, direction: int = 1) -> None:
        """The next page (`direction` -1: the one before), from the last back to the first: its lines numbered
        from 1 again, so they take no digit for a moment (a key typed on must not open a task not yet seen)."""
        self.page = (self._page_shown() + direction) % self.pages()
        self.cursor = 0
        self.refresh_data()
        self.lines_changed()
        for rows in self.query("#rows").results(Scroll):
            rows.scroll_home(animate=False)

    def action_pick(self, number: int) -> None:
        if number == MORE_DIGIT and self.pages() > 1:  # with one page, 8 is a number with no line
            if not self.in_burst():
                self.turn_page()
            return
        super().action_pick(number)

    def action_page(self, direction: int) -> None:
        if self.pages() > 1:
            self.turn_page(direction)
        else:
            super().action_page(direction)

    def _row(self, index: int, view: TaskView) -> tuple[str, str, str]:
        """The row's head and store's name, and its head with the day as "+2d" for a width the date does not fit."""
        offline = self.handheld.source.link().state is not LinkState.ONLINE
        parts = functools.partial(
            row_parts,
            index,
            view.delivery,
            queued=offline and bool(view.pending),
            refused=bool(view.refusal),
            glyphs=self.handheld.glyphs,
            bring_back=view.bring_back,
            unchecked=code_unchecked(view.pending),
        )
        head, store = parts()
        narrow, _store = parts(form="narrow")
        return head, store, narrow

    def _active(self) -> list[TaskView]:
        """Active tasks, ended ones whose last step is still queued (offline, "delivered" is not yet true), and
        cancelled ones whose food is in hand (it still has to go back to the store)."""
        tasks = self.handheld.source.tasks()
        return [view for view in tasks if is_active(view.delivery) or view.pending or view.bring_back]

    def refresh_data(self) -> None:
        if not self.query("#rows"):
            return
        views = self._active()
        rows = self.query_one("#rows", Scroll)
        # from the children themselves: under load a query once gave a line its parent no longer held (move_child
        # then raised, and the handheld closed); such a line is made again
        existing = {line.id: line for line in rows.children if isinstance(line, TaskRow)}
        wanted_ids = [f"task-{view.delivery.id}" for view in views]
        for stale_id in set(existing) - set(wanted_ids):
            existing.pop(stale_id).remove()
        duty = self.query_one("#duty", Line)
        page = self._page_shown()
        with self.app.batch_update():
            for index, view in enumerate(views):
                head, store, narrow = self._row(index % PAGE_LINES + 1, view)  # numbered from 1 on each page
                on_page = index // PAGE_LINES == page
                line = existing.get(f"task-{view.delivery.id}")
                if line is None:
                    line = TaskRow(head, store, narrow=narrow, id=f"task-{view.delivery.id}", classes="task choice")
                    line.display = on_page
                    rows.mount(line, before=duty)
                    existing[line.id or ""] = line
                else:
                    line.set_row(head, store, narrow)
                    if line.display != on_page:
                        line.display = on_page
            if [line.id for line in rows.children if isinstance(line, TaskRow)] != wanted_ids:
                for line_id in wanted_ids:  # route order changed: move lines, do not rebuild them
                    # a list being taken down (the handheld closing) takes no mounts: such a line never joined it
                    if existing[line_id].parent is rows:
                        rows.move_child(existing[line_id], before=duty)
            on_duty = self.handheld.source.on_duty()
            go = "handheld.duty.go_off" if on_duty else "handheld.duty.go_on"
            duty_shown = on_duty is not None and len(views) // PAGE_LINES == page
            _show(duty, f"{len(views) % PAGE_LINES + 1} " + t(go) if duty_shown else "")
            pages = self.pages()
            more = ""
            shorter: tuple[str, ...] = ()
            arrow = self.handheld.glyphs.down if page < pages - 1 else self.handheld.glyphs.up
            if pages > 1 and self._offer_pages(self._all_choices(), page):  # 8 (on and round) leads to it
                more = t("handheld.tasks.offer_page", arrow=arrow, page=page + 1, pages=pages)
                shorter = (t("handheld.tasks.offer_page.short", arrow=arrow, page=page + 1, pages=pages),)
            elif pages > 1 and page < pages - 1:
                more = t("handheld.tasks.next_page", arrow=arrow, page=page + 1, pages=pages)
            elif pages > 1:  # the last page: 8 goes back to the first
                more = t("handheld.tasks.first_page", arrow=arrow, page=page + 1, pages=pages)
            more_line = self.query_one("#more", Line)
            more_line.set(more, shorter=shorter)
            if more_line.display != bool(more):
                more_line.display = bool(more)
            empty = self.query_one("#empty", Line)
            empty.set(t("handheld.tasks.off_duty") if on_duty is False else t("handheld.tasks.none"))
            empty.display = not views
            self.show_cursor()

    def chosen(self, choice: Any) -> None:
        if choice != "duty":
            self.app.push_screen(TaskScreen(choice))
        elif not self.handheld.source.on_duty():
            self.app.post_message(DutyChosen(True))  # going on duty costs nothing: one key
        else:
            views = self._active()
            offers = sum(1 for view in views if given_back_off_duty(view.delivery, view.pending))
            # accepted but not picked up: the platform gives it back too (the food is still at the counter)
            back = [f"#{v.delivery.order_number:04d}" for v in views if goes_back_off_duty(v.delivery, v.pending)]
            in_hand = sum(1 for view in views if _stays_in_hand(view))
            prompt = t("handheld.duty.confirm_off")
            if offers:
                prompt = then(prompt, t("handheld.duty.give_back", count=offers))
            if back:
                numbers = t("handheld.duty.numbers_sep").join(back)
                prompt = then(prompt, t("handheld.duty.goes_back", count=len(back), numbers=numbers))
            if in_hand:
                prompt = then(prompt, t("handheld.duty.in_hand", count=in_hand))

            def go_off() -> None:
                self.app.post_message(DutyChosen(False))

            self.app.push_screen(ConfirmScreen(prompt, t("handheld.duty.go_off"), go_off))

    def action_back(self) -> None:
        """Nothing to go back to: out of the handheld, asked once more (whose `2` a burst does not reach)."""
        self.in_burst()
        self.say("")
        self.app.push_screen(QuitScreen())

    def on_screen_suspend(self) -> None:
        self._said_when_left = self.query_one("#message", Line).shown

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        # back from a task: a line said before the courier left is old news now (it would read as the latest);
        # one said since (the step that brought the courier back) stays
        shown = self.query_one("#message", Line).shown
        if shown == getattr(self, "_said_when_left", None) and shown != self.handheld.startup_note:
            self.say("")  # (the note that the terminal is not UTF-8 stays true)


def _stays_in_hand(view: TaskView) -> bool:
    """A task going off duty leaves with the courier: its food picked up (or its pickup queued), not an offer, a
    reject, nor one accepted whose food is still at the counter (`goes_back_off_duty`: back to dispatch)."""
    if goes_back_off_duty(view.delivery, view.pending):
        return False
    if view.delivery.status is not DeliveryStatus.PENDING:
        return is_active(view.delivery) or view.bring_back  # ended, shown only while its last step is queued: not in hand
    return CourierStep.ACCEPT.value in view.pending and CourierStep.REJECT.value not in view.pending


# with the food in hand the drop-off comes first ("ended" stays on top: it says the task is over)
_FOOD_IN_HAND = (DeliveryStatus.PICKED_UP, DeliveryStatus.ARRIVED_AT_CUSTOMER)
_DROPOFF_FIRST = ("ended", "dropoff", "customer", "note")
_ACTION_SLOTS = 4  # the most actions a task has: fixed lines, so a step repaints text, not the layout
TO_LIST = "to-list"  # the one line of an ended task: back to the list
FOOD_BACK = "food-back"  # the one line of a cancelled task whose food is in hand: "the food is back at the store"


class TaskScreen(HandheldScreen):
    """One task: number and status on top; full details scrolling; its numbered actions below.

    Every part is a fixed line widget whose text is set, so a status change repaints only the lines that changed
    (the title, the action labels, the field that moved) instead of laying the screen out again.
    """

    def __init__(self, delivery_id: str) -> None:
        super().__init__()
        self.delivery_id = delivery_id
        self._steps: tuple[CourierStep | str | None, ...] = ()  # None: an empty number; TO_LIST on an ended task
        self._shown_once = False
        # the last step taken here (`hold`) and the status it was taken in, until the lines move elsewhere
        self._own_step: tuple[CourierStep | str, DeliveryStatus | None] | None = None
        self._unseen_change = False  # the lines changed under the courier: the next digit or Enter only says so

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        yield Line("", id="title", lines=2)  # no shorter way fits 20 columns: "#0005 Back to store (queued)"
        with Scroll(id="details"):
            yield Line("", id="alert", one_line=False)
            yield Line("", id="refusal", one_line=False)
            yield Line("", id="clear")
            for field in DETAIL_FIELDS:
                yield Line("", id=f"field-{field}", one_line=False, classes="field")
        yield Line("", id="more")
        with Vertical(id="actions"):
            for slot in range(1, _ACTION_SLOTS + 1):
                yield Line("", id=f"slot-{slot}", classes="slot")
            yield Line("0 " + t("handheld.back"), classes="back")
        yield from self.compose_message()

    def view(self) -> TaskView | None:
        return self.handheld.source.task(self.delivery_id)

    def choices(self) -> list[Any]:
        return list(self._steps)

    def choice_lines(self) -> list[Line]:
        return list(self.query(".slot").results(Line))[: len(self._steps)]

    def refresh_data(self) -> None:
        if not self.query("#title"):  # news before the screen was composed: on_mount reads it
            return
        view = self.view()
        title = self.query_one("#title", Line)
        said = [self.query_one(f"#{name}", Line) for name in ("alert", "refusal", "clear")]
        if view is None:
            title.set(t("handheld.task.gone"), "bold")
            for line in [*self.query(".field").results(Line), *said]:
                _show(line, "")
            self._set_steps(())
            self._after_layout()
            return
        delivery = view.delivery
        status = heading_label(delivery)  # a delivery taken off the courier is not headed "Cancelled"
        unchecked = code_unchecked(view.pending)  # never "Delivered" before the platform checked the code
        if unchecked:
            status = t("handheld.status.code_unchecked")
        if view.pending and self.handheld.source.link().state is not LinkState.ONLINE:
            status += t("handheld.queued_suffix")  # online, a tap is confirmed before anyone could read this
        title.set(f"{number_text(delivery)} {status}", "bold")
        alert, refusal, clear = said
        # food in hand after a refused pickup: the refusal says why, the bring-back line what to do ("cancelled or
        # reassigned", seen a moment before the refusal, would only say it a third time)
        _show(alert, "" if view.bring_back else view.alert or "", "bold")
        _show(refusal, t("handheld.refused", explanation=view.refusal) if view.refusal else "", "bold")
        clearable = (view.alert or view.refusal) and not view.bring_back  # the food in hand is no message to clear
        _show(clear, f"{DISMISS_DIGIT} " + t("handheld.clear") if clearable else "")
        active = is_active(delivery)
        fields = detail_fields(delivery, ended=not active, glyphs=self.handheld.glyphs)
        if not active and view.pending:  # offline, the ending step is only queued: not done until confirmed
            fields["ended"] = t("handheld.pending")
        if unchecked:  # the customer's code waits to be checked: the food stays in hand until it is
            fields["ended"] = t("handheld.code.unchecked")
        # off duty (its change maybe still queued, maybe with going on duty again queued behind it): an unanswered
        # offer goes back to the platform, not to accept
        given_back = self._given_back(view)
        if given_back:
            fields["ended"] = t("handheld.offer.given_back")
        if active and delivery.order_cancelled:  # on its way back when the order was cancelled: still goes back
            fields["ended"] = t("handheld.task.order_cancelled")
        if view.bring_back:  # picked up, then cancelled under the courier: the food goes back to the counter
            fields["ended"] = words_about(self.handheld, self.delivery_id, "handheld.bring_back.task")
        for field, text in fields.items():
            _show(self.query_one(f"#field-{field}", Line), text)
        self._order_fields(active and delivery.status in _FOOD_IN_HAND)
        self._set_steps(self._steps_of(view))
        self._after_layout()

    def _given_back(self, view: TaskView) -> bool:
        # off duty (its change maybe still queued, maybe with going on duty again queued behind it): an unanswered
        # offer goes back to the platform, not to accept
        off_duty = self.handheld.source.on_duty() is False
        return view.given_back or (off_duty and given_back_off_duty(view.delivery, view.pending))

    def _steps_of(self, view: TaskView) -> tuple[CourierStep | str | None, ...]:
        """The numbered lines the task has in `view`."""
        if self._given_back(view):
            return (TO_LIST,)
        if view.bring_back:
            return (FOOD_BACK,)
        if is_active(view.delivery):
            return task_lines(view.delivery.status)
        # ended: its news is on screen; one key goes back to the list (and to any new offer there)
        return () if view.pending else (TO_LIST,)

    def takes(self, choice: CourierStep | str) -> bool:
        """Whether the task still has `choice` as it is now (a question about it is still to be asked)."""
        view = self.view()
        return view is not None and choice in self._steps_of(view)

    def _order_fields(self, dropoff_first: bool) -> None:
        """Before the pickup the store comes first (where to go now); with the food in hand the customer does (the
        drop-off, the customer, the note), the store after them: a short screen shows the part needed first."""
        wanted = list(DETAIL_FIELDS)
        if dropoff_first:
            wanted = [*_DROPOFF_FIRST, *(field for field in DETAIL_FIELDS if field not in _DROPOFF_FIRST)]
        details = self.query_one("#details", Scroll)
        lines = {line.id: line for line in details.query(".field").results(Line)}
        if list(lines) == [f"field-{field}" for field in wanted]:
            return
        anchor = self.query_one("#clear", Line)
        for field in reversed(wanted):  # each after the "clear" line: they end in the wanted order
            details.move_child(lines[f"field-{field}"], after=anchor)

    def hold(self, step: CourierStep | str | None = None) -> None:
        """`HandheldScreen.hold`; and the task moving on as `step` leads is this device's doing, not news."""
        super().hold()
        if step is not None:
            view = self.view()
            self._own_step = (step, view.delivery.status if view is not None else None)

    def _note_change(self, steps: tuple[CourierStep | str | None, ...]) -> None:
        """The numbered lines changed: after a step taken here they settle (`SETTLE_S`) as always; under the
        courier (another device, dispatch, the platform) the next digit or Enter only says what changed
        (`_acknowledge`). Lines that take no step ("1 Back to the list" of an ended task) need no look."""
        if self._own_step is not None and self._moved_as(*self._own_step):
            return
        self._own_step = None
        self._unseen_change = any(isinstance(step, CourierStep) for step in steps)

    def _moved_as(self, own: CourierStep | str, before: DeliveryStatus | None) -> bool:
        """Whether the task now stands where the step taken here (`own`, in status `before`) leads, or back where
        it was taken (the platform refused it: the refusal says so, and a code is typed again at once)."""
        view = self.view()
        if own == FOOD_BACK:
            return view is None or not view.bring_back
        if view is None:  # gone from the list: an ending step's doing
            return own in (CourierStep.REJECT, CourierStep.DELIVERED, CourierStep.RETURNED)
        status = view.delivery.status
        return status is before or (isinstance(own, CourierStep) and STEP_LEADS_TO.get(own) is status)

    def _acknowledge(self) -> None:
        """The first digit or Enter after the task changed under the courier picks nothing: it says what the task
        is now (two beeps), and the keys typed on after it pick nothing for `CHANGED_S` (the rest of what was
        meant for the lines as they were)."""
        self._unseen_change = False
        view = self.view()
        if view is None:
            self.handheld.error(t("handheld.task.gone"))
        else:
            status = heading_label(view.delivery)
            said = words_about(self.handheld, self.delivery_id, "handheld.task.changed", status=status)
            self.handheld.error(said, shorter=(t("handheld.task.changed.short"),))
        self.handheld.burst_until = max(self.handheld.burst_until, time.monotonic() + CHANGED_S)

    def _set_steps(self, steps: tuple[CourierStep | str | None, ...]) -> None:
        if steps != self._steps or not self._shown_once:
            if self._shown_once:  # the task moved on: its details from the top, where what it needs now is
                for details in self.query("#details").results(Scroll):
                    details.scroll_home(animate=False)
                self._note_change(steps)
            self._steps = steps
            self._shown_once = True
            self.cursor = 0
            self.lines_changed()  # a repeated key must not take the step that just appeared on line 1
        slots = list(self.query(".slot").results(Line))
        for index, line in enumerate(slots):
            step = steps[index] if index < len(steps) else None
            if step is None:
                _show(line, "")  # an empty line takes no row: the details get it
            elif step == TO_LIST:
                _show(line, f"{index + 1} " + t("handheld.task.to_list"))
            elif step == FOOD_BACK:  # "1 Food is back" where the whole label does not fit (20 columns)
                short = f"{index + 1} " + t("handheld.bring_back.step.short")
                line.set(f"{index + 1} " + t("handheld.bring_back.step"), shorter=(short,))
                line.display = True
            else:
                step = CourierStep(step)
                shorter = tuple(f"{index + 1} {label}" for label in step_shorter(step))
                line.set(f"{index + 1} {step_label(step)}", shorter=shorter)
                line.display = True
        self.show_cursor()

    def action_move(self, delta: int) -> None:
        """The highlight skips an empty number."""
        numbered = [index for index, step in enumerate(self._steps) if step is not None]
        if not numbered:
            return
        place = numbered.index(self.cursor) if self.cursor in numbered else 0
        self.cursor = numbered[max(0, min(place + delta, len(numbered) - 1))]
        self.show_cursor()

    # "more below": the details are cut at the bottom
    def _after_layout(self) -> None:
        self.call_after_refresh(self._show_more)

    def _show_more(self) -> None:
        details = self.query("#details").results(Scroll)
        more = self.query("#more").results(Line)
        for scroller, line in zip(details, more, strict=False):  # on a short screen too: the cut must show
            below = scroller.max_scroll_y - scroller.scroll_y >= 1
            above = scroller.scroll_y >= 1
            if below:
                text = t("handheld.more", arrow=self.handheld.glyphs.down)  # "8" in the text: MORE_DIGIT
            elif above:  # scrolled to the end: the top is cut, and 8 goes back to it
                text = t("handheld.more.top", arrow=self.handheld.glyphs.up)
            else:
                text = ""
            _show(line, text)

    def page_details(self) -> None:
        """`MORE_DIGIT`: the details a page down; from their end, back to the top."""
        for scroller in self.query("#details").results(Scroll):
            if scroller.max_scroll_y - scroller.scroll_y >= 1:
                scroller.scroll_page_down(animate=False)
            else:
                scroller.scroll_home(animate=False)
        self._after_layout()

    def on_resize(self) -> None:
        super().on_resize()
        self._after_layout()

    def action_page(self, direction: int) -> None:
        super().action_page(direction)
        self._after_layout()

    def action_pick(self, number: int) -> None:
        if self.in_burst():
            return
        view = self.view()
        if number == DISMISS_DIGIT and view is not None and (view.refusal or view.alert) and not view.bring_back:
            self.app.post_message(DismissChosen(self.delivery_id))
            return
        if number == MORE_DIGIT:  # paging takes no step: it works while fresh lines settle
            self.page_details()
            return
        if self._unseen_change:  # the lines changed under the courier: this key only says so
            self._acknowledge()
            return
        super().action_pick(number)

    def action_choose(self) -> None:
        if self._unseen_change:
            if not self.in_burst():
                self._acknowledge()
            return
        super().action_choose()

    def line_for(self, number: int) -> int | None:
        """An empty number picks nothing (the highlight stays), except `2` where the code step is line 1."""
        if not 1 <= number <= len(self._steps):
            return None
        if self._steps[number - 1] is not None:
            return number
        view = self.view()
        if view is not None and view.delivery.status is not DeliveryStatus.PENDING and self._steps == task_lines(
            view.delivery.status
        ):  # an offer's empty 2 and 3 take nothing (`REJECT_DIGIT`)
            return digit_line(view.delivery.status, number)
        return None

    def show_cursor(self) -> None:
        super().show_cursor()
        for line in list(self.query(".slot").results(Line))[len(self._steps) :]:
            line.set_highlight(False)

    def scroll_line_into_view(self, line: Line) -> None:
        """Action lines are always on screen; the highlight must not scroll the details away."""

    def chosen(self, choice: Any) -> None:
        if choice is None:  # an empty number
            self.handheld.error(t("handheld.no_line", digit=self.cursor + 1))
            return
        if choice == TO_LIST:
            self.app.pop_screen()
            return
        if choice == FOOD_BACK:  # the task (and the store's trust) ends with it: asked once more

            def food_back() -> None:
                self.hold(FOOD_BACK)
                self.app.post_message(FoodBackChosen(self.delivery_id))

            prompt = words_about(self.handheld, self.delivery_id, "handheld.bring_back.confirm")
            self.app.push_screen(self._confirm(prompt, t("handheld.bring_back.yes"), food_back, FOOD_BACK))
            return
        step = CourierStep(choice)
        if step.needs_code:
            self.app.push_screen(CodeScreen(self.delivery_id, step))
        elif step is CourierStep.PROBLEM:
            self.app.push_screen(ProblemScreen(self.delivery_id))
        elif step is CourierStep.REJECT:  # the offer goes to someone else: not taken back, so asked once more

            def reject() -> None:
                self.hold(step)
                self.app.post_message(StepChosen(Step(self.delivery_id, step)))

            prompt = words_about(self.handheld, self.delivery_id, "handheld.reject.confirm")
            self.app.push_screen(self._confirm(prompt, t("handheld.reject.yes"), reject, step))
        elif step is CourierStep.RETURN:  # the food goes back and the delivery ends: no way back, so asked

            def give_back() -> None:
                self.hold(step)
                self.app.post_message(StepChosen(Step(self.delivery_id, step)))

            prompt = words_about(self.handheld, self.delivery_id, "handheld.return.confirm")
            self.app.push_screen(self._confirm(prompt, t("handheld.return.yes"), give_back, step))
        elif step is CourierStep.RETURNED:  # the delivery ends, another courier may be sent: asked once more

            def returned() -> None:
                self.hold(step)
                self.app.post_message(StepChosen(Step(self.delivery_id, step)))

            prompt = words_about(self.handheld, self.delivery_id, "handheld.returned.confirm")
            self.app.push_screen(self._confirm(prompt, t("handheld.returned.yes"), returned, step))
        else:
            self.hold(step)
            self.app.post_message(StepChosen(Step(self.delivery_id, step)))


    def _confirm(
        self, prompt: str, yes: str, on_yes: Callable[[], None], choice: CourierStep | str
    ) -> ConfirmScreen:
        """The question before `choice`, closed when the task no longer has it (the offer taken off the courier,
        the order cancelled): "1 Yes" must not answer for a task that has moved on."""
        return ConfirmScreen(prompt, yes, on_yes, still_asked=lambda: self.takes(choice), about=self.delivery_id)


def _task_takes(app: Any, delivery_id: str, choice: CourierStep) -> bool:
    """Whether the task screen of `delivery_id` under a question still has `choice` (True when none is open)."""
    for screen in app.screen_stack:
        if isinstance(screen, TaskScreen) and screen.delivery_id == delivery_id:
            return screen.takes(choice)
    return True


def _hold_task(app: Any, delivery_id: str, step: CourierStep) -> None:
    """A step chosen on a screen over the task (a code, a problem): the task takes no digit or Enter until the
    app has queued it, so the Enter typed twice does not take the next step on the task screen."""
    for screen in app.screen_stack:
        if isinstance(screen, TaskScreen) and screen.delivery_id == delivery_id:
            screen.hold(step)


class CodeScreen(HandheldScreen):
    """The cursor in the field that takes the code: digits are text, Enter sends, Esc/F1 goes back. A keypad of
    digits and Enter has neither: Enter on the empty field goes back to the task, and a code shorter than the
    platform's (`CODE_DIGITS`) is not sent but cleared, to type again (a typo costs no wrong code)."""

    BINDINGS = [Binding("escape,f1", "back", show=False, id="handheld.code.back")]

    def __init__(self, delivery_id: str, step: CourierStep) -> None:
        super().__init__()
        self.delivery_id = delivery_id
        self.step = step

    def compose(self) -> ComposeResult:
        key = "handheld.code.pickup" if self.step is CourierStep.PICKED_UP else "handheld.code.delivery"
        yield from self.compose_status()
        # two stores' orders of this number held: the store named (`words_about`), cut to a short tag where the
        # whole name would take more lines than a narrow screen has
        yield Line(words_about(self.handheld, self.delivery_id, key), id="prompt", lines=4, short_lines=3)
        # a code typed with a Chinese input method ("１２３４") is shown and sent as the ASCII it stands for
        yield AsciiInput(id="code", max_length=16, type="text", compact=True)
        yield Line(t("handheld.code.hint", digits=CODE_DIGITS), id="hint", one_line=False)
        yield from self.compose_message()

    def on_mount(self) -> None:
        store = shared_store(self.handheld.source, self.delivery_id)
        view = self.handheld.source.task(self.delivery_id)
        if store and view is not None:  # where the whole name takes too many lines: a short tag of it
            key = "handheld.code.pickup" if self.step is CourierStep.PICKED_UP else "handheld.code.delivery"
            prompt = self.query_one("#prompt", Line)
            tag = clip(store, STORE_TAG, self.handheld.glyphs.cut)
            prompt.set(prompt.shown, shorter=(order_words(key, view.delivery, store=tag),))
        field = self.query_one("#code", Input)
        field.cursor_blink = False
        field.focus()

    def still_asked(self) -> bool:
        """Whether the task still takes this code: not once it has ended or been taken away."""
        view = self.handheld.source.task(self.delivery_id)
        return view is not None and is_active(view.delivery) and self.step in task_lines(view.delivery.status)

    def refresh_data(self) -> None:
        if self.is_current and not self.still_asked():
            self.close_field(bell=False)  # the news that ended it (cancelled, reassigned) beeps itself

    def close_field(self, *, bell: bool = True) -> None:
        """The task ended or moved on under the field: close it, say why, send nothing (the task screen below
        shows what happened)."""
        closed = words_about(self.handheld, self.delivery_id, "handheld.code.closed")
        self.app.pop_screen()
        for screen in self.app.screen_stack:  # the rest of the code being typed must not pick a line there
            if isinstance(screen, TaskScreen) and screen.delivery_id == self.delivery_id:
                screen.lines_changed()
        if bell:
            self.handheld.error(closed)
        else:
            self.handheld.say_now(closed, "bold")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        if not self.still_asked():
            self.close_field()
            return
        if not code:  # back to the task; its lines take no key for a moment (an Enter typed twice)
            self.app.pop_screen()
            for screen in self.app.screen_stack:
                if isinstance(screen, TaskScreen) and screen.delivery_id == self.delivery_id:
                    screen.lines_changed()
            return
        if len(code) < CODE_DIGITS:  # not a code the platform issues: cleared, not sent (no wrong-code count)
            event.input.clear()
            self.handheld.error(t("handheld.code.too_short", digits=CODE_DIGITS))
            return
        _hold_task(self.app, self.delivery_id, self.step)
        self.app.pop_screen()
        self.app.post_message(StepChosen(Step(self.delivery_id, self.step, code=code)))

    def action_back(self) -> None:
        self.app.pop_screen()


class ProblemScreen(HandheldScreen):
    """A numbered list of problem reasons."""

    def __init__(self, delivery_id: str) -> None:
        super().__init__()
        self.delivery_id = delivery_id

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        yield Line(words_about(self.handheld, self.delivery_id, "handheld.problem.title"), id="title")
        with Scroll(id="reasons"):
            for n, reason in enumerate(PROBLEM_REASONS, start=1):
                yield Line(f"{n} {problem_label(reason)}", classes="choice")
            yield Line("0 " + t("handheld.back"), classes="back")
        yield from self.compose_message()

    def _narrow_title(self) -> None:
        """Two stores' #0014 held: where the whole store name leaves no room for the number (20 columns), a
        short tag of it, then the number alone (the task below says the store)."""
        view = self.handheld.source.task(self.delivery_id)
        store = shared_store(self.handheld.source, self.delivery_id)
        if view is None or not store:
            return
        title = self.query_one("#title", Line)
        tag = clip(store, STORE_TAG, self.handheld.glyphs.cut)
        tagged = order_words("handheld.problem.title", view.delivery, store=tag)
        title.set(title.shown, shorter=(tagged, order_words("handheld.problem.title", view.delivery)))

    def on_mount(self) -> None:
        self._narrow_title()
        self.lines_changed()  # fresh reasons: the key that opened them, repeated or typed on, picks none
        self.show_cursor()

    def choices(self) -> list[Any]:
        return list(PROBLEM_REASONS)

    def still_asked(self) -> bool:
        """Whether the task still takes a problem report: not once it has ended or been taken off the courier."""
        return _task_takes(self.app, self.delivery_id, CourierStep.PROBLEM)

    def refresh_data(self) -> None:
        if self.is_current and not self.still_asked():
            self.close_reasons(bell=False)  # the news that ended it (cancelled, taken off) is said itself

    def close_reasons(self, *, bell: bool = True) -> None:
        """The task ended under the reasons (taken off the courier, the order cancelled): close them, say why
        (as a question closed then is), send nothing; the task below shows what happened."""
        closed = words_about(self.handheld, self.delivery_id, "handheld.confirm.closed")
        self.app.pop_screen()
        for screen in self.app.screen_stack:  # the keys typed on must not pick a line there
            if isinstance(screen, TaskScreen) and screen.delivery_id == self.delivery_id:
                screen.lines_changed()
        if bell:
            self.handheld.error(closed)
        else:
            self.handheld.say_now(closed, "bold")

    def chosen(self, choice: Any) -> None:
        if not self.still_asked():
            self.close_reasons()  # the news came with the key: nothing is asked or sent
            return
        step = Step(self.delivery_id, CourierStep.PROBLEM, reason=choice)

        def report() -> None:
            _hold_task(self.app, self.delivery_id, CourierStep.PROBLEM)
            self.app.pop_screen()  # the reasons
            self.app.post_message(StepChosen(step))

        prompt = words_about(
            self.handheld, self.delivery_id, "handheld.problem.confirm", reason=problem_label(choice)
        )
        still = partial(_task_takes, self.app, self.delivery_id, CourierStep.PROBLEM)
        self.app.push_screen(
            ConfirmScreen(prompt, t("handheld.problem.report"), report, still_asked=still, about=self.delivery_id)
        )


class ConfirmScreen(HandheldScreen):
    """Asks once more before a step that is hard to take back: "1 Yes ..." (or Enter) confirms, 0/Esc/F1 goes
    back. Digits and Enter arriving in the first moment are dropped (a key repeated on a laggy link)."""

    def __init__(
        self,
        prompt: str,
        yes: str,
        on_yes: Callable[[], None],
        *,
        still_asked: Callable[[], bool] | None = None,
        about: str = "",
    ) -> None:
        super().__init__()
        self.prompt = prompt
        self.yes = yes
        self.on_yes = on_yes
        self.still_asked = still_asked  # False once the task it is about has moved on: the question closes
        self.about = about  # the delivery it is about ("" for going off duty)

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        with Scroll(id="question"):
            yield Line(self.prompt, id="prompt", one_line=False)
        with Vertical(id="actions"):
            yield Line(f"1 {self.yes}", classes="choice")
            yield Line("0 " + t("handheld.back"), classes="back")
        yield from self.compose_message()

    def on_mount(self) -> None:
        self.refresh_status()
        self.lines_changed()
        self.show_cursor()

    def choices(self) -> list[Any]:
        return ["yes"]

    def refresh_data(self) -> None:
        if self.is_current and self.still_asked is not None and not self.still_asked():
            self.close_question(bell=False)  # the news that moved the task on is said (and beeps) itself

    def close_question(self, *, bell: bool = True) -> None:
        """The task moved on under the question (the offer taken off the courier, the order cancelled): close it,
        say why, send nothing (the task below shows what happened)."""
        closed = words_about(self.handheld, self.about, "handheld.confirm.closed")
        self.app.pop_screen()
        for screen in self.app.screen_stack:  # the keys typed on must not pick a line there
            if isinstance(screen, HandheldScreen) and not isinstance(screen, ConfirmScreen):
                screen.lines_changed()
        if bell:
            self.handheld.error(closed)
        else:
            self.handheld.say_now(closed, "bold")

    def chosen(self, choice: Any) -> None:
        if self.still_asked is not None and not self.still_asked():
            self.close_question()  # the news came with the key: nothing is sent
            return
        self.app.pop_screen()
        self.on_yes()


class QuitScreen(HandheldScreen):
    """Asks before quitting (0 on the task list): `1` (and Enter, which starts on it) goes back to the tasks, only
    `2` quits, so a stray 0 then Enter cannot close the handheld. Says that queued actions are kept."""

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        with Scroll(id="question"):
            yield Line("", id="prompt", one_line=False)
        with Vertical(id="actions"):
            yield Line("1 " + t("handheld.task.to_list"), classes="choice")
            yield Line("2 " + t("handheld.quit.yes"), classes="choice")
        yield from self.compose_message()

    def on_mount(self) -> None:
        super().on_mount()
        self.lines_changed()
        self.show_cursor()

    def refresh_data(self) -> None:
        """The question says what is still queued (it may drain while the question is up)."""
        if not self.query("#prompt"):
            return
        source = self.handheld.source
        prompt = t("handheld.quit.confirm")
        queued = source.link().pending
        if queued:
            prompt = then(prompt, t("handheld.quit.queued", count=queued))
        if source.on_duty():
            prompt = then(prompt, t("handheld.quit.on_duty"))
        self.query_one("#prompt", Line).set(prompt)

    def choices(self) -> list[Any]:
        return ["stay", "quit"]

    def chosen(self, choice: Any) -> None:
        self.app.pop_screen()
        if choice == "quit":
            self.app.post_message(QuitChosen())


class TooSmallScreen(Screen[None]):
    """Shown while the terminal is smaller than the handheld's minimum; goes away when it grows."""

    def compose(self) -> ComposeResult:
        yield Line(id="too-small", one_line=False)  # folded between clauses: "屏幕太小：19x7，" / "至少需要 20x8。"

    def show_size(self, width: int, height: int, min_width: int, min_height: int) -> None:
        text = t("handheld.too_small", width=width, height=height, min_width=min_width, min_height=min_height)
        self.query_one("#too-small", Line).set(text)


def _show(line: Line, text: str, style: str = "") -> None:
    """Set a line's text; an empty line takes no room (its display flips only when emptiness does)."""
    line.set(text, style)
    if line.display != bool(text):
        line.display = bool(text)
