"""Small modal questions: a number with a default, a code, a choice. Each dismisses with the answer or None.

Every key typed into a field counts, in the order it was typed, however fast it comes (a barcode scanner, a
fast typist: "a" then "1⌫12⏎" in one burst must accept 12). Textual loses or reorders such a burst in two ways:
- its Input inserts a character in its own `_on_key`, but an editing key (Backspace, Delete, arrows, Enter) is a
  binding, run by the App only after the key has bubbled up through every ancestor: the characters typed after
  a Backspace were inserted before it ran, and it deleted the last one ("1⌫12" became "11");
- the keys typed right after the key that opens a dialog reach the dialog's screen before its field has focus
  (focus is set a message later) and are dropped there ("a1⌫12⏎" accepted the default, 15).
`SteadyInput` applies characters and its own editing bindings itself, in its own queue, in order. In a dialog it
leaves every key to its screen (`typed_by_screen`): a key the screen got before the field had focus is queued
there ahead of any key the field passes up later, so the screen applies them all in the order they were typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from o2o_tui.i18n import t
from o2o_tui.typed_text import ascii_typed
from screens.keys import localize_bindings
from screens.widgets.folded_text import FoldedLabel, FoldedText
from screens.widgets.footer import KeyFooter


def _cancel_binding() -> Binding:
    return Binding("escape", "cancel", "ui.key.cancel", id="dialog.cancel")


def _ok_binding() -> Binding:
    """Enter, for the footer: the field applies it itself (`SteadyInput`), in the order typed."""
    return Binding("enter", "submit", "ui.key.ok", id="dialog.ok")


def _editing_keys(bindings: list[BindingType]) -> dict[str, str]:
    """key -> action of an Input's own bindings ("backspace" -> "delete_left", "enter" -> "submit")."""
    return {binding.key: binding.action for binding in Binding.make_bindings(bindings)}


class SteadyInput(Input):
    """An Input that never loses or reorders a key of a burst (see the module's docstring).

    With `typed_by_screen`, the field edits nothing by itself: its screen calls `type_key` for every key (the
    dialogs here, whose first keys can arrive before the field has focus)."""

    EDITING_KEYS: ClassVar[dict[str, str]] = _editing_keys(Input.BINDINGS)

    def __init__(self, *args: object, typed_by_screen: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.typed_by_screen = typed_by_screen

    async def on_key(self, event: events.Key) -> None:
        event.prevent_default()  # not Input's own handler: it would insert now and leave editing keys for later
        if self.typed_by_screen:
            return  # bubbles to the screen, behind any key the screen got before this field had focus
        if await self.type_key(event):
            event.stop()

    async def type_key(self, event: events.Key) -> bool:
        """Apply one key now: a character is inserted (within `restrict`, `type` and `max_length`), an editing
        key runs its action. False for any other key (it goes on to the screen's and the app's bindings)."""
        action = self.EDITING_KEYS.get(event.key)
        if action is not None:
            await self.run_action(action)
            return True
        if event.is_printable and event.character is not None:
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(event.character)
            else:
                self.replace(event.character, *selection)
            return True
        return False


class AsciiInput(Input):
    """An Input for a number, a price, a time or a code: what a Chinese input method types ("１４：３０", "３９．５")
    goes in as the ASCII it stands for (`ascii_typed`) before `restrict`, `type` and `max_length` judge it, so
    it is shown and kept as "14:30", never dropped. Keys and pastes alike: both insert through `replace`."""

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(ascii_typed(text), start, end)


class SteadyAsciiInput(AsciiInput, SteadyInput):
    """A `SteadyInput` that takes what an input method types as `AsciiInput` does (a number or a code)."""


ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT], Generic[ResultT]):
    """Every dialog whose box is `classes="dialog"` (the help's is `"dialog help"`). The box's rules are parsed
    when the first dialog is built, not with the queue's first frame (`screens/merchant.tcss`). Unscoped, they
    read as they did in the app's stylesheet; as a widget's CSS they rank below it, so the glyph sets' borders
    there (`.-ascii .dialog`, `.-console .dialog`) still win, and every rule here still wins over Textual's own
    (`Label`, `OptionList`, `Vertical`: fewer classes).

    A dialog has its own key footer, over the one of the screen it opened on: it shows the dialog's keys (its
    own BINDINGS first, `FOOTER_OWN_KEYS`), never the keys behind it, which do nothing while it is open."""

    SCOPED_CSS = False
    FOOTER_OWN_KEYS = True
    DEFAULT_CSS = """
    .dialog {
        width: 50;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 1;
        background: $panel;
        border: round $primary;
    }
    Screen.-narrow .dialog {
        border: none;
        padding: 0;
    }
    .dialog Label {
        width: 1fr;
    }
    .dialog .title {
        text-style: bold;
    }
    .dialog .hint {
        color: $text-muted;
    }
    .dialog .error {
        color: $text-error;
    }
    .dialog OptionList {
        height: auto;
        max-height: 10;
    }
    .help {
        width: 60;
        max-height: 90%;
    }
    """

    def _extend_compose(self, widgets: list[Any]) -> None:
        super()._extend_compose(widgets)
        widgets.append(KeyFooter())  # docked at the bottom, with every dialog's own compose


class _FieldPrompt(Dialog[ResultT], Generic[ResultT]):
    """A dialog with one field that applies every key itself, in the order typed (`SteadyInput`)."""

    def field(self) -> SteadyInput:
        return self.query_one("#answer", SteadyInput)

    async def action_submit(self) -> None:
        """Enter (the footer's `⏎`): what the field's Enter does."""
        await self.field().action_submit()

    async def on_key(self, event: events.Key) -> None:
        if await self.field().type_key(event):
            event.stop()
            event.prevent_default()


def numbered_hang(line: str) -> int:
    """Where the next lines of a numbered choice ("1. 暂停营业（…）") start: under its words, past the number."""
    number, dot, _ = line.partition(". ")
    return len(number) + 2 if dot and number.strip().isdigit() else 0


def _as_content(title: Content | str) -> Content:
    return Content(title) if isinstance(title, str) else title


class NumberPrompt(_FieldPrompt[int | None]):
    """Enter on an empty field takes `default`.

    `NumberPrompt.kept(app, ...)` is the app's one prompt, asked anew each time: building a dialog (its CSS,
    compose, mount, a toast rack) took ~25 ms per `a`, and removing it on close repainted the whole screen a
    second time, so the prompt of the queue's most frequent key is built once and stays installed."""

    DEFAULT_CSS = "NumberPrompt { align: center middle; }"
    BINDINGS = [_ok_binding(), _cancel_binding()]
    KEPT_NAME = "o2o-number-prompt"

    def __init__(
        self,
        title: Content | str,
        default: int,
        *,
        minimum: int = 1,
        maximum: int = 240,
        hint_key: str = "ui.dialog.enter_default",
        hint: str | None = None,
        read: Callable[[str], int] | None = None,
    ) -> None:
        super().__init__()
        localize_bindings(self)
        self._title = title
        self._default = default
        self._minimum = minimum
        self._maximum = maximum
        self._hint_key = hint_key  # what Enter on an empty field means ({default}): prep minutes unless said
        self._hint = hint  # the sentence itself, when the caller has more to say than `hint_key` does
        # how the typed text reads as the number ("30分钟", "1h30" for a length: `store_hours.parse_duration`); a
        # ValueError's words are shown under the field. None: digits only
        self._read = read

    @classmethod
    def kept(
        cls,
        app: App[Any],
        title: Content | str,
        default: int,
        *,
        minimum: int = 1,
        maximum: int = 240,
        hint: str | None = None,
    ) -> NumberPrompt:
        """The prompt installed in `app` (made the first time), cleared and asking `title` with `default`; a new
        one while the kept one is open (a prompt over a prompt)."""
        if not app.is_screen_installed(cls.KEPT_NAME):
            app.install_screen(cls(title, default, minimum=minimum, maximum=maximum, hint=hint), cls.KEPT_NAME)
        prompt = app.get_screen(cls.KEPT_NAME)
        if not isinstance(prompt, NumberPrompt) or prompt in app.screen_stack:
            return cls(title, default, minimum=minimum, maximum=maximum, hint=hint)
        prompt.ask(title, default, minimum=minimum, maximum=maximum, hint=hint)
        return prompt

    def ask(
        self, title: Content | str, default: int, *, minimum: int = 1, maximum: int = 240, hint: str | None = None
    ) -> None:
        """Ask again: a new title, default, bounds and hint, an empty field, no error."""
        self._title, self._default, self._minimum, self._maximum = title, default, minimum, maximum
        self._hint = hint
        if not self.is_mounted:
            return  # compose uses the new values
        self.query_one(".title", Label).update(_as_content(title))
        field = self.field()
        field.value = ""
        field.placeholder = str(default)
        self.query_one(".hint", Label).update(self.hint())
        self.query_one("#error", Label).update("")

    def hint(self) -> str:
        return self._hint if self._hint is not None else t(self._hint_key, default=self._default)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield FoldedLabel(_as_content(self._title), classes="title")  # lines broken as Chinese is set
            yield SteadyAsciiInput(
                placeholder=str(self._default),
                type="integer" if self._read is None else "text",
                max_length=3 if self._read is None else 12,
                id="answer",
                select_on_focus=False,
                typed_by_screen=True,
            )
            yield FoldedLabel(self.hint(), classes="hint")
            yield FoldedLabel("", id="error", classes="error")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = False
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = ascii_typed(event.value).strip()
        try:
            value: int | None = self._default if not text else (self._read or int)(text)
        except ValueError as error:  # what the field's `type` lets through on the way to a number: "-", "1_"
            if self._read is not None:
                self.query_one("#error", Label).update(Content(str(error)))
                return
            value = None
        if value is None or not self._minimum <= value <= self._maximum:
            self.query_one("#error", Label).update(
                t("ui.dialog.out_of_range", minimum=self._minimum, maximum=self._maximum)
            )
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CodePrompt(_FieldPrompt[str | None]):
    """A code. With `check`, a code it finds wrong (it answers the words to show) keeps the dialog open with the
    words under the field, emptied for the next try, and nothing is dismissed: a pickup code checked against the
    cached one, so a slip at the counter is "wrong code, try again", not a refusal from the platform later."""

    DEFAULT_CSS = "CodePrompt { align: center middle; }"
    BINDINGS = [_ok_binding(), _cancel_binding()]

    def __init__(self, title: Content | str, *, check: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        localize_bindings(self)
        self._title = title
        self._check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            title = Content(self._title) if isinstance(self._title, str) else self._title
            yield Label(FoldedText(title), classes="title")  # "13 个订单" never split across two lines
            yield SteadyAsciiInput(restrict=r"[0-9A-Za-z]*", max_length=12, id="answer", typed_by_screen=True)
            yield FoldedLabel("", id="error", classes="error")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = False
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        if not code:
            self.query_one("#error", Label).update(t("ui.dialog.code_required"))
            return
        wrong = self._check(code) if self._check is not None else None
        if wrong is not None:
            self.query_one("#error", Label).update(Content(wrong))
            self.field().value = ""  # ready for the next try
            self.app.bell()
            return
        self.dismiss(code)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoicePrompt(Dialog[str | None]):
    """Pick one of `choices` (value, label) with the arrows and Enter, or its digit."""

    DEFAULT_CSS = "ChoicePrompt { align: center middle; }"
    BINDINGS = [Binding("enter", "choose", "ui.key.choose", id="dialog.choose"), _cancel_binding()]

    def __init__(
        self,
        title: Content | str,
        choices: list[tuple[str, str]],
        *,
        shortcuts: dict[str, str] | None = None,
    ) -> None:
        """`shortcuts`: keys (a character) that answer a value at once besides the digits ({"y": "quit"})."""
        super().__init__()
        localize_bindings(self)
        self._title = title
        self._choices = choices
        self._shortcuts = shortcuts or {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            title = Content(self._title) if isinstance(self._title, str) else self._title
            yield Label(FoldedText(title), classes="title")  # "13 个订单" never split across two lines
            yield OptionList(
                *[
                    Option(FoldedText(Content(f"{n}. {label}"), hang=numbered_hang), id=value)
                    for n, (value, label) in enumerate(self._choices, 1)
                ],
                id="choices",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def action_choose(self) -> None:
        """Enter (the footer's `⏎`): the list's Enter picks the choice highlighted."""
        self.query_one(OptionList).action_select()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.character and event.character.isdigit():
            index = int(event.character) - 1
            if 0 <= index < len(self._choices):
                event.stop()
                self.dismiss(self._choices[index][0])
        elif event.character and event.character in self._shortcuts:
            event.stop()
            self.dismiss(self._shortcuts[event.character])

    def action_cancel(self) -> None:
        self.dismiss(None)
