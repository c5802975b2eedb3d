"""A Linux driver whose Esc key closes a screen in a few milliseconds, not 100-200.

A terminal sends the Esc key as a lone ESC byte, and the arrow keys (and every other special key) as sequences
that begin with ESC ("\\x1b[B" is Down). A reader that sees an ESC must wait a little for the rest before it
can say "Esc was pressed". Textual's Linux driver waits `ESCDELAY` (100 ms by default), and notices the end of
the wait only when its input `select(0.1)` wakes: a lone Esc took 100-200 ms before the app heard of it.

`QuickEscapeDriver` waits `escape_delay()` (25 ms unless the user set `ESCDELAY`) from the last byte that
arrived, and sleeps in `select` only until then, so a lone Esc reaches the app ~25 ms after it was typed. A
sequence split across reads (an arrow key over SSH or a cellular link) still reads as one key as long as its
parts come within the delay of each other.

It relies on two details of Textual 8.2.8's input (pinned in pyproject.toml; tests/test_quick_escape.py checks
them): the parser's pending timeout (`Parser._timeout_time`, set only while an ESC waits for more) and the
shape of `LinuxDriver.run_input_thread`, reproduced here with the select timeout as the only change.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder
from collections.abc import Iterable, Mapping

from textual._loop import loop_last
from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

DEFAULT_ESCAPE_DELAY_S = 0.025
IDLE_SELECT_S = 0.1  # Textual's: how often the input thread looks at its exit event


def escape_delay(environ: Mapping[str, str] = os.environ) -> float:
    """Seconds a lone ESC waits for the rest of a key sequence: `ESCDELAY` (ms, as curses reads it) when set."""
    try:
        return max(1, int(environ["ESCDELAY"])) / 1000.0
    except (KeyError, ValueError):
        return DEFAULT_ESCAPE_DELAY_S


class QuickEscapeParser(XTermParser):
    """Textual's xterm parser, with an ESC waiting at most `delay` s after the last byte for what follows."""

    def __init__(self, debug: bool = False, delay: float = DEFAULT_ESCAPE_DELAY_S) -> None:
        super().__init__(debug)
        self.delay = delay

    def feed(self, data: str) -> Iterable[Message]:
        yield from super().feed(data)
        if self._timeout_time is not None:  # an ESC (or the start of a sequence) waits for more
            self._timeout_time = min(self._timeout_time, get_time() + self.delay)

    def seconds_to_timeout(self) -> float | None:
        """How long until a waiting ESC is given up on and reported as the Esc key; None when none waits."""
        if self._timeout_time is None:
            return None
        return max(0.0, self._timeout_time - get_time())


class QuickEscapeDriver(LinuxDriver):
    """`LinuxDriver` whose input thread wakes when a waiting ESC is due (see the module's docstring)."""

    def run_input_thread(self) -> None:
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        event_read = selectors.EVENT_READ
        parser = QuickEscapeParser(self._debug, escape_delay())
        decode = getincrementaldecoder("utf-8")().decode

        def select_timeout() -> float:
            due = parser.seconds_to_timeout()
            return IDLE_SELECT_S if due is None else min(IDLE_SELECT_S, due)

        def process_selector_events(
            selector_events: list[tuple[selectors.SelectorKey, int]], final: bool = False
        ) -> None:
            for last, (_key, mask) in loop_last(selector_events):
                if mask & event_read:
                    unicode_data = decode(os.read(fileno, 1024 * 4), final=final and last)
                    if not unicode_data:  # stdin is a pipe that closed
                        break
                    for event in parser.feed(unicode_data):
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process_selector_events(selector.select(select_timeout()))
            selector.unregister(self.fileno)
            process_selector_events(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass
