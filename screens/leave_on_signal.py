"""SIGTERM and SIGHUP end a full-screen app the way `q` does.

Textual handles neither: a `kill` (a session manager, a shutdown, a script) ended the process on the spot and left
the terminal in the app's alternate screen with the cursor hidden, and the sync engine never closed its cache. Here
the first such signal asks the app to exit (its screens and workers close, the driver restores the terminal), and
the process then exits with 128 + the signal's number, as a process killed by it would. The signal's previous
handler comes back at once, so a second one does what it did before (the default: end the process now; under
`o2o demo`, its interrupt), in case the orderly exit is stuck.

The handler is installed before the app starts: the terminal is in the alternate screen before the app's first
screen is mounted, and a signal in between (seen: every time, when sent as the alternate screen appeared) killed it
there. Such a signal is kept and ends the app once its loop runs. The loop is woken with `call_soon_threadsafe`
(the handler runs between two bytecodes of the main thread, which may be sitting in the loop's `select`).
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

from textual.app import App

SIGNALS = (signal.SIGTERM, signal.SIGHUP)
_Handler = Callable[[int, FrameType | None], Any] | int | None


class LeaveOnSignal:
    def __init__(self, app: App[Any], signals: tuple[signal.Signals, ...] = SIGNALS) -> None:
        self.app = app
        self.signals = signals
        self.received: int | None = None  # the signal that ended the app
        self._previous: dict[signal.Signals, _Handler] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def install(self) -> None:
        """Before the app runs: a signal that comes before its loop is up is kept for `attach_loop`."""
        self._previous = {sig: signal.signal(sig, self._leave) for sig in self.signals}

    def attach_loop(self) -> None:
        """From inside the app's event loop (its `on_mount`); a signal kept until now ends the app at once."""
        self._loop = asyncio.get_running_loop()
        if self.received is not None:
            self.app.exit()

    def hang_up(self) -> None:
        """The terminal went away without a SIGHUP (screens/driver.py reads its end): the app ends as if one came."""
        if self.received is None:
            self.received = signal.SIGHUP
        self.restore()
        self.app.exit()

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous = {}

    def exit_code(self) -> int | None:
        """128 + the signal that ended the app, None when none did."""
        return None if self.received is None else 128 + self.received

    def _leave(self, signum: int, _frame: FrameType | None) -> None:
        self.received = signum
        self.restore()
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.app.exit)
