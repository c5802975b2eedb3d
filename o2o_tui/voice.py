"""Spoken announcements at the counter (适老化): a new order, a customer's cancellation request, the link going
down and coming back, said in the console's language through a speech engine on the machine. No Textual.

- The engine: Debian's `espeak-ng` (else the older `espeak`), found on PATH, or the program `O2O_VOICE_ENGINE`
  names (it must take espeak's `-v VOICE TEXT`). Nothing downloads a voice model: both ship voices. Voice is
  off unless the `voice` setting turns it on (`o2o_tui.settings`, `O2O_VOICE`); on with no engine, the console
  says so once and the bell stays the only sound.
- `Speaker` speaks without blocking its caller: one engine process at a time, on a thread living only while
  there is something to say. What waits is bounded and coalesced (`coalesce`): over `MAX_SINGLE` new orders
  waiting are said as one count ("5 new orders"), cancellation requests likewise, only the latest link change
  is said. A burst of 20 new orders is two or three sentences, not five minutes of talk.
- `Announcer` decides what to say from the orders themselves: each order is announced once as new (while it
  still waits for an answer and its accept deadline has not passed) and once when its customer asks to cancel.
  The bell rings for a new order before its words are said (after the frame that shows it): an order accepted
  in between (the printing station's auto-accept takes it at once) is still said as new, once, when it was
  accepted within `JUST_ACCEPTED_S` and the announcer has not seen it before.
"""

from __future__ import annotations

import enum
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from o2o_tui.domain.order import Order, OrderStatus
from o2o_tui.i18n import current_language, t

ENGINES = ("espeak-ng", "espeak")
ENGINE_ENV = "O2O_VOICE_ENGINE"
# espeak-ng's Mandarin voice is `cmn`; the older espeak calls it `zh`
VOICES = {"en": "en", "zh": "cmn"}
OLD_ESPEAK_VOICES = {"en": "en", "zh": "zh"}
MAX_SINGLE = 2  # new orders (or cancellation requests) said one by one; more waiting are said as a count
SPEAK_TIMEOUT_S = 20.0  # an engine that hangs is killed after this long
RATE_WPM = 150  # a little slower than espeak's 175: said once, across a busy counter
# an order first seen already accepted this recently was new when its bell rang (auto-accepted in between)
JUST_ACCEPTED_S = 15.0


class Kind(enum.StrEnum):
    NEW_ORDER = "NEW_ORDER"
    CANCEL_REQUEST = "CANCEL_REQUEST"
    LINK = "LINK"  # offline, back online: only the latest is worth saying


@dataclass(frozen=True, slots=True)
class Announcement:
    kind: Kind
    text: str
    count: int = 1  # how many events this sentence stands for (a coalesced one says the count)


def find_engine(
    env: dict[str, str] | None = None, which: Callable[[str], str | None] = shutil.which
) -> str | None:
    """The speech program: `O2O_VOICE_ENGINE` when set (a path or a name), else espeak-ng, else espeak;
    None when there is none."""
    named = (os.environ if env is None else env).get(ENGINE_ENV, "").strip()
    if named:
        return which(named)
    for name in ENGINES:
        found = which(name)
        if found:
            return found
    return None


def voice_for(engine: str, language: str) -> str:
    """The engine's voice name for a console language ("en", "zh")."""
    table = OLD_ESPEAK_VOICES if Path(engine).name == "espeak" else VOICES
    return table.get(language, "en")


def engine_command(engine: str, language: str, text: str, *, wav: Path | None = None) -> list[str]:
    """The argument list that says `text` (or writes it to `wav`, for tests and for trying a voice)."""
    command = [engine, "-v", voice_for(engine, language), "-s", str(RATE_WPM)]
    if wav is not None:
        command += ["-w", str(wav)]
    return [*command, text]


def _count_text(kind: Kind, count: int) -> str:
    key = "voice.new_orders" if kind is Kind.NEW_ORDER else "voice.cancel_requests"
    return t(key, count=count)


def coalesce(pending: Sequence[Announcement]) -> list[Announcement]:
    """What is left to say, bounded: the latest link change only (where the first one stood); new orders and
    cancellation requests one by one up to `MAX_SINGLE` each, else one sentence with their count."""
    links = [item for item in pending if item.kind is Kind.LINK]
    result: list[Announcement] = []
    placed: set[Kind] = set()
    for item in pending:
        if item.kind in placed:
            continue
        if item.kind is Kind.LINK:
            result.append(links[-1])
            placed.add(item.kind)
            continue
        same = [other for other in pending if other.kind is item.kind]
        total = sum(other.count for other in same)
        if total > MAX_SINGLE:
            result.append(Announcement(item.kind, _count_text(item.kind, total), total))
            placed.add(item.kind)
        else:
            result.append(item)
    return result


class Speaker:
    """Says announcements one after another with `engine`, never blocking the caller (module docstring).

    `muted()` is asked before each sentence (the counter's `M`): what waits while muted is dropped."""

    def __init__(
        self,
        engine: str,
        *,
        language: Callable[[], str] = current_language,
        muted: Callable[[], bool] = lambda: False,
        timeout_s: float = SPEAK_TIMEOUT_S,
    ) -> None:
        self.engine = engine
        self._language = language
        self._muted = muted
        self._timeout_s = timeout_s
        self._pending: list[Announcement] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._closed = False
        self.failures = 0  # sentences the engine failed to say (non-zero exit, could not start, hung)

    def say(self, announcements: Iterable[Announcement]) -> None:
        """Queue `announcements` (coalesced with what already waits); returns at once."""
        items = list(announcements)
        if not items:
            return
        with self._lock:
            if self._closed:
                return
            self._pending = coalesce([*self._pending, *items])
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="o2o-voice", daemon=True)
                self._thread.start()

    def pending(self) -> list[Announcement]:
        with self._lock:
            return list(self._pending)

    def silence(self) -> None:
        """Drop what waits (the sentence being said ends on its own: a few seconds)."""
        with self._lock:
            self._pending = []

    def close(self) -> None:
        """Drop what waits and stop the sentence being said."""
        with self._lock:
            self._closed = True
            self._pending = []
            process = self._process
        if process is not None and process.poll() is None:
            process.kill()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing waits or is being said; False on timeout (tests)."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        with self._lock:
            return self._thread is None

    def _next(self) -> Announcement | None:
        with self._lock:
            if not self._pending or self._closed:
                self._thread = None  # the thread ends; the next `say` starts another
                return None
            return self._pending.pop(0)

    def _run(self) -> None:
        while (item := self._next()) is not None:
            if self._muted():
                self.silence()
                continue
            self._speak(item.text)

    def _speak(self, text: str) -> None:
        command = engine_command(self.engine, self._language(), text)
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        except OSError:
            self.failures += 1
            return
        with self._lock:
            self._process = process
        try:
            if process.wait(self._timeout_s) != 0:
                self.failures += 1
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            self.failures += 1
        finally:
            with self._lock:
                self._process = None


def _just_accepted(order: Order, now: datetime) -> bool:
    """Accepted (here, queued or answered) within `JUST_ACCEPTED_S` of `now`, and not ended."""
    accepted = order.confirmed_at
    if order.status is not OrderStatus.CONFIRMED or accepted is None:
        return False
    return abs((now - accepted).total_seconds()) <= JUST_ACCEPTED_S


def _type_word(order: Order) -> str:
    return t(f"voice.type.{order.type.value}")


class Announcer:
    """What to say about the orders: each new order once, each cancellation request once (see above)."""

    def __init__(self) -> None:
        self._said_new: set[str] = set()
        self._said_cancel: set[str] = set()
        self._seen: set[str] = set()  # the orders shown at the last look

    def orders(self, orders: Iterable[Order], now: datetime) -> list[Announcement]:
        said: list[Announcement] = []
        present: set[str] = set()
        ended = (OrderStatus.CANCELLED, OrderStatus.DELIVERED, OrderStatus.CONCLUDED)
        for order in orders:
            present.add(order.id)
            deadline = order.accept_deadline
            waiting = order.status is OrderStatus.CREATED and (deadline is None or deadline > now)
            if not waiting and order.id not in self._seen:  # accepted between its bell and this look
                waiting = _just_accepted(order, now)
            if waiting and order.id not in self._said_new:
                self._said_new.add(order.id)
                text = t("voice.new_order", number=order.number, type=_type_word(order))
                said.append(Announcement(Kind.NEW_ORDER, text))
            asking = order.cancellation is not None and order.status not in ended
            if asking and order.id not in self._said_cancel:
                self._said_cancel.add(order.id)
                said.append(Announcement(Kind.CANCEL_REQUEST, _cancel_request_words(order)))
        # forget orders no longer shown (the sets stay as small as the queue)
        self._said_new &= present
        self._said_cancel &= present
        self._seen = present
        return said

    @staticmethod
    def link(online: bool, *, unauthorized: bool = False) -> Announcement:
        key = "voice.back_online" if online else "voice.unauthorized" if unauthorized else "voice.offline"
        return Announcement(Kind.LINK, t(key))


def _cancel_request_words(order: Order) -> str:
    """"Order 42: the customer asks to cancel", or the store, the platform, the courier: whoever asked (an admin's
    request is the platform's), as the detail says it."""
    asker = order.cancellation.requested_by.value if order.cancellation is not None else "CUSTOMER"
    key = "voice.cancel_request" if asker == "CUSTOMER" else f"voice.cancel_request.{asker}"
    return t(key, number=order.number)
