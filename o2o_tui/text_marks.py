"""The two marks the core puts in text it builds: the separator between the parts of one line ("Very late · 40
minutes") and the ellipsis where a text is cut ("Kung Pao…"), as the place the text goes to can draw them. One place
for both, so a serial terminal (vt100, vt220) or a locale that is not UTF-8 gets ASCII:

- in the merchant console, the running app's glyph set (`screens/terminal.py`: its `dot` and `ellipsis`);
- elsewhere (the CLI's text for a person), the terminal's locale and stdout's encoding (`o2o_tui/cli/output.py`
  writes '?' for a character its encoding lacks; on LANG=C Python writes UTF-8 anyway, which the terminal cannot
  show).

No Textual and no `screens` here: the console's set is read only when the console itself loaded both.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping

FULL_DOT = "·"
ASCII_DOT = "|"
FULL_ELLIPSIS = "…"
ASCII_ELLIPSIS = "..."


def _console_glyphs() -> object | None:
    """The running console app's glyph set; None when no console app is running here (the CLI, a test)."""
    terminal = sys.modules.get("screens.terminal")
    context = sys.modules.get("textual._context")
    if terminal is None or context is None:
        return None
    app = context.active_app.get(None)
    return None if app is None else terminal.glyphs_of(app)


def locale_is_utf8(environ: Mapping[str, str]) -> bool:
    """Whether the terminal's locale can show UTF-8 (LC_ALL, else LC_CTYPE, else LANG): Python's own PEP 538
    coercion (LC_CTYPE=C.UTF-8 under LANG=C) is not taken as the terminal's word. `screens/locale_text.py` (the console's glyphs, the
    handheld's `--ascii`) asks this one."""
    lang = environ.get("LANG", "")
    ctype = environ.get("LC_CTYPE", "")
    coerced = ctype == "C.UTF-8" and lang in ("", "C", "POSIX")
    for value in (environ.get("LC_ALL", ""), "" if coerced else ctype, lang):
        if value:
            return "utf8" in value.lower().replace("-", "")
    return False


ASCII_TERMS = ("vt100", "vt102", "vt220", "dumb")  # serial terminals: ASCII marks, whatever the locale says
CONSOLE_TERMS = ("linux", "cons25")  # the Linux text console: its font's few symbols (screens/terminal.py CONSOLE)


def term_name(environ: Mapping[str, str]) -> str:
    """TERM's terminal, without its variant ("vt100-am" -> "vt100", "linux-16color" -> "linux"), lower case."""
    return environ.get("TERM", "").lower().split("-")[0]


def ascii_term(environ: Mapping[str, str]) -> bool:
    """Whether TERM names a terminal that draws ASCII only (vt100, vt220, dumb): the merchant console and the
    dispatch board (`screens/terminal.py` `glyphs_for`) and the courier handheld (`screens/courier_format.py`
    `handheld_glyphs`) draw their marks in ASCII there, whatever the locale."""
    return term_name(environ) in ASCII_TERMS


def console_term(environ: Mapping[str, str]) -> bool:
    """Whether TERM names the Linux text console (linux, cons25)."""
    return term_name(environ) in CONSOLE_TERMS


def _stream_shows(text: str) -> bool:
    stream = sys.stdout
    encoding = str(getattr(stream, "encoding", None) or "utf-8")
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _plain_terminal() -> bool:
    """Whether the text goes to a terminal without UTF-8: the console's ASCII set, or (no console) a locale that is
    not UTF-8 or a stdout that cannot encode the marks."""
    glyphs = _console_glyphs()
    if glyphs is not None:
        return bool(getattr(glyphs, "ascii", False))
    return not locale_is_utf8(os.environ) or not _stream_shows(FULL_DOT + FULL_ELLIPSIS)


def dot() -> str:
    """The separator between parts of a line: " · ", or the console's glyph set's (" | " in ASCII), or " | " for
    a CLI on a terminal that is not UTF-8."""
    glyphs = _console_glyphs()
    if glyphs is not None:
        return f" {getattr(glyphs, 'dot', FULL_DOT)} "
    return f" {ASCII_DOT if _plain_terminal() else FULL_DOT} "


def dotted(parts: Iterable[str]) -> str:
    """`parts` joined by `dot()`, the empty ones left out."""
    return dot().join(part for part in parts if part)


def ellipsis() -> str:
    """Where a text is cut: "…", or the console's glyph set's ("..." on an ASCII or Linux console), or "..." for a
    CLI on a terminal that is not UTF-8."""
    glyphs = _console_glyphs()
    if glyphs is not None:
        return str(getattr(glyphs, "ellipsis", FULL_ELLIPSIS))
    return ASCII_ELLIPSIS if _plain_terminal() else FULL_ELLIPSIS
