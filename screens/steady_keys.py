"""Keys act in the order they were typed, however fast they come (a barcode scanner, a fast typist).

Textual forwards a key to the focused widget and runs its binding only when the key has bubbled back up to the
App, through every ancestor's queue. By then the App has already forwarded the keys typed after it, to whatever
had focus before the binding ran: after `a` (accept) the digits of the prep time reached the queue, not the
dialog `a` opens, and were lost; the Enter behind them never accepted.

`SteadyKeysApp` lets one key through at a time. A key goes the usual way (priority bindings, the focused
widget's handlers, bubbling, the bindings), followed by a fence: a message posted to the same widget, which
follows the key up through the same queues. If the key comes back to the App, its binding runs as usual, and
a second fence is sent after it, which bubbles up behind whatever the action posted on the way (the queue's
`OrderActionRequested`, which the App handles by opening the dialog). The keys typed meanwhile wait in the App
and go on, in order, when the last fence arrives, so each reaches the widget, dialog or screen the keys before
it left in focus. (A fence lost with a closed screen releases the keys after `FENCE_TIMEOUT_S`.)
Each fence goes round twice: a handler on the way may post to a widget below it, which bubbles back up behind
the fence (a dialog's Enter runs its field's submit; the field's `Submitted` reaches the dialog after the fence
has passed it). The second lap, sent from the focus once the first is home, comes up behind that: without it the
next Enter reached the dialog before it had dismissed itself, and its second dismiss popped the queue under it.

An action that moves focus should do it at once (`screen.set_focus(widget)`, not `widget.focus()`, which sets
it a message later: the keys typed right after would still reach the widget that had it). Text fields take
their editing keys themselves, in order: `screens.dialogs.SteadyInput`.

It also makes each key repaint quickly (issue #11: p95 <= 50 ms at 2,000 orders, `python -m bench console`):
- the Esc key reaches it in ~25 ms (`screens.driver.QuickEscapeDriver`), not Textual's 100-200;
- a screen behind a dialog hands its repaints over once (`screens.textual_fixes`), an opaque screen in front
  hides the screens behind it, and a dialog's first frame already holds the queue behind it;
- screens kept for reuse (`screens_to_build_ahead`: the console's order detail and accept dialog) are built a
  second after start-up, then what is loaded is frozen out of the garbage collector's full collections;
- a resize reaches every screen of the stack and the kept ones, not only those on show.

Being every full-screen app's base, it also ends on SIGTERM or SIGHUP the way `q` does, terminal restored
(`screens.leave_on_signal`), and `run` then exits the process with 128 + the signal's number; an app stopped by
an unhandled exception (Textual prints its traceback) exits the process with 1, so a wrapper sees a failure.
That traceback shows no local variables (`_fatal_error`): Textual's showed them, the profile's token among them,
on a crash screen staff photograph for support.
"""

from __future__ import annotations

import gc
import sys
from collections import deque
from typing import Any, Generic, TypeVar

from textual import constants, events
from textual.app import App
from textual.driver import Driver
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

from screens import textual_fixes
from screens.leave_on_signal import LeaveOnSignal

FENCE_TIMEOUT_S = 0.5
FENCE_LAPS = 2  # see the module's docstring: the second lap follows what a handler posted below itself
# Once started, the objects loaded (2,000 cached orders are ~a million) move out of the garbage collector's
# sight (`gc.freeze`): a full collection scanning them took 100-200 ms, and a key pressed then waited as long.
GC_FREEZE_AFTER_S = 1.0
ReturnType = TypeVar("ReturnType")


class KeyFence(Message):
    """Follows a key (or the messages its action posted) up to the App, which then lets the next key go, or sends
    it round again while `laps` are left."""

    def __init__(self, number: int, laps: int = 0) -> None:
        super().__init__()
        self.number = number
        self.laps = laps


class SteadyKeysApp(App[ReturnType], Generic[ReturnType]):
    """An App that handles one key at a time, in the order typed (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        textual_fixes.install()  # a screen behind a dialog hands its repaints over once (screens/textual_fixes.py)
        super().__init__(*args, **kwargs)
        self._held_keys: deque[events.Key] = deque()
        self._key_in_flight: events.Key | None = None
        self._fence = 0  # the fence the App waits for, 0 when none
        self._fences_sent = 0
        self._fence_timer: Timer | None = None
        self._leave_on_signal = LeaveOnSignal(self)

    def on_mount(self) -> None:
        if not self.is_headless:  # a real terminal (Pilot tests share one process: they keep the default)
            self.set_timer(GC_FREEZE_AFTER_S, self._settle)
            self._leave_on_signal.attach_loop()

    def terminal_gone(self) -> None:
        """The driver read the end of the terminal's input: the app ends as on SIGHUP (exit status 129)."""
        self._leave_on_signal.hang_up()

    async def action_quit(self) -> None:
        """Ctrl+C (Textual's quit key): a screen that keeps edits (`keep_before_quit`: the menu editor, under a
        dialog too) saves them first; one that cannot stops this quit once (it says why; the key again quits)."""
        for screen in reversed(self.screen_stack):
            keep = getattr(screen, "keep_before_quit", None)
            if callable(keep) and not await keep():
                return
        self.exit()

    def run(self, *args: Any, **kwargs: Any) -> ReturnType | None:
        """Textual's run; when SIGTERM or SIGHUP ended the app, the process then exits as killed by it would."""
        if not kwargs.get("headless", False):
            self._leave_on_signal.install()
        try:
            result = super().run(*args, **kwargs)
        finally:
            self._leave_on_signal.restore()
        code = self._leave_on_signal.exit_code()
        if code is not None:
            raise SystemExit(code)
        if self.return_code:  # an unhandled exception (Textual sets 1), else an exit code the app asked for
            raise SystemExit(self.return_code)
        return result

    def _fatal_error(self) -> None:
        """Textual 8.2.8's (bell, traceback kept for after the terminal is restored, close), with the traceback
        printed without its frames' local variables: Textual's `show_locals=True` printed the profile, the
        client's headers, a token typed at login, on the screen a crashed console leaves behind
        (tests/test_crash_shows_no_secrets.py crashes a real app in a terminal)."""
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()

    def screens_to_build_ahead(self) -> list[Screen[Any]]:
        """Screens kept for reuse (installed) that are built once start-up is over, so that the first time
        they open is as quick as the next. None here; the merchant console names its detail and accept dialog."""
        return []

    def _settle(self) -> None:
        """A second after start-up: build the screens named to be built ahead, then freeze what is loaded."""
        for screen in self.screens_to_build_ahead():
            if not screen.is_running:
                self._get_screen(screen)  # Textual 8.2.8: registers, composes and mounts it, off screen
        self.set_timer(GC_FREEZE_AFTER_S / 2, gc.freeze)

    @property
    def _background_screens(self) -> list[Screen[Any]]:
        """The screens under the top one that show through it. Textual 8.2.8 always lists the one right under
        the top, even when the top screen is opaque (an order's detail over the queue): every change behind it
        (a ticking clock) then repainted the whole screen in front. An opaque top screen hides them all."""
        screens: list[Screen[Any]] = super()._background_screens
        if screens and self.screen_stack and self.screen_stack[-1].styles.background.a == 1:
            return []
        return screens

    def _check_resize(self) -> None:
        """Textual tells the screen in front (and those showing through it) of a new terminal size. The others
        hear of it too here: the queue behind an order's detail, the screens kept for reuse off the stack; each
        takes its width's classes (`-narrow` ...) when the resize happens, not the old ones when shown again."""
        event = self._resize_event
        told = {id(screen) for screen in (*self._background_screens, *self.screen_stack[-1:])}
        super()._check_resize()
        if event is None:
            return
        kept = [screen for screen in self._installed_screens.values() if isinstance(screen, Screen)]
        for screen in (*self.screen_stack, *kept):
            if id(screen) not in told and screen.is_running:
                told.add(id(screen))
                screen.post_message(events.Resize(event.size, event.virtual_size, event.container_size))

    def push_screen(self, *args: Any, **kwargs: Any) -> Any:
        """Textual's push, then the screens that show through the new one (the queue behind a dialog) bring
        their picture up to date at once. Textual asks the screen it covers to repaint; done on that screen's
        next update tick, after the dialog's first frame, it sent a second full frame (5 KB, ~40 ms later),
        identical to the first. Done now, it is part of the dialog's first frame."""
        result = super().push_screen(*args, **kwargs)
        for screen in self._background_screens:
            screen._on_timer_update()  # Textual 8.2.8's update step (tests/test_quick_keys.py checks it)
        return result

    def get_driver_class(self) -> type[Driver]:
        """On Linux/macOS terminals, `QuickEscapeDriver`: the Esc key reaches the app in ~25 ms, not 100-200
        (screens/driver.py). A driver named in TEXTUAL_DRIVER, and Windows, keep Textual's choice."""
        if constants.DRIVER or sys.platform == "win32":
            return super().get_driver_class()
        from screens.driver import QuickEscapeDriver

        return QuickEscapeDriver

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key):
            await super().on_event(event)
        elif event.is_forwarded:  # came back up: its binding runs now, then a fence behind what it posted
            await super().on_event(event)
            if event is self._key_in_flight:
                self._send_fence()
        elif self._fence:
            self._held_keys.append(event)
        else:
            self._key_in_flight = event
            target = self.focused or self.screen
            await super().on_event(event)
            self._send_fence(target)

    def _send_fence(self, target: Any = None, laps: int = FENCE_LAPS) -> None:
        self._fences_sent += 1
        self._fence = self._fences_sent
        (target or self.focused or self.screen).post_message(KeyFence(self._fence, laps - 1))
        if self._fence_timer is not None:
            self._fence_timer.stop()
        self._fence_timer = self.set_timer(FENCE_TIMEOUT_S, self._release_held_keys)

    async def on_key_fence(self, message: KeyFence) -> None:
        message.stop()
        if message.number != self._fence:
            return
        if message.laps:
            self._send_fence(laps=message.laps)  # from the focus now: behind what was posted below the fence
        else:
            await self._release_held_keys()

    async def _release_held_keys(self) -> None:
        self._fence = 0
        self._key_in_flight = None
        if self._fence_timer is not None:
            self._fence_timer.stop()
            self._fence_timer = None
        while self._held_keys and not self._fence:
            await self.on_event(self._held_keys.popleft())
