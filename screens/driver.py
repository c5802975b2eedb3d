"""A Linux driver whose Esc key closes a screen in a few milliseconds, not 100-200.

A terminal sends the Esc key as a lone ESC byte, and the arrow keys (and every other special key) as sequences
that begin with ESC ("\\x1b[B" is Down). A reader that sees an ESC must wait a little for the rest before it
can say "Esc was pressed". Textual's Linux driver waits `ESCDELAY` (100 ms by default), and notices the end of
the wait only when its input `select(0.1)` wakes: a lone Esc took 100-200 ms before the app heard of it.

`QuickEscapeDriver` waits `escape_delay()` (25 ms unless the user set `ESCDELAY`) from the last byte that
arrived, and sleeps in `select` only until then, so a lone Esc reaches the app ~25 ms after it was typed. A
sequence split across reads (an arrow key over SSH or a cellular link) still reads as one key as long as its
parts come within the delay of each other.

It relies on two details of Textual 8.2.8's input (pinned in pyproject.toml; tests/test_quick_keys.py checks
them): the parser's pending timeout (`Parser._timeout_time`, set only while an ESC waits for more) and the
shape of `LinuxDriver.run_input_thread`, reproduced here with the select timeout as the only change.

A bracketed paste (everything between ESC[200~ and ESC[201~) is one `Paste` event whatever bytes it holds. Textual
8.2.8's parser read an ESC inside a paste as the start of a key: pasted "kung pao" ESC ESC "p" closed the search
field and ran the queue's `p` (start preparing), and the paste's text after the ESC was lost or typed as keys.
`QuickEscapeParser` finds the paste's start and end itself and hands Textual's parser only the bytes around
pastes. The pasted text goes through `safe_text`: control characters (ESC too) are shown as U+FFFD and never run;
line breaks and tabs stay (a one-line field makes them spaces: `screens/textual_fixes.py`).

A terminal that goes away without a SIGHUP (its emulator or SSH session gone while the app holds no controlling
terminal, or re-parented to init) leaves the input at end of file: every `select` says readable and every read
gives nothing. Textual 8.2.8's loop then selects again at once and spins a core for as long as the process lives
(a courier's `o2o courier` ran at 85% CPU for 90 minutes so). Here end of file (or EIO, as a pty reports its far
side closed) stops the reading and ends the app as a SIGHUP would (`terminal_gone` on the app, else `exit`).
"""

from __future__ import annotations

import contextlib
import os
import selectors
from codecs import getincrementaldecoder
from collections.abc import Generator, Iterable, Mapping

from textual import events
from textual._loop import loop_last
from textual._parser import ParseEOF, ParseError, ParseTimeout, Peek1, Read1, TokenCallback
from textual._time import get_time
from textual._xterm_parser import BRACKETED_PASTE_END, BRACKETED_PASTE_START, XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

from o2o_tui.safe_text import safe_text

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

    def parse(self, token_callback: TokenCallback[Message]) -> Generator[Read1 | Peek1, str, None]:
        """Textual's parser, with every bracketed paste taken out of its input and sent as one `Paste` event.

        An ESC is held back while what follows it can still be a paste's start (ESC [ 2 0 0 ~); anything else is
        handed on to Textual's parser as it came, a held ESC that waits too long too (it is then the Esc key, or
        Alt and a key, as before). Inside a paste every byte is text until ESC [ 2 0 1 ~, however long it takes
        to arrive: no byte of it is a key."""
        xterm = super().parse(token_callback)
        awaiting: Read1 | Peek1 = next(xterm)  # what Textual's parser waits for (a timeout: an ESC waits)
        held = ""  # the start of a paste's opening sequence so far, not yet handed on
        pasted: list[str] | None = None  # inside a paste: its characters so far (with the closing ones)
        closing = 0  # how many characters of the closing sequence `pasted` ends with

        def hand_on(text: str) -> None:
            nonlocal awaiting
            for character in text:
                awaiting = xterm.send(character)

        def give_up_waiting() -> None:
            """Textual's parser stops waiting for the rest of a sequence (it reports what it holds as keys)."""
            nonlocal awaiting
            if awaiting.timeout is not None:
                awaiting = xterm.throw(ParseTimeout())

        while True:
            if pasted is not None:
                request: Read1 | Peek1 = self.read1()
            elif held:
                request = self.read1(self.delay)
            else:
                request = awaiting
            try:
                character = yield request
            except ParseTimeout:
                hand_on(held)  # a lone ESC (or ESC [ ...): keys, as Textual's parser makes of them
                held = ""
                give_up_waiting()
                continue
            except ParseEOF:
                if pasted is None:
                    hand_on(held)
                    with contextlib.suppress(StopIteration):  # it ends there
                        xterm.throw(ParseEOF())
                return

            if pasted is not None:
                pasted.append(character)
                if character == "\x1b":
                    closing = 1
                elif closing and character == BRACKETED_PASTE_END[closing]:
                    closing += 1
                else:
                    closing = 0
                if closing == len(BRACKETED_PASTE_END):
                    text = "".join(pasted[: -len(BRACKETED_PASTE_END)])
                    # NUL removed as Textual does (https://github.com/Textualize/textual/issues/1661)
                    token_callback(events.Paste(safe_text(text.replace("\x00", ""))))
                    pasted, closing = None, 0
                continue

            if character == "\x1b" or held:
                candidate = held + character
                if BRACKETED_PASTE_START.startswith(candidate):
                    held = candidate
                    if held == BRACKETED_PASTE_START:
                        held = ""
                        give_up_waiting()  # what came before the paste is done with
                        pasted = []
                elif character == "\x1b":  # the ESC starts something else: it is held in its turn
                    hand_on(held)
                    held = character
                else:
                    hand_on(candidate)
                    held = ""
                continue
            hand_on(character)

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
        ) -> bool:
            """Reads what is ready and hands on its events; False when the terminal is gone (end of file)."""
            for last, (_key, mask) in loop_last(selector_events):
                if mask & event_read:
                    try:
                        read = os.read(fileno, 1024 * 4)
                    except OSError:  # EIO: a pty whose terminal side closed
                        read = b""
                    if not read:
                        return False
                    unicode_data = decode(read, final=final and last)
                    if not unicode_data:  # the start of a character: the rest comes with the next read
                        continue  # (an empty feed is the parser's end of input)
                    for event in parser.feed(unicode_data):
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)
            return True

        terminal_open = True
        try:
            while not self.exit_event.is_set():
                if not process_selector_events(selector.select(select_timeout())):
                    terminal_open = False
                    self._report_terminal_gone()
                    # nothing more can be read: the thread ends now. Waiting for `exit_event` kept the process
                    # alive for good when the app's shutdown never came to set it (a console whose terminal
                    # closed stayed at 120 MB, its main thread in `threading._shutdown`, this one waiting)
                    break
            selector.unregister(self.fileno)
            if terminal_open:
                process_selector_events(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass

    def _report_terminal_gone(self) -> None:
        """From the input thread: the app hears (on its own loop) that its terminal went away."""
        ending = getattr(self._app, "terminal_gone", self._app.exit)
        with contextlib.suppress(RuntimeError):  # the loop closed already: the app is ending anyway
            self._loop.call_soon_threadsafe(ending)
