"""`CourierApp`: the courier's handheld screen (40x16 and smaller, digits and Enter, over SSH).

Nothing on it moves by itself: no clock, spinner or blinking cursor, so an idle screen sends no bytes. One beep
when an action is queued, two when something is refused or a key means nothing here.
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import msgspec
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.worker import Worker, WorkerState

from o2o_tui.client.errors import says_disabled
from o2o_tui.courier_tasks import CourierStep
from o2o_tui.domain.fleet import CourierStatus, store_clock
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
    problem_label,
    queued_short,
    queued_text,
    store_cuts,
)
from screens.courier_screens import (
    STEP_LEADS_TO,
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
    TaskView,
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
# a tap the platform has not confirmed this long after it was queued beeps once as queued (its words say so from
# the first moment); one confirmed sooner beeps once as done: one beep a tap either way, never two in a row (an
# error's sound)
CONFIRM_WAIT_S = 1.0
_ORDER_NUMBER = re.compile(r"#\d+")


@dataclass(slots=True)
class _Tap:
    """A step (or a duty change) queued here whose answer is awaited."""

    delivery_id: str  # "" for a duty change
    step: CourierStep | None
    said: str  # "queued, not yet confirmed", as the message line shows it
    done: str  # what it says once the platform confirms it
    rung: bool = False  # its one beep has rung
    # a source that gives no outbox key (held in memory): the status before the tap; the tap counts as confirmed
    # once the delivery has moved on from it with nothing queued
    before: str | None = None
    # how its words may name an order no longer held (food back at the store ends the task): `CourierApp.named`
    named: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class _News:
    """News that names orders (taken off you, new offers), as the message line shows it."""

    shown: str
    parts: list[tuple[str, str]]  # (the order's words, the rest of the sentence)
    ids: set[str]


@dataclass(frozen=True, slots=True)
class _Claim:
    """What a step tapped here had the message line say of its task ("#0005 queued", "#0005: at the store"),
    true while the task stands in one of `statuses` (before the step, or where it leads)."""

    statuses: frozenset[DeliveryStatus]
    texts: frozenset[str]  # as the message line shows them


def _order_and_rest(text: str) -> tuple[str, str]:
    """("#0012", " taken off you: ...") or ("Golden Dumplings #0014", " ..."): the order's words end at the first
    order number (every alert starts with them); a text naming none is all order words."""
    found = _ORDER_NUMBER.search(text)
    return (text[: found.end()], text[found.end() :]) if found else (text, "")


def _message_shown(screen: HandheldScreen) -> str:
    return next((line.shown for line in screen.query("#message").results(Line)), "")


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
            from screens.keys import check_keymap_later  # an unknown id, a key taken from another: said

            check_keymap_later(self, keymap, "handheld", say=self._say_keymap)
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
        self._bad_news_rung: dict[str, str] = {}  # delivery id -> its status when bad news about it last beeped
        # steps tapped here and queued, by outbox key, until the platform answers: said "queued, not yet
        # confirmed" until then, "done" once it confirms (`_check_taps`); an ending step keeps its task on screen
        self._taps: dict[str, _Tap] = {}
        self._keyless = 0  # taps of a source that gives no outbox key, numbered
        # the delivery each screen's message line was last told about by the app ("" for other news): "queued" is
        # replaced by "done" only on a line still about that delivery (two stores' #0014 can read alike)
        self._said_about: weakref.WeakKeyDictionary[HandheldScreen, str] = weakref.WeakKeyDictionary()
        # news that names orders one after the other (taken off you, new offers): what the line says, and the
        # orders it names as (order words, the rest); more of the same joins it while the line still says it
        self._news_said: dict[str, _News] = {}
        # what steps tapped here said of their tasks, by delivery id: cleared once the task moved elsewhere
        self._claims: dict[str, _Claim] = {}
        self._offer_words: dict[str, tuple[str, str]] = {}  # the offers of the last "New offer" line, as it names them
        self._link_state: LinkState | None = None
        self._offers_seen: set[str] = set()  # offers already on the list (a new one beeps once, on any screen)
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

    def _say_keymap(self, problems: list[str]) -> None:
        """What the user's keymap gets wrong, on the message line (no toasts on a handheld), in bold as the note
        that the terminal is not UTF-8; where it does not fit, without the title first."""
        said = " / ".join(problems)
        self._tell(t("ui.keymap.handheld", problems=said), "bold", (said,))

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
        change = message.change
        for key in change.refused_keys:  # refused: said below as a refusal (two beeps), the task stays with it
            self._taps.pop(key, None)
        for delivery_id, explanation in change.refused:
            view = self.source.task(delivery_id) if delivery_id else None
            if view is not None and view.bring_back:  # the food is in hand: what to do with it comes first
                # "cancelled" only for a cancelled order; a reassign or unassign says it was taken off the courier
                store = shared_store(self.source, delivery_id, NEWS_STORE_CELLS)  # two stores' #0014 held: which
                self._bad_news(delivery_id, bring_back_news(view.delivery, store))
                continue
            # a refused code on one row (a soft keyboard up): its reason first, not "Refused: order #0016: your..."
            short = getattr(self.source, "refusal_short", None)  # a source held in memory has none
            shorter = (short(delivery_id),) if short is not None and delivery_id and short(delivery_id) else ()
            self._bad_news(delivery_id, t("handheld.refused", explanation=explanation), shorter=shorter)
        self._check_taps(change.confirmed | self._moved_on())
        if self.source.link().state is not LinkState.ONLINE:  # the link is down: taps waiting are only queued
            for key in list(self._taps):
                self._ring_queued(key)
        if change.alerts:  # the platform changed tasks the courier holds: like a refusal, every order named
            self._alerts_news(change.alerts)
        if change.given_back:  # what going off duty did: said once, no beep (the tap had its own)
            key = "handheld.duty.sent_back" if change.sent_back else "handheld.duty.given_back"
            self._say(t(key, count=change.given_back))
        for _, notice in change.notices:
            self._say(notice)  # something left out of the view: said once, no beep (nothing to do about it)
        self._check_new_offers()
        self._drop_untrue()
        link = self.source.link()
        state = link.state
        if state is not self._link_state:
            if state is LinkState.UNAUTHORIZED and says_disabled(link.error):  # an admin disabled the account
                self.error(t("handheld.link.disabled"))
            elif state is LinkState.UNAUTHORIZED:  # under the SSH gate there is no shell to run `o2o login` in
                self.error(t("handheld.link.ask_admin" if os.environ.get(GATE_ENV) else "handheld.link.login_again"))
            elif state is LinkState.STORAGE_DOWN:  # the platform answers but reads nothing: no new tasks arrive
                self.error(t("handheld.link.storage_down"))
            elif state is LinkState.CANNOT_SAVE:  # this device cannot store what arrives: new tasks may not show
                self.error(t("handheld.link.disk_full" if link.save_fault == "disk_full" else "handheld.link.cannot_save"))
            elif self._link_state is LinkState.CANNOT_SAVE and state is LinkState.ONLINE:  # the disk takes writes
                self._say(t("handheld.link.saving_again"))  # the line no longer says it is full; no beep
            self._link_state = state

    def _bad_news(self, delivery_id: str, text: str, *, shorter: tuple[str, ...] = ()) -> None:
        """Two beeps and the text in bold; a second piece of bad news about a delivery that has not moved since the
        last one (the cancellation seen, then the step it refused) is shown without beeping again. `shorter`: ways
        to say it where the message line has no room."""
        if self._rings(delivery_id):
            self.error(text, shorter=shorter)
        else:
            self._tell(text, "bold", shorter)

    def _rings(self, delivery_id: str) -> bool:
        """Whether bad news about this delivery beeps: not again while it has not moved since the last that did."""
        view = self.source.task(delivery_id) if delivery_id else None
        status = str(view.delivery.status) if view is not None else None
        if status is not None and self._bad_news_rung.get(delivery_id) == status:
            return False
        if status is not None:
            self._bad_news_rung[delivery_id] = status
        return True

    def _alerts_news(self, alerts: tuple[tuple[str, str], ...]) -> None:
        """What the platform changed under the courier, every order named: "#0012, #0013 taken off you: ...";
        news of the same kind a moment later joins the line while it still says the last (one message, not the
        last order alone). Two beeps when any of it is news (`_rings`)."""
        ring = False
        parts: list[tuple[str, str]] = []

        def number(alert: tuple[str, str]) -> int:
            view = self.source.task(alert[0])
            return view.delivery.order_number if view is not None else 0

        for delivery_id, text in sorted(alerts, key=number):  # by number, as new offers are said
            ring = self._rings(delivery_id) or ring
            parts.append(_order_and_rest(text))
        text, parts = self._joined("alerts", parts)
        if ring:
            self.bell()
            self.bell()
        self._tell(text, "bold")
        self._remember_news("alerts", parts, set())

    def _joined(
        self, kind: str, parts: list[tuple[str, str]], ids: set[str] | None = None
    ) -> tuple[str, list[tuple[str, str]]]:
        """`parts` ((order words, the rest of the sentence)) said as one line: the orders with the same rest
        joined ("#0012, #0013 taken off you"), with those of the last news of this `kind` while the message line
        still says it and these say the same of other orders (other news takes the line: it stays on its task).
        Returns the text and every part it says."""
        screen = self.screen
        before = self._news_said.get(kind)
        kinds = {rest for _, rest in before.parts} if before is not None else set()
        if (
            before is not None
            and isinstance(screen, HandheldScreen)
            and _message_shown(screen) == before.shown
            and all(rest in kinds for _, rest in parts)  # the same news ("taken off you: ..."), more orders
        ):
            parts = [*before.parts, *(part for part in parts if part not in before.parts)]
            if ids is not None:
                ids |= before.ids
        grouped: dict[str, list[str]] = {}
        for order, rest in parts:
            grouped.setdefault(rest, []).append(order)
        joined = [", ".join(orders) + rest for rest, orders in grouped.items()]
        return t("handheld.news.next").join(joined), parts

    def _remember_news(self, kind: str, parts: list[tuple[str, str]], ids: set[str]) -> None:
        screen = self.screen
        if isinstance(screen, HandheldScreen):
            self._news_said[kind] = _News(_message_shown(screen), parts, ids)

    def _offers(self) -> set[str]:
        return {view.delivery.id for view in self.source.tasks() if view.delivery.status is DeliveryStatus.PENDING}

    def _check_new_offers(self) -> None:
        """A new offer beeps once and is said on whatever screen is up (a task, an ended task, a code field): a
        GO NOW offer must not wait until the courier happens to go back to the list. Offers that come while the
        line still says the last new offer join it ("New offer #0010, #0011")."""
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
        ids = {delivery.id for delivery in fresh}
        parts = [
            (order_words("handheld.new_offer.order", delivery, store=self._shared(delivery.id)), "")
            for delivery in fresh
        ]
        self._offer_words.update(zip((delivery.id for delivery in fresh), parts, strict=True))
        _, parts = self._joined("offers", parts, ids)  # `ids` takes those of the offers said before
        said = t("handheld.new_offer.orders", orders=", ".join(order for order, _ in parts))
        page = self._offer_page(ids)
        if page is None:
            self._say(said)
        else:
            # on a page of the task list not shown: which one (the list's page line says the key); the list itself
            # does not move (a finger may be on its way to a line of the page shown)
            shorter = (t("handheld.new_offer.on_page.short", offers=said, page=page),)
            self._tell(t("handheld.new_offer.on_page", offers=said, page=page), shorter=shorter)
        self._remember_news("offers", parts, ids)
        self._offer_words = {offer: words for offer, words in self._offer_words.items() if offer in ids}

    def _drop_untrue(self) -> None:
        """What message lines say that the tasks as they stand now make untrue goes: a step's "queued" or "done"
        about a task since moved elsewhere (the courier's other handheld, dispatch), a "New offer" naming offers
        that are offers no more (answered on the other handheld, taken back): it names those left, or goes."""
        screens = [screen for screen in self.screen_stack if isinstance(screen, HandheldScreen)]
        shown = {_message_shown(screen) for screen in screens}
        for delivery_id, claim in list(self._claims.items()):
            if not claim.texts & shown:  # said over since: nothing of it is left to clear
                del self._claims[delivery_id]
                continue
            view = self.source.task(delivery_id)
            if view is None or view.delivery.status in claim.statuses:  # (gone from the list: an ending step)
                continue
            del self._claims[delivery_id]
            for screen in screens:
                if _message_shown(screen) in claim.texts:
                    screen.say("")
        news = self._news_said.get("offers")
        gone = news.ids - self._offers() if news is not None else set()
        if news is None or not gone:
            return
        gone_words = {self._offer_words.get(offer) for offer in gone}
        parts = [part for part in news.parts if part not in gone_words]
        ids = news.ids - gone
        text = ""
        shorter: tuple[str, ...] = ()
        if parts:
            text = t("handheld.new_offer.orders", orders=", ".join(order for order, _ in parts))
            lists = [screen for screen in screens if isinstance(screen, TaskListScreen)]
            page = lists[0].offer_page(ids) if lists else None
            if page is not None:
                shorter = (t("handheld.new_offer.on_page.short", offers=text, page=page),)
                text = t("handheld.new_offer.on_page", offers=text, page=page)
        for screen in screens:
            if _message_shown(screen) == news.shown:
                self._say_on(screen, text, shorter=shorter)
        if parts:
            self._news_said["offers"] = _News(safe_text(text, one_line=True), parts, ids)
        else:
            del self._news_said["offers"]

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

    def _check_taps(self, confirmed: frozenset[str]) -> None:
        """Taps the platform confirmed say so: "#0016 delivered" where the line still says it is queued (an
        ending step takes its task off the screen, back to the list, and says it there); one beep, unless the
        tap already had it as queued. A refused one is said as a refusal (`on_source_news`)."""
        for key in [key for key in self._taps if key in confirmed]:  # in the order tapped
            tap = self._taps.pop(key)
            if tap.step in _ENDING_STEPS:
                screen = self.screen
                if isinstance(screen, TaskScreen) and screen.delivery_id == tap.delivery_id:
                    self.pop_screen()
                if not tap.rung:
                    self.bell()
                self._tell(tap.done, about=tap.delivery_id)
                continue
            cuts = store_cuts(tap.done, (*tap.named, *self.named()), self.glyphs.cut)  # as `_tell` cuts the name
            shorter = tuple(safe_text(way, one_line=True) for way in cuts)
            done = safe_text(tap.done, one_line=True)
            current = self.screen if self.screen_stack else None
            for screen in self.screen_stack:
                if isinstance(screen, HandheldScreen) and self._said_about.get(screen) == tap.delivery_id:
                    # a line about this delivery (or the duty) that still says it is queued
                    screen.replace_said(tap.said, done, shorter=shorter)
            if not tap.rung:
                self.bell()
                if isinstance(current, HandheldScreen) and _message_shown(current) != done:
                    # said since: the tap's one beep says this
                    self._tell(tap.done, about=tap.delivery_id, named=tap.named)

    def _moved_on(self) -> frozenset[str]:
        """Taps of a source that gives no outbox key whose delivery moved on with nothing queued (`_Tap.before`)."""
        moved = set()
        for key, tap in self._taps.items():
            view = self.source.task(tap.delivery_id) if tap.before is not None else None
            if view is not None and not view.pending and not view.refusal and str(view.delivery.status) != tap.before:
                moved.add(key)
        return frozenset(moved)

    def _queued(self, key: str, tap: _Tap) -> None:
        """A tap is queued: its words say so now; its one beep rings at once while the link is not up, else
        when it is confirmed, or after `CONFIRM_WAIT_S` without an answer (the link may look up and be dead)."""
        self._taps[key] = tap
        if self.source.link().state is not LinkState.ONLINE:
            tap.rung = True
            self.bell()
        else:
            self.set_timer(CONFIRM_WAIT_S, partial(self._ring_queued, key))

    def _ring_queued(self, key: str) -> None:
        tap = self._taps.get(key)
        if tap is not None and not tap.rung:
            tap.rung = True
            self.bell()

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
        the delivery it is about, when a later answer may replace it (`_check_taps`); `named`: orders it
        may name by store besides the tasks held (`CourierApp.named`): where the shortest way does not fit, the
        store's name is cut before the order number is (`store_cuts`)."""
        screen = self.screen
        if isinstance(screen, HandheldScreen):
            self._say_on(screen, text, style, shorter, named)
            self._said_about[screen] = about

    def _say_on(
        self,
        screen: HandheldScreen,
        text: str,
        style: str = "",
        shorter: tuple[str, ...] = (),
        named: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """Say `text` on `screen`'s message line, as `_tell` says it on the screen up."""
        named = (*named, *self.named())
        shorter = (*shorter, *store_cuts(shorter[-1] if shorter else text, named, self.glyphs.cut))
        shorter = tuple(safe_text(way, one_line=True) for way in shorter)
        screen.say(safe_text(text, one_line=True), style, shorter=shorter)

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
        if isinstance(body, ProblemBody) and await self._problem_queued_before(chosen.delivery_id, view, body):
            return
        try:
            key = await self.source.submit(step.value, chosen.delivery_id, body)
        except ActionRefused as refused:
            self.error(refused.message)
            return
        finally:
            self._settle_task(chosen.delivery_id)
        store = self._shared(chosen.delivery_id)  # two stores' #0014 held: which one
        # as the message line shows it; "delivered" says its code is not checked yet (the food stays in hand)
        said = safe_text(queued_text(view.delivery, store, step), one_line=True)
        done = done_text(step, view.delivery, store)
        leads = {STEP_LEADS_TO[step]} if step in STEP_LEADS_TO else set()  # (a problem leaves the task where it is)
        texts = frozenset({said, safe_text(done, one_line=True)})
        self._claims[chosen.delivery_id] = _Claim(frozenset({view.delivery.status, *leads}), texts)
        if not key and self.source.link().state is LinkState.ONLINE:  # held in memory: as its link says
            self.ok(done)
            return
        # said done only once the platform confirms it (`_check_taps`); an ending step keeps its task till then
        self._tell(said, shorter=(queued_short(view.delivery, store, step),), about=chosen.delivery_id)
        tap = _Tap(chosen.delivery_id, step, said, done)
        if not key:  # a source held in memory gives no key: the delivery moving on confirms it
            self._keyless += 1
            key, tap.before = f"~{self._keyless}", str(view.delivery.status)
        self._queued(key, tap)

    async def _problem_queued_before(self, delivery_id: str, view: TaskView, body: ProblemBody) -> bool:
        """The same problem already queued and not sent yet (reported twice offline), or the one the platform
        recorded a moment ago (pressed twice online: `courier_tasks.reported_before`): said with the time it was
        queued or reported, two beeps, and not queued again (as the counter answers a code scanned twice)."""
        queued_at = getattr(self.source, "queued_at", None)  # a source held in memory queues nothing
        at = await queued_at(CourierStep.PROBLEM.value, delivery_id, body) if queued_at is not None else None
        key = "handheld.problem.queued_before"
        if at is None:
            reported_at = getattr(self.source, "reported_at", None)
            at = await reported_at(delivery_id, body) if reported_at is not None else None
            key = "handheld.problem.reported_before"
        if at is None:
            return False
        self._settle_task(delivery_id)
        said = order_words(
            key,
            view.delivery,
            store=self._shared(delivery_id),
            reason=problem_label(body.reason),
            at=store_clock(view.delivery, at),
        )
        short = order_words(key + ".short", view.delivery)  # one line of 20 cells: the number, and that it was
        self.error(said, shorter=(short,))
        return True

    def _settle_task(self, delivery_id: str) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, TaskScreen) and screen.delivery_id == delivery_id:
                screen.settle()

    async def on_food_back_chosen(self, message: FoodBackChosen) -> None:
        view = self.source.task(message.delivery_id)
        # two stores' #0014 held: which one (read before the task ends with it)
        store, named = self._shared(message.delivery_id), self.named(message.delivery_id)
        try:
            key = await self.source.food_back(message.delivery_id)
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
        done = order_words("handheld.bring_back.done", view.delivery, store=store)
        if not key and self.source.link().state is LinkState.ONLINE:  # held in memory: as its link says
            self.ok(done, named=named)
            return
        # queued (offline, the outbox holds it): said as every other step is, done once the platform confirms it
        said = safe_text(queued_text(view.delivery, store), one_line=True)
        self._tell(said, shorter=(queued_short(view.delivery, store),), about=message.delivery_id, named=named)
        if key:
            self._queued(key, _Tap(message.delivery_id, None, said, done, named=named))
        else:
            self.bell()

    async def on_dismiss_chosen(self, message: DismissChosen) -> None:
        await self.source.dismiss(message.delivery_id)
        self._say("")

    async def on_duty_chosen(self, message: DutyChosen) -> None:
        courier_id = self.source.courier_id
        status = CourierStatus.IDLE if message.on_duty else CourierStatus.OFFLINE
        try:
            key = await self.source.submit("courier.state", courier_id, CourierStateBody(status=status))
        except ActionRefused as refused:
            self.error(refused.message)
            return
        done = t("handheld.duty.now_on" if message.on_duty else "handheld.duty.now_off")
        if not key and self.source.link().state is LinkState.ONLINE:  # held in memory: as its link says
            self.ok(done)
            return
        # queued, as other steps say, until the platform confirms it (going off, the offers go back only when it
        # reaches the platform; going on, no offer comes before then)
        queued = "handheld.duty.on_queued" if message.on_duty else "handheld.duty.off_queued"
        self._tell(t(queued), shorter=(t(queued + ".short"),))
        if key:
            self._queued(key, _Tap("", None, t(queued), done))
        else:
            self.bell()

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
