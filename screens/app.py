"""`MerchantApp`: the merchant counter console. Textual lives only under `screens/`."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.worker import Worker, WorkerState

from o2o_tui.config import Profile
from o2o_tui.domain.clock import zone_named
from o2o_tui.domain.order import ENDED_STATUSES
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from screens import compact_output
from screens.care_messages import CareRequested
from screens.console_messages import (
    OpenOrder,
    OrderAcknowledged,
    OrderActionRequested,
    PrintRequested,
    Say,
    ShowHelp,
)
from screens.keys import localize_bindings
from screens.orders_screen import OrdersScreen
from screens.source import LinkState, OrderSource, SourceChange
from screens.terminal import FULL, Glyphs, apply_glyphs, key_display, theme_for
from screens.toast_holding import HELD_SHOWN as HELD_SHOWN  # moved there (tests read them here)
from screens.toast_holding import NARROW_HELD_SHOWN as NARROW_HELD_SHOWN
from screens.toast_holding import ToastHoldingApp

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from o2o_tui.console_presence import ConsolePresence
    from screens.auto_accept_station import Station
    from screens.order_actions import OrderActions
    from screens.printing import ConsolePrinting
    from screens.simple_actions import QuickActionRequested


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _import_dispatch_engine() -> None:
    """On the warm-up thread (`MerchantApp._warm_dispatch_board`): what the dispatch board plans with."""
    with contextlib.suppress(Exception):  # not importable here: `d` says so when pressed, as before
        import o2o_tui.live_dispatch  # noqa: F401




class SourceChanged(Message):
    """Posted (from any thread) when the order source has news; the app's handler owns the UI."""

    def __init__(self, change: SourceChange) -> None:
        super().__init__()
        self.change = change


class MerchantApp(ToastHoldingApp):  # toasts held behind dialogs (screens/toast_holding.py), keys in order typed
    CSS_PATH = Path(__file__).with_name("merchant.tcss")
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-normal"), (120, "-wide")]
    ENABLE_COMMAND_PALETTE = False
    # Ctrl+C quits like everywhere else in a terminal (Textual's default only explains ctrl+q).
    BINDINGS = [
        Binding("ctrl+c", "quit", "ui.key.quit", show=False, priority=True, id="app.quit"),
        # Ctrl+Q (Textual's quit key, replaced here) asks as the queue's `q` does when orders wait; Ctrl+C never asks
        Binding("ctrl+q", "ask_quit", "ui.key.quit", show=False, priority=True, id="app.ask_quit"),
        Binding("s", "store_screen", "ui.key.store", id="queue.store"),  # from the queue only: check_action
        Binding("m", "menu_editor", "menu_editor.key.open", id="queue.menu"),  # from the queue only
    ]

    def __init__(
        self,
        source: OrderSource,
        *,
        clock: Callable[[], datetime] = _utcnow,
        theme: str | None = None,
        keymap: dict[str, str] | None = None,
        profile: Profile | None = None,
        simple: bool = False,
        glyphs: Glyphs | None = None,
    ) -> None:
        super().__init__()
        self.glyphs = glyphs or FULL  # the terminal's set is chosen on mount (terminal.py)
        self._glyphs_given = glyphs
        self.profile = profile  # for screens that open their own platform client (the dispatch board)
        localize_bindings(self)
        self.source = source
        self.now = clock
        self._actions: OrderActions | None = None
        self._station: Station | None = None
        self.printing: ConsolePrinting | None = None  # none without a printer, or before `start_services`
        self._services_started = False
        self._presence: ConsolePresence | None = None  # this console on its profile (`_hold_presence`)
        self._first_frame_due = False
        self.orders_screen = OrdersScreen()
        self.home: OrdersScreen | SimpleScreen = self.orders_screen  # the screen the console opens on
        if simple:  # the simple mode (screens/simple_screen.py): the same source, alerts and messages
            from screens.simple_screen import SimpleScreen

            self.home = SimpleScreen()
        self._unsubscribe: Callable[[], None] | None = None
        self._logins_said = 0  # new logins the engine took (`o2o login` while refused) said so far
        self._other_login_said = False
        self.title = t("ui.app.title")
        self.theme = theme or theme_for(os.environ)
        if keymap:
            self.set_keymap(keymap)  # binding id -> key(s), e.g. {"queue.accept": "y"}
            from screens.keys import check_keymap_later  # an unknown id, a key taken from another: said

            check_keymap_later(self, keymap)

    def get_default_screen(self) -> Screen[Any]:
        """The console opens on its home screen itself. Pushed in `on_mount` over Textual's blank default screen, the
        first frame built, styled and laid out two screens (and restyled the app for the glyphs' class after the
        blank one was up). The glyph set's class goes on the app first, so the home screen's widgets are styled
        once, with it; a home screen's own CSS file (the simple screen's), which `push_screen` would read, is read
        here, before anything but the app is styled."""
        apply_glyphs(self, self._glyphs_given)
        if self.css_monitor is not None:  # `textual run --dev`: reloaded when edited, as a pushed screen's
            self.css_monitor.add_paths(self.home.css_path)
        for path in self.home.css_path:
            if not self.stylesheet.has_source(str(path), ""):
                self.stylesheet.read(path)
        return self.home

    def on_mount(self) -> None:
        compact_output.install(self)  # fewer bytes per frame: ticking clocks repeat one style
        self._unsubscribe = self.source.subscribe(lambda change: self.post_message(SourceChanged(change)))
        # the source's news waits for the home screen's widgets, as it waited behind `push_screen`'s mount
        self.call_next(AwaitMount(self.home, [self.home]))
        self.screen_change_signal.subscribe(self, self._on_screen_change)
        self.post_message(SourceChanged(SourceChange(link=True, store=True)))
        hold = getattr(self.source, "hold_for_first_frame", None)
        if hold is not None:  # the engine's source: its HTTP client waits for the cached queue's frame
            hold()
        self._first_frame_due = hold is None  # other sources: the frame after the first change applied
        self.run_worker(self.source.run(), name="source", group="source", exit_on_error=False)

    def _after_first_frame(self) -> None:
        self.run_worker(self._first_frame_out(), name="first-frame", group="first-frame")  # errors as before

    async def _first_frame_out(self) -> None:
        """The frame showing the source's first picture is composed; once it is written out (the driver writes
        on its own thread), what the first frame did not need starts: the services, then the source's engine."""
        from screens.settle import loop_quiet

        await loop_quiet()
        try:
            self.start_services()
        finally:  # the engine starts even when a service cannot
            shown = getattr(self.source, "first_frame_shown", None)
            if shown is not None:
                shown()
        await loop_quiet()  # the engine has started: the console is idle
        self._warm_dispatch_board()

    def _warm_dispatch_board(self) -> None:
        """The dispatch board (`d`) plans with the dispatch engine, which loads numpy and scipy: ~0.3 s (most of a
        second on a loaded machine) the first `d` waited for, the queue frozen. They are imported once the console
        is idle after its first frame, on a thread of their own (the event loop goes on answering keys meanwhile);
        a `d` pressed before they are in waits for the rest of that import only. The board's own screen module is
        left to `d` (~10 ms): the thread imports nothing of Textual's, nothing the console imports meanwhile. Not
        for a console without the board (no profile, the simple mode, a store without its own fleet)."""
        if self.profile is None or self.home is not self.orders_screen or "o2o_tui.live_dispatch" in sys.modules:
            return
        store = self.source.store()
        if store is not None and not store.own_fleet:  # the platform's couriers: the board is not this store's tool
            return
        threading.Thread(target=_import_dispatch_engine, name="o2o-warm-dispatch", daemon=True).start()

    def start_services(self) -> None:
        """Auto-accept's station (its banner) and the printer (kitchen tickets). Started right after the first
        frame (`_first_frame_out`), which shows neither (their modules are ~10 ms of a 0.3 s first paint), or at
        once when something asks for either before that (`station`, a print request)."""
        if self._services_started:
            return
        self._services_started = True
        self._hold_presence()
        from screens import auto_accept_console
        from screens.printing import start_printing

        self._station = auto_accept_console.attach(self)
        self.printing = start_printing(self, self.profile)
        auto_accept_console.source_changed(self)  # what the source brought before

    def _cache_directory(self) -> Path | None:
        """The profile's cache directory of the source (the engine's), None for a source without a cache."""
        directory = getattr(getattr(self.source, "_cache", None), "directory", None)
        return directory if isinstance(directory, Path) else None

    def _hold_presence(self) -> None:
        """Say to the other consoles on this profile that this one runs (`o2o_tui/console_presence.py`), until
        it ends: their quit dialog then says this one keeps ringing and sending."""
        directory = self._cache_directory()
        if directory is not None and self._presence is None:
            from o2o_tui.console_presence import ConsolePresence

            self._presence = ConsolePresence.open(directory)

    def other_consoles(self) -> int:
        """How many other consoles run on this profile now (they ring its orders and send its outbox too)."""
        if self._presence is not None:
            return self._presence.others()
        directory = self._cache_directory()
        if directory is None:
            return 0
        from o2o_tui.console_presence import running_consoles

        return running_consoles(directory)

    @property
    def station(self) -> Station:
        self.start_services()
        assert self._station is not None
        return self._station

    @property
    def actions(self) -> OrderActions:
        if self._actions is None:
            from screens.order_actions import OrderActions  # with its dialogs: not needed for the first frame

            self._actions = OrderActions(self)
        return self._actions

    async def on_source_changed(self, message: SourceChanged) -> None:
        if message.change.first_picture:
            self.call_after_refresh(self._after_first_frame)
            return
        if not self.home.is_attached:  # taken down (the app is ending): no rows left to bring in line
            return
        await self.home.apply_change(message.change)
        if not self.screen_stack:  # the app closed while the change was applied
            return
        if message.change.link:
            self._login_news()
        if self._first_frame_due:
            self._first_frame_due = False
            self.call_after_refresh(self._after_first_frame)
        if self._services_started:
            from screens import auto_accept_console

            auto_accept_console.source_changed(self)
        # the detail and store screens are imported when first opened: not loaded, not on screen
        detail, store = sys.modules.get("screens.detail_screen"), sys.modules.get("screens.store_screen")
        if detail is not None and isinstance(self.screen, detail.DetailScreen):
            self.screen.refresh_order()
        elif store is not None and isinstance(self.screen, store.StoreScreen):
            self.screen.refresh_store()

    def _login_news(self) -> None:
        """What the engine's watch of the profile found while the token was refused (`screens/launch.py`
        `watch_login`): a new login of this account taken, said once the platform answers it; someone else's
        login saved under this profile, not taken, said once (this console keeps the account it started with)."""
        # the engine's watch, or the source's own without the cache (`screens/client_login.py`)
        engine = getattr(self.source, "_engine", None) or self.source
        taken = getattr(engine, "logins_taken", 0)
        if not isinstance(taken, int):
            return
        other = getattr(engine, "other_login", False) is True
        if other and not self._other_login_said:
            self.say(t("ui.link.other_login"), severity="error", timeout=30)
        self._other_login_said = other
        if taken > self._logins_said and self.source.link().state is LinkState.ONLINE:
            self._logins_said = taken
            # without the cache (`--no-cache`: no engine) nothing is queued, so no queue is said to be sent
            queued = engine is not self.source
            self.say(t("ui.link.logged_in_again" if queued else "ui.link.logged_in_again_no_cache"), timeout=10)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name == "source" and event.state is WorkerState.ERROR:
            self.say(t("ui.app.source_failed", error=str(event.worker.error)), severity="error", timeout=30)

    def platform_client_for(self, profile: object) -> Any | None:
        """The console's own platform client (its sync engine's), lent to a screen that calls the platform as this
        console's profile (the dispatch board, `d`): no client set up per open; the source closes it at quit."""
        return getattr(self.source, "client", None) if profile is self.profile else None

    async def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self.printing is not None:
            self.printing.close()
        if self._presence is not None:
            self._presence.close()
        await self.source.close()

    # services for the screens
    def _listed(self, message: str) -> str | None:
        """The list's words for the refused action a toast says (the toast may add where to find it); None when
        the list under `!` does not hold it."""
        with contextlib.suppress(Exception):  # a source that cannot say: not listed
            for conflict in self.source.conflicts():
                said = safe_text(conflict.explanation)
                if said and message.startswith(said):
                    return said
        return None

    def get_key_display(self, binding: Binding) -> str:
        return key_display(super().get_key_display(binding), self.glyphs)  # `Enter` where ⏎ cannot show

    def ring(self, times: int = 1) -> None:
        for _ in range(times):
            self.bell()

    def acknowledge(self, order_id: str) -> None:
        self.home.acknowledge(order_id)

    # what the screens ask for (typed messages posted up: the screens never import this module)
    def on_order_action_requested(self, message: OrderActionRequested) -> None:
        entry = self.source.order(message.order_id)
        if entry is None:
            self.say(t("ui.detail.gone"), severity="warning", timeout=3)
            return
        getattr(self.actions, message.action)(entry)

    def on_quick_action_requested(self, message: QuickActionRequested) -> None:
        """The simple screen's accept (default prep time) and hand off (code typed on it): no dialog."""
        if (entry := self.source.order(message.order_id)) is None:
            self.say(t("ui.detail.gone"), severity="warning", timeout=3)
            return
        from screens.simple_actions import QuickActions

        QuickActions(self).run(message, entry)

    def on_open_order(self, message: OpenOrder) -> None:
        self.acknowledge(message.order_id)
        self.open_detail(message.order_id)

    def on_order_acknowledged(self, message: OrderAcknowledged) -> None:
        self.acknowledge(message.order_id)

    def on_show_help(self, _: ShowHelp) -> None:
        self.show_help()

    def on_say(self, message: Say) -> None:
        self.say(message.text, severity=message.severity, timeout=message.timeout)

    def on_print_requested(self, message: PrintRequested) -> None:
        """A kitchen ticket (on accept, `k` reprint) or a receipt (`R`): queued, then printed."""
        entry = self.source.order(message.order_id)
        if message.reprint and entry is not None and entry.order.confirmed_at is None:
            # not accepted yet (or refused): a ticket would set the kitchen cooking what may never be sold
            ended = entry.order.status in ENDED_STATUSES  # never accepted, and it never will be now
            key = "printing.console.never_accepted" if ended else "printing.console.not_accepted"
            self.say(t(key, number=entry.order.display_number), severity="warning")
            return
        self.start_services()
        if self.printing is None:
            if message.reprint or message.kind == "receipt":  # asked for by a person: say why nothing prints
                self.say(t("printing.console.no_printer"), severity="warning")
            return
        if entry is not None:
            self.printing.request(entry.order, self.source.store(), message)

    def on_care_requested(self, message: CareRequested) -> None:
        from screens import care_actions  # `y` and `$`: imported when first used

        care_actions.run(self, message)

    def screens_to_build_ahead(self) -> list[Screen[Any]]:
        """The detail screen and the accept dialog, built a second after start-up (screens/steady_keys.py)."""
        from screens.detail_screen import DetailScreen
        from screens.dialogs import NumberPrompt

        return [DetailScreen.kept(self, ""), NumberPrompt.kept(self, "", 1)]

    def pop_screen(self) -> AwaitComplete:
        """Textual's pop, except of the home screen: `Screen.dismiss` pops whatever is on top, so a dialog that
        answered twice (a key it took after its answer) popped the queue under it, and the console went blank
        until the next change crashed on it. `screens/steady_keys.py` keeps such keys from a dismissed dialog."""
        if self.screen_stack and self.screen is self.home:
            return AwaitComplete()  # nothing to wait for
        return super().pop_screen()

    def open_detail(self, order_id: str) -> None:
        from screens.detail_screen import DetailScreen  # imported when first opened: a quicker first frame

        self.push_screen(DetailScreen.kept(self, order_id))  # built once, shown again

    def show_help(self) -> None:
        from screens.help_screen import HelpScreen

        self.push_screen(HelpScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("store_screen", "menu_editor"):  # the queue's keys: not over a dialog or another screen
            return self.screen is self.orders_screen
        return True

    async def action_ask_quit(self) -> None:
        """Ctrl+Q, from any screen: asks as the queue's `q` does when orders wait for an answer or actions wait
        in the outbox (`OrdersScreen.action_quit`); in the simple mode as its `q` does (it always asks). Ctrl+C
        and signals never ask."""
        if self.home is self.orders_screen:
            await self.orders_screen.action_quit()
        else:
            self.home.action_quit()

    def action_store_screen(self) -> None:
        from screens.store_screen import StoreScreen

        self.push_screen(StoreScreen())

    def action_menu_editor(self) -> None:
        from screens.menu_editor import open_menu_editor

        open_menu_editor(self)

    def store_zone(self) -> ZoneInfo | None:
        store = self.source.store()
        return zone_named(store.timezone) if store else None
