"""The link line: CONNECTING / ONLINE / OFFLINE / RESYNCING / LOG IN AGAIN / CANNOT SAVE, refused actions, the printer's
warning (off, out of paper: tickets waiting), queued actions, store state, time since the last good answer, store
name, hints. Always one line: when it does not fit, parts are
shortened, then left out, least important first (`fit_parts`); the state and the refused-actions badge stay at
every width."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import msgspec
from rich.cells import cell_len
from textual.content import Content
from textual.widget import Widget

from o2o_tui.client.errors import says_disabled
from o2o_tui.domain.store import Store, StoreState
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from o2o_tui.store_effect import at_text, effect, opens_later_today, state_words, store_zone
from screens.order_format import fit
from screens.source import LinkState, LinkStatus
from screens.terminal import FULL, Glyphs, glyphs_of, not_utf8

if TYPE_CHECKING:
    from screens.printing import PrinterWarning

SEPARATOR = " · "  # FULL's; the line's own is the terminal's dot (`Glyphs.dot`: " | " in ASCII)
NARROW_SEPARATOR = " "
NARROW = 60
TOAST_CHECK_S = 0.5  # how often the bar looks whether the toasts over it came or went (see `_after_toasts`)


def _printer_warning(app: object) -> PrinterWarning | None:
    """The printer's warning; none before the console has loaded its printer (after the first frame)."""
    printing = sys.modules.get("screens.printing")
    return printing.printer_warning(app) if printing is not None else None


def since_text(last: datetime | None, now: datetime) -> str:
    """Coarse on purpose (changes at most once a minute), so an idle screen writes nothing."""
    if last is None:
        return t("ui.link.never")
    minutes = int(max(0.0, (now - last).total_seconds()) // 60)
    if minutes < 1:
        return t("ui.link.just_now")
    if minutes < 60:
        return t("ui.link.minutes_ago", minutes=minutes)
    return t("ui.link.hours_ago", hours=minutes // 60)


def store_badge(store: Store, now: datetime) -> tuple[str, ...]:
    """The store's state when it takes no orders or takes them late, longest first: PAUSED, BUSY, CLOSED, and
    CLOSED by the opening hours with when it opens again: "CLOSED FOR NOW, opens 10:00" (休息中) when that is later
    the same day, "CLOSED until tomorrow 10:00" (已打烊) once the day's last range has closed; read as the platform
    reads them for a new order (`o2o_tui.store_effect`); () when it is open as usual."""
    found = effect(store, now)  # a pause whose `until` has passed is over: the store is open again
    if found.state is StoreState.PAUSED or (found.state is StoreState.CLOSED and not found.by_hours):
        return (t(f"ui.store.state.{found.state.value}"),)
    state = found.state
    if found.state is StoreState.CLOSED and found.by_hours:
        zone = store_zone(store)
        if found.until is not None and opens_later_today(found, zone, now):
            # before the day's opening or in a break: resting, as `o2o store status` says it (`state_words`:
            # CLOSED FOR NOW, 休息中), never "closed for the night" (已打烊), which is for a day that is over
            at = at_text(found.until, zone, now)
            resting = state_words(found, zone, now)
            return (t("ui.store.not_open_yet_until", at=at), resting, t("ui.store.not_open_yet_short"))
        closed = t("ui.store.state.CLOSED")
        if found.until is None:
            return (closed,)
        return (t("ui.store.closed_until", at=at_text(found.until, zone, now)), closed)
    if state is StoreState.BUSY:
        return (t("ui.store.state.BUSY"),)
    return ()


class Part(msgspec.Struct, frozen=True):
    """One part of the line: its texts from the longest to the shortest, and how important it is (0 = most).

    A `flexible` part (the store's name) is cut by words to the room left before it is left out altogether.
    """

    variants: tuple[str, ...]
    priority: int
    style: str = ""
    flexible: bool = False


def link_line_parts(
    link: LinkStatus,
    store: Store | None,
    now: datetime,
    *,
    muted: bool = False,
    printer: PrinterWarning | None = None,
    ascii_only: bool = False,
) -> list[Part]:
    """Every part the line would show with room enough, in display order. `ascii_only`: the terminal's locale is
    not UTF-8 (`screens.terminal.not_utf8`), said in ASCII (names show '?' there), as the handheld says it."""
    disabled = link.state is LinkState.UNAUTHORIZED and says_disabled(link.error)  # logging in again cannot help
    state = t("ui.link.disabled_state") if disabled else t(f"ui.link.state.{link.state.value}")
    parts = [Part((f" {state} ",), 0, "bold reverse")]
    if link.conflicts:
        long = "! " + t("ui.link.conflicts", count=link.conflicts)
        parts.append(Part((long, f"!{link.conflicts}"), 1, "bold"))
    if printer is not None:  # persistent until the printer prints again: tickets are waiting
        words = dict(problem=printer.problem, count=printer.waiting)
        variants = (t("printing.status.waiting", **words), t("printing.status.waiting_short", **words))
        parts.append(Part((*variants, t("printing.status.tiny", count=printer.waiting)), 2, "bold"))
    if muted:
        parts.append(Part((t("alerts.muted_badge"),), 2, "bold"))
    if ascii_only:  # until the console is started again in a UTF-8 locale
        parts.append(Part((t("ui.terminal.not_utf8"), t("ui.terminal.not_utf8_short")), 2, "bold"))
    if link.pending:
        parts.append(Part((t("ui.link.pending", count=link.pending), f"~{link.pending}"), 3))
    if store is not None and (badge := store_badge(store, now)):
        parts.append(Part(badge, 4, "bold"))
    stale = link.last_sync_at is None or (now - link.last_sync_at).total_seconds() >= 60
    if link.state not in (LinkState.ONLINE, LinkState.NOT_STORING) or stale:  # NOT_STORING: reads work
        since = since_text(link.last_sync_at, now)
        parts.append(Part((t("ui.link.synced", since=since), since), 6))
    if store is not None:
        parts.append(Part((safe_text(store.name, one_line=True),), OPTIONAL, flexible=True))
    if link.state is LinkState.OFFLINE:
        parts.append(
            Part(
                (
                    t("ui.link.offline_hint"),
                    t("status_line.offline_hint_short"),
                    t("status_line.no_new_orders"),
                ),
                5,
                "bold",
            )
        )
    elif link.state is LinkState.NOT_STORING:  # the platform answers and reads work; changes wait
        hint = (t("ui.link.not_storing_hint"), t("status_line.not_storing_hint_short"))
        parts.append(Part(hint, 5, "bold"))
    elif link.state is LinkState.STORAGE_DOWN:  # it answers, but reads fail too: no new orders, say what to do
        down = (t("ui.link.storage_down_hint"), t("status_line.storage_down_hint_short"), t("status_line.no_new_orders"))
        parts.append(Part(down, 5, "bold"))
    elif link.state is LinkState.CANNOT_SAVE:  # this device cannot store what arrives: what and what to do
        full: tuple[str, ...] = (t("ui.link.cannot_save_hint"), t("status_line.cannot_save_hint_short"))
        if link.save_fault == "disk_full":
            full = (t("ui.link.disk_full_hint"), t("status_line.disk_full_hint_short"), t("status_line.disk_full"))
        parts.append(Part(full, 5, "bold"))
    elif disabled:  # an admin disabled the account: ask them
        hint = (t("ui.link.disabled_hint"), t("status_line.disabled_hint_short"))
        parts.append(Part(hint, 5, "bold"))
    elif link.state is LinkState.UNAUTHORIZED:  # not an outage: waiting will not help
        # without the cache (`--no-cache`) nothing is queued: no queue is said to be kept
        long = "ui.link.unauthorized_hint" if link.queues else "ui.link.unauthorized_hint_no_cache"
        hint = (t(long), t("status_line.unauthorized_hint_short"))
        parts.append(Part(hint, 5, "bold"))
    return parts


MIN_FLEX = 6  # a store name cut shorter than this says nothing
OPTIONAL = 7  # parts this unimportant are left out before any other part is shortened
KEPT = 1  # parts this important are never left out (the state, the refused-actions badge)


def fit_parts(parts: Sequence[Part], width: int, glyphs: Glyphs = FULL) -> list[tuple[str, str]]:
    """(text, style) pieces that fill at most `width` cells: shorter variants first, then parts left out, the
    least important first; the most important part is cut to the width as a last resort. The parts are
    separated by the terminal's dot (`glyphs`)."""
    separator = f" {glyphs.dot} " if width >= NARROW else NARROW_SEPARATOR
    choice = [0] * len(parts)  # index into variants; len(variants) = left out

    def text_of(index: int) -> str | None:
        variants = parts[index].variants
        return variants[choice[index]] if choice[index] < len(variants) else None

    def total() -> int:  # the state, one space, then the other parts between separators
        texts = [text for index in range(len(parts)) if (text := text_of(index)) is not None]
        gaps = (1 if len(texts) > 1 else 0) + cell_len(separator) * max(0, len(texts) - 2)
        return sum(cell_len(text) for text in texts) + gaps

    # Least important first: leave out the optional parts (the store's name), then shorten every part, then
    # leave out parts; the state and the refused-actions badge stay.
    by_priority = sorted(range(1, len(parts)), key=lambda index: (-parts[index].priority, -index))
    for index in by_priority:
        if total() > width and parts[index].priority >= OPTIONAL:
            choice[index] = len(parts[index].variants)
    for index in by_priority:
        while total() > width and choice[index] < len(parts[index].variants) - 1:
            choice[index] += 1
    for index in by_priority:
        if total() > width and parts[index].priority > KEPT:
            choice[index] = len(parts[index].variants)
    # A flexible part left out: give it the room that is left, cut between words.
    for index, part in enumerate(parts):
        more_important_shown = all(
            text_of(other) is not None for other in range(len(parts)) if parts[other].priority < part.priority
        )
        if part.flexible and text_of(index) is None and more_important_shown:
            room = width - total() - cell_len(separator)
            if room >= MIN_FLEX:
                cut = fit(part.variants[-1], room).rstrip()
                if cut and cut != "…":
                    parts = [*parts[:index], Part((cut,), part.priority, part.style), *parts[index + 1 :]]
                    choice[index] = 0
    pieces: list[tuple[str, str]] = []
    for index, part in enumerate(parts):
        text = text_of(index)
        if text is None:
            continue
        if pieces:
            pieces.append((" " if len(pieces) == 1 else separator, ""))
        pieces.append((text, part.style))
    used = sum(cell_len(text) for text, _ in pieces)
    if used > width and pieces:  # even the state alone is too wide: cut it
        text, style = pieces[0]
        return [(fit(text, width), style)]
    return pieces


def link_parts(
    link: LinkStatus,
    store: Store | None,
    now: datetime,
    width: int,
    *,
    muted: bool = False,
    printer: PrinterWarning | None = None,
    glyphs: Glyphs = FULL,
    ascii_only: bool = False,
) -> list[tuple[str, str]]:
    parts = link_line_parts(link, store, now, muted=muted, printer=printer, ascii_only=ascii_only)
    return fit_parts(parts, width, glyphs)


def _toasts_up(screen: Widget) -> int:
    """How many toasts the screen's toast rack holds: its children (a holder a toast), no search of the screen. A
    `query("Toast")` twice a second walked every widget of the screen (the queue's, the footer's keys, every toast
    up): a hot spot of an idle console's profile, worse with each toast up."""
    for child in screen.children:  # the rack is one of the screen's own few children (Textual mounts it there)
        if type(child).__name__ == "ToastRack":
            return sum(1 for holder in child.children if holder.children)  # an empty holder: its toast is gone
    return 0


class StatusBar(Widget):
    DEFAULT_CSS = """
    StatusBar { height: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._inputs: tuple[LinkStatus, Store | None, datetime, bool] | None = None
        self._content = Content("")
        self._state: LinkState | None = None
        self._toasts = 0  # the toasts shown on the bar's screen when it last looked

    def on_mount(self) -> None:
        self.set_interval(TOAST_CHECK_S, self._after_toasts)

    def _after_toasts(self) -> None:
        """Repaint when the toasts shown came or went. While a toast is up, the compositor cuts this line at the
        toast's edges and the toast rack's (its scrollbar's edge is two cells from the right), and a double-width
        character across a cut is drawn as two blanks: the line measured 79 cells ("稍后重试") was drawn as 77
        ("稍后重") once the toast had gone, and stayed so, as its text had not changed. Any state, any width."""
        shown = _toasts_up(self.screen)
        if shown != self._toasts:
            self._toasts = shown
            self.refresh()

    def _update(self) -> None:
        """Rebuild for the current width; repaint only when the text changed."""
        width = self.size.width
        if self._inputs is None or not width:
            return
        link, store, now, muted = self._inputs
        printer = _printer_warning(self.app)
        glyphs = glyphs_of(self.app)
        content = Content.assemble(
            *link_parts(
                link, store, now, width, muted=muted, printer=printer, glyphs=glyphs, ascii_only=not_utf8(self.app)
            )
        )
        if content == self._content:
            return
        self._content = content
        self.refresh()

    def show(self, link: LinkStatus, store: Store | None, now: datetime, *, muted: bool = False) -> None:
        self._inputs = (link, store, now, muted)
        if link.state is not self._state:
            self._state = link.state
            for state in LinkState:
                self.set_class(state is link.state, f"-{state.value.lower()}")
        self.set_class(link.conflicts > 0, "-conflicts")
        self._update()

    def refresh_printer(self) -> None:
        """The printer's warning came or went."""
        self.set_class(_printer_warning(self.app) is not None, "-printer")
        self._update()

    def on_resize(self) -> None:
        self._update()

    def render(self) -> Content:
        return self._content
