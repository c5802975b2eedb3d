"""A toast with a command in it, as a screen shows commands: the catalog's backticks dropped, the command bold
(`screens.help_screen.COMMAND_STYLE`, as the help shows them), the rest plain text, never markup.

A toast's text is a string (Textual's `Notification`): one that says a command goes to `App.notify` as markup built
here from plain parts, each escaped; only a catalog sentence's marks are read (`o2o_tui.command_marks`), a
backtick in a name or a server's message is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.content import Content
from textual.markup import MarkupError

from o2o_tui.command_marks import carried_parts, catalog_commands
from o2o_tui.safe_text import safe_text

COMMAND_STYLE = "bold"  # as `screens.help_screen.COMMAND_STYLE` (not imported: the first frame needs no help)


def command_markup(parts: list[tuple[str, bool]]) -> str | None:
    """The markup that shows `parts` (text, is_command), commands in `COMMAND_STYLE`; None when Textual would not read
    it back as exactly that (its escaping cannot keep a backslash just before a tag): show it plain then."""
    content = Content.assemble(*((text, COMMAND_STYLE) if command else text for text, command in parts))
    markup = content.markup
    try:
        read = Content.from_markup(markup)
    except MarkupError:
        return None
    return markup if read.plain == content.plain and _spans(read) == _spans(content) else None


def _spans(content: Content) -> list[tuple[int, int, str]]:
    return [(span.start, span.end, str(span.style)) for span in content.spans]


def toast_text(message: str, fit: Callable[[str], str] | None = None) -> tuple[str, bool]:
    """(text, markup) for `App.notify`: `message` made safe, and, when it holds a catalog sentence with a command,
    as markup that shows the command bold without its marks. `fit`: how the toast's safe text is cut to the screen
    (`ToastHoldingApp._fit_toast`; a markup toast is not cut there), the commands carried over to what it keeps."""
    text = safe_text(message)
    kinds = catalog_commands(text)
    if kinds is None:
        return text, False
    parts = carried_parts(text, kinds, text if fit is None else fit(text))
    markup = command_markup(parts)
    return (markup, True) if markup is not None else ("".join(part for part, _ in parts), False)


def command_content(text: str) -> Content:
    """`text` (plain, made safe by its caller) as a line of a screen shows it: a catalog sentence's command in
    `COMMAND_STYLE` without its marks, as a toast shows it (`toast_text`); every other character plain, a backtick
    in a name or a server's message too. For a widget that takes `Content` (the dispatch board's status line)."""
    kinds = catalog_commands(text)
    if kinds is None:
        return Content(text)
    parts = carried_parts(text, kinds, text)
    return Content.assemble(*((part, COMMAND_STYLE) if command else part for part, command in parts))


def say_in(app: Any, message: str, *, severity: str = "information", timeout: float = 5) -> None:
    """A toast on `app`: its own `say` (the console's and the board's: fitted to the screen), else `notify` as
    `toast_text` gives it (the menu editor alone, `o2o menu edit`)."""
    say = getattr(app, "say", None)
    if callable(say):
        say(message, severity=severity, timeout=timeout)
        return
    text, markup = toast_text(message)
    app.notify(text, severity=severity, timeout=timeout, markup=markup)
