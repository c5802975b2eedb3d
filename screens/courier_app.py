"""`CourierApp`: the courier's handheld screen (40x16 and smaller, digits and Enter, over SSH).

Nothing on it moves by itself: no clock, spinner or blinking cursor, so an idle screen sends no bytes. One beep
when an action is queued, two when something is refused or a key means nothing here.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import msgspec
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.worker import Worker, WorkerState

from o2o_tui.client.errors import says_disabled
from o2o_tui.courier_tasks import CourierStep, is_active
from o2o_tui.domain.fleet import CourierStatus
from o2o_tui.domain.requests import CodeBody, CourierStateBody, EmptyBody, ProblemBody
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from o2o_tui.ssh_gate import GATE_ENV
from screens.courier_format import (
    done_text,
    handheld_glyphs,
    locale_is_utf8,
    number_text,
    queued_short,
    queued_text,
    store_cuts,
)
from screens.courier_screens import (
    DismissChosen,
    DutyChosen,
    FoodBackChosen,
    HandheldScreen,
    QuitChosen,
    StepChosen,
    TaskListScreen,
    TaskScreen,
    TooSmallScreen,
)
from screens.courier_source import (
    NEWS_STORE_CELLS,
    CourierChange,
    CourierSource,
    bring_back_news,
    order_words,
    shared_store,
    store_tag,
)
from screens.courier_widgets import TALL_ROWS, Line
from screens.source import ActionRefused, LinkState
from screens.steady_keys import SteadyKeysApp
from screens.terminal import theme_for

MIN_WIDTH = 20
MIN_HEIGHT = 8
NAME_KEPT = 6  # a status line keeps to one line while this much of the courier's name shows
_ENDING_STEPS = frozenset({CourierStep.REJECT, CourierStep.DELIVERED, CourierStep.RETURNED})


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class SourceNews(Message):
    """Posted (from any thread) when the courier source has news; the app's handler owns the UI."""

    def __init__(self, change: CourierChange) -> None:
        super().__init__()
        self.change = change


class CourierApp(SteadyKeysApp[None]):  # keys act in the order typed (screens/steady_keys.py)
    CSS_PATH = Path(__file__).with_name("courier.tcss")
    ENABLE_COMMAND_PALETTE = False
    VERTICAL_BREAKPOINTS = [
        (0, "-short"),
        (TALL_ROWS, "-tall"),
    ]  # below 12 rows (a soft keyboard is up): no "0 Back" line, the status and message lines take one line
    BINDINGS = [Binding("ctrl+c", "quit", show=False, priority=True, id="app.quit")]

    def __init__(
        self,
        source: CourierSource,
        *,
        ascii_only: bool | None = None,
        theme: str | None = None,
        keymap: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        if keymap:
            self.set_keymap(keymap)  # binding id -> key(s), e.g. {"handheld.back": "0,escape,f1,backspace"}
        self.source = source
        self.ascii_only = (not locale_is_utf8()) if ascii_only is None else ascii_only
        # the console's rule: ASCII marks on vt100/vt220 (names stay as they are: the locale is UTF-8), "..." on the
        # Linux console
        self.glyphs = handheld_glyphs(self.ascii_only, os.environ)
        self.theme = theme or theme_for(os.environ)
        self.title = t("handheld.title.tasks")
        self._unsubscribe: Callable[[], None] | None = None
        self._too_small: TooSmallScreen | None = None
        self._started = False  # a resize before the task list is up is checked when it is
        self._awaiting: dict[str, CourierStep] = {}  # ending steps queued, the task kept until confirmed
        self._bad_news_rung: dict[str, str] = {}  # delivery id -> its status when bad news about it last beeped
        self._seen_queued: set[str] = set()  # awaited tasks the source has shown as queued
        # "queued, not yet confirmed" said for a step (not an ending one) taken while the link was not up: the
        # delivery, the step, its status before it and the words said; the line says it is done once the platform
        # confirms it
        self._queued_said: dict[str, tuple[CourierStep, str, str]] = {}
        # the delivery each screen's message line was last told about by the app ("" for other news): "queued" is
        # replaced by "done" only on a line still about that delivery (two stores' #0014 can read alike)
        self._said_about: weakref.WeakKeyDictionary[HandheldScreen, str] = weakref.WeakKeyDictionary()
        self._queued_seen: set[str] = set()  # of those, the ones the source has shown as pending
        self._link_state: LinkState | None = None
        self._offers_seen: set[str] = set()  # offers already on the list (a new one beeps once, on any screen)
        # ("on/off duty: queued", what it says once sent): said while the link was down; replaced when it is sent
        self._duty_queued: tuple[str, str] | None = None
        self._opened_at = datetime.now(UTC)  # offers made before the handheld opened are the list it opens on
        self.left_queued = 0  # actions still queued when the app closed (kept in the outbox, sent next time)
        # a digit or Enter that did nothing (no such line, or dropped while fresh lines settle): the keys typed
        # right after it (a code typed at the wrong screen) pick nothing until this (time.monotonic), on any screen
        self.burst_until = 0.0
        # the language needs UTF-8 and the terminal's locale is not: the task list says why it shows '?' (in ASCII);
        # in a language that does not, it is said once a name or an address first shows '?' (`for_terminal`)
        self.startup_note = t("handheld.not_utf8") if self.ascii_only and not self.title.isascii() else ""

    def for_terminal(self, text: str) -> str:
        """What a line may send: on a terminal that is not UTF-8, anything outside ASCII becomes '?' (and the
        courier is told why, once)."""
        if not self.ascii_only or text.isascii():
            return text
        if not self.startup_note and self.is_running:  # the first '?' on screen (English, a Chinese name): say
            self.startup_note = t("handheld.not_utf8")  # why, after this paint
            self.call_later(self._say_not_utf8)
        return text.encode("ascii", "replace").decode("ascii")

    def _say_not_utf8(self) -> None:
        """The note that the terminal is not UTF-8, on the screen up unless its message line says something."""
        screen = self.screen if self.screen_stack else None
        if not isinstance(screen, HandheldScreen):
            return
        for line in screen.query("#message").results(Line):
            if not line.shown:
                screen.say(self.startup_note, "bold")

    def on_mount(self) -> None:
        self.set_class(self.ascii_only, "-ascii")

        def tell(change: CourierChange) -> None:
            self.post_message(SourceNews(change))

        self._unsubscribe = self.source.subscribe(tell)
        self._offers_seen = self._offers()  # those cached at start are on the first frame: no beep
        # After the first frame: building the HTTP client (imports, TLS setup) would hold the GIL and delay it.
        self.call_after_refresh(self._start_source)
        self._started = True
        self._check_size(self.size.width, self.size.height)

    def get_default_screen(self) -> TaskListScreen:
        return TaskListScreen()  # the first frame is the task list itself, not a blank default screen

    def _start_source(self) -> None:
        self.run_worker(self.source.run(), name="source", group="source", exit_on_error=False)

    async def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.left_queued = self.source.link().pending
        await self.source.close()

    def exit_note(self) -> str:
        """Said on the terminal once the app has closed (by any key, Ctrl-C too): what is queued is kept."""
        return t("handheld.quit.kept", count=self.left_queued) if self.left_queued else ""

    def on_quit_chosen(self, message: QuitChosen) -> None:
        self.exit()

    # the status line ------------------------------------------------------------------------------------
    def status_parts(self) -> tuple[str, str]:
        ways, style, _ = self.status_ways()
        return ways[0], style

    def status_ways(self) -> tuple[list[str], str, int]:
        """The status line, then shorter ways to say it for a narrow screen: the least needed part (the name,
        then duty, then the queue) left off each time; the link state is always said. And how many cells of the
        name (the last part, when there is one) keep the line to one line, cut short."""
        link = self.source.link()
        disabled = link.state is LinkState.UNAUTHORIZED and says_disabled(link.error)  # logging in cannot help
        # LOG IN AGAIN (or ACCOUNT DISABLED) says it: the message line says why
        parts = [t("ui.link.disabled_state") if disabled else t(f"ui.link.state.{link.state.value}")]
        if link.pending and link.state is not LinkState.ONLINE:  # online, the queue drains in milliseconds
            parts.append(t("handheld.link.queued", count=link.pending))
        on_duty = self.source.on_duty()
        if (
            on_duty is not None
        ):  # unknown until the courier's record first arrives: say nothing rather than guess
            parts.append(t("handheld.duty.on" if on_duty else "handheld.duty.off"))
        courier = self.source.courier()
        name = safe_text(courier.name, one_line=True) if courier is not None else ""
        if name:
            parts.append(name)
        style = "reverse bold" if link.state is not LinkState.ONLINE else "bold"
        ways = [self.glyphs.separator.join(parts[:kept]) for kept in range(len(parts), 0, -1)]
        return ways, style, NAME_KEPT if name else 0

    def status_text(self) -> str:
        return self.status_parts()[0]

    # news from the source -------------------------------------------------------------------------------
    def on_source_news(self, message: SourceNews) -> None:
        if not self.screen_stack:  # news that arrives while the app is closing (its screens already gone)
            return
        screen = self.screen
        if isinstance(screen, HandheldScreen):
            screen.refresh_status()
            screen.refresh_data()  # the link state decides the queued marks too; unchanged lines do not repaint
        for delivery_id, explanation in message.change.refused:
            self._awaiting.pop(delivery_id, None)  # refused: the task stays, with the whole reason on it
            view = self.source.task(delivery_id) if delivery_id else None
            if view is not None and view.bring_back:  # the food is in hand: what to do with it comes first
                # "cancelled" only for a cancelled order; a reassign or unassign says it was taken off the courier
                store = shared_store(self.source, delivery_id, NEWS_STORE_CELLS)  # two stores' #0014 held: which
                self._bad_news(delivery_id, bring_back_news(view.delivery, store))
                continue
            self._bad_news(delivery_id, t("handheld.refused", explanation=explanation))
        self._check_awaiting()
        self._check_queued_said()
        self._check_duty_said()
        for delivery_id, alert in message.change.alerts:
            self._bad_news(delivery_id, alert)  # the platform changed a task the courier holds: like a refusal
        if message.change.given_back:  # what going off duty did: said once, no beep (the tap had its own)
            self._say(t("handheld.duty.given_back", count=message.change.given_back))
        for _, notice in message.change.notices:
            self._say(notice)  # something left out of the view: said once, no beep (nothing to do about it)
        self._check_new_offers()
        link = self.source.link()
        state = link.state
        if state is not self._link_state:
            if state is LinkState.UNAUTHORIZED and says_disabled(link.error):  # an admin disabled the account
                self.error(t("handheld.link.disabled"))
            elif state is LinkState.UNAUTHORIZED:  # under the SSH gate there is no shell to run `o2o login` in
                self.error(t("handheld.link.ask_admin" if os.environ.get(GATE_ENV) else "handheld.link.login_again"))
            self._link_state = state

    def _bad_news(self, delivery_id: str, text: str) -> None:
        """Two beeps and the text in bold; a second piece of bad news about a delivery that has not moved since the
        last one (the cancellation seen, then the step it refused) is shown without beeping again."""
        view = self.source.task(delivery_id) if delivery_id else None
        status = str(view.delivery.status) if view is not None else None
        if status is not None and self._bad_news_rung.get(delivery_id) == status:
            self._say(text, "bold")
            return
        if status is not None:
            self._bad_news_rung[delivery_id] = status
        self.error(text)

    def _offers(self) -> set[str]:
        return {view.delivery.id for view in self.source.tasks() if view.delivery.status is DeliveryStatus.PENDING}

    def _check_new_offers(self) -> None:
        """A new offer beeps once and is said on whatever screen is up (a task, an ended task, a code field): a
        GO NOW offer must not wait until the courier happens to go back to the list."""
        offers = self._offers()
        new = offers - self._offers_seen
        self._offers_seen = offers
        fresh = sorted(
            (view.delivery for view in self.source.tasks()
             if view.delivery.id in new and _aware(view.delivery.created_at) >= self._opened_at),
            key=lambda delivery: delivery.order_number,
        )  # fmt: skip
        if not fresh:
            return
        self.bell()
        # each by its number; naming its store when the courier holds another of that number (two stores' #0014)
        orders = [
            order_words("handheld.new_offer.order", delivery, store=self._shared(delivery.id)) for delivery in fresh
        ]
        said = t("handheld.new_offer.orders", orders=", ".join(orders))
        page = self._offer_page({delivery.id for delivery in fresh})
        if page is None:
            self._say(said)
            return
        # on a page of the task list not shown: which one (the list's page line says the key); the list itself
        # does not move (a finger may be on its way to a line of the page shown)
        shorter = (t("handheld.new_offer.on_page.short", offers=said, page=page),)
        self._tell(t("handheld.new_offer.on_page", offers=said, page=page), shorter=shorter)

    def _offer_page(self, offers: set[str]) -> int | None:
        """The page (1-based) of the task list the first of `offers` is on, when none of them is on the page the
        list shows (the list marks them there too); None when one is, or there is one page."""
        lists = [screen for screen in self.screen_stack if isinstance(screen, TaskListScreen)]
        if not lists:
            return None
        return lists[0].offers_arrived(offers)

    def _shared(self, delivery_id: str) -> str:
        """The short store tag news names a task by when the courier holds two orders of its number, else ""."""
        return shared_store(self.source, delivery_id, NEWS_STORE_CELLS)

    def named(self, *delivery_ids: str) -> tuple[tuple[str, str], ...]:
        """How news may name these tasks' orders by store ("Golden Dumplings", "#0014"; every task's without ids),
        for `store_cuts`: a line too narrow for a message naming one cuts the store's name, never the number."""
        views = [self.source.task(delivery_id) for delivery_id in delivery_ids] if delivery_ids else self.source.tasks()
        named: list[tuple[str, str]] = []
        for view in views:
            if view is not None:  # as news tags the store, and whole (a question, the code field's words)
                number = number_text(view.delivery)
                named += [(store_tag(view.delivery, NEWS_STORE_CELLS), number), (store_tag(view.delivery), number)]
        return tuple(named)

    def say_now(self, text: str, style: str = "") -> None:
        """Say `text` on the screen now up, without a beep."""
        self._say(text, style)

    def _check_awaiting(self) -> None:
        """An ending step (delivered, returned, rejected) keeps its task on screen until the platform answers:
        confirmed, back to the list with the news; refused, the task stays with the whole reason on it."""
        for delivery_id, step in list(self._awaiting.items()):
            view = self.source.task(delivery_id)
            if view is not None and view.pending:
                self._seen_queued.add(delivery_id)
                continue  # still queued (offline: the task says "Queued, not yet confirmed")
            if view is not None and is_active(view.delivery) and delivery_id not in self._seen_queued:
                continue  # the source has not read the queued step yet
            del self._awaiting[delivery_id]
            self._seen_queued.discard(delivery_id)
            if view is None or is_active(view.delivery):
                continue  # refused (said as a refusal) or gone (the task says so)
            screen = self.screen
            if isinstance(screen, TaskScreen) and screen.delivery_id == delivery_id:
                self.pop_screen()
            self._say(done_text(step, view.delivery, self._shared(delivery_id)))  # no beep: the queued step had one

    def _check_queued_said(self) -> None:
        """Once the queue's state is known (the first sync after the link or a new login is back), a step that
        said "queued, not yet confirmed" and is confirmed says it is done instead, without waiting for a key and
        without a beep (the tap had its one). A refusal says itself (`_bad_news`)."""
        for delivery_id, (step, before, said) in list(self._queued_said.items()):
            view = self.source.task(delivery_id)
            if view is not None and view.pending:
                self._queued_seen.add(delivery_id)
                continue
            moved = view is not None and str(view.delivery.status) != before
            if view is not None and not moved and delivery_id not in self._queued_seen:
                continue  # the source has not read the queued step yet
            del self._queued_said[delivery_id]
            self._queued_seen.discard(delivery_id)
            if view is None or view.refusal:
                continue
            done = done_text(step, view.delivery, self._shared(delivery_id))
            cuts = store_cuts(done, self.named(), self.glyphs.cut)  # as `_tell` cuts the name
            shorter = tuple(safe_text(way, one_line=True) for way in cuts)
            for screen in self.screen_stack:
                if isinstance(screen, HandheldScreen) and self._said_about.get(screen) == delivery_id:
                    # a line about this delivery that still says it is queued
                    screen.replace_said(said, safe_text(done, one_line=True), shorter=shorter)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name == "source" and event.state is WorkerState.ERROR:
            self.error(t("handheld.feed_failed", error=str(event.worker.error)))

    # feedback -------------------------------------------------------------------------------------------
    def _say(self, text: str, style: str = "") -> None:
        self._tell(text, style)

    def _tell(
        self,
        text: str,
        style: str = "",
        shorter: tuple[str, ...] = (),
        *,
        about: str = "",
        named: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """Say `text` on the message line; `shorter` ways to say it where a narrow screen has no room; `about`:
        the delivery it is about, when a later answer may replace it (`_check_queued_said`); `named`: orders it
        may name by store besides the tasks held (`CourierApp.named`): where the shortest way does not fit, the
        store's name is cut before the order number is (`store_cuts`)."""
        screen = self.screen
        if isinstance(screen, HandheldScreen):
            named = (*named, *self.named())
            shorter = (*shorter, *store_cuts(shorter[-1] if shorter else text, named, self.glyphs.cut))
            shorter = tuple(safe_text(way, one_line=True) for way in shorter)
            screen.say(safe_text(text, one_line=True), style, shorter=shorter)
            self._said_about[screen] = about

    def ok(self, text: str, *, named: tuple[tuple[str, str], ...] = ()) -> None:
        self.bell()
        if named:  # a task that has just left the list (the food is back at the store)
            self._tell(text, named=named)
        else:
            self._say(text)

    def error(self, text: str, *, shorter: tuple[str, ...] = ()) -> None:
        self.bell()
        self.bell()
        if shorter:
            self._tell(text, "bold", shorter)
        else:
            self._say(text, "bold")

    # acting ---------------------------------------------------------------------------------------------
    async def on_step_chosen(self, message: StepChosen) -> None:
        chosen = message.step
        view = self.source.task(chosen.delivery_id)
        if view is None:
            self.error(t("handheld.task.gone"))
            return
        step = chosen.step
        body: msgspec.Struct
        if step.needs_code:
            body = CodeBody(code=chosen.code or "")
        elif step is CourierStep.PROBLEM and chosen.reason is not None:
            body = ProblemBody(reason=chosen.reason)
        else:
            body = EmptyBody()
        try:
            await self.source.submit(step.value, chosen.delivery_id, body)
        except ActionRefused as refused:
            self.error(refused.message)
            return
        finally:
            self._settle_task(chosen.delivery_id)
        online = self.source.link().state is LinkState.ONLINE
        store = self._shared(chosen.delivery_id)  # two stores' #0014 held: which one
        said = safe_text(queued_text(view.delivery, store), one_line=True)  # as the message line shows it
        if online:
            self.ok(done_text(step, view.delivery, store))
        else:
            self.bell()
            self._tell(said, shorter=(queued_short(view.delivery, store),), about=chosen.delivery_id)
        if not online and step not in _ENDING_STEPS:  # an ending step goes back to the list when confirmed
            self._queued_said[chosen.delivery_id] = (step, str(view.delivery.status), said)
            self._queued_seen.discard(chosen.delivery_id)
            self._check_queued_said()
        if step in _ENDING_STEPS:
            self._awaiting[chosen.delivery_id] = step
            self._check_awaiting()

    def _settle_task(self, delivery_id: str) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, TaskScreen) and screen.delivery_id == delivery_id:
                screen.settle()

    async def on_food_back_chosen(self, message: FoodBackChosen) -> None:
        view = self.source.task(message.delivery_id)
        # two stores' #0014 held: which one (read before the task ends with it)
        store, named = self._shared(message.delivery_id), self.named(message.delivery_id)
        try:
            await self.source.food_back(message.delivery_id)
        except ActionRefused as refused:
            self.error(refused.message)
            return
        finally:
            self._settle_task(message.delivery_id)
        screen = self.screen
        if isinstance(screen, TaskScreen) and screen.delivery_id == message.delivery_id:
            self.pop_screen()  # the task has ended: back to the list
        if view is None:
            self.ok(t("handheld.bring_back.done", number="?"))
            return
        self.ok(order_words("handheld.bring_back.done", view.delivery, store=store), named=named)

    async def on_dismiss_chosen(self, message: DismissChosen) -> None:
        await self.source.dismiss(message.delivery_id)
        self._say("")

    async def on_duty_chosen(self, message: DutyChosen) -> None:
        courier_id = self.source.courier_id
        status = CourierStatus.IDLE if message.on_duty else CourierStatus.OFFLINE
        try:
            await self.source.submit("courier.state", courier_id, CourierStateBody(status=status))
        except ActionRefused as refused:
            self.error(refused.message)
            return
        done = t("handheld.duty.now_on" if message.on_duty else "handheld.duty.now_off")
        if self.source.link().state is LinkState.ONLINE:
            self.ok(done)
            return
        # offline: queued, as other steps say (going off, the offers go back only when it reaches the platform;
        # going on, no offer comes before then)
        self.bell()
        queued = "handheld.duty.on_queued" if message.on_duty else "handheld.duty.off_queued"
        self._tell(t(queued), shorter=(t(queued + ".short"),))
        self._duty_queued = (t(queued), done)

    def _check_duty_said(self) -> None:
        link = self.source.link()
        if self._duty_queued is None or link.state is not LinkState.ONLINE or link.pending:
            return
        queued, done = self._duty_queued
        self._duty_queued = None
        for screen in self.screen_stack:
            if isinstance(screen, HandheldScreen):
                screen.replace_said(queued, done)

    # small screens --------------------------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        if not self._started:
            return
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        if small:
            if self._too_small is None:
                self._too_small = TooSmallScreen()
                self.push_screen(self._too_small)
            self.call_after_refresh(self._too_small.show_size, width, height, MIN_WIDTH, MIN_HEIGHT)
        elif self._too_small is not None:
            if self.screen is self._too_small:
                self.pop_screen()
            self._too_small = None
