"""Commands in a catalog sentence, as a screen shows them.

The catalogs mark a command the way the CLI's text for a person does, in backticks (Markdown's code: "run `o2o
login`"). A terminal screen would show the backticks as they are, so the screens show the command in a style of
its own instead (`screens.help_screen.commands_shown`: bold), without the marks.

The marks are read from the catalog's sentence: `command_parts` splits the template before any value goes in, so
a backtick in a value (a name, a path) is text like any other and never starts or ends a command. A toast's text
comes finished, its values in: `catalog_commands` reads only the marks of the catalog sentences it holds whole, and
`carried_parts` carries them over to the text as the toast is cut to the screen (`screens.command_toasts`). No
Textual here: the parts are plain strings with a flag.
"""

from __future__ import annotations

from functools import cache

from o2o_tui.i18n import catalog, current_language

MARK = "`"


def split_commands(text: str) -> list[tuple[str, bool]]:
    """`text` as (part, is_command) pairs, the marks dropped: "run `o2o login` now" -> [("run ", False), ("o2o
    login", True), (" now", False)]. Empty parts are left out; a text with an unmatched mark is one plain part
    (marks and all: nothing is guessed)."""
    pieces = text.split(MARK)
    if len(pieces) % 2 == 0:  # an odd number of marks
        return [(text, False)] if text else []
    return [(piece, index % 2 == 1) for index, piece in enumerate(pieces) if piece]


def plain_text(text: str) -> str:
    """`text` without its command marks (the words a screen shows, unstyled)."""
    return "".join(part for part, _ in split_commands(text))


def command_parts(key: str, /, **values: object) -> list[tuple[str, bool]]:
    """The catalog's sentence for `key` (as `t` chooses it: `<key>.one` for a count of 1, English where the
    language lacks it) as (part, is_command) pairs, `values` formatted into each part after the marks were found."""
    messages = catalog(current_language())
    template = messages.get(f"{key}.one") if values.get("count") == 1 else None
    if template is None:
        template = messages.get(key) or catalog("en").get(key) or key
    parts = []
    for part, command in split_commands(template):
        try:
            text = part.format(**values) if values else part
        except (
            KeyError,
            IndexError,
            ValueError,
        ):  # as `t`: a sentence that does not format is shown as it is
            text = part
        if text:
            parts.append((text, command))
    return parts


# A finished sentence (a toast's, its values in) as a screen shows it: only the marks of the catalog's own sentences
# are read. Each character is PLAIN, a MARK (dropped) or part of a COMMAND (styled).
PLAIN, MARKED, COMMAND = 0, 1, 2


@cache
def _sentences_with_commands(lang: str) -> tuple[str, ...]:
    """The catalog sentences of `lang` and of English (where `t` falls back to) that mark a command and take no
    value (`t` gives them as they are written), the longest first."""
    found = {
        template
        for messages in (catalog(lang), catalog("en"))
        for template in messages.values()
        if MARK in template and "{" not in template and len(split_commands(template)) > 1
    }
    return tuple(sorted(found, key=len, reverse=True))


def _kinds(sentence: str) -> list[int]:
    kinds: list[int] = []
    for index, piece in enumerate(sentence.split(MARK)):
        if index:
            kinds.append(MARKED)
        kinds += [COMMAND if index % 2 else PLAIN] * len(piece)
    return kinds


def catalog_commands(text: str) -> list[int] | None:
    """What each character of `text` is (PLAIN, MARKED, COMMAND), by the catalog sentences marking a command that
    `text` holds whole (a refused token's "... with `o2o login`.", said alone or after "Not accepted: "); None
    when it holds none. A mark anywhere else (in a name, a server's message) is text like any other: a value cannot
    start or end a command, at most quote a whole catalog sentence, which is then shown as the catalog's."""
    kinds = [PLAIN] * len(text)
    found = False
    for sentence in _sentences_with_commands(current_language()):
        start = text.find(sentence)
        while start >= 0:
            end = start + len(sentence)
            if all(kind == PLAIN for kind in kinds[start:end]):  # not inside a longer sentence found already
                kinds[start:end] = _kinds(sentence)
                found = True
            start = text.find(sentence, end)
    return kinds if found else None


def carried_parts(text: str, kinds: list[int], shown: str) -> list[tuple[str, bool]]:
    """`shown` (`text` as a toast fits it: its lines broken at spaces or between Chinese characters, perhaps cut
    with "…" and a line after) as (part, is_command) pairs, the kinds of `text`'s characters carried over to it,
    the marks dropped. Past the first character that is not `text`'s (the cut), every part is plain."""
    flags: list[tuple[str, bool]] = []
    at, aligned = 0, True
    for char in shown:
        if aligned and at < len(text) and text[at] == char:
            kind, at = kinds[at], at + 1
            if kind != MARKED:
                flags.append((char, kind == COMMAND))
            continue
        if aligned and char == "\n" and at < len(text):  # a line broken here: at a space (dropped) or not
            while at < len(text) and text[at] in " \t":
                at += 1
            flags.append((char, False))
            continue
        aligned = False
        flags.append((char, False))
    parts: list[tuple[str, bool]] = []
    for char, command in flags:
        if parts and parts[-1][1] == command:
            parts[-1] = (parts[-1][0] + char, command)
        else:
            parts.append((char, command))
    return parts
