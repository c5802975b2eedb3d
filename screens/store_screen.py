"""`s`: the store's state and what it means right now ("Closed until 14:30 (paused), orders refused"), the actions
open / pause / busy, the opening hours per weekday with dated exceptions (holidays), and auto-accept (`u` on/off,
`c` the daily cap, `t` this console as the printing station; "12 of 50 auto-accepted today"), and the kitchen
printer while one is set: its target, paper and Chinese printing, and whether it prints now
(`screens.printing.printer_line`; "Printer offline since 12:41, 3 waiting").

Every change goes through the source like an order action (the outbox when the sync engine is wired in):
`store.status` with a `StoreStatusBody`, `store.hours` with the whole `HoursBody` (the shown hours with one day or
date changed). The words come from `o2o_tui.store_effect` and the parsing from `o2o_tui.store_hours`, shared with
`o2o store`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from o2o_tui import store_hours
from o2o_tui.auto_accept import describe, known_state
from o2o_tui.domain.auto_accept import AutoAcceptBody
from o2o_tui.domain.limits import AUTO_ACCEPT_CAP_MAX, EXTRA_MINUTES_MAX, STATUS_REASON_MAX
from o2o_tui.domain.requests import (
    STORE_PREP_MINUTES_MAX,
    STORE_PREP_MINUTES_MIN,
    HoursBody,
    PrepTimeBody,
    StoreStatusBody,
)
from o2o_tui.domain.store import Store, StoreState, StoreStatus
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from o2o_tui.store_effect import (
    at_text,
    date_words,
    effect,
    effect_text,
    may_be_auto_paused,
    maybe_auto_paused_texts,
    store_zone,
)
from screens.console_messages import ShowHelp
from screens.dialogs import Dialog, NumberPrompt, SteadyAsciiInput, SteadyInput
from screens.keys import localize_bindings
from screens.order_format import ellipsis, fit
from screens.printing import PrinterLine, printer_line, printer_line_text
from screens.source import ActionRefused, LinkState, link_up
from screens.widgets.folded_text import FoldedLabel, FoldedText
from screens.widgets.footer import KeyFooter
from screens.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from screens.app import MerchantApp

DEFAULT_BUSY_MINUTES = 15
EFFECT_LINES = 3  # the effect with a pause reason of STATUS_REASON_MAX characters would take the screen


class Clamped(FoldedText):
    """`FoldedText` in at most `most` lines; when the text goes on past them, the last ends with "…" (a long store
    name on its one line, a long pause reason)."""

    def __init__(self, content: Content | str, most: int) -> None:
        super().__init__(content)
        self._most = most

    def at(self, width: int) -> Content:
        folded = super().at(width)
        lines = folded.split("\n", allow_blank=True)
        if len(lines) <= self._most or width <= 0:
            return folded
        last = fit(lines[self._most - 1].plain + ellipsis(), width).rstrip()  # the word that does not fit goes
        return Content("\n").join([*lines[: self._most - 1], Content(last)])


class EffectLines(FoldedText):
    """The store's effect, then the hint that the platform may have paused it (`hints`, longer then shorter: the
    link is down for the heartbeat's length) in the warning colour: the longest hint with which all fits in
    `EFFECT_LINES` at the width, else the shortest, cut with "…" past them."""

    def __init__(self, effect: str, hints: tuple[str, ...] = ()) -> None:
        shown = [self._joined(effect, hint) for hint in hints] or [Content(effect)]
        super().__init__(shown[0])
        self._longer = [FoldedText(content) for content in shown[:-1]]
        self._last = Clamped(shown[-1], EFFECT_LINES)

    @staticmethod
    def _joined(effect: str, hint: str) -> Content:
        return Content.assemble(effect, "\n", (hint, "$text-warning"))

    def at(self, width: int) -> Content:
        for longer in self._longer:
            folded = longer.at(width)
            if len(folded.split("\n", allow_blank=True)) <= EFFECT_LINES:
                return folded
        return self._last.at(width)


class PrinterLines(FoldedText):
    """The printer line (`screens.printing.printer_line_text`): what the printer is, in at most two lines (cut with
    "…": a long file path), then how it is now on one line, in shorter words when the longer do not fit (40
    columns): three lines at most, so the opening hours keep their rows on a small screen."""

    def __init__(self, named: str, states: tuple[str, ...], *, bold: bool = False) -> None:
        super().__init__(Content("\n".join((named, states[0]))))
        self._named = Clamped(Content(named), 2)
        self._states = states
        self._bold = bold

    def at(self, width: int) -> Content:
        if self._folded is None or self._folded[0] != width:
            state = next((text for text in self._states if cell_len(text) <= width), self._states[-1])
            shown = Clamped(Content(state), 1).at(width)
            if self._bold:
                shown = shown.stylize("bold")
            self._folded = (width, Content("\n").join([self._named.at(width), shown]))
        return self._folded[1]


class TextPrompt(Dialog[str | None]):
    """A line of text; `check(text)` answers an error to show (the prompt stays) or None (it closes with text).
    `ascii`: a time, hours or a date, whose field takes what a Chinese input method types ("１４：３０") as ASCII.
    `value` (the hours being edited) starts selected: the first key typed replaces it, never appends to it (an
    arrow key keeps it to edit). `default` (today's date) is no value but the placeholder: Enter on the empty
    field takes it, and what is typed is never dropped at the field's `max_length` behind a pre-filled text."""

    DEFAULT_CSS = """
    TextPrompt { align: center middle; }
    """
    BINDINGS = [  # Enter for the footer (`⏎ OK`): the field that has the focus applies it itself
        Binding("enter", "submit", "ui.key.ok", id="dialog.ok"),
        Binding("escape", "cancel", "ui.key.cancel", id="dialog.cancel"),
    ]

    def __init__(
        self,
        title: str,
        hint: str,
        *,
        value: str = "",
        default: str = "",
        check: Callable[[str], str | None] | None = None,
        max_length: int = 0,
        ascii: bool = False,
    ) -> None:
        super().__init__()
        localize_bindings(self)
        self._title = title
        self._hint = hint
        self._value = value
        self._default = default
        self._check = check
        self._max_length = max_length
        self._ascii = ascii

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield FoldedLabel(Content(self._title), classes="title")
            field = SteadyAsciiInput if self._ascii else SteadyInput  # a pasted or fast-typed time kept whole
            yield field(
                value=self._value,
                placeholder=self._default,
                max_length=self._max_length,
                id="answer",
                select_on_focus=bool(self._value),
                typed_by_screen=True,
            )
            # as Chinese is set: "（14:30）" or "12月15日" never split at the dialog's edge
            yield Label(FoldedText(Content(self._hint)), classes="hint")
            yield Label("", id="error", classes="error")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = False
        field.focus()

    async def on_key(self, event: events.Key) -> None:
        """Every key to the field in the order typed, those typed before it had the focus too (`SteadyInput`)."""
        if await self.query_one("#answer", SteadyInput).type_key(event):
            event.stop()
            event.prevent_default()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value if event.value.strip() or not self._default else self._default
        problem = self._check(text) if self._check else None
        if problem:
            self.query_one("#error", Label).update(FoldedText(Content(problem)))
            return
        self.dismiss(text)

    async def action_submit(self) -> None:
        """Enter (the footer's `⏎`) while the field has not the focus: what the field's Enter does."""
        await self.query_one("#answer", Input).action_submit()

    def action_cancel(self) -> None:
        self.dismiss(None)


def _checker(parse: Callable[[str], object]) -> Callable[[str], str | None]:
    def check(text: str) -> str | None:
        try:
            parse(text)
        except store_hours.HoursError as error:
            return error.message
        return None

    return check


class StoreScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("store_screen.tcss")
    # the default preparation time's line, under auto-accept's, and the printer's (store_screen.tcss is the others')
    DEFAULT_CSS = """
    StoreScreen #prep-time { height: auto; max-height: 2; padding: 0 1; }
    StoreScreen #printer { height: auto; max-height: 3; padding: 0 1; margin-top: 1; }
    StoreScreen.-narrow #printer { margin-top: 0; }
    StoreScreen #printer.-down { color: $text-error; }
    """
    BINDINGS = [
        Binding("escape,backspace", "back", "ui.key.back", id="store.back"),
        Binding("question_mark", "help", "ui.key.help", id="store.help"),
        Binding("o", "resume", "store_screen.key.open", id="store.open"),
        Binding("p", "pause", "store_screen.key.pause", id="store.pause"),
        Binding("b", "busy", "store_screen.key.busy", id="store.busy"),
        Binding("enter", "edit", "store_screen.key.edit", priority=True, id="store.edit"),  # over the list's
        Binding("n", "add_date", "store_screen.key.add_date", id="store.add_date"),
        Binding("x,delete", "remove", "store_screen.key.remove", id="store.remove"),
        Binding("u", "auto_accept", "auto_accept.key.toggle", id="store.auto_accept"),
        Binding("c", "auto_accept_cap", "auto_accept.key.cap", id="store.auto_accept_cap"),
        Binding("t", "station", "auto_accept.key.station", id="store.station"),
        Binding("m", "prep_time", "store_screen.key.prep_time", id="store.prep_time"),
    ]
    HELP_NOTES: tuple[str, ...] = ()
    FOOTER_PRIORITY = (
        "store.back",
        "store.open",
        "store.pause",
        "store.busy",
        "store.auto_accept",
        "store.edit",
        "store.add_date",
        "store.remove",
        "store.station",
        "store.auto_accept_cap",
        "store.prep_time",
    )

    app: MerchantApp

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)
        self._shown: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="store-name")
        yield Static(id="store-effect")
        yield Static(id="auto-accept")  # "Auto-accept: on, 12 of 50 auto-accepted today" and the station
        yield Static(id="prep-time")  # "Preparation time: 15 min": what an accept promises when the items set none
        # the kitchen printer, with its paper and how it prints Chinese, and whether it prints now (none: no printer)
        yield Static(id="printer")
        yield Static(id="hours-title")
        yield OptionList(id="hours")
        yield StatusBar(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#hours", OptionList).focus()
        self.refresh_store()
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        self.refresh_store()  # the effect changes by itself (a pause ends, the hours close): repaint if it did

    # showing
    def refresh_store(self) -> None:
        """Show the source's store now; widgets are touched only when what they show changed. Called before the
        screen's widgets are there (a change of the source while it is pushed: the auto-accept station follows every
        change), it does nothing: `on_mount` shows the store."""
        bars = self.query(StatusBar)
        if not bars:
            return
        store = self.app.source.store()
        now = self.app.now()
        link = self.app.source.link()
        bars.first().show(link, store, now)
        found = effect(store, now) if store is not None else None
        text = effect_text(found, store_zone(store), now) if found is not None else t("store_screen.loading")
        # an open store none of whose devices has polled for the heartbeat's length: the platform has paused it by now
        # (as `o2o store status` says); a live link polls, so it is said only while the link gets no answers
        last = link.last_sync_at
        down = link.state not in (LinkState.ONLINE, LinkState.RESYNCING)
        hints: tuple[str, ...] = ()
        if store is not None and last is not None and down and may_be_auto_paused(store, last, now):
            hints = maybe_auto_paused_texts(last, now)
        auto_text = self._auto_accept_text(store, now)
        printer = printer_line(self.app)
        printer_text = printer_line_text(printer, store_zone(store), now) if printer is not None else None
        shown = (
            text,
            hints,
            auto_text,
            printer_text,
            None if store is None else (store.name, store.timezone),
            None if store is None else (store.opening_hours, store.hours_exceptions),
            None if store is None else store.default_prep_minutes,
        )
        if shown == self._shown:
            return
        self._shown = shown
        name = self.query_one("#store-name", Static)
        title = self.query_one("#hours-title", Static)
        effect_line = self.query_one("#store-effect", Static)
        effect_line.update(EffectLines(text, hints))
        self.query_one("#auto-accept", Static).update(Content(auto_text))
        prep = "" if store is None else t("store_screen.prep_time.line", minutes=store.default_prep_minutes)
        self.query_one("#prep-time", Static).update(Clamped(Content(prep), 2))
        self._show_printer(printer, printer_text)
        for state in StoreState:
            effect_line.set_class(found is not None and found.state is state, f"-{state.value.lower()}")
        if store is None:
            name.update(Clamped(Content(t("store_screen.title", name="")), 1))
            title.update(Content(""))
            self.query_one("#hours", OptionList).clear_options()
            return
        name.update(Clamped(Content(t("store_screen.title", name=safe_text(store.name, one_line=True))), 1))
        title.update(FoldedText(Content(self._hours_title(store))))
        self._fill_hours(store)

    def _show_printer(self, printer: PrinterLine | None, text: tuple[str, tuple[str, ...]] | None) -> None:
        """The printer line: what the printer is, then how it is now (red while it cannot print); nothing with no
        printer set."""
        line = self.query_one("#printer", Static)
        line.display = text is not None
        if printer is None or text is None:
            return
        named, states = text
        down = printer.config is None or printer.problem is not None
        line.update(PrinterLines(named, states, bold=down))
        line.set_class(down, "-down")

    def _auto_accept_text(self, store: Store | None, now: datetime) -> str:
        if store is None:
            return ""
        station = self.app.station
        orders = (entry.order for entry in self.app.source.orders())
        held = station.printer_held()  # the station holds auto-accept while its printer cannot print
        state = known_state(store, station.state, orders, now)
        return "\n".join(describe(state, station.device, printer_held=held))

    def _hours_title(self, store: Store) -> str:
        """Shown folded: on one line when it fits, else broken before the time zone "(Asia/Shanghai)", never
        inside the zone's name."""
        zone = safe_text(store.timezone, one_line=True)
        if not store.opening_hours and not store.hours_exceptions:
            text = t("store_screen.hours_not_set", timezone=zone)
        else:
            text = t("store_screen.hours_title", timezone=zone)
        return text

    def _fill_hours(self, store: Store) -> None:
        hours = self.query_one("#hours", OptionList)
        highlighted = hours.highlighted
        rows: list[Option] = []
        for day, ranges in enumerate(store_hours.week(store)):
            shown = store_hours.ranges_text(ranges) if ranges else t("store.hours.closed_day")
            rows.append(Option(Content(f"{fit(store_hours.day_name(day), 5)} {shown}"), id=f"day:{day}"))
        for exception in store.hours_exceptions:
            if exception.hours:
                shown = store_hours.ranges_text(exception.hours)
            else:
                shown = t("store.hours.closed_all_day")
            note = f"  {safe_text(exception.note, one_line=True)}" if exception.note else ""
            rows.append(Option(Content(f"{exception.date} {shown}{note}"), id=f"date:{exception.date}"))
        hours.set_options(rows)
        if rows:
            hours.highlighted = min(highlighted or 0, len(rows) - 1)

    # acting
    def _store(self) -> Store | None:
        store = self.app.source.store()
        if store is None:
            self.app.say(t("store_screen.loading"), severity="warning", timeout=3)
        return store

    def _send(self, action: str, body: msgspec.Struct, label: str) -> None:
        store = self._store()
        if store is None:
            return

        async def send() -> None:
            try:
                await self.app.source.submit(action, store.id, body)
            except ActionRefused as refused:
                self.app.say(
                    t("store_screen.refused", action=label, reason=refused.message),
                    severity="error",
                    timeout=10,
                )
                return
            key = "store_screen.sent" if link_up(self.app.source) else "store_screen.queued"
            if self.app.source.link().state is LinkState.NOT_STORING:  # answering, not storing: retried
                key = "store_screen.queued_not_storing"
            self.app.say(t(key, action=label), timeout=3)
            self.refresh_store()

        self.app.run_worker(send(), group="actions", exit_on_error=False)

    def action_help(self) -> None:
        self.post_message(ShowHelp())

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_resume(self) -> None:
        store = self._store()
        if store is None:
            return
        now = self.app.now()
        opened = effect(msgspec.structs.replace(store, status=StoreStatus()), now)  # as open would leave it
        if opened.state is StoreState.CLOSED and opened.by_hours:
            at = at_text(opened.until, store_zone(store), now) if opened.until is not None else None
            if store.status.state is StoreState.ONLINE:  # nothing to send: the hours alone keep it closed
                key = "store_screen.open.hours_closed" if at else "store_screen.open.hours_closed_never"
                self.app.say(t(key, at=at), severity="warning", timeout=10)
                return
            # a pause or busy ends now, but the store takes orders only when its hours open
            label = t("store_screen.open.at_hours", at=at) if at else t("store_screen.open.at_hours_never")
            self._send("store.status", StoreStatusBody(state=StoreState.ONLINE), label)
            return
        self._send("store.status", StoreStatusBody(state=StoreState.ONLINE), t("store_screen.action.open"))

    def action_pause(self) -> None:
        store = self._store()
        if store is None:
            return
        zone = store_zone(store)

        def parse(text: str) -> object:
            return store_hours.pause_until(text, self.app.now(), zone)

        def got_until(text: str | None) -> None:
            if text is None:
                return
            until = store_hours.pause_until(text, self.app.now(), zone)

            def got_reason(reason: str | None) -> None:
                if reason is not None:
                    body = StoreStatusBody(state=StoreState.PAUSED, until=until, reason=reason.strip())
                    self._send("store.status", body, t("store_screen.action.pause"))

            prompt = TextPrompt(
                t("store_screen.pause.reason_title"),
                t("store_screen.pause.reason_hint"),
                max_length=STATUS_REASON_MAX,
            )
            self.app.push_screen(prompt, got_reason)

        prompt = TextPrompt(
            t("store_screen.pause.title"),
            t("store_screen.pause.hint"),
            check=_checker(parse),
            max_length=12,  # "90 min", "1小时30分钟": a length as people type it (`store_hours.parse_minutes`)
            ascii=True,
        )
        self.app.push_screen(prompt, got_until)

    def action_busy(self) -> None:
        store = self._store()
        if store is None:
            return
        current = store.status.extra_minutes if store.status.state is StoreState.BUSY else 0
        now = self.app.now()
        paused = effect(store, now)
        title = t("store_screen.busy.title")
        if paused.state is StoreState.PAUSED:  # busy is a state of an open store: the prompt says it ends the pause
            at = at_text(paused.until, store_zone(store), now) if paused.until is not None else None
            key = "store_screen.busy.title_ends_pause_until" if at else "store_screen.busy.title_ends_pause"
            title = t(key, at=at)

        def got(minutes: int | None) -> None:
            if minutes is not None:
                body = StoreStatusBody(state=StoreState.BUSY, extra_minutes=minutes)
                self._send("store.status", body, t("store_screen.action.busy"))

        prompt = NumberPrompt(
            Content(title),
            current or DEFAULT_BUSY_MINUTES,
            minimum=1,
            maximum=EXTRA_MINUTES_MAX,
            hint_key="store_screen.busy.enter_current" if current else "store_screen.busy.enter_default",
            read=lambda text: store_hours.parse_duration(text, EXTRA_MINUTES_MAX),  # "15分钟", "1h" as well as 15
        )
        self.app.push_screen(prompt, got)

    def _highlighted(self) -> str | None:
        hours = self.query_one("#hours", OptionList)
        if hours.highlighted is None:
            return None
        return hours.get_option_at_index(hours.highlighted).id

    def _save_hours(self, edit: Callable[[HoursBody], HoursBody]) -> None:
        store = self._store()
        if store is None:
            return
        try:
            body = edit(store_hours.hours_body(store))
        except store_hours.HoursError as error:
            self.app.say(error.message, severity="error")
            return
        self._send("store.hours", body, t("store_screen.action.hours"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click on a row
        self.action_edit()

    def action_edit(self) -> None:
        row = self._highlighted()
        store = self._store()
        if row is None or store is None:
            return
        kind, _, key = row.partition(":")
        check = _checker(store_hours.parse_ranges)
        if kind == "day":
            day = int(key)
            current = store_hours.ranges_text(store_hours.week(store)[day])

            def got_day(text: str | None) -> None:
                if text is not None:
                    ranges = store_hours.parse_ranges(text)
                    self._save_hours(lambda body: store_hours.set_day(body, day, ranges))

            title = t("store_screen.day.title", day=store_hours.day_name(day))
            prompt = TextPrompt(title, t("store_screen.day.hint"), value=current, check=check, ascii=True)
            self.app.push_screen(prompt, got_day)
            return
        exception = next((e for e in store.hours_exceptions if e.date == key), None)
        note = exception.note if exception else ""
        current = store_hours.ranges_text(exception.hours) if exception else ""
        today = self.app.now().astimezone(store_zone(store)).date()
        check = _checker(lambda text: (store_hours.check_not_past(key, today), store_hours.parse_ranges(text)))

        def got_date(text: str | None) -> None:
            if text is not None:
                ranges = store_hours.parse_ranges(text)
                self._save_hours(lambda body: store_hours.set_exception(body, key, ranges, note))

        title = t("store_screen.date_hours.title", date=key, words=date_words(key, today))
        prompt = TextPrompt(title, t("store_screen.date_hours.hint"), value=current, check=check, ascii=True)
        self.app.push_screen(prompt, got_date)

    def action_add_date(self) -> None:
        store = self._store()
        if store is None:
            return
        local_today = self.app.now().astimezone(store_zone(store)).date()
        today = local_today.isoformat()

        def new_date(text: str) -> str:
            return store_hours.check_not_past(store_hours.parse_date(text, local_today), local_today)

        def got_date(text: str | None) -> None:
            if text is None:
                return
            day = store_hours.parse_date(text, local_today)  # "12月15日": the next one from the store's today

            def got_hours(hours_text: str | None) -> None:
                if hours_text is None:
                    return
                ranges = store_hours.parse_ranges(hours_text)

                def got_note(note: str | None) -> None:
                    if note is not None:
                        self._save_hours(
                            lambda body: store_hours.set_exception(body, day, ranges, note.strip())
                        )

                note_prompt = TextPrompt(
                    t("store_screen.note.title", date=day, words=date_words(day, local_today)),
                    t("store_screen.note.hint"),
                    max_length=STATUS_REASON_MAX,
                )
                self.app.push_screen(note_prompt, got_note)

            hours_prompt = TextPrompt(  # the date in words ("Fri 25 Dec"): a wrong one is seen before it is saved
                t("store_screen.date_hours.title", date=day, words=date_words(day, local_today)),
                t("store_screen.date_hours.hint"),
                check=_checker(store_hours.parse_ranges),
                ascii=True,
            )
            self.app.push_screen(hours_prompt, got_hours)

        prompt = TextPrompt(
            t("store_screen.date.title"),
            t("store_screen.date.hint", today=today, words=date_words(today)),
            default=today,  # the placeholder: typing "2026-12-25" is the date, Enter alone is today
            check=_checker(new_date),
            max_length=16,  # "2026年12月15日" as well as 2026-12-15
            ascii=True,
        )
        self.app.push_screen(prompt, got_date)

    # auto-accept (o2o_tui/auto_accept.py): the switch, the daily cap, this console as the printing station
    def action_auto_accept(self) -> None:
        store = self._store()
        if store is None:
            return
        turn_on = not store.auto_accept.enabled
        label = t("auto_accept.action.on" if turn_on else "auto_accept.action.off")
        if turn_on and not store.auto_accept.station:  # the first console to turn it on is the station
            self._send(
                "store.auto_accept", AutoAcceptBody(enabled=True, station=self.app.station.device), label
            )
            return
        self._send("store.auto_accept", AutoAcceptBody(enabled=turn_on), label)

    def action_auto_accept_cap(self) -> None:
        store = self._store()
        if store is None:
            return

        def got(cap: int | None) -> None:
            if cap is not None:
                self._send("store.auto_accept", AutoAcceptBody(daily_cap=cap), t("auto_accept.action.cap"))

        prompt = NumberPrompt(
            Content(t("auto_accept.cap.title")),
            store.auto_accept.daily_cap,
            minimum=0,
            maximum=AUTO_ACCEPT_CAP_MAX,
            hint_key="auto_accept.cap.enter_keeps",
        )
        self.app.push_screen(prompt, got)

    def action_station(self) -> None:
        store = self._store()
        if store is None:
            return
        device = self.app.station.device
        if store.auto_accept.station == device:
            self._send("store.auto_accept", AutoAcceptBody(station=""), t("auto_accept.action.no_station"))
        else:
            self._send("store.auto_accept", AutoAcceptBody(station=device), t("auto_accept.action.station"))

    def action_prep_time(self) -> None:
        """The store's default preparation time (`store.prep_time`): what `a` offers on Enter, what auto-accept
        promises, for an order whose items set none."""
        store = self._store()
        if store is None:
            return

        def got(minutes: int | None) -> None:
            if minutes is not None and minutes != store.default_prep_minutes:
                self._send("store.prep_time", PrepTimeBody(minutes=minutes), t("store_screen.action.prep_time"))

        prompt = NumberPrompt(
            Content(t("store_screen.prep_time.title")),
            store.default_prep_minutes,
            minimum=STORE_PREP_MINUTES_MIN,
            maximum=STORE_PREP_MINUTES_MAX,
            hint_key="store_screen.prep_time.enter_keeps",
        )
        self.app.push_screen(prompt, got)

    def action_remove(self) -> None:
        row = self._highlighted()
        if row is None:
            return
        kind, _, key = row.partition(":")
        if kind != "date":
            self.app.say(t("store_screen.remove_hint"), severity="warning")
            return
        self._save_hours(lambda body: store_hours.clear_exception(body, key))
