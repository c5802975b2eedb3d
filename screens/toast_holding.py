"""`ToastHoldingApp`: the toasts of the merchant console (`screens/app.py`) and of the dispatch board alone (`o2o
dispatch`, `screens/dispatch_board.py`). Toasts never cover a dialog (at 40x15 a few filled half the screen over
the field being typed in, or over the courier picker): while one is open they are held, the ones already up taken
down, and shown when it closes. Nor do they cover the field being typed in (`_guard_field`): while a text field
has the focus where the toasts would stand over it (the menu form's lower fields, the queue's `/` search), they wait
the same way and show when the focus leaves it. Below 60 columns the toasts up take at most half the rows, at the
bottom.

Each toast is fitted to the screen (`_fit_toast`: a few lines below 60 columns, about half the rows above; a longer
one cut with "…", cut again from its whole text when the terminal is resized), its lines broken for the terminal's
width (`FoldedToasts`). `say` puts up a toast whose text is never markup, a catalog command in it bold. An app
subscribes `_on_screen_change` when mounted; the merchant console names the refused actions its `!` lists
(`_listed`), which a toast then says in the list's words."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import Any

import msgspec
from rich.cells import cell_len
from textual import events
from textual.app import App
from textual.css.query import NoMatches
from textual.geometry import Region
from textual.notifications import Notification, Notify, SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets._toast import ToastHolder, ToastRack

from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from screens.steady_keys import SteadyKeysApp
from screens.widgets.folded_text import (
    TOAST_NARROW,
    TOAST_RACK_BAR,
    TOAST_WIDTH,
    FoldedToasts,
    folded_toast,
    toast_width,
)

HELD_SHOWN = 3  # toasts held while a dialog was open: at most this many when it closes (the rest counted)
NARROW_HELD_SHOWN = 2  # below `TOAST_NARROW` columns, where the toasts up take half the rows at most
NARROW_TOAST_LINES = 3  # below `TOAST_NARROW` columns: the lines of a toast (a third of the rows if said nowhere else)
TOAST_PADDING = 2  # the rows of a toast's frame (Textual's `padding: 1 1`)
TOAST_LEAVES = 4  # the rows a long toast leaves in sight: the list's header and first row, the status, the keys
RACK_MARGIN = 1  # the row under Textual's toast rack (`margin-bottom: 1`): the keys' row, never covered
FITTED_KEPT = 16  # toasts cut to the screen whose whole text is kept (more than are ever up at once)


def _toast_rows(notification: Notification) -> int:
    """The rows a toast takes below 60 columns: its lines (already broken for the width), its title, the row above."""
    return notification.message.count("\n") + 1 + (1 if notification.title else 0) + 1


TYPED_IN = (("textual.widgets._input", "Input"), ("textual.widgets._text_area", "TextArea"))  # fields typed into


def _typed_in(widget: Widget | None) -> bool:
    """Whether `widget` is a field text is typed into: an `Input` or a `TextArea`, each looked for only once its
    module is loaded (none can have the focus before; importing them here would slow the console's first frame)."""
    for module_name, class_name in TYPED_IN:
        module = sys.modules.get(module_name)
        if module is not None and isinstance(widget, getattr(module, class_name)):
            return True
    return False


def toast_column(width: int) -> int:
    """The first column of the toasts on a screen `width` wide: from 60 columns they stand at the right (Textual's
    toast: at most half the rack, less its bar); below, they span the width."""
    if width < TOAST_NARROW:
        return 0
    return width - TOAST_RACK_BAR - min(TOAST_WIDTH, (width - TOAST_RACK_BAR) // 2)


def typed_field_room(app: App[Any]) -> int | None:
    """The rows `app`'s toasts may take, from the foot of their rack up, without covering the text field that has
    the focus (an `Input`, a `TextArea`): None when there is none, a dialog is in front (toasts wait behind it
    anyway), or the toasts' column misses it (from 60 columns they stand at the right)."""
    if not app.screen_stack or isinstance(app.screen, ModalScreen):
        return None
    focused = app.screen.focused
    width, height = app.size
    if focused is None or not _typed_in(focused) or width <= 0 or height <= 0:
        return None
    region = focused.region.intersection(Region(0, 0, width, height))
    if not region.area:
        return None
    if region.right <= toast_column(width):  # from 60 columns the toasts stand at the right
        return None
    # the rack ends above its margin; the row above the topmost toast (its margin) shows what is under it
    return max(0, height - RACK_MARGIN - region.bottom + 1)


def answer_would_wait(app: App[Any], text: str) -> bool:
    """Whether a toast of `text` (plain) put up now on `app` would stand over the text field that has the focus, or
    wait for the focus to leave it (`ToastHoldingApp`: the console's; the menu editor alone holds none, its toasts
    stood over the field). A screen's answer to the key just pressed in that field is then said at once where it
    covers nothing (the menu editor's status line: `MenuEditorScreen._answer`; the console's toasts up wait then,
    `ToastHoldingApp.hold_toasts_up`), not after the person left it. The editor alone below 60 columns with toasts
    up keeps toasting: they stand over its status line, and it has none that wait."""
    room = typed_field_room(app)
    if room is None:
        return False
    if isinstance(app, ToastHoldingApp):
        if app._held or app._behind:  # others wait already: this one would wait after them
            return True
        return app._rows_up() + app._held_rows(HeldToast(text, "information", None, False)) > room
    width = app.size.width
    frame = TOAST_PADDING if width >= TOAST_NARROW else 0
    up = sum(_toast_rows(n) + frame for n in app._notifications if not n.has_expired)
    if up and width < TOAST_NARROW:
        return False
    return up + folded_toast(text, width, markup=False).count("\n") + 2 + frame > room


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
        self._fitted: dict[str, str] = {}  # a toast's text cut to the screen -> its whole text (the newest few)
        self._held_typing = False  # some of `_held` wait for the focus to leave the field they would cover

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

    def say(self, message: str, *, severity: str = "information", timeout: float = 5) -> None:
        """A toast whose text is never parsed as markup (it may quote a server message or a customer). A catalog
        sentence's command in it ("log in again with `o2o login`") shows bold without its marks: the toast is then
        given as markup built from its plain parts (`screens.command_toasts`), fitted to the screen first."""
        text, markup = self._command_toast(message, *self.size)
        if markup:  # cut for this size: cut again from the whole when the terminal is resized while it is up
            self._keep_whole(text, safe_text(message))
        self.notify(text, severity=severity, timeout=timeout, markup=markup)  # type: ignore[arg-type]

    def _command_toast(self, message: str, width: int, height: int) -> tuple[str, bool]:
        """(text, markup) of `say`'s toast for a screen `width` x `height`: fitted, a command bold."""
        from screens.command_toasts import toast_text

        return toast_text(message, fit=lambda safe: self._fit_toast(safe, width, height))

    def _keep_whole(self, shown: str, whole: str) -> None:
        self._fitted = {**self._fitted, shown: whole}
        self._fitted = dict(list(self._fitted.items())[-FITTED_KEPT:])

    def _toast(
        self, message: str, *, title: str = "", severity: SeverityLevel, timeout: float | None, markup: bool
    ) -> None:
        """Textual breaks a toast's lines at spaces only (a run of Chinese with a time in it is cut anywhere, "，"
        can start a line): its lines are broken here as the rest of the console's, for its width now, and again
        when the terminal is resized while it is up (`on_resize`)."""
        if markup and message in self._fitted:  # a command's toast held behind a dialog: cut for the size now
            whole = self._fitted[message]
            message, markup = self._command_toast(whole, *self.size)
            self._keep_whole(message, whole)
        fitted = message if markup else self._fit_toast(message, *self.size)
        if fitted != message:  # fitted again from the whole when the terminal is resized while it is up
            self._keep_whole(fitted, message)
        self._toasts.show(fitted, title=title, severity=severity, timeout=timeout, markup=markup)

    def _fit_toast(self, message: str, width: int, height: int) -> str:
        """A toast that leaves the queue's first rows, the status line and the keys in sight (at 40x15 a refused
        action's sentence covered the whole queue), a refused action's at most about half the screen: it says
        it as the list under `!` does (without where to find it), ends with "! for details" when cut. A longer
        one keeps its first lines, the last cut with "…". Below 60 columns, where a toast spans the width at the
        bottom: `NARROW_TOAST_LINES` lines, a third of the rows for one said nowhere else."""
        if width <= 0 or height <= 0:  # not laid out yet
            return message
        narrow = width < TOAST_NARROW  # the toast spans the width, without blank rows (merchant.tcss): a few lines
        room = NARROW_TOAST_LINES if narrow else max(3, height // 2 - TOAST_PADDING)
        lines = folded_toast(message, width, markup=False).split("\n")
        if len(lines) <= room:
            return message
        listed = self._listed(message)
        more = [t("conflicts.toast_more")] if listed is not None else []
        if listed is None:  # said nowhere else: as much of it as leaves the rest in sight
            room = max(room, height // 3 if narrow else height - TOAST_PADDING - TOAST_LEAVES)
        else:
            lines = folded_toast(listed, width, markup=False).split("\n")
        if len(lines) <= room - len(more):
            return "\n".join(lines + more) if more else message
        kept = lines[: room - len(more)]
        last, cells = kept[-1], toast_width(width) - 1
        while last and cell_len(last) > cells:
            last = last[:-1]
        kept[-1] = last.rstrip() + "…"
        return "\n".join(kept + more)

    def _listed(self, message: str) -> str | None:
        """The words of the list of refused actions (the console's `!`) a toast says; None when there is no such
        list (the board alone) or it does not hold them."""
        return None

    def on_resize(self, event: events.Resize) -> None:
        self._toasts.refold(event.size.width)
        self.call_after_refresh(self._guard_field)  # the field being typed in may now be under the toasts
        for notification in self._notifications:  # fitted again to the new size (a cut one from its whole text)
            given = self._toasts.given(notification)[0]
            whole = self._fitted.get(given, given)
            if not notification.markup and not notification.has_expired:
                fitted = self._fit_toast(whole, event.size.width, event.size.height)
                notification.message = folded_toast(fitted, event.size.width, markup=False)
            elif given in self._fitted and not notification.has_expired:  # a command's (`say`), from its whole
                text, markup = self._command_toast(whole, event.size.width, event.size.height)
                notification.message = folded_toast(text, event.size.width, markup=markup)
                notification.markup = markup

    def _on_notify(self, event: Notify) -> None:
        """A toast reaches the app a message after it was posted (`FoldedToasts.show`): one posted just before a
        dialog opened is held behind it too. At 40x15 the menu editor's availability choice released what it had
        held as it closed, its time prompt opened at once, and those toasts landed over the prompt and its field
        (Textual's own handler, after this one in the MRO, then does nothing). One that would stand over the field
        being typed in waits the same way, the ones up with it (`_would_cover_field`)."""
        if not self._dialog_open() and not self._would_cover_field(event.notification):
            self._make_room_for(event.notification)
            return
        event.prevent_default()
        notification = event.notification
        if not self._dialog_open():  # over the field being typed in: it waits, and so do the ones up
            self._held_typing = True
            self._take_down_toasts()
        message, title = self._toasts.given(notification)
        held = HeldToast(message, notification.severity, notification.timeout, notification.markup, title)
        self._held.append(held)

    def _make_room_for(self, notification: Notification) -> None:
        """Below 60 columns the toasts up take at most half the rows, at the bottom (at 40x15 a few of them
        stood over the queue's rows up to its header): the oldest ones that leave the new one no room are taken
        down first. Textual's rack cannot be scrolled to its newest toast (it is hidden: it has no size), so a
        height limit on it showed the oldest ones and cut the newest."""
        width, height = self.size
        if width <= 0 or height <= 0:
            return
        if width >= TOAST_NARROW:
            self._drop_unseen_toasts(notification, height)
            return
        budget = max(NARROW_TOAST_LINES + 1, height // 2)
        used = _toast_rows(notification)
        for older in reversed(list(self._notifications)):  # the newest first
            used += _toast_rows(older)
            if used > budget:
                self._unnotify(older, refresh=False)  # Textual's handler refreshes the rack next

    def _drop_unseen_toasts(self, notification: Notification, height: int) -> None:
        """From 60 columns: the older toasts that the newer ones push wholly off the screen are taken down. Textual
        keeps every toast up until its time is over and lays them all out on each change: a rush of orders timing
        out (a toast each, for 30 s) put thousands up at once, unseen, each new one slower than the last (300 took
        24 s to show, 100 took 4), and the console grew by ~500 objects a toast (tests/test_console_memory_toasts.py).
        A toast takes its lines, its title and `TOAST_PADDING` + 1 rows (its frame, the row above it)."""
        used = _toast_rows(notification) + TOAST_PADDING
        for older in reversed(list(self._notifications)):  # the newest first
            if used >= height:
                self._unnotify(older, refresh=False)  # Textual's handler refreshes the rack next
            else:
                used += _toast_rows(older) + TOAST_PADDING

    def _refresh_notifications(self) -> None:
        """Textual's, then the empty holders its rack left are taken down (`_drop_empty_toast_holders`)."""
        super()._refresh_notifications()
        self.call_later(self._drop_empty_toast_holders)

    def _drop_empty_toast_holders(self) -> None:
        """Textual 8.2.8's `ToastRack.show` takes a toast whose notification is gone (taken down for room, for a
        dialog: `_unnotify`, `_take_down_toasts`) out of its `ToastHolder` and leaves the holder, empty, in the rack
        for good; only a toast that times out removes its holder. A console that opened dialogs with toasts up held
        one more widget each time, laid out with the rack on every change (100 toasts taken down: 100 holders)."""
        up = {ToastRack._toast_id(notification) for notification in self._notifications}
        for screen in self.screen_stack:
            with contextlib.suppress(NoMatches):
                rack = screen.get_child_by_type(ToastRack)
                for holder in list(rack.children):  # a holder whose toast is still being mounted is not empty
                    if isinstance(holder, ToastHolder) and holder.id not in up and not holder.children:
                        holder.remove()

    def _dialog_open(self) -> bool:
        return bool(self.screen_stack) and isinstance(self.screen, ModalScreen)

    def _on_screen_change(self, screen: Screen[Any]) -> None:
        if isinstance(screen, ModalScreen):
            self._take_down_toasts()
        else:
            self._release_held()
            self.call_after_refresh(self._guard_field)  # a screen back with its field focused (no focus event)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.call_after_refresh(self._guard_field)  # once laid out: the form scrolls the field into sight

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self.call_after_refresh(self._guard_field)

    def _field_room(self) -> int | None:
        """The rows the toasts may take without covering the text field that has the focus (`typed_field_room`)."""
        return typed_field_room(self)

    def _rows(self, notification: Notification) -> int:
        """The rows a toast up takes from the foot of the rack: its lines, its title, its frame, the row above."""
        return _toast_rows(notification) + (TOAST_PADDING if self.size.width >= TOAST_NARROW else 0)

    def _rows_up(self) -> int:
        return sum(self._rows(n) for n in self._notifications if not n.has_expired)

    def _held_rows(self, toast: HeldToast) -> int:
        """The rows `toast` would take once shown, fitted and broken for the terminal's size now (as `_toast`)."""
        width, height = self.size
        text = toast.text if toast.markup else self._fit_toast(toast.text, width, height)
        lines = folded_toast(text, width, markup=toast.markup).count("\n") + 1
        title = folded_toast(toast.title, width, markup=False).count("\n") + 1 if toast.title else 0
        return lines + title + 1 + (TOAST_PADDING if width >= TOAST_NARROW else 0)

    def _would_cover_field(self, notification: Notification) -> bool:
        """Whether the toast, put up at the foot of those up, would stand over the field being typed in (at 40x15
        two of them hid the menu form's lowest field, typed into unseen; at 80x24 their column covered the form's
        lower fields, or the queue's `/` search). While some wait already, the new one waits after them."""
        room = self._field_room()
        if room is None:
            return False
        return bool(self._held or self._behind) or self._rows_up() + self._rows(notification) > room

    def hold_toasts_up(self, over: Callable[[str], bool]) -> None:
        """A screen says its answer to a key typed in a field where the toasts stand (`answer_would_wait`): the
        toasts up are taken down to wait, as over the field, and show once the focus leaves it; those whose whole
        text `over` says is over (the screen's earlier answers: "Not saved: ..." once the value went in) go."""
        if self._dialog_open():
            return
        for notification in list(self._notifications):
            given = self._toasts.given(notification)[0]
            if over(self._fitted.get(given, given)):
                self._unnotify(notification)
        if any(not n.has_expired for n in self._notifications):
            self._held_typing = True
            self._take_down_toasts()

    def _guard_field(self) -> None:
        """The focus moved, a screen came back or the terminal was resized: the toasts up over the field now being
        typed in are taken down to wait (as behind a dialog); those waiting show once they would cover none."""
        if self._dialog_open():
            return
        room = self._field_room()
        if room is not None and self._rows_up() > room:
            self._held_typing = True
            self._take_down_toasts()
        if self._held or self._behind:
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
        """The dialog closed (or the focus left the field the toasts would cover): the toasts it took down, then
        what was held, the newest `HELD_SHOWN` (the older ones counted in one line; below 60 columns the newest one
        and the count, the oldest taken down for room by `_make_room_for`). They keep waiting while they would
        stand over the field that has the focus now (a dialog closed back onto the menu form's lowest field)."""
        released = list(self._behind)
        held = self._held
        shown = HELD_SHOWN if self.size.width >= TOAST_NARROW else NARROW_HELD_SHOWN  # the rows they may take
        if len(held) > shown:
            earlier = len(held) - shown + 1
            held = held[-(shown - 1) :]
            count = self._held_while_typing(earlier) if self._held_typing else self._held_count(earlier)
            released.append(HeldToast(count, "warning", 10, False))
        released += held
        room = self._field_room()
        if room is not None and sum(self._held_rows(toast) for toast in released) > room:
            return
        self._behind, self._held, self._held_typing = [], [], False
        for toast in released:
            self._post_toast(toast)

    def _held_count(self, count: int) -> str:
        """The line that stands for the `count` oldest toasts held while a dialog was open (and where to look)."""
        return t("ui.app.held_toasts", count=count)

    def _held_while_typing(self, count: int) -> str:
        """The line that stands for the `count` oldest toasts that waited for the focus to leave a field."""
        return t("ui.app.held_toasts_typing", count=count)

    def _post_toast(self, toast: HeldToast) -> None:
        self._toast(
            toast.text,
            title=toast.title,
            severity=toast.severity,  # type: ignore[arg-type]
            timeout=toast.timeout,
            markup=toast.markup,
        )
