"""Small modal questions: a number with a default, a code, a choice. Each dismisses with the answer or None."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from o2o_tui.i18n import t
from screens.keys import localize_bindings


def _cancel_binding() -> Binding:
    return Binding("escape", "cancel", "ui.key.cancel", id="dialog.cancel")


class NumberPrompt(ModalScreen[int | None]):
    """Enter on an empty field takes `default`."""

    BINDINGS = [_cancel_binding()]

    def __init__(self, title: Content | str, default: int, *, minimum: int = 1, maximum: int = 240) -> None:
        super().__init__()
        localize_bindings(self)
        self._title = title
        self._default = default
        self._minimum = minimum
        self._maximum = maximum

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                Content(self._title) if isinstance(self._title, str) else self._title, classes="title"
            )
            yield Input(
                placeholder=str(self._default),
                type="integer",
                max_length=3,
                id="answer",
                select_on_focus=False,
            )
            yield Label(t("ui.dialog.enter_default", default=self._default), classes="hint")
            yield Label("", id="error", classes="error")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = False
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        value = self._default if not text else int(text)
        if not self._minimum <= value <= self._maximum:
            self.query_one("#error", Label).update(
                t("ui.dialog.out_of_range", minimum=self._minimum, maximum=self._maximum)
            )
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CodePrompt(ModalScreen[str | None]):
    BINDINGS = [_cancel_binding()]

    def __init__(self, title: Content | str) -> None:
        super().__init__()
        localize_bindings(self)
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                Content(self._title) if isinstance(self._title, str) else self._title, classes="title"
            )
            yield Input(restrict=r"[0-9A-Za-z]*", max_length=12, id="answer")
            yield Label("", id="error", classes="error")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = False
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        if not code:
            self.query_one("#error", Label).update(t("ui.dialog.code_required"))
            return
        self.dismiss(code)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoicePrompt(ModalScreen[str | None]):
    """Pick one of `choices` (value, label) with the arrows and Enter, or its digit."""

    BINDINGS = [_cancel_binding()]

    def __init__(self, title: Content | str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        localize_bindings(self)
        self._title = title
        self._choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                Content(self._title) if isinstance(self._title, str) else self._title, classes="title"
            )
            yield OptionList(
                *[
                    Option(Content(f"{n}. {label}"), id=value)
                    for n, (value, label) in enumerate(self._choices, 1)
                ],
                id="choices",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.character and event.character.isdigit():
            index = int(event.character) - 1
            if 0 <= index < len(self._choices):
                event.stop()
                self.dismiss(self._choices[index][0])

    def action_cancel(self) -> None:
        self.dismiss(None)
