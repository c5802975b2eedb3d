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

An action that moves focus should do it at once (`screen.set_focus(widget)`, not `widget.focus()`, which sets
it a message later: the keys typed right after would still reach the widget that had it). Text fields take
their editing keys themselves, in order: `screens.dialogs.SteadyInput`.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Generic, TypeVar

from textual import events
from textual.app import App
from textual.message import Message
from textual.timer import Timer

FENCE_TIMEOUT_S = 0.5
ReturnType = TypeVar("ReturnType")


class KeyFence(Message):
    """Follows a key (or the messages its action posted) up to the App, which then lets the next key go."""

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number


class SteadyKeysApp(App[ReturnType], Generic[ReturnType]):
    """An App that handles one key at a time, in the order typed (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_keys: deque[events.Key] = deque()
        self._key_in_flight: events.Key | None = None
        self._fence = 0  # the fence the App waits for, 0 when none
        self._fences_sent = 0
        self._fence_timer: Timer | None = None

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

    def _send_fence(self, target: Any = None) -> None:
        self._fences_sent += 1
        self._fence = self._fences_sent
        (target or self.focused or self.screen).post_message(KeyFence(self._fence))
        if self._fence_timer is not None:
            self._fence_timer.stop()
        self._fence_timer = self.set_timer(FENCE_TIMEOUT_S, self._release_held_keys)

    async def on_key_fence(self, message: KeyFence) -> None:
        message.stop()
        if message.number == self._fence:
            await self._release_held_keys()

    async def _release_held_keys(self) -> None:
        self._fence = 0
        self._key_in_flight = None
        if self._fence_timer is not None:
            self._fence_timer.stop()
            self._fence_timer = None
        while self._held_keys and not self._fence:
            await self.on_event(self._held_keys.popleft())
