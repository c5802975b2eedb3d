"""SIGTERM and SIGHUP (and, where asked, SIGINT) as a KeyboardInterrupt that cannot be lost.

Python runs a signal handler in the main thread between two bytecodes, wherever that is. An exception the handler
raises inside a fork hook, a finaliser or a weakref callback is printed as "Exception ignored" and dropped: `o2o
demo` once ran its whole headless check after a SIGTERM landed in logging's after-fork hook. So the handler
raises, and until the caller says it is stopping, raises again every `retry_s` (`_thread.interrupt_main` runs the
same handler in the main thread). The default of 5 s leaves an interrupt that did arrive the time to unwind (a
console closing its cache) before a second one could cut that short. Once stopping, further signals are ignored:
the cleanup under way is bounded and is not cut short halfway. While installed, a dropped interrupt of ours is
not printed (it will be raised again); every other unraisable exception is.

Inside `held()` (the demo starting a child: a signal that comes while the parent runs its after-fork hooks, as one
sent the moment the child appears does, is handled inside them) a signal is kept and raised as the block ends, so
it is neither dropped nor raised between the fork and the caller's record of the child. `release` hands one signal
back to what handled it before (the demo's console leaves Ctrl-C to asyncio and Textual, as `o2o console` does).

    with InterruptOnSignals() as stop_signals:
        try:
            run()
        except KeyboardInterrupt:
            ...
        finally:
            stop_signals.stopping()
            clean_up()
"""

from __future__ import annotations

import _thread
import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType, TracebackType
from typing import Any

_Handler = Callable[[int, FrameType | None], Any] | int | None


class InterruptOnSignals:
    def __init__(
        self, signals: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGHUP), retry_s: float = 5.0
    ) -> None:
        self.signals = signals
        self.retry_s = retry_s
        self._previous: dict[signal.Signals, _Handler] = {}
        self._stopping = False
        self._retry: threading.Timer | None = None
        self._previous_hook: Callable[[sys.UnraisableHookArgs], Any] | None = None
        self._holding = 0
        self._held: int | None = None

    def install(self) -> InterruptOnSignals:
        for sig in self.signals:
            self._previous[sig] = signal.signal(sig, self._interrupt)
        self._previous_hook = sys.unraisablehook
        sys.unraisablehook = self._unraisable
        return self

    def restore(self) -> None:
        """Stop, and put back the handlers that were there before `install`."""
        self.stopping()
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous = {}
        if self._previous_hook is not None:
            sys.unraisablehook = self._previous_hook
            self._previous_hook = None

    def release(self, sig: signal.Signals) -> None:
        """Put back the handler `sig` had before `install`; the other signals stay ours."""
        if sig in self._previous:
            signal.signal(sig, self._previous.pop(sig))

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """A signal that comes inside the block is kept and raised as it ends (not inside it)."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1
        if self._held is not None and not self._holding and not self._stopping:
            signum, self._held = self._held, None
            raise KeyboardInterrupt(signum)

    def __enter__(self) -> InterruptOnSignals:
        return self.install()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.restore()

    def stopping(self) -> None:
        """The caller has the interrupt and is cleaning up: no more retries, later signals ignored."""
        self._stopping = True
        if self._retry is not None:
            self._retry.cancel()

    def _interrupt(self, signum: int, _frame: FrameType | None) -> None:
        if self._stopping:
            return
        if self._retry is not None:
            self._retry.cancel()
        self._retry = threading.Timer(self.retry_s, self._again, (signum,))
        self._retry.daemon = True
        self._retry.start()
        if self._holding:
            self._held = signum
            return
        raise KeyboardInterrupt(signum)

    def _again(self, signum: int) -> None:
        if not self._stopping:
            _thread.interrupt_main(signal.Signals(signum))

    def _unraisable(self, unraisable: sys.UnraisableHookArgs) -> None:
        error = unraisable.exc_value
        if isinstance(error, KeyboardInterrupt) and error.args and error.args[0] in self.signals:
            return
        if self._previous_hook is not None:
            self._previous_hook(unraisable)
