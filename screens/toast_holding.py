"""`ToastHoldingApp`: the toasts of the merchant console (`screens/app.py`) and of the dispatch board alone (`o2o
dispatch`, `screens/dispatch_board.py`). Toasts never cover a dialog (at 40x15 a few filled half the screen over
the field being typed in, or over the courier picker): while one is open they are held, the ones already up taken
down, and shown when it closes. Below 60 columns the toasts up take at most half the rows, at the bottom.

Each toast's lines are broken for the terminal's width (`FoldedToasts`); an app puts its own toast up in `_toast`
(the merchant console fits it to the screen first) and subscribes `_on_screen_change` when mounted."""

from __future__ import annotations

import contextlib
from typing import Any

import msgspec
from textual.css.query import NoMatches
from textual.notifications import Notification, Notify, SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.widgets._toast import ToastRack

from o2o_tui.i18n import t
from screens.steady_keys import SteadyKeysApp
from screens.widgets.folded_text import TOAST_NARROW, FoldedToasts

HELD_SHOWN = 3  # toasts held while a dialog was open: at most this many when it closes (the rest counted)
NARROW_HELD_SHOWN = 2  # below `TOAST_NARROW` columns, where the toasts up take half the rows at most
NARROW_TOAST_LINES = 3  # below `TOAST_NARROW` columns: the lines of a toast (a third of the rows if said nowhere else)


def _toast_rows(notification: Notification) -> int:
    """The rows a toast takes below 60 columns: its lines (already broken for the width), its title, the row above."""
    return notification.message.count("\n") + 1 + (1 if notification.title else 0) + 1


class HeldToast(msgspec.Struct, frozen=True):
    text: str
    severity: str
    timeout: float | None
    markup: bool
    title: str = ""


class ToastHoldingApp(SteadyKeysApp[None]):  # keys act in the order typed (screens/steady_keys.py)
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[HeldToast] = []  # toasts raised while a dialog is open, shown when it closes
        self._behind: list[HeldToast] = []  # toasts that were up when a dialog opened, shown again when it closes
        self._toasts = FoldedToasts(self)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Toasts never cover a dialog (at 40x15 a few fill half the screen over the field being typed in): while
        one is open they are held and shown when it closes (the ones already up are taken down meanwhile)."""
        if self._dialog_open():
            self._held.append(HeldToast(message, severity, timeout, markup, title))
            return
        self._toast(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def _toast(
        self, message: str, *, title: str = "", severity: SeverityLevel, timeout: float | None, markup: bool
    ) -> None:
        """A toast up now, its lines broken as the rest of the app's, for its width now and again when the terminal
        is resized while it is up (the app's `on_resize` calls `FoldedToasts.refold`)."""
        self._toasts.show(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def _on_notify(self, event: Notify) -> None:
        """A toast reaches the app a message after it was posted (`FoldedToasts.show`): one posted just before a
        dialog opened is held behind it too. At 40x15 the menu editor's availability choice released what it had
        held as it closed, its time prompt opened at once, and those toasts landed over the prompt and its field
        (Textual's own handler, after this one in the MRO, then does nothing)."""
        if not self._dialog_open():
            self._make_room_for(event.notification)
            return
        event.prevent_default()
        notification = event.notification
        message, title = self._toasts.given(notification)
        held = HeldToast(message, notification.severity, notification.timeout, notification.markup, title)
        self._held.append(held)

    def _make_room_for(self, notification: Notification) -> None:
        """Below 60 columns the toasts up take at most half the rows, at the bottom (at 40x15 a few of them
        stood over the queue's rows up to its header): the oldest ones that leave the new one no room are taken
        down first. Textual's rack cannot be scrolled to its newest toast (it is hidden: it has no size), so a
        height limit on it showed the oldest ones and cut the newest."""
        width, height = self.size
        if width <= 0 or width >= TOAST_NARROW:
            return
        budget = max(NARROW_TOAST_LINES + 1, height // 2)
        used = _toast_rows(notification)
        for older in reversed(list(self._notifications)):  # the newest first
            used += _toast_rows(older)
            if used > budget:
                self._unnotify(older, refresh=False)  # Textual's handler refreshes the rack next

    def _dialog_open(self) -> bool:
        return bool(self.screen_stack) and isinstance(self.screen, ModalScreen)

    def _on_screen_change(self, screen: Screen[Any]) -> None:
        if isinstance(screen, ModalScreen):
            self._take_down_toasts()
        else:
            self._release_held()

    def _take_down_toasts(self) -> None:
        """A dialog opened: the toasts up are taken down (every screen's rack renders, so the one under the dialog
        would show through) and put up again with the time they had left when it closes. Taking them down costs
        nothing per frame, where a style rule hiding them cost every first paint about 25 ms of matching."""
        up = [n for n in self._notifications if not n.has_expired]
        if not up:
            return
        for n in up:  # as given: broken into lines again for the width the terminal has when they show
            message, title = self._toasts.given(n)
            self._behind.append(HeldToast(message, n.severity, max(n.time_left, 2.0), n.markup, title))
        self._notifications.clear()
        for screen in self.screen_stack:
            with contextlib.suppress(NoMatches):
                screen.get_child_by_type(ToastRack).show(self._notifications)

    def _release_held(self) -> None:
        """The dialog closed: the toasts it took down, then what was held, the newest `HELD_SHOWN` (the older
        ones counted in one line; below 60 columns the newest one and the count, the oldest taken down for room
        by `_make_room_for`)."""
        behind, self._behind = self._behind, []
        held, self._held = self._held, []
        for toast in behind:
            self._post_toast(toast)
        shown = HELD_SHOWN if self.size.width >= TOAST_NARROW else NARROW_HELD_SHOWN  # the rows they may take
        if len(held) > shown:
            earlier = len(held) - shown + 1
            held = held[-(shown - 1) :]
            self._toast(self._held_count(earlier), severity="warning", timeout=10, markup=False)
        for toast in held:
            self._post_toast(toast)

    def _held_count(self, count: int) -> str:
        """The line that stands for the `count` oldest toasts held while a dialog was open (and where to look)."""
        return t("ui.app.held_toasts", count=count)

    def _post_toast(self, toast: HeldToast) -> None:
        self._toast(
            toast.text,
            title=toast.title,
            severity=toast.severity,  # type: ignore[arg-type]
            timeout=toast.timeout,
            markup=toast.markup,
        )
