"""Reason codes typed on the command line (`--reason`, `--template`): the API code in any case, or the reason's
words as the console shows them, in either language ("QUALITY", "quality", "质量问题", "Quality problem"), a
unique prefix of either ("质量", "qual"), full-width forms folded ("ＱＵＡＬＩＴＹ"); spaces, `_`, `-` and other
punctuation are not compared. What is sent (and what --json says) is always the code.

A choice that names no code, or names more than one, is exit 2 listing each code with its words in the UI language
("QUALITY (Quality problem)", "QUALITY（质量问题）"), as the option's help lists them. No Textual here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from o2o_tui.i18n import SUPPORTED, catalog, t


@dataclass(frozen=True)
class Reason:
    """A code and the catalog keys of the words the console shows for it (the first one is listed)."""

    code: str
    keys: tuple[str, ...]


def reasons(codes: Iterable[str], key: str, extra: dict[str, tuple[str, ...]] | None = None) -> tuple[Reason, ...]:
    """One `Reason` a code, its words under `key` formatted with the code (`"ui.reason.{code}"`), any `extra` keys
    after them."""
    extra = extra or {}
    return tuple(Reason(str(code), (key.format(code=code), *extra.get(code, ()))) for code in codes)


def fold(text: str) -> str:
    """`text` as compared: full-width and compatibility forms folded (NFKC), any case, without spaces or
    punctuation (`_`, `-`, commas, brackets)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch)[0] not in "PZ")


def _names(reason: Reason) -> set[str]:
    names = {fold(reason.code)}
    for lang in SUPPORTED:
        words = catalog(lang)
        for key in reason.keys:
            if words.get(key) and "{" not in words[key]:
                names.add(fold(words[key]))
    names.discard("")
    return names


def find(text: str, choices: Sequence[Reason]) -> str | None:
    """The code `text` names among `choices`: a code or the words of one, whole, else a prefix only one of them
    starts with; None otherwise (nothing typed, no such reason, or a prefix of several)."""
    wanted = fold(text)
    if not wanted:
        return None
    named = [(reason.code, _names(reason)) for reason in choices]
    whole = {code for code, names in named if wanted in names}
    if len(whole) == 1:
        return whole.pop()
    if whole:
        return None
    started = {code for code, names in named if any(name.startswith(wanted) for name in names)}
    return started.pop() if len(started) == 1 else None


def words_of(reason: Reason) -> str:
    """The reason's words in the UI language (the first of its keys the catalog has)."""
    for key in reason.keys:
        found = t(key)
        if found != key:
            return found
    return reason.code


def listed(choices: Sequence[Reason]) -> str:
    """Each code with its words in the UI language, for a help text or an error ("QUALITY (Quality problem), ...")."""
    shown = (t("reasons.cli.choice", code=reason.code, words=words_of(reason)) for reason in choices)
    return t("reasons.cli.list_sep").join(shown)


def pick(text: str, choices: Sequence[Reason], error_key: str, field: str = "reason") -> str:
    """The code `text` names (`find`), or exit 2 saying `error_key` with `field` (what was typed, as plain text)
    and `choices` (`listed`); nothing is sent."""
    from o2o_tui.cli.exits import Exit
    from o2o_tui.cli.output import fail
    from o2o_tui.safe_text import safe_text

    found = find(text, choices)
    if found is None:
        raise fail(t(error_key, choices=listed(choices), **{field: safe_text(text, one_line=True)}), Exit.USAGE)
    return found
